import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadCatalogSources } from "../src/catalog/load";
import type { PlanningInput } from "../src/catalog/schema";
import { buildProblem, type Problem } from "../src/model";
import { solve } from "../src/optimizer/solve";
import type { Algorithm, Budget, LockInput } from "../src/optimizer/types";
import { planSite, type Plan } from "../src/plan";
import { buildPlan } from "../src/plan/build";
import { lockFor, machineInput } from "./support/arbitraries";
import {
  better,
  bruteForce,
  enumeratePlans,
  movesOf,
  oracleMachines,
  planBreaks,
  planWorth,
  type BruteForceResult,
} from "./support/bruteForce";

/** docs/contract.md §6 (the placement lock) against the brute force: placed per priority, then fewest moves, then least score. */

const seed = 20261130;
const relClose = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
const VARIANTS: Array<[string, Algorithm, Partial<Budget>]> = [
  ["auto", "auto", {}],
  ["auto (heuristics only)", "auto", { milpMaxColumns: 0 }],
  ["exact", "exact", {}],
  ["seed-greedy", "seed-greedy", {}],
];

/**
 * Tests of bugs found by this file and open when it was committed (see the commit message for the
 * minimal inputs): they run as `it.fails`, so the suite stays green while the bug is there and
 * says so the day it is fixed. Delete the entry with the fix.
 */
const OPEN_BUGS = new Set<string>([]);
const check = (title: string) => (OPEN_BUGS.has(title) ? it.fails : it);

/** One test per row, titled by the template with the row's name for its `%s`. */
function eachRow<Row extends [string, ...unknown[]]>(
  rows: Row[],
  template: string,
  fn: (...row: Row) => Promise<void>,
): void {
  for (const row of rows) {
    const title = template.replace("%s", row[0]);
    check(title)(title, () => fn(...row));
  }
}

/** A plan as a lock: what `tierplan lock` writes (docs/contract.md §6: a plan's JSON is a valid lock). */
function asLock(plan: Plan): LockInput {
  return JSON.parse(JSON.stringify({ site: plan.site, placements: plan.placements }));
}

/** True when `a` places more than `b` at the first priority level where they differ. */
function placesMore(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return false;
}

/** The moves the plan reports are exactly docs/contract.md §6's, recomputed from its placements. */
function expectHonestMoves(problem: Problem, plan: Plan, lock: LockInput): void {
  const now = new Map(plan.placements.map((p) => [p.task, p]));
  expect(plan.moves).toEqual(movesOf(problem, lock, (task) => now.get(task)));
  expect(plan.objective.moves).toBe(plan.moves.length);
}

/** Same worth under §6: placed per level, then moves, then score (or score + moveCost x moves). */
function expectSameWorth(got: BruteForceResult, truth: BruteForceResult, moveCost?: number): void {
  expect(got.placed).toEqual(truth.placed);
  if (moveCost === undefined) {
    expect(got.moves).toBe(truth.moves);
    expect(relClose(got.score, truth.score), `score ${got.score} vs brute force ${truth.score}`).toBe(true);
  } else {
    const value = (w: BruteForceResult) => w.score + moveCost * w.moves!;
    expect(
      relClose(value(got), value(truth)),
      `score + ${moveCost} x moves: ${value(got)} (${got.moves} moves) vs brute force ${value(truth)} (${truth.moves} moves)`,
    ).toBe(true);
  }
  expect(better(truth, got, moveCost)).toBe(false);
}

