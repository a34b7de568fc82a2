"""Read and check the sector and site layers a scenario names.

Every check collects its problems instead of stopping at the first, so ``planner validate``
can report all of them at once. The loaders return layers with the scenario's column names
mapped onto planner's own (``sector_id``, ``population``, ``target``, ...), reprojected to the
scenario's working CRS, and sorted by id so that file order never changes a result.
"""

from __future__ import annotations

import difflib
import json
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from planner.errors import DataError, InputFileError

if TYPE_CHECKING:
    from pathlib import Path

    from numpy.typing import NDArray

    from planner.scenario import Scenario

__all__ = [
    "EXISTING_ROLES",
    "Inputs",
    "check_inputs",
    "imputed_flags",
    "input_notes",
    "read_inputs",
    "read_layer",
]

logger = logging.getLogger(__name__)

EXISTING_ROLES = ("house", "antenne")
_TRUE = {"true", "1", "1.0", "yes", "ja", "y", "t"}
_FALSE = {"false", "0", "0.0", "no", "nee", "n", "f", ""}


@dataclass(frozen=True)
class Inputs:
    """The sector and site layers of a scenario, checked and in planner's column names.

    Attributes
    ----------
    sectors : geopandas.GeoDataFrame
        ``sector_id``, ``name``, ``population``, ``target``, one column per need indicator,
        polygon ``geometry``; sorted by ``sector_id``.
    sites : geopandas.GeoDataFrame
        ``site_id``, ``name``, ``type``, ``can_house``, ``can_antenne``, ``cost_house``,
        ``cost_antenne``, ``existing_role`` ("house", "antenne" or ""), ``forbidden``, point
        ``geometry``; sorted by ``site_id``.
    """

    sectors: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame


def read_layer(path: Path, role: str) -> gpd.GeoDataFrame:
    """Read a vector file, turning every failure into one clear :class:`InputFileError`.

    Parameters
    ----------
    path
        The file (GeoPackage, GeoJSON, shapefile, ...).
    role
        What the file is for ("sectors", "sites"), used in messages.

    Returns
    -------
    geopandas.GeoDataFrame
        The first layer of the file.

    Raises
    ------
    InputFileError
        When the file is missing, cannot be opened as a vector layer (the message says why:
        empty, another file type such as an image, damaged) or has no geometry (a table).
    """
    if not path.exists():
        raise InputFileError(
            f"{role} file {path} does not exist: check data.{role} in the scenario "
            "(relative paths are resolved against the scenario file's folder)"
        )
    if path.is_dir():
        raise InputFileError(f"{role} file {path} is a folder: point data.{role} at a file")
    kind = _LAYER_KINDS.get(role, "vector")
    try:
        layer = gpd.read_file(path, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError) as error:
        raise InputFileError(
            f"{role} file {path} cannot be opened as a vector layer "
            f"({unreadable_reason(path, error)}): save it as GeoPackage, GeoJSON or shapefile"
        ) from None
    if not isinstance(layer, gpd.GeoDataFrame):
        raise InputFileError(
            f"{role} file {path} has no geometry: it is a table, not a {kind} layer; join it "
            f"to the {kind}s (QGIS: 'Join attributes by field value') and save as GeoPackage"
        )
    return layer


_LAYER_KINDS = {"sectors": "polygon", "sites": "point", "network": "line"}
_SIGNATURES = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive or spreadsheet (unzip it, or export the layer)"),
    (b"GIF8", "a GIF image"),
)


