"""The ``max_attendance`` kind: the coverage model on the decay levels of every demand row.

Distance decay (:mod:`planner.model.decay`) replicates each demand row over the levels of the
attendance function; the coverage model then maximises the expected attendance, and the plan
is evaluated at the demand rows again.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING

import numpy as np

from planner.errors import DataError
from planner.model.coverage import plan_coverage, solve_coverage
from planner.model.decay import decay_rows

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from planner.model.coverage import CoverageInstance, CoverageSolution
    from planner.model.decay import DecayFunction
    from planner.scenario import SolverSpec

__all__ = ["solve_attendance"]

logger = logging.getLogger(__name__)


def solve_attendance(
    instance: CoverageInstance,
    decay: DecayFunction,
    solver: SolverSpec,
    *,
    skip_unreachable: bool = False,
) -> CoverageSolution:
    r"""Maximise the expected attendance :math:`\sum_q w_q (\alpha g_H + (1-\alpha) g_A)`.

    The coverage model runs on the replicated rows of :func:`planner.model.decay_rows` (plus
    the demand rows with weight 0, for the universal floor); the plan is then evaluated at
    the demand rows: coverage within the standards as for ``max_coverage``, and
    ``objective`` the step-function attendance the model maximised.

    Parameters
    ----------
    instance
        The instance at the demand rows (no capacities).
    decay
        The decay function and its grid.
    solver
        Solver settings.
    skip_unreachable
        Under the universal floor, leave out rows no allowed site can reach.

    Returns
    -------
    CoverageSolution
        The plan with ``model = "max_attendance"``; ``figures`` gains ``attendance_step``
        (the objective), ``decay_rows`` (replicated rows) and ``decay_bound`` (largest
        :math:`f - g`).
    """
    if instance.capacity is not None:
        raise DataError(
            "objective.kind max_attendance does not take capacities: remove "
            "objective.capacity_column"
        )
    rep = decay_rows(
        decay, instance.d, instance.weight, instance.radius_house, instance.radius_frequent
    )
    n = instance.weight.shape[0]
    labels = np.asarray(instance.sector_ids or [str(i) for i in range(n)], dtype=object)
    level_names = np.char.add(" level ", (rep.level + 1).astype(str)).astype(object)
    replicated = dataclasses.replace(
        instance,
        weight=np.concatenate([np.zeros(n), rep.weight]),
        d=np.concatenate([instance.d, instance.d[rep.row]]),
        radius_house=np.concatenate([instance.radius_house, rep.radius_house]),
        radius_frequent=np.concatenate([instance.radius_frequent, rep.radius_frequent]),
        families=np.concatenate([instance.family_counts(), np.zeros(rep.row.size)]),
        sector_ids=tuple(np.concatenate([labels, labels[rep.row] + level_names])),
    )
    logger.info(
        f"max_attendance: {rep.row.size:,} decay rows from {n:,} demand rows "
        f"({decay.describe()}, {decay.levels()[0].size} levels)"
    )
    solution = solve_coverage(replicated, solver, skip_unreachable=skip_unreachable)
    house, antenne = np.asarray(solution.house), np.asarray(solution.antenne)
    covered_house, covered_frequent, value = plan_coverage(instance, house, antenne)
    tt_house = _nearest_minutes(instance.d, house)
    tt_frequent = _nearest_minutes(instance.d, house | antenne)
    alpha = instance.alpha
    step = float(
        instance.weight
        @ (
            alpha * decay.step_values(tt_house, instance.radius_house)
            + (1 - alpha) * decay.step_values(tt_frequent, instance.radius_frequent)
        )
    )
    figures = dict(solution.figures)
    figures["covered_weight"] = round(float(instance.weight @ covered_house), 6)
    figures["attendance_step"] = round(step, 6)
    figures["decay_rows"] = int(rep.row.size)
    figures["decay_bound"] = round(decay.bound(), 6)
    return dataclasses.replace(
        solution,
        coverage_objective=value,
        covered_house=covered_house,
        covered_frequent=covered_frequent,
        objective=step,
        model="max_attendance",
        figures=figures,
    )


def _nearest_minutes(d: NDArray[np.float64], open_: NDArray[np.bool_]) -> NDArray[np.float64]:
    """Minutes from every row to its nearest open site (``inf``: none)."""
    if not open_.any():
        return np.full(d.shape[0], np.inf)
    return np.asarray(d[:, open_].min(axis=1), dtype=np.float64)
