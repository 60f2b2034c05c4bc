import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadCatalogSources } from "../src/catalog/load";
import type { PlanningInput } from "../src/catalog/schema";
import { buildProblem, unitsNeeded } from "../src/model";
import { solve } from "../src/optimizer/solve";
import type { Algorithm, Budget } from "../src/optimizer/types";
import { canonicalPlan, planSite, type Plan } from "../src/plan";
import { buildPlan } from "../src/plan/build";
import { machineInput, smallInput } from "./support/arbitraries";
import { better, bruteForce, oracleMachines, oracleUnits, planBreaks, planWorth } from "./support/bruteForce";

/** docs/contract.md §5 (machines, whole GPU units) against the brute force, and the machine-less path unchanged. */

const seed = 20261129;
const ALGORITHMS: Algorithm[] = ["auto", "exact", "seed-greedy"];
/** `auto` as on a large site: no MILP, only the heuristics and their bounds. */
const HEURISTIC_ONLY: Partial<Budget> = { milpMaxColumns: 0 };

const relClose = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));

/**
 * Tests of bugs found by this file and open when it was committed (see the commit message for the
 * minimal inputs): they run as `it.fails`, so the suite stays green while the bug is there and
 * says so the day it is fixed. Delete the entry with the fix.
 */
const OPEN_BUGS = new Set<string>([]);
const check = (title: string) => (OPEN_BUGS.has(title) ? it.fails : it);

describe("unit arithmetic (docs/contract.md §5)", () => {
  it("the model's unitsNeeded is ceil(compute / unit) with the §2 tolerance, 0 for no compute", () => {
    const table: Array<[number, number, number]> = [
      [0, 50, 0],
      [10, 50, 1],
      [50, 50, 1],
      [50.000000001, 50, 1], // within 1e-9 relative of one unit
      [50.0001, 50, 2],
      [10, 10 / 3, 3], // 10 / (10/3) lands on 3.0000000000000004
      [30, 10, 3],
      [12.5, 12.5, 1],
      [25, 12.5, 2],
      [0.1, 16, 1],
      [3.3, 1.1, 3],
    ];
    for (const [compute, unit, units] of table) {
      expect(oracleUnits(compute, unit), `oracle ${compute}/${unit}`).toBe(units);
      expect(unitsNeeded(compute, unit), `model ${compute}/${unit}`).toBe(units);
    }
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 0, max: 400 }), fc.double({ min: 0, max: 400, noNaN: true })),
        fc.constantFrom(4, 5, 8, 10, 16, 50),
        fc.integer({ min: 1, max: 7 }),
        (compute, gpuTflops, slices) => {
          expect(unitsNeeded(compute, gpuTflops / slices)).toBe(oracleUnits(compute, gpuTflops / slices));
        },
      ),
      { numRuns: 2000, seed },
    );
  });

  it("machines expand to the ids and units of docs/contract.md §5, in catalog order", () => {
    fc.assert(
      fc.property(machineInput({ maxTasks: 1 }), (input) => {
        const problem = buildProblem(input);
        input.tiers.forEach((tier, i) => {
          const env = problem.environments[i];
          if (!tier.machines) return expect(env.machines).toBeUndefined();
          const expected = tier.machines.flatMap((m) =>
            Array.from({ length: m.count }, (_, k) => ({
              id: m.count === 1 ? m.name : `${m.name}-${k}`,
              units: m.gpus * m.gpuSlices,
              unitTflops: m.gpuTflops / m.gpuSlices,
              storage: m.storage,
            })),
          );
          expect(oracleMachines(env)).toEqual(expected);
          expect(
            env.machines!.map(({ id, units, unitTflops, storage }) => ({ id, units, unitTflops, storage })),
          ).toEqual(expected);
        });
      }),
      { numRuns: 300, seed },
    );
  });
});

