import type { Problem } from "../model";
import { lagrangianBound, type LagrangianBound } from "./bound";
import { compareWorth, worth, type Worth } from "./evaluate";
import { regretHeuristic } from "./heuristic";
import { buildInstance, isPlaceable, type Instance } from "./instance";
import { highs, solveStage } from "./milp";
import { seedGreedy } from "./seedGreedy";
import { DEFAULT_BUDGET, type Budget, type SolveOptions, type Solution } from "./types";

/** Plans `problem` with the chosen algorithm (default `auto`). Deterministic for a given input and budget. */
export async function solve(problem: Problem, options: SolveOptions = {}): Promise<Solution> {
  const algorithm = options.algorithm ?? "auto";
  const inst = buildInstance(problem);
  const progress = options.onProgress ?? (() => {});
  if (algorithm === "seed-greedy") return certify(inst, seedGreedy(inst), DEFAULT_BUDGET.boundIterations);
  const budget: Budget =
    algorithm === "exact"
      ? { milpNodes: Infinity, milpMaxColumns: Infinity, boundIterations: DEFAULT_BUDGET.boundIterations, ...options.budget }
      : { ...DEFAULT_BUDGET, ...options.budget };

  // The seed's greedy joins the pool, so `auto` is never worse than the baseline by construction.
  let best = seedGreedy(inst).assignment;
  let bestWorth = worth(inst, best);
  const regret = regretHeuristic(inst);
  const regretWorth = worth(inst, regret);
  if (compareWorth(regretWorth, bestWorth) < 0) {
    best = regret;
    bestWorth = regretWorth;
  }
  const work: Record<string, number> = { heuristicRuns: 2 };
  // The Lagrangian multipliers price the contended capacity, and its robot subproblems say which
  // tasks each robot should keep: a construction guided by both lands large fleets within about a
  // percent of the bound.
  const tryGuide = (guide: { reduced: Float64Array; robotPick: Int32Array }) => {
    const guided = regretHeuristic(inst, guide.reduced, guide.robotPick);
    work.heuristicRuns++;
    const guidedWorth = worth(inst, guided);
    if (compareWorth(guidedWorth, bestWorth) < 0) {
      best = guided;
      bestWorth = guidedWorth;
    }
  };
  // The bound holds for plans placing at least the counts it was given: when a guided
  // construction places more, bound again for the new counts (the last round guides nothing).
  let relaxed: ReturnType<typeof lagrangianBound>;
  for (let round = 0; ; round++) {
    const counts = bestWorth.placed;
    relaxed = lagrangianBound(inst, counts, bestWorth.score, budget.boundIterations, round < 2 ? tryGuide : undefined);
    work.boundIterations = (work.boundIterations ?? 0) + relaxed.iterations;
    if (round < 2) tryGuide(relaxed);
    if (bestWorth.placed.every((p, i) => p === counts[i])) break;
  }

  const columns = inst.candFits.reduce((sum, fits) => sum + fits, 0);
  work.columns = columns;
  if (columns <= budget.milpMaxColumns) {
    progress(`MILP over ${columns} placement variables`);
    const exact = await lexicographic(inst, best, bestWorth, budget, relaxed, progress);
    Object.assign(work, exact.work);
    return { ...exact, algorithm, work };
  }
  return withGap(inst, { assignment: best, algorithm, method: "regret+lagrangian", optimal: false, gap: NaN, countsProven: false, work }, bestWorth, relaxed.bound);
}

