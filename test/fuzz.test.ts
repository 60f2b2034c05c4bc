import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import type { CliIO } from "../src/cli/io";
import { loadCli, runCli, type Run } from "./support/cli";

/*
 * Issue 12, part 2: whatever file a user gives, tierplan answers with exit 0, 1 or 2, prints
 * nothing on stdout when it refuses the input, and never a stack trace or an internal error.
 * Mutated catalogs go through `tierplan plan` in-process; mutated stack files through the offline
 * preview (the real program on the mock engine) and the CLI's own failure report. Deterministic:
 * a fixed seed and a bounded number of runs.
 */

const ROOT = resolve(__dirname, "..");
const SEED = 20_251_129;
const read = (file: string) => readFileSync(join(ROOT, file), "utf8");

const dir = mkdtempSync(join(tmpdir(), "tierplan-fuzz-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const STACK_TRACE = /\n\s+at /;

/** The contract every run must keep, whatever its input. */
function expectOrderly(run: Run, allowed: readonly number[], context: string): void {
  const where = `${context}\n--- stderr:\n${run.stderr.slice(0, 2000)}`;
  expect(allowed, where).toContain(run.status);
  expect(run.stderr, where).not.toMatch(/internal error/);
  expect(run.stderr, where).not.toMatch(STACK_TRACE);
  if (run.status === 2) {
    expect(run.stdout, where).toBe("");
    expect(run.stderr, where).toMatch(/^tierplan: /);
  }
}

// ---------------------------------------------------------------------------------------------
// Mutations: text edits a person (or a broken tool) makes, and values put where they do not belong.

const TOKENS = [
  "\n",
  " ",
  "  ",
  "\t",
  ":",
  ": ",
  "- ",
  "-",
  "[",
  "]",
  "{",
  "}",
  ",",
  "#",
  "&a ",
  "*a",
  "<<: *a",
  "---\n",
  "...\n",
  "!!binary ",
  "!!str ",
  "!custom ",
  "? ",
  "|",
  ">",
  "'",
  '"',
  "\\",
  "~",
  "null",
  "true",
  "NaN",
  ".nan",
  ".inf",
  "-.inf",
  "1e309",
  "-1",
  "0",
  "0x10",
  "1_000",
  "2147483648",
  "9007199254740993",
  "\u0000",
  "\ufeff",
  "\u00e4",
  "\ud83e\udd16",
  "%YAML 1.1\n",
  "site: other\n",
  "tasks: []\n",
  "tiers:\n",
  "perRobot: true",
  "allowedTiers: []",
  "pin: nowhere",
];

const SPECIAL_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  0.5,
  1e308,
  -1e308,
  2 ** 53 + 1,
  1e-320,
  "",
  " ",
  "cloud",
  "edge",
  "robot",
  "arm-1",
  "x".repeat(300),
  [],
  [null],
  {},
  { name: "x" },
  [[[[]]]],
  "NaN",
  "1e309",
  "\u0000",
];

type Mutation = (text: string) => string;

const arbText = fc.string({ unit: "binary", maxLength: 12 });

function lineMutation(): fc.Arbitrary<Mutation> {
  return fc.oneof(
    fc.nat().map(
      (i): Mutation =>
        (t) =>
          removeAt(t.split("\n"), i).join("\n"),
    ),
    fc.nat().map(
      (i): Mutation =>
        (t) => {
          const lines = t.split("\n");
          const k = i % Math.max(1, lines.length);
          return [...lines.slice(0, k + 1), lines[k] ?? "", ...lines.slice(k + 1)].join("\n");
        },
    ),
    fc.tuple(fc.nat(), fc.nat()).map(
      ([i, j]): Mutation =>
        (t) => {
          const lines = t.split("\n");
          const a = i % Math.max(1, lines.length);
          const b = j % Math.max(1, lines.length);
          [lines[a], lines[b]] = [lines[b], lines[a]];
          return lines.join("\n");
        },
    ),
    fc.tuple(fc.nat(), fc.boolean()).map(
      ([i, deeper]): Mutation =>
        (t) => {
          const lines = t.split("\n");
          const k = i % Math.max(1, lines.length);
          lines[k] = deeper ? `  ${lines[k]}` : lines[k].replace(/^ {1,2}/, "");
          return lines.join("\n");
        },
    ),
  );
}

function charMutation(): fc.Arbitrary<Mutation> {
  return fc.oneof(
    fc.tuple(fc.nat(), fc.constantFrom(...TOKENS)).map(
      ([at, token]): Mutation =>
        (t) =>
          insertAt(t, at, token),
    ),
    fc.tuple(fc.nat(), arbText).map(
      ([at, junk]): Mutation =>
        (t) =>
          insertAt(t, at, junk),
    ),
    fc.tuple(fc.nat(), fc.nat({ max: 8 })).map(
      ([at, n]): Mutation =>
        (t) => {
          const k = at % Math.max(1, t.length);
          return t.slice(0, k) + t.slice(k + n);
        },
    ),
    fc.nat().map(
      (at): Mutation =>
        (t) =>
          t.slice(0, at % Math.max(1, t.length)),
    ),
    // A number of the file replaced by another kind of number.
    fc
      .tuple(fc.nat(), fc.constantFrom("0", "-3", "1e309", ".nan", "0.0000001", "99999999999", "2.5", '"7"', "[1]"))
      .map(
        ([i, replacement]): Mutation =>
          (t) => {
            const numbers = [...t.matchAll(/\b\d+(\.\d+)?\b/g)];
            if (numbers.length === 0) return t;
            const m = numbers[i % numbers.length];
            return t.slice(0, m.index) + replacement + t.slice(m.index! + m[0].length);
          },
      ),
  );
}

/** A value set at a path of the parsed document (or a key added), written back as YAML or JSON. */
function structuralMutation(): fc.Arbitrary<Mutation> {
  const value = fc.oneof(fc.constantFrom(...SPECIAL_VALUES), fc.jsonValue({ maxDepth: 2 }));
  return fc.tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), value, fc.boolean(), fc.boolean()).map(
    ([steps, replacement, asJson, addKey]): Mutation =>
      (t) => {
        let data: unknown;
        try {
          data = parse(t);
        } catch {
          return t;
        }
        if (data === null || typeof data !== "object") return t;
        let node = data as Record<string, unknown>;
        for (let s = 0; s < steps.length - 1; s++) {
          const keys = Object.keys(node);
          if (keys.length === 0) break;
          const next = node[keys[steps[s] % keys.length]];
          if (next === null || typeof next !== "object") break;
          node = next as Record<string, unknown>;
        }
        const keys = Object.keys(node);
        const key = addKey || keys.length === 0 ? `k${steps.at(-1)! % 7}` : keys[steps.at(-1)! % keys.length];
        node[key] = replacement;
        return asJson ? JSON.stringify(data, null, 1) : stringify(data);
      },
  );
}

