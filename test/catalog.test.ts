import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CatalogError, formatIssue, formatPath, type CatalogIssue } from "../src/catalog/errors";
import { loadCatalog, loadCatalogSources, type CatalogSource } from "../src/catalog/load";
import { INPUT_SIZE_LIMIT } from "../src/catalog/read";

/*
 * Catalog loading: every way an input can be wrong must name the file, the exact data path and
 * say what is wrong (docs/contract.md §1); valid YAML and JSON must load to the same input.
 */

const FILE = "site.yaml";

/** A valid site; line numbers matter for the position assertions below. */
const BASE_LINES = [
  "site: factory-a", // 1
  "tiers:", // 2
  "  - { name: cloud, kind: cloud, compute: 1000, storage: 10000, bandwidth: 1000, latency: 50, costPerHour: 10 }", // 3
  "  - { name: edge, kind: edge, compute: 100, storage: 1000, bandwidth: 100, latency: 10, costPerHour: 5 }", // 4
  "robots:", // 5
  "  - { name: arm-1, compute: 10, storage: 100, bandwidth: 10, latency: 1, costPerHour: 1 }", // 6
  "tasks:", // 7
  "  - { name: training, compute: 500, storage: 5000, bandwidth: 100, maxLatency: 10000, cost: 50 }", // 8
  "  - { name: inference, compute: 10, storage: 10, bandwidth: 50, maxLatency: 100, priority: 2 }", // 9
  "  - { name: action, compute: 1, maxLatency: 10, priority: 3, robot: arm-1 }", // 10
];
const BASE = `${BASE_LINES.join("\n")}\n`;

/** BASE with one more task, tasks[3], on line 11. */
const withTask = (flowTask: string): string => `${BASE}  - ${flowTask}\n`;
/** BASE with a line replaced (1-based), for edits to the site, tiers or robots. */
const replaceLine = (line: number, text: string): string =>
  `${BASE_LINES.map((l, i) => (i === line - 1 ? text : l)).join("\n")}\n`;

function issuesOf(input: string | CatalogSource[]): CatalogIssue[] {
  const sources = typeof input === "string" ? [{ file: FILE, text: input }] : input;
  try {
    loadCatalogSources(sources);
  } catch (error) {
    if (error instanceof CatalogError) {
      // The error's message is what the CLI prints: every issue, formatted.
      expect(error.message).toBe(error.issues.map(formatIssue).join("\n"));
      return error.issues;
    }
    throw error;
  }
  throw new Error("expected a CatalogError, but the input was accepted");
}

/** The input must fail with exactly one issue; returns it. */
function oneIssue(input: string | CatalogSource[]): CatalogIssue {
  const issues = issuesOf(input);
  expect(issues.map(formatIssue)).toHaveLength(1);
  return issues[0];
}

/** The issue at a data path, e.g. "tasks[3].maxLatency", which must exist. */
function issueAt(issues: CatalogIssue[], path: string): CatalogIssue {
  const found = issues.find((i) => formatPath(i.path) === path);
  expect(found, `no issue at ${path}; got:\n${issues.map(formatIssue).join("\n")}`).toBeDefined();
  return found!;
}

const pathOf = (issue: CatalogIssue): string => formatPath(issue.path);

describe("the valid baseline", () => {
  it("BASE loads, with defaults applied", () => {
    const input = loadCatalogSources([{ file: FILE, text: BASE }]);
    expect(input.site).toBe("factory-a");
    expect(input.tiers.map((t) => t.name)).toEqual(["cloud", "edge"]);
    expect(input.robots.map((r) => r.name)).toEqual(["arm-1"]);
    expect(input.tasks.map((t) => t.name)).toEqual(["training", "inference", "action"]);
    expect(input.tasks[1]).toMatchObject({ cost: 0, perRobot: false, priority: 2 });
    expect(input.tasks[2]).toMatchObject({ storage: 0, bandwidth: 0, robot: "arm-1" });
    expect(input.objective).toEqual({ preset: "balanced", weights: { latency: 1, cost: 1 }, reserve: 0.1 });
  });

  it("the worked example loads from disk", () => {
    const input = loadCatalog(["examples/smart-factory.yaml"]);
    expect(input.site).toBe("factory-a");
    expect(input.objective.reserve).toBe(0);
    expect(input.tasks.map((t) => t.name)).toEqual(["model-training", "realtime-inference", "action-execution"]);
  });
});

describe("files that are not a planning input at all", () => {
  it("empty file", () => {
    const issue = oneIssue("");
    expect(issue).toMatchObject({ file: FILE, path: [] });
    expect(issue.message).toBe("the file is empty: expected a mapping with site, tiers and tasks");
    expect(formatIssue(issue)).toBe(
      "site.yaml: (top level): the file is empty: expected a mapping with site, tiers and tasks",
    );
  });

  it("whitespace-only file", () => {
    for (const text of ["   ", "\n\n\n", " \t\n  \r\n\t"]) {
      const issue = oneIssue(text);
      expect(issue).toMatchObject({ file: FILE, path: [] });
      expect(issue.message).toMatch(/the file is empty/);
    }
  });

  it("a file holding only a comment says it has nothing in it", () => {
    const issue = oneIssue("# TODO: fill in the site\n");
    expect(issue).toMatchObject({ file: FILE, path: [] });
    expect(issue.message).toBe("expected a mapping with site, tiers and tasks at the top level, got nothing");
  });

  it("binary junk (bytes containing NUL)", () => {
    const png = Buffer.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    ]);
    const issue = oneIssue([{ file: "logo.png", text: png.toString("utf8") }]);
    expect(issue).toMatchObject({ file: "logo.png", path: [] });
    expect(issue.message).toMatch(/binary file, not YAML or JSON/);
    expect(issue.line).toBeUndefined();
  });

  it("binary junk after a valid-looking start is still binary", () => {
    const issue = oneIssue(`${BASE}\u0000\u0001\u0002`);
    expect(issue.message).toMatch(/binary file/);
  });

  it("top level is a list", () => {
    const issue = oneIssue("- site: factory-a\n- tiers: []\n");
    expect(issue).toMatchObject({ file: FILE, path: [], line: 1, column: 1 });
    expect(issue.message).toBe("expected a mapping with site, tiers and tasks at the top level, got a list");
  });

  it("top level is a scalar", () => {
    expect(oneIssue("factory-a\n").message).toMatch(/expected a mapping .* at the top level, got a string$/);
    expect(oneIssue("42\n").message).toMatch(/got a number$/);
    expect(oneIssue("true\n").message).toMatch(/got a boolean$/);
    expect(oneIssue("~\n").message).toMatch(/got nothing$/);
    expect(oneIssue("[1, 2]").message).toMatch(/got a list$/);
  });
});

