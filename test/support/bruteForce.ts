import { blockers, DIMENSIONS, leq, score, usable, type Environment, type Problem, type Task } from "../../src/model";

/**
 * Independent oracles for the planner, written from the text of docs/contract.md (sections 2, 5 and 6):
 * they try every assignment of tasks to environments and, on tiers with machines, to machines.
 * They share nothing with the optimizer but the model's formulas (latency, cost, score, the
 * tolerant `<=` and the per-task rules of section 2); the unit arithmetic and the machine
 * packing rules of section 5 and the moves of section 6 are re-derived here.
 */

export interface BruteForceResult {
  /** Tasks placed per priority level, highest level first (pins included). */
  placed: number[];
  /** Sum of the placed tasks' scores (pins included). */
  score: number;
  /** With a lock: the plan's moves (docs/contract.md §6). */
  moves?: number;
  /** Environment index per task, -1 when unplaced. */
  env?: number[];
  /** Machine id per task on a tier with machines. */
  machine?: Array<string | undefined>;
}

/** A lock as docs/contract.md §6 gives it (a plan's JSON is one). */
export interface LockSpec {
  placements: ReadonlyArray<{ task: string; tier: string; machine?: string }>;
}

export interface EnumerateOptions {
  /** Compare by docs/contract.md §6 against this lock. */
  lock?: LockSpec;
  /**
   * Machines of pinned tasks on tiers with machines (task name → machine id). Pins bypass the
   * optimizer for their environment; the contract does not say who picks their machine, so by
   * default every machine of the pinned tier is tried.
   */
  pinMachines?: ReadonlyMap<string, string>;
}

/** One machine as section 5 defines it, expanded from the catalog independently of src/model/machines.ts. */
export interface OracleMachine {
  id: string;
  units: number;
  unitTflops: number;
  storage: number;
}

/** docs/contract.md §5 machine ids: the name for a shape of count 1, else `<name>-<k>` with k from 0. */
export function oracleMachines(env: Environment): OracleMachine[] | undefined {
  if (!env.machines) return undefined;
  // Re-expand from the shapes the model kept: group the model's machines by shape and count them.
  const shapes: Array<{
    name: string;
    count: number;
    gpus: number;
    gpuTflops: number;
    gpuSlices: number;
    storage: number;
  }> = [];
  for (const m of env.machines) {
    const last = shapes[shapes.length - 1];
    if (last && last.name === m.shape) last.count++;
    else
      shapes.push({
        name: m.shape,
        count: 1,
        gpus: m.gpus,
        gpuTflops: m.gpuTflops,
        gpuSlices: m.gpuSlices,
        storage: m.storage,
      });
  }
  return shapes.flatMap((s) =>
    Array.from({ length: s.count }, (_, k) => ({
      id: s.count === 1 ? s.name : `${s.name}-${k}`,
      units: s.gpus * s.gpuSlices,
      unitTflops: s.gpuTflops / s.gpuSlices,
      storage: s.storage,
    })),
  );
}

/**
 * docs/contract.md §5: `ceil(compute / unit)` with section 2's tolerance, 0 for no compute: the fewest
 * whole units n with `compute <= n * unit` (tolerant), found by counting rather than by division.
 */
export function oracleUnits(compute: number, unitTflops: number): number {
  if (compute === 0) return 0;
  let n = Math.max(1, Math.floor(compute / unitTflops) - 2);
  while (!leq(compute, n * unitTflops)) n++;
  // Walk down too, in case the estimate above was already past the smallest n.
  while (n > 1 && leq(compute, (n - 1) * unitTflops)) n--;
  return n;
}

/** The section 2 rules for one task alone on one environment, machines aside (they are checked here). */
function allowedAlone(task: Task, env: Environment, reserve: number): boolean {
  return blockers(task, env, reserve).every((b) => b.rule === "machine");
}

interface Option {
  env: number;
  /** Index into the env's oracle machines, -1 on a tier without machines. */
  machine: number;
}

