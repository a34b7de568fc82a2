"""Side by side on OR-Library pmed1-pmed15: spopt's PMedian against planner's p-median.

Both get the same solver (CBC or HiGHS, through PuLP for spopt), the same thread count and
the same time limit. For each instance the script prints the seconds each took (spopt's
includes building its PuLP model, as a user would wait for it), the objective of the plan
each returned (recomputed from the open sites), whether that is the published optimum, what
each said about the plan (spopt: PuLP's status; planner: proven or the gap) and the time
ratio spopt / planner. spopt is optional: ``pip install spopt`` (the ``bench`` extra).

Examples
--------
    .venv/bin/python benchmarks/spopt_compare.py --solver cbc --time-limit 60
    .venv/bin/python benchmarks/spopt_compare.py --solver highs --instances 1-5
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner.data.instances import read_orlib_optima, read_orlib_pmed  # noqa: E402
from planner.model.pmedian import solve_pmedian  # noqa: E402
from planner.scenario import SolverSpec  # noqa: E402

DATA = ROOT.parent / "shared" / "benchmarks" / "orlib_pmed"


def parse_instances(text: str) -> list[int]:
    numbers: list[int] = []
    for part in text.split(","):
        if "-" in part:
            low, high = (int(value) for value in part.split("-"))
            numbers.extend(range(low, high + 1))
        elif part.strip():
            numbers.append(int(part))
    return numbers


def pulp_solver(name: str, time_limit: float, threads: int):
    import pulp  # noqa: PLC0415

    if name == "cbc":
        return pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, threads=threads)
    return pulp.HiGHS(msg=False, timeLimit=time_limit, threads=threads)


def run_spopt(d: np.ndarray, p: int, solver: str, time_limit: float, threads: int):
    """Return (seconds, objective or None, status text) of spopt's PMedian."""
    import pulp  # noqa: PLC0415
    from spopt.locate import PMedian  # noqa: PLC0415

    begin = time.perf_counter()
    try:
        model = PMedian.from_cost_matrix(d, np.ones(d.shape[0]), p_facilities=p)
        model.solve(pulp_solver(solver, time_limit, threads), results=False)
    except Exception as error:  # noqa: BLE001 (report whatever spopt raised)
        return time.perf_counter() - begin, None, f"error: {type(error).__name__}"
    seconds = time.perf_counter() - begin
    status = pulp.LpStatus[model.problem.status]
    chosen = [j for j, var in enumerate(model.fac_vars) if (var.value() or 0.0) > 0.5]
    if len(chosen) != p:
        return seconds, None, f"{status}, {len(chosen)} sites"
    objective = float(d[:, chosen].min(axis=1).sum())
    return seconds, objective, status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", default="1-15")
    parser.add_argument("--solver", choices=("cbc", "highs"), default="cbc")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per solve")
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    try:
        import spopt  # noqa: F401, PLC0415
    except ImportError:
        print("spopt is not installed: pip install spopt (or the project's 'bench' extra)")
        return 1
    if not args.data.is_dir():
        print(f"benchmark data not found: {args.data}")
        return 1
    optima = read_orlib_optima(args.data / "pmedian_opt.txt")
    spec = SolverSpec(name=args.solver, time_limit_s=args.time_limit, threads=args.threads)
    print(f"solver {args.solver}, threads {args.threads}, time limit {args.time_limit:g} s")
    header = (
        f"{'instance':<9}{'n':>5}{'p':>4}{'optimum':>9} | {'spopt s':>8}{'objective':>11}"
        f"  {'status':<22}{'= opt':<6}| {'ours s':>7}{'objective':>11}  {'label':<13}"
        f"{'= opt':<6}| {'ratio':>7}"
    )
    print(header)
    print("-" * len(header))
    totals = {"spopt": 0.0, "ours": 0.0, "spopt_opt": 0, "ours_opt": 0, "mislabelled": 0}
    for number in parse_instances(args.instances):
        name = f"pmed{number}"
        instance = read_orlib_pmed(args.data / f"{name}.txt")
        known = optima[name]
        s_time, s_obj, s_status = run_spopt(
            instance.d, instance.p, args.solver, args.time_limit, args.threads
        )
        begin = time.perf_counter()
        ours = solve_pmedian(instance.d, instance.weight, instance.p, solver=spec)
        o_time = time.perf_counter() - begin
        s_hit = s_obj is not None and abs(s_obj - known) < 0.5
        o_hit = abs(ours.objective - known) < 0.5
        label = (
            "proven"
            if ours.result.proven_optimal
            else f"gap {ours.result.gap:.2%}"
            if ours.result.gap is not None
            else ours.result.status
        )
        if s_status == "Optimal" and not s_hit:
            totals["mislabelled"] += 1
        totals["spopt"] += s_time
        totals["ours"] += o_time
        totals["spopt_opt"] += int(s_hit)
        totals["ours_opt"] += int(o_hit)
        s_text = "-" if s_obj is None else f"{s_obj:.0f}"
        print(
            f"{name:<9}{instance.n:>5}{instance.p:>4}{known:>9.0f} | {s_time:>8.2f}{s_text:>11}"
            f"  {s_status:<22}{'yes' if s_hit else 'NO':<6}| {o_time:>7.2f}"
            f"{ours.objective:>11.0f}  {label:<13}{'yes' if o_hit else 'NO':<6}|"
            f" {s_time / max(o_time, 1e-9):>6.1f}x",
            flush=True,
        )
    print("-" * len(header))
    print(
        f"spopt: {totals['spopt']:.1f} s, {totals['spopt_opt']} at the optimum, "
        f"{totals['mislabelled']} labelled 'Optimal' while not optimal; planner: "
        f"{totals['ours']:.1f} s, {totals['ours_opt']} at the optimum; "
        f"time ratio {totals['spopt'] / max(totals['ours'], 1e-9):.1f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
