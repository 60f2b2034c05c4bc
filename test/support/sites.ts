import type { PlanningInput } from "../../src/catalog/schema";

/**
 * Four edge tiers of 100 TFLOPS and sixteen tasks of 20-37 at one priority: which 13 fit together
 * takes HiGHS 169 branch-and-bound nodes to prove, so a count stage with a small node limit stops short.
 */
export const packingSite = {
  site: "packing",
  objective: { preset: "balanced", weights: { latency: 1, cost: 1 }, reserve: 0 },
  tiers: ["e0", "e1", "e2", "e3"].map((name) => ({
    name,
    kind: "edge",
    compute: 100,
    storage: 1000,
    bandwidth: 1000,
    latency: 5,
    costPerHour: 1,
  })),
  robots: [],
  tasks: [37, 20, 34, 32, 29, 25, 33, 33, 30, 31, 37, 25, 20, 29, 35, 23].map((compute, i) => ({
    name: `t${i}`,
    compute,
    storage: 1,
    bandwidth: 1,
    maxLatency: 50,
    cost: 1,
    priority: 1,
    perRobot: false,
  })),
} as PlanningInput;
