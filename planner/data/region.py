"""Which municipalities ``planner data`` prepares, and their sectors when no polygons exist.

:func:`region_codes` turns what a user types into NIS codes: one code (``41002``), several
(``44021,44043``), a province or arrondissement prefix (``44`` is the arrondissement Gent, ``4``
the province Oost-Vlaanderen; ``2`` stands for Vlaams-Brabant, 23 and 24) or a file of codes
(one or more a line, commas or blanks between them). Every code must be a Flemish
municipality that exists in the municipal boundary file (``gemeente2024.shp``, or the
municipal indicators file when there is no boundary file).

:func:`voronoi_sector_layer` approximates the sectors of municipalities without sector polygons
as the Voronoi cells of Statbel's sector centroids clipped to the municipality's boundary
(:func:`planner.data.voronoi.voronoi_sectors`), each flagged ``geometry_method = "voronoi"``.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planner.data.boundaries import UNKNOWN_SECTOR_SUFFIX
from planner.data.layers import read_layer
from planner.data.tables import SECTOR_CODE_COLUMNS, find_column, normalise_codes
from planner.data.voronoi import voronoi_sectors
from planner.errors import DataError, InputFileError

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "FLEMISH_PREFIXES",
    "is_flemish",
    "known_municipalities",
    "municipal_boundaries",
    "network_extent",
    "network_outside",
    "region_codes",
    "region_folder_name",
    "voronoi_sector_layer",
]

logger = logging.getLogger(__name__)

FLEMISH_PREFIXES = ("1", "23", "24", "3", "4", "7")
"""First digits of Flemish NIS codes: Antwerpen, Vlaams-Brabant (23, 24), West- and
Oost-Vlaanderen, Limburg. Brussels is 21, Wallonia 25 and 5-9."""

_BOUNDARY_CODE_COLUMNS = ("gemeente", "geoitem", "nis", "niscode", "cd_munty_refnis", "nis_code")
_BOUNDARY_NAME_COLUMNS = ("naam", "name", "tx_munty_descr_nl", "gemeentenaam")
_CENTROID_NAME_COLUMNS = ("t_sec_nl", "tx_sector_descr_nl", "tx_sector_", "name", "naam")


def is_flemish(code: str) -> bool:
    """Return whether a five-digit NIS code is a Flemish municipality's (by its prefix).

    Parameters
    ----------
    code
        NIS code.

    Returns
    -------
    bool
        True for codes starting with 1, 23, 24, 3, 4 or 7.
    """
    return code.startswith(FLEMISH_PREFIXES)


def _read_boundaries(path: Path) -> gpd.GeoDataFrame:
    layer = read_layer(path, "municipalities")
    code = find_column(layer.columns, _BOUNDARY_CODE_COLUMNS, role="NIS code", where=str(path))
    name = find_column(
        layer.columns, _BOUNDARY_NAME_COLUMNS, role="name", where=str(path), required=False
    )
    out = gpd.GeoDataFrame(
        {
            "municipality": normalise_codes(layer[str(code)]).to_numpy(),
            "municipality_name": layer[name].astype("string").to_numpy() if name else pd.NA,
        },
        geometry=layer.geometry.to_numpy(),
        crs=layer.crs,
    )
    if out.crs is None:
        raise DataError(f"{path}: the municipal boundaries have no CRS; set it (EPSG:31370)")
    return out


def municipal_boundaries(path: Path) -> gpd.GeoDataFrame:
    """Read a municipal boundary layer in planner's columns.

    Parameters
    ----------
    path
        The layer (``gemeente2024.shp``).

    Returns
    -------
    geopandas.GeoDataFrame
        ``municipality`` (NIS code), ``municipality_name``, polygon geometry.

    Raises
    ------
    DataError
        When the code column or the CRS is missing.
    """
    return _read_boundaries(path)


def known_municipalities(boundaries: Path | None, indicators: Path | None) -> dict[str, str]:
    """Return the municipalities a planner's files know: NIS code → name.

    Parameters
    ----------
    boundaries
        Municipal boundary layer (``gemeente2024.shp``), if any.
    indicators
        ``municipality_indicators.json`` (``id``, ``naam``), used without a boundary layer.

    Returns
    -------
    dict
        Codes and names; empty when neither file is there.
    """
    if boundaries is not None:
        layer = _read_boundaries(boundaries)
        names = layer["municipality_name"].astype("string").fillna("")
        return dict(zip(layer["municipality"].astype(str), names.astype(str), strict=True))
    if indicators is not None:
        entries = json.loads(Path(indicators).read_text(encoding="utf-8"))
        return {
            str(entry["id"]): str(entry.get("naam", ""))
            for entry in (entries if isinstance(entries, list) else [])
            if isinstance(entry, dict) and "id" in entry
        }
    return {}


def _typed_codes(text: str) -> list[str]:
    path = Path(text)
    if path.is_file():
        return re.split(r"[\s,;]+", path.read_text(encoding="utf-8").strip())
    return [part for part in re.split(r"[\s,;]+", text.strip()) if part]


def region_codes(
    text: str, known: dict[str, str], *, source: str = "", complete: bool = True
) -> tuple[str, ...]:
    """Return the NIS codes of what a user typed (module docstring), sorted.

    Parameters
    ----------
    text
        ``41002``, ``44021,44043``, a prefix (``44``, ``4``) or the path of a file of codes.
    known
        The municipalities that exist (:func:`known_municipalities`); empty: not checked
        against a list, only against the Flemish prefixes.
    source
        The file ``known`` came from, for messages.
    complete
        Whether ``known`` lists every municipality (a boundary file does; the municipal
        indicators file lacks some, e.g. those merged since): only then is a code not in it
        an error.

    Returns
    -------
    tuple of str
        The codes.

    Raises
    ------
    DataError
        A code that is not Flemish, does not exist, or a prefix that matches nothing.
    """
    problems: list[str] = []
    codes: list[str] = []
    for item in _typed_codes(text):
        if re.fullmatch(r"\d{5}", item):
            codes.append(item)
        elif re.fullmatch(r"\d{1,4}", item):
            prefixes = ("23", "24") if item == "2" else (item,)
            matched = sorted(
                code for code in known if code.startswith(prefixes) and is_flemish(code)
            )
            if not matched:
                problems.append(
                    f"prefix {item} matches no Flemish municipality"
                    + (f" in {source}" if source else " (no municipal boundary file to look in)")
                    + ": use a province (1, 2, 3, 4, 7) or arrondissement prefix, e.g. 44"
                )
            codes += matched
        else:
            problems.append(
                f"{item!r} is neither a five-digit NIS code, a prefix nor a file of codes: "
                "e.g. 41002, 44021,44043, 44, or codes.txt"
            )
    for code in codes:
        if not is_flemish(code):
            where = "Brussels" if code.startswith("21") else "Wallonia"
            problems.append(
                f"NIS code {code} is not a Flemish municipality ({where}): planner prepares "
                "Flemish municipalities (codes starting 1, 23, 24, 3, 4 or 7)"
            )
        elif complete and known and code not in known:
            problems.append(
                f"NIS code {code} does not exist in {source or 'the municipal boundary file'}: "
                "check the code (Aalst is 41002, Gent 44021)"
            )
    if not codes and not problems:
        problems.append(f"no NIS code in {text!r}: give one, e.g. 41002")
    if problems:
        raise DataError(problems)
    return tuple(sorted(set(codes)))


def region_folder_name(text: str, codes: Sequence[str]) -> str:
    """Return the default folder name of a region under ``data/statsec``.

    Parameters
    ----------
    text
        What the user typed.
    codes
        Its codes.

    Returns
    -------
    str
        The name itself for one name or code; ``44021-44043`` for several codes; a file's stem.
    """
    path = Path(text)
    if path.is_file():
        return path.stem.lower()
    if len(codes) == 1 or not re.fullmatch(r"[\d\s,;]+", text):
        return text.strip().lower()
    return "-".join(re.split(r"[\s,;]+", text.strip()))


def _centroids(path: Path, codes: Sequence[str]) -> gpd.GeoDataFrame:
    layer = read_layer(path, "centroids")
    where = str(path)
    code = find_column(layer.columns, SECTOR_CODE_COLUMNS, role="sector code", where=where)
    name = find_column(
        layer.columns, _CENTROID_NAME_COLUMNS, role="name", where=where, required=False
    )
    ids = normalise_codes(layer[str(code)])
    keep = (ids.str[:5].isin(list(codes)) & ~ids.str.endswith(UNKNOWN_SECTOR_SUFFIX)).fillna(
        value=False
    )
    out = gpd.GeoDataFrame(
        {
            "sector_id": ids[keep].to_numpy(),
            "name": layer.loc[keep, name].astype("string").fillna("").to_numpy()
            if name
            else ids[keep].to_numpy(),
        },
        geometry=layer.geometry[keep].to_numpy(),
        crs=layer.crs,
    )
    if out.crs is None:
        raise DataError(f"{where}: the sector centroids have no CRS; set it (Statbel: EPSG:3812)")
    return out


def _older_codes(centroids: Path, area: gpd.GeoDataFrame, crs: str) -> str:
    """Say which other codes the centroids inside a municipality carry (a merger), or ''."""
    if area.empty:
        return ""
    layer = read_layer(centroids, "centroids")
    code = find_column(layer.columns, SECTOR_CODE_COLUMNS, role="sector code", where="")
    inside = layer.to_crs(crs).within(shapely.union_all(np.asarray(area.geometry.array)))
    older = sorted(set(normalise_codes(layer.loc[inside, str(code)]).str[:5].dropna()))
    if not older:
        return ""
    return (
        f": the {int(inside.sum())} centroids inside its boundary carry the codes of "
        f"{', '.join(older)}, municipalities merged into it, and so do Statbel's tables; give "
        "sector polygons and tables on its own codes (--file sectors=PATH, --file "
        "population=PATH, --file income=PATH)"
    )


def voronoi_sector_layer(
    codes: Sequence[str],
    centroids: Path | None,
    boundaries: Path | None,
    *,
    crs: str,
    taken: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Approximate the sectors of municipalities without polygons by Voronoi cells.

    Parameters
    ----------
    codes
        NIS codes of the municipalities to approximate.
    centroids
        Statbel's sector centroids (``sector_centroids_2024.gpkg``).
    boundaries
        Municipal boundaries (``gemeente2024.shp``).
    crs
        Projected CRS of the result.
    taken
        Real sector polygons of the other municipalities of the region, cut out of the
        boundaries so that cells do not overlap them.

    Returns
    -------
    geopandas.GeoDataFrame
        ``sector_id``, ``name``, ``municipality``, ``municipality_name``, ``geometry_method``
        (``"voronoi"``), polygons in ``crs``; sorted by ``sector_id``.

    Raises
    ------
    InputFileError
        When the centroid or boundary file is missing; the message names the files to get and
        the options that take them.
    DataError
        When a municipality has no centroid or no boundary.
    """
    missing = [
        text
        for text, path in (
            (
                "Statbel's sector centroids (sector_centroids_2024.gpkg; --file centroids=...)",
                centroids,
            ),
            ("the municipal boundaries (gemeente2024.shp; --file municipalities=...)", boundaries),
        )
        if path is None
    ]
    if missing or centroids is None or boundaries is None:
        raise InputFileError(
            f"no sector polygons found for {', '.join(codes)}: put Statbel's sector file "
            "(sh_statbel_statistical_sectors_31370_20240101.gpkg) in the source folder or pass "
            f"--file sectors=PATH; to approximate them instead, add {' and '.join(missing)}"
        )
    points = _centroids(centroids, codes).to_crs(crs)
    areas = _read_boundaries(boundaries).to_crs(crs)
    areas = areas[areas["municipality"].isin(list(codes))]
    problems = [
        f"municipality {code} has no sector centroid in {centroids.name}"
        + _older_codes(centroids, areas[areas["municipality"] == code], crs)
        for code in codes
        if not points["sector_id"].str.startswith(code).any()
    ] + [
        f"municipality {code} has no boundary in {boundaries.name}"
        for code in codes
        if code not in set(areas["municipality"])
    ]
    if problems:
        raise DataError(problems)
    cut = (
        shapely.union_all(np.asarray(taken.to_crs(crs).geometry.array))
        if taken is not None and len(taken)
        else None
    )
    parts = []
    for code, area in areas.groupby("municipality", sort=True):  # a few municipalities
        boundary = shapely.union_all(shapely.make_valid(np.asarray(area.geometry.array)))
        if cut is not None:
            boundary = boundary.difference(cut)
        cells = voronoi_sectors(
            points[points["sector_id"].str.startswith(str(code))], boundary, "sector_id"
        )
        empty = cells.geometry.is_empty.to_numpy()
        if empty.any():
            lost = ", ".join(cells.loc[empty, "sector_id"])
            logger.warning(
                f"{int(empty.sum())} sector centroids of {code} lie outside its boundary (or "
                f"inside real sector polygons) and get no cell: {lost}"
            )
            cells = cells.loc[~empty]
        cells["municipality"] = str(code)
        cells["municipality_name"] = area["municipality_name"].iloc[0]
        parts.append(cells)
    out = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=crs)
    out["geometry_method"] = "voronoi"
    logger.warning(
        f"{len(out):,} sectors of {', '.join(codes)} approximated as Voronoi cells of Statbel's "
        "sector centroids (no sector polygons): flagged in geometry_method"
    )
    return out.sort_values("sector_id", kind="stable").reset_index(drop=True)


