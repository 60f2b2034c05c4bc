import { gzipSync } from "node:zlib";
import { unitsNeeded } from "../../../src/model/machines";
import {
  EGRESS_BANDWIDTH_ANNOTATION,
  EPHEMERAL_STORAGE_RESOURCE,
  FACT_KEYS,
  GPU_RESOURCE,
  HOST_KEYS,
  HOST_RECORD_KIND,
  MANAGED_BY,
  NODE_LABELS,
  NODE_NAME_FIELD,
  placementFacts,
  RECORD_KEYS,
  type PlanRecordInputs,
} from "../../../src/plan/facts";
import type { Machine } from "../../../src/model";
import type { EnvironmentRecord, Move, Placement, Plan, Unplaced } from "../../../src/plan/schema";
import { k8sName } from "../../../src/plan/names";
import type { ResourceView } from "../../rules";
import { CONFIG_MAP, DEPLOYMENT, INSTANCE } from "../../rules/resources";

/**
 * Hand-built stack validation args: the resources CrossGuard hands a stack policy, written the way
 * the program writes them (its fact writer `placementFacts`, its node labels, its GPU resource,
 * whole GPU units by the contract's `unitsNeeded`), so the specs read what the program writes.
 */

const SITE = "site-x";
const HASH = "0123456789abcdef";
/** TFLOPS of one GPU unit on an edge tier without machines, as the fixtures' plan records say. */
const UNIT_TFLOPS = 50;

export type EnvFixture = EnvironmentRecord;
export type PlacementFixture = Placement;

export function env(name: string, kind: EnvironmentRecord["kind"], caps: Partial<EnvFixture> = {}): EnvFixture {
  return {
    name,
    kind,
    fleetRobot: kind === "robot",
    compute: 100,
    storage: 1000,
    bandwidth: 100,
    latency: 10,
    costPerHour: 1,
    ...caps,
  };
}

/** A machine as the plan record lists it (docs/contract.md §5). */
export function machine(
  id: string,
  shape: { gpus: number; gpuTflops: number; gpuSlices?: number; storage: number },
): Machine {
  const slices = shape.gpuSlices ?? 1;
  return {
    id,
    shape: id.replace(/-\d+$/, ""),
    gpus: shape.gpus,
    gpuTflops: shape.gpuTflops,
    gpuSlices: slices,
    units: shape.gpus * slices,
    unitTflops: shape.gpuTflops / slices,
    storage: shape.storage,
  };
}

export function placement(
  task: string,
  tier: string,
  kind: Placement["kind"],
  extra: Partial<PlacementFixture> = {},
): PlacementFixture {
  return {
    task,
    tier,
    kind,
    source: task,
    latencyMs: 5,
    cost: 1,
    score: 6,
    priority: 1,
    maxLatency: 50,
    compute: 1,
    storage: 1,
    bandwidth: 1,
    ...extra,
  };
}

/** The string facts a workload carries for `p`. */
export function facts(p: Placement): Record<string, string> {
  return placementFacts(SITE, p, HASH);
}

export function instance(
  p: Placement,
  opts: {
    name?: string;
    instanceType?: string;
    volumeSize?: unknown;
    urn?: string;
    tags?: Record<string, unknown>;
  } = {},
): ResourceView {
  const name = opts.name ?? `cloud-${p.task}`;
  return {
    type: INSTANCE,
    name,
    ...(opts.urn !== undefined && { urn: opts.urn }),
    props: {
      instanceType: opts.instanceType ?? "g6.xlarge",
      rootBlockDevice: { volumeSize: "volumeSize" in opts ? opts.volumeSize : 100, volumeType: "gp3", encrypted: true },
      tags: opts.tags ?? { ...facts(p), Name: `tierplan-${SITE}-${p.task}` },
    },
  };
}

/**
 * A cloud host shared by several tasks, as cloud packing writes it: an instance tagged with its
 * host id and the facts its tasks share, and a host record ConfigMap listing the tasks' facts.
 */
