r"""The p-median by Benders decomposition of the radius formulation (Duran-Mateluna et al. 2023).

Demand points :math:`i` with weights :math:`w_i`, allowed sites :math:`j`, distances
:math:`d_{ij}`. For point :math:`i` let :math:`D_i^1 < D_i^2 < \dots < D_i^{K_i}` be its distinct
distances to the sites. The radius formulation (Elloumi 2010) charges
:math:`D_i^1 + \sum_k (D_i^{k+1} - D_i^k) z_i^k` with
:math:`z_i^k \ge 1 - \sum_{j:\ d_{ij} \le D_i^k} y_j`, :math:`z \ge 0`. For fixed :math:`y` the
:math:`z` of each point form a separate problem with a closed-form optimum; projecting them out
leaves the *master*

.. math::

    \min \sum_i w_i \theta_i \quad \text{s.t.} \quad \sum_j y_j = p, \quad
    \theta_i \ge r - \sum_j (r - d_{ij})^+\, y_j \quad (r \in \{D_i^k\}), \quad
    \theta_i \ge D_i^1, \quad y \in \{0, 1\}.

Every such cut is valid: for a plan whose nearest open site is at :math:`d^*_i`, the right-hand
side is at most :math:`r \le d^*_i` when :math:`d^*_i \ge r` and at most
:math:`r - (r - d^*_i) = d^*_i` otherwise. At a point :math:`\bar y` (fractional or not) the
subproblem of point :math:`i` is solved by its *critical level*: with its sites sorted by
distance and :math:`\bar y` summed along that order, :math:`r_i = D_i^{k^*}` is the distance at
which the running sum first reaches 1, and the cut with :math:`r = r_i` is tight at
:math:`\bar y` (the Benders optimality cut; the sum
:math:`D_i^1 + \sum_{k<k^*} (D_i^{k+1} - D_i^k)(1 - \sum_{d_{ij} \le D_i^k} y_j)` telescopes to
it). This is one cumulative sum over the sorted sites, done for every point at once with numpy.

Method
    1. *Start*: the master's first cuts are those at the core point (every site at
       :math:`p / n`).
    2. *LP phase*: the master's LP relaxation by cutting planes on one warm-started HiGHS LP
       (:class:`planner.solve.incremental.IncrementalHighs`). Cuts are separated at a point
       between the LP solution and a core point (in-out stabilisation, Ben-Ameur & Neto 2007),
       and at the LP solution itself when those cut nothing off. Every LP value is a valid
       lower bound; the LP phase ends when no cut is violated (the bound is then the LP
       relaxation of the p-median) or the bound meets the best plan. The LP solution rounded
       to its :math:`p` largest :math:`y_j` and improved by interchange is the first plan;
       for :math:`p \le 50` with the gap still open, greedy addition and fast interchange
       (:mod:`planner.model.heuristics`) offer another.
    3. *Reduction*: with LP value :math:`z` and reduced cost :math:`\bar c_j`, a plan opening a
       site at 0 in the LP costs at least :math:`z + \bar c_j`, one closing a site at 1 at least
       :math:`z - \bar c_j`; sites whose bound exceeds the best plan are fixed.
    4. *MIP phase*: the master MILP with every cut found, the best plan as its start. At its
       optimum :math:`y^*` the cuts violated by :math:`(y^*, \theta^*)` are added and the MILP
       solved again, until none is violated: then the master's optimum is the cost of
       :math:`y^*` and its bound proves it.

When every :math:`w_i d_{ij}` is an integer, bounds are rounded up and the MILP may stop at an
absolute gap below 1. Every answer is checked: the objective is recomputed from the open sites;
``proven_optimal`` means the best bound equals it; a time limit returns the best plan with its
bound and gap, labelled not proven.
"""

from __future__ import annotations

import logging
import math
import time
from typing import TYPE_CHECKING, Final, Literal

import numpy as np

