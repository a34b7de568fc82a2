r"""Travel times: snap points onto the streets and compute sector-site and site-site matrices.

A point :math:`p` joins the network at the nearest point of the nearest street line of the mode
(:meth:`planner.travel.graph.Network.street_lines`; the mode's network holds only the streets it
may use), a fraction :math:`f_p` of the way along that line from its start node :math:`a_p` to
its end node :math:`b_p`, at straight-line distance :math:`\delta_p`. Write :math:`t^+_p` and
:math:`t^-_p` for the minutes of the line's edge along the drawing (:math:`a_p \to b_p`) and
against it (``inf`` where the mode may not go that way, as on a one-way street by car). From
:math:`p` the network is left at

.. math::

    X(p) = \{(b_p,\ (1 - f_p)\, t^+_p),\ (a_p,\ f_p\, t^-_p)\}

(node, minutes to it), and a site :math:`q` is entered from :math:`Y(q) = \{(a_q,\ f_q\,
t^+_q),\ (b_q,\ (1 - f_q)\, t^-_q)\}` (a point exactly on a node, :math:`f = 0` or
:math:`1`, is at that node whichever way its line runs). A trip takes

.. math::

    t(p, q) = \frac{\delta_p}{s} + \min\Big(\sigma(p, q),\
        \min_{(x, c) \in X(p),\ (y, c') \in Y(q)} c + D(x, y) + c'\Big) + \frac{\delta_q}{s}
    \quad \text{minutes,}

where :math:`s = v \cdot 1000 / 60` is the mode's speed in metres per minute (the straight leg
to and from the street), :math:`D` the shortest directed network path in minutes and
:math:`\sigma(p, q)` the direct trip along one shared line: :math:`(f_q - f_p)\, t^+` when
:math:`f_q \ge f_p`, :math:`(f_p - f_q)\, t^-` when :math:`f_q \le f_p`, ``inf`` on different
lines. A point farther than ``max_snap_distance_m`` from every street is unreachable; so is a
pair without a directed path. Unreachable pairs are ``numpy.inf``, never a sentinel number.

Shortest paths come from one :func:`scipy.sparse.csgraph.dijkstra` run from the (few) sites
on the transposed graph, each site added as a node entered from :math:`Y(q)`: it gives the
times *to* each site from every node at once; the exits and the direct trips are then array
operations, so tens of thousands of points cost little more than a few hundred.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import dijkstra

from planner.errors import CHANGES_FIGURE, DataError, NetworkError

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from planner.travel.graph import StreetLines
    from planner.travel.network import Network

__all__ = ["Snap", "TravelTimes", "snap_points", "travel_times"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snap:
    """Where each point joins the network: the nearest point of the nearest street line.

    Attributes
    ----------
    line
        ``(n_points,)`` index of the street line (:meth:`Network.street_lines`).
    fraction
        ``(n_points,)`` position on the line, from 0 at its start node to 1 at its end node.
    distance_m
        ``(n_points,)`` straight-line distance to the line in metres.
    """

    line: NDArray[np.int64]
    fraction: NDArray[np.float64]
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
        Distance of each sector point and site to its street, in metres.
    unreachable_pairs
        Number of ``inf`` entries in ``sector_site``.
    fastest_mode
        With several modes combined by ``any`` (:func:`planner.travel.modes.fastest_by_mode`):
        ``(n_sectors, n_sites)`` index into ``travel.modes`` of the mode giving each pair's
        time; None otherwise.
    """

    sector_site: NDArray[np.float64]
    site_site: NDArray[np.float64]
    sector_snap_m: NDArray[np.float64]
    site_snap_m: NDArray[np.float64]
    unreachable_pairs: int
    fastest_mode: NDArray[np.int8] | None = None


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


