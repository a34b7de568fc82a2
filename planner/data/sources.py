r"""Readers for the official files planners download: Statbel sectors and sector tables.

This module turns the formats a Flemish or Belgian municipality gets from Statbel, the
Flemish government and its own open-data portal into one sector table in planner's column
names. It is the first half of ``planner data`` (see :mod:`planner.data.prepare`); every function
can also be used alone from a notebook.

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

Need indicators and suppressed income
-------------------------------------
Lower median income means more need. Statbel suppresses the income of sectors with too few tax
returns; such a sector gets ``income_suppressed = True`` and a value imputed by the policy
named in ``income_imputation`` (never a silent zero):

* ``neighbours`` (default): the population-weighted mean of the observed medians of the sectors
  that touch it, :math:`\hat y_i = \sum_{j \in N(i)} P_j y_j / \sum_{j \in N(i)} P_j`; when no
  neighbour has a value (or they have no inhabitants), the median of the observed sectors;
* ``median``: the median of the observed sectors;
* ``none``: left missing; :func:`planner.demand.need_index` then imputes the median at run time
  and lists the sectors in the summary.

With a kansarmoede-index the income is turned into an estimated share of births in deprived
families per sector, consistent with the municipal figure:

.. math::

    k_i = K_m \cdot \frac{r_i}{\sum_j P_j r_j / \sum_j P_j}, \qquad r_i = \frac{\tilde y}{y_i}

with :math:`\tilde y` the median over the sectors of the median incomes :math:`y_i` and
:math:`P_j` the population. The population-weighted mean of :math:`k_i` equals :math:`K_m`;
a sector with half the typical income gets twice the typical share. Within one municipality it
ranks sectors like income does; across municipalities it carries the municipal level.
"""

from __future__ import annotations

import csv
import difflib
import importlib.util
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
import shapely

from planner.data.inputs import read_layer, unreadable_reason
from planner.errors import DataError, InputFileError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    import geopandas as gpd
    from numpy.typing import NDArray

