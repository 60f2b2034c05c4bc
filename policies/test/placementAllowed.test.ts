import { describe, expect, it } from "vitest";
import { capacityWithinUsable, evaluateStack, instanceFitsTask, latencyWithinSlo, placementAllowed } from "../rules";
import { deployment, env, instance, labelOf, placement, plan, planRecord, planRecordRaw, robotConfig } from "./support/fixtures";
import { preview, rootWithPin } from "./support/preview";

const EDGE = env("edge", "edge", { compute: 100, storage: 1000, bandwidth: 1000 });

describe("tierplan-placement-allowed", () => {
  it("is mandatory", () => {
    expect(placementAllowed.name).toBe("tierplan-placement-allowed");
    expect(placementAllowed.enforcementLevel).toBe("mandatory");
  });

  it("reports the plan record's 'allowed' violations and no others", () => {
    const p = plan({ environments: [EDGE], placements: [placement("a", "edge", "edge")] });
    p.violations = [
      { task: "a", tier: "edge", rule: "allowed", message: "edge (edge) is not in allowedTiers [robot]" },
      { task: "a", tier: "edge", rule: "latency", message: "latency 12 ms > 10 ms" },
    ];
    const record = planRecord(p);
    expect(placementAllowed.check([record], {})).toEqual([
      { resource: labelOf(record), message: "task 'a' is pinned to edge: edge (edge) is not in allowedTiers [robot]" },
    ]);
  });

  it("fires, alone, when the lab pins bench-eval (allowedTiers [robot]) to the cloud", async () => {
    const { result } = await preview("lab", rootWithPin("catalogs/sites/lab.yaml", "bench-eval", "cloud"));
    const mandatory = result.policies.violations.filter((v) => v.level === "mandatory");
    expect(mandatory.map((v) => v.policy)).toEqual(["tierplan-placement-allowed"]);
    expect(mandatory[0].message).toContain("bench-eval");
  });
});

describe("hardening against hand-edited resources", () => {
  it("a plan record of the wrong shape is a violation, not a crash", () => {
    for (const text of ["{}", "[]", "null", '{"placements":[]}']) {
      const record = planRecordRaw({ data: { "plan.json": text } });
      const found = evaluateStack([record]);
      expect(found).toHaveLength(1);
      expect(found[0].policy).toBe("tierplan-capacity-within-usable");
      expect(found[0].message).toMatch(/^the plan record is not a tierplan plan: /);
    }
  });

  it("a root volume size that is not a number is reported", () => {
    const p = placement("train", "cloud", "cloud", { compute: 10, storage: 50 });
    const found = instanceFitsTask.check([instance(p, { instanceType: "g6.xlarge", volumeSize: "abc" })], {});
    expect(found.map((v) => v.message)).toEqual(["task 'train': root volume size 'abc' is not a number"]);
  });

  it("robot config entries that are not fact maps are reported", () => {
    const robot = robotConfig("arm-1", [], { raw: JSON.stringify([null, "x", { a: 1 }]) });
    const found = latencyWithinSlo.check([robot], {});
    expect(found).toHaveLength(3);
    expect(found[0].message).toContain("entry 0 is not a map of placement facts");
  });

  it("two workloads for one task are reported: the demand would count twice", () => {
    const p = placement("infer", "edge", "edge", { compute: 10 });
    const record = planRecord(plan({ environments: [EDGE], placements: [p] }));
    const first = deployment(p, { name: "one" });
    const second = deployment(p, { name: "two" });
    const found = capacityWithinUsable.check([record, first, second], {});
    expect(found).toEqual([{ resource: labelOf(second), message: `task 'infer' has a second workload (deployment) besides ${labelOf(first)}: its demand counts twice` }]);
  });
});
