r"""The p-median problem, solved exactly with a radius formulation and level generation.

Demand points :math:`i` with weights :math:`w_i \ge 0`, candidate sites :math:`j`, costs
:math:`d_{ij} \ge 0` (``inf`` when unreachable). Open exactly :math:`p` sites (the fixed-open
ones included, none of the forbidden ones) and serve every point from its nearest open site:

.. math::

    \min_{S,\ |S| = p} \; \sum_i w_i \min_{j \in S} d_{ij}.

Every demand point must reach an open site (a finite distance), whatever its weight.

Method
    1. *Heuristic start* (milliseconds): greedy addition, then best-improvement vertex
       substitution (Whitaker's fast interchange, with the swap gains of Resende & Werneck
       2003, vectorised): the move "insert :math:`j`, remove :math:`r`" changes the cost by

       .. math::

           \Delta(j, r) = -\sum_i w_i \max(0, d^1_i - d_{ij})
           + \sum_{i:\ \phi_1(i) = r} w_i \bigl(\operatorname{clip}(d_{ij}, d^1_i, d^2_i)
           - d^1_i\bigr),

       with :math:`d^1_i, d^2_i` the nearest and second-nearest open distances and
       :math:`\phi_1(i)` the nearest open site.
    2. *Radius formulation* (Elloumi 2010; García, Labbé & Marín 2011). For point :math:`i`
       let :math:`D_i^0 < D_i^1 < \dots` be its distinct distances to the sites in play and
       :math:`z_i^a \ge 0` stand for "not served within :math:`D_i^a`". The model keeps a
       row for a *subset* :math:`A_i` of the levels; with :math:`a'` the previous kept level
       (:math:`z_i^{a'} = 1` before the first):

       .. math::

           \min \sum_i w_i \Bigl(D_i^0 + \sum_{a \in A_i} (D_i^{a+1} - D_i^{a'+1})\, z_i^a
           \Bigr) \quad \text{s.t.} \quad
           z_i^{a'} - z_i^a \le \sum_{j:\ a' < \ell_{ij} \le a} y_j,
           \quad \sum_j y_j = p, \quad y \in \{0,1\},

       (:math:`\ell_{ij}` the level of :math:`d_{ij}`). With every level kept this is the
       classical p-median, LP relaxation included. With fewer levels a point served at
       :math:`D_i^b` is charged :math:`D_i^{a+1} \le D_i^b` (:math:`a` the last kept level
       below :math:`b`): the model is a *relaxation*, so its LP and MILP optima are valid
       lower bounds, and it charges a plan exactly when level :math:`b - 1` is kept.
    3. *LP with level generation*: rows start at each point's distance in the heuristic
       plan; levels are added where the LP solution covers a point less than once, until
       the truncated LP equals the full LP. The LP solution, rounded to its p largest
       :math:`y_j` and improved by interchange, is offered as a plan.
    4. *Reduced-cost fixing*: with LP value :math:`z` and reduced cost :math:`\bar c_j`, a
       plan opening a site at 0 in the LP costs at least :math:`z + \bar c_j` (closing one
       at 1, :math:`z - \bar c_j`); sites whose bound exceeds the best plan are removed (or
       fixed open), the levels rebuilt over the sites left and the LP solved again, while
       that removes at least 5% of the sites.
    5. *MILP*: the kept levels plus rows 1, 2 and 4 levels past each point's last one, with
       the best plan as a MIP start (the solver's own heuristics off: the search's time goes
       to the bound). When its plan is charged exactly the MILP bound proves it; otherwise
       the missing levels are added and the MILP solved again.

    When every :math:`w_i d_{ij}` is an integer, bounds are rounded up
    (:math:`\lceil \bar z - 10^{-6} \max(1, |\bar z|) \rceil`). Before any solve the bound
    is :math:`\sum_i w_i \min_j d_{ij}`.

Every answer is checked: the objective is recomputed from the open sites and :math:`d`;
``proven_optimal`` means the best bound equals it (see :func:`planner.solve.method_result`).
A time limit returns the best plan with its gap.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from planner.errors import DataError, InfeasibleError, SolverError
from planner.solve import LpSolution, MilpArrays, SolveResult, method_result, solve_lp, solve_milp

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from planner.scenario import SolverSpec

__all__ = [
    "FacilityInputs",
    "FacilitySolution",
    "check_facility_inputs",
    "nearest_open",
    "pmedian_heuristic",
    "solve_pmedian",
]

logger = logging.getLogger(__name__)

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]

_COVER_TOL: Final[float] = 1e-6
_SWAP_TOL: Final[float] = 1e-9
_ROUND_TOL: Final[float] = 1e-6
_HALF: Final[float] = 0.5
_MAX_REDUCTIONS: Final[int] = 4
_TAIL_LEVELS: Final[int] = 4
_MIN_FIXED: Final[float] = 0.05
_SHOWN: Final[int] = 5
_METHOD: Final[str] = (
    "p-median: greedy + fast interchange start; radius formulation with level generation "
    "(Elloumi 2010; Garcia, Labbe & Marin 2011), LP then MILP"
)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class FacilitySolution:
    """A plan of open sites and the assignment of every demand point to one of them.

    Attributes
    ----------
    open : ndarray of bool, shape (n_sites,)
        Open sites (read-only).
    assign : ndarray of int, shape (n_demand,)
        Index of the site serving each demand point: its nearest open site (ties: lowest site
        index), read-only.
    objective : float
        The model's objective, recomputed from ``open`` and the distances.
    result : SolveResult
        Status, proof, bound, gap and runtime of the whole method.
    method : str
        What ran, in words.
    stats : mapping of str to float
        Method figures (heuristic objective, LP bound, rounds, model size, times ...).
    """

    open: BoolArray
    assign: IntArray
    objective: float
    result: SolveResult
    method: str
    stats: Mapping[str, float] = field(default_factory=dict)

    @property
    def open_sites(self) -> IntArray:
        """Indices of the open sites, ascending."""
        return np.flatnonzero(self.open).astype(np.int64)


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True, eq=False)
class FacilityInputs:
    """Validated inputs shared by the p-median and p-center models.

    Attributes
    ----------
    d : ndarray, shape (n_demand, n_sites)
        Distances (read-only), ``inf`` when unreachable.
    weight : ndarray, shape (n_demand,)
        Demand weights (ones when the model has none).
    p : int
        Number of sites to open.
    fixed : ndarray of bool, shape (n_sites,)
        Sites that must be open.
    allowed : ndarray of bool, shape (n_sites,)
        Sites that may be open (not forbidden).
    """

    d: FloatArray
    weight: FloatArray
    p: int
    fixed: BoolArray
    allowed: BoolArray

    @property
    def n_demand(self) -> int:
        """Number of demand points."""
        return int(self.d.shape[0])

    @property
    def n_sites(self) -> int:
        """Number of candidate sites."""
        return int(self.d.shape[1])


def _shown(indices: NDArray[np.integer]) -> str:
    text = ", ".join(f"#{int(i)}" for i in indices[:_SHOWN])
    return text + (f" and {indices.size - _SHOWN} more" if indices.size > _SHOWN else "")


def _site_mask(
    name: str, value: object, n_sites: int, problems: list[str], model: str
) -> BoolArray:
    """Return a boolean mask from None, a mask or site indices; note a problem otherwise."""
    mask = np.zeros(n_sites, dtype=bool)
    array = np.asarray([] if value is None else value)
    problem = None
    if array.dtype == np.bool_:
        if array.shape == (n_sites,):
            return array.copy()
        problem = f"expected a boolean mask of shape ({n_sites},), got shape {array.shape}"
    elif array.size == 0:
        return mask
    elif array.ndim != 1 or array.dtype.kind not in "iu":
        problem = (
            "expected site indices (integers) or a boolean mask, "
            f"got dtype {array.dtype} and shape {array.shape}"
        )
    elif ((array < 0) | (array >= n_sites)).any():
        bad = array[(array < 0) | (array >= n_sites)]
        shown = ", ".join(str(int(v)) for v in bad[:_SHOWN])
        problem = f"site indices must be in 0..{n_sites - 1}, got {shown}"
    else:
        mask[array] = True
    if problem is not None:
        problems.append(f"{model} {name}: {problem}")
    return mask


def check_facility_inputs(
    d: object,
    p: object,
    *,
    weight: object = None,
    fixed_open: object = None,
    forbidden: object = None,
    model: str = "p-median",
) -> FacilityInputs:
    """Validate the inputs of a p-facility model and check that its rules can be met.

    Parameters
    ----------
    d
        Distances, shape (n_demand, n_sites): numbers >= 0, ``inf`` when unreachable.
    p
        Number of sites to open (an integer >= 1).
    weight
        Demand weights, shape (n_demand,), finite and >= 0; None for ones.
    fixed_open
        Sites that must be open: a boolean mask or site indices; None for none.
    forbidden
        Sites that must stay closed: a boolean mask or site indices; None for none.
    model
        Model name used in messages.

    Returns
    -------
    FacilityInputs
        Read-only copies.

    Raises
    ------
    DataError
        When shapes, types or values are wrong (all problems listed).
    InfeasibleError
        When a rule cannot be met: a site both fixed open and forbidden, more fixed sites
        than ``p``, fewer allowed sites than ``p``, or a demand point with no reachable
        allowed site.
    """
    matrix = np.asarray(d)
    if matrix.ndim != 2 or matrix.dtype.kind not in "biuf" or 0 in matrix.shape:
        raise DataError(
            f"{model} d: expected a non-empty 2-D array of numbers (demand points x sites), "
            f"got dtype {matrix.dtype} and shape {matrix.shape}"
        )
    n_demand, n_sites = (int(size) for size in matrix.shape)
    problems: list[str] = []
    distances = np.array(matrix, dtype=np.float64)
    rows = np.flatnonzero(np.isnan(distances).any(axis=1) | (distances < 0).any(axis=1))
    if rows.size:
        problems.append(
            f"{model} d: demand points {_shown(rows)} have NaN or negative distances "
            f"(use inf for no route)"
        )
    w = _weights(weight, n_demand, problems, model)
    count = _count(p, problems, model)
    fixed = _site_mask("fixed_open", fixed_open, n_sites, problems, model)
    blocked = _site_mask("forbidden", forbidden, n_sites, problems, model)
    if problems:
        raise DataError(problems)
    _check_rules(distances, count, fixed, blocked, model)
    for array in (distances, w, fixed, blocked):
        array.setflags(write=False)
    allowed = ~blocked
    allowed.setflags(write=False)
    return FacilityInputs(d=distances, weight=w, p=count, fixed=fixed, allowed=allowed)


def _weights(weight: object, n_demand: int, problems: list[str], model: str) -> FloatArray:
    if weight is None:
        return np.ones(n_demand)
    array = np.asarray(weight)
    if array.dtype.kind not in "biuf" or array.shape != (n_demand,):
        problems.append(
            f"{model} weight: expected {n_demand} numbers (one per demand point), "
            f"got dtype {array.dtype} and shape {array.shape}"
        )
        return np.ones(n_demand)
    w = np.array(array, dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(w) | (w < 0))
    if bad.size:
        problems.append(f"{model} weight: demand points {_shown(bad)} are not finite or < 0")
    return w


def _count(p: object, problems: list[str], model: str) -> int:
    if isinstance(p, bool) or not isinstance(p, int | np.integer) or int(p) < 1:
        problems.append(f"{model} p: expected an integer >= 1 (sites to open), got {p!r}")
        return 1
    return int(p)


def _check_rules(d: FloatArray, p: int, fixed: BoolArray, blocked: BoolArray, model: str) -> None:
    problems: list[str] = []
    both = np.flatnonzero(fixed & blocked)
    if both.size:
        problems.append(
            f"{model}: sites {_shown(both)} are both fixed open and forbidden: "
            "drop them from one of the two"
        )
    if int(fixed.sum()) > p:
        problems.append(
            f"{model}: {int(fixed.sum())} sites are fixed open but p = {p}: "
            "raise p or fix fewer sites"
        )
    allowed = int((~blocked).sum())
    if allowed < p:
        problems.append(
            f"{model}: p = {p} sites must open but only {allowed} are not forbidden: "
            "lower p or forbid fewer sites"
        )
    stranded = np.flatnonzero(~np.isfinite(d[:, ~blocked]).any(axis=1))
    if stranded.size:
        problems.append(
            f"{model}: demand points {_shown(stranded)} cannot reach any allowed site "
            "(all distances inf): add a route or a site, or drop those points"
        )
    if problems:
        raise InfeasibleError(problems)


def nearest_open(d: FloatArray, open_sites: BoolArray) -> tuple[IntArray, FloatArray]:
    """Return each demand point's nearest open site and its distance.

    Parameters
    ----------
    d
        Distances, shape (n_demand, n_sites).
    open_sites
        Open sites, shape (n_sites,), at least one.

    Returns
    -------
    ndarray of int
        Site index per demand point (ties: lowest site index).
    ndarray of float
        The distance to it (``inf`` when no open site is reachable).
    """
    columns = np.flatnonzero(open_sites)
    sub = d[:, columns]
    best = np.argmin(sub, axis=1)
    return columns[best].astype(np.int64), sub[np.arange(d.shape[0]), best]


# --------------------------------------------------------------------------- heuristic


def _penalised_cost(d: FloatArray, weight: FloatArray) -> FloatArray:
    """:math:`w_i d_{ij}`, with unreachable pairs costing more than any reachable plan."""
    finite = np.isfinite(d)
    cost = np.where(finite, d, 0.0) * weight[:, np.newaxis]
    penalty = 1.0 + float(cost.max(axis=1).sum())
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
    return _interchange(cost, chosen, fixed=fixed, allowed=allowed)


def _interchange(
    cost: FloatArray, chosen: BoolArray, *, fixed: BoolArray, allowed: BoolArray
) -> BoolArray:
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


# --------------------------------------------------------------------------- levels


@dataclass(frozen=True, eq=False)
class _Levels:
    """Per demand point: usable sites sorted by distance, and the distinct-distance levels."""

    order: NDArray[np.int32]  # (n, m) column by rank
    dist: FloatArray  # (n, m) sorted distances
    level: NDArray[np.int32]  # (n, m) level of each rank; huge where the distance is inf
    starts: BoolArray  # (n, m) rank opens a new finite level
    value: FloatArray  # (n, L) distance of each level (inf past the last)
    n_levels: IntArray  # (n,) levels worth modelling (capped at the nearest fixed site)

    def level_of(self, distance: FloatArray) -> IntArray:
        """Level index of each point's distance (the number of distinct distances below it)."""
        below = self.starts & (self.dist < distance[:, np.newaxis])
        return np.asarray(below.sum(axis=1), dtype=np.int64)


