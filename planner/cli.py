"""The ``planner`` command: a thin layer over the library.

Errors print one line (or one line per problem) on stderr and exit with code 2; an unexpected
failure prints one line and exits with code 3; ``--debug`` shows the traceback instead.
Option precedence, lowest to highest: defaults, the scenario file, ``--set KEY=VALUE``, then the
dedicated options (``--solver``, ``--time-limit``).
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
import yaml
from rich.console import Console
from rich.logging import RichHandler

from planner.errors import PlanCheckError, PlannerError, ScenarioError

if TYPE_CHECKING:
    from collections.abc import Iterator

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
    quiet = False


def _configure_logging(verbose: bool, quiet: bool) -> None:
    level = logging.ERROR if quiet else (logging.INFO if verbose else logging.WARNING)
    handler = RichHandler(console=err, show_time=False, show_path=False, markup=False)
    logging.basicConfig(level=level, handlers=[handler], format="%(message)s", force=True)
    for noisy in ("pyogrio", "fiona", "rasterio", "urllib3", "matplotlib"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every stage.")] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet",
            "-q",
            help="Only errors and the final result lines: no progress lines, no warnings (the "
            "plan's notes still list what the council must know).",
        ),
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Plan Huizen van het Kind and their antennes."""
    _State.debug = debug
    _State.quiet = quiet and not (verbose or debug)
    _configure_logging(verbose or debug, _State.quiet)


def _fail(error: BaseException) -> typer.Exit:
    if _State.debug:
        raise error
    if isinstance(error, PlanCheckError):  # the model disagrees with the check: our bug
        err.print(
            f"[bold red]internal error:[/] {error} (the plan was not written; rerun with "
            "--debug and report it)",
            markup=True,
            highlight=False,
            soft_wrap=True,
        )
        return typer.Exit(EXIT_INTERNAL)
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


@contextmanager
def _one_line_errors(*, interrupted_message: bool = False) -> Iterator[None]:
    """Turn any failure of a command into one line on stderr and its exit code.

    With ``interrupted_message``, Ctrl-C says that earlier outputs are intact (the command
    writes outputs atomically) and exits with 130; without it, the interrupt goes on as it is.
    """
    try:
        yield
    except KeyboardInterrupt:
        if not interrupted_message:
            raise
        err.print("interrupted: earlier outputs are left as they were", highlight=False)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Exception as error:  # noqa: BLE001 - the CLI's last line: one line, never a traceback
        raise _fail(error) from None


# Options shared by run, compare and sweep (they apply to every run of the command).
SolverOption = Annotated[str | None, typer.Option(help="cbc or highs.")]
TimeLimitOption = Annotated[
    float | None, typer.Option("--time-limit", help="Solver time limit in seconds.")
]


def _progress(text: str) -> None:
    """Print a progress line on stderr, unless ``--quiet``."""
    if not _State.quiet:
        err.print(text, highlight=False)


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
    solver: SolverOption = None,
    time_limit: TimeLimitOption = None,
    sets: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a scenario key, e.g. --set budget.amount_eur=5e5."),
    ] = None,
    offline: Annotated[
        bool,
        typer.Option(
            "--offline", help="map.html carries Leaflet inline and loads nothing from the web."
        ),
    ] = False,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Language of the note and static maps: nl or en.")
    ] = None,
) -> None:
    """Run a scenario; write plan.gpkg, map.html, summaries, maps, the note and manifest.json."""
    from planner.report.outputs import write_outputs  # noqa: PLC0415 - keep `--help` fast
    from planner.scenario import load_scenario  # noqa: PLC0415
    from planner.workflows.pipeline import STAGES, run  # noqa: PLC0415

    with _one_line_errors(interrupted_message=True):
        overrides = _run_overrides(sets, solver, time_limit)
        if offline:
            overrides["outputs.offline"] = True
        if lang is not None:
            overrides["outputs.language"] = _language(lang)
        spec = load_scenario(scenario, overrides)
        started = time.perf_counter()
        last: list[tuple[str, float]] = []

        def progress(stage: str) -> None:
            now = time.perf_counter()
            if last:
                name, since = last[-1]
                _progress(f"  done {name} in {now - since:.2f} s")
            last.append((stage, now))
            _progress(f"[{STAGES.index(stage) + 1}/{len(STAGES) + 1}] {stage} ...")

        plan = run(spec, progress=progress)
        progress_done = time.perf_counter()
        if last:
            _progress(f"  done {last[-1][0]} in {progress_done - last[-1][1]:.2f} s")
        target = out_dir or spec.outputs.dir / spec.name
        _progress(f"[{len(STAGES) + 1}/{len(STAGES) + 1}] outputs ...")
        write_outputs(plan, target)
    s = plan.summary
    status = "proven optimal" if s["proven_optimal"] else f"NOT proven optimal ({s['status']}"
    if not s["proven_optimal"]:
        status += f", gap {100 * s['gap']:.2f} %)" if s["gap"] is not None else ", no bound)"
    budget = (
        f"of {s['budget']:,.0f}"
        if plan.scenario.objective.kind == "max_coverage"
        else f"(budget does not apply to {plan.scenario.objective.kind})"
    )
    out.print(
        f"{s['scenario']}: {_count(s['houses'], 'house')} ({s['houses_new']} new), "
        f"{_count(s['antennes'], 'antenne')} ({s['antennes_new']} new), cost EUR "
        f"{s['cost']:,.0f} {budget}",
        highlight=False,
    )
    _print_coverage(s)
    _print_solve(s, status)
    for note in s["notes"]:
        out.print(f"  note: {note}", highlight=False)
    out.print(f"  wrote {target} in {time.perf_counter() - started:.1f} s", highlight=False)


