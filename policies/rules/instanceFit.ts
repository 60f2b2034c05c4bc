import type { Task } from "../../src/model";
import { fmt } from "../../src/plan/format";
import { fitOn } from "../../src/plan/cloudPacking";
import { covers, instanceType, MAX_ROOT_VOLUME_GB } from "../../src/model/instanceTypes";
import { label, numeric, record, type ResourceView } from "./resources";
import type { Rule, RuleViolation } from "./rule";
import { specified, stackOf } from "./stack";
import type { Workload } from "./workloads";

/**
 * Each cloud instance's type (from the instance table) gives its task the compute, and its root
 * volume the storage; an instance shared by several tasks (cloud packing) holds them together, by
 * the packing's rules of what a task takes of a host (whole GPUs, vCPUs and memory), with the
 * storage of all of them on its root volume.
 */
export const instanceFitsTask: Rule<Record<string, never>> = {
  name: "tierplan-instance-fits-task",
  description:
    "Each EC2 instance tierplan provisions has an instance type whose GPUs cover its tasks' compute (together, on a shared host) and a root volume that covers their storage.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  defaults: {},
  check(resources: readonly ResourceView[]): RuleViolation[] {
    const byInstance = new Map<ResourceView, Array<Workload & { spec: Task }>>();
    for (const w of specified(stackOf(resources))) {
      if (w.what === "instance") byInstance.set(w.resource, [...(byInstance.get(w.resource) ?? []), w]);
    }
    const out: RuleViolation[] = [];
    for (const [resource, tasks] of byInstance) {
      const at = label(resource);
      const name = typeof resource.props.instanceType === "string" ? resource.props.instanceType : "";
      const type = instanceType(name);
      const who =
        tasks.length === 1
          ? `task '${tasks[0].task}'`
          : `host of ${tasks.length} tasks (${tasks.map((t) => t.task).join(", ")})`;
      if (!type) {
        out.push({
          resource: at,
          message: `${who}: instance type '${name}' is not in tierplan's instance table, so its compute is unknown`,
        });
      } else if (tasks.length === 1) {
        if (!covers(type, tasks[0].spec))
          out.push({
            resource: at,
            message: `task '${tasks[0].task}' needs ${tasks[0].spec.compute} TFLOPS; ${name} gives ${type.tflops}`,
          });
      } else if (
        !fitOn(
          type,
          tasks.map((t) => ({ task: t.task, tier: "", priority: 0, compute: t.spec.compute, storage: t.spec.storage })),
          tasks.length,
        )
      ) {
        out.push({
          resource: at,
          message: `${who}: one ${name} (${type.gpus} GPU(s), ${type.tflops} TFLOPS, ${type.vcpus} vCPUs) cannot hold them together (${tasks.map((t) => `${fmt(t.spec.compute)} TFLOPS`).join(", ")}; GPU tasks take whole GPUs)`,
        });
      }
      const storage = tasks.reduce((sum, t) => sum + t.spec.storage, 0);
      const raw = record(resource.props.rootBlockDevice)?.volumeSize;
      const volume = raw === undefined || raw === null ? 0 : numeric(raw);
      if (!Number.isFinite(volume)) {
        out.push({ resource: at, message: `${who}: root volume size '${String(raw)}' is not a number` });
      } else if (volume < storage) {
        out.push({
          resource: at,
          message: `${who} ${tasks.length === 1 ? "needs" : "need"} ${fmt(storage)} GB of storage; the root volume has ${volume} GB${storage > MAX_ROOT_VOLUME_GB ? ` (an EBS root volume holds at most ${MAX_ROOT_VOLUME_GB})` : ""}`,
        });
      }
    }
    return out;
  },
};
