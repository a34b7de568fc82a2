"""Exceptions of planner: one module, one base class.

Every error says *what* is wrong, *where* (file, column, key) and *how to fix it*.
Subclasses also inherit the matching built-in exception (as r5py does), so callers that
catch ``ValueError`` or ``FileNotFoundError`` keep working.

Validation collects every problem of an input before raising: the message of
:class:`PlannerError` lists them all, one per line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "CHANGES_FIGURE",
    "ClusterError",
    "DataError",
    "InfeasibleError",
    "InputFileError",
    "NetworkError",
    "PlanCheckError",
    "PlannerError",
    "ScenarioError",
    "SolverError",
    "SolverUnavailableError",
]


CHANGES_FIGURE: Final[dict[str, object]] = {"changes_figure": True}
"""``extra=`` of a warning that changes a figure of the plan (families counted as unreachable,
points moved, speeds ignored): ``planner --quiet`` still shows it."""


class PlannerError(Exception):
    """Base class of every error planner raises on purpose.

    Parameters
    ----------
    problems
        One message, or several; each is one line that says what, where and how to fix.
    """

    def __init__(self, problems: str | Iterable[str]) -> None:
        self.problems: tuple[str, ...] = (
            (problems,) if isinstance(problems, str) else tuple(problems)
        )
        super().__init__(self._format())

    def _format(self) -> str:
        if len(self.problems) == 1:
            return self.problems[0]
        lines = [f"{len(self.problems)} problems found:"]
        lines += [f"  - {problem}" for problem in self.problems]
        return "\n".join(lines)


class ScenarioError(PlannerError, ValueError):
    """The scenario file is invalid: unknown key, wrong type or value out of range."""


class InputFileError(PlannerError, FileNotFoundError):
    """An input file is missing or cannot be opened."""


class DataError(PlannerError, ValueError):
    """An input opened but its content is wrong: columns, types, CRS, ids, ranges."""


class NetworkError(PlannerError, ValueError):
    """The street network cannot be built or does not reach the sectors and sites."""


class ClusterError(PlannerError, ConnectionError):
    """The Dask scheduler cannot be reached, or its workers cannot run planner."""


class SolverUnavailableError(PlannerError, RuntimeError):
    """The requested MILP solver is not installed."""


class SolverError(PlannerError, RuntimeError):
    """The solver failed or stopped without any plan."""


class InfeasibleError(PlannerError, ValueError):
    """The rules of the scenario cannot all be met; the message names the rule."""


class PlanCheckError(PlannerError, RuntimeError):
    """The independent check of a plan disagrees with the model: a bug, not bad input.

    The message names each figure that disagreed and by how much; the CLI exits with code 3.
    """
