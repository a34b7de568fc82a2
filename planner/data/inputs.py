"""Read and check the sector and site layers a scenario names.

Every check collects its problems instead of stopping at the first, so ``planner validate``
can report all of them at once. The loaders return layers with the scenario's column names
mapped onto planner's own (``sector_id``, ``population``, ``target``, ...), reprojected to the
scenario's working CRS, and sorted by id so that file order never changes a result.

The column, id and geometry checks live in :mod:`planner.data.checks`, file opening in
:mod:`planner.data.layers`, and the notes on what the inputs estimate in
:mod:`planner.data.notes`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from planner.data.checks import (
    POLYGONS,
    bool_column,
    check_geometry,
    check_ids,
    check_shares,
    coordinates_problem,
    keep_extra_columns,
    numeric_column,
    read_checked_layer,
    repair_polygons,
    single_points,
)
from planner.data.layers import read_layer
from planner.data.site_types import EXISTING_ROLES
from planner.errors import DataError, InputFileError

if TYPE_CHECKING:
    from pathlib import Path

    from planner.scenario import Scenario

__all__ = [
    "EXISTING_ROLES",
    "Inputs",
    "check_inputs",
    "read_inputs",
    "read_layer",
]

logger = logging.getLogger(__name__)


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
    columns = {"sector_id": spec.sector_id, "population": spec.population, "target": spec.target}
    if spec.sector_name is not None:
        columns["sector_name"] = spec.sector_name
    columns |= _point_columns(scenario)
    indicators = {
        f"need.indicators[{index}].column": indicator.column
        for index, indicator in enumerate(scenario.need.indicators)
    }
    raw = read_checked_layer(
        path,
        "sectors",
        columns | indicators,
        "check that it is the right file (a GeoPackage with several layers is read from its "
        "first layer)",
        problems,
    )
    if raw is None:
        return None
    ids = check_ids(raw, path, spec.sector_id, "sector_id", problems)
    population = numeric_column(raw, path, spec.population, spec.sector_id, problems)
    target = numeric_column(raw, path, spec.target, spec.sector_id, problems)
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
        out[indicator.column] = numeric_column(
            raw, path, indicator.column, spec.sector_id, problems, allow_missing=True
        )
        check_shares(out[indicator.column], ids, path, indicator.column, problems)
        if out[indicator.column].isna().all():
            problems.append(
                f"{path}: column '{indicator.column}' (need.indicators[{index}].column) has no "
                "value in any sector: fill it in or remove the indicator from the scenario"
            )
    for key, column in _point_columns(scenario).items():  # coordinates may be negative
        out[key] = pd.to_numeric(raw[column], errors="coerce").astype(float)
    keep_extra_columns(raw, out)
    check_geometry(out, path, POLYGONS, "sector_id", problems)
    repair_polygons(out, path, problems)
    return out


def _point_columns(scenario: Scenario) -> dict[str, str]:
    """Return the sector columns holding representative points (data.point_x/y), if set."""
    spec = scenario.data
    if spec.point_x is None or spec.point_y is None:
        return {}
    return {"point_x": spec.point_x, "point_y": spec.point_y}


def _sites(scenario: Scenario, problems: list[str]) -> gpd.GeoDataFrame | None:
    spec = scenario.data
    path = spec.sites
    required = {
        "site_id": spec.site_id,
        "column can_house": "can_house",
        "column can_antenne": "can_antenne",
        "column cost_house": "cost_house",
        "column cost_antenne": "cost_antenne",
    }
    raw = read_checked_layer(
        path, "sites", required, "add candidate sites", problems, table_crs=spec.crs
    )
    if raw is None:
        return None
    ids = check_ids(raw, path, spec.site_id, "site_id", problems)
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
            "can_house": bool_column(raw, path, "can_house", problems),
            "can_antenne": bool_column(raw, path, "can_antenne", problems),
            "cost_house": numeric_column(raw, path, "cost_house", spec.site_id, problems),
            "cost_antenne": numeric_column(raw, path, "cost_antenne", spec.site_id, problems),
            "existing_role": existing,
            "forbidden": (
                bool_column(raw, path, "forbidden", problems)
                if "forbidden" in raw.columns
                else pd.Series(data=False, index=raw.index)
            ),
        },
        geometry=raw.geometry,
        crs=raw.crs,
    )
    keep_extra_columns(raw, out, skip=("existing",))
    single_points(out)
    clash = out["forbidden"] & (out["existing_role"] != "")
    if clash.any():
        shown = ", ".join(str(value) for value in out.loc[clash, "site_id"][:3])
        problems.append(
            f"{path}: sites {shown} are both existing and forbidden; clear one of the two"
        )
    check_geometry(out, path, ("Point",), "site_id", problems)
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
    for layer, path, role, id_column in (
        (sectors, scenario.data.sectors, "sectors", "sector_id"),
        (sites, scenario.data.sites, "sites", "site_id"),
    ):
        if layer is not None and (found := coordinates_problem(layer, path, role, id_column)):
            problems.append(found)
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
