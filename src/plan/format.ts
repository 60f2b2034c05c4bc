import type { Plan } from "./schema";

/** A number as a person reads it: six significant digits, no trailing zeros. */
export const fmt = (value: number): string => String(Number(value.toPrecision(6)));

export const percent = (share: number): string => `${(share * 100).toFixed(share < 0.1 && share > 0 ? 1 : 0)}%`;

/** ANSI styling for a terminal, or none: `painter(color)("31")(text)`. */
export const painter =
  (color: boolean) =>
  (code: string) =>
  (text: string): string =>
    color ? `\u001b[${code}m${text}\u001b[0m` : text;

/**
 * The solver's verdict in words (docs/contract.md §7): proven optimal, or the certified gap to the bound
 * (or that there is no bound), and the levels whose counts are not proven, with their bounds.
 */
export function solverVerdict(plan: Pick<Plan, "solver" | "objective">): string {
  const { solver, objective } = plan;
  if (solver.optimal) return "proven optimal";
  const gap = solver.gap === null ? "no bound on the score" : `certified gap ${percent(solver.gap)}`;
  const open = objective.placedByPriority.filter((l) => l.placed < l.bound);
  const counts =
    open.length === 0
      ? ""
      : `, counts unproven (${open.map((l) => `p${l.priority} ${l.placed} of at most ${l.bound}`).join(", ")})`;
  return gap + counts;
}
