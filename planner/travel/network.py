r"""Street networks: a routable directed graph per travel mode, stored as arrays.

Two sources are read:

* a **line layer** such as a city's road register (Gent's ``wegsegmenten``), noded where
  segment *end points* meet and where a segment ends on the middle of another (T-junctions;
  or at every crossing on request), with an optional one-way column
  (``FT``/``TF``/``N``, values configurable) and an optional road-class column giving a speed
  per class and mode and the classes a mode may not use (motorways for walking and cycling);
* an **OSM XML file** (``.osm``), read with osmnx, filtered to the ways the mode may use;
* an **OSM extract** (``.osm.pbf``), read with GDAL (:mod:`planner.travel.osm_pbf`), with the
  same filters, then built as a line layer with ``highway`` as its road class.

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
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pyogrio

from planner.data.layers import unreadable_reason
from planner.errors import CHANGES_FIGURE, InputFileError

if TYPE_CHECKING:
    from planner.scenario import DataSpec, TravelSpec
from planner.travel.graph import MODES, Network
from planner.travel.lines import (
    LineOptions,
    OnewayValues,
    RoadClasses,
    network_from_lines,
)
from planner.travel.noding import (
    NodingReport,
    join_ends_to_middles,
    noding_report,
    split_at_crossings,
)
from planner.travel.osm import network_from_osm_xml
from planner.travel.osm_pbf import network_from_osm_pbf

__all__ = [
    "MODES",
    "LineOptions",
    "Network",
    "NodingReport",
    "OnewayValues",
    "RoadClasses",
    "join_ends_to_middles",
    "line_options",
    "network_from_lines",
    "network_from_osm_pbf",
    "network_from_osm_xml",
    "noding_report",
    "read_network",
    "split_at_crossings",
]

logger = logging.getLogger(__name__)

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
    if data.network is None:
        raise InputFileError(
            "no street network: data.network is not set; give one, or plan with "
            "travel.model: straight_line"
        )
    path = Path(data.network)
    if not path.exists():  # a folder can be a layer too (Shapefile folder, FileGDB)
        raise InputFileError(
            f"network file {path.name} does not exist: {path}; check data.network in the scenario"
        )
    if data.network_format == "osm_xml":
        return network_from_osm_xml(
            path, mode=travel.mode, speed_kmh=travel.speed_kmh, crs=data.crs
        )
    if data.network_format == "osm_pbf":
        return network_from_osm_pbf(
            path,
            mode=travel.mode,
            speed_kmh=travel.speed_kmh,
            crs=data.crs,
            class_speeds_kmh=dict(travel.class_speeds_kmh.get(travel.mode, {})),
            excluded_classes=tuple(travel.excluded_classes.get(travel.mode, ())),
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
            "not: every street uses the mode's speed",
            extra=CHANGES_FIGURE,
        )
    return LineOptions(
        oneway_values=values, road_classes=roads, split_crossings=data.network_split_crossings
    )