export function sharedHost(
  host: string,
  tasks: Placement[],
  opts: { instanceType?: string; volumeSize?: unknown } = {},
): [ResourceView, ResourceView] {
  const shared = {
    [FACT_KEYS.managedBy]: MANAGED_BY,
    [FACT_KEYS.site]: SITE,
    [FACT_KEYS.tier]: tasks[0].tier,
    [FACT_KEYS.kind]: "cloud",
    [FACT_KEYS.planHash]: HASH,
  };
  const hostTags = { [HOST_KEYS.host]: host, [HOST_KEYS.hostTasks]: String(tasks.length) };
  const inst: ResourceView = {
    type: INSTANCE,
    name: `cloud-host-${host}`,
    props: {
      instanceType: opts.instanceType ?? "c7i.2xlarge",
      rootBlockDevice: { volumeSize: "volumeSize" in opts ? opts.volumeSize : 100 },
      tags: { ...shared, ...hostTags },
    },
  };
  const record: ResourceView = {
    type: CONFIG_MAP,
    name: `cloud-host-${host}-record`,
    props: {
      metadata: {
        name: `tierplan-cloud-${host}`,
        labels: { [RECORD_KEYS.record]: HOST_RECORD_KIND },
        annotations: {
          [FACT_KEYS.managedBy]: MANAGED_BY,
          ...hostTags,
          [HOST_KEYS.hostPlacements]: JSON.stringify(tasks.map(facts)),
        },
      },
      data: { "host.json": "{}" },
    },
  };
  return [inst, record];
}

export interface DeploymentOptions {
  name?: string;
  urn?: string;
  annotations?: Record<string, unknown>;
  replicas?: unknown;
  /** GPU units per pod; default what the task needs of `unitTflops`. */
  units?: number;
  unitTflops?: number;
  /** The container's `resources`, replacing the computed one. */
  resources?: Record<string, unknown>;
  nodeSelector?: Record<string, string>;
  /** A required node affinity to this machine: by node name (existing cluster) or by the machine label (EKS). */
  machine?: { id: string; by: "name" | "label" };
}

/** A Deployment as the program writes it: whole GPU units, storage in MB, the bandwidth annotation, steering when asked. */
export function deployment(p: PlacementFixture, opts: DeploymentOptions = {}): ResourceView {
  const name = opts.name ?? `edge-${p.task}`;
  const units = opts.units ?? p.gpuUnits ?? unitsNeeded(p.compute, opts.unitTflops ?? UNIT_TFLOPS);
  const requests: Record<string, string> = { cpu: "1", memory: "2Gi" };
  const limits: Record<string, string> = {};
  if (units > 0) requests[GPU_RESOURCE] = limits[GPU_RESOURCE] = String(units);
  if (p.storage > 0) requests[EPHEMERAL_STORAGE_RESOURCE] = `${Math.ceil(p.storage * 1000)}M`;
  const machineId = opts.machine?.id ?? p.machine;
  const by = opts.machine?.by ?? "name";
  const affinity =
    machineId === undefined
      ? undefined
      : {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                by === "name"
                  ? { matchFields: [{ key: NODE_NAME_FIELD, operator: "In", values: [machineId] }] }
                  : { matchExpressions: [{ key: NODE_LABELS.machine, operator: "In", values: [machineId] }] },
              ],
            },
          },
        };
  return {
    type: DEPLOYMENT,
    name,
    ...(opts.urn !== undefined && { urn: opts.urn }),
    props: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: k8sName(p.task), annotations: opts.annotations ?? facts(p) },
      spec: {
        replicas: "replicas" in opts ? opts.replicas : 1,
        template: {
          metadata: {
            ...(p.bandwidth > 0 && { annotations: { [EGRESS_BANDWIDTH_ANNOTATION]: `${Math.ceil(p.bandwidth)}M` } }),
          },
          spec: {
            containers: [
              { name: "task", image: "img", resources: opts.resources ?? { requests, ...(units > 0 && { limits }) } },
            ],
            ...(opts.nodeSelector && { nodeSelector: opts.nodeSelector }),
            ...(affinity && { affinity }),
          },
        },
      },
    },
  };
}

/** The nodeSelector the program writes for an edge tier of a site with several. */
export function tierSelector(tier: string): Record<string, string> {
  return { [NODE_LABELS.edgeTier]: k8sName(tier) };
}

export function robotConfig(
  robot: string,
  local: Placement[],
  opts: { raw?: string; urn?: string } = {},
): ResourceView {
  const placements = opts.raw ?? JSON.stringify(local.map(facts));
  return {
    type: CONFIG_MAP,
    name: `robot-${robot}-config`,
    ...(opts.urn !== undefined && { urn: opts.urn }),
    props: {
      metadata: {
        name: `tierplan-robot-${robot}`,
        labels: { "tierplan/record": "robot-config", "tierplan/robot": robot },
        annotations: {
          "tierplan/managed-by": "tierplan",
          "tierplan/robot": robot,
          "tierplan/robot-placements": placements,
        },
      },
      data: { "config.json": "{}" },
    },
  };
}

