"""The council note's table of near-optimal alternatives: "even goed of bijna even goed".

Read from the ``alternatives`` block of the plan's summary (:mod:`planner.results.alternatives`),
never recomputed: one row per plan, best first, with its objective and its distance from the
best, the families within the house and frequent-services standards, its cost, the sites it
opens as houses that the best plan does not (and the best plan's houses it leaves closed; the
antennes counted, their ids are in ``alternatives.csv``), and whether it
is proven the next best ("niet bewezen optimaal" with its gap when a time limit stopped it).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from planner.report.assets import format_euro, format_number, format_share

if TYPE_CHECKING:
    from collections.abc import Mapping

    from planner.report.assets import Language
    from planner.report.note_text import NoteContent

__all__ = [
    "ALTERNATIVES_TEXT",
    "alternatives_html",
    "alternatives_intro",
    "alternatives_of",
    "alternatives_rows",
]

_MINUS = "\u2212"

ALTERNATIVES_TEXT: dict[Language, dict[str, str]] = {
    "nl": {
        "title": "Even goed of bijna even goed",
        "header": "Plan|{objective}|Gezinnen binnen de norm huis / frequent aanbod|Kosten|Anders "
        "dan het beste plan|Berekening",
        "intro": "De {found} beste plannen die elk in minstens {differ} {what} verschillen van "
        "elk beter plan, het beste eerst. Tussen haakjes het verschil met het beste plan.",
        "max": "Gewogen gezinnen bereikt, het doel (verschil met het beste)",
        "min": "Kosten, het doel (verschil met het beste)",
        "houses": "huis|huizen",
        "sites": "locatie|locaties",
        "exhausted": " Er {exist} maar {found} {such}; er werden er {requested} gevraagd.",
        "exist": "bestaat|bestaan",
        "such": "zulk plan|zulke plannen",
        "stopped": " De zoektocht stopte na {found} van de {requested} gevraagde plannen.",
        "best": "{rank} (beste)",
        "same": "dezelfde huizen",
        "house_in": "+ huis {names}",
        "house_out": "\u2212 huis {names}",
        "antennes": "antennes +{added} / {minus}{removed}",
        "proven": "bewezen het volgende beste",
        "proven_best": "bewezen optimaal",
        "not_proven": "niet bewezen optimaal",
        "gap": "niet bewezen optimaal (afstand tot de grens {gap})",
    },
    "en": {
        "title": "As good or nearly as good",
        "header": "Plan|{objective}|Families within the house / frequent-services standard|Cost|"
        "Different from the best plan|Computation",
        "intro": "The {found} best plans that each differ from every better plan in at least "
        "{differ} {what}, best first. In brackets the difference from the best plan.",
        "max": "Weighted families reached, the objective (difference from the best)",
        "min": "Cost, the objective (difference from the best)",
        "houses": "house|houses",
        "sites": "site|sites",
        "exhausted": " Only {found} {such} {exist}; {requested} were asked for.",
        "exist": "exists|exist",
        "such": "such plan|such plans",
        "stopped": " The search stopped after {found} of the {requested} plans asked for.",
        "best": "{rank} (best)",
        "same": "the same houses",
        "house_in": "+ house {names}",
        "house_out": "\u2212 house {names}",
        "antennes": "antennes +{added} / {minus}{removed}",
        "proven": "proven the next best",
        "proven_best": "proven optimal",
        "not_proven": "not proven optimal",
        "gap": "not proven optimal (gap to the bound {gap})",
    },
}
"""The table's wording per language."""


def _signed(value: float | None, decimals: int, language: Language) -> str:
    if value is None:
        return "-"
    text = format_number(abs(value), decimals, language)
    if text.strip("0,.") == "":
        return "±0"
    return f"{'+' if value > 0 else _MINUS}{text}"


def _changes(row: Mapping[str, Any], names: Mapping[str, str], language: Language) -> str:
    """Name the houses that differ; count the antennes (their ids are in alternatives.csv)."""
    text = ALTERNATIVES_TEXT[language]
    parts = []
    for what, key in (("added", "in"), ("removed", "out")):
        ids = row[f"houses_{what}"]
        if ids:
            listed = ", ".join(names.get(site, site) for site in ids)
            parts.append(text[f"house_{key}"].format(names=listed))
    if not parts:
        parts.append(text["same"])
    added, removed = len(row["antennes_added"]), len(row["antennes_removed"])
    if added or removed:
        parts.append(text["antennes"].format(added=added, removed=removed, minus=_MINUS))
    return "; ".join(parts)


