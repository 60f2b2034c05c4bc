import type { Dimension, Environment, Task, Weights } from "./problem";

/** docs/contract.md §2: compute time plus transfer time plus the environment's base latency, in ms. */
export function latency(task: Task, env: Environment): number {
  return task.compute / env.compute + task.storage / env.bandwidth + env.latency;
}

/** docs/contract.md §2: the environment's hourly cost for the task's share of its compute, plus the task's fixed cost. */
export function cost(task: Task, env: Environment): number {
  return (env.costPerHour * task.compute) / env.compute + task.cost;
}

export function score(task: Task, env: Environment, weights: Weights): number {
  return weights.latency * latency(task, env) + weights.cost * cost(task, env);
}

/** Capacity left usable after the reserve: (1 - reserve) x capacity (docs/contract.md §2; docs/input.md, "Reserve"). */
export function usable(env: Readonly<Record<Dimension, number>>, dimension: Dimension, reserve: number): number {
  return (1 - reserve) * env[dimension];
}

/**
 * docs/contract.md §2's tolerant `a <= b`: equivalent ways of computing usable capacity
 * (0.9 * 10 vs 10 - 1) must agree.
 */
export function leq(a: number, b: number): boolean {
  return a <= b + tolerance(b);
}

export function tolerance(b: number): number {
  return 1e-9 * Math.max(1, Math.abs(b));
}
