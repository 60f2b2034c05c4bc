import { usable } from "../model/formulas";
import type { Machine } from "../model/machines";
import { EPHEMERAL_STORAGE_RESOURCE, GPU_RESOURCE } from "../plan/facts";
import type { EnvironmentRecord, Placement } from "../plan/schema";
import { INSTANCE_TYPES, type InstanceType } from "../model/instanceTypes";

/**
 * How an edge placement's demands become Kubernetes resource requests. Kubernetes counts GPUs in
 * whole units of an extended resource (`nvidia.com/gpu`), so compute in TFLOPS becomes
 * ceil(compute / gpuTflops) units; a unit is a whole GPU, or a time-slice of one when the NVIDIA
 * device plugin shares GPUs (then gpuTflops is the GPU's TFLOPS divided by its replicas).
 * Storage becomes ephemeral-storage in GB; bandwidth has no request in Kubernetes and becomes the
 * pod's `kubernetes.io/egress-bandwidth` annotation, which the bandwidth CNI plugin enforces.
 */
export interface EdgeSizing {
  gpuTflops: number;
  gpuResource: string;
  cpu: string;
  memory: string;
}

/**
 * Slack for floating-point error in derived quantities (TFLOPS per unit, vCPU, GiB): 30 / 10 may
 * land on 3.0000000000000004, which must still be 3 units, and a sum of requests on a hair over
 * what it equals.
 */
const FLOAT_SLACK = 1e-9;

/** GPU units for a compute demand: whole units, none for a task that needs no compute. */
export function gpuUnits(compute: number, gpuTflops: number): number {
  return compute > 0 ? Math.ceil(compute / gpuTflops - FLOAT_SLACK) : 0;
}

/** Storage in the decimal gigabytes the catalog uses, as a Kubernetes quantity. */
function storageQuantity(gb: number): string {
  return `${Math.ceil(gb * 1000)}M`;
}

export interface ContainerResources {
  requests: Record<string, string>;
  limits: Record<string, string>;
}

/**
 * Requests (and, for GPUs, the equal limits Kubernetes demands) of a placement's container. A
 * placement on a machine (docs/contract.md §5) requests exactly its `gpuUnits` of nvidia.com/gpu, the
 * units the plan packed it by; any other edge placement rounds its compute up to units of
 * `sizing.gpuTflops`.
 */
export function containerResources(
  placement: Pick<Placement, "compute" | "storage" | "gpuUnits" | "machine">,
  sizing: EdgeSizing,
): ContainerResources {
  const requests: Record<string, string> = { cpu: sizing.cpu, memory: sizing.memory };
  const limits: Record<string, string> = {};
  const onMachine = placement.machine !== undefined;
  const units = onMachine ? (placement.gpuUnits ?? 0) : gpuUnits(placement.compute, sizing.gpuTflops);
  const resource = onMachine ? GPU_RESOURCE : sizing.gpuResource;
  if (units > 0) {
    requests[resource] = String(units);
    limits[resource] = String(units);
  }
  if (placement.storage > 0) requests[EPHEMERAL_STORAGE_RESOURCE] = storageQuantity(placement.storage);
  return { requests, limits };
}

/** Pod annotation value for a bandwidth demand in Mbps. */
export function bandwidthAnnotation(mbps: number): string {
  return `${Math.ceil(mbps)}M`;
}

/**
 * ResourceQuota `hard` for an edge tier: its usable capacity, (1 − reserve) × capacity, in the
 * units of containerResources. GPU units round up, since a partial unit cannot be requested.
 */
export function quotaHard(env: EnvironmentRecord, reserve: number, sizing: EdgeSizing): Record<string, string> {
  return {
    [`requests.${sizing.gpuResource}`]: String(
      Math.ceil(usable(env, "compute", reserve) / sizing.gpuTflops - FLOAT_SLACK),
    ),
    "requests.ephemeral-storage": storageQuantity(usable(env, "storage", reserve)),
  };
}

