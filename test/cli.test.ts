import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { progressPrinter } from "../src/cli/progress";
import type { Plan as FullPlan } from "../src/plan";
import { loadCli, runCli, type Run } from "./support/cli";
import { packingSite } from "./support/sites";

/*
 * The CLI as users and scripts see it (docs/contract.md §3): exit statuses, what goes to stdout and
 * stderr, and the JSON of a plan. Most cases run the command in-process (runCli: src/cli/main.ts's
 * run with captured outputs), which is what they are about; a few spawn the real binary, for
 * what only a process shows (its exit status, a pipe, the start-up).
 */

const ROOT = resolve(__dirname, "..");
const BIN = join(ROOT, "bin", "tierplan.js");
const EXAMPLE = "examples/smart-factory.yaml";

/** The binary in a process of its own: about half a second each (tsx), so few. */
function spawnTierplan(...args: string[]): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env.TIERPLAN_DEBUG;
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env, encoding: "utf8", timeout: 30_000 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The command in-process. */
const tierplan = (...args: string[]): Promise<Run> => runCli(args);

const STACK_TRACE = /\n\s+at /;

/** Invalid input or usage: status 2, nothing on stdout, a message on stderr, no stack trace. */
function expectRejected(run: Run): void {
  expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 2, stdout: "" });
  expect(run.stderr.trim()).not.toBe("");
  expect(run.stderr).not.toMatch(STACK_TRACE);
  expect(run.stderr).not.toMatch(/internal error/);
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tierplan-cli-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tempFile(name: string, content: string | Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

const TIERS = [
  "site: factory-a",
  "tiers:",
  "  - { name: cloud, kind: cloud, compute: 1000, storage: 10000, bandwidth: 1000, latency: 50, costPerHour: 10 }",
  "  - { name: edge, kind: edge, compute: 100, storage: 1000, bandwidth: 100, latency: 10, costPerHour: 5 }",
  "robots:",
  "  - { name: arm-1, compute: 10, storage: 100, bandwidth: 10, latency: 1, costPerHour: 1 }",
  "tasks:",
];

interface Plan {
  site: string;
  placements: Array<{ task: string; tier: string; latencyMs: number; cost: number; score: number }>;
  unplaced: Array<{ task: string; reasons: string[] }>;
  violations: unknown[];
  objective: {
    latencyMs: number;
    cost: number;
    score: number;
    placedByPriority: Array<{ priority: number; placed: number; total: number; bound: number }>;
  };
  utilization: Array<{ tier: string; compute: number; storage: number; bandwidth: number }>;
  solver: { algorithm: string; optimal: boolean; gap: number; ms: number };
}

describe("tierplan plan --json on the worked example", () => {
  let first: Run;
  let second: Run;
  beforeAll(async () => {
    first = spawnTierplan("plan", EXAMPLE, "--json");
    second = await tierplan("plan", EXAMPLE, "--json");
  });

  it("exits 0 with one JSON object on stdout", () => {
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toBe("");
    const plan = JSON.parse(first.stdout) as unknown;
    expect(plan).toBeTypeOf("object");
    expect(Array.isArray(plan)).toBe(false);
  });

  it("has the fields of docs/contract.md §3", () => {
    const plan = JSON.parse(first.stdout) as Plan;
    expect(plan.site).toBe("factory-a");
    expect(plan.unplaced).toEqual([]);
    expect(plan.violations).toEqual([]);
    for (const p of plan.placements) {
      expect(Object.keys(p)).toEqual(expect.arrayContaining(["task", "tier", "latencyMs", "cost", "score"]));
      for (const key of ["latencyMs", "cost", "score"] as const) expect(Number.isFinite(p[key])).toBe(true);
    }
    expect(plan.objective).toMatchObject({
      latencyMs: expect.any(Number),
      cost: expect.any(Number),
      score: expect.any(Number),
    });
    // docs/contract.md §7 adds each level's proven bound; the counts are docs/contract.md §3's.
    for (const level of plan.objective.placedByPriority) expect(level.bound).toBeGreaterThanOrEqual(level.placed);
    const counts = plan.objective.placedByPriority.map(({ priority, placed, total }) => ({ priority, placed, total }));
    expect(counts.sort((a, b) => b.priority - a.priority)).toEqual([
      { priority: 3, placed: 1, total: 1 },
      { priority: 2, placed: 1, total: 1 },
      { priority: 1, placed: 1, total: 1 },
    ]);
    expect(plan.utilization.map((u) => u.tier).sort()).toEqual(["arm-1", "cloud", "edge"]);
    for (const u of plan.utilization) {
      for (const d of ["compute", "storage", "bandwidth"] as const) {
        expect(u[d]).toBeGreaterThanOrEqual(0);
        expect(u[d]).toBeLessThanOrEqual(1 + 1e-9);
      }
    }
    expect(plan.utilization.find((u) => u.tier === "edge")).toMatchObject({
      compute: 0.1,
      storage: 0.01,
      bandwidth: 0.5,
    });
    expect(plan.solver).toMatchObject({ algorithm: "auto", optimal: true, gap: 0 });
    expect(plan.solver.ms).toBeGreaterThanOrEqual(0);
  });

  it("places training in the cloud, inference at the edge, action on the arm, with the seed's numbers", () => {
    const plan = JSON.parse(first.stdout) as Plan;
    const byTask = Object.fromEntries(plan.placements.map((p) => [p.task, p]));
    expect(Object.keys(byTask).sort()).toEqual(["action-execution", "model-training", "realtime-inference"]);
    expect(byTask["model-training"]).toMatchObject({ tier: "cloud", latencyMs: 55.5, cost: 55, score: 110.5 });
    expect(byTask["realtime-inference"]).toMatchObject({ tier: "edge", latencyMs: 10.2, cost: 1.5, score: 11.7 });
    expect(byTask["action-execution"]).toMatchObject({ tier: "arm-1", latencyMs: 1.2 });
    const sum = (key: "latencyMs" | "cost" | "score") => plan.placements.reduce((s, p) => s + p[key], 0);
    expect(plan.objective.score).toBeCloseTo(sum("score"), 6);
    expect(plan.objective.latencyMs).toBeCloseTo(sum("latencyMs"), 6);
    expect(plan.objective.cost).toBeCloseTo(sum("cost"), 6);
  });

  it("is deterministic: the same command twice (in a process and in-process) gives the same JSON except solver.ms", () => {
    expect(second.status).toBe(0);
    const strip = (text: string) => {
      const plan = JSON.parse(text) as Plan;
      expect(plan.solver.ms).toEqual(expect.any(Number));
      const { ms: _ms, ...solver } = plan.solver;
      return { ...plan, solver };
    };
    expect(strip(second.stdout)).toEqual(strip(first.stdout));
    // Key order too, not only the values: scripts diff the text.
    const text = (t: string) => JSON.stringify(strip(t));
    expect(text(second.stdout)).toBe(text(first.stdout));
  });
});

describe("other plans", () => {
  it("--algorithm seed-greedy is accepted and reported", async () => {
    const run = await tierplan("plan", EXAMPLE, "--json", "--algorithm", "seed-greedy");
    expect(run.status, run.stderr).toBe(0);
    const plan = JSON.parse(run.stdout) as Plan;
    expect(plan.solver.algorithm).toBe("seed-greedy");
    expect(plan.placements.map((p) => [p.task, p.tier]).sort()).toEqual([
      ["action-execution", "arm-1"],
      ["model-training", "cloud"],
      ["realtime-inference", "edge"],
    ]);
  });

  it("several files are combined; unplaced tasks still exit 0", async () => {
    const site = tempFile("site.yaml", `${TIERS.join("\n")}\n  - { name: vision, compute: 5, maxLatency: 50 }\n`);
    const extra = tempFile(
      "extra.json",
      JSON.stringify({ site: "factory-a", tasks: [{ name: "huge", compute: 5000, maxLatency: 1 }] }),
    );
    const run = await tierplan("plan", site, extra, "--json");
    expect(run.status, run.stderr).toBe(0);
    const plan = JSON.parse(run.stdout) as Plan;
    expect(plan.site).toBe("factory-a");
    expect(plan.placements.map((p) => p.task)).toEqual(["vision"]);
    expect(plan.unplaced.map((u) => u.task)).toEqual(["huge"]);
    expect(plan.unplaced[0].reasons.length).toBeGreaterThan(0);
  });

  it("tasks without images: the plan is made, and stderr says which would need one to be provisioned", async () => {
    const site = tempFile(
      "noimage.yaml",
      `${TIERS.join("\n")}\n  - { name: vision, compute: 5, maxLatency: 50 }\n  - { name: grip, compute: 1, maxLatency: 10, robot: arm-1, allowedTiers: [robot] }\n`,
    );
    const run = await tierplan("plan", site, "--json");
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).placements).toHaveLength(2);
    expect(run.stderr).toBe(
      `tierplan: warning: ${site}:8:5: tasks[0].image: task 'vision' has no image, but it has no allowedTiers lets it run on cloud tier 'cloud', edge tier 'edge', which run containers: add 'image:', or allowedTiers that keep it on robots\n`,
    );
  });

  it("many warnings are counted, not listed", async () => {
    const tasks = Array.from({ length: 8 }, (_, i) => `  - { name: t${i}, compute: 1, maxLatency: 100 }`).join("\n");
    const run = await tierplan("plan", tempFile("many.yaml", `${TIERS.join("\n")}\n${tasks}\n`), "--json");
    expect(run.status).toBe(0);
    expect(run.stderr.split("\n").filter(Boolean)).toHaveLength(6);
    expect(run.stderr).toMatch(/tierplan: warning: … and 3 more like these\n$/);
  });
});