const mutations = fc.array(fc.oneof(lineMutation(), charMutation(), structuralMutation()), {
  minLength: 1,
  maxLength: 3,
});

function removeAt<T>(list: T[], i: number): T[] {
  if (list.length === 0) return list;
  const k = i % list.length;
  return [...list.slice(0, k), ...list.slice(k + 1)];
}

function insertAt(text: string, at: number, insert: string): string {
  const k = at % (text.length + 1);
  return text.slice(0, k) + insert + text.slice(k);
}

// ---------------------------------------------------------------------------------------------

describe("tierplan plan on mutated catalogs: exit 0 or 2, never an internal error", () => {
  const seeds: Array<{ name: string; files: string[] }> = [
    { name: "smart-factory", files: [read("examples/smart-factory.yaml")] },
    { name: "lab + shared tasks", files: [read("catalogs/sites/lab.yaml"), read("catalogs/vla-tasks.yaml")] },
    { name: "warehouse as JSON", files: [JSON.stringify(parse(read("catalogs/sites/warehouse-east.yaml")), null, 2)] },
  ];

  it("mutations of the example catalogs", async () => {
    let count = 0;
    const statuses = new Map<number | null, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: seeds.length - 1 }),
        fc.nat(),
        mutations,
        fc.boolean(),
        async (which, fileIndex, edits, seedGreedy) => {
          const seed = seeds[which];
          const target = fileIndex % seed.files.length;
          const paths = seed.files.map((text, i) => {
            const path = join(dir, `catalog-${count}-${i}.yaml`);
            writeFileSync(path, i === target ? edits.reduce((t, edit) => edit(t), text) : text);
            return path;
          });
          count++;
          const run = await runCli(["plan", ...paths, "--json", ...(seedGreedy ? ["--algorithm", "seed-greedy"] : [])]);
          statuses.set(run.status, (statuses.get(run.status) ?? 0) + 1);
          expectOrderly(run, [0, 2], `${seed.name}: ${paths[target]}`);
          if (run.status === 0) expect((JSON.parse(run.stdout) as { site: string }).site).toMatch(/^[a-z0-9-]+$/);
        },
      ),
      { seed: SEED, numRuns: 150, endOnFailure: true },
    );
    // The mutations reach both outcomes: the test exercises refusals and plans alike.
    expect(statuses.get(0) ?? 0).toBeGreaterThan(5);
    expect(statuses.get(2) ?? 0).toBeGreaterThan(30);
  });

  it("random bytes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        const path = join(dir, "bytes.yaml");
        writeFileSync(path, bytes);
        expectOrderly(await runCli(["plan", path]), [2], `bytes ${Buffer.from(bytes).toString("hex")}`);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });
});