describe("YAML and JSON syntax", () => {
  it("a syntax error gives the line and column", () => {
    const text = ["site: factory-a", "tasks:", "  - name: a", "    compute: 1", "  maxLatency: 3", ""].join("\n");
    const issue = oneIssue(text);
    expect(issue).toMatchObject({ file: FILE, path: [], line: 5, column: 1 });
    expect(issue.message).toMatch(/^not valid YAML or JSON: /);
    expect(formatIssue(issue)).toMatch(/^site\.yaml:5:1: \(top level\): not valid YAML or JSON: /);
  });

  it("tab indentation is reported on its line", () => {
    const issue = oneIssue("site: factory-a\n\ttiers: []\n");
    expect(issue).toMatchObject({ line: 2, column: 1 });
    expect(issue.message).toMatch(/Tabs are not allowed as indentation/);
  });

  it("an unclosed flow sequence is a syntax error, not a schema error", () => {
    const issues = issuesOf("site: factory-a\ntiers: [\n");
    expect(issues.length).toBeGreaterThanOrEqual(1);
    for (const issue of issues) {
      expect(issue).toMatchObject({ file: FILE, path: [] });
      expect(issue.message).toMatch(/^not valid YAML or JSON: /);
      expect(issue.line).toBeGreaterThanOrEqual(2);
    }
  });

  it("a duplicate key in a mapping is rejected at its line", () => {
    const text = withTask("{ name: dup, compute: 1, compute: 2, maxLatency: 10 }");
    const issue = oneIssue(text);
    expect(issue).toMatchObject({ file: FILE, path: [], line: 11 });
    expect(issue.message).toMatch(/Map keys must be unique/);
  });

  it("several YAML documents in one file are rejected", () => {
    const issue = oneIssue(`${BASE}---\nsite: other\n`);
    expect(issue.message).toMatch(/multiple documents/);
    expect(issue.line).toBe(11);
  });

  it("broken JSON gives the line", () => {
    const issues = issuesOf('{\n  "site": "factory-a",\n  "tiers": [\n    {"name": "c" "kind": "cloud"}\n  ]\n}\n');
    expect(issues.length).toBeGreaterThanOrEqual(1);
    for (const issue of issues) {
      expect(issue).toMatchObject({ file: FILE, path: [], line: 4 });
      expect(issue.message).toMatch(/^not valid YAML or JSON: /);
    }
  });

  it("JSON input is accepted and equals the YAML equivalent", () => {
    const json = JSON.stringify(
      {
        site: "factory-a",
        objective: { preset: "realtime", reserve: 0.2, weights: { cost: 3 } },
        tiers: [
          { name: "edge", kind: "edge", compute: 100, storage: 1000, bandwidth: 100, latency: 10, costPerHour: 5 },
        ],
        robots: [{ name: "arm-1", compute: 10, storage: 100, bandwidth: 10, latency: 1, costPerHour: 1 }],
        tasks: [
          { name: "vision", compute: 5, maxLatency: 50, allowedTiers: ["edge"], perRobot: true },
          { name: "grip", compute: 1, maxLatency: 5, robot: "arm-1", priority: 4, port: 9000 },
        ],
      },
      null,
      2,
    );
    const yamlText = [
      "site: factory-a",
      "objective:",
      "  preset: realtime",
      "  reserve: 0.2",
      "  weights: { cost: 3 }",
      "tiers:",
      "  - { name: edge, kind: edge, compute: 100, storage: 1000, bandwidth: 100, latency: 10, costPerHour: 5 }",
      "robots:",
      "  - { name: arm-1, compute: 10, storage: 100, bandwidth: 10, latency: 1, costPerHour: 1 }",
      "tasks:",
      "  - { name: vision, compute: 5, maxLatency: 50, allowedTiers: [edge], perRobot: true }",
      "  - { name: grip, compute: 1, maxLatency: 5, robot: arm-1, priority: 4, port: 9000 }",
      "",
    ].join("\n");
    const fromJson = loadCatalogSources([{ file: "site.json", text: json }]);
    const fromYaml = loadCatalogSources([{ file: "site.yaml", text: yamlText }]);
    expect(fromJson).toEqual(fromYaml);
    expect(fromJson.objective).toEqual({ preset: "realtime", weights: { latency: 2, cost: 3 }, reserve: 0.2 });
    expect(fromJson.tasks[1]).toMatchObject({ name: "grip", robot: "arm-1", priority: 4, port: 9000, storage: 0 });
  });

  it("the worked example as JSON loads to the same input as the YAML", () => {
    const yamlText = readFileSync("examples/smart-factory.yaml", "utf8");
    const json = JSON.stringify(parse(yamlText), null, 2);
    expect(json.trimStart().startsWith("{")).toBe(true);
    expect(loadCatalogSources([{ file: "smart-factory.json", text: json }])).toEqual(
      loadCatalog(["examples/smart-factory.yaml"]),
    );
  });

  it("errors in a JSON file carry the JSON's line and the data path", () => {
    const json =
      '{\n  "site": "factory-a",\n  "tiers": [{"name": "c", "kind": "cloud", "compute": 1, "storage": 1, "bandwidth": 1, "latency": 1, "costPerHour": 1}],\n  "tasks": [\n    {"name": "t", "compute": 1, "maxLatency": -4}\n  ]\n}\n';
    const issue = oneIssue([{ file: "site.json", text: json }]);
    expect(pathOf(issue)).toBe("tasks[0].maxLatency");
    expect(issue).toMatchObject({ file: "site.json", line: 5, message: "must be > 0, got -4" });
  });
});

