import { createHash } from "node:crypto";

/** Longest Kubernetes object name or label value (an RFC 1123 label). */
export const K8S_NAME_MAX_LENGTH = 63;

/**
 * A Kubernetes object name (RFC 1123 label, at most 63 characters) for a catalog name, which may
 * hold capitals, `_`, `.` or the `@` of per-robot copies, or be too long. Names that had to
 * change get a short hash of the original, so `Arm_1` and `arm-1` never collide.
 */
export function k8sName(name: string, prefix = ""): string {
  const wanted = `${prefix}${name}`;
  const cleaned = wanted
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (cleaned === wanted && cleaned.length <= K8S_NAME_MAX_LENGTH) return cleaned;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 6);
  const base = cleaned.slice(0, K8S_NAME_MAX_LENGTH - hash.length - 1).replace(/-+$/, "");
  return base === "" ? `x-${hash}` : `${base}-${hash}`;
}

/** A name that is also a DNS-1035 label (Services): it must start with a letter. */
export function k8sServiceName(name: string): string {
  const label = k8sName(name);
  return /^[a-z]/.test(label) ? label : k8sName(name, "t-");
}
