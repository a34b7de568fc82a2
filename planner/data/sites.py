"""The site layer of ``planner data``: candidate places, generated candidates, existing sites.

:func:`prepare_sites` keeps the places of a points file whose type is in the site-type table
(:mod:`planner.data.site_types`) and lie in the municipality, adds one *generated* candidate
per inhabited sector (a new or rented space) on the street near its representative point
(:mod:`planner.data.streets`; at the point itself without a street network), marks candidate types
as existing (``--existing-type``) and adds the sites of an existing-sites file. Each site gets
its type's eligibility, costs and co-location flags, the ``sector_id`` and ``wijk`` it lies in
and its ``source``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planner.data.layers import read_layer
from planner.data.site_types import COLOCATION_KINDS, EXISTING_ROLES
from planner.data.streets import place_on_streets
from planner.data.tables import find_column
from planner.errors import DataError, InputFileError

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from planner.data.files import PrepareOptions, Sources
    from planner.data.site_types import SiteType
    from planner.data.streets import StreetPlacement

__all__ = ["prepare_sites"]

logger = logging.getLogger(__name__)

_TYPE_COLUMNS = ("type", "amenity", "fclass", "site_type")
_ID_COLUMNS = ("site_id", "osm_id", "id")


def _site_kinds(layer: gpd.GeoDataFrame, where: str, *, required: bool) -> pd.Series:
    """Return the site type of each row in lower case (``""`` for all without a type column)."""
    column = find_column(
        layer.columns, _TYPE_COLUMNS, role="site type", where=where, required=required
    )
    if column is None:
        return pd.Series("", index=layer.index)
    kinds: pd.Series = layer[column].astype("string").str.strip().str.lower().fillna("")
    return kinds


def _site_rows(
    points: gpd.GeoDataFrame, types: Mapping[str, SiteType], where: str, prefix: str
) -> gpd.GeoDataFrame:
    kinds = _site_kinds(points, where, required=True)
    keep = kinds.isin(list(types)).to_numpy(dtype=bool)
    id_column = find_column(points.columns, _ID_COLUMNS, role="id", where=where, required=False)
    ids = (
        points[id_column].astype("string").fillna("")
        if id_column is not None
        else pd.Series([f"{i}" for i in range(len(points))], index=points.index)
    )
    names = (
        points["name"].astype("string").fillna("")
        if "name" in points.columns
        else pd.Series("", index=points.index)
    )
    out = gpd.GeoDataFrame(
        {
            "site_id": [f"{prefix}{value}" for value in ids[keep]],
            "name": names[keep].to_numpy(),
            "type": kinds[keep].to_numpy(),
        },
        geometry=points.geometry[keep].to_numpy(),
        crs=points.crs,
    )
    out.loc[out["name"] == "", "name"] = out["type"] + " " + out["site_id"]
    logger.info(f"{where}: {int(keep.sum()):,} of {len(points):,} points are of a site type")
    return out


def _with_type_attributes(
    sites: gpd.GeoDataFrame, types: Mapping[str, SiteType]
) -> gpd.GeoDataFrame:
    sites = sites.copy()
    rules = [types[kind] for kind in sites["type"]]
    sites["can_house"] = [rule.can_house for rule in rules]
    sites["can_antenne"] = [rule.can_antenne for rule in rules]
    sites["cost_house"] = [float(rule.cost_house) for rule in rules]
    sites["cost_antenne"] = [float(rule.cost_antenne) for rule in rules]
    for kind in COLOCATION_KINDS:
        sites[f"is_{kind}"] = [kind in rule.colocation for rule in rules]
    sites["colocation"] = [" + ".join(rule.colocation) for rule in rules]
    return sites


def _generated_sites(
    sectors: gpd.GeoDataFrame,
    options: PrepareOptions,
    network: Path | None,
    report: dict[str, Any],
) -> gpd.GeoDataFrame:
    inhabited = sectors["population"].to_numpy(dtype=float) >= options.generated_min_population
    chosen = sectors.loc[inhabited]
    points = chosen[["point_x", "point_y"]].to_numpy(dtype=float)
    if network is not None:
        placed, report["generated_sites"] = _on_streets(
            sectors, chosen, np.flatnonzero(inhabited), network, options
        )
        if placed is not None:
            points = placed.xy
    return gpd.GeoDataFrame(
        {
            "site_id": [f"gen-{code}" for code in chosen["sector_id"]],
            # Statbel writes sector names in capitals: "nieuwe locatie in Rabot", not "RABOT".
            "name": [f"nieuwe locatie in {_readable(name)}" for name in chosen["name"]],
            "type": "generated",
        },
        geometry=gpd.points_from_xy(points[:, 0], points[:, 1]),
        crs=sectors.crs,
    )


def _street_lines(
    network: Path, options: PrepareOptions, report: dict[str, Any]
) -> np.ndarray[Any, np.dtype[np.object_]]:
    """Return the network's street geometries in the output CRS, without excluded lines.

    ``report`` gets ``excluded_lines`` (per column, or ``"column not in the network"``).
    """
    layer = read_layer(network, "network")
    if layer.crs is None:
        raise DataError(
            f"network {network} has no CRS: set it on the file (e.g. "
            "gdf.set_crs('EPSG:31370')) or save it in a format that stores the CRS"
        )
    geometries = np.asarray(layer.geometry.to_crs(options.crs).array)
    kinds = shapely.get_type_id(geometries)
    usable = np.isin(kinds, [1, 5]) & ~shapely.is_empty(geometries)  # (Multi)LineString
    excluded: dict[str, Any] = {}
    for column, values in options.street_exclude.items():
        if column not in layer.columns:
            excluded[column] = "column not in the network"
            continue
        hit = layer[column].astype("string").str.strip().isin([str(v) for v in values])
        hit = hit.fillna(value=False).to_numpy(dtype=bool)
        excluded[column] = {"values": [str(v) for v in values], "lines": int((hit & usable).sum())}
        usable &= ~hit
    report["excluded_lines"] = excluded
    lines: np.ndarray[Any, np.dtype[np.object_]] = geometries[usable]
    return lines


def _on_streets(
    sectors: gpd.GeoDataFrame,
    chosen: gpd.GeoDataFrame,
    home: np.ndarray[Any, Any],
    network: Path,
    options: PrepareOptions,
) -> tuple[StreetPlacement | None, dict[str, Any]]:
    """Place the generated sites of the sectors ``home`` on the network; what to report."""
    if not options.generated_on_street:
        return None, {
            "placement": "sector point",
            "network": str(network),
            "reason": "not asked (--no-generated-on-street)",
        }
    told: dict[str, Any] = {
        "placement": "street",
        "network": str(network),
        "rule": options.street_rule.as_dict(),
    }
    lines = _street_lines(network, options, told)
    placed = place_on_streets(
        sectors[["point_x", "point_y"]].to_numpy(dtype=float)[home],
        home,
        np.asarray(sectors.geometry.array),
        lines,
        options.street_rule,
    )
    return placed, told | placed.summary(chosen["sector_id"].astype(str).tolist())


def _existing_sites(path: Path, types: Mapping[str, SiteType], crs: str) -> gpd.GeoDataFrame:
    layer = read_layer(path, "existing sites").to_crs(crs)
    where = str(path)
    if "existing" not in layer.columns:
        raise DataError(
            f"{where}: column 'existing' is missing; say 'house' or 'antenne' for each site"
        )
    roles = layer["existing"].astype("string").str.strip().str.lower().fillna("")
    bad = ~roles.isin(EXISTING_ROLES)
    if bad.any():
        raise DataError(
            f"{where}: column 'existing' must be 'house' or 'antenne' on every row; got "
            f"{', '.join(repr(v) for v in roles[bad].unique()[:3])}"
        )
    kinds = _site_kinds(layer, where, required=False)
    unknown = sorted(set(kinds[~kinds.isin(list(types))]) - {""})
    if unknown:
        raise DataError(
            f"{where}: site types {', '.join(unknown[:5])} are not in the site-type table; add "
            "them (--site-types) or leave the type empty"
        )
    kinds = kinds.where(kinds != "", "generated")
    ids = (
        layer["site_id"].astype("string")
        if "site_id" in layer.columns
        else pd.Series([f"{i + 1}" for i in range(len(layer))], index=layer.index)
    )
    return gpd.GeoDataFrame(
        {
            "site_id": [f"existing-{value}" for value in ids],
            "name": layer["name"].astype("string").fillna("").to_numpy()
            if "name" in layer.columns
            else [f"existing {value}" for value in ids],
            "type": kinds.to_numpy(),
            "existing": roles.to_numpy(),
        },
        geometry=layer.geometry.to_numpy(),
        crs=crs,
    )


def prepare_sites(
    found: Sources, sectors: gpd.GeoDataFrame, options: PrepareOptions, report: dict[str, Any]
) -> gpd.GeoDataFrame:
    """Build the site layer: candidates, generated sites and existing sites (module docstring).

    Parameters
    ----------
    found
        The source files (points and existing sites, if any).
    sectors
        The sector layer with its points.
    options
        Site types, generated sites, existing types and output CRS.
    report
        The prepare report; ``sites`` and ``points_outside_municipality`` are written into it.

    Returns
    -------
    geopandas.GeoDataFrame
        The sites, sorted by ``site_id``.

    Raises
    ------
    InputFileError
        When there is no candidate at all.
    DataError
        When the existing-sites file lacks roles or has unknown site types.
    """
    types = options.site_types
    parts = []
    area = shapely.union_all(np.asarray(sectors.geometry.array))
    if found.points is not None:
        points = read_layer(found.points, "points").to_crs(options.crs)
        candidates = _site_rows(
            points, types, str(found.points), "osm-" if "osm" in found.points.name else "pt-"
        )
        inside = candidates.geometry.within(area).to_numpy(dtype=bool)
        report["points_outside_municipality"] = int((~inside).sum())
        report["points_inside_municipality"] = int(inside.sum())
        parts.append(candidates.loc[inside])
    if options.generated_sites:
        parts.append(_generated_sites(sectors, options, found.network, report))
    if not parts:
        raise InputFileError(
            "no candidate sites: give a points file (--points) or allow generated sites"
        )
    sites = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=options.crs)
    sites["existing"] = ""
    for kind, role in options.existing_types.items():
        sites.loc[sites["type"] == kind, "existing"] = role
    if found.existing is not None:
        existing = _existing_sites(found.existing, types, options.crs)
        sites = gpd.GeoDataFrame(pd.concat([sites, existing], ignore_index=True), crs=options.crs)
    sites = _with_type_attributes(sites, types)
    sites["forbidden"] = False
    sites["source"] = np.where(
        sites["site_id"].str.startswith("gen-"),
        "generated",
        np.where(sites["site_id"].str.startswith("existing-"), "existing file", "points file"),
    )
    duplicated = sites["site_id"].duplicated(keep="first")
    if duplicated.any():
        counter = sites.groupby("site_id").cumcount()
        sites.loc[duplicated, "site_id"] = (
            sites.loc[duplicated, "site_id"] + "-" + counter[duplicated].astype(str)
        )
    munty = sectors["municipality"]
    region = bool(len(munty)) and bool((munty != munty.iloc[0]).any())  # a region
    where = ["sector_id", "wijk", *(["municipality"] if region else []), "geometry"]
    located = gpd.sjoin(sites, sectors[where], how="left", predicate="within")
    located = located[~located.index.duplicated(keep="first")]
    for column in where[:-1]:
        sites[column] = located[column].to_numpy()
    sites = sites.sort_values("site_id", kind="stable").reset_index(drop=True)
    report["sites"] = {
        "total": len(sites),
        "by_type": {str(k): int(v) for k, v in sites["type"].value_counts().sort_index().items()},
        "existing": {
            str(k): int(v)
            for k, v in sites.loc[sites["existing"] != "", "existing"].value_counts().items()
        },
        "colocation": {kind: int(sites[f"is_{kind}"].sum()) for kind in COLOCATION_KINDS},
        "site_types": {
            kind: vars(rule) | {"colocation": list(rule.colocation)}
            for kind, rule in sorted(types.items())
        },
    }
    return sites


def _readable(name: object) -> str:
    """Return a sector name as a reader writes it: ``RABOT`` -> ``Rabot``, mixed case kept."""
    text = str(name).strip()
    return text.title() if text.isupper() else text