__all__ = [
    "DEFAULT_TARGET_AGES",
    "DEFAULT_TARGET_SHARE",
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

DEFAULT_TARGET_SHARE = 0.04
"""Children under 3 per inhabitant under 65 (Flanders and Gent around 2021: about 3,000 births a
year in Gent for about 220,000 inhabitants under 65, so three birth cohorts are roughly 4 %).
An assumption for when no age table is available; set your own with ``target_share``."""

DEFAULT_TARGET_AGES = (0, 2)
"""Ages (inclusive, whole years) of the target group when an age table is given: under 3,
the children of the consultatiebureau."""

UNKNOWN_SECTOR_SUFFIX = "ZZZZ"
"""Statbel's code suffix for inhabitants whose sector is unknown (``44021ZZZZ``)."""

SECTOR_CODE_COLUMNS = (
    "cd_sector",
    "cd_sector_2024",
    "cd_sector_2023",
    "cd_sector_2022",
    "cd_sector_2021",
    "statsec2024",
    "statsec",
    "nis9_code",
    "sector_id",
    "sector_code",
)
SECTOR_NAME_COLUMNS = (
    "tx_sector_descr_nl",
    "tx_sector_",  # shapefile columns are cut to 10 characters
    "t_sec_nl",
    "sectornaam",
    "tx_sector_descr_fr",
    "t_sec_fr",
    "name",
    "naam",
)
MUNICIPALITY_COLUMNS = ("cd_munty_refnis", "cd_munty_r", "cd_refnis", "nis", "nis_code")
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

ImputationPolicy = Literal["neighbours", "median", "none"]

# An age band as a column name: "age_0_2", "x65", "0-3", "leeftijd_18_64", "ms_age_85plus", "65+"
_AGE_BAND = re.compile(
    r"^(?:age|ms_age|leeftijd|lft|x)?_?(?P<lo>\d{1,3})(?:\s*[-_]\s*(?P<hi>\d{1,3})"
    r"|\s*_?(?P<plus>plus|\+|_en_meer))?$"
)
_SEPARATORS = ",;|\t"
# Cells that mean "no value" in Statbel and spreadsheet exports (suppressed or not applicable)
_MISSING_TOKENS = ("NA", "N/A", "NAN", "NULL", "-", "..", ".", "X", "C")


@dataclass(frozen=True)
class JoinReport:
    """What a join of a sector table onto the sectors matched and what it did not.

    Attributes
    ----------
    what
        The table, e.g. ``"income (income2021_by_sector.csv)"``.
    matched
        Number of sectors that found a row.
    only_in_sectors
        Codes of sectors without a row in the table.
    only_in_table
        Codes in the table (of the selected municipality) without a sector.
    """

    what: str
    matched: int
    only_in_sectors: tuple[str, ...]
    only_in_table: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        """Return the report as plain data for JSON."""
        return {
            "what": self.what,
            "matched": self.matched,
            "only_in_sectors": list(self.only_in_sectors),
            "only_in_table": list(self.only_in_table),
        }


@dataclass(frozen=True)
class IndicatorColumn:
    """An extra need indicator from a user table.

    Attributes
    ----------
    column
        Column name in the table (kept as the sector column name).
    direction
        ``"higher_is_needier"`` or ``"lower_is_needier"``.
    weight
        Relative weight in the need index, > 0.
    """

    column: str
    direction: Literal["higher_is_needier", "lower_is_needier"]
    weight: float = 1.0

    def as_dict(self) -> dict[str, object]:
        """Return the indicator as a scenario ``need.indicators`` entry."""
        return {"column": self.column, "direction": self.direction, "weight": self.weight}


@dataclass(frozen=True)
class _Imputed:
    values: NDArray[np.float64]
    suppressed: NDArray[np.bool_]
    method: NDArray[np.object_] = field(repr=False)


# --- codes and columns ------------------------------------------------------------------------


def normalise_codes(values: pd.Series) -> pd.Series:
    """Return sector or NIS codes as stripped upper-case strings (missing stays missing).

    Numbers read from a spreadsheet (``44021.0``) lose their ``.0``.

    Parameters
    ----------
    values
        Codes as read.

    Returns
    -------
    pandas.Series
        String codes, same index.
    """
    text = values.astype("string").str.strip().str.upper()
    text = text.str.replace(r"^(\d+)\.0$", r"\1", regex=True)
    return text.mask(text == "")


def municipality_of(codes: pd.Series) -> pd.Series:
    """Return the NIS code of the municipality of each sector code (its first 5 characters).

    Parameters
    ----------
    codes
        Normalised sector codes.

    Returns
    -------
    pandas.Series
        Five-character NIS codes.
    """
    return codes.astype("string").str.slice(0, 5)


def find_column(
    columns: Iterable[object],
    candidates: Sequence[str],
    *,
    role: str,
    where: str,
    explicit: str | None = None,
    required: bool = True,
) -> str | None:
    """Find a column by name, case-insensitively, among known candidates.

    Parameters
    ----------
    columns
        The table's columns.
    candidates
        Known names for the role, most specific first.
    role
        What the column holds, for the message (``"sector code"``).
    where
        The file, for the message.
    explicit
        A name the user gave; it must exist (in any case).
    required
        Raise when nothing is found; otherwise return None.

    Returns
    -------
    str or None
        The column's actual name.

    Raises
    ------
    DataError
        When the column is required and not found, naming the available columns.
    """
    names = [str(column) for column in columns]
    lower = {name.lower(): name for name in names}
    wanted = (explicit,) if explicit is not None else tuple(candidates)
    for candidate in wanted:
        if candidate.lower() in lower:
            return lower[candidate.lower()]
    if not required and explicit is None:
        return None
    available = ", ".join(name for name in names if name != "geometry") or "none"
    tried = explicit if explicit is not None else " / ".join(candidates)
    close = [
        match
        for candidate in wanted
        for match in difflib.get_close_matches(candidate.lower(), list(lower), n=1, cutoff=0.6)
    ]
    hint = f"did you mean '{lower[close[0]]}'? " if close else ""
    raise DataError(
        f"{where}: no {role} column ({tried}); {hint}available columns: {available}; "
        "name the column explicitly"
    )


# --- sector geometry --------------------------------------------------------------------------


def read_sector_geometry(
    path: Path,
    *,
    municipality: str | None = None,
    code_column: str | None = None,
    name_column: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a Statbel (or city) statistical-sector polygon layer into standard columns.

    Parameters
    ----------
    path
        Shapefile, GeoPackage or GeoJSON of sector polygons.
    municipality
        NIS code (``"44021"``) to keep one municipality; None keeps every sector.
    code_column, name_column
        Column names when they are not one of the known ones (``CD_SECTOR``,
        ``cd_sector_2024``, ``TX_SECTOR_DESCR_NL``, ``t_sec_nl``, ...; any case).

    Returns
    -------
    geopandas.GeoDataFrame
        ``sector_id``, ``name``, ``municipality`` (NIS), the file's other columns, polygon
        geometry in the file's CRS; sorted by ``sector_id``.

    Raises
    ------
    InputFileError
        The file is missing or unreadable.
    DataError
        No code column, duplicated or empty codes, no CRS, or no sector of ``municipality``.
    """
    raw = read_layer(Path(path), "sectors")
    where = str(path)
    code = find_column(
        raw.columns, SECTOR_CODE_COLUMNS, role="sector code", where=where, explicit=code_column
    )
    name = find_column(
        raw.columns,
        SECTOR_NAME_COLUMNS,
        role="sector name",
        where=where,
        explicit=name_column,
        required=False,
    )
    problems: list[str] = []
    if raw.crs is None:
        problems.append(f"{where}: the sector layer has no CRS; set it (Statbel: EPSG:31370)")
    codes = normalise_codes(raw[str(code)])
    if codes.isna().any():
        problems.append(f"{where}: {int(codes.isna().sum())} sectors have no code in '{code}'")
    duplicated = sorted(set(codes[codes.duplicated() & codes.notna()]))
    if duplicated:
        problems.append(
            f"{where}: sector codes in '{code}' must be unique; duplicated: "
            f"{', '.join(duplicated[:5])}; dissolve the layer on the code first"
        )
    kinds = set(raw.geometry.geom_type.dropna())
    if not kinds <= {"Polygon", "MultiPolygon"}:
        problems.append(f"{where}: expected polygons, got {', '.join(sorted(kinds))}")
    if problems:
        raise DataError(problems)
    renamed = {str(code): "sector_id"} | ({str(name): "name"} if name else {})
    out = raw.rename(columns=renamed)
    out["sector_id"] = codes.to_numpy()
    out["name"] = out["name"].astype("string").fillna("") if name else out["sector_id"]
    munty = find_column(
        raw.columns, MUNICIPALITY_COLUMNS, role="municipality", where=where, required=False
    )
    out["municipality"] = (
        normalise_codes(raw[munty]).to_numpy()
        if munty is not None
        else municipality_of(out["sector_id"]).to_numpy()
    )
    invalid = ~out.geometry.is_valid
    if invalid.any():
        logger.info(f"{where}: repaired {int(invalid.sum())} invalid polygons (make_valid)")
        out.loc[invalid, out.geometry.name] = out.geometry[invalid].make_valid()
    if municipality is not None:
        out = select_municipality(out, municipality, what=f"sector layer {Path(path).name}")
    out = out.sort_values("sector_id", kind="stable").reset_index(drop=True)
    logger.info(f"Read {len(out):,} sectors from {Path(path).name}")
    return out


def select_municipality(frame: pd.DataFrame, nis: str, *, what: str) -> pd.DataFrame:
    """Keep the rows whose ``sector_id`` belongs to one municipality.

    Parameters
    ----------
    frame
        A table with a normalised ``sector_id`` column.
    nis
        The municipality's five-digit NIS code.
    what
        The table, for messages.

    Returns
    -------
    pandas.DataFrame
        The rows of the municipality (same type as ``frame``).

    Raises
    ------
    DataError
        When no row belongs to the municipality; the message names the municipalities the
        table does hold.
    """
    nis = str(nis).strip()
    if not re.fullmatch(r"\d{5}", nis):
        raise DataError(f"municipality NIS code {nis!r} must be five digits, e.g. 44021 (Gent)")
    munty = municipality_of(frame["sector_id"])
    keep = (munty == nis).fillna(value=False).to_numpy(dtype=bool)
    if not keep.any():
        held = munty.value_counts()
        shown = ", ".join(f"{code} ({count})" for code, count in held.head(5).items())
        raise DataError(
            f"{what} has no sector of municipality {nis}; it holds codes of {shown}"
            f"{' and others' if len(held) > 5 else ''}: check the NIS code or the file"
        )
    return frame.loc[keep].copy()


# --- tables -----------------------------------------------------------------------------------


def _sniff_separator(path: Path) -> str:
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        sample = "".join(handle.readline() for _ in range(20))
    try:
        return csv.Sniffer().sniff(sample, delimiters=_SEPARATORS).delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        counts = {sep: first.count(sep) for sep in _SEPARATORS}
        best = max(counts, key=lambda sep: counts[sep])
        return best if counts[best] else ","


def _table_with_codes(path: Path, code_column: str | None) -> tuple[pd.DataFrame, str]:
    """Read a sector table and find its sector-code column (``code_column`` or a known name)."""
    table = read_table(path)
    code = find_column(
        table.columns,
        SECTOR_CODE_COLUMNS,
        role="sector code",
        where=str(path),
        explicit=code_column,
    )
    return table, str(code)


def read_table(path: Path, *, sheet: str | int = 0) -> pd.DataFrame:
    """Read a sector table: CSV/TXT with any of ``, ; | tab`` as separator, or XLSX.

    Every column is read as text (codes keep their leading zeros and dashes); convert numbers
    where needed.

    Parameters
    ----------
    path
        The file; ``.xlsx``/``.xlsm`` need the ``openpyxl`` package.
    sheet
        Sheet name or index for spreadsheets.

    Returns
    -------
    pandas.DataFrame
        The table, all columns as strings.

    Raises
    ------
    InputFileError
        The file is missing, unreadable, or a spreadsheet without ``openpyxl`` installed.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"table {path} does not exist: check the path")
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm", ".xls"}:
        if importlib.util.find_spec("openpyxl") is None:
            raise InputFileError(
                f"table {path} is a spreadsheet and the 'openpyxl' package is not installed: "
                "install it (pip install openpyxl) or save the sheet as CSV"
            )
        try:
            table = pd.read_excel(path, sheet_name=sheet, dtype=str)
        except Exception as error:  # noqa: BLE001 - any reader failure: the file is unreadable
            raise InputFileError(
                f"table {path} cannot be read as a spreadsheet "
                f"({unreadable_reason(path, error, 'a spreadsheet')})"
                ": save it again as XLSX or as UTF-8 CSV"
            ) from None
    else:
        try:
            separator = _sniff_separator(path)
            table = pd.read_csv(
                path, sep=separator, dtype=str, encoding="utf-8-sig", keep_default_na=False
            ).replace("", pd.NA)
        except (ValueError, csv.Error, UnicodeDecodeError, OSError) as error:
            raise InputFileError(
                f"table {path} cannot be read as a delimited text file "
                f"({unreadable_reason(path, error, 'a table')}): save it as UTF-8 CSV"
            ) from None
    table.columns = pd.Index([str(column).strip() for column in table.columns])
    if table.empty:
        raise DataError(f"table {path} has no rows: check that it is the right file")
    return table


def _numbers(
    table: pd.DataFrame, column: str, where: str, problems: list[str], *, count: bool = False
) -> pd.Series:
    """Parse a column of numbers; accepts decimal commas ("1234,5") and thousands spaces.

    Infinite values are not numbers here; with ``count`` negative values are problems too.
    """
    text = table[column].astype("string").str.strip().str.replace(r"[\s\u00a0]", "", regex=True)
    text = text.where(
        ~text.str.fullmatch(r"-?\d+,\d+").fillna(value=False), text.str.replace(",", ".")
    )
    text = text.mask(text.str.upper().isin(_MISSING_TOKENS) | (text == ""))
    values = pd.to_numeric(text, errors="coerce").astype(float)
    bad = (values.isna() & text.notna()) | np.isinf(values)
    if bad.any():
        shown = ", ".join(_short(v) for v in text[bad].unique()[:3])
        problems.append(
            f"{where}: column '{column}' must hold numbers; {int(bad.sum())} cells do not "
            f"({shown}); fix them or leave them empty"
        )
    if count:
        negative = values < 0
        if negative.any():
            rows = ", ".join(str(int(i) + 2) for i in values.index[negative][:3])
            problems.append(
                f"{where}: column '{column}' counts people but has {int(negative.sum())} "
                f"negative values (lines {rows}); fix those cells"
            )
    return values.where(~bad)


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def _codes(table: pd.DataFrame, column: str, where: str) -> pd.Series:
    codes = normalise_codes(table[column])
    problems = []
    if codes.isna().any():
        problems.append(f"{where}: {int(codes.isna().sum())} rows have no sector code")
    duplicated = sorted(set(codes[codes.duplicated() & codes.notna()]))
    if duplicated:
        problems.append(
            f"{where}: sector codes must be unique, got {len(duplicated)} duplicated "
            f"({', '.join(duplicated[:5])}); aggregate the table to one row per sector"
        )
    if problems:
        raise DataError(problems)
    return codes


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
    table, code = _table_with_codes(path, code_column)
    where = str(path)
    problems: list[str] = []
    out = pd.DataFrame({"sector_id": _codes(table, code, where)})
    bands: dict[str, tuple[int, int | None]] = {}
    for column in table.columns:
        band = _age_band(str(column))
        if band is not None and column != code:
            name = _band_name(*band)
            out[name] = _numbers(table, str(column), where, problems, count=True).fillna(0.0)
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
        out["population"] = _numbers(table, total, where, problems, count=True)
    else:
        parts = [out[name] for name in bands]
        if rest is not None:
            out["population_under65"] = _numbers(table, rest, where, problems, count=True).fillna(
                0.0
            )
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
    table, code = _table_with_codes(path, code_column)
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
    counts = _numbers(table, count, where, problems, count=True).fillna(0.0)
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
    table, code = _table_with_codes(path, code_column)
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
            "sector_id": _codes(table, code, where),
            "median_income": _numbers(table, median, where, problems),
        }
    )
    if mean is not None:
        out["mean_income"] = _numbers(table, mean, where, problems)
    if problems:
        raise DataError(problems)
    logger.info(
        f"Read income of {len(out):,} sectors from {Path(path).name} "
        f"({int(out['median_income'].isna().sum()):,} suppressed)"
    )
    return out