describe("missing required fields", () => {
  it("site, tiers and tasks are each required", () => {
    const issues = issuesOf("objective: { preset: cost }\n");
    expect(issues.map(pathOf)).toEqual(["site", "tiers", "tasks"]);
    for (const issue of issues) expect(issue.file).toBe(FILE);
    expect(issueAt(issues, "site").message).toMatch(/^is required: name the site/);
    expect(issueAt(issues, "tiers").message).toMatch(/at least one tier is required/);
    expect(issueAt(issues, "tasks").message).toMatch(/at least one task is required/);
  });

  it("only what is missing is reported", () => {
    const issue = oneIssue(BASE.replace("site: factory-a\n", ""));
    expect(pathOf(issue)).toBe("site");
    expect(issue.file).toBe(FILE);
  });

  it("an empty task list counts as missing", () => {
    const text = `${BASE_LINES.slice(0, 6).join("\n")}\ntasks: []\n`;
    const issue = oneIssue(text);
    expect(pathOf(issue)).toBe("tasks");
    expect(issue.message).toBe("at least one task is required");
  });

  it("a required field of a task", () => {
    const issue = oneIssue(withTask("{ name: sensing, compute: 1 }"));
    expect(pathOf(issue)).toBe("tasks[3].maxLatency");
    expect(issue).toMatchObject({ file: FILE, message: "is required (a number)" });
  });

  it("a required field of a tier", () => {
    const issue = oneIssue(
      replaceLine(4, "  - { name: edge, kind: edge, compute: 100, storage: 1000, latency: 10, costPerHour: 5 }"),
    );
    expect(pathOf(issue)).toBe("tiers[1].bandwidth");
    expect(issue.message).toBe("is required (a number)");
  });

  // docs/input.md: "Every error names the file, the line, the path inside the file and the fix".
  // A key missing from an entry could be located at the entry's mapping, but no line is given.
  it("a required field of a task is located at the task (line)", () => {
    const issue = oneIssue(withTask("{ name: sensing, compute: 1 }"));
    expect(issue.line).toBe(11);
  });
});

describe("wrong types and out-of-range numbers", () => {
  it("a string for a number", () => {
    const issue = oneIssue(withTask("{ name: sensing, compute: ten, maxLatency: 10 }"));
    expect(pathOf(issue)).toBe("tasks[3].compute");
    expect(issue).toMatchObject({ file: FILE, line: 11, column: 31, message: 'must be a number, got "ten"' });
    expect(formatIssue(issue)).toBe('site.yaml:11:31: tasks[3].compute: must be a number, got "ten"');
  });

  it("a quoted number is a string, not a number", () => {
    const issue = oneIssue(withTask("{ name: sensing, compute: '5', maxLatency: 10 }"));
    expect(pathOf(issue)).toBe("tasks[3].compute");
    expect(issue.message).toBe('must be a number, got "5"');
  });

  it("a number for a string, a list for a mapping, a mapping for a list", () => {
    expect(pathOf(oneIssue(BASE.replace("site: factory-a", "site: 123")))).toBe("site");
    expect(oneIssue(BASE.replace("site: factory-a", "site: 123")).message).toBe("must be a string, got 123");
    const list = oneIssue(withTask("[sensing, 1, 10]"));
    expect(pathOf(list)).toBe("tasks[3]");
    expect(list.message).toBe("must be a mapping, got a list");
    const tiers = issuesOf("site: factory-a\ntiers: { name: cloud }\ntasks: []\n");
    expect(issueAt(tiers, "tiers").message).toBe("must be a list, got a mapping");
  });

  it("a non-boolean perRobot", () => {
    const issue = oneIssue(withTask("{ name: sensing, compute: 1, maxLatency: 10, perRobot: yes }"));
    expect(pathOf(issue)).toBe("tasks[3].perRobot");
    expect(issue.message).toBe('must be true or false, got "yes"');
  });

  it("site must be a DNS label", () => {
    const issue = oneIssue(BASE.replace("site: factory-a", "site: Factory_A"));
    expect(pathOf(issue)).toBe("site");
    expect(issue).toMatchObject({ line: 1, column: 7 });
    expect(issue.message).toMatch(/^must be a DNS label: .*, got "Factory_A"$/);
  });

  it("NaN, .nan and infinities are rejected as non-finite", () => {
    const cases: Array<[string, string, string]> = [
      ["{ name: sensing, compute: .nan, maxLatency: 10 }", "tasks[3].compute", "must be a finite number, got NaN"],
      ["{ name: sensing, compute: .NaN, maxLatency: 10 }", "tasks[3].compute", "must be a finite number, got NaN"],
      [
        "{ name: sensing, compute: 1, maxLatency: .inf }",
        "tasks[3].maxLatency",
        "must be a finite number, got Infinity",
      ],
      [
        "{ name: sensing, compute: 1, maxLatency: 10, cost: -.inf }",
        "tasks[3].cost",
        "must be a finite number, got -Infinity",
      ],
      [
        "{ name: sensing, compute: 1e999, maxLatency: 10 }",
        "tasks[3].compute",
        "must be a finite number, got Infinity",
      ],
    ];
    for (const [task, path, message] of cases) {
      const issue = oneIssue(withTask(task));
      expect({ path: pathOf(issue), message: issue.message, file: issue.file, line: issue.line }).toEqual({
        path,
        message,
        file: FILE,
        line: 11,
      });
    }
  });

  it("NaN in a tier capacity and in objective.reserve", () => {
    const tier = oneIssue(
      replaceLine(
        4,
        "  - { name: edge, kind: edge, compute: .nan, storage: 1000, bandwidth: 100, latency: 10, costPerHour: 5 }",
      ),
    );
    expect(pathOf(tier)).toBe("tiers[1].compute");
    expect(tier.message).toBe("must be a finite number, got NaN");
    const reserve = oneIssue(`objective: { reserve: .nan }\n${BASE}`);
    expect(pathOf(reserve)).toBe("objective.reserve");
    expect(reserve.message).toBe("must be a finite number, got NaN");
  });

  it("the word NaN in YAML is a string, and says so", () => {
    const issue = oneIssue(withTask("{ name: sensing, compute: NaN, maxLatency: 10 }"));
    expect(pathOf(issue)).toBe("tasks[3].compute");
    expect(issue.message).toBe('must be a number, got "NaN"');
  });

  it("negative numbers", () => {
    const task = oneIssue(withTask("{ name: sensing, compute: -1, maxLatency: 10 }"));
    expect(pathOf(task)).toBe("tasks[3].compute");
    expect(task.message).toBe("must be >= 0, got -1");
    const tier = oneIssue(
      replaceLine(
        4,
        "  - { name: edge, kind: edge, compute: -100, storage: 1000, bandwidth: 100, latency: 10, costPerHour: 5 }",
      ),
    );
    expect(pathOf(tier)).toBe("tiers[1].compute");
    expect(tier).toMatchObject({ file: FILE, line: 4, message: "must be > 0, got -100" });
    const robot = oneIssue(
      replaceLine(6, "  - { name: arm-1, compute: 10, storage: 100, bandwidth: 10, latency: -1, costPerHour: 1 }"),
    );
    expect(pathOf(robot)).toBe("robots[0].latency");
    expect(robot.message).toBe("must be >= 0, got -1");
    const weight = oneIssue(`objective: { weights: { latency: -3 } }\n${BASE}`);
    expect(pathOf(weight)).toBe("objective.weights.latency");
    expect(weight.message).toBe("must be >= 0, got -3");
  });

  it("zero where a positive number is needed", () => {
    const issue = oneIssue(withTask("{ name: sensing, compute: 1, maxLatency: 0 }"));
    expect(pathOf(issue)).toBe("tasks[3].maxLatency");
    expect(issue.message).toBe("must be > 0, got 0");
  });

  it("priority must be a whole number >= 1", () => {
    const fraction = oneIssue(withTask("{ name: sensing, compute: 1, maxLatency: 10, priority: 1.5 }"));
    expect(pathOf(fraction)).toBe("tasks[3].priority");
    expect(fraction).toMatchObject({ file: FILE, line: 11, message: "must be a whole number, got 1.5" });
    const zero = oneIssue(withTask("{ name: sensing, compute: 1, maxLatency: 10, priority: 0 }"));
    expect(pathOf(zero)).toBe("tasks[3].priority");
    expect(zero.message).toBe("must be >= 1, got 0");
  });

  it("port out of range", () => {
    const issue = oneIssue(withTask("{ name: sensing, compute: 1, maxLatency: 10, port: 70000 }"));
    expect(pathOf(issue)).toBe("tasks[3].port");
    expect(issue.message).toBe("must be <= 65535, got 70000");
  });

  it("reserve out of range", () => {
    const high = oneIssue(`objective: { reserve: 0.5 }\n${BASE}`);
    expect(pathOf(high)).toBe("objective.reserve");
    expect(high).toMatchObject({ file: FILE, line: 1, column: 23, message: "must be <= 0.3, got 0.5" });
    const low = oneIssue(`objective: { reserve: -0.1 }\n${BASE}`);
    expect(low.message).toBe("must be >= 0, got -0.1");
  });

  it("reserve bounds are inclusive", () => {
    expect(loadCatalogSources([{ file: FILE, text: `objective: { reserve: 0.3 }\n${BASE}` }]).objective.reserve).toBe(
      0.3,
    );
    expect(loadCatalogSources([{ file: FILE, text: `objective: { reserve: 0 }\n${BASE}` }]).objective.reserve).toBe(0);
  });

  it("every issue of a file is reported at once", () => {
    const text = `${BASE}  - { name: a, compute: -1, maxLatency: 10 }\n  - { name: b, compute: 1, maxLatency: 10, priority: 2.5 }\n`;
    const issues = issuesOf(text);
    expect(issues.map(pathOf)).toEqual(["tasks[3].compute", "tasks[4].priority"]);
    expect(issues.map((i) => i.line)).toEqual([11, 12]);
  });
});

