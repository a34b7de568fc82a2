r"""Solving array models: :func:`solve_milp` (MILP or LP) and :func:`solve_lp` (with reduced costs).

No Python object per variable is created; a MIP start can be passed to either solver.

Two checks guard every model against a solver's false verdicts (see :attr:`SolveResult.remark`):

- an ``infeasible`` is confirmed before it is reported: the model is solved again without
  pre-processing (CBC: ``-preprocess off -presolve off``; HiGHS: ``presolve off``). CBC's
  pre-processing can declare a small feasible model infeasible; when the second run finds a
  plan, that plan is returned. A run that used 90 % of its time limit is not confirmed (the
  callers treat it as stopped by the limit);
- a run given a MIP start that stops "optimal" with a gap above ``mip_gap`` (HiGHS 1.16 may
  return its start so when presolve turns the start into a better plan) is repeated without
  the start, which usually proves the optimum.
"""

from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Final

import numpy as np

from planner.errors import DataError

if TYPE_CHECKING:
    from planner.scenario import SolverSpec
from planner.solve.arrays import LpSolution, MilpArrays, _Values
from planner.solve.result import (
    _HAS_PLAN,
    FloatArray,
    SolveResult,
    _build_result,
    _check_solver,
    _log_result,
    _Outcome,
    _relay_log,
)

logger = logging.getLogger(__name__)


def solve_milp(
    model: MilpArrays,
    spec: SolverSpec,
    *,
    start: FloatArray | None = None,
    heuristics: bool = True,
) -> tuple[SolveResult, FloatArray | None]:
    """Solve a MILP or LP given by arrays with CBC or HiGHS and report what the solver proved.

    HiGHS receives the CSC arrays directly (``Highs.passModel``); CBC reads the model as an
    MPS file written by HiGHS and writes its log and solution file, which are parsed with the
    same rules as :func:`solve_problem`. No Python object per variable is built. Both solvers
    see the problem as a minimisation (a maximisation is negated and turned back), without the
    offset (added to the objective and the bound afterwards).

    Parameters
    ----------
    model
        The arrays.
    spec
        Solver name, time limit, relative gap tolerance, threads and log verbosity.
    start
        A full assignment of the columns used as a MIP start (ignored for an LP). The solvers
        check it and drop it when it is infeasible.
    heuristics
        Let the solver run its primal heuristics. Turn them off when ``start`` is already
        (near) optimal and only the proof is wanted: the search then spends its time on the
        bound.

    Returns
    -------
    SolveResult
        Status, proof, objective, bound, gap and runtime, as for :func:`solve_problem`.
    ndarray or None
        The solver's values of the columns when a plan exists (integer columns as the solver
        returned them: round them), else None.

    Raises
    ------
    SolverUnavailableError
        When the solver is unknown or not installed.
    DataError
        When ``start`` does not have one value per column.
    """
    _check_solver(spec.name)
    if start is not None:
        start = np.asarray(start, dtype=np.float64)
        if start.shape != (model.n_cols,):
            raise DataError(
                f"solve_milp start: expected {model.n_cols} values (one per column), "
                f"got shape {start.shape}"
            )
    kind = "MILP" if model.is_mip else "LP"
    logger.info(
        f"Solving a {kind} with {spec.name}: {model.n_cols:,} columns, {model.n_rows:,} rows, "
        f"{model.A.nnz:,} nonzeros, time limit "
        f"{'none' if spec.time_limit_s is None else f'{spec.time_limit_s:g} s'}, "
        f"mip_gap {spec.mip_gap:g}{', with a start' if start is not None else ''}"
    )
    result, values = _solve_arrays(model, spec, start, heuristics=heuristics)
    if start is not None and _claims_unproven_optimum(result, spec):
        result, values = _without_start(model, spec, result, values)
    result, values = _confirm_infeasible(model, spec, result, values, start, heuristics)
    return result, (None if values is None else values[0])


def solve_lp(model: MilpArrays, spec: SolverSpec) -> tuple[SolveResult, LpSolution | None]:
    r"""Solve the LP relaxation of an array model and return its values and reduced costs.

    Integer flags are ignored. The reduced cost of column :math:`j` is the rate at which the
    objective changes when :math:`x_j` moves away from its LP value (for a minimisation,
    :math:`c_j - A_j^\top \pi`; non-negative at a lower bound when optimal). With an optimal
    LP of value :math:`z_{LP}` (minimising), every feasible :math:`x` satisfies
    :math:`c^\top x \ge z_{LP} + \bar c_j (x_j - l_j)` for a column at its lower bound
    :math:`l_j` with :math:`\bar c_j \ge 0`: the basis of reduced-cost fixing.

    Parameters
    ----------
    model
        The arrays (integer flags ignored).
    spec
        Solver name, time limit, threads and log verbosity.

    Returns
    -------
    SolveResult
        As for :func:`solve_milp`.
    LpSolution or None
        Values and reduced costs when the LP was solved to optimality, else None.

    Raises
    ------
    SolverUnavailableError
        When the solver is unknown or not installed.
    """
    _check_solver(spec.name)
    relaxed = replace(model, integer=np.zeros(model.n_cols, dtype=bool))
    logger.info(
        f"Solving an LP with {spec.name}: {model.n_cols:,} columns, {model.n_rows:,} rows, "
        f"{model.A.nnz:,} nonzeros"
    )
    result, values = _solve_arrays(relaxed, spec, None, heuristics=True)
    result, values = _confirm_infeasible(relaxed, spec, result, values, None, heuristics=True)
    if values is None or result.status != "optimal":
        return result, None
    x, reduced = values
    if reduced is None:
        return result, None
    if model.sense == "max":
        reduced = -reduced
    return result, LpSolution(x=x, reduced_cost=reduced)


