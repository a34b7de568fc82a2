r"""A phased rollout of the coverage model: which site opens in which phase (year).

Phases :math:`t = 1..T` with budgets :math:`B_t` and weights :math:`\omega_t`. The model is
the coverage model (:func:`planner.model.coverage.build_coverage_problem`) once per phase,
each copy with the budget reached by then (:math:`\sum_{s \le t} B_s`), stacked block by
block, plus the rows that tie the phases together:

.. math::

    h_{j,t} \le h_{j,t+1}, \qquad a_{j,t} \le a_{j,t+1}
    \qquad \text{(a site opened stays open, in its role)},

and, without ``carry_over``, the new investment of each phase within its own budget,

.. math::

    \sum_j c^H_j (h_{j,t} - h_{j,t-1}) + c^A_j (a_{j,t} - a_{j,t-1}) \le B_t
    \qquad (t \ge 2; \text{phase 1 is its copy's own budget row}).

With ``carry_over`` the copy's budget row is the whole rule: what is spent up to phase
:math:`t` stays within :math:`\sum_{s \le t} B_s`. Each copy keeps its own link rows (an
antenne's house within :math:`L` is open in the same phase; as houses stay open, it is open
from that phase or an earlier one), rules, cuts and merged coverage rows. The objective is
the weighted mean coverage over the phases,

.. math::

    \max \; \sum_t \hat\omega_t \Bigl(\sum_i w_i (\alpha u_{i,t} + (1 - \alpha) v_{i,t})
    - \varepsilon_t \frac{\text{cost}_t}{C_t}\Bigr), \qquad
    \hat\omega_t = \omega_t / \textstyle\sum_s \omega_s,

so early phases go where they reach most. Existing sites are open in every phase (fixed, as
in one phase); required sites open in the first phase. One phase is exactly the coverage
model (:func:`planner.model.coverage.solve_form`, with its exact cost tie-break).
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from planner.errors import InfeasibleError, SolverError
from planner.model._arrays import feasible_start
from planner.model.coverage.build import build_coverage_problem
from planner.model.coverage.cuts import LinkRows
from planner.model.coverage.evaluate import plan_cost
from planner.model.coverage.instance import MAX_COVERAGE, frozen
from planner.model.coverage.run import no_plan_message, stopped_by_time_limit
from planner.model.coverage.solve import _read_plan, _run_with_link_cuts, solve_form
from planner.solve import MilpArrays

if TYPE_CHECKING:
    from collections.abc import Sequence

    from planner.model.coverage.build import CoverageProblem
    from planner.model.coverage.instance import (
        BoolArray,
        CoverageInstance,
        FloatArray,
        IntArray,
    )
    from planner.model.coverage.solve import CoverageSolution
    from planner.scenario import SolverSpec

__all__ = ["PhaseBudgets", "PhaseSchedule", "solve_phases"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PhaseBudgets:
    r"""The phases of a rollout: year, budget and weight of each, and whether money carries over.

    Attributes
    ----------
    years : tuple of int
        The phases' years, rising.
    amounts : tuple of float
        :math:`B_t`, euro for the new sites of each phase.
    weights : tuple of float
        :math:`\omega_t > 0`, the weight of each phase's coverage.
    carry_over : bool
        Money a phase leaves unspent carries over to the next ones.
    """

    years: tuple[int, ...]
    amounts: tuple[float, ...]
    weights: tuple[float, ...]
    carry_over: bool = False

    @property
    def cumulative(self) -> FloatArray:
        r"""Return :math:`\sum_{s \le t} B_s` per phase."""
        return np.cumsum(np.asarray(self.amounts, dtype=np.float64))

    @property
    def shares(self) -> FloatArray:
        r"""Return :math:`\hat\omega_t`, the weights scaled to sum to 1."""
        weights = np.asarray(self.weights, dtype=np.float64)
        return np.asarray(weights / weights.sum(), dtype=np.float64)


@dataclass(frozen=True, eq=False)
class PhaseSchedule:
    r"""What is open in each phase, what each phase spends and reaches.

    Attributes
    ----------
    budgets : PhaseBudgets
        The phases as given.
    house, antenne : ndarray of bool, shape (n_t, n_j)
        Open sites per role in each phase (existing sites in every phase).
    spend : ndarray, shape (n_t,)
        Euro spent on the sites opened in each phase.
    coverage : ndarray, shape (n_t,)
        Each phase's weighted coverage :math:`\sum_i w_i (\alpha u_{i,t} + (1-\alpha)
        v_{i,t})`, recomputed from the travel times.
    objective : float
        The weighted mean of ``coverage`` with :math:`\hat\omega_t`.
    """

    budgets: PhaseBudgets
    house: BoolArray
    antenne: BoolArray
    spend: FloatArray
    coverage: FloatArray
    objective: float

    def opened(self) -> IntArray:
        """Return the phase index in which each site opens (-1: never or open from the start).

        Returns
        -------
        ndarray of intp, shape (n_j,)
            Index into the phases; existing sites (open before the first phase) and closed
            sites are -1.
        """
        open_ = self.house | self.antenne
        first = np.argmax(open_, axis=0).astype(np.intp)
        return np.where(open_.any(axis=0), first, -1)


def solve_phases(
    instance: CoverageInstance,
    budgets: PhaseBudgets,
    solver: SolverSpec,
    *,
    skip_unreachable: bool = False,
) -> CoverageSolution:
    """Solve the phased coverage model; return the last phase's plan with its schedule.

    Parameters
    ----------
    instance
        The validated arrays (its ``budget`` is ignored: the phases give it).
    budgets
        The phases.
    solver
        Solver options.
    skip_unreachable
        Under the universal floor, leave out sectors no allowed site can reach.

    Returns
    -------
    CoverageSolution
        The plan of the last phase (every site that opens in some phase), ``phases`` set;
        its ``result`` is what the solver proved for the whole schedule.

    Raises
    ------
    InfeasibleError
        When the rules cannot hold in some phase.
    SolverError
        When the solver stops without a plan, or returns one that breaks a rule.
    """
    form = dataclasses.replace(MAX_COVERAGE, skip_unreachable=skip_unreachable)
    cumulative = budgets.cumulative
    instances = [dataclasses.replace(instance, budget=float(b)) for b in cumulative]
    if len(instances) == 1:  # exactly the coverage model
        plans = [solve_form(instances[0], form, solver)]
        result = plans[0].result
    else:
        problems = [build_coverage_problem(one, form) for one in instances]
        stacked = _stack(instance, problems, budgets)
        result, x = _run_with_link_cuts(stacked.problem, solver)
        if result.status == "infeasible" and not stopped_by_time_limit(result):
            raise InfeasibleError(
                "no schedule meets every phase's budget and rules: give the first phases more "
                "money (budget.phases) or set budget.carry_over: true"
            )
        if not result.has_plan or x is None:
            raise SolverError(no_plan_message(result, "phased max_coverage"))
        plans = []
        for one, problem, offset in zip(instances, problems, stacked.offsets, strict=True):
            block = x[offset : offset + problem.model.n_cols]
            plans.append(_read_plan(one, problem, result, block))
    schedule = _schedule(instance, budgets, plans)
    _check_schedule(schedule, budgets, result.solver)
    last = plans[-1]
    steps = "; ".join(
        f"{year}: EUR {spend:,.0f}, coverage {value:,.1f}"
        for year, spend, value in zip(budgets.years, schedule.spend, schedule.coverage, strict=True)
    )
    logger.info(f"Phases: {steps}")
    exact = last.tie_break_exact if len(plans) == 1 else False
    options = {**result.options, "tie_break": "exact" if exact else "not proven"}
    return dataclasses.replace(
        last,
        result=dataclasses.replace(result, options=options),
        objective=schedule.objective if len(plans) > 1 else last.objective,
        tie_break=float(np.dot(budgets.shares, [p.tie_break for p in plans])),
        tie_break_exact=exact,
        phases=schedule,
    )


@dataclass(frozen=True, eq=False)
class _Stacked:
    problem: CoverageProblem  # the last copy's handles over the stacked model and columns
    offsets: IntArray  # first column of each copy


def _stack(
    instance: CoverageInstance, problems: Sequence[CoverageProblem], budgets: PhaseBudgets
) -> _Stacked:
    """Stack the copies block by block; add the rows that tie the phases together."""
    sizes = np.array([p.model.n_cols for p in problems], dtype=np.intp)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)
    shares = budgets.shares
    models = [p.model for p in problems]
    n = int(sizes.sum())
    ties = _ties(instance, problems, offsets, budgets, n)
    model = MilpArrays(
        c=np.concatenate([s * m.c for s, m in zip(shares, models, strict=True)]),
        A=sparse.vstack([sparse.block_diag([m.A for m in models], format="csr"), ties[0]]),
        row_lower=np.concatenate([*(m.row_lower for m in models), ties[1]]),
        row_upper=np.concatenate([*(m.row_upper for m in models), ties[2]]),
        lower=np.concatenate([m.lower for m in models]),
        upper=np.concatenate([m.upper for m in models]),
        integer=np.concatenate([m.integer for m in models]),
        sense="max",
        offset=float(sum(s * m.offset for s, m in zip(shares, models, strict=True))),
    )
    hcol = np.concatenate([p.house_columns + o for p, o in zip(problems, offsets, strict=True)])
    acol = np.concatenate([p.antenne_columns + o for p, o in zip(problems, offsets, strict=True)])
    start = None
    if all(p.start is not None for p in problems):
        joined = np.concatenate([p.start for p in problems if p.start is not None])
        start = joined if feasible_start(model, joined) else None
    problem = dataclasses.replace(
        problems[-1],
        model=model,
        house_columns=hcol,
        antenne_columns=acol,
        start=start,
        link_rows=_link_rows(problems, offsets),
    )
    logger.info(
        f"Built phased model: {len(problems)} phases, {model.n_cols:,} columns, "
        f"{model.n_rows:,} rows{'; greedy start' if start is not None else ''}"
    )
    return _Stacked(problem, offsets)


def _ties(
    instance: CoverageInstance,
    problems: Sequence[CoverageProblem],
    offsets: IntArray,
    budgets: PhaseBudgets,
    n: int,
) -> tuple[sparse.csr_matrix, FloatArray, FloatArray]:
    r"""Return the rows :math:`y_{j,t} - y_{j,t+1} \le 0` and (no carry-over) phase budgets."""
    rows: list[IntArray] = []
    cols: list[IntArray] = []
    vals: list[FloatArray] = []
    upper: list[float] = []
    n_rows = 0
    for t in range(len(problems) - 1):
        here, after = problems[t], problems[t + 1]
        for sites, columns, sites_next, columns_next in (
            (here.house_sites, here.house_columns, after.house_sites, after.house_columns),
            (here.antenne_sites, here.antenne_columns, after.antenne_sites, after.antenne_columns),
        ):
            # a later phase has every variable site of an earlier one (its budget is larger);
            # a site it lacks must stay closed in the earlier phase too
            where = np.searchsorted(sites_next, sites)
            found = np.zeros(sites.size, dtype=bool)
            if sites_next.size:
                inside = where < sites_next.size
                found = inside & (sites_next[np.minimum(where, sites_next.size - 1)] == sites)
            k = sites.size
            local = np.arange(n_rows, n_rows + k, dtype=np.intp)
            rows += [local, local[found]]
            cols += [columns + offsets[t], columns_next[where[found]] + offsets[t + 1]]
            vals += [np.ones(k), -np.ones(int(found.sum()))]
            upper += [0.0] * k
            n_rows += k
    if not budgets.carry_over:
        for t in range(1, len(problems)):
            for p, sign in ((problems[t], 1.0), (problems[t - 1], -1.0)):
                offset = offsets[t] if sign > 0 else offsets[t - 1]
                cost = _column_costs(instance, p)
                cols.append(np.concatenate([p.house_columns, p.antenne_columns]) + offset)
                vals.append(sign * cost)
                rows.append(np.full(cost.size, n_rows, dtype=np.intp))
            upper.append(float(budgets.amounts[t]))
            n_rows += 1
    matrix = sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n_rows, n)
    )
    return matrix, np.full(n_rows, -np.inf), np.asarray(upper, dtype=np.float64)


def _column_costs(instance: CoverageInstance, problem: CoverageProblem) -> FloatArray:
    """Return the euro of each variable house then antenne column of a copy."""
    return np.concatenate(
        [
            instance.new_house_cost()[problem.house_sites],
            instance.new_antenne_cost()[problem.antenne_sites],
        ]
    )


def _link_rows(problems: Sequence[CoverageProblem], offsets: IntArray) -> LinkRows | None:
    """Return the copies' frequent rows over the stacked house | antenne columns."""
    n_h = np.array([p.house_columns.size for p in problems], dtype=np.intp)
    n_a = np.array([p.antenne_columns.size for p in problems], dtype=np.intp)
    h_at = np.concatenate([[0], np.cumsum(n_h)[:-1]])
    a_at = int(n_h.sum()) + np.concatenate([[0], np.cumsum(n_a)[:-1]])
    width = int(n_h.sum() + n_a.sum())
    rows, v_columns, links, needs = [], [], [], []
    for t, p in enumerate(problems):
        data = p.link_rows
        if data is None:
            links.append(sparse.csr_matrix((int(n_a[t]), int(n_h[t]))))
            needs.append(np.zeros(int(n_a[t]), dtype=bool))
            continue
        coo = data.rows.tocoo()
        moved = np.where(coo.col < n_h[t], coo.col + h_at[t], coo.col - n_h[t] + a_at[t])
        rows.append(sparse.csr_matrix((coo.data, (coo.row, moved)), shape=(coo.shape[0], width)))
        v_columns.append(data.v_columns + offsets[t])
        links.append(data.link.tocsr())
        needs.append(np.asarray(data.needs_house, dtype=bool))
    if not rows:
        return None
    return LinkRows(
        sparse.vstack(rows, format="csr"),
        np.concatenate(v_columns).astype(np.intp),
        sparse.block_diag(links, format="csr"),
        np.concatenate(needs),
    )


def _schedule(
    instance: CoverageInstance, budgets: PhaseBudgets, plans: Sequence[CoverageSolution]
) -> PhaseSchedule:
    house = np.stack([np.asarray(p.house) for p in plans])
    antenne = np.stack([np.asarray(p.antenne) for p in plans])
    spent = np.array([plan_cost(instance, h, a) for h, a in zip(house, antenne, strict=True)])
    spend = np.diff(np.concatenate([[0.0], spent]))
    coverage = np.array([p.coverage_objective for p in plans])
    return PhaseSchedule(
        budgets=budgets,
        house=frozen(house),
        antenne=frozen(antenne),
        spend=frozen(spend),
        coverage=frozen(coverage),
        objective=float(budgets.shares @ coverage),
    )


def _check_schedule(schedule: PhaseSchedule, budgets: PhaseBudgets, solver: str) -> None:
    """Raise when the read-back schedule breaks a tie between the phases."""
    problems = []
    for role, open_ in (("house", schedule.house), ("antenne", schedule.antenne)):
        closed = open_[:-1] & ~open_[1:]
        if closed.any():
            problems.append(f"a {role} open in one phase is closed in the next")
    slack = 1e-6 * max(1.0, float(budgets.cumulative[-1])) + 0.01
    spent = np.cumsum(schedule.spend)
    if budgets.carry_over:
        over = spent > budgets.cumulative + slack
    else:
        over = schedule.spend > np.asarray(budgets.amounts) + slack
    problems += [
        f"phase {budgets.years[t]} spends more than its budget" for t in np.flatnonzero(over)
    ]
    if problems:
        raise SolverError(
            [f"{solver} returned a schedule that breaks a rule: {p}" for p in problems]
        )
