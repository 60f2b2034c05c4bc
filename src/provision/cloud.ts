import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { CloudConfig, SiteConfig } from "../catalog/stackConfig";
import { FACT_KEYS, HOST_KEYS, HOST_RECORD_KIND, MANAGED_BY, placementFacts, RECORD_KEYS } from "../plan/facts";
import type { Placement } from "../plan/schema";
import type { CloudPacking, Host, Slot } from "../plan/cloudPacking";
import { ProvisionError } from "./errors";
import { k8sName } from "../plan/names";
import { DEFAULT_PORT, siteLabels } from "./shared";

export interface CloudTierArgs {
  /** The site (stack) the instances serve. */
  site: string;
  /** The cloud-placed tasks of the plan. */
  placements: Placement[];
  /** The hosts they are packed onto (cloudPacking.ts): one EC2 instance each. */
  packing: CloudPacking;
  /** What every instance and EKS node tierplan provisions costs together, USD per hour on demand: a tag of every instance. */
  provisionedCostPerHour: number;
  /** `tierplan:cloud`: AMI, subnet, VPC, allowed instance types, key pair. */
  config: CloudConfig;
  /** `tierplan:network`: the only networks admitted to the tasks' ports. */
  network: SiteConfig["network"];
  /** Where the record of a shared host goes: the site's namespace on the edge cluster. */
  records: { namespace: pulumi.Input<string>; provider: k8s.Provider };
  /** Hash of the plan, written on every instance. */
  planHash: string;
}

/** What one cloud-placed task became. */
export interface CloudWorkload {
  task: string;
  /** The host (EC2 instance) it runs on: its id. */
  host: string;
  instanceType: string;
  instance: aws.ec2.Instance;
  /** `<private ip>:<port>`, what robots are told to call (the host port, on a shared host). */
  endpoint: pulumi.Output<string>;
}

/**
 * First host port of the tasks of a shared host: task k of the host is published on
 * HOST_PORT_BASE + k (its container keeps its own port), so tasks of equal ports share a host and
 * one security group rule admits them all.
 */
const HOST_PORT_BASE = 20_000;

/** The latest AWS Deep Learning Base GPU AMI: NVIDIA driver, Docker and the container toolkit. */
const DEFAULT_AMI_FILTER = "Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) *";

/** Dollars with four decimals, as tags and outputs carry them. */
export const dollars = (x: number): number => Math.round(x * 1e4) / 1e4;

/**
 * The cloud tier: one EC2 instance per host of the packing, of the host's instance type, behind a
 * security group that admits only the site's edge and robot networks to its tasks' ports. A host
 * of one task is what tierplan made before packing (named by its task, carrying its placement
 * facts); a shared host runs each task in a container of its own, with its GPUs, vCPUs and
 * memory, and lists the tasks in a host record ConfigMap.
 */
export class CloudTier extends pulumi.ComponentResource {
  /** Per cloud-placed task, in plan order. */
  readonly workloads: CloudWorkload[];
  /** Task → instance type of its host, known at preview. */
  readonly instanceTypes: Record<string, string>;

