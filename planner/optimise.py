r"""The optimise stage: turn a scenario's tables into model arrays and run the chosen model.

The models (:mod:`planner.model`) see arrays only; this adapter reads what they need from the
checked inputs, the demand and the travel times, and dispatches on ``objective.kind``:

==================== =====================================================================
kind                 model
==================== =====================================================================
``max_coverage``     houses + antennes, most weighted families within budget
                     (:func:`planner.model.coverage.solve_coverage`)
``set_cover``        cheapest houses + antennes reaching every family
                     (:func:`planner.model.setcover.solve_set_cover`)
``set_cover_single`` cheapest houses reaching every family within R_H
``p_median``         ``p`` houses, least weighted travel time
                     (:func:`planner.model.facility.solve_pmedian_plan`)
``p_center``         ``p`` houses, least worst travel time
                     (:func:`planner.model.facility.solve_pcenter_plan`)
``mclp``             at most ``p`` houses, most weighted families within R_H
                     (:func:`planner.model.mclp.solve_mclp`)
``max_attendance``   as ``max_coverage``, maximising the weighted families expected to use a
                     house and a frequent service under distance decay
                     (:func:`solve_attendance`)
``min_cost_targets`` cheapest houses + antennes reaching ``objective.targets``
                     (:func:`planner.model.solve_targets`, targets from :func:`targets_of`)
==================== =====================================================================

Distance decay (``max_attendance``) is the coverage model over replicated rows
(:mod:`planner.model.decay`): every demand row becomes one row per decay level at which a site
enters its house or frequent reach, with radii :math:`R_H(q)\,s_l`, :math:`R_A(q)\,s_l` and
weight :math:`w_q (g_l - g_{l'})`, and no families (capacities are refused); the demand rows
themselves stay in with weight 0 so that the universal floor still reads the standard. The
plan read back is evaluated at the demand rows again.

Policy rules (``rules`` section) become :class:`planner.model.rules.PlanRules`:

- ``required_houses`` / ``required_antennes``: site ids or names, resolved against the sites
  file (:func:`planner.data.policy.resolve_sites`); ``forbidden_sites`` (ids or names) are
  fixed closed;
- ``house_in``: a group rule over the named values of a sector column only (``located``);
- ``house_per_group``: the group of each sector is the value of the named sector column
  (empty cells: no group). With ``serves: located`` a house serves the group of the sector
  polygon it lies in (a site column of the same name, when the sites file has one, overrides
  the map; a site on a border takes the first of its sectors in sector-id order; a site
  outside every sector serves no group). With ``serves: reach`` a house serves every group
  with a sector with families within its house standard :math:`R_H(i)`;
- counts, the universal floor and the spacing are passed on as they are;
- ``antennes_at`` and ``house_consultatiebureau_min`` / ``_m`` narrow where a new antenne /
  house may open (:func:`planner.data.colocation.eligible_new_sites`);
  ``colocation.value_families`` becomes a value per site in the objective
  (:func:`site_values`, :func:`planner.model.solve_with_site_values`).

An infeasible plan's message gains what it would take (:func:`planner.model.what_it_takes`, in
``outputs.language``) and, under the co-location rules, how many sites they leave.

Capacities come from the site column named by ``objective.capacity_column``: numbers >= 0, an
empty cell meaning no limit; they count families (the target group).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np

from planner.data.colocation import COLOCATION_COLUMNS, eligible_new_sites, mark_colocation
from planner.data.policy import (
    check_rules,
    group_labels_of,
    house_in_member,
    may_close_sites,
    rule_sites,
    site_capacity,
    site_groups,
    site_running,
)
from planner.demand.need import target_group
from planner.errors import DataError, InfeasibleError
from planner.model import (
    CoverageInstance,
    CoverageSolution,
    CoverageTarget,
    DecayFunction,
    GroupRule,
    PhaseBudgets,
    PlanRules,
    solve_attendance,
    solve_coverage,
    solve_mclp,
    solve_pcenter_plan,
    solve_phases,
    solve_pmedian_plan,
    solve_set_cover,
    solve_targets,
    solve_with_site_values,
    what_it_takes,
    with_running_costs,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from planner.data.inputs import Inputs
    from planner.demand import Demand
    from planner.scenario import GroupRuleSpec, Scenario
    from planner.travel.matrices import TravelTimes

__all__ = [
    "check_rules",
    "model_instance",
    "phase_budgets",
    "plan_rules",
    "row_ids",
    "rule_sites",
    "site_capacity",
    "site_values",
    "solve_attendance",
    "solve_scenario",
    "target_label",
    "targets_of",
]

logger = logging.getLogger(__name__)


def model_instance(
    scenario: Scenario, inputs: Inputs, demand: Demand, travel: TravelTimes
) -> CoverageInstance:
    """Turn the geographic stages' results into the arrays every model needs.

    Parameters
    ----------
    scenario
        The scenario (budget, link standard, alpha, capacities, rules).
    inputs
        Sectors and sites.
    demand
        Families, weights and per-sector standards.
    travel
        Travel-time matrices.

    Returns
    -------
    CoverageInstance
        The math-only instance, with families, capacities and policy rules.

    Raises
    ------
    DataError
        When a rule names an unknown site or column, or the capacity column is invalid
        (every problem listed).
    """
    sites = inputs.sites
    if COLOCATION_COLUMNS[0] not in sites.columns:  # not marked by the pipeline
        sites = mark_colocation(scenario, inputs).sites
    existing = sites["existing_role"].to_numpy()
    house_ok, antenne_ok = eligible_new_sites(scenario, sites, travel.site_site)
    problems: list[str] = []
    capacity = site_capacity(scenario, sites, problems)
    running = site_running(scenario, sites, problems)
    may_close = may_close_sites(scenario, inputs, problems)
    rules = plan_rules(scenario, inputs, demand, travel, problems)
    _, forbidden = rule_sites(scenario, inputs, [])
    if problems:
        raise DataError(problems)
    instance = CoverageInstance(
        weight=demand.weight,
        d=travel.sector_site,
        e=travel.site_site,
        cost_house=sites["cost_house"].to_numpy(dtype=float),
        cost_antenne=sites["cost_antenne"].to_numpy(dtype=float),
        can_house=(sites["can_house"].to_numpy(dtype=bool) & house_ok) | (existing == "house"),
        can_antenne=(sites["can_antenne"].to_numpy(dtype=bool) & antenne_ok)
        | (existing == "antenne"),
        existing_house=existing == "house",
        existing_antenne=existing == "antenne",
        forbidden=sites["forbidden"].to_numpy(dtype=bool) | forbidden,
        budget=scenario.budget.amount_eur,
        radius_house=demand.radius_house,
        radius_frequent=demand.radius_frequent,
        link_max=scenario.standards.link_min,
        alpha=scenario.objective.alpha,
        keep_existing=scenario.objective.keep_existing,
        site_ids=tuple(str(value) for value in sites["site_id"]),
        sector_ids=row_ids(inputs, demand),
        families=demand.target,
        capacity=capacity,
        rules=rules,
    )
    basis, years = scenario.budget.basis, scenario.budget.years or 1.0
    return with_running_costs(
        instance,
        running_house=running[0],
        running_antenne=running[1],
        basis=basis,
        years=years,
        may_close=may_close,
    )


def row_ids(inputs: Inputs, demand: Demand) -> tuple[str, ...]:
    """Name every demand row: the sector id, or ``<sector id> point <k>`` for demand points.

    Parameters
    ----------
    inputs
        The sectors (their ids).
    demand
        The demand rows (one per sector, or one per demand point).

    Returns
    -------
    tuple of str
        One unique label per row, in row order.
    """
    ids = inputs.sectors["sector_id"].astype(str).to_numpy()
    if not demand.by_point:
        return tuple(ids)
    sector = demand.sector
    if demand.mode is not None:  # one row per point and mode: number the points, name the mode
        modes = np.asarray(demand.modes, dtype=object)[demand.mode]
        if demand.method == "sector":
            return tuple(f"{ids[s]} {m}" for s, m in zip(sector, modes, strict=True))
        point = demand.point if demand.point is not None else np.arange(sector.shape[0])
        first = point[np.searchsorted(sector, sector, side="left")]
        number = point - first + 1
        return tuple(
            f"{ids[s]} point {k} {m}" for s, k, m in zip(sector, number, modes, strict=True)
        )
    first = np.searchsorted(sector, sector, side="left")  # rows are sorted by sector
    number = np.arange(sector.shape[0]) - first + 1
    return tuple(f"{ids[s]} point {k}" for s, k in zip(sector, number, strict=True))


def solve_scenario(
    scenario: Scenario, inputs: Inputs, demand: Demand, travel: TravelTimes
) -> CoverageSolution:
    """Build the scenario's model and solve it.

    Parameters
    ----------
    scenario
        The scenario; ``objective.kind`` picks the model.
    inputs
        Sectors and sites.
    demand
        Families, weights and per-sector standards.
    travel
        Travel-time matrices.

    Returns
    -------
    CoverageSolution
        The plan, with ``model`` set to the kind and what the solver proved.

    Raises
    ------
    DataError
        When a rule or the capacity column is invalid.
    InfeasibleError
        When the rules cannot all hold (the message names the rule).
    SolverError
        When the solver stops without a plan.
    """
    instance = model_instance(scenario, inputs, demand, travel)
    value = site_values(scenario, inputs, demand)
    try:
        if value is not None:  # max_coverage with co-location values
            skip = scenario.objective.unreachable == "skip"
            return solve_with_site_values(instance, value, scenario.solver, skip_unreachable=skip)
        if scenario.objective.kind == "min_cost_targets":
            return solve_targets(instance, targets_of(scenario, demand), scenario.solver)
        if scenario.budget.phases:  # max_coverage (the scenario says so)
            skip = scenario.objective.unreachable == "skip"
            budgets = phase_budgets(scenario)
            return solve_phases(instance, budgets, scenario.solver, skip_unreachable=skip)
        return _solve_kind(scenario, instance)
    except InfeasibleError as error:
        more = _colocation_limits(scenario, instance)
        if scenario.objective.kind in {"max_coverage", "max_attendance"}:  # they spend a budget
            more += what_it_takes(instance, scenario.solver, scenario.outputs.language)
        if not more:
            raise
        raise InfeasibleError([*error.problems, *more]) from error


def target_label(scenario: Scenario, index: int) -> str:
    """Name target ``index`` of ``objective.targets``: ``objective.targets[0] (house, all, 70 %)``.

    Parameters
    ----------
    scenario
        The scenario.
    index
        Position in ``objective.targets``.

    Returns
    -------
    str
        The key and what it asks.
    """
    spec = scenario.objective.targets[index]
    return f"objective.targets[{index}] ({spec.standard}, {spec.group}, {100 * spec.share:g} %)"


def targets_of(scenario: Scenario, demand: Demand) -> tuple[CoverageTarget, ...]:
    """Turn ``objective.targets`` into the model's targets over the demand rows.

    Parameters
    ----------
    scenario
        The scenario (its targets).
    demand
        The demand rows (families, the neediest fifth, the need quintiles of the sectors).

    Returns
    -------
    tuple of CoverageTarget
        One per target, in the scenario's order.
    """
    return tuple(
        CoverageTarget(
            name=target_label(scenario, index),
            frequent=spec.standard == "frequent",
            member=target_group(demand, spec.group),
            share=spec.share,
        )
        for index, spec in enumerate(scenario.objective.targets)
    )


def _colocation_limits(scenario: Scenario, instance: CoverageInstance) -> list[str]:
    """Say how many sites the co-location rules leave, when a plan is infeasible under them."""
    rules = scenario.rules
    named = [f"rules.antennes_at ({', '.join(rules.antennes_at)})"] if rules.antennes_at else []
    named += [
        f"rules.{key} = {getattr(rules, key):g}"
        for key in ("house_consultatiebureau_min", "house_consultatiebureau_m")
        if getattr(rules, key) is not None
    ]
    if not named:
        return []
    new_house = instance.can_house & ~instance.existing_house & ~instance.forbidden
    new_antenne = instance.can_antenne & ~instance.existing_antenne & ~instance.forbidden
    line = (
        f"the co-location rules {' and '.join(named)} leave {int(new_house.sum())} sites for a "
        f"new house and {int(new_antenne.sum())} for a new antenne: relax them, or mark more "
        "sites as vindplaatsen (colocation.columns, data.services)"
    )
    return [line]


def site_values(scenario: Scenario, inputs: Inputs, demand: Demand) -> NDArray[np.float64] | None:
    r"""Return the value of a house per site from ``colocation.value_families``, or None.

    :math:`c_j = \bar w \sum_t V_t [j \text{ co-located with } t]`, with :math:`V_t` the
    families a type is worth and :math:`\bar w = \sum_i w_i / \sum_i T_i` the weight of a
    family of average need, so that :math:`V_t` reads as "worth as much as reaching
    :math:`V_t` more families with the whole offer".

    Parameters
    ----------
    scenario
        The scenario (``colocation.value_families``).
    inputs
        The sites, marked with their co-location.
    demand
        Families and weights.

    Returns
    -------
    ndarray or None
        ``(n_j,)`` values; None when no type has a positive value.
    """
    values = {kind: v for kind, v in scenario.colocation.value_families.items() if v > 0}
    if not values or scenario.objective.kind != "max_coverage":  # check_rules says so
        return None
    sites = inputs.sites
    if COLOCATION_COLUMNS[0] not in sites.columns:
        sites = mark_colocation(scenario, inputs).sites
    families = float(np.sum(demand.target))
    mean_weight = float(np.sum(demand.weight)) / families if families > 0 else 1.0
    per_site = np.zeros(len(sites))
    for kind, families_worth in values.items():
        per_site += families_worth * sites[f"coloc_{kind}"].to_numpy(dtype=float)
    return mean_weight * per_site


def _solve_kind(scenario: Scenario, instance: CoverageInstance) -> CoverageSolution:
    """Solve the instance with the model of ``objective.kind``."""
    objective = scenario.objective
    kind = objective.kind
    solver = scenario.solver
    skip = objective.unreachable == "skip"
    if kind == "max_coverage":
        return solve_coverage(instance, solver, skip_unreachable=skip)
    if kind == "max_attendance":
        decay = DecayFunction.of(scenario.decay)
        return solve_attendance(instance, decay, solver, skip_unreachable=skip)
    if kind in {"set_cover", "set_cover_single"}:
        single = kind == "set_cover_single"
        return solve_set_cover(instance, solver, single=single, skip_unreachable=skip)
    p = int(objective.p or 0)  # the scenario guarantees p for these kinds
    if kind == "mclp":
        return solve_mclp(instance, p, solver, skip_unreachable=skip)
    if kind == "p_median":
        return solve_pmedian_plan(instance, p, solver, skip_unreachable=skip)
    return solve_pcenter_plan(instance, p, solver, skip_unreachable=skip)


def phase_budgets(scenario: Scenario) -> PhaseBudgets:
    """Return the scenario's phases (``budget.phases``, ``budget.carry_over``) for the model.

    Parameters
    ----------
    scenario
        The scenario.

    Returns
    -------
    PhaseBudgets
        Years, budgets and weights.
    """
    phases = scenario.budget.phases
    return PhaseBudgets(
        years=tuple(p.year for p in phases),
        amounts=tuple(p.amount_eur for p in phases),
        weights=tuple(p.weight for p in phases),
        carry_over=scenario.budget.carry_over,
    )


# --------------------------------------------------------------------------- rules


def plan_rules(
    scenario: Scenario,
    inputs: Inputs,
    demand: Demand,
    travel: TravelTimes,
    problems: list[str],
) -> PlanRules:
    """Translate the scenario's ``rules`` section into arrays over the sites.

    Parameters
    ----------
    scenario
        The scenario.
    inputs
        Sectors and sites (sector group columns, site ids).
    demand
        Families and standards (for ``serves: reach``).
    travel
        Travel times (for ``serves: reach``).
    problems
        Problems found (appended to).

    Returns
    -------
    PlanRules
        The rules as arrays (empty where a problem was found).
    """
    spec = scenario.rules
    required, _ = rule_sites(scenario, inputs, problems)
    groups = []
    for index, group_spec in enumerate(spec.house_per_group):
        rule = _group_rule(index, group_spec, inputs, demand, travel, problems)
        if rule is not None:
            groups.append(rule)
    for index, house_in in enumerate(spec.house_in):
        found = house_in_member(index, house_in, inputs, problems)
        if found is not None:
            name, values, member = found
            groups.append(GroupRule(name=name, groups=values, member=member))
    return PlanRules(
        required_house=required["required_houses"],
        required_antenne=required["required_antennes"],
        min_houses=spec.min_houses,
        max_houses=spec.max_houses,
        min_antennes=spec.min_antennes,
        max_antennes=spec.max_antennes,
        universal_floor=spec.universal_floor,
        house_spacing_min=spec.house_spacing_min,
        house_groups=tuple(groups),
    )


def _group_rule(
    index: int,
    spec: GroupRuleSpec,
    inputs: Inputs,
    demand: Demand,
    travel: TravelTimes,
    problems: list[str],
) -> GroupRule | None:
    name = f"rules.house_per_group[{index}] ({spec.column})"
    sectors = inputs.sectors
    if spec.column not in sectors.columns:
        available = ", ".join(str(c) for c in sectors.columns if c != "geometry")
        problems.append(
            f"{name}: the sectors have no column '{spec.column}'; available: {available}; "
            "add it to the sector file or fix rules.house_per_group"
        )
        return None
    sector_group = group_labels_of(sectors[spec.column])
    if all(label is None for label in sector_group):
        problems.append(f"{name}: column '{spec.column}' is empty in every sector")
        return None
    missing = sum(label is None for label in sector_group)
    if missing:
        logger.warning(f"{name}: {missing} sectors have no group; they belong to none")
    groups = sorted({str(label) for label in sector_group if label is not None})
    position = {label: k for k, label in enumerate(groups)}
    n_sites = len(inputs.sites)
    member = np.zeros((len(groups), n_sites), dtype=bool)
    if spec.serves == "located":
        site_group = site_groups(spec.column, inputs, sector_group)
        for j, label in enumerate(site_group):
            if label is not None and label in position:
                member[position[label], j] = True
    else:
        d = travel.sector_site
        reach = np.isfinite(d) & (d <= demand.radius_house[:, np.newaxis])
        reach &= (demand.target > 0)[:, np.newaxis]
        # a group is served by every site some row (sector or demand point) of it reaches
        row_group = np.array(
            [-1 if label is None else position[str(label)] for label in sector_group]
        )[demand.sector]
        grouped = row_group >= 0
        one_hot = np.zeros((len(groups), int(grouped.sum())))
        one_hot[row_group[grouped], np.arange(int(grouped.sum()))] = 1.0
        member = (one_hot @ reach[grouped].astype(float)) > 0
    logger.info(f"{name}: {len(groups)} groups, {int(member.any(axis=0).sum())} sites serve one")
    return GroupRule(name=name, groups=tuple(groups), member=member)
