"""Time the phased rollout on Gent beside the single-phase plan, in the same run.

Usage (from the repository root, with ../shared/data beside it):

    .venv/bin/python benchmarks/phases.py [--repeat 1] [--time-limit 120] [--solver highs]

1. prepares Gent's sectors and sites into a temporary folder (as `planner data gent --from
   ../shared/data --existing-type library=house` does);
2. runs `planner run` on `scenarios/gent_baseline.yaml` once to fill an empty cache folder
   (network and travel matrices), then, `--repeat` times, `gent_baseline` (one phase, EUR 3 M)
   and `gent_phases` (three years, EUR 1 M a year) with demand points, each as a separate
   process on the warm cache;
3. prints per scenario the seconds of the optimise stage (from manifest.json: model build,
   link cuts and solve), the solver's status, objective, bound and gap, and the ratio to the
   single-phase solve, with the load average (`uptime`) before and after.

Nothing is written to the repository; the cache lives in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from planner.data import prepare

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
PLANNER = Path(sys.executable).with_name("planner")
SCENARIOS = ("gent_baseline", "gent_phases")


def run_once(
    scenario: str, data: Path, out: Path, cache: Path, solver: str, time_limit: float
) -> tuple[float, dict[str, object]]:
    """Run one scenario as a process; return its optimise seconds and its summary."""
    command = [
        str(PLANNER),
        "--quiet",
        "run",
        str(ROOT / "scenarios" / f"{scenario}.yaml"),
        "--out",
        str(out),
        "--set",
        f"data.sectors={data / 'sectors.gpkg'}",
        "--set",
        f"data.sites={data / 'sites.gpkg'}",
        "--set",
        f"solver.time_limit_s={time_limit}",
        "--solver",
        solver,
    ]
    env = os.environ | {"PLANNER_CACHE_DIR": str(cache)}
    env.pop("PLANNER_NO_CACHE", None)
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        sys.exit(f"planner run {scenario} failed ({done.returncode}):\n{done.stderr}")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return float(manifest["runtime_s"]["optimise"]), summary


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} cores"


def main() -> None:
    """Prepare Gent, warm the cache, run both scenarios and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--solver", default="highs")
    args = parser.parse_args()
    if not (SHARED / "gent").is_dir():
        sys.exit(f"the Gent data is not in {SHARED}: nothing to benchmark")
    results: dict[str, list[tuple[float, dict[str, object]]]] = {}
    with tempfile.TemporaryDirectory(prefix="planner-phases-") as tmp:
        work = Path(tmp)
        prepare.prepare_from_folder(
            "gent",
            SHARED,
            work / "gent",
            options=prepare.PrepareOptions(existing_types={"library": "house"}),
        )
        cache = work / "cache"
        run_once("gent_baseline", work / "gent", work / "warm", cache, args.solver, 60.0)
        before = _load()
        for repeat in range(args.repeat):
            for scenario in SCENARIOS:
                out = work / f"{scenario}-{repeat}"
                run = run_once(scenario, work / "gent", out, cache, args.solver, args.time_limit)
                results.setdefault(scenario, []).append(run)
        after = _load()
    print(
        f"Gent with demand points, {args.solver}, time limit {args.time_limit:g} s, median of "
        f"{args.repeat} (seconds of the optimise stage); load average {before} before, "
        f"{after} after"
    )
    print("| scenario | phases | optimise s | ratio | status | objective | bound | gap |")
    print("|---|---:|---:|---:|---|---:|---:|---:|")
    reference = statistics.median(s for s, _ in results["gent_baseline"])
    for scenario in SCENARIOS:
        seconds = statistics.median(s for s, _ in results[scenario])
        summary = results[scenario][-1][1]
        phases = summary.get("phases")
        n = len(phases["years"]) if isinstance(phases, dict) else 1
        gap = summary.get("gap")
        print(
            f"| {scenario} | {n} | {seconds:.2f} | {seconds / reference:.1f} | "
            f"{summary['status']} | {summary['objective']:,.1f} | {summary['bound']:,.1f} | "
            f"{'-' if gap is None else f'{100 * float(gap):.2f} %'} |"
        )


if __name__ == "__main__":
    main()
