import type { EnvironmentKind, Lock, LockPlacement } from "../catalog/lock";
import type { Move, Plan } from "./schema";

/*
 * docs/contract.md §6 as people see it: the lock file's text, the difference between two plans or locks,
 * and what each move costs in Pulumi terms. Pure functions, no I/O.
 */

/** Code-unit order: the same on every machine and locale. */
const byTask = (a: { task: string }, b: { task: string }) => (a.task < b.task ? -1 : a.task > b.task ? 1 : 0);

/** The lock a plan stands for: every placement, with its machine on a tier with machines. */
export function lockOf(plan: Pick<Plan, "site" | "placements">): Lock {
  return {
    site: plan.site,
    placements: plan.placements.map((p) => ({
      task: p.task,
      tier: p.tier,
      ...(p.machine !== undefined && { machine: p.machine }),
    })),
  };
}

/**
 * The lock file's text: JSON, placements sorted by task, one a line, keys in a fixed order, so
 * that the same plan always gives the same bytes and a pull request's diff of the file reads as
 * the list of moves (a moved task is one changed line).
 */
export function formatLock(lock: Lock): string {
  const line = (p: LockPlacement) =>
    `    { "task": ${JSON.stringify(p.task)}, "tier": ${JSON.stringify(p.tier)}${p.machine !== undefined ? `, "machine": ${JSON.stringify(p.machine)}` : ""} }`;
  const placements = [...lock.placements].sort(byTask);
  const body =
    placements.length === 0 ? `  "placements": []` : `  "placements": [\n${placements.map(line).join(",\n")}\n  ]`;
  return `{\n  "site": ${JSON.stringify(lock.site)},\n${body}\n}\n`;
}

/** `tier`, or `tier/machine` (docs/contract.md §6's notation for a place). */
function placeOf(p: { tier: string; machine?: string }): string {
  return p.machine !== undefined ? `${p.tier}/${p.machine}` : p.tier;
}

/** The tier of a place (`tier` or `tier/machine`); tier names may hold '/', so the known kinds decide. */
function tierOf(place: string, kinds: ReadonlyMap<string, EnvironmentKind>): string {
  if (kinds.has(place)) return place;
  const slash = place.lastIndexOf("/");
  return slash > 0 && kinds.has(place.slice(0, slash)) ? place.slice(0, slash) : place.split("/")[0];
}

/** The kind of each environment a plan names (tiers and fleet robots). */
export function kindsOf(plan: Pick<Plan, "environments" | "placements">): Map<string, EnvironmentKind> {
  const kinds = new Map<string, EnvironmentKind>();
  for (const env of plan.environments ?? []) kinds.set(env.name, env.kind);
  for (const p of plan.placements) if (!kinds.has(p.tier)) kinds.set(p.tier, p.kind);
  return kinds;
}

/**
 * What `pulumi up` does to a task leaving a place of this kind. Cloud tasks may share an EC2
 * instance (cloud packing), whose user data lists them and replaces it on change: "its EC2
 * instance" is then replaced rather than deleted (docs/input.md, "Stability: the placement lock").
 */
function leave(kind: EnvironmentKind | undefined, tier: string): string | undefined {
  if (kind === "cloud") return "delete its EC2 instance";
  if (kind === "edge") return "delete its Deployment";
  if (kind === "robot") return `reconfigure robot ${tier}`;
  return undefined;
}

/** What `pulumi up` does to a task arriving at a place of this kind (on a shared EC2 instance: replaces it). */
function enter(kind: EnvironmentKind | undefined, tier: string): string | undefined {
  if (kind === "cloud") return "create an EC2 instance";
  if (kind === "edge") return `create a Deployment on ${tier}`;
  if (kind === "robot") return `reconfigure robot ${tier}`;
  return undefined;
}

/**
 * A move's consequence in Pulumi terms: a cloud task's EC2 instance is replaced, an edge task's
 * Deployment rescheduled (its pods restart elsewhere), a robot's configuration rewritten; across
 * kinds, what one side deletes and the other creates. `to` null: the task stops running. Empty
 * when the kinds are unknown (two lock files).
 */
