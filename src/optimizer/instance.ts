import { DIMENSIONS, isFeasible, score, tolerance, usable, type Problem } from "../model";

/**
 * The problem in flat arrays: for every unpinned task its candidate environments (those
 * contract §2 allows it alone) with their scores, and every environment's capacity left
 * once the pins are placed. Every algorithm works on this, so they agree on what is legal.
 */
export interface Instance {
  problem: Problem;
  taskCount: number;
  envCount: number;
  /** Candidates of task t are `candEnv[candStart[t] .. candStart[t+1])`, in environment order. */
  candStart: Int32Array;
  candEnv: Int32Array;
  candScore: Float64Array;
  /** 1 when the candidate's demands fit in what the pins leave of its environment. */
  candFits: Uint8Array;
  /** Demand of task t in dimension d at `demand[3t + d]`. */
  demand: Float64Array;
  /** Usable capacity (after reserve) of environment e in dimension d at `usable[3e + d]`. */
  usable: Float64Array;
  /** Usable capacity minus what the pins take, at `free[3e + d]`; may be negative when pins overflow. */
  free: Float64Array;
  /** Contract §2 tolerance on each capacity check, per environment and dimension. */
  slack: Float64Array;
  /** Environment of each pinned task, -1 for unpinned ones. */
  pinned: Int32Array;
  priority: Int32Array;
  /** Distinct priority levels, highest first. */
  levels: number[];
}

export const DIMS = DIMENSIONS.length;

export function buildInstance(problem: Problem): Instance {
  const { tasks, environments, reserve, weights } = problem;
  const n = tasks.length;
  const m = environments.length;
  const envByName = new Map(environments.map((e) => [e.name, e.index]));
  const demand = new Float64Array(n * DIMS);
  const usableCap = new Float64Array(m * DIMS);
  const slack = new Float64Array(m * DIMS);
  for (const env of environments) {
    DIMENSIONS.forEach((d, k) => {
      usableCap[env.index * DIMS + k] = usable(env, d, reserve);
      slack[env.index * DIMS + k] = tolerance(usableCap[env.index * DIMS + k]);
    });
  }
  const free = usableCap.slice();
  const pinned = new Int32Array(n).fill(-1);
  const priority = new Int32Array(n);
  const candStart = new Int32Array(n + 1);
  const candEnv: number[] = [];
  const candScore: number[] = [];
  // A robot-bound task can only use its robot and the shared tiers: skip the rest of the fleet.
  const sharedEnvs = environments.filter((e) => !e.fleetRobot);
  for (const task of tasks) {
    const t = task.index;
    priority[t] = task.priority;
    DIMENSIONS.forEach((d, k) => (demand[t * DIMS + k] = task[d]));
    candStart[t] = candEnv.length;
    if (task.pin !== undefined) {
      const e = envByName.get(task.pin)!;
      pinned[t] = e;
      for (let k = 0; k < DIMS; k++) free[e * DIMS + k] -= demand[t * DIMS + k];
      continue;
    }
    // Tiers come before robots, so the bound robot (if any) is last and the order stays the input's.
    const bound = task.robot !== undefined ? environments[envByName.get(task.robot)!] : undefined;
    for (const env of bound ? [...sharedEnvs, bound] : sharedEnvs) {
      if (!isFeasible(task, env, reserve)) continue;
      candEnv.push(env.index);
      candScore.push(score(task, env, weights));
    }
  }
  candStart[n] = candEnv.length;
  const candFits = new Uint8Array(candEnv.length);
  for (let t = 0; t < n; t++) {
    for (let c = candStart[t]; c < candStart[t + 1]; c++) {
      const e = candEnv[c];
      let fits = 1;
      for (let k = 0; k < DIMS; k++) if (demand[t * DIMS + k] > free[e * DIMS + k] + slack[e * DIMS + k]) fits = 0;
      candFits[c] = fits;
    }
  }
  const levels = [...new Set(priority)].sort((a, b) => b - a);
  return {
    problem,
    taskCount: n,
    envCount: m,
    candStart,
    candEnv: Int32Array.from(candEnv),
    candScore: Float64Array.from(candScore),
    candFits,
    demand,
    usable: usableCap,
    free,
    slack,
    pinned,
    priority,
    levels,
  };
}

/** Capacity bookkeeping shared by the heuristics: what is still free per environment and dimension. */
export class Load {
  readonly free: Float64Array;
  constructor(private readonly inst: Instance) {
    this.free = inst.free.slice();
  }
  fits(t: number, e: number): boolean {
    const { demand, slack } = this.inst;
    for (let k = 0; k < DIMS; k++) {
      if (demand[t * DIMS + k] > this.free[e * DIMS + k] + slack[e * DIMS + k]) return false;
    }
    return true;
  }
  add(t: number, e: number): void {
    for (let k = 0; k < DIMS; k++) this.free[e * DIMS + k] -= this.inst.demand[t * DIMS + k];
  }
  remove(t: number, e: number): void {
    for (let k = 0; k < DIMS; k++) this.free[e * DIMS + k] += this.inst.demand[t * DIMS + k];
  }
}

/** True when some candidate of unpinned task t fits in what the pins leave. */
export function isPlaceable(inst: Instance, t: number): boolean {
  for (let c = inst.candStart[t]; c < inst.candStart[t + 1]; c++) if (inst.candFits[c]) return true;
  return false;
}
