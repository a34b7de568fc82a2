"""The sector layer of ``planner data``: polygons, wijk, population, target group, income, points.

:func:`prepare_sectors` reads the sector polygons of one municipality and joins the official
tables onto them (:mod:`planner.data.sources`): the wijk of each sector, its population and
target group (counted from an age table, else estimated and flagged), the median income with
suppressed values imputed and flagged, the estimated kansarmoede share and any extra indicator
columns; each join's report goes into the prepare report. :func:`add_points` adds a
representative point per sector, population-weighted from a raster when there is one.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from planner.data import sources
from planner.data.layers import read_layer
from planner.data.raster import raster_points
from planner.data.region import known_municipalities, voronoi_sector_layer
from planner.errors import DataError, InputFileError

if TYPE_CHECKING:
    from pathlib import Path

    from planner.data.boundaries import JoinReport
    from planner.data.files import PrepareOptions, Sources

__all__ = ["add_points", "prepare_sectors"]

logger = logging.getLogger(__name__)


def prepare_sectors(
    found: Sources, nis: str | tuple[str, ...], options: PrepareOptions, report: dict[str, Any]
) -> gpd.GeoDataFrame:
    """Read the sectors of municipality ``nis`` and join the official tables onto them.

    Municipalities without sector polygons in ``found.sectors`` (or without a sector file) get
    Voronoi sectors from Statbel's centroids (:func:`planner.data.region.voronoi_sector_layer`),
    flagged in the column ``geometry_method`` and in ``report["sector_geometry"]``.

    Parameters
    ----------
    found
        The source files.
    nis
        The municipality's NIS code, or the codes of a region.
    options
        Target group, imputation and output CRS choices.
    report
        The prepare report; ``joins``, ``target``, ``income`` and more are written into it.

    Returns
    -------
    geopandas.GeoDataFrame
        The sector layer without points, in ``options.crs``.

    Raises
    ------
    InputFileError
        When there is no sector or population file.
    """
    sectors = _sector_polygons(found, nis, options, report)
    joins: list[JoinReport] = []
    if not isinstance(nis, str) and found.municipalities is not None:  # a region: names too
        names = known_municipalities(found.municipalities, None)
        sectors["municipality_name"] = sectors["municipality"].map(names)
    columns = ("sector_id", "name", "municipality", "municipality_name", "geometry_method")
    kept = [c for c in columns if c in sectors]
    base = gpd.GeoDataFrame(sectors[kept], geometry=sectors.geometry)
    base = _add_wijk_names(_add_wijk(base, sectors, found, nis, joins), found)
    base = _add_population(base, found, nis, options, joins, report)
    base = _add_income(base, found, nis, options, joins, report)
    for path, indicators in found.indicator_tables:
        table = sources.read_indicator_table(path, indicators)
        base, join = sources.join_on_sector(
            base, table, what=f"indicators ({path.name})", municipality=nis
        )
        joins.append(join)
    base["area_km2"] = base.geometry.area / 1e6
    report["joins"] = [join.as_dict() for join in joins]
    return gpd.GeoDataFrame(base, geometry="geometry", crs=options.crs)


def _sector_polygons(
    found: Sources, nis: str | tuple[str, ...], options: PrepareOptions, report: dict[str, Any]
) -> gpd.GeoDataFrame:
    """Return the sector polygons: from the sector file, Voronoi cells where it has none."""
    codes = (nis,) if isinstance(nis, str) else tuple(nis)
    real = None
    if found.sectors is not None:
        everything = sources.read_sector_geometry(found.sectors)
        real = everything[everything["municipality"].isin(codes)].to_crs(options.crs)
        if len(real) == 0 and (found.centroids is None or found.municipalities is None):
            # no approximation possible: the file's own message names what it holds
            sources.select_municipality(
                everything, codes, what=f"sector layer {found.sectors.name}"
            )
    have = set() if real is None else set(real["municipality"])
    missing = tuple(code for code in codes if code not in have)
    if not missing:
        assert real is not None  # noqa: S101 - every code has polygons
        return real
    approximated = voronoi_sector_layer(
        missing, found.centroids, found.municipalities, crs=options.crs, taken=real
    )
    report["sector_geometry"] = {
        "method": "voronoi",
        "municipalities": list(missing),
        "sectors": len(approximated),
        "note": (
            f"{len(approximated)} sectors of {', '.join(missing)} are APPROXIMATED as Voronoi "
            "cells of Statbel's sector centroids clipped to the municipal boundary (no sector "
            "polygons): give Statbel's sh_statbel_statistical_sectors file with --file sectors=PATH"
        ),
    }
    if real is None or len(real) == 0:
        return approximated
    real = real.assign(geometry_method="polygons")
    both = pd.concat([real, approximated], ignore_index=True)
    return gpd.GeoDataFrame(both, geometry="geometry", crs=options.crs).sort_values(
        "sector_id", kind="stable", ignore_index=True
    )


def _add_wijk(
    base: gpd.GeoDataFrame,
    sectors: gpd.GeoDataFrame,
    found: Sources,
    nis: str | tuple[str, ...],
    joins: list[JoinReport],
) -> gpd.GeoDataFrame:
    if found.wijk_map is not None:
        table = sources.read_table(found.wijk_map)
        code = sources.find_column(
            table.columns,
            (*sources.SECTOR_CODE_COLUMNS, "statsec2024"),
            role="sector code",
            where=str(found.wijk_map),
        )
        wijk = sources.find_column(
            table.columns, ("ggw72024", "wijk", "wijk_code"), role="wijk", where=str(found.wijk_map)
        )
        mapping = pd.DataFrame(
            {
                "sector_id": sources.normalise_codes(table[str(code)]),
                "wijk": table[str(wijk)].astype("string").str.strip(),
            }
        ).drop_duplicates("sector_id")
        joined, join = sources.join_on_sector(
            base, mapping, what=f"wijk ({found.wijk_map.name})", municipality=nis
        )
        joins.append(join)
        return _add_wijk_names(gpd.GeoDataFrame(joined, geometry="geometry", crs=base.crs), found)
    column = sources.find_column(
        sectors.columns, ("wijk", "wijknr", "wijk_code"), role="wijk", where="", required=False
    )
    base["wijk"] = sectors[column].astype("string") if column else pd.NA
    return base


def _add_wijk_names(base: gpd.GeoDataFrame, found: Sources) -> gpd.GeoDataFrame:
    """Add ``wijk_name`` from the wijk layer (``geoitem`` → ``naam``, "(Gent)" dropped)."""
    if found.wijk_names is None:
        return base
    layer = read_layer(found.wijk_names, "wijk_names")
    code = sources.find_column(
        layer.columns,
        ("geoitem", "ggw72024", "wijk"),
        role="wijk code",
        where=str(found.wijk_names),
    )
    name = sources.find_column(
        layer.columns, ("naam", "name", "wijk_name"), role="wijk name", where=str(found.wijk_names)
    )
    names = layer[str(name)].astype("string").str.replace(r"\s*\([^)]*\)$", "", regex=True)
    mapping = dict(zip(layer[str(code)].astype("string").str.strip(), names, strict=True))
    base["wijk_name"] = base["wijk"].map(mapping).astype("string")
    missing = int(base["wijk_name"].isna().sum() - base["wijk"].isna().sum())
    if missing:
        logger.warning(f"{found.wijk_names.name}: {missing} sectors' wijk has no name there")
    return base


def _add_population(
    base: gpd.GeoDataFrame,
    found: Sources,
    nis: str | tuple[str, ...],
    options: PrepareOptions,
    joins: list[JoinReport],
    report: dict[str, Any],
) -> gpd.GeoDataFrame:
    if found.population is None:
        raise InputFileError(
            "no population table found: put Statbel's population by sector (e.g. "
            "census2021_population_by_sector.csv or OPENDATA_SECTOREN_2024.txt) in the source "
            "folder or pass --population"
        )
    table = sources.read_population_table(found.population)
    codes = (nis,) if isinstance(nis, str) else tuple(nis)
    unknown = table["sector_id"].str[:5].isin(codes) & table["sector_id"].str.endswith(
        sources.UNKNOWN_SECTOR_SUFFIX
    )
    report["population_unknown_sector"] = float(
        table.loc[unknown.fillna(False), "population"].sum()
    )
    joined, join = sources.join_on_sector(
        base, table, what=f"population ({found.population.name})", municipality=nis
    )
    joins.append(join)
    joined["population_missing"] = joined["population"].isna()
    for column in [c for c in joined.columns if c.startswith(("population", "age_"))]:
        if column != "population_missing":
            joined[column] = joined[column].fillna(0.0)
    under65 = joined.get("population_under65")
    if found.ages is not None:
        ages = sources.read_age_table(found.ages)
        ages, age_join = sources.join_on_sector(
            joined[["sector_id"]], ages, what=f"ages ({found.ages.name})", municipality=nis
        )
        joins.append(age_join)
        lo, hi = options.target_ages
        joined["target"] = (
            sources.target_from_ages(ages.fillna(0.0), lo, hi)
            .to_numpy()
            .clip(max=joined["population"].to_numpy())
        )
        joined["target_estimated"] = False
        joined["target_method"] = f"age table, ages {lo}-{hi}"
        note = f"target group: children aged {lo}-{hi} from {found.ages.name}"
    else:
        joined["target"] = sources.estimate_target(
            joined["population"], under65, options.target_share
        )
        joined["target_estimated"] = True
        base_text = "inhabitants under 65" if under65 is not None else "inhabitants"
        joined["target_method"] = f"estimate: {options.target_share:g} x {base_text}"
        note = (
            f"target group ESTIMATED as {options.target_share:g} x {base_text} per sector (no age "
            "table); replace with an age table when available"
        )
    report["target"] = {
        "estimated": found.ages is None,
        "share": options.target_share if found.ages is None else None,
        "ages": list(options.target_ages) if found.ages is not None else None,
        "note": note,
        "total": float(joined["target"].sum()),
    }
    report["population_missing"] = sorted(joined.loc[joined["population_missing"], "sector_id"])
    return gpd.GeoDataFrame(joined, geometry="geometry", crs=base.crs)


def _add_income(
    base: gpd.GeoDataFrame,
    found: Sources,
    nis: str | tuple[str, ...],
    options: PrepareOptions,
    joins: list[JoinReport],
    report: dict[str, Any],
) -> gpd.GeoDataFrame:
    if found.income is None:
        report["income"] = None
        logger.warning("no income table found: no income-based need indicator")
        return base
    table = sources.read_income_table(found.income)
    joined, join = sources.join_on_sector(
        base, table, what=f"income ({found.income.name})", municipality=nis
    )
    joins.append(join)
    joined = gpd.GeoDataFrame(joined, geometry="geometry", crs=base.crs)
    values, suppressed, method = sources.impute_suppressed(
        joined, "median_income", policy=options.income_imputation
    )
    joined["median_income"] = values
    joined["median_income_suppressed"] = suppressed
    joined["median_income_imputation"] = method
    report["income"] = {
        "suppressed": sorted(joined.loc[suppressed, "sector_id"]),
        "policy": options.income_imputation,
        "imputation": {str(k): int(v) for k, v in method[suppressed].value_counts().items()},
    }
    if options.use_kansarmoede and found.municipal_indicators is not None:
        codes = (nis,) if isinstance(nis, str) else tuple(nis)
        missing = _without_kansarmoede(found.municipal_indicators, codes)
        if missing:
            report["kansarmoede"] = {
                "column": None,
                "missing": missing,
                "note": f"no kansarmoede-index for {', '.join(missing)} in "
                f"{found.municipal_indicators.name} (a merged or renamed municipality?): need "
                "from median_income instead of kansarmoede_est",
            }
            logger.warning(report["kansarmoede"]["note"])
            return joined
        estimate = np.full(len(joined), np.nan)
        indices = {}
        for code in codes:  # each municipality's index spread over its own sectors
            mine = (joined["municipality"] == code).to_numpy(dtype=bool)
            indices[code] = sources.read_municipal_indicator(found.municipal_indicators, code)
            estimate[mine] = sources.kansarmoede_estimate(
                joined.loc[mine, "median_income"].to_numpy(dtype=float),
                joined.loc[mine, "population"].to_numpy(dtype=float),
                indices[code],
            )
        joined["kansarmoede_est"] = estimate
        index: float | dict[str, float] = indices[codes[0]] if len(codes) == 1 else indices
        report["kansarmoede"] = {"municipal_index": index, "column": "kansarmoede_est"}
    return joined


def _without_kansarmoede(path: Path, codes: tuple[str, ...]) -> list[str]:
    """Return the codes the municipal indicators file has no kansarmoede-index for."""
    missing = []
    for code in codes:
        try:
            sources.read_municipal_indicator(path, code)
        except DataError:
            missing.append(code)
    return missing


def add_points(
    sectors: gpd.GeoDataFrame, found: Sources, report: dict[str, Any]
) -> gpd.GeoDataFrame:
    """Add ``point_x``, ``point_y`` and ``point_method``: from the raster, else on the surface.

    Parameters
    ----------
    sectors
        The sector layer.
    found
        The source files (its population raster, if any).
    report
        The prepare report; ``points`` is written into it.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``sectors`` with the point columns.
    """
    sectors = sectors.copy()
    if found.raster is None:
        points = sectors.geometry.representative_point()
        sectors["point_x"], sectors["point_y"] = points.x, points.y
        sectors["point_method"] = "surface"
        report["points"] = {"raster": None, "note": "no population raster: points on the surface"}
        return sectors
    result = raster_points(sectors, found.raster)
    sectors["point_x"], sectors["point_y"] = result.xy[:, 0], result.xy[:, 1]
    sectors["point_method"] = list(result.method)
    report["points"] = {"raster": str(found.raster), **result.summary()}
    return sectors
