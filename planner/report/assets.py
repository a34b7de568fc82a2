"""What the interactive map, the static maps and the council note share.

* the colours of the need classes of the choropleth (:mod:`planner.report.need_classes`),
  the colours of sites, links, uncovered sectors and catchments, so that ``map.html``,
  ``map.png`` and the note look alike;
* numbers written the Dutch way (``1.234.567,8``; ``€ 1,2 miljoen``) or the English way;
* Leaflet's JavaScript and CSS for maps that work offline, read at run time from the installed
  ``xstatic-leaflet`` package (Leaflet as published, packaged on PyPI), never copied into this
  repository. Its images are inlined as ``data:`` URIs so the page loads nothing else.

No heavy imports here: folium stays in :mod:`planner.report.webmap` and
:mod:`planner.report.webmap_layers`, matplotlib in :mod:`planner.report.staticmap` and
:mod:`planner.report.sweep_plot`, reportlab in :mod:`planner.report.note_pdf`.
"""

from __future__ import annotations

import base64
import math
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from planner.results.precision import supported_decimals

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "CATCHMENT_COLOURS",
    "MODE_NAMES",
    "NEED_COLOURS",
    "Language",
    "catchment_colour",
    "counted",
    "format_euro",
    "format_euro_short",
    "format_minutes",
    "format_number",
    "format_share",
    "headline_share",
    "leaflet_css",
    "leaflet_js",
    "source_names",
    "sources_line",
    "standard_phrase",
    "strictest_minutes",
]

Language = Literal["nl", "en"]

NEED_COLOURS = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
"""Colour of each need class, light (little need) to dark (most need): ColorBrewer YlGnBu."""
NO_NEED_COLOUR = "#bdbdbd"
EXISTING_COLOUR = "#303030"
NEW_COLOUR = "#f69730"
CLOSED_COLOUR = "#9e9e9e"
LINK_COLOUR = "#303030"
UNCOVERED_HOUSE_COLOUR = "#e31a1c"
UNCOVERED_FREQUENT_COLOUR = "#c51b7d"
POINT_IN_COLOUR = "#1a9641"  # a demand point within the house standard
POINT_OUT_COLOUR = "#d7191c"  # a demand point beyond it
WIJK_COLOUR = "#4d4d4d"
CATCHMENT_COLOURS = (
    "#1b9e77",
    "#d95f02",
    "#7570b3",
    "#e7298a",
    "#66a61e",
    "#e6ab02",
    "#a6761d",
    "#1f78b4",
    "#b15928",
    "#6a3d9a",
)
"""Categorical colours of catchments (ColorBrewer Dark2 and Paired), repeated when needed."""

MODE_NAMES: dict[Language, dict[str, str]] = {
    "nl": {"walk": "te voet", "bike": "met de fiets", "car": "met de auto"},
    "en": {"walk": "on foot", "bike": "by bike", "car": "by car"},
}
"""How families travel, per travel mode, as a label ("te voet"); the map, note and comparison."""


def catchment_colour(position: int) -> str:
    """Return the colour of the catchment of the ``position``-th open site (in site order).

    Parameters
    ----------
    position
        Order of the site among the sites drawn.

    Returns
    -------
    str
        A hex colour.
    """
    return CATCHMENT_COLOURS[position % len(CATCHMENT_COLOURS)]


# --- numbers ----------------------------------------------------------------------------------


