"""The ``planner`` command: a thin layer over the library.

Errors print one line (or one line per problem) on stderr and exit with code 2; an unexpected
failure prints one line and exits with code 3; ``--debug`` shows the traceback instead.
Option precedence, lowest to highest: defaults, the scenario file, ``--set KEY=VALUE``, then the
dedicated options (``--solver``, ``--time-limit``).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.console import Console
from rich.logging import RichHandler

from planner.errors import PlannerError, ScenarioError
from planner.scenario import load_scenario

__all__ = ["app"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Plan Huizen van het Kind and their antennes from statistical-sector data.",
)
err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)

EXIT_INPUT = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130


class _State:
    debug = False


def _configure_logging(verbose: bool, quiet: bool) -> None:
    level = logging.ERROR if quiet else (logging.INFO if verbose else logging.WARNING)
    handler = RichHandler(console=err, show_time=False, show_path=False, markup=False)
    logging.basicConfig(level=level, handlers=[handler], format="%(message)s", force=True)
    for noisy in ("pyogrio", "fiona", "rasterio", "urllib3", "matplotlib"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every stage.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only errors.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Plan Huizen van het Kind and their antennes."""
    _State.debug = debug
    _configure_logging(verbose or debug, quiet)


def _fail(error: BaseException) -> typer.Exit:
    if _State.debug:
        raise error
    if isinstance(error, PlannerError):
        err.print(f"[bold red]error:[/] {error}", markup=True, highlight=False, soft_wrap=True)
        return typer.Exit(EXIT_INPUT)
    err.print(
        f"[bold red]internal error:[/] {type(error).__name__}: {error} "
        "(rerun with --debug for the traceback and report it)",
        markup=True,
        highlight=False,
        soft_wrap=True,
    )
    return typer.Exit(EXIT_INTERNAL)


def _parse_sets(values: list[str] | None) -> dict[str, object]:
    overrides: dict[str, object] = {}
    for item in values or []:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ScenarioError(
                f"--set {item!r}: expected KEY=VALUE with a dotted key, e.g. budget.amount_eur=5e5"
            )
        overrides[key.strip()] = yaml.safe_load(raw) if raw.strip() else raw
    return overrides


@app.command("run")
def run_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Output folder (default outputs/<scenario name>).")
    ] = None,
    solver: Annotated[str | None, typer.Option(help="cbc or highs.")] = None,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Solver time limit in seconds.")
    ] = None,
    sets: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a scenario key, e.g. --set budget.amount_eur=5e5."),
    ] = None,
) -> None:
    """Run a scenario and write plan.gpkg, map.html, summary.json and manifest.json."""
    from planner.outputs import write_outputs  # noqa: PLC0415 - keep `--help` fast
    from planner.pipeline import STAGES, run  # noqa: PLC0415

    try:
        overrides = _parse_sets(sets)
        if solver is not None:
            overrides["solver.name"] = solver
        if time_limit is not None:
            overrides["solver.time_limit_s"] = time_limit
        spec = load_scenario(scenario, overrides)
        started = time.perf_counter()
        last: list[tuple[str, float]] = []

        def progress(stage: str) -> None:
            now = time.perf_counter()
            if last:
                name, since = last[-1]
                err.print(f"  done {name} in {now - since:.2f} s", highlight=False)
            last.append((stage, now))
            err.print(f"[{STAGES.index(stage) + 1}/{len(STAGES) + 1}] {stage} ...", highlight=False)

        plan = run(spec, progress=progress)
        progress_done = time.perf_counter()
        if last:
            err.print(
                f"  done {last[-1][0]} in {progress_done - last[-1][1]:.2f} s", highlight=False
            )
        target = out_dir or spec.outputs.dir / spec.name
        err.print(f"[{len(STAGES) + 1}/{len(STAGES) + 1}] outputs ...", highlight=False)
        write_outputs(plan, target)
    except KeyboardInterrupt:
        err.print("interrupted: earlier outputs are left as they were", highlight=False)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Exception as error:  # noqa: BLE001 - the CLI's last line: one line, never a traceback
        raise _fail(error) from None
    s = plan.summary
    coverage = s["coverage"]
    status = "proven optimal" if s["proven_optimal"] else f"NOT proven optimal ({s['status']}"
    if not s["proven_optimal"]:
        status += f", gap {100 * s['gap']:.2f} %)" if s["gap"] is not None else ", no bound)"
    out.print(
        f"{s['scenario']}: {s['houses']} houses ({s['houses_new']} new), {s['antennes']} antennes "
        f"({s['antennes_new']} new), cost EUR {s['cost']:,.0f} of {s['budget']:,.0f}",
        highlight=False,
    )
    out.print(
        f"  families within the house standard {_pct(coverage['house'])}, within the frequent "
        f"standard {_pct(coverage['frequent'])}; neediest fifth "
        f"{_pct(coverage['house_neediest_quintile'])} / "
        f"{_pct(coverage['frequent_neediest_quintile'])}",
        highlight=False,
    )
    out.print(f"  solver {s['solver']}: {status}", highlight=False)
    for note in s["notes"]:
        out.print(f"  note: {note}", highlight=False)
    out.print(f"  wrote {target} in {time.perf_counter() - started:.1f} s", highlight=False)


def _pct(share: float | None) -> str:
    return "n/a" if share is None else f"{100 * share:.1f} %"


@app.command("validate")
def validate_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
) -> None:
    """Check a scenario and all its inputs; report every problem at once."""
    from planner.pipeline import validate  # noqa: PLC0415

    try:
        problems = validate(scenario)
    except Exception as error:  # noqa: BLE001 - the CLI's last line: one line, never a traceback
        raise _fail(error) from None
    if problems:
        err.print(f"[bold red]{len(problems)} problem(s) in {scenario}:[/]", markup=True)
        for problem in problems:
            err.print(f"  - {problem}", highlight=False, soft_wrap=True, markup=False)
        raise typer.Exit(EXIT_INPUT)
    out.print(f"{scenario}: OK, ready to run", highlight=False)


@app.command("demo")
def demo_command(
    folder: Annotated[Path, typer.Argument(help="Where to write the demo city.")] = Path(
        "data/statsec/demo"
    ),
    seed: Annotated[int, typer.Option(help="Random seed.")] = 2013,
) -> None:
    """(Re)generate the built-in demo city (deterministic for a given seed)."""
    from planner.demo import write_demo_city  # noqa: PLC0415

    try:
        paths = write_demo_city(folder, seed=seed)
    except (PlannerError, OSError) as error:
        raise _fail(error) from None
    for role, path in paths.items():
        out.print(f"{role}: {path}", highlight=False)