describe("exact with machines equals the brute force over every environment and machine", () => {
  it("on random small sites (pins on tiers without machines)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(machineInput(), machineInput({ dense: true })), async (input) => {
        const problem = buildProblem(input);
        const solution = await solve(problem, { algorithm: "exact" });
        const plan = buildPlan(problem, solution, 0);
        const truth = bruteForce(problem);
        const got = planWorth(problem, plan);
        expect(planBreaks(problem, plan)).toEqual([]);
        expect(got.placed).toEqual(truth.placed);
        expect(relClose(got.score, truth.score), `score ${got.score} vs brute force ${truth.score}`).toBe(true);
        expect(better(truth, got)).toBe(false);
        expect(solution.optimal).toBe(true);
        expect(solution.gap).toBe(0);
      }),
      { numRuns: 250, seed },
    );
  });

  check("with pins on tiers with machines, for the machines the plan gives the pins")(
    "with pins on tiers with machines, for the machines the plan gives the pins",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(machineInput({ pinsOnMachines: true }), machineInput({ pinsOnMachines: true, dense: true })),
          async (input) => {
            const problem = buildProblem(input);
            const plan = await planSite(input, { algorithm: "exact" });
            const pinMachines = new Map(
              plan.placements.filter((p) => p.pinned && p.machine !== undefined).map((p) => [p.task, p.machine!]),
            );
            const truth = bruteForce(problem, { pinMachines });
            const got = planWorth(problem, plan);
            expect(planBreaks(problem, plan)).toEqual([]);
            expect(got.placed).toEqual(truth.placed);
            expect(relClose(got.score, truth.score), `score ${got.score} vs brute force ${truth.score}`).toBe(true);
            expect(plan.solver.optimal).toBe(true);
          },
        ),
        { numRuns: 200, seed: seed + 1, endOnFailure: true },
      );
    },
  );
});

describe("no algorithm returns a placement a machine cannot hold", () => {
  const cases: Array<[string, Algorithm, Partial<Budget>]> = [
    ["auto", "auto", {}],
    ["auto (heuristics only)", "auto", HEURISTIC_ONLY],
    ["exact", "exact", {}],
    ["seed-greedy", "seed-greedy", {}],
  ];
  it.each(cases)(
    "%s: machines named, gpuUnits = ceil(compute/unit), units and disk within every machine",
    async (_name, algorithm, budget) => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            machineInput({ maxTasks: 8, pinsOnMachines: true, maxRobots: 2 }),
            machineInput({ maxTasks: 10, pinsOnMachines: true, dense: true }),
          ),
          async (input) => {
            const problem = buildProblem(input);
            const plan = await planSite(input, { algorithm, budget });
            expect(planBreaks(problem, plan)).toEqual([]);
            // Only pins may break a rule, and then the plan says so.
            const pinned = new Set(problem.tasks.filter((t) => t.pin !== undefined).map((t) => t.name));
            expect(plan.violations.filter((v) => !pinned.has(v.task))).toEqual([]);
            // Every placed or unplaced task appears once.
            expect([...plan.placements.map((p) => p.task), ...plan.unplaced.map((u) => u.task)].sort()).toEqual(
              problem.tasks.map((t) => t.name).sort(),
            );
          },
        ),
        { numRuns: 150, seed: seed + 2 },
      );
    },
  );

  it("auto is never worse than seed-greedy with machines, priority level by priority level", async () => {
    await fc.assert(
      fc.asyncProperty(
        machineInput({ maxTasks: 8, pinsOnMachines: true, maxRobots: 2 }),
        fc.constantFrom<Partial<Budget>>({}, HEURISTIC_ONLY),
        async (input, budget) => {
          const problem = buildProblem(input);
          const auto = planWorth(problem, await planSite(input, { algorithm: "auto", budget }));
          const greedy = planWorth(problem, await planSite(input, { algorithm: "seed-greedy" }));
          expect(better(greedy, auto)).toBe(false);
        },
      ),
      { numRuns: 150, seed: seed + 3 },
    );
  });
});

/** Strips what only a tier with machines has: the machine fields of placements and environments. */
function withoutMachines(plan: Plan) {
  const canonical = canonicalPlan(plan);
  return {
    ...canonical,
    placements: canonical.placements.map(({ machine: _m, gpuUnits: _u, ...p }) => p),
    environments: canonical.environments.map(({ machines: _m, packing: _p, ...e }) => e),
    solver: { ...canonical.solver, work: undefined, method: undefined },
  };
}

