"""What the council note says about a region and about straight-line travel.

Kept apart from :mod:`planner.report.note` so that the note itself changes by a few calls:
:func:`travel_method` rewrites the method's travel sentence when times are straight line x
circuity ("hemelsbreed x 1,3", with a multiplication sign), :func:`municipality_rows` gives the
rows of the per-municipality table (``summary["municipalities"]``) and
:func:`municipality_html` lays it out.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from planner.report.assets import format_euro, format_number, format_share

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from planner.report.assets import Language

__all__ = ["municipality_heading", "municipality_html", "municipality_rows", "travel_method"]

_TEXT = {
    "nl": {
        "network": "Reistijden zijn berekend over het stratennet",
        "straight": (
            "Reistijden zijn een benadering ({label}): de afstand in vogelvlucht maal {factor}, "
            "afgelegd aan de snelheid van de verplaatsingswijze, want er is geen stratennet"
        ),
        "title": "Per gemeente",
        "header": (
            "Gemeente|Gezinnen|Bereikt (huis)|Bereikt (frequent)|Over de grens bediend|Huizen|"
            "Antennes|Kosten"
        ),
    },
    "en": {
        "network": "Travel times are computed over the street network",
        "straight": (
            "Travel times are an approximation ({label}): the straight-line distance times "
            "{factor}, covered at the mode's speed, as there is no street network"
        ),
        "title": "Per municipality",
        "header": (
            "Municipality|Families|Reached (house)|Reached (frequent)|Served across the border|"
            "Houses|Antennes|Cost"
        ),
    },
}


def travel_method(method: str, summary: Mapping[str, Any], language: Language) -> str:
    """Return the method paragraph with its travel sentence for straight-line times.

    Parameters
    ----------
    method
        The paragraph as :mod:`planner.report.note` writes it (over the street network).
    summary
        The plan's summary (its ``travel_model``, when the times are straight line).
    language
        ``nl`` or ``en``.

    Returns
    -------
    str
        The paragraph; unchanged when the plan used a street network.
    """
    model = summary.get("travel_model")
    if not isinstance(model, dict) or model.get("model") != "straight_line":
        return method
    text = _TEXT[language]
    label = str(model.get(f"label_{language}", ""))
    factor = label.rsplit(" ", 1)[-1]
    return method.replace(text["network"], text["straight"].format(label=label, factor=factor), 1)


def municipality_rows(summary: Mapping[str, Any], language: Language) -> list[tuple[str, ...]]:
    """Return one row per municipality of a region (none for one municipality).

    Parameters
    ----------
    summary
        The plan's summary (``municipalities``: see :mod:`planner.results.regions`).
    language
        ``nl`` or ``en``.

    Returns
    -------
    list of tuple of str
        Municipality, families, reached within the house and the frequent standard (with the
        share), families served across the border, houses, antennes, cost.
    """
    rows = []
    for code, row in (summary.get("municipalities") or {}).items():
        name = f"{row['name']} ({code})" if row.get("name") else str(code)
        families = float(row["families"])
        rows.append(
            (
                name,
                format_number(families, 0, language),
                *(
                    f"{format_number(float(row[key]), 0, language)} "
                    f"({format_share(row[share], 0, language)})"
                    for key, share in (
                        ("reached_house", "coverage_house"),
                        ("reached_frequent", "coverage_frequent"),
                    )
                ),
                format_number(float(row["served_across_border"]), 0, language),
                str(row["houses"]),
                str(row["antennes"]),
                format_euro(float(row["cost"]), language),
            )
        )
    return rows


def municipality_heading(language: Language) -> tuple[str, str]:
    """Return the per-municipality section's heading and its table header (``a|b|c``).

    Parameters
    ----------
    language
        ``nl`` or ``en``.

    Returns
    -------
    tuple of str
        Heading, header.
    """
    return _TEXT[language]["title"], _TEXT[language]["header"]


def municipality_html(rows: Sequence[tuple[str, ...]], language: Language) -> str:
    """Return the per-municipality section of the note as HTML (empty without rows).

    Parameters
    ----------
    rows
        :func:`municipality_rows`.
    language
        ``nl`` or ``en``.

    Returns
    -------
    str
        A heading and a table.
    """
    if not rows:
        return ""
    text = _TEXT[language]
    head = "".join(f"<th>{html.escape(cell)}</th>" for cell in text["header"].split("|"))
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return (
        f"<h2>{text['title']}</h2>\n"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>\n"
    )
