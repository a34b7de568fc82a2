r"""Prepare ``data/statsec/<municipality>/`` from a folder of downloaded official files.

``planner data gent --from ../shared/data`` (or :func:`prepare_municipality`) reads what a
planner downloads (Statbel sectors and sector tables, the Flemish sector-to-wijk table and
municipal indicators, a population raster, a points file of candidate places) and writes the
two layers a scenario reads:

``sectors.gpkg``
    ``sector_id``, ``name``, ``municipality``, ``wijk``, ``population`` (``population_missing``
    when Statbel lists no inhabitants), ``population_65plus``, ``target`` with
    ``target_estimated`` / ``target_method``, ``median_income`` with
    ``median_income_suppressed`` / ``median_income_imputation``, ``mean_income``,
    ``kansarmoede_est`` (when the municipal index is available), any extra indicator columns,
    ``point_x`` / ``point_y`` (population-weighted from the raster) with ``point_method``,
    ``area_km2``; polygons in EPSG:31370 by default.
``sites.gpkg``
    the columns :mod:`planner.data.inputs` reads (``site_id``, ``name``, ``type``, ``can_house``,
    ``can_antenne``, ``cost_house``, ``cost_antenne``, ``existing``, ``forbidden``) plus
    co-location flags ``is_school``, ``is_childcare``, ``is_consultatiebureau`` and their
    summary ``colocation``, the ``sector_id`` and ``wijk`` the site lies in and its ``source``.
``prepare_report.json``
    what was read (files and SHA-256), the join reports (codes without a match on either side),
    the target-group method and share, suppressed incomes and their imputation, raster
    fallbacks, site counts, the candidate types marked existing (``existing_types``: stand-ins
    for today's sites), whether the site costs are the default placeholders (``site_costs``),
    and the ``need.indicators`` block to put in a scenario. ``planner run`` reads it (and the
    flag columns) to list in every plan's notes what is estimated.

Candidate sites come from a points file (OSM ``type``/``amenity``/``fclass`` column), kept when
their type is in the site-type table (:data:`DEFAULT_SITE_TYPES`, or a CSV of your own), and can
be completed with one *generated* candidate per inhabited sector (a new or rented space), put
on the street network near its representative point when a network file is found
(:mod:`planner.data.streets`: the nearest vertex with enough street around it; the report's
``generated_sites`` counts how many moved, how far, and the fallbacks). The default costs are
planning placeholders, not quotes: replace them with the city's figures (``--site-types``).

With internet, :func:`download_sources` fetches the official files (Statbel, Stad Gent open data)
and :func:`download_osm` the OpenStreetMap points and streets through the Overpass API. The
addresses in :data:`OFFICIAL_DOWNLOADS` are those published when this was written; pass your own
when they move.

The work is spread over the modules this one calls, in the order it runs: :mod:`~planner.data.files`
(the files found and the choices), :mod:`~planner.data.download`, :mod:`~planner.data.sectors`,
:mod:`~planner.data.sites` with :mod:`~planner.data.site_types`; their public names are
importable from here as well.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from planner.data import sources
from planner.data.download import (
    OFFICIAL_DOWNLOADS,
    OSM_SITE_TYPES,
    Downloads,
    download_osm,
    download_sources,
)
from planner.data.files import (
    PrepareOptions,
    Sources,
    find_sources,
    municipality_nis,
    parse_indicator,
    parse_street_exclude,
    with_indicator_table,
)
from planner.data.layers import fixed_gpkg_date
from planner.data.region import (
    known_municipalities,
    network_outside,
    region_codes,
    region_folder_name,
)
from planner.data.sectors import add_points, prepare_sectors
from planner.data.site_types import DEFAULT_SITE_TYPES, SiteType, read_site_types
from planner.data.sites import prepare_sites
from planner.errors import DataError
from planner.scenario.travel_model import DEFAULT_CIRCUITY, straight_line_label

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import geopandas as gpd

__all__ = [
    "DEFAULT_SITE_TYPES",
    "OFFICIAL_DOWNLOADS",
    "OSM_SITE_TYPES",
    "Downloads",
    "PrepareOptions",
    "PrepareResult",
    "SiteType",
    "Sources",
    "download_osm",
    "download_sources",
    "find_sources",
    "municipality_nis",
    "parse_indicator",
    "parse_street_exclude",
    "prepare_from_folder",
    "prepare_municipality",
    "read_site_types",
    "with_indicator_table",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PrepareResult:
    """What :func:`prepare_municipality` wrote.

    Attributes
    ----------
    folder
        The output folder.
    sectors, sites
        The layers as written.
    report
        The content of ``prepare_report.json``.
    """

    folder: Path
    sectors: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    report: dict[str, Any]


# --- the whole preparation ---------------------------------------------------------------------


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        digest.update(file.read_bytes())
    return digest.hexdigest()


def _need_block(sectors: gpd.GeoDataFrame, found: Sources) -> list[dict[str, object]]:
    block: list[dict[str, object]] = []
    if "kansarmoede_est" in sectors.columns:
        block.append({"column": "kansarmoede_est", "direction": "higher_is_needier", "weight": 1.0})
    elif "median_income" in sectors.columns:
        block.append({"column": "median_income", "direction": "lower_is_needier", "weight": 1.0})
    for _, indicators in found.indicator_tables:
        block.extend(indicator.as_dict() for indicator in indicators)
    return block


def prepare_municipality(
    found: Sources,
    out: Path,
    *,
    nis: str | tuple[str, ...],
    options: PrepareOptions | None = None,
    network_given: bool = False,
) -> PrepareResult:
    """Prepare the sector and site layers of one municipality (see the module docstring).

    With several NIS codes, one region: the sectors, candidate and existing sites of all of
    them, each sector and site with its ``municipality``. A network file whose bounding box
    does not cover the sectors' is left out of the report (and not used to place sites); when
    the user named it (``network_given``) it is an error.

    Parameters
    ----------
    found
        The source files (:func:`find_sources`).
    out
        Output folder, e.g. ``data/statsec/gent``; created, files replaced atomically.
    nis
        The municipality's NIS code, or the codes of a region.
    options
        Choices (target share, imputation, site types, ...).
    network_given
        Whether the user named the network file (``--file network=...``).

    Returns
    -------
    PrepareResult
        The layers and the report as written.

    Raises
    ------
    planner.errors.PlannerError
        Any of its subclasses, saying which file or column is wrong and how to fix it.
    """
    options = options or PrepareOptions()
    codes = tuple(sources.municipality_of(pd.Series([nis] if isinstance(nis, str) else nis)))
    report: dict[str, Any] = {"municipality": ",".join(codes), "crs": options.crs}
    if len(codes) > 1:
        report["municipalities"] = list(codes)
    sectors = prepare_sectors(found, codes[0] if len(codes) == 1 else codes, options, report)
    found = _covering_network(found, sectors, report, given=network_given)
    sectors = add_points(sectors, found, report)
    sites = prepare_sites(found, sectors, options, report)
    report["sectors"] = {
        "count": len(sectors),
        "population": float(sectors["population"].sum()),
        "target": float(sectors["target"].sum()),
    }
    report["need_indicators"] = _need_block(sectors, found)
    report["files"] = {
        role: {"path": str(path), "sha256": _digest(path)}
        for role, path in found.files().items()
        if path.exists() and role not in _unused_roles(report, codes)
    }
    notes = [report["target"]["note"]]
    notes += [
        report[key]["note"]
        for key in ("sector_geometry", "network", "kansarmoede")
        if "note" in report.get(key, {})
    ]
    if report.get("income"):
        notes.append(
            f"{len(report['income']['suppressed'])} sectors have no income from Statbel "
            f"(suppressed); imputed by policy '{report['income']['policy']}' and flagged in "
            "median_income_suppressed"
        )
    notes += _street_notes(report.get("generated_sites"))
    report["existing_types"] = dict(options.existing_types)
    for kind, role in sorted(options.existing_types.items()):
        notes.append(
            f"existing {role}s are stand-ins: sites of type {kind} (--existing-type "
            f"{kind}={role}); replace them with the real list (--file existing=...)"
        )
    report["site_costs"] = (
        "default" if dict(options.site_types) == DEFAULT_SITE_TYPES else "site-types file"
    )
    if report["site_costs"] == "default":
        notes.append(
            "site costs are default placeholders per site type, not quotes: give the city's "
            "figures with --site-types"
        )
    report["notes"] = notes
    _write(out, sectors, sites, report)
    logger.info(
        f"Prepared {len(sectors):,} sectors ({sectors['population'].sum():,.0f} inhabitants) and "
        f"{len(sites):,} sites in {out}"
    )
    return PrepareResult(folder=Path(out), sectors=sectors, sites=sites, report=report)


def _unused_roles(report: dict[str, Any], codes: tuple[str, ...]) -> set[str]:
    """Roles whose file gave nothing to this area: not recorded as its sources."""
    unused = set()
    if set(report.get("sector_geometry", {}).get("municipalities", [])) == set(codes):
        unused.add("sectors")  # every sector a Voronoi cell: the polygon file holds others
    else:
        unused |= {"centroids"}
    if report.get("points_inside_municipality") == 0:
        unused.add("points")
    return unused


def _covering_network(
    found: Sources, sectors: gpd.GeoDataFrame, report: dict[str, Any], *, given: bool
) -> Sources:
    """Keep the network file only when its bounding box covers the sectors'."""
    if found.network is None:
        report["network"] = {"path": None, "note": _NO_NETWORK}
        return found
    outside = network_outside(found.network, sectors)
    if not outside:
        return found
    if given:
        raise DataError(
            f"network file {found.network} does not cover the area of {report['municipality']} "
            f"(its bounding box holds less than half of {', '.join(outside)}): give a network "
            "of this area with --file network=PATH, or none (straight-line travel)"
        )
    logger.warning(
        f"network file {found.network} does not cover {report['municipality']}: not used"
    )
    report["network"] = {
        "path": None,
        "not_covering": str(found.network),
        "note": f"{found.network.name} found in the source folder does not cover the area and is "
        f"not used; {_NO_NETWORK}",
    }
    return replace(found, network=None)


