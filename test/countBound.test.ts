import { describe, expect, it } from "vitest";
import type { PlanningInput } from "../src/catalog/schema";
import { buildProblem } from "../src/model";
import { lagrangianCountBound } from "../src/optimizer/bound";
import { buildInstance } from "../src/optimizer/instance";
import { solve } from "../src/optimizer/solve";
import { windowInstance } from "../src/optimizer/windows";
import { bruteForce } from "./support/bruteForce";

const resources = { storage: 100, bandwidth: 100, latency: 1, costPerHour: 1 };

function task(name: string, robot: string, compute: number) {
  return { name, compute, storage: 1, bandwidth: 1, maxLatency: 100, cost: 0, priority: 2, perRobot: false, robot };
}

/**
 * `robots` robots of 10 TFLOPS, each with a light task that fits on it and a heavy one that must
 * spill to one of `tiers` alike edge tiers with room for one heavy task each: at most
 * robots + tiers tasks are placed, while every candidate scores the same (the ties that kept the
 * subgradient at zero prices).
 */
function spillFleet(robots: number, tiers: number): PlanningInput {
  const names = Array.from({ length: robots }, (_, i) => `r${i}`);
  return {
    site: "spill",
    objective: { preset: "balanced", weights: { latency: 1, cost: 1 }, reserve: 0 },
    tiers: Array.from({ length: tiers }, (_, i) => ({ name: `e${i}`, kind: "edge", compute: 12, ...resources })),
    robots: names.map((name) => ({ name, compute: 10, ...resources })),
    tasks: names.flatMap((r) => [task(`${r}-light`, r, 4), task(`${r}-heavy`, r, 12)]),
  } as PlanningInput;
}

describe("lagrangianCountBound", () => {
  it("bounds a spill-over fleet's count within one task of the truth, not at its ceiling", () => {
    const problem = buildProblem(spillFleet(24, 12));
    const inst = buildInstance(problem);
    const { count } = lagrangianCountBound(inst, [0], 0, 36, 300);
    expect(count).toBeGreaterThanOrEqual(36);
    // Restarting from the best multipliers after every stall left it at the ceiling, 48.
    expect(count).toBeLessThanOrEqual(37);
  });

  it("is never below the brute force on a small spill-over fleet", () => {
    const problem = buildProblem(spillFleet(4, 2));
    const truth = bruteForce(problem);
    const { count } = lagrangianCountBound(buildInstance(problem), [0], 0, truth.placed[0], 300);
    expect(truth.placed[0]).toBe(4 + 2);
    expect(count).toBeGreaterThanOrEqual(truth.placed[0]);
  });

  it("counts pins that keep their candidates (a MILP window's instance) once, at the level's score", async () => {
    const problem = buildProblem(spillFleet(24, 12));
    const inst = buildInstance(problem);
    const plan = await solve(problem, { budget: { milpMaxColumns: 0, lpMaxColumns: 0 } });
    const incumbent = { assignment: Int32Array.from(plan.assignment), machine: Int32Array.from(plan.machine) };
    const placed = plan.assignment.filter((e) => e >= 0).length;
    // The other robots' tasks on their robot pinned there (20 of them), their candidates kept.
    const window = windowInstance(
      inst,
      [0, 1, 2, 3].map((i) => problem.environments.find((e) => e.name === `r${i}`)!.index),
      2,
      incumbent,
    );
    expect(window.pinned.filter((e) => e >= 0).length).toBeGreaterThanOrEqual(20);
    const { count } = lagrangianCountBound(window, [0], 0, placed, 300);
    expect(count).toBeGreaterThanOrEqual(placed);
    // Pins counted at their true scores added those scores to the bound (far above the 48 tasks).
    expect(count).toBeLessThanOrEqual(37);
  });

  it("bounds a fleet's contested count with a lock as without one (a lock moves no count)", async () => {
    const problem = buildProblem(spillFleet(24, 12));
    // No MILP and no LP: the level's bound can only come from the count relaxation.
    const budget = { milpMaxColumns: 0, lpMaxColumns: 0 };
    const free = await solve(problem, { budget });
    const placements = problem.tasks.flatMap((task) => {
      const e = free.assignment[task.index];
      return e < 0 ? [] : [{ task: task.name, tier: problem.environments[e].name }];
    });
    const locked = await solve(problem, { budget, lock: { placements } });
    expect(free.levelBound[0]).toBeLessThanOrEqual(37);
    expect(locked.levelBound[0]).toBe(free.levelBound[0]);
  });
});