from planner.errors import DataError, InfeasibleError, SolverError
from planner.model.base import (
    FacilityInputs,
    FacilitySolution,
    FloatArray,
    facility_solution,
    nearest_open,
    remaining_spec,
)
from planner.model.heuristics import interchange, penalised_cost, pmedian_heuristic
from planner.model.pmedian_benders_master import (
    BendersMaster,
    add_cuts,
    add_level_cuts,
    critical_radius,
    cut_values,
    cuts_at,
    first_rows,
    master_start,
    violated_clients,
)
from planner.solve import SolveResult, method_result

if TYPE_CHECKING:
    from planner.scenario import SolverSpec

__all__ = [
    "METHOD_BENDERS",
    "PMedianMethod",
    "pmedian_method",
    "solve_pmedian_benders",
]

logger = logging.getLogger(__name__)

METHOD_BENDERS: Final[str] = (
    "p-median: greedy + fast interchange start; Benders decomposition of the radius "
    "formulation (Duran-Mateluna, Ales & Elloumi 2023): LP cutting planes, reduced-cost "
    "fixing, then MILP with cuts at its plans"
)

PMedianMethod = Literal["auto", "radius", "benders"]

_ROUND_TOL: Final[float] = 1e-6
_COVER_TOL: Final[float] = 1e-6
_LP_GAP: Final[float] = 1e-7  # the LP phase stops when its own gap is this small
_ALPHA: Final[float] = 0.5  # separation point: ALPHA * LP solution + (1 - ALPHA) * core
_HALF: Final[float] = 0.5
_HEURISTIC_MAX_P: Final[int] = 50  # greedy + interchange after the LP up to this p
_ABS_GAP: Final[float] = 1.0 - 1e-6


def pmedian_method(solver: SolverSpec, method: PMedianMethod) -> str:
    """Return the method that :func:`solve_pmedian` runs: ``"radius"`` or ``"benders"``.

    ``"auto"`` picks Benders when the solver is HiGHS (the method needs its incremental LP),
    the radius formulation with CBC. Measured with HiGHS (``benchmarks/orlib_pmed.py``,
    ``benchmarks/tsplib_pmed.py``): Benders is many times faster once the LP relaxation is
    (nearly) integral, which is most instances with p >= 20, and on the large TSPLIB
    instances at every p; at small p on OR-Library graphs the two are within a factor of
    about two either way (the MILP on the master and the radius MILP then do the work).

    Parameters
    ----------
    solver
        The solver options.
    method
        ``"auto"``, ``"radius"`` or ``"benders"``.

    Returns
    -------
    str
        ``"radius"`` or ``"benders"``.

    Raises
    ------
    DataError
        When ``method`` is unknown.
    """
    if method not in {"auto", "radius", "benders"}:
        msg = f"p-median method: expected 'auto', 'radius' or 'benders', got {method!r}"
        raise DataError(msg)
    if method != "auto":
        return method
    return "benders" if solver.name == "highs" else "radius"


def solve_pmedian_benders(
    inputs: FacilityInputs, solver: SolverSpec, *, begin: float | None = None
) -> FacilitySolution:
    r"""Solve a checked p-median instance by Benders decomposition (see the module docstring).

    Parameters
    ----------
    inputs
        Validated inputs (:func:`planner.model.base.check_facility_inputs`).
    solver
        HiGHS options: time limit for the whole method, relative gap tolerance, threads.
    begin
        :func:`time.perf_counter` value at which the method started (default: now).

    Returns
    -------
    FacilitySolution
        The best plan found, labelled with what was proven.

    Raises
    ------
    DataError
        When the solver is not HiGHS (the method needs an incremental LP).
    InfeasibleError
        When no plan reaches every demand point.
    SolverError
        When HiGHS fails.
    """
    start = time.perf_counter() if begin is None else begin
    if solver.name != "highs":
        msg = (
            f"p-median method 'benders' needs solver.name: highs (got {solver.name!r}): set "
            "solver.name: highs, or method 'radius'"
        )
        raise DataError(msg)
    master = _setup(inputs, solver, start)
    logger.info(
        f"p-median (Benders): {inputs.n_demand:,} demand points, {master.n_cols:,} allowed "
        f"sites, p = {inputs.p} ({time.perf_counter() - start:.2f} s to set up)"
    )
    lp = _lp_phase(master, solver)
    first_plan, first_time = master.best_cost, time.perf_counter() - start
    if not math.isfinite(master.best_cost) or (
        inputs.p <= _HEURISTIC_MAX_P and not master.closed(solver)
    ):
        # No plan yet (the LP stopped early), or a small p whose LP gap calls for the MILP:
        # the greedy + interchange plan is cheap there and often the optimum, which makes
        # reduced-cost fixing stronger.
        _heuristic_plan(master)
    if lp is not None and not master.closed(solver) and not master.stopped:
        master.lp_outcome = lp
        _fix_by_reduced_cost(master)
    if not master.closed(solver) and not master.stopped:
        add_level_cuts(master)
        _mip_phase(master, solver)
    stats = {
        "heuristic_objective": first_plan,
        "heuristic_s": first_time,
        "lp_bound": master.lp_bound,
        "lp_rounds": float(master.rounds_lp),
        "milp_rounds": float(master.rounds_milp),
        "cuts": float(master.cuts),
        "sites_fixed_closed": float(master.fixed_closed),
        "sites_fixed_open": float(master.fixed_open),
    }
    return _solution(master, solver, start, stats)