def _levels(d_cols: FloatArray, fixed_cols: BoolArray) -> _Levels:
    order = np.argsort(d_cols, axis=1, kind="stable").astype(np.int32)
    dist = np.take_along_axis(d_cols, order, axis=1)
    finite = np.isfinite(dist)
    starts = finite.copy()
    starts[:, 1:] &= dist[:, 1:] != dist[:, :-1]
    level = np.cumsum(starts, axis=1, dtype=np.int32) - 1
    level[~finite] = np.iinfo(np.int32).max
    n_levels = starts.sum(axis=1).astype(np.int64)
    if fixed_cols.any():
        nearest_fixed = d_cols[:, fixed_cols].min(axis=1)
        below = (starts & (dist < nearest_fixed[:, np.newaxis])).sum(axis=1)
        n_levels = np.where(np.isfinite(nearest_fixed), np.minimum(n_levels, below + 1), n_levels)
    width = int(n_levels.max()) + 1
    value = np.full((d_cols.shape[0], width), np.inf)
    i_s, b_s = np.nonzero(starts & (level < n_levels[:, np.newaxis]))
    value[i_s, level[i_s, b_s]] = dist[i_s, b_s]
    return _Levels(order, dist, level, starts, value, n_levels)


def _dense_rows(levels: _Levels, count: IntArray) -> BoolArray:
    """Rows for the first ``count[i]`` levels of each point (never the last level)."""
    width = levels.value.shape[1]
    upto = np.minimum(count, levels.n_levels - 1)
    return np.arange(width)[np.newaxis, :] < upto[:, np.newaxis]


