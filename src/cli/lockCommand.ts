import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { stackLockFile, type Lock } from "../catalog/lock";
import type { Plan } from "../plan";
import { painter } from "../plan/format";
import { diffPlacements, formatLock, kindsOf, lockOf, type PlacementDiff } from "../plan/moves";
import { renderDiff, TERMINAL_ROWS } from "../plan/render";
import { parseCommand } from "./args";
import { EXIT, UsageError } from "./exit";
import { colorWanted, writeOutput, type CliIO } from "./io";
import { progressPrinter } from "./progress";

/** A stack's lock as `tierplan lock` computes it: the plan, the text to write, and how it differs from the file. */
interface StackLock {
  stack: string;
  /** `stacks/<site>.lock.json`, relative to the root. */
  file: string;
  /** Where it is on disk. */
  path: string;
  /** The plan, computed by the Pulumi program against the current lock. */
  plan: Plan;
  /** The lock the plan was made against; undefined when the stack has none. */
  previous?: Lock & { file: string };
  /** The file's current bytes, when it exists. */
  previousText?: string;
  /** What `tierplan lock` writes. */
  text: string;
  /** From the current lock to the plan. */
  diff: PlacementDiff;
  /** Why the current file is not what `tierplan lock` writes; empty when it is up to date. */
  stale: string[];
}

/**
 * The plan of a stack exactly as the Pulumi program computes it (the program itself, run on the
 * mock engine by runPreview, against the stack's current lock), and the lock file it gives.
 */
async function computeStackLock(stack: string, options: { root?: string } = {}): Promise<StackLock> {
  // The Pulumi SDK is loaded by this command alone.
  const { runPreview } = require("../preview/run") as typeof import("../preview/run");
  const root = options.root ?? join(__dirname, "..", "..");
  const result = await runPreview(stack, { root });
  const file = stackLockFile(stack);
  const path = join(root, file);
  const previous = result.lock ?? undefined;
  const previousText = existsSync(path) ? readFileSync(path, "utf8") : undefined;
  const plan = result.plan;
  const text = formatLock(lockOf(plan));
  const diff = diffPlacements(previous ?? { site: stack, placements: [] }, {
    ...lockOf(plan),
    kinds: kindsOf(plan),
    unplaced: plan.unplaced.map((u) => u.task),
  });
  return {
    stack,
    file,
    path,
    plan,
    ...(previous && { previous }),
    ...(previousText !== undefined && { previousText }),
    text,
    diff,
    stale: staleness(plan, previous, previousText, text, diff, file),
  };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function listed(names: string[], limit = 8): string {
  return names.length <= limit
    ? names.join(", ")
    : `${names.slice(0, limit).join(", ")} and ${names.length - limit} more`;
}

/** The reasons a stack's lock file is stale, most important first. */
function staleness(
  plan: Plan,
  previous: Lock | undefined,
  previousText: string | undefined,
  text: string,
  diff: PlacementDiff,
  file: string,
): string[] {
  if (previous === undefined)
    return [`${file} does not exist: without it nothing keeps the stack's placements from one plan to the next`];
  const reasons: string[] = [];
  if (plan.moves.length > 0) {
    reasons.push(
      `the plan moves ${plural(plan.moves.length, "task")} against it: ${listed(
        plan.moves.map((m) => `${m.task} ${m.from} → ${m.to ?? "unplaced"}`),
        5,
      )}`,
    );
  }
  if (diff.added.length > 0)
    reasons.push(
      `it does not hold ${plural(diff.added.length, "placed task")}: ${listed(diff.added.map((a) => a.task))}`,
    );
  if (diff.dropped.length > 0)
    reasons.push(
      `it holds ${plural(diff.dropped.length, "task")} no longer in the catalog: ${listed(diff.dropped.map((d) => d.task))}`,
    );
  if (reasons.length === 0 && previousText !== text)
    reasons.push("it is not written as 'tierplan lock' writes it (one placement a line, sorted by task)");
  return reasons;
}

/** `tierplan lock --stack <site> [--check]`. */
export async function lockCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand(argv, { stack: { type: "string" }, check: { type: "boolean" } });
  if (positionals.length > 0)
    throw new UsageError(`lock: unexpected argument '${positionals[0]}': give the stack with --stack <site>`);
  if (!values.stack) throw new UsageError("lock: give the stack, e.g. 'tierplan lock --stack factory-a'");
  return lockStack(values.stack, io, { check: Boolean(values.check) });
}

/**
 * Writes the stack's lock (or, with `check`, only says whether it is stale: exit 1) and reports
 * on `io`; `root` is the repository root (default: this checkout), for tests on copies.
 * @public test/lock.test.ts loads it outside vitest's module graph, where knip cannot see it.
 */
export async function lockStack(
  stack: string,
  io: CliIO,
  options: { check?: boolean; root?: string } = {},
): Promise<number> {
  const progress = progressPrinter(io);
  let lock: StackLock;
  try {
    progress.phase(`planning stack ${stack} as the Pulumi program does (mock engine)`);
    lock = await computeStackLock(stack, options.root === undefined ? {} : { root: options.root });
  } finally {
    progress.done();
  }
  const paint = painter(colorWanted(io));
  const upToDate = `${lock.file} is up to date: ${plural(lock.plan.placements.length, "placement")}, no moves\n`;
  if (options.check) {
    if (lock.stale.length === 0) {
      io.stdout.write(upToDate);
      return EXIT.ok;
    }
    io.stderr.write(`tierplan: ${lock.file} is stale:\n${lock.stale.map((r) => `  - ${r}\n`).join("")}`);
    io.stderr.write(`Run 'tierplan lock --stack ${stack}' and commit ${lock.file}: its diff is the list of moves.\n`);
    return EXIT.policy;
  }
  if (lock.previousText === lock.text) {
    io.stdout.write(upToDate);
    return EXIT.ok;
  }
  writeOutput(lock.path, lock.text, "the lock");
  io.stdout.write(
    `${paint("1")(`Wrote ${lock.file}`)}: ${plural(lock.plan.placements.length, "placement")}${lock.previous ? "" : " (a new lock)"}\n`,
  );
  io.stdout.write(
    renderDiff(lock.diff, {
      color: colorWanted(io),
      maxRows: TERMINAL_ROWS,
      titles: { moves: "Moves against the previous lock", added: "Newly locked", dropped: "Dropped from the lock" },
    }),
  );
  const unplaced = lock.plan.unplaced.length;
  if (unplaced > 0)
    io.stdout.write(
      paint("2")(
        `${plural(unplaced, "task")} unplaced, so not locked ('tierplan preview --stack ${stack}' says why)\n`,
      ),
    );
  io.stdout.write(
    paint("2")(
      `Commit ${lock.file}: pulumi preview and pulumi up plan against it, and its diff is the list of moves.\n`,
    ),
  );
  return EXIT.ok;
}
