r"""The capacitated p-median problem (and the p-median under policy rules), from arrays.

Demand points :math:`i` with demand :math:`q_i \ge 0` and objective weight :math:`w_i \ge 0`,
candidate sites :math:`j` with capacity :math:`Q_j` (``inf``: unlimited), distances
:math:`d_{ij}` (``inf``: not allowed). Open exactly :math:`p` sites and assign every point to
one open site without exceeding any capacity:

.. math::

    \min \sum_{i,j} w_i d_{ij} x_{ij} \quad \text{s.t.} \quad
    \sum_j x_{ij} = 1, \qquad \sum_i q_i x_{ij} \le Q_j y_j, \qquad x_{ij} \le y_j, \qquad
    \sum_j y_j = p, \qquad \sum_j Q_j y_j \ge \sum_i q_i,

with :math:`y_j \in \{0,1\}` and :math:`x_{ij} \in \{0,1\}` (single sourcing: a point goes to
one site, as in Osman & Christofides 1994; ``single_source=False`` lets demand split).
The strong linking rows :math:`x_{ij} \le y_j` and the aggregate capacity row tighten the
LP bound; pairs with :math:`d_{ij} = \infty` get no column.

Policy rules (optional, :class:`SiteConstraints`) add :math:`\sum_{j \in N(i)} y_j \ge 1`
(universal floor), :math:`\sum_{j \in S_g} y_j \ge 1` (a site per group) and
:math:`y_j + y_k \le 1` (spacing). With unlimited capacities and rules this is the
p-median under policy rules.

Method
    1. *Start* (well under a second for hundreds of points): the uncapacitated p-median
       heuristic (:func:`planner.model.pmedian.pmedian_heuristic`) picks the sites; points are
       assigned by regret (largest difference between their best and second-best site with
       room left, first); then location-allocation rounds move each site to the best median
       of its cluster that can hold the cluster's demand, re-assigning by regret, while the
       cost falls.
    2. *Restricted model* (more than 20,000 pairs): the same MILP with every point allowed
       only its :math:`\max(10, 3 \lceil n/p \rceil)` nearest sites (and its start site),
       for at most a third of the time limit;
       its plan is feasible for the full model and usually far better than the start.
    3. The full MILP, with the best plan so far as MIP start (when it meets every row).

Every answer is checked: the objective is recomputed from the assignment, capacities and
rules are verified, and ``result`` says what the solver proved.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

import numpy as np
from scipy import sparse

from planner.errors import DataError, InfeasibleError, SolverError
from planner.model._arrays import MilpBuilder, feasible_start
from planner.model.base import (
    SHOWN,
    BoolArray,
    FacilitySolution,
    FloatArray,
    IntArray,
    check_facility_inputs,
    facility_solution,
    shown_indices,
)
from planner.model.coverage.run import stopped_by_time_limit
from planner.model.heuristics import capacitated_heuristic
from planner.solve import MilpArrays, solve_milp

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from planner.model.rules import GroupRule
    from planner.scenario import SolverSpec

__all__ = ["SiteConstraints", "capacitated_heuristic", "solve_capacitated_pmedian"]

logger = logging.getLogger(__name__)

_HALF: Final[float] = 0.5
_LOAD_SLACK: Final[float] = 1e-6
_NEAREST: Final[int] = 10
_NEAREST_FACTOR: Final[int] = 3
_RESTRICT_PAIRS: Final[int] = 20_000
_METHOD: Final[str] = (
    "capacitated p-median: p-median heuristic + regret assignment + location-allocation "
    "start; strong single-source MILP"
)


@dataclass(frozen=True, eq=False)
class SiteConstraints:
    """Policy rules on the open sites of a p-facility model.

    Attributes
    ----------
    cover : ndarray of bool, shape (n_demand, n_sites), or None
        Universal floor: every demand point with a True in its row needs an open site among
        them (rows without any True are not constrained: check them before).
    groups : tuple of GroupRule
        At least one open site among each group's members.
    too_close : ndarray of bool, shape (n_sites, n_sites), or None
        Pairs of sites that may not both be open.
    names : dict
        How each rule is named in messages (``cover``, ``too_close``).
    labels : tuple of str
        The id of each demand point, for messages (empty: points are named ``#i``).
    """

    cover: BoolArray | None = None
    groups: tuple[GroupRule, ...] = ()
    too_close: BoolArray | None = None
    names: dict[str, str] = field(default_factory=dict)
    labels: tuple[str, ...] = ()

    def points(self, indices: NDArray[np.intp]) -> str:
        """Return the first few demand points for a message, by id when labels are given."""
        if len(self.labels) == 0:
            return f"demand points {shown_indices(indices)}"
        shown = ", ".join(self.labels[int(i)] for i in indices[:SHOWN])
        more = f" and {indices.size - SHOWN} more" if indices.size > SHOWN else ""
        return f"{'sector' if indices.size == 1 else 'sectors'} {shown}{more}"

    @property
    def active(self) -> bool:
        """Whether any rule is set."""
        return self.cover is not None or bool(self.groups) or self.too_close is not None


@dataclass(frozen=True, eq=False)
class _Setup:
    d: FloatArray
    weight: FloatArray
    demand: FloatArray
    capacity: FloatArray
    p: int
    fixed: BoolArray
    allowed: BoolArray
    rules: SiteConstraints


def solve_capacitated_pmedian(  # noqa: PLR0913 (the arrays of one problem)
    d: FloatArray,
    demand: FloatArray,
    capacity: FloatArray,
    p: int,
    *,
    weight: FloatArray | None = None,
    fixed_open: BoolArray | None = None,
    forbidden: BoolArray | None = None,
    rules: SiteConstraints | None = None,
    single_source: bool = True,
    solver: SolverSpec,
) -> FacilitySolution:
    r"""Open ``p`` sites and assign every point within capacity at the least weighted distance.

    Parameters
    ----------
    d
        Distances, shape (n_demand, n_sites), >= 0, ``inf`` when a pair is not allowed.
    demand
        :math:`q_i \ge 0`, what a point uses of its site's capacity.
    capacity
        :math:`Q_j \ge 0` (``inf``: unlimited).
    p
        Number of sites to open (fixed ones included).
    weight
        Objective weight :math:`w_i` per point (None: 1, the sum of distances).
    fixed_open, forbidden
        Sites that must be open / closed (boolean masks).
    rules
        Policy rules on the open sites.
    single_source
        Every point goes to one site (binary :math:`x`); else demand may split.
    solver
        Solver options (the time limit covers the whole method).

    Returns
    -------
    FacilitySolution
        Open sites, the assignment (the site serving most of each point's demand), the
        objective recomputed from the assignment, and what the solver proved.

    Raises
    ------
    DataError
        When the arrays are malformed.
    InfeasibleError
        When no plan can meet the capacities or rules (the message names which).
    SolverError
        When the solver stops without a plan or returns one that breaks a rule.
    """
    begin = time.perf_counter()
    setup = _setup(d, demand, capacity, p, weight, fixed_open, forbidden, rules)
    start_plan = capacitated_heuristic(
        setup.d,
        setup.demand,
        setup.capacity,
        setup.p,
        weight=setup.weight,
        fixed=setup.fixed,
        allowed=setup.allowed,
    )
    if single_source and _pair_count(setup) > _RESTRICT_PAIRS:
        start_plan = _restricted_plan(setup, start_plan, solver, begin) or start_plan
    heuristic_s = time.perf_counter() - begin
    model, columns = _build(setup, single_source=single_source)
    start = None
    if start_plan is not None:
        start = _start_vector(model, columns, start_plan)
    spec = solver
    if solver.time_limit_s is not None:
        left = max(solver.time_limit_s - (time.perf_counter() - begin), 1.0)
        spec = solver.model_copy(update={"time_limit_s": left})
    result, x = solve_milp(model, spec, start=start)
    if result.status == "infeasible" and not stopped_by_time_limit(result):
        confirmed = result.remark.removeprefix("infeasible, ")
        raise InfeasibleError(_infeasible_message(setup) + (f" ({confirmed})" if confirmed else ""))
    if not result.has_plan or x is None:
        raise SolverError(
            f"{result.solver} stopped after {result.runtime_s:.1f} s ({result.detail}) before "
            "finding a capacitated plan: raise solver.time_limit_s or try the other solver"
        )
    open_sites, assign, share = _read(setup, columns, x)
    objective = float(
        (setup.weight[columns.pair_i] * setup.d[columns.pair_i, columns.pair_j]) @ share
    )
    problems = _check_plan(setup, open_sites, columns, share)
    if problems:
        raise SolverError(
            [f"{result.solver} returned a plan that breaks a rule: {p}" for p in problems]
        )
    stats = {
        "start_objective": (
            float("nan") if start_plan is None else _plan_objective(setup, start_plan[1])
        ),
        "start_s": heuristic_s,
        "columns": float(model.n_cols),
        "rows": float(model.n_rows),
        "start_used": float(start is not None),
    }
    logger.info(
        f"Capacitated p-median: {int(open_sites.sum())} sites open, objective {objective:,.4f} "
        f"({result.status}{'' if result.proven_optimal else ', not proven optimal'})"
    )
    return facility_solution(open_sites, assign, objective, result, _METHOD, stats)


def _pair_count(setup: _Setup) -> int:
    usable = setup.allowed | setup.fixed
    return int((np.isfinite(setup.d) & usable[np.newaxis, :]).sum())


def _restricted_plan(
    setup: _Setup,
    plan: tuple[BoolArray, IntArray] | None,
    solver: SolverSpec,
    begin: float,
) -> tuple[BoolArray, IntArray] | None:
    r"""Solve the model with each point restricted to its nearest sites: a strong start.

    Only pairs among each point's :math:`K = \max(10, 3 \lceil n_{\text{sites}} / p \rceil)`
    nearest usable sites are kept (and the heuristic plan's pairs, so that it stays a start);
    the plan found is feasible for the full model. Gets a third of the time limit; None when
    it finds no plan.
    """
    usable = setup.allowed | setup.fixed
    d = np.where(usable[np.newaxis, :], setup.d, np.inf)
    per_site = -(-int(usable.sum()) // max(setup.p, 1))  # points per open site, rounded up
    k = min(max(_NEAREST, _NEAREST_FACTOR * per_site), d.shape[1])
    nearest = np.argpartition(d, k - 1, axis=1)[:, :k]
    keep = np.zeros(d.shape, dtype=bool)
    keep[np.arange(d.shape[0])[:, np.newaxis], nearest] = True
    if plan is not None:
        keep[np.arange(d.shape[0]), plan[1]] = True
    restricted = dataclasses.replace(setup, d=np.where(keep, setup.d, np.inf))
    model, columns = _build(restricted, single_source=True)
    start = None if plan is None else _start_vector(model, columns, plan)
    spec = solver
    if solver.time_limit_s is not None:
        used = time.perf_counter() - begin
        spec = solver.model_copy(update={"time_limit_s": max(solver.time_limit_s / 3 - used, 1.0)})
    result, x = solve_milp(model, spec, start=start)
    if not result.has_plan or x is None:
        return None
    open_sites, assign, _ = _read(restricted, columns, x)
    logger.info(
        f"Restricted model ({k} nearest sites per point): objective {result.objective:,.4f} "
        f"({result.status})"
    )
    return open_sites, assign


# --------------------------------------------------------------------------- inputs


def _setup(
    d: FloatArray,
    demand: FloatArray,
    capacity: FloatArray,
    p: int,
    weight: FloatArray | None,
    fixed_open: BoolArray | None,
    forbidden: BoolArray | None,
    rules: SiteConstraints | None,
) -> _Setup:
    inputs = check_facility_inputs(
        d,
        p,
        weight=weight,
        fixed_open=fixed_open,
        forbidden=forbidden,
        model="capacitated p-median",
    )
    n_i, n_j = inputs.n_demand, inputs.n_sites
    problems: list[str] = []
    q = np.asarray(demand, dtype=np.float64)
    cap = np.asarray(capacity, dtype=np.float64)
    if q.shape != (n_i,) or not np.all(np.isfinite(q)) or np.any(q < 0):
        problems.append(f"capacitated p-median demand: expected {n_i} finite numbers >= 0")
    if cap.shape != (n_j,) or np.any(np.isnan(cap)) or np.any(cap < 0):
        problems.append(f"capacitated p-median capacity: expected {n_j} numbers >= 0 (inf: none)")
    rules = rules or SiteConstraints()
    if rules.cover is not None and np.shape(rules.cover) != (n_i, n_j):
        problems.append(f"capacitated p-median rules.cover: expected shape ({n_i}, {n_j})")
    if rules.too_close is not None and np.shape(rules.too_close) != (n_j, n_j):
        problems.append(f"capacitated p-median rules.too_close: expected shape ({n_j}, {n_j})")
    problems += [
        f"{rule.name}: expected {n_j} member columns"
        for rule in rules.groups
        if rule.member.shape[1] != n_j
    ]
    if problems:
        raise DataError(problems)
    setup = _Setup(inputs.d, inputs.weight, q, cap, inputs.p, inputs.fixed, inputs.allowed, rules)
    _precheck(setup)
    return setup


def _precheck(setup: _Setup) -> None:
    """Raise InfeasibleError for capacity and rule failures visible before solving."""
    problems: list[str] = []
    total = float(setup.demand.sum())
    allowed_cap = np.sort(setup.capacity[setup.allowed & ~setup.fixed])[::-1]
    room = setup.p - int(setup.fixed.sum())
    best = float(setup.capacity[setup.fixed].sum() + allowed_cap[:room].sum())
    if best < total * (1 - 1e-12):
        problems.append(
            f"capacities: the {setup.p} largest allowed sites hold {best:,.0f}, less than the "
            f"total demand {total:,.0f}: raise capacities or p"
        )
    rules = setup.rules
    possible = setup.allowed
    if rules.cover is not None:
        needs = rules.cover.any(axis=1)
        lost = needs & ~(rules.cover & possible[np.newaxis, :]).any(axis=1)
        if lost.any():
            problems.append(
                f"{rules.names.get('cover', 'universal floor')}: no allowed site reaches "
                f"{rules.points(np.flatnonzero(lost))}: allow more sites, or leave such points "
                "out (objective.unreachable: skip)"
            )
    if rules.too_close is not None:
        clash = np.argwhere(np.triu(rules.too_close & np.outer(setup.fixed, setup.fixed), 1))
        if clash.size:
            pairs = ", ".join(f"#{int(j)}-#{int(k)}" for j, k in clash[:SHOWN])
            problems.append(
                f"{rules.names.get('too_close', 'the spacing rule')}: the fixed-open sites "
                f"{pairs} are too close to each other: fix fewer sites or lower the spacing"
            )
    for rule in rules.groups:
        empty = ~(rule.member & possible[np.newaxis, :]).any(axis=1)
        if empty.any():
            names = ", ".join(np.asarray(rule.groups)[empty][:SHOWN])
            problems.append(f"{rule.name}: no allowed site serves groups {names}")
    if problems:
        raise InfeasibleError(problems)


def _infeasible_message(setup: _Setup) -> str:
    rules = []
    if np.isfinite(setup.capacity).any():
        rules.append("the capacities")
    if setup.rules.cover is not None:
        rules.append(setup.rules.names.get("cover", "the universal floor"))
    rules += [rule.name for rule in setup.rules.groups]
    if setup.rules.too_close is not None:
        rules.append(setup.rules.names.get("too_close", "the spacing rule"))
    listed = ", ".join(rules) or "the fixed and forbidden sites"
    return (
        f"capacitated p-median: the solver proved that no {setup.p} sites can meet {listed} "
        "together: raise p or capacities, or relax a rule"
    )


@dataclass(frozen=True, eq=False)
class _Columns:
    sites: IntArray  # site of each y column (not fixed, allowed)
    y: IntArray  # y column indices
    pair_i: IntArray  # demand point of each x column
    pair_j: IntArray  # site of each x column
    x: IntArray  # x column indices


def _build(setup: _Setup, *, single_source: bool) -> tuple[MilpArrays, _Columns]:
    n_i, n_j = setup.d.shape
    b = MilpBuilder()
    usable = setup.allowed | setup.fixed
    free = np.flatnonzero(setup.allowed & ~setup.fixed)
    y = b.add_columns(free.size, integer=True)
    col_of = np.full(n_j, -1, dtype=np.int64)
    col_of[free] = y
    pair_i, pair_j = np.nonzero(np.isfinite(setup.d) & usable[np.newaxis, :])
    cost = setup.weight[pair_i] * setup.d[pair_i, pair_j]
    x = b.add_columns(pair_i.size, cost=cost, integer=single_source)
    # every point assigned once
    b.add_triplets(pair_i, x, np.ones(x.size), n_i, lower=1.0, upper=1.0)
    # capacity rows
    limited = np.isfinite(setup.capacity) & usable
    row_of = np.full(n_j, -1, dtype=np.int64)
    row_of[limited] = np.arange(int(limited.sum()))
    keep = row_of[pair_j] >= 0
    sites = np.flatnonzero(limited)
    variable = col_of[sites] >= 0
    rows = np.concatenate([row_of[pair_j[keep]], np.flatnonzero(variable)])
    cols = np.concatenate([x[keep], col_of[sites[variable]]])
    vals = np.concatenate([setup.demand[pair_i[keep]], -setup.capacity[sites[variable]]])
    upper = np.where(variable, 0.0, setup.capacity[sites])
    b.add_triplets(rows, cols, vals, sites.size, upper=upper)
    # strong linking x_ij <= y_j
    linked = col_of[pair_j] >= 0
    n = int(linked.sum())
    b.add_triplets(
        np.concatenate([np.arange(n), np.arange(n)]),
        np.concatenate([x[linked], col_of[pair_j[linked]]]),
        np.concatenate([np.ones(n), -np.ones(n)]),
        n,
        upper=0.0,
    )
    room = float(setup.p - int(setup.fixed.sum()))
    b.add_triplets(np.zeros(y.size, dtype=np.int64), y, np.ones(y.size), 1, lower=room, upper=room)
    # aggregate capacity: sum_j Q_j y_j >= total demand - fixed capacity
    cap = setup.capacity[free]
    if np.isfinite(cap).all() and y.size:
        need = float(setup.demand.sum() - setup.capacity[setup.fixed].sum())
        b.add_triplets(np.zeros(y.size, dtype=np.int64), y, cap, 1, lower=need)
    _add_rules(b, setup, free, y)
    model = b.build("min")
    logger.info(
        f"Built capacitated p-median: {n_i:,} points, {n_j:,} sites ({free.size:,} free), "
        f"{x.size:,} assignment columns, {model.n_rows:,} rows, {model.A.nnz:,} nonzeros"
    )
    return model, _Columns(free.astype(np.int64), y, pair_i, pair_j, x)


def _add_rules(b: MilpBuilder, setup: _Setup, free: NDArray[np.intp], y: NDArray[np.intp]) -> None:
    rules = setup.rules
    fixed = setup.fixed
    if rules.cover is not None:
        rows_needed = rules.cover.any(axis=1) & ~(rules.cover & fixed[np.newaxis, :]).any(axis=1)
        matrix = sparse.csr_matrix(rules.cover[np.ix_(rows_needed, free)], dtype=np.float64)
        if matrix.shape[0]:
            b.add_rows(matrix, y, lower=1.0)
    for rule in rules.groups:
        served = (rule.member & fixed[np.newaxis, :]).any(axis=1)
        matrix = sparse.csr_matrix(rule.member[np.ix_(~served, free)], dtype=np.float64)
        if matrix.shape[0]:
            b.add_rows(matrix, y, lower=1.0)
    if rules.too_close is not None:
        close = rules.too_close[np.ix_(free, free)]
        j, k = np.nonzero(np.triu(close, 1))
        if j.size:
            n = j.size
            b.add_triplets(
                np.concatenate([np.arange(n), np.arange(n)]),
                np.concatenate([y[j], y[k]]),
                np.ones(2 * n),
                n,
                upper=1.0,
            )
        blocked = (rules.too_close[np.ix_(free, np.flatnonzero(fixed))]).any(axis=1)
        if blocked.any():
            b.add_triplets(
                np.arange(int(blocked.sum())),
                y[blocked],
                np.ones(int(blocked.sum())),
                int(blocked.sum()),
                upper=0.0,
            )


def _start_vector(
    model: MilpArrays, columns: _Columns, plan: tuple[BoolArray, IntArray]
) -> FloatArray | None:
    open_sites, assign = plan
    x = np.zeros(model.n_cols)
    x[columns.y] = open_sites[columns.sites]
    x[columns.x] = assign[columns.pair_i] == columns.pair_j
    return x if feasible_start(model, x) else None


def _read(
    setup: _Setup, columns: _Columns, x: FloatArray
) -> tuple[BoolArray, IntArray, FloatArray]:
    open_sites = setup.fixed.copy()
    open_sites[columns.sites] = x[columns.y] > _HALF
    share = np.clip(x[columns.x], 0.0, 1.0)
    n_i = setup.d.shape[0]
    order = np.lexsort((columns.pair_j, -share, columns.pair_i))
    first = np.unique(columns.pair_i[order], return_index=True)[1]
    best = order[first]
    assign = np.full(n_i, -1, dtype=np.int64)
    assign[columns.pair_i[best]] = columns.pair_j[best]
    return open_sites, assign, share


def _check_plan(
    setup: _Setup, open_sites: BoolArray, columns: _Columns, share: FloatArray
) -> list[str]:
    problems = []
    n_i, n_j = setup.d.shape
    if int(open_sites.sum()) != setup.p:
        problems.append(f"{int(open_sites.sum())} sites are open, not p = {setup.p}")
    served = np.bincount(columns.pair_i, weights=share, minlength=n_i)
    if np.any(np.abs(served - 1.0) > 1e-5):
        problems.append("some demand points are not fully assigned")
    if np.any(share[~open_sites[columns.pair_j]] > 1e-6):
        problems.append("demand is assigned to a closed site")
    load = np.bincount(columns.pair_j, weights=share * setup.demand[columns.pair_i], minlength=n_j)
    over = load > setup.capacity * (1 + _LOAD_SLACK) + _LOAD_SLACK
    if over.any():
        problems.append(f"sites {shown_indices(np.flatnonzero(over))} exceed their capacity")
    rules = setup.rules
    if rules.cover is not None:
        lost = rules.cover.any(axis=1) & ~(rules.cover & open_sites[np.newaxis, :]).any(axis=1)
        if lost.any():
            problems.append(f"no open site reaches {rules.points(np.flatnonzero(lost))}")
    problems.extend(
        f"{rule.name} is broken"
        for rule in rules.groups
        if (~(rule.member & open_sites[np.newaxis, :]).any(axis=1)).any()
    )
    if rules.too_close is not None and (rules.too_close & np.outer(open_sites, open_sites)).any():
        problems.append("two open sites are closer than the spacing")
    return problems


def _plan_objective(setup: _Setup, assign: IntArray) -> float:
    rows = np.arange(assign.size)
    return float(setup.weight @ setup.d[rows, assign])
