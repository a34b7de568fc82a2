r"""p-median and p-center plans on the coverage model's arrays (houses only, exactly p).

Adapters from a :class:`planner.model.coverage.CoverageInstance` (sectors, sites, rules) to
the p-facility solvers, returning the same :class:`~planner.model.coverage.CoverageSolution`
as every model so that plans, maps and summaries work alike.

Demand points are the sectors with families (:math:`T_i > 0`), weighted by :math:`w_i`
(p-median) or unweighted (p-center); candidate houses are the sites that may host one
(eligible or an existing house, not forbidden, not an existing antenne kept as one); kept
existing houses and required houses are fixed open and count towards :math:`p`. Sectors
with families but no route to any candidate cannot change the plan: they are left out of the
model, counted in ``figures["sectors_without_route"]`` and logged. The budget is not a
constraint; the plan's cost is reported.

``p_median``
    .. math:: \min_{|S| = p} \sum_i w_i \min_{j \in S} d_{ij}

    Without capacities or policy rules: :func:`planner.model.pmedian.solve_pmedian` (radius
    formulation with level generation). With capacities :math:`C_j` (families) or rules:
    :func:`planner.model.capacitated.solve_capacitated_pmedian` (single sourcing: all families
    of a sector go to one house; unlimited capacity where none is given).
``p_center``
    .. math:: \min_{|S| = p} \max_i \min_{j \in S} d_{ij}

    Without rules: :func:`planner.model.pcenter.solve_pcenter`. With rules: a search over
    covering problems. For a radius :math:`r` taken from the sorted distinct travel times,
    "is there a plan with exactly :math:`p` houses, meeting every rule, with every sector within
    :math:`\min(r, R_H(i))` (the latter only under the universal floor)?" is a set-covering
    feasibility MILP (:mod:`planner.model.setcover`); a binary search between a lower bound
    (the largest distance from a sector to its nearest candidate) and the best plan found
    finds the smallest feasible :math:`r`. Radii proven infeasible give the bound; a test
    stopped by the time limit ends the search with the gap reported.

Policy rules map to constraints on the open sites: the universal floor (every sector within
:math:`R_H(i)` of a house), a house per group, spacing; ``min_houses`` / ``max_houses`` must
admit :math:`p`.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import TYPE_CHECKING, Final

import numpy as np
from numpy.typing import NDArray

from planner.errors import DataError, InfeasibleError, SolverError
from planner.model.base import FacilitySolution, facility_solution, is_count
from planner.model.capacitated import SiteConstraints, solve_capacitated_pmedian
from planner.model.coverage import (
    CoverageInstance,
    CoverageSolution,
    Form,
    build_coverage_problem,
    link_antennes,
    plan_cost,
    plan_coverage,
    run_model,
    stopped_by_time_limit,
)
from planner.model.coverage.instance import SHOWN_IDS, ids_of
from planner.model.coverage.roles import fixed_spacing_problems
from planner.model.pcenter import solve_pcenter
from planner.model.pmedian import solve_pmedian
from planner.solve import SolveResult, method_result

if TYPE_CHECKING:
    from planner.scenario import SolverSpec

__all__ = ["solve_pcenter_plan", "solve_pmedian_plan"]

logger = logging.getLogger(__name__)

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]

_HALF: Final[float] = 0.5


@dataclasses.dataclass(frozen=True, eq=False)
class _Facility:
    """The p-facility view of an instance."""

    demand: NDArray[np.intp]  # sector index of each demand point
    allowed: BoolArray  # sites that may host a house
    fixed: BoolArray  # sites fixed open as houses
    carried: BoolArray  # kept existing antennes (outside the model)
    unrouted: NDArray[np.intp]  # sectors with families but no route to any candidate
    p: int  # houses to open (a numpy integer p becomes an int)


def _facility_view(instance: CoverageInstance, p: int, model: str) -> _Facility:
    rules = instance.rules
    n = instance.n_sites
    if not is_count(p) or p < 1:
        raise DataError(f"{model}: objective.p must be a positive whole number, got {p!r}")
    p = int(p)
    if rules.antenne_required(n).any() or rules.min_antennes or rules.max_antennes:
        raise DataError(
            f"{model} places houses only: rules.required_antennes, rules.min_antennes and "
            "rules.max_antennes need objective.kind max_coverage or set_cover"
        )
    keep = instance.keep_existing
    # a kept existing antenne stays an antenne: it cannot become a house
    allowed = np.isfinite(instance.new_house_cost()) & ~(instance.existing_antenne & keep)
    fixed = (instance.existing_house & keep) | rules.house_required(n)
    problems = _view_problems(instance, p, allowed, fixed)
    if problems:
        raise InfeasibleError(problems)
    families = instance.family_counts()
    reachable = np.isfinite(instance.d[:, allowed]).any(axis=1)
    demand = np.flatnonzero((families > 0) & reachable)
    unrouted = np.flatnonzero((families > 0) & ~reachable)
    if unrouted.size:
        logger.warning(
            f"{model}: {unrouted.size} sectors ({families[unrouted].sum():,.0f} families) have "
            "no route to any candidate site and are left out of the model"
        )
    if demand.size == 0:
        raise InfeasibleError(
            f"{model}: no sector with families can reach any candidate site: check the "
            "network, the sites and their can_house / forbidden columns"
        )
    carried = instance.existing_antenne & keep & ~fixed
    return _Facility(demand, allowed, fixed, carried, unrouted, p)


def _view_problems(
    instance: CoverageInstance, p: int, allowed: BoolArray, fixed: BoolArray
) -> list[str]:
    """Return the fixed-site and count rules that no plan with ``p`` houses can meet."""
    rules = instance.rules
    problems = []
    bad = rules.house_required(instance.n_sites) & ~allowed
    if bad.any():
        problems.append(
            f"rules.required_houses: sites {ids_of(bad, instance.site_label)} may not host a house "
            "(forbidden, can_house false, or an existing antenne kept by keep_existing)"
        )
    clash = instance.existing_house & instance.forbidden & instance.keep_existing
    if clash.any():
        problems.append(
            f"existing house site(s) {ids_of(clash, instance.site_label)} are also forbidden, but "
            "keep_existing keeps them open: remove them from the forbidden sites or set "
            "objective.keep_existing: false"
        )
    if rules.min_houses is not None and p < rules.min_houses:
        problems.append(
            f"rules.min_houses = {rules.min_houses} does not admit objective.p = {p}: "
            "change one of them"
        )
    if rules.max_houses is not None and p > rules.max_houses:
        problems.append(
            f"rules.max_houses = {rules.max_houses} does not admit objective.p = {p}: "
            "change one of them"
        )
    if int(fixed.sum()) > p:
        problems.append(
            f"objective.p = {p}, but {int(fixed.sum())} houses are kept open or required: "
            "raise p or set objective.keep_existing: false"
        )
    problems += fixed_spacing_problems(instance, fixed)
    if int((allowed | fixed).sum()) < p:
        problems.append(
            f"objective.p = {p}, but only {int(allowed.sum())} sites may host a house: lower p"
        )
    return problems


def _site_constraints(
    instance: CoverageInstance, view: _Facility, *, skip_unreachable: bool
) -> SiteConstraints:
    rules = instance.rules
    cover = None
    if rules.universal_floor:
        cover = instance.reach(instance.radius_house)[view.demand]
        lost = np.asarray(~(cover & (view.allowed | view.fixed)[np.newaxis, :]).any(axis=1))
        # sectors with no route to any candidate (left out of the model) break the floor too
        sectors = np.sort(np.concatenate([view.demand[lost], view.unrouted]))
        if sectors.size and skip_unreachable:
            logger.warning(
                f"rules.universal_floor: {sectors.size} sectors cannot be reached by any "
                "allowed site within R_H and are left out of the rule"
            )
            cover = cover & ~lost[:, np.newaxis]  # a row without any site is no constraint
        elif sectors.size:
            families = instance.family_counts()[sectors]
            shown = ", ".join(instance.sector_label(int(i)) for i in sectors[:SHOWN_IDS])
            raise InfeasibleError(
                f"rules.universal_floor: {sectors.size} sectors ({families.sum():,.0f} families) "
                f"have no site that may host a house within R_H: {shown}; raise "
                "standards.house_min or add candidate sites"
            )
    close = instance.too_close() if rules.house_spacing_min else None
    return SiteConstraints(
        cover=cover,
        groups=rules.house_groups,
        too_close=close,
        names={"cover": "rules.universal_floor", "too_close": "rules.house_spacing_min"},
        labels=tuple(instance.sector_label(int(i)) for i in view.demand),
    )


def _needs_own_model(instance: CoverageInstance) -> bool:
    rules = instance.rules
    return bool(rules.universal_floor or rules.house_groups or rules.house_spacing_min)


# --------------------------------------------------------------------------- p-median


def solve_pmedian_plan(
    instance: CoverageInstance, p: int, solver: SolverSpec, *, skip_unreachable: bool = False
) -> CoverageSolution:
    r"""Place exactly ``p`` houses minimising the weighted travel time :math:`\sum_i w_i d_i`.

    Parameters
    ----------
    instance
        The arrays (capacities and rules apply when given; budget and alpha do not).
    p
        Number of houses, kept and required ones included.
    solver
        Solver options (the time limit covers the whole method).
    skip_unreachable
        Under the universal floor, leave out sectors no allowed site reaches within R_H.

    Returns
    -------
    CoverageSolution
        Houses, the house each sector is assigned to, figures (weighted mean and largest
        travel time) and what the solver proved.

    Raises
    ------
    InfeasibleError
        When ``p`` and the rules, capacities or fixed sites cannot all hold.
    SolverError
        When the solver stops without a plan.
    """
    view = _facility_view(instance, p, "p_median")
    p = view.p
    d = instance.d[view.demand]
    weight = instance.weight[view.demand]
    forbidden = ~(view.allowed | view.fixed)
    if instance.capacity is None and not _needs_own_model(instance):
        solution = solve_pmedian(
            d, weight, p, fixed_open=view.fixed, forbidden=forbidden, solver=solver
        )
    else:
        capacity = (
            np.full(instance.n_sites, np.inf) if instance.capacity is None else instance.capacity
        )
        solution = solve_capacitated_pmedian(
            d,
            instance.family_counts()[view.demand],
            capacity,
            p,
            weight=weight,
            fixed_open=view.fixed,
            forbidden=forbidden,
            rules=_site_constraints(instance, view, skip_unreachable=skip_unreachable),
            solver=solver,
        )
    return _plan(instance, view, solution, "p_median", p)


# --------------------------------------------------------------------------- p-center


def solve_pcenter_plan(
    instance: CoverageInstance, p: int, solver: SolverSpec, *, skip_unreachable: bool = False
) -> CoverageSolution:
    r"""Place exactly ``p`` houses minimising the largest travel time :math:`\max_i d_i`.

    Parameters
    ----------
    instance
        The arrays (rules apply when given; budget, alpha and weights do not).
    p
        Number of houses, kept and required ones included.
    solver
        Solver options (the time limit covers the whole search).
    skip_unreachable
        Under the universal floor, leave out sectors no allowed site reaches within R_H.

    Returns
    -------
    CoverageSolution
        Houses, each sector assigned to its nearest house, figures (largest and mean travel
        time) and what the search proved.

    Raises
    ------
    DataError
        With capacities (not supported by the p-center model).
    InfeasibleError
        When ``p`` and the rules or fixed sites cannot all hold.
    SolverError
        When no plan is found in time.
    """
    if instance.capacity is not None:
        raise DataError(
            "p_center does not take capacities: drop objective.capacity_column or use p_median"
        )
    view = _facility_view(instance, p, "p_center")
    p = view.p
    if not _needs_own_model(instance):
        d = instance.d[view.demand]
        forbidden = ~(view.allowed | view.fixed)
        solution = solve_pcenter(d, p, fixed_open=view.fixed, forbidden=forbidden, solver=solver)
        return _plan(instance, view, solution, "p_center", p)
    return _pcenter_search(instance, view, p, solver, skip_unreachable=skip_unreachable)


@dataclasses.dataclass
class _Search:
    """State of the p-center search over covering problems."""

    instance: CoverageInstance
    view: _Facility
    p: int
    solver: SolverSpec
    radii: FloatArray
    begin: float
    floor_radius: FloatArray | None  # R_H(i) under the universal floor (inf: left out)
    best: BoolArray | None = None
    detail: str = "search over covering problems finished"
    version: str | None = None

    def time_left(self) -> float | None:
        limit = self.solver.time_limit_s
        return None if limit is None else limit - (time.perf_counter() - self.begin)

    def test(self, index: int) -> bool | None:
        """Whether radius ``radii[index]`` admits a plan (None: not decided in time)."""
        instance = self.instance
        radius = np.full(instance.n_sectors, self.radii[index])
        if self.floor_radius is not None:
            radius = np.minimum(radius, self.floor_radius)
        families = np.zeros(instance.n_sectors)
        families[self.view.demand] = 1.0
        rules = dataclasses.replace(
            instance.rules, min_houses=self.p, max_houses=self.p, universal_floor=False
        )
        test = dataclasses.replace(
            instance, radius_house=radius, families=families, capacity=None, rules=rules
        )
        form = Form(
            "p_center", antennes=False, objective="cost", budget=False, cover_house=True, p=self.p
        )
        try:
            problem = build_coverage_problem(test, form)
        except InfeasibleError:
            return False
        left = self.time_left()
        spec = self.solver
        if left is not None:
            spec = spec.model_copy(update={"time_limit_s": max(left, 1.0)})
        result, x = run_model(problem.model, spec, start=problem.start)
        self.version = result.solver_version
        if result.has_plan and x is not None:
            plan = problem.house_fixed.copy()
            plan[problem.house_sites] |= x[problem.house_columns] > _HALF
            self.best = plan
            return True
        if result.status == "infeasible" and not stopped_by_time_limit(result):
            return False
        self.detail = f"a covering test stopped without an answer ({result.detail})"
        return None


def _pcenter_search(
    instance: CoverageInstance,
    view: _Facility,
    p: int,
    solver: SolverSpec,
    *,
    skip_unreachable: bool,
) -> CoverageSolution:
    begin = time.perf_counter()
    d = instance.d[view.demand]
    usable = view.allowed | view.fixed
    finite = np.where(np.isfinite(d) & usable[np.newaxis, :], d, np.inf)
    lower = float(finite.min(axis=1).max())
    radii = np.unique(finite[np.isfinite(finite) & (finite >= lower)])
    floor_radius = None
    if instance.rules.universal_floor:
        _site_constraints(instance, view, skip_unreachable=skip_unreachable)  # raises if lost
        reach = instance.reach(instance.radius_house) & usable[np.newaxis, :]
        floor_radius = np.where(reach.any(axis=1), instance.radius_house, np.inf)
    search = _Search(instance, view, p, solver, radii, begin, floor_radius)
    top = search.test(radii.size - 1)
    if top is False:
        _raise_rules_infeasible(instance, p)
    low, high = 0, radii.size - 2
    proven_low = lower
    while top and low <= high:
        left = search.time_left()
        if left is not None and left <= 0:
            search.detail = "time limit reached during the search"
            break
        mid = (low + high) // 2
        verdict = search.test(mid)
        if verdict is None:
            break
        if verdict:
            high = mid - 1
        else:
            low = mid + 1
            proven_low = float(radii[low])
    best = search.best
    if best is None:
        raise SolverError(
            f"p_center: no plan with {p} houses found in the time given ({search.detail}): "
            "raise solver.time_limit_s"
        )
    value = float(np.where(np.isfinite(d[:, best]), d[:, best], np.inf).min(axis=1).max())
    result = method_result(
        solver,
        objective=value,
        bound=min(proven_low, value),
        runtime_s=time.perf_counter() - begin,
        detail=search.detail,
        sense="min",
        options={"method": "p-center: binary search over covering problems with rules"},
        solver_version=search.version,
    )
    columns = np.flatnonzero(best)
    assign = columns[np.argmin(d[:, columns], axis=1)].astype(np.int64)
    facility = facility_solution(best, assign, value, result, "covering search")
    return _plan(instance, view, facility, "p_center", p)


def _raise_rules_infeasible(instance: CoverageInstance, p: int) -> None:
    """Raise the InfeasibleError of the rules themselves (no radius can help)."""
    form = Form("p_center", antennes=False, objective="cost", budget=False, p=p)
    rules = dataclasses.replace(instance.rules, min_houses=p, max_houses=p)
    build_coverage_problem(dataclasses.replace(instance, capacity=None, rules=rules), form)
    names = []
    if instance.rules.universal_floor:
        names.append("rules.universal_floor")
    names += [rule.name for rule in instance.rules.house_groups]
    if instance.rules.house_spacing_min:
        names.append(f"rules.house_spacing_min = {instance.rules.house_spacing_min:g}")
    raise InfeasibleError(
        f"p_center: no plan with exactly {p} houses meets {', '.join(names) or 'the rules'} "
        f"(the kept and required houses included): raise or lower objective.p, or relax a rule"
    )


# --------------------------------------------------------------------------- plan


def _plan(
    instance: CoverageInstance,
    view: _Facility,
    solution: FacilitySolution,
    model: str,
    p: int,
) -> CoverageSolution:
    house = np.asarray(solution.open, dtype=bool).copy()
    antenne = view.carried.copy()
    assign = _full_assignment(instance, view, house, np.asarray(solution.assign))
    covered_house, covered_frequent, value = plan_coverage(instance, house, antenne)
    minutes = np.where(
        assign >= 0, instance.d[np.arange(instance.n_sectors), np.maximum(assign, 0)], np.inf
    )
    figures = _travel_figures(instance, view, minutes)
    figures["p"] = p
    figures["sectors_without_route"] = int(view.unrouted.size)
    result: SolveResult = solution.result
    for array in (house, antenne, assign, covered_house, covered_frequent):
        array.setflags(write=False)
    link = link_antennes(instance, house, antenne)
    link.setflags(write=False)
    logger.info(
        f"Plan ({model}): {int(house.sum())} houses, objective {solution.objective:,.4f} "
        f"({result.status}{'' if result.proven_optimal else ', not proven optimal'})"
    )
    return CoverageSolution(
        house=house,
        antenne=antenne,
        link=link,
        cost=plan_cost(instance, house, antenne),
        coverage_objective=value,
        result=result,
        covered_house=covered_house,
        covered_frequent=covered_frequent,
        objective=solution.objective,
        tie_break=0.0,
        model=model,
        assign=assign,
        figures=figures,
    )


def _full_assignment(
    instance: CoverageInstance, view: _Facility, house: BoolArray, assign: IntArray
) -> IntArray:
    """Return the model's assignment for demand points, the nearest house for the others."""
    full = np.full(instance.n_sectors, -1, dtype=np.int64)
    columns = np.flatnonzero(house)
    if columns.size:
        sub = instance.d[:, columns]
        nearest = np.argmin(sub, axis=1)
        reachable = np.isfinite(sub[np.arange(instance.n_sectors), nearest])
        full[reachable] = columns[nearest[reachable]]
    full[view.demand] = assign
    return full


def _travel_figures(
    instance: CoverageInstance, view: _Facility, minutes: FloatArray
) -> dict[str, float | int | None]:
    demand = view.demand
    weight = instance.weight[demand]
    families = instance.family_counts()[demand]
    t = minutes[demand]
    ok = np.isfinite(t)
    return {
        "weighted_mean_travel_min": (
            round(float(weight[ok] @ t[ok] / weight[ok].sum()), 4) if weight[ok].sum() > 0 else None
        ),
        "families_mean_travel_min": (
            round(float(families[ok] @ t[ok] / families[ok].sum()), 4)
            if families[ok].sum() > 0
            else None
        ),
        "max_travel_min": round(float(t[ok].max()), 4) if ok.any() else None,
        "weighted_travel_total": round(float(weight[ok] @ t[ok]), 4),
    }
