import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { FACT_KEYS, GPU_SLICES_NODE_LABEL, HOST_KEYS, MANAGED_BY, NODE_LABELS } from "../plan/facts";
import { instanceType } from "../model/instanceTypes";
import { k8sName } from "../plan/names";

export interface EksEdgeClusterArgs {
  /** The site the cluster serves; names the cluster `tierplan-<site>`. */
  site: string;
  /** Regional subnets in two or more Availability Zones: EKS puts no control plane in a Local Zone. */
  controlPlaneSubnetIds: string[];
  /** Local Zone or Outpost subnets of the GPU nodes. */
  subnetIds: string[];
  /** Kubernetes minor version, e.g. "1.33". */
  version: string;
  /**
   * The nodes: one managed node group of identical GPU nodes sized from the plan (`pool`, for an
   * edge tier without machines), or one node group of exactly one node per machine of the
   * catalog (`machines`, docs/contract.md §5).
   */
  nodes: { pool: NodePool } | { machines: MachineNode[] };
  /** IAM principals given cluster admin through EKS access entries. */
  adminPrincipalArns: string[];
  /** The site's provisioned cost (every instance and node tierplan makes), USD per hour: a tag of each node group. */
  provisionedCostPerHour?: number;
}

/** The node group of an edge tier without machines. */
export interface NodePool {
  /** GPU instance type of the managed node group. */
  instanceType: string;
  /** Nodes the edge-placed demand needs. */
  count: number;
  /** Root disk of each node, GiB. */
  diskGb: number;
}

/** One machine of the catalog as an EKS node: its own node group of one node. */
export interface MachineNode {
  /** Machine id: the value of the node's `tierplan.dev/machine` label. */
  id: string;
  /** The edge tier it belongs to. */
  tier: string;
  instanceType: string;
  /** Root disk, GiB: the machine's storage plus the system's. */
  diskGb: number;
  gpus: number;
  /** Time-slices per GPU: picks the device plugin that runs on the node. */
  gpuSlices: number;
}

/** Labels of a machine's node: its tier, its id and, with GPUs, its device plugin's slices. */
function machineNodeLabels(site: string, machine: MachineNode): Record<string, string> {
  return {
    [FACT_KEYS.site]: site,
    [NODE_LABELS.edgeTier]: k8sName(machine.tier),
    [NODE_LABELS.machine]: machine.id,
    ...(machine.gpus > 0 && { [GPU_SLICES_NODE_LABEL]: String(machine.gpuSlices) }),
  };
}

const managedPolicy = (name: string) => `arn:aws:iam::aws:policy/${name}`;

/**
 * An EKS cluster for a site's edge tier: control plane and managed node groups (one sized from
 * the plan, or one per machine of the catalog), plus a kubeconfig that authenticates with
 * `aws eks get-token`.
 */
export class EksEdgeCluster extends pulumi.ComponentResource {
  readonly cluster: aws.eks.Cluster;
  /** The managed node groups: the pool's one, or one per machine. */
  readonly nodeGroups: aws.eks.NodeGroup[];
  readonly nodeCount: number;
  /** Kubeconfig for the Kubernetes provider (secret: it names the cluster's endpoint and CA). */
  readonly kubeconfig: pulumi.Output<string>;