describe("exact with a lock equals the brute force under docs/contract.md §6", () => {
  it("random locks (vanished tiers, machines and tasks included), fewest moves before score", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .oneof(machineInput(), machineInput({ dense: true }))
          .chain((input) => fc.tuple(fc.constant(input), lockFor(input))),
        async ([input, lock]) => {
          const problem = buildProblem(input);
          const solution = await solve(problem, { algorithm: "exact", lock });
          const plan = buildPlan(problem, solution, 0, lock);
          const truth = bruteForce(problem, { lock });
          const got = planWorth(problem, plan, lock);
          expect(planBreaks(problem, plan)).toEqual([]);
          expectSameWorth(got, truth);
          expectHonestMoves(problem, plan, lock);
          expect(solution.moves).toBe(plan.moves.length);
          expect(solution.optimal).toBe(true);
        },
      ),
      { numRuns: 200, seed },
    );
  });

  it("with objective.moveCost: least score + moveCost x moves", async () => {
    await fc.assert(
      fc.asyncProperty(
        machineInput().chain((input) => fc.tuple(fc.constant(input), lockFor(input), fc.constantFrom(0, 0.5, 2, 25))),
        async ([input, lock, moveCost]) => {
          const withCost = { ...input, objective: { ...input.objective, moveCost } };
          const problem = buildProblem(withCost);
          const plan = await planSite(withCost, { algorithm: "exact", lock });
          const truth = bruteForce(problem, { lock });
          expect(planBreaks(problem, plan)).toEqual([]);
          expectSameWorth(planWorth(problem, plan, lock), truth, moveCost);
          expectHonestMoves(problem, plan, lock);
          expect(plan.objective.moveCost).toBe(moveCost);
        },
      ),
      { numRuns: 150, seed: seed + 1 },
    );
  });

  it("after a catalog edit (a task removed, one added, a tier resized or repriced), against the previous plan", async () => {
    const edit = fc.record({
      drop: fc.integer({ min: -1, max: 5 }),
      add: fc.boolean(),
      tier: fc.integer({ min: 0, max: 2 }),
      scale: fc.constantFrom(0.5, 0.8, 1, 1.05, 2),
    });
    await fc.assert(
      fc.asyncProperty(
        machineInput(),
        edit,
        fc.constantFrom<Algorithm>("auto", "exact", "seed-greedy"),
        async (input, change, first) => {
          const before = await planSite(input, { algorithm: first });
          const lock = asLock(before);
          const edited: PlanningInput = structuredClone(input);
          if (change.drop >= 0 && edited.tasks.length > 1) edited.tasks.splice(change.drop % edited.tasks.length, 1);
          if (change.add)
            edited.tasks.push({
              name: "newcomer",
              compute: 3,
              storage: 2,
              bandwidth: 2,
              maxLatency: 100,
              cost: 0,
              priority: 3,
              perRobot: false,
            });
          const tier = edited.tiers[change.tier % edited.tiers.length];
          tier.compute *= change.scale;
          tier.costPerHour *= change.scale;
          const problem = buildProblem(edited);
          const plan = await planSite(edited, { algorithm: "exact", lock });
          const truth = bruteForce(problem, { lock });
          expect(planBreaks(problem, plan)).toEqual([]);
          expectSameWorth(planWorth(problem, plan, lock), truth);
          expectHonestMoves(problem, plan, lock);
          // Tasks new to the catalog and locked tasks no longer in it are never moves.
          const kept = new Set(
            input.tasks.map((t) => t.name).filter((name) => edited.tasks.some((t) => t.name === name)),
          );
          for (const move of plan.moves) expect(kept.has(move.task), move.task).toBe(true);
        },
      ),
      { numRuns: 150, seed: seed + 2 },
    );
  });
});

