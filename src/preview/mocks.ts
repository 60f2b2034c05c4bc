import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";

/** A resource the program declared, as the offline preview lists it (docs/contract.md §4 `resources[]`). */
export interface DeclaredResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/** What a secret's value becomes wherever the offline preview shows inputs. */
const REDACTED = "[secret]";

/** Pulumi's wire marker for secrets (sdk/nodejs/runtime/rpc.ts `specialSigKey` / `specialSecretSig`). */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Inputs with every secret replaced by REDACTED, so no secret reaches the preview output. */
function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value === null || typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  if (record[SIG_KEY] === SECRET_SIG) return REDACTED;
  return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, redact(inner)]));
}

/** A stable fake value derived from a name: the same program gives the same preview. */
function digest(name: string): Buffer {
  return createHash("sha256").update(name).digest();
}

function privateIp(name: string): string {
  const d = digest(name);
  return `10.${d[0]}.${d[1]}.${Math.max(4, d[2])}`;
}

/**
 * Provider state the program reads back (the instance's private IP, the EKS endpoint and CA),
 * invented deterministically. Everything else echoes the inputs: with preview on, an output the
 * mock leaves out would stay unknown and its `.apply` would never run.
 */
function computedState(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
  const id = `${name}-${digest(name).toString("hex").slice(0, 8)}`;
  switch (type) {
    case "aws:ec2/instance:Instance":
      return {
        arn: `arn:aws:ec2:offline:000000000000:instance/i-${id}`,
        privateIp: privateIp(name),
        privateDns: `ip-${privateIp(name).replace(/\./g, "-")}.ec2.internal`,
      };
    case "aws:ec2/securityGroup:SecurityGroup":
      return { arn: `arn:aws:ec2:offline:000000000000:security-group/sg-${id}` };
    case "aws:iam/role:Role":
      return { arn: `arn:aws:iam::000000000000:role/${inputs.name ?? id}`, name: inputs.name ?? id };
    case "aws:eks/cluster:Cluster":
      return {
        name: inputs.name ?? id,
        arn: `arn:aws:eks:offline:000000000000:cluster/${inputs.name ?? id}`,
        endpoint: `https://${id}.offline.eks.amazonaws.com`,
        certificateAuthority: { data: Buffer.from(`offline-preview-ca-${id}`).toString("base64") },
      };
    case "aws:ssm/parameter:Parameter":
      return { arn: `arn:aws:ssm:offline:000000000000:parameter${inputs.name}` };
    default:
      if (type.startsWith("kubernetes:") && inputs.metadata) {
        return { metadata: { ...inputs.metadata, name: inputs.metadata.name ?? id, uid: id } };
      }
      return {};
  }
}

/** Answers to the invokes the program makes: the AMI and default-VPC lookups. */
function invokeResult(token: string, inputs: Record<string, any>): Record<string, unknown> {
  switch (token) {
    case "aws:ec2/getAmi:getAmi":
      return {
        ...inputs,
        id: "ami-0offlinepreview00",
        imageId: "ami-0offlinepreview00",
        name: "Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) (offline)",
        architecture: "x86_64",
      };
    case "aws:ec2/getVpc:getVpc":
      return { ...inputs, id: "vpc-0offlinepreview0", cidrBlock: "172.31.0.0/16", default: true };
    default:
      throw new Error(`the offline preview cannot answer the invoke ${token}`);
  }
}

/** Mocks for `pulumi.runtime.setMocks` that record every resource the program declares. */
export function recordingMocks(): { mocks: pulumi.runtime.Mocks; resources: DeclaredResource[] } {
  const resources: DeclaredResource[] = [];
  const mocks: pulumi.runtime.Mocks = {
    newResource(args) {
      if (args.custom !== false)
        resources.push({ type: args.type, name: args.name, inputs: redact(args.inputs) as Record<string, unknown> });
      const state = { ...args.inputs, ...computedState(args.type, args.name, args.inputs) };
      return { id: `${args.name}-id`, state };
    },
    call(args) {
      return invokeResult(args.token, args.inputs);
    },
  };
  return { mocks, resources };
}
