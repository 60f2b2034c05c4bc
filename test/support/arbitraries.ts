import fc from "fast-check";
import {
  PACKINGS,
  TIER_KINDS,
  type MachineSpec,
  type PlanningInput,
  type TaskSpec,
  type TierKind,
  type TierSpec,
} from "../../src/catalog/schema";

/**
 * Small random planning inputs that respect the catalog's invariants (unique names, valid
 * references): contended, with priorities, bound tasks, allowedTiers and the odd pin. Integer
 * demands and reserves like 0.1 hit the capacity boundaries on purpose, where the tolerance matters.
 */
export function smallInput(maxTasks = 6): fc.Arbitrary<PlanningInput> {
  const env = fc.record({
    compute: fc.integer({ min: 1, max: 30 }),
    storage: fc.integer({ min: 1, max: 30 }),
    bandwidth: fc.integer({ min: 1, max: 30 }),
    latency: fc.integer({ min: 0, max: 20 }),
    costPerHour: fc.integer({ min: 0, max: 10 }),
  });
  return fc
    .record({
      tiers: fc.array(fc.tuple(env, fc.constantFrom(...TIER_KINDS)), { minLength: 1, maxLength: 3 }),
      robots: fc.array(env, { minLength: 0, maxLength: 2 }),
      reserve: fc.constantFrom(0, 0.1, 0.2, 0.3),
      weights: fc.record({ latency: fc.constantFrom(0, 0.5, 1, 2), cost: fc.constantFrom(0, 0.5, 1, 2) }),
      tasks: fc.array(
        fc.record({
          compute: fc.integer({ min: 0, max: 20 }),
          storage: fc.integer({ min: 0, max: 20 }),
          bandwidth: fc.integer({ min: 0, max: 20 }),
          maxLatency: fc.constantFrom(1, 5, 12, 25, 100, 1000),
          cost: fc.integer({ min: 0, max: 5 }),
          priority: fc.integer({ min: 1, max: 3 }),
          robotPick: fc.integer({ min: -2, max: 1 }),
          allowedPick: fc.integer({ min: -4, max: 3 }),
          pinPick: fc.integer({ min: -12, max: 4 }),
        }),
        { minLength: 1, maxLength: maxTasks },
      ),
    })
    .map(({ tiers, robots, reserve, weights, tasks }) => {
      const tierSpecs = tiers.map(([e, kind], i) => ({ name: `t${i}`, kind, ...e }));
      const robotSpecs = robots.map((e, i) => ({ name: `r${i}`, ...e }));
      const envNames = [...tierSpecs.map((t) => t.name), ...robotSpecs.map((r) => r.name)];
      const taskSpecs: TaskSpec[] = tasks.map((t, i) => {
        const robot =
          t.robotPick >= 0 && robotSpecs.length > 0 ? robotSpecs[t.robotPick % robotSpecs.length].name : undefined;
        const allowed =
          t.allowedPick >= 0 ? [envNames[t.allowedPick % envNames.length], TIER_KINDS[t.allowedPick % 3]] : undefined;
        const pin = t.pinPick >= 0 ? envNames[t.pinPick % envNames.length] : undefined;
        return {
          name: `task${i}`,
          compute: t.compute,
          storage: t.storage,
          bandwidth: t.bandwidth,
          maxLatency: t.maxLatency,
          cost: t.cost,
          priority: t.priority,
          perRobot: false,
          ...(robot !== undefined && { robot }),
          ...(allowed !== undefined && { allowedTiers: allowed }),
          ...(pin !== undefined && { pin }),
        };
      });
      return {
        site: "prop",
        objective: { preset: "balanced" as const, weights, reserve },
        tiers: tierSpecs,
        robots: robotSpecs,
        tasks: taskSpecs,
      };
    });
}

