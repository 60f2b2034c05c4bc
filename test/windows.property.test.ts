import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PlanningInput } from "../src/catalog/schema";
import { buildProblem } from "../src/model";
import { respectsCapacity, worth } from "../src/optimizer/evaluate";
import { buildInstance, isPlaceable, Load } from "../src/optimizer/instance";
import { highs, solveStage } from "../src/optimizer/milp";
import { lockTarget } from "../src/optimizer/lock";
import type { Packed } from "../src/optimizer/types";
import { homeNeighbourhood, windowInstance } from "../src/optimizer/windows";
import { lockFor, machineInput, smallInput } from "./support/arbitraries";

const inputs = fc
  .tuple(
    fc.oneof(
      smallInput(8),
      machineInput({ maxRobots: 3, pinsOnMachines: true, maxTasks: 8 }),
      machineInput({ maxRobots: 3, dense: true, maxTasks: 8 }),
    ),
    fc.array(fc.integer({ min: -1, max: 2 }), { minLength: 8, maxLength: 8 }),
  )
  .map(([input, picks]) => {
    if (input.robots.length === 0) return input;
    const tasks = input.tasks.map((t, i) => {
      if (t.robot === undefined) return t;
      return { ...t, robot: input.robots[Math.max(0, picks[i]) % input.robots.length].name };
    });
    return { ...input, tasks } as PlanningInput;
  })
  .chain((input) =>
    fc.record({
      input: fc.constant(input),
      lock: fc.option(lockFor(input)),
      order: fc.array(fc.integer({ min: 0, max: 1000 }), {
        minLength: input.tasks.length,
        maxLength: input.tasks.length,
      }),
      choice: fc.array(fc.integer({ min: -1, max: 5 }), {
        minLength: input.tasks.length,
        maxLength: input.tasks.length,
      }),
      windowMask: fc.integer({ min: 0, max: 7 }),
      levelPick: fc.integer({ min: 0, max: 2 }),
    }),
  );

type Drawn = typeof inputs extends fc.Arbitrary<infer T> ? T : never;

/**
 * The site, its lock, a random incumbent packed through Load (so machines are real), a random
 * level, and the count rows a stage at that level carries for the levels above.
 */
function drawnStage({ input, lock: lockIn, order, choice, levelPick }: Drawn) {
  const problem = buildProblem(input);
  const lock = lockIn ? lockTarget(problem, lockIn) : undefined;
  const inst = buildInstance(problem, lock?.machine);
  const load = new Load(inst);
  const assignment = Int32Array.from(inst.pinned);
  const ts = [...Array(inst.taskCount).keys()]
    .filter((t) => inst.pinned[t] < 0)
    .sort((a, b) => order[a] - order[b] || a - b);
  for (const t of ts) {
    if (choice[t] < 0) continue;
    const n = inst.candStart[t + 1] - inst.candStart[t];
    for (let k = 0; k < n; k++) {
      const c = inst.candStart[t] + ((choice[t] + k) % n);
      if (!inst.candFits[c] || !load.fits(t, inst.candEnv[c])) continue;
      if (load.add(t, inst.candEnv[c])) {
        assignment[t] = inst.candEnv[c];
        break;
      }
    }
  }
  const incumbent = { assignment, machine: load.machineOf.slice() };
  const li = Math.min(levelPick, inst.levels.length - 1);
  const level = inst.levels[li];
  const iw = worth(inst, incumbent);
  const minPlaced = new Map<number, number>();
  const forced = new Set<number>();
  inst.levels.forEach((p, i) => {
    if (i >= li) return;
    minPlaced.set(p, iw.placed[i]);
    let ceiling = 0;
    for (let t = 0; t < inst.taskCount; t++)
      if (inst.priority[t] === p && (inst.pinned[t] >= 0 || isPlaceable(inst, t))) ceiling++;
    if (iw.placed[i] >= ceiling) forced.add(p);
  });
  const stage = {
    goal: { count: level },
    minPriority: level,
    minPlaced,
    forced,
    maxNodes: Infinity,
    start: incumbent,
    ...(lock && { lock }),
  };
  const robotOf = (t: number) =>
    problem.environments.find((e) => e.fleetRobot && e.name === problem.tasks[t].robot)?.index;
  return { problem, inst, incumbent, iw, li, level, minPlaced, forced, stage, robotOf };
}

/**
 * A stage's plan is one of the whole site: capacity, pins, forced levels, candidates, machines
 * on their tier, nothing below the level, and the counts it holds and raises.
 */
