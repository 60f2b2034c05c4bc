import { isAbsolute, join, relative, resolve } from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CatalogError, type CatalogIssue } from "./catalog/errors";
import { loadCatalog } from "./catalog/load";
import { readStackLock, type LoadedLock } from "./catalog/lock";
import {
  checkStackCatalog,
  CONFIG_NAMESPACE,
  fromPulumiConfig,
  locateInStackFile,
  parseStackConfig,
  type SiteConfig,
  type StackLocator,
} from "./catalog/stackConfig";
import { tolerance } from "./model/formulas";
import type { Machine } from "./model/machines";
import {
  canonicalPlan,
  planHash,
  planSite,
  renderPlan,
  type EnvironmentRecord,
  type Plan,
  type Placement,
} from "./plan";
import { GPU_RESOURCE } from "./plan/facts";
import { CloudTier, dollars } from "./provision/cloud";
import { packCloud } from "./plan/cloudPacking";
import { EdgeTier } from "./provision/edge";
import {
  eksNodePlan,
  gpuUnits,
  machineDiskGb,
  machineInstanceTypes,
  machineNodeShortfall,
  quotaShortfall,
  type EdgeSizing,
  type NodeShape,
} from "./provision/edgeSizing";
import { EksEdgeCluster, GpuDevicePlugin, type MachineNode, type NodePool } from "./provision/eks";
import { cheapestInstanceType, instanceType, INSTANCE_TYPES, type InstanceType } from "./model/instanceTypes";
import { K8S_NAME_MAX_LENGTH, k8sName } from "./plan/names";
import { awsRegions } from "./provision/awsRegions";
import { PlanRecord } from "./provision/planRecord";
import { RobotConfig, type RemoteTask } from "./provision/robot";

/** Where diagnostics go: the engine (`pulumi.log`) for the real CLI, a collector offline. */
interface ProgramLog {
  info(message: string): void;
  warn(message: string): void;
}

export interface DeploySiteOptions {
  /** Repository root that catalog paths are relative to; default: the directory above src/. */
  root?: string;
  log?: ProgramLog;
}

/** What the program built, for the offline preview and tests; `outputs` are the stack outputs. */
export interface SiteDeployment {
  plan: Plan;
  planHash: string;
  config: SiteConfig;
  stackFile: string;
  /** docs/contract.md §6: the stack's lock (`stacks/<site>.lock.json`) the plan was made against, if it has one. */
  lock?: LoadedLock;
  outputs: Record<string, unknown>;
}

/** Default TFLOPS of one GPU unit on an existing cluster: one A10-class GPU (see instanceTypes). */
const DEFAULT_GPU_TFLOPS = 125;

/** Placement rows of the plan `pulumi preview` logs: more than a terminal's screenful, fewer than a fleet's thousands. */
const PREVIEW_LOG_ROWS = 100;

/**
 * The Pulumi program: stack config → catalog → plan → one component per tier → outputs. Throws
 * CatalogError for invalid config or catalogs, naming the file and key.
 */
