import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadCatalogSources } from "../src/catalog/load";
import type { PlanningInput } from "../src/catalog/schema";
import { buildProblem } from "../src/model";
import type { Algorithm, Budget } from "../src/optimizer/types";
import { planSite, type Plan } from "../src/plan";
import { lockFor, machineInput, smallInput } from "./support/arbitraries";
import { better, bruteForce, countProfile, planWorth } from "./support/bruteForce";

/** docs/contract.md §7 (certificates): bounds that hold, gaps computed from them, `optimal` only when proven. */

const seed = 20261201;
const VARIANTS: Array<[string, Algorithm, Partial<Budget>]> = [
  ["exact", "exact", {}],
  ["auto", "auto", {}],
  ["auto (heuristics and LP bounds)", "auto", { milpMaxColumns: 0 }],
  ["auto (heuristics, Lagrangian bound only)", "auto", { milpMaxColumns: 0, lpMaxColumns: 0 }],
  ["seed-greedy", "seed-greedy", {}],
  ["seed-greedy (no LP bounds)", "seed-greedy", { lpMaxColumns: 0 }],
];

/** Every number in the plan object as it is, before JSON.stringify could hide a NaN or Infinity as null. */
function nonFinite(value: unknown, path = "plan"): string[] {
  if (typeof value === "number") return Number.isFinite(value) ? [] : [`${path} = ${value}`];
  if (Array.isArray(value)) return value.flatMap((v, i) => nonFinite(v, `${path}[${i}]`));
  if (value && typeof value === "object")
    return Object.entries(value).flatMap(([k, v]) => nonFinite(v, `${path}.${k}`));
  return [];
}

/** docs/contract.md §7's gap, to the bit: `(score - bound) / max(|score|, 1e-9)`, null without a bound. */
function contractGap(plan: Plan): number | null {
  const { bound } = plan.solver;
  return bound === null ? null : (plan.objective.score - bound) / Math.max(Math.abs(plan.objective.score), 1e-9);
}

/** The certificate checks that need no oracle. */
function expectWellFormed(plan: Plan): void {
  expect(nonFinite(plan)).toEqual([]);
  const { solver, objective } = plan;
  expect(solver.gap === null).toBe(solver.bound === null);
  expect(solver.gap).toBe(contractGap(plan));
  for (const level of objective.placedByPriority) {
    expect(Number.isInteger(level.bound), `bound ${level.bound} of priority ${level.priority}`).toBe(true);
    expect(level.bound).toBeGreaterThanOrEqual(level.placed);
    expect(level.bound).toBeLessThanOrEqual(level.total);
  }
  expect(solver.countsProven).toBe(objective.placedByPriority.every((l) => l.placed === l.bound));
  if (solver.optimal) {
    expect(solver.countsProven).toBe(true);
    expect(solver.gap).toBe(0);
  }
}

/** The checks against every legal plan of a small input (docs/contract.md §2 and §5). */
async function expectHonest(input: PlanningInput, variants = VARIANTS): Promise<void> {
  const problem = buildProblem(input);
  const truth = bruteForce(problem);
  const profile = [...countProfile(problem).values()];
  for (const [name, algorithm, budget] of variants) {
    const plan = await planSite(input, { algorithm, budget });
    const got = planWorth(problem, plan);
    const label = `${name}: placed ${JSON.stringify(got.placed)} score ${got.score}, optimum ${JSON.stringify(truth.placed)} ${truth.score}`;
    expectWellFormed(plan);
    // Small sites always have a bound: the stages or the Lagrangian relaxation give one.
    expect(plan.solver.bound, label).not.toBeNull();
    const bound = plan.solver.bound!;
    const tol = (x: number) => 1e-6 * Math.max(1, Math.abs(x));
    // The plan itself places its counts: its score is one the bound must not exceed (gap >= 0).
    expect(bound, label).toBeLessThanOrEqual(got.score + tol(got.score));
    // Nor may it exceed the least score of any plan placing at least as many at every level.
    const atLeast = profile.filter((p) => p.placed.every((n, i) => n >= got.placed[i]));
    const least = Math.min(...atLeast.map((p) => p.score));
    expect(bound, `${label}: bound above the least score ${least} for these counts`).toBeLessThanOrEqual(
      least + tol(least),
    );
    if (got.placed.every((n, i) => n === truth.placed[i]))
      expect(bound, label).toBeLessThanOrEqual(truth.score + tol(truth.score));
    // Level bounds: most tasks any plan places at a level, given at least the levels above as placed.
    plan.objective.placedByPriority.forEach((level, i) => {
      const given = profile.filter((p) => p.placed.slice(0, i).every((n, j) => n >= got.placed[j]));
      const most = Math.max(...given.map((p) => p.placed[i]));
      expect(
        level.bound,
        `${label}: level ${level.priority} bound ${level.bound} < ${most} that a plan places`,
      ).toBeGreaterThanOrEqual(most);
      if (got.placed.slice(0, i).every((n, j) => n === truth.placed[j]))
        expect(level.bound, label).toBeGreaterThanOrEqual(truth.placed[i]);
    });
    if (plan.solver.countsProven) expect(got.placed, label).toEqual(truth.placed);
    if (plan.solver.optimal) {
      expect(better(truth, got), `${label}: optimal, yet the brute force finds better`).toBe(false);
      expect(Math.abs(got.score - truth.score), label).toBeLessThanOrEqual(tol(truth.score));
    }
  }
}

