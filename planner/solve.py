r"""Solve layer: one honest interface to the CBC and HiGHS MILP solvers.

:func:`solve_problem` runs a built :class:`pulp.LpProblem` with the solver a scenario asks for
and returns a frozen :class:`SolveResult` that says what the solver *proved*, not what PuLP
guessed. PuLP maps "CBC stopped on its time limit with a plan" and "HiGHS hit its time
limit with a plan" to ``LpStatusOptimal``; this module never does. It reads

- for CBC, the solver's own log (written to a temporary file): the ``Result -`` line, the
  ``Objective value:`` and the ``Lower bound:`` / ``Upper bound:`` lines, together with PuLP's
  solution status (which tells whether an integer plan exists);
- for HiGHS, the model status, the primal solution status and ``mip_dual_bound`` of the
  ``highspy.Highs`` object PuLP keeps in ``problem.solverModel``.

Status vocabulary (:attr:`SolveResult.status`):

``optimal``
    The solver stopped because it met its optimality criterion: proven optimal, or
    optimal within the relative gap the user allowed (``solver.mip_gap > 0``).
``feasible``
    Stopped by a limit (time, nodes, ...) with a plan that is not proven optimal.
``infeasible`` / ``unbounded``
    As proven by the solver ("infeasible or unbounded" is reported as ``infeasible``).
``no_solution``
    Stopped by a limit before any plan was found.
``error``
    The solver failed; :attr:`SolveResult.detail` says how.

Gap and proof. With objective :math:`z` and best bound :math:`\bar z` (an upper bound when
maximising, a lower bound when minimising) the relative gap is

.. math::

    \text{gap} = \frac{|\bar z - z|}{\max(|z|, 10^{-9})}.

``proven_optimal`` is true only when the status is ``optimal`` *and* the solver closed the gap:
CBC reports "Optimal solution found" without "(within gap tolerance)", or the bound and the
objective differ by at most :data:`PROVEN_TOLERANCE` (absolute, or relative to :math:`|z|`,
whichever is larger: the solvers' own default tolerances). A run with ``mip_gap > 0`` that
stops inside that gap keeps ``status == "optimal"`` (optimal within the requested tolerance)
but ``proven_optimal`` is false and ``gap`` holds the remaining gap. When proven, ``gap`` is
``0.0``. A bound the solver prints rounded (CBC prints three decimals) is clipped so it
never lies on the wrong side of the objective.

Objectives and bounds include the constant term of the PuLP objective (which neither solver
sees). ``runtime_s`` is the wall-clock time of the whole call (writing the model, solving,
reading the solution). The solver's log is relayed through :mod:`logging` as one message:
at INFO when ``solver.msg`` is true, at DEBUG otherwise. Nothing is printed.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import logging
import math
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

import pulp

from planner.errors import SolverUnavailableError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from planner.scenario import SolverSpec

__all__ = [
    "PROVEN_TOLERANCE",
    "SOLVERS",
    "SolveResult",
    "available_solvers",
    "relative_gap",
    "solve_problem",
]

logger = logging.getLogger(__name__)

SOLVERS: Final[tuple[str, ...]] = ("cbc", "highs")
"""Solver names planner knows, in order of preference."""

PROVEN_TOLERANCE: Final[float] = 1e-6
"""A gap at most this large (absolute, or relative to the objective) counts as closed."""

Status = Literal["optimal", "feasible", "infeasible", "unbounded", "no_solution", "error"]

_INSTALL_HINTS: Final[dict[str, str]] = {
    "cbc": (
        "solver 'cbc' is not installed: reinstall pulp (it bundles CBC) or put a 'cbc' "
        "executable on PATH, or set solver.name: highs"
    ),
    "highs": "solver 'highs' is not installed: pip install highspy, or set solver.name: cbc",
}
_GAP_FLOOR: Final[float] = 1e-9
_HAS_PLAN: Final[frozenset[str]] = frozenset({"optimal", "feasible"})


@dataclass(frozen=True)
class SolveResult:
    r"""What a solver run achieved, labelled honestly.

    Attributes
    ----------
    solver : str
        ``"cbc"`` or ``"highs"``.
    status : str
        One of ``optimal``, ``feasible``, ``infeasible``, ``unbounded``, ``no_solution``,
        ``error`` (see the module docstring).
    proven_optimal : bool
        True only when the solver closed the gap (up to :data:`PROVEN_TOLERANCE`).
    objective : float or None
        Objective of the plan found (with the objective's constant term); None without a plan.
    bound : float or None
        Best bound proven by the solver (upper bound when maximising); None when unknown.
    gap : float or None
        :math:`|\bar z - z| / \max(|z|, 10^{-9})`; ``0.0`` when proven; None when the bound
        or the objective is unknown.
    runtime_s : float
        Wall-clock seconds of the call.
    time_limit_s : float or None
        The time limit passed to the solver.
    mip_gap : float
        The relative gap tolerance passed to the solver.
    options : dict
        The options passed to the solver, for the manifest (JSON-serialisable).
    sense : str
        ``"max"`` or ``"min"``.
    detail : str
        The solver's own words for how it stopped (e.g. ``"Stopped on time limit"``).
    solver_version : str or None
        Version of the solver that ran, when known.
    """

    solver: str
    status: Status
    proven_optimal: bool
    objective: float | None
    bound: float | None
    gap: float | None
    runtime_s: float
    time_limit_s: float | None
    mip_gap: float
    options: dict[str, object]
    sense: Literal["max", "min"]
    detail: str = ""
    solver_version: str | None = None

    @property
    def has_plan(self) -> bool:
        """Whether the run produced a plan (status ``optimal`` or ``feasible``)."""
        return self.status in _HAS_PLAN


@dataclass(frozen=True)
class _Outcome:
    """Solver-specific reading of a run, before the common bookkeeping."""

    status: Status
    bound_raw: float | None  # without the objective constant
    solver_proved: bool  # the solver itself says the gap is closed
    detail: str
    version: str | None = None
    options: dict[str, object] = field(default_factory=dict)


def available_solvers() -> list[str]:
    """Return the names of the installed solvers, in order of preference.

    Returns
    -------
    list of str
        A subset of :data:`SOLVERS`: ``"cbc"`` when PuLP's bundled CBC binary (or a ``cbc``
        on PATH) can be executed, ``"highs"`` when ``highspy`` can be imported.
    """
    names = []
    if _cbc_path() is not None:
        names.append("cbc")
    if bool(pulp.HiGHS(msg=False).available()):
        names.append("highs")
    return names


def relative_gap(
    objective: float | None, bound: float | None, sense: Literal["max", "min"]
) -> float | None:
    r"""Return the relative gap between an objective and a bound.

    .. math::

        \text{gap} = \frac{\max(0, s\,(\bar z - z))}{\max(|z|, 10^{-9})},
        \quad s = +1 \text{ (max)}, -1 \text{ (min)}

    Parameters
    ----------
    objective
        Objective :math:`z` of the plan.
    bound
        Best bound :math:`\bar z`.
    sense
        ``"max"`` or ``"min"``.

    Returns
    -------
    float or None
        The gap, or None when either value is unknown or not finite.
    """
    if objective is None or bound is None or not math.isfinite(bound):
        return None
    diff = bound - objective if sense == "max" else objective - bound
    return max(diff, 0.0) / max(abs(objective), _GAP_FLOOR)


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
    if name not in SOLVERS:
        raise SolverUnavailableError(
            f"unknown solver {name!r} in solver.name: use one of {', '.join(SOLVERS)}"
        )
    if name not in available_solvers():
        raise SolverUnavailableError(_INSTALL_HINTS[name])
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
    bound = None if outcome.bound_raw is None else outcome.bound_raw + constant
    if outcome.status == "optimal" and outcome.solver_proved and bound is None:
        bound = objective
    if bound is not None and objective is not None:
        # Bounds are printed rounded: never let one sit on the wrong side of the plan.
        bound = max(bound, objective) if sense == "max" else min(bound, objective)
    gap = relative_gap(objective, bound, sense)
    closed = (
        objective is not None
        and bound is not None
        and abs(bound - objective) <= PROVEN_TOLERANCE * max(1.0, abs(objective))
    )
    proven = outcome.status == "optimal" and (outcome.solver_proved or closed)
    if proven:
        gap = 0.0
    options: dict[str, object] = {
        "time_limit_s": spec.time_limit_s,
        "mip_gap": spec.mip_gap,
        "threads": spec.threads,
        "msg": spec.msg,
        **{key: value for key, value in outcome.options.items() if key != "msg"},
    }
    return SolveResult(
        solver=spec.name,
        status=outcome.status,
        proven_optimal=proven,
        objective=objective,
        bound=bound,
        gap=gap,
        runtime_s=runtime,
        time_limit_s=spec.time_limit_s,
        mip_gap=spec.mip_gap,
        options=options,
        sense=sense,
        detail=outcome.detail,
        solver_version=outcome.version,
    )


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


def _log_result(result: SolveResult) -> None:
    parts = [f"{result.solver} finished in {result.runtime_s:.2f} s: {result.status}"]
    if result.detail:
        parts.append(f"({result.detail})")
    if result.objective is not None:
        parts.append(f"objective {result.objective:.6g}")
    if result.bound is not None:
        parts.append(f"bound {result.bound:.6g}")
    if result.gap is not None:
        parts.append(f"gap {result.gap:.4%}")
    message = " ".join(parts)
    if result.status == "feasible" or (result.status == "optimal" and not result.proven_optimal):
        logger.warning(f"{message}; the plan is NOT proven optimal")
    elif result.has_plan:
        logger.info(message)
    else:
        logger.warning(message)


def _relay_log(name: str, log_path: Path, *, verbose: bool) -> None:
    level = logging.INFO if verbose else logging.DEBUG
    if not logger.isEnabledFor(level) or not log_path.is_file():
        return
    text = log_path.read_text(encoding="utf-8", errors="replace").rstrip()
    if text:
        logger.log(level, f"{name} log:\n{text}")


# --------------------------------------------------------------------------- CBC


_CBC_RESULT = re.compile(r"^Result - (.+?)\s*$", re.MULTILINE)
_CBC_OBJECTIVE = re.compile(r"^Objective value:\s+(\S+)", re.MULTILINE)
_CBC_BOUND = re.compile(r"^(?:Lower|Upper) bound:\s+(\S+)", re.MULTILINE)
_CBC_NO_PLAN = re.compile(r"^No feasible solution found", re.MULTILINE)
_CBC_VERSION = re.compile(r"^Version:\s*(\S+)", re.MULTILINE)


def _cbc_path() -> str | None:
    """Return PuLP's bundled CBC binary, else a ``cbc`` on PATH, else None."""
    bundled = getattr(getattr(pulp, "PULP_CBC_CMD", None), "pulp_cbc_path", None)
    if isinstance(bundled, str) and Path(bundled).is_file() and os.access(bundled, os.X_OK):
        return str(Path(bundled).resolve())
    return shutil.which("cbc")


