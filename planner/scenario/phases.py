"""Typed phased rollout: ``budget.phases`` (a budget per year) and ``budget.carry_over``.

A scenario may spread its budget over phases (years): each phase has its own budget and a
weight of its coverage in the objective. The budget section itself is
:class:`planner.scenario.costs.BudgetSpec`; :class:`PhaseSpec` is re-exported by
:mod:`planner.scenario`.
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, Annotated

from pydantic import Field

from planner.scenario.base import NonNegFloat, PosFloat, _Spec

if TYPE_CHECKING:
    from collections.abc import Sequence

    from planner.scenario.costs import BudgetSpec
    from planner.scenario.policy import ColocationSpec
    from planner.scenario.spec import ObjectiveSpec

__all__ = [
    "PhaseSpec",
    "fill_amount_from_phases",
    "phase_kind_problem",
    "phase_problem",
]

_AMOUNT_SLACK = 1e-6  # euro: amount_eur and the phases' sum agree within rounding


class PhaseSpec(_Spec):
    """One phase (year) of a phased rollout: its budget and the weight of its coverage."""

    year: Annotated[int, Field(ge=1900, le=2200)] = Field(
        description="The year (or phase number) in which the phase's sites open."
    )
    amount_eur: NonNegFloat = Field(
        description="Euro available for new houses and antennes opened in this phase (with "
        "budget.carry_over: true, what is not spent carries over to the next phases)."
    )
    weight: PosFloat = Field(
        1.0,
        description="Weight of this phase's coverage in the objective (default: every phase "
        "counts the same); the objective is the weighted mean coverage over the phases.",
    )


def fill_amount_from_phases(data: object) -> object:
    """Set ``budget.amount_eur`` to the phases' sum when phases are given without it.

    Parameters
    ----------
    data
        The raw ``budget`` section (a mapping when read from YAML).

    Returns
    -------
    object
        The section, with ``amount_eur`` filled in when it was missing.
    """
    if not isinstance(data, dict) or "amount_eur" in data or not data.get("phases"):
        return data
    phases = data["phases"]
    if not isinstance(phases, list | tuple):
        return data
    raw = [
        p.get("amount_eur") if isinstance(p, dict) else getattr(p, "amount_eur", None)
        for p in phases
    ]
    amounts = [float(a) for a in raw if isinstance(a, int | float) and math.isfinite(a)]
    if len(amounts) == len(raw):
        # a negative phase is its own error (amount_eur >= 0 per phase); not a second one here
        return {**data, "amount_eur": float(sum(max(a, 0.0) for a in amounts))}
    return data


def phase_problem(amount_eur: float, phases: Sequence[PhaseSpec]) -> str | None:
    """Say what is wrong with the phases: years out of order or twice, a wrong total.

    Parameters
    ----------
    amount_eur
        ``budget.amount_eur`` (the phases' sum when it was left out).
    phases
        ``budget.phases``.

    Returns
    -------
    str or None
        One plain line; None when the phases are fine.
    """
    years = [phase.year for phase in phases]
    twice = sorted({year for year in years if years.count(year) > 1})
    if twice:
        return (
            f"budget.phases: year {', '.join(map(str, twice))} appears more than once: give "
            "each year one phase with its whole budget"
        )
    for before, after in itertools.pairwise(years):
        if after < before:
            return (
                f"budget.phases: the years must rise, but {after} comes after {before}: list "
                "the phases in the order of their years"
            )
    total = float(sum(phase.amount_eur for phase in phases))
    if phases and abs(total - amount_eur) > _AMOUNT_SLACK * max(1.0, total):
        return (
            f"budget.amount_eur (EUR {amount_eur:,.0f}) differs from the sum of budget.phases "
            f"(EUR {total:,.0f}): leave amount_eur out, or make the two agree"
        )
    return None


def phase_kind_problem(
    budget: BudgetSpec, objective: ObjectiveSpec, colocation: ColocationSpec
) -> str | None:
    """Say why phases cannot run with this objective, or None when they can.

    Parameters
    ----------
    budget, objective, colocation
        The scenario's sections.

    Returns
    -------
    str or None
        One plain line.
    """
    if budget.phases and (
        objective.kind != "max_coverage"
        or objective.capacity_column
        or any(value > 0 for value in colocation.value_families.values())
    ):
        return (
            "budget.phases works with objective.kind max_coverage, without "
            "objective.capacity_column and colocation.value_families: drop the phases or those"
        )
    if budget.phases and budget.basis != "investment":
        return (
            f"budget.phases are budgets of one-off investment; budget.basis {budget.basis} "
            "cannot be split over them yet: use basis: investment with phases"
        )
    return None
