import { PolicyPack, type StackValidationPolicy } from "@pulumi/policy";
import { RULES, type Rule } from "./rules";

/** A rule as CrossGuard runs it: on every resource the preview knows, reporting against its URN. */
function stackPolicy(rule: Rule<any>): StackValidationPolicy {
  return {
    name: rule.name,
    description: rule.description,
    enforcementLevel: rule.enforcementLevel,
    configSchema: rule.configSchema,
    validateStack: (args, reportViolation) => {
      const resources = args.resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: r.props }));
      const config = { ...rule.defaults, ...args.getConfig<object>() };
      for (const violation of rule.check(resources, config)) reportViolation(violation.message, violation.resource?.startsWith("urn:") ? violation.resource : undefined);
    },
  };
}

new PolicyPack("tierplan", { policies: RULES.map(stackPolicy) });
