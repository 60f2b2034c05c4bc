import { compareCounts } from "./evaluate";
import { DIMS, Load, type Instance } from "./instance";
import type { Packed } from "./types";

/**
 * makeRoom's resident trials per construction: far above what fleet-1000 uses, a cap on
 * pathological retries (on fleets with machines each trial packs machines, and thousands of
 * unplaceable tasks retried every pass took seconds: machines-fleet 6.9 of 12.3 s).
 */
const ROOM_WORK = 2_000_000;
/** chainRoom's inner steps per construction: the two-move chain is quadratic in residents. */
const CHAIN_WORK = 300_000;
/** moveOutFor's resident trials per construction. */
const MOVE_OUT_WORK = 400_000;
/** Exchange trials per level: each takes one large task out for the level's waiting ones. */
const EXCHANGE_TRIALS = 8;
/** Waiting tasks each exchange trial tries to place: a cap on one trial's cost on a fleet. */
const EXCHANGE_WIDTH = 64;
/** Local-search passes when the caller gives none: a cap on run time, as a pass that changes nothing ends the search anyway. */
const DEFAULT_PASSES = 6;
/** Residents makeRoom tries to move out of each option: it runs only for a task that found no room, so it can look widest. */
const ROOM_WIDTH = 64;
/** Residents ejectInto tries to swap out per better environment: it runs for every placed task each pass. */
const EJECT_WIDTH = 32;
/** Residents chainRoom tries at each of its two steps: the chain costs the square of this. */
const CHAIN_WIDTH = 16;
/** A single move must beat the current score by more than rounding in one score. */
const MOVE_TOLERANCE = 1e-12;
/** A pair of moves sums four scores: a looser margin keeps rounding noise from swapping back and forth. */
const PAIR_TOLERANCE = 1e-9;

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
  return regretConstruction(inst, options).polish();
}

/** A regret construction before its local search, for callers that polish only the promising ones. */
export interface Built {
  /** Tasks placed per level, highest first, as constructed. */
  placed: number[];
  /** The plan as constructed. */
  packed(): Packed;
  /** Runs the local search (once) and returns the plan. */
  polish(): Packed;
}

/** regretHeuristic's construction and repairs, its local search left to `polish`. */
export function regretConstruction(inst: Instance, options: RegretOptions = {}): Built {
  const score = options.score ?? inst.candScore;
  const { guide = score, initial, passes = DEFAULT_PASSES, sizeFirst } = options;
  const plan = new Construction(inst, score, guide);
  if (initial) plan.start(initial);
  for (const level of inst.levels) {
    plan.construct(level, sizeFirst);
    plan.exchange(level);
  }
  const built = plan.progress();
  let polished: Packed | undefined;
  return {
    placed: built.placed,
    packed: () => polished ?? plan.packed(),
    polish: () => (polished ??= localSearch(plan, built, passes)),
  };
}

function localSearch(plan: Construction, built: Progress, passes: number): Packed {
  let progress = built;
  for (let pass = 0; pass < passes && plan.improve(); pass++) {
    // A pass whose moves place no more and score no lower only shuffles (machines-fleet: a whole pass).
    const next = plan.progress();
    if (!isBetter(next, progress)) break;
    progress = next;
  }
  return plan.packed();
}

/** Tasks placed per level (highest first) and the score the local search lowers: what a pass must improve. */
interface Progress {
  placed: number[];
  score: number;
}

function isBetter(a: Progress, b: Progress): boolean {
  const byCount = compareCounts(a.placed, b.placed);
  if (byCount !== 0) return byCount < 0;
  return a.score < b.score - MOVE_TOLERANCE * Math.max(1, Math.abs(b.score));
}

interface ConstructionSnapshot {
  assignment: Int32Array;
  position: Int32Array;
  residents: number[][];
  load: ReturnType<Load["snapshot"]>;
}

