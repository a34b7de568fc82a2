"""The council note's sentence on precision: how far the headline shares move.

Under speeds ±10 % and standards ±1 minute (:mod:`planner.results.precision`), the note states
once the range of each headline share, rounded as the data supports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from planner.report.assets import format_share
from planner.report.note_text import TEXT
from planner.results.precision import HEADLINE, figure_range, supported_decimals

if TYPE_CHECKING:
    from collections.abc import Mapping

    from planner.report.assets import Language

__all__ = ["precision_sentence"]


def precision_sentence(summary: Mapping[str, Any], language: Language = "nl") -> str:
    """State once how far the coverage figures move under speeds ±10 % and standards ±1 min.

    Parameters
    ----------
    summary
        The plan's summary; its ``precision`` block gives the ranges.
    language
        ``nl`` or ``en``.

    Returns
    -------
    str
        E.g. "Als verplaatsingen 10 % sneller of trager gaan ..., ligt het aandeel gezinnen met
        een huis binnen de norm tussen 64 % en 71 % ..."; empty without a ``precision`` block.
    """
    text = TEXT[language]
    precision = summary.get("precision")
    spans: dict[str, str] = {}
    for name in HEADLINE:
        spread = figure_range(precision, name)
        if spread is None:
            return ""
        decimals = supported_decimals(precision, name)
        low, high = (format_share(value, decimals, language) for value in spread)
        spans[name] = (
            text["precision_at"].format(value=low)
            if low == high
            else text["precision_between"].format(low=low, high=high)
        )
    sentence = text["precision"].format(
        house=spans["house"],
        frequent=spans["frequent"],
        house_needy=spans["house_neediest_quintile"],
        frequent_needy=spans["frequent_neediest_quintile"],
    )
    if isinstance(precision, dict) and precision.get("assignment_fixed"):
        sentence += text["precision_fixed"]
    if any(supported_decimals(precision, name) == 0 for name in HEADLINE):
        sentence += text["precision_rounded"]
    return sentence
