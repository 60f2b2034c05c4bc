import type { Problem } from "../model";
import { lagrangianBound } from "./bound";
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
  // The Lagrangian multipliers price the contended capacity: a second construction guided by them
  // is what lands large instances within a fraction of a percent of the LP bound.
  const relaxed = lagrangianBound(inst, bestWorth.placed, bestWorth.score, budget.boundIterations);
  work.boundIterations = relaxed.iterations;
  const guided = regretHeuristic(inst, relaxed.reduced);
  work.heuristicRuns++;
  const guidedWorth = worth(inst, guided);
  if (compareWorth(guidedWorth, bestWorth) < 0) {
    best = guided;
    bestWorth = guidedWorth;
  }

  const columns = inst.candFits.reduce((sum, fits) => sum + fits, 0);
  work.columns = columns;
  if (columns <= budget.milpMaxColumns) {
    progress(`MILP over ${columns} placement variables`);
    const exact = await lexicographic(inst, best, bestWorth, budget, progress);
    Object.assign(work, exact.work);
    return { ...exact, algorithm, work };
  }
  const method = "regret+lagrangian";
  return { ...certify(inst, { assignment: best, algorithm, method, optimal: false, gap: NaN, countsProven: false, work }, budget.boundIterations, relaxed.bound, bestWorth) };
}

/** Strict priority by stages: the most tasks at each level in turn, then the least score (contract §2). */
async function lexicographic(inst: Instance, start: Int32Array, startWorth: Worth, budget: Budget, progress: (m: string) => void): Promise<Solution> {
  const solver = await highs();
  const ceilings = placedCeilings(inst);
  const minPlaced = new Map<number, number>();
  const forced = new Set<number>();
  let incumbent = start;
  let incumbentWorth = startWorth;
  let countsProven = true;
  const work = { milpStages: 0, milpNodes: 0 };
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
  const final = solveStage(solver, inst, { minPriority: -Infinity, minPlaced, forced, start: incumbent, maxNodes: budget.milpNodes });
  work.milpStages++;
  work.milpNodes += final.nodes;
  if (final.assignment) {
    const finalWorth = worth(inst, final.assignment);
    if (compareWorth(finalWorth, incumbentWorth) <= 0) {
      incumbent = final.assignment;
      incumbentWorth = finalWorth;
    }
  }
  const pinnedScore = incumbentWorth.score - scoreOfUnpinned(inst, incumbent);
  const solution: Solution = {
    assignment: incumbent,
    algorithm: "exact",
    method: "milp",
    optimal: countsProven && final.optimal,
    gap: 0,
    countsProven,
    work,
  };
  if (solution.optimal) return { ...solution, bound: incumbentWorth.score };
  return certify(inst, solution, budget.boundIterations, final.bound + pinnedScore, incumbentWorth);
}

/** Adds the best proven lower bound on the score and the relative gap to it. */
function certify(inst: Instance, solution: Solution, iterations: number, knownBound = -Infinity, known?: Worth): Solution {
  const w = known ?? worth(inst, solution.assignment);
  const ceilings = placedCeilings(inst);
  const countsProven = solution.countsProven || w.placed.every((p, i) => p >= ceilings[i]);
  const relaxed = lagrangianBound(inst, w.placed, w.score, iterations);
  const bound = Math.min(w.score, Math.max(knownBound, relaxed.bound));
  const gap = relativeGap(w.score, bound);
  return { ...solution, countsProven, bound, gap, optimal: countsProven && gap <= 1e-9 };
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
