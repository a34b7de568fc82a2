r"""Networks from an OpenStreetMap extract in ``.osm.pbf`` (or ``.osm``), read with GDAL.

GDAL's OSM driver (through pyogrio, already a dependency: no new library) reads the ways of an
extract as lines with their ``highway`` tag and the other tags in ``other_tags``. The ways a
mode may not use are left out with the same filters as :mod:`planner.travel.osm` (after osmnx's
``walk``, ``bike`` and ``drive`` network types). OSM ways meet at shared nodes anywhere along
them, not only at their ends, so every way is split at each vertex it shares with another
way (or with itself) before the lines become a network with
:func:`planner.travel.lines.network_from_lines`. Then the road register's per-mode rules apply
unchanged: the ``highway`` value is the road class (``travel.class_speeds_kmh``,
``travel.excluded_classes``), and cars respect ``oneway`` (``yes``, ``1``, ``true``, ``-1``)
and roundabouts; walking and cycling use every kept way both ways.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from planner.errors import DataError, InputFileError, NetworkError
from planner.travel.lines import LineOptions, OnewayValues, RoadClasses, network_from_lines
from planner.travel.osm import _OSM_EXCLUDE

if TYPE_CHECKING:
    from planner.travel.graph import Network

__all__ = ["network_from_osm_pbf", "read_osm_ways", "split_at_shared_vertices"]

logger = logging.getLogger(__name__)

_TAGS = ("foot", "bicycle", "motor_vehicle", "motorcar", "service", "access", "area")
_TAGS_OWN = ("oneway", "junction")
_FORWARD = ("yes", "true", "1")


def _tag(other: pd.Series, key: str) -> pd.Series:
    """Return one tag's value from GDAL's ``other_tags`` (``"k"=>"v",...``), or empty."""
    found = other.str.extract(rf'(?:^|,)"{key}"=>"([^"]*)"', expand=False)
    values: pd.Series = found.fillna("").str.strip().str.lower()
    return values


def read_osm_ways(path: Path) -> gpd.GeoDataFrame:
    """Read the ways of an OSM extract with a ``highway`` tag and the tags the modes need.

    Parameters
    ----------
    path
        ``.osm.pbf`` or ``.osm``.

    Returns
    -------
    geopandas.GeoDataFrame
        ``osm_id``, ``highway`` and one column per tag of the mode filters, ``oneway`` and
        ``junction``; lines in EPSG:4326.

    Raises
    ------
    InputFileError
        The file is missing or GDAL cannot read it as OSM.
    DataError
        It has no way with a ``highway`` tag.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(
            f"network file {path} does not exist: check data.network in the scenario"
        )
    try:
        ways = gpd.read_file(path, layer="lines", engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError) as error:
        raise InputFileError(
            f"network file {path} cannot be read as an OSM extract ({error}): export it again "
            "as .osm.pbf or .osm, or use network_format 'lines'"
        ) from None
    if "highway" not in ways.columns:
        ways["highway"] = None
    ways = ways[ways["highway"].notna()].reset_index(drop=True)
    if ways.empty:
        raise DataError(
            f"network file {path} has no way with a highway tag: check that it is an OSM "
            "extract of streets"
        )
    other = (
        ways["other_tags"].astype("string").fillna("")
        if "other_tags" in ways.columns
        else pd.Series("", index=ways.index, dtype="string")
    )
    out = gpd.GeoDataFrame(
        {
            "osm_id": ways["osm_id"].astype(str).to_numpy(),
            "highway": ways["highway"].astype(str).str.strip().str.lower().to_numpy(),
            **{tag: _tag(other, tag).to_numpy() for tag in (*_TAGS, *_TAGS_OWN)},
        },
        geometry=ways.geometry.to_numpy(),
        crs=ways.crs or "EPSG:4326",
    )
    logger.info(f"Read {len(out):,} OSM ways with a highway tag from {path.name}")
    return out


