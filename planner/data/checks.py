"""Column, id and geometry checks shared by the sector and site loaders of the scenario.

They serve :mod:`planner.data.inputs`.
Every check appends its problems to a list instead of raising, so that a scenario's files are
reported in one go: missing columns (with a close name to suggest), cells that are not numbers
or not true/false, empty or duplicated ids, a missing CRS, missing or wrong geometries, invalid
polygons (repaired when possible) and shares above 100.
"""

from __future__ import annotations

import difflib
import logging
import re
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from planner.data.layers import read_layer
from planner.data.tables import cell_text, read_table
from planner.errors import DataError, InputFileError

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "FALSE_WORDS",
    "POLYGONS",
    "TRUE_WORDS",
    "bool_column",
    "check_columns",
    "check_geometry",
    "check_ids",
    "check_shares",
    "coordinates_problem",
    "crs_problem",
    "keep_extra_columns",
    "numeric_column",
    "point_table",
    "read_checked_layer",
    "repair_polygons",
    "single_points",
]

logger = logging.getLogger(__name__)

TRUE_WORDS = {"true", "1", "1.0", "yes", "ja", "y", "t"}
"""Cells read as true in a true/false column (after stripping and lower-casing)."""
FALSE_WORDS = {"false", "0", "0.0", "no", "nee", "n", "f", ""}
"""Cells read as false in a true/false column."""
POLYGONS = ("Polygon", "MultiPolygon")


_TABLES = frozenset({".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls"})
_COORDINATES = (("x", "y"), ("lon", "lat"), ("longitude", "latitude"))


def point_table(path: Path, role: str, crs: str) -> gpd.GeoDataFrame:
    """Read a table of points (CSV/TXT or XLSX) with coordinate columns as a point layer.

    Columns ``x`` and ``y`` are coordinates in ``crs`` (the scenario's ``data.crs``);
    ``lon`` / ``lat`` (or ``longitude`` / ``latitude``) are degrees (EPSG:4326), reprojected
    to ``crs``. Names are
    matched without regard to case; a decimal comma is read as a decimal point.

    Parameters
    ----------
    path
        The table.
    role
        What it holds (``sites``), for messages.
    crs
        The CRS of ``x`` / ``y``.

    Returns
    -------
    geopandas.GeoDataFrame
        The other columns (as text) and a point per row.

    Raises
    ------
    InputFileError
        When the table has no coordinate columns or a coordinate is not a number.
    """
    table = read_table(path)
    lower = {str(column).strip().lower(): column for column in table.columns}
    pair = next((p for p in _COORDINATES if p[0] in lower and p[1] in lower), None)
    if pair is None:
        raise InputFileError(
            f"{path}: the {role} table has no coordinate columns (columns: "
            f"{', '.join(map(str, table.columns))}): add columns x and y in {crs} (data.crs), "
            "or lon and lat in degrees, or save the sites as a point layer (GeoPackage)"
        )
    x_name, y_name = lower[pair[0]], lower[pair[1]]
    xy = [
        pd.to_numeric(
            table[name].astype(str).str.strip().str.replace(",", ".", regex=False), errors="coerce"
        )
        for name in (x_name, y_name)
    ]
    bad = ~(xy[0].notna() & xy[1].notna()).to_numpy(dtype=bool)
    if bad.any():
        rows = ", ".join(str(k + 2) for k in np.flatnonzero(bad)[:5])  # 1-based, after header
        raise InputFileError(
            f"{path}: {int(bad.sum())} rows of the {role} table (lines {rows}) have no number "
            f"in {x_name} / {y_name}: fill in the coordinates or remove those rows"
        )
    points = gpd.GeoDataFrame(
        table.drop(columns=[x_name, y_name]),
        geometry=gpd.points_from_xy(xy[0], xy[1]),
        crs=crs if pair[0] == "x" else "EPSG:4326",
    )
    if pair[0] == "x":
        return points
    try:  # degrees into the scenario's CRS, so that the table matches the sectors
        return points.to_crs(crs)
    except CRSError:  # data.crs itself is wrong: reported with the scenario's CRS check
        return points


