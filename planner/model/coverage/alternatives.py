r"""Near-optimal alternatives: the K best distinct plans, by successive solves with no-good cuts.

After the best plan :math:`x^1`, plan :math:`k` is the best plan that differs from each of
:math:`x^1, \dots, x^{k-1}` in at least :math:`N` of the chosen site columns :math:`S` (the
house columns :math:`h_j`, or with ``differ_in="sites"`` the house and the antenne columns).
Each earlier plan :math:`x^m` adds one row, the no-good cut

.. math::

    \sum_{j \in S,\; x^m_j = 1} (1 - x_j) + \sum_{j \in S,\; x^m_j = 0} x_j \;\ge\; N,

to one HiGHS model kept alive across the solves
(:class:`~planner.solve.incremental.IncrementalHighs`): the model (with its link cuts) is built
once, and every next solve adds this single row. Sites fixed open (kept existing, required)
are constants, not columns: they cannot differ. When the rows leave no plan, HiGHS proves the
model infeasible and the search stops: there are fewer distinct plans than asked.

Each plan is read back and checked like a single solve's, and in the coverage forms its cost
tie-break is made exact on the same model (:mod:`planner.model.coverage.tiebreak`): the cost
becomes the objective and a coverage row, added once and left free otherwise, holds the
plan's coverage; both are restored before the next solve. (Breaking the tie among the plans
with the plan's own houses only is a hundred times faster on Gent, but not exact when many
plans of other houses reach the same coverage: ``tests/test_alternatives.py`` has the case.)
Plan :math:`k` is *proven the next best* when its solve is proven optimal and so were all the
solves before it; a solve stopped by the time limit gives its plan with its gap (the bound
holds for every plan not yet cut off).
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from scipy import sparse

from planner.errors import DataError, SolverError
from planner.model.coverage.build import build_coverage_problem
from planner.model.coverage.cuts import add_link_cuts
from planner.model.coverage.solve import (
    CoverageSolution,
    _least_cost_among_equals,
    _read_plan,
    solve_form,
)
from planner.model.coverage.tiebreak import COVERAGE_SLACK
from planner.solve import MilpArrays, relative_gap

if TYPE_CHECKING:
    from planner.model.coverage.build import CoverageProblem
    from planner.model.coverage.instance import (
        BoolArray,
        CoverageInstance,
        FloatArray,
        Form,
        IntArray,
    )
    from planner.scenario import SolverSpec
    from planner.solve import SolveResult
    from planner.solve.incremental import IncrementalHighs

__all__ = ["AlternativePlans", "solve_alternatives"]

logger = logging.getLogger(__name__)

_HALF = 0.5

DifferIn = Literal["houses", "sites"]


@dataclass(frozen=True, eq=False)
class AlternativePlans:
    """The K best distinct plans of a coverage-family model, best first.

    Attributes
    ----------
    solutions : tuple of CoverageSolution
        The plans, best first; ``solutions[0]`` is the model's best plan.
    requested : int
        How many plans were asked for (K).
    exhausted : bool
        True when the no-good cuts left no further plan (proven by the solver): fewer than
        ``requested`` distinct plans exist.
    stopped : str or None
        Why the search stopped before ``requested`` plans without that proof (a solve that
        found no plan within its time limit), or None.
    differ : int
        N: each plan differs from every better one in at least this many site columns.
    differ_in : str
        ``houses`` (house columns) or ``sites`` (house and antenne columns).
    proven_next_best : tuple of bool
        Per plan: its solve was proven optimal and so were all before it.
    runtimes_s : tuple of float
        Seconds per plan (its solve and its tie-break).
    search_s : tuple of float
        Seconds per plan of its solve alone (the rest of ``runtimes_s`` is the tie-break).
    """

    solutions: tuple[CoverageSolution, ...]
    requested: int
    exhausted: bool
    stopped: str | None
    differ: int
    differ_in: DifferIn
    proven_next_best: tuple[bool, ...]
    runtimes_s: tuple[float, ...]
    search_s: tuple[float, ...] = ()


def solve_alternatives(
    instance: CoverageInstance,
    form: Form,
    solver: SolverSpec,
    count: int,
    *,
    differ: int = 1,
    differ_in: DifferIn = "houses",
) -> AlternativePlans:
    """Find the ``count`` best plans that differ pairwise in at least ``differ`` sites.

    Parameters
    ----------
    instance
        The validated arrays and parameters.
    form
        Which member of the coverage family (max_coverage, mclp, set_cover, ...).
    solver
        Solver options (HiGHS: the incremental model); the time limit holds per solve.
    count
        K, at least 1.
    differ
        N, at least 1.
    differ_in
        ``houses`` or ``sites`` (houses and antennes).

    Returns
    -------
    AlternativePlans
        The plans found, best first (fewer than ``count`` when fewer exist).

    Raises
    ------
    DataError
        When ``count`` or ``differ`` is below 1, or the solver is not HiGHS.
    InfeasibleError
        When the rules cannot all hold (no plan at all).
    SolverError
        When the first solve stops without a plan.
    """
    if count < 1 or differ < 1:
        raise DataError(
            f"alternatives: expected at least 1 plan differing in at least 1 site, got "
            f"{count} plans differing in {differ}: set objective.alternatives >= 1"
        )
    if solver.name != "highs":
        raise DataError(
            f"objective.alternatives needs solver.name: highs (its model is kept across the "
            f"solves), got {solver.name}: use --solver highs"
        )
    problem = build_coverage_problem(instance, form)
    columns = _site_columns(problem, differ_in)
    if columns.size == 0 or not problem.model.is_mip:
        solution = solve_form(instance, form, solver)
        return AlternativePlans(
            (solution,), count, count > 1, None, differ, differ_in,
            (solution.result.proven_optimal,), (solution.result.runtime_s,),
        )  # fmt: skip
    search = _Search(instance, problem, solver, columns)
    return search.run(count, differ, differ_in)


def _site_columns(problem: CoverageProblem, differ_in: DifferIn) -> IntArray:
    columns = problem.house_columns
    if differ_in == "sites":
        columns = np.concatenate([columns, problem.antenne_columns])
    return np.asarray(columns, dtype=np.intp)


class _Search:
    """One incremental HiGHS model: the plans, their tie-breaks and the no-good rows."""

    def __init__(
        self,
        instance: CoverageInstance,
        problem: CoverageProblem,
        solver: SolverSpec,
        columns: IntArray,
    ) -> None:
        from planner.solve.incremental import IncrementalHighs  # noqa: PLC0415 (highspy)

        self.instance, self.problem, self.solver, self.columns = instance, problem, solver, columns
        model = problem.model
        if problem.link_rows is not None and model.sense == "max":
            model, _, added = add_link_cuts(
                model, problem.link_rows, problem.house_columns, problem.antenne_columns, solver
            )
            logger.info(f"Alternatives: {added:,} link cuts, added once")
        self.model = model
        self.sign = -1.0 if model.sense == "max" else 1.0
        self.highs: IncrementalHighs = IncrementalHighs(_as_minimisation(model), solver)
        self.pool: list[FloatArray] = [] if problem.start is None else [problem.start]
        self.found: list[BoolArray] = []
        self.tie_row: int | None = None
        if problem.form.objective == "coverage":
            sites = np.concatenate([problem.house_columns, problem.antenne_columns])
            self.coverage = np.array(model.c, dtype=np.float64)
            self.coverage[sites] = 0.0
            self.site_cost = np.zeros(model.n_cols)
            self.site_cost[sites] = np.concatenate(
                [
                    instance.new_house_cost()[problem.house_sites],
                    instance.new_antenne_cost()[problem.antenne_sites],
                ]
            )
            self.tie_row = self.highs.n_rows
            self.highs.add_rows(sparse.csr_matrix(self.coverage[np.newaxis, :]), *_free(1))

    def run(self, count: int, differ: int, differ_in: DifferIn) -> AlternativePlans:
        solutions: list[CoverageSolution] = []
        proven: list[bool] = []
        runtimes: list[float] = []
        search: list[float] = []
        exhausted, stopped = False, None
        for k in range(count):
            start = self.problem.start if k == 0 else self._start(differ)
            result, x = self._solve(self.solver, start=start, heuristics=True)
            if result.status == "infeasible" and k > 0:
                exhausted = True
                logger.info(f"Alternatives: no plan differs from the {k} found; stopping")
                break
            if not result.has_plan or x is None:
                if k == 0:  # the single solve says why (and diagnoses infeasibility)
                    return _single(self.instance, self.problem.form, self.solver, count)
                stopped = f"solve {k + 1} stopped after {result.runtime_s:.1f} s without a plan"
                logger.warning(f"Alternatives: {stopped} ({result.detail})")
                break
            try:
                solution = _read_plan(self.instance, self.problem, result, x)
            except SolverError:
                if k == 0:
                    raise
                logger.warning(f"Alternatives: plan {k + 1} breaks a rule; stopping", exc_info=True)
                stopped = f"plan {k + 1} broke a rule"
                break
            if self.tie_row is not None:
                solution = _least_cost_among_equals(
                    self.instance, self.problem, self.solver, solution, x, self._tie_break
                )
                x = self._values_of(solution, x)
            solutions.append(solution)
            search.append(result.runtime_s)
            self._add_no_good(x, differ)
        for solution in solutions:
            proven.append(solution.result.proven_optimal and (not proven or proven[-1]))
            runtimes.append(solution.result.runtime_s)
        return AlternativePlans(
            tuple(solutions), count, exhausted, stopped, differ, differ_in,
            tuple(proven), tuple(runtimes), tuple(search),
        )  # fmt: skip

    def _solve(
        self, spec: SolverSpec, *, start: FloatArray | None, heuristics: bool
    ) -> tuple[SolveResult, FloatArray | None]:
        """Solve the MILP; return the result in the model's own sense, with its offset."""
        result, values = self.highs.solve(
            spec, integer=True, start=start, heuristics=heuristics, on_solution=self.pool.append
        )
        offset, sign, sense = self.model.offset, self.sign, self.model.sense

        def back(value: float | None) -> float | None:
            return None if value is None else offset + sign * value

        objective, bound = back(result.objective), back(result.bound)
        gap = 0.0 if result.proven_optimal else relative_gap(objective, bound, sense)
        own = dataclasses.replace(result, objective=objective, bound=bound, gap=gap, sense=sense)
        return own, None if values is None else values.x

    def _tie_break(
        self, spec: SolverSpec, x: FloatArray
    ) -> tuple[SolveResult, FloatArray | None, float]:
        """Solve the least-cost model on the same HiGHS object (cost objective, coverage held)."""
        assert self.tie_row is not None  # noqa: S101 - only called in coverage forms
        reached = float(self.coverage @ x)
        rows = np.array([self.tie_row])
        slack = COVERAGE_SLACK * max(1.0, abs(reached))
        self.highs.set_row_bounds(rows, np.array([reached - slack]), np.array([np.inf]))
        self.highs.set_cost(self.site_cost)
        try:
            result, values = self.highs.solve(spec, integer=True, start=x, heuristics=False)
        finally:
            self.highs.set_cost(-self.model.c if self.sign < 0 else self.model.c)
            self.highs.set_row_bounds(rows, *_free(1))
        return result, None if values is None else values.x, reached

    def _values_of(self, solution: CoverageSolution, x: FloatArray) -> FloatArray:
        """Site columns of the plan kept (the tie-break may have chosen a cheaper one)."""
        problem = self.problem
        values = np.array(x, dtype=np.float64)
        values[problem.house_columns] = np.asarray(solution.house)[problem.house_sites]
        values[problem.antenne_columns] = np.asarray(solution.antenne)[problem.antenne_sites]
        return values

    def _start(self, differ: int) -> FloatArray | None:
        """Return the best plan met so far that every no-good row admits (a MIP start), or None.

        The pool holds the greedy start and every improving plan HiGHS reported; each meets
        the model's rows and the no-good rows of its own solve, so only the later no-good rows
        are checked.
        """
        cost = np.asarray(self.model.c)
        best: FloatArray | None = None
        for candidate in self.pool:
            chosen = candidate[self.columns] > _HALF
            if all(int((chosen != plan).sum()) >= differ for plan in self.found) and (
                best is None or self.sign * float(cost @ candidate) < self.sign * float(cost @ best)
            ):
                best = candidate
        return best

    def _add_no_good(self, x: FloatArray, differ: int) -> None:
        chosen = x[self.columns] > _HALF
        self.found.append(chosen)
        coef = np.where(chosen, -1.0, 1.0)
        row = sparse.csr_matrix(
            (coef, (np.zeros(self.columns.size, dtype=np.intp), self.columns)),
            shape=(1, self.model.n_cols),
        )
        lower = np.array([float(differ) - float(chosen.sum())])
        self.highs.add_rows(row, lower, np.array([np.inf]))


def _single(
    instance: CoverageInstance, form: Form, solver: SolverSpec, count: int
) -> AlternativePlans:
    """Solve once the usual way, for its messages (it raises when there is no plan)."""
    solution = solve_form(instance, form, solver)
    return AlternativePlans(
        (solution,), count, False, "the incremental model found no plan", 1, "houses",
        (solution.result.proven_optimal,), (solution.result.runtime_s,),
    )  # fmt: skip


def _free(size: int) -> tuple[FloatArray, FloatArray]:
    return np.full(size, -np.inf), np.full(size, np.inf)


def _as_minimisation(model: MilpArrays) -> MilpArrays:
    """Return the model as a minimisation without offset (what the incremental model takes)."""
    c = -np.asarray(model.c) if model.sense == "max" else np.asarray(model.c)
    return dataclasses.replace(model, c=c, sense="min", offset=0.0)
