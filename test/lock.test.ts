import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { register } from "tsx/cjs/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CatalogError, formatIssue } from "../src/catalog/errors";
import { loadCatalogSources } from "../src/catalog/load";
import { loadLock, parsePlacements, readPlacementsFile } from "../src/catalog/lock";
import type { CliIO } from "../src/cli/io";
import { planSite, type Plan } from "../src/plan";
import { diffPlacements, formatLock, kindsOf, lockOf, moveConsequence } from "../src/plan/moves";
import { renderPlan } from "../src/plan/render";
import { runCli, type Run } from "./support/cli";

/*
 * docs/contract.md §6 as users meet it: the lock file (reading it, writing it), `tierplan diff`, `plan
 * --lock`, the Pulumi program planning against stacks/<site>.lock.json, and `tierplan lock
 * --check` for CI. Expectations come from the catalogs and plans written here, never from the
 * code under test.
 */

const ROOT = resolve(__dirname, "..");
const BIN = join(ROOT, "bin", "tierplan.js");

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tierplan-lock-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tempFile(name: string, content: string): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

/** The issues of a CatalogError, formatted as the CLI prints them; fails when `fn` does not throw one. */
function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof CatalogError) return error.issues.map(formatIssue);
    throw error;
  }
  throw new Error("expected a CatalogError");
}

// ---------------------------------------------------------------------------------------------
// A small site: four edge tasks that fit the edge tier; the edit halves the edge so two must go.

const TIERS = (edgeCompute: number) => [
  "site: lockdemo",
  "tiers:",
  "  - { name: cloud, kind: cloud, compute: 1000, storage: 10000, bandwidth: 1000, latency: 40, costPerHour: 10 }",
  `  - { name: edge, kind: edge, compute: ${edgeCompute}, storage: 1000, bandwidth: 1000, latency: 5, costPerHour: 2 }`,
  "robots:",
  "  - { name: arm-1, compute: 10, storage: 100, bandwidth: 100, latency: 1, costPerHour: 1 }",
  "tasks:",
];
const EDGE_TASKS = ["detect-a", "detect-b", "detect-c", "detect-d"];
const TASKS = [
  ...EDGE_TASKS.map(
    (name) =>
      `  - { name: ${name}, compute: 20, storage: 10, bandwidth: 10, maxLatency: 200, image: "ghcr.io/acme/${name}:1" }`,
  ),
  '  - { name: grip, robot: arm-1, compute: 2, storage: 1, bandwidth: 1, maxLatency: 5, image: "ghcr.io/acme/grip:1" }',
];
/** A task new in the edit: allowed on cloud only. */
const NEW_TASK =
  '  - { name: report, compute: 10, storage: 10, bandwidth: 1, maxLatency: 10000, allowedTiers: [cloud], image: "ghcr.io/acme/report:1" }';

const CATALOG = [...TIERS(100), ...TASKS, ""].join("\n");
/** Usable edge compute 45 (reserve 10 %): two of the four 20-TFLOPS tasks fit, two must move. */
const EDITED = [...TIERS(50), ...TASKS, NEW_TASK, ""].join("\n");

const STACK = [
  "config:",
  "  aws:region: us-west-2",
  "  tierplan:catalog: catalogs/sites/lockdemo.yaml",
  "  tierplan:network:",
  "    edgeCidrs: [10.1.0.0/24]",
  "    robotCidrs: [10.2.0.0/24]",
  "  tierplan:edge:",
  "    mode: existing",
  "    gpuTflops: 20",
  "  tierplan:kubeconfig:",
  "    secure: v1:lockdemo-kubeconfig-ciphertext",
  "",
].join("\n");

/** The plan of a catalog text, against the placements of an earlier plan when given. */
async function planOf(catalog: string, lock?: Plan): Promise<Plan> {
  const input = loadCatalogSources([{ file: "lockdemo.yaml", text: catalog }]);
  return planSite(input, lock ? { lock: lockOf(lock) } : {});
}

