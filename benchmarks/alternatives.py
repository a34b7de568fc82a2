"""Time the five best Gent baseline plans (near-optimal alternatives) against one solve.

Usage (from the repository root, after ``planner data gent --from ../shared/data
--existing-type library=house``):

    .venv/bin/python benchmarks/alternatives.py [--scenario scenarios/gent_alternatives.yaml]
        [--count 5] [--repeat 1]

Reads the inputs, demand and travel times once (as ``planner run`` does, from the cache), then
times in the same process: one solve of the scenario's model (the plain ``planner run``
optimise stage: link cuts, MILP, exact tie-break) and the search for the ``--count`` best
distinct plans on one incremental HiGHS model. Prints a table per plan (objective, distance
from the best, cost, gap, proof, seconds of its solve and of its tie-break), the totals and
their ratio to the single solve, and the load average (``os.getloadavg``) before and after.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import time
from pathlib import Path

from planner.model.alternatives import alternatives_form, solve_alternatives
from planner.optimise import model_instance, solve_scenario
from planner.scenario import load_scenario
from planner.workflows.pipeline import run_stages

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "gent_alternatives.yaml"))
    parser.add_argument("--count", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    scenario = load_scenario(args.scenario)
    objective = scenario.objective
    load_before = os.getloadavg()
    stages = run_stages(scenario, {})
    tables = stages.tables()
    instance = model_instance(scenario, *tables)
    form = alternatives_form(objective.kind, objective.p)
    singles, totals = [], []
    found = None
    for _ in range(args.repeat):
        start = time.perf_counter()
        solve_scenario(scenario, *tables)
        singles.append(time.perf_counter() - start)
        start = time.perf_counter()
        found = solve_alternatives(
            instance,
            form,
            scenario.solver,
            args.count,
            differ=objective.alternatives_differ,
            differ_in=objective.alternatives_differ_in,
        )
        totals.append(time.perf_counter() - start)
    assert found is not None
    load_after = os.getloadavg()
    best = found.solutions[0].objective
    print(
        f"{scenario.name}: {args.count} best plans, {found.differ_in} differ by >= {found.differ}"
    )
    print(
        f"{'plan':>4} {'objective':>12} {'vs best':>9} {'cost EUR':>11} {'houses':>6} "
        f"{'antennes':>8} {'gap':>8} {'proven':>6} {'solve s':>8} {'tie s':>6}"
    )
    for k, solution in enumerate(found.solutions):
        search = found.search_s[k] if found.search_s else found.runtimes_s[k]
        pct = 100 * (solution.objective - best) / abs(best)
        gap = solution.result.gap
        print(
            f"{k + 1:>4} {solution.objective:>12,.2f} {pct:>8.3f}% {solution.cost:>11,.0f} "
            f"{int(solution.house.sum()):>6} {int(solution.antenne.sum()):>8} "
            f"{'-' if gap is None else f'{100 * gap:.3f}%':>8} "
            f"{'yes' if found.proven_next_best[k] else 'NO':>6} {search:>8.2f} "
            f"{found.runtimes_s[k] - search:>6.2f}"
        )
    single, total = statistics.median(singles), statistics.median(totals)
    print(f"single solve (plain run's optimise stage): {single:.2f} s")
    print(
        f"{len(found.solutions)} alternatives in all: {total:.2f} s "
        f"(= {total / single:.1f} x the single solve)"
    )
    print(
        f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} "
        f"({os.cpu_count()} cores)"
    )


if __name__ == "__main__":
    main()
