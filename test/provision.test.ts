import { createHash, randomBytes } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CatalogError } from "../src/catalog/errors";
import { SECRET_PLACEHOLDER } from "../src/catalog/stackConfig";
import type { Placement } from "../src/plan";
import { runPreview, type PreviewResult } from "../src/preview/run";
import { containerResources, type EdgeSizing } from "../src/provision/edgeSizing";
import { INSTANCE_TYPES, MAX_ROOT_VOLUME_GB, rootVolumeGb } from "../src/model/instanceTypes";

/*
 * The Pulumi program (src/program.ts) run on the mock engine through runPreview, for every example
 * stack and for stacks written into temporary roots. Expectations come from the stack and catalog
 * files (read here with `yaml`, not through tierplan's config code), from the plan, and from
 * INSTANCE_TYPES; the code under test only produces the resources being checked.
 *
 * Several previews run in this one process (vitest runs each file in a fork of its own): runPreview
 * sets the config and the mocks each time, which the determinism tests and the preview after the
 * failed ones check.
 */
const REPO = resolve(__dirname, "..");
const EXAMPLES = ["factory-a", "warehouse-east", "lab"] as const;

const TYPE = {
  instance: "aws:ec2/instance:Instance",
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  ssm: "aws:ssm/parameter:Parameter",
  cluster: "aws:eks/cluster:Cluster",
  nodeGroup: "aws:eks/nodeGroup:NodeGroup",
  deployment: "kubernetes:apps/v1:Deployment",
  daemonSet: "kubernetes:apps/v1:DaemonSet",
  service: "kubernetes:core/v1:Service",
  configMap: "kubernetes:core/v1:ConfigMap",
  k8sProvider: "pulumi:providers:kubernetes",
} as const;

/** Resource inputs are free-form JSON; tests read them as such. */
type Json = any;
type Resource = PreviewResult["resources"][number];

// ---------------------------------------------------------------------------------------------
// Temporary roots: copies of Pulumi.yaml, stacks/ and catalogs/ with files changed or added.

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function tempRoot(files: Record<string, string | null> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "tierplan-provision-"));
  tempDirs.push(dir);
  for (const entry of ["Pulumi.yaml", "stacks", "catalogs"])
    cpSync(join(REPO, entry), join(dir, entry), { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    const path = join(dir, file);
    if (content === null) {
      rmSync(path, { recursive: true, force: true });
    } else {
      mkdirSync(resolve(path, ".."), { recursive: true });
      writeFileSync(path, content);
    }
  }
  return dir;
}

const repoFile = (file: string) => readFileSync(join(REPO, file), "utf8");

/** factory-a's stack file with `edit` applied to its text; the edit must change something. */
function editedFactoryStack(edit: (text: string) => string): string {
  const original = repoFile("stacks/Pulumi.factory-a.yaml");
  const edited = edit(original);
  if (edited === original) throw new Error("the edit of stacks/Pulumi.factory-a.yaml changed nothing: update the test");
  return edited;
}

/**
 * A site of this test's own, only in a temporary root (so its catalog path can only be resolved
 * against that root): tasks bound to robots placed on cloud and on edge (the examples have none
 * on cloud), serving tasks on cloud, a robot name that is not a Kubernetes name, a task with no
 * compute on edge and one on cloud whose demand a CPU instance covers.
 */
const FLEET_STACK = [
  "config:",
  "  aws:region: us-west-2",
  "  tierplan:catalog: catalogs/sites/fleet-x.yaml",
  "  tierplan:network:",
  "    edgeCidrs: [10.1.0.0/24]",
  "    robotCidrs: [10.2.0.0/24]",
  "  tierplan:edge:",
  "    mode: existing",
  "    gpuTflops: 40",
  "  tierplan:kubeconfig:",
  "    secure: v1:fleet-x-kubeconfig-ciphertext",
  "",
].join("\n");
/** 57 characters: a valid label itself, but not with the site in front ("fleet-x-" + it). */
const LONG_TASK = "pick-and-place-cell-coordinator-for-the-north-wing-line-2";
const FLEET_CATALOG = [
  "site: fleet-x",
  "tiers:",
  "  - { name: cloud, kind: cloud, compute: 2000, storage: 20000, bandwidth: 1000, latency: 40, costPerHour: 10 }",
  "  - { name: edge, kind: edge, compute: 200, storage: 1000, bandwidth: 1000, latency: 5, costPerHour: 2 }",
  "robots:",
  "  - { name: bot-1, compute: 4, storage: 32, bandwidth: 100, latency: 1, costPerHour: 0.3 }",
  "  - { name: Bot_2, compute: 4, storage: 32, bandwidth: 100, latency: 1, costPerHour: 0.3 }",
  "tasks:",
  '  - { name: planner, perRobot: true, compute: 150, storage: 50, bandwidth: 5, maxLatency: 5000, priority: 2, allowedTiers: [cloud], image: "ghcr.io/acme/planner:1", port: 9100 }',
  '  - { name: detector, perRobot: true, compute: 30, storage: 2, bandwidth: 5, maxLatency: 100, priority: 2, allowedTiers: [edge], image: "ghcr.io/acme/det:1", port: 9200 }',
  '  - { name: onboard, perRobot: true, compute: 1, storage: 1, bandwidth: 1, maxLatency: 10, priority: 3, allowedTiers: [robot], image: "ghcr.io/acme/onboard:1" }',
  '  - { name: map-server, compute: 20, storage: 100, bandwidth: 10, maxLatency: 1000, priority: 1, pin: cloud, image: "ghcr.io/acme/map:1", port: 7000 }',
  '  - { name: reporter, compute: 0.5, storage: 10, bandwidth: 1, maxLatency: 10000, priority: 1, allowedTiers: [cloud], image: "ghcr.io/acme/report:1" }',
  '  - { name: logger, compute: 0, storage: 5, bandwidth: 1, maxLatency: 1000, priority: 1, allowedTiers: [edge], image: "ghcr.io/acme/log:1" }',
  // Valid catalog names that Kubernetes objects cannot take as they are (see "Kubernetes accepts").
  '  - { name: 3d-mapper, compute: 1, storage: 1, bandwidth: 1, maxLatency: 1000, priority: 1, allowedTiers: [edge], image: "ghcr.io/acme/3d:1" }',
  `  - { name: ${LONG_TASK}, compute: 1, storage: 1, bandwidth: 1, maxLatency: 1000, priority: 1, allowedTiers: [edge], image: "ghcr.io/acme/pp:1" }`,
  "",
].join("\n");

let fleetRootDir: string | undefined;
function fleetRoot(): string {
  fleetRootDir ??= tempRoot({
    "stacks/Pulumi.fleet-x.yaml": FLEET_STACK,
    "catalogs/sites/fleet-x.yaml": FLEET_CATALOG,
  });
  return fleetRootDir;
}

interface Case {
  stack: string;
  root: () => string;
}
const CASES: Case[] = [
  ...EXAMPLES.map((stack) => ({ stack, root: () => REPO })),
  { stack: "fleet-x", root: fleetRoot },
];

// ---------------------------------------------------------------------------------------------
// One preview per case, shared by the tests (each costs a solve and a program run).

