r"""How far the headline coverage figures move under small changes of the assumptions.

A coverage share rests on conventions: the mode's speed and the standards in minutes. A
defensible change of either moves a share by several percentage points, so a share printed to
0.1 % claims more than it can hold. This module re-evaluates the **same plan** (the same open
houses and antennes, the same antenne links, the same house per row and, with capacities, the
same assignment of families to houses; nothing is re-optimised) under every combination of

- **speeds** :math:`\times s`, :math:`s \in \{0.9, 1, 1.1\}`: every leg of a trip (street
  edges, access and egress) is a distance over the mode's speed, so a travel time :math:`t`
  becomes exactly :math:`t / s`, with no network rebuilt; the nearest open site stays the
  nearest;
- **standards** :math:`+\delta`, :math:`\delta \in \{-1, 0, +1\}` minutes: every row's
  standards :math:`R_H(i)` and :math:`R_A(i)` (after need tightening) shifted by
  :math:`\delta`, never below 0;

nine evaluations in all, the plan as it is among them. In evaluation :math:`(s, \delta)` row
:math:`i` has a house when :math:`t^H_i / s \le R_H(i) + \delta` and frequent services when
:math:`t^A_i / s \le R_A(i) + \delta`. With capacities the house term is the row's served share
:math:`\sigma_i` when its (main) house is still within the shifted standard and 0 otherwise:
families assigned to a house stay there and no family is added to a house (capacities are
full or the model chose not to send them), so with capacities the house figures can only
fall. A share over a group :math:`G` is :math:`\sum_{i \in G} T_i u_i / \sum_{i \in G} T_i`,
computed by the same functions as the summary's figures.

Rows are demand rows: one per sector today, possibly several points per sector each with its
share of the families later; nothing here depends on which.

**Rounding rule** (:func:`supported_decimals`): a figure whose range is wider than one
percentage point is shown in whole percent, otherwise to 0.1 %.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import numpy as np

from planner.results.metrics import coverage_share, served_share

if TYPE_CHECKING:
    from collections.abc import Mapping

    from numpy.typing import NDArray

__all__ = [
    "ASSUMPTIONS",
    "HEADLINE",
    "SPEED_FACTORS",
    "STANDARD_SHIFTS_MIN",
    "coverage_precision",
    "evaluate_variants",
    "figure_range",
    "supported_decimals",
]

SPEED_FACTORS: Final[tuple[float, ...]] = (0.9, 1.0, 1.1)
"""Speeds times these factors: travel times divided by them."""

STANDARD_SHIFTS_MIN: Final[tuple[float, ...]] = (-1.0, 0.0, 1.0)
"""Minutes added to every standard (house and frequent, per row after need tightening)."""

ASSUMPTIONS: Final[str] = "speeds ±10 %, standards ±1 min, alone and together"
"""The variants in words, as written in ``summary.json``."""

HEADLINE: Final[tuple[str, ...]] = (
    "house",
    "frequent",
    "house_neediest_quintile",
    "frequent_neediest_quintile",
)
"""The headline figures of ``summary["coverage"]`` that get a range."""

_POINT: Final[float] = 0.01
"""One percentage point, as a share."""


def evaluate_variants(
    tt_house: NDArray[np.float64],
    tt_frequent: NDArray[np.float64],
    radius_house: NDArray[np.float64],
    radius_frequent: NDArray[np.float64],
    served: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    r"""Evaluate a fixed plan under every speed factor and shift of the standards.

    Parameters
    ----------
    tt_house
        ``(n,)`` minutes from each demand row to its house (the nearest open one, or the one
        it is assigned to), ``inf`` when unreachable.
    tt_frequent
        ``(n,)`` minutes to the nearest open house or antenne.
    radius_house, radius_frequent
        ``(n,)`` standards per row in minutes, :math:`R_H(i)` and :math:`R_A(i)`.
    served
        ``(n,)`` share of each row's families served at its house within :math:`R_H` (with
        capacities); None when coverage is all or nothing.

    Returns
    -------
    house : numpy.ndarray
        ``(9, n)``: per variant (speed factors outer, shifts inner, the order of
        :data:`SPEED_FACTORS` and :data:`STANDARD_SHIFTS_MIN`) and row, the share of the
        row's families with a house within the standard.
    frequent : numpy.ndarray
        ``(9, n)``: True where the row has a house or antenne within the standard.
    """
    speed = np.repeat(np.asarray(SPEED_FACTORS), len(STANDARD_SHIFTS_MIN))[:, np.newaxis]
    shift = np.tile(np.asarray(STANDARD_SHIFTS_MIN), len(SPEED_FACTORS))[:, np.newaxis]
    house_standard = np.maximum(np.asarray(radius_house, float)[np.newaxis, :] + shift, 0.0)
    frequent_standard = np.maximum(np.asarray(radius_frequent, float)[np.newaxis, :] + shift, 0.0)
    within_house = np.asarray(tt_house, float)[np.newaxis, :] / speed <= house_standard
    frequent = np.asarray(tt_frequent, float)[np.newaxis, :] / speed <= frequent_standard
    if served is None:
        return within_house.astype(float), frequent
    return within_house * np.asarray(served, float)[np.newaxis, :], frequent


def _extremes(values: list[float | None]) -> dict[str, float | None]:
    present = [value for value in values if value is not None]
    if not present:
        return {"low": None, "high": None}
    return {"low": min(present), "high": max(present)}


def coverage_precision(
    *,
    tt_house: NDArray[np.float64],
    tt_frequent: NDArray[np.float64],
    radius_house: NDArray[np.float64],
    radius_frequent: NDArray[np.float64],
    families: NDArray[np.float64],
    neediest: NDArray[np.bool_],
    served: NDArray[np.float64] | None = None,
) -> dict[str, Any]:
    """Return the range of each headline coverage figure, for ``summary.json``.

    Parameters
    ----------
    tt_house, tt_frequent, radius_house, radius_frequent, served
        Per demand row, as in :func:`evaluate_variants`.
    families
        ``(n,)`` families :math:`T_i` per row.
    neediest
        ``(n,)`` True for the rows of the neediest fifth.

    Returns
    -------
    dict
        ``house``, ``frequent``, ``house_neediest_quintile``, ``frequent_neediest_quintile``:
        each ``{"low": ..., "high": ...}``, the extremes over the nine evaluations (shares in
        [0, 1], ``None`` for an empty group); ``assumptions`` (the variants in words),
        ``variants`` (how many, the plan itself included) and ``assignment_fixed`` (True with
        capacities: the house figures hold the assignment of families to houses fixed).
    """
    target = np.asarray(families, dtype=float)
    mask = np.asarray(neediest, dtype=bool)
    house, frequent = evaluate_variants(
        tt_house, tt_frequent, radius_house, radius_frequent, served
    )
    figures: dict[str, list[float | None]] = {name: [] for name in HEADLINE}
    for house_v, frequent_v in zip(house, frequent, strict=True):  # nine variants, not rows
        figures["house"].append(served_share(house_v, target))
        figures["frequent"].append(coverage_share(frequent_v, target))
        figures["house_neediest_quintile"].append(served_share(house_v, target, mask))
        figures["frequent_neediest_quintile"].append(coverage_share(frequent_v, target, mask))
    block: dict[str, Any] = {name: _extremes(values) for name, values in figures.items()}
    block["assumptions"] = ASSUMPTIONS
    block["variants"] = int(house.shape[0])
    block["assignment_fixed"] = served is not None
    return block


def supported_decimals(precision: Mapping[str, Any] | None, name: str) -> int:
    """Return the decimals a headline share may be shown with: 0 or 1.

    A figure whose range (``summary["precision"][name]``) is wider than one percentage point
    is shown in whole percent (0 decimals); a narrower range, or none known, keeps 0.1 %.

    Parameters
    ----------
    precision
        The summary's ``precision`` block, or None (a summary written before it existed).
    name
        The figure, one of :data:`HEADLINE`.

    Returns
    -------
    int
        0 or 1.
    """
    spread = figure_range(precision, name)
    if spread is None:
        return 1
    low, high = spread
    return 0 if high - low > _POINT + 1e-9 else 1


def figure_range(precision: Mapping[str, Any] | None, name: str) -> tuple[float, float] | None:
    """Return ``(low, high)`` of a headline figure, or None when the summary has no range.

    Parameters
    ----------
    precision
        The summary's ``precision`` block, or None.
    name
        The figure, one of :data:`HEADLINE`.

    Returns
    -------
    tuple of float or None
        The lowest and highest share over the variants.
    """
    entry = (precision or {}).get(name)
    if not isinstance(entry, dict):
        return None
    low, high = entry.get("low"), entry.get("high")
    if not isinstance(low, int | float) or not isinstance(high, int | float):
        return None
    return float(low), float(high)
