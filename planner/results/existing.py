"""One-off and yearly euros of a plan, what closes or changes role, and their independent check.

:func:`costs_summary` gives ``summary.json``'s ``costs`` block (one-off investment, yearly
running cost of the open sites, the yearly saving of the existing sites that close, what the
budget counts by ``budget.basis``) and the lists of existing sites that close or change role
(an antenne upgraded to a house, a house kept as an antenne), with the notes that say so.
:func:`check_costs` recomputes them from the sites file and the plan's roles, and the budget on
its basis. :func:`plan_extras` gathers the blocks of the targets and of the costs for
:mod:`planner.results.plan`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from planner.model.coverage.existing import BASIS_WEIGHTS
from planner.results.targets import target_notes, targets_summary
from planner.scenario.costs import RUNNING_COLUMNS

if TYPE_CHECKING:
    import geopandas as gpd
    from numpy.typing import NDArray

    from planner.data.inputs import Inputs
    from planner.demand import Demand
    from planner.model import CoverageSolution
    from planner.results.check_base import Check
    from planner.scenario import BudgetSpec, Scenario

__all__ = ["check_costs", "costs_summary", "plan_extras", "running_costs"]

_EURO_TOL: Final[float] = 0.5


def running_costs(
    sites: pd.DataFrame, budget: BudgetSpec
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return the yearly running cost per site of a house and of an antenne.

    Parameters
    ----------
    sites
        Sites with the optional columns ``running_cost_house`` / ``running_cost_antenne``.
    budget
        The budget section: its ``running_house_eur`` / ``running_antenne_eur`` fill missing
        columns and empty cells.

    Returns
    -------
    tuple of ndarray
        Euro a year per site and role.
    """
    out = []
    defaults = (budget.running_house_eur, budget.running_antenne_eur)
    for column, default in zip(RUNNING_COLUMNS, defaults, strict=True):
        if column in sites.columns:
            values = pd.to_numeric(sites[column], errors="coerce").to_numpy(dtype=float)
            out.append(np.where(np.isnan(values), default, values))
        else:
            out.append(np.full(len(sites), float(default)))
    return out[0], out[1]


def _relevant(scenario: Scenario, sites: pd.DataFrame) -> bool:
    return bool(
        scenario.budget.basis != "investment"
        or scenario.rules.may_close
        or not scenario.objective.keep_existing
        or scenario.budget.running_house_eur > 0
        or scenario.budget.running_antenne_eur > 0
        or any(column in sites.columns for column in RUNNING_COLUMNS)
    )


def _budget_counts(scenario: Scenario, one_off: float, yearly: float) -> float:
    w_inv, w_run = BASIS_WEIGHTS[scenario.budget.basis]
    if scenario.budget.basis == "total":
        w_run = float(scenario.budget.years or 0.0)
    return w_inv * one_off + w_run * yearly


def _figures(
    house: NDArray[np.bool_],
    antenne: NDArray[np.bool_],
    existing_role: NDArray[Any],
    cost: NDArray[np.float64],
    sites: pd.DataFrame,
    budget: BudgetSpec,
) -> dict[str, Any]:
    """Return the euros and the site lists from the roles and the sites' columns."""
    rh, ra = running_costs(sites, budget)
    yearly = float(rh[house].sum() + ra[antenne].sum())
    closed = (existing_role != "") & ~house & ~antenne
    saving = float(rh[closed & (existing_role == "house")].sum())
    saving += float(ra[closed & (existing_role == "antenne")].sum())
    ids = sites["site_id"].astype(str).to_numpy()
    return {
        "one_off": float(np.nansum(cost)),
        "yearly": yearly,
        "saving": saving,
        "closed": [str(i) for i in ids[closed]],
        "upgraded": [str(i) for i in ids[(existing_role == "antenne") & house]],
        "downgraded": [str(i) for i in ids[(existing_role == "house") & antenne]],
    }


