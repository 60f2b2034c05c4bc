import { mkdtempSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSeq } from "yaml";
import { FACT_KEYS, GPU_RESOURCE, NODE_LABELS, RECORD_KEYS } from "../../src/plan/facts";
import type { Plan } from "../../src/plan/schema";
import type { PreviewResult } from "../../src/preview/run";
import { loadCatalog } from "../../src/catalog/load";
import { planRecordData, planRecordInputs } from "../../src/provision/planRecord";
import { evaluateStack, RULES, type PolicyViolation, type ResourceView } from "../rules";
import { planRecordOf } from "../rules/record";
import { workloadsOf } from "../rules/workloads";
import {
  copy,
  preview,
  removeRoot,
  rootWithCatalog,
  rootWithPin,
  runPack,
  savePreview,
  tierplanCheck,
} from "./support/preview";

/**
 * Mutation tests on real mocked previews: a clean preview of each example stack passes every
 * mandatory policy; one fault (a pin in a catalog copy, or an edit of the saved preview's
 * resources) makes exactly the policy that owns the rule fire, in all three places a verdict is
 * given: `tierplan check` on the saved file (CI), the pack as the policy engine runs it
 * (`runPack`), and `evaluateStack` (the offline preview).
 */

const LATENCY = "tierplan-latency-within-slo";
const CAPACITY = "tierplan-capacity-within-usable";
const MATCHES = "tierplan-placement-matches-plan";
const FIT = "tierplan-instance-fits-task";
const ALLOWED = "tierplan-placement-allowed";
const UNPLACED = "tierplan-unplaced-tasks";
const SCHEDULABLE = "tierplan-schedulable";

const INSTANCE = "aws:ec2/instance:Instance";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
const RECORD = `${CONFIG_MAP} plan-record`;

const mandatory = (violations: readonly PolicyViolation[]) => violations.filter((v) => v.level === "mandatory");
const policies = (violations: readonly PolicyViolation[]) => [...new Set(violations.map((v) => v.policy))].sort();
/** The preview's exit status (docs/contract.md §4): 1 when a mandatory policy is violated. */
const exitStatus = (violations: readonly PolicyViolation[]) => (mandatory(violations).length > 0 ? 1 : 0);

function find(views: ResourceView[], type: string, name: string): ResourceView {
  const found = views.find((r) => r.type === type && r.name === name);
  if (!found) throw new Error(`no ${type} ${name} in the preview: ${views.map((r) => r.name).join(", ")}`);
  return found;
}

/** The plan record's JSON, edited in place. */
function editRecord(views: ResourceView[], edit: (plan: Plan) => void): void {
  const record = find(views, CONFIG_MAP, "plan-record");
  const plan = JSON.parse(record.props.data["plan.json"]) as Plan;
  edit(plan);
  record.props.data["plan.json"] = JSON.stringify(plan);
}

const dir = mkdtempSync(join(tmpdir(), "tierplan-mutations-"));
const clean: Record<string, { result: PreviewResult; views: ResourceView[] }> = {};
const roots: string[] = [];

beforeAll(async () => {
  // Several previews in one process: runPreview sets the mocks afresh each time.
  for (const stack of ["factory-a", "warehouse-east", "lab"]) clean[stack] = await preview(stack);
});
afterAll(() => roots.forEach(removeRoot));

/**
 * Judges a saved preview three ways and expects the same verdict from each: exactly `owner` (and
 * the `also` policies, when the fault breaks their rules too) among the mandatory policies, with
 * the messages `expected` (in order) from `owner`.
 */
