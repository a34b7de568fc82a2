"""Existing sites as decisions: running costs, closing with a saving, the budget's basis.

A hand-checkable city, and brute force over every plan of small random instances against the
raw definitions (one-off euros of new sites, yearly euros of every open site, the basis).
"""

from __future__ import annotations

import copy
import dataclasses
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pytest

from planner.errors import InfeasibleError, PlanCheckError
from planner.model import CoverageInstance, solve_coverage, with_running_costs
from planner.model.coverage import MAX_COVERAGE
from planner.report.note_remarks import remark
from planner.results.check import check_plan
from tests.conftest import SOLVER_NAMES, run_capturing, solver_spec
from tests.test_catalogue import brute_force, random_instance

if TYPE_CHECKING:
    from pathlib import Path

    from tests.conftest import TinyCity

INF = np.inf

# Sectors A and B, 10 families each. E (existing house) reaches A only; N (a candidate, EUR 500
# one-off) reaches A and B. Each costs EUR 100 a year to run.
D = np.array([[5.0, 5.0], [50.0, 5.0]])


def hand(**overrides: Any) -> CoverageInstance:
    values: dict[str, Any] = {
        "weight": np.array([10.0, 10.0]),
        "d": D,
        "e": np.array([[0.0, 50.0], [50.0, 0.0]]),
        "cost_house": np.array([0.0, 500.0]),
        "cost_antenne": np.array([0.0, 0.0]),
        "can_house": np.array([True, True]),
        "can_antenne": np.array([False, False]),
        "existing_house": np.array([True, False]),
        "existing_antenne": np.array([False, False]),
        "forbidden": np.array([False, False]),
        "budget": 100.0,
        "radius_house": np.full(2, 10.0),
        "radius_frequent": np.full(2, 10.0),
        "link_max": 10.0,
        "alpha": 1.0,
        "site_ids": ("E", "N"),
    }
    values.update(overrides)
    return CoverageInstance(**values)


RUNNING = np.array([100.0, 100.0])


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_hand_yearly_budget_closes_the_old_house_for_a_better_one(name: str) -> None:
    # EUR 100 a year runs one house: E (reaches A) or N (reaches A and B); closing E frees it.
    moved = with_running_costs(
        hand(), running_house=RUNNING, basis="yearly", may_close=np.array([True, False])
    )
    solution = solve_coverage(moved, solver_spec(name))
    assert solution.house.tolist() == [False, True]
    assert solution.covered_house.all()
    # E may not close: its running cost takes the whole budget, N does not fit
    kept = with_running_costs(hand(), running_house=RUNNING, basis="yearly")
    assert kept.budget == 0.0
    solution = solve_coverage(kept, solver_spec(name))
    assert solution.house.tolist() == [True, False]


def test_hand_total_basis_counts_one_off_and_years() -> None:
    # over 2 years: E kept 200, N 500 + 200 = 700. Budget 699: N does not fit, E stays; 700:
    # N, and E closes; 900: both fit, but E reaches no one N does not, so it closes (cheaper).
    for budget, expected in (
        (699.0, [True, False]),
        (700.0, [False, True]),
        (900.0, [False, True]),
    ):
        instance = with_running_costs(
            hand(budget=budget),
            running_house=RUNNING,
            basis="total",
            years=2.0,
            may_close=np.array([True, False]),
        )
        solution = solve_coverage(instance, solver_spec("highs"))
        assert solution.house.tolist() == expected


def test_hand_investment_basis_changes_nothing_without_closing() -> None:
    instance = hand(budget=500.0)
    assert with_running_costs(instance, running_house=RUNNING) is instance


def test_hand_running_cost_of_kept_sites_over_the_budget_is_named() -> None:
    with pytest.raises(InfeasibleError, match=r"the sites kept open cost EUR 100 \(yearly\)"):
        with_running_costs(hand(budget=50.0), running_house=RUNNING, basis="yearly")


# --------------------------------------------------------------------------- brute force


