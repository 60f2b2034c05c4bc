import { RULES, type PolicySettings } from "../../policies/rules";
import { readPolicyConfig } from "../catalog/policyConfig";

/** Usage line shared by the commands that run the policies. */
export const POLICY_CONFIG_OPTION = "  --policy-config <file>  policy levels and config, as for pulumi preview --policy-pack-config";

/** The settings of `--policy-config`, checked against the pack's policies; none when not given. */
export function policySettings(file: string | undefined): PolicySettings | undefined {
  if (file === undefined) return undefined;
  return readPolicyConfig(file, RULES.map((rule) => ({ name: rule.name, properties: rule.configSchema.properties })));
}
