import { readdirSync } from "node:fs";
import { dirname } from "node:path";
import { LineCounter, parseDocument, isMap, isScalar, type Node } from "yaml";
import { z } from "zod";
import { CatalogError, didYouMean, type CatalogIssue } from "./errors";
import { readText, syntaxIssues } from "./read";

/** Config namespace of every tierplan key: `tierplan:<key>` in a stack file. */
export const CONFIG_NAMESPACE = "tierplan";

/** What a secret's value is replaced by where tierplan runs without a secrets provider. */
export const SECRET_PLACEHOLDER = "[secret: placeholder for the offline preview]";

const cidr = z
  .string()
  .regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, { error: "must be an IPv4 CIDR block such as 10.20.0.0/16" });
const k8sQuantity = z
  .string()
  .regex(/^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/, { error: "must be a Kubernetes quantity such as 500m, 2 or 4Gi" });

const subnetId = z.string().regex(/^subnet-[0-9a-f]+$/, { error: "must be a subnet id such as subnet-0abc1234" });

/** `tierplan:network`: who may reach the site's cloud workloads. */
export const NetworkConfigSchema = z.strictObject({
  edgeCidrs: z.array(cidr).min(1).describe("CIDR blocks of the site's edge cluster nodes."),
  robotCidrs: z.array(cidr).min(1).describe("CIDR blocks of the site's robot network."),
});

/** `tierplan:cloud`: how cloud-placed tasks become EC2 instances. */
export const CloudConfigSchema = z.strictObject({
  ami: z.string().regex(/^ami-[0-9a-f]+$/, { error: "must be an AMI id such as ami-0abc1234" }).optional()
    .describe("AMI for every cloud instance; default: the latest AWS Deep Learning Base GPU AMI (Ubuntu 22.04)."),
  subnetId: z.string().regex(/^subnet-[0-9a-f]+$/, { error: "must be a subnet id such as subnet-0abc1234" }).optional()
    .describe("Subnet of the instances; default: the region's default VPC."),
  vpcId: z.string().regex(/^vpc-[0-9a-f]+$/, { error: "must be a VPC id such as vpc-0abc1234" }).optional()
    .describe("VPC of the security groups; must hold subnetId. Default: the default VPC."),
  instanceTypes: z.array(z.string()).min(1).optional()
    .describe("Allow-list of instance types from tierplan's table; default: all of them."),
  keyName: z.string().optional().describe("EC2 key pair for SSH access; default: none."),
});

/** `tierplan:edge`: the site's edge Kubernetes cluster. */
export const EdgeConfigSchema = z.strictObject({
  mode: z.enum(["existing", "eks"]).describe("existing: the site's own cluster via tierplan:kubeconfig; eks: tierplan provisions an EKS cluster."),
  namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: "must be a DNS label" }).optional()
    .describe("Namespace of the site's workloads; default: tierplan-<site>."),
  gpuTflops: z.number().gt(0).optional()
    .describe("TFLOPS one unit of gpuResource stands for; default: a GPU of the EKS node type / gpuSlices, or 125 (A10-class) on an existing cluster."),
  gpuResource: z.string().default("nvidia.com/gpu").describe("Extended resource name of a GPU unit."),
  cpu: k8sQuantity.default("1").describe("CPU request of every edge container."),
  memory: k8sQuantity.default("2Gi").describe("Memory request of every edge container."),
  eks: z
    .strictObject({
      controlPlaneSubnetIds: z.array(subnetId).min(2, { error: "needs subnets in at least two Availability Zones of the region (EKS does not place its control plane in a Local Zone)" })
        .describe("Regional subnets, in two or more Availability Zones, for the control plane's network interfaces."),
      subnetIds: z.array(subnetId).min(1).describe("Local Zone or Outpost subnets of the GPU nodes, near the robots."),
      nodeInstanceType: z.string().default("g5.xlarge").describe("Instance type of the managed node group."),
      version: z.string().regex(/^1\.\d+$/, { error: "must be a Kubernetes minor version such as 1.33" }).default("1.33"),
      minNodes: z.number().int().gte(1).default(1).describe("Fewest nodes, however little is placed."),
      adminPrincipalArns: z.array(z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/.+$/, { error: "must be an IAM role or user ARN" })).default([])
        .describe("IAM roles or users (CI, operators) given cluster admin besides the identity that creates the cluster."),
      gpuSlices: z.number().int().gte(1).lte(48).default(1)
        .describe("Time-slices per GPU (NVIDIA device plugin sharing): one nvidia.com/gpu unit is a GPU's TFLOPS / gpuSlices."),
    })
    .optional()
    .describe("Required when mode is eks."),
});