describe("certificates on random small sites, against the brute force", () => {
  it("without machines", async () => {
    await fc.assert(
      fc.asyncProperty(smallInput(6), (input) => expectHonest(input)),
      { numRuns: 120, seed },
    );
  });

  it("with machines (pins on them included)", async () => {
    await fc.assert(
      fc.asyncProperty(machineInput({ pinsOnMachines: true }), (input) => expectHonest(input)),
      { numRuns: 120, seed: seed + 1 },
    );
  });

  it("exact proves its plan optimal wherever no pin sits on a tier with machines", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(smallInput(6), machineInput()), async (input) => {
        const plan = await planSite(input, { algorithm: "exact" });
        expect(plan.solver.optimal).toBe(true);
        expect(plan.solver.gap).toBe(0);
        expect(plan.solver.countsProven).toBe(true);
      }),
      { numRuns: 150, seed: seed + 2 },
    );
  });

  it("with a lock: well formed, the bound below the plan's own score, and optimal only when the §6 brute force agrees", async () => {
    await fc.assert(
      fc.asyncProperty(
        machineInput().chain((input) =>
          fc.tuple(fc.constant(input), lockFor(input), fc.constantFrom(undefined, 0.5, 5)),
        ),
        async ([base, lock, moveCost]) => {
          const input = moveCost === undefined ? base : { ...base, objective: { ...base.objective, moveCost } };
          const problem = buildProblem(input);
          const truth = bruteForce(problem, { lock });
          for (const [name, algorithm, budget] of VARIANTS) {
            const plan = await planSite(input, { algorithm, budget, lock });
            const got = planWorth(problem, plan, lock);
            const label = `${name}: ${JSON.stringify(got)} vs optimum ${JSON.stringify(truth)}`;
            expectWellFormed(plan);
            expect(plan.solver.bound, label).not.toBeNull();
            expect(plan.solver.bound!, label).toBeLessThanOrEqual(got.score + 1e-6 * Math.max(1, Math.abs(got.score)));
            if (plan.solver.optimal)
              expect(better(truth, got, moveCost), `${label}: optimal, yet the brute force finds better`).toBe(false);
          }
        },
      ),
      { numRuns: 80, seed: seed + 3 },
    );
  });
});

describe("issue 9: a pin fills the edge, a task allowed only there, a free task", () => {
  const text = (machines: string) => `site: issue-nine
tiers:
  - { name: cloud, kind: cloud, compute: 1000, storage: 10000, bandwidth: 1000, latency: 50, costPerHour: 10 }
  - { name: edge, kind: edge, compute: 10, storage: 100, bandwidth: 100, latency: 10, costPerHour: 5${machines} }
tasks:
  - { name: pinned, compute: 9, maxLatency: 1000, pin: edge }
  - { name: edge-only, compute: 5, maxLatency: 1000, allowedTiers: [edge] }
  - { name: free, compute: 1, maxLatency: 1000 }
`;
  const cases: Array<[string, string]> = [
    ["a divisible edge", ""],
    ["an edge of one 10-TFLOPS GPU", ", machines: [{ name: gpu, gpus: 1, gpuTflops: 10, storage: 100 }]"],
  ];
  for (const [shape, machines] of cases) {
    it.each(VARIANTS)(
      `${shape}, %s: a finite bound, its gap, never "gap 0" without a bound`,
      async (_name, algorithm, budget) => {
        const input = loadCatalogSources([{ file: "issue-9.yaml", text: text(machines) }]);
        const plan = await planSite(input, { algorithm, budget });
        expectWellFormed(plan);
        expect(plan.solver.bound).not.toBeNull();
        expect(Number.isFinite(plan.solver.bound)).toBe(true);
        expect(typeof plan.solver.gap).toBe("number");
        // Nothing can place edge-only beside the pin: the level's bound is 2 of 3. The seed's greedy
        // also leaves the free task unplaced (its best environment, the edge, is full: docs/contract.md §3).
        const greedy = algorithm === "seed-greedy";
        expect(plan.unplaced.map((u) => u.task)).toEqual(greedy ? ["edge-only", "free"] : ["edge-only"]);
        expect(plan.objective.placedByPriority).toEqual([{ priority: 1, placed: greedy ? 1 : 2, total: 3, bound: 2 }]);
        expect(plan.solver.countsProven).toBe(!greedy);
        // The JSON a user reads says the same as the object.
        const printed = JSON.parse(JSON.stringify(plan));
        expect(printed.solver.bound).toBe(plan.solver.bound);
        expect(printed.solver.gap).toBe(plan.solver.gap);
        await expectHonest(input, [[_name, algorithm, budget]]);
      },
    );
  }
});
