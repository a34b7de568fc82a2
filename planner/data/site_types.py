"""What each kind of place can host and what it costs: the site-type table of ``planner data``.

Candidate sites keep a place of a points file when its type is in the table
(:data:`DEFAULT_SITE_TYPES`, or a CSV of your own read by :func:`read_site_types`); the type gives
whether a house or an antenne can go there, what it costs and the services already on site
(co-location). The default costs are planning placeholders, not quotes: replace them with the
city's figures (``--site-types``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from planner.data.tables import read_table
from planner.errors import DataError

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "COLOCATION_KINDS",
    "DEFAULT_SITE_TYPES",
    "EXISTING_ROLES",
    "SiteType",
    "read_site_types",
]

EXISTING_ROLES = ("house", "antenne")
"""The roles an existing site can have (column ``existing`` of a sites file)."""


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
    table = read_table(path)
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
