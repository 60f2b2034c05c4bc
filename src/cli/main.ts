import { readFileSync } from "node:fs";
import { join } from "node:path";
import { COMMANDS } from "./commands";
import { EXIT, reportFailure, UsageError } from "./exit";
import { processIO, type CliIO } from "./io";

/*
 * The `tierplan` command. Start-up is kept to this file, the command table and the one command
 * that runs (src/cli/commands.ts): `--help` loads no command at all.
 */

function usage(): string {
  return `tierplan: plan and provision robot AI workloads across cloud, edge and robot tiers

Usage:
${COMMANDS.map((c) => `  ${c.synopsis}`).join("\n")}
  tierplan <command> --help
  tierplan --version

${COMMANDS.map((c) => c.usage).join("\n")}`;
}

const wantsHelp = (argv: readonly string[]): boolean => argv.some((a) => a === "--help" || a === "-h");

async function dispatch(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name === undefined ? io.stderr : io.stdout).write(usage());
    return name === undefined ? EXIT.invalid : EXIT.ok;
  }
  if (name === "--version" || name === "-v") {
    const pkg = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as { version: string };
    io.stdout.write(`${pkg.version}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    throw new UsageError(`unknown command '${name}': expected one of ${COMMANDS.map((c) => c.name).join(", ")}`);
  }
  if (wantsHelp(rest)) {
    io.stdout.write(command.usage);
    return EXIT.ok;
  }
  return command.load()(rest, io);
}

/**
 * Runs one `tierplan` command line and resolves to its exit status; never throws. Tests run it
 * in-process with captured outputs; the binary runs it with the process's (main below).
 */
export async function run(argv: string[], io: CliIO = processIO()): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    return reportFailure(error, io);
  }
}

/** The process: arguments from argv, the exit status as process.exitCode. */
export function main(): void {
  // `tierplan plan … | head` closes the pipe early: stop quietly, as other command-line tools do.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? EXIT.ok);
    throw error;
  });
  void run(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

// `tsx src/cli/main.ts …` (npm start); bin/tierplan.js calls main() itself.
if (require.main === module) main();