export async function deploySite(options: DeploySiteOptions = {}): Promise<SiteDeployment> {
  const root = options.root ?? resolve(__dirname, "..");
  const log = options.log ?? { info: (m: string) => pulumi.log.info(m), warn: (m: string) => pulumi.log.warn(m) };
  const stack = pulumi.getStack();
  const stackFile = join("stacks", `Pulumi.${stack}.yaml`);
  const { config, region, explicit, locate } = readSiteConfig(stackFile, root);

  const catalogFiles = typeof config.catalog === "string" ? [config.catalog] : config.catalog;
  // Named relative to the working directory (the repository root, for Pulumi and the CLI) in errors.
  // Images are decided from the catalog, before planning: every task that may run on cloud or edge needs one.
  const input = loadCatalog(
    catalogFiles.map((file) => relative(process.cwd(), isAbsolute(file) ? file : join(root, file)) || file),
    { images: "required" },
  );
  checkStackCatalog({ site: config, ...(region !== undefined && { region }) }, input, stackFile, locate);
  if (input.site !== stack) {
    throw new CatalogError([
      {
        file: stackFile,
        path: [`${CONFIG_NAMESPACE}:catalog`],
        message: `the catalog plans site '${input.site}' but the stack is '${stack}': one stack per site, so set 'site: ${stack}' in the site's catalog file`,
      },
    ]);
  }
  // docs/contract.md §6: the same lock file for `pulumi preview`, `pulumi up` and `tierplan preview`, so all plan alike.
  const lock = readStackLock(root, stack);
  const plan = await planSite(input, { algorithm: config.algorithm, ...(lock && { lock }) });
  const hash = planHash(plan);
  const catalog = catalogFiles.join(" + ");
  const edgeEnvs = plan.environments.filter((e) => e.kind === "edge");
  const machineNodes = checkMachineConfig(plan, config, explicit, stackFile, catalog);
  const sizing = edgeSizing(config, stackFile, edgeEnvs);
  checkProvisionable(plan, config, sizing, stackFile, catalog);

  const byKind = (kind: Placement["kind"]) => plan.placements.filter((p) => p.kind === kind);
  const site = plan.site;
  const namespace = config.edge.namespace ?? k8sName(site, "tierplan-");
  for (const env of edgeEnvs) {
    // A tier with machines cannot fall short: the plan packs whole units onto each machine.
    const short = quotaShortfall(
      plan.placements.filter((p) => p.tier === env.name),
      env,
      plan.objective.reserve,
      sizing,
    );
    if (short > 0) {
      log.warn(
        `edge tier ${env.name}: the tasks request ${short} ${sizing.gpuResource} unit(s) more than its quota, because each rounds up to whole units and the plan counts TFLOPS; ` +
          `list the tier's machines in the catalog (contract §5) so that the plan packs whole units, or lower tierplan:edge.gpuTflops`,
      );
    }
  }

  // Cloud tasks packed onto hosts; with the EKS nodes, what the site's instances cost an hour.
  const packing = packCloud(byKind("cloud"), { allowed: config.cloud.instanceTypes });
  const nodes = edgeNodes(config, byKind("edge"), sizing, machineNodes);
  const edgeNodesPerHour = nodes
    ? "pool" in nodes
      ? nodes.pool.count * instanceType(nodes.pool.instanceType)!.pricePerHour
      : nodes.machines.reduce((sum, m) => sum + instanceType(m.instanceType)!.pricePerHour, 0)
    : 0;
  const provisionedCostPerHour = packing.costPerHour + edgeNodesPerHour;

  const provider = edgeProvider(site, config, sizing, nodes, provisionedCostPerHour);
  const edge = new EdgeTier("edge", {
    site,
    namespace,
    provider,
    environments: plan.environments.filter((e) => e.kind === "edge"),
    placements: byKind("edge"),
    priorities: [...new Set([...plan.placements, ...plan.unplaced].map((t) => t.priority))].sort((a, b) => a - b),
    reserve: plan.objective.reserve,
    sizing,
    machineSteering: config.edge.mode === "eks" ? "node-label" : "node-name",
    planHash: hash,
  });
  const cloud = new CloudTier("cloud", {
    site,
    placements: byKind("cloud"),
    packing,
    provisionedCostPerHour,
    config: config.cloud,
    network: config.network,
    records: { namespace: edge.namespace.metadata.name, provider },
    planHash: hash,
  });

  const endpoints = new Map<string, pulumi.Input<string>>();
  for (const w of edge.workloads) endpoints.set(w.task, w.endpoint);
  for (const w of cloud.workloads) endpoints.set(w.task, w.endpoint);
  const remoteOf = (p: Placement): RemoteTask => ({
    task: p.task,
    tier: p.tier,
    kind: p.kind,
    endpoint: endpoints.get(p.task) ?? `robot/${p.tier}`,
  });
  const services = plan.placements
    .filter((p) => p.port !== undefined && p.robot === undefined && p.kind !== "robot")
    .map(remoteOf);
  const robots = plan.environments.filter((e) => e.kind === "robot");
  for (const robot of robots) {
    new RobotConfig(`robot-${robot.name}`, {
      site,
      robot: robot.name,
      local: plan.placements.filter((p) => p.tier === robot.name),
      remote: plan.placements.filter((p) => p.robot === robot.name && p.tier !== robot.name).map(remoteOf),
      services,
      namespace: edge.namespace.metadata.name,
      provider,
      ssm: config.robots.ssm,
      planHash: hash,
    });
  }
  new PlanRecord("plan", {
    site,
    plan,
    planHash: hash,
    namespace: edge.namespace.metadata.name,
    provider,
    input,
    ...(edgeEnvs.some((env) => !env.machines) && { gpuTflops: sizing.gpuTflops }),
  });

  if (pulumi.runtime.isDryRun())
    log.info(`\n${renderPlan(plan, { maxRows: PREVIEW_LOG_ROWS, ...(lock && { lock }) })}`);
  const canonical = canonicalPlan(plan);
  const hostOf = new Map(cloud.workloads.map((w) => [w.task, w.host]));
  return {
    plan,
    planHash: hash,
    config,
    stackFile,
    ...(lock && { lock }),
    outputs: {
      site,
      planHash: hash,
      placements: canonical.placements.map((p) => ({
        task: p.task,
        tier: p.tier,
        latencyMs: p.latencyMs,
        cost: p.cost,
        score: p.score,
        ...(p.machine !== undefined && { machine: p.machine, gpuUnits: p.gpuUnits }),
        ...(p.kind === "cloud" && { instance: hostOf.get(p.task) }),
      })),
      unplaced: canonical.unplaced.map((u) => ({ task: u.task, reasons: u.reasons })),
      violations: canonical.violations,
      utilization: canonical.utilization,
      objective: canonical.objective,
      solver: canonical.solver,
      instanceTypes: cloud.instanceTypes,
      cloudHosts: packing.hosts.map((h) => ({
        host: h.id,
        instanceType: h.type.name,
        pricePerHour: h.type.pricePerHour,
        tasks: h.slots.map((s) => s.task),
      })),
      provisionedCostPerHour: dollars(provisionedCostPerHour),
      cost: {
        provisionedPerHour: dollars(provisionedCostPerHour),
        cloudInstancesPerHour: dollars(packing.costPerHour),
        cloudInstances: packing.hosts.length,
        cloudTasks: byKind("cloud").length,
        oneInstancePerTaskPerHour: dollars(packing.oneHostPerTaskCostPerHour),
        cloudLowerBoundPerHour: dollars(packing.lowerBoundPerHour),
        cloudPackedOptimally: packing.optimal,
        edgeNodesPerHour: dollars(edgeNodesPerHour),
        planCost: canonical.objective.cost,
      },
      edgeNamespace: edge.namespace.metadata.name,
    },
  };
}

