r"""Street networks: a routable directed graph per travel mode, stored as arrays.

Two sources are read:

* a **line layer** such as a city's road register (Gent's ``wegsegmenten``), noded where
  segment *end points* meet (or at every crossing on request), with an optional one-way column
  (``FT``/``TF``/``N``, values configurable) and an optional road-class column giving a speed
  per class and mode and the classes a mode may not use (motorways for walking and cycling);
* an **OSM XML file** (``.osm``), read with osmnx, filtered to the ways the mode may use.

Either way the result is a :class:`Network`: node coordinates in a projected CRS (metres) and
directed edges with their length and travel time

.. math::

    t_e = \frac{\ell_e}{v_e \cdot 1000 / 60} \quad \text{minutes, for length } \ell_e
    \text{ in metres and speed } v_e \text{ in km/h}

(:math:`v_e` the speed of the edge's road class for the mode when one is given, else the mode's
speed),

restricted to the largest connected component (strongly connected for cars, so that every kept
node can reach and be reached from every other; weakly for walking and cycling, whose edges all
go both ways). This is the only module of the package that imports osmnx or networkx.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from xml.etree.ElementTree import ParseError

import geopandas as gpd
import numpy as np
import pyogrio
import scipy.sparse as sp
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from planner.data.layers import unreadable_reason
from planner.errors import DataError, InputFileError, NetworkError

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

    from numpy.typing import NDArray

    from planner.scenario import DataSpec, TravelSpec

__all__ = [
    "MODES",
    "LineOptions",
    "Network",
    "NodingReport",
    "OnewayValues",
    "RoadClasses",
    "line_options",
    "network_from_lines",
    "network_from_osm_xml",
    "noding_report",
    "read_network",
    "split_at_crossings",
]

logger = logging.getLogger(__name__)

MODES = ("walk", "bike", "car")
"""Travel modes a network can be built for."""

# A layer whose largest connected part holds less than this share of the street length is
# taken as not noded (lines cross without sharing end points): an error that says how to fix it.
_MIN_LARGEST_SHARE = 0.5
# Above this share of dangling ends, or below this share of length in the largest part, warn.
_WARN_DANGLING_SHARE = 0.4
_WARN_LARGEST_SHARE = 0.9

# OSM tag filters per mode, after osmnx's own "walk", "bike" and "drive" network types
# (osmnx._overpass._get_network_filter): a way is used when it has a highway tag, is not an
# area, is not private, and none of the listed tags has one of the listed values.
_OSM_NOT_IN_USE = frozenset(
    {"abandoned", "bus_guideway", "construction", "no", "planned", "platform", "proposed"}
    | {"raceway", "razed", "rest_area", "services"}
)
_OSM_MOTOR = frozenset({"motor", "motorway", "motorway_link"})
_OSM_INDOOR = frozenset({"corridor", "elevator", "escalator", "steps"})
_OSM_EXCLUDE: dict[str, dict[str, frozenset[str]]] = {
    "walk": {
        "highway": _OSM_NOT_IN_USE | _OSM_MOTOR | {"cycleway"},
        "foot": frozenset({"no"}),
        "service": frozenset({"private"}),
    },
    "bike": {
        "highway": _OSM_NOT_IN_USE | _OSM_MOTOR | _OSM_INDOOR | {"footway"},
        "bicycle": frozenset({"no"}),
        "service": frozenset({"private"}),
    },
    "car": {
        "highway": _OSM_NOT_IN_USE
        | _OSM_INDOOR
        | {"bridleway", "cycleway", "footway", "path", "pedestrian", "service", "track"},
        "motor_vehicle": frozenset({"no"}),
        "motorcar": frozenset({"no"}),
        "service": frozenset(
            {"alley", "driveway", "emergency_access", "parking", "parking_aisle", "private"}
        ),
    },
}
_OSM_EXTRA_WAY_TAGS = ("foot", "bicycle", "motor_vehicle", "motorcar")


@dataclass(frozen=True)
class OnewayValues:
    """Values of a line layer's direction column, compared case-insensitively after stripping.

    Any value not listed (and an empty cell) means two-way. Gent's road register uses the
    defaults: ``FT`` one-way along the drawn direction, ``TF`` against it, ``N`` closed to motor
    traffic (paths, parks, car-free streets), ``D`` two-way.

    Attributes
    ----------
    forward
        Values meaning one-way along the direction the line is drawn.
    backward
        Values meaning one-way against it.
    closed
        Values meaning closed to cars (walking and cycling still use the segment).
    """

    forward: tuple[str, ...] = ("FT",)
    backward: tuple[str, ...] = ("TF",)
    closed: tuple[str, ...] = ("N",)


class RoadClasses(NamedTuple):
    """Road-class rules of one mode for a line layer with a class column.

    Attributes
    ----------
    column
        The class column (e.g. Gent's ``functional_roadclass``).
    speeds_kmh
        Speed per class value for the mode; classes not listed use the mode's speed.
    excluded
        Class values the mode may not use (e.g. ``"0"``, motorways, for walking and cycling).
    """

    column: str
    speeds_kmh: Mapping[str, float]
    excluded: Collection[str]


@dataclass(frozen=True)
class LineOptions:
    """How to read a line layer beyond its one-way column.

    Attributes
    ----------
    oneway_values
        Values of the direction column.
    road_classes
        Class column, speeds per class and excluded classes for the mode, or None.
    split_crossings
        Split lines where they cross before joining end points (for layers that are not
        noded).
    """

    oneway_values: OnewayValues = OnewayValues()
    road_classes: RoadClasses | None = None
    split_crossings: bool = False


@dataclass(frozen=True)
class NodingReport:
    """How well the segments of a line layer meet, before any mode filter.

    Attributes
    ----------
    nodes
        Number of distinct segment end points after merging those within the tolerance.
    dangling_share
        Share of those end points that only one segment reaches (dead ends; high when the layer
        is not noded).
    components
        Number of connected parts of the undirected segment graph.
    largest_share
        Share of the street length in the largest part.
    """

    nodes: int
    dangling_share: float
    components: int
    largest_share: float


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
        Speed of the mode; also used for the access leg from a point to its nearest node.
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

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.node_xy.shape[0])

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return int(self.edge_from.shape[0])

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
    )


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
            "one-way column"
        )
    logger.info(
        f"Built {mode} network from {source}: {network.n_nodes:,} nodes, "
        f"{network.n_edges:,} directed edges, {street_km:,.1f} km of street"
    )
    return network


# --- line layers ------------------------------------------------------------------------------


def _line_parts(
    lines: gpd.GeoDataFrame, columns: list[str | None], source: str
) -> tuple[NDArray[np.object_], list[NDArray[np.object_]]]:
    """Explode the layer into single LineStrings, with the values of ``columns`` for each part.

    Null, empty and non-line geometries are dropped with a warning; a None column gives Nones.
    """
    geoms = np.asarray(lines.geometry.array, dtype=object)
    values = [
        np.full(geoms.shape[0], None, dtype=object)
        if column is None
        else lines[column].to_numpy(dtype=object)
        for column in columns
    ]
    types = shapely.get_type_id(geoms)
    is_line = np.isin(types, (1, 5)) & ~shapely.is_empty(geoms)
    skipped = int((~is_line).sum())
    if skipped:
        logger.warning(
            f"network {source}: skipped {skipped:,} of {geoms.shape[0]:,} features that are "
            "not (Multi)LineStrings or have no geometry"
        )
    parts, index = shapely.get_parts(geoms[is_line], return_index=True)
    return parts, [value[is_line][index] for value in values]


def _text(values: NDArray[np.object_]) -> NDArray[np.object_]:
    """Cell values as stripped upper-case text; missing and NaN become ''; 7.0 becomes '7'."""
    out = []
    for value in values:
        if value is None or (isinstance(value, float) and not np.isfinite(value)):
            out.append("")
        elif isinstance(value, float) and value.is_integer():
            out.append(str(int(value)))
        else:
            text = str(value).strip().upper()
            out.append(text.removesuffix(".0") if text.removesuffix(".0").isdigit() else text)
    return np.array(out, dtype=object)


def _node_endpoints(
    start: NDArray[np.float64], end: NDArray[np.float64], tolerance_m: float
) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.int64]]:
    """Merge segment end points closer than ``tolerance_m`` into nodes.

    Exactly equal points are merged first (``numpy.unique``); the distinct points are then
    joined by a KD-tree pair search within the tolerance, and every group of points linked by
    such pairs (transitively) becomes one node at the mean of its distinct points. Node numbers
    follow the order of the first end point of each node, so the result is deterministic.

    Returns
    -------
    node_xy, from_node, to_node
        Node coordinates and, per segment, the nodes of its first and last point.
    """
    n_seg = start.shape[0]
    points = np.concatenate([start, end])
    distinct, inverse = np.unique(points, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    n_distinct = distinct.shape[0]
    if tolerance_m > 0:
        pairs = cKDTree(distinct).query_pairs(r=tolerance_m, output_type="ndarray")
    else:
        pairs = np.empty((0, 2), dtype=np.int64)
    links = sp.csr_matrix(
        (np.ones(pairs.shape[0]), (pairs[:, 0], pairs[:, 1])), shape=(n_distinct, n_distinct)
    )
    _, group = connected_components(links, directed=False)
    # renumber groups by first appearance among the segment end points
    point_group = group[inverse]
    _, first_seen = np.unique(point_group, return_index=True)
    order = np.argsort(first_seen, kind="stable")
    renumber = np.empty_like(order)
    renumber[order] = np.arange(order.shape[0])
    node_of_distinct = renumber[group]
    counts = np.bincount(node_of_distinct)
    node_xy = np.column_stack(
        [
            np.bincount(node_of_distinct, weights=distinct[:, 0]) / counts,
            np.bincount(node_of_distinct, weights=distinct[:, 1]) / counts,
        ]
    )
    node = node_of_distinct[inverse].astype(np.int64)
    return node_xy, node[:n_seg], node[n_seg:]


def _directions(
    oneway: NDArray[np.object_], mode: str, values: OnewayValues
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Per segment, whether it may be driven along (forward) and against (backward) its drawing."""
    n = oneway.shape[0]
    if mode != "car":
        return np.ones(n, dtype=bool), np.ones(n, dtype=bool)
    text = _text(oneway)
    along = np.isin(text, [v.strip().upper() for v in values.forward])
    against = np.isin(text, [v.strip().upper() for v in values.backward])
    closed = np.isin(text, [v.strip().upper() for v in values.closed])
    forward = ~against & ~closed
    backward = ~along & ~closed
    logger.debug(
        f"one-way values: {int(along.sum()):,} along, {int(against.sum()):,} against, "
        f"{int(closed.sum()):,} closed to cars, {int((forward & backward).sum()):,} two-way"
    )
    return forward, backward


def _segment_speeds(
    classes: NDArray[np.object_], roads: RoadClasses | None, speed_kmh: float, mode: str
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Speed per segment and whether the mode may use it, from its road class."""
    n = classes.shape[0]
    speed = np.full(n, float(speed_kmh))
    if roads is None:
        return speed, np.ones(n, dtype=bool)
    text = _text(classes)
    for value, class_speed in roads.speeds_kmh.items():
        speed[text == str(value).strip().upper()] = float(class_speed)
    allowed = ~np.isin(text, [str(value).strip().upper() for value in roads.excluded])
    if (~allowed).any():
        logger.info(
            f"{int((~allowed).sum()):,} segments of excluded road classes "
            f"({', '.join(sorted({str(v) for v in roads.excluded}))}) not used by {mode}"
        )
    return speed, allowed


def noding_report(
    node_from: NDArray[np.int64], node_to: NDArray[np.int64], length_m: NDArray[np.float64]
) -> NodingReport:
    """Measure how well segments meet: dangling ends and connected parts by length.

    Parameters
    ----------
    node_from, node_to
        End nodes of each segment (after merging end points within the tolerance).
    length_m
        Length of each segment.

    Returns
    -------
    NodingReport
        Share of end points reached by one segment only, number of parts, share of the
        street length in the largest part.
    """
    n = int(max(node_from.max(), node_to.max())) + 1
    degree = np.bincount(np.concatenate([node_from, node_to]), minlength=n)
    graph = sp.csr_matrix((np.ones(node_from.shape[0]), (node_from, node_to)), shape=(n, n))
    count, labels = connected_components(graph, directed=False)
    by_part = np.bincount(labels[node_from], weights=length_m, minlength=count)
    return NodingReport(
        nodes=n,
        dangling_share=float(np.mean(degree == 1)),
        components=int(count),
        largest_share=float(by_part.max() / by_part.sum()) if by_part.sum() > 0 else 0.0,
    )


def _check_noding(report: NodingReport, source: str, *, split_crossings: bool) -> None:
    figures = (
        f"{100 * report.dangling_share:.0f} % of the {report.nodes:,} segment ends meet no "
        f"other segment; the largest connected part holds {100 * report.largest_share:.1f} % of "
        f"the street length in {report.components:,} parts"
    )
    if report.largest_share < _MIN_LARGEST_SHARE:
        remedy = (
            "set data.network_split_crossings: true to join lines where they cross"
            if not split_crossings
            else "raise the node tolerance or clean the layer (QGIS: 'v.clean', 'Split with lines')"
        )
        raise NetworkError(
            f"network {source} does not look noded: {figures}; segments must share end points "
            f"at intersections: {remedy}"
        )
    if report.dangling_share > _WARN_DANGLING_SHARE:
        logger.warning(f"network {source} may be poorly noded: {figures}")
    else:  # parts that are well noded but apart are reported when the graph is built
        logger.info(f"network {source}: {figures}")


def split_at_crossings(
    parts: NDArray[np.object_], values: list[NDArray[np.object_]]
) -> tuple[NDArray[np.object_], list[NDArray[np.object_]], NDArray[np.bool_]]:
    """Split lines at every point where they cross or touch, keeping each piece's attributes.

    Each piece inherits the values of the line it lies on (the nearest original line to the
    piece's midpoint; ties to the lowest index). Pieces drawn against their original line are
    flagged, so one-way values can be swapped.

    Parameters
    ----------
    parts
        Single LineStrings.
    values
        Attribute arrays aligned with ``parts``.

    Returns
    -------
    pieces, piece_values, reversed
        The noded pieces, their attributes, and whether each runs against its original line.
    """
    noded = shapely.get_parts(shapely.node(shapely.multilinestrings(parts)))
    noded = noded[shapely.length(noded) > 0]
    middle = shapely.line_interpolate_point(noded, 0.5, normalized=True)
    tree = shapely.STRtree(parts)
    piece_index, origin = tree.query_nearest(middle, all_matches=True)
    first = np.ones(piece_index.shape[0], dtype=bool)
    order = np.lexsort((origin, piece_index))
    piece_index, origin = piece_index[order], origin[order]
    first[1:] = piece_index[1:] != piece_index[:-1]
    piece_index, origin = piece_index[first], origin[first]
    pieces = noded[piece_index]
    start = shapely.line_locate_point(parts[origin], shapely.get_point(pieces, 0))
    end = shapely.line_locate_point(parts[origin], shapely.get_point(pieces, -1))
    return pieces, [value[origin] for value in values], start > end


def network_from_lines(
    lines: gpd.GeoDataFrame,
    *,
    mode: str,
    speed_kmh: float,
    oneway_column: str | None = None,
    crs: str = "EPSG:31370",
    node_tolerance_m: float = 0.5,
    source: str = "lines",
    options: LineOptions | None = None,
) -> Network:
    """Build a network from a line layer such as a city's road register.

    Segments are joined where their *end points* meet: end points closer than
    ``node_tolerance_m`` become one node (transitively: a chain of close points is one node).
    A segment that ends in the middle of another is **not** joined to it, as in a road register
    where every intersection splits the segments; with ``options.split_crossings`` the lines
    are first split wherever they cross or touch (for layers that are not noded; bridges then
    meet the streets below them). Each part of a MultiLineString is a segment of its own. Edge
    length is the length of the line in ``crs``. How well the segments meet is measured
    (:func:`noding_report`): a layer whose largest connected part holds less than half of the
    street length is rejected as not noded, with the figures and the fix.

    Directions: for ``mode="car"`` the value in ``oneway_column`` is one of
    ``options.oneway_values.forward`` (one-way along the drawn direction; default ``"FT"``),
    ``backward`` (against it; ``"TF"``), ``closed`` (closed to motor traffic, no edge; ``"N"``)
    or anything else (two-way); values are compared case-insensitively after stripping spaces.
    For walking and cycling every segment goes both ways, closed ones included.

    Road classes: with ``options.road_classes`` a segment's speed is the speed of its class for the
    mode (classes not listed: ``speed_kmh``) and segments of the excluded classes are left out.

    Parameters
    ----------
    lines
        Line layer (LineString and MultiLineString) with a CRS; reprojected to ``crs``.
    mode
        ``"walk"``, ``"bike"`` or ``"car"``.
    speed_kmh
        Speed of the mode in km/h (also the speed of the access leg to the network).
    oneway_column
        Column with the driving direction, or None when every street is two-way.
    crs
        Projected CRS in metres in which lengths are measured.
    node_tolerance_m
        End points closer than this are one node.
    source
        Short description of where the lines came from, for logs and the manifest.
    options
        One-way values (default Gent's ``FT``/``TF``/``N``), road classes and splitting.

    Returns
    -------
    Network
        The largest connected component (strongly connected for cars).

    Raises
    ------
    DataError
        The layer has no CRS, the target CRS is not projected, or ``oneway_column`` or the
        class column is missing.
    NetworkError
        The layer has no usable line of positive length, is not noded, or the mode may use none
        of its lines.
    """
    _check_mode(mode, speed_kmh)
    target = _check_crs(crs)
    options = options or LineOptions()
    road_classes = options.road_classes
    _check_line_columns(lines, oneway_column, road_classes, source)
    if len(lines) == 0:
        raise NetworkError(f"network {source} is empty: it has no features; check the file")
    if not CRS.from_user_input(lines.crs).equals(target):
        logger.info(f"Reprojecting network {source} from {lines.crs.to_string()} to {crs}")
        lines = lines.to_crs(target)

    parts, oneway, classes, length = _usable_parts(lines, oneway_column, options, source)
    start = shapely.get_coordinates(shapely.get_point(parts, 0))
    end = shapely.get_coordinates(shapely.get_point(parts, -1))
    node_xy, a, b = _node_endpoints(start, end, node_tolerance_m)
    _check_noding(noding_report(a, b, length), source, split_crossings=options.split_crossings)
    speed, allowed = _segment_speeds(classes, road_classes, speed_kmh, mode)
    forward, backward = _directions(oneway, mode, options.oneway_values)
    forward &= allowed & (a != b)  # a loop leads back where it started: useless for paths
    backward &= allowed & (a != b)
    segment = np.arange(parts.shape[0], dtype=np.int64)
    edges = _Edges(
        node_xy=node_xy,
        edge_from=np.concatenate([a[forward], b[backward]]),
        edge_to=np.concatenate([b[forward], a[backward]]),
        edge_length_m=np.concatenate([length[forward], length[backward]]),
        segment=np.concatenate([segment[forward], segment[backward]]),
        segment_length_m=length,
        edge_speed_kmh=(
            None if road_classes is None else np.concatenate([speed[forward], speed[backward]])
        ),
    )
    return _finish(
        _without_bare_nodes(edges), mode=mode, speed_kmh=speed_kmh, crs=crs, source=source
    )


def _check_line_columns(
    lines: gpd.GeoDataFrame,
    oneway_column: str | None,
    road_classes: RoadClasses | None,
    source: str,
) -> None:
    if lines.crs is None:
        raise DataError(
            f"network {source} has no CRS: set it on the file (e.g. "
            "gdf.set_crs('EPSG:31370')) or save it in a format that stores the CRS"
        )
    available = ", ".join(str(c) for c in lines.columns if c != lines.geometry.name)
    problems = []
    if oneway_column is not None and oneway_column not in lines.columns:
        problems.append(
            f"network {source} has no one-way column {oneway_column!r}: set "
            f"data.oneway_column to one of the available columns ({available}) or to null "
            "(every street two-way)"
        )
    if road_classes is not None and road_classes.column not in lines.columns:
        problems.append(
            f"network {source} has no road-class column {road_classes.column!r}: set "
            f"data.road_class_column to one of the available columns ({available}) or to null"
        )
    if problems:
        raise DataError(problems)


def _usable_parts(
    lines: gpd.GeoDataFrame, oneway_column: str | None, options: LineOptions, source: str
) -> tuple[NDArray[np.object_], NDArray[np.object_], NDArray[np.object_], NDArray[np.float64]]:
    """Single LineStrings of positive length with their one-way and class values and lengths."""
    class_column = None if options.road_classes is None else options.road_classes.column
    parts, (oneway, classes) = _line_parts(lines, [oneway_column, class_column], source)
    if parts.shape[0] == 0:
        raise NetworkError(
            f"network {source} has no LineString or MultiLineString geometries: a street "
            "network must be a line layer"
        )
    if options.split_crossings:
        before = parts.shape[0]
        parts, (oneway, classes), flipped = split_at_crossings(parts, [oneway, classes])
        oneway = _swap_directions(oneway, flipped, options.oneway_values)
        logger.info(f"network {source}: split {before:,} lines at crossings into {len(parts):,}")
    length = shapely.length(parts).astype(np.float64)
    positive = np.isfinite(length) & (length > 0)
    if not positive.any():
        raise NetworkError(
            f"network {source}: all {parts.shape[0]:,} lines have zero length; check the "
            "geometries and the CRS"
        )
    if not positive.all():
        logger.warning(f"network {source}: skipped {int((~positive).sum()):,} lines of zero length")
    return parts[positive], oneway[positive], classes[positive], length[positive]


def _swap_directions(
    oneway: NDArray[np.object_], flipped: NDArray[np.bool_], values: OnewayValues
) -> NDArray[np.object_]:
    """Swap forward and backward one-way values of pieces drawn against their original line."""
    if not flipped.any():
        return oneway
    text = _text(oneway)
    out = oneway.copy()
    along = np.isin(text, [v.strip().upper() for v in values.forward])
    against = np.isin(text, [v.strip().upper() for v in values.backward])
    out[flipped & along] = values.backward[0]
    out[flipped & against] = values.forward[0]
    return out


# --- OSM XML ----------------------------------------------------------------------------------


def _osm_way_allowed(attrs: dict[str, Any], mode: str) -> bool:
    """Whether an OSM edge with these way tags may be used by ``mode`` (osmnx-like filters)."""
    if "highway" not in attrs:
        return False
    if str(attrs.get("area", "")) == "yes" or str(attrs.get("access", "")) == "private":
        return False
    for tag, excluded in _OSM_EXCLUDE[mode].items():
        value = attrs.get(tag)
        values = value if isinstance(value, list) else [value]
        if any(str(v) in excluded for v in values if v is not None):
            return False
    return True


def _read_osm_graph(path: Path, mode: str) -> Any:  # noqa: ANN401 - networkx has no types
    """Read the raw (unsimplified, unfiltered) osmnx graph of an OSM XML file."""
    import osmnx as ox  # noqa: PLC0415 - osmnx takes ~1.5 s to import; only .osm input needs it

    saved = list(ox.settings.useful_tags_way)
    ox.settings.useful_tags_way = saved + [t for t in _OSM_EXTRA_WAY_TAGS if t not in saved]
    try:
        return ox.graph_from_xml(path, bidirectional=mode != "car", simplify=False, retain_all=True)
    except (ParseError, UnicodeDecodeError) as error:
        raise DataError(
            f"network file {path} is not valid OSM XML ({error}): export it again as .osm "
            "(e.g. from JOSM or an extract tool) or use network_format 'lines'"
        ) from None
    except (KeyError, TypeError, ValueError, ox._errors.InsufficientResponseError) as error:  # noqa: SLF001
        raise DataError(
            f"network file {path} has no usable OSM nodes and ways ({type(error).__name__}: "
            f"{error}): check that it is an OSM XML export with ways and their nodes"
        ) from None
    finally:
        ox.settings.useful_tags_way = saved


def network_from_osm_xml(
    path: Path, *, mode: str, speed_kmh: float, crs: str = "EPSG:31370"
) -> Network:
    """Build a network from an OpenStreetMap XML file (``.osm``).

    The file is read with :func:`osmnx.graph_from_xml`; ways the mode may not use are removed
    with filters after osmnx's ``walk``/``bike``/``drive`` network types (a ``highway`` tag is
    required, areas and private ways are left out, cars skip footways, paths, service roads and
    ways tagged ``motor_vehicle=no``, cyclists skip footways and steps, walkers skip cycleways
    and motorways). The graph is then simplified (:func:`osmnx.simplify_graph`), projected to
    ``crs`` and turned into arrays. Cars respect ``oneway`` tags and roundabouts; for walking
    and cycling every way goes both ways. Edge lengths are osmnx's great-circle lengths.

    Parameters
    ----------
    path
        The ``.osm`` file.
    mode
        ``"walk"``, ``"bike"`` or ``"car"``.
    speed_kmh
        Speed of the mode in km/h.
    crs
        Projected CRS in metres of the result.

    Returns
    -------
    Network
        The largest connected component (strongly connected for cars).

    Raises
    ------
    InputFileError
        The file does not exist or cannot be opened.
    DataError
        The file is not valid OSM XML or has no ways.
    NetworkError
        No way in the file may be used by the mode.
    """
    import osmnx as ox  # noqa: PLC0415 - see _read_osm_graph

    path = Path(path)
    _check_mode(mode, speed_kmh)
    _check_crs(crs)
    source = f"osm_xml: {path.name}"
    if not path.is_file():
        raise InputFileError(
            f"network file {path} does not exist: check data.network in the scenario"
        )
    try:
        graph = _read_osm_graph(path, mode)
    except OSError as error:
        raise InputFileError(
            f"network file {path} cannot be read: {error.strerror or error}"
        ) from None
    unusable = [
        (u, v, k)
        for u, v, k, attrs in graph.edges(keys=True, data=True)
        if not _osm_way_allowed(attrs, mode)
    ]
    graph.remove_edges_from(unusable)
    graph.remove_nodes_from([n for n, degree in graph.degree() if degree == 0])
    if graph.number_of_edges() == 0:
        raise NetworkError(
            f"network {source}: no way in the file may be used by mode {mode!r} (they need a "
            "highway tag the mode may use); check the extract or choose another mode"
        )
    graph = ox.project_graph(ox.simplify_graph(graph), to_crs=crs)

    ids = np.array(sorted(graph.nodes), dtype=np.int64)
    node_xy = np.array([(graph.nodes[n]["x"], graph.nodes[n]["y"]) for n in ids], dtype=float)
    edge_list = sorted((u, v, float(attrs["length"])) for u, v, attrs in graph.edges(data=True))
    u, v, length = (np.array(column) for column in zip(*edge_list, strict=True))
    edges = _Edges(
        node_xy=node_xy,
        edge_from=np.searchsorted(ids, u.astype(np.int64)).astype(np.int64),
        edge_to=np.searchsorted(ids, v.astype(np.int64)).astype(np.int64),
        edge_length_m=length.astype(np.float64),
        segment=np.arange(length.shape[0], dtype=np.int64),
        segment_length_m=length.astype(np.float64),
    )
    return _finish(edges, mode=mode, speed_kmh=speed_kmh, crs=crs, source=source)


# --- dispatch ---------------------------------------------------------------------------------


def _read_lines(path: Path) -> gpd.GeoDataFrame:
    try:
        lines = gpd.read_file(path, engine="pyogrio")
    except (
        pyogrio.errors.DataSourceError,
        pyogrio.errors.DataLayerError,
        pyogrio.errors.FieldError,
        pyogrio.errors.GeometryError,
        pyogrio.errors.FeatureError,
        pyogrio.errors.CRSError,
        OSError,
    ) as error:
        raise InputFileError(
            f"network file {path} cannot be read as a line layer "
            f"({unreadable_reason(path, error, 'a line layer')}): save it as "
            "GeoPackage, GeoJSON or Shapefile, or set data.network_format to 'osm_xml' for "
            ".osm files"
        ) from None
    if not isinstance(lines, gpd.GeoDataFrame):
        raise InputFileError(
            f"network file {path} has no geometry column: a street network must be a line "
            "layer (GeoPackage, GeoJSON or Shapefile), or an .osm file with "
            "data.network_format 'osm_xml'"
        )
    return lines


def read_network(data: DataSpec, travel: TravelSpec) -> Network:
    """Read the street network of a scenario for its travel mode.

    Parameters
    ----------
    data
        The scenario's data section: ``network``, ``network_format``, ``oneway_column``,
        ``oneway_values``, ``road_class_column``, ``network_split_crossings``, ``crs``.
    travel
        The scenario's travel section: ``mode``, its speed, and the mode's
        ``class_speeds_kmh`` and ``excluded_classes`` when the layer has a class column.

    Returns
    -------
    Network
        The routable network of the mode.

    Raises
    ------
    InputFileError
        The network file does not exist or cannot be read.
    DataError
        The layer lacks a CRS or the one-way column (cars need it; walking and cycling ignore
        a missing default ``oneway`` column).
    NetworkError
        Nothing routable is left for the mode.
    """
    path = Path(data.network)
    if not path.exists():  # a folder can be a layer too (Shapefile folder, FileGDB)
        raise InputFileError(
            f"network file {path.name} does not exist: {path}; check data.network in the scenario"
        )
    if data.network_format == "osm_xml":
        return network_from_osm_xml(
            path, mode=travel.mode, speed_kmh=travel.speed_kmh, crs=data.crs
        )
    lines = _read_lines(path)
    oneway_column = data.oneway_column
    if (
        oneway_column is not None
        and oneway_column not in lines.columns
        and travel.mode != "car"
        and "oneway_column" not in data.model_fields_set
    ):
        logger.debug(
            f"network {path.name} has no column {oneway_column!r}; not needed for {travel.mode}"
        )
        oneway_column = None
    return network_from_lines(
        lines,
        mode=travel.mode,
        speed_kmh=travel.speed_kmh,
        oneway_column=oneway_column,
        crs=data.crs,
        source=f"lines: {path.name}",
        options=line_options(data, travel),
    )


def line_options(data: DataSpec, travel: TravelSpec) -> LineOptions:
    """Return the line-layer options of a scenario for its travel mode.

    Parameters
    ----------
    data
        The scenario's data section.
    travel
        The scenario's travel section.

    Returns
    -------
    LineOptions
        One-way values, road classes of the mode (None without a class column) and splitting.
    """
    values = OnewayValues(
        forward=tuple(data.oneway_values.forward),
        backward=tuple(data.oneway_values.backward),
        closed=tuple(data.oneway_values.closed),
    )
    roads = None
    if data.road_class_column is not None:
        roads = RoadClasses(
            column=data.road_class_column,
            speeds_kmh=dict(travel.class_speeds_kmh.get(travel.mode, {})),
            excluded=tuple(travel.excluded_classes.get(travel.mode, ())),
        )
    elif travel.class_speeds_kmh or travel.excluded_classes:
        logger.warning(
            "travel.class_speeds_kmh / excluded_classes are set but data.road_class_column is "
            "not: every street uses the mode's speed"
        )
    return LineOptions(
        oneway_values=values, road_classes=roads, split_crossings=data.network_split_crossings
    )
