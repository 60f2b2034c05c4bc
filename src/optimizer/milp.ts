import loadHighs from "highs";
import { DIMS, type Instance } from "./instance";
import type { Packed } from "./types";

type Highs = Awaited<ReturnType<typeof loadHighs>>;

let highsPromise: Promise<Highs> | undefined;
/** HiGHS (WebAssembly) is loaded once per process. */
export function highs(): Promise<Highs> {
  highsPromise ??= loadHighs();
  return highsPromise;
}

/** A task the lock does not name (new to the catalog). */
export const NOT_LOCKED = -1;
/** A locked task whose environment is gone from the catalog: wherever it goes, it moves. */
export const LOCKED_ELSEWHERE = -2;

/** The previous placements a plan is compared against (docs/contract.md §6), per task. */
export interface LockTarget {
  /** Locked environment of each task; NOT_LOCKED or LOCKED_ELSEWHERE otherwise. */
  env: Int32Array;
  /** Locked machine of each task, -1 when the lock names none (or the tier has no machines). */
  machine: Int32Array;
}

/** One MILP solve of the lexicographic sequence. */
export interface Stage {
  /**
   * What the stage optimises: the tasks placed at `countLevel`, the locked tasks kept where they
   * are ("stay"), or the score (plus `moveCost` per move when given).
   */
  goal: { count: number } | "stay" | "score";
  /** Lowest priority taking part; lower ones are left out (they cannot help a count stage). */
  minPriority: number;
  /** Tasks to place at least, per priority level, pins included. */
  minPlaced: Map<number, number>;
  /** Levels whose placeable tasks must all be placed. */
  forced: Set<number>;
  lock?: LockTarget;
  /** Locked tasks that must stay where the lock has them, at least (after a "stay" stage). */
  minStay?: number;
  /** Contract §6 `objective.moveCost`: with a lock, the score stage minimises score + moveCost x moves. */
  moveCost?: number;
  /** A known feasible plan to start from. */
  start?: Packed;
  /** Branch-and-bound node limit; Infinity for none. */
  maxNodes: number;
  /**
   * A node limit by the model's size (its columns, one per machine slot on tiers with machines):
   * `work / columns` nodes, at most `cap`, where that is more than `maxNodes`. A small model's
   * stage gets the node-columns a large one spends.
   */
  nodeWork?: { work: number; cap: number };
  /** Solve the LP relaxation only (integrality dropped): a bound, and a point to round from. */
  relax?: boolean;
  /** Candidates proven out of every plan better than `start` (reduced-cost fixing): left out. */
  exclude?: Uint8Array;
  /** HiGHS's share of its work for primal heuristics (`mip_heuristic_effort`); its default where not given. */
  heuristicEffort?: number;
}

export interface StageResult {
  /** Best plan found (pins included), if any. */
  packed?: Packed;
  /** Proven optimal for this stage. */
  optimal: boolean;
  /** Objective of the best plan: tasks placed at the level or kept by the lock, or the score of the unpinned tasks. */
  objective: number;
  /** Best proven bound on the same objective (an upper bound for counts, a lower one for the score). */
  bound: number;
  nodes: number;
  columns: number;
  /** Of a relaxation: its columns above one half as a start for a construction (it may overfill). */
  rounded?: Packed;
}

/**
 * Where a candidate on a tier with machines may go: one machine, or a group of identical
 * machines aggregated into one pool. Aggregating is exact only where any set of tasks whose units
 * fit the pool's total also packs onto its machines: every task takes at most one unit and no
 * machine's disk can fill up.
 */
interface Slot {
  machines: number[];
  units: number;
  storage: number;
  aggregated: boolean;
  /** The previous identical machine's slot, for symmetry breaking (-1: none). */
  twinOf: number;
}

/**
 * x[t,e(,machine)] = 1 when task t runs on environment e (and on that machine or machine pool on a
 * tier with machines), one column per candidate that fits in what the pins leave; rows: each task
 * at most once (exactly once on forced levels), capacity per environment and dimension where the
 * candidates could overfill it, GPU units and disk per machine (docs/contract.md §5), the per-level counts
 * fixed by earlier stages, and the locked tasks kept by an earlier "stay" stage.
 */
