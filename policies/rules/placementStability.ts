import { kindsOf, moveConsequence } from "../../src/plan/moves";
import { label, type ResourceView } from "./resources";
import type { Rule, RuleViolation } from "./rule";
import { stackOf } from "./stack";

/** Moves named in the finding; the plan's `moves` (and the pull-request comment) have them all. */
const SHOWN = 10;

export interface StabilityConfig {
  /** The most moves a plan may make against its lock before the policy fails it; unset: no limit. */
  maxMoves?: number;
}

/**
 * The plan's moves against the stack's lock (docs/contract.md §6, the record's `moves`), each with what
 * `pulumi up` does for it: advisory, so that every preview and pull request shows them; past the
 * config's `maxMoves`, a mandatory finding that the plan moves too much.
 */
export const placementStability: Rule<StabilityConfig> = {
  name: "tierplan-placement-stability",
  description:
    "Lists the tasks the plan moves against the stack's lock, with their Pulumi consequence; fails the plan when they are more than the config's maxMoves.",
  enforcementLevel: "advisory",
  escalation: "mandatory",
  configSchema: { properties: { maxMoves: { type: "integer", minimum: 0 } } },
  defaults: {},
  check(resources: readonly ResourceView[], config: StabilityConfig): RuleViolation[] {
    const view = stackOf(resources).view;
    if (!view) return [];
    const moves = view.plan.moves;
    if (moves.length === 0) return [];
    const kinds = kindsOf(view.plan);
    const listed = moves.slice(0, SHOWN).map((m) => {
      const consequence = moveConsequence(m, kinds);
      return `${m.task} (${m.from} → ${m.to ?? "unplaced"}${consequence ? `: ${consequence}` : ""})`;
    });
    const list = `${listed.join("; ")}${moves.length > SHOWN ? `; … ${moves.length - SHOWN} more in the plan's moves` : ""}`;
    const out: RuleViolation[] = [
      {
        resource: label(view.resource),
        message: `the plan moves ${moves.length} task(s) against the stack's lock: ${list}`,
      },
    ];
    if (config.maxMoves !== undefined && moves.length > config.maxMoves) {
      out.unshift({
        resource: label(view.resource),
        escalated: true,
        message: `the plan moves ${moves.length} task(s) against the lock, more than maxMoves ${config.maxMoves}: keep the locked placements (free capacity or pin), or raise maxMoves`,
      });
    }
    return out;
  },
};
