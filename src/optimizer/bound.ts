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

type Guide = Pick<LagrangianBound, "reduced" | "robotPick">;

/** Fleet robots with at most this many candidate tasks get their subproblem solved exactly. */
const EXACT_ROBOT_TASKS = 12;
/** Iterations between guided constructions. */
const CHECKPOINT_EVERY = 50;
/** The first step's scale (Polyak's θ): a full step towards the incumbent's score. */
const INITIAL_STEP_SCALE = 1;
/** Relative gain a dual value needs over the best to count as progress rather than rounding. */
const IMPROVEMENT_TOLERANCE = 1e-12;
/**
 * Iterations without progress before the step halves (and, for the score bound, the multipliers
 * restart from the best).
 */
const STALL_LIMIT = 10;
/** Squared subgradient norm below which the multipliers are optimal: no direction improves. */
const ZERO_SUBGRADIENT = 1e-18;
/** Step scale below which steps no longer move the bound: give up. */
const MIN_STEP_SCALE = 1e-5;
/** A count bound within this of a whole number is that number: float sums of -1s are off in the last bits only. */
const COUNT_TOLERANCE = 1e-6;
/** Relative gap to the incumbent at which the bound proves it optimal: nothing left to close. */
const GAP_TOLERANCE = 1e-9;

/** What the dual of one bound computation shares between its steps: set once, or per iteration. */
interface BoundState {
  inst: Instance;
  /** Per task, the index of its level in `inst.levels`. */
  levelOfTask: Int32Array;
  /** Per task, 1 when unpinned and some candidate fits what the pins leave. */
  placeableTask: Uint8Array;
  /** Per level, the tasks beyond the pinned ones the plans compared must place. */
  required: Float64Array;
  /** Per level, 1 when every placeable task must be placed (its count row is not relaxed). */
  forced: Uint8Array;
  /** Score of the pinned tasks, the same in every plan. */
  pinnedScore: number;
  /** Per task, its candidate on an exactly solved robot (-1: none). */
  robotCand: Int32Array;
  /** Per environment, the unpinned tasks with a fitting candidate on it when it is a fleet robot. */
  tasksOn: number[][];
  /** Per environment, 1 for a fleet robot whose subproblem is solved exactly. */
  exact: Uint8Array;
  /** Per exact robot, which subsets of `tasksOn` fit (bitmask-indexed). */
  fitting: Array<Uint8Array | undefined>;
  /** Per relaxed row (environment × dimension), 1 / capacity: demands become shares; 0 when not relaxed. */
  share: Float64Array;
  /** Per row, 1 when relaxed: candidates could overfill it and it is not on an exact robot. */
  active: Uint8Array;
  /** Multipliers of the capacity rows. */
  lambda: Float64Array;
  /** Multipliers of the count rows of levels not forced. */
  nu: Float64Array;
  /** Per row, the share of capacity the current subproblem solution uses. */
  usage: Float64Array;
  /** Per level, the tasks the current subproblem solution places. */
  counts: Float64Array;
  /** Per task, the best priced value off its robot (0: unplaced, Infinity: none allowed). */
  offValue: Float64Array;
  /** Per task, the candidate of `offValue` (-1: unplaced). */
  offCand: Int32Array;
  /** Per task, 1 when its robot's best subset keeps it there. */
  onRobot: Uint8Array;
  /** Scratch of `bestSubset`: per position in its gain order, the sum of the gains from there on. */
  remaining: Float64Array;
  /** Scratch of `bestSubset`: the gaining tasks' gains and their bits in `tasksOn`. */
  gain: Float64Array;
  bit: Int32Array;
}

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
  onCheckpoint?: (guide: Guide) => void,
): LagrangianBound {
  return subgradient(inst, placed, incumbent, iterations, "best", onCheckpoint);
}

/**
 * Where a halved step goes on from after a stall: the best multipliers so far (stabilises the
 * score bound, whose candidates' scores differ), or where the steps have got to (the count bound:
 * see lagrangianCountBound).
 */
type Restart = "best" | "current";

