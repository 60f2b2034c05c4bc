import { readdirSync } from "node:fs";
import { dirname } from "node:path";
import { isMap, isScalar, type Document, type LineCounter, type Node } from "yaml";
import { z } from "zod";
import { ALGORITHMS } from "./algorithms";
import { CatalogError, didYouMean, explainIssue, formatPath, type CatalogIssue, type DataPath } from "./errors";
import { parseYaml, readText } from "./read";

/** Config namespace of every tierplan key: `tierplan:<key>` in a stack file. */
export const CONFIG_NAMESPACE = "tierplan";

/** The AWS provider's region key: required when the catalog has a cloud tier. */
const REGION_KEY = "aws:region";

/** What a secret's value is replaced by where tierplan runs without a secrets provider. */
export const SECRET_PLACEHOLDER = "[secret: placeholder for the offline preview]";

/**
 * What is wrong with an IPv4 CIDR block, or undefined when it is one: four decimal octets of
 * at most 255, a prefix of at most 32, and no host bits (AWS refuses `10.0.0.1/24`).
 */
export function cidrProblem(text: string): string | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!match) return "must be an IPv4 CIDR block such as 10.20.0.0/16";
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  const problems: string[] = [];
  const large = octets.filter((o) => o > 255);
  if (large.length > 0) problems.push(`octet${large.length > 1 ? "s" : ""} ${large.join(", ")} over 255`);
  if (match.slice(1, 5).some((o) => o.length > 1 && o.startsWith("0"))) problems.push("an octet with a leading zero");
  if (prefix > 32) problems.push(`prefix /${prefix} over 32`);
  if (problems.length > 0) return `is not an IPv4 CIDR block (${problems.join(", ")}): write it like 10.20.0.0/16`;
  const address = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  const network = address - (address % size);
  if (network !== address) {
    const base = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join(".");
    return `has host bits set after the /${prefix} prefix: the network is ${base}/${prefix}`;
  }
  return undefined;
}

const cidr = z.string().superRefine((value, ctx) => {
  const problem = cidrProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem, input: value });
});
const k8sQuantity = z
  .string()
  .regex(/^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/, { error: "must be a Kubernetes quantity such as 500m, 2 or 4Gi" });

const subnetId = z.string().regex(/^subnet-[0-9a-f]+$/, { error: "must be a subnet id such as subnet-0abc1234" });

/** `tierplan:network`: who may reach the site's cloud workloads. */
const NetworkConfigSchema = z.strictObject({
  edgeCidrs: z.array(cidr).min(1).describe("CIDR blocks of the site's edge cluster nodes."),
  robotCidrs: z.array(cidr).min(1).describe("CIDR blocks of the site's robot network."),
});

/** `tierplan:cloud`: how cloud-placed tasks become EC2 instances. */
const CloudConfigSchema = z.strictObject({
  ami: z
    .string()
    .regex(/^ami-[0-9a-f]+$/, { error: "must be an AMI id such as ami-0abc1234" })
    .optional()
    .describe("AMI for every cloud instance; default: the latest AWS Deep Learning Base GPU AMI (Ubuntu 22.04)."),
  subnetId: z
    .string()
    .regex(/^subnet-[0-9a-f]+$/, { error: "must be a subnet id such as subnet-0abc1234" })
    .optional()
    .describe("Subnet of the instances; default: the region's default VPC."),
  vpcId: z
    .string()
    .regex(/^vpc-[0-9a-f]+$/, { error: "must be a VPC id such as vpc-0abc1234" })
    .optional()
    .describe("VPC of the security groups; must hold subnetId. Default: the default VPC."),
  instanceTypes: z
    .array(z.string())
    .min(1)
    .optional()
    .describe("Allow-list of instance types from tierplan's table; default: all of them."),
  keyName: z.string().optional().describe("EC2 key pair for SSH access; default: none."),
});