describe("invalid input: exit 2, nothing on stdout, file and path on stderr, no stack trace", () => {
  it("empty file", async () => {
    const file = tempFile("empty.yaml", "");
    const run = await tierplan("plan", file, "--json");
    expectRejected(run);
    expect(run.stderr).toContain(`${file}: (top level): the file is empty`);
  });

  it("binary file", async () => {
    const file = tempFile(
      "junk.yaml",
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0xff, 0xfe]),
    );
    const run = await tierplan("plan", file, "--json");
    expectRejected(run);
    expect(run.stderr).toContain(`${file}: (top level): this is a binary file`);
  });

  it("YAML syntax error, with its line", async () => {
    const file = tempFile("syntax.yaml", "site: factory-a\ntasks:\n  - name: a\n    compute: 1\n  maxLatency: 3\n");
    const run = await tierplan("plan", file, "--json");
    expectRejected(run);
    expect(run.stderr).toMatch(new RegExp(`${escapeRegExp(file)}:5:\\d+: \\(top level\\): not valid YAML or JSON: `));
  });

  it("NaN value", async () => {
    const file = tempFile(
      "nan.yaml",
      `${TIERS.join("\n")}\n  - { name: a, compute: 1, maxLatency: 10 }\n  - { name: b, compute: .nan, maxLatency: 10 }\n`,
    );
    const run = await tierplan("plan", file, "--json");
    expectRejected(run);
    expect(run.stderr).toMatch(
      new RegExp(`${escapeRegExp(file)}:9:\\d+: tasks\\[1\\]\\.compute: must be a finite number, got NaN`),
    );
    expect(run.stderr).toMatch(/^tierplan: invalid input \(1 problem\):\n/);
  });

  it("dangling references: every one reported", async () => {
    const file = tempFile(
      "dangling.yaml",
      `${TIERS.join("\n")}\n  - { name: grip, compute: 1, maxLatency: 10, robot: arm1 }\n  - { name: look, compute: 1, maxLatency: 10, allowedTiers: [edge, fog] }\n`,
    );
    const run = await tierplan("plan", file);
    expectRejected(run);
    expect(run.stderr).toMatch(/^tierplan: invalid input \(2 problems\):\n/);
    expect(run.stderr).toMatch(
      new RegExp(`${escapeRegExp(file)}:8:\\d+: tasks\\[0\\]\\.robot: no robot named 'arm1': did you mean 'arm-1'\\?`),
    );
    expect(run.stderr).toMatch(
      new RegExp(
        `${escapeRegExp(file)}:9:\\d+: tasks\\[1\\]\\.allowedTiers\\[1\\]: no tier, robot or kind named 'fog'`,
      ),
    );
  });

  it("nonexistent file", async () => {
    const file = join(dir, "does-not-exist.yaml");
    const run = await tierplan("plan", file, "--json");
    expectRejected(run);
    expect(run.stderr).toContain(`${file}: (top level): cannot read the file: no such file`);
  });
});

