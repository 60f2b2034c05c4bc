import { describe, expect, it } from "vitest";
import { FACT_KEYS, NODE_LABELS, NODE_NAME_FIELD } from "../../src/plan/facts";
import { evaluateStack, placementMatchesPlan, type ResourceView } from "../rules";
import {
  deployment,
  env,
  instance,
  labelOf,
  machine,
  named,
  placement,
  plan,
  planRecord,
  planRecordRaw,
  robotConfig,
  sharedHost,
  site,
  tierSelector,
} from "./support/fixtures";

const check = (resources: readonly ResourceView[]) =>
  placementMatchesPlan.check(resources, placementMatchesPlan.defaults);

const CLOUD = env("cloud", "cloud", { compute: 1000, storage: 10000, bandwidth: 1000 });
const EDGE = env("edge", "edge");
const EDGE2 = env("edge-2", "edge");
const ARM = env("arm-1", "robot");
const MACHINES = env("edge", "edge", {
  compute: 200,
  machines: [
    machine("gpu-a-0", { gpus: 2, gpuTflops: 50, storage: 500 }),
    machine("gpu-a-1", { gpus: 2, gpuTflops: 50, storage: 500 }),
  ],
});

const TRAIN = placement("train", "cloud", "cloud");
const INFER = placement("infer", "edge", "edge", { compute: 10 });
const ACT = placement("act", "arm-1", "robot", { robot: "arm-1" });
const affinity = (r: ResourceView) => r.props.spec.template.spec;

