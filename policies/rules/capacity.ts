import { DIMENSIONS, leq, usable, type Environment } from "../../src/model";
import { fmt } from "../../src/plan/format";
import { workloadDemand, type Demand } from "./demand";
import { label, type ResourceView } from "./resources";
import type { Rule, RuleViolation } from "./rule";
import { specified, stackOf } from "./stack";

const UNITS = { compute: "TFLOPS", storage: "GB", bandwidth: "Mbps" } as const;

/**
 * Per environment and dimension, what the workloads running there really take (a Deployment's
 * requests times its replicas, an instance's or robot task's demand) stays within docs/contract.md §2's
 * usable capacity, (1 − reserve) × capacity, from the plan record's environments.
 */
export const capacityWithinUsable: Rule<Record<string, never>> = {
  name: "tierplan-capacity-within-usable",
  description:
    "What the workloads on each environment request, replicas included, stays within its capacity × (1 − reserve).",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  defaults: {},
  check(resources: readonly ResourceView[]): RuleViolation[] {
    const stack = stackOf(resources);
    const view = stack.view;
    if (!view) return [];
    const out: RuleViolation[] = [];
    const used = new Map<Environment, Demand & { tasks: string[] }>();
    for (const w of specified(stack)) {
      if (w.deployment && w.deployment.problems.length > 0) {
        out.push({
          resource: label(w.resource),
          message: `task '${w.task}': what its pods take cannot be counted: ${w.deployment.problems.join("; ")}`,
        });
        continue;
      }
      // A workload that may land on several environments is a steering fault (placement-matches-plan).
      if (w.runsOn.length !== 1) continue;
      const { demand, how } = workloadDemand(w, view);
      const sum = used.get(w.runsOn[0]) ?? { compute: 0, storage: 0, bandwidth: 0, tasks: [] };
      for (const d of DIMENSIONS) sum[d] += demand[d];
      sum.tasks.push(how ? `${w.task} (${how})` : w.task);
      used.set(w.runsOn[0], sum);
    }
    for (const [env, sum] of used) {
      for (const d of DIMENSIONS) {
        const cap = usable(env, d, view.reserve);
        if (leq(sum[d], cap)) continue;
        out.push({
          message:
            `${env.name}: ${d} demand ${fmt(sum[d])} ${UNITS[d]} exceeds the usable ${fmt(cap)} ${UNITS[d]} ` +
            `(capacity ${fmt(env[d])} × (1 − reserve ${view.reserve})) with ${sum.tasks.length} task(s): ${preview(sum.tasks)}`,
        });
      }
    }
    return out;
  },
};

function preview(tasks: string[]): string {
  return tasks.length <= 5 ? tasks.join(", ") : `${tasks.slice(0, 5).join(", ")}, … (${tasks.length - 5} more)`;
}
