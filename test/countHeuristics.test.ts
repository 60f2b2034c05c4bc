import { describe, expect, it, vi } from "vitest";
import type { PlanningInput } from "../src/catalog/schema";
import { buildProblem } from "../src/model";
import { buildInstance } from "../src/optimizer/instance";
import type { Stage } from "../src/optimizer/milp";
import { highs, solveStage } from "../src/optimizer/milp";
import { solve } from "../src/optimizer/solve";
import { DEFAULT_BUDGET } from "../src/optimizer/types";

const { stages } = vi.hoisted(() => ({ stages: [] as Stage[] }));
vi.mock("../src/optimizer/milp", async (importOriginal) => {
  const real = await importOriginal<typeof import("../src/optimizer/milp")>();
  return {
    ...real,
    solveStage: (...args: Parameters<typeof real.solveStage>) => {
      stages.push(args[2]);
      return real.solveStage(...args);
    },
  };
});

/** Four tasks on two tiers whose p2 count the heuristic and the bounds leave open: a count stage runs. */
const contested = {
  site: "prop",
  objective: { preset: "balanced", weights: { latency: 0.5, cost: 0.5 }, reserve: 0.1 },
  tiers: [
    { name: "t0", kind: "robot", compute: 17, storage: 6, bandwidth: 3, latency: 2, costPerHour: 6 },
    { name: "t1", kind: "robot", compute: 28, storage: 19, bandwidth: 26, latency: 1, costPerHour: 9 },
  ],
  robots: [],
  tasks: [
    {
      name: "task0",
      compute: 0,
      storage: 0,
      bandwidth: 8,
      maxLatency: 25,
      cost: 2,
      priority: 1,
      perRobot: false,
      pin: "t0",
    },
    {
      name: "task1",
      compute: 16,
      storage: 4,
      bandwidth: 3,
      maxLatency: 5,
      cost: 4,
      priority: 3,
      perRobot: false,
      allowedTiers: ["t1", "cloud"],
      pin: "t0",
    },
    {
      name: "task2",
      compute: 19,
      storage: 17,
      bandwidth: 17,
      maxLatency: 25,
      cost: 5,
      priority: 2,
      perRobot: false,
      allowedTiers: ["t1", "edge"],
    },
    {
      name: "task3",
      compute: 10,
      storage: 2,
      bandwidth: 17,
      maxLatency: 100,
      cost: 0,
      priority: 2,
      perRobot: false,
      allowedTiers: ["t1", "edge"],
    },
  ],
} as PlanningInput;

async function countStages(options: Parameters<typeof solve>[1]): Promise<Stage[]> {
  stages.length = 0;
  await solve(buildProblem(contested), options);
  return stages.filter((s) => typeof s.goal === "object" && !s.relax);
}

describe("count stages' share of primal heuristics", () => {
  it("is the budget's in auto (more heuristics: more placed within the same nodes)", async () => {
    const counts = await countStages({ algorithm: "auto" });
    expect(counts.length).toBeGreaterThan(0);
    for (const s of counts) expect(s.heuristicEffort).toBe(DEFAULT_BUDGET.countHeuristics);
  });

  it("is HiGHS's default in exact (a proof gains from fewer) and follows a given budget", async () => {
    const exact = await countStages({ algorithm: "exact" });
    const given = await countStages({ algorithm: "auto", budget: { countHeuristics: 0.2 } });
    expect(exact.length).toBeGreaterThan(0);
    expect(given.length).toBeGreaterThan(0);
    for (const s of exact) expect(s.heuristicEffort).toBe(0.05);
    for (const s of given) expect(s.heuristicEffort).toBe(0.2);
  });

  it("reaches HiGHS: a share outside 0-1 is refused by the solver", async () => {
    const inst = buildInstance(buildProblem(contested));
    const solver = await highs();
    const stage = { goal: { count: 2 }, minPriority: 2, minPlaced: new Map(), forced: new Set<number>(), maxNodes: 10 };
    expect(solveStage(solver, inst, { ...stage, heuristicEffort: 1 }).objective).toBeGreaterThan(0);
    expect(() => solveStage(solver, inst, { ...stage, heuristicEffort: 2 })).toThrow();
  });
});
