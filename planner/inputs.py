"""Read and check the sector and site layers a scenario names.

Every check collects its problems instead of stopping at the first, so ``planner validate``
can report all of them at once. The loaders return layers with the scenario's column names
mapped onto planner's own (``sector_id``, ``population``, ``target``, ...), reprojected to the
scenario's working CRS, and sorted by id so that file order never changes a result.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd
import pyogrio
from pyproj import CRS
from pyproj.exceptions import CRSError

from planner.errors import DataError, InputFileError

if TYPE_CHECKING:
    from pathlib import Path

    from planner.scenario import Scenario

__all__ = ["EXISTING_ROLES", "Inputs", "check_inputs", "read_inputs", "read_layer"]

logger = logging.getLogger(__name__)

EXISTING_ROLES = ("house", "antenne")
_TRUE = {"true", "1", "yes", "ja", "y", "t"}
_FALSE = {"false", "0", "no", "nee", "n", "f", ""}


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
        When the file is missing or cannot be opened as a vector layer.
    """
    if not path.exists():
        raise InputFileError(
            f"{role} file {path} does not exist: check data.{role} in the scenario "
            "(relative paths are resolved against the scenario file's folder)"
        )
    if path.is_dir():
        raise InputFileError(f"{role} file {path} is a folder: point data.{role} at a file")
    try:
        return gpd.read_file(path, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError) as error:
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InputFileError(
            f"{role} file {path} cannot be opened as a vector layer ({first_line}): "
            "save it as GeoPackage, GeoJSON or shapefile"
        ) from None


def _check_columns(
    gdf: gpd.GeoDataFrame, path: Path, columns: dict[str, str], problems: list[str]
) -> None:
    available = ", ".join(str(column) for column in gdf.columns if column != "geometry")
    for key, column in columns.items():
        if column not in gdf.columns:
            problems.append(
                f"{path}: column '{column}' (data.{key}) is missing; available columns: "
                f"{available}; rename the column or set data.{key}"
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
    values: pd.Series = pd.to_numeric(gdf[column], errors="coerce")
    bad = values.isna() & gdf[column].notna()
    if not allow_missing:
        bad |= gdf[column].isna()
    if bad.any():
        examples = ", ".join(
            f"{gdf.loc[idx, id_column]!s}={gdf.loc[idx, column]!r}" for idx in gdf.index[bad][:3]
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
    return values.astype(float)


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
        problems.append(
            f"{path}: column '{column}' (data.{key}) is empty in {int(empty.sum())} rows"
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
        problems.append(f"{path}: expected {' or '.join(kinds)} geometries, got {got}")


def _sectors(scenario: Scenario, problems: list[str]) -> gpd.GeoDataFrame | None:
    spec = scenario.data
    path = spec.sectors
    try:
        raw = read_layer(path, "sectors")
    except InputFileError as error:
        problems.extend(error.problems)
        return None
    if raw.empty:
        problems.append(f"{path}: the sectors layer has no rows")
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
    for indicator in scenario.need.indicators:
        out[indicator.column] = _numeric(
            raw, path, indicator.column, spec.sector_id, problems, allow_missing=True
        )
    for key, column in _point_columns(scenario).items():  # coordinates may be negative
        out[key] = pd.to_numeric(raw[column], errors="coerce").astype(float)
    _keep_extra_columns(raw, out)
    _check_geometry(out, path, ("Polygon", "MultiPolygon"), "sector_id", problems)
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
        "sites.can_house": "can_house",
        "sites.can_antenne": "can_antenne",
        "sites.cost_house": "cost_house",
        "sites.cost_antenne": "cost_antenne",
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
    clash = out["forbidden"] & (out["existing_role"] != "")
    if clash.any():
        shown = ", ".join(str(value) for value in out.loc[clash, "site_id"][:3])
        problems.append(
            f"{path}: sites {shown} are both existing and forbidden; clear one of the two"
        )
    _check_geometry(out, path, ("Point",), "site_id", problems)
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
