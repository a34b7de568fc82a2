r"""The p-center problem, solved exactly by a search over covering problems.

Demand points :math:`i`, candidate sites :math:`j`, distances :math:`d_{ij} \ge 0` (``inf``
when unreachable). Open exactly :math:`p` sites (the fixed-open ones included, none of the
forbidden ones) so that the farthest demand point is as close as possible to its nearest
open site:

.. math::

    r^* = \min_{S,\ |S| = p} \; \max_i \min_{j \in S} d_{ij}.

Method (not the big-M MILP, whose LP bound is useless)
    The optimum :math:`r^*` is one of the sorted distinct distances :math:`R_1 < R_2 < \dots`.
    For a radius :math:`r`, "can :math:`p` sites serve every point within :math:`r`?" is a
    set-covering feasibility problem

    .. math::

        \sum_{j \notin F:\ d_{ij} \le r} y_j \ge 1 \;\; (i \text{ not within } r
        \text{ of a fixed site } F), \qquad \sum_{j \notin F} y_j \le p - |F|,
        \qquad y \in \{0, 1\},

    feasible for every :math:`r \ge r^*` and for none below. The search keeps a proven lower
    radius (every smaller radius infeasible) and the radius of the best plan:

    1. *Heuristic plan*: farthest-first (Gonzalez) opening, then alternating 1-center moves
       (each cluster's site replaced by the site minimising the cluster's largest distance).
       Lower radius: the largest distance from a point to its nearest allowed site.
    2. *LP bound*: binary search for the smallest radius whose LP relaxation is feasible
       (Elloumi, Labbé & Pochet 2004): every smaller radius is infeasible.
    3. *Exact search*: binary search between the two with the MILP. A feasible radius gives
       a plan whose own radius (often smaller) becomes the upper end; an infeasible one
       raises the lower end. Proven when they meet.

    Each covering problem is solved with *row generation* on the points (Contardo, Iori &
    Kramer 2019): it starts from the points the best plan leaves uncovered plus the points
    that were needed before, and adds the points its solution leaves uncovered; a problem
    over some points that is infeasible is infeasible over all. Plans with fewer than
    :math:`p` sites are completed greedily (sites that most reduce the total distance).

A time limit returns the best plan with the lower radius proven so far as its bound.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Literal

import numpy as np
from scipy import sparse

from planner.errors import InfeasibleError, SolverError
from planner.model.base import (
    BoolArray,
    FacilityInputs,
    FacilitySolution,
    FloatArray,
    IntArray,
    check_facility_inputs,
    facility_solution,
    nearest_open,
    remaining_spec,
)
from planner.model.heuristics import pcenter_heuristic, plan_radius
from planner.solve import MilpArrays, method_result, solve_milp

if TYPE_CHECKING:
    from collections.abc import Sequence

    from planner.scenario import SolverSpec

__all__ = ["pcenter_heuristic", "solve_pcenter"]

logger = logging.getLogger(__name__)

_COVER_TOL: Final[float] = 1e-6
_HALF: Final[float] = 0.5
_METHOD: Final[str] = (
    "p-center: farthest-first + 1-center moves start; binary search over set-covering "
    "problems (LP bound, then MILP) with row generation on the points"
)

Answer = Literal["feasible", "infeasible", "unknown"]


@dataclass
class _Search:
    """State of one p-center search over radii."""

    inputs: FacilityInputs
    sites: IntArray  # site index of each column
    sub: FloatArray  # (n, m) distances to the columns
    fixed_cols: BoolArray
    free: IntArray  # columns that are not fixed open
    radii: FloatArray  # sorted distinct finite distances: the candidate optima
    best_cols: BoolArray
    best_radius: float
    lo: int  # every radius below radii[lo] is infeasible
    deadline: float | None
    active: BoolArray  # points whose covering rows are in the models
    rounds_lp: int = 0
    rounds_milp: int = 0
    lp_radius: float = math.nan
    stopped: str = ""
    versions: set[str] = field(default_factory=set)

    @property
    def k(self) -> int:
        """Sites still to choose beyond the fixed ones."""
        return self.inputs.p - int(self.fixed_cols.sum())

    @property
    def lower(self) -> float:
        """The proven lower radius (``inf`` when no candidate radius is feasible)."""
        return float(self.radii[self.lo]) if self.lo < self.radii.size else math.inf

    @property
    def hi(self) -> int:
        """Index of the best plan's radius."""
        return int(np.searchsorted(self.radii, self.best_radius))

    def spec(self, spec: SolverSpec) -> SolverSpec | None:
        sub = remaining_spec(spec, self.deadline)
        if sub is None:
            self.stopped = "time limit reached"
        return sub

    def offer(self, cols: BoolArray) -> None:
        cols = _complete(self.sub, cols, self.inputs.p)
        radius = plan_radius(self.sub, cols)
        if radius < self.best_radius:
            self.best_cols, self.best_radius = cols, radius


