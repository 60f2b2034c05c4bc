import { countMoves } from "./evaluate";
import { Load, type Instance } from "./instance";
import type { LockTarget } from "./milp";
import type { Packed } from "./types";

/**
 * docs/contract.md §5: among plans equal under the order of comparison, a tier's `packing` decides which
 * machines its tasks go to. The solvers settle which tier each task runs on; this packs every
 * tier with machines again by its strategy — locked tasks first, on their locked machines, then
 * the rest by priority, largest first — and keeps the solver's packing for a tier where the
 * strategy's does not hold every task or would move a locked one.
 */
export function repack(inst: Instance, packed: Packed, lock?: LockTarget): Packed {
  const { machines, taskCount, pinned, priority } = inst;
  const machine = packed.machine.slice();
  const largest = (t: number) => {
    let units = 0;
    for (let k = 0; k < machines.classCount; k++)
      units = Math.max(units, machines.taskUnits[t * machines.classCount + k]);
    return units;
  };
  for (let e = 0; e < inst.envCount; e++) {
    if (machines.start[e] === machines.start[e + 1]) continue;
    const tasks: number[] = [];
    for (let t = 0; t < taskCount; t++) if (packed.assignment[t] === e && pinned[t] < 0) tasks.push(t);
    const isLocked = (t: number) => lock !== undefined && lock.env[t] === e && lock.machine[t] >= 0;
    tasks.sort(
      (a, b) =>
        Number(isLocked(b)) - Number(isLocked(a)) || priority[b] - priority[a] || largest(b) - largest(a) || a - b,
    );
    const load = new Load(inst);
    const ok = tasks.every((t) => load.add(t, e, isLocked(t) ? lock!.machine[t] : -1));
    if (!ok) continue;
    const trial = machine.slice();
    for (const t of tasks) trial[t] = load.machineOf[t];
    if (
      lock &&
      countMoves(lock, { assignment: packed.assignment, machine: trial }) >
        countMoves(lock, { assignment: packed.assignment, machine })
    )
      continue;
    machine.set(trial);
  }
  return { assignment: packed.assignment, machine };
}

/**
 * A start for a construction from a count stage's relaxation at `level`: the incumbent's
 * placements above the level (the counts there are settled), then the relaxation's choices at
 * the level, then the incumbent's, each where it still fits. What fits together is placed by the
 * construction's `start` whatever its order.
 */
export function relaxedStart(inst: Instance, level: number, incumbent: Packed, rounded: Packed): Packed {
  const { taskCount, pinned, priority } = inst;
  const load = new Load(inst);
  const start = { assignment: new Int32Array(taskCount).fill(-1), machine: new Int32Array(taskCount).fill(-1) };
  const put = (t: number, from: Packed) => {
    const e = from.assignment[t];
    if (pinned[t] >= 0 || e < 0 || start.assignment[t] >= 0 || !load.fits(t, e) || !load.add(t, e, from.machine[t]))
      return;
    start.assignment[t] = e;
    start.machine[t] = load.machineOf[t];
  };
  for (let t = 0; t < taskCount; t++) if (priority[t] > level) put(t, incumbent);
  for (const from of [rounded, incumbent]) for (let t = 0; t < taskCount; t++) if (priority[t] === level) put(t, from);
  return start;
}
