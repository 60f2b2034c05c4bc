import { DIMS, type Instance } from "../../src/optimizer/instance";
import { scoreOf } from "../../src/optimizer/evaluate";

/**
 * The reference MILP's data, written from the planner's own `Instance` (so the candidate sets are
 * the planner's, pins and their capacity included): one column per candidate that fits in what
 * the pins leave, and on a tier with machines (contract §5) one column per candidate and machine
 * that can hold it. Capacity rows: every environment and dimension (less the reserve, plus the
 * contract's tolerance), and on machines their units and their disk (no reserve).
 */
export interface ReferenceModel {
  levels: number[];
  columns: { task: number[]; env: number[]; machine: number[]; priority: number[]; score: number[] };
  capacity: { row: number[]; col: number[]; value: number[]; rhs: number[] };
  pinnedPerLevel: Record<string, number>;
  pinnedScore: number;
}

/** The machine table of contract §5 as the planner's `Instance` holds it, where it does. */
export interface MachineTableView {
  count: number;
  start: Int32Array;
  env: Int32Array;
  units: Float64Array;
  storage: Float64Array;
  storageSlack: Float64Array;
  unitClass: Int32Array;
  classCount: number;
  taskUnits: Int32Array;
}

/** The instance's machines, or undefined for an optimizer without them (structural, so both compile). */
export function machinesOf(inst: Instance): { table: MachineTableView; pinnedMachine: Int32Array } | undefined {
  const view = inst as unknown as { machines?: MachineTableView; pinnedMachine?: Int32Array };
  if (!view.machines || !view.pinnedMachine || view.machines.count === 0) return undefined;
  return { table: view.machines, pinnedMachine: view.pinnedMachine };
}

export function referenceModel(inst: Instance): ReferenceModel {
  const {
    taskCount,
    envCount,
    candStart,
    candEnv,
    candScore,
    candFits,
    demand,
    free,
    slack,
    pinned,
    priority,
    levels,
  } = inst;
  const machines = machinesOf(inst);
  const columns: ReferenceModel["columns"] = { task: [], env: [], machine: [], priority: [], score: [] };
  const capacity: ReferenceModel["capacity"] = { row: [], col: [], value: [], rhs: [] };
  for (let i = 0; i < envCount * DIMS; i++) capacity.rhs.push(free[i] + slack[i]);
  // Machine rows after the environment rows: units, then disk, per machine, less what pins hold.
  const unitRow = (m: number) => envCount * DIMS + 2 * m;
  const unitsOf = (t: number, m: number) =>
    machines!.table.taskUnits[t * machines!.table.classCount + machines!.table.unitClass[m]];
  if (machines) {
    const { table, pinnedMachine } = machines;
    const freeUnits = Float64Array.from(table.units);
    const freeDisk = Float64Array.from(table.storage);
    for (let t = 0; t < taskCount; t++) {
      const m = pinnedMachine[t];
      if (m < 0) continue;
      freeUnits[m] -= unitsOf(t, m);
      freeDisk[m] -= demand[t * DIMS + 1];
    }
    for (let m = 0; m < table.count; m++) capacity.rhs.push(freeUnits[m], freeDisk[m] + table.storageSlack[m]);
  }
  const addColumn = (t: number, c: number, machine: number) => {
    const j = columns.task.length;
    columns.task.push(t);
    columns.env.push(candEnv[c]);
    columns.machine.push(machine);
    columns.priority.push(priority[t]);
    columns.score.push(candScore[c]);
    for (let k = 0; k < DIMS; k++) {
      const a = demand[t * DIMS + k];
      if (a === 0) continue;
      capacity.row.push(candEnv[c] * DIMS + k);
      capacity.col.push(j);
      capacity.value.push(a);
    }
    if (machine >= 0) {
      const units = unitsOf(t, machine);
      if (units > 0) {
        capacity.row.push(unitRow(machine));
        capacity.col.push(j);
        capacity.value.push(units);
      }
      if (demand[t * DIMS + 1] > 0) {
        capacity.row.push(unitRow(machine) + 1);
        capacity.col.push(j);
        capacity.value.push(demand[t * DIMS + 1]);
      }
    }
  };
  for (let t = 0; t < taskCount; t++) {
    if (pinned[t] >= 0) continue;
    for (let c = candStart[t]; c < candStart[t + 1]; c++) {
      if (!candFits[c]) continue;
      const e = candEnv[c];
      const table = machines?.table;
      if (!table || table.start[e] === table.start[e + 1]) {
        addColumn(t, c, -1);
        continue;
      }
      // Only machines that could hold the task alone, in what the pins leave.
      for (let m = table.start[e]; m < table.start[e + 1]; m++) {
        if (unitsOf(t, m) <= capacity.rhs[unitRow(m)] && demand[t * DIMS + 1] <= capacity.rhs[unitRow(m) + 1])
          addColumn(t, c, m);
      }
    }
  }
  const pinnedPerLevel: Record<string, number> = {};
  let pinnedScore = 0;
  for (let t = 0; t < taskCount; t++) {
    if (pinned[t] < 0) continue;
    pinnedPerLevel[priority[t]] = (pinnedPerLevel[priority[t]] ?? 0) + 1;
    pinnedScore += scoreOf(inst, t, pinned[t]);
  }
  return { levels, columns, capacity, pinnedPerLevel, pinnedScore };
}

