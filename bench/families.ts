import { pick, random, round } from "./instances";

/**
 * Benchmark families (issue 13.1): seeded, deterministic generators of sites of several shapes,
 * each in three sizes. They write the planning input of contract §1 (and §5 for machines) as
 * plain JSON, which the runner validates through the catalog loader like any user's file, so a
 * generator cannot hand the planner an input a user could not write.
 */

export type Size = "small" | "medium" | "fleet";
export const SIZES: readonly Size[] = ["small", "medium", "fleet"];

export interface RawMachine {
  name: string;
  count: number;
  gpus: number;
  gpuTflops: number;
  gpuSlices: number;
  storage: number;
}
export interface RawTier {
  name: string;
  kind: "cloud" | "edge";
  compute?: number;
  storage: number;
  bandwidth: number;
  latency: number;
  costPerHour: number;
  machines?: RawMachine[];
  packing?: string;
}
export interface RawRobot {
  name: string;
  compute: number;
  storage: number;
  bandwidth: number;
  latency: number;
  costPerHour: number;
}
export interface RawTask {
  name: string;
  compute: number;
  storage: number;
  bandwidth: number;
  maxLatency: number;
  cost: number;
  priority: number;
  perRobot?: boolean;
  robot?: string;
  allowedTiers?: string[];
  pin?: string;
}
export interface RawInput {
  site: string;
  objective: { preset: "realtime" | "cost" | "balanced"; reserve: number };
  tiers: RawTier[];
  robots: RawRobot[];
  tasks: RawTask[];
}

export interface FamilyInstance {
  family: string;
  size: Size;
  name: string;
  description: string;
  input: RawInput;
}

export interface Family {
  name: string;
  /** What the family stresses, for the report. */
  description: string;
  /** The catalog feature it needs beyond contract §1, if any: rows are skipped while the loader lacks it. */
  requires?: "machines";
  make(size: Size): FamilyInstance;
}

type Range = readonly [number, number];
interface TaskTemplate {
  name: string;
  compute: Range;
  storage: Range;
  bandwidth: Range;
  maxLatency: Range;
  cost: Range;
  priority: number;
  allowedTiers?: string[];
}

/**
 * Ten per-robot tasks of a mobile manipulator (issue 13's shape): the two control loops fit any
 * robot; perception and the VLA policy are heavy, so on the smaller robots they must spill to an
 * edge tier near enough for their latency SLO; the rest can go anywhere their SLO allows.
 */
const ROBOT_TASKS: readonly TaskTemplate[] = [
  {
    name: "action",
    compute: [0.5, 1.5],
    storage: [0.5, 2],
    bandwidth: [2, 6],
    maxLatency: [5, 8],
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
    compute: [4, 7],
    storage: [2, 8],
    bandwidth: [5, 20],
    maxLatency: [18, 26],
    cost: [0.2, 1],
    priority: 2,
  },
  {
    name: "vla-infer",
    compute: [9, 13],
    storage: [8, 20],
    bandwidth: [10, 40],
    maxLatency: [28, 40],
    cost: [0.5, 2],
    priority: 2,
  },
  {
    name: "slam",
    compute: [2, 4],
    storage: [4, 12],
    bandwidth: [4, 12],
    maxLatency: [20, 40],
    cost: [0.1, 0.5],
    priority: 2,
  },
  {
    name: "planning",
    compute: [2, 5],
    storage: [1, 4],
    bandwidth: [2, 8],
    maxLatency: [60, 120],
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
    compute: [2, 6],
    storage: [2, 10],
    bandwidth: [3, 10],
    maxLatency: [100, 400],
    cost: [0.1, 0.8],
    priority: 1,
  },
];

/** Site-level work (seed 001 §4.2.3): training, fine-tuning, fleet inference services, analytics. */
const SITE_TASKS: ReadonlyArray<TaskTemplate & { priorities: Range }> = [
  {
    name: "training",
    compute: [150, 400],
    storage: [500, 4000],
    bandwidth: [20, 120],
    maxLatency: [5000, 20000],
    cost: [20, 60],
    priority: 1,
    priorities: [1, 2],
  },
  {
    name: "fine-tune",
    compute: [40, 120],
    storage: [100, 800],
    bandwidth: [10, 60],
    maxLatency: [1000, 5000],
    cost: [5, 20],
    priority: 1,
    priorities: [1, 2],
  },
  {
    name: "inference",
    compute: [5, 25],
    storage: [5, 40],
    bandwidth: [20, 80],
    maxLatency: [30, 120],
    cost: [0.5, 3],
    priority: 2,
    priorities: [2, 3],
  },
  {
    name: "analytics",
    compute: [10, 60],
    storage: [200, 2000],
    bandwidth: [10, 50],
    maxLatency: [500, 3000],
    cost: [1, 8],
    priority: 1,
    priorities: [1, 1],
  },
];