def _tail_rows(levels: _Levels, rows: BoolArray) -> BoolArray:
    """Add rows 1, 2, 4, ... levels past each point's last row (up to :data:`_TAIL_LEVELS`).

    A point the MILP leaves unserved past its last row is charged the next distance only;
    a few rows further out charge such plans closer to their true cost, so the MILP rarely
    needs a second round, while the rows stay short (each row holds the sites between it
    and the previous row).
    """
    width = rows.shape[1]
    columns = np.arange(width)
    last = np.where(rows.any(axis=1), width - 1 - np.argmax(rows[:, ::-1], axis=1), -1)
    gap = columns[np.newaxis, :] - last[:, np.newaxis]
    power = (gap > 0) & ((gap & (gap - 1)) == 0) & (gap <= _TAIL_LEVELS)
    allowed = columns[np.newaxis, :] < (levels.n_levels - 1)[:, np.newaxis]
    return np.asarray(rows | (power & allowed & (last >= 0)[:, np.newaxis]), dtype=bool)


@dataclass(frozen=True, eq=False)
class _Radius:
    """The radius model as arrays, with the index maps to read it back."""

    arrays: MilpArrays
    n_y: int
    z_point: IntArray  # demand point of each z column
    z_level: IntArray  # level a of each z column ("not served within D^a")


