import { describe, expect, it } from "vitest";
import { latency } from "../../src/model";
import { FACT_KEYS } from "../../src/plan/facts";
import { latencyWithinSlo, type ResourceView } from "../rules";
import {
  deployment,
  env,
  facts,
  inputsOf,
  instance,
  labelOf,
  named,
  placement,
  plan,
  planRecord,
  robotConfig,
  site,
  tierSelector,
} from "./support/fixtures";

const check = (resources: readonly ResourceView[]) => latencyWithinSlo.check(resources, latencyWithinSlo.defaults);

const CLOUD = env("cloud", "cloud", { compute: 1000, storage: 10000, bandwidth: 1000, latency: 50 });
const EDGE = env("edge", "edge", { compute: 100, storage: 1000, bandwidth: 100, latency: 10 });
const FAR = env("far-edge", "edge", { compute: 100, storage: 1000, bandwidth: 100, latency: 40 });
const ARM = env("arm-1", "robot", { compute: 10, storage: 100, bandwidth: 10, latency: 1 });

describe("tierplan-latency-within-slo", () => {
  it("is a mandatory policy named as the pack reports it", () => {
    expect(latencyWithinSlo.name).toBe("tierplan-latency-within-slo");
    expect(latencyWithinSlo.enforcementLevel).toBe("mandatory");
  });

  it("passes workloads of every kind whose recomputed latency is within their SLO", () => {
    const resources = site(
      [CLOUD, EDGE, ARM],
      [
        placement("train", "cloud", "cloud", { compute: 500, storage: 5000, maxLatency: 10000 }),
        placement("infer", "edge", "edge", { compute: 10, storage: 10, maxLatency: 100 }),
        placement("act", "arm-1", "robot", { compute: 1, storage: 1, maxLatency: 10, robot: "arm-1" }),
      ],
    );
    expect(check(resources)).toEqual([]);
  });

  it("recomputes the latency with docs/contract.md §2's formula on the environment the workload runs on, naming its terms", () => {
    const act = placement("act", "cloud", "cloud", {
      compute: 1,
      storage: 1,
      maxLatency: 10,
      pinned: true,
      latencyMs: 1,
    });
    const resources = site([CLOUD], [act]);
    const out = check(resources);
    const ms = latency(
      { ...act, index: 0, name: "act", cost: 0 },
      {
        index: 0,
        name: "cloud",
        kind: "cloud",
        fleetRobot: false,
        compute: 1000,
        storage: 10000,
        bandwidth: 1000,
        latency: 50,
        costPerHour: 1,
      },
    );
    expect(ms).toBeCloseTo(50.002);
    expect(out).toEqual([
      {
        resource: labelOf(named(resources, "cloud-act")),
        message:
          "task 'act' on cloud (instance): latency 50.002 ms = 1/1000 + 1/1000 + 50 exceeds its SLO of 10 ms; it is pinned there: remove the pin or raise maxLatency",
      },
    ]);
  });

  it("reads neither the latency fact nor the plan's latency: both rewritten to 1 ms, the breach is still found", () => {
    const act = placement("act", "cloud", "cloud", { compute: 1, storage: 1, maxLatency: 10, latencyMs: 1 });
    const resources = site([CLOUD], [act]);
    const inst = named(resources, "cloud-act");
    inst.props.tags[FACT_KEYS.latencyMs] = "1";
    inst.props.tags[FACT_KEYS.maxLatencyMs] = "100000";
    expect(check(resources)).toHaveLength(1);
    expect(check(resources)[0].message).toContain("re-plan or raise maxLatency");
  });

  it("takes the SLO from the plan record's inputs, not from the placement or the facts", () => {
    const infer = placement("infer", "edge", "edge", { compute: 10, storage: 10, maxLatency: 100 });
    const p = plan({ environments: [EDGE], placements: [infer] });
    const strict = planRecord(p, { inputs: inputsOf(p, { infer: { maxLatency: 10 } }) });
    expect(check([deployment(infer), strict]).map((v) => v.message)).toEqual([
      expect.stringMatching(/^task 'infer' on edge \(deployment\): latency 10.2 ms .* exceeds its SLO of 10 ms/),
    ]);
  });

  it("judges a Deployment on the tier its nodeSelector steers it to, not the tier its annotations name", () => {
    const infer = placement("infer", "edge", "edge", { compute: 10, storage: 10, maxLatency: 20 });
    const resources = site([EDGE, FAR], [infer]);
    expect(check(resources)).toEqual([]);
    named(resources, "edge-infer").props.spec.template.spec.nodeSelector = tierSelector("far-edge");
    expect(check(resources).map((v) => v.message)).toEqual([
      expect.stringMatching(/^task 'infer' on far-edge \(deployment\): latency 40.2 ms/),
    ]);
  });

  it("judges an unsteered Deployment on every edge tier its pods may land on", () => {
    const infer = placement("infer", "edge", "edge", { compute: 10, storage: 10, maxLatency: 20 });
    const resources = site([EDGE, FAR], [infer]);
    delete named(resources, "edge-infer").props.spec.template.spec.nodeSelector;
    const out = check(resources);
    expect(out).toHaveLength(1);
    expect(out[0].message).toMatch(
      /^task 'infer' may run on far-edge \(deployment, no nodeSelector, nodeName or required node affinity\): latency 40.2 ms/,
    );
  });

  it("judges a robot config's tasks on the robot it is delivered to", () => {
    const ok = placement("ok-task", "arm-1", "robot", { compute: 1, storage: 1, maxLatency: 10, robot: "arm-1" });
    const slow = placement("slow-task", "arm-1", "robot", { compute: 5, storage: 90, maxLatency: 10, robot: "arm-1" });
    const resources = site([ARM], [ok, slow]);
    const out = check(resources);
    expect(out).toHaveLength(1);
    expect(out[0].resource).toBe(labelOf(named(resources, "robot-arm-1-config")));
    expect(out[0].message).toMatch(
      /^task 'slow-task' on arm-1 \(robot config\): latency 10.5 ms = 5\/10 \+ 90\/10 \+ 1 exceeds its SLO of 10 ms/,
    );
  });

  it("uses the contract's tolerance: equal passes, a relative excess above 1e-9 fails", () => {
    // latency = 10/100 + 10/100 + 10 = 10.2 ms on EDGE.
    const at = (maxLatency: number) =>
      check(site([EDGE], [placement("t", "edge", "edge", { compute: 10, storage: 10, maxLatency })]));
    expect(at(10.2)).toEqual([]);
    expect(at(10.2 * (1 - 1e-12))).toEqual([]);
    expect(at(10.2 * (1 - 1e-6))).toHaveLength(1);
  });

  it("names the resource by its URN under the policy engine", () => {
    const urn = "urn:pulumi:site-x::tierplan::tierplan:edge:EdgeTier$kubernetes:apps/v1:Deployment::edge-infer";
    const infer = placement("infer", "edge", "edge", { compute: 10, storage: 10, maxLatency: 5 });
    const resources = [{ ...deployment(infer), urn }, planRecord(plan({ environments: [EDGE], placements: [infer] }))];
    expect(check(resources).map((v) => v.resource)).toEqual([urn]);
  });

  it("says nothing of workloads the record does not specify or that run nowhere (placement-matches-plan reports them)", () => {
    const ghost = placement("ghost", "edge", "edge", { maxLatency: 0.001 });
    const record = planRecord(plan({ environments: [EDGE] }));
    expect(check([deployment(ghost), record])).toEqual([]);
    const robotless = placement("act", "arm-9", "robot", { maxLatency: 0.001 });
    expect(
      check([robotConfig("arm-9", [robotless]), planRecord(plan({ environments: [ARM], placements: [robotless] }))]),
    ).toEqual([]);
    expect(check([instance(ghost)])).toEqual([]);
  });

  it("ignores resources that are not tierplan workloads, even when they carry the same facts", () => {
    const t = placement("t", "cloud", "cloud", { maxLatency: 10 });
    const record = planRecord(plan({ environments: [CLOUD], placements: [t] }));
    const resources: ResourceView[] = [
      // The instance's security group is tagged with the placement facts too.
      { type: "aws:ec2/securityGroup:SecurityGroup", name: "cloud-t-sg", props: { tags: facts(t) } },
      // A Deployment tierplan does not manage.
      deployment(placement("t", "edge", "edge"), {
        annotations: { ...facts(t), [FACT_KEYS.managedBy]: "someone-else" },
      }),
      // A ConfigMap that is not a robot config.
      {
        type: "kubernetes:core/v1:ConfigMap",
        name: "other",
        props: {
          metadata: {
            labels: {},
            annotations: { "tierplan/robot": "cloud", "tierplan/robot-placements": JSON.stringify([facts(t)]) },
          },
        },
      },
      record,
    ];
    expect(check(resources)).toEqual([]);
    // …while the same facts on an instance are judged.
    expect(check([instance(t), record])).toHaveLength(1);
  });
});
