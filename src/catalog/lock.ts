import { existsSync } from "node:fs";
import { join } from "node:path";
import { LineCounter, parseDocument, type Node } from "yaml";
import { z } from "zod";
import { CatalogError, describeValue, explainIssue, formatPath, type CatalogIssue, type DataPath } from "./errors";
import { readText } from "./read";

/**
 * The placement lock (docs/contract.md §6): `{ site, placements: [{ task, tier, machine? }] }`. Extra keys
 * are allowed everywhere, so the JSON of a plan (`tierplan plan --json`) is a valid lock; a saved
 * preview (`tierplan preview --json`) is read through its `plan`.
 */
export interface LockPlacement {
  task: string;
  tier: string;
  machine?: string;
}

export interface Lock {
  site: string;
  placements: LockPlacement[];
}

/** A lock as read from a file: where it is, and where its `site` is (for a site mismatch). */
export interface LoadedLock extends Lock {
  file: string;
  /** Line and column of its `site`, found when an error needs them. */
  siteAt?: () => { line: number; column: number } | undefined;
}

/** What a file of placements turned out to be. */
type PlacementsFileKind = "lock" | "plan" | "preview";

export type EnvironmentKind = "cloud" | "edge" | "robot";

/** A lock, plan or preview read for its placements, with what a plan adds (kinds, unplaced tasks). */
export interface PlacementsFile extends LoadedLock {
  kind: PlacementsFileKind;
  /** Plans and previews: the kind of every environment they name. */
  kinds?: Map<string, EnvironmentKind>;
  /** Plans and previews: the tasks left unplaced (still in the catalog). */
  unplaced?: string[];
}

/** Where a stack's lock lives, relative to the repository root. */
export function stackLockFile(site: string): string {
  return join("stacks", `${site}.lock.json`);
}

/** Problems listed for a file that is not a lock: the first few say what is wrong with it. */
const MAX_ISSUES = 20;

const name = z.string().min(1);
const KIND = z.enum(["cloud", "edge", "robot"]);

const LockPlacementSchema = z.looseObject({ task: name, tier: name, machine: name.optional(), kind: KIND.optional() });

const LockSchema = z.looseObject({
  site: name,
  placements: z.array(LockPlacementSchema),
  // A plan's extras, read when present: they name kinds and unplaced tasks for `tierplan diff`.
  unplaced: z.array(z.looseObject({ task: name })).optional(),
  environments: z.array(z.looseObject({ name, kind: KIND })).optional(),
});

const FIX = `a lock is {"site": "<site>", "placements": [{"task": "<task>", "tier": "<tier>", "machine": "<machine id, optional>"}]}, as 'tierplan lock --stack <site>' writes it, or a plan from 'tierplan plan --json'`;

/** Reads a lock for planning (`--lock`, `stacks/<site>.lock.json`): a lock file, a plan's JSON or a saved preview. */
export function loadLock(file: string, path = file): LoadedLock {
  const { site, placements, siteAt } = readPlacementsFile(file, path);
  return { file, site, placements, siteAt };
}

/**
 * The lock of a stack, `stacks/<site>.lock.json` under `root`, or undefined when the stack has
 * none. A lock of another site is an error, located at its `site`.
 */
export function readStackLock(root: string, site: string): LoadedLock | undefined {
  const file = stackLockFile(site);
  const path = join(root, file);
  if (!existsSync(path)) return undefined;
  const lock = loadLock(file, path);
  checkLockSite(lock, site, `delete it and run 'tierplan lock --stack ${site}' to write this stack's lock`);
  return lock;
}

/** A lock must be of the site being planned; otherwise an error at its `site`. */
export function checkLockSite(lock: LoadedLock, site: string, fix: string): void {
  if (lock.site === site) return;
  throw new CatalogError([
    {
      file: lock.file,
      path: ["site"],
      message: `the lock is of site '${lock.site}' but the plan is of site '${site}': ${fix}`,
      ...lock.siteAt?.(),
    },
  ]);
}

