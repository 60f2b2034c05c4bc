/**
 * solve's MILP windows as a whole: when they run, when they stop (two fruitless windows in a row,
 * one where the level's bound leaves one task), and that the same input gives the same plan. A
 * small milpMaxColumns makes small fleets take the windows path.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PlanningInput, TaskSpec } from "../src/catalog/schema";
import { buildProblem } from "../src/model";
import { solve } from "../src/optimizer/solve";

/** 8-16 robots with 2-3 bound tasks each at p2 and one at p1, 1-2 shared tiers: p2 contested, not the lowest. */
const fleet: fc.Arbitrary<PlanningInput> = fc
  .record({
    robots: fc.array(fc.integer({ min: 4, max: 14 }), { minLength: 8, maxLength: 16 }),
    tiers: fc.array(fc.integer({ min: 6, max: 24 }), { minLength: 1, maxLength: 2 }),
    perRobot: fc.array(fc.array(fc.integer({ min: 2, max: 12 }), { minLength: 2, maxLength: 3 }), {
      minLength: 16,
      maxLength: 16,
    }),
    low: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 16, maxLength: 16 }),
  })
  .map(({ robots, tiers, perRobot, low }) => {
    const res = { storage: 100, bandwidth: 100, costPerHour: 0 };
    const task = (name: string, compute: number, priority: number, robot: string): TaskSpec => ({
      name,
      compute,
      storage: 1,
      bandwidth: 1,
      maxLatency: 100,
      cost: 0,
      priority,
      perRobot: false,
      robot,
    });
    const tasks: TaskSpec[] = robots.flatMap((_, r) => [
      ...perRobot[r].map((c, k) => task(`r${r}-${k}`, c, 2, `r${r}`)),
      task(`r${r}-low`, low[r], 1, `r${r}`),
    ]);
    return {
      site: "windows",
      objective: { preset: "balanced", weights: { latency: 1, cost: 0 }, reserve: 0 },
      tiers: tiers.map((c, i) => ({ name: `e${i}`, kind: "edge", compute: c, latency: 1 + i, ...res })),
      robots: robots.map((c, i) => ({ name: `r${i}`, compute: c, latency: 0, ...res })),
      tasks,
    } as PlanningInput;
  });

const WINDOW = /^MILP window (\d+) of (\d+): priority (\d+), (\d+) robots \((\d+) placed\)$/;

describe("MILP windows in solve", () => {
  it("runs a window only while the level is below its bound and fewer than min(2, bound - placed) found nothing", async () => {
    const seen = { solves: 0, withWindows: 0, windows: 0, patienceOne: 0, stoppedEarly: 0 };
    await fc.assert(
      fc.asyncProperty(
        fleet,
        fc.constantFrom(30, 40, 60),
        fc.constantFrom(0, 20_000),
        fc.constantFrom(3, 300),
        async (input, milpMaxColumns, lpMaxColumns, boundIterations) => {
          const problem = buildProblem(input);
          const messages: string[] = [];
          const budget = { milpMaxColumns, lpMaxColumns, boundIterations, windowStages: 8 };
          const solution = await solve(problem, { budget, onProgress: (m) => messages.push(m) });
          seen.solves++;
          const runs = messages.flatMap((m) => {
            const match = WINDOW.exec(m);
            return match ? [{ k: Number(match[1]), of: Number(match[2]), placed: Number(match[5]) }] : [];
          });
          if (runs.length === 0) return;
          seen.withWindows++;
          seen.windows += runs.length;
          // p2 is level 0; the windows leave its bound alone, so the final bound is the one they saw.
          const bound = solution.levelBound[0];
          let fruitless = 0;
          runs.forEach((run, j) => {
            expect(run.k).toBe(j + 1);
            if (j > 0) fruitless = run.placed > runs[j - 1].placed ? 0 : fruitless + 1;
            expect(run.placed).toBeLessThan(bound);
            const patience = Math.min(2, bound - run.placed);
            expect(Number.isInteger(patience) && patience >= 1).toBe(true);
            expect(fruitless).toBeLessThan(patience);
            if (bound - run.placed === 1) seen.patienceOne++;
          });
          if (runs.length < runs[0].of) seen.stoppedEarly++;
          // Same input, same plan (no clock, no Map-order surprises), work counts included.
          const again = await solve(buildProblem(structuredClone(input)), { budget });
          expect([...again.assignment]).toEqual([...solution.assignment]);
          expect(again.levelBound).toEqual(solution.levelBound);
          expect(again.work).toEqual(solution.work);
          // --windows 0: no window runs.
          const none: string[] = [];
          const zero = await solve(problem, {
            budget: { ...budget, windowStages: 0 },
            onProgress: (m) => none.push(m),
          });
          expect(none.some((m) => WINDOW.test(m))).toBe(false);
          expect(zero.work.windowStages).toBeUndefined();
        },
      ),
      { numRuns: 40, seed: 20261130 },
    );
    // The property must have been exercised: windows ran, and with one task left to gain.
    expect(seen.withWindows).toBeGreaterThan(0);
    expect(seen.patienceOne).toBeGreaterThan(0);
  });
});
