r"""The result of a solver run, labelled honestly: status, proof, objective, bound, gap.

Also which solvers are installed (:func:`available_solvers`) and how the outcome of a method
that made several solver calls is labelled (:func:`method_result`). The solver libraries are
imported only when a solver is looked for or run.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import logging
import math
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

import numpy as np
from numpy.typing import NDArray

from planner.errors import SolverUnavailableError

if TYPE_CHECKING:
    import re
    from collections.abc import Iterator

    from planner.scenario import SolverSpec

logger = logging.getLogger(__name__)

SOLVERS: Final[tuple[str, ...]] = ("highs", "cbc")
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
    remark : str
        What was done to check the solver's verdict, in words, when anything was: an
        "infeasible" confirmed (or overturned) by a second run without pre-processing, a MIP
        start dropped because the run it started claimed an optimum it did not prove. Empty
        otherwise.
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
    remark: str = ""

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
        A subset of :data:`SOLVERS`: ``"highs"`` when ``highspy`` can be imported,
        ``"cbc"`` when PuLP's bundled CBC binary (or a ``cbc`` on PATH) can be executed.
    """
    names = []
    import pulp  # noqa: PLC0415 - the solver libraries load only when a solver is looked for

    if bool(pulp.HiGHS(msg=False).available()):
        names.append("highs")
    if _cbc_path() is not None:
        names.append("cbc")
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


def _cbc_path() -> str | None:
    """Return PuLP's bundled CBC binary, else a ``cbc`` on PATH, else None."""
    import pulp  # noqa: PLC0415 - the solver libraries load only when a solver is looked for

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
