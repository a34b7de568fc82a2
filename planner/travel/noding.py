r"""How the segments of a line layer meet: end points merged into nodes, T-junctions joined.

A road register splits its segments at every intersection, so segments meet where their *end
points* meet (:func:`_node_endpoints`, within a tolerance). Some ends stop on the middle of
another segment (a T-junction the register left unsplit, on one of its vertices or a few
centimetres beside it): :func:`join_ends_to_middles` splits that segment there. Lines that cross
without a shared vertex (bridges, tunnels) stay apart unless :func:`split_at_crossings` is asked
for (layers that are not noded at all). :func:`noding_report` measures the result.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from planner.errors import NetworkError
from planner.travel.graph import _MIN_LARGEST_SHARE

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["NodingReport", "join_ends_to_middles", "noding_report", "split_at_crossings"]

logger = logging.getLogger(__name__)

# Above this share of dangling ends, or below this share of length in the largest part, warn.
_WARN_DANGLING_SHARE = 0.4


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
    joined_ends
        Segment ends joined to the middle of another segment (T-junctions), before the rest
        is measured.
    """

    nodes: int
    dangling_share: float
    components: int
    largest_share: float
    joined_ends: int = 0


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


def join_ends_to_middles(
    parts: NDArray[np.object_], values: list[NDArray[np.object_]], tolerance_m: float
) -> tuple[NDArray[np.object_], list[NDArray[np.object_]], int]:
    """Split segments where another segment ends within ``tolerance_m`` of their middle.

    An end within the tolerance of a segment's interior, but farther than the tolerance from
    both of that segment's end points (those meet by merging end points), splits the segment
    at the end's own coordinates, so the pieces and the end share a vertex. The pieces keep the
    attributes and the drawn direction of their segment, in its place in the order.

    Parameters
    ----------
    parts
        Single LineStrings.
    values
        Attribute arrays aligned with ``parts``.
    tolerance_m
        Largest distance from an end to the middle of a segment that is joined.

    Returns
    -------
    pieces, piece_values, joined
        The split layer, its attributes and the number of segment ends joined.
    """
    n = parts.shape[0]
    if tolerance_m <= 0 or n < 2:  # one segment cannot meet another
        return parts, values, 0
    ends = np.concatenate([shapely.get_point(parts, 0), shapely.get_point(parts, -1)])
    owner = np.tile(np.arange(n), 2)
    end, part = shapely.STRtree(parts).query(ends, predicate="dwithin", distance=tolerance_m)
    other = part != owner[end]
    end, part = end[other], part[other]
    middle = (shapely.distance(ends[end], ends[part]) > tolerance_m) & (
        shapely.distance(ends[end], ends[part + n]) > tolerance_m
    )
    end, part = end[middle], part[middle]
    if end.shape[0] == 0:
        return parts, values, 0
    along = shapely.line_locate_point(parts[part], ends[end])
    order = np.lexsort((along, part))
    end, part, along = end[order], part[order], along[order]
    split, first = np.unique(part, return_index=True)
    counts = np.ones(n, dtype=np.int64)
    pieces_of = []
    for k, p in enumerate(split):
        stop = first[k + 1] if k + 1 < split.shape[0] else part.shape[0]
        pieces = _cut_line(parts[p], along[first[k] : stop], ends[end[first[k] : stop]])
        counts[p] = pieces.shape[0]
        pieces_of.append(pieces)
    out = np.repeat(parts, counts)
    offset = np.cumsum(counts) - counts
    for p, pieces in zip(split, pieces_of, strict=True):
        out[offset[p] : offset[p] + pieces.shape[0]] = pieces
    return out, [np.repeat(value, counts) for value in values], int(end.shape[0])


def _cut_line(
    line: shapely.LineString, at_m: NDArray[np.float64], points: NDArray[np.object_]
) -> NDArray[np.object_]:
    """Cut a line at the distances ``at_m`` (ascending) into pieces that meet at ``points``."""
    xy = shapely.get_coordinates(line)
    vertex_m = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(xy, axis=0).T))])
    cut_xy = shapely.get_coordinates(points)
    bounds = np.concatenate([[-np.inf], at_m, [np.inf]])
    pieces = []
    for k in range(bounds.shape[0] - 1):
        inner = xy[(vertex_m > bounds[k]) & (vertex_m < bounds[k + 1])]
        head = cut_xy[k - 1 : k] if k > 0 else np.empty((0, 2))
        tail = cut_xy[k : k + 1] if k < cut_xy.shape[0] else np.empty((0, 2))
        coords = np.concatenate([head, inner, tail])
        keep = np.ones(coords.shape[0], dtype=bool)
        keep[1:] = (np.diff(coords, axis=0) != 0).any(axis=1)
        if keep.sum() >= 2:  # a line needs two distinct vertices
            pieces.append(shapely.linestrings(coords[keep]))
    return np.array(pieces, dtype=object)
