r"""Maximal covering with :math:`p` houses (Church & ReVelle's MCLP).

On the arrays of the coverage model (:class:`planner.model.coverage.CoverageInstance`),
houses only:

.. math::

    \max \sum_i w_i u_i \;-\; \varepsilon\,\frac{\text{cost}}{C} \quad \text{s.t.} \quad
    u_i \le \sum_{j:\, d_{ij} \le R_H(i)} h_j, \qquad \sum_j h_j \le p, \qquad
    u_i \in [0, 1],\; h_j \in \{0, 1\}.

Kept existing and required houses count towards :math:`p`. At most :math:`p` rather than
exactly: an extra house that reaches nobody new changes nothing, and the cost tie-break then
leaves it out (the summary shows how many houses the plan uses). The budget is not a
constraint. Sectors with identical sets of sites within :math:`R_H` share one :math:`u` with
their summed weight. With capacities the coverage is an assignment (see
:mod:`planner.model.coverage`). Policy rules (floor, groups, spacing, counts) hold as in every
model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from planner.errors import DataError
from planner.model.base import is_count
from planner.model.coverage import Form, solve_form

if TYPE_CHECKING:
    from planner.model.coverage import CoverageInstance, CoverageSolution
    from planner.scenario import SolverSpec

__all__ = ["mclp_form", "solve_mclp"]


def mclp_form(p: int, *, skip_unreachable: bool = False) -> Form:
    """Return the coverage-family form of the MCLP with ``p`` houses.

    Parameters
    ----------
    p
        Most houses the plan may have (>= 1; a Python or numpy integer).
    skip_unreachable
        Under the universal floor, leave out sectors no allowed site can reach.

    Returns
    -------
    Form
        Houses only, maximise weighted coverage within :math:`R_H`, at most ``p`` houses.

    Raises
    ------
    DataError
        When ``p`` is not a positive integer.
    """
    if not is_count(p) or p < 1:
        raise DataError(f"mclp: p must be a positive whole number of houses, got {p!r}")
    return Form(
        "mclp",
        antennes=False,
        objective="coverage",
        budget=False,
        p=int(p),
        skip_unreachable=skip_unreachable,
    )


def solve_mclp(
    instance: CoverageInstance, p: int, solver: SolverSpec, *, skip_unreachable: bool = False
) -> CoverageSolution:
    r"""Place at most ``p`` houses to reach the most weighted families within :math:`R_H`.

    Parameters
    ----------
    instance
        The arrays (``alpha`` and the budget are ignored).
    p
        Most houses, kept and required ones included.
    solver
        Solver options.
    skip_unreachable
        Under the universal floor, leave out sectors no allowed site can reach.

    Returns
    -------
    CoverageSolution
        The plan; ``figures["covered_weight"]`` is :math:`\sum_i w_i [\text{covered}_i]`.

    Raises
    ------
    InfeasibleError
        When the kept or required houses already exceed ``p``, or a rule cannot hold.
    SolverError
        When the solver stops without a plan.
    """
    return solve_form(instance, mclp_form(p, skip_unreachable=skip_unreachable), solver)
