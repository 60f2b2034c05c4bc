import { Load, type Instance } from "./instance";
import type { Solution } from "./types";

/**
 * The seed's TaskAllocator (001 §5.2), as contract §3 fixes it: tasks by ascending maxLatency
 * (ties in input order), each to its lowest-score allowed environment (ties in environment
 * order); when that one is full the task stays unplaced. Priorities are ignored, as in the seed.
 */
export function seedGreedy(inst: Instance): Solution {
  const { problem, candStart, candEnv, candScore, pinned } = inst;
  const assignment = Int32Array.from(pinned);
  const load = new Load(inst);
  const order = problem.tasks
    .filter((task) => pinned[task.index] < 0)
    .sort((a, b) => a.maxLatency - b.maxLatency || a.index - b.index);
  for (const task of order) {
    const t = task.index;
    let best = -1;
    let bestScore = Infinity;
    for (let c = candStart[t]; c < candStart[t + 1]; c++) {
      if (candScore[c] < bestScore) {
        bestScore = candScore[c];
        best = candEnv[c];
      }
    }
    if (best >= 0 && load.fits(t, best)) {
      assignment[t] = best;
      load.add(t, best);
    }
  }
  return { assignment, algorithm: "seed-greedy", method: "seed-greedy", optimal: false, gap: NaN, countsProven: false, work: {} };
}