def _parse_float(match: re.Match[str] | None) -> float | None:
    if match is None:
        return None
    try:
        value = float(match.group(1))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


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


def _classify_cbc(
    text: str, pulp_status: int, sol_status: int, options: dict[str, object]
) -> _Outcome:
    """Read CBC's log; PuLP's status only says whether an integer plan was written."""
    version_match = _CBC_VERSION.search(text)
    version = version_match.group(1) if version_match else None
    results = _CBC_RESULT.findall(text)
    result = results[-1] if results else ""
    bound = _parse_float(_CBC_BOUND.search(text))
    plan_written = sol_status in {pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible}
    status: Status
    proved = False
    if result.startswith("Optimal solution found"):
        status = "optimal" if plan_written else "error"
        proved = "tolerance" not in result
    elif result.startswith(("Stopped on", "Finished due to")):
        has_plan = _CBC_OBJECTIVE.search(text) is not None and _CBC_NO_PLAN.search(text) is None
        if has_plan != plan_written:
            logger.warning(
                "cbc log and solution file disagree on whether a plan exists: reporting no plan"
            )
        status = "feasible" if has_plan and plan_written else "no_solution"
    elif "infeasible" in result.lower():
        status = "infeasible"
    elif "unbounded" in result.lower():
        status = "unbounded"
    elif result:
        status = "error"
    else:
        # No branch and bound ran (an LP, or presolve decided): PuLP's status is reliable.
        result = pulp.LpStatus.get(pulp_status, str(pulp_status))
        status, proved = _status_from_pulp(pulp_status, sol_status)
    return _Outcome(
        status, bound, solver_proved=proved, detail=result, version=version, options=options
    )