describe("misspelt keys and unknown values", () => {
  it("maxLatancy suggests maxLatency, at the key's position", () => {
    const issues = issuesOf(withTask("{ name: sensing, compute: 1, maxLatancy: 10 }"));
    const typo = issueAt(issues, "tasks[3].maxLatancy");
    expect(typo).toMatchObject({ file: FILE, line: 11, column: 34 });
    expect(typo.message).toBe("unknown key 'maxLatancy': did you mean 'maxLatency'?");
    expect(formatIssue(typo)).toBe(
      "site.yaml:11:34: tasks[3].maxLatancy: unknown key 'maxLatancy': did you mean 'maxLatency'?",
    );
    // The real key is then missing, which is reported too.
    expect(issueAt(issues, "tasks[3].maxLatency").message).toBe("is required (a number)");
    expect(issues).toHaveLength(2);
  });

  it("compte suggests compute", () => {
    const issues = issuesOf(withTask("{ name: sensing, compte: 1, maxLatency: 10 }"));
    expect(issueAt(issues, "tasks[3].compte").message).toBe("unknown key 'compte': did you mean 'compute'?");
    expect(issueAt(issues, "tasks[3].compute").message).toBe("is required (a number)");
  });

  it("a misspelt key in a tier, in the objective and at the top level", () => {
    const tier = issuesOf(
      replaceLine(
        3,
        "  - { name: cloud, kind: cloud, compute: 1000, storage: 10000, bandwith: 1000, latency: 50, costPerHour: 10 }",
      ),
    );
    expect(issueAt(tier, "tiers[0].bandwith")).toMatchObject({
      line: 3,
      message: "unknown key 'bandwith': did you mean 'bandwidth'?",
    });
    const objective = oneIssue(`objective: { reserv: 0.2 }\n${BASE}`);
    expect(pathOf(objective)).toBe("objective.reserv");
    expect(objective.message).toBe("unknown key 'reserv': did you mean 'reserve'?");
    const top = oneIssue(
      `${BASE}robot:\n  - { name: arm-2, compute: 10, storage: 100, bandwidth: 10, latency: 1, costPerHour: 1 }\n`,
    );
    expect(pathOf(top)).toBe("robot");
    expect(top).toMatchObject({ line: 11, column: 1, message: "unknown key 'robot': did you mean 'robots'?" });
  });

  it("a key with no close match lists the known keys", () => {
    const issue = oneIssue(
      replaceLine(
        6,
        "  - { name: arm-1, kind: robot, compute: 10, storage: 100, bandwidth: 10, latency: 1, costPerHour: 1 }",
      ),
    );
    expect(pathOf(issue)).toBe("robots[0].kind");
    expect(issue.message).toBe(
      "unknown key 'kind': known keys: name, compute, storage, bandwidth, latency, costPerHour",
    );
  });

  it("unknown tier kind", () => {
    const fog = oneIssue(
      replaceLine(
        4,
        "  - { name: edge, kind: fog, compute: 100, storage: 1000, bandwidth: 100, latency: 10, costPerHour: 5 }",
      ),
    );
    expect(pathOf(fog)).toBe("tiers[1].kind");
    expect(fog).toMatchObject({ file: FILE, line: 4, message: 'must be one of cloud, edge, robot, got "fog"' });
    const typo = oneIssue(
      replaceLine(
        4,
        "  - { name: edge, kind: egde, compute: 100, storage: 1000, bandwidth: 100, latency: 10, costPerHour: 5 }",
      ),
    );
    expect(typo.message).toBe("must be one of cloud, edge, robot, got \"egde\": did you mean 'edge'?");
  });

  it("unknown objective preset", () => {
    const issue = oneIssue(`objective: { preset: realtim }\n${BASE}`);
    expect(pathOf(issue)).toBe("objective.preset");
    expect(issue.message).toBe("must be one of realtime, cost, balanced, got \"realtim\": did you mean 'realtime'?");
  });
});

