r"""Equity figures of a plan: who is reached per need quintile, and how unequal travel times are.

Pure numpy on per-sector arrays; no geometry. Every figure counts families of the target group
(:math:`T_i` per sector), never sectors.

**Need quintiles.** Sectors are ranked by need index :math:`n_i`, neediest first (ties by
position), and cut into five groups of about a fifth of the target group each, by the same rule
that :func:`planner.demand.neediest_quintile` uses: a sector belongs to quintile :math:`q` when
the midpoint of its families on the cumulative scale,
:math:`m_i = (\sum_{k \prec i} T_k + T_i / 2) / \sum_k T_k`, lies in
:math:`((q - 1) / 5, q / 5]`. Quintile 1 (``q1``) is the neediest fifth, exactly the sectors the
summary's ``*_neediest_quintile`` figures use; quintile 5 the least needy.

**Unreachable families.** A family whose sector has no route to any open site has an infinite
travel time. It is counted *beyond* every standard, it is in the percentiles (which are then
``None`` when they fall on it) and in ``unreachable_share``; the inequality indices are computed
over the reachable families only, and the share they leave out is reported next to them.

**Inequality indices** of travel time :math:`x_i` across families, each family weighted once
(:math:`w_i = T_i`, :math:`W = \sum_i w_i`, :math:`\mu = \sum_i w_i x_i / W`):

* Gini: :math:`G = \sum_i \sum_j w_i w_j |x_i - x_j| / (2 W^2 \mu)`, in :math:`[0, 1)`;
  0 when every family travels as long.
* Theil T: :math:`T = \frac{1}{W} \sum_i w_i \frac{x_i}{\mu} \ln \frac{x_i}{\mu}`
  (:math:`0 \ln 0 = 0`), in :math:`[0, \ln(W / \min_i w_i)]`.
* Palma ratio: the share of all travel time borne by the 10 % of families who travel longest,
  divided by the share borne by the 40 % who travel least (families of one sector are split
  where a cut falls inside it); 0.25 when every family travels as long, larger when unequal.
* Concentration index by need:
  :math:`C = 2\,\mathrm{cov}_w(x, r) / \mu`, with :math:`r_i` the fractional rank of the
  family by need, least needy near 0 and neediest near 1 (tied need shares the mid rank of
  its group). In :math:`[-1, 1]`; **positive** when travel times are longer for the needier
  families (inequity against the needy), **negative** when the needier families travel less,
  which is what proportionate universalism aims for; 0 when travel time does not depend on
  the need rank.

When every reachable family travels zero minutes, Gini, Theil and the concentration index are
0 (perfect equality) and the Palma ratio is ``None`` (the bottom 40 % bear no time at all; the
ratio is undefined). With no reachable family, every index is ``None``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from planner.demand.need import QUINTILE_EDGES, need_quintiles
from planner.results.metrics import rounded, travel_time_stats

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = [
    "QUINTILE_EDGES",
    "concentration_index",
    "equity_summary",
    "gini",
    "inequality_indices",
    "need_quintiles",
    "palma_ratio",
    "theil_t",
]


def _reachable(
    x: NDArray[np.float64], w: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    keep = np.isfinite(x) & (w > 0)
    return x[keep], w[keep], keep


def gini(x: NDArray[np.float64], w: NDArray[np.float64]) -> float | None:
    r"""Gini index of travel time across families (population formula).

    .. math:: G = \frac{\sum_i \sum_j w_i w_j |x_i - x_j|}{2 W^2 \mu}

    computed in :math:`O(n \log n)` from the values sorted ascending with
    :math:`F_i = \sum_{k < i} w_k`:
    :math:`G = \sum_i w_i x_i (2 F_i + w_i - W) / (W \sum_i w_i x_i)`.

    Parameters
    ----------
    x
        Travel time per sector (``inf`` = unreachable, left out).
    w
        Families per sector.

    Returns
    -------
    float or None
        In :math:`[0, 1)`; 0 when all reachable families travel zero minutes; ``None`` with no
        reachable family.
    """
    x, w, _ = _reachable(x, w)
    if w.size == 0:
        return None
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    total_w = float(w.sum())
    total_xw = float(x @ w)
    if total_xw <= 0:
        return 0.0
    before = np.cumsum(w) - w
    value = float(np.sum(w * x * (2.0 * before + w - total_w)) / (total_w * total_xw))
    return min(max(value, 0.0), 1.0)


def theil_t(x: NDArray[np.float64], w: NDArray[np.float64]) -> float | None:
    r"""Theil T index of travel time across families.

    .. math:: T = \frac{1}{W} \sum_i w_i \frac{x_i}{\mu} \ln \frac{x_i}{\mu},
              \quad 0 \ln 0 = 0

    Parameters
    ----------
    x
        Travel time per sector (``inf`` = unreachable, left out).
    w
        Families per sector.

    Returns
    -------
    float or None
        In :math:`[0, \ln(W / \min_i w_i)]`; 0 when all reachable families travel as long
        (zero minutes included); ``None`` with no reachable family.
    """
    x, w, _ = _reachable(x, w)
    if w.size == 0:
        return None
    total_w = float(w.sum())
    mean = float(x @ w) / total_w
    if mean <= 0:
        return 0.0
    ratio = x / mean
    positive = ratio > 0
    value = float(np.sum(w[positive] * ratio[positive] * np.log(ratio[positive])) / total_w)
    return max(value, 0.0)


def _lorenz_at(x: NDArray[np.float64], w: NDArray[np.float64], p: float) -> float:
    """Share of the total of ``x`` borne by the share ``p`` of families with the lowest ``x``."""
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    people = np.concatenate([[0.0], np.cumsum(w)]) / float(w.sum())
    amount = np.concatenate([[0.0], np.cumsum(w * x)]) / float(x @ w)
    return float(np.interp(p, people, amount))


def palma_ratio(x: NDArray[np.float64], w: NDArray[np.float64]) -> float | None:
    r"""Palma ratio of travel time: share of the top 10 % over the share of the bottom 40 %.

    .. math:: P = \frac{1 - L(0.9)}{L(0.4)}

    with :math:`L(p)` the Lorenz curve of travel time over families (the share of all travel
    time borne by the share :math:`p` of families who travel least; linear inside a sector,
    whose families all travel as long).

    Parameters
    ----------
    x
        Travel time per sector (``inf`` = unreachable, left out).
    w
        Families per sector.

    Returns
    -------
    float or None
        At least 0.25 (equal travel times); ``None`` with no reachable family, or when the
        bottom 40 % travel zero minutes (the ratio is then undefined).
    """
    x, w, _ = _reachable(x, w)
    if w.size == 0 or float(x @ w) <= 0:
        return None
    bottom = _lorenz_at(x, w, 0.4)
    if bottom <= 0:
        return None
    return max((1.0 - _lorenz_at(x, w, 0.9)) / bottom, 0.25)


def _need_ranks(need: NDArray[np.float64], w: NDArray[np.float64]) -> NDArray[np.float64]:
    """Fractional rank of each sector's families by need (ascending), ties share a mid rank."""
    values, group = np.unique(need, return_inverse=True)
    group_w = np.bincount(group, weights=w, minlength=len(values))
    before = np.cumsum(group_w) - group_w
    rank_of_group = (before + group_w / 2.0) / float(w.sum())
    return np.asarray(rank_of_group[group], dtype=float)


