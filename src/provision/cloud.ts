import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { CloudConfig, SiteConfig } from "../catalog/stackConfig";
import { placementFacts } from "../plan/facts";
import type { Placement } from "../plan/types";
import { cheapestInstanceType, INSTANCE_TYPES, rootVolumeGb } from "./instanceTypes";
import { ProvisionError } from "./errors";

export interface CloudTierArgs {
  /** The site (stack) the instances serve. */
  site: string;
  /** The cloud-placed tasks of the plan, one instance each. */
  placements: Placement[];
  /** `tierplan:cloud`: AMI, subnet, VPC, allowed instance types, key pair. */
  config: CloudConfig;
  /** `tierplan:network`: the only networks admitted to the tasks' ports. */
  network: SiteConfig["network"];
  /** Hash of the plan, written on every instance. */
  planHash: string;
}

/** What one cloud-placed task became. */
export interface CloudWorkload {
  task: string;
  instanceType: string;
  instance: aws.ec2.Instance;
  /** `<private ip>:<port>`, what robots are told to call. */
  endpoint: pulumi.Output<string>;
}

/** Port a task serves on when the catalog gives none. */
export const DEFAULT_PORT = 8080;

/** The latest AWS Deep Learning Base GPU AMI: NVIDIA driver, Docker and the container toolkit. */
const DEFAULT_AMI_FILTER = "Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) *";

/**
 * The cloud tier: one EC2 instance per cloud-placed task, of the cheapest instance type that
 * covers its demands, behind a security group that admits only the site's edge and robot networks.
 */
export class CloudTier extends pulumi.ComponentResource {
  /** Instance per cloud-placed task, in plan order. */
  readonly workloads: CloudWorkload[];
  /** Task → instance type chosen, known at preview. */
  readonly instanceTypes: Record<string, string>;

  constructor(name: string, args: CloudTierArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tierplan:cloud:CloudTier", name, {}, opts);
    const { site, config, network } = args;
    const ami = config.ami ?? (args.placements.length > 0 ? defaultAmi(this) : undefined);
    const vpcId = config.vpcId ?? (args.placements.length > 0 ? aws.ec2.getVpcOutput({ default: true }, { parent: this }).id : undefined);

    this.workloads = args.placements.map((placement) => {
      const type = cheapestInstanceType(placement, config.instanceTypes);
      if (!type) {
        const largest = INSTANCE_TYPES.filter((t) => !config.instanceTypes || config.instanceTypes.includes(t.name)).at(-1);
        throw new ProvisionError(
          `task '${placement.task}' needs ${placement.compute} TFLOPS and ${placement.storage} GB on one instance; the largest allowed type` +
            (largest ? ` (${largest.name}) gives ${largest.tflops} TFLOPS` : " list is empty") +
            ": split the task, allow a larger type in tierplan:cloud.instanceTypes, or pin it elsewhere",
        );
      }
      const port = placement.port ?? DEFAULT_PORT;
      const facts = placementFacts(site, placement, args.planHash);
      const group = new aws.ec2.SecurityGroup(
        `${name}-${placement.task}-sg`,
        {
          description: awsDescription(`tierplan ${site}: ${placement.task}, reachable from the site edge and robot networks only`),
          vpcId,
          ingress: [
            {
              description: "task port from the site edge and robot networks",
              protocol: "tcp",
              fromPort: port,
              toPort: port,
              cidrBlocks: [...network.edgeCidrs, ...network.robotCidrs],
            },
          ],
          egress: [{ description: "image pulls and results", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
          tags: { ...facts, Name: `tierplan-${site}-${placement.task}` },
        },
        { parent: this },
      );
      const instance = new aws.ec2.Instance(
        `${name}-${placement.task}`,
        {
          ami: ami!,
          instanceType: type.name,
          subnetId: config.subnetId,
          vpcSecurityGroupIds: [group.id],
          keyName: config.keyName,
          rootBlockDevice: { volumeSize: rootVolumeGb(placement.storage), volumeType: "gp3", encrypted: true },
          metadataOptions: { httpTokens: "required" },
          userData: userData(placement, port, type.gpus > 0),
          userDataReplaceOnChange: true,
          tags: { ...facts, Name: `tierplan-${site}-${placement.task}`, "tierplan/instance-tflops": String(type.tflops) },
        },
        // A looked-up AMI changes with every Deep Learning AMI release; replacing every instance
        // (and rewiring every robot to new addresses) for it is not the plan's business.
        { parent: this, ...(config.ami === undefined && { ignoreChanges: ["ami"] }) },
      );
      return { task: placement.task, instanceType: type.name, instance, endpoint: pulumi.interpolate`${instance.privateIp}:${port}` };
    });
    this.instanceTypes = Object.fromEntries(this.workloads.map((w) => [w.task, w.instanceType]));
    this.registerOutputs({ instanceTypes: this.instanceTypes });
  }
}

function defaultAmi(parent: pulumi.Resource): pulumi.Output<string> {
  return aws.ec2
    .getAmiOutput({ owners: ["amazon"], mostRecent: true, filters: [{ name: "name", values: [DEFAULT_AMI_FILTER] }] }, { parent })
    .apply((image) => image.id);
}

/** cloud-init script that runs the task's image, with every GPU when the instance has any, restarted with the machine. */
export function userData(placement: Placement, port: number, gpus: boolean): string {
  const image = placement.image;
  const lines = ["#!/bin/bash", "set -euo pipefail", `# tierplan: ${placement.task} (${placement.compute} TFLOPS, ${placement.storage} GB)`];
  if (image) {
    const gpuFlag = gpus ? "--gpus all " : "";
    lines.push(
      `docker pull ${shellQuote(image)}`,
      `docker run -d --name ${shellQuote(containerName(placement.task))} --restart unless-stopped ${gpuFlag}-p ${port}:${port} -e TIERPLAN_TASK=${shellQuote(placement.task)} ${shellQuote(image)}`,
    );
  } else {
    lines.push("# no image in the catalog: the instance is provisioned for the task, start it yourself");
  }
  return `${lines.join("\n")}\n`;
}

/** EC2 accepts only a-zA-Z0-9. _-:/()#,@[]+=&;{}!$* in security group descriptions; task names may hold more. */
function awsDescription(text: string): string {
  return text.replace(/[^a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]/g, "-");
}

/** Docker container names allow [a-zA-Z0-9_.-], starting with a letter or digit; per-robot copies hold '@'. */
function containerName(task: string): string {
  return task.replace(/[^a-zA-Z0-9_.-]/g, "_").replace(/^[^a-zA-Z0-9]+/, "") || "task";
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