def _allowed(ways: pd.DataFrame, mode: str) -> np.ndarray:
    """Ways the mode may use: the filters of :mod:`planner.travel.osm`, vectorised."""
    keep = (ways["area"] != "yes").to_numpy() & (ways["access"] != "private").to_numpy()
    for tag, excluded in _OSM_EXCLUDE[mode].items():
        keep &= ~ways[tag].isin(list(excluded)).to_numpy()
    return keep


def split_at_shared_vertices(lines: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Split every line at each vertex it shares with another line (or with itself).

    Parameters
    ----------
    lines
        LineStrings (OSM ways: they meet at shared nodes).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per piece, with the attributes of its line, pieces in line order.
    """
    coords, line = shapely.get_coordinates(np.asarray(lines.geometry.array), return_index=True)
    n = coords.shape[0]
    first = np.r_[True, line[1:] != line[:-1]]
    last = np.r_[line[1:] != line[:-1], True]
    _, inverse, counts = np.unique(coords, axis=0, return_inverse=True, return_counts=True)
    shared = counts[inverse.reshape(-1)] > 1
    cut = shared | first | last
    starts = cut & ~last
    piece = np.cumsum(starts) - 1
    again = cut & ~first & ~last  # an inner cut ends the piece before it too
    order = np.r_[np.arange(n), np.flatnonzero(again)]
    pieces = np.r_[piece, piece[again] - 1]
    sort = np.lexsort((order, pieces))
    geometry = shapely.linestrings(coords[order[sort]], indices=pieces[sort])
    owner = line[np.flatnonzero(starts)]
    out = lines.iloc[owner].reset_index(drop=True)
    return out.set_geometry(gpd.GeoSeries(geometry, crs=lines.crs))


def network_from_osm_pbf(
    path: Path,
    *,
    mode: str,
    speed_kmh: float,
    crs: str = "EPSG:31370",
    class_speeds_kmh: dict[str, float] | None = None,
    excluded_classes: tuple[str, ...] = (),
) -> Network:
    """Build a network from an OpenStreetMap extract (module docstring).

    Parameters
    ----------
    path
        ``.osm.pbf`` (or ``.osm``).
    mode
        ``"walk"``, ``"bike"`` or ``"car"``.
    speed_kmh
        Speed of the mode in km/h.
    crs
        Projected CRS in metres.
    class_speeds_kmh
        Speed per ``highway`` value for the mode (``{"residential": 30}``).
    excluded_classes
        ``highway`` values the mode may not use, besides the OSM filters.

    Returns
    -------
    Network
        The largest connected component (strongly connected for cars).

    Raises
    ------
    InputFileError, DataError
        As :func:`read_osm_ways`.
    NetworkError
        No way may be used by the mode.
    """
    ways = read_osm_ways(path)
    ways = ways[_allowed(ways, mode)]
    if ways.empty:
        raise NetworkError(
            f"network osm_pbf: {Path(path).name}: no way in the file may be used by mode "
            f"{mode!r}; check the extract or choose another mode"
        )
    oneway = ways["oneway"]
    direction = np.where(
        oneway.isin(_FORWARD) | (ways["junction"] == "roundabout"),
        "FT",
        np.where(oneway == "-1", "TF", "D"),
    )
    ways = ways.assign(oneway_dir=direction)
    pieces = split_at_shared_vertices(ways.to_crs(crs))
    logger.info(f"{len(ways):,} OSM ways for {mode} split into {len(pieces):,} street segments")
    options = LineOptions(
        oneway_values=OnewayValues(forward=("FT",), backward=("TF",), closed=()),
        road_classes=RoadClasses(
            column="highway",
            speeds_kmh=dict(class_speeds_kmh or {}),
            excluded=tuple(excluded_classes),
        ),
    )
    return network_from_lines(
        pieces,
        mode=mode,
        speed_kmh=speed_kmh,
        oneway_column="oneway_dir",
        crs=crs,
        source=f"osm_pbf: {Path(path).name}",
        options=options,
    )
