r"""HiGHS: an array model passed as CSC arrays (``Highs.passModel``) and its outcome read back.

The model status, the primal solution status and ``mip_dual_bound`` of the ``highspy.Highs``
object are read; PuLP's HiGHS interface keeps the same object in ``problem.solverModel``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pulp

if TYPE_CHECKING:
    from pathlib import Path

    from planner.scenario import SolverSpec
    from planner.solve.arrays import MilpArrays, _Values
from planner.solve.result import (
    _HAS_PLAN,
    FloatArray,
    Status,
    _highs_version,
    _Outcome,
    _stdout_silenced,
)

_HIGHS_THREADS: dict[str, int] = {}


def _use_highs_threads(threads: int) -> None:
    """Restart HiGHS's global thread pool when the thread count changes.

    HiGHS keeps one scheduler per process; a run asking for another thread count than the
    pool was started with fails with status "Not Set" unless the pool is reset first.
    """
    import highspy  # noqa: PLC0415 (optional dependency, checked by available_solvers)

    if _HIGHS_THREADS.get("threads") not in {None, threads}:
        highspy.Highs.resetGlobalScheduler(True)
    _HIGHS_THREADS["threads"] = threads


def _highs_limit_statuses(kinds: type) -> set[object]:
    """Model statuses meaning "stopped by a limit" (names vary across highspy versions)."""
    names = (
        "kTimeLimit",
        "kIterationLimit",
        "kSolutionLimit",
        "kInterrupt",
        "kHighsInterrupt",
        "kMemoryLimit",
        "kObjectiveBound",
        "kObjectiveTarget",
    )
    return {getattr(kinds, name) for name in names if hasattr(kinds, name)}


def _classify_highs(highs: object, *, is_mip: bool, sense: int) -> _Outcome:
    """Read the model status, solution status and dual bound of a ``highspy.Highs``."""
    import highspy  # noqa: PLC0415 (present: the solver just ran)

    model_status = highs.getModelStatus()  # type: ignore[attr-defined]
    info = highs.getInfo()  # type: ignore[attr-defined]
    detail = str(highs.modelStatusToString(model_status))  # type: ignore[attr-defined]
    kinds = highspy.HighsModelStatus
    has_plan = int(info.primal_solution_status) == int(
        highspy.SolutionStatus.kSolutionStatusFeasible
    )
    bound: float | None = None
    if is_mip:
        raw = float(info.mip_dual_bound)
        if math.isfinite(raw):
            # PuLP hands HiGHS min(s * f) with s = -1 when maximising, without the constant.
            bound = -raw if sense == pulp.LpMaximize else raw
    status: Status
    proved = False
    if model_status == kinds.kOptimal:
        status = "optimal" if has_plan else "error"
        proved = not is_mip
    elif model_status == kinds.kModelEmpty:
        status, proved = "optimal", True
    elif model_status in {kinds.kInfeasible, kinds.kUnboundedOrInfeasible}:
        status = "infeasible"
    elif model_status == kinds.kUnbounded:
        status = "unbounded"
    elif model_status in _highs_limit_statuses(kinds):
        status = "feasible" if has_plan else "no_solution"
    else:
        status = "error"
    return _Outcome(status, bound, solver_proved=proved, detail=detail)


def _new_highs() -> object:
    """Return a silent ``highspy.Highs`` (its banner is printed at construction)."""
    import highspy  # noqa: PLC0415 (optional dependency, checked by available_solvers)

    with _stdout_silenced():
        highs = highspy.Highs()  # type: ignore[no-untyped-call]
    highs.setOptionValue("output_flag", False)
    return highs


def _pass_arrays(solver: object, model: MilpArrays) -> bool:
    """Pass the model to HiGHS as a minimisation without offset; return whether it took it."""
    import highspy  # noqa: PLC0415 (optional dependency, checked by available_solvers)

    highs: Any = solver

    matrix = model.A
    cost = -model.c if model.sense == "max" else model.c
    status = highs.passModel(
        model.n_cols,
        model.n_rows,
        int(matrix.nnz),
        int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMinimize),
        0.0,
        np.ascontiguousarray(cost),
        np.ascontiguousarray(model.lower),
        np.ascontiguousarray(model.upper),
        np.ascontiguousarray(model.row_lower),
        np.ascontiguousarray(model.row_upper),
        matrix.indptr.astype(np.int32),
        matrix.indices.astype(np.int32),
        np.ascontiguousarray(matrix.data),
        model.integer.astype(np.int32),
    )
    return bool(status != highspy.HighsStatus.kError)


_HIGHS_HEURISTICS: Final[tuple[str, ...]] = (
    "mip_heuristic_run_rins",
    "mip_heuristic_run_rens",
    "mip_heuristic_run_root_reduced_cost",
    "mip_heuristic_run_feasibility_jump",
)


def _run_highs_arrays(
    model: MilpArrays,
    spec: SolverSpec,
    log_path: Path,
    start: FloatArray | None,
    *,
    heuristics: bool,
    presolve: bool = True,
) -> tuple[_Outcome, _Values | None]:
    version = _highs_version()
    options: dict[str, object] = {
        "interface": "highspy arrays",
        "mip_rel_gap": spec.mip_gap,
        "threads": spec.threads,
        "time_limit": spec.time_limit_s,
        "mip_start": start is not None,
        "heuristics": heuristics,
    }
    if not presolve:
        options["presolve"] = "off"
    highs: Any = _new_highs()
    if not _pass_arrays(highs, model):
        return _Outcome("error", None, False, "HiGHS rejected the model", version, options), None
    _configure_highs(highs, model, spec, start, heuristics=heuristics)
    if not presolve:
        highs.setOptionValue("presolve", "off")
    highs.setOptionValue("log_to_console", False)
    highs.setOptionValue("log_file", str(log_path))
    highs.setOptionValue("output_flag", True)
    try:
        highs.run()
    except RuntimeError as error:
        return _Outcome("error", None, False, str(error), version, options), None
    finally:
        highs.setOptionValue("log_file", "")  # close the log so it can be read and deleted
    sense = pulp.LpMaximize if model.sense == "max" else pulp.LpMinimize
    outcome = _classify_highs(highs, is_mip=model.is_mip, sense=sense)
    values: _Values | None = None
    if outcome.status in _HAS_PLAN:
        solution = highs.getSolution()
        x = np.array(solution.col_value, dtype=np.float64)
        reduced = None
        if not model.is_mip and solution.dual_valid:
            reduced = np.array(solution.col_dual, dtype=np.float64)
        values = (x, reduced)
    return _Outcome(
        outcome.status, outcome.bound_raw, outcome.solver_proved, outcome.detail, version, options
    ), values


def _configure_highs(
    solver: object,
    model: MilpArrays,
    spec: SolverSpec,
    start: FloatArray | None,
    *,
    heuristics: bool,
) -> None:
    highs: Any = solver
    _use_highs_threads(spec.threads)
    highs.setOptionValue("mip_rel_gap", float(spec.mip_gap))
    highs.setOptionValue("threads", int(spec.threads))
    if spec.time_limit_s is not None:
        highs.setOptionValue("time_limit", float(spec.time_limit_s))
    if not heuristics:
        highs.setOptionValue("mip_heuristic_effort", 0.0)
        for name in _HIGHS_HEURISTICS:
            highs.setOptionValue(name, False)
    if model.names is not None:
        for index, name in enumerate(model.names):
            highs.passColName(index, name)
    if start is not None and model.is_mip:
        highs.setSolution(
            model.n_cols, np.arange(model.n_cols, dtype=np.int32), np.ascontiguousarray(start)
        )