export function moveConsequence(move: Pick<Move, "from" | "to">, kinds: ReadonlyMap<string, EnvironmentKind>): string {
  if (kinds.size === 0) return "";
  const fromTier = tierOf(move.from, kinds);
  const fromKind = kinds.get(fromTier);
  if (move.to === null) {
    const left = leave(fromKind, fromTier);
    return left ? `${left}: the task stops running` : "the task stops running";
  }
  const toTier = tierOf(move.to, kinds);
  const toKind = kinds.get(toTier);
  if (fromKind !== undefined && fromKind === toKind) {
    if (fromKind === "cloud") return "replace its EC2 instance";
    if (fromKind === "edge") return `reschedule its Deployment (pods restart on ${move.to})`;
    return fromTier === toTier ? `reconfigure robot ${fromTier}` : `reconfigure robots ${fromTier} and ${toTier}`;
  }
  const parts = [
    fromKind === undefined ? `leave ${fromTier} (no longer in the catalog)` : leave(fromKind, fromTier),
    enter(toKind, toTier),
  ];
  return parts.filter((p): p is string => p !== undefined).join(", ");
}

/** What `pulumi up` does for a task placed for the first time. */
function newConsequence(to: string, kinds: ReadonlyMap<string, EnvironmentKind>): string {
  const tier = tierOf(to, kinds);
  return enter(kinds.get(tier), tier) ?? "";
}

/** One side of a diff: a lock, or a plan's placements with what a plan knows besides. */
export interface PlacementSide extends Lock {
  /** Kinds of the environments, when the side is a plan. */
  kinds?: ReadonlyMap<string, EnvironmentKind>;
  /** Tasks the plan left unplaced (in its catalog, nowhere to run); a lock does not say. */
  unplaced?: readonly string[];
}

export interface PlacementDiff {
  /** Tasks placed on both sides in different places, or placed before and unplaced now. */
  moves: Array<Move & { consequence: string }>;
  /** Tasks placed only on the new side. */
  added: Array<{ task: string; to: string; consequence: string }>;
  /** Tasks placed on the old side the new side does not place nor list as unplaced. */
  dropped: Array<{ task: string; from: string; reason: string }>;
  /** Tasks in the same place on both sides. */
  unchanged: number;
}

/**
 * The difference of two sets of placements (docs/contract.md §6's moves, for any two plans or locks). A
 * task the new side leaves unplaced is a move to null; one it does not name at all has left the
 * catalog when the new side is a plan, which is not a move.
 */
export function diffPlacements(before: PlacementSide, after: PlacementSide): PlacementDiff {
  const kinds = new Map<string, EnvironmentKind>([...(before.kinds ?? []), ...(after.kinds ?? [])]);
  const now = new Map(after.placements.map((p) => [p.task, p]));
  const was = new Map(before.placements.map((p) => [p.task, p]));
  const unplaced = new Set(after.unplaced ?? []);
  const diff: PlacementDiff = { moves: [], added: [], dropped: [], unchanged: 0 };
  for (const old of [...before.placements].sort(byTask)) {
    const from = placeOf(old);
    const placed = now.get(old.task);
    if (placed) {
      const to = placeOf(placed);
      // As the planner counts (build.ts): a machine matters only when both sides name one.
      const same =
        placed.tier === old.tier &&
        (placed.machine === undefined || old.machine === undefined || placed.machine === old.machine);
      if (same) diff.unchanged++;
      else diff.moves.push({ task: old.task, from, to, consequence: moveConsequence({ from, to }, kinds) });
    } else if (unplaced.has(old.task)) {
      diff.moves.push({ task: old.task, from, to: null, consequence: moveConsequence({ from, to: null }, kinds) });
    } else {
      const reason = after.unplaced
        ? "no longer in the catalog (not a move)"
        : "not in the new lock (unplaced, or no longer in the catalog)";
      diff.dropped.push({ task: old.task, from, reason });
    }
  }
  for (const p of [...after.placements].sort(byTask)) {
    if (!was.has(p.task))
      diff.added.push({ task: p.task, to: placeOf(p), consequence: newConsequence(placeOf(p), kinds) });
  }
  return diff;
}

/** A plan's own moves (against the lock it was planned with), each with its consequence. */
export function planMoves(
  plan: Pick<Plan, "moves" | "environments" | "placements">,
): Array<Move & { consequence: string }> {
  const kinds = kindsOf(plan);
  return (plan.moves ?? []).map((m) => ({ ...m, consequence: moveConsequence(m, kinds) }));
}

/** Placed tasks the lock does not name: new to the lock (not moves). */
export function newTasks(
  plan: Pick<Plan, "placements">,
  lock: { placements: ReadonlyArray<{ task: string }> },
): Set<string> {
  const locked = new Set(lock.placements.map((p) => p.task));
  return new Set(plan.placements.filter((p) => !locked.has(p.task)).map((p) => p.task));
}
