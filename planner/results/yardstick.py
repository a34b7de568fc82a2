r"""The figures of a plan at its own standards' range and at the common standard.

A scenario with stricter standards for the neediest (``standards.need_tightening``
:math:`\mu > 0`, so :math:`R(i) = R (1 - \mu n_i)`) measures every coverage figure against its
own, stricter yardstick: the same families may then look *less* reached than in a scenario
without the tightening, while they are in fact nearer to a house. :func:`common_standard`
re-evaluates the **same plan** (the same open sites, the same house per row and, with
capacities, the same assignment of families) at the scenario's standards **without** the
need tightening, :math:`R(i) = R` (each travel mode at its own standards), the yardstick of
every other scenario: row :math:`i` has a house when :math:`t^H_i \le R_H` and frequent
services when :math:`t^A_i \le R_A`. ``summary.json`` carries it as ``common_standard``; the
note puts both side by side and ``planner compare`` compares on it by default.

:func:`standard_figures` gives the summary both blocks that re-read the plan's travel times
against other standards: ``precision`` (:mod:`planner.results.precision`) and, with need
tightening, ``common_standard``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from planner.results.equity import equity_summary
from planner.results.metrics import coverage_share, served_share
from planner.results.precision import coverage_precision

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from planner.demand import Demand
    from planner.scenario import StandardsSpec

__all__ = ["COMMON_REASON", "common_standard", "standard_figures"]

COMMON_REASON = (
    "the scenario's standards are stricter for the neediest sectors (need_tightening); these "
    "are the same plan's figures at its standards without that tightening, the yardstick "
    "of scenarios without it"
)
"""Why the block is there, as written in ``summary.json``."""


def common_standard(
    standards: StandardsSpec,
    tt_house: NDArray[np.float64],
    tt_frequent: NDArray[np.float64],
    demand: Demand,
    served: NDArray[np.float64] | None = None,
) -> dict[str, Any] | None:
    r"""Evaluate a plan at the common standard: its standards without the need tightening.

    Parameters
    ----------
    standards
        The scenario's standards (``need_tightening`` is :math:`\mu`).
    tt_house, tt_frequent
        ``(n,)`` minutes from each demand row to its house, and to its nearest house or
        antenne (``inf`` when unreachable).
    demand
        The demand rows: families, need, the neediest fifth and the (tightened) standards.
    served
        ``(n,)`` share of each row's families served at its house (with capacities), held
        fixed; None when coverage is all or nothing.

    Returns
    -------
    dict or None
        ``reason``, ``standards_min`` (``house``, ``frequent``, ``need_tightening`` 0),
        ``coverage`` (``house``, ``frequent``, ``house_neediest_quintile``,
        ``frequent_neediest_quintile``, ``house_rest``, ``frequent_rest``: shares of families)
        and ``by_quintile`` (``q1`` ... ``q5``: ``coverage_house``, ``coverage_frequent``);
        None when the scenario has no need tightening (its figures are then the common ones).
    """
    mu = standards.need_tightening
    if mu <= 0:
        return None
    factor = 1.0 - mu * np.asarray(demand.need, dtype=float)
    radius_house = np.asarray(demand.radius_house, dtype=float) / factor
    radius_frequent = np.asarray(demand.radius_frequent, dtype=float) / factor
    within_house = np.asarray(tt_house, dtype=float) <= radius_house
    house = within_house.astype(float)
    if served is not None:  # the assignment held fixed, as in the precision ranges
        house *= np.asarray(served, dtype=float)
    frequent = np.asarray(tt_frequent, dtype=float) <= radius_frequent
    target, neediest = demand.target, np.asarray(demand.neediest, dtype=bool)
    equity = equity_summary(
        need=demand.need,
        target=target,
        tt_house=tt_house,
        tt_frequent=tt_frequent,
        radius_house=radius_house,
        radius_frequent=radius_frequent,
        served_house=house,
        sector=demand.sector if demand.by_point else None,
    )
    return {
        "reason": COMMON_REASON,
        "standards_min": {
            "house": standards.house_min,
            "frequent": standards.frequent_min,
            "need_tightening": 0.0,
        },
        "coverage": {
            "house": served_share(house, target),
            "frequent": coverage_share(frequent, target),
            "house_neediest_quintile": served_share(house, target, neediest),
            "frequent_neediest_quintile": coverage_share(frequent, target, neediest),
            "house_rest": served_share(house, target, ~neediest),
            "frequent_rest": coverage_share(frequent, target, ~neediest),
        },
        "assignment_fixed": served is not None,
        "by_quintile": {
            q: {key: figures[key] for key in ("coverage_house", "coverage_frequent")}
            for q, figures in equity["by_quintile"].items()
        },
    }


def standard_figures(
    standards: StandardsSpec,
    tt_house: NDArray[np.float64],
    tt_frequent: NDArray[np.float64],
    demand: Demand,
    served: NDArray[np.float64] | None = None,
) -> dict[str, Any]:
    """Return the summary's ``precision`` block and, with need tightening, ``common_standard``.

    Parameters
    ----------
    standards, tt_house, tt_frequent, demand, served
        As for :func:`common_standard`.

    Returns
    -------
    dict
        ``precision`` (the same plan under speeds ±10 % and standards ±1 min) and
        ``common_standard`` when the scenario tightens its standards for the neediest.
    """
    blocks: dict[str, Any] = {
        "precision": coverage_precision(
            tt_house=tt_house,
            tt_frequent=tt_frequent,
            radius_house=demand.radius_house,
            radius_frequent=demand.radius_frequent,
            families=demand.target,
            neediest=demand.neediest,
            served=served,
        )
    }
    common = common_standard(standards, tt_house, tt_frequent, demand, served)
    if common is not None:
        blocks["common_standard"] = common
    return blocks
