import { label, type ResourceView } from "./resources";
import type { Rule, RuleViolation } from "./rule";
import { stackOf } from "./stack";

export interface UnplacedConfig {
  /** Report unplaced tasks at this priority or above. */
  minPriority: number;
}

/** Tasks the plan left unplaced at or above a priority, with the planner's reason (advisory: the planner's own finding). */
export const unplacedTasks: Rule<UnplacedConfig> = {
  name: "tierplan-unplaced-tasks",
  description: "Reports tasks the plan leaves unplaced at or above a configurable priority, with the reason.",
  enforcementLevel: "advisory",
  configSchema: { properties: { minPriority: { type: "integer", minimum: 1, default: 1 } } },
  defaults: { minPriority: 1 },
  check(resources: readonly ResourceView[], config: UnplacedConfig): RuleViolation[] {
    const view = stackOf(resources).view;
    if (!view) return [];
    return view.plan.unplaced
      .filter((u) => u.priority >= config.minPriority)
      .map((u) => ({
        resource: label(view.resource),
        message: `task '${u.task}' (priority ${u.priority}) is unplaced: ${u.reasons[0] ?? "no reason recorded"}`,
      }));
  },
};