function subgradient(
  inst: Instance,
  placed: number[],
  incumbent: number,
  iterations: number,
  restart: Restart,
  onCheckpoint?: (guide: Guide) => void,
): LagrangianBound {
  const s = boundState(inst, placed);
  const { lambda, nu, onRobot } = s;
  const bestLambda = new Float64Array(lambda.length);
  const bestNu = new Float64Array(nu.length);
  const bestOnRobot = new Uint8Array(onRobot.length);
  let bestValue = -Infinity;
  let sinceHalved = -Infinity;
  let theta = INITIAL_STEP_SCALE;
  let stall = 0;
  let done = 0;
  const closeEnough = GAP_TOLERANCE * Math.max(1, Math.abs(incumbent));
  for (let it = 0; it < iterations; it++) {
    done = it + 1;
    priceOffRobot(s);
    solveRobots(s);
    const value = dualValue(s);
    const tolerance = IMPROVEMENT_TOLERANCE * Math.max(1, Math.abs(value));
    const improved = value > bestValue + tolerance;
    if (improved) {
      bestValue = value;
      bestLambda.set(lambda);
      bestNu.set(nu);
      bestOnRobot.set(onRobot);
    }
    // Carrying on, the steps may have to cross a valley below the best first: progress is then
    // measured since the step was last halved, not against the best.
    if (restart === "best" ? improved : value > sinceHalved + tolerance) {
      sinceHalved = value;
      stall = 0;
    } else if (++stall >= STALL_LIMIT) {
      theta /= 2;
      stall = 0;
      sinceHalved = -Infinity;
      if (restart === "best") {
        lambda.set(bestLambda);
        nu.set(bestNu);
        continue;
      }
    }
    const norm = subgradientNorm(s);
    if (norm < ZERO_SUBGRADIENT || theta < MIN_STEP_SCALE || incumbent - bestValue <= closeEnough) break;
    if (onCheckpoint && done % CHECKPOINT_EVERY === 0) onCheckpoint(guideFrom(s, bestLambda, bestOnRobot));
    subgradientStep(s, (theta * Math.max(incumbent - value, closeEnough)) / norm);
  }
  return {
    bound: bestValue,
    ...guideFrom(s, bestLambda, bestOnRobot),
    reducedCost: reducedCosts(s, bestLambda, bestNu),
    iterations: done,
  };
}

/**
 * The most tasks of level `li` any plan can place that places at least `placed` at the levels
 * above: lagrangianBound's relaxation with a score of -1 for every candidate of the level and 0
 * for all others. Its robot subproblems say which tasks each robot keeps to place the most there
 * (on tight-fleet a construction from them reaches the reference's proven count).
 * `incumbent`: tasks of the level some plan places, for the step size.
 */
export function lagrangianCountBound(
  inst: Instance,
  placed: number[],
  li: number,
  incumbent: number,
  iterations: number,
): { count: number; robotPick: Int32Array; iterations: number } {
  const { taskCount, candStart, pinned, priority, levels } = inst;
  const level = levels[li];
  const candScore = new Float64Array(inst.candScore.length);
  let pinnedHere = 0;
  for (let t = 0; t < taskCount; t++) {
    if (pinned[t] >= 0 && priority[t] === level) pinnedHere++;
    if (priority[t] === level) candScore.fill(-1, candStart[t], candStart[t + 1]);
  }
  const counting = { ...inst, candScore };
  // The dual counts the pins at the scores it sees (-1 on a candidate of the level, 0 on others,
  // the true score where a pin is not a candidate): taken out again below.
  let pinnedScore = 0;
  for (let t = 0; t < taskCount; t++) if (pinned[t] >= 0) pinnedScore += scoreOf(counting, t, pinned[t]);
  const above = placed.map((p, i) => (i < li ? p : 0));
  // Every task of the level scores the same, so at zero prices the robots' choices among shared
  // tiers are ties: the first steps price the tiers they picked and the tasks move to unpriced
  // ones, lowering the dual. Restarting from the best multipliers (zero) after each stall never got
  // past that (spill-fleet: the bound stayed at all 4,030 tasks of priority 2; carrying on: 3,759
  // in 300 iterations, the native reference's bound). The steps aim at `incumbent`, so the bound depends on it:
  // there 3,759 from an incumbent of 3,622 and 3,779 from 3,758 (any value is still a bound).
  const dual = subgradient(counting, above, pinnedScore - (incumbent - pinnedHere), iterations, "current");
  return {
    count: Math.floor(pinnedScore - dual.bound + pinnedHere + COUNT_TOLERANCE),
    robotPick: dual.robotPick,
    iterations: dual.iterations,
  };
}

