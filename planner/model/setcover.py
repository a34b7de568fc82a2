r"""The cheapest plan that reaches every family within the standards (set covering).

"What does universal coverage cost?" Two forms, on the same arrays as the coverage model
(:class:`planner.model.coverage.CoverageInstance`):

``set_cover`` (hierarchical)
    .. math::

        \min \sum_{j \text{ new}} c^H_j h_j + c^A_j a_j \quad \text{s.t.} \quad
        \sum_{j:\, d_{ij} \le R_H(i)} h_j \ge 1, \qquad
        \sum_{j:\, d_{ij} \le R_A(i)} (h_j + a_j) \ge 1 \quad (T_i > 0),

    with :math:`h_j + a_j \le 1` and every antenne linked to an open house within :math:`L`
    (:math:`a_j \le \sum_{k:\, e_{jk} \le L} h_k`).
``set_cover_single`` (one level)
    Houses only: :math:`\min \sum_j c^H_j h_j` with every sector with families within
    :math:`R_H(i)` of a house.

The budget is not a constraint here: the answer *is* the cost (the summary says whether it
fits the budget). Kept existing sites cost nothing, required sites pay their cost, and the
policy rules (counts, groups, spacing) hold as in every model. Sites that cost nothing get a
tiny positive coefficient so that no site is opened for nothing.

With capacities (``CoverageInstance.capacity``) every family must be *assigned* to a house
within :math:`R_H` without exceeding :math:`C_j` (:math:`\sum_j x_{ij} = 1`).

When some sectors cannot be reached by any allowed site, no plan exists: the error names those
sectors and counts their families before any solver runs (``skip_unreachable`` leaves them out
instead, and counts them in the plan's figures).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Final

from planner.model.coverage import Form, solve_form

if TYPE_CHECKING:
    from planner.model.coverage import CoverageInstance, CoverageSolution
    from planner.scenario import SolverSpec

__all__ = ["SET_COVER", "SET_COVER_SINGLE", "solve_set_cover"]

SET_COVER: Final[Form] = Form(
    "set_cover",
    antennes=True,
    objective="cost",
    budget=False,
    cover_house=True,
    cover_frequent=True,
)
"""Hierarchical set covering: houses within R_H and a house or antenne within R_A."""

SET_COVER_SINGLE: Final[Form] = Form(
    "set_cover_single",
    antennes=False,
    objective="cost",
    budget=False,
    cover_house=True,
)
"""One-level set covering: houses within R_H."""


def solve_set_cover(
    instance: CoverageInstance,
    solver: SolverSpec,
    *,
    single: bool = False,
    skip_unreachable: bool = False,
) -> CoverageSolution:
    """Find the cheapest plan that reaches every sector with families within the standards.

    Parameters
    ----------
    instance
        The arrays (the budget is ignored; capacities and rules apply when given).
    solver
        Solver options.
    single
        Houses only, within :math:`R_H` (``set_cover_single``); otherwise houses and antennes
        (``set_cover``).
    skip_unreachable
        Leave out the sectors that no allowed site can reach within the standards (counted in
        ``figures["unreachable_sectors"]``) instead of raising :class:`InfeasibleError`: the
        cheapest plan reaching everyone who *can* be reached.

    Returns
    -------
    CoverageSolution
        The plan; ``cost`` is what universal coverage costs, ``result`` what the solver proved.

    Raises
    ------
    InfeasibleError
        When some sectors cannot be reached (named, with their families), or a rule cannot
        hold.
    SolverError
        When the solver stops without a plan.
    """
    form = SET_COVER_SINGLE if single else SET_COVER
    return solve_form(
        instance, dataclasses.replace(form, skip_unreachable=skip_unreachable), solver
    )
