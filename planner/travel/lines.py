r"""Networks from a line layer such as a city's road register (Gent's ``wegsegmenten``).

Segments are noded where their *end points* meet, and where a segment ends on (within the node
tolerance of) the middle of another, as a road register draws a T-junction; lines that cross
without a shared vertex (bridges, tunnels) stay apart unless every crossing is split on request
(:mod:`planner.travel.noding`). Each segment comes with an optional one-way column
(``FT``/``TF``/``N``, values configurable) and an optional road-class column giving a speed per
class and mode and the classes a mode may not use (motorways for walking and cycling).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import shapely
from pyproj import CRS

from planner.errors import DataError, NetworkError

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

    import geopandas as gpd
    from numpy.typing import NDArray

from planner.travel.graph import (
    Network,
    _check_crs,
    _check_mode,
    _Edges,
    _finish,
    _without_bare_nodes,
)
from planner.travel.noding import (
    _check_noding,
    _node_endpoints,
    join_ends_to_middles,
    noding_report,
    split_at_crossings,
)

logger = logging.getLogger(__name__)


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
    join_ends
        Split a segment where another segment's end lies within the node tolerance of its
        middle, and join them there (T-junctions).
    """

    oneway_values: OnewayValues = OnewayValues()
    road_classes: RoadClasses | None = None
    split_crossings: bool = False
    join_ends: bool = True


# --- line layers ------------------------------------------------------------------------------


_NOT_LINES_HINT = {
    "Polygon": "is data.network the sectors or another layer of areas? give the street lines",
    "Point": "is data.network the sites or another layer of points? give the street lines",
}


def _not_lines(lines: gpd.GeoDataFrame, source: str) -> str:
    """Say what a network layer without lines holds instead, and what it probably is."""
    kinds = lines.geometry.geom_type.dropna().str.removeprefix("Multi").value_counts()
    held = ", ".join(f"{count:,} {kind.lower()}s" for kind, count in kinds.items())
    hint = next((_NOT_LINES_HINT[kind] for kind in kinds.index if kind in _NOT_LINES_HINT), None)
    return (
        f"network {source} has no LineString or MultiLineString geometries"
        + (f" but {held}" if held else "")
        + ": a street network must be a line layer"
        + (f"; {hint} (a road register or an OSM file)" if hint else "")
    )


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
    A segment that ends within ``node_tolerance_m`` of the middle of another (a T-junction a
    road register left unsplit) splits that segment there and joins it
    (:func:`join_ends_to_middles`, unless ``options.join_ends`` is off); the number joined is
    logged. Lines that cross without a shared vertex stay apart (bridges, tunnels); with
    ``options.split_crossings`` the lines are first split wherever they cross or touch (for
    layers that are not noded; bridges then meet the streets below them). Each part of a
    MultiLineString is a segment of its own. Edge length is the length of the line in ``crs``;
    the line's shape is kept as the edge's street line (points join the network on it). How
    well the segments meet is measured (:func:`noding_report`): a layer whose largest connected
    part holds less than half of the street length is rejected as not noded, with the figures
    and the fix.

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
        End points closer than this are one node; an end this close to the middle of another
        segment is joined to it.
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

    parts, oneway, classes, length, joined = _usable_parts(
        lines, oneway_column, options, source, node_tolerance_m
    )
    start = shapely.get_coordinates(shapely.get_point(parts, 0))
    end = shapely.get_coordinates(shapely.get_point(parts, -1))
    node_xy, a, b = _node_endpoints(start, end, node_tolerance_m)
    report = replace(noding_report(a, b, length), joined_ends=joined)
    _check_noding(report, source, split_crossings=options.split_crossings)
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
    lines: gpd.GeoDataFrame,
    oneway_column: str | None,
    options: LineOptions,
    source: str,
    tolerance_m: float,
) -> tuple[NDArray[np.object_], NDArray[np.object_], NDArray[np.object_], NDArray[np.float64], int]:
    """Single LineStrings of positive length with their one-way and class values and lengths.

    Also returns the number of segment ends joined to the middle of another segment.
    """
    class_column = None if options.road_classes is None else options.road_classes.column
    parts, (oneway, classes) = _line_parts(lines, [oneway_column, class_column], source)
    if parts.shape[0] == 0:
        raise NetworkError(_not_lines(lines, source))
    if options.split_crossings:
        before = parts.shape[0]
        parts, (oneway, classes), flipped = split_at_crossings(parts, [oneway, classes])
        oneway = _swap_directions(oneway, flipped, options.oneway_values)
        logger.info(f"network {source}: split {before:,} lines at crossings into {len(parts):,}")
    joined = 0
    if options.join_ends:
        parts, (oneway, classes), joined = join_ends_to_middles(
            parts, [oneway, classes], tolerance_m
        )
        if joined:
            logger.info(
                f"network {source}: joined {joined:,} segment ends to the middle of another "
                f"segment (within {tolerance_m:g} m)"
            )
    length = shapely.length(parts).astype(np.float64)
    positive = np.isfinite(length) & (length > 0)
    if not positive.any():
        raise NetworkError(
            f"network {source}: all {parts.shape[0]:,} lines have zero length; check the "
            "geometries and the CRS"
        )
    if not positive.all():
        logger.warning(f"network {source}: skipped {int((~positive).sum()):,} lines of zero length")
    return parts[positive], oneway[positive], classes[positive], length[positive], joined


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