/**
 * A machine that can never bind: one GPU of 1,000 TFLOPS sliced into quarter-TFLOPS units (the
 * integer demands of smallInput divide exactly; 4,000 units exceed what even pins can put there),
 * and a disk larger than any demand. The tier keeps its compute, so latencies and costs are
 * unchanged, and its capacity binds first: plans must be those of the tier without machines.
 */
function withNeutralMachines(input: PlanningInput): PlanningInput {
  return {
    ...input,
    tiers: input.tiers.map((tier) =>
      tier.kind !== "edge"
        ? tier
        : {
            ...tier,
            machines: [
              { name: `${tier.name}-node`, count: 1, gpus: 1, gpuTflops: 1000, gpuSlices: 4000, storage: 1e6 },
            ],
          },
    ),
  };
}

describe("a tier without machines behaves as in section 2", () => {
  it("seed-greedy's plan is the same with a machine that can never bind, field for field", async () => {
    await fc.assert(
      fc.asyncProperty(smallInput(8), async (input) => {
        const plain = await planSite(input, { algorithm: "seed-greedy" });
        const neutral = await planSite(withNeutralMachines(input), { algorithm: "seed-greedy" });
        expect(withoutMachines(neutral)).toEqual(withoutMachines(plain));
      }),
      { numRuns: 150, seed: seed + 4 },
    );
  });

  it.each<[string, Algorithm, Partial<Budget>]>([
    ["exact", "exact", {}],
    ["auto", "auto", {}],
    ["auto (heuristics only)", "auto", HEURISTIC_ONLY],
  ])(
    "%s places as many per level at the same score with a machine that can never bind",
    async (_name, algorithm, budget) => {
      await fc.assert(
        fc.asyncProperty(smallInput(8), async (input) => {
          const problem = buildProblem(input);
          const plain = await planSite(input, { algorithm, budget });
          const neutral = await planSite(withNeutralMachines(input), { algorithm, budget });
          const a = planWorth(problem, plain);
          const b = planWorth(problem, neutral);
          expect(b.placed).toEqual(a.placed);
          expect(relClose(b.score, a.score), `score ${b.score} with the neutral machine vs ${a.score}`).toBe(true);
          expect(neutral.solver.optimal).toBe(plain.solver.optimal);
        }),
        { numRuns: 120, seed: seed + 5 },
      );
    },
  );

  it("placements on tiers without machines never carry machine or gpuUnits", async () => {
    await fc.assert(
      fc.asyncProperty(smallInput(8), fc.constantFrom(...ALGORITHMS), async (input, algorithm) => {
        const plan = await planSite(input, { algorithm });
        for (const p of plan.placements) {
          expect(p).not.toHaveProperty("machine");
          expect(p).not.toHaveProperty("gpuUnits");
        }
        for (const e of plan.environments) expect(e).not.toHaveProperty("machines");
      }),
      { numRuns: 60, seed: seed + 6 },
    );
  });
});

/** Issue 8's case: factory-a with five more 10-TFLOPS inference tasks, its edge made of two 50-TFLOPS GPUs. */
function factoryA(machines: string, extra = ""): PlanningInput {
  const inference = Array.from(
    { length: 5 },
    (_, k) =>
      `  - { name: inference-${k}, compute: 10, storage: 10, bandwidth: 5, maxLatency: 100, cost: 1, priority: 2${extra} }`,
  ).join("\n");
  const site = `site: factory-a
objective: { preset: balanced, reserve: 0 }
tiers:
  - { name: cloud, kind: cloud, compute: 1000, storage: 10000, bandwidth: 1000, latency: 50, costPerHour: 10 }
  - name: edge
    kind: edge
    storage: 1000
    bandwidth: 100
    latency: 10
    costPerHour: 5
${machines}
robots:
  - { name: arm-1, compute: 10, storage: 100, bandwidth: 10, latency: 1, costPerHour: 1 }
tasks:
  - { name: action-execution, compute: 1, storage: 1, bandwidth: 10, maxLatency: 10, cost: 0.1, priority: 3, robot: arm-1 }
  - { name: model-training, compute: 500, storage: 5000, bandwidth: 100, maxLatency: 10000, cost: 50, priority: 1 }
  - { name: realtime-inference, compute: 10, storage: 10, bandwidth: 50, maxLatency: 100, cost: 1, priority: 2 }
${inference}
`;
  return loadCatalogSources([{ file: "factory-a.yaml", text: site }]);
}

