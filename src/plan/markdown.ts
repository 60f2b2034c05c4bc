import { createHash } from "node:crypto";
import { fmt, percent, solverVerdict } from "./format";
import { kindsOf, moveConsequence } from "./moves";
import { shownUtilization } from "./render";
import type { Plan } from "./schema";
import type { PolicyViolation } from "./verdicts";

export interface MarkdownOptions {
  stack: string;
  verdicts: readonly PolicyViolation[];
  planHash?: string;
  /** Rows of the placement table before it folds the rest away. */
  maxRows?: number;
}

/** Moves listed before the placement table; the rest fold away. */
const MOVES_SHOWN = 15;

/** Placements listed before the rest fold away, unless the caller says otherwise. */
const PLACEMENTS_SHOWN = 50;

/**
 * Most rows of a table, folded ones included: a GitHub comment holds at most 65,536 characters,
 * about 2,000 short rows; the rest are counted and left to the plan JSON.
 */
const TABLE_ROWS_MAX = 2000;

/** Fleets larger than this are one node of the diagram rather than a node per robot. */
const FLEET_DIAGRAM_LIMIT = 12;

/** Above this many tasks the diagram shows task counts per environment instead of each task. */
const DIAGRAM_TASK_LIMIT = 40;

/**
 * A pull-request comment: the verdicts first, loud when a mandatory policy fails (GitHub alert
 * blocks), then the moves against the lock with what `pulumi up` does for each, placements,
 * unplaced tasks, utilization and a Mermaid diagram of the site.
 */
export function renderMarkdown(plan: Plan, options: MarkdownOptions): string {
  const maxRows = options.maxRows ?? PLACEMENTS_SHOWN;
  const mandatory = options.verdicts.filter((v) => v.level === "mandatory");
  const advisory = options.verdicts.filter((v) => v.level === "advisory");
  const total = plan.placements.length + plan.unplaced.length;
  const out: string[] = [`## tierplan · stack \`${options.stack}\``, ""];
  if (mandatory.length > 0) {
    out.push(
      "> [!CAUTION]",
      `> **❌ ${mandatory.length} mandatory policy violation${mandatory.length === 1 ? "" : "s"}: \`pulumi up\` must not run with this plan.**`,
    );
  } else if (advisory.length > 0) {
    out.push("> [!WARNING]", `> **✅ No mandatory policy violations**, ${advisory.length} advisory.`);
  } else {
    out.push("> [!TIP]", "> **✅ All tierplan policies pass.**");
  }
  const moves = plan.moves ?? [];
  const moved = moves.length > 0 ? ` · **${moves.length} move${moves.length === 1 ? "" : "s"}** against the lock` : "";
  out.push(
    `> ${plan.placements.length} of ${total} tasks placed${moved} · score ${fmt(plan.objective.score)} · ${solverStatus(plan)}`,
    "",
  );
  if (options.verdicts.length > 0) {
    out.push("| | Policy | Violation | Resource |", "|---|---|---|---|");
    for (const v of [...mandatory, ...advisory]) {
      out.push(
        `| ${v.level === "mandatory" ? "❌ mandatory" : "⚠️ advisory"} | \`${v.policy}\` | ${cell(v.message)} | ${v.resource ? `\`${cell(v.resource)}\`` : ""} |`,
      );
    }
    out.push("");
  }

  // The moves come before the placements, in the comment's first screen: they are what `pulumi up` changes.
  if (moves.length > 0) {
    const kinds = kindsOf(plan);
    const shown = Math.min(moves.length, MOVES_SHOWN);
    const header = ["| Task | From | To | `pulumi up` will |", "|---|---|---|---|"];
    const moveRow = (m: (typeof moves)[number]) =>
      `| ${cell(m.task)} | ${cell(m.from)} | ${m.to === null ? "_unplaced_" : cell(m.to)} | ${cell(moveConsequence(m, kinds))} |`;
    out.push(`### Moves (${moves.length} against the lock)`, "", ...header, ...moves.slice(0, shown).map(moveRow));
    if (moves.length > shown) {
      out.push(
        "",
        `<details><summary>${moves.length - shown} more moves</summary>`,
        "",
        ...header,
        ...moves.slice(shown, TABLE_ROWS_MAX).map(moveRow),
      );
      if (moves.length > TABLE_ROWS_MAX) out.push(`| … ${moves.length - TABLE_ROWS_MAX} more in the plan JSON | | | |`);
      out.push("", "</details>");
    }
    out.push("");
  }

  out.push(
    "### Placements",
    "",
    "| Task | Tier | Kind | Priority | Latency | SLO | Cost | Score |",
    "|---|---|---|---:|---:|---:|---:|---:|",
  );
  const row = (p: Plan["placements"][number]) =>
    `| ${cell(p.task)}${p.pinned ? " 📌" : ""} | ${cell(p.tier)} | ${p.kind} | ${p.priority} | ${fmt(p.latencyMs)} ms | ${fmt(p.maxLatency)} ms | ${fmt(p.cost)} | ${fmt(p.score)} |`;
  out.push(...plan.placements.slice(0, maxRows).map(row));
  if (plan.placements.length > maxRows) {
    out.push(
      "",
      `<details><summary>${plan.placements.length - maxRows} more placements</summary>`,
      "",
      "| Task | Tier | Kind | Priority | Latency | SLO | Cost | Score |",
      "|---|---|---|---:|---:|---:|---:|---:|",
    );
    out.push(...plan.placements.slice(maxRows, TABLE_ROWS_MAX).map(row));
    if (plan.placements.length > TABLE_ROWS_MAX)
      out.push(`| … ${plan.placements.length - TABLE_ROWS_MAX} more in the plan JSON | | | | | | | |`);
    out.push("", "</details>");
  }
  out.push("");

  if (plan.violations.length > 0) {
    out.push("### Pins that break the rules", "");
    for (const v of plan.violations)
      out.push(`- ❌ **${cell(v.task)}** on ${cell(v.tier)} (${v.rule}): ${cell(v.message)}`);
    out.push("");
  }
  if (plan.unplaced.length > 0) {
    out.push(`### Unplaced (${plan.unplaced.length})`, "");
    for (const u of plan.unplaced.slice(0, maxRows))
      out.push(`- **${cell(u.task)}** (priority ${u.priority}): ${cell(u.reasons[0] ?? "")}`);
    if (plan.unplaced.length > maxRows) out.push(`- … ${plan.unplaced.length - maxRows} more`);
    out.push("");
  }

  out.push(
    "### Utilization",
    "",
    "| Environment | Kind | Compute | Storage | Bandwidth | Bottleneck |",
    "|---|---|---:|---:|---:|---|",
  );
  const { shown, hiddenRobots, fleetSize } = shownUtilization(plan);
  for (const u of shown) {
    const flags = u.bottlenecks
      .map((b) => `${b.severity === "high" ? "🔴" : "🟠"} ${b.dimension} ${percent(b.usableShare)}`)
      .join(", ");
    out.push(
      `| ${cell(u.tier)} | ${u.kind} | ${percent(u.compute)} | ${percent(u.storage)} | ${percent(u.bandwidth)} | ${flags} |`,
    );
  }
  if (hiddenRobots > 0) out.push("", `_${fleetSize} fleet robots; the ${fleetSize - hiddenRobots} busiest shown._`);
  for (const line of plan.recommendations) out.push("", `> ${cell(line)}`);
  out.push("", "### Site", "", "```mermaid", ...mermaid(plan), "```", "");
  out.push(
    `<sub>Plan ${options.planHash ? `\`${options.planHash}\` · ` : ""}${plan.solver.algorithm} via ${plan.solver.method} · objective ${plan.objective.preset}, reserve ${percent(plan.objective.reserve)}. Generated by \`tierplan check --markdown\`.</sub>`,
    "",
  );
  return out.join("\n");
}

