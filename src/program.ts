import { isAbsolute, join, relative, resolve } from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CatalogError, type CatalogIssue } from "./catalog/errors";
import { loadCatalog } from "./catalog/load";
import { readStackLock, type LoadedLock } from "./catalog/lock";
import { CONFIG_NAMESPACE, parseSiteConfig, type SiteConfig } from "./catalog/stackConfig";
import { canonicalPlan, planHash, planSite, renderPlan, type Plan, type Placement } from "./plan";
import { CloudTier } from "./provision/cloud";
import { EdgeTier } from "./provision/edge";
import { eksNodePlan, gpuUnits, quotaShortfall, type EdgeSizing, type NodeShape } from "./provision/edgeSizing";
import { EksEdgeCluster, GpuDevicePlugin } from "./provision/eks";
import { cheapestInstanceType, instanceType, INSTANCE_TYPES } from "./provision/instanceTypes";
import { k8sName } from "./provision/names";
import { PlanRecord } from "./provision/planRecord";
import { RobotConfig, type RemoteTask } from "./provision/robot";

/** Where diagnostics go: the engine (`pulumi.log`) for the real CLI, a collector offline. */
export interface ProgramLog {
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
  /** Contract §6: the stack's lock (`stacks/<site>.lock.json`) the plan was made against, if it has one. */
  lock?: LoadedLock;
  outputs: Record<string, unknown>;
}

/** Default TFLOPS of one GPU unit on an existing cluster: one A10-class GPU (see instanceTypes). */
const DEFAULT_GPU_TFLOPS = 125;

/**
 * The Pulumi program: stack config → catalog → plan → one component per tier → outputs. Throws
 * CatalogError for invalid config or catalogs, naming the file and key.
 */
export async function deploySite(options: DeploySiteOptions = {}): Promise<SiteDeployment> {
  const root = options.root ?? resolve(__dirname, "..");
  const log = options.log ?? { info: (m: string) => pulumi.log.info(m), warn: (m: string) => pulumi.log.warn(m) };
  const stack = pulumi.getStack();
  const stackFile = join("stacks", `Pulumi.${stack}.yaml`);
  const config = readSiteConfig(stackFile);

  const catalogFiles = typeof config.catalog === "string" ? [config.catalog] : config.catalog;
  // Named relative to the working directory (the repository root, for Pulumi and the CLI) in errors.
  const input = loadCatalog(catalogFiles.map((file) => relative(process.cwd(), isAbsolute(file) ? file : join(root, file)) || file));
  if (input.site !== stack) {
    throw new CatalogError([
      {
        file: stackFile,
        path: [`${CONFIG_NAMESPACE}:catalog`],
        message: `the catalog plans site '${input.site}' but the stack is '${stack}': one stack per site, so set 'site: ${stack}' in the site's catalog file`,
      },
    ]);
  }
  // Contract §6: the same lock file for `pulumi preview`, `pulumi up` and `tierplan preview`, so all plan alike.
  const lock = readStackLock(root, stack);
  const plan = await planSite(input, { algorithm: config.algorithm, ...(lock && { lock }) });
  const hash = planHash(plan);
  const sizing = edgeSizing(config, stackFile);
  checkProvisionable(plan, config, sizing, stackFile, catalogFiles.join(" + "));

  const byKind = (kind: Placement["kind"]) => plan.placements.filter((p) => p.kind === kind);
  const site = plan.site;
  const namespace = config.edge.namespace ?? k8sName(site, "tierplan-");
  for (const env of plan.environments.filter((e) => e.kind === "edge")) {
    const onEnv = plan.placements.filter((p) => p.tier === env.name);
    const short = quotaShortfall(onEnv, env, plan.objective.reserve, sizing);
    if (short > 0) {
      log.warn(
        `edge tier ${env.name}: the tasks request ${short} ${sizing.gpuResource} unit(s) more than its quota, because each rounds up to whole units; ` +
          `lower tierplan:edge.gpuTflops (e.g. GPU time-slicing) or expect pods Pending`,
      );
    }
  }

  const provider = edgeProvider(site, config, byKind("edge"), sizing);
  const edge = new EdgeTier("edge", {
    site,
    namespace,
    provider,
    environments: plan.environments.filter((e) => e.kind === "edge"),
    placements: byKind("edge"),
    priorities: [...new Set([...plan.placements, ...plan.unplaced].map((t) => t.priority))].sort((a, b) => a - b),
    reserve: plan.objective.reserve,
    sizing,
    planHash: hash,
  });
  const cloud = new CloudTier("cloud", { site, placements: byKind("cloud"), config: config.cloud, network: config.network, planHash: hash });

  const endpoints = new Map<string, pulumi.Input<string>>();
  for (const w of edge.workloads) endpoints.set(w.task, w.endpoint);
  for (const w of cloud.workloads) endpoints.set(w.task, w.endpoint);
  const remoteOf = (p: Placement): RemoteTask => ({ task: p.task, tier: p.tier, kind: p.kind, endpoint: endpoints.get(p.task) ?? `robot/${p.tier}` });
  const services = plan.placements.filter((p) => p.port !== undefined && p.robot === undefined && p.kind !== "robot").map(remoteOf);
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
  new PlanRecord("plan", { site, plan, planHash: hash, namespace: edge.namespace.metadata.name, provider });

  if (pulumi.runtime.isDryRun()) log.info(`\n${renderPlan(plan, { maxRows: 100, ...(lock && { lock }) })}`);
  const canonical = canonicalPlan(plan);
  return {
    plan,
    planHash: hash,
    config,
    stackFile,
    ...(lock && { lock }),
    outputs: {
      site,
      planHash: hash,
      placements: canonical.placements.map((p) => ({ task: p.task, tier: p.tier, latencyMs: p.latencyMs, cost: p.cost, score: p.score })),
      unplaced: canonical.unplaced.map((u) => ({ task: u.task, reasons: u.reasons })),
      violations: canonical.violations,
      utilization: canonical.utilization,
      objective: canonical.objective,
      solver: canonical.solver,
      instanceTypes: cloud.instanceTypes,
      edgeNamespace: edge.namespace.metadata.name,
    },
  };
}

