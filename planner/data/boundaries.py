"""Statistical-sector polygons, one municipality of them, and joins of sector tables onto them.

Statbel's ``sh_statbel_statistical_sectors_*`` files (Shapefile, GeoPackage, GeoJSON; columns
``CD_SECTOR``, ``TX_SECTOR_DESCR_NL``, ``CD_MUNTY_REFNIS`` in any case) or a city's own layer on
Statbel codes (Gent: ``cd_sector_2024``, ``t_sec_nl``) are read into ``sector_id``, ``name`` and
``municipality``. A sector table is left-joined onto them by :func:`join_on_sector`, whose
:class:`JoinReport` names the codes found on one side only. Statbel's ``<NIS>ZZZZ`` rows
(inhabitants whose sector is unknown) are counted and reported, never matched to a sector.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from planner.data.layers import read_layer
from planner.data.tables import SECTOR_CODE_COLUMNS, find_column, municipality_of, normalise_codes
from planner.errors import DataError

if TYPE_CHECKING:
    from collections.abc import Sequence

    import geopandas as gpd
    import pandas as pd

__all__ = [
    "MUNICIPALITY_COLUMNS",
    "SECTOR_NAME_COLUMNS",
    "UNKNOWN_SECTOR_SUFFIX",
    "JoinReport",
    "join_on_sector",
    "read_sector_geometry",
    "select_municipality",
]

logger = logging.getLogger(__name__)

UNKNOWN_SECTOR_SUFFIX = "ZZZZ"
"""Statbel's code suffix for inhabitants whose sector is unknown (``44021ZZZZ``)."""

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


# --- sector geometry --------------------------------------------------------------------------


def read_sector_geometry(
    path: Path,
    *,
    municipality: str | Sequence[str] | None = None,
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


def select_municipality(
    frame: pd.DataFrame, nis: str | Sequence[str], *, what: str
) -> pd.DataFrame:
    """Keep the rows whose ``sector_id`` belongs to one municipality (or any of several).

    Parameters
    ----------
    frame
        A table with a normalised ``sector_id`` column.
    nis
        The municipality's five-digit NIS code, or the codes of a region.
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
    codes = [str(code).strip() for code in ([nis] if isinstance(nis, str) else nis)]
    bad = [code for code in codes if not re.fullmatch(r"\d{5}", code)]
    if bad or not codes:
        raise DataError(
            f"municipality NIS code {(bad or [''])[0]!r} must be five digits, e.g. 44021 (Gent)"
        )
    munty = municipality_of(frame["sector_id"])
    keep = munty.isin(codes).fillna(value=False).to_numpy(dtype=bool)
    if not keep.any():
        held = munty.value_counts()
        shown = ", ".join(f"{code} ({count})" for code, count in held.head(5).items())
        raise DataError(
            f"{what} has no sector of municipality {', '.join(codes)}; it holds codes of "
            f"{shown}{' and others' if len(held) > 5 else ''}: check the NIS code or the file"
        )
    return frame.loc[keep].copy()


# --- joins ------------------------------------------------------------------------------------


def join_on_sector(
    sectors: pd.DataFrame,
    table: pd.DataFrame,
    *,
    what: str,
    municipality: str | Sequence[str] | None = None,
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
        NIS code (or the codes of a region): keep only the table's rows of it first (Statbel
        tables cover all of Belgium); Statbel's ``<NIS>ZZZZ`` "unknown sector" row is
        reported, not matched.

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
