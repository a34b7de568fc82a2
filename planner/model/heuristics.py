r"""Heuristic starts of the p-facility models: good plans in milliseconds, no solver.

- :func:`pmedian_heuristic`: greedy addition, then best-improvement vertex substitution
  (Whitaker's fast interchange with the swap gains of Resende & Werneck 2003, vectorised);
  the move "insert :math:`j`, remove :math:`r`" changes the cost by

  .. math::

      \Delta(j, r) = -\sum_i w_i \max(0, d^1_i - d_{ij})
      + \sum_{i:\ \phi_1(i) = r} w_i \bigl(\operatorname{clip}(d_{ij}, d^1_i, d^2_i)
      - d^1_i\bigr),

  with :math:`d^1_i, d^2_i` the nearest and second-nearest open distances and
  :math:`\phi_1(i)` the nearest open site.
- :func:`pcenter_heuristic`: farthest-first (Gonzalez) opening, then 1-center moves.
- :func:`capacitated_heuristic`: p-median sites, a regret assignment within capacity, then
  location-allocation rounds.

Every heuristic is deterministic: ties go to the lowest site index.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np
from scipy import sparse

if TYPE_CHECKING:
    from planner.model.base import BoolArray, FloatArray, IntArray

__all__ = [
    "capacitated_heuristic",
    "interchange",
    "pcenter_heuristic",
    "penalised_cost",
    "plan_radius",
    "pmedian_heuristic",
]

_SWAP_TOL: Final[float] = 1e-9
_MAX_MOVES: Final[int] = 100
_ROUNDS: Final[int] = 20


# --------------------------------------------------------------------------- p-median


def penalised_cost(d: FloatArray, weight: FloatArray) -> FloatArray:
    """Return :math:`w_i d_{ij}`, with unreachable pairs costing more than any reachable plan.

    Parameters
    ----------
    d
        Distances, shape (n_demand, n_sites), ``inf`` when unreachable.
    weight
        Demand weights, shape (n_demand,).

    Returns
    -------
    ndarray
        Finite costs: an unreachable pair costs 1 more than every point's dearest reachable
        pair together.
    """
    finite = np.isfinite(d)
    cost = np.where(finite, d, 0.0) * weight[:, np.newaxis]
    penalty = 1.0 + float(cost.max(axis=1).sum()) if cost.size else 1.0
    return np.where(finite, cost, penalty)


def pmedian_heuristic(
    cost: FloatArray, p: int, *, fixed: BoolArray, allowed: BoolArray
) -> BoolArray:
    r"""Find a good plan by greedy addition, then best-improvement vertex substitution.

    The objective is :math:`\min_{|S| = p} \sum_i \min_{j \in S} c_{ij}`.

    Parameters
    ----------
    cost
        Finite costs :math:`c_{ij}` (weights applied), shape (n_demand, n_sites).
    p
        Sites to open, ``fixed.sum() <= p <= allowed.sum()``.
    fixed
        Sites that stay open.
    allowed
        Sites that may open.

    Returns
    -------
    ndarray of bool
        A locally optimal plan (no single swap improves it). Deterministic: ties go to the
        lowest site index.
    """
    n_demand = cost.shape[0]
    chosen = fixed.copy()
    best = cost[:, fixed].min(axis=1) if fixed.any() else np.full(n_demand, np.inf)
    for _ in range(p - int(fixed.sum())):
        candidates = np.flatnonzero(allowed & ~chosen)
        totals = np.minimum(best[:, np.newaxis], cost[:, candidates]).sum(axis=0)
        pick = int(candidates[int(np.argmin(totals))])
        chosen[pick] = True
        best = np.minimum(best, cost[:, pick])
    return interchange(cost, chosen, fixed=fixed, allowed=allowed)


def interchange(
    cost: FloatArray, chosen: BoolArray, *, fixed: BoolArray, allowed: BoolArray
) -> BoolArray:
    """Improve a plan by best-improvement swaps until no single swap lowers the cost.

    Parameters
    ----------
    cost
        Finite costs :math:`c_{ij}` (weights applied), shape (n_demand, n_sites).
    chosen
        The plan to improve (not changed).
    fixed
        Sites that stay open.
    allowed
        Sites that may open.

    Returns
    -------
    ndarray of bool
        A plan of as many sites, locally optimal under swaps.
    """
    chosen = chosen.copy()
    n_demand = cost.shape[0]
    rows = np.arange(n_demand)
    while True:
        columns = np.flatnonzero(chosen)
        sub = cost[:, columns]
        if columns.size > 1:
            two = np.argpartition(sub, 1, axis=1)[:, :2]
            pair = sub[rows[:, np.newaxis], two]
            swap = pair[:, 0] > pair[:, 1]
            first = np.where(swap, two[:, 1], two[:, 0])
            d1, d2 = pair.min(axis=1), pair.max(axis=1)
        else:
            first = np.zeros(n_demand, dtype=np.int64)
            d1, d2 = sub[:, 0], np.full(n_demand, np.inf)
        total = float(d1.sum())
        gain = np.maximum(d1[:, np.newaxis] - cost, 0.0).sum(axis=0)
        extra = np.minimum(np.maximum(cost, d1[:, np.newaxis]), d2[:, np.newaxis])
        extra -= d1[:, np.newaxis]
        owner = sparse.csr_matrix(
            (np.ones(n_demand), (first, rows)), shape=(columns.size, n_demand)
        )
        delta = np.asarray(owner @ extra) - gain[np.newaxis, :]  # (removed r, inserted j)
        delta[:, ~(allowed & ~chosen)] = np.inf
        delta[fixed[columns], :] = np.inf
        flat = int(np.argmin(delta))
        r, j = divmod(flat, cost.shape[1])
        if not delta[r, j] < -_SWAP_TOL * max(1.0, abs(total)):
            return chosen
        chosen[columns[r]] = False
        chosen[j] = True


# --------------------------------------------------------------------------- p-center


def pcenter_heuristic(d: FloatArray, p: int, *, fixed: BoolArray, allowed: BoolArray) -> BoolArray:
    r"""Farthest-first opening, then 1-center moves, for :math:`\min \max_i \min_{j \in S} d_{ij}`.

    Parameters
    ----------
    d
        Distances, shape (n_demand, n_sites) (``inf`` when unreachable).
    p
        Sites to open, ``fixed.sum() <= p <= allowed.sum()``.
    fixed
        Sites that stay open.
    allowed
        Sites that may open.

    Returns
    -------
    ndarray of bool
        A plan of exactly ``p`` sites. Deterministic: ties go to the lowest index.
    """
    usable = np.flatnonzero(allowed | fixed)
    sub = d[:, usable]
    chosen = fixed[usable].copy()
    if not chosen.any():
        chosen[int(np.argmin(sub.max(axis=0)))] = True  # the best single site
    nearest = sub[:, chosen].min(axis=1)
    while int(chosen.sum()) < p:
        far = int(np.argmax(nearest))
        options = np.where(chosen, np.inf, sub[far])
        pick = int(np.argmin(options))
        if not np.isfinite(options[pick]):
            pick = int(np.flatnonzero(~chosen)[0])
        chosen[pick] = True
        nearest = np.minimum(nearest, sub[:, pick])
    chosen = _one_center_moves(sub, chosen, fixed[usable])
    plan = np.zeros(d.shape[1], dtype=bool)
    plan[usable[chosen]] = True
    return plan


def _one_center_moves(sub: FloatArray, chosen: BoolArray, fixed: BoolArray) -> BoolArray:
    """Move each cluster's site to the site minimising the cluster's largest distance.

    A move set is kept while it lowers (radius, sum of the clusters' radii)
    lexicographically; moves onto a site already open are skipped.
    """
    score = _score(sub, chosen)
    for _ in range(_MAX_MOVES):
        columns = np.flatnonzero(chosen)
        owner = np.argmin(sub[:, columns], axis=1)
        order = np.argsort(owner, kind="stable")
        clusters, starts = np.unique(owner[order], return_index=True)
        worst = np.maximum.reduceat(sub[order], starts, axis=0)  # (clusters, sites)
        rows = np.arange(clusters.size)
        target = np.argmin(worst, axis=1)
        better = worst[rows, target] < worst[rows, columns[clusters]]
        better &= ~fixed[columns[clusters]]
        candidate = chosen.copy()
        for cluster in np.flatnonzero(better):  # at most p clusters
            site, new = columns[clusters[cluster]], target[cluster]
            if not candidate[new]:
                candidate[site], candidate[new] = False, True
        new_score = _score(sub, candidate)
        if not new_score < score:
            break
        chosen, score = candidate, new_score
    return chosen


def _score(sub: FloatArray, chosen: BoolArray) -> tuple[float, float]:
    """(radius, sum over open sites of their cluster's radius) of a plan."""
    distance = sub[:, chosen]
    owner = np.argmin(distance, axis=1)
    nearest = distance[np.arange(owner.size), owner]
    radii = np.zeros(distance.shape[1])
    np.maximum.at(radii, owner, nearest)
    return float(nearest.max()), float(radii.sum())


def plan_radius(sub: FloatArray, chosen: BoolArray) -> float:
    """Return the largest distance from a demand point to its nearest chosen site."""
    return float(sub[:, chosen].min(axis=1).max())


# --------------------------------------------------------------------------- capacitated


def capacitated_heuristic(
    d: FloatArray,
    demand: FloatArray,
    capacity: FloatArray,
    p: int,
    *,
    weight: FloatArray,
    fixed: BoolArray,
    allowed: BoolArray,
) -> tuple[BoolArray, IntArray] | None:
    """Return a capacity-feasible plan (open sites, assignment) or None when none is found.

    Uncapacitated p-median sites, a regret assignment, then location-allocation rounds (each
    site moves to the best median of its cluster that can hold the cluster, points are
    re-assigned by regret) while the cost falls.

    Parameters
    ----------
    d
        Distances (``inf``: not allowed), shape (n_demand, n_sites).
    demand, capacity
        :math:`q_i` and :math:`Q_j`.
    p
        Sites to open.
    weight
        Objective weight per point.
    fixed, allowed
        Sites that stay open / may open.

    Returns
    -------
    tuple of (ndarray of bool, ndarray of int) or None
        Open sites and the site of every point.
    """
    cost = penalised_cost(d, weight)
    usable = allowed | fixed
    chosen = pmedian_heuristic(cost, p, fixed=fixed, allowed=usable)
    assign = _regret_assign(d, demand, capacity, chosen)
    if assign is None:
        # capacity-aware retry: prefer large sites (cost per unit of capacity)
        scaled = cost / np.maximum(capacity, 1e-9)[np.newaxis, :]
        chosen = pmedian_heuristic(scaled, p, fixed=fixed, allowed=usable)
        assign = _regret_assign(d, demand, capacity, chosen)
        if assign is None:
            return None
    best_value = float(weight @ d[np.arange(d.shape[0]), assign])
    for _ in range(_ROUNDS):
        moved = _relocate(d, demand, capacity, weight, chosen, assign, fixed=fixed, allowed=usable)
        new_assign = _regret_assign(d, demand, capacity, moved)
        if new_assign is None:
            break
        value = float(weight @ d[np.arange(d.shape[0]), new_assign])
        if value >= best_value - 1e-9 * max(1.0, abs(best_value)):
            break
        chosen, assign, best_value = moved, new_assign, value
    return chosen, assign


def _regret_assign(
    d: FloatArray, demand: FloatArray, capacity: FloatArray, chosen: BoolArray
) -> IntArray | None:
    """Assign points to open sites by regret (best minus second best), within capacity."""
    sites = np.flatnonzero(chosen)
    sub = d[:, sites]
    left = capacity[sites].astype(np.float64)
    n = d.shape[0]
    assign = np.full(n, -1, dtype=np.int64)
    todo = np.ones(n, dtype=bool)
    while todo.any():
        fits = (demand[:, np.newaxis] <= left[np.newaxis, :] + 1e-9) & np.isfinite(sub)
        options = np.where(fits & todo[:, np.newaxis], sub, np.inf)
        if sites.size > 1:
            two = np.partition(options, 1, axis=1)[:, :2]
            first, second = two[:, 0], two[:, 1]
        else:
            first, second = options[:, 0], np.full(n, np.inf)
        stuck = todo & ~np.isfinite(first)
        if stuck.any():
            return None
        gap = np.where(
            np.isfinite(second), second - np.where(np.isfinite(first), first, 0.0), np.inf
        )
        regret = np.where(todo, gap, -np.inf)
        # the largest regret first; ties by larger demand, then lower index
        candidates = np.flatnonzero(regret == regret.max())
        i = int(candidates[np.argmax(demand[candidates])])
        k = int(np.argmin(options[i]))
        assign[i] = sites[k]
        left[k] -= demand[i]
        todo[i] = False
    return assign


def _relocate(
    d: FloatArray,
    demand: FloatArray,
    capacity: FloatArray,
    weight: FloatArray,
    chosen: BoolArray,
    assign: IntArray,
    *,
    fixed: BoolArray,
    allowed: BoolArray,
) -> BoolArray:
    """Move every non-fixed open site to the best median of its cluster that can hold it."""
    moved = fixed.copy()
    taken = fixed.copy()
    for site in np.flatnonzero(chosen & ~fixed):
        members = np.flatnonzero(assign == site)
        load = float(demand[members].sum())
        ok = allowed & ~taken & (capacity >= load - 1e-9)
        if members.size == 0 or not ok.any():
            moved[site] = True
            taken[site] = True
            continue
        totals = weight[members] @ np.where(np.isfinite(d[members]), d[members], np.inf)
        totals = np.where(ok, totals, np.inf)
        best = int(np.argmin(totals))
        pick = best if np.isfinite(totals[best]) else int(site)
        moved[pick] = True
        taken[pick] = True
    return moved if int(moved.sum()) == int(chosen.sum()) else chosen
