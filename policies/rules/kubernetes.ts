import { EGRESS_BANDWIDTH_ANNOTATION, NODE_NAME_FIELD } from "../../src/plan/facts";
import { list, numeric, record, stringMap, type ResourceView } from "./resources";

/**
 * Typed reads of a Deployment's props: what its pods request, how many there are and which nodes
 * may run them, as the Kubernetes API defines it, whatever tierplan's annotations say.
 */

/** One requirement of a node selector term (`matchExpressions` or `matchFields`). */
export interface NodeRequirement {
  key: string;
  operator: string;
  values: string[];
}

/** A term of `requiredDuringSchedulingIgnoredDuringExecution`: all its requirements must hold. */
interface NodeSelectorTerm {
  matchExpressions: NodeRequirement[];
  matchFields: NodeRequirement[];
}

/** A node as the plan knows it: a machine (its name is the machine id) or a node of a tier without machines (name unknown). */
export interface NodeView {
  name?: string;
  labels: Record<string, string>;
}

export interface DeploymentView {
  resource: ResourceView;
  /** `metadata.namespace` when known (a string at preview). */
  namespace?: string;
  annotations: Record<string, string>;
  /** `spec.replicas`; Kubernetes' default 1 when absent. */
  replicas: number;
  /** What one pod requests, per resource, in the resource's base unit (Kubernetes' effective pod request). */
  requests: Record<string, number>;
  /** Annotations of the pod template. */
  podAnnotations: Record<string, string>;
  nodeSelector: Record<string, string>;
  nodeName?: string;
  /** The required node affinity's terms; undefined when the pod has none. */
  requiredTerms?: NodeSelectorTerm[];
  /** What cannot be read: a replica count that is no whole number, a quantity that is no quantity. */
  problems: string[];
  /** Requests of extended resources the API server rejects (no limit, a request unequal to it, a fraction): no such pod is ever created. */
  rejections: string[];
}

