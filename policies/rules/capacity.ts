import { fmt } from "../../src/plan/format";
import { label, planRecordOf, within, workloadsOf, type ResourceView, type RuleViolation } from "./resources";
import type { Rule } from "./rule";

const DIMENSIONS = [
  ["compute", "TFLOPS"],
  ["storage", "GB"],
  ["bandwidth", "Mbps"],
] as const;

/**
 * Per environment and dimension, the demands of the workloads actually declared stay within
 * capacity × (1 − reserve) as the plan record states them; and workloads and the plan record
 * agree: a workload without a placement, or a placement without a workload, is a violation.
 */
export const capacityWithinUsable: Rule<Record<string, never>> = {
  name: "tierplan-capacity-within-usable",
  description: "Placed demands stay within each environment's capacity × (1 − reserve), and every workload matches a placement of the plan record and vice versa.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  defaults: {},
  check(resources: readonly ResourceView[]): RuleViolation[] {
    const { workloads } = workloadsOf(resources);
    const record = planRecordOf(resources);
    if (!record) {
      return workloads.length === 0 ? [] : [{ message: "tierplan workloads are declared but the stack has no plan record (ConfigMap tierplan-plan): capacity cannot be checked" }];
    }
    if (!record.plan) return [{ resource: label(record.resource), message: record.problem! }];
    const plan = record.plan;
    const out: RuleViolation[] = [];
    const reserve = plan.objective.reserve;
    const environments = new Map(plan.environments.map((e) => [e.name, e]));
    const used = new Map<string, { compute: number; storage: number; bandwidth: number; tasks: string[] }>();
    for (const { resource, what, facts } of workloads) {
      if (!environments.has(facts.tier)) {
        out.push({ resource: label(resource), message: `task '${facts.task}' (${what}) is placed on '${facts.tier}', which the plan record does not know` });
        continue;
      }
      const sum = used.get(facts.tier) ?? { compute: 0, storage: 0, bandwidth: 0, tasks: [] };
      sum.compute += facts.compute;
      sum.storage += facts.storage;
      sum.bandwidth += facts.bandwidth;
      sum.tasks.push(facts.task);
      used.set(facts.tier, sum);
    }
    for (const [tier, sum] of used) {
      const env = environments.get(tier)!;
      for (const [dimension, unit] of DIMENSIONS) {
        const cap = (1 - reserve) * env[dimension];
        if (!within(sum[dimension], cap)) {
          out.push({
            message:
              `${tier}: ${dimension} demand ${fmt(sum[dimension])} ${unit} exceeds the usable ${fmt(cap)} ${unit} ` +
              `(capacity ${env[dimension]} × (1 − reserve ${reserve})) with ${sum.tasks.length} task(s): ${preview(sum.tasks)}`,
          });
        }
      }
    }
    const declared = new Map<string, (typeof workloads)[number]>();
    for (const w of workloads) {
      const first = declared.get(w.facts.task);
      if (first) out.push({ resource: label(w.resource), message: `task '${w.facts.task}' has a second workload (${w.what}) besides ${label(first.resource)}: its demand counts twice` });
      else declared.set(w.facts.task, w);
    }
    const planned = new Map(plan.placements.map((p) => [p.task, p]));
    for (const w of workloads) {
      const placement = planned.get(w.facts.task);
      if (!placement) {
        out.push({ resource: label(w.resource), message: `${w.what} for task '${w.facts.task}' has no placement in the plan record: remove it or re-plan` });
      } else if (placement.tier !== w.facts.tier) {
        out.push({ resource: label(w.resource), message: `${w.what} for task '${w.facts.task}' says tier ${w.facts.tier}, the plan record says ${placement.tier}` });
      }
    }
    for (const placement of plan.placements) {
      if (!declared.has(placement.task)) {
        out.push({ resource: label(record.resource), message: `task '${placement.task}' is placed on ${placement.tier} in the plan record but no workload runs it` });
      }
    }
    return out;
  },
};


function preview(tasks: string[]): string {
  return tasks.length <= 5 ? tasks.join(", ") : `${tasks.slice(0, 5).join(", ")}, … (${tasks.length - 5} more)`;
}