/**
 * Any file of placements: a lock, the JSON of a plan, or a saved preview (its `plan`). `file` is
 * how errors name it, `path` where it is. Errors carry the file, line, path inside it and the fix.
 */
export function readPlacementsFile(file: string, path = file): PlacementsFile {
  const text = readText(
    path,
    "the lock",
    file,
    "no such file: write it with 'tierplan lock --stack <site>', or give a plan saved with 'tierplan plan --json'",
    {
      expected: "JSON: expected a lock or a plan",
    },
  );
  return parsePlacements(text, file);
}

/** The same, for text already in memory. */
export function parsePlacements(text: string, file: string): PlacementsFile {
  if (text.trim() === "") throw new CatalogError([{ file, path: [], message: `the file is empty: ${FIX}` }]);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new CatalogError([jsonSyntaxIssue(error as Error, text, file)]);
  }
  let kind: PlacementsFileKind = "lock";
  let prefix: DataPath = [];
  let body = data;
  if (isRecord(data) && !("placements" in data) && isRecord(data.plan) && typeof data.stack === "string") {
    kind = "preview";
    prefix = ["plan"];
    body = data.plan;
  } else if (isRecord(data) && Array.isArray(data.unplaced) && isRecord(data.objective)) {
    kind = "plan";
  }
  if (!isRecord(body)) {
    throw new CatalogError([
      {
        file,
        path: prefix,
        message: `expected a mapping with site and placements, got ${describeValue(body)}: ${FIX}`,
        ...locator(text)(prefix),
      },
    ]);
  }
  const result = LockSchema.safeParse(body);
  const locate = locator(text);
  if (!result.success) {
    throw new CatalogError(
      result.error.issues.slice(0, MAX_ISSUES).map((issue) => {
        const at = [...prefix, ...(issue.path as DataPath)];
        const value = valueAt(data, at);
        const where = value === undefined ? at.slice(0, -1) : at;
        return { file, path: at, message: `${explainIssue(issue, value)}: ${FIX}`, ...locate(where) };
      }),
    );
  }
  const seen = new Map<string, number>();
  const issues: CatalogIssue[] = [];
  result.data.placements.forEach((p, i) => {
    const first = seen.get(p.task);
    if (first === undefined) {
      seen.set(p.task, i);
      return;
    }
    const at = [...prefix, "placements", i, "task"];
    issues.push({
      file,
      path: at,
      message: `task '${p.task}' is locked twice (first at ${formatPath([...prefix, "placements", first])}): a task runs in one place; remove one of them`,
      ...locate(at),
    });
  });
  if (issues.length > 0) throw new CatalogError(issues);

  const placements = result.data.placements.map((p) => ({
    task: p.task,
    tier: p.tier,
    ...(p.machine !== undefined && { machine: p.machine }),
  }));
  const siteAt = () => locate([...prefix, "site"]);
  const out: PlacementsFile = { file, kind, site: result.data.site, placements, siteAt };
  if (kind !== "lock") {
    const kinds = new Map<string, EnvironmentKind>();
    for (const env of result.data.environments ?? []) kinds.set(env.name, env.kind);
    for (const p of result.data.placements) if (p.kind && !kinds.has(p.tier)) kinds.set(p.tier, p.kind);
    out.kinds = kinds;
    out.unplaced = (result.data.unplaced ?? []).map((u) => u.task);
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function valueAt(data: unknown, path: DataPath): unknown {
  let value = data;
  for (const part of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}

/**
 * Where and why text is not JSON. JSON.parse says why but not always where (V8 gives a position
 * for some mistakes only), so the text is scanned for the first mistake; its own words are kept
 * when the scan finds none.
 */
function jsonSyntaxIssue(error: Error, text: string, file: string): CatalogIssue {
  const found = firstJsonMistake(text);
  const fallback = error.message.split("\n")[0].replace(/\s*in JSON at position \d+.*$/, "");
  const offset =
    found?.offset ??
    (/at position (\d+)/.exec(error.message) ? Number(/at position (\d+)/.exec(error.message)![1]) : undefined);
  const issue: CatalogIssue = { file, path: [], message: `not valid JSON: ${found?.message ?? fallback}: ${FIX}` };
  if (offset === undefined) return issue;
  const before = text.slice(0, offset).split("\n");
  return { ...issue, line: before.length, column: before[before.length - 1].length + 1 };
}

/** The first place `text` stops being JSON (RFC 8259), with what was expected there. */
function firstJsonMistake(text: string): { offset: number; message: string } | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const shown = () =>
    i >= text.length ? "the end of the file" : text.charCodeAt(i) < 0x20 ? JSON.stringify(text[i]) : `'${text[i]}'`;
  class Mistake extends Error {
    constructor(
      readonly offset: number,
      message: string,
    ) {
      super(message);
    }
  }
  const fail = (message: string): never => {
    throw new Mistake(i, `expected ${message}, got ${shown()}`);
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail("a closing '\"' or an escape (\\n, \\t) for the control character");
      if (text[i] === "\\") {
        i++;
        if (/^u[0-9a-fA-F]{4}/.test(text.slice(i, i + 5))) i += 5;
        else if (i < text.length && '"\\/bfnrt'.includes(text[i])) i++;
        else fail("a valid escape after '\\'");
      } else i++;
    }
    if (i >= text.length) fail("a closing '\"'");
    i++;
  };
  const key = () => {
    if (text[i] !== '"') fail("a key in double quotes");
    string();
    ws();
    if (text[i] !== ":") fail("':' after the key");
    i++;
  };
  // A loop over an explicit stack of open collections: no input can exhaust the call stack.
  const stack: Array<"{" | "["> = [];
  try {
    let wantValue = true;
    for (;;) {
      ws();
      if (wantValue) {
        const c = text[i];
        if (c === "{" || c === "[") {
          i++;
          ws();
          if (text[i] === (c === "{" ? "}" : "]")) {
            i++;
            wantValue = false;
            continue;
          }
          stack.push(c);
          if (c === "{") key();
          continue;
        }
        if (c === '"') string();
        else if (c !== undefined && /[-0-9]/.test(c)) {
          const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
          if (!m || m[0] === "-") fail("a number");
          i += m![0].length;
        } else if (text.startsWith("true", i)) i += 4;
        else if (text.startsWith("false", i)) i += 5;
        else if (text.startsWith("null", i)) i += 4;
        else fail("a value (a string, number, true, false, null, a mapping or a list)");
        wantValue = false;
        continue;
      }
      const open = stack[stack.length - 1];
      if (open === undefined) break;
      const close = open === "{" ? "}" : "]";
      if (text[i] === close) {
        i++;
        stack.pop();
        continue;
      }
      if (text[i] !== ",") fail(`',' or '${close}'`);
      i++;
      ws();
      if (text[i] === close)
        fail(`another ${open === "{" ? "key" : "value"} after ',' (JSON allows no trailing comma)`);
      if (open === "{") key();
      wantValue = true;
    }
    if (i < text.length) fail("the end of the file after the value");
    return undefined;
  } catch (error) {
    if (error instanceof Mistake) return { offset: error.offset, message: error.message };
    return undefined;
  }
}

/** Line and column of a data path, found by reading the text as YAML (a superset of JSON). */
function locator(text: string): (path: DataPath) => { line: number; column: number } | undefined {
  let doc: ReturnType<typeof parseDocument> | undefined;
  let lineCounter: LineCounter | undefined;
  return (path) => {
    let node: Node | undefined;
    try {
      if (!doc) {
        lineCounter = new LineCounter();
        doc = parseDocument(text, { lineCounter, uniqueKeys: false });
      }
      node = (path.length === 0 ? doc.contents : doc.getIn(path as (string | number)[], true)) as Node | undefined;
    } catch {
      return undefined; // nested past what the YAML parser takes: the issue goes without its line
    }
    const range = node?.range;
    if (!range) return undefined;
    const { line, col } = lineCounter!.linePos(range[0]);
    return { line, column: col };
  };
}
