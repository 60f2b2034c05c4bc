import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { packCloud, UnpackableTasks, type CloudTask, type CloudPacking } from "../src/plan/cloudPacking";
import { cheapestInstanceType, INSTANCE_TYPES, MAX_ROOT_VOLUME_GB, rootVolumeGb } from "../src/model/instanceTypes";

/*
 * Cloud packing (src/plan/cloudPacking.ts) against the rules docs/pulumi.md states, restated
 * here: a GPU task (> 0.8 TFLOPS) takes ceil(compute / one GPU's TFLOPS) whole GPUs of one host and
 * the host's vCPUs and memory in that proportion; a CPU task (<= 0.8) takes max(1, ceil(compute /
 * 0.1)) vCPUs and 2 GiB a vCPU, or one GPU as a GPU task would; storage adds up on one root volume
 * of at most 16 TiB with 60 GB for the system; only tasks of one tier and priority share a host.
 */

type Type = (typeof INSTANCE_TYPES)[number];
const MAX_TASKS = 16;

function task(name: string, compute: number, change: Partial<CloudTask> = {}): CloudTask {
  return { task: name, tier: "cloud", priority: 1, compute, storage: 10, ...change };
}

/**
 * The ways task t may run on a host of `type`, as the rules say: [gpus, vcpus, memoryGiB]. Where
 * it may run at all is where the type's TFLOPS reach its compute (as before packing); the counts
 * are the fewest whose TFLOPS reach it, within float noise.
 */
function ways(t: CloudTask, type: Type): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  if (t.compute <= 0.8) {
    let vcpus = 1;
    while (vcpus * 0.1 < t.compute - 1e-9) vcpus++;
    if (vcpus <= type.vcpus) out.push([0, vcpus, 2 * vcpus]);
  }
  if (type.gpus > 0 && type.tflops >= t.compute) {
    let gpus = 1;
    while (gpus < type.gpus && gpus * (type.tflops / type.gpus) < t.compute - 1e-9) gpus++;
    out.push([gpus, (type.vcpus * gpus) / type.gpus, (type.memoryGiB * gpus) / type.gpus]);
  }
  return out;
}

/** Whether the tasks fit one host of `type` together, trying every way each may run. */
function fitsTogether(tasks: readonly CloudTask[], type: Type, maxTasks = MAX_TASKS): boolean {
  if (tasks.length > maxTasks) return false;
  if (tasks.reduce((s, t) => s + t.storage, 0) + 60 > MAX_ROOT_VOLUME_GB + 1e-9) return false;
  const go = (i: number, g: number, c: number, m: number): boolean => {
    if (g > type.gpus || c > type.vcpus + 1e-9 || m > type.memoryGiB + 1e-9) return false;
    if (i === tasks.length) return true;
    return ways(tasks[i], type).some(([dg, dc, dm]) => go(i + 1, g + dg, c + dc, m + dm));
  };
  return go(0, 0, 0, 0);
}

/** Least cost of any packing, by brute force: every assignment of tasks to hosts, every type per host. */
function bruteForceCost(tasks: readonly CloudTask[], allowed?: readonly string[], maxTasks = MAX_TASKS): number {
  const types = INSTANCE_TYPES.filter((t) => !allowed || allowed.includes(t.name));
  const hostCost = (members: CloudTask[]) =>
    Math.min(...types.filter((t) => fitsTogether(members, t, maxTasks)).map((t) => t.pricePerHour));
  let best = Infinity;
  const bins: CloudTask[][] = [];
  const go = (i: number) => {
    if (i === tasks.length) {
      best = Math.min(
        best,
        bins.reduce((s, b) => s + hostCost(b), 0),
      );
      return;
    }
    const t = tasks[i];
    for (const bin of bins) {
      if (bin[0].priority !== t.priority || bin[0].tier !== t.tier) continue;
      bin.push(t);
      go(i + 1);
      bin.pop();
    }
    bins.push([t]);
    go(i + 1);
    bins.pop();
  };
  go(0);
  return best;
}

