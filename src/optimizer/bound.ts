import { scoreOf } from "./evaluate";
import { DIMS, isPlaceable, type Instance } from "./instance";

export interface LagrangianBound {
  /** Best proven lower bound on the score of any plan that places, per level, at least `placed`. */
  bound: number;
  /** Reduced score of every candidate under the best multipliers: a guide for the heuristic. */
  reduced: Float64Array;
  iterations: number;
}

/**
 * Lower bound on the score by Lagrangian relaxation of the capacity rows (and of the per-level
 * count rows for levels not placed in full), maximised by subgradient steps (Polyak step to the
 * incumbent). Relaxing only the capacity rows leaves an assignment problem with the integrality
 * property, so the limit of this bound is the LP relaxation's: what `auto` certifies its gap against.
 *
 * `placed[i]` is the number of tasks at `levels[i]` the plans compared must place; a level whose
 * placeable tasks are all placed forces every one of them.
 */
export function lagrangianBound(inst: Instance, placed: number[], incumbent: number, iterations: number): LagrangianBound {
  const { taskCount, envCount, candStart, candEnv, candScore, candFits, demand, free, slack, pinned, priority, levels } = inst;
  const levelOf = new Map(levels.map((p, i) => [p, i]));
  const placeable = levels.map(() => 0);
  let pinnedScore = 0;
  for (let t = 0; t < taskCount; t++) {
    if (pinned[t] >= 0) continue;
    if (isPlaceable(inst, t)) placeable[levelOf.get(priority[t])!]++;
  }
  for (let t = 0; t < taskCount; t++) {
    if (pinned[t] >= 0) pinnedScore += scoreOf(inst, t, pinned[t]);
  }
  // Count rows only for levels placed in part; pins are counted in `placed` but not relaxable.
  const pinnedPerLevel = levels.map(() => 0);
  for (let t = 0; t < taskCount; t++) if (pinned[t] >= 0) pinnedPerLevel[levelOf.get(priority[t])!]++;
  const required = placed.map((p, i) => p - pinnedPerLevel[i]);
  const forced = required.map((r, i) => r >= placeable[i]);

  // Only rows that the candidates could overfill get a multiplier.
  const capacity = new Float64Array(envCount * DIMS);
  const possible = new Float64Array(envCount * DIMS);
  for (let i = 0; i < capacity.length; i++) capacity[i] = free[i] + slack[i];
  for (let t = 0; t < taskCount; t++) {
    for (let c = candStart[t]; c < candStart[t + 1]; c++) {
      if (!candFits[c]) continue;
      for (let k = 0; k < DIMS; k++) possible[candEnv[c] * DIMS + k] += demand[t * DIMS + k];
    }
  }
  const active = new Uint8Array(envCount * DIMS);
  for (let i = 0; i < active.length; i++) active[i] = possible[i] > capacity[i] ? 1 : 0;

  const lambda = new Float64Array(envCount * DIMS);
  const nu = new Float64Array(levels.length);
  const best = { value: -Infinity, lambda: lambda.slice() };
  const usage = new Float64Array(envCount * DIMS);
  const counts = new Float64Array(levels.length);
  let theta = 2;
  let stall = 0;
  let done = 0;
  for (let it = 0; it < iterations; it++) {
    done = it + 1;
    usage.fill(0);
    counts.fill(0);
    let value = pinnedScore;
    for (let i = 0; i < capacity.length; i++) value -= lambda[i] * capacity[i];
    levels.forEach((_, i) => (value += forced[i] ? 0 : nu[i] * required[i]));
    for (let t = 0; t < taskCount; t++) {
      if (pinned[t] >= 0 || candStart[t + 1] === candStart[t]) continue;
      const li = levelOf.get(priority[t])!;
      let bestC = -1;
      let bestV = forced[li] ? Infinity : 0;
      for (let c = candStart[t]; c < candStart[t + 1]; c++) {
        if (!candFits[c]) continue;
        let v = candScore[c] - (forced[li] ? 0 : nu[li]);
        const e = candEnv[c];
        for (let k = 0; k < DIMS; k++) v += lambda[e * DIMS + k] * demand[t * DIMS + k];
        if (v < bestV) {
          bestV = v;
          bestC = c;
        }
      }
      if (bestC < 0) continue;
      value += bestV;
      counts[li]++;
      const e = candEnv[bestC];
      for (let k = 0; k < DIMS; k++) usage[e * DIMS + k] += demand[t * DIMS + k];
    }
    if (value > best.value + 1e-12 * Math.max(1, Math.abs(value))) {
      best.value = value;
      best.lambda.set(lambda);
      stall = 0;
    } else if (++stall >= 15) {
      theta /= 2;
      stall = 0;
    }
    // Subgradient of the dual: capacity overuse, and shortfall of the relaxed counts.
    let norm = 0;
    for (let i = 0; i < capacity.length; i++) {
      if (!active[i]) continue;
      const g = usage[i] - capacity[i];
      if (lambda[i] > 0 || g > 0) norm += g * g;
    }
    levels.forEach((_, i) => {
      if (forced[i]) return;
      const g = required[i] - counts[i];
      if (nu[i] > 0 || g > 0) norm += g * g;
    });
    if (norm < 1e-18 || theta < 1e-6 || incumbent - best.value <= 1e-9 * Math.max(1, Math.abs(incumbent))) break;
    const step = (theta * Math.max(incumbent - value, 1e-9 * Math.max(1, Math.abs(incumbent)))) / norm;
    for (let i = 0; i < capacity.length; i++) if (active[i]) lambda[i] = Math.max(0, lambda[i] + step * (usage[i] - capacity[i]));
    levels.forEach((_, i) => {
      if (!forced[i]) nu[i] = Math.max(0, nu[i] + step * (required[i] - counts[i]));
    });
  }
  const reduced = new Float64Array(candScore.length);
  for (let t = 0; t < taskCount; t++) {
    for (let c = candStart[t]; c < candStart[t + 1]; c++) {
      let v = candScore[c];
      for (let k = 0; k < DIMS; k++) v += best.lambda[candEnv[c] * DIMS + k] * demand[t * DIMS + k];
      reduced[c] = v;
    }
  }
  return { bound: best.value, reduced, iterations: done };
}
