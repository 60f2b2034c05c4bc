import {
  blockers,
  cost,
  DIMENSIONS,
  latency,
  leq,
  score,
  unitsNeeded,
  usable,
  type Dimension,
  type Problem,
} from "../model";
import type { LockInput, Solution } from "../optimizer/types";
import { explainUnplaced, type MachineRoom } from "./explain";
import type { LevelCount, Move, Placement, Plan, Unplaced, Utilization, Violation } from "./schema";
import { fmt } from "./format";

/**
 * Shares of an environment's usable capacity above which a dimension is a bottleneck (medium), and
 * a severe one (high): the plan's utilization and recommendations flag it while a task of ordinary
 * size still fits, before the next catalog change is left unplaced.
 */
const BOTTLENECK_SHARE = { medium: 0.9, high: 0.95 } as const;

/** Turns an optimizer's assignment into the plan of docs/contract.md §3 (with §5's machines, §6's moves and §7's bounds). */
export function buildPlan(problem: Problem, solution: Solution, ms: number, lock?: LockInput): Plan {
  const { environments, tasks, weights, reserve } = problem;
  const used = environments.map(() => ({ compute: 0, storage: 0, bandwidth: 0 }));
  const machineOf = machineNames(problem, solution);
  const placements: Placement[] = [];
  for (const task of tasks) {
    const e = solution.assignment[task.index];
    if (e < 0) continue;
    const env = environments[e];
    for (const d of DIMENSIONS) used[e][d] += task[d];
    const machine = machineOf(task.index);
    placements.push({
      task: task.name,
      tier: env.name,
      latencyMs: latency(task, env),
      cost: cost(task, env),
      score: score(task, env, weights),
      kind: env.kind,
      source: task.source,
      priority: task.priority,
      maxLatency: task.maxLatency,
      compute: task.compute,
      storage: task.storage,
      bandwidth: task.bandwidth,
      ...(task.robot !== undefined && { robot: task.robot }),
      ...(task.pin !== undefined && { pinned: true as const }),
      ...(task.image !== undefined && { image: task.image }),
      ...(task.port !== undefined && { port: task.port }),
      ...(machine && { machine: machine.id, gpuUnits: unitsNeeded(task.compute, machine.unitTflops) }),
    });
  }
  const free = (env: (typeof environments)[number], d: Dimension) => usable(env, d, reserve) - used[env.index][d];
  const room = machineRoom(problem, placements);
  const unplaced: Unplaced[] = tasks
    .filter((task) => solution.assignment[task.index] < 0)
    .map((task) => ({
      task: task.name,
      reasons: explainUnplaced(task, problem, free, room),
      priority: task.priority,
      source: task.source,
    }));

  const levels = [...new Set(tasks.map((t) => t.priority))].sort((a, b) => b - a);
  const placedByPriority: LevelCount[] = levels.map((priority, i) => ({
    priority,
    placed: placements.filter((p) => p.priority === priority).length,
    total: tasks.filter((t) => t.priority === priority).length,
    bound: solution.levelBound[i],
  }));
  const moves = lock ? movesAgainst(problem, lock, placements) : [];
  const sum = (key: "latencyMs" | "cost" | "score") => placements.reduce((total, p) => total + p[key], 0);

  const utilization: Utilization[] = environments.map((env) => {
    const share = (d: Dimension) => used[env.index][d] / env[d];
    const bottlenecks = DIMENSIONS.flatMap((dimension) => {
      const cap = usable(env, dimension, reserve);
      const usableShare = cap > 0 ? used[env.index][dimension] / cap : used[env.index][dimension] > 0 ? Infinity : 0;
      if (usableShare <= BOTTLENECK_SHARE.medium) return [];
      return [
        {
          dimension,
          usableShare,
          severity: usableShare > BOTTLENECK_SHARE.high ? ("high" as const) : ("medium" as const),
        },
      ];
    });
    return {
      tier: env.name,
      kind: env.kind,
      ...(env.fleetRobot && { fleetRobot: true as const }),
      compute: share("compute"),
      storage: share("storage"),
      bandwidth: share("bandwidth"),
      bottlenecks,
    };
  });

  return {
    site: problem.site,
    placements,
    unplaced,
    violations: [...findViolations(problem, solution.assignment, used), ...machineViolations(problem, placements)],
    moves,
    objective: {
      latencyMs: sum("latencyMs"),
      cost: sum("cost"),
      score: sum("score"),
      placedByPriority,
      moves: moves.length,
      ...(problem.moveCost !== undefined && { moveCost: problem.moveCost }),
      preset: problem.preset,
      weights,
      reserve,
    },
    utilization,
    recommendations: recommend(utilization, unplaced),
    solver: {
      algorithm: solution.algorithm,
      optimal: solution.optimal,
      gap: solution.gap,
      ms,
      method: solution.method,
      bound: solution.bound,
      countsProven: solution.countsProven,
      work: solution.work,
    },
    environments: environments.map(({ index: _index, ...env }) => env),
  };
}

