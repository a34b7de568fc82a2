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

:func:`solve_milp` is the fast path for models built as arrays (:class:`MilpArrays`: a cost
vector, a sparse matrix and bounds): HiGHS receives the CSC arrays through
``Highs.passModel``; CBC reads an MPS file written by HiGHS and its log and solution file are
read with the same rules as above. No Python object per variable is created, and a MIP start
can be passed to either solver. :func:`method_result` labels, with the same rules, the outcome
of a method that made several solver calls (a plan's objective and the bound the method
proved).

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
import subprocess
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np
import pulp
from numpy.typing import NDArray
from scipy import sparse

from planner.errors import DataError, SolverUnavailableError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from planner.scenario import SolverSpec

__all__ = [
    "PROVEN_TOLERANCE",
    "SOLVERS",
    "LpSolution",
    "MilpArrays",
    "SolveResult",
    "available_solvers",
    "method_result",
    "relative_gap",
    "solve_lp",
    "solve_milp",
    "solve_problem",
]

logger = logging.getLogger(__name__)

SOLVERS: Final[tuple[str, ...]] = ("cbc", "highs")
"""Solver names planner knows, in order of preference."""

PROVEN_TOLERANCE: Final[float] = 1e-6
"""A gap at most this large (absolute, or relative to the objective) counts as closed."""

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
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


def _build_result(
    spec: SolverSpec,
    sense: Literal["max", "min"],
    outcome: _Outcome,
    objective: float | None,
    constant: float,
    runtime: float,
) -> SolveResult:
    """Turn a solver's reading into a :class:`SolveResult` (bound clipped, proof checked)."""
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
    elif result.has_plan or result.status == "infeasible":
        # An infeasible model is an answer (a search over models expects some); the model
        # layer turns it into an InfeasibleError naming the rule when it is not.
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


# --------------------------------------------------------------------------- array models


@dataclass(frozen=True, eq=False)
class MilpArrays:
    r"""A mixed-integer (or linear) program given by arrays, ready for a solver.

    .. math::

        \min \text{ or } \max \; c^\top x + c_0 \quad \text{s.t.} \quad
        r^L \le A x \le r^U, \qquad l \le x \le u, \qquad
        x_j \in \mathbb{Z} \;\; (j: \text{integer}_j).

    Arrays are converted to float64 (``A`` to CSC with duplicates summed) and made read-only
    on construction; shapes and values are checked (:class:`~planner.errors.DataError`).

    Attributes
    ----------
    c : ndarray, shape (n,)
        Objective coefficients (finite).
    A : scipy.sparse matrix, shape (m, n)
        Constraint matrix (finite entries).
    row_lower, row_upper : ndarray, shape (m,)
        Row bounds :math:`r^L \le r^U`; ``-inf`` / ``inf`` for none.
    lower, upper : ndarray, shape (n,)
        Column bounds :math:`l \le u`; ``-inf`` / ``inf`` for none.
    integer : ndarray of bool, shape (n,)
        Integer columns; all False makes an LP.
    sense : str
        ``"min"`` or ``"max"``.
    offset : float
        Constant :math:`c_0` added to the objective (and to the bound).
    names : tuple of str or None
        Column names, passed to HiGHS for its log (CBC always sees generated names).
    """

    c: FloatArray
    A: sparse.csc_matrix
    row_lower: FloatArray
    row_upper: FloatArray
    lower: FloatArray
    upper: FloatArray
    integer: BoolArray
    sense: Literal["min", "max"] = "min"
    offset: float = 0.0
    names: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        problems: list[str] = []
        c, matrix, arrays, integer = _milp_arrays(self, problems)
        if problems:
            raise DataError(problems)
        _check_values(c, matrix, arrays, float(self.offset), problems)
        if problems:
            raise DataError(problems)
        for name, value in (("c", c), ("integer", integer), *arrays.items()):
            frozen = np.array(value)
            frozen.setflags(write=False)
            object.__setattr__(self, name, frozen)
        object.__setattr__(self, "A", matrix)
        object.__setattr__(self, "offset", float(self.offset))
        if self.names is not None:
            object.__setattr__(self, "names", tuple(str(name) for name in self.names))

    @property
    def n_cols(self) -> int:
        """Number of columns (variables)."""
        return int(self.c.shape[0])

    @property
    def n_rows(self) -> int:
        """Number of rows (constraints)."""
        return int(self.A.shape[0])

    @property
    def is_mip(self) -> bool:
        """Whether any column is integer."""
        return bool(self.integer.any())

    def objective(self, x: FloatArray) -> float:
        r"""Return :math:`c^\top x + c_0`."""
        return float(self.c @ x) + self.offset


@dataclass(frozen=True, eq=False)
class LpSolution:
    """Optimal values and reduced costs of an LP relaxation.

    Attributes
    ----------
    x : ndarray, shape (n,)
        Column values.
    reduced_cost : ndarray, shape (n,)
        Rate of change of the objective per unit of each column, in the model's own sense
        (see :func:`solve_lp`).
    """

    x: FloatArray
    reduced_cost: FloatArray