/** A plan under construction: where each task is, who is in each environment, and the repair budgets. */
class Construction {
  /** Environment per task (pinned tasks from the start); -1 when unplaced. */
  readonly assignment: Int32Array;
  /** Candidate position of each placed unpinned task; -1 otherwise. */
  readonly position: Int32Array;
  /** Tasks placed in each environment, in placement order (the repairs try the earliest first). */
  readonly residents: number[][];
  readonly load: Load;
  /** Budget of chainRoom's inner steps across the whole run. */
  private chainWork = CHAIN_WORK;
  /** Per task, see taskSizes. */
  private sizes?: Float64Array;
  /** Budget of moveOutFor's resident trials across the whole run. */
  private moveOutWork = MOVE_OUT_WORK;
  /** Budget of makeRoom's resident trials across the whole run. */
  private roomWork = ROOM_WORK;
  /** Committed removals so far: capacity only grows back through one. */
  private freed = 0;
  /** Per environment, the value of `freed` after its last committed removal. */
  private readonly freedAt: Int32Array;
  /** Per task, the value of `freed` when it was last found to have no other place; -1 if never. */
  private readonly stuckAt: Int32Array;

  constructor(
    private readonly inst: Instance,
    /** What the local search lowers. */
    private readonly score: Float64Array,
    /** What orders each task's options during construction and repair. */
    private readonly guide: Float64Array,
  ) {
    this.assignment = Int32Array.from(inst.pinned);
    this.position = new Int32Array(inst.taskCount).fill(-1);
    this.load = new Load(inst);
    this.residents = Array.from({ length: inst.envCount }, () => []);
    this.stuckAt = new Int32Array(inst.taskCount).fill(-1);
    this.freedAt = new Int32Array(inst.envCount);
  }

  /** Keeps `initial`'s placements where they still fit, so a lock or a solver's plan is the starting point. */
  start(initial: Partial<Packed> & Pick<Packed, "assignment">): void {
    const { taskCount, candStart, candEnv, pinned } = this.inst;
    for (let t = 0; t < taskCount; t++) {
      if (pinned[t] >= 0 || initial.assignment[t] < 0) continue;
      // A start that breaks a capacity (a solver's rounding) keeps only what fits; the rest is re-placed.
      for (let c = candStart[t]; c < candStart[t + 1]; c++)
        if (candEnv[c] === initial.assignment[t] && this.load.fits(t, candEnv[c]))
          this.place(t, c, initial.machine?.[t]);
    }
  }

  progress(): Progress {
    const { taskCount, levels, priority } = this.inst;
    const placed = levels.map(() => 0);
    let score = 0;
    for (let t = 0; t < taskCount; t++) {
      if (this.assignment[t] < 0) continue;
      placed[levels.indexOf(priority[t])]++;
      if (this.position[t] >= 0) score += this.score[this.position[t]];
    }
    return { placed, score };
  }

  /** The finished plan, detached from the mutable state. */
  packed(): Packed {
    return { assignment: this.assignment, machine: this.load.machineOf.slice() };
  }

  /** Places t on candidate c (on `machine` where it has room); false when no machine of it has. */
  place(t: number, c: number, machine = -1): boolean {
    const e = this.inst.candEnv[c];
    if (!this.load.add(t, e, machine)) return false;
    this.assignment[t] = e;
    this.position[t] = c;
    this.residents[e].push(t);
    return true;
  }

  /** Takes placed t out of its environment, freeing its capacity for a repair. */
  unplace(t: number): void {
    const e = this.assignment[t];
    this.load.remove(t, e);
    const list = this.residents[e];
    list.splice(list.indexOf(t), 1);
    this.assignment[t] = -1;
    this.position[t] = -1;
    this.freedAt[e] = ++this.freed;
  }

  /**
   * True when placed u fits nowhere outside its environment. Only a committed removal frees
   * capacity, so the answer holds until one frees an environment u could go to: on a full fleet
   * makeRoom asks it of the same residents for thousands of tasks (18 million trials on
   * machines-fleet, nearly all of them such).
   */
  private stuck(u: number): boolean {
    if (this.knownStuck(u)) return true;
    const { candStart, candEnv } = this.inst;
    const home = this.assignment[u];
    for (let d = candStart[u]; d < candStart[u + 1]; d++)
      if (candEnv[d] !== home && this.load.fits(u, candEnv[d])) return false;
    this.stuckAt[u] = this.freed;
    return true;
  }

