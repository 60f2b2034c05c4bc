import type { DeclaredResource } from "./mocks";

/** The groups a preview lists resources in, in order; the program names resources after them. */
export const GROUPS = [
  { prefix: "cloud-", title: "cloud tier (AWS EC2)" },
  { prefix: "edge-", title: "edge tier (Kubernetes)" },
  { prefix: "robot-", title: "robot configuration" },
  { prefix: "plan-", title: "plan record" },
] as const;

export function groupOf(resource: Pick<DeclaredResource, "name">): string {
  return GROUPS.find((g) => resource.name.startsWith(g.prefix))?.title ?? "other";
}

/** Resources in a stable order: by group, then name, then type (registration order is not stable). */
export function sortResources(resources: readonly DeclaredResource[]): DeclaredResource[] {
  const rank = (r: DeclaredResource) => {
    const i = GROUPS.findIndex((g) => r.name.startsWith(g.prefix));
    return i < 0 ? GROUPS.length : i;
  };
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return [...resources].sort((a, b) => rank(a) - rank(b) || cmp(a.name, b.name) || cmp(a.type, b.type));
}
