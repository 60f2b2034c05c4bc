import { CatalogError, formatIssue } from "../catalog/errors";
import type { CliIO } from "./io";

/** Exit statuses of docs/contract.md §3/§4. */
export const EXIT = { ok: 0, policy: 1, invalid: 2, internal: 3 } as const;

/** Wrong command-line usage: reported like invalid input, exit 2. */
export class UsageError extends Error {}

/**
 * Reports a failure on stderr and gives the exit status. Nothing goes to stdout, so a caller
 * piping `--json` never reads half a plan; no stack trace unless TIERPLAN_DEBUG is set.
 */
export function reportFailure(error: unknown, io: CliIO): number {
  if (error instanceof CatalogError) {
    const count = error.issues.length;
    io.stderr.write(`tierplan: invalid input (${count} problem${count === 1 ? "" : "s"}):\n`);
    for (const issue of error.issues) io.stderr.write(`  ${formatIssue(issue)}\n`);
    return EXIT.invalid;
  }
  if (error instanceof UsageError) {
    io.stderr.write(`tierplan: ${error.message}\nRun 'tierplan --help' for usage.\n`);
    return EXIT.invalid;
  }
  // src/provision/errors.ts: a plan the configuration cannot provision, said with its fix.
  if (error instanceof Error && error.name === "ProvisionError") {
    io.stderr.write(`tierplan: cannot provision the plan: ${error.message}\n`);
    return EXIT.invalid;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`tierplan: internal error: ${message}\n`);
  if (io.env.TIERPLAN_DEBUG && error instanceof Error) io.stderr.write(`${error.stack}\n`);
  else io.stderr.write("Set TIERPLAN_DEBUG=1 for a stack trace, and please report it.\n");
  return EXIT.internal;
}
