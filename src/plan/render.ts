import { fmt, painter, percent, solverVerdict } from "./format";
import { newTasks, planMoves, type PlacementDiff } from "./moves";
import type { Plan } from "./schema";

/** Rows of a table on a terminal before it is cut short (`--all` shows every row): about a screenful. */
export const TERMINAL_ROWS = 40;

export interface RenderOptions {
  /** Rows of the placement table before it is cut short; Infinity for all. */
  maxRows?: number;
  /** ANSI colour for a terminal. */
  color?: boolean;
  /** The lock the plan was made against (docs/contract.md §6): marks new tasks and names the file. */
  lock?: { file?: string; placements: ReadonlyArray<{ task: string }> };
}

/** The plan as a person reads it in a terminal: placements, unplaced tasks and why, utilization, solver. */
export function renderPlan(plan: Plan, options: RenderOptions = {}): string {
  const maxRows = options.maxRows ?? TERMINAL_ROWS;
  const paint = painter(Boolean(options.color));
  const bold = paint("1");
  const red = paint("31");
  const yellow = paint("33");
  const dim = paint("2");
  const out: string[] = [];
  const total = plan.placements.length + plan.unplaced.length;
  const status = solverVerdict(plan);
  out.push(
    bold(`Site ${plan.site}: ${plan.placements.length} of ${total} tasks placed`) +
      ` · score ${fmt(plan.objective.score)} · latency ${fmt(plan.objective.latencyMs)} ms · cost ${fmt(plan.objective.cost)}` +
      dim(` · ${plan.solver.algorithm} (${status}, ${fmt(plan.solver.ms)} ms)`),
  );
  out.push("");
  // docs/contract.md §6: moved tasks (against the lock) and tasks new to it, marked in the table.
  const moves = planMoves(plan);
  const movedFrom = new Map(moves.map((m) => [m.task, m.from]));
  const fresh = options.lock ? newTasks(plan, options.lock) : new Set<string>();
  const mark = (task: string) => {
    const from = movedFrom.get(task);
    if (from !== undefined) return yellow(`moved from ${from}`);
    return fresh.has(task) ? "new" : "";
  };
  const rows = plan.placements.slice(0, maxRows).map((p) => [
    p.task,
    // docs/contract.md §5: on a tier with machines, the machine (node) and the GPU units the task takes.
    p.machine === undefined ? p.tier : `${p.tier}/${p.machine} ×${p.gpuUnits}`,
    p.kind,
    String(p.priority),
    `${fmt(p.latencyMs)} ms`,
    `${fmt(p.maxLatency)} ms`,
    fmt(p.cost),
    fmt(p.score),
    [p.pinned ? "pinned" : "", mark(p.task)].filter(Boolean).join(", "),
  ]);
  out.push(
    ...table(["TASK", "TIER", "KIND", "PRIO", "LATENCY", "SLO", "COST", "SCORE", ""], rows).map((line, i) =>
      i === 0 ? bold(line) : line,
    ),
  );
  if (plan.placements.length > maxRows)
    out.push(
      dim(`… and ${plan.placements.length - maxRows} more placements (--all shows every one, --json the whole plan)`),
    );
  out.push(...renderMoves(moves, fresh.size, options, maxRows));

  if (plan.violations.length > 0) {
    out.push("", red(bold(`Violations (${plan.violations.length}): pins that break contract rules`)));
    for (const v of plan.violations) out.push(red(`  ✗ ${v.task} on ${v.tier} [${v.rule}]: ${v.message}`));
  }
  if (plan.unplaced.length > 0) {
    out.push("", yellow(bold(`Unplaced (${plan.unplaced.length})`)));
    for (const u of plan.unplaced.slice(0, maxRows)) {
      out.push(`  ${yellow(u.task)} (priority ${u.priority}): ${u.reasons[0]}`);
      for (const line of u.reasons.slice(1, 6)) out.push(dim(`      ${line}`));
      if (u.reasons.length > 6) out.push(dim(`      … ${u.reasons.length - 6} more`));
    }
    if (plan.unplaced.length > maxRows) out.push(dim(`  … and ${plan.unplaced.length - maxRows} more unplaced`));
  }

  out.push("", bold("Utilization (share of capacity)"));
  const { shown, hiddenRobots, fleetSize } = shownUtilization(plan);
  const utilRows = shown.map((u) => {
    const flags = u.bottlenecks
      .map((b) => (b.severity === "high" ? red : yellow)(`${b.dimension} ${b.severity}`))
      .join(" ");
    return [u.tier, u.kind, percent(u.compute), percent(u.storage), percent(u.bandwidth), flags];
  });
  out.push(
    ...table(["ENVIRONMENT", "KIND", "COMPUTE", "STORAGE", "BANDWIDTH", "BOTTLENECK"], utilRows).map((l, i) =>
      i === 0 ? dim(l) : l,
    ),
  );
  if (hiddenRobots > 0) out.push(dim(`  (${fleetSize} fleet robots; the ${fleetSize - hiddenRobots} busiest shown)`));
  for (const line of plan.recommendations) out.push(yellow(`→ ${line}`));

  const levels = plan.objective.placedByPriority.map((l) => `p${l.priority} ${l.placed}/${l.total}`).join(", ");
  const bound = plan.solver.bound === null ? "" : ` · bound ${fmt(plan.solver.bound)}`;
  out.push(
    "",
    dim(
      `Solver: ${plan.solver.algorithm} via ${plan.solver.method} · placed by priority ${levels}${bound} · objective ${plan.objective.preset} (latency ×${fmt(plan.objective.weights.latency)}, cost ×${fmt(plan.objective.weights.cost)}), reserve ${percent(plan.objective.reserve)}`,
    ),
  );
  return `${out.join("\n")}\n`;
}

