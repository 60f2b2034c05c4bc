import type { Environment } from "../../src/model";
import {
  FACT_KEYS,
  HOST_KEYS,
  HOST_RECORD_KIND,
  MANAGED_BY,
  NODE_LABELS,
  NODE_NAME_FIELD,
  RECORD_KEYS,
  RECORD_KINDS,
} from "../../src/plan/facts";
import { k8sName } from "../../src/plan/names";
import { admits, deploymentOf, type DeploymentView, type NodeRequirement, type NodeView } from "./kubernetes";
import type { PlanRecordView } from "./record";
import { CONFIG_MAP, DEPLOYMENT, INSTANCE, record, stringMap, type ResourceView } from "./resources";

/**
 * The workloads tierplan manages, each with the task it runs (its `tierplan/task` identity) and
 * the environments it can actually run on, read from its own properties: an EC2 instance runs on
 * the cloud tier; a Deployment's pods on the edge tiers and machines its nodeSelector, nodeName
 * and required node affinity admit; a robot config's tasks on the robot it is delivered to. An EC2
 * instance shared by several tasks (cloud packing) names them in its host record ConfigMap.
 */
export interface Workload {
  resource: ResourceView;
  what: "instance" | "deployment" | "robot config";
  task: string;
  /** Where it can run; one entry when its steering decides, none when no environment of the plan admits it. */
  runsOn: Environment[];
  /** For pods on edge tiers with machines: the machines they can land on. */
  machines: string[];
  /** How the workload is steered, in words, for messages. */
  steering: string;
  /** The Deployment's typed props. */
  deployment?: DeploymentView;
  /** The tasks an EC2 instance runs, when it runs several (a shared host): this one among them. */
  sharedWith?: string[];
}

/** A resource tierplan manages whose task it runs cannot be read. */
export interface UnreadableWorkload {
  resource: ResourceView;
  problem: string;
}

const KNOWN_NODE_LABELS: ReadonlySet<string> = new Set(Object.values(NODE_LABELS));

export function workloadsOf(
  resources: readonly ResourceView[],
  view: PlanRecordView | undefined,
): { workloads: Workload[]; unreadable: UnreadableWorkload[] } {
  const workloads: Workload[] = [];
  const unreadable: UnreadableWorkload[] = [];
  const envs = view ? [...view.environments.values()] : [];
  const nodes = edgeNodes(envs, view);
  const cloud = envs.filter((e) => e.kind === "cloud");
  const hosts = hostRecords(resources, unreadable);
  const hostsSeen = new Set<string>();

  for (const resource of resources) {
    if (resource.type === INSTANCE) {
      const tags = stringMap(resource.props.tags);
      if (tags[FACT_KEYS.managedBy] !== MANAGED_BY) continue;
      // The cloud tier its tag names, when the site has several; an instance cannot run anywhere but the cloud.
      const named = cloud.filter((e) => e.name === tags[FACT_KEYS.tier]);
      const runsOn = cloud.length === 1 ? cloud : named.length === 1 ? named : cloud;
      const steering = `an EC2 instance runs on the cloud tier${runsOn.length === 1 ? ` ${runsOn[0].name}` : ""}`;
      const task = tags[FACT_KEYS.task];
      const host = tags[HOST_KEYS.host];
      if (task) {
        workloads.push({ resource, what: "instance", task, runsOn, machines: [], steering });
      } else if (host && hosts.has(host)) {
        const tasks = hosts.get(host)!.tasks;
        hostsSeen.add(host);
        for (const t of tasks)
          workloads.push({
            resource,
            what: "instance",
            task: t,
            runsOn,
            machines: [],
            steering: `${steering}, shared host ${host}`,
            sharedWith: tasks,
          });
      } else {
        unreadable.push({
          resource,
          problem: host
            ? `a tierplan instance of shared host '${host}' without its host record (ConfigMap ${RECORD_KEYS.record}=${HOST_RECORD_KIND}): which tasks it runs is unknown`
            : `a tierplan instance without its ${FACT_KEYS.task} or ${HOST_KEYS.host} tag: which task it runs is unknown`,
        });
      }
    } else if (resource.type === DEPLOYMENT) {
      const deployment = deploymentOf(resource);
      if (deployment.annotations[FACT_KEYS.managedBy] !== MANAGED_BY) continue;
      const task = deployment.annotations[FACT_KEYS.task];
      if (!task) {
        unreadable.push({
          resource,
          problem: `a tierplan Deployment without its ${FACT_KEYS.task} annotation: which task it runs is unknown`,
        });
        continue;
      }
      workloads.push({
        resource,
        what: "deployment",
        task,
        ...podsLand(deployment, nodes),
        steering: describeSteering(deployment),
        deployment,
      });
    } else if (
      resource.type === CONFIG_MAP &&
      resource.props.metadata?.labels?.[RECORD_KEYS.record] === RECORD_KINDS.robotConfig
    ) {
      const annotations = stringMap(resource.props.metadata?.annotations);
      const robot = annotations[RECORD_KEYS.robot];
      let entries: unknown;
      try {
        entries = JSON.parse(String(annotations[RECORD_KEYS.robotPlacements]));
      } catch {
        entries = undefined;
      }
      if (!robot || !Array.isArray(entries)) {
        unreadable.push({
          resource,
          problem: `a robot config without its ${RECORD_KEYS.robot} annotation or a readable ${RECORD_KEYS.robotPlacements} list: which tasks run on which robot is unknown`,
        });
        continue;
      }
      const env = envs.find((e) => e.name === robot && e.kind === "robot");
      entries.forEach((entry, i) => {
        const task = record(entry)?.[FACT_KEYS.task];
        if (typeof task !== "string" || task === "")
          unreadable.push({
            resource,
            problem: `${RECORD_KEYS.robotPlacements} entry ${i} names no task (${FACT_KEYS.task})`,
          });
        else
          workloads.push({
            resource,
            what: "robot config",
            task,
            runsOn: env ? [env] : [],
            machines: [],
            steering: `the robot config of ${robot}`,
          });
      });
    }
  }
  for (const [host, { resource }] of hosts) {
    if (!hostsSeen.has(host))
      unreadable.push({
        resource,
        problem: `host record of '${host}', but no tierplan instance is that host (${HOST_KEYS.host}=${host}): its tasks run nowhere`,
      });
  }
  return { workloads, unreadable };
}

