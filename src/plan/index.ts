import { createHash } from "node:crypto";
import type { PlanningInput } from "../catalog/schema";
import { buildProblem } from "../model";
import { solve } from "../optimizer/solve";
import type { SolveOptions } from "../optimizer/types";
import { buildPlan } from "./build";
import type { CanonicalPlan, Plan } from "./schema";

export * from "./schema";
export { renderPlan } from "./render";

/** catalog → model → optimizer → plan: the whole planning core in one call. */
export async function planSite(input: PlanningInput, options: SolveOptions = {}): Promise<Plan> {
  const problem = buildProblem(input);
  const started = performance.now();
  const solution = await solve(problem, options);
  return buildPlan(problem, solution, Math.round((performance.now() - started) * 1000) / 1000, options.lock);
}

/** The plan without its one non-deterministic field (solve time): what two runs must agree on. */
export function canonicalPlan(plan: Plan): CanonicalPlan {
  const { ms: _ms, ...solver } = plan.solver;
  return { ...plan, solver };
}

/** Short content hash of the canonical plan: identical for `pulumi preview` and `pulumi up`. */
export function planHash(plan: Plan): string {
  return createHash("sha256")
    .update(JSON.stringify(canonicalPlan(plan)))
    .digest("hex")
    .slice(0, 16);
}
