import { isMap, isScalar, type Document, type LineCounter, type Node } from "yaml";
import type { z } from "zod";
import { CatalogError, didYouMean, type CatalogIssue, type DataPath } from "./errors";
import { parseYaml, readText } from "./read";
import {
  CatalogFileSchema,
  DEFAULT_RESERVE,
  MachineSchema,
  type TierSchema,
  machineIds,
  machinesCompute,
  PRESETS,
  TIER_KINDS,
  type CatalogFileContent,
  type PlanningInput,
  type PresetName,
  type RobotSpec,
  type TaskSpec,
} from "./schema";

/** A catalog file's text and the name to report it by. */
export interface CatalogSource {
  file: string;
  text: string;
}

export interface LoadOptions {
  /**
   * A task that may be placed on a cloud or edge tier (by its pin or allowedTiers) runs as a
   * container and needs an image: "required" (the Pulumi program) makes a missing one an error;
   * otherwise (plain planning) it is handed to onWarning.
   */
  images?: "required" | "warn";
  /** Problems that do not stop planning, located like errors. */
  onWarning?: (issue: CatalogIssue) => void;
}

/** Reads and validates one or more catalog files (docs/contract.md §4: lists are concatenated, later files win). */
export function loadCatalog(files: readonly string[], options: LoadOptions = {}): PlanningInput {
  const sources: CatalogSource[] = [];
  const issues: CatalogIssue[] = [];
  for (const file of files) {
    try {
      sources.push({
        file,
        text: readText(file, "the file", file, undefined, { expected: "YAML or JSON: give a planning input file" }),
      });
    } catch (error) {
      if (!(error instanceof CatalogError)) throw error;
      issues.push(...error.issues);
    }
  }
  if (issues.length > 0) throw new CatalogError(issues);
  return loadCatalogSources(sources, options);
}

/** Validates catalog texts already in memory. Throws CatalogError listing every issue found. */
export function loadCatalogSources(sources: readonly CatalogSource[], options: LoadOptions = {}): PlanningInput {
  if (sources.length === 0) throw new CatalogError([{ file: "(none)", path: [], message: "no catalog file given" }]);
  const parsed = sources.map(parseSource);
  const issues = parsed.flatMap((p) => p.issues);
  if (issues.length > 0) throw new CatalogError(issues);
  return mergeAndCheck(
    parsed.map((p) => p.file!),
    options,
  );
}

interface ParsedFile {
  source: CatalogSource;
  content: CatalogFileContent;
  locate: (path: DataPath, key?: string) => { line: number; column: number } | undefined;
}

function parseSource(source: CatalogSource): { file?: ParsedFile; issues: CatalogIssue[] } {
  const { file, text } = source;
  if (text.trim() === "") {
    return {
      issues: [{ file, path: [], message: "the file is empty: expected a mapping with site, tiers and tasks" }],
    };
  }
  const yaml = parseYaml(text, file, "YAML or JSON");
  if ("issues" in yaml) return { issues: yaml.issues };
  const locate = locator(yaml.doc, yaml.lineCounter);
  const data = yaml.data;
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    const got = data === null ? "nothing" : Array.isArray(data) ? "a list" : `a ${typeof data}`;
    return {
      issues: [
        {
          file,
          path: [],
          message: `expected a mapping with site, tiers and tasks at the top level, got ${got}`,
          ...locate([]),
        },
      ],
    };
  }
  const result = CatalogFileSchema.safeParse(data);
  if (!result.success) {
    return { issues: result.error.issues.flatMap((issue) => describeZodIssue(issue, data, file, locate)) };
  }
  return { file: { source, content: result.data, locate }, issues: [] };
}

function locator(doc: Document, lineCounter: LineCounter): ParsedFile["locate"] {
  return (path, key) => {
    let node: unknown = path.length === 0 ? doc.contents : doc.getIn(path as (string | number)[], true);
    if (key !== undefined && isMap(node)) {
      node = node.items.find((pair) => isScalar(pair.key) && pair.key.value === key)?.key ?? node;
    }
    const range = (node as Node | undefined)?.range;
    if (!range) return undefined;
    const { line, col } = lineCounter.linePos(range[0]);
    return { line, column: col };
  };
}

/** Keys a mapping at `path` accepts, for "did you mean" on unknown keys. */
function knownKeys(path: DataPath): string[] {
  const shape = (schema: z.ZodType): string[] => Object.keys((schema as unknown as { shape: object }).shape);
  const top = CatalogFileSchema.shape;
  if (path.length === 0) return Object.keys(top);
  const [section] = path;
  if (section === "objective")
    return path.length === 1 ? ["preset", "weights", "reserve", "moveCost"] : ["latency", "cost"];
  if (section === "tiers" && path[2] === "machines") return shape(MachineSchema);
  if (section === "tiers") return [...shape(top.tiers.unwrap().element)];
  if (section === "robots") return [...shape(top.robots.unwrap().element)];
  if (section === "tasks") return [...shape(top.tasks.unwrap().element)];
  return [];
}

