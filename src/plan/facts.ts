import type { Placement } from "./schema";

/**
 * Placement facts written on every workload tierplan provisions (EC2 tags, Kubernetes
 * annotations, robot config labels) as plain strings, so the policy pack can read them during
 * `pulumi preview`, when computed outputs are still unknown. One key set for AWS and Kubernetes:
 * `tierplan/<fact>` is a valid AWS tag key and a valid Kubernetes annotation key.
 */
export const FACT_KEYS = {
  managedBy: "tierplan/managed-by",
  site: "tierplan/site",
  task: "tierplan/task",
  source: "tierplan/source-task",
  tier: "tierplan/tier",
  kind: "tierplan/kind",
  priority: "tierplan/priority",
  latencyMs: "tierplan/latency-ms",
  maxLatencyMs: "tierplan/max-latency-ms",
  compute: "tierplan/compute-tflops",
  storage: "tierplan/storage-gb",
  bandwidth: "tierplan/bandwidth-mbps",
  pinned: "tierplan/pinned",
  planHash: "tierplan/plan-hash",
} as const;

export const MANAGED_BY = "tierplan";

/** Facts of a placement as string tags/annotations. Numbers keep full precision. */
export function placementFacts(site: string, placement: Placement, planHash: string): Record<string, string> {
  return {
    [FACT_KEYS.managedBy]: MANAGED_BY,
    [FACT_KEYS.site]: site,
    [FACT_KEYS.task]: placement.task,
    [FACT_KEYS.source]: placement.source,
    [FACT_KEYS.tier]: placement.tier,
    [FACT_KEYS.kind]: placement.kind,
    [FACT_KEYS.priority]: String(placement.priority),
    [FACT_KEYS.latencyMs]: String(placement.latencyMs),
    [FACT_KEYS.maxLatencyMs]: String(placement.maxLatency),
    [FACT_KEYS.compute]: String(placement.compute),
    [FACT_KEYS.storage]: String(placement.storage),
    [FACT_KEYS.bandwidth]: String(placement.bandwidth),
    [FACT_KEYS.pinned]: String(Boolean(placement.pinned)),
    [FACT_KEYS.planHash]: planHash,
  };
}

/**
 * Node labels tierplan steers pods with, and that the policies read back: one home for both
 * (docs/pulumi.md). Every node of an edge tier carries `edgeTier`; a node of a tier with
 * machines also carries `machine` (on an existing cluster its name is the machine id too).
 */
export const NODE_LABELS = {
  edgeTier: "tierplan.dev/edge-tier",
  machine: "tierplan.dev/machine",
} as const;

/** The node field a required node affinity matches to pin a pod to one named node. */
export const NODE_NAME_FIELD = "metadata.name";

/** Extended resource of one GPU unit (a whole GPU, or one time-slice of it; docs/contract.md §5). */
export const GPU_RESOURCE = "nvidia.com/gpu";

/**
 * Labels and annotations of the site's ConfigMaps that policies find them by: the plan record and
 * one robot config per robot (`record` label), the robot's name, and the placement facts of the
 * tasks a robot runs (a JSON list of fact maps).
 */
export const RECORD_KEYS = {
  record: "tierplan/record",
  robot: "tierplan/robot",
  robotPlacements: "tierplan/robot-placements",
} as const;

/** Values of `RECORD_KEYS.record`. */
export const RECORD_KINDS = { plan: "plan", robotConfig: "robot-config" } as const;

/** Data keys of the plan record ConfigMap: plain JSON, or gzipped and base64 in binaryData when large. */
export const PLAN_RECORD_DATA = { plain: "plan.json", gzipped: "plan.json.gz" } as const;

/** Pod annotation the bandwidth CNI plugin enforces: a task's bandwidth demand on an edge tier. */
export const EGRESS_BANDWIDTH_ANNOTATION = "kubernetes.io/egress-bandwidth";

/** Container resource of local disk: a task's storage demand on an edge tier. */
export const EPHEMERAL_STORAGE_RESOURCE = "ephemeral-storage";

/**
 * The planning inputs the plan record carries besides the plan (`inputs` next to the plan's own
 * fields), so that policies re-check placements against what was asked, not against what the
 * planner concluded: every task as the planner saw it (per-robot copies expanded).
 */
export interface PlanRecordInputs {
  tasks: Array<{
    name: string;
    source: string;
    robot?: string;
    compute: number;
    storage: number;
    bandwidth: number;
    maxLatency: number;
    cost: number;
    priority: number;
    allowedTiers?: string[];
    pin?: string;
  }>;
  /** TFLOPS of one GPU unit on an edge tier without machines (tierplan:edge sizing). */
  gpuTflops?: number;
}

/**
 * Node label of an EKS node of a machine (docs/contract.md §5) that says how many time-slices its GPUs
 * are shared in: the NVIDIA device plugin with that `replicas` runs only on nodes so labelled, so
 * machines of different gpuSlices share one cluster. Written by provisioning; no policy reads it.
 */
export const GPU_SLICES_NODE_LABEL = "tierplan.dev/gpu-slices";

/**
 * Cloud hosts (docs/pulumi.md, "Cloud packing"): an EC2 instance runs one or more cloud-placed
 * tasks. Tags of every tierplan instance: `host` (the host id), `hostTasks` (how many tasks it
 * runs), `pricePerHour` (its on-demand USD price from the instance table) and
 * `provisionedCostPerHour` (the site's: every instance and EKS node tierplan provisions). A host
 * of one task also carries that task's placement facts (FACT_KEYS); the tasks of a shared host are
 * listed, one fact map each, in the `hostPlacements` annotation of its host record ConfigMap
 * (`RECORD_KEYS.record` = HOST_RECORD_KIND), as robot configs list theirs.
 */
export const HOST_KEYS = {
  host: "tierplan/host",
  hostTasks: "tierplan/host-tasks",
  hostPlacements: "tierplan/host-placements",
  pricePerHour: "tierplan/price-per-hour",
  provisionedCostPerHour: "tierplan/provisioned-cost-per-hour",
} as const;

/** `tierplan/record` value of a shared cloud host's record ConfigMap. */
export const HOST_RECORD_KIND = "cloud-host";
