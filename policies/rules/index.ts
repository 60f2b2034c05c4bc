import { budget } from "./budget";
import { capacityWithinUsable } from "./capacity";
import { instanceFitsTask } from "./instanceFit";
import { latencyWithinSlo } from "./latency";
import { placementAllowed } from "./placementAllowed";
import { placementMatchesPlan } from "./placementMatchesPlan";
import type { ResourceView } from "./resources";
import type { PolicySettings, PolicyViolation, Rule } from "./rule";
import { placementStability } from "./placementStability";
import { schedulable } from "./schedulable";
import { unplacedTasks } from "./unplaced";

export type { ResourceView } from "./resources";
export type { PolicySettings, PolicyViolation, Rule } from "./rule";
export {
  budget,
  capacityWithinUsable,
  instanceFitsTask,
  latencyWithinSlo,
  placementAllowed,
  placementMatchesPlan,
  placementStability,
  schedulable,
  unplacedTasks,
};

/** Every rule of the pack, in report order. */
export const RULES: ReadonlyArray<Rule<any>> = [
  latencyWithinSlo,
  capacityWithinUsable,
  schedulable,
  placementMatchesPlan,
  instanceFitsTask,
  placementAllowed,
  placementStability,
  budget,
  unplacedTasks,
];

/** Runs every rule as the pack would, with the same levels and config. */
export function evaluateStack(resources: readonly ResourceView[], settings: PolicySettings = {}): PolicyViolation[] {
  const out: PolicyViolation[] = [];
  for (const rule of RULES) {
    const setting = settings[rule.name];
    const set = typeof setting === "string" ? setting : setting?.enforcementLevel;
    if (set === "disabled") continue;
    const config = { ...rule.defaults, ...(typeof setting === "object" ? setting : {}) };
    for (const v of rule.check(resources, config)) {
      const level = set ?? (v.escalated && rule.escalation ? rule.escalation : rule.enforcementLevel);
      if (level === "disabled") continue;
      out.push({
        policy: rule.name,
        level,
        message: v.message,
        ...(v.resource !== undefined && { resource: v.resource }),
      });
    }
  }
  return out;
}
