import fc from "fast-check";
import { TIER_KINDS, type PlanningInput, type TaskSpec } from "../../src/catalog/schema";

/**
 * Small random planning inputs that respect the catalog's invariants (unique names, valid
 * references): contended, with priorities, bound tasks, allowedTiers and the odd pin. Integer
 * demands and reserves like 0.1 hit the capacity boundaries on purpose, where the tolerance matters.
 */
export function smallInput(maxTasks = 6): fc.Arbitrary<PlanningInput> {
  const env = fc.record({
    compute: fc.integer({ min: 1, max: 30 }),
    storage: fc.integer({ min: 1, max: 30 }),
    bandwidth: fc.integer({ min: 1, max: 30 }),
    latency: fc.integer({ min: 0, max: 20 }),
    costPerHour: fc.integer({ min: 0, max: 10 }),
  });
  return fc
    .record({
      tiers: fc.array(fc.tuple(env, fc.constantFrom(...TIER_KINDS)), { minLength: 1, maxLength: 3 }),
      robots: fc.array(env, { minLength: 0, maxLength: 2 }),
      reserve: fc.constantFrom(0, 0.1, 0.2, 0.3),
      weights: fc.record({ latency: fc.constantFrom(0, 0.5, 1, 2), cost: fc.constantFrom(0, 0.5, 1, 2) }),
      tasks: fc.array(
        fc.record({
          compute: fc.integer({ min: 0, max: 20 }),
          storage: fc.integer({ min: 0, max: 20 }),
          bandwidth: fc.integer({ min: 0, max: 20 }),
          maxLatency: fc.constantFrom(1, 5, 12, 25, 100, 1000),
          cost: fc.integer({ min: 0, max: 5 }),
          priority: fc.integer({ min: 1, max: 3 }),
          robotPick: fc.integer({ min: -2, max: 1 }),
          allowedPick: fc.integer({ min: -4, max: 3 }),
          pinPick: fc.integer({ min: -12, max: 4 }),
        }),
        { minLength: 1, maxLength: maxTasks },
      ),
    })
    .map(({ tiers, robots, reserve, weights, tasks }) => {
      const tierSpecs = tiers.map(([e, kind], i) => ({ name: `t${i}`, kind, ...e }));
      const robotSpecs = robots.map((e, i) => ({ name: `r${i}`, ...e }));
      const envNames = [...tierSpecs.map((t) => t.name), ...robotSpecs.map((r) => r.name)];
      const taskSpecs: TaskSpec[] = tasks.map((t, i) => {
        const robot = t.robotPick >= 0 && robotSpecs.length > 0 ? robotSpecs[t.robotPick % robotSpecs.length].name : undefined;
        const allowed = t.allowedPick >= 0 ? [envNames[t.allowedPick % envNames.length], TIER_KINDS[t.allowedPick % 3]] : undefined;
        const pin = t.pinPick >= 0 ? envNames[t.pinPick % envNames.length] : undefined;
        return {
          name: `task${i}`,
          compute: t.compute,
          storage: t.storage,
          bandwidth: t.bandwidth,
          maxLatency: t.maxLatency,
          cost: t.cost,
          priority: t.priority,
          perRobot: false,
          ...(robot !== undefined && { robot }),
          ...(allowed !== undefined && { allowedTiers: allowed }),
          ...(pin !== undefined && { pin }),
        };
      });
      return {
        site: "prop",
        objective: { preset: "balanced" as const, weights, reserve },
        tiers: tierSpecs,
        robots: robotSpecs,
        tasks: taskSpecs,
      };
    });
}