def unreadable_reason(path: Path, error: BaseException, expected: str = "a vector layer") -> str:
    """Say briefly why a file could not be opened: empty, another file type, or damaged.

    Parameters
    ----------
    path
        The file.
    error
        What the reader raised.
    expected
        What the file should have been, for the message.

    Returns
    -------
    str
        A short reason for a message, e.g. ``"the file is empty: 0 bytes"``.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as os_error:
        return f"it cannot be read: {os_error.strerror}"
    if not head:
        return "the file is empty: 0 bytes"
    for signature, what in _SIGNATURES:
        if head.startswith(signature):
            return f"it is {what}, not {expected}"
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    if any(word in text.lower() for word in ("malformed", "truncat", "unterminated", "premature")):
        detail = text.rsplit(";", 1)[-1].strip()
        return f"the file is damaged or cut off: {detail[:120]}"
    if "not recognized as being in a supported file format" in text:
        return "not a format GDAL recognises"
    return text[:200]


def _check_columns(
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


def _numeric(
    gdf: gpd.GeoDataFrame,
    path: Path,
    column: str,
    id_column: str,
    problems: list[str],
    *,
    allow_missing: bool = False,
) -> pd.Series:
    values: pd.Series = pd.to_numeric(gdf[column], errors="coerce").astype(float)
    bad = (values.isna() & gdf[column].notna()) | np.isinf(values)
    if not allow_missing:
        bad |= gdf[column].isna()
    if bad.any():
        examples = ", ".join(
            f"{gdf.loc[idx, id_column]!s}={_cell(gdf.loc[idx, column])}"
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


def _cell(value: object) -> str:
    """Show a cell in a message: ``empty`` for a missing value, else its short repr."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "empty"
    text = repr(value.item() if isinstance(value, np.generic) else value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def _bool(gdf: gpd.GeoDataFrame, path: Path, column: str, problems: list[str]) -> pd.Series:
    raw: pd.Series = gdf[column]
    if raw.dtype == bool:
        return raw.astype(bool)
    text = raw.astype("string").str.strip().str.lower().fillna("")
    unknown = ~text.isin(_TRUE | _FALSE)
    if unknown.any():
        examples = ", ".join(repr(value) for value in text[unknown].unique()[:3])
        problems.append(
            f"{path}: column '{column}' must be true/false (or 1/0, yes/no); got {examples}"
        )
    return text.isin(_TRUE)


def _check_ids(
    gdf: gpd.GeoDataFrame, path: Path, column: str, key: str, problems: list[str]
) -> pd.Series:
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


def _crs_problem(gdf: gpd.GeoDataFrame, path: Path, role: str) -> str | None:
    if gdf.crs is None:
        return (
            f"{path}: the {role} layer has no CRS: set it (e.g. in QGIS, or "
            "gdf.set_crs('EPSG:31370')) and save again"
        )
    return None


def _check_geometry(
    gdf: gpd.GeoDataFrame, path: Path, kinds: tuple[str, ...], id_column: str, problems: list[str]
) -> None:
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


def _repair_polygons(sectors: gpd.GeoDataFrame, path: Path, problems: list[str]) -> None:
    """Repair invalid (e.g. self-intersecting) sector polygons with make_valid, in place.

    Only the polygonal parts of the repaired shape are kept; a sector with none left (a polygon
    of zero area) is a problem. Repairs are logged with the sector ids.
    """
    geometry = sectors.geometry
    usable = ~(geometry.isna() | geometry.is_empty) & geometry.geom_type.isin(_POLYGONS)
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


_POLYGONS = ("Polygon", "MultiPolygon")


def _single_points(sites: gpd.GeoDataFrame) -> None:
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
    if shape.geom_type in _POLYGONS:
        return shape
    parts = [part for part in shapely.get_parts(shape) if part.geom_type in _POLYGONS]
    return shapely.union_all(parts) if parts else shapely.Polygon()


_SHARE_NAME = re.compile(r"share|aandeel|pct|percent|procent|%", re.IGNORECASE)


def _check_shares(
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


_LOWEST_COST_EUR = 100.0


def _check_cost_units(
    sites: gpd.GeoDataFrame, path: Path, budget: float, problems: list[str]
) -> None:
    """Catch costs given in thousands of euro.

    Every positive cost below EUR 100 is an error; a budget more than 1000 times the most
    expensive site is a warning (a budget meant as "unlimited" is fine, hence no error).
    """
    costs = np.concatenate(
        [
            sites.loc[sites["can_house"], "cost_house"].to_numpy(dtype=float),
            sites.loc[sites["can_antenne"], "cost_antenne"].to_numpy(dtype=float),
        ]
    )
    costs = costs[np.isfinite(costs) & (costs > 0)]
    if costs.size and costs.max() < _LOWEST_COST_EUR:
        problems.append(
            f"{path}: every site cost (cost_house, cost_antenne) is below EUR 100 (highest "
            f"{costs.max():g}): the costs look like thousands or millions of euro; give them "
            "in euro (e.g. 450000, not 450 or 0.45), like budget.amount_eur"
        )
    elif costs.size and budget > 1000 * costs.max():
        logger.warning(
            f"{path.name}: the budget (EUR {budget:,.0f}) is more than 1000 times the most "
            f"expensive site (EUR {costs.max():,.0f}): are the site costs in thousands of "
            "euro? cost_house and cost_antenne are read in euro"
        )


def _sectors(scenario: Scenario, problems: list[str]) -> gpd.GeoDataFrame | None:
    spec = scenario.data
    path = spec.sectors
    try:
        raw = read_layer(path, "sectors")
    except InputFileError as error:
        problems.extend(error.problems)
        return None
    if raw.empty:
        problems.append(
            f"{path}: the sectors layer has no rows; check that it is the right file (a "
            "GeoPackage with several layers is read from its first layer)"
        )
        return None
    columns = {"sector_id": spec.sector_id, "population": spec.population, "target": spec.target}
    if spec.sector_name is not None:
        columns["sector_name"] = spec.sector_name
    columns |= _point_columns(scenario)
    indicators = {
        f"need.indicators[{index}].column": indicator.column
        for index, indicator in enumerate(scenario.need.indicators)
    }
    before = len(problems)
    _check_columns(raw, path, columns | indicators, problems)
    if len(problems) > before:
        return None
    if (crs_problem := _crs_problem(raw, path, "sectors")) is not None:
        problems.append(crs_problem)
    ids = _check_ids(raw, path, spec.sector_id, "sector_id", problems)
    population = _numeric(raw, path, spec.population, spec.sector_id, problems)
    target = _numeric(raw, path, spec.target, spec.sector_id, problems)
    over = target > population
    if over.any():
        shown = ", ".join(str(value) for value in ids[over][:3])
        problems.append(
            f"{path}: target group ('{spec.target}') exceeds population ('{spec.population}') "
            f"in {int(over.sum())} sectors ({shown}); check the columns"
        )
    out = gpd.GeoDataFrame(
        {
            "sector_id": ids,
            "name": (
                raw[spec.sector_name].astype("string").fillna("")
                if spec.sector_name is not None
                else ids
            ),
            "population": population,
            "target": target,
        },
        geometry=raw.geometry,
        crs=raw.crs,
    )
    for index, indicator in enumerate(scenario.need.indicators):
        out[indicator.column] = _numeric(
            raw, path, indicator.column, spec.sector_id, problems, allow_missing=True
        )
        _check_shares(out[indicator.column], ids, path, indicator.column, problems)
        if out[indicator.column].isna().all():
            problems.append(
                f"{path}: column '{indicator.column}' (need.indicators[{index}].column) has no "
                "value in any sector: fill it in or remove the indicator from the scenario"
            )
    for key, column in _point_columns(scenario).items():  # coordinates may be negative
        out[key] = pd.to_numeric(raw[column], errors="coerce").astype(float)
    _keep_extra_columns(raw, out)
    _check_geometry(out, path, _POLYGONS, "sector_id", problems)
    _repair_polygons(out, path, problems)
    return out


def _point_columns(scenario: Scenario) -> dict[str, str]:
    """Return the sector columns holding representative points (data.point_x/y), if set."""
    spec = scenario.data
    if spec.point_x is None or spec.point_y is None:
        return {}
    return {"point_x": spec.point_x, "point_y": spec.point_y}


def _keep_extra_columns(
    raw: gpd.GeoDataFrame, out: gpd.GeoDataFrame, skip: tuple[str, ...] = ()
) -> None:
    """Carry the file's other columns along (wijk, co-location flags, ...) under their names."""
    for column in raw.columns:
        if column != raw.geometry.name and column not in out.columns and column not in skip:
            out[column] = raw[column].to_numpy()


def _sites(scenario: Scenario, problems: list[str]) -> gpd.GeoDataFrame | None:
    spec = scenario.data
    path = spec.sites
    try:
        raw = read_layer(path, "sites")
    except InputFileError as error:
        problems.extend(error.problems)
        return None
    if raw.empty:
        problems.append(f"{path}: the sites layer has no rows; add candidate sites")
        return None
    required = {
        "site_id": spec.site_id,
        "column can_house": "can_house",
        "column can_antenne": "can_antenne",
        "column cost_house": "cost_house",
        "column cost_antenne": "cost_antenne",
    }
    before = len(problems)
    _check_columns(raw, path, required, problems)
    if len(problems) > before:
        return None
    if (crs_problem := _crs_problem(raw, path, "sites")) is not None:
        problems.append(crs_problem)
    ids = _check_ids(raw, path, spec.site_id, "site_id", problems)
    existing = (
        raw["existing"].astype("string").str.strip().str.lower().fillna("")
        if "existing" in raw.columns
        else pd.Series("", index=raw.index, dtype="string")
    )
    unknown = ~existing.isin(("", *EXISTING_ROLES))
    if unknown.any():
        shown = ", ".join(repr(value) for value in existing[unknown].unique()[:3])
        problems.append(
            f"{path}: column 'existing' must be 'house', 'antenne' or empty; got {shown}"
        )
    out = gpd.GeoDataFrame(
        {
            "site_id": ids,
            "name": raw["name"].astype("string").fillna("") if "name" in raw.columns else ids,
            "type": raw["type"].astype("string").fillna("") if "type" in raw.columns else "",
            "can_house": _bool(raw, path, "can_house", problems),
            "can_antenne": _bool(raw, path, "can_antenne", problems),
            "cost_house": _numeric(raw, path, "cost_house", spec.site_id, problems),
            "cost_antenne": _numeric(raw, path, "cost_antenne", spec.site_id, problems),
            "existing_role": existing,
            "forbidden": (
                _bool(raw, path, "forbidden", problems)
                if "forbidden" in raw.columns
                else pd.Series(data=False, index=raw.index)
            ),
        },
        geometry=raw.geometry,
        crs=raw.crs,
    )
    _keep_extra_columns(raw, out, skip=("existing",))
    _single_points(out)
    clash = out["forbidden"] & (out["existing_role"] != "")
    if clash.any():
        shown = ", ".join(str(value) for value in out.loc[clash, "site_id"][:3])
        problems.append(
            f"{path}: sites {shown} are both existing and forbidden; clear one of the two"
        )
    _check_geometry(out, path, ("Point",), "site_id", problems)
    _check_cost_units(out, path, scenario.budget.amount_eur, problems)
    return out


def _check_crs(
    scenario: Scenario,
    sectors: gpd.GeoDataFrame | None,
    sites: gpd.GeoDataFrame | None,
    problems: list[str],
) -> CRS | None:
    try:
        working = CRS.from_user_input(scenario.data.crs)
    except CRSError:
        problems.append(
            f"scenario key 'data.crs': {scenario.data.crs!r} is not a known CRS; "
            "use e.g. EPSG:31370"
        )
        return None
    if not working.is_projected:
        problems.append(
            f"scenario key 'data.crs': {scenario.data.crs} is not projected (degrees); "
            "use a CRS in metres such as EPSG:31370 (Belgian Lambert 72)"
        )
        return None
    sectors_crs = None if sectors is None else sectors.crs
    sites_crs = None if sites is None else sites.crs
    if sectors_crs is not None and sites_crs is not None and not CRS(sectors_crs).equals(sites_crs):
        problems.append(
            f"sectors and sites have different CRS ({sectors_crs.to_string()} in "
            f"{scenario.data.sectors.name} vs {sites_crs.to_string()} in "
            f"{scenario.data.sites.name}): reproject one of them (to_crs() or QGIS "
            "'Export > Save Features As') so both use the same CRS"
        )
    return working


def _check_finite(
    layer: gpd.GeoDataFrame, path: Path, id_column: str, crs: str, problems: list[str]
) -> None:
    """Report features whose coordinates are not finite after reprojection to ``crs``."""
    bounds = shapely.bounds(layer.geometry.to_numpy())
    bad = ~np.isfinite(bounds).all(axis=1)
    if bad.any():
        shown = ", ".join(str(value) for value in layer.loc[bad, id_column][:5])
        problems.append(
            f"{path}: {int(bad.sum())} features ({shown}) lie where {crs} (data.crs) is not "
            "defined: their coordinates are infinite after reprojection; check the layer's CRS "
            "and the coordinates (latitude and longitude swapped?)"
        )


def _check_sites_in_area(sectors: gpd.GeoDataFrame, sites: gpd.GeoDataFrame) -> None:
    area = sectors.geometry.union_all().buffer(1000.0)
    outside = ~sites.geometry.within(area)
    if outside.any():
        shown = ", ".join(sites.loc[outside, "site_id"][:5])
        logger.warning(
            "%d sites lie more than 1 km outside the sectors (%s); they stay candidates",
            int(outside.sum()),
            shown,
        )


def _load(scenario: Scenario) -> tuple[Inputs | None, list[str]]:
    problems: list[str] = []
    sectors = _sectors(scenario, problems)
    sites = _sites(scenario, problems)
    working = _check_crs(scenario, sectors, sites, problems)
    if problems or sectors is None or sites is None or working is None:
        return None, problems
    sectors = sectors.to_crs(working).sort_values("sector_id", kind="stable")
    sites = sites.to_crs(working).sort_values("site_id", kind="stable")
    sectors = sectors.reset_index(drop=True)
    sites = sites.reset_index(drop=True)
    _check_finite(sectors, scenario.data.sectors, "sector_id", scenario.data.crs, problems)
    _check_finite(sites, scenario.data.sites, "site_id", scenario.data.crs, problems)
    if problems:
        return None, problems
    _check_sites_in_area(sectors, sites)
    logger.info(
        "Read %d sectors (%s inhabitants, %s in the target group) and %d sites (%d existing)",
        len(sectors),
        f"{int(sectors['population'].sum()):,}",
        f"{int(sectors['target'].sum()):,}",
        len(sites),
        int((sites["existing_role"] != "").sum()),
    )
    return Inputs(sectors=sectors, sites=sites), problems


def read_inputs(scenario: Scenario) -> Inputs:
    """Read, check and standardise the sectors and sites of a scenario.

    Parameters
    ----------
    scenario
        The validated scenario.

    Returns
    -------
    Inputs
        Sectors and sites in planner's column names and the scenario's CRS, sorted by id.

    Raises
    ------
    InputFileError
        When a file is missing or unreadable (and nothing else is wrong).
    DataError
        Listing every problem found in the content of the files.
    """
    inputs, problems = _load(scenario)
    if problems:
        if all("does not exist" in p or "cannot be opened" in p for p in problems):
            raise InputFileError(problems)
        raise DataError(problems)
    if inputs is None:  # pragma: no cover - _load returns problems whenever inputs is None
        raise DataError("inputs could not be read")
    return inputs


def check_inputs(scenario: Scenario) -> list[str]:
    """Return every problem a run of the scenario would meet in its sector and site files.

    Parameters
    ----------
    scenario
        The validated scenario.

    Returns
    -------
    list of str
        One line per problem; empty when the inputs are fine.
    """
    _, problems = _load(scenario)
    return problems


# --- notes on what the inputs estimate or look wrong ------------------------------------------

_HOUSE_COST_LOW_EUR = 10_000.0
"""A house under this cost looks like a cost given in thousands of euro."""

_DERIVED_FROM = {"kansarmoede_est": "median_income"}
"""Indicators that ``planner data`` derives from another column (and its imputation flag)."""

_IMPUTED_HOW = {
    "neighbours": "from neighbouring sectors",
    "median": "with the city median",
    "missing": "left empty, then the median of the run",
}


def _flags(sectors: pd.DataFrame, column: str) -> NDArray[np.bool_]:
    """Return a flag column (True/1/'true') as booleans; all False when absent."""
    if column not in sectors.columns:
        return np.zeros(len(sectors), dtype=bool)
    text = sectors[column].astype("string").str.strip().str.lower().fillna("")
    return text.isin(_TRUE - {""}).to_numpy(dtype=bool)


def imputed_flags(scenario: Scenario, sectors: pd.DataFrame) -> NDArray[np.bool_]:
    """Return the sectors whose need indicator ``planner data`` imputed, by its flag columns.

    An indicator ``C`` is flagged by ``C_suppressed`` (``median_income_suppressed``); one
    derived from another column (``kansarmoede_est`` from ``median_income``) by that column's
    flag.

    Parameters
    ----------
    scenario
        The scenario (its need indicators).
    sectors
        The sector table as read.

    Returns
    -------
    numpy.ndarray
        True per sector with at least one flagged indicator value.
    """
    flagged = np.zeros(len(sectors), dtype=bool)
    for indicator in scenario.need.indicators:
        source = _DERIVED_FROM.get(indicator.column, indicator.column)
        flagged |= _flags(sectors, f"{source}_suppressed")
    return flagged


def _prepare_report(scenario: Scenario) -> dict[str, Any] | None:
    """Return ``prepare_report.json`` next to the sector file (from ``planner data``), if any."""
    path = scenario.data.sectors.parent / "prepare_report.json"
    if not path.is_file():
        return None
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        logger.info(f"ignoring {path} ({type(error).__name__})")
        return None
    return report if isinstance(report, dict) else None


def _target_note(scenario: Scenario, sectors: pd.DataFrame) -> str | None:
    if scenario.data.target != "target" or "target_estimated" not in sectors.columns:
        return None
    estimated = _flags(sectors, "target_estimated")
    if not estimated.any():
        return None
    method = ""
    if "target_method" in sectors.columns:
        methods = sectors.loc[estimated, "target_method"].astype("string").dropna()
        method = str(methods.mode().iloc[0]) if len(methods) else ""
    found = re.match(r"estimate:\s*([0-9.eE+-]+)\s*x\s*(.+)", method)
    what = (
        f"{100 * float(found.group(1)):.3g} % of {found.group(2).strip()}"
        if found
        else "a share of the inhabitants"
    )
    where = "" if estimated.all() else f" in {estimated.sum()} of {len(sectors)} sectors"
    return (
        f"target group estimated as {what} (no age table){where}: replace it with an age "
        "table when available (planner data)"
    )


def _income_note(scenario: Scenario, sectors: pd.DataFrame) -> str | None:
    used = {_DERIVED_FROM.get(i.column, i.column) for i in scenario.need.indicators}
    if "median_income" not in used:
        return None
    flagged = _flags(sectors, "median_income_suppressed")
    n = int(flagged.sum())
    if not n:
        return None
    how = ""
    if "median_income_imputation" in sectors.columns:
        counts = sectors.loc[flagged, "median_income_imputation"].astype("string").value_counts()
        how = "; imputed " + ", ".join(
            f"{_IMPUTED_HOW.get(str(kind), str(kind))} ({number})"
            for kind, number in counts.items()
        )
    derived = [i.column for i in scenario.need.indicators if i.column in _DERIVED_FROM]
    via = f", and so {', '.join(derived)}" if derived else ""
    return (
        f"{n} {'sector has' if n == 1 else 'sectors have'} an imputed median income{via} "
        f"(Statbel suppressed {'it' if n == 1 else 'them'}{how})"
    )


def _stand_in_notes(sites: pd.DataFrame, report: dict[str, Any] | None) -> list[str]:
    """Name existing sites marked by type (``planner data --existing-type``): stand-ins."""
    marked: dict[str, str] = {}
    if report is not None and isinstance(report.get("existing_types"), dict):
        marked = {str(k): str(v) for k, v in report["existing_types"].items()}
    elif "source" in sites.columns:  # prepared sites: existing ones not from an existing file
        typed = sites[(sites["existing_role"] != "") & (sites["source"] == "points file")]
        pairs = zip(typed["type"], typed["existing_role"], strict=True)
        marked = {str(kind): str(role) for kind, role in pairs}
    notes = []
    for role in EXISTING_ROLES:
        kinds = sorted(
            kind
            for kind, marked_role in marked.items()
            if marked_role == role
            and ((sites["type"] == kind) & (sites["existing_role"] == role)).any()
        )
        if kinds:
            option = " ".join(f"--existing-type {kind}={role}" for kind in kinds)
            notes.append(
                f"existing {role}s are stand-ins: {', '.join(kinds)} (from planner data "
                f"{option}); replace them with the real list"
            )
    return notes


def _default_costs_note(sites: pd.DataFrame, report: dict[str, Any] | None) -> str | None:
    from planner.data.prepare import DEFAULT_SITE_TYPES  # noqa: PLC0415 - prepare imports this module

    stated = report.get("site_costs") if report is not None else None
    default = None if stated is None else stated == "default"
    if default is None and "source" in sites.columns:  # a prepared file without a report
        typed = sites[sites["type"].isin(list(DEFAULT_SITE_TYPES))]
        default = bool(len(typed))
        for kind, can_house, cost_house, can_antenne, cost_antenne in zip(
            typed["type"].astype(str),
            typed["can_house"],
            typed["cost_house"],
            typed["can_antenne"],
            typed["cost_antenne"],
            strict=True,
        ):
            rule = DEFAULT_SITE_TYPES[kind]
            if (can_house and cost_house != rule.cost_house) or (
                can_antenne and cost_antenne != rule.cost_antenne
            ):
                default = False
                break
    if not default:
        return None
    return (
        "site costs are default placeholders per site type (planner data), not quotes: give "
        "the city's figures with planner data --site-types"
    )


def _cost_notes(scenario: Scenario, sites: pd.DataFrame) -> list[str]:
    """Catch costs that look like thousands of euro and a budget that binds nothing."""
    notes = []
    new_house = sites["can_house"] & ~sites["forbidden"] & (sites["existing_role"] != "house")
    costs = sites.loc[new_house, "cost_house"].to_numpy(dtype=float)
    low = (costs > 0) & (costs < _HOUSE_COST_LOW_EUR)
    if low.any():
        ids = ", ".join(str(v) for v in sites.loc[new_house, "site_id"].to_numpy()[low][:3])
        text = (
            f"{int(low.sum())} {'site has' if low.sum() == 1 else 'sites have'} a house cost "
            f"under EUR {_HOUSE_COST_LOW_EUR:,.0f} (lowest EUR {costs[low].min():,.0f}: {ids}): "
            "are the costs in euro, not thousands? cost_house is read in euro"
        )
        logger.warning(text)
        notes.append(text)
    new = (sites["existing_role"] == "") & ~sites["forbidden"]
    each = np.maximum(
        np.where(sites["can_house"], sites["cost_house"].to_numpy(dtype=float), 0.0),
        np.where(sites["can_antenne"], sites["cost_antenne"].to_numpy(dtype=float), 0.0),
    )[new.to_numpy(dtype=bool)]
    budget = scenario.budget.amount_eur
    if scenario.objective.kind == "max_coverage" and each.size and each.sum() <= budget:
        notes.append(
            f"the budget (EUR {budget:,.0f}) does not bind: all {len(each)} candidate sites "
            f"together cost at most EUR {each.sum():,.0f}"
        )
    if scenario.objective.keep_existing and not (sites["existing_role"] != "").any():
        notes.append(
            "no existing sites in the sites file: objective.keep_existing has nothing to keep, "
            "so the plan starts from zero (mark today's houses with the column 'existing')"
        )
    return notes


def input_notes(scenario: Scenario, inputs: Inputs) -> list[str]:
    """Say what the inputs estimate and what looks like a mistake, for the summary's notes.

    From the flag columns of ``planner data`` (``target_estimated``,
    ``median_income_suppressed``) and its ``prepare_report.json`` next to the sector file:
    an estimated target group, imputed incomes, existing sites that are stand-ins chosen by
    type, placeholder site costs. From the figures: house costs that look like thousands of
    euro (also logged as a warning), a budget that binds nothing, no existing sites to keep.

    Parameters
    ----------
    scenario
        The scenario.
    inputs
        Sectors and sites as read.

    Returns
    -------
    list of str
        Plain English notes, most important first.
    """
    report = _prepare_report(scenario)
    sectors, sites = inputs.sectors, inputs.sites
    notes = [
        note
        for note in (_target_note(scenario, sectors), _income_note(scenario, sectors))
        if note is not None
    ]
    notes += _stand_in_notes(sites, report)
    costs = _default_costs_note(sites, report)
    if costs is not None:
        notes.append(costs)
    for note in notes:
        logger.info(note)
    return notes + _cost_notes(scenario, sites)
