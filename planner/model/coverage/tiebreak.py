r"""The exact cost tie-break of the coverage forms: a second, lexicographic solve.

A coverage form maximises :math:`\sum_i w_i (\alpha u_i + (1-\alpha) v_i) - \varepsilon\,
\text{cost}/C`. The cost term is there so that, among plans that reach the same families,
the cheaper one wins; but with many sectors it falls below the solver's tolerances (a
difference of :math:`10^{-9}` of the objective is a tie to HiGHS), and a plan with a useless
antenne can come back proven optimal. So after the first solve the tie-break is made exact by
a second one, over the same rows plus one:

.. math::

    \min \sum_j (c^H_j h_j + c^A_j a_j) \quad \text{s.t.} \quad
    \text{the rows of the first model}, \qquad
    \textstyle\sum_i w_i (\alpha u_i + (1-\alpha) v_i) \ge z^\ast - \delta,

with :math:`z^\ast` the coverage of the first plan and :math:`\delta = 10^{-9} \max(1,
|z^\ast|)` (far below any family's weight, above the solvers' rounding). The first plan is its
MIP start, so the second plan never costs more; its coverage is recomputed from the plan and
it replaces the first plan only when it reaches as many families. The first solve's proof
(status, bound, gap) stands: the coverage is the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np
from scipy import sparse

from planner.solve import MilpArrays

if TYPE_CHECKING:
    from planner.model.coverage.build import CoverageProblem
    from planner.model.coverage.instance import CoverageInstance, FloatArray

__all__ = ["COVERAGE_SLACK", "least_cost_model"]

COVERAGE_SLACK: Final[float] = 1e-9
r""":math:`\delta / \max(1, |z^\ast|)`: how far below the first plan's coverage the row allows."""


def least_cost_model(
    instance: CoverageInstance, problem: CoverageProblem, x: FloatArray
) -> tuple[MilpArrays, float]:
    r"""Return the second model: least cost among plans reaching the coverage of ``x``.

    Parameters
    ----------
    instance
        The instance (site costs).
    problem
        The built coverage form (its model without link cuts: every plan meets them anyway).
    x
        The first solve's column values (a plan of ``problem.model``).

    Returns
    -------
    MilpArrays
        Minimise the cost of the variable sites, subject to every row of the first model and
        the coverage row.
    float
        The coverage :math:`z^\ast` of ``x`` (without the objective's constant).
    """
    model = problem.model
    sites = np.concatenate([problem.house_columns, problem.antenne_columns]).astype(np.intp)
    cost = np.zeros(model.n_cols)
    cost[sites] = np.concatenate(
        [
            instance.new_house_cost()[problem.house_sites],
            instance.new_antenne_cost()[problem.antenne_sites],
        ]
    )
    coverage = np.array(model.c, dtype=np.float64)
    coverage[sites] = 0.0
    reached = float(coverage @ x)
    slack = COVERAGE_SLACK * max(1.0, abs(reached))
    arrays = MilpArrays(
        c=cost,
        A=sparse.vstack([model.A, sparse.csr_matrix(coverage[np.newaxis, :])], format="csc"),
        row_lower=np.append(model.row_lower, reached - slack),
        row_upper=np.append(model.row_upper, np.inf),
        lower=model.lower,
        upper=model.upper,
        integer=model.integer,
        sense="min",
        offset=0.0,
        names=model.names,
    )
    return arrays, reached
