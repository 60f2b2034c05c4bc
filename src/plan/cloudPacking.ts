import {
  cheapestInstanceType,
  INSTANCE_TYPES,
  MAX_ROOT_VOLUME_GB,
  rootVolumeGb,
  type InstanceType,
} from "../model/instanceTypes";

/**
 * Cloud packing (docs/pulumi.md, "Cloud packing"): the cloud-placed tasks of a site onto EC2
 * instances ("hosts"), several tasks to an instance where they may share one, of the instance
 * types of tierplan's table that hold them for the least on-demand price.
 *
 * What a task takes of a host:
 * - A GPU task (compute above what a CPU instance gives, 0.8 TFLOPS) takes whole GPUs of one host,
 *   never split across hosts: `ceil(compute / TFLOPS of one of the type's GPUs)`, and the host's
 *   vCPUs and memory in proportion to its share of the GPUs.
 * - A CPU task (compute up to 0.8 TFLOPS) takes vCPUs at the CPU type's 0.1 TFLOPS a vCPU (at
 *   least one) and 2 GiB of memory a vCPU; on a GPU type it may instead take one GPU like a GPU
 *   task, so that one task alone goes wherever it went before packing.
 * - Its storage, on the host's one root volume (storage of all its tasks + 60 GB, at most 16 TiB).
 *
 * Who may share a host (the `shareHost` rule): tasks of the same cloud tier and the same priority
 * level, at most `maxTasksPerHost` of them. A host then fails, is maintained or is preempted for
 * one priority level only, and a batch task never competes with a higher level's for the host's
 * CPU, network or disk. `shareHost: "none"` gives every task a host of its own (tierplan before
 * packing).
 */

/** One cloud-placed task as the packing sees it. */
export interface CloudTask {
  task: string;
  tier: string;
  priority: number;
  /** TFLOPS. */
  compute: number;
  /** GB. */
  storage: number;
}

type ShareHost = "priority" | "none";

export interface PackOptions {
  /** Allowed instance type names (tierplan:cloud.instanceTypes); default all of the table. */
  allowed?: readonly string[];
  shareHost?: ShareHost;
  /** Most tasks on one host: bounds its user data (16 KB) and what one host's failure takes down. */
  maxTasksPerHost?: number;
  /** Groups of at most this many tasks are packed exactly (every partition); larger ones greedily. */
  exactLimit?: number;
}

const DEFAULT_MAX_TASKS_PER_HOST = 16;
const DEFAULT_EXACT_LIMIT = 8;

const CPU_TYPE = INSTANCE_TYPES.find((t) => t.gpus === 0)!;
/** TFLOPS of one vCPU (the CPU type's estimate, see instanceTypes) and the memory that goes with it. */
const CPU_TFLOPS_PER_VCPU = CPU_TYPE.tflops / CPU_TYPE.vcpus;
const MEMORY_GIB_PER_VCPU = CPU_TYPE.memoryGiB / CPU_TYPE.vcpus;
/** Largest compute a task may have to run on vCPUs alone: what one CPU instance gives. */
const CPU_TASK_MAX_TFLOPS = CPU_TYPE.tflops;

/** Slack for floating-point error when vCPU, GiB, GB and dollars derived by division are compared. */
const EPS = 1e-9;
/** CPU tasks that could also run on a GPU, tried in every combination of modes up to this many (2^10 = 1,024), first fit beyond. */
const MODE_SEARCH_LIMIT = 10;

/** What one task takes of one host. */
export interface Slot {
  task: string;
  /** "cpu": vCPUs only; "gpu": whole GPUs with their share of vCPUs and memory. */
  mode: "cpu" | "gpu";
  /** Indices of the host's GPUs it gets (empty in cpu mode). */
  gpus: number[];
  vcpus: number;
  memoryGiB: number;
  storage: number;
}

export interface Host {
  /** `<task>` for a host of one task, else `<tier>-p<priority>-<k>`. */
  id: string;
  tier: string;
  priority: number;
  type: InstanceType;
  slots: Slot[];
  /** Root volume, GiB: the tasks' storage plus the system's. */
  rootVolumeGb: number;
}