def _build_radius(
    levels: _Levels,
    weight: FloatArray,
    rows: BoolArray,
    count: int,
    fixed_cols: BoolArray,
    reach_rows: BoolArray,
    *,
    integer: bool,
) -> _Radius:
    r"""Build the radius model with a row for every level ``a`` where ``rows[i, a]``.

    Row :math:`(i, a)` with previous row :math:`(i, a')` of the same point reads
    :math:`z_i^{a'} - z_i^{a} \le \sum_{j:\ a' < \ell_{ij} \le a} y_j` (:math:`z_i^{-1} = 1`),
    and :math:`z_i^a` costs :math:`w_i (D_i^{a+1} - D_i^{a'+1})` (:math:`D_i^{0}` for the
    first row): a point not served within :math:`D_i^a` pays at least :math:`D_i^{a+1}`.
    """
    n, m = levels.order.shape
    width = rows.shape[1]
    z_point, z_level = (index.astype(np.int64) for index in np.nonzero(rows))
    n_z = z_point.size
    first = np.ones(n_z, dtype=bool)
    first[1:] = z_point[1:] != z_point[:-1]
    previous = np.where(first, -1, np.concatenate(([-1], z_level[:-1])))
    step = levels.value[z_point, z_level + 1] - levels.value[z_point, previous + 1]
    step = step * weight[z_point]
    has_next = np.zeros(n_z, dtype=bool)
    has_next[:-1] = ~first[1:]
    # Row of each level: the first row at or after it (width when none).
    marked = np.where(rows, np.arange(width)[np.newaxis, :], width)
    target = np.minimum.accumulate(marked[:, ::-1], axis=1)[:, ::-1]
    row_id = np.full((n, width + 1), -1, dtype=np.int64)
    row_id[z_point, z_level] = np.arange(n_z)
    top = np.where(rows.any(axis=1), width - 1 - np.argmax(rows[:, ::-1], axis=1), -1)
    i_y, b_y = np.nonzero(levels.level <= top[:, np.newaxis])
    row_y = row_id[i_y, target[i_y, levels.level[i_y, b_y]]]
    col_y = levels.order[i_y, b_y].astype(np.int64)
    reach = np.flatnonzero(reach_rows)
    i_r, b_r = np.nonzero(np.isfinite(levels.dist[reach]))
    z_col = m + np.arange(n_z)
    matrix = sparse.csc_matrix(
        (
            np.concatenate(
                (
                    -np.ones(row_y.size),
                    -np.ones(n_z),
                    np.ones(int(has_next.sum())),
                    np.ones(i_r.size),
                    np.ones(m),
                )
            ),
            (
                np.concatenate(
                    (
                        row_y,
                        np.arange(n_z),
                        np.flatnonzero(has_next) + 1,
                        n_z + i_r,
                        np.full(m, n_z + reach.size),
                    )
                ),
                np.concatenate(
                    (
                        col_y,
                        z_col,
                        z_col[has_next],
                        levels.order[reach[i_r], b_r].astype(np.int64),
                        np.arange(m),
                    )
                ),
            ),
        ),
        shape=(n_z + reach.size + 1, m + n_z),
    )
    row_upper = np.where(first, -1.0, 0.0)
    row_upper = np.concatenate((row_upper, np.full(reach.size, np.inf), [float(count)]))
    row_lower = np.concatenate((np.full(n_z, -np.inf), np.ones(reach.size), [float(count)]))
    arrays = MilpArrays(
        c=np.concatenate((np.zeros(m), step)),
        A=matrix,
        row_lower=row_lower,
        row_upper=row_upper,
        lower=np.concatenate((fixed_cols.astype(np.float64), np.zeros(n_z))),
        upper=np.concatenate((np.ones(m), np.full(n_z, np.inf))),
        integer=np.concatenate((np.full(m, integer), np.zeros(n_z, dtype=bool))),
        offset=float((weight * levels.dist[:, 0]).sum()),
    )
    return _Radius(arrays, m, z_point, z_level)