/** Every rule of docs/contract.md §2 the plan breaks. The optimizer keeps them all, so only pins can. */
function findViolations(problem: Problem, assignment: Int32Array, used: Array<Record<Dimension, number>>): Violation[] {
  const { environments, tasks, reserve } = problem;
  const violations: Violation[] = [];
  const reported = new Set<string>();
  for (const task of tasks) {
    const e = assignment[task.index];
    if (e < 0) continue;
    const env = environments[e];
    for (const blocker of blockers(task, env, reserve)) {
      if (blocker.rule === "robot") {
        const why = task.robot === undefined ? "it is not bound to a robot" : `it is bound to ${task.robot}`;
        violations.push({
          task: task.name,
          tier: env.name,
          rule: "allowed",
          message: `${env.name} is a fleet robot private to its own tasks, and ${why}`,
        });
      } else if (blocker.rule === "allowed") {
        violations.push({
          task: task.name,
          tier: env.name,
          rule: "allowed",
          message: `${env.name} (${env.kind}) is not in allowedTiers [${blocker.allowed.join(", ")}]`,
        });
      } else if (blocker.rule === "latency") {
        violations.push({
          task: task.name,
          tier: env.name,
          rule: "latency",
          message: `latency ${fmt(blocker.latencyMs)} ms on ${env.name} > SLO ${fmt(blocker.maxLatency)} ms`,
        });
      } else if (blocker.rule === "capacity") {
        reported.add(`${task.index}/${blocker.dimension}`);
        violations.push({
          task: task.name,
          tier: env.name,
          rule: "capacity",
          message: `${blocker.dimension} demand ${fmt(blocker.demand)} > usable ${fmt(blocker.usable)} on ${env.name}`,
        });
      } else {
        // A pin no machine of its tier holds; machineViolations names the machine it overfills.
      }
    }
  }
  // An environment overfilled by several pins together: blame each pin that takes from that dimension.
  for (const env of environments) {
    for (const d of DIMENSIONS) {
      const cap = usable(env, d, reserve);
      if (leq(used[env.index][d], cap)) continue;
      for (const task of tasks) {
        if (
          assignment[task.index] !== env.index ||
          task.pin === undefined ||
          task[d] <= 0 ||
          reported.has(`${task.index}/${d}`)
        )
          continue;
        violations.push({
          task: task.name,
          tier: env.name,
          rule: "capacity",
          message: `${d} placed on ${env.name} ${fmt(used[env.index][d])} > usable ${fmt(cap)} (this pin takes ${fmt(task[d])})`,
        });
      }
    }
  }
  return violations;
}

/** The machine of each task on a tier with machines, from the optimizer's machine index. */
function machineNames(problem: Problem, solution: Solution) {
  const all = problem.environments.flatMap((env) => env.machines ?? []);
  return (t: number) => (solution.machine[t] >= 0 ? all[solution.machine[t]] : undefined);
}

