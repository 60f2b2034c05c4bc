/**
 * The optimizer's algorithms (`tierplan plan --algorithm`, the stack's `tierplan:algorithm`):
 * listed here, below the stack config that accepts them and the optimizer that runs them.
 */
export const ALGORITHMS = ["auto", "exact", "seed-greedy"] as const;
export type Algorithm = (typeof ALGORITHMS)[number];