/** The fixed parts of the dual (levels, robots, relaxed rows) and zeroed multipliers and scratch. */
function boundState(inst: Instance, placed: number[]): BoundState {
  const { taskCount, envCount, levels } = inst;
  const rows = envCount * DIMS;
  const { levelOfTask, placeableTask, required, forced, pinnedScore } = levelRequirements(inst, placed);
  const { robotCand, tasksOn, exact, fitting } = robotCandidates(inst);
  const { share, active } = relaxedRows(inst, exact);
  return {
    inst,
    levelOfTask,
    placeableTask,
    required,
    forced,
    pinnedScore,
    robotCand,
    tasksOn,
    exact,
    fitting,
    share,
    active,
    lambda: new Float64Array(rows),
    nu: new Float64Array(levels.length),
    usage: new Float64Array(rows),
    counts: new Float64Array(levels.length),
    offValue: new Float64Array(taskCount),
    offCand: new Int32Array(taskCount),
    onRobot: new Uint8Array(taskCount),
    remaining: new Float64Array(EXACT_ROBOT_TASKS + 1),
    gain: new Float64Array(EXACT_ROBOT_TASKS),
    bit: new Int32Array(EXACT_ROBOT_TASKS),
  };
}

/** Per level, what the plans compared must place beyond the pins: the count rows to relax or force. */
function levelRequirements(
  inst: Instance,
  placed: number[],
): Pick<BoundState, "levelOfTask" | "placeableTask" | "required" | "forced" | "pinnedScore"> {
  const { taskCount, pinned, priority, levels } = inst;
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
  return { levelOfTask, placeableTask, required, forced, pinnedScore };
}

/** Each task's candidate on its own robot, and the robots small enough to solve exactly. */
function robotCandidates(inst: Instance): Pick<BoundState, "robotCand" | "tasksOn" | "exact" | "fitting"> {
  const { taskCount, envCount, candStart, candEnv, candFits, pinned, problem } = inst;
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
  return { robotCand, tasksOn, exact, fitting };
}

/** Rows to relax, scaled to shares of their capacity; only rows the candidates could overfill. */
function relaxedRows(inst: Instance, exact: Uint8Array): Pick<BoundState, "share" | "active"> {
  const { taskCount, envCount, candStart, candEnv, candFits, demand, free, slack } = inst;
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
  return { share, active };
}

/** Per task, its best option off its robot at the current prices: what staying on the robot competes with. */
function priceOffRobot(s: BoundState): void {
  const { taskCount, candStart, candEnv, candScore, candFits, demand, pinned } = s.inst;
  const { placeableTask, levelOfTask, forced, robotCand, share, lambda, nu, offValue, offCand } = s;
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
}

/** Robots solved exactly: each keeps the subset that fits and gains most over the tasks' options off it. */
function solveRobots(s: BoundState): void {
  const { envCount } = s.inst;
  const { exact, tasksOn, onRobot } = s;
  onRobot.fill(0);
  for (let e = 0; e < envCount; e++) {
    if (!exact[e]) continue;
    const list = tasksOn[e];
    const bestMask = bestSubset(s, e);
    for (let i = 0; i < list.length; i++) if (bestMask & (1 << i)) onRobot[list[i]] = 1;
  }
}

/**
 * The bitmask over `tasksOn[e]` of the tasks robot e keeps: enumerating only the tasks that gain
 * from staying keeps the subsets few. A task of a forced level with no option off its robot
 * (offValue Infinity) must stay on it.
 *
 * Depth first, largest gain first: a subset that does not fit has no superset that fits
 * (demands are not negative), and a branch whose remaining gains cannot beat the best is cut.
 * On a full fleet most of the 2^k subsets are cut (machines-fleet: solveRobots was two thirds
 * of the bound's time).
 */
function bestSubset(s: BoundState, e: number): number {
  const { candScore } = s.inst;
  const { levelOfTask, forced, nu, robotCand, offValue, gain, bit, remaining } = s;
  const list = s.tasksOn[e];
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
      // Insertion by gain, most negative first (ties: list order): the cut below needs the largest first.
      let j = k++;
      for (; j > 0 && gain[j - 1] > g; j--) {
        gain[j] = gain[j - 1];
        bit[j] = bit[j - 1];
      }
      gain[j] = g;
      bit[j] = 1 << i;
    }
  }
  return bestFittingSubset(gain, bit, k, s.fitting[e]!, mandatory, remaining);
}

/**
 * The fitting subset of the k tasks with the lowest total gain, as a bitmask with `mandatory`
 * added (`mandatory` alone when no subset gains). `gain` (all negative) must be sorted
 * ascending, with `bit` the task bits in the same order; `fits[mask]` says whether a subset
 * fits; `remaining` is scratch of k + 1 values.
 */
export function bestFittingSubset(
  gain: Float64Array,
  bit: Int32Array,
  k: number,
  fits: Uint8Array,
  mandatory: number,
  remaining: Float64Array,
): number {
  remaining[k] = 0;
  for (let j = k - 1; j >= 0; j--) remaining[j] = remaining[j + 1] + gain[j];
  const search = { gain, bit, k, fits, mandatory, remaining, bestMask: mandatory, bestGain: 0 };
  extendSubset(search, 0, 0, 0);
  return search.bestMask;
}

