"""Compare several scenarios side by side, and each against a baseline.

:func:`run_comparison` runs every scenario through :func:`planner.workflows.pipeline.run`;
:func:`compare_plans` turns the plans into one row of key figures per scenario (read from each
plan's summary, so the table always agrees with ``summary.json``) and, with a baseline, the
changes against it: sites added, removed and kept per role, and the change in coverage of the
neediest fifth of the families and of the rest, in percentage points.
The table names each plan's travel mode and standards; when the plans (or the baseline) differ
in either, the comparison logs a warning: their figures are measured against different
yardsticks. Writing the comparison (tables, ``comparison.md``, the page of maps) is
:mod:`planner.report.comparison` and :mod:`planner.report.comparison_pages`; their names are
importable from here too.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import numpy as np

from planner.errors import PlannerError
from planner.report.comparison import (
    FIGURE_COLUMNS,
    ROLES,
    Comparison,
    summary_row,
    write_table_csv,
)
from planner.report.comparison_pages import (
    comparison_map_page,
    comparison_markdown,
    write_comparison,
    yardstick_warning,
)
from planner.scenario import Scenario, load_scenario
from planner.workflows.executor import LocalExecutor
from planner.workflows.pipeline import prepare, run

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from pathlib import Path

    import pandas as pd
    from numpy.typing import NDArray

    from planner.results.plan import Plan
    from planner.workflows.executor import Executor
    from planner.workflows.pipeline import Prepared

__all__ = [
    "FIGURE_COLUMNS",
    "Comparison",
    "compare_plans",
    "comparison_map_page",
    "comparison_markdown",
    "group_coverage",
    "run_comparison",
    "site_changes",
    "summary_row",
    "write_comparison",
    "write_table_csv",
    "yardstick_warning",
]

logger = logging.getLogger(__name__)

_CHANGE_COLUMNS = (
    *(f"{role}s_{what}" for role in ROLES for what in ("added", "removed", "kept")),
    "house_neediest_pp",
    "house_rest_pp",
    "frequent_neediest_pp",
    "frequent_rest_pp",
)


def site_changes(before: pd.DataFrame, after: pd.DataFrame) -> dict[str, dict[str, list[str]]]:
    """Sites added, removed and kept in each role, from one plan's sites to another's.

    A site that changes role (antenne to house) is removed from one role and added to the
    other.

    Parameters
    ----------
    before, after
        Site tables of the two plans (``site_id``, ``role``).

    Returns
    -------
    dict
        Per role (``house``, ``antenne``): sorted site ids ``added``, ``removed``, ``kept``.
    """
    changes: dict[str, dict[str, list[str]]] = {}
    for role in ROLES:
        old = set(before.loc[before["role"] == role, "site_id"].astype(str))
        new = set(after.loc[after["role"] == role, "site_id"].astype(str))
        changes[role] = {
            "added": sorted(new - old),
            "removed": sorted(old - new),
            "kept": sorted(old & new),
        }
    return changes


def _share(sectors: pd.DataFrame, columns: tuple[str, ...]) -> NDArray[np.float64]:
    """Return the first of ``columns`` the table has, as the share of each sector's families."""
    column = next(c for c in columns if c in sectors.columns)
    return np.asarray(sectors[column].to_numpy(dtype=float), dtype=np.float64)


def group_coverage(sectors: pd.DataFrame) -> dict[str, float | None]:
    """Coverage of the neediest fifth of the families and of the rest.

    Parameters
    ----------
    sectors
        A plan's sector table (``target``, ``neediest_quintile``, the shares of families
        within each standard ``covered_house_share`` / ``covered_frequent_share`` (or the
        flags of older tables) and, with capacities, ``served_house_share``).

    Returns
    -------
    dict
        ``house_neediest``, ``house_rest``, ``frequent_neediest``, ``frequent_rest``: shares of
        families (``None`` for a group without families).
    """
    target = sectors["target"].to_numpy(dtype=float)
    neediest = sectors["neediest_quintile"].to_numpy(dtype=bool)
    house = _share(sectors, ("served_house_share", "covered_house_share", "covered_house"))
    frequent = _share(sectors, ("covered_frequent_share", "covered_frequent"))
    shares: dict[str, float | None] = {}
    for role, covered in (("house", house), ("frequent", frequent)):
        for group, mask in (("neediest", neediest), ("rest", ~neediest)):
            total = float(target[mask].sum())
            shares[f"{role}_{group}"] = (
                round(float(target[mask] @ covered[mask]) / total, 6) if total > 0 else None
            )
    return shares


