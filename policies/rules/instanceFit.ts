import { covers, instanceType } from "../../src/provision/instanceTypes";
import { INSTANCE, label, workloadsOf, type ResourceView, type RuleViolation } from "./resources";
import type { Rule } from "./rule";

/** Each cloud instance's type gives its task the compute, and its root volume the storage. */
export const instanceFitsTask: Rule<Record<string, never>> = {
  name: "tierplan-instance-fits-task",
  description: "Each EC2 instance tierplan provisions has an instance type whose GPUs cover its task's compute and a root volume that covers its storage.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  defaults: {},
  check(resources: readonly ResourceView[]): RuleViolation[] {
    const out: RuleViolation[] = [];
    for (const { resource, facts } of workloadsOf(resources).workloads) {
      if (resource.type !== INSTANCE) continue;
      const name = String(resource.props.instanceType ?? "");
      const type = instanceType(name);
      if (!type) {
        out.push({ resource: label(resource), message: `task '${facts.task}': instance type '${name}' is not in tierplan's instance table, so its compute is unknown` });
      } else if (!covers(type, facts)) {
        out.push({ resource: label(resource), message: `task '${facts.task}' needs ${facts.compute} TFLOPS; ${name} gives ${type.tflops}` });
      }
      const volume = Number(resource.props.rootBlockDevice?.volumeSize ?? 0);
      if (!Number.isFinite(volume)) {
        out.push({ resource: label(resource), message: `task '${facts.task}': root volume size '${resource.props.rootBlockDevice?.volumeSize}' is not a number` });
      } else if (volume < facts.storage) {
        out.push({ resource: label(resource), message: `task '${facts.task}' needs ${facts.storage} GB of storage; the root volume has ${volume} GB` });
      }
    }
    return out;
  },
};
