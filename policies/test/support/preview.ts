import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { register } from "tsx/cjs/api";
import { isMap, isSeq, parseDocument } from "yaml";
import type { PreviewResult } from "../../../src/preview/run";
import type { ResourceView } from "../../rules";

/**
 * runPreview loads the program with a plain `require("../program")` once the mocks are set, which
 * Node cannot resolve to a .ts file under vitest's module runner. Load it the way the CLI does
 * (bin/tierplan.js): through tsx's CommonJS hook, natively. Each test file runs in a process of its own.
 */
let runPreview: typeof import("../../../src/preview/run").runPreview | undefined;
function loadRunPreview(): NonNullable<typeof runPreview> {
  if (!runPreview) {
    register();
    const nativeRequire = createRequire(__filename);
    runPreview = (nativeRequire("../../../src/preview/run.ts") as typeof import("../../../src/preview/run")).runPreview;
  }
  return runPreview;
}

/** The repository root: the default root of `runPreview`. */
export const REPO = resolve(__dirname, "..", "..", "..");

/** A mocked preview of one stack and its resources as the policies see them. */
export async function preview(stack: string, root?: string): Promise<{ result: PreviewResult; views: ResourceView[] }> {
  const result = await loadRunPreview()(stack, root === undefined ? {} : { root });
  return { result, views: viewsOf(result) };
}

export function viewsOf(result: PreviewResult): ResourceView[] {
  return result.resources.map((r) => ({ type: r.type, name: r.name, props: r.inputs }));
}

/** A deep copy, so a mutation never leaks into another test's resources. */
export function copy<T>(value: T): T {
  return structuredClone(value);
}

/**
 * A copy of the repository's Pulumi.yaml, stacks/ and catalogs/ in a fresh directory, with
 * `pin: <env>` set on one task of one catalog file. Returns the root to pass to `runPreview`.
 */
export function rootWithPin(catalogFile: string, task: string, pin: string): string {
  const dir = mkdtempSync(join(tmpdir(), "tierplan-policy-"));
  for (const entry of ["Pulumi.yaml", "stacks", "catalogs"]) cpSync(join(REPO, entry), join(dir, entry), { recursive: true });
  const file = join(dir, catalogFile);
  const doc = parseDocument(readFileSync(file, "utf8"));
  const tasks = doc.get("tasks");
  if (!isSeq(tasks)) throw new Error(`${catalogFile} has no task list`);
  const entry = tasks.items.find((item) => isMap(item) && item.get("name") === task);
  if (!isMap(entry)) throw new Error(`${catalogFile} has no task '${task}'`);
  entry.set("pin", pin);
  writeFileSync(file, doc.toString());
  return dir;
}

export function removeRoot(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
