import { createRequire } from "node:module";
import { register } from "tsx/cjs/api";
import type { CliIO } from "../../src/cli/io";

/** What a command line gave: its exit status and both outputs. */
export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

let cli: typeof import("../../src/cli/main") | undefined;

/**
 * src/cli/main.ts loaded the way bin/tierplan.js loads it: natively, through tsx's CommonJS
 * hook, since the commands are `require`d on first use, which vitest's module runner does not
 * see. Each test file runs in a process of its own (vitest.config.mts: pool forks).
 */
export function loadCli(): typeof import("../../src/cli/main") {
  if (!cli) {
    register();
    cli = createRequire(__filename)("../../src/cli/main.ts") as typeof import("../../src/cli/main");
  }
  return cli;
}

/** Runs one `tierplan` command line in this process, with captured outputs and no terminal. */
export async function runCli(argv: string[], env: Record<string, string> = {}): Promise<Run> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: CliIO = {
    stdout: { write: (text: string) => stdout.push(text) },
    stderr: { write: (text: string) => stderr.push(text) },
    env: { NO_COLOR: "1", ...env },
  };
  const status = await loadCli().run(argv, io);
  return { status, stdout: stdout.join(""), stderr: stderr.join("") };
}
