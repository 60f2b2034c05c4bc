#!/usr/bin/env python3
"""The benchmark's yardstick (issue 13.2): contract §2's lexicographic MILP, solved by a native solver.

Not part of tierplan: `npm run bench` runs it when a solver is installed, to measure `auto` against.

    /usr/bin/python3 bench/reference/lexmilp.py MODEL.json OUT.json --solver scipy|cbc --stage-seconds 60

MODEL.json is written by bench/reference/model.ts from the planner's own `buildInstance`, so the
candidate sets are the planner's: one binary column per (task, environment[, machine]) candidate
that fits in what the pins leave, capacity rows per environment and dimension (and per machine
units and storage), task rows (each task at most once). Stages, as contract §2 orders plans:

  1. for each priority level, highest first: maximise the tasks placed at that level, with every
     higher level's count held at what its stage reached (tasks of lower levels left out);
  2. minimise the total score with every level's count held.

Each stage gets `--stage-seconds` (scipy: wall clock, its only clock; CBC: CPU time) and one
thread, and starts from the plan of the stage before (CBC takes it as a MIP start; scipy 1.10
takes no start). A stage that stops on its limit keeps its best plan, or the previous stage's
when it found none better, and reports its proven bound; later stages rest on its counts.
OUT.json says which stages proved their value.
"""
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

# Bump when a change alters what a stage computes: cached results keyed on an older one are redone.
VERSION = "1"


def load(path):
    with open(path) as f:
        m = json.load(f)
    cols = m["columns"]
    return {
        "levels": m["levels"],
        "colTask": np.array(cols["task"], dtype=np.int64),
        "colPriority": np.array(cols["priority"], dtype=np.int64),
        "colScore": np.array(cols["score"], dtype=np.float64),
        "capRow": np.array(m["capacity"]["row"], dtype=np.int64),
        "capCol": np.array(m["capacity"]["col"], dtype=np.int64),
        "capVal": np.array(m["capacity"]["value"], dtype=np.float64),
        "capRhs": np.array(m["capacity"]["rhs"], dtype=np.float64),
        "pinnedPerLevel": {int(k): v for k, v in m["pinnedPerLevel"].items()},
        "pinnedScore": m["pinnedScore"],
        "raw": m,
    }


def stage_matrix(model, active, count_level, min_placed):
    """Rows and objective of one stage over the active columns (a boolean mask)."""
    from scipy.sparse import coo_matrix

    idx = np.flatnonzero(active)
    remap = -np.ones(len(active), dtype=np.int64)
    remap[idx] = np.arange(len(idx))
    n = len(idx)
    rows, cols, vals, lo, hi = [], [], [], [], []
    r = 0
    # Task rows: each task at most once.
    tasks = model["colTask"][idx]
    uniq, task_row = np.unique(tasks, return_inverse=True)
    rows.append(task_row)
    cols.append(np.arange(n))
    vals.append(np.ones(n))
    lo.append(np.full(len(uniq), -np.inf))
    hi.append(np.ones(len(uniq)))
    r += len(uniq)
    # Capacity rows, on the active columns.
    keep = active[model["capCol"]]
    cap_rows = model["capRow"][keep]
    used, cap_row = np.unique(cap_rows, return_inverse=True)
    rows.append(r + cap_row)
    cols.append(remap[model["capCol"][keep]])
    vals.append(model["capVal"][keep])
    lo.append(np.full(len(used), -np.inf))
    hi.append(model["capRhs"][used])
    r += len(used)
    # Count rows: every level already decided keeps at least its count.
    prio = model["colPriority"][idx]
    first_count_row = r
    # Columns grouped by task, for each task's largest score.
    order = np.argsort(tasks, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(tasks[order]) != 0])
    for level, need in min_placed.items():
        members = np.flatnonzero(prio == level)
        if need <= 0 or len(members) == 0:
            continue
        rows.append(np.full(len(members), r))
        cols.append(members)
        vals.append(np.ones(len(members)))
        lo.append(np.array([need], dtype=np.float64))
        hi.append(np.array([np.inf]))
        r += 1
    # Each count row gets a slack column at a price no plan can recoup, so that placing nothing is
    # feasible (the solvers find plans at once) while every optimum, and every bound, is that of
    # the stage with its counts held: a count stage gains at most one per task of its level, and
    # scores are >= 0, so a score stage saves at most the sum of its tasks' largest scores.
    count_rows = r - first_count_row
    if count_level is None:
        c = model["colScore"][idx].copy()
        price = float(np.sum(np.maximum.reduceat(c[order], starts))) + 1.0 if n > 0 else 1.0
    else:
        c = np.where(prio == count_level, -1.0, 0.0)
        price = float(len(np.unique(tasks[prio == count_level]))) + 1.0
    rows.append(first_count_row + np.arange(count_rows))
    cols.append(n + np.arange(count_rows))
    vals.append(np.ones(count_rows))
    A = coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(r, n + count_rows)).tocsr()
    c = np.concatenate([c, np.full(count_rows, price)])
    return idx, A, np.concatenate(lo), np.concatenate(hi), c, n


