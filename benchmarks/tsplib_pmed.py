"""TSPLIB p-median (rl1304, fl1400, u1432, vm1748): objective, bound, gap and time per instance.

Reads the coordinates and the published optima from ``../shared/benchmarks/tsplib_pmed``
(never copied into the project; distances are Euclidean rounded down), solves each instance
with :func:`planner.model.pmedian.solve_pmedian` (HiGHS, one thread) and prints one line per
instance: n, p, objective, optimum (``*`` when only best-known), bound, gap, seconds, the
method that ran, whether optimality is proven and whether the objective equals the optimum;
then totals. The paper's times (Duran-Mateluna, Ales & Elloumi 2023, CPLEX, one thread) are
printed where the data's README gives them. ``--reference`` also runs the radius method on
the same instances in the same run, as a reference measured under the same load.

Examples
--------
    .venv/bin/python benchmarks/tsplib_pmed.py --instances rl1304 --p 5,10,20 --time-limit 60
    .venv/bin/python benchmarks/tsplib_pmed.py --instances fl1400 --p 200,300 --time-limit 600
    .venv/bin/python benchmarks/tsplib_pmed.py --instances rl1304 --p 100 --reference
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner.data.instances import read_tsplib, read_tsplib_optima  # noqa: E402
from planner.model.pmedian import solve_pmedian  # noqa: E402
from planner.scenario import SolverSpec  # noqa: E402

DATA = ROOT.parent / "shared" / "benchmarks" / "tsplib_pmed"
INSTANCES = ("rl1304", "fl1400", "u1432", "vm1748")
P_VALUES = (5, 10, 20, 50, 100, 200, 300, 400, 500)
# Seconds reported by the paper, as quoted in the data's README (rl1304: 26 s for all nine p).
PAPER_S = {("fl1400", 200): 27.0, ("fl1400", 300): 385.0}
PAPER_TOTAL = {"rl1304": 26.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", default=",".join(INSTANCES), help="e.g. rl1304,fl1400")
    parser.add_argument("--p", default=",".join(map(str, P_VALUES)), help="e.g. 5,10,200")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per solve")
    parser.add_argument("--method", choices=("auto", "radius", "benders"), default="auto")
    parser.add_argument("--reference", action="store_true", help="also run the radius method")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"benchmark data not found: {args.data}")
        return 1
    spec = SolverSpec(name="highs", time_limit_s=args.time_limit, threads=args.threads)
    optima = read_tsplib_optima(args.data / "pmedian_opt.txt")
    methods = [args.method] + (["radius"] if args.reference and args.method != "radius" else [])
    header = (
        f"{'instance':<9}{'n':>5}{'p':>5}{'objective':>11}{'optimum':>11}{'bound':>12}"
        f"{'gap':>9}{'time s':>9}{'paper s':>9}  {'method':<8}{'proven':<7}{'= opt':<6}"
    )
    print(f"HiGHS, threads {args.threads}, time limit {args.time_limit:g} s per instance")
    print(header)
    print("-" * len(header))
    totals = {m: {"time": 0.0, "proven": 0, "optimum": 0, "runs": 0} for m in methods}
    for name in args.instances.split(","):
        instance = read_tsplib(args.data / f"{name}.tsp")
        for p in (int(value) for value in args.p.split(",")):
            known, proven_known = optima.get((name, p), (float("nan"), False))
            for method in methods:
                begin = time.perf_counter()
                solution = solve_pmedian(instance.d, instance.weight, p, solver=spec, method=method)
                seconds = time.perf_counter() - begin
                result = solution.result
                matches = abs(solution.objective - known) < 0.5
                bound = "-" if result.bound is None else f"{result.bound:.0f}"
                gap = "-" if result.gap is None else f"{result.gap:.3%}"
                paper = PAPER_S.get((name, p))
                ran = str(result.options.get("method", "-")).split()[0]
                print(
                    f"{name:<9}{instance.n:>5}{p:>5}{solution.objective:>11.0f}"
                    f"{known:>10.0f}{' ' if proven_known else '*'}{bound:>12}{gap:>9}"
                    f"{seconds:>9.1f}{'-' if paper is None else f'{paper:.0f}':>9}  {ran:<8}"
                    f"{'yes' if result.proven_optimal else 'NO':<7}"
                    f"{'yes' if matches else 'NO':<6}",
                    flush=True,
                )
                total = totals[method]
                total["time"] += seconds
                total["proven"] += int(result.proven_optimal)
                total["optimum"] += int(matches)
                total["runs"] += 1
    print("-" * len(header))
    for method, total in totals.items():
        print(
            f"method {method}: {total['runs']} instances, {total['proven']} proven optimal, "
            f"{total['optimum']} at the published value, solve time {total['time']:.1f} s"
        )
    for name, seconds in PAPER_TOTAL.items():
        print(f"paper: {name} all nine p in about {seconds:.0f} s (CPLEX 20.1, one thread)")
    print("* best-known value, not proven optimal in the paper")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
