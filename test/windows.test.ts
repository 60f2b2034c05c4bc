import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PlanningInput } from "../src/catalog/schema";
import { buildProblem } from "../src/model";
import { respectsCapacity, worth } from "../src/optimizer/evaluate";
import { buildInstance } from "../src/optimizer/instance";
import { highs, solveStage } from "../src/optimizer/milp";
import { seedGreedy } from "../src/optimizer/seedGreedy";
import { countWindows, windowInstance } from "../src/optimizer/windows";
import { machineInput, smallInput } from "./support/arbitraries";
import { bruteForce } from "./support/bruteForce";

const runs = { numRuns: 200, seed: 20261129 };

/** Robots of the instance, by environment index. */
function robotsOf(input: PlanningInput, problem: ReturnType<typeof buildProblem>): number[] {
  return input.robots.map((r) => problem.environments.find((e) => e.name === r.name)!.index);
}

async function windowStage(input: PlanningInput, pick: (robots: number[]) => number[]) {
  const problem = buildProblem(input);
  const inst = buildInstance(problem);
  const level = inst.levels[0];
  const incumbent = seedGreedy(inst);
  const window = pick(robotsOf(input, problem));
  const result = solveStage(await highs(), windowInstance(inst, window, level, incumbent), {
    goal: { count: level },
    minPriority: level,
    minPlaced: new Map(),
    forced: new Set(),
    maxNodes: Infinity,
    start: incumbent,
  });
  return { problem, inst, incumbent, window, result };
}

const resources = { storage: 100, bandwidth: 100, latency: 1, costPerHour: 1 };

function task(name: string, robot: string, compute: number) {
  return { name, compute, storage: 1, bandwidth: 1, maxLatency: 100, cost: 0, priority: 2, perRobot: false, robot };
}

/** Robots r0-r2 of 10 TFLOPS and an edge tier of `edge` TFLOPS. */
function fleet(tasks: Array<ReturnType<typeof task>>, edge: number): PlanningInput {
  return {
    site: "fleet",
    objective: { preset: "balanced", weights: { latency: 1, cost: 1 }, reserve: 0 },
    tiers: [{ name: "edge", kind: "edge", compute: edge, ...resources }],
    robots: ["r0", "r1", "r2"].map((name) => ({ name, compute: 10, ...resources })),
    tasks,
  } as PlanningInput;
}

describe("MILP windows over a fleet", () => {
  it("a window of every robot is the whole count stage: it places what the brute force proves", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(smallInput(6), machineInput({ maxRobots: 2 })), async (input) => {
        const { problem, inst, result } = await windowStage(input, (robots) => robots);
        expect(worth(inst, result.packed!).placed[0]).toBe(bruteForce(problem).placed[0]);
      }),
      runs,
    );
  });

  it("a window of one robot gives a plan of the whole site, keeps the others' robot tasks home and places no fewer", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(smallInput(6), machineInput({ maxRobots: 2 })), async (input) => {
        const { problem, inst, incumbent, window, result } = await windowStage(input, (robots) => robots.slice(0, 1));
        const packed = result.packed!;
        expect(respectsCapacity(inst, packed)).toBe(true);
        expect(worth(inst, packed).placed[0]).toBeGreaterThanOrEqual(worth(inst, incumbent).placed[0]);
        for (const task of problem.tasks) {
          const home = problem.environments.find((e) => e.name === task.robot)?.index;
          const outside = home !== undefined && !window.includes(home) && task.priority === inst.levels[0];
          if (outside && incumbent.assignment[task.index] === home) expect(packed.assignment[task.index]).toBe(home);
          // An outside task never gains a place: it keeps the incumbent's or is left out.
          if (outside && packed.assignment[task.index] >= 0)
            expect(packed.assignment[task.index]).toBe(incumbent.assignment[task.index]);
        }
      }),
      runs,
    );
  });

  it("holds the tasks of robots outside the window: at home, on their shared tier or left out", async () => {
    const input = fleet([task("x", "r1", 5), task("y", "r1", 5), task("z", "r0", 5)], 10);
    const problem = buildProblem(input);
    const inst = buildInstance(problem);
    const index = (name: string) => problem.environments.find((e) => e.name === name)!.index;
    // The incumbent has x on the edge and leaves y and z out, though both fit their robots.
    const incumbent = { assignment: Int32Array.from([index("edge"), -1, -1]), machine: new Int32Array(3).fill(-1) };
    const sub = windowInstance(inst, [index("r0")], 2, incumbent);
    const result = solveStage(await highs(), sub, {
      goal: { count: 2 },
      minPriority: 2,
      minPlaced: new Map(),
      forced: new Set(),
      maxNodes: Infinity,
      start: incumbent,
    });
    const [x, y, z] = result.packed!.assignment;
    expect([x, y]).toEqual([index("edge"), -1]);
    expect(z).toBeGreaterThanOrEqual(0);
  });

  it("orders robots by unplaced tasks at the level and keeps each window within the column limit", () => {
    const input = fleet(
      // r2 holds one of its two tasks (the other waits), r0 neither of its (too large anywhere), r1 its one.
      [task("a", "r0", 11), task("b", "r0", 11), task("c", "r1", 5), task("d", "r2", 8), task("e", "r2", 8)],
      1,
    );
    const problem = buildProblem(input);
    const inst = buildInstance(problem);
    const incumbent = seedGreedy(inst);
    const index = (name: string) => problem.environments.find((e) => e.name === name)!.index;
    // A column per task that fits its robot (the edge is too small): r2 2, r0 none, r1 1.
    expect(countWindows(inst, 2, incumbent, 2)).toEqual([[index("r2"), index("r0")], [index("r1")]]);
    expect(countWindows(inst, 2, incumbent, 100)).toEqual([[index("r2"), index("r0"), index("r1")]]);
  });
});