describe("tierplan-placement-matches-plan", () => {
  it("is a mandatory policy named as the pack reports it", () => {
    expect(placementMatchesPlan.name).toBe("tierplan-placement-matches-plan");
    expect(placementMatchesPlan.enforcementLevel).toBe("mandatory");
  });

  it("passes the workloads the program writes, on one edge tier, on several, and on machines by either affinity", () => {
    expect(check(site([CLOUD, EDGE, ARM], [TRAIN, INFER, ACT]))).toEqual([]);
    expect(check(site([EDGE, EDGE2], [INFER, placement("b", "edge-2", "edge")]))).toEqual([]);
    const onMachine = placement("infer", "edge", "edge", { compute: 10, machine: "gpu-a-1", gpuUnits: 1 });
    expect(check(site([MACHINES], [onMachine]))).toEqual([]);
    expect(
      check([
        deployment(onMachine, { machine: { id: "gpu-a-1", by: "label" } }),
        planRecord(plan({ environments: [MACHINES], placements: [onMachine] })),
      ]),
    ).toEqual([]);
  });

  it("reports a Deployment whose nodeSelector steers it to another tier than the plan's", () => {
    const resources = site([EDGE, EDGE2], [INFER]);
    named(resources, "edge-infer").props.spec.template.spec.nodeSelector = tierSelector("edge-2");
    expect(check(resources)).toEqual([
      {
        resource: labelOf(named(resources, "edge-infer")),
        message:
          "deployment for task 'infer' runs on edge-2 (nodeSelector tierplan.dev/edge-tier=edge-2); the plan places it on edge",
      },
    ]);
  });

  it("reports a Deployment steered to a tier the plan does not have", () => {
    const resources = site([EDGE], [INFER]);
    named(resources, "edge-infer").props.spec.template.spec.nodeSelector = tierSelector("cloud");
    expect(check(resources).map((v) => v.message)).toEqual([
      "deployment for task 'infer' can run on no environment of the plan (nodeSelector tierplan.dev/edge-tier=cloud); the plan places it on edge",
    ]);
  });

  it("reports a Deployment not steered at all on a site with several edge tiers", () => {
    const resources = site([EDGE, EDGE2], [INFER]);
    delete affinity(named(resources, "edge-infer")).nodeSelector;
    expect(check(resources).map((v) => v.message)).toEqual([
      "deployment for task 'infer' is not steered to edge: its pods may land on edge, edge-2 (no nodeSelector, nodeName or required node affinity)",
    ]);
  });

  it("ignores selectors on labels tierplan does not manage: they narrow nodes the plan does not know", () => {
    const resources = site([EDGE, EDGE2], [INFER]);
    affinity(named(resources, "edge-infer")).nodeSelector["kubernetes.io/arch"] = "arm64";
    expect(check(resources)).toEqual([]);
  });

  it("reports a pod not steered to its planned machine, and one steered to another machine, by name or by label", () => {
    const onMachine = placement("infer", "edge", "edge", { compute: 10, machine: "gpu-a-1", gpuUnits: 1 });
    const record = planRecord(plan({ environments: [MACHINES], placements: [onMachine] }));
    const free = deployment({ ...onMachine, machine: undefined });
    expect(check([free, record]).map((v) => v.message)).toEqual([
      "deployment for task 'infer' is not steered to machine gpu-a-1: its pods may land on gpu-a-0, gpu-a-1 (no nodeSelector, nodeName or required node affinity)",
    ]);
    for (const by of ["name", "label"] as const) {
      const other = deployment(onMachine, { machine: { id: "gpu-a-0", by } });
      expect(check([other, record]).map((v) => v.message)).toEqual([
        `deployment for task 'infer' runs on machine gpu-a-0 (required node affinity ${by === "name" ? NODE_NAME_FIELD : NODE_LABELS.machine} In [gpu-a-0]); the plan places it on edge/gpu-a-1`,
      ]);
    }
  });

  it("evaluates node affinity as Kubernetes does: terms are ORed, requirements ANDed, NotIn and nodeName count", () => {
    const onMachine = placement("infer", "edge", "edge", { compute: 10, machine: "gpu-a-1", gpuUnits: 1 });
    const record = planRecord(plan({ environments: [MACHINES], placements: [onMachine] }));
    const d = deployment(onMachine);
    const terms = affinity(d).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    terms.push({ matchExpressions: [{ key: NODE_LABELS.machine, operator: "In", values: ["gpu-a-0"] }] });
    expect(check([d, record])[0].message).toMatch(
      /is not steered to machine gpu-a-1: its pods may land on gpu-a-0, gpu-a-1/,
    );
    terms.splice(0, terms.length, {
      matchExpressions: [{ key: NODE_LABELS.machine, operator: "NotIn", values: ["gpu-a-0"] }],
    });
    expect(check([d, record])).toEqual([]);
    terms.splice(0, terms.length, {
      matchExpressions: [
        { key: NODE_LABELS.edgeTier, operator: "In", values: ["edge"] },
        { key: NODE_LABELS.machine, operator: "In", values: ["gpu-a-0"] },
      ],
    });
    expect(check([d, record])[0].message).toMatch(/runs on machine gpu-a-0/);
    delete affinity(d).affinity;
    affinity(d).nodeName = "gpu-a-1";
    expect(check([d, record])).toEqual([]);
  });

  it("reports an EC2 instance for a task the plan places on the edge", () => {
    const resources = [instance(INFER), planRecord(plan({ environments: [CLOUD, EDGE], placements: [INFER] }))];
    expect(check(resources).map((v) => v.message)).toEqual([
      "instance for task 'infer' runs on cloud (an EC2 instance runs on the cloud tier cloud); the plan places it on edge",
    ]);
  });

  it("reports a robot config delivered to another robot than the plan's", () => {
    const arm2 = env("arm-2", "robot");
    const resources = [robotConfig("arm-2", [ACT]), planRecord(plan({ environments: [ARM, arm2], placements: [ACT] }))];
    expect(check(resources).map((v) => v.message)).toEqual([
      "robot config for task 'act' runs on arm-2 (the robot config of arm-2); the plan places it on arm-1",
    ]);
  });

  it("reports a Deployment with no placement, and a placement with no workload", () => {
    const resources = site([CLOUD, EDGE], [TRAIN, INFER]);
    const ghost = deployment(placement("ghost", "edge", "edge"));
    expect(check([...resources, ghost])).toEqual([
      {
        resource: labelOf(ghost),
        message: "deployment for task 'ghost' has no placement in the plan record: remove it or re-plan",
      },
    ]);
    const withoutInfer = resources.filter((r) => r.name !== "edge-infer");
    expect(check(withoutInfer)).toEqual([
      {
        resource: "kubernetes:core/v1:ConfigMap plan-record",
        message: "task 'infer' is placed on edge in the plan record but no workload runs it",
      },
    ]);
  });

  it("reports two workloads for one task, and a Deployment scaled to 0", () => {
    const resources = site([EDGE], [INFER]);
    const second = deployment(INFER, { name: "edge-infer-2" });
    expect(check([...resources, second])).toEqual([
      {
        resource: labelOf(second),
        message: `task 'infer' has a second workload (deployment) besides ${labelOf(named(resources, "edge-infer"))}: it runs twice`,
      },
    ]);
    named(resources, "edge-infer").props.spec.replicas = 0;
    expect(check(resources).map((v) => v.message)).toEqual([
      "deployment for task 'infer' has 0 replicas: the task the plan places on edge does not run",
    ]);
  });

  it("reports workloads without a plan record, and an unreadable one", () => {
    expect(check([instance(TRAIN)]).map((v) => v.message)).toEqual([expect.stringContaining("no plan record")]);
    const broken = planRecordRaw({ data: { "plan.json": "{truncated" } });
    expect(check([instance(TRAIN), broken])).toEqual([
      { resource: labelOf(broken), message: expect.stringMatching(/^the plan record cannot be read/) },
    ]);
    const zipped = planRecordRaw({ binaryData: { "plan.json.gz": Buffer.from("not gzip").toString("base64") } });
    expect(check([instance(TRAIN), zipped])[0].message).toMatch(/^the plan record cannot be read/);
  });

  it("reports a workload whose task cannot be read", () => {
    const d = deployment(INFER);
    delete d.props.metadata.annotations[FACT_KEYS.task];
    const config = robotConfig("arm-1", [], { raw: JSON.stringify([null, { a: 1 }]) });
    const unreadableList = robotConfig("arm-1", [], { raw: "{not json" });
    unreadableList.name = "robot-arm-1-config-2";
    const record = planRecord(plan({ environments: [EDGE, ARM] }));
    expect(check([d, config, unreadableList, record]).map((v) => v.message)).toEqual([
      "a tierplan Deployment without its tierplan/task annotation: which task it runs is unknown",
      "tierplan/robot-placements entry 0 names no task (tierplan/task)",
      "tierplan/robot-placements entry 1 names no task (tierplan/task)",
      "a robot config without its tierplan/robot annotation or a readable tierplan/robot-placements list: which tasks run on which robot is unknown",
    ]);
  });

  it("matches the tasks of a shared cloud host to their placements through its host record, and reports a host without one", () => {
    const a = placement("a", "cloud", "cloud");
    const b = placement("b", "cloud", "cloud");
    const [host, record] = sharedHost("cloud-p1-0", [a, b]);
    const planned = planRecord(plan({ environments: [CLOUD], placements: [a, b] }));
    expect(check([host, record, planned])).toEqual([]);
    expect(check([host, planned]).map((v) => v.message)).toEqual([
      "a tierplan instance of shared host 'cloud-p1-0' without its host record (ConfigMap tierplan/record=cloud-host): which tasks it runs is unknown",
      "task 'a' is placed on cloud in the plan record but no workload runs it",
      "task 'b' is placed on cloud in the plan record but no workload runs it",
    ]);
    expect(check([record, planned]).map((v) => v.message)).toEqual([
      "host record of 'cloud-p1-0', but no tierplan instance is that host (tierplan/host=cloud-p1-0): its tasks run nowhere",
      "task 'a' is placed on cloud in the plan record but no workload runs it",
      "task 'b' is placed on cloud in the plan record but no workload runs it",
    ]);
  });

  it("a plan record of the wrong shape is a violation of this policy only, not a crash", () => {
    const bad = [
      "{}",
      "[]",
      "null",
      '{"placements":[]}',
      JSON.stringify({ ...plan({ environments: [{ ...EDGE, compute: "lots" } as never] }) }),
      JSON.stringify({
        ...plan({ environments: [EDGE], placements: [INFER] }),
        inputs: { tasks: [{ name: "infer", compute: -1, storage: 0, bandwidth: 0, maxLatency: 1 }] },
      }),
    ];
    for (const text of bad) {
      const record = planRecordRaw({ data: { "plan.json": text } });
      const found = evaluateStack([record, deployment(INFER)]);
      expect(found.map((v) => v.policy)).toEqual(["tierplan-placement-matches-plan"]);
      expect(found[0].message).toMatch(/^the plan record is not a tierplan plan: /);
    }
    const last = planRecordRaw({ data: { "plan.json": bad[5] } });
    expect(check([last])[0].message).toBe(
      "the plan record is not a tierplan plan: inputs.tasks[0].compute is not a non-negative number",
    );
  });
});