export interface CloudPacking {
  hosts: Host[];
  /** USD per hour, on demand: the sum of the hosts' prices. */
  costPerHour: number;
  /** What one host per task of the cheapest type that covers it costs (tierplan before packing). */
  oneHostPerTaskCostPerHour: number;
  /**
   * A lower bound on any packing's cost under the same rules: per resource (GPUs, vCPUs, memory,
   * task slots), each task pays at least its cheapest share of a host.
   */
  lowerBoundPerHour: number;
  /** Every group was packed exactly (its cost is the least possible). */
  optimal: boolean;
}

/** Tasks no allowed type can hold even alone. */
export class UnpackableTasks extends Error {
  constructor(readonly tasks: CloudTask[]) {
    super(`no allowed instance type holds ${tasks.map((t) => `'${t.task}'`).join(", ")}`);
  }
}

interface Demand {
  gpus: number;
  vcpus: number;
  memoryGiB: number;
}

/**
 * What task t takes of a host of `type` in each mode it may run in there (none when it cannot).
 * Where it may run at all is what `covers` says (the type's TFLOPS reach the task's, compared as
 * instanceTypes compares them), so a task alone goes exactly where it went before packing; the
 * counts of vCPUs and GPUs are the fewest that reach its compute, without float noise.
 */
function demands(t: Pick<CloudTask, "compute">, type: InstanceType): Array<Demand & { mode: "cpu" | "gpu" }> {
  const out: Array<Demand & { mode: "cpu" | "gpu" }> = [];
  if (t.compute <= CPU_TASK_MAX_TFLOPS) {
    const vcpus = Math.min(CPU_TYPE.vcpus, Math.max(1, Math.ceil(t.compute / CPU_TFLOPS_PER_VCPU - EPS)));
    if (vcpus <= type.vcpus) out.push({ mode: "cpu", gpus: 0, vcpus, memoryGiB: vcpus * MEMORY_GIB_PER_VCPU });
  }
  if (type.gpus > 0 && type.tflops >= t.compute) {
    const gpus = Math.min(type.gpus, Math.max(1, Math.ceil(t.compute / (type.tflops / type.gpus) - EPS)));
    out.push({
      mode: "gpu",
      gpus,
      vcpus: (type.vcpus * gpus) / type.gpus,
      memoryGiB: (type.memoryGiB * gpus) / type.gpus,
    });
  }
  return out;
}

interface Room {
  gpus: number;
  vcpus: number;
  memoryGiB: number;
  storage: number;
  tasks: number;
}

/** Storage the tasks of one host may have together: the largest root volume less the system's 60 GB. */
const STORAGE_ROOM = MAX_ROOT_VOLUME_GB - 60;

function emptyRoom(type: InstanceType, maxTasks: number): Room {
  return { gpus: type.gpus, vcpus: type.vcpus, memoryGiB: type.memoryGiB, storage: STORAGE_ROOM, tasks: maxTasks };
}

function take(room: Room, d: Demand, storage: number): boolean {
  if (
    room.tasks < 1 ||
    d.gpus > room.gpus ||
    d.vcpus > room.vcpus + EPS ||
    d.memoryGiB > room.memoryGiB + EPS ||
    storage > room.storage + EPS
  )
    return false;
  room.gpus -= d.gpus;
  room.vcpus -= d.vcpus;
  room.memoryGiB -= d.memoryGiB;
  room.storage -= storage;
  room.tasks -= 1;
  return true;
}

/**
 * Whether the tasks fit one host of `type` together, and how: every GPU task in gpu mode, each
 * CPU task in cpu mode or on a GPU of its own. Exact (tries every choice of modes) for up to MODE_SEARCH_LIMIT
 * CPU tasks that could go either way, first-fit beyond.
 */
