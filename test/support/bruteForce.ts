import { blockers, DIMENSIONS, leq, score, usable, type Problem } from "../../src/model";

export interface BruteForceResult {
  placed: number[];
  score: number;
}

/**
 * The best plan by contract §2, found by trying every assignment. Written from the contract's
 * text, independently of the optimizer's data structures, so the two can check each other.
 */
export function bruteForce(problem: Problem): BruteForceResult {
  const { tasks, environments, reserve, weights } = problem;
  const levels = [...new Set(tasks.map((t) => t.priority))].sort((a, b) => b - a);
  const choice = tasks.map((t) => (t.pin !== undefined ? environments.findIndex((e) => e.name === t.pin) : -1));
  const free = tasks.map((t) => t.pin === undefined);
  let best: BruteForceResult | undefined;
  const visit = (i: number): void => {
    if (i === tasks.length) {
      if (!legal()) return;
      const candidate = evaluate();
      if (!best || better(candidate, best)) best = candidate;
      return;
    }
    if (!free[i]) return visit(i + 1);
    for (let e = -1; e < environments.length; e++) {
      if (e >= 0 && blockers(tasks[i], environments[e], reserve).length > 0) continue;
      choice[i] = e;
      visit(i + 1);
    }
    choice[i] = -1;
  };
  const legal = (): boolean =>
    environments.every((env) => {
      // Pins may overfill an environment (they are reported as violations); unpinned tasks may
      // only use what the pins leave.
      if (!tasks.some((_t, i) => free[i] && choice[i] === env.index)) return true;
      return DIMENSIONS.every((d) => {
        const total = tasks.reduce((sum, t, i) => (choice[i] === env.index ? sum + t[d] : sum), 0);
        return leq(total, usable(env, d, reserve));
      });
    });
  const evaluate = (): BruteForceResult => ({
    placed: levels.map((p) => tasks.filter((t, i) => t.priority === p && choice[i] >= 0).length),
    score: tasks.reduce((sum, t, i) => (choice[i] >= 0 ? sum + score(t, environments[choice[i]], weights) : sum), 0),
  });
  visit(0);
  return best!;
}

export function better(a: BruteForceResult, b: BruteForceResult): boolean {
  for (let i = 0; i < a.placed.length; i++) if (a.placed[i] !== b.placed[i]) return a.placed[i] > b.placed[i];
  return a.score < b.score - 1e-9 * Math.max(1, Math.abs(b.score));
}
