import type { PreviewResult } from "../preview/run";
import { GROUPS, groupOf } from "../preview/groups";
import { renderPlan } from "../plan";
import { TERMINAL_ROWS } from "../plan/render";
import { fmt, painter } from "../plan/format";
import { parseCommand } from "./args";
import { EXIT, UsageError } from "./exit";
import { colorWanted, type CliIO } from "./io";
import { policySettings } from "./policySettings";
import { progressPrinter } from "./progress";
import { renderVerdicts } from "./verdicts";
import { HOST_KEYS } from "../plan/facts";

export async function previewCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    stack: { type: "string" },
    json: { type: "boolean" },
    all: { type: "boolean" },
    "policy-config": { type: "string" },
  });
  if (positionals.length > 0)
    throw new UsageError(`preview: unexpected argument '${positionals[0]}': give the stack with --stack <site>`);
  if (!values.stack) throw new UsageError("preview: give the stack, e.g. 'tierplan preview --stack factory-a'");
  const settings = policySettings(values["policy-config"]);
  const progress = progressPrinter(io);
  let result: PreviewResult;
  try {
    progress.phase("loading the Pulumi program");
    // The Pulumi SDK and the providers are the heaviest part of tierplan: loaded here only.
    const { runPreview } = require("../preview/run") as typeof import("../preview/run");
    progress.phase(`previewing stack ${values.stack}: planning, then declaring resources on the mock engine`);
    result = await runPreview(values.stack, settings ? { policySettings: settings } : {});
  } finally {
    progress.done();
  }
  if (values.json) {
    const { stack, plan, planHash, lock, resources, policies, warnings } = result;
    io.stdout.write(`${JSON.stringify({ stack, plan, planHash, lock, resources, policies, warnings }, null, 2)}\n`);
  } else {
    io.stdout.write(renderPreview(result, { all: Boolean(values.all), color: colorWanted(io) }));
  }
  return result.policies.violations.some((v) => v.level === "mandatory") ? EXIT.policy : EXIT.ok;
}

/**
 * What a person reads: the plan, then the resources by tier as `pulumi preview` lists creates, then verdicts.
 * @public test/lock.test.ts loads it outside vitest's module graph, where knip cannot see it.
 */
export function renderPreview(result: PreviewResult, options: { all: boolean; color: boolean }): string {
  const paint = painter(options.color);
  const green = paint("32");
  const bold = paint("1");
  const dim = paint("2");
  const out: string[] = [bold(`Previewing stack ${result.stack} offline (Pulumi mock engine, no cloud calls)`), ""];
  out.push(
    renderPlan(result.plan, {
      maxRows: options.all ? Infinity : TERMINAL_ROWS,
      color: options.color,
      ...(result.lock && { lock: result.lock }),
    }).trimEnd(),
    "",
  );
  if (!result.lock)
    out.push(
      dim(
        `No lock (stacks/${result.stack}.lock.json): nothing keeps these placements in the next plan; 'tierplan lock --stack ${result.stack}' writes it.`,
      ),
      "",
    );
  for (const warning of result.warnings) out.push(paint("33")(`warning: ${warning}`));
  if (result.warnings.length > 0) out.push("");
  out.push(bold(`Resources: ${result.resources.length} to create`));
  const limit = options.all ? Infinity : TERMINAL_ROWS;
  for (const title of [...GROUPS.map((g) => g.title), "other"]) {
    const members = result.resources.filter((r) => groupOf(r) === title);
    if (members.length === 0) continue;
    out.push(`  ${title} (${members.length})`);
    const width = Math.max(...members.map((r) => r.type.length));
    for (const r of members.slice(0, limit)) {
      const tasks = Number((r.inputs.tags as Record<string, unknown> | undefined)?.[HOST_KEYS.hostTasks] ?? 1);
      const detail =
        r.type === "aws:ec2/instance:Instance"
          ? dim(`  ${String(r.inputs.instanceType)}${tasks > 1 ? `, ${tasks} tasks` : ""}`)
          : "";
      out.push(`    ${green("+")} ${r.type.padEnd(width)}  ${r.name}${detail}`);
    }
    if (members.length > limit) out.push(dim(`    … ${members.length - limit} more (--all lists them)`));
  }
  const cost = costLine(result.outputs.cost);
  if (cost) out.push("", cost);
  out.push("", renderVerdicts(result.policies.violations, options.color));
  return `${out.join("\n")}\n`;
}

/** The site's provisioned cost next to the plan's (the program's `cost` output, docs/pulumi.md "Cloud packing"). */
function costLine(cost: unknown): string | undefined {
  if (cost === null || typeof cost !== "object") return undefined;
  const c = cost as Record<string, number | boolean>;
  const usd = (x: unknown) => `$${Number(x).toFixed(2)}/h`;
  const parts = [`cloud: ${c.cloudInstances} instance(s) for ${c.cloudTasks} task(s), ${usd(c.cloudInstancesPerHour)}`];
  if (Number(c.cloudTasks) > 0) {
    parts.push(
      `one instance per task: ${usd(c.oneInstancePerTaskPerHour)}; ${c.cloudPackedOptimally ? "packed at the least cost" : `no packing costs under ${usd(c.cloudLowerBoundPerHour)}`}`,
    );
  }
  if (Number(c.edgeNodesPerHour) > 0) parts.push(`EKS nodes: ${usd(c.edgeNodesPerHour)}`);
  return `Provisioned: ${usd(c.provisionedPerHour)} on demand (${parts.join("; ")}) · the plan's cost (seed formula, cost units): ${fmt(Number(c.planCost))}`;
}
