import { Load, type Instance } from "./instance";
import type { Packed } from "./types";

/** makeRoom's resident trials per construction: far above what fleet-1000 uses, a cap on pathological retries. */
const ROOM_WORK = 2_000_000;

export interface RegretOptions {
  /** One value per candidate steering the construction (e.g. Lagrangian reduced scores); default `score`. */
  guide?: Float64Array;
  /** Placements to start from: they stay placed (on their machine where it has room). */
  initial?: Partial<Packed> & Pick<Packed, "assignment">;
  /** Local-search passes. */
  passes?: number;
  /**
   * The score the local search lowers, one per candidate: the true scores, or with a lock the
   * scores less a bonus where a locked task stays, so that moves are paid for (docs/contract.md §6).
   */
  score?: Float64Array;
  /** Per task: fill each level smallest first by this size instead of by regret (a count-first construction). */
  sizeFirst?: Float64Array;
}

/**
 * A count-first construction's inputs: each task's size (its smallest share of a candidate's free
 * capacity) and, per candidate, how contended the capacity it takes is (the demand of every task
 * that could use that environment, each spread over its options, against what is free), with the
 * score only breaking ties. Filling levels smallest first into the least contended places packs
 * the most tasks; the local search then lowers the score without unplacing any.
 */
export function countGuide(inst: Instance): { guide: Float64Array; size: Float64Array } {
  const { taskCount, envCount, candStart, candEnv, candFits, candScore, demand, free, slack, pinned } = inst;
  const dims = demand.length / Math.max(taskCount, 1);
  const pressure = new Float64Array(envCount * dims);
  for (let t = 0; t < taskCount; t++) {
    if (pinned[t] >= 0) continue;
    let options = 0;
    for (let c = candStart[t]; c < candStart[t + 1]; c++) options += candFits[c];
    for (let c = candStart[t]; c < candStart[t + 1]; c++) {
      if (!candFits[c]) continue;
      for (let k = 0; k < dims; k++) pressure[candEnv[c] * dims + k] += demand[t * dims + k] / options;
    }
  }
  const room = (i: number) => Math.max(free[i] + slack[i], Number.MIN_VALUE);
  for (let i = 0; i < pressure.length; i++) pressure[i] /= room(i);
  const guide = new Float64Array(candEnv.length);
  const size = new Float64Array(taskCount).fill(Infinity);
  // Scores only break ties between equally contended places.
  const tieBreak = 1e-9 / Math.max(1, maxAbs(candScore));
  for (let t = 0; t < taskCount; t++) {
    for (let c = candStart[t]; c < candStart[t + 1]; c++) {
      const e = candEnv[c];
      let cost = 0;
      let share = 0;
      for (let k = 0; k < dims; k++) {
        const part = demand[t * dims + k] / room(e * dims + k);
        cost += part * pressure[e * dims + k];
        share = Math.max(share, part);
      }
      guide[c] = cost + tieBreak * candScore[c];
      if (candFits[c]) size[t] = Math.min(size[t], share);
    }
  }
  return { guide, size };
}

function maxAbs(values: Float64Array): number {
  let max = 0;
  for (const v of values) max = Math.max(max, Math.abs(v));
  return max;
}

/**
 * Regret construction plus repair and local search: the fast method behind `auto`.
 *
 * Levels are filled from the highest priority down, so a task is only ever displaced by one of
 * equal or higher priority. Within a level, tasks whose best option is hardest to replace (largest
 * regret) go first. `guide` (one value per candidate, e.g. Lagrangian reduced scores) steers the
 * construction; the local search lowers `score`. Tasks placed in `initial` stay placed.
 */
