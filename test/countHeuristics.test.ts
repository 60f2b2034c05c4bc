import { describe, expect, it, vi } from "vitest";
import type { PlanningInput } from "../src/catalog/schema";
import { buildProblem } from "../src/model";
import { buildInstance } from "../src/optimizer/instance";
import type { Stage } from "../src/optimizer/milp";
import { highs, nodeLimit, solveStage } from "../src/optimizer/milp";
import { solve } from "../src/optimizer/solve";
import { DEFAULT_BUDGET } from "../src/optimizer/types";
import { packingSite } from "./support/sites";

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

describe("count stages' node limit", () => {
  it("gives a smaller model the node-columns of a full-size one, up to the cap", () => {
    const nodeWork = { work: 200 * 5_000, cap: 1_000 };
    expect(nodeLimit({ maxNodes: 200, nodeWork }, 328)).toBe(1_000);
    expect(nodeLimit({ maxNodes: 200, nodeWork }, 1_661)).toBe(602);
    expect(nodeLimit({ maxNodes: 200, nodeWork }, 6_000)).toBe(200);
    expect(nodeLimit({ maxNodes: 200 }, 328)).toBe(200);
    // HiGHS refuses a node limit over 32 bits: a budget near it scales up to its maximum, no further.
    const huge = 2 ** 31 - 1;
    expect(nodeLimit({ maxNodes: huge, nodeWork: { work: huge * 5_000, cap: huge * 5 } }, 10)).toBe(huge);
    expect(nodeLimit({ maxNodes: 5e8, nodeWork: { work: 5e8 * 5_000, cap: 5e8 * 5 } }, 1_000)).toBe(huge);
    // exact lifts the column limit: its stages keep their node limit.
    expect(nodeLimit({ maxNodes: 50_000, nodeWork: { work: Infinity, cap: 50_000 } }, 328)).toBe(50_000);
  });

  it("is scaled in auto's count stages by the budget, and not in exact's", async () => {
    const auto = await countStages({ algorithm: "auto" });
    const { milpNodes, milpMaxColumns, countNodeScale } = DEFAULT_BUDGET;
    expect(auto.length).toBeGreaterThan(0);
    for (const s of auto)
      expect(s.nodeWork).toEqual({ work: milpNodes * milpMaxColumns, cap: milpNodes * countNodeScale });
    const exact = await countStages({ algorithm: "exact" });
    for (const s of exact) expect(nodeLimit(s, 10)).toBe(s.maxNodes);
    const off = await countStages({ algorithm: "auto", budget: { countNodeScale: 1 } });
    expect(exact.length * off.length).toBeGreaterThan(0);
    for (const s of off) expect(nodeLimit(s, 10)).toBe(s.maxNodes);
  });

  it("reaches HiGHS: the stage stops at the scaled limit, not at maxNodes", async () => {
    const inst = buildInstance(buildProblem(packingSite));
    const solver = await highs();
    const stage = { goal: { count: 1 }, minPriority: 1, minPlaced: new Map(), forced: new Set<number>(), maxNodes: 5 };
    const plain = solveStage(solver, inst, stage);
    expect(plain.nodes).toBeLessThanOrEqual(5);
    expect(plain.optimal).toBe(false);
    const scaled = solveStage(solver, inst, { ...stage, nodeWork: { work: 1_000 * 64, cap: 1_000 } });
    expect(scaled.nodes).toBeGreaterThan(5);
    expect(scaled.optimal).toBe(true);
    expect(scaled.objective).toBe(13);
  });
});
