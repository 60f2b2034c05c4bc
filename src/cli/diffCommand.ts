import { readPlacementsFile, type PlacementsFile } from "../catalog/lock";
import { painter } from "../plan/format";
import { diffPlacements } from "../plan/moves";
import { parseCommand } from "./args";
import { EXIT, UsageError } from "./exit";
import { colorWanted, type CliIO } from "./io";
import { renderDiff, TERMINAL_ROWS } from "../plan/render";

const KIND_NAMES: Record<PlacementsFile["kind"], string> = { lock: "lock", plan: "plan", preview: "preview" };

/**
 * `tierplan diff <old> <new> [--json]`: what changes from one set of placements to another, for
 * any two plans (`tierplan plan --json`), saved previews (`tierplan preview --json`) or locks.
 * Always exit 0 on readable input: a diff is a report, not a verdict.
 */
export async function diffCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand(argv, { json: { type: "boolean" }, all: { type: "boolean" } });
  if (positionals.length !== 2) {
    throw new UsageError(
      `diff: give two files, the old and the new, e.g. 'tierplan diff stacks/factory-a.lock.json plan.json' (got ${positionals.length})`,
    );
  }
  // Both read before anything is printed: a bad file fails the run with nothing on stdout.
  const [before, after] = positionals.map((file) => readPlacementsFile(file));
  const diff = diffPlacements(before, after);
  if (values.json) {
    const side = (f: PlacementsFile) => ({ file: f.file, kind: f.kind, site: f.site, placements: f.placements.length });
    io.stdout.write(`${JSON.stringify({ old: side(before), new: side(after), ...diff }, null, 2)}\n`);
    return EXIT.ok;
  }
  const color = colorWanted(io);
  const paint = painter(color);
  const site = before.site === after.site ? `site ${before.site}` : `sites ${before.site} → ${after.site}`;
  io.stdout.write(
    `${paint("1")(`Placements of ${site}`)}: ${before.file} (${KIND_NAMES[before.kind]}) → ${after.file} (${KIND_NAMES[after.kind]})\n`,
  );
  if (before.site !== after.site)
    io.stdout.write(paint("33")("note: the two files are of different sites, so most tasks differ by name\n"));
  if (before.kind === "lock" && after.kind === "lock")
    io.stdout.write(
      paint("2")("(two locks name no tier kinds: give a plan or preview for each move's Pulumi consequence)\n"),
    );
  io.stdout.write("\n");
  io.stdout.write(renderDiff(diff, { color, maxRows: values.all ? Infinity : TERMINAL_ROWS }));
  return EXIT.ok;
}
