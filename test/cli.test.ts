import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/*
 * The CLI as users and scripts see it (contract §3): exit statuses, what goes to stdout and
 * stderr, and the JSON of a plan. Each spawn costs about half a second (tsx), so they are few.
 */

const ROOT = resolve(__dirname, "..");
const BIN = join(ROOT, "bin", "tierplan.js");
const EXAMPLE = "examples/smart-factory.yaml";

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function tierplan(...args: string[]): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env.TIERPLAN_DEBUG;
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env, encoding: "utf8", timeout: 30_000 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

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
  objective: { latencyMs: number; cost: number; score: number; placedByPriority: Array<{ priority: number; placed: number; total: number }> };
  utilization: Array<{ tier: string; compute: number; storage: number; bandwidth: number }>;
  solver: { algorithm: string; optimal: boolean; gap: number; ms: number };
}

describe("tierplan plan --json on the worked example", () => {
  let first: Run;
  let second: Run;
  beforeAll(() => {
    first = tierplan("plan", EXAMPLE, "--json");
    second = tierplan("plan", EXAMPLE, "--json");
  });

  it("exits 0 with one JSON object on stdout", () => {
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toBe("");
    const plan = JSON.parse(first.stdout) as unknown;
    expect(plan).toBeTypeOf("object");
    expect(Array.isArray(plan)).toBe(false);
  });

  it("has the fields of contract §3", () => {
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
    expect([...plan.objective.placedByPriority].sort((a, b) => b.priority - a.priority)).toEqual([
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
    expect(plan.utilization.find((u) => u.tier === "edge")).toMatchObject({ compute: 0.1, storage: 0.01, bandwidth: 0.5 });
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

  it("is deterministic: the same command twice gives the same JSON except solver.ms", () => {
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
  it("--algorithm seed-greedy is accepted and reported", () => {
    const run = tierplan("plan", EXAMPLE, "--json", "--algorithm", "seed-greedy");
    expect(run.status, run.stderr).toBe(0);
    const plan = JSON.parse(run.stdout) as Plan;
    expect(plan.solver.algorithm).toBe("seed-greedy");
    expect(plan.placements.map((p) => [p.task, p.tier]).sort()).toEqual([
      ["action-execution", "arm-1"],
      ["model-training", "cloud"],
      ["realtime-inference", "edge"],
    ]);
  });

  it("several files are combined, the later site winning; unplaced tasks still exit 0", () => {
    const site = tempFile("site.yaml", `${TIERS.join("\n")}\n  - { name: vision, compute: 5, maxLatency: 50 }\n`);
    const extra = tempFile("extra.json", JSON.stringify({ site: "factory-b", tasks: [{ name: "huge", compute: 5000, maxLatency: 1 }] }));
    const run = tierplan("plan", site, extra, "--json");
    expect(run.status, run.stderr).toBe(0);
    const plan = JSON.parse(run.stdout) as Plan;
    expect(plan.site).toBe("factory-b");
    expect(plan.placements.map((p) => p.task)).toEqual(["vision"]);
    expect(plan.unplaced.map((u) => u.task)).toEqual(["huge"]);
    expect(plan.unplaced[0].reasons.length).toBeGreaterThan(0);
  });
});

describe("invalid input: exit 2, nothing on stdout, file and path on stderr, no stack trace", () => {
  it("empty file", () => {
    const file = tempFile("empty.yaml", "");
    const run = tierplan("plan", file, "--json");
    expectRejected(run);
    expect(run.stderr).toContain(`${file}: (top level): the file is empty`);
  });

  it("binary file", () => {
    const file = tempFile("junk.yaml", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0xff, 0xfe]));
    const run = tierplan("plan", file, "--json");
    expectRejected(run);
    expect(run.stderr).toContain(`${file}: (top level): this is a binary file`);
  });

  it("YAML syntax error, with its line", () => {
    const file = tempFile("syntax.yaml", "site: factory-a\ntasks:\n  - name: a\n    compute: 1\n  maxLatency: 3\n");
    const run = tierplan("plan", file, "--json");
    expectRejected(run);
    expect(run.stderr).toMatch(new RegExp(`${escape(file)}:5:\\d+: \\(top level\\): not valid YAML or JSON: `));
  });

  it("NaN value", () => {
    const file = tempFile("nan.yaml", `${TIERS.join("\n")}\n  - { name: a, compute: 1, maxLatency: 10 }\n  - { name: b, compute: .nan, maxLatency: 10 }\n`);
    const run = tierplan("plan", file, "--json");
    expectRejected(run);
    expect(run.stderr).toMatch(new RegExp(`${escape(file)}:9:\\d+: tasks\\[1\\]\\.compute: must be a finite number, got NaN`));
    expect(run.stderr).toMatch(/^tierplan: invalid input \(1 problem\):\n/);
  });

  it("dangling references: every one reported", () => {
    const file = tempFile(
      "dangling.yaml",
      `${TIERS.join("\n")}\n  - { name: grip, compute: 1, maxLatency: 10, robot: arm1 }\n  - { name: look, compute: 1, maxLatency: 10, allowedTiers: [edge, fog] }\n`,
    );
    const run = tierplan("plan", file);
    expectRejected(run);
    expect(run.stderr).toMatch(/^tierplan: invalid input \(2 problems\):\n/);
    expect(run.stderr).toMatch(new RegExp(`${escape(file)}:8:\\d+: tasks\\[0\\]\\.robot: no robot named 'arm1': did you mean 'arm-1'\\?`));
    expect(run.stderr).toMatch(new RegExp(`${escape(file)}:9:\\d+: tasks\\[1\\]\\.allowedTiers\\[1\\]: no tier, robot or kind named 'fog'`));
  });

  it("nonexistent file", () => {
    const file = join(dir, "does-not-exist.yaml");
    const run = tierplan("plan", file, "--json");
    expectRejected(run);
    expect(run.stderr).toContain(`${file}: (top level): cannot read the file: no such file`);
  });
});

describe("usage errors exit 2; help and schema exit 0", () => {
  it("unknown option", () => {
    const run = tierplan("plan", EXAMPLE, "--jsn");
    expectRejected(run);
    expect(run.stderr).toContain("--jsn");
  });

  it("unknown algorithm", () => {
    const run = tierplan("plan", EXAMPLE, "--json", "--algorithm", "fastest");
    expectRejected(run);
    expect(run.stderr).toMatch(/--algorithm must be one of auto, exact, seed-greedy, got 'fastest'/);
  });

  it("unknown command", () => {
    const run = tierplan("plna", EXAMPLE);
    expectRejected(run);
    expect(run.stderr).toMatch(/unknown command 'plna'/);
  });

  it("plan without a file", () => {
    const run = tierplan("plan", "--json");
    expectRejected(run);
    expect(run.stderr).toMatch(/give the planning input file/);
  });

  it("--help prints the usage on stdout and exits 0", () => {
    const run = tierplan("--help");
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: "" });
    expect(run.stdout).toMatch(/^tierplan: /);
    expect(run.stdout).toContain("tierplan plan <input>");
    expect(run.stdout).toContain("--algorithm");
  });

  // The usage error for an unknown option says "Run 'tierplan --help'", and PLAN_USAGE exists, but
  // `tierplan plan --help` is itself rejected as an unknown option (exit 2).
  it("plan --help prints the plan usage and exits 0", () => {
    const run = tierplan("plan", "--help");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("--algorithm");
  });

  it("schema prints a JSON Schema with properties.tasks", () => {
    const run = tierplan("schema");
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: "" });
    const schema = JSON.parse(run.stdout) as { $schema?: string; type?: string; properties?: Record<string, { type?: string; items?: { properties?: object } }> };
    expect(schema.$schema).toMatch(/json-schema\.org/);
    expect(schema.type).toBe("object");
    expect(Object.keys(schema.properties ?? {})).toEqual(expect.arrayContaining(["site", "objective", "tiers", "robots", "tasks"]));
    expect(schema.properties!.tasks.type).toBe("array");
    expect(Object.keys(schema.properties!.tasks.items?.properties ?? {})).toEqual(
      expect.arrayContaining(["name", "compute", "maxLatency", "priority", "perRobot", "robot", "allowedTiers", "pin"]),
    );
  });
});

/** A path as a literal inside a RegExp. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