def read_indicator_table(
    path: Path, indicators: Sequence[IndicatorColumn], *, code_column: str | None = None
) -> pd.DataFrame:
    """Read extra need-indicator columns from a user table.

    Parameters
    ----------
    path
        CSV/TXT/XLSX table with one row per sector.
    indicators
        The columns to take, with their direction and weight.
    code_column
        Sector code column when it is not one of the known ones.

    Returns
    -------
    pandas.DataFrame
        ``sector_id`` and one numeric column per indicator (NaN where empty).

    Raises
    ------
    DataError
        Missing or non-numeric columns, duplicated codes.
    """
    table, code = _table_with_codes(path, code_column)
    where = str(path)
    problems: list[str] = []
    out = pd.DataFrame({"sector_id": _codes(table, code, where)})
    for indicator in indicators:
        try:
            column = str(
                find_column(
                    table.columns,
                    (),
                    role=f"indicator '{indicator.column}'",
                    where=where,
                    explicit=indicator.column,
                )
            )
        except DataError as error:
            problems.extend(error.problems)
            continue
        out[indicator.column] = _numbers(table, column, where, problems)
    if problems:
        raise DataError(problems)
    return out


def join_on_sector(
    sectors: pd.DataFrame, table: pd.DataFrame, *, what: str, municipality: str | None = None
) -> tuple[pd.DataFrame, JoinReport]:
    """Left-join a sector table onto the sectors and report what did not match on either side.

    Parameters
    ----------
    sectors
        Sectors with a normalised ``sector_id``.
    table
        Table with a normalised ``sector_id`` and the columns to add.
    what
        The table, for messages and the report.
    municipality
        NIS code: keep only the table's rows of this municipality first (Statbel tables cover
        all of Belgium); Statbel's ``<NIS>ZZZZ`` "unknown sector" row is reported, not matched.

    Returns
    -------
    joined : pandas.DataFrame
        ``sectors`` with the table's columns (NaN where a sector has no row).
    report : JoinReport
        Matched count and the codes found on one side only.

    Raises
    ------
    DataError
        When the table has no row of the municipality, or no code matches any sector.
    """
    if municipality is not None:
        table = select_municipality(table, municipality, what=what)
    unknown = table["sector_id"].astype("string").str.endswith(UNKNOWN_SECTOR_SUFFIX)
    if unknown.any():
        logger.info(f"{what}: {int(unknown.sum())} rows for an unknown sector (…ZZZZ) left out")
        table = table.loc[~unknown.fillna(value=False).to_numpy(dtype=bool)]
    sector_codes = set(sectors["sector_id"])
    table_codes = set(table["sector_id"])
    matched = sector_codes & table_codes
    if not matched:
        sample = ", ".join(sorted(table_codes)[:3]) or "none"
        mine = ", ".join(sorted(sector_codes)[:3])
        raise DataError(
            f"{what}: none of its {len(table_codes):,} sector codes matches the "
            f"{len(sector_codes):,} sectors (table: {sample}; sectors: {mine}): check that both "
            "use Statbel sector codes of the same year"
        )
    overlap = [c for c in table.columns if c != "sector_id" and c in sectors.columns]
    joined = sectors.drop(columns=overlap).merge(table, on="sector_id", how="left", validate="1:1")
    report = JoinReport(
        what=what,
        matched=len(matched),
        only_in_sectors=tuple(sorted(sector_codes - table_codes)),
        only_in_table=tuple(sorted(table_codes - sector_codes)),
    )
    if report.only_in_sectors or report.only_in_table:
        logger.warning(
            f"{what}: {report.matched:,} sectors matched; {len(report.only_in_sectors):,} sectors "
            f"have no row{_listed(report.only_in_sectors)} and {len(report.only_in_table):,} "
            f"table codes match no sector{_listed(report.only_in_table)}"
        )
    else:
        logger.info(f"{what}: all {report.matched:,} sectors matched")
    return joined, report