export interface MachineInputOptions {
  maxTasks?: number;
  /** Let pins target tiers with machines (the contract leaves a pin's machine to the planner). */
  pinsOnMachines?: boolean;
  /** Most robots of the fleet. */
  maxRobots?: number;
  /**
   * Sites where the machines decide: tiers mostly edge with machines, tier capacities that rarely
   * bind first, loose latency SLOs (random sites only bind on their machines about one time in ten).
   */
  dense?: boolean;
}

/**
 * Small random inputs with machines (docs/contract.md §5): 1-3 tiers, edge tiers often made of up to 3
 * machines (shapes with count > 1, gpuSlices > 1 including thirds of a GPU, machines with 0 GPUs,
 * small disks), zero-compute and fractional-compute tasks, and tier capacities that sometimes bind
 * before the machines do. Small enough for the brute force to try every machine of every task.
 */
export function machineInput(options: MachineInputOptions = {}): fc.Arbitrary<PlanningInput> {
  const { maxTasks = 6, pinsOnMachines = false, maxRobots = 1, dense = false } = options;
  const env = fc.record({
    compute: fc.integer({ min: 1, max: 60 }),
    storage: fc.integer({ min: 1, max: 40 }),
    bandwidth: fc.integer({ min: 1, max: 40 }),
    latency: fc.integer({ min: 0, max: 20 }),
    costPerHour: fc.integer({ min: 0, max: 10 }),
  });
  const shape = fc.record({
    count: fc.constantFrom(1, 1, 2, 3),
    gpus: fc.constantFrom(0, 1, 1, 2, 2, 4),
    gpuTflops: fc.constantFrom(4, 5, 8, 10, 10, 16),
    gpuSlices: fc.constantFrom(1, 1, 2, 3, 4),
    storage: fc.integer({ min: 1, max: 30 }),
  });
  const tier = fc.record({
    env,
    kind: dense
      ? fc.constantFrom<TierKind>("edge", "edge", "edge", "cloud")
      : fc.constantFrom<TierKind>(...TIER_KINDS, "edge"),
    shapes: dense
      ? fc.array(shape, { minLength: 1, maxLength: 2 })
      : fc.option(fc.array(shape, { minLength: 1, maxLength: 2 }), { freq: 3 }),
    derivedCompute: fc.boolean(),
    packing: fc.option(fc.constantFrom(...PACKINGS)),
  });
  return fc
    .record({
      tiers: fc.array(tier, { minLength: 1, maxLength: 3 }),
      robots: fc.array(env, { minLength: 0, maxLength: maxRobots }),
      reserve: fc.constantFrom(0, 0.1, 0.2),
      weights: fc.record({ latency: fc.constantFrom(0, 0.5, 1, 2), cost: fc.constantFrom(0, 0.5, 1, 2) }),
      tasks: fc.array(
        fc.record({
          compute: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 24 }), fc.constantFrom(2.5, 3.3, 10 / 3, 12.5)),
          storage: fc.integer({ min: 0, max: 16 }),
          bandwidth: fc.integer({ min: 0, max: 16 }),
          maxLatency: dense ? fc.constantFrom(25, 100, 1000) : fc.constantFrom(5, 12, 25, 100, 1000),
          cost: fc.integer({ min: 0, max: 5 }),
          priority: fc.integer({ min: 1, max: 3 }),
          robotPick: fc.integer({ min: -2, max: 0 }),
          allowedPick: fc.integer({ min: -5, max: 3 }),
          pinPick: fc.integer({ min: -14, max: 4 }),
        }),
        { minLength: 1, maxLength: maxTasks },
      ),
    })
    .map(({ tiers, robots, reserve, weights, tasks }) => {
      const tierSpecs: TierSpec[] = tiers.map(({ env: e, kind, shapes, derivedCompute, packing }, i) => {
        if (kind !== "edge" || !shapes) return { name: `t${i}`, kind, ...e };
        // At most 3 machines per tier, so that the brute force stays small.
        let room = 3;
        const machines: MachineSpec[] = [];
        shapes.forEach((s, k) => {
          const count = Math.min(s.count, room);
          if (count <= 0) return;
          room -= count;
          machines.push({ name: `m${i}${String.fromCharCode(97 + k)}`, ...s, count });
        });
        const total = machines.reduce((sum, m) => sum + m.count * m.gpus * m.gpuTflops, 0);
        const compute = derivedCompute && total > 0 ? total : dense ? e.compute * 3 : e.compute;
        return { name: `t${i}`, kind, ...e, compute, machines, ...(packing !== null && { packing }) };
      });
      const robotSpecs = robots.map((e, i) => ({ name: `r${i}`, ...e }));
      const envNames = [...tierSpecs.map((t) => t.name), ...robotSpecs.map((r) => r.name)];
      const pinTargets = envNames.filter((n) => pinsOnMachines || !tierSpecs.some((t) => t.name === n && t.machines));
      const taskSpecs: TaskSpec[] = tasks.map((t, i) => {
        const robot =
          t.robotPick >= 0 && robotSpecs.length > 0 ? robotSpecs[t.robotPick % robotSpecs.length].name : undefined;
        const allowed =
          t.allowedPick >= 0 ? [envNames[t.allowedPick % envNames.length], TIER_KINDS[t.allowedPick % 3]] : undefined;
        const pin = t.pinPick >= 0 && pinTargets.length > 0 ? pinTargets[t.pinPick % pinTargets.length] : undefined;
        return {
          name: `task${i}`,
          compute: t.compute,
          storage: t.storage,
          bandwidth: t.bandwidth,
          maxLatency: t.maxLatency,
          cost: t.cost,
          priority: t.priority,
          perRobot: false,
          ...(robot !== undefined && { robot }),
          ...(allowed !== undefined && { allowedTiers: allowed }),
          ...(pin !== undefined && { pin }),
        };
      });
      return {
        site: "prop",
        objective: { preset: "balanced" as const, weights, reserve },
        tiers: tierSpecs,
        robots: robotSpecs,
        tasks: taskSpecs,
      };
    });
}