function solverStatus(plan: Plan): string {
  if (plan.solver.optimal) return `proven optimal (${plan.solver.algorithm})`;
  return `${plan.solver.algorithm}, ${solverVerdict(plan)}`;
}

/** A table cell: pipes and newlines would break the row. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** Mermaid flowchart: the site, its environments by kind, and the tasks on each. */
function mermaid(plan: Plan): string[] {
  const id = (prefix: string, name: string) =>
    `${prefix}_${createHash("sha256").update(name).digest("hex").slice(0, 10)}`;
  const label = (text: string) => `"${text.replace(/"/g, "#quot;")}"`;
  const lines = ["flowchart LR", `  site((${label(plan.site)}))`];
  const perEnv = new Map<string, string[]>();
  for (const p of plan.placements) perEnv.set(p.tier, [...(perEnv.get(p.tier) ?? []), p.task]);
  const detailed = plan.placements.length <= DIAGRAM_TASK_LIMIT;
  const fleet = plan.environments.filter((e) => e.fleetRobot);
  for (const kind of ["cloud", "edge", "robot"] as const) {
    const envs = plan.environments.filter(
      (e) => e.kind === kind && (!e.fleetRobot || fleet.length <= FLEET_DIAGRAM_LIMIT),
    );
    if (envs.length === 0) continue;
    lines.push(`  subgraph ${kind}_tier[${label(`${kind} tier`)}]`);
    for (const env of envs) {
      const tasks = perEnv.get(env.name) ?? [];
      lines.push(`    ${id("env", env.name)}[${label(`${env.name}${detailed ? "" : ` · ${tasks.length} tasks`}`)}]`);
      if (detailed)
        for (const task of tasks) lines.push(`    ${id("env", env.name)} --- ${id("task", task)}([${label(task)}])`);
    }
    if (kind === "robot" && fleet.length > FLEET_DIAGRAM_LIMIT) {
      const onFleet = plan.placements.filter((p) => fleet.some((f) => f.name === p.tier)).length;
      lines.push(`    fleet[${label(`${fleet.length} fleet robots · ${onFleet} tasks`)}]`);
    }
    lines.push("  end", `  site --> ${kind}_tier`);
  }
  if (plan.unplaced.length > 0)
    lines.push(
      `  unplaced[${label(`unplaced: ${plan.unplaced.length} task(s)`)}]:::warn`,
      "  site -.-> unplaced",
      "  classDef warn fill:#fde68a,stroke:#b45309",
    );
  return lines;
}