def _setup(inputs: FacilityInputs, solver: SolverSpec, begin: float) -> BendersMaster:
    from planner.solve.incremental import IncrementalHighs  # noqa: PLC0415 (loads highspy)

    sites = np.flatnonzero(inputs.allowed).astype(np.int64)
    d_all = inputs.d[:, sites]
    fixed_cols = inputs.fixed[sites]
    cost = penalised_cost(d_all, inputs.weight)
    clients = np.flatnonzero(inputs.weight > 0).astype(np.int64)
    d = np.ascontiguousarray(d_all[clients])
    order = np.argsort(d, axis=1, kind="stable").astype(np.int64)
    finite_cost = cost[np.isfinite(d_all)]
    master = BendersMaster(
        inputs=inputs,
        sites=sites,
        clients=clients,
        d=d,
        order=order,
        sorted_d=np.take_along_axis(d, order, axis=1),
        weight=inputs.weight[clients],
        fixed_cols=fixed_cols,
        closed_cols=np.zeros(sites.size, dtype=bool),
        opened_cols=np.zeros(sites.size, dtype=bool),
        integral=bool(np.all(finite_cost == np.round(finite_cost))),
        deadline=None if solver.time_limit_s is None else begin + solver.time_limit_s,
    )
    master.best_cols = np.zeros(sites.size, dtype=bool)
    master.raise_lower(float((inputs.weight * d_all.min(axis=1)).sum()))
    master.highs = IncrementalHighs(first_rows(master, d_all), solver)
    add_cuts(master, *cuts_at(master, core_point(master)))
    return master


def core_point(master: BendersMaster) -> FloatArray:
    """Return the centre of the master's sites: fixed sites at 1, the others at an equal share."""
    free = ~master.fixed_cols
    core = np.where(master.fixed_cols, 1.0, 0.0)
    core[free] = (master.inputs.p - int(master.fixed_cols.sum())) / max(1, int(free.sum()))
    return core


def _sub_spec(master: BendersMaster, spec: SolverSpec) -> SolverSpec | None:
    sub = remaining_spec(spec, master.deadline)
    if sub is None:
        master.stopped = "time limit reached"
    return sub


def _note(master: BendersMaster, result: SolveResult, phase: str) -> None:
    if result.solver_version:
        master.versions.add(result.solver_version)
    if result.status == "error":
        raise SolverError(f"p-median Benders {phase}: the solver failed ({result.detail})")
    if result.status == "infeasible":
        raise InfeasibleError(_infeasible_message(master.inputs))


_LpOutcome = tuple[FloatArray, FloatArray, float]  # y, reduced costs of y, LP value