_Values = tuple[FloatArray, FloatArray | None]


def _milp_arrays(
    model: MilpArrays, problems: list[str]
) -> tuple[FloatArray, sparse.csc_matrix, dict[str, FloatArray], BoolArray]:
    """Convert the fields of a :class:`MilpArrays` and collect shape problems."""
    c = np.asarray(model.c, dtype=np.float64)
    if c.ndim != 1:
        raise DataError(f"MilpArrays.c: expected a 1-D array, got shape {c.shape}")
    n = c.shape[0]
    if not sparse.issparse(model.A) and np.asarray(model.A).ndim != 2:
        raise DataError(f"MilpArrays.A: expected a 2-D matrix, got {type(model.A).__name__}")
    matrix = sparse.csc_matrix(model.A, dtype=np.float64)
    matrix.sum_duplicates()
    m = matrix.shape[0]
    if matrix.shape[1] != n:
        problems.append(f"MilpArrays.A: expected {n} columns (len(c)), got {matrix.shape[1]}")
    arrays = {
        name: _float_vector(name, getattr(model, name), size, problems)
        for name, size in (("row_lower", m), ("row_upper", m), ("lower", n), ("upper", n))
    }
    integer = np.asarray(model.integer)
    if integer.dtype != np.bool_ or integer.shape != (n,):
        problems.append(
            f"MilpArrays.integer: expected a boolean array of shape ({n},), "
            f"got dtype {integer.dtype} and shape {integer.shape}"
        )
    if model.sense not in {"min", "max"}:
        problems.append(f"MilpArrays.sense: expected 'min' or 'max', got {model.sense!r}")
    if model.names is not None and len(model.names) != n:
        problems.append(f"MilpArrays.names: expected {n} names, got {len(model.names)}")
    return c, matrix, arrays, integer


def _float_vector(name: str, value: object, size: int, problems: list[str]) -> FloatArray:
    array = np.asarray(value)
    if array.dtype.kind not in "biuf" or array.shape != (size,):
        problems.append(
            f"MilpArrays.{name}: expected {size} numbers, got dtype {array.dtype} "
            f"and shape {array.shape}"
        )
        return np.zeros(size)
    return np.asarray(array, dtype=np.float64)


def _check_values(
    c: FloatArray,
    matrix: sparse.csc_matrix,
    arrays: dict[str, FloatArray],
    offset: float,
    problems: list[str],
) -> None:
    if not np.isfinite(c).all():
        problems.append(f"MilpArrays.c: {int((~np.isfinite(c)).sum())} entries are not finite")
    if not np.isfinite(matrix.data).all():
        problems.append(
            f"MilpArrays.A: {int((~np.isfinite(matrix.data)).sum())} entries are not finite"
        )
    if not math.isfinite(offset):
        problems.append(f"MilpArrays.offset: expected a finite number, got {offset!r}")
    for low, high in (("row_lower", "row_upper"), ("lower", "upper")):
        lo, hi = arrays[low], arrays[high]
        bad = np.isnan(lo) | np.isnan(hi) | (lo > hi)
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            problems.append(
                f"MilpArrays.{low}/{high}: {int(bad.sum())} entries are NaN or have "
                f"{low} > {high} (first at index {first}: {lo[first]} > {hi[first]})"
            )


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


def method_result(
    spec: SolverSpec,
    *,
    objective: float | None,
    bound: float | None,
    runtime_s: float,
    detail: str,
    sense: Literal["max", "min"] = "min",
    options: dict[str, object] | None = None,
    solver_version: str | None = None,
) -> SolveResult:
    r"""Label the outcome of a method that made several solver calls, with the same rules.

    A decomposition (row generation, a search over covering problems ...) ends with a plan
    of known objective :math:`z` and a bound :math:`\bar z` it proved along the way. The
    result is ``optimal`` and proven when they meet up to :data:`PROVEN_TOLERANCE`,
    ``optimal`` but not proven when the gap is within ``spec.mip_gap``, ``feasible`` when a
    plan exists with a larger or unknown gap, and ``no_solution`` without a plan.

    Parameters
    ----------
    spec
        The solver options the method ran with.
    objective
        Objective of the best plan (None without a plan).
    bound
        Best proven bound (a lower bound when minimising), or None.
    runtime_s
        Wall-clock seconds of the whole method.
    detail
        How the method stopped, in words.
    sense
        ``"min"`` or ``"max"``.
    options
        Extra options to record (method parameters).
    solver_version
        Version of the solver used, when known.

    Returns
    -------
    SolveResult
        The labelled result.
    """
    status: Status = "no_solution"
    proved = False
    gap = relative_gap(objective, bound, sense)
    if objective is not None and bound is not None:
        closed = abs(bound - objective) <= PROVEN_TOLERANCE * max(1.0, abs(objective))
        beyond = bound > objective if sense == "min" else bound < objective
        proved = closed or beyond
        status = "optimal" if proved or (gap is not None and gap <= spec.mip_gap) else "feasible"
    elif objective is not None:
        status = "feasible"
    outcome = _Outcome(
        status,
        bound,
        solver_proved=proved,
        detail=detail,
        version=solver_version or (_highs_version() if spec.name == "highs" else None),
        options=dict(options or {}),
    )
    result = _build_result(spec, sense, outcome, objective, 0.0, runtime_s)
    _log_result(result)
    return result


