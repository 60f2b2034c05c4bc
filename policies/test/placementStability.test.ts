import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderMarkdown } from "../../src/plan/markdown";
import type { PreviewResult } from "../../src/preview/run";
import { evaluateStack, placementStability, type ResourceView } from "../rules";
import { stackPolicy } from "../rules/stackPolicy";
import { env, labelOf, placement, plan, planRecord } from "./support/fixtures";
import { preview, removeRoot, rootWithFiles, runPack, savePreview, tierplanCheck } from "./support/preview";

const STABILITY = "tierplan-placement-stability";
const CLOUD = env("cloud", "cloud", { compute: 1000, storage: 10000, bandwidth: 1000 });
const EDGE = env("edge", "edge");

/** A plan record with these moves against the lock. */
function recordWith(moves: Array<{ task: string; from: string; to: string | null }>): ResourceView {
  const placements = moves
    .filter((m) => m.to !== null)
    .map((m) => placement(m.task, m.to!, m.to === "cloud" ? "cloud" : "edge"));
  return planRecord(plan({ environments: [CLOUD, EDGE], placements, moves }));
}

/** Only this policy's verdicts (the records here have placements without workloads, which placement-matches-plan reports). */
const own = (verdicts: ReturnType<typeof evaluateStack>) => verdicts.filter((v) => v.policy === STABILITY);

const TWO = [
  { task: "train", from: "edge", to: "cloud" },
  { task: "infer", from: "cloud", to: "edge" },
];

describe("tierplan-placement-stability", () => {
  it("is advisory by default, mandatory past maxMoves, with maxMoves a whole number >= 0", () => {
    expect(placementStability.name).toBe(STABILITY);
    expect(placementStability.enforcementLevel).toBe("advisory");
    expect(placementStability.escalation).toBe("mandatory");
    expect(placementStability.configSchema.properties).toEqual({ maxMoves: { type: "integer", minimum: 0 } });
  });

  it("says nothing of a plan without moves, or of a record that predates them", () => {
    expect(placementStability.check([recordWith([])], {})).toEqual([]);
    const old = recordWith([]);
    const json = JSON.parse(old.props.data["plan.json"]);
    delete json.moves;
    old.props.data["plan.json"] = JSON.stringify(json);
    expect(placementStability.check([old], { maxMoves: 0 })).toEqual([]);
  });

  it("lists the moves with what pulumi up does for each, as one advisory", () => {
    const record = recordWith([...TWO, { task: "gone", from: "edge", to: null }]);
    expect(evaluateStack([record]).filter((v) => v.policy === STABILITY)).toEqual([
      {
        policy: STABILITY,
        level: "advisory",
        resource: labelOf(record),
        message:
          "the plan moves 3 task(s) against the stack's lock: train (edge → cloud: delete its Deployment, create an EC2 instance); " +
          "infer (cloud → edge: delete its EC2 instance, create a Deployment on edge); gone (edge → unplaced: delete its Deployment: the task stops running)",
      },
    ]);
  });

  it("names ten moves and counts the rest", () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ task: `t${i}`, from: "edge", to: "cloud" }));
    const [finding] = placementStability.check([recordWith(many)], {});
    expect(finding.message).toMatch(/^the plan moves 12 task\(s\) against the stack's lock: t0 \(edge → cloud/);
    expect(finding.message).toContain("t9 (edge → cloud");
    expect(finding.message).not.toContain("t10 (");
    expect(finding.message).toMatch(/; … 2 more in the plan's moves$/);
  });

  it("is mandatory when the moves exceed maxMoves, still listing them; at maxMoves it stays advisory", () => {
    const record = recordWith(TWO);
    const at = (maxMoves: number) =>
      own(evaluateStack([record], { [STABILITY]: { maxMoves } })).map((v) => [v.level, v.message]);
    const listing = expect.stringMatching(/^the plan moves 2 task\(s\) against the stack's lock: train/);
    expect(at(2)).toEqual([["advisory", listing]]);
    expect(at(1)).toEqual([
      ["mandatory", expect.stringMatching(/^the plan moves 2 task\(s\) against the lock, more than maxMoves 1:/)],
      ["advisory", listing],
    ]);
    expect(own(evaluateStack([record], { [STABILITY]: { maxMoves: 0 } }))[0].message).toBe(
      "the plan moves 2 task(s) against the lock, more than maxMoves 0: keep the locked placements (free capacity or pin), or raise maxMoves",
    );
  });

  it("takes an explicit level from the policy config over its own, and can be disabled", () => {
    const record = recordWith(TWO);
    expect(
      own(evaluateStack([record], { [STABILITY]: { enforcementLevel: "advisory", maxMoves: 0 } })).map((v) => v.level),
    ).toEqual(["advisory", "advisory"]);
    expect(own(evaluateStack([record], { [STABILITY]: "mandatory" })).map((v) => v.level)).toEqual(["mandatory"]);
    expect(own(evaluateStack([record], { [STABILITY]: "disabled" }))).toEqual([]);
  });

  it("under the policy engine (one level per policy) is registered mandatory and reports only the breach of maxMoves", () => {
    const policy = stackPolicy(placementStability);
    expect(policy.enforcementLevel).toBe("mandatory");
    const record = recordWith(TWO);
    expect(runPack([record]).filter((v) => v.policy === STABILITY)).toEqual([]);
    expect(
      runPack([record], { [STABILITY]: { maxMoves: 1 } })
        .filter((v) => v.policy === STABILITY)
        .map((v) => [v.level, v.message]),
    ).toEqual([["mandatory", expect.stringMatching(/more than maxMoves 1:/)]]);
  });

  it("puts the moves in the pull-request comment's first screen, before the placement table", () => {
    const p = plan({
      environments: [CLOUD, EDGE],
      placements: [placement("train", "cloud", "cloud"), placement("infer", "edge", "edge")],
      moves: TWO,
    });
    const verdicts = evaluateStack([planRecord(p)]);
    const md = renderMarkdown(p, { stack: "site-x", verdicts });
    const lines = md.split("\n");
    expect(lines.findIndex((l) => l.startsWith("### Moves"))).toBeLessThan(
      lines.findIndex((l) => l.startsWith("### Placements")),
    );
    expect(lines.findIndex((l) => l.startsWith("### Moves"))).toBeLessThan(15);
    expect(md).toContain("> 2 of 2 tasks placed · **2 moves** against the lock");
    expect(md).toContain("### Moves (2 against the lock)");
    expect(md).toContain("| train | edge | cloud | delete its Deployment, create an EC2 instance |");
    expect(renderMarkdown(plan({ environments: [CLOUD] }), { stack: "s", verdicts: [] })).not.toContain("### Moves");
  });

  it("folds moves past the first fifteen away", () => {
    const moves = Array.from({ length: 20 }, (_, i) => ({ task: `t${i}`, from: "edge", to: "cloud" }));
    const md = renderMarkdown(plan({ environments: [CLOUD, EDGE], moves }), { stack: "s", verdicts: [] });
    expect(md).toContain("<details><summary>5 more moves</summary>");
    expect(md.indexOf("| t14 |")).toBeLessThan(md.indexOf("<details><summary>5 more moves"));
    expect(md.indexOf("| t15 |")).toBeGreaterThan(md.indexOf("<details><summary>5 more moves"));
  });
});

