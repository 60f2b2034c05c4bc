import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { CatalogError } from "../catalog/errors";
import { readStackFile } from "../catalog/stackConfig";
import { evaluateStack, type PolicySettings, type PolicyViolation } from "../../policies/rules";
import type { Plan } from "../plan";
// The program declares resources only when deploySite runs, after setMocks: importing it is safe.
import { deploySite } from "../program";
import { awsRegions } from "../provision/awsRegions";
import { recordingMocks, type DeclaredResource } from "./mocks";
import { sortResources } from "./groups";

/** docs/contract.md §4: what `tierplan preview --json` prints. */
export interface PreviewResult {
  stack: string;
  plan: Plan;
  planHash: string;
  resources: DeclaredResource[];
  policies: { violations: PolicyViolation[] };
  /** docs/contract.md §6: the stack's lock the plan was made against (`stacks/<site>.lock.json`), null without one. */
  lock: { file: string; site: string; placements: Array<{ task: string; tier: string; machine?: string }> } | null;
  /** Warnings the program logged (the real CLI shows them as diagnostics). */
  warnings: string[];
  outputs: Record<string, unknown>;
}

export interface PreviewOptions {
  /** Repository root holding Pulumi.yaml and stacks/; default: the directory above src/. */
  root?: string;
  /** Policy levels and config, as `pulumi preview --policy-pack-config` takes them. */
  policySettings?: PolicySettings;
}

/**
 * Runs the real Pulumi program for one stack on Pulumi's mock engine: no CLI, no plugins, no
 * credentials. Secrets in the stack file become placeholders and never reach the result. One
 * preview per process: the mock engine is global state.
 */
export async function runPreview(stack: string, options: PreviewOptions = {}): Promise<PreviewResult> {
  const root = options.root ?? join(__dirname, "..", "..");
  if (!/^[A-Za-z0-9_.-]+$/.test(stack) || stack.startsWith(".")) {
    throw new CatalogError([
      {
        file: "(command line)",
        path: ["--stack"],
        message: `'${stack}' is not a stack name: use letters, digits, '-', '_' or '.'`,
      },
    ]);
  }
  const project = projectName(root);
  const stackFile = readStackFile(
    join(root, "stacks", `Pulumi.${stack}.yaml`),
    awsRegions(),
    join("stacks", `Pulumi.${stack}.yaml`),
  );
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(stackFile.config)) {
    config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  pulumi.runtime.setAllConfig(config, stackFile.secretKeys);
  const { mocks, resources } = recordingMocks();
  await pulumi.runtime.setMocks(mocks, project, stack, true);

  const warnings: string[] = [];
  // The SDK prints engine-less log calls with console.log; keep stdout for the result.
  const restore = divertConsole(warnings);
  // The SDK formats a stack trace for every promise it makes (runtime/debuggable.js, for its leak
  // report); with the source maps tsx turns on, each frame costs a source-map lookup: 14 % of a
  // 250-robot preview's CPU. This process shows no stack traces, so the lookups buy nothing.
  const sourceMaps = process.sourceMapsEnabled;
  process.setSourceMapsEnabled(false);
  try {
    const deployment = await deploySite({
      root,
      log: { info: () => undefined, warn: (message: string) => warnings.push(message) },
    });
    const outputs = await resolveOutputs(deployment.outputs);
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    const declared = sortResources(resources);
    const violations = evaluateStack(
      declared.map((r) => ({ type: r.type, name: r.name, props: r.inputs })),
      options.policySettings,
    );
    const lock = deployment.lock
      ? { file: deployment.lock.file, site: deployment.lock.site, placements: deployment.lock.placements }
      : null;
    return {
      stack,
      plan: deployment.plan,
      planHash: deployment.planHash,
      lock,
      resources: declared,
      policies: { violations },
      warnings,
      outputs,
    };
  } finally {
    process.setSourceMapsEnabled(sourceMaps);
    restore();
  }
}

function projectName(root: string): string {
  const file = join(root, "Pulumi.yaml");
  try {
    const project = parse(readFileSync(file, "utf8")) as { name?: unknown };
    if (typeof project?.name === "string") return project.name;
  } catch {
    // reported below
  }
  throw new CatalogError([
    { file, path: ["name"], message: "cannot read the project name: run tierplan from the repository root" },
  ]);
}

async function resolveOutputs(outputs: Record<string, unknown>): Promise<Record<string, unknown>> {
  return new Promise((resolve) => pulumi.output(outputs).apply((value) => resolve(value as Record<string, unknown>)));
}

function divertConsole(sink: string[]): () => void {
  const original = { log: console.log, info: console.info, warn: console.warn };
  const keep = (...args: unknown[]) => {
    const text = args.map(String).join(" ");
    if (/^warning:/.test(text)) sink.push(text.replace(/^warning:\s*(\[runtime\]\s*)?/, ""));
  };
  console.log = keep;
  console.info = keep;
  console.warn = keep;
  return () => Object.assign(console, original);
}