def concentration_index(
    x: NDArray[np.float64], need: NDArray[np.float64], w: NDArray[np.float64]
) -> float | None:
    r"""Concentration index of travel time by need rank.

    .. math:: C = \frac{2}{\mu} \cdot \frac{1}{W} \sum_i w_i (x_i - \mu)(r_i - \bar r)

    with :math:`r_i = (\sum_{k: n_k < n_i} w_k + \tfrac12 \sum_{k: n_k = n_i} w_k) / W` the
    fractional need rank of sector :math:`i`'s families (least needy near 0, neediest near 1;
    :math:`\bar r = 1/2`).

    Sign: **positive** when the needier families travel longer (inequity against the needy),
    **negative** when they travel less (the aim of proportionate universalism), 0 when travel
    time does not depend on the need rank.

    Parameters
    ----------
    x
        Travel time per sector (``inf`` = unreachable, left out).
    need
        Need index per sector.
    w
        Families per sector.

    Returns
    -------
    float or None
        In :math:`[-1, 1]`; 0 when all reachable families travel zero minutes; ``None`` with no
        reachable family.
    """
    x, w, keep = _reachable(x, w)
    if w.size == 0:
        return None
    total_w = float(w.sum())
    mean = float(x @ w) / total_w
    if mean <= 0:
        return 0.0
    rank = _need_ranks(np.asarray(need, dtype=float)[keep], w)
    mean_rank = float(rank @ w) / total_w
    covariance = float(np.sum(w * (x - mean) * (rank - mean_rank)) / total_w)
    return min(max(2.0 * covariance / mean, -1.0), 1.0)


