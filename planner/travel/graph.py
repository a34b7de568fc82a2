r"""The routable graph of one travel mode, as arrays, kept to its largest connected component.

.. math::

    t_e = \frac{\ell_e}{v_e \cdot 1000 / 60} \quad \text{minutes, for length } \ell_e
    \text{ in metres and speed } v_e \text{ in km/h}

(:math:`v_e` the speed of the edge's road class for the mode when one is given, else the mode's
speed), restricted to the largest connected component (strongly connected for cars, so that
every kept node can reach and be reached from every other; weakly for walking and cycling,
whose edges all go both ways).

Each edge runs along a **street line**, a polyline kept with the network (its vertices, not
nodes of the graph, so Dijkstra sees no more nodes than junctions and dead ends): a two-way
street is one line and two edges, one along its drawing and one against it. Points join the
network on these lines (:mod:`planner.travel.matrices`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import scipy.sparse as sp
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError
from scipy.sparse.csgraph import connected_components

from planner.errors import CHANGES_FIGURE, DataError, NetworkError

if TYPE_CHECKING:
    from numpy.typing import NDArray


logger = logging.getLogger(__name__)

MODES = ("walk", "bike", "car")
"""Travel modes a network can be built for."""

# A layer whose largest connected part holds less than this share of the street length is
# taken as not noded (lines cross without sharing end points): an error that says how to fix it.
_MIN_LARGEST_SHARE = 0.5
_WARN_LARGEST_SHARE = 0.9


class StreetLines(NamedTuple):
    """The street lines of a network, as :meth:`Network.street_lines` returns them.

    Attributes
    ----------
    geometry
        ``(n_lines,)`` shapely LineStrings in the network's CRS.
    start, end
        ``(n_lines,)`` nodes at the line's first and last vertex.
    along_minutes, against_minutes
        ``(n_lines,)`` minutes of the fastest edge running along the drawing (start to end)
        and against it; ``inf`` where the mode may not go that way (a one-way street by car).
    """

    geometry: NDArray[np.object_]
    start: NDArray[np.int64]
    end: NDArray[np.int64]
    along_minutes: NDArray[np.float64]
    against_minutes: NDArray[np.float64]


@dataclass(frozen=True)
class Network:
    """Routable street graph for one travel mode, in a projected CRS (metres).

    Attributes
    ----------
    mode
        ``"walk"``, ``"bike"`` or ``"car"``.
    crs
        The projected CRS of ``node_xy``, e.g. ``"EPSG:31370"``.
    speed_kmh
        Speed of the mode; also used for the straight leg from a point to its street.
    node_xy
        ``(n_nodes, 2)`` node coordinates in metres.
    edge_from, edge_to
        ``(n_edges,)`` node indices of the directed edges; a two-way street gives two edges.
    edge_length_m
        ``(n_edges,)`` edge lengths in metres.
    edge_minutes
        ``(n_edges,)`` travel times ``length / (speed_kmh * 1000 / 60)`` in minutes.
    dropped_nodes, dropped_edges
        Nodes and directed edges left out because they lie outside the largest connected
        component (strongly connected for cars).
    source
        Short description for logs and the manifest, e.g. ``"lines: streets.geojson"``.
    line_xy, line_start
        Vertices of every street line, concatenated: line ``k`` is
        ``line_xy[line_start[k]:line_start[k + 1]]``. None (the default) draws each street as
        a straight line between its nodes.
    edge_line, edge_along
        ``(n_edges,)`` the street line each edge runs along, and whether it runs along the
        line's drawing (from its first to its last vertex) or against it. None with
        ``line_xy``.
    """

    mode: str
    crs: str
    speed_kmh: float
    node_xy: NDArray[np.float64]
    edge_from: NDArray[np.int64]
    edge_to: NDArray[np.int64]
    edge_length_m: NDArray[np.float64]
    edge_minutes: NDArray[np.float64]
    dropped_nodes: int
    dropped_edges: int
    source: str
    line_xy: NDArray[np.float64] | None = None
    line_start: NDArray[np.int64] | None = None
    edge_line: NDArray[np.int64] | None = None
    edge_along: NDArray[np.bool_] | None = None

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.node_xy.shape[0])

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return int(self.edge_from.shape[0])

    def street_lines(self) -> StreetLines:
        """Return the street lines with their end nodes and the minutes along and against them.

        Returns
        -------
        StreetLines
            One entry per line; without stored lines, one straight line per pair of nodes
            joined by an edge, drawn from the lower node index to the higher.
        """
        if self.line_xy is None or self.line_start is None:
            low = np.minimum(self.edge_from, self.edge_to)
            high = np.maximum(self.edge_from, self.edge_to)
            pairs, edge_line = np.unique(np.column_stack([low, high]), axis=0, return_inverse=True)
            edge_line = edge_line.reshape(-1).astype(np.int64)
            edge_along = self.edge_from <= self.edge_to
            geometry = shapely.linestrings(
                self.node_xy[pairs.reshape(-1)],
                indices=np.repeat(np.arange(pairs.shape[0]), 2),
            )
        else:
            assert self.edge_line is not None  # noqa: S101 - stored with line_xy
            assert self.edge_along is not None  # noqa: S101
            edge_line, edge_along = self.edge_line, self.edge_along
            counts = np.diff(self.line_start)
            geometry = shapely.linestrings(
                self.line_xy, indices=np.repeat(np.arange(counts.shape[0]), counts)
            )
        n_lines = geometry.shape[0]
        start = np.zeros(n_lines, dtype=np.int64)
        end = np.zeros(n_lines, dtype=np.int64)
        start[edge_line] = np.where(edge_along, self.edge_from, self.edge_to)
        end[edge_line] = np.where(edge_along, self.edge_to, self.edge_from)
        along = np.full(n_lines, np.inf)
        against = np.full(n_lines, np.inf)
        np.minimum.at(along, edge_line[edge_along], self.edge_minutes[edge_along])
        np.minimum.at(against, edge_line[~edge_along], self.edge_minutes[~edge_along])
        return StreetLines(geometry, start, end, along, against)

    def matrix(self) -> sp.csr_matrix:
        """Return the directed travel-time matrix.

        Returns
        -------
        scipy.sparse.csr_matrix
            ``(n_nodes, n_nodes)``; entry ``(a, b)`` is the time in minutes of the fastest edge
            from node ``a`` to node ``b`` (the minimum over parallel edges). Explicit zeros are
            edges of zero length, as :mod:`scipy.sparse.csgraph` reads them.
        """
        n = self.n_nodes
        order = np.lexsort((self.edge_minutes, self.edge_to, self.edge_from))
        rows = self.edge_from[order]
        cols = self.edge_to[order]
        first = np.ones(order.shape[0], dtype=bool)
        first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
        return sp.csr_matrix(
            (self.edge_minutes[order][first], (rows[first], cols[first])), shape=(n, n)
        )


def _minutes(length_m: NDArray[np.float64], speed_kmh: float) -> NDArray[np.float64]:
    """Travel time in minutes: ``length_m / (speed_kmh * 1000 / 60)``."""
    return np.asarray(length_m / (speed_kmh * 1000.0 / 60.0), dtype=np.float64)


def _check_mode(mode: str, speed_kmh: float) -> None:
    problems = []
    if mode not in MODES:
        problems.append(f"unknown travel mode {mode!r}: use one of {', '.join(MODES)}")
    if not np.isfinite(speed_kmh) or speed_kmh <= 0:
        problems.append(
            f"speed for mode {mode!r} must be a positive number of km/h, got {speed_kmh}"
        )
    if problems:
        raise NetworkError(problems)


def _check_crs(crs: str) -> CRS:
    try:
        target = CRS.from_user_input(crs)
    except CRSError:
        raise DataError(
            f"CRS {crs!r} is not a known coordinate reference system: use e.g. 'EPSG:31370'"
        ) from None
    if not target.is_projected:
        raise DataError(
            f"CRS {crs!r} is not projected: distances need metres, use e.g. 'EPSG:31370' "
            "(Belgian Lambert 72) or a UTM zone"
        )
    return target


@dataclass(frozen=True)
class _Edges:
    """Directed edges before the component filter; ``segment`` names the line they came from."""

    node_xy: NDArray[np.float64]
    edge_from: NDArray[np.int64]
    edge_to: NDArray[np.int64]
    edge_length_m: NDArray[np.float64]
    segment: NDArray[np.int64]
    segment_length_m: NDArray[np.float64]
    edge_speed_kmh: NDArray[np.float64] | None = None
    segment_geometry: NDArray[np.object_] | None = None
    edge_along: NDArray[np.bool_] | None = None

    def speeds(self, mask: NDArray[np.bool_]) -> NDArray[np.float64] | None:
        """Return the per-edge speeds of the masked edges, or None when uniform."""
        return None if self.edge_speed_kmh is None else self.edge_speed_kmh[mask]


def _largest_component(edges: _Edges, *, strong: bool) -> tuple[_Edges, int, int, float]:
    """Keep the largest connected component.

    Returns the kept edges (nodes renumbered ``0..n-1`` in their old order), the numbers of
    dropped nodes and directed edges, and the kilometres of street with no kept edge left.
    Ties between equally large components go to the one holding the lowest node index.
    """
    n = edges.node_xy.shape[0]
    graph = sp.csr_matrix(
        (np.ones(edges.edge_from.shape[0]), (edges.edge_from, edges.edge_to)), shape=(n, n)
    )
    _, labels = connected_components(
        graph, directed=True, connection="strong" if strong else "weak"
    )
    sizes = np.bincount(labels)
    lowest_node = np.full(sizes.shape[0], n, dtype=np.int64)
    np.minimum.at(lowest_node, labels, np.arange(n, dtype=np.int64))
    largest = np.flatnonzero(sizes == sizes.max())
    keep_node = labels == largest[np.argmin(lowest_node[largest])]
    keep_edge = keep_node[edges.edge_from] & keep_node[edges.edge_to]
    new_index = np.cumsum(keep_node, dtype=np.int64) - 1
    kept_segments = np.zeros(edges.segment_length_m.shape[0], dtype=bool)
    kept_segments[edges.segment[keep_edge]] = True
    used_segments = np.zeros_like(kept_segments)
    used_segments[edges.segment] = True
    dropped_km = float(edges.segment_length_m[used_segments & ~kept_segments].sum()) / 1000.0
    kept = _Edges(
        node_xy=edges.node_xy[keep_node],
        edge_from=new_index[edges.edge_from[keep_edge]],
        edge_to=new_index[edges.edge_to[keep_edge]],
        edge_length_m=edges.edge_length_m[keep_edge],
        segment=edges.segment[keep_edge],
        segment_length_m=edges.segment_length_m,
        edge_speed_kmh=edges.speeds(keep_edge),
        segment_geometry=edges.segment_geometry,
        edge_along=None if edges.edge_along is None else edges.edge_along[keep_edge],
    )
    return kept, int(n - keep_node.sum()), int((~keep_edge).sum()), dropped_km


def _without_bare_nodes(edges: _Edges) -> _Edges:
    """Remove nodes that no edge touches (ends of loops or of streets closed to the mode)."""
    used = np.zeros(edges.node_xy.shape[0], dtype=bool)
    used[edges.edge_from] = True
    used[edges.edge_to] = True
    if used.all():
        return edges
    new_index = np.cumsum(used, dtype=np.int64) - 1
    return _Edges(
        node_xy=edges.node_xy[used],
        edge_from=new_index[edges.edge_from],
        edge_to=new_index[edges.edge_to],
        edge_length_m=edges.edge_length_m,
        segment=edges.segment,
        segment_length_m=edges.segment_length_m,
        edge_speed_kmh=edges.edge_speed_kmh,
        segment_geometry=edges.segment_geometry,
        edge_along=edges.edge_along,
    )


def _street_geometry(
    edges: _Edges,
) -> tuple[NDArray[np.float64] | None, NDArray[np.int64] | None, NDArray[np.int64] | None]:
    """Vertices and offsets of the segments the kept edges run along, and each edge's line."""
    if edges.segment_geometry is None or edges.edge_along is None:
        return None, None, None
    used, edge_line = np.unique(edges.segment, return_inverse=True)
    xy, index = shapely.get_coordinates(edges.segment_geometry[used], return_index=True)
    line_start = np.zeros(used.shape[0] + 1, dtype=np.int64)
    line_start[1:] = np.cumsum(np.bincount(index, minlength=used.shape[0]))
    return np.ascontiguousarray(xy, dtype=np.float64), line_start, edge_line.astype(np.int64)


