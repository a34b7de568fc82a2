"""Which travel model a scenario uses, and how outputs name the straight-line approximation.

:func:`uses_straight_line` says whether travel is straight line x circuity (chosen with
``travel.model: straight_line``, or no ``data.network``), :func:`circuity_of` gives a mode's
factor and :func:`straight_line_label` the wording every output uses: "hemelsbreed x 1,3"
("straight line x 1.3", with a multiplication sign). :func:`travel_model_note` is the note a
plan's summary carries. The times themselves are :mod:`planner.travel.straight`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from planner.scenario.spec import Scenario, TravelSpec

__all__ = [
    "DEFAULT_CIRCUITY",
    "circuity_of",
    "straight_line_label",
    "travel_model_note",
    "uses_straight_line",
]

_TIMES = "\N{MULTIPLICATION SIGN}"

DEFAULT_CIRCUITY = 1.3
"""Street distance per straight-line metre when no other factor is stated."""

_MODE_WORDS = {"walk": "walking", "bike": "cycling", "car": "driving"}


def uses_straight_line(scenario: Scenario) -> bool:
    """Whether a scenario travels in straight lines: chosen, or no ``data.network`` given.

    Parameters
    ----------
    scenario
        The scenario.

    Returns
    -------
    bool
        True for ``travel.model: straight_line`` or a null ``data.network``.
    """
    return scenario.travel.model == "straight_line" or scenario.data.network is None


def circuity_of(travel: TravelSpec, mode: str | None = None) -> float:
    """Return the circuity factor of ``mode`` (default ``travel.mode``; unlisted modes 1.3).

    Parameters
    ----------
    travel
        The scenario's travel section (``circuity``: one factor or one per mode).
    mode
        The mode.

    Returns
    -------
    float
        The factor.
    """
    mode = mode or travel.mode
    if isinstance(travel.circuity, dict):
        return float(travel.circuity.get(mode, DEFAULT_CIRCUITY))  # type: ignore[call-overload]
    return float(travel.circuity)


def straight_line_label(circuity: float, lang: str = "nl") -> str:
    """Return how outputs name the model: "hemelsbreed x 1,3" / "straight line x 1.3".

    The x is a multiplication sign in the label.

    Parameters
    ----------
    circuity
        The factor.
    lang
        ``"nl"`` (decimal comma) or ``"en"``.

    Returns
    -------
    str
        The label.
    """
    if lang == "nl":
        return f"hemelsbreed {_TIMES} {f'{circuity:g}'.replace('.', ',')}"
    return f"straight line {_TIMES} {circuity:g}"


def travel_model_note(scenario: Scenario) -> str | None:
    """Return the summary note of a straight-line plan, or None when a network is used.

    Parameters
    ----------
    scenario
        The scenario.

    Returns
    -------
    str or None
        E.g. "travel times are an approximation: straight line x 1.3 at 4.5 km/h walking, no
        street network (...)", with a multiplication sign.
    """
    if not uses_straight_line(scenario):
        return None
    travel = scenario.travel
    modes = list(travel.modes) or [travel.mode]
    how = ", ".join(
        f"{straight_line_label(circuity_of(travel, mode), 'en')} at "
        f"{travel.speeds_kmh[mode]:g} km/h {_MODE_WORDS.get(mode, mode)}"
        for mode in modes
    )
    why = "travel.model straight_line" if scenario.data.network is not None else "no network file"
    return (
        f"travel times are an approximation: {how}, no street network ({why}); routes "
        "around rivers, railways and motorways can be longer: give a network file "
        "(data.network) for street times"
    )
