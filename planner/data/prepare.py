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
be completed with one *generated* candidate per inhabited sector at its representative point
(a new or rented space). The default costs are planning placeholders, not quotes: replace them
with the city's figures (``--site-types``).

With internet, :func:`download_sources` fetches the official files (Statbel, Stad Gent open data)
and :func:`download_osm` the OpenStreetMap points and streets through the Overpass API. The
addresses in :data:`OFFICIAL_DOWNLOADS` are those published when this was written; pass your own
when they move.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planner.data import sources
from planner.data.inputs import read_layer
from planner.data.raster import raster_points
from planner.data.sources import IndicatorColumn
from planner.errors import DataError, InputFileError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from planner.data.sources import JoinReport

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
    "prepare_from_folder",
    "prepare_municipality",
    "read_site_types",
    "with_indicator_table",
]

logger = logging.getLogger(__name__)

OFFICIAL_DOWNLOADS: dict[str, str] = {
    "sectors": "https://statbel.fgov.be/sites/default/files/files/opendata/Statistische%20"
    "sectoren/sh_statbel_statistical_sectors_31370_20240101.gpkg.zip",
    "population": "https://statbel.fgov.be/sites/default/files/files/opendata/bevolking/"
    "sectoren/OPENDATA_SECTOREN_2024.zip",
    "income": "https://statbel.fgov.be/sites/default/files/files/opendata/Fiscale%20inkomens/"
    "TF_PSNL_INC_TAX_SECTOR.zip",
    "network_gent": "https://data.stad.gent/api/explore/v2.1/catalog/datasets/"
    "wegsegmenten-gent/exports/geojson",
}
"""Official download addresses by role (as published when written; override when they move)."""

OVERPASS_URL = "https://overpass-api.de/api/interpreter"

OSM_SITE_TYPES = (
    "school",
    "kindergarten",
    "childcare",
    "library",
    "community_centre",
    "social_facility",
    "townhall",
    "arts_centre",
    "college",
)
"""OpenStreetMap ``amenity`` values asked from Overpass as candidate places."""


@dataclass(frozen=True)
class SiteType:
    """What a kind of place can host and what it costs (euro, one-off investment).

    Attributes
    ----------
    can_house, can_antenne
        Whether a house / an antenne can be placed there.
    cost_house, cost_antenne
        Cost of opening one there.
    colocation
        Services already on site: any of ``"school"``, ``"childcare"``,
        ``"consultatiebureau"`` (kept as flags: co-location strengthens cooperation).
    """

    can_house: bool
    can_antenne: bool
    cost_house: float
    cost_antenne: float
    colocation: tuple[str, ...] = ()


DEFAULT_SITE_TYPES: dict[str, SiteType] = {
    # places with families coming in every day: vindplaatsen
    "school": SiteType(True, True, 450_000, 60_000, ("school",)),
    "kindergarten": SiteType(True, True, 450_000, 50_000, ("school", "childcare")),
    "childcare": SiteType(True, True, 450_000, 50_000, ("childcare",)),
    "consultatiebureau": SiteType(True, True, 350_000, 30_000, ("consultatiebureau",)),
    # public buildings with room and a low threshold
    "library": SiteType(True, True, 400_000, 50_000),
    "community_centre": SiteType(True, True, 350_000, 40_000),
    "social_facility": SiteType(True, True, 400_000, 50_000),
    "townhall": SiteType(True, True, 400_000, 50_000),
    "arts_centre": SiteType(False, True, 0, 60_000),
    "college": SiteType(False, True, 0, 60_000),
    # a new or rented space at a sector's representative point
    "generated": SiteType(True, True, 900_000, 150_000),
}
"""Placeholder costs per site type: a house in an existing public building needs a refit
(EUR 350-450k), in a new or rented space more (EUR 900k); an antenne is a room with
fittings (EUR 30-150k). Replace with the city's own figures."""

COLOCATION_KINDS = ("school", "childcare", "consultatiebureau")
_TYPE_COLUMNS = ("type", "amenity", "fclass", "site_type")
_ID_COLUMNS = ("site_id", "osm_id", "id")
_ROLES = ("house", "antenne")


