r"""Solving array models: :func:`solve_milp` (MILP or LP) and :func:`solve_lp` (with reduced costs).

No Python object per variable is created; a MIP start can be passed to either solver.
"""

from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

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
    if values is None or result.status != "optimal":
        return result, None
    x, reduced = values
    if reduced is None:
        return result, None
    if model.sense == "max":
        reduced = -reduced
    return result, LpSolution(x=x, reduced_cost=reduced)


def _solve_arrays(
    model: MilpArrays, spec: SolverSpec, start: FloatArray | None, *, heuristics: bool
) -> tuple[SolveResult, _Values | None]:
    # The solver modules import PuLP and highspy: loaded when a model is first solved.
    from planner.solve.cbc import _run_cbc_arrays  # noqa: PLC0415
    from planner.solve.highs import _run_highs_arrays  # noqa: PLC0415

    begin = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="planner-solve-") as tmp:
        log_path = Path(tmp) / f"{spec.name}.log"
        if spec.name == "cbc":
            outcome, values = _run_cbc_arrays(
                model, spec, Path(tmp), log_path, start, heuristics=heuristics
            )
        else:
            outcome, values = _run_highs_arrays(model, spec, log_path, start, heuristics=heuristics)
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
