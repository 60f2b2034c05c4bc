import { describe, expect, it } from "vitest";
import { EGRESS_BANDWIDTH_ANNOTATION, GPU_RESOURCE } from "../../src/plan/facts";
import { capacityWithinUsable, type ResourceView } from "../rules";
import {
  deployment,
  env,
  inputsOf,
  labelOf,
  machine,
  named,
  placement,
  plan,
  planRecord,
  site,
} from "./support/fixtures";

const check = (resources: readonly ResourceView[]) =>
  capacityWithinUsable.check(resources, capacityWithinUsable.defaults);

const CLOUD = env("cloud", "cloud", { compute: 1000, storage: 10000, bandwidth: 1000 });
const EDGE = env("edge", "edge", { compute: 100, storage: 1000, bandwidth: 100 });
const ARM = env("arm-1", "robot", { compute: 10, storage: 100, bandwidth: 10 });

const TRAIN = placement("train", "cloud", "cloud", { compute: 500, storage: 5000, bandwidth: 100 });
const INFER = placement("infer", "edge", "edge", { compute: 10, storage: 10, bandwidth: 50 });
const ACT = placement("act", "arm-1", "robot", { compute: 1, storage: 1, bandwidth: 10, robot: "arm-1" });
const gpu = (r: ResourceView) => r.props.spec.template.spec.containers[0].resources;

