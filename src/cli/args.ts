import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./exit";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Strict option parsing whose mistakes become usage errors (exit 2), not stack traces. */
export function parseCommand<O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ""));
  }
}
