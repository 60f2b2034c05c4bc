import { latency, leq } from "../../src/model";
import { fmt } from "../../src/plan/format";
import { label, type ResourceView } from "./resources";
import type { Rule, RuleViolation } from "./rule";
import { advice, specified, stackOf } from "./stack";

/**
 * Every workload's latency, recomputed with docs/contract.md §2's formula from its task's specification
 * (the plan record's inputs) and the environment it actually runs on (the cloud tier for an EC2
 * instance, the edge tier its pods' steering admits, the robot of a robot config), is within its
 * task's SLO. Neither the `tierplan/latency-ms` fact nor the plan's latencies are read.
 */
export const latencyWithinSlo: Rule<Record<string, never>> = {
  name: "tierplan-latency-within-slo",
  description:
    "Every workload tierplan places (EC2 instance, Deployment, robot config) has a latency, recomputed from its task and the environment it runs on, within its task's latency SLO.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  defaults: {},
  check(resources: readonly ResourceView[]): RuleViolation[] {
    const out: RuleViolation[] = [];
    for (const w of specified(stackOf(resources))) {
      for (const env of w.runsOn) {
        const ms = latency(w.spec, env);
        if (leq(ms, w.spec.maxLatency)) continue;
        const where =
          w.runsOn.length > 1 ? `may run on ${env.name} (${w.what}, ${w.steering})` : `on ${env.name} (${w.what})`;
        out.push({
          resource: label(w.resource),
          message:
            `task '${w.task}' ${where}: latency ${fmt(ms)} ms = ${fmt(w.spec.compute)}/${fmt(env.compute)} + ${fmt(w.spec.storage)}/${fmt(env.bandwidth)} + ${fmt(env.latency)} exceeds its SLO of ${fmt(w.spec.maxLatency)} ms` +
            advice(w.spec, "raise maxLatency"),
        });
      }
    }
    return out;
  },
};