describe("stack files: mutated, through the offline preview and the CLI's failure report", () => {
  const root = mkdtempSync(join(tmpdir(), "tierplan-fuzz-root-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  for (const entry of ["Pulumi.yaml", "stacks", "catalogs"])
    cpSync(join(ROOT, entry), join(root, entry), { recursive: true });

  /** runPreview and reportFailure, loaded like the CLI (natively, through tsx). */
  function previewer() {
    loadCli();
    const load = createRequire(__filename);
    const { runPreview } = load("../src/preview/run.ts") as typeof import("../src/preview/run");
    const { reportFailure } = load("../src/cli/exit.ts") as typeof import("../src/cli/exit");
    return async (stack: string): Promise<Run> => {
      const stderr: string[] = [];
      const io: CliIO = {
        stdout: { write: () => undefined },
        stderr: { write: (t: string) => stderr.push(t) },
        env: {},
      };
      try {
        const result = await runPreview(stack, { root });
        return {
          status: result.policies.violations.some((v) => v.level === "mandatory") ? 1 : 0,
          stdout: "",
          stderr: "",
        };
      } catch (error) {
        return { status: reportFailure(error, io), stdout: "", stderr: stderr.join("") };
      }
    };
  }

  it("mutations of factory-a's and warehouse-east's stack files", async () => {
    const preview = previewer();
    const stacks = ["factory-a", "warehouse-east"].map((stack) => ({
      stack,
      text: read(`stacks/Pulumi.${stack}.yaml`),
    }));
    const statuses = new Map<number | null, number>();
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: stacks.length - 1 }), mutations, async (which, edits) => {
        const { stack, text } = stacks[which];
        const mutated = edits.reduce((t, edit) => edit(t), text);
        writeFileSync(join(root, "stacks", `Pulumi.${stack}.yaml`), mutated);
        const run = await preview(stack);
        statuses.set(run.status, (statuses.get(run.status) ?? 0) + 1);
        expectOrderly(run, [0, 1, 2], `${stack}:\n${mutated}`);
      }),
      { seed: SEED, numRuns: 30, endOnFailure: true },
    );
    expect(statuses.get(0) ?? 0).toBeGreaterThan(2);
    expect(statuses.get(2) ?? 0).toBeGreaterThan(10);
  });
});
