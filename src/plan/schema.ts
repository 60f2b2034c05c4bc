import { z } from "zod";
import type { Machine } from "../model";
import { ALGORITHMS } from "../catalog/algorithms";

/*
 * The plan's one home: docs/contract.md §3's JSON object, the input of provisioning, policies and
 * reports. Every plan type is inferred from these schemas; a saved preview's plan is read with them
 * (src/plan/previewFile.ts). Fields are in the order the plan is written.
 */

const TIER_KINDS = ["cloud", "edge", "robot"] as const;
const DIMENSION = z.enum(["compute", "storage", "bandwidth"]);

/** One task placed on one environment (docs/contract.md §3 `placements[]`, plus facts provisioning needs). */
const PlacementSchema = z.object({
  task: z.string(),
  /** The environment's name: a tier, or a fleet robot. */
  tier: z.string(),
  latencyMs: z.number(),
  cost: z.number(),
  score: z.number(),
  kind: z.enum(TIER_KINDS),
  /** The catalog task this one comes from (differs for per-robot copies `<task>@<robot>`). */
  source: z.string(),
  priority: z.number(),
  maxLatency: z.number(),
  compute: z.number(),
  storage: z.number(),
  bandwidth: z.number(),
  /** The fleet robot the task is bound to, if any. */
  robot: z.string().optional(),
  /** Placed by the operator's `pin`, not by the optimizer. */
  pinned: z.literal(true).optional(),
  image: z.string().optional(),
  port: z.number().optional(),
  /** docs/contract.md §5: on a tier with machines, the machine id (also the node name) and the GPU units the task takes. */
  machine: z.string().optional(),
  gpuUnits: z.number().optional(),
});
export type Placement = z.infer<typeof PlacementSchema>;

/** docs/contract.md §6: a locked task the plan places elsewhere (`tier` or `tier/machine`), or leaves unplaced (`to` null). */
const MoveSchema = z.object({ task: z.string(), from: z.string(), to: z.string().nullable() });
export type Move = z.infer<typeof MoveSchema>;

const UnplacedSchema = z.object({
  task: z.string(),
  /** A summary first (`0/5 environments: …`), then one line per environment worth naming. */
  reasons: z.array(z.string()),
  priority: z.number(),
  source: z.string(),
});
export type Unplaced = z.infer<typeof UnplacedSchema>;

const ViolationSchema = z.object({
  task: z.string(),
  tier: z.string(),
  rule: z.enum(["latency", "capacity", "allowed"]),
  message: z.string(),
});
export type Violation = z.infer<typeof ViolationSchema>;

const LevelCountSchema = z.object({
  priority: z.number(),
  placed: z.number(),
  total: z.number(),
  /** docs/contract.md §7: most tasks of this level any plan can place given the levels above as placed (>= placed). */
  bound: z.number(),
});
export type LevelCount = z.infer<typeof LevelCountSchema>;

const ObjectiveSchema = z.object({
  latencyMs: z.number(),
  cost: z.number(),
  score: z.number(),
  placedByPriority: z.array(LevelCountSchema),
  /** docs/contract.md §6: the number of moves against the lock (0 without one). */
  moves: z.number(),
  /** With a lock: what a move weighs against the score, if set. */
  moveCost: z.number().optional(),
  preset: z.string(),
  weights: z.object({ latency: z.number(), cost: z.number() }),
  reserve: z.number(),
});

const UtilizationSchema = z.object({
  tier: z.string(),
  kind: z.enum(TIER_KINDS),
  /** A robot of the fleet (private to its bound tasks), as opposed to a shared tier. */
  fleetRobot: z.literal(true).optional(),
  /** Placed demand as a share of capacity, per dimension. */
  compute: z.number(),
  storage: z.number(),
  bandwidth: z.number(),
  /** Dimensions whose placed demand exceeds 90 % (medium) or 95 % (high) of the usable capacity. */
  bottlenecks: z.array(
    z.object({ dimension: DIMENSION, usableShare: z.number(), severity: z.enum(["medium", "high"]) }),
  ),
});
export type Utilization = z.infer<typeof UtilizationSchema>;

const SolverFactsSchema = z.object({
  algorithm: z.enum(ALGORITHMS),
  optimal: z.boolean(),
  /** docs/contract.md §7: `(score - bound) / max(|score|, 1e-9)`; null when there is no bound. */
  gap: z.number().nullable(),
  /** Wall time of the solve. The only field that is not deterministic. */
  ms: z.number(),
  method: z.string(),
  bound: z.number().nullable(),
  /** Whether the tasks placed per priority level are proven maximal. */
  countsProven: z.boolean(),
  work: z.record(z.string(), z.number()),
});

/** docs/contract.md §5: one machine of an edge tier, as src/model/machines.ts expands it. */
const MachineSchema = z.object({
  id: z.string(),
  shape: z.string(),
  gpus: z.number(),
  gpuTflops: z.number(),
  gpuSlices: z.number(),
  units: z.number(),
  unitTflops: z.number(),
  storage: z.number(),
}) satisfies z.ZodType<Machine>;

/** An environment as the plan saw it: what policies re-check capacity against. */
const EnvironmentRecordSchema = z.object({
  name: z.string(),
  kind: z.enum(TIER_KINDS),
  fleetRobot: z.boolean(),
  compute: z.number(),
  storage: z.number(),
  bandwidth: z.number(),
  latency: z.number(),
  costPerHour: z.number(),
  /** docs/contract.md §5: the machines of an edge tier that lists them, expanded (ids are node names). */
  machines: z.array(MachineSchema).optional(),
  packing: z.string().optional(),
});
export type EnvironmentRecord = z.infer<typeof EnvironmentRecordSchema>;

export const PlanSchema = z.object({
  site: z.string(),
  placements: z.array(PlacementSchema),
  unplaced: z.array(UnplacedSchema),
  violations: z.array(ViolationSchema),
  /** docs/contract.md §6: moves against the lock; empty without one. */
  moves: z.array(MoveSchema),
  objective: ObjectiveSchema,
  utilization: z.array(UtilizationSchema),
  recommendations: z.array(z.string()),
  solver: SolverFactsSchema,
  /** Every environment with its capacities (tiers, then fleet robots). */
  environments: z.array(EnvironmentRecordSchema),
});
/** The plan: docs/contract.md §3's JSON object, and the input of provisioning, policies and reports. */
export type Plan = z.infer<typeof PlanSchema>;

/** The plan without its one non-deterministic field (solve time): what two runs agree on, and what the plan record holds. */
export const CanonicalPlanSchema = PlanSchema.extend({ solver: SolverFactsSchema.omit({ ms: true }) });
export type CanonicalPlan = z.infer<typeof CanonicalPlanSchema>;
