import type { Rule } from "./rule";

/** What CrossGuard hands a stack policy (the fields of @pulumi/policy's StackValidationArgs used here). */
interface StackArgs {
  resources: ReadonlyArray<{ type: string; name: string; urn: string; props: Record<string, any> }>;
  getConfig<T extends object>(): T;
}

/** A rule in the shape of @pulumi/policy's StackValidationPolicy, without depending on the package. */
export interface StackPolicyShape {
  name: string;
  description: string;
  enforcementLevel: Rule<object>["enforcementLevel"];
  configSchema: Rule<object>["configSchema"];
  validateStack: (args: StackArgs, reportViolation: (message: string, urn?: string) => void) => void;
}

/**
 * A rule as CrossGuard runs it: on every resource the preview knows, reporting against its URN.
 * The engine gives a policy one level, so a rule that escalates past a configured limit is
 * registered at its escalation level and reports its escalated findings only; `tierplan preview`
 * and `tierplan check` show its other findings too, at the rule's default level.
 */
export function stackPolicy(rule: Rule<any>): StackPolicyShape {
  return {
    name: rule.name,
    description: rule.description,
    enforcementLevel: rule.escalation ?? rule.enforcementLevel,
    configSchema: rule.configSchema,
    validateStack: (args, reportViolation) => {
      const resources = args.resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: r.props }));
      const config = { ...rule.defaults, ...args.getConfig<object>() };
      for (const violation of rule.check(resources, config)) {
        if (rule.escalation && !violation.escalated) continue;
        // Stack-level findings (e.g. a tier over capacity) name no resource: CrossGuard reports them on the stack.
        reportViolation(violation.message, violation.resource?.startsWith("urn:") ? violation.resource : undefined);
      }
    },
  };
}