def inequality_indices(
    minutes: NDArray[np.float64], need: NDArray[np.float64], target: NDArray[np.float64]
) -> dict[str, float | None]:
    """Gini, Theil T, Palma ratio and concentration index by need of travel times.

    Parameters
    ----------
    minutes
        Travel time per sector, ``inf`` when unreachable.
    need
        Need index per sector.
    target
        Families per sector.

    Returns
    -------
    dict
        ``gini``, ``theil``, ``palma``, ``concentration_need`` (see the module docstring; over
        reachable families), ``families_reachable`` and ``unreachable_share`` (the share of
        families the indices leave out; ``None`` with no families).
    """
    minutes = np.asarray(minutes, dtype=float)
    target = np.asarray(target, dtype=float)
    total = float(target.sum())
    reachable = np.isfinite(minutes)
    return {
        "gini": rounded(gini(minutes, target)),
        "theil": rounded(theil_t(minutes, target)),
        "palma": rounded(palma_ratio(minutes, target)),
        "concentration_need": rounded(concentration_index(minutes, need, target)),
        "families_reachable": round(float(target[reachable].sum()), 2),
        "unreachable_share": rounded(float(target[~reachable].sum()) / total) if total else None,
    }


def _quintile_figures(
    mask: NDArray[np.bool_],
    arrays: dict[str, NDArray[np.float64]],
) -> dict[str, Any]:
    target = arrays["target"][mask]
    total = float(target.sum())
    served_house = arrays["served_house"][mask]
    served_frequent = arrays["served_frequent"][mask]
    beyond_house = arrays["tt_house"][mask] > arrays["radius_house"][mask]
    beyond_frequent = arrays["tt_frequent"][mask] > arrays["radius_frequent"][mask]
    need = arrays["need"][mask]
    return {
        "sectors": int(np.unique(arrays["sector"][mask]).shape[0]),
        "families": round(total, 2),
        "need_min": rounded(float(need.min())) if need.size else None,
        "need_max": rounded(float(need.max())) if need.size else None,
        "coverage_house": rounded(float(target @ served_house) / total) if total > 0 else None,
        "coverage_frequent": (
            rounded(float(target @ served_frequent) / total) if total > 0 else None
        ),
        "travel_house": _without_max(travel_time_stats(arrays["tt_house"][mask], target)),
        "travel_frequent": _without_max(travel_time_stats(arrays["tt_frequent"][mask], target)),
        "beyond_house": round(float(target[beyond_house].sum()), 2),
        "beyond_frequent": round(float(target[beyond_frequent].sum()), 2),
    }


