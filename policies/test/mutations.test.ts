import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FACT_KEYS } from "../../src/plan/facts";
import type { Plan } from "../../src/plan/types";
import type { PreviewResult } from "../../src/preview/run";
import { planRecordData } from "../../src/provision/planRecord";
import { evaluateStack, type PolicyViolation, type ResourceView } from "../rules";
import { planRecordOf, workloadsOf } from "../rules/resources";
import { copy, preview, removeRoot, rootWithPin } from "./support/preview";

/**
 * Mutation tests: a clean mocked preview of each example stack passes every mandatory policy;
 * breaking exactly one rule (by a pin in a catalog copy, or by editing the previewed resources)
 * makes exactly the expected policy fire.
 */

const LATENCY = "tierplan-latency-within-slo";
const CAPACITY = "tierplan-capacity-within-usable";
const FIT = "tierplan-instance-fits-task";
const UNPLACED = "tierplan-unplaced-tasks";

const INSTANCE = "aws:ec2/instance:Instance";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const RECORD = "kubernetes:core/v1:ConfigMap plan-record";

const mandatory = (violations: readonly PolicyViolation[]) => violations.filter((v) => v.level === "mandatory");
const policies = (violations: readonly PolicyViolation[]) => [...new Set(violations.map((v) => v.policy))].sort();
/** The preview's exit status (contract §4): 1 when a mandatory policy is violated. */
const exitStatus = (violations: readonly PolicyViolation[]) => (mandatory(violations).length > 0 ? 1 : 0);

function find(views: ResourceView[], type: string, name: string): ResourceView {
  const found = views.find((r) => r.type === type && r.name === name);
  if (!found) throw new Error(`no ${type} ${name} in the preview: ${views.map((r) => r.name).join(", ")}`);
  return found;
}

const clean: Record<string, { result: PreviewResult; views: ResourceView[] }> = {};

beforeAll(async () => {
  // Several previews in one process: runPreview sets the mocks afresh each time.
  for (const stack of ["factory-a", "warehouse-east", "lab"]) clean[stack] = await preview(stack);
});

describe("clean previews of the example stacks", () => {
  it.each(["factory-a", "warehouse-east", "lab"])("%s declares a workload per placement, all readable", (stack) => {
    const { result, views } = clean[stack];
    const { workloads, malformed } = workloadsOf(views);
    expect(malformed).toEqual([]);
    expect(workloads.map((w) => w.facts.task).sort()).toEqual(result.plan.placements.map((p) => p.task).sort());
    expect(result.plan.violations).toEqual([]);
  });

  it.each(["factory-a", "warehouse-east"])("%s has no policy violation at all (exit 0)", (stack) => {
    const { result, views } = clean[stack];
    expect(result.policies.violations).toEqual([]);
    expect(evaluateStack(views)).toEqual([]);
    expect(exitStatus(result.policies.violations)).toBe(0);
  });

  it("lab has exactly one violation: the advisory for sim-sweep, which the plan leaves unplaced (exit 0)", () => {
    const { result, views } = clean.lab;
    expect(result.plan.unplaced.map((u) => u.task)).toEqual(["sim-sweep"]);
    const expected: PolicyViolation[] = [
      { policy: UNPLACED, level: "advisory", message: `task 'sim-sweep' (priority 1) is unplaced: ${result.plan.unplaced[0].reasons[0]}`, resource: RECORD },
    ];
    expect(result.policies.violations).toEqual(expected);
    expect(expected[0].message).toMatch(/^task 'sim-sweep' \(priority 1\) is unplaced: 0\/5 environments: .*too small for compute/);
    expect(evaluateStack(views)).toEqual(expected);
    expect(exitStatus(result.policies.violations)).toBe(0);
  });
});

