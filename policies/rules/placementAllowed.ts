import { label, planRecordOf, type ResourceView, type RuleViolation } from "./resources";
import type { Rule } from "./rule";

/**
 * Every placement is on an environment its task may use: its allowedTiers, and no fleet robot
 * but its own. Only a pin can break this; the plan record lists such pins as `allowed` violations.
 */
export const placementAllowed: Rule<Record<string, never>> = {
  name: "tierplan-placement-allowed",
  description: "Every task runs on an environment it may use: one named or of a kind in its allowedTiers, and no fleet robot but the one it is bound to.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  defaults: {},
  check(resources: readonly ResourceView[]): RuleViolation[] {
    const record = planRecordOf(resources);
    if (!record?.plan) return [];
    return record.plan.violations
      .filter((v) => v.rule === "allowed")
      .map((v) => ({ resource: label(record.resource), message: `task '${v.task}' is pinned to ${v.tier}: ${v.message}` }));
  },
};