def _listed(codes: tuple[str, ...]) -> str:
    """Return `` (A, B, C and 4 more)`` for a message, or nothing when there are no codes."""
    if not codes:
        return ""
    more = f" and {len(codes) - 5:,} more" if len(codes) > 5 else ""
    return f" ({', '.join(codes[:5])}{more})"


# --- need indicators --------------------------------------------------------------------------


def read_municipal_indicator(path: Path, nis: str, key: str = "kansarmoede") -> float:
    """Read one municipal indicator (e.g. the kansarmoede-index) from a JSON file.

    The file is a list of objects with an ``id`` (NIS code) and the indicator keys, or an
    object keyed by NIS code.

    Parameters
    ----------
    path
        The JSON file (``municipality_indicators.json``).
    nis
        Municipality NIS code.
    key
        The indicator.

    Returns
    -------
    float
        The value.

    Raises
    ------
    InputFileError
        The file is missing or not JSON.
    DataError
        The municipality or key is absent, or the value is not a number.
    """
    path = Path(path)
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputFileError(f"indicator file {path} does not exist: check the path") from None
    except (OSError, json.JSONDecodeError) as error:
        raise InputFileError(f"indicator file {path} is not readable JSON: {error}") from None
    if isinstance(content, dict):
        entry = content.get(str(nis))
    elif isinstance(content, list):
        entry = next((e for e in content if isinstance(e, dict) and str(e.get("id")) == nis), None)
    else:
        entry = None
    if not isinstance(entry, dict):
        raise DataError(f"{path}: no municipality with id {nis}; check the NIS code")
    value = entry.get(key)
    if not isinstance(value, int | float) or not np.isfinite(value):
        raise DataError(f"{path}: municipality {nis} has no numeric '{key}' (got {value!r})")
    return float(value)