/** `tierplan:robots`: how robot configuration is delivered besides the ConfigMap. */
export const RobotsConfigSchema = z.strictObject({
  ssm: z.boolean().default(false).describe("Also publish each robot's config as an AWS SSM parameter."),
});

const catalogPaths = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/** Every tierplan key a stack may set, validated together. */
export const SiteConfigSchema = z.strictObject({
  catalog: catalogPaths.describe("Planning input file(s), relative to the repository root (contract §4)."),
  algorithm: z.enum(["auto", "exact", "seed-greedy"]).default("auto").describe("Optimizer algorithm (see tierplan plan --help)."),
  network: NetworkConfigSchema,
  cloud: CloudConfigSchema.default({}),
  edge: EdgeConfigSchema,
  kubeconfig: z.string().optional().describe("Secret: kubeconfig of the existing edge cluster."),
  robots: RobotsConfigSchema.default({ ssm: false }),
});

export type SiteConfig = z.output<typeof SiteConfigSchema>;
export type EdgeConfig = SiteConfig["edge"];
export type CloudConfig = SiteConfig["cloud"];

/** Keys whose values must be secrets: Pulumi encrypts them, tierplan never prints them. */
export const SECRET_KEYS = ["kubeconfig"] as const;

/**
 * Validates tierplan's config keys (without the `tierplan:` prefix). `file` is the stack file
 * the keys come from, for error messages. Throws CatalogError naming each `tierplan:<key>.path`.
 */
export function parseSiteConfig(raw: Record<string, unknown>, file: string): SiteConfig {
  const result = SiteConfigSchema.safeParse(raw);
  const issues: CatalogIssue[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) {
      const [key, ...rest] = issue.path as (string | number)[];
      let message = issue.message;
      if (issue.code === "unrecognized_keys") {
        message = issue.keys
          .map((unknown) => {
            const known = key === undefined ? Object.keys(SiteConfigSchema.shape) : knownKeysOf(key as string, rest);
            const guess = didYouMean(unknown, known);
            return `unknown key '${unknown}'${guess ? `: did you mean '${guess}'?` : `; expected one of ${known.join(", ")}`}`;
          })
          .join("; ");
      } else if ((issue as { input?: unknown }).input === undefined && issue.code !== "custom") {
        message = "required: set it in the stack file";
      }
      issues.push({ file, path: key === undefined ? [] : [`${CONFIG_NAMESPACE}:${String(key)}`, ...rest], message });
    }
    throw new CatalogError(issues);
  }
  const config = result.data;
  if (config.edge.mode === "eks" && !config.edge.eks) {
    issues.push({ file, path: [`${CONFIG_NAMESPACE}:edge`, "eks"], message: "mode eks needs eks.controlPlaneSubnetIds (regional) and eks.subnetIds (Local Zone or Outpost) for the cluster it builds" });
  }
  if ((config.cloud.subnetId === undefined) !== (config.cloud.vpcId === undefined)) {
    const missing = config.cloud.subnetId === undefined ? "subnetId" : "vpcId";
    issues.push({ file, path: [`${CONFIG_NAMESPACE}:cloud`, missing], message: "give subnetId and vpcId together (or neither, for the default VPC): the security groups must be in the instances' VPC" });
  }
  if (config.edge.mode === "eks" && config.edge.eks && config.edge.eks.gpuSlices > 1 && config.edge.gpuResource !== "nvidia.com/gpu") {
    issues.push({ file, path: [`${CONFIG_NAMESPACE}:edge`, "gpuResource"], message: "the NVIDIA device plugin time-slices only nvidia.com/gpu: remove gpuResource or set eks.gpuSlices to 1" });
  }
  if (config.edge.mode === "existing" && config.kubeconfig === undefined) {
    issues.push({
      file,
      path: [`${CONFIG_NAMESPACE}:kubeconfig`],
      message: "mode existing needs the cluster's kubeconfig: pulumi config set --secret tierplan:kubeconfig < ~/.kube/config",
    });
  }
  if (issues.length > 0) throw new CatalogError(issues);
  return config;
}