/** A lock drawn for an input (docs/contract.md §6): some tasks locked anywhere, vanished tiers, machines and tasks included. */
export function lockFor(
  input: PlanningInput,
): fc.Arbitrary<{ placements: Array<{ task: string; tier: string; machine?: string }> }> {
  const envs = [
    ...input.tiers.map((t) => ({ name: t.name, machines: t.machines })),
    ...input.robots.map((r) => ({ name: r.name, machines: undefined })),
  ];
  const machineIds = (specs: MachineSpec[] | undefined) =>
    (specs ?? []).flatMap((m) =>
      m.count === 1 ? [m.name] : Array.from({ length: m.count }, (_, k) => `${m.name}-${k}`),
    );
  const entry = fc.record({
    pick: fc.integer({ min: -2, max: envs.length }),
    machinePick: fc.integer({ min: -2, max: 3 }),
  });
  return fc
    .record({
      entries: fc.array(entry, { minLength: input.tasks.length, maxLength: input.tasks.length }),
      ghosts: fc.array(fc.integer({ min: 0, max: envs.length - 1 }), { maxLength: 2 }),
    })
    .map(({ entries, ghosts }) => {
      const placements: Array<{ task: string; tier: string; machine?: string }> = [];
      input.tasks.forEach((task, i) => {
        const { pick, machinePick } = entries[i];
        if (pick < 0) return;
        if (pick === envs.length) {
          placements.push({ task: task.name, tier: "gone-tier" });
          return;
        }
        const env = envs[pick];
        const ids = machineIds(env.machines);
        if (machinePick === -2) placements.push({ task: task.name, tier: env.name, machine: "gone-machine" });
        else if (machinePick === -1 || ids.length === 0) placements.push({ task: task.name, tier: env.name });
        else placements.push({ task: task.name, tier: env.name, machine: ids[machinePick % ids.length] });
      });
      ghosts.forEach((g, k) => placements.push({ task: `ghost${k}`, tier: envs[g].name }));
      return { placements };
    });
}
