/** A path inside a catalog file, as zod reports it: keys and array indices. */
export type DataPath = ReadonlyArray<string | number>;

/** One thing wrong with the input, located precisely enough to fix it. */
export interface CatalogIssue {
  /** The file as the user named it. */
  file: string;
  /** Path inside the file, e.g. ["tasks", 3, "maxLatency"]. */
  path: DataPath;
  /** What is wrong and, where we can tell, the fix. */
  message: string;
  /** 1-based position in the file, when the parser could tell it. */
  line?: number;
  column?: number;
}

/** Invalid input: carries every issue found, so a user fixes them in one pass. */
export class CatalogError extends Error {
  constructor(readonly issues: CatalogIssue[]) {
    super(issues.map(formatIssue).join("\n"));
    this.name = "CatalogError";
  }
}

/** `tasks[3].maxLatency`; the root is `(top level)`. */
export function formatPath(path: DataPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? part : `.${part}`;
  }
  return out === "" ? "(top level)" : out;
}

export function formatIssue(issue: CatalogIssue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}:${issue.column ?? 1}`;
  return `${where}: ${formatPath(issue.path)}: ${issue.message}`;
}

/** The closest candidate by edit distance, if it is close enough to be a likely typo. */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const needle = input.toLowerCase();
  for (const candidate of candidates) {
    const distance = editDistance(needle, candidate.toLowerCase());
    if (distance < bestDistance) {
      bestDistance = distance;
      best = candidate;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(2, Math.floor(Math.max(input.length, best.length) / 3));
  return bestDistance <= limit ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}

/** A value as an error message shows it: strings quoted, collections by kind, never echoed whole. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "nothing (null)";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return typeof value;
}

const TYPE_NAMES: Record<string, string> = {
  number: "a number",
  int: "a whole number",
  string: "a string",
  boolean: "true or false",
  array: "a list",
  object: "a mapping",
};

/** The parts of a zod issue the explanation reads (zod 4's issue union, loosely). */
interface ZodIssueLike {
  code: string;
  message: string;
  expected?: string;
  origin?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  values?: readonly unknown[];
  keys?: readonly string[];
}

/**
 * What is wrong with a value, and what is expected, for one zod issue (parsed with
 * `reportInput`, so `value` is what the user wrote; undefined when the key is absent).
 * Unknown keys are explained by the caller, which knows the keys a mapping accepts.
 */
export function explainIssue(issue: ZodIssueLike, value: unknown): string {
  switch (issue.code) {
    case "invalid_type": {
      const expected = TYPE_NAMES[issue.expected ?? ""] ?? issue.expected ?? "something else";
      if (value === undefined) return `is required (${expected})`;
      if (typeof value === "number" && !Number.isFinite(value)) return `must be a finite number, got ${value}`;
      return `must be ${expected}, got ${describeValue(value)}`;
    }
    case "too_small":
    case "too_big": {
      const small = issue.code === "too_small";
      if (issue.origin === "array") {
        return small
          ? `must have at least ${issue.minimum} ${issue.minimum === 1 ? "entry" : "entries"}`
          : `must have at most ${issue.maximum} entries`;
      }
      if (issue.origin === "string") return small ? "must not be empty" : `must be at most ${issue.maximum} characters`;
      const op = small ? (issue.inclusive ? ">=" : ">") : issue.inclusive ? "<=" : "<";
      return `must be ${op} ${small ? issue.minimum : issue.maximum}, got ${describeValue(value)}`;
    }
    case "invalid_value": {
      const options = (issue.values ?? []).map(String);
      if (value === undefined) return `is required (one of ${options.join(", ")})`;
      const guess = typeof value === "string" ? didYouMean(value, options) : undefined;
      return `must be one of ${options.join(", ")}, got ${describeValue(value)}${guess ? `: did you mean '${guess}'?` : ""}`;
    }
    case "invalid_union":
      if (value === undefined) return "is required";
      return `${issue.message === "Invalid input" ? "has the wrong type" : issue.message}, got ${describeValue(value)}`;
    case "invalid_format":
    case "custom":
      return value === undefined ? issue.message : `${issue.message}, got ${describeValue(value)}`;
    default:
      return value === undefined ? `is required: ${issue.message}` : `${issue.message}, got ${describeValue(value)}`;
  }
}
