import { LOCKED_ELSEWHERE, NOT_LOCKED, type LockTarget } from "./milp";
import type { Instance } from "./instance";
import type { LockInput } from "./types";

/**
 * The lock per task (contract §6): its environment and, on a tier with machines, its machine.
 * Locked tasks no longer in the catalog are ignored; a lock naming an environment or machine the
 * catalog no longer has makes its task a move wherever it goes.
 */
export function lockTarget(inst: Instance, lock: LockInput): LockTarget {
  const { problem, machines } = inst;
  const taskIndex = new Map(problem.tasks.map((t) => [t.name, t.index]));
  const envIndex = new Map(problem.environments.map((e) => [e.name, e.index]));
  const env = new Int32Array(inst.taskCount).fill(NOT_LOCKED);
  const machine = new Int32Array(inst.taskCount).fill(-1);
  for (const placement of lock.placements) {
    const t = taskIndex.get(placement.task);
    if (t === undefined) continue;
    const e = envIndex.get(placement.tier);
    if (e === undefined) {
      env[t] = LOCKED_ELSEWHERE;
      continue;
    }
    env[t] = e;
    if (placement.machine === undefined || machines.start[e] === machines.start[e + 1]) continue;
    const ids = problem.environments[e].machines!.map((m) => m.id);
    const k = ids.indexOf(placement.machine);
    if (k < 0) env[t] = LOCKED_ELSEWHERE;
    else machine[t] = machines.start[e] + k;
  }
  return { env, machine };
}