def _lp_phase(master: BendersMaster, spec: SolverSpec) -> _LpOutcome | None:
    """Cutting planes on the master LP, stabilised by a core point; the bound rises with it."""
    n_cols = master.n_cols
    lp_spec = spec.model_copy(update={"mip_gap": 0.0})
    core = core_point(master)
    upper = math.inf  # the LP's own upper bound: the full subproblems' cost at a master point
    outcome: _LpOutcome | None = None
    while True:
        sub = _sub_spec(master, lp_spec)
        if sub is None:
            if outcome is not None:
                _offer_rounded(master, outcome[0])
            return outcome
        result, solution = master.highs.solve(sub, integer=False)
        master.rounds_lp += 1
        _note(master, result, "LP")
        if solution is None or result.objective is None or solution.reduced_cost is None:
            master.stopped = f"LP stopped: {result.detail or result.status}"
            return outcome
        value = result.objective
        master.raise_lower(value)
        master.lp_bound = max(master.lp_bound, value)
        y = np.clip(solution.x[:n_cols], 0.0, 1.0)
        theta = solution.x[n_cols:]
        outcome = (y, solution.reduced_cost[:n_cols], value)
        if master.closed(spec):
            return outcome
        point = _ALPHA * y + (1.0 - _ALPHA) * core
        radius = critical_radius(master, point)
        upper = min(upper, float(master.weight @ cut_values(master, radius, point)))
        which = violated_clients(master, radius, y, theta)
        if which.size == 0:
            radius = critical_radius(master, y)
            upper = min(upper, float(master.weight @ cut_values(master, radius, y)))
            which = violated_clients(master, radius, y, theta)
        core = point
        if which.size == 0 or upper - value <= _LP_GAP * max(1.0, abs(value)):
            break
        add_cuts(master, which, radius)
    master.lp_bound = max(master.lp_bound, value)
    _offer_rounded(master, y)
    logger.info(
        f"p-median (Benders) LP bound {value:.6g} after {master.rounds_lp} LP solves "
        f"({master.cuts:,} cuts); best plan {master.best_cost:.6g}"
    )
    return outcome


def _offer_rounded(master: BendersMaster, y: FloatArray) -> None:
    """Offer the LP's p largest columns (fixed first), improved by interchange."""
    inputs = master.inputs
    if np.all((y < _COVER_TOL) | (y > 1.0 - _COVER_TOL)):
        master.offer(y > _HALF)
        return
    rank = np.where(master.fixed_cols, np.inf, y)
    cols = np.zeros(master.n_cols, dtype=bool)
    cols[np.argsort(-rank, kind="stable")[: inputs.p]] = True
    cost = penalised_cost(inputs.d[:, master.sites], inputs.weight)
    master.offer(interchange(cost, cols, fixed=master.fixed_cols, allowed=np.ones_like(cols)))


def _heuristic_plan(master: BendersMaster) -> None:
    """Offer the greedy + interchange plan (:func:`planner.model.heuristics.pmedian_heuristic`)."""
    inputs = master.inputs
    cost = penalised_cost(inputs.d[:, master.sites], inputs.weight)
    allowed = np.ones(master.n_cols, dtype=bool)
    master.offer(pmedian_heuristic(cost, inputs.p, fixed=master.fixed_cols, allowed=allowed))


def _fix_by_reduced_cost(master: BendersMaster) -> None:
    r"""Fix the sites whose reduced-cost bound exceeds the best plan (see the module docstring).

    Run again whenever the best plan improves: the LP's reduced costs stay valid.
    """
    if master.lp_outcome is None or not math.isfinite(master.best_cost):
        return
    y, reduced, value = master.lp_outcome
    margin = 1e-6 * max(1.0, abs(master.best_cost))
    ceiling = master.best_cost + margin

    def bound(values: FloatArray) -> FloatArray:
        if not master.integral:
            return values
        return np.ceil(values - _ROUND_TOL * np.maximum(1.0, np.abs(values)))

    free = ~master.fixed_cols & ~master.closed_cols & ~master.opened_cols
    closed = (y < _COVER_TOL) & (bound(value + reduced) > ceiling) & free
    opened = (y > 1.0 - _COVER_TOL) & (bound(value - reduced) > ceiling) & free
    if (closed & master.best_cols).any() or (opened & ~master.best_cols).any():
        logger.warning("p-median (Benders): reduced-cost fixing contradicts the best plan")
        return
    if not closed.any() and not opened.any():
        return
    index = np.flatnonzero(closed)
    master.highs.set_bounds(index, np.zeros(index.size), np.zeros(index.size))
    index = np.flatnonzero(opened)
    master.highs.set_bounds(index, np.ones(index.size), np.ones(index.size))
    master.closed_cols |= closed
    master.opened_cols |= opened
    master.fixed_closed += int(closed.sum())
    master.fixed_open += int(opened.sum())
    logger.info(
        f"p-median (Benders) reduced-cost fixing: {int(closed.sum()):,} more sites closed, "
        f"{int(opened.sum()):,} opened ({int((~master.closed_cols).sum()):,} of "
        f"{master.n_cols:,} left)"
    )