def _without_max(stats: dict[str, float | None]) -> dict[str, float | None]:
    return {key: value for key, value in stats.items() if key != "max"}


def equity_summary(
    *,
    need: NDArray[np.float64],
    target: NDArray[np.float64],
    tt_house: NDArray[np.float64],
    tt_frequent: NDArray[np.float64],
    radius_house: NDArray[np.float64],
    radius_frequent: NDArray[np.float64],
    served_house: NDArray[np.float64] | None = None,
    sector: NDArray[np.int64] | None = None,
) -> dict[str, Any]:
    """Equity figures of a plan, for ``summary.json`` under the key ``equity``.

    The arrays hold one value per demand row: a sector, or a demand point of a sector (then
    ``sector`` names it). Quintiles are always made of whole sectors, ranked by need, so the
    neediest fifth is the same set of sectors however their families are spread over points.

    Parameters
    ----------
    need
        Need index :math:`n_i` per sector.
    target
        Families :math:`T_i` per sector.
    tt_house, tt_frequent
        Minutes to the nearest (or assigned) house, and to the nearest house or antenne;
        ``inf`` when unreachable.
    radius_house, radius_frequent
        Standards :math:`R_H(i)`, :math:`R_A(i)` per sector (minutes, after need tightening).
    served_house
        Share of each sector's families served by a house within :math:`R_H` (with
        capacities); by default 1 where ``tt_house <= radius_house``, else 0.
    sector
        Sector index of each row (demand points); None when every row is a sector.

    Returns
    -------
    dict
        ``quintile_rule`` (a sentence), ``by_quintile`` (``q1`` = neediest fifth ... ``q5``,
        each with ``sectors``, ``families``, ``need_min``/``need_max``, ``coverage_house``,
        ``coverage_frequent``, ``travel_house`` / ``travel_frequent`` (``mean``, ``p50``,
        ``p90``, ``unreachable_share``), ``beyond_house`` / ``beyond_frequent`` (families
        farther than the standard or unreachable)) and ``inequality`` (``house``,
        ``frequent``: see :func:`inequality_indices`).
    """
    arrays = {
        "need": np.asarray(need, dtype=float),
        "target": np.asarray(target, dtype=float),
        "tt_house": np.asarray(tt_house, dtype=float),
        "tt_frequent": np.asarray(tt_frequent, dtype=float),
        "radius_house": np.asarray(radius_house, dtype=float),
        "radius_frequent": np.asarray(radius_frequent, dtype=float),
    }
    within_house = arrays["tt_house"] <= arrays["radius_house"]
    arrays["served_house"] = (
        within_house.astype(float) if served_house is None else np.asarray(served_house, float)
    )
    arrays["served_frequent"] = (arrays["tt_frequent"] <= arrays["radius_frequent"]).astype(float)
    if sector is None:
        quintile = need_quintiles(arrays["need"], arrays["target"])
        sector = np.arange(arrays["need"].shape[0])
    else:
        n = int(sector.max()) + 1 if sector.size else 0
        first = np.unique(sector, return_index=True)[1]
        sector_need = np.zeros(n)
        sector_need[sector[first]] = arrays["need"][first]
        sector_target = np.bincount(sector, weights=arrays["target"], minlength=n).astype(float)
        quintile = need_quintiles(sector_need, sector_target)[sector]
    arrays["sector"] = np.asarray(sector, dtype=float)
    return {
        "quintile_rule": (
            "q1 = neediest fifth of the target group (sectors ranked by need index), "
            "q5 = least needy fifth"
        ),
        "by_quintile": {f"q{q}": _quintile_figures(quintile == q, arrays) for q in range(1, 6)},
        "inequality": {
            "house": inequality_indices(arrays["tt_house"], arrays["need"], arrays["target"]),
            "frequent": inequality_indices(arrays["tt_frequent"], arrays["need"], arrays["target"]),
        },
    }