  constructor(name: string, args: CloudTierArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tierplan:cloud:CloudTier", name, {}, opts);
    const { site, config, network, packing } = args;
    const ami = config.ami ?? (packing.hosts.length > 0 ? defaultAmi(this) : undefined);
    const vpcId =
      config.vpcId ??
      (packing.hosts.length > 0 ? aws.ec2.getVpcOutput({ default: true }, { parent: this }).id : undefined);
    const byTask = new Map(args.placements.map((p) => [p.task, p]));
    const packed = new Set(packing.hosts.flatMap((h) => h.slots.map((s) => s.task)));
    const missing = args.placements.filter((p) => !packed.has(p.task));
    if (missing.length > 0)
      throw new ProvisionError(
        `cloud tasks ${missing.map((p) => `'${p.task}'`).join(", ")} are on no host of the packing`,
      );

    const workloads = new Map<string, CloudWorkload>();
    for (const host of packing.hosts) {
      const shared = host.slots.length > 1;
      const tasks = host.slots.map((slot) => ({ slot, placement: byTask.get(slot.task)! }));
      const hostTags = {
        [HOST_KEYS.host]: host.id,
        [HOST_KEYS.hostTasks]: String(host.slots.length),
        [HOST_KEYS.pricePerHour]: String(host.type.pricePerHour),
        [HOST_KEYS.provisionedCostPerHour]: String(dollars(args.provisionedCostPerHour)),
      };
      // A host of one task carries its facts, as before packing; a shared one, the facts its tasks share.
      const facts = shared
        ? {
            [FACT_KEYS.managedBy]: MANAGED_BY,
            [FACT_KEYS.site]: site,
            [FACT_KEYS.tier]: host.tier,
            [FACT_KEYS.kind]: "cloud",
            [FACT_KEYS.priority]: String(host.priority),
            [FACT_KEYS.planHash]: args.planHash,
          }
        : placementFacts(site, tasks[0].placement, args.planHash);
      const resourceName = shared ? `${name}-host-${host.id}` : `${name}-${host.id}`;
      const ports = tasks.map(({ placement }, k) => ({
        port: placement.port ?? DEFAULT_PORT,
        hostPort: shared ? HOST_PORT_BASE + k : (placement.port ?? DEFAULT_PORT),
      }));
      const fromPort = Math.min(...ports.map((p) => p.hostPort));
      const toPort = Math.max(...ports.map((p) => p.hostPort));
      const label = shared ? `host ${host.id} (${host.slots.length} tasks)` : host.id;
      const group = new aws.ec2.SecurityGroup(
        `${resourceName}-sg`,
        {
          description: awsDescription(
            `tierplan ${site}: ${label}, reachable from the site edge and robot networks only`,
          ),
          vpcId,
          ingress: [
            {
              description: shared
                ? "task ports of the host from the site edge and robot networks"
                : "task port from the site edge and robot networks",
              protocol: "tcp",
              fromPort,
              toPort,
              cidrBlocks: [...network.edgeCidrs, ...network.robotCidrs],
            },
          ],
          egress: [
            {
              description: "image pulls and results",
              protocol: "-1",
              fromPort: 0,
              toPort: 0,
              cidrBlocks: ["0.0.0.0/0"],
            },
          ],
          tags: { ...facts, Name: `tierplan-${site}-${host.id}` },
        },
        { parent: this },
      );
      const instance = new aws.ec2.Instance(
        resourceName,
        {
          ami: ami!,
          instanceType: host.type.name,
          subnetId: config.subnetId,
          vpcSecurityGroupIds: [group.id],
          keyName: config.keyName,
          rootBlockDevice: { volumeSize: host.rootVolumeGb, volumeType: "gp3", encrypted: true },
          metadataOptions: { httpTokens: "required" },
          userData: shared
            ? hostUserData(
                host,
                tasks.map(({ placement }, k) => ({ placement, ...ports[k] })),
              )
            : userData(tasks[0].placement, ports[0].port, host.type.gpus > 0),
          userDataReplaceOnChange: true,
          tags: {
            ...facts,
            Name: `tierplan-${site}-${host.id}`,
            "tierplan/instance-tflops": String(host.type.tflops),
            ...hostTags,
          },
        },
        // A looked-up AMI changes with every Deep Learning AMI release; replacing every instance
        // (and rewiring every robot to new addresses) for it is not the plan's business.
        { parent: this, ...(config.ami === undefined && { ignoreChanges: ["ami"] }) },
      );
      tasks.forEach(({ placement }, k) => {
        workloads.set(placement.task, {
          task: placement.task,
          host: host.id,
          instanceType: host.type.name,
          instance,
          endpoint: pulumi.interpolate`${instance.privateIp}:${ports[k].hostPort}`,
        });
      });
      if (shared) {
        new k8s.core.v1.ConfigMap(
          `${resourceName}-record`,
          {
            metadata: {
              name: k8sName(host.id, "tierplan-cloud-"),
              namespace: args.records.namespace,
              labels: { ...siteLabels(site), [RECORD_KEYS.record]: HOST_RECORD_KIND },
              annotations: {
                [FACT_KEYS.managedBy]: MANAGED_BY,
                [FACT_KEYS.site]: site,
                [FACT_KEYS.planHash]: args.planHash,
                ...hostTags,
                [HOST_KEYS.hostPlacements]: JSON.stringify(
                  tasks.map(({ placement }) => placementFacts(site, placement, args.planHash)),
                ),
              },
            },
            data: {
              "host.json": pulumi.jsonStringify({
                host: host.id,
                instanceType: host.type.name,
                privateIp: instance.privateIp,
                tasks: tasks.map(({ slot }, k) => ({
                  task: slot.task,
                  port: ports[k].port,
                  hostPort: ports[k].hostPort,
                  gpus: slot.gpus,
                  vcpus: slot.vcpus,
                  memoryGiB: slot.memoryGiB,
                  storage: slot.storage,
                })),
              }),
            },
          },
          { parent: this, provider: args.records.provider },
        );
      }
    }
    this.workloads = args.placements.map((p) => workloads.get(p.task)!);
    this.instanceTypes = Object.fromEntries(this.workloads.map((w) => [w.task, w.instanceType]));
    this.registerOutputs({ instanceTypes: this.instanceTypes, hosts: packing.hosts.map((h) => h.id) });
  }
}

