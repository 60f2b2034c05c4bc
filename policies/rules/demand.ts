import { leq, type Task } from "../../src/model";
import { unitsNeeded } from "../../src/model/machines";
import { EPHEMERAL_STORAGE_RESOURCE, GPU_RESOURCE } from "../../src/plan/facts";
import { fmt } from "../../src/plan/format";
import { egressMbps, type DeploymentView } from "./kubernetes";
import type { PlanRecordView } from "./record";
import type { Workload } from "./workloads";

/** What a workload takes of its environment, in the catalog's units (TFLOPS, GB, Mbps). */
export interface Demand {
  compute: number;
  storage: number;
  bandwidth: number;
}

/** GPU units one pod asks for: the GPU resource, or any other vendor's `<domain>/gpu`. */
export function gpuUnits(view: DeploymentView): number {
  return Object.entries(view.requests).reduce(
    (sum, [name, amount]) => (name === GPU_RESOURCE || name.endsWith("/gpu") ? sum + amount : sum),
    0,
  );
}

/** GB of local disk one pod asks for (decimal GB, as the catalog counts). */
export function storageGb(view: DeploymentView): number {
  return (view.requests[EPHEMERAL_STORAGE_RESOURCE] ?? 0) / 1e9;
}

/**
 * TFLOPS of one GPU unit where the pods land: the machine's unit, the same unit of every machine
 * they may land on, or the record's unit of a tier without machines; undefined when unknown.
 */
export function unitTflopsOf(w: Workload, view: PlanRecordView): number | undefined {
  if (w.machines.length > 0) {
    const units = new Set(w.machines.map((id) => view.machines.get(id)!.machine.unitTflops));
    return units.size === 1 ? [...units][0] : undefined;
  }
  return w.runsOn.length === 1 && w.runsOn[0].kind === "edge" ? view.gpuTflops : undefined;
}

/**
 * A request stands for its task's demand when it is exactly what provisioning makes of that
 * demand (whole GPU units, storage rounded up to the MB, bandwidth to the Mbps); any other request
 * counts as what it asks, and never as less than the task's demand, which the task takes anyway.
 */
function counted(spec: number, requested: number | undefined, roundsTo: number | undefined): number {
  if (requested === undefined) return spec;
  if (roundsTo !== undefined && leq(spec, requested) && leq(requested, roundsTo)) return spec;
  return Math.max(spec, requested);
}

/** GB of local disk one pod takes: its request, read against its task's storage when it has one. */
export function podStorage(d: DeploymentView, spec: Pick<Task, "storage"> | undefined): number {
  return spec ? counted(spec.storage, storageGb(d), Math.ceil(spec.storage * 1000) / 1000) : storageGb(d);
}

/** What one replica of a Deployment takes: its requests read against its task's specification. */
function podDemand(
  w: Workload & { spec: Task },
  view: PlanRecordView,
): Demand & { units: number; unitTflops?: number } {
  const d = w.deployment!;
  const units = gpuUnits(d);
  const unit = unitTflopsOf(w, view);
  const compute =
    unit === undefined
      ? w.spec.compute
      : units === unitsNeeded(w.spec.compute, unit)
        ? w.spec.compute
        : Math.max(w.spec.compute, units * unit);
  return {
    compute,
    storage: podStorage(d, w.spec),
    bandwidth: counted(w.spec.bandwidth, egressMbps(d), Math.ceil(w.spec.bandwidth)),
    units,
    ...(unit !== undefined && { unitTflops: unit }),
  };
}

/** What a workload takes, replicas included, and how it was counted when that is not simply its task's demand. */
export function workloadDemand(w: Workload & { spec: Task }, view: PlanRecordView): { demand: Demand; how?: string } {
  if (!w.deployment)
    return { demand: { compute: w.spec.compute, storage: w.spec.storage, bandwidth: w.spec.bandwidth } };
  const pod = podDemand(w, view);
  const replicas = w.deployment.replicas;
  const demand = {
    compute: pod.compute * replicas,
    storage: pod.storage * replicas,
    bandwidth: pod.bandwidth * replicas,
  };
  const own = pod.compute === w.spec.compute && pod.storage === w.spec.storage && pod.bandwidth === w.spec.bandwidth;
  if (own && replicas === 1) return { demand };
  const request = [
    pod.compute !== w.spec.compute && `${fmt(pod.units)} GPU unit(s) of ${fmt(pod.unitTflops!)} TFLOPS`,
    pod.storage !== w.spec.storage && `${fmt(pod.storage)} GB`,
    pod.bandwidth !== w.spec.bandwidth && `${fmt(pod.bandwidth)} Mbps`,
  ].filter(Boolean);
  return { demand, how: `${replicas} replica(s)${request.length > 0 ? ` requesting ${request.join(", ")} each` : ""}` };
}