_NO_NETWORK = (
    "no street network: plan with straight-line travel (travel.model: straight_line, "
    f"{straight_line_label(DEFAULT_CIRCUITY)}) and demand.points: grid, or give a network file "
    "with --file network=PATH"
)


def _street_notes(placed: dict[str, Any] | None) -> list[str]:
    """Say which generated sites did not find a street vertex with enough street in their sector."""
    if not placed or placed.get("placement") != "street":
        return []
    rule = placed["rule"]
    enough = (
        f"no street vertex with {rule['street_min_length_m']:g} m of street within "
        f"{rule['street_radius_m']:g} m inside the sector"
    )
    notes = []
    if placed["outside_sector"]:
        notes.append(
            f"{placed['outside_sector']} generated sites stand on a street outside their own "
            f"sector ({enough}): {', '.join(placed['sectors_outside'])}"
        )
    if placed["at_sector_point"]:
        notes.append(
            f"{placed['at_sector_point']} generated sites stay at their sector's point ({enough} "
            f"nor within {rule['street_max_outside_m']:g} m of the point): "
            f"{', '.join(placed['sectors_at_point'])}"
        )
    return notes


def _write(
    out: Path, sectors: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, report: dict[str, Any]
) -> None:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out, prefix=".prepare-") as tmp:
        staging = Path(tmp)
        with fixed_gpkg_date():  # the same inputs give the same bytes
            sectors.to_file(staging / "sectors.gpkg", driver="GPKG", layer="sectors")
            sites.to_file(staging / "sites.gpkg", driver="GPKG", layer="sites")
        (staging / "prepare_report.json").write_text(
            json.dumps(report, indent=2, ensure_ascii=False, default=_json_default) + "\n",
            encoding="utf-8",
        )
        for name in ("sectors.gpkg", "sites.gpkg", "prepare_report.json"):
            (staging / name).replace(out / name)


