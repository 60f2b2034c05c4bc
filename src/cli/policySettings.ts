import { RULES, type PolicySettings } from "../../policies/rules";
import { readPolicyConfig } from "../catalog/policyConfig";

/** The settings of `--policy-config`, checked against the pack's policies; none when not given. */
export function policySettings(file: string | undefined): PolicySettings | undefined {
  if (file === undefined) return undefined;
  return readPolicyConfig(
    file,
    RULES.map((rule) => ({ name: rule.name, properties: rule.configSchema.properties })),
  );
}