def _status_from_pulp(pulp_status: int, sol_status: int) -> tuple[Status, bool]:
    if pulp_status == pulp.LpStatusOptimal and sol_status == pulp.LpSolutionOptimal:
        return "optimal", True
    if pulp_status == pulp.LpStatusInfeasible:
        return "infeasible", False
    if pulp_status == pulp.LpStatusUnbounded:
        return "unbounded", False
    return "error", False


# --------------------------------------------------------------------------- HiGHS


class _QuietHiGHS(pulp.HiGHS):  # type: ignore[misc]
    """PuLP's HiGHS, minus the banner ``highspy.Highs()`` prints before options can be set."""

    def createAndConfigureSolver(self, lp: pulp.LpProblem) -> None:  # noqa: N802 (PuLP's name)
        """Create the ``highspy.Highs`` object with stdout silenced, then configure it."""
        with _stdout_silenced():
            super().createAndConfigureSolver(lp)


@contextlib.contextmanager
def _stdout_silenced() -> Iterator[None]:
    """Send the process's file descriptor 1 to the null device (C-level prints included)."""
    try:
        saved = os.dup(1)
    except OSError:  # no stdout at all: nothing to silence
        yield
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)


def _highs_version() -> str | None:
    try:
        return importlib.metadata.version("highspy")
    except importlib.metadata.PackageNotFoundError:
        return None


def _run_highs(problem: pulp.LpProblem, spec: SolverSpec, log_path: Path) -> _Outcome:
    kwargs: dict[str, object] = {
        "msg": False,
        "timeLimit": spec.time_limit_s,
        "gapRel": spec.mip_gap,
        "threads": spec.threads,
    }
    # Options HiGHS receives as-is, after PuLP's own; the log goes to a file, not the console.
    log_options: dict[str, object] = {"log_to_console": False, "output_flag": True}
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