function expectSitePlan(d: ReturnType<typeof drawnStage>, packed: Packed): void {
  const { inst, iw, li, level, minPlaced, forced } = d;
  expect(respectsCapacity(inst, packed)).toBe(true);
  const w = worth(inst, packed);
  expect(w.placed[li]).toBeGreaterThanOrEqual(iw.placed[li]);
  for (const [p, n] of minPlaced) expect(w.placed[inst.levels.indexOf(p)]).toBeGreaterThanOrEqual(n);
  for (let t = 0; t < inst.taskCount; t++) {
    const e = packed.assignment[t];
    if (inst.pinned[t] >= 0) {
      expect(e).toBe(inst.pinned[t]);
      continue;
    }
    if (forced.has(inst.priority[t]) && isPlaceable(inst, t)) expect(e).toBeGreaterThanOrEqual(0);
    if (e < 0) continue;
    let ok = false;
    for (let c = inst.candStart[t]; c < inst.candStart[t + 1]; c++)
      if (inst.candEnv[c] === e && inst.candFits[c]) ok = true;
    expect(ok, `task ${t} on a non-candidate ${e}`).toBe(true);
    if (inst.machines.start[e] !== inst.machines.start[e + 1]) expect(inst.machines.env[packed.machine[t]]).toBe(e);
    if (inst.priority[t] < level) throw new Error("lower level placed");
  }
}

/**
 * Random sites (robots, tiers with machines, pins on machines, locks), a random incumbent packed
 * through Load, a random level and window: what a window's stage may do to the whole site.
 */
describe("windowInstance on random sites", () => {
  it("every plan of a window is a plan of the site that holds the tasks outside it, and the incumbent is one", async () => {
    const solver = await highs();
    await fc.assert(
      fc.asyncProperty(inputs, async (drawn) => {
        const d = drawnStage(drawn);
        const { problem, inst, incumbent, iw, li, level, stage, robotOf } = d;
        // Load packs what fits: a random incumbent always respects capacity.
        expect(respectsCapacity(inst, incumbent)).toBe(true);
        const robots = problem.environments.filter((e) => e.fleetRobot).map((e) => e.index);
        const window = robots.filter((_, k) => (drawn.windowMask >> k) & 1);
        const sub = windowInstance(inst, window, level, incumbent);
        // The incumbent itself: only its own environments allowed.
        const exclude = new Uint8Array(inst.candEnv.length);
        for (let t = 0; t < inst.taskCount; t++)
          for (let c = inst.candStart[t]; c < inst.candStart[t + 1]; c++)
            if (inst.candEnv[c] !== incumbent.assignment[t]) exclude[c] = 1;
        const own = solveStage(solver, sub, { ...stage, exclude });
        expect(own.packed, "incumbent infeasible in derived model").toBeDefined();
        expect(worth(inst, own.packed!).placed[li]).toBe(iw.placed[li]);
        const packed = solveStage(solver, sub, stage).packed!;
        expect(packed).toBeDefined();
        expectSitePlan(d, packed);
        for (let t = 0; t < inst.taskCount; t++) {
          const r = robotOf(t);
          if (r === undefined || window.includes(r) || inst.priority[t] < level || inst.pinned[t] >= 0) continue;
          const e = packed.assignment[t];
          if (e >= 0) expect(e).toBe(incumbent.assignment[t]);
          if (incumbent.assignment[t] === r) expect(e).toBe(r);
        }
      }),
      { numRuns: 1000, seed: 20261129 },
    );
  }, 120_000);
});

describe("homeNeighbourhood on random sites", () => {
  it("every plan around the incumbent is a plan of the site whose tasks above the level stay or go home", async () => {
    const solver = await highs();
    await fc.assert(
      fc.asyncProperty(inputs, async (drawn) => {
        const d = drawnStage(drawn);
        const { inst, incumbent, level, stage, robotOf } = d;
        const packed = solveStage(solver, homeNeighbourhood(inst, level, incumbent), stage).packed!;
        expect(packed, "incumbent infeasible around itself").toBeDefined();
        expectSitePlan(d, packed);
        for (let t = 0; t < inst.taskCount; t++) {
          if (inst.pinned[t] >= 0 || inst.priority[t] <= level || packed.assignment[t] < 0) continue;
          expect([incumbent.assignment[t], robotOf(t)]).toContain(packed.assignment[t]);
        }
      }),
      { numRuns: 500, seed: 20261130 },
    );
  }, 120_000);
});
