import { describe, expect, it } from "vitest";
import { GPU_RESOURCE, NODE_LABELS, NODE_NAME_FIELD } from "../../src/plan/facts";
import { schedulable, type ResourceView } from "../rules";
import { deployment, env, labelOf, machine, named, placement, plan, planRecord, site } from "./support/fixtures";

const check = (resources: readonly ResourceView[]) => schedulable.check(resources, schedulable.defaults);

/** An edge tier of two 2-GPU machines of 50 TFLOPS (500 GB each) and one with 4 slices per GPU. */
const EDGE = env("edge", "edge", {
  compute: 300,
  storage: 2000,
  bandwidth: 1000,
  machines: [
    machine("gpu-a-0", { gpus: 2, gpuTflops: 50, storage: 500 }),
    machine("gpu-a-1", { gpus: 2, gpuTflops: 50, storage: 500 }),
    machine("sliced", { gpus: 1, gpuTflops: 100, gpuSlices: 4, storage: 200 }),
  ],
});
const on = (task: string, id: string, compute: number, gpuUnits: number, storage = 10) =>
  placement(task, "edge", "edge", { compute, storage, bandwidth: 1, machine: id, gpuUnits });
const containerOf = (r: ResourceView) => r.props.spec.template.spec.containers[0];

describe("tierplan-schedulable", () => {
  it("is a mandatory policy named as the pack reports it", () => {
    expect(schedulable.name).toBe("tierplan-schedulable");
    expect(schedulable.enforcementLevel).toBe("mandatory");
  });

  it("passes pods that fill their machines exactly, whole GPUs and slices, steered by node name or by label", () => {
    const placements = [
      on("a", "gpu-a-0", 100, 2, 250),
      on("b", "gpu-a-1", 50, 1, 250),
      on("c", "gpu-a-1", 30, 1, 250),
      on("d", "sliced", 50, 2),
      on("e", "sliced", 40, 2),
    ];
    const resources = site([EDGE], placements);
    expect(check(resources)).toEqual([]);
    const byLabel = resources.map((r) =>
      r.name === "edge-a" ? deployment(placements[0], { machine: { id: "gpu-a-0", by: "label" } }) : r,
    );
    expect(check(byLabel)).toEqual([]);
  });

  it("reports one more GPU pod on a full machine: all its pods together need more units than it has", () => {
    const resources = site([EDGE], [on("a", "gpu-a-0", 50, 1), on("b", "gpu-a-0", 50, 1)]);
    expect(check(resources)).toEqual([]);
    named(resources, "edge-b").props.spec.replicas = 2;
    expect(check(resources)).toEqual([
      {
        message:
          "machine gpu-a-0 (edge): its pods need 3 GPU units together, it has 2: a (1 × 1 unit(s), 10 GB), b (2 × 1 unit(s), 10 GB)",
      },
    ]);
  });

  it("counts a copy of a Deployment, tierplan's or not, steered to the same machine", () => {
    const a = on("a", "gpu-a-0", 100, 2);
    const resources = site([EDGE], [a]);
    const ghost = deployment({ ...a, task: "ghost" }, { name: "edge-ghost" });
    expect(check([...resources, ghost]).map((v) => v.message)).toEqual([
      expect.stringMatching(
        /^machine gpu-a-0 \(edge\): its pods need 4 GPU units together, it has 2: a \(1 × 2 unit\(s\), 10 GB\), ghost/,
      ),
    ]);
    const foreign = deployment(a, { name: "not-ours", annotations: {} });
    expect(check([...resources, foreign]).map((v) => v.message)).toEqual([
      expect.stringMatching(
        /its pods need 4 GPU units together, it has 2: a .*, kubernetes:apps\/v1:Deployment not-ours, not tierplan's/,
      ),
    ]);
    // A foreign Deployment that is not steered to a machine may run anywhere on the cluster: not counted.
    const loose = deployment({ ...a, machine: undefined }, { name: "loose", annotations: {} });
    expect(check([...resources, loose])).toEqual([]);
  });

  it("reports storage the pods on a machine need together beyond its disk", () => {
    const resources = site([EDGE], [on("a", "gpu-a-1", 10, 1, 300), on("b", "gpu-a-1", 10, 1, 200.5)]);
    expect(check(resources).map((v) => v.message)).toEqual([
      "machine gpu-a-1 (edge): its pods need 500.5 GB of disk together, it has 500: a (1 × 1 unit(s), 300 GB), b (1 × 1 unit(s), 200.5 GB)",
    ]);
  });

  it("reports a pod that fits its machine alone in no way, once, not again as a sum", () => {
    const resources = site([EDGE], [on("a", "sliced", 10, 1)]);
    const c = containerOf(named(resources, "edge-a")).resources;
    c.requests[GPU_RESOURCE] = c.limits[GPU_RESOURCE] = "5";
    expect(check(resources)).toEqual([
      {
        resource: labelOf(named(resources, "edge-a")),
        message:
          "a pod of task 'a' needs 5 GPU unit(s) and 10 GB; machine sliced (edge) has 4 and 200 GB: it stays Pending",
      },
    ]);
  });

  it("reports a pod that requests fewer GPU units than its task needs on its machine's units", () => {
    // 30 TFLOPS on 25-TFLOPS slices: 2 units.
    const resources = site([EDGE], [on("a", "sliced", 30, 2)]);
    const c = containerOf(named(resources, "edge-a")).resources;
    c.requests[GPU_RESOURCE] = c.limits[GPU_RESOURCE] = "1";
    expect(check(resources).map((v) => v.message)).toEqual([
      "task 'a' needs 2 nvidia.com/gpu unit(s) of 25 TFLOPS for its 30 TFLOPS; its pods request 1",
    ]);
  });

  it("reports a pod that requests less disk than its task needs", () => {
    const resources = site([EDGE], [on("a", "gpu-a-0", 10, 1, 100)]);
    containerOf(named(resources, "edge-a")).resources.requests["ephemeral-storage"] = "10G";
    expect(check(resources).map((v) => v.message)).toEqual([
      expect.stringMatching(/^task 'a' needs 100 GB of local disk; its pods request 10 GB of ephemeral-storage/),
    ]);
  });

  it("reports GPU requests Kubernetes rejects", () => {
    const resources = site([EDGE], [on("a", "gpu-a-0", 10, 1)]);
    delete containerOf(named(resources, "edge-a")).resources.limits;
    expect(check(resources).map((v) => v.message)).toEqual([
      "task 'a': its pods are never created: container task requests nvidia.com/gpu without a limit: Kubernetes rejects the pod (an extended resource needs its limit)",
    ]);
  });

  it("reports a pod not steered to one machine only when no machine it may land on could hold it", () => {
    const big = on("big", "gpu-a-0", 100, 2);
    const record = planRecord(plan({ environments: [EDGE], placements: [big] }));
    const loose = deployment({ ...big, machine: undefined });
    expect(check([loose, record])).toEqual([]);
    const c = containerOf(loose).resources;
    c.requests[GPU_RESOURCE] = c.limits[GPU_RESOURCE] = "5";
    expect(check([loose, record]).map((v) => v.message)).toEqual([
      "a pod of task 'big' needs 5 GPU unit(s) and 10 GB; none of the machines it may land on (gpu-a-0, gpu-a-1, sliced) has that much: it stays Pending",
    ]);
  });

  it("reads the machine from the required affinity's node name or machine label, not from the plan's placement", () => {
    const a = on("a", "gpu-a-0", 100, 2);
    const b = on("b", "gpu-a-1", 100, 2);
    const resources = site([EDGE], [a, b]);
    expect(check(resources)).toEqual([]);
    const terms = named(resources, "edge-b").props.spec.template.spec.affinity.nodeAffinity
      .requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    expect(terms).toEqual([{ matchFields: [{ key: NODE_NAME_FIELD, operator: "In", values: ["gpu-a-1"] }] }]);
    terms[0] = { matchExpressions: [{ key: NODE_LABELS.machine, operator: "In", values: ["gpu-a-0"] }] };
    expect(check(resources).map((v) => v.message)).toEqual([
      expect.stringMatching(/^machine gpu-a-0 \(edge\): its pods need 4 GPU units together, it has 2/),
    ]);
  });

  it("reports the pods of a namespace requesting more than its ResourceQuota admits, tierplan's or not; scoped quotas are not judged", () => {
    const a = on("a", "gpu-a-0", 100, 2, 300);
    const resources = site([EDGE], [a]).map((r) =>
      r.name === "edge-a" ? { ...r, props: { ...r.props, metadata: { ...r.props.metadata, namespace: "ns" } } } : r,
    );
    const quota = (hard: Record<string, string>, extra: Record<string, unknown> = {}): ResourceView => ({
      type: "kubernetes:core/v1:ResourceQuota",
      name: "edge-quota",
      props: { metadata: { name: "tierplan-edge", namespace: "ns" }, spec: { hard, ...extra } },
    });
    expect(
      check([
        ...resources,
        quota({ [`requests.${GPU_RESOURCE}`]: "2", "requests.ephemeral-storage": "300G", pods: "1" }),
      ]),
    ).toEqual([]);
    named(resources, "edge-a").props.spec.replicas = 2;
    const over = quota({
      [`requests.${GPU_RESOURCE}`]: "3",
      "requests.ephemeral-storage": "1Ti",
      pods: "1",
      "count/deployments.apps": "1",
    });
    expect(
      check([...resources, over])
        .filter((v) => v.resource === labelOf(over))
        .map((v) => v.message),
    ).toEqual([
      "namespace ns: its pods request 4 of nvidia.com/gpu together; its ResourceQuota admits 3, so Kubernetes refuses the pods beyond it",
      "namespace ns: it runs 2 pods; its ResourceQuota admits 1, so Kubernetes refuses the pods beyond it",
    ]);
    expect(
      check([...resources, quota({ [`requests.${GPU_RESOURCE}`]: "1" }, { scopes: ["PriorityClass"] })]).filter(
        (v) => v.resource !== undefined,
      ),
    ).toEqual([]);
    // Another namespace's quota does not apply.
    const elsewhere = quota({ [`requests.${GPU_RESOURCE}`]: "0" });
    elsewhere.props.metadata.namespace = "other";
    expect(check([...resources, elsewhere]).filter((v) => v.resource === labelOf(elsewhere))).toEqual([]);
  });

  it("says nothing without a plan record, and of tiers without machines beyond the pods' own requests", () => {
    const tier = env("edge", "edge");
    const a = placement("a", "edge", "edge", { compute: 40, storage: 10 });
    expect(check([deployment(a)])).toEqual([]);
    const resources = site([tier], [a]);
    expect(check(resources)).toEqual([]);
    // The record's unit for tiers without machines (50 TFLOPS): 40 TFLOPS need 1 unit; 0 is too few.
    const c = containerOf(named(resources, "edge-a")).resources;
    delete c.requests[GPU_RESOURCE];
    delete c.limits;
    expect(check(resources).map((v) => v.message)).toEqual([
      "task 'a' needs 1 nvidia.com/gpu unit(s) of 50 TFLOPS for its 40 TFLOPS; its pods request 0",
    ]);
  });
});
