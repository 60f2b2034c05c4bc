/**
 * The real thing, end to end: `npm run e2e -- --stack <site>`.
 *
 * Against a local Kubernetes control plane that kwokctl starts from real binaries (kube-apiserver,
 * kube-controller-manager, kube-scheduler, etcd; kwok simulates the nodes and their pods), with a
 * local file backend and the real Pulumi CLI, language host and Kubernetes provider:
 *
 *   1. tools         e2e/tools.sh puts the tools on PATH (built once into a cache outside the repo)
 *   2. cluster       a cluster whose nodes are the stack's edge machines (contract §5)
 *   3. preview       `pulumi preview --policy-pack policies`: the verdicts the offline preview gives
 *   4. up            `pulumi up`: every Deployment Available, every pod on the node the plan names,
 *                    the robot ConfigMaps and the plan record readable through the API
 *   5. up-again      a second `pulumi up` changes nothing
 *   6. re-plan       a catalog edit (in the harness's copy) re-plans and updates the cluster
 *   7. pinned-slo    a pin that breaks a latency SLO: the real policy pack rejects it
 *   8. destroy       `pulumi destroy` leaves the namespace empty
 *
 * The repository is never written: the harness runs Pulumi in a copy of the project under
 * e2e/.out/<stack>/ (the stack file gets its kubeconfig secret there). Closing line:
 * `e2e: N passed, N failed`; every step with its time in e2e/.out/<stack>/summary.json.
 */
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { loadCatalog } from "../src/catalog/load";

const ROOT = resolve(__dirname, "..");

// ---------------------------------------------------------------------------------------------------
// arguments

function usage(message?: string): never {
  if (message) console.error(`e2e: ${message}`);
  console.error(
    "usage: npm run e2e -- --stack <site> [--keep] [--out <dir>]\n  --keep  leave the cluster running afterwards (kwokctl delete cluster --name <printed name> stops it)",
  );
  process.exit(2);
}
const argv = process.argv.slice(2);
let stack = "";
let keep = false;
let outArg = "";
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === "--stack") stack = argv[++i] ?? usage("--stack needs a site name");
  else if (a.startsWith("--stack=")) stack = a.slice("--stack=".length);
  else if (a === "--keep") keep = true;
  else if (a === "--out") outArg = argv[++i] ?? usage("--out needs a directory");
  else if (a === "--help" || a === "-h") usage();
  else usage(`unknown argument '${a}'`);
}
if (!stack) usage("which stack? --stack <site>");
const stackFile = join(ROOT, "stacks", `Pulumi.${stack}.yaml`);
if (!existsSync(stackFile)) {
  const known = require("node:fs")
    .readdirSync(join(ROOT, "stacks"))
    .filter((f: string) => /^Pulumi\..+\.yaml$/.test(f))
    .map((f: string) => f.replace(/^Pulumi\.|\.yaml$/g, ""));
  usage(`stacks/Pulumi.${stack}.yaml does not exist: use one of ${known.join(", ")}`);
}

const OUT = resolve(outArg || join(ROOT, "e2e", ".out", stack));
const PROJECT = join(OUT, "project");
const KUBECONFIG = join(OUT, "kubeconfig.yaml");
const CLUSTER = `tierplan-e2e-${stack}`.slice(0, 40);

// ---------------------------------------------------------------------------------------------------
// steps and their summary

interface StepResult {
  name: string;
  ok: boolean;
  seconds: number;
  detail: string[];
  error?: string;
}
const steps: StepResult[] = [];
const startedAt = Date.now();
const facts: Record<string, unknown> = { stack, out: OUT };

class StepFailure extends Error {}
function fail(message: string): never {
  throw new StepFailure(message);
}

async function step(name: string, fn: (note: (line: string) => void) => Promise<void> | void): Promise<boolean> {
  const t0 = Date.now();
  const detail: string[] = [];
  const note = (line: string) => {
    detail.push(line);
    console.log(`  ${line}`);
  };
  console.log(`\n== ${name}`);
  try {
    await fn(note);
    const seconds = (Date.now() - t0) / 1000;
    steps.push({ name, ok: true, seconds, detail });
    console.log(`ok   ${name} (${seconds.toFixed(1)}s)`);
    return true;
  } catch (error) {
    const seconds = (Date.now() - t0) / 1000;
    const message =
      error instanceof StepFailure
        ? error.message
        : error instanceof Error
          ? (error.stack ?? error.message)
          : String(error);
    steps.push({ name, ok: false, seconds, detail, error: message });
    console.log(`FAIL ${name} (${seconds.toFixed(1)}s)\n${message.replace(/^/gm, "     ")}`);
    return false;
  }
}

function writeSummary(): void {
  const passed = steps.filter((s) => s.ok).length;
  const failed = steps.length - passed;
  mkdirSync(OUT, { recursive: true });
  const summary = { stack, passed, failed, seconds: (Date.now() - startedAt) / 1000, facts, steps };
  writeFileSync(join(OUT, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`\nsummary: ${join(OUT, "summary.json")}`);
  console.log(`e2e: ${passed} passed, ${failed} failed`);
}

// ---------------------------------------------------------------------------------------------------
// processes

const env: NodeJS.ProcessEnv = { ...process.env };

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end, its output kept and (with echo) streamed to a log file and the console. */
function run(
  cmd: string,
  args: string[],
  opts: {
    cwd?: string;
    input?: string;
    log?: string;
    echo?: boolean;
    timeoutMs?: number;
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<RunResult> {
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? PROJECT, env: opts.env ?? env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const logFile = opts.log ? join(OUT, "logs", opts.log) : undefined;
    if (logFile) {
      mkdirSync(dirname(logFile), { recursive: true });
      writeFileSync(logFile, `$ ${cmd} ${args.join(" ")}\n`);
    }
    const sink = (chunk: Buffer, which: "out" | "err") => {
      const text = chunk.toString();
      if (which === "out") stdout += text;
      else stderr += text;
      if (logFile) require("node:fs").appendFileSync(logFile, text);
      if (opts.echo) process.stdout.write(text.replace(/^/gm, "    | "));
    };
    child.stdout.on("data", (c: Buffer) => sink(c, "out"));
    child.stderr.on("data", (c: Buffer) => sink(c, "err"));
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          stderr += `\n[e2e] ${cmd} timed out after ${opts.timeoutMs! / 1000}s\n`;
          child.kill("SIGTERM");
        }, opts.timeoutMs)
      : undefined;
    child.on("error", (e) => {
      stderr += String(e);
    });
    child.on("close", (code) => {
      if (timer) clearTimeout(timer);
      if (opts.echo && !(stdout + stderr).endsWith("\n")) process.stdout.write("\n");
      resolvePromise({ code: code ?? 1, stdout, stderr });
    });
    child.stdin.end(opts.input ?? "");
  });
}