const tenTflopsTasks = ["realtime-inference", ...Array.from({ length: 5 }, (_, k) => `inference-${k}`)];

describe("issue 8: five 10-TFLOPS inference tasks on factory-a's edge of two 50-TFLOPS GPUs", () => {
  const oneMachine = "    machines:\n      - { name: gpu-a, gpus: 2, gpuTflops: 50, storage: 500 }";
  const twoMachines = "    machines:\n      - { name: gpu-a, count: 2, gpus: 1, gpuTflops: 50, storage: 500 }";
  const sliced = "    machines:\n      - { name: gpu-a, gpus: 2, gpuTflops: 50, gpuSlices: 4, storage: 500 }";

  it.each(ALGORITHMS)("%s: before machines, the divisible pool takes all six", async (algorithm) => {
    const plan = await planSite(factoryA("    compute: 100"), { algorithm });
    expect(plan.placements.filter((p) => p.tier === "edge" && tenTflopsTasks.includes(p.task))).toHaveLength(6);
  });

  it.each(
    ALGORITHMS.flatMap((a) => [
      [a, "one machine of two GPUs", oneMachine] as const,
      [a, "two machines of one GPU", twoMachines] as const,
    ]),
  )(
    "%s, %s: at most two go to the edge, one whole GPU each, the rest to the cloud",
    async (algorithm, _shape, machines) => {
      const input = factoryA(machines);
      expect(input.tiers[1].compute).toBe(100);
      const plan = await planSite(input, { algorithm });
      const onEdge = plan.placements.filter((p) => p.tier === "edge");
      expect(onEdge.length).toBeLessThanOrEqual(2);
      expect(onEdge.length).toBe(2); // both GPUs are used: the edge is the better place for each
      for (const p of onEdge) expect(p.gpuUnits).toBe(1);
      if (machines === twoMachines) expect(onEdge.map((p) => p.machine).sort()).toEqual(["gpu-a-0", "gpu-a-1"]);
      else expect(onEdge.every((p) => p.machine === "gpu-a")).toBe(true);
      // The seed's greedy leaves a task unplaced when its best environment is full (docs/contract.md §3).
      if (algorithm === "seed-greedy")
        expect(plan.unplaced.map((u) => u.task).filter((t) => tenTflopsTasks.includes(t))).toHaveLength(4);
      else expect(plan.placements.filter((p) => p.tier === "cloud" && tenTflopsTasks.includes(p.task))).toHaveLength(4);
      expect(planBreaks(buildProblem(input), plan)).toEqual([]);
    },
  );

  it.each(ALGORITHMS)("%s, edge only: four stay unplaced, and say that no machine has room", async (algorithm) => {
    const input = factoryA(oneMachine, ", allowedTiers: [edge]");
    const plan = await planSite(input, { algorithm });
    expect(plan.placements.filter((p) => p.tier === "edge")).toHaveLength(2);
    const unplaced = plan.unplaced.filter((u) => u.task.startsWith("inference-"));
    // The optimum sends realtime-inference to the cloud and two edge-only tasks to the GPUs; the
    // seed's greedy gives one GPU to realtime-inference (its best place) and leaves four.
    expect(unplaced).toHaveLength(algorithm === "seed-greedy" ? 4 : 3);
    for (const u of unplaced) expect(u.reasons.join("\n")).toMatch(/edge: .*GPU unit/);
  });

  it.each(ALGORITHMS)("%s, gpuSlices 4: 12.5-TFLOPS units, one each, all six fit on the edge", async (algorithm) => {
    const input = factoryA(sliced);
    const plan = await planSite(input, { algorithm });
    const onEdge = plan.placements.filter((p) => p.tier === "edge");
    expect(onEdge.map((p) => p.task).sort()).toEqual([...tenTflopsTasks].sort());
    for (const p of onEdge) {
      expect(p.machine).toBe("gpu-a");
      expect(p.gpuUnits).toBe(1);
    }
    expect(planBreaks(buildProblem(input), plan)).toEqual([]);
  });

  it("a task needing more units than any machine has is unplaced with the reason of docs/contract.md §5", async () => {
    const input = factoryA(oneMachine);
    input.tiers[1].compute = 200; // so that the tier's own capacity does not stop the task first
    input.tasks.push({
      name: "big",
      compute: 120,
      storage: 1,
      bandwidth: 1,
      maxLatency: 100,
      cost: 0,
      priority: 3,
      perRobot: false,
      allowedTiers: ["edge"],
    });
    for (const algorithm of ALGORITHMS) {
      const plan = await planSite(input, { algorithm });
      const big = plan.unplaced.find((u) => u.task === "big");
      expect(big, algorithm).toBeDefined();
      expect(big!.reasons.join("\n")).toContain("edge: needs 3 GPU units on one machine, the largest has 2");
    }
  });
});

