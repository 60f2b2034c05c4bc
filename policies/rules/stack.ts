import type { Task } from "../../src/model";
import { planRecordOf, type PlanRecordRead, type PlanRecordView } from "./record";
import type { ResourceView } from "./resources";
import { workloadsOf, type UnreadableWorkload, type Workload } from "./workloads";

/** What every rule reads of a stack: its plan record and its workloads. */
export interface StackView {
  record?: PlanRecordRead;
  /** The record when it is readable. */
  view?: PlanRecordView;
  workloads: Workload[];
  unreadable: UnreadableWorkload[];
}

export function stackOf(resources: readonly ResourceView[]): StackView {
  const record = planRecordOf(resources);
  const view = record?.view;
  return { ...(record && { record }), ...(view && { view }), ...workloadsOf(resources, view) };
}

/** The workloads whose task the record specifies, with that specification. */
export function specified(stack: StackView): Array<Workload & { spec: Task }> {
  const out: Array<Workload & { spec: Task }> = [];
  for (const w of stack.workloads) {
    const spec = stack.view?.tasks.get(w.task);
    if (spec) out.push({ ...w, spec });
  }
  return out;
}

/** How a finding about a pinned task ends: the pin is the operator's, so is the fix. */
export function advice(spec: Task, otherwise: string): string {
  return spec.pin !== undefined ? `; it is pinned there: remove the pin or ${otherwise}` : `; re-plan or ${otherwise}`;
}
