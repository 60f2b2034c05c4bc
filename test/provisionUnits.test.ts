import { spawnSync } from "node:child_process";
import { gunzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { EnvironmentRecord, Placement, Plan } from "../src/plan";
import { hostUserData, userData } from "../src/provision/cloud";
import { packCloud } from "../src/plan/cloudPacking";
import type { Machine } from "../src/model/machines";
import { machineAffinity, priorityClassName, priorityValue } from "../src/provision/edge";
import {
  containerResources,
  eksNodePlan,
  gpuUnits,
  machineDiskGb,
  machineInstanceTypes,
  machineNodeShortfall,
  machineUnits,
  namespaceQuota,
  quotaHard,
  parseQuantity,
  quotaShortfall,
  type EdgeSizing,
} from "../src/provision/edgeSizing";
import {
  cheapestInstanceType,
  covers,
  INSTANCE_TYPES,
  MAX_ROOT_VOLUME_GB,
  rootVolumeGb,
} from "../src/model/instanceTypes";
import { k8sName } from "../src/plan/names";
import { planRecordData } from "../src/provision/planRecord";

/*
 * The pure mappings of src/provision, with expectations worked by hand or by brute force here.
 */

const sizing = (gpuTflops: number, extra: Partial<EdgeSizing> = {}): EdgeSizing => ({
  gpuTflops,
  gpuResource: "nvidia.com/gpu",
  cpu: "1",
  memory: "2Gi",
  ...extra,
});

function env(name: string, compute: number, storage: number): EnvironmentRecord {
  return { name, kind: "edge", fleetRobot: false, compute, storage, bandwidth: 100, latency: 5, costPerHour: 1 };
}

function placement(task: string, change: Partial<Placement> = {}): Placement {
  return {
    task,
    tier: "cloud",
    latencyMs: 10,
    cost: 1,
    score: 1,
    kind: "cloud",
    source: task,
    priority: 1,
    maxLatency: 100,
    compute: 1,
    storage: 1,
    bandwidth: 1,
    image: "ghcr.io/acme/task:1",
    ...change,
  };
}

describe("instance types", () => {
  it("the table is ordered by TFLOPS, so its last allowed entry is the largest (cloud.ts says so in its error)", () => {
    const tflops = INSTANCE_TYPES.map((t) => t.tflops);
    expect(tflops).toEqual([...tflops].sort((a, b) => a - b));
    expect(new Set(INSTANCE_TYPES.map((t) => t.name)).size).toBe(INSTANCE_TYPES.length);
  });

  it("picks the cheapest covering type, worked by hand", () => {
    const pick = (compute: number, storage = 0, allowed?: string[]) =>
      cheapestInstanceType({ compute, storage }, allowed)?.name;
    expect(pick(0)).toBe("c7i.2xlarge");
    expect(pick(0.8)).toBe("c7i.2xlarge");
    expect(pick(0.81)).toBe("g6.xlarge");
    expect(pick(121)).toBe("g6.xlarge");
    expect(pick(122)).toBe("g5.xlarge");
    expect(pick(500)).toBe("g5.12xlarge");
    expect(pick(500, 0, ["c7i.2xlarge", "g6.xlarge", "g6.12xlarge", "g6.48xlarge", "p4d.24xlarge"])).toBe(
      "g6.48xlarge",
    );
    expect(pick(7912)).toBe("p5.48xlarge");
    expect(pick(7913)).toBeUndefined();
    expect(pick(1, 0, ["c7i.2xlarge"])).toBeUndefined();
    expect(pick(1, 0, [])).toBeUndefined();
  });

  it("a root volume holds the storage plus room for the system, within the EBS limit", () => {
    expect(MAX_ROOT_VOLUME_GB).toBe(16_384);
    expect([0, 10, 40, 41, 50.5, 5000, 16_324, 16_325, 99_999].map(rootVolumeGb)).toEqual([
      100, 100, 100, 101, 111, 5060, 16_384, 16_384, 16_384,
    ]);
    const g6 = INSTANCE_TYPES.find((t) => t.name === "g6.xlarge")!;
    expect(covers(g6, { compute: 1, storage: 16_324 })).toBe(true);
    expect(covers(g6, { compute: 1, storage: 16_325 })).toBe(false);
    expect(cheapestInstanceType({ compute: 1, storage: 16_325 })).toBeUndefined();
  });

  it("agrees with a brute-force scan for any demand and allow-list", () => {
    const names = INSTANCE_TYPES.map((t) => t.name);
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 9000, noNaN: true }),
        fc.integer({ min: 0, max: 17_000 }),
        fc.option(fc.subarray(names), { nil: undefined }),
        (compute, storage, allowed) => {
          const fits = INSTANCE_TYPES.filter(
            (t) => (!allowed || allowed.includes(t.name)) && t.tflops >= compute && storage + 60 <= MAX_ROOT_VOLUME_GB,
          );
          const cheapest = Math.min(...fits.map((t) => t.pricePerHour));
          const chosen = cheapestInstanceType({ compute, storage }, allowed);
          if (fits.length === 0) return chosen === undefined;
          return (
            chosen !== undefined &&
            fits.includes(chosen) &&
            chosen.pricePerHour === cheapest &&
            rootVolumeGb(storage) >= storage
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("edge sizing", () => {
  it("counts whole GPU units, without float noise", () => {
    expect(gpuUnits(0, 50)).toBe(0);
    expect(gpuUnits(10, 50)).toBe(1);
    expect(gpuUnits(100, 50)).toBe(2);
    expect(gpuUnits(100.001, 50)).toBe(3);
    expect(gpuUnits(3, 0.1)).toBe(30); // 3 / 0.1 is 30.000000000000004 in floating point
    expect(gpuUnits(0.3, 0.1)).toBe(3);
    expect(gpuUnits(5, 125 / 8)).toBe(1);
    expect(gpuUnits(20, 125 / 8)).toBe(2);
    expect(gpuUnits(31.25, 125 / 8)).toBe(2);
  });

  it("units are the least that cover the demand, for exact rational demands", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 64 }),
        (a, b, d) => {
          // compute = a/d and gpuTflops = b/d: the exact answer is ceil(a / b), in integers.
          const expected = Math.floor((a + b - 1) / b);
          return gpuUnits(a / d, b / d) === expected;
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("a container requests CPU, memory, GPU units (with equal limits) and its storage in decimal GB", () => {
    expect(containerResources({ compute: 10, storage: 10 }, sizing(50))).toEqual({
      requests: { cpu: "1", memory: "2Gi", "nvidia.com/gpu": "1", "ephemeral-storage": "10000M" },
      limits: { "nvidia.com/gpu": "1" },
    });
    expect(
      containerResources(
        { compute: 20, storage: 0.5 },
        sizing(125 / 8, { cpu: "500m", memory: "1Gi", gpuResource: "amd.com/gpu" }),
      ),
    ).toEqual({
      requests: { cpu: "500m", memory: "1Gi", "amd.com/gpu": "2", "ephemeral-storage": "500M" },
      limits: { "amd.com/gpu": "2" },
    });
    expect(containerResources({ compute: 0, storage: 0 }, sizing(50))).toEqual({
      requests: { cpu: "1", memory: "2Gi" },
      limits: {},
    });
  });

  it("a tier's quota is its usable capacity, GPU units rounded up", () => {
    // lab's workstation: 60 TFLOPS, 2000 GB, reserve 0.1, 30 TFLOPS a unit → 54 / 30 = 1.8 → 2 units.
    expect(quotaHard(env("workstation", 60, 2000), 0.1, sizing(30))).toEqual({
      "requests.nvidia.com/gpu": "2",
      "requests.ephemeral-storage": "1800000M",
    });
    // warehouse-east's edge: 500 TFLOPS, reserve 0.1, 125/8 a unit → 450 / 15.625 = 28.8 → 29.
    expect(quotaHard(env("edge", 500, 4000), 0.1, sizing(125 / 8))["requests.nvidia.com/gpu"]).toBe("29");
    expect(quotaHard(env("edge", 100, 1000), 0, sizing(50))).toEqual({
      "requests.nvidia.com/gpu": "2",
      "requests.ephemeral-storage": "1000000M",
    });
  });

  it("warns of the units that rounding each task up puts beyond the quota", () => {
    const edge = env("edge", 100, 1000);
    expect(quotaShortfall([{ compute: 10 }, { compute: 10 }], edge, 0, sizing(50))).toBe(0);
    expect(quotaShortfall([{ compute: 10 }, { compute: 10 }, { compute: 10 }], edge, 0, sizing(50))).toBe(1);
    expect(quotaShortfall([{ compute: 60 }, { compute: 30 }], edge, 0, sizing(50))).toBe(1);
  });

  it("an EKS node group packs the pods by GPU units, CPU, memory and storage, with at least minNodes", () => {
    // warehouse-east: 20 × 5 TFLOPS, 20 and 10 TFLOPS at 125/8 a unit = 20 + 2 + 1 = 23 units; 8 a node → 3 nodes.
    const g5 = { units: 8, vcpus: 4, memoryGiB: 16 };
    const light = { ...sizing(125 / 8), cpu: "250m", memory: "1Gi" };
    const warehouse = [
      ...Array.from({ length: 20 }, () => ({ compute: 5, storage: 4 })),
      { compute: 20, storage: 200 },
      { compute: 10, storage: 10 },
    ];
    expect(eksNodePlan(warehouse, g5, light, 1)).toEqual({ nodes: 3, diskGb: 300 });
    expect(eksNodePlan(warehouse, g5, light, 4)?.nodes).toBe(4);
    expect(eksNodePlan(warehouse.slice(0, 16), g5, light, 1)?.nodes).toBe(2);
    expect(eksNodePlan([], g5, light, 2)).toEqual({ nodes: 2, diskGb: 100 });
    // CPU binds: 3.5 allocatable vCPU hold three 1-CPU pods, so 22 pods need 8 nodes whatever the GPUs.
    expect(eksNodePlan(warehouse, g5, { ...light, cpu: "1" }, 1)?.nodes).toBe(8);
    // Memory binds: 14.5 allocatable GiB hold three 4Gi pods.
    expect(eksNodePlan(warehouse.slice(0, 6), g5, { ...light, memory: "4Gi" }, 1)?.nodes).toBe(2);
    // A pod needing more units than a node has fits nowhere.
    expect(eksNodePlan([{ compute: 200, storage: 0 }], g5, light, 1)).toBeUndefined();
  });

  it("parses Kubernetes quantities", () => {
    expect(["500m", "2", "1.5", "2Gi", "512Mi", "4G", "x"].map(parseQuantity)).toEqual([
      0.5,
      2,
      1.5,
      2 * 2 ** 30,
      512 * 2 ** 20,
      4e9,
      NaN,
    ]);
  });

  it("priority classes: higher catalog levels get higher values, within Kubernetes' user range", () => {
    expect([1, 2, 3].map(priorityValue)).toEqual([1000, 2000, 3000]);
    expect(priorityValue(10_000_000)).toBeLessThanOrEqual(1_000_000_000);
    expect(priorityClassName("factory-a", 2)).toBe("tierplan-factory-a-p2");
  });
});

describe("Kubernetes names", () => {
  const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

  it("keeps names that are already valid, and hashes the ones it had to change", () => {
    expect(k8sName("arm-1")).toBe("arm-1");
    expect(k8sName("arm-1", "tierplan-robot-")).toBe("tierplan-robot-arm-1");
    expect(k8sName("Arm_1")).toMatch(/^arm-1-[0-9a-f]{6}$/);
    expect(k8sName("obstacle-detection@amr-07")).toMatch(/^obstacle-detection-amr-07-[0-9a-f]{6}$/);
    expect(k8sName("Arm_1")).not.toBe(k8sName("arm_1"));
  });

  it("is always a DNS label, deterministic, and tells different names apart", () => {
    // Catalog names are never empty; up to 40 characters, so that prefix and name fit in a label.
    const name = fc.oneof(
      fc.string({ minLength: 1, maxLength: 40 }),
      fc.stringMatching(/^[a-z0-9][-a-z0-9_.@A-Z]{0,39}$/),
    );
    fc.assert(
      fc.property(name, name, fc.constantFrom("", "tierplan-robot-", "tierplan-"), (a, b, prefix) => {
        const x = k8sName(a, prefix);
        expect(x).toMatch(LABEL);
        expect(k8sName(a, prefix)).toBe(x);
        if (a !== b) expect(k8sName(b, prefix)).not.toBe(x);
      }),
      { numRuns: 500 },
    );
  });

  it("names longer than a label that had to change are cut to one, not clashing", () => {
    const long = "A".repeat(80);
    expect(k8sName(long)).toMatch(LABEL);
    expect(k8sName(`${long}-x`)).toMatch(LABEL);
    expect(k8sName(`${long}-x`)).not.toBe(k8sName(`${long}-y`));
  });

  // A valid name longer than 63 characters is cut with room for its hash.
  it("a valid name longer than a label is cut to one", () => {
    expect(k8sName("a".repeat(80)).length).toBeLessThanOrEqual(63);
  });
});

describe("cloud-init of a cloud task", () => {
  /** The arguments bash would pass to the `docker run` line of the script. */
  function dockerRunArgs(script: string): string[] {
    const line = script.split("\n").find((l) => l.startsWith("docker run "));
    expect(line).toBeDefined();
    const run = spawnSync("bash", ["-c", `args() { printf '%s\\0' "$@"; }; ${line!.replace(/^docker /, "args ")}`], {
      encoding: "utf8",
    });
    expect(run.status).toBe(0);
    return run.stdout.split("\0").slice(0, -1);
  }

  it("runs the task's image on its port, with the GPUs when asked for", () => {
    const p = placement("vla-train", { image: "ghcr.io/acme/vla-train:2.0", compute: 500 });
    const args = dockerRunArgs(userData(p, 9000, true));
    expect(args).toEqual([
      "run",
      "-d",
      "--name",
      "vla-train",
      "--restart",
      "unless-stopped",
      "--gpus",
      "all",
      "-p",
      "9000:9000",
      "-e",
      "TIERPLAN_TASK=vla-train",
      "ghcr.io/acme/vla-train:2.0",
    ]);
    expect(dockerRunArgs(userData(p, 9000, false))).not.toContain("--gpus");
    expect(userData(p, 9000, true)).toMatch(/^#!\/bin\/bash\n/);
    expect(userData(p, 9000, true)).toContain("docker pull 'ghcr.io/acme/vla-train:2.0'");
  });

  it("quotes task names and images so the shell sees each as one word", () => {
    const task = "it's; rm -rf / $(id) `x`";
    const image = "ghcr.io/acme/odd:1 && echo pwned";
    const args = dockerRunArgs(userData(placement(task, { image }), 8080, false));
    // Docker takes [a-zA-Z0-9_.-] in a container name; the task itself goes through intact.
    expect(args[args.indexOf("--name") + 1]).toBe("it_s__rm_-rf_____id___x_");
    expect(args).toContain(`TIERPLAN_TASK=${task}`);
    expect(args.at(-1)).toBe(image);
  });

  it("without an image, starts nothing", () => {
    const script = userData(placement("manual", { image: undefined }), 8080, true);
    expect(script).not.toMatch(/^docker /m);
  });
});

describe("cloud-init of a shared host", () => {
  /** The arguments bash would pass to each `docker run` line of the script. */
  function runs(script: string): string[][] {
    return script
      .split("\n")
      .filter((l) => l.startsWith("docker run "))
      .map((line) => {
        const run = spawnSync("bash", ["-c", `args() { printf '%s\\0' "$@"; }; ${line.replace(/^docker /, "args ")}`], {
          encoding: "utf8",
        });
        expect(run.status).toBe(0);
        return run.stdout.split("\0").slice(0, -1);
      });
  }

  it("runs each task in a container of its own: its GPUs, vCPUs, memory and host port", () => {
    const a = placement("planner@a", { compute: 100, image: "ghcr.io/acme/planner:1", port: 9100, priority: 2 });
    const b = placement("planner@b", { compute: 100, image: "ghcr.io/acme/planner:1", port: 9100, priority: 2 });
    const c = placement("planner_a", { compute: 0.1, image: "ghcr.io/acme/x:1", priority: 2 });
    const packing = packCloud([a, b, c], { allowed: ["g6.12xlarge"] });
    expect(packing.hosts).toHaveLength(1);
    const host = packing.hosts[0];
    const script = hostUserData(
      host,
      [a, b, c].map((p, k) => ({ placement: p, port: p.port ?? 8080, hostPort: 20000 + k })),
    );
    expect(script.match(/^docker pull /gm)).toHaveLength(2); // each image once
    expect(runs(script)).toEqual([
      [
        "run",
        "-d",
        "--name",
        "planner_a",
        "--restart",
        "unless-stopped",
        "--cpus",
        "12",
        "--memory",
        "49152m",
        "--gpus",
        '"device=0"',
        "-p",
        "20000:9100",
        "-e",
        "TIERPLAN_TASK=planner@a",
        "ghcr.io/acme/planner:1",
      ],
      [
        "run",
        "-d",
        "--name",
        "planner_b",
        "--restart",
        "unless-stopped",
        "--cpus",
        "12",
        "--memory",
        "49152m",
        "--gpus",
        '"device=1"',
        "-p",
        "20001:9100",
        "-e",
        "TIERPLAN_TASK=planner@b",
        "ghcr.io/acme/planner:1",
      ],
      // A CPU task: no GPU; a name Docker's alphabet maps onto another's gets a container of its own.
      [
        "run",
        "-d",
        "--name",
        "planner_a-2",
        "--restart",
        "unless-stopped",
        "--cpus",
        "1",
        "--memory",
        "2048m",
        "-p",
        "20002:8080",
        "-e",
        "TIERPLAN_TASK=planner_a",
        "ghcr.io/acme/x:1",
      ],
    ]);
  });
});

describe("plan record data", () => {
  function plan(placements: number): Plan {
    return {
      site: "s",
      placements: Array.from({ length: placements }, (_, i) => placement(`task-${i}-${"x".repeat(40)}`)),
      unplaced: [],
      violations: [],
      moves: [],
      objective: {
        latencyMs: 1,
        cost: 1,
        score: 1,
        placedByPriority: [],
        moves: 0,
        preset: "balanced",
        weights: { latency: 1, cost: 1 },
        reserve: 0.1,
      },
      utilization: [],
      recommendations: [],
      solver: {
        algorithm: "auto",
        optimal: true,
        gap: 0,
        ms: 12.5,
        method: "milp",
        bound: 1,
        countsProven: true,
        work: {},
      },
      environments: [],
    };
  }
  const withoutMs = (p: Plan) => {
    const { ms: _ms, ...solver } = structuredClone(p.solver);
    return { ...structuredClone(p), solver };
  };

  it("a small plan is plain plan.json, without the solve time", () => {
    const small = plan(3);
    const data = planRecordData(small);
    expect(data.binaryData).toBeUndefined();
    expect(JSON.parse(data.data!["plan.json"])).toEqual(withoutMs(small));
  });

  it("a plan too large for a ConfigMap is gzipped into binaryData, well under 1 MiB", () => {
    const large = plan(5000);
    expect(JSON.stringify(large).length).toBeGreaterThan(1024 * 1024);
    const data = planRecordData(large);
    expect(data.data).toBeUndefined();
    const packed = data.binaryData!["plan.json.gz"];
    expect(packed.length).toBeLessThan(1024 * 1024);
    expect(JSON.parse(gunzipSync(Buffer.from(packed, "base64")).toString("utf8"))).toEqual(withoutMs(large));
  });
});

describe("a namespace with several edge tiers", () => {
  const sizing = { gpuTflops: 25, gpuResource: "nvidia.com/gpu", cpu: "1", memory: "2Gi" };
  const tier = (name: string, compute: number, storage: number) => ({
    name,
    kind: "edge" as const,
    fleetRobot: false,
    compute,
    storage,
    bandwidth: 100,
    latency: 5,
    costPerHour: 1,
  });

  it("gets one quota, the sum of each tier's usable capacity in whole units", () => {
    // usable compute 90 → ceil(3.6) = 4 units, and 45 → ceil(1.8) = 2; storage 0.9 × (1000 + 500) GB.
    expect(namespaceQuota([tier("line-1", 100, 1000), tier("line-2", 50, 500)], 0.1, sizing)).toEqual({
      "requests.nvidia.com/gpu": "6",
      "requests.ephemeral-storage": "1350000M",
    });
  });

  it("equals the single tier's quota when there is one", () => {
    const one = tier("edge", 100, 1000);
    expect(namespaceQuota([one], 0.1, sizing)).toEqual(quotaHard(one, 0.1, sizing));
  });
});

/** A machine as src/model expands it, written out here. */
function machine(id: string, gpus: number, gpuTflops: number, gpuSlices = 1, storage = 500): Machine {
  return {
    id,
    shape: id.replace(/-\d+$/, ""),
    gpus,
    gpuTflops,
    gpuSlices,
    units: gpus * gpuSlices,
    unitTflops: gpuTflops / gpuSlices,
    storage,
  };
}

describe("edge tiers with machines (docs/contract.md §5)", () => {
  it("a pod on a machine requests exactly its placement's gpuUnits of nvidia.com/gpu, whatever the sizing says", () => {
    // gpuTflops 50 would make 30 TFLOPS 1 unit; the plan packed it as 3 units of a 4-slice machine.
    expect(
      containerResources(
        { compute: 30, storage: 10, machine: "gpu-a-0", gpuUnits: 3 },
        sizing(50, { gpuResource: "amd.com/gpu" }),
      ),
    ).toEqual({
      requests: { cpu: "1", memory: "2Gi", "nvidia.com/gpu": "3", "ephemeral-storage": "10000M" },
      limits: { "nvidia.com/gpu": "3" },
    });
    expect(containerResources({ compute: 0, storage: 1, machine: "gpu-a-0", gpuUnits: 0 }, sizing(50))).toEqual({
      requests: { cpu: "1", memory: "2Gi", "ephemeral-storage": "1000M" },
      limits: {},
    });
    // Off a machine, the sizing as before.
    expect(containerResources({ compute: 30, storage: 0 }, sizing(50)).limits).toEqual({ "nvidia.com/gpu": "1" });
  });

  it("pins a pod to its machine by a required node affinity: the node name, or the machine label on EKS", () => {
    expect(machineAffinity("edge-gpu-0", "node-name")).toEqual({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["edge-gpu-0"] }] }],
        },
      },
    });
    expect(machineAffinity("g5-sliced-2", "node-label")).toEqual({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: "tierplan.dev/machine", operator: "In", values: ["g5-sliced-2"] }] },
          ],
        },
      },
    });
  });

  it("the namespace quota is the machines' units for tiers with machines and today's derivation for the rest", () => {
    const withMachines = {
      ...env("bay", 500, 1000),
      machines: [machine("gpu-a-0", 2, 50), machine("gpu-a-1", 2, 50), machine("gpu-b", 1, 60, 3)],
    };
    expect(machineUnits(withMachines)).toBe(7);
    // No reserve on the units: the plan packs whole units per machine; storage keeps the tier's usable share.
    expect(namespaceQuota([withMachines], 0.1, sizing(125))).toEqual({
      "requests.nvidia.com/gpu": "7",
      "requests.ephemeral-storage": "900000M",
    });
    // With a tier without machines (90 usable TFLOPS at 25 a unit: 4 units), the units add up.
    expect(namespaceQuota([withMachines, env("line", 100, 1000)], 0.1, sizing(25))).toEqual({
      "requests.nvidia.com/gpu": "11",
      "requests.ephemeral-storage": "1800000M",
    });
    // ...each in its own resource when the other tier counts another one.
    expect(
      namespaceQuota([withMachines, env("line", 100, 1000)], 0.1, sizing(25, { gpuResource: "amd.com/gpu" })),
    ).toEqual({
      "requests.nvidia.com/gpu": "7",
      "requests.amd.com/gpu": "4",
      "requests.ephemeral-storage": "1800000M",
    });
    // A tier with machines never falls short: the plan counts its units.
    expect(
      quotaShortfall(
        [{ compute: 10 }, { compute: 10 }, { compute: 10 }],
        { ...env("edge", 100, 1000), machines: [machine("m", 2, 50)] },
        0,
        sizing(50),
      ),
    ).toBe(0);
  });

  it("an EKS machine is the cheapest type with exactly its GPUs, each at least as fast", () => {
    const names = (m: Machine, allowed?: string[]) => machineInstanceTypes(m, allowed).map((t) => t.name);
    expect(names(machine("a", 1, 125, 8))).toEqual(["g5.xlarge"]);
    expect(names(machine("a", 1, 100))).toEqual(["g6.xlarge", "g5.xlarge"]);
    expect(names(machine("a", 4, 125))).toEqual(["g5.12xlarge"]);
    expect(names(machine("a", 8, 300))).toEqual(["p4d.24xlarge", "p5.48xlarge"]);
    expect(names(machine("a", 2, 50))).toEqual([]); // no type has two GPUs
    expect(names(machine("a", 1, 126))).toEqual([]); // no single GPU that fast
    expect(names(machine("a", 0, 1))).toEqual(["c7i.2xlarge"]);
    expect(names(machine("a", 1, 100), ["g5.xlarge"])).toEqual(["g5.xlarge"]);
  });

  it("a machine's node holds its pods' CPU and memory requests within what the kubelet leaves, and its storage on disk", () => {
    const g5 = INSTANCE_TYPES.find((t) => t.name === "g5.xlarge")!; // 4 vCPU, 16 GiB: 3.5 and 14.5 allocatable
    expect(machineNodeShortfall(g5, { pods: 8, storage: 32 }, { cpu: "250m", memory: "1Gi" })).toBeUndefined();
    expect(machineNodeShortfall(g5, { pods: 14, storage: 0 }, { cpu: "250m", memory: "1Gi" })).toBeUndefined();
    expect(machineNodeShortfall(g5, { pods: 15, storage: 0 }, { cpu: "250m", memory: "1Gi" })).toBe(
      "15 × cpu 250m = 3.75 > 3.5 allocatable vCPU, 15 × memory 1Gi = 15 GiB > 14.5 allocatable GiB",
    );
    expect(machineNodeShortfall(g5, { pods: 4, storage: 0 }, { cpu: "1", memory: "2Gi" })).toBe(
      "4 × cpu 1 = 4 > 3.5 allocatable vCPU",
    );
    expect([1, 40, 200, 500, 941].map((storage) => machineDiskGb({ storage }))).toEqual([100, 100, 300, 600, 1050]);
  });
});
