r"""Demand: need index, proportionate-universalism weights, standards and demand points.

- :mod:`planner.demand.need`: the need index, the weights :math:`w_i = T_i (1 + \lambda n_i)`,
  the neediest fifth and the per-sector standards (:func:`build_demand`).
- :mod:`planner.demand.points`: where in each sector its families are (street nodes, grid cells
  or one point), each with a share of the sector's families (:meth:`Demand.at_points`).
"""

from __future__ import annotations

from planner.demand.need import (
    Demand,
    build_demand,
    demand_weights,
    need_index,
    neediest_quintile,
    representative_points,
)
from planner.demand.points import DemandPoints, grid_points, street_points

__all__ = [
    "Demand",
    "DemandPoints",
    "build_demand",
    "demand_weights",
    "grid_points",
    "need_index",
    "neediest_quintile",
    "representative_points",
    "street_points",
]
