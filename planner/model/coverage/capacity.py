r"""Capacities in the coverage family: the assignment :math:`x_{ij}` and reading it back.

A house serves at most :math:`C_j` families; house coverage is then the share of each
sector's families assigned to houses within :math:`R_H` (see :mod:`planner.model.coverage`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np

from planner.model.coverage.instance import (
    BoolArray,
    CoverageInstance,
    FloatArray,
    Form,
    IntArray,
    frozen,
    ids_of,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from planner.model._arrays import MilpBuilder
    from planner.model.coverage.roles import Roles

__all__ = ["Pairs", "add_assignment", "read_assignment"]

_LOAD_SLACK: Final[float] = 1e-6

Pairs = tuple[IntArray, IntArray, IntArray]
"""The assignment columns: sector, site and model column of every pair."""


def add_assignment(
    b: MilpBuilder,
    instance: CoverageInstance,
    form: Form,
    roles: Roles,
    hs: IntArray,
    hcol: IntArray,
) -> tuple[IntArray, IntArray, IntArray]:
    r"""Add the capacitated assignment :math:`x_{ij}` (only with capacities).

    Rows: :math:`\sum_j x_{ij} \le 1` (``= 1`` when every family must be served),
    :math:`\sum_i T_i x_{ij} \le C_j h_j` and :math:`x_{ij} \le h_j`.
    """
    empty = np.zeros(0, dtype=np.intp)
    if instance.capacity is None:
        return empty, empty, empty
    must_serve = form.cover_house or instance.rules.universal_floor
    alpha = instance.alpha if form.antennes else 1.0
    coverage = form.objective == "coverage" and alpha > 0
    if not (coverage or must_serve):
        return empty, empty, empty
    families = instance.family_counts()
    coef = alpha * instance.weight if form.objective == "coverage" else np.zeros_like(families)
    open_sites = np.flatnonzero(roles.house_fixed | roles.house_var)
    sectors = np.flatnonzero(families > 0)
    reach = instance.reach(instance.radius_house)[np.ix_(sectors, open_sites)]
    local_i, local_j = np.nonzero(reach)
    pair_sectors = sectors[local_i].astype(np.intp)
    pair_sites = open_sites[local_j].astype(np.intp)
    xcol = b.add_columns(pair_sectors.size, cost=coef[pair_sectors])
    # one row per sector with pairs: sum_j x_ij <= 1 (or = 1)
    served, row_of = np.unique(local_i, return_inverse=True)
    lower = 1.0 if must_serve else -np.inf
    b.add_triplets(row_of, xcol, np.ones(xcol.size), served.size, lower=lower, upper=1.0)
    # capacity rows: sum_i T_i x_ij - C_j h_j <= 0 (variable) or <= C_j (fixed)
    capacity = np.asarray(instance.capacity)
    col_of_h = np.full(instance.n_sites, -1, dtype=np.intp)
    col_of_h[hs] = hcol
    limited = np.flatnonzero(np.isfinite(capacity[open_sites]))
    if limited.size:
        row_of_site = np.full(open_sites.size, -1, dtype=np.intp)
        row_of_site[limited] = np.arange(limited.size)
        keep = row_of_site[local_j] >= 0
        rows = [row_of_site[local_j][keep]]
        cols = [xcol[keep]]
        vals = [families[pair_sectors][keep]]
        sites = open_sites[limited]
        variable = col_of_h[sites] >= 0
        rows.append(np.flatnonzero(variable))
        cols.append(col_of_h[sites[variable]])
        vals.append(-capacity[sites[variable]])
        upper = np.where(variable, 0.0, capacity[sites])
        b.add_triplets(
            np.concatenate(rows),
            np.concatenate(cols),
            np.concatenate(vals),
            limited.size,
            upper=upper,
        )
    # x_ij <= h_j for variable houses (a tighter LP than the capacity row alone)
    variable_pair = col_of_h[pair_sites] >= 0
    n = int(variable_pair.sum())
    if n:
        b.add_triplets(
            np.concatenate([np.arange(n), np.arange(n)]),
            np.concatenate([xcol[variable_pair], col_of_h[pair_sites[variable_pair]]]),
            np.concatenate([np.ones(n), -np.ones(n)]),
            n,
            upper=0.0,
        )
    return pair_sectors, pair_sites, xcol


def read_assignment(
    instance: CoverageInstance, pairs: Pairs, house: BoolArray, x: FloatArray
) -> tuple[FloatArray | None, NDArray[np.int64] | None, FloatArray | None, list[str]]:
    """Return the served share and main house per sector, each house's load, and problems.

    Parameters
    ----------
    instance
        The instance (with capacities).
    pairs
        The assignment columns as :func:`add_assignment` returned them.
    house
        Open houses, shape (n_j,).
    x
        The solver's column values.

    Returns
    -------
    served : ndarray, shape (n_i,), or None
        Share of each sector's families served.
    assign : ndarray of int64, shape (n_i,), or None
        The house serving most of each sector's families (-1: none).
    load : ndarray, shape (n_j,), or None
        Families each house serves.
    problems : list of str
        Capacities the plan exceeds.
    """
    pair_sectors, pair_sites, pair_columns = pairs
    if instance.capacity is None:
        return None, None, None, []
    if pair_columns.size == 0:
        if instance.reach(instance.radius_house)[:, house].any():
            return None, None, None, []  # no assignment in this model (house weight alpha = 0)
        n_i = instance.n_sectors  # no family within R_H of an open house: nobody is served
        none = np.full(n_i, -1, dtype=np.int64)
        return frozen(np.zeros(n_i)), frozen(none), frozen(np.zeros(house.size)), []
    share = np.clip(x[pair_columns], 0.0, 1.0)
    share[~house[pair_sites]] = 0.0
    n_i = instance.n_sectors
    counts = np.bincount(pair_sectors, weights=share, minlength=n_i)
    served: FloatArray = np.minimum(counts, 1.0).astype(np.float64)
    served[served < _LOAD_SLACK] = 0.0
    families = instance.family_counts()
    weights = share * families[pair_sectors]
    load = np.bincount(pair_sites, weights=weights, minlength=house.size).astype(float)
    capacity = np.asarray(instance.capacity)
    over = load > capacity * (1 + _LOAD_SLACK) + _LOAD_SLACK
    problems = []
    if over.any():
        problems.append(
            f"houses {ids_of(over, instance.site_label)} serve more families than their capacity"
        )
    order = np.lexsort((pair_sites, -share, pair_sectors))
    assign = np.full(n_i, -1, dtype=np.int64)
    first = np.unique(pair_sectors[order], return_index=True)[1]
    best = order[first]
    positive = share[best] > _LOAD_SLACK
    assign[pair_sectors[best][positive]] = pair_sites[best][positive]
    return frozen(served), frozen(assign), frozen(load), problems
