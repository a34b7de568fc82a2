"""The budget section: the euros, what they count (one-off, yearly or both over years), phases.

Kept apart from :mod:`planner.scenario.spec` so that each scenario module stays short; the
section is re-exported by :mod:`planner.scenario`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from planner.scenario.base import NonNegFloat, PosFloat, _Spec
from planner.scenario.phases import PhaseSpec, fill_amount_from_phases, phase_problem

__all__ = ["RUNNING_COLUMNS", "BudgetSpec", "budget_problem"]

RUNNING_COLUMNS: tuple[str, str] = ("running_cost_house", "running_cost_antenne")
"""Site columns with the yearly running cost (euro a year) of a house and of an antenne."""


class BudgetSpec(_Spec):
    """Money available: one-off for new sites, a yearly running cost, or both over years.

    With ``phases``, the one-off money per year of a phased rollout (``amount_eur`` is then
    their sum).
    """

    amount_eur: NonNegFloat
    phases: tuple[PhaseSpec, ...] = Field(
        (), description="A budget per year (phased rollout); amount_eur is then their sum."
    )
    carry_over: bool = Field(
        False, description="With phases: money a phase leaves unspent carries over."
    )
    basis: Literal["investment", "yearly", "total"] = Field(
        "investment",
        description="What the budget counts: investment, the one-off euros of new sites "
        "(existing sites cost nothing to keep); yearly, the running cost a year of every open "
        "site (site columns running_cost_house / running_cost_antenne); total, one-off plus "
        "years times yearly.",
    )
    years: PosFloat | None = Field(None, description="Years of running cost for basis total.")
    running_house_eur: NonNegFloat = Field(
        0.0,
        description="Yearly running cost of a house where the sites file has no "
        "running_cost_house (column or cell).",
    )
    running_antenne_eur: NonNegFloat = Field(
        0.0,
        description="Yearly running cost of an antenne where the sites file has no "
        "running_cost_antenne (column or cell).",
    )

    _fill = model_validator(mode="before")(fill_amount_from_phases)

    @model_validator(mode="after")
    def _phases_in_order(self) -> BudgetSpec:
        problem = phase_problem(self.amount_eur, self.phases)
        if problem:
            raise ValueError(problem)
        return self

    @model_validator(mode="after")
    def _years_for_total(self) -> BudgetSpec:
        if self.basis == "total" and self.years is None:
            raise ValueError(
                "budget.basis total needs budget.years (one-off plus that many years of "
                "running cost), e.g. years: 10"
            )
        if self.basis != "total" and self.years is not None:
            raise ValueError(
                f"budget.years is only used by budget.basis total, not {self.basis}: remove it "
                "or set basis: total"
            )
        return self


def budget_problem(budget: BudgetSpec, kind: str) -> str | None:
    """Return why ``budget.basis`` does not fit ``objective.kind``, or None.

    Parameters
    ----------
    budget
        The budget section.
    kind
        ``objective.kind``.

    Returns
    -------
    str or None
        One line, or None.
    """
    if budget.basis == "investment" or kind in {"max_coverage", "max_attendance"}:
        return None
    return (
        f"budget.basis {budget.basis} binds max_coverage and max_attendance only, not {kind}: "
        "use basis: investment or one of those kinds"
    )
