"""Capacitated p-median benchmark: cpmp01-20 (Osman & Christofides) and SJC1-4b (Lorena & Senne).

Reads ``../shared/benchmarks/capacitated_pmedian`` (never copied into the project) with
:func:`planner.data.instances.read_cpmp` (cpmp: Euclidean distances truncated to integers; SJC:
unrounded), solves each instance with
:func:`planner.model.capacitated.solve_capacitated_pmedian` (heuristic start + strong
single-source MILP) and prints, per instance: n, p, objective, known optimum, best bound, gap,
status and time. The optima are the integer parts published with the instances (see the
benchmarks README); an instance "reaches" its optimum when the integer part of the objective
equals it, and is "proven" when the solver closed the gap.

Usage::

    .venv/bin/python benchmarks/cpmp.py [--solver highs|cbc] [--time-limit 300] [names ...]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planner.data.instances import read_cpmp  # noqa: E402
from planner.errors import PlannerError  # noqa: E402
from planner.model.capacitated import solve_capacitated_pmedian  # noqa: E402
from planner.scenario import SolverSpec  # noqa: E402

DATA = ROOT.parent / "shared" / "benchmarks" / "capacitated_pmedian"

OPTIMA = {
    "cpmp01": 713, "cpmp02": 740, "cpmp03": 751, "cpmp04": 651, "cpmp05": 664,
    "cpmp06": 778, "cpmp07": 787, "cpmp08": 820, "cpmp09": 715, "cpmp10": 829,
    "cpmp11": 1006, "cpmp12": 966, "cpmp13": 1026, "cpmp14": 982, "cpmp15": 1091,
    "cpmp16": 954, "cpmp17": 1034, "cpmp18": 1043, "cpmp19": 1031, "cpmp20": 1005,
    "SJC1": 17288, "SJC2": 33270, "SJC3a": 45335, "SJC3b": 40635, "SJC4a": 61925,
    "SJC4b": 52458,
}  # fmt: skip


def instance_path(name: str) -> Path:
    return DATA / (f"{name}.txt" if name.startswith("cpmp") else f"{name}.dat")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=list(OPTIMA), help="instances to run")
    parser.add_argument("--solver", default="highs", choices=["highs", "cbc"])
    parser.add_argument("--time-limit", type=float, default=300.0, help="seconds per instance")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"the benchmark instances are not in {DATA}: nothing to run")
        return
    header = (
        f"{'instance':<9}{'n':>5}{'p':>4}{'objective':>12}{'optimum':>9}{'bound':>12}"
        f"{'gap %':>8}  {'status':<9}{'proven':<7}{'reached':<8}{'time s':>8}"
    )
    print(f"Capacitated p-median, {args.solver}, time limit {args.time_limit:g} s per instance")
    print(header)
    print("-" * len(header))
    total = 0.0
    reached = proven = 0
    for name in args.names:
        instance = read_cpmp(instance_path(name))
        spec = SolverSpec(name=args.solver, time_limit_s=args.time_limit, mip_gap=0.0)
        started = time.perf_counter()
        try:
            solution = solve_capacitated_pmedian(
                instance.d, instance.demand, instance.capacity, instance.p, solver=spec
            )
        except PlannerError as error:
            seconds = time.perf_counter() - started
            total += seconds
            print(f"{name:<9}{instance.n:>5}{instance.p:>4}  {error}  ({seconds:.1f} s)")
            continue
        seconds = time.perf_counter() - started
        total += seconds
        result = solution.result
        optimum = OPTIMA.get(name)
        hit = optimum is not None and math.floor(solution.objective + 1e-6) == optimum
        reached += hit
        proven += result.proven_optimal
        bound = f"{result.bound:,.2f}" if result.bound is not None else "n/a"
        gap = f"{100 * result.gap:.3f}" if result.gap is not None else "n/a"
        print(
            f"{name:<9}{instance.n:>5}{instance.p:>4}{solution.objective:>12,.2f}"
            f"{optimum if optimum is not None else '?':>9}{bound:>12}{gap:>8}  "
            f"{result.status:<9}{'yes' if result.proven_optimal else 'no':<7}"
            f"{'yes' if hit else 'no':<8}{seconds:>8.1f}"
        )
    print("-" * len(header))
    print(
        f"{len(args.names)} instances: {reached} reached the published optimum, {proven} proven "
        f"optimal; total {total:.1f} s"
    )


if __name__ == "__main__":
    main()
