import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { EGRESS_BANDWIDTH_ANNOTATION, FACT_KEYS, NODE_LABELS, NODE_NAME_FIELD, placementFacts } from "../plan/facts";
import type { EnvironmentRecord, Placement } from "../plan/schema";
import { k8sName, k8sServiceName } from "../plan/names";
import { bandwidthAnnotation, containerResources, machineUnits, namespaceQuota, type EdgeSizing } from "./edgeSizing";
import { DEFAULT_PORT, siteLabels } from "./shared";

export interface EdgeTierArgs {
  /** The site (stack): names the namespace's default and labels every object. */
  site: string;
  /** Namespace that holds the site's workloads, quota, robot configs and plan record. */
  namespace: string;
  /** Provider of the edge cluster: from a kubeconfig secret, or the EKS cluster tierplan built. */
  provider: k8s.Provider;
  /** The edge tiers as the plan saw them, with their capacities. */
  environments: EnvironmentRecord[];
  /** The edge-placed tasks, one Deployment and Service each. */
  placements: Placement[];
  /** Every priority level of the catalog, one PriorityClass each. */
  priorities: number[];
  /** Reserve of the objective: the quota is the usable share of capacity. */
  reserve: number;
  /** How TFLOPS, GB and Mbps become requests. */
  sizing: EdgeSizing;
  /**
   * How a pod placed on a machine (docs/contract.md §5) is pinned to it: `node-name` on an existing
   * cluster, whose node is named by the machine id; `node-label` on the EKS cluster tierplan
   * builds, whose node group for the machine labels its one node with the id.
   */
  machineSteering: MachineSteering;
  /** Hash of the plan, written on every workload. */
  planHash: string;
}

export interface EdgeWorkload {
  task: string;
  deployment: k8s.apps.v1.Deployment;
  service: k8s.core.v1.Service;
  /** `<service>.<namespace>.svc.cluster.local:<port>`, what robots are told to call. */
  endpoint: string;
}

/** Node label that says which edge tier a node belongs to, when a site's cluster holds several. */
const EDGE_TIER_NODE_LABEL = NODE_LABELS.edgeTier;

export type MachineSteering = "node-name" | "node-label";

/**
 * The required node affinity that pins a pod to its planned machine: the scheduler may put it on
 * that one node or nowhere, so it cannot fragment the plan's packing.
 */
export function machineAffinity(machine: string, steering: MachineSteering) {
  const requirement = { operator: "In", values: [machine] };
  const term =
    steering === "node-name"
      ? { matchFields: [{ key: NODE_NAME_FIELD, ...requirement }] }
      : { matchExpressions: [{ key: NODE_LABELS.machine, ...requirement }] };
  return { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term] } } };
}

/** Kubernetes priority for a catalog priority level: higher levels preempt lower ones. */
export function priorityValue(level: number): number {
  return Math.min(1_000_000_000, 1000 * level);
}

export function priorityClassName(site: string, level: number): string {
  return k8sName(`tierplan-${site}-p${level}`);
}

/**
 * The edge tier on a site's cluster: a namespace, a ResourceQuota equal to the usable capacity of
 * its edge tiers, a PriorityClass per catalog priority level, and a Deployment and Service per
 * edge-placed task whose requests derive from its demands.
 */
export class EdgeTier extends pulumi.ComponentResource {
  readonly namespace: k8s.core.v1.Namespace;
  readonly workloads: EdgeWorkload[];

  constructor(name: string, args: EdgeTierArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tierplan:edge:EdgeTier", name, {}, opts);
    const { site, sizing } = args;
    const childOpts = { parent: this, provider: args.provider };
    const labels = siteLabels(site);
    this.namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      { metadata: { name: args.namespace, labels } },
      childOpts,
    );
    const namespace = this.namespace.metadata.name;
    const nsOpts = { ...childOpts, dependsOn: [this.namespace] };