def _mip_phase(master: BendersMaster, spec: SolverSpec) -> None:
    """Master MILP with the cuts found; add the cuts its plans violate; repeat until none.

    Every improving plan HiGHS finds during a solve is kept (a callback) and separated after
    it, with the final one: the next solve starts with all their violated cuts.
    """
    n_cols = master.n_cols
    abs_gap = _ABS_GAP if master.integral else None
    while not master.closed(spec):
        sub = _sub_spec(master, spec)
        if sub is None:
            return
        found: list[FloatArray] = []
        result, solution = master.highs.solve(
            sub,
            integer=True,
            start=master_start(master),
            heuristics=False,
            abs_gap=abs_gap,
            on_solution=found.append,
        )
        master.rounds_milp += 1
        _note(master, result, "MILP")
        master.raise_lower(result.bound)
        if solution is None:
            master.stopped = f"MILP stopped: {result.detail or result.status}"
            return
        before = master.best_cost
        added = 0
        for x in [*found, solution.x]:
            cols = x[:n_cols] > _HALF
            master.offer(cols)
            y = cols.astype(np.float64)
            radius = critical_radius(master, y)
            which = violated_clients(master, radius, y, x[n_cols:])
            add_cuts(master, which, radius)
            added += int(which.size)
        if master.best_cost < before:
            _fix_by_reduced_cost(master)
        if result.status != "optimal":
            master.stopped = f"MILP stopped: {result.detail or result.status}"
            return
        final = solution.x[:n_cols] > _HALF
        y = final.astype(np.float64)
        if violated_clients(master, critical_radius(master, y), y, solution.x[n_cols:]).size == 0:
            # The master's optimum is charged exactly: its value is the plan's cost.
            master.raise_lower(result.objective)
            return
        logger.info(
            f"p-median (Benders) MILP round {master.rounds_milp}: {added:,} cuts added at "
            f"{len(found) + 1} plans; bound {master.lower:.6g}, best plan {master.best_cost:.6g}"
        )


def _infeasible_message(inputs: FacilityInputs) -> str:
    return (
        f"p-median: no {inputs.p} sites reach every demand point (some points have no route "
        "to many sites): raise p, allow more sites or drop unreachable points"
    )


def _solution(
    master: BendersMaster, spec: SolverSpec, begin: float, stats: dict[str, float]
) -> FacilitySolution:
    inputs = master.inputs
    if not math.isfinite(master.best_cost):
        raise InfeasibleError(_infeasible_message(inputs))
    open_sites = np.zeros(inputs.n_sites, dtype=bool)
    open_sites[master.sites[master.best_cols]] = True
    assign, dist = nearest_open(inputs.d, open_sites)
    objective = float((inputs.weight * dist).sum())
    bound = min(master.lower, objective) if master.closed(spec) else master.lower
    detail = master.stopped or (
        f"bound met the plan after {master.rounds_lp} LP and {master.rounds_milp} MILP solves "
        f"({master.cuts:,} Benders cuts)"
    )
    result = method_result(
        spec,
        objective=objective,
        bound=bound if math.isfinite(bound) else None,
        runtime_s=time.perf_counter() - begin,
        detail=detail,
        options={"method": "benders", "integral_bounds": master.integral},
        solver_version=", ".join(sorted(master.versions)) or None,
    )
    return facility_solution(open_sites, assign, objective, result, METHOD_BENDERS, stats)