function task(template: TaskTemplate, name: string, rand: () => number, priority = template.priority): RawTask {
  return {
    name,
    compute: pick(template.compute, rand),
    storage: pick(template.storage, rand),
    bandwidth: pick(template.bandwidth, rand),
    maxLatency: pick(template.maxLatency, rand),
    cost: pick(template.cost, rand),
    priority,
    ...(template.allowedTiers && { allowedTiers: template.allowedTiers }),
  };
}

function robotTasks(rand: () => number, templates: readonly TaskTemplate[] = ROBOT_TASKS): RawTask[] {
  return templates.map((t) => ({ ...task(t, t.name, rand), perRobot: true }));
}

function siteTasks(count: number, rand: () => number, priorityOf?: (kind: number) => number): RawTask[] {
  return Array.from({ length: count }, (_, i) => {
    const k = Math.floor(rand() * SITE_TASKS.length);
    const kind = SITE_TASKS[k];
    const p = priorityOf
      ? priorityOf(k)
      : kind.priorities[0] + Math.floor(rand() * (kind.priorities[1] - kind.priorities[0] + 1));
    return task(kind, `${kind.name}-${i + 1}`, rand, p);
  });
}

/** Robots of mixed sizes: compute from `compute[0]` to `compute[1]` TFLOPS. */
function robots(count: number, rand: () => number, compute: Range = [8, 20]): RawRobot[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `amr-${String(i + 1).padStart(4, "0")}`,
    compute: round(compute[0] + rand() * (compute[1] - compute[0])),
    storage: round(64 + rand() * 64),
    bandwidth: round(80 + rand() * 80),
    latency: round(0.5 + rand()),
    costPerHour: round(0.5 + rand()),
  }));
}

/**
 * Shared tiers with given totals: `clouds` far and roomy-ish, `edges` near and small. Each tier
 * gets a random share of its kind's total compute, storage and bandwidth.
 */
function tiers(
  rand: () => number,
  clouds: number,
  edges: number,
  cloudTotal: { compute: number; storage: number; bandwidth: number },
  edgeTotal: { compute: number; storage: number; bandwidth: number },
): RawTier[] {
  const out: RawTier[] = [];
  const share = (total: number, count: number) => round((total / count) * (0.6 + rand() * 0.8));
  for (let i = 0; i < clouds; i++) {
    out.push({
      name: `cloud-${i + 1}`,
      kind: "cloud",
      compute: share(cloudTotal.compute, clouds),
      storage: share(cloudTotal.storage, clouds),
      bandwidth: share(cloudTotal.bandwidth, clouds),
      latency: round(35 + rand() * 30),
      costPerHour: round(8 + rand() * 6),
    });
  }
  for (let i = 0; i < edges; i++) {
    out.push({
      name: `edge-${i + 1}`,
      kind: "edge",
      compute: share(edgeTotal.compute, edges),
      storage: share(edgeTotal.storage, edges),
      bandwidth: share(edgeTotal.bandwidth, edges),
      latency: round(3 + rand() * 9),
      costPerHour: round(3 + rand() * 4),
    });
  }
  return out;
}

const ROBOTS: Record<Size, number> = { small: 20, medium: 100, fleet: 1000 };

function instance(family: string, size: Size, description: string, input: Omit<RawInput, "site">): FamilyInstance {
  const name = `${family}-${size}`;
  return { family, size, name, description, input: { site: name, ...input } };
}

/** Per robot of a fleet, the shared capacity per kind: scaled so totals grow with the fleet. */
function perRobot(n: number, c: { compute: number; storage: number; bandwidth: number }) {
  return { compute: c.compute * n, storage: c.storage * n, bandwidth: c.bandwidth * n };
}

const SEEDS: Record<Size, number> = { small: 101, medium: 202, fleet: 303 };

