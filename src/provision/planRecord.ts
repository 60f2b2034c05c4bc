import { gzipSync } from "node:zlib";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PlanningInput } from "../catalog/schema";
import { buildProblem } from "../model";
import { canonicalPlan, type Plan } from "../plan";
import {
  FACT_KEYS,
  MANAGED_BY,
  PLAN_RECORD_DATA,
  RECORD_KEYS,
  RECORD_KINDS,
  type PlanRecordInputs,
} from "../plan/facts";
import { siteLabels } from "./shared";

/** Label value that marks the plan record among the site's ConfigMaps. */
const PLAN_RECORD_LABEL = { key: RECORD_KEYS.record, value: RECORD_KINDS.plan } as const;
const PLAN_RECORD_NAME = "tierplan-plan";

/** ConfigMaps hold at most 1 MiB; larger plans (big fleets) are stored gzipped. */
const PLAIN_LIMIT_BYTES = 900_000;

export interface PlanRecordArgs {
  site: string;
  plan: Plan;
  planHash: string;
  namespace: pulumi.Input<string>;
  provider: k8s.Provider;
  /** The planning input the plan was made from: its tasks go into the record for the policies. */
  input?: PlanningInput;
  /** TFLOPS of one GPU unit on edge tiers without machines (the edge sizing). */
  gpuTflops?: number;
}

/** What the record carries of the planning input: every task as the planner saw it. */
export function planRecordInputs(input: PlanningInput, gpuTflops?: number): PlanRecordInputs {
  return {
    tasks: buildProblem(input).tasks.map((t) => ({
      name: t.name,
      source: t.source,
      ...(t.robot !== undefined && { robot: t.robot }),
      compute: t.compute,
      storage: t.storage,
      bandwidth: t.bandwidth,
      maxLatency: t.maxLatency,
      cost: t.cost,
      priority: t.priority,
      ...(t.allowedTiers && { allowedTiers: [...t.allowedTiers] }),
      ...(t.pin !== undefined && { pin: t.pin }),
    })),
    ...(gpuTflops !== undefined && { gpuTflops }),
  };
}

/**
 * ConfigMap data of a plan record: `plan.json`, or `plan.json.gz` (base64 in binaryData) when too
 * large. The solve time is left out so that `pulumi preview` and `pulumi up` write the same record.
 * With `inputs`, the record also carries the planning input the policies re-check the plan against.
 */
export function planRecordData(
  plan: Plan,
  inputs?: PlanRecordInputs,
): { data?: Record<string, string>; binaryData?: Record<string, string> } {
  const json = JSON.stringify({ ...canonicalPlan(plan), ...(inputs && { inputs }) });
  if (Buffer.byteLength(json) <= PLAIN_LIMIT_BYTES) return { data: { [PLAN_RECORD_DATA.plain]: json } };
  return { binaryData: { [PLAN_RECORD_DATA.gzipped]: gzipSync(json, { level: 9 }).toString("base64") } };
}

/** The whole plan as a resource of its own, known at preview, for operators, robots and policies. */
export class PlanRecord extends pulumi.ComponentResource {
  readonly configMap: k8s.core.v1.ConfigMap;

  constructor(name: string, args: PlanRecordArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tierplan:plan:PlanRecord", name, {}, opts);
    this.configMap = new k8s.core.v1.ConfigMap(
      `${name}-record`,
      {
        metadata: {
          name: PLAN_RECORD_NAME,
          namespace: args.namespace,
          labels: { ...siteLabels(args.site), [PLAN_RECORD_LABEL.key]: PLAN_RECORD_LABEL.value },
          annotations: {
            [FACT_KEYS.managedBy]: MANAGED_BY,
            [FACT_KEYS.site]: args.site,
            [FACT_KEYS.planHash]: args.planHash,
          },
        },
        ...planRecordData(args.plan, args.input && planRecordInputs(args.input, args.gpuTflops)),
      },
      { parent: this, provider: args.provider },
    );
    this.registerOutputs({ planHash: args.planHash });
  }
}