function knownKeysOf(key: string, rest: (string | number)[]): string[] {
  const shapes: Record<string, { shape: object }> = {
    network: NetworkConfigSchema,
    cloud: CloudConfigSchema,
    edge: EdgeConfigSchema,
    robots: RobotsConfigSchema,
  };
  if (key === "edge" && rest[0] === "eks") return Object.keys((EdgeConfigSchema.shape.eks.unwrap() as unknown as { shape: object }).shape);
  return Object.keys(shapes[key]?.shape ?? {});
}

/** A stack file read without the Pulumi CLI: its config, secrets replaced by placeholders. */
export interface StackFile {
  file: string;
  /** Every config key as Pulumi would pass it (`<namespace>:<key>`), objects as values. */
  config: Record<string, unknown>;
  /** Keys whose values were `secure:` in the file. */
  secretKeys: string[];
}

/**
 * Reads `stacks/Pulumi.<site>.yaml` the way the Pulumi CLI would hand it to the program, except
 * that secrets (`secure: …`) cannot be decrypted here and become SECRET_PLACEHOLDER.
 */
export function readStackFile(path: string, file = path): StackFile {
  const text = readText(path, "the stack file", file, `no such file: ${knownStacks(dirname(path))}`);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new CatalogError(syntaxIssues(doc, lineCounter, file, "YAML"));
  }
  const data: unknown = doc.toJS();
  const top = data === null || typeof data !== "object" || Array.isArray(data) ? undefined : (data as Record<string, unknown>);
  const config = top?.config;
  if (config === undefined || config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new CatalogError([{ file, path: ["config"], message: "expected a 'config:' mapping of stack settings (see docs/pulumi.md)" }]);
  }
  const secretKeys: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
    const position = keyPosition(doc.contents as Node, key, lineCounter);
    if (!/^[A-Za-z0-9_-]+:[A-Za-z0-9_.-]+$/.test(key)) {
      throw new CatalogError([{ file, path: ["config", key], message: "config keys are '<namespace>:<key>', e.g. tierplan:catalog", ...position }]);
    }
    if (isSecure(value)) {
      secretKeys.push(key);
      out[key] = SECRET_PLACEHOLDER;
    } else {
      if (containsSecure(value)) {
        throw new CatalogError([{ file, path: ["config", key], message: "a secret nested in an object cannot be read offline: make it a key of its own", ...position }]);
      }
      out[key] = value;
    }
  }
  return { file, config: out, secretKeys };
}

function isSecure(value: unknown): boolean {
  return value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value;
}

function containsSecure(value: unknown): boolean {
  if (value === null || typeof value !== "object") return false;
  if (isSecure(value)) return true;
  return Object.values(value).some(containsSecure);
}

function keyPosition(root: Node, key: string, lineCounter: LineCounter): { line?: number; column?: number } {
  if (!isMap(root)) return {};
  const configPair = root.items.find((pair) => isScalar(pair.key) && pair.key.value === "config");
  const configNode = configPair?.value;
  if (!isMap(configNode)) return {};
  const node = configNode.items.find((pair) => isScalar(pair.key) && pair.key.value === key)?.key as Node | undefined;
  if (!node?.range) return {};
  const { line, col } = lineCounter.linePos(node.range[0]);
  return { line, column: col };
}

function knownStacks(dir: string): string {
  let names: string[] = [];
  try {
    names = readdirSync(dir).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []).sort();
  } catch {
    // no stacks directory: said below
  }
  return names.length > 0 ? `the stacks here are ${names.join(", ")}` : "there are no stacks (stacks/Pulumi.<site>.yaml) here";
}