export function fitOn(type: InstanceType, tasks: readonly CloudTask[], maxTasks: number): Slot[] | undefined {
  if (tasks.length > maxTasks) return undefined;
  const options = tasks.map((t) => demands(t, type));
  if (options.some((o) => o.length === 0)) return undefined;
  const flexible = options.map((o, i) => (o.length > 1 ? i : -1)).filter((i) => i >= 0);
  const tryModes = (choice: (i: number) => number): Slot[] | undefined => {
    const room = emptyRoom(type, maxTasks);
    const slots: Slot[] = [];
    let nextGpu = 0;
    for (let i = 0; i < tasks.length; i++) {
      const d = options[i][choice(i)];
      if (!take(room, d, tasks[i].storage)) return undefined;
      const gpus = Array.from({ length: d.gpus }, (_, k) => nextGpu + k);
      nextGpu += d.gpus;
      slots.push({
        task: tasks[i].task,
        mode: d.mode,
        gpus,
        vcpus: d.vcpus,
        memoryGiB: d.memoryGiB,
        storage: tasks[i].storage,
      });
    }
    return slots;
  };
  if (flexible.length <= MODE_SEARCH_LIMIT) {
    // Fewest CPU tasks moved onto GPUs first: a mask with fewer bits set is tried earlier.
    const masks = Array.from({ length: 2 ** flexible.length }, (_, m) => m).sort((a, b) => bits(a) - bits(b) || a - b);
    for (const mask of masks) {
      const gpuMode = new Set(flexible.filter((_, k) => mask & (1 << k)));
      const slots = tryModes((i) => (options[i].length > 1 && gpuMode.has(i) ? 1 : 0));
      if (slots) return slots;
    }
    return undefined;
  }
  // Many flexible tasks: first fit, cpu mode where it fits, one GPU otherwise.
  const room = emptyRoom(type, maxTasks);
  const slots: Slot[] = [];
  let nextGpu = 0;
  for (let i = 0; i < tasks.length; i++) {
    const d = options[i].find((o) => take({ ...room }, o, tasks[i].storage));
    if (!d || !take(room, d, tasks[i].storage)) return undefined;
    slots.push({
      task: tasks[i].task,
      mode: d.mode,
      gpus: Array.from({ length: d.gpus }, (_, k) => nextGpu + k),
      vcpus: d.vcpus,
      memoryGiB: d.memoryGiB,
      storage: tasks[i].storage,
    });
    nextGpu += d.gpus;
  }
  return slots;
}

function bits(x: number): number {
  let n = 0;
  for (; x; x &= x - 1) n++;
  return n;
}

/** The cheapest allowed type a host of exactly these tasks can be, with its slots (ties: table order). */
function cheapestHost(
  tasks: readonly CloudTask[],
  types: readonly InstanceType[],
  maxTasks: number,
): { type: InstanceType; slots: Slot[] } | undefined {
  let best: { type: InstanceType; slots: Slot[] } | undefined;
  for (const type of types) {
    if (best && type.pricePerHour >= best.type.pricePerHour) continue;
    const slots = fitOn(type, tasks, maxTasks);
    if (slots) best = { type, slots };
  }
  return best;
}

/**
 * Packs the cloud-placed tasks onto hosts. Deterministic: the same tasks in the same order give
 * the same hosts. Throws UnpackableTasks when some task fits no allowed type alone.
 */
export function packCloud(tasks: readonly CloudTask[], options: PackOptions = {}): CloudPacking {
  const allowed = options.allowed;
  const types = INSTANCE_TYPES.filter((t) => !allowed || allowed.includes(t.name));
  const maxTasks = Math.max(1, options.maxTasksPerHost ?? DEFAULT_MAX_TASKS_PER_HOST);
  const exactLimit = options.exactLimit ?? DEFAULT_EXACT_LIMIT;
  const alone = new Map<string, InstanceType>();
  const unpackable: CloudTask[] = [];
  for (const t of tasks) {
    const type = cheapestInstanceType(t, allowed);
    if (type) alone.set(t.task, type);
    else unpackable.push(t);
  }
  if (unpackable.length > 0) throw new UnpackableTasks(unpackable);
  const oneHostPerTask = tasks.reduce((sum, t) => sum + alone.get(t.task)!.pricePerHour, 0);

  const hosts: Host[] = [];
  let optimal = true;
  if (options.shareHost === "none") {
    for (const t of tasks) {
      const type = alone.get(t.task)!;
      hosts.push(hostOf([t], type, fitOn(type, [t], 1)!, t.task));
    }
  } else {
    for (const group of groups(tasks)) {
      const blocks =
        group.length <= exactLimit
          ? exactPacking(group, types, maxTasks)
          : greedyPacking(group, types, maxTasks, alone);
      if (group.length > exactLimit) optimal = false;
      let k = 0;
      for (const block of blocks) {
        const id =
          block.tasks.length === 1 ? block.tasks[0].task : `${block.tasks[0].tier}-p${block.tasks[0].priority}-${k++}`;
        hosts.push(hostOf(block.tasks, block.type, block.slots, id));
      }
    }
  }
  const costPerHour = hosts.reduce((sum, h) => sum + h.type.pricePerHour, 0);
  return {
    hosts,
    costPerHour,
    oneHostPerTaskCostPerHour: oneHostPerTask,
    lowerBoundPerHour: lowerBound(tasks, types, maxTasks),
    optimal: optimal && options.shareHost !== "none",
  };
}

