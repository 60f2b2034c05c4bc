import { gunzipSync } from "node:zlib";
import type { Environment, Machine, Task } from "../../src/model";
import { PLAN_RECORD_DATA, RECORD_KEYS, RECORD_KINDS, type PlanRecordInputs } from "../../src/plan/facts";
import { explainIssue, formatPath, type DataPath } from "../../src/catalog/errors";
import { CanonicalPlanSchema, type CanonicalPlan, type Placement } from "../../src/plan/schema";
import { CONFIG_MAP, record, type ResourceView } from "./resources";

/**
 * The plan record (a ConfigMap the program writes), decoded and checked, as the model the
 * contract's formulas take: the environments with their capacities and machines, the tasks with
 * their specifications (the record's `inputs`), and the placements the plan made.
 */

/** The record's JSON: the plan and the planning inputs it was made from. */
type RecordedPlan = CanonicalPlan & { inputs?: PlanRecordInputs };

export interface PlanRecordView {
  resource: ResourceView;
  plan: RecordedPlan;
  reserve: number;
  /** Every environment, as the model's formulas take it. */
  environments: Map<string, Environment>;
  /** The machines of the edge tiers that list them, by id. */
  machines: Map<string, { tier: string; machine: Machine }>;
  /** Every task's specification, by name. */
  tasks: Map<string, Task>;
  /**
   * Whether the tasks come from the record's planning inputs. A record without them (written by
   * a program that does not pass its input to the plan record) gives the placed tasks' demands,
   * SLO and robot binding from the placements, but not their allowedTiers.
   */
  inputsRecorded: boolean;
  placements: Map<string, Placement>;
  /** TFLOPS of one GPU unit on edge tiers without machines, when the record says. */
  gpuTflops?: number;
}

export interface PlanRecordRead {
  resource: ResourceView;
  view?: PlanRecordView;
  /** Why the record cannot be used; set exactly when `view` is not. */
  problem?: string;
}

/** The stack's plan record, decoded and checked; undefined when the stack has none. */
export function planRecordOf(resources: readonly ResourceView[]): PlanRecordRead | undefined {
  const resource = resources.find(
    (r) => r.type === CONFIG_MAP && r.props.metadata?.labels?.[RECORD_KEYS.record] === RECORD_KINDS.plan,
  );
  if (!resource) return undefined;
  let json: unknown;
  try {
    const plain = resource.props.data?.[PLAN_RECORD_DATA.plain];
    const zipped = resource.props.binaryData?.[PLAN_RECORD_DATA.gzipped];
    const text = typeof plain === "string" ? plain : gunzipSync(Buffer.from(String(zipped), "base64")).toString("utf8");
    json = JSON.parse(text);
  } catch (error) {
    return { resource, problem: `the plan record cannot be read: ${(error as Error).message}` };
  }
  const problems: string[] = [];
  const view = readPlan(resource, json, problems);
  if (problems.length > 0 || !view)
    return {
      resource,
      problem: `the plan record is not a tierplan plan: ${problems.slice(0, 3).join("; ")}${problems.length > 3 ? `; … (${problems.length - 3} more)` : ""}`,
    };
  return { resource, view };
}

/**
 * The record's JSON as a canonical plan (src/plan/schema.ts, the plan's one shape), or the problems with it,
 * each with its path. A record written before moves existed has none.
 */
function parsePlan(json: unknown, problems: string[]): CanonicalPlan | undefined {
  const data = record(json);
  if (!data) {
    problems.push("not a JSON object");
    return undefined;
  }
  const result = CanonicalPlanSchema.safeParse(data.moves === undefined ? { ...data, moves: [] } : data, {
    reportInput: true,
  });
  if (result.success) return result.data;
  problems.push(
    ...result.error.issues.map((issue) => `${formatPath(issue.path as DataPath)} ${explainIssue(issue, issue.input)}`),
  );
  return undefined;
}

