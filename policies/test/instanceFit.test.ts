import { describe, expect, it } from "vitest";
import { instanceFitsTask, type ResourceView } from "../rules";
import {
  deployment,
  env,
  inputsOf,
  instance,
  labelOf,
  placement,
  plan,
  planRecord,
  sharedHost,
} from "./support/fixtures";

const TRAIN = placement("train", "cloud", "cloud", { compute: 500, storage: 5000, bandwidth: 100 });
const RECORD = planRecord(
  plan({ environments: [env("cloud", "cloud", { compute: 10000, storage: 100000 })], placements: [TRAIN] }),
);
/** The rule on these resources and the plan record, whose inputs hold the task's specification. */
const check = (resources: readonly ResourceView[], record = RECORD) =>
  instanceFitsTask.check([...resources, record], instanceFitsTask.defaults);

describe("tierplan-instance-fits-task", () => {
  it("is a mandatory policy named as the pack reports it", () => {
    expect(instanceFitsTask.name).toBe("tierplan-instance-fits-task");
    expect(instanceFitsTask.enforcementLevel).toBe("mandatory");
  });

  it("passes an instance whose type and root volume cover the task", () => {
    expect(check([instance(TRAIN, { instanceType: "g5.12xlarge", volumeSize: 5060 })])).toEqual([]);
  });

  it("passes exact fits: type TFLOPS equal to the demand, volume equal to the storage", () => {
    expect(check([instance(TRAIN, { instanceType: "g5.12xlarge", volumeSize: 5000 })])).toEqual([]);
  });

  it("reports a type too small for the task's compute, naming task, demand, type and its TFLOPS", () => {
    const small = instance(TRAIN, { instanceType: "g6.12xlarge", volumeSize: 5060 });
    expect(check([small])).toEqual([
      { resource: labelOf(small), message: "task 'train' needs 500 TFLOPS; g6.12xlarge gives 484" },
    ]);
  });

  it("reports a type tierplan does not know", () => {
    const unknown = instance(TRAIN, { instanceType: "t3.micro", volumeSize: 5060 });
    const out = check([unknown]);
    expect(out).toHaveLength(1);
    expect(out[0].resource).toBe(labelOf(unknown));
    expect(out[0].message).toContain("'t3.micro' is not in tierplan's instance table");
  });

  it("reports an instance with no type at all", () => {
    const out = check([
      {
        ...instance(TRAIN, { volumeSize: 5060 }),
        props: { ...instance(TRAIN).props, instanceType: undefined, rootBlockDevice: { volumeSize: 5060 } },
      },
    ]);
    expect(out).toHaveLength(1);
    expect(out[0].message).toContain("instance type '' is not in tierplan's instance table");
  });

  it("reports a root volume smaller than the task's storage", () => {
    const out = check([instance(TRAIN, { instanceType: "g5.12xlarge", volumeSize: 4999 })]);
    expect(out).toEqual([
      {
        resource: "aws:ec2/instance:Instance cloud-train",
        message: "task 'train' needs 5000 GB of storage; the root volume has 4999 GB",
      },
    ]);
  });

  it("reports a missing root volume as 0 GB when the task needs storage", () => {
    const out = check([instance(TRAIN, { instanceType: "g5.12xlarge", volumeSize: undefined })]);
    expect(out.map((v) => v.message)).toEqual(["task 'train' needs 5000 GB of storage; the root volume has 0 GB"]);
  });

  it("reports both problems of one instance", () => {
    expect(check([instance(TRAIN, { instanceType: "g6.xlarge", volumeSize: 100 })])).toHaveLength(2);
  });

  it("names the instance by its URN under the policy engine", () => {
    const urn = "urn:pulumi:site-x::tierplan::tierplan:cloud:CloudTier$aws:ec2/instance:Instance::cloud-train";
    expect(
      check([instance(TRAIN, { instanceType: "g6.xlarge", volumeSize: 5060, urn })]).map((v) => v.resource),
    ).toEqual([urn]);
  });

  it("takes the task's demands from the plan record's inputs, not from the instance's tags", () => {
    const p = plan({ environments: [env("cloud", "cloud", { compute: 10000, storage: 100000 })], placements: [TRAIN] });
    const bigger = planRecord(p, { inputs: inputsOf(p, { train: { compute: 600 } }) });
    expect(
      check([instance(TRAIN, { instanceType: "g5.12xlarge", volumeSize: 5060 })], bigger).map((v) => v.message),
    ).toEqual(["task 'train' needs 600 TFLOPS; g5.12xlarge gives 500"]);
  });

  it("says nothing of an instance whose task the record does not have (placement-matches-plan reports it)", () => {
    expect(
      check([instance(placement("ghost", "cloud", "cloud", { compute: 5000 }), { instanceType: "g6.xlarge" })]),
    ).toEqual([]);
  });

  it("ignores Deployments and unmanaged instances", () => {
    const unmanaged: ResourceView = {
      type: "aws:ec2/instance:Instance",
      name: "bastion",
      props: { instanceType: "t3.micro", tags: { Name: "bastion" } },
    };
    expect(check([deployment(TRAIN), unmanaged])).toEqual([]);
  });
});

