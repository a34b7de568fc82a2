"""The model catalogue: set cover, MCLP, p-median, p-center, capacities and policy rules.

Every model is checked on tiny hand-worked instances, then against brute force over all site
subsets on small random instances (written independently of the models: numpy enumeration,
and scipy's linprog for the capacitated assignments).
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from scipy.optimize import linprog

from planner.errors import DataError, InfeasibleError, SolverError
from planner.model import CoverageInstance, GroupRule, PlanRules, plan_problems, solve_coverage
from planner.model.capacitated import SiteConstraints, solve_capacitated_pmedian
from planner.model.colocation import site_value, solve_with_site_values
from planner.model.coverage import MAX_COVERAGE, group_budget
from planner.model.coverage import build as build_module
from planner.model.facility import solve_pcenter_plan, solve_pmedian_plan
from planner.model.mclp import mclp_form, solve_mclp
from planner.model.setcover import SET_COVER, SET_COVER_SINGLE, solve_set_cover
from tests.conftest import ROOT, SOLVER_NAMES, solver_spec
from tests.test_model import D, flags, make, sites  # the hand-checkable city
from tests.test_solve import start_returned_as_optimum

if TYPE_CHECKING:
    from planner.scenario import SolverSpec

INF = np.inf
CPMP = ROOT.parent / "shared" / "benchmarks" / "capacitated_pmedian"


def spec(name: str = "highs", **kwargs: Any) -> SolverSpec:
    return solver_spec(name, **kwargs)


# Two sectors, two sites: one house covers both within R_H = 10, but each needs its own
# site within R_A = 6. A house at S0 costs 100, at S1 120; an antenne costs 30.
TWO_D = np.array([[5.0, 9.0], [9.0, 5.0]])
TWO_E = np.array([[0.0, 5.0], [5.0, 0.0]])


def two(**overrides: Any) -> CoverageInstance:
    values: dict[str, Any] = {
        "weight": np.array([10.0, 10.0]),
        "d": TWO_D,
        "e": TWO_E,
        "cost_house": np.array([100.0, 120.0]),
        "cost_antenne": np.array([30.0, 30.0]),
        "can_house": np.ones(2, dtype=bool),
        "can_antenne": np.ones(2, dtype=bool),
        "existing_house": np.zeros(2, dtype=bool),
        "existing_antenne": np.zeros(2, dtype=bool),
        "forbidden": np.zeros(2, dtype=bool),
        "budget": 0.0,
        "radius_house": np.full(2, 10.0),
        "radius_frequent": np.full(2, 6.0),
        "link_max": 10.0,
        "sector_ids": ("A", "B"),
        "site_ids": ("S0", "S1"),
    }
    values.update(overrides)
    return CoverageInstance(**values)


# --------------------------------------------------------------------------- set cover


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_set_cover_hierarchical_and_single(name: str) -> None:
    # Hierarchical: one house for R_H, the other site as antenne for R_A: house S0 + antenne
    # S1 = 130 beats house S1 + antenne S0 = 150 and two houses = 220. The budget (0) is no rule.
    solution = solve_set_cover(two(), spec(name))
    assert sites(solution.house) == [0]
    assert sites(solution.antenne) == [1]
    assert solution.link.tolist() == [-1, 0]
    assert solution.cost == 130.0
    assert solution.model == "set_cover"
    assert solution.result.proven_optimal
    assert solution.result.objective == pytest.approx(130.0, rel=1e-6)
    assert solution.covered_house.all()
    assert solution.covered_frequent.all()
    # One level: a house within R_H of both is enough.
    single = solve_set_cover(two(), spec(name), single=True)
    assert sites(single.house) == [0]
    assert not single.antenne.any()
    assert single.cost == 100.0
    assert single.model == "set_cover_single"


def test_set_cover_kept_house_is_free_and_required_site_pays() -> None:
    kept = solve_set_cover(two(existing_house=flags(1, n=2)), spec())
    assert sites(kept.house) == [1]
    assert sites(kept.antenne) == [0]
    assert kept.cost == 30.0
    rules = PlanRules(required_house=flags(0, 1, n=2))
    both = solve_set_cover(two(rules=rules), spec())
    assert sites(both.house) == [0, 1]
    assert both.cost == 220.0


def test_set_cover_unreachable_sector_is_named_with_its_families() -> None:
    # D is 12 minutes from the nearest site: nobody can bring frequent services within 8.
    families = np.array([100.0, 200.0, 300.0, 400.0])
    with pytest.raises(InfeasibleError, match=r"set_cover: 1 sectors \(400 families\).*R_A: D"):
        solve_set_cover(make(families=families), spec())
    # One level: every sector has a house within 15 minutes; all three are needed.
    single = solve_set_cover(make(families=families), spec(), single=True)
    assert sites(single.house) == [0, 1, 2]
    # Leaving the unreachable sector out costs the plan for the others, and counts it.
    skipped = solve_set_cover(make(families=families), spec(), skip_unreachable=True)
    assert sites(skipped.house) == [0, 1, 2]
    assert skipped.figures["unreachable_sectors"] == 1
    assert skipped.figures["unreachable_families"] == 400.0
    assert skipped.cost == 300.0


def test_set_cover_ignores_sectors_without_families() -> None:
    # Sector C has no families: S2 (its only house within R_H) is not needed.
    families = np.array([1.0, 1.0, 0.0, 1.0])
    single = solve_set_cover(make(families=families), spec(), single=True)
    assert sites(single.house) == [0, 1]


# --------------------------------------------------------------------------- mclp


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_mclp_hand(name: str) -> None:
    # p = 1: S1 reaches B + D = 60; p = 2: S1 + S2 reach B, C, D = 90. The budget is no rule.
    one = solve_mclp(make(budget=0.0), 1, spec(name))
    assert sites(one.house) == [1]
    assert one.figures["covered_weight"] == pytest.approx(60.0)
    assert one.model == "mclp"
    pair = solve_mclp(make(budget=0.0), 2, spec(name))
    assert sites(pair.house) == [1, 2]
    assert pair.figures["covered_weight"] == pytest.approx(90.0)
    assert pair.result.proven_optimal
    # A kept house counts towards p.
    kept = solve_mclp(make(existing_house=flags(0)), 2, spec(name))
    assert sites(kept.house) == [0, 2]
    assert kept.figures["covered_weight"] == pytest.approx(80.0)


def test_mclp_at_most_p_when_more_adds_nothing() -> None:
    # Only sector A has weight: one house at S0 covers it, a second one adds nothing.
    solution = solve_mclp(make(weight=np.array([5.0, 0.0, 0.0, 0.0])), 3, spec())
    assert sites(solution.house) == [0]


def test_mclp_rejects_bad_p() -> None:
    with pytest.raises(DataError, match="positive whole number"):
        mclp_form(0)


# --------------------------------------------------------------------------- p-median / p-center


def test_pmedian_hand_and_with_rules() -> None:
    # p = 1: S1 costs 10*20 + 20*5 + 30*20 + 40*12 = 1380 (S0 1830, S2 2250).
    # p = 2: {S1, S2} = 200 + 100 + 150 + 480 = 930 ({S0, S2} 1080, {S0, S1} 1230).
    one = solve_pmedian_plan(make(), 1, spec())
    assert sites(one.house) == [1]
    assert one.result.objective == pytest.approx(1380.0)
    assert one.assign is not None
    assert one.assign.tolist() == [1, 1, 1, 1]
    assert one.figures["weighted_mean_travel_min"] == pytest.approx(1380.0 / 100.0)
    assert one.figures["max_travel_min"] == 20.0
    pair = solve_pmedian_plan(make(), 2, spec())
    assert sites(pair.house) == [1, 2]
    assert pair.result.objective == pytest.approx(930.0)
    assert pair.result.proven_optimal
    # Houses 11 minutes apart: only {S0, S2} is allowed (the own rules model).
    spaced = solve_pmedian_plan(make(rules=PlanRules(house_spacing_min=11.0)), 2, spec())
    assert sites(spaced.house) == [0, 2]
    assert spaced.result.objective == pytest.approx(1080.0)
    assert spaced.result.proven_optimal


def test_pcenter_hand_and_with_rules() -> None:
    # p = 1: S1's worst sector is 20 minutes away (S0 30, S2 30).
    one = solve_pcenter_plan(make(), 1, spec())
    assert sites(one.house) == [1]
    assert one.result.objective == pytest.approx(20.0)
    assert one.figures["max_travel_min"] == 20.0
    # With a group rule (S0 must be open) the covering search runs: S0 alone -> 30 (C).
    group = GroupRule(
        name="rules.house_per_group[0] (wijk)", groups=("west",), member=flags(0)[None]
    )
    ruled = solve_pcenter_plan(make(rules=PlanRules(house_groups=(group,))), 1, spec())
    assert sites(ruled.house) == [0]
    assert ruled.result.objective == pytest.approx(30.0)
    assert ruled.result.proven_optimal
    assert ruled.result.bound == pytest.approx(30.0)
    # Two houses: every pair leaves some sector 20 minutes away.
    pair = solve_pcenter_plan(make(rules=PlanRules(house_groups=(group,))), 2, spec())
    assert 0 in sites(pair.house)
    assert pair.result.objective == pytest.approx(20.0)


def test_facility_models_check_p_against_rules() -> None:
    with pytest.raises(
        InfeasibleError, match=r"rules.max_houses = 1 does not admit objective.p = 2"
    ):
        solve_pmedian_plan(make(rules=PlanRules(max_houses=1)), 2, spec())
    with pytest.raises(InfeasibleError, match="2 houses are kept open or required"):
        solve_pcenter_plan(make(existing_house=flags(0, 1)), 1, spec())
    with pytest.raises(DataError, match="p_center does not take capacities"):
        solve_pcenter_plan(make(capacity=np.full(3, 5.0)), 1, spec())


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_pmedian_kept_and_required_houses_too_close_name_the_spacing_rule(name: str) -> None:
    # S0 is kept, S1 required: they are 10 minutes apart, the spacing asks for 15. No plan
    # exists; every p-facility model says which rule, none blames the solver.
    instance = make(
        existing_house=flags(0),
        rules=PlanRules(required_house=flags(1), house_spacing_min=15.0),
    )
    needle = r"rules.house_spacing_min: the kept or required houses S0-S1 are closer than 15"
    for solve in (solve_pmedian_plan, solve_pcenter_plan):
        with pytest.raises(InfeasibleError, match=needle):
            solve(instance, 2, spec(name))
    with pytest.raises(InfeasibleError, match=needle):
        solve_pmedian_plan(dataclasses.replace(instance, capacity=np.full(3, 500.0)), 2, spec(name))


def test_capacitated_pmedian_fixed_sites_too_close_is_infeasible() -> None:
    too_close = ~np.eye(3, dtype=bool)
    rules = SiteConstraints(too_close=too_close, names={"too_close": "rules.house_spacing_min"})
    with pytest.raises(
        InfeasibleError, match=r"rules.house_spacing_min: the fixed-open sites #0-#1"
    ):
        solve_capacitated_pmedian(
            D, np.ones(4), np.full(3, INF), 2, fixed_open=flags(0, 1), rules=rules, solver=spec()
        )


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_floor_skip_leaves_out_sectors_whose_only_sites_are_forbidden(name: str) -> None:
    # Sector C's only site within R_H = 15 is S2, forbidden. Under "unreachable: skip" C is
    # left out of the floor (not of the objective): A needs S0, B needs S1, so p = 2 opens
    # both, for 10*5 + 20*5 + 30*20 + 40*12 = 1230 (C goes to S1 at 20 minutes).
    instance = make(forbidden=flags(2), rules=PlanRules(universal_floor=True))
    median = solve_pmedian_plan(instance, 2, spec(name), skip_unreachable=True)
    center = solve_pcenter_plan(instance, 2, spec(name), skip_unreachable=True)
    assert sites(median.house) == sites(center.house) == [0, 1]
    assert median.objective == pytest.approx(1230.0)
    assert median.result.proven_optimal
    # Without skip the error names the sector, not "demand points #2".
    for solve in (solve_pmedian_plan, solve_pcenter_plan):
        with pytest.raises(InfeasibleError, match=r"rules.universal_floor: 1 sectors .*: C;"):
            solve(instance, 2, spec(name))
    # The array model names points by their labels when it has them.
    cover = np.isfinite(D) & (D <= 15.0)
    rules = SiteConstraints(
        cover=cover, names={"cover": "rules.universal_floor"}, labels=tuple("ABCD")
    )
    with pytest.raises(
        InfeasibleError, match=r"rules.universal_floor: no allowed site reaches sector C:"
    ):
        solve_capacitated_pmedian(
            D, np.ones(4), np.full(3, INF), 2, forbidden=flags(2), rules=rules, solver=spec(name)
        )


def cbc_trap_instance() -> CoverageInstance:
    """max_coverage with a capacitated existing house (S0) that CBC's pre-processing calls
    infeasible, although keeping the existing sites is always a plan (checked when written).
    """
    return CoverageInstance(
        weight=np.array(
            [
                134.39267697587937,
                93.23179653905046,
                45.04322623411236,
                155.10535840588878,
                101.92490259975902,
            ]
        ),
        d=np.array(
            [
                [15.1, 5.2, 20.0],
                [6.8, 12.0, 13.9],
                [18.8, 2.2, 21.5],
                [11.6, 11.4, 16.0],
                [14.7, 6.9, 11.6],
            ]
        ),
        e=np.array([[0.0, 8.1, 12.95], [8.1, 0.0, 12.2], [12.95, 12.2, 0.0]]),
        cost_house=np.array([179000.0, 368000.0, 311000.0]),
        cost_antenne=np.array([51000.0, 23000.0, 51000.0]),
        can_house=np.ones(3, dtype=bool),
        can_antenne=np.ones(3, dtype=bool),
        existing_house=flags(0),
        existing_antenne=np.zeros(3, dtype=bool),
        forbidden=np.zeros(3, dtype=bool),
        budget=209574.38348029074,
        radius_house=np.full(5, 15.0),
        radius_frequent=np.full(5, 8.0),
        link_max=12.0,
        alpha=0.9373236627089154,
        families=np.array([89.13, 74.07, 30.07, 145.71, 75.82]),
        capacity=np.array([588.7, 515.4, 153.0]),
    )


def test_false_infeasible_verdict_does_not_blame_the_capacities() -> None:
    # CBC's pre-processing calls the model infeasible; the confirming run without it finds
    # the plan HiGHS finds (the two solvers agree on the optimum).
    instance = cbc_trap_instance()
    highs = solve_coverage(instance, spec("highs"))
    cbc = solve_coverage(instance, spec("cbc"))
    assert highs.result.proven_optimal
    assert cbc.result.proven_optimal
    assert cbc.coverage_objective == pytest.approx(highs.coverage_objective)
    assert sites(cbc.house) == sites(highs.house)
    assert sites(cbc.antenne) == sites(highs.antenne)
    assert "cbc without pre-processing found a plan" in cbc.result.remark
    # mclp on the same instance: one more house than the kept one is allowed
    mclp = solve_mclp(instance, 2, spec("cbc"))
    assert mclp.objective == pytest.approx(solve_mclp(instance, 2, spec("highs")).objective)


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_mclp_min_houses_above_p_names_the_rule(name: str) -> None:
    with pytest.raises(
        InfeasibleError, match=r"rules.min_houses = 2 does not admit objective.p = 1"
    ):
        solve_mclp(make(rules=PlanRules(min_houses=2)), 1, spec(name))
    # min_houses up to p is a rule the plan meets (mclp alone would open one house here).
    two = solve_mclp(
        make(weight=np.array([5.0, 0.0, 0.0, 0.0]), rules=PlanRules(min_houses=2)), 2, spec(name)
    )
    assert int(two.house.sum()) == 2


# --------------------------------------------------------------------------- capacities


def capacity_instance() -> CoverageInstance:
    """One site of capacity 50; A has 40 families of weight 1, B 30 of weight 2, both in reach."""
    return CoverageInstance(
        weight=np.array([40.0, 60.0]),
        d=np.array([[5.0], [5.0]]),
        e=np.zeros((1, 1)),
        cost_house=np.array([10.0]),
        cost_antenne=np.array([1.0]),
        can_house=np.ones(1, dtype=bool),
        can_antenne=np.zeros(1, dtype=bool),
        existing_house=np.zeros(1, dtype=bool),
        existing_antenne=np.zeros(1, dtype=bool),
        forbidden=np.zeros(1, dtype=bool),
        budget=100.0,
        radius_house=np.full(2, 10.0),
        radius_frequent=np.full(2, 10.0),
        link_max=10.0,
        alpha=1.0,
        families=np.array([40.0, 30.0]),
        capacity=np.array([50.0]),
    )


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_capacity_assigns_families_by_weight(name: str) -> None:
    # One site, capacity 50 families; A has 40 families of weight 1, B 30 of weight 2 (both
    # within R_H). Serving B fully (60) and 20 of A's 40 families (20) beats the reverse.
    instance = capacity_instance()
    solution = solve_coverage(instance, spec(name))
    assert solution.served is not None
    assert solution.served.tolist() == pytest.approx([0.5, 1.0])
    assert solution.coverage_objective == pytest.approx(80.0)
    assert solution.result.proven_optimal
    assert solution.figures["families_served_share"] == pytest.approx(50.0 / 70.0, abs=1e-6)
    assert solution.assign is not None
    assert solution.assign.tolist() == [0, 0]
    # Every family must be served within R_H: no plan.
    with pytest.raises(InfeasibleError, match="capacities"):
        solve_set_cover(instance, spec(name), single=True)


def test_capacitated_pmedian_hand() -> None:
    # Three points of demand 1, two sites of capacity 2; d to S0 is 1, to S1 is 5.
    d = np.array([[1.0, 5.0], [1.0, 5.0], [1.0, 5.0]])
    demand = np.ones(3)
    capacity = np.full(2, 2.0)
    with pytest.raises(InfeasibleError, match="capacities"):
        solve_capacitated_pmedian(d, demand, capacity, 1, solver=spec())
    two_sites = solve_capacitated_pmedian(d, demand, capacity, 2, solver=spec())
    assert two_sites.objective == pytest.approx(7.0)
    assert sorted(two_sites.assign.tolist()) == [0, 0, 1]
    assert two_sites.result.proven_optimal


def test_capacitated_pmedian_start_returned_as_unproven_optimum(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # HiGHS may hand back the MIP start as "optimal" with a bound far from it (seen: bound 180
    # for a plan worth 609); the shared solve layer solves again without the start, so the
    # capacitated p-median proves its optimum like the coverage models do.
    calls = start_returned_as_optimum(monkeypatch)
    d = np.array([[1.0, 5.0, 9.0], [1.0, 5.0, 9.0], [8.0, 2.0, 3.0], [9.0, 6.0, 1.0]])
    solution = solve_capacitated_pmedian(d, np.ones(4), np.full(3, 2.0), 2, solver=spec())
    assert calls[0] is True  # the start was offered
    assert calls[-1] is False  # and the proof came from a run without it
    assert solution.result.proven_optimal
    assert solution.objective == pytest.approx(1 + 1 + 3 + 1)  # {S0, S2}: S2 holds C and D
    assert sites(solution.open) == [0, 2]
    assert "solved again without the start" in solution.result.remark


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_infeasible_verdict_says_what_confirmed_it(name: str) -> None:
    how = "cbc without pre-processing" if name == "cbc" else "highs without presolve"
    # three points of 1.2 families, two sites of 2: 3.6 fits in total, no two fit in one site
    d = np.array([[1.0, 5.0], [1.0, 5.0], [1.0, 5.0]])
    with pytest.raises(InfeasibleError, match=rf"can meet the capacities.*\(confirmed by {how}\)"):
        solve_capacitated_pmedian(d, np.full(3, 1.2), np.full(2, 2.0), 2, solver=spec(name))
    rules = PlanRules(min_houses=2, house_spacing_min=30.0)
    with pytest.raises(InfeasibleError, match=rf"\({name}'s verdict confirmed by {how}\)"):
        solve_coverage(make(budget=250.0, rules=rules), spec(name))


@pytest.mark.skipif(not CPMP.is_dir(), reason=f"the benchmarks are not in {CPMP}")
@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_cpmp01_to_its_optimum(name: str) -> None:
    from planner.data.instances import read_cpmp  # noqa: PLC0415

    instance = read_cpmp(CPMP / "cpmp01.txt")
    assert (instance.n, instance.p) == (50, 5)
    solution = solve_capacitated_pmedian(
        instance.d,
        instance.demand,
        instance.capacity,
        instance.p,
        solver=spec(name, time_limit_s=120),
    )
    assert solution.objective == pytest.approx(713.0)
    assert solution.result.proven_optimal
    load = np.bincount(solution.assign, weights=instance.demand, minlength=instance.n)
    assert np.all(load <= instance.capacity + 1e-9)


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_capacitated_pmedian_time_limit_is_not_proven(name: str) -> None:
    # 160 points, p = 12, capacities holding 114 % of the demand: not proven in 2 s.
    rng = np.random.default_rng(3)
    n = 160
    xy = rng.random((n, 2)) * 100
    d = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(axis=2))
    demand = rng.integers(1, 20, n).astype(float)
    capacity = np.full(n, 150.0)
    message = ""
    try:
        solution = solve_capacitated_pmedian(
            d, demand, capacity, 12, solver=spec(name, time_limit_s=2.0)
        )
    except SolverError as error:
        message = str(error)
    if message:
        assert "before finding" in message
        return
    result = solution.result
    assert not result.proven_optimal
    assert result.status == "feasible"
    assert np.all(np.bincount(solution.assign, weights=demand, minlength=n) <= capacity)
    if result.bound is None:  # stopped before the root bound (a loaded machine): no gap
        assert result.gap is None
        return
    assert result.gap is not None
    assert 0.0 < result.gap <= 1.0
    assert result.bound <= solution.objective


# --------------------------------------------------------------------------- rules


def test_rules_change_the_max_coverage_plan() -> None:
    # Budget 200 (two houses), alpha 1: the best pair is S1 + S2 (90).
    assert sites(solve_coverage(make(budget=200.0), spec()).house) == [1, 2]
    # Required S0: S0 + S2 (80).
    required = make(budget=200.0, rules=PlanRules(required_house=flags(0)))
    assert sites(solve_coverage(required, spec()).house) == [0, 2]
    # Houses 11 minutes apart: S0 + S2 again.
    spaced = make(budget=200.0, rules=PlanRules(house_spacing_min=11.0))
    assert sites(solve_coverage(spaced, spec()).house) == [0, 2]
    # A house in the west group (S0 only): S0 + S2.
    group = GroupRule(
        name="rules.house_per_group[0] (wijk)", groups=("west",), member=flags(0)[None]
    )
    grouped = make(budget=200.0, rules=PlanRules(house_groups=(group,)))
    assert sites(solve_coverage(grouped, spec()).house) == [0, 2]
    # At most one house.
    capped = make(budget=200.0, rules=PlanRules(max_houses=1))
    assert sites(solve_coverage(capped, spec()).house) == [1]
    # At least three houses: budget 300 buys them; alpha = 1 would stop at coverage 100 anyway.
    counted = make(
        budget=300.0, weight=np.array([10.0, 20.0, 0.0, 40.0]), rules=PlanRules(min_houses=3)
    )
    assert sites(solve_coverage(counted, spec()).house) == [0, 1, 2]
    # Universal floor with a budget for three houses: all three are needed (A, B, C).
    floor = make(budget=300.0, alpha=0.0, rules=PlanRules(universal_floor=True))
    assert sites(solve_coverage(floor, spec()).house) == [0, 1, 2]


def test_antenne_counts() -> None:
    # alpha 0, unlimited budget: every site wants a frequent service (A by S0, B by S1, C by S2).
    free = solve_coverage(make(budget=INF, alpha=0.0), spec())
    assert len(sites(free.house)) + len(sites(free.antenne)) == 3
    capped = make(budget=INF, alpha=0.0, rules=PlanRules(max_antennes=0))
    solution = solve_coverage(capped, spec())
    assert not solution.antenne.any()
    assert sites(solution.house) == [0, 1, 2]
    with pytest.raises(DataError, match="places houses only"):
        solve_mclp(make(rules=PlanRules(min_antennes=1)), 1, spec())


@pytest.mark.parametrize(
    ("rules", "budget", "needle"),
    [
        (PlanRules(required_house=flags(0, 1), max_houses=1), 200.0, "rules.max_houses allows 1"),
        (PlanRules(min_houses=4), 1000.0, "rules.min_houses asks for 4 houses, but only 3"),
        (PlanRules(universal_floor=True), 100.0, r"the budget \(EUR 100\)"),
        (PlanRules(min_houses=2), 100.0, r"rules.min_houses = 2"),
        (
            PlanRules(required_house=flags(0, 1), house_spacing_min=11.0),
            1000.0,
            r"rules.house_spacing_min: the kept or required houses S0-S1",
        ),
        (PlanRules(required_house=flags(0, 1, 2)), 250.0, "required sites .* cost EUR 300"),
    ],
)
def test_infeasible_rules_are_named(rules: PlanRules, budget: float, needle: str) -> None:
    with pytest.raises(InfeasibleError, match=needle):
        solve_coverage(make(budget=budget, rules=rules), spec())


def test_group_without_any_site_is_named() -> None:
    group = GroupRule(
        name="rules.house_per_group[0] (wijk)",
        groups=("noord", "zuid"),
        member=np.zeros((2, 3), bool),
    )
    with pytest.raises(
        InfeasibleError, match=r"house_per_group\[0\] \(wijk\).*2 group\(s\) \(noord, zuid\)"
    ):
        solve_coverage(make(rules=PlanRules(house_groups=(group,))), spec())


def test_floor_names_unreachable_sectors() -> None:
    radius = np.array([15.0, 15.0, 15.0, 10.0])  # D: no site within 10 minutes
    instance = make(radius_house=radius, rules=PlanRules(universal_floor=True), budget=INF)
    with pytest.raises(InfeasibleError, match=r"rules.universal_floor: 1 sectors .*: D"):
        solve_coverage(instance, spec())
    solution = solve_coverage(instance, spec(), skip_unreachable=True)
    assert solution.covered_house[:3].all()


def test_rules_shape_is_checked() -> None:
    with pytest.raises(DataError, match="required_house"):
        make(rules=PlanRules(required_house=np.ones(2, dtype=bool)))
    with pytest.raises(DataError, match=r"larger than rules\.max_houses"):
        PlanRules(min_houses=3, max_houses=2)


# --------------------------------------------------------------------------- brute force


def random_instance(seed: int, *, n_j: int = 5) -> CoverageInstance:
    rng = np.random.default_rng(1000 + seed)
    n_i = int(rng.integers(5, 10))
    d = rng.uniform(0, 22, (n_i, n_j)).round(1)
    d[rng.random(d.shape) < 0.05] = INF
    e = rng.uniform(0, 30, (n_j, n_j)).round(1)
    e = np.minimum(e, e.T)
    np.fill_diagonal(e, 0.0)
    weight = rng.integers(1, 100, n_i).astype(float)
    weight[rng.random(n_i) < 0.15] = 0.0
    role = rng.choice(3, size=n_j, p=[0.8, 0.1, 0.1])
    rules = PlanRules(
        required_house=(rng.random(n_j) < 0.08) & (role == 0),
        min_houses=int(rng.choice([1, 2])) if rng.random() < 0.3 else None,
        max_houses=int(rng.choice([2, 3])) if rng.random() < 0.3 else None,
        max_antennes=int(rng.choice([0, 1, 2])) if rng.random() < 0.3 else None,
        universal_floor=bool(rng.random() < 0.2),
        house_spacing_min=float(rng.choice([4.0, 8.0])) if rng.random() < 0.3 else None,
        house_groups=(
            (
                GroupRule(
                    name="rules.house_per_group[0] (g)",
                    groups=("g0", "g1"),
                    member=np.vstack([np.arange(n_j) % 2 == 0, np.arange(n_j) % 2 == 1]),
                ),
            )
            if rng.random() < 0.3
            else ()
        ),
    )
    return CoverageInstance(
        weight=weight,
        d=d,
        e=e,
        cost_house=rng.integers(3, 11, n_j) * 10.0,
        cost_antenne=rng.integers(1, 5, n_j) * 10.0,
        can_house=rng.random(n_j) < 0.9,
        can_antenne=rng.random(n_j) < 0.85,
        existing_house=role == 1,
        existing_antenne=role == 2,
        forbidden=(rng.random(n_j) < 0.05) & (role == 0),
        budget=float(rng.choice([100.0, 200.0, 300.0, INF])),
        radius_house=np.full(n_i, 16.0),
        radius_frequent=np.full(n_i, 12.0),
        link_max=float(rng.choice([10.0, 20.0])),
        alpha=(0.0, 0.5, 1.0)[seed % 3],
        keep_existing=bool(rng.random() < 0.7),
        families=weight / 2.0,
        rules=rules,
    )


def brute_force(inst: CoverageInstance, form: Any) -> dict[str, np.ndarray]:
    """Every plan (closed / house / antenne per site), written independently of the model."""
    n_j = inst.n_sites
    roles_per_site = 3 if form.antennes else 2
    roles = np.array(list(itertools.product(range(roles_per_site), repeat=n_j)))
    H, A = roles == 1, roles == 2
    if not form.antennes:  # kept existing antennes stay antennes, outside the model
        carried = inst.existing_antenne & inst.keep_existing
        A = np.broadcast_to(carried & ~H, H.shape)
    house_ok = (inst.can_house | inst.existing_house) & ~inst.forbidden
    antenne_ok = (inst.can_antenne | inst.existing_antenne) & ~inst.forbidden
    ok = ~(H & ~house_ok).any(axis=1)
    if form.antennes:
        ok &= ~(A & ~antenne_ok).any(axis=1)
    if inst.keep_existing:
        ok &= (H | ~inst.existing_house).all(axis=1) & (A | ~inst.existing_antenne).all(axis=1)
    rules = inst.rules
    ok &= (H | ~rules.house_required(n_j)).all(axis=1)
    cost = (H & ~inst.existing_house) @ inst.cost_house + (
        A & ~inst.existing_antenne
    ) @ np.nan_to_num(inst.cost_antenne)
    if form.budget:
        ok &= cost <= inst.budget
    if form.antennes:
        links = np.isfinite(inst.e) & (inst.e <= inst.link_max) & ~np.eye(n_j, dtype=bool)
        has_house = (H.astype(int) @ links.T.astype(int)) > 0
        ok &= ~(A & ~has_house).any(axis=1)
    ok &= rules_ok(inst, form, H, A)
    reach_h = np.isfinite(inst.d) & (inst.d <= inst.radius_house[:, None])
    reach_a = np.isfinite(inst.d) & (inst.d <= inst.radius_frequent[:, None])
    cover_h = (H.astype(int) @ reach_h.T.astype(int)) > 0
    cover_a = ((H | A).astype(int) @ reach_a.T.astype(int)) > 0
    needs = inst.family_counts() > 0
    if form.cover_house or rules.universal_floor:
        ok &= (cover_h | ~needs).all(axis=1)
    if form.cover_frequent:
        ok &= (cover_a | ~needs).all(axis=1)
    alpha = inst.alpha if form.antennes else 1.0
    value = cover_h @ (alpha * inst.weight) + cover_a @ ((1 - alpha) * inst.weight)
    return {"roles": roles, "ok": ok, "value": value, "cost": cost}


def rules_ok(inst: CoverageInstance, form: Any, H: np.ndarray, A: np.ndarray) -> np.ndarray:
    """Plans meeting the counts, spacing and group rules."""
    rules = inst.rules
    n_j = inst.n_sites
    n_h = H.sum(axis=1)
    max_h = min(v for v in (rules.max_houses, form.p, 10**9) if v is not None)
    ok = (n_h >= (rules.min_houses or 0)) & (n_h <= max_h)
    if form.antennes and rules.max_antennes is not None:
        ok &= A.sum(axis=1) <= rules.max_antennes
    if rules.house_spacing_min:
        close = (np.minimum(inst.e, inst.e.T) < rules.house_spacing_min) & ~np.eye(n_j, dtype=bool)
        ok &= ~np.einsum("pj,jk,pk->p", H.astype(int), close.astype(int), H.astype(int)).astype(
            bool
        )
    for rule in rules.house_groups:
        ok &= ((H.astype(int) @ rule.member.T.astype(int)) > 0).all(axis=1)
    return ok


FORMS = {
    "max_coverage": MAX_COVERAGE,
    "set_cover": SET_COVER,
    "set_cover_single": SET_COVER_SINGLE,
    "mclp": mclp_form(2),
}


def solve_by_form(instance: CoverageInstance, form_name: str, name: str) -> Any:
    if form_name == "max_coverage":
        return solve_coverage(instance, spec(name))
    if form_name == "mclp":
        return solve_mclp(instance, 2, spec(name))
    return solve_set_cover(instance, spec(name), single=form_name == "set_cover_single")


@pytest.mark.parametrize("form_name", list(FORMS))
@pytest.mark.parametrize("seed", range(16))
def test_brute_force_coverage_family(form_name: str, seed: int) -> None:
    name = SOLVER_NAMES[seed % 2]
    form = FORMS[form_name]
    instance = random_instance(seed)
    if not form.antennes:  # antenne counts are for the hierarchical models only
        rules = dataclasses.replace(instance.rules, max_antennes=None)
        instance = dataclasses.replace(instance, rules=rules)
    enumerated = brute_force(instance, form)
    ok = enumerated["ok"]
    if not ok.any():
        with pytest.raises(InfeasibleError):
            solve_by_form(instance, form_name, name)
        return
    solution = solve_by_form(instance, form_name, name)
    assert solution.result.proven_optimal
    assert not plan_problems(instance, solution.house, solution.antenne, form)
    if form.objective == "coverage":
        best = enumerated["value"][ok].max()
        if form.antennes:
            assert solution.coverage_objective == pytest.approx(best, abs=1e-6)
        else:
            assert solution.figures["covered_weight"] == pytest.approx(best, abs=1e-6)
        # the cheapest of the best-covering plans
        tied = ok & (enumerated["value"] >= best - 1e-9)
        assert solution.cost == pytest.approx(enumerated["cost"][tied].min())
    else:
        assert solution.cost == pytest.approx(enumerated["cost"][ok].min())


@pytest.mark.parametrize("form_name", ["max_coverage", "mclp"])
@pytest.mark.parametrize("seed", range(12))
def test_brute_force_tie_break_is_exact_below_solver_tolerance(
    form_name: str, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The cost term 1e-12 of the smallest coverage weight: far below every solver tolerance,
    # as it gets with many sectors. The second, lexicographic solve still returns the cheapest
    # of the best-covering plans, and says so.
    monkeypatch.setattr(build_module, "EPS_FRACTION", 1e-12)
    form = FORMS[form_name]
    instance = random_instance(seed)
    if not form.antennes:
        instance = dataclasses.replace(
            instance, rules=dataclasses.replace(instance.rules, max_antennes=None)
        )
    enumerated = brute_force(instance, form)
    ok = enumerated["ok"]
    if not ok.any():
        return
    solution = solve_by_form(instance, form_name, SOLVER_NAMES[seed % 2])
    best = enumerated["value"][ok].max()
    tied = ok & (enumerated["value"] >= best - 1e-9)
    assert solution.cost == pytest.approx(enumerated["cost"][tied].min())
    assert solution.result.proven_optimal
    assert solution.tie_break_exact is True
    assert solution.result.options["tie_break"] == "exact"


def useless_antenne_instance() -> CoverageInstance:
    """A kept house S0; a house at S2 is needed (only it reaches C); an antenne at S1 brings
    A's frequent services, which the house at S2 brings too. The greedy start opens S1 first
    (best gain per euro), then S2: S1 becomes useless, EUR 62,000 for nothing.
    """
    return CoverageInstance(
        weight=np.array([100.0, 10.0, 10.0, 0.01]),
        d=np.array([[12.0, 5.0, 6.0], [12.0, 30.0, 7.0], [30.0, 30.0, 10.0], [30.0, 30.0, 7.0]]),
        e=np.array([[0.0, 5.0, 10.0], [5.0, 0.0, 10.0], [10.0, 10.0, 0.0]]),
        cost_house=np.array([0.0, 300e3, 300e3]),
        cost_antenne=np.full(3, 62e3),
        can_house=np.array([True, False, True]),
        can_antenne=np.array([False, True, True]),
        existing_house=flags(0),
        existing_antenne=np.zeros(3, dtype=bool),
        forbidden=np.zeros(3, dtype=bool),
        budget=400e3,
        radius_house=np.full(4, 15.0),
        radius_frequent=np.full(4, 8.0),
        link_max=12.0,
        alpha=0.5,
    )


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_useless_antenne_is_dropped_when_the_tie_break_is_below_tolerance(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With the cost term below the solver's tolerance HiGHS returned the start {S1, S2} as
    # proven optimal; the cheaper plan {S2} reaches the same families.
    monkeypatch.setattr(build_module, "EPS_FRACTION", 1e-12)
    solution = solve_coverage(useless_antenne_instance(), spec(name))
    assert sites(solution.house) == [0, 2]
    assert sites(solution.antenne) == []
    assert solution.cost == 300e3
    assert solution.coverage_objective == pytest.approx(115.01)
    assert solution.result.proven_optimal
    assert solution.tie_break_exact is True


def test_brute_force_seeds_are_not_trivial() -> None:
    feasible = [
        int(brute_force(random_instance(seed), FORMS[form])["ok"].sum())
        for seed in range(16)
        for form in FORMS
    ]
    assert 0 in feasible
    assert sum(count >= 3 for count in feasible) >= 36


def capacitated_instance(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    rng = np.random.default_rng(2000 + seed)
    n, m = 6, 4
    d = rng.integers(1, 30, (n, m)).astype(float)
    d[rng.random(d.shape) < 0.1] = INF
    demand = rng.integers(1, 6, n).astype(float)
    capacity = rng.integers(4, 14, m).astype(float)
    return d, demand, capacity, int(rng.choice([1, 2, 3]))


def brute_capacitated(
    d: np.ndarray, demand: np.ndarray, capacity: np.ndarray, p: int, weight: np.ndarray
) -> float:
    best = INF
    n, m = d.shape
    for open_sites in itertools.combinations(range(m), p):
        for assignment in itertools.product(open_sites, repeat=n):
            load = np.bincount(assignment, weights=demand, minlength=m)
            if np.any(load > capacity):
                continue
            cost = float(sum(weight[i] * d[i, j] for i, j in enumerate(assignment)))
            best = min(best, cost)
    return best


@pytest.mark.parametrize("seed", range(12))
def test_brute_force_capacitated_pmedian(seed: int) -> None:
    d, demand, capacity, p = capacitated_instance(seed)
    weight = np.arange(1, d.shape[0] + 1, dtype=float)
    best = brute_capacitated(d, demand, capacity, p, weight)
    name = SOLVER_NAMES[seed % 2]
    if not np.isfinite(best):
        with pytest.raises(InfeasibleError):
            solve_capacitated_pmedian(d, demand, capacity, p, weight=weight, solver=spec(name))
        return
    solution = solve_capacitated_pmedian(d, demand, capacity, p, weight=weight, solver=spec(name))
    assert solution.objective == pytest.approx(best)
    assert solution.result.proven_optimal
    assert int(solution.open.sum()) == p


def test_capacitated_brute_force_seeds_are_not_trivial() -> None:
    values = [brute_capacitated(*capacitated_instance(seed), np.ones(6)) for seed in range(12)]
    assert any(not np.isfinite(v) for v in values)
    assert sum(np.isfinite(v) for v in values) >= 8


@pytest.mark.parametrize("seed", range(24))
def test_brute_force_pmedian_and_pcenter_with_rules(seed: int) -> None:
    instance = random_instance(seed, n_j=6)
    instance = dataclasses.replace(
        instance,
        rules=dataclasses.replace(
            instance.rules, min_houses=None, max_houses=None, max_antennes=None
        ),
    )
    p = 2 + seed % 2
    fixed = (instance.existing_house & instance.keep_existing) | instance.rules.house_required(6)
    allowed = np.isfinite(instance.new_house_cost())
    allowed &= ~(instance.existing_antenne & instance.keep_existing)
    demand = np.flatnonzero(
        (instance.family_counts() > 0) & np.isfinite(instance.d[:, allowed]).any(axis=1)
    )
    d = instance.d[demand]
    close = (
        np.minimum(instance.e, instance.e.T) < (instance.rules.house_spacing_min or 0)
    ) & ~np.eye(6, dtype=bool)
    reach = (np.isfinite(instance.d) & (instance.d <= instance.radius_house[:, None]))[demand]
    # objective.unreachable: skip leaves out of the floor the sectors no allowed site reaches
    floor_rows = (reach & (allowed | fixed)[np.newaxis, :]).any(axis=1)
    best_median, best_center = INF, INF
    skip_median, skip_center = INF, INF
    for combo in itertools.combinations(range(6), p):
        chosen = np.zeros(6, dtype=bool)
        chosen[list(combo)] = True
        if (
            (chosen & ~allowed).any()
            or (fixed & ~chosen).any()
            or (close & np.outer(chosen, chosen)).any()
        ):
            continue
        if any(
            not (rule.member[:, chosen]).any(axis=1).all() for rule in instance.rules.house_groups
        ):
            continue
        floored = reach[:, chosen].any(axis=1)
        if instance.rules.universal_floor and not floored[floor_rows].all():
            continue
        nearest = d[:, chosen].min(axis=1)
        if not np.isfinite(nearest).all():
            continue
        skip_median = min(skip_median, float(instance.weight[demand] @ nearest))
        skip_center = min(skip_center, float(nearest.max()))
        if instance.rules.universal_floor and not floored.all():
            continue
        best_median = min(best_median, float(instance.weight[demand] @ nearest))
        best_center = min(best_center, float(nearest.max()))
    for skip, median_value, center_value in (
        (False, best_median, best_center),
        (True, skip_median, skip_center),
    ):
        if not np.isfinite(median_value):
            # a rule no plan meets is named: never "the solver returned a plan that breaks a rule"
            with pytest.raises(InfeasibleError):
                solve_pmedian_plan(instance, p, spec(), skip_unreachable=skip)
            with pytest.raises(InfeasibleError):
                solve_pcenter_plan(instance, p, spec(), skip_unreachable=skip)
            continue
        median = solve_pmedian_plan(instance, p, spec(), skip_unreachable=skip)
        assert median.result.objective == pytest.approx(median_value)
        assert median.result.proven_optimal
        center = solve_pcenter_plan(instance, p, spec("cbc"), skip_unreachable=skip)
        assert center.result.objective == pytest.approx(center_value)
        assert center.result.proven_optimal


# --------------------------------------------------------------------------- capacity brute force


def best_capacitated_cover(inst: CoverageInstance) -> float:
    """Cheapest house set serving every family within R_H and capacity (linprog feasibility)."""
    n_i, n_j = inst.d.shape
    reach = np.isfinite(inst.d) & (inst.d <= inst.radius_house[:, None])
    families = inst.family_counts()
    best = INF
    for mask in itertools.product([False, True], repeat=n_j):
        chosen = np.array(mask)
        if (chosen & ~np.isfinite(inst.new_house_cost())).any():
            continue
        pairs = [(i, j) for i in range(n_i) for j in range(n_j) if reach[i, j] and chosen[j]]
        needs = families > 0
        if any(not any(i == a for a, _ in pairs) for i in np.flatnonzero(needs)):
            continue
        a_eq = np.zeros((int(needs.sum()), len(pairs)))
        rows = {i: k for k, i in enumerate(np.flatnonzero(needs))}
        a_ub = np.zeros((n_j, len(pairs)))
        for k, (i, j) in enumerate(pairs):
            if i in rows:
                a_eq[rows[i], k] = 1.0
            a_ub[j, k] = families[i]
        finite = np.isfinite(inst.capacity)
        result = linprog(
            np.zeros(len(pairs)),
            A_ub=a_ub[finite],
            b_ub=inst.capacity[finite],
            A_eq=a_eq,
            b_eq=np.ones(a_eq.shape[0]),
            bounds=(0, 1),
        )
        if result.status == 0:
            best = min(best, float(inst.cost_house[chosen].sum()))
    return best


@pytest.mark.parametrize("seed", range(8))
def test_brute_force_capacitated_set_cover(seed: int) -> None:
    rng = np.random.default_rng(3000 + seed)
    n_i, n_j = 6, 4
    instance = CoverageInstance(
        weight=np.ones(n_i),
        d=rng.uniform(0, 20, (n_i, n_j)).round(1),
        e=np.zeros((n_j, n_j)),
        cost_house=rng.integers(1, 10, n_j) * 10.0,
        cost_antenne=np.full(n_j, 1.0),
        can_house=np.ones(n_j, dtype=bool),
        can_antenne=np.zeros(n_j, dtype=bool),
        existing_house=np.zeros(n_j, dtype=bool),
        existing_antenne=np.zeros(n_j, dtype=bool),
        forbidden=np.zeros(n_j, dtype=bool),
        budget=INF,
        radius_house=np.full(n_i, 15.0),
        radius_frequent=np.full(n_i, 15.0),
        link_max=10.0,
        families=rng.integers(1, 10, n_i).astype(float),
        capacity=rng.integers(5, 25, n_j).astype(float),
    )
    best = best_capacitated_cover(instance)
    if not np.isfinite(best):
        with pytest.raises(InfeasibleError):
            solve_set_cover(instance, spec(), single=True)
        return
    solution = solve_set_cover(instance, spec(), single=True)
    assert solution.cost == pytest.approx(best)
    assert solution.served is not None
    assert solution.served[instance.family_counts() > 0] == pytest.approx(1.0)


def test_site_constraints_reject_bad_shapes() -> None:
    with pytest.raises(DataError, match=r"rules\.cover"):
        solve_capacitated_pmedian(
            np.ones((2, 2)),
            np.ones(2),
            np.full(2, 5.0),
            1,
            rules=SiteConstraints(cover=np.ones((3, 2), dtype=bool)),
            solver=spec(),
        )


# --------------------------------------------------------------------------- what it takes


def group_instance(seed: int) -> CoverageInstance:
    """A random instance with a random house_in rule (two or three groups) and nothing else."""
    base = random_instance(seed)
    rng = np.random.default_rng(5000 + seed)
    n_j = base.n_sites
    n_g = int(rng.integers(2, 4))
    member = rng.random((n_g, n_j)) < 0.4
    member[np.arange(n_g), rng.integers(0, n_j, n_g)] = True  # every group has a site
    rule = GroupRule(
        name="rules.house_in[0] (wijk)", groups=tuple(f"w{g}" for g in range(n_g)), member=member
    )
    required = base.rules.house_required(n_j)
    return dataclasses.replace(
        base, rules=PlanRules(required_house=required, house_groups=(rule,)), capacity=None
    )


def brute_group_budget(inst: CoverageInstance) -> float | None:
    """The least cost of houses that give every group a house, by enumeration."""
    cost = inst.new_house_cost()
    keep = inst.keep_existing
    if keep:
        cost = np.where(inst.existing_antenne, np.inf, cost)
    fixed = inst.rules.house_required(inst.n_sites) | (inst.existing_house & keep)
    member = inst.rules.house_groups[0].member
    best: float | None = None
    for bits in itertools.product([False, True], repeat=inst.n_sites):
        house = np.array(bits)
        if (fixed & ~house).any() or not np.isfinite(cost[house]).all():
            continue
        if not (member & house[np.newaxis, :]).any(axis=1).all():
            continue
        total = float(cost[house].sum())
        best = total if best is None else min(best, total)
    return best


@pytest.mark.parametrize("seed", range(16))
def test_brute_force_group_budget(seed: int) -> None:
    inst = group_instance(seed)
    expected = brute_group_budget(inst)
    found = group_budget(inst, spec())
    if expected is None:
        assert found is None
        return
    assert found is not None
    least, house = found
    assert least == pytest.approx(expected)
    assert (inst.rules.house_groups[0].member & house[np.newaxis, :]).any(axis=1).all()
    # with exactly that budget the house_in rule holds in the max_coverage model
    enough = dataclasses.replace(inst, budget=least)
    stuck = inst.keep_existing and inst.existing_antenne.any()  # a kept antenne needs a house
    if not stuck:
        plan = solve_coverage(enough, spec())
        assert plan.cost <= least + 1e-6
        assert (inst.rules.house_groups[0].member & plan.house[np.newaxis, :]).any(axis=1).all()


# --------------------------------------------------------------------------- co-location value


@pytest.mark.parametrize("seed", range(16))
def test_brute_force_colocation_value(seed: int) -> None:
    """Coverage plus a value per open co-located site, against every plan enumerated."""
    instance = dataclasses.replace(random_instance(seed), capacity=None)
    rng = np.random.default_rng(7000 + seed)
    value = np.where(rng.random(instance.n_sites) < 0.5, rng.integers(5, 120, instance.n_sites), 0)
    value = value.astype(float)
    enumerated = brute_force(instance, MAX_COVERAGE)
    ok = enumerated["ok"]
    if not ok.any():
        with pytest.raises(InfeasibleError):
            solve_with_site_values(instance, value, spec(SOLVER_NAMES[seed % 2]))
        return
    H, A = enumerated["roles"] == 1, enumerated["roles"] == 2
    alpha = instance.alpha
    credit = (alpha * H + (1 - alpha) * (H | A)) @ value
    total = enumerated["value"] + credit
    solution = solve_with_site_values(instance, value, spec(SOLVER_NAMES[seed % 2]))
    assert solution.result.proven_optimal
    assert solution.objective == pytest.approx(total[ok].max(), abs=1e-6)
    assert solution.figures["colocation_value"] == pytest.approx(
        site_value(value, solution.house, solution.antenne, alpha), abs=1e-6
    )
    assert solution.coverage_objective == pytest.approx(
        solution.objective - solution.figures["colocation_value"], abs=1e-5
    )
    assert solution.covered_house.shape == (instance.n_sectors,)


def test_colocation_value_by_hand() -> None:
    """Two sites, one sector next to site 0; site 1 (far) is a school worth 30 families."""
    instance = CoverageInstance(
        weight=np.array([20.0]),
        d=np.array([[1.0, 50.0]]),
        e=np.array([[0.0, 5.0], [5.0, 0.0]]),
        cost_house=np.array([100.0, 100.0]),
        cost_antenne=np.array([10.0, 10.0]),
        can_house=np.array([True, True]),
        can_antenne=np.array([True, True]),
        existing_house=np.array([False, False]),
        existing_antenne=np.array([False, False]),
        forbidden=np.array([False, False]),
        budget=100.0,
        radius_house=np.array([10.0]),
        radius_frequent=np.array([5.0]),
        link_max=10.0,
        alpha=0.5,
    )
    plain = solve_coverage(instance, spec())
    assert plain.house.tolist() == [True, False]  # 20 families reached
    worth = np.array([0.0, 30.0])
    valued = solve_with_site_values(instance, worth, spec())
    assert valued.house.tolist() == [False, True]  # the school's 30 beat the 20 families
    assert valued.objective == pytest.approx(30.0)
    assert valued.coverage_objective == pytest.approx(0.0)
    # budget for the house and an antenne: antenne at 0 reaches the frequent half (10)
    both = dataclasses.replace(instance, budget=110.0)
    valued = solve_with_site_values(both, worth, spec())
    assert valued.house.tolist() == [False, True]
    assert valued.antenne.tolist() == [True, False]
    assert valued.objective == pytest.approx(30.0 + 10.0)
