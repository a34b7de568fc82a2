"""The comparison's table: plans side by side, one row of key figures each, and its CSV.

:class:`Comparison` holds plans side by side (built by
:func:`planner.workflows.compare.compare_plans`): one row of key figures per plan, picked from
its summary by :data:`FIGURE_COLUMNS` (so the table always agrees with ``summary.json``), and
the changes against a baseline. :func:`write_table_csv` writes any table of flat figures (the
comparison's and the sweep's). The pages (``comparison.md``, ``map.html``) and the writing of
a whole comparison are in :mod:`planner.report.comparison_pages`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from planner.results.plan import Plan

__all__ = [
    "FIGURE_COLUMNS",
    "ROLES",
    "Comparison",
    "summary_figures",
    "summary_row",
    "write_table_csv",
]

ROLES = ("house", "antenne")


def _figure_columns() -> dict[str, tuple[str, ...]]:
    columns: dict[str, tuple[str, ...]] = {
        "model": ("model",),
        "mode": ("mode",),
        "standard_house": ("standards_min", "house"),
        "standard_frequent": ("standards_min", "frequent"),
        "need_tightening": ("standards_min", "need_tightening"),
        "status": ("status",),
        "proven_optimal": ("proven_optimal",),
        "gap": ("gap",),
        "cost": ("cost",),
        "budget": ("budget",),
        "houses": ("houses",),
        "houses_new": ("houses_new",),
        "antennes": ("antennes",),
        "antennes_new": ("antennes_new",),
        "coverage_house": ("coverage", "house"),
        "coverage_frequent": ("coverage", "frequent"),
        "coverage_house_neediest": ("coverage", "house_neediest_quintile"),
        "coverage_frequent_neediest": ("coverage", "frequent_neediest_quintile"),
    }
    for role in ("house", "frequent"):
        for q in range(1, 6):
            columns[f"coverage_{role}_q{q}"] = (
                "equity",
                "by_quintile",
                f"q{q}",
                f"coverage_{role}",
            )
    for role in ("house", "frequent"):
        for stat in ("mean", "p50", "p90", "unreachable_share"):
            columns[f"travel_{role}_{stat}"] = ("travel_time_min", role, stat)
    for role in ("house", "frequent"):
        for index in ("gini", "theil", "palma", "concentration_need"):
            columns[f"{index}_{role}"] = ("equity", "inequality", role, index)
    return columns


FIGURE_COLUMNS: dict[str, tuple[str, ...]] = _figure_columns()
"""Column of the comparison table → path of the figure in ``summary.json``."""


def _lookup(summary: Mapping[str, Any], path: tuple[str, ...]) -> Any:  # noqa: ANN401 - JSON
    node: Any = summary
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def summary_figures(
    summary: Mapping[str, Any], columns: Mapping[str, tuple[str, ...]]
) -> dict[str, Any]:
    """Pick figures from a run's summary by their paths.

    Parameters
    ----------
    summary
        A plan's summary (as in ``summary.json``).
    columns
        Column name → path of keys in the summary (as in :data:`FIGURE_COLUMNS`).

    Returns
    -------
    dict
        One entry per column, in the order given (``None`` when the summary has no such
        figure).
    """
    return {column: _lookup(summary, path) for column, path in columns.items()}


def summary_row(summary: Mapping[str, Any]) -> dict[str, Any]:
    """Pick the figures of the comparison table from a run's summary.

    Parameters
    ----------
    summary
        A plan's summary (as in ``summary.json``).

    Returns
    -------
    dict
        ``scenario`` and one entry per column of :data:`FIGURE_COLUMNS` (``None`` when the
        summary has no such figure).
    """
    row: dict[str, Any] = {"scenario": summary.get("scenario")}
    row.update(summary_figures(summary, FIGURE_COLUMNS))
    return row


@dataclass(frozen=True)
class Comparison:
    """Several plans side by side, optionally against a baseline.

    Attributes
    ----------
    plans : tuple of Plan
        The compared plans, in the order given.
    baseline : Plan or None
        The plan the others are compared with.
    labels : tuple of str
        A unique folder name per plan, the baseline's first when there is one.
    rows : tuple of dict
        One row per plan (baseline first): ``scenario``, ``role`` (baseline / scenario),
        ``folder``, the figures of :data:`FIGURE_COLUMNS` and, against the baseline, site
        counts added / removed / kept per role and coverage changes in percentage points.
    changes : dict
        Per compared label: ``sites`` (ids added / removed / kept per role) and
        ``coverage_pp`` (change in coverage of the neediest fifth and of the rest).
    """

    plans: tuple[Plan, ...]
    baseline: Plan | None
    labels: tuple[str, ...]
    rows: tuple[dict[str, Any], ...]
    changes: dict[str, dict[str, Any]]

    def all_plans(self) -> tuple[Plan, ...]:
        """Return the baseline (when there is one) followed by the compared plans."""
        return self.plans if self.baseline is None else (self.baseline, *self.plans)


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float) and not np.isfinite(value):
        return ""
    return str(value)


def write_table_csv(
    path: Path, rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None
) -> None:
    """Write rows of flat figures as CSV (``None`` empty, booleans ``true``/``false``).

    Parameters
    ----------
    path
        The CSV file.
    rows
        Dicts with the same keys, in column order.
    columns
        The header (default: the first row's keys), so an empty table keeps its columns.
    """
    columns = list(columns or (rows[0] if rows else []))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows([_csv_value(row.get(column)) for column in columns] for row in rows)
