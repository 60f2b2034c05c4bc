import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PlanningInput } from "../src/catalog/schema";
import { buildProblem, type Problem } from "../src/model";
import { respectsCapacity, worth } from "../src/optimizer/evaluate";
import { buildInstance, type Instance } from "../src/optimizer/instance";
import { highs, solveStage } from "../src/optimizer/milp";
import { seedGreedy } from "../src/optimizer/seedGreedy";
import { solve } from "../src/optimizer/solve";
import type { Packed } from "../src/optimizer/types";
import { homeNeighbourhood } from "../src/optimizer/windows";
import { machineInput, smallInput } from "./support/arbitraries";
import { bruteForce } from "./support/bruteForce";

const runs = { numRuns: 150, seed: 20261130 };
const resources = { storage: 100, bandwidth: 100, costPerHour: 1 };

function task(name: string, robot: string, compute: number, priority: number, extra: object = {}) {
  return {
    name,
    robot,
    compute,
    storage: 1,
    bandwidth: 1,
    maxLatency: 50,
    cost: 1,
    priority,
    perRobot: false,
    ...extra,
  };
}

/**
 * Robots of 8, 12 and 16 TFLOPS in turn, each with two priority-2 and two priority-1 tasks, and two
 * shared edge tiers: the heavier tasks spill over, and where they spill decides how many fit.
 */
function spillSite(robots: number): PlanningInput {
  const fleet = Array.from({ length: robots }, (_, i) => ({
    name: `r${i}`,
    compute: [8, 12, 16][i % 3],
    latency: 1,
    ...resources,
  }));
  const tasks = fleet.flatMap((r, i) => [
    task(`nav-${i}`, r.name, [6, 5, 7][i % 3], 2),
    task(`plan-${i}`, r.name, [4, 6, 3][i % 3], 2),
    task(`vision-${i}`, r.name, [9, 7, 10][i % 3], 1, { cost: 2 }),
    task(`log-${i}`, r.name, [3, 4, 5][i % 3], 1, { cost: 0, maxLatency: 80 }),
  ]);
  return {
    site: "spill",
    objective: { preset: "realtime", weights: { latency: 0.8, cost: 0.2 }, reserve: 0 },
    tiers: [
      { name: "edge-a", kind: "edge", compute: 30, latency: 5, ...resources },
      { name: "edge-b", kind: "edge", compute: 20, latency: 8, ...resources },
    ],
    robots: fleet,
    tasks,
  } as PlanningInput;
}

function envIndex(problem: Problem, name: string | undefined): number {
  return problem.environments.find((e) => e.name === name)?.index ?? -1;
}

/** The environments a task may take in the instance: its candidates that fit. */
function places(inst: Instance, t: number): number[] {
  const out: number[] = [];
  for (let c = inst.candStart[t]; c < inst.candStart[t + 1]; c++) if (inst.candFits[c]) out.push(inst.candEnv[c]);
  return out.sort((a, b) => a - b);
}

/** The count stage at level index `i` over the neighbourhood, solved to optimality. */
async function neighbourhoodStage(inst: Instance, i: number, incumbent: Packed) {
  const placed = worth(inst, incumbent).placed;
  return solveStage(await highs(), homeNeighbourhood(inst, inst.levels[i], incumbent), {
    goal: { count: inst.levels[i] },
    minPriority: inst.levels[i],
    minPlaced: new Map(inst.levels.slice(0, i).map((level, k) => [level, placed[k]])),
    forced: new Set(),
    maxNodes: Infinity,
    start: incumbent,
  });
}

describe("the count stage around a plan (homeNeighbourhood)", () => {
  it("keeps a task above the level where the plan has it or on its own robot, and the level's tasks everywhere", async () => {
    // r0 holds one of a and c, not both; b fits edge-a only, where the plan put a.
    const input = {
      site: "home",
      objective: { preset: "balanced", weights: { latency: 1, cost: 1 }, reserve: 0 },
      tiers: [
        { name: "edge-a", kind: "edge", compute: 12, latency: 5, ...resources },
        { name: "edge-b", kind: "edge", compute: 12, latency: 5, ...resources },
      ],
      robots: [{ name: "r0", compute: 10, latency: 1, ...resources }],
      tasks: [task("a", "r0", 6, 2), task("b", "r0", 12, 1, { allowedTiers: ["edge-a"] }), task("c", "r0", 5, 2)],
    } as PlanningInput;
    const problem = buildProblem(input);
    const inst = buildInstance(problem);
    const [edgeA, edgeB, r0] = ["edge-a", "edge-b", "r0"].map((name) => envIndex(problem, name));
    const incumbent = { assignment: Int32Array.from([edgeA, -1, edgeB]), machine: new Int32Array(3).fill(-1) };
    const hood = homeNeighbourhood(inst, 1, incumbent);
    expect(places(inst, 0)).toEqual([edgeA, edgeB, r0].sort((x, y) => x - y));
    expect(places(hood, 0)).toEqual([edgeA, r0].sort((x, y) => x - y));
    expect(places(hood, 2)).toEqual([edgeB, r0].sort((x, y) => x - y));
    expect(places(hood, 1)).toEqual(places(inst, 1));
    // a goes home to make room for b; c stays on edge-b.
    const result = await neighbourhoodStage(inst, 1, incumbent);
    expect(Array.from(result.packed!.assignment)).toEqual([r0, edgeA, edgeB]);
  });

  it("gives plans of the site that keep the counts above, and places no fewer at the level than the plan", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(smallInput(6), machineInput({ maxRobots: 2 })),
        fc.integer({ min: 0, max: 2 }),
        async (input, pick) => {
          const problem = buildProblem(input);
          const inst = buildInstance(problem);
          const i = pick % inst.levels.length;
          const incumbent = seedGreedy(inst);
          const before = worth(inst, incumbent).placed;
          const packed = (await neighbourhoodStage(inst, i, incumbent)).packed!;
          const after = worth(inst, packed).placed;
          expect(respectsCapacity(inst, packed)).toBe(true);
          for (let k = 0; k < i; k++) expect(after[k]).toBeGreaterThanOrEqual(before[k]);
          expect(after[i]).toBeGreaterThanOrEqual(before[i]);
          // The top level has nothing above it: its neighbourhood is the whole stage.
          if (i === 0) expect(after[0]).toBe(bruteForce(problem).placed[0]);
          for (const t of problem.tasks) {
            if (inst.pinned[t.index] >= 0 || t.priority <= inst.levels[i]) continue;
            const e = packed.assignment[t.index];
            expect([-1, incumbent.assignment[t.index], envIndex(problem, t.robot)]).toContain(e);
          }
        },
      ),
      runs,
    );
  });

  it("runs in auto where the level's stage is too large for the MILP, and what it places more is kept", async () => {
    const problem = buildProblem(spillSite(50));
    const messages: string[] = [];
    // 583 variables at p1 over the budget's 400; 395 around the plan.
    const solution = await solve(problem, { budget: { milpMaxColumns: 400 }, onProgress: (m) => messages.push(m) });
    const around = messages.find((m) => m.startsWith("MILP: priority 1, around the plan"));
    expect(around).toBeDefined();
    const before = Number(/\((\d+) placed/.exec(around!)![1]);
    const after = problem.tasks.filter((t) => t.priority === 1 && solution.assignment[t.index] >= 0).length;
    expect(after).toBeGreaterThan(before);
  });
});
