import type { EnforcementLevel } from "../catalog/policyConfig";

/**
 * A policy's finding with its policy and level: what the policy rules return and what
 * `tierplan preview`, `tierplan check` and the Markdown report show. Below the policies and the
 * reports alike, so neither imports the other.
 */
export interface PolicyViolation {
  policy: string;
  level: Exclude<EnforcementLevel, "disabled">;
  message: string;
  resource?: string;
}
