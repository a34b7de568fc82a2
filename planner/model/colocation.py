r"""A stated value per open co-located site in the coverage objective (vindplaatsen).

A site :math:`j` that shares its place with a school, childcare, a consultatiebureau or the
Lokaal Loket carries a value :math:`c_j \ge 0` in the objective's own units (weighted
families): a house there earns all of it, an antenne, which offers only the frequent services,
the frequent share :math:`1-\alpha`:

.. math::

    \max \; \sum_i w_i (\alpha u_i + (1-\alpha) v_i)
         + \sum_j c_j \bigl(\alpha h_j + (1-\alpha) (h_j + a_j)\bigr).

The term is built as the model's own rows: one extra row per valued site :math:`j` with weight
:math:`c_j`, travel time 0 to :math:`j` and none to any other site, standards
:math:`R_H = R_A = 0` and no families. That row's :math:`u` is 1 exactly when a house opens at
:math:`j` and its :math:`v` when a house or an antenne does, so its term is the one above, and
every rule, cut, start and tie-break of the coverage family applies unchanged (a row without
families takes part in no covering rule). The plan is then evaluated at the demand rows again.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING

import numpy as np

from planner.errors import DataError
from planner.model.coverage import plan_coverage, solve_coverage

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from planner.model.coverage import CoverageInstance, CoverageSolution
    from planner.scenario import SolverSpec

__all__ = ["site_value", "solve_with_site_values", "with_site_values"]

logger = logging.getLogger(__name__)


def with_site_values(instance: CoverageInstance, value: NDArray[np.float64]) -> CoverageInstance:
    """Return the instance with one extra row per site of positive value.

    Parameters
    ----------
    instance
        The instance at the demand rows.
    value
        ``(n_j,)`` value :math:`c_j` of a house at each site (objective units, >= 0).

    Returns
    -------
    CoverageInstance
        The demand rows followed by the site rows (``sector_ids`` ``site value <id>``).

    Raises
    ------
    DataError
        When ``value`` has the wrong shape, is negative or not finite.
    """
    value = np.asarray(value, dtype=np.float64)
    if value.shape != (instance.n_sites,) or not np.isfinite(value).all() or (value < 0).any():
        raise DataError(
            f"site values: expected {instance.n_sites} finite values >= 0, got shape {value.shape}"
        )
    sites = np.flatnonzero(value > 0)
    d = np.full((sites.size, instance.n_sites), np.inf)
    d[np.arange(sites.size), sites] = 0.0
    labels = instance.sector_ids or tuple(str(i) for i in range(instance.n_sectors))
    names = tuple(f"site value {instance.site_label(int(j))}" for j in sites)
    zeros = np.zeros(sites.size)
    return dataclasses.replace(
        instance,
        weight=np.concatenate([instance.weight, value[sites]]),
        d=np.vstack([instance.d, d]),
        radius_house=np.concatenate([instance.radius_house, zeros]),
        radius_frequent=np.concatenate([instance.radius_frequent, zeros]),
        families=np.concatenate([instance.family_counts(), zeros]),
        sector_ids=(*labels, *names),
    )


def site_value(
    value: NDArray[np.float64], house: NDArray[np.bool_], antenne: NDArray[np.bool_], alpha: float
) -> float:
    r"""Return :math:`\sum_j c_j (\alpha h_j + (1-\alpha)(h_j + a_j))` of a plan.

    Parameters
    ----------
    value
        ``(n_j,)`` value of a house per site.
    house, antenne
        ``(n_j,)`` open sites per role.
    alpha
        Weight of the house term.

    Returns
    -------
    float
        The plan's co-location value.
    """
    house = np.asarray(house, dtype=bool)
    frequent = house | np.asarray(antenne, dtype=bool)
    return float(value @ (alpha * house + (1 - alpha) * frequent))


def solve_with_site_values(
    instance: CoverageInstance,
    value: NDArray[np.float64],
    solver: SolverSpec,
    *,
    skip_unreachable: bool = False,
) -> CoverageSolution:
    """Maximise coverage plus the value of the open co-located sites (``max_coverage``).

    Parameters
    ----------
    instance
        The instance at the demand rows (no capacities).
    value
        ``(n_j,)`` value of a house per site, in the objective's units.
    solver
        Solver settings.
    skip_unreachable
        Under the universal floor, leave out rows no allowed site can reach.

    Returns
    -------
    CoverageSolution
        The plan evaluated at the demand rows: ``coverage_objective`` without the value,
        ``objective`` with it, ``figures["colocation_value"]`` the value.

    Raises
    ------
    DataError
        With capacities (an assignment of families is not a site's value).
    """
    if instance.capacity is not None:
        raise DataError(
            "colocation.value_families does not combine with capacities: remove "
            "objective.capacity_column or the values"
        )
    extended = with_site_values(instance, value)
    logger.info(
        f"Co-location value: {extended.n_sectors - instance.n_sectors:,} site rows, "
        f"{float(value.sum()):,.1f} weighted families in all"
    )
    solution = solve_coverage(extended, solver, skip_unreachable=skip_unreachable)
    house, antenne = np.asarray(solution.house), np.asarray(solution.antenne)
    covered_house, covered_frequent, coverage = plan_coverage(instance, house, antenne)
    credit = site_value(np.asarray(value, dtype=np.float64), house, antenne, instance.alpha)
    figures = dict(solution.figures)
    figures["covered_weight"] = round(float(instance.weight @ covered_house), 6)
    figures["colocation_value"] = round(credit, 6)
    return dataclasses.replace(
        solution,
        coverage_objective=coverage,
        covered_house=covered_house,
        covered_frequent=covered_frequent,
        objective=coverage + credit,
        figures=figures,
    )