const previews = new Map<string, Promise<PreviewResult>>();
function previewOf(c: Case): Promise<PreviewResult> {
  let p = previews.get(c.stack);
  if (!p) {
    p = runPreview(c.stack, { root: c.root() });
    previews.set(c.stack, p);
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// What the stack and catalog files say, read independently of src/catalog.

interface StackFacts {
  site: string;
  namespace: string;
  sizing: EdgeSizing;
  allowedTypes?: string[];
  ssm: boolean;
  /** Fleet robots and robot-kind tiers of the catalogs. */
  robots: string[];
  subnetIds?: string[];
  mode: "existing" | "eks";
  network: { edgeCidrs: string[]; robotCidrs: string[] };
  eks?: {
    nodeInstanceType: string;
    gpuSlices: number;
    minNodes: number;
    version: string;
    subnetIds: string[];
    controlPlaneSubnetIds: string[];
  };
  /** Edge tier → its machines as the catalog lists them (docs/contract.md §5), expanded here; tiers without machines absent. */
  machines: Map<string, CatalogMachine[]>;
}

/** One machine of a catalog's edge tier, expanded by this test from the YAML (ids per docs/contract.md §5). */
interface CatalogMachine {
  id: string;
  gpus: number;
  gpuTflops: number;
  gpuSlices: number;
  storage: number;
  units: number;
  unitTflops: number;
}

function expandCatalogMachines(tier: Json): CatalogMachine[] {
  return (tier.machines as Json[]).flatMap((m) => {
    const count = m.count ?? 1;
    const slices = m.gpuSlices ?? 1;
    return Array.from({ length: count }, (_, k) => ({
      id: count === 1 ? m.name : `${m.name}-${k}`,
      gpus: m.gpus,
      gpuTflops: m.gpuTflops,
      gpuSlices: slices,
      storage: m.storage,
      units: m.gpus * slices,
      unitTflops: m.gpuTflops / slices,
    }));
  });
}

function stackFacts(c: Case): StackFacts {
  const root = c.root();
  const config = (parse(readFileSync(join(root, "stacks", `Pulumi.${c.stack}.yaml`), "utf8")) as Json).config;
  const edge = config["tierplan:edge"];
  // Defaults as the stack config reference documents them (SiteConfigSchema's descriptions).
  const eks =
    edge.mode === "eks"
      ? {
          nodeInstanceType: edge.eks.nodeInstanceType ?? "g5.xlarge",
          gpuSlices: edge.eks.gpuSlices ?? 1,
          minNodes: edge.eks.minNodes ?? 1,
          version: String(edge.eks.version ?? "1.33"),
          subnetIds: edge.eks.subnetIds,
          controlPlaneSubnetIds: edge.eks.controlPlaneSubnetIds,
        }
      : undefined;
  let gpuTflops: number = edge.gpuTflops;
  if (gpuTflops === undefined && eks) {
    const node = INSTANCE_TYPES.find((t) => t.name === eks.nodeInstanceType)!;
    gpuTflops = node.tflops / node.gpus / eks.gpuSlices;
  }
  gpuTflops ??= 125;
  const catalogs = [config["tierplan:catalog"]].flat() as string[];
  const docs = catalogs.map((file) => parse(readFileSync(join(root, file), "utf8")) as Json);
  const site: string = docs.find((d) => d.site !== undefined).site;
  const machines = new Map<string, CatalogMachine[]>(
    docs.flatMap((d) =>
      (d.tiers ?? [])
        .filter((t: Json) => t.kind === "edge" && t.machines)
        .map((t: Json) => [t.name, expandCatalogMachines(t)] as const),
    ),
  );
  const robots = docs.flatMap((d) => [
    ...(d.robots ?? []).map((r: Json) => r.name as string),
    ...(d.tiers ?? []).filter((t: Json) => t.kind === "robot").map((t: Json) => t.name as string),
  ]);
  return {
    site,
    namespace: edge.namespace ?? `tierplan-${site}`,
    sizing: {
      gpuTflops,
      gpuResource: edge.gpuResource ?? "nvidia.com/gpu",
      cpu: edge.cpu ?? "1",
      memory: edge.memory ?? "2Gi",
    },
    allowedTypes: config["tierplan:cloud"]?.instanceTypes,
    ssm: config["tierplan:robots"]?.ssm === true,
    robots,
    mode: edge.mode,
    network: config["tierplan:network"],
    eks,
    machines,
  };
}

// ---------------------------------------------------------------------------------------------
// Independent expectations.

const ofType = (result: PreviewResult, type: string): Resource[] => result.resources.filter((r) => r.type === type);
const inputs = (r: Resource): Json => r.inputs;
const byTask = <T extends { task: string }>(list: readonly T[]) =>
  [...list].sort((a, b) => (a.task < b.task ? -1 : a.task > b.task ? 1 : 0));

/** Placement facts every workload carries, spelt out here rather than taken from src/plan/facts. */
function expectedFacts(site: string, p: Placement, planHash: string): Record<string, string> {
  return {
    "tierplan/managed-by": "tierplan",
    "tierplan/site": site,
    "tierplan/task": p.task,
    "tierplan/source-task": p.source,
    "tierplan/tier": p.tier,
    "tierplan/kind": p.kind,
    "tierplan/priority": String(p.priority),
    "tierplan/latency-ms": String(p.latencyMs),
    "tierplan/max-latency-ms": String(p.maxLatency),
    "tierplan/compute-tflops": String(p.compute),
    "tierplan/storage-gb": String(p.storage),
    "tierplan/bandwidth-mbps": String(p.bandwidth),
    "tierplan/pinned": String(p.pinned === true),
    "tierplan/plan-hash": planHash,
  };
}

function without(record: Record<string, string>, ...keys: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(record).filter(([key]) => !keys.includes(key)));
}

/** Smallest whole number of GPU units whose TFLOPS reach the demand (tolerant of float noise). */
function expectedGpuUnits(compute: number, gpuTflops: number): number {
  let units = 0;
  while (units * gpuTflops < compute - 1e-9) units++;
  return units;
}

/** Bytes of a Kubernetes decimal quantity such as 10000M or 2G. */
function quantityBytes(quantity: string): number {
  const m = /^(\d+)(k|M|G|T)?$/.exec(quantity);
  if (!m) throw new Error(`not a decimal quantity: ${quantity}`);
  return Number(m[1]) * { "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12 }[m[2] ?? ""]!;
}

/** The cheapest allowed type with the TFLOPS of the demand, chosen by scanning INSTANCE_TYPES. */
function cheapestCovering(compute: number, allowed?: string[]) {
  const candidates = INSTANCE_TYPES.filter((t) => (!allowed || allowed.includes(t.name)) && t.tflops >= compute);
  return candidates.reduce<(typeof INSTANCE_TYPES)[number] | undefined>(
    (best, t) => (!best || t.pricePerHour < best.pricePerHour ? t : best),
    undefined,
  );
}

/**
 * The private IP the offline preview's mocks invent for an instance (src/preview/mocks.ts): test
 * infrastructure, restated so the endpoints robots are given can be checked exactly.
 */
function mockPrivateIp(resourceName: string): string {
  const d = createHash("sha256").update(resourceName).digest();
  return `10.${d[0]}.${d[1]}.${Math.max(4, d[2])}`;
}

function oneWithTask(resources: Resource[], tagsOf: (r: Resource) => Json, task: string): Resource {
  const matches = resources.filter((r) => tagsOf(r)?.["tierplan/task"] === task);
  expect(
    matches.map((r) => r.name),
    `resources for task ${task}`,
  ).toHaveLength(1);
  return matches[0];
}

const instanceTags = (r: Resource) => inputs(r).tags;
const k8sAnnotations = (r: Resource) => inputs(r).metadata?.annotations;

/** The endpoint a robot must be given for a task placed elsewhere, from the resources that serve it. */
function expectedEndpoint(result: PreviewResult, p: Placement): string {
  const port = p.port ?? 8080;
  if (p.kind === "edge") {
    const svc = inputs(oneWithTask(ofType(result, TYPE.service), k8sAnnotations, p.task));
    return `${svc.metadata.name}.${svc.metadata.namespace}.svc.cluster.local:${port}`;
  }
  if (p.kind === "cloud") {
    const host = cloudHostOf(result, p.task);
    return `${mockPrivateIp(host.instance.name)}:${host.shared ? host.record.tasks.find((t: Json) => t.task === p.task).hostPort : port}`;
  }
  return `robot/${p.tier}`;
}

/**
 * The EC2 instance a cloud task runs on: the instance tagged with the task (a host of its own), or
 * the instance of the shared host whose record ConfigMap lists it (tags `tierplan/host`).
 */
function cloudHostOf(
  result: PreviewResult,
  task: string,
): { instance: Resource; shared: boolean; record: Json; recordResource?: Resource } {
  const own = ofType(result, TYPE.instance).filter((r) => instanceTags(r)["tierplan/task"] === task);
  const records = ofType(result, TYPE.configMap).filter((r) => {
    if (inputs(r).metadata.labels?.["tierplan/record"] !== "cloud-host") return false;
    return JSON.parse(inputs(r).metadata.annotations["tierplan/host-placements"]).some(
      (f: Json) => f["tierplan/task"] === task,
    );
  });
  expect(own.length + records.length, `hosts of ${task}`).toBe(1);
  if (own.length === 1) return { instance: own[0], shared: false, record: undefined };
  const host = inputs(records[0]).metadata.annotations["tierplan/host"];
  const instances = ofType(result, TYPE.instance).filter((r) => instanceTags(r)["tierplan/host"] === host);
  expect(instances, `instance of host ${host}`).toHaveLength(1);
  return {
    instance: instances[0],
    shared: true,
    record: JSON.parse(inputs(records[0]).data["host.json"]),
    recordResource: records[0],
  };
}

/** GPUs, vCPUs and memory a cloud task takes of a host of `type`, as docs/pulumi.md "Cloud packing" states: each way it may run. */
function cloudWays(compute: number, type: (typeof INSTANCE_TYPES)[number]): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  if (compute <= 0.8) {
    const vcpus = Math.max(1, expectedGpuUnits(compute, 0.1));
    if (vcpus <= type.vcpus) out.push([0, vcpus, 2 * vcpus]);
  }
  if (type.gpus > 0 && type.tflops >= compute) {
    const gpus = Math.max(1, expectedGpuUnits(compute, type.tflops / type.gpus));
    if (gpus <= type.gpus) out.push([gpus, (type.vcpus * gpus) / type.gpus, (type.memoryGiB * gpus) / type.gpus]);
  }
  return out;
}

function robotDocuments(result: PreviewResult): Map<string, { resource: Resource; doc: Json }> {
  const docs = new Map<string, { resource: Resource; doc: Json }>();
  for (const r of ofType(result, TYPE.configMap).filter(
    (cm) => inputs(cm).metadata?.labels?.["tierplan/record"] === "robot-config",
  )) {
    const robot = inputs(r).metadata.annotations["tierplan/robot"];
    expect(docs.has(robot), `two ConfigMaps for robot ${robot}`).toBe(false);
    docs.set(robot, { resource: r, doc: JSON.parse(inputs(r).data["config.json"]) });
  }
  return docs;
}

// ---------------------------------------------------------------------------------------------

describe("the stacks' edge machines, as the catalogs give them", () => {
  it("factory-a: one machine of two whole 50-TFLOPS GPUs; lab: one GPU in two 30-TFLOPS slices; warehouse-east: three g5 GPUs in eight slices and one whole", () => {
    const units = (stack: string) =>
      Object.fromEntries(
        [...stackFacts({ stack, root: () => REPO }).machines].flatMap(([tier, ms]) =>
          ms.map((m) => [`${tier}/${m.id}`, `${m.units} × ${m.unitTflops}`]),
        ),
      );
    expect(Object.fromEntries(EXAMPLES.map((stack) => [stack, units(stack)]))).toEqual({
      "factory-a": { "edge/edge-gpu-0": "2 × 50" },
      lab: { "workstation/lab-ws": "2 × 30" },
      "warehouse-east": {
        "edge/g5-sliced-0": "8 × 15.625",
        "edge/g5-sliced-1": "8 × 15.625",
        "edge/g5-sliced-2": "8 × 15.625",
        "edge/g5-whole": "1 × 125",
      },
    });
    // No stack restates a machine fact in its config.
    for (const stack of EXAMPLES) {
      const edge = (parse(repoFile(`stacks/Pulumi.${stack}.yaml`)) as Json).config["tierplan:edge"];
      expect([edge.gpuTflops, edge.eks?.gpuSlices, edge.eks?.nodeInstanceType], stack).toEqual([
        undefined,
        undefined,
        undefined,
      ]);
    }
  });
});

describe.each(CASES)("preview of $stack", (c) => {
  it("runs, names the stack and agrees with its own plan", async () => {
    const result = await previewOf(c);
    const facts = stackFacts(c);
    expect(result.stack).toBe(c.stack);
    expect(result.plan.site).toBe(facts.site);
    expect(result.plan.placements.length).toBeGreaterThan(0);
    expect(result.outputs.planHash).toBe(result.planHash);
    expect(result.outputs.edgeNamespace).toBe(facts.namespace);
  });

  it("puts each cloud placement on one host (EC2 instance) whose type holds all its tasks, a host of one task on the cheapest type that covers it", async () => {
    const result = await previewOf(c);
    const { allowedTypes, site, network } = stackFacts(c);
    const cloud = result.plan.placements.filter((p) => p.kind === "cloud");
    expect(cloud.length).toBeGreaterThan(0);
    const instances = ofType(result, TYPE.instance);
    const groups = ofType(result, TYPE.securityGroup);
    expect(groups).toHaveLength(instances.length);
    const chosen: Record<string, string> = {};
    const tasksOn = new Map<string, Placement[]>();
    for (const p of cloud) {
      const { instance } = cloudHostOf(result, p.task);
      tasksOn.set(instance.name, [...(tasksOn.get(instance.name) ?? []), p]);
      chosen[p.task] = inputs(instance).instanceType;
    }
    expect([...tasksOn.keys()].sort()).toEqual(instances.map((r) => r.name).sort());
    for (const r of instances) {
      const instance = inputs(r);
      const tasks = tasksOn.get(r.name)!;
      const type = INSTANCE_TYPES.find((t) => t.name === instance.instanceType)!;
      expect(type, `instance type of ${r.name}`).toBeDefined();
      if (allowedTypes) expect(allowedTypes).toContain(type.name);
      expect(instance.tags["tierplan/instance-tflops"]).toBe(String(type.tflops));
      expect(instance.tags["tierplan/price-per-hour"]).toBe(String(type.pricePerHour));
      expect(instance.tags["tierplan/host-tasks"]).toBe(String(tasks.length));
      expect(new Set(tasks.map((p) => `${p.tier}/${p.priority}`)).size).toBe(1); // only one tier and priority share a host
      const storage = tasks.reduce((sum, p) => sum + p.storage, 0);
      expect(instance.rootBlockDevice.volumeSize).toBe(rootVolumeGb(storage));
      expect(instance.rootBlockDevice.volumeSize).toBeLessThanOrEqual(MAX_ROOT_VOLUME_GB);
      // The type holds every task in some way each may run, all together.
      const fits = (k: number, g: number, v: number, m: number): boolean =>
        g <= type.gpus &&
        v <= type.vcpus + 1e-9 &&
        m <= type.memoryGiB + 1e-9 &&
        (k === tasks.length ||
          cloudWays(tasks[k].compute, type).some(([dg, dv, dm]) => fits(k + 1, g + dg, v + dv, m + dm)));
      expect(fits(0, 0, 0, 0), `${r.name}: ${type.name} holds ${tasks.map((p) => p.task).join(", ")}`).toBe(true);
      // Behind a security group of its own, open to the site's networks only, on its tasks' ports.
      const group = groups.find((g) => `${g.name}-id` === instance.vpcSecurityGroupIds[0])!;
      expect(instance.vpcSecurityGroupIds).toEqual([`${group.name}-id`]);
      expect(inputs(group).ingress.map((rule: Json) => rule.cidrBlocks)).toEqual([
        [...network.edgeCidrs, ...network.robotCidrs],
      ]);
      if (tasks.length === 1) {
        const [p] = tasks;
        // A host of its own: what tierplan made before packing.
        expect(type.name).toBe(cheapestCovering(p.compute, allowedTypes)?.name);
        expect(r.name).toBe(`cloud-${p.task}`);
        expect(instance.tags.Name).toBe(`tierplan-${site}-${p.task}`);
        const port = p.port ?? 8080;
        expect(inputs(group).ingress.map((rule: Json) => [rule.fromPort, rule.toPort])).toEqual([[port, port]]);
      } else {
        expect(inputs(group).ingress.map((rule: Json) => [rule.fromPort, rule.toPort])).toEqual([
          [20000, 20000 + tasks.length - 1],
        ]);
      }
    }
    expect(result.outputs.instanceTypes).toEqual(chosen);
    // Each placement's instance, and the hosts, in the outputs.
    const outputsByTask = new Map((result.outputs.placements as Json[]).map((p) => [p.task, p]));
    for (const p of cloud)
      expect(outputsByTask.get(p.task).instance).toBe(
        cloudHostOf(result, p.task).instance.name.replace(/^cloud-(host-)?/, ""),
      );
  });

  it("writes the site's provisioned cost, from the instance table's prices, as an output and on every instance and node group", async () => {
    const result = await previewOf(c);
    const price = (name: string) => INSTANCE_TYPES.find((t) => t.name === name)!.pricePerHour;
    const instances = ofType(result, TYPE.instance).map(inputs);
    const nodeGroups = ofType(result, TYPE.nodeGroup).map(inputs);
    const cloudCost = instances.reduce((sum, i) => sum + price(i.instanceType), 0);
    const nodeCost = nodeGroups.reduce((sum, g) => sum + g.scalingConfig.desiredSize * price(g.instanceTypes[0]), 0);
    const total = Math.round((cloudCost + nodeCost) * 1e4) / 1e4;
    expect(result.outputs.provisionedCostPerHour).toBe(total);
    for (const tags of [...instances, ...nodeGroups].map((x) => x.tags))
      expect(tags["tierplan/provisioned-cost-per-hour"]).toBe(String(total));
    const cost = result.outputs.cost as Json;
    expect(cost.cloudInstances).toBe(instances.length);
    expect(cost.cloudInstancesPerHour).toBe(Math.round(cloudCost * 1e4) / 1e4);
    // Packing never costs more than a host per task, and is never below its own bound.
    const cloud = result.plan.placements.filter((p) => p.kind === "cloud");
    const alone = cloud.reduce(
      (sum, p) => sum + cheapestCovering(p.compute, stackFacts(c).allowedTypes)!.pricePerHour,
      0,
    );
    expect(cost.oneInstancePerTaskPerHour).toBe(Math.round(alone * 1e4) / 1e4);
    expect(cost.cloudInstancesPerHour).toBeLessThanOrEqual(cost.oneInstancePerTaskPerHour);
    expect(cost.cloudLowerBoundPerHour).toBeLessThanOrEqual(cost.cloudInstancesPerHour);
    expect(cost.planCost).toBe(result.plan.objective.cost);
  });

  it("gives each edge placement one Deployment with the requests its demand maps to, pinned to its machine, and one Service", async () => {
    const result = await previewOf(c);
    const facts = stackFacts(c);
    const { sizing, namespace } = facts;
    const edge = result.plan.placements.filter((p) => p.kind === "edge");
    expect(edge.length).toBeGreaterThan(0);
    const deployments = ofType(result, TYPE.deployment);
    const services = ofType(result, TYPE.service);
    expect(deployments).toHaveLength(edge.length);
    expect(services).toHaveLength(edge.length);
    for (const p of edge) {
      const deployment = inputs(oneWithTask(deployments, k8sAnnotations, p.task));
      expect(deployment.metadata.namespace).toBe(namespace);
      expect(deployment.spec.replicas).toBe(1);
      const pod = deployment.spec.template.spec;
      expect(pod.containers).toHaveLength(1);
      const container = pod.containers[0];
      expect(container.image).toBe(p.image);
      const resources = container.resources;
      // What the plan says on a machine, what the sizing says elsewhere, computed here: whole GPU
      // units of the machine's slice (or of gpuTflops), decimal GB of ephemeral storage.
      const machine = facts.machines.get(p.tier)?.find((m) => m.id === p.machine);
      if (facts.machines.has(p.tier)) expect(machine, `${p.task} is placed on a machine of ${p.tier}`).toBeDefined();
      const units = machine
        ? expectedGpuUnits(p.compute, machine.unitTflops)
        : expectedGpuUnits(p.compute, sizing.gpuTflops);
      const resource = machine ? "nvidia.com/gpu" : sizing.gpuResource;
      if (machine) expect(p.gpuUnits, `${p.task}: the plan's gpuUnits`).toBe(units);
      const gpu = units > 0 ? { [resource]: String(units) } : {};
      expect(resources.limits).toEqual(gpu);
      expect(without(resources.requests, "ephemeral-storage")).toEqual({
        cpu: sizing.cpu,
        memory: sizing.memory,
        ...gpu,
      });
      if (p.storage > 0) {
        const bytes = quantityBytes(resources.requests["ephemeral-storage"]);
        expect(bytes).toBeGreaterThanOrEqual(p.storage * 1e9);
        expect(bytes).toBeLessThan(p.storage * 1e9 + 1e6);
      } else {
        expect(resources.requests["ephemeral-storage"]).toBeUndefined();
      }
      expect(resources).toEqual(containerResources(p, sizing));
      // A GPU pod tolerates the GPU nodes' taint; a pod without GPUs does not land there.
      expect(pod.tolerations?.some((t: Json) => t.key === resource) ?? false).toBe(units > 0);
      if (machine) {
        // Pinned to its planned machine by a required node affinity: the node's name on an
        // existing cluster, its machine label on the EKS cluster tierplan builds.
        const term =
          facts.mode === "eks"
            ? { matchExpressions: [{ key: "tierplan.dev/machine", operator: "In", values: [machine.id] }] }
            : { matchFields: [{ key: "metadata.name", operator: "In", values: [machine.id] }] };
        expect(pod.affinity).toEqual({
          nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term] } },
        });
        expect(pod.nodeSelector).toBeUndefined();
      } else {
        expect(pod.affinity).toBeUndefined();
      }
      const port = p.port ?? 8080;
      expect(container.ports).toEqual([{ name: "serve", containerPort: port }]);

      const service = inputs(oneWithTask(services, k8sAnnotations, p.task));
      expect(service.metadata.namespace).toBe(namespace);
      expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
      expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
      expect(service.spec.ports).toEqual([{ name: "serve", port, targetPort: port }]);
    }
    // No two edge tasks select each other's pods.
    const selectors = services.map((s) => JSON.stringify(inputs(s).spec.selector));
    expect(new Set(selectors).size).toBe(selectors.length);
  });

  it("packs every machine within its GPU units and storage, and quotas the namespace at the machines' units", async () => {
    const result = await previewOf(c);
    const { machines, sizing, namespace } = stackFacts(c);
    const deployments = ofType(result, TYPE.deployment).map(inputs);
    // What the Deployments themselves request on each machine (not what the plan says).
    const onMachine = new Map<string, { units: number; storage: number }>();
    for (const d of deployments) {
      const term =
        d.spec.template.spec.affinity?.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0];
      const pinned = term?.matchFields?.[0].values[0] ?? term?.matchExpressions?.[0].values[0];
      if (pinned === undefined) continue;
      const requests = d.spec.template.spec.containers[0].resources.requests;
      const load = onMachine.get(pinned) ?? { units: 0, storage: 0 };
      load.units += Number(requests["nvidia.com/gpu"] ?? 0);
      load.storage += requests["ephemeral-storage"] ? quantityBytes(requests["ephemeral-storage"]) / 1e9 : 0;
      onMachine.set(pinned, load);
    }
    const all = [...machines.values()].flat();
    expect([...onMachine.keys()].filter((id) => !all.some((m) => m.id === id))).toEqual([]);
    for (const m of all) {
      const load = onMachine.get(m.id) ?? { units: 0, storage: 0 };
      expect(load.units, `units on ${m.id}`).toBeLessThanOrEqual(m.units);
      expect(load.storage, `storage on ${m.id}`).toBeLessThanOrEqual(m.storage + 1e-6);
    }
    const quotas = ofType(result, "kubernetes:core/v1:ResourceQuota").map(inputs);
    expect(quotas).toHaveLength(1);
    expect(quotas[0].metadata.namespace).toBe(namespace);
    const reserve = result.plan.objective.reserve;
    const expected = result.plan.environments
      .filter((e) => e.kind === "edge")
      .reduce(
        (sum, e) =>
          sum +
          (machines.has(e.name)
            ? machines.get(e.name)!.reduce((n, m) => n + m.units, 0)
            : expectedGpuUnits((1 - reserve) * e.compute, sizing.gpuTflops)),
        0,
      );
    expect(quotas[0].spec.hard["requests.nvidia.com/gpu"]).toBe(String(expected));
    if (machines.size > 0) expect(result.warnings.filter((w) => /unit\(s\) more than its quota/.test(w))).toEqual([]);
  });

  it("gives each robot one ConfigMap listing exactly its local tasks and the endpoints of its tasks elsewhere", async () => {
    const result = await previewOf(c);
    const { robots, namespace, site } = stackFacts(c);
    const { plan, planHash } = result;
    const docs = robotDocuments(result);
    expect([...docs.keys()].sort()).toEqual([...robots].sort());
    const services = byTask(
      plan.placements
        .filter((p) => p.port !== undefined && p.robot === undefined && p.kind !== "robot")
        .map((p) => ({ task: p.task, tier: p.tier, kind: p.kind, endpoint: expectedEndpoint(result, p) })),
    );
    for (const robot of robots) {
      const { resource, doc } = docs.get(robot)!;
      expect(inputs(resource).metadata.namespace).toBe(namespace);
      expect(doc).toMatchObject({ schema: "tierplan.dev/robot-config/v1", site, robot, version: planHash });
      const local = plan.placements.filter((p) => p.tier === robot);
      expect(byTask(doc.tasks)).toEqual(
        byTask(
          local.map((p) => ({
            task: p.task,
            source: p.source,
            image: p.image ?? null,
            priority: p.priority,
            maxLatencyMs: p.maxLatency,
            predictedLatencyMs: p.latencyMs,
            budget: { compute: p.compute, storage: p.storage, bandwidth: p.bandwidth },
          })),
        ),
      );
      const elsewhere = plan.placements.filter((p) => p.robot === robot && p.tier !== robot);
      expect(byTask(doc.remote)).toEqual(
        byTask(
          elsewhere.map((p) => ({ task: p.task, tier: p.tier, kind: p.kind, endpoint: expectedEndpoint(result, p) })),
        ),
      );
      expect(byTask(doc.services)).toEqual(services);
    }
    // Every task placed on a robot is in exactly one robot's config.
    const listed = [...docs.values()].flatMap(({ doc }) => doc.tasks.map((t: Json) => t.task)).sort();
    expect(listed).toEqual(
      plan.placements
        .filter((p) => p.kind === "robot")
        .map((p) => p.task)
        .sort(),
    );
  });

  it("writes the plan's placement facts on every workload", async () => {
    const result = await previewOf(c);
    const { site } = stackFacts(c);
    const { plan, planHash } = result;
    for (const p of plan.placements) {
      const facts = expectedFacts(site, p, planHash);
      if (p.kind === "cloud") {
        const host = cloudHostOf(result, p.task);
        if (host.shared) {
          // A shared host lists its tasks' facts in its record, as a robot config lists its tasks'.
          const listed = JSON.parse(
            inputs(host.recordResource!).metadata.annotations["tierplan/host-placements"],
          ) as Record<string, string>[];
          expect(listed.filter((f) => f["tierplan/task"] === p.task)).toEqual([facts]);
          continue;
        }
        const instance = host.instance;
        expect(
          without(
            inputs(instance).tags,
            "Name",
            "tierplan/instance-tflops",
            "tierplan/host",
            "tierplan/host-tasks",
            "tierplan/price-per-hour",
            "tierplan/provisioned-cost-per-hour",
          ),
        ).toEqual(facts);
        const group = oneWithTask(ofType(result, TYPE.securityGroup), instanceTags, p.task);
        expect(without(inputs(group).tags, "Name")).toEqual(facts);
        // Numbers keep full precision.
        expect(Number(inputs(instance).tags["tierplan/latency-ms"])).toBe(p.latencyMs);
      } else if (p.kind === "edge") {
        const deployment = inputs(oneWithTask(ofType(result, TYPE.deployment), k8sAnnotations, p.task));
        expect(deployment.metadata.annotations).toEqual(facts);
        // Not on the pod template: a re-plan would roll every pod.
        expect(without(deployment.spec.template.metadata.annotations ?? {}, "kubernetes.io/egress-bandwidth")).toEqual(
          {},
        );
        expect(Number(deployment.metadata.annotations["tierplan/latency-ms"])).toBe(p.latencyMs);
      } else {
        const { resource } = robotDocuments(result).get(p.tier)!;
        const listed = JSON.parse(inputs(resource).metadata.annotations["tierplan/robot-placements"]) as Record<
          string,
          string
        >[];
        expect(listed.filter((f) => f["tierplan/task"] === p.task)).toEqual([facts]);
      }
    }
    for (const { resource } of robotDocuments(result).values()) {
      const listed = JSON.parse(inputs(resource).metadata.annotations["tierplan/robot-placements"]) as Record<
        string,
        string
      >[];
      const robot = inputs(resource).metadata.annotations["tierplan/robot"];
      expect(listed.map((f) => f["tierplan/task"]).sort()).toEqual(
        plan.placements
          .filter((p) => p.tier === robot)
          .map((p) => p.task)
          .sort(),
      );
    }
  });

  it("provisions nothing for unplaced tasks", async () => {
    const result = await previewOf(c);
    if (c.stack === "lab") expect(result.plan.unplaced.map((u) => u.task)).toContain("sim-sweep");
    for (const u of result.plan.unplaced) {
      expect(result.plan.placements.map((p) => p.task)).not.toContain(u.task);
      for (const r of result.resources) {
        if (inputs(r).metadata?.labels?.["tierplan/record"] === "plan") continue; // the record lists the unplaced, with reasons
        expect(JSON.stringify(r), `${r.type} ${r.name}`).not.toContain(u.task);
      }
    }
  });

  it("records the plan, less its solve time, in the tierplan-plan ConfigMap", async () => {
    const result = await previewOf(c);
    const { namespace, site } = stackFacts(c);
    const records = ofType(result, TYPE.configMap).filter(
      (r) => inputs(r).metadata?.labels?.["tierplan/record"] === "plan",
    );
    expect(records).toHaveLength(1);
    const record = inputs(records[0]);
    expect(record.metadata).toMatchObject({
      name: "tierplan-plan",
      namespace,
      annotations: { "tierplan/site": site, "tierplan/plan-hash": result.planHash },
    });
    const text: string = record.data["plan.json"];
    expect(typeof result.plan.solver.ms).toBe("number");
    const expected = structuredClone(result.plan) as Json;
    delete expected.solver.ms;
    // Besides the plan, the record carries the planning inputs the policies re-check it against.
    const { inputs: recorded, ...plan } = JSON.parse(text);
    expect(plan).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(recorded.tasks.map((t: Json) => t.name).sort()).toEqual(
      [...result.plan.placements, ...result.plan.unplaced].map((p: Json) => p.task).sort(),
    );
    expect(JSON.parse(text).solver).not.toHaveProperty("ms");
    // The hash every resource carries is the hash of exactly the plan this record holds.
    expect(createHash("sha256").update(JSON.stringify(plan)).digest("hex").slice(0, 16)).toBe(result.planHash);
    for (const r of result.resources) {
      const hash = inputs(r).tags?.["tierplan/plan-hash"] ?? inputs(r).metadata?.annotations?.["tierplan/plan-hash"];
      if (hash !== undefined) expect(hash, `${r.type} ${r.name}`).toBe(result.planHash);
    }
  });

  it("shows no secret: only [secret] where the kubeconfig goes", async () => {
    const result = await previewOf(c);
    const providers = ofType(result, TYPE.k8sProvider);
    expect(providers).toHaveLength(1);
    expect(inputs(providers[0]).kubeconfig).toBe("[secret]");
    expect(JSON.stringify(result.resources)).not.toContain(SECRET_PLACEHOLDER);
    expect(JSON.stringify(result)).not.toContain(SECRET_PLACEHOLDER);
    // The stack file's own `secure:` value, where it has one, is nowhere either.
    const stackConfig = (parse(readFileSync(join(c.root(), "stacks", `Pulumi.${c.stack}.yaml`), "utf8")) as Json)
      .config;
    const secure: string | undefined = stackConfig["tierplan:kubeconfig"]?.secure;
    if (c.stack !== "warehouse-east") expect(secure).toMatch(/^v1:/);
    if (secure !== undefined) expect(JSON.stringify(result)).not.toContain(secure.slice(3));
  });

  it("declares EKS and SSM resources only when the stack asks for them", async () => {
    const result = await previewOf(c);
    const { eks, ssm, robots, machines } = stackFacts(c);
    const all = [...machines.values()].flat();
    expect(ofType(result, TYPE.cluster)).toHaveLength(eks ? 1 : 0);
    expect(ofType(result, TYPE.nodeGroup)).toHaveLength(eks ? (all.length > 0 ? all.length : 1) : 0);
    expect(ofType(result, TYPE.daemonSet)).toHaveLength(
      eks ? (all.length > 0 ? new Set(all.map((m) => m.gpuSlices)).size : 1) : 0,
    );
    expect(ofType(result, TYPE.ssm)).toHaveLength(ssm ? robots.length : 0);
  });

  it("is deterministic: a second run declares the same resources", async () => {
    const first = await previewOf(c);
    const second = await runPreview(c.stack, { root: c.root() });
    expect(second.planHash).toBe(first.planHash);
    expect(JSON.stringify(second.resources)).toBe(JSON.stringify(first.resources));
    expect(second.outputs).toEqual(first.outputs);
    expect(second.warnings).toEqual(first.warnings);
  });
});

