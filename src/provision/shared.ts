import { k8sName } from "../plan/names";

/**
 * What the components share, without Pulumi: a component imports this module, never another
 * component (test/architecture.test.ts), so the edge tier does not load the AWS SDK of the cloud's.
 */

/** Port a task serves on when the catalog gives none. */
export const DEFAULT_PORT = 8080;

/** Labels every tierplan object in the cluster carries, for selection and cleanup. */
export function siteLabels(site: string): Record<string, string> {
  return { "app.kubernetes.io/managed-by": "tierplan", "app.kubernetes.io/part-of": k8sName(`tierplan-${site}`) };
}
