import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { register } from "tsx/cjs/api";
import { isMap, isSeq, parseDocument, type Document } from "yaml";
import type { PreviewResult } from "../../../src/preview/run";
import { RULES, type PolicySettings, type PolicyViolation, type ResourceView } from "../../rules";
import { stackPolicy } from "../../rules/stackPolicy";

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
const REPO = resolve(__dirname, "..", "..", "..");

/** A mocked preview of one stack and its resources as the policies see them. */
export async function preview(stack: string, root?: string): Promise<{ result: PreviewResult; views: ResourceView[] }> {
  const result = await loadRunPreview()(stack, root === undefined ? {} : { root });
  return { result, views: viewsOf(result) };
}

function viewsOf(result: PreviewResult): ResourceView[] {
  return result.resources.map((r) => ({ type: r.type, name: r.name, props: r.inputs }));
}

/** A deep copy, so a mutation never leaks into another test's resources. */
export function copy<T>(value: T): T {
  return structuredClone(value);
}

/**
 * A copy of the repository's Pulumi.yaml, stacks/ and catalogs/ in a fresh directory, with one
 * catalog file edited. Returns the root to pass to `runPreview`.
 */
export function rootWithCatalog(catalogFile: string, edit: (doc: Document) => void): string {
  const dir = mkdtempSync(join(tmpdir(), "tierplan-policy-"));
  for (const entry of ["Pulumi.yaml", "stacks", "catalogs"])
    cpSync(join(REPO, entry), join(dir, entry), { recursive: true });
  const file = join(dir, catalogFile);
  const doc = parseDocument(readFileSync(file, "utf8"));
  edit(doc);
  writeFileSync(file, doc.toString());
  return dir;
}

/** A copy of the repository's stacks and catalogs with extra files (e.g. a stack's lock), unedited otherwise. */
export function rootWithFiles(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "tierplan-policy-"));
  for (const entry of ["Pulumi.yaml", "stacks", "catalogs"])
    cpSync(join(REPO, entry), join(dir, entry), { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

/** `pin: <env>` set on one task of one catalog file. */
export function rootWithPin(catalogFile: string, task: string, pin: string): string {
  return rootWithCatalog(catalogFile, (doc) => {
    const tasks = doc.get("tasks");
    if (!isSeq(tasks)) throw new Error(`${catalogFile} has no task list`);
    const entry = tasks.items.find((item) => isMap(item) && item.get("name") === task);
    if (!isMap(entry)) throw new Error(`${catalogFile} has no task '${task}'`);
    entry.set("pin", pin);
  });
}

/** The preview as `tierplan preview --json` saves it, with the given resources. */
export function savePreview(result: PreviewResult, views: readonly ResourceView[], dir: string, name: string): string {
  const file = join(dir, `${name}.json`);
  const resources = views.map((v) => ({ type: v.type, name: v.name, inputs: v.props }));
  writeFileSync(
    file,
    JSON.stringify(
      {
        stack: result.stack,
        plan: result.plan,
        planHash: result.planHash,
        resources,
        policies: result.policies,
        warnings: result.warnings,
      },
      null,
      2,
    ),
  );
  return file;
}

/** `tierplan check <file>`, run as CI runs it: its exit status and the policies its verdict lines name, by level. */
export function tierplanCheck(
  file: string,
  ...args: string[]
): { status: number | null; mandatory: string[]; advisory: string[]; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [join(REPO, "bin", "tierplan.js"), "check", file, ...args], {
    cwd: REPO,
    encoding: "utf8",
  });
  const names = (mark: string) =>
    [...run.stdout.matchAll(new RegExp(`${mark}\\s+(tierplan-[a-z-]+):`, "g"))].map((m) => m[1]);
  return {
    status: run.status,
    mandatory: names("✖ mandatory"),
    advisory: names("! advisory"),
    stdout: run.stdout,
    stderr: run.stderr,
  };
}

/**
 * The pack as the policy engine runs it: every rule wrapped as a CrossGuard stack policy
 * (`stackPolicy`, what policies/index.ts hands PolicyPack), the resources with URNs, the
 * settings as the engine's policy config; what each policy reports, with its level.
 */
export function runPack(views: readonly ResourceView[], settings: PolicySettings = {}): PolicyViolation[] {
  const resources = views.map((v) => ({
    type: v.type,
    name: v.name,
    urn: v.urn ?? `urn:pulumi:test::tierplan::${v.type}::${v.name}`,
    props: v.props,
  }));
  const out: PolicyViolation[] = [];
  for (const rule of RULES) {
    const policy = stackPolicy(rule);
    const setting = settings[rule.name];
    const level = typeof setting === "string" ? setting : (setting?.enforcementLevel ?? policy.enforcementLevel);
    if (level === "disabled") continue;
    const config = typeof setting === "object" ? setting : {};
    policy.validateStack({ resources, getConfig: <T extends object>() => config as T }, (message, urn) =>
      out.push({ policy: rule.name, level, message, ...(urn !== undefined && { resource: urn }) }),
    );
  }
  return out;
}

export function removeRoot(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