function defaultAmi(parent: pulumi.Resource): pulumi.Output<string> {
  return aws.ec2
    .getAmiOutput(
      { owners: ["amazon"], mostRecent: true, filters: [{ name: "name", values: [DEFAULT_AMI_FILTER] }] },
      { parent },
    )
    .apply((image) => image.id);
}

/** cloud-init script that runs the task's image, with every GPU when the instance has any, restarted with the machine. */
export function userData(placement: Placement, port: number, gpus: boolean): string {
  const image = placement.image;
  const lines = [
    "#!/bin/bash",
    "set -euo pipefail",
    `# tierplan: ${placement.task} (${placement.compute} TFLOPS, ${placement.storage} GB)`,
  ];
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

/**
 * cloud-init script of a shared host: each task in a container of its own, published on its host
 * port, limited to its vCPUs and memory, with exactly its GPUs (none in cpu mode).
 */
export function hostUserData(
  host: Pick<Host, "id" | "type" | "slots">,
  tasks: ReadonlyArray<{ placement: Placement; port: number; hostPort: number }>,
): string {
  const lines = [
    "#!/bin/bash",
    "set -euo pipefail",
    `# tierplan: host ${host.id}, ${tasks.length} tasks on ${host.type.name}`,
  ];
  const pulled = new Set<string>();
  const names = new Set<string>();
  tasks.forEach(({ placement, port, hostPort }, k) => {
    const slot: Slot = host.slots[k];
    const image = placement.image;
    lines.push(
      `# ${placement.task}: ${placement.compute} TFLOPS, ${placement.storage} GB, ${slot.gpus.length > 0 ? `GPU ${slot.gpus.join(",")}` : "no GPU"}, ${slot.vcpus} vCPU, ${slot.memoryGiB} GiB`,
    );
    if (!image) {
      lines.push(`# no image in the catalog: start it yourself on port ${hostPort}`);
      return;
    }
    if (!pulled.has(image)) lines.push(`docker pull ${shellQuote(image)}`);
    pulled.add(image);
    const gpus = slot.gpus.length > 0 ? `--gpus ${shellQuote(`"device=${slot.gpus.join(",")}"`)} ` : "";
    // Task names that Docker's alphabet maps alike still get containers of their own.
    const base = containerName(placement.task);
    const container = names.has(base) ? `${base}-${k}` : base;
    names.add(container);
    lines.push(
      `docker run -d --name ${shellQuote(container)} --restart unless-stopped --cpus ${slot.vcpus} --memory ${Math.floor(slot.memoryGiB * 1024)}m ${gpus}-p ${hostPort}:${port} -e TIERPLAN_TASK=${shellQuote(placement.task)} ${shellQuote(image)}`,
    );
  });
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
