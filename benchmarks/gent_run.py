"""Time `planner run` on the Gent baseline from a cold and a warm cache, per stage.

Usage (from the repository root, with ../shared/data beside it):

    .venv/bin/python benchmarks/gent_run.py [--repeat 3] [--scenario scenarios/gent_baseline.yaml]

1. prepares Gent's sectors and sites into a temporary folder (as `planner data gent --from
   ../shared/data --existing-type library=house` does) and times it;
2. runs `planner run` as a separate process with an empty cache folder (cold: network and travel
   matrices are built and stored), then again with the same cache folder (warm: both are read
   from the cache), `--repeat` times each;
3. prints the wall time of each process and the per-stage seconds the run wrote in its
   manifest.json (the median over the repeats).

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


def run_once(scenario: Path, data: Path, out: Path, cache: Path) -> tuple[float, dict[str, float]]:
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
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    if not (SHARED / "gent").is_dir():
        sys.exit(f"the Gent data is not in {SHARED}: nothing to benchmark")
    with tempfile.TemporaryDirectory(prefix="planner-bench-") as tmp:
        work = Path(tmp)
        prepare_s = prepare_gent(work / "gent")
        results: dict[str, list[tuple[float, dict[str, float]]]] = {"cold": [], "warm": []}
        for repeat in range(args.repeat):
            cache = work / f"cache-{repeat}"
            for kind in ("cold", "warm"):
                out = work / f"out-{kind}-{repeat}"
                results[kind].append(run_once(args.scenario, work / "gent", out, cache))
    stages = list(results["cold"][0][1])
    print(f"Gent: {args.scenario.name}, median of {args.repeat} runs (seconds)")
    print(f"prepare (planner data, once): {prepare_s:.2f}")
    print(f"{'stage':<22}{'cold cache':>12}{'warm cache':>12}")
    for stage in stages:
        cold = statistics.median(timings[stage] for _, timings in results["cold"])
        warm = statistics.median(timings[stage] for _, timings in results["warm"])
        print(f"{stage:<22}{cold:>12.3f}{warm:>12.3f}")
    cold_sum = statistics.median(sum(t.values()) for _, t in results["cold"])
    warm_sum = statistics.median(sum(t.values()) for _, t in results["warm"])
    print(f"{'sum of stages':<22}{cold_sum:>12.3f}{warm_sum:>12.3f}")
    cold_wall = statistics.median(wall for wall, _ in results["cold"])
    warm_wall = statistics.median(wall for wall, _ in results["warm"])
    print(f"{'imports, outputs':<22}{cold_wall - cold_sum:>12.3f}{warm_wall - warm_sum:>12.3f}")
    print(f"{'planner run (process)':<22}{cold_wall:>12.3f}{warm_wall:>12.3f}")


if __name__ == "__main__":
    main()
