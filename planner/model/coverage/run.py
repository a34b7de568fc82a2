"""Run a built model with :mod:`planner.solve`; say why no plan came.

Shared by every member of the coverage family and by the p-center search under rules.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

import numpy as np

from planner.solve import method_result, solve_milp

if TYPE_CHECKING:
    from planner.model.coverage.instance import FloatArray
    from planner.scenario import SolverSpec
    from planner.solve import MilpArrays, SolveResult

__all__ = ["no_plan_message", "run_model", "stopped_by_time_limit"]

logger = logging.getLogger(__name__)


def run_model(
    model: MilpArrays, solver: SolverSpec, *, start: FloatArray | None = None
) -> tuple[SolveResult, FloatArray | None]:
    """Solve a model with :func:`planner.solve.solve_milp` (a model without columns without).

    A model without columns needs no solver: its value is its offset, proven. The solve layer
    guards against a MIP start returned as an unproven optimum and confirms "infeasible"
    verdicts (see :mod:`planner.solve.milp`).

    Parameters
    ----------
    model
        The arrays.
    solver
        Solver options.
    start
        A MIP start meeting every row, or None.

    Returns
    -------
    SolveResult
        What the solver proved.
    ndarray or None
        Column values when a plan exists.
    """
    if model.n_cols == 0:
        started = time.perf_counter()
        result = method_result(
            solver,
            objective=model.offset,
            bound=model.offset,
            runtime_s=time.perf_counter() - started,
            detail="no decision left: every site is fixed or out of reach",
            sense=model.sense,
        )
        return result, np.zeros(0)
    return solve_milp(model, solver, start=start)


def stopped_by_time_limit(result: SolveResult) -> bool:
    """Whether an "infeasible" verdict came when the time limit was (nearly) used up.

    CBC stopped by its time limit during preprocessing prints "Pre-processing says infeasible
    or unbounded": that proves nothing, so it is treated as a run stopped without a plan.

    Parameters
    ----------
    result
        The solver's result.

    Returns
    -------
    bool
        True when the run used at least 90 % of its time limit.
    """
    limit = result.time_limit_s
    return limit is not None and result.runtime_s >= 0.9 * limit


def no_plan_message(result: SolveResult, model: str) -> str:
    """Return why a solver run ended without a plan, and what to try.

    Parameters
    ----------
    result
        The solver's result.
    model
        The model's name, for the message.

    Returns
    -------
    str
        One line.
    """
    other = "highs" if result.solver == "cbc" else "cbc"
    if result.status in {"no_solution", "infeasible"}:
        return (
            f"{result.solver} stopped after {result.runtime_s:.1f} s ({result.detail}) before "
            f"finding any plan: raise solver.time_limit_s or try solver.name: {other}"
        )
    if result.status == "unbounded":
        return (
            f"{result.solver} reports the {model} model unbounded, which cannot happen for "
            "valid input: please report this as a bug"
        )
    return (
        f"{result.solver} failed ({result.detail or result.status}): try solver.name: {other}, "
        "or set solver.msg: true and run with --verbose to see the solver log"
    )
