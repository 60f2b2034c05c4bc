import { describe, expect, it } from "vitest";
import { FACT_KEYS } from "../../src/plan/facts";
import { latencyWithinSlo } from "../rules";
import { deployment, env, facts, instance, labelOf, placement, plan, planRecord, robotConfig } from "./support/fixtures";

const check = (resources: Parameters<typeof latencyWithinSlo.check>[0]) => latencyWithinSlo.check(resources, latencyWithinSlo.defaults);

describe("tierplan-latency-within-slo", () => {
  it("is a mandatory policy named as the pack reports it", () => {
    expect(latencyWithinSlo.name).toBe("tierplan-latency-within-slo");
    expect(latencyWithinSlo.enforcementLevel).toBe("mandatory");
  });

  it("passes workloads of every kind whose latency is within their SLO", () => {
    const resources = [
      instance(placement("train", "cloud", "cloud", { latencyMs: 55.5, maxLatency: 10000 })),
      deployment(placement("infer", "edge", "edge", { latencyMs: 10.2, maxLatency: 100 })),
      robotConfig("arm-1", [placement("act", "arm-1", "robot", { latencyMs: 1.2, maxLatency: 10 })]),
      planRecord(plan({ environments: [env("cloud", "cloud")] })),
    ];
    expect(check(resources)).toEqual([]);
  });

  it("reports an instance over its SLO, naming task, tier, latency, SLO and the resource", () => {
    const bad = instance(placement("act", "cloud", "cloud", { latencyMs: 50.002, maxLatency: 10, pinned: true }));
    const out = check([bad]);
    expect(out).toHaveLength(1);
    expect(out[0].resource).toBe("aws:ec2/instance:Instance cloud-act");
    expect(out[0].message).toContain("task 'act' on cloud (instance)");
    expect(out[0].message).toContain("50.002 ms exceeds its SLO of 10 ms");
    expect(out[0].message).toContain("pinned");
  });

  it("advises re-planning, not removing a pin, when the workload is not pinned", () => {
    const out = check([deployment(placement("infer", "edge", "edge", { latencyMs: 120, maxLatency: 100 }))]);
    expect(out).toHaveLength(1);
    expect(out[0].message).toContain("task 'infer' on edge (deployment)");
    expect(out[0].message).toContain("re-plan");
    expect(out[0].message).not.toContain("pinned");
  });

  it("reports only the offending task of a robot config with several, against the ConfigMap", () => {
    const config = robotConfig("arm-1", [
      placement("ok-task", "arm-1", "robot", { latencyMs: 2, maxLatency: 10 }),
      placement("slow-task", "arm-1", "robot", { latencyMs: 12, maxLatency: 10 }),
    ]);
    const out = check([config]);
    expect(out).toHaveLength(1);
    expect(out[0].resource).toBe(labelOf(config));
    expect(out[0].message).toContain("task 'slow-task' on arm-1 (robot config)");
  });

  it("uses the contract's tolerance: equal passes, a relative excess above 1e-9 fails", () => {
    const at = (latencyMs: number) => check([deployment(placement("t", "edge", "edge", { latencyMs, maxLatency: 100 }))]);
    expect(at(100)).toEqual([]);
    expect(at(100 + 1e-8)).toEqual([]); // within 1e-9 × 100
    expect(at(100 + 1e-6)).toHaveLength(1);
    expect(at(101)).toHaveLength(1);
  });

  it("names the resource by its URN under the policy engine", () => {
    const urn = "urn:pulumi:site-x::tierplan::tierplan:edge:EdgeTier$kubernetes:apps/v1:Deployment::edge-infer";
    const out = check([deployment(placement("infer", "edge", "edge", { latencyMs: 120, maxLatency: 100 }), { urn })]);
    expect(out.map((v) => v.resource)).toEqual([urn]);
  });

  it("reports a non-number latency fact instead of ignoring the workload", () => {
    const tags = { ...facts(placement("act", "cloud", "cloud")), [FACT_KEYS.latencyMs]: "fast" };
    const bad = instance(placement("act", "cloud", "cloud"), { tags });
    const out = check([bad]);
    expect(out).toHaveLength(1);
    expect(out[0].resource).toBe(labelOf(bad));
    expect(out[0].message).toContain("unreadable");
    expect(out[0].message).toContain(`${FACT_KEYS.latencyMs} is not a number: 'fast'`);
  });

  it("reports a missing SLO fact on a managed Deployment", () => {
    const annotations: Record<string, string> = { ...facts(placement("infer", "edge", "edge")) };
    delete annotations[FACT_KEYS.maxLatencyMs];
    const out = check([deployment(placement("infer", "edge", "edge"), { annotations })]);
    expect(out).toHaveLength(1);
    expect(out[0].message).toContain(`missing ${FACT_KEYS.maxLatencyMs}`);
  });

  it("reports a robot config whose placements annotation cannot be read", () => {
    const config = robotConfig("arm-1", [], { raw: "{not json" });
    const out = check([config]);
    expect(out).toHaveLength(1);
    expect(out[0].resource).toBe(labelOf(config));
    expect(out[0].message).toContain("tierplan/robot-placements");
  });

  it("ignores resources that are not tierplan workloads, even when they carry the same facts", () => {
    const slow = facts(placement("t", "cloud", "cloud", { latencyMs: 500, maxLatency: 10 }));
    const resources = [
      // The instance's security group is tagged with the placement facts too; one workload, one report.
      { type: "aws:ec2/securityGroup:SecurityGroup", name: "cloud-t-sg", props: { tags: slow } },
      // A Deployment tierplan does not manage.
      deployment(placement("t", "edge", "edge"), { annotations: { ...slow, [FACT_KEYS.managedBy]: "someone-else" } }),
      // A ConfigMap that is not a robot config.
      { type: "kubernetes:core/v1:ConfigMap", name: "other", props: { metadata: { labels: {}, annotations: { "tierplan/robot-placements": JSON.stringify([slow]) } } } },
    ];
    expect(check(resources)).toEqual([]);
    // …while the same facts on an instance are reported.
    expect(check([instance(placement("t", "cloud", "cloud"), { tags: slow })])).toHaveLength(1);
  });
});