// ---------------------------------------------------------------------------------------------

describe("lock file errors: file, line, path inside it and the fix", () => {
  it("JSON syntax: the line and column of the mistake", () => {
    const file = tempFile(
      "syntax.lock.json",
      '{\n  "site": "lockdemo",\n  "placements": [\n    { "task": "a", "tier": "edge" },\n  ]\n}\n',
    );
    const [issue, ...rest] = issuesOf(() => loadLock(file));
    expect(rest).toEqual([]);
    expect(issue).toMatch(
      new RegExp(
        `^${file}:5:3: \\(top level\\): not valid JSON: expected another value after ',' \\(JSON allows no trailing comma\\), got '\\]': `,
      ),
    );
    expect(issue).toContain("tierplan lock --stack <site>");
  });

  it("a missing tier is located at its entry; a wrong type at its value", () => {
    const text = [
      "{",
      '  "site": "lockdemo",',
      '  "placements": [',
      '    { "task": "a", "tier": "edge" },',
      '    { "task": "b" },',
      '    { "task": "c", "tier": 3 }',
      "  ]",
      "}",
      "",
    ].join("\n");
    const issues = issuesOf(() => loadLock(tempFile("shape.lock.json", text)));
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatch(
      /shape\.lock\.json:5:5: placements\[1\]\.tier: is required \(a string\): a lock is \{"site"/,
    );
    expect(issues[1]).toMatch(/shape\.lock\.json:6:28: placements\[2\]\.tier: must be a string, got 3: /);
  });

  it("a task locked twice, an empty site, and a file that is no lock at all", () => {
    const twice = [
      '{ "site": "lockdemo",',
      '  "placements": [',
      '    { "task": "a", "tier": "edge" },',
      '    { "task": "a", "tier": "cloud" }',
      "  ] }",
      "",
    ].join("\n");
    expect(issuesOf(() => loadLock(tempFile("twice.lock.json", twice)))).toEqual([
      expect.stringMatching(
        /twice\.lock\.json:4:15: placements\[1\]\.task: task 'a' is locked twice \(first at placements\[0\]\): a task runs in one place; remove one of them$/,
      ),
    ]);
    expect(issuesOf(() => parsePlacements('{\n  "site": "",\n  "placements": []\n}\n', "empty-site.json"))).toEqual([
      expect.stringMatching(/^empty-site\.json:2:11: site: must not be empty: /),
    ]);
    expect(issuesOf(() => parsePlacements("[1, 2]\n", "list.json"))).toEqual([
      expect.stringMatching(
        /^list\.json:1:1: \(top level\): expected a mapping with site and placements, got a list: /,
      ),
    ]);
    expect(issuesOf(() => loadLock(join(dir, "absent.lock.json")))).toEqual([
      expect.stringMatching(
        /absent\.lock\.json: \(top level\): cannot read the lock: no such file: write it with 'tierplan lock --stack <site>'/,
      ),
    ]);
  });

  it("a saved preview is read through its plan, and errors inside it name the path in the file", () => {
    const preview = {
      stack: "lockdemo",
      plan: { site: "lockdemo", placements: [{ task: "a", tier: "edge", kind: "edge" }], unplaced: [], objective: {} },
    };
    const read = parsePlacements(JSON.stringify(preview, null, 2), "preview.json");
    expect(read).toMatchObject({
      kind: "preview",
      site: "lockdemo",
      placements: [{ task: "a", tier: "edge" }],
      unplaced: [],
    });
    const broken = JSON.stringify({ ...preview, plan: { ...preview.plan, placements: [{ task: "a" }] } }, null, 2);
    expect(issuesOf(() => parsePlacements(broken, "preview.json"))).toEqual([
      expect.stringMatching(/^preview\.json:6:7: plan\.placements\[0\]\.tier: is required/),
    ]);
  });

  it("plan --lock with the lock of another site: exit 2, the lock's site line, nothing on stdout", async () => {
    const input = tempFile("lockdemo.yaml", CATALOG);
    const other = tempFile("other.lock.json", formatLock({ site: "factory-a", placements: [] }));
    const run = await runCli(["plan", input, "--lock", other]);
    expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 2, stdout: "" });
    expect(run.stderr).toContain(
      `${other}:2:11: site: the lock is of site 'factory-a' but the plan is of site 'lockdemo': give the lock of site 'lockdemo'`,
    );
  });
});

