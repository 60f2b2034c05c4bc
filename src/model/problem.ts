import type { Packing, PlanningInput, PresetName, TierKind } from "../catalog/schema";
import { expandMachines, type Machine } from "./machines";

/** The three capacity dimensions every environment has and every task demands. */
export const DIMENSIONS = ["compute", "storage", "bandwidth"] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** A place a task can run: a shared tier, or one robot of the fleet. */
export interface Environment {
  /** Position in `Problem.environments`: tiers in input order, then robots. */
  index: number;
  name: string;
  kind: TierKind;
  /** True for a fleet robot: private to the tasks bound to it. */
  fleetRobot: boolean;
  compute: number;
  storage: number;
  bandwidth: number;
  latency: number;
  costPerHour: number;
  /** docs/contract.md §5: the machines of an edge tier that lists them, in catalog order. */
  machines?: Machine[];
  /** Which machine a task goes to among plans equal under the order of comparison. */
  packing?: Packing;
}

/** A task after expanding `perRobot` copies: the unit the optimizer places. */
export interface Task {
  index: number;
  /** Unique name; `<task>@<robot>` for a per-robot copy. */
  name: string;
  /** The catalog task it comes from. */
  source: string;
  /** The fleet robot this task is bound to, if any. */
  robot?: string;
  compute: number;
  storage: number;
  bandwidth: number;
  maxLatency: number;
  cost: number;
  priority: number;
  allowedTiers?: readonly string[];
  pin?: string;
  image?: string;
  port?: number;
}

export interface Weights {
  latency: number;
  cost: number;
}

/** Everything the optimizer needs, in a form that is cheap to index. */
export interface Problem {
  site: string;
  preset: PresetName;
  weights: Weights;
  reserve: number;
  /** docs/contract.md §6: with a lock, least score + moveCost x moves replaces fewest moves, then least score. */
  moveCost?: number;
  environments: Environment[];
  tasks: Task[];
}

/** Environments are the tiers plus one per robot; per-robot tasks become one bound copy per robot. */
export function buildProblem(input: PlanningInput): Problem {
  const environments: Environment[] = [
    ...input.tiers.map((tier) => ({ ...tier, fleetRobot: false })),
    ...input.robots.map((robot) => ({ ...robot, kind: "robot" as const, fleetRobot: true })),
  ].map((env, index) => ({
    index,
    name: env.name,
    kind: env.kind,
    fleetRobot: env.fleetRobot,
    compute: env.compute,
    storage: env.storage,
    bandwidth: env.bandwidth,
    latency: env.latency,
    costPerHour: env.costPerHour,
    ...("machines" in env &&
      env.machines && { machines: expandMachines(env.machines), packing: env.packing ?? "best-fit" }),
  }));
  const tasks: Task[] = [];
  for (const spec of input.tasks) {
    const base = {
      source: spec.name,
      compute: spec.compute,
      storage: spec.storage,
      bandwidth: spec.bandwidth,
      maxLatency: spec.maxLatency,
      cost: spec.cost,
      priority: spec.priority,
      ...(spec.allowedTiers && { allowedTiers: spec.allowedTiers }),
      ...(spec.pin !== undefined && { pin: spec.pin }),
      ...(spec.image !== undefined && { image: spec.image }),
      ...(spec.port !== undefined && { port: spec.port }),
    };
    if (spec.perRobot) {
      for (const robot of input.robots)
        tasks.push({ index: tasks.length, name: `${spec.name}@${robot.name}`, robot: robot.name, ...base });
    } else {
      tasks.push({
        index: tasks.length,
        name: spec.name,
        ...(spec.robot !== undefined && { robot: spec.robot }),
        ...base,
      });
    }
  }
  return {
    site: input.site,
    preset: input.objective.preset,
    weights: input.objective.weights,
    reserve: input.objective.reserve,
    ...(input.objective.moveCost !== undefined && { moveCost: input.objective.moveCost }),
    environments,
    tasks,
  };
}
