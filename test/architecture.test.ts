import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The layering of README.md ("Architecture"): data flows one way, catalog → model → optimizer →
 * plan → provisioning and policies → the program, the preview and the CLI on top. Nothing imports
 * upward; siblings share through a module below them, not through each other. Every import counts:
 * static, type-only, re-exports, `import()` and the CLI's lazy `require()`.
 */

const ROOT = join(__dirname, "..");

type Layer =
  | "catalog"
  | "model"
  | "optimizer"
  | "plan"
  | "provision"
  | "policies"
  | "program"
  | "preview"
  | "cli"
  | "index";

const CORE: Layer[] = ["catalog", "model", "optimizer", "plan"];

/** What each layer may import besides itself. */
const ALLOWED: Record<Layer, readonly Layer[]> = {
  catalog: [],
  model: ["catalog"],
  optimizer: ["catalog", "model"],
  plan: ["catalog", "model", "optimizer"],
  // Provisioning and policies are siblings: both read the plan, neither reads the other.
  provision: CORE,
  policies: CORE,
  // The Pulumi program turns plans into components; it knows neither the policies nor the tools around it.
  program: [...CORE, "provision"],
  index: [...CORE, "provision", "program"],
  preview: [...CORE, "provision", "policies", "program"],
  cli: [...CORE, "provision", "policies", "program", "preview"],
};

function layerOf(file: string): Layer | undefined {
  if (file === "src/program.ts") return "program";
  if (file === "src/index.ts") return "index";
  const match = /^src\/(catalog|model|optimizer|plan|provision|preview|cli)\//.exec(file);
  if (match) return match[1] as Layer;
  if (file.startsWith("policies/")) return "policies";
  return undefined;
}

/** Source files of the layers: src/ and the policy pack (not its tests, build output or dependencies). */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = `${dir}/${name}`;
    if (["node_modules", "bin", "test"].includes(name) && dir === "policies") continue;
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

/** A relative specifier as a repository path (`../plan` → `src/plan/index.ts`); packages stay as written. */
function resolve(from: string, specifier: string): string {
  if (!specifier.startsWith(".")) return specifier;
  const base = relative(ROOT, join(ROOT, dirname(from), specifier))
    .split("\\")
    .join("/");
  for (const candidate of [base, `${base}.ts`, `${base}/index.ts`]) {
    if (existsSync(join(ROOT, candidate)) && statSync(join(ROOT, candidate)).isFile()) return candidate;
  }
  throw new Error(`${from}: cannot resolve '${specifier}'`);
}

type ImportGraph = Map<string, string[]>;

function importGraph(files: readonly string[]): ImportGraph {
  return new Map(
    files.map((file) => {
      const text = readFileSync(join(ROOT, file), "utf8");
      // detectJavaScriptImports: `require("…")` as well as import/export/import().
      const imported = ts.preProcessFile(text, true, true).importedFiles.map((f) => resolve(file, f.fileName));
      return [file, [...new Set(imported)]];
    }),
  );
}

const isPulumi = (target: string) => target.startsWith("@pulumi/");
const isComponentsDir = (file: string) => file.startsWith("src/provision/");
const isCommand = (file: string) => /^src\/cli\/[^/]+Command\.ts$/.test(file);

/** Every broken rule of the graph, one line each: `<file> imports <target>: <rule>`. */
function violations(graph: ImportGraph): string[] {
  const out: string[] = [];
  // A provision file that loads a Pulumi package is a component; one that does not is a shared module.
  const components = new Set(
    [...graph].filter(([file, targets]) => isComponentsDir(file) && targets.some(isPulumi)).map(([file]) => file),
  );
  for (const [file, targets] of graph) {
    const from = layerOf(file);
    if (from === undefined) continue;
    for (const target of targets) {
      const to = layerOf(target);
      const say = (rule: string) => out.push(`${file} imports ${target}: ${rule}`);
      if (isPulumi(target) && CORE.includes(from)) say("the planning core never imports Pulumi");
      if (isPulumi(target) && file.startsWith("policies/rules/"))
        say("policy rules are pure functions, shared with the offline checks");
      if (to === undefined || to === from) {
        if (from === "provision" && isComponentsDir(target) && components.has(target)) {
          say("components do not import each other: share through a module without Pulumi (src/provision/shared.ts)");
        }
        if (from === "cli" && isCommand(file) && isCommand(target))
          say("commands do not import each other: share through a module below them");
        continue;
      }
      if (!ALLOWED[from].includes(to)) say(`${from} may import only ${ALLOWED[from].join(", ") || "itself"}`);
    }
  }
  return out;
}

describe("architecture: imports point down", () => {
  const files = [...sourceFiles("src"), ...sourceFiles("policies")].sort();
  const graph = importGraph(files);

  it("reads every layer", () => {
    const layers = new Set(files.map(layerOf));
    expect([...layers].sort()).toEqual([
      "catalog",
      "cli",
      "index",
      "model",
      "optimizer",
      "plan",
      "policies",
      "preview",
      "program",
      "provision",
    ]);
    expect(graph.get("src/plan/index.ts")).toContain("src/optimizer/solve.ts");
    expect(graph.get("src/cli/commands.ts")).toContain("src/cli/planCommand.ts");
  });

  it("no import breaks the layering", () => {
    expect(violations(graph)).toEqual([]);
  });

  it("the checker flags each kind of violation", () => {
    const bad: ImportGraph = new Map([
      ["src/catalog/x.ts", ["src/plan/types.ts"]],
      ["src/model/x.ts", ["@pulumi/pulumi"]],
      ["policies/rules/x.ts", ["src/provision/shared.ts"]],
      ["src/plan/x.ts", ["policies/rules/rule.ts"]],
      ["src/provision/a.ts", ["@pulumi/pulumi", "src/provision/b.ts"]],
      ["src/provision/b.ts", ["@pulumi/aws"]],
      ["src/provision/shared.ts", []],
      ["src/provision/c.ts", ["@pulumi/pulumi", "src/provision/shared.ts"]],
      ["src/cli/diffCommand.ts", ["src/cli/lockCommand.ts", "src/cli/io.ts"]],
      ["src/program.ts", ["src/cli/main.ts"]],
    ]);
    expect(violations(bad)).toEqual([
      "src/catalog/x.ts imports src/plan/types.ts: catalog may import only itself",
      "src/model/x.ts imports @pulumi/pulumi: the planning core never imports Pulumi",
      "policies/rules/x.ts imports src/provision/shared.ts: policies may import only catalog, model, optimizer, plan",
      "src/plan/x.ts imports policies/rules/rule.ts: plan may import only catalog, model, optimizer",
      "src/provision/a.ts imports src/provision/b.ts: components do not import each other: share through a module without Pulumi (src/provision/shared.ts)",
      "src/cli/diffCommand.ts imports src/cli/lockCommand.ts: commands do not import each other: share through a module below them",
      "src/program.ts imports src/cli/main.ts: program may import only catalog, model, optimizer, plan, provision",
    ]);
  });
});