def kansarmoede_estimate(
    median_income: NDArray[np.float64], population: NDArray[np.float64], municipal_index: float
) -> NDArray[np.float64]:
    r"""Spread the municipal kansarmoede-index over sectors by relative income.

    :math:`k_i = K_m \, r_i / (\sum_j P_j r_j / \sum_j P_j)` with :math:`r_i = \tilde y / y_i`
    (see the module docstring). Sectors without income get NaN.

    Parameters
    ----------
    median_income
        :math:`y_i`, median income per sector (NaN where missing; must be > 0).
    population
        :math:`P_i`, inhabitants per sector.
    municipal_index
        :math:`K_m`, the municipality's kansarmoede-index (percent of births).

    Returns
    -------
    numpy.ndarray
        :math:`k_i` per sector, in the unit of :math:`K_m`.
    """
    income = np.asarray(median_income, dtype=float)
    pop = np.asarray(population, dtype=float)
    valid = np.isfinite(income) & (income > 0)
    if not valid.any():
        return np.full(income.shape, np.nan)
    ratio = np.full(income.shape, np.nan)
    ratio[valid] = np.median(income[valid]) / income[valid]
    weights = np.where(valid, pop, 0.0)
    mean_ratio = (
        float(np.sum(weights * np.nan_to_num(ratio)) / weights.sum())
        if weights.sum() > 0
        else float(np.mean(ratio[valid]))
    )
    return np.asarray(municipal_index * ratio / mean_ratio, dtype=float)