describe("tierplan-instance-fits-task on a host shared by several tasks (cloud packing)", () => {
  const CLOUD = env("cloud", "cloud", { compute: 1000, storage: 10000, bandwidth: 1000 });
  const cpu = (task: string, compute: number, storage = 20) =>
    placement(task, "cloud", "cloud", { compute, storage, bandwidth: 1, maxLatency: 1000 });
  const stackWith = (tasks: ReturnType<typeof cpu>[], opts: Parameters<typeof sharedHost>[2] = {}) => [
    ...sharedHost("cloud-p2-0", tasks, opts),
    planRecord(plan({ environments: [CLOUD], placements: tasks })),
  ];
  const fit = (resources: ResourceView[]) => instanceFitsTask.check(resources, {});

  it("passes tasks the type holds together, by vCPUs, and by whole GPUs", () => {
    expect(fit(stackWith([cpu("a", 0.3), cpu("b", 0.3)]))).toEqual([]);
    expect(
      fit(stackWith([cpu("a", 100), cpu("b", 100), cpu("c", 100), cpu("d", 100)], { instanceType: "g6.12xlarge" })),
    ).toEqual([]);
  });

  it("reports a type that cannot hold them together, though it holds each alone", () => {
    // 3 vCPUs each on a 4-vCPU g6.xlarge, or one of them on its only GPU with all 4 vCPUs.
    const out = fit(stackWith([cpu("a", 0.3), cpu("b", 0.3)], { instanceType: "g6.xlarge" }));
    expect(out).toEqual([
      {
        resource: "aws:ec2/instance:Instance cloud-host-cloud-p2-0",
        message:
          "host of 2 tasks (a, b): one g6.xlarge (1 GPU(s), 121 TFLOPS, 4 vCPUs) cannot hold them together (0.3 TFLOPS, 0.3 TFLOPS; GPU tasks take whole GPUs)",
      },
    ]);
    // Five 100-TFLOPS tasks need five whole L4s; the g6.12xlarge has four.
    expect(
      fit(
        stackWith(
          ["a", "b", "c", "d", "e"].map((t) => cpu(t, 100)),
          { instanceType: "g6.12xlarge" },
        ),
      ),
    ).toHaveLength(1);
  });

  it("reports a root volume smaller than the tasks' storage together", () => {
    expect(fit(stackWith([cpu("a", 0.3, 60), cpu("b", 0.3, 50)], { volumeSize: 100 })).map((v) => v.message)).toEqual([
      "host of 2 tasks (a, b) need 110 GB of storage; the root volume has 100 GB",
    ]);
  });
});