def raw_ok(
    raw: CoverageInstance,
    enumerated: dict[str, np.ndarray],
    case: tuple[np.ndarray, np.ndarray, str, float, np.ndarray],
) -> np.ndarray:
    """Plans that keep the sites that may not close and fit the budget on its basis."""
    rh, ra, basis, years, may_close = case
    H, A = enumerated["roles"] == 1, enumerated["roles"] == 2
    ok = enumerated["ok"].copy()
    if raw.keep_existing:
        kept_h = raw.existing_house & ~may_close
        kept_a = raw.existing_antenne & ~may_close
        ok &= (H | ~kept_h).all(axis=1) & (A | ~kept_a).all(axis=1)
    w_inv, w_run = {"investment": (1.0, 0.0), "yearly": (0.0, 1.0), "total": (1.0, years)}[basis]
    spent = w_inv * enumerated["cost"] + w_run * (H @ rh + A @ ra)
    return ok & (spent <= raw.budget + 1e-6)


@pytest.mark.parametrize("seed", range(20))
def test_brute_force_running_costs_and_closing(seed: int) -> None:
    name = SOLVER_NAMES[seed % 2]
    rng = np.random.default_rng(7000 + seed)
    raw = random_instance(seed)
    n_j = raw.n_sites
    rh = rng.integers(1, 6, n_j) * 10.0
    ra = rng.integers(0, 3, n_j) * 10.0
    basis = str(rng.choice(["investment", "yearly", "total"]))
    years = float(rng.choice([1.0, 3.0]))
    may_close = (raw.existing_house | raw.existing_antenne) & (rng.random(n_j) < 0.7)
    budget = {"investment": raw.budget, "yearly": 60.0, "total": 250.0}[basis]
    raw = dataclasses.replace(raw, budget=budget)
    # every plan of the raw instance, without its keep and budget filters (applied above)
    free = dataclasses.replace(raw, keep_existing=False, budget=INF)
    enumerated = brute_force(free, MAX_COVERAGE)
    ok = raw_ok(raw, enumerated, (rh, ra, basis, years, may_close))
    try:
        instance = with_running_costs(
            raw,
            running_house=rh,
            running_antenne=ra,
            basis=basis,
            years=years,
            may_close=may_close,
        )
    except InfeasibleError:
        assert not ok.any()
        return
    if not ok.any():
        with pytest.raises(InfeasibleError):
            solve_coverage(instance, solver_spec(name))
        return
    solution = solve_coverage(instance, solver_spec(name))
    assert solution.result.proven_optimal
    assert solution.coverage_objective == pytest.approx(enumerated["value"][ok].max(), abs=1e-6)
    # the plan itself meets the raw definitions
    roles = np.where(solution.house, 1, np.where(solution.antenne, 2, 0))
    index = np.flatnonzero((enumerated["roles"] == roles).all(axis=1))
    assert index.size == 1
    assert ok[index[0]]


def test_brute_force_seeds_close_sites_and_bind_the_yearly_budget() -> None:
    closed = yearly = 0
    for seed in range(20):
        rng = np.random.default_rng(7000 + seed)
        raw = random_instance(seed)
        n_j = raw.n_sites
        rh, ra = rng.integers(1, 6, n_j) * 10.0, rng.integers(0, 3, n_j) * 10.0
        basis = str(rng.choice(["investment", "yearly", "total"]))
        years = float(rng.choice([1.0, 3.0]))
        may_close = (raw.existing_house | raw.existing_antenne) & (rng.random(n_j) < 0.7)
        budget = {"investment": raw.budget, "yearly": 60.0, "total": 250.0}[basis]
        raw = dataclasses.replace(raw, budget=budget)
        free = dataclasses.replace(raw, keep_existing=False, budget=INF)
        enumerated = brute_force(free, MAX_COVERAGE)
        ok = raw_ok(raw, enumerated, (rh, ra, basis, years, may_close))
        if not ok.any():
            continue
        best = np.flatnonzero(ok)[np.argmax(enumerated["value"][ok])]
        roles = enumerated["roles"][best]
        existing = raw.existing_house | raw.existing_antenne
        closed += bool((existing & (roles == 0)).any())
        yearly += (
            basis != "investment"
            and enumerated["value"][ok].max() < enumerated["value"][enumerated["ok"]].max()
        )
    assert closed >= 3, closed
    assert yearly >= 3, yearly


