"""Near-optimal alternatives for every kind of the coverage family.

:func:`alternatives_form` names the member of the coverage family (:class:`Form`) an objective
kind solves, and :func:`planner.model.coverage.alternatives.solve_alternatives` finds its K
best distinct plans. ``p_median``, ``p_center`` and ``max_attendance`` have no alternatives
(the scenario refuses them).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from planner.errors import DataError
from planner.model.coverage import MAX_COVERAGE
from planner.model.coverage.alternatives import AlternativePlans, solve_alternatives
from planner.model.mclp import mclp_form
from planner.model.setcover import SET_COVER, SET_COVER_SINGLE

if TYPE_CHECKING:
    from planner.model.coverage import Form

__all__ = ["ALTERNATIVE_KINDS", "AlternativePlans", "alternatives_form", "solve_alternatives"]

ALTERNATIVE_KINDS = ("max_coverage", "mclp", "set_cover", "set_cover_single")
"""The objective kinds with near-optimal alternatives."""


def alternatives_form(kind: str, p: int | None = None, *, skip_unreachable: bool = False) -> Form:
    """Return the coverage-family form of an objective kind with alternatives.

    Parameters
    ----------
    kind
        One of :data:`ALTERNATIVE_KINDS`.
    p
        Most houses (``mclp``).
    skip_unreachable
        Leave out the sectors no allowed site can reach (``objective.unreachable: skip``).

    Returns
    -------
    Form
        The form to solve.

    Raises
    ------
    DataError
        When the kind has no alternatives.
    """
    forms = {
        "max_coverage": MAX_COVERAGE,
        "set_cover": SET_COVER,
        "set_cover_single": SET_COVER_SINGLE,
    }
    if kind == "mclp":
        return mclp_form(int(p or 0), skip_unreachable=skip_unreachable)
    if kind not in forms:
        raise DataError(
            f"objective.kind {kind} does not support alternatives: use one of "
            f"{', '.join(ALTERNATIVE_KINDS)}, or set objective.alternatives: 1"
        )
    return dataclasses.replace(forms[kind], skip_unreachable=skip_unreachable)
