r"""Readers for the official files planners download: Statbel sectors and sector tables.

This module turns the formats a Flemish or Belgian municipality gets from Statbel, the
Flemish government and its own open-data portal into one sector table in planner's column
names. It is the first half of ``planner data`` (see :mod:`planner.data.prepare`); every function
can also be used alone from a notebook. This module holds the Statbel population, age and income
tables and the target group; it also re-exports the readers of the modules it builds on, so that
``from planner.data import sources`` gives all of them:

* :mod:`planner.data.tables`: :func:`read_table`, :func:`find_column`, sector codes;
* :mod:`planner.data.boundaries`: sector polygons, :func:`select_municipality`,
  :func:`join_on_sector` and its :class:`JoinReport`;
* :mod:`planner.data.indicators`: user indicator tables (:class:`IndicatorColumn`), the
  kansarmoede-index and the imputation of suppressed incomes.

What it reads
-------------
* **Sector geometry**: Statbel's ``sh_statbel_statistical_sectors_*`` files (Shapefile,
  GeoPackage, GeoJSON; columns ``CD_SECTOR``, ``TX_SECTOR_DESCR_NL``, ``CD_MUNTY_REFNIS`` in any
  case) or a city's own layer on Statbel codes (Gent: ``cd_sector_2024``, ``t_sec_nl``).
* **Sector tables** (CSV/TXT with ``,`` ``;`` ``|`` or tab separators, XLSX when ``openpyxl`` is
  installed): population (with age bands when the table has them, e.g. Statbel's census table
  with ``x65`` and ``rest``), fiscal income (``ms_median_net_taxable_inc``), any user table with
  extra indicator columns.
* **Municipal indicators** (``municipality_indicators.json``): the Kind en Gezin
  *kansarmoede-index* :math:`K_m`, the share of births in deprived families.

Sector codes are compared after stripping spaces and upper-casing; the first five characters
are the municipality's NIS code (Gent ``44021``). Statbel's ``<NIS>ZZZZ`` rows (inhabitants
whose sector is unknown) are counted and reported, never matched to a sector.

Target group
------------
From an age table when one is given: the children aged ``a_lo..a_hi`` (whole years,
inclusive), an age band that only partly overlaps counted pro rata by years. Otherwise it is
*estimated* and flagged (column ``target_estimated``):

.. math::

    T_i = s \cdot B_i

with :math:`B_i` the sector's inhabitants under 65 when the population table splits off the
65+ (so that sectors dominated by care homes do not get young families), else its total
population, and :math:`s` a share the user sets (:data:`DEFAULT_TARGET_SHARE`).

"""

from __future__ import annotations

import functools
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from planner.data.boundaries import (
    UNKNOWN_SECTOR_SUFFIX,
    JoinReport,
    join_on_sector,
    read_sector_geometry,
    select_municipality,
)
from planner.data.indicators import (
    ImputationPolicy,
    IndicatorColumn,
    impute_suppressed,
    kansarmoede_estimate,
    read_indicator_table,
    read_municipal_indicator,
)
from planner.data.tables import (
    SECTOR_CODE_COLUMNS,
    checked_codes,
    find_column,
    municipality_of,
    normalise_codes,
    parse_numbers,
    read_table,
    table_with_codes,
)
from planner.errors import DataError

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "DEFAULT_TARGET_AGES",
    "DEFAULT_TARGET_SHARE",
    "SECTOR_CODE_COLUMNS",
    "UNKNOWN_SECTOR_SUFFIX",
    "ImputationPolicy",
    "IndicatorColumn",
    "JoinReport",
    "estimate_target",
    "find_column",
    "impute_suppressed",
    "join_on_sector",
    "kansarmoede_estimate",
    "municipality_of",
    "normalise_codes",
    "read_age_table",
    "read_income_table",
    "read_indicator_table",
    "read_municipal_indicator",
    "read_population_table",
    "read_sector_geometry",
    "read_table",
    "select_municipality",
    "target_from_ages",
]

logger = logging.getLogger(__name__)

_READ: dict[tuple[object, ...], pd.DataFrame] = {}
_KEPT = 8