describe("a pin that breaks latency", () => {
  let pinned: { result: PreviewResult; views: ResourceView[] };
  let root: string;
  beforeAll(async () => {
    root = rootWithPin("catalogs/sites/factory-a.yaml", "action-execution", "cloud");
    pinned = await preview("factory-a", root);
  });
  afterAll(() => removeRoot(root));

  it("is placed where the pin says, and the plan records the broken SLO", () => {
    const p = pinned.result.plan.placements.find((x) => x.task === "action-execution");
    expect(p).toMatchObject({ tier: "cloud", pinned: true, maxLatency: 10 });
    expect(p!.latencyMs).toBeGreaterThan(10);
    expect(pinned.result.plan.violations.map((v) => [v.task, v.rule])).toEqual([["action-execution", "latency"]]);
  });

  it("makes only the latency policy fire, naming the task and its Instance; the preview exits 1", () => {
    const { violations } = pinned.result.policies;
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ policy: LATENCY, level: "mandatory", resource: `${INSTANCE} cloud-action-execution` });
    expect(violations[0].message).toContain("task 'action-execution' on cloud (instance)");
    expect(violations[0].message).toContain("exceeds its SLO of 10 ms");
    expect(violations[0].message).toContain("pinned");
    expect(exitStatus(violations)).toBe(1);
    expect(evaluateStack(pinned.views)).toEqual(violations);
  });
});

describe("a pin that overflows capacity", () => {
  let pinned: { result: PreviewResult; views: ResourceView[] };
  let root: string;
  beforeAll(async () => {
    root = rootWithPin("catalogs/vla-tasks.yaml", "model-training", "edge");
    pinned = await preview("factory-a", root);
  });
  afterAll(() => removeRoot(root));

  it("puts 500 TFLOPS on the 100-TFLOPS edge, within model-training's latency SLO", () => {
    const p = pinned.result.plan.placements.find((x) => x.task === "model-training");
    expect(p).toMatchObject({ tier: "edge", pinned: true, compute: 500 });
    expect(p!.latencyMs).toBeLessThanOrEqual(p!.maxLatency);
    expect(pinned.result.plan.violations.every((v) => v.rule === "capacity")).toBe(true);
  });

  it("makes only the capacity policy fire, naming edge and compute; latency does not; the preview exits 1", () => {
    const { violations } = pinned.result.policies;
    expect(policies(violations)).toEqual([CAPACITY]);
    expect(violations.every((v) => v.level === "mandatory")).toBe(true);
    expect(violations.map((v) => v.message)).toContainEqual(expect.stringMatching(/^edge: compute demand 500 TFLOPS exceeds the usable 100 TFLOPS .*model-training/));
    expect(violations.every((v) => v.message.startsWith("edge: "))).toBe(true);
    expect(exitStatus(violations)).toBe(1);
  });
});

