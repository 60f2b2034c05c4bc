import { DIMENSIONS, isFeasible, score, tolerance, unitsNeeded, usable, type Problem } from "../model";
import type { Packing } from "../catalog/schema";

/**
 * The problem in flat arrays: for every unpinned task its candidate environments (those
 * docs/contract.md §2 allows it alone) with their scores, and every environment's capacity left
 * once the pins are placed. Every algorithm works on this, so they agree on what is legal.
 */
export interface Instance {
  problem: Problem;
  taskCount: number;
  envCount: number;
  /** Candidates of task t are `candEnv[candStart[t] .. candStart[t+1])`, in environment order. */
  candStart: Int32Array;
  candEnv: Int32Array;
  candScore: Float64Array;
  /** 1 when the candidate's demands fit in what the pins leave of its environment. */
  candFits: Uint8Array;
  /** Demand of task t in dimension d at `demand[3t + d]`. */
  demand: Float64Array;
  /** Usable capacity (after reserve) of environment e in dimension d at `usable[3e + d]`. */
  usable: Float64Array;
  /** Usable capacity minus what the pins take, at `free[3e + d]`; may be negative when pins overflow. */
  free: Float64Array;
  /** docs/contract.md §2 tolerance on each capacity check, per environment and dimension. */
  slack: Float64Array;
  /** Environment of each pinned task, -1 for unpinned ones. */
  pinned: Int32Array;
  priority: Int32Array;
  /** Distinct priority levels, highest first. */
  levels: number[];
  /** Machines of environment e are `machineStart[e] .. machineStart[e+1]` (docs/contract.md §5); none elsewhere. */
  machines: MachineTable;
  /** Machine of each pinned task on a tier with machines, -1 otherwise. */
  pinnedMachine: Int32Array;
}

/** Every machine of every tier, in flat arrays; units are per unit class (distinct unit TFLOPS). */
interface MachineTable {
  count: number;
  start: Int32Array;
  env: Int32Array;
  units: Float64Array;
  storage: Float64Array;
  /** Contract tolerance on each machine's storage. */
  storageSlack: Float64Array;
  /** Index of the machine's unit size in the table of distinct unit sizes. */
  unitClass: Int32Array;
  classCount: number;
  /** Units task t needs on a machine of class c at `taskUnits[t * classCount + c]`. */
  taskUnits: Int32Array;
  packing: Packing[];
}

export const DIMS = DIMENSIONS.length;

/**
 * Relative margin by which roomFor's shortcut lets a resident through to the real check: float
 * sums of frees and demands differ from the exact ones in the last bits, never by this much.
 */
const ROUNDING_DOUBT = 1e-9;

/** See Load.snapshot. */
type LoadSnapshot = Array<Float64Array | Int32Array>;

/** See Load.roomFor. */
interface RoomNeed {
  /** False when u leaving e surely leaves too little room for t; true when it may leave enough. */
  mayFreeFor(u: number): boolean;
}