/** Shared cloud hosts' records: the host id and the tasks it runs, from its placement facts. */
function hostRecords(
  resources: readonly ResourceView[],
  unreadable: UnreadableWorkload[],
): Map<string, { resource: ResourceView; tasks: string[] }> {
  const out = new Map<string, { resource: ResourceView; tasks: string[] }>();
  for (const resource of resources) {
    if (resource.type !== CONFIG_MAP || resource.props.metadata?.labels?.[RECORD_KEYS.record] !== HOST_RECORD_KIND)
      continue;
    const annotations = stringMap(resource.props.metadata?.annotations);
    const host = annotations[HOST_KEYS.host];
    let entries: unknown;
    try {
      entries = JSON.parse(String(annotations[HOST_KEYS.hostPlacements]));
    } catch {
      entries = undefined;
    }
    const tasks = Array.isArray(entries) ? entries.map((e) => record(e)?.[FACT_KEYS.task]) : [];
    if (!host || !Array.isArray(entries) || tasks.some((t) => typeof t !== "string" || t === "")) {
      unreadable.push({
        resource,
        problem: `a cloud host record without its ${HOST_KEYS.host} annotation or a readable ${HOST_KEYS.hostPlacements} list of tasks`,
      });
      continue;
    }
    if (out.has(host)) unreadable.push({ resource, problem: `a second host record of '${host}'` });
    else out.set(host, { resource, tasks: tasks as string[] });
  }
  return out;
}

interface PlanNode extends NodeView {
  env: Environment;
  machine?: string;
}

/** The environments and machines a Deployment's pods may land on, among the plan's nodes. */
function podsLand(
  deployment: DeploymentView,
  nodes: readonly PlanNode[],
): { runsOn: Environment[]; machines: string[] } {
  const admitted = nodes.filter((n) => admits(deployment, n, KNOWN_NODE_LABELS));
  return {
    runsOn: [...new Set(admitted.map((n) => n.env))],
    machines: [...new Set(admitted.flatMap((n) => (n.machine === undefined ? [] : [n.machine])))],
  };
}

/**
 * Deployments tierplan does not manage whose pods can only land on one machine of the plan
 * (by nodeName or required node affinity): they take that machine's GPUs and disk too.
 */
export function foreignPodsOnMachines(
  resources: readonly ResourceView[],
  view: PlanRecordView,
): Array<{ deployment: DeploymentView; machine: string }> {
  const nodes = edgeNodes([...view.environments.values()], view);
  const out: Array<{ deployment: DeploymentView; machine: string }> = [];
  for (const resource of resources) {
    if (resource.type !== DEPLOYMENT) continue;
    const deployment = deploymentOf(resource);
    if (deployment.annotations[FACT_KEYS.managedBy] === MANAGED_BY) continue;
    const steered =
      deployment.nodeName !== undefined ||
      deployment.requiredTerms !== undefined ||
      Object.keys(deployment.nodeSelector).some((k) => KNOWN_NODE_LABELS.has(k));
    if (!steered) continue;
    const { runsOn, machines } = podsLand(deployment, nodes);
    if (
      runsOn.length === 1 &&
      machines.length === 1 &&
      !nodes.some((n) => n.machine === undefined && n.env === runsOn[0])
    )
      out.push({ deployment, machine: machines[0] });
  }
  return out;
}

/** The nodes of the site's edge tiers as the plan knows them: each machine, or one node standing for a tier without machines. */
function edgeNodes(envs: readonly Environment[], view: PlanRecordView | undefined): PlanNode[] {
  const out: PlanNode[] = [];
  for (const env of envs.filter((e) => e.kind === "edge")) {
    const tierLabel = { [NODE_LABELS.edgeTier]: k8sName(env.name) };
    const machines = view ? [...view.machines.values()].filter((m) => m.tier === env.name) : [];
    if (machines.length === 0) out.push({ env, labels: tierLabel });
    for (const { machine } of machines)
      out.push({
        env,
        machine: machine.id,
        name: machine.id,
        labels: { ...tierLabel, [NODE_LABELS.machine]: machine.id },
      });
  }
  return out;
}

function describeSteering(d: DeploymentView): string {
  const parts: string[] = [];
  if (d.nodeName !== undefined) parts.push(`nodeName ${d.nodeName}`);
  const selector = Object.entries(d.nodeSelector).map(([k, v]) => `${k}=${v}`);
  if (selector.length > 0) parts.push(`nodeSelector ${selector.join(", ")}`);
  const requirement = (r: NodeRequirement) =>
    `${r.key} ${r.operator}${r.values.length > 0 ? ` [${r.values.join(", ")}]` : ""}`;
  if (d.requiredTerms !== undefined) {
    const terms = d.requiredTerms.map(
      (t) =>
        [
          ...t.matchExpressions.map(requirement),
          ...t.matchFields.map((r) => requirement({ ...r, key: r.key || NODE_NAME_FIELD })),
        ].join(" and ") || "(empty term)",
    );
    parts.push(`required node affinity ${terms.join(" or ")}`);
  }
  return parts.length > 0 ? parts.join("; ") : "no nodeSelector, nodeName or required node affinity";
}
