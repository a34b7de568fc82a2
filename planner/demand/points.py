r"""Demand points: where in each sector its families live, as several points with shares.

A sector's target group :math:`T_i` is spread over points :math:`q` inside it, each with a share
:math:`s_q` (the shares of a sector sum to 1), so that a sector can be partly within a standard.
Three ways to place them (``demand.points``):

``network`` (the default)
    The street nodes inside the sector, each weighted by the length of street around it: half
    the length of every street it ends, counted once per street whatever its directions, and
    only streets at a residential speed (:data:`RESIDENTIAL_KMH` or slower: no motorway or
    arterial road, where nobody lives). With a population raster (``data.population_raster``)
    the weight is multiplied by the raster's population at the node.
``grid``
    Square cells of ``demand.grid_cell_m`` metres clipped to the sector, each at a point on its
    surface and weighted by its area (times the raster's population, with a raster). For areas
    without a street network.
``sector``
    One representative point per sector (share 1): all of a sector's families at one place.

A sector with no usable node or cell inside (a small sector, or one without streets) keeps its
representative point with share 1; such sectors are counted and named in the log.

.. math::

    s_q = \frac{\ell_q \, \rho_q}{\sum_{q' \in i(q)} \ell_{q'} \, \rho_{q'}}

with :math:`\ell_q` the street length (or cell area) and :math:`\rho_q` the raster population
(1 without a raster).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import shapely

from planner.data.raster import raster_values
from planner.errors import DataError

if TYPE_CHECKING:
    from pathlib import Path

    from numpy.typing import NDArray

__all__ = ["RESIDENTIAL_KMH", "DemandPoints", "grid_points", "street_points"]

logger = logging.getLogger(__name__)

RESIDENTIAL_KMH = 50.0
"""Streets faster than this (km/h, by the network's speeds) carry no demand points' weight."""

_SHOWN = 5


@dataclass(frozen=True)
class DemandPoints:
    """Demand points of the sectors.

    Attributes
    ----------
    sector : numpy.ndarray
        ``(n_points,)`` index of each point's sector.
    share : numpy.ndarray
        ``(n_points,)`` share of the sector's families at the point (sums to 1 per sector).
    xy : numpy.ndarray
        ``(n_points, 2)`` coordinates in the sectors' CRS.
    method : str
        ``"network"``, ``"grid"`` or ``"sector"``.
    fallback : tuple of str
        Ids of the sectors that kept their representative point (nothing usable inside).
    """

    sector: NDArray[np.int64]
    share: NDArray[np.float64]
    xy: NDArray[np.float64]
    method: str
    fallback: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        """Number of points."""
        return int(self.sector.shape[0])


def _first_container(
    polygons: NDArray[np.object_], xy: NDArray[np.float64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Return (point, sector) indices of points inside or on a sector; the lowest sector wins."""
    tree = shapely.STRtree(polygons)
    point, sector = tree.query(shapely.points(xy), predicate="intersects")
    order = np.lexsort((sector, point))
    point, sector = point[order], sector[order]
    first = np.ones(point.shape[0], dtype=bool)
    first[1:] = point[1:] != point[:-1]
    return point[first].astype(np.int64), sector[first].astype(np.int64)


def _street_length(
    n_nodes: int,
    edge_from: NDArray[np.int64],
    edge_to: NDArray[np.int64],
    edge_length_m: NDArray[np.float64],
    edge_minutes: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Half the length of the residential streets ending at each node, each street once."""
    speed = np.divide(
        edge_length_m / 1000.0,
        edge_minutes / 60.0,
        out=np.zeros_like(edge_length_m),
        where=edge_minutes > 0,
    )
    keep = speed <= RESIDENTIAL_KMH + 1e-9
    low = np.minimum(edge_from, edge_to)[keep]
    high = np.maximum(edge_from, edge_to)[keep]
    length = edge_length_m[keep]
    _, once = np.unique(np.column_stack([low, high]), axis=0, return_index=True)
    half = length[once] / 2.0
    around = np.bincount(low[once], weights=half, minlength=n_nodes) + np.bincount(
        high[once], weights=half, minlength=n_nodes
    )
    return around.astype(np.float64)


def _shares(
    point_sector: NDArray[np.int64],
    weight: NDArray[np.float64],
    point_xy: NDArray[np.float64],
    sector_xy: NDArray[np.float64],
    sector_ids: list[str],
    method: str,
) -> DemandPoints:
    """Normalise weights per sector; sectors without weight keep their representative point."""
    n = len(sector_ids)
    usable = weight > 0
    point_sector, weight, point_xy = point_sector[usable], weight[usable], point_xy[usable]
    total = np.bincount(point_sector, weights=weight, minlength=n)
    empty = np.flatnonzero(total <= 0)
    sector = np.concatenate([point_sector, empty]).astype(np.int64)
    share = np.concatenate([weight / total[point_sector], np.ones(empty.shape[0])])
    xy = np.vstack([point_xy, sector_xy[empty]]) if empty.size else point_xy
    order = np.lexsort((xy[:, 1], xy[:, 0], sector))  # by sector, then position: deterministic
    fallback = tuple(sector_ids[i] for i in empty)
    if fallback:
        shown = ", ".join(fallback[:_SHOWN]) + (" ..." if len(fallback) > _SHOWN else "")
        logger.info(
            f"{len(fallback)} of {n} sectors have no {method} point inside and keep their "
            f"representative point: {shown}"
        )
    return DemandPoints(
        sector=sector[order],
        share=share[order],
        xy=np.ascontiguousarray(xy[order], dtype=np.float64),
        method=method,
        fallback=fallback,
    )


def _with_raster(
    weight: NDArray[np.float64],
    point_sector: NDArray[np.int64],
    point_xy: NDArray[np.float64],
    raster: Path | None,
    crs: object,
    n_sectors: int,
) -> NDArray[np.float64]:
    """Multiply the weights by the raster population; sectors it leaves empty keep theirs."""
    if raster is None or point_xy.shape[0] == 0:
        return weight
    population = raster_values(raster, point_xy, crs)
    weighted = weight * population
    has = np.bincount(point_sector, weights=weighted, minlength=n_sectors) > 0
    kept = ~has[point_sector]
    if kept.any():
        logger.info(
            f"{int((~has).sum())} sectors have no raster population at their points; their "
            "points are weighted by street length or area alone"
        )
    return np.where(kept, weight, weighted)


def street_points(
    polygons: NDArray[np.object_],
    sector_xy: NDArray[np.float64],
    sector_ids: list[str],
    node_xy: NDArray[np.float64],
    edges: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]],
    *,
    raster: Path | None = None,
    crs: object = None,
) -> DemandPoints:
    """Place demand points on the street nodes inside each sector (module docstring).

    Parameters
    ----------
    polygons
        ``(n_sectors,)`` sector polygons, in the network's CRS.
    sector_xy
        ``(n_sectors, 2)`` representative points (for sectors without a node inside).
    sector_ids
        Sector ids, for messages.
    node_xy
        ``(n_nodes, 2)`` network node coordinates.
    edges
        ``(edge_from, edge_to, edge_length_m, edge_minutes)`` of the network.
    raster
        Optional population raster weighting the nodes.
    crs
        CRS of the coordinates (for the raster).

    Returns
    -------
    DemandPoints
        The points, sorted by sector and position.
    """
    edge_from, edge_to, edge_length_m, edge_minutes = edges
    length = _street_length(node_xy.shape[0], edge_from, edge_to, edge_length_m, edge_minutes)
    node, sector = _first_container(polygons, node_xy)
    weight = _with_raster(length[node], sector, node_xy[node], raster, crs, len(sector_ids))
    return _shares(sector, weight, node_xy[node], sector_xy, sector_ids, "network")


def grid_points(
    polygons: NDArray[np.object_],
    sector_xy: NDArray[np.float64],
    sector_ids: list[str],
    cell_m: float,
    *,
    raster: Path | None = None,
    crs: object = None,
) -> DemandPoints:
    """Place demand points on square cells of ``cell_m`` metres clipped to each sector.

    Parameters
    ----------
    polygons
        ``(n_sectors,)`` sector polygons in a projected CRS (metres).
    sector_xy
        ``(n_sectors, 2)`` representative points (for sectors smaller than a usable cell part).
    sector_ids
        Sector ids, for messages.
    cell_m
        Cell size in metres (> 0).
    raster
        Optional population raster weighting the cells.
    crs
        CRS of the coordinates (for the raster).

    Returns
    -------
    DemandPoints
        One point per non-empty cell part, sorted by sector and position.

    Raises
    ------
    DataError
        When ``cell_m`` is not positive or the grid would hold more than 5 million cells.
    """
    if not cell_m > 0:
        raise DataError(f"demand.grid_cell_m must be a positive number of metres, got {cell_m}")
    x0, y0, x1, y1 = shapely.total_bounds(polygons)
    nx, ny = max(1, int(np.ceil((x1 - x0) / cell_m))), max(1, int(np.ceil((y1 - y0) / cell_m)))
    if nx * ny > 5_000_000:
        raise DataError(
            f"demand.grid_cell_m = {cell_m:g} m gives {nx * ny:,} cells over the sectors: use "
            "larger cells"
        )
    ix, iy = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    left, bottom = x0 + ix.ravel() * cell_m, y0 + iy.ravel() * cell_m
    cells = shapely.box(left, bottom, left + cell_m, bottom + cell_m)
    cell, sector = shapely.STRtree(cells).query(polygons, predicate="intersects")[::-1]
    parts = shapely.intersection(cells[cell], polygons[sector])
    area = shapely.area(parts)
    keep = area > 1e-6 * cell_m * cell_m
    parts, sector, area = parts[keep], sector[keep].astype(np.int64), area[keep]
    xy = shapely.get_coordinates(shapely.point_on_surface(parts))
    weight = _with_raster(area, sector, xy, raster, crs, len(sector_ids))
    return _shares(sector, weight, xy, sector_xy, sector_ids, "grid")
