"""Evaluate a plan of houses and antennes: its cost, coverage, antenne links and broken rules.

Everything here is recomputed from the open sites and the travel times, never read from a
solver's auxiliary variables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from planner.model.coverage.instance import (
    BUDGET_SLACK,
    MAX_COVERAGE,
    SHOWN_IDS,
    BoolArray,
    CoverageInstance,
    Form,
    ids_of,
    min_defined,
    rows_any,
)
from planner.model.coverage.targets import SHARE_SLACK, target_shares

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["link_antennes", "plan_cost", "plan_coverage", "plan_problems"]


def plan_cost(instance: CoverageInstance, house: BoolArray, antenne: BoolArray) -> float:
    r"""Return the euro a plan spends on new sites.

    Parameters
    ----------
    instance
        The instance.
    house, antenne
        Open sites per role, shape (n_j,).

    Returns
    -------
    float
        :math:`\sum_{j \text{ new house}} c^H_j + \sum_{j \text{ new antenne}} c^A_j`;
        existing sites open in their own role cost nothing.
    """
    new_house = house & ~instance.existing_house
    new_antenne = antenne & ~instance.existing_antenne
    return float(instance.cost_house[new_house].sum() + instance.cost_antenne[new_antenne].sum())


def plan_coverage(
    instance: CoverageInstance,
    house: BoolArray,
    antenne: BoolArray,
    alpha: float | None = None,
) -> tuple[BoolArray, BoolArray, float]:
    r"""Recompute which sectors a plan covers, from the travel times.

    Parameters
    ----------
    instance
        The instance.
    house, antenne
        Open sites per role, shape (n_j,).
    alpha
        Weight of house coverage (default: the instance's).

    Returns
    -------
    covered_house : ndarray of bool, shape (n_i,)
        Some open house has :math:`d_{ij} \le R_H(i)`.
    covered_frequent : ndarray of bool, shape (n_i,)
        Some open house or antenne has :math:`d_{ij} \le R_A(i)`.
    objective : float
        :math:`\sum_i w_i (\alpha\,[\text{covered\_house}_i]
        + (1-\alpha)\,[\text{covered\_frequent}_i])`.
    """
    d = instance.d
    open_any = house | antenne
    near_house = np.isfinite(d[:, house]) & (d[:, house] <= instance.radius_house[:, None])
    near_any = np.isfinite(d[:, open_any]) & (d[:, open_any] <= instance.radius_frequent[:, None])
    covered_house = rows_any(near_house)
    covered_frequent = rows_any(near_any)
    a = instance.alpha if alpha is None else alpha
    value = instance.weight @ (a * covered_house + (1.0 - a) * covered_frequent)
    return covered_house, covered_frequent, float(value)


def link_antennes(
    instance: CoverageInstance, house: BoolArray, antenne: BoolArray
) -> NDArray[np.int64]:
    """Link every open antenne to its nearest open house within ``link_max``.

    Parameters
    ----------
    instance
        The instance.
    house, antenne
        Open sites per role, shape (n_j,).

    Returns
    -------
    ndarray of int64, shape (n_j,)
        Index of the linked house per antenne; -1 for non-antennes and for antennes with no
        open house within reach (ties: lowest house index).
    """
    link = np.full(instance.n_sites, -1, dtype=np.int64)
    antennes = np.flatnonzero(antenne)
    if antennes.size == 0:
        return link
    allowed = instance.link_ok()[antennes] & house[np.newaxis, :]
    minutes = np.where(allowed, instance.e[antennes], np.inf)
    nearest = np.argmin(minutes, axis=1)
    reachable = np.isfinite(minutes[np.arange(antennes.size), nearest])
    link[antennes[reachable]] = nearest[reachable]
    return link


def plan_problems(
    instance: CoverageInstance,
    house: BoolArray,
    antenne: BoolArray,
    form: Form = MAX_COVERAGE,
    left_out: BoolArray | None = None,
) -> list[str]:
    """Check a plan against every rule of the model and of the instance's policy rules.

    Parameters
    ----------
    instance
        The instance.
    house, antenne
        Open sites per role, shape (n_j,).
    form
        The model the plan was made for (its budget, ``p`` and covering rules; in a
        houses-only form kept existing antennes need no link).
    left_out
        Sectors the covering rules do not apply to (``CoverageProblem.left_out``).

    Returns
    -------
    list of str
        One line per broken rule; empty when the plan is feasible.
    """
    label = instance.site_label
    problems: list[str] = []
    checks = (
        (house & antenne, "are both house and antenne"),
        (house & ~np.isfinite(instance.new_house_cost()), "are houses but may not be one"),
        (antenne & ~np.isfinite(instance.new_antenne_cost()), "are antennes but may not be one"),
    )
    for mask, what in checks:
        if mask.any():
            problems.append(f"sites {ids_of(mask, label)} {what}")
    if instance.keep_existing:
        closed = (instance.existing_house & ~house) | (instance.existing_antenne & ~antenne)
        if closed.any():
            problems.append(f"existing sites {ids_of(closed, label)} are not kept in their role")
    if form.antennes:
        unlinked = antenne & (link_antennes(instance, house, antenne) < 0)
        if unlinked.any():
            problems.append(
                f"antennes {ids_of(unlinked, label)} have no open house within "
                f"{instance.link_max:g} min"
            )
    elif (antenne & ~(instance.existing_antenne & instance.keep_existing)).any():
        problems.append(f"{form.name} places houses only, but the plan opens new antennes")
    cost = plan_cost(instance, house, antenne)
    if form.budget and cost > instance.budget + BUDGET_SLACK * max(instance.budget, 1.0):
        problems.append(
            f"the plan costs EUR {cost:,.2f}, over the budget of EUR {instance.budget:,.2f}"
        )
    problems += _target_problems(instance, house, antenne, form)
    return problems + _plan_rule_problems(instance, house, antenne, form, left_out)


def _target_problems(
    instance: CoverageInstance, house: BoolArray, antenne: BoolArray, form: Form
) -> list[str]:
    """Return one line per target of the form the plan misses."""
    if not form.targets:
        return []
    covered_house, covered_frequent, _ = plan_coverage(instance, house, antenne)
    shares = target_shares(instance, form.targets, covered_house, covered_frequent)
    return [
        f"{target.name}: the plan reaches {100 * reached:.4f} % of that group"
        for target, (reached, _) in zip(form.targets, shares, strict=True)
        if reached is not None and reached < target.share * (1.0 - SHARE_SLACK) - SHARE_SLACK
    ]


def _plan_rule_problems(
    instance: CoverageInstance,
    house: BoolArray,
    antenne: BoolArray,
    form: Form,
    left_out: BoolArray | None,
) -> list[str]:
    rules = instance.rules
    label = instance.site_label
    n = instance.n_sites
    problems: list[str] = []
    for role, required, is_open in (
        ("house", rules.house_required(n), house),
        ("antenne", rules.antenne_required(n), antenne),
    ):
        missing = required & ~is_open
        if missing.any():
            problems.append(f"required {role}s {ids_of(missing, label)} are not open")
    n_h, n_a = int(house.sum()), int(antenne.sum())
    max_h = min_defined(rules.max_houses, form.p)
    for what, count, low, high in (
        ("houses", n_h, rules.min_houses, max_h),
        ("antennes", n_a if form.antennes else 0, rules.min_antennes, rules.max_antennes),
    ):
        if (low is not None and count < low) or (high is not None and count > high):
            problems.append(f"the plan has {count} {what}, outside [{low}, {high}]")
    close = instance.too_close() & house[np.newaxis, :] & house[:, np.newaxis]
    if close.any():
        problems.append(
            f"houses {ids_of(rows_any(close), label)} are closer than "
            f"{instance.rules.house_spacing_min:g} min to another house"
        )
    for rule in rules.house_groups:
        unserved = ~rows_any(rule.member & house[np.newaxis, :])
        if unserved.any():
            names = ", ".join(np.array(rule.groups)[unserved][:SHOWN_IDS])
            problems.append(f"{rule.name}: groups {names} have no house")
    return problems + _plan_cover_problems(instance, house, antenne, form, left_out)


def _plan_cover_problems(
    instance: CoverageInstance,
    house: BoolArray,
    antenne: BoolArray,
    form: Form,
    left_out: BoolArray | None,
) -> list[str]:
    problems: list[str] = []
    needs = instance.family_counts() > 0
    if left_out is not None:
        needs &= ~left_out
    covered_house, covered_frequent, _ = plan_coverage(instance, house, antenne)
    missed = needs & ~covered_house
    if (form.cover_house or instance.rules.universal_floor) and missed.any():
        problems.append(f"sectors {ids_of(missed, instance.sector_label)} have no house within R_H")
    missed = needs & ~covered_frequent
    if form.cover_frequent and missed.any():
        problems.append(
            f"sectors {ids_of(missed, instance.sector_label)} have no house or antenne within R_A"
        )
    return problems