export function solveStage(solver: Highs, inst: Instance, stage: Stage): StageResult {
  const { taskCount, envCount, candStart, candEnv, candScore, candFits, demand, free, slack, pinned, priority } = inst;
  const slots = buildSlots(inst, stage);
  const cols: number[] = [];
  const colTask: number[] = [];
  const colSlot: number[] = [];
  const taskRow = new Int32Array(taskCount).fill(-1);
  let rows = 0;
  const rowLower: number[] = [];
  const rowUpper: number[] = [];
  for (let t = 0; t < taskCount; t++) {
    if (pinned[t] >= 0 || priority[t] < stage.minPriority) continue;
    let any = false;
    for (let c = candStart[t]; c < candStart[t + 1]; c++) {
      if (!candFits[c] || stage.exclude?.[c]) continue;
      const envSlots = slots.byEnv[candEnv[c]];
      if (envSlots.length === 0) {
        cols.push(c);
        colTask.push(t);
        colSlot.push(-1);
        any = true;
        continue;
      }
      for (const s of envSlots) {
        if (
          slots.units(t, s) > slots.list[s].units ||
          demand[t * DIMS + 1] > slots.list[s].storage + slots.storageSlack(s)
        )
          continue;
        cols.push(c);
        colTask.push(t);
        colSlot.push(s);
        any = true;
      }
    }
    if (!any) continue;
    taskRow[t] = rows++;
    rowLower.push(stage.forced.has(priority[t]) ? 1 : 0);
    rowUpper.push(1);
  }
  const possible = new Float64Array(envCount * DIMS);
  const touched = new Uint8Array(envCount);
  const countedOnce = new Set<number>();
  for (let j = 0; j < cols.length; j++) {
    // A task counts once per environment, however many machine columns it has there.
    const key = colTask[j] * envCount + candEnv[cols[j]];
    if (countedOnce.has(key)) continue;
    countedOnce.add(key);
    touched[candEnv[cols[j]]] = 1;
    for (let k = 0; k < DIMS; k++) possible[candEnv[cols[j]] * DIMS + k] += demand[colTask[j] * DIMS + k];
  }
  const capRow = new Int32Array(envCount * DIMS).fill(-1);
  for (let i = 0; i < capRow.length; i++) {
    // Rows the candidates cannot overfill are left out; so are environments no column uses.
    if (!touched[Math.floor(i / DIMS)] || possible[i] <= free[i] + slack[i]) continue;
    capRow[i] = rows++;
    rowLower.push(-Infinity);
    rowUpper.push(free[i] + slack[i]);
  }
  const unitRow = new Int32Array(slots.list.length).fill(-1);
  const storageRow = new Int32Array(slots.list.length).fill(-1);
  const symmetryRow = new Int32Array(slots.list.length).fill(-1);
  {
    const unitsAsked = new Float64Array(slots.list.length);
    const storageAsked = new Float64Array(slots.list.length);
    for (let j = 0; j < cols.length; j++) {
      const s = colSlot[j];
      if (s < 0) continue;
      unitsAsked[s] += slots.units(colTask[j], s);
      storageAsked[s] += demand[colTask[j] * DIMS + 1];
    }
    slots.list.forEach((slot, s) => {
      // Only rows some column takes from: a machine pins overfill has no columns and no row.
      if (unitsAsked[s] > 0 && unitsAsked[s] > slot.units) {
        unitRow[s] = rows++;
        rowLower.push(-Infinity);
        rowUpper.push(slot.units);
      }
      if (!slot.aggregated && storageAsked[s] > 0 && storageAsked[s] > slot.storage + slots.storageSlack(s)) {
        storageRow[s] = rows++;
        rowLower.push(-Infinity);
        rowUpper.push(slot.storage + slots.storageSlack(s));
      }
      // Identical machines are interchangeable: order them by the units they give out.
      if (slot.twinOf >= 0 && unitsAsked[s] > 0) {
        symmetryRow[s] = rows++;
        rowLower.push(-Infinity);
        rowUpper.push(0);
      }
    });
  }
  const pinnedAt = new Map<number, number>();
  for (let t = 0; t < taskCount; t++)
    if (pinned[t] >= 0) pinnedAt.set(priority[t], (pinnedAt.get(priority[t]) ?? 0) + 1);
  const countRow = new Map<number, number>();
  for (const [level, placed] of stage.minPlaced) {
    if (stage.forced.has(level) || level < stage.minPriority) continue;
    const need = placed - (pinnedAt.get(level) ?? 0);
    if (need <= 0) continue;
    countRow.set(level, rows++);
    rowLower.push(need);
    rowUpper.push(Infinity);
  }
  const stays = (j: number): boolean => {
    const lock = stage.lock;
    const t = colTask[j];
    if (!lock || lock.env[t] !== candEnv[cols[j]]) return false;
    const m = lock.machine[t];
    return (
      m < 0 ||
      (colSlot[j] >= 0 && slots.list[colSlot[j]].machines.length === 1 && slots.list[colSlot[j]].machines[0] === m)
    );
  };
  let stayRow = -1;
  if (stage.lock && stage.minStay !== undefined && stage.minStay > 0) {
    stayRow = rows++;
    rowLower.push(stage.minStay);
    rowUpper.push(Infinity);
  }

  const starts = new Int32Array(cols.length + 1);
  const indices: number[] = [];
  const values: number[] = [];
  const colCost = new Float64Array(cols.length);
  const goal = stage.goal;
  for (let j = 0; j < cols.length; j++) {
    const c = cols[j];
    const t = colTask[j];
    const e = candEnv[c];
    const s = colSlot[j];
    indices.push(taskRow[t]);
    values.push(1);
    for (let k = 0; k < DIMS; k++) {
      const r = capRow[e * DIMS + k];
      const a = demand[t * DIMS + k];
      if (r >= 0 && a !== 0) {
        indices.push(r);
        values.push(a);
      }
    }
    if (s >= 0) {
      const u = slots.units(t, s);
      if (unitRow[s] >= 0 && u !== 0) push(unitRow[s], u);
      if (storageRow[s] >= 0 && demand[t * DIMS + 1] !== 0) push(storageRow[s], demand[t * DIMS + 1]);
      if (symmetryRow[s] >= 0 && u !== 0) push(symmetryRow[s], u);
      const next = slots.twinNext[s];
      if (next >= 0 && symmetryRow[next] >= 0 && u !== 0) push(symmetryRow[next], -u);
    }
    const cr = countRow.get(priority[t]);
    if (cr !== undefined) push(cr, 1);
    const stay = stays(j);
    if (stayRow >= 0 && stay) push(stayRow, 1);
    starts[j + 1] = indices.length;
    colCost[j] =
      goal === "score"
        ? candScore[c] - (stay && stage.moveCost !== undefined ? stage.moveCost : 0)
        : goal === "stay"
          ? stay
            ? -1
            : 0
          : priority[t] === goal.count
            ? -1
            : 0;
  }
  // Row indices must ascend within a column for HiGHS: sort each column's entries.
  sortColumns(starts, indices, values);

  if (cols.length === 0) {
    return {
      packed: { assignment: Int32Array.from(pinned), machine: Int32Array.from(inst.pinnedMachine) },
      optimal: true,
      objective: 0,
      bound: 0,
      nodes: 0,
      columns: 0,
    };
  }
  const inf = solver.infinity;
  const model = solver.createModel({
    numCols: cols.length,
    numRows: rows,
    colCost,
    colLower: new Float64Array(cols.length),
    colUpper: new Float64Array(cols.length).fill(1),
    rowLower: rowLower.map((v) => (v === -Infinity ? -inf : v)),
    rowUpper: rowUpper.map((v) => (v === Infinity ? inf : v)),
    matrix: {
      format: "csc",
      numRows: rows,
      numCols: cols.length,
      starts,
      indices: Int32Array.from(indices),
      values: Float64Array.from(values),
    },
    ...(!stage.relax && { integrality: new Int32Array(cols.length).fill(1) }),
  });
  const sign = goal === "score" ? 1 : -1;
  try {
    model.options.set({
      output_flag: false,
      mip_rel_gap: 0,
      // Counts are integers: a bound within 1 of the incumbent proves one.
      mip_abs_gap: goal === "score" ? 1e-7 : 0.999,
      ...(Number.isFinite(stage.maxNodes) && { mip_max_nodes: nodeLimit(stage, cols.length) }),
      // Measured on the benchmark's mid-size sites: without presolve the score stage ends its node
      // budget with a better bound (certified gap: machines-small 17.8 % -> 5.7 %, site-heavy-small
      // 5.9 % -> 1.4 %) in about the same time; the count stages keep it (their counts fell without).
      ...(goal === "score" && { presolve: "off" }),
      ...(stage.heuristicEffort !== undefined && { mip_heuristic_effort: stage.heuristicEffort }),
    });
    if (stage.start && !stage.relax) model.setSolution({ colValue: startValues(stage.start) });
    model.run();
    const status = model.getModelStatus();
    if (stage.relax) {
      if (status !== solver.constants.modelStatus.optimal)
        return { optimal: false, objective: NaN, bound: -Infinity * sign, nodes: 0, columns: cols.length };
      const objective = sign * model.getObjectiveValue();
      // The relaxation's majority choices: a start for a construction, not a plan (it may overfill).
      const rounded = rounding(model.getSolution().colValue);
      return { optimal: false, objective, bound: objective, nodes: 0, columns: cols.length, rounded };
    }
    const nodes = Number(model.info.get("mip_node_count") ?? 0);
    const hasSolution = Number(model.info.get("primal_solution_status") ?? 0) === 2;
    const dualBound = sign * Number(model.info.get("mip_dual_bound"));
    if (!hasSolution) return { optimal: false, objective: NaN, bound: dualBound, nodes, columns: cols.length };
    const packed = rounding(model.getSolution().colValue);
    const objective = sign * model.getObjectiveValue();
    const optimal = status === solver.constants.modelStatus.optimal;
    return { packed, optimal, objective, bound: optimal ? objective : dualBound, nodes, columns: cols.length };
  } finally {
    model.dispose();
  }

  function push(row: number, value: number): void {
    indices.push(row);
    values.push(value);
  }

  /** The columns above one half (at most one per task), as a plan with machines. */
  function rounding(x: Float64Array | number[]): Packed {
    const packed = { assignment: Int32Array.from(pinned), machine: Int32Array.from(inst.pinnedMachine) };
    const chosen: number[] = [];
    for (let j = 0; j < cols.length; j++) {
      if (x[j] <= 0.5) continue;
      packed.assignment[colTask[j]] = candEnv[cols[j]];
      chosen.push(j);
    }
    slots.assignMachines(
      chosen.map((j) => ({ t: colTask[j], s: colSlot[j] })),
      packed.machine,
    );
    return packed;
  }

  function startValues(start: Packed): Float64Array {
    const colValue = new Float64Array(cols.length);
    for (let j = 0; j < cols.length; j++) {
      const t = colTask[j];
      if (start.assignment[t] !== candEnv[cols[j]]) continue;
      const s = colSlot[j];
      if (s < 0 || slots.list[s].machines.includes(start.machine[t])) colValue[j] = 1;
    }
    return colValue;
  }
}