def _neighbours(geometry: gpd.GeoSeries) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Pairs of sectors whose polygons touch (within 1 m, for slivers between them)."""
    geoms = np.asarray(geometry.array, dtype=object)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(shapely.buffer(geoms, 1.0), predicate="intersects")
    keep = left != right
    return left[keep].astype(np.int64), right[keep].astype(np.int64)


def impute_suppressed(
    sectors: gpd.GeoDataFrame,
    column: str,
    *,
    policy: ImputationPolicy = "neighbours",
    population: str = "population",
) -> tuple[pd.Series, pd.Series, pd.Series]:
    r"""Fill suppressed (missing) values of an indicator by a stated policy.

    See the module docstring: ``neighbours`` is the population-weighted mean of the touching
    sectors' observed values (falling back to the median of the observed sectors), ``median``
    the median, ``none`` leaves them missing.

    Parameters
    ----------
    sectors
        Sectors in a projected CRS (metres) with ``column`` and ``population``.
    column
        The indicator, NaN where suppressed.
    policy
        ``"neighbours"``, ``"median"`` or ``"none"``.
    population
        Column with inhabitants.

    Returns
    -------
    values : pandas.Series
        The indicator with imputed values.
    suppressed : pandas.Series
        True where the value was missing.
    method : pandas.Series
        ``"observed"``, ``"neighbours"``, ``"median"`` or ``"missing"`` per sector.

    Raises
    ------
    DataError
        When no sector has a value.
    """
    values = sectors[column].to_numpy(dtype=float).copy()
    suppressed = ~np.isfinite(values)
    method = np.where(suppressed, "missing", "observed").astype(object)
    if suppressed.all():
        raise DataError(f"column '{column}' has no value in any sector: nothing to impute from")
    if suppressed.any() and policy != "none":
        median = float(np.median(values[~suppressed]))
        if policy == "neighbours":
            left, right = _neighbours(sectors.geometry)
            pop = sectors[population].to_numpy(dtype=float)
            usable = ~suppressed[right] & suppressed[left]
            weight = np.nan_to_num(pop[right[usable]])
            n = values.shape[0]
            num = np.bincount(left[usable], weights=weight * values[right[usable]], minlength=n)
            den = np.bincount(left[usable], weights=weight, minlength=n)
            by_neighbours = suppressed & (den > 0)
            values[by_neighbours] = num[by_neighbours] / den[by_neighbours]
            method[by_neighbours] = "neighbours"
        rest = suppressed & (method == "missing")
        values[rest] = median
        method[rest] = "median"
        counts = pd.Series(method[suppressed]).value_counts().to_dict()
        logger.info(f"'{column}': {int(suppressed.sum())} suppressed values imputed ({counts})")
    index = sectors.index
    return (
        pd.Series(values, index=index, name=column),
        pd.Series(suppressed, index=index, name=f"{column}_suppressed"),
        pd.Series(method, index=index, name=f"{column}_imputation", dtype="string"),
    )
