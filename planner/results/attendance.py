r"""Expected attendance under distance decay, reported for every plan, and its check.

A family :math:`t` minutes from the service of a tier with standard :math:`R` (its row's,
need tightening included) uses it with probability :math:`f(t / R)`
(:class:`planner.model.DecayFunction`, the scenario's ``decay`` section). The summary's
``attendance`` block holds, counted in families at the demand rows,

.. math::

    \text{house} = \frac{\sum_q T_q\, f(t^H_q / R_H(q))}{\sum_q T_q}, \qquad
    \text{frequent} = \frac{\sum_q T_q\, f(t^A_q / R_A(q))}{\sum_q T_q},

with :math:`t^H` the time to the row's house in the plan and :math:`t^A` to its nearest house
or antenne; the same for the neediest fifth. With capacities the house term is the time to
the house, capacities aside. With ``decay.function: step`` the figures are the coverage
within the standards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from planner.model import DecayFunction
from planner.results.check_base import REL_TOL, SHARE_TOL, TIE_BREAK

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from planner.results.check_base import Check
    from planner.scenario import Scenario

__all__ = ["attendance_summary", "check_attendance"]


def _share(
    value: NDArray[np.float64], target: NDArray[np.float64], mask: NDArray[np.bool_] | None = None
) -> float:
    weights = target if mask is None else np.where(mask, target, 0.0)
    total = float(weights.sum())
    return round(float(weights @ value) / total, 6) if total > 0 else 0.0


def attendance_summary(
    scenario: Scenario,
    tt_house: NDArray[np.float64],
    tt_frequent: NDArray[np.float64],
    radius: tuple[NDArray[np.float64], NDArray[np.float64]],
    target: NDArray[np.float64],
    neediest: NDArray[np.bool_],
) -> dict[str, Any]:
    """Return the summary's ``attendance`` block (shares of families, and families).

    Parameters
    ----------
    scenario
        Its ``decay`` section states the function.
    tt_house, tt_frequent
        Minutes from each demand row to its house / nearest house or antenne.
    radius
        :math:`R_H(q)` and :math:`R_A(q)` per row.
    target
        Families per row.
    neediest
        Rows in the neediest fifth.

    Returns
    -------
    dict
        ``function`` (in words), ``parameters``, ``house``, ``frequent``,
        ``house_neediest_quintile``, ``frequent_neediest_quintile`` (shares) and
        ``families_house``, ``families_frequent``.
    """
    decay = DecayFunction.of(scenario.decay)
    house = decay.attendance(tt_house, radius[0])
    frequent = decay.attendance(tt_frequent, radius[1])
    return {
        "function": decay.describe(),
        "parameters": scenario.decay.model_dump(),
        "house": _share(house, target),
        "frequent": _share(frequent, target),
        "house_neediest_quintile": _share(house, target, neediest),
        "frequent_neediest_quintile": _share(frequent, target, neediest),
        "families_house": round(float(target @ house), 3),
        "families_frequent": round(float(target @ frequent), 3),
    }


def _step(
    decay: DecayFunction, minutes: NDArray[np.float64], radius: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Return the step function g, written apart from the model: first level t <= R s_l."""
    grid, values = decay.levels()
    within = minutes[:, np.newaxis] <= radius[:, np.newaxis] * grid[np.newaxis, :]
    first = np.where(within.any(axis=1), within.argmax(axis=1), grid.size)
    return np.concatenate([values, [0.0]])[first]


def check_attendance(c: Check, tt_house: NDArray[np.float64]) -> None:
    """Recompute the ``attendance`` block, and the ``max_attendance`` objective, from rows.

    Parameters
    ----------
    c
        The check under way (problems are appended).
    tt_house
        The recomputed minutes from each row to its house.
    """
    t, p = c.truth, c.claim
    open_any = p.house | p.antenne
    tt_frequent = np.where(open_any.any(), np.min(np.where(open_any, t.d, np.inf), axis=1), np.inf)
    claimed = c.summary.get("attendance") or {}
    truth = attendance_summary(
        c.scenario,
        tt_house,
        tt_frequent,
        (t.radius_house, t.radius_frequent),
        t.target,
        t.neediest,
    )
    for key in ("house", "frequent", "house_neediest_quintile", "frequent_neediest_quintile"):
        c.same(f"attendance.{key}", claimed.get(key), truth[key], SHARE_TOL)
    c.checked.append("attendance")
    if c.kind != "max_attendance" or c.objective is None:
        return
    decay = DecayFunction.of(c.scenario.decay)
    alpha = c.scenario.objective.alpha
    value = float(
        t.weight
        @ (
            alpha * _step(decay, tt_house, t.radius_house)
            + (1 - alpha) * _step(decay, tt_frequent, t.radius_frequent)
        )
    )
    rounding = REL_TOL * max(1.0, abs(value))
    slack = TIE_BREAK * float(t.weight.sum()) + rounding
    if not value - slack <= c.objective <= value + rounding:
        c.problems.append(
            f"objective (max_attendance): the solver says {c.objective:g}, recomputed step "
            f"attendance {value:g} (off by {value - c.objective:.6g}; the cost tie-break is "
            f"at most {slack:.6g})"
        )
    c.checked.append("objective")
