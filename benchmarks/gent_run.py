"""Time `planner run` on the Gent baseline from a cold and a warm cache, per stage.

Usage (from the repository root, with ../shared/data beside it):

    .venv/bin/python benchmarks/gent_run.py [--repeat 3] [--scenario scenarios/gent_baseline.yaml]
        [--points sector network] [--solver cbc highs]

1. prepares Gent's sectors and sites into a temporary folder (as `planner data gent --from
   ../shared/data --existing-type library=house` does) and times it;
2. runs `planner run` as a separate process with an empty cache folder (cold: network and travel
   matrices are built and stored), then again with the same cache folder (warm: both are read
   from the cache), `--repeat` times each;
3. prints the wall time of each process and the per-stage seconds the run wrote in its
   manifest.json (the median over the repeats), for each ``--points`` method (default: one
   point per sector, as before demand points, and the street nodes) and ``--solver``, measured
   in the same run.

Nothing is written to the repository; the cache lives in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from planner.data import prepare

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
PLANNER = Path(sys.executable).with_name("planner")


def prepare_gent(folder: Path) -> float:
    start = time.perf_counter()
    prepare.prepare_from_folder(
        "gent",
        SHARED,
        folder,
        options=prepare.PrepareOptions(existing_types={"library": "house"}),
    )
    return time.perf_counter() - start


def run_once(
    scenario: Path, data: Path, out: Path, cache: Path, points: str, solver: str
) -> tuple[float, dict[str, float]]:
    command = [
        str(PLANNER),
        "--quiet",
        "run",
        str(scenario),
        "--out",
        str(out),
        "--set",
        f"data.sectors={data / 'sectors.gpkg'}",
        "--set",
        f"data.sites={data / 'sites.gpkg'}",
        "--set",
        f"demand.points={points}",
        "--solver",
        solver,
    ]
    env = os.environ | {"PLANNER_CACHE_DIR": str(cache)}
    env.pop("PLANNER_NO_CACHE", None)
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"planner run failed ({done.returncode}):\n{done.stderr}")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return wall, manifest["runtime_s"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "gent_baseline.yaml")
    parser.add_argument("--points", nargs="+", default=["sector", "network"])
    parser.add_argument("--solver", nargs="+", default=["cbc", "highs"])
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    if not (SHARED / "gent").is_dir():
        sys.exit(f"the Gent data is not in {SHARED}: nothing to benchmark")
    variants = [(p, s) for p in args.points for s in args.solver]
    results: dict[tuple[str, str, str], list[tuple[float, dict[str, float]]]] = {}
    with tempfile.TemporaryDirectory(prefix="planner-bench-") as tmp:
        work = Path(tmp)
        prepare_s = prepare_gent(work / "gent")
        for repeat in range(args.repeat):
            for points, solver in variants:
                cache = work / f"cache-{points}-{solver}-{repeat}"
                for kind in ("cold", "warm"):
                    out = work / f"out-{points}-{solver}-{kind}-{repeat}"
                    run = run_once(args.scenario, work / "gent", out, cache, points, solver)
                    results.setdefault((points, solver, kind), []).append(run)
    load = os.getloadavg()
    print(
        f"Gent: {args.scenario.name}, median of {args.repeat} runs (seconds); load average "
        f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} on {os.cpu_count()} cores"
    )
    print(f"prepare (planner data, once): {prepare_s:.2f}")
    columns = [(p, s, k) for p, s in variants for k in ("cold", "warm")]
    print("| stage | " + " | ".join(f"{p}, {s}, {k}" for p, s, k in columns) + " |")
    print("|---|" + "---:|" * len(columns))
    stages = list(results[columns[0]][0][1])
    for stage in stages:
        cells = [statistics.median(t[stage] for _, t in results[c]) for c in columns]
        print(f"| {stage} | " + " | ".join(f"{v:.3f}" for v in cells) + " |")
    sums = [statistics.median(sum(t.values()) for _, t in results[c]) for c in columns]
    walls = [statistics.median(wall for wall, _ in results[c]) for c in columns]
    print("| sum of stages | " + " | ".join(f"{v:.3f}" for v in sums) + " |")
    print(
        "| imports, outputs | "
        + " | ".join(f"{w - s:.3f}" for w, s in zip(walls, sums, strict=True))
        + " |"
    )
    print("| planner run (process) | " + " | ".join(f"{v:.3f}" for v in walls) + " |")
    base = walls[columns.index((variants[0][0], variants[0][1], "warm"))]
    print(
        "warm run against the first variant's warm run: "
        + ", ".join(
            f"{p}/{s} {walls[columns.index((p, s, 'warm'))] / base:.2f}x" for p, s in variants
        )
    )


if __name__ == "__main__":
    main()