_COMMON_COLUMNS = {
    "coverage_house": "house",
    "coverage_frequent": "frequent",
    "coverage_house_neediest": "house_neediest_quintile",
    "coverage_frequent_neediest": "frequent_neediest_quintile",
}


def _groups(plan: Plan, *, common: bool) -> dict[str, float | None]:
    """Coverage of the neediest fifth and the rest, at the common standard when asked."""
    block = plan.summary.get("common_standard") if common else None
    if not block:
        return group_coverage(plan.sectors)
    coverage = block["coverage"]
    return {
        f"{role}_{group}": coverage[
            f"{role}_{'neediest_quintile' if group == 'neediest' else 'rest'}"
        ]
        for role in ("house", "frequent")
        for group in ("neediest", "rest")
    }


def _at_common_standard(row: dict[str, Any], summary: Mapping[str, Any]) -> dict[str, Any]:
    """Put a row's coverage figures at the common standard (no need tightening).

    The figures at the plan's own standards stay in ``own_*`` columns.
    """
    block = summary.get("common_standard")
    row["yardstick"] = "common" if block else "own"
    for column in _COMMON_COLUMNS:
        row[f"own_{column}"] = row[column]
    if not block:
        return row
    for column, name in _COMMON_COLUMNS.items():
        row[column] = block["coverage"][name]
    for role in ("house", "frequent"):
        for q in range(1, 6):
            row[f"coverage_{role}_q{q}"] = block["by_quintile"][f"q{q}"][f"coverage_{role}"]
    row["need_tightening"] = block["standards_min"]["need_tightening"]
    return row


def _change(plan: Plan, baseline: Plan, *, common: bool = True) -> dict[str, Any]:
    after, before = _groups(plan, common=common), _groups(baseline, common=common)
    points: dict[str, float | None] = {}
    for key, value in after.items():
        old = before[key]
        points[f"{key}_pp"] = (
            None if value is None or old is None else round(100.0 * (value - old), 2)
        )
    return {"sites": site_changes(baseline.sites, plan.sites), "coverage_pp": points}


def _unique_labels(names: Sequence[str]) -> tuple[str, ...]:
    seen: dict[str, int] = {}
    labels = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        labels.append(name if seen[name] == 1 else f"{name}-{seen[name]}")
    return tuple(labels)


def compare_plans(
    plans: Sequence[Plan],
    baseline: Plan | None = None,
    *,
    common_standard: bool = True,
    labels: Sequence[str] | None = None,
) -> Comparison:
    """Put plans side by side and, with a baseline, say what changes against it.

    By default every plan is measured on one common standard: a plan whose scenario has
    stricter standards for the neediest (``standards.need_tightening``) is compared with its
    figures at the standards without the tightening (``summary["common_standard"]``), so
    that its stricter yardstick does not make it look worse. Its own figures stay in the
    ``own_*`` columns; ``yardstick`` says which a row shows.

    Parameters
    ----------
    plans
        The plans to compare.
    baseline
        The plan of today's (or a reference) situation.
    common_standard
        False to compare every plan at its own standards.
    labels
        A unique folder name per plan (the baseline's first), instead of the scenario names
        (the alternatives of one scenario: ``alt1``, ``alt2``, ...).

    Returns
    -------
    Comparison
        Rows of figures and the changes against the baseline.
    """
    ordered = list(plans) if baseline is None else [baseline, *plans]
    labels = _unique_labels(
        [plan.scenario.name for plan in ordered] if labels is None else list(labels)
    )
    rows: list[dict[str, Any]] = []
    changes: dict[str, dict[str, Any]] = {}
    for position, (label, plan) in enumerate(zip(labels, ordered, strict=True)):
        is_baseline = baseline is not None and position == 0
        row = summary_row(plan.summary)
        if common_standard:
            row = _at_common_standard(row, plan.summary)
        row = {
            "scenario": row.pop("scenario"),
            "role": "baseline" if is_baseline else "scenario",
            "folder": label,
            "overrides": ", ".join(f"--set {item}" for item in plan.scenario.overrides),
            **row,
        }
        row.update(dict.fromkeys(_CHANGE_COLUMNS))
        if baseline is not None and not is_baseline:
            change = _change(plan, baseline, common=common_standard)
            changes[label] = change
            for role in ROLES:
                for what, ids in change["sites"][role].items():
                    row[f"{role}s_{what}"] = len(ids)
            row.update(change["coverage_pp"])
        rows.append(row)
    comparison = Comparison(
        plans=tuple(plans),
        baseline=baseline,
        labels=labels,
        rows=tuple(rows),
        changes=changes,
    )
    warning = yardstick_warning(comparison, "en")
    if warning is not None:
        logger.warning(warning)
    return comparison