/** Stack config keys set in the stack file rather than defaulted, for the consistency checks against machines. */
interface ExplicitKeys {
  edge: Record<string, unknown>;
  eks: Record<string, unknown>;
}

/** Reads every `tierplan:` key the way Pulumi hands structured config to a program. */
function readSiteConfig(
  stackFile: string,
  root: string,
): { config: SiteConfig; region?: string; explicit: ExplicitKeys; locate?: StackLocator } {
  // Every key of the stack, as Pulumi holds it: unknown tierplan:* keys are errors, aws:region is checked.
  const entries = fromPulumiConfig(pulumi.runtime.allConfig());
  const locate = locateInStackFile(join(root, stackFile));
  const { site, region } = parseStackConfig(entries, stackFile, awsRegions(), locate);
  const object = (x: unknown): Record<string, unknown> =>
    x !== null && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, unknown>) : {};
  const edge = object(entries[`${CONFIG_NAMESPACE}:edge`]);
  return {
    config: site,
    ...(region !== undefined && { region }),
    explicit: { edge, eks: object(edge.eks) },
    ...(locate && { locate }),
  };
}

function edgeSizing(config: SiteConfig, stackFile: string, edgeEnvs: readonly EnvironmentRecord[]): EdgeSizing {
  const edge = config.edge;
  let gpuTflops = edge.gpuTflops ?? DEFAULT_GPU_TFLOPS;
  // With machines the EKS nodes are the catalog's (checkMachineConfig); the pool's type sizes only tiers without.
  if (edge.mode === "eks" && edge.eks && !edgeEnvs.every(hasMachines)) {
    const node = instanceType(edge.eks.nodeInstanceType);
    if (!node || node.gpus === 0) {
      const gpuTypes = INSTANCE_TYPES.filter((t) => t.gpus > 0).map((t) => t.name);
      throw new CatalogError([
        {
          file: stackFile,
          path: [`${CONFIG_NAMESPACE}:edge`, "eks", "nodeInstanceType"],
          message: `'${edge.eks.nodeInstanceType}' is not a GPU type tierplan knows: use one of ${gpuTypes.join(", ")}`,
        },
      ]);
    }
    gpuTflops = edge.gpuTflops ?? node.tflops / node.gpus / edge.eks.gpuSlices;
  }
  return { gpuTflops, gpuResource: edge.gpuResource, cpu: edge.cpu, memory: edge.memory };
}

