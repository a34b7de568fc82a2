"""The plan's figures per travel mode: the modes block of the summary, the fastest mode per row.

Kept apart from :mod:`planner.results.plan` so that each module stays short.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from planner.demand.modes import equivalent_scale
from planner.results.metrics import coverage_by_mode

if TYPE_CHECKING:
    from planner.demand import Demand
    from planner.model import CoverageSolution
    from planner.scenario import Scenario
    from planner.travel.matrices import TravelTimes

__all__ = ["fastest_columns", "modes_block"]


def modes_block(
    scenario: Scenario,
    demand: Demand,
    covered_house: np.ndarray,
    covered_frequent: np.ndarray,
    solution: CoverageSolution,
) -> dict[str, Any]:
    """Several modes: the rule, each mode's standards and share, coverage per mode (``share``).

    Coverage per mode counts the families using the mode (the rows of the mode); ``coverage``
    beside it is the expected share over all modes. Under ``any`` no row has one mode, so only
    the rule and the standards are given.
    """
    spec = scenario.travel
    if not spec.modes:
        return {}
    standards = spec.mode_standards(scenario.standards)
    block: dict[str, Any] = {
        "combine": spec.combine,
        "modes": {
            mode: {"house_min": house, "frequent_min": frequent, "share": spec.modes[mode].share}
            for mode, (house, frequent) in standards.items()
        },
    }
    if demand.mode is None:
        return {"modes": block}
    served = None if solution.served is None else np.asarray(solution.served, dtype=float)
    block["coverage_by_mode"] = coverage_by_mode(
        demand.mode, demand.modes, demand.target, covered_house, covered_frequent, served
    )
    return {"modes": block}


def fastest_columns(
    scenario: Scenario, travel: TravelTimes, index: tuple[np.ndarray, np.ndarray]
) -> dict[str, np.ndarray | list[str | None]]:
    """Under ``combine: any``: the mode reaching each row's sites and its own minutes.

    ``tt_*_min`` are standard-equivalent minutes there; ``mode_house`` / ``mode_frequent``
    name the mode that gives them and ``tt_*_mode_min`` are that mode's minutes
    (:math:`d' R^m_H / R_H`).
    """
    fastest = travel.fastest_mode
    if fastest is None:
        return {}
    scale = equivalent_scale(scenario.travel, scenario.standards)
    names = np.asarray(list(scenario.travel.modes), dtype=object)
    rows = np.arange(fastest.shape[0])
    out: dict[str, np.ndarray | list[str | None]] = {}
    for tier, site in zip(("house", "frequent"), index, strict=True):
        found = site >= 0
        mode = fastest[rows, np.where(found, site, 0)].astype(np.int64)
        minutes = travel.sector_site[rows, np.where(found, site, 0)] / scale[mode]
        out[f"mode_{tier}"] = [
            str(m) if ok else None for m, ok in zip(names[mode], found, strict=True)
        ]
        out[f"tt_{tier}_mode_min"] = np.round(np.where(found, minutes, np.nan), 3)
    return out
