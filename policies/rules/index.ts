import { capacityWithinUsable } from "./capacity";
import { instanceFitsTask } from "./instanceFit";
import { latencyWithinSlo } from "./latency";
import { placementAllowed } from "./placementAllowed";
import type { ResourceView } from "./resources";
import type { EnforcementLevel, Rule } from "./rule";
import { unplacedTasks } from "./unplaced";

export type { ResourceView, RuleViolation } from "./resources";
export type { EnforcementLevel, Rule } from "./rule";
export { capacityWithinUsable, instanceFitsTask, latencyWithinSlo, placementAllowed, unplacedTasks };

/** Every rule of the pack, in report order. */
export const RULES: ReadonlyArray<Rule<any>> = [latencyWithinSlo, capacityWithinUsable, instanceFitsTask, placementAllowed, unplacedTasks];

export interface PolicyViolation {
  policy: string;
  level: "mandatory" | "advisory";
  message: string;
  resource?: string;
}

/** Per-policy settings as in a policy config file: a level, or `{ enforcementLevel, …config }`. */
export type PolicySettings = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

/** Runs every rule as the pack would, with the same levels and config. */
export function evaluateStack(resources: readonly ResourceView[], settings: PolicySettings = {}): PolicyViolation[] {
  const out: PolicyViolation[] = [];
  for (const rule of RULES) {
    const setting = settings[rule.name];
    const level = typeof setting === "string" ? setting : (setting?.enforcementLevel ?? rule.enforcementLevel);
    if (level === "disabled") continue;
    const config = { ...rule.defaults, ...(typeof setting === "object" ? setting : {}) };
    for (const v of rule.check(resources, config)) out.push({ policy: rule.name, level, message: v.message, ...(v.resource !== undefined && { resource: v.resource }) });
  }
  return out;
}