function expectRejected(
  result: PreviewResult,
  views: ResourceView[],
  name: string,
  owner: string,
  expected: Array<string | RegExp>,
  also: string[] = [],
): PolicyViolation[] {
  const offline = evaluateStack(views);
  expect(policies(mandatory(offline))).toEqual([owner, ...also].sort());
  const messages = offline.filter((v) => v.policy === owner).map((v) => v.message);
  expect(messages).toEqual(expected.map((m) => (typeof m === "string" ? m : expect.stringMatching(m))));

  // The engine gives a policy one level: an escalating rule (placement-stability) reports there only past its limit.
  const engine = runPack(views);
  const escalating = new Set(RULES.filter((r) => r.escalation).map((r) => r.name));
  const expectedOfEngine = offline.filter((v) => !(escalating.has(v.policy) && v.level === "advisory"));
  expect(engine.map((v) => [v.policy, v.level, v.message])).toEqual(
    expectedOfEngine.map((v) => [v.policy, v.level, v.message]),
  );

  const check = tierplanCheck(savePreview(result, views, dir, name));
  expect(check.stderr).toBe("");
  expect(check.status).toBe(1);
  expect([...new Set(check.mandatory)].sort()).toEqual([owner, ...also].sort());
  expect(check.mandatory).toHaveLength(mandatory(offline).length);
  return offline;
}

describe("clean previews of the example stacks", () => {
  it.each(["factory-a", "warehouse-east", "lab"])("%s declares a workload per placement, all readable", (stack) => {
    const { result, views } = clean[stack];
    const record = planRecordOf(views);
    expect(record?.problem).toBeUndefined();
    const { workloads, unreadable } = workloadsOf(views, record!.view);
    expect(unreadable).toEqual([]);
    expect(workloads.map((w) => w.task).sort()).toEqual(result.plan.placements.map((p) => p.task).sort());
    // Each runs on exactly the environment the plan places it on, read from its own properties.
    for (const w of workloads)
      expect(w.runsOn.map((e) => e.name)).toEqual([result.plan.placements.find((p) => p.task === w.task)!.tier]);
    expect(result.plan.violations).toEqual([]);
  });

  it.each(["factory-a", "warehouse-east"])(
    "%s has no policy violation at all (exit 0), in the preview, the engine and tierplan check",
    (stack) => {
      const { result, views } = clean[stack];
      expect(result.policies.violations).toEqual([]);
      expect(evaluateStack(views)).toEqual([]);
      expect(runPack(views)).toEqual([]);
      const check = tierplanCheck(savePreview(result, views, dir, `clean-${stack}`));
      expect(check.status).toBe(0);
      expect(check.stdout).toContain("all tierplan policies pass");
    },
  );

  it("lab has exactly one violation: the advisory for sim-sweep, which the plan leaves unplaced (exit 0)", () => {
    const { result, views } = clean.lab;
    expect(result.plan.unplaced.map((u) => u.task)).toEqual(["sim-sweep"]);
    const expected: PolicyViolation[] = [
      {
        policy: UNPLACED,
        level: "advisory",
        message: `task 'sim-sweep' (priority 1) is unplaced: ${result.plan.unplaced[0].reasons[0]}`,
        resource: RECORD,
      },
    ];
    expect(result.policies.violations).toEqual(expected);
    expect(expected[0].message).toMatch(
      /^task 'sim-sweep' \(priority 1\) is unplaced: 0\/5 environments: .*too small for compute/,
    );
    expect(evaluateStack(views)).toEqual(expected);
    expect(exitStatus(result.policies.violations)).toBe(0);
  });
});

