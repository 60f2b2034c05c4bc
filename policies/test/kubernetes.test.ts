import { describe, expect, it } from "vitest";
import { NODE_LABELS } from "../../src/plan/facts";
import { admits, deploymentOf, quantity } from "../rules/kubernetes";
import { deployment, placement } from "./support/fixtures";

const KNOWN = new Set(Object.values(NODE_LABELS));

describe("Kubernetes quantities", () => {
  it.each([
    ["1", 1],
    ["500m", 0.5],
    ["10000M", 1e10],
    ["2Gi", 2 * 2 ** 30],
    ["1.5", 1.5],
    ["1e3", 1000],
    ["1E", 1e18],
    [".5Ki", 512],
    [4, 4],
  ])("%s is %d", (text, value) => {
    expect(quantity(text)).toBeCloseTo(value as number);
  });

  it.each(["", "lots", "1 Gi", "1GB", "0x10", null, undefined, {}, Infinity])("%s is not a quantity", (text) => {
    expect(quantity(text)).toBeNaN();
  });
});

describe("a Deployment's pods", () => {
  const p = placement("infer", "edge", "edge", { compute: 10, storage: 10, bandwidth: 50 });

  it("request what their containers request together, or an init container's if larger", () => {
    const d = deployment(p);
    const pod = d.props.spec.template.spec;
    pod.containers.push({ name: "sidecar", resources: { limits: { "nvidia.com/gpu": "1" } } });
    pod.initContainers = [{ name: "warm", resources: { requests: { "ephemeral-storage": "50G" } } }];
    const view = deploymentOf(d);
    expect(view.requests["nvidia.com/gpu"]).toBe(2); // a limit alone is the request
    expect(view.requests["ephemeral-storage"]).toBe(50e9);
    expect(view.replicas).toBe(1);
    expect(view.problems).toEqual([]);
  });

  it("default to one replica, and report one that is no whole number", () => {
    expect(deploymentOf(deployment(p, { replicas: undefined })).replicas).toBe(1);
    expect(deploymentOf(deployment(p, { replicas: "3" })).replicas).toBe(3);
    expect(deploymentOf(deployment(p, { replicas: 1.5 })).problems).toEqual([
      "spec.replicas '1.5' is not a whole number >= 0",
    ]);
    expect(deploymentOf(deployment(p, { replicas: -1 })).problems).toHaveLength(1);
  });

  it("report extended resources Kubernetes rejects: without a limit, unequal to it, or fractional", () => {
    const problems = (resources: Record<string, unknown>) => deploymentOf(deployment(p, { resources })).rejections;
    expect(problems({ requests: { "nvidia.com/gpu": "1" } })).toEqual([
      "container task requests nvidia.com/gpu without a limit: Kubernetes rejects the pod (an extended resource needs its limit)",
    ]);
    expect(problems({ requests: { "nvidia.com/gpu": "1" }, limits: { "nvidia.com/gpu": "2" } })).toEqual([
      "container task requests 1 nvidia.com/gpu but limits 2: Kubernetes rejects the pod (they must be equal)",
    ]);
    expect(problems({ limits: { "nvidia.com/gpu": "500m" } })).toEqual([
      "container task asks for 0.5 nvidia.com/gpu: Kubernetes grants whole units only",
    ]);
    expect(problems({ requests: { cpu: "1" }, limits: { cpu: "2" } })).toEqual([]);
  });

  it("may land on a node by nodeName, nodeSelector and required affinity together; unknown label keys are not judged", () => {
    const node = { name: "gpu-a-0", labels: { [NODE_LABELS.edgeTier]: "edge", [NODE_LABELS.machine]: "gpu-a-0" } };
    const d = deployment(p, { nodeSelector: { [NODE_LABELS.edgeTier]: "edge", "example.com/rack": "r1" } });
    expect(admits(deploymentOf(d), node, KNOWN)).toBe(true);
    d.props.spec.template.spec.nodeName = "gpu-a-1";
    expect(admits(deploymentOf(d), node, KNOWN)).toBe(false);
    const byField = deployment(p, { machine: { id: "gpu-a-0", by: "name" } });
    expect(admits(deploymentOf(byField), node, KNOWN)).toBe(true);
    expect(admits(deploymentOf(byField), { labels: { [NODE_LABELS.edgeTier]: "edge" } }, KNOWN)).toBe(false);
    // An empty term matches nothing.
    byField.props.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms =
      [{}];
    expect(admits(deploymentOf(byField), node, KNOWN)).toBe(false);
  });
});