/** Checks what the rules read beyond the plan's shape (names, capacities, references), a problem per field with its path. */
function readPlan(resource: ResourceView, json: unknown, problems: string[]): PlanRecordView | undefined {
  const plan = parsePlan(json, problems);
  if (!plan) return undefined;
  const reserve = plan.objective.reserve;
  if (!(reserve >= 0 && reserve < 1)) problems.push("no objective.reserve in [0, 1)");

  const str = (o: Record<string, unknown>, key: string, path: string) => {
    if (typeof o[key] !== "string" || o[key] === "") problems.push(`${path}.${key} is not a name`);
  };
  const num = (o: Record<string, unknown>, key: string, path: string, min: "positive" | "non-negative") => {
    const v = o[key];
    if (typeof v !== "number" || !Number.isFinite(v) || (min === "positive" ? v <= 0 : v < 0))
      problems.push(`${path}.${key} is not a ${min} number`);
  };

  const environments = new Map<string, Environment>();
  const machines = new Map<string, { tier: string; machine: Machine }>();
  plan.environments.forEach((e, index) => {
    const path = `environments[${index}]`;
    str(e, "name", path);
    for (const d of ["compute", "storage", "bandwidth"]) num(e, d, path, "positive");
    for (const d of ["latency", "costPerHour"]) num(e, d, path, "non-negative");
    e.machines?.forEach((m, k) => {
      const mPath = `${path}.machines[${k}]`;
      str(m, "id", mPath);
      if (!Number.isInteger(m.units) || m.units < 0) problems.push(`${mPath}.units is not a whole number >= 0`);
      num(m, "unitTflops", mPath, "positive");
      num(m, "storage", mPath, "positive");
      if (machines.has(m.id)) problems.push(`${mPath}.id '${m.id}' names a second machine`);
      machines.set(m.id, { tier: e.name, machine: m });
    });
    if (environments.has(e.name)) problems.push(`${path}.name '${e.name}' names a second environment`);
    const { packing: _packing, ...env } = e;
    environments.set(e.name, { index, ...env });
  });

  const placements = new Map<string, Placement>();
  plan.placements.forEach((p, i) => {
    const path = `placements[${i}]`;
    str(p, "task", path);
    str(p, "tier", path);
    if (!environments.has(p.tier)) problems.push(`${path}.tier '${p.tier}' is no environment of the record`);
    if (p.machine !== undefined && machines.get(p.machine)?.tier !== p.tier)
      problems.push(`${path}.machine '${p.machine}' is no machine of ${p.tier}`);
    if (placements.has(p.task)) problems.push(`${path}.task '${p.task}' is placed twice`);
    placements.set(p.task, p);
  });

  const inputs = record(record(json)?.inputs);
  // The tasks' specifications: the recorded planning inputs, else what the placements repeat of them.
  let specs: unknown[] = [...placements.values()].map((p) => ({ ...p, name: p.task }));
  if (inputs && Array.isArray(inputs.tasks)) specs = inputs.tasks;
  else if (inputs) {
    problems.push("inputs.tasks is not a list");
    specs = [];
  }
  const where = inputs ? "inputs.tasks" : "placements";
  const tasks = new Map<string, Task>();
  specs.forEach((raw, index) => {
    const path = `${where}[${index}]`;
    const t = record(raw);
    if (!t) return void problems.push(`${path} is not an object`);
    str(t, "name", path);
    for (const d of ["compute", "storage", "bandwidth"]) num(t, d, path, "non-negative");
    num(t, "maxLatency", path, "positive");
    if (t.robot !== undefined && typeof t.robot !== "string") problems.push(`${path}.robot is not a name`);
    if (
      t.allowedTiers !== undefined &&
      !(Array.isArray(t.allowedTiers) && t.allowedTiers.every((x) => typeof x === "string"))
    )
      problems.push(`${path}.allowedTiers is not a list of names`);
    if (typeof t.name !== "string") return;
    tasks.set(t.name, {
      index,
      name: t.name,
      source: typeof t.source === "string" ? t.source : t.name,
      ...(typeof t.robot === "string" && { robot: t.robot }),
      compute: t.compute as number,
      storage: t.storage as number,
      bandwidth: t.bandwidth as number,
      maxLatency: t.maxLatency as number,
      cost: typeof t.cost === "number" ? t.cost : 0,
      priority: typeof t.priority === "number" ? t.priority : 1,
      ...(Array.isArray(t.allowedTiers) && { allowedTiers: t.allowedTiers as string[] }),
      // A record without inputs says a task was pinned by `pinned`, not by the pin's target.
      ...(typeof t.pin === "string"
        ? { pin: t.pin }
        : t.pinned === true && typeof t.tier === "string" && { pin: t.tier }),
    });
  });
  for (const task of placements.keys())
    if (inputs && !tasks.has(task)) problems.push(`placement of '${task}' has no task in inputs.tasks`);

  const gpuTflops = inputs?.gpuTflops;
  if (gpuTflops !== undefined && !(typeof gpuTflops === "number" && gpuTflops > 0 && Number.isFinite(gpuTflops)))
    problems.push("inputs.gpuTflops is not a positive number");

  return {
    resource,
    plan: { ...plan, ...(inputs && { inputs: inputs as unknown as PlanRecordInputs }) },
    reserve,
    environments,
    machines,
    tasks,
    inputsRecorded: inputs !== undefined,
    placements,
    ...(typeof gpuTflops === "number" && { gpuTflops }),
  };
}