@dataclass(frozen=True)
class Sources:
    """The files :func:`prepare_municipality` reads; None where there is none.

    Attributes
    ----------
    sectors
        Sector polygons (Statbel ``sh_statbel_statistical_sectors_*`` or a city layer).
    population
        Population by sector table.
    income
        Fiscal income by sector table.
    ages
        Age table by sector (target group from ages instead of an estimate).
    wijk_map
        Sector-to-wijk table (``statsec2024`` → ``ggw72024``).
    municipal_indicators
        ``municipality_indicators.json`` (kansarmoede-index, names for NIS lookup).
    raster
        Population raster for representative points.
    points
        Points file of candidate places.
    existing
        Points file of existing sites (``existing`` = house/antenne).
    network
        Road register or OSM file, only named in the report for scenarios.
    indicator_tables
        Extra tables with need-indicator columns.
    """

    sectors: Path | None = None
    population: Path | None = None
    income: Path | None = None
    ages: Path | None = None
    wijk_map: Path | None = None
    municipal_indicators: Path | None = None
    raster: Path | None = None
    points: Path | None = None
    existing: Path | None = None
    network: Path | None = None
    indicator_tables: tuple[tuple[Path, tuple[IndicatorColumn, ...]], ...] = ()

    def files(self) -> dict[str, Path]:
        """Return every named file by role (indicator tables as ``indicators_<n>``)."""
        named = {
            key: value
            for key, value in vars(self).items()
            if isinstance(value, Path) and key != "indicator_tables"
        }
        for index, (path, _) in enumerate(self.indicator_tables):
            named[f"indicators_{index}"] = path
        return named


@dataclass(frozen=True)
class PrepareOptions:
    """Choices of :func:`prepare_municipality`.

    Attributes
    ----------
    target_share
        Share for the estimated target group (see :mod:`planner.data.sources`).
    target_ages
        Ages (inclusive) of the target group when an age table is given.
    income_imputation
        Policy for suppressed incomes: ``neighbours``, ``median`` or ``none``.
    use_kansarmoede
        Add ``kansarmoede_est`` when the municipal indicators file is there.
    generated_sites
        Add one generated candidate per inhabited sector.
    generated_min_population
        Inhabitants a sector needs to get a generated candidate.
    site_types
        Site types with eligibility and costs; points of other types are left out.
    existing_types
        Candidate types marked as existing sites, e.g. ``{"library": "house"}``.
    crs
        Projected CRS of the outputs.
    """

    target_share: float = sources.DEFAULT_TARGET_SHARE
    target_ages: tuple[int, int] = sources.DEFAULT_TARGET_AGES
    income_imputation: sources.ImputationPolicy = "neighbours"
    use_kansarmoede: bool = True
    generated_sites: bool = True
    generated_min_population: float = 1.0
    site_types: Mapping[str, SiteType] = field(default_factory=lambda: dict(DEFAULT_SITE_TYPES))
    existing_types: Mapping[str, str] = field(default_factory=dict)
    crs: str = "EPSG:31370"

    def __post_init__(self) -> None:
        """Check the choices; every problem is reported at once."""
        problems = []
        if self.income_imputation not in ("neighbours", "median", "none"):
            problems.append(
                f"income imputation {self.income_imputation!r}: use neighbours, median or none"
            )
        if not 0 < self.target_share <= 1:
            problems.append(f"target share {self.target_share:g} must be in (0, 1], e.g. 0.04")
        lo, hi = self.target_ages
        if not 0 <= lo <= hi:
            problems.append(f"target ages {lo}-{hi}: expected 0 <= first <= last")
        problems += [
            f"existing type {kind}={role}: the role must be 'house' or 'antenne'"
            for kind, role in self.existing_types.items()
            if role not in _ROLES
        ]
        problems += [
            f"existing type {kind!r} is not a site type ({', '.join(sorted(self.site_types))})"
            for kind in self.existing_types
            if kind not in self.site_types
        ]
        if problems:
            raise DataError(problems)


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


# --- finding files ----------------------------------------------------------------------------

