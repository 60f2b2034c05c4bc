import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PlanningInput, TaskSpec } from "../src/catalog/schema";
import { buildProblem } from "../src/model";
import { lagrangianCountBound } from "../src/optimizer/bound";
import { buildInstance, isPlaceable } from "../src/optimizer/instance";
import { machineInput, smallInput } from "./support/arbitraries";
import { bruteForce } from "./support/bruteForce";

/**
 * Fleets where the count relaxation matters: 2-4 robots, most tasks bound to one, 1-2 small
 * shared tiers, often all-equal scores (weights 0: every candidate ties, as in the count relaxation), the odd pin.
 */
function fleetInput(maxTasks = 7): fc.Arbitrary<PlanningInput> {
  const place = (amount: fc.Arbitrary<number>) =>
    fc.record({
      compute: amount,
      storage: amount,
      bandwidth: amount,
      latency: fc.integer({ min: 0, max: 5 }),
      costPerHour: fc.integer({ min: 0, max: 3 }),
    });
  const env = place(fc.integer({ min: 4, max: 12 }));
  const tier = place(fc.integer({ min: 3, max: 10 }));
  return fc
    .record({
      tiers: fc.array(tier, { minLength: 1, maxLength: 2 }),
      robots: fc.array(env, { minLength: 1, maxLength: 4 }),
      reserve: fc.constantFrom(0, 0.1),
      weights: fc.oneof(
        fc.constant({ latency: 0, cost: 0 }),
        fc.record({ latency: fc.constantFrom(0, 1), cost: fc.constantFrom(0, 1) }),
      ),
      tasks: fc.array(
        fc.record({
          compute: fc.integer({ min: 2, max: 8 }),
          storage: fc.integer({ min: 1, max: 6 }),
          bandwidth: fc.integer({ min: 0, max: 6 }),
          cost: fc.integer({ min: 0, max: 3 }),
          priority: fc.integer({ min: 1, max: 2 }),
          robotPick: fc.integer({ min: -1, max: 7 }),
          pinPick: fc.integer({ min: -10, max: 5 }),
        }),
        { minLength: 4, maxLength: maxTasks },
      ),
    })
    .map(({ tiers, robots, reserve, weights, tasks }) => {
      const tierSpecs = tiers.map((e, i) => ({ name: `e${i}`, kind: "edge" as const, ...e }));
      const robotSpecs = robots.map((e, i) => ({ name: `r${i}`, ...e }));
      const envNames = [...tierSpecs.map((t) => t.name), ...robotSpecs.map((r) => r.name)];
      const taskSpecs: TaskSpec[] = tasks.map((t, i) => ({
        name: `task${i}`,
        compute: t.compute,
        storage: t.storage,
        bandwidth: t.bandwidth,
        maxLatency: 1000,
        cost: t.cost,
        priority: t.priority,
        perRobot: false,
        ...(t.robotPick >= 0 && { robot: robotSpecs[t.robotPick % robotSpecs.length].name }),
        ...(t.pinPick >= 0 && { pin: envNames[t.pinPick % envNames.length] }),
      }));
      return {
        site: "count-bound",
        objective: { preset: "balanced" as const, weights, reserve },
        tiers: tierSpecs,
        robots: robotSpecs,
        tasks: taskSpecs,
      } as PlanningInput;
    });
}

function ceilingsOf(inst: ReturnType<typeof buildInstance>): number[] {
  return inst.levels.map((level) => {
    let n = 0;
    for (let t = 0; t < inst.taskCount; t++)
      if (inst.priority[t] === level && (inst.pinned[t] >= 0 || isPlaceable(inst, t))) n++;
    return n;
  });
}

const runs = { numRuns: 400, seed: 20261130 };

describe("lagrangianCountBound, property-tested", () => {
  it("is an integer between the brute force's count and the ceiling, for any iterations and incumbent", () => {
    fc.assert(
      fc.property(
        fc.oneof(fleetInput(8), smallInput(6), machineInput({ maxRobots: 3 })),
        fc.integer({ min: 1, max: 400 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (input, iterations, incumbentShare) => {
          const problem = buildProblem(input);
          const truth = bruteForce(problem);
          const inst = buildInstance(problem);
          const ceilings = ceilingsOf(inst);
          inst.levels.forEach((_, li) => {
            // solve.ts passes a heuristic's count as the incumbent: anything from 0 to the truth.
            const incumbent = Math.floor(truth.placed[li] * incumbentShare);
            const { count, robotPick } = lagrangianCountBound(inst, truth.placed, li, incumbent, iterations);
            expect(Number.isInteger(count)).toBe(true);
            expect(count).toBeGreaterThanOrEqual(truth.placed[li]);
            expect(count).toBeLessThanOrEqual(ceilings[li]);
            expect(robotPick.length).toBe(inst.taskCount);
          });
        },
      ),
      runs,
    );
  });

  it("is deterministic: the same call twice gives the same count and picks", () => {
    fc.assert(
      fc.property(fleetInput(8), (input) => {
        const inst = buildInstance(buildProblem(input));
        const placed = inst.levels.map(() => 0);
        const a = lagrangianCountBound(inst, placed, 0, 0, 300);
        const b = lagrangianCountBound(buildInstance(buildProblem(structuredClone(input))), placed, 0, 0, 300);
        expect(b.count).toBe(a.count);
        expect(b.iterations).toBe(a.iterations);
        expect([...b.robotPick]).toEqual([...a.robotPick]);
      }),
      { numRuns: 100, seed: 7 },
    );
  });
});
