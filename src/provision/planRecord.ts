import { gzipSync } from "node:zlib";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { canonicalPlan, type Plan } from "../plan";
import { siteLabels } from "./edge";

/** Label value that marks the plan record among the site's ConfigMaps. */
export const PLAN_RECORD_LABEL = { key: "tierplan/record", value: "plan" } as const;
export const PLAN_RECORD_NAME = "tierplan-plan";

/** ConfigMaps hold at most 1 MiB; larger plans (big fleets) are stored gzipped. */
const PLAIN_LIMIT_BYTES = 900_000;

export interface PlanRecordArgs {
  site: string;
  plan: Plan;
  planHash: string;
  namespace: pulumi.Input<string>;
  provider: k8s.Provider;
}

/**
 * ConfigMap data of a plan record: `plan.json`, or `plan.json.gz` (base64 in binaryData) when too
 * large. The solve time is left out so that `pulumi preview` and `pulumi up` write the same record.
 */
export function planRecordData(plan: Plan): { data?: Record<string, string>; binaryData?: Record<string, string> } {
  const json = JSON.stringify(canonicalPlan(plan));
  if (Buffer.byteLength(json) <= PLAIN_LIMIT_BYTES) return { data: { "plan.json": json } };
  return { binaryData: { "plan.json.gz": gzipSync(json, { level: 9 }).toString("base64") } };
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
          annotations: { "tierplan/managed-by": "tierplan", "tierplan/site": args.site, "tierplan/plan-hash": args.planHash },
        },
        ...planRecordData(args.plan),
      },
      { parent: this, provider: args.provider },
    );
    this.registerOutputs({ planHash: args.planHash });
  }
}
