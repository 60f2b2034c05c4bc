import { latency, leq, usable } from "./formulas";
import { fitsEmptyMachine, unitsNeeded, type Machine } from "./machines";
import { DIMENSIONS, type Dimension, type Environment, type Task } from "./problem";

/** Why task t may not run on environment e, one entry per rule it breaks (docs/contract.md §2). */
export type Blocker =
  | { rule: "robot"; robot: string; boundTo?: string }
  | { rule: "allowed"; allowed: readonly string[] }
  | { rule: "latency"; latencyMs: number; maxLatency: number }
  | { rule: "capacity"; dimension: Dimension; demand: number; usable: number }
  | { rule: "machine"; units: number; largestUnits: number; storage: number; largestStorage: number };

export function isAllowed(task: Task, env: Environment): boolean {
  return !task.allowedTiers || task.allowedTiers.includes(env.name) || task.allowedTiers.includes(env.kind);
}

export function isBindingOk(task: Task, env: Environment): boolean {
  return !env.fleetRobot || task.robot === env.name;
}

/** Every rule of docs/contract.md §2 that placing `task` alone on `env` breaks; empty when allowed. */
export function blockers(task: Task, env: Environment, reserve: number): Blocker[] {
  const out: Blocker[] = [];
  if (!isBindingOk(task, env))
    out.push({ rule: "robot", robot: env.name, ...(task.robot !== undefined && { boundTo: task.robot }) });
  if (!isAllowed(task, env)) out.push({ rule: "allowed", allowed: task.allowedTiers! });
  const ms = latency(task, env);
  if (!leq(ms, task.maxLatency)) out.push({ rule: "latency", latencyMs: ms, maxLatency: task.maxLatency });
  for (const dimension of DIMENSIONS) {
    const cap = usable(env, dimension, reserve);
    if (!leq(task[dimension], cap)) out.push({ rule: "capacity", dimension, demand: task[dimension], usable: cap });
  }
  if (env.machines && !fitsSomeMachine(task, env.machines)) out.push(machineBlocker(task, env.machines));
  return out;
}

/** docs/contract.md §5: some machine of the tier, empty, holds the task's units and storage. */
function fitsSomeMachine(task: Pick<Task, "compute" | "storage">, machines: readonly Machine[]): boolean {
  return machines.some((m) => fitsEmptyMachine(m, unitsNeeded(task.compute, m.unitTflops), task.storage));
}

/** What no machine could hold, measured against the machine with the most units. */
function machineBlocker(task: Task, machines: readonly Machine[]): Blocker {
  const largest = machines.reduce((a, b) => (b.units > a.units ? b : a));
  return {
    rule: "machine",
    units: unitsNeeded(task.compute, largest.unitTflops),
    largestUnits: largest.units,
    storage: task.storage,
    largestStorage: Math.max(...machines.map((m) => m.storage)),
  };
}

export function isFeasible(task: Task, env: Environment, reserve: number): boolean {
  if (!isBindingOk(task, env) || !isAllowed(task, env)) return false;
  if (!leq(latency(task, env), task.maxLatency)) return false;
  if (!DIMENSIONS.every((d) => leq(task[d], usable(env, d, reserve)))) return false;
  return !env.machines || fitsSomeMachine(task, env.machines);
}
