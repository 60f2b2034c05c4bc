import { describe, expect, it } from "vitest";
import type { PlanningInput } from "../src/catalog/schema";
import { buildProblem } from "../src/model";
import { regretConstruction, regretHeuristic } from "../src/optimizer/heuristic";
import { buildInstance } from "../src/optimizer/instance";
import { relaxedStart } from "../src/optimizer/packing";

/** A 10-TFLOPS robot and a roomy edge tier: `big` needs the robot (its SLO rules the edge out), the small ones can go either way. */
function robotSite(): PlanningInput {
  const resources = { storage: 100, bandwidth: 100 };
  const task = (name: string, compute: number, maxLatency: number) => ({
    name,
    compute,
    storage: 1,
    bandwidth: 1,
    maxLatency,
    cost: 0,
    priority: 2,
    perRobot: false,
    robot: "amr-1",
  });
  return {
    site: "spill",
    objective: { preset: "realtime", weights: { latency: 1, cost: 0 }, reserve: 0 },
    tiers: [{ name: "edge", kind: "edge", compute: 100, ...resources, latency: 10, costPerHour: 5 }],
    robots: [{ name: "amr-1", compute: 10, ...resources, latency: 1, costPerHour: 1 }],
    tasks: [task("small-1", 3, 50), task("small-2", 3, 50), task("big", 8, 5)],
  } as PlanningInput;
}

describe("regretHeuristic's repairs", () => {
  it("spills several residents of a robot to make room for a task only the robot can hold", () => {
    const problem = buildProblem(robotSite());
    const inst = buildInstance(problem);
    const robot = problem.environments.find((e) => e.name === "amr-1")!.index;
    const edge = problem.environments.find((e) => e.name === "edge")!.index;
    const big = problem.tasks.find((t) => t.name === "big")!.index;
    // Both small tasks start on the robot: no single move frees the 8 TFLOPS `big` needs.
    const initial = Int32Array.from(problem.tasks, (t) => (t.name === "big" ? -1 : robot));
    const packed = regretHeuristic(inst, { initial: { assignment: initial } });
    expect(packed.assignment[big]).toBe(robot);
    expect([...packed.assignment].filter((e) => e === edge)).toHaveLength(2);
  });

  it("regretConstruction stops before the local search; polish runs it once and gives regretHeuristic's plan", () => {
    const input = robotSite();
    input.robots = [{ ...input.robots[0], compute: 20 }];
    const problem = buildProblem(input);
    const inst = buildInstance(problem);
    const robot = problem.environments.find((e) => e.name === "amr-1")!.index;
    // Started on the edge, the small tasks stay there until the search moves them to the nearer robot.
    const initial = Int32Array.from(problem.tasks, (t) => (t.name === "big" ? -1 : 1 - robot));
    const built = regretConstruction(inst, { initial: { assignment: initial } });
    const before = [...built.packed().assignment];
    expect(built.placed).toEqual([before.filter((e) => e >= 0).length]);
    const polished = built.polish();
    expect([...polished.assignment]).toEqual([
      ...regretHeuristic(inst, { initial: { assignment: initial } }).assignment,
    ]);
    expect([...polished.assignment]).not.toEqual(before);
    expect(built.polish()).toBe(polished);
    expect(built.packed()).toBe(polished);
  });

  it("takes one large task out when two of its level fit in the room it leaves", () => {
    const input = robotSite();
    const task = (name: string, compute: number) => ({ ...input.tasks[0], name, compute, robot: undefined });
    // Only the edge is near enough for all three; the large one comes first in the construction's order.
    input.robots = [];
    input.tiers = [{ ...input.tiers[0], compute: 10 }];
    input.tasks = [task("large", 9), task("half-1", 5), task("half-2", 5)];
    const problem = buildProblem(input);
    const packed = regretHeuristic(buildInstance(problem));
    const placed = problem.tasks.filter((t) => packed.assignment[t.index] >= 0).map((t) => t.name);
    expect(placed).toEqual(["half-1", "half-2"]);
  });

  it("relaxedStart keeps the levels above, then the relaxation's choices at the level, then the incumbent's that still fit", () => {
    const input = robotSite();
    const task = (name: string, compute: number, priority: number) => ({
      ...input.tasks[0],
      name,
      compute,
      priority,
      robot: undefined,
    });
    input.robots = [];
    input.tiers = [{ ...input.tiers[0], compute: 10 }];
    input.tasks = [task("high", 4, 3), task("a", 5, 2), task("b", 5, 2)];
    const problem = buildProblem(input);
    const inst = buildInstance(problem);
    const none = () => new Int32Array(3).fill(-1);
    const incumbent = { assignment: Int32Array.from([0, 0, -1]), machine: none() };
    const rounded = { assignment: Int32Array.from([-1, -1, 0]), machine: none() };
    expect([...relaxedStart(inst, 2, incumbent, rounded).assignment]).toEqual([0, -1, 0]);
  });
});
