import { describe, expect, it } from "vitest";
import { loadCatalog } from "../src/catalog";
import type { PlanningInput } from "../src/catalog/schema";
import { buildProblem, cost, latency } from "../src/model";
import { planSite } from "../src/plan";

// The seed's worked example (docs/input.md, "Worked example: the seed's smart factory"): three environments, three tasks.
const cloud = {
  name: "cloud",
  kind: "cloud" as const,
  compute: 1000,
  storage: 10000,
  bandwidth: 1000,
  latency: 50,
  costPerHour: 10,
};
const edge = {
  name: "edge",
  kind: "edge" as const,
  compute: 100,
  storage: 1000,
  bandwidth: 100,
  latency: 10,
  costPerHour: 5,
};
const training = {
  name: "model-training",
  compute: 500,
  storage: 5000,
  bandwidth: 100,
  maxLatency: 10000,
  cost: 50,
  priority: 1,
  perRobot: false,
};
const inference = {
  name: "realtime-inference",
  compute: 10,
  storage: 10,
  bandwidth: 50,
  maxLatency: 100,
  cost: 1,
  priority: 1,
  perRobot: false,
};

function input(overrides: Partial<PlanningInput>): PlanningInput {
  return {
    site: "seed",
    objective: { preset: "balanced", weights: { latency: 1, cost: 1 }, reserve: 0.1 },
    tiers: [cloud, edge],
    robots: [],
    tasks: [training, inference],
    ...overrides,
  };
}

describe("the seed's worked numbers (docs/contract.md §2's formulas)", () => {
  const problem = buildProblem(input({}));
  const [cloudEnv, edgeEnv] = problem.environments;
  const [trainingTask, inferenceTask] = problem.tasks;

  it("task 1 (model training) on the cloud: 55.5 ms and cost 55", () => {
    expect(latency(trainingTask, cloudEnv)).toBe(55.5);
    expect(cost(trainingTask, cloudEnv)).toBe(55);
  });

  it("task 2 (realtime inference) on the edge: 10.2 ms and cost 1.5", () => {
    expect(latency(inferenceTask, edgeEnv)).toBeCloseTo(10.2, 12);
    expect(cost(inferenceTask, edgeEnv)).toBeCloseTo(1.5, 12);
  });
});

describe("the smart factory (docs/input.md, worked example)", () => {
  it.each(["auto", "exact", "seed-greedy"] as const)(
    "%s: training → cloud, inference → edge, action → robot",
    async (algorithm) => {
      const plan = await planSite(loadCatalog(["examples/smart-factory.yaml"]), { algorithm });
      const tierOf = Object.fromEntries(plan.placements.map((p) => [p.task, p.tier]));
      expect(tierOf).toEqual({ "model-training": "cloud", "realtime-inference": "edge", "action-execution": "arm-1" });
      expect(plan.unplaced).toEqual([]);
      expect(plan.violations).toEqual([]);
      const byTask = Object.fromEntries(plan.placements.map((p) => [p.task, p]));
      expect(byTask["model-training"].latencyMs).toBe(55.5);
      expect(byTask["realtime-inference"].cost).toBeCloseTo(1.5, 12);
      // The seed's case 1 quotes 1.001 ms: it drops the storage term the formula has (1/10 GB/Mbps).
      expect(byTask["action-execution"].latencyMs).toBeCloseTo(1.2, 12);
    },
  );

  it("with the default 10 % reserve the action task cannot fit the arm's 10 Mbps, and the plan says why", async () => {
    const catalog = loadCatalog(["examples/smart-factory.yaml"]);
    const plan = await planSite({ ...catalog, objective: { ...catalog.objective, reserve: 0.1 } });
    expect(plan.unplaced.map((u) => u.task)).toEqual(["action-execution"]);
    const reasons = plan.unplaced[0].reasons;
    expect(reasons[0]).toBe("0/3 environments: 2 latency 10.02 ms > 10 ms, 1 too small for bandwidth (usable 9 < 10)");
    expect(reasons).toContain("arm-1: bandwidth 10 > usable 9");
  });
});

describe("where the seed contradicts itself", () => {
  it('the seed\'s example 1 (docs/input.md, "Where the seed contradicts itself") puts the 500-TFLOPS training on the 100-TFLOPS edge (score 40 < 55.5); we never exceed a capacity', async () => {
    // The example's own inputs: compute only, no storage or bandwidth demand.
    const plan = await planSite(
      input({
        tasks: [
          { ...training, storage: 0, bandwidth: 0, cost: 0 },
          { ...inference, storage: 0, bandwidth: 0, cost: 0 },
        ],
      }),
    );
    const tierOf = Object.fromEntries(plan.placements.map((p) => [p.task, p.tier]));
    expect(tierOf["model-training"]).toBe("cloud");
    expect(tierOf["realtime-inference"]).toBe("edge");
    for (const u of plan.utilization)
      expect(Math.max(u.compute, u.storage, u.bandwidth)).toBeLessThanOrEqual(0.9 + 1e-12);
  });

  it("the seed's example 2: three 500-TFLOPS trainings, the cloud holds two only without a reserve", async () => {
    const three = [1, 2, 3].map((i) => ({ ...training, name: `training-${i}`, storage: 0, bandwidth: 0 }));
    const noReserve = await planSite(
      input({ tasks: three, objective: { preset: "balanced", weights: { latency: 1, cost: 1 }, reserve: 0 } }),
    );
    expect(noReserve.placements.map((p) => p.tier)).toEqual(["cloud", "cloud"]);
    const withReserve = await planSite(input({ tasks: three }));
    expect(withReserve.placements.map((p) => p.tier)).toEqual(["cloud"]);
    expect(withReserve.unplaced[0].reasons[0]).toMatch(
      /^0\/2 environments: 1 too small for compute \(usable 90 < 500\), 1 insufficient compute \(free 400 < 500\)$/,
    );
  });
});