/** Calls `visit` once for every legal plan (docs/contract.md §2 and §5). Pins first, then the rest in task order. */
export function enumeratePlans(
  problem: Problem,
  options: EnumerateOptions,
  visit: (env: readonly number[], machine: readonly number[]) => void,
): void {
  const { tasks, environments, reserve } = problem;
  const machinesOf = environments.map(oracleMachines);
  const order = [...tasks].sort(
    (a, b) => Number(b.pin !== undefined) - Number(a.pin !== undefined) || a.index - b.index,
  );
  const optionsOf: Option[][] = tasks.map((task) => {
    if (task.pin !== undefined) {
      const e = environments.findIndex((env) => env.name === task.pin);
      const ms = machinesOf[e];
      if (!ms) return [{ env: e, machine: -1 }];
      const fixed = options.pinMachines?.get(task.name);
      if (fixed !== undefined) return [{ env: e, machine: ms.findIndex((m) => m.id === fixed) }];
      return ms.map((_m, k) => ({ env: e, machine: k }));
    }
    const out: Option[] = [{ env: -1, machine: -1 }];
    for (const env of environments) {
      if (!allowedAlone(task, env, reserve)) continue;
      const ms = machinesOf[env.index];
      if (!ms) {
        out.push({ env: env.index, machine: -1 });
        continue;
      }
      ms.forEach((m, k) => {
        if (oracleUnits(task.compute, m.unitTflops) <= m.units && leq(task.storage, m.storage))
          out.push({ env: env.index, machine: k });
      });
    }
    return out;
  });
  const used = environments.map(() => ({ compute: 0, storage: 0, bandwidth: 0 }));
  const machineUnits = machinesOf.map((ms) => (ms ?? []).map(() => 0));
  const machineDisk = machinesOf.map((ms) => (ms ?? []).map(() => 0));
  const env = tasks.map(() => -1);
  const machine = tasks.map(() => -1);
  const step = (i: number): void => {
    if (i === order.length) {
      visit(env, machine);
      return;
    }
    const task = order[i];
    const free = task.pin === undefined;
    for (const option of optionsOf[task.index]) {
      const e = option.env;
      if (e >= 0) {
        const target = environments[e];
        for (const d of DIMENSIONS) used[e][d] += task[d];
        // Pins may overfill (the plan lists violations); an unpinned task may only use what is left.
        let ok = !free || DIMENSIONS.every((d) => leq(used[e][d], usable(target, d, reserve)));
        const ms = machinesOf[e];
        let units = 0;
        if (ms && option.machine >= 0) {
          const m = ms[option.machine];
          units = oracleUnits(task.compute, m.unitTflops);
          machineUnits[e][option.machine] += units;
          machineDisk[e][option.machine] += task.storage;
          if (free) ok &&= machineUnits[e][option.machine] <= m.units && leq(machineDisk[e][option.machine], m.storage);
        }
        if (ok) {
          env[task.index] = e;
          machine[task.index] = option.machine;
          step(i + 1);
        }
        for (const d of DIMENSIONS) used[e][d] -= task[d];
        if (ms && option.machine >= 0) {
          machineUnits[e][option.machine] -= units;
          machineDisk[e][option.machine] -= task.storage;
        }
      } else {
        env[task.index] = -1;
        machine[task.index] = -1;
        step(i + 1);
      }
    }
    env[task.index] = -1;
    machine[task.index] = -1;
  };
  step(0);
}

/** Priority levels, highest first. */
function levelsOf(problem: Problem): number[] {
  return [...new Set(problem.tasks.map((t) => t.priority))].sort((a, b) => b - a);
}

/**
 * docs/contract.md §6: a locked task still in the catalog that the plan places on another environment or
 * machine, or leaves unplaced. A lock that names no machine, or names one on a tier that has none,
 * pins down the environment only.
 */
