import { isAllowed, isBindingOk } from "../../src/model";
import { label, type ResourceView } from "./resources";
import type { Rule, RuleViolation } from "./rule";
import { advice, specified, stackOf } from "./stack";

/**
 * Every workload runs on an environment its task may use (docs/contract.md §2), judged from the task's
 * specification in the plan record's inputs (allowedTiers, robot binding) and the environment the
 * workload actually runs on: a name or kind in allowedTiers, and no fleet robot but its own.
 */
export const placementAllowed: Rule<Record<string, never>> = {
  name: "tierplan-placement-allowed",
  description:
    "Every task runs on an environment it may use: one named or of a kind in its allowedTiers, and no fleet robot but the one it is bound to.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  defaults: {},
  check(resources: readonly ResourceView[]): RuleViolation[] {
    const stack = stackOf(resources);
    const view = stack.view;
    if (!view) return [];
    const out: RuleViolation[] = [];
    for (const w of specified(stack)) {
      for (const env of w.runsOn) {
        const where =
          w.runsOn.length > 1 ? `may run on ${env.name} (${w.what}, ${w.steering})` : `runs on ${env.name} (${w.what})`;
        if (!isBindingOk(w.spec, env)) {
          out.push({
            resource: label(w.resource),
            message: `task '${w.task}' ${where}, a fleet robot it is not bound to (${w.spec.robot === undefined ? "it is bound to none" : `it is bound to ${w.spec.robot}`})${advice(w.spec, "bind it to that robot")}`,
          });
        }
        if (!isAllowed(w.spec, env)) {
          out.push({
            resource: label(w.resource),
            message: `task '${w.task}' ${where}: ${env.name} (${env.kind}) is not in its allowedTiers [${w.spec.allowedTiers!.join(", ")}]${advice(w.spec, "widen allowedTiers")}`,
          });
        }
      }
    }
    if (!view.inputsRecorded) {
      // A record without the planning inputs does not say which tiers a task allows: the plan's own
      // findings about pins outside allowedTiers are all that can be reported (until the program passes its input).
      for (const v of view.plan.violations.filter((x) => x.rule === "allowed")) {
        out.push({
          resource: label(view.resource),
          message: `task '${v.task}' is pinned to ${v.tier}: ${v.message} (as the plan records it: the plan record carries no task specifications)`,
        });
      }
    }
    return out;
  },
};
