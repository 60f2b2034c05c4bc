import { readFileSync } from "node:fs";
import type { Document, LineCounter } from "yaml";
import { CatalogError, type CatalogIssue } from "./errors";

/** Why a user's file could not be read, as an issue: `cannot read <what>: no such file…`. */
export function unreadable(error: unknown, file: string, what: string, missing = "no such file"): CatalogIssue {
  const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? missing : (error as Error).message;
  return { file, path: [], message: `cannot read ${what}: ${reason}` };
}

/** A user's file as text; `path` is where it is, `file` how errors name it. */
export function readText(path: string, what: string, file = path, missing?: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new CatalogError([unreadable(error, file, what, missing)]);
  }
}

/** The YAML parser's errors as issues with their line and column. */
export function syntaxIssues(doc: Document, lineCounter: LineCounter, file: string, expected: string): CatalogIssue[] {
  return doc.errors.map((error) => {
    const position = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
    return { file, path: [], message: `not valid ${expected}: ${error.message.split("\n")[0]}`, line: position.line, column: position.col };
  });
}