# Searched in this order; a file taken by one role is not offered to the next (an age table
# named "population_age_by_sector.csv" is not the population table).
_PATTERNS: dict[str, tuple[str, ...]] = {
    "ages": ("population_age*sector*.csv", "age_*sector*.csv", "*leeftijd*sector*.csv"),
    "sectors": (
        "sh_statbel_statistical_sectors*.gpkg",
        "sh_statbel_statistical_sectors*.shp",
        "sh_statbel_statistical_sectors*.geojson",
        "sectors_20*.gpkg",
    ),
    "population": (
        "census*population*sector*.csv",
        "TF_CENSUS_2021*.csv",
        "OPENDATA_SECTOREN*.txt",
        "OPENDATA_SECTOREN*.csv",
        "*population*sector*.csv",
        "*population*sector*.xlsx",
    ),
    "income": (
        "income*sector*.csv",
        "TF_PSNL_INC_TAX_SECTOR*.txt",
        "TF_PSNL_INC_TAX_SECTOR*.csv",
        "*income*sector*.xlsx",
    ),
    "wijk_map": ("sector*_to_wijk*.csv",),
    "municipal_indicators": ("municipality_indicators.json",),
    "raster": ("ghsl_pop*.tif", "GHS_POP*.tif", "*population*.tif"),
    "points": ("osm_points*.gpkg", "osm_points*.geojson", "*candidate*sites*.gpkg"),
    "existing": ("existing_sites*.gpkg", "existing_sites*.geojson", "existing_sites*.csv"),
    "network": ("wegsegmenten*.geojson", "wegsegmenten*.gpkg", "*.osm"),
}