function valueAt(data: unknown, path: DataPath): unknown {
  let value = data;
  for (const part of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") return String(value);
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return String(value);
}

const typeNames: Record<string, string> = {
  number: "a number",
  int: "an integer",
  string: "a string",
  boolean: "true or false",
  array: "a list",
  object: "a mapping",
};

function describeZodIssue(
  issue: z.core.$ZodIssue,
  data: unknown,
  file: string,
  locate: ParsedFile["locate"],
): CatalogIssue[] {
  const path = issue.path as DataPath;
  const value = valueAt(data, path);
  const at = (p: DataPath, message: string, key?: string): CatalogIssue => ({
    file,
    path: p,
    message,
    ...locate(key ? p.slice(0, -1) : p, key),
  });
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = knownKeys(path);
      return issue.keys.map((key) => {
        const guess = didYouMean(key, known);
        const hint = guess ? `did you mean '${guess}'?` : `known keys: ${known.join(", ")}`;
        return at([...path, key], `unknown key '${key}': ${hint}`, key);
      });
    }
    case "invalid_type": {
      if (value === undefined) {
        // The key is absent, so point at the entry that lacks it.
        return [
          {
            file,
            path,
            message: `is required (${typeNames[issue.expected] ?? issue.expected})`,
            ...locate(path.slice(0, -1)),
          },
        ];
      }
      if (typeof value === "number" && !Number.isFinite(value)) {
        return [at(path, `must be a finite number, got ${value}`)];
      }
      if (issue.expected === "int") return [at(path, `must be a whole number, got ${show(value)}`)];
      return [at(path, `must be ${typeNames[issue.expected] ?? issue.expected}, got ${show(value)}`)];
    }
    case "too_small":
    case "too_big": {
      if (issue.origin === "array") {
        return [
          at(path, issue.code === "too_small" ? `must have at least ${issue.minimum} entry` : "has too many entries"),
        ];
      }
      if (issue.origin === "string") return [at(path, "must not be empty")];
      const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
      const op = issue.code === "too_small" ? (issue.inclusive ? ">=" : ">") : issue.inclusive ? "<=" : "<";
      return [at(path, `must be ${op} ${bound}, got ${show(value)}`)];
    }
    case "invalid_value": {
      const options = issue.values.map(String);
      const guess = typeof value === "string" ? didYouMean(value, options) : undefined;
      return [
        at(
          path,
          `must be one of ${options.join(", ")}, got ${show(value)}${guess ? `: did you mean '${guess}'?` : ""}`,
        ),
      ];
    }
    default:
      return [at(path, `${issue.message}, got ${show(value)}`)];
  }
}

interface Origin {
  parsed: ParsedFile;
  index: number;
}

