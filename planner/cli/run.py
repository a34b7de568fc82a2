r"""``planner run``, ``planner validate`` and ``planner demo``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from planner.cli.base import (
    EXIT_INPUT,
    SolverOption,
    TimeLimitOption,
    _count,
    _fail,
    _language,
    _number,
    _one_line_errors,
    _pct,
    _progress,
    _run_overrides,
    err,
    out,
)
from planner.errors import PlannerError, ScenarioError

if TYPE_CHECKING:
    from collections.abc import Callable

    from planner.results.plan import Plan
    from planner.scenario import Scenario


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
    alternatives: Annotated[
        int | None,
        typer.Option(
            "--alternatives",
            help="The K best plans that differ in at least one house (objective.alternatives).",
        ),
    ] = None,
) -> None:
    """Run a scenario; write plan.gpkg, map.html, summaries, maps, the note and manifest.json."""
    from planner.scenario import folder_name, load_scenario  # noqa: PLC0415 - fast `--help`
    from planner.workflows.pipeline import STAGES  # noqa: PLC0415

    with _one_line_errors(interrupted_message=True):
        overrides = _run_overrides(sets, solver, time_limit)
        if offline:
            overrides["outputs.offline"] = True
        if lang is not None:
            overrides["outputs.language"] = _language(lang)
        if alternatives is not None:
            overrides["objective.alternatives"] = _alternatives(alternatives)
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

        plan, write = _plan_of(spec, progress)
        progress_done = time.perf_counter()
        if last:
            _progress(f"  done {last[-1][0]} in {progress_done - last[-1][1]:.2f} s")
        target = out_dir or spec.outputs.dir / folder_name(spec)
        _progress(f"[{len(STAGES) + 1}/{len(STAGES) + 1}] outputs ...")
        write(target)
    s = plan.summary
    status = "proven optimal" if s["proven_optimal"] else f"NOT proven optimal ({s['status']}"
    if not s["proven_optimal"]:
        status += f", gap {100 * s['gap']:.2f} %)" if s["gap"] is not None else ", no bound)"
    kind = plan.scenario.objective.kind
    costs = s.get("costs") or {}
    budget = (
        f"one-off, yearly {costs['yearly_eur']:,.0f}; the budget counts {costs['basis']} "
        f"{costs['budget_counts_eur']:,.0f} of {s['budget']:,.0f}"
        if costs and costs["basis"] != "investment"
        else f"of {s['budget']:,.0f}"
        if kind in {"max_coverage", "max_attendance"}
        else f"(the budget of {s['budget']:,.0f} caps it)"
        if kind == "min_cost_targets"
        else f"(budget does not apply to {kind})"
    )
    out.print(
        f"{plan.scenario.label()}: {_count(s['houses'], 'house')} ({s['houses_new']} new), "
        f"{_count(s['antennes'], 'antenne')} ({s['antennes_new']} new), cost EUR "
        f"{s['cost']:,.0f} {budget}",
        highlight=False,
    )
    _print_coverage(s)
    _print_solve(s, status)
    for note in s["notes"]:
        out.print(f"  note: {note}", highlight=False)
    if "alternatives" in s:
        _print_alternatives(s["alternatives"])
    out.print(f"  wrote {target} in {time.perf_counter() - started:.1f} s", highlight=False)


def _plan_of(
    spec: Scenario, progress: Callable[[str], None]
) -> tuple[Plan, Callable[[Path], object]]:
    """Run the scenario (its alternatives, when it asks for more than one plan)."""
    if spec.objective.alternatives > 1:
        from planner.workflows.alternatives import (  # noqa: PLC0415
            run_alternatives,
            write_alternatives,
        )

        found = run_alternatives(spec, progress=progress)
        return found.best, lambda target: write_alternatives(found, target)
    from planner.report.outputs import write_outputs  # noqa: PLC0415
    from planner.workflows.pipeline import run  # noqa: PLC0415

    plan = run(spec, progress=progress)
    return plan, lambda target: write_outputs(plan, target)


def _alternatives(count: int) -> int:
    """Check ``--alternatives K``: a whole number of plans, at least 1."""
    if count < 1:
        raise ScenarioError(
            f"--alternatives {count}: expected the number of plans to return, at least 1 "
            "(1: the best plan only)"
        )
    return count


def _print_alternatives(block: dict[str, Any]) -> None:
    """Print one line per alternative: objective, distance from the best, cost, sites."""
    found, asked = block["found"], block["requested"]
    what = "house" if block["differ_in"] == "houses" else "site"
    head = f"  {found} alternatives (each differs from every better one in >= {block['differ']}"
    head += f" {what}{'s' if block['differ'] != 1 else ''})"
    if block["exhausted"]:
        head += f": only {found} distinct {'plan exists' if found == 1 else 'plans exist'}, "
        head += f"{asked} asked for"
    elif block["stopped"]:
        head += f": {found} of {asked}, {block['stopped']}"
    out.print(head, highlight=False)
    for row in block["plans"]:
        proof = "NOT proven"
        if row["proven_next_best"]:
            proof = "proven optimal" if row["rank"] == 1 else "proven next best"
        if not row["proven_optimal"] and row["gap"] is not None:
            proof += f" (gap {100 * row['gap']:.2f} %)"
        line = f"    {row['alternative']}: objective {_number(row['objective'])}"
        if row["rank"] > 1 and row["objective_vs_best_pct"] is not None:
            line += f" ({row['objective_vs_best_pct']:+.2f} %)"
        line += f", families within the house standard {_number(row['families_house'])}"
        if row["rank"] > 1:
            line += f" ({row['families_house_vs_best']:+,.0f})"
        line += f", cost EUR {row['cost']:,.0f}, {proof}"
        if row["rank"] > 1:
            change = [f"+{s}" for s in row["houses_added"]]
            change += [f"-{s}" for s in row["houses_removed"]]
            line += f"; houses {' '.join(change) or 'as the best'}"
        out.print(line, highlight=False)


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
    by_mode = summary.get("modes", {}).get("coverage_by_mode")
    if by_mode:  # several modes, share rule: who uses each mode and how many it reaches
        parts = [
            f"{mode} {_pct(row['house'], 0)} / {_pct(row['frequent'], 0)} of "
            f"{row['families']:,.0f} families"
            for mode, row in by_mode.items()
        ]
        out.print(f"  by mode (house / frequent): {'; '.join(parts)}", highlight=False)
    if precision:
        fixed = ", assignment held fixed" if precision.get("assignment_fixed") else ""
        out.print(
            f"  range with {precision['assumptions']}{fixed}: house {spread('house')}, "
            f"frequent {spread('frequent')}; neediest fifth "
            f"{spread('house_neediest_quintile')} / {spread('frequent_neediest_quintile')}",
            highlight=False,
        )
    for year, phase in summary.get("phases", {}).get("by_year", {}).items():
        share = phase["coverage"]
        out.print(
            f"  {year}: EUR {phase['spend']:,.0f} on {phase['houses_opened']} houses and "
            f"{phase['antennes_opened']} antennes; then {phase['houses']} houses, "
            f"{phase['antennes']} antennes, house {_pct(share['house'], 0)}, frequent "
            f"{_pct(share['frequent'], 0)}; neediest fifth "
            f"{_pct(share['house_neediest_quintile'], 0)} / "
            f"{_pct(share['frequent_neediest_quintile'], 0)}",
            highlight=False,
        )
    attendance = summary.get("attendance")
    if attendance:
        out.print(
            f"  expected to use them with distance decay ({attendance['function']}): house "
            f"{_pct(attendance['house'], 0)}, frequent {_pct(attendance['frequent'], 0)}; "
            f"neediest fifth {_pct(attendance['house_neediest_quintile'], 0)} / "
            f"{_pct(attendance['frequent_neediest_quintile'], 0)}",
            highlight=False,
        )


_FIGURES = {
    "p": "p",
    "weighted_mean_travel_min": "need-weighted mean travel time (min)",
    "families_mean_travel_min": "mean travel time per family (min)",
    "max_travel_min": "longest travel time (min)",
    "families_served_share": "share of families served within capacity",
    "decay_rows": "decay rows",
    "decay_bound": "step below the decay function by at most",
}


def _print_solve(summary: dict[str, Any], status: str) -> None:
    """Print what the solver proved and the model's own figures."""
    phases = summary.get("phases")
    model = summary["model"]
    if phases:
        model += f" in {len(phases['years'])} phases (objective: the weighted mean over them)"
    out.print(
        f"  solver {summary['solver']}: {status}; model {model}, objective "
        f"{_number(summary['objective'])}, bound {_number(summary['bound'])}",
        highlight=False,
    )
    figures = summary.get("model_figures", {})
    shown = [
        f"{label} {_number(figures[key])}" for key, label in _FIGURES.items() if key in figures
    ]
    if shown:
        out.print(f"  {', '.join(shown)}", highlight=False)