/** HiGHS takes its node limit (`mip_max_nodes`) as a 32-bit integer and refuses a larger one. */
export const HIGHS_MAX_NODES = 2 ** 31 - 1;

/** A stage's branch-and-bound node limit over a model of `columns` columns (Stage.nodeWork). */
export function nodeLimit(stage: Pick<Stage, "maxNodes" | "nodeWork">, columns: number): number {
  const { maxNodes, nodeWork } = stage;
  if (!nodeWork || !Number.isFinite(nodeWork.work)) return maxNodes;
  const scaled = Math.floor(nodeWork.work / Math.max(columns, 1));
  // A scaled limit over HiGHS's range (from a --max-nodes near it) is no limit at all: its maximum.
  return Math.max(maxNodes, Math.min(nodeWork.cap, scaled, HIGHS_MAX_NODES));
}

/** The slots of every tier with machines, with the units a task needs on each. */
function buildSlots(inst: Instance, stage: Stage) {
  const { machines, envCount, taskCount, candStart, candEnv, candFits, demand, pinned, pinnedMachine } = inst;
  // What the pins take from each machine.
  const usedUnits = new Float64Array(machines.count);
  const usedStorage = new Float64Array(machines.count);
  const unitsOf = (t: number, m: number) => machines.taskUnits[t * machines.classCount + machines.unitClass[m]];
  for (let t = 0; t < taskCount; t++) {
    const m = pinnedMachine[t];
    if (m < 0) continue;
    usedUnits[m] += unitsOf(t, m);
    usedStorage[m] += demand[t * DIMS + 1];
  }
  const locked = new Uint8Array(machines.count);
  if (stage.lock) for (const m of stage.lock.machine) if (m >= 0) locked[m] = 1;
  const list: Slot[] = [];
  const byEnv: number[][] = Array.from({ length: envCount }, () => []);
  for (let e = 0; e < envCount; e++) {
    const start = machines.start[e];
    const end = machines.start[e + 1];
    if (start === end) continue;
    const smallTasks = tasksFitForPooling(e);
    const groups = new Map<string, number[]>();
    for (let m = start; m < end; m++) {
      const key = `${machines.units[m] - usedUnits[m]}/${machines.storage[m] - usedStorage[m]}/${machines.unitClass[m]}`;
      groups.set(key, [...(groups.get(key) ?? []), m]);
    }
    for (const group of groups.values()) {
      const first = group[0];
      const units = machines.units[first] - usedUnits[first];
      const storage = machines.storage[first] - usedStorage[first];
      const pool = group.length > 1 && smallTasks.fits(storage) && group.every((m) => !locked[m]);
      if (pool) {
        byEnv[e].push(
          list.push({ machines: group, units: units * group.length, storage, aggregated: true, twinOf: -1 }) - 1,
        );
        continue;
      }
      let previous = -1;
      for (const m of group) {
        // Machines a lock names are not interchangeable: keep their order free.
        const twinOf = previous >= 0 && !locked[m] && !locked[list[previous].machines[0]] ? previous : -1;
        previous = list.push({ machines: [m], units, storage, aggregated: false, twinOf }) - 1;
        byEnv[e].push(previous);
      }
    }
  }
  const twinNext = new Int32Array(list.length).fill(-1);
  list.forEach((slot, s) => {
    if (slot.twinOf >= 0) twinNext[slot.twinOf] = s;
  });
  return {
    list,
    byEnv,
    twinNext,
    units: (t: number, s: number) => unitsOf(t, list[s].machines[0]),
    storageSlack: (s: number) => machines.storageSlack[list[s].machines[0]],
    /** Puts the tasks of each pooled slot on its machines; a single-machine slot is its machine. */
    assignMachines(chosen: Array<{ t: number; s: number }>, out: Int32Array): void {
      const left = new Map<number, number>();
      for (const { t, s } of chosen) {
        if (s < 0) continue;
        const slot = list[s];
        if (!slot.aggregated) {
          out[t] = slot.machines[0];
          continue;
        }
        // Every task here takes at most one unit: fill the pool's machines in order.
        const m = slot.machines.find((m) => (left.get(m) ?? slot.units / slot.machines.length) >= unitsOf(t, m))!;
        left.set(m, (left.get(m) ?? slot.units / slot.machines.length) - unitsOf(t, m));
        out[t] = m;
      }
    },
  };

  /** Whether the candidates of tier e are all small enough for pooling machines of a given free disk. */
  function tasksFitForPooling(e: number) {
    let maxUnits = 0;
    let totalStorage = 0;
    for (let t = 0; t < taskCount; t++) {
      if (pinned[t] >= 0) continue;
      for (let c = candStart[t]; c < candStart[t + 1]; c++) {
        if (candEnv[c] !== e || !candFits[c]) continue;
        for (let k = 0; k < machines.classCount; k++)
          maxUnits = Math.max(maxUnits, machines.taskUnits[t * machines.classCount + k]);
        totalStorage += demand[t * DIMS + 1];
      }
    }
    return { fits: (storage: number) => maxUnits <= 1 && totalStorage <= storage };
  }
}

/** Sorts each CSC column's entries by row, as HiGHS requires. */
function sortColumns(starts: Int32Array, indices: number[], values: number[]): void {
  for (let j = 0; j + 1 < starts.length; j++) {
    const from = starts[j];
    const to = starts[j + 1];
    let sorted = true;
    for (let i = from + 1; i < to; i++) if (indices[i] < indices[i - 1]) sorted = false;
    if (sorted) continue;
    const entries = [];
    for (let i = from; i < to; i++) entries.push([indices[i], values[i]] as const);
    entries.sort((a, b) => a[0] - b[0]);
    entries.forEach(([r, v], k) => {
      indices[from + k] = r;
      values[from + k] = v;
    });
  }
}