def _kept_while_unchanged(
    reader: Callable[..., pd.DataFrame],
) -> Callable[..., pd.DataFrame]:
    """Read a national table once per process while the file is unchanged (a copy each time).

    ``planner flanders`` prepares hundreds of municipalities from the same Belgian tables;
    parsing them once per worker instead of once per municipality saves about a second each.
    The key is the file's path, size and modification time and the reader's options.
    """

    @functools.wraps(reader)
    def read(path: Path, **options: str | None) -> pd.DataFrame:
        try:
            stat = Path(path).stat()
        except OSError:
            return reader(path, **options)  # the reader says what is wrong with the path
        key = (
            reader.__name__,
            str(Path(path).resolve()),
            stat.st_size,
            stat.st_mtime_ns,
            tuple(sorted(options.items())),
        )
        if key not in _READ:
            if len(_READ) >= _KEPT:
                _READ.pop(next(iter(_READ)))
            _READ[key] = reader(path, **options)
        return _READ[key].copy()

    return read


DEFAULT_TARGET_SHARE = 0.04
"""Children under 3 per inhabitant under 65 (Flanders and Gent around 2021: about 3,000 births a
year in Gent for about 220,000 inhabitants under 65, so three birth cohorts are roughly 4 %).
An assumption for when no age table is available; set your own with ``target_share``."""

DEFAULT_TARGET_AGES = (0, 2)
"""Ages (inclusive, whole years) of the target group when an age table is given: under 3,
the children of the consultatiebureau."""

POPULATION_COLUMNS = (
    "population",
    "total",
    "ms_population",
    "ms_pop",
    "pop",
    "inwoners",
    "pop_census2021",
    "tot",
)
MEDIAN_INCOME_COLUMNS = ("ms_median_net_taxable_inc", "median_income", "mediaan_inkomen")
MEAN_INCOME_COLUMNS = ("ms_avg_tot_net_taxable_inc", "mean_income", "gemiddeld_inkomen")
AGE_COLUMNS = ("cd_age", "age", "leeftijd", "age_class", "cd_age_class", "tx_age_class")
COUNT_COLUMNS = ("ms_population", "ms_pop", "population", "count", "aantal", "n")

# An age band as a column name: "age_0_2", "x65", "0-3", "leeftijd_18_64", "ms_age_85plus", "65+"
_AGE_BAND = re.compile(
    r"^(?:age|ms_age|leeftijd|lft|x)?_?(?P<lo>\d{1,3})(?:\s*[-_]\s*(?P<hi>\d{1,3})"
    r"|\s*_?(?P<plus>plus|\+|_en_meer))?$"
)


def _age_band(column: str) -> tuple[int, int | None] | None:
    match = _AGE_BAND.match(column.strip().lower())
    if match is None:
        return None
    lo = int(match["lo"])
    if match["plus"]:
        return lo, None
    if match["hi"]:
        return lo, int(match["hi"])
    # a bare number is an age band only with a prefix ("x65" is Statbel's 65+)
    if column.strip().lower().startswith("x"):
        return lo, None
    return None


def _band_name(lo: int, hi: int | None) -> str:
    return f"age_{lo}_plus" if hi is None else f"age_{lo}_{hi}"


