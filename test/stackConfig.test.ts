import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CatalogError, formatIssue, formatPath, type CatalogIssue } from "../src/catalog/errors";
import {
  checkStackCatalog,
  cidrProblem,
  fromPulumiConfig,
  locateInStackFile,
  parseStackConfig,
  readStackFile,
  SECRET_PLACEHOLDER,
} from "../src/catalog/stackConfig";
import { awsRegions } from "../src/provision/awsRegions";

/*
 * Stack config is as strict as the catalog (issue 12, part 1): unknown tierplan keys, invalid
 * values (what is wrong and what is expected), CIDRs, the AWS region, each with the stack
 * file's line and column. Expectations are written out here, not computed by the code under test.
 */

const REPO = resolve(__dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "tierplan-stack-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stack file like factory-a's, of this test's own (the repository's may change); edits below find their lines in it. */
const FACTORY = [
  "# The seed's smart factory: cloud in us-west-2, the plant's own k3s cluster as the edge, one arm.",
  "config:",
  "  aws:region: us-west-2",
  "  tierplan:catalog:",
  "    - catalogs/sites/factory-a.yaml",
  "    - catalogs/vla-tasks.yaml",
  "  tierplan:network:",
  "    edgeCidrs: [10.40.0.0/24]",
  "    robotCidrs: [10.40.8.0/24]",
  "  tierplan:edge:",
  "    mode: existing            # the site's k3s; kubeconfig below",
  "    gpuTflops: 50             # two 50-TFLOPS GPUs make the edge tier's 100",
  "  tierplan:kubeconfig:",
  "    secure: v1:PLACEHOLDER-set-with-pulumi-config-set--secret",
  "",
].join("\n");
const lineOf = (text: string, needle: string): number => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

let count = 0;
function issuesOf(text: string): CatalogIssue[] {
  const file = join(dir, `Pulumi.case-${count++}.yaml`);
  writeFileSync(file, text);
  try {
    readStackFile(file, awsRegions(), "stacks/Pulumi.x.yaml");
  } catch (error) {
    if (error instanceof CatalogError) return error.issues;
    throw error;
  }
  throw new Error("expected a CatalogError, but the stack file was accepted");
}

function edited(find: string | RegExp, replace: string): string {
  const text = FACTORY.replace(find, replace);
  if (text === FACTORY) throw new Error(`the edit ${String(find)} changed nothing`);
  return text;
}

function oneIssue(text: string): CatalogIssue & { where: string } {
  const issues = issuesOf(text);
  expect(issues.map(formatIssue)).toHaveLength(1);
  return { ...issues[0], where: `${formatPath(issues[0].path)}@${issues[0].line}:${issues[0].column}` };
}

describe("the example stacks", () => {
  it("read and validate, with the region", () => {
    for (const stack of ["factory-a", "warehouse-east", "lab"]) {
      const read = readStackFile(join(REPO, "stacks", `Pulumi.${stack}.yaml`), awsRegions());
      expect(read.settings.region).toMatch(/^us-(east|west)-\d$/);
      expect(read.settings.site.network.edgeCidrs.length).toBeGreaterThan(0);
    }
    const factory = readStackFile(join(REPO, "stacks", "Pulumi.factory-a.yaml"), awsRegions());
    expect(factory.config["tierplan:kubeconfig"]).toBe(SECRET_PLACEHOLDER);
    expect(factory.secretKeys).toEqual(["tierplan:kubeconfig"]);
  });
});

describe("unknown tierplan keys are errors, with did-you-mean", () => {
  it("tierplan:algoritm", () => {
    const issue = oneIssue(edited("  tierplan:network:", "  tierplan:algoritm: seed-greedy\n  tierplan:network:"));
    expect(issue.where).toBe(`tierplan:algoritm@${lineOf(FACTORY, "tierplan:network:")}:3`);
    expect(issue.message).toBe("unknown key 'tierplan:algoritm': did you mean 'tierplan:algorithm'?");
  });

  it("tierplan:maxNodes lists the keys there are", () => {
    const issue = oneIssue(edited("  tierplan:network:", "  tierplan:maxNodes: 5\n  tierplan:network:"));
    expect(issue.message).toMatch(
      /^unknown key 'tierplan:maxNodes': tierplan's keys are tierplan:catalog, tierplan:algorithm, .*tierplan:robots \(docs\/pulumi\.md\)$/,
    );
  });

  it("a misspelt nested key, at the key", () => {
    const issue = oneIssue(edited("    mode: existing", "    mdoe: existing"));
    expect(issue.where).toBe(`tierplan:edge.mdoe@${lineOf(FACTORY, "mode: existing")}:5`);
    expect(issue.message).toBe("unknown key 'mdoe': did you mean 'mode'?");
  });

  it("other namespaces belong to their providers", () => {
    expect(() =>
      readStackFileText(
        edited("  aws:region: us-west-2", "  aws:region: us-west-2\n  aws:profile: ci\n  kubernetes:context: lab"),
      ),
    ).not.toThrow();
  });
});

function readStackFileText(text: string) {
  const file = join(dir, `Pulumi.ok-${count++}.yaml`);
  writeFileSync(file, text);
  return readStackFile(file, awsRegions());
}

describe("invalid values say what is wrong and what is expected, at the value", () => {
  // [name, find, replace, path, message, text on the line of the issue]
  const cases: Array<[string, string | RegExp, string, string, string, string]> = [
    [
      "algorithm",
      "  tierplan:network:",
      "  tierplan:algorithm: bogus\n  tierplan:network:",
      "tierplan:algorithm",
      'must be one of auto, exact, seed-greedy, got "bogus"',
      "bogus",
    ],
    ["gpuTflops", "gpuTflops: 50", "gpuTflops: -5", "tierplan:edge.gpuTflops", "must be > 0, got -5", "gpuTflops: -5"],
    [
      "robotCidrs",
      "robotCidrs: [10.40.8.0/24]",
      "robotCidrs: [banana]",
      "tierplan:network.robotCidrs[0]",
      'must be an IPv4 CIDR block such as 10.20.0.0/16, got "banana"',
      "banana",
    ],
    [
      "cpu",
      "    mode: existing",
      "    mode: existing\n    cpu: lots",
      "tierplan:edge.cpu",
      'must be a Kubernetes quantity such as 500m, 2 or 4Gi, got "lots"',
      "cpu: lots",
    ],
    [
      "namespace",
      "    mode: existing",
      "    mode: existing\n    namespace: Bad_NS",
      "tierplan:edge.namespace",
      `must be a DNS label: lowercase letters, digits and '-', 1-63 characters, got "Bad_NS"`,
      "Bad_NS",
    ],
    [
      "ami",
      "  tierplan:network:",
      "  tierplan:cloud:\n    ami: ami-xyz\n  tierplan:network:",
      "tierplan:cloud.ami",
      'must be an AMI id such as ami-0abc1234, got "ami-xyz"',
      "ami-xyz",
    ],
    [
      "robots.ssm",
      "  tierplan:network:",
      '  tierplan:robots:\n    ssm: "yes"\n  tierplan:network:',
      "tierplan:robots.ssm",
      'must be true or false, got "yes"',
      "ssm:",
    ],
    [
      "mode",
      "mode: existing",
      "mode: cluster",
      "tierplan:edge.mode",
      'must be one of existing, eks, got "cluster"',
      "mode: cluster",
    ],
    [
      "catalog",
      / {2}tierplan:catalog:\n( {4}.*\n)+/,
      "  tierplan:catalog: 42\n",
      "tierplan:catalog",
      "must be a catalog file path, or a list of them, got 42",
      "catalog: 42",
    ],
    [
      "edgeCidrs",
      "edgeCidrs: [10.40.0.0/24]",
      "edgeCidrs: [999.999.999.999/33]",
      "tierplan:network.edgeCidrs[0]",
      'is not an IPv4 CIDR block (octets 999, 999, 999, 999 over 255, prefix /33 over 32): write it like 10.20.0.0/16, got "999.999.999.999/33"',
      "999.999",
    ],
  ];
  for (const [name, find, replace, path, message, onLine] of cases) {
    it(name, () => {
      const text = edited(find, replace);
      const issue = oneIssue(text);
      expect(formatPath(issue.path)).toBe(path);
      expect(issue.message).toBe(message);
      expect(issue.line, formatIssue(issue)).toBe(lineOf(text, onLine));
      expect(issue.column).toBeGreaterThan(1);
    });
  }

  it("the line and column are those of the value", () => {
    const text = edited("gpuTflops: 50", "gpuTflops: -5");
    const issue = oneIssue(text);
    expect(formatIssue(issue)).toBe(
      `stacks/Pulumi.x.yaml:${lineOf(text, "gpuTflops: -5")}:16: tierplan:edge.gpuTflops: must be > 0, got -5`,
    );
  });

  it("a missing key is required, at its mapping", () => {
    const text = edited(/ {2}tierplan:network:\n( {4}.*\n)+/, "");
    const issue = oneIssue(text);
    expect(issue.where).toBe(`tierplan:network@${lineOf(text, "config:")}:1`);
    expect(issue.message).toBe("is required (a mapping): set it in the stack file (docs/pulumi.md)");
    const noMode = edited("    mode: existing            # the site's k3s; kubeconfig below\n", "");
    const mode = oneIssue(noMode);
    expect(formatPath(mode.path)).toBe("tierplan:edge.mode");
    expect(mode.message).toBe("is required (one of existing, eks)");
    expect(mode.line).toBe(lineOf(noMode, "gpuTflops: 50"));
  });

  it("every problem at once", () => {
    const text = edited("gpuTflops: 50", "gpuTflops: -5")
      .replace("robotCidrs: [10.40.8.0/24]", "robotCidrs: [10.40.8.0/24, 10.40.9.1/24]")
      .replace("aws:region: us-west-2", "aws:region: us-west2");
    // In the order of the file.
    expect(issuesOf(text).map((i) => `${formatPath(i.path)}: ${i.message}`)).toEqual([
      "aws:region: 'us-west2' is not an AWS region: did you mean 'us-west-2'?",
      'tierplan:network.robotCidrs[1]: has host bits set after the /24 prefix: the network is 10.40.9.0/24, got "10.40.9.1/24"',
      "tierplan:edge.gpuTflops: must be > 0, got -5",
    ]);
  });
});

describe("CIDR blocks", () => {
  it("accepts network addresses with prefixes up to 32", () => {
    for (const ok of [
      "0.0.0.0/0",
      "10.0.0.0/8",
      "192.168.10.0/24",
      "10.40.8.7/32",
      "255.255.255.255/32",
      "172.16.0.0/12",
    ])
      expect(cidrProblem(ok), ok).toBeUndefined();
  });
  it("refuses the rest, saying why", () => {
    expect(cidrProblem("10.0.0.256/24")).toBe(
      "is not an IPv4 CIDR block (octet 256 over 255): write it like 10.20.0.0/16",
    );
    expect(cidrProblem("10.0.0.0/33")).toBe(
      "is not an IPv4 CIDR block (prefix /33 over 32): write it like 10.20.0.0/16",
    );
    expect(cidrProblem("010.0.0.0/8")).toBe(
      "is not an IPv4 CIDR block (an octet with a leading zero): write it like 10.20.0.0/16",
    );
    expect(cidrProblem("10.1.2.3/8")).toBe("has host bits set after the /8 prefix: the network is 10.0.0.0/8");
    for (const bad of ["10.0.0.0", "10.0.0/8", "fe80::/10", " 10.0.0.0/8", "10.0.0.0/8 "]) {
      expect(cidrProblem(bad), bad).toBe("must be an IPv4 CIDR block such as 10.20.0.0/16");
    }
  });
});

describe("aws:region", () => {
  it("is checked against the regions @pulumi/aws exports", () => {
    expect(awsRegions()).toEqual(expect.arrayContaining(["us-east-1", "us-west-2", "eu-central-1", "ap-northeast-1"]));
    const issue = oneIssue(edited("aws:region: us-west-2", "aws:region: mars-north-9"));
    expect(issue.where).toBe(`aws:region@${lineOf(FACTORY, "aws:region")}:15`);
    expect(issue.message).toBe(
      "'mars-north-9' is not an AWS region @pulumi/aws knows (e.g. us-east-1, us-west-2, eu-central-1, ap-northeast-1)",
    );
  });

  it("is required once the catalog has a cloud tier, and only then", () => {
    const text = edited("  aws:region: us-west-2\n", "");
    const read = readStackFileText(text);
    expect(read.settings.region).toBeUndefined();
    const cloud = {
      tiers: [
        { name: "cloud", kind: "cloud" },
        { name: "edge", kind: "edge" },
      ],
    };
    let caught: unknown;
    try {
      checkStackCatalog(read.settings, cloud, "stacks/Pulumi.x.yaml", read.locate);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CatalogError);
    expect((caught as CatalogError).issues).toEqual([
      {
        file: "stacks/Pulumi.x.yaml",
        path: ["aws:region"],
        message:
          "is required: the catalog has cloud tier 'cloud', whose instances need a region: pulumi config set aws:region us-west-2",
        line: 2,
        column: 1,
      },
    ]);
    expect(() =>
      checkStackCatalog(read.settings, { tiers: [{ name: "edge", kind: "edge" }] }, "stacks/Pulumi.x.yaml"),
    ).not.toThrow();
  });
});

describe("the Pulumi program's path: config as Pulumi hands it", () => {
  it("JSON values are parsed, plain strings and secrets kept", () => {
    const entries = fromPulumiConfig({
      "tierplan:catalog": '["catalogs/sites/factory-a.yaml"]',
      "tierplan:algorithm": "exact",
      "tierplan:network": '{"edgeCidrs":["10.0.0.0/24"],"robotCidrs":["10.1.0.0/24"]}',
      "tierplan:edge": '{"mode":"existing"}',
      "tierplan:kubeconfig": '{"apiVersion":"v1"}',
      "aws:region": "us-west-2",
    });
    const settings = parseStackConfig(entries, "stacks/Pulumi.x.yaml", awsRegions());
    expect(settings.region).toBe("us-west-2");
    expect(settings.site.catalog).toEqual(["catalogs/sites/factory-a.yaml"]);
    expect(settings.site.kubeconfig).toBe('{"apiVersion":"v1"}');
  });

  it("unknown keys are caught there too, located by the stack file when it can be read", () => {
    const file = join(dir, "Pulumi.located.yaml");
    const text = edited("  tierplan:network:", "  tierplan:algoritm: exact\n  tierplan:network:");
    writeFileSync(file, text);
    const entries = { ...readStackFileText(FACTORY).config, "tierplan:algoritm": "exact" };
    let caught: unknown;
    try {
      parseStackConfig(entries, "stacks/Pulumi.x.yaml", awsRegions(), locateInStackFile(file));
    } catch (error) {
      caught = error;
    }
    expect((caught as CatalogError).issues.map(formatIssue)).toEqual([
      `stacks/Pulumi.x.yaml:${lineOf(text, "tierplan:algoritm")}:3: tierplan:algoritm: unknown key 'tierplan:algoritm': did you mean 'tierplan:algorithm'?`,
    ]);
    expect(locateInStackFile(join(dir, "missing.yaml"))).toBeUndefined();
  });
});

describe("hostile stack files", () => {
  it("billion laughs, merge keys, several documents, binary: exit-2 issues naming the file", () => {
    const laughs = ["config:", '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [n, p] of [
      ["b", "a"],
      ["c", "b"],
      ["d", "c"],
      ["e", "d"],
      ["f", "e"],
      ["g", "f"],
    ])
      laughs.push(`  ${n}: &${n} [${Array(9).fill(`*${p}`).join(",")}]`);
    expect(issuesOf(`${laughs.join("\n")}\n`).map((i) => i.message)).toEqual([expect.stringMatching(/billion laughs/)]);
    expect(
      oneIssue(`base: &b { mode: existing }\n${FACTORY.replace("    mode: existing", "    <<: *b")}`).message,
    ).toMatch(/^YAML merge keys/);
    expect(oneIssue(`${FACTORY}---\nconfig: {}\n`).message).toMatch(/multiple documents/);
    const binary = issuesOf("\u0000\u0001config");
    expect(binary).toEqual([
      { file: "stacks/Pulumi.x.yaml", path: [], message: "this is a binary file, not YAML: give a Pulumi stack file" },
    ]);
  });
});
