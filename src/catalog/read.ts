import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import {
  isAlias,
  isCollection,
  isPair,
  isScalar,
  LineCounter,
  parseDocument,
  Scalar,
  type Document,
  type Node,
} from "yaml";
import { CatalogError, type CatalogIssue } from "./errors";

/**
 * The most tierplan reads from one file (docs/input.md, "Size limits"). A planning input of
 * 20,000 tasks is about 3 MiB; the limit stops `tierplan plan /dev/zero` or a mistaken path to a
 * disk image from taking the machine's memory.
 */
export const INPUT_SIZE_LIMIT = 16 * 1024 * 1024;

/** Deepest nesting of mappings and lists tierplan reads; its inputs need about six levels. */
const MAX_NESTING = 32;

/** How YAML's alias expansion may multiply a document before it is refused ("billion laughs"). */
const MAX_ALIAS_EXPANSION = 100;

/** `16 MiB`, `300 kB`: a size as a person reads it. */
function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 * 1024) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 * 1024) return `${Number((bytes / 1024 ** 2).toFixed(1))} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} kB`;
  return `${bytes} bytes`;
}

/** Why a user's file could not be read, as an issue: `cannot read <what>: no such file…`. */
function unreadable(error: unknown, file: string, what: string, missing = "no such file"): CatalogIssue {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === "ENOENT"
      ? missing
      : code === "EISDIR"
        ? "it is a directory, not a file"
        : code === "EACCES" || code === "EPERM"
          ? "permission denied"
          : (error as Error).message.replace(/^[A-Z]+: /, "");
  return { file, path: [], message: `cannot read ${what}: ${reason}` };
}

class TooLarge extends Error {}

/**
 * At most `limit` bytes of a file, or TooLarge. Regular files are refused by their size before
 * anything is read; pipes and devices (`/dev/stdin`, `<(…)`, `/dev/zero`) are read in chunks
 * and refused once they pass the limit, so no input costs more memory than the limit.
 */
