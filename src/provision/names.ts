import { createHash } from "node:crypto";

/**
 * A Kubernetes object name (RFC 1123 label) for a catalog name, which may hold capitals, `_`,
 * `.` or the `@` of per-robot copies. Names that had to change get a short hash of the original,
 * so `Arm_1` and `arm-1` never collide.
 */
export function k8sName(name: string, prefix = ""): string {
  const cleaned = `${prefix}${name}`.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "");
  const exact = cleaned === `${prefix}${name}`;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 6);
  const limit = exact ? 63 : 56;
  const base = cleaned.slice(0, limit).replace(/-+$/, "") || "x";
  return exact && cleaned.length <= 63 ? cleaned : `${base}-${hash}`;
}