describe("tierplan-capacity-within-usable", () => {
  it("is a mandatory policy named as the pack reports it", () => {
    expect(capacityWithinUsable.name).toBe("tierplan-capacity-within-usable");
    expect(capacityWithinUsable.enforcementLevel).toBe("mandatory");
  });

  it("passes a stack whose workloads fit, a robot filled to the brim included", () => {
    expect(check(site([CLOUD, EDGE, ARM], [TRAIN, INFER, ACT]))).toEqual([]);
  });

  it("passes a stack with neither workloads nor plan record", () => {
    expect(check([{ type: "aws:s3/bucket:Bucket", name: "b", props: {} }])).toEqual([]);
  });

  it("reports an environment whose summed demand exceeds capacity, per dimension, naming the tasks", () => {
    const a = placement("a", "edge", "edge", { compute: 60, storage: 10, bandwidth: 10 });
    const b = placement("b", "edge", "edge", { compute: 40.5, storage: 10, bandwidth: 10 });
    const out = check(site([EDGE], [a, b]));
    expect(out).toEqual([
      {
        message:
          "edge: compute demand 100.5 TFLOPS exceeds the usable 100 TFLOPS (capacity 100 × (1 − reserve 0)) with 2 task(s): a, b",
      },
    ]);
  });

  it("checks storage and bandwidth as well as compute", () => {
    const big = placement("big", "edge", "edge", { compute: 1, storage: 1500, bandwidth: 150 });
    const messages = check(site([EDGE], [big])).map((v) => v.message);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatch(/^edge: storage demand 1500 GB exceeds the usable 1000 GB/);
    expect(messages[1]).toMatch(/^edge: bandwidth demand 150 Mbps exceeds the usable 100 Mbps/);
  });

  it("counts the tasks of robot configs against the robot", () => {
    const second = placement("act-2", "arm-1", "robot", { compute: 1, storage: 1, bandwidth: 1, robot: "arm-1" });
    const out = check(site([ARM], [ACT, second]));
    expect(out.map((v) => v.message)).toEqual([
      expect.stringMatching(/^arm-1: bandwidth demand 11 Mbps exceeds the usable 10 Mbps/),
    ]);
  });

  it("applies the plan's reserve", () => {
    const at = (compute: number) =>
      check(site([EDGE], [placement("t", "edge", "edge", { compute, storage: 1, bandwidth: 1 })], { reserve: 0.1 }));
    expect(at(90)).toEqual([]);
    expect(at(90.001)).toHaveLength(1);
    expect(at(90.001)[0].message).toContain("(capacity 100 × (1 − reserve 0.1))");
    expect(at(100)).toHaveLength(1); // fits the raw capacity, not the usable one
  });

  it("uses the contract's tolerance at the boundary", () => {
    // (1 − 0.3) × 7 is 4.8999999999999995 in floating point; a demand of 4.9 must still fit.
    expect((1 - 0.3) * 7).toBeLessThan(4.9);
    const small = env("edge", "edge", { compute: 7, storage: 1000, bandwidth: 100 });
    const at = (compute: number) =>
      check(site([small], [placement("t", "edge", "edge", { compute, storage: 1, bandwidth: 1 })], { reserve: 0.3 }));
    expect(at(4.9)).toEqual([]);
    expect(at(4.9 + 1e-6)).toHaveLength(1);
  });

  it("counts every replica of a Deployment", () => {
    const resources = site([EDGE], [INFER]);
    named(resources, "edge-infer").props.spec.replicas = 10;
    // 10 × 10 TFLOPS just fit the 100 TFLOPS; 10 × 50 Mbps do not fit 100 Mbps.
    expect(check(resources).map((v) => v.message)).toEqual([
      "edge: bandwidth demand 500 Mbps exceeds the usable 100 Mbps (capacity 100 × (1 − reserve 0)) with 1 task(s): infer (10 replica(s))",
    ]);
    named(resources, "edge-infer").props.spec.replicas = 11;
    expect(check(resources).map((v) => v.message)[0]).toMatch(
      /^edge: compute demand 110 TFLOPS exceeds the usable 100 TFLOPS .* infer \(11 replica\(s\)\)/,
    );
  });

  it("counts what a pod requests when it is not what its task needs: 8 GPU units of 50 TFLOPS are 400 TFLOPS", () => {
    const resources = site([EDGE], [INFER]);
    const r = gpu(named(resources, "edge-infer"));
    expect(r.requests[GPU_RESOURCE]).toBe("1");
    r.requests[GPU_RESOURCE] = r.limits[GPU_RESOURCE] = "8";
    expect(check(resources).map((v) => v.message)).toEqual([
      "edge: compute demand 400 TFLOPS exceeds the usable 100 TFLOPS (capacity 100 × (1 − reserve 0)) with 1 task(s): infer (1 replica(s) requesting 8 GPU unit(s) of 50 TFLOPS each)",
    ]);
  });

  it("counts the task's demand, not the rounded request, when the pod asks exactly what provisioning makes of it", () => {
    // 3 tasks of 30 TFLOPS on 50-TFLOPS units: 1 unit each (150 TFLOPS of GPUs), 90 TFLOPS of demand;
    // 333.3333 GB each requested as 333334M (1000.002 GB together), 999.9999 GB of demand.
    const tasks = ["a", "b", "c"].map((t) =>
      placement(t, "edge", "edge", { compute: 30, storage: 333.3333, bandwidth: 33.3 }),
    );
    expect(check(site([EDGE], tasks))).toEqual([]);
  });

  it("counts ephemeral storage and the egress bandwidth annotation as requested when they exceed the task's", () => {
    const resources = site([EDGE], [INFER]);
    const d = named(resources, "edge-infer");
    gpu(d).requests["ephemeral-storage"] = "2Ti";
    d.props.spec.template.metadata.annotations[EGRESS_BANDWIDTH_ANNOTATION] = "1G";
    expect(check(resources).map((v) => v.message)).toEqual([
      expect.stringMatching(
        /^edge: storage demand 2199.02 GB exceeds the usable 1000 GB .*requesting 2199.02 GB, 1000 Mbps each\)$/,
      ),
      expect.stringMatching(/^edge: bandwidth demand 1000 Mbps exceeds the usable 100 Mbps/),
    ]);
  });

  it("never counts less than the task's demand: a pod that requests nothing still takes what its task needs", () => {
    const hungry = placement("hungry", "edge", "edge", { compute: 150, storage: 10, bandwidth: 10 });
    const resources = site([EDGE], [hungry]);
    gpu(named(resources, "edge-hungry")).requests = {};
    gpu(named(resources, "edge-hungry")).limits = {};
    expect(check(resources).map((v) => v.message)).toEqual([expect.stringMatching(/^edge: compute demand 150 TFLOPS/)]);
  });

  it("converts GPU units with the unit of the machine the pod is steered to", () => {
    const tier = env("edge", "edge", {
      compute: 100,
      machines: [machine("gpu-a", { gpus: 2, gpuTflops: 50, gpuSlices: 4, storage: 500 })],
    });
    const p = placement("infer", "edge", "edge", {
      compute: 10,
      storage: 10,
      bandwidth: 10,
      machine: "gpu-a",
      gpuUnits: 1,
    });
    const resources = site([tier], [p]);
    expect(check(resources)).toEqual([]);
    gpu(named(resources, "edge-infer")).requests[GPU_RESOURCE] = gpu(named(resources, "edge-infer")).limits[
      GPU_RESOURCE
    ] = "8";
    // 8 slices of 12.5 TFLOPS are the whole 100 TFLOPS; 9 are more.
    expect(check(resources)).toEqual([]);
    gpu(named(resources, "edge-infer")).requests[GPU_RESOURCE] = gpu(named(resources, "edge-infer")).limits[
      GPU_RESOURCE
    ] = "9";
    expect(check(resources).map((v) => v.message)).toEqual([
      expect.stringMatching(/^edge: compute demand 112.5 TFLOPS .*requesting 9 GPU unit\(s\) of 12.5 TFLOPS each/),
    ]);
  });

  it("reports a Deployment whose requests cannot be read, instead of counting it as nothing", () => {
    const resources = site([EDGE], [INFER]);
    named(resources, "edge-infer").props.spec.replicas = "many";
    gpu(named(resources, "edge-infer")).requests.memory = "lots";
    const out = check(resources);
    expect(out).toEqual([
      {
        resource: labelOf(named(resources, "edge-infer")),
        message:
          "task 'infer': what its pods take cannot be counted: spec.replicas 'many' is not a whole number >= 0; container task requests memory 'lots', which is not a quantity",
      },
    ]);
  });

  it("measures against the plan record's capacities and inputs, whatever the workloads' facts say", () => {
    const p = plan({ environments: [{ ...EDGE, bandwidth: 40 }], placements: [INFER] });
    expect(check([deployment(INFER), planRecord(p)]).map((v) => v.message)).toEqual([
      expect.stringMatching(/^edge: bandwidth demand 50 Mbps exceeds the usable 40 Mbps/),
    ]);
    const heavier = planRecord(plan({ environments: [EDGE], placements: [INFER] }), {
      inputs: inputsOf(plan({ environments: [EDGE], placements: [INFER] }), { infer: { compute: 120 } }),
    });
    // 3 units of 50 TFLOPS are what 120 TFLOPS need: the task's 120 count.
    expect(check([deployment(INFER, { units: 3 }), heavier]).map((v) => v.message)).toEqual([
      expect.stringMatching(/^edge: compute demand 120 TFLOPS .* infer$/),
    ]);
  });

  it("reads a gzipped plan record as it reads a plain one", () => {
    expect(check(site([CLOUD, EDGE, ARM], [TRAIN, INFER, ACT], { gzip: true }))).toEqual([]);
    const over = placement("over", "edge", "edge", { compute: 200, storage: 1, bandwidth: 1 });
    expect(check(site([CLOUD, EDGE], [TRAIN, over], { gzip: true })).map((v) => v.message)).toEqual([
      expect.stringMatching(/^edge: compute demand 200 TFLOPS exceeds the usable 100 TFLOPS/),
    ]);
  });
});