_NEAR_LIMIT: Final[float] = 0.9


def _claims_unproven_optimum(result: SolveResult, spec: SolverSpec) -> bool:
    """Whether a run stopped "optimal" with a gap larger than the one allowed."""
    return (
        result.status == "optimal"
        and not result.proven_optimal
        and (result.gap or 0.0) > spec.mip_gap
    )


def _time_left(spec: SolverSpec, used: float) -> SolverSpec:
    """Return the spec for a second run: the time left (at least a tenth of the limit)."""
    limit = spec.time_limit_s
    if limit is None:
        return spec
    return spec.model_copy(update={"time_limit_s": max(limit - used, 0.1 * limit)})


def _combined(
    first: SolveResult, second: SolveResult, spec: SolverSpec, remark: str
) -> SolveResult:
    """``second`` with the runtime of both runs, the original time limit and ``remark``."""
    return replace(
        second,
        runtime_s=first.runtime_s + second.runtime_s,
        time_limit_s=spec.time_limit_s,
        options={**second.options, "time_limit_s": spec.time_limit_s},
        remark=remark,
    )


def _without_start(
    model: MilpArrays, spec: SolverSpec, result: SolveResult, values: _Values | None
) -> tuple[SolveResult, _Values | None]:
    """Solve again without the MIP start after a run that claimed an optimum it did not prove."""
    logger.info(
        f"{spec.name} stopped 'optimal' with a gap of {result.gap or 0.0:.4%} after a MIP "
        "start: solving again without the start"
    )
    second, again = _solve_arrays(model, _time_left(spec, result.runtime_s), None, heuristics=True)
    remark = (
        f"{spec.name} stopped 'optimal' from the MIP start without closing the gap; solved "
        "again without the start"
    )
    if not second.has_plan or again is None:
        return _combined(second, result, spec, f"{remark}, which found no plan in time"), values
    return _combined(result, second, spec, remark), again


def _confirm_infeasible(
    model: MilpArrays,
    spec: SolverSpec,
    result: SolveResult,
    values: _Values | None,
    start: FloatArray | None,
    heuristics: bool,
) -> tuple[SolveResult, _Values | None]:
    """Confirm an "infeasible" by a second run without pre-processing; return what holds."""
    limit = spec.time_limit_s
    if result.status != "infeasible" or (
        limit is not None and result.runtime_s >= _NEAR_LIMIT * limit
    ):
        return result, values
    how = f"{spec.name} without {'pre-processing' if spec.name == 'cbc' else 'presolve'}"
    second, again = _solve_arrays(
        model, _time_left(spec, result.runtime_s), start, heuristics=heuristics, presolve=False
    )
    if second.status == "infeasible":
        logger.info(f"The model is infeasible: confirmed by {how}")
        return _combined(second, result, spec, f"infeasible, confirmed by {how}"), None
    if second.has_plan and again is not None:
        remark = f"{spec.name} declared the model infeasible; {how} found a plan"
        logger.warning(f"{remark}: its verdict was wrong")
        return _combined(result, second, spec, remark), again
    remark = (
        f"{spec.name} declared the model infeasible, but {how} could not confirm it "
        f"({second.detail or second.status})"
    )
    logger.warning(remark)
    unconfirmed = replace(second, status="no_solution", detail=remark)
    return _combined(result, unconfirmed, spec, remark), None


def _solve_arrays(
    model: MilpArrays,
    spec: SolverSpec,
    start: FloatArray | None,
    *,
    heuristics: bool,
    presolve: bool = True,
) -> tuple[SolveResult, _Values | None]:
    # The solver modules import PuLP and highspy: loaded when a model is first solved.
    from planner.solve.cbc import _run_cbc_arrays  # noqa: PLC0415
    from planner.solve.highs import _run_highs_arrays  # noqa: PLC0415

    begin = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="planner-solve-") as tmp:
        log_path = Path(tmp) / f"{spec.name}.log"
        if spec.name == "cbc":
            outcome, values = _run_cbc_arrays(
                model, spec, Path(tmp), log_path, start, heuristics=heuristics, presolve=presolve
            )
        else:
            outcome, values = _run_highs_arrays(
                model, spec, log_path, start, heuristics=heuristics, presolve=presolve
            )
        _relay_log(spec.name, log_path, verbose=spec.msg)
    runtime = time.perf_counter() - begin
    if outcome.status in _HAS_PLAN and values is None:
        outcome = _Outcome(
            "error", None, solver_proved=False, detail="the solver reported a plan but no values"
        )
    objective = None
    if values is not None and outcome.status in _HAS_PLAN:
        objective = model.objective(values[0])
    result = _build_result(spec, model.sense, outcome, objective, model.offset, runtime)
    _log_result(result)
    return result, (values if result.has_plan else None)