def read_checked_layer(
    path: Path,
    role: str,
    columns: dict[str, str],
    empty_hint: str,
    problems: list[str],
    table_crs: str | None = None,
) -> gpd.GeoDataFrame | None:
    """Read a layer and check that it has rows, the ``columns`` and a CRS.

    With ``table_crs`` a CSV/TXT or XLSX file is read as a table of points
    (:func:`point_table`, ``x`` / ``y`` in that CRS).

    Parameters
    ----------
    path
        The file.
    role
        ``"sectors"`` or ``"sites"``, for messages.
    columns
        Scenario key (or ``"column <name>"``) to column name, as for :func:`check_columns`.
    empty_hint
        What to do about a layer without rows, for its message.
    problems
        Where problems are appended.
    table_crs
        The CRS of the ``x`` / ``y`` columns of a table of points; None reads layers only.

    Returns
    -------
    geopandas.GeoDataFrame or None
        The layer as read; None when it is unreadable, empty or lacks a column (a missing
        CRS is a problem but the layer is returned, so that its other checks still run).
    """
    try:
        if table_crs is not None and path.suffix.lower() in _TABLES and path.is_file():
            raw = point_table(path, role, table_crs)
        else:
            raw = read_layer(path, role)
    except (InputFileError, DataError) as error:
        problems.extend(error.problems)
        return None
    if raw.empty:
        problems.append(f"{path}: the {role} layer has no rows; {empty_hint}")
        return None
    before = len(problems)
    check_columns(raw, path, columns, problems)
    if len(problems) > before:
        return None
    if (problem := crs_problem(raw, path, role)) is not None:
        problems.append(problem)
    return raw


