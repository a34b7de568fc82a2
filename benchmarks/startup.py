"""How quickly the `planner` command starts and runs, as whole processes.

Times, as separate processes (wall clock, median of ``--repeat`` runs):

- ``python -c pass``: the interpreter alone, the reference every ratio is taken against;
- ``planner --help``: the goal is under 0.3 s on this 2-core machine;
- ``planner validate scenarios/demo.yaml``: reads and checks every input, loads no map, note
  or solver library;
- ``planner run scenarios/demo.yaml``: the whole demo, outputs written to a temporary folder.

``--other PATH`` times the same commands from another checkout of planner in the same run (for
example the commit before a change: ``git worktree add /tmp/before <rev>``), so the two are
measured under the same load. The machine's load average is printed with the table.

Usage::

    .venv/bin/python benchmarks/startup.py [--repeat 7] [--other /tmp/before]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _time(command: list[str], cwd: Path, repeat: int) -> float:
    """Median wall-clock seconds of ``command`` run ``repeat`` times (after one warm-up run)."""
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    times = []
    for i in range(repeat + 1):
        begin = time.perf_counter()
        subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)  # noqa: S603
        if i:  # the first run warms the file cache and writes .pyc files
            times.append(time.perf_counter() - begin)
    return statistics.median(times)


def _commands(out: Path) -> dict[str, list[str]]:
    cli = [sys.executable, "-c", "from planner.cli import app; app()"]
    return {
        "python -c pass (reference)": [sys.executable, "-c", "pass"],
        "planner --help": [*cli, "--help"],
        "planner validate demo": [*cli, "--quiet", "validate", "scenarios/demo.yaml"],
        "planner run demo": [*cli, "--quiet", "run", "scenarios/demo.yaml", "--out", str(out)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per command (median)")
    parser.add_argument("--other", type=Path, help="another planner checkout, timed alongside")
    args = parser.parse_args()
    trees = {"this checkout": ROOT}
    if args.other is not None:
        trees[f"other ({args.other})"] = args.other.resolve()
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} on {os.cpu_count()} cores")
    print(f"median of {args.repeat} runs each, wall clock, as separate processes")
    with tempfile.TemporaryDirectory(prefix="planner-startup-") as tmp:
        rows = []
        for label, tree in trees.items():
            times = {
                name: _time(command, tree, args.repeat)
                for name, command in _commands(Path(tmp) / label.split()[0]).items()
            }
            rows.append((label, times))
    names = list(rows[0][1])
    reference = names[0]
    header = f"| command | {' | '.join(label for label, _ in rows)} |"
    print(header)
    print("|" + "---|" * (len(rows) + 1))
    for name in names:
        cells = []
        for _, times in rows:
            ratio = times[name] / times[reference]
            cells.append(f"{times[name]:.3f} s ({ratio:.1f}x)")
        print(f"| {name} | {' | '.join(cells)} |")
    help_s = rows[0][1]["planner --help"]
    verdict = "met" if help_s < 0.3 else "MISSED"
    print(f"goal planner --help < 0.3 s: {verdict} ({help_s:.3f} s)")


if __name__ == "__main__":
    main()
