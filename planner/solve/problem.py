r"""Solving a built :class:`pulp.LpProblem` with CBC or HiGHS through PuLP (:func:`solve_problem`).

PuLP maps "stopped on its time limit with a plan" to ``LpStatusOptimal``; this module reads
what the solver itself proved instead.
"""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pulp

if TYPE_CHECKING:
    from planner.scenario import SolverSpec
from planner.solve.cbc import _classify_cbc
from planner.solve.highs import _classify_highs, _use_highs_threads
from planner.solve.result import (
    _HAS_PLAN,
    SolveResult,
    _build_result,
    _cbc_path,
    _check_solver,
    _highs_version,
    _log_result,
    _Outcome,
    _relay_log,
    _stdout_silenced,
)

logger = logging.getLogger(__name__)


def solve_problem(problem: pulp.LpProblem, spec: SolverSpec) -> SolveResult:
    """Solve a PuLP problem with CBC or HiGHS and report what the solver proved.

    Parameters
    ----------
    problem
        A built problem; its variables receive the solver's values when a plan exists.
    spec
        Solver name, time limit, relative gap tolerance, threads and log verbosity.

    Returns
    -------
    SolveResult
        Status, proof, objective, bound, gap, runtime and the options passed. Infeasible,
        unbounded and failed runs are *returned* (check :attr:`SolveResult.status`), so the
        caller can name the rule that failed.

    Raises
    ------
    SolverUnavailableError
        When the solver is unknown or not installed.
    """
    name = spec.name
    _check_solver(name)
    sense: Literal["max", "min"] = "max" if problem.sense == pulp.LpMaximize else "min"
    n_vars = len(problem.variables())
    logger.info(
        f"Solving {problem.name!r} with {name}: {n_vars:,} variables, "
        f"{problem.numConstraints():,} constraints, time limit "
        f"{'none' if spec.time_limit_s is None else f'{spec.time_limit_s:g} s'}, "
        f"mip_gap {spec.mip_gap:g}"
    )
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="planner-solve-") as tmp:
        log_path = Path(tmp) / f"{name}.log"
        if name == "cbc":
            outcome = _run_cbc(problem, spec, log_path)
        else:
            outcome = _run_highs(problem, spec, log_path)
        _relay_log(name, log_path, verbose=spec.msg)
    runtime = time.perf_counter() - start
    result = _finish(problem, spec, sense, outcome, runtime)
    _log_result(result)
    return result


# --------------------------------------------------------------------------- common


def _finish(
    problem: pulp.LpProblem,
    spec: SolverSpec,
    sense: Literal["max", "min"],
    outcome: _Outcome,
    runtime: float,
) -> SolveResult:
    constant = _objective_constant(problem)
    objective = _objective_value(problem) if outcome.status in _HAS_PLAN else None
    return _build_result(spec, sense, outcome, objective, constant, runtime)


def _objective_constant(problem: pulp.LpProblem) -> float:
    objective = problem.objective
    return 0.0 if objective is None else float(objective.constant)


def _objective_value(problem: pulp.LpProblem) -> float:
    objective = problem.objective
    if objective is None:
        return 0.0
    total = float(objective.constant)
    for var, coef in objective.items():
        value = var.varValue
        total += float(coef) * (0.0 if value is None else float(value))
    return total


def _run_cbc(problem: pulp.LpProblem, spec: SolverSpec, log_path: Path) -> _Outcome:
    path = _cbc_path()
    kwargs: dict[str, object] = {
        "msg": False,
        "timeLimit": spec.time_limit_s,
        "gapRel": spec.mip_gap,
        "threads": spec.threads,
        "timeMode": "elapsed",
    }
    # COIN_CMD on the bundled binary is PULP_CBC_CMD without its PuLP-4 deprecation warning.
    solver = pulp.COIN_CMD(path=path, logPath=str(log_path), **kwargs)
    options: dict[str, object] = {"executable": path, **kwargs}
    try:
        pulp_status = int(problem.solve(solver))
    except pulp.PulpSolverError as error:
        return _Outcome("error", None, solver_proved=False, detail=str(error), options=options)
    text = log_path.read_text(encoding="utf-8", errors="replace") if log_path.is_file() else ""
    return _classify_cbc(text, pulp_status, int(problem.sol_status), options)


# --------------------------------------------------------------------------- HiGHS


class _QuietHiGHS(pulp.HiGHS):  # type: ignore[misc]
    """PuLP's HiGHS, minus the banner ``highspy.Highs()`` prints before options can be set."""

    def createAndConfigureSolver(self, lp: pulp.LpProblem) -> None:  # noqa: N802 (PuLP's name)
        """Create the ``highspy.Highs`` object with stdout silenced, then configure it."""
        with _stdout_silenced():
            super().createAndConfigureSolver(lp)


def _run_highs(problem: pulp.LpProblem, spec: SolverSpec, log_path: Path) -> _Outcome:
    kwargs: dict[str, object] = {
        "msg": False,
        "timeLimit": spec.time_limit_s,
        "gapRel": spec.mip_gap,
        "threads": spec.threads,
    }
    # Options HiGHS receives as-is, after PuLP's own; the log goes to a file, not the console.
    log_options: dict[str, object] = {"log_to_console": False, "output_flag": True}
    _use_highs_threads(spec.threads)
    solver = _QuietHiGHS(**kwargs, log_file=str(log_path), **log_options)
    options: dict[str, object] = {**kwargs, **log_options}
    version = _highs_version()
    try:
        problem.solve(solver)
    except (pulp.PulpSolverError, RuntimeError) as error:
        return _Outcome(
            "error", None, solver_proved=False, detail=str(error), version=version, options=options
        )
    highs = problem.solverModel
    highs.setOptionValue("log_file", "")  # close the log so it can be read and deleted
    outcome = _classify_highs(highs, is_mip=bool(problem.isMIP()), sense=problem.sense)
    return _Outcome(
        outcome.status,
        outcome.bound_raw,
        solver_proved=outcome.solver_proved,
        detail=outcome.detail,
        version=version,
        options=options,
    )