def format_number(value: float, decimals: int = 0, language: Language = "nl") -> str:
    """Format a number: ``1.234.567,8`` in Dutch, ``1,234,567.8`` in English.

    Parameters
    ----------
    value
        The number.
    decimals
        Digits after the decimal separator.
    language
        ``nl`` or ``en``.

    Returns
    -------
    str
        The formatted number (``-`` when it is not finite).
    """
    if not math.isfinite(value):
        return "-"
    text = f"{value:,.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]
    if language == "en":
        return text
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def format_share(value: float | None, decimals: int = 1, language: Language = "nl") -> str:
    """Format a share in [0, 1] as a percentage: ``92,3 %`` (Dutch) or ``92.3%`` (English).

    Parameters
    ----------
    value
        The share, or None.
    decimals
        Digits after the decimal separator.
    language
        ``nl`` or ``en``.

    Returns
    -------
    str
        The percentage, or ``-`` when there is none.
    """
    if value is None or not math.isfinite(value):
        return "-"
    percent = 100 * value
    unit = "%" if language == "en" else " %"
    step = 10.0**-decimals
    if 0 < value < 1 and round(percent, decimals) >= 100:  # never "100 %" for less than all
        if decimals == 0:
            return f"almost 100{unit}" if language == "en" else f"bijna 100{unit}"
        percent = 100 - step
    elif 0 < value < 1 and round(percent, decimals) <= 0:  # never "0 %" for more than none
        smallest = format_number(step, decimals, language)
        return f"less than {smallest}{unit}" if language == "en" else f"minder dan {smallest}{unit}"
    return f"{format_number(percent, decimals, language)}{unit}"


def headline_share(summary: Mapping[str, Any], name: str, language: Language = "nl") -> str:
    """Format a headline coverage figure to the precision its range supports.

    Whole percent when the figure's range under the assumptions' variants
    (``summary["precision"]``, :func:`planner.results.precision.supported_decimals`) is wider
    than one percentage point, else 0.1 %.

    Parameters
    ----------
    summary
        The plan's summary (``coverage`` and ``precision``).
    name
        The figure: ``house``, ``frequent``, ``house_neediest_quintile`` or
        ``frequent_neediest_quintile``.
    language
        ``nl`` or ``en``.

    Returns
    -------
    str
        E.g. ``68 %`` or ``84,3 %``; ``-`` when there is no figure.
    """
    value = summary.get("coverage", {}).get(name)
    decimals = supported_decimals(summary.get("precision"), name)
    return format_share(None if value is None else float(value), decimals, language)


def strictest_minutes(standards: Mapping[str, Any], key: str) -> tuple[float, float | None]:
    """Return a standard and, with need tightening, its strictest value for the neediest.

    The scenario's standards are tightened per sector, ``R(i) = R (1 - mu n_i)`` with the need
    index ``n_i`` in [0, 1] (``standards.need_tightening`` = mu), so the strictest standard any
    sector can get is ``R (1 - mu)``.

    Parameters
    ----------
    standards
        ``standards_min`` of a plan's summary (``house``, ``frequent``, ``need_tightening``).
    key
        ``house`` or ``frequent``.

    Returns
    -------
    tuple
        The standard in minutes, and the strictest one (None without tightening).
    """
    minutes = float(standards.get(key) or 0.0)
    mu = float(standards.get("need_tightening") or 0.0)
    return minutes, (minutes * (1.0 - mu) if mu > 0 else None)


def _whole_or_one(value: float, language: Language) -> str:
    decimals = 0 if math.isclose(value, round(value), abs_tol=1e-9) else 1
    return format_number(value, decimals, language)


def standard_phrase(
    standards: Mapping[str, Any],
    key: str,
    language: Language = "nl",
    unit: str = "min",
    mode: str = "",
) -> str:
    """Return "binnen 20 min", or with need tightening "binnen de norm (20 min; tot 14 min ...)".

    Parameters
    ----------
    standards
        ``standards_min`` of a plan's summary.
    key
        ``house`` or ``frequent``.
    language
        ``nl`` or ``en``.
    unit
        The word after the number (``min``; ``minuten`` in a sentence).
    mode
        How families travel (``wandelen``), written after the first number; may be empty.

    Returns
    -------
    str
        The phrase, always starting with "binnen" / "within".
    """
    minutes, strictest = strictest_minutes(standards, key)
    first = " ".join(part for part in (_whole_or_one(minutes, language), unit, mode) if part)
    if strictest is None:
        return f"within {first}" if language == "en" else f"binnen {first}"
    tight = f"{_whole_or_one(strictest, language)} {unit}"
    if language == "en":
        return f"within the standard ({first}; down to {tight} for the neediest sectors)"
    return f"binnen de norm ({first}; tot {tight} voor de meest kwetsbare sectoren)"