function hostOf(tasks: readonly CloudTask[], type: InstanceType, slots: Slot[], id: string): Host {
  return {
    id,
    tier: tasks[0].tier,
    priority: tasks[0].priority,
    type,
    slots,
    rootVolumeGb: rootVolumeGb(tasks.reduce((sum, t) => sum + t.storage, 0)),
  };
}

/** Tasks that may share a host: same cloud tier, same priority; higher priorities first, then tier names. */
function groups(tasks: readonly CloudTask[]): CloudTask[][] {
  const byKey = new Map<string, CloudTask[]>();
  for (const t of tasks) {
    const key = JSON.stringify([t.tier, t.priority]);
    const list = byKey.get(key) ?? [];
    list.push(t);
    byKey.set(key, list);
  }
  return [...byKey.values()].sort(
    (a, b) => b[0].priority - a[0].priority || (a[0].tier < b[0].tier ? -1 : a[0].tier > b[0].tier ? 1 : 0),
  );
}

interface Block {
  tasks: CloudTask[];
  type: InstanceType;
  slots: Slot[];
}

/** The least-cost partition of a small group into hosts: every set partition, each block at its cheapest type. */
function exactPacking(group: readonly CloudTask[], types: readonly InstanceType[], maxTasks: number): Block[] {
  const n = group.length;
  const memo = new Map<number, { type: InstanceType; slots: Slot[] } | null>();
  const blockCost = (mask: number) => {
    if (!memo.has(mask))
      memo.set(
        mask,
        cheapestHost(
          group.filter((_, i) => mask & (1 << i)),
          types,
          maxTasks,
        ) ?? null,
      );
    return memo.get(mask)!;
  };
  let best: { cost: number; masks: number[] } | undefined;
  // Each block holds the lowest-numbered task not yet in one: every partition exactly once.
  const search = (remaining: number, masks: number[], cost: number) => {
    if (best && cost >= best.cost - EPS) return;
    if (remaining === 0) {
      best = { cost, masks: [...masks] };
      return;
    }
    const first = remaining & -remaining;
    const rest = remaining & ~first;
    // Subsets of the rest, larger blocks first, so good packings are found early and prune more.
    const subsets: number[] = [];
    for (let s = rest; ; s = (s - 1) & rest) {
      subsets.push(s);
      if (s === 0) break;
    }
    subsets.sort((a, b) => bits(b) - bits(a) || a - b);
    for (const s of subsets) {
      const block = blockCost(first | s);
      if (!block) continue;
      masks.push(first | s);
      search(remaining & ~(first | s), masks, cost + block.type.pricePerHour);
      masks.pop();
    }
  };
  search((1 << n) - 1, [], 0);
  return best!.masks.map((mask) => {
    const block = blockCost(mask)!;
    return { tasks: group.filter((_, i) => mask & (1 << i)), type: block.type, slots: block.slots };
  });
}

/**
 * A large group: repeatedly open the host that packs the most value per dollar, a task's value
 * being the price of the cheapest type that holds it alone; then give each host the cheapest type
 * that still holds its tasks. Since a task alone on its own cheapest type is always a candidate
 * (value per dollar 1), no host costs more than its tasks would alone.
 */
