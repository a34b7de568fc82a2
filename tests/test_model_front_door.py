"""The models' front door, each kind's own objective apart from the tie-break, numpy counts."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

import planner.model
from planner.errors import DataError, InfeasibleError
from planner.model import (
    CoverageSolution,
    PlanRules,
    check_facility_inputs,
    mclp_form,
    solve_capacitated_pmedian,
    solve_coverage,
    solve_mclp,
    solve_pcenter,
    solve_pcenter_plan,
    solve_pmedian,
    solve_pmedian_plan,
    solve_set_cover,
)
from tests.conftest import ROOT, SOLVER_NAMES, solver_spec
from tests.test_architecture import imports_of
from tests.test_architecture import modules as package_modules
from tests.test_catalogue import capacity_instance, two
from tests.test_model import WEIGHT, D, flags, make, sites

if TYPE_CHECKING:
    from planner.scenario import SolverSpec

MODEL = ROOT / "planner" / "model"


def spec(name: str = "highs", **kwargs: Any) -> SolverSpec:
    return solver_spec(name, **kwargs)


# --------------------------------------------------------------------------- front door


def test_front_door_exports_every_kind() -> None:
    names = set(planner.model.__all__)
    for name in names:
        assert hasattr(planner.model, name), name
    expected = {
        "CoverageInstance",
        "CoverageSolution",
        "FacilitySolution",
        "PlanRules",
        "GroupRule",
        "solve_coverage",
        "solve_form",
        "solve_set_cover",
        "solve_mclp",
        "solve_pmedian",
        "solve_pcenter",
        "solve_capacitated_pmedian",
        "solve_pmedian_plan",
        "solve_pcenter_plan",
    }
    assert expected <= names


def test_optimise_imports_the_models_from_the_front_door_only() -> None:
    path = ROOT / "planner" / "optimise.py"
    modules = {imp.target for imp in imports_of(path, set(package_modules()))}
    assert "planner.model" in modules
    assert not [m for m in modules if m.startswith("planner.model.")]


def test_coverage_names_stay_where_they_were() -> None:
    coverage = importlib.import_module("planner.model.coverage")
    for name in ("CoverageInstance", "MAX_COVERAGE", "run_model", "stopped_by_time_limit"):
        assert hasattr(coverage, name), name


# --------------------------------------------------------------------------- objectives


def _consistent(solution: CoverageSolution) -> None:
    """The solver's objective is the model's own objective plus the tie-break term."""
    assert solution.result.objective is not None
    assert solution.result.objective == pytest.approx(
        solution.objective + solution.tie_break, abs=1e-6
    )


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_max_coverage_objective_is_the_weighted_coverage(name: str) -> None:
    # alpha = 1, one house: S1 reaches B + D = 20 + 40 = 60. The tie-break is
    # -eps * cost / C with eps = 1e-3 * 10 (the smallest weight) and C = min(budget 100, most
    # spent 3 x 100) = 100: -0.01 * 100 / 100 = -0.01.
    one = solve_coverage(make(budget=100.0), spec(name))
    assert sites(one.house) == [1]
    assert one.objective == pytest.approx(60.0)
    assert one.objective == one.coverage_objective
    assert one.tie_break == pytest.approx(-0.01)
    _consistent(one)
    # Two houses S1 + S2 reach B, C, D = 90 for EUR 200; C = min(250, 300) = 250.
    pair = solve_coverage(make(budget=250.0), spec(name))
    assert pair.objective == pytest.approx(90.0)
    assert pair.tie_break == pytest.approx(-0.01 * 200.0 / 250.0)
    _consistent(pair)


def test_max_coverage_objective_with_alpha_and_capacity() -> None:
    # alpha = 0.5, budget for one house: S1 -> 0.5 * (B + D) + 0.5 * B = 30 + 10 = 40 beats
    # S0 -> 0.5 * 50 + 0.5 * 10 = 30 and S2 -> 0.5 * 30 + 0.5 * 30 = 30.
    mixed = solve_coverage(make(alpha=0.5), spec())
    assert sites(mixed.house) == [1]
    assert mixed.objective == pytest.approx(40.0)
    _consistent(mixed)
    # One site of capacity 50: all 30 families of B (weight 60) and 20 of A's 40 (weight 20).
    capped = capacity_instance()
    served = solve_coverage(capped, spec())
    assert served.objective == pytest.approx(80.0)
    _consistent(served)


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_set_cover_objective_is_the_cost(name: str) -> None:
    # House S0 (100) + antenne S1 (30): every site is paid, no tie-break.
    paid = solve_set_cover(two(), spec(name))
    assert paid.objective == 130.0
    assert paid.tie_break == 0.0
    _consistent(paid)
    single = solve_set_cover(two(), spec(name), single=True)
    assert single.objective == 100.0
    assert single.tie_break == 0.0
    _consistent(single)
    # Not kept, the existing house S1 is a free choice: house S1 (EUR 0) + antenne S0 (30).
    # A free site costs 1e-6 x the cheapest paid column (an antenne, 30) in the model.
    free = solve_set_cover(two(existing_house=flags(1, n=2), keep_existing=False), spec(name))
    assert sites(free.house) == [1]
    assert sites(free.antenne) == [0]
    assert free.objective == 30.0
    assert free.tie_break == pytest.approx(30e-6)
    _consistent(free)


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_mclp_objective_is_the_covered_weight(name: str) -> None:
    # p = 1: S1 reaches B + D = 60, whatever alpha; the budget is no rule, so the tie-break
    # scale is the most spent (3 x 100): -0.01 * 100 / 300.
    one = solve_mclp(make(budget=0.0, alpha=0.5), 1, spec(name))
    assert sites(one.house) == [1]
    assert one.objective == pytest.approx(60.0)
    assert one.objective == pytest.approx(one.figures["covered_weight"])
    assert one.coverage_objective == pytest.approx(0.5 * 60.0 + 0.5 * 20.0)
    assert one.tie_break == pytest.approx(-0.01 * 100.0 / 300.0)
    _consistent(one)


def test_pmedian_objective_is_the_weighted_travel_time() -> None:
    # p = 1: S1 costs 10*20 + 20*5 + 30*20 + 40*12 = 1380; p = 2: {S1, S2} = 930;
    # houses 11 minutes apart (the rules model): {S0, S2} = 50 + 600 + 150 + 480 = 1080.
    assert solve_pmedian_plan(make(), 1, spec()).objective == pytest.approx(1380.0)
    pair = solve_pmedian_plan(make(), 2, spec())
    assert pair.objective == pytest.approx(930.0)
    assert pair.tie_break == 0.0
    _consistent(pair)
    spaced = solve_pmedian_plan(make(rules=PlanRules(house_spacing_min=11.0)), 2, spec())
    assert spaced.objective == pytest.approx(1080.0)
    _consistent(spaced)


def test_pcenter_objective_is_the_longest_travel_time() -> None:
    # p = 1: S1's worst sector is 20 minutes away (S0 30, S2 30), with or without the spacing
    # rule (which runs the covering search).
    one = solve_pcenter_plan(make(), 1, spec())
    assert one.objective == pytest.approx(20.0)
    assert one.tie_break == 0.0
    _consistent(one)
    spaced = solve_pcenter_plan(make(rules=PlanRules(house_spacing_min=11.0)), 1, spec())
    assert spaced.objective == pytest.approx(20.0)
    _consistent(spaced)


# --------------------------------------------------------------------------- numpy counts


def test_numpy_p_for_array_models() -> None:
    weight = WEIGHT
    inputs = check_facility_inputs(D, np.int64(2))
    assert inputs.p == 2
    assert type(inputs.p) is int
    median = solve_pmedian(D, weight, np.int64(2), solver=spec())
    assert median.objective == pytest.approx(930.0)
    center = solve_pcenter(D, np.int32(1), solver=spec())
    assert center.objective == pytest.approx(20.0)
    capped = solve_capacitated_pmedian(
        D, np.ones(4), np.full(3, 4.0), np.int64(2), weight=weight, solver=spec()
    )
    assert capped.objective == pytest.approx(930.0)
    with pytest.raises(DataError, match="expected an integer >= 1"):
        check_facility_inputs(D, np.True_)


def test_numpy_p_for_plan_models() -> None:
    mclp = solve_mclp(make(budget=0.0), np.int64(2), spec())
    assert sites(mclp.house) == [1, 2]
    assert mclp.figures["p"] == 2
    assert type(mclp.figures["p"]) is int
    assert type(mclp_form(np.int64(3)).p) is int
    median = solve_pmedian_plan(make(), np.int64(2), spec())
    assert sites(median.house) == [1, 2]
    assert type(median.figures["p"]) is int
    center = solve_pcenter_plan(make(), np.int64(1), spec())
    assert sites(center.house) == [1]
    assert type(center.figures["p"]) is int
    for bad in (True, 2.0, np.float64(2.0)):
        with pytest.raises(DataError, match="positive whole number"):
            mclp_form(bad)  # type: ignore[arg-type]
        with pytest.raises(DataError, match="positive whole number"):
            solve_pmedian_plan(make(), bad, spec())  # type: ignore[arg-type]


def test_numpy_rule_counts_are_counts() -> None:
    rules = PlanRules(
        min_houses=np.int64(1),
        max_houses=np.int32(2),
        min_antennes=np.int64(0),
        max_antennes=np.uint8(1),
    )
    for name in ("min_houses", "max_houses", "min_antennes", "max_antennes"):
        assert type(getattr(rules, name)) is int
    with pytest.raises(DataError, match=r"rules.min_houses \(3\) is larger than rules.max_houses"):
        PlanRules(min_houses=np.int64(3), max_houses=np.int64(2))
    with pytest.raises(DataError, match="expected a count >= 0"):
        PlanRules(max_houses=np.int64(-1))
    with pytest.raises(DataError, match="expected a count >= 0"):
        PlanRules(max_houses=True)


@pytest.mark.parametrize("kind", ["max_coverage", "set_cover", "set_cover_single", "mclp"])
def test_numpy_rule_counts_in_coverage_kinds(kind: str) -> None:
    # Exactly two houses (three for the covering kinds: each of A, B, C has its own house
    # site within R_H; D, 12 minutes from every site, is left out of the R_A rule).
    n = 3 if kind.startswith("set_cover") else 2
    instance = make(budget=300.0, rules=PlanRules(min_houses=np.int64(n), max_houses=np.int64(n)))
    if kind == "max_coverage":
        solution = solve_coverage(instance, spec())
    elif kind == "mclp":
        solution = solve_mclp(instance, np.int64(2), spec())
    else:
        single = kind == "set_cover_single"
        solution = solve_set_cover(instance, spec(), single=single, skip_unreachable=True)
    assert int(solution.house.sum()) == n
    # Antenne counts (houses-only kinds refuse them).
    one = PlanRules(min_antennes=np.int64(1), max_antennes=np.int64(1))
    if kind == "max_coverage":
        solution = solve_coverage(make(budget=300.0, alpha=0.5, rules=one), spec())
        assert int(solution.antenne.sum()) == 1
    elif kind == "set_cover":  # house S0 + antenne S1
        assert int(solve_set_cover(two(rules=one), spec()).antenne.sum()) == 1


@pytest.mark.parametrize("solve", [solve_pmedian_plan, solve_pcenter_plan])
def test_numpy_rule_counts_in_facility_kinds(solve: Any) -> None:
    admits = PlanRules(min_houses=np.int64(1), max_houses=np.int64(2))
    assert int(solve(make(rules=admits), np.int64(2), spec()).house.sum()) == 2
    with pytest.raises(InfeasibleError, match=r"rules.max_houses = 1 does not admit"):
        solve(make(rules=PlanRules(max_houses=np.int64(1))), np.int64(2), spec())