/** GPU units a tier with machines grants: the sum of its machines' `gpus * gpuSlices` (docs/contract.md §5). */
export function machineUnits(env: Pick<EnvironmentRecord, "machines">): number {
  return (env.machines ?? []).reduce((sum, m) => sum + m.units, 0);
}

/**
 * One namespace's quota for several edge tiers, resource by resource: a tier with machines adds
 * its machines' units (no reserve: the plan packs whole units onto each machine), a tier without
 * adds its quotaHard; ephemeral storage is the usable storage of all of them.
 */
export function namespaceQuota(
  envs: readonly EnvironmentRecord[],
  reserve: number,
  sizing: EdgeSizing,
): Record<string, string> {
  const units = new Map<string, number>();
  const add = (resource: string, n: number) => units.set(resource, (units.get(resource) ?? 0) + n);
  for (const env of envs) {
    if (env.machines && env.machines.length > 0) add(GPU_RESOURCE, machineUnits(env));
    else add(sizing.gpuResource, Number(quotaHard(env, reserve, sizing)[`requests.${sizing.gpuResource}`]));
  }
  const storage = envs.reduce((sum, env) => sum + usable(env, "storage", reserve), 0);
  return {
    ...Object.fromEntries([...units].map(([resource, n]) => [`requests.${resource}`, String(n)])),
    "requests.ephemeral-storage": storageQuantity(storage),
  };
}

/**
 * GPU units the placements on a tier without machines request beyond its quota, because each
 * rounds up on its own; 0 when they fit. (A tier with machines cannot fall short: the plan packs
 * whole units onto its machines.)
 */
export function quotaShortfall(
  placements: readonly Pick<Placement, "compute">[],
  env: EnvironmentRecord,
  reserve: number,
  sizing: EdgeSizing,
): number {
  if (env.machines && env.machines.length > 0) return 0;
  const requested = placements.reduce((sum, p) => sum + gpuUnits(p.compute, sizing.gpuTflops), 0);
  return Math.max(0, requested - Number(quotaHard(env, reserve, sizing)[`requests.${sizing.gpuResource}`]));
}

/** A Kubernetes quantity ("500m", "2Gi", "1.5", "4G") as a plain number of its base unit. */
export function parseQuantity(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity);
  if (!match) return NaN;
  const factor: Record<string, number> = {
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
  };
  return Number(match[1]) * (match[2] ? factor[match[2]] : 1);
}

/** What one node of the EKS node group offers pods. */
export interface NodeShape {
  /** GPU units: GPUs × time-slices. */
  units: number;
  vcpus: number;
  memoryGiB: number;
}

/** CPU and memory the kubelet, system daemons and tierplan's device plugin keep for themselves. */
const SYSTEM_CPU = 0.5;
const SYSTEM_MEMORY_GIB = 1.5;
/** Root disk beyond the pods' ephemeral storage: OS, images, logs. */
const NODE_DISK_OVERHEAD_GB = 60;
/** Smallest root disk of a GPU node: room for the NVIDIA AMI, its images and logs whatever the pods ask. */
const MIN_NODE_DISK_GB = 100;
/** Root disks grow in steps, so that a few GB more storage in the catalog does not resize (replace) the nodes. */
const NODE_DISK_STEP_GB = 50;

/** Root disk of a node whose pods keep `podStorage` GB: the system's share added, in whole steps. */
function nodeDiskGb(podStorage: number): number {
  return (
    Math.ceil(Math.max(MIN_NODE_DISK_GB, podStorage + NODE_DISK_OVERHEAD_GB) / NODE_DISK_STEP_GB) * NODE_DISK_STEP_GB
  );
}

export interface NodePlan {
  nodes: number;
  /** Root disk per node, GB, in steps of 50 so small changes in demand do not replace nodes. */
  diskGb: number;
}

/**
 * The EKS node group for the edge placements: first-fit decreasing of the pods onto nodes by GPU
 * units, CPU, memory and ephemeral storage, with at least `minNodes`. Undefined when some pod
 * fits no node at all (checked before, with a message naming the task).
 */
