r"""Travel times: snap points to the network and compute sector-site and site-site matrices.

A trip from a point :math:`p` to a point :math:`q` takes

.. math::

    t(p, q) = \frac{\delta_p}{s} + D\big(\nu(p), \nu(q)\big) + \frac{\delta_q}{s}
    \quad \text{minutes,}

where :math:`\nu(p)` is the network node nearest to :math:`p`, :math:`\delta_p` the straight-line
distance to it (the access and egress legs), :math:`s = v \cdot 1000 / 60` the mode's speed in
metres per minute and :math:`D` the shortest directed network path in minutes. A point farther
than ``max_snap_distance_m`` from every node is unreachable; so is a pair without a directed
path. Unreachable pairs are ``numpy.inf``, never a sentinel number.

Shortest paths come from :func:`scipy.sparse.csgraph.dijkstra` run from the (few) sites on the
transposed graph, which gives the times *to* each site from every node at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from planner.errors import DataError, NetworkError

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from planner.travel.network import Network

__all__ = ["Snap", "TravelTimes", "snap_points", "travel_times"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snap:
    """Nearest network node of each point.

    Attributes
    ----------
    node
        ``(n_points,)`` index of the nearest network node.
    distance_m
        ``(n_points,)`` straight-line distance to that node in metres.
    """

    node: NDArray[np.int64]
    distance_m: NDArray[np.float64]


@dataclass(frozen=True)
class TravelTimes:
    """Travel-time matrices in minutes; ``inf`` marks an unreachable pair.

    Attributes
    ----------
    sector_site
        ``(n_sectors, n_sites)``: from the sector point to the site.
    site_site
        ``(n_sites, n_sites)``: from site ``j`` (row) to site ``k`` (column), as for the link of
        an antenne to its house; the diagonal is 0.
    sector_snap_m, site_snap_m
        Distance of each sector point and site to its nearest network node, in metres.
    unreachable_pairs
        Number of ``inf`` entries in ``sector_site``.
    """

    sector_site: NDArray[np.float64]
    site_site: NDArray[np.float64]
    sector_snap_m: NDArray[np.float64]
    site_snap_m: NDArray[np.float64]
    unreachable_pairs: int


def _check_xy(xy: NDArray[np.float64], name: str) -> NDArray[np.float64]:
    array = np.asarray(xy, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != 2:
        raise DataError(
            f"{name} coordinates must be an (n, 2) array of x, y; got shape {array.shape}"
        )
    bad = ~np.isfinite(array).all(axis=1)
    if bad.any():
        rows = ", ".join(str(i) for i in np.flatnonzero(bad)[:10])
        raise DataError(
            f"{int(bad.sum())} {name} coordinates are not finite (rows {rows}): check their "
            "geometries"
        )
    return array


def snap_points(network: Network, xy: NDArray[np.float64]) -> Snap:
    """Find the nearest network node of each point.

    Parameters
    ----------
    network
        The network, whose ``node_xy`` are in the same CRS as ``xy``.
    xy
        ``(n_points, 2)`` point coordinates in metres.

    Returns
    -------
    Snap
        Nearest node index and straight-line distance per point.

    Raises
    ------
    DataError
        The coordinates are not an ``(n, 2)`` array of finite numbers.
    NetworkError
        The network has no node.
    """
    points = _check_xy(xy, "point")
    if network.n_nodes == 0:
        raise NetworkError(f"network {network.source} has no node to snap points to")
    if points.shape[0] == 0:
        return Snap(node=np.empty(0, dtype=np.int64), distance_m=np.empty(0, dtype=np.float64))
    distance, node = cKDTree(network.node_xy).query(points, k=1)
    return Snap(
        node=np.asarray(node, dtype=np.int64), distance_m=np.asarray(distance, dtype=np.float64)
    )


def _leg_minutes(snap: Snap, network: Network, max_snap_distance_m: float) -> NDArray[np.float64]:
    """Access or egress minutes per point; ``inf`` beyond ``max_snap_distance_m``."""
    minutes = snap.distance_m / (network.speed_kmh * 1000.0 / 60.0)
    return np.where(snap.distance_m > max_snap_distance_m, np.inf, minutes)


def travel_times(
    network: Network,
    sector_xy: NDArray[np.float64],
    site_xy: NDArray[np.float64],
    *,
    max_snap_distance_m: float = 500.0,
) -> TravelTimes:
    r"""Compute the sector-to-site and site-to-site travel-time matrices.

    .. math::

        d_{ij} = \frac{\delta_i}{s} + D\big(\nu(i), \nu(j)\big) + \frac{\delta_j}{s},
        \qquad
        e_{jk} = \frac{\delta_j}{s} + D\big(\nu(j), \nu(k)\big) + \frac{\delta_k}{s},
        \quad e_{jj} = 0,

    with the notation of the module docstring. Trips go *from* the sector *to* the site (and
    from site ``j`` to site ``k``), which matters on one-way streets. A sector and a site on the
    same node are ``access + egress`` apart.

    Parameters
    ----------
    network
        The routable network of the mode, in the CRS of the points.
    sector_xy
        ``(n_sectors, 2)`` representative point of each sector, in metres.
    site_xy
        ``(n_sites, 2)`` site coordinates, in metres.
    max_snap_distance_m
        A point farther than this from every node is unreachable (its row or column is ``inf``).

    Returns
    -------
    TravelTimes
        The matrices in minutes, snap distances and the number of unreachable sector-site pairs.

    Raises
    ------
    DataError
        Coordinates are not ``(n, 2)`` finite numbers or ``max_snap_distance_m`` is negative.
    NetworkError
        The network has no node.
    """
    if not max_snap_distance_m >= 0:
        raise DataError(
            "max_snap_distance_m must be a non-negative number of metres, "
            f"got {max_snap_distance_m}"
        )
    sector_snap = snap_points(network, sector_xy)
    site_snap = snap_points(network, site_xy)
    access = _leg_minutes(sector_snap, network, max_snap_distance_m)
    egress = _leg_minutes(site_snap, network, max_snap_distance_m)
    _warn_far(sector_snap, site_snap, max_snap_distance_m, network)

    n_sectors, n_sites = access.shape[0], egress.shape[0]
    if n_sites:
        # times TO each distinct site node from every node: Dijkstra on the transposed graph
        source_nodes, site_source = np.unique(site_snap.node, return_inverse=True)
        to_site = dijkstra(network.matrix().T.tocsr(), directed=True, indices=source_nodes)
        to_site = np.asarray(to_site, dtype=np.float64).reshape(source_nodes.shape[0], -1)
        # row u of to_site holds the times from every node to node source_nodes[u]
        sector_site = access[:, None] + to_site[np.ix_(site_source, sector_snap.node)].T + egress
        site_site = egress[:, None] + to_site[np.ix_(site_source, site_snap.node)].T + egress
    else:
        sector_site = np.empty((n_sectors, 0), dtype=np.float64)
        site_site = np.empty((0, 0), dtype=np.float64)
    np.fill_diagonal(site_site, 0.0)

    unreachable = int(np.isinf(sector_site).sum())
    if unreachable:
        logger.warning(
            f"{unreachable:,} of {sector_site.size:,} sector-site pairs unreachable by "
            f"{network.mode} (no network path or too far from the network)"
        )
    logger.info(
        f"Computed {network.mode} travel times for {n_sectors:,} sectors and {n_sites:,} sites"
    )
    return TravelTimes(
        sector_site=np.ascontiguousarray(sector_site, dtype=np.float64),
        site_site=np.ascontiguousarray(site_site, dtype=np.float64),
        sector_snap_m=sector_snap.distance_m,
        site_snap_m=site_snap.distance_m,
        unreachable_pairs=unreachable,
    )


def _warn_far(sector_snap: Snap, site_snap: Snap, max_snap_m: float, network: Network) -> None:
    """Log how many sector points and sites lie too far from the network."""
    for name, snap in (("sector points", sector_snap), ("sites", site_snap)):
        far = int((snap.distance_m > max_snap_m).sum())
        if far:
            logger.warning(
                f"{far:,} of {snap.distance_m.shape[0]:,} {name} are more than "
                f"{max_snap_m:,.0f} m from the {network.mode} network ({network.source}) and "
                "count as unreachable: check their coordinates and CRS, or raise "
                "travel.max_snap_distance_m"
            )