/**
 * Checks a reference plan against the contract on its own, with the contract's tolerance: every
 * chosen column a candidate of a distinct task, and no environment or machine over capacity.
 * Returns the environment per task (pins included) and what is wrong, if anything.
 */
export function checkReference(
  inst: Instance,
  model: ReferenceModel,
  chosen: number[],
): { assignment: Int32Array; problems: string[] } {
  const assignment = Int32Array.from(inst.pinned);
  const problems: string[] = [];
  const load = new Float64Array(model.capacity.rhs.length);
  const seen = new Uint8Array(inst.taskCount);
  const byColumn = new Map<number, number[]>();
  for (let i = 0; i < model.capacity.col.length; i++) {
    const list = byColumn.get(model.capacity.col[i]) ?? [];
    list.push(i);
    byColumn.set(model.capacity.col[i], list);
  }
  for (const j of chosen) {
    const t = model.columns.task[j];
    if (seen[t]) problems.push(`task ${inst.problem.tasks[t].name} placed twice`);
    seen[t] = 1;
    assignment[t] = model.columns.env[j];
    for (const i of byColumn.get(j) ?? []) load[model.capacity.row[i]] += model.capacity.value[i];
  }
  for (let r = 0; r < load.length; r++) {
    // rhs already carries the contract's tolerance; allow only rounding noise on top. A row the
    // pins alone overfill (rhs < 0) is the pins' violation, not the plan's: only load put on it counts.
    if (load[r] > 0 && load[r] > model.capacity.rhs[r] + 1e-12 * Math.max(1, Math.abs(model.capacity.rhs[r]))) {
      problems.push(`row ${r} over capacity by ${(load[r] - model.capacity.rhs[r]).toPrecision(3)}`);
    }
  }
  return { assignment, problems };
}

/**
 * Drops the false alarms of results checked before the rule above: "row r over capacity by x"
 * where the plan put nothing on r (x is then minus the row's capacity, which pins overfilled).
 */
export function withoutPinOverflow(model: ReferenceModel, problems: string[]): string[] {
  return problems.filter((p) => {
    const m = /^row (\d+) over capacity by (\S+)$/.exec(p);
    if (!m) return true;
    const rhs = model.capacity.rhs[Number(m[1])];
    return !(rhs < 0 && Math.abs(Number(m[2]) + rhs) <= 1e-2 * Math.max(1, Math.abs(rhs)));
  });
}
