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
