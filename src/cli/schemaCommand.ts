import { inputJsonSchema } from "../catalog/jsonSchema";
import { parseCommand } from "./args";
import { EXIT, UsageError } from "./exit";
import type { CliIO } from "./io";

export async function schemaCommand(argv: string[], io: CliIO): Promise<number> {
  const { positionals } = parseCommand(argv, {});
  if (positionals.length > 0) throw new UsageError(`schema: unexpected argument '${positionals[0]}': it takes none`);
  io.stdout.write(`${JSON.stringify(inputJsonSchema(), null, 2)}\n`);
  return EXIT.ok;
}
