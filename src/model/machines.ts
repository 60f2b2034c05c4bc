import { machineIds, type MachineSpec } from "../catalog/schema";
import { leq, tolerance } from "./formulas";

/** One machine of an edge tier (docs/contract.md §5): a Kubernetes node with whole GPU units. */
export interface Machine {
  /** `<name>` for a shape of count 1, else `<name>-<k>`: also the node name. */
  id: string;
  /** The catalog shape it comes from. */
  shape: string;
  gpus: number;
  gpuTflops: number;
  gpuSlices: number;
  /** GPU units the machine grants: `gpus * gpuSlices`. */
  units: number;
  /** TFLOPS of one unit (one slice): `gpuTflops / gpuSlices`. */
  unitTflops: number;
  /** GB of local disk. */
  storage: number;
}

/** The machines of a tier in catalog order, each shape's copies numbered from 0. */
export function expandMachines(specs: readonly MachineSpec[]): Machine[] {
  return specs.flatMap((spec) =>
    machineIds(spec).map((id) => ({
      id,
      shape: spec.name,
      gpus: spec.gpus,
      gpuTflops: spec.gpuTflops,
      gpuSlices: spec.gpuSlices,
      units: spec.gpus * spec.gpuSlices,
      unitTflops: spec.gpuTflops / spec.gpuSlices,
      storage: spec.storage,
    })),
  );
}

/**
 * docs/contract.md §5: `ceil(compute / unit)` units, 0 for no compute, with section 2's tolerance: the
 * fewest whole units whose TFLOPS cover the compute, so that 30 TFLOPS on 10-TFLOPS units is 3
 * units even where the division lands on 3.0000000000000004.
 */
export function unitsNeeded(compute: number, unitTflops: number): number {
  if (compute <= 0) return 0;
  const units = Math.max(1, Math.ceil(compute / unitTflops));
  return units > 1 && leq(compute, (units - 1) * unitTflops) ? units - 1 : units;
}

/** True when one task of `units` units and `storage` GB fits an empty machine. */
export function fitsEmptyMachine(machine: Machine, units: number, storage: number): boolean {
  return units <= machine.units && storage <= machine.storage + tolerance(machine.storage);
}