# --------------------------------------------------------------------------- the pipeline


def relocate_city(tiny_city: TinyCity, budget: dict[str, Any]) -> Path:
    sites = gpd.read_file(tiny_city.sites)
    sites["running_cost_house"] = [100_000.0, 120_000.0, 100_000.0, None]
    sites.to_file(tiny_city.sites)
    raw = tiny_city.raw_scenario()
    raw["budget"] = budget
    raw["rules"] = {"may_close": ["Bib Centrum"]}
    return tiny_city.write_scenario(raw)


def test_pipeline_reports_and_checks_one_off_and_yearly_costs(tiny_city: TinyCity) -> None:
    budget = {"amount_eur": 1_500_000, "basis": "total", "years": 5, "running_antenne_eur": 20_000}
    plan, case = run_capturing(relocate_city(tiny_city, budget))
    summary = plan.summary
    assert summary["check"] == "passed"
    assert "one-off and yearly costs" in summary["checked"]
    costs = summary["costs"]
    sites = plan.sites
    house, antenne = sites["role"] == "house", sites["role"] == "antenne"
    running = sites["running_cost_house"].fillna(0.0)
    yearly = float(running[house].sum()) + 20_000.0 * int(antenne.sum())
    assert costs["yearly_eur"] == pytest.approx(yearly)
    assert costs["one_off_eur"] == pytest.approx(summary["cost"])
    assert costs["budget_counts_eur"] == pytest.approx(summary["cost"] + 5 * yearly)
    assert costs["budget_counts_eur"] <= 1_500_000
    closed = summary["closed_sites"]
    assert closed == (
        ["S2"] if sites.loc[sites["site_id"] == "S2", "role"].item() == "closed" else []
    )
    assert costs["yearly_saving_eur"] == pytest.approx(120_000.0 * len(closed))
    assert any(n.startswith("one-off EUR") for n in summary["notes"])
    # the independent check catches a yearly figure that is off and a wrong list of closures
    corrupted = copy.deepcopy(summary)
    corrupted["costs"]["yearly_eur"] += 1_000
    with pytest.raises(PlanCheckError, match=r"costs.yearly_eur"):
        check_plan(
            dataclasses.replace(plan, summary=corrupted), case.inputs, case.demand, case.travel
        )
    corrupted = copy.deepcopy(summary)
    corrupted["closed_sites"] = ["S1"]
    with pytest.raises(PlanCheckError, match=r"closed_sites"):
        check_plan(
            dataclasses.replace(plan, summary=corrupted), case.inputs, case.demand, case.travel
        )


def test_pipeline_yearly_budget_closes_the_existing_house(tiny_city: TinyCity) -> None:
    # EUR 100,000 a year runs one house, or an antenne (50,000) without its house; Bib Centrum
    # costs 120,000 as a house: it closes (kept as an antenne it would need a house too)
    budget = {"amount_eur": 100_000, "basis": "yearly", "running_antenne_eur": 50_000}
    plan, _ = run_capturing(relocate_city(tiny_city, budget))
    assert plan.summary["closed_sites"] == ["S2"]
    assert plan.summary["costs"]["yearly_eur"] <= 100_000
    assert (
        "closes 1 existing site: S2 (Bib Centrum); saves EUR 120,000 a year"
        in (plan.summary["notes"])
    )
    assert not plan.summary["budget_too_small"]  # a yearly budget is not one-off euros
    assert not any("below the cheapest new site" in n for n in plan.summary["notes"])
    dutch = [remark(n, "nl") for n in plan.summary["notes"]]
    assert "1 bestaande locatie sluit: S2 (Bib Centrum); dat bespaart € 120.000 per jaar." in dutch
    assert any(n.startswith("Eenmalig € ") and "telt de jaarlijkse euro's" in n for n in dutch)
