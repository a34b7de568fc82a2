"""What the council note says about the vindplaatsen: co-location of houses and antennes.

Kept apart from :mod:`planner.report.note` so that the note changes by one call:
:func:`colocation_sentence` turns the summary's ``colocation`` block into a few sentences:
how many houses and antennes share their place with a school, childcare, a consultatiebureau or
the Lokaal Loket Kinderopvang, the share of houses without a consultatiebureau beside the
survey's 19.4 %, the co-location rules and the value the choice gave co-location.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from planner.report.assets import format_number, format_share

if TYPE_CHECKING:
    from collections.abc import Mapping

    from planner.report.assets import Language

__all__ = ["colocation_sentence"]

_TYPES = {
    "nl": {
        "school": "een school",
        "childcare": "kinderopvang",
        "consultatiebureau": "een consultatiebureau",
        "lokaal_loket": "het Lokaal Loket Kinderopvang",
    },
    "en": {
        "school": "a school",
        "childcare": "childcare",
        "consultatiebureau": "a consultatiebureau",
        "lokaal_loket": "the Lokaal Loket Kinderopvang",
    },
}

_TEXT = {
    "nl": {
        "role": "van de {total} {what}: {parts}",
        "part": "{count} ({share}) bij {kind}",
        "houses": "huizen",
        "antennes": "antennes",
        "lead": "Vindplaatsen: {roles}.",
        "without": (
            "{share} van de huizen heeft geen consultatiebureau op de locatie (bevraging van "
            "de Huizen van het Kind: {survey})."
        ),
        "absent": (
            "Geen enkele locatie in de gegevens ligt bij {kinds}: daarover zegt dit plan dus "
            "niets (geef die diensten op als vindplaatsen)."
        ),
        "antennes_at": "Nieuwe antennes komen alleen op vindplaatsen ({kinds}).",
        "cb_min": "binnen {value} minuten",
        "cb_m": "binnen {value} m",
        "house_cb": "Nieuwe huizen alleen met een consultatiebureau op de locatie of {near}.",
        "value": (
            "De keuze telt een huis op een vindplaats mee alsof het {worth} gezinnen meer "
            "bereikt (een antenne: het deel voor het frequente aanbod); in dit plan samen "
            "{value} gewogen gezinnen."
        ),
        "worth": "{count} bij {kind}",
        "none": (
            "Over vindplaatsen (school, kinderopvang, consultatiebureau, Lokaal Loket) zeggen "
            "de gegevens niets."
        ),
        "and": " en ",
        "or": " of ",
    },
    "en": {
        "role": "of the {total} {what}: {parts}",
        "part": "{count} ({share}) with {kind}",
        "houses": "houses",
        "antennes": "antennes",
        "lead": "Vindplaatsen: {roles}.",
        "without": (
            "{share} of the houses have no consultatiebureau on site (survey of the Huizen van "
            "het Kind: {survey})."
        ),
        "absent": (
            "No site in the data lies at {kinds}: this plan therefore says nothing about them "
            "(give those services as vindplaatsen)."
        ),
        "antennes_at": "New antennes go only to vindplaatsen ({kinds}).",
        "cb_min": "within {value} minutes",
        "cb_m": "within {value} m",
        "house_cb": "New houses only with a consultatiebureau on site or {near}.",
        "value": (
            "The choice counts a house at a vindplaats as if it reached {worth} more families "
            "(an antenne: the share of the frequent services); in this plan {value} weighted "
            "families in all."
        ),
        "worth": "{count} with {kind}",
        "none": (
            "The data say nothing about vindplaatsen (school, childcare, consultatiebureau, "
            "Lokaal Loket)."
        ),
        "and": " and ",
        "or": " or ",
    },
}


def colocation_sentence(summary: Mapping[str, Any], language: Language = "nl") -> str:
    """State the plan's co-location with the vindplaatsen in a few sentences.

    Parameters
    ----------
    summary
        The plan's summary; its ``colocation`` block gives the figures.
    language
        ``nl`` or ``en``.

    Returns
    -------
    str
        The sentences; empty without a ``colocation`` block.
    """
    block = summary.get("colocation")
    if not isinstance(block, dict):
        return ""
    text, kinds = _TEXT[language], _TYPES[language]
    flagged = block.get("sites_flagged")
    known = [
        kind
        for kind in block.get("known_types") or []
        if not isinstance(flagged, dict) or flagged.get(kind, 1) > 0
    ]
    absent = [kind for kind in block.get("known_types") or [] if kind not in known]
    sentences = []
    if not known and not absent:
        sentences.append(text["none"])
    else:
        roles = []
        for what in ("houses", "antennes"):
            figures = block.get(what) or {}
            total = int(figures.get("total") or 0)
            if not total or not known:
                continue
            parts = [
                text["part"].format(
                    count=figures[kind]["count"],
                    share=format_share(figures[kind]["share"], 0, language),
                    kind=kinds[kind],
                )
                for kind in known
            ]
            roles.append(text["role"].format(total=total, what=text[what], parts=", ".join(parts)))
        if roles:
            sentences.append(text["lead"].format(roles="; ".join(roles)))
        if (
            "consultatiebureau" in known
            and block.get("houses_without_consultatiebureau") is not None
        ):
            sentences.append(
                text["without"].format(
                    share=format_share(block["houses_without_consultatiebureau"], 0, language),
                    survey=format_share(
                        block["survey_houses_without_consultatiebureau"], 1, language
                    ),
                )
            )
    if absent:
        sentences.append(text["absent"].format(kinds=text["or"].join(kinds[k] for k in absent)))
    sentences += _rules(block, language)
    return " ".join(sentences)


def _rules(block: Mapping[str, Any], language: Language) -> list[str]:
    """Return the sentences on the co-location rules and value."""
    text, kinds = _TEXT[language], _TYPES[language]
    out = []
    if block.get("antennes_at"):
        named = text["or"].join(kinds[kind] for kind in block["antennes_at"])
        out.append(text["antennes_at"].format(kinds=named))
    near = []
    if block.get("house_consultatiebureau_min") is not None:
        value = format_number(float(block["house_consultatiebureau_min"]), 0, language)
        near.append(text["cb_min"].format(value=value))
    if block.get("house_consultatiebureau_m") is not None:
        value = format_number(float(block["house_consultatiebureau_m"]), 0, language)
        near.append(text["cb_m"].format(value=value))
    if near:
        out.append(text["house_cb"].format(near=text["or"].join(near)))
    worth = {k: v for k, v in (block.get("value_families") or {}).items() if v}
    if worth and block.get("value") is not None:
        listed = text["and"].join(
            text["worth"].format(count=format_number(float(v), 0, language), kind=kinds[k])
            for k, v in worth.items()
        )
        value = format_number(float(block["value"]), 0, language)
        out.append(text["value"].format(worth=listed, value=value))
    return out
