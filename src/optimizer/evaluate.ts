import { score } from "../model";
import { DIMS, type Instance } from "./instance";

/** Lexicographic worth of an assignment: tasks placed per priority level (highest first), then score. */
export interface Worth {
  placed: number[];
  score: number;
}

export function worth(inst: Instance, assignment: Int32Array): Worth {
  const placed = inst.levels.map(() => 0);
  const levelIndex = new Map(inst.levels.map((p, i) => [p, i]));
  let total = 0;
  for (let t = 0; t < inst.taskCount; t++) {
    const e = assignment[t];
    if (e < 0) continue;
    placed[levelIndex.get(inst.priority[t])!]++;
    total += scoreOf(inst, t, e);
  }
  return { placed, score: total };
}

/** Score of task t on environment e; pins may sit outside the candidate list. */
export function scoreOf(inst: Instance, t: number, e: number): number {
  for (let c = inst.candStart[t]; c < inst.candStart[t + 1]; c++) if (inst.candEnv[c] === e) return inst.candScore[c];
  const { tasks, environments, weights } = inst.problem;
  return score(tasks[t], environments[e], weights);
}

/** Negative when a is better: more placed at the first level that differs, else lower score. */
export function compareWorth(a: Worth, b: Worth): number {
  for (let i = 0; i < a.placed.length; i++) if (a.placed[i] !== b.placed[i]) return b.placed[i] - a.placed[i];
  const tol = 1e-9 * Math.max(1, Math.abs(a.score), Math.abs(b.score));
  return Math.abs(a.score - b.score) <= tol ? 0 : a.score - b.score;
}

/** True when every unpinned task sits on one of its candidates and no capacity is exceeded by them. */
export function respectsCapacity(inst: Instance, assignment: Int32Array): boolean {
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
