"""Sector tables as planners download them: CSV/TXT with any separator or XLSX, codes, columns.

The generic half of reading official files (see :mod:`planner.data.sources`): a table is read
with every column as text (:func:`read_table`), a column is found by its known names in any
case (:func:`find_column`), sector codes are compared after stripping spaces and upper-casing
(:func:`normalise_codes`; the first five characters are the municipality's NIS code), and
numbers accept decimal commas and thousands spaces.
"""

from __future__ import annotations

import csv
import difflib
import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from planner.data.layers import unreadable_reason
from planner.errors import DataError, InputFileError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = [
    "SECTOR_CODE_COLUMNS",
    "cell_text",
    "checked_codes",
    "find_column",
    "municipality_of",
    "normalise_codes",
    "parse_numbers",
    "read_table",
    "table_with_codes",
]

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
_SEPARATORS = ",;|\t"
# Cells that mean "no value" in Statbel and spreadsheet exports (suppressed or not applicable)
_MISSING_TOKENS = ("NA", "N/A", "NAN", "NULL", "-", "..", ".", "X", "C")


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


def table_with_codes(path: Path, code_column: str | None) -> tuple[pd.DataFrame, str]:
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


def parse_numbers(
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
        shown = ", ".join(cell_text(v) for v in text[bad].unique()[:3])
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


def cell_text(value: object) -> str:
    """Show a cell in a message: ``empty`` for a missing value, else its short repr."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "empty"
    text = repr(value.item() if isinstance(value, np.generic) else value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def checked_codes(table: pd.DataFrame, column: str, where: str) -> pd.Series:
    """Return a column of sector codes, normalised; raise when one is empty or duplicated."""
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