describe("names and references", () => {
  it("duplicate task names", () => {
    const issue = oneIssue(withTask("{ name: inference, compute: 1, maxLatency: 10 }"));
    expect(pathOf(issue)).toBe("tasks[3].name");
    expect(issue).toMatchObject({ file: FILE, line: 11 });
    expect(issue.message).toBe("duplicate task name 'inference': already used by tasks[1] in site.yaml");
  });

  it("a robot named like a tier", () => {
    const issue = oneIssue(
      replaceLine(
        6,
        "  - { name: edge, compute: 10, storage: 100, bandwidth: 10, latency: 1, costPerHour: 1 }",
      ).replace("robot: arm-1", "robot: edge"),
    );
    expect(pathOf(issue)).toBe("robots[0].name");
    expect(issue).toMatchObject({ file: FILE, line: 6 });
    expect(issue.message).toBe(
      "duplicate name 'edge': already used by tiers[1] in site.yaml; tier and robot names must be unique",
    );
  });

  it("two tiers of the same name", () => {
    const issue = oneIssue(
      replaceLine(
        4,
        "  - { name: cloud, kind: edge, compute: 100, storage: 1000, bandwidth: 100, latency: 10, costPerHour: 5 }",
      ),
    );
    expect(pathOf(issue)).toBe("tiers[1].name");
    expect(issue.message).toMatch(/^duplicate name 'cloud': already used by tiers\[0\]/);
  });

  it("a per-robot copy colliding with a task written by hand", () => {
    const text = `${BASE}  - { name: scan, compute: 1, maxLatency: 10, perRobot: true }\n  - { name: scan@arm-1, compute: 1, maxLatency: 10 }\n`;
    const issue = oneIssue(text);
    expect(pathOf(issue)).toBe("tasks[3].name");
    expect(issue.message).toBe("duplicate task name 'scan@arm-1': already used by tasks[4] in site.yaml");
  });

  it("task.robot naming a nonexistent robot", () => {
    const task = "{ name: grip, compute: 1, maxLatency: 10, robot: arm-2 }";
    const close = oneIssue(withTask(task));
    expect(pathOf(close)).toBe("tasks[3].robot");
    // Located at the value: column of "arm-2" on the line "  - {...}".
    const column = `  - ${task}`.indexOf("arm-2") + 1;
    expect(close).toMatchObject({
      file: FILE,
      line: 11,
      column,
      message: "no robot named 'arm-2': did you mean 'arm-1'?",
    });
    const far = oneIssue(withTask("{ name: grip, compute: 1, maxLatency: 10, robot: gripper }"));
    expect(far.message).toBe("no robot named 'gripper' (known: arm-1)");
  });

  it("task.robot when the site has no robots", () => {
    const text = [
      ...BASE_LINES.slice(0, 4),
      "tasks:",
      "  - { name: grip, compute: 1, maxLatency: 10, robot: arm-1 }",
      "",
    ].join("\n");
    const issue = oneIssue(text);
    expect(pathOf(issue)).toBe("tasks[0].robot");
    expect(issue.message).toBe("no robot named 'arm-1': the site has no robots");
  });

  it("pin naming an unknown environment", () => {
    const issue = oneIssue(withTask("{ name: grip, compute: 1, maxLatency: 10, pin: fog }"));
    expect(pathOf(issue)).toBe("tasks[3].pin");
    expect(issue).toMatchObject({
      file: FILE,
      line: 11,
      message: "no environment named 'fog' (known: cloud, edge, arm-1)",
    });
  });

  it("pin naming a kind rather than an environment", () => {
    const issue = oneIssue(withTask("{ name: grip, compute: 1, maxLatency: 10, pin: robot }"));
    expect(pathOf(issue)).toBe("tasks[3].pin");
    expect(issue.message).toMatch(/^no environment named 'robot'/);
  });

  it("allowedTiers naming an unknown tier or kind, each entry by index", () => {
    const issues = issuesOf(
      withTask("{ name: grip, compute: 1, maxLatency: 10, allowedTiers: [edge, clod, fog, robot] }"),
    );
    expect(issues.map(pathOf)).toEqual(["tasks[3].allowedTiers[1]", "tasks[3].allowedTiers[2]"]);
    expect(issues[0]).toMatchObject({
      file: FILE,
      line: 11,
      message: "no tier, robot or kind named 'clod': did you mean 'cloud'?",
    });
    expect(issues[1].message).toMatch(/^no tier, robot or kind named 'fog' \(known: .*\)$/);
  });

  // Tier names that equal a kind (cloud, edge) appear twice in the list of known names.
  it("the known names for allowedTiers are listed once each", () => {
    const issue = oneIssue(withTask("{ name: grip, compute: 1, maxLatency: 10, allowedTiers: [fog] }"));
    const known = /\(known: (.*)\)$/.exec(issue.message)![1].split(", ");
    expect(known).toEqual([...new Set(known)]);
  });

  it("allowedTiers accepting names and kinds loads", () => {
    const input = loadCatalogSources([
      { file: FILE, text: withTask("{ name: grip, compute: 1, maxLatency: 10, allowedTiers: [edge, robot, arm-1] }") },
    ]);
    expect(input.tasks[3].allowedTiers).toEqual(["edge", "robot", "arm-1"]);
  });

  it("robot and perRobot together", () => {
    const issue = oneIssue(withTask("{ name: grip, compute: 1, maxLatency: 10, robot: arm-1, perRobot: true }"));
    expect(pathOf(issue)).toBe("tasks[3].robot");
    expect(issue).toMatchObject({ file: FILE, line: 11 });
    expect(issue.message).toMatch(/^robot and perRobot are exclusive/);
  });

  it("robot with perRobot: false is fine", () => {
    const input = loadCatalogSources([
      { file: FILE, text: withTask("{ name: grip, compute: 1, maxLatency: 10, robot: arm-1, perRobot: false }") },
    ]);
    expect(input.tasks[3]).toMatchObject({ robot: "arm-1", perRobot: false });
  });
});

