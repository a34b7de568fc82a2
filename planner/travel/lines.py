r"""Networks from a line layer such as a city's road register (Gent's ``wegsegmenten``).

Segments are noded where their *end points* meet (or at every crossing on request), with an
optional one-way column (``FT``/``TF``/``N``, values configurable) and an optional road-class
column giving a speed per class and mode and the classes a mode may not use (motorways for
walking and cycling).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import scipy.sparse as sp
import shapely
from pyproj import CRS
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from planner.errors import DataError, NetworkError

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

    import geopandas as gpd
    from numpy.typing import NDArray

from planner.travel.graph import (
    _MIN_LARGEST_SHARE,
    Network,
    _check_crs,
    _check_mode,
    _Edges,
    _finish,
    _without_bare_nodes,
)

logger = logging.getLogger(__name__)

# Above this share of dangling ends, or below this share of length in the largest part, warn.
_WARN_DANGLING_SHARE = 0.4


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
    length is the length of the line in ``crs``; the line's shape is kept as the edge's street
    line (points join the network on it). How well the segments meet is measured
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
        segment_geometry=parts,
        edge_along=np.concatenate(
            [np.ones(int(forward.sum()), dtype=bool), np.zeros(int(backward.sum()), dtype=bool)]
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
