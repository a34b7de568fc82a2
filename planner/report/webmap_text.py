"""The wording and escaping of the web map: Dutch labels, formats and safe text.

Every text that comes from the data (names, ids, types) goes through :func:`escape_text`:
HTML-escaped, with the characters that would break out of folium's JavaScript template
strings (backtick, ``$``, backslash) written as character references. :func:`js_string`
writes a JavaScript string literal that is safe inside a ``<script>``. Labels are in Dutch,
the planners' working language. No folium here.
"""

from __future__ import annotations

import html
import json
import math
from typing import TYPE_CHECKING

import pandas as pd

from planner.report.assets import MODE_NAMES, format_number, format_share

if TYPE_CHECKING:
    from collections.abc import Mapping

    from planner.scenario import Scenario

__all__ = [
    "COLOCATION_LABELS",
    "ROLE_LABELS",
    "SECTOR_FIELDS",
    "TYPE_LABELS",
    "escape_text",
    "euro",
    "is_missing",
    "js_string",
    "minutes",
    "number",
    "popup_table",
    "share",
    "site_label",
    "standard_label",
    "yes_no",
]

ROLE_LABELS = {"house": "Huis van het Kind", "antenne": "antenne", "closed": "niet geopend"}
TYPE_LABELS = {
    "school": "school",
    "library": "bibliotheek",
    "community_centre": "buurtcentrum",
    "childcare": "kinderopvang",
    "consultatiebureau": "consultatiebureau",
    "vacant_building": "leegstaand gebouw",
}
COLOCATION_LABELS = (
    ("site_type", "Soort locatie"),
    ("is_school", "Op een school"),
    ("is_childcare", "Bij kinderopvang"),
    ("is_consultatiebureau", "Bij een consultatiebureau"),
    ("colocation", "Gedeeld met"),
)
SECTOR_FIELDS = (
    ("sector", "Sector"),
    ("wijk", "Wijk"),
    ("families", "Gezinnen (doelgroep)"),
    ("need", "Kwetsbaarheidsindex (0-1)"),
    ("tt_house", "Reistijd naar huis"),
    ("covered_house", "Huis binnen norm"),
    ("site_house", "Huis (verzorgingsgebied)"),
    ("tt_frequent", "Reistijd frequent aanbod"),
    ("covered_frequent", "Frequent aanbod binnen norm"),
    ("site_frequent", "Huis of antenne voor frequent aanbod"),
)


def js_string(text: str) -> str:
    """Write text as a JavaScript string literal that is also safe inside a ``<script>``."""
    literal = json.dumps(text, ensure_ascii=False)
    for char in "<>&'":
        literal = literal.replace(char, f"\\u{ord(char):04x}")
    return literal


def escape_text(value: object) -> str:
    r"""Escape data for HTML that folium places inside JavaScript template strings.

    ``html.escape`` handles ``< > & " '``; backtick, ``$`` and ``\`` become character
    references so the text can neither end nor interpolate a template string.
    """
    escaped = html.escape(str(value), quote=True)
    return escaped.replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")


def number(value: float, decimals: int = 0) -> str:
    """Format a number the Dutch way: ``1.234.567,8``."""
    return format_number(value, decimals)


def euro(value: float) -> str:
    """Format euro to the euro, the Dutch way: ``€ 1.250.000``."""
    return f"€ {number(value)}"


def share(value: float | None) -> str:
    """Format a share as a percentage with one decimal: ``92,3 %``."""
    return format_share(value, 1)


def minutes(value: float) -> str:
    """Format a travel time: ``12,5 min``, or "niet bereikbaar" when there is no route."""
    return "niet bereikbaar" if not math.isfinite(value) else f"{number(value, 1)} min"


def yes_no(value: object) -> str:
    """Say ``ja`` or ``nee``."""
    return "ja" if bool(value) else "nee"


def covered_text(share: float) -> str:
    """Say how many of a sector's families are within a standard: all, none or a share."""
    if share >= 1.0 - 1e-9:
        return "ja"
    if share <= 1e-9:
        return "nee"
    return f"deels: {round(100 * share):.0f} % van de gezinnen"


def is_missing(value: object) -> bool:
    """Tell whether a table value is missing (None, ``pd.NA`` or NaN)."""
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def site_label(site_id: object, names: Mapping[str, str]) -> str:
    """``name (id)`` of a site, or a dash when there is none."""
    if is_missing(site_id):
        return "-"
    key = str(site_id)
    return f"{escape_text(names.get(key, key))} ({escape_text(key)})"


def popup_table(rows: list[tuple[str, str]]) -> str:
    """Lay out already escaped label-value pairs as an HTML table."""
    body = "".join(f"<tr><th>{label}</th><td>{value}</td></tr>" for label, value in rows)
    return f'<table class="planner-popup">{body}</table>'


def standard_label(
    minutes: float, scenario: Scenario, tier: str | None = None, *, short: bool = False
) -> str:
    """Name a standard with the travel mode: ``15 min te voet (tot 11 min voor ...)``.

    With several travel modes (``travel.modes``) and a ``tier`` (``house`` or ``frequent``)
    each family is held to its own mode's standard, so the label lists them all:
    ``de norm van hun vervoerswijze (te voet 20, met de fiets 15 min)``; ``short`` leaves the
    list out (for layer names; the legend lists them).
    """
    modes = scenario.travel.modes
    if tier is not None and len(modes) > 1 and short:
        return "de norm van hun vervoerswijze"
    if tier is not None and len(modes) > 1:
        default = (
            scenario.standards.house_min if tier == "house" else scenario.standards.frequent_min
        )
        parts = []
        for name, spec in modes.items():
            value = spec.house_min if tier == "house" else spec.frequent_min
            value = default if value is None else value
            label = MODE_NAMES["nl"].get(name, escape_text(name))
            parts.append(f"{label} {number(value, 0 if value == round(value) else 1)}")
        return f"de norm van hun vervoerswijze ({', '.join(parts)} min)"
    mode = MODE_NAMES["nl"].get(scenario.travel.mode, escape_text(scenario.travel.mode))
    mu = scenario.standards.need_tightening
    strict = round(minutes * (1 - mu), 6)
    stricter = (
        f" (tot {number(strict, 0 if strict == round(strict) else 1)} min voor de meest "
        "kwetsbare sectoren)"
        if mu > 0
        else ""
    )
    return f"{number(minutes)} min {mode}{stricter}"