interface SubsetSearch {
  gain: Float64Array;
  bit: Int32Array;
  k: number;
  fits: Uint8Array;
  mandatory: number;
  remaining: Float64Array;
  bestMask: number;
  bestGain: number;
}

/** bestFittingSubset's search: adds tasks from `from` on to the fitting subset `mask` of gain `value`. */
function extendSubset(search: SubsetSearch, from: number, mask: number, value: number): void {
  const { gain, bit, remaining, fits, mandatory } = search;
  for (let j = from; j < search.k; j++) {
    if (value + remaining[j] >= search.bestGain) return;
    const next = mask | bit[j];
    if (!fits[next | mandatory]) continue;
    const v = value + gain[j];
    if (v < search.bestGain) {
      search.bestGain = v;
      search.bestMask = next | mandatory;
    }
    extendSubset(search, j + 1, next, v);
  }
}

/** The dual function at the current multipliers (a valid bound), and the usage and counts its subgradient needs. */
function dualValue(s: BoundState): number {
  const { taskCount, candEnv, candScore, demand, pinned } = s.inst;
  const { levelOfTask, forced, required, robotCand, share, lambda, nu, usage, counts, offValue, offCand, onRobot } = s;
  usage.fill(0);
  counts.fill(0);
  let value = s.pinnedScore;
  for (let i = 0; i < lambda.length; i++) value -= lambda[i];
  for (let i = 0; i < nu.length; i++) if (!forced[i]) value += nu[i] * required[i];
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
  return value;
}

/** Squared norm of the subgradient (overuse of relaxed rows, shortfall of relaxed counts): the step's divisor. */
function subgradientNorm(s: BoundState): number {
  const { active, usage, lambda, forced, required, counts, nu } = s;
  let norm = 0;
  for (let i = 0; i < lambda.length; i++) {
    if (!active[i]) continue;
    const g = usage[i] - 1;
    if (lambda[i] > 0 || g > 0) norm += g * g;
  }
  for (let i = 0; i < nu.length; i++) {
    if (forced[i]) continue;
    const g = required[i] - counts[i];
    if (nu[i] > 0 || g > 0) norm += g * g;
  }
  return norm;
}

/** Moves the multipliers along the subgradient, kept nonnegative: prices rise where rows overfill. */
function subgradientStep(s: BoundState, step: number): void {
  const { active, usage, lambda, forced, required, counts, nu } = s;
  for (let i = 0; i < lambda.length; i++) if (active[i]) lambda[i] = Math.max(0, lambda[i] + step * (usage[i] - 1));
  for (let i = 0; i < nu.length; i++) if (!forced[i]) nu[i] = Math.max(0, nu[i] + step * (required[i] - counts[i]));
}

/** Per candidate, its priced score above its task's best option: what reduced-cost fixing compares. */
function reducedCosts(s: BoundState, prices: Float64Array, levelPrices: Float64Array): Float64Array {
  const { taskCount, candStart, candEnv, candScore, candFits, demand, pinned } = s.inst;
  const { robotCand, levelOfTask, forced, share } = s;
  const out = new Float64Array(candScore.length).fill(NaN);
  for (let t = 0; t < taskCount; t++) {
    if (pinned[t] >= 0 || robotCand[t] >= 0) continue;
    const li = levelOfTask[t];
    const offset = forced[li] ? 0 : levelPrices[li];
    let min = forced[li] ? Infinity : 0;
    for (let c = candStart[t]; c < candStart[t + 1]; c++) {
      if (!candFits[c]) continue;
      const r = candEnv[c] * DIMS;
      out[c] =
        candScore[c] -
        offset +
        prices[r] * demand[t * DIMS] * share[r] +
        prices[r + 1] * demand[t * DIMS + 1] * share[r + 1] +
        prices[r + 2] * demand[t * DIMS + 2] * share[r + 2];
      min = Math.min(min, out[c]);
    }
    for (let c = candStart[t]; c < candStart[t + 1]; c++) if (candFits[c]) out[c] -= min;
  }
  return out;
}

/** Scores priced by the multipliers, and the robots' best subsets: what guides a construction. */
function guideFrom(s: BoundState, prices: Float64Array, kept: Uint8Array): Guide {
  const { taskCount, candStart, candEnv, candScore, demand } = s.inst;
  const { share, robotCand } = s;
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