export const FAMILIES: Family[] = [
  {
    name: "spill",
    description:
      "issue 13's shape: robots of 8-20 TFLOPS, ten per-robot tasks whose heavier ones spill to shared edge tiers within their SLOs, 100 site tasks, preset realtime",
    make(size) {
      const rand = random(SEEDS[size] + 1);
      const n = ROBOTS[size];
      return instance("spill", size, `${n} robots × 10 per-robot tasks + 100 site tasks, 2 cloud + 6 edge tiers`, {
        objective: { preset: "realtime", reserve: 0.1 },
        robots: robots(n, rand),
        tiers: tiers(
          rand,
          2,
          6,
          perRobot(Math.max(n, 40), { compute: 6, storage: 200, bandwidth: 30 }),
          perRobot(n, { compute: 9, storage: 40, bandwidth: 60 }),
        ),
        tasks: [...robotTasks(rand), ...siteTasks(100, rand)],
      });
    },
  },
  {
    name: "site-heavy",
    description: "mostly site tasks over many shared tiers, few robots; compute demand about 1.1× usable capacity",
    make(size) {
      const rand = random(SEEDS[size] + 2);
      const shape = {
        small: { robots: 0, site: 150, clouds: 2, edges: 6 },
        medium: { robots: 10, site: 1500, clouds: 4, edges: 12 },
        fleet: { robots: 100, site: 9000, clouds: 5, edges: 15 },
      }[size];
      const site = siteTasks(shape.site, rand);
      const demand = site.reduce((s, t) => s + t.compute, 0);
      // Usable compute (90 %) is demand / 1.1: three quarters of it in the clouds.
      const total = demand / 1.1 / 0.9;
      const storage = site.reduce((s, t) => s + t.storage, 0) / 0.9;
      const bandwidth = site.reduce((s, t) => s + t.bandwidth, 0) / 0.9;
      return instance(
        "site-heavy",
        size,
        `${shape.site} site tasks + ${shape.robots} robots on ${shape.clouds + shape.edges} shared tiers`,
        {
          objective: { preset: "balanced", reserve: 0.1 },
          robots: robots(shape.robots, rand),
          tiers: tiers(
            rand,
            shape.clouds,
            shape.edges,
            { compute: total * 0.75, storage: storage * 0.8, bandwidth: bandwidth * 0.7 },
            { compute: total * 0.25 + 10 * shape.robots, storage: storage * 0.4, bandwidth: bandwidth * 0.5 },
          ),
          tasks: [...(shape.robots > 0 ? robotTasks(rand) : []), ...site],
        },
      );
    },
  },
  {
    name: "tight",
    description:
      "tight shared tiers: small robots (4-10 TFLOPS), shared compute, storage and bandwidth all short, so every dimension binds",
    make(size) {
      const rand = random(SEEDS[size] + 3);
      const n = ROBOTS[size];
      return instance(
        "tight",
        size,
        `${n} small robots × 10 per-robot tasks + ${n / 10} site tasks, 2 cloud + 4 edge tiers, every dimension short`,
        {
          objective: { preset: "balanced", reserve: 0.1 },
          robots: robots(n, rand, [4, 10]),
          tiers: tiers(
            rand,
            2,
            4,
            perRobot(n, { compute: 4, storage: 25, bandwidth: 12 }),
            perRobot(n, { compute: 6, storage: 12, bandwidth: 25 }),
          ),
          tasks: [...robotTasks(rand), ...siteTasks(n / 10, rand)],
        },
      );
    },
  },
  {
    name: "allowed",
    description:
      "many allowedTiers restrictions: per-robot tasks limited to named edge tiers or kinds, 70 % of site tasks to 1-3 named tiers or one kind",
    make(size) {
      const rand = random(SEEDS[size] + 4);
      const n = ROBOTS[size];
      const limited: TaskTemplate[] = ROBOT_TASKS.map((t) => {
        const rule: Record<string, string[]> = {
          perception: ["robot", "edge-1", "edge-2"],
          "vla-infer": ["robot", "edge"],
          slam: ["robot", "edge-3"],
          planning: ["edge", "cloud-1"],
          "data-logger": ["cloud", "robot"],
          anomaly: ["cloud"],
        };
        return rule[t.name] ? { ...t, allowedTiers: rule[t.name] } : t;
      });
      const tierList = tiers(
        rand,
        2,
        6,
        perRobot(Math.max(n, 40), { compute: 6, storage: 200, bandwidth: 30 }),
        perRobot(n, { compute: 10, storage: 40, bandwidth: 60 }),
      );
      const names = tierList.map((t) => t.name);
      const site = siteTasks(Math.max(50, n / 2), rand).map((t) => {
        const r = rand();
        if (r < 0.4) {
          const k = 1 + Math.floor(rand() * 3);
          const chosen = new Set<string>();
          while (chosen.size < k) chosen.add(names[Math.floor(rand() * names.length)]);
          return { ...t, allowedTiers: [...chosen].sort() };
        }
        if (r < 0.7) return { ...t, allowedTiers: [rand() < 0.5 ? "cloud" : "edge"] };
        return t;
      });
      return instance(
        "allowed",
        size,
        `${n} robots × 10 per-robot tasks (6 restricted) + ${site.length} site tasks (70 % restricted), 8 shared tiers`,
        {
          objective: { preset: "balanced", reserve: 0.1 },
          robots: robots(n, rand),
          tiers: tierList,
          tasks: [...robotTasks(rand, limited), ...site],
        },
      );
    },
  },
  {
    name: "pins",
    description:
      "pins: 15 % of site tasks pinned to shared tiers (a few against their SLO or allowedTiers), robot-bound tasks pinned to their robot, eating the capacity the rest competes for",
    make(size) {
      const rand = random(SEEDS[size] + 5);
      const n = ROBOTS[size];
      const tierList = tiers(
        rand,
        2,
        6,
        perRobot(Math.max(n, 40), { compute: 6, storage: 200, bandwidth: 30 }),
        perRobot(n, { compute: 9, storage: 40, bandwidth: 60 }),
      );
      const robotList = robots(n, rand);
      const site = siteTasks(Math.max(60, n / 2), rand).map((t) => {
        if (rand() >= 0.15) return t;
        const tier = tierList[Math.floor(rand() * tierList.length)];
        return {
          ...t,
          pin: tier.name,
          ...(rand() < 0.1 && { allowedTiers: [tier.kind === "cloud" ? "edge" : "cloud"] }),
        };
      });
      // A robot-bound diagnostic on every tenth robot, pinned there.
      const bound: RawTask[] = robotList
        .filter((_, i) => i % 10 === 0)
        .map((r) => ({ ...task(ROBOT_TASKS[9], `diagnostic-${r.name}`, rand), robot: r.name, pin: r.name }));
      return instance(
        "pins",
        size,
        `${n} robots × 10 per-robot tasks + ${site.length} site tasks (15 % pinned) + ${bound.length} pinned robot diagnostics`,
        {
          objective: { preset: "balanced", reserve: 0.1 },
          robots: robotList,
          tiers: tierList,
          tasks: [...robotTasks(rand), ...site, ...bound],
        },
      );
    },
  },
  {
    name: "skewed",
    description: "skewed priorities: five levels, few heavy tasks at the top and most at the bottom, preset cost",
    make(size) {
      const rand = random(SEEDS[size] + 6);
      const n = ROBOTS[size];
      const levels: Record<string, number> = {
        action: 5,
        safety: 5,
        perception: 4,
        "vla-infer": 3,
        slam: 4,
        planning: 2,
        speech: 1,
        telemetry: 1,
        "data-logger": 1,
        anomaly: 2,
      };
      const templates = ROBOT_TASKS.map((t) => ({ ...t, priority: levels[t.name] }));
      // Site work: training and fine-tuning at the top, inference in the middle, analytics at the bottom.
      const site = siteTasks(Math.max(60, n / 4), rand, (k) => {
        const r = rand();
        return k <= 1 ? (r < 0.5 ? 5 : 4) : k === 2 ? (r < 0.3 ? 3 : 2) : r < 0.8 ? 1 : 2;
      });
      return instance(
        "skewed",
        size,
        `${n} robots × 10 per-robot tasks + ${site.length} site tasks, priorities 1-5 skewed`,
        {
          objective: { preset: "cost", reserve: 0.1 },
          robots: robots(n, rand),
          tiers: tiers(
            rand,
            2,
            6,
            perRobot(Math.max(n, 60), { compute: 7, storage: 200, bandwidth: 30 }),
            perRobot(n, { compute: 8, storage: 40, bandwidth: 60 }),
          ),
          tasks: [...robotTasks(rand, templates), ...site],
        },
      );
    },
  },
  {
    name: "mid",
    description:
      "contended mid-size sites (issue 12.3): site tasks only, 100 to 5,000 placement variables, compute demand 1.3× usable capacity",
    make(size) {
      const rand = random(SEEDS[size] + 7);
      const shape = {
        small: { tasks: 60, clouds: 2, edges: 4 },
        medium: { tasks: 300, clouds: 3, edges: 7 },
        fleet: { tasks: 450, clouds: 3, edges: 8 },
      }[size];
      const site = siteTasks(shape.tasks, rand);
      const demand = site.reduce((s, t) => s + t.compute, 0);
      const total = demand / 1.3 / 0.9;
      const storage = site.reduce((s, t) => s + t.storage, 0) / 0.9;
      const bandwidth = site.reduce((s, t) => s + t.bandwidth, 0) / 0.9;
      return instance(
        "mid",
        size,
        `${shape.tasks} site tasks × ${shape.clouds + shape.edges} shared tiers, compute demand 1.3× usable`,
        {
          objective: { preset: "balanced", reserve: 0.1 },
          robots: [],
          tiers: tiers(
            rand,
            shape.clouds,
            shape.edges,
            { compute: total * 0.7, storage: storage * 0.9, bandwidth: bandwidth * 0.8 },
            { compute: total * 0.3, storage: storage * 0.4, bandwidth: bandwidth * 0.5 },
          ),
          tasks: site,
        },
      );
    },
  },
  {
    name: "machines",
    requires: "machines",
    description:
      "edge tiers made of machines (contract §5), mixed 1/2/4/8-GPU shapes, some time-sliced; small is issue 8's 200-task × 3-tier × 16-machine site, fleet has 4 edge tiers of 8 machines",
    make(size) {
      const rand = random(SEEDS[size] + 8);
      if (size === "small") {
        const site = siteTasks(200, rand).map((t) =>
          t.name.startsWith("training") ? { ...t, compute: round(t.compute / 4) } : t,
        );
        const edges: RawTier[] = [0, 1].map((i) => ({
          name: `edge-${i + 1}`,
          kind: "edge",
          storage: 8000,
          bandwidth: 3000,
          latency: round(3 + rand() * 9),
          costPerHour: round(3 + rand() * 4),
          machines: machineShapes(`e${i + 1}`, 8, 40, rand),
          packing: i === 0 ? "best-fit" : "spread",
        }));
        return instance(
          "machines",
          size,
          "200 site tasks × 3 tiers (cloud + 2 edge tiers of 8 machines: 16 machines)",
          {
            objective: { preset: "balanced", reserve: 0.1 },
            robots: [],
            tiers: [
              {
                name: "cloud-1",
                kind: "cloud",
                compute: 2500,
                storage: 60000,
                bandwidth: 6000,
                latency: 45,
                costPerHour: 10,
              },
              ...edges,
            ],
            tasks: site,
          },
        );
      }
      const n = ROBOTS[size];
      // Edge GPUs sized so the fleet's spill-over about fills them: 4 tiers × 8 machines.
      const gpuTflops = round((n * 9) / (4 * 8 * 3.75));
      const edges: RawTier[] = [0, 1, 2, 3].map((i) => ({
        name: `edge-${i + 1}`,
        kind: "edge",
        storage: round(n * 12),
        bandwidth: round(n * 18),
        latency: round(3 + rand() * 9),
        costPerHour: round(3 + rand() * 4),
        machines: machineShapes(`e${i + 1}`, 8, gpuTflops, rand),
        packing: (["best-fit", "first-fit", "worst-fit", "spread"] as const)[i],
      }));
      return instance(
        "machines",
        size,
        `${n} robots × 10 per-robot tasks + 100 site tasks; 2 cloud tiers + 4 edge tiers of 8 machines (1/2/4/8 GPUs)`,
        {
          objective: { preset: "realtime", reserve: 0.1 },
          robots: robots(n, rand),
          tiers: [
            ...tiers(rand, 2, 0, perRobot(Math.max(n, 40), { compute: 6, storage: 200, bandwidth: 30 }), {
              compute: 1,
              storage: 1,
              bandwidth: 1,
            }),
            ...edges,
          ],
          tasks: [...robotTasks(rand), ...siteTasks(100, rand)],
        },
      );
    },
  },
];