def find_sources(folder: Path, **explicit: Path | None) -> Sources:
    """Find the official files in a folder (searched recursively) by their usual names.

    Parameters
    ----------
    folder
        Folder of downloads, e.g. ``../shared/data``.
    **explicit
        Files given by the user per role (``sectors=...``); they win over what is found.

    Returns
    -------
    Sources
        The files found; roles without a file are None.

    Raises
    ------
    InputFileError
        When the folder does not exist.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputFileError(f"source folder {folder} does not exist: check --from")
    found: dict[str, Path | None] = {}
    used = {Path(path) for path in explicit.values() if path is not None}
    for role, patterns in _PATTERNS.items():
        given = explicit.get(role)
        if given is not None:
            found[role] = Path(given)
            continue
        match = next(
            (
                min(matches)
                for pattern in patterns
                if (matches := [p for p in folder.rglob(pattern) if p.is_file() and p not in used])
            ),
            None,
        )
        found[role] = match
        if match is not None:
            used.add(match)
    for role, path in found.items():
        if path is not None:
            logger.info(f"source {role}: {path}")
    return Sources(**found)  # type: ignore[arg-type]


def municipality_nis(name: str, indicators: Path | None) -> str:
    """Return the NIS code of a municipality given by NIS code or by name.

    Parameters
    ----------
    name
        ``"44021"`` or a name such as ``"Gent"`` (case-insensitive).
    indicators
        ``municipality_indicators.json`` with ``id`` and ``naam`` per municipality.

    Returns
    -------
    str
        Five-digit NIS code.

    Raises
    ------
    DataError
        When the name is unknown or no indicators file is there to look it up.
    """
    text = name.strip()
    if text.isdigit() and len(text) == 5:
        return text
    if indicators is None:
        raise DataError(
            f"municipality {name!r}: give its five-digit NIS code (--nis, e.g. 44021 for Gent); "
            "no municipality_indicators.json to look the name up"
        )
    entries = json.loads(Path(indicators).read_text(encoding="utf-8"))
    for entry in entries if isinstance(entries, list) else []:
        if str(entry.get("naam", "")).strip().lower() == text.lower():
            return str(entry["id"])
    raise DataError(f"municipality {name!r} is not in {indicators}: give its NIS code (--nis)")


# --- downloads --------------------------------------------------------------------------------


def _fetch(url: str, target: Path, *, data: bytes | None = None, timeout: float = 60.0) -> Path:
    """Download ``url`` (POST ``data`` when given) to ``target`` atomically."""
    if urllib.parse.urlparse(url).scheme not in {"http", "https"}:
        raise DataError(f"download address {url!r} must start with http:// or https://")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url, data=data, headers={"User-Agent": "planner (Huizen van het Kind)"}
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with (
            urllib.request.urlopen(request, timeout=timeout) as response,  # noqa: S310
            tempfile.NamedTemporaryFile(dir=target.parent, delete=False, suffix=".part") as tmp,
        ):
            shutil.copyfileobj(response, tmp)
    except urllib.error.HTTPError as error:
        raise InputFileError(
            f"download of {url} failed: HTTP {error.code} {error.reason}; check the address "
            "(official addresses move: pass the current one)"
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise InputFileError(
            f"download of {url} failed ({reason}): check the internet connection or download "
            "the file by hand into the source folder"
        ) from None
    Path(tmp.name).replace(target)
    return target


def download_sources(
    folder: Path, urls: Mapping[str, str] | None = None, *, timeout: float = 60.0
) -> dict[str, Path]:
    """Download official files into a folder; zip archives are unpacked next to them.

    Parameters
    ----------
    folder
        Where the files go (the ``--from`` folder of a later :func:`find_sources`).
    urls
        Address per role; default :data:`OFFICIAL_DOWNLOADS`.
    timeout
        Seconds per request.

    Returns
    -------
    dict
        The downloaded (or unpacked) file per role.

    Raises
    ------
    InputFileError
        When a download fails; the message names the address.
    """
    folder = Path(folder)
    result: dict[str, Path] = {}
    for role, url in (urls if urls is not None else OFFICIAL_DOWNLOADS).items():
        name = Path(urllib.parse.unquote(urllib.parse.urlparse(url).path)).name or role
        if name in {"geojson", "gpkg", "csv"}:
            name = f"{role}.{name}"
        path = _fetch(url, folder / name, timeout=timeout)
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                members = [m for m in archive.namelist() if not m.endswith("/")]
                _check_members(members, path)
                archive.extractall(folder / path.stem)
            path = folder / path.stem
        logger.info(f"Downloaded {role} from {url} to {path}")
        result[role] = path
    return result


def _check_members(members: Sequence[str], path: Path) -> None:
    unsafe = [m for m in members if Path(m).is_absolute() or ".." in Path(m).parts]
    if unsafe:
        raise InputFileError(f"archive {path} has unsafe member paths ({unsafe[0]}); not unpacked")


def download_osm(
    folder: Path,
    nis: str,
    *,
    url: str = OVERPASS_URL,
    amenities: Sequence[str] = OSM_SITE_TYPES,
    streets: bool = True,
    timeout: float = 300.0,
) -> dict[str, Path]:
    """Download OpenStreetMap candidate places (and streets) of a municipality via Overpass.

    The municipality is the OSM boundary with ``ref:INS`` = its NIS code. Places are nodes,
    ways and relations with one of the ``amenity`` values (ways at their centre), written as
    ``osm_points.gpkg`` (``osm_id``, ``name``, ``type``); streets as ``streets.osm`` (OSM
    XML, for ``network_format: osm_xml``).

    Parameters
    ----------
    folder
        Output folder.
    nis
        Municipality NIS code.
    url
        Overpass API endpoint.
    amenities
        ``amenity`` values to fetch.
    streets
        Also fetch every ``highway`` way with its nodes.
    timeout
        Seconds per request.

    Returns
    -------
    dict
        ``{"points": path, "network": path}``.

    Raises
    ------
    InputFileError
        When a request fails.
    DataError
        When the answer is not Overpass JSON or has no places.
    """
    folder = Path(folder)
    area = f'area["ref:INS"="{nis}"]["boundary"="administrative"]->.a;'
    values = "|".join(amenities)
    query = (
        f'[out:json][timeout:{int(timeout)}];{area}nwr["amenity"~"^({values})$"](area.a);'
        "out center tags;"
    )
    raw = _fetch(
        url,
        folder / "osm_points.json",
        data=urllib.parse.urlencode({"data": query}).encode(),
        timeout=timeout,
    )
    points = _overpass_points(raw)
    points_path = folder / "osm_points.gpkg"
    points.to_file(points_path, driver="GPKG")
    raw.unlink()
    result = {"points": points_path}
    if streets:
        street_query = f'[timeout:{int(timeout)}];{area}way["highway"](area.a);(._;>;);out body;'
        result["network"] = _fetch(
            url,
            folder / "streets.osm",
            data=urllib.parse.urlencode({"data": street_query}).encode(),
            timeout=timeout,
        )
    logger.info(f"Downloaded {len(points):,} OSM places of municipality {nis}")
    return result


def _overpass_points(path: Path) -> gpd.GeoDataFrame:
    try:
        elements = json.loads(path.read_text(encoding="utf-8"))["elements"]
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise DataError(f"Overpass answer {path} is not Overpass JSON ({error})") from None
    rows = []
    for element in elements:
        centre = element.get("center", element)
        tags = element.get("tags", {})
        if "lat" in centre and "lon" in centre:
            rows.append(
                {
                    "osm_id": f"{element['type'][0]}{element['id']}",
                    "name": tags.get("name", ""),
                    "type": tags.get("amenity", ""),
                    "lon": float(centre["lon"]),
                    "lat": float(centre["lat"]),
                }
            )
    if not rows:
        raise DataError(f"Overpass answer {path} has no places: check the NIS code and tags")
    frame = pd.DataFrame(rows).sort_values("osm_id", kind="stable")
    return gpd.GeoDataFrame(
        frame[["osm_id", "name", "type"]],
        geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
        crs="EPSG:4326",
    )


# --- site types -------------------------------------------------------------------------------


def read_site_types(path: Path) -> dict[str, SiteType]:
    """Read a site-type table of eligibility and costs per type.

    Columns ``type, can_house, can_antenne, cost_house, cost_antenne`` and optionally
    ``colocation``: services on site separated by ``+`` or spaces (``school+childcare``).

    Parameters
    ----------
    path
        CSV/TXT/XLSX table.

    Returns
    -------
    dict
        Site type by name.

    Raises
    ------
    DataError
        Missing columns, unreadable booleans or costs, unknown co-location kinds.
    """
    table = sources.read_table(path)
    columns = {str(c).lower(): str(c) for c in table.columns}
    needed = ("type", "can_house", "can_antenne", "cost_house", "cost_antenne")
    missing = [c for c in needed if c not in columns]
    if missing:
        raise DataError(
            f"{path}: missing columns {', '.join(missing)}; needed: {', '.join(needed)}"
        )
    problems: list[str] = []
    types: dict[str, SiteType] = {}
    for number, row in enumerate(table.to_dict("records"), start=2):
        try:
            colocation = _colocation(row.get(columns.get("colocation", ""), ""))
            types[str(row[columns["type"]]).strip()] = SiteType(
                can_house=_as_bool(row[columns["can_house"]]),
                can_antenne=_as_bool(row[columns["can_antenne"]]),
                cost_house=float(row[columns["cost_house"]]),
                cost_antenne=float(row[columns["cost_antenne"]]),
                colocation=colocation,
            )
        except (TypeError, ValueError) as error:
            problems.append(f"{path}: line {number}: {error}")
    if problems:
        raise DataError(problems)
    return types


def _colocation(value: object) -> tuple[str, ...]:
    missing = value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))
    text = "" if missing else str(value)
    kinds = tuple(text.replace("+", " ").split())
    unknown = [kind for kind in kinds if kind not in COLOCATION_KINDS]
    if unknown:
        raise ValueError(f"co-location {unknown[0]!r} is not one of {COLOCATION_KINDS}")
    return kinds


def _as_bool(value: object) -> bool:
    text = str(value).strip().lower()
    if text in {"true", "1", "yes", "ja", "y"}:
        return True
    if text in {"false", "0", "no", "nee", "n", ""}:
        return False
    raise ValueError(f"{value!r} is not true/false")


# --- sectors ----------------------------------------------------------------------------------


def _prepare_sectors(
    found: Sources, nis: str, options: PrepareOptions, report: dict[str, Any]
) -> gpd.GeoDataFrame:
    if found.sectors is None:
        raise InputFileError(
            "no sector polygons found: put Statbel's sh_statbel_statistical_sectors_31370_"
            "20240101.gpkg (or a city layer on Statbel codes) in the source folder or pass "
            "--sectors"
        )
    sectors = sources.read_sector_geometry(found.sectors, municipality=nis)
    sectors = sectors.to_crs(options.crs)
    joins: list[JoinReport] = []
    base = gpd.GeoDataFrame(
        sectors[["sector_id", "name", "municipality"]], geometry=sectors.geometry
    )
    base = _add_wijk(base, sectors, found, nis, joins)
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


def _add_wijk(
    base: gpd.GeoDataFrame,
    sectors: gpd.GeoDataFrame,
    found: Sources,
    nis: str,
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
        return gpd.GeoDataFrame(joined, geometry="geometry", crs=base.crs)
    column = sources.find_column(
        sectors.columns, ("wijk", "wijknr", "wijk_code"), role="wijk", where="", required=False
    )
    base["wijk"] = sectors[column].astype("string") if column else pd.NA
    return base


def _add_population(
    base: gpd.GeoDataFrame,
    found: Sources,
    nis: str,
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
    unknown = table["sector_id"].str.startswith(nis) & table["sector_id"].str.endswith(
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
    nis: str,
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
        index = sources.read_municipal_indicator(found.municipal_indicators, nis)
        joined["kansarmoede_est"] = sources.kansarmoede_estimate(
            joined["median_income"].to_numpy(dtype=float),
            joined["population"].to_numpy(dtype=float),
            index,
        )
        report["kansarmoede"] = {"municipal_index": index, "column": "kansarmoede_est"}
    return joined


# --- sites ------------------------------------------------------------------------------------


def _site_rows(
    points: gpd.GeoDataFrame, types: Mapping[str, SiteType], where: str, prefix: str
) -> gpd.GeoDataFrame:
    type_column = sources.find_column(points.columns, _TYPE_COLUMNS, role="site type", where=where)
    kinds = points[str(type_column)].astype("string").str.strip().str.lower().fillna("")
    keep = kinds.isin(list(types)).to_numpy(dtype=bool)
    id_column = sources.find_column(
        points.columns, _ID_COLUMNS, role="id", where=where, required=False
    )
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


def _generated_sites(sectors: gpd.GeoDataFrame, options: PrepareOptions) -> gpd.GeoDataFrame:
    inhabited = sectors["population"].to_numpy(dtype=float) >= options.generated_min_population
    chosen = sectors.loc[inhabited]
    return gpd.GeoDataFrame(
        {
            "site_id": [f"gen-{code}" for code in chosen["sector_id"]],
            # Statbel writes sector names in capitals: "nieuwe locatie in Rabot", not "RABOT".
            "name": [f"nieuwe locatie in {_readable(name)}" for name in chosen["name"]],
            "type": "generated",
        },
        geometry=gpd.points_from_xy(chosen["point_x"], chosen["point_y"]),
        crs=sectors.crs,
    )


def _existing_sites(path: Path, types: Mapping[str, SiteType], crs: str) -> gpd.GeoDataFrame:
    layer = read_layer(path, "existing sites").to_crs(crs)
    where = str(path)
    if "existing" not in layer.columns:
        raise DataError(
            f"{where}: column 'existing' is missing; say 'house' or 'antenne' for each site"
        )
    roles = layer["existing"].astype("string").str.strip().str.lower().fillna("")
    bad = ~roles.isin(_ROLES)
    if bad.any():
        raise DataError(
            f"{where}: column 'existing' must be 'house' or 'antenne' on every row; got "
            f"{', '.join(repr(v) for v in roles[bad].unique()[:3])}"
        )
    type_column = sources.find_column(
        layer.columns, _TYPE_COLUMNS, role="site type", where=where, required=False
    )
    kinds = (
        layer[type_column].astype("string").str.strip().str.lower().fillna("")
        if type_column is not None
        else pd.Series("", index=layer.index)
    )
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


def _prepare_sites(
    found: Sources, sectors: gpd.GeoDataFrame, options: PrepareOptions, report: dict[str, Any]
) -> gpd.GeoDataFrame:
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
        parts.append(candidates.loc[inside])
    if options.generated_sites:
        parts.append(_generated_sites(sectors, options))
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
    located = gpd.sjoin(
        sites, sectors[["sector_id", "wijk", "geometry"]], how="left", predicate="within"
    )
    located = located[~located.index.duplicated(keep="first")]
    sites["sector_id"] = located["sector_id"].to_numpy()
    sites["wijk"] = located["wijk"].to_numpy()
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
    nis: str,
    options: PrepareOptions | None = None,
) -> PrepareResult:
    """Prepare the sector and site layers of one municipality (see the module docstring).

    Parameters
    ----------
    found
        The source files (:func:`find_sources`).
    out
        Output folder, e.g. ``data/statsec/gent``; created, files replaced atomically.
    nis
        The municipality's NIS code.
    options
        Choices (target share, imputation, site types, ...).

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
    nis = sources.municipality_of(pd.Series([nis])).iloc[0]
    report: dict[str, Any] = {"municipality": nis, "crs": options.crs}
    sectors = _prepare_sectors(found, nis, options, report)
    sectors = _add_points(sectors, found, report)
    sites = _prepare_sites(found, sectors, options, report)
    report["sectors"] = {
        "count": len(sectors),
        "population": float(sectors["population"].sum()),
        "target": float(sectors["target"].sum()),
    }
    report["need_indicators"] = _need_block(sectors, found)
    report["files"] = {
        role: {"path": str(path), "sha256": _digest(path)}
        for role, path in found.files().items()
        if path.exists()
    }
    notes = [report["target"]["note"]]
    if report.get("income"):
        notes.append(
            f"{len(report['income']['suppressed'])} sectors have no income from Statbel "
            f"(suppressed); imputed by policy '{report['income']['policy']}' and flagged in "
            "median_income_suppressed"
        )
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