def format_euro(value: float, language: Language = "nl") -> str:
    """Format an amount in euro to the euro: ``€ 1.250.000`` (Dutch) or ``€1,250,000``.

    Parameters
    ----------
    value
        Euro.
    language
        ``nl`` or ``en``.

    Returns
    -------
    str
        The amount.
    """
    number = format_number(value, 0, language)
    return f"€{number}" if language == "en" else f"€ {number}"


def format_euro_short(value: float, language: Language = "nl") -> str:
    """Format an amount in euro for a sentence: ``€ 1,2 miljoen``, ``€ 850.000``.

    Parameters
    ----------
    value
        Euro.
    language
        ``nl`` or ``en``.

    Returns
    -------
    str
        Millions with one decimal from one million on (two when that is needed to tell
        ``€ 1,25 miljoen``), else the exact amount.
    """
    if abs(value) < 1e6:
        return format_euro(value, language)
    millions = value / 1e6
    decimals = 1 if math.isclose(round(millions, 1), millions, abs_tol=1e-9) else 2
    number = format_number(millions, decimals, language)
    return f"€{number} million" if language == "en" else f"€ {number} miljoen"


def format_minutes(value: float | None, language: Language = "nl") -> str:
    """Format a travel time: ``12,5 min``; ``-`` when there is none.

    Parameters
    ----------
    value
        Minutes, or None / inf when unreachable.
    language
        ``nl`` or ``en``.

    Returns
    -------
    str
        The formatted time.
    """
    if value is None or not math.isfinite(value):
        return "-"
    return f"{format_number(value, 1, language)} min"


def counted(count: object, singular: str, plural: str) -> str:
    """Return "1 huis", "3 huizen": the count with the noun in the right number.

    Parameters
    ----------
    count
        The number (anything else, e.g. ``-`` for a missing figure, takes the plural).
    singular, plural
        The noun.

    Returns
    -------
    str
        Count and noun.
    """
    one = isinstance(count, int | float) and not isinstance(count, bool) and count == 1
    return f"{count} {singular if one else plural}"


# --- Leaflet for offline maps -----------------------------------------------------------------


def _leaflet_dir() -> Path:
    """Return the folder of Leaflet's files in the installed ``xstatic-leaflet`` package."""
    from xstatic.pkg import leaflet  # noqa: PLC0415 - only offline maps need it

    return Path(leaflet.BASE_DIR)


@cache
def leaflet_js() -> str:
    """Return Leaflet's JavaScript (minified) from the installed ``xstatic-leaflet`` package.

    Returns
    -------
    str
        The content of ``leaflet.js``.
    """
    return (_leaflet_dir() / "leaflet.js").read_text(encoding="utf-8")


@cache
def leaflet_css() -> str:
    """Return Leaflet's CSS with its images inlined as ``data:`` URIs.

    Returns
    -------
    str
        The content of ``leaflet.css``; ``url(images/x.png)`` replaced by the image's bytes.
    """
    folder = _leaflet_dir()

    def inline(match: re.Match[str]) -> str:
        image = folder / "images" / match.group(1)
        data = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    css = (folder / "leaflet.css").read_text(encoding="utf-8")
    return re.sub(r"url\(images/([A-Za-z0-9_.-]+\.png)\)", inline, css)


# --- sources ----------------------------------------------------------------------------------


def source_names(sources: tuple[str, ...], input_paths: dict[str, Path]) -> list[str]:
    """Return the data sources to name: the scenario's ``outputs.sources`` or the input files.

    Parameters
    ----------
    sources
        ``outputs.sources`` of the scenario (e.g. Statbel, Stad Gent, OpenStreetMap-bijdragers).
    input_paths
        The scenario's input files by role, named when no sources are given.

    Returns
    -------
    list of str
        Names, in order, without repeats.
    """
    names = list(sources) if sources else [path.name for path in input_paths.values()]
    return list(dict.fromkeys(names))


def sources_line(names: list[str], language: Language = "nl") -> str:
    """Return the attribution line of a map: ``Bronnen: Statbel; Stad Gent; ...``.

    Parameters
    ----------
    names
        Source names from :func:`source_names`.
    language
        ``nl`` or ``en``.

    Returns
    -------
    str
        The line.
    """
    label = "Sources" if language == "en" else "Bronnen"
    return f"{label}: {'; '.join(names)}"
