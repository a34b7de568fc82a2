"""The note's sentence that puts a plan at the common standard beside its own standards.

A scenario with stricter standards for the neediest (``standards.need_tightening``) is
measured against its own, stricter yardstick; :func:`common_sentence` gives the same plan's
figures at the standards without the tightening (``summary["common_standard"]``, from
:mod:`planner.results.yardstick`) beside them, so that the note cannot read as worse for the
neediest when the plan is in fact better for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from planner.report.assets import format_number, format_share
from planner.results.precision import supported_decimals

if TYPE_CHECKING:
    from planner.report.assets import Language

__all__ = ["common_phrase", "common_sentence"]


_COMMON = {
    "nl": (
        "Dit scenario meet met strengere normen voor de meest kwetsbare sectoren, dus met een "
        "andere maatstaf dan scenario's zonder die verstrenging. Met de gewone normen (een huis "
        "binnen {house_min} minuten, frequent aanbod binnen {frequent_min} minuten, voor elke "
        "sector) bereikt hetzelfde plan met een huis {house} van de gezinnen (met de eigen "
        "normen {house_own}) en {house_needy} van het meest kwetsbare vijfde (eigen normen "
        "{house_needy_own}); met een huis of antenne {frequent} (eigen normen {frequent_own}) "
        "en {frequent_needy} van het meest kwetsbare vijfde (eigen normen {frequent_needy_own})."
    ),
    "en": (
        "This scenario measures with stricter standards for the neediest sectors, so with "
        "another yardstick than scenarios without that tightening. At the common standards (a "
        "house within {house_min} minutes, frequent services within {frequent_min} minutes, "
        "for every sector) the same plan reaches {house} of the families with a house (at its "
        "own standards {house_own}) and {house_needy} of the neediest fifth (own standards "
        "{house_needy_own}); with a house or antenne {frequent} (own standards {frequent_own}) "
        "and {frequent_needy} of the neediest fifth (own standards {frequent_needy_own})."
    ),
}


def common_sentence(summary: Mapping[str, Any], language: Language = "nl") -> str:
    """Put a plan's figures at the common standard beside those at its own, stricter ones.

    Parameters
    ----------
    summary
        The plan's summary; its ``common_standard`` block
        (:func:`planner.results.yardstick.common_standard`) gives the figures.
    language
        ``nl`` or ``en``.

    Returns
    -------
    str
        The sentence; empty for a scenario without need tightening.
    """
    block = summary.get("common_standard")
    if not isinstance(block, Mapping):
        return ""
    common, own = block.get("coverage", {}), summary.get("coverage", {})
    shares = {}
    for key, name in _COMMON_FIGURES.items():
        decimals = supported_decimals(summary.get("precision"), name)
        shares[key] = format_share(common.get(name), decimals, language)
        shares[f"{key}_own"] = format_share(own.get(name), decimals, language)
    minutes = {key: float(value) for key, value in block.get("standards_min", {}).items()}
    return _COMMON[language].format(
        **{
            f"{key}_min": format_number(
                minutes.get(key, 0.0), 0 if minutes.get(key, 0.0).is_integer() else 1, language
            )
            for key in ("house", "frequent")
        },
        **shares,
    )


_COMMON_FIGURES = {
    "house": "house",
    "frequent": "frequent",
    "house_needy": "house_neediest_quintile",
    "frequent_needy": "frequent_neediest_quintile",
}


_PHRASE = {
    "nl": "met de gewone normen ({house_min} min voor elke sector): {house} "
    "(meest kwetsbare vijfde: {house_needy})",
    "en": "at the common standards ({house_min} min for every sector): {house} "
    "(neediest fifth: {house_needy})",
}


def common_phrase(summary: Mapping[str, Any], language: Language = "nl") -> str:
    """Return the house figures at the common standard in a few words, for a map's title.

    Parameters
    ----------
    summary
        The plan's summary.
    language
        ``nl`` or ``en``.

    Returns
    -------
    str
        ``met de gewone normen (20 min voor elke sector): 69 % (meest kwetsbare vijfde:
        90 %)``; empty for a scenario without need tightening.
    """
    block = summary.get("common_standard")
    if not isinstance(block, Mapping):
        return ""
    common = block.get("coverage", {})
    house = float(block.get("standards_min", {}).get("house", 0.0))
    return _PHRASE[language].format(
        house_min=format_number(house, 0 if house.is_integer() else 1, language),
        **{
            key: format_share(
                common.get(name), supported_decimals(summary.get("precision"), name), language
            )
            for key, name in (("house", "house"), ("house_needy", "house_neediest_quintile"))
        },
    )
