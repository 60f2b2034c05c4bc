import type { Problem } from "../model";

export const ALGORITHMS = ["auto", "exact", "seed-greedy"] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

/** What an algorithm returns: one environment per task, and what it can prove about it. */
export interface Solution {
  /** Environment index per task (as in `Problem.tasks`), -1 when unplaced. */
  assignment: Int32Array;
  algorithm: Algorithm;
  /** The method that produced the assignment, e.g. "milp" or "regret+lagrangian". */
  method: string;
  /** True only when the plan is proven optimal under contract §2. */
  optimal: boolean;
  /** Relative gap of the score to `bound` (0 when optimal). */
  gap: number;
  /** Best proven lower bound on the score, given the placed counts. */
  bound?: number;
  /** True when the number placed at every priority level is proven maximal. */
  countsProven: boolean;
  /** Work the solver did: deterministic counts, never time. */
  work: Record<string, number>;
}

/** Deterministic work limits: the same input gives the same plan on a fast or a slow machine. */
export interface Budget {
  /** Branch-and-bound nodes per MILP solve. */
  milpNodes: number;
  /** Largest model (candidate pairs) that `auto` hands to the MILP. */
  milpMaxColumns: number;
  /** Subgradient iterations of the Lagrangian bound. */
  boundIterations: number;
}

export const DEFAULT_BUDGET: Budget = { milpNodes: 200, milpMaxColumns: 5_000, boundIterations: 300 };

export interface SolveOptions {
  algorithm?: Algorithm;
  budget?: Partial<Budget>;
  /** Called now and then during long solves, for progress on a terminal. */
  onProgress?: (message: string) => void;
}

export type Optimizer = (problem: Problem, options: Required<Omit<SolveOptions, "onProgress">> & Pick<SolveOptions, "onProgress">) => Promise<Solution>;