def _add_points(
    sectors: gpd.GeoDataFrame, found: Sources, report: dict[str, Any]
) -> gpd.GeoDataFrame:
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


def _write(
    out: Path, sectors: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, report: dict[str, Any]
) -> None:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out, prefix=".prepare-") as tmp:
        staging = Path(tmp)
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


def with_indicator_table(
    found: Sources, path: Path, indicators: Sequence[IndicatorColumn]
) -> Sources:
    """Return ``found`` with one more table of need indicators.

    Parameters
    ----------
    found
        The sources so far.
    path
        CSV/TXT/XLSX table with a sector code column.
    indicators
        Its columns to use, with direction and weight.

    Returns
    -------
    Sources
        A new :class:`Sources`.
    """
    return replace(
        found, indicator_tables=(*found.indicator_tables, (Path(path), tuple(indicators)))
    )


@dataclass(frozen=True)
class Downloads:
    """What :func:`prepare_from_folder` may fetch before preparing.

    Attributes
    ----------
    official
        Fetch the official files (:data:`OFFICIAL_DOWNLOADS`, or ``urls``).
    osm
        Fetch OpenStreetMap places and streets through Overpass.
    urls
        Addresses per role replacing the official ones.
    overpass_url
        Overpass API endpoint.
    """

    official: bool = False
    osm: bool = False
    urls: Mapping[str, str] = field(default_factory=dict)
    overpass_url: str = OVERPASS_URL