def costs_summary(scenario: Scenario, table: gpd.GeoDataFrame) -> tuple[dict[str, Any], list[str]]:
    """Return the ``costs`` block and its notes (empty when nothing is yearly or may close).

    Parameters
    ----------
    scenario
        The scenario (budget basis, years, rules).
    table
        The plan's sites table (roles, existing roles, one-off cost per site, running costs).

    Returns
    -------
    dict
        ``{"costs": {...}, "closed_sites": [...], "upgraded_sites": [...],
        "downgraded_sites": [...]}`` or ``{}``.
    list of str
        The notes: the euros, and what closes or changes role.
    """
    if not _relevant(scenario, table):
        return {}, []
    role = table["role"].to_numpy()
    f = _figures(
        role == "house",
        role == "antenne",
        table["existing_role"].to_numpy(),
        table["cost"].to_numpy(dtype=float),
        table,
        scenario.budget,
    )
    budget = scenario.budget
    counts = _budget_counts(scenario, f["one_off"], f["yearly"])
    block = {
        "costs": {
            "one_off_eur": round(f["one_off"], 2),
            "yearly_eur": round(f["yearly"], 2),
            "yearly_saving_eur": round(f["saving"], 2),
            "basis": budget.basis,
            "years": budget.years,
            "budget_counts_eur": round(counts, 2),
        },
        "closed_sites": f["closed"],
        "upgraded_sites": f["upgraded"],
        "downgraded_sites": f["downgraded"],
    }
    basis = {
        "investment": "the one-off euros",
        "yearly": "the yearly euros",
        "total": f"the one-off euros plus {budget.years or 0:g} years of the yearly ones",
    }[budget.basis]
    euros = (
        f"one-off EUR {f['one_off']:,.0f}, yearly EUR {f['yearly']:,.0f} (running costs of the "
        f"open sites); the budget (EUR {budget.amount_eur:,.0f}) counts {basis}: EUR "
        f"{counts:,.0f}"
    )
    notes = [euros]
    names = dict(zip(table["site_id"].astype(str), table["name"].astype(str), strict=True))

    def named(ids: list[str]) -> str:
        return ", ".join(f"{i} ({names[i]})" if names.get(i, i) != i else i for i in ids)

    if f["closed"]:
        notes.append(
            f"closes {len(f['closed'])} existing site{'s' if len(f['closed']) > 1 else ''}: "
            f"{named(f['closed'])}; saves EUR {f['saving']:,.0f} a year"
        )
    if f["upgraded"]:
        notes.append(f"existing antennes upgraded to a house: {named(f['upgraded'])}")
    if f["downgraded"]:
        notes.append(f"existing houses kept as an antenne: {named(f['downgraded'])}")
    return block, notes


def plan_extras(
    scenario: Scenario,
    solution: CoverageSolution,
    demand: Demand,
    covered: tuple[NDArray[np.bool_], NDArray[np.bool_]],
    table: gpd.GeoDataFrame,
) -> tuple[dict[str, Any], list[str]]:
    """Return the summary's ``targets`` and ``costs`` blocks and their notes.

    Parameters
    ----------
    scenario
        The scenario.
    solution
        The plan.
    demand
        The demand rows.
    covered
        Rows within the house and within the frequent standard.
    table
        The plan's sites table.

    Returns
    -------
    dict
        The blocks (none for a plain plan).
    list of str
        Their notes.
    """
    targets = targets_summary(scenario, solution, demand, covered[0], covered[1])
    costs, notes = costs_summary(scenario, table)
    return {**targets, **costs}, [*target_notes(targets, scenario.budget.amount_eur), *notes]


def check_costs(c: Check, inputs: Inputs) -> None:
    """Recompute the one-off and yearly euros, the closed sites and the budget on its basis.

    Parameters
    ----------
    c
        The check (problems are appended).
    inputs
        The sites file as read (running costs).
    """
    block = c.summary.get("costs")
    if block is None:
        return
    t, p = c.truth, c.claim
    existing_role = np.where(t.existing_house, "house", np.where(t.existing_antenne, "antenne", ""))
    cost = np.where(
        p.house & ~t.existing_house,
        t.cost_house,
        np.where(p.antenne & ~t.existing_antenne, t.cost_antenne, 0.0),
    )
    f = _figures(p.house, p.antenne, existing_role, cost, inputs.sites, c.scenario.budget)
    c.same("costs.one_off_eur", block.get("one_off_eur"), f["one_off"], _EURO_TOL)
    c.same("costs.yearly_eur", block.get("yearly_eur"), f["yearly"], _EURO_TOL)
    c.same("costs.yearly_saving_eur", block.get("yearly_saving_eur"), f["saving"], _EURO_TOL)
    for key, name in (("closed", "closed_sites"), ("upgraded", "upgraded_sites")):
        if c.summary.get(name) != f[key]:
            c.problems.append(f"{name}: the plan says {c.summary.get(name)}, recomputed {f[key]}")
    counts = _budget_counts(c.scenario, f["one_off"], f["yearly"])
    c.same("costs.budget_counts_eur", block.get("budget_counts_eur"), counts, _EURO_TOL)
    budget = c.scenario.budget.amount_eur
    if c.kind in {"max_coverage", "max_attendance"} and counts > budget * (1 + 1e-9) + _EURO_TOL:
        c.problems.append(
            f"the plan's {c.scenario.budget.basis} cost EUR {counts:,.2f} is over the budget "
            f"of EUR {budget:,.2f}"
        )
    may_close = c.required("may_close")
    if c.scenario.objective.keep_existing:
        c.require(
            t.existing_house & ~may_close & ~p.house, "existing houses closed that may not close"
        )
    c.checked.append("one-off and yearly costs")
