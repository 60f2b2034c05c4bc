import { CatalogError, didYouMean, type CatalogIssue } from "./errors";
import { readText } from "./read";

const LEVELS = ["advisory", "mandatory", "disabled"] as const;
/** A policy's enforcement level, as Pulumi's policy config names it. */
export type EnforcementLevel = (typeof LEVELS)[number];

/** What a policy accepts, as its pack declares it: names and JSON types of its config properties. */
export interface PolicyConfigShape {
  name: string;
  properties: Record<string, { type?: string; minimum?: number }>;
}

export type PolicySettings = Record<
  string,
  EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)
>;

/**
 * Reads a policy config file in the format of `pulumi preview --policy-pack-config`:
 * `{ "<policy>": "<level>" }` or `{ "<policy>": { "enforcementLevel": "<level>", "<key>": value } }`.
 */
export function readPolicyConfig(file: string, policies: readonly PolicyConfigShape[]): PolicySettings {
  const text = readText(file, "the policy config");
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new CatalogError([
      { file, path: [], message: `cannot read the policy config: not JSON: ${(error as Error).message}` },
    ]);
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new CatalogError([
      {
        file,
        path: [],
        message: 'expected an object of policy names, e.g. { "tierplan-unplaced-tasks": "mandatory" }',
      },
    ]);
  }
  const issues: CatalogIssue[] = [];
  const names = policies.map((p) => p.name);
  for (const [name, value] of Object.entries(data as Record<string, unknown>)) {
    if (name === "all") {
      if (!LEVELS.includes(value as EnforcementLevel))
        issues.push({ file, path: [name], message: `must be one of ${LEVELS.join(", ")}` });
      continue;
    }
    const policy = policies.find((p) => p.name === name);
    if (!policy) {
      const guess = didYouMean(name, names);
      issues.push({
        file,
        path: [name],
        message: `unknown policy${guess ? `: did you mean '${guess}'?` : `; the pack has ${names.join(", ")}`}`,
      });
      continue;
    }
    if (typeof value === "string") {
      if (!LEVELS.includes(value as EnforcementLevel))
        issues.push({ file, path: [name], message: `must be one of ${LEVELS.join(", ")}, got '${value}'` });
      continue;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      issues.push({
        file,
        path: [name],
        message: "must be a level or an object of enforcementLevel and config values",
      });
      continue;
    }
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      if (key === "enforcementLevel") {
        if (!LEVELS.includes(inner as EnforcementLevel))
          issues.push({ file, path: [name, key], message: `must be one of ${LEVELS.join(", ")}` });
        continue;
      }
      const property = policy.properties[key];
      if (!property) {
        const known = ["enforcementLevel", ...Object.keys(policy.properties)];
        const guess = didYouMean(key, known);
        issues.push({
          file,
          path: [name, key],
          message: `unknown setting${guess ? `: did you mean '${guess}'?` : `; ${name} takes ${known.join(", ")}`}`,
        });
      } else if (
        property.type === "integer" &&
        !(Number.isInteger(inner) && (property.minimum === undefined || (inner as number) >= property.minimum))
      ) {
        issues.push({
          file,
          path: [name, key],
          message: `must be a whole number${property.minimum === undefined ? "" : ` >= ${property.minimum}`}`,
        });
      }
    }
  }
  if (issues.length > 0) throw new CatalogError(issues);
  const settings = data as PolicySettings & { all?: EnforcementLevel };
  const { all, ...rest } = settings;
  // `all` sets the level of every policy the file does not set itself, as in Pulumi's format.
  return all
    ? Object.fromEntries(
        names.map((n) => [
          n,
          rest[n] === undefined
            ? all
            : typeof rest[n] === "string"
              ? rest[n]
              : { enforcementLevel: all, ...(rest[n] as object) },
        ]),
      )
    : rest;
}