  constructor(name: string, args: EksEdgeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tierplan:edge:EksEdgeCluster", name, {}, opts);
    const tags = { [FACT_KEYS.site]: args.site, [FACT_KEYS.managedBy]: MANAGED_BY };
    const clusterRole = new aws.iam.Role(
      `${name}-role`,
      { assumeRolePolicy: assumeRole("eks.amazonaws.com"), tags },
      { parent: this },
    );
    const clusterPolicy = new aws.iam.RolePolicyAttachment(
      `${name}-role-cluster-policy`,
      { role: clusterRole.name, policyArn: managedPolicy("AmazonEKSClusterPolicy") },
      { parent: this },
    );
    this.cluster = new aws.eks.Cluster(
      `${name}-cluster`,
      {
        name: k8sName(args.site, "tierplan-"),
        roleArn: clusterRole.arn,
        version: args.version,
        vpcConfig: { subnetIds: args.controlPlaneSubnetIds, endpointPrivateAccess: true, endpointPublicAccess: true },
        accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
        tags,
      },
      { parent: this, dependsOn: [clusterPolicy] },
    );
    // Only the creating identity is admin by default; CI and operators need entries of their own.
    args.adminPrincipalArns.forEach((principalArn, i) => {
      const entry = new aws.eks.AccessEntry(
        `${name}-admin-${i}`,
        { clusterName: this.cluster.name, principalArn, tags },
        { parent: this },
      );
      new aws.eks.AccessPolicyAssociation(
        `${name}-admin-${i}-policy`,
        {
          clusterName: this.cluster.name,
          principalArn,
          policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
          accessScope: { type: "cluster" },
        },
        { parent: this, dependsOn: [entry] },
      );
    });
    const nodeRole = new aws.iam.Role(
      `${name}-node-role`,
      { assumeRolePolicy: assumeRole("ec2.amazonaws.com"), tags },
      { parent: this },
    );
    const nodePolicies = [
      "AmazonEKSWorkerNodePolicy",
      "AmazonEKS_CNI_Policy",
      "AmazonEC2ContainerRegistryReadOnly",
    ].map(
      (policy) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-node-role-${policy}`,
          { role: nodeRole.name, policyArn: managedPolicy(policy) },
          { parent: this },
        ),
    );
    const nodeGroup = (
      resourceName: string,
      group: { instanceType: string; count: number; diskGb: number; gpus: boolean; labels: Record<string, string> },
    ) =>
      new aws.eks.NodeGroup(
        resourceName,
        {
          clusterName: this.cluster.name,
          nodeRoleArn: nodeRole.arn,
          subnetIds: args.subnetIds,
          version: this.cluster.version,
          instanceTypes: [group.instanceType],
          // The NVIDIA AMI ships the driver and device plugin prerequisites for nvidia.com/gpu.
          amiType: group.gpus ? "AL2023_x86_64_NVIDIA" : "AL2023_x86_64_STANDARD",
          diskSize: group.diskGb,
          // Fixed size: no autoscaler adds a node the plan did not pack, or takes one it did.
          scalingConfig: { desiredSize: group.count, minSize: group.count, maxSize: group.count },
          labels: group.labels,
          tags: {
            ...tags,
            ...(args.provisionedCostPerHour !== undefined && {
              [HOST_KEYS.pricePerHour]: String(instanceType(group.instanceType)?.pricePerHour ?? "unknown"),
              [HOST_KEYS.provisionedCostPerHour]: String(Math.round(args.provisionedCostPerHour * 1e4) / 1e4),
            }),
          },
        },
        { parent: this, dependsOn: nodePolicies },
      );
    if ("pool" in args.nodes) {
      const pool = args.nodes.pool;
      this.nodeGroups = [
        nodeGroup(`${name}-nodes`, {
          instanceType: pool.instanceType,
          count: pool.count,
          diskGb: pool.diskGb,
          gpus: true,
          labels: { [FACT_KEYS.site]: args.site },
        }),
      ];
      this.nodeCount = pool.count;
    } else {
      // One node group of one node per machine: the node's labels name the machine the plan packed,
      // so each pod's required affinity admits exactly one node.
      this.nodeGroups = args.nodes.machines.map((m) =>
        nodeGroup(`${name}-machine-${m.id}`, {
          instanceType: m.instanceType,
          count: 1,
          diskGb: m.diskGb,
          gpus: m.gpus > 0,
          labels: machineNodeLabels(args.site, m),
        }),
      );
      this.nodeCount = args.nodes.machines.length;
    }
    this.kubeconfig = pulumi.secret(
      pulumi
        .all([this.cluster.name, this.cluster.endpoint, this.cluster.certificateAuthority.data, this.cluster.arn])
        // The region comes from the cluster's ARN, not the ambient AWS CLI settings.
        .apply(([clusterName, endpoint, ca, arn]) => kubeconfigFor(clusterName, endpoint, ca, arn.split(":")[3])),
    );
    this.registerOutputs({ clusterName: this.cluster.name, nodeCount: this.nodeCount });
  }
}

function assumeRole(service: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
  });
}

/** A kubeconfig that gets its token from the AWS CLI, as `aws eks update-kubeconfig` writes it. */
export function kubeconfigFor(
  clusterName: string,
  endpoint: string,
  certificateAuthority: string,
  region: string,
): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      { name: clusterName, cluster: { server: endpoint, "certificate-authority-data": certificateAuthority } },
    ],
    contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
    "current-context": clusterName,
    users: [
      {
        name: clusterName,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: ["eks", "get-token", "--cluster-name", clusterName, "--region", region, "--output", "json"],
          },
        },
      },
    ],
  });
}

export interface GpuDevicePluginArgs {
  /** Provider of the EKS cluster. */
  provider: k8s.Provider;
  /** Extended resource the plugin advertises, e.g. nvidia.com/gpu. */
  resource: string;
  /** Time-slices per GPU; 1 advertises whole GPUs. */
  slices: number;
  /**
   * Only on the nodes whose `tierplan.dev/gpu-slices` label is `slices` (machines, docs/contract.md §5):
   * one plugin per slice count lets machines of different gpuSlices share the cluster. Without
   * it, one plugin runs on every node (the node pool of a tier without machines).
   */
  perSlices?: boolean;
}

/** NVIDIA's device plugin release that supports time-slicing through its config file. */
const DEVICE_PLUGIN_IMAGE = "nvcr.io/nvidia/k8s-device-plugin:v0.17.1";

/**
 * The NVIDIA device plugin on an EKS edge cluster: the EKS NVIDIA AMI has the driver but does
 * not advertise GPUs to the scheduler until the plugin runs. With slices > 1 each GPU is shared
 * by that many pods (time-slicing), so small VLA tasks do not hold a whole GPU each.
 */
export class GpuDevicePlugin extends pulumi.ComponentResource {
  constructor(name: string, args: GpuDevicePluginArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tierplan:edge:GpuDevicePlugin", name, {}, opts);
    const childOpts = { parent: this, provider: args.provider };
    const selected = args.perSlices === true;
    const labels = {
      "app.kubernetes.io/name": "nvidia-device-plugin",
      "app.kubernetes.io/managed-by": "tierplan",
      ...(selected && { [GPU_SLICES_NODE_LABEL]: String(args.slices) }),
    };
    const objectName = `tierplan-nvidia-device-plugin${selected ? `-s${args.slices}` : ""}`;
    const pluginConfig = JSON.stringify({
      version: "v1",
      sharing: args.slices > 1 ? { timeSlicing: { resources: [{ name: args.resource, replicas: args.slices }] } } : {},
    });
    const config = new k8s.core.v1.ConfigMap(
      `${name}-config`,
      {
        metadata: { name: objectName, namespace: "kube-system", labels },
        data: { "config.yaml": pluginConfig },
      },
      childOpts,
    );
    new k8s.apps.v1.DaemonSet(
      `${name}-plugin`,
      {
        metadata: { name: objectName, namespace: "kube-system", labels },
        spec: {
          selector: { matchLabels: labels },
          updateStrategy: { type: "RollingUpdate" },
          template: {
            // The plugin reads its config at start: a changed config must restart it.
            metadata: {
              labels,
              annotations: { "tierplan/config-sha256": createHash("sha256").update(pluginConfig).digest("hex") },
            },
            spec: {
              priorityClassName: "system-node-critical",
              ...(selected && { nodeSelector: { [GPU_SLICES_NODE_LABEL]: String(args.slices) } }),
              tolerations: [{ key: args.resource, operator: "Exists", effect: "NoSchedule" }],
              containers: [
                {
                  name: "nvidia-device-plugin",
                  image: DEVICE_PLUGIN_IMAGE,
                  env: [{ name: "CONFIG_FILE", value: "/config/config.yaml" }],
                  securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                  volumeMounts: [
                    { name: "device-plugin", mountPath: "/var/lib/kubelet/device-plugins" },
                    { name: "config", mountPath: "/config" },
                  ],
                },
              ],
              volumes: [
                { name: "device-plugin", hostPath: { path: "/var/lib/kubelet/device-plugins" } },
                { name: "config", configMap: { name: config.metadata.name } },
              ],
            },
          },
        },
      },
      childOpts,
    );
    this.registerOutputs({});
  }
}