describe("a factory-a preview against a lock its catalog no longer allows", () => {
  let root: string;
  let result: PreviewResult;
  let views: ResourceView[];
  let saved: string;
  beforeAll(async () => {
    // model-training locked on the 100-TFLOPS edge and realtime-inference on a tier that is gone: both must move.
    const lock = {
      site: "factory-a",
      placements: [
        { task: "model-training", tier: "edge" },
        { task: "realtime-inference", tier: "edge-old" },
      ],
    };
    root = rootWithFiles({ "stacks/factory-a.lock.json": JSON.stringify(lock) });
    ({ result, views } = await preview("factory-a", root));
    saved = savePreview(result, views, root, "locked");
  });
  afterAll(() => removeRoot(root));

  it("moves the two locked tasks, and the preview lists them as one advisory", () => {
    expect(result.plan.moves.map((m) => [m.task, m.from, m.to])).toEqual([
      ["model-training", "edge", "cloud"],
      ["realtime-inference", "edge-old", expect.stringMatching(/^edge/)],
    ]);
    expect(result.policies.violations.map((v) => [v.policy, v.level])).toEqual([[STABILITY, "advisory"]]);
    expect(result.policies.violations[0].message).toMatch(
      /^the plan moves 2 task\(s\) against the stack's lock: model-training \(edge → cloud: delete its Deployment, create an EC2 instance\)/,
    );
  });

  it("tierplan check --markdown shows the moves before the placements; maxMoves 1 fails it, 2 does not", () => {
    const md = tierplanCheck(saved, "--markdown");
    expect(md.status).toBe(0);
    expect(md.stdout.indexOf("### Moves (2 against the lock)")).toBeGreaterThan(0);
    expect(md.stdout.indexOf("### Moves")).toBeLessThan(md.stdout.indexOf("### Placements"));
    const config = (maxMoves: number) => {
      const file = join(root, `max-${maxMoves}.json`);
      writeFileSync(file, JSON.stringify({ [STABILITY]: { maxMoves } }));
      return file;
    };
    const strict = tierplanCheck(saved, "--policy-config", config(1));
    expect(strict.status).toBe(1);
    expect(strict.mandatory).toEqual([STABILITY]);
    expect(strict.advisory).toEqual([STABILITY]);
    expect(tierplanCheck(saved, "--policy-config", config(2)).status).toBe(0);
  });
});
