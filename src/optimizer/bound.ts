import { scoreOf } from "./evaluate";
import { DIMS as DIMENSION_COUNT, isPlaceable, type Instance } from "./instance";

// A module-local copy: imported bindings are property reads in CommonJS, too slow for the hot loops.
const DIMS = DIMENSION_COUNT;

export interface LagrangianBound {
  /** Best proven lower bound on the score of any plan that places, per level, at least `placed`. */
  bound: number;
  /** Reduced score of every candidate under the best multipliers: a guide for the heuristic. */
  reduced: Float64Array;
  /** Per task, the fleet robot the best subproblem keeps it on (-1: none): robots solved exactly. */
  robotPick: Int32Array;
  /**
   * Per candidate, how much choosing it instead of its task's best option raises the bound
   * (NaN where robots couple the task to others). A candidate with `bound + reducedCost` above a
   * known plan's score is in no better plan: the MILP may drop it (reduced-cost fixing).
   */
  reducedCost: Float64Array;
  iterations: number;
}

/** Fleet robots with at most this many candidate tasks get their subproblem solved exactly. */
const EXACT_ROBOT_TASKS = 12;
/** Iterations between guided constructions. */
const CHECKPOINT_EVERY = 50;

/**
 * Lower bound on the score by Lagrangian decomposition. The capacity rows of shared tiers (and
 * the per-level count rows of levels not placed in full) are relaxed with multipliers; every
 * fleet robot is a small subproblem of its own (which of its bound tasks stay on it, each other
 * one going to its best shared tier at the priced score), solved exactly by enumerating the
 * subsets that fit. Solving the robots as integer problems makes this bound at least as strong as
 * the LP relaxation, and stronger where robot-sized tasks do not split.
 *
 * Multipliers follow subgradient steps with rows scaled to shares of capacity, so TFLOPS, GB and
 * Mbps weigh alike; a step that fails to improve for a while halves and restarts from the best.
 *
 * `placed[i]` is the number of tasks at `levels[i]` the plans compared must place; a level whose
 * placeable tasks are all placed forces every one of them.
 */
