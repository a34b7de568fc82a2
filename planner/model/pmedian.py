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
from planner.model.heuristics import interchange, penalised_cost, pmedian_heuristic
from planner.model.pmedian_benders import PMedianMethod, pmedian_method, solve_pmedian_benders
from planner.model.radius import (
    COVER_TOL,
    Levels,
    Radius,
    build_radius,
    dense_rows,
    distance_levels,
    inexact_points,
    levels_needed,
    radius_start,
    served_level,
    tail_rows,
)
from planner.solve import LpSolution, SolveResult, method_result, solve_lp, solve_milp

if TYPE_CHECKING:
    from collections.abc import Sequence

    from planner.scenario import SolverSpec

__all__ = [
    "FacilityInputs",
    "FacilitySolution",
    "check_facility_inputs",
    "nearest_open",
    "pmedian_heuristic",
    "pmedian_method",
    "solve_pmedian",
]

logger = logging.getLogger(__name__)

_ROUND_TOL: Final[float] = 1e-6
_HALF: Final[float] = 0.5
_MAX_REDUCTIONS: Final[int] = 4
_MIN_FIXED: Final[float] = 0.05
_METHOD: Final[str] = (
    "p-median: greedy + fast interchange start; radius formulation with level generation "
    "(Elloumi 2010; Garcia, Labbe & Marin 2011), LP then MILP"
)


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
    levels: Levels
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
    return _Setup(inputs, sites, fixed_cols, distance_levels(d_cols, fixed_cols), reach_rows)


def solve_pmedian(
    d: FloatArray,
    weight: FloatArray,
    p: int,
    *,
    fixed_open: BoolArray | Sequence[int] | None = None,
    forbidden: BoolArray | Sequence[int] | None = None,
    solver: SolverSpec,
    method: PMedianMethod | None = None,
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
    method
        ``"radius"`` (this module's method), ``"benders"`` (the Benders decomposition of
        :mod:`planner.model.pmedian_benders`, HiGHS only) or ``"auto"``: see
        :func:`pmedian_method` for the rule. None: ``solver.pmedian_method``.
        ``result.options["method"]`` and ``method`` of the solution say which ran.

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
    chosen = solver.pmedian_method if method is None else method
    if pmedian_method(solver, chosen) == "benders":
        return solve_pmedian_benders(inputs, solver, begin=begin)
    setup = _setup(inputs, inputs.allowed, inputs.fixed)
    d_cols = inputs.d[:, setup.sites]
    cost = penalised_cost(d_cols, inputs.weight)
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
    served = served_level(setup.levels, setup.columns(open_sites))
    return dense_rows(setup.levels, np.where(setup.inputs.weight > 0, served, 0))


def _sub_spec(spec: SolverSpec, search: _Search) -> SolverSpec | None:
    sub = remaining_spec(spec, search.deadline)
    if sub is None:
        search.stopped = "time limit reached"
    return sub


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
        rows = _initial_rows(setup, search.best_open) | dense_rows(setup.levels, reached)
    return setup, rows


def _row_reach(levels: Levels, rows: BoolArray) -> FloatArray:
    """Distance of each point's last row (``-inf`` for a point without rows)."""
    width = rows.shape[1]
    has = rows.any(axis=1)
    top = np.where(has, width - 1 - np.argmax(rows[:, ::-1], axis=1), 0)
    return np.where(has, levels.value[np.arange(top.size), top], -np.inf)


_LpOutcome = tuple[Radius, LpSolution, float]


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
        needed = dense_rows(setup.levels, np.where(weighted, levels_needed(setup.levels, y), 0))
        if (needed & ~rows).any():
            rows = rows | needed
            continue
        search.lp_bound = max(search.lp_bound, result.objective)
        if np.all((y < COVER_TOL) | (y > 1.0 - COVER_TOL)):
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
    cost = penalised_cost(inputs.d[:, setup.sites], inputs.weight)
    return interchange(cost, cols, fixed=setup.fixed_cols, allowed=np.ones_like(cols))


def _fixings(
    setup: _Setup, model: Radius, lp: LpSolution, lp_value: float, search: _Search
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
        (y < COVER_TOL)
        & (search.rounded_array(lp_value + reduced) > search.best_cost + margin)
        & ~setup.fixed_cols
    )
    opened = (
        (y > 1.0 - COVER_TOL)
        & (search.rounded_array(lp_value - reduced) > search.best_cost + margin)
        & ~setup.fixed_cols
    )
    if (closed & incumbent).any() or (opened & ~incumbent).any():
        logger.warning("p-median: reduced-cost fixing contradicts the best plan; not fixing")
        return np.zeros_like(closed), np.zeros_like(opened)
    return closed, opened


def _milp_phase(setup: _Setup, rows: BoolArray, search: _Search, spec: SolverSpec) -> None:
    """Solve the MILP on a subset of levels; add the levels its plan needs to be exact."""
    rows = tail_rows(setup.levels, rows)
    while not search.closed(spec):
        sub = _sub_spec(spec, search)
        if sub is None:
            return
        model = _build(setup, rows, integer=True)
        start = None
        if math.isfinite(search.best_cost):
            start = radius_start(model, setup.levels, setup.columns(search.best_open))
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
        served = served_level(setup.levels, cols)
        inexact = inexact_points(setup.levels, rows, served, setup.inputs.weight)
        if not inexact.any():
            return  # exact on this plan: the relaxation's optimum is the true optimum
        points = np.flatnonzero(inexact)
        rows[points, served[points] - 1] = True
        logger.info(
            f"p-median MILP round {search.rounds_milp}: {points.size:,} points charged below "
            "their distance; adding their levels"
        )


def _build(setup: _Setup, rows: BoolArray, *, integer: bool) -> Radius:
    return build_radius(
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
    return facility_solution(open_sites, assign, objective, result, _METHOD, stats)
