import type { PlanningInput, RobotSpec, TaskSpec, TierSpec } from "../src/catalog/schema";

/** A small deterministic PRNG (mulberry32): the same instance on every machine. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

export interface BenchInstance {
  name: string;
  description: string;
  input: PlanningInput;
}

/**
 * Task archetypes of the seed's cases (001 §4.2.3, §6.3): training in the cloud, inference at the
 * edge, action on the robot, and the perception, mapping and data work around them.
 */
const SITE_TASKS = [
  {
    kind: "training",
    compute: [150, 400],
    storage: [500, 4000],
    bandwidth: [20, 120],
    maxLatency: [5000, 20000],
    cost: [20, 60],
    priority: [1, 2],
  },
  {
    kind: "fine-tune",
    compute: [40, 120],
    storage: [100, 800],
    bandwidth: [10, 60],
    maxLatency: [1000, 5000],
    cost: [5, 20],
    priority: [1, 2],
  },
  {
    kind: "inference",
    compute: [5, 25],
    storage: [5, 40],
    bandwidth: [20, 80],
    maxLatency: [30, 120],
    cost: [0.5, 3],
    priority: [2, 3],
  },
  {
    kind: "analytics",
    compute: [10, 60],
    storage: [200, 2000],
    bandwidth: [10, 50],
    maxLatency: [500, 3000],
    cost: [1, 8],
    priority: [1, 1],
  },
] as const;

const ROBOT_TASKS = [
  {
    name: "action",
    compute: [0.5, 1.5],
    storage: [0.5, 2],
    bandwidth: [2, 6],
    maxLatency: [4, 8],
    cost: [0, 0.2],
    priority: 3,
  },
  {
    name: "safety",
    compute: [0.2, 0.8],
    storage: [0.2, 1],
    bandwidth: [1, 3],
    maxLatency: [3, 6],
    cost: [0, 0.1],
    priority: 3,
  },
  {
    name: "perception",
    compute: [2, 6],
    storage: [2, 8],
    bandwidth: [5, 20],
    maxLatency: [15, 40],
    cost: [0.2, 1],
    priority: 2,
  },
  {
    name: "vla-infer",
    compute: [6, 18],
    storage: [8, 20],
    bandwidth: [10, 40],
    maxLatency: [25, 80],
    cost: [0.5, 2],
    priority: 2,
  },
  {
    name: "slam",
    compute: [1, 4],
    storage: [4, 12],
    bandwidth: [4, 12],
    maxLatency: [20, 60],
    cost: [0.1, 0.5],
    priority: 2,
  },
  {
    name: "planning",
    compute: [1, 5],
    storage: [1, 4],
    bandwidth: [2, 8],
    maxLatency: [40, 120],
    cost: [0.1, 0.6],
    priority: 2,
  },
  {
    name: "speech",
    compute: [1, 4],
    storage: [1, 6],
    bandwidth: [2, 8],
    maxLatency: [80, 200],
    cost: [0.1, 0.5],
    priority: 1,
  },
  {
    name: "telemetry",
    compute: [0.1, 0.5],
    storage: [2, 10],
    bandwidth: [5, 15],
    maxLatency: [500, 2000],
    cost: [0, 0.1],
    priority: 1,
  },
  {
    name: "data-logger",
    compute: [0.2, 1],
    storage: [20, 60],
    bandwidth: [10, 30],
    maxLatency: [1000, 5000],
    cost: [0.1, 0.3],
    priority: 1,
  },
  {
    name: "anomaly",
    compute: [1, 6],
    storage: [2, 10],
    bandwidth: [3, 10],
    maxLatency: [100, 400],
    cost: [0.1, 0.8],
    priority: 1,
  },
] as const;

export function sharedTiers(count: number, rand: () => number, scale: number): TierSpec[] {
  const tiers: TierSpec[] = [];
  const clouds = Math.max(1, Math.round(count / 4));
  for (let i = 0; i < count; i++) {
    if (i < clouds) {
      tiers.push({
        name: `cloud-${i + 1}`,
        kind: "cloud",
        compute: round(1000 * scale * (0.7 + rand() * 0.6)),
        storage: round(20000 * scale),
        bandwidth: round(2000 * scale * (0.6 + rand() * 0.8)),
        latency: round(35 + rand() * 30),
        costPerHour: round(8 + rand() * 6),
      });
    } else {
      tiers.push({
        name: `edge-${i - clouds + 1}`,
        kind: "edge",
        compute: round(120 * scale * (0.6 + rand() * 0.8)),
        storage: round(2000 * scale),
        bandwidth: round(1000 * scale * (0.6 + rand() * 0.8)),
        latency: round(3 + rand() * 9),
        costPerHour: round(3 + rand() * 4),
      });
    }
  }
  return tiers;
}

export const pick = (range: readonly [number, number], rand: () => number) =>
  round(range[0] + rand() * (range[1] - range[0]), 2);

