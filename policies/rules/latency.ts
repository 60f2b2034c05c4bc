import { fmt } from "../../src/plan/format";
import { label, within, workloadsOf, type ResourceView, type RuleViolation } from "./resources";
import type { Rule } from "./rule";

/** Every workload's predicted latency is within its task's SLO (contract §2's tolerance). */
export const latencyWithinSlo: Rule<Record<string, never>> = {
  name: "tierplan-latency-within-slo",
  description: "Every workload tierplan places (EC2 instance, Deployment, robot config) has a predicted latency within its task's latency SLO.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  defaults: {},
  check(resources: readonly ResourceView[]): RuleViolation[] {
    const { workloads, malformed } = workloadsOf(resources);
    const out: RuleViolation[] = malformed.map((m) => ({ resource: label(m.resource), message: `tierplan placement facts are unreadable: ${m.problems.join("; ")}` }));
    for (const { resource, what, facts } of workloads) {
      if (!within(facts.latencyMs, facts.maxLatencyMs)) {
        out.push({
          resource: label(resource),
          message:
            `task '${facts.task}' on ${facts.tier} (${what}): predicted latency ${fmt(facts.latencyMs)} ms exceeds its SLO of ${fmt(facts.maxLatencyMs)} ms` +
            (facts.pinned ? "; it is pinned there: remove the pin or raise maxLatency" : "; re-plan or raise maxLatency"),
        });
      }
    }
    return out;
  },
};