def check_columns(
    gdf: gpd.GeoDataFrame, path: Path, columns: dict[str, str], problems: list[str]
) -> None:
    """Report missing columns; ``columns`` maps a scenario key (or ``"column"``) to a name.

    A key containing a dot or bracket is a full scenario key path; a bare key is under
    ``data.``; the key ``"column <name>"`` marks a fixed column name with no scenario key.
    """
    names = [str(column) for column in gdf.columns if column != gdf.geometry.name]
    available = ", ".join(names)
    others = [name for name in names if name not in columns.values()]  # never suggest a used one
    for key, column in columns.items():
        if column in gdf.columns:
            continue
        close = difflib.get_close_matches(column, others, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'? " if close else ""
        if key.startswith("column "):
            where, fix = " (a required column)", f"rename the column to '{column}'"
        else:
            scenario_key = key if ("." in key or "[" in key) else f"data.{key}"
            where, fix = f" ({scenario_key})", f"rename the column or set {scenario_key}"
        problems.append(
            f"{path}: column '{column}'{where} is missing; {hint}available columns: "
            f"{available}; {fix}"
        )


def numeric_column(
    gdf: gpd.GeoDataFrame,
    path: Path,
    column: str,
    id_column: str,
    problems: list[str],
    *,
    allow_missing: bool = False,
) -> pd.Series:
    """Parse a column of numbers (no infinities, no negatives; missing only if allowed)."""
    values: pd.Series = pd.to_numeric(gdf[column], errors="coerce").astype(float)
    bad = (values.isna() & gdf[column].notna()) | np.isinf(values)
    if not allow_missing:
        bad |= gdf[column].isna()
    if bad.any():
        examples = ", ".join(
            f"{gdf.loc[idx, id_column]!s}={cell_text(gdf.loc[idx, column])}"
            for idx in gdf.index[bad][:3]
        )
        problems.append(
            f"{path}: column '{column}' must hold numbers; {int(bad.sum())} rows do not "
            f"({examples}); fix those cells"
        )
    negative = values < 0
    if negative.any():
        examples = ", ".join(str(gdf.loc[idx, id_column]) for idx in gdf.index[negative][:3])
        problems.append(
            f"{path}: column '{column}' has {int(negative.sum())} negative values "
            f"(rows {examples}); counts and costs cannot be negative"
        )
    return values.where(~bad)


def bool_column(gdf: gpd.GeoDataFrame, path: Path, column: str, problems: list[str]) -> pd.Series:
    """Parse a true/false column (also 1/0, yes/no, ja/nee); an empty cell is false."""
    raw: pd.Series = gdf[column]
    if raw.dtype == bool:
        return raw.astype(bool)
    text = raw.astype("string").str.strip().str.lower().fillna("")
    unknown = ~text.isin(TRUE_WORDS | FALSE_WORDS)
    if unknown.any():
        examples = ", ".join(repr(value) for value in text[unknown].unique()[:3])
        problems.append(
            f"{path}: column '{column}' must be true/false (or 1/0, yes/no); got {examples}"
        )
    return text.isin(TRUE_WORDS)


def check_ids(
    gdf: gpd.GeoDataFrame, path: Path, column: str, key: str, problems: list[str]
) -> pd.Series:
    """Return the ids of a layer as stripped text, reporting empty and duplicated ones."""
    ids: pd.Series = gdf[column].astype("string").str.strip()
    empty = ids.isna() | (ids == "")
    if empty.any():
        positions = np.flatnonzero(empty.to_numpy(dtype=bool))[:5]
        rows = ", ".join(str(int(position) + 1) for position in positions)
        problems.append(
            f"{path}: column '{column}' (data.{key}) is empty in {int(empty.sum())} rows "
            f"(features {rows}, counting from 1); give every row an id"
        )
    duplicated = ids[ids.duplicated(keep=False) & ~empty]
    if not duplicated.empty:
        shown = ", ".join(sorted(duplicated.unique())[:5])
        problems.append(
            f"{path}: column '{column}' (data.{key}) must be unique; duplicated: {shown}; "
            "give every row its own id"
        )
    return ids.fillna("")


def crs_problem(gdf: gpd.GeoDataFrame, path: Path, role: str) -> str | None:
    """Return the problem of a layer without CRS, or None."""
    if gdf.crs is None:
        return (
            f"{path}: the {role} layer has no CRS: set it (e.g. in QGIS, or "
            "gdf.set_crs('EPSG:31370')) and save again"
        )
    return None


_CANDIDATE_CRS = (
    "EPSG:4326",
    "EPSG:31370",
    "EPSG:3812",
    "EPSG:32631",
    "EPSG:25831",
    "EPSG:3035",
    "EPSG:3857",
)
"""CRS a layer's coordinates are tried in when they cannot be in its own (degrees first)."""
_MARGIN_DEG = 0.1  # how far (degrees, about 10 km) outside a CRS's area of use a point may lie


def _worldwide(crs: CRS) -> bool:
    """Tell whether a CRS is used over (nearly) the whole globe, like degrees or Web Mercator."""
    area = crs.area_of_use
    return area is None or area.east - area.west > 180


def _in_area(crs: CRS, other: CRS, xy: np.ndarray) -> np.ndarray:
    """Tell per point whether ``xy``, read in ``other``, lies where ``crs`` is used."""
    area = crs.area_of_use
    if area is None:
        return np.ones(len(xy), dtype=bool)
    with np.errstate(all="ignore"):
        lon, lat = Transformer.from_crs(other, "EPSG:4326", always_xy=True).transform(
            xy[:, 0], xy[:, 1], errcheck=False
        )
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    west, south, east, north = area.bounds
    if other.is_geographic:  # degrees beyond the globe are not coordinates at all
        lon = np.where(np.abs(xy[:, 0]) <= 180, lon, np.nan)
        lat = np.where(np.abs(xy[:, 1]) <= 90, lat, np.nan)
    inside = (
        np.isfinite(lon)
        & np.isfinite(lat)
        & (lon >= west - _MARGIN_DEG)
        & (lon <= east + _MARGIN_DEG)
        & (lat >= south - _MARGIN_DEG)
        & (lat <= north + _MARGIN_DEG)
    )
    return np.asarray(inside, dtype=bool)


def coordinates_problem(gdf: gpd.GeoDataFrame, path: Path, role: str, id_column: str) -> str | None:
    """Return the problem of coordinates that cannot be in the layer's CRS, or None.

    A layer whose CRS says metres (EPSG:31370) but whose coordinates are degrees puts every
    feature thousands of kilometres away; a layer that says degrees but holds metres lies
    off the globe. Its features are read in the layer's CRS and in a few common ones
    (degrees EPSG:4326, Belgian Lambert 72 and 2008, UTM 31N, LAEA Europe, Web Mercator): when
    they lie outside the area where the layer's CRS is used, but another CRS puts them
    there, the coordinates are in that CRS and the message names it.

    Parameters
    ----------
    gdf
        The layer as read, with its CRS.
    path, role
        The file and what it holds (``sectors``, ``sites``), for the message.
    id_column
        The id column, to name a few features.

    Returns
    -------
    str or None
        One line: what, where and how to fix it; None when the coordinates fit the CRS (or the
        layer has no CRS, reported apart).
    """
    if gdf.crs is None or gdf.empty:
        return None
    crs = CRS(gdf.crs)
    bounds = shapely.bounds(gdf.geometry.to_numpy())
    finite = np.isfinite(bounds).all(axis=1)
    if not finite.any():
        return None
    xy = np.column_stack(
        [(bounds[finite, 0] + bounds[finite, 2]) / 2, (bounds[finite, 1] + bounds[finite, 3]) / 2]
    )
    bad = ~_in_area(crs, crs, xy)
    if not bad.any():
        return None
    off_globe = crs.is_geographic
    ids = gdf.loc[finite, id_column].astype(str).to_numpy()[bad] if id_column in gdf else []
    xy = xy[bad]
    fits = [
        name
        for name in _CANDIDATE_CRS
        if not CRS(name).equals(crs)
        and not (_worldwide(crs) and _worldwide(CRS(name)))  # that would fit anything
        and _in_area(crs, CRS(name), xy).all()
        and _in_area(CRS(name), CRS(name), xy).all()
    ]
    if not fits and not off_globe:
        return None
    shown = ", ".join(ids[:3]) + (", ..." if len(ids) > 3 else "")
    count = f"{len(xy):,} of {int(finite.sum()):,} {role}"
    own = f"{crs.to_string()} ({crs.name})"
    where = crs.area_of_use.name.rstrip(".") if crs.area_of_use is not None else "its area"
    if not fits:
        return (
            f"{path}: the {role} layer says its CRS is {own}, but the coordinates of {count} "
            f"({shown}; e.g. {xy[0, 0]:g}, {xy[0, 1]:g}) cannot be in it: check them (x and y "
            "swapped?) and set the layer's real CRS"
        )
    guess = " or ".join(f"{name} ({CRS(name).name})" for name in fits[:2])
    return (
        f"{path}: the {role} layer says its CRS is {own}, but the coordinates of {count} "
        f"({shown}; e.g. {xy[0, 0]:g}, {xy[0, 1]:g}) lie far outside the area where it is used "
        f"({where}); they "
        f"look like {guess}: set the layer's CRS to {fits[0]} (in QGIS 'Set Layer CRS', or "
        f"gdf.set_crs('{fits[0]}', allow_override=True)) and save it again"
    )


def check_geometry(
    gdf: gpd.GeoDataFrame, path: Path, kinds: tuple[str, ...], id_column: str, problems: list[str]
) -> None:
    """Report rows without geometry and geometries of another type than ``kinds``."""
    geometry = gdf.geometry
    missing = geometry.isna() | geometry.is_empty
    if missing.any():
        shown = ", ".join(str(value) for value in gdf.loc[missing, id_column][:3])
        problems.append(f"{path}: {int(missing.sum())} rows have no geometry ({shown}); draw them")
    wrong = ~missing & ~geometry.geom_type.isin(kinds)
    if wrong.any():
        got = ", ".join(sorted(geometry[wrong].geom_type.unique()))
        shown = ", ".join(str(value) for value in gdf.loc[wrong, id_column][:5])
        problems.append(
            f"{path}: expected {' or '.join(kinds)} geometries, got {got} in "
            f"{int(wrong.sum())} rows ({shown}); save the layer with {kinds[0]} geometries"
        )


def repair_polygons(sectors: gpd.GeoDataFrame, path: Path, problems: list[str]) -> None:
    """Repair invalid (e.g. self-intersecting) sector polygons with make_valid, in place.

    Only the polygonal parts of the repaired shape are kept; a sector with none left (a polygon
    of zero area) is a problem. Repairs are logged with the sector ids.
    """
    geometry = sectors.geometry
    usable = ~(geometry.isna() | geometry.is_empty) & geometry.geom_type.isin(POLYGONS)
    invalid = usable & ~geometry.is_valid
    if not invalid.any():
        return
    repaired = [_polygonal(shape) for shape in shapely.make_valid(geometry[invalid].to_numpy())]
    ids = [str(value) for value in sectors.loc[invalid, "sector_id"]]
    lost = [sector for sector, shape in zip(ids, repaired, strict=True) if shape.is_empty]
    if lost:
        problems.append(
            f"{path}: sector polygons {', '.join(lost[:5])} are invalid and have no area left "
            "after repair; redraw them (QGIS: 'Check validity', 'Fix geometries')"
        )
        return
    sectors.loc[invalid, sectors.geometry.name] = gpd.GeoSeries(
        repaired, index=sectors.index[invalid], crs=sectors.crs
    )
    logger.warning(
        f"{path.name}: repaired {len(ids)} invalid sector polygons with make_valid "
        f"({', '.join(ids[:5])}); check them in QGIS ('Check validity')"
    )


def single_points(sites: gpd.GeoDataFrame) -> None:
    """Turn one-part MultiPoints into Points, in place (QGIS often saves points as multi)."""
    geometry = sites.geometry
    multi = geometry.geom_type.eq("MultiPoint").to_numpy(dtype=bool)
    if not multi.any():
        return
    shapes = geometry.to_numpy()
    single = multi & (shapely.get_num_geometries(shapes) == 1)
    if single.any():
        sites.loc[single, sites.geometry.name] = gpd.GeoSeries(
            shapely.get_geometry(shapes[single], 0), index=sites.index[single], crs=sites.crs
        )
        logger.debug(f"read {int(single.sum())} one-part MultiPoint sites as points")


def _polygonal(shape: shapely.Geometry) -> shapely.Geometry:
    """Keep the polygons of a geometry (make_valid can add lines or points)."""
    if shape.geom_type in POLYGONS:
        return shape
    parts = [part for part in shapely.get_parts(shape) if part.geom_type in POLYGONS]
    return shapely.union_all(parts) if parts else shapely.Polygon()


_SHARE_NAME = re.compile(r"share|aandeel|pct|percent|procent|%", re.IGNORECASE)


def check_shares(
    values: pd.Series, ids: pd.Series, path: Path, column: str, problems: list[str]
) -> None:
    """Report values above 100 in a column named like a share or percentage."""
    if not _SHARE_NAME.search(column):
        return
    above = values > 100
    if above.any():
        shown = ", ".join(f"{ids[idx]}={values[idx]:g}" for idx in values.index[above][:3])
        problems.append(
            f"{path}: column '{column}' is a share or percentage but has {int(above.sum())} "
            f"values above 100 ({shown}); give shares as 0-1 or percentages as 0-100"
        )


def keep_extra_columns(
    raw: gpd.GeoDataFrame, out: gpd.GeoDataFrame, skip: tuple[str, ...] = ()
) -> None:
    """Carry the file's other columns along (wijk, co-location flags, ...) under their names."""
    for column in raw.columns:
        if column != raw.geometry.name and column not in out.columns and column not in skip:
            out[column] = raw[column].to_numpy()