  /** t's candidates best guide first: the order construction and repair try them in. */
  private byGuide(t: number): number[] {
    const { candStart } = this.inst;
    const guide = this.guide;
    const cands: number[] = [];
    for (let c = candStart[t]; c < candStart[t + 1]; c++) cands.push(c);
    return cands.sort((a, b) => guide[a] - guide[b] || a - b);
  }

  /** True when t belongs to `level`, is still unplaced and has somewhere it could go. */
  private waiting(t: number, level: number): boolean {
    const { candStart, priority } = this.inst;
    return priority[t] === level && this.assignment[t] < 0 && candStart[t] !== candStart[t + 1];
  }

  /**
   * Places the level's unplaced tasks, largest regret first (or smallest first by `sizeFirst`,
   * to place the most), each on its best-guided option with room, else through makeRoom.
   */
  construct(level: number, sizeFirst?: Float64Array): void {
    const { taskCount, candEnv } = this.inst;
    const guide = this.guide;
    const members: Array<{ t: number; order: number[]; regret: number }> = [];
    for (let t = 0; t < taskCount; t++) {
      if (!this.waiting(t, level)) continue;
      const order = this.byGuide(t);
      members.push({ t, order, regret: order.length > 1 ? guide[order[1]] - guide[order[0]] : Infinity });
    }
    if (sizeFirst) members.sort((a, b) => sizeFirst[a.t] - sizeFirst[b.t] || a.t - b.t);
    else members.sort((a, b) => b.regret - a.regret || a.t - b.t);
    for (const { t, order } of members) {
      const c = order.find((c) => this.load.fits(t, candEnv[c]));
      if (c !== undefined) this.place(t, c);
      else this.makeRoom(t, order);
    }
  }

  /**
   * Count-raising exchanges: takes one of the level's largest placed tasks out and gives the
   * level's waiting tasks, smallest first, the room it leaves (directly or through moves); kept
   * when more of the level end up placed, undone otherwise. Where a large site task holds the
   * room a robot's smaller tasks could spill to, its robots' large tasks wait behind them.
   */
  exchange(level: number): void {
    const size = this.taskSizes();
    const { taskCount, priority } = this.inst;
    const large: number[] = [];
    for (let t = 0; t < taskCount; t++) if (priority[t] === level && this.position[t] >= 0) large.push(t);
    large.sort((a, b) => size[b] - size[a] || a - b);
    for (const x of large.slice(0, EXCHANGE_TRIALS)) {
      if (this.position[x] < 0) continue;
      const saved = this.save();
      this.unplace(x);
      const waiting: number[] = [];
      for (let t = 0; t < taskCount; t++) if (t !== x && this.waiting(t, level)) waiting.push(t);
      waiting.sort((a, b) => size[a] - size[b] || a - b);
      let gained = -1;
      for (const t of [...waiting.slice(0, EXCHANGE_WIDTH), x]) if (this.makeRoom(t, this.byGuide(t))) gained++;
      if (gained <= 0) this.reset(saved);
    }
  }

  /** Per task, its demand's largest share of a candidate's usable capacity, at its smallest candidate. */
  private taskSizes(): Float64Array {
    if (this.sizes) return this.sizes;
    const { taskCount, candStart, candEnv, demand, usable } = this.inst;
    const sizes = new Float64Array(taskCount).fill(Infinity);
    for (let t = 0; t < taskCount; t++) {
      for (let c = candStart[t]; c < candStart[t + 1]; c++) {
        let share = 0;
        for (let k = 0; k < DIMS; k++)
          share = Math.max(share, demand[t * DIMS + k] / Math.max(usable[candEnv[c] * DIMS + k], Number.MIN_VALUE));
        sizes[t] = Math.min(sizes[t], share);
      }
    }
    this.sizes = sizes;
    return sizes;
  }