describe("several files", () => {
  const SITE = [
    "site: factory-a",
    "objective: { preset: realtime, reserve: 0.2 }",
    "tiers:",
    "  - { name: cloud, kind: cloud, compute: 1000, storage: 10000, bandwidth: 1000, latency: 50, costPerHour: 10 }",
    "robots:",
    "  - { name: arm-1, compute: 10, storage: 100, bandwidth: 10, latency: 1, costPerHour: 1 }",
    "tasks:",
    "  - { name: training, compute: 500, maxLatency: 10000 }",
    "",
  ].join("\n");
  const MORE = [
    "site: factory-a",
    "objective: { preset: cost, reserve: 0.05 }",
    "tiers:",
    "  - { name: edge, kind: edge, compute: 100, storage: 1000, bandwidth: 100, latency: 10, costPerHour: 5 }",
    "tasks:",
    "  - { name: inference, compute: 10, maxLatency: 100 }",
    "  - { name: grip, compute: 1, maxLatency: 10, robot: arm-1 }",
    "",
  ].join("\n");

  it("lists are concatenated in file order; the later objective wins; the site may be repeated", () => {
    const input = loadCatalogSources([
      { file: "site.yaml", text: SITE },
      { file: "more.yaml", text: MORE },
    ]);
    expect(input.site).toBe("factory-a");
    expect(input.tiers.map((t) => t.name)).toEqual(["cloud", "edge"]);
    expect(input.robots.map((r) => r.name)).toEqual(["arm-1"]);
    expect(input.tasks.map((t) => t.name)).toEqual(["training", "inference", "grip"]);
    expect(input.objective).toEqual({ preset: "cost", weights: { latency: 0.5, cost: 2 }, reserve: 0.05 });
  });

  it("files naming different sites are refused, at the later file's site", () => {
    const issue = oneIssue([
      { file: "site.yaml", text: SITE },
      { file: "more.yaml", text: MORE.replace("site: factory-a", "site: factory-b") },
    ]);
    expect(issue).toMatchObject({ file: "more.yaml", path: ["site"], line: 1, column: 7 });
    expect(issue.message).toBe(
      "site 'factory-b' differs from site 'factory-a' in site.yaml: the files of one plan describe one site; make them agree, or plan the sites separately",
    );
  });

  it("a shared task catalog needs no site or tiers, and may reference the other file's robots", () => {
    const shared =
      "tasks:\n  - { name: scan, compute: 1, maxLatency: 10, perRobot: true }\n  - { name: wave, compute: 1, maxLatency: 10, robot: arm-1 }\n";
    const input = loadCatalogSources([
      { file: "site.yaml", text: SITE },
      { file: "shared.yaml", text: shared },
    ]);
    expect(input.site).toBe("factory-a");
    expect(input.objective).toEqual({ preset: "realtime", weights: { latency: 2, cost: 0.5 }, reserve: 0.2 });
    expect(input.tasks.map((t) => t.name)).toEqual(["training", "scan", "wave"]);
  });

  it("weights merge key by key, later files winning", () => {
    const input = loadCatalogSources([
      { file: "a.yaml", text: `objective: { weights: { latency: 3, cost: 4 } }\n${BASE}` },
      { file: "b.yaml", text: "objective:\n  weights: { cost: 7 }\n" },
    ]);
    expect(input.objective.weights).toEqual({ latency: 3, cost: 7 });
  });

  // docs/contract.md §4: "other fields are merged, later files winning". A later file that sets only
  // objective.weights (or only the preset) must not reset the earlier file's reserve/preset, but
  // ObjectiveSchema.partial() in src/catalog/schema.ts still applies the defaults (zod 4), so the
  // later file's objective always carries preset: balanced and reserve: 0.1.
  it("a later objective that sets only weights keeps the earlier preset and reserve", () => {
    const input = loadCatalogSources([
      { file: "site.yaml", text: SITE },
      { file: "tuning.yaml", text: "objective:\n  weights: { cost: 3 }\n" },
    ]);
    expect(input.objective).toEqual({ preset: "realtime", weights: { latency: 2, cost: 3 }, reserve: 0.2 });
  });

  it("an issue in the second file names that file, with its own line", () => {
    const broken = MORE.replace("maxLatency: 100 }", "maxLatency: -100 }");
    const issue = oneIssue([
      { file: "site.yaml", text: SITE },
      { file: "more.yaml", text: broken },
    ]);
    expect(issue).toMatchObject({ file: "more.yaml", line: 6, message: "must be > 0, got -100" });
    expect(pathOf(issue)).toBe("tasks[0].maxLatency");
  });

  it("issues in both files are reported together, each with its own file", () => {
    const issues = issuesOf([
      { file: "site.yaml", text: SITE.replace("compute: 500", "compute: -500") },
      { file: "more.yaml", text: MORE.replace("kind: edge", "kind: fog") },
    ]);
    expect(issues.map((i) => [i.file, pathOf(i), i.line])).toEqual([
      ["site.yaml", "tasks[0].compute", 8],
      ["more.yaml", "tiers[0].kind", 4],
    ]);
  });

  it("a syntax error in one file names only that file", () => {
    const issue = oneIssue([
      { file: "site.yaml", text: SITE },
      { file: "more.yaml", text: "tasks: [\n" },
    ]);
    expect(issue.file).toBe("more.yaml");
    expect(issue.message).toMatch(/^not valid YAML or JSON: /);
  });

  it("a reference across files that dangles is reported in the file that makes it", () => {
    const issue = oneIssue([
      { file: "site.yaml", text: SITE },
      { file: "more.yaml", text: MORE.replace("robot: arm-1", "robot: arm-7") },
    ]);
    expect(issue).toMatchObject({ file: "more.yaml", line: 7 });
    expect(pathOf(issue)).toBe("tasks[1].robot");
  });

  it("duplicates across files name both files, with the indices of each", () => {
    const issues = issuesOf([
      { file: "site.yaml", text: SITE },
      {
        file: "more.yaml",
        text: MORE.replace("name: edge", "name: cloud").replace("name: inference", "name: training"),
      },
    ]);
    const tier = issueAt(issues, "tiers[0].name");
    expect(tier.file).toBe("more.yaml");
    expect(tier.message).toMatch(/already used by tiers\[0\] in site\.yaml/);
    const task = issueAt(issues, "tasks[0].name");
    expect(task.file).toBe("more.yaml");
    expect(task.message).toBe("duplicate task name 'training': already used by tasks[0] in site.yaml");
  });

  it("what is missing across all files names every file", () => {
    const issues = issuesOf([
      { file: "a.yaml", text: "objective: { preset: cost }\n" },
      { file: "b.yaml", text: "robots: []\n" },
    ]);
    expect(issues.map(pathOf)).toEqual(["site", "tiers", "tasks"]);
    for (const issue of issues) {
      expect(issue.file).toContain("a.yaml");
      expect(issue.file).toContain("b.yaml");
    }
  });

  it("no files at all", () => {
    const issue = oneIssue([]);
    expect(issue.message).toBe("no catalog file given");
  });
});