export function movesOf(
  problem: Problem,
  lock: LockSpec,
  placedOn: (task: string) => { tier: string; machine?: string } | undefined,
): Array<{ task: string; from: string; to: string | null }> {
  const names = new Set(problem.tasks.map((t) => t.name));
  const withMachines = new Set(problem.environments.filter((e) => e.machines).map((e) => e.name));
  const where = (tier: string, machine?: string) =>
    machine !== undefined && withMachines.has(tier) ? `${tier}/${machine}` : tier;
  const out: Array<{ task: string; from: string; to: string | null }> = [];
  for (const locked of lock.placements) {
    if (!names.has(locked.task)) continue;
    const now = placedOn(locked.task);
    const from = where(locked.tier, locked.machine);
    if (!now) {
      out.push({ task: locked.task, from, to: null });
      continue;
    }
    const sameMachine =
      locked.machine === undefined || !withMachines.has(locked.tier) || now.machine === locked.machine;
    if (now.tier !== locked.tier || !sameMachine)
      out.push({ task: locked.task, from, to: where(now.tier, now.machine) });
  }
  return out;
}

/** The worth of one enumerated plan. */
function evaluate(
  problem: Problem,
  options: EnumerateOptions,
  env: readonly number[],
  machine: readonly number[],
): BruteForceResult {
  const { tasks, environments, weights } = problem;
  const levels = levelsOf(problem);
  const machinesOf = environments.map(oracleMachines);
  const ids = tasks.map((t) =>
    env[t.index] >= 0 && machine[t.index] >= 0 ? machinesOf[env[t.index]]![machine[t.index]].id : undefined,
  );
  let total = 0;
  for (const t of tasks) if (env[t.index] >= 0) total += score(t, environments[env[t.index]], weights);
  const result: BruteForceResult = {
    placed: levels.map((p) => tasks.filter((t) => t.priority === p && env[t.index] >= 0).length),
    score: total,
    env: env.slice(),
    machine: ids,
  };
  if (options.lock) {
    const byName = new Map(tasks.map((t) => [t.name, t.index]));
    result.moves = movesOf(problem, options.lock, (name) => {
      const t = byName.get(name)!;
      return env[t] >= 0
        ? { tier: environments[env[t]].name, ...(ids[t] !== undefined && { machine: ids[t] }) }
        : undefined;
    }).length;
  }
  return result;
}

/**
 * The best plan by docs/contract.md §2 (and §5 with machines, §6 with a lock), found by trying every
 * assignment. `moveCost` defaults to the problem's `objective.moveCost`.
 */
export function bruteForce(problem: Problem, options: EnumerateOptions = {}): BruteForceResult {
  const moveCost = problem.moveCost;
  let best: BruteForceResult | undefined;
  enumeratePlans(problem, options, (env, machine) => {
    const candidate = evaluate(problem, options, env, machine);
    if (!best || better(candidate, best, moveCost)) best = candidate;
  });
  return best!;
}

/** Every reachable count vector (per level, highest first) with the least score of a plan placing exactly it. */
export function countProfile(
  problem: Problem,
  options: EnumerateOptions = {},
): Map<string, { placed: number[]; score: number }> {
  const out = new Map<string, { placed: number[]; score: number }>();
  enumeratePlans(problem, options, (env, machine) => {
    const { placed, score } = evaluate(problem, {}, env, machine);
    const key = placed.join(",");
    const seen = out.get(key);
    if (!seen || score < seen.score) out.set(key, { placed, score });
  });
  return out;
}

/**
 * True when a is strictly better than b: more placed at the first level that differs; then, with
 * a lock, fewer moves and less score, or with `moveCost` less `score + moveCost * moves`.
 */
export function better(a: BruteForceResult, b: BruteForceResult, moveCost?: number): boolean {
  for (let i = 0; i < a.placed.length; i++) if (a.placed[i] !== b.placed[i]) return a.placed[i] > b.placed[i];
  const locked = a.moves !== undefined && b.moves !== undefined;
  if (locked && moveCost === undefined && a.moves !== b.moves) return a.moves! < b.moves!;
  const va = a.score + (locked && moveCost !== undefined ? moveCost * a.moves! : 0);
  const vb = b.score + (locked && moveCost !== undefined ? moveCost * b.moves! : 0);
  return va < vb - 1e-9 * Math.max(1, Math.abs(vb));
}

/** The plan fields the oracles read: docs/contract.md §3's placements, with §5's machine and units. */
export interface PlanLike {
  placements: ReadonlyArray<{ task: string; tier: string; machine?: string; gpuUnits?: number; pinned?: true }>;
}