def snap_points(
    network: Network, xy: NDArray[np.float64], lines: StreetLines | None = None
) -> Snap:
    """Find the nearest point of the nearest street line of each point.

    Parameters
    ----------
    network
        The network, in the same CRS as ``xy``.
    xy
        ``(n_points, 2)`` point coordinates in metres.
    lines
        The network's street lines, when already at hand.

    Returns
    -------
    Snap
        Line, position on it and straight-line distance per point; of equally near lines
        (at a junction) the lowest index.

    Raises
    ------
    DataError
        The coordinates are not an ``(n, 2)`` array of finite numbers.
    NetworkError
        The network has no edge.
    """
    points = _check_xy(xy, "point")
    if network.n_edges == 0:
        raise NetworkError(f"network {network.source} has no street to snap points to")
    if points.shape[0] == 0:
        empty = np.empty(0, dtype=np.float64)
        return Snap(line=np.empty(0, dtype=np.int64), fraction=empty, distance_m=empty)
    geometry = (lines or network.street_lines()).geometry
    where = shapely.points(points)
    (point, line), distance = shapely.STRtree(geometry).query_nearest(
        where, all_matches=True, return_distance=True
    )
    order = np.lexsort((line, point))  # ties (a junction): the lowest line index
    point, line, distance = point[order], line[order], distance[order]
    first = np.ones(point.shape[0], dtype=bool)
    first[1:] = point[1:] != point[:-1]
    line, distance = line[first].astype(np.int64), distance[first]
    fraction = shapely.line_locate_point(geometry[line], where, normalized=True)
    return Snap(
        line=line,
        fraction=np.clip(np.asarray(fraction, dtype=np.float64), 0.0, 1.0),
        distance_m=np.asarray(distance, dtype=np.float64),
    )


def _part(share: NDArray[np.float64], minutes: NDArray[np.float64]) -> NDArray[np.float64]:
    """``share * minutes``: 0 for no share at all (even of ``inf``), ``inf`` for a closed way."""
    with np.errstate(invalid="ignore"):
        return np.where(share <= 0.0, 0.0, share * minutes)


@dataclass(frozen=True)
class _Join:
    """The two nodes a snapped point leaves by (or a site is entered from) and their minutes."""

    node: NDArray[np.int64]  # (n_points, 2)
    minutes: NDArray[np.float64]  # (n_points, 2)


def _exits(snap: Snap, lines: StreetLines) -> _Join:
    """To the end node along the line, to the start node against it."""
    f = snap.fraction
    node = np.column_stack([lines.end[snap.line], lines.start[snap.line]])
    minutes = np.column_stack(
        [_part(1.0 - f, lines.along_minutes[snap.line]), _part(f, lines.against_minutes[snap.line])]
    )
    return _Join(node, minutes)


def _entries(snap: Snap, lines: StreetLines) -> _Join:
    """From the start node along the line, from the end node against it."""
    f = snap.fraction
    node = np.column_stack([lines.start[snap.line], lines.end[snap.line]])
    minutes = np.column_stack(
        [_part(f, lines.along_minutes[snap.line]), _part(1.0 - f, lines.against_minutes[snap.line])]
    )
    return _Join(node, minutes)


def _times_to_sites(network: Network, entries: _Join) -> NDArray[np.float64]:
    """``(n_sites, n_nodes)`` minutes from every node to each site (entered from its nodes).

    Each site is a node of its own, reached from its two entry nodes; Dijkstra runs from the
    site nodes on the transposed graph.
    """
    n, m = network.n_nodes, entries.node.shape[0]
    graph = network.matrix().tocoo()
    finite = np.isfinite(entries.minutes)
    site = np.broadcast_to(n + np.arange(m)[:, None], entries.node.shape)
    rows = np.concatenate([graph.col, site[finite]])  # transposed: to -> from
    cols = np.concatenate([graph.row, entries.node[finite]])
    data = np.concatenate([graph.data, entries.minutes[finite]])
    transposed = sp.csr_matrix((data, (rows, cols)), shape=(n + m, n + m))
    times = dijkstra(transposed, directed=True, indices=n + np.arange(m))
    return np.asarray(times, dtype=np.float64).reshape(m, n + m)[:, :n]


def _leave(exits: _Join, to_site: NDArray[np.float64]) -> NDArray[np.float64]:
    """``(n_points, n_sites)`` minutes from the street point to each site via the network."""
    via = [exits.minutes[:, k, None] + to_site[:, exits.node[:, k]].T for k in range(2)]
    return np.minimum(via[0], via[1])


