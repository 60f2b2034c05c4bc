import { formatIssue, type CatalogIssue } from "../catalog/errors";
import { loadCatalog } from "../catalog/load";
import { checkLockSite, loadLock } from "../catalog/lock";
import { ALGORITHMS, type Algorithm } from "../catalog/algorithms";
import { planSite, renderPlan } from "../plan";
import { TERMINAL_ROWS } from "../plan/render";
import { parseCommand } from "./args";
import { EXIT, UsageError } from "./exit";
import { colorWanted, type CliIO } from "./io";
import { progressPrinter } from "./progress";
import { HIGHS_MAX_NODES } from "../optimizer/milp";

/** More windows than a fleet has robots change nothing: a cap that keeps the number sane. */
const MAX_WINDOWS = 100_000;

/** Warnings shown one by one; the rest are counted, so a plan-only catalog is not buried in them. */
const WARNINGS_SHOWN = 5;

export async function planCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    algorithm: { type: "string" },
    "max-nodes": { type: "string" },
    windows: { type: "string" },
    json: { type: "boolean" },
    all: { type: "boolean" },
    lock: { type: "string" },
  });
  if (positionals.length === 0)
    throw new UsageError("plan: give the planning input file, e.g. 'tierplan plan examples/smart-factory.yaml'");
  const algorithm = (values.algorithm ?? "auto") as Algorithm;
  if (!ALGORITHMS.includes(algorithm))
    throw new UsageError(`plan: --algorithm must be one of ${ALGORITHMS.join(", ")}, got '${values.algorithm}'`);
  const maxNodes = parseCount("max-nodes", values["max-nodes"], 1, HIGHS_MAX_NODES);
  const windows = parseCount("windows", values.windows, 0, MAX_WINDOWS);

  const progress = progressPrinter(io);
  try {
    progress.phase(`reading ${positionals.length === 1 ? positionals[0] : `${positionals.length} files`}`);
    const warnings: CatalogIssue[] = [];
    const input = loadCatalog(positionals, { onWarning: (issue) => warnings.push(issue) });
    // docs/contract.md §6: plan against a lock (a lock file, or an earlier plan's JSON).
    const lock = values.lock === undefined ? undefined : loadLock(values.lock);
    if (lock)
      checkLockSite(lock, input.site, `give the lock of site '${input.site}' (e.g. stacks/${input.site}.lock.json)`);
    progress.phase(`planning ${input.tasks.length} task${input.tasks.length === 1 ? "" : "s"} with ${algorithm}`);
    const plan = await planSite(input, {
      algorithm,
      budget: {
        ...(maxNodes !== undefined && { milpNodes: maxNodes }),
        ...(windows !== undefined && { windowStages: windows }),
      },
      ...(lock && { lock }),
      onProgress: (message: string) => progress.update(message),
    });
    progress.done();
    writeWarnings(warnings, io);
    io.stdout.write(
      values.json
        ? `${JSON.stringify(plan, null, 2)}\n`
        : renderPlan(plan, {
            maxRows: values.all ? Infinity : TERMINAL_ROWS,
            color: colorWanted(io),
            ...(lock && { lock }),
          }),
    );
    return EXIT.ok;
  } finally {
    progress.done();
  }
}

function parseCount(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max))
    throw new UsageError(`plan: --${flag} must be a whole number from ${min} to ${max}, got '${text}'`);
  return value;
}

function writeWarnings(warnings: readonly CatalogIssue[], io: CliIO): void {
  for (const warning of warnings.slice(0, WARNINGS_SHOWN))
    io.stderr.write(`tierplan: warning: ${formatIssue(warning)}\n`);
  const more = warnings.length - WARNINGS_SHOWN;
  if (more > 0) io.stderr.write(`tierplan: warning: … and ${more} more like these\n`);
}
