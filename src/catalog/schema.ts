import { z } from "zod";

/** Environment kinds of docs/contract.md §1. */
export const TIER_KINDS = ["cloud", "edge", "robot"] as const;
export type TierKind = (typeof TIER_KINDS)[number];

/** Objective presets of docs/contract.md §2: weights of latency and cost. */
export const PRESETS = {
  realtime: { latency: 2, cost: 0.5 },
  cost: { latency: 0.5, cost: 2 },
  balanced: { latency: 1, cost: 1 },
} as const;
export type PresetName = keyof typeof PRESETS;

/** Packing strategies of docs/contract.md §5 (docs/input.md, "Packing"): which machine of a tier a task goes to. */
export const PACKINGS = ["best-fit", "first-fit", "worst-fit", "spread"] as const;
export type Packing = (typeof PACKINGS)[number];

export const DEFAULT_RESERVE = 0.1;
const MAX_RESERVE = 0.3;

const dnsLabel = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, {
  error:
    "must be a DNS label: lowercase letters, digits and '-', 1-63 characters, starting and ending with a letter or digit",
});
const name = z.string().min(1, { error: "must not be empty" });
const finite = () => z.number();
const positive = () => finite().gt(0);
const nonNegative = () => finite().gte(0);

const capacityShape = {
  name: name.describe("Unique among tiers and robots."),
  compute: positive().describe("Compute capacity, TFLOPS (> 0)."),
  storage: positive().describe("Storage capacity, GB (> 0)."),
  bandwidth: positive().describe("Network bandwidth, Mbps (> 0)."),
  latency: nonNegative().describe("Base latency, ms (>= 0)."),
  costPerHour: nonNegative().describe("Cost units per hour (>= 0)."),
};

export const MachineSchema = z
  .strictObject({
    name: dnsLabel.describe("Unique in the tier; with count 1 it is the Kubernetes node name."),
    count: z
      .number()
      .int()
      .gte(1)
      .default(1)
      .describe("Identical machines of this shape (default 1): <name>-0, <name>-1, ..."),
    gpus: z.number().int().gte(0).describe("GPUs per machine (integer >= 0)."),
    gpuTflops: positive().describe("TFLOPS of one GPU (> 0)."),
    gpuSlices: z
      .number()
      .int()
      .gte(1)
      .default(1)
      .describe("Time-slices per GPU (integer >= 1, default 1): a GPU unit is gpuTflops / gpuSlices."),
    storage: positive().describe("GB of local disk per machine (> 0)."),
  })
  .describe("A machine shape of an edge tier (contract §5).");

/** docs/contract.md §5: the machine ids of one shape, which are also its Kubernetes node names. */
export function machineIds(machine: { name: string; count: number }): string[] {
  if (machine.count === 1) return [machine.name];
  return Array.from({ length: machine.count }, (_, k) => `${machine.name}-${k}`);
}

/** docs/contract.md §5: a tier's default compute, the TFLOPS of all its machines' GPUs. */
export function machinesCompute(machines: ReadonlyArray<{ count: number; gpus: number; gpuTflops: number }>): number {
  return machines.reduce((sum, m) => sum + m.count * m.gpus * m.gpuTflops, 0);
}

export const TierSchema = z
  .strictObject({
    ...capacityShape,
    compute: positive()
      .optional()
      .describe("Compute capacity, TFLOPS (> 0); with machines, default sum(count * gpus * gpuTflops)."),
    kind: z.enum(TIER_KINDS).describe("cloud | edge | robot"),
    machines: z
      .array(MachineSchema)
      .min(1)
      .optional()
      .describe("Edge only: the machines the tier is made of (whole GPU units, one machine per task)."),
    packing: z
      .enum(PACKINGS)
      .optional()
      .describe("best-fit | first-fit | worst-fit | spread (default best-fit): which machine a task goes to."),
  })
  .describe("A shared environment any task may use.");

const RobotSchema = z
  .strictObject(capacityShape)
  .describe("A fleet robot: a private environment of kind robot, used only by tasks bound to it.");