def _complete(sub: FloatArray, cols: BoolArray, p: int) -> BoolArray:
    """Add sites to reach exactly p: each time the one that most lowers the total distance."""
    cols = cols.copy()
    # Unreachable pairs count as a large finite distance, so that sums stay finite.
    big = float(np.where(np.isfinite(sub), sub, 0.0).max()) * sub.shape[0] + 1.0
    capped = np.where(np.isfinite(sub), sub, big)
    nearest = capped[:, cols].min(axis=1) if cols.any() else np.full(sub.shape[0], big)
    while int(cols.sum()) < p:
        score = np.minimum(nearest[:, np.newaxis], capped).sum(axis=0)
        score[cols] = np.inf
        pick = int(np.argmin(score))
        cols[pick] = True
        nearest = np.minimum(nearest, capped[:, pick])
    return cols


def solve_pcenter(
    d: FloatArray,
    p: int,
    *,
    fixed_open: BoolArray | Sequence[int] | None = None,
    forbidden: BoolArray | Sequence[int] | None = None,
    solver: SolverSpec,
) -> FacilitySolution:
    r"""Open exactly ``p`` sites minimising the largest distance to the nearest open site.

    .. math::

        \min_{S,\ |S| = p,\ F \subseteq S,\ S \cap X = \emptyset} \;
        \max_i \min_{j \in S} d_{ij}

    with :math:`F` the fixed-open and :math:`X` the forbidden sites. See the module
    docstring for the method.

    Parameters
    ----------
    d
        Distances (or travel times), shape (n_demand, n_sites), >= 0, ``inf`` when
        unreachable.
    p
        Number of sites to open (fixed ones included).
    fixed_open
        Sites that must be open (boolean mask or indices).
    forbidden
        Sites that must stay closed (boolean mask or indices).
    solver
        CBC or HiGHS, time limit for the whole search, threads. A ``mip_gap`` > 0 stops the
        search once the radii are that close (relative).

    Returns
    -------
    FacilitySolution
        The best plan found; ``objective`` is its radius, ``result.bound`` the proven
        lower radius.

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
        d, p, fixed_open=fixed_open, forbidden=forbidden, model="p-center"
    )
    search = _start(inputs, solver, begin)
    heuristic_radius = search.best_radius
    heuristic_time = time.perf_counter() - begin
    logger.info(
        f"p-center: {inputs.n_demand:,} demand points, {search.sites.size:,} allowed sites, "
        f"p = {inputs.p}, {search.radii.size:,} candidate radii; heuristic radius "
        f"{heuristic_radius:.6g}, lower radius {search.lower:.6g}"
    )
    _lp_search(search, solver)
    _milp_search(search, solver)
    return _solution(search, solver, begin, heuristic_radius, heuristic_time)


def _start(inputs: FacilityInputs, spec: SolverSpec, begin: float) -> _Search:
    sites = np.flatnonzero(inputs.allowed).astype(np.int64)
    sub = inputs.d[:, sites]
    fixed_cols = inputs.fixed[sites]
    plan = pcenter_heuristic(
        sub, inputs.p, fixed=fixed_cols, allowed=np.ones(sites.size, dtype=bool)
    )
    finite = sub[np.isfinite(sub)]
    radii = np.unique(finite)
    lower = float(sub.min(axis=1).max())  # every point needs some site
    search = _Search(
        inputs=inputs,
        sites=sites,
        sub=sub,
        fixed_cols=fixed_cols,
        free=np.flatnonzero(~fixed_cols).astype(np.int64),
        radii=radii,
        best_cols=plan,
        best_radius=plan_radius(sub, plan),
        lo=int(np.searchsorted(radii, lower)),
        deadline=None if spec.time_limit_s is None else begin + spec.time_limit_s,
        active=np.zeros(inputs.n_demand, dtype=bool),
    )
    search.offer(plan)
    return search


def _closed(search: _Search, spec: SolverSpec) -> bool:
    if search.lo >= search.hi:
        return True
    gap = search.best_radius - search.lower
    return gap <= spec.mip_gap * max(abs(search.best_radius), 1e-9)


def _lp_search(search: _Search, spec: SolverSpec) -> None:
    """Raise the lower radius to the smallest radius whose LP relaxation is feasible."""
    low, high = search.lo, search.hi
    while low < high and not search.stopped:
        middle = (low + high) // 2
        answer, _ = _decide(search, float(search.radii[middle]), integer=False, spec=spec)
        if answer == "infeasible":
            low = middle + 1
        elif answer == "feasible":
            high = middle
        else:
            return
    search.lo = max(search.lo, low)
    search.lp_radius = search.lower
    logger.info(
        f"p-center LP bound: radius {search.lp_radius:.6g} after {search.rounds_lp} LP "
        f"solves; best plan {search.best_radius:.6g}"
    )


def _milp_search(search: _Search, spec: SolverSpec) -> None:
    """Binary search with the covering MILP between the lower radius and the best plan."""
    first = True
    while not _closed(search, spec) and not search.stopped:
        # The LP bound is often the optimum: try it first, then bisect.
        middle = search.lo if first else (search.lo + search.hi) // 2
        first = False
        answer, cols = _decide(search, float(search.radii[middle]), integer=True, spec=spec)
        if answer == "infeasible":
            search.lo = middle + 1
        elif answer == "feasible" and cols is not None:
            search.offer(cols)
        else:
            return
        logger.info(
            f"p-center radius {search.radii[middle]:.6g}: {answer}; radii now "
            f"[{search.lower:.6g}, {search.best_radius:.6g}]"
        )


def _decide(
    search: _Search, radius: float, *, integer: bool, spec: SolverSpec
) -> tuple[Answer, BoolArray | None]:
    """Can p sites serve every point within ``radius``? Covering rows are added on demand."""
    fixed_near = (
        search.sub[:, search.fixed_cols].min(axis=1)
        if search.fixed_cols.any()
        else np.full(search.inputs.n_demand, np.inf)
    )
    need = fixed_near > radius
    cover = search.sub[:, search.free] <= radius  # (n, free)
    fixed_plan = search.fixed_cols.copy()
    if not need.any():
        return "feasible", fixed_plan
    if search.k == 0 or (need & ~cover.any(axis=1)).any():
        return "infeasible", None  # no site to add, or a point with no site within radius
    uncovered = need & (search.sub[:, search.best_cols] > radius).all(axis=1)
    rows = need & (search.active | uncovered)
    while True:
        sub_spec = search.spec(spec)
        if sub_spec is None:
            return "unknown", None
        y, answer = _solve_cover(search, cover[rows], integer=integer, spec=sub_spec)
        if y is None:
            return answer, None
        coverage = cover[need].astype(np.float64) @ y
        missing = np.zeros_like(need)
        missing[need] = coverage < 1.0 - _COVER_TOL
        if integer and missing.any():
            y, missing = _complete_cover(cover, y, missing, search.k)
        if not missing.any():
            if not integer:
                return "feasible", None
            cols = fixed_plan
            cols[search.free[y > _HALF]] = True
            return "feasible", cols
        rows |= missing
        search.active |= missing


def _complete_cover(
    cover: BoolArray, y: FloatArray, missing: BoolArray, k: int
) -> tuple[FloatArray, BoolArray]:
    """Spend the sites left on the points still missing: greedy set cover."""
    y = y.copy()
    missing = missing.copy()
    while missing.any() and int(np.round(y.sum())) < k:
        gain = cover[missing].sum(axis=0)
        gain[y > _HALF] = -1
        pick = int(np.argmax(gain))
        if gain[pick] <= 0:
            break
        y[pick] = 1.0
        missing &= ~cover[:, pick]
    return y, missing


def _solve_cover(
    search: _Search, rows: BoolArray, *, integer: bool, spec: SolverSpec
) -> tuple[FloatArray | None, Answer]:
    r"""Solve :math:`\{B y \ge 1,\ \sum y \le k\}` over some points; None when not feasible."""
    n_rows, n_cols = rows.shape
    ones = sparse.csr_matrix(np.ones((1, n_cols)))
    model = MilpArrays(
        c=np.zeros(n_cols),
        A=sparse.vstack((sparse.csr_matrix(rows, dtype=np.float64), ones)),
        row_lower=np.concatenate((np.ones(n_rows), [-np.inf])),
        row_upper=np.concatenate((np.full(n_rows, np.inf), [float(search.k)])),
        lower=np.zeros(n_cols),
        upper=np.ones(n_cols),
        integer=np.full(n_cols, integer),
    )
    result, x = solve_milp(model, spec)
    if integer:
        search.rounds_milp += 1
    else:
        search.rounds_lp += 1
    if result.solver_version:
        search.versions.add(result.solver_version)
    if result.status == "infeasible":
        return None, "infeasible"
    if result.status == "error":
        raise SolverError(f"p-center covering problem: the solver failed ({result.detail})")
    if x is None:
        search.stopped = f"covering problem stopped: {result.detail or result.status}"
        return None, "unknown"
    if integer:
        return (x > _HALF).astype(np.float64), "feasible"
    return np.clip(x, 0.0, 1.0), "feasible"


def _solution(
    search: _Search,
    spec: SolverSpec,
    begin: float,
    heuristic_radius: float,
    heuristic_time: float,
) -> FacilitySolution:
    inputs = search.inputs
    open_sites = np.zeros(inputs.n_sites, dtype=bool)
    open_sites[search.sites[search.best_cols]] = True
    assign, dist = nearest_open(inputs.d, open_sites)
    objective = float(dist.max())
    if not math.isfinite(objective):
        raise InfeasibleError(
            f"p-center: no {inputs.p} sites reach every demand point: raise p or allow more sites"
        )
    lower = search.lower
    detail = search.stopped or (
        f"lower and upper radius met after {search.rounds_lp} LP and {search.rounds_milp} "
        "MILP covering solves"
    )
    result = method_result(
        spec,
        objective=objective,
        bound=min(lower, objective),
        runtime_s=time.perf_counter() - begin,
        detail=detail,
        options={"method": "covering search"},
        solver_version=", ".join(sorted(search.versions)) or None,
    )
    stats = {
        "heuristic_objective": heuristic_radius,
        "heuristic_s": heuristic_time,
        "lp_bound": search.lp_radius,
        "lp_rounds": float(search.rounds_lp),
        "milp_rounds": float(search.rounds_milp),
        "candidate_radii": float(search.radii.size),
        "active_points": float(search.active.sum()),
    }
    return facility_solution(open_sites, assign, objective, result, _METHOD, stats)
