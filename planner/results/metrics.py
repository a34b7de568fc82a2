r"""Metrics of a plan, counted in people (families of the target group), never in points.

Every share is a share of the target population :math:`\sum_i T_i`; every travel-time
statistic is weighted by :math:`T_i`. A family with no route to any open site has an infinite
travel time: it is left out of the mean, the percentiles and the maximum (which describe the
families that *can* reach a site) and counted in ``unreachable_share`` beside them, so one
unreachable sector never blanks the figures (the equity block works the same way).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = [
    "count",
    "coverage_by_mode",
    "coverage_share",
    "families",
    "nearest_open",
    "rounded",
    "served_share",
    "travel_time_stats",
    "weighted_quantile",
]


def nearest_open(
    d: NDArray[np.float64], open_sites: NDArray[np.bool_]
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Travel time to, and index of, the nearest open site for every sector.

    Ties go to the lowest site index (sites are sorted by id), so the result is deterministic.

    Parameters
    ----------
    d
        ``(n_sectors, n_sites)`` travel times in minutes, ``inf`` when unreachable.
    open_sites
        ``(n_sites,)`` True where a site is open in the role considered.

    Returns
    -------
    minutes : numpy.ndarray
        Time to the nearest open site, ``inf`` when none is reachable.
    index : numpy.ndarray
        Index of that site, ``-1`` when none is reachable.
    """
    n_sectors = d.shape[0]
    if not open_sites.any():
        return np.full(n_sectors, np.inf), np.full(n_sectors, -1, dtype=np.int64)
    masked = np.where(open_sites[np.newaxis, :], d, np.inf)
    index = np.argmin(masked, axis=1).astype(np.int64)
    minutes = masked[np.arange(n_sectors), index]
    index[~np.isfinite(minutes)] = -1
    return minutes, index


def weighted_quantile(values: NDArray[np.float64], weights: NDArray[np.float64], q: float) -> float:
    """Return the smallest value at which the cumulative weight reaches ``q`` of the total.

    Parameters
    ----------
    values
        Values, possibly ``inf``.
    weights
        Non-negative weights (families per sector).
    q
        Quantile in [0, 1].

    Returns
    -------
    float
        The weighted quantile (``nan`` when the total weight is zero).
    """
    total = float(np.sum(weights))
    if total <= 0:
        return math.nan
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    position = int(np.searchsorted(cumulative, q * total - 1e-9 * total, side="left"))
    return float(values[order][min(position, len(values) - 1)])


def rounded(value: float | None, digits: int = 6) -> float | None:
    """Round a figure for the summary; ``None`` when there is none or it is not finite.

    Parameters
    ----------
    value
        The figure, or None.
    digits
        Digits after the decimal point.

    Returns
    -------
    float or None
        The rounded figure, or None.
    """
    return None if value is None or not math.isfinite(value) else round(value, digits)


def travel_time_stats(
    minutes: NDArray[np.float64], weights: NDArray[np.float64]
) -> dict[str, float | None]:
    """Population-weighted mean, median, 90th percentile and maximum of travel times.

    Parameters
    ----------
    minutes
        Travel time per sector, ``inf`` when unreachable.
    weights
        Families per sector.

    Returns
    -------
    dict
        ``mean``, ``p50``, ``p90``, ``max`` over the families that reach a site (``None`` when
        none does) and ``unreachable_share``, the share of families with no route at all.
    """
    total = float(np.sum(weights))
    if total <= 0:
        return {"mean": None, "p50": None, "p90": None, "max": None, "unreachable_share": None}
    reachable = np.isfinite(minutes)
    unreachable_share = float(np.sum(weights[~reachable]) / total)
    values, counted = minutes[reachable], weights[reachable]
    reached = float(np.sum(counted))
    if reached <= 0:  # nobody reaches an open site
        return {
            "mean": None,
            "p50": None,
            "p90": None,
            "max": None,
            "unreachable_share": round(unreachable_share, 6),
        }
    present = counted > 0
    return {
        "mean": rounded(float(np.sum(values * counted) / reached), 3),
        "p50": rounded(weighted_quantile(values, counted, 0.5), 3),
        "p90": rounded(weighted_quantile(values, counted, 0.9), 3),
        "max": rounded(float(np.max(values[present])) if present.any() else math.nan, 3),
        "unreachable_share": round(unreachable_share, 6),
    }


