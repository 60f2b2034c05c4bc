import { loadCatalog } from "../catalog/load";
import { ALGORITHMS, type Algorithm } from "../optimizer/types";
import { planSite, renderPlan } from "../plan";
import { EXIT, UsageError } from "./exit";
import { parseCommand } from "./args";

export const PLAN_USAGE = `tierplan plan <input.yaml|json>... [options]

Plans every task of the input (contract §1) onto cloud, edge and robot environments.
Several files are combined: tiers, robots and tasks concatenated, other fields merged.

Options:
  --algorithm <a>   auto (default) | exact | seed-greedy
  --max-nodes <n>   branch-and-bound node limit per MILP solve (deterministic work budget)
  --json            print the plan as one JSON object (contract §3)
  --all             list every placement in the table, not the first 40
`;

export async function planCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    algorithm: { type: "string" },
    "max-nodes": { type: "string" },
    json: { type: "boolean" },
    all: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    process.stdout.write(PLAN_USAGE);
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new UsageError("plan: give the planning input file, e.g. 'tierplan plan examples/smart-factory.yaml'");
  const algorithm = (values.algorithm ?? "auto") as Algorithm;
  if (!ALGORITHMS.includes(algorithm)) throw new UsageError(`plan: --algorithm must be one of ${ALGORITHMS.join(", ")}, got '${values.algorithm}'`);
  const maxNodes = values["max-nodes"] === undefined ? undefined : Number(values["max-nodes"]);
  if (maxNodes !== undefined && !(Number.isInteger(maxNodes) && maxNodes > 0)) throw new UsageError(`plan: --max-nodes must be a positive whole number, got '${values["max-nodes"]}'`);

  const input = loadCatalog(positionals);
  const showProgress = process.stderr.isTTY && !values.json;
  const plan = await planSite(input, {
    algorithm,
    ...(maxNodes !== undefined && { budget: { milpNodes: maxNodes } }),
    ...(showProgress && { onProgress: (message: string) => process.stderr.write(`\r\u001b[2K… ${message}`) }),
  });
  if (showProgress) process.stderr.write("\r\u001b[2K");
  process.stdout.write(values.json ? `${JSON.stringify(plan, null, 2)}\n` : renderPlan(plan, { maxRows: values.all ? Infinity : 40, color: colorWanted() }));
  return EXIT.ok;
}

export function colorWanted(): boolean {
  return Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
}