describe("reading files from disk", () => {
  const dir = mkdtempSync(join(tmpdir(), "tierplan-catalog-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const catch_ = (files: string[]): CatalogIssue[] => {
    try {
      loadCatalog(files);
    } catch (error) {
      if (error instanceof CatalogError) return error.issues;
      throw error;
    }
    throw new Error("expected a CatalogError");
  };

  it("a nonexistent file", () => {
    const missing = join(dir, "nope.yaml");
    const issues = catch_(["examples/smart-factory.yaml", missing]);
    expect(issues).toEqual([{ file: missing, path: [], message: "cannot read the file: no such file" }]);
  });

  it("a directory is not a file", () => {
    const issues = catch_([dir]);
    expect(issues).toHaveLength(1);
    expect(issues[0].file).toBe(dir);
    expect(issues[0].message).toMatch(/^cannot read the file: /);
  });

  it("a binary file on disk", () => {
    const file = join(dir, "blob.bin");
    writeFileSync(file, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00]));
    const issues = catch_([file]);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file, path: [] });
    expect(issues[0].message).toMatch(/binary file/);
  });

  it("a JSON file and a YAML file combine", () => {
    const site = join(dir, "site.json");
    const tasks = join(dir, "tasks.yaml");
    writeFileSync(
      site,
      JSON.stringify({
        site: "factory-a",
        tiers: [
          { name: "edge", kind: "edge", compute: 100, storage: 1000, bandwidth: 100, latency: 10, costPerHour: 5 },
        ],
      }),
    );
    writeFileSync(tasks, "tasks:\n  - { name: t, compute: 1, maxLatency: 100 }\n");
    const input = loadCatalog([site, tasks]);
    expect(input.site).toBe("factory-a");
    expect(input.tasks.map((t) => t.name)).toEqual(["t"]);
  });

  it("an error in a file on disk is named by the path as given", () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, withTask("{ name: sensing, compute: 1, maxLatency: 10, priority: 1.5 }"));
    const issues = catch_([file]);
    expect(issues).toHaveLength(1);
    expect(formatIssue(issues[0])).toBe(
      `${file}:11:${issues[0].column}: tasks[3].priority: must be a whole number, got 1.5`,
    );
    expect(issues[0].column).toBeGreaterThan(1);
  });
});

describe("input that would vanish from the plan", () => {
  it("perRobot on a site without robots", () => {
    const text = `${BASE_LINES.filter((l) => !l.includes("arm-1") && l !== "robots:").join("\n")}\n  - { name: scan, compute: 1, maxLatency: 10, perRobot: true }\n`;
    const issue = oneIssue(text);
    expect(pathOf(issue)).toBe("tasks[2].perRobot");
    expect(issue.line).toBe(8);
    expect(issue.message).toMatch(/^perRobot makes one copy per fleet robot, but the site has no robots/);
  });

  it("allowedTiers: [] allows nothing", () => {
    const issue = oneIssue(withTask("{ name: nowhere, compute: 1, maxLatency: 10, allowedTiers: [] }"));
    expect(pathOf(issue)).toBe("tasks[3].allowedTiers");
    expect(issue.line).toBe(11);
    expect(issue.message).toMatch(/^is empty, so the task may use no environment and can never be placed/);
  });
});