describe("issue 9's tamperings of a saved factory-a preview, each rejected by the policy that owns the rule", () => {
  const views = () => copy(clean["factory-a"].views);
  const gpuDeployment = (v: ResourceView[]) => find(v, DEPLOYMENT, "edge-realtime-inference");

  it("spec.replicas: 20 on the GPU Deployment: capacity (20 × 10 TFLOPS, 20 × 50 Mbps on the edge); 20 pods of 1 GPU on a 2-GPU machine: schedulable", () => {
    const v = views();
    expect(gpuDeployment(v).props.spec.replicas).toBe(1);
    gpuDeployment(v).props.spec.replicas = 20;
    const out = expectRejected(
      clean["factory-a"].result,
      v,
      "replicas",
      CAPACITY,
      [
        "edge: compute demand 200 TFLOPS exceeds the usable 100 TFLOPS (capacity 100 × (1 − reserve 0)) with 1 task(s): realtime-inference (20 replica(s))",
        "edge: bandwidth demand 1000 Mbps exceeds the usable 100 Mbps (capacity 100 × (1 − reserve 0)) with 1 task(s): realtime-inference (20 replica(s))",
      ],
      [SCHEDULABLE],
    );
    expect(out.filter((x) => x.policy === SCHEDULABLE).map((x) => x.message)).toEqual([
      "namespace tierplan-factory-a: its pods request 20 of nvidia.com/gpu together; its ResourceQuota admits 2, so Kubernetes refuses the pods beyond it",
      "machine edge-gpu-0 (edge): its pods need 20 GPU units together, it has 2: realtime-inference (20 × 1 unit(s), 10 GB)",
    ]);
  });

  it("a GPU request and limit raised from 1 to 8: 400 TFLOPS on the 100-TFLOPS edge (capacity), a pod no 2-GPU machine holds (schedulable)", () => {
    const v = views();
    const resources = gpuDeployment(v).props.spec.template.spec.containers[0].resources;
    expect([resources.requests[GPU_RESOURCE], resources.limits[GPU_RESOURCE]]).toEqual(["1", "1"]);
    resources.requests[GPU_RESOURCE] = resources.limits[GPU_RESOURCE] = "8";
    const out = expectRejected(
      clean["factory-a"].result,
      v,
      "gpu-8",
      CAPACITY,
      [
        "edge: compute demand 400 TFLOPS exceeds the usable 100 TFLOPS (capacity 100 × (1 − reserve 0)) with 1 task(s): realtime-inference (1 replica(s) requesting 8 GPU unit(s) of 50 TFLOPS each)",
      ],
      [SCHEDULABLE],
    );
    expect(out.filter((x) => x.policy === SCHEDULABLE).map((x) => x.message)).toEqual([
      "a pod of task 'realtime-inference' needs 8 GPU unit(s) and 10 GB; machine edge-gpu-0 (edge) has 2 and 1000 GB: it stays Pending",
      "namespace tierplan-factory-a: its pods request 8 of nvidia.com/gpu together; its ResourceQuota admits 2, so Kubernetes refuses the pods beyond it",
    ]);
  });

  it("a nodeSelector steering the GPU Deployment to another tier: placement-matches-plan", () => {
    const v = views();
    expect(gpuDeployment(v).props.spec.template.spec.nodeSelector).toBeUndefined();
    gpuDeployment(v).props.spec.template.spec.nodeSelector = { [NODE_LABELS.edgeTier]: "cloud" };
    expectRejected(clean["factory-a"].result, v, "node-selector", MATCHES, [
      "deployment for task 'realtime-inference' can run on no environment of the plan (nodeSelector tierplan.dev/edge-tier=cloud; required node affinity metadata.name In [edge-gpu-0]); the plan places it on edge",
    ]);
  });

  it("an EC2 instance type too small for its task: instance-fits-task", () => {
    const v = views();
    const instance = find(v, INSTANCE, "cloud-model-training");
    expect(instance.props.instanceType).toBe("g5.12xlarge");
    instance.props.instanceType = "g6.xlarge";
    expectRejected(clean["factory-a"].result, v, "instance-type", FIT, [
      "task 'model-training' needs 500 TFLOPS; g6.xlarge gives 121",
    ]);
  });

  it("a root volume smaller than the task's storage: instance-fits-task", () => {
    const v = views();
    find(v, INSTANCE, "cloud-model-training").props.rootBlockDevice.volumeSize = 4000;
    expectRejected(clean["factory-a"].result, v, "volume", FIT, [
      "task 'model-training' needs 5000 GB of storage; the root volume has 4000 GB",
    ]);
  });

  it("a Deployment with no placement: placement-matches-plan", () => {
    const v = views();
    const stray = copy(gpuDeployment(v));
    stray.name = "edge-ghost";
    stray.props.metadata.name = "ghost";
    stray.props.metadata.annotations[FACT_KEYS.task] = "ghost";
    v.push(stray);
    expectRejected(clean["factory-a"].result, v, "ghost", MATCHES, [
      "deployment for task 'ghost' has no placement in the plan record: remove it or re-plan",
    ]);
  });

  it("a placement with no workload (its Deployment removed): placement-matches-plan, against the plan record", () => {
    const v = views().filter((r) => !(r.type === DEPLOYMENT && r.name === "edge-realtime-inference"));
    const out = expectRejected(clean["factory-a"].result, v, "removed", MATCHES, [
      "task 'realtime-inference' is placed on edge in the plan record but no workload runs it",
    ]);
    expect(out[0].resource).toBe(RECORD);
  });

  it("the plan record's capacities are what is enforced, gzipped or not", () => {
    const v = views();
    const record = find(v, CONFIG_MAP, "plan-record");
    const plan = JSON.parse(record.props.data["plan.json"]) as Plan;
    delete record.props.data;
    plan.environments.find((e) => e.name === "edge")!.bandwidth = 40;
    record.props.binaryData = { "plan.json.gz": gzipSync(JSON.stringify(plan)).toString("base64") };
    expectRejected(clean["factory-a"].result, v, "gzipped", CAPACITY, [
      /^edge: bandwidth demand 50 Mbps exceeds the usable 40 Mbps/,
    ]);
  });

  it("workloads without a plan record: placement-matches-plan", () => {
    const v = views().filter((r) => r.name !== "plan-record");
    expectRejected(clean["factory-a"].result, v, "no-record", MATCHES, [/no plan record/]);
  });
});

