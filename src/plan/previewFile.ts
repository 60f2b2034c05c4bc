import { z } from "zod";
import { CatalogError, formatPath } from "../catalog/errors";
import { readText } from "../catalog/read";
import type { Plan } from "./types";

/** A saved preview of a 2,000-robot fleet is about 26 MB: previews get a larger limit than inputs. */
export const PREVIEW_SIZE_LIMIT = 256 * 1024 * 1024;

/**
 * A saved `tierplan preview --json`: checked for the fields `tierplan check` relies on. The plan
 * is taken as the preview wrote it; the resources are what the policies judge.
 */
const PreviewFileSchema = z.object({
  stack: z.string().min(1),
  planHash: z.string().optional(),
  plan: z.looseObject({
    site: z.string(),
    placements: z.array(z.looseObject({ task: z.string(), tier: z.string() })),
    unplaced: z.array(z.looseObject({ task: z.string(), reasons: z.array(z.string()) })),
    violations: z.array(z.unknown()),
    objective: z.looseObject({}),
    utilization: z.array(z.unknown()),
    recommendations: z.array(z.string()),
    solver: z.looseObject({}),
    environments: z.array(z.unknown()),
  }),
  resources: z.array(z.object({ type: z.string(), name: z.string(), inputs: z.record(z.string(), z.unknown()) })),
});

export interface PreviewFile {
  stack: string;
  planHash?: string;
  plan: Plan;
  resources: Array<{ type: string; name: string; inputs: Record<string, unknown> }>;
}

/** Reads a saved preview, or explains what is wrong with it (exit 2). */
export function readPreviewFile(file: string): PreviewFile {
  const text = readText(file, "the preview", file, undefined, { limit: PREVIEW_SIZE_LIMIT });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new CatalogError([{ file, path: [], message: `not JSON (${(error as Error).message}): save it with 'tierplan preview --stack <site> --json > preview.json'` }]);
  }
  const result = PreviewFileSchema.safeParse(data);
  if (!result.success) {
    throw new CatalogError(
      result.error.issues.slice(0, 10).map((issue) => ({
        file,
        path: issue.path as (string | number)[],
        message: `${issue.message} at ${formatPath(issue.path as (string | number)[])}: this is not the output of 'tierplan preview --json'`,
      })),
    );
  }
  return result.data as unknown as PreviewFile;
}