describe("the example stacks' choices, worked by hand", () => {
  it("model-training (500 TFLOPS) gets a g5.12xlarge, or a g6.48xlarge where warehouse-east allows no g5", async () => {
    const types: Record<string, unknown> = {};
    for (const stack of EXAMPLES) types[stack] = (await previewOf({ stack, root: () => REPO })).outputs.instanceTypes;
    expect(types).toEqual({
      "factory-a": { "model-training": "g5.12xlarge" },
      lab: { "model-training": "g5.12xlarge" },
      "warehouse-east": { "model-training": "g6.48xlarge" },
    });
  });

  it("one of the lab's arms runs its grasp policy on the shared test bench, told so in its config", async () => {
    const result = await previewOf({ stack: "lab", root: () => REPO });
    const docs = robotDocuments(result);
    expect([...docs.keys()].sort()).toEqual(["arm-left", "arm-right", "test-bench"]);
    // The arms are alike: which one's policy goes to the bench is the optimizer's tie to break.
    const onBench = docs
      .get("test-bench")!
      .doc.tasks.map((t: Json) => t.task)
      .sort();
    expect(onBench).toHaveLength(2);
    expect(onBench[0]).toBe("bench-eval");
    const arm = /^grasp-policy@(arm-left|arm-right)$/.exec(onBench[1])![1];
    expect(docs.get(arm)!.doc.remote).toEqual([
      { task: `grasp-policy@${arm}`, tier: "test-bench", kind: "robot", endpoint: "robot/test-bench" },
    ]);
    expect(docs.get("arm-left")!.doc.services).toEqual([
      {
        task: "realtime-inference",
        tier: "workstation",
        kind: "edge",
        endpoint: "realtime-inference.lab.svc.cluster.local:8080",
      },
    ]);
  });
});