describe("the lock file's text", () => {
  const placements = [
    { task: "zeta", tier: "cloud" },
    { task: "alpha", tier: "edge", machine: "gpu-a-1" },
    { task: "Beta", tier: "arm-1" },
    { task: "beta", tier: "edge", machine: "gpu-b" },
    { task: 'quote"d', tier: "cloud" },
  ];

  it("is one placement a line, sorted by task in code-unit order, whatever order it is given in", () => {
    const text = formatLock({ site: "lockdemo", placements });
    expect(text).toBe(
      [
        "{",
        '  "site": "lockdemo",',
        '  "placements": [',
        '    { "task": "Beta", "tier": "arm-1" },',
        '    { "task": "alpha", "tier": "edge", "machine": "gpu-a-1" },',
        '    { "task": "beta", "tier": "edge", "machine": "gpu-b" },',
        '    { "task": "quote\\"d", "tier": "cloud" },',
        '    { "task": "zeta", "tier": "cloud" }',
        "  ]",
        "}",
        "",
      ].join("\n"),
    );
    for (let k = 0; k < 10; k++) {
      const shuffled = [...placements].sort(() => Math.random() - 0.5);
      expect(formatLock({ site: "lockdemo", placements: shuffled })).toBe(text);
    }
    expect(JSON.parse(text)).toEqual({
      site: "lockdemo",
      placements: [...placements].sort((a, b) => (a.task < b.task ? -1 : 1)),
    });
    expect(formatLock({ site: "empty", placements: [] })).toBe('{\n  "site": "empty",\n  "placements": []\n}\n');
  });

  it("reads back as the lock it was written from, and a plan's JSON reads as its own lock", async () => {
    const plan = await planOf(CATALOG);
    const text = formatLock(lockOf(plan));
    expect(parsePlacements(text, "lockdemo.lock.json")).toMatchObject({
      kind: "lock",
      site: "lockdemo",
      placements: [...lockOf(plan).placements].sort((a, b) => (a.task < b.task ? -1 : 1)),
    });
    const asPlan = parsePlacements(JSON.stringify(plan, null, 2), "plan.json");
    expect(asPlan.kind).toBe("plan");
    expect(formatLock(asPlan)).toBe(text);
    // Moving one task changes exactly its line: the pull request's diff is the list of moves.
    const moved = {
      site: plan.site,
      placements: lockOf(plan).placements.map((p) => (p.task === "detect-b" ? { task: p.task, tier: "cloud" } : p)),
    };
    const before = text.split("\n");
    const after = formatLock(moved).split("\n");
    expect(after).toHaveLength(before.length);
    expect(before.filter((line, i) => line !== after[i])).toEqual(['    { "task": "detect-b", "tier": "edge" },']);
  });
});