/** A plan with just what policies read; the rest is filled in plausibly. */
export function plan(parts: {
  environments: EnvFixture[];
  placements?: PlacementFixture[];
  unplaced?: Unplaced[];
  reserve?: number;
  moves?: Move[];
}): Plan {
  return {
    site: SITE,
    placements: parts.placements ?? [],
    unplaced: parts.unplaced ?? [],
    violations: [],
    moves: parts.moves ?? [],
    objective: {
      latencyMs: 0,
      cost: 0,
      score: 0,
      placedByPriority: [],
      moves: parts.moves?.length ?? 0,
      preset: "balanced",
      weights: { latency: 1, cost: 1 },
      reserve: parts.reserve ?? 0,
    },
    utilization: [],
    recommendations: [],
    solver: { algorithm: "auto", optimal: true, gap: 0, ms: 0, method: "milp", bound: 0, countsProven: true, work: {} },
    environments: parts.environments,
  };
}

/** The planning inputs a record carries: each placed task's specification, with extra fields per task. */
export function inputsOf(
  p: Plan,
  extra: Record<string, Partial<PlanRecordInputs["tasks"][number]>> = {},
): PlanRecordInputs {
  return {
    tasks: p.placements.map((x) => ({
      name: x.task,
      source: x.source,
      ...(x.robot !== undefined && { robot: x.robot }),
      compute: x.compute,
      storage: x.storage,
      bandwidth: x.bandwidth,
      maxLatency: x.maxLatency,
      cost: 0,
      priority: x.priority,
      ...(x.pinned && { pin: x.tier }),
      ...extra[x.task],
    })),
    gpuTflops: UNIT_TFLOPS,
  };
}

/** The plan record ConfigMap of `p`, with its planning inputs (default: those of its placements; false: none). */
export function planRecord(
  p: Plan,
  opts: { gzip?: boolean; urn?: string; inputs?: PlanRecordInputs | false } = {},
): ResourceView {
  const inputs = opts.inputs === undefined ? inputsOf(p) : opts.inputs;
  const json = JSON.stringify({ ...p, ...(inputs && { inputs }) });
  return planRecordRaw(
    opts.gzip ? { binaryData: { "plan.json.gz": gzipSync(json).toString("base64") } } : { data: { "plan.json": json } },
    opts.urn,
  );
}

/** A plan record ConfigMap with the given `data` / `binaryData`, as written or corrupted. */
export function planRecordRaw(
  content: { data?: Record<string, unknown>; binaryData?: Record<string, unknown> },
  urn?: string,
): ResourceView {
  return {
    type: CONFIG_MAP,
    name: "plan-record",
    ...(urn !== undefined && { urn }),
    props: {
      metadata: {
        name: "tierplan-plan",
        labels: { "tierplan/record": "plan" },
        annotations: { "tierplan/managed-by": "tierplan" },
      },
      ...content,
    },
  };
}

/** The resources of a site as the program provisions them: a workload per placement and the plan record. */
export function site(
  environments: EnvFixture[],
  placements: PlacementFixture[],
  opts: { reserve?: number; inputs?: PlanRecordInputs | false; gzip?: boolean } = {},
): ResourceView[] {
  const out: ResourceView[] = [];
  const several = environments.filter((e) => e.kind === "edge").length > 1;
  for (const p of placements) {
    if (p.kind === "cloud")
      out.push(instance(p, { instanceType: "p5.48xlarge", volumeSize: Math.max(100, p.storage + 60) }));
    else if (p.kind === "edge") {
      const tier = environments.find((e) => e.name === p.tier);
      const unitTflops = p.machine ? tier?.machines?.find((m) => m.id === p.machine)?.unitTflops : undefined;
      out.push(
        deployment(p, {
          ...(several && !p.machine && { nodeSelector: tierSelector(p.tier) }),
          ...(unitTflops !== undefined && { unitTflops }),
        }),
      );
    }
  }
  const robots = [...new Set(placements.filter((p) => p.kind === "robot").map((p) => p.tier))];
  for (const robot of robots)
    out.push(
      robotConfig(
        robot,
        placements.filter((p) => p.tier === robot),
      ),
    );
  const record = plan({ environments, placements, reserve: opts.reserve ?? 0 });
  out.push(
    planRecord(record, { ...(opts.inputs !== undefined && { inputs: opts.inputs }), ...(opts.gzip && { gzip: true }) }),
  );
  return out;
}

/** `type name`, how a rule names a resource that has no URN (the offline preview). */
export function labelOf(r: ResourceView): string {
  return r.urn ?? `${r.type} ${r.name}`;
}

/** The resource of a given name, for editing in a test. */
export function named(resources: ResourceView[], name: string): ResourceView {
  const found = resources.find((r) => r.name === name);
  if (!found) throw new Error(`no resource ${name}: ${resources.map((r) => r.name).join(", ")}`);
  return found;
}
