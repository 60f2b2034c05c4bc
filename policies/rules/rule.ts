import type { EnforcementLevel } from "../../src/catalog/policyConfig";
import type { ResourceView } from "./resources";

/** One finding of a rule; `resource` names what to fix. */
export interface RuleViolation {
  message: string;
  resource?: string;
  /** A finding past a limit the policy config sets: at the rule's `escalation` level, unless the config sets a level. */
  escalated?: true;
}

/** A finding with its policy and level (src/plan/verdicts.ts: the reports show it too). */
export type { PolicyViolation } from "../../src/plan/verdicts";

/** Per-policy settings as in a policy config file: a level, or `{ enforcementLevel, …config }` (read by src/catalog/policyConfig). */
export type { PolicySettings } from "../../src/catalog/policyConfig";

/**
 * A policy as a pure function of the stack's resources: the pack wraps each in a
 * StackValidationPolicy, the offline preview and `tierplan check` call `check` directly.
 */
export interface Rule<C extends object> {
  /** Kebab-case policy name, as `pulumi preview` reports it. */
  name: string;
  description: string;
  /** Default level; stacks override it in the policy config. */
  enforcementLevel: EnforcementLevel;
  /**
   * The level of the rule's escalated findings when the policy config sets none (a rule that is
   * advisory until a configured limit is passed). The policy engine gives a policy one level, so
   * the pack registers such a rule at this level, with its escalated findings only.
   */
  escalation?: "mandatory";
  /** JSON Schema of the rule's config (`configSchema` of the pack). */
  configSchema: { properties: Record<string, object> };
  /** Config values when the policy config gives none. */
  defaults: C;
  check(resources: readonly ResourceView[], config: C): RuleViolation[];
}