describe("warehouse-east's machines (EKS: pods steered by the machine label), tampered", () => {
  const views = () => copy(clean["warehouse-east"].views);
  const deploymentOf = (v: ResourceView[], task: string) => find(v, DEPLOYMENT, `edge-${task}`);
  const terms = (d: ResourceView) =>
    d.props.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;

  it("the plan fills g5-whole (1 GPU) and g5-sliced-0 (8 slices)", () => {
    const used = (id: string) =>
      clean["warehouse-east"].result.plan.placements
        .filter((p) => p.machine === id)
        .reduce((n, p) => n + p.gpuUnits!, 0);
    expect([used("g5-whole"), used("g5-sliced-0")]).toEqual([1, 8]);
    expect(terms(deploymentOf(views(), "fleet-map"))).toEqual([
      { matchExpressions: [{ key: NODE_LABELS.machine, operator: "In", values: ["g5-whole"] }] },
    ]);
  });

  it("one more GPU pod on the full whole-GPU machine: schedulable alone", () => {
    const v = views();
    deploymentOf(v, "fleet-map").props.spec.replicas = 2;
    expectRejected(clean["warehouse-east"].result, v, "full-whole", SCHEDULABLE, [
      "machine g5-whole (edge): its pods need 2 GPU units together, it has 1: fleet-map (2 × 1 unit(s), 200 GB)",
    ]);
  });

  it("one more GPU pod on a full time-sliced machine: schedulable alone", () => {
    const v = views();
    deploymentOf(v, "obstacle-detection@amr-01").props.spec.replicas = 2;
    expectRejected(clean["warehouse-east"].result, v, "full-sliced", SCHEDULABLE, [
      /^machine g5-sliced-0 \(edge\): its pods need 9 GPU units together, it has 8: /,
    ]);
  });

  it("a ResourceQuota lowered below what the pods request: schedulable alone, against the quota", () => {
    const v = views();
    const quota = find(v, "kubernetes:core/v1:ResourceQuota", "edge-quota");
    expect(quota.props.spec.hard[`requests.${GPU_RESOURCE}`]).toBe("25");
    quota.props.spec.hard[`requests.${GPU_RESOURCE}`] = "21";
    const out = expectRejected(clean["warehouse-east"].result, v, "quota", SCHEDULABLE, [
      "namespace tierplan-warehouse-east: its pods request 22 of nvidia.com/gpu together; its ResourceQuota admits 21, so Kubernetes refuses the pods beyond it",
    ]);
    expect(out[0].resource).toBe("kubernetes:core/v1:ResourceQuota edge-quota");
  });

  it("a pod steered to another machine than its placement's: placement-matches-plan, and the full machine overflows: schedulable", () => {
    const v = views();
    const d = deploymentOf(v, "realtime-inference");
    expect(terms(d)[0].matchExpressions[0].values).toEqual(["g5-sliced-1"]);
    terms(d)[0].matchExpressions[0].values = ["g5-whole"];
    const out = expectRejected(
      clean["warehouse-east"].result,
      v,
      "other-machine",
      MATCHES,
      [
        "deployment for task 'realtime-inference' runs on machine g5-whole (required node affinity tierplan.dev/machine In [g5-whole]); the plan places it on edge/g5-sliced-1",
      ],
      [SCHEDULABLE],
    );
    expect(out.filter((x) => x.policy === SCHEDULABLE).map((x) => x.message)).toEqual([
      expect.stringMatching(/^machine g5-whole \(edge\): its pods need 2 GPU units together, it has 1: /),
    ]);
  });
});

