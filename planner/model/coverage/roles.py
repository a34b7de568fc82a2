"""Which site may take which role, and the rules that can be seen to fail before solving.

:func:`site_roles` decides the variables a coverage model gets (fixed open, variable, left
out) and raises :class:`planner.errors.InfeasibleError` with every rule no plan can meet.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from planner.errors import DataError, InfeasibleError
from planner.model.coverage.evaluate import plan_cost
from planner.model.coverage.instance import (
    BUDGET_SLACK,
    SHOWN_IDS,
    BoolArray,
    CoverageInstance,
    Form,
    ids_of,
    min_defined,
    rows_any,
)

__all__ = ["Roles", "fixed_spacing_problems", "site_roles"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Roles:
    """Which site may take which role, and which are fixed open."""

    house_fixed: BoolArray  # kept existing and required houses: constant 1
    antenne_fixed: BoolArray  # kept existing and required antennes: constant 1
    antenne_carried: BoolArray  # houses-only forms: kept existing antennes, outside the model
    house_var: BoolArray  # a binary h_j exists
    antenne_var: BoolArray  # a binary a_j exists
    link_ok: BoolArray  # (n_j, n_j) e_jk <= L, finite, j != k
    fixed_cost: float  # euro the required new sites cost
    remaining: float  # budget left for the free choices (inf when the budget is no rule)
    lost_house: BoolArray  # sectors a house-covering rule must reach but no possible house can
    lost_frequent: BoolArray  # same for the frequent-covering rule (houses and antennes)


def site_roles(instance: CoverageInstance, form: Form) -> Roles:
    """Work out the variables to create, and check the rules that cannot all hold."""
    n = instance.n_sites
    rules = instance.rules
    keep = instance.keep_existing
    required_house = rules.house_required(n)
    required_antenne = rules.antenne_required(n)
    if not form.antennes and (required_antenne.any() or rules.min_antennes or rules.max_antennes):
        raise DataError(
            f"{form.name} places houses only: rules.required_antennes, rules.min_antennes and "
            "rules.max_antennes need objective.kind max_coverage or set_cover"
        )
    house_fixed = (instance.existing_house & keep) | required_house
    if form.antennes:
        antenne_fixed = (instance.existing_antenne & keep) | required_antenne
        carried = np.zeros(n, dtype=bool)
    else:
        antenne_fixed = np.zeros(n, dtype=bool)
        carried = instance.existing_antenne & keep & ~house_fixed
    fixed_cost = plan_cost(instance, required_house, required_antenne)
    remaining = instance.budget - fixed_cost if form.budget else np.inf
    fixed = house_fixed | antenne_fixed | carried
    house_cost = instance.new_house_cost()
    antenne_cost = instance.new_antenne_cost()
    blocked = rows_any(instance.too_close() & house_fixed[np.newaxis, :])
    house_var = np.isfinite(house_cost) & (house_cost <= remaining) & ~fixed & ~blocked
    link_ok = instance.link_ok()
    antenne_var = np.zeros(n, dtype=bool)
    if form.antennes:
        linkable = rows_any(link_ok & (house_fixed | house_var))
        antenne_var = np.isfinite(antenne_cost) & (antenne_cost <= remaining) & ~fixed & linkable
    lost_house, lost_frequent = _lost_sectors(
        instance, form, house_fixed | house_var, antenne_fixed | antenne_var
    )
    roles = Roles(
        house_fixed=house_fixed,
        antenne_fixed=antenne_fixed,
        antenne_carried=carried,
        house_var=house_var,
        antenne_var=antenne_var,
        link_ok=link_ok,
        fixed_cost=fixed_cost,
        remaining=float(remaining),
        lost_house=lost_house,
        lost_frequent=lost_frequent,
    )
    problems = _fixed_site_problems(instance, form, roles)
    problems += _rule_problems(instance, form, roles)
    if problems:
        raise InfeasibleError(problems)
    return roles


def _fixed_site_problems(instance: CoverageInstance, form: Form, roles: Roles) -> list[str]:
    """Kept and required sites that cannot stay open, each with the rule that stops it."""
    problems: list[str] = []
    label = instance.site_label
    keep = instance.keep_existing
    if keep:
        for role, existing in (
            ("house", instance.existing_house),
            ("antenne", instance.existing_antenne),
        ):
            clash = existing & instance.forbidden
            if clash.any():
                problems.append(
                    f"existing {role} site(s) {ids_of(clash, label)} are also forbidden, but "
                    "keep_existing keeps existing sites open: remove them from the forbidden "
                    "sites or set objective.keep_existing: false"
                )
    n = instance.n_sites
    required = {
        "house": instance.rules.house_required(n),
        "antenne": instance.rules.antenne_required(n),
    }
    allowed = {
        "house": np.isfinite(instance.new_house_cost()),
        "antenne": np.isfinite(instance.new_antenne_cost()),
    }
    other = {"house": instance.existing_antenne, "antenne": instance.existing_house}
    for role, mask in required.items():
        bad = mask & ~allowed[role]
        if bad.any():
            problems.append(
                f"rules.required_{role}s: sites {ids_of(bad, label)} may not host a {role} "
                f"(forbidden, or can_{role} is false): remove them from the rule or allow the role"
            )
        clash = mask & other[role] & keep
        if clash.any():
            problems.append(
                f"rules.required_{role}s: sites {ids_of(clash, label)} exist in the other role "
                "and keep_existing keeps them so: remove them from the rule or set "
                "objective.keep_existing: false"
            )
    if form.budget and roles.fixed_cost > instance.budget * (1 + BUDGET_SLACK):
        problems.append(
            f"the required sites (rules.required_houses / required_antennes) cost EUR "
            f"{roles.fixed_cost:,.0f}, more than the budget of EUR {instance.budget:,.0f}: raise "
            "budget.amount_eur or require fewer sites"
        )
    problems += _stranded_antennes(instance, roles)
    problems += fixed_spacing_problems(instance, roles.house_fixed)
    return problems


def fixed_spacing_problems(instance: CoverageInstance, house_fixed: BoolArray) -> list[str]:
    """Return the spacing problem of kept or required houses closer than the spacing rule.

    Parameters
    ----------
    instance
        The arrays (``rules.house_spacing_min`` and the site-to-site times).
    house_fixed
        Houses fixed open (kept existing and required ones).

    Returns
    -------
    list of str
        One problem naming the pairs, or none.
    """
    close = instance.too_close() & house_fixed[np.newaxis, :] & house_fixed[:, np.newaxis]
    if not close.any():
        return []
    label = instance.site_label
    pairs = np.argwhere(np.triu(close))[:SHOWN_IDS]
    shown = ", ".join(f"{label(int(j))}-{label(int(k))}" for j, k in pairs)
    message = (
        f"rules.house_spacing_min: the kept or required houses {shown} are closer than "
        f"{instance.rules.house_spacing_min:g} min to each other: lower the spacing, or "
        "drop one of them from the required sites (or set objective.keep_existing: false)"
    )
    return [message]


def _stranded_antennes(instance: CoverageInstance, roles: Roles) -> list[str]:
    """Return a problem per fixed antenne with no possible (or affordable) house within L."""
    linkable = rows_any(roles.link_ok & (roles.house_fixed | roles.house_var))
    stranded = roles.antenne_fixed & ~instance.forbidden & ~linkable
    problems: list[str] = []
    if not stranded.any():
        return problems
    label = instance.site_label
    keep = instance.keep_existing
    any_house = (instance.can_house | instance.existing_house) & ~instance.forbidden
    any_house &= ~roles.antenne_fixed & ~(instance.existing_house & keep)
    cheapest = np.where(roles.link_ok & any_house, instance.cost_house, np.inf).min(axis=1)
    for j in np.flatnonzero(stranded):
        if np.isfinite(cheapest[j]):
            why = (
                f"the cheapest house site within {instance.link_max:g} min costs EUR "
                f"{cheapest[j]:,.0f}, more than the budget of EUR {instance.budget:,.0f}: "
                "raise budget.amount_eur"
            )
        else:
            why = (
                f"no site within {instance.link_max:g} min may host a house (eligible, "
                "not forbidden, not itself an existing antenne): raise standards.link_min "
                "or make a nearby site house-eligible"
            )
        kind = "existing" if instance.existing_antenne[j] else "required"
        reason = "keep_existing" if kind == "existing" else "rules.required_antennes"
        problems.append(
            f"{kind} antenne {label(int(j))} must stay open ({reason}) and be linked to a house "
            f"within link_max, but {why}; or set objective.keep_existing: false"
        )
    return problems


def _rule_problems(instance: CoverageInstance, form: Form, roles: Roles) -> list[str]:
    """Return the counts, groups, floors and covering rules that no plan can meet."""
    problems: list[str] = []
    rules = instance.rules
    n_fixed_h = int(roles.house_fixed.sum())
    n_fixed_a = int(roles.antenne_fixed.sum())
    max_h = min_defined(rules.max_houses, form.p)
    what = "objective.p" if form.p is not None and max_h == form.p else "rules.max_houses"
    if max_h is not None and n_fixed_h > max_h:
        problems.append(
            f"{what} allows {max_h} houses, but {n_fixed_h} are kept open or required "
            "(existing houses with keep_existing, rules.required_houses): raise it or set "
            "objective.keep_existing: false"
        )
    if form.p is not None and rules.min_houses is not None and rules.min_houses > form.p:
        problems.append(
            f"rules.min_houses = {rules.min_houses} does not admit objective.p = {form.p}: "
            "change one of them"
        )
    possible_h = n_fixed_h + int(roles.house_var.sum())
    if rules.min_houses is not None and rules.min_houses > possible_h:
        problems.append(
            f"rules.min_houses asks for {rules.min_houses} houses, but only {possible_h} sites "
            "may host one (eligible, not forbidden, affordable, not too close to a kept house): "
            "lower it or add candidate sites"
        )
    if form.antennes:
        if rules.max_antennes is not None and n_fixed_a > rules.max_antennes:
            problems.append(
                f"rules.max_antennes allows {rules.max_antennes} antennes, but {n_fixed_a} are "
                "kept open or required: raise it or set objective.keep_existing: false"
            )
        possible_a = n_fixed_a + int(roles.antenne_var.sum())
        if rules.min_antennes is not None and rules.min_antennes > possible_a:
            problems.append(
                f"rules.min_antennes asks for {rules.min_antennes} antennes, but only "
                f"{possible_a} sites may host one (with a possible house within link_max): "
                "lower it or add candidate sites"
            )
    houses = roles.house_fixed | roles.house_var
    for rule in rules.house_groups:
        unserved = ~(rule.member & houses[np.newaxis, :]).any(axis=1)
        if unserved.any():
            names = [rule.groups[g] for g in np.flatnonzero(unserved)]
            shown = ", ".join(names[:SHOWN_IDS])
            more = f" and {len(names) - SHOWN_IDS} more" if len(names) > SHOWN_IDS else ""
            problems.append(
                f"{rule.name}: no site that may host a house serves {len(names)} group(s) "
                f"({shown}{more}): add candidate sites there, or drop the rule"
            )
    problems += _unreachable_problems(instance, form, roles)
    return problems


def _lost_sectors(
    instance: CoverageInstance, form: Form, houses: BoolArray, antennes: BoolArray
) -> tuple[BoolArray, BoolArray]:
    """Return the sectors with families a covering rule must reach but no possible site can.

    Possible sites are the fixed ones and those that get a variable (allowed, affordable,
    not too close to a fixed house, antennes with a possible house within ``L``).
    """
    needs = instance.family_counts() > 0
    lost_house = np.zeros(instance.n_sectors, dtype=bool)
    lost_frequent = np.zeros(instance.n_sectors, dtype=bool)
    if form.cover_house or instance.rules.universal_floor:
        reach = instance.reach(instance.radius_house)
        lost_house = needs & ~rows_any(reach & houses[np.newaxis, :])
    if form.cover_frequent:
        reach = instance.reach(instance.radius_frequent)
        lost_frequent = needs & ~rows_any(reach & (houses | antennes)[np.newaxis, :])
    return lost_house, lost_frequent


def _unreachable_problems(instance: CoverageInstance, form: Form, roles: Roles) -> list[str]:
    """Return the sectors with families a covering rule must reach but cannot."""
    problems: list[str] = []
    families = instance.family_counts()
    label = instance.sector_label
    if form.skip_unreachable:
        lost = roles.lost_house | roles.lost_frequent
        if lost.any():
            logger.warning(
                f"{form.name}: {int(lost.sum())} sectors ({families[lost].sum():,.0f} families) "
                f"cannot be reached by any allowed site within the standards and are left out "
                f"of the covering rules: {ids_of(lost, label)}"
            )
        return problems
    lost = roles.lost_house
    if lost.any():
        rule = form.name if form.cover_house else "rules.universal_floor"
        problems.append(
            f"{rule}: {int(lost.sum())} sectors ({families[lost].sum():,.0f} families) have "
            f"no site that may host a house within their house standard R_H: "
            f"{ids_of(lost, label)}; raise standards.house_min, add candidate sites near "
            "them, or lift forbidden sites"
        )
    lost = roles.lost_frequent
    if lost.any():
        problems.append(
            f"{form.name}: {int(lost.sum())} sectors ({families[lost].sum():,.0f} families) "
            f"have no site that may host a house or antenne within their frequent standard "
            f"R_A: {ids_of(lost, label)}; raise standards.frequent_min or add candidate sites"
        )
    return problems
