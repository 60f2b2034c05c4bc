import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { score } from "../../src/model";
import type { Instance } from "../../src/optimizer/instance";
import { checkReference, referenceModel, withoutPinOverflow } from "./model";

/**
 * The reference column (issue 13.2): contract §2's lexicographic MILP solved by a native solver,
 * as a yardstick only. tierplan never depends on it; the benchmark skips the column, saying why,
 * when neither solver is installed:
 *
 *   apt-get install -y python3-scipy   # scipy.optimize.milp (native HiGHS), run by /usr/bin/python3
 *   apt-get install -y coinor-cbc      # CBC
 *
 * A reference result depends only on the instance, the solver and the stage limit, so it is kept
 * in bench/reference/cache/ under a hash of all three (and of lexmilp.py): a later run of the
 * benchmark reuses it and says so, and any change to an instance or to the planner's candidate
 * sets (the model is written from its `Instance`) makes a fresh solve.
 */
export type ReferenceSolver = "scipy" | "cbc";

export interface ReferenceResult {
  solver: string;
  stageSeconds: number;
  /** Per level (highest first, like `Instance.levels`): placed by the reference's plan, pins included. */
  placed: number[];
  /** Per level: the count stage's proven ceiling given the levels above as the reference placed them. */
  countBound: number[];
  countProven: boolean[];
  score: number | null;
  /** Proven lower bound on the score given the reference's counts. */
  scoreBound: number | null;
  scoreProven: boolean;
  /** Wall clock of each stage (count stages, then the score stage), seconds. */
  stageTimes: number[];
  /** Independent check of the reference plan against the contract: empty when it holds. */
  problems: string[];
  columns: number;
  key: string;
  measuredOn: string;
  cached?: boolean;
}

const PYTHON = "/usr/bin/python3";
const SCRIPT = join(__dirname, "lexmilp.py");
const CACHE = join(__dirname, "cache");

/** Which solvers this machine has, and why not where it has none. */
export function availableSolvers(): { solvers: ReferenceSolver[]; missing: string[] } {
  const solvers: ReferenceSolver[] = [];
  const missing: string[] = [];
  const scipy = spawnSync(PYTHON, ["-c", "import numpy, scipy.optimize; scipy.optimize.milp"], { encoding: "utf8" });
  if (scipy.status === 0) solvers.push("scipy");
  else missing.push(`scipy.optimize.milp: not importable by ${PYTHON} (apt-get install -y python3-scipy)`);
  const cbc = spawnSync("cbc", ["-quit"], { encoding: "utf8" });
  if (cbc.status === 0 && spawnSync(PYTHON, ["-c", "import numpy, scipy.sparse"]).status === 0) solvers.push("cbc");
  else
    missing.push(
      "cbc: not on PATH, or numpy/scipy.sparse missing for the model writer (apt-get install -y coinor-cbc python3-scipy)",
    );
  return { solvers, missing };
}

/** lexmilp.py's VERSION: part of the cache key, so a changed yardstick is not mixed with old results. */
function scriptVersion(): string {
  return /^VERSION = "([^"]+)"/m.exec(readFileSync(SCRIPT, "utf8"))?.[1] ?? "unversioned";
}

/** Placed per level (highest first) and contract §2's score of an assignment, pins included. */
function planWorth(inst: Instance, assignment: Int32Array): { placed: number[]; score: number } {
  const { problem } = inst;
  const index = new Map(inst.levels.map((p, i) => [p, i]));
  const placed = inst.levels.map(() => 0);
  let total = 0;
  for (const task of problem.tasks) {
    const e = assignment[task.index];
    if (e < 0) continue;
    placed[index.get(task.priority)!]++;
    total += score(task, problem.environments[e], problem.weights);
  }
  return { placed, score: total };
}

export function solveReference(
  name: string,
  inst: Instance,
  solver: ReferenceSolver,
  stageSeconds: number,
  options: { fresh: boolean },
): ReferenceResult;
export function solveReference(
  name: string,
  inst: Instance,
  solver: ReferenceSolver,
  stageSeconds: number,
  options: { cacheOnly: true },
): ReferenceResult | undefined;
export function solveReference(
  name: string,
  inst: Instance,
  solver: ReferenceSolver,
  stageSeconds: number,
  options: { fresh?: boolean; cacheOnly?: boolean },
): ReferenceResult | undefined {
  const model = referenceModel(inst);
  const text = JSON.stringify(model);
  const key = createHash("sha256")
    .update(text)
    .update(`\0${solver}\0${stageSeconds}\0`)
    .update(scriptVersion())
    .digest("hex")
    .slice(0, 16);
  const cacheFile = join(CACHE, `${name}.${solver}.json`);
  if (!options.fresh && existsSync(cacheFile)) {
    const cached = JSON.parse(readFileSync(cacheFile, "utf8")) as ReferenceResult;
    if (cached.key === key) return { ...cached, problems: withoutPinOverflow(model, cached.problems), cached: true };
  }
  if (options.cacheOnly) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "tierplan-ref-"));
  try {
    const modelFile = join(dir, "model.json");
    const outFile = join(dir, "out.json");
    writeFileSync(modelFile, text);
    const run = spawnSync(
      PYTHON,
      [SCRIPT, modelFile, outFile, "--solver", solver, "--stage-seconds", String(stageSeconds)],
      {
        encoding: "utf8",
        stdio: ["ignore", "ignore", "inherit"],
        env: { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" },
      },
    );
    if (run.status !== 0) throw new Error(`reference solver (${solver}) failed on ${name} with status ${run.status}`);
    const out = JSON.parse(readFileSync(outFile, "utf8")) as {
      solver: string;
      stages: Array<{
        kind: "count" | "score";
        level?: number;
        value: number | null;
        bound: number | null;
        proven: boolean;
        seconds: number;
      }>;
      columns: number[];
    };
    const counts = out.stages.filter((s) => s.kind === "count");
    const final = out.stages.find((s) => s.kind === "score")!;
    const { assignment, problems } = checkReference(inst, model, out.columns);
    const w = planWorth(inst, assignment);
    // The plan's own counts and score are what the table shows; they must match the stages'.
    counts.forEach((s, i) => {
      if (s.value !== w.placed[i])
        problems.push(`p${s.level}: count stage says ${s.value}, the plan places ${w.placed[i]}`);
    });
    if (final.value !== null && Math.abs(final.value - w.score) > 1e-6 * Math.max(1, Math.abs(w.score)))
      problems.push(`score stage says ${final.value}, the plan scores ${w.score}`);
    const result: ReferenceResult = {
      solver: out.solver,
      stageSeconds,
      placed: w.placed,
      countBound: counts.map((s) => s.bound ?? NaN),
      countProven: counts.map((s) => s.proven),
      score: out.columns.length > 0 || w.placed.some((p) => p > 0) ? w.score : final.value,
      scoreBound: final.bound,
      scoreProven: final.proven,
      stageTimes: out.stages.map((s) => s.seconds),
      problems,
      columns: model.columns.task.length,
      key,
      measuredOn: new Date().toISOString().slice(0, 10),
    };
    mkdirSync(CACHE, { recursive: true });
    writeFileSync(cacheFile, `${JSON.stringify(result, null, 1)}\n`);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