/** `tierplan:edge`: the site's edge Kubernetes cluster. */
const EdgeConfigSchema = z.strictObject({
  mode: z
    .enum(["existing", "eks"])
    .describe("existing: the site's own cluster via tierplan:kubeconfig; eks: tierplan provisions an EKS cluster."),
  namespace: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, {
      error: "must be a DNS label: lowercase letters, digits and '-', 1-63 characters",
    })
    .optional()
    .describe("Namespace of the site's workloads; default: tierplan-<site>."),
  gpuTflops: z
    .number()
    .gt(0)
    .optional()
    .describe(
      "TFLOPS one unit of gpuResource stands for; default: a GPU of the EKS node type / gpuSlices, or 125 (A10-class) on an existing cluster.",
    ),
  gpuResource: z.string().default("nvidia.com/gpu").describe("Extended resource name of a GPU unit."),
  cpu: k8sQuantity.default("1").describe("CPU request of every edge container."),
  memory: k8sQuantity.default("2Gi").describe("Memory request of every edge container."),
  eks: z
    .strictObject({
      controlPlaneSubnetIds: z
        .array(subnetId)
        .min(2, {
          error:
            "needs subnets in at least two Availability Zones of the region (EKS does not place its control plane in a Local Zone)",
        })
        .describe("Regional subnets, in two or more Availability Zones, for the control plane's network interfaces."),
      subnetIds: z.array(subnetId).min(1).describe("Local Zone or Outpost subnets of the GPU nodes, near the robots."),
      nodeInstanceType: z.string().default("g5.xlarge").describe("Instance type of the managed node group."),
      version: z
        .string()
        .regex(/^1\.\d+$/, { error: "must be a Kubernetes minor version such as 1.33" })
        .default("1.33"),
      minNodes: z.number().int().gte(1).default(1).describe("Fewest nodes, however little is placed."),
      adminPrincipalArns: z
        .array(
          z
            .string()
            .regex(/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/.+$/, { error: "must be an IAM role or user ARN" }),
        )
        .default([])
        .describe(
          "IAM roles or users (CI, operators) given cluster admin besides the identity that creates the cluster.",
        ),
      gpuSlices: z
        .number()
        .int()
        .gte(1)
        .lte(48)
        .default(1)
        .describe(
          "Time-slices per GPU (NVIDIA device plugin sharing): one nvidia.com/gpu unit is a GPU's TFLOPS / gpuSlices.",
        ),
    })
    .optional()
    .describe("Required when mode is eks."),
});

/** `tierplan:robots`: how robot configuration is delivered besides the ConfigMap. */
const RobotsConfigSchema = z.strictObject({
  ssm: z.boolean().default(false).describe("Also publish each robot's config as an AWS SSM parameter."),
});

const catalogPaths = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], {
  error: "must be a catalog file path, or a list of them",
});

/** Every tierplan key a stack may set, validated together. */
const SiteConfigSchema = z.strictObject({
  catalog: catalogPaths.describe("Planning input file(s), relative to the repository root (contract §4)."),
  algorithm: z.enum(ALGORITHMS).default("auto").describe("Optimizer algorithm (see tierplan plan --help)."),
  network: NetworkConfigSchema,
  cloud: CloudConfigSchema.default({}),
  edge: EdgeConfigSchema,
  kubeconfig: z.string().optional().describe("Secret: kubeconfig of the existing edge cluster."),
  robots: RobotsConfigSchema.default({ ssm: false }),
});

export type SiteConfig = z.output<typeof SiteConfigSchema>;
export type CloudConfig = SiteConfig["cloud"];

/** Keys whose values must be secrets: Pulumi encrypts them, tierplan never prints them. */
const SECRET_KEYS = ["kubeconfig"] as const;

/**
 * Where a config path is in the stack file: `[<namespace>:<key>, ...path inside its value]`;
 * with `key`, the position of that key of the mapping at `path`. Undefined when not found.
 */
export type StackLocator = (path: DataPath, key?: string) => { line: number; column: number } | undefined;

const configKey = (key: string | number): string => `${CONFIG_NAMESPACE}:${String(key)}`;

/**
 * Validates tierplan's config keys (without the `tierplan:` prefix). `file` is the stack file
 * the keys come from, `locate` finds them in it. Throws CatalogError naming each
 * `tierplan:<key>.path`, what is wrong with its value and what is expected.
 */