/** `lockedMachine`: a pin's machine in the lock (docs/contract.md §6), which it keeps where it has room. */
export function buildInstance(problem: Problem, lockedMachine?: Int32Array): Instance {
  const { tasks, environments, reserve, weights } = problem;
  const n = tasks.length;
  const m = environments.length;
  const envByName = new Map(environments.map((e) => [e.name, e.index]));
  const demand = new Float64Array(n * DIMS);
  const usableCap = new Float64Array(m * DIMS);
  const slack = new Float64Array(m * DIMS);
  for (const env of environments) {
    DIMENSIONS.forEach((d, k) => {
      usableCap[env.index * DIMS + k] = usable(env, d, reserve);
      slack[env.index * DIMS + k] = tolerance(usableCap[env.index * DIMS + k]);
    });
  }
  const free = usableCap.slice();
  const machines = machineTable(problem);
  const pinned = new Int32Array(n).fill(-1);
  const priority = new Int32Array(n);
  const candStart = new Int32Array(n + 1);
  const candEnv: number[] = [];
  const candScore: number[] = [];
  // A robot-bound task can only use its robot and the shared tiers: skip the rest of the fleet.
  const sharedEnvs = environments.filter((e) => !e.fleetRobot);
  for (const task of tasks) {
    const t = task.index;
    priority[t] = task.priority;
    DIMENSIONS.forEach((d, k) => (demand[t * DIMS + k] = task[d]));
    candStart[t] = candEnv.length;
    if (task.pin !== undefined) {
      const e = envByName.get(task.pin)!;
      pinned[t] = e;
      for (let k = 0; k < DIMS; k++) free[e * DIMS + k] -= demand[t * DIMS + k];
      continue;
    }
    // Tiers come before robots, so the bound robot (if any) is last and the order stays the input's.
    const bound = task.robot !== undefined ? environments[envByName.get(task.robot)!] : undefined;
    for (const env of bound ? [...sharedEnvs, bound] : sharedEnvs) {
      if (!isFeasible(task, env, reserve)) continue;
      candEnv.push(env.index);
      candScore.push(score(task, env, weights));
    }
  }
  candStart[n] = candEnv.length;
  const levels = [...new Set(priority)].sort((a, b) => b - a);
  const partial = { taskCount: n, envCount: m, demand, free, slack, machines, priority, levels };
  const pinnedMachine = packPins(partial, pinned, lockedMachine);
  // What the pins leave on every machine, to tell which candidates still fit one.
  const pinLoad = new Load({ ...partial, pinned, pinnedMachine });
  const candFits = new Uint8Array(candEnv.length);
  for (let t = 0; t < n; t++) {
    for (let c = candStart[t]; c < candStart[t + 1]; c++) candFits[c] = pinLoad.fits(t, candEnv[c]) ? 1 : 0;
  }
  return {
    problem,
    taskCount: n,
    envCount: m,
    candStart,
    candEnv: Int32Array.from(candEnv),
    candScore: Float64Array.from(candScore),
    candFits,
    demand,
    usable: usableCap,
    free,
    slack,
    pinned,
    priority,
    levels,
    machines,
    pinnedMachine,
  };
}

function machineTable(problem: Problem): MachineTable {
  const { environments, tasks } = problem;
  const start = new Int32Array(environments.length + 1);
  const env: number[] = [];
  const units: number[] = [];
  const storage: number[] = [];
  const unitClass: number[] = [];
  const classes: number[] = [];
  for (const e of environments) {
    start[e.index] = env.length;
    for (const machine of e.machines ?? []) {
      env.push(e.index);
      units.push(machine.units);
      storage.push(machine.storage);
      let k = classes.indexOf(machine.unitTflops);
      if (k < 0) k = classes.push(machine.unitTflops) - 1;
      unitClass.push(k);
    }
  }
  start[environments.length] = env.length;
  const taskUnits = new Int32Array(tasks.length * classes.length);
  for (const task of tasks)
    classes.forEach((unit, k) => (taskUnits[task.index * classes.length + k] = unitsNeeded(task.compute, unit)));
  return {
    count: env.length,
    start,
    env: Int32Array.from(env),
    units: Float64Array.from(units),
    storage: Float64Array.from(storage),
    storageSlack: Float64Array.from(storage, tolerance),
    unitClass: Int32Array.from(unitClass),
    classCount: classes.length,
    taskUnits,
    packing: environments.map((e) => e.packing ?? "best-fit"),
  };
}

type LoadBase = Pick<
  Instance,
  "taskCount" | "envCount" | "demand" | "free" | "slack" | "machines" | "priority" | "levels"
>;

/**
 * Pins bypass the optimizer, but on a tier with machines they still run on one. Pins are fixed
 * first (docs/contract.md §2), machines included: each keeps its locked machine where it has room, else
 * goes to the fullest machine that holds it (best fit, leaving the optimizer the most room), in
 * task order, or, when no machine holds it, on the machine with the most free units (the plan
 * lists that as a capacity violation).
 */
function packPins(base: LoadBase, pinned: Int32Array, lockedMachine?: Int32Array): Int32Array {
  const none = new Int32Array(base.taskCount).fill(-1);
  // Best fit whatever the tier's packing: pins fixed first should leave the optimizer the most room.
  const load = new Load(
    { ...base, free: base.free.map(() => Infinity), pinned: none, pinnedMachine: none },
    "best-fit",
  );
  const pinnedMachine = new Int32Array(base.taskCount).fill(-1);
  for (let t = 0; t < base.taskCount; t++) {
    const e = pinned[t];
    if (e < 0 || base.machines.start[e] === base.machines.start[e + 1]) continue;
    const locked = lockedMachine?.[t] ?? -1;
    if (!load.add(t, e, locked))
      load.addToMachine(t, locked >= 0 && base.machines.env[locked] === e ? locked : load.roomiest(e));
    pinnedMachine[t] = load.machineOf[t];
  }
  return pinnedMachine;
}