def parse_indicator(text: str) -> tuple[Path, IndicatorColumn]:
    """Parse ``FILE:COLUMN:DIRECTION[:WEIGHT]`` into a table and an indicator.

    Parameters
    ----------
    text
        E.g. ``"kansen.csv:werkloosheid:higher_is_needier:0.5"``.

    Returns
    -------
    tuple
        The table path and the indicator.

    Raises
    ------
    DataError
        When the text does not have that form.
    """
    parts = text.rsplit(":", 3)
    weight = 1.0
    if len(parts) == 4:
        try:
            weight = float(parts[3])
        except ValueError:
            parts = [*text.rsplit(":", 2)]
        else:
            parts = parts[:3]
    directions = ("higher_is_needier", "lower_is_needier")
    if len(parts) != 3 or parts[2] not in directions or not parts[0] or not parts[1]:
        raise DataError(
            f"indicator {text!r}: expected FILE:COLUMN:DIRECTION[:WEIGHT] with DIRECTION "
            "higher_is_needier or lower_is_needier, e.g. kansen.csv:werkloosheid:"
            "higher_is_needier:0.5"
        )
    if weight <= 0:
        raise DataError(f"indicator {text!r}: the weight must be > 0, got {weight:g}")
    indicator = (
        IndicatorColumn(column=parts[1], direction="higher_is_needier", weight=weight)
        if parts[2] == directions[0]
        else IndicatorColumn(column=parts[1], direction="lower_is_needier", weight=weight)
    )
    return Path(parts[0]), indicator


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
        Name (``"gent"``) or NIS code; names the output folder.
    source
        Folder of downloaded files (created when downloading).
    out
        Output folder.
    nis
        NIS code when the name cannot be looked up.
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
    code = nis or municipality_nis(municipality, found.municipal_indicators)
    if downloads.osm:
        osm = download_osm(source / "osm", code, url=downloads.overpass_url)
        found = replace(
            found,
            points=given.get("points", osm["points"]),
            network=given.get("network", osm.get("network")),
        )
    for table in indicators:
        path, indicator = parse_indicator(table)
        found = with_indicator_table(found, path, [indicator])
    target = Path(out) if out is not None else Path("data/statsec") / municipality.strip().lower()
    result = prepare_municipality(found, target, nis=code, options=options)
    if fetched:
        result.report["downloaded"] = {role: str(path) for role, path in fetched.items()}
    return result


def _readable(name: object) -> str:
    """Return a sector name as a reader writes it: ``RABOT`` -> ``Rabot``, mixed case kept."""
    text = str(name).strip()
    return text.title() if text.isupper() else text
