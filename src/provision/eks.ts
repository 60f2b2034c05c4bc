import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { k8sName } from "./names";

export interface EksEdgeClusterArgs {
  /** The site the cluster serves; names the cluster `tierplan-<site>`. */
  site: string;
  /** Regional subnets in two or more Availability Zones: EKS puts no control plane in a Local Zone. */
  controlPlaneSubnetIds: string[];
  /** Local Zone or Outpost subnets of the GPU nodes. */
  subnetIds: string[];
  /** Kubernetes minor version, e.g. "1.33". */
  version: string;
  /** GPU instance type of the managed node group. */
  nodeInstanceType: string;
  /** Nodes the edge-placed demand needs. */
  nodeCount: number;
  /** Root disk of each node, GiB. */
  nodeDiskGb: number;
  /** IAM principals given cluster admin through EKS access entries. */
  adminPrincipalArns: string[];
}

const managedPolicy = (name: string) => `arn:aws:iam::aws:policy/${name}`;

/**
 * An EKS cluster for a site's edge tier: control plane and one managed GPU node group sized
 * from the plan, plus a kubeconfig that authenticates with `aws eks get-token`.
 */
export class EksEdgeCluster extends pulumi.ComponentResource {
  readonly cluster: aws.eks.Cluster;
  readonly nodeGroup: aws.eks.NodeGroup;
  /** Kubeconfig for the Kubernetes provider (secret: it names the cluster's endpoint and CA). */
  readonly kubeconfig: pulumi.Output<string>;

  constructor(name: string, args: EksEdgeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tierplan:edge:EksEdgeCluster", name, {}, opts);
    const tags = { "tierplan/site": args.site, "tierplan/managed-by": "tierplan" };
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
      const entry = new aws.eks.AccessEntry(`${name}-admin-${i}`, { clusterName: this.cluster.name, principalArn, tags }, { parent: this });
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
    const nodeRole = new aws.iam.Role(`${name}-node-role`, { assumeRolePolicy: assumeRole("ec2.amazonaws.com"), tags }, { parent: this });
    const nodePolicies = ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"].map(
      (policy) => new aws.iam.RolePolicyAttachment(`${name}-node-role-${policy}`, { role: nodeRole.name, policyArn: managedPolicy(policy) }, { parent: this }),
    );
    this.nodeGroup = new aws.eks.NodeGroup(
      `${name}-nodes`,
      {
        clusterName: this.cluster.name,
        nodeRoleArn: nodeRole.arn,
        subnetIds: args.subnetIds,
        version: this.cluster.version,
        instanceTypes: [args.nodeInstanceType],
        // The NVIDIA AMI ships the driver and device plugin prerequisites for nvidia.com/gpu.
        amiType: "AL2023_x86_64_NVIDIA",
        diskSize: args.nodeDiskGb,
        scalingConfig: { desiredSize: args.nodeCount, minSize: args.nodeCount, maxSize: args.nodeCount },
        labels: { "tierplan/site": args.site },
        tags,
      },
      { parent: this, dependsOn: nodePolicies },
    );
    this.kubeconfig = pulumi.secret(
      pulumi
        .all([this.cluster.name, this.cluster.endpoint, this.cluster.certificateAuthority.data, this.cluster.arn])
        // The region comes from the cluster's ARN, not the ambient AWS CLI settings.
        .apply(([clusterName, endpoint, ca, arn]) => kubeconfigFor(clusterName, endpoint, ca, arn.split(":")[3])),
    );
    this.registerOutputs({ clusterName: this.cluster.name, nodeCount: args.nodeCount });
  }
}

function assumeRole(service: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
  });
}

/** A kubeconfig that gets its token from the AWS CLI, as `aws eks update-kubeconfig` writes it. */
export function kubeconfigFor(clusterName: string, endpoint: string, certificateAuthority: string, region: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: clusterName, cluster: { server: endpoint, "certificate-authority-data": certificateAuthority } }],
    contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
    "current-context": clusterName,
    users: [
      {
        name: clusterName,
        user: {
          exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "aws", args: ["eks", "get-token", "--cluster-name", clusterName, "--region", region, "--output", "json"] },
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
}

/** NVIDIA's device plugin release that supports time-slicing through its config file. */
export const DEVICE_PLUGIN_IMAGE = "nvcr.io/nvidia/k8s-device-plugin:v0.17.1";

/**
 * The NVIDIA device plugin on an EKS edge cluster: the EKS NVIDIA AMI has the driver but does
 * not advertise GPUs to the scheduler until the plugin runs. With slices > 1 each GPU is shared
 * by that many pods (time-slicing), so small VLA tasks do not hold a whole GPU each.
 */
export class GpuDevicePlugin extends pulumi.ComponentResource {
  constructor(name: string, args: GpuDevicePluginArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tierplan:edge:GpuDevicePlugin", name, {}, opts);
    const childOpts = { parent: this, provider: args.provider };
    const labels = { "app.kubernetes.io/name": "nvidia-device-plugin", "app.kubernetes.io/managed-by": "tierplan" };
    const pluginConfig = JSON.stringify({
      version: "v1",
      sharing: args.slices > 1 ? { timeSlicing: { resources: [{ name: args.resource, replicas: args.slices }] } } : {},
    });
    const config = new k8s.core.v1.ConfigMap(
      `${name}-config`,
      {
        metadata: { name: "tierplan-nvidia-device-plugin", namespace: "kube-system", labels },
        data: { "config.yaml": pluginConfig },
      },
      childOpts,
    );
    new k8s.apps.v1.DaemonSet(
      `${name}-plugin`,
      {
        metadata: { name: "tierplan-nvidia-device-plugin", namespace: "kube-system", labels },
        spec: {
          selector: { matchLabels: labels },
          updateStrategy: { type: "RollingUpdate" },
          template: {
            // The plugin reads its config at start: a changed config must restart it.
            metadata: { labels, annotations: { "tierplan/config-sha256": createHash("sha256").update(pluginConfig).digest("hex") } },
            spec: {
              priorityClassName: "system-node-critical",
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