function tail(text: string, lines = 40): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/** What a failed pulumi command said: its error and warning lines, then its last lines. */
function pulumiErrors(text: string): string {
  const lines = text.split("\n").map((l) => l.trimEnd());
  const errors = [
    ...new Set(
      lines.filter((l) => /\berror\b|\[mandatory\]|failed/i.test(l) && !/using pulumi-/.test(l)).map((l) => l.trim()),
    ),
  ].slice(0, 20);
  return [...errors, "...", tail(text, 12)].join("\n");
}

/** Why the site's pods are not running, from the API server: the scheduler's reasons. */
async function podDiagnosis(): Promise<string> {
  const pods = (await apiGet<any>(`/api/v1/namespaces/${namespaceOf()}/pods`).catch(() => undefined))?.items ?? [];
  const notReady = pods.filter(
    (p: any) => !(p.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True"),
  );
  if (notReady.length === 0) return "";
  return (
    "\npods not Ready:\n" +
    notReady
      .map((p: any) => {
        const sched = (p.status?.conditions ?? []).find((c: any) => c.type === "PodScheduled" && c.status !== "True");
        return `  ${p.metadata.name}: ${p.status?.phase}${sched ? ` (${sched.reason}: ${sched.message})` : ""}`;
      })
      .join("\n")
  );
}

async function pulumi(
  args: string[],
  log: string,
  opts: { input?: string; timeoutMs?: number; echo?: boolean } = {},
): Promise<RunResult> {
  return run("pulumi", [...args, "--non-interactive"], {
    log,
    input: opts.input,
    timeoutMs: opts.timeoutMs ?? 10 * 60_000,
    echo: opts.echo ?? true,
  });
}

// The API server, reached with plain HTTPS and the kubeconfig's client certificate.
let apiAuth: { server: URL; ca: Buffer; cert: Buffer; key: Buffer } | undefined;

/** Makes the kubeconfig self-contained (certificates inline), so Pulumi's copy needs no files. */
function inlineKubeconfig(): void {
  const doc = parseYaml(readFileSync(KUBECONFIG, "utf8")) as any;
  const b64 = (file: string) => readFileSync(file).toString("base64");
  for (const c of doc.clusters ?? []) {
    if (c.cluster["certificate-authority"]) {
      c.cluster["certificate-authority-data"] = b64(c.cluster["certificate-authority"]);
      delete c.cluster["certificate-authority"];
    }
  }
  for (const u of doc.users ?? []) {
    for (const k of ["client-certificate", "client-key"]) {
      if (u.user[k]) {
        u.user[`${k}-data`] = b64(u.user[k]);
        delete u.user[k];
      }
    }
  }
  writeFileSync(KUBECONFIG, stringifyYaml(doc));
  const ctx = doc.contexts.find((c: any) => c.name === doc["current-context"]) ?? doc.contexts[0];
  const cluster = doc.clusters.find((c: any) => c.name === ctx.context.cluster).cluster;
  const user = doc.users.find((u: any) => u.name === ctx.context.user).user;
  const buf = (v: string) => Buffer.from(v, "base64");
  apiAuth = {
    server: new URL(cluster.server),
    ca: buf(cluster["certificate-authority-data"]),
    cert: buf(user["client-certificate-data"]),
    key: buf(user["client-key-data"]),
  };
}

function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any; text: string }> {
  if (!apiAuth) fail("no cluster");
  const auth = apiAuth;
  return new Promise((res, rej) => {
    const req = httpsRequest(
      {
        host: auth.server.hostname,
        port: auth.server.port,
        path,
        method,
        ca: auth.ca,
        cert: auth.cert,
        key: auth.key,
        headers: { "content-type": "application/json", accept: "application/json" },
      },
      (resp) => {
        let text = "";
        resp.on("data", (c: Buffer) => (text += c.toString()));
        resp.on("end", () => {
          let json: any;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          res({ status: resp.statusCode ?? 0, json, text });
        });
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on("error", rej);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** GET through the API server: the object, or undefined on 404. */
async function apiGet<T = any>(path: string): Promise<T | undefined> {
  const r = await api("GET", path);
  if (r.status === 404) return undefined;
  if (r.status !== 200) fail(`GET ${path}: ${r.status} ${r.text.slice(0, 500)}`);
  return r.json as T;
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      fail(
        `timed out after ${timeoutMs / 1000}s waiting for ${what}${last ? `: ${last instanceof Error ? last.message : String(last)}` : ""}`,
      );
    await sleep(1000);
  }
}

// ---------------------------------------------------------------------------------------------------
// the project copy, the stack's catalog and the plan

function copyProject(): void {
  rmSync(PROJECT, { recursive: true, force: true });
  mkdirSync(join(PROJECT, "stacks"), { recursive: true });
  for (const f of ["Pulumi.yaml", "package.json", "tsconfig.json"]) cpSync(join(ROOT, f), join(PROJECT, f));
  // policies/rules: the offline preview's verdicts come from the same rule functions as the pack.
  for (const d of ["src", "catalogs", "bin", "docs", "policies/rules"])
    if (existsSync(join(ROOT, d))) cpSync(join(ROOT, d), join(PROJECT, d), { recursive: true });
  cpSync(stackFile, join(PROJECT, "stacks", `Pulumi.${stack}.yaml`));
  // The stack's lock (contract §6), which pulumi and tierplan preview both plan against.
  const lock = join(ROOT, "stacks", `${stack}.lock.json`);
  if (existsSync(lock)) cpSync(lock, join(PROJECT, "stacks", `${stack}.lock.json`));
  symlinkSync(join(ROOT, "node_modules"), join(PROJECT, "node_modules"), "dir");
}

/** The catalog files of the stack (in the project copy), as its stack file lists them. */
function catalogFiles(): string[] {
  const doc = parseYaml(readFileSync(join(PROJECT, "stacks", `Pulumi.${stack}.yaml`), "utf8")) as {
    config?: Record<string, unknown>;
  };
  const cat = doc.config?.["tierplan:catalog"];
  const files = typeof cat === "string" ? [cat] : Array.isArray(cat) ? (cat as string[]) : [];
  if (files.length === 0) fail(`stacks/Pulumi.${stack}.yaml has no tierplan:catalog`);
  return files;
}

function edgeConfig(): { namespace?: string; gpuTflops?: number; gpuResource?: string } {
  const doc = parseYaml(readFileSync(join(PROJECT, "stacks", `Pulumi.${stack}.yaml`), "utf8")) as {
    config?: Record<string, any>;
  };
  return doc.config?.["tierplan:edge"] ?? {};
}

interface NodeSpec {
  name: string;
  tier: string;
  machine?: string;
  gpuUnits: number;
  storageGb: number;
}

/** The nodes the site's edge is made of: one per machine (contract §5), else one per edge tier. */
async function siteNodes(note: (line: string) => void): Promise<NodeSpec[]> {
  const input: any = loadCatalog(catalogFiles().map((f) => join(PROJECT, f)));
  let expand: ((specs: any[]) => Array<{ id: string; units: number; storage: number }>) | undefined;
  try {
    // src/model/machines.ts (contract §5) may not exist in an older checkout: then one node per tier.
    expand = require("../src/model/machines").expandMachines;
  } catch {
    expand = undefined;
  }
  const edge = edgeConfig();
  const nodes: NodeSpec[] = [];
  for (const tier of (input.tiers ?? []).filter((t: any) => t.kind === "edge")) {
    if (Array.isArray(tier.machines) && tier.machines.length > 0 && expand) {
      for (const m of expand(tier.machines))
        nodes.push({ name: m.id, tier: tier.name, machine: m.id, gpuUnits: m.units, storageGb: m.storage });
    } else {
      // Before machines: one node for the whole tier, its GPU units from the tier's compute.
      const unit = edge.gpuTflops ?? 125;
      const units = Math.ceil(tier.compute / unit - 1e-9);
      note(
        `edge tier ${tier.name} has no machines${Array.isArray(tier.machines) ? " the program can expand (src/model/machines.ts missing)" : ""}: one node '${tier.name}' with ${units} GPU unit(s) from its ${tier.compute} TFLOPS`,
      );
      nodes.push({ name: tier.name, tier: tier.name, gpuUnits: units, storageGb: tier.storage });
    }
  }
  return nodes;
}

interface PlanPlacement {
  task: string;
  tier: string;
  kind: string;
  machine?: string;
  gpuUnits?: number;
  robot?: string;
}
interface OfflinePreview {
  plan: { site: string; placements: PlanPlacement[]; unplaced: Array<{ task: string }> };
  planHash: string;
  policies: { violations: Array<{ policy: string; level: string; message: string }> };
}

/** The offline preview of the project copy (tierplan preview --json): the plan and the verdicts. */
async function offlinePreview(log: string): Promise<{ code: number; preview?: OfflinePreview; stderr: string }> {
  // The copy's own CLI: its program reads the copy's catalogs (the program's root is above its src/).
  const r = await run(process.execPath, [join(PROJECT, "bin", "tierplan.js"), "preview", "--stack", stack, "--json"], {
    log,
    timeoutMs: 5 * 60_000,
  });
  let preview: OfflinePreview | undefined;
  try {
    preview = JSON.parse(r.stdout) as OfflinePreview;
  } catch {
    preview = undefined;
  }
  return { code: r.code, preview, stderr: r.stderr };
}

/** Policy verdicts in the CLI's text output: `[mandatory]  tierplan-latency-within-slo`. */
function cliVerdicts(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(/\[(mandatory|advisory|remediate)\]\s+([a-z0-9-]+)/g)) found.add(`${m[2]} (${m[1]})`);
  return [...found].sort();
}
/**
 * The verdicts of the offline preview that the real pack reports too. A rule that escalates past a
 * configured limit (e.g. tierplan-placement-stability) is registered with the engine at its
 * escalation level and reports only its escalated findings there (policies/rules/stackPolicy.ts);
 * the offline preview also shows its findings at the default level.
 */
function offlineVerdicts(p: OfflinePreview): string[] {
  const rules: Array<{ name: string; enforcementLevel: string; escalation?: string }> =
    require("../policies/rules").RULES;
  const engineSees = (v: { policy: string; level: string }) => {
    const rule = rules.find((r) => r.name === v.policy);
    return !(rule?.escalation && v.level !== rule.escalation);
  };
  return [...new Set(p.policies.violations.filter(engineSees).map((v) => `${v.policy} (${v.level})`))].sort();
}

/** Resource changes in a preview/up summary: `+ 3 to create`, `~ 1 to update`, `3 created` ... */
function changeCounts(text: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of text.matchAll(
    /^\s*[+~\-±]*\s*(\d+)\s+(to create|to update|to delete|to replace|created|updated|deleted|replaced|unchanged)\b/gm,
  )) {
    counts[m[2].replace(/^to /, "")] = (counts[m[2].replace(/^to /, "")] ?? 0) + Number(m[1]);
  }
  return counts;
}

// ---------------------------------------------------------------------------------------------------
// checks against the API server

/** The site's namespace: the stack output once `pulumi up` ran, else what the stack file sets. */
let edgeNamespace: string | undefined;
function namespaceOf(): string {
  return edgeNamespace ?? edgeConfig().namespace ?? `tierplan-${stack}`;
}

/** Every edge placement's Deployment Available with its pod on the node the plan names. */
async function checkWorkloads(
  plan: OfflinePreview["plan"],
  nodes: NodeSpec[],
  note: (line: string) => void,
): Promise<void> {
  const ns = namespaceOf();
  const edgePlacements = plan.placements.filter((p) => p.kind === "edge");
  // `pulumi up` may return before a re-planned pod is scheduled (the provider's await can see the
  // Deployment complete before its controller acts on the new template): wait, bounded, for every
  // Deployment's rollout and every pod to settle where the plan says, and say how long it took.
  const t0 = Date.now();
  const nodeByName = new Map(nodes.map((n) => [n.name, n]));
  let lines: string[] = [];
  let problems: string[] = [];
  let deployments: any[] = [];
  const settle = async (): Promise<boolean> => {
    lines = [];
    problems = [];
    deployments = (await apiGet<any>(`/apis/apps/v1/namespaces/${ns}/deployments`))!.items;
    const byTask = new Map<string, any>();
    for (const d of deployments) byTask.set(d.metadata.annotations?.["tierplan/task"], d);
    for (const d of deployments) {
      const st = d.status ?? {};
      const done =
        (st.observedGeneration ?? 0) >= d.metadata.generation &&
        st.updatedReplicas === d.spec.replicas &&
        st.availableReplicas === d.spec.replicas &&
        (st.replicas ?? 0) === d.spec.replicas;
      const available = (st.conditions ?? []).some((c: any) => c.type === "Available" && c.status === "True");
      if (!done || !available)
        problems.push(
          `Deployment ${d.metadata.name}: rollout not complete (updated ${st.updatedReplicas ?? 0}, available ${st.availableReplicas ?? 0} of ${d.spec.replicas})`,
        );
    }
    const pods = (await apiGet<any>(`/api/v1/namespaces/${ns}/pods`))!.items.filter(
      (p: any) => !p.metadata.deletionTimestamp,
    );
    for (const p of edgePlacements) {
      const d = byTask.get(p.task);
      if (!d) {
        problems.push(`task ${p.task}: no Deployment annotated tierplan/task=${p.task}`);
        continue;
      }
      const sel = d.spec.selector.matchLabels as Record<string, string>;
      const mine = pods.filter((pod: any) => Object.entries(sel).every(([k, v]) => pod.metadata.labels?.[k] === v));
      if (mine.length === 0) problems.push(`task ${p.task}: no pod`);
      for (const pod of mine) {
        const node = nodeByName.get(pod.spec.nodeName);
        const ready = (pod.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True");
        const want = p.machine ?? `a node of tier ${p.tier}`;
        const bound = p.machine ? pod.spec.nodeName === p.machine : node?.tier === p.tier;
        const gpu = pod.spec.containers.reduce(
          (sum: number, c: any) => sum + Number(c.resources?.limits?.["nvidia.com/gpu"] ?? 0),
          0,
        );
        lines.push(
          `${p.task}: pod ${pod.metadata.name} on ${pod.spec.nodeName ?? "(unscheduled)"} (plan: ${want}${p.gpuUnits !== undefined ? `, ${p.gpuUnits} GPU unit(s)` : ""}; pod limits ${gpu}) ${pod.status?.phase}${ready ? ", Ready" : ""}`,
        );
        if (!bound)
          problems.push(
            `task ${p.task}: pod ${pod.metadata.name} is on ${pod.spec.nodeName ?? "no node"}, the plan names ${want}`,
          );
        if (!ready) problems.push(`task ${p.task}: pod ${pod.metadata.name} is not Ready (${pod.status?.phase})`);
        if (p.gpuUnits !== undefined && gpu !== p.gpuUnits)
          problems.push(`task ${p.task}: pod limits ${gpu} nvidia.com/gpu, the plan gives it ${p.gpuUnits} unit(s)`);
      }
    }
    return problems.length === 0;
  };
  while (!(await settle()) && Date.now() - t0 < 120_000) await sleep(1000);
  for (const line of lines) note(line);
  if (problems.length > 0)
    fail(`not settled 120s after pulumi up returned:\n${problems.join("\n")}${await podDiagnosis()}`);
  const waited = (Date.now() - t0) / 1000;
  note(
    `${deployments.length} Deployment(s) rolled out and every pod where the plan says ${waited < 1.5 ? "as pulumi up returned" : `${waited.toFixed(1)}s after pulumi up returned`}`,
  );
  facts.settleSeconds = [...((facts.settleSeconds as number[]) ?? []), waited];
  // Robot ConfigMaps and the plan record, through the API.
  const cms = (await apiGet<any>(`/api/v1/namespaces/${ns}/configmaps`))!.items;
  const robots = new Set(plan.placements.filter((p) => p.kind === "robot").map((p) => p.robot ?? p.tier));
  const robotMaps = cms.filter((c: any) => c.metadata.labels?.["tierplan/record"] === "robot-config");
  for (const c of robotMaps) {
    const doc = JSON.parse(c.data?.["config.json"] ?? "null");
    if (!doc) problems.push(`ConfigMap ${c.metadata.name}: no config.json`);
  }
  note(`${robotMaps.length} robot ConfigMap(s): ${robotMaps.map((c: any) => c.metadata.name).join(", ")}`);
  if (robotMaps.length < robots.size)
    problems.push(`${robotMaps.length} robot ConfigMaps for ${robots.size} robots with local tasks`);
  const record = cms.find((c: any) => c.metadata.labels?.["tierplan/record"] === "plan");
  if (!record) problems.push("no plan record ConfigMap (label tierplan/record=plan)");
  else {
    const text =
      record.data?.["plan.json"] ??
      (record.binaryData?.["plan.json.gz"]
        ? require("node:zlib").gunzipSync(Buffer.from(record.binaryData["plan.json.gz"], "base64")).toString()
        : undefined);
    const recorded = text ? JSON.parse(text) : undefined;
    const recordedTasks = new Set((recorded?.placements ?? recorded?.plan?.placements ?? []).map((p: any) => p.task));
    const missing = plan.placements.filter((p) => !recordedTasks.has(p.task)).map((p) => p.task);
    note(`plan record ${record.metadata.name}: ${recordedTasks.size} placement(s)`);
    if (missing.length > 0) problems.push(`plan record lacks ${missing.join(", ")}`);
  }
  if (problems.length > 0) fail(problems.join("\n"));
}

// ---------------------------------------------------------------------------------------------------
// the run

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  let nodes: NodeSpec[] = [];
  let clusterUp = false;
  let stackReady = false;

  const toolsOk = await step("tools", async (note) => {
    const t0 = Date.now();
    const r = await run("bash", [join(ROOT, "e2e", "tools.sh"), "--versions"], {
      cwd: ROOT,
      log: "tools.log",
      timeoutMs: 80 * 60_000,
    });
    if (r.code !== 0) fail(`e2e/tools.sh failed:\n${tail(r.stderr)}`);
    const dirs = r.stdout.trim().split("\n").filter(Boolean);
    env.PATH = [...dirs, env.PATH].join(":");
    const versions: Record<string, { version: string; from: string; path: string }> = {};
    for (const m of r.stderr.matchAll(/^\[tools\] version (\S+) (\S*) (\S+) (\S+)$/gm))
      versions[m[1]] = { version: m[2], from: m[3], path: m[4] };
    for (const [tool, v] of Object.entries(versions))
      note(`${tool.padEnd(28)} ${v.version.padEnd(40)} ${v.from === "PATH" ? "from PATH" : "built"}: ${v.path}`);
    for (const line of r.stderr.split("\n").filter((l) => /built in|tools ready|building/.test(l)))
      note(line.replace(/^\[tools\] /, ""));
    facts.tools = versions;
    facts.toolsSeconds = (Date.now() - t0) / 1000;
    env.PULUMI_SKIP_UPDATE_CHECK = "true";
    env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION = "true";
    env.PULUMI_CONFIG_PASSPHRASE = "tierplan-e2e";
    env.PULUMI_HOME = join(OUT, "pulumi-home");
    env.PULUMI_SKIP_CONFIRMATIONS = "true";
    env.KWOK_WORKDIR = join(OUT, "kwok");
    delete env.KUBECONFIG;
  });
  if (!toolsOk) return;

  await step("policy pack", async (note) => {
    const policies = join(ROOT, "policies");
    if (!existsSync(join(policies, "node_modules"))) {
      const ci = await run("npm", ["ci", "--no-audit", "--no-fund"], {
        cwd: policies,
        log: "policies-npm-ci.log",
        timeoutMs: 10 * 60_000,
      });
      if (ci.code !== 0) fail(`npm ci in policies/ failed:\n${tail(ci.stderr)}`);
    }
    const b = await run("npm", ["run", "build"], { cwd: policies, log: "policies-build.log", timeoutMs: 5 * 60_000 });
    if (b.code !== 0) fail(`npm run build --prefix policies failed:\n${tail(b.stdout + b.stderr)}`);
    note("policies/ compiled (npm run build --prefix policies)");
  });

  await step("project copy", async (note) => {
    copyProject();
    note(`Pulumi runs in ${PROJECT} (a copy: the repository's stack and catalog files are never written)`);
  });

  clusterUp = await step("cluster", async (note) => {
    nodes = await siteNodes(note);
    if (nodes.length === 0) fail(`the stack ${stack} has no edge tier: nothing to run on a cluster`);
    // Any cluster of this name left by an earlier run goes first.
    await run("kwokctl", ["delete", "cluster", "--name", CLUSTER], {
      cwd: OUT,
      log: "kwokctl-delete-old.log",
      timeoutMs: 120_000,
    });
    rmSync(KUBECONFIG, { force: true });
    const bin = (t: string) => (facts.tools as any)[t].path as string;
    const ports = {
      apiserver: await freePort(),
      etcd: await freePort(),
      kcm: await freePort(),
      scheduler: await freePort(),
      kwok: await freePort(),
    };
    const args = [
      "create",
      "cluster",
      "--name",
      CLUSTER,
      "--runtime",
      "binary",
      "--kubeconfig",
      KUBECONFIG,
      "--kube-apiserver-binary",
      bin("kube-apiserver"),
      "--kube-controller-manager-binary",
      bin("kube-controller-manager"),
      "--kube-scheduler-binary",
      bin("kube-scheduler"),
      "--etcd-binary",
      bin("etcd"),
      "--kwok-controller-binary",
      bin("kwok"),
      "--kube-apiserver-port",
      String(ports.apiserver),
      "--etcd-port",
      String(ports.etcd),
      "--kube-controller-manager-port",
      String(ports.kcm),
      "--kube-scheduler-port",
      String(ports.scheduler),
      "--controller-port",
      String(ports.kwok),
      "--wait",
      "120s",
      "--quiet-pull",
    ];
    const kubeVersion = (facts.tools as any)["kube-apiserver"].version as string;
    const created = await run("kwokctl", args, {
      cwd: OUT,
      log: "kwokctl-create.log",
      timeoutMs: 5 * 60_000,
      env: { ...env, KWOK_KUBE_VERSION: kubeVersion },
    });
    if (created.code !== 0) fail(`kwokctl create cluster failed:\n${tail(created.stdout + created.stderr)}`);
    facts.cluster = { name: CLUSTER, kubeconfig: KUBECONFIG, ports, workdir: env.KWOK_WORKDIR };
    note(`cluster ${CLUSTER}: kube-apiserver on 127.0.0.1:${ports.apiserver}, kubeconfig ${KUBECONFIG}`);
    const items = nodes.map((n) => ({
      apiVersion: "v1",
      kind: "Node",
      metadata: {
        name: n.name,
        annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
        labels: {
          "kubernetes.io/hostname": n.name,
          "kubernetes.io/os": "linux",
          "kubernetes.io/arch": "amd64",
          type: "kwok",
          "tierplan.dev/edge-tier": n.tier,
          ...(n.machine && { "tierplan.dev/machine": n.machine }),
        },
      },
      status: {
        capacity: {
          cpu: "64",
          memory: "256Gi",
          pods: "110",
          "ephemeral-storage": `${n.storageGb}G`,
          "nvidia.com/gpu": String(n.gpuUnits),
        },
        allocatable: {
          cpu: "64",
          memory: "256Gi",
          pods: "110",
          "ephemeral-storage": `${n.storageGb}G`,
          "nvidia.com/gpu": String(n.gpuUnits),
        },
        nodeInfo: { kubeletVersion: kubeVersion, architecture: "amd64", operatingSystem: "linux" },
        phase: "Running",
      },
    }));
    inlineKubeconfig();
    for (const item of items) {
      const created = await api("POST", "/api/v1/nodes", item);
      if (created.status !== 201)
        fail(`creating node ${item.metadata.name}: ${created.status} ${created.text.slice(0, 500)}`);
    }
    await waitFor("every node Ready", 60_000, async () => {
      const list = (await apiGet<any>("/api/v1/nodes"))!;
      return nodes.every((n) =>
        list.items.some(
          (it: any) =>
            it.metadata.name === n.name &&
            it.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True"),
        ),
      );
    });
    for (const n of nodes)
      note(
        `node ${n.name}: tierplan.dev/edge-tier=${n.tier}${n.machine ? ` tierplan.dev/machine=${n.machine}` : ""}, nvidia.com/gpu ${n.gpuUnits}, ephemeral-storage ${n.storageGb}G, Ready`,
      );
    facts.nodes = nodes;
  });
  if (!clusterUp) return;

  try {
    stackReady = await step("stack", async (note) => {
      mkdirSync(join(OUT, "state"), { recursive: true });
      rmSync(join(OUT, "state"), { recursive: true, force: true });
      mkdirSync(join(OUT, "state"), { recursive: true });
      const login = await pulumi(["login", `file://${join(OUT, "state")}`], "pulumi-login.log", { echo: false });
      if (login.code !== 0) fail(`pulumi login failed:\n${tail(login.stderr)}`);
      const init = await pulumi(["stack", "init", stack], "pulumi-stack-init.log", { echo: false });
      if (init.code !== 0) fail(`pulumi stack init failed:\n${tail(init.stdout + init.stderr)}`);
      const set = await pulumi(["config", "set", "--secret", "tierplan:kubeconfig"], "pulumi-config-set.log", {
        input: readFileSync(KUBECONFIG, "utf8"),
        echo: false,
      });
      if (set.code !== 0)
        fail(`pulumi config set --secret tierplan:kubeconfig failed:\n${tail(set.stdout + set.stderr)}`);
      note(`file backend ${join(OUT, "state")}; stack ${stack}; tierplan:kubeconfig set as a secret`);
      const v = await pulumi(["version"], "pulumi-version.log", { echo: false });
      note(`pulumi ${v.stdout.trim()}`);
    });
    if (!stackReady) return;

    let plan: OfflinePreview | undefined;
    let awsStack = false;
    await step("preview --policy-pack", async (note) => {
      const offline = await offlinePreview("offline-preview.log");
      if (!offline.preview)
        fail(`npx tierplan preview --stack ${stack} --json failed (exit ${offline.code}):\n${tail(offline.stderr)}`);
      plan = offline.preview;
      // The real run has the Kubernetes provider only: AWS resources stay on the mock engine.
      const cloud = plan.plan.placements.filter((p) => p.kind === "cloud").map((p) => p.task);
      const ssm =
        (parseYaml(readFileSync(join(PROJECT, "stacks", `Pulumi.${stack}.yaml`), "utf8")) as any)?.config?.[
          "tierplan:robots"
        ]?.ssm === true;
      if (cloud.length > 0 || ssm) {
        awsStack = true;
        const what = [
          cloud.length > 0 && `places ${cloud.join(", ")} on the cloud tier (EC2)`,
          ssm && "publishes robot configs to AWS SSM (tierplan:robots.ssm)",
        ]
          .filter(Boolean)
          .join(" and ");
        fail(
          `stack ${stack} ${what}: the real run has no AWS provider (it cannot be built here), so it covers stacks whose plan is Kubernetes only, such as sandbox; preview this one offline with 'npx tierplan preview --stack ${stack}'`,
        );
      }
      const r = await pulumi(["preview", "--policy-pack", join(ROOT, "policies"), "--diff"], "pulumi-preview.log");
      const want = offlineVerdicts(plan);
      const got = cliVerdicts(r.stdout + r.stderr);
      note(`offline verdicts: ${want.join(", ") || "none"}`);
      note(`pulumi preview verdicts: ${got.join(", ") || "none"}`);
      const mandatory = want.some((v) => v.endsWith("(mandatory)"));
      if (mandatory ? r.code === 0 : r.code !== 0)
        fail(
          `pulumi preview exited ${r.code}${mandatory ? " although a mandatory policy is violated" : ""}:\n${tail(r.stdout + r.stderr)}`,
        );
      if (JSON.stringify(want) !== JSON.stringify(got))
        fail(
          `the real policy pack's verdicts differ from the offline preview's: real [${got.join(", ")}], offline [${want.join(", ")}]`,
        );
      note(`resources: ${JSON.stringify(changeCounts(r.stdout))}`);
    });
    if (!plan || awsStack) return;

    const upOk = await step("up", async (note) => {
      const r = await pulumi(
        ["up", "--yes", "--skip-preview", "--policy-pack", join(ROOT, "policies")],
        "pulumi-up.log",
      );
      if (r.code !== 0)
        fail(`pulumi up exited ${r.code}:\n${pulumiErrors(r.stdout + r.stderr)}${await podDiagnosis()}`);
      note(`resources: ${JSON.stringify(changeCounts(r.stdout))}`);
      const out = await pulumi(["stack", "output", "--json"], "pulumi-stack-output.log", { echo: false });
      const outputs = JSON.parse(out.stdout);
      if (typeof outputs.edgeNamespace === "string") edgeNamespace = outputs.edgeNamespace;
      note(
        `stack outputs: planHash ${outputs.planHash}, ${outputs.placements?.length} placement(s), edge namespace ${outputs.edgeNamespace}`,
      );
      await checkWorkloads(plan!.plan, nodes, note);
      if (outputs.planHash !== plan!.planHash)
        fail(`stack output planHash ${outputs.planHash} is not the offline plan's ${plan!.planHash}`);
    });

    if (upOk) {
      await step("up again changes nothing", async (note) => {
        const r = await pulumi(
          ["up", "--yes", "--expect-no-changes", "--policy-pack", join(ROOT, "policies")],
          "pulumi-up-again.log",
        );
        const counts = changeCounts(r.stdout);
        note(`resources: ${JSON.stringify(counts)}`);
        if (r.code !== 0)
          fail(`the second pulumi up (--expect-no-changes) exited ${r.code}:\n${pulumiErrors(r.stdout + r.stderr)}`);
      });

      await step("catalog edit re-plans and updates", async (note) => {
        const edit = editCatalog((doc) => {
          // The lightest edge task needs more: it re-plans to more GPU units (and maybe another machine).
          const edgeTasks = plan!.plan.placements.filter((p) => p.kind === "edge");
          const sourceOf = (t: string) => t.split("@")[0];
          const target = (doc.tasks as any[]).find((t) => edgeTasks.some((p) => sourceOf(p.task) === t.name));
          if (!target) fail("the catalog has no edge-placed task to edit");
          const before = target.compute;
          target.compute = Math.round(before * 2 + 1);
          return `${target.name}: compute ${before} -> ${target.compute} TFLOPS`;
        });
        note(`catalog edit (project copy only): ${edit}`);
        const offline = await offlinePreview("offline-preview-edited.log");
        if (!offline.preview) fail(`offline preview of the edited catalog failed:\n${tail(offline.stderr)}`);
        if (offline.preview.planHash === plan!.planHash) fail("the edit did not change the plan");
        note(`plan ${plan!.planHash} -> ${offline.preview.planHash}`);
        const r = await pulumi(
          ["up", "--yes", "--skip-preview", "--policy-pack", join(ROOT, "policies")],
          "pulumi-up-edited.log",
        );
        const counts = changeCounts(r.stdout);
        note(`resources: ${JSON.stringify(counts)}`);
        if (r.code !== 0)
          fail(
            `pulumi up after the edit exited ${r.code}:\n${pulumiErrors(r.stdout + r.stderr)}${await podDiagnosis()}`,
          );
        if (!(counts.updated || counts.replaced || counts.created)) fail("pulumi up after the edit changed nothing");
        plan = offline.preview;
        await checkWorkloads(plan.plan, nodes, note);
        const record = (await apiGet<any>(`/api/v1/namespaces/${namespaceOf()}/configmaps`))!.items.find(
          (c: any) => c.metadata.labels?.["tierplan/record"] === "plan",
        );
        const hash =
          record?.metadata?.annotations?.["tierplan/plan-hash"] ?? record?.metadata?.labels?.["tierplan/plan-hash"];
        note(`plan record plan-hash: ${hash ?? "(not annotated)"}`);
        if (hash !== undefined && hash !== plan.planHash)
          fail(`the plan record says plan ${hash}, the new plan is ${plan.planHash}`);
      });

      await step("pinned task breaking its SLO is rejected", async (note) => {
        const catalogFile = join(PROJECT, catalogFiles()[0]);
        const saved = readFileSync(catalogFile, "utf8");
        try {
          const edit = editCatalog((doc) => {
            const edgeTier = (doc.tiers as any[]).find((t) => t.kind === "edge");
            if (!edgeTier) fail("no edge tier to pin onto");
            (doc.tasks as any[]).push({
              name: "e2e-pinned-reflex",
              compute: 1,
              storage: 1,
              bandwidth: 1,
              maxLatency: 1,
              priority: 1,
              pin: edgeTier.name,
              image: "registry.invalid/e2e/reflex:0",
            });
            return `task e2e-pinned-reflex (maxLatency 1 ms) pinned to ${edgeTier.name} (latency ${edgeTier.latency} ms)`;
          });
          note(`catalog edit (project copy only): ${edit}`);
          const offline = await offlinePreview("offline-preview-pinned.log");
          if (!offline.preview)
            fail(`offline preview of the pinned catalog failed (exit ${offline.code}):\n${tail(offline.stderr)}`);
          const want = offlineVerdicts(offline.preview);
          const r = await pulumi(["preview", "--policy-pack", join(ROOT, "policies")], "pulumi-preview-pinned.log");
          const got = cliVerdicts(r.stdout + r.stderr);
          note(`pulumi preview: exit ${r.code}; verdicts: ${got.join(", ")}`);
          note(`offline preview: exit ${offline.code}; verdicts: ${want.join(", ")}`);
          if (JSON.stringify(want) !== JSON.stringify(got))
            fail(
              `the real policy pack's verdicts differ from the offline preview's: real [${got.join(", ")}], offline [${want.join(", ")}]`,
            );
          if (r.code === 0) fail("pulumi preview accepted a pin that breaks a latency SLO");
          if (!got.includes("tierplan-latency-within-slo (mandatory)"))
            fail(`the rejection does not name tierplan-latency-within-slo:\n${tail(r.stdout + r.stderr)}`);
          // `pulumi up` previews first, and the preview's policy verdict stops it before any change.
          // (Not --skip-preview: tierplan's policies are stack policies, which the engine runs only
          // after an update has applied its resources.)
          const u = await pulumi(["up", "--yes", "--policy-pack", join(ROOT, "policies")], "pulumi-up-pinned.log");
          const upVerdicts = cliVerdicts(u.stdout + u.stderr);
          note(
            `pulumi up with the pin: exit ${u.code}; verdicts: ${upVerdicts.join(", ")}; resources: ${JSON.stringify(changeCounts(u.stdout))}`,
          );
          if (u.code === 0) fail("pulumi up deployed a pin that breaks a latency SLO");
          if (!upVerdicts.includes("tierplan-latency-within-slo (mandatory)"))
            fail(`pulumi up's rejection does not name tierplan-latency-within-slo:\n${tail(u.stdout + u.stderr)}`);
          const pinned = (await apiGet<any>(`/apis/apps/v1/namespaces/${namespaceOf()}/deployments`))!.items.filter(
            (d: any) => d.metadata.annotations?.["tierplan/task"] === "e2e-pinned-reflex",
          );
          if (pinned.length > 0) fail("the rejected pin's Deployment exists");
          note("nothing of the pin reached the cluster");
        } finally {
          writeFileSync(catalogFile, saved);
        }
      });
    }

    await step("destroy leaves the namespace empty", async (note) => {
      const r = await pulumi(["destroy", "--yes", "--skip-preview"], "pulumi-destroy.log");
      note(`resources: ${JSON.stringify(changeCounts(r.stdout))}`);
      if (r.code !== 0) fail(`pulumi destroy exited ${r.code}:\n${pulumiErrors(r.stdout + r.stderr)}`);
      const ns = namespaceOf();
      const left: string[] = [];
      for (const [kind, path] of [
        ["Deployment", `/apis/apps/v1/namespaces/${ns}/deployments`],
        ["Pod", `/api/v1/namespaces/${ns}/pods`],
        ["Service", `/api/v1/namespaces/${ns}/services`],
        ["ResourceQuota", `/api/v1/namespaces/${ns}/resourcequotas`],
        ["ConfigMap", `/api/v1/namespaces/${ns}/configmaps`],
      ]) {
        const items = ((await apiGet<any>(path))?.items ?? []).filter(
          (it: any) => !(kind === "ConfigMap" && it.metadata.name === "kube-root-ca.crt"),
        );
        for (const it of items) left.push(`${kind} ${it.metadata.name}`);
      }
      const pcs = (await apiGet<any>("/apis/scheduling.k8s.io/v1/priorityclasses"))!.items.filter(
        (p: any) => p.metadata.labels?.["app.kubernetes.io/managed-by"] === "tierplan",
      );
      for (const p of pcs) left.push(`PriorityClass ${p.metadata.name}`);
      const nsObj = await apiGet<any>(`/api/v1/namespaces/${ns}`);
      note(
        `namespace ${ns}: ${nsObj ? `still there (${nsObj.status?.phase})` : "deleted"}; objects left: ${left.length}`,
      );
      if (left.length > 0) fail(`left behind: ${left.join(", ")}`);
      const st = await pulumi(["stack", "--show-urns"], "pulumi-stack-after-destroy.log", { echo: false });
      if (/kubernetes:/.test(st.stdout)) fail(`the stack still holds Kubernetes resources:\n${tail(st.stdout)}`);
    });
  } finally {
    if (stackReady) await pulumi(["stack", "rm", "--yes", "--force", stack], "pulumi-stack-rm.log", { echo: false });
    if (!keep) {
      await run("kwokctl", ["delete", "cluster", "--name", CLUSTER], {
        cwd: OUT,
        log: "kwokctl-delete.log",
        timeoutMs: 120_000,
      });
    } else {
      console.log(
        `\ncluster ${CLUSTER} left running (--keep): KUBECONFIG=${KUBECONFIG}; stop it with KWOK_WORKDIR=${env.KWOK_WORKDIR} kwokctl delete cluster --name ${CLUSTER}`,
      );
    }
  }
}

/** Edits the first catalog file of the project copy: fn changes the parsed YAML and says what it did. */
function editCatalog(fn: (doc: any) => string): string {
  const file = join(PROJECT, catalogFiles()[0]);
  const doc = parseYaml(readFileSync(file, "utf8"));
  const what = fn(doc);
  writeFileSync(file, stringifyYaml(doc));
  return what;
}

// Interrupted: stop the control plane this run started (its processes outlive the harness).
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (!keep && env.KWOK_WORKDIR)
      spawnSync("kwokctl", ["delete", "cluster", "--name", CLUSTER], { env, stdio: "ignore", timeout: 60_000 });
    console.log(`\ne2e: interrupted (${signal})`);
    process.exit(130);
  });
}

main()
  .catch((error) => {
    steps.push({
      name: "harness",
      ok: false,
      seconds: 0,
      detail: [],
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    console.error(error);
  })
  .finally(() => {
    writeSummary();
    process.exitCode = steps.every((s) => s.ok) ? 0 : 1;
  });
