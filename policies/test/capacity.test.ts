import { describe, expect, it } from "vitest";
import { capacityWithinUsable, type ResourceView } from "../rules";
import { deployment, env, instance, labelOf, placement, plan, planRecord, planRecordRaw, robotConfig } from "./support/fixtures";

const check = (resources: readonly ResourceView[]) => capacityWithinUsable.check(resources, capacityWithinUsable.defaults);

const CLOUD = env("cloud", "cloud", { compute: 1000, storage: 10000, bandwidth: 1000 });
const EDGE = env("edge", "edge", { compute: 100, storage: 1000, bandwidth: 100 });
const ARM = env("arm-1", "robot", { compute: 10, storage: 100, bandwidth: 10 });

/** The workloads of a set of placements, as the program provisions them, and its plan record. */
function stackOf(placements: ReturnType<typeof placement>[], reserve = 0, gzip = false): ResourceView[] {
  const out: ResourceView[] = [];
  for (const p of placements) {
    if (p.kind === "cloud") out.push(instance(p));
    else if (p.kind === "edge") out.push(deployment(p));
  }
  const robots = [...new Set(placements.filter((p) => p.kind === "robot").map((p) => p.tier))];
  for (const robot of robots) out.push(robotConfig(robot, placements.filter((p) => p.tier === robot)));
  out.push(planRecord(plan({ environments: [CLOUD, EDGE, ARM], placements, reserve }), { gzip }));
  return out;
}

const TRAIN = placement("train", "cloud", "cloud", { compute: 500, storage: 5000, bandwidth: 100 });
const INFER = placement("infer", "edge", "edge", { compute: 10, storage: 10, bandwidth: 50 });
const ACT = placement("act", "arm-1", "robot", { compute: 1, storage: 1, bandwidth: 10, robot: "arm-1" });