const hasMachines = (env: EnvironmentRecord): env is EnvironmentRecord & { machines: Machine[] } =>
  (env.machines?.length ?? 0) > 0;

/** `edge/gpu-a-0 (2 GPUs × 50 TFLOPS in 4 slices)`: a machine as the catalog describes it. */
function describeMachine(tier: string, m: Machine): string {
  return `${tier}/${m.id} (${m.gpus} GPU${m.gpus === 1 ? "" : "s"} × ${m.gpuTflops} TFLOPS${m.gpuSlices > 1 ? ` in ${m.gpuSlices} slices` : ""})`;
}

/** What the machines of several tiers say, one entry per shape: `edge/gpu-a: …; edge/gpu-b: …`. */
function machineList(
  envs: ReadonlyArray<EnvironmentRecord & { machines: Machine[] }>,
  show: (m: Machine) => string,
): string {
  const seen = new Map<string, string>();
  for (const env of envs)
    for (const m of env.machines) seen.set(`${env.name}/${m.shape}`, `${env.name}/${m.shape}: ${show(m)}`);
  return [...seen.values()].join("; ");
}

/**
 * docs/contract.md §5 against the stack config: keys that said what the catalog's machines now say are
 * derived from the machines, and are errors where they disagree (exit 2, naming the stack file,
 * the key and what the machines say). For EKS, the node of each machine: its instance type (the
 * cheapest with exactly its GPUs, or eks.nodeInstanceType if set and fitting) and whether the
 * CPU and memory of its planned pods fit that type. Returns the EKS nodes, or undefined when the
 * site has no machines on EKS.
 */
