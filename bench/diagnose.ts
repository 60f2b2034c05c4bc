import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildProblem, type Problem } from "../src/model";
import { buildInstance, type Instance } from "../src/optimizer/instance";
import { solve } from "../src/optimizer/solve";
import { checkReference, referenceModel } from "./reference/model";
import { load, suite } from "./suite";

/**
 * Where `auto` loses to the reference on one instance: per catalog task (per-robot copies pooled)
 * and environment kind, how many tasks each plan places, and what auto's stages did.
 *
 *   npx tsx bench/diagnose.ts spill-medium [--stage-seconds 30] [--solver scipy|cbc]
 */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const name = argv[0];
  const seconds = argv.includes("--stage-seconds") ? argv[argv.indexOf("--stage-seconds") + 1] : "30";
  const solver = argv.includes("--solver") ? argv[argv.indexOf("--solver") + 1] : "scipy";
  const entry = suite().find((e) => e.name === name);
  if (!entry)
    throw new Error(
      `no instance '${name}': one of ${suite()
        .map((e) => e.name)
        .join(", ")}`,
    );
  const loaded = load(entry);
  if ("skipped" in loaded) throw new Error(loaded.skipped);
  const problem = buildProblem(loaded.input);
  const inst = buildInstance(problem);
  const cpu0 = process.cpuUsage();
  const auto = await solve(problem, { algorithm: "auto", onProgress: (m) => process.stderr.write(`  auto: ${m}\n`) });
  const cpu = process.cpuUsage(cpu0);
  process.stderr.write(
    `auto: ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU, method ${auto.method}, work ${JSON.stringify(auto.work)}, levelBound ${auto.levelBound.join("/")}, gap ${auto.gap}\n`,
  );
  for (const level of inst.levels)
    process.stderr.write(`  p${level}: ${stageColumns(inst, level)} count-stage variables\n`);

  const model = referenceModel(inst);
  const dir = mkdtempSync(join(tmpdir(), "tierplan-diag-"));
  let refAssignment: Int32Array;
  try {
    writeFileSync(join(dir, "model.json"), JSON.stringify(model));
    const run = spawnSync(
      "/usr/bin/python3",
      [
        join(__dirname, "reference", "lexmilp.py"),
        join(dir, "model.json"),
        join(dir, "out.json"),
        "--solver",
        solver,
        "--stage-seconds",
        seconds,
      ],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    if (run.status !== 0) throw new Error("reference failed");
    const out = JSON.parse(readFileSync(join(dir, "out.json"), "utf8")) as { columns: number[] };
    const checked = checkReference(inst, model, out.columns);
    if (checked.problems.length > 0) process.stderr.write(`reference plan problems: ${checked.problems.join("; ")}\n`);
    refAssignment = checked.assignment;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  table(problem, auto.assignment, refAssignment);
}

function stageColumns(inst: Instance, level: number): number {
  let columns = 0;
  for (let t = 0; t < inst.taskCount; t++) {
    if (inst.pinned[t] >= 0 || inst.priority[t] < level) continue;
    for (let c = inst.candStart[t]; c < inst.candStart[t + 1]; c++) columns += inst.candFits[c];
  }
  return columns;
}

/** Per (priority, catalog task): placed on robot / edge / cloud by auto and by the reference. */
function table(problem: Problem, auto: Int32Array, ref: Int32Array): void {
  const rows = new Map<
    string,
    { priority: number; total: number; auto: Record<string, number>; ref: Record<string, number> }
  >();
  const kindOf = (e: number) => (e < 0 ? "none" : problem.environments[e].kind);
  for (const task of problem.tasks) {
    const source =
      task.robot !== undefined && task.source !== task.name
        ? task.source
        : (/^(.*?)-\d+$/.exec(task.name)?.[1] ?? task.name);
    const key = `p${task.priority} ${source}`;
    const row = rows.get(key) ?? { priority: task.priority, total: 0, auto: {}, ref: {} };
    row.total++;
    row.auto[kindOf(auto[task.index])] = (row.auto[kindOf(auto[task.index])] ?? 0) + 1;
    row.ref[kindOf(ref[task.index])] = (row.ref[kindOf(ref[task.index])] ?? 0) + 1;
    rows.set(key, row);
  }
  const kinds = ["robot", "edge", "cloud", "none"];
  const lines = [
    "| task | total | auto robot/edge/cloud/unplaced | reference robot/edge/cloud/unplaced | placed: auto − reference |",
    "|---|---:|---|---|---:|",
  ];
  for (const [key, row] of [...rows].sort((a, b) => b[1].priority - a[1].priority || a[0].localeCompare(b[0]))) {
    const a = kinds.map((k) => row.auto[k] ?? 0);
    const r = kinds.map((k) => row.ref[k] ?? 0);
    lines.push(
      `| ${key} | ${row.total} | ${a.join("/")} | ${r.join("/")} | ${(row.ref.none ?? 0) - (row.auto.none ?? 0)} |`,
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`diagnose failed: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