/** Strict priority by stages: the most tasks at each level in turn, then the least score (contract §2). */
async function lexicographic(
  inst: Instance,
  start: Int32Array,
  startWorth: Worth,
  budget: Budget,
  relaxed: LagrangianBound,
  progress: (m: string) => void,
): Promise<Solution> {
  const startBound = relaxed.bound;
  const solver = await highs();
  const ceilings = placedCeilings(inst);
  const minPlaced = new Map<number, number>();
  const forced = new Set<number>();
  let incumbent = start;
  let incumbentWorth = startWorth;
  let countsProven = true;
  const work: Record<string, number> = { milpStages: 0, milpNodes: 0 };
  for (const [i, level] of inst.levels.entries()) {
    let placed = incumbentWorth.placed[i];
    if (placed < ceilings[i]) {
      progress(`priority ${level}: maximising tasks placed (${placed} of ${ceilings[i]} so far)`);
      const stage = solveStage(solver, inst, { countLevel: level, minPriority: level, minPlaced, forced, start: incumbent, maxNodes: budget.milpNodes });
      work.milpStages++;
      work.milpNodes += stage.nodes;
      countsProven &&= stage.optimal;
      if (stage.assignment && stage.objective + countPinned(inst, level) > placed) {
        placed = Math.round(stage.objective) + countPinned(inst, level);
        incumbent = regretHeuristic(inst, inst.candScore, stage.assignment);
        incumbentWorth = worth(inst, incumbent);
      }
    }
    minPlaced.set(level, placed);
    if (placed >= ceilings[i]) forced.add(level);
  }
  progress("minimising the score");
  // Reduced-cost fixing: with the counts the bound was computed for, a candidate whose reduced
  // cost lifts the bound above the incumbent is in no better plan, so the MILP can leave it out.
  let exclude: Uint8Array | undefined;
  if (incumbentWorth.placed.every((p, i) => p === startWorth.placed[i])) {
    exclude = new Uint8Array(relaxed.reducedCost.length);
    const limit = incumbentWorth.score - relaxed.bound + 1e-7 * Math.max(1, Math.abs(incumbentWorth.score));
    for (let c = 0; c < exclude.length; c++) if (relaxed.reducedCost[c] > limit) exclude[c] = 1;
    work.fixedColumns = exclude.reduce((sum, x) => sum + x, 0);
  }
  const final = solveStage(solver, inst, { minPriority: -Infinity, minPlaced, forced, start: incumbent, maxNodes: budget.milpNodes, ...(exclude && { exclude }) });
  work.milpStages++;
  work.milpNodes += final.nodes;
  if (final.assignment) {
    const finalWorth = worth(inst, final.assignment);
    if (compareWorth(finalWorth, incumbentWorth) <= 0) {
      incumbent = final.assignment;
      incumbentWorth = finalWorth;
    }
  }
  const solution: Solution = { assignment: incumbent, algorithm: "exact", method: "milp", optimal: false, gap: NaN, countsProven, work };
  if (countsProven && final.optimal) return { ...solution, optimal: true, gap: 0, bound: incumbentWorth.score };
  // A bound from the Lagrangian holds only for the counts it was computed with.
  const sameCounts = incumbentWorth.placed.every((p, i) => p === startWorth.placed[i]);
  const pinnedScore = incumbentWorth.score - scoreOfUnpinned(inst, incumbent);
  const bound = Math.max(final.bound + pinnedScore, sameCounts ? startBound : -Infinity);
  return withGap(inst, solution, incumbentWorth, Number.isFinite(bound) ? bound : lagrangianBound(inst, incumbentWorth.placed, incumbentWorth.score, budget.boundIterations).bound);
}

/** Certifies a heuristic plan: the Lagrangian bound for its counts, and the gap to it. */
function certify(inst: Instance, solution: Solution, iterations: number): Solution {
  const w = worth(inst, solution.assignment);
  return withGap(inst, solution, w, lagrangianBound(inst, w.placed, w.score, iterations).bound);
}

/** Adds the bound and the relative gap; counts are proven where every placeable task is placed. */
function withGap(inst: Instance, solution: Solution, w: Worth, bound: number): Solution {
  const ceilings = placedCeilings(inst);
  const countsProven = solution.countsProven || w.placed.every((p, i) => p >= ceilings[i]);
  const capped = Math.min(w.score, bound);
  const gap = relativeGap(w.score, capped);
  return { ...solution, countsProven, bound: capped, gap, optimal: countsProven && gap === 0 };
}

export function relativeGap(value: number, bound: number): number {
  const diff = value - bound;
  if (diff <= 1e-9 * Math.max(1, Math.abs(value))) return 0;
  return diff / Math.max(Math.abs(value), 1e-9);
}

/** Most tasks each level could ever place: its pins plus its tasks with a candidate that fits. */
function placedCeilings(inst: Instance): number[] {
  return inst.levels.map((level) => {
    let count = 0;
    for (let t = 0; t < inst.taskCount; t++) {
      if (inst.priority[t] !== level) continue;
      if (inst.pinned[t] >= 0 || isPlaceable(inst, t)) count++;
    }
    return count;
  });
}

function countPinned(inst: Instance, level: number): number {
  let count = 0;
  for (let t = 0; t < inst.taskCount; t++) if (inst.pinned[t] >= 0 && inst.priority[t] === level) count++;
  return count;
}

function scoreOfUnpinned(inst: Instance, assignment: Int32Array): number {
  let total = 0;
  for (let t = 0; t < inst.taskCount; t++) {
    if (inst.pinned[t] >= 0 || assignment[t] < 0) continue;
    for (let c = inst.candStart[t]; c < inst.candStart[t + 1]; c++) if (inst.candEnv[c] === assignment[t]) total += inst.candScore[c];
  }
  return total;
}