describe("a cloud host shared by two tasks (cloud packing) on factory-a, tampered", () => {
  let shared: { result: PreviewResult; views: ResourceView[] };
  beforeAll(async () => {
    const root = rootWithCatalog("catalogs/sites/factory-a.yaml", (doc) => {
      const tasks = doc.get("tasks");
      if (!isSeq(tasks)) throw new Error("factory-a has no tasks");
      for (const name of ["telemetry", "ota-updates"]) {
        tasks.add(
          doc.createNode({
            name,
            compute: 0.3,
            storage: 20,
            bandwidth: 1,
            maxLatency: 1000,
            priority: 2,
            allowedTiers: ["cloud"],
            image: `ghcr.io/acme/${name}:1`,
          }),
        );
      }
    });
    roots.push(root);
    shared = await preview("factory-a", root);
  });
  const host = (v: ResourceView[]) => find(v, INSTANCE, "cloud-host-cloud-p2-0");

  it("is clean as planned: one c7i.2xlarge runs both, listed in its host record", () => {
    expect(host(shared.views).props.instanceType).toBe("c7i.2xlarge");
    expect(evaluateStack(shared.views)).toEqual([]);
    const tasks = workloadsOf(shared.views, planRecordOf(shared.views)!.view)
      .workloads.filter((w) => w.resource === host(shared.views))
      .map((w) => w.task);
    expect(tasks).toEqual(["telemetry", "ota-updates"]);
  });

  it("a type that holds each task but not both together: instance-fits-task", () => {
    const v = copy(shared.views);
    host(v).props.instanceType = "g6.xlarge";
    expectRejected(shared.result, v, "shared-type", FIT, [
      "host of 2 tasks (telemetry, ota-updates): one g6.xlarge (1 GPU(s), 121 TFLOPS, 4 vCPUs) cannot hold them together (0.3 TFLOPS, 0.3 TFLOPS; GPU tasks take whole GPUs)",
    ]);
  });

  it("its host record removed: placement-matches-plan, for the host and both its tasks", () => {
    const v = copy(shared.views).filter((r) => r.name !== "cloud-host-cloud-p2-0-record");
    expectRejected(shared.result, v, "shared-record", MATCHES, [
      "a tierplan instance of shared host 'cloud-p2-0' without its host record (ConfigMap tierplan/record=cloud-host): which tasks it runs is unknown",
      /^task '(telemetry|ota-updates)' is placed on cloud in the plan record but no workload runs it$/,
      /^task '(telemetry|ota-updates)' is placed on cloud in the plan record but no workload runs it$/,
    ]);
  });
});