    // Every quota in a namespace applies to every pod in it, so the namespace gets one quota: the
    // usable capacity of all its edge tiers together (the machines' units, for tiers that list
    // them); pods keep to their tier by node selector, or to their machine by node affinity.
    const hard = namespaceQuota(args.environments, args.reserve, sizing);
    if (args.environments.length > 0) {
      new k8s.core.v1.ResourceQuota(
        `${name}-quota`,
        {
          metadata: {
            name: "tierplan-edge",
            namespace,
            labels,
            annotations: {
              "tierplan/tiers": args.environments.map((e) => e.name).join(","),
              "tierplan/reserve": String(args.reserve),
              "tierplan/capacity": JSON.stringify(
                args.environments.map((e) => ({
                  tier: e.name,
                  compute: e.compute,
                  storage: e.storage,
                  bandwidth: e.bandwidth,
                  ...(e.machines &&
                    e.machines.length > 0 && { machines: e.machines.map((m) => m.id), units: machineUnits(e) }),
                })),
              ),
            },
          },
          spec: { hard },
        },
        nsOpts,
      );
    }
    const selectTier = args.environments.length > 1;
    const priorityClasses = args.priorities.map(
      (level) =>
        new k8s.scheduling.v1.PriorityClass(
          `${name}-p${level}`,
          {
            metadata: { name: priorityClassName(site, level), labels },
            value: priorityValue(level),
            preemptionPolicy: "PreemptLowerPriority",
            description: `tierplan ${site}: catalog priority ${level}`,
          },
          childOpts,
        ),
    );
    // Pods naming a PriorityClass that does not exist yet are rejected.
    const workloadOpts = { ...childOpts, dependsOn: [this.namespace, ...priorityClasses] };

    this.workloads = args.placements.map((placement) => {
      const app = k8sServiceName(placement.task);
      const selector = {
        "app.kubernetes.io/name": app,
        "app.kubernetes.io/instance": k8sName(`${site}-${placement.task}`),
      };
      const annotations = placementFacts(site, placement, args.planHash);
      const port = placement.port ?? DEFAULT_PORT;
      const resources = containerResources(placement, sizing);
      const gpuResource = Object.keys(resources.limits)[0];
      const deployment = new k8s.apps.v1.Deployment(
        `${name}-${placement.task}`,
        {
          metadata: {
            name: app,
            namespace,
            labels: { ...labels, ...selector, [FACT_KEYS.tier]: k8sName(placement.tier) },
            annotations,
          },
          spec: {
            replicas: 1,
            // A rolling update would need a second GPU share while the old pod still holds one.
            strategy: { type: gpuResource !== undefined ? "Recreate" : "RollingUpdate" },
            selector: { matchLabels: selector },
            template: {
              // The placement facts stay on the Deployment: here they would roll the pod on every re-plan.
              metadata: {
                labels: { ...labels, ...selector },
                ...(placement.bandwidth > 0 && {
                  annotations: { [EGRESS_BANDWIDTH_ANNOTATION]: bandwidthAnnotation(placement.bandwidth) },
                }),
              },
              spec: {
                priorityClassName: priorityClassName(site, placement.priority),
                containers: [
                  {
                    name: "task",
                    image: placement.image!,
                    ports: [{ name: "serve", containerPort: port }],
                    env: [
                      { name: "TIERPLAN_TASK", value: placement.task },
                      { name: "TIERPLAN_SITE", value: site },
                    ],
                    resources,
                  },
                ],
                // On a machine the node is named (or labelled) by the plan; elsewhere the tier's label picks the nodes.
                ...(placement.machine !== undefined
                  ? { affinity: machineAffinity(placement.machine, args.machineSteering) }
                  : selectTier && { nodeSelector: { [EDGE_TIER_NODE_LABEL]: k8sName(placement.tier) } }),
                ...(gpuResource !== undefined && {
                  tolerations: [{ key: gpuResource, operator: "Exists", effect: "NoSchedule" }],
                }),
              },
            },
          },
        },
        workloadOpts,
      );
      const service = new k8s.core.v1.Service(
        `${name}-${placement.task}-svc`,
        {
          metadata: {
            name: app,
            namespace,
            labels: { ...labels, ...selector },
            annotations: { [FACT_KEYS.task]: placement.task },
          },
          spec: { selector, ports: [{ name: "serve", port, targetPort: port }] },
        },
        nsOpts,
      );
      return {
        task: placement.task,
        deployment,
        service,
        endpoint: `${app}.${args.namespace}.svc.cluster.local:${port}`,
      };
    });
    this.registerOutputs({ namespace, deployments: this.workloads.map((w) => w.task) });
  }
}
