import type { EnvironmentRecord, Placement } from "../plan/types";

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

/** GPU units for a compute demand: whole units, none for a task that needs no compute. */
export function gpuUnits(compute: number, gpuTflops: number): number {
  return compute > 0 ? Math.ceil(compute / gpuTflops - 1e-9) : 0;
}

/** Storage in the decimal gigabytes the catalog uses, as a Kubernetes quantity. */
export function storageQuantity(gb: number): string {
  return `${Math.ceil(gb * 1000)}M`;
}

export interface ContainerResources {
  requests: Record<string, string>;
  limits: Record<string, string>;
}

/** Requests (and, for GPUs, the equal limits Kubernetes demands) of a placement's container. */
export function containerResources(placement: Pick<Placement, "compute" | "storage">, sizing: EdgeSizing): ContainerResources {
  const requests: Record<string, string> = { cpu: sizing.cpu, memory: sizing.memory };
  const limits: Record<string, string> = {};
  const units = gpuUnits(placement.compute, sizing.gpuTflops);
  if (units > 0) {
    requests[sizing.gpuResource] = String(units);
    limits[sizing.gpuResource] = String(units);
  }
  if (placement.storage > 0) requests["ephemeral-storage"] = storageQuantity(placement.storage);
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
  const usable = (x: number) => (1 - reserve) * x;
  return {
    [`requests.${sizing.gpuResource}`]: String(Math.ceil(usable(env.compute) / sizing.gpuTflops - 1e-9)),
    "requests.ephemeral-storage": storageQuantity(usable(env.storage)),
  };
}

/** One namespace's quota for several edge tiers: the sum of their quotaHard, unit by unit. */
export function namespaceQuota(envs: readonly EnvironmentRecord[], reserve: number, sizing: EdgeSizing): Record<string, string> {
  const gpus = envs.reduce((sum, env) => sum + Number(quotaHard(env, reserve, sizing)[`requests.${sizing.gpuResource}`]), 0);
  const storage = envs.reduce((sum, env) => sum + (1 - reserve) * env.storage, 0);
  return { [`requests.${sizing.gpuResource}`]: String(gpus), "requests.ephemeral-storage": storageQuantity(storage) };
}

/**
 * GPU units the edge placements request beyond the quota, because each rounds up on its own;
 * 0 when they fit. Worth a warning: Kubernetes would refuse the pods beyond it.
 */
export function quotaShortfall(placements: readonly Pick<Placement, "compute">[], env: EnvironmentRecord, reserve: number, sizing: EdgeSizing): number {
  const requested = placements.reduce((sum, p) => sum + gpuUnits(p.compute, sizing.gpuTflops), 0);
  return Math.max(0, requested - Number(quotaHard(env, reserve, sizing)[`requests.${sizing.gpuResource}`]));
}

/** Nodes of an EKS node group for the edge placements: enough GPU units, at least `minNodes`. */
export function eksNodeCount(placements: readonly Pick<Placement, "compute">[], unitsPerNode: number, sizing: EdgeSizing, minNodes: number): number {
  const units = placements.reduce((sum, p) => sum + gpuUnits(p.compute, sizing.gpuTflops), 0);
  return Math.max(minNodes, Math.ceil(units / Math.max(1, unitsPerNode)));
}