/** Every rule a packing must keep, checked from the hosts it reports. */
function expectValid(
  tasks: readonly CloudTask[],
  packing: CloudPacking,
  allowed?: readonly string[],
  maxTasks = MAX_TASKS,
): void {
  const placed = packing.hosts.flatMap((h) => h.slots.map((s) => s.task));
  expect([...placed].sort()).toEqual(tasks.map((t) => t.task).sort());
  const byName = new Map(tasks.map((t) => [t.task, t]));
  expect(new Set(packing.hosts.map((h) => h.id)).size).toBe(packing.hosts.length);
  for (const host of packing.hosts) {
    const members = host.slots.map((s) => byName.get(s.task)!);
    if (allowed) expect(allowed).toContain(host.type.name);
    expect(members.length).toBeLessThanOrEqual(maxTasks);
    expect(new Set(members.map((t) => `${t.tier}/${t.priority}`)).size).toBe(1);
    expect(fitsTogether(members, host.type, maxTasks), `${host.id} on ${host.type.name}`).toBe(true);
    // What the host reports each task takes is one of the ways it may run there, and they add up.
    const devices = host.slots.flatMap((s) => s.gpus);
    expect(new Set(devices).size).toBe(devices.length);
    expect(devices.every((d) => Number.isInteger(d) && d >= 0 && d < host.type.gpus)).toBe(true);
    for (const slot of host.slots) {
      expect(ways(byName.get(slot.task)!, host.type)).toContainEqual([slot.gpus.length, slot.vcpus, slot.memoryGiB]);
      expect(slot.mode).toBe(slot.gpus.length > 0 ? "gpu" : "cpu");
    }
    expect(host.slots.reduce((s, x) => s + x.vcpus, 0)).toBeLessThanOrEqual(host.type.vcpus + 1e-9);
    expect(host.slots.reduce((s, x) => s + x.memoryGiB, 0)).toBeLessThanOrEqual(host.type.memoryGiB + 1e-9);
    expect(host.rootVolumeGb).toBe(rootVolumeGb(members.reduce((s, t) => s + t.storage, 0)));
    if (members.length === 1) expect(host.id).toBe(members[0].task);
  }
  const cost = packing.hosts.reduce((s, h) => s + h.type.pricePerHour, 0);
  expect(packing.costPerHour).toBeCloseTo(cost, 9);
  const alone = tasks.reduce((s, t) => s + cheapestInstanceType(t, allowed)!.pricePerHour, 0);
  expect(packing.oneHostPerTaskCostPerHour).toBeCloseTo(alone, 9);
  // Never dearer than a host per task, never cheaper than the bound it reports.
  expect(packing.costPerHour).toBeLessThanOrEqual(alone + 1e-9);
  expect(packing.lowerBoundPerHour).toBeLessThanOrEqual(packing.costPerHour + 1e-9);
}

const names = INSTANCE_TYPES.map((t) => t.name);
/** Computes that exercise CPU tasks, one-GPU tasks and multi-GPU tasks of every type. */
const compute = fc.oneof(
  fc.constantFrom(
    0,
    0.1,
    0.3,
    0.5,
    0.8,
    0.8000000000000002,
    0.7999999999999999,
    1,
    10,
    121,
    121.00000000000001,
    122,
    150,
    250,
    300,
    484,
    484.00000000000006,
    500,
    1000,
    2500,
    7912,
  ),
  fc.double({ min: 0, max: 0.8, noNaN: true }),
  fc.double({ min: 0.8, max: 3000, noNaN: true }),
);
const taskList = (max: number) =>
  fc
    .array(
      fc.record({
        compute,
        storage: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 9000 })),
        priority: fc.integer({ min: 1, max: 2 }),
        tier: fc.constantFrom("cloud", "cloud", "cloud-b"),
      }),
      { minLength: 0, maxLength: max },
    )
    .map((list) =>
      list.map((t, i) => task(`t${i}`, t.compute, { storage: t.storage, priority: t.priority, tier: t.tier })),
    );
const allowList = fc.option(
  fc.subarray(names, { minLength: 1 }).filter((list) => list.includes("p5.48xlarge")), // the largest type holds any compute up to 7,912
  { nil: undefined },
);

