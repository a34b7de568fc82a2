r"""Networks from an OpenStreetMap XML file (``.osm``), read with osmnx.

Ways the mode may not use are filtered out. This is the only module of the package that
imports osmnx or networkx (only when such a file is read: osmnx takes over a second to import).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import ParseError

import numpy as np
import shapely

from planner.errors import DataError, InputFileError, NetworkError
from planner.travel.graph import Network, _check_crs, _check_mode, _Edges, _finish

if TYPE_CHECKING:
    from numpy.typing import NDArray

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
    edge_list = sorted(
        (u, v, float(attrs["length"]), attrs.get("geometry"))
        for u, v, attrs in graph.edges(data=True)
    )
    u, v, length, drawn = (
        np.array(column, dtype=object) for column in zip(*edge_list, strict=True)
    )
    edge_from = np.searchsorted(ids, u.astype(np.int64)).astype(np.int64)
    edge_to = np.searchsorted(ids, v.astype(np.int64)).astype(np.int64)
    geometry = _edge_geometry(drawn, node_xy[edge_from], node_xy[edge_to])
    segment, along = _pair_directions(edge_from, edge_to, geometry)
    first = np.unique(segment, return_index=True)[1]
    segment_geometry = geometry[first]
    segment_geometry[~along[first]] = shapely.reverse(segment_geometry[~along[first]])
    edges = _Edges(
        node_xy=node_xy,
        edge_from=edge_from,
        edge_to=edge_to,
        edge_length_m=length.astype(np.float64),
        segment=segment,
        segment_length_m=length.astype(np.float64)[first],
        segment_geometry=segment_geometry,
        edge_along=along,
    )
    return _finish(edges, mode=mode, speed_kmh=speed_kmh, crs=crs, source=source)


def _edge_geometry(
    drawn: NDArray[np.object_], start: NDArray[np.float64], end: NDArray[np.float64]
) -> NDArray[np.object_]:
    """Each edge's shape from u to v: osmnx's geometry of a simplified edge, else straight."""
    straight = shapely.linestrings(
        np.stack([start, end], axis=1).reshape(-1, 2), indices=np.repeat(np.arange(len(start)), 2)
    )
    has_shape = np.array([isinstance(g, shapely.LineString) for g in drawn], dtype=bool)
    return np.where(has_shape, drawn, straight)


def _pair_directions(
    edge_from: NDArray[np.int64], edge_to: NDArray[np.int64], geometry: NDArray[np.object_]
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Street line of each directed edge: both directions of a way share one line.

    Edges between the same two nodes whose shapes have the same length and midpoint (to the
    centimetre) are one street; it is drawn from its lower node index to the higher. Returns
    the line index per edge and whether the edge runs along that drawing.
    """
    low = np.minimum(edge_from, edge_to)
    high = np.maximum(edge_from, edge_to)
    middle = shapely.get_coordinates(shapely.line_interpolate_point(geometry, 0.5, normalized=True))
    shape = np.round(np.column_stack([shapely.length(geometry), middle]) * 100.0).astype(np.int64)
    _, segment = np.unique(np.column_stack([low, high, shape]), axis=0, return_inverse=True)
    return segment.reshape(-1).astype(np.int64), edge_from <= edge_to
