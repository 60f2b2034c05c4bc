import { writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { CatalogError } from "../catalog/errors";

/** Where a command writes: a stream's write, and whether it is a terminal. */
interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * What a command may touch besides its arguments: its two outputs and the environment. The
 * process's own for the `tierplan` binary; captured ones for tests that run commands in-process.
 */
export interface CliIO {
  stdout: Output;
  stderr: Output;
  env: Readonly<Record<string, string | undefined>>;
}

export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** Colour on stdout only for a terminal, and never with NO_COLOR (no-color.org). */
export function colorWanted(io: CliIO): boolean {
  return Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;
}

/** Writes a report the user asked for with `--out`; a path that cannot be written is invalid input (exit 2). */
export function writeOutput(file: string, text: string, what: string): void {
  try {
    writeFileSync(file, text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? `no such directory: ${dirname(file)} (create it first)`
        : code === "EISDIR"
          ? "it is a directory: give a file name"
          : code === "EACCES" || code === "EPERM" || code === "EROFS"
            ? "permission denied"
            : (error as Error).message;
    throw new CatalogError([{ file, path: [], message: `cannot write ${what}: ${reason}` }]);
  }
}