def _computation(row: Mapping[str, Any], language: Language) -> str:
    text = ALTERNATIVES_TEXT[language]
    if row["proven_next_best"]:
        return text["proven_best"] if row["rank"] == 1 else text["proven"]
    if row["gap"] is None:
        return text["not_proven"]
    return text["gap"].format(gap=format_share(row["gap"], 2, language))


def alternatives_rows(summary: Mapping[str, Any], language: Language) -> list[tuple[str, ...]]:
    """Return the table's rows from the summary's ``alternatives`` block (none without one).

    Parameters
    ----------
    summary
        The plan's summary.
    language
        ``nl`` or ``en``.

    Returns
    -------
    list of tuple of str
        One row per plan, in the order of :data:`ALTERNATIVES_TEXT`'s ``header``.
    """
    block = summary.get("alternatives")
    if not block:
        return []
    text = ALTERNATIVES_TEXT[language]
    names = block.get("site_names", {})
    rows: list[tuple[str, ...]] = []
    for row in block["plans"]:
        rank = str(row["rank"])
        pct = row["objective_vs_best_pct"]
        objective = format_number(row["objective"], 0, language)
        if row["rank"] > 1:
            objective += f" ({_signed(pct, 2, language)} %)" if pct is not None else ""
        families = []
        for role in ("house", "frequent"):
            shown = format_number(row[f"families_{role}"] or 0.0, 0, language)
            if row["rank"] > 1:
                shown += f" ({_signed(row[f'families_{role}_vs_best'], 0, language)})"
            families.append(shown)
        cost = format_euro(row["cost"], language)
        if row["rank"] > 1:
            cost += f" ({_signed(row['cost_vs_best'], 0, language)})"
        rows.append(
            (
                text["best"].format(rank=rank) if row["rank"] == 1 else rank,
                objective,
                " / ".join(families),
                cost,
                "" if row["rank"] == 1 else _changes(row, names, language),
                _computation(row, language),
            )
        )
    return rows


def alternatives_intro(summary: Mapping[str, Any], language: Language) -> str:
    """Return the sentence above the table (empty without alternatives).

    Parameters
    ----------
    summary
        The plan's summary.
    language
        ``nl`` or ``en``.

    Returns
    -------
    str
        What the plans are, and whether fewer than asked exist.
    """
    block = summary.get("alternatives")
    if not block:
        return ""
    text = ALTERNATIVES_TEXT[language]
    one, many = text[block["differ_in"]].split("|")
    values: dict[str, object] = {
        "found": block["found"],
        "requested": block["requested"],
        "differ": block["differ"],
        "what": one if block["differ"] == 1 else many,
    }
    sentence = text["intro"].format(**values)
    if block["exhausted"]:
        plural = int(block["found"] != 1)
        values["exist"] = text["exist"].split("|")[plural]
        values["such"] = text["such"].split("|")[plural]
        sentence += text["exhausted"].format(**values)
    elif block["stopped"]:
        sentence += text["stopped"].format(**values)
    return sentence


def alternatives_html(content: NoteContent) -> str:
    """Return the note's section of alternatives as HTML (empty without alternatives).

    Parameters
    ----------
    content
        The note's content (``alternatives``, ``alternatives_intro``,
        ``alternatives_header``).

    Returns
    -------
    str
        A heading, the sentence and the table.
    """
    if not content.alternatives:
        return ""
    text = ALTERNATIVES_TEXT[content.language]
    cells = content.alternatives_header.split("|")
    head = "".join(f"<th>{html.escape(cell)}</th>" for cell in cells)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>"
        for row in content.alternatives
    )
    return (
        f"<h2>{html.escape(text['title'])}</h2>\n<p>{html.escape(content.alternatives_intro)}</p>\n"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>\n"
    )


def alternatives_of(summary: Mapping[str, Any], language: Language) -> dict[str, Any]:
    """Return the note's ``alternatives`` rows and ``alternatives_intro``, by those names.

    Parameters
    ----------
    summary
        The plan's summary.
    language
        ``nl`` or ``en``.

    Returns
    -------
    dict
        ``alternatives`` (:func:`alternatives_rows`), ``alternatives_intro``
        (:func:`alternatives_intro`) and ``alternatives_header`` (the column names, joined
        with ``|``), for :class:`~planner.report.note_text.NoteContent`.
    """
    block = summary.get("alternatives") or {}
    text = ALTERNATIVES_TEXT[language]
    objective = text["min" if block.get("objective_sense") == "min" else "max"]
    return {
        "alternatives": alternatives_rows(summary, language),
        "alternatives_intro": alternatives_intro(summary, language),
        "alternatives_header": text["header"].format(objective=objective),
    }