def _check_solver(name: str) -> None:
    if name not in SOLVERS:
        raise SolverUnavailableError(
            f"unknown solver {name!r} in solver.name: use one of {', '.join(SOLVERS)}"
        )
    if name not in available_solvers():
        raise SolverUnavailableError(_INSTALL_HINTS[name])


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
    highs: Any = _new_highs()
    if not _pass_arrays(highs, model):
        return _Outcome("error", None, False, "HiGHS rejected the model", version, options), None
    _configure_highs(highs, model, spec, start, heuristics=heuristics)
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


_CBC_COLUMN = re.compile(r"^\s*(?:\*\*\s*)?\d+\s+c(\d+)\s+(\S+)\s+(\S+)", re.MULTILINE)


def _run_cbc_arrays(
    model: MilpArrays,
    spec: SolverSpec,
    folder: Path,
    log_path: Path,
    start: FloatArray | None,
    *,
    heuristics: bool,
) -> tuple[_Outcome, _Values | None]:
    path = _cbc_path()
    options: dict[str, object] = {
        "interface": "mps file",
        "executable": path,
        "timeLimit": spec.time_limit_s,
        "gapRel": spec.mip_gap,
        "threads": spec.threads,
        "timeMode": "elapsed",
        "mip_start": start is not None,
        "heuristics": heuristics,
    }
    mps, solution, mip_start = folder / "model.mps", folder / "model.sol", folder / "start.mst"
    writer: Any = _new_highs()
    if not _pass_arrays(writer, model):  # default names c0.., r0..: no spaces, no clashes
        return _Outcome("error", None, False, "could not write the model", options=options), None
    writer.writeModel(str(mps))
    command = [str(path), str(mps)]
    if start is not None and model.is_mip:
        _write_cbc_start(mip_start, start)
        command += ["-mips", str(mip_start)]
    if spec.time_limit_s is not None:
        command += ["-sec", f"{spec.time_limit_s:g}"]
    command += ["-ratio", f"{spec.mip_gap:g}", "-threads", str(spec.threads)]
    if not heuristics:
        command += ["-heuristicsOnOff", "off"]
    command += ["-timeMode", "elapsed", "-solve" if model.is_mip else "-initialSolve"]
    command += ["-printingOptions", "all", "-solution", str(solution)]
    with log_path.open("w", encoding="utf-8") as log:
        # The executable is PuLP's bundled CBC (or cbc on PATH); every argument is built here.
        process = subprocess.run(  # noqa: S603
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, check=False
        )
    text = log_path.read_text(encoding="utf-8", errors="replace")
    if process.returncode != 0 or not solution.is_file():
        detail = f"cbc exited with code {process.returncode} and no solution file"
        return _Outcome("error", None, False, detail, options=options), None
    pulp_status, sol_status = pulp.COIN_CMD(path=path).get_status(str(solution))
    outcome = _classify_cbc(text, int(pulp_status), int(sol_status), options)
    bound = outcome.bound_raw
    if bound is not None and model.sense == "max":
        bound = -bound
    values: _Values | None = None
    if outcome.status in _HAS_PLAN:
        x, reduced = _read_cbc_columns(solution.read_text(encoding="utf-8"), model.n_cols)
        values = (x, None if model.is_mip else reduced)
    return _Outcome(
        outcome.status, bound, outcome.solver_proved, outcome.detail, outcome.version, options
    ), values


def _write_cbc_start(path: Path, start: FloatArray) -> None:
    """Write a MIP start in CBC's solution-file format (index, name, value, reduced cost)."""
    index = np.arange(start.shape[0])
    lines = np.char.add(
        np.char.add(np.char.add(index.astype(str), " c"), index.astype(str)),
        np.char.add(" ", np.char.mod("%.17g", start)),
    )
    path.write_text(
        "Stopped on time - objective value 0\n" + " 0\n".join(lines.tolist()) + " 0\n",
        encoding="utf-8",
    )


def _read_cbc_columns(text: str, n_cols: int) -> tuple[FloatArray, FloatArray]:
    """Read column values and reduced costs from a CBC solution file (columns named c..)."""
    x, reduced = np.zeros(n_cols), np.zeros(n_cols)
    found = _CBC_COLUMN.findall(text)
    if found:
        table = np.array(found, dtype=np.float64).reshape(-1, 3)
        index = table[:, 0].astype(np.int64)
        x[index], reduced[index] = table[:, 1], table[:, 2]
    return x, reduced