def coverage_share(
    covered: NDArray[np.bool_], target: NDArray[np.float64], mask: NDArray[np.bool_] | None = None
) -> float | None:
    """Share of the target population that is covered, optionally within a group of sectors.

    Parameters
    ----------
    covered
        True per covered sector.
    target
        Families per sector.
    mask
        Restrict to these sectors (e.g. the neediest quintile).

    Returns
    -------
    float or None
        Covered families over all families of the group; ``None`` for an empty group.
    """
    return served_share(np.asarray(covered, dtype=float), target, mask)


def coverage_by_mode(
    mode: NDArray[np.int64],
    modes: tuple[str, ...],
    target: NDArray[np.float64],
    covered_house: NDArray[np.bool_],
    covered_frequent: NDArray[np.bool_],
    served: NDArray[np.float64] | None = None,
) -> dict[str, dict[str, float | None]]:
    """Families and coverage shares of the rows of each mode (rows split by mode).

    Parameters
    ----------
    mode
        ``(n_rows,)`` index into ``modes`` of each row's mode.
    modes
        The mode names.
    target
        Families per row (the mode's share of them).
    covered_house, covered_frequent
        Whether the row's mode reaches an open house / house or antenne within its standard.
    served
        With capacities: the share of the row served by a house within reach.

    Returns
    -------
    dict
        Per mode ``families`` (using the mode), ``house`` and ``frequent`` (shares of them).
    """
    out: dict[str, dict[str, float | None]] = {}
    for k, name in enumerate(modes):  # a few modes
        mask = mode == k
        house = (
            coverage_share(covered_house, target, mask)
            if served is None
            else served_share(served, target, mask)
        )
        out[name] = {
            "families": round(float(target[mask].sum()), 2),
            "house": house,
            "frequent": coverage_share(covered_frequent, target, mask),
        }
    return out


def served_share(
    served: NDArray[np.float64], target: NDArray[np.float64], mask: NDArray[np.bool_] | None = None
) -> float | None:
    """Share of the target population served, from a served share per sector in [0, 1].

    Parameters
    ----------
    served
        Share of each sector's families served (1 or 0 without capacities).
    target
        Families per sector.
    mask
        Restrict to these sectors (e.g. the neediest quintile).

    Returns
    -------
    float or None
        Served families over all families of the group; ``None`` for an empty group.
    """
    if mask is not None:
        served, target = served[mask], target[mask]
    total = float(np.sum(target))
    return round(float(target @ served) / total, 6) if total > 0 else None


def families(value: float) -> str:
    """Write a number of families the same way in every message and note.

    One decimal under 10 (target groups are estimates: ``4.5 families``), whole numbers with
    thousands separators from 10 on (``1,234 families``).

    Parameters
    ----------
    value
        Families (possibly fractional).

    Returns
    -------
    str
        E.g. ``"4.5 families"``, ``"1 family"``, ``"1,234 families"``.
    """
    number = f"{value:,.1f}" if abs(value) < 10 else f"{value:,.0f}"
    number = number.removesuffix(".0") if abs(value) < 10 else number
    return f"{number} {'family' if number == '1' else 'families'}"


def count(n: int, singular: str, plural: str | None = None) -> str:
    """Return ``"1 house"`` or ``"3 houses"``.

    Parameters
    ----------
    n
        How many.
    singular
        The word for one.
    plural
        The word for several (default: ``singular + "s"``).

    Returns
    -------
    str
        The count and the word in the right number.
    """
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"