describe("resources edited after a clean preview of factory-a", () => {
  const views = () => copy(clean["factory-a"].views);
  const instanceOf = (v: ResourceView[]) => find(v, INSTANCE, "cloud-model-training");

  it("an instance type too small for the task: only instance-fit fires", () => {
    const v = views();
    expect(instanceOf(v).props.instanceType).toBe("g5.12xlarge");
    instanceOf(v).props.instanceType = "g6.xlarge";
    expect(evaluateStack(v)).toEqual([
      { policy: FIT, level: "mandatory", message: "task 'model-training' needs 500 TFLOPS; g6.xlarge gives 121", resource: `${INSTANCE} cloud-model-training` },
    ]);
  });

  it("an instance type tierplan does not know: only instance-fit fires", () => {
    const v = views();
    instanceOf(v).props.instanceType = "t3.micro";
    const out = evaluateStack(v);
    expect(policies(out)).toEqual([FIT]);
    expect(out).toHaveLength(1);
    expect(out[0].message).toContain("'t3.micro' is not in tierplan's instance table");
  });

  it("a root volume smaller than the task's storage: only instance-fit fires", () => {
    const v = views();
    instanceOf(v).props.rootBlockDevice.volumeSize = 4000;
    expect(evaluateStack(v)).toEqual([
      { policy: FIT, level: "mandatory", message: "task 'model-training' needs 5000 GB of storage; the root volume has 4000 GB", resource: `${INSTANCE} cloud-model-training` },
    ]);
  });

  it("a Deployment with no placement: only the capacity cross-check fires", () => {
    const v = views();
    const stray = copy(find(v, DEPLOYMENT, "edge-realtime-inference"));
    stray.name = "edge-ghost";
    stray.props.metadata.name = "ghost";
    stray.props.metadata.annotations[FACT_KEYS.task] = "ghost";
    stray.props.metadata.annotations[FACT_KEYS.source] = "ghost";
    v.push(stray);
    expect(evaluateStack(v)).toEqual([
      { policy: CAPACITY, level: "mandatory", message: "deployment for task 'ghost' has no placement in the plan record: remove it or re-plan", resource: `${DEPLOYMENT} edge-ghost` },
    ]);
  });

  it("a placement with no workload (its Deployment removed): only capacity fires, against the plan record", () => {
    const v = views().filter((r) => !(r.type === DEPLOYMENT && r.name === "edge-realtime-inference"));
    expect(evaluateStack(v)).toEqual([
      { policy: CAPACITY, level: "mandatory", message: "task 'realtime-inference' is placed on edge in the plan record but no workload runs it", resource: RECORD },
    ]);
  });

  it("a non-number latency fact is reported by the latency policy, and the unreadable workload counts as missing", () => {
    const v = views();
    instanceOf(v).props.tags[FACT_KEYS.latencyMs] = "fast";
    const out = evaluateStack(v);
    expect(out).toEqual([
      {
        policy: LATENCY,
        level: "mandatory",
        message: `tierplan placement facts are unreadable: ${FACT_KEYS.latencyMs} is not a number: 'fast'`,
        resource: `${INSTANCE} cloud-model-training`,
      },
      { policy: CAPACITY, level: "mandatory", message: "task 'model-training' is placed on cloud in the plan record but no workload runs it", resource: RECORD },
    ]);
  });

  it("a gzipped plan record is read like the plain one", () => {
    const v = views();
    const record = find(v, "kubernetes:core/v1:ConfigMap", "plan-record");
    const json = record.props.data["plan.json"] as string;
    delete record.props.data;
    record.props.binaryData = { "plan.json.gz": gzipSync(json).toString("base64") };
    expect(evaluateStack(v)).toEqual([]);
    expect(planRecordOf(v)?.plan).toEqual(JSON.parse(json));
    // …and what it says is enforced: with the edge halved in the zipped record, realtime-inference's 50 Mbps no longer fit.
    const shrunk = JSON.parse(json) as Plan;
    shrunk.environments.find((e) => e.name === "edge")!.bandwidth = 40;
    record.props.binaryData = { "plan.json.gz": gzipSync(JSON.stringify(shrunk)).toString("base64") };
    expect(evaluateStack(v).map((x) => [x.policy, x.message])).toEqual([[CAPACITY, expect.stringMatching(/^edge: bandwidth demand 50 Mbps exceeds the usable 40 Mbps/)]]);
  });

  it("workloads without a plan record: capacity fires", () => {
    const v = views().filter((r) => r.name !== "plan-record");
    const out = evaluateStack(v);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ policy: CAPACITY, level: "mandatory" });
    expect(out[0].message).toContain("no plan record");
  });
});

describe("resources edited after a clean preview of warehouse-east", () => {
  it("a robot config removed: capacity names each of that robot's tasks", () => {
    const { result, views } = clean["warehouse-east"];
    const local = result.plan.placements.filter((p) => p.tier === "amr-07").map((p) => p.task);
    expect(local.length).toBeGreaterThan(0);
    const v = copy(views).filter((r) => r.name !== "robot-amr-07-config");
    const out = evaluateStack(v);
    expect(policies(out)).toEqual([CAPACITY]);
    expect(out.map((x) => x.message).sort()).toEqual(local.map((t) => `task '${t}' is placed on amr-07 in the plan record but no workload runs it`).sort());
  });

  it("the plan record the program writes for a large plan is gzipped, and the policies read it", () => {
    const plan = copy(clean["warehouse-east"].result.plan);
    plan.recommendations = Array.from({ length: 12_000 }, (_, i) => `padding recommendation ${i} to push the record past the ConfigMap limit`);
    const data = planRecordData(plan);
    expect(data.data).toBeUndefined();
    expect(data.binaryData).toHaveProperty(["plan.json.gz"]);
    const v = copy(clean["warehouse-east"].views);
    const record = find(v, "kubernetes:core/v1:ConfigMap", "plan-record");
    delete record.props.data;
    record.props.binaryData = data.binaryData;
    expect(planRecordOf(v)?.plan?.recommendations).toHaveLength(12_000);
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
