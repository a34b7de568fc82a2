"""Say what the inputs estimate and what looks like a mistake, for every plan's notes.

:func:`input_notes` reads the flag columns of ``planner data`` (``target_estimated``,
``median_income_suppressed``) and its ``prepare_report.json`` next to the sector file, and the
figures of the sites: an estimated target group, imputed incomes, existing sites that are
stand-ins, placeholder site costs, costs that look like thousands of euro, a budget that binds
nothing. :func:`imputed_flags` marks the sectors whose need indicator was imputed.
"""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING, Any

import numpy as np

from planner.data.checks import TRUE_WORDS
from planner.data.site_types import DEFAULT_SITE_TYPES, EXISTING_ROLES
from planner.scenario.travel_model import travel_model_note

if TYPE_CHECKING:
    import pandas as pd
    from numpy.typing import NDArray

    from planner.data.inputs import Inputs
    from planner.scenario import Scenario

__all__ = ["imputed_flags", "input_notes"]

logger = logging.getLogger(__name__)

_HOUSE_COST_LOW_EUR = 10_000.0
"""A house under this cost looks like a cost given in thousands of euro."""

_DERIVED_FROM = {"kansarmoede_est": "median_income"}
"""Indicators that ``planner data`` derives from another column (and its imputation flag)."""

_IMPUTED_HOW = {
    "neighbours": "from neighbouring sectors",
    "median": "with the city median",
    "missing": "left empty, then the median of the run",
}


def _flags(sectors: pd.DataFrame, column: str) -> NDArray[np.bool_]:
    """Return a flag column (True/1/'true') as booleans; all False when absent."""
    if column not in sectors.columns:
        return np.zeros(len(sectors), dtype=bool)
    text = sectors[column].astype("string").str.strip().str.lower().fillna("")
    return text.isin(TRUE_WORDS - {""}).to_numpy(dtype=bool)


def imputed_flags(scenario: Scenario, sectors: pd.DataFrame) -> NDArray[np.bool_]:
    """Return the sectors whose need indicator ``planner data`` imputed, by its flag columns.

    An indicator ``C`` is flagged by ``C_suppressed`` (``median_income_suppressed``); one
    derived from another column (``kansarmoede_est`` from ``median_income``) by that column's
    flag.

    Parameters
    ----------
    scenario
        The scenario (its need indicators).
    sectors
        The sector table as read.

    Returns
    -------
    numpy.ndarray
        True per sector with at least one flagged indicator value.
    """
    flagged = np.zeros(len(sectors), dtype=bool)
    for indicator in scenario.need.indicators:
        source = _DERIVED_FROM.get(indicator.column, indicator.column)
        flagged |= _flags(sectors, f"{source}_suppressed")
    return flagged


def _prepare_report(scenario: Scenario) -> dict[str, Any] | None:
    """Return ``prepare_report.json`` next to the sector file (from ``planner data``), if any."""
    path = scenario.data.sectors.parent / "prepare_report.json"
    if not path.is_file():
        return None
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        logger.info(f"ignoring {path} ({type(error).__name__})")
        return None
    return report if isinstance(report, dict) else None


def _target_note(scenario: Scenario, sectors: pd.DataFrame) -> str | None:
    if scenario.data.target != "target" or "target_estimated" not in sectors.columns:
        return None
    estimated = _flags(sectors, "target_estimated")
    if not estimated.any():
        return None
    method = ""
    if "target_method" in sectors.columns:
        methods = sectors.loc[estimated, "target_method"].astype("string").dropna()
        method = str(methods.mode().iloc[0]) if len(methods) else ""
    found = re.match(r"estimate:\s*([0-9.eE+-]+)\s*x\s*(.+)", method)
    what = (
        f"{100 * float(found.group(1)):.3g} % of {found.group(2).strip()}"
        if found
        else "a share of the inhabitants"
    )
    where = "" if estimated.all() else f" in {estimated.sum()} of {len(sectors)} sectors"
    return (
        f"target group estimated as {what} (no age table){where}: replace it with an age "
        "table when available (planner data)"
    )


def _income_note(scenario: Scenario, sectors: pd.DataFrame) -> str | None:
    used = {_DERIVED_FROM.get(i.column, i.column) for i in scenario.need.indicators}
    if "median_income" not in used:
        return None
    flagged = _flags(sectors, "median_income_suppressed")
    n = int(flagged.sum())
    if not n:
        return None
    how = ""
    if "median_income_imputation" in sectors.columns:
        counts = sectors.loc[flagged, "median_income_imputation"].astype("string").value_counts()
        how = "; imputed " + ", ".join(
            f"{_IMPUTED_HOW.get(str(kind), str(kind))} ({number})"
            for kind, number in counts.items()
        )
    derived = [i.column for i in scenario.need.indicators if i.column in _DERIVED_FROM]
    via = f", and so {', '.join(derived)}" if derived else ""
    return (
        f"{n} {'sector has' if n == 1 else 'sectors have'} an imputed median income{via} "
        f"(Statbel suppressed {'it' if n == 1 else 'them'}{how})"
    )