describe("the reserve applies to the tier, not to its machines (docs/contract.md §5)", () => {
  const site = (reserve: number) =>
    loadCatalogSources([
      {
        file: "reserve.yaml",
        text: `site: reserve
objective: { reserve: ${reserve} }
tiers:
  - name: edge
    kind: edge
    storage: 1000
    bandwidth: 100
    latency: 1
    costPerHour: 1
    machines:
      - { name: gpu, count: 2, gpus: 1, gpuTflops: 50, storage: 100 }
tasks:
  - { name: a, compute: 45, storage: 100, maxLatency: 100 }
  - { name: b, compute: 45, storage: 100, maxLatency: 100 }
`,
      },
    ]);
  it.each(ALGORITHMS)(
    "%s: a task fills a machine's whole GPU and disk, and the tier's 10-percent reserve still counts",
    async (algorithm) => {
      // Each task takes one machine whole (1 unit, all 100 GB): no reserve on a machine. Together
      // they take 90 of the tier's 100 TFLOPS: exactly its usable capacity at reserve 0.1.
      expect((await planSite(site(0.1), { algorithm })).placements.map((p) => p.machine)).toEqual(["gpu-0", "gpu-1"]);
      // At reserve 0.2 the tier's 80 usable TFLOPS hold one of them only, though both machines are free.
      const tight = await planSite(site(0.2), { algorithm });
      expect(tight.placements).toHaveLength(1);
      expect(tight.unplaced[0].reasons.join("\n")).toMatch(/compute/);
    },
  );
});

describe("packing decides the machine among equally good plans (docs/contract.md §5)", () => {
  function packingSite(packing: string, machines: string, tasks: number): PlanningInput {
    const jobs = Array.from(
      { length: tasks },
      (_, k) => `  - { name: job-${k}, compute: 5, storage: 1, maxLatency: 100 }`,
    ).join("\n");
    return loadCatalogSources([
      {
        file: "packing.yaml",
        text: `site: packing
tiers:
  - name: edge
    kind: edge
    storage: 100
    bandwidth: 100
    latency: 1
    costPerHour: 1
    packing: ${packing}
    machines:
${machines}
tasks:
${jobs}
`,
      },
    ]);
  }
  const bigFirst =
    "      - { name: big, gpus: 4, gpuTflops: 10, storage: 50 }\n      - { name: small, gpus: 2, gpuTflops: 10, storage: 50 }";
  const smallFirst =
    "      - { name: small, gpus: 2, gpuTflops: 10, storage: 50 }\n      - { name: big, gpus: 4, gpuTflops: 10, storage: 50 }";
  const twins = "      - { name: node, count: 2, gpus: 2, gpuTflops: 10, storage: 50 }";
  // docs/contract.md §5: best fit takes the machine with the least room that holds the task, first fit the
  // first in order, worst fit the one with the most room.
  const lone: Array<[string, string, string, string]> = [
    ["best-fit", "big, small", "small", bigFirst],
    ["first-fit", "big, small", "big", bigFirst],
    ["worst-fit", "big, small", "big", bigFirst],
    ["best-fit", "small, big", "small", smallFirst],
    ["first-fit", "small, big", "small", smallFirst],
    ["worst-fit", "small, big", "big", smallFirst],
  ];
  for (const [packing, order, expected, machines] of lone) {
    const title = `${packing} on machines [${order}] puts a lone task on ${expected} (auto and exact)`;
    check(title)(title, async () => {
      for (const algorithm of ["auto", "exact"] as const) {
        const plan = await planSite(packingSite(packing, machines, 1), { algorithm });
        expect(plan.placements[0].machine, algorithm).toBe(expected);
      }
    });
  }

  const pair: Array<[string, boolean]> = [
    ["spread", true],
    ["worst-fit", true],
    ["best-fit", false],
    ["first-fit", false],
  ];
  for (const [packing, apart] of pair) {
    const title = `${packing}: two tasks of one level on two identical machines go ${apart ? "apart" : "together"} (auto and exact)`;
    check(title)(title, async () => {
      for (const algorithm of ["auto", "exact"] as const) {
        const plan = await planSite(packingSite(packing, twins, 2), { algorithm });
        const used = new Set(plan.placements.map((p) => p.machine));
        expect(used.size, algorithm).toBe(apart ? 2 : 1);
      }
    });
  }

  it("seed-greedy packs by first fit whatever the tier says (issue 8)", async () => {
    for (const packing of ["best-fit", "worst-fit", "spread"]) {
      const plan = await planSite(packingSite(packing, smallFirst, 1), { algorithm: "seed-greedy" });
      expect(plan.placements[0].machine, packing).toBe("small");
    }
  });
});

