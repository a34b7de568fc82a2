"""Solve a member of the coverage family and read the plan back honestly.

:func:`solve_form` builds the model, tightens it with link cuts, solves it, and reads the
plan from the house and antenne columns only: coverage, cost and links are recomputed and the
plan is checked against every rule before it becomes a :class:`CoverageSolution`.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

import numpy as np

from planner.errors import InfeasibleError, SolverError
from planner.model.coverage.build import CoverageProblem, build_coverage_problem
from planner.model.coverage.capacity import read_assignment
from planner.model.coverage.cuts import add_link_cuts
from planner.model.coverage.diagnose import infeasible_message
from planner.model.coverage.evaluate import link_antennes, plan_cost, plan_coverage, plan_problems
from planner.model.coverage.instance import (
    MAX_COVERAGE,
    BoolArray,
    CoverageInstance,
    FloatArray,
    Form,
    frozen,
)
from planner.model.coverage.run import no_plan_message, run_model, stopped_by_time_limit
from planner.model.coverage.tiebreak import COVERAGE_SLACK, least_cost_model
from planner.solve import relative_gap, solve_milp

if TYPE_CHECKING:
    from collections.abc import Mapping

    from numpy.typing import NDArray

    from planner.model.coverage.phases import PhaseSchedule
    from planner.model.coverage.targets import TargetOutcome
    from planner.scenario import SolverSpec
    from planner.solve import SolveResult

__all__ = ["CoverageSolution", "solve_coverage", "solve_form"]

logger = logging.getLogger(__name__)

_HALF: Final[float] = 0.5


@dataclass(frozen=True, eq=False)
class CoverageSolution:
    r"""A plan of houses and antennes, with its coverage recomputed from the travel times.

    The same object describes the plan of every model of the catalogue (for the
    houses-only models ``antenne`` holds only kept existing antennes).

    Attributes
    ----------
    house, antenne : ndarray of bool, shape (n_j,)
        Open sites per role (kept existing sites included).
    link : ndarray of int64, shape (n_j,)
        Index of the house each antenne is linked to (its nearest open house within
        ``link_max``), -1 for non-antennes.
    cost : float
        Euro spent on new sites.
    coverage_objective : float
        :math:`\sum_i w_i (\alpha\,[\text{house}_i] + (1-\alpha)\,[\text{frequent}_i])`
        recomputed from the plan with the instance's :math:`\alpha`, whatever the model (so
        that plans of different models compare); with capacities the house term counts the
        served share. ``figures["covered_weight"]`` holds :math:`\sum_i w_i [\text{house}_i]`
        (the MCLP objective).
    result : SolveResult
        What the solver proved (status, objective with the tie-break term, bound, gap):
        ``result.objective`` is the solver's objective, :math:`\approx` ``objective +
        tie_break``.
    covered_house, covered_frequent : ndarray of bool, shape (n_i,)
        Sectors within the house / frequent-service standard of the plan.
    objective : float
        The model's own objective for its kind, recomputed from the plan, without the
        tie-break term:

        - ``max_coverage``: the weighted coverage :math:`\sum_i w_i (\alpha\,[\text{house}_i]
          + (1-\alpha)\,[\text{frequent}_i])` (= ``coverage_objective``; maximised);
        - ``mclp``: the covered weight :math:`\sum_i w_i [\text{house}_i]` (maximised);
        - ``set_cover``, ``set_cover_single``: the cost of the plan in euro (minimised);
        - ``p_median``: the weighted travel time :math:`\sum_i w_i d_i` over the sectors in
          the model (minimised);
        - ``p_center``: the longest travel time :math:`\max_i d_i` (minimised).

        With capacities the house coverage counts the served share.
    tie_break : float
        The value the solver's tie-break term takes on the plan, reported apart: in coverage
        forms :math:`-\varepsilon\,\text{cost}/C \le 0` (cheaper among equal coverage),
        in the covering forms the tiny positive cost given to free sites; 0 for p-median and
        p-center.
    model : str
        The objective kind that made the plan.
    assign : ndarray of int64, shape (n_i,), or None
        The house each sector is assigned to (-1: none), for models that assign (p-median,
        capacities); None when sectors simply use their nearest house.
    served : ndarray, shape (n_i,), or None
        Share of each sector's families served by a house within :math:`R_H` (capacities);
        None when coverage is all or nothing.
    figures : dict
        Model-specific figures for the summary (e.g. ``p``, the weighted mean or the largest
        travel time of the assignment).
    load : ndarray, shape (n_j,), or None
        Families each house serves within :math:`R_H` (capacities); None otherwise.
    tie_break_exact : bool or None
        Coverage forms: True when a second solve proved the plan the cheapest among the plans
        reaching its coverage (:mod:`planner.model.coverage.tiebreak`), False when only the
        cost term of the first solve decided (it stopped early, or the second solve did).
        None for models without a cost tie-break.
    phases : PhaseSchedule or None
        A phased rollout (``budget.phases``): what is open, spent and reached in each phase;
        the plan itself is the last phase's. None without phases.
    targets : tuple of TargetOutcome
        ``min_cost_targets``: each target with the share reached and whether it binds.
    """

    house: BoolArray
    antenne: BoolArray
    link: NDArray[np.int64]
    cost: float
    coverage_objective: float
    result: SolveResult
    covered_house: BoolArray
    covered_frequent: BoolArray
    objective: float
    tie_break: float
    model: str = "max_coverage"
    assign: NDArray[np.int64] | None = None
    served: FloatArray | None = None
    figures: Mapping[str, float | int | None] = field(default_factory=dict)
    load: FloatArray | None = None
    tie_break_exact: bool | None = None
    phases: PhaseSchedule | None = None
    targets: tuple[TargetOutcome, ...] = ()


def solve_coverage(
    instance: CoverageInstance, solver: SolverSpec, *, skip_unreachable: bool = False
) -> CoverageSolution:
    """Build and solve the house + antenne coverage model, and read the plan back honestly.

    A budget too small for any new site is not an error: the plan keeps the existing sites.

    Parameters
    ----------
    instance
        The validated arrays and parameters (with capacities and rules when given).
    solver
        Which solver, time limit, gap tolerance, threads and log verbosity.
    skip_unreachable
        Under the universal floor, leave out sectors no allowed site can reach (instead of
        raising :class:`InfeasibleError`).

    Returns
    -------
    CoverageSolution
        The plan; ``solution.result`` says whether it is proven optimal.

    Raises
    ------
    InfeasibleError
        When the rules cannot all hold; the message names the rule.
    SolverUnavailableError
        When the solver is not installed.
    SolverError
        When the solver stops without a plan, fails, or returns a plan that breaks a rule.
    """
    form = dataclasses.replace(MAX_COVERAGE, skip_unreachable=skip_unreachable)
    return solve_form(instance, form, solver)


def solve_form(instance: CoverageInstance, form: Form, solver: SolverSpec) -> CoverageSolution:
    """Build and solve one member of the coverage family (see :class:`Form`).

    Parameters
    ----------
    instance
        The validated arrays and parameters.
    form
        Which model.
    solver
        Which solver, time limit, gap tolerance, threads and log verbosity.

    Returns
    -------
    CoverageSolution
        The plan, checked against every rule, with what the solver proved.

    Raises
    ------
    InfeasibleError
        When the rules cannot all hold; the message names the rule.
    SolverUnavailableError
        When the solver is not installed.
    SolverError
        When the solver stops without a plan, fails, or returns a plan that breaks a rule.
    """
    problem = build_coverage_problem(instance, form)
    result, x = _run_with_link_cuts(problem, solver)
    if result.status == "infeasible":
        if stopped_by_time_limit(result):
            raise SolverError(no_plan_message(result, form.name))
        messages = infeasible_message(instance, problem, solver)
        if result.remark:
            messages[-1] += (
                f" ({result.solver}'s verdict {result.remark.removeprefix('infeasible, ')})"
            )
        raise InfeasibleError(messages)
    if not result.has_plan or x is None:
        raise SolverError(no_plan_message(result, form.name))
    solution = _read_plan(instance, problem, result, x)
    if form.objective == "coverage":
        solution = _least_cost_among_equals(instance, problem, solver, solution, x)
    return solution


SecondSolve = Callable[["SolverSpec", FloatArray], tuple["SolveResult", FloatArray | None, float]]
"""Solve the least-cost model from a start: its result, its values and the coverage kept."""


def _least_cost_among_equals(
    instance: CoverageInstance,
    problem: CoverageProblem,
    solver: SolverSpec,
    solution: CoverageSolution,
    x: FloatArray,
    least_cost: SecondSolve | None = None,
) -> CoverageSolution:
    """Make the cost tie-break exact: the cheapest plan of the first plan's coverage.

    See :mod:`planner.model.coverage.tiebreak`. Runs when the first solve ended ``optimal``
    and time is left, with the first plan as start and the solver's primal heuristics off
    (its time goes to the proof: 1.2 s instead of 10 s on Gent's baseline); the first solve's
    proof is kept. ``least_cost`` solves the least-cost model another way (the alternatives'
    incremental model); by default it is built and solved with :func:`solve_milp`.
    """
    first = solution.result
    left = None if solver.time_limit_s is None else solver.time_limit_s - first.runtime_s
    if problem.house_columns.size + problem.antenne_columns.size == 0:
        return _labelled(solution, exact=True)  # no site to choose: nothing to break
    if first.status != "optimal" or (left is not None and left <= 0):
        return _labelled(solution, exact=False)
    spec = solver.model_copy(update={"mip_gap": 0.0, "time_limit_s": left})
    if least_cost is None:
        model, reached = least_cost_model(instance, problem, x)
        result, again = solve_milp(model, spec, start=x, heuristics=False)
    else:
        result, again, reached = least_cost(spec, x)
    candidate, chosen = solution, x
    if result.has_plan and again is not None:
        try:
            second = _read_plan(instance, problem, first, again)
        except SolverError as error:
            logger.warning(f"Tie-break solve returned a plan that breaks a rule: {error}")
        else:
            slack = COVERAGE_SLACK * max(1.0, abs(solution.objective))
            if second.objective >= solution.objective - slack and second.cost <= solution.cost:
                candidate, chosen = second, again
    objective = problem.model.objective(chosen)
    bound = None if first.bound is None else max(first.bound, objective)
    exact = result.proven_optimal
    logger.info(
        f"Tie-break ({'exact' if exact else 'not proven'}): the cheapest plan reaching coverage "
        f"{reached + problem.model.offset:,.6f} costs EUR {candidate.cost:,.0f} (first plan EUR "
        f"{solution.cost:,.0f}), {result.runtime_s:.2f} s"
    )
    combined = dataclasses.replace(
        first,
        objective=objective,
        bound=bound,
        gap=0.0 if first.proven_optimal else relative_gap(objective, bound, "max"),
        runtime_s=first.runtime_s + result.runtime_s,
        options={**first.options, "tie_break": "exact" if exact else "not proven"},
        remark=first.remark,
    )
    return dataclasses.replace(candidate, result=combined, tie_break_exact=exact)


def _run_with_link_cuts(
    problem: CoverageProblem, solver: SolverSpec
) -> tuple[SolveResult, FloatArray | None]:
    r"""Solve a problem, first tightening its LP relaxation with separated link cuts.

    With antennes that need a house, rounds of "LP relaxation, then the most violated link
    cut per frequent row" (:func:`planner.model.coverage.cuts.add_link_cuts`) run first;
    the cuts are valid for every plan, so the MILP keeps the same plans and optimum. The
    time they take counts towards the time limit and the reported runtime.
    """
    model = problem.model
    data = problem.link_rows
    if data is None or not model.is_mip or model.sense != "max":
        return run_model(model, solver, start=problem.start)
    started = time.perf_counter()
    limit = solver.time_limit_s
    model, rounds, added = add_link_cuts(
        model, data, problem.house_columns, problem.antenne_columns, solver
    )
    spent = time.perf_counter() - started
    mip_spec = solver
    if limit is not None:
        mip_spec = solver.model_copy(update={"time_limit_s": max(limit - spent, 1e-3 * limit)})
    result, x = run_model(model, mip_spec, start=problem.start)
    logger.info(f"Link cuts: {added:,} in {rounds} rounds ({spent:.1f} s)")
    result = dataclasses.replace(
        result,
        runtime_s=result.runtime_s + spent,
        time_limit_s=limit,
        options={**result.options, "time_limit_s": limit, "link_cuts": added},
    )
    return result, x


def _labelled(solution: CoverageSolution, *, exact: bool) -> CoverageSolution:
    options = {**solution.result.options, "tie_break": "exact" if exact else "not proven"}
    result = dataclasses.replace(solution.result, options=options)
    return dataclasses.replace(solution, result=result, tie_break_exact=exact)


def _read_plan(
    instance: CoverageInstance, problem: CoverageProblem, result: SolveResult, x: FloatArray
) -> CoverageSolution:
    form = problem.form
    house = problem.house_fixed.copy()
    house[problem.house_sites] |= x[problem.house_columns] > _HALF
    antenne = problem.antenne_fixed | problem.antenne_carried
    antenne[problem.antenne_sites] |= x[problem.antenne_columns] > _HALF
    problems = plan_problems(instance, house, antenne, form, problem.left_out)
    served, assign, load, load_problems = read_assignment(
        instance, (problem.pair_sectors, problem.pair_sites, problem.pair_columns), house, x
    )
    problems += load_problems
    if problems:
        raise SolverError(
            [f"{result.solver} returned a plan that breaks a rule: {p}" for p in problems]
        )
    covered_house, covered_frequent, value = plan_coverage(instance, house, antenne)
    house_share = covered_house.astype(np.float64) if served is None else served
    value += instance.alpha * float(instance.weight @ (house_share - covered_house))
    figures = _figures(instance, problem, house, served)
    figures["covered_weight"] = round(float(instance.weight @ house_share), 6)
    cost = plan_cost(instance, house, antenne)
    if form.objective == "cost":
        objective = cost
    elif form.antennes:
        objective = value
    else:  # houses only: alpha is 1
        objective = float(instance.weight @ house_share)
    solution = CoverageSolution(
        house=frozen(house),
        antenne=frozen(antenne),
        link=frozen(link_antennes(instance, house, antenne)),
        cost=cost,
        coverage_objective=value,
        result=result,
        covered_house=frozen(covered_house),
        covered_frequent=frozen(covered_frequent),
        objective=objective,
        tie_break=_tie_break(instance, problem, x),
        model=form.name,
        assign=assign,
        served=served,
        figures=figures,
        load=load,
    )
    logger.info(
        f"Plan ({form.name}): {int(house.sum())} houses "
        f"({int((house & ~instance.existing_house).sum())} new), {int(antenne.sum())} antennes "
        f"({int((antenne & ~instance.existing_antenne).sum())} new), cost EUR "
        f"{solution.cost:,.0f}, coverage objective {value:,.3f} "
        f"({result.status}{'' if result.proven_optimal else ', not proven optimal'})"
    )
    return solution


def _tie_break(instance: CoverageInstance, problem: CoverageProblem, x: FloatArray) -> float:
    r"""Return the value of the model's tie-break term at the plan read from ``x``.

    Coverage forms: the cost term :math:`-\varepsilon\,\text{cost}/C` of the open variable
    sites. Cost forms: the tiny cost of the open variable sites that cost nothing.
    """
    columns = np.concatenate([problem.house_columns, problem.antenne_columns])
    if columns.size == 0:
        return 0.0
    opened = (x[columns] > _HALF).astype(np.float64)
    coef = problem.model.c[columns]
    if problem.form.objective == "cost":
        real = np.concatenate(
            [
                instance.new_house_cost()[problem.house_sites],
                instance.new_antenne_cost()[problem.antenne_sites],
            ]
        )
        coef = np.where(real > 0, 0.0, coef)
    return float(coef @ opened)


def _figures(
    instance: CoverageInstance,
    problem: CoverageProblem,
    house: BoolArray,
    served: FloatArray | None,
) -> dict[str, float | int | None]:
    form = problem.form
    figures: dict[str, float | int | None] = {
        "merged_sector_terms": problem.merged_sectors,
        "columns": problem.model.n_cols,
        "rows": problem.model.n_rows,
    }
    if form.p is not None:
        figures["p"] = form.p
    if form.skip_unreachable:
        lost = problem.left_out
        figures["unreachable_sectors"] = int(lost.sum())
        figures["unreachable_families"] = round(float(instance.family_counts()[lost].sum()), 3)
    if served is not None:
        families = instance.family_counts()
        total = float(families.sum())
        figures["families_served_share"] = (
            round(float(families @ served) / total, 6) if total > 0 else None
        )
        capacity = np.asarray(instance.capacity)
        open_cap = capacity[house]
        finite = np.isfinite(open_cap)
        figures["capacity_open"] = float(open_cap[finite].sum()) if finite.any() else None
    return figures