def _served_level(levels: _Levels, cols: BoolArray) -> IntArray:
    """Level of each point's nearest open column (``n_levels`` when none is reachable)."""
    is_open = cols[levels.order]
    first = np.argmax(is_open, axis=1)
    dist = np.where(is_open.any(axis=1), levels.dist[np.arange(first.size), first], np.inf)
    return np.minimum(levels.level_of(dist), levels.n_levels)


def _start_vector(radius: _Radius, levels: _Levels, cols: BoolArray) -> FloatArray:
    """Full start: y of the plan and :math:`z_i^a = 1` while point i is not served."""
    served = _served_level(levels, cols)
    z = (served[radius.z_point] > radius.z_level).astype(np.float64)
    return np.concatenate((cols.astype(np.float64), z))


def _inexact(levels: _Levels, rows: BoolArray, served: IntArray, weight: FloatArray) -> BoolArray:
    """Points whose charge in the model is below their distance under a plan."""
    below = np.maximum(served - 1, 0)
    exact = (served == 0) | rows[np.arange(served.size), below]
    return np.asarray(~exact & (weight > 0) & (served < levels.n_levels), dtype=bool)


def _levels_needed(levels: _Levels, y: FloatArray) -> IntArray:
    """Level at which each point's cumulative coverage reaches 1 under ``y``."""
    cumulative = np.cumsum(y[levels.order], axis=1)
    full = cumulative >= 1.0 - _COVER_TOL
    rank = np.argmax(full, axis=1)
    level = levels.level[np.arange(rank.size), rank].astype(np.int64)
    return np.where(full.any(axis=1), np.minimum(level, levels.n_levels - 1), levels.n_levels - 1)


# --------------------------------------------------------------------------- solve


