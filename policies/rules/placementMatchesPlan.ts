import { label, type ResourceView } from "./resources";
import type { Rule, RuleViolation } from "./rule";
import { stackOf } from "./stack";
import type { Workload } from "./workloads";

/**
 * Every workload runs where the plan places its task, by its own steering: an EC2 instance for a
 * cloud placement, a Deployment whose nodeSelector, nodeName and required node affinity admit the
 * planned edge tier (and, on a tier with machines, the planned machine) and nothing else, a robot
 * config delivered to the planned robot; one workload per placement, one placement per workload.
 */
export const placementMatchesPlan: Rule<Record<string, never>> = {
  name: "tierplan-placement-matches-plan",
  description:
    "Every workload is steered to exactly the environment (and machine) the plan record places its task on, and every placement has exactly one workload.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  defaults: {},
  check(resources: readonly ResourceView[]): RuleViolation[] {
    const { record, view, workloads, unreadable } = stackOf(resources);
    const out: RuleViolation[] = unreadable.map((u) => ({ resource: label(u.resource), message: u.problem }));
    if (!record) {
      if (workloads.length > 0)
        out.push({
          message:
            "tierplan workloads are declared but the stack has no plan record (ConfigMap tierplan-plan): what they run cannot be checked against a plan",
        });
      return out;
    }
    if (!view) return [...out, { resource: label(record.resource), message: record.problem! }];

    const first = new Map<string, Workload>();
    for (const w of workloads) {
      const other = first.get(w.task);
      if (other) {
        out.push({
          resource: label(w.resource),
          message: `task '${w.task}' has a second workload (${w.what}) besides ${label(other.resource)}: it runs twice`,
        });
        continue;
      }
      first.set(w.task, w);
      const placement = view.placements.get(w.task);
      if (!placement) {
        out.push({
          resource: label(w.resource),
          message: `${w.what} for task '${w.task}' has no placement in the plan record: remove it or re-plan`,
        });
        continue;
      }
      const planned = placement.tier;
      const names = w.runsOn.map((e) => e.name);
      if (names.length === 0) {
        out.push({
          resource: label(w.resource),
          message: `${w.what} for task '${w.task}' can run on no environment of the plan (${w.steering}); the plan places it on ${planned}`,
        });
      } else if (!names.includes(planned)) {
        out.push({
          resource: label(w.resource),
          message: `${w.what} for task '${w.task}' runs on ${names.join(" or ")} (${w.steering}); the plan places it on ${planned}`,
        });
      } else if (names.length > 1) {
        out.push({
          resource: label(w.resource),
          message: `${w.what} for task '${w.task}' is not steered to ${planned}: its pods may land on ${names.join(", ")} (${w.steering})`,
        });
      } else if (placement.machine !== undefined && !(w.machines.length === 1 && w.machines[0] === placement.machine)) {
        out.push({
          resource: label(w.resource),
          message: w.machines.includes(placement.machine)
            ? `${w.what} for task '${w.task}' is not steered to machine ${placement.machine}: its pods may land on ${w.machines.join(", ")} (${w.steering})`
            : `${w.what} for task '${w.task}' runs on machine ${w.machines.join(" or ") || "none of the plan"} (${w.steering}); the plan places it on ${planned}/${placement.machine}`,
        });
      }
      if (w.deployment?.replicas === 0)
        out.push({
          resource: label(w.resource),
          message: `deployment for task '${w.task}' has 0 replicas: the task the plan places on ${planned} does not run`,
        });
    }
    for (const placement of view.placements.values()) {
      if (!first.has(placement.task))
        out.push({
          resource: label(view.resource),
          message: `task '${placement.task}' is placed on ${placement.tier} in the plan record but no workload runs it`,
        });
    }
    return out;
  },
};
