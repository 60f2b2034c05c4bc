/**
 * A resource as both engines show it: the policy runtime (`StackValidationArgs.resources`, with
 * a URN) and the offline preview (the mock engine's record). `props` are the inputs, which is all
 * a preview knows.
 */
export interface ResourceView {
  type: string;
  name: string;
  urn?: string;
  props: Record<string, any>;
}

export const INSTANCE = "aws:ec2/instance:Instance";
export const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
export const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
export const RESOURCE_QUOTA = "kubernetes:core/v1:ResourceQuota";

/** How a violation names the resource: its URN under the engine, its name offline. */
export function label(resource: ResourceView): string {
  return resource.urn ?? `${resource.type} ${resource.name}`;
}

/** A plain object (not null, not an array), or undefined: what a prop must be before it is read. */
export function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** A string-to-string map (labels, annotations, tags, a nodeSelector), keeping only string values. */
export function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(record(value) ?? {})) if (typeof v === "string") out[key] = v;
  return out;
}

/** The items of an array prop, or none. */
export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A number written as a number or a numeric string (engines pass both); NaN for anything else. */
export function numeric(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "") return Number(value);
  return NaN;
}
