"""The house + antenne coverage model against hand-worked optima and brute force."""

from __future__ import annotations

import dataclasses
import itertools
import logging
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from planner.errors import DataError, InfeasibleError, SolverError
from planner.model import (
    CoverageInstance,
    build_coverage_problem,
    link_antennes,
    plan_cost,
    plan_coverage,
    plan_problems,
    solve_coverage,
)
from planner.model import coverage as coverage_module
from tests.conftest import SOLVER_NAMES, solver_spec

if TYPE_CHECKING:
    from planner.scenario import SolverSpec

INF = np.inf


def spec(name: str = "cbc", **kwargs: Any) -> SolverSpec:
    return solver_spec(name, **kwargs)


# The hand-checkable city: 4 sectors (A, B, C, D) x 3 sites (S0, S1, S2).
#
#   d (minutes)   S0   S1   S2        weight     e (minutes)  S0  S1  S2
#   A              5   20   30          10       S0            0  10  25
#   B             20    5   30          20       S1           10   0  10
#   C             30   20    5          30       S2           25  10   0
#   D             12   12   30          40
#
# R_H = 15 and R_A = 8 for every sector, L = 12: a house at S0 reaches A and D, at S1
# B and D, at S2 only C; a frequent service (house or antenne) reaches only the sector
# 5 minutes away. S0-S1 and S1-S2 may be linked, S0-S2 may not (25 > 12).
# A house costs 100 everywhere, an antenne 30.
D = np.array([[5, 20, 30], [20, 5, 30], [30, 20, 5], [12, 12, 30]], dtype=float)
E = np.array([[0, 10, 25], [10, 0, 10], [25, 10, 0]], dtype=float)
WEIGHT = np.array([10.0, 20.0, 30.0, 40.0])


def make(**overrides: Any) -> CoverageInstance:
    n_i, n_j = overrides.get("d", D).shape
    values: dict[str, Any] = {
        "weight": WEIGHT,
        "d": D,
        "e": E,
        "cost_house": np.full(n_j, 100.0),
        "cost_antenne": np.full(n_j, 30.0),
        "can_house": np.ones(n_j, dtype=bool),
        "can_antenne": np.ones(n_j, dtype=bool),
        "existing_house": np.zeros(n_j, dtype=bool),
        "existing_antenne": np.zeros(n_j, dtype=bool),
        "forbidden": np.zeros(n_j, dtype=bool),
        "budget": 100.0,
        "radius_house": np.full(n_i, 15.0),
        "radius_frequent": np.full(n_i, 8.0),
        "link_max": 12.0,
        "alpha": 1.0,
        "site_ids": tuple(f"S{j}" for j in range(n_j)),
        "sector_ids": ("A", "B", "C", "D")[:n_i] if n_i <= 4 else None,
    }
    values.update(overrides)
    return CoverageInstance(**values)


def flags(*indices: int, n: int = 3) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    mask[list(indices)] = True
    return mask


def sites(mask: np.ndarray) -> list[int]:
    return np.flatnonzero(mask).tolist()


# --------------------------------------------------------------------------- hand-checked


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_budget_binding_one_house(name: str) -> None:
    # alpha = 1, budget for one house: S0 covers A+D = 50, S1 covers B+D = 60, S2 covers C = 30.
    solution = solve_coverage(make(budget=100.0), spec(name))
    assert sites(solution.house) == [1]
    assert sites(solution.antenne) == []
    assert solution.cost == 100.0
    assert solution.coverage_objective == pytest.approx(60.0)
    assert solution.covered_house.tolist() == [False, True, False, True]
    assert solution.result.status == "optimal"
    assert solution.result.proven_optimal
    assert solution.result.gap == 0.0


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_budget_binding_two_houses(name: str) -> None:
    # Two houses: S0+S1 -> A,B,D = 70; S0+S2 -> A,C,D = 80; S1+S2 -> B,C,D = 90.
    solution = solve_coverage(make(budget=250.0), spec(name))
    assert sites(solution.house) == [1, 2]
    assert solution.coverage_objective == pytest.approx(90.0)
    assert solution.cost == 200.0  # antennes add nothing with alpha = 1: none bought


