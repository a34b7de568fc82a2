"""``planner flanders`` at scale: every municipality x budgets, local processes against Dask.

Runs :func:`planner.workflows.flanders.run_flanders` (prepare each municipality from
``../shared/data``, plan it once per budget) twice in the same run, under the same load:

1. on local processes (``LocalExecutor``, ``--workers`` processes), the reference;
2. on a ``dask.distributed`` ``LocalCluster`` of ``--workers`` worker processes on 127.0.0.1.

It prints a table: wall time, municipalities planned and failed, the ratio to the local run and
the peak memory of the whole process tree (this process, the pool or the cluster's workers;
sampled every 0.2 s with psutil), and checks that both runs gave the same rows. The load
average is printed with the table.

Usage::

    .venv/bin/python benchmarks/flanders_command.py [--only 44] [--budget 1e6 --budget 2e6
        --budget 3e6] [--workers 2]
"""

from __future__ import annotations

import argparse
import logging
import os
import threading
import time
from pathlib import Path
from typing import Self

import psutil
from distributed import LocalCluster

from planner.workflows.executor import DaskExecutor, LocalExecutor
from planner.workflows.flanders import run_flanders

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


class PeakMemory:
    """Sample the resident memory of this process and all its descendants."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    continue
            self.peak = max(self.peak, total)
            self._stop.wait(0.2)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=None, help="codes or a prefix (default: all Flanders)")
    parser.add_argument("--budget", type=float, action="append", default=None)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    budgets = tuple(args.budget or (1e6, 2e6, 3e6))
    logging.basicConfig(level=logging.ERROR)
    results = {}
    rows = []
    with PeakMemory() as memory:
        start = time.perf_counter()
        results["local"] = run_flanders(
            SHARED, budgets=budgets, only=args.only, executor=LocalExecutor(args.workers)
        )
        local_s = time.perf_counter() - start
    rows.append(("local processes", local_s, memory.peak, results["local"]))
    with PeakMemory() as memory:
        start = time.perf_counter()
        with (
            LocalCluster(
                n_workers=args.workers,
                threads_per_worker=1,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=logging.ERROR,
            ) as cluster,
            DaskExecutor(cluster.scheduler_address) as executor,
        ):
            results["dask"] = run_flanders(
                SHARED, budgets=budgets, only=args.only, executor=executor
            )
        dask_s = time.perf_counter() - start
    rows.append(("Dask LocalCluster", dask_s, memory.peak, results["dask"]))
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"planner flanders, {len(budgets)} budgets, {args.workers} workers; load average {load}")
    print(
        f"{'executor':<20} {'munic.':>6} {'failed':>6} {'plans':>6} {'wall s':>8} "
        f"{'ratio':>6} {'peak MB':>8}"
    )
    for name, seconds, peak, result in rows:
        municipalities = {row["nis"] for row in result.rows}
        failed = {row["nis"] for row in result.rows if row.get("error")}
        plans = sum(row.get("error") is None for row in result.rows)
        print(
            f"{name:<20} {len(municipalities):>6} {len(failed):>6} {plans:>6} {seconds:>8.1f} "
            f"{seconds / local_s:>6.2f} {peak / 1e6:>8.0f}"
        )
    same = results["local"].rows == results["dask"].rows
    print(f"same rows on both: {same}")
    failures: dict[str, int] = {}
    for row in results["local"].rows:
        if row.get("error"):
            reason = str(row["error"]).split(":")[0]
            failures[reason] = failures.get(reason, 0) + 1
    for reason, count in sorted(failures.items()):
        print(f"  no plan ({reason}): {count} rows")


if __name__ == "__main__":
    main()