describe("warehouse-east: the EKS edge cluster", () => {
  const c: Case = { stack: "warehouse-east", root: () => REPO };

  it("has a cluster and one node group of exactly one node per machine, labelled with its tier and id, of a type with its GPUs", async () => {
    const result = await previewOf(c);
    const { eks, site, machines } = stackFacts(c);
    expect(eks).toBeDefined();
    const clusters = ofType(result, TYPE.cluster);
    expect(clusters).toHaveLength(1);
    expect(inputs(clusters[0])).toMatchObject({
      name: `tierplan-${site}`,
      version: eks!.version,
      vpcConfig: { subnetIds: eks!.controlPlaneSubnetIds },
    });
    const all = [...machines].flatMap(([tier, ms]) => ms.map((m) => ({ tier, m })));
    expect(all.map(({ m }) => m.id)).toEqual(["g5-sliced-0", "g5-sliced-1", "g5-sliced-2", "g5-whole"]);
    const groups = ofType(result, TYPE.nodeGroup).map(inputs);
    expect(groups).toHaveLength(all.length);
    for (const { tier, m } of all) {
      const group = groups.filter((g) => g.labels["tierplan.dev/machine"] === m.id);
      expect(group, m.id).toHaveLength(1);
      const g = group[0];
      // One node, always: no autoscaler can add a node the plan did not pack or take one it did.
      expect(g.scalingConfig).toEqual({ desiredSize: 1, minSize: 1, maxSize: 1 });
      expect(g.labels).toMatchObject({
        "tierplan.dev/edge-tier": tier,
        "tierplan.dev/machine": m.id,
        "tierplan.dev/gpu-slices": String(m.gpuSlices),
      });
      expect(g.instanceTypes).toHaveLength(1);
      const type = INSTANCE_TYPES.find((t) => t.name === g.instanceTypes[0])!;
      // Exactly the machine's GPUs, each at least as fast as the catalog says; the cheapest such.
      const fitting = INSTANCE_TYPES.filter((t) => t.gpus === m.gpus && t.tflops / t.gpus >= m.gpuTflops);
      expect(type.name).toBe(fitting.reduce((best, t) => (t.pricePerHour < best.pricePerHour ? t : best)).name);
      expect(g.amiType).toBe("AL2023_x86_64_NVIDIA");
      expect(g.diskSize).toBeGreaterThanOrEqual(m.storage);
      expect(g.subnetIds).toEqual(eks!.subnetIds);
    }
    // Every pod's required affinity names a label exactly one node carries.
    for (const d of ofType(result, TYPE.deployment).map(inputs)) {
      const [expression] =
        d.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]
          .matchExpressions;
      expect(groups.filter((g) => expression.values.includes(g.labels[expression.key]))).toHaveLength(1);
    }
  });

  it("runs NVIDIA's device plugin once per gpuSlices of the machines, each only on the nodes of that many slices", async () => {
    const result = await previewOf(c);
    const { machines } = stackFacts(c);
    const slices = [...new Set([...machines.values()].flat().map((m) => m.gpuSlices))].sort((a, b) => a - b);
    expect(slices).toEqual([1, 8]);
    const daemonSets = ofType(result, TYPE.daemonSet).map(inputs);
    expect(daemonSets).toHaveLength(slices.length);
    const groups = ofType(result, TYPE.nodeGroup).map(inputs);
    for (const n of slices) {
      const [ds] = daemonSets.filter(
        (d) => d.spec.template.spec.nodeSelector?.["tierplan.dev/gpu-slices"] === String(n),
      );
      expect(ds, `plugin for ${n} slices`).toBeDefined();
      expect(ds.metadata.namespace).toBe("kube-system");
      // Its nodes: exactly the machines of n slices.
      expect(
        groups
          .filter((g) => g.labels["tierplan.dev/gpu-slices"] === String(n))
          .map((g) => g.labels["tierplan.dev/machine"])
          .sort(),
      ).toEqual(
        [...machines.values()]
          .flat()
          .filter((m) => m.gpuSlices === n)
          .map((m) => m.id)
          .sort(),
      );
      const container = ds.spec.template.spec.containers[0];
      expect(container.image).toMatch(/^nvcr\.io\/nvidia\/k8s-device-plugin:/);
      const volume = ds.spec.template.spec.volumes.find((v: Json) => v.configMap);
      const mount = container.volumeMounts.find((m: Json) => m.name === volume.name);
      const configFile = container.env.find((e: Json) => e.name === "CONFIG_FILE").value as string;
      expect(configFile.startsWith(`${mount.mountPath}/`)).toBe(true);
      const configMaps = ofType(result, TYPE.configMap).filter(
        (r) => inputs(r).metadata.name === volume.configMap.name && inputs(r).metadata.namespace === "kube-system",
      );
      expect(configMaps).toHaveLength(1);
      const config = parse(inputs(configMaps[0]).data[configFile.slice(mount.mountPath.length + 1)]) as Json;
      expect(config.version).toBe("v1");
      if (n > 1) expect(config.sharing.timeSlicing.resources).toEqual([{ name: "nvidia.com/gpu", replicas: n }]);
      else expect(config.sharing).toEqual({});
    }
    // Two plugins, two selectors: neither adopts the other's pods.
    expect(new Set(daemonSets.map((d) => JSON.stringify(d.spec.selector.matchLabels))).size).toBe(daemonSets.length);
  });

  it("publishes each of the 20 robots' config as an SSM parameter", async () => {
    const result = await previewOf(c);
    const { robots, site } = stackFacts(c);
    expect(robots).toHaveLength(20);
    const parameters = ofType(result, TYPE.ssm);
    expect(parameters).toHaveLength(20);
    const byName = new Map(parameters.map((p) => [inputs(p).name as string, inputs(p)]));
    for (const robot of robots) {
      const parameter = byName.get(`/tierplan/${site}/robots/${robot}/config`);
      expect(parameter, robot).toBeDefined();
      expect(parameter.type).toBe("String");
      expect(parameter.tags).toMatchObject({
        "tierplan/site": site,
        "tierplan/robot": robot,
        "tierplan/plan-hash": result.planHash,
      });
      // @pulumi/aws makes ssm.Parameter's `value` a secret whatever it holds, so the preview shows it redacted.
      expect(parameter.value).toBe("[secret]");
    }
  });

  it("tells each robot where its obstacle detection runs on the edge", async () => {
    const result = await previewOf(c);
    const docs = robotDocuments(result);
    const remote = docs.get("amr-07")!.doc.remote;
    expect(remote).toHaveLength(1);
    expect(remote[0]).toMatchObject({ task: "obstacle-detection@amr-07", tier: "edge", kind: "edge" });
    expect(remote[0].endpoint).toMatch(
      /^obstacle-detection-amr-07(-[0-9a-f]{6})?\.tierplan-warehouse-east\.svc\.cluster\.local:9000$/,
    );
  });
});