/** The moves against the lock with what `pulumi up` does for each; nothing when there is no lock. */
function renderMoves(
  moves: ReturnType<typeof planMoves>,
  fresh: number,
  options: RenderOptions,
  maxRows: number,
): string[] {
  const paint = painter(Boolean(options.color));
  const against = options.lock?.file ? ` against ${options.lock.file}` : " against the lock";
  const added = fresh > 0 ? `; ${fresh} new task${fresh === 1 ? "" : "s"} to lock` : "";
  if (moves.length === 0) {
    return options.lock ? ["", paint("32")(`Moves: none${against}${added}`)] : [];
  }
  const out = ["", paint("1;33")(`Moves (${moves.length})${against}${added}`)];
  const shown = moves.slice(0, maxRows);
  const where = (m: (typeof moves)[number]) => `${m.from} → ${m.to ?? "unplaced"}`;
  const taskWidth = Math.max(...shown.map((m) => m.task.length));
  const whereWidth = Math.max(...shown.map((m) => where(m).length));
  for (const m of shown) {
    out.push(
      `  ${paint("33")("~")} ${m.task.padEnd(taskWidth)}  ${where(m).padEnd(whereWidth)}  ${paint("2")(m.consequence)}`.trimEnd(),
    );
  }
  if (moves.length > maxRows) out.push(paint("2")(`  … and ${moves.length - maxRows} more moves`));
  return out;
}

/** The environments a report lists: every shared tier, and only the busiest few fleet robots. */
export function shownUtilization(
  plan: Plan,
  robots = 5,
): { shown: Plan["utilization"]; hiddenRobots: number; fleetSize: number } {
  const fleet = plan.utilization.filter((u) => u.fleetRobot);
  const busiest = [...fleet]
    .sort((a, b) => Math.max(b.compute, b.storage, b.bandwidth) - Math.max(a.compute, a.storage, a.bandwidth))
    .slice(0, robots);
  return {
    shown: [...plan.utilization.filter((u) => !u.fleetRobot), ...busiest],
    hiddenRobots: fleet.length - busiest.length,
    fleetSize: fleet.length,
  };
}

const ANSI_CODE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

function table(header: string[], rows: string[][]): string[] {
  // The ANSI colour codes painter() adds take no room on screen.
  const visible = (s: string) => s.replace(ANSI_CODE, "").length;
  const widths = header.map((h, i) => Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ""))));
  const line = (cells: string[]) =>
    `  ${cells
      .map((c, i) => c + " ".repeat(Math.max(0, widths[i] - visible(c))))
      .join("  ")
      .trimEnd()}`;
  return [line(header), ...rows.map(line)];
}

export interface DiffRenderOptions {
  color: boolean;
  maxRows?: number;
  titles?: { moves: string; added: string; dropped: string };
}

/** A placement diff for a terminal: moves with their Pulumi consequence, new and dropped tasks. */
export function renderDiff(diff: PlacementDiff, options: DiffRenderOptions): string {
  const paint = painter(options.color);
  const maxRows = options.maxRows ?? Infinity;
  const titles = options.titles ?? { moves: "Moves", added: "New", dropped: "No longer placed" };
  const out: string[] = [];
  const section = (title: string, rows: Array<[string, string, string]>, sign: string, color: string) => {
    if (rows.length === 0) return;
    out.push(paint("1")(`${title} (${rows.length})`));
    const shown = rows.slice(0, maxRows);
    const taskWidth = Math.max(...shown.map(([task]) => task.length));
    const whereWidth = Math.max(...shown.map(([, where]) => where.length));
    for (const [task, where, note] of shown) {
      out.push(
        `  ${paint(color)(sign)} ${task.padEnd(taskWidth)}  ${where.padEnd(whereWidth)}  ${paint("2")(note)}`.trimEnd(),
      );
    }
    if (rows.length > maxRows) out.push(paint("2")(`  … and ${rows.length - maxRows} more`));
  };
  section(
    titles.moves,
    diff.moves.map((m) => [m.task, `${m.from} → ${m.to ?? "unplaced"}`, m.consequence]),
    "~",
    "33",
  );
  section(
    titles.added,
    diff.added.map((a) => [a.task, `→ ${a.to}`, a.consequence]),
    "+",
    "32",
  );
  section(
    titles.dropped,
    diff.dropped.map((d) => [d.task, d.from, d.reason]),
    "-",
    "31",
  );
  out.push(
    paint("2")(
      `${diff.moves.length} moved, ${diff.added.length} new, ${diff.dropped.length} no longer placed, ${diff.unchanged} unchanged`,
    ),
  );
  return `${out.join("\n")}\n`;
}
