import {
  blockers,
  isBindingOk,
  leq,
  unitsNeeded,
  type Blocker,
  DIMENSIONS,
  type Environment,
  type Machine,
  type Problem,
  type Task,
} from "../model";
import { fmt } from "./format";

/** Free capacity per environment and dimension once the plan is applied. */
export type FreeCapacity = (env: Environment, dimension: (typeof DIMENSIONS)[number]) => number;

/** What each machine of a tier has left once the plan is applied (docs/contract.md §5). */
export type MachineRoom = (env: Environment) => Array<{ machine: Machine; units: number; storage: number }>;

/**
 * Why a task is unplaced: a summary in the style `0/5 environments: 2 latency 55.5 ms > 20 ms,
 * 3 insufficient compute (free 4 < 10)`, then one line per shared environment (fleet robots
 * private to other tasks are only counted, so a large fleet does not drown the answer).
 */
export function explainUnplaced(task: Task, problem: Problem, free: FreeCapacity, room?: MachineRoom): string[] {
  const groups = new Map<string, { count: number; detail: string; rank: number }>();
  const lines: string[] = [];
  const note = (key: string, rank: number, detail: string, better: boolean) => {
    const group = groups.get(key);
    if (!group) groups.set(key, { count: 1, detail, rank });
    else {
      group.count++;
      if (better) group.detail = detail;
    }
  };
  let bestLatency = Infinity;
  let bestFree = new Map<string, number>();
  for (const env of problem.environments) {
    // Another robot of the fleet: its own first blocker, told before the others are measured
    // (fleet-2000's seed-greedy plan: 6,300 unplaced tasks × 2,000 robots took 2 s to explain).
    if (!isBindingOk(task, env)) {
      note("robot", 0, "private to other robots", false);
      continue;
    }
    const found = blockers(task, env, problem.reserve);
    const first: Blocker | undefined = found[0];
    if (first?.rule === "allowed") {
      note("allowed", 1, `not in allowedTiers [${first.allowed.join(", ")}]`, false);
      lines.push(`${env.name}: not in allowedTiers [${first.allowed.join(", ")}]`);
      continue;
    }
    if (first?.rule === "latency") {
      const better = first.latencyMs < bestLatency;
      bestLatency = Math.min(bestLatency, first.latencyMs);
      note("latency", 2, `latency ${fmt(bestLatency)} ms > ${fmt(first.maxLatency)} ms`, better);
      lines.push(`${env.name}: latency ${fmt(first.latencyMs)} ms > ${fmt(first.maxLatency)} ms`);
      continue;
    }
    if (first?.rule === "capacity") {
      note(
        `too-big-${first.dimension}`,
        3,
        `too small for ${first.dimension} (usable ${fmt(first.usable)} < ${fmt(first.demand)})`,
        false,
      );
      lines.push(`${env.name}: ${first.dimension} ${fmt(first.demand)} > usable ${fmt(first.usable)}`);
      continue;
    }
    if (first?.rule === "machine") {
      const detail =
        first.units > first.largestUnits
          ? `needs ${first.units} GPU units on one machine, the largest has ${first.largestUnits}`
          : `needs ${fmt(first.storage)} GB of disk on one machine with its ${first.units} GPU unit(s), the largest disk is ${fmt(first.largestStorage)} GB`;
      note("too-big-machine", 3, `no machine large enough (${detail})`, false);
      lines.push(`${env.name}: ${detail}`);
      continue;
    }
    const short = DIMENSIONS.find((d) => !leq(task[d], free(env, d)));
    if (short) {
      const left = Math.max(0, free(env, short));
      const better = left > (bestFree.get(short) ?? -1);
      if (better) bestFree = new Map(bestFree).set(short, left);
      note(
        `full-${short}`,
        4,
        `insufficient ${short} (free ${fmt(bestFree.get(short)!)} < ${fmt(task[short])})`,
        better,
      );
      lines.push(`${env.name}: ${short} ${fmt(task[short])} > free ${fmt(left)}`);
      continue;
    }
    const full = room && env.machines ? machinesFull(task, room(env)) : undefined;
    if (full) {
      note("full-machine", 4, "no machine with room left", false);
      lines.push(`${env.name}: ${full}`);
      continue;
    }
    note("unused", 5, "had room but were not used by this algorithm", false);
    lines.push(`${env.name}: had room, not used by this algorithm`);
  }
  const summary = [...groups.values()]
    .sort((a, b) => a.rank - b.rank)
    .map((g) => `${g.count} ${g.detail}`)
    .join(", ");
  return [`0/${problem.environments.length} environments: ${summary}`, ...lines];
}

/** Why no machine of a tier has room for the task now, or undefined when one has. */
function machinesFull(task: Task, machines: ReturnType<MachineRoom>): string | undefined {
  let most = machines[0];
  for (const m of machines) {
    const units = unitsNeeded(task.compute, m.machine.unitTflops);
    if (units <= m.units && leq(task.storage, m.storage)) return undefined;
    if (m.units > most.units) most = m;
  }
  const units = unitsNeeded(task.compute, most.machine.unitTflops);
  if (units > most.units)
    return `needs ${units} GPU units on one machine, the most free (${most.machine.id}) has ${most.units}`;
  return `needs ${fmt(task.storage)} GB of disk on one machine with ${units} free GPU unit(s); none has both`;
}