def _print_coverage(summary: dict[str, Any]) -> None:
    """Print the headline shares to the precision their range supports, and the range once."""
    from planner.results.precision import figure_range, supported_decimals  # noqa: PLC0415

    coverage, precision = summary["coverage"], summary.get("precision")

    def shown(name: str) -> str:
        return _pct(coverage[name], supported_decimals(precision, name))

    def spread(name: str) -> str:
        ends = figure_range(precision, name)
        if ends is None:
            return "n/a"
        decimals = supported_decimals(precision, name)
        low, high = (f"{100 * value:.{decimals}f}" for value in ends)
        return f"{low} %" if low == high else f"{low}-{high} %"

    out.print(
        f"  families within the house standard {shown('house')}, within the frequent "
        f"standard {shown('frequent')}; neediest fifth {shown('house_neediest_quintile')} / "
        f"{shown('frequent_neediest_quintile')}",
        highlight=False,
    )
    if precision:
        fixed = ", assignment held fixed" if precision.get("assignment_fixed") else ""
        out.print(
            f"  range with {precision['assumptions']}{fixed}: house {spread('house')}, "
            f"frequent {spread('frequent')}; neediest fifth "
            f"{spread('house_neediest_quintile')} / {spread('frequent_neediest_quintile')}",
            highlight=False,
        )


_FIGURES = {
    "p": "p",
    "weighted_mean_travel_min": "need-weighted mean travel time (min)",
    "families_mean_travel_min": "mean travel time per family (min)",
    "max_travel_min": "longest travel time (min)",
    "families_served_share": "share of families served within capacity",
}


def _print_solve(summary: dict[str, Any], status: str) -> None:
    """Print what the solver proved and the model's own figures."""
    out.print(
        f"  solver {summary['solver']}: {status}; model {summary['model']}, objective "
        f"{_number(summary['objective'])}, bound {_number(summary['bound'])}",
        highlight=False,
    )
    figures = summary.get("model_figures", {})
    shown = [
        f"{label} {_number(figures[key])}" for key, label in _FIGURES.items() if key in figures
    ]
    if shown:
        out.print(f"  {', '.join(shown)}", highlight=False)


def _count(n: int, word: str) -> str:
    """Return ``"1 house"`` or ``"2 houses"``."""
    return f"{n:,} {word if n == 1 else word + 's'}"


def _number(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "n/a"
    if float(value).is_integer() or abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def _pct(share: float | None, decimals: int = 1) -> str:
    return "n/a" if share is None else f"{100 * share:.{decimals}f} %"


@app.command("validate")
def validate_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    sets: Annotated[
        list[str] | None,
        typer.Option(
            "--set", help="Override a scenario key as run does, e.g. --set budget.amount_eur=5e5."
        ),
    ] = None,
) -> None:
    """Check a scenario and all its inputs; report every problem at once."""
    from planner.workflows.pipeline import validate  # noqa: PLC0415

    with _one_line_errors():
        problems = validate(scenario, _parse_sets(sets))
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
    from planner.data.demo import write_demo_city  # noqa: PLC0415

    try:
        paths = write_demo_city(folder, seed=seed)
    except (PlannerError, OSError) as error:
        raise _fail(error) from None
    for role, path in paths.items():
        out.print(f"{role}: {path}", highlight=False)


