import { fmt } from "../../src/plan/format";
import { leq } from "../../src/model";
import { instanceType } from "../../src/model/instanceTypes";
import { INSTANCE, label, list, numeric, record, type ResourceView } from "./resources";
import type { Rule, RuleViolation } from "./rule";

const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";

export interface BudgetConfig {
  /** The most the stack's instances may cost an hour, USD on demand; unset: no budget. */
  maxCostPerHour?: number;
}

/** One priced line of the stack's compute. */
interface Line {
  resource: ResourceView;
  what: string;
  perHour: number;
}

/**
 * The stack's provisioned cost per hour, recomputed from the resources (every EC2 instance, and
 * every EKS node group's desired nodes, at the on-demand price of their instance type in
 * tierplan's instance table), stays within the pack config's `maxCostPerHour`. Neither the
 * program's price tags nor its outputs are read.
 */
export const budget: Rule<BudgetConfig> = {
  name: "tierplan-budget",
  description:
    "The stack's EC2 instances and EKS nodes, priced from their instance types, cost at most the config's maxCostPerHour (USD per hour, on demand).",
  enforcementLevel: "mandatory",
  configSchema: { properties: { maxCostPerHour: { type: "number", minimum: 0 } } },
  defaults: {},
  check(resources: readonly ResourceView[], config: BudgetConfig): RuleViolation[] {
    const max = config.maxCostPerHour;
    if (max === undefined) return [];
    if (typeof max !== "number" || !Number.isFinite(max) || max < 0)
      return [{ message: `maxCostPerHour must be a number of dollars >= 0, got '${String(max)}'` }];
    const lines: Line[] = [];
    const out: RuleViolation[] = [];
    for (const resource of resources) {
      if (resource.type === INSTANCE) {
        const name = resource.props.instanceType;
        const type = typeof name === "string" ? instanceType(name) : undefined;
        if (!type)
          out.push({
            resource: label(resource),
            message: `instance type '${String(name)}' is not in tierplan's instance table: the stack's cost per hour cannot be known`,
          });
        else lines.push({ resource, what: `${name} $${fmt(type.pricePerHour)}`, perHour: type.pricePerHour });
      } else if (resource.type === NODE_GROUP) {
        const types = list(resource.props.instanceTypes);
        const scaling = record(resource.props.scalingConfig) ?? {};
        const nodes = numeric(scaling.desiredSize ?? scaling.minSize);
        const type = typeof types[0] === "string" ? instanceType(types[0]) : undefined;
        if (!type || !(Number.isInteger(nodes) && nodes >= 0)) {
          out.push({
            resource: label(resource),
            message: `node group of ${types.length > 0 ? types.map(String).join(", ") : "no instance type"} × ${String(scaling.desiredSize ?? scaling.minSize)}: not an instance type of tierplan's table with a node count, so the stack's cost per hour cannot be known`,
          });
        } else
          lines.push({
            resource,
            what: `${nodes} × ${type.name} $${fmt(type.pricePerHour)}`,
            perHour: nodes * type.pricePerHour,
          });
      }
    }
    if (out.length > 0) return out;
    const total = lines.reduce((sum, l) => sum + l.perHour, 0);
    if (leq(total, max)) return [];
    const top = [...lines].sort((a, b) => b.perHour - a.perHour);
    const shown =
      top
        .slice(0, 5)
        .map((l) => `${l.resource.name} (${l.what})`)
        .join(", ") + (top.length > 5 ? `, … (${top.length - 5} more)` : "");
    return [
      {
        message: `the stack provisions $${fmt(total)} an hour on demand, more than maxCostPerHour $${fmt(max)}: ${shown}`,
      },
    ];
  },
};
