"""What ``planner data`` reads and how: the files of a download folder and the choices.

:class:`Sources` names the official files (found by their usual names with
:func:`find_sources`, or given per role), :func:`municipality_nis` turns a municipality's name
into its NIS code, extra need-indicator tables are added with :func:`with_indicator_table` (or
from ``FILE:COLUMN:DIRECTION[:WEIGHT]`` with :func:`parse_indicator`), and
:class:`PrepareOptions` holds the choices of :func:`planner.data.prepare.prepare_municipality`.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from planner.data.indicators import ImputationPolicy, IndicatorColumn
from planner.data.site_types import DEFAULT_SITE_TYPES, EXISTING_ROLES, SiteType
from planner.data.sources import DEFAULT_TARGET_AGES, DEFAULT_TARGET_SHARE
from planner.data.streets import StreetRule
from planner.errors import DataError, InputFileError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = [
    "DEFAULT_STREET_EXCLUDE",
    "PrepareOptions",
    "Sources",
    "find_sources",
    "municipality_nis",
    "parse_indicator",
    "parse_street_exclude",
    "with_indicator_table",
]

logger = logging.getLogger(__name__)

#: Lines that are no street for a generated site: motorways (functional road class 0).
DEFAULT_STREET_EXCLUDE: dict[str, tuple[str, ...]] = {"functional_roadclass": ("0",)}


@dataclass(frozen=True)
class Sources:
    """The files :func:`~planner.data.prepare.prepare_municipality` reads; None where there is none.

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
    wijk_names
        Wijken layer with a code and a name per wijk (``geoitem``, ``naam``): the sectors'
        ``wijk_name``.
    municipal_indicators
        ``municipality_indicators.json`` (kansarmoede-index, names for NIS lookup).
    raster
        Population raster for representative points.
    points
        Points file of candidate places.
    existing
        Points file of existing sites (``existing`` = house/antenne).
    network
        Road register (a line layer) on which generated candidates are placed, or an OSM
        file; named in the report for scenarios.
    centroids
        Statbel's sector centroids (``sector_centroids_2024.gpkg``): Voronoi sectors where
        there are no sector polygons.
    municipalities
        Municipal boundaries (``gemeente2024.shp``): clip the Voronoi sectors, check NIS codes.
    indicator_tables
        Extra tables with need-indicator columns.
    """

    sectors: Path | None = None
    population: Path | None = None
    income: Path | None = None
    ages: Path | None = None
    wijk_map: Path | None = None
    wijk_names: Path | None = None
    municipal_indicators: Path | None = None
    raster: Path | None = None
    points: Path | None = None
    existing: Path | None = None
    network: Path | None = None
    centroids: Path | None = None
    municipalities: Path | None = None
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
    """Choices of :func:`~planner.data.prepare.prepare_municipality`.

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
    generated_on_street
        Put each generated candidate on the street network (when there is a network file) rather
        than at its sector's point: see :mod:`planner.data.streets`.
    street_rule
        Where on the street: the radius, the street length needed within it and how far outside
        the sector a site may go (:class:`~planner.data.streets.StreetRule`).
    street_exclude
        Lines that are no street for a site, by column value: ``{"functional_roadclass":
        ("0",)}`` (the default: motorways of a road register such as Gent's ``wegsegmenten``)
        leaves motorways out of both the vertices and the street length. A column the network
        does not have excludes nothing (the report says so).
    site_types
        Site types with eligibility and costs; points of other types are left out.
    existing_types
        Candidate types marked as existing sites, e.g. ``{"library": "house"}``.
    crs
        Projected CRS of the outputs.
    """

    target_share: float = DEFAULT_TARGET_SHARE
    target_ages: tuple[int, int] = DEFAULT_TARGET_AGES
    income_imputation: ImputationPolicy = "neighbours"
    use_kansarmoede: bool = True
    generated_sites: bool = True
    generated_min_population: float = 1.0
    generated_on_street: bool = True
    street_rule: StreetRule = field(default_factory=StreetRule)
    street_exclude: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: dict(DEFAULT_STREET_EXCLUDE)
    )
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
            if role not in EXISTING_ROLES
        ]
        problems += [
            f"existing type {kind!r} is not a site type ({', '.join(sorted(self.site_types))})"
            for kind in self.existing_types
            if kind not in self.site_types
        ]
        problems += self.street_rule.problems()
        if problems:
            raise DataError(problems)


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
    "wijk_names": ("wijken*.gpkg", "ggw7*.shp", "ggw7*.gpkg"),
    "municipal_indicators": ("municipality_indicators.json",),
    "raster": ("ghsl_pop*.tif", "GHS_POP*.tif", "*population*.tif"),
    "points": ("osm_points*.gpkg", "osm_points*.geojson", "*candidate*sites*.gpkg"),
    "existing": ("existing_sites*.gpkg", "existing_sites*.geojson", "existing_sites*.csv"),
    "network": ("wegsegmenten*.geojson", "wegsegmenten*.gpkg", "*.osm", "*.osm.pbf"),
    "centroids": ("sector_centroids*.gpkg", "*sector*centroid*.gpkg", "*sector*centroid*.shp"),
    "municipalities": ("gemeente20*.shp", "gemeente20*.gpkg", "*municipal*boundar*.gpkg"),
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


def parse_street_exclude(values: Sequence[str] | None) -> dict[str, tuple[str, ...]]:
    """Parse ``COLUMN=VALUE[,VALUE]`` items into :attr:`PrepareOptions.street_exclude`.

    Parameters
    ----------
    values
        E.g. ``["functional_roadclass=0,9"]``; None for :data:`DEFAULT_STREET_EXCLUDE`,
        ``["none"]`` to exclude nothing.

    Returns
    -------
    dict
        Excluded values per column.

    Raises
    ------
    DataError
        When an item does not have that form.
    """
    if values is None:
        return dict(DEFAULT_STREET_EXCLUDE)
    if [value.strip().lower() for value in values] == ["none"]:
        return {}
    excluded: dict[str, tuple[str, ...]] = {}
    for item in values:
        column, _, listed = item.partition("=")
        kept = tuple(value.strip() for value in listed.split(",") if value.strip())
        if not column.strip() or not kept:
            raise DataError(
                f"street exclusion {item!r}: expected COLUMN=VALUE[,VALUE], e.g. "
                "functional_roadclass=0, or none"
            )
        excluded[column.strip()] = kept
    return excluded