/** warehouse-east as it was before its catalog listed machines: one 500-TFLOPS edge tier, a g5.xlarge pool in 8 slices. */
function warehouseWithoutMachines(): Record<string, string> {
  const catalog = repoFile("catalogs/sites/warehouse-east.yaml");
  const withoutMachines = catalog.replace(
    / {2}- name: edge\n {4}kind: edge\n[\s\S]*?\n(?=robots:)/,
    "  - { name: edge, kind: edge, compute: 500, storage: 4000, bandwidth: 2000, latency: 8, costPerHour: 6 }\n",
  );
  if (withoutMachines === catalog)
    throw new Error("catalogs/sites/warehouse-east.yaml: its edge tier changed shape; update the test");
  const stack = repoFile("stacks/Pulumi.warehouse-east.yaml");
  const pooled = stack.replace(
    / {6}version: "1.33"/,
    '      nodeInstanceType: g5.xlarge\n      gpuSlices: 8\n      version: "1.33"',
  );
  if (pooled === stack) throw new Error("stacks/Pulumi.warehouse-east.yaml changed shape; update the test");
  return { "catalogs/sites/warehouse-east.yaml": withoutMachines, "stacks/Pulumi.warehouse-east.yaml": pooled };
}

describe("an EKS edge tier without machines (warehouse-east as it was)", () => {
  let rootDir: string | undefined;
  const c: Case = { stack: "warehouse-east", root: () => (rootDir ??= tempRoot(warehouseWithoutMachines())) };

  it("keeps one node pool of the node type, sized by packing the pods' GPU units, and one device plugin on every node", async () => {
    const result = await runPreview(c.stack, { root: c.root() });
    const { eks, sizing, machines } = stackFacts(c);
    expect(machines.size).toBe(0);
    expect(sizing.gpuTflops).toBe(125 / 8);
    const node = INSTANCE_TYPES.find((t) => t.name === eks!.nodeInstanceType)!;
    const edge = result.plan.placements.filter((p) => p.kind === "edge");
    expect(edge.every((p) => p.machine === undefined && p.gpuUnits === undefined)).toBe(true);
    const units = edge.reduce((sum, p) => sum + expectedGpuUnits(p.compute, sizing.gpuTflops), 0);
    const nodes = Math.max(eks!.minNodes, Math.ceil(units / (node.gpus * eks!.gpuSlices)));
    expect(nodes).toBeGreaterThan(eks!.minNodes); // the plan, not the minimum, sizes it
    const groups = ofType(result, TYPE.nodeGroup).map(inputs);
    expect(groups).toHaveLength(1);
    expect(groups[0].scalingConfig).toEqual({ desiredSize: nodes, minSize: nodes, maxSize: nodes });
    expect(groups[0].instanceTypes).toEqual([eks!.nodeInstanceType]);
    expect(groups[0].labels).toEqual({ "tierplan/site": "warehouse-east" });
    const daemonSets = ofType(result, TYPE.daemonSet).map(inputs);
    expect(daemonSets).toHaveLength(1);
    expect(daemonSets[0].spec.template.spec.nodeSelector).toBeUndefined();
    const config = JSON.parse(
      inputs(ofType(result, TYPE.configMap).find((r) => inputs(r).metadata.namespace === "kube-system")!).data[
        "config.yaml"
      ],
    );
    expect(config.sharing.timeSlicing.resources).toEqual([{ name: "nvidia.com/gpu", replicas: 8 }]);
    for (const d of ofType(result, TYPE.deployment).map(inputs)) {
      expect(d.spec.template.spec.affinity).toBeUndefined();
      const p = edge.find((x) => x.task === d.metadata.annotations["tierplan/task"])!;
      expect(d.spec.template.spec.containers[0].resources.limits).toEqual({
        "nvidia.com/gpu": String(expectedGpuUnits(p.compute, sizing.gpuTflops)),
      });
    }
    // Today's quota: the usable TFLOPS in units, rounded up (450 / 15.625 = 28.8).
    expect(inputs(ofType(result, "kubernetes:core/v1:ResourceQuota")[0]).spec.hard["requests.nvidia.com/gpu"]).toBe(
      "29",
    );
    expect(result.policies.violations.filter((v) => v.level === "mandatory")).toEqual([]);
  });
});

