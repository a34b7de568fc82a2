r"""Explain an infeasible coverage model: which rules cannot hold together, and what it takes.

Each active rule (budget, ``p``, counts, floor, spacing, groups, required sites, capacities)
comes with a way to build the problem without it; the rules whose removal alone allows a
plan are named in the message.

:func:`what_it_takes` says, in the scenario's language, what a budget would have to be: for
the group rules (``rules.house_per_group``, ``rules.house_in``) the least budget with which
every group gets a house, found by solving the covering problem of those rules,

.. math::

    \min \sum_j c^H_j h_j + \sum_j c^A_j a^{req}_j \quad \text{s.t.} \quad
    \sum_{j \in S_g} h_j \ge 1 \;\; \forall g, \qquad h_j = 1 \;\; (j \text{ required}),
    \qquad h_j \in \{0, 1\},

(kept existing houses cost nothing, forbidden and ineligible sites are left out), and for the
required sites their summed cost beside the budget.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

import numpy as np
from scipy import sparse

from planner.errors import InfeasibleError
from planner.model.coverage.build import build_coverage_problem
from planner.model.coverage.evaluate import plan_cost
from planner.model.coverage.instance import (
    BUDGET_SLACK,
    BoolArray,
    CoverageInstance,
    Form,
    ids_of,
    rows_any,
)
from planner.model.coverage.run import run_model
from planner.solve import MilpArrays, solve_milp

if TYPE_CHECKING:
    from planner.model.coverage.build import CoverageProblem
    from planner.scenario import SolverSpec

__all__ = ["group_budget", "infeasible_message", "what_it_takes"]

_DIAGNOSE_SECONDS: Final[float] = 20.0
_HALF: Final[float] = 0.5


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


# --------------------------------------------------------------------------- what it takes


def group_budget(instance: CoverageInstance, solver: SolverSpec) -> tuple[float, BoolArray] | None:
    """Return the least budget with which every group of the group rules gets a house.

    Solves the covering problem of ``rules.house_per_group`` and ``rules.house_in`` (with the
    required sites open, and the kept existing houses free); the other rules are left out.

    Parameters
    ----------
    instance
        The instance (its group rules, required sites, costs and eligibility).
    solver
        Solver options (a short time limit; the covering problem is small).

    Returns
    -------
    tuple or None
        The least euro and the houses of that plan; None without group rules, or when no
        plan gives every group a house whatever the budget.
    """
    rules = instance.rules
    if not rules.house_groups:
        return None
    n = instance.n_sites
    cost = instance.new_house_cost()
    keep = instance.keep_existing
    if keep:
        cost = np.where(instance.existing_antenne, np.inf, cost)
    allowed = np.isfinite(cost)
    required = rules.house_required(n)
    fixed = required | (instance.existing_house & keep)
    if (fixed & ~allowed).any():
        return None
    member = np.vstack([rule.member for rule in rules.house_groups])[:, allowed]
    columns = np.flatnonzero(allowed)
    if not member.any(axis=1).all():
        return None
    model = MilpArrays(
        c=cost[allowed],
        A=sparse.csc_matrix(member.astype(float)),
        row_lower=np.ones(member.shape[0]),
        row_upper=np.full(member.shape[0], np.inf),
        lower=fixed[allowed].astype(float),
        upper=np.ones(columns.size),
        integer=np.ones(columns.size, dtype=bool),
    )
    quick = solver.model_copy(
        update={
            "time_limit_s": min(solver.time_limit_s or _DIAGNOSE_SECONDS, _DIAGNOSE_SECONDS),
            "mip_gap": 0.0,
        }
    )
    result, values = solve_milp(model, quick)
    if not result.has_plan or values is None:
        return None
    house = np.zeros(n, dtype=bool)
    house[columns[np.round(values) > _HALF]] = True
    antenne = rules.antenne_required(n)
    return plan_cost(instance, house, antenne), house


def what_it_takes(instance: CoverageInstance, solver: SolverSpec, language: str) -> list[str]:
    """Return what the budget would have to be for the rules to hold, in ``language``.

    Parameters
    ----------
    instance
        The instance the model was built from.
    solver
        Solver options (for the covering problem of the group rules).
    language
        ``"nl"`` (Dutch) or ``"en"`` (English), as ``outputs.language``.

    Returns
    -------
    list of str
        At most one line for the required sites and one for the group rules; empty when the
        budget is not what stands in the way (or there is no budget).
    """
    budget = instance.budget
    if not np.isfinite(budget):
        return []
    nl = language == "nl"
    n = instance.n_sites
    rules = instance.rules
    out = []
    required = plan_cost(instance, rules.house_required(n), rules.antenne_required(n))
    if rules.any_required() and required > budget * (1 + BUDGET_SLACK):
        out.append(
            f"wat het zou vragen: de verplichte locaties (rules.required_houses / "
            f"required_antennes) kosten samen {_euro(required, nl)}, het budget is "
            f"{_euro(budget, nl)}: verhoog budget.amount_eur tot minstens {_euro(required, nl)} "
            "of schrap verplichte locaties"
            if nl
            else f"what it would take: the required sites (rules.required_houses / "
            f"required_antennes) cost {_euro(required, nl)} together, the budget is "
            f"{_euro(budget, nl)}: raise budget.amount_eur to at least {_euro(required, nl)} "
            "or require fewer sites"
        )
    found = group_budget(instance, solver)
    if found is not None and found[0] > budget * (1 + BUDGET_SLACK):
        least, house = found
        names = ", ".join(rule.name for rule in rules.house_groups)
        sites = ids_of(house & ~instance.existing_house, instance.site_label)
        if nl:  # "a, b and 14 more" -> "a, b en nog 14"
            head, _, more = sites.partition(" and ")
            sites = f"{head} en nog {more.removesuffix(' more')}" if more else head
        out.append(
            f"wat het zou vragen: pas met een budget van minstens {_euro(least, nl)} krijgt elke "
            f"groep van {names} een huis (het goedkoopste plan dat die regel haalt opent "
            f"{sites}); het budget is {_euro(budget, nl)}: verhoog budget.amount_eur of "
            "schrap groepen uit de regel"
            if nl
            else f"what it would take: only a budget of at least {_euro(least, nl)} gives every "
            f"group of {names} a house (the cheapest plan that meets the rule opens {sites}); "
            f"the budget is {_euro(budget, nl)}: raise budget.amount_eur or drop groups from "
            "the rule"
        )
    return out


def _euro(amount: float, nl: bool) -> str:
    """Return an amount as ``EUR 850.000`` (Dutch) or ``EUR 850,000`` (English)."""
    text = f"EUR {amount:,.0f}"
    return text.replace(",", ".") if nl else text
