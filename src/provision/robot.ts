import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { placementFacts, RECORD_KEYS, RECORD_KINDS } from "../plan/facts";
import type { Placement } from "../plan/schema";
import { siteLabels } from "./shared";
import { k8sName } from "../plan/names";

/** Schema id of the robot config document; robots' agents check it before reading further. */
const ROBOT_CONFIG_SCHEMA = "tierplan.dev/robot-config/v1";

/** Annotation holding the placement facts of the tasks a robot runs (a JSON list of fact maps), for the policy pack. */
const ROBOT_PLACEMENTS_ANNOTATION = RECORD_KEYS.robotPlacements;

/** A task somewhere else the robot talks to, with the address to reach it. */
export interface RemoteTask {
  task: string;
  tier: string;
  kind: "cloud" | "edge" | "robot";
  endpoint: pulumi.Input<string>;
}

export interface RobotConfigArgs {
  site: string;
  /** The robot: a fleet robot or a shared tier of kind robot. */
  robot: string;
  /** Tasks placed on this robot. */
  local: Placement[];
  /** Tasks bound to this robot but placed on cloud or edge, with their endpoints. */
  remote: RemoteTask[];
  /** The site's serving tasks (those with a catalog `port`) on cloud or edge, with their endpoints. */
  services: RemoteTask[];
  /** Namespace the robot's agent reads its ConfigMap from. */
  namespace: pulumi.Input<string>;
  provider: k8s.Provider;
  /** Also publish the document as an SSM parameter `/tierplan/<site>/robots/<robot>/config`. */
  ssm: boolean;
  planHash: string;
}

/** The document as a robot's agent reads it; `version` changes exactly when the plan does. */
export interface RobotConfigDocument {
  schema: typeof ROBOT_CONFIG_SCHEMA;
  site: string;
  robot: string;
  version: string;
  tasks: Array<{
    task: string;
    source: string;
    image: string | null;
    priority: number;
    maxLatencyMs: number;
    predictedLatencyMs: number;
    budget: { compute: number; storage: number; bandwidth: number };
  }>;
  remote: Array<{ task: string; tier: string; kind: string; endpoint: string }>;
  services: Array<{ task: string; tier: string; kind: string; endpoint: string }>;
}

/**
 * One robot's configuration: the tasks it runs (image and resource budget) and the endpoints of
 * the tasks it coordinates with elsewhere, as a ConfigMap in the site namespace and optionally an
 * SSM parameter.
 */
export class RobotConfig extends pulumi.ComponentResource {
  readonly configMap: k8s.core.v1.ConfigMap;
  readonly document: pulumi.Output<RobotConfigDocument>;

  constructor(name: string, args: RobotConfigArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tierplan:robot:RobotConfig", name, {}, opts);
    const resolve = (list: RemoteTask[]) =>
      pulumi.all(
        list.map((r) =>
          pulumi.output(r.endpoint).apply((endpoint) => ({ task: r.task, tier: r.tier, kind: r.kind, endpoint })),
        ),
      );
    this.document = pulumi.all([resolve(args.remote), resolve(args.services)]).apply(
      ([remote, services]): RobotConfigDocument => ({
        schema: ROBOT_CONFIG_SCHEMA,
        site: args.site,
        robot: args.robot,
        version: args.planHash,
        tasks: args.local.map((p) => ({
          task: p.task,
          source: p.source,
          image: p.image ?? null,
          priority: p.priority,
          maxLatencyMs: p.maxLatency,
          predictedLatencyMs: p.latencyMs,
          budget: { compute: p.compute, storage: p.storage, bandwidth: p.bandwidth },
        })),
        remote,
        services,
      }),
    );
    const json = this.document.apply((doc) => JSON.stringify(doc, null, 2));
    // The same string facts as a Deployment's annotations, one map per local task.
    const facts = args.local.map((p) => placementFacts(args.site, p, args.planHash));
    this.configMap = new k8s.core.v1.ConfigMap(
      `${name}-config`,
      {
        metadata: {
          name: k8sName(args.robot, "tierplan-robot-"),
          namespace: args.namespace,
          labels: {
            ...siteLabels(args.site),
            [RECORD_KEYS.record]: RECORD_KINDS.robotConfig,
            [RECORD_KEYS.robot]: k8sName(args.robot),
          },
          annotations: {
            "tierplan/managed-by": "tierplan",
            "tierplan/site": args.site,
            [RECORD_KEYS.robot]: args.robot,
            "tierplan/plan-hash": args.planHash,
            [ROBOT_PLACEMENTS_ANNOTATION]: JSON.stringify(facts),
          },
        },
        data: { "config.json": json },
      },
      { parent: this, provider: args.provider },
    );
    if (args.ssm) {
      new aws.ssm.Parameter(
        `${name}-ssm`,
        {
          name: `/tierplan/${ssmSegment(args.site)}/robots/${ssmSegment(args.robot)}/config`,
          type: "String",
          tier: "Intelligent-Tiering",
          value: json,
          description: `tierplan robot config of ${args.robot} (${args.site})`,
          tags: {
            "tierplan/managed-by": "tierplan",
            "tierplan/site": tagValue(args.site),
            "tierplan/robot": tagValue(args.robot),
            "tierplan/plan-hash": args.planHash,
          },
        },
        { parent: this },
      );
    }
    this.registerOutputs({ document: this.document });
  }
}

/** SSM parameter names allow a-zA-Z0-9_.- in each path segment; catalog names may hold more. */
function ssmSegment(name: string): string {
  return name.replace(/[^a-zA-Z0-9_.-]/g, "_");
}

/** AWS tag values allow letters, digits, spaces and + - = . _ : / @. */
function tagValue(value: string): string {
  return value.replace(/[^\p{L}\p{N}\s+\-=._:/@]/gu, "_");
}