def _json_default(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def prepare_from_folder(
    municipality: str,
    source: Path,
    out: Path | None = None,
    *,
    nis: str | None = None,
    files: Mapping[str, Path | None] | None = None,
    indicators: Sequence[str] = (),
    options: PrepareOptions | None = None,
    downloads: Downloads | None = None,
) -> PrepareResult:
    """Find (or download) the files of a municipality in a folder and prepare its layers.

    This is ``planner data``: downloads first (when asked) into ``source``, then
    :func:`find_sources`, the NIS code from ``nis`` or the municipality's name, and
    :func:`prepare_municipality` into ``out`` (default ``data/statsec/<municipality>``).

    Parameters
    ----------
    municipality
        Name (``"gent"``), NIS code, several codes (``"44021,44043"``), a province or
        arrondissement prefix (``"44"``) or a file of codes (:func:`planner.data.region.
        region_codes`); names the output folder.
    source
        Folder of downloaded files (created when downloading).
    out
        Output folder.
    nis
        NIS code (or codes) when the name cannot be looked up.
    files
        Files per role that override what is found (``{"points": Path(...)}``).
    indicators
        Extra indicators as ``FILE:COLUMN:DIRECTION[:WEIGHT]``.
    options
        Preparation choices.
    downloads
        What to fetch first.

    Returns
    -------
    PrepareResult
        What was written.
    """
    source = Path(source)
    downloads = downloads or Downloads()
    fetched: dict[str, Path] = {}
    if downloads.official:
        fetched |= download_sources(source, downloads.urls or None)
    given = {role: Path(path) for role, path in (files or {}).items() if path is not None}
    found = find_sources(source, **given)
    typed = nis or municipality
    if not re.fullmatch(r"[\d\s,;]+", typed.strip()) and not Path(typed).is_file():
        typed = municipality_nis(municipality, found.municipal_indicators)  # a name
    where = found.municipalities or found.municipal_indicators
    codes = region_codes(
        typed,
        known_municipalities(found.municipalities, found.municipal_indicators),
        source=where.name if where is not None else "",
        complete=found.municipalities is not None,
    )
    code: str | tuple[str, ...] = codes[0] if len(codes) == 1 else codes
    if downloads.osm:
        if not isinstance(code, str):
            raise DataError("--osm downloads one municipality at a time: give one NIS code")
        osm = download_osm(source / "osm", code, url=downloads.overpass_url)
        found = replace(
            found,
            points=given.get("points", osm["points"]),
            network=given.get("network", osm.get("network")),
        )
    for table in indicators:
        path, indicator = parse_indicator(table)
        found = with_indicator_table(found, path, [indicator])
    folder = region_folder_name(municipality, codes)
    target = Path(out) if out is not None else Path("data/statsec") / folder
    result = prepare_municipality(
        found, target, nis=code, options=options, network_given="network" in given
    )
    if fetched:
        result.report["downloaded"] = {role: str(path) for role, path in fetched.items()}
    return result
