import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CatalogError } from "../src/catalog/errors";
import { readPolicyConfig } from "../src/catalog/policyConfig";
import { RULES } from "../policies/rules";

const shapes = RULES.map((rule) => ({ name: rule.name, properties: rule.configSchema.properties }));
const dir = mkdtempSync(join(tmpdir(), "tierplan-policy-config-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const messages = (path: string): string[] => {
  try {
    readPolicyConfig(path, shapes);
  } catch (error) {
    if (error instanceof CatalogError) return error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw error;
  }
  return [];
};

describe("policy config (the format of pulumi preview --policy-pack-config)", () => {
  it("reads levels and config values", () => {
    const path = file(
      "ok.json",
      JSON.stringify({
        "tierplan-unplaced-tasks": { enforcementLevel: "mandatory", minPriority: 2 },
        "tierplan-instance-fits-task": "advisory",
      }),
    );
    expect(readPolicyConfig(path, shapes)).toEqual({
      "tierplan-unplaced-tasks": { enforcementLevel: "mandatory", minPriority: 2 },
      "tierplan-instance-fits-task": "advisory",
    });
  });

  it("'all' sets the level of every policy the file leaves unset", () => {
    const settings = readPolicyConfig(
      file("all.json", JSON.stringify({ all: "advisory", "tierplan-unplaced-tasks": { minPriority: 3 } })),
      shapes,
    );
    expect(Object.keys(settings).sort()).toEqual(RULES.map((r) => r.name).sort());
    expect(settings["tierplan-latency-within-slo"]).toBe("advisory");
    expect(settings["tierplan-unplaced-tasks"]).toEqual({ enforcementLevel: "advisory", minPriority: 3 });
  });

  it("names unknown policies and settings with the likely intended one", () => {
    expect(
      messages(
        file(
          "typo.json",
          JSON.stringify({ "tierplan-latency-within-sla": "mandatory", "tierplan-unplaced-tasks": { minPriorty: 1 } }),
        ),
      ),
    ).toEqual([
      "tierplan-latency-within-sla: unknown policy: did you mean 'tierplan-latency-within-slo'?",
      "tierplan-unplaced-tasks.minPriorty: unknown setting: did you mean 'minPriority'?",
    ]);
  });

  it("rejects bad levels, bad values, non-objects and non-JSON", () => {
    expect(messages(file("level.json", JSON.stringify({ "tierplan-unplaced-tasks": "fatal" })))).toEqual([
      "tierplan-unplaced-tasks: must be one of advisory, mandatory, disabled, got 'fatal'",
    ]);
    expect(messages(file("value.json", JSON.stringify({ "tierplan-unplaced-tasks": { minPriority: 0.5 } })))).toEqual([
      "tierplan-unplaced-tasks.minPriority: must be a whole number >= 1",
    ]);
    expect(messages(file("list.json", "[]"))[0]).toMatch(/expected an object of policy names/);
    expect(messages(file("junk.json", "{ nope"))[0]).toMatch(/not JSON/);
    expect(messages(join(dir, "missing.json"))[0]).toMatch(/no such file/);
  });
});
