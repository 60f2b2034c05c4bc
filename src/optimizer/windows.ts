import { DIMS, Load, type Instance } from "./instance";
import type { Packed } from "./types";

/**
 * Windows over a fleet for a count stage too large for one MILP (a large neighbourhood search):
 * groups of robots, those with the most unplaced tasks at `level` first, each as large as keeps
 * its tasks' candidates and the site tasks' (all free in every window) within `maxColumns`. The
 * other robots' tasks held on shared tiers add a column each, about the same in every window.
 * Robots without unplaced tasks come last: moving their tasks home frees shared room for others
 * (spill-fleet gained 57 of its 136 tasks in such windows).
 */
export function countWindows(inst: Instance, level: number, incumbent: Packed, maxColumns: number): number[][] {
  const robotOf = robotsOfTasks(inst);
  const unplaced = new Int32Array(inst.envCount);
  const columns = new Int32Array(inst.envCount);
  let siteColumns = 0;
  for (let t = 0; t < inst.taskCount; t++) {
    if (inst.pinned[t] >= 0 || inst.priority[t] < level) continue;
    const fitting = stageColumns(inst, t);
    if (robotOf[t] < 0) siteColumns += fitting;
    else {
      columns[robotOf[t]] += fitting;
      if (inst.priority[t] === level && incumbent.assignment[t] < 0 && fitting > 0) unplaced[robotOf[t]]++;
    }
  }
  const robots = inst.problem.environments.filter((e) => e.fleetRobot).map((e) => e.index);
  robots.sort((a, b) => unplaced[b] - unplaced[a] || a - b);
  const windows: number[][] = [];
  let current: number[] = [];
  let used = siteColumns;
  for (const r of robots) {
    if (current.length > 0 && used + columns[r] > maxColumns) {
      windows.push(current);
      current = [];
      used = siteColumns;
    }
    current.push(r);
    used += columns[r];
  }
  if (current.length > 0) windows.push(current);
  // Site tasks alone over the limit: no window is small enough to be worth a MILP.
  return siteColumns >= maxColumns ? [] : windows;
}

/**
 * The instance a window's stage solves. Of the tasks at `level` or above bound to robots outside
 * the window, those on their robot are pinned there (no other task can use that robot), those on
 * a shared tier keep only that place, so the stage may leave one out to make room for more, and
 * the unplaced get no candidates; the window's robots' tasks and the site tasks stay free. Every
 * plan of it is a plan of `inst`.
 */
export function windowInstance(inst: Instance, window: number[], level: number, incumbent: Packed): Instance {
  const robotOf = robotsOfTasks(inst);
  const inWindow = new Uint8Array(inst.envCount);
  for (const r of window) inWindow[r] = 1;
  const pinned = inst.pinned.slice();
  const pinnedMachine = inst.pinnedMachine.slice();
  const free = inst.free.slice();
  const outside = new Uint8Array(inst.taskCount);
  for (let t = 0; t < inst.taskCount; t++) {
    if (inst.pinned[t] >= 0 || inst.priority[t] < level || robotOf[t] < 0 || inWindow[robotOf[t]]) continue;
    outside[t] = 1;
    const e = incumbent.assignment[t];
    if (e !== robotOf[t]) continue;
    pinned[t] = e;
    pinnedMachine[t] = incumbent.machine[t];
    for (let k = 0; k < DIMS; k++) free[e * DIMS + k] -= inst.demand[t * DIMS + k];
  }
  const derived: Instance = { ...inst, pinned, pinnedMachine, free };
  const load = new Load(derived);
  const candFits = new Uint8Array(inst.candFits.length);
  for (let t = 0; t < inst.taskCount; t++) {
    if (pinned[t] >= 0) continue;
    for (let c = inst.candStart[t]; c < inst.candStart[t + 1]; c++) {
      const e = inst.candEnv[c];
      if (outside[t] && e !== incumbent.assignment[t]) continue;
      candFits[c] = inst.candFits[c] && load.fits(t, e) ? 1 : 0;
    }
  }
  return { ...derived, candFits };
}

/** Per task, the fleet robot it is bound to (-1: a site task). */
function robotsOfTasks(inst: Instance): Int32Array {
  const { environments, tasks } = inst.problem;
  const byName = new Map(environments.filter((e) => e.fleetRobot).map((e) => [e.name, e.index]));
  return Int32Array.from(tasks, (task) => (task.robot === undefined ? -1 : (byName.get(task.robot) ?? -1)));
}

/** About the MILP columns of t: one per fitting candidate, one per machine on a tier with machines. */
function stageColumns(inst: Instance, t: number): number {
  const { candStart, candEnv, candFits, machines } = inst;
  let count = 0;
  for (let c = candStart[t]; c < candStart[t + 1]; c++) {
    const e = candEnv[c];
    if (candFits[c]) count += Math.max(1, machines.start[e + 1] - machines.start[e]);
  }
  return count;
}

/**
 * A neighbourhood of `incumbent` for the count stage at `level` where the whole stage is too large
 * for the MILP: the level's tasks keep every candidate, and each unpinned task above it keeps only
 * its place in the incumbent and its own robot. The stage can send a task that spilled to a shared
 * tier home to make room there, or drop one for more of its level as far as the count rows allow;
 * every plan of it is a plan of `inst`. (spill-medium's p1: 7,431 variables, 4,607 here.)
 */
export function homeNeighbourhood(inst: Instance, level: number, incumbent: Packed): Instance {
  const robotOf = robotsOfTasks(inst);
  const candFits = inst.candFits.slice();
  for (let t = 0; t < inst.taskCount; t++) {
    if (inst.pinned[t] >= 0 || inst.priority[t] <= level) continue;
    for (let c = inst.candStart[t]; c < inst.candStart[t + 1]; c++) {
      const e = inst.candEnv[c];
      if (e !== incumbent.assignment[t] && e !== robotOf[t]) candFits[c] = 0;
    }
  }
  return { ...inst, candFits };
}