function parseSiteConfig(raw: Record<string, unknown>, file: string, locate?: StackLocator): SiteConfig {
  const issues: CatalogIssue[] = [];
  const at = (path: DataPath, message: string, key?: string): CatalogIssue => {
    const position = key !== undefined ? locate?.(path.slice(0, -1), key) : locate?.(path);
    return { file, path, message, ...(position ?? nearest(locate, path)) };
  };
  const result = SiteConfigSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    // A misspelt key whose guess is a missing key says it all: the missing key is not repeated.
    const guessed = new Set<string>();
    for (const issue of result.error.issues) {
      if (issue.code !== "unrecognized_keys" || issue.path.length === 0) continue;
      const [key, ...rest] = issue.path as (string | number)[];
      for (const unknown of issue.keys) {
        const guess = didYouMean(unknown, knownKeysOf(String(key), rest));
        if (guess) guessed.add(formatPath([...issue.path, guess] as DataPath));
      }
    }
    for (const issue of result.error.issues) {
      if ((issue as { input?: unknown }).input === undefined && guessed.has(formatPath(issue.path as DataPath)))
        continue;
      const [key, ...rest] = issue.path as (string | number)[];
      if (issue.code === "unrecognized_keys") {
        for (const unknown of issue.keys) {
          if (key === undefined) {
            const known = Object.keys(SiteConfigSchema.shape).map(configKey);
            const guess = didYouMean(configKey(unknown), known);
            const hint = guess
              ? `did you mean '${guess}'?`
              : `tierplan's keys are ${known.join(", ")} (docs/pulumi.md)`;
            issues.push(at([configKey(unknown)], `unknown key '${configKey(unknown)}': ${hint}`, configKey(unknown)));
          } else {
            const known = knownKeysOf(String(key), rest);
            const guess = didYouMean(unknown, known);
            const hint = guess ? `did you mean '${guess}'?` : `expected one of ${known.join(", ")}`;
            const parent = [configKey(key), ...rest];
            issues.push(at([...parent, unknown], `unknown key '${unknown}': ${hint}`, unknown));
          }
        }
        continue;
      }
      const path = key === undefined ? [] : [configKey(key), ...rest];
      const value = (issue as { input?: unknown }).input;
      let message = explainIssue(issue, value);
      if (value === undefined && rest.length === 0 && key !== undefined)
        message = `${message}: set it in the stack file (docs/pulumi.md)`;
      issues.push(at(path, message));
    }
    throw new CatalogError(issues);
  }
  const config = result.data;
  if (config.edge.mode === "eks" && !config.edge.eks) {
    issues.push(
      at(
        [configKey("edge"), "eks"],
        "mode eks needs eks.controlPlaneSubnetIds (regional) and eks.subnetIds (Local Zone or Outpost) for the cluster it builds",
      ),
    );
  }
  if ((config.cloud.subnetId === undefined) !== (config.cloud.vpcId === undefined)) {
    const missing = config.cloud.subnetId === undefined ? "subnetId" : "vpcId";
    issues.push(
      at(
        [configKey("cloud"), missing],
        "give subnetId and vpcId together (or neither, for the default VPC): the security groups must be in the instances' VPC",
      ),
    );
  }
  if (
    config.edge.mode === "eks" &&
    config.edge.eks &&
    config.edge.eks.gpuSlices > 1 &&
    config.edge.gpuResource !== "nvidia.com/gpu"
  ) {
    issues.push(
      at(
        [configKey("edge"), "gpuResource"],
        "the NVIDIA device plugin time-slices only nvidia.com/gpu: remove gpuResource or set eks.gpuSlices to 1",
      ),
    );
  }
  if (config.edge.mode === "existing" && config.kubeconfig === undefined) {
    issues.push(
      at(
        [configKey("kubeconfig")],
        "mode existing needs the cluster's kubeconfig: pulumi config set --secret tierplan:kubeconfig < ~/.kube/config",
      ),
    );
  }
  if (issues.length > 0) throw new CatalogError(issues);
  return config;
}

/** The position of the deepest part of `path` that exists, for a value that is missing. */
function nearest(locate: StackLocator | undefined, path: DataPath): { line?: number; column?: number } {
  if (!locate) return {};
  for (let n = path.length - 1; n >= 0; n--) {
    const found = locate(path.slice(0, n));
    if (found) return found;
  }
  return {};
}

function knownKeysOf(key: string, rest: (string | number)[]): string[] {
  const shapes: Record<string, { shape: object }> = {
    network: NetworkConfigSchema,
    cloud: CloudConfigSchema,
    edge: EdgeConfigSchema,
    robots: RobotsConfigSchema,
  };
  if (key === "edge" && rest[0] === "eks")
    return Object.keys((EdgeConfigSchema.shape.eks.unwrap() as unknown as { shape: object }).shape);
  return Object.keys(shapes[key]?.shape ?? {});
}

