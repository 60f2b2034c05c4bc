import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { inputJsonSchema } from "../src/catalog/jsonSchema";

describe("docs/planning-input.schema.json", () => {
  it("is what `tierplan schema` prints for today's schema (regenerate: npx tierplan schema > docs/planning-input.schema.json)", () => {
    const committed = JSON.parse(readFileSync(resolve(__dirname, "../docs/planning-input.schema.json"), "utf8"));
    expect(committed).toEqual(JSON.parse(JSON.stringify(inputJsonSchema())));
  });
});
