import { leq } from "../../src/model";
import { unitsNeeded } from "../../src/model/machines";
import { GPU_RESOURCE } from "../../src/plan/facts";
import { fmt } from "../../src/plan/format";
import { gpuUnits, podStorage, storageGb, unitTflopsOf } from "./demand";
import { deploymentOf, quotaOf } from "./kubernetes";
import { DEPLOYMENT, label, RESOURCE_QUOTA, type ResourceView } from "./resources";
import type { Rule, RuleViolation } from "./rule";
import { stackOf } from "./stack";
import { foreignPodsOnMachines } from "./workloads";

/**
 * The pods can run as planned, judged from the Deployments themselves: Kubernetes accepts their
 * GPU requests, each gets the GPU units and disk its task needs, every pod fits the machine its
 * required node affinity (or nodeName) puts it on, and all pods on a machine fit it together
 * (docs/contract.md §5: units = gpus × gpuSlices, storage in GB, from the plan record's machines); and
 * the pods of a namespace stay within its ResourceQuotas, which Kubernetes enforces at admission.
 */
export const schedulable: Rule<Record<string, never>> = {
  name: "tierplan-schedulable",
  description:
    "Every pod requests the GPU units and storage its task needs, fits the machine it is steered to, the pods on each machine fit it together, and the pods of a namespace stay within its ResourceQuota.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  defaults: {},
  check(resources: readonly ResourceView[]): RuleViolation[] {
    const stack = stackOf(resources);
    const view = stack.view;
    if (!view) return [];
    const out: RuleViolation[] = [];
    const onMachine = new Map<string, { units: number; storage: number; pods: string[]; oversized: boolean }>();
    const place = (machine: string, pods: number, units: number, storage: number, what: string) => {
      const sum = onMachine.get(machine) ?? { units: 0, storage: 0, pods: [], oversized: false };
      sum.units += pods * units;
      sum.storage += pods * storage;
      sum.pods.push(`${what} (${pods} × ${fmt(units)} unit(s), ${fmt(storage)} GB)`);
      onMachine.set(machine, sum);
      return sum;
    };

    for (const w of stack.workloads) {
      const d = w.deployment;
      if (!d) continue;
      const at = label(w.resource);
      if (d.rejections.length > 0) {
        out.push({ resource: at, message: `task '${w.task}': its pods are never created: ${d.rejections.join("; ")}` });
        continue;
      }
      if (d.problems.length > 0) continue; // unreadable: capacity-within-usable reports it
      const spec = view.tasks.get(w.task);
      const units = gpuUnits(d);
      const storage = podStorage(d, spec);
      if (spec) {
        const unit = unitTflopsOf(w, view);
        const need = unit === undefined ? undefined : unitsNeeded(spec.compute, unit);
        if (need !== undefined && units < need) {
          out.push({
            resource: at,
            message: `task '${w.task}' needs ${need} ${GPU_RESOURCE} unit(s) of ${fmt(unit!)} TFLOPS for its ${fmt(spec.compute)} TFLOPS; its pods request ${fmt(units)}`,
          });
        }
        if (!leq(spec.storage, storageGb(d))) {
          out.push({
            resource: at,
            message: `task '${w.task}' needs ${fmt(spec.storage)} GB of local disk; its pods request ${fmt(storageGb(d))} GB of ephemeral-storage, so the scheduler may put them where that much is not free`,
          });
        }
      }
      if (w.machines.length === 0 || d.replicas === 0) continue;
      const fits = (id: string) => {
        const m = view.machines.get(id)!.machine;
        return units <= m.units && leq(storage, m.storage);
      };
      if (w.machines.length === 1) {
        const id = w.machines[0];
        const m = view.machines.get(id)!;
        const sum = place(id, d.replicas, units, storage, w.task);
        if (!fits(id)) {
          sum.oversized = true;
          out.push({
            resource: at,
            message: `a pod of task '${w.task}' needs ${fmt(units)} GPU unit(s) and ${fmt(storage)} GB; machine ${id} (${m.tier}) has ${m.machine.units} and ${fmt(m.machine.storage)} GB: it stays Pending`,
          });
        }
      } else if (!w.machines.some(fits)) {
        // Not steered to one machine (placement-matches-plan reports that); still, none of them could hold it.
        out.push({
          resource: at,
          message: `a pod of task '${w.task}' needs ${fmt(units)} GPU unit(s) and ${fmt(storage)} GB; none of the machines it may land on (${w.machines.join(", ")}) has that much: it stays Pending`,
        });
      }
    }
    for (const { deployment, machine } of foreignPodsOnMachines(resources, view)) {
      if (deployment.problems.length > 0 || deployment.rejections.length > 0) continue;
      place(
        machine,
        deployment.replicas,
        gpuUnits(deployment),
        storageGb(deployment),
        `${label(deployment.resource)}, not tierplan's`,
      );
    }

    out.push(...quotaFindings(resources));

    for (const [id, sum] of onMachine) {
      if (sum.oversized) continue;
      const { tier, machine } = view.machines.get(id)!;
      const pods =
        sum.pods.length <= 5
          ? sum.pods.join(", ")
          : `${sum.pods.slice(0, 5).join(", ")}, … (${sum.pods.length - 5} more)`;
      if (sum.units > machine.units)
        out.push({
          message: `machine ${id} (${tier}): its pods need ${fmt(sum.units)} GPU units together, it has ${machine.units}: ${pods}`,
        });
      if (!leq(sum.storage, machine.storage))
        out.push({
          message: `machine ${id} (${tier}): its pods need ${fmt(sum.storage)} GB of disk together, it has ${fmt(machine.storage)}: ${pods}`,
        });
    }
    return out;
  },
};

/** Quota keys that count objects, not what pods request. */
const OBJECT_COUNTS =
  /^(count\/|services|secrets|configmaps|persistentvolumeclaims|replicationcontrollers|resourcequotas)/;

/** What the pods of each quota's namespace request together beyond its hard limits (all Deployments, tierplan's or not). */
function quotaFindings(resources: readonly ResourceView[]): RuleViolation[] {
  const deployments = resources.filter((r) => r.type === DEPLOYMENT).map(deploymentOf);
  const out: RuleViolation[] = [];
  for (const quota of resources.filter((r) => r.type === RESOURCE_QUOTA).map(quotaOf)) {
    if (quota.scoped || quota.namespace === undefined) continue;
    const pods = deployments.filter((d) => d.namespace === quota.namespace && d.problems.length === 0);
    for (const [name, hard] of Object.entries(quota.hard)) {
      if (OBJECT_COUNTS.test(name) || name.startsWith("limits.")) continue;
      const asked = pods.reduce((sum, d) => sum + d.replicas * (name === "pods" ? 1 : (d.requests[name] ?? 0)), 0);
      if (leq(asked, hard)) continue;
      const storage = name === "ephemeral-storage";
      const amount = (x: number) => (storage ? `${fmt(x / 1e9)} GB` : fmt(x));
      const what =
        name === "pods" ? `it runs ${fmt(asked)} pods` : `its pods request ${amount(asked)} of ${name} together`;
      out.push({
        resource: label(quota.resource),
        message: `namespace ${quota.namespace}: ${what}; its ResourceQuota admits ${amount(hard)}, so Kubernetes refuses the pods beyond it`,
      });
    }
  }
  return out;
}