function checkMachineConfig(
  plan: Plan,
  config: SiteConfig,
  explicit: ExplicitKeys,
  stackFile: string,
  catalog: string,
): MachineNode[] | undefined {
  const edgeEnvs = plan.environments.filter((e) => e.kind === "edge");
  const machineEnvs = edgeEnvs.filter(hasMachines);
  if (machineEnvs.length === 0) return undefined;
  const onlyMachines = machineEnvs.length === edgeEnvs.length;
  const edge = config.edge;
  const issues: CatalogIssue[] = [];
  const key = (...path: string[]) => [`${CONFIG_NAMESPACE}:edge`, ...path];
  const all = machineEnvs.flatMap((env) => env.machines.map((m) => ({ env, m })));

  // On a site whose edge tiers all have machines, gpuTflops and gpuResource have nothing left to size.
  if (explicit.edge.gpuTflops !== undefined && onlyMachines) {
    const gpuTflops = edge.gpuTflops!;
    if (all.some(({ m }) => Math.abs(m.unitTflops - gpuTflops) > tolerance(gpuTflops))) {
      issues.push({
        file: stackFile,
        path: key("gpuTflops"),
        message:
          `${gpuTflops} TFLOPS a GPU unit, but the catalog's machines say ` +
          `${machineList(machineEnvs, (m) => `${m.unitTflops} TFLOPS a unit (${m.gpuTflops} / ${m.gpuSlices} slice${m.gpuSlices === 1 ? "" : "s"})`)}: ` +
          `remove gpuTflops, which sizes only edge tiers without machines`,
      });
    }
  }
  if (explicit.edge.gpuResource !== undefined && onlyMachines && edge.gpuResource !== GPU_RESOURCE) {
    issues.push({
      file: stackFile,
      path: key("gpuResource"),
      message: `'${edge.gpuResource}', but the catalog's machines (${machineEnvs.map((e) => e.name).join(", ")}) are counted in ${GPU_RESOURCE} units, as the NVIDIA device plugin advertises them (contract §5): remove gpuResource`,
    });
  }

  let nodes: MachineNode[] | undefined;
  if (edge.mode === "eks" && edge.eks) {
    const eks = edge.eks;
    if (explicit.eks.gpuSlices !== undefined && all.some(({ m }) => m.gpuSlices !== eks.gpuSlices)) {
      issues.push({
        file: stackFile,
        path: key("eks", "gpuSlices"),
        message: `${eks.gpuSlices}, but the catalog's machines say ${machineList(machineEnvs, (m) => `gpuSlices ${m.gpuSlices}`)}: remove eks.gpuSlices (each machine's node runs the device plugin with its own gpuSlices)`,
      });
    }
    if (explicit.eks.minNodes !== undefined && eks.minNodes > all.length) {
      issues.push({
        file: stackFile,
        path: key("eks", "minNodes"),
        message: `${eks.minNodes}, but the catalog's machines are the cluster's nodes, ${all.length} of them: remove eks.minNodes, or list more machines`,
      });
    }
    const chosen = explicit.eks.nodeInstanceType !== undefined ? eks.nodeInstanceType : undefined;
    const types = new Map<string, InstanceType>();
    for (const { env, m } of all) {
      const fitting = machineInstanceTypes(m, chosen === undefined ? undefined : [chosen]);
      if (fitting.length > 0) {
        types.set(m.id, fitting[0]);
      } else if (chosen !== undefined) {
        const type = instanceType(chosen);
        const cheapest = machineInstanceTypes(m)[0];
        issues.push({
          file: stackFile,
          path: key("eks", "nodeInstanceType"),
          message:
            `${chosen}${type ? ` has ${type.gpus} GPU${type.gpus === 1 ? "" : "s"}${type.gpus > 0 ? ` × ${type.tflops / type.gpus} TFLOPS` : ""}` : " is not in tierplan's instance table"}, ` +
            `but the catalog's machine ${describeMachine(env.name, m)} needs a node with exactly its GPUs, each as fast: ` +
            `remove eks.nodeInstanceType (each machine gets the cheapest type with its GPUs${cheapest ? `, here ${cheapest.name}` : ""})`,
        });
      } else {
        const gpuTypes = INSTANCE_TYPES.filter((t) => t.gpus > 0).map(
          (t) => `${t.name} (${t.gpus} × ${t.tflops / t.gpus})`,
        );
        issues.push({
          file: catalog,
          path: ["tiers", env.name, "machines", m.shape],
          message: `machine ${describeMachine(env.name, m)} is no EKS node type tierplan knows: a node needs exactly the machine's GPUs, each at least as fast; the GPU types are ${gpuTypes.join(", ")}`,
        });
      }
      if (m.id.length > K8S_NAME_MAX_LENGTH) {
        issues.push({
          file: catalog,
          path: ["tiers", env.name, "machines", m.shape, "name"],
          message: `machine id '${m.id}' is longer than the ${K8S_NAME_MAX_LENGTH} characters of a Kubernetes label value (the machine label of its EKS node): shorten the name`,
        });
      }
    }
    // The plan packs GPU units and storage per machine; CPU and memory are the node type's to give.
    for (const { env, m } of all) {
      const type = types.get(m.id);
      if (!type) continue;
      const pods = plan.placements.filter((p) => p.tier === env.name && p.machine === m.id);
      const short = machineNodeShortfall(
        type,
        { pods: pods.length, storage: pods.reduce((sum, p) => sum + p.storage, 0) },
        edge,
      );
      if (short !== undefined) {
        issues.push({
          file: stackFile,
          path: key("cpu"),
          message: `machine ${describeMachine(env.name, m)} is a ${type.name} node and the plan puts ${pods.length} pod(s) on it: ${short}; lower tierplan:edge cpu or memory, or give the machine fewer slices`,
        });
      }
    }
    nodes = all.flatMap(({ env, m }) => {
      const type = types.get(m.id);
      return type
        ? [
            {
              id: m.id,
              tier: env.name,
              instanceType: type.name,
              diskGb: machineDiskGb(m),
              gpus: m.gpus,
              gpuSlices: m.gpuSlices,
            },
          ]
        : [];
    });
  }
  if (issues.length > 0) throw new CatalogError(issues);
  return nodes;
}

