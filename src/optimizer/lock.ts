import type { Problem } from "../model";
import { LOCKED_ELSEWHERE, NOT_LOCKED, type LockTarget } from "./milp";
import type { LockInput } from "./types";

/**
 * The lock per task (docs/contract.md §6): its environment and, on a tier with machines, its machine.
 * Locked tasks no longer in the catalog are ignored; a lock naming an environment or machine the
 * catalog no longer has makes its task a move wherever it goes.
 */
export function lockTarget(problem: Problem, lock: LockInput): LockTarget {
  // Machines are numbered across the environments in order, as in the optimizer's machine table.
  const firstMachine: number[] = [];
  let count = 0;
  for (const env of problem.environments) {
    firstMachine.push(count);
    count += env.machines?.length ?? 0;
  }
  const taskIndex = new Map(problem.tasks.map((t) => [t.name, t.index]));
  const envIndex = new Map(problem.environments.map((e) => [e.name, e.index]));
  const env = new Int32Array(problem.tasks.length).fill(NOT_LOCKED);
  const machine = new Int32Array(problem.tasks.length).fill(-1);
  for (const placement of lock.placements) {
    const t = taskIndex.get(placement.task);
    if (t === undefined) continue;
    const e = envIndex.get(placement.tier);
    if (e === undefined) {
      env[t] = LOCKED_ELSEWHERE;
      continue;
    }
    env[t] = e;
    const machines = problem.environments[e].machines;
    if (placement.machine === undefined || !machines) continue;
    const k = machines.findIndex((m) => m.id === placement.machine);
    if (k < 0) env[t] = LOCKED_ELSEWHERE;
    else machine[t] = firstMachine[e] + k;
  }
  return { env, machine };
}
