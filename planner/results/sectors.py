r"""From demand rows to sectors: the plan's per-point table and its per-sector summary.

The plan is evaluated per demand row (a sector, or a demand point with a share of its sector's
families, see :mod:`planner.demand.points`). A sector :math:`i` with points :math:`q` then gets

.. math::

    \text{covered share}_i = \frac{\sum_{q \in i} T_q \,[t_q \le R(q)]}{\sum_{q \in i} T_q},

its travel time is the family-weighted median over its points (half of its families are at
most that far), its house is the one most of its families use, and it counts as covered when
at least half of its families are (``covered_house``, ``covered_frequent``; with one point per
sector the shares are 0 or 1 and nothing changes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from planner.demand import Demand

__all__ = ["by_sector_mean", "by_sector_median", "by_sector_top", "points_table"]


def by_sector_mean(
    flag: NDArray[np.float64], demand: Demand, *, weights: NDArray[np.float64] | None = None
) -> NDArray[np.float64]:
    """Family-weighted mean of a per-row value per sector: with a flag, the share of families."""
    w = demand.target if weights is None else weights
    total = demand.per_sector(w)
    # a sector without families: every point counts the same (one point: its own value)
    w = np.where(total[demand.sector] > 0, w, 1.0)
    total = demand.per_sector(w)
    part = demand.per_sector(w * np.asarray(flag, dtype=float))
    return np.divide(part, total, out=np.zeros_like(total), where=total > 0)


def by_sector_median(values: NDArray[np.float64], demand: Demand) -> NDArray[np.float64]:
    """Family-weighted median of a per-row value over each sector's rows (``inf`` allowed)."""
    sector = demand.sector
    if not demand.by_point:
        out = np.full(demand.n_sectors, np.nan)
        out[sector] = values
        return out
    order = np.lexsort((values, sector))
    s, v, w = sector[order], values[order], demand.target[order]
    cumulative = np.cumsum(w)
    start = np.searchsorted(s, s, side="left")
    before = np.where(start > 0, cumulative[np.maximum(start - 1, 0)], 0.0)
    within = cumulative - before
    total = demand.per_sector(demand.target)
    reached = within >= 0.5 * total[s] - 1e-9 * np.maximum(total[s], 1.0)
    out = np.full(demand.n_sectors, np.nan)
    # the first row of each sector (an empty sector takes it), then the first to reach half
    first = np.ones(s.shape[0], dtype=bool)
    first[1:] = s[1:] != s[:-1]
    out[s[first]] = v[first]
    hit = np.flatnonzero(reached)
    _, at = np.unique(s[hit], return_index=True)
    out[s[hit[at]]] = v[hit[at]]
    return out


def by_sector_top(index: NDArray[np.int64], demand: Demand, n_sites: int) -> NDArray[np.int64]:
    """Return the site most of each sector's families use (-1: none; ties: lowest index)."""
    if not demand.by_point:
        out = np.full(demand.n_sectors, -1, dtype=np.int64)
        out[demand.sector] = index
        return out
    used = index >= 0
    families = np.zeros((demand.n_sectors, n_sites + 1))
    np.add.at(families, (demand.sector, np.where(used, index, n_sites)), demand.target)
    # a sector where nobody reaches a site, or whose families are 0: the most common row
    counts = np.zeros((demand.n_sectors, n_sites + 1))
    np.add.at(counts, (demand.sector, np.where(used, index, n_sites)), 1.0)
    score = families + 1e-9 * counts
    best = np.argmax(score, axis=1).astype(np.int64)
    return np.where(best == n_sites, -1, best)


def points_table(
    demand: Demand,
    ids: tuple[str, ...],
    sector_ids: NDArray[np.object_],
    columns: dict[str, NDArray[np.generic] | list[str | None]],
    crs: object,
) -> gpd.GeoDataFrame:
    """Tabulate the plan per demand row: ids, families, need and ``columns``.

    Parameters
    ----------
    demand
        The demand rows.
    ids
        A unique label per row (the sector id with one point per sector).
    sector_ids
        The sector ids (indexed by ``demand.sector``).
    columns
        Further per-row columns (times, coverage flags, sites).
    crs
        CRS of the points.

    Returns
    -------
    geopandas.GeoDataFrame
        One point per row, in row order.
    """
    data: dict[str, object] = {
        "point_id": list(ids),
        "sector_id": sector_ids[demand.sector],
        "share": np.round(demand.share, 6),
        "target": np.round(demand.target, 6),
        "need": np.round(demand.need, 6),
        "weight": np.round(demand.weight, 6),
        "neediest_quintile": demand.neediest,
        **columns,
    }
    if demand.mode is not None:  # one row per point and mode
        data["mode"] = np.asarray(demand.modes, dtype=object)[demand.mode]
    return gpd.GeoDataFrame(
        data, geometry=gpd.points_from_xy(demand.xy[:, 0], demand.xy[:, 1]), crs=crs
    )