function readBounded(path: string, limit: number): Buffer {
  const fd = openSync(path, "r");
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    if (stat.isFile() && stat.size > limit) {
      const size = formatBytes(stat.size);
      throw new TooLarge(`it is ${size === formatBytes(limit) ? `${stat.size} bytes` : size}`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1024 * 1024, limit + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      total += n;
      if (total > limit) throw new TooLarge(`it gives more than ${formatBytes(limit)}`);
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The message for a file that holds bytes no text file has. */
function binaryMessage(expected: string): string {
  return `this is a binary file, not ${expected}`;
}

/**
 * A user's file as text; `path` is where it is, `file` how errors name it. Refuses files over
 * `limit` bytes and binary files (NUL bytes or bytes that are not UTF-8), without echoing them.
 */
export function readText(
  path: string,
  what: string,
  file = path,
  missing?: string,
  options: { limit?: number; expected?: string } = {},
): string {
  const limit = options.limit ?? INPUT_SIZE_LIMIT;
  let bytes: Buffer;
  try {
    bytes = readBounded(path, limit);
  } catch (error) {
    if (error instanceof TooLarge) {
      throw new CatalogError([
        {
          file,
          path: [],
          message: `cannot read ${what}: ${error.message}; tierplan reads at most ${formatBytes(limit)} from one file (docs/input.md, "Size limits")`,
        },
      ]);
    }
    throw new CatalogError([unreadable(error, file, what, missing)]);
  }
  const expected = options.expected ?? `text: expected ${what}`;
  if (bytes.includes(0)) throw new CatalogError([{ file, path: [], message: binaryMessage(expected) }]);
  try {
    return utf8.decode(bytes);
  } catch {
    throw new CatalogError([
      { file, path: [], message: `${binaryMessage(expected)} (it holds bytes that are not UTF-8)` },
    ]);
  }
}

/** A YAML (or JSON) document read safely, with what locates a data path in it. */
export interface ParsedYaml {
  doc: Document;
  lineCounter: LineCounter;
  /** The document as plain data: mappings, lists and scalars. */
  data: unknown;
}

/** 1-based line and column of an offset in the text. */
function position(lineCounter: LineCounter, offset: number): { line: number; column: number } {
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

/**
 * Parses one YAML or JSON document for tierplan: every way the text can fail is an issue naming
 * the file and, where there is one, the line, never an exception. Refused besides syntax errors:
 * several documents, nesting deeper than MAX_NESTING, YAML merge keys (`<<`, not part of YAML
 * 1.2) and alias expansions that multiply the document ("billion laughs"). `expected` names what
 * the file should hold, e.g. "YAML or JSON".
 */
export function parseYaml(text: string, file: string, expected: string): ParsedYaml | { issues: CatalogIssue[] } {
  if (text.includes("\u0000"))
    return { issues: [{ file, path: [], message: binaryMessage(`${expected}: give a planning input file`) }] };
  const lineCounter = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  } catch (error) {
    return { issues: [{ file, path: [], message: `not valid ${expected}: ${tooDeepOr(error)}` }] };
  }
  if (doc.errors.length > 0) return { issues: syntaxIssues(doc, lineCounter, file, expected) };
  const shape = checkShape(doc, lineCounter, file);
  if (shape.length > 0) return { issues: shape };
  try {
    return { doc, lineCounter, data: doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSION }) };
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    if (/Excessive alias count/.test(message)) {
      return {
        issues: [
          {
            file,
            path: [],
            message:
              "its aliases (*name) expand to more than 100 times their anchors' size, the shape of a 'billion laughs' attack: write the values out, or alias each anchor fewer times",
          },
        ],
      };
    }
    if (/Unresolved alias/.test(message))
      return { issues: [{ file, path: [], message: `not valid ${expected}: ${message}` }] };
    return { issues: [{ file, path: [], message: `not valid ${expected}: ${tooDeepOr(error)}` }] };
  }
}

function tooDeepOr(error: unknown): string {
  if (error instanceof RangeError) return `nested too deeply to read (tierplan reads at most ${MAX_NESTING} levels)`;
  return (error as Error).message ?? String(error);
}

/** Nesting depth and merge keys, walked without recursion so that no input can exhaust the stack. */
function checkShape(doc: Document, lineCounter: LineCounter, file: string): CatalogIssue[] {
  const stack: Array<{ node: unknown; depth: number }> = [{ node: doc.contents, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (isPair(node)) {
      const key = node.key;
      if (isScalar(key) && key.value === "<<" && key.type === Scalar.PLAIN) {
        return [
          {
            file,
            path: [],
            message:
              "YAML merge keys ('<<') are not supported (they are not part of YAML 1.2): write the keys out, or alias a whole value with *name",
            ...(key.range ? position(lineCounter, key.range[0]) : {}),
          },
        ];
      }
      stack.push({ node: node.key, depth }, { node: node.value, depth });
    } else if (isCollection(node)) {
      if (depth >= MAX_NESTING) {
        return [
          {
            file,
            path: [],
            message: `nested more than ${MAX_NESTING} levels deep: tierplan's inputs need about six; is a bracket left open?`,
            ...((node as Node).range ? position(lineCounter, (node as Node).range![0]) : {}),
          },
        ];
      }
      for (const item of node.items) stack.push({ node: item, depth: depth + 1 });
    } else if (isAlias(node)) {
      // An alias repeats an anchored value, whose depth was checked where it was written.
    }
  }
  return [];
}

/** The YAML parser's errors as issues with their line and column. */
function syntaxIssues(doc: Document, lineCounter: LineCounter, file: string, expected: string): CatalogIssue[] {
  // Running out of stack leaves the parser's other errors meaningless: report that one alone.
  const exhausted = doc.errors.filter((error) => error.code === "RESOURCE_EXHAUSTION");
  return (exhausted.length > 0 ? exhausted.slice(0, 1) : doc.errors).map((error) => {
    const at = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
    let message = `not valid ${expected}: ${error.message.split("\n")[0]}`;
    if (error.code === "MULTIPLE_DOCS") {
      message = `the file holds multiple documents (a '---' line starts a second one here): tierplan reads one; remove the '---' or split the file`;
    } else if (error.code === "RESOURCE_EXHAUSTION") {
      message = `not valid ${expected}: nested too deeply to read (tierplan reads at most ${MAX_NESTING} levels): is a bracket left open?`;
    }
    return { file, path: [], message, line: at.line, column: at.col };
  });
}
