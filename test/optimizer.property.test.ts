import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { blockers, buildProblem, DIMENSIONS, leq, score, usable, type Problem } from "../src/model";
import { lagrangianCountBound } from "../src/optimizer/bound";
import { buildInstance } from "../src/optimizer/instance";
import { solve } from "../src/optimizer/solve";
import type { Algorithm, Solution } from "../src/optimizer/types";
import { canonicalPlan, planSite } from "../src/plan";
import { machineInput, smallInput } from "./support/arbitraries";
import { better, bruteForce, type BruteForceResult } from "./support/bruteForce";

const runs = { numRuns: 300, seed: 20261124 };

function worthOf(problem: Problem, solution: Solution): BruteForceResult {
  const levels = [...new Set(problem.tasks.map((t) => t.priority))].sort((a, b) => b - a);
  let total = 0;
  for (const task of problem.tasks) {
    const e = solution.assignment[task.index];
    if (e >= 0) total += score(task, problem.environments[e], problem.weights);
  }
  return {
    placed: levels.map(
      (p) => problem.tasks.filter((t) => t.priority === p && solution.assignment[t.index] >= 0).length,
    ),
    score: total,
  };
}

/** Every rule of docs/contract.md §2 for the tasks the optimizer placed (pins excepted). */
function brokenRules(problem: Problem, solution: Solution): string[] {
  const broken: string[] = [];
  for (const task of problem.tasks) {
    const e = solution.assignment[task.index];
    if (task.pin !== undefined) {
      expect(problem.environments[e].name).toBe(task.pin);
      continue;
    }
    if (e < 0) continue;
    for (const b of blockers(task, problem.environments[e], problem.reserve)) broken.push(`${task.name}: ${b.rule}`);
  }
  for (const env of problem.environments) {
    const onIt = problem.tasks.filter((t) => solution.assignment[t.index] === env.index);
    if (!onIt.some((t) => t.pin === undefined)) continue;
    for (const d of DIMENSIONS) {
      const total = onIt.reduce((sum, t) => sum + t[d], 0);
      if (!leq(total, usable(env, d, problem.reserve)))
        broken.push(`${env.name}: ${d} ${total} > ${usable(env, d, problem.reserve)}`);
    }
  }
  return broken;
}

describe("optimizer properties on random small instances", () => {
  it("exact finds the brute-force optimum: most tasks per priority, then least score", async () => {
    await fc.assert(
      fc.asyncProperty(smallInput(6), async (input) => {
        const problem = buildProblem(input);
        const solution = await solve(problem, { algorithm: "exact" });
        const truth = bruteForce(problem);
        const got = worthOf(problem, solution);
        expect(got.placed).toEqual(truth.placed);
        expect(got.score).toBeCloseTo(truth.score, 6);
        expect(better(truth, got)).toBe(false);
        expect(solution.optimal).toBe(true);
        expect(solution.gap).toBe(0);
      }),
      runs,
    );
  });

  it.each<Algorithm>(["auto", "exact", "seed-greedy"])(
    "%s never breaks a latency, binding, allowed or capacity rule for unpinned tasks",
    async (algorithm) => {
      await fc.assert(
        fc.asyncProperty(smallInput(8), async (input) => {
          const problem = buildProblem(input);
          expect(brokenRules(problem, await solve(problem, { algorithm }))).toEqual([]);
        }),
        runs,
      );
    },
  );

  it("auto is never worse than seed-greedy, priority level by priority level", async () => {
    await fc.assert(
      fc.asyncProperty(smallInput(8), async (input) => {
        const problem = buildProblem(input);
        const auto = worthOf(problem, await solve(problem, { algorithm: "auto" }));
        const greedy = worthOf(problem, await solve(problem, { algorithm: "seed-greedy" }));
        expect(better(greedy, auto)).toBe(false);
      }),
      runs,
    );
  });

  it("auto's certified gap is honest: its bound never exceeds the true optimum", async () => {
    await fc.assert(
      fc.asyncProperty(smallInput(6), async (input) => {
        const problem = buildProblem(input);
        const solution = await solve(problem, { algorithm: "auto", budget: { milpMaxColumns: 0 } });
        const truth = bruteForce(problem);
        const got = worthOf(problem, solution);
        if (solution.countsProven && got.placed.every((p, i) => p === truth.placed[i])) {
          expect(solution.bound!).toBeLessThanOrEqual(truth.score + 1e-6 * Math.max(1, truth.score));
        }
        expect(solution.bound!).toBeLessThanOrEqual(got.score + 1e-6 * Math.max(1, got.score));
        if (solution.optimal) expect(got.score).toBeCloseTo(truth.score, 6);
      }),
      runs,
    );
  });

  it("lagrangianCountBound never falls below what the best plan places at a level", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(smallInput(6), machineInput({ maxRobots: 2 })), async (input) => {
        const problem = buildProblem(input);
        const truth = bruteForce(problem);
        const inst = buildInstance(problem);
        inst.levels.forEach((_, li) => {
          const { count } = lagrangianCountBound(inst, truth.placed, li, truth.placed[li], 300);
          expect(count).toBeGreaterThanOrEqual(truth.placed[li]);
        });
      }),
      runs,
    );
  });

  it("plans are byte-identical across runs (solve time aside)", async () => {
    await fc.assert(
      fc.asyncProperty(
        smallInput(8),
        fc.constantFrom<Algorithm>("auto", "exact", "seed-greedy"),
        async (input, algorithm) => {
          const first = JSON.stringify(canonicalPlan(await planSite(input, { algorithm })));
          const second = JSON.stringify(canonicalPlan(await planSite(structuredClone(input), { algorithm })));
          expect(second).toBe(first);
        },
      ),
      { ...runs, numRuns: 60 },
    );
  });

  it("a budget entry given as undefined keeps its default", async () => {
    await fc.assert(
      fc.asyncProperty(smallInput(8), async (input) => {
        const problem = buildProblem(input);
        const unset = {
          milpNodes: undefined,
          milpMaxColumns: undefined,
          lpMaxColumns: undefined,
          windowStages: undefined,
        };
        const plain = await solve(problem, { algorithm: "auto" });
        const given = await solve(problem, { algorithm: "auto", budget: unset });
        expect([given.method, ...given.assignment]).toEqual([plain.method, ...plain.assignment]);
      }),
      { ...runs, numRuns: 60 },
    );
  });
});
