r"""``planner compare`` and ``planner sweep``: several runs at once."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from planner.cli.base import (
    JobsOption,
    SchedulerOption,
    SolverOption,
    TimeLimitOption,
    _language,
    _one_line_errors,
    _parse_sets,
    _pct,
    _progress,
    _run_overrides,
    out,
)


def compare_command(  # noqa: PLR0913, PLR0917 - typer: one parameter per option
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario YAML files to compare.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder of the comparison.")],
    baseline: Annotated[
        Path | None, typer.Option("--baseline", help="Scenario to compare against (today).")
    ] = None,
    lang: Annotated[str, typer.Option(help="Language of comparison.md: nl or en.")] = "nl",
    solver: SolverOption = None,
    time_limit: TimeLimitOption = None,
    sets: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="Override a key in every compared scenario (never the baseline), e.g. "
            "--set budget.amount_eur=2e6.",
        ),
    ] = None,
    offline: Annotated[
        bool,
        typer.Option(
            "--offline",
            help="Every map.html carries Leaflet inline and loads nothing from the web.",
        ),
    ] = False,
    own_standards: Annotated[
        bool,
        typer.Option(
            "--own-standards",
            help="Compare each scenario at its own standards (default: one common standard, "
            "without stricter standards for the neediest).",
        ),
    ] = False,
    baseline_sets: Annotated[
        list[str] | None,
        typer.Option(
            "--baseline-set",
            help="Override a key in the baseline only; its outputs then name the change.",
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Parallel runs on local processes (default: 1)."),
    ] = None,
    scheduler: SchedulerOption = None,
) -> None:
    """Run several scenarios and write them side by side (table, maps, changes vs a baseline)."""
    from planner.workflows.compare import run_comparison, write_comparison  # noqa: PLC0415 - fast --help
    from planner.workflows.executor import make_executor  # noqa: PLC0415

    started = time.perf_counter()
    with _one_line_errors(interrupted_message=True):
        language = _language(lang)
        overrides = _run_overrides(sets, solver, time_limit)
        if offline:  # an outputs key: it reaches the baseline too
            overrides["outputs.offline"] = True

        def progress(done: int, total: int) -> None:
            _progress(f"  plan {done}/{total} done")

        with make_executor(scheduler, jobs or 1) as executor:
            comparison = run_comparison(
                scenarios,
                baseline,
                overrides=overrides,
                baseline_overrides=_parse_sets(baseline_sets),
                common_standard=not own_standards,
                progress=progress,
                executor=executor,
            )
        write_comparison(comparison, out_dir, lang=language)
    for row in comparison.rows:
        mark = " (baseline)" if row["role"] == "baseline" else ""
        if row["overrides"]:
            mark += f" ({row['overrides']})"
        if row.get("yardstick") == "common":
            mark += " (at the common standard, without its stricter standards for the neediest)"
        line = (
            f"{row['folder']}{mark}: {row['houses']} houses, {row['antennes']} antennes, cost EUR "
            f"{row['cost']:,.0f}; families within the house standard "
            f"{_pct(row['coverage_house'])}, the frequent standard "
            f"{_pct(row['coverage_frequent'])}; neediest fifth "
            f"{_pct(row['coverage_house_neediest'])} / {_pct(row['coverage_frequent_neediest'])}"
        )
        if row["house_neediest_pp"] is not None:
            line += (
                f"; vs baseline neediest {row['house_neediest_pp']:+.1f} pp, rest "
                f"{row['house_rest_pp']:+.1f} pp"
            )
        out.print(line, highlight=False)
    out.print(f"  wrote {out_dir} in {time.perf_counter() - started:.1f} s", highlight=False)


def sweep_command(  # noqa: PLR0913, PLR0917 - typer: one parameter per option
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    vary: Annotated[
        list[str],
        typer.Option(
            "--vary",
            help="KEY=LOW:HIGH:STEPS, e.g. budget=5e5:2e6:4 or need.equity_lambda=0:2:3 "
            "(repeat to vary several; every combination runs).",
        ),
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder of the sweep.")],
    jobs: JobsOption = None,
    solver: SolverOption = None,
    time_limit: TimeLimitOption = None,
    sets: Annotated[
        list[str] | None,
        typer.Option(
            "--set", help="Override a key in every variant, e.g. --set rules.min_houses=2."
        ),
    ] = None,
    lang: Annotated[str, typer.Option(help="Language of sweep.png's labels: nl or en.")] = "nl",
    scheduler: SchedulerOption = None,
) -> None:
    """Run a scenario over a range of values; write sweep.csv, robust_sites.csv, sweep.png."""
    from planner.workflows.executor import make_executor  # noqa: PLC0415 - fast --help
    from planner.workflows.sweep import parse_vary, run_sweep, write_sweep  # noqa: PLC0415

    started = time.perf_counter()
    with _one_line_errors(interrupted_message=True):
        language = _language(lang)
        specs = [parse_vary(text) for text in vary]
        overrides = _run_overrides(sets, solver, time_limit)

        def progress(done: int, total: int) -> None:
            _progress(f"  variant {done}/{total} done")

        with make_executor(scheduler, jobs) as executor:
            result = run_sweep(
                scenario, specs, overrides=overrides, progress=progress, executor=executor
            )
        write_sweep(result, out_dir, lang=language)
    ok = [row for row in result.rows if row["error"] is None]
    free = [row["variant"] for row in ok if not row["dominated"]]
    out.print(
        f"{result.scenario}: {len(result.rows)} variants, {len(ok)} with a plan, "
        f"{len(free)} not dominated ({', '.join(free) or 'none'})",
        highlight=False,
    )
    for row in result.rows:
        if row["error"] is not None:
            out.print(f"  {row['variant']}: no plan: {row['error']}", highlight=False)
    out.print(f"  wrote {out_dir} in {time.perf_counter() - started:.1f} s", highlight=False)


def flanders_command(
    source: Annotated[
        Path, typer.Option("--from", help="Folder of the shared data (flanders/, belgium/).")
    ] = Path("data/downloads"),
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path(
        "outputs/flanders"
    ),
    scenario: Annotated[
        Path | None,
        typer.Option("--scenario", help="Template scenario (default scenarios/flanders.yaml)."),
    ] = None,
    budgets: Annotated[
        list[float] | None,
        typer.Option(
            "--budget", help="Budget per municipality in EUR (repeat for several), e.g. 2000000."
        ),
    ] = None,
    only: Annotated[
        str | None,
        typer.Option(
            "--only", help="Codes, a province or arrondissement prefix (44), or a file of codes."
        ),
    ] = None,
    jobs: JobsOption = None,
    scheduler: SchedulerOption = None,
) -> None:
    """Plan every Flemish municipality on its own; write flanders.csv, map.html and each plan."""
    from planner.workflows.executor import make_executor  # noqa: PLC0415 - fast --help
    from planner.workflows.flanders import run_flanders, write_flanders  # noqa: PLC0415

    started = time.perf_counter()
    with _one_line_errors(interrupted_message=True):

        def progress(done: int, total: int) -> None:
            _progress(f"  municipality {done}/{total} done")

        with make_executor(scheduler, jobs) as executor:
            result = run_flanders(
                source,
                template=scenario,
                budgets=tuple(budgets or ()),
                only=only,
                executor=executor,
                progress=progress,
            )
        write_flanders(result, out_dir)
    planned = {row["nis"] for row in result.rows}
    failed = sorted({row["nis"] for row in result.rows if row.get("error")})
    out.print(
        f"{len(planned)} municipalities: {len(planned) - len(failed)} planned"
        + (f", {len(failed)} without a plan (see flanders.csv)" if failed else ""),
        highlight=False,
    )
    for note in result.notes:
        out.print(f"  note: {note}", highlight=False)
    out.print(f"  wrote {out_dir} in {time.perf_counter() - started:.1f} s", highlight=False)
