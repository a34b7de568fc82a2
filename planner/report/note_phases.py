"""What the council note says about a phased rollout: "jaar per jaar" and the order of opening.

Kept apart from :mod:`planner.report.note` so that the note changes by a few calls:
:func:`phase_table` gives the header and rows of the table per year (``summary["phases"]``),
:func:`opening_order` the sentence naming what opens in which year, and :func:`phase_html`
lays both out.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from planner.report.assets import format_euro, format_share

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import pandas as pd

    from planner.report.assets import Language

__all__ = ["PHASE_TEXT", "opening_order", "phase_html", "phase_table"]

PHASE_TEXT = {
    "nl": {
        "title": "Jaar per jaar",
        "header": (
            "Jaar|Budget|Uitgegeven|Nieuwe huizen|Nieuwe antennes|Huizen|Antennes|"
            "Bereikt (huis)|Bereikt (frequent)|Kwetsbaarste vijfde (huis / frequent)"
        ),
        "order": "Volgorde van opening: {steps}.",
        "step": "{year}: {sites}",
        "nothing": "niets nieuw",
        "house": "huis {name}",
        "antenne": "antenne {name}",
        "carry": (
            "Wat een jaar niet uitgeeft, schuift door naar de volgende jaren. "
            "Een geopende locatie blijft open."
        ),
        "no_carry": (
            "Elk jaar heeft zijn eigen budget; wat het niet uitgeeft, schuift niet door. "
            "Een geopende locatie blijft open."
        ),
    },
    "en": {
        "title": "Year by year",
        "header": (
            "Year|Budget|Spent|New houses|New antennes|Houses|Antennes|Reached (house)|"
            "Reached (frequent)|Neediest fifth (house / frequent)"
        ),
        "order": "Order of opening: {steps}.",
        "step": "{year}: {sites}",
        "nothing": "nothing new",
        "house": "house {name}",
        "antenne": "antenne {name}",
        "carry": (
            "What a year leaves unspent carries over to the next years. A site opened stays open."
        ),
        "no_carry": (
            "Each year has its own budget; what it leaves unspent does not carry over. A site "
            "opened stays open."
        ),
    },
}


def phase_table(summary: Mapping[str, Any], language: Language) -> list[tuple[str, ...]]:
    """Return one row per phase: budget, spend, sites opened and open, coverage shares.

    Parameters
    ----------
    summary
        The plan's summary.
    language
        ``nl`` or ``en``.

    Returns
    -------
    list of tuple of str
        Formatted rows (empty without phases), in the order of :data:`PHASE_TEXT` headers.
    """
    block = summary.get("phases") or {}
    rows: list[tuple[str, ...]] = []
    for year, phase in (block.get("by_year") or {}).items():
        share = phase["coverage"]
        rows.append(
            (
                str(year),
                format_euro(float(phase["budget"]), language),
                format_euro(float(phase["spend"]), language),
                str(phase["houses_opened"]),
                str(phase["antennes_opened"]),
                str(phase["houses"]),
                str(phase["antennes"]),
                format_share(share.get("house"), 0, language),
                format_share(share.get("frequent"), 0, language),
                (
                    f"{format_share(share.get('house_neediest_quintile'), 0, language)} / "
                    f"{format_share(share.get('frequent_neediest_quintile'), 0, language)}"
                ),
            )
        )
    return rows


def opening_order(summary: Mapping[str, Any], sites: pd.DataFrame, language: Language) -> str:
    """Return the sentences naming what opens in which year, and how the budgets work.

    Parameters
    ----------
    summary
        The plan's summary.
    sites
        The plan's sites (``site_id``, ``name``).
    language
        ``nl`` or ``en``.

    Returns
    -------
    str
        Empty without phases.
    """
    block = summary.get("phases") or {}
    if not block:
        return ""
    text = PHASE_TEXT[language]
    ids = [str(value) for value in sites["site_id"]]
    names = dict(zip(ids, (str(value) for value in sites["name"]), strict=True))
    steps = []
    for year, phase in block["by_year"].items():
        opened = [text["house"].format(name=names.get(i, i)) for i in phase["opened_houses"]]
        opened += [text["antenne"].format(name=names.get(i, i)) for i in phase["opened_antennes"]]
        steps.append(text["step"].format(year=year, sites=", ".join(opened) or text["nothing"]))
    rule = text["carry"] if block.get("carry_over") else text["no_carry"]
    return f"{text['order'].format(steps='; '.join(steps))} {rule}"


def phase_html(rows: Sequence[tuple[str, ...]], order: str, language: Language) -> str:
    """Lay out the table per year and the order of opening as HTML (empty without phases).

    Parameters
    ----------
    rows
        :func:`phase_table`'s rows.
    order
        :func:`opening_order`'s sentences.
    language
        ``nl`` or ``en``.

    Returns
    -------
    str
        An ``<h2>``, the table and a paragraph.
    """
    if not rows:
        return ""
    text = PHASE_TEXT[language]
    head = "".join(f"<th>{html.escape(cell)}</th>" for cell in text["header"].split("|"))
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return (
        f"<h2>{text['title']}</h2>\n<table><thead><tr>{head}</tr></thead><tbody>{body}"
        f"</tbody></table>\n<p>{html.escape(order)}</p>\n"
    )