  private save(): ConstructionSnapshot {
    return {
      assignment: this.assignment.slice(),
      position: this.position.slice(),
      residents: this.residents.map((list) => list.slice()),
      load: this.load.snapshot(),
    };
  }

  /** Back to a saved state; what was learnt about stuck tasks since no longer holds. */
  private reset(saved: ConstructionSnapshot): void {
    this.assignment.set(saved.assignment);
    this.position.set(saved.position);
    saved.residents.forEach((list, e) => (this.residents[e] = list));
    this.load.restore(saved.load);
    this.freedAt.fill(++this.freed);
  }

  /** One local-search pass: lower every placed task's score, then retry the unplaced; false when nothing changed. */
  improve(): boolean {
    const moved = this.relocate();
    const placed = this.retryUnplaced();
    return moved || placed;
  }

  /** Moves each placed task to its lowest-score option with room, or else through ejectInto. */
  private relocate(): boolean {
    const { taskCount } = this.inst;
    let improved = false;
    for (let t = 0; t < taskCount; t++) {
      if (this.position[t] < 0) continue;
      const best = this.bestWithRoom(t);
      if (best !== this.position[t]) {
        this.unplace(t);
        this.place(t, best);
        improved = true;
      } else if (this.ejectInto(t)) improved = true;
    }
    return improved;
  }

  /** Placed t's lowest-score candidate that fits now (its current one unless another is clearly lower). */
  private bestWithRoom(t: number): number {
    const { candStart, candEnv } = this.inst;
    const score = this.score;
    let best = this.position[t];
    for (let c = candStart[t]; c < candStart[t + 1]; c++) {
      if (score[c] < score[best] - MOVE_TOLERANCE && this.load.fits(t, candEnv[c])) best = c;
    }
    return best;
  }

  /** Gives every still-unplaced task, highest level first, another makeRoom now that others have moved. */
  private retryUnplaced(): boolean {
    const { taskCount, levels } = this.inst;
    let improved = false;
    for (const level of levels) {
      for (let t = 0; t < taskCount; t++) {
        if (!this.waiting(t, level)) continue;
        if (this.makeRoom(t, this.byGuide(t))) improved = true;
      }
    }
    return improved;
  }

  /**
   * Moves t to a better environment that is full by moving one of its residents elsewhere, when
   * the two moves together lower the score; false if no such pair exists.
   */
  ejectInto(t: number): boolean {
    const { candStart, candEnv } = this.inst;
    const { score, load, residents, position } = this;
    const e = this.assignment[t];
    const current = position[t];
    let bestMove: { u: number; into: number; to: number; delta: number } | undefined;
    load.remove(t, e);
    for (let c = candStart[t]; c < candStart[t + 1]; c++) {
      const f = candEnv[c];
      if (f === e || score[c] >= score[current] - PAIR_TOLERANCE) continue;
      const list = residents[f];
      for (let i = 0; i < Math.min(list.length, EJECT_WIDTH); i++) {
        const u = list[i];
        load.remove(u, f);
        if (load.fits(t, f)) {
          load.add(t, f);
          for (let d = candStart[u]; d < candStart[u + 1]; d++) {
            if (candEnv[d] === f || !load.fits(u, candEnv[d])) continue;
            const delta = score[c] - score[current] + score[d] - score[position[u]];
            if (delta < -PAIR_TOLERANCE && (!bestMove || delta < bestMove.delta))
              bestMove = { u, into: c, to: d, delta };
          }
          load.remove(t, f);
        }
        load.add(u, f);
      }
    }
    load.add(t, e);
    if (!bestMove) return false;
    this.unplace(bestMove.u);
    this.unplace(t);
    this.place(t, bestMove.into);
    this.place(bestMove.u, bestMove.to);
    return true;
  }