def _direct(
    origin: Snap, site: Snap, lines: StreetLines, times: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Shorten ``times`` where a point and a site lie on one line and can go straight along it."""
    row, col = np.nonzero(origin.line[:, None] == site.line[None, :])
    if row.shape[0] == 0:
        return times
    line = site.line[col]
    step = site.fraction[col] - origin.fraction[row]
    along = np.where(step >= 0, _part(step, lines.along_minutes[line]), np.inf)
    against = np.where(step <= 0, _part(-step, lines.against_minutes[line]), np.inf)
    times[row, col] = np.minimum(times[row, col], np.minimum(along, against))
    return times


def _leg_minutes(snap: Snap, network: Network, max_snap_distance_m: float) -> NDArray[np.float64]:
    """Minutes of the straight leg to or from the street; ``inf`` beyond ``max_snap_distance_m``."""
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

        d_{ij} = t(i, j), \qquad e_{jk} = t(j, k), \quad e_{jj} = 0,

    with :math:`t` of the module docstring. Trips go *from* the sector *to* the site (and from
    site ``j`` to site ``k``), which matters on one-way streets. A sector and a site snapped to
    the same point of a street are ``access + egress`` apart. ``sector_xy`` may be any points
    (demand points): the work grows with their number only through array operations.

    Parameters
    ----------
    network
        The routable network of the mode, in the CRS of the points.
    sector_xy
        ``(n_sectors, 2)`` representative point of each sector, in metres.
    site_xy
        ``(n_sites, 2)`` site coordinates, in metres.
    max_snap_distance_m
        A point farther than this from every street is unreachable (its row or column is
        ``inf``).

    Returns
    -------
    TravelTimes
        The matrices in minutes, snap distances and the number of unreachable sector-site pairs.

    Raises
    ------
    DataError
        Coordinates are not ``(n, 2)`` finite numbers or ``max_snap_distance_m`` is negative.
    NetworkError
        The network has no edge.
    """
    if not max_snap_distance_m >= 0:
        raise DataError(
            "max_snap_distance_m must be a non-negative number of metres, "
            f"got {max_snap_distance_m}"
        )
    lines = network.street_lines()
    sector_snap = snap_points(network, sector_xy, lines)
    site_snap = snap_points(network, site_xy, lines)
    access = _leg_minutes(sector_snap, network, max_snap_distance_m)
    egress = _leg_minutes(site_snap, network, max_snap_distance_m)
    _warn_far(sector_snap, site_snap, max_snap_distance_m, network)

    n_sectors, n_sites = access.shape[0], egress.shape[0]
    if n_sites:
        to_site = _times_to_sites(network, _entries(site_snap, lines))
        street = _leave(_exits(sector_snap, lines), to_site)
        sector_site = access[:, None] + _direct(sector_snap, site_snap, lines, street) + egress
        street = _leave(_exits(site_snap, lines), to_site)
        site_site = egress[:, None] + _direct(site_snap, site_snap, lines, street) + egress
    else:
        sector_site = np.empty((n_sectors, 0), dtype=np.float64)
        site_site = np.empty((0, 0), dtype=np.float64)
    np.fill_diagonal(site_site, 0.0)

    unreachable = int(np.isinf(sector_site).sum())
    if unreachable:
        logger.warning(
            f"{unreachable:,} of {sector_site.size:,} demand point-site pairs unreachable by "
            f"{network.mode} (no network path or too far from the network)",
            extra=CHANGES_FIGURE,
        )
    logger.info(
        f"Computed {network.mode} travel times for {n_sectors:,} demand points and "
        f"{n_sites:,} sites"
    )
    return TravelTimes(
        sector_site=np.ascontiguousarray(sector_site, dtype=np.float64),
        site_site=np.ascontiguousarray(site_site, dtype=np.float64),
        sector_snap_m=sector_snap.distance_m,
        site_snap_m=site_snap.distance_m,
        unreachable_pairs=unreachable,
    )


def _warn_far(sector_snap: Snap, site_snap: Snap, max_snap_m: float, network: Network) -> None:
    """Log how many demand points and sites lie too far from the network."""
    for name, snap in (("demand points", sector_snap), ("sites", site_snap)):
        far = int((snap.distance_m > max_snap_m).sum())
        if far:
            logger.warning(
                f"{far:,} of {snap.distance_m.shape[0]:,} {name} are more than "
                f"{max_snap_m:,.0f} m from the {network.mode} network ({network.source}) and "
                "count as unreachable: check their coordinates and CRS, or raise "
                "travel.max_snap_distance_m",
                extra=CHANGES_FIGURE,
            )