/** Five 10-TFLOPS inference tasks with images, added to factory-a (issue 8's case). */
const FIVE_INFERENCE_TASKS = [
  "tasks:",
  ...[1, 2, 3, 4, 5].map(
    (i) =>
      `  - { name: infer-${i}, compute: 10, storage: 10, bandwidth: 5, maxLatency: 100, cost: 1, priority: 2, image: "ghcr.io/acme/infer:1", port: 8080 }`,
  ),
  "",
].join("\n");

function factoryWithFiveTasks(catalogEdit: (text: string) => string = (t) => t): Record<string, string> {
  const stack = editedFactoryStack((text) =>
    text.replace(
      "    - catalogs/vla-tasks.yaml\n",
      "    - catalogs/vla-tasks.yaml\n    - catalogs/five-inference.yaml\n",
    ),
  );
  const catalog = repoFile("catalogs/sites/factory-a.yaml");
  return {
    "stacks/Pulumi.factory-a.yaml": stack,
    "catalogs/five-inference.yaml": FIVE_INFERENCE_TASKS,
    "catalogs/sites/factory-a.yaml": catalogEdit(catalog),
  };
}

describe("factory-a plus five 10-TFLOPS inference tasks (issue 8): the plan is what the cluster can run", () => {
  /** Each edge Deployment's machine (from its affinity) and GPU request, as Kubernetes would read them. */
  function edgePods(result: PreviewResult): Array<{ task: string; machine: string; units: number }> {
    return ofType(result, TYPE.deployment).map((r) => {
      const d = inputs(r);
      const [field] =
        d.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]
          .matchFields;
      expect(field).toMatchObject({ key: "metadata.name", operator: "In" });
      expect(field.values).toHaveLength(1);
      return {
        task: d.metadata.annotations["tierplan/task"],
        machine: field.values[0],
        units: Number(d.spec.template.spec.containers[0].resources.limits["nvidia.com/gpu"]),
      };
    });
  }

  it("with two whole GPUs, at most two of them go to the edge and every edge pod fits the machine", async () => {
    const result = await runPreview("factory-a", { root: tempRoot(factoryWithFiveTasks()) });
    const inference = result.plan.placements.filter((p) => /^infer-\d$/.test(p.task));
    expect(inference).toHaveLength(5); // all placed: the rest on cloud
    const pods = edgePods(result);
    expect(pods.filter((p) => /^infer-/.test(p.task)).length).toBeLessThanOrEqual(2);
    // The edge has one machine of 2 units: the GPU pods on it request at most 2 together.
    expect(pods.every((p) => p.machine === "edge-gpu-0")).toBe(true);
    expect(pods.reduce((sum, p) => sum + p.units, 0)).toBeLessThanOrEqual(2);
    expect(pods.every((p) => p.units === 1)).toBe(true);
    expect(inputs(ofType(result, "kubernetes:core/v1:ResourceQuota")[0]).spec.hard["requests.nvidia.com/gpu"]).toBe(
      "2",
    );
    expect(inference.filter((p) => p.kind === "cloud").length).toBeGreaterThanOrEqual(3);
    expect(result.warnings).toEqual([]);
    expect(result.policies.violations.filter((v) => v.level === "mandatory")).toEqual([]);
  });

  it("with the GPUs time-sliced in four, all five go to the edge, and still fit", async () => {
    const root = tempRoot(
      factoryWithFiveTasks((text) => {
        const edited = text.replace(
          "gpus: 2, gpuTflops: 50, storage: 1000",
          "gpus: 2, gpuTflops: 50, gpuSlices: 4, storage: 1000",
        );
        if (edited === text) throw new Error("catalogs/sites/factory-a.yaml: its machine changed; update the test");
        return edited;
      }),
    );
    const result = await runPreview("factory-a", { root });
    const pods = edgePods(result);
    expect(
      pods
        .map((p) => p.task)
        .filter((t) => /^infer-/.test(t))
        .sort(),
    ).toEqual(["infer-1", "infer-2", "infer-3", "infer-4", "infer-5"]);
    // 8 units of 12.5 TFLOPS: a 10-TFLOPS task takes one, six tasks take six.
    expect(pods.every((p) => p.machine === "edge-gpu-0" && p.units === 1)).toBe(true);
    expect(pods.reduce((sum, p) => sum + p.units, 0)).toBeLessThanOrEqual(8);
    expect(inputs(ofType(result, "kubernetes:core/v1:ResourceQuota")[0]).spec.hard["requests.nvidia.com/gpu"]).toBe(
      "8",
    );
    expect(result.warnings).toEqual([]);
    expect(result.policies.violations.filter((v) => v.level === "mandatory")).toEqual([]);
  });
});