@_kept_while_unchanged
def read_population_table(
    path: Path,
    *,
    code_column: str | None = None,
    total_column: str | None = None,
) -> pd.DataFrame:
    """Read a population-by-sector table, with its age bands when it has them.

    The total is the ``total_column`` when given, else a known total column (``TOTAL``,
    ``MS_POPULATION``, ``population``, ...), else the sum of the age-band columns (Statbel's
    census table: ``x65`` + ``rest``, an empty cell counting 0).

    Parameters
    ----------
    path
        CSV/TXT/XLSX table with one row per sector.
    code_column, total_column
        Column names when they are not one of the known ones.

    Returns
    -------
    pandas.DataFrame
        ``sector_id``, ``population`` and, when present, ``age_<lo>_<hi>`` /
        ``age_<lo>_plus`` columns and ``population_65plus`` (sum of bands from 65 up); with
        Statbel's census layout ``rest`` is kept as ``population_under65``.

    Raises
    ------
    DataError
        No code or population column, non-numeric cells, duplicated codes.
    """
    table, code = table_with_codes(path, code_column)
    where = str(path)
    problems: list[str] = []
    out = pd.DataFrame({"sector_id": checked_codes(table, code, where)})
    bands: dict[str, tuple[int, int | None]] = {}
    for column in table.columns:
        band = _age_band(str(column))
        if band is not None and column != code:
            name = _band_name(*band)
            out[name] = parse_numbers(table, str(column), where, problems, count=True).fillna(0.0)
            bands[name] = band
    rest = find_column(table.columns, ("rest",), role="rest", where=where, required=False)
    total = find_column(
        table.columns,
        POPULATION_COLUMNS,
        role="population",
        where=where,
        explicit=total_column,
        required=not bands,
    )
    if total is not None:
        out["population"] = parse_numbers(table, total, where, problems, count=True)
    else:
        parts = [out[name] for name in bands]
        if rest is not None:
            out["population_under65"] = parse_numbers(
                table, rest, where, problems, count=True
            ).fillna(0.0)
            parts.append(out["population_under65"])
        out["population"] = sum(parts[1:], parts[0])
    if problems:
        raise DataError(problems)
    old = [name for name, (lo, _) in bands.items() if lo >= 65]
    if old:
        out["population_65plus"] = out[old].sum(axis=1)
    logger.info(
        f"Read population of {len(out):,} sectors from {Path(path).name} ({len(bands)} age bands)"
    )
    return out


def read_age_table(
    path: Path,
    *,
    code_column: str | None = None,
    age_column: str | None = None,
    count_column: str | None = None,
) -> pd.DataFrame:
    """Read an age table: one row per sector (wide, band columns) or per sector and age (long).

    Long tables (``CD_SECTOR``, ``CD_AGE``, ``MS_POPULATION``) hold an age or an age band per
    row (``3``, ``0-4``, ``85+``); they are summed into one column per band.

    Parameters
    ----------
    path
        CSV/TXT/XLSX table.
    code_column, age_column, count_column
        Column names when they are not one of the known ones.

    Returns
    -------
    pandas.DataFrame
        ``sector_id`` and ``age_<lo>_<hi>`` / ``age_<lo>_plus`` columns (counts).

    Raises
    ------
    DataError
        No code column, no age bands, unreadable ages or counts.
    """
    table, code = table_with_codes(path, code_column)
    where = str(path)
    age = find_column(
        table.columns, AGE_COLUMNS, role="age", where=where, explicit=age_column, required=False
    )
    if age is None:
        wide = read_population_table(path, code_column=code_column)
        bands = [c for c in wide.columns if c.startswith("age_")]
        if not bands:
            raise DataError(
                f"{where}: no age column ({' / '.join(AGE_COLUMNS)}) and no age-band columns "
                "(e.g. age_0_2, 0-3, x65); name the columns"
            )
        return wide[["sector_id", *bands]]
    count = str(
        find_column(table.columns, COUNT_COLUMNS, role="count", where=where, explicit=count_column)
    )
    problems: list[str] = []
    counts = parse_numbers(table, count, where, problems, count=True).fillna(0.0)
    labels = table[age].astype("string").str.strip().str.replace(" ", "")
    parsed = [_parse_age_label(str(label)) for label in labels.fillna("")]
    unreadable = sorted({str(lab) for lab, p in zip(labels, parsed, strict=True) if p is None})
    if unreadable:
        problems.append(
            f"{where}: column '{age}' has ages that are not a number or band: "
            f"{', '.join(unreadable[:5])}; use e.g. 3, 0-4 or 85+"
        )
    if problems:
        raise DataError(problems)
    long = pd.DataFrame(
        {
            "sector_id": normalise_codes(table[code]),
            "band": [_band_name(*p) for p in parsed if p is not None],
            "count": counts,
        }
    )
    wide = long.pivot_table(
        index="sector_id", columns="band", values="count", aggfunc="sum", fill_value=0.0
    )
    wide.columns = [str(c) for c in wide.columns]
    return wide.reset_index()


def _parse_age_label(label: str) -> tuple[int, int | None] | None:
    text = label.lower().removesuffix("jaar").removesuffix("years").strip()
    if re.fullmatch(r"\d{1,3}", text):
        return int(text), int(text)
    match = re.fullmatch(r"(\d{1,3})[-_](\d{1,3})", text)
    if match:
        return int(match[1]), int(match[2])
    match = re.fullmatch(r"(\d{1,3})(\+|plus|_en_meer)", text)
    if match:
        return int(match[1]), None
    return None


