import type { Machine } from "../model";
import type { Algorithm } from "../optimizer/types";

/** One task placed on one environment (contract §3 `placements[]`, plus facts provisioning needs). */
export interface Placement {
  task: string;
  /** The environment's name: a tier, or a fleet robot. */
  tier: string;
  latencyMs: number;
  cost: number;
  score: number;
  kind: "cloud" | "edge" | "robot";
  /** The catalog task this one comes from (differs for per-robot copies `<task>@<robot>`). */
  source: string;
  priority: number;
  maxLatency: number;
  compute: number;
  storage: number;
  bandwidth: number;
  /** The fleet robot the task is bound to, if any. */
  robot?: string;
  /** Placed by the operator's `pin`, not by the optimizer. */
  pinned?: true;
  image?: string;
  port?: number;
  /** Contract §5: on a tier with machines, the machine id (also the node name) and the GPU units the task takes. */
  machine?: string;
  gpuUnits?: number;
}

/** Contract §6: a locked task the plan places elsewhere (`tier` or `tier/machine`), or leaves unplaced (`to` null). */
export interface Move {
  task: string;
  from: string;
  to: string | null;
}

export interface Unplaced {
  task: string;
  /** A summary first (`0/5 environments: …`), then one line per environment worth naming. */
  reasons: string[];
  priority: number;
  source: string;
}

export type ViolationRule = "latency" | "capacity" | "allowed";

export interface Violation {
  task: string;
  tier: string;
  rule: ViolationRule;
  message: string;
}

export interface LevelCount {
  priority: number;
  placed: number;
  total: number;
  /** Contract §7: most tasks of this level any plan can place given the levels above as placed (>= placed). */
  bound: number;
}

export interface Objective {
  latencyMs: number;
  cost: number;
  score: number;
  placedByPriority: LevelCount[];
  /** Contract §6: the number of moves against the lock (0 without one). */
  moves: number;
  /** With a lock: what a move weighs against the score, if set. */
  moveCost?: number;
  preset: string;
  weights: { latency: number; cost: number };
  reserve: number;
}

export type Severity = "medium" | "high";

export interface Utilization {
  tier: string;
  kind: "cloud" | "edge" | "robot";
  /** A robot of the fleet (private to its bound tasks), as opposed to a shared tier. */
  fleetRobot?: true;
  /** Placed demand as a share of capacity, per dimension. */
  compute: number;
  storage: number;
  bandwidth: number;
  /** Dimensions whose placed demand exceeds 90 % (medium) or 95 % (high) of the usable capacity. */
  bottlenecks: Array<{ dimension: "compute" | "storage" | "bandwidth"; usableShare: number; severity: Severity }>;
}

export interface SolverFacts {
  algorithm: Algorithm;
  optimal: boolean;
  /** Contract §7: `(score - bound) / max(|score|, 1e-9)`; null when there is no bound. */
  gap: number | null;
  /** Wall time of the solve. The only field that is not deterministic. */
  ms: number;
  method: string;
  bound: number | null;
  /** Whether the tasks placed per priority level are proven maximal. */
  countsProven: boolean;
  work: Record<string, number>;
}

/** An environment as the plan saw it: what policies re-check capacity against. */
export interface EnvironmentRecord {
  name: string;
  kind: "cloud" | "edge" | "robot";
  fleetRobot: boolean;
  compute: number;
  storage: number;
  bandwidth: number;
  latency: number;
  costPerHour: number;
  /** Contract §5: the machines of an edge tier that lists them, expanded (ids are node names). */
  machines?: Machine[];
  packing?: string;
}

/** The plan: contract §3's JSON object, and the input of provisioning, policies and reports. */
export interface Plan {
  site: string;
  placements: Placement[];
  unplaced: Unplaced[];
  violations: Violation[];
  /** Contract §6: moves against the lock; empty without one. */
  moves: Move[];
  objective: Objective;
  utilization: Utilization[];
  recommendations: string[];
  solver: SolverFacts;
  /** Every environment with its capacities (tiers, then fleet robots). */
  environments: EnvironmentRecord[];
}
