import { describe, expect, it } from "vitest";
import { placementAllowed, type ResourceView } from "../rules";
import {
  deployment,
  env,
  inputsOf,
  labelOf,
  named,
  placement,
  plan,
  planRecord,
  robotConfig,
  site,
  tierSelector,
} from "./support/fixtures";

const check = (resources: readonly ResourceView[]) => placementAllowed.check(resources, placementAllowed.defaults);

const CLOUD = env("cloud", "cloud", { compute: 1000, storage: 10000, bandwidth: 1000 });
const EDGE = env("edge", "edge");
const LAB = env("lab-edge", "edge");
const ARM1 = env("arm-1", "robot", { fleetRobot: true });
const ARM2 = env("arm-2", "robot", { fleetRobot: true });
const BENCH = env("bench", "robot", { fleetRobot: false });

/** A site whose plan record gives `extra` task fields (allowedTiers, robot, pin) in its inputs. */
function withInputs(
  environments: ReturnType<typeof env>[],
  placements: ReturnType<typeof placement>[],
  extra: Parameters<typeof inputsOf>[1],
): ResourceView[] {
  const resources = site(environments, placements).filter((r) => r.name !== "plan-record");
  const p = plan({ environments, placements });
  return [...resources, planRecord(p, { inputs: inputsOf(p, extra) })];
}

describe("tierplan-placement-allowed", () => {
  it("is mandatory", () => {
    expect(placementAllowed.name).toBe("tierplan-placement-allowed");
    expect(placementAllowed.enforcementLevel).toBe("mandatory");
  });

  it("passes workloads on environments their allowedTiers name by name or by kind", () => {
    const train = placement("train", "cloud", "cloud");
    const infer = placement("infer", "edge", "edge");
    const evalTask = placement("eval", "bench", "robot");
    expect(
      check(
        withInputs([CLOUD, EDGE, BENCH], [train, infer, evalTask], {
          train: { allowedTiers: ["cloud"] },
          infer: { allowedTiers: ["edge", "cloud"] },
          eval: { allowedTiers: ["robot"] },
        }),
      ),
    ).toEqual([]);
  });

  it("reports a workload on an environment outside its task's allowedTiers, from the record's inputs", () => {
    const evalTask = placement("eval", "cloud", "cloud", { pinned: true });
    const resources = withInputs([CLOUD, BENCH], [evalTask], { eval: { allowedTiers: ["robot"] } });
    expect(check(resources)).toEqual([
      {
        resource: labelOf(named(resources, "cloud-eval")),
        message:
          "task 'eval' runs on cloud (instance): cloud (cloud) is not in its allowedTiers [robot]; it is pinned there: remove the pin or widen allowedTiers",
      },
    ]);
  });

  it("judges the tier a Deployment is steered to, not the one the plan or its annotations name", () => {
    const plant = env("plant", "edge");
    const infer = placement("infer", "plant", "edge");
    const resources = withInputs([plant, LAB], [infer], { infer: { allowedTiers: ["plant"] } });
    expect(check(resources)).toEqual([]);
    named(resources, "edge-infer").props.spec.template.spec.nodeSelector = tierSelector("lab-edge");
    expect(check(resources).map((v) => v.message)).toEqual([
      "task 'infer' runs on lab-edge (deployment): lab-edge (edge) is not in its allowedTiers [plant]; re-plan or widen allowedTiers",
    ]);
  });

  it("reports a task on a fleet robot it is not bound to, and one bound to none", () => {
    const mine = placement("act@arm-1", "arm-1", "robot", { robot: "arm-1" });
    const theirs = placement("act@arm-2", "arm-1", "robot", { robot: "arm-2", pinned: true });
    const free = placement("free", "arm-1", "robot");
    const resources = site([ARM1, ARM2], [mine, theirs, free]);
    expect(check(resources).map((v) => v.message)).toEqual([
      "task 'act@arm-2' runs on arm-1 (robot config), a fleet robot it is not bound to (it is bound to arm-2); it is pinned there: remove the pin or bind it to that robot",
      "task 'free' runs on arm-1 (robot config), a fleet robot it is not bound to (it is bound to none); re-plan or bind it to that robot",
    ]);
  });

  it("judges a robot config's tasks on the robot the config is delivered to", () => {
    const act = placement("act", "arm-1", "robot", { robot: "arm-1" });
    const record = planRecord(plan({ environments: [ARM1, ARM2], placements: [act] }));
    expect(check([robotConfig("arm-1", [act]), record])).toEqual([]);
    expect(check([robotConfig("arm-2", [act]), record]).map((v) => v.message)).toEqual([
      expect.stringMatching(
        /^task 'act' runs on arm-2 \(robot config\), a fleet robot it is not bound to \(it is bound to arm-1\)/,
      ),
    ]);
  });

  it("a shared robot-kind tier is open to any task", () => {
    expect(check(site([BENCH], [placement("eval", "bench", "robot")]))).toEqual([]);
  });

  it("without the planning inputs in the record, reports the plan's own findings on pins outside allowedTiers, saying so", () => {
    const a = placement("a", "edge", "edge", { pinned: true });
    const p = plan({ environments: [EDGE], placements: [a] });
    p.violations = [
      { task: "a", tier: "edge", rule: "allowed", message: "edge (edge) is not in allowedTiers [robot]" },
      { task: "a", tier: "edge", rule: "latency", message: "latency 12 ms > 10 ms" },
    ];
    const record = planRecord(p, { inputs: false });
    expect(check([deployment(a), record])).toEqual([
      {
        resource: labelOf(record),
        message:
          "task 'a' is pinned to edge: edge (edge) is not in allowedTiers [robot] (as the plan records it: the plan record carries no task specifications)",
      },
    ]);
    // With the inputs, the verdict is the policy's own: the same record says nothing once allowedTiers allow edge.
    expect(check([deployment(a), planRecord(p, { inputs: inputsOf(p, { a: { allowedTiers: ["edge"] } }) })])).toEqual(
      [],
    );
  });
});
