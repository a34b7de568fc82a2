r"""Need index, proportionate-universalism weights and a representative point per sector.

The need index of sector :math:`i` combines indicators :math:`x_{ik}`, each rescaled to
:math:`[0, 1]` over the sectors of the scenario with its direction stated:

.. math::

    r_{ik} = \frac{x_{ik} - \min_i x_{ik}}{\max_i x_{ik} - \min_i x_{ik}}
    \quad\text{(higher is needier)}, \qquad
    r_{ik} = 1 - \frac{x_{ik} - \min_i x_{ik}}{\max_i x_{ik} - \min_i x_{ik}}
    \quad\text{(lower is needier)},

    n_i = \frac{\sum_k \omega_k r_{ik}}{\sum_k \omega_k}

with indicator weights :math:`\omega_k`. An indicator that is equal in every sector carries no
contrast and gives :math:`r_{ik} = 0`. A missing value (for example an income Statbel
suppressed for a small sector) is *imputed with the median of that indicator* over the other
sectors, so the sector gets a middle rank instead of a silent extreme; the sectors concerned
are logged and listed in the summary.

The demand weight is proportionate universalism:

.. math::

    w_i = T_i \, (1 + \lambda \, n_i)

with :math:`T_i` the target group (families with young children) and :math:`\lambda \ge 0`;
:math:`\lambda = 0` is plain universalism and :math:`\lambda = 1` makes a family in the
neediest sector count double.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import shapely

from planner.errors import CHANGES_FIGURE, DataError

if TYPE_CHECKING:
    import geopandas as gpd
    from numpy.typing import NDArray

    from planner.scenario import NeedSpec, StandardsSpec

__all__ = [
    "QUINTILE_EDGES",
    "Demand",
    "build_demand",
    "demand_weights",
    "need_index",
    "need_quintiles",
    "neediest_quintile",
    "representative_points",
    "row_quintiles",
    "target_group",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Demand:
    r"""Demand per row: a sector, or a demand point (and travel mode) of a sector.

    One row per sector comes in the order of the sector layer; demand points come sorted by
    sector, and ``sector`` and ``share`` say which sector and which part of its families.

    Attributes
    ----------
    target : numpy.ndarray
        :math:`T_i`, families in the target group.
    need : numpy.ndarray
        :math:`n_i \in [0, 1]`.
    weight : numpy.ndarray
        :math:`w_i = T_i (1 + \lambda n_i)`.
    neediest : numpy.ndarray
        True for the rows of the sectors holding the neediest fifth of the target group.
    radius_house, radius_frequent : numpy.ndarray
        Standards per row in minutes, :math:`R(i) = R (1 - \mu n_i)` of the row's sector.
    xy : numpy.ndarray
        ``(n, 2)`` point of each row (a sector's representative point, or a demand point).
    imputed : tuple of str
        Ids of sectors whose indicators were partly imputed.
    sector : numpy.ndarray
        ``(n,)`` index of the sector each row belongs to. A :class:`Demand` from
        :func:`build_demand` has one row per sector (``sector[i] == i``); one from
        :meth:`Demand.at_points` has one row per demand point.
    share : numpy.ndarray
        ``(n,)`` share of the sector's target group at the row (1 for a sector row).
    n_sectors : int
        Number of sectors the rows belong to.
    method : str
        How the rows were placed: ``"sector"`` (one representative point per sector),
        ``"network"`` (street nodes) or ``"grid"`` (grid cells); see
        :mod:`planner.demand.points`.
    mode : numpy.ndarray or None
        ``(n,)`` index into ``modes`` of the mode of each row, when the rows are split by
        travel mode (:func:`planner.demand.modes.split_by_mode`); None for one mode.
    modes : tuple of str
        The modes ``mode`` indexes (empty for one mode).
    point : numpy.ndarray or None
        ``(n,)`` index of the demand point (row before the split by mode) of each row; None
        for one mode.
    """

    target: NDArray[np.float64]
    need: NDArray[np.float64]
    weight: NDArray[np.float64]
    neediest: NDArray[np.bool_]
    radius_house: NDArray[np.float64]
    radius_frequent: NDArray[np.float64]
    xy: NDArray[np.float64]
    imputed: tuple[str, ...]
    sector: NDArray[np.int64]
    share: NDArray[np.float64]
    n_sectors: int
    method: str = "sector"
    mode: NDArray[np.int64] | None = None
    modes: tuple[str, ...] = ()
    point: NDArray[np.int64] | None = None

    @property
    def by_point(self) -> bool:
        """Whether a sector may have several rows (demand points, or one row per mode)."""
        return self.method != "sector" or self.mode is not None

    def at_points(
        self,
        sector: NDArray[np.int64],
        share: NDArray[np.float64],
        xy: NDArray[np.float64],
        method: str,
    ) -> Demand:
        r"""Spread each sector's families over demand points: one row per point.

        A point :math:`q` of sector :math:`i(q)` with share :math:`s_q` of its families gets
        :math:`T_q = s_q T_{i(q)}`, :math:`w_q = s_q w_{i(q)}`, and its sector's need, neediest
        flag and standards. The shares of a sector's points sum to 1.

        Parameters
        ----------
        sector
            ``(n_points,)`` sector index (into this demand's rows) of each point.
        share
            ``(n_points,)`` share of the sector's target group at each point.
        xy
            ``(n_points, 2)`` point coordinates.
        method
            How the points were placed (``"network"``, ``"grid"``, ``"sector"``).

        Returns
        -------
        Demand
            One row per point, ``sector`` and ``share`` set.
        """
        sector = np.asarray(sector, dtype=np.int64)
        share = np.asarray(share, dtype=np.float64)
        return Demand(
            target=self.target[sector] * share,
            need=self.need[sector],
            weight=self.weight[sector] * share,
            neediest=self.neediest[sector],
            radius_house=self.radius_house[sector],
            radius_frequent=self.radius_frequent[sector],
            xy=np.asarray(xy, dtype=np.float64),
            imputed=self.imputed,
            sector=sector,
            share=share,
            n_sectors=self.n_sectors,
            method=method,
        )

    def per_sector(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        """Sum a per-row quantity over each sector's rows (``(n_sectors,)``)."""
        summed = np.bincount(self.sector, weights=values, minlength=self.n_sectors)
        return summed.astype(np.float64)


def need_index(
    values: NDArray[np.float64], higher_is_needier: NDArray[np.bool_], weights: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    r"""Combine indicator columns into a need index in [0, 1].

    Parameters
    ----------
    values
        ``(n_sectors, n_indicators)`` raw indicator values; NaN where missing.
    higher_is_needier
        ``(n_indicators,)`` direction of each indicator.
    weights
        ``(n_indicators,)`` positive weights :math:`\omega_k`.

    Returns
    -------
    need : numpy.ndarray
        :math:`n_i` per sector (see the module docstring for the formula).
    imputed : numpy.ndarray
        True for sectors where at least one value was missing and imputed with the median.

    Raises
    ------
    DataError
        When an indicator has no value in any sector.
    """
    values = np.array(values, dtype=float, copy=True)
    missing: NDArray[np.bool_] = np.isnan(values)
    if missing.all(axis=0).any():
        columns = ", ".join(str(k) for k in np.flatnonzero(missing.all(axis=0)))
        raise DataError(
            f"need indicators #{columns} (counting from 0) have no value in any sector: fill "
            "them in or remove them from need.indicators"
        )
    medians = np.nanmedian(values, axis=0)
    values = np.where(missing, medians[np.newaxis, :], values)
    low = values.min(axis=0)
    span = values.max(axis=0) - low
    scaled = np.divide(values - low, span, out=np.zeros_like(values), where=span > 0)
    scaled = np.where(higher_is_needier[np.newaxis, :] | (span == 0), scaled, 1.0 - scaled)
    need: NDArray[np.float64] = np.clip(scaled @ weights / weights.sum(), 0.0, 1.0)
    imputed: NDArray[np.bool_] = np.any(missing, axis=1)
    return need, imputed


def demand_weights(
    target: NDArray[np.float64], need: NDArray[np.float64], equity_lambda: float
) -> NDArray[np.float64]:
    r"""Return proportionate-universalism weights :math:`w_i = T_i (1 + \lambda n_i)`.

    Parameters
    ----------
    target
        :math:`T_i`, families in the target group per sector.
    need
        :math:`n_i \in [0, 1]`.
    equity_lambda
        :math:`\lambda \ge 0`.

    Returns
    -------
    numpy.ndarray
        :math:`w_i` per sector.
    """
    return np.asarray(target, dtype=float) * (1.0 + equity_lambda * np.asarray(need, dtype=float))


def neediest_quintile(need: NDArray[np.float64], target: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Flag the sectors that hold the neediest fifth of the target group.

    Sectors are ranked by need (ties by position, so the result is deterministic) and taken
    until their cumulative share of the target group reaches 20 %; the sector that crosses the
    line is included when the larger part of its families lies below it.

    Parameters
    ----------
    need
        :math:`n_i` per sector.
    target
        :math:`T_i` per sector.

    Returns
    -------
    numpy.ndarray
        Boolean flag per sector.
    """
    order = np.lexsort((np.arange(len(need)), -np.asarray(need)))
    total = float(np.sum(target))
    flags = np.zeros(len(need), dtype=bool)
    if total <= 0:
        return flags
    cumulative = np.cumsum(np.asarray(target, dtype=float)[order])
    midpoints = (cumulative - np.asarray(target, dtype=float)[order] / 2.0) / total
    flags[order[midpoints <= 0.2]] = True
    if not flags.any():
        flags[order[0]] = True
    return flags


def representative_points(sectors: gpd.GeoDataFrame) -> NDArray[np.float64]:
    """Return one point per sector as an ``(n, 2)`` array.

    When the sectors carry ``point_x`` / ``point_y`` columns (``data.point_x`` / ``point_y``,
    e.g. population-weighted points from :func:`planner.data.raster.raster_points`), those are used;
    a sector whose cells are empty gets the fallback below, and points outside their sector
    are counted in a warning. Otherwise ``representative_point`` is used: it is guaranteed to
    lie inside the polygon, which the centroid of a crescent-shaped sector is not.

    Parameters
    ----------
    sectors
        Sector polygons in a projected CRS.

    Returns
    -------
    numpy.ndarray
        ``x, y`` per sector in the layer's CRS.
    """
    points = sectors.geometry.representative_point()
    xy = np.column_stack([points.x.to_numpy(), points.y.to_numpy()])
    if "point_x" not in sectors.columns or "point_y" not in sectors.columns:
        return xy
    given = sectors[["point_x", "point_y"]].to_numpy(dtype=float)
    usable = np.isfinite(given).all(axis=1)
    if not usable.all():
        logger.warning(
            "%d sectors have no point in point_x/point_y; a point on their surface is used",
            int((~usable).sum()),
            extra=CHANGES_FIGURE,
        )
    xy[usable] = given[usable]
    inside = shapely.contains_xy(np.asarray(sectors.geometry.array), xy[:, 0], xy[:, 1])
    if not inside.all():
        logger.warning(
            "%d sector points from point_x/point_y lie outside their sector: %s",
            int((~inside).sum()),
            ", ".join(str(v) for v in sectors.loc[~inside, "sector_id"][:10]),
            extra=CHANGES_FIGURE,
        )
    return xy


def build_demand(
    sectors: gpd.GeoDataFrame, need_spec: NeedSpec, standards: StandardsSpec
) -> Demand:
    r"""Compute need, weights, the neediest quintile, standards and points per sector.

    Parameters
    ----------
    sectors
        Sectors as returned by :func:`planner.data.inputs.read_inputs`.
    need_spec
        The scenario's ``need`` section.
    standards
        The scenario's ``standards`` section; :math:`R(i) = R (1 - \mu n_i)`.

    Returns
    -------
    Demand
        Arrays in the order of ``sectors``.
    """
    columns = [indicator.column for indicator in need_spec.indicators]
    values = sectors[columns].to_numpy(dtype=float)
    direction = np.array(
        [ind.direction == "higher_is_needier" for ind in need_spec.indicators], dtype=bool
    )
    weights = np.array([ind.weight for ind in need_spec.indicators], dtype=float)
    need, imputed = need_index(values, direction, weights)
    imputed_ids = tuple(str(value) for value in sectors.loc[imputed, "sector_id"])
    if imputed_ids:
        logger.warning(
            "%d sectors miss an indicator value; imputed with the indicator's median: %s",
            len(imputed_ids),
            ", ".join(imputed_ids[:10]),
        )
    target = sectors["target"].to_numpy(dtype=float)
    weight = demand_weights(target, need, need_spec.equity_lambda)
    factor = 1.0 - standards.need_tightening * need
    logger.info(
        "Need index over %d sectors: mean %.2f, %d sectors in the neediest quintile",
        len(need),
        float(need.mean()) if len(need) else 0.0,
        int(neediest_quintile(need, target).sum()),
    )
    return Demand(
        target=target,
        need=need,
        weight=weight,
        neediest=neediest_quintile(need, target),
        radius_house=standards.house_min * factor,
        radius_frequent=standards.frequent_min * factor,
        xy=representative_points(sectors),
        imputed=imputed_ids,
        sector=np.arange(len(need), dtype=np.int64),
        share=np.ones(len(need)),
        n_sectors=len(need),
    )


QUINTILE_EDGES = (0.2, 0.4, 0.6, 0.8)
"""Upper edges (shares of the target group, neediest first) of quintiles 1 to 4."""


def need_quintiles(need: NDArray[np.float64], target: NDArray[np.float64]) -> NDArray[np.int64]:
    """Return the need quintile of every sector: 1 = neediest fifth, ..., 5 = least needy.

    Sectors are ranked by need, neediest first (ties by position) and assigned to quintile
    :math:`q` when the midpoint of their families on the cumulative scale lies in
    :math:`((q - 1)/5, q/5]`. Quintile 1 is the same set of sectors as
    :func:`neediest_quintile` (including its rule that the neediest sector is
    in quintile 1 even when it holds more than two fifths of the families).

    Parameters
    ----------
    need
        Need index :math:`n_i` per sector.
    target
        Families :math:`T_i` per sector.

    Returns
    -------
    numpy.ndarray
        Quintile 1 to 5 per sector; all 5 when there are no families at all.
    """
    need = np.asarray(need, dtype=float)
    target = np.asarray(target, dtype=float)
    quintile = np.full(len(need), 5, dtype=np.int64)
    total = float(np.sum(target))
    if total <= 0 or len(need) == 0:
        return quintile
    order = np.lexsort((np.arange(len(need)), -need))
    cumulative = np.cumsum(target[order])
    midpoints = (cumulative - target[order] / 2.0) / total
    quintile[order] = np.searchsorted(np.asarray(QUINTILE_EDGES), midpoints, side="left") + 1
    if not (quintile == 1).any():
        quintile[order[0]] = 1
    return quintile


def row_quintiles(demand: Demand) -> NDArray[np.int64]:
    """Return the need quintile (1 = neediest fifth .. 5) of every demand row.

    Quintiles are made of whole sectors (:func:`need_quintiles` over the sectors' need and
    families), whatever the rows are: sectors, demand points or points per mode.

    Parameters
    ----------
    demand
        The demand rows.

    Returns
    -------
    numpy.ndarray
        The quintile of each row's sector.
    """
    sector = np.asarray(demand.sector, dtype=np.int64)
    n = int(demand.n_sectors)
    need = np.zeros(n)
    need[sector] = demand.need
    target = np.bincount(sector, weights=demand.target, minlength=n).astype(np.float64)
    return need_quintiles(need, target)[sector]


def target_group(demand: Demand, group: str) -> NDArray[np.bool_]:
    """Return the demand rows of a group of ``objective.targets``.

    Parameters
    ----------
    demand
        The demand rows.
    group
        ``all``, ``neediest_fifth`` (the summary's neediest fifth) or ``quintile_1`` ..
        ``quintile_5`` (1 = neediest).

    Returns
    -------
    numpy.ndarray
        True for the rows of the group.

    Raises
    ------
    DataError
        For another group name.
    """
    if group == "all":
        return np.ones(demand.target.shape[0], dtype=bool)
    if group == "neediest_fifth":
        return np.asarray(demand.neediest, dtype=bool).copy()
    if group.startswith("quintile_") and group[-1] in "12345" and len(group) == len("quintile_1"):
        return np.asarray(row_quintiles(demand) == int(group[-1]), dtype=bool)
    raise DataError(
        f"objective.targets: unknown group {group!r}: use all, neediest_fifth or quintile_1 .. "
        "quintile_5"
    )
