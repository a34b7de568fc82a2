"""Explain an infeasible coverage model: which rules cannot hold together.

Each active rule (budget, ``p``, counts, floor, spacing, groups, required sites, capacities)
comes with a way to build the problem without it; the rules whose removal alone allows a
plan are named in the message.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

import numpy as np

from planner.errors import InfeasibleError
from planner.model.coverage.build import build_coverage_problem
from planner.model.coverage.instance import CoverageInstance, Form, ids_of, rows_any
from planner.model.coverage.run import run_model

if TYPE_CHECKING:
    from planner.model.coverage.build import CoverageProblem
    from planner.scenario import SolverSpec

__all__ = ["infeasible_message"]

_DIAGNOSE_SECONDS: Final[float] = 20.0


def infeasible_message(
    instance: CoverageInstance, problem: CoverageProblem, solver: SolverSpec
) -> list[str]:
    """Return why a built problem has no plan, naming the rules that cannot hold together.

    Parameters
    ----------
    instance
        The instance.
    problem
        The model the solver proved infeasible.
    solver
        Solver options (each relaxed problem is solved with a short time limit).

    Returns
    -------
    list of str
        One message per reason.
    """
    stranded = problem.antenne_fixed & ~rows_any(instance.link_ok() & problem.house_fixed)
    messages = []
    if stranded.any() and problem.form.budget:
        messages.append(
            f"the existing antennes {ids_of(stranded, instance.site_label)} must stay open "
            f"(keep_existing) and each needs a house within {instance.link_max:g} min, but the "
            f"budget of EUR {instance.budget:,.0f} cannot open houses for all of them: raise "
            "budget.amount_eur or standards.link_min, or set objective.keep_existing: false"
        )
    culprits = _diagnose(instance, problem.form, solver)
    active = [name for name, _ in _relaxations(instance, problem.form)]
    if culprits:
        messages.append(
            f"{problem.form.name}: the rules cannot all hold together; dropping any one of "
            f"{'; '.join(culprits)} would allow a plan: relax it"
        )
    elif not messages:
        listed = "; ".join(active) if active else "the kept existing sites and links"
        messages.append(
            f"{problem.form.name}: the solver proved that no plan meets all of: {listed}; "
            "relax some of them"
        )
    return messages


_Relaxation = tuple[str, Callable[[], tuple[CoverageInstance, Form]]]


def _relaxations(instance: CoverageInstance, form: Form) -> list[_Relaxation]:
    """Return the active rules, each with a way to build the problem without it."""
    out: list[_Relaxation] = []
    if form.budget and np.isfinite(instance.budget):
        out.append(
            (
                f"the budget (EUR {instance.budget:,.0f})",
                lambda: (dataclasses.replace(instance, budget=np.inf), form),
            )
        )
    if form.p is not None:
        out.append(
            (f"objective.p = {form.p}", lambda: (instance, dataclasses.replace(form, p=None)))
        )
    out += _rule_relaxations(instance, form)
    if instance.capacity is not None:
        out.append(
            (
                "the site capacities (objective.capacity_column)",
                lambda: (dataclasses.replace(instance, capacity=None), form),
            )
        )
    return out


def _rule_relaxations(instance: CoverageInstance, form: Form) -> list[_Relaxation]:
    rules = instance.rules

    def without(**changes: object) -> Callable[[], tuple[CoverageInstance, Form]]:
        return lambda: (
            dataclasses.replace(instance, rules=dataclasses.replace(rules, **changes)),  # type: ignore[arg-type]
            form,
        )

    out: list[_Relaxation] = []
    for name in ("min_houses", "max_houses", "min_antennes", "max_antennes"):
        value = getattr(rules, name)
        if value is not None:
            out.append((f"rules.{name} = {value}", without(**{name: None})))
    if rules.universal_floor:
        out.append(("rules.universal_floor", without(universal_floor=False)))
    if rules.house_spacing_min:
        out.append(
            (
                f"rules.house_spacing_min = {rules.house_spacing_min:g}",
                without(house_spacing_min=None),
            )
        )
    for index, rule in enumerate(rules.house_groups):
        rest = rules.house_groups[:index] + rules.house_groups[index + 1 :]
        out.append((rule.name, without(house_groups=rest)))
    if rules.any_required():
        out.append(
            (
                "the required sites (rules.required_houses / required_antennes)",
                without(required_house=None, required_antenne=None),
            )
        )
    return out


def _diagnose(instance: CoverageInstance, form: Form, solver: SolverSpec) -> list[str]:
    """Return the rules whose removal alone makes the problem feasible."""
    quick = solver.model_copy(
        update={
            "time_limit_s": min(solver.time_limit_s or _DIAGNOSE_SECONDS, _DIAGNOSE_SECONDS),
            "mip_gap": max(solver.mip_gap, 0.5),
        }
    )
    culprits = []
    for name, relax in _relaxations(instance, form):
        try:
            relaxed, relaxed_form = relax()
            problem = build_coverage_problem(relaxed, relaxed_form)
            result, _ = run_model(problem.model, quick, start=problem.start)
        except InfeasibleError:
            continue
        if result.has_plan:
            culprits.append(name)
    return culprits