const AWS_TAG_VALUE = /^[\p{L}\p{N}\s+\-=._:/@]*$/u;

/** Everything the plan asks of provisioning that config or catalog cannot give, found before any resource exists. */
function checkProvisionable(
  plan: Plan,
  config: SiteConfig,
  sizing: EdgeSizing,
  stackFile: string,
  catalog: string,
): void {
  const issues: CatalogIssue[] = [];
  for (const p of plan.placements) {
    if (p.kind === "edge" && !p.image) {
      issues.push({
        file: catalog,
        path: ["tasks", `${p.source}`, "image"],
        message: `task '${p.task}' is placed on edge tier ${p.tier} and needs a container image: add 'image:' to it`,
      });
    }
    if (p.kind === "cloud" && !AWS_TAG_VALUE.test(`${p.task}${p.source}${p.tier}${plan.site}`)) {
      issues.push({
        file: catalog,
        path: ["tasks", p.source, "name"],
        message: `task '${p.task}' runs on EC2, whose tags carry its name, tier and site: AWS tag values take only letters, digits, spaces and + - = . _ : / @`,
      });
    }
    if (p.kind === "cloud" && !cheapestInstanceType(p, config.cloud.instanceTypes)) {
      issues.push({
        file: stackFile,
        path: [`${CONFIG_NAMESPACE}:cloud`, "instanceTypes"],
        message: `no allowed instance type covers task '${p.task}' (${p.compute} TFLOPS, ${p.storage} GB): allow a larger type, split the task, or pin it elsewhere`,
      });
    }
  }
  if (config.cloud.instanceTypes) {
    config.cloud.instanceTypes.forEach((name, i) => {
      if (!instanceType(name)) {
        issues.push({
          file: stackFile,
          path: [`${CONFIG_NAMESPACE}:cloud`, "instanceTypes", i],
          message: `unknown instance type '${name}': use one of ${INSTANCE_TYPES.map((t) => t.name).join(", ")}`,
        });
      }
    });
  }
  const edge = config.edge;
  if (edge.mode === "eks" && edge.eks) {
    const edgeTiers = plan.environments.filter((e) => e.kind === "edge");
    // With machines every tier has its own node groups, labelled by tier; a node pool has no tier label.
    if (edgeTiers.length > 1 && !edgeTiers.every(hasMachines)) {
      issues.push({
        file: stackFile,
        path: [`${CONFIG_NAMESPACE}:edge`, "mode"],
        message: `mode eks builds one node pool for one edge tier, but the catalog has ${edgeTiers.length} (${edgeTiers.map((e) => e.name).join(", ")}): list each tier's machines in the catalog (one node group per machine), merge them, or use mode existing with nodes labelled by tier`,
      });
    }
    const node = nodeShape(edge.eks);
    for (const p of plan.placements.filter((p) => p.kind === "edge" && p.machine === undefined)) {
      if (!eksNodePlan([p], node, sizing, 1)) {
        issues.push({
          file: stackFile,
          path: [`${CONFIG_NAMESPACE}:edge`, "eks", "nodeInstanceType"],
          message: `task '${p.task}' (${p.compute} TFLOPS = ${gpuUnits(p.compute, sizing.gpuTflops)} GPU units, ${p.storage} GB, cpu ${edge.cpu}, memory ${edge.memory}) fits no ${edge.eks.nodeInstanceType} node (${node.units} units, ${node.vcpus} vCPU, ${node.memoryGiB} GiB): choose a larger node type`,
        });
      }
    }
  }
  if (issues.length > 0) throw new CatalogError(issues);
}