_DROPPED_SHARE_WARNING = 0.01
"""Share of the street length outside the largest component above which a warning is shown."""


def _finish(edges: _Edges, *, mode: str, speed_kmh: float, crs: str, source: str) -> Network:
    """Keep the largest component, compute travel times and log what was built."""
    if edges.edge_from.shape[0] == 0:
        raise NetworkError(
            f"network {source}: no street is usable for mode {mode!r}; check the file, the "
            "one-way column ('N' closes a street to cars) or choose another mode"
        )
    kept, dropped_nodes, dropped_edges, dropped_km = _largest_component(edges, strong=mode == "car")
    if kept.edge_from.shape[0] == 0:
        raise NetworkError(
            f"network {source}: no two nodes can reach each other by {mode} (one-way streets "
            "never lead back); check the one-way column and its FT/TF values"
        )
    line_xy, line_start, edge_line = _street_geometry(kept)
    network = Network(
        mode=mode,
        crs=crs,
        speed_kmh=float(speed_kmh),
        node_xy=np.ascontiguousarray(kept.node_xy, dtype=np.float64),
        edge_from=kept.edge_from.astype(np.int64),
        edge_to=kept.edge_to.astype(np.int64),
        edge_length_m=kept.edge_length_m.astype(np.float64),
        edge_minutes=(
            _minutes(kept.edge_length_m, speed_kmh)
            if kept.edge_speed_kmh is None
            else np.asarray(kept.edge_length_m / (kept.edge_speed_kmh * 1000.0 / 60.0))
        ),
        dropped_nodes=dropped_nodes,
        dropped_edges=dropped_edges,
        source=source,
        line_xy=line_xy,
        line_start=line_start,
        edge_line=edge_line,
        edge_along=None if line_xy is None else kept.edge_along,
    )
    street_km = float(kept.segment_length_m[np.unique(kept.segment)].sum()) / 1000.0
    component = "strongly connected" if mode == "car" else "connected"
    if dropped_nodes:
        share = dropped_km / (street_km + dropped_km) if street_km + dropped_km > 0 else 0.0
        log = logger.warning if share >= _DROPPED_SHARE_WARNING else logger.info
        log(
            f"Network {source} ({mode}) is not connected: kept its largest {component} piece, "
            f"dropped {dropped_nodes:,} nodes, {dropped_edges:,} directed edges "
            f"({dropped_km:,.1f} km of street), {100 * share:.0f} % of the network; places "
            "near the dropped streets count as unreachable: join the pieces or check the "
            "one-way column",
            extra=CHANGES_FIGURE,
        )
    logger.info(
        f"Built {mode} network from {source}: {network.n_nodes:,} nodes, "
        f"{network.n_edges:,} directed edges, {street_km:,.1f} km of street"
    )
    return network