def target_from_ages(ages: pd.DataFrame, lo: int, hi: int) -> pd.Series:
    r"""Count the inhabitants aged ``lo..hi`` (inclusive) from age-band columns.

    A band :math:`[b_0, b_1]` overlapping the target ages counts with the share of its years
    inside them, :math:`|[b_0, b_1] \cap [lo, hi]| / (b_1 - b_0 + 1)` (ages assumed evenly
    spread within a band); an open band (``85+``) counts only when it lies entirely inside.

    Parameters
    ----------
    ages
        ``sector_id`` and ``age_*`` columns as from :func:`read_age_table`.
    lo, hi
        First and last age of the target group.

    Returns
    -------
    pandas.Series
        Target count per row of ``ages``.

    Raises
    ------
    DataError
        When no band overlaps the target ages.
    """
    total = pd.Series(0.0, index=ages.index)
    used = 0
    for column in ages.columns:
        band = _age_band(str(column))
        if band is None:
            continue
        b0, b1 = band
        if b1 is None:
            continue  # open band: never entirely inside a closed target range
        overlap = min(b1, hi) - max(b0, lo) + 1
        if overlap > 0:
            total += ages[column].astype(float) * overlap / (b1 - b0 + 1)
            used += 1
    if used == 0:
        bands = ", ".join(str(c) for c in ages.columns if _age_band(str(c)))
        raise DataError(
            f"the age table has no band overlapping ages {lo}-{hi} (bands: {bands or 'none'}); "
            "give a table with young ages or estimate the target group with a share"
        )
    return total


def estimate_target(
    population: pd.Series,
    under65: pd.Series | None = None,
    share: float = DEFAULT_TARGET_SHARE,
) -> pd.Series:
    r"""Estimate the target group :math:`T_i = s \cdot B_i` (see the module docstring).

    Parameters
    ----------
    population
        Inhabitants per sector.
    under65
        Inhabitants under 65, used as :math:`B_i` when given.
    share
        :math:`s`, target families per inhabitant of the base, in (0, 1].

    Returns
    -------
    pandas.Series
        Estimated target group per sector, never above the population.

    Raises
    ------
    DataError
        When the share is not in (0, 1].
    """
    if not 0 < share <= 1:
        raise DataError(f"target share must be in (0, 1], got {share}; e.g. 0.04")
    base = population if under65 is None else under65
    return (share * base.astype(float)).clip(upper=population.astype(float))


@_kept_while_unchanged
def read_income_table(
    path: Path,
    *,
    code_column: str | None = None,
    median_column: str | None = None,
) -> pd.DataFrame:
    """Read Statbel's fiscal income by sector (``TF_PSNL_INC_TAX_SECTOR``) or a similar table.

    Parameters
    ----------
    path
        CSV/TXT/XLSX table with one row per sector.
    code_column, median_column
        Column names when they are not one of the known ones.

    Returns
    -------
    pandas.DataFrame
        ``sector_id``, ``median_income`` (euro; NaN where Statbel suppressed it) and, when the
        table has it, ``mean_income``.

    Raises
    ------
    DataError
        No code or median column, non-numeric cells, duplicated codes.
    """
    table, code = table_with_codes(path, code_column)
    where = str(path)
    median = str(
        find_column(
            table.columns,
            MEDIAN_INCOME_COLUMNS,
            role="median income",
            where=where,
            explicit=median_column,
        )
    )
    mean = find_column(
        table.columns, MEAN_INCOME_COLUMNS, role="mean income", where=where, required=False
    )
    problems: list[str] = []
    out = pd.DataFrame(
        {
            "sector_id": checked_codes(table, code, where),
            "median_income": parse_numbers(table, median, where, problems),
        }
    )
    if mean is not None:
        out["mean_income"] = parse_numbers(table, mean, where, problems)
    if problems:
        raise DataError(problems)
    logger.info(
        f"Read income of {len(out):,} sectors from {Path(path).name} "
        f"({int(out['median_income'].isna().sum()):,} suppressed)"
    )
    return out
