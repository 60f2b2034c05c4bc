import { score, tolerance } from "../model";
import { DIMS, type Instance } from "./instance";
import { NOT_LOCKED, type LockTarget } from "./milp";
import type { Packed } from "./types";

/**
 * Lexicographic worth of a plan: tasks placed per priority level (highest first), then, with a
 * lock, fewest moves, then score; or, with `moveCost`, score + moveCost x moves (docs/contract.md §6).
 */
export interface Worth {
  placed: number[];
  moves: number;
  score: number;
  moveCost?: number;
}

/** The lock a plan is compared against, and how moves weigh (docs/contract.md §6). */
export interface Stability {
  lock: LockTarget;
  moveCost?: number;
}

export function worth(inst: Instance, packed: Packed, stability?: Stability): Worth {
  const { assignment } = packed;
  const placed = inst.levels.map(() => 0);
  const levelIndex = new Map(inst.levels.map((p, i) => [p, i]));
  let total = 0;
  for (let t = 0; t < inst.taskCount; t++) {
    const e = assignment[t];
    if (e < 0) continue;
    placed[levelIndex.get(inst.priority[t])!]++;
    total += scoreOf(inst, t, e);
  }
  const moves = stability ? countMoves(stability.lock, packed) : 0;
  return { placed, moves, score: total, ...(stability?.moveCost !== undefined && { moveCost: stability.moveCost }) };
}

/** Locked tasks placed elsewhere (another environment, or another machine the lock names) or not at all. */
export function countMoves(lock: LockTarget, packed: Packed): number {
  let moves = 0;
  for (let t = 0; t < lock.env.length; t++) if (isMove(lock, packed, t)) moves++;
  return moves;
}

export function isMove(lock: LockTarget, packed: Packed, t: number): boolean {
  const e = lock.env[t];
  if (e === NOT_LOCKED) return false;
  return packed.assignment[t] !== e || (lock.machine[t] >= 0 && packed.machine[t] !== lock.machine[t]);
}

/** Score of task t on environment e; pins may sit outside the candidate list. */
export function scoreOf(inst: Instance, t: number, e: number): number {
  for (let c = inst.candStart[t]; c < inst.candStart[t + 1]; c++) if (inst.candEnv[c] === e) return inst.candScore[c];
  const { tasks, environments, weights } = inst.problem;
  return score(tasks[t], environments[e], weights);
}

/** Negative when a is better: more placed at the first level that differs, then fewer moves, then lower score. */
export function compareWorth(a: Worth, b: Worth): number {
  const byCount = compareCounts(a.placed, b.placed);
  if (byCount !== 0) return byCount;
  const cost = a.moveCost ?? 0;
  if (a.moveCost === undefined && a.moves !== b.moves) return a.moves - b.moves;
  const va = a.score + cost * a.moves;
  const vb = b.score + cost * b.moves;
  // Equal within the contract's tolerance (docs/contract.md §2) of the larger of the two.
  return Math.abs(va - vb) <= tolerance(Math.max(Math.abs(va), Math.abs(vb))) ? 0 : va - vb;
}

/** Negative when `a` places more than `b` at the first level where they differ (highest first), 0 when all agree. */
export function compareCounts(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return b[i] - a[i];
  return 0;
}

/**
 * True when the optimizer's tasks break no capacity, of an environment or of a machine
 * (docs/contract.md §5: every task on a tier with machines has one, within its units and disk).
 */
export function respectsCapacity(inst: Instance, packed: Packed): boolean {
  return respectsTierCapacity(inst, packed.assignment) && respectsMachines(inst, packed);
}

function respectsMachines(inst: Instance, { assignment, machine }: Packed): boolean {
  const { machines, demand } = inst;
  const units = machines.units.slice();
  const storage = machines.storage.slice();
  for (let t = 0; t < inst.taskCount; t++) {
    const e = assignment[t];
    if (e < 0 || machines.start[e] === machines.start[e + 1]) continue;
    const m = machine[t];
    if (m < 0 || machines.env[m] !== e) {
      if (inst.pinned[t] >= 0) continue;
      return false;
    }
    units[m] -= machines.taskUnits[t * machines.classCount + machines.unitClass[m]];
    storage[m] -= demand[t * DIMS + 1];
  }
  // Pins may overfill a machine (the plan lists it as a violation); the optimizer's tasks may not.
  for (let t = 0; t < inst.taskCount; t++) {
    const m = machine[t];
    if (m < 0 || inst.pinned[t] >= 0) continue;
    if (units[m] < 0 || storage[m] < -machines.storageSlack[m]) return false;
  }
  return true;
}

function respectsTierCapacity(inst: Instance, assignment: Int32Array): boolean {
  const free = inst.free.slice();
  for (let t = 0; t < inst.taskCount; t++) {
    const e = assignment[t];
    if (e < 0 || inst.pinned[t] >= 0) continue;
    for (let k = 0; k < DIMS; k++) free[e * DIMS + k] -= inst.demand[t * DIMS + k];
  }
  const used = new Uint8Array(inst.envCount);
  for (let t = 0; t < inst.taskCount; t++) if (assignment[t] >= 0 && inst.pinned[t] < 0) used[assignment[t]] = 1;
  for (let e = 0; e < inst.envCount; e++) {
    if (!used[e]) continue;
    for (let k = 0; k < DIMS; k++) if (free[e * DIMS + k] < -inst.slack[e * DIMS + k]) return false;
  }
  return true;
}