describe("a pinned task that breaks its SLO, with every latency fact and the plan record's latency results rewritten to 1 ms", () => {
  let pinned: { result: PreviewResult; views: ResourceView[] };
  beforeAll(async () => {
    const root = rootWithPin("catalogs/sites/factory-a.yaml", "action-execution", "cloud");
    roots.push(root);
    pinned = await preview("factory-a", root);
  });

  it("is placed where the pin says, and the plan records the broken SLO", () => {
    const p = pinned.result.plan.placements.find((x) => x.task === "action-execution");
    expect(p).toMatchObject({ tier: "cloud", pinned: true, maxLatency: 10 });
    expect(p!.latencyMs).toBeGreaterThan(10);
    expect(pinned.result.plan.violations.map((v) => [v.task, v.rule])).toEqual([["action-execution", "latency"]]);
    expect(mandatory(pinned.result.policies.violations).map((v) => v.policy)).toEqual([LATENCY]);
  });

  it("is still rejected by the latency policy alone, recomputing 50.002 ms on the cloud", () => {
    const v = copy(pinned.views);
    let rewritten = 0;
    for (const r of v) {
      const facts =
        r.type === INSTANCE ? r.props.tags : r.type === DEPLOYMENT ? r.props.metadata.annotations : undefined;
      if (facts?.[FACT_KEYS.latencyMs] !== undefined) {
        facts[FACT_KEYS.latencyMs] = "1";
        rewritten++;
      }
      const robot = r.props.metadata?.annotations?.[RECORD_KEYS.robotPlacements];
      if (robot !== undefined) {
        const entries = JSON.parse(robot) as Array<Record<string, string>>;
        for (const e of entries) e[FACT_KEYS.latencyMs] = "1";
        r.props.metadata.annotations[RECORD_KEYS.robotPlacements] = JSON.stringify(entries);
        const config = JSON.parse(r.props.data["config.json"]) as { tasks: Array<{ predictedLatencyMs: number }> };
        for (const t of config.tasks) t.predictedLatencyMs = 1;
        r.props.data["config.json"] = JSON.stringify(config);
      }
    }
    expect(rewritten).toBeGreaterThanOrEqual(2);
    editRecord(v, (plan) => {
      for (const p of plan.placements) p.latencyMs = 1;
      plan.objective.latencyMs = plan.placements.length;
      plan.violations = plan.violations.filter((x) => x.rule !== "latency");
    });
    const result = copy(pinned.result);
    for (const p of result.plan.placements) p.latencyMs = 1;
    result.plan.violations = [];
    expectRejected(result, v, "latency-1ms", LATENCY, [
      "task 'action-execution' on cloud (instance): latency 50.002 ms = 1/1000 + 1/1000 + 50 exceeds its SLO of 10 ms; it is pinned there: remove the pin or raise maxLatency",
    ]);
  });
});