export function regretHeuristic(inst: Instance, options: RegretOptions = {}): Packed {
  const { taskCount, candStart, candEnv, pinned, priority, levels } = inst;
  const score = options.score ?? inst.candScore;
  const { guide = score, initial, passes = 6, sizeFirst } = options;
  const assignment = Int32Array.from(pinned);
  /** Candidate position of each placed unpinned task; -1 otherwise. */
  const position = new Int32Array(taskCount).fill(-1);
  const load = new Load(inst);
  const residents: number[][] = Array.from({ length: inst.envCount }, () => []);
  if (initial) {
    for (let t = 0; t < taskCount; t++) {
      if (pinned[t] >= 0 || initial.assignment[t] < 0) continue;
      // A start that breaks a capacity (a solver's rounding) keeps only what fits; the rest is re-placed.
      for (let c = candStart[t]; c < candStart[t + 1]; c++)
        if (candEnv[c] === initial.assignment[t] && load.fits(t, candEnv[c])) place(t, c, initial.machine?.[t]);
    }
  }

  /** Places t on candidate c (on `machine` where it has room); false when no machine of it has. */
  function place(t: number, c: number, machine = -1): boolean {
    const e = candEnv[c];
    if (!load.add(t, e, machine)) return false;
    assignment[t] = e;
    position[t] = c;
    residents[e].push(t);
    return true;
  }
  const unplace = (t: number) => {
    const e = assignment[t];
    load.remove(t, e);
    const list = residents[e];
    list.splice(list.indexOf(t), 1);
    assignment[t] = -1;
    position[t] = -1;
  };
  /** Budget of chainRoom's inner steps across the whole run. */
  let chainWork = 300_000;
  /** Budget of makeRoom's resident trials across the whole run: on fleets with machines each trial packs machines, and thousands of unplaceable tasks retried every pass took seconds (machines-fleet: 6.9 of 12.3 s). */
  let roomWork = ROOM_WORK;
  const byGuide = (t: number): number[] => {
    const cands: number[] = [];
    for (let c = candStart[t]; c < candStart[t + 1]; c++) cands.push(c);
    return cands.sort((a, b) => guide[a] - guide[b] || a - b);
  };

  for (const level of levels) {
    const members: Array<{ t: number; order: number[]; regret: number }> = [];
    for (let t = 0; t < taskCount; t++) {
      if (priority[t] !== level || assignment[t] >= 0 || candStart[t] === candStart[t + 1]) continue;
      const order = byGuide(t);
      members.push({ t, order, regret: order.length > 1 ? guide[order[1]] - guide[order[0]] : Infinity });
    }
    if (sizeFirst) members.sort((a, b) => sizeFirst[a.t] - sizeFirst[b.t] || a.t - b.t);
    else members.sort((a, b) => b.regret - a.regret || a.t - b.t);
    for (const { t, order } of members) {
      const c = order.find((c) => load.fits(t, candEnv[c]));
      if (c !== undefined) place(t, c);
      else makeRoom(t, order);
    }
  }

  for (let pass = 0; pass < passes; pass++) {
    let improved = false;
    for (let t = 0; t < taskCount; t++) {
      if (position[t] < 0) continue;
      const current = position[t];
      let best = current;
      for (let c = candStart[t]; c < candStart[t + 1]; c++) {
        if (score[c] < score[best] - 1e-12 && load.fits(t, candEnv[c])) best = c;
      }
      if (best !== current) {
        unplace(t);
        place(t, best);
        improved = true;
      } else if (ejectInto(t)) improved = true;
    }
    for (const level of levels) {
      for (let t = 0; t < taskCount; t++) {
        if (priority[t] !== level || assignment[t] >= 0 || candStart[t] === candStart[t + 1]) continue;
        if (makeRoom(t, byGuide(t))) improved = true;
      }
    }
    if (!improved) break;
  }
  return { assignment, machine: load.machineOf.slice() };

  /**
   * Moves t to a better environment that is full by moving one of its residents elsewhere, when
   * the two moves together lower the score; false if no such pair exists.
   */
  function ejectInto(t: number): boolean {
    const e = assignment[t];
    const current = position[t];
    let bestMove: { u: number; into: number; to: number; delta: number } | undefined;
    load.remove(t, e);
    for (let c = candStart[t]; c < candStart[t + 1]; c++) {
      const f = candEnv[c];
      if (f === e || score[c] >= score[current] - 1e-9) continue;
      const list = residents[f];
      for (let i = 0; i < Math.min(list.length, 32); i++) {
        const u = list[i];
        load.remove(u, f);
        if (load.fits(t, f)) {
          load.add(t, f);
          for (let d = candStart[u]; d < candStart[u + 1]; d++) {
            if (candEnv[d] === f || !load.fits(u, candEnv[d])) continue;
            const delta = score[c] - score[current] + score[d] - score[position[u]];
            if (delta < -1e-9 && (!bestMove || delta < bestMove.delta)) bestMove = { u, into: c, to: d, delta };
          }
          load.remove(t, f);
        }
        load.add(u, f);
      }
    }
    load.add(t, e);
    if (!bestMove) return false;
    unplace(bestMove.u);
    unplace(t);
    place(t, bestMove.into);
    place(bestMove.u, bestMove.to);
    return true;
  }

  /** Places t by moving one resident of a candidate environment elsewhere; false if no single move does. */
  function makeRoom(t: number, order: number[]): boolean {
    for (const c of order) {
      if (load.fits(t, candEnv[c])) {
        place(t, c);
        return true;
      }
    }
    let bestMove: { u: number; to: number; into: number; delta: number } | undefined;
    for (const c of order) {
      const e = candEnv[c];
      const list = residents[e];
      for (let i = 0; i < Math.min(list.length, 64) && roomWork > 0; i++, roomWork--) {
        const u = list[i];
        load.remove(u, e);
        if (load.fits(t, e)) {
          load.add(t, e);
          for (let d = candStart[u]; d < candStart[u + 1]; d++) {
            const f = candEnv[d];
            if (f === e || !load.fits(u, f)) continue;
            const delta = score[d] - score[position[u]] + score[c];
            if (!bestMove || delta < bestMove.delta) bestMove = { u, to: d, into: c, delta };
          }
          load.remove(t, e);
        }
        load.add(u, e);
      }
    }
    if (!bestMove) return chainRoom(t, order) || evictFor(t, order);
    unplace(bestMove.u);
    place(t, bestMove.into);
    place(bestMove.u, bestMove.to);
    return true;
  }

  /**
   * Places t by unplacing residents of lower priority (lowest first) when no move makes room: a
   * start that placed lower-priority tasks first (a lock's, a robot subproblem's) must not block
   * a more important one. The evicted then go wherever else they still fit.
   */
  function evictFor(t: number, order: number[]): boolean {
    for (const c of order) {
      const e = candEnv[c];
      const lower = residents[e]
        .filter((u) => priority[u] < priority[t])
        .sort((a, b) => priority[a] - priority[b] || b - a);
      if (lower.length === 0) continue;
      const evicted: Array<{ u: number; c: number; m: number }> = [];
      for (const u of lower) {
        if (load.fits(t, e)) break;
        evicted.push({ u, c: position[u], m: load.machineOf[u] });
        unplace(u);
      }
      if (load.fits(t, e) && place(t, c)) {
        for (const { u } of evicted) {
          for (let d = candStart[u]; d < candStart[u + 1]; d++) {
            if (load.fits(u, candEnv[d]) && place(u, d)) break;
          }
        }
        return true;
      }
      for (const { u, c: d, m } of evicted.reverse()) place(u, d, m);
    }
    return false;
  }

  /**
   * Places t through a chain of two moves: a resident u of t's environment moves to a full
   * environment, whose resident w moves on to one with room. Bounded by a deterministic work
   * budget, since it is quadratic in residents.
   */
  function chainRoom(t: number, order: number[]): boolean {
    const width = 16;
    for (const c of order) {
      const e = candEnv[c];
      const list = residents[e];
      for (let i = 0; i < Math.min(list.length, width); i++) {
        const u = list[i];
        load.remove(u, e);
        if (!load.fits(t, e)) {
          load.add(u, e);
          continue;
        }
        load.add(t, e);
        for (let d = candStart[u]; d < candStart[u + 1] && chainWork > 0; d++) {
          const f = candEnv[d];
          if (f === e) continue;
          const second = residents[f];
          for (let j = 0; j < Math.min(second.length, width); j++) {
            const w = second[j];
            chainWork--;
            load.remove(w, f);
            if (load.fits(u, f)) {
              load.add(u, f);
              for (let g = candStart[w]; g < candStart[w + 1]; g++) {
                const h = candEnv[g];
                if (h === f || !load.fits(w, h)) continue;
                load.remove(u, f);
                load.add(w, f);
                load.remove(t, e);
                load.add(u, e);
                unplace(u);
                unplace(w);
                place(t, c);
                place(u, d);
                place(w, g);
                return true;
              }
              load.remove(u, f);
            }
            load.add(w, f);
          }
        }
        load.remove(t, e);
        load.add(u, e);
      }
    }
    return false;
  }
}