def _pairs(values: list[str] | None, what: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ScenarioError(f"{what} {item!r}: expected KEY=VALUE, e.g. library=house")
        pairs[key.strip()] = value.strip()
    return pairs


def _ages(text: str) -> tuple[int, int]:
    lo, sep, hi = text.partition("-")
    if not sep or not lo.strip().isdigit() or not hi.strip().isdigit() or int(lo) > int(hi):
        raise ScenarioError(f"--target-ages {text!r}: expected FIRST-LAST in years, e.g. 0-2")
    return int(lo), int(hi)


@app.command("data")
def data_command(  # noqa: PLR0913, PLR0917 - typer: one parameter per option
    municipality: Annotated[str, typer.Argument(help="Municipality name (gent) or NIS code.")],
    source: Annotated[
        Path, typer.Option("--from", help="Folder of downloaded official files.")
    ] = Path("data/downloads"),
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Output folder (default data/statsec/<name>).")
    ] = None,
    nis: Annotated[str | None, typer.Option(help="NIS code when the name is unknown.")] = None,
    files: Annotated[
        list[str] | None,
        typer.Option(
            "--file",
            help="A file for a role instead of the one found, e.g. --file points=my_sites.gpkg "
            "(roles: sectors, population, income, ages, wijk_map, municipal_indicators, raster, "
            "points, existing, network).",
        ),
    ] = None,
    indicators: Annotated[
        list[str] | None,
        typer.Option("--indicator", help="Extra need indicator FILE:COLUMN:DIRECTION[:WEIGHT]."),
    ] = None,
    target_share: Annotated[
        float, typer.Option(help="Target group per inhabitant (under 65) without an age table.")
    ] = 0.04,
    target_ages: Annotated[str, typer.Option(help="Target ages with an age table.")] = "0-2",
    income_imputation: Annotated[
        str, typer.Option(help="Suppressed incomes: neighbours, median or none.")
    ] = "neighbours",
    site_types: Annotated[
        Path | None, typer.Option(help="CSV of site types with eligibility and costs.")
    ] = None,
    existing_types: Annotated[
        list[str] | None,
        typer.Option("--existing-type", help="Mark candidates of a type existing: TYPE=ROLE."),
    ] = None,
    generated: Annotated[
        bool, typer.Option(help="Add a generated candidate per inhabited sector.")
    ] = True,
    on_street: Annotated[
        bool,
        typer.Option(
            "--generated-on-street/--generated-at-point",
            help="Generated candidates on the street (with a network file) or at sector points.",
        ),
    ] = True,
    street_radius: Annotated[
        float, typer.Option(help="Metres around a street vertex in which street is measured.")
    ] = 100.0,
    street_min_length: Annotated[
        float,
        typer.Option(help="Metres of street a vertex needs within --street-radius (no dead ends)."),
    ] = 150.0,
    street_max_outside: Annotated[
        float, typer.Option(help="Metres from the sector point when no vertex inside qualifies.")
    ] = 250.0,
    street_points: Annotated[
        str, typer.Option(help="ends (junctions: network nodes) or vertices (bends too).")
    ] = "ends",
    street_exclude: Annotated[
        list[str] | None,
        typer.Option(
            help="Lines that are no street for a site: COLUMN=VALUE[,VALUE] (default "
            "functional_roadclass=0, motorways); 'none' excludes nothing."
        ),
    ] = None,
    download: Annotated[
        bool, typer.Option(help="Download the official files into --from first.")
    ] = False,
    osm: Annotated[
        bool, typer.Option(help="Download OSM places and streets (Overpass) first.")
    ] = False,
    urls: Annotated[
        list[str] | None, typer.Option("--url", help="Download address ROLE=URL.")
    ] = None,
) -> None:
    """Prepare data/statsec/<municipality>/ (sectors and sites) from official files."""
    from planner.data import prepare  # noqa: PLC0415 - keep `--help` fast
    from planner.data.streets import StreetRule  # noqa: PLC0415 - keep `--help` fast

    with _one_line_errors():
        options = prepare.PrepareOptions(
            target_share=target_share,
            target_ages=_ages(target_ages),
            income_imputation=income_imputation,  # type: ignore[arg-type]
            generated_sites=generated,
            site_types=(
                prepare.read_site_types(site_types)
                if site_types is not None
                else dict(prepare.DEFAULT_SITE_TYPES)
            ),
            existing_types=_pairs(existing_types, "--existing-type"),
            generated_on_street=on_street,
            street_rule=StreetRule(
                street_radius_m=street_radius,
                street_min_length_m=street_min_length,
                street_max_outside_m=street_max_outside,
                street_points=street_points,  # type: ignore[arg-type]
            ),
            street_exclude=prepare.parse_street_exclude(street_exclude),
        )
        result = prepare.prepare_from_folder(
            municipality,
            source,
            out_dir,
            nis=nis,
            files={role: Path(path) for role, path in _pairs(files, "--file").items()},
            indicators=indicators or [],
            options=options,
            downloads=prepare.Downloads(official=download, osm=osm, urls=_pairs(urls, "--url")),
        )
    report = result.report
    out.print(
        f"{result.folder}: {report['sectors']['count']} sectors, "
        f"{report['sectors']['population']:,.0f} inhabitants, target group "
        f"{report['sectors']['target']:,.0f}; {report['sites']['total']} sites "
        f"({', '.join(f'{n} {t}' for t, n in report['sites']['by_type'].items())})",
        highlight=False,
    )
    for join in report["joins"]:
        if join["only_in_sectors"] or join["only_in_table"]:
            out.print(
                f"  {join['what']}: {len(join['only_in_sectors'])} sectors without a row, "
                f"{len(join['only_in_table'])} codes without a sector",
                highlight=False,
            )
    placed = report.get("generated_sites", {})
    if placed.get("placement") == "street":
        out.print(
            f"  generated sites on the street: {placed['moved_to_street']} of {placed['count']} "
            f"(median {placed['moved_m']['median']} m, max {placed['moved_m']['max']} m from "
            f"the sector point; {placed['outside_sector']} outside their sector, "
            f"{placed['at_sector_point']} left at the point)",
            highlight=False,
        )
    for note in report["notes"]:
        out.print(f"  note: {note}", highlight=False)
    out.print(f"  need indicators for a scenario: {report['need_indicators']}", highlight=False)


