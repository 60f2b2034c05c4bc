import { z } from "zod";
import { CatalogFileSchema } from "./schema";

/**
 * JSON Schema of one catalog file, for editor autocompletion (yaml-language-server, VS Code).
 * Per-file, so a shared task catalog without `site` or `tiers` validates too; the loader
 * checks that the files of a site add up to a complete input.
 */
export function inputJsonSchema(): object {
  return z.toJSONSchema(CatalogFileSchema, { io: "input", target: "draft-2020-12" });
}