def test_alpha_one_and_zero_pick_different_sites() -> None:
    # One house only (budget 100, an antenne alone needs a house). With alpha = 0 only the
    # frequent standard (8 min) counts: S0 -> A (10), S1 -> B (20), S2 -> C (30).
    house_only = solve_coverage(make(alpha=1.0), spec())
    frequent_only = solve_coverage(make(alpha=0.0), spec())
    assert sites(house_only.house) == [1]
    assert sites(frequent_only.house) == [2]
    assert frequent_only.coverage_objective == pytest.approx(30.0)
    assert frequent_only.covered_frequent.tolist() == [False, False, True, False]


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_antenne_needs_a_house_within_link_max(name: str) -> None:
    # alpha = 0, weights A 35, B 10, C 30, D 40; budget 140; antenne S0 costs 40, S1 and S2 30.
    # Best frequent pair would be S0 + S2 (A + C = 65) but e(S0, S2) = 25 > L = 12.
    # Legal pairs: {S0, S1} -> 45, {S1, S2} -> 40. For {S0, S1}: house S0 + antenne S1 costs
    # 130, house S1 + antenne S0 costs 140: the cheaper one wins the tie.
    weight = np.array([35.0, 10.0, 30.0, 40.0])
    cost_antenne = np.array([40.0, 30.0, 30.0])
    instance = make(weight=weight, cost_antenne=cost_antenne, budget=140.0, alpha=0.0)
    solution = solve_coverage(instance, spec(name))
    assert sites(solution.house) == [0]
    assert sites(solution.antenne) == [1]
    assert solution.link.tolist() == [-1, 0, -1]
    assert solution.cost == 130.0
    assert solution.coverage_objective == pytest.approx(45.0)
    # With L = 30 the S0 + S2 pair becomes legal: 65.
    relaxed = solve_coverage(
        make(weight=weight, cost_antenne=cost_antenne, budget=140.0, alpha=0.0, link_max=30.0),
        spec(name),
    )
    assert relaxed.coverage_objective == pytest.approx(65.0)
    assert sorted(sites(relaxed.house) + sites(relaxed.antenne)) == [0, 2]
    antenne = sites(relaxed.antenne)[0]
    assert relaxed.link[antenne] == sites(relaxed.house)[0]


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_existing_house_kept_at_zero_cost(name: str) -> None:
    # Existing house at S2 (covers C = 30) costs nothing; the budget of 100 buys one more:
    # S1 adds B + D = 60 (total 90), S0 adds A + D = 50 (total 80).
    solution = solve_coverage(make(existing_house=flags(2), budget=100.0), spec(name))
    assert sites(solution.house) == [1, 2]
    assert solution.cost == 100.0
    assert solution.coverage_objective == pytest.approx(90.0)
    # With no budget the existing house still stands, for free.
    broke = solve_coverage(make(existing_house=flags(2), budget=0.0), spec(name))
    assert sites(broke.house) == [2]
    assert broke.cost == 0.0
    assert broke.coverage_objective == pytest.approx(30.0)


def test_existing_antenne_upgraded_to_house_pays_house_cost() -> None:
    # Existing antenne at S1, keep_existing false, alpha = 1, budget 100: turning it into a
    # house costs 100 like any new house and covers B + D = 60, the best single house.
    instance = make(existing_antenne=flags(1), keep_existing=False, budget=100.0)
    solution = solve_coverage(instance, spec())
    assert sites(solution.house) == [1]
    assert solution.cost == 100.0