/** Concatenates the sections of every file, merges the rest, and checks what spans entries. */
function mergeAndCheck(files: ParsedFile[], options: LoadOptions): PlanningInput {
  const tiers: Array<TierFileSpec & { origin: Origin }> = [];
  const robots: Array<RobotSpec & { origin: Origin }> = [];
  const tasks: Array<TaskSpec & { origin: Origin }> = [];
  let site: { value: string; parsed: ParsedFile } | undefined;
  let preset: PresetName = "balanced";
  let reserve = DEFAULT_RESERVE;
  let moveCost: number | undefined;
  const weights: { latency?: number; cost?: number } = {};
  const siteConflicts: CatalogIssue[] = [];
  for (const parsed of files) {
    const content = parsed.content;
    if (content.site !== undefined && site !== undefined && content.site !== site.value) {
      siteConflicts.push({
        file: parsed.source.file,
        path: ["site"],
        message: `site '${content.site}' differs from site '${site.value}' in ${site.parsed.source.file}: the files of one plan describe one site; make them agree, or plan the sites separately`,
        ...parsed.locate(["site"]),
      });
    }
    if (content.site !== undefined) site = { value: content.site, parsed };
    if (content.objective?.preset !== undefined) preset = content.objective.preset;
    if (content.objective?.reserve !== undefined) reserve = content.objective.reserve;
    if (content.objective?.moveCost !== undefined) moveCost = content.objective.moveCost;
    Object.assign(weights, content.objective?.weights);
    content.tiers?.forEach((tier, index) => tiers.push({ ...tier, origin: { parsed, index } }));
    content.robots?.forEach((robot, index) => robots.push({ ...robot, origin: { parsed, index } }));
    content.tasks?.forEach((task, index) => tasks.push({ ...task, origin: { parsed, index } }));
  }

  const issues: CatalogIssue[] = [...siteConflicts];
  const last = files[files.length - 1];
  const fileNames = files.map((f) => f.source.file).join(", ");
  const missing = (key: string, message: string) =>
    issues.push({ file: fileNames, path: [key], message, ...(files.length === 1 ? last.locate([]) : {}) });
  if (!site) missing("site", "is required: name the site (a DNS label such as factory-a)");
  if (tiers.length === 0) missing("tiers", "at least one tier is required (cloud, edge or robot)");
  if (tasks.length === 0) missing("tasks", "at least one task is required");

  const report = (section: string, origin: Origin, rest: DataPath, message: string) => {
    const path = [section, origin.index, ...rest];
    issues.push({ file: origin.parsed.source.file, path, message, ...origin.parsed.locate(path) });
  };

  const environments = new Map<string, string>();
  for (const [section, list] of [
    ["tiers", tiers],
    ["robots", robots],
  ] as const) {
    for (const env of list) {
      const previous = environments.get(env.name);
      if (previous)
        report(
          section,
          env.origin,
          ["name"],
          `duplicate name '${env.name}': already used by ${previous}; tier and robot names must be unique`,
        );
      else environments.set(env.name, `${section}[${env.origin.index}] in ${env.origin.parsed.source.file}`);
    }
  }
  checkMachines(tiers, report);
  const robotNames = robots.map((r) => r.name);
  const allowedNames = [...new Set([...environments.keys(), ...TIER_KINDS])];

  const taskNames = new Map<string, string>();
  const claim = (name: string, task: (typeof tasks)[number], rest: DataPath) => {
    const previous = taskNames.get(name);
    if (previous) report("tasks", task.origin, rest, `duplicate task name '${name}': already used by ${previous}`);
    else taskNames.set(name, `tasks[${task.origin.index}] in ${task.origin.parsed.source.file}`);
  };
  for (const task of tasks) {
    claim(task.name, task, ["name"]);
    if (task.perRobot && task.robot !== undefined) {
      report(
        "tasks",
        task.origin,
        ["robot"],
        "robot and perRobot are exclusive: perRobot already binds one copy to every robot; remove one of them",
      );
    } else if (task.robot !== undefined && !robotNames.includes(task.robot)) {
      report("tasks", task.origin, ["robot"], unknownRef("robot", task.robot, robotNames, "robots"));
    } else if (task.perRobot && robotNames.length === 0) {
      report(
        "tasks",
        task.origin,
        ["perRobot"],
        "perRobot makes one copy per fleet robot, but the site has no robots, so the task would vanish from the plan: add robots, or remove perRobot",
      );
    }
    if (task.allowedTiers?.length === 0) {
      report(
        "tasks",
        task.origin,
        ["allowedTiers"],
        "is empty, so the task may use no environment and can never be placed: list tier names or kinds (cloud, edge, robot), or remove allowedTiers to allow every one",
      );
    }
    task.allowedTiers?.forEach((entry, i) => {
      if (!allowedNames.includes(entry))
        report(
          "tasks",
          task.origin,
          ["allowedTiers", i],
          unknownRef("tier, robot or kind", entry, allowedNames, "tiers, robots or cloud|edge|robot"),
        );
    });
    if (task.pin !== undefined && !environments.has(task.pin)) {
      report(
        "tasks",
        task.origin,
        ["pin"],
        unknownRef("environment", task.pin, [...environments.keys()], "tiers or robots"),
      );
    }
  }
  // Copies are named <task>@<robot>: they must not collide with a task written out by hand.
  for (const task of tasks) {
    if (!task.perRobot) continue;
    for (const robot of robotNames) claim(`${task.name}@${robot}`, task, ["name"]);
  }

  const imageless = imageIssues(tasks, tiers);
  if (options.images === "required") issues.push(...imageless);
  if (issues.length > 0) throw new CatalogError(issues);
  if (options.images !== "required") imageless.forEach((issue) => options.onWarning?.(issue));
  const presetWeights = PRESETS[preset];
  const strip = <T extends { origin: Origin }>({ origin: _origin, ...rest }: T): Omit<T, "origin"> => rest;
  return {
    site: site!.value,
    objective: {
      preset,
      weights: { latency: weights.latency ?? presetWeights.latency, cost: weights.cost ?? presetWeights.cost },
      reserve,
      ...(moveCost !== undefined && { moveCost }),
    },
    tiers: tiers.map(strip).map(withCompute),
    robots: robots.map(strip),
    tasks: tasks.map(strip),
  };
}