/** A plan's worth as the brute force measures it, recomputed from its placements. */
export function planWorth(problem: Problem, plan: PlanLike, lock?: LockSpec): BruteForceResult {
  const levels = levelsOf(problem);
  const byName = new Map(problem.tasks.map((t) => [t.name, t]));
  const envByName = new Map(problem.environments.map((e) => [e.name, e]));
  const placed = levels.map(() => 0);
  let total = 0;
  for (const p of plan.placements) {
    const task = byName.get(p.task)!;
    placed[levels.indexOf(task.priority)]++;
    total += score(task, envByName.get(p.tier)!, problem.weights);
  }
  const result: BruteForceResult = { placed, score: total };
  if (lock) {
    const now = new Map(plan.placements.map((p) => [p.task, p]));
    result.moves = movesOf(problem, lock, (name) => now.get(name)).length;
  }
  return result;
}

/**
 * Every rule of docs/contract.md §2 and §5 the plan breaks for the tasks the planner placed (pins may
 * break rules; they only count against capacity): empty for a legal plan.
 */
export function planBreaks(problem: Problem, plan: PlanLike): string[] {
  const broken: string[] = [];
  const byName = new Map(problem.tasks.map((t) => [t.name, t]));
  const envByName = new Map(problem.environments.map((e) => [e.name, e]));
  const seen = new Set<string>();
  const onEnv = new Map<string, Task[]>();
  const onMachine = new Map<string, Array<{ task: Task; units: number }>>();
  for (const p of plan.placements) {
    const task = byName.get(p.task);
    const env = envByName.get(p.tier);
    if (!task || !env) {
      broken.push(`${p.task}: unknown task or environment ${p.tier}`);
      continue;
    }
    if (seen.has(p.task)) broken.push(`${p.task}: placed twice`);
    seen.add(p.task);
    if (task.pin !== undefined && p.tier !== task.pin)
      broken.push(`${p.task}: pinned to ${task.pin}, placed on ${p.tier}`);
    if (task.pin === undefined && !allowedAlone(task, env, problem.reserve))
      broken.push(`${p.task}: section 2 forbids ${p.tier}`);
    onEnv.set(env.name, [...(onEnv.get(env.name) ?? []), task]);
    const machines = oracleMachines(env);
    if (!machines) {
      if (p.machine !== undefined || p.gpuUnits !== undefined)
        broken.push(`${p.task}: machine ${p.machine} / gpuUnits ${p.gpuUnits} on ${p.tier}, a tier without machines`);
      continue;
    }
    const m = machines.find((x) => x.id === p.machine);
    if (!m) {
      broken.push(`${p.task}: on ${p.tier} without a machine of it (machine ${p.machine})`);
      continue;
    }
    const units = oracleUnits(task.compute, m.unitTflops);
    if (p.gpuUnits !== units)
      broken.push(
        `${p.task}: gpuUnits ${p.gpuUnits}, but ${task.compute} TFLOPS on ${m.unitTflops}-TFLOPS units is ${units}`,
      );
    const key = `${env.name}/${m.id}`;
    onMachine.set(key, [...(onMachine.get(key) ?? []), { task, units }]);
  }
  for (const [name, list] of onEnv) {
    const env = envByName.get(name)!;
    if (list.every((t) => t.pin !== undefined)) continue;
    for (const d of DIMENSIONS) {
      const total = list.reduce((sum, t) => sum + t[d], 0);
      if (!leq(total, usable(env, d, problem.reserve)))
        broken.push(`${name}: ${d} ${total} > usable ${usable(env, d, problem.reserve)}`);
    }
  }
  for (const [key, list] of onMachine) {
    if (list.every((x) => x.task.pin !== undefined)) continue;
    const [tier, id] = key.split("/");
    const m = oracleMachines(envByName.get(tier)!)!.find((x) => x.id === id)!;
    const units = list.reduce((sum, x) => sum + x.units, 0);
    const disk = list.reduce((sum, x) => sum + x.task.storage, 0);
    if (units > m.units) broken.push(`${key}: ${units} GPU units > ${m.units}`);
    if (!leq(disk, m.storage)) broken.push(`${key}: disk ${disk} > ${m.storage}`);
  }
  return broken;
}
