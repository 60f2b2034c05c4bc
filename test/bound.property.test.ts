import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bestFittingSubset } from "../src/optimizer/bound";

const runs = { numRuns: 500, seed: 20261129 };

/** A robot of `slots` tasks: their gains (some not gaining), demands in two dimensions, and which must stay. */
const robot = fc.integer({ min: 1, max: 10 }).chain((slots) =>
  fc.record({
    gains: fc.array(fc.oneof(fc.integer({ min: -50, max: -1 }), fc.constant(0)), {
      minLength: slots,
      maxLength: slots,
    }),
    demands: fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 })), {
      minLength: slots,
      maxLength: slots,
    }),
    capacity: fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 })),
    mandatory: fc.array(fc.boolean(), { minLength: slots, maxLength: slots }),
  }),
);

/** Which subsets of the robot's tasks fit: downward closed, as demands are not negative. */
function fitting(demands: Array<[number, number]>, capacity: [number, number]): Uint8Array {
  const fits = new Uint8Array(1 << demands.length);
  for (let mask = 0; mask < fits.length; mask++) {
    const used = [0, 0];
    demands.forEach(([a, b], i) => {
      if (mask & (1 << i)) {
        used[0] += a;
        used[1] += b;
      }
    });
    fits[mask] = used[0] <= capacity[0] && used[1] <= capacity[1] ? 1 : 0;
  }
  return fits;
}

describe("bestFittingSubset", () => {
  it("finds the gain of the best fitting subset, as enumerating every subset does", () => {
    fc.assert(
      fc.property(robot, ({ gains, demands, capacity, mandatory }) => {
        const fits = fitting(demands, capacity);
        const must = mandatory.reduce((m, on, i) => (on ? m | (1 << i) : m), 0);
        // The bound's caller passes only the gaining, optional tasks, most gaining first.
        const order = gains
          .map((g, i) => ({ g, i }))
          .filter(({ g, i }) => g < 0 && !(must & (1 << i)))
          .sort((a, b) => a.g - b.g || a.i - b.i);
        const gain = Float64Array.from(order.map((o) => o.g));
        const bit = Int32Array.from(order.map((o) => 1 << o.i));
        const mask = bestFittingSubset(gain, bit, order.length, fits, must, new Float64Array(order.length + 1));
        const gainOf = (m: number) => order.reduce((sum, o) => (m & (1 << o.i) ? sum + o.g : sum), 0);

        let best = 0;
        for (let m = 0; m < fits.length; m++) {
          if ((m & must) !== must || !fits[m]) continue;
          // Only the gaining optional tasks may be chosen beyond the mandatory ones.
          const extra = m & ~must;
          if (order.reduce((rest, o) => rest & ~(1 << o.i), extra) !== 0) continue;
          best = Math.min(best, gainOf(m));
        }
        expect(mask & must).toBe(must);
        expect(gainOf(mask)).toBe(best);
        if (best < 0) expect(fits[mask]).toBe(1);
      }),
      runs,
    );
  });
});