describe("diff of two plans", () => {
  it("moves are the tasks placed elsewhere, each with its Pulumi consequence; new and gone tasks are not moves", async () => {
    const before = await planOf(CATALOG);
    const after = await planOf(EDITED, before);
    const tierBefore = new Map(before.placements.map((p) => [p.task, p.tier]));
    const tierAfter = new Map(after.placements.map((p) => [p.task, p.tier]));
    // Independently: the tasks whose tier differs, and that two of the four edge tasks left the edge.
    const expected = [...tierBefore]
      .filter(([task, tier]) => tierAfter.has(task) && tierAfter.get(task) !== tier)
      .map(([task]) => task);
    expect(EDGE_TASKS.filter((t) => tierAfter.get(t) === "edge")).toHaveLength(2);
    expect(expected).toHaveLength(2);

    const diff = diffPlacements(
      { ...lockOf(before), kinds: kindsOf(before), unplaced: before.unplaced.map((u) => u.task) },
      { ...lockOf(after), kinds: kindsOf(after), unplaced: after.unplaced.map((u) => u.task) },
    );
    expect(diff.moves.map((m) => m.task)).toEqual([...expected].sort());
    for (const m of diff.moves)
      expect(m).toMatchObject({
        from: "edge",
        to: "cloud",
        consequence: "delete its Deployment, create an EC2 instance",
      });
    expect(diff.added).toEqual([{ task: "report", to: "cloud", consequence: "create an EC2 instance" }]);
    expect(diff.dropped).toEqual([]);
    expect(diff.unchanged).toBe(before.placements.length - 2);
    // The planner's own moves against the same lock are the same.
    expect(after.moves.map((m) => [m.task, m.from, m.to]).sort()).toEqual(
      diff.moves.map((m) => [m.task, m.from, m.to]),
    );

    // tierplan diff on the saved plans: the same, as JSON; and on a lock file (no kinds: no consequences).
    const a = tempFile("before.json", JSON.stringify(before, null, 2));
    const b = tempFile("after.json", JSON.stringify(after, null, 2));
    const json = await runCli(["diff", a, b, "--json"]);
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      old: { kind: "plan", site: "lockdemo" },
      new: { kind: "plan" },
      moves: diff.moves,
      added: diff.added,
      dropped: [],
      unchanged: diff.unchanged,
    });
    const lockA = tempFile("before.lock.json", formatLock(lockOf(before)));
    const fromLock = await runCli(["diff", lockA, b]);
    expect(fromLock.status).toBe(0);
    for (const task of expected)
      expect(fromLock.stdout).toMatch(
        new RegExp(`~ ${task}\\s+edge → cloud\\s+delete its Deployment, create an EC2 instance`),
      );
    expect(fromLock.stdout).toMatch(/\+ report\s+→ cloud\s+create an EC2 instance/);
  });

  it("a task the new plan leaves unplaced is a move to nowhere; one the new catalog lacks is not a move", () => {
    const kinds = new Map([
      ["cloud", "cloud"],
      ["edge", "edge"],
      ["arm-1", "robot"],
      ["arm-2", "robot"],
    ] as const);
    const diff = diffPlacements(
      {
        site: "s",
        placements: [
          { task: "a", tier: "cloud" },
          { task: "b", tier: "edge" },
          { task: "c", tier: "arm-1" },
          { task: "d", tier: "edge", machine: "m-0" },
        ],
      },
      {
        site: "s",
        placements: [
          { task: "c", tier: "arm-2" },
          { task: "d", tier: "edge", machine: "m-1" },
        ],
        kinds,
        unplaced: ["a"],
      },
    );
    expect(diff.moves).toEqual([
      { task: "a", from: "cloud", to: null, consequence: "delete its EC2 instance: the task stops running" },
      { task: "c", from: "arm-1", to: "arm-2", consequence: "reconfigure robots arm-1 and arm-2" },
      {
        task: "d",
        from: "edge/m-0",
        to: "edge/m-1",
        consequence: "reschedule its Deployment (pods restart on edge/m-1)",
      },
    ]);
    expect(diff.dropped).toEqual([{ task: "b", from: "edge", reason: "no longer in the catalog (not a move)" }]);
    expect(
      moveConsequence(
        { from: "cloud", to: "cloud-2" },
        new Map([
          ["cloud", "cloud"],
          ["cloud-2", "cloud"],
        ]),
      ),
    ).toBe("replace its EC2 instance");
    expect(moveConsequence({ from: "gone", to: "edge" }, kinds)).toBe(
      "leave gone (no longer in the catalog), create a Deployment on edge",
    );
  });

  it("the placement table marks moved and new tasks and lists the moves with their consequence", async () => {
    const before = await planOf(CATALOG);
    const after = await planOf(EDITED, before);
    const text = renderPlan(after, {
      maxRows: Infinity,
      lock: { file: "stacks/lockdemo.lock.json", placements: lockOf(before).placements },
    });
    const row = (task: string) => text.split("\n").find((line) => line.trimStart().startsWith(`${task} `)) ?? "";
    for (const m of after.moves) expect(row(m.task)).toMatch(/moved from edge$/);
    expect(row("report")).toMatch(/new$/);
    expect(row("grip")).not.toMatch(/moved|new/);
    expect(text).toContain("Moves (2) against stacks/lockdemo.lock.json; 1 new task to lock");
    expect(text.match(/~ detect-\w\s+edge → cloud\s+delete its Deployment, create an EC2 instance/g)).toHaveLength(2);
    expect(renderPlan(before, { lock: lockOf(before) })).toContain("Moves: none against the lock");
    expect(renderPlan(before)).not.toContain("Moves");
  });
});

