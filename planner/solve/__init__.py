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
can be passed to either solver. Every "infeasible" it gets is confirmed by a second run without
pre-processing, and a MIP start that comes back as an unproven optimum is dropped and the model
solved again (:mod:`~planner.solve.milp`; :attr:`SolveResult.remark` says what was done).
:func:`method_result` labels, with the same rules, the outcome
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

Modules: :mod:`~planner.solve.result` (the result type, installed solvers, labelling),
:mod:`~planner.solve.arrays` (array models), :mod:`~planner.solve.milp` (solving them),
:mod:`~planner.solve.highs` and :mod:`~planner.solve.cbc` (the two solvers),
:mod:`~planner.solve.problem` (PuLP problems). PuLP and highspy are imported only when a
model is solved, so importing this package (and :mod:`planner.model`) loads no solver.

Objectives and bounds include the constant term of the PuLP objective (which neither solver
sees). ``runtime_s`` is the wall-clock time of the whole call (writing the model, solving,
reading the solution). The solver's log is relayed through :mod:`logging` as one message:
at INFO when ``solver.msg`` is true, at DEBUG otherwise. Nothing is printed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from planner.solve.arrays import LpSolution, MilpArrays
from planner.solve.milp import solve_lp, solve_milp
from planner.solve.result import (
    PROVEN_TOLERANCE,
    SOLVERS,
    SolveResult,
    available_solvers,
    method_result,
    relative_gap,
)

if TYPE_CHECKING:
    from planner.solve.problem import solve_problem

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


def __getattr__(name: str) -> Any:  # noqa: ANN401 - the type is the named object's
    """Import :func:`~planner.solve.problem.solve_problem` (and PuLP) on first use."""
    if name == "solve_problem":
        value = importlib.import_module("planner.solve.problem").solve_problem
        globals()[name] = value
        return value
    msg = f"module 'planner.solve' has no attribute {name!r}"
    raise AttributeError(msg)