describe("files and arguments that once ended in an internal error (issue 12): exit 2, the file named", () => {
  it("billion laughs", async () => {
    const lines = ["site: factory-a", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [n, p] of [
      ["b", "a"],
      ["c", "b"],
      ["d", "c"],
      ["e", "d"],
      ["f", "e"],
      ["g", "f"],
      ["h", "g"],
      ["i", "h"],
    ]) {
      lines.push(`${n}: &${n} [${Array(9).fill(`*${p}`).join(",")}]`);
    }
    const file = tempFile("laughs.yaml", `${lines.join("\n")}\n`);
    const run = await tierplan("plan", file);
    expectRejected(run);
    expect(run.stderr).toContain(
      `${file}: (top level): its aliases (*name) expand to more than 100 times their anchors' size, the shape of a 'billion laughs' attack`,
    );
  });

  it("--max-nodes beyond HiGHS's 32-bit limit, and other non-counts", async () => {
    for (const bad of ["2147483648", "0", "-1", "1.5", "1e3", "lots", ""]) {
      const run = await tierplan("plan", EXAMPLE, `--max-nodes=${bad}`);
      expectRejected(run);
      expect(run.stderr).toContain(`plan: --max-nodes must be a whole number from 1 to 2147483647, got '${bad}'`);
    }
    const run = await tierplan("plan", EXAMPLE, "--json", "--max-nodes", "2147483647");
    expect(run.status, run.stderr).toBe(0);
    // A contested site runs count stages, whose limit auto scales up by the model's size: still HiGHS's maximum at most.
    const packing = tempFile("packing.json", JSON.stringify(packingSite));
    const contested = await tierplan("plan", packing, "--json", "--max-nodes", "2147483647");
    expect(contested.status, contested.stderr).toBe(0);
    expect(JSON.parse(contested.stdout).solver.optimal).toBe(true);
  });

  it("--windows takes a whole number from 0 (no windows) up", async () => {
    for (const bad of ["100001", "-1", "2.5", "many", ""]) {
      const run = await tierplan("plan", EXAMPLE, `--windows=${bad}`);
      expectRejected(run);
      expect(run.stderr).toContain(`plan: --windows must be a whole number from 0 to 100000, got '${bad}'`);
    }
    const run = await tierplan("plan", EXAMPLE, "--json", "--windows", "0");
    expect(run.status, run.stderr).toBe(0);
  });

  it("check --out into a directory that does not exist", async () => {
    const saved = tempFile("saved-preview.json", "{}");
    const run = await tierplan("check", saved, "--out", "no-such-dir/x.md");
    expectRejected(run);
    // The preview is read first: it is not one, which is said before anything is written.
    expect(run.stderr).toContain(saved);
    const out = join(dir, "no-such-dir", "x.md");
    const good = tempFile("preview.json", minimalPreview());
    const written = await tierplan("check", good, "--out", out);
    expectRejected(written);
    expect(written.stderr).toContain(
      `${out}: (top level): cannot write the report: no such directory: ${join(dir, "no-such-dir")} (create it first)`,
    );
  });

  it("several YAML documents", async () => {
    const file = tempFile(
      "multi.yaml",
      `${TIERS.join("\n")}\n  - { name: a, compute: 1, maxLatency: 10 }\n---\nsite: other\n`,
    );
    const run = await tierplan("plan", file);
    expectRejected(run);
    expect(run.stderr).toContain(`${file}:9:1: (top level): the file holds multiple documents`);
  });

  it("deep nesting", async () => {
    for (const depth of [100, 100_000]) {
      const file = tempFile(`deep-${depth}.yaml`, `site: factory-a\ntasks: ${"[".repeat(depth)}${"]".repeat(depth)}\n`);
      const run = await tierplan("plan", file);
      expectRejected(run);
      expect(run.stderr).toMatch(new RegExp(`${escapeRegExp(file)}:2:\\d+: \\(top level\\): .*nested`));
    }
  });

  it("merge keys", async () => {
    const file = tempFile(
      "merge.yaml",
      `defaults: &d { compute: 1, maxLatency: 10 }\n${TIERS.join("\n")}\n  - <<: *d\n    name: a\n`,
    );
    const run = await tierplan("plan", file);
    expectRejected(run);
    expect(run.stderr).toContain(`${file}:9:5: (top level): YAML merge keys ('<<') are not supported`);
  });

  it("a binary file given to check: named, its bytes not echoed", async () => {
    const bytes = Buffer.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0xff, 0xfe,
    ]);
    const file = tempFile("logo.png", bytes);
    const run = await tierplan("check", file);
    expectRejected(run);
    expect(run.stderr).toBe(
      `tierplan: invalid input (1 problem):\n  ${file}: (top level): this is a binary file, not text: expected the preview\n`,
    );
    const latin1 = tempFile("latin1.json", Buffer.from('{"stack": "f\xe4brik"}', "latin1"));
    const second = await tierplan("check", latin1);
    expectRejected(second);
    expect(second.stderr).toContain("(it holds bytes that are not UTF-8)");
    expect(second.stderr).not.toContain("\ufffd");
  });

  it("plan /dev/zero: refused after reading the limit, not 17 GB", async () => {
    const started = performance.now();
    const run = await tierplan("plan", "/dev/zero");
    expectRejected(run);
    expect(run.stderr).toContain(
      `/dev/zero: (top level): cannot read the file: it gives more than 16 MiB; tierplan reads at most 16 MiB from one file (docs/input.md, "Size limits")`,
    );
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it("files naming different sites", async () => {
    const a = tempFile("site-a.yaml", `${TIERS.join("\n")}\n  - { name: a, compute: 1, maxLatency: 10 }\n`);
    const b = tempFile(
      "site-b.json",
      JSON.stringify({ site: "factory-b", tasks: [{ name: "b", compute: 1, maxLatency: 10 }] }),
    );
    const run = await tierplan("plan", a, b);
    expectRejected(run);
    expect(run.stderr).toContain(`${b}:1:9: site: site 'factory-b' differs from site 'factory-a' in ${a}`);
  });

  // (A stack that does not exist: test/checkCommand.test.ts, end to end; test/stackConfig.test.ts.)
  it("a directory", async () => {
    const run = await tierplan("plan", dir);
    expectRejected(run);
    expect(run.stderr).toContain(`${dir}: (top level): cannot read the file: it is a directory, not a file`);
  });
});