describe("the lock never costs a placement, and exact proves its plan under §6", () => {
  check("exact proves its plan optimal with objective.moveCost too")(
    "exact proves its plan optimal with objective.moveCost too",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          machineInput().chain((input) => fc.tuple(fc.constant(input), lockFor(input), fc.constantFrom(0, 0.5, 2, 25))),
          async ([input, lock, moveCost]) => {
            const plan = await planSite(
              { ...input, objective: { ...input.objective, moveCost } },
              { algorithm: "exact", lock },
            );
            expect(plan.solver.countsProven).toBe(true);
            expect(plan.solver.optimal).toBe(true);
          },
        ),
        { numRuns: 60, seed: seed + 7 },
      );
    },
  );

  check("auto (heuristics only) places as many by priority with a lock as without it")(
    "auto (heuristics only) places as many by priority with a lock as without it",
    async () => {
      // docs/contract.md §6 keeps placed-by-priority first: a lock decides among plans, it never outranks a priority.
      await fc.assert(
        fc.asyncProperty(
          machineInput({ maxTasks: 8, maxRobots: 2 }).chain((input) => fc.tuple(fc.constant(input), lockFor(input))),
          async ([input, lock]) => {
            const problem = buildProblem(input);
            const free = planWorth(
              problem,
              await planSite(input, { algorithm: "auto", budget: { milpMaxColumns: 0 } }),
            );
            const locked = planWorth(
              problem,
              await planSite(input, { algorithm: "auto", budget: { milpMaxColumns: 0 }, lock }),
            );
            expect(
              placesMore(free.placed, locked.placed),
              `without the lock ${JSON.stringify(free.placed)}, with it ${JSON.stringify(locked.placed)}`,
            ).toBe(false);
          },
        ),
        { numRuns: 150, seed: seed + 8, endOnFailure: true },
      );
    },
  );

  eachRow(
    VARIANTS,
    "%s: a locked priority-1 task gives way to a priority-3 task (no machines)",
    async (_name, algorithm, budget) => {
      const input = loadCatalogSources([
        {
          file: "priority.yaml",
          text: `site: lock-priority
objective: { reserve: 0 }
tiers:
  - { name: cloud, kind: cloud, compute: 1000, storage: 10000, bandwidth: 1000, latency: 50, costPerHour: 10 }
  - { name: edge, kind: edge, compute: 50, storage: 1000, bandwidth: 100, latency: 10, costPerHour: 5 }
tasks:
  - { name: infer, compute: 20, maxLatency: 100, priority: 3, allowedTiers: [edge] }
  - { name: train, compute: 40, maxLatency: 10000, priority: 1, allowedTiers: [edge] }
`,
        },
      ]);
      const lock = { placements: [{ task: "train", tier: "edge" }] };
      const plan = await planSite(input, { algorithm, budget, lock });
      if (algorithm === "seed-greedy") return expect(plan.moves).toEqual([]); // the seed's greedy ignores priorities
      expect(plan.placements.map((p) => p.task)).toEqual(["infer"]);
      expect(plan.moves).toEqual([{ task: "train", from: "edge", to: null }]);
    },
  );
});

describe("a plan whose lock is its own output has no moves", () => {
  eachRow(VARIANTS, "%s", async (_name, algorithm, budget) => {
    await fc.assert(
      fc.asyncProperty(machineInput({ maxTasks: 8, maxRobots: 2 }), async (input) => {
        const problem = buildProblem(input);
        const first = await planSite(input, { algorithm, budget });
        const lock = asLock(first);
        const again = await planSite(input, { algorithm, budget, lock });
        expectHonestMoves(problem, again, lock);
        // A move is only worth making to place more by priority than the lock does.
        if (!placesMore(planWorth(problem, again).placed, planWorth(problem, first).placed)) {
          expect(again.moves).toEqual([]);
          expect(again.placements.map((p) => [p.task, p.tier, p.machine])).toEqual(
            first.placements.map((p) => [p.task, p.tier, p.machine]),
          );
        }
      }),
      { numRuns: 120, seed: seed + 3 },
    );
  });

  it("exact: never any move, and the same plan, also when the first plan was made against a lock", async () => {
    await fc.assert(
      fc.asyncProperty(
        machineInput().chain((input) => fc.tuple(fc.constant(input), lockFor(input))),
        async ([input, lock0]) => {
          const first = await planSite(input, { algorithm: "exact", lock: lock0 });
          const lock = asLock(first);
          const again = await planSite(input, { algorithm: "exact", lock });
          expect(again.moves).toEqual([]);
          expect(again.objective.moves).toBe(0);
          expect(again.placements).toEqual(first.placements);
        },
      ),
      { numRuns: 120, seed: seed + 4 },
    );
  });
});