def _run_overrides(
    sets: list[str] | None, solver: str | None, time_limit: float | None
) -> dict[str, object]:
    overrides = _parse_sets(sets)
    if solver is not None:
        overrides["solver.name"] = solver
    if time_limit is not None:
        overrides["solver.time_limit_s"] = time_limit
    return overrides


def _language(lang: str) -> Literal["nl", "en"]:
    if lang == "nl":
        return "nl"
    if lang == "en":
        return "en"
    raise ScenarioError(f"--lang {lang!r}: expected nl (Dutch, the default) or en (English)")


@app.command("compare")
def compare_command(
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
            "--set", help="Override a key in every scenario, e.g. --set solver.name=highs."
        ),
    ] = None,
) -> None:
    """Run several scenarios and write them side by side (table, maps, changes vs a baseline)."""
    from planner.workflows.compare import run_comparison, write_comparison  # noqa: PLC0415 - fast --help

    started = time.perf_counter()
    with _one_line_errors(interrupted_message=True):
        language = _language(lang)
        overrides = _run_overrides(sets, solver, time_limit)

        def progress(name: str) -> None:
            _progress(f"running {name} ...")

        comparison = run_comparison(scenarios, baseline, overrides=overrides, progress=progress)
        write_comparison(comparison, out_dir, lang=language)
    for row in comparison.rows:
        mark = " (baseline)" if row["role"] == "baseline" else ""
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


@app.command("sweep")
def sweep_command(
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
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", min=1, help="Parallel runs (default: all cores).")
    ] = None,
    solver: SolverOption = None,
    time_limit: TimeLimitOption = None,
    sets: Annotated[
        list[str] | None,
        typer.Option(
            "--set", help="Override a key in every variant, e.g. --set rules.min_houses=2."
        ),
    ] = None,
    lang: Annotated[str, typer.Option(help="Language of sweep.png's labels: nl or en.")] = "nl",
) -> None:
    """Run a scenario over a range of values; write sweep.csv, robust_sites.csv, sweep.png."""
    from planner.workflows.sweep import parse_vary, run_sweep, write_sweep  # noqa: PLC0415 - fast --help

    started = time.perf_counter()
    with _one_line_errors(interrupted_message=True):
        language = _language(lang)
        specs = [parse_vary(text) for text in vary]
        overrides = _run_overrides(sets, solver, time_limit)

        def progress(done: int, total: int) -> None:
            _progress(f"  variant {done}/{total} done")

        result = run_sweep(scenario, specs, overrides=overrides, jobs=jobs, progress=progress)
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