  private isCandidate(u: number, e: number): boolean {
    const { candStart, candEnv } = this.inst;
    for (let d = candStart[u]; d < candStart[u + 1]; d++) if (candEnv[d] === e) return true;
    return false;
  }

  /**
   * True when an earlier `stuck(u)` still holds. It reads no capacity, so it is safe in the middle
   * of trial moves as long as they only fill the environments u could go to (chainRoom checks the
   * one its trial empties).
   */
  private knownStuck(u: number): boolean {
    if (this.stuckAt[u] < 0) return false;
    const { candStart, candEnv } = this.inst;
    const home = this.assignment[u];
    for (let d = candStart[u]; d < candStart[u + 1]; d++)
      if (candEnv[d] !== home && this.freedAt[candEnv[d]] > this.stuckAt[u]) return false;
    return true;
  }

  /**
   * Places t on its first option with room, else by moving one resident of an option elsewhere
   * (the cheapest such move), else through chainRoom or evictFor; false if none places it.
   */
  makeRoom(t: number, order: number[]): boolean {
    const { candStart, candEnv } = this.inst;
    const { score, load, residents, position } = this;
    for (const c of order) {
      if (load.fits(t, candEnv[c])) {
        this.place(t, c);
        return true;
      }
    }
    let bestMove: { u: number; to: number; into: number; delta: number } | undefined;
    for (const c of order) {
      const e = candEnv[c];
      const list = residents[e];
      const room = load.roomFor(t, e);
      for (let i = 0; i < Math.min(list.length, ROOM_WIDTH) && this.roomWork > 0; i++, this.roomWork--) {
        const u = list[i];
        if (!room.mayFreeFor(u) || this.stuck(u)) continue;
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
    if (!bestMove) return this.chainRoom(t, order) || this.moveOutFor(t, order) || this.evictFor(t, order);
    this.unplace(bestMove.u);
    this.place(t, bestMove.into);
    this.place(bestMove.u, bestMove.to);
    return true;
  }

  /**
   * Places t by unplacing residents of lower priority (lowest first) when no move makes room: a
   * start that placed lower-priority tasks first (a lock's, a robot subproblem's) must not block
   * a more important one. The evicted then go wherever else they still fit.
   */
  evictFor(t: number, order: number[]): boolean {
    const { candStart, candEnv, priority } = this.inst;
    const { load, residents, position } = this;
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
        this.unplace(u);
      }
      if (load.fits(t, e) && this.place(t, c)) {
        for (const { u } of evicted) {
          for (let d = candStart[u]; d < candStart[u + 1]; d++) {
            if (load.fits(u, candEnv[d]) && this.place(u, d)) break;
          }
        }
        return true;
      }
      for (const { u, c: d, m } of evicted.reverse()) this.place(u, d, m);
    }
    return false;
  }

  /**
   * Places t by moving several residents of one of its options, largest first, each to its
   * best-guided other place with room, until t fits: a large task on a small robot needs more room than any
   * one of the robot's smaller tasks frees (spill-fleet's VLA policies). Nothing is unplaced; the
   * moves are undone when t still does not fit.
   */
  moveOutFor(t: number, order: number[]): boolean {
    const { candEnv } = this.inst;
    for (const c of order) {
      if (this.moveOutWork <= 0) return false;
      const moves = this.movesOutFor(t, candEnv[c]);
      if (!moves) continue;
      for (const { u, d } of moves) {
        this.unplace(u);
        this.place(u, d);
      }
      return this.place(t, c);
    }
    return false;
  }

