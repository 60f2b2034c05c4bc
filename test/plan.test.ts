import { describe, expect, it } from "vitest";
import { loadCatalog, loadCatalogSources } from "../src/catalog";
import type { PlanningInput } from "../src/catalog/schema";
import { canonicalPlan, planHash, planSite, renderPlan } from "../src/plan";

const factory = (): PlanningInput => loadCatalog(["examples/smart-factory.yaml"]);
const withTask = (input: PlanningInput, name: string, change: object): PlanningInput => ({
  ...input,
  tasks: input.tasks.map((t) => (t.name === name ? { ...t, ...change } : t)),
});

describe("pins: placed no matter what, every broken rule listed", () => {
  it("a pin that breaks the latency SLO", async () => {
    const plan = await planSite(withTask(factory(), "action-execution", { pin: "cloud" }));
    expect(plan.placements.find((p) => p.task === "action-execution")).toMatchObject({ tier: "cloud", pinned: true });
    expect(plan.violations).toEqual([
      { task: "action-execution", tier: "cloud", rule: "latency", message: "latency 50.002 ms on cloud > SLO 10 ms" },
    ]);
  });

  it("a pin onto another task's robot breaks the binding rule (reported as allowed)", async () => {
    const plan = await planSite(withTask(factory(), "realtime-inference", { pin: "arm-1" }));
    expect(plan.violations.map((v) => [v.task, v.tier, v.rule])).toContainEqual([
      "realtime-inference",
      "arm-1",
      "allowed",
    ]);
  });

  it("a pin outside allowedTiers", async () => {
    const plan = await planSite(withTask(factory(), "model-training", { pin: "cloud", allowedTiers: ["edge"] }));
    expect(plan.violations.map((v) => v.rule)).toEqual(["allowed"]);
  });

  it("pins that overflow an environment together are each blamed, and nothing else is put there", async () => {
    const input = factory();
    input.tasks.push(
      {
        name: "batch-a",
        compute: 60,
        storage: 0,
        bandwidth: 0,
        maxLatency: 1000,
        cost: 0,
        priority: 1,
        perRobot: false,
        pin: "edge",
      },
      {
        name: "batch-b",
        compute: 60,
        storage: 0,
        bandwidth: 0,
        maxLatency: 1000,
        cost: 0,
        priority: 1,
        perRobot: false,
        pin: "edge",
      },
    );
    const plan = await planSite(input);
    expect(plan.violations.filter((v) => v.rule === "capacity").map((v) => v.task)).toEqual(["batch-a", "batch-b"]);
    expect(plan.violations[0].message).toBe("compute placed on edge 120 > usable 100 (this pin takes 60)");
    expect(plan.placements.filter((p) => p.tier === "edge" && !p.pinned)).toEqual([]);
    expect(plan.utilization.find((u) => u.tier === "edge")!.bottlenecks).toEqual([
      { dimension: "compute", usableShare: 1.2, severity: "high" },
    ]);
    expect(plan.recommendations[0]).toMatch(/edge compute 120% \(high\)/);
  });
});

describe("per-robot tasks and fleets", () => {
  const fleet = `
site: fleet
tiers:
  - { name: edge, kind: edge, compute: 100, storage: 1000, bandwidth: 1000, latency: 5, costPerHour: 5 }
robots:
  - { name: amr-1, compute: 10, storage: 64, bandwidth: 100, latency: 1, costPerHour: 1 }
  - { name: amr-2, compute: 10, storage: 64, bandwidth: 100, latency: 1, costPerHour: 1 }
tasks:
  - { name: control, compute: 2, storage: 1, bandwidth: 5, maxLatency: 3, priority: 3, perRobot: true }
  - { name: perception, compute: 40, storage: 10, bandwidth: 50, maxLatency: 50, priority: 2, perRobot: true }
`;
  it("one bound copy per robot, named <task>@<robot>, each on its own robot or a shared tier", async () => {
    const plan = await planSite(loadCatalogSources([{ file: "fleet.yaml", text: fleet }]));
    const tierOf = Object.fromEntries(plan.placements.map((p) => [p.task, p.tier]));
    expect(tierOf).toEqual({
      "control@amr-1": "amr-1",
      "control@amr-2": "amr-2",
      "perception@amr-1": "edge",
      "perception@amr-2": "edge",
    });
    expect(plan.placements.find((p) => p.task === "control@amr-2")).toMatchObject({
      robot: "amr-2",
      source: "control",
    });
    expect(plan.solver).toMatchObject({ optimal: true, gap: 0 });
  });

  it("a task that fits nowhere counts the other robots' private environments instead of listing them", async () => {
    const input = loadCatalogSources([{ file: "fleet.yaml", text: fleet }]);
    input.tasks.push({
      name: "huge",
      compute: 500,
      storage: 0,
      bandwidth: 0,
      maxLatency: 10,
      cost: 0,
      priority: 1,
      perRobot: false,
      robot: "amr-1",
    });
    const plan = await planSite(input);
    expect(plan.unplaced.find((u) => u.task === "huge")!.reasons).toEqual([
      "0/3 environments: 1 private to other robots, 1 latency 51 ms > 10 ms, 1 too small for compute (usable 90 < 500)",
      "edge: compute 500 > usable 90",
      "amr-1: latency 51 ms > 10 ms",
    ]);
  });
});

describe("plan identity and rendering", () => {
  it("the plan hash ignores the solve time and changes with the plan", async () => {
    const a = await planSite(factory());
    const b = await planSite(factory());
    expect(a.solver.ms).toBeGreaterThan(0);
    expect(JSON.stringify(canonicalPlan(a))).toBe(JSON.stringify(canonicalPlan(b)));
    expect(planHash(a)).toBe(planHash(b));
    const c = await planSite(withTask(factory(), "action-execution", { pin: "cloud" }));
    expect(planHash(c)).not.toBe(planHash(a));
  });

  it("the table shows every placement, the violations and the solver facts", async () => {
    const text = renderPlan(await planSite(withTask(factory(), "action-execution", { pin: "cloud" })));
    expect(text).toContain("Site factory-a: 3 of 3 tasks placed");
    expect(text).toMatch(/action-execution\s+cloud\s+cloud\s+3\s+50.002 ms\s+10 ms/);
    expect(text).toContain("✗ action-execution on cloud [latency]");
    expect(text).toMatch(/Solver: auto via (milp|regret\+lagrangian) · placed by priority p3 1\/1/);
  });
});