/**
 * `count` machines of mixed shapes (names starting with `prefix`): 1, 2, 4 and 8 GPUs in turn, about `gpuTflops` each;
 * every fourth shape time-sliced in 4 (its unit a quarter GPU), the rest whole GPUs.
 */
function machineShapes(prefix: string, count: number, gpuTflops: number, rand: () => number): RawMachine[] {
  const gpus = [1, 2, 4, 8];
  const shapes: RawMachine[] = [];
  for (let i = 0; i < count; i += 2) {
    const g = gpus[(i / 2) % gpus.length];
    // Machine ids are node names: unique across the site's tiers, hence the tier prefix.
    shapes.push({
      name: `${prefix}-gpu${g}x-${i / 2 + 1}`,
      count: 2,
      gpus: g,
      gpuTflops: round(gpuTflops * (0.8 + rand() * 0.4)),
      gpuSlices: (i / 2) % 4 === 3 ? 4 : 1,
      storage: round(250 * g * (0.8 + rand() * 0.4)),
    });
  }
  return shapes;
}

export function familyInstances(
  filter: (family: Family, size: Size) => boolean,
): Array<{ family: Family; instance: () => FamilyInstance }> {
  return FAMILIES.flatMap((family) =>
    SIZES.filter((size) => filter(family, size)).map((size) => ({ family, instance: () => family.make(size) })),
  );
}
