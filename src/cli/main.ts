import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inputJsonSchema } from "../catalog/jsonSchema";
import { EXIT, reportFailure, UsageError } from "./exit";
import { planCommand, PLAN_USAGE } from "./planCommand";
import { previewCommand, PREVIEW_USAGE } from "./previewCommand";
import { checkCommand, CHECK_USAGE } from "./checkCommand";

const USAGE = `tierplan: plan and provision robot AI workloads across cloud, edge and robot tiers

Usage:
  tierplan plan <input>... [--algorithm auto|exact|seed-greedy] [--json]
  tierplan preview --stack <site> [--json]
  tierplan check <preview.json>... [--markdown] [--out <file>]
  tierplan schema                 JSON Schema of the planning input, for editors
  tierplan --version

${PLAN_USAGE}
${PREVIEW_USAGE}
${CHECK_USAGE}`;

type Command = (argv: string[]) => Promise<number>;

const commands: Record<string, Command> = {
  plan: planCommand,
  preview: previewCommand,
  check: checkCommand,
  schema: async () => {
    process.stdout.write(`${JSON.stringify(inputJsonSchema(), null, 2)}\n`);
    return EXIT.ok;
  },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name === undefined ? process.stderr : process.stdout).write(USAGE);
    return name === undefined ? EXIT.invalid : EXIT.ok;
  }
  if (name === "--version" || name === "-v") {
    const pkg = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return EXIT.ok;
  }
  const command = commands[name];
  if (!command) throw new UsageError(`unknown command '${name}': expected one of ${Object.keys(commands).join(", ")}`);
  return command(rest);
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => (process.exitCode = reportFailure(error)),
);
