r"""Link cuts of the coverage family and their separation rounds on the LP relaxation.

A sector reached by a frequent service has an open house in its row, or an open antenne in
its row whose house lies within :math:`L`. The cuts that say so are valid for every plan (the
same plans and optimum) and close most of the gap the LP relaxation leaves when fractional
antennes share one fractional house (see :mod:`planner.model.coverage`).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np
from scipy import sparse

from planner.model._arrays import identity_minus
from planner.solve import solve_lp

if TYPE_CHECKING:
    from planner.model._arrays import MilpBuilder
    from planner.model.coverage.instance import BoolArray, FloatArray, IntArray
    from planner.scenario import SolverSpec
    from planner.solve import MilpArrays

__all__ = ["LinkRows", "add_house_behind_cuts", "add_link_cuts"]


@dataclass(frozen=True, eq=False)
class LinkRows:
    r"""The frequent-coverage rows of a model with antennes, kept for link cuts.

    ``rows`` are the merged :math:`v` rows over the variable (house | antenne) columns,
    ``v_columns`` their :math:`v` columns, ``link`` the (variable antennes x variable houses)
    mask :math:`e_{jk} \le L` and ``needs_house`` which antennes have no fixed house within
    :math:`L`.
    """

    rows: sparse.csr_matrix
    v_columns: IntArray
    link: sparse.csr_matrix
    needs_house: BoolArray


def add_house_behind_cuts(
    b: MilpBuilder,
    link_rows: LinkRows,
    hcol: IntArray,
    acol: IntArray,
) -> None:
    r"""Add :math:`v_r \le \sum_{k \in K_r} h_k + \sum_{j \in F_r} a_j` per frequent row.

    A sector reached by a frequent service has an open house in its row, or an open antenne
    in its row, and that antenne has an open house within :math:`L` (or a fixed one).
    :math:`K_r` holds the row's houses and every house within :math:`L` of one of its
    antennes that need a variable house; :math:`F_r` are the row's antennes with a fixed
    house within :math:`L`. Valid for every plan, and much tighter in the LP relaxation
    than the coverage and link rows alone, which let fractional antennes share one
    fractional house.
    """
    rows = link_rows.rows
    n_h = int(link_rows.link.shape[1])
    house_part = rows[:, :n_h]
    antenne_part = rows[:, n_h:]
    needs = link_rows.needs_house.astype(np.float64)
    linked = antenne_part @ sparse.diags(needs) @ link_rows.link
    behind = (house_part + linked).tocsr()
    behind.data[:] = 1.0
    free = (antenne_part @ sparse.diags(1.0 - needs)).tocsr()
    free.eliminate_zeros()
    has_antenne = np.diff((antenne_part @ sparse.diags(needs)).tocsr().indptr) > 0
    if not has_antenne.any():
        return
    matrix = sparse.hstack([behind, free], format="csr")[has_antenne]
    b.add_rows(
        identity_minus(matrix),
        np.concatenate([link_rows.v_columns[has_antenne], hcol, acol]),
        upper=0.0,
    )


_CUT_ROUNDS: Final[int] = 8
_CUT_MIN_GAIN: Final[float] = 1e-4
_CUT_TIME_SHARE: Final[float] = 0.2
_CUT_VIOLATION: Final[float] = 1e-4
_CUT_ENUMERATED: Final[int] = 10


def _link_cuts(
    data: LinkRows, x: FloatArray, hcol: IntArray, acol: IntArray
) -> sparse.csr_matrix | None:
    r"""Return the most violated link cut of every frequent row at LP point ``x``, or None.

    For a frequent row :math:`r` with houses :math:`H_r` and antennes :math:`A_r`, and any
    :math:`T \subseteq A_r` of antennes that need a variable house,

    .. math::

        v_r \le \sum_{k \in S} h_k + \sum_{j \in A_r \setminus T} a_j, \qquad
        S = H_r \cup \bigcup_{j \in T} \{k : e_{jk} \le L\}

    holds for every plan: a covered sector has an open house in :math:`H_r`, or an open
    antenne in :math:`A_r \setminus T`, or one in :math:`T` whose house lies in :math:`S`.
    :math:`T = \emptyset` is the coverage row itself. :math:`T` is chosen exactly among the
    (at most :data:`_CUT_ENUMERATED` largest) fractional antennes of the row.
    Rows are over the model's columns; each cut reads ``v_r - ... <= 0``.
    """
    n_h = hcol.size
    h = x[hcol]
    a = x[acol]
    v = x[data.v_columns]
    rows, link = data.rows, data.link
    triplets_r: list[IntArray] = []
    triplets_c: list[IntArray] = []
    triplets_v: list[FloatArray] = []
    n_cuts = 0
    for r in range(int(rows.shape[0])):
        sites = rows.indices[rows.indptr[r] : rows.indptr[r + 1]]
        houses = sites[sites < n_h]
        antennes = sites[sites >= n_h] - n_h
        movable = antennes[data.needs_house[antennes] & (a[antennes] > _CUT_VIOLATION)]
        if movable.size == 0 or v[r] <= float(h[houses].sum()) + _CUT_VIOLATION:
            continue
        movable = movable[np.argsort(-a[movable], kind="stable")][:_CUT_ENUMERATED]
        near = [link.indices[link.indptr[j] : link.indptr[j + 1]] for j in movable]
        local = np.unique(np.concatenate([houses, *near]))
        incidence = np.zeros((movable.size, local.size))
        for t, ks in enumerate(near):
            incidence[t, np.searchsorted(local, ks)] = 1.0
        base = np.isin(local, houses)
        masks = (np.arange(1 << movable.size)[:, np.newaxis] >> np.arange(movable.size)) & 1
        in_s = base[np.newaxis, :] | (masks @ incidence > 0)
        value = in_s @ h[local] + (1 - masks) @ a[movable]
        value += float(a[antennes].sum() - a[movable].sum())
        best = int(np.argmin(value))
        if v[r] <= value[best] + _CUT_VIOLATION:
            continue
        chosen = movable[masks[best] == 1]
        outside = np.setdiff1d(antennes, chosen)
        cols = np.concatenate([[data.v_columns[r]], hcol[local[in_s[best]]], acol[outside]])
        triplets_r.append(np.full(cols.size, n_cuts, dtype=np.intp))
        triplets_c.append(cols.astype(np.intp))
        triplets_v.append(np.concatenate([[1.0], -np.ones(cols.size - 1)]))
        n_cuts += 1
    if n_cuts == 0:
        return None
    return sparse.csr_matrix(
        (np.concatenate(triplets_v), (np.concatenate(triplets_r), np.concatenate(triplets_c))),
        shape=(n_cuts, x.size),
    )


def add_link_cuts(
    model: MilpArrays,
    data: LinkRows,
    hcol: IntArray,
    acol: IntArray,
    solver: SolverSpec,
) -> tuple[MilpArrays, int, int]:
    r"""Add rounds of separated link cuts to a model, tightening its LP relaxation.

    Each round solves the LP relaxation and adds the most violated link cut per frequent row
    (:func:`_link_cuts`); rounds run while the LP bound drops by more than
    :data:`_CUT_MIN_GAIN` (relative), at most :data:`_CUT_ROUNDS` rounds and
    :data:`_CUT_TIME_SHARE` of the time limit.

    Parameters
    ----------
    model
        The built model (a maximisation MILP).
    data
        Its frequent-coverage rows.
    hcol, acol
        Its house and antenne columns.
    solver
        Solver options (the LP rounds run silently).

    Returns
    -------
    MilpArrays
        The model with the cuts added.
    int
        Rounds run.
    int
        Cuts added.
    """
    started = time.perf_counter()
    limit = solver.time_limit_s
    lp_spec = solver.model_copy(update={"msg": False})
    last: float | None = None
    rounds = added = 0
    for _ in range(_CUT_ROUNDS):
        if limit is not None:
            left = _CUT_TIME_SHARE * limit - (time.perf_counter() - started)
            if left <= 0:
                break
            lp_spec = lp_spec.model_copy(update={"time_limit_s": left})
        lp_result, lp = solve_lp(model, lp_spec)
        value = lp_result.objective
        if lp is None or value is None:
            break
        if last is not None and last - value <= _CUT_MIN_GAIN * max(1.0, abs(last)):
            break
        last = value
        cuts = _link_cuts(data, lp.x, hcol, acol)
        if cuts is None:
            break
        model = _with_rows(model, cuts)
        rounds += 1
        added += int(cuts.shape[0])
    return model, rounds, added


def _with_rows(model: MilpArrays, rows: sparse.csr_matrix) -> MilpArrays:
    """Return the model with the rows ``rows @ x <= 0`` added."""
    n = int(rows.shape[0])
    return dataclasses.replace(
        model,
        A=sparse.vstack([model.A, rows], format="csc"),
        row_lower=np.concatenate([model.row_lower, np.full(n, -np.inf)]),
        row_upper=np.concatenate([model.row_upper, np.zeros(n)]),
    )