def test_existing_antenne_kept_with_house_in_reach() -> None:
    # Existing antenne at S0 (kept) needs a house within 12 min: S1 (10 min). Budget 100,
    # alpha = 1: the house at S1 (60) is both the best house and a valid link.
    solution = solve_coverage(make(existing_antenne=flags(0), budget=100.0), spec())
    assert sites(solution.antenne) == [0]
    assert sites(solution.house) == [1]
    assert solution.link.tolist() == [1, -1, -1]
    assert solution.cost == 100.0


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_forbidden_site_stays_closed(name: str) -> None:
    # Forbid S1 (the best single house): next best is S0 (A + D = 50).
    solution = solve_coverage(make(forbidden=flags(1)), spec(name))
    assert sites(solution.house) == [0]
    assert solution.coverage_objective == pytest.approx(50.0)


def test_ineligible_site_stays_closed() -> None:
    solution = solve_coverage(make(can_house=flags(0, 2)), spec())
    assert sites(solution.house) == [0]


def test_radius_tightening_per_sector() -> None:
    # Tighten D's house standard to 10 min (the neediest sector): D (40) is out of reach of
    # every site, so S0 -> 10, S1 -> 20, S2 -> 30 and S2 wins instead of S1.
    radius = np.array([15.0, 15.0, 15.0, 10.0])
    solution = solve_coverage(make(radius_house=radius), spec())
    assert sites(solution.house) == [2]
    assert solution.coverage_objective == pytest.approx(30.0)
    assert not solution.covered_house[3]


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_tie_break_prefers_cheaper_plan(name: str) -> None:
    # One sector reached by both sites; site 1 is cheaper. Any budget >= 100 gives the same
    # coverage with one house; the cost term must pick site 1 and buy nothing else.
    instance = CoverageInstance(
        weight=np.array([50.0]),
        d=np.array([[3.0, 4.0]]),
        e=np.array([[0.0, 1.0], [1.0, 0.0]]),
        cost_house=np.array([100.0, 60.0]),
        cost_antenne=np.array([10.0, 10.0]),
        can_house=np.ones(2, dtype=bool),
        can_antenne=np.ones(2, dtype=bool),
        existing_house=np.zeros(2, dtype=bool),
        existing_antenne=np.zeros(2, dtype=bool),
        forbidden=np.zeros(2, dtype=bool),
        budget=1000.0,
        radius_house=np.array([5.0]),
        radius_frequent=np.array([5.0]),
        link_max=5.0,
        alpha=0.5,
    )
    solution = solve_coverage(instance, spec(name))
    assert sites(solution.house) == [1]
    assert sites(solution.antenne) == []
    assert solution.cost == 60.0
    assert solution.coverage_objective == pytest.approx(50.0)


