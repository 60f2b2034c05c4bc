import { covers, instanceType } from "../../src/provision/instanceTypes";
import { label, numeric, record, type ResourceView } from "./resources";
import type { Rule, RuleViolation } from "./rule";
import { specified, stackOf } from "./stack";

/** Each cloud instance's type (from the instance table) gives its task the compute, and its root volume the storage. */
export const instanceFitsTask: Rule<Record<string, never>> = {
  name: "tierplan-instance-fits-task",
  description: "Each EC2 instance tierplan provisions has an instance type whose GPUs cover its task's compute and a root volume that covers its storage.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  defaults: {},
  check(resources: readonly ResourceView[]): RuleViolation[] {
    const out: RuleViolation[] = [];
    for (const w of specified(stackOf(resources))) {
      if (w.what !== "instance") continue;
      const name = typeof w.resource.props.instanceType === "string" ? w.resource.props.instanceType : "";
      const type = instanceType(name);
      if (!type) {
        out.push({ resource: label(w.resource), message: `task '${w.task}': instance type '${name}' is not in tierplan's instance table, so its compute is unknown` });
      } else if (!covers(type, w.spec)) {
        out.push({ resource: label(w.resource), message: `task '${w.task}' needs ${w.spec.compute} TFLOPS; ${name} gives ${type.tflops}` });
      }
      const raw = record(w.resource.props.rootBlockDevice)?.volumeSize;
      const volume = raw === undefined || raw === null ? 0 : numeric(raw);
      if (!Number.isFinite(volume)) {
        out.push({ resource: label(w.resource), message: `task '${w.task}': root volume size '${String(raw)}' is not a number` });
      } else if (volume < w.spec.storage) {
        out.push({ resource: label(w.resource), message: `task '${w.task}' needs ${w.spec.storage} GB of storage; the root volume has ${volume} GB` });
      }
    }
    return out;
  },
};