/** Reads every `tierplan:` key the way Pulumi hands structured config to a program. */
function readSiteConfig(stackFile: string): SiteConfig {
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  const raw: Record<string, unknown> = {};
  for (const key of ["catalog", "algorithm", "network", "cloud", "edge", "robots"]) {
    const text = config.get(key);
    if (text === undefined) continue;
    try {
      raw[key] = config.getObject<unknown>(key);
    } catch {
      raw[key] = text; // a plain string: the schema says whether one is allowed here
    }
  }
  // Only its presence is needed here; the value stays a secret Output for the provider.
  if (config.getSecret("kubeconfig") !== undefined) raw.kubeconfig = "(secret)";
  return parseSiteConfig(raw, stackFile);
}

function edgeSizing(config: SiteConfig, stackFile: string): EdgeSizing {
  const edge = config.edge;
  let gpuTflops = edge.gpuTflops ?? DEFAULT_GPU_TFLOPS;
  if (edge.mode === "eks" && edge.eks) {
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

const AWS_TAG_VALUE = /^[\p{L}\p{N}\s+\-=._:/@]*$/u;

/** Everything the plan asks of provisioning that config or catalog cannot give, found before any resource exists. */
function checkProvisionable(plan: Plan, config: SiteConfig, sizing: EdgeSizing, stackFile: string, catalog: string): void {
  const issues: CatalogIssue[] = [];
  for (const p of plan.placements) {
    if (p.kind === "edge" && !p.image) {
      issues.push({ file: catalog, path: ["tasks", `${p.source}`, "image"], message: `task '${p.task}' is placed on edge tier ${p.tier} and needs a container image: add 'image:' to it` });
    }
    if (p.kind === "cloud" && !AWS_TAG_VALUE.test(`${p.task}${p.source}${p.tier}${plan.site}`)) {
      issues.push({ file: catalog, path: ["tasks", p.source, "name"], message: `task '${p.task}' runs on EC2, whose tags carry its name, tier and site: AWS tag values take only letters, digits, spaces and + - = . _ : / @` });
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
        issues.push({ file: stackFile, path: [`${CONFIG_NAMESPACE}:cloud`, "instanceTypes", i], message: `unknown instance type '${name}': use one of ${INSTANCE_TYPES.map((t) => t.name).join(", ")}` });
      }
    });
  }
  const edge = config.edge;
  if (edge.mode === "eks" && edge.eks) {
    const edgeTiers = plan.environments.filter((e) => e.kind === "edge");
    if (edgeTiers.length > 1) {
      issues.push({ file: stackFile, path: [`${CONFIG_NAMESPACE}:edge`, "mode"], message: `mode eks builds one cluster for one edge tier, but the catalog has ${edgeTiers.length} (${edgeTiers.map((e) => e.name).join(", ")}): merge them, or use mode existing with nodes labelled by tier` });
    }
    const node = nodeShape(edge.eks);
    for (const p of plan.placements.filter((p) => p.kind === "edge")) {
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

/** The edge cluster's provider: from the kubeconfig secret, or from the EKS cluster built here. */
function edgeProvider(site: string, config: SiteConfig, edgePlacements: Placement[], sizing: EdgeSizing): k8s.Provider {
  const edge = config.edge;
  if (edge.mode === "existing") {
    const kubeconfig = new pulumi.Config(CONFIG_NAMESPACE).requireSecret("kubeconfig");
    return new k8s.Provider("edge-provider", { kubeconfig, ...PROVIDER_OPTIONS });
  }
  const eks = edge.eks!;
  const nodePlan = eksNodePlan(edgePlacements, nodeShape(eks), sizing, eks.minNodes)!;
  const cluster = new EksEdgeCluster("edge-cluster", {
    site,
    controlPlaneSubnetIds: eks.controlPlaneSubnetIds,
    subnetIds: eks.subnetIds,
    version: eks.version,
    nodeInstanceType: eks.nodeInstanceType,
    nodeCount: nodePlan.nodes,
    nodeDiskGb: nodePlan.diskGb,
    adminPrincipalArns: eks.adminPrincipalArns,
  });
  const provider = new k8s.Provider("edge-provider", { kubeconfig: cluster.kubeconfig, ...PROVIDER_OPTIONS }, { dependsOn: [cluster.nodeGroup] });
  new GpuDevicePlugin("edge-gpu", { provider, resource: sizing.gpuResource, slices: eks.gpuSlices });
  return provider;
}
