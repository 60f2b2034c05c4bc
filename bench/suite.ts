import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CatalogError, loadCatalogSources, type PlanningInput } from "../src/catalog";
import { FAMILIES, SIZES, type Size } from "./families";
import { fleetSite, mixedSite, seedCollaboration } from "./instances";

/** One benchmark instance: its family and size, and its planning input as a user would write it. */
export interface SuiteEntry {
  family: string;
  size: Size | "fixed";
  name: string;
  description: string;
  /** The catalog feature it needs beyond contract §1, if any. */
  requires?: "machines";
  /** JSON text of the planning input (contract §1): validated by the catalog loader. */
  text(): string;
}

/**
 * Every instance of `npm run bench`: the families (issue 13.1) in three sizes, and the earlier
 * benchmark's instances as family "legacy" (the figures issues 10 and 12 quote are on them).
 */
export function suite(): SuiteEntry[] {
  const legacy: SuiteEntry[] = [
    {
      family: "legacy",
      size: "fixed",
      name: "seed-factory",
      description: "seed 001 §6.3 case 1: cloud, edge, one robot arm",
      text: () => readFileSync(join(__dirname, "..", "examples", "smart-factory.yaml"), "utf8"),
    },
    ...[
      seedCollaboration(),
      mixedSite("site-500x12", 500, 12, 7, 0.8),
      fleetSite("fleet-100", 100, 100, 8, 11),
      fleetSite("fleet-1000", 1000, 100, 8, 13),
      fleetSite("fleet-2000", 2000, 200, 8, 17),
    ].map(
      (i): SuiteEntry => ({
        family: "legacy",
        size: "fixed",
        name: i.name,
        description: i.description,
        text: () => JSON.stringify(i.input),
      }),
    ),
  ];
  const families = FAMILIES.flatMap((family) =>
    SIZES.map(
      (size): SuiteEntry => ({
        family: family.name,
        size,
        name: `${family.name}-${size}`,
        description: family.description,
        ...(family.requires && { requires: family.requires }),
        text: () => JSON.stringify(family.make(size).input),
      }),
    ),
  );
  return [...families, ...legacy];
}

/**
 * The entry's planning input through the catalog loader, as `tierplan plan` would read it, or why
 * not: an entry needing a feature the loader does not have yet says so instead of failing the run.
 */
export function load(entry: SuiteEntry): { input: PlanningInput } | { skipped: string } {
  const file = entry.name === "seed-factory" ? "examples/smart-factory.yaml" : `${entry.name}.json`;
  try {
    return { input: loadCatalogSources([{ file, text: entry.text() }]) };
  } catch (error) {
    if (error instanceof CatalogError && entry.requires && error.message.includes(`unknown key '${entry.requires}'`)) {
      return {
        skipped: `the catalog loader does not accept \`${entry.requires}\` yet (${error.message.split("\n")[0].slice(0, 140)})`,
      };
    }
    throw error;
  }
}