const TaskSchema = z
  .strictObject({
    name: name.describe("Unique task name."),
    compute: nonNegative().describe("Compute demand, TFLOPS (>= 0)."),
    storage: nonNegative().default(0).describe("Storage demand, GB (>= 0, default 0)."),
    bandwidth: nonNegative().default(0).describe("Bandwidth demand, Mbps (>= 0, default 0)."),
    maxLatency: positive().describe("Latency SLO, ms (> 0)."),
    cost: nonNegative().default(0).describe("Fixed task cost (>= 0, default 0)."),
    priority: z.number().int().gte(1).default(1).describe("Integer >= 1, higher is more important (default 1)."),
    perRobot: z.boolean().default(false).describe("One copy per fleet robot, named <task>@<robot>, bound to it."),
    robot: name.optional().describe("Bind this task to one fleet robot (exclusive with perRobot)."),
    allowedTiers: z.array(name).optional().describe("Names or kinds of the environments this task may use."),
    pin: name.optional().describe("Operator override: place on this environment no matter what."),
    image: name.optional().describe("Container image to run (provisioning)."),
    port: z.number().int().gte(1).lte(65535).optional().describe("Port the task serves on (provisioning)."),
  })
  .describe("A workload and what it needs.");

const ObjectiveSchema = z
  .strictObject({
    preset: z.enum(["realtime", "cost", "balanced"]).default("balanced").describe("realtime | cost | balanced"),
    weights: z
      .strictObject({
        latency: nonNegative().optional().describe("Weight of latency (ms) in the score."),
        cost: nonNegative().optional().describe("Weight of cost in the score."),
      })
      .optional()
      .describe("Each overrides the preset's weight."),
    reserve: finite()
      .gte(0)
      .lte(MAX_RESERVE)
      .default(DEFAULT_RESERVE)
      .describe("Fraction of every capacity kept free, 0 <= reserve <= 0.3 (default 0.1)."),
    moveCost: nonNegative()
      .optional()
      .describe("With a lock: least score + moveCost x moves replaces fewest moves, then least score (contract §6)."),
  })
  .describe("What the optimizer minimises among plans that place the most tasks by priority.");

/** One catalog file: every section optional, so a site may combine several files. */
export const CatalogFileSchema = z
  .strictObject({
    site: dnsLabel.optional().describe("Site name, DNS-label style (required once across the files)."),
    // No defaults here: a later file's objective overrides only the fields it gives.
    objective: z
      .strictObject({
        preset: ObjectiveSchema.shape.preset.unwrap().optional(),
        weights: ObjectiveSchema.shape.weights,
        reserve: finite()
          .gte(0)
          .lte(MAX_RESERVE)
          .optional()
          .describe("Fraction of every capacity kept free, 0 <= reserve <= 0.3 (default 0.1)."),
        moveCost: ObjectiveSchema.shape.moveCost,
      })
      .optional()
      .describe("What the optimizer minimises among plans that place the most tasks by priority."),
    tiers: z.array(TierSchema).optional().describe("Shared environments (>= 1 across the files)."),
    robots: z.array(RobotSchema).optional().describe("Optional robot fleet."),
    tasks: z.array(TaskSchema).optional().describe("Workloads (>= 1 across the files)."),
  })
  .describe("tierplan planning input (contract §1)");

export type MachineSpec = z.output<typeof MachineSchema>;
/** A tier after loading: compute is always known (defaulted from its machines). */
export type TierSpec = Omit<z.output<typeof TierSchema>, "compute"> & { compute: number };
export type RobotSpec = z.output<typeof RobotSchema>;
export type TaskSpec = z.output<typeof TaskSchema>;
type CatalogFile = z.output<typeof CatalogFileSchema>;
export type CatalogFileContent = CatalogFile;

/** Validated, merged planning input with every default applied. */
export interface PlanningInput {
  site: string;
  objective: {
    preset: PresetName;
    weights: { latency: number; cost: number };
    reserve: number;
    moveCost?: number;
  };
  tiers: TierSpec[];
  robots: RobotSpec[];
  tasks: TaskSpec[];
}