def validate_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    sets: Annotated[
        list[str] | None,
        typer.Option(
            "--set", help="Override a scenario key as run does, e.g. --set budget.amount_eur=5e5."
        ),
    ] = None,
    solver: SolverOption = None,
    time_limit: TimeLimitOption = None,
) -> None:
    """Check a scenario and all its inputs; report every problem at once."""
    from planner.workflows.pipeline import validate  # noqa: PLC0415

    with _one_line_errors():
        problems = validate(scenario, _run_overrides(sets, solver, time_limit))
        if solver is not None and not problems:  # asked for: is it installed? (loads PuLP)
            from planner.solve import available_solvers  # noqa: PLC0415

            if solver not in available_solvers():
                problems.append(
                    f"--solver {solver}: the solver is not installed here (installed: "
                    f"{', '.join(available_solvers()) or 'none'}): install it (highs: pip "
                    "install highspy; cbc comes with pulp) or choose another"
                )
    if problems:
        err.print(
            f"[bold red]{len(problems)} problem(s) in {escape(str(scenario))}:[/]", markup=True
        )
        for problem in problems:
            err.print(f"  - {problem}", highlight=False, soft_wrap=True, markup=False)
        raise typer.Exit(EXIT_INPUT)
    out.print(f"{scenario}: OK, ready to run", highlight=False)


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