type TierFileSpec = z.output<typeof TierSchema>;
type Report = (section: string, origin: Origin, rest: DataPath, message: string) => void;

/** docs/contract.md §5: machines on edge tiers only, compute given or derived, machine ids unique as node names. */
function checkMachines(tiers: Array<TierFileSpec & { origin: Origin }>, report: Report): void {
  const nodeNames = new Map<string, string>();
  for (const tier of tiers) {
    const at = (rest: DataPath, message: string) => report("tiers", tier.origin, rest, message);
    if (!tier.machines) {
      if (tier.compute === undefined)
        at(["compute"], "is required (a number > 0, TFLOPS) unless the tier lists its machines");
      if (tier.packing !== undefined)
        at(["packing"], "applies to the machines of a tier: add machines to the tier or remove packing");
      continue;
    }
    if (tier.kind !== "edge") {
      at(
        ["machines"],
        `machines are for edge tiers only (Kubernetes nodes with whole GPUs); this tier is '${tier.kind}': remove machines or make it kind edge`,
      );
      continue;
    }
    if (tier.compute === undefined && machinesCompute(tier.machines) === 0) {
      at(
        ["compute"],
        "is required here: every machine has 0 GPUs, so no compute can be derived from them; set compute or add gpus",
      );
    }
    const shapes = new Set<string>();
    tier.machines.forEach((machine, index) => {
      if (shapes.has(machine.name))
        at(["machines", index, "name"], `duplicate machine name '${machine.name}' in tier '${tier.name}'`);
      shapes.add(machine.name);
      for (const id of machineIds(machine)) {
        const previous = nodeNames.get(id);
        if (previous) {
          at(
            ["machines", index, "name"],
            `machine id '${id}' is already the id of a machine in ${previous}: machine ids are node names and must be unique in the site; rename one`,
          );
          break;
        }
        nodeNames.set(id, `tiers[${tier.origin.index}] '${tier.name}' of ${tier.origin.parsed.source.file}`);
      }
    });
  }
}

/** docs/contract.md §5: a tier with machines has, unless it says otherwise, the TFLOPS of all its GPUs. */
function withCompute<T extends Omit<TierFileSpec, "origin">>(tier: T): T & { compute: number } {
  return { ...tier, compute: tier.compute ?? machinesCompute(tier.machines ?? []) };
}

/** Names listed after an unknown reference: enough to spot the one meant, short enough to read. */
const KNOWN_NAMES_SHOWN = 12;

function unknownRef(what: string, value: string, known: string[], section: string): string {
  const guess = didYouMean(value, known);
  if (guess) return `no ${what} named '${value}': did you mean '${guess}'?`;
  return known.length === 0
    ? `no ${what} named '${value}': the site has no ${section}`
    : `no ${what} named '${value}' (known: ${known.slice(0, KNOWN_NAMES_SHOWN).join(", ")}${known.length > KNOWN_NAMES_SHOWN ? ", …" : ""})`;
}

/**
 * Tasks without an image that may be placed on a tier running containers (cloud, edge): decided
 * from the catalog alone (pin, allowedTiers), before planning, so the same catalog does not pass
 * or fail depending on where a plan happens to put a task.
 */
function imageIssues(
  tasks: ReadonlyArray<{ name: string; image?: string; pin?: string; allowedTiers?: string[]; origin: Origin }>,
  tiers: ReadonlyArray<{ name: string; kind: string }>,
): CatalogIssue[] {
  const issues: CatalogIssue[] = [];
  for (const task of tasks) {
    if (task.image !== undefined) continue;
    const allowed = (tier: { name: string; kind: string }) =>
      task.pin !== undefined
        ? task.pin === tier.name
        : !task.allowedTiers || task.allowedTiers.includes(tier.name) || task.allowedTiers.includes(tier.kind);
    const runs = tiers.filter((tier) => (tier.kind === "cloud" || tier.kind === "edge") && allowed(tier));
    if (runs.length === 0) continue;
    const why = task.pin !== undefined ? "its pin" : task.allowedTiers ? "its allowedTiers" : "it has no allowedTiers";
    const where = runs.map((tier) => `${tier.kind} tier '${tier.name}'`).join(", ");
    const fix = task.pin !== undefined ? "add 'image:'" : "add 'image:', or allowedTiers that keep it on robots";
    const path = ["tasks", task.origin.index];
    issues.push({
      file: task.origin.parsed.source.file,
      path: [...path, "image"],
      message: `task '${task.name}' has no image, but ${why} lets it run on ${where}, which run${runs.length === 1 ? "s" : ""} containers: ${fix}`,
      ...task.origin.parsed.locate(path),
    });
  }
  return issues;
}