describe("pins that break other rules", () => {
  it("a 500-TFLOPS task pinned to the 100-TFLOPS edge: capacity, naming edge and compute, and schedulable: its 10 GPU units fit no machine", async () => {
    const root = rootWithPin("catalogs/vla-tasks.yaml", "model-training", "edge");
    roots.push(root);
    const { result, views } = await preview("factory-a", root);
    const p = result.plan.placements.find((x) => x.task === "model-training");
    expect(p).toMatchObject({ tier: "edge", pinned: true, compute: 500 });
    expect(p!.latencyMs).toBeLessThanOrEqual(p!.maxLatency);
    const { violations } = result.policies;
    expect(policies(mandatory(violations))).toEqual([CAPACITY, SCHEDULABLE]);
    // Against the stack's lock, the pin moves model-training onto the edge and pushes realtime-inference off it: listed, not a failure.
    expect(violations.filter((v) => v.level === "advisory").map((v) => v.message)).toEqual([
      "the plan moves 2 task(s) against the stack's lock: model-training (cloud → edge/edge-gpu-0: delete its EC2 instance, create a Deployment on edge); " +
        "realtime-inference (edge/edge-gpu-0 → cloud: delete its Deployment, create an EC2 instance)",
    ]);
    expect(violations.map((v) => v.message)).toContainEqual(
      expect.stringMatching(/^edge: compute demand 500 TFLOPS exceeds the usable 100 TFLOPS .*model-training/),
    );
    expect(violations.filter((v) => v.policy === SCHEDULABLE).map((v) => v.message)).toEqual([
      "a pod of task 'model-training' needs 10 GPU unit(s) and 5000 GB; machine edge-gpu-0 (edge) has 2 and 1000 GB: it stays Pending",
      "namespace tierplan-factory-a: its pods request 5000 GB of ephemeral-storage together; its ResourceQuota admits 1000 GB, so Kubernetes refuses the pods beyond it",
      "namespace tierplan-factory-a: its pods request 10 of nvidia.com/gpu together; its ResourceQuota admits 2, so Kubernetes refuses the pods beyond it",
    ]);
    expect(exitStatus(violations)).toBe(1);
    expect(evaluateStack(views)).toEqual(violations);
  });

  it("the lab's bench-eval (allowedTiers [robot]) pinned to the cloud: placement-allowed alone", async () => {
    const root = rootWithPin("catalogs/sites/lab.yaml", "bench-eval", "cloud");
    roots.push(root);
    const { result, views } = await preview("lab", root);
    const found = mandatory(result.policies.violations);
    expect(found.map((v) => v.policy)).toEqual([ALLOWED]);
    expect(found[0].message).toContain("bench-eval");
    expect(mandatory(evaluateStack(views))).toEqual(found);

    // With the planning inputs in the record (planRecordInputs, what PlanRecord writes when the program
    // passes its input), the verdict is the policy's own: the plan's violations, erased, do not matter.
    const input = loadCatalog(["catalogs/sites/lab.yaml", "catalogs/vla-tasks.yaml"].map((f) => join(root, f)));
    const v = copy(views);
    const plan = copy(result.plan);
    plan.violations = [];
    find(v, CONFIG_MAP, "plan-record").props.data = planRecordData(plan, planRecordInputs(input)).data;
    expect(planRecordOf(v)?.view?.inputsRecorded).toBe(true);
    expectRejected(result, v, "allowed-inputs", ALLOWED, [
      "task 'bench-eval' runs on cloud (instance): cloud (cloud) is not in its allowedTiers [robot]; it is pinned there: remove the pin or widen allowedTiers",
    ]);
  });
});

describe("plan records the program writes", () => {
  it("a large plan's record is gzipped, and the policies read it", () => {
    const plan = copy(clean["warehouse-east"].result.plan);
    plan.recommendations = Array.from(
      { length: 12_000 },
      (_, i) => `padding recommendation ${i} to push the record past the ConfigMap limit`,
    );
    const data = planRecordData(plan);
    expect(data.data).toBeUndefined();
    expect(data.binaryData).toHaveProperty(["plan.json.gz"]);
    const v = copy(clean["warehouse-east"].views);
    const record = find(v, CONFIG_MAP, "plan-record");
    delete record.props.data;
    record.props.binaryData = data.binaryData;
    expect(planRecordOf(v)?.view?.plan.recommendations).toHaveLength(12_000);
    expect(evaluateStack(v)).toEqual([]);
  });
});

describe("policy settings on a real preview (lab's sim-sweep has priority 1)", () => {
  it("minPriority 2 hides it", () => {
    expect(evaluateStack(clean.lab.views, { [UNPLACED]: { minPriority: 2 } })).toEqual([]);
  });

  it("'mandatory' makes it fail the preview", () => {
    const out = evaluateStack(clean.lab.views, { [UNPLACED]: "mandatory" });
    expect(out.map((v) => [v.policy, v.level])).toEqual([[UNPLACED, "mandatory"]]);
    expect(exitStatus(out)).toBe(1);
  });

  it("'disabled' removes it", () => {
    expect(evaluateStack(clean.lab.views, { [UNPLACED]: "disabled" })).toEqual([]);
  });
});
