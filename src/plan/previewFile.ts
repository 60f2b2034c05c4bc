import { z } from "zod";
import { CatalogError, explainIssue, type DataPath } from "../catalog/errors";
import { readText } from "../catalog/read";
import { PlanSchema } from "./schema";

/** A saved preview of a 2,000-robot fleet is about 26 MB: previews get a larger limit than inputs. */
const PREVIEW_SIZE_LIMIT = 256 * 1024 * 1024;

/** Problems listed for a file that is not a saved preview: the first few say what it is. */
const MAX_ISSUES = 10;

/**
 * A saved `tierplan preview --json` (docs/contract.md §4): the plan as the plan's own schema
 * describes it (what the report renders), and the resources the policies judge.
 */
const PreviewFileSchema = z.object({
  stack: z.string().min(1),
  planHash: z.string().optional(),
  plan: PlanSchema,
  resources: z.array(z.object({ type: z.string(), name: z.string(), inputs: z.record(z.string(), z.unknown()) })),
});

type PreviewFile = z.infer<typeof PreviewFileSchema>;

/** Reads a saved preview, or explains what is wrong with it (exit 2). */
export function readPreviewFile(file: string): PreviewFile {
  const text = readText(file, "the preview", file, undefined, { limit: PREVIEW_SIZE_LIMIT });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new CatalogError([
      {
        file,
        path: [],
        message: `not JSON (${(error as Error).message}): save it with 'tierplan preview --stack <site> --json > preview.json'`,
      },
    ]);
  }
  const result = PreviewFileSchema.safeParse(data, { reportInput: true });
  if (!result.success) {
    throw new CatalogError(
      result.error.issues.slice(0, MAX_ISSUES).map((issue) => ({
        file,
        path: issue.path as DataPath,
        message: `${explainIssue(issue, issue.input)}: this is not the output of 'tierplan preview --json'`,
      })),
    );
  }
  return result.data;
}
