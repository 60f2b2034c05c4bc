import { writeFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { PreviewResult } from "../../src/preview/run";
import { budget, evaluateStack, type ResourceView } from "../rules";
import { instance, placement } from "./support/fixtures";
import { copy, preview, runPack, savePreview, tierplanCheck } from "./support/preview";

const BUDGET = "tierplan-budget";
const check = (resources: readonly ResourceView[], maxCostPerHour?: unknown) =>
  budget.check(resources, (maxCostPerHour === undefined ? {} : { maxCostPerHour }) as never);

const nodeGroup = (name: string, type: string, desiredSize: unknown): ResourceView => ({
  type: "aws:eks/nodeGroup:NodeGroup",
  name,
  props: {
    instanceTypes: [type],
    scalingConfig: { desiredSize, minSize: desiredSize, maxSize: desiredSize },
    tags: { "tierplan/price-per-hour": "0" },
  },
});

describe("tierplan-budget", () => {
  const t = placement("t", "cloud", "cloud");
  // g6.xlarge $0.8048 + 2 × g5.xlarge $1.006 = $2.8168 an hour.
  const stack = [instance(t, { instanceType: "g6.xlarge" }), nodeGroup("edge-gpu-a", "g5.xlarge", 2)];

  it("is mandatory, with maxCostPerHour a number of dollars >= 0", () => {
    expect(budget.name).toBe(BUDGET);
    expect(budget.enforcementLevel).toBe("mandatory");
    expect(budget.configSchema.properties).toEqual({ maxCostPerHour: { type: "number", minimum: 0 } });
  });

  it("says nothing without a budget", () => {
    expect(check(stack)).toEqual([]);
    expect(evaluateStack(stack).filter((v) => v.policy === BUDGET)).toEqual([]);
  });

  it("prices every instance and every node group's nodes from the instance table, not from the program's price tags", () => {
    expect(check(stack, 2.8168)).toEqual([]);
    expect(check(stack, 2.8)).toEqual([
      {
        message:
          "the stack provisions $2.8168 an hour on demand, more than maxCostPerHour $2.8: edge-gpu-a (2 × g5.xlarge $1.006), cloud-t (g6.xlarge $0.8048)",
      },
    ]);
  });

  it("counts instances tierplan does not manage too: the stack pays for them", () => {
    const bastion: ResourceView = {
      type: "aws:ec2/instance:Instance",
      name: "bastion",
      props: { instanceType: "c7i.2xlarge", tags: {} },
    };
    expect(check([...stack, bastion], 3)[0].message).toMatch(/^the stack provisions \$3.1738 an hour/);
  });

  it("reports what it cannot price instead of guessing", () => {
    const odd: ResourceView = { type: "aws:ec2/instance:Instance", name: "odd", props: { instanceType: "t3.micro" } };
    expect(check([...stack, odd], 100).map((v) => v.message)).toEqual([
      "instance type 't3.micro' is not in tierplan's instance table: the stack's cost per hour cannot be known",
    ]);
    expect(check([nodeGroup("g", "g5.xlarge", "some")], 100)[0].message).toMatch(/cannot be known$/);
  });

  it("reports a budget that is not a number", () => {
    expect(check(stack, "cheap")).toEqual([
      { message: "maxCostPerHour must be a number of dollars >= 0, got 'cheap'" },
    ]);
    expect(check(stack, -1)).toHaveLength(1);
  });
});

describe("the budget on warehouse-east (one g6.48xlarge host and four g5.xlarge machine nodes)", () => {
  let clean: { result: PreviewResult; views: ResourceView[] };
  let saved: string;
  const dir = mkdtempSync(join(tmpdir(), "tierplan-budget-"));
  const config = (maxCostPerHour: number) => {
    const file = join(dir, `budget-${maxCostPerHour}.json`);
    writeFileSync(file, JSON.stringify({ [BUDGET]: { maxCostPerHour } }));
    return file;
  };
  beforeAll(async () => {
    clean = await preview("warehouse-east");
    saved = savePreview(clean.result, clean.views, dir, "warehouse-east");
  });

  it("costs $17.3744 an hour, what the program's own figure says too", () => {
    const host = clean.views.find((r) => r.type === "aws:ec2/instance:Instance")!;
    expect(host.props.tags["tierplan/provisioned-cost-per-hour"]).toBe("17.3744");
    expect(evaluateStack(clean.views, { [BUDGET]: { maxCostPerHour: 17.3744 } })).toEqual([]);
  });

  it("over a budget of $17 an hour: rejected by tierplan check, the pack and the offline preview", () => {
    const out = evaluateStack(clean.views, { [BUDGET]: { maxCostPerHour: 17 } });
    expect(out).toEqual([
      {
        policy: BUDGET,
        level: "mandatory",
        message:
          "the stack provisions $17.3744 an hour on demand, more than maxCostPerHour $17: cloud-model-training (g6.48xlarge $13.3504), " +
          "edge-cluster-machine-g5-sliced-0 (1 × g5.xlarge $1.006), edge-cluster-machine-g5-sliced-1 (1 × g5.xlarge $1.006), edge-cluster-machine-g5-sliced-2 (1 × g5.xlarge $1.006), edge-cluster-machine-g5-whole (1 × g5.xlarge $1.006)",
      },
    ]);
    expect(runPack(clean.views, { [BUDGET]: { maxCostPerHour: 17 } })).toEqual(out.map((v) => ({ ...v })));
    const run = tierplanCheck(saved, "--policy-config", config(17));
    expect(run.status).toBe(1);
    expect(run.mandatory).toEqual([BUDGET]);
    expect(tierplanCheck(saved, "--policy-config", config(18)).status).toBe(0);
  });

  it("reads the instance type, not the price tags: a bigger node type costs more whatever its tags say", () => {
    const v = copy(clean.views);
    const group = v.find((r) => r.type === "aws:eks/nodeGroup:NodeGroup")!;
    group.props.instanceTypes = ["g5.12xlarge"];
    expect(evaluateStack(v, { [BUDGET]: { maxCostPerHour: 18 } }).map((x) => x.message)).toEqual([
      expect.stringMatching(/^the stack provisions \$22.0404 an hour/),
    ]);
  });
});