def _stand_in_notes(sites: pd.DataFrame, report: dict[str, Any] | None) -> list[str]:
    """Name existing sites marked by type (``planner data --existing-type``): stand-ins."""
    marked: dict[str, str] = {}
    if report is not None and isinstance(report.get("existing_types"), dict):
        marked = {str(k): str(v) for k, v in report["existing_types"].items()}
    elif "source" in sites.columns:  # prepared sites: existing ones not from an existing file
        typed = sites[(sites["existing_role"] != "") & (sites["source"] == "points file")]
        pairs = zip(typed["type"], typed["existing_role"], strict=True)
        marked = {str(kind): str(role) for kind, role in pairs}
    notes = []
    for role in EXISTING_ROLES:
        kinds = sorted(
            kind
            for kind, marked_role in marked.items()
            if marked_role == role
            and ((sites["type"] == kind) & (sites["existing_role"] == role)).any()
        )
        if kinds:
            option = " ".join(f"--existing-type {kind}={role}" for kind in kinds)
            notes.append(
                f"existing {role}s are stand-ins: {', '.join(kinds)} (from planner data "
                f"{option}); replace them with the real list"
            )
    return notes


def _default_costs_note(sites: pd.DataFrame, report: dict[str, Any] | None) -> str | None:
    stated = report.get("site_costs") if report is not None else None
    default = None if stated is None else stated == "default"
    if default is None and "source" in sites.columns:  # a prepared file without a report
        typed = sites[sites["type"].isin(list(DEFAULT_SITE_TYPES))]
        default = bool(len(typed))
        for kind, can_house, cost_house, can_antenne, cost_antenne in zip(
            typed["type"].astype(str),
            typed["can_house"],
            typed["cost_house"],
            typed["can_antenne"],
            typed["cost_antenne"],
            strict=True,
        ):
            rule = DEFAULT_SITE_TYPES[kind]
            if (can_house and cost_house != rule.cost_house) or (
                can_antenne and cost_antenne != rule.cost_antenne
            ):
                default = False
                break
    if not default:
        return None
    return (
        "site costs are default placeholders per site type (planner data), not quotes: give "
        "the city's figures with planner data --site-types"
    )


def _cost_notes(scenario: Scenario, sites: pd.DataFrame) -> list[str]:
    """Catch costs that look like thousands of euro and a budget that binds nothing."""
    notes = []
    new_house = sites["can_house"] & ~sites["forbidden"] & (sites["existing_role"] != "house")
    costs = sites.loc[new_house, "cost_house"].to_numpy(dtype=float)
    low = (costs > 0) & (costs < _HOUSE_COST_LOW_EUR)
    if low.any():
        ids = ", ".join(str(v) for v in sites.loc[new_house, "site_id"].to_numpy()[low][:3])
        text = (
            f"{int(low.sum())} {'site has' if low.sum() == 1 else 'sites have'} a house cost "
            f"under EUR {_HOUSE_COST_LOW_EUR:,.0f} (lowest EUR {costs[low].min():,.0f}: {ids}): "
            "are the costs in euro, not thousands? cost_house is read in euro"
        )
        logger.warning(text)
        notes.append(text)
    new = (sites["existing_role"] == "") & ~sites["forbidden"]
    each = np.maximum(
        np.where(sites["can_house"], sites["cost_house"].to_numpy(dtype=float), 0.0),
        np.where(sites["can_antenne"], sites["cost_antenne"].to_numpy(dtype=float), 0.0),
    )[new.to_numpy(dtype=bool)]
    budget = scenario.budget.amount_eur
    if (
        scenario.objective.kind in {"max_coverage", "max_attendance"}
        and scenario.budget.basis == "investment"  # the one-off euros of the candidates
        and each.size
        and each.sum() <= budget
    ):
        notes.append(
            f"the budget (EUR {budget:,.0f}) does not bind: all {len(each)} candidate sites "
            f"together cost at most EUR {each.sum():,.0f}"
        )
    if scenario.objective.keep_existing and not (sites["existing_role"] != "").any():
        notes.append(
            "no existing sites in the sites file: objective.keep_existing has nothing to keep, "
            "so the plan starts from zero (mark today's houses with the column 'existing')"
        )
    return notes


def _voronoi_note(sectors: pd.DataFrame) -> str | None:
    """Say how many sectors are Voronoi cells of their centroids (``planner data``)."""
    if "geometry_method" not in sectors.columns:
        return None
    approximated = sectors["geometry_method"].astype("string").eq("voronoi").fillna(value=False)
    if not approximated.any():
        return None
    n = int(approximated.sum())
    return (
        f"{n} of {len(sectors)} sector polygons are approximations: Voronoi cells of Statbel's "
        "sector centroids clipped to the municipal boundary (no sector polygon file); give "
        "Statbel's sh_statbel_statistical_sectors file to planner data (--file sectors=...)"
    )


def input_notes(scenario: Scenario, inputs: Inputs) -> list[str]:
    """Say what the inputs estimate and what looks like a mistake, for the summary's notes.

    From the flag columns of ``planner data`` (``target_estimated``,
    ``median_income_suppressed``) and its ``prepare_report.json`` next to the sector file:
    an estimated target group, imputed incomes, existing sites that are stand-ins chosen by
    type, placeholder site costs. From the figures: house costs that look like thousands of
    euro (also logged as a warning), a budget that binds nothing, no existing sites to keep.

    Parameters
    ----------
    scenario
        The scenario.
    inputs
        Sectors and sites as read.

    Returns
    -------
    list of str
        Plain English notes, most important first.
    """
    report = _prepare_report(scenario)
    sectors, sites = inputs.sectors, inputs.sites
    notes = [
        note
        for note in (_target_note(scenario, sectors), _income_note(scenario, sectors))
        if note is not None
    ]
    notes += [note for note in (_voronoi_note(sectors), travel_model_note(scenario)) if note]
    notes += _stand_in_notes(sites, report)
    costs = _default_costs_note(sites, report)
    if costs is not None:
        notes.append(costs)
    for note in notes:
        logger.info(note)
    return notes + _cost_notes(scenario, sites)