@dataclass
class _Search:
    """Mutable state of one p-median solve."""

    inputs: FacilityInputs
    best_open: BoolArray  # (n_sites,) the incumbent plan
    best_cost: float
    integral: bool
    deadline: float | None
    lower: float = -math.inf
    rounds_lp: int = 0
    rounds_milp: int = 0
    lp_bound: float = -math.inf
    fixed_closed: int = 0
    fixed_open: int = 0
    stopped: str = ""
    versions: set[str] = field(default_factory=set)

    def remaining(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.perf_counter()

    def rounded(self, bound: float) -> float:
        """Round a lower bound up when every cost is an integer."""
        if self.integral and math.isfinite(bound):
            return float(math.ceil(bound - _ROUND_TOL * max(1.0, abs(bound))))
        return bound

    def rounded_array(self, bounds: FloatArray) -> FloatArray:
        """:meth:`rounded` for an array of bounds."""
        if not self.integral:
            return bounds
        return np.ceil(bounds - _ROUND_TOL * np.maximum(1.0, np.abs(bounds)))

    def raise_lower(self, bound: float | None) -> None:
        if bound is not None and math.isfinite(bound):
            self.lower = max(self.lower, self.rounded(bound))

    def closed(self, spec: SolverSpec) -> bool:
        scale = max(1.0, abs(self.best_cost))
        return self.best_cost - self.lower <= max(1e-6 * scale, spec.mip_gap * scale)

    def offer(self, open_sites: BoolArray) -> None:
        """Keep a plan of exactly p sites (fixed ones included) when it beats the incumbent."""
        inputs = self.inputs
        if int(open_sites.sum()) != inputs.p or not open_sites[inputs.fixed].all():
            return
        cost = _plan_cost(inputs, open_sites)
        if cost < self.best_cost - 1e-9 * max(1.0, abs(cost)):
            self.best_open, self.best_cost = open_sites.copy(), cost


@dataclass(frozen=True, eq=False)
class _Setup:
    """The sites still in play (allowed, not fixed closed) and their distance levels."""

    inputs: FacilityInputs
    sites: IntArray  # site index of each column
    fixed_cols: BoolArray
    levels: _Levels
    reach_rows: BoolArray  # points that need an explicit "some reachable site" row

    def columns(self, open_sites: BoolArray) -> BoolArray:
        return open_sites[self.sites]

    def sites_of(self, cols: BoolArray) -> BoolArray:
        open_sites = np.zeros(self.inputs.n_sites, dtype=bool)
        open_sites[self.sites[cols]] = True
        return open_sites


def _setup(inputs: FacilityInputs, usable: BoolArray, fixed: BoolArray) -> _Setup:
    sites = np.flatnonzero(usable).astype(np.int64)
    d_cols = inputs.d[:, sites]
    fixed_cols = fixed[sites]
    reach_rows = np.asarray(~np.isfinite(d_cols).all(axis=1), dtype=bool)
    if fixed_cols.any():
        reach_rows &= ~np.isfinite(d_cols[:, fixed_cols]).any(axis=1)
    return _Setup(inputs, sites, fixed_cols, _levels(d_cols, fixed_cols), reach_rows)


def solve_pmedian(
    d: FloatArray,
    weight: FloatArray,
    p: int,
    *,
    fixed_open: BoolArray | Sequence[int] | None = None,
    forbidden: BoolArray | Sequence[int] | None = None,
    solver: SolverSpec,
) -> FacilitySolution:
    r"""Open exactly ``p`` sites minimising the weighted distance to the nearest open site.

    .. math::

        \min_{S,\ |S| = p,\ F \subseteq S,\ S \cap X = \emptyset} \;
        \sum_i w_i \min_{j \in S} d_{ij}

    with :math:`F` the fixed-open and :math:`X` the forbidden sites. See the module
    docstring for the method.

    Parameters
    ----------
    d
        Distances (or travel times), shape (n_demand, n_sites), >= 0, ``inf`` when
        unreachable.
    weight
        Demand weights :math:`w_i \ge 0`, shape (n_demand,).
    p
        Number of sites to open (fixed ones included).
    fixed_open
        Sites that must be open (boolean mask or indices).
    forbidden
        Sites that must stay closed (boolean mask or indices).
    solver
        CBC or HiGHS, time limit for the whole method, relative gap tolerance, threads.

    Returns
    -------
    FacilitySolution
        The best plan found, labelled with what was proven.

    Raises
    ------
    DataError
        When the inputs are malformed.
    InfeasibleError
        When the rules cannot be met (the message names the rule).
    SolverError
        When the solver fails.
    """
    begin = time.perf_counter()
    inputs = check_facility_inputs(
        d, p, weight=weight, fixed_open=fixed_open, forbidden=forbidden, model="p-median"
    )
    setup = _setup(inputs, inputs.allowed, inputs.fixed)
    d_cols = inputs.d[:, setup.sites]
    cost = _penalised_cost(d_cols, inputs.weight)
    plan = pmedian_heuristic(
        cost, inputs.p, fixed=setup.fixed_cols, allowed=np.ones(setup.sites.size, dtype=bool)
    )
    heuristic_time = time.perf_counter() - begin
    finite_cost = cost[np.isfinite(d_cols)]
    search = _Search(
        inputs=inputs,
        best_open=setup.sites_of(plan),
        best_cost=math.inf,
        integral=bool(np.all(finite_cost == np.round(finite_cost))),
        deadline=None if solver.time_limit_s is None else begin + solver.time_limit_s,
    )
    search.best_cost = _plan_cost(inputs, search.best_open)
    # Every point pays at least the distance to its nearest allowed site.
    search.raise_lower(float((inputs.weight * d_cols.min(axis=1)).sum()))
    heuristic_cost = search.best_cost
    logger.info(
        f"p-median: {inputs.n_demand:,} demand points, {setup.sites.size:,} allowed sites, "
        f"p = {inputs.p}; heuristic plan costs {heuristic_cost:.6g} ({heuristic_time:.2f} s)"
    )
    setup, rows = _reduce(setup, search, solver)
    if not search.closed(solver) and not search.stopped:
        _milp_phase(setup, rows, search, solver)
    stats = {
        "heuristic_objective": heuristic_cost,
        "heuristic_s": heuristic_time,
        "lp_bound": search.lp_bound,
        "lp_rounds": float(search.rounds_lp),
        "milp_rounds": float(search.rounds_milp),
        "sites_fixed_closed": float(search.fixed_closed),
        "sites_fixed_open": float(search.fixed_open),
    }
    return _solution(search, solver, begin, stats)


def _plan_cost(inputs: FacilityInputs, open_sites: BoolArray) -> float:
    _, dist = nearest_open(inputs.d, open_sites)
    if not np.isfinite(dist).all():
        return math.inf
    return float((inputs.weight * dist).sum())


def _initial_rows(setup: _Setup, open_sites: BoolArray) -> BoolArray:
    """Rows for every level below the one each point is served at in a plan."""
    served = _served_level(setup.levels, setup.columns(open_sites))
    return _dense_rows(setup.levels, np.where(setup.inputs.weight > 0, served, 0))


def _sub_spec(spec: SolverSpec, search: _Search) -> SolverSpec | None:
    remaining = search.remaining()
    if remaining is not None and remaining <= 0:
        search.stopped = "time limit reached"
        return None
    return spec.model_copy(update={"time_limit_s": remaining})


def _reduce(setup: _Setup, search: _Search, spec: SolverSpec) -> tuple[_Setup, BoolArray]:
    """LP bound with level generation, then reduced-cost fixing, while sites get fixed."""
    rows = _initial_rows(setup, search.best_open)
    reductions = 0
    while True:
        rows, lp = _lp_phase(setup, rows, search, spec)
        if lp is None or search.closed(spec) or search.stopped:
            break
        if reductions == _MAX_REDUCTIONS:
            break
        model, lp_solution, lp_value = lp
        closed_cols, open_cols = _fixings(setup, model, lp_solution, lp_value, search)
        fixed_now = int(closed_cols.sum() + open_cols.sum())
        if fixed_now == 0 or (reductions > 0 and fixed_now < _MIN_FIXED * setup.sites.size):
            break  # another LP round would not shrink the model enough to pay for itself
        reductions += 1
        search.fixed_closed += int(closed_cols.sum())
        search.fixed_open += int(open_cols.sum())
        logger.info(
            f"p-median reduced-cost fixing: {int(closed_cols.sum()):,} sites closed, "
            f"{int(open_cols.sum()):,} opened ({setup.sites.size - int(closed_cols.sum()):,} "
            "left)"
        )
        reach = _row_reach(setup.levels, rows)
        usable = setup.sites_of(~closed_cols)
        fixed = setup.sites_of(setup.fixed_cols | open_cols)
        setup = _setup(search.inputs, usable, fixed)
        # Keep the levels the LP needed (as distances): fewer LP rounds on the smaller model.
        reached = np.where(np.isfinite(reach), setup.levels.level_of(reach) + 1, 0)
        rows = _initial_rows(setup, search.best_open) | _dense_rows(setup.levels, reached)
    return setup, rows


def _row_reach(levels: _Levels, rows: BoolArray) -> FloatArray:
    """Distance of each point's last row (``-inf`` for a point without rows)."""
    width = rows.shape[1]
    has = rows.any(axis=1)
    top = np.where(has, width - 1 - np.argmax(rows[:, ::-1], axis=1), 0)
    return np.where(has, levels.value[np.arange(top.size), top], -np.inf)


_LpOutcome = tuple[_Radius, LpSolution, float]


def _lp_phase(
    setup: _Setup, rows: BoolArray, search: _Search, spec: SolverSpec
) -> tuple[BoolArray, _LpOutcome | None]:
    """Add levels until the truncated LP equals the full LP; raise the bound with it."""
    lp_spec = spec.model_copy(update={"mip_gap": 0.0})
    weighted = setup.inputs.weight > 0
    while True:
        sub = _sub_spec(lp_spec, search)
        if sub is None:
            return rows, None
        model = _build(setup, rows, integer=False)
        result, solution = solve_lp(model.arrays, sub)
        search.rounds_lp += 1
        _note_version(search, result)
        if result.status == "infeasible":
            raise InfeasibleError(_infeasible_message(search.inputs))
        if solution is None or result.objective is None:
            _stop_on(result, search, "LP")
            return rows, None
        search.raise_lower(result.objective)  # a truncated LP is a relaxation too
        y = np.clip(solution.x[: model.n_y], 0.0, 1.0)
        needed = _dense_rows(setup.levels, np.where(weighted, _levels_needed(setup.levels, y), 0))
        if (needed & ~rows).any():
            rows = rows | needed
            continue
        search.lp_bound = max(search.lp_bound, result.objective)
        if np.all((y < _COVER_TOL) | (y > 1.0 - _COVER_TOL)):
            search.offer(setup.sites_of(y > _HALF))
        elif not search.closed(spec):
            search.offer(setup.sites_of(_round_lp(setup, y)))
        logger.info(
            f"p-median LP bound {result.objective:.6g} after {search.rounds_lp} LP solves "
            f"({model.arrays.n_rows:,} rows, {setup.sites.size:,} sites); "
            f"best plan {search.best_cost:.6g}"
        )
        return rows, (model, solution, result.objective)


def _round_lp(setup: _Setup, y: FloatArray) -> BoolArray:
    """Take the p columns with the largest LP values (fixed first); improve by interchange."""
    inputs = setup.inputs
    rank = np.where(setup.fixed_cols, np.inf, y)
    order = np.argsort(-rank, kind="stable")
    cols = np.zeros(setup.sites.size, dtype=bool)
    cols[order[: inputs.p]] = True
    cost = _penalised_cost(inputs.d[:, setup.sites], inputs.weight)
    return _interchange(cost, cols, fixed=setup.fixed_cols, allowed=np.ones_like(cols))


def _fixings(
    setup: _Setup, model: _Radius, lp: LpSolution, lp_value: float, search: _Search
) -> tuple[BoolArray, BoolArray]:
    r"""Sites whose reduced cost proves them closed (or open) in every plan better than the best.

    With LP value :math:`z` and reduced cost :math:`\bar c_j`, a plan with :math:`y_j = 1`
    (:math:`y_j` at 0 in the LP) costs at least :math:`z + \bar c_j`; one with :math:`y_j = 0`
    (:math:`y_j` at 1) at least :math:`z - \bar c_j`. When that exceeds the best plan's cost
    the site is fixed. The best plan itself always survives (checked).
    """
    y = lp.x[: model.n_y]
    reduced = lp.reduced_cost[: model.n_y]
    margin = 1e-6 * max(1.0, abs(search.best_cost))
    incumbent = setup.columns(search.best_open)
    closed = (
        (y < _COVER_TOL)
        & (search.rounded_array(lp_value + reduced) > search.best_cost + margin)
        & ~setup.fixed_cols
    )
    opened = (
        (y > 1.0 - _COVER_TOL)
        & (search.rounded_array(lp_value - reduced) > search.best_cost + margin)
        & ~setup.fixed_cols
    )
    if (closed & incumbent).any() or (opened & ~incumbent).any():
        logger.warning("p-median: reduced-cost fixing contradicts the best plan; not fixing")
        return np.zeros_like(closed), np.zeros_like(opened)
    return closed, opened


def _milp_phase(setup: _Setup, rows: BoolArray, search: _Search, spec: SolverSpec) -> None:
    """Solve the MILP on a subset of levels; add the levels its plan needs to be exact."""
    rows = _tail_rows(setup.levels, rows)
    while not search.closed(spec):
        sub = _sub_spec(spec, search)
        if sub is None:
            return
        model = _build(setup, rows, integer=True)
        start = None
        if math.isfinite(search.best_cost):
            start = _start_vector(model, setup.levels, setup.columns(search.best_open))
        # The start is the best plan found by the heuristic and the LP: the solver's own
        # heuristics rarely beat it, so its time goes to the bound.
        result, x = solve_milp(model.arrays, sub, start=start, heuristics=start is None)
        search.rounds_milp += 1
        _note_version(search, result)
        if result.status == "infeasible":
            raise InfeasibleError(_infeasible_message(search.inputs))
        search.raise_lower(result.bound)
        if x is None:
            _stop_on(result, search, "MILP")
            return
        cols = x[: model.n_y] > _HALF
        search.offer(setup.sites_of(cols))
        if result.status != "optimal":
            _stop_on(result, search, "MILP")
            return
        served = _served_level(setup.levels, cols)
        inexact = _inexact(setup.levels, rows, served, setup.inputs.weight)
        if not inexact.any():
            return  # exact on this plan: the relaxation's optimum is the true optimum
        points = np.flatnonzero(inexact)
        rows[points, served[points] - 1] = True
        logger.info(
            f"p-median MILP round {search.rounds_milp}: {points.size:,} points charged below "
            "their distance; adding their levels"
        )


def _build(setup: _Setup, rows: BoolArray, *, integer: bool) -> _Radius:
    return _build_radius(
        setup.levels,
        setup.inputs.weight,
        rows,
        setup.inputs.p,
        setup.fixed_cols,
        setup.reach_rows,
        integer=integer,
    )


def _note_version(search: _Search, result: SolveResult) -> None:
    if result.solver_version:
        search.versions.add(result.solver_version)


def _stop_on(result: SolveResult, search: _Search, phase: str) -> None:
    if result.status == "error":
        raise SolverError(f"p-median {phase}: the solver failed ({result.detail})")
    search.stopped = f"{phase} stopped: {result.detail or result.status}"


def _infeasible_message(inputs: FacilityInputs) -> str:
    return (
        f"p-median: no {inputs.p} sites reach every demand point (some points have no route "
        "to many sites): raise p, allow more sites or drop unreachable points"
    )


def _solution(
    search: _Search, spec: SolverSpec, begin: float, stats: dict[str, float]
) -> FacilitySolution:
    inputs = search.inputs
    if not math.isfinite(search.best_cost):
        raise InfeasibleError(_infeasible_message(inputs))
    open_sites = search.best_open.copy()
    assign, dist = nearest_open(inputs.d, open_sites)
    objective = float((inputs.weight * dist).sum())
    bound = min(search.lower, objective) if search.closed(spec) else search.lower
    detail = search.stopped or (
        f"bound met the plan after {search.rounds_lp} LP and {search.rounds_milp} MILP solves"
    )
    result = method_result(
        spec,
        objective=objective,
        bound=bound if math.isfinite(bound) else None,
        runtime_s=time.perf_counter() - begin,
        detail=detail,
        options={"method": "radius formulation", "integral_bounds": search.integral},
        solver_version=", ".join(sorted(search.versions)) or None,
    )
    for array in (open_sites, assign):
        array.setflags(write=False)
    return FacilitySolution(
        open=open_sites,
        assign=assign,
        objective=objective,
        result=result,
        method=_METHOD,
        stats=stats,
    )