describe("fleet-x (a site only in a temporary root): tasks bound to robots on cloud", () => {
  const c: Case = { stack: "fleet-x", root: fleetRoot };

  it("tells each robot its cloud task's <private ip>:<port> and its edge task's service", async () => {
    const result = await previewOf(c);
    const kinds = Object.fromEntries(result.plan.placements.map((p) => [p.task, p.kind]));
    expect(kinds).toMatchObject({
      "planner@bot-1": "cloud",
      "planner@Bot_2": "cloud",
      "detector@Bot_2": "edge",
      "map-server": "cloud",
      reporter: "cloud",
    });
    expect(result.plan.placements.filter((p) => p.pinned).map((p) => p.task)).toEqual(["map-server"]);
    expect(result.plan.violations).toEqual([]);
    const docs = robotDocuments(result);
    const remote: Json[] = byTask(docs.get("Bot_2")!.doc.remote);
    expect(remote.map((r: Json) => r.task)).toEqual(["detector@Bot_2", "planner@Bot_2"]);
    // The two planners share a host: each is published on a host port of its own.
    expect(remote[1].endpoint).toMatch(/^10\.\d{1,3}\.\d{1,3}\.\d{1,3}:2000[01]$/);
    expect(remote[0].endpoint).toMatch(/\.tierplan-fleet-x\.svc\.cluster\.local:9200$/);
    // Two robots, two planners: one instance, two addresses.
    const other = docs.get("bot-1")!.doc.remote.find((r: Json) => r.kind === "cloud").endpoint;
    expect(other).not.toBe(remote[1].endpoint);
    expect(other.split(":")[0]).toBe(remote[1].endpoint.split(":")[0]);
    expect(docs.get("Bot_2")!.doc.services).toEqual([
      { task: "map-server", tier: "cloud", kind: "cloud", endpoint: expect.stringMatching(/:7000$/) },
    ]);
  });

  it("packs the two 150-TFLOPS planners onto one g6.12xlarge, two L4 GPUs each; the rest keep hosts of their own", async () => {
    const result = await previewOf(c);
    expect(result.outputs.instanceTypes).toEqual({
      "planner@bot-1": "g6.12xlarge",
      "planner@Bot_2": "g6.12xlarge",
      "map-server": "g6.xlarge",
      reporter: "c7i.2xlarge",
    });
    expect(result.outputs.cloudHosts).toEqual([
      {
        host: "cloud-p2-0",
        instanceType: "g6.12xlarge",
        pricePerHour: 4.6016,
        tasks: ["planner@bot-1", "planner@Bot_2"],
      },
      { host: "map-server", instanceType: "g6.xlarge", pricePerHour: 0.8048, tasks: ["map-server"] },
      { host: "reporter", instanceType: "c7i.2xlarge", pricePerHour: 0.357, tasks: ["reporter"] },
    ]);
    // Before packing: four instances, 2 × 4.6016 + 0.8048 + 0.357.
    expect(result.outputs.cost).toMatchObject({
      cloudInstances: 3,
      cloudTasks: 4,
      cloudInstancesPerHour: 5.7634,
      oneInstancePerTaskPerHour: 10.365,
      cloudPackedOptimally: true,
    });
    const host = cloudHostOf(result, "planner@bot-1");
    expect(host.shared).toBe(true);
    expect(inputs(host.instance).rootBlockDevice.volumeSize).toBe(rootVolumeGb(100));
    // Each planner's container gets two GPUs of its own, 24 of the 48 vCPUs and 96 of the 192 GiB.
    const runs = (inputs(host.instance).userData as string).split("\n").filter((l) => l.startsWith("docker run"));
    expect(runs).toHaveLength(2);
    expect(runs[0]).toContain(`--cpus 24 --memory 98304m --gpus '"device=0,1"' -p 20000:9100`);
    expect(runs[1]).toContain(`--cpus 24 --memory 98304m --gpus '"device=2,3"' -p 20001:9100`);
    expect(host.record).toMatchObject({
      host: "cloud-p2-0",
      instanceType: "g6.12xlarge",
      tasks: [
        { task: "planner@bot-1", port: 9100, hostPort: 20000, gpus: [0, 1] },
        { task: "planner@Bot_2", port: 9100, hostPort: 20001, gpus: [2, 3] },
      ],
    });
  });
});

describe("secrets in the stack file", () => {
  it("never reach the result: not the secure value, not the placeholder", async () => {
    const secret = `v1:tierplan-test-secret-${randomBytes(12).toString("hex")}`;
    const root = tempRoot({
      "stacks/Pulumi.factory-a.yaml": editedFactoryStack((text) => text.replace(/secure: .*/, `secure: ${secret}`)),
    });
    expect(readFileSync(join(root, "stacks/Pulumi.factory-a.yaml"), "utf8")).toContain(secret);
    const result = await runPreview("factory-a", { root });
    expect(result.resources.length).toBeGreaterThan(0);
    const provider = ofType(result, TYPE.k8sProvider);
    expect(provider.map((p) => inputs(p).kubeconfig)).toEqual(["[secret]"]);
    const json = JSON.stringify(result);
    expect(json).not.toContain(secret);
    expect(json).not.toContain(secret.slice(3));
    expect(json).not.toContain(SECRET_PLACEHOLDER);
    for (const part of [result.resources, result.outputs, result.warnings]) {
      expect(JSON.stringify(part)).not.toContain(secret.slice(3));
      expect(JSON.stringify(part)).not.toContain(SECRET_PLACEHOLDER);
    }
  });

  it("a kubeconfig given in plain text is still shown only as [secret]", async () => {
    const token = `token-${randomBytes(12).toString("hex")}`;
    const kubeconfig = `apiVersion: v1\\nkind: Config\\nusers: [{name: k3s, user: {token: ${token}}}]`;
    const root = tempRoot({
      "stacks/Pulumi.factory-a.yaml": editedFactoryStack((text) =>
        text.replace(/tierplan:kubeconfig:\n\s+secure: .*/, `tierplan:kubeconfig: "${kubeconfig}"`),
      ),
    });
    const result = await runPreview("factory-a", { root });
    expect(ofType(result, TYPE.k8sProvider).map((p) => inputs(p).kubeconfig)).toEqual(["[secret]"]);
    expect(JSON.stringify(result)).not.toContain(token);
  });
});