  /**
   * The moves of residents out of e (largest first in the dimension t lacks most) after which t
   * fits there, or undefined; tried and undone, so the state is left as it was.
   */
  private movesOutFor(t: number, e: number): Array<{ u: number; d: number }> | undefined {
    const { candEnv, demand } = this.inst;
    const { load } = this;
    // Only what is already known: a trial move below must not teach `stuck` a trial state.
    const movable = this.residents[e].filter((u) => !this.knownStuck(u));
    if (movable.length === 0) return undefined;
    const lack = this.lackingDimension(t, e);
    movable.sort((a, b) => demand[b * DIMS + lack] - demand[a * DIMS + lack] || a - b);
    const moves: Array<{ u: number; d: number; machine: number }> = [];
    let room = false;
    for (const u of movable) {
      if (room || --this.moveOutWork < 0) break;
      const machine = load.machineOf[u];
      load.remove(u, e);
      const d = this.bestGuidedWithRoom(u, e);
      if (d < 0) {
        load.add(u, e, machine);
        continue;
      }
      load.add(u, candEnv[d]);
      moves.push({ u, d, machine });
      room = load.fits(t, e);
    }
    for (const { u, d, machine } of moves.slice().reverse()) {
      load.remove(u, candEnv[d]);
      load.add(u, e, machine);
    }
    return room ? moves : undefined;
  }

  /** u's best-guided candidate outside `from` that fits now, or -1. */
  private bestGuidedWithRoom(u: number, from: number): number {
    const { candStart, candEnv } = this.inst;
    let best = -1;
    for (let d = candStart[u]; d < candStart[u + 1]; d++) {
      if (candEnv[d] === from || (best >= 0 && this.guide[d] >= this.guide[best])) continue;
      if (this.load.fits(u, candEnv[d])) best = d;
    }
    return best;
  }

  /** The dimension in which t overflows e the most, relative to e's usable capacity. */
  private lackingDimension(t: number, e: number): number {
    const { demand, usable } = this.inst;
    let worst = 0;
    let worstShare = -Infinity;
    for (let k = 0; k < DIMS; k++) {
      const share =
        (demand[t * DIMS + k] - this.load.free[e * DIMS + k]) / Math.max(usable[e * DIMS + k], Number.MIN_VALUE);
      if (share > worstShare) {
        worst = k;
        worstShare = share;
      }
    }
    return worst;
  }

  /**
   * Places t through a chain of two moves: a resident u of t's environment moves to a full
   * environment, whose resident w moves on to one with room. Bounded by a deterministic work
   * budget, since it is quadratic in residents.
   */
  chainRoom(t: number, order: number[]): boolean {
    const { candStart, candEnv } = this.inst;
    const { load, residents } = this;
    for (const c of order) {
      const e = candEnv[c];
      const list = residents[e];
      for (let i = 0; i < Math.min(list.length, CHAIN_WIDTH); i++) {
        const u = list[i];
        load.remove(u, e);
        if (!load.fits(t, e)) {
          load.add(u, e);
          continue;
        }
        load.add(t, e);
        for (let d = candStart[u]; d < candStart[u + 1] && this.chainWork > 0; d++) {
          const f = candEnv[d];
          if (f === e) continue;
          const second = residents[f];
          for (let j = 0; j < Math.min(second.length, CHAIN_WIDTH); j++) {
            const w = second[j];
            this.chainWork--;
            // Only e and f differ from the committed state: a w known stuck and not bound for e ends no chain.
            if (this.knownStuck(w) && !this.isCandidate(w, e)) continue;
            load.remove(w, f);
            if (load.fits(u, f)) {
              load.add(u, f);
              const g = this.firstWithRoom(w, f);
              if (g >= 0) {
                load.remove(u, f);
                load.add(w, f);
                load.remove(t, e);
                load.add(u, e);
                this.commitChain(t, c, u, d, w, g);
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

  /** w's first candidate outside `from` that fits now, or -1: the chain's last step. */
  private firstWithRoom(w: number, from: number): number {
    const { candStart, candEnv } = this.inst;
    for (let g = candStart[w]; g < candStart[w + 1]; g++) {
      const h = candEnv[g];
      if (h !== from && this.load.fits(w, h)) return g;
    }
    return -1;
  }

  /** Applies a found chain through the bookkeeping: t onto c, u onto d, w onto g. */
  private commitChain(t: number, c: number, u: number, d: number, w: number, g: number): void {
    this.unplace(u);
    this.unplace(w);
    this.place(t, c);
    this.place(u, d);
    this.place(w, g);
  }
}