describe("cloud packing, worked by hand", () => {
  it("eight 0.1-TFLOPS tasks of one priority share one c7i.2xlarge: 0.357 $/h instead of 2.856", () => {
    const tasks = Array.from({ length: 8 }, (_, i) => task(`ota-${i}`, 0.1));
    const packing = packCloud(tasks);
    expect(packing.hosts.map((h) => [h.id, h.type.name, h.slots.length])).toEqual([["cloud-p1-0", "c7i.2xlarge", 8]]);
    expect(packing.costPerHour).toBeCloseTo(0.357, 9);
    expect(packing.oneHostPerTaskCostPerHour).toBeCloseTo(8 * 0.357, 9);
    expect(packing.optimal).toBe(true);
    expect(packing.hosts[0].slots.every((s) => s.mode === "cpu" && s.vcpus === 1 && s.memoryGiB === 2)).toBe(true);
  });

  it("two 150-TFLOPS planners take two L4 GPUs each: one g6.12xlarge with disjoint GPUs, half the price", () => {
    const packing = packCloud([task("planner@a", 150, { priority: 2 }), task("planner@b", 150, { priority: 2 })], {
      allowed: ["c7i.2xlarge", "g6.xlarge", "g6.12xlarge"],
    });
    expect(packing.hosts).toHaveLength(1);
    expect(packing.hosts[0].type.name).toBe("g6.12xlarge");
    expect(packing.hosts[0].slots.map((s) => s.gpus)).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(packing.hosts[0].slots.map((s) => s.vcpus)).toEqual([24, 24]);
    expect(packing.costPerHour).toBeCloseTo(4.6016, 9);
  });

  it("one-GPU tasks stay on one-GPU hosts, where a GPU is cheapest", () => {
    const packing = packCloud(Array.from({ length: 4 }, (_, i) => task(`infer-${i}`, 10)));
    expect(packing.hosts.map((h) => h.type.name)).toEqual(["g6.xlarge", "g6.xlarge", "g6.xlarge", "g6.xlarge"]);
    expect(packing.hosts.map((h) => h.id)).toEqual(["infer-0", "infer-1", "infer-2", "infer-3"]);
  });

  it("priorities never share a host", () => {
    const packing = packCloud([
      task("a", 0.1, { priority: 1 }),
      task("b", 0.1, { priority: 2 }),
      task("c", 0.1, { priority: 1 }),
    ]);
    expect(packing.hosts.map((h) => [h.priority, h.slots.map((s) => s.task)])).toEqual([
      [2, ["b"]],
      [1, ["a", "c"]],
    ]);
  });

  it("a CPU task on a host without room for its vCPUs takes a GPU, as it would alone", () => {
    // 0.5 TFLOPS is 5 vCPUs; a g6.xlarge has 4, so alone it runs on the GPU, as before packing.
    const packing = packCloud([task("report", 0.5)], { allowed: ["g6.xlarge"] });
    expect(packing.hosts[0].slots[0]).toMatchObject({ mode: "gpu", gpus: [0], vcpus: 4 });
  });

  it("shareHost none is tierplan before packing: the cheapest covering type, a host per task", () => {
    const tasks = [task("a", 0.1), task("b", 0.1), task("c", 150)];
    const packing = packCloud(tasks, { shareHost: "none" });
    expect(packing.hosts.map((h) => [h.id, h.type.name])).toEqual([
      ["a", "c7i.2xlarge"],
      ["b", "c7i.2xlarge"],
      ["c", "g6.12xlarge"],
    ]);
    expect(packing.costPerHour).toBeCloseTo(packing.oneHostPerTaskCostPerHour, 9);
    expect(packing.optimal).toBe(false);
  });

  it("a task no allowed type holds is refused, named", () => {
    expect(() => packCloud([task("big", 500)], { allowed: ["g6.xlarge"] })).toThrow(UnpackableTasks);
    expect(() => packCloud([task("big", 500)], { allowed: ["g6.xlarge"] })).toThrow(/'big'/);
    expect(() => packCloud([task("huge", 1, { storage: 20_000 })])).toThrow(UnpackableTasks);
  });

  it("storage adds up on one root volume: two 9 TB tasks cannot share", () => {
    const packing = packCloud([task("a", 0.1, { storage: 9000 }), task("b", 0.1, { storage: 9000 })]);
    expect(packing.hosts).toHaveLength(2);
    expect(packing.hosts.map((h) => h.rootVolumeGb)).toEqual([9060, 9060]);
  });
});

describe("cloud packing, properties", () => {
  it("is valid, never dearer than a host per task and never below its bound, for any tasks and allow-list", () => {
    fc.assert(
      fc.property(
        taskList(40),
        allowList,
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 0, max: 6 }),
        (tasks, allowed, maxTasksPerHost, exactLimit) => {
          const packing = packCloud(tasks, { allowed, maxTasksPerHost, exactLimit });
          expectValid(tasks, packing, allowed, maxTasksPerHost);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("small groups are packed at the least cost there is (brute force over every packing)", () => {
    fc.assert(
      fc.property(taskList(6), allowList, fc.integer({ min: 1, max: 4 }), (tasks, allowed, maxTasksPerHost) => {
        const packing = packCloud(tasks, { allowed, maxTasksPerHost });
        expectValid(tasks, packing, allowed, maxTasksPerHost);
        expect(packing.optimal).toBe(true);
        expect(packing.costPerHour).toBeCloseTo(bruteForceCost(tasks, allowed, maxTasksPerHost), 9);
      }),
      { numRuns: 200 },
    );
  });

  it("shareHost none gives each task the type it got before packing", () => {
    fc.assert(
      fc.property(taskList(20), allowList, (tasks, allowed) => {
        const packing = packCloud(tasks, { allowed, shareHost: "none" });
        expect(packing.hosts.map((h) => [h.id, h.type.name])).toEqual(
          tasks.map((t) => [t.task, cheapestInstanceType(t, allowed)!.name]),
        );
      }),
      { numRuns: 200 },
    );
  });

  it("is deterministic", () => {
    fc.assert(
      fc.property(taskList(30), (tasks) => {
        expect(JSON.stringify(packCloud(tasks, { exactLimit: 4 }))).toBe(
          JSON.stringify(packCloud(tasks, { exactLimit: 4 })),
        );
      }),
      { numRuns: 50 },
    );
  });
});
