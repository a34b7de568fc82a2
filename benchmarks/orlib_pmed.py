"""OR-Library pmed1-pmed40: p-median and p-center to their published optima, with proof.

Reads the instances from ``../shared/benchmarks/orlib_pmed`` (never copied into the project),
solves each with :func:`planner.model.pmedian.solve_pmedian` and/or
:func:`planner.model.pcenter.solve_pcenter`, and prints one line per instance and model:
n, p, objective, known optimum, proven bound, seconds, whether optimality is proven and
whether the objective equals the published optimum; then totals. Reading an instance
(shortest paths) is timed apart from solving it.

Examples
--------
    .venv/bin/python benchmarks/orlib_pmed.py                       # both models, all 40, cbc
    .venv/bin/python benchmarks/orlib_pmed.py --solver highs --models pmedian
    .venv/bin/python benchmarks/orlib_pmed.py --instances 1-5,38 --time-limit 60
    .venv/bin/python benchmarks/orlib_pmed.py --solver highs --models pmedian --method benders
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner.data.instances import read_orlib_optima, read_orlib_pmed  # noqa: E402
from planner.model.pcenter import solve_pcenter  # noqa: E402
from planner.model.pmedian import solve_pmedian  # noqa: E402
from planner.scenario import SolverSpec  # noqa: E402

DATA = ROOT.parent / "shared" / "benchmarks" / "orlib_pmed"
MODELS = ("pmedian", "pcenter")
OPTIMA = {"pmedian": "pmedian_opt.txt", "pcenter": "pcenter_opt.txt"}


def parse_instances(text: str) -> list[int]:
    """Parse '1-5,38' into [1, 2, 3, 4, 5, 38]."""
    numbers: list[int] = []
    for part in text.split(","):
        if "-" in part:
            low, high = (int(value) for value in part.split("-"))
            numbers.extend(range(low, high + 1))
        elif part.strip():
            numbers.append(int(part))
    return numbers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS))
    parser.add_argument("--instances", default="1-40", help="e.g. 1-40 or 1,6,38")
    parser.add_argument("--solver", choices=("cbc", "highs"), default="cbc")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--method",
        choices=("auto", "radius", "benders"),
        default="auto",
        help="p-median method (default: solve_pmedian's auto rule)",
    )
    parser.add_argument("--time-limit", type=float, default=300.0, help="seconds per solve")
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"benchmark data not found: {args.data}")
        return 1
    spec = SolverSpec(name=args.solver, time_limit_s=args.time_limit, threads=args.threads)
    optima = {model: read_orlib_optima(args.data / OPTIMA[model]) for model in args.models}
    numbers = parse_instances(args.instances)
    header = (
        f"{'instance':<9}{'model':<9}{'n':>5}{'p':>5}{'objective':>11}{'optimum':>10}"
        f"{'bound':>11}{'time s':>9}  {'proven':<7}{'= opt':<6}{'method':<8}"
    )
    print(
        f"solver {args.solver}, threads {args.threads}, time limit {args.time_limit:g} s, "
        f"p-median method {args.method}"
    )
    print(header)
    print("-" * len(header))
    totals = {model: {"time": 0.0, "proven": 0, "optimum": 0, "runs": 0} for model in args.models}
    read_time = 0.0
    for number in numbers:
        name = f"pmed{number}"
        begin = time.perf_counter()
        instance = read_orlib_pmed(args.data / f"{name}.txt")
        read_time += time.perf_counter() - begin
        for model in args.models:
            begin = time.perf_counter()
            if model == "pmedian":
                solution = solve_pmedian(
                    instance.d, instance.weight, instance.p, solver=spec, method=args.method
                )
            else:
                solution = solve_pcenter(instance.d, instance.p, solver=spec)
            seconds = time.perf_counter() - begin
            known = optima[model].get(name)
            result = solution.result
            matches = known is not None and abs(solution.objective - known) < 0.5
            bound = "-" if result.bound is None else f"{result.bound:.1f}"
            print(
                f"{name:<9}{model:<9}{instance.n:>5}{instance.p:>5}{solution.objective:>11.1f}"
                f"{'-' if known is None else f'{known:.0f}':>10}{bound:>11}{seconds:>9.2f}  "
                f"{'yes' if result.proven_optimal else 'NO':<7}{'yes' if matches else 'NO':<6}"
                f"{result.options.get('method', '-')!s:<8}",
                flush=True,
            )
            total = totals[model]
            total["time"] += seconds
            total["proven"] += int(result.proven_optimal)
            total["optimum"] += int(matches)
            total["runs"] += 1
    print("-" * len(header))
    for model, total in totals.items():
        print(
            f"{model}: {total['runs']} instances, {total['proven']} proven optimal, "
            f"{total['optimum']} at the published optimum, solve time {total['time']:.1f} s"
        )
    print(f"reading instances (all-pairs shortest paths): {read_time:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