function greedyPacking(
  group: readonly CloudTask[],
  types: readonly InstanceType[],
  maxTasks: number,
  alone: ReadonlyMap<string, InstanceType>,
): Block[] {
  const value = (t: CloudTask) => alone.get(t.task)!.pricePerHour;
  let remaining = [...group];
  const blocks: Block[] = [];
  while (remaining.length > 0) {
    let best: { tasks: CloudTask[]; type: InstanceType; ratio: number } | undefined;
    const consider = (type: InstanceType, seed?: CloudTask) => {
      const tasks = fill(type, remaining, maxTasks, seed);
      if (tasks.length === 0) return;
      const ratio = tasks.reduce((sum, t) => sum + value(t), 0) / type.pricePerHour;
      if (
        !best ||
        ratio > best.ratio + EPS ||
        (Math.abs(ratio - best.ratio) <= EPS && tasks.length > best.tasks.length)
      )
        best = { tasks, type, ratio };
    };
    for (const type of types) {
      consider(type);
      const seed = remaining.find((t) => alone.get(t.task) === type);
      if (seed) consider(type, seed);
    }
    const chosen = best!;
    const taken = new Set(chosen.tasks);
    remaining = remaining.filter((t) => !taken.has(t));
    // Input order within a host, then the cheapest type that holds exactly these tasks.
    const tasks = group.filter((t) => taken.has(t));
    const host = cheapestHost(tasks, types, maxTasks)!;
    blocks.push({ tasks, type: host.type, slots: host.slots });
  }
  return blocks;
}

/** First fit of the remaining tasks, largest first, onto one host of `type` (after `seed`, when given). */
function fill(type: InstanceType, remaining: readonly CloudTask[], maxTasks: number, seed?: CloudTask): CloudTask[] {
  const room = emptyRoom(type, maxTasks);
  const size = (t: CloudTask) => {
    const d = demands(t, type);
    return d.length === 0 ? -1 : Math.min(...d.map((x) => x.gpus * 1e6 + x.vcpus));
  };
  const order = remaining
    .map((t, i) => ({ t, i, size: size(t) }))
    .filter((x) => x.size >= 0)
    .sort((a, b) => (a.t === seed ? -1 : b.t === seed ? 1 : 0) || b.size - a.size || a.i - b.i);
  const taken: CloudTask[] = [];
  for (const { t } of order) {
    const d = demands(t, type).find((o) => take({ ...room }, o, t.storage));
    if (d && take(room, d, t.storage)) taken.push(t);
    else if (t === seed) return [];
  }
  return taken;
}

/**
 * Per resource, the least any packing can pay: each task needs at least its share of some
 * allowed host in that resource (the cheapest such share over types and modes), and the shares
 * of one host add up to at most 1. The largest of these sums, and the most expensive task alone
 * on its cheapest type, bound the cost from below.
 */
function lowerBound(tasks: readonly CloudTask[], types: readonly InstanceType[], maxTasks: number): number {
  const sums = [0, 0, 0, 0];
  let single = 0;
  for (const t of tasks) {
    const least = [Infinity, Infinity, Infinity, Infinity];
    for (const type of types) {
      for (const d of demands(t, type)) {
        if (t.storage > STORAGE_ROOM + EPS) continue;
        const shares = [
          type.gpus > 0 ? d.gpus / type.gpus : 0,
          d.vcpus / type.vcpus,
          d.memoryGiB / type.memoryGiB,
          1 / maxTasks,
        ];
        shares.forEach((share, k) => (least[k] = Math.min(least[k], share * type.pricePerHour)));
      }
    }
    // A task no type can hold (packCloud refuses it as UnpackableTasks) adds nothing here: leaving
    // a term out keeps this a lower bound.
    least.forEach((x, k) => {
      if (x < Infinity) sums[k] += x;
    });
    const alone = cheapestInstanceType(
      t,
      types.map((x) => x.name),
    );
    if (alone) single = Math.max(single, alone.pricePerHour);
  }
  return Math.max(single, ...sums);
}
