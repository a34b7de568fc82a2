r"""Today beside the plan: the existing sites alone, evaluated like the plan, and per wijk.

"Today" is the situation before the plan: every existing site open in its role of today
(``existing_role``: house or antenne), no new site, nothing spent. It is evaluated exactly as
the plan is (:func:`planner.results.plan.make_plan`): at the same demand rows, with the same
travel times and the scenario's own standards, so the two columns of the note's
"vandaag → plan" table are measured with one yardstick. A row :math:`q` is reached today by a
house when :math:`\min_{j \text{ house today}} d_{qj} \le R_H(q)`, and by frequent services
when the same holds for a house or antenne within :math:`R_A(q)`. No model is solved.

With capacities (``objective.capacity_column``) the plan's house figures count the families
*served* within capacity; today's count every family within the standard
(``capacities_ignored`` is then True and the note says so).

:func:`today_figures` gives the summary three blocks: ``today`` (counts, coverage shares and
families reached today), ``families_reached`` (the plan's families reached, in the same units)
and ``by_wijk`` (per wijk: families, reached today and in the plan) when the sectors have a
``wijk`` column.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from planner.results.metrics import coverage_share, nearest_open, served_share

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from planner.demand import Demand

__all__ = ["TODAY_RULE", "today_figures"]

TODAY_RULE = (
    "today = the existing sites alone, each in its role of today (existing_role), no new site "
    "and no cost, evaluated at the same demand rows, travel times and standards as the plan"
)
"""What ``summary["today"]`` is, as written in ``summary.json``."""

FIGURES = ("house", "frequent", "house_neediest_quintile", "frequent_neediest_quintile")
"""The coverage figures of the plan and of today, in ``coverage`` and ``families``."""


def _families(
    house: NDArray[np.float64], frequent: NDArray[np.float64], demand: Demand
) -> dict[str, float]:
    """Families reached per figure: ``house`` and ``frequent`` are per-row shares in [0, 1]."""
    target, neediest = demand.target, np.asarray(demand.neediest, dtype=bool)
    return {
        "house": round(float(target @ house), 2),
        "frequent": round(float(target @ frequent), 2),
        "house_neediest_quintile": round(float(target[neediest] @ house[neediest]), 2),
        "frequent_neediest_quintile": round(float(target[neediest] @ frequent[neediest]), 2),
    }


def _shares(
    house: NDArray[np.float64], frequent: NDArray[np.bool_], demand: Demand
) -> dict[str, Any]:
    target, neediest = demand.target, np.asarray(demand.neediest, dtype=bool)
    return {
        "house": served_share(house, target),
        "frequent": coverage_share(frequent, target),
        "house_neediest_quintile": served_share(house, target, neediest),
        "frequent_neediest_quintile": coverage_share(frequent, target, neediest),
    }


def _by_wijk(
    sectors: pd.DataFrame,
    demand: Demand,
    rows: dict[str, NDArray[np.float64]],
) -> dict[str, dict[str, Any]]:
    """Per wijk code (in order of the wijk's name): name, sectors, families, families reached."""
    wijk = sectors["wijk"].astype("string").fillna("").to_numpy(dtype=object)
    names = (
        sectors["wijk_name"].astype("string").fillna("").to_numpy(dtype=object)
        if "wijk_name" in sectors.columns
        else wijk
    )
    table = pd.DataFrame({"wijk": wijk[demand.sector], "families": demand.target})
    for key, values in rows.items():
        table[key] = demand.target * values
    sums = table.groupby("wijk", sort=True).sum()
    counts = pd.Series(wijk).value_counts()
    name_of = dict(zip(wijk, names, strict=True))
    out = {
        str(code): {
            "name": str(name_of.get(code) or code) or None,
            "sectors": int(counts.get(code, 0)),
            "families": round(float(row["families"]), 2),
            **{key: round(float(row[key]), 2) for key in rows},
        }
        for code, row in sums.iterrows()
    }
    order = sorted(out, key=lambda code: (code == "", str(out[code]["name"] or "").lower()))
    return {code: out[code] for code in order}


def today_figures(
    existing_role: NDArray[np.object_],
    d: NDArray[np.float64],
    demand: Demand,
    covered: tuple[NDArray[np.bool_], NDArray[np.bool_]],
    sectors: pd.DataFrame,
    served: NDArray[np.float64] | None = None,
) -> dict[str, Any]:
    """Evaluate today's sites like the plan, and put both side by side per wijk.

    Parameters
    ----------
    existing_role
        ``(n_sites,)`` each site's role today: ``house``, ``antenne`` or empty.
    d
        ``(n_rows, n_sites)`` minutes from each demand row to each site (``inf``: no route).
    demand
        The demand rows: families, neediest fifth, standards per row.
    covered
        The plan's per-row flags: a house within ``R_H``, a house or antenne within ``R_A``.
    sectors
        The plan's sector table, in the order of ``demand.sector``'s indices; its ``wijk``
        (and ``wijk_name``) columns give the wijken.
    served
        With capacities: the share of each row's families served at its house in the plan
        (the plan's house figures count these; today's count every family within ``R_H``).

    Returns
    -------
    dict
        ``today`` (``rule``, ``houses``, ``antennes``, ``cost``, ``coverage`` and ``families``
        per figure of :data:`FIGURES`, ``capacities_ignored``), ``families_reached`` (the plan's
        families per figure, and ``target`` / ``neediest_quintile``: all families and those
        of the neediest fifth) and, with a ``wijk`` column, ``by_wijk`` (per wijk code, in
        order of the wijk's name: ``name``, ``sectors``, ``families``, ``house_today``,
        ``house_plan``, ``frequent_today``, ``frequent_plan``, in families).
    """
    role = np.asarray(existing_role, dtype=object)
    house_today = role == "house"
    any_today = house_today | (role == "antenne")
    tt_house, _ = nearest_open(d, house_today)
    tt_frequent, _ = nearest_open(d, any_today)
    house = (tt_house <= demand.radius_house).astype(float)
    frequent = tt_frequent <= demand.radius_frequent
    plan_house = np.asarray(covered[0] if served is None else served, dtype=float)
    plan_frequent = np.asarray(covered[1], dtype=bool)
    neediest = np.asarray(demand.neediest, dtype=bool)
    blocks: dict[str, Any] = {
        "today": {
            "rule": TODAY_RULE,
            "houses": int(house_today.sum()),
            "antennes": int((role == "antenne").sum()),
            "cost": 0.0,
            "coverage": _shares(house, frequent, demand),
            "families": _families(house, frequent.astype(float), demand),
            "capacities_ignored": served is not None,
        },
        "families_reached": {
            "target": round(float(demand.target.sum()), 2),
            "neediest_quintile": round(float(demand.target[neediest].sum()), 2),
            **_families(plan_house, plan_frequent.astype(float), demand),
        },
    }
    if "wijk" in sectors.columns and sectors["wijk"].notna().any():
        blocks["by_wijk"] = _by_wijk(
            sectors,
            demand,
            {
                "house_today": house,
                "house_plan": plan_house,
                "frequent_today": frequent.astype(float),
                "frequent_plan": plan_frequent.astype(float),
            },
        )
    return blocks
