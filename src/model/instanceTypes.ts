/**
 * EC2 instance types tierplan chooses from for cloud-placed tasks.
 *
 * `tflops` is the vendor-published dense (no sparsity) BF16/FP16 tensor throughput of all the
 * instance's GPUs, the unit the catalog's `compute` is meant in for VLA workloads: NVIDIA L4 121,
 * A100 SXM 312, H100 SXM 989 per GPU (NVIDIA datasheets). NVIDIA publishes no A10G datasheet; the
 * A10's 125 is used. The CPU type's figure is an estimate (AVX-512 FP32 peak of its 4 physical
 * cores), since Intel publishes none per instance.
 *
 * `pricePerHour` is the on-demand Linux price in us-east-1 (USD, 2025 list prices after the
 * P4/P5 reductions); it only orders the choice, so regional differences rarely change it.
 */
export interface InstanceType {
  name: string;
  gpus: number;
  gpuModel: string | null;
  /** Dense BF16/FP16 TFLOPS of the whole instance. */
  tflops: number;
  vcpus: number;
  memoryGiB: number;
  pricePerHour: number;
}

export const INSTANCE_TYPES: readonly InstanceType[] = [
  { name: "c7i.2xlarge", gpus: 0, gpuModel: null, tflops: 0.8, vcpus: 8, memoryGiB: 16, pricePerHour: 0.357 },
  { name: "g6.xlarge", gpus: 1, gpuModel: "NVIDIA L4", tflops: 121, vcpus: 4, memoryGiB: 16, pricePerHour: 0.8048 },
  { name: "g5.xlarge", gpus: 1, gpuModel: "NVIDIA A10G", tflops: 125, vcpus: 4, memoryGiB: 16, pricePerHour: 1.006 },
  { name: "g6.12xlarge", gpus: 4, gpuModel: "NVIDIA L4", tflops: 484, vcpus: 48, memoryGiB: 192, pricePerHour: 4.6016 },
  {
    name: "g5.12xlarge",
    gpus: 4,
    gpuModel: "NVIDIA A10G",
    tflops: 500,
    vcpus: 48,
    memoryGiB: 192,
    pricePerHour: 5.672,
  },
  {
    name: "g6.48xlarge",
    gpus: 8,
    gpuModel: "NVIDIA L4",
    tflops: 968,
    vcpus: 192,
    memoryGiB: 768,
    pricePerHour: 13.3504,
  },
  {
    name: "g5.48xlarge",
    gpus: 8,
    gpuModel: "NVIDIA A10G",
    tflops: 1000,
    vcpus: 192,
    memoryGiB: 768,
    pricePerHour: 16.288,
  },
  {
    name: "p4d.24xlarge",
    gpus: 8,
    gpuModel: "NVIDIA A100 40GB",
    tflops: 2496,
    vcpus: 96,
    memoryGiB: 1152,
    pricePerHour: 21.96,
  },
  {
    name: "p5.48xlarge",
    gpus: 8,
    gpuModel: "NVIDIA H100",
    tflops: 7912,
    vcpus: 192,
    memoryGiB: 2048,
    pricePerHour: 55.04,
  },
];

/** The largest gp3 root volume EC2 allows, GiB: the storage a single instance can cover. */
export const MAX_ROOT_VOLUME_GB = 16_384;

/** Room for the OS, drivers and the container image on top of the task's storage. */
const ROOT_VOLUME_OVERHEAD_GB = 60;
const MIN_ROOT_VOLUME_GB = 100;

/** Root volume for a task's storage demand (GB), within the EBS limit. */
export function rootVolumeGb(storage: number): number {
  return Math.min(MAX_ROOT_VOLUME_GB, Math.max(MIN_ROOT_VOLUME_GB, Math.ceil(storage) + ROOT_VOLUME_OVERHEAD_GB));
}

/** Whether one instance of `type` gives the task its compute, and a root volume its storage. */
export function covers(type: InstanceType, demand: { compute: number; storage: number }): boolean {
  return type.tflops >= demand.compute && demand.storage + ROOT_VOLUME_OVERHEAD_GB <= MAX_ROOT_VOLUME_GB;
}

/**
 * The cheapest instance type that covers the demand, among `allowed` names (default: all);
 * ties go to the larger, then the first in the table. Undefined when none covers it.
 */
export function cheapestInstanceType(
  demand: { compute: number; storage: number },
  allowed?: readonly string[],
): InstanceType | undefined {
  let best: InstanceType | undefined;
  for (const type of INSTANCE_TYPES) {
    if (allowed && !allowed.includes(type.name)) continue;
    if (!covers(type, demand)) continue;
    if (
      !best ||
      type.pricePerHour < best.pricePerHour ||
      (type.pricePerHour === best.pricePerHour && type.tflops > best.tflops)
    )
      best = type;
  }
  return best;
}

export function instanceType(name: string): InstanceType | undefined {
  return INSTANCE_TYPES.find((type) => type.name === name);
}