const SUFFIXES: Record<string, number> = {
  "": 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:[eE]([+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

/** A Kubernetes quantity ("500m", "2Gi", "1e3", "10000M", or a plain number) in its base unit; NaN when it is none. */
export function quantity(value: unknown): number {
  if (typeof value === "number") return Number.isFinite(value) ? value : NaN;
  if (typeof value !== "string") return NaN;
  const match = QUANTITY.exec(value.trim());
  if (!match) return NaN;
  const [, mantissa, exponent, suffix] = match;
  return Number(mantissa) * (exponent !== undefined ? 10 ** Number(exponent) : SUFFIXES[suffix ?? ""]);
}

/** Extended resources (a domain-prefixed name, e.g. nvidia.com/gpu) come in whole units and are never overcommitted. */
function isExtended(resource: string): boolean {
  return resource.includes("/") && !resource.startsWith("kubernetes.io/");
}

/** One container's requests, as the API server defaults them: a limit without a request is the request. */
function containerRequests(
  container: unknown,
  where: string,
  problems: string[],
  rejections: string[],
): Record<string, number> {
  const resources = record(record(container)?.resources);
  const requests = record(resources?.requests) ?? {};
  const limits = record(resources?.limits) ?? {};
  const out: Record<string, number> = {};
  for (const name of new Set([...Object.keys(requests), ...Object.keys(limits)])) {
    const request = name in requests ? quantity(requests[name]) : undefined;
    const limit = name in limits ? quantity(limits[name]) : undefined;
    if (request !== undefined && !(request >= 0))
      problems.push(`${where} requests ${name} '${String(requests[name])}', which is not a quantity`);
    if (limit !== undefined && !(limit >= 0))
      problems.push(`${where} limits ${name} '${String(limits[name])}', which is not a quantity`);
    if (isExtended(name)) {
      if (limit === undefined)
        rejections.push(
          `${where} requests ${name} without a limit: Kubernetes rejects the pod (an extended resource needs its limit)`,
        );
      else if (request !== undefined && request !== limit)
        rejections.push(
          `${where} requests ${request} ${name} but limits ${limit}: Kubernetes rejects the pod (they must be equal)`,
        );
      else if (!Number.isInteger(limit))
        rejections.push(`${where} asks for ${limit} ${name}: Kubernetes grants whole units only`);
    }
    const effective = request ?? limit!;
    if (effective >= 0) out[name] = effective;
  }
  return out;
}

function requirement(value: unknown): NodeRequirement {
  const r = record(value) ?? {};
  return { key: String(r.key ?? ""), operator: String(r.operator ?? ""), values: list(r.values).map(String) };
}

/** Typed view of a Deployment's props. */
export function deploymentOf(resource: ResourceView): DeploymentView {
  const props = resource.props;
  const spec = record(props.spec) ?? {};
  const template = record(spec.template) ?? {};
  const pod = record(template.spec) ?? {};
  const problems: string[] = [];
  const rejections: string[] = [];

  let replicas = 1;
  if (spec.replicas !== undefined && spec.replicas !== null) {
    replicas = numeric(spec.replicas);
    if (!Number.isInteger(replicas) || replicas < 0) {
      problems.push(`spec.replicas '${String(spec.replicas)}' is not a whole number >= 0`);
      replicas = NaN;
    }
  }

  // Kubernetes' effective pod request: the sum over the containers, or the largest init container's if larger.
  const requests: Record<string, number> = {};
  list(pod.containers).forEach((c, i) => {
    for (const [name, amount] of Object.entries(
      containerRequests(c, `container ${String(record(c)?.name ?? i)}`, problems, rejections),
    ))
      requests[name] = (requests[name] ?? 0) + amount;
  });
  list(pod.initContainers).forEach((c, i) => {
    for (const [name, amount] of Object.entries(
      containerRequests(c, `init container ${String(record(c)?.name ?? i)}`, problems, rejections),
    ))
      requests[name] = Math.max(requests[name] ?? 0, amount);
  });

  const required = record(record(record(pod.affinity)?.nodeAffinity)?.requiredDuringSchedulingIgnoredDuringExecution);
  const requiredTerms = required
    ? list(required.nodeSelectorTerms).map((t) => ({
        matchExpressions: list(record(t)?.matchExpressions).map(requirement),
        matchFields: list(record(t)?.matchFields).map(requirement),
      }))
    : undefined;

  const namespace = record(props.metadata)?.namespace;
  return {
    resource,
    ...(typeof namespace === "string" && namespace !== "" && { namespace }),
    annotations: stringMap(record(props.metadata)?.annotations),
    replicas,
    requests,
    podAnnotations: stringMap(record(template.metadata)?.annotations),
    nodeSelector: stringMap(pod.nodeSelector),
    ...(typeof pod.nodeName === "string" && pod.nodeName !== "" && { nodeName: pod.nodeName }),
    ...(requiredTerms && { requiredTerms }),
    problems,
    rejections,
  };
}

/** The pod's egress bandwidth annotation in Mbps; undefined when absent, NaN when unreadable. */
export function egressMbps(view: DeploymentView): number | undefined {
  const raw = view.podAnnotations[EGRESS_BANDWIDTH_ANNOTATION];
  return raw === undefined ? undefined : quantity(raw) / 1e6;
}

/**
 * Whether the scheduler may put the pod on `node`, by nodeName, nodeSelector and required node
 * affinity. The plan knows a node only by tierplan's labels (`known`) and, for a machine, its
 * name: a requirement on any other label cannot be judged and is taken as met.
 */
export function admits(view: DeploymentView, node: NodeView, known: ReadonlySet<string>): boolean {
  if (view.nodeName !== undefined && view.nodeName !== node.name) return false;
  for (const [key, value] of Object.entries(view.nodeSelector)) {
    if (known.has(key) && node.labels[key] !== value) return false;
  }
  if (view.requiredTerms === undefined) return true;
  return view.requiredTerms.some(
    (term) =>
      (term.matchExpressions.length > 0 || term.matchFields.length > 0) &&
      term.matchExpressions.every((r) => !known.has(r.key) || holds(r, node.labels[r.key])) &&
      term.matchFields.every((r) => r.key === NODE_NAME_FIELD && holds(r, node.name)),
  );
}

function holds(r: NodeRequirement, value: string | undefined): boolean {
  switch (r.operator) {
    case "In":
      return value !== undefined && r.values.includes(value);
    case "NotIn":
      return value === undefined || !r.values.includes(value);
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
    case "Gt":
    case "Lt": {
      const a = Number(value);
      const b = Number(r.values[0]);
      return value !== undefined && Number.isInteger(a) && Number.isInteger(b) && (r.operator === "Gt" ? a > b : a < b);
    }
    default:
      return false;
  }
}

/** A ResourceQuota's hard limits on requests, per resource (`requests.<name>`, or `<name>` for extended and storage resources). */
export interface QuotaView {
  resource: ResourceView;
  namespace?: string;
  /** Whether the quota applies to some pods only (scopes, scopeSelector): then it is not judged. */
  scoped: boolean;
  hard: Record<string, number>;
}

export function quotaOf(resource: ResourceView): QuotaView {
  const spec = record(resource.props.spec) ?? {};
  const namespace = record(resource.props.metadata)?.namespace;
  const hard: Record<string, number> = {};
  for (const [key, value] of Object.entries(record(spec.hard) ?? {})) {
    const name = key.startsWith("requests.") ? key.slice("requests.".length) : key;
    const amount = quantity(value);
    if (amount >= 0) hard[name] = Math.min(hard[name] ?? Infinity, amount);
  }
  return {
    resource,
    ...(typeof namespace === "string" && namespace !== "" && { namespace }),
    scoped: list(spec.scopes).length > 0 || record(spec.scopeSelector) !== undefined,
    hard,
  };
}