export function siteTasks(count: number, rand: () => number): TaskSpec[] {
  return Array.from({ length: count }, (_, i) => {
    const kind = SITE_TASKS[Math.floor(rand() * SITE_TASKS.length)];
    return {
      name: `${kind.kind}-${i + 1}`,
      compute: pick(kind.compute, rand),
      storage: pick(kind.storage, rand),
      bandwidth: pick(kind.bandwidth, rand),
      maxLatency: pick(kind.maxLatency, rand),
      cost: pick(kind.cost, rand),
      priority: kind.priority[0] + Math.floor(rand() * (kind.priority[1] - kind.priority[0] + 1)),
      perRobot: false,
    };
  });
}

/** Shared tiers only, `tasks` site tasks: the shape of "500 tasks × 12 environments". */
export function mixedSite(
  name: string,
  tasks: number,
  environments: number,
  seed: number,
  contention: number,
): BenchInstance {
  const rand = random(seed);
  const taskSpecs = siteTasks(tasks, rand);
  const demand = taskSpecs.reduce((s, t) => s + t.compute, 0);
  // Scale capacity so that total compute demand is `contention` × total usable compute.
  const probe = sharedTiers(environments, random(seed + 1), 1);
  const capacity = probe.reduce((s, t) => s + t.compute * 0.9, 0);
  const tiers = sharedTiers(environments, random(seed + 1), demand / contention / capacity);
  return {
    name,
    description: `${tasks} site tasks × ${environments} shared tiers, compute demand ${contention}× usable capacity`,
    input: {
      site: name,
      objective: { preset: "balanced", weights: { latency: 1, cost: 1 }, reserve: 0.1 },
      tiers,
      robots: [],
      tasks: taskSpecs,
    },
  };
}

/** The seed's multi-robot case (001 §6.3 case 2) grown: a fleet with per-robot tasks and site tasks on shared tiers. */
export function fleetSite(
  name: string,
  robots: number,
  siteTaskCount: number,
  tierCount: number,
  seed: number,
): BenchInstance {
  const rand = random(seed);
  const robotSpecs: RobotSpec[] = Array.from({ length: robots }, (_, i) => ({
    name: `amr-${String(i + 1).padStart(4, "0")}`,
    compute: round(8 + rand() * 12),
    storage: round(64 + rand() * 64),
    bandwidth: round(80 + rand() * 80),
    latency: round(0.5 + rand()),
    costPerHour: round(0.5 + rand()),
  }));
  // Edge capacity grows with the fleet but stays short of all the per-robot inference wanting it.
  const tiers = sharedTiers(tierCount, random(seed + 1), Math.max(1, robots / 40));
  const tasks: TaskSpec[] = [
    ...ROBOT_TASKS.map((t) => ({
      name: t.name,
      compute: pick(t.compute, rand),
      storage: pick(t.storage, rand),
      bandwidth: pick(t.bandwidth, rand),
      maxLatency: pick(t.maxLatency, rand),
      cost: pick(t.cost, rand),
      priority: t.priority,
      perRobot: true,
    })),
    ...siteTasks(siteTaskCount, rand),
  ];
  return {
    name,
    description: `${robots} robots × ${ROBOT_TASKS.length} per-robot tasks + ${siteTaskCount} site tasks on ${tierCount} shared tiers`,
    input: {
      site: name,
      objective: { preset: "balanced", weights: { latency: 1, cost: 1 }, reserve: 0.1 },
      tiers,
      robots: robotSpecs,
      tasks,
    },
  };
}

/** The seed's multi-robot case (001 §6.3 case 2) as written: shared cloud, ten edge nodes, ten robots. */
export function seedCollaboration(): BenchInstance {
  const edges: TierSpec[] = Array.from({ length: 10 }, (_, i) => ({
    name: `edge-${i + 1}`,
    kind: "edge",
    compute: 100,
    storage: 1000,
    bandwidth: 100,
    latency: 10,
    costPerHour: 5,
  }));
  const robots: RobotSpec[] = Array.from({ length: 10 }, (_, i) => ({
    name: `robot-${i + 1}`,
    compute: 10,
    storage: 100,
    bandwidth: 10,
    latency: 1,
    costPerHour: 1,
  }));
  return {
    name: "seed-collaboration",
    description:
      "seed 001 §6.3 case 2: shared cloud, 10 edge nodes, 10 robots, training + per-robot inference and action",
    input: {
      site: "seed-collaboration",
      objective: { preset: "balanced", weights: { latency: 1, cost: 1 }, reserve: 0 },
      tiers: [
        { name: "cloud", kind: "cloud", compute: 1000, storage: 10000, bandwidth: 1000, latency: 50, costPerHour: 10 },
        ...edges,
      ],
      robots,
      tasks: [
        {
          name: "model-training",
          compute: 500,
          storage: 5000,
          bandwidth: 100,
          maxLatency: 10000,
          cost: 50,
          priority: 1,
          perRobot: false,
        },
        {
          name: "realtime-inference",
          compute: 10,
          storage: 10,
          bandwidth: 50,
          maxLatency: 100,
          cost: 1,
          priority: 2,
          perRobot: true,
        },
        {
          name: "action-execution",
          compute: 1,
          storage: 1,
          bandwidth: 10,
          maxLatency: 10,
          cost: 0.1,
          priority: 3,
          perRobot: true,
        },
      ],
    },
  };
}