describe("tierplan-capacity-within-usable", () => {
  it("is a mandatory policy named as the pack reports it", () => {
    expect(capacityWithinUsable.name).toBe("tierplan-capacity-within-usable");
    expect(capacityWithinUsable.enforcementLevel).toBe("mandatory");
  });

  it("passes a stack whose workloads match the plan record and fit, a robot filled to the brim included", () => {
    expect(check(stackOf([TRAIN, INFER, ACT]))).toEqual([]);
  });

  it("passes a stack with neither workloads nor plan record", () => {
    expect(check([{ type: "aws:s3/bucket:Bucket", name: "b", props: {} }])).toEqual([]);
  });

  it("reports an environment whose summed demand exceeds capacity, per dimension, naming the tasks", () => {
    const a = placement("a", "edge", "edge", { compute: 60, storage: 10, bandwidth: 10 });
    const b = placement("b", "edge", "edge", { compute: 50, storage: 10, bandwidth: 10 });
    const out = check(stackOf([a, b]));
    expect(out).toHaveLength(1);
    expect(out[0].message).toMatch(/^edge: compute demand 110 TFLOPS exceeds the usable 100 TFLOPS/);
    expect(out[0].message).toContain("2 task(s): a, b");
  });

  it("checks storage and bandwidth as well as compute", () => {
    const big = placement("big", "edge", "edge", { compute: 1, storage: 1500, bandwidth: 150 });
    const messages = check(stackOf([big])).map((v) => v.message);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatch(/^edge: storage demand 1500 GB exceeds the usable 1000 GB/);
    expect(messages[1]).toMatch(/^edge: bandwidth demand 150 Mbps exceeds the usable 100 Mbps/);
  });

  it("counts the tasks of robot configs against the robot", () => {
    const second = placement("act-2", "arm-1", "robot", { compute: 1, storage: 1, bandwidth: 1, robot: "arm-1" });
    const out = check(stackOf([ACT, second]));
    expect(out).toHaveLength(1);
    expect(out[0].message).toMatch(/^arm-1: bandwidth demand 11 Mbps exceeds the usable 10 Mbps/);
  });

  it("applies the plan's reserve", () => {
    const at = (compute: number) => check(stackOf([placement("t", "edge", "edge", { compute, storage: 1, bandwidth: 1 })], 0.1));
    expect(at(90)).toEqual([]);
    expect(at(90.001)).toHaveLength(1);
    expect(at(90.001)[0].message).toContain("(capacity 100 × (1 − reserve 0.1))");
    expect(at(100)).toHaveLength(1); // fits the raw capacity, not the usable one
  });

  it("uses the contract's tolerance at the boundary", () => {
    // (1 − 0.3) × 7 is 4.8999999999999995 in floating point; a demand of 4.9 must still fit.
    expect((1 - 0.3) * 7).toBeLessThan(4.9);
    const small = env("edge", "edge", { compute: 7, storage: 1000, bandwidth: 100 });
    const at = (compute: number) => {
      const p = placement("t", "edge", "edge", { compute, storage: 1, bandwidth: 1 });
      return check([deployment(p), planRecord(plan({ environments: [small], placements: [p], reserve: 0.3 }))]);
    };
    expect(at(4.9)).toEqual([]);
    expect(at(4.9 + 1e-6)).toHaveLength(1);
  });

  it("lists at most five tasks in a message", () => {
    const many = Array.from({ length: 7 }, (_, i) => placement(`t${i}`, "edge", "edge", { compute: 20, storage: 1, bandwidth: 1 }));
    const out = check(stackOf(many));
    expect(out).toHaveLength(1);
    expect(out[0].message).toContain("7 task(s): t0, t1, t2, t3, t4, … (2 more)");
  });

  it("reports a workload with no placement in the plan record", () => {
    const stray = deployment(placement("ghost", "edge", "edge"));
    const out = check([...stackOf([TRAIN, INFER]), stray]);
    expect(out).toEqual([{ resource: labelOf(stray), message: "deployment for task 'ghost' has no placement in the plan record: remove it or re-plan" }]);
  });

  it("reports a placement with no workload, against the plan record", () => {
    const resources = stackOf([TRAIN, INFER]).filter((r) => r.name !== "edge-infer");
    const record = resources.find((r) => r.name === "plan-record")!;
    expect(check(resources)).toEqual([{ resource: labelOf(record), message: "task 'infer' is placed on edge in the plan record but no workload runs it" }]);
  });

  it("reports a workload whose tier disagrees with the plan record", () => {
    const resources = stackOf([TRAIN]);
    const moved = deployment({ ...TRAIN, tier: "edge", kind: "edge", compute: 1, storage: 1, bandwidth: 1 }, { name: "edge-train" });
    const out = check([...resources.filter((r) => r.name !== "cloud-train"), moved]);
    expect(out).toEqual([{ resource: labelOf(moved), message: "deployment for task 'train' says tier edge, the plan record says cloud" }]);
  });

  it("reports a workload on an environment the plan record does not know", () => {
    const lost = placement("lost", "mars", "edge");
    const out = check([...stackOf([TRAIN]), deployment(lost)]);
    expect(out.map((v) => v.message)).toContain("task 'lost' (deployment) is placed on 'mars', which the plan record does not know");
  });

  it("reports workloads without a plan record", () => {
    const out = check(stackOf([TRAIN]).filter((r) => r.name !== "plan-record"));
    expect(out).toHaveLength(1);
    expect(out[0].message).toContain("no plan record");
  });

  it("reports an unreadable plan record against it", () => {
    const record = planRecordRaw({ data: { "plan.json": "{truncated" } });
    const out = check([instance(TRAIN), record]);
    expect(out).toHaveLength(1);
    expect(out[0].resource).toBe(labelOf(record));
    expect(out[0].message).toMatch(/^the plan record cannot be read/);
  });

  it("reads a gzipped plan record (binaryData plan.json.gz) as it reads a plain one", () => {
    expect(check(stackOf([TRAIN, INFER, ACT], 0, true))).toEqual([]);
    // The zipped record is really read: a capacity it states is enforced, a placement it lacks is missed.
    const over = placement("over", "edge", "edge", { compute: 200, storage: 1, bandwidth: 1 });
    expect(check(stackOf([TRAIN, over], 0, true)).map((v) => v.message)).toEqual([expect.stringMatching(/^edge: compute demand 200 TFLOPS exceeds the usable 100 TFLOPS/)]);
    const zipped = stackOf([TRAIN], 0, true);
    expect(check([...zipped, deployment(INFER)]).map((v) => v.message)).toEqual(["deployment for task 'infer' has no placement in the plan record: remove it or re-plan"]);
  });

  it("reports a corrupt gzipped plan record", () => {
    const record = planRecordRaw({ binaryData: { "plan.json.gz": Buffer.from("not gzip").toString("base64") } });
    const out = check([instance(TRAIN), record]);
    expect(out).toHaveLength(1);
    expect(out[0].message).toMatch(/^the plan record cannot be read/);
  });
});