describe("no algorithm moves a task while the unchanged lock is still feasible", () => {
  /** Some legal plan of the input (docs/contract.md §2 and §5), picked among all of them, as a lock. */
  function someLegalPlan(input: PlanningInput, pick: number): LockInput {
    const problem = buildProblem(input);
    const plans: LockInput[] = [];
    enumeratePlans(problem, {}, (env, machine) => {
      if (plans.length >= 400) return;
      const placements = problem.tasks.flatMap((t) => {
        if (env[t.index] < 0) return [];
        const e = problem.environments[env[t.index]];
        const ms = oracleMachines(e);
        return [
          { task: t.name, tier: e.name, ...(ms && machine[t.index] >= 0 && { machine: ms[machine[t.index]].id }) },
        ];
      });
      plans.push({ placements });
    });
    return plans[pick % plans.length];
  }

  const cases: Array<[string, Algorithm, Partial<Budget>, boolean]> = [
    ...VARIANTS.map(([name, algorithm, budget]): [string, Algorithm, Partial<Budget>, boolean] => [
      name,
      algorithm,
      budget,
      false,
    ]),
    ["exact, pins on tiers with machines", "exact", {}, true],
  ];
  eachRow(
    cases,
    "%s keeps every locked task unless it places more by priority",
    async (_name, algorithm, budget, pinsOnMachines) => {
      await fc.assert(
        fc.asyncProperty(machineInput({ maxTasks: 5, pinsOnMachines }), fc.nat(), async (input, pick) => {
          const problem = buildProblem(input);
          const lock = someLegalPlan(input, pick);
          const plan = await planSite(input, { algorithm, budget, lock });
          expectHonestMoves(problem, plan, lock);
          const lockWorth = planWorth(problem, lock);
          const got = planWorth(problem, plan);
          if (plan.moves.length > 0)
            expect(
              placesMore(got.placed, lockWorth.placed),
              `moved ${JSON.stringify(plan.moves)} without placing more`,
            ).toBe(true);
          // A legal lock is kept whole: no plan places fewer than it at the first level that differs.
          expect(placesMore(lockWorth.placed, got.placed)).toBe(false);
        }),
        { numRuns: 120, seed: seed + 5 },
      );
    },
  );

  eachRow(VARIANTS, "%s keeps the optimal plan as locked, machines included", async (_name, algorithm, budget) => {
    await fc.assert(
      fc.asyncProperty(machineInput({ maxTasks: 8, maxRobots: 2 }), async (input) => {
        const lock = asLock(await planSite(input, { algorithm: "exact" }));
        const plan = await planSite(input, { algorithm, budget, lock });
        expect(plan.moves).toEqual([]);
      }),
      { numRuns: 100, seed: seed + 6 },
    );
  });
});

