import { blockers, cost, DIMENSIONS, latency, leq, score, usable, type Dimension, type Problem } from "../model";
import type { Solution } from "../optimizer/types";
import { explainUnplaced } from "./explain";
import type { LevelCount, Placement, Plan, Unplaced, Utilization, Violation } from "./types";
import { fmt } from "./format";

/** Turns an optimizer's assignment into the plan of contract §3. */
export function buildPlan(problem: Problem, solution: Solution, ms: number): Plan {
  const { environments, tasks, weights, reserve } = problem;
  const used = environments.map(() => ({ compute: 0, storage: 0, bandwidth: 0 }));
  const placements: Placement[] = [];
  for (const task of tasks) {
    const e = solution.assignment[task.index];
    if (e < 0) continue;
    const env = environments[e];
    for (const d of DIMENSIONS) used[e][d] += task[d];
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
    });
  }
  const free = (env: (typeof environments)[number], d: Dimension) => usable(env, d, reserve) - used[env.index][d];
  const unplaced: Unplaced[] = tasks
    .filter((task) => solution.assignment[task.index] < 0)
    .map((task) => ({ task: task.name, reasons: explainUnplaced(task, problem, free), priority: task.priority, source: task.source }));

  const levels = [...new Set(tasks.map((t) => t.priority))].sort((a, b) => b - a);
  const placedByPriority: LevelCount[] = levels.map((priority) => ({
    priority,
    placed: placements.filter((p) => p.priority === priority).length,
    total: tasks.filter((t) => t.priority === priority).length,
  }));
  const sum = (key: "latencyMs" | "cost" | "score") => placements.reduce((total, p) => total + p[key], 0);

  const utilization: Utilization[] = environments.map((env) => {
    const share = (d: Dimension) => used[env.index][d] / env[d];
    const bottlenecks = DIMENSIONS.flatMap((dimension) => {
      const cap = usable(env, dimension, reserve);
      const usableShare = cap > 0 ? used[env.index][dimension] / cap : used[env.index][dimension] > 0 ? Infinity : 0;
      if (usableShare <= 0.9) return [];
      return [{ dimension, usableShare, severity: usableShare > 0.95 ? ("high" as const) : ("medium" as const) }];
    });
    return { tier: env.name, kind: env.kind, ...(env.fleetRobot && { fleetRobot: true as const }), compute: share("compute"), storage: share("storage"), bandwidth: share("bandwidth"), bottlenecks };
  });

  return {
    site: problem.site,
    placements,
    unplaced,
    violations: findViolations(problem, solution.assignment, used),
    objective: {
      latencyMs: sum("latencyMs"),
      cost: sum("cost"),
      score: sum("score"),
      placedByPriority,
      preset: problem.preset,
      weights,
      reserve,
    },
    utilization,
    recommendations: recommend(utilization, unplaced),
    solver: {
      algorithm: solution.algorithm,
      optimal: solution.optimal,
      gap: Number.isFinite(solution.gap) ? solution.gap : 0,
      ms,
      method: solution.method,
      bound: solution.bound !== undefined && Number.isFinite(solution.bound) ? solution.bound : null,
      countsProven: solution.countsProven,
      work: solution.work,
    },
    environments: environments.map(({ index: _index, ...env }) => env),
  };
}

/** Every rule of contract §2 the plan breaks. The optimizer keeps them all, so only pins can. */
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
        violations.push({ task: task.name, tier: env.name, rule: "allowed", message: `${env.name} is a fleet robot private to its own tasks, and ${why}` });
      } else if (blocker.rule === "allowed") {
        violations.push({ task: task.name, tier: env.name, rule: "allowed", message: `${env.name} (${env.kind}) is not in allowedTiers [${blocker.allowed.join(", ")}]` });
      } else if (blocker.rule === "latency") {
        violations.push({ task: task.name, tier: env.name, rule: "latency", message: `latency ${fmt(blocker.latencyMs)} ms on ${env.name} > SLO ${fmt(blocker.maxLatency)} ms` });
      } else {
        reported.add(`${task.index}/${blocker.dimension}`);
        violations.push({ task: task.name, tier: env.name, rule: "capacity", message: `${blocker.dimension} demand ${fmt(blocker.demand)} > usable ${fmt(blocker.usable)} on ${env.name}` });
      }
    }
  }
  // An environment overfilled by several pins together: blame each pin that takes from that dimension.
  for (const env of environments) {
    for (const d of DIMENSIONS) {
      const cap = usable(env, d, reserve);
      if (leq(used[env.index][d], cap)) continue;
      for (const task of tasks) {
        if (assignment[task.index] !== env.index || task.pin === undefined || task[d] <= 0 || reported.has(`${task.index}/${d}`)) continue;
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

function recommend(utilization: Utilization[], unplaced: Unplaced[]): string[] {
  const out: string[] = [];
  const hot = utilization.flatMap((u) => u.bottlenecks.map((b) => `${u.tier} ${b.dimension} ${Math.round(b.usableShare * 100)}% (${b.severity})`));
  if (hot.length > 0) {
    const shown = hot.slice(0, 5).join(", ") + (hot.length > 5 ? `, and ${hot.length - 5} more` : "");
    out.push(`Bottlenecks (share of usable capacity): ${shown}. Consider adding capacity there or revisiting the allocation.`);
  }
  if (unplaced.length > 0) {
    out.push(`${unplaced.length} task(s) unplaced: see their reasons; raise their priority, relax their SLO or add capacity where they are short.`);
  }
  return out;
}
