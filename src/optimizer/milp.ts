import loadHighs from "highs";
import { DIMS, type Instance } from "./instance";

type Highs = Awaited<ReturnType<typeof loadHighs>>;

let highsPromise: Promise<Highs> | undefined;
/** HiGHS (WebAssembly) is loaded once per process. */
export function highs(): Promise<Highs> {
  highsPromise ??= loadHighs();
  return highsPromise;
}

/** One MILP solve of the lexicographic sequence. */
export interface Stage {
  /** Count stage: maximise the tasks placed at this priority. Absent: minimise the score. */
  countLevel?: number;
  /** Lowest priority taking part; lower ones are left out (they cannot help a count stage). */
  minPriority: number;
  /** Tasks to place at least, per priority level, pins included. */
  minPlaced: Map<number, number>;
  /** Levels whose placeable tasks must all be placed. */
  forced: Set<number>;
  /** A known feasible assignment to start from. */
  start?: Int32Array;
  /** Branch-and-bound node limit; Infinity for none. */
  maxNodes: number;
  /** Solve the LP relaxation only (integrality dropped): a bound, and a point to round from. */
  relax?: boolean;
  /** Candidates proven out of every plan better than `start` (reduced-cost fixing): left out. */
  exclude?: Uint8Array;
}

export interface StageResult {
  /** Best assignment found (pins included), if any. */
  assignment?: Int32Array;
  /** Proven optimal for this stage. */
  optimal: boolean;
  /** Objective of the best assignment: tasks placed at the level, or score of the unpinned tasks. */
  objective: number;
  /** Best proven bound on the same objective. */
  bound: number;
  nodes: number;
  columns: number;
  /** With `relax`: the LP value of every candidate (indexed like `Instance.candEnv`). */
  lp?: Float64Array;
}

/**
 * x[t,e] = 1 when task t runs on environment e, one column per candidate that fits in what the
 * pins leave; rows: each task at most once (exactly once on forced levels), capacity per
 * environment and dimension where the candidates could overfill it, and the per-level counts
 * fixed by earlier stages.
 */
export function solveStage(solver: Highs, inst: Instance, stage: Stage): StageResult {
  const { taskCount, envCount, candStart, candEnv, candScore, candFits, demand, free, slack, pinned, priority } = inst;
  const cols: number[] = [];
  const colTask: number[] = [];
  const taskRow = new Int32Array(taskCount).fill(-1);
  let rows = 0;
  const rowLower: number[] = [];
  const rowUpper: number[] = [];
  for (let t = 0; t < taskCount; t++) {
    if (pinned[t] >= 0 || priority[t] < stage.minPriority) continue;
    let any = false;
    for (let c = candStart[t]; c < candStart[t + 1]; c++) {
      if (!candFits[c] || stage.exclude?.[c]) continue;
      cols.push(c);
      colTask.push(t);
      any = true;
    }
    if (!any) continue;
    taskRow[t] = rows++;
    rowLower.push(stage.forced.has(priority[t]) ? 1 : 0);
    rowUpper.push(1);
  }
  const possible = new Float64Array(envCount * DIMS);
  const touched = new Uint8Array(envCount);
  for (let j = 0; j < cols.length; j++) {
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
  const pinnedAt = new Map<number, number>();
  for (let t = 0; t < taskCount; t++) if (pinned[t] >= 0) pinnedAt.set(priority[t], (pinnedAt.get(priority[t]) ?? 0) + 1);
  const countRow = new Map<number, number>();
  for (const [level, placed] of stage.minPlaced) {
    if (stage.forced.has(level) || level < stage.minPriority) continue;
    const need = placed - (pinnedAt.get(level) ?? 0);
    if (need <= 0) continue;
    countRow.set(level, rows++);
    rowLower.push(need);
    rowUpper.push(Infinity);
  }

  const starts = new Int32Array(cols.length + 1);
  const indices: number[] = [];
  const values: number[] = [];
  const colCost = new Float64Array(cols.length);
  for (let j = 0; j < cols.length; j++) {
    const c = cols[j];
    const t = colTask[j];
    const e = candEnv[c];
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
    const cr = countRow.get(priority[t]);
    if (cr !== undefined) {
      indices.push(cr);
      values.push(1);
    }
    starts[j + 1] = indices.length;
    colCost[j] = stage.countLevel === undefined ? candScore[c] : priority[t] === stage.countLevel ? -1 : 0;
  }

  if (cols.length === 0) {
    return { assignment: Int32Array.from(pinned), optimal: true, objective: 0, bound: 0, nodes: 0, columns: 0 };
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
    matrix: { format: "csc", numRows: rows, numCols: cols.length, starts, indices: Int32Array.from(indices), values: Float64Array.from(values) },
    ...(!stage.relax && { integrality: new Int32Array(cols.length).fill(1) }),
  });
  try {
    model.options.set({
      output_flag: false,
      mip_rel_gap: 0,
      // A count is an integer: a bound within 1 of the incumbent proves it.
      mip_abs_gap: stage.countLevel === undefined ? 1e-7 : 0.999,
      primal_feasibility_tolerance: 1e-9,
      mip_feasibility_tolerance: 1e-9,
      ...(Number.isFinite(stage.maxNodes) && { mip_max_nodes: stage.maxNodes }),
    });
    if (stage.start) {
      const colValue = new Float64Array(cols.length);
      for (let j = 0; j < cols.length; j++) if (stage.start[colTask[j]] === candEnv[cols[j]]) colValue[j] = 1;
      model.setSolution({ colValue });
    }
    model.run();
    const status = model.getModelStatus();
    if (stage.relax) {
      const sign = stage.countLevel === undefined ? 1 : -1;
      if (status !== solver.constants.modelStatus.optimal) return { optimal: false, objective: NaN, bound: -Infinity * sign, nodes: 0, columns: cols.length };
      const x = model.getSolution().colValue;
      const lp = new Float64Array(candEnv.length);
      for (let j = 0; j < cols.length; j++) lp[cols[j]] = x[j];
      const objective = sign * model.getObjectiveValue();
      return { optimal: false, objective, bound: objective, nodes: 0, columns: cols.length, lp };
    }
    const nodes = Number(model.info.get("mip_node_count") ?? 0);
    const hasSolution = Number(model.info.get("primal_solution_status") ?? 0) === 2;
    const sign = stage.countLevel === undefined ? 1 : -1;
    if (!hasSolution) {
      return { optimal: false, objective: NaN, bound: sign * Number(model.info.get("mip_dual_bound")), nodes, columns: cols.length };
    }
    const x = model.getSolution().colValue;
    const assignment = Int32Array.from(pinned);
    for (let j = 0; j < cols.length; j++) if (x[j] > 0.5) assignment[colTask[j]] = candEnv[cols[j]];
    const objective = sign * model.getObjectiveValue();
    const dualBound = Number(model.info.get("mip_dual_bound"));
    const optimal = status === solver.constants.modelStatus.optimal;
    return { assignment, optimal, objective, bound: optimal ? objective : sign * dualBound, nodes, columns: cols.length };
  } finally {
    model.dispose();
  }
}
