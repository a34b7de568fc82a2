"""A phased rollout in the plan: the year each site opens, and per phase its figures.

:func:`with_phases` adds the column ``phase_year`` to the plan's sites (the year a new site
opens; empty for existing and closed sites) and the block ``phases`` to its summary: per
phase the budget, what it spends, the open and newly opened houses and antennes, and every
headline coverage share (all families, the neediest fifth), recomputed from the travel
matrices at the demand rows, not read from the model.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from planner.results.metrics import coverage_share

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from planner.demand import Demand
    from planner.model import CoverageSolution, PhaseSchedule
    from planner.results.plan import Plan
    from planner.travel.matrices import TravelTimes

__all__ = ["PHASE_COLUMNS", "phase_coverage", "phase_rows", "with_phases"]

PHASE_COLUMNS = (
    "year",
    "budget",
    "available",
    "spend",
    "spend_cumulative",
    "houses",
    "houses_opened",
    "antennes",
    "antennes_opened",
    "coverage_house",
    "coverage_frequent",
    "coverage_house_neediest_quintile",
    "coverage_frequent_neediest_quintile",
    "coverage_objective",
    "opened_houses",
    "opened_antennes",
)
"""The columns of ``phases.csv``, one row per phase."""


def phase_coverage(
    d: NDArray[np.float64],
    radius_house: NDArray[np.float64],
    radius_frequent: NDArray[np.float64],
    house: NDArray[np.bool_],
    antenne: NDArray[np.bool_],
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Return which demand rows have an open house within R_H, and a house or antenne within R_A.

    Parameters
    ----------
    d
        ``(n_rows, n_sites)`` minutes (``inf``: no route).
    radius_house, radius_frequent
        Each row's standards in minutes.
    house, antenne
        Open sites per role.

    Returns
    -------
    covered_house, covered_frequent : ndarray of bool, shape (n_rows,)
    """
    finite = np.isfinite(d)
    near_house = finite & (d <= radius_house[:, np.newaxis])
    near_frequent = finite & (d <= radius_frequent[:, np.newaxis])
    covered_house = np.asarray((near_house & house[np.newaxis, :]).any(axis=1), dtype=bool)
    covered_frequent = np.asarray(
        (near_frequent & (house | antenne)[np.newaxis, :]).any(axis=1), dtype=bool
    )
    return covered_house, covered_frequent


def with_phases(
    plan: Plan, solution: CoverageSolution, demand: Demand, travel: TravelTimes
) -> Plan:
    """Return the plan with each site's opening year and the ``phases`` summary block.

    Parameters
    ----------
    plan
        The plan of the last phase.
    solution
        The solved model, with its schedule (``solution.phases``); without one the plan is
        returned as it is.
    demand
        Families, weights, the neediest fifth and the standards per demand row.
    travel
        The travel-time matrices.

    Returns
    -------
    Plan
        The plan with ``sites.phase_year`` and ``summary["phases"]``.
    """
    schedule = solution.phases
    if schedule is None:
        return plan
    budgets = schedule.budgets
    years = np.asarray(budgets.years)
    opened = schedule.opened()
    existing = plan.sites["existing_role"].to_numpy(dtype=object)
    role = np.where(schedule.house[-1], "house", np.where(schedule.antenne[-1], "antenne", ""))
    # a site gets its year unless it is open in its existing role from the first phase on
    # (an existing site closed at first, with keep_existing: false, gets the year it reopens)
    new = (opened > 0) | ((opened == 0) & (existing != role))
    year = pd.array(np.where(new, years[np.maximum(opened, 0)], 0), dtype="Int64")
    year[~new] = pd.NA
    sites = plan.sites.copy()
    sites["phase_year"] = year
    ids = sites["site_id"].astype(str).to_numpy()
    by_year = {
        str(budgets.years[t]): _phase(t, schedule, demand, travel, new & (opened == t), ids, plan)
        for t in range(years.size)
    }
    block: dict[str, Any] = {
        "years": list(budgets.years),
        "carry_over": budgets.carry_over,
        "weights": list(budgets.weights),
        "objective": round(schedule.objective, 6),
        "by_year": by_year,
    }
    return dataclasses.replace(plan, sites=sites, summary={**plan.summary, "phases": block})


def _phase(
    t: int,
    schedule: PhaseSchedule,
    demand: Demand,
    travel: TravelTimes,
    opened_now: NDArray[np.bool_],
    ids: NDArray[np.str_],
    plan: Plan,
) -> dict[str, Any]:
    budgets = schedule.budgets
    house, antenne = schedule.house[t], schedule.antenne[t]
    covered_house, covered_frequent = phase_coverage(
        travel.sector_site, demand.radius_house, demand.radius_frequent, house, antenne
    )
    target, neediest = demand.target, demand.neediest
    spent_before = float(schedule.spend[:t].sum())
    if budgets.carry_over:
        available = float(budgets.cumulative[t]) - spent_before
    else:
        available = float(budgets.amounts[t])
    alpha = plan.scenario.objective.alpha
    value = float(demand.weight @ (alpha * covered_house + (1 - alpha) * covered_frequent))
    return {
        "budget": budgets.amounts[t],
        "available": round(available, 2),
        "spend": round(float(schedule.spend[t]), 2),
        "spend_cumulative": round(spent_before + float(schedule.spend[t]), 2),
        "houses": int(house.sum()),
        "houses_opened": int((opened_now & house).sum()),
        "antennes": int(antenne.sum()),
        "antennes_opened": int((opened_now & antenne).sum()),
        "opened_houses": [str(i) for i in ids[opened_now & house]],
        "opened_antennes": [str(i) for i in ids[opened_now & antenne]],
        "coverage": {
            "house": coverage_share(covered_house, target),
            "frequent": coverage_share(covered_frequent, target),
            "house_neediest_quintile": coverage_share(covered_house, target, neediest),
            "frequent_neediest_quintile": coverage_share(covered_frequent, target, neediest),
        },
        "coverage_objective": round(value, 6),
    }


def phase_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Return one flat row per phase from ``summary["phases"]`` (for ``phases.csv``).

    Parameters
    ----------
    summary
        The plan's summary.

    Returns
    -------
    list of dict
        Keyed by :data:`PHASE_COLUMNS`; empty without phases.
    """
    block = summary.get("phases")
    if not block:
        return []
    rows = []
    for year, phase in block["by_year"].items():
        row = {key: phase.get(key) for key in PHASE_COLUMNS}
        row["year"] = int(year)
        for key, share in phase["coverage"].items():
            row[f"coverage_{key}"] = share
        row["opened_houses"] = " ".join(phase["opened_houses"])
        row["opened_antennes"] = " ".join(phase["opened_antennes"])
        rows.append(row)
    return rows
