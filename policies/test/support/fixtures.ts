import { gzipSync } from "node:zlib";
import { placementFacts } from "../../../src/plan/facts";
import type { EnvironmentRecord, Placement, Plan, Unplaced } from "../../../src/plan/types";
import type { ResourceView } from "../../rules";
import { CONFIG_MAP, DEPLOYMENT, INSTANCE } from "../../rules/resources";

/**
 * Hand-built stack validation args: the resources CrossGuard hands a stack policy, built with the
 * program's own fact writer (`placementFacts`), so the specs read what the program writes.
 */

export const SITE = "site-x";
export const HASH = "0123456789abcdef";

export function env(name: string, kind: EnvironmentRecord["kind"], caps: Partial<EnvironmentRecord> = {}): EnvironmentRecord {
  return { name, kind, fleetRobot: kind === "robot", compute: 100, storage: 1000, bandwidth: 100, latency: 10, costPerHour: 1, ...caps };
}

export function placement(task: string, tier: string, kind: Placement["kind"], extra: Partial<Placement> = {}): Placement {
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

export function instance(p: Placement, opts: { name?: string; instanceType?: string; volumeSize?: unknown; urn?: string; tags?: Record<string, unknown> } = {}): ResourceView {
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

export function deployment(p: Placement, opts: { name?: string; urn?: string; annotations?: Record<string, unknown> } = {}): ResourceView {
  const name = opts.name ?? `edge-${p.task}`;
  return {
    type: DEPLOYMENT,
    name,
    ...(opts.urn !== undefined && { urn: opts.urn }),
    props: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: p.task, annotations: opts.annotations ?? facts(p) }, spec: { replicas: 1 } },
  };
}

export function robotConfig(robot: string, local: Placement[], opts: { raw?: string; urn?: string } = {}): ResourceView {
  const placements = opts.raw ?? JSON.stringify(local.map(facts));
  return {
    type: CONFIG_MAP,
    name: `robot-${robot}-config`,
    ...(opts.urn !== undefined && { urn: opts.urn }),
    props: {
      metadata: {
        name: `tierplan-robot-${robot}`,
        labels: { "tierplan/record": "robot-config", "tierplan/robot": robot },
        annotations: { "tierplan/managed-by": "tierplan", "tierplan/robot-placements": placements },
      },
      data: { "config.json": "{}" },
    },
  };
}

/** A plan with just what policies read; the rest is filled in plausibly. */
export function plan(parts: { environments: EnvironmentRecord[]; placements?: Placement[]; unplaced?: Unplaced[]; reserve?: number }): Plan {
  return {
    site: SITE,
    placements: parts.placements ?? [],
    unplaced: parts.unplaced ?? [],
    violations: [],
    objective: { latencyMs: 0, cost: 0, score: 0, placedByPriority: [], preset: "balanced", weights: { latency: 1, cost: 1 }, reserve: parts.reserve ?? 0 },
    utilization: [],
    recommendations: [],
    solver: { algorithm: "auto", optimal: true, gap: 0, ms: 0, method: "milp", bound: 0, countsProven: true, work: {} },
    environments: parts.environments,
  };
}

export function planRecord(p: Plan, opts: { gzip?: boolean; urn?: string } = {}): ResourceView {
  const json = JSON.stringify(p);
  return planRecordRaw(opts.gzip ? { binaryData: { "plan.json.gz": gzipSync(json).toString("base64") } } : { data: { "plan.json": json } }, opts.urn);
}

/** A plan record ConfigMap with the given `data` / `binaryData`, as written or corrupted. */
export function planRecordRaw(content: { data?: Record<string, unknown>; binaryData?: Record<string, unknown> }, urn?: string): ResourceView {
  return {
    type: CONFIG_MAP,
    name: "plan-record",
    ...(urn !== undefined && { urn }),
    props: {
      metadata: { name: "tierplan-plan", labels: { "tierplan/record": "plan" }, annotations: { "tierplan/managed-by": "tierplan" } },
      ...content,
    },
  };
}

/** `type name`, how a rule names a resource that has no URN (the offline preview). */
export function labelOf(r: ResourceView): string {
  return r.urn ?? `${r.type} ${r.name}`;
}