/**
 * Capacity bookkeeping shared by the heuristics: what is still free per environment and dimension
 * and, on tiers with machines, per machine (docs/contract.md §5). `add` puts a task on the machine the
 * tier's packing picks; a task re-added to the tier it just left goes back to its old machine
 * first, so that the heuristics' try-and-undo steps restore the packing exactly.
 */
export class Load {
  readonly free: Float64Array;
  /** Machine of each task placed through this load (pins included), -1 otherwise. */
  readonly machineOf: Int32Array;
  private readonly lastMachine: Int32Array;
  private readonly freeUnits: Float64Array;
  private readonly freeStorage: Float64Array;
  /** Tasks per machine and priority level, for the spread packing. */
  private readonly levelCount: Int32Array;
  private readonly levelOf: Int32Array;

  /** `packing` overrides every tier's own (the seed's greedy packs by first fit). */
  constructor(
    private readonly inst: LoadBase & Pick<Instance, "pinned" | "pinnedMachine">,
    private readonly packing?: Packing,
  ) {
    this.free = inst.free.slice();
    const { machines } = inst;
    this.machineOf = new Int32Array(inst.taskCount).fill(-1);
    this.lastMachine = new Int32Array(inst.taskCount).fill(-1);
    this.freeUnits = machines.units.slice();
    this.freeStorage = machines.storage.slice();
    this.levelCount = new Int32Array(machines.count * inst.levels.length);
    const levelIndex = new Map(inst.levels.map((p, i) => [p, i]));
    this.levelOf = Int32Array.from(inst.priority, (p) => levelIndex.get(p)!);
    for (let t = 0; t < inst.taskCount; t++)
      if (inst.pinnedMachine[t] >= 0) this.addToMachine(t, inst.pinnedMachine[t]);
  }

  /** A copy of the bookkeeping, for `restore` to return to after a trial of many steps. */
  snapshot(): LoadSnapshot {
    const { free, machineOf, lastMachine, freeUnits, freeStorage, levelCount } = this;
    return [free, machineOf, lastMachine, freeUnits, freeStorage, levelCount].map((a) => a.slice());
  }

  restore(snapshot: LoadSnapshot): void {
    const { free, machineOf, lastMachine, freeUnits, freeStorage, levelCount } = this;
    [free, machineOf, lastMachine, freeUnits, freeStorage, levelCount].forEach((a, i) => a.set(snapshot[i]));
  }

  fits(t: number, e: number): boolean {
    const { demand, slack } = this.inst;
    for (let k = 0; k < DIMS; k++) {
      if (demand[t * DIMS + k] > this.free[e * DIMS + k] + slack[e * DIMS + k]) return false;
    }
    return !this.hasMachines(e) || this.anyMachineFits(t, e);
  }

  /** True when some machine of e has room for t: pickMachine's answer without its packing order. */
  private anyMachineFits(t: number, e: number): boolean {
    const { start } = this.inst.machines;
    for (let m = start[e]; m < start[e + 1]; m++) if (this.machineFits(t, m)) return true;
    return false;
  }

  /**
   * Adds t to e; on a tier with machines to `machine` when it has room, else to the machine the
   * tier's packing picks. False (and nothing added) when no machine of e has room for t.
   */
  add(t: number, e: number, machine = -1): boolean {
    if (this.hasMachines(e)) {
      const m =
        machine >= 0 && this.inst.machines.env[machine] === e && this.machineFits(t, machine)
          ? machine
          : this.pickMachine(t, e);
      if (m < 0) return false;
      this.addToMachine(t, m);
    }
    for (let k = 0; k < DIMS; k++) this.free[e * DIMS + k] -= this.inst.demand[t * DIMS + k];
    return true;
  }

  remove(t: number, e: number): void {
    for (let k = 0; k < DIMS; k++) this.free[e * DIMS + k] += this.inst.demand[t * DIMS + k];
    const m = this.machineOf[t];
    if (m < 0) return;
    this.freeUnits[m] += this.units(t, m);
    this.freeStorage[m] += this.inst.demand[t * DIMS + 1];
    this.levelCount[m * this.inst.levels.length + this.levelOf[t]]--;
    this.lastMachine[t] = m;
    this.machineOf[t] = -1;
  }

