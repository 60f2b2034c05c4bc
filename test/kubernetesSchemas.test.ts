import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { runPreview } from "../src/preview/run";

const load = createRequire(__filename);
const STACKS = ["factory-a", "warehouse-east", "lab"];

/** `kubernetes:apps/v1:Deployment` → the kubernetes-models class that validates it against the API's OpenAPI schema. */
function modelFor(type: string): new (data: object) => { validate(): void } {
  const [, groupVersion, kind] = type.split(":");
  const [group, version] = groupVersion.split("/");
  const path =
    group === "core" ? `kubernetes-models/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`;
  const module = load(path) as Record<string, new (data: object) => { validate(): void }>;
  return module[kind] ?? module.default;
}

describe("every Kubernetes object validates against the Kubernetes API schemas (kubernetes-models)", () => {
  for (const stack of STACKS) {
    it(stack, async () => {
      const result = await runPreview(stack);
      const objects = result.resources.filter((r) => r.type.startsWith("kubernetes:"));
      expect(objects.length).toBeGreaterThan(5);
      for (const object of objects) {
        const Model = modelFor(object.type);
        expect(() => new Model(object.inputs).validate(), `${object.type} ${object.name}`).not.toThrow();
      }
    });
  }

  it("the validator is not vacuous: a broken Deployment fails", async () => {
    const result = await runPreview("factory-a");
    const deployment = structuredClone(
      result.resources.find((r) => r.type === "kubernetes:apps/v1:Deployment")!.inputs,
    ) as any;
    deployment.spec.replicas = "one";
    const Model = modelFor("kubernetes:apps/v1:Deployment");
    expect(() => new Model(deployment).validate()).toThrow();
  });
});
