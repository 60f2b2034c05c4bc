import { describe, expect, it } from "vitest";
import { RULES, unplacedTasks } from "../rules";
import { stackPolicy } from "../rules/stackPolicy";
import { env, instance, placement, plan, planRecord } from "./support/fixtures";

describe("the rules as CrossGuard stack policies", () => {
  it("keep each rule's name, description, level and config schema", () => {
    for (const rule of RULES) {
      const policy = stackPolicy(rule);
      expect(policy).toMatchObject({ name: rule.name, description: rule.description, enforcementLevel: rule.enforcementLevel, configSchema: rule.configSchema });
      expect(policy.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    }
  });

  it("report against the resource's URN, and on the stack when a finding names no resource", () => {
    const slow = placement("act", "cloud", "cloud", { latencyMs: 55, maxLatency: 10, compute: 1 });
    const urn = "urn:pulumi:factory-a::tierplan::tierplan:cloud:CloudTier$aws:ec2/instance:Instance::cloud-act";
    const resources = [{ ...instance(slow, { instanceType: "g6.xlarge", volumeSize: 100 }), urn }];
    const reported: Array<[string, string | undefined]> = [];
    const latency = RULES.find((r) => r.name === "tierplan-latency-within-slo")!;
    stackPolicy(latency).validateStack({ resources, getConfig: <T extends object>() => ({}) as T }, (message, at) => reported.push([message, at]));
    expect(reported).toHaveLength(1);
    expect(reported[0][1]).toBe(urn);
    expect(reported[0][0]).toContain("55 ms exceeds its SLO of 10 ms");
  });

  it("pass the stack's policy config over the rule's defaults", () => {
    const record = planRecord(plan({ environments: [env("edge", "edge")], unplaced: [{ task: "sweep", priority: 1, reasons: ["too big"], source: "sweep" }] }));
    const resources = [{ ...record, urn: "urn:pulumi:s::p::kubernetes:core/v1:ConfigMap::plan-record" }];
    const run = (config: object) => {
      const reported: string[] = [];
      stackPolicy(unplacedTasks).validateStack({ resources, getConfig: <T extends object>() => config as T }, (message) => reported.push(message));
      return reported;
    };
    expect(run({})).toHaveLength(1);
    expect(run({ minPriority: 2 })).toEqual([]);
  });
});