/** Units and disk each machine has left once the plan is applied, for explaining unplaced tasks. */
function machineRoom(problem: Problem, placements: Placement[]): MachineRoom {
  const left = new Map<string, { units: number; storage: number }>();
  for (const env of problem.environments)
    for (const m of env.machines ?? []) left.set(`${env.name}/${m.id}`, { units: m.units, storage: m.storage });
  for (const p of placements) {
    if (p.machine === undefined) continue;
    const room = left.get(`${p.tier}/${p.machine}`)!;
    room.units -= p.gpuUnits!;
    room.storage -= p.storage;
  }
  return (env) => (env.machines ?? []).map((m) => ({ machine: m, ...left.get(`${env.name}/${m.id}`)! }));
}

/** docs/contract.md §5: pins that overfill a machine (the optimizer's tasks never do). */
function machineViolations(problem: Problem, placements: Placement[]): Violation[] {
  const out: Violation[] = [];
  for (const env of problem.environments) {
    for (const m of env.machines ?? []) {
      const on = placements.filter((p) => p.tier === env.name && p.machine === m.id);
      const units = on.reduce((sum, p) => sum + p.gpuUnits!, 0);
      const storage = on.reduce((sum, p) => sum + p.storage, 0);
      const over = [
        ...(units > m.units ? [`GPU units ${units} > ${m.units}`] : []),
        ...(!leq(storage, m.storage) ? [`disk ${fmt(storage)} GB > ${fmt(m.storage)} GB`] : []),
      ];
      if (over.length === 0) continue;
      for (const p of on.filter((p) => p.pinned)) {
        out.push({
          task: p.task,
          tier: env.name,
          rule: "capacity",
          message: `machine ${m.id} of ${env.name}: ${over.join(", ")} (this pin takes ${p.gpuUnits} unit(s), ${fmt(p.storage)} GB)`,
        });
      }
    }
  }
  return out;
}

/** docs/contract.md §6: locked tasks still in the catalog that the plan places elsewhere or not at all. */
function movesAgainst(problem: Problem, lock: LockInput, placements: Placement[]): Move[] {
  const inCatalog = new Set(problem.tasks.map((t) => t.name));
  const now = new Map(placements.map((p) => [p.task, p]));
  const withMachines = new Set(problem.environments.filter((e) => e.machines).map((e) => e.name));
  const where = (tier: string, machine?: string) =>
    machine !== undefined && withMachines.has(tier) ? `${tier}/${machine}` : tier;
  const moves: Move[] = [];
  for (const locked of lock.placements) {
    if (!inCatalog.has(locked.task)) continue;
    const placed = now.get(locked.task);
    const from = where(locked.tier, locked.machine);
    if (!placed) {
      moves.push({ task: locked.task, from, to: null });
      continue;
    }
    const sameMachine =
      locked.machine === undefined || !withMachines.has(locked.tier) || placed.machine === locked.machine;
    if (placed.tier !== locked.tier || !sameMachine)
      moves.push({ task: locked.task, from, to: where(placed.tier, placed.machine) });
  }
  return moves;
}

function recommend(utilization: Utilization[], unplaced: Unplaced[]): string[] {
  const out: string[] = [];
  const hot = utilization.flatMap((u) =>
    u.bottlenecks.map((b) => `${u.tier} ${b.dimension} ${Math.round(b.usableShare * 100)}% (${b.severity})`),
  );
  if (hot.length > 0) {
    const shown = hot.slice(0, 5).join(", ") + (hot.length > 5 ? `, and ${hot.length - 5} more` : "");
    out.push(
      `Bottlenecks (share of usable capacity): ${shown}. Consider adding capacity there or revisiting the allocation.`,
    );
  }
  if (unplaced.length > 0) {
    out.push(
      `${unplaced.length} task(s) unplaced: see their reasons; raise their priority, relax their SLO or add capacity where they are short.`,
    );
  }
  return out;
}
