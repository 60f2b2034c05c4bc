import { Load, type Instance } from "./instance";
import type { LockTarget } from "./milp";
import type { Packed } from "./types";

/**
 * The seed's TaskAllocator, as docs/contract.md §3 fixes it: tasks by ascending maxLatency (ties
 * in input order), each to its lowest-score allowed environment (ties in environment order); when
 * that one is full the task stays unplaced. Priorities are ignored, as in the seed (docs/input.md,
 * "Where the seed contradicts itself").
 */
export function seedGreedy(inst: Instance, lock?: LockTarget, options: { lockedOnly?: boolean } = {}): Packed {
  const { problem, candStart, candEnv, candScore, pinned } = inst;
  const assignment = Int32Array.from(pinned);
  // The seed has no machines; on a tier with them it packs by first fit (docs/input.md, "Packing").
  const load = new Load(inst, "first-fit");
  if (lock) keepLocked(inst, lock, load, assignment);
  if (options.lockedOnly) return { assignment, machine: load.machineOf.slice() };
  const order = problem.tasks
    .filter((task) => assignment[task.index] < 0)
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
    if (best >= 0 && load.fits(t, best) && load.add(t, best)) assignment[t] = best;
  }
  return { assignment, machine: load.machineOf.slice() };
}

/**
 * With a lock, the seed's greedy first keeps every locked task that can stay (docs/contract.md §6), higher
 * priority first, on its locked machine where it has room; the seed's order places the rest.
 */
function keepLocked(inst: Instance, lock: LockTarget, load: Load, assignment: Int32Array): void {
  const order = inst.problem.tasks
    .filter((t) => assignment[t.index] < 0 && lock.env[t.index] >= 0)
    .sort((a, b) => b.priority - a.priority || a.index - b.index);
  for (const { index: t } of order) {
    const e = lock.env[t];
    let candidate = false;
    for (let c = inst.candStart[t]; c < inst.candStart[t + 1]; c++) if (inst.candEnv[c] === e) candidate = true;
    if (candidate && load.fits(t, e) && load.add(t, e, lock.machine[t])) assignment[t] = e;
  }
}
