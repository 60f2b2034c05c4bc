import { describe, expect, it } from "vitest";
import { RULES, unplacedTasks } from "../rules";
import { stackPolicy } from "../rules/stackPolicy";
import { env, instance, placement, plan, planRecord } from "./support/fixtures";

const CLOUD = env("cloud", "cloud", { compute: 1000, storage: 10000, bandwidth: 1000, latency: 50 });

describe("the rules as CrossGuard stack policies", () => {
  it("keep each rule's name, description, level (its escalation level, for a rule that escalates) and config schema", () => {
    for (const rule of RULES) {
      const policy = stackPolicy(rule);
      expect(policy).toMatchObject({
        name: rule.name,
        description: rule.description,
        enforcementLevel: rule.escalation ?? rule.enforcementLevel,
        configSchema: rule.configSchema,
      });
      expect(policy.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    }
  });

  it("report against the resource's URN, and on the stack when a finding names no resource", () => {
    const slow = placement("act", "cloud", "cloud", { latencyMs: 55, maxLatency: 10, compute: 1 });
    const urn = "urn:pulumi:factory-a::tierplan::tierplan:cloud:CloudTier$aws:ec2/instance:Instance::cloud-act";
    const record = {
      ...planRecord(plan({ environments: [CLOUD], placements: [slow] })),
      urn: "urn:pulumi:s::p::kubernetes:core/v1:ConfigMap::plan-record",
    };
    const resources = [{ ...instance(slow, { instanceType: "g6.xlarge", volumeSize: 100 }), urn }, record];
    const reported: Array<[string, string | undefined]> = [];
    const latency = RULES.find((r) => r.name === "tierplan-latency-within-slo")!;
    stackPolicy(latency).validateStack({ resources, getConfig: <T extends object>() => ({}) as T }, (message, at) =>
      reported.push([message, at]),
    );
    expect(reported).toHaveLength(1);
    expect(reported[0][1]).toBe(urn);
    expect(reported[0][0]).toContain("50.002 ms = 1/1000 + 1/1000 + 50 exceeds its SLO of 10 ms");
    // A finding about a whole environment names no resource: the engine reports it on the stack.
    const capacity = RULES.find((r) => r.name === "tierplan-capacity-within-usable")!;
    const heavy = placement("heavy", "cloud", "cloud", { compute: 2000 });
    const onStack: Array<string | undefined> = [];
    const heavyRecord = {
      ...planRecord(plan({ environments: [CLOUD], placements: [heavy] })),
      urn: "urn:pulumi:s::p::kubernetes:core/v1:ConfigMap::plan-record",
    };
    stackPolicy(capacity).validateStack(
      { resources: [{ ...instance(heavy), urn }, heavyRecord], getConfig: <T extends object>() => ({}) as T },
      (_m, at) => onStack.push(at),
    );
    expect(onStack).toEqual([undefined]);
  });

  it("pass the stack's policy config over the rule's defaults", () => {
    const record = planRecord(
      plan({
        environments: [env("edge", "edge")],
        unplaced: [{ task: "sweep", priority: 1, reasons: ["too big"], source: "sweep" }],
      }),
    );
    const resources = [{ ...record, urn: "urn:pulumi:s::p::kubernetes:core/v1:ConfigMap::plan-record" }];
    const run = (config: object) => {
      const reported: string[] = [];
      stackPolicy(unplacedTasks).validateStack(
        { resources, getConfig: <T extends object>() => config as T },
        (message) => reported.push(message),
      );
      return reported;
    };
    expect(run({})).toHaveLength(1);
    expect(run({ minPriority: 2 })).toEqual([]);
  });
});