/** A stack's settings: tierplan's keys and the AWS region. */
export interface StackSettings {
  site: SiteConfig;
  /** `aws:region`, when the stack sets it (checked against the regions @pulumi/aws knows). */
  region?: string;
}

/**
 * Validates a stack's whole config, `<namespace>:<key>` → value as Pulumi holds it: every
 * `tierplan:` key (unknown ones are errors) and `aws:region`, one of `regions` (the caller's:
 * src/provision/awsRegions.ts reads them from @pulumi/aws, which the planning core never loads).
 * Other namespaces belong to their providers and pass through.
 */
export function parseStackConfig(
  entries: Record<string, unknown>,
  file: string,
  regions: readonly string[],
  locate?: StackLocator,
): StackSettings {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entries)) {
    if (key.startsWith(`${CONFIG_NAMESPACE}:`)) raw[key.slice(CONFIG_NAMESPACE.length + 1)] = value;
  }
  const issues: CatalogIssue[] = [];
  let site: SiteConfig | undefined;
  try {
    site = parseSiteConfig(raw, file, locate);
  } catch (error) {
    if (!(error instanceof CatalogError)) throw error;
    issues.push(...error.issues);
  }
  const region = entries[REGION_KEY];
  if (region !== undefined) {
    const problem = regionProblem(region, regions);
    if (problem) issues.push({ file, path: [REGION_KEY], message: problem, ...locate?.([REGION_KEY]) });
  }
  // In the order of the file, as a person fixes them.
  if (issues.length > 0)
    throw new CatalogError(
      issues.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0)),
    );
  return { site: site!, ...(typeof region === "string" && { region }) };
}

function regionProblem(region: unknown, known: readonly string[]): string | undefined {
  if (typeof region !== "string")
    return `must be an AWS region name such as us-west-2, got ${typeof region === "object" ? "a mapping or list" : String(region)}`;
  if (known.includes(region)) return undefined;
  const guess = didYouMean(region, known);
  return `'${region}' is not an AWS region${guess ? `: did you mean '${guess}'?` : ` @pulumi/aws knows (e.g. us-east-1, us-west-2, eu-central-1, ap-northeast-1)`}`;
}

/**
 * What a stack needs because of its catalog: `aws:region` once the catalog has a cloud tier
 * (a task may be placed there, and its instance needs a region).
 */
export function checkStackCatalog(
  settings: StackSettings,
  catalog: { tiers: ReadonlyArray<{ name: string; kind: string }> },
  file: string,
  locate?: StackLocator,
): void {
  const cloud = catalog.tiers.filter((tier) => tier.kind === "cloud");
  if (cloud.length > 0 && settings.region === undefined) {
    throw new CatalogError([
      {
        file,
        path: [REGION_KEY],
        message: `is required: the catalog has cloud tier${cloud.length > 1 ? "s" : ""} ${cloud.map((t) => `'${t.name}'`).join(", ")}, whose instances need a region: pulumi config set aws:region us-west-2`,
        ...nearest(locate, [REGION_KEY]),
      },
    ]);
  }
}

/**
 * Pulumi's config (`pulumi.runtime.allConfig()`: every value a string, objects as JSON) as the
 * values the stack file holds, for parseStackConfig. Secrets stay strings.
 */
export function fromPulumiConfig(all: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(all)) {
    if (SECRET_KEYS.some((secret) => key === configKey(secret))) {
      out[key] = text;
      continue;
    }
    try {
      out[key] = JSON.parse(text);
    } catch {
      out[key] = text; // a plain string: the schema says whether one is allowed here
    }
  }
  return out;
}

/** A stack file read without the Pulumi CLI: its config, secrets replaced by placeholders. */
export interface StackFile {
  file: string;
  /** Every config key as Pulumi would pass it (`<namespace>:<key>`), objects as values. */
  config: Record<string, unknown>;
  /** Keys whose values were `secure:` in the file. */
  secretKeys: string[];
  /** Where a config path is in the file. */
  locate: StackLocator;
  /** The config, validated: tierplan's keys and aws:region. */
  settings: StackSettings;
}

