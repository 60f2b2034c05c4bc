import { describe, expect, it } from "vitest";
import { evaluateStack, unplacedTasks, type ResourceView } from "../rules";
import { env, labelOf, placement, plan, planRecord, planRecordRaw } from "./support/fixtures";

const EDGE = env("edge", "edge");

function stack(unplaced: { task: string; priority: number; reasons: string[] }[]): {
  record: ResourceView;
  resources: ResourceView[];
} {
  // No workloads and no placements, so only this rule can fire under evaluateStack.
  const record = planRecord(plan({ environments: [EDGE], unplaced: unplaced.map((u) => ({ ...u, source: u.task })) }));
  return { record, resources: [record] };
}

const SWEEP = {
  task: "sweep",
  priority: 1,
  reasons: ["0/1 environments: 1 too small for compute (usable 100 < 4000)", "edge: compute 4000 > usable 100"],
};
const VIP = { task: "vip", priority: 3, reasons: ["edge: latency 12 ms > 10 ms"] };

describe("tierplan-unplaced-tasks", () => {
  it("is an advisory policy with minPriority 1 by default", () => {
    expect(unplacedTasks.name).toBe("tierplan-unplaced-tasks");
    expect(unplacedTasks.enforcementLevel).toBe("advisory");
    expect(unplacedTasks.defaults).toEqual({ minPriority: 1 });
    expect(unplacedTasks.configSchema.properties).toHaveProperty("minPriority");
  });

  it("reports each unplaced task with its priority and the plan's first reason, against the plan record", () => {
    const { record, resources } = stack([SWEEP, VIP]);
    expect(unplacedTasks.check(resources, { minPriority: 1 })).toEqual([
      { resource: labelOf(record), message: `task 'sweep' (priority 1) is unplaced: ${SWEEP.reasons[0]}` },
      { resource: labelOf(record), message: "task 'vip' (priority 3) is unplaced: edge: latency 12 ms > 10 ms" },
    ]);
  });

  it("reports nothing when every task is placed", () => {
    const record = planRecord(plan({ environments: [EDGE], placements: [placement("a", "edge", "edge")] }));
    expect(unplacedTasks.check([record], unplacedTasks.defaults)).toEqual([]);
  });

  it("filters by minPriority, inclusively", () => {
    const { resources } = stack([SWEEP, VIP]);
    const tasks = (minPriority: number) =>
      unplacedTasks.check(resources, { minPriority }).map((v) => v.message.split("'")[1]);
    expect(tasks(2)).toEqual(["vip"]);
    expect(tasks(3)).toEqual(["vip"]);
    expect(tasks(4)).toEqual([]);
  });

  it("says so when the plan gave no reason", () => {
    const { resources } = stack([{ task: "mute", priority: 1, reasons: [] }]);
    expect(unplacedTasks.check(resources, { minPriority: 1 }).map((v) => v.message)).toEqual([
      "task 'mute' (priority 1) is unplaced: no reason recorded",
    ]);
  });

  it("leaves a missing or unreadable plan record to the capacity policy", () => {
    expect(unplacedTasks.check([], { minPriority: 1 })).toEqual([]);
    expect(unplacedTasks.check([planRecordRaw({ data: { "plan.json": "{" } })], { minPriority: 1 })).toEqual([]);
  });
});

describe("evaluateStack settings, as a policy config file gives them", () => {
  const { record, resources } = stack([SWEEP]);
  const expected = {
    policy: "tierplan-unplaced-tasks",
    resource: labelOf(record),
    message: `task 'sweep' (priority 1) is unplaced: ${SWEEP.reasons[0]}`,
  };

  it("reports at the rule's default level (advisory) without settings", () => {
    expect(evaluateStack(resources)).toEqual([{ ...expected, level: "advisory" }]);
  });

  it("raises the level to mandatory with a level string", () => {
    expect(evaluateStack(resources, { "tierplan-unplaced-tasks": "mandatory" })).toEqual([
      { ...expected, level: "mandatory" },
    ]);
  });

  it("drops the rule when disabled, as a string or as enforcementLevel", () => {
    expect(evaluateStack(resources, { "tierplan-unplaced-tasks": "disabled" })).toEqual([]);
    expect(evaluateStack(resources, { "tierplan-unplaced-tasks": { enforcementLevel: "disabled" } })).toEqual([]);
  });

  it("passes config values to the rule, keeping the default level unless one is given", () => {
    expect(evaluateStack(resources, { "tierplan-unplaced-tasks": { minPriority: 2 } })).toEqual([]);
    expect(evaluateStack(resources, { "tierplan-unplaced-tasks": { minPriority: 1 } })).toEqual([
      { ...expected, level: "advisory" },
    ]);
    expect(
      evaluateStack(resources, { "tierplan-unplaced-tasks": { enforcementLevel: "mandatory", minPriority: 1 } }),
    ).toEqual([{ ...expected, level: "mandatory" }]);
  });

  it("leaves the other policies' levels alone", () => {
    // A managed Deployment that names no task: placement-matches-plan reports it, at the level set for it.
    const annotations = { "tierplan/managed-by": "tierplan" };
    const stray: ResourceView = {
      type: "kubernetes:apps/v1:Deployment",
      name: "stray",
      props: { metadata: { annotations } },
    };
    const out = evaluateStack([...resources, stray], {
      "tierplan-unplaced-tasks": "mandatory",
      "tierplan-placement-matches-plan": "advisory",
    });
    expect(out.map((v) => [v.policy, v.level])).toEqual([
      ["tierplan-placement-matches-plan", "advisory"],
      ["tierplan-unplaced-tasks", "mandatory"],
    ]);
  });
});
