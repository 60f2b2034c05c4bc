import { createRequire } from "node:module";
import { register } from "tsx/cjs/api";
import { it, expect } from "vitest";
import * as viteErrors from "../src/catalog/errors";

register();
const nativeRequire = createRequire(__filename);
const { runPreview } = nativeRequire("../src/preview/run.ts") as typeof import("../src/preview/run");
const { CatalogError } = nativeRequire("../src/catalog/errors.ts") as typeof import("../src/catalog/errors");

it("probe", async () => {
  const t0 = Date.now();
  const a = await runPreview("lab");
  const t1 = Date.now();
  const b = await runPreview("factory-a");
  const t2 = Date.now();
  let err: unknown;
  try { await runPreview("nope"); } catch (e) { err = e; }
  console.error("unknown:", (err as Error).constructor.name, err instanceof CatalogError, err instanceof viteErrors.CatalogError, (err as Error).message);
  const c = await runPreview("warehouse-east");
  const t3 = Date.now();
  const d = await runPreview("lab");
  console.error(t1 - t0, t2 - t1, t3 - t2, Date.now() - t3, a.resources.length, b.resources.length, c.resources.length, d.resources.length);
  console.error(JSON.stringify(a.resources) === JSON.stringify(d.resources), a.planHash, d.planHash, JSON.stringify(a.outputs).slice(0, 500));
  expect(1).toBe(1);
});
