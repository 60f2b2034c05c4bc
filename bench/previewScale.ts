import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fleetSite } from "./instances";

/**
 * Issue 12.3: an offline preview's time and memory against the resources it declares, on fleets
 * of growing size (the legacy fleet generator: ten per-robot tasks a robot, 100 site tasks,
 * 8 shared tiers). Each preview runs in a process of its own under /usr/bin/time: CPU is user +
 * system, memory the peak resident set.
 */
export interface PreviewScaleRow {
  robots: number;
  tasks: number;
  resources: number;
  cpuS: number;
  wallS: number;
  /** Peak resident set of the process. */
  peakMb: number;
  /** JavaScript heap still in use after a full collection once the preview is done. */
  retainedMb: number;
}

/** Robots per fleet measured: each twice the one before, so that linear growth shows as doubling. */
export const PREVIEW_FLEETS = [250, 500, 1000, 2000];

/** A stack as a user of the mock engine writes one: a cloud region, the edge as an existing cluster. */
function stackFile(catalog: string): string {
  return [
    "config:",
    "  aws:region: us-west-2",
    "  tierplan:catalog:",
    `    - ${catalog}`,
    "  tierplan:network:",
    "    edgeCidrs: [10.80.0.0/16]",
    "    robotCidrs: [10.81.0.0/16]",
    "  tierplan:edge:",
    "    mode: existing",
    "  tierplan:kubeconfig:",
    "    secure: v1:PLACEHOLDER",
    "",
  ].join("\n");
}

export function previewScale(robots: number): PreviewScaleRow {
  const root = mkdtempSync(join(tmpdir(), "tierplan-preview-scale-"));
  try {
    const stack = `fleet-${robots}`;
    mkdirSync(join(root, "stacks"));
    copyFileSync(join(__dirname, "..", "Pulumi.yaml"), join(root, "Pulumi.yaml"));
    const site = fleetSite(stack, robots, 100, 8, 13);
    // The planner needs no images; a preview declares containers, so every task names one.
    const tasks = site.input.tasks.map((t) => ({ ...t, image: `ghcr.io/example/${t.name}:1.0` }));
    writeFileSync(join(root, "fleet.json"), JSON.stringify({ ...site.input, tasks }));
    writeFileSync(join(root, "stacks", `Pulumi.${stack}.yaml`), stackFile("fleet.json"));
    const run = spawnSync(
      "/usr/bin/time",
      [
        "-f",
        "BENCH-TIME %e %U %S %M",
        process.execPath,
        "--expose-gc",
        "--import",
        "tsx",
        join(__dirname, "previewChild.ts"),
        root,
        stack,
      ],
      { encoding: "utf8", maxBuffer: 1 << 26, cwd: join(__dirname, "..") },
    );
    const m = /BENCH-TIME (\S+) (\S+) (\S+) (\S+)/.exec(run.stderr ?? "");
    if (run.status !== 0 || !m)
      throw new Error(`preview of ${robots} robots failed (status ${run.status}): ${(run.stderr ?? "").slice(-500)}`);
    const declared = JSON.parse(run.stdout) as { resources: number; tasks: number; retainedMb: number };
    return {
      robots,
      ...declared,
      wallS: Number(m[1]),
      cpuS: Number(m[2]) + Number(m[3]),
      peakMb: Number(m[4]) / 1024,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (require.main === module) {
  for (const robots of process.argv.slice(2).map(Number))
    process.stdout.write(`${JSON.stringify(previewScale(robots))}\n`);
}
