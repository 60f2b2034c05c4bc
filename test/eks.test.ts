import { describe, expect, it } from "vitest";
import { kubeconfigFor } from "../src/provision/eks";
import { runPreview } from "../src/preview/run";

describe("the EKS edge cluster (warehouse-east)", () => {
  it("puts the control plane in regional subnets and the GPU nodes in the Local Zone", async () => {
    const result = await runPreview("warehouse-east");
    const of = (type: string) =>
      result.resources.filter((r) => r.type === type).map((r) => r.inputs as Record<string, any>);
    const [cluster] = of("aws:eks/cluster:Cluster");
    const [group] = of("aws:eks/nodeGroup:NodeGroup");
    expect(cluster.vpcConfig.subnetIds).toEqual(["subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"]);
    expect(group.subnetIds).toEqual(["subnet-0a1b2c3d4e5f60001"]);
    // Nodes follow the control plane's version.
    expect(group.version).toBe(cluster.version);
    expect(group.diskSize % 50).toBe(0);
    const entries = of("aws:eks/accessEntry:AccessEntry");
    const policies = of("aws:eks/accessPolicyAssociation:AccessPolicyAssociation");
    expect(entries.map((e) => e.principalArn)).toEqual(["arn:aws:iam::123456789012:role/platform-ci"]);
    expect(policies[0]).toMatchObject({
      principalArn: "arn:aws:iam::123456789012:role/platform-ci",
      accessScope: { type: "cluster" },
    });
    expect(policies[0].policyArn).toMatch(/AmazonEKSClusterAdminPolicy$/);
  });

  it("writes a kubeconfig that asks the AWS CLI for a token in the cluster's own region", () => {
    const config = JSON.parse(kubeconfigFor("tierplan-w", "https://x.eks.amazonaws.com", "Q0E=", "us-west-2"));
    expect(config.users[0].user.exec.args).toEqual([
      "eks",
      "get-token",
      "--cluster-name",
      "tierplan-w",
      "--region",
      "us-west-2",
      "--output",
      "json",
    ]);
    expect(config.clusters[0].cluster).toEqual({
      server: "https://x.eks.amazonaws.com",
      "certificate-authority-data": "Q0E=",
    });
  });
});
