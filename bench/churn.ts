import type { PlanningInput, TierSpec } from "../src/catalog";
import { buildProblem, type Problem } from "../src/model";
import { buildInstance } from "../src/optimizer/instance";
import { solve } from "../src/optimizer/solve";
import type { LockInput, Solution } from "../src/optimizer/types";
import { load, type SuiteEntry } from "./suite";

/**
 * Issue 10.6's churn table: how many placed tasks a small catalog change moves, planned without
 * and with the previous plan as the lock (contract §6). The four changes: (a) one task added at
 * the top priority, (b) one placed task removed, (c) the busiest tier's price up 5 %, (d) the
 * busiest tier (without machines) losing 20 % of its capacity. Moves are counted here from the
 * two plans' placements, independent of the solver's own `moves`, which is checked against it.
 */
export interface ChurnRow {
  instance: string;
  change: string;
  placedBefore: number;
  movesWithout: number;
  movesWith: number;
  /** The solver's own count of moves with the lock (contract §6 `objective.moves`). */
  movesReported: number;
  placedAfter: number[];
  placedAfterWithout: number[];
  cpuMsWith: number;
  cpuMsWithout: number;
}

type Placements = Map<string, string>;

/** task name -> `tier` or `tier/machine`, for every placed task. */
function placements(problem: Problem, solution: Solution): Placements {
  const inst = buildInstance(problem);
  const out: Placements = new Map();
  for (const task of problem.tasks) {
    const e = solution.assignment[task.index];
    if (e < 0) continue;
    const env = problem.environments[e];
    const m = solution.machine[task.index];
    out.set(task.name, m >= 0 ? `${env.name}/${env.machines![m - inst.machines.start[e]].id}` : env.name);
  }
  return out;
}

function lockOf(before: Placements): LockInput {
  return {
    placements: [...before].map(([task, where]) => {
      const [tier, machine] = where.split("/");
      return { task, tier, ...(machine !== undefined && { machine }) };
    }),
  };
}

/** Contract §6: locked tasks still in the catalog that are placed elsewhere or not at all. */
function moves(before: Placements, after: Placements, problem: Problem): number {
  const names = new Set(problem.tasks.map((t) => t.name));
  let count = 0;
  for (const [task, where] of before) if (names.has(task) && after.get(task) !== where) count++;
  return count;
}

function levelCounts(problem: Problem, solution: Solution): number[] {
  const levels = [...new Set(problem.tasks.map((t) => t.priority))].sort((a, b) => b - a);
  return levels.map((p) => problem.tasks.filter((t) => t.priority === p && solution.assignment[t.index] >= 0).length);
}

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function timed<T>(f: () => Promise<T>): Promise<{ value: T; cpuMs: number }> {
  const cpu = cpuNow();
  const value = await f();
  return { value, cpuMs: cpuNow() - cpu };
}

/** The four changes of issue 10.6, as new planning inputs. */
function changes(input: PlanningInput, before: Placements): Array<{ change: string; input: PlanningInput }> {
  const top = Math.max(...input.tasks.map((t) => t.priority));
  const siteTask = input.tasks.find((t) => !t.perRobot && t.robot === undefined && t.pin === undefined)!;
  const removed = input.tasks.find((t) => !t.perRobot && before.has(t.name))!;
  const load = new Map<string, number>();
  for (const where of before.values()) load.set(where.split("/")[0], (load.get(where.split("/")[0]) ?? 0) + 1);
  const busiest = (tiers: TierSpec[]) =>
    tiers.reduce((a, b) => ((load.get(b.name) ?? 0) > (load.get(a.name) ?? 0) ? b : a));
  const priced = busiest(input.tiers);
  const shrunk = busiest(input.tiers.filter((t) => !t.machines));
  const withTier = (name: string, f: (t: TierSpec) => TierSpec) => ({
    ...input,
    tiers: input.tiers.map((t) => (t.name === name ? f(t) : t)),
  });
  return [
    {
      change: `(a) add one priority-${top} task (a copy of ${siteTask.name})`,
      input: { ...input, tasks: [...input.tasks, { ...siteTask, name: "churn-added", priority: top }] },
    },
    {
      change: `(b) remove one placed task (${removed.name})`,
      input: { ...input, tasks: input.tasks.filter((t) => t !== removed) },
    },
    {
      change: `(c) ${priced.name}'s price +5 %`,
      input: withTier(priced.name, (t) => ({ ...t, costPerHour: t.costPerHour * 1.05 })),
    },
    {
      change: `(d) ${shrunk.name} loses 20 % of its capacity`,
      input: withTier(shrunk.name, (t) => ({
        ...t,
        compute: t.compute * 0.8,
        storage: t.storage * 0.8,
        bandwidth: t.bandwidth * 0.8,
      })),
    },
  ];
}

export async function churnTable(entries: SuiteEntry[], progress: (m: string) => void): Promise<ChurnRow[]> {
  const rows: ChurnRow[] = [];
  for (const entry of entries) {
    const loaded = load(entry);
    if ("skipped" in loaded) continue;
    const problem = buildProblem(loaded.input);
    const before = placements(problem, await solve(problem));
    const lock = lockOf(before);
    for (const { change, input } of changes(loaded.input, before)) {
      const next = buildProblem(input);
      const without = await timed(() => solve(next));
      const withLock = await timed(() => solve(next, { lock }));
      const row: ChurnRow = {
        instance: entry.name,
        change,
        placedBefore: before.size,
        movesWithout: moves(before, placements(next, without.value), next),
        movesWith: moves(before, placements(next, withLock.value), next),
        movesReported: withLock.value.moves,
        placedAfter: levelCounts(next, withLock.value),
        placedAfterWithout: levelCounts(next, without.value),
        cpuMsWith: withLock.cpuMs,
        cpuMsWithout: without.cpuMs,
      };
      rows.push(row);
      progress(
        `churn ${entry.name} ${change}: ${row.movesWithout} moves without the lock, ${row.movesWith} with it (solver says ${row.movesReported})\n`,
      );
    }
  }
  return rows;
}
