import { gunzipSync } from "node:zlib";
import { leq } from "../../src/model/formulas";
import { FACT_KEYS, readPlacementFacts, type PlacementFacts } from "../../src/plan/facts";
import type { Plan } from "../../src/plan/types";

/**
 * A resource as both engines show it: the policy runtime (`StackValidationArgs.resources`, with
 * a URN) and the offline preview (the mock engine's record). `props` are the inputs, which is all
 * a preview knows.
 */
export interface ResourceView {
  type: string;
  name: string;
  urn?: string;
  props: Record<string, any>;
}

/** One finding of a rule; `resource` names what to fix. */
export interface RuleViolation {
  message: string;
  resource?: string;
}

export const INSTANCE = "aws:ec2/instance:Instance";
export const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
export const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";

/** A workload tierplan manages, with the placement facts it carries. */
export interface Workload {
  resource: ResourceView;
  what: "instance" | "deployment" | "robot config";
  facts: PlacementFacts;
}

/** What is wrong with a managed resource's facts, so rules can report it instead of skipping it. */
export interface MalformedWorkload {
  resource: ResourceView;
  problems: string[];
}

/** Every tierplan workload in the stack, one entry per task (a robot config holds several). */
export function workloadsOf(resources: readonly ResourceView[]): { workloads: Workload[]; malformed: MalformedWorkload[] } {
  const workloads: Workload[] = [];
  const malformed: MalformedWorkload[] = [];
  const add = (resource: ResourceView, what: Workload["what"], tags: Record<string, unknown> | undefined) => {
    const facts = readPlacementFacts(tags);
    if (Array.isArray(facts)) malformed.push({ resource, problems: facts });
    else if (facts) workloads.push({ resource, what, facts });
  };
  for (const resource of resources) {
    if (resource.type === INSTANCE) add(resource, "instance", resource.props.tags);
    else if (resource.type === DEPLOYMENT) add(resource, "deployment", resource.props.metadata?.annotations);
    else if (resource.type === CONFIG_MAP && resource.props.metadata?.labels?.["tierplan/record"] === "robot-config") {
      const raw = resource.props.metadata?.annotations?.["tierplan/robot-placements"];
      let list: unknown;
      try {
        list = JSON.parse(String(raw));
      } catch {
        list = undefined;
      }
      if (!Array.isArray(list)) {
        malformed.push({ resource, problems: ["missing or unreadable tierplan/robot-placements annotation"] });
        continue;
      }
      list.forEach((tags, i) => {
        if (tags === null || typeof tags !== "object" || (tags as Record<string, unknown>)[FACT_KEYS.managedBy] === undefined) {
          malformed.push({ resource, problems: [`tierplan/robot-placements entry ${i} is not a map of placement facts`] });
        } else add(resource, "robot config", tags as Record<string, unknown>);
      });
    }
  }
  return { workloads, malformed };
}

/** The plan record the program writes (a ConfigMap), decoded; undefined if the stack has none. */
export function planRecordOf(resources: readonly ResourceView[]): { resource: ResourceView; plan?: Plan; problem?: string } | undefined {
  const resource = resources.find((r) => r.type === CONFIG_MAP && r.props.metadata?.labels?.["tierplan/record"] === "plan");
  if (!resource) return undefined;
  try {
    const plain = resource.props.data?.["plan.json"];
    const zipped = resource.props.binaryData?.["plan.json.gz"];
    const text = typeof plain === "string" ? plain : gunzipSync(Buffer.from(String(zipped), "base64")).toString("utf8");
    const plan: unknown = JSON.parse(text);
    const missing = planShapeProblem(plan);
    return missing ? { resource, problem: `the plan record is not a tierplan plan: ${missing}` } : { resource, plan: plan as Plan };
  } catch (error) {
    return { resource, problem: `the plan record cannot be read: ${(error as Error).message}` };
  }
}

/** What a decoded plan record lacks that the rules read; undefined when it has it all. */
function planShapeProblem(plan: unknown): string | undefined {
  if (plan === null || typeof plan !== "object" || Array.isArray(plan)) return "not a JSON object";
  const record = plan as Record<string, unknown>;
  for (const key of ["placements", "unplaced", "violations", "environments"]) {
    if (!Array.isArray(record[key])) return `no ${key} list`;
  }
  const reserve = (record.objective as Record<string, unknown> | undefined)?.reserve;
  if (typeof reserve !== "number") return "no objective.reserve";
  return undefined;
}

/** How a violation names the resource: its URN under the engine, its name offline. */
export function label(resource: ResourceView): string {
  return resource.urn ?? `${resource.type} ${resource.name}`;
}

export const within = leq;
export { FACT_KEYS };