describe("a pin that overfills a machine leaves the rest of the plan to the optimizer", () => {
  // The pin needs 1 GPU unit on a machine with none (a violation the plan lists). The optimizer
  // must still plan the cloud: a and b do not fit together, and b scores less.
  const text = `site: overfill
objective: { preset: balanced, weights: { latency: 1, cost: 0 }, reserve: 0 }
tiers:
  - name: edge
    kind: edge
    compute: 1
    storage: 1
    bandwidth: 1
    latency: 0
    costPerHour: 0
    machines:
      - { name: m, gpus: 0, gpuTflops: 4, storage: 1 }
  - { name: cloud, kind: cloud, compute: 4, storage: 6.5, bandwidth: 9, latency: 0, costPerHour: 0 }
tasks:
  - { name: pinned, compute: 1, maxLatency: 5, pin: edge }
  - { name: a, compute: 2.5, storage: 1, maxLatency: 5, allowedTiers: [cloud] }
  - { name: b, compute: 0, storage: 6, maxLatency: 5, allowedTiers: [cloud] }
`;
  check("exact places b, proves it, and bounds the level by 2")(
    "exact places b, proves it, and bounds the level by 2",
    async () => {
      const input = loadCatalogSources([{ file: "overfill.yaml", text }]);
      const plan = await planSite(input, { algorithm: "exact" });
      expect(plan.violations.map((v) => v.task)).toEqual(["pinned"]);
      expect(plan.placements.map((p) => p.task).sort()).toEqual(["b", "pinned"]);
      expect(plan.objective.placedByPriority).toEqual([{ priority: 1, placed: 2, total: 3, bound: 2 }]);
      expect(plan.solver.optimal).toBe(true);
      expect(plan.solver.gap).toBe(0);
    },
  );
});

describe("the pins' machines are part of the plan, not fixed by packing before it", () => {
  // Two 1-unit pins and a 2-unit task on two 2-GPU machines: the pins must share a machine for the
  // task to fit. Packing decides only among plans equal under the order of comparison (docs/contract.md §5).
  for (const packing of ["best-fit", "first-fit", "worst-fit", "spread"])
    check(`${packing}: exact places all three`)(`${packing}: exact places all three`, async () => {
      const input = loadCatalogSources([
        {
          file: "pins.yaml",
          text: `site: pins-share
tiers:
  - name: edge
    kind: edge
    storage: 1000
    bandwidth: 100
    latency: 10
    costPerHour: 5
    packing: ${packing}
    machines:
      - { name: gpu, count: 2, gpus: 2, gpuTflops: 50, storage: 500 }
tasks:
  - { name: p1, compute: 10, maxLatency: 100, pin: edge }
  - { name: p2, compute: 10, maxLatency: 100, pin: edge }
  - { name: big, compute: 80, maxLatency: 100 }
`,
        },
      ]);
      expect(bruteForce(buildProblem(input)).placed).toEqual([3]);
      const plan = await planSite(input, { algorithm: "exact" });
      expect(plan.unplaced).toEqual([]);
      expect(plan.violations).toEqual([]);
    });
});