describe("pins, machines and names in the lock", () => {
  const site = (extra = "") => `site: locks
objective: { preset: balanced, reserve: 0 }
tiers:
  - { name: cloud, kind: cloud, compute: 1000, storage: 10000, bandwidth: 1000, latency: 50, costPerHour: 10 }
  - name: edge
    kind: edge
    storage: 1000
    bandwidth: 100
    latency: 10
    costPerHour: 5
    machines:
      - { name: gpu, count: 2, gpus: 2, gpuTflops: 50, storage: 500 }
tasks:
  - { name: infer, compute: 10, storage: 10, bandwidth: 5, maxLatency: 100, cost: 1, priority: 2 }
  - { name: train, compute: 40, storage: 100, bandwidth: 5, maxLatency: 10000, cost: 1, priority: 1${extra} }
`;
  const load = (text: string) => loadCatalogSources([{ file: "locks.yaml", text }]);

  eachRow(
    VARIANTS,
    "%s: a task locked on the second of two identical machines stays there",
    async (_name, algorithm, budget) => {
      const lock = { placements: [{ task: "infer", tier: "edge", machine: "gpu-1" }] };
      const plan = await planSite(load(site()), { algorithm, budget, lock });
      expect(plan.placements.find((p) => p.task === "infer")).toMatchObject({ tier: "edge", machine: "gpu-1" });
      expect(plan.moves).toEqual([]);
    },
  );

  eachRow(VARIANTS, "%s: a machine-level move is a move, written tier/machine", async (_name, algorithm, budget) => {
    // gpu-1 is gone (count 1 now names the machine 'gpu'): the locked task must move.
    const text = site().replace("count: 2", "count: 1");
    const lock = { placements: [{ task: "infer", tier: "edge", machine: "gpu-1" }] };
    const plan = await planSite(load(text), { algorithm, budget, lock });
    const to = plan.placements.find((p) => p.task === "infer");
    expect(plan.moves).toEqual([
      { task: "infer", from: "edge/gpu-1", to: to!.machine ? `edge/${to!.machine}` : to!.tier },
    ]);
    expect(plan.objective.moves).toBe(1);
  });

  eachRow(VARIANTS, "%s: a pin overrides the lock, and the plan says it moved", async (_name, algorithm, budget) => {
    const lock = { placements: [{ task: "train", tier: "edge", machine: "gpu-0" }] };
    const plan = await planSite(load(site(", pin: cloud")), { algorithm, budget, lock });
    expect(plan.placements.find((p) => p.task === "train")).toMatchObject({ tier: "cloud", pinned: true });
    expect(plan.moves).toEqual([{ task: "train", from: "edge/gpu-0", to: "cloud" }]);
  });

  const pinnedSite = (pins: string[]) => `site: pinned
tiers:
  - name: edge
    kind: edge
    storage: 1000
    bandwidth: 100
    latency: 10
    costPerHour: 5
    machines:
      - { name: gpu, count: 2, gpus: 2, gpuTflops: 50, storage: 500 }
tasks:
${pins.map((name) => `  - { name: ${name}, compute: 60, storage: 10, maxLatency: 100, pin: edge }`).join("\n")}
`;

  eachRow(
    VARIANTS,
    "%s: a pinned task keeps the machine the lock gives it when that machine has room",
    async (_name, algorithm, budget) => {
      const lock = { placements: [{ task: "p2", tier: "edge", machine: "gpu-1" }] };
      const plan = await planSite(load(pinnedSite(["p2"])), { algorithm, budget, lock });
      expect(plan.placements[0]).toMatchObject({ task: "p2", tier: "edge", machine: "gpu-1" });
      expect(plan.moves).toEqual([]);
    },
  );

  eachRow(
    VARIANTS,
    "%s: removing one of two pinned tasks does not reschedule the other",
    async (_name, algorithm, budget) => {
      // Each pin takes both GPUs of a machine: p1 on gpu-0, p2 on gpu-1. Then p1 leaves the catalog.
      const first = await planSite(load(pinnedSite(["p1", "p2"])), { algorithm, budget });
      expect(first.placements.map((p) => p.machine).sort()).toEqual(["gpu-0", "gpu-1"]);
      const lock = asLock(first);
      const plan = await planSite(load(pinnedSite(["p2"])), { algorithm, budget, lock });
      expect(plan.moves).toEqual([]);
      expect(plan.placements[0].machine).toBe(first.placements.find((p) => p.task === "p2")!.machine);
    },
  );

  eachRow(
    VARIANTS,
    "%s: tasks new to the catalog and locked tasks no longer in it are not moves",
    async (_name, algorithm, budget) => {
      const first = await planSite(load(site()), { algorithm, budget });
      const lock = asLock(first);
      // train is renamed: the old name is gone from the catalog, the new one is new to it.
      const plan = await planSite(load(site().replace("name: train", "name: train-v2")), { algorithm, budget, lock });
      expect(plan.moves).toEqual([]);
      expect(plan.placements.find((p) => p.task === "infer")).toMatchObject(
        first.placements.find((p) => p.task === "infer")!,
      );
    },
  );

  eachRow(VARIANTS, "%s: a locked task left unplaced is a move to null", async (_name, algorithm, budget) => {
    // The edge shrinks to one 1-GPU machine and infer may only use the edge: train's lock there must give way.
    const text = site(", allowedTiers: [edge]")
      .replace("count: 2, gpus: 2", "count: 1, gpus: 1")
      .replace("priority: 2", "priority: 3, allowedTiers: [edge]");
    const lock = { placements: [{ task: "train", tier: "edge", machine: "gpu" }] };
    const plan = await planSite(load(text), { algorithm, budget, lock });
    if (algorithm === "seed-greedy") {
      // The seed's greedy keeps what can stay, higher priority first: infer is not locked, train stays.
      expect(plan.moves).toEqual([]);
    } else {
      // Priority first: infer takes the only GPU, train can go nowhere else.
      expect(plan.placements.map((p) => p.task)).toEqual(["infer"]);
      expect(plan.moves).toEqual([{ task: "train", from: "edge/gpu", to: null }]);
    }
  });
});