export function eksNodePlan(
  placements: readonly Pick<Placement, "compute" | "storage">[],
  node: NodeShape,
  sizing: EdgeSizing,
  minNodes: number,
): NodePlan | undefined {
  const cpu = parseQuantity(sizing.cpu);
  const memory = parseQuantity(sizing.memory) / 2 ** 30;
  const largestStorage = placements.reduce((max, p) => Math.max(max, p.storage), 0);
  const diskGb = nodeDiskGb(largestStorage);
  const room = {
    units: node.units,
    cpu: node.vcpus - SYSTEM_CPU,
    memory: node.memoryGiB - SYSTEM_MEMORY_GIB,
    storage: diskGb - NODE_DISK_OVERHEAD_GB,
  };
  const pods = placements
    .map((p) => ({ units: gpuUnits(p.compute, sizing.gpuTflops), storage: p.storage }))
    .sort((a, b) => b.units - a.units || b.storage - a.storage);
  const bins: Array<typeof room> = [];
  for (const pod of pods) {
    const fits = (b: typeof room) =>
      b.units >= pod.units &&
      b.cpu >= cpu - FLOAT_SLACK &&
      b.memory >= memory - FLOAT_SLACK &&
      b.storage >= pod.storage - FLOAT_SLACK;
    let bin = bins.find(fits);
    if (!bin) {
      bin = { ...room };
      if (!fits(bin)) return undefined;
      bins.push(bin);
    }
    bin.units -= pod.units;
    bin.cpu -= cpu;
    bin.memory -= memory;
    bin.storage -= pod.storage;
  }
  return { nodes: Math.max(minNodes, bins.length), diskGb };
}

/**
 * The instance types that are a machine of the catalog (docs/contract.md §5) on EKS: exactly its GPUs
 * (a node with more would advertise units the plan never counted), each GPU at least as fast as
 * the catalog says, cheapest first (ties: table order). Among `allowed` names when given.
 */
export function machineInstanceTypes(
  machine: Pick<Machine, "gpus" | "gpuTflops">,
  allowed?: readonly string[],
): InstanceType[] {
  return INSTANCE_TYPES.filter(
    (t) =>
      (!allowed || allowed.includes(t.name)) &&
      t.gpus === machine.gpus &&
      (t.gpus === 0 || t.tflops / t.gpus >= machine.gpuTflops * (1 - FLOAT_SLACK)),
  )
    .map((t, i) => ({ t, i }))
    .sort((a, b) => a.t.pricePerHour - b.t.pricePerHour || a.i - b.i)
    .map(({ t }) => t);
}

/** What the pods of one machine ask of its node besides GPU units: CPU and memory requests, ephemeral storage. */
export interface MachineLoad {
  pods: number;
  storage: number;
}

/**
 * Why a node of `type` cannot run the pods the plan puts on `machine`, or undefined when it can:
 * the CPU and memory requests of its pods within what the kubelet leaves them (storage and GPU
 * units are the plan's own checks against the machine).
 */
export function machineNodeShortfall(
  type: InstanceType,
  load: MachineLoad,
  sizing: Pick<EdgeSizing, "cpu" | "memory">,
): string | undefined {
  const cpu = load.pods * parseQuantity(sizing.cpu);
  const memory = (load.pods * parseQuantity(sizing.memory)) / 2 ** 30;
  const room = { cpu: type.vcpus - SYSTEM_CPU, memory: type.memoryGiB - SYSTEM_MEMORY_GIB };
  const over: string[] = [];
  if (cpu > room.cpu + FLOAT_SLACK)
    over.push(`${load.pods} × cpu ${sizing.cpu} = ${round3(cpu)} > ${room.cpu} allocatable vCPU`);
  if (memory > room.memory + FLOAT_SLACK)
    over.push(`${load.pods} × memory ${sizing.memory} = ${round3(memory)} GiB > ${room.memory} allocatable GiB`);
  return over.length > 0 ? over.join(", ") : undefined;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Root disk of a machine's node, GiB: its storage for pods plus the system's, in steps of NODE_DISK_STEP_GB. */
export function machineDiskGb(machine: Pick<Machine, "storage">): number {
  return nodeDiskGb(machine.storage);
}