def run_plan(prepared: Prepared | None, scenario: Scenario) -> Plan | PlannerError:
    """Run one compared scenario (on a worker); its error comes back as the result.

    Parameters
    ----------
    prepared
        Inputs read once for every compared scenario, or ``None``.
    scenario
        The scenario.

    Returns
    -------
    Plan or PlannerError
        The plan, or the error that stopped it (raised again where the comparison is made,
        with its own exit code).
    """
    logger.info("Comparing: running scenario %s", scenario.label())
    try:
        return run(scenario, prepared=prepared)
    except PlannerError as error:
        return error


def _how_only(overrides: dict[str, object] | None) -> dict[str, object]:
    """Keep the overrides that change how a plan is solved or written (``solver``, ``outputs``)."""
    return {
        key: value
        for key, value in (overrides or {}).items()
        if f"{key}.".startswith(("solver.", "outputs."))
    }


def run_comparison(
    scenarios: Sequence[Scenario | str | Path],
    baseline: Scenario | str | Path | None = None,
    *,
    overrides: dict[str, object] | None = None,
    baseline_overrides: dict[str, object] | None = None,
    common_standard: bool = True,
    progress: Callable[[int, int], None] | None = None,
    executor: Executor | None = None,
) -> Comparison:
    """Run every scenario (and the baseline) and compare the plans.

    A baseline is today's situation: ``overrides`` never change its question. Only their
    ``solver`` and ``outputs`` keys (the solver, its time limit, the language) reach it;
    ``baseline_overrides`` change it explicitly, and its outputs then name them.

    Parameters
    ----------
    scenarios
        Scenarios or scenario files to compare.
    baseline
        The reference scenario, or ``None``.
    overrides
        Dotted keys applied to every scenario file (e.g. ``{"budget.amount_eur": 2e6}``).
    baseline_overrides
        Dotted keys applied to the baseline file only.
    common_standard
        Compare on one common standard (the default; see :func:`compare_plans`), or False
        for every plan's own standards.
    progress
        Called with (plans done, plans in all) as the plans are made.
    executor
        Where the scenarios run (:mod:`planner.workflows.executor`); default: one after the
        other in this process. The inputs are read once here and sent to every worker once.

    Returns
    -------
    Comparison
        The plans side by side.
    """
    # load every file first, so a typo in the last one stops before any solve
    loaded = [s if isinstance(s, Scenario) else load_scenario(s, overrides) for s in scenarios]
    base = None
    if baseline is not None:
        base_overrides = {**_how_only(overrides), **(baseline_overrides or {})}
        base = (
            baseline if isinstance(baseline, Scenario) else load_scenario(baseline, base_overrides)
        )
        kept = [key for key in overrides or {} if key not in base_overrides]
        if kept:
            logger.info(
                "Comparing: %s change the compared scenarios, not the baseline %s",
                ", ".join(f"--set {key}" for key in kept),
                base.name,
            )
    every = [*loaded, *([] if base is None else [base])]
    where = executor or LocalExecutor(1)
    logger.info("Comparing %d plans on %s", len(every), where.description)
    prepared = prepare(every)
    plans: list[Plan] = []
    for spec, outcome in zip(every, where.map(run_plan, prepared, every, progress), strict=True):
        if isinstance(outcome.value, PlannerError):
            raise outcome.value
        if outcome.value is None:
            raise PlannerError(f"scenario {spec.label()}: its run failed: {outcome.error}")
        plans.append(outcome.value)
    base_plan = plans.pop() if base is not None else None
    return compare_plans(plans, base_plan, common_standard=common_standard)