/**
 * ConfigMaps are updated in place rather than replaced: robot configs and the plan record keep
 * fixed names, and a replacement would delete them before recreating them.
 */
const PROVIDER_OPTIONS = { enableServerSideApply: true, enableConfigMapMutable: true };

/** One node of the EKS node group, in the units eksNodePlan packs by. */
function nodeShape(eks: NonNullable<SiteConfig["edge"]["eks"]>): NodeShape {
  const type = instanceType(eks.nodeInstanceType)!;
  return { units: type.gpus * eks.gpuSlices, vcpus: type.vcpus, memoryGiB: type.memoryGiB };
}

/** The EKS cluster's nodes: one per machine, or the pool the plan's pods need; undefined on an existing cluster. */
type EdgeNodes = { machines: MachineNode[] } | { pool: NodePool };

function edgeNodes(
  config: SiteConfig,
  edgePlacements: Placement[],
  sizing: EdgeSizing,
  machineNodes: MachineNode[] | undefined,
): EdgeNodes | undefined {
  const eks = config.edge.mode === "eks" ? config.edge.eks : undefined;
  if (!eks) return undefined;
  return machineNodes ? { machines: machineNodes } : { pool: nodePool(eks, edgePlacements, sizing) };
}

/** The edge cluster's provider: from the kubeconfig secret, or from the EKS cluster built here. */
function edgeProvider(
  site: string,
  config: SiteConfig,
  sizing: EdgeSizing,
  nodes: EdgeNodes | undefined,
  provisionedCostPerHour: number,
): k8s.Provider {
  const edge = config.edge;
  if (edge.mode === "existing" || !nodes) {
    const kubeconfig = new pulumi.Config(CONFIG_NAMESPACE).requireSecret("kubeconfig");
    return new k8s.Provider("edge-provider", { kubeconfig, ...PROVIDER_OPTIONS });
  }
  const eks = edge.eks!;
  const cluster = new EksEdgeCluster("edge-cluster", {
    site,
    controlPlaneSubnetIds: eks.controlPlaneSubnetIds,
    subnetIds: eks.subnetIds,
    version: eks.version,
    nodes,
    adminPrincipalArns: eks.adminPrincipalArns,
    provisionedCostPerHour,
  });
  const provider = new k8s.Provider(
    "edge-provider",
    { kubeconfig: cluster.kubeconfig, ...PROVIDER_OPTIONS },
    { dependsOn: cluster.nodeGroups },
  );
  if ("machines" in nodes) {
    // One device plugin per slice count, each on the nodes labelled with it: machines of several gpuSlices share the cluster.
    const slices = [...new Set(nodes.machines.filter((m) => m.gpus > 0).map((m) => m.gpuSlices))].sort((a, b) => a - b);
    for (const n of slices)
      new GpuDevicePlugin(`edge-gpu-s${n}`, { provider, resource: GPU_RESOURCE, slices: n, perSlices: true });
  } else {
    new GpuDevicePlugin("edge-gpu", { provider, resource: sizing.gpuResource, slices: eks.gpuSlices });
  }
  return provider;
}

/** The node group of an edge tier without machines: first-fit decreasing of its pods onto nodes of one type. */
function nodePool(
  eks: NonNullable<SiteConfig["edge"]["eks"]>,
  edgePlacements: Placement[],
  sizing: EdgeSizing,
): NodePool {
  const nodePlan = eksNodePlan(edgePlacements, nodeShape(eks), sizing, eks.minNodes)!;
  return { instanceType: eks.nodeInstanceType, count: nodePlan.nodes, diskGb: nodePlan.diskGb };
}