describe("images: decided from the catalog, before planning", () => {
  const load = (text: string, images?: "required") => {
    const warnings: CatalogIssue[] = [];
    let error: CatalogError | undefined;
    try {
      loadCatalogSources([{ file: FILE, text }], { images, onWarning: (w) => warnings.push(w) });
    } catch (caught) {
      if (!(caught instanceof CatalogError)) throw caught;
      error = caught;
    }
    return { warnings, error };
  };
  // BASE's tasks have no images: training and inference may use every tier, action is bound to
  // arm-1 but may still use cloud and edge.
  it("every task that may run on cloud or edge needs one: an error where images are required", () => {
    const { error, warnings } = load(BASE, "required");
    expect(warnings).toEqual([]);
    expect(error!.issues.map((i) => [pathOf(i), i.line])).toEqual([
      ["tasks[0].image", 8],
      ["tasks[1].image", 9],
      ["tasks[2].image", 10],
    ]);
    expect(error!.issues[0].message).toBe(
      "task 'training' has no image, but it has no allowedTiers lets it run on cloud tier 'cloud', edge tier 'edge', which run containers: add 'image:', or allowedTiers that keep it on robots",
    );
  });

  it("a warning otherwise, and the catalog loads", () => {
    const { error, warnings } = load(BASE);
    expect(error).toBeUndefined();
    expect(warnings.map(pathOf)).toEqual(["tasks[0].image", "tasks[1].image", "tasks[2].image"]);
  });

  it("a task kept on robots by allowedTiers, or pinned to a robot, needs none", () => {
    const text = [
      ...BASE_LINES.slice(0, 7),
      "  - { name: a, compute: 1, maxLatency: 10, allowedTiers: [robot], robot: arm-1 }",
      "  - { name: b, compute: 1, maxLatency: 10, pin: arm-1, robot: arm-1 }",
      '  - { name: c, compute: 1, maxLatency: 10, allowedTiers: [edge], image: "ghcr.io/acme/c:1" }',
      "  - { name: d, compute: 1, maxLatency: 10, allowedTiers: [arm-1, edge], robot: arm-1 }",
      "  - { name: e, compute: 1, maxLatency: 10, pin: cloud, allowedTiers: [robot] }",
      "",
    ].join("\n");
    const { error } = load(text, "required");
    expect(error!.issues.map((i) => [pathOf(i), i.message])).toEqual([
      [
        "tasks[3].image",
        "task 'd' has no image, but its allowedTiers lets it run on edge tier 'edge', which runs containers: add 'image:', or allowedTiers that keep it on robots",
      ],
      [
        "tasks[4].image",
        "task 'e' has no image, but its pin lets it run on cloud tier 'cloud', which runs containers: add 'image:'",
      ],
    ]);
  });
});

describe("hostile files: refused with the file named, never an exception", () => {
  it("billion laughs: aliases that multiply the document", () => {
    const lines = ["site: factory-a", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [name, prev] of [
      ["b", "a"],
      ["c", "b"],
      ["d", "c"],
      ["e", "d"],
      ["f", "e"],
      ["g", "f"],
      ["h", "g"],
      ["i", "h"],
    ]) {
      lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(",")}]`);
    }
    const issue = oneIssue(`${lines.join("\n")}\n`);
    expect(issue).toMatchObject({ file: FILE, path: [] });
    expect(issue.message).toMatch(/aliases \(\*name\) expand to more than 100 times .* 'billion laughs'/);
  });

  it("plain anchors and aliases still work", () => {
    const text = [
      ...BASE_LINES.slice(0, 7),
      "  - { name: a, compute: 1, maxLatency: 10, allowedTiers: &near [edge, arm-1] }",
      "  - { name: b, compute: 1, maxLatency: 10, allowedTiers: *near }",
      "",
    ].join("\n");
    const input = loadCatalogSources([{ file: FILE, text }]);
    expect(input.tasks.map((t) => t.allowedTiers)).toEqual([
      ["edge", "arm-1"],
      ["edge", "arm-1"],
    ]);
  });

  it("merge keys are refused at their line, with the fix", () => {
    const text = `defaults: &d { compute: 1, maxLatency: 10 }\n${BASE}  - <<: *d\n    name: merged\n`;
    const issue = oneIssue(text);
    expect(issue).toMatchObject({ file: FILE, path: [], line: 12, column: 5 });
    expect(issue.message).toMatch(/^YAML merge keys \('<<'\) are not supported .*: write the keys out/);
  });

  it("deep nesting, flow and block, never overflows the stack", () => {
    for (const depth of [40, 500, 5_000, 100_000]) {
      const flow = oneIssue(`site: factory-a\ntasks: ${"[".repeat(depth)}${"]".repeat(depth)}\n`);
      expect(flow.message, String(depth)).toMatch(/nested (more than 32 levels deep|too deeply to read)/);
      expect(flow.line).toBe(2);
    }
    const block = Array.from({ length: 300 }, (_, i) => `${" ".repeat(i)}k:`).join("\n");
    expect(oneIssue(`${block} 1\n`).message).toMatch(/nested (more than 32 levels deep|too deeply to read)/);
  });

  it("several documents: says so, at the second", () => {
    const issue = oneIssue(`${BASE}---\nsite: other\n`);
    expect(issue).toMatchObject({ line: 11, column: 1 });
    expect(issue.message).toBe(
      "the file holds multiple documents (a '---' line starts a second one here): tierplan reads one; remove the '---' or split the file",
    );
  });

  it("bytes that are not UTF-8 on disk are binary, and not echoed", () => {
    const dir = mkdtempSync(join(tmpdir(), "tierplan-hostile-"));
    try {
      const file = join(dir, "latin1.yaml");
      writeFileSync(file, Buffer.from("site: f\xe4brik\n", "latin1"));
      const error = (() => {
        try {
          loadCatalog([file]);
        } catch (caught) {
          return caught as CatalogError;
        }
      })();
      expect(error!.issues).toEqual([
        {
          file,
          path: [],
          message:
            "this is a binary file, not YAML or JSON: give a planning input file (it holds bytes that are not UTF-8)",
        },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a file over the size limit is refused by its size, unread; a device by what it gives", () => {
    const dir = mkdtempSync(join(tmpdir(), "tierplan-hostile-"));
    try {
      const big = join(dir, "big.yaml");
      writeFileSync(big, "");
      truncateSync(big, INPUT_SIZE_LIMIT + 1);
      const messages = (files: string[]) => {
        try {
          loadCatalog(files);
        } catch (caught) {
          return (caught as CatalogError).issues.map(formatIssue);
        }
        return [];
      };
      expect(messages([big])).toEqual([
        `${big}: (top level): cannot read the file: it is 16777217 bytes; tierplan reads at most 16 MiB from one file (docs/input.md, "Size limits")`,
      ]);
      expect(messages(["/dev/zero"])).toEqual([
        '/dev/zero: (top level): cannot read the file: it gives more than 16 MiB; tierplan reads at most 16 MiB from one file (docs/input.md, "Size limits")',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