describe("invalid stack configuration", () => {
  async function rejection(stack: string, root: string): Promise<CatalogError> {
    let caught: unknown;
    try {
      await runPreview(stack, { root });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CatalogError);
    return caught as CatalogError;
  }

  it("missing tierplan:network names the stack file and the key", async () => {
    const root = tempRoot({
      "stacks/Pulumi.factory-a.yaml": editedFactoryStack((text) =>
        text.replace(/ {2}tierplan:network:\n( {4}.*\n)+/, ""),
      ),
    });
    const error = await rejection("factory-a", root);
    expect(error.issues).toContainEqual(
      expect.objectContaining({ file: "stacks/Pulumi.factory-a.yaml", path: ["tierplan:network"] }),
    );
    expect(error.message).toContain("stacks/Pulumi.factory-a.yaml");
    expect(error.message).toContain("tierplan:network");
  });

  it("a misspelt key in tierplan:edge suggests the right one", async () => {
    const root = tempRoot({
      "stacks/Pulumi.factory-a.yaml": editedFactoryStack((text) =>
        text.replace("    mode: existing", "    mdoe: existing"),
      ),
    });
    const error = await rejection("factory-a", root);
    expect(error.message).toContain("stacks/Pulumi.factory-a.yaml");
    expect(error.message).toMatch(/'mdoe'.*did you mean 'mode'/);
  });

  it("mode existing without a kubeconfig says how to set it as a secret", async () => {
    const root = tempRoot({
      "stacks/Pulumi.factory-a.yaml": editedFactoryStack((text) =>
        text.replace(/ {2}tierplan:kubeconfig:\n\s+secure: .*\n/, ""),
      ),
    });
    const error = await rejection("factory-a", root);
    expect(error.issues).toContainEqual(
      expect.objectContaining({ file: "stacks/Pulumi.factory-a.yaml", path: ["tierplan:kubeconfig"] }),
    );
    expect(error.message).toContain("pulumi config set --secret");
  });

  it("tierplan:edge.gpuTflops that disagrees with the catalog's machines is refused, saying what they say", async () => {
    const root = tempRoot({
      "stacks/Pulumi.factory-a.yaml": editedFactoryStack((text) =>
        text.replace("    mode: existing", "    mode: existing\n    gpuTflops: 40"),
      ),
    });
    const error = await rejection("factory-a", root);
    expect(error.issues).toContainEqual(
      expect.objectContaining({ file: "stacks/Pulumi.factory-a.yaml", path: ["tierplan:edge", "gpuTflops"] }),
    );
    expect(error.message).toContain("edge/edge-gpu-0: 50 TFLOPS a unit");
  });

  it("a gpuTflops that agrees with every machine is accepted, and changes nothing", async () => {
    const root = tempRoot({
      "stacks/Pulumi.factory-a.yaml": editedFactoryStack((text) =>
        text.replace("    mode: existing", "    mode: existing\n    gpuTflops: 50"),
      ),
    });
    const result = await runPreview("factory-a", { root });
    expect(JSON.stringify(result.resources)).toBe(
      JSON.stringify((await previewOf({ stack: "factory-a", root: () => REPO })).resources),
    );
  });

  it("EKS keys that restate machine facts are refused where they disagree: gpuSlices, nodeInstanceType, minNodes", async () => {
    const stack = repoFile("stacks/Pulumi.warehouse-east.yaml");
    const edited = (keys: string) => {
      const text = stack.replace('      version: "1.33"', `${keys}\n      version: "1.33"`);
      if (text === stack) throw new Error("stacks/Pulumi.warehouse-east.yaml changed shape; update the test");
      return text;
    };
    const error = await rejection(
      "warehouse-east",
      tempRoot({
        "stacks/Pulumi.warehouse-east.yaml": edited(
          "      gpuSlices: 4\n      nodeInstanceType: g5.12xlarge\n      minNodes: 5",
        ),
      }),
    );
    const byKey = (key: string) =>
      error.issues.filter(
        (i) => i.file === "stacks/Pulumi.warehouse-east.yaml" && i.path.join(".") === `tierplan:edge.eks.${key}`,
      );
    expect(byKey("gpuSlices")).toHaveLength(1);
    expect(byKey("gpuSlices")[0].message).toMatch(/edge\/g5-sliced: gpuSlices 8; edge\/g5-whole: gpuSlices 1/);
    expect(byKey("nodeInstanceType").length).toBeGreaterThan(0);
    expect(byKey("nodeInstanceType")[0].message).toMatch(/g5\.12xlarge has 4 GPUs.*here g5\.xlarge/);
    expect(byKey("minNodes")).toHaveLength(1);
    expect(byKey("minNodes")[0].message).toContain("4 of them");
    // Keys that agree with every machine are accepted.
    const agreeing = await runPreview("warehouse-east", {
      root: tempRoot({
        "stacks/Pulumi.warehouse-east.yaml": edited("      nodeInstanceType: g5.xlarge\n      minNodes: 4"),
      }),
    });
    expect(ofType(agreeing, TYPE.nodeGroup)).toHaveLength(4);
  });

  it("a machine whose planned pods' CPU requests exceed its node type is refused before any resource exists", async () => {
    const stack = repoFile("stacks/Pulumi.warehouse-east.yaml");
    const root = tempRoot({ "stacks/Pulumi.warehouse-east.yaml": stack.replace("    cpu: 250m", '    cpu: "1"') });
    const error = await rejection("warehouse-east", root);
    expect(error.issues[0]).toMatchObject({
      file: "stacks/Pulumi.warehouse-east.yaml",
      path: ["tierplan:edge", "cpu"],
    });
    expect(error.message).toMatch(/machine edge\/g5-sliced-\d .* is a g5\.xlarge node .* > 3\.5 allocatable vCPU/);
  });

  it("a catalog that plans another site than the stack's is refused", async () => {
    const root = tempRoot({ "stacks/Pulumi.factory-b.yaml": repoFile("stacks/Pulumi.factory-a.yaml") });
    const error = await rejection("factory-b", root);
    expect(error.message).toContain("stacks/Pulumi.factory-b.yaml");
    expect(error.message).toContain("'factory-a'");
    expect(error.message).toContain("'factory-b'");
  });

  it("an unknown stack names the stack file it looked for", async () => {
    const error = await rejection("no-such-site", tempRoot());
    expect(error.message).toContain(join("stacks", "Pulumi.no-such-site.yaml"));
  });

  it("catalog paths are read from the root given, not the repository", async () => {
    const root = tempRoot({ "catalogs/sites/factory-a.yaml": null });
    const error = await rejection("factory-a", root);
    expect(error.message).toContain(join("catalogs", "sites", "factory-a.yaml"));
    expect(error.message).toMatch(/no such file/);
  });

  it("a preview after the failed ones still equals the first", async () => {
    const c: Case = { stack: "factory-a", root: () => REPO };
    const first = await previewOf(c);
    const again = await runPreview("factory-a");
    expect(JSON.stringify(again.resources)).toBe(JSON.stringify(first.resources));
  });
});

/** Kubernetes' validation of object names and label values (k8s.io/apimachinery validation.go). */
function kubernetesNameProblems(result: PreviewResult): string[] {
  const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
  const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/; // Service names
  const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
  const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
  const problems: string[] = [];
  for (const r of result.resources.filter((x) => x.type.startsWith("kubernetes:"))) {
    const body = inputs(r);
    const name: string = body.metadata.name;
    const [pattern, max] = r.type.endsWith(":Service")
      ? [DNS1035_LABEL, 63]
      : r.type.endsWith(":Namespace")
        ? [DNS1123_LABEL, 63]
        : [DNS1123_SUBDOMAIN, 253];
    if (!pattern.test(name) || name.length > max) problems.push(`${r.type} ${r.name}: name '${name}'`);
    const labelSets = [
      body.metadata.labels,
      body.spec?.selector?.matchLabels,
      body.spec?.template?.metadata?.labels,
      r.type.endsWith(":Service") ? body.spec?.selector : undefined,
    ];
    for (const labels of labelSets.filter(Boolean)) {
      for (const [key, value] of Object.entries(labels as Record<string, string>)) {
        if (!LABEL_VALUE.test(value) || value.length > 63)
          problems.push(`${r.type} ${r.name}: label ${key}='${value}' (${value.length} characters)`);
      }
    }
  }
  return problems;
}

describe("what Kubernetes accepts", () => {
  it("every object name and label value of the example stacks is valid", async () => {
    for (const stack of EXAMPLES)
      expect(kubernetesNameProblems(await previewOf({ stack, root: () => REPO })), stack).toEqual([]);
  });

  // fleet-x's task '3d-mapper' needs a Service name starting with a letter (DNS-1035), and its
  // 57-character task an instance label cut to 63 characters.
  it("a shared cloud host's record ConfigMap validates against the Kubernetes API schema (kubernetes-models)", async () => {
    const result = await previewOf({ stack: "fleet-x", root: fleetRoot });
    const records = ofType(result, TYPE.configMap).filter(
      (r) => inputs(r).metadata.labels?.["tierplan/record"] === "cloud-host",
    );
    expect(records).toHaveLength(1);
    const { ConfigMap } = createRequire(__filename)("kubernetes-models/v1/ConfigMap") as {
      ConfigMap: new (data: object) => { validate(): void };
    };
    for (const r of records) expect(() => new ConfigMap(inputs(r)).validate()).not.toThrow();
    expect(() => new ConfigMap({ ...inputs(records[0]), data: { "host.json": 1 } }).validate()).toThrow();
  });

  it("every object name and label value is valid for catalog names Kubernetes cannot take as they are", async () => {
    const result = await previewOf({ stack: "fleet-x", root: fleetRoot });
    expect(
      result.plan.placements.filter((p) => p.task === "3d-mapper" || p.task === LONG_TASK).map((p) => p.kind),
    ).toEqual(["edge", "edge"]);
    expect(kubernetesNameProblems(result)).toEqual([]);
  });
});

describe("what AWS and the instances accept", () => {
  // AWS accepts only a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$* in security group and rule
  // descriptions (EC2 CreateSecurityGroup / IpRange.Description); "site's" and "task's" are refused.
  const AWS_DESCRIPTION = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]{0,255}$/;
  it("security group and rule descriptions use only the characters AWS accepts", async () => {
    for (const c of CASES) {
      const result = await previewOf(c);
      for (const group of ofType(result, TYPE.securityGroup)) {
        const g = inputs(group);
        const descriptions = [
          g.description,
          ...g.ingress.map((r: Json) => r.description),
          ...g.egress.map((r: Json) => r.description),
        ];
        for (const d of descriptions) expect(d, `${c.stack} ${group.name}`).toMatch(AWS_DESCRIPTION);
      }
    }
  });

  // `docker run --gpus all` fails on an instance without GPUs, such as the c7i.2xlarge a task of
  // at most 0.8 TFLOPS gets; on a GPU type the task must get the GPUs.
  it("a cloud task is started with --gpus exactly when its instance type has GPUs", async () => {
    const result = await previewOf({ stack: "fleet-x", root: fleetRoot });
    const instances = ofType(result, TYPE.instance).map(inputs);
    const gpusOf = (i: Json) => INSTANCE_TYPES.find((t) => t.name === i.instanceType)!.gpus;
    expect(instances.filter((i) => gpusOf(i) === 0).map((i) => i.tags["tierplan/task"])).toEqual(["reporter"]);
    for (const instance of instances) {
      expect(instance.userData).toContain("docker run");
      expect(instance.userData.includes("--gpus"), instance.tags["tierplan/task"]).toBe(gpusOf(instance) > 0);
    }
  });
});