describe("usage errors exit 2; help and schema exit 0", () => {
  it("unknown option", async () => {
    const run = await tierplan("plan", EXAMPLE, "--jsn");
    expectRejected(run);
    expect(run.stderr).toContain("--jsn");
  });

  it("unknown algorithm", async () => {
    const run = await tierplan("plan", EXAMPLE, "--json", "--algorithm", "fastest");
    expectRejected(run);
    expect(run.stderr).toMatch(/--algorithm must be one of auto, exact, seed-greedy, got 'fastest'/);
  });

  it("unknown command", async () => {
    const run = await tierplan("plna", EXAMPLE);
    expectRejected(run);
    expect(run.stderr).toMatch(/unknown command 'plna'/);
  });

  it("plan without a file", async () => {
    const run = await tierplan("plan", "--json");
    expectRejected(run);
    expect(run.stderr).toMatch(/give the planning input file/);
  });

  it("--help prints the usage on stdout and exits 0", async () => {
    const run = await tierplan("--help");
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: "" });
    expect(run.stdout).toMatch(/^tierplan: /);
    expect(run.stdout).toContain("tierplan plan <input>");
    expect(run.stdout).toContain("--algorithm");
  });

  it("plan --help prints the plan usage and exits 0", async () => {
    const run = await tierplan("plan", "--help");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("--algorithm");
  });

  it("schema prints a JSON Schema with properties.tasks", async () => {
    const run = await tierplan("schema");
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: "" });
    const schema = JSON.parse(run.stdout) as {
      $schema?: string;
      type?: string;
      properties?: Record<string, { type?: string; items?: { properties?: object } }>;
    };
    expect(schema.$schema).toMatch(/json-schema\.org/);
    expect(schema.type).toBe("object");
    expect(Object.keys(schema.properties ?? {})).toEqual(
      expect.arrayContaining(["site", "objective", "tiers", "robots", "tasks"]),
    );
    expect(schema.properties!.tasks.type).toBe("array");
    expect(Object.keys(schema.properties!.tasks.items?.properties ?? {})).toEqual(
      expect.arrayContaining(["name", "compute", "maxLatency", "priority", "perRobot", "robot", "allowedTiers", "pin"]),
    );
  });
});