/**
 * Reads `stacks/Pulumi.<site>.yaml` the way the Pulumi CLI would hand it to the program, except
 * that secrets (`secure: …`) cannot be decrypted here and become SECRET_PLACEHOLDER; validates
 * its config (parseStackConfig, `aws:region` against `regions`), with the line and column of every problem.
 */
export function readStackFile(path: string, regions: readonly string[], file = path): StackFile {
  const text = readText(path, "the stack file", file, `no such file: ${knownStacks(dirname(path))}`, {
    expected: "YAML: give a Pulumi stack file",
  });
  const parsed = parseYaml(text, file, "YAML");
  if ("issues" in parsed) throw new CatalogError(parsed.issues);
  const locate = stackLocator(parsed.doc, parsed.lineCounter);
  const data = parsed.data;
  const top =
    data === null || typeof data !== "object" || Array.isArray(data) ? undefined : (data as Record<string, unknown>);
  const config = top?.config;
  if (config === undefined || config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new CatalogError([
      { file, path: ["config"], message: "expected a 'config:' mapping of stack settings (see docs/pulumi.md)" },
    ]);
  }
  const secretKeys: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
    const position = locate([], key) ?? {};
    if (!/^[A-Za-z0-9_-]+:[A-Za-z0-9_.-]+$/.test(key)) {
      throw new CatalogError([
        {
          file,
          path: ["config", key],
          message: "config keys are '<namespace>:<key>', e.g. tierplan:catalog",
          ...position,
        },
      ]);
    }
    if (isSecure(value)) {
      secretKeys.push(key);
      out[key] = SECRET_PLACEHOLDER;
    } else {
      if (containsSecure(value)) {
        throw new CatalogError([
          {
            file,
            path: ["config", key],
            message: "a secret nested in an object cannot be read offline: make it a key of its own",
            ...position,
          },
        ]);
      }
      out[key] = value;
    }
  }
  return { file, config: out, secretKeys, locate, settings: parseStackConfig(out, file, regions, locate) };
}

/**
 * Locates config paths in a parsed stack file: `[<namespace>:<key>, ...]` inside its `config:`
 * mapping; with `key`, that key's position in the mapping at the path.
 */
function stackLocator(doc: Document, lineCounter: LineCounter): StackLocator {
  return (path, key) => {
    const root = doc.contents;
    if (!isMap(root)) return undefined;
    const config = root.items.find((pair) => isScalar(pair.key) && pair.key.value === "config");
    let node: unknown = config?.value;
    if (path.length === 0 && key === undefined) node = config?.key;
    for (const part of path) {
      node = childOf(node, part);
      if (node === undefined) return undefined;
    }
    if (key !== undefined) {
      if (!isMap(node)) return undefined;
      node = node.items.find((pair) => isScalar(pair.key) && pair.key.value === key)?.key;
    }
    const range = (node as Node | undefined)?.range;
    if (!range) return undefined;
    const { line, col } = lineCounter.linePos(range[0]);
    return { line, column: col };
  };
}

function childOf(node: unknown, part: string | number): unknown {
  if (isMap(node)) return node.items.find((pair) => isScalar(pair.key) && pair.key.value === part)?.value ?? undefined;
  const items = (node as { items?: unknown[] } | undefined)?.items;
  if (typeof part === "number" && Array.isArray(items) && !isMap(node)) return items[part];
  return undefined;
}

/** A locator for the stack file at `path`, for the Pulumi program's errors; none when it cannot be read. */
export function locateInStackFile(path: string): StackLocator | undefined {
  try {
    const parsed = parseYaml(readText(path, "the stack file"), path, "YAML");
    return "issues" in parsed ? undefined : stackLocator(parsed.doc, parsed.lineCounter);
  } catch {
    return undefined; // positions are a help, not a requirement
  }
}

function isSecure(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    "secure" in value
  );
}

function containsSecure(value: unknown): boolean {
  if (value === null || typeof value !== "object") return false;
  if (isSecure(value)) return true;
  return Object.values(value).some(containsSecure);
}

function knownStacks(dir: string): string {
  let names: string[] = [];
  try {
    names = readdirSync(dir)
      .flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? [])
      .sort();
  } catch {
    // no stacks directory: said below
  }
  return names.length > 0
    ? `the stacks here are ${names.join(", ")}`
    : "there are no stacks (stacks/Pulumi.<site>.yaml) here";
}