def network_extent(path: Path, crs: str) -> shapely.Polygon | None:
    """Return the bounding box of a network file in ``crs``, or None when it cannot be read.

    Parameters
    ----------
    path
        A line layer, or an OSM file (its ``lines`` layer).
    crs
        The CRS of the box.

    Returns
    -------
    shapely.Polygon or None
        The box.
    """
    import pyogrio  # noqa: PLC0415 - only when a network is checked

    layer = "lines" if path.name.endswith((".osm", ".osm.pbf", ".pbf")) else None
    try:
        info = pyogrio.read_info(path, layer=layer, force_total_bounds=True)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError) as error:
        logger.info(f"cannot read the extent of {path} ({error})")
        return None
    bounds = info.get("total_bounds")
    if bounds is None or not np.isfinite(bounds).all():
        return None
    # densified, so that the box keeps its shape when reprojected; then its own bounds
    box = shapely.segmentize(shapely.box(*bounds), (bounds[2] - bounds[0]) / 50)
    moved = gpd.GeoSeries([box], crs=info.get("crs") or "EPSG:4326").to_crs(crs).iloc[0]
    return shapely.box(*moved.bounds)


def network_outside(
    path: Path, area: gpd.GeoDataFrame, *, margin_m: float = 500.0, share: float = 0.5
) -> list[str]:
    """Return the municipalities a network file's bounding box does not cover.

    A municipality is covered when at least ``share`` of its sectors' area lies within the
    network's bounding box grown by ``margin_m`` (the default snapping distance): a city's
    register that ends short of the border, or misses a port area, still covers it; the
    register of another municipality does not. A bounding box cannot see a network with
    holes (a neighbour inside the box but without its streets in the file).

    Parameters
    ----------
    path
        The network file.
    area
        The sectors (projected CRS) with their ``municipality``.
    margin_m
        Metres the box is grown by.
    share
        Share of a municipality's sector area the box must hold.

    Returns
    -------
    list of str
        NIS codes of the municipalities not covered (all of them when the file's extent cannot
        be read); empty when the network covers the area.
    """
    codes = area["municipality"].astype(str)
    extent = network_extent(path, str(area.crs))
    if extent is None:
        return sorted(set(codes))
    geometry = np.asarray(area.geometry.array)
    inside = shapely.area(shapely.intersection(geometry, extent.buffer(margin_m)))
    table = pd.DataFrame({"code": codes.to_numpy(), "all": shapely.area(geometry), "in": inside})
    sums = table.groupby("code", sort=True)[["all", "in"]].sum()
    return [str(code) for code in sums.index[sums["in"] < share * sums["all"]]]