describe("the binary, end to end", () => {
  it("invalid input: exit status 2 from the process, nothing on stdout, no stack trace", () => {
    const run = spawnTierplan("plan", join(dir, "does-not-exist.yaml"), "--json");
    expectRejected(run);
    expect(run.stderr).toContain("cannot read the file: no such file");
  });

  it("--help and a usage error", () => {
    const help = spawnTierplan("--help");
    expect({ status: help.status, stderr: help.stderr }).toEqual({ status: 0, stderr: "" });
    expect(help.stdout).toContain("tierplan plan <input>");
    expectRejected(spawnTierplan("plan", EXAMPLE, "--max-nodes", "2147483648"));
  });

  it("a pipe closed early (| head) ends it quietly, with no EPIPE trace", () => {
    // About 1 MB of JSON: far more than a pipe buffers, so the write hits the closed pipe.
    const tasks = Array.from(
      { length: 2000 },
      (_, i) => `  - { name: t${i}, compute: 0.001, maxLatency: 100, image: x }`,
    ).join("\n");
    const file = tempFile("wide.yaml", `${TIERS.join("\n")}\n${tasks}\n`);
    const run = spawnSync(
      "bash",
      [
        "-c",
        `set -o pipefail; node ${JSON.stringify(BIN)} plan ${JSON.stringify(file)} --json --algorithm seed-greedy | head -c 12`,
      ],
      {
        cwd: ROOT,
        encoding: "utf8",
      },
    );
    expect(run.stdout).toBe('{\n  "site": ');
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });
});

