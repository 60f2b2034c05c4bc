import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(__dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "tierplan-check-"));
const tierplan = (...args: string[]) => {
  const run = spawnSync(process.execPath, [join(ROOT, "bin", "tierplan.js"), ...args], { cwd: ROOT, encoding: "utf8" });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
};

describe("tierplan preview and check, end to end", () => {
  const preview = tierplan("preview", "--stack", "lab", "--json");
  const saved = join(dir, "lab.json");
  writeFileSync(saved, preview.stdout);

  it("preview --json prints docs/contract.md §4's object and exits 0 for a clean stack", () => {
    expect(preview.status).toBe(0);
    const json = JSON.parse(preview.stdout);
    expect(Object.keys(json)).toEqual(expect.arrayContaining(["stack", "plan", "resources", "policies"]));
    expect(json.resources.some((r: { type: string }) => r.type === "kubernetes:apps/v1:Deployment")).toBe(true);
    expect(json.policies.violations.map((v: { policy: string; level: string }) => `${v.level} ${v.policy}`)).toEqual([
      "advisory tierplan-unplaced-tasks",
    ]);
  });

  it("check recomputes the verdicts: exit 0, and 1 once a policy config makes the advisory mandatory", () => {
    expect(tierplan("check", saved).status).toBe(0);
    const strict = join(dir, "strict.json");
    writeFileSync(strict, JSON.stringify({ "tierplan-unplaced-tasks": "mandatory" }));
    const run = tierplan("check", saved, "--policy-config", strict);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("tierplan-unplaced-tasks");
  });

  it("check judges the resources, not the verdicts saved in the file", () => {
    const json = JSON.parse(readFileSync(saved, "utf8"));
    const instance = json.resources.find((r: { type: string }) => r.type === "aws:ec2/instance:Instance");
    instance.inputs.instanceType = "g6.xlarge";
    const edited = join(dir, "edited.json");
    writeFileSync(edited, JSON.stringify(json));
    const run = tierplan("check", edited, "--markdown");
    expect(run.status).toBe(1);
    // Violations come first and loud in the comment.
    expect(run.stdout.indexOf("[!CAUTION]")).toBeGreaterThan(0);
    expect(run.stdout.indexOf("[!CAUTION]")).toBeLessThan(run.stdout.indexOf("### Placements"));
    expect(run.stdout).toMatch(
      /❌ mandatory \| `tierplan-instance-fits-task` \| task 'model-training' needs 500 TFLOPS; g6.xlarge gives 121/,
    );
    expect(run.stdout).toContain("```mermaid");
  });

  it("check --out writes the markdown to a file and nothing to stdout", () => {
    const out = join(dir, "comment.md");
    const run = tierplan("check", saved, "--markdown", "--out", out);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe("");
    expect(readFileSync(out, "utf8")).toMatch(/^## tierplan · stack `lab`/);
  });

  it("a file that is not a saved preview exits 2 with the file and the path, nothing on stdout", () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ stack: "lab", plan: {}, resources: [] }));
    const run = tierplan("check", bad);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(bad);
    expect(run.stderr).toMatch(/plan\.site/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("preview of an unknown stack exits 2 and lists the stacks", () => {
    const run = tierplan("preview", "--stack", "factory-b");
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("stacks/Pulumi.factory-b.yaml");
    expect(run.stderr).toContain("factory-a, lab, sandbox, warehouse-east");
  });
});