def solve_scipy(A, lo, hi, c, nbin, seconds, count_stage, start):
    """scipy's HiGHS: wall-clock limit; scipy 1.10 takes no start, so `start` is unused."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    cpu = time.process_time()
    started = time.perf_counter()
    res = milp(
        c,
        constraints=[LinearConstraint(A, lo, hi)],
        integrality=np.r_[np.ones(nbin), np.zeros(len(c) - nbin)],
        bounds=Bounds(0, np.r_[np.ones(nbin), np.full(len(c) - nbin, np.inf)]),
        options={"time_limit": seconds, "mip_rel_gap": 0.0, "disp": False, "presolve": True},
    )
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    x = None if res.x is None else np.asarray(res.x)[:nbin]
    value = None if x is None else float(c[:nbin] @ np.round(x))
    bound = getattr(res, "mip_dual_bound", None)
    status = {0: "optimal", 1: "limit", 2: "infeasible", 3: "unbounded", 4: "other"}.get(res.status, str(res.status))
    if status == "optimal" and value is not None:
        bound = value if bound is None or math.isnan(bound) else bound
    bound = None if bound is None or math.isnan(bound) else float(bound)
    return x, value, bound, status, elapsed, cpu, int(getattr(res, "mip_node_count", 0) or 0)


def write_lp(path, A, lo, hi, c, nbin):
    """CPLEX LP format (CBC's CoinLpIO): every row has one finite side here; the first nbin columns are binary."""
    A = A.tocsr()
    out = ["Minimize", " obj: " + terms(c, np.arange(len(c)), always=True), "Subject To"]
    for i in range(A.shape[0]):
        cols = A.indices[A.indptr[i] : A.indptr[i + 1]]
        vals = A.data[A.indptr[i] : A.indptr[i + 1]]
        if len(cols) == 0:
            continue
        lhs = terms(vals, cols)
        if np.isfinite(hi[i]):
            out.append(f" r{i}: {lhs} <= {hi[i]!r}")
        if np.isfinite(lo[i]):
            out.append(f" g{i}: {lhs} >= {lo[i]!r}")
    out.append("Binaries")
    for k in range(0, nbin, 20):
        out.append(" " + " ".join(f"x{j}" for j in range(k, min(nbin, k + 20))))
    out.append("End")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def terms(vals, cols, always=False):
    parts = []
    for v, j in zip(vals, cols):
        if v == 0 and not always:
            continue
        parts.append(f"{'+' if v >= 0 else '-'} {abs(float(v))!r} x{j}")
    # Continuation lines keep each line short.
    return "\n ".join(" ".join(parts[k : k + 10]) for k in range(0, len(parts), 10)) or "0 x0"


def solve_cbc(A, lo, hi, c, nbin, seconds, count_stage, start):
    """CBC: CPU-time limit (robust on a loaded machine), started from the previous stage's plan."""
    with tempfile.TemporaryDirectory() as tmp:
        lp = os.path.join(tmp, "stage.lp")
        sol = os.path.join(tmp, "stage.sol")
        write_lp(lp, A, lo, hi, c, nbin)
        args = ["cbc", lp, "-threads", "1", "-timeMode", "cpu", "-seconds", str(seconds), "-ratioGap", "0", "-allowableGap", "0.999" if count_stage else "1e-7"]
        # CBC 2.10.8 aborts (ClpModel::getColumnName) on a MIP start after its preprocessing: off.
        args += ["-preprocess", "off"]
        if start is not None and start.any():
            mipstart = os.path.join(tmp, "stage.start")
            with open(mipstart, "w") as f:
                f.write("Feasible - objective value 0\n")
                for j in np.flatnonzero(start > 0.5):
                    f.write(f" {j} x{j} 1 0\n")
            args += ["-mipstart", mipstart]
        args += ["-solve", "-solution", sol]
        started = time.perf_counter()
        out = subprocess.run(args, capture_output=True, text=True).stdout
        elapsed = time.perf_counter() - started
        status = "other"
        m = re.search(r"Result - (.*)", out)
        if m:
            text = m.group(1)
            status = "optimal" if "Optimal" in text else "limit" if "Stopped" in text else "infeasible" if "infeasible" in text.lower() else text.strip()
        bound = None
        m = re.search(r"Lower bound:\s+(\S+)", out)
        if m:
            bound = float(m.group(1))
        cpu = elapsed
        m = re.search(r"Total time \(CPU seconds\):\s+(\S+)", out)
        if m:
            cpu = float(m.group(1))
        nodes = 0
        m = re.search(r"Enumerated nodes:\s+(\d+)", out)
        if m:
            nodes = int(m.group(1))
        x = None
        if os.path.exists(sol):
            with open(sol) as f:
                first = f.readline()
                # "no integer solution - continuous used": an LP point, not a plan.
                if "objective value" in first and "Infeasible" not in first and "no integer solution" not in first:
                    x = np.zeros(nbin)
                    for line in f:
                        parts = line.split()
                        if len(parts) >= 3 and parts[1].startswith("x") and int(parts[1][1:]) < nbin:
                            x[int(parts[1][1:])] = float(parts[2])
        value = None if x is None else float(c[:nbin] @ np.round(x))
        if status == "optimal" and value is not None:
            bound = value
        return x, value, bound, status, elapsed, cpu, nodes


def main():
    args = sys.argv[1:]
    model_path, out_path = args[0], args[1]
    solver = args[args.index("--solver") + 1] if "--solver" in args else "scipy"
    seconds = float(args[args.index("--stage-seconds") + 1]) if "--stage-seconds" in args else 60.0
    run = solve_scipy if solver == "scipy" else solve_cbc
    model = load(model_path)
    ncols = len(model["colTask"])
    levels = model["levels"]
    stages = []
    min_placed = {}
    # The plan so far (global column indices): feasible for every later stage, so it is the start
    # handed to the solver, and what a stage keeps when it finds nothing better in its time.
    plan = np.zeros(ncols, dtype=bool)
    ceilings = {level: len(np.unique(model["colTask"][model["colPriority"] == level])) for level in levels}

    def holds_counts(chosen):
        prio = model["colPriority"][chosen]
        return all(int(np.sum(prio == level)) >= need for level, need in min_placed.items())

    def run_stage(active, count_level):
        idx, A, lo, hi, c, nbin = stage_matrix(model, active, count_level, min_placed)
        x, value, bound, status, elapsed, cpu, nodes = run(A, lo, hi, c, nbin, seconds, count_level is not None, plan[idx].astype(float))
        kept = False
        start_value = float(c[:nbin] @ plan[idx])
        if x is not None and not holds_counts(idx[np.round(x) > 0.5]):
            # A plan that pays for slack places fewer than the levels above hold: not a plan of this stage.
            x = None
        if x is None or value is None or value > start_value:
            # Nothing (or nothing better) found: the previous stage's plan stands.
            x, value, kept = plan[idx].astype(float), start_value, True
        chosen = np.zeros(ncols, dtype=bool)
        chosen[idx[np.round(x) > 0.5]] = True
        info = {"seconds": round(elapsed, 3), "cpuSeconds": round(cpu, 3), "status": status + (" (previous plan kept)" if kept else ""), "nodes": nodes, "columns": int(len(idx)), "rows": int(A.shape[0])}
        return chosen, value, bound, status, info

    for level in levels:
        pins = model["pinnedPerLevel"].get(level, 0)
        if ceilings[level] == 0:
            min_placed[level] = 0
            stages.append({"kind": "count", "level": level, "value": pins, "bound": pins, "proven": True, "seconds": 0, "cpuSeconds": 0, "status": "no candidates", "nodes": 0})
            continue
        chosen, value, bound, status, info = run_stage(model["colPriority"] >= level, level)
        placed = int(round(-value))
        # Counts are integers: a dual bound below placed + 1 proves the count.
        ceiling = ceilings[level] if bound is None else min(ceilings[level], math.floor(-bound + 1e-6))
        stages.append({"kind": "count", "level": level, "value": placed + pins, "bound": ceiling + pins, "proven": placed >= ceiling, **info})
        min_placed[level] = placed
        plan = chosen
        sys.stderr.write(f"  reference p{level}: {placed + pins} placed (bound {ceiling + pins}, {info['status']}) in {info['seconds']:.1f} s\n")
    chosen, value, bound, status, info = run_stage(np.ones(ncols, dtype=bool), None)
    pinned_score = model["pinnedScore"]
    stages.append({"kind": "score", "value": value + pinned_score, "bound": None if bound is None else bound + pinned_score, "proven": status == "optimal", **info})
    sys.stderr.write(f"  reference score: {value + pinned_score:.3f} (bound {stages[-1]['bound']}, {info['status']}) in {info['seconds']:.1f} s\n")
    if solver == "scipy":
        import scipy

        version = f"scipy {scipy.__version__} (HiGHS)"
    else:
        head = subprocess.run(["cbc", "-quit"], capture_output=True, text=True).stdout
        m = re.search(r"Version:\s*(\S+)", head)
        version = f"CBC {m.group(1) if m else '?'}"
    with open(out_path, "w") as f:
        json.dump({"solver": version, "stageSeconds": seconds, "stages": stages, "columns": [int(j) for j in np.flatnonzero(chosen)]}, f)


if __name__ == "__main__":
    main()