  /** Puts t on machine m whatever it holds (pins, and restoring a known packing). */
  addToMachine(t: number, m: number): void {
    this.freeUnits[m] -= this.units(t, m);
    this.freeStorage[m] -= this.inst.demand[t * DIMS + 1];
    this.levelCount[m * this.inst.levels.length + this.levelOf[t]]++;
    this.machineOf[t] = m;
  }

  /**
   * What t lacks in e, to tell cheaply which residents could not make room for it by leaving: a
   * necessary condition only (rounding is given the benefit of the doubt), so a resident it
   * passes still needs the real check.
   */
  roomFor(t: number, e: number): RoomNeed {
    const { demand, slack } = this.inst;
    const short = new Float64Array(DIMS);
    for (let k = 0; k < DIMS; k++) {
      const lack = demand[t * DIMS + k] - this.free[e * DIMS + k] - slack[e * DIMS + k];
      short[k] = lack - ROUNDING_DOUBT * Math.max(1, Math.abs(demand[t * DIMS + k]), Math.abs(this.free[e * DIMS + k]));
    }
    // On a tier with machines t lands on a machine that has room now, or on the one u leaves.
    const anyMachine = !this.hasMachines(e) || this.anyMachineFits(t, e);
    return {
      mayFreeFor: (u) => {
        for (let k = 0; k < DIMS; k++) if (this.inst.demand[u * DIMS + k] < short[k]) return false;
        return anyMachine || this.machineFitsWithout(t, this.machineOf[u], u);
      },
    };
  }

  /** True when machine m would have room for t once u leaves it. */
  private machineFitsWithout(t: number, m: number, u: number): boolean {
    if (m < 0) return false;
    const { machines, demand } = this.inst;
    return (
      this.units(t, m) <= this.freeUnits[m] + this.units(u, m) &&
      demand[t * DIMS + 1] <= this.freeStorage[m] + demand[u * DIMS + 1] + machines.storageSlack[m]
    );
  }

  /** The machine of e with the most free units (ties: the first). */
  roomiest(e: number): number {
    const { start } = this.inst.machines;
    let best = start[e];
    for (let m = start[e] + 1; m < start[e + 1]; m++) if (this.freeUnits[m] > this.freeUnits[best]) best = m;
    return best;
  }

  /** True when machine m has room for t. */
  machineFits(t: number, m: number): boolean {
    const { machines, demand } = this.inst;
    return (
      this.units(t, m) <= this.freeUnits[m] && demand[t * DIMS + 1] <= this.freeStorage[m] + machines.storageSlack[m]
    );
  }

  hasMachines(e: number): boolean {
    const { start } = this.inst.machines;
    return start[e] !== start[e + 1];
  }

  private units(t: number, m: number): number {
    const { machines } = this.inst;
    return machines.taskUnits[t * machines.classCount + machines.unitClass[m]];
  }

  /** docs/contract.md §5's packing: which machine of e takes t, -1 when none has room. */
  private pickMachine(t: number, e: number): number {
    const last = this.lastMachine[t];
    if (last >= 0 && this.inst.machines.env[last] === e && this.machineFits(t, last)) return last;
    const start = this.inst.machines.start;
    const packing = this.packing ?? this.inst.machines.packing[e];
    const levels = this.inst.levels.length;
    let best = -1;
    let bestKey = 0;
    for (let m = start[e]; m < start[e + 1]; m++) {
      if (!this.machineFits(t, m)) continue;
      if (packing === "first-fit") return m;
      const left = this.freeUnits[m] - this.units(t, m);
      // best fit: the fullest machine that holds t; worst fit and spread: the emptiest, spread first
      // preferring machines with the fewest tasks of t's priority level.
      const key =
        packing === "best-fit"
          ? left
          : packing === "worst-fit"
            ? -left
            : this.levelCount[m * levels + this.levelOf[t]] * 1e6 - left;
      if (best < 0 || key < bestKey) {
        best = m;
        bestKey = key;
      }
    }
    return best;
  }
}

/** True when some candidate of unpinned task t fits in what the pins leave. */
export function isPlaceable(inst: Instance, t: number): boolean {
  for (let c = inst.candStart[t]; c < inst.candStart[t + 1]; c++) if (inst.candFits[c]) return true;
  return false;
}