export function lagrangianBound(
  inst: Instance,
  placed: number[],
  incumbent: number,
  iterations: number,
  onCheckpoint?: (guide: Pick<LagrangianBound, "reduced" | "robotPick">) => void,
): LagrangianBound {
  const {
    taskCount,
    envCount,
    candStart,
    candEnv,
    candScore,
    candFits,
    demand,
    free,
    slack,
    pinned,
    priority,
    levels,
    problem,
  } = inst;
  const levelCount = levels.length;
  const levelOfTask = new Int32Array(taskCount);
  const levelIndex = new Map(levels.map((p, i) => [p, i]));
  const placeable = new Float64Array(levelCount);
  const pinnedPerLevel = new Float64Array(levelCount);
  let pinnedScore = 0;
  const placeableTask = new Uint8Array(taskCount);
  for (let t = 0; t < taskCount; t++) {
    const li = levelIndex.get(priority[t])!;
    levelOfTask[t] = li;
    if (pinned[t] >= 0) {
      pinnedScore += scoreOf(inst, t, pinned[t]);
      pinnedPerLevel[li]++;
    } else if (isPlaceable(inst, t)) {
      placeable[li]++;
      placeableTask[t] = 1;
    }
  }
  const required = new Float64Array(levelCount);
  const forced = new Uint8Array(levelCount);
  for (let i = 0; i < levelCount; i++) {
    required[i] = placed[i] - pinnedPerLevel[i];
    forced[i] = required[i] >= placeable[i] ? 1 : 0;
  }

  // Each task's candidate on its own robot, and the robots small enough to solve exactly.
  const robotCand = new Int32Array(taskCount).fill(-1);
  const tasksOn: number[][] = Array.from({ length: envCount }, () => []);
  for (let t = 0; t < taskCount; t++) {
    if (pinned[t] >= 0) continue;
    for (let c = candStart[t]; c < candStart[t + 1]; c++) {
      if (candFits[c] && problem.environments[candEnv[c]].fleetRobot) {
        robotCand[t] = c;
        tasksOn[candEnv[c]].push(t);
      }
    }
  }
  const exact = new Uint8Array(envCount);
  const fitting: Array<Uint8Array | undefined> = [];
  const scratch = new Float64Array((1 << EXACT_ROBOT_TASKS) * DIMS);
  for (let e = 0; e < envCount; e++) {
    const list = tasksOn[e];
    if (list.length === 0 || list.length > EXACT_ROBOT_TASKS) continue;
    exact[e] = 1;
    fitting[e] = fittingSubsets(inst, e, list, scratch);
  }
  for (let t = 0; t < taskCount; t++) if (robotCand[t] >= 0 && !exact[candEnv[robotCand[t]]]) robotCand[t] = -1;

  // Relaxed rows, scaled to shares of their capacity; only rows the candidates could overfill.
  const rows = envCount * DIMS;
  const capacity = new Float64Array(rows);
  for (let i = 0; i < rows; i++) capacity[i] = free[i] + slack[i];
  const possible = new Float64Array(rows);
  for (let t = 0; t < taskCount; t++) {
    for (let c = candStart[t]; c < candStart[t + 1]; c++) {
      if (!candFits[c]) continue;
      for (let k = 0; k < DIMS; k++) possible[candEnv[c] * DIMS + k] += demand[t * DIMS + k];
    }
  }
  const share = new Float64Array(rows);
  const active = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    active[i] = !exact[Math.floor(i / DIMS)] && possible[i] > capacity[i] && capacity[i] > 0 ? 1 : 0;
    share[i] = active[i] ? 1 / capacity[i] : 0;
  }

  const lambda = new Float64Array(rows);
  const nu = new Float64Array(levelCount);
  const bestLambda = new Float64Array(rows);
  const bestNu = new Float64Array(levelCount);
  let bestValue = -Infinity;
  const usage = new Float64Array(rows);
  const counts = new Float64Array(levelCount);
  // Per task: best priced option off its robot (or unplaced), and what choosing it would use.
  const offValue = new Float64Array(taskCount);
  const offCand = new Int32Array(taskCount);
  const onRobot = new Uint8Array(taskCount);
  const bestOnRobot = new Uint8Array(taskCount);
  const subsetValue = new Float64Array(1 << EXACT_ROBOT_TASKS);
  const subsetMask = new Int32Array(1 << EXACT_ROBOT_TASKS);
  const gain = new Float64Array(EXACT_ROBOT_TASKS);
  const bit = new Int32Array(EXACT_ROBOT_TASKS);
  let theta = 1;
  let stall = 0;
  let done = 0;
  const closeEnough = 1e-9 * Math.max(1, Math.abs(incumbent));
  for (let it = 0; it < iterations; it++) {
    done = it + 1;
    usage.fill(0);
    counts.fill(0);
    onRobot.fill(0);
    let value = pinnedScore;
    for (let i = 0; i < rows; i++) value -= lambda[i];
    for (let i = 0; i < levelCount; i++) if (!forced[i]) value += nu[i] * required[i];
    for (let t = 0; t < taskCount; t++) {
      const end = candStart[t + 1];
      offCand[t] = -1;
      if (pinned[t] >= 0 || !placeableTask[t]) {
        // A task no plan can place (no candidate fits what the pins leave) adds nothing.
        offValue[t] = 0;
        continue;
      }
      const li = levelOfTask[t];
      const isForced = forced[li] === 1;
      const offset = isForced ? 0 : nu[li];
      let bestV = isForced ? Infinity : 0;
      const d0 = demand[t * DIMS];
      const d1 = demand[t * DIMS + 1];
      const d2 = demand[t * DIMS + 2];
      for (let c = candStart[t]; c < end; c++) {
        if (!candFits[c] || c === robotCand[t]) continue;
        const r = candEnv[c] * DIMS;
        const v =
          candScore[c] -
          offset +
          lambda[r] * d0 * share[r] +
          lambda[r + 1] * d1 * share[r + 1] +
          lambda[r + 2] * d2 * share[r + 2];
        if (v < bestV) {
          bestV = v;
          offCand[t] = c;
        }
      }
      offValue[t] = bestV;
    }
    // Robots solved exactly: keep on the robot the subset that fits and gains most. A task of a
    // forced level with no option off its robot (offValue Infinity) must stay on it.
    for (let e = 0; e < envCount; e++) {
      if (!exact[e]) continue;
      const list = tasksOn[e];
      // Only tasks that gain from staying on the robot can be in the best subset.
      let k = 0;
      let mandatory = 0;
      for (let i = 0; i < list.length; i++) {
        const t = list[i];
        if (offValue[t] === Infinity) {
          mandatory |= 1 << i;
          continue;
        }
        const li = levelOfTask[t];
        const g = candScore[robotCand[t]] - (forced[li] ? 0 : nu[li]) - offValue[t];
        if (g < 0) {
          gain[k] = g;
          bit[k++] = 1 << i;
        }
      }
      const fits = fitting[e]!;
      let bestMask = mandatory;
      let bestGain = 0;
      subsetValue[0] = 0;
      subsetMask[0] = 0;
      for (let mask = 1; mask < 1 << k; mask++) {
        const low = 31 - Math.clz32(mask & -mask);
        const rest = mask & (mask - 1);
        const v = subsetValue[rest] + gain[low];
        const original = subsetMask[rest] | bit[low];
        subsetValue[mask] = v;
        subsetMask[mask] = original;
        if (v < bestGain && fits[original | mandatory]) {
          bestGain = v;
          bestMask = original | mandatory;
        }
      }
      for (let i = 0; i < list.length; i++) if (bestMask & (1 << i)) onRobot[list[i]] = 1;
    }
    for (let t = 0; t < taskCount; t++) {
      if (pinned[t] >= 0) continue;
      if (onRobot[t]) {
        const li = levelOfTask[t];
        value += candScore[robotCand[t]] - (forced[li] ? 0 : nu[li]);
        counts[li]++;
        continue;
      }
      const c = offCand[t];
      value += offValue[t];
      if (c < 0) continue;
      counts[levelOfTask[t]]++;
      const r = candEnv[c] * DIMS;
      usage[r] += demand[t * DIMS] * share[r];
      usage[r + 1] += demand[t * DIMS + 1] * share[r + 1];
      usage[r + 2] += demand[t * DIMS + 2] * share[r + 2];
    }
    if (value > bestValue + 1e-12 * Math.max(1, Math.abs(value))) {
      bestValue = value;
      bestLambda.set(lambda);
      bestNu.set(nu);
      bestOnRobot.set(onRobot);
      stall = 0;
    } else if (++stall >= 10) {
      theta /= 2;
      stall = 0;
      lambda.set(bestLambda);
      nu.set(bestNu);
      continue;
    }
    // Subgradient of the dual: overuse of each relaxed row, and shortfall of the relaxed counts.
    let norm = 0;
    for (let i = 0; i < rows; i++) {
      if (!active[i]) continue;
      const g = usage[i] - 1;
      if (lambda[i] > 0 || g > 0) norm += g * g;
    }
    for (let i = 0; i < levelCount; i++) {
      if (forced[i]) continue;
      const g = required[i] - counts[i];
      if (nu[i] > 0 || g > 0) norm += g * g;
    }
    if (norm < 1e-18 || theta < 1e-5 || incumbent - bestValue <= closeEnough) break;
    if (onCheckpoint && done % CHECKPOINT_EVERY === 0) onCheckpoint(guideFrom(bestLambda, bestOnRobot));
    const step = (theta * Math.max(incumbent - value, closeEnough)) / norm;
    for (let i = 0; i < rows; i++) if (active[i]) lambda[i] = Math.max(0, lambda[i] + step * (usage[i] - 1));
    for (let i = 0; i < levelCount; i++) if (!forced[i]) nu[i] = Math.max(0, nu[i] + step * (required[i] - counts[i]));
  }
  return { bound: bestValue, ...guideFrom(bestLambda, bestOnRobot), reducedCost: reducedCosts(), iterations: done };

  function reducedCosts(): Float64Array {
    const out = new Float64Array(candScore.length).fill(NaN);
    for (let t = 0; t < taskCount; t++) {
      if (pinned[t] >= 0 || robotCand[t] >= 0) continue;
      const li = levelOfTask[t];
      const offset = forced[li] ? 0 : bestNu[li];
      let min = forced[li] ? Infinity : 0;
      for (let c = candStart[t]; c < candStart[t + 1]; c++) {
        if (!candFits[c]) continue;
        const r = candEnv[c] * DIMS;
        out[c] =
          candScore[c] -
          offset +
          bestLambda[r] * demand[t * DIMS] * share[r] +
          bestLambda[r + 1] * demand[t * DIMS + 1] * share[r + 1] +
          bestLambda[r + 2] * demand[t * DIMS + 2] * share[r + 2];
        min = Math.min(min, out[c]);
      }
      for (let c = candStart[t]; c < candStart[t + 1]; c++) if (candFits[c]) out[c] -= min;
    }
    return out;
  }

  /** Scores priced by the multipliers, and the robots' best subsets: what guides a construction. */
  function guideFrom(prices: Float64Array, kept: Uint8Array): Pick<LagrangianBound, "reduced" | "robotPick"> {
    const reduced = new Float64Array(candScore.length);
    for (let t = 0; t < taskCount; t++) {
      for (let c = candStart[t]; c < candStart[t + 1]; c++) {
        const r = candEnv[c] * DIMS;
        reduced[c] =
          candScore[c] +
          prices[r] * demand[t * DIMS] * share[r] +
          prices[r + 1] * demand[t * DIMS + 1] * share[r + 1] +
          prices[r + 2] * demand[t * DIMS + 2] * share[r + 2];
      }
    }
    const robotPick = new Int32Array(taskCount).fill(-1);
    for (let t = 0; t < taskCount; t++) if (kept[t]) robotPick[t] = candEnv[robotCand[t]];
    return { reduced, robotPick };
  }
}

/** For each subset (bitmask over `list`), 1 when those tasks fit on robot e together. */
function fittingSubsets(inst: Instance, e: number, list: number[], used: Float64Array): Uint8Array {
  const size = 1 << list.length;
  const fits = new Uint8Array(size);
  used.fill(0, 0, DIMS);
  fits[0] = 1;
  for (let mask = 1; mask < size; mask++) {
    const low = 31 - Math.clz32(mask & -mask);
    const rest = mask & (mask - 1);
    const t = list[low];
    let ok = fits[rest];
    for (let k = 0; k < DIMS; k++) {
      used[mask * DIMS + k] = used[rest * DIMS + k] + inst.demand[t * DIMS + k];
      if (used[mask * DIMS + k] > inst.free[e * DIMS + k] + inst.slack[e * DIMS + k]) ok = 0;
    }
    fits[mask] = ok;
  }
  return fits;
}