def test_unlimited_budget_opens_what_covers() -> None:
    # Infinite budget, alpha = 1: all three houses are needed (A only by S0, B only by S1,
    # C only by S2); antennes add nothing and are not bought.
    solution = solve_coverage(make(budget=INF), spec())
    assert sites(solution.house) == [0, 1, 2]
    assert sites(solution.antenne) == []
    assert solution.coverage_objective == pytest.approx(100.0)


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_budget_too_small_keeps_only_existing(name: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        solution = solve_coverage(make(budget=50.0), spec(name))
    assert not solution.house.any()
    assert not solution.antenne.any()
    assert solution.cost == 0.0
    assert solution.coverage_objective == 0.0
    assert solution.result.status == "optimal"
    assert solution.result.proven_optimal
    assert not caplog.records
    kept = solve_coverage(make(budget=50.0, existing_house=flags(0)), spec(name))
    assert sites(kept.house) == [0]
    assert kept.coverage_objective == pytest.approx(50.0)


def test_unreachable_pairs_never_cover() -> None:
    # S1 has no route to any sector; with an infinite house standard S0 and S2 reach every
    # sector (A..D = 100) and S1 none. S2 costs 110: the cheaper S0 wins the tie.
    d = D.copy()
    d[:, 1] = INF
    instance = make(
        d=d, radius_house=np.full(4, INF), cost_house=np.array([100.0, 100.0, 110.0]), budget=110.0
    )
    covered_house, _, value = plan_coverage(instance, flags(1), flags())
    assert not covered_house.any()
    assert value == 0.0
    solution = solve_coverage(instance, spec())
    assert sites(solution.house) == [0]
    assert solution.coverage_objective == pytest.approx(100.0)


# --------------------------------------------------------------------------- infeasible


def test_existing_antenne_without_house_in_reach_is_infeasible() -> None:
    # L = 5: no site within 5 min of S0 may host a house.
    with pytest.raises(InfeasibleError, match=r"existing antenne S0 .*no site within 5 min"):
        solve_coverage(make(existing_antenne=flags(0), link_max=5.0), spec())


def test_existing_antenne_with_unaffordable_house_is_infeasible() -> None:
    with pytest.raises(InfeasibleError, match=r"S0 .*costs EUR 100.*budget of EUR 50"):
        solve_coverage(make(existing_antenne=flags(0), budget=50.0), spec())


def test_existing_forbidden_site_is_infeasible() -> None:
    with pytest.raises(InfeasibleError, match=r"existing house site\(s\) S2 are also forbidden"):
        build_coverage_problem(make(existing_house=flags(2), forbidden=flags(2)))
    # Without keep_existing the forbidden existing house simply closes.
    instance = make(existing_house=flags(2), forbidden=flags(2), keep_existing=False)
    solution = solve_coverage(instance, spec())
    assert not solution.house[2]


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_budget_cannot_serve_all_existing_antennes(name: str) -> None:
    # Sites S0..S3 on a line; existing antennes at S0 and S2; S1 is the only house within
    # 12 min of S0 and S3 the only one of S2. Each house is affordable alone (100 <= 150),
    # both are not: the solver proves it, and the error names the antennes and the budget.
    e = np.array([[0, 10, 40, 50], [10, 0, 30, 40], [40, 30, 0, 10], [50, 40, 10, 0]], dtype=float)
    instance = CoverageInstance(
        weight=np.array([1.0]),
        d=np.array([[1.0, 1.0, 1.0, 1.0]]),
        e=e,
        cost_house=np.full(4, 100.0),
        cost_antenne=np.full(4, 30.0),
        can_house=np.ones(4, dtype=bool),
        can_antenne=np.ones(4, dtype=bool),
        existing_house=np.zeros(4, dtype=bool),
        existing_antenne=flags(0, 2, n=4),
        forbidden=np.zeros(4, dtype=bool),
        budget=150.0,
        radius_house=np.array([5.0]),
        radius_frequent=np.array([5.0]),
        link_max=12.0,
        site_ids=("S0", "S1", "S2", "S3"),
    )
    with pytest.raises(InfeasibleError, match=r"existing antennes S0, S2 .*budget of EUR 150"):
        solve_coverage(instance, spec(name))


# --------------------------------------------------------------------------- validation


def test_validation_collects_every_problem() -> None:
    d = D.copy()
    d[0, 0] = np.nan
    with pytest.raises(DataError) as caught:
        make(
            d=d,
            weight=np.array([10.0, -1.0, 30.0, 40.0]),
            cost_house=np.array([100.0, np.nan, 100.0]),
            alpha=1.5,
            budget="lots",
            existing_house=flags(0),
            existing_antenne=flags(0),
        )
    problems = caught.value.problems
    assert len(problems) == 6
    text = str(caught.value)
    assert "weight: 1 entry is negative" in text
    assert "(at B)" in text
    assert "d: 1 entry has NaN travel times (use inf for no route) (at A)" in text
    assert "cost_house: 1 entry is missing or not finite (at S1)" in text
    assert "alpha: expected a number in [0, 1], got 1.5" in text
    assert "budget: expected a number in [0, inf], got 'lots'" in text
    assert "existing_house: 1 entry is also an existing antenne" in text


def test_validation_shapes_and_types() -> None:
    with pytest.raises(DataError, match=r"d: expected shape \(4, n_sites\)"):
        make(d=D[:3])
    with pytest.raises(DataError) as caught:
        make(e=E[:2], can_house=np.ones(3), site_ids=("S0", "S0", "S1"))
    text = str(caught.value)
    assert "e: expected shape (3, 3), got (2, 3)" in text
    assert "can_house: expected a boolean array, got dtype float64" in text
    assert "site_ids: ids are not unique" in text


def test_cost_of_ineligible_role_may_be_missing() -> None:
    instance = make(cost_antenne=np.full(3, np.nan), can_antenne=np.zeros(3, dtype=bool))
    solution = solve_coverage(instance, spec())
    assert sites(solution.house) == [1]


def test_instance_arrays_are_read_only_copies() -> None:
    weight = WEIGHT.copy()
    instance = make(weight=weight)
    weight[0] = 999.0
    assert instance.weight[0] == 10.0
    with pytest.raises(ValueError, match="read-only"):
        instance.weight[0] = 1.0


# --------------------------------------------------------------------------- model shape


def test_model_is_sparse() -> None:
    # Kept sites are constants, impossible roles get no columns, sectors already covered
    # by a kept house get no u column, and link rows exist only where a house is needed.
    instance = make(existing_house=flags(0), forbidden=flags(2), alpha=0.5)
    model = build_coverage_problem(instance)
    assert model.house_sites.tolist() == [1]
    assert model.antenne_sites.tolist() == [1]
    # u: A and D are covered by the kept S0; B can be covered by S1; C by nobody.
    assert model.n_house_rows == 1
    # v: A covered by S0 (5 min); B by S1; C, D by nobody within 8 min.
    assert model.n_frequent_rows == 1
    # columns h1, a1, u_B, v_B; rows: one role at S1, budget, u_B <= h1, v_B <= h1 + a1.
    # S1's antenne has the kept S0 within L: no link row.
    assert model.model.n_cols == 4
    assert model.model.n_rows == 4
    assert model.coverage_constant == pytest.approx(0.5 * (10 + 40) + 0.5 * 10)
    assert model.model.offset == pytest.approx(model.coverage_constant)
    assert 0 < model.eps <= 1e-3 * 0.5 * 20 + 1e-12


def test_link_rows_only_within_link_max() -> None:
    # Every site may be an antenne; S0 and S2 each have one house within L (S1), S1 has two.
    model = build_coverage_problem(make(budget=INF, alpha=0.0))
    A = model.model.A.tocsr()
    hcol = dict(zip(model.house_sites.tolist(), model.house_columns.tolist(), strict=True))
    acol = dict(zip(model.antenne_sites.tolist(), model.antenne_columns.tolist(), strict=True))
    links = {}
    for row in range(A.shape[0]):
        cols = A.indices[A.indptr[row] : A.indptr[row + 1]]
        vals = A.data[A.indptr[row] : A.indptr[row + 1]]
        antenne = [j for j, c in acol.items() if c in cols and vals[list(cols).index(c)] == 1.0]
        houses = [k for k, c in hcol.items() if c in cols and vals[list(cols).index(c)] == -1.0]
        if len(antenne) == 1 and houses and len(cols) == len(houses) + 1:
            links[antenne[0]] = sorted(houses)
    assert links == {0: [1], 1: [0, 2], 2: [1]}


def test_identical_sectors_share_one_variable() -> None:
    # Sectors A and A' have the same sites within each standard: one u and one v between them,
    # with the summed weight, and the same optimum as without the twin.
    d = np.vstack([D, D[0]])
    weight = np.append(WEIGHT, 5.0)
    twin = make(
        d=d,
        weight=weight,
        radius_house=np.full(5, 15.0),
        radius_frequent=np.full(5, 8.0),
        sector_ids=("A", "B", "C", "D", "A2"),
        alpha=0.5,
    )
    model = build_coverage_problem(twin)
    assert model.merged_sectors >= 2
    single = build_coverage_problem(make(alpha=0.5))
    assert model.n_house_rows == single.n_house_rows
    assert model.n_frequent_rows == single.n_frequent_rows
    solution = solve_coverage(twin, spec())
    assert solution.coverage_objective == pytest.approx(
        solve_coverage(
            make(alpha=0.5, weight=WEIGHT + np.array([5.0, 0, 0, 0])), spec()
        ).coverage_objective
    )


# --------------------------------------------------------------------------- plan helpers


def test_plan_helpers() -> None:
    instance = make(budget=120.0)
    house, antenne = flags(1), flags(0, 2)
    assert plan_cost(instance, house, antenne) == 160.0
    assert link_antennes(instance, house, antenne).tolist() == [1, -1, 1]
    problems = plan_problems(instance, house, antenne)
    assert problems == ["the plan costs EUR 160.00, over the budget of EUR 120.00"]
    problems = plan_problems(instance, flags(0), flags(0, 2))
    assert any("are both house and antenne" in p for p in problems)
    assert any("S2 have no open house within 12 min" in p for p in problems)


# --------------------------------------------------------------------------- brute force


def random_instance(seed: int) -> CoverageInstance:
    rng = np.random.default_rng(seed)
    n_j = int(rng.integers(4, 7))
    n_i = int(rng.integers(5, 13))
    d = rng.uniform(0, 25, (n_i, n_j)).round(1)
    d[rng.random(d.shape) < 0.1] = INF
    e = rng.uniform(0, 30, (n_j, n_j)).round(1)
    e[rng.random(e.shape) < 0.1] = INF
    np.fill_diagonal(e, 0.0)
    # Weights with two decimals and alpha in quarters: coverage values are multiples of
    # 0.0025, far above the cost tie-break term (< 1e-3 of the smallest coefficient).
    weight = rng.uniform(1, 100, n_i).round(2)
    weight[rng.random(n_i) < 0.1] = 0.0
    role = rng.choice(3, size=n_j, p=[0.84, 0.08, 0.08])
    existing_house, existing_antenne = role == 1, role == 2
    need = rng.random(n_i)
    mu = float(rng.choice([0.0, 0.3]))
    return CoverageInstance(
        weight=weight,
        d=d,
        e=e,
        cost_house=rng.integers(3, 11, n_j) * 10.0,
        cost_antenne=rng.integers(1, 5, n_j) * 10.0,
        can_house=rng.random(n_j) < 0.8,
        can_antenne=rng.random(n_j) < 0.8,
        existing_house=existing_house,
        existing_antenne=existing_antenne,
        forbidden=(rng.random(n_j) < 0.15) & (role == 0),
        budget=float(rng.choice([60.0, 120.0, 200.0, 300.0, 500.0, INF])),
        radius_house=15.0 * (1 - mu * need),
        radius_frequent=10.0 * (1 - mu * need),
        link_max=float(rng.choice([10.0, 15.0, 25.0])),
        alpha=(0.0, 0.25, 0.5, 0.75, 1.0)[seed % 5],
        keep_existing=bool(rng.random() < 0.7),
    )


def brute_force(inst: CoverageInstance) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every plan (closed / house / antenne per site), written independently of the model."""
    n_j = inst.n_sites
    roles = np.array(list(itertools.product(range(3), repeat=n_j)))
    H, A = roles == 1, roles == 2
    house_ok = (inst.can_house | inst.existing_house) & ~inst.forbidden
    antenne_ok = (inst.can_antenne | inst.existing_antenne) & ~inst.forbidden
    ok = ~(H & ~house_ok).any(axis=1) & ~(A & ~antenne_ok).any(axis=1)
    if inst.keep_existing:
        ok &= (H | ~inst.existing_house).all(axis=1) & (A | ~inst.existing_antenne).all(axis=1)
    cost = (H & ~inst.existing_house) @ inst.cost_house + (A & ~inst.existing_antenne) @ (
        inst.cost_antenne
    )
    ok &= cost <= inst.budget
    links = np.isfinite(inst.e) & (inst.e <= inst.link_max) & ~np.eye(n_j, dtype=bool)
    has_house = (H.astype(int) @ links.T.astype(int)) > 0  # plan x antenne: a house in reach
    ok &= ~(A & ~has_house).any(axis=1)
    reach_h = np.isfinite(inst.d) & (inst.d <= inst.radius_house[:, None])
    reach_a = np.isfinite(inst.d) & (inst.d <= inst.radius_frequent[:, None])
    cover_h = (H.astype(int) @ reach_h.T.astype(int)) > 0
    cover_a = ((H | A).astype(int) @ reach_a.T.astype(int)) > 0
    value = cover_h @ (inst.alpha * inst.weight) + cover_a @ ((1 - inst.alpha) * inst.weight)
    return roles, ok, value, cost


@pytest.mark.parametrize("name", SOLVER_NAMES)
@pytest.mark.parametrize("seed", range(20))
def test_brute_force(seed: int, name: str) -> None:
    instance = random_instance(seed)
    roles, ok, value, cost = brute_force(instance)
    if not ok.any():
        with pytest.raises(InfeasibleError):
            solve_coverage(instance, spec(name))
        return
    solution = solve_coverage(instance, spec(name))
    best = value[ok].max()
    assert solution.coverage_objective == pytest.approx(best, abs=1e-6)
    assert solution.result.proven_optimal
    # The plan itself is one the brute force accepts, with the value it computes.
    plan = np.where(solution.house, 1, np.where(solution.antenne, 2, 0))
    row = int(np.flatnonzero((roles == plan).all(axis=1))[0])
    assert ok[row]
    assert value[row] == pytest.approx(solution.coverage_objective, abs=1e-9)
    assert cost[row] == pytest.approx(solution.cost)
    # Tie-break: the cheapest of the best-covering plans.
    assert solution.cost == pytest.approx(cost[ok & (value >= best - 1e-9)].min())
    for j in np.flatnonzero(solution.antenne):
        k = solution.link[j]
        assert solution.house[k]
        assert instance.e[j, k] <= instance.link_max


@pytest.mark.parametrize("seed", range(40))
def test_link_cuts_hold_for_every_plan(seed: int) -> None:
    # The link cuts (added when the model is built, and separated at LP points) must hold
    # for every feasible plan: check them against all plans of the brute force, at random
    # fractional points that violate many of them.
    instance = dataclasses.replace(random_instance(seed), alpha=0.5)
    roles, ok, _, _ = brute_force(instance)
    try:
        problem = build_coverage_problem(instance)
    except InfeasibleError:
        assert not ok.any()
        return
    data = problem.link_rows
    if data is None or not ok.any():
        return
    house, antenne = roles[ok] == 1, roles[ok] == 2
    open_sites = np.hstack([house[:, problem.house_sites], antenne[:, problem.antenne_sites]])
    plans = np.zeros((int(ok.sum()), problem.model.n_cols))
    plans[:, problem.house_columns] = house[:, problem.house_sites]
    plans[:, problem.antenne_columns] = antenne[:, problem.antenne_sites]
    plans[:, data.v_columns] = np.minimum(1.0, open_sites @ data.rows.T.toarray())
    # Every row of the built model (link cuts included) holds for every plan (u = 0).
    activity = problem.model.A @ plans.T
    assert np.all(activity <= problem.model.row_upper[:, None] + 1e-6)
    assert np.all(activity >= problem.model.row_lower[:, None] - 1e-6)
    rows = []
    rng = np.random.default_rng(seed)
    for _ in range(20):
        point = rng.random(problem.model.n_cols) * rng.choice([0.1, 0.5, 1.0])
        point[data.v_columns] = 1.0
        cuts = coverage_module._link_cuts(
            data, point, problem.house_columns, problem.antenne_columns
        )
        if cuts is not None:
            assert np.all(cuts @ point > 0)  # each cut is violated at the point it cuts
            rows.append(cuts)
    for matrix in rows:
        assert np.all(matrix @ plans.T <= 1e-9)


def test_brute_force_seeds_are_not_trivial() -> None:
    # Guard for the test above: both outcomes occur, most instances have a real choice.
    feasible_plans = [int(brute_force(random_instance(seed))[1].sum()) for seed in range(20)]
    assert 0 in feasible_plans
    assert sum(count >= 5 for count in feasible_plans) >= 10


# --------------------------------------------------------------------------- time limit


def large_instance(n_i: int = 3000, n_j: int = 300, seed: int = 0) -> CoverageInstance:
    rng = np.random.default_rng(seed)
    sectors = rng.random((n_i, 2)) * 10
    candidates = rng.random((n_j, 2)) * 10
    d = np.linalg.norm(sectors[:, None] - candidates[None], axis=2) * 6
    e = np.linalg.norm(candidates[:, None] - candidates[None], axis=2) * 6
    return CoverageInstance(
        weight=rng.integers(1, 100, n_i).astype(float),
        d=d,
        e=e,
        cost_house=rng.integers(50, 150, n_j) * 1000.0,
        cost_antenne=rng.integers(10, 40, n_j) * 1000.0,
        can_house=rng.random(n_j) < 0.8,
        can_antenne=np.ones(n_j, dtype=bool),
        existing_house=np.zeros(n_j, dtype=bool),
        existing_antenne=np.zeros(n_j, dtype=bool),
        forbidden=np.zeros(n_j, dtype=bool),
        budget=1e6,
        radius_house=np.full(n_i, 6.0),
        radius_frequent=np.full(n_i, 3.0),
        link_max=15.0,
    )


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_time_limit_is_never_reported_optimal(name: str) -> None:
    # Neither solver proves this instance in 0.5 s. Either it found a plan (labelled
    # "feasible", not proven, with a gap) or none (a SolverError, never a fake plan).
    # The budget lets the greedy start reach more than half of all weight, so any valid
    # bound (at most the total weight) leaves a gap of at most 1.
    instance = dataclasses.replace(large_instance(), budget=2e6)
    try:
        solution = solve_coverage(instance, spec(name, time_limit_s=0.5))
    except SolverError as error:
        message = str(error)
    else:
        message = ""
        result = solution.result
        assert result.status == "feasible"
        assert not result.proven_optimal
        assert result.gap is not None
        assert 0.0 <= result.gap <= 1.0
        assert result.bound is not None
        assert result.bound >= solution.coverage_objective
        assert not plan_problems(instance, solution.house, solution.antenne)
    if message:
        assert "before finding any plan" in message
        assert "raise solver.time_limit_s" in message


def test_a_read_only_float_matrix_is_not_copied() -> None:
    from planner.model import CoverageInstance  # noqa: PLC0415

    d = np.array([[1.0, 30.0], [30.0, 2.0]])
    d.setflags(write=False)
    writeable = np.array([[1.0, 30.0], [30.0, 2.0]])
    kwargs: dict[str, Any] = {
        "weight": np.ones(2),
        "e": np.zeros((2, 2)),
        "cost_house": np.ones(2),
        "cost_antenne": np.ones(2),
        "can_house": np.ones(2, dtype=bool),
        "can_antenne": np.ones(2, dtype=bool),
        "existing_house": np.zeros(2, dtype=bool),
        "existing_antenne": np.zeros(2, dtype=bool),
        "forbidden": np.zeros(2, dtype=bool),
        "budget": 2.0,
        "radius_house": np.full(2, 10.0),
        "radius_frequent": np.full(2, 5.0),
        "link_max": 15.0,
        "alpha": 0.5,
    }
    assert CoverageInstance(d=d, **kwargs).d is d  # no second copy of a large matrix
    kept = CoverageInstance(d=writeable, **kwargs).d
    assert kept is not writeable  # a writeable one is copied, so later edits do not leak in
    writeable[0, 0] = 99.0
    assert kept[0, 0] == 1.0
    assert not kept.flags.writeable