// ---------------------------------------------------------------------------------------------
// End to end: the Pulumi program (mock engine) on a copy of the project with a site of its own.

type PreviewModule = typeof import("../src/preview/run");
type LockModule = typeof import("../src/cli/lockCommand");
type PreviewCommandModule = typeof import("../src/cli/previewCommand");

/** Loaded the way the CLI loads them (natively through tsx, as in policies/test/support/preview.ts): one Pulumi SDK instance. */
function native<T>(path: string): T {
  register();
  return createRequire(__filename)(path) as T;
}

function capture(): { io: CliIO; out: () => string; err: () => string } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    io: {
      stdout: { write: (t: string) => stdout.push(t) },
      stderr: { write: (t: string) => stderr.push(t) },
      env: { NO_COLOR: "1" },
    },
    out: () => stdout.join(""),
    err: () => stderr.join(""),
  };
}

describe("end to end: edit a catalog, preview, lock, preview again", () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "tierplan-lock-root-"));
    cpSync(join(ROOT, "Pulumi.yaml"), join(root, "Pulumi.yaml"));
    mkdirSync(join(root, "stacks"));
    mkdirSync(join(root, "catalogs", "sites"), { recursive: true });
    writeFileSync(join(root, "stacks", "Pulumi.lockdemo.yaml"), STACK);
    writeFileSync(join(root, "catalogs", "sites", "lockdemo.yaml"), CATALOG);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("the second preview has no moves, and the stale check fails until the lock is rewritten", async () => {
    const { runPreview } = native<PreviewModule>("../src/preview/run.ts");
    const { lockStack } = native<LockModule>("../src/cli/lockCommand.ts");
    const { renderPreview } = native<PreviewCommandModule>("../src/cli/previewCommand.ts");
    const lockPath = join(root, "stacks", "lockdemo.lock.json");
    const check = async () => {
      const c = capture();
      const status = await lockStack("lockdemo", c.io, { root, check: true });
      return { status, stdout: c.out(), stderr: c.err() };
    };

    // No lock yet: the preview says so, the check fails, `lock` writes the first one.
    const first = await runPreview("lockdemo", { root });
    expect(first.lock).toBeNull();
    expect(first.plan.moves).toEqual([]);
    expect(renderPreview(first, { all: true, color: false })).toContain("No lock (stacks/lockdemo.lock.json)");
    const missing = await check();
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("stacks/lockdemo.lock.json does not exist");
    expect(missing.stderr).toContain("Run 'tierplan lock --stack lockdemo'");
    const written = capture();
    expect(await lockStack("lockdemo", written.io, { root })).toBe(0);
    expect(written.out()).toContain("Wrote stacks/lockdemo.lock.json: 5 placements (a new lock)");
    const lockV1 = readFileSync(lockPath, "utf8");
    expect(lockV1).toBe(formatLock(lockOf(first.plan)));
    expect(EDGE_TASKS.every((t) => first.plan.placements.find((p) => p.task === t)?.tier === "edge")).toBe(true);
    expect(await check()).toMatchObject({
      status: 0,
      stdout: "stacks/lockdemo.lock.json is up to date: 5 placements, no moves\n",
    });

    // The edit: half the edge. The program plans against the lock: exactly two tasks move.
    writeFileSync(join(root, "catalogs", "sites", "lockdemo.yaml"), EDITED);
    const second = await runPreview("lockdemo", { root });
    expect(second.lock?.file).toBe("stacks/lockdemo.lock.json");
    expect(second.lock?.placements).toEqual(JSON.parse(lockV1).placements);
    expect(second.plan.moves).toHaveLength(2);
    for (const m of second.plan.moves) expect(m).toMatchObject({ from: "edge", to: "cloud" });
    const shown = renderPreview(second, { all: true, color: false });
    expect(shown).toContain("Moves (2) against stacks/lockdemo.lock.json; 1 new task to lock");
    for (const m of second.plan.moves)
      expect(shown).toMatch(new RegExp(`~ ${m.task}\\s+edge → cloud\\s+delete its Deployment, create an EC2 instance`));
    // The moved tasks lost their Deployments; the two that stayed keep theirs.
    const deployed = second.resources
      .filter((r) => r.type === "kubernetes:apps/v1:Deployment")
      .map((r) => JSON.stringify(r.inputs.metadata));
    const runs = (task: string) =>
      deployed.some((metadata) => metadata.includes(`"${task}"`) || metadata.includes(`-${task}"`));
    for (const m of second.plan.moves) expect(runs(m.task)).toBe(false);
    for (const task of EDGE_TASKS.filter((t) => !second.plan.moves.some((m) => m.task === t)))
      expect(runs(task)).toBe(true);

    const stale = await check();
    expect(stale.status).toBe(1);
    expect(stale.stdout).toBe("");
    expect(stale.stderr).toMatch(
      /stacks\/lockdemo\.lock\.json is stale:\n {2}- the plan moves 2 tasks against it: detect-\w edge → cloud, detect-\w edge → cloud\n {2}- it does not hold 1 placed task: report\n/,
    );
    expect(stale.stderr).toContain("Run 'tierplan lock --stack lockdemo' and commit stacks/lockdemo.lock.json");
    expect(readFileSync(lockPath, "utf8")).toBe(lockV1); // --check writes nothing

    const relock = capture();
    expect(await lockStack("lockdemo", relock.io, { root })).toBe(0);
    expect(relock.out()).toMatch(/Moves against the previous lock \(2\)/);
    expect(relock.out()).toMatch(/Newly locked \(1\)\n {2}\+ report\s+→ cloud\s+create an EC2 instance/);
    const lockV2 = readFileSync(lockPath, "utf8");
    // The file's diff is the moves and the new task, line for line (a comma aside: JSON has none after the last).
    const lines = (text: string) => new Set(text.split("\n").map((l) => l.replace(/,$/, "")));
    const v1 = lines(lockV1);
    const v2 = lines(lockV2);
    const movedLines = second.plan.moves.map((m) => `    { "task": "${m.task}", "tier": "cloud" }`);
    expect([...v2].filter((l) => !v1.has(l)).sort()).toEqual(
      [...movedLines, '    { "task": "report", "tier": "cloud" }'].sort(),
    );
    expect([...v1].filter((l) => !v2.has(l)).sort()).toEqual(
      second.plan.moves.map((m) => `    { "task": "${m.task}", "tier": "edge" }`).sort(),
    );

    // Preview again: no moves, nothing new; the check passes; lock again changes nothing.
    const third = await runPreview("lockdemo", { root });
    expect(third.plan.moves).toEqual([]);
    expect(third.plan.objective.moves).toBe(0);
    expect(lockOf(third.plan).placements.sort((a, b) => (a.task < b.task ? -1 : 1))).toEqual(
      JSON.parse(lockV2).placements,
    );
    expect(renderPreview(third, { all: true, color: false })).toContain(
      "Moves: none against stacks/lockdemo.lock.json\n",
    );
    expect(await check()).toMatchObject({ status: 0 });
    const again = capture();
    expect(await lockStack("lockdemo", again.io, { root })).toBe(0);
    expect(again.out()).toBe("stacks/lockdemo.lock.json is up to date: 6 placements, no moves\n");
    expect(readFileSync(lockPath, "utf8")).toBe(lockV2);
  });

  it("a lock of another site in the stack's place is invalid input located at its site", async () => {
    const { runPreview } = native<PreviewModule>("../src/preview/run.ts");
    const lockPath = join(root, "stacks", "lockdemo.lock.json");
    const saved = readFileSync(lockPath, "utf8");
    writeFileSync(lockPath, formatLock({ site: "elsewhere", placements: [] }));
    try {
      await expect(runPreview("lockdemo", { root })).rejects.toThrow(
        "stacks/lockdemo.lock.json:2:11: site: the lock is of site 'elsewhere' but the plan is of site 'lockdemo': delete it and run 'tierplan lock --stack lockdemo'",
      );
    } finally {
      writeFileSync(lockPath, saved);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The binary itself, twice: plan --lock with its moves, and diff's exit status.

function spawnTierplan(...args: string[]): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env.TIERPLAN_DEBUG;
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env, encoding: "utf8", timeout: 60_000 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("the tierplan binary", () => {
  it("plan --lock keeps what can stay and says what moves; diff reads plans and locks, exit 0", async () => {
    const before = await planOf(CATALOG);
    const lock = tempFile("spawn.lock.json", formatLock(lockOf(before)));
    const edited = tempFile("edited.yaml", EDITED);
    const json = spawnTierplan("plan", edited, "--lock", lock, "--json");
    expect(json.status).toBe(0);
    const plan = JSON.parse(json.stdout) as Plan;
    expect(plan.objective.moves).toBe(2);
    expect(plan.moves).toHaveLength(2);
    const human = spawnTierplan("plan", edited, "--lock", lock);
    expect(human.status).toBe(0);
    expect(human.stdout).toContain(`Moves (2) against ${lock}; 1 new task to lock`);
    expect(human.stdout).toMatch(/detect-\w\s+cloud\s+cloud\s.*moved from edge\n/);

    const saved = tempFile("spawn-plan.json", json.stdout);
    const diff = spawnTierplan("diff", lock, saved);
    expect(diff).toMatchObject({ status: 0, stderr: "" });
    expect(diff.stdout).toContain("Placements of site lockdemo");
    expect(diff.stdout).toContain("2 moved, 1 new, 0 no longer placed, 3 unchanged");
    const bad = spawnTierplan("diff", lock, tempFile("bad.json", "{"));
    expect({ status: bad.status, stdout: bad.stdout }).toEqual({ status: 2, stdout: "" });
    expect(bad.stderr).toMatch(/bad\.json:1:2: \(top level\): not valid JSON/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});

// readPlacementsFile is the reader of both diff sides: a lock with extra keys is still a lock.
it("extra keys are allowed (a plan's JSON is a lock)", () => {
  const file = tempFile(
    "extra.lock.json",
    JSON.stringify({ site: "s", note: "hand-written", placements: [{ task: "a", tier: "edge", why: "x" }] }),
  );
  expect(readPlacementsFile(file)).toMatchObject({
    kind: "lock",
    site: "s",
    placements: [{ task: "a", tier: "edge" }],
  });
});