describe("progress on stderr", () => {
  const terminal = () => {
    const written: string[] = [];
    return {
      written,
      io: {
        stdout: { write: () => undefined },
        stderr: { write: (t: string) => written.push(t), isTTY: true },
        env: {},
      },
    };
  };

  it("a terminal gets one line, redrawn per phase, cleared before the result", () => {
    const { written, io } = terminal();
    const progress = progressPrinter(io);
    progress.phase("reading site.yaml");
    progress.phase("planning 3 tasks with auto");
    progress.update("MILP over 12 placement variables");
    progress.done();
    expect(written[0]).toBe("\r\u001b[2K… reading site.yaml");
    expect(written[1]).toBe("\r\u001b[2K… planning 3 tasks with auto");
    expect(written.at(-1)).toBe("\r\u001b[2K");
    progress.done();
    expect(written.at(-1)).toBe("\r\u001b[2K");
  });

  it("nothing when stderr is not a terminal, or with TIERPLAN_NO_PROGRESS", () => {
    const { written, io } = terminal();
    for (const quiet of [
      { ...io, stderr: { write: io.stderr.write } },
      { ...io, env: { TIERPLAN_NO_PROGRESS: "1" } },
    ]) {
      const progress = progressPrinter(quiet);
      progress.phase("planning");
      progress.update("MILP");
      progress.done();
    }
    expect(written).toEqual([]);
  });

  it("a plan on a terminal: progress lines, then a clean stdout", async () => {
    const stderr: string[] = [];
    const stdout: string[] = [];
    const status = await loadCli().run(["plan", EXAMPLE, "--json"], {
      stdout: { write: (t: string) => stdout.push(t) },
      stderr: { write: (t: string) => stderr.push(t), isTTY: true },
      env: {},
    });
    expect(status).toBe(0);
    expect(stderr[0]).toBe(`\r\u001b[2K… reading ${EXAMPLE}`);
    expect(stderr.some((t) => t.includes("planning 3 tasks with auto"))).toBe(true);
    expect(stderr.at(-1)).toBe("\r\u001b[2K");
    expect(JSON.parse(stdout.join("")).site).toBe("factory-a");
  });
});

/** The smallest saved preview `tierplan check` accepts: a plan of nothing, every field present. */
function minimalPreview(): string {
  const plan: FullPlan = {
    site: "factory-a",
    placements: [],
    unplaced: [],
    violations: [],
    moves: [],
    objective: {
      latencyMs: 0,
      cost: 0,
      score: 0,
      placedByPriority: [],
      moves: 0,
      preset: "balanced",
      weights: { latency: 1, cost: 1 },
      reserve: 0,
    },
    utilization: [],
    recommendations: [],
    solver: { algorithm: "auto", optimal: true, gap: 0, ms: 0, method: "none", bound: 0, countsProven: true, work: {} },
    environments: [],
  };
  return JSON.stringify({ stack: "factory-a", plan, resources: [] });
}

/** A path as a literal inside a RegExp. */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
