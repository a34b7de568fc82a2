"""Phased rollout: hand-checked schedules, brute force over opening schedules, the plan check.

The brute force enumerates every plan per phase (closed / house / antenne per site, written
independently of the model in :func:`tests.test_catalogue.brute_force`) and chains them into
schedules by dynamic programming: a site opened stays open in its role, each phase's plan
meets the rules and its budget (its own, or what is left of the budgets so far).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from planner.errors import InfeasibleError, PlanCheckError
from planner.model import CoverageInstance, PhaseBudgets, solve_coverage, solve_phases
from planner.model.coverage import MAX_COVERAGE
from planner.results.check import check_plan
from planner.scenario import load_scenario
from tests.conftest import ROOT, SOLVER_NAMES, run_capturing, solver_spec
from tests.test_catalogue import brute_force, random_instance

INF = np.inf


def line(**overrides: Any) -> CoverageInstance:
    """Three sectors (30, 20, 10 families), each reached only by its own site (house 100)."""
    d = np.full((3, 3), 50.0)
    np.fill_diagonal(d, 5.0)
    values: dict[str, Any] = {
        "weight": np.array([30.0, 20.0, 10.0]),
        "d": d,
        "e": np.where(np.eye(3, dtype=bool), 0.0, 8.0),
        "cost_house": np.full(3, 100.0),
        "cost_antenne": np.full(3, 40.0),
        "can_house": np.ones(3, dtype=bool),
        "can_antenne": np.zeros(3, dtype=bool),
        "existing_house": np.zeros(3, dtype=bool),
        "existing_antenne": np.zeros(3, dtype=bool),
        "forbidden": np.zeros(3, dtype=bool),
        "budget": 0.0,
        "radius_house": np.full(3, 10.0),
        "radius_frequent": np.full(3, 10.0),
        "link_max": 10.0,
        "alpha": 1.0,
        "site_ids": ("S0", "S1", "S2"),
    }
    values.update(overrides)
    return CoverageInstance(**values)


def phases(*amounts: float, carry_over: bool = False, weights: Any = None) -> PhaseBudgets:
    years = tuple(2027 + t for t in range(len(amounts)))
    return PhaseBudgets(
        years=years,
        amounts=tuple(float(a) for a in amounts),
        weights=tuple(weights or (1.0,) * len(amounts)),
        carry_over=carry_over,
    )


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_order_of_opening_follows_the_families(name: str) -> None:
    # EUR 100 a year buys one house a year: the 30 families first, then 20, then 10
    solution = solve_phases(line(), phases(100, 100, 100), solver_spec(name))
    schedule = solution.phases
    assert schedule is not None
    assert schedule.opened().tolist() == [0, 1, 2]
    assert schedule.spend.tolist() == [100.0, 100.0, 100.0]
    assert schedule.coverage.tolist() == [30.0, 50.0, 60.0]
    assert solution.objective == pytest.approx((30 + 50 + 60) / 3)
    assert solution.result.proven_optimal
    assert solution.house.tolist() == [True, True, True]


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_carry_over_lets_unspent_money_buy_later(name: str) -> None:
    # 50 / 150 / 100: without carry-over the first 50 lapse, 150 buys one house, 100 one more
    plain = solve_phases(line(), phases(50, 150, 100), solver_spec(name)).phases
    assert plain is not None
    assert plain.opened().tolist() == [1, 2, -1]
    assert plain.spend.tolist() == [0.0, 100.0, 100.0]
    # with carry-over: 200 by the second phase (two houses), 300 by the third (all three)
    carried = solve_phases(line(), phases(50, 150, 100, carry_over=True), solver_spec(name))
    assert carried.phases is not None
    assert carried.phases.opened().tolist() == [1, 1, 2]
    assert carried.phases.spend.tolist() == [0.0, 200.0, 100.0]


def test_weights_decide_between_now_and_later() -> None:
    # S0 (EUR 100) reaches 30 families, S1 (EUR 200) reaches 45. With EUR 100 a year carried
    # over, S0 can open now (30 in both years, then no money for S1) or the plan waits for S1
    # (0, then 45). Equal weights open S0 now; nearly all weight on the last year waits.
    instance = line(cost_house=np.array([100.0, 200.0, 300.0]), weight=np.array([30.0, 45.0, 1.0]))
    early = solve_phases(instance, phases(100, 100, carry_over=True), solver_spec("highs"))
    late = solve_phases(
        instance, phases(100, 100, carry_over=True, weights=(1e-3, 1.0)), solver_spec("highs")
    )
    assert early.phases is not None
    assert late.phases is not None
    assert early.phases.opened().tolist() == [0, -1, -1]
    assert early.objective == pytest.approx(30.0)
    assert late.phases.opened().tolist() == [-1, 1, -1]
    assert late.objective == pytest.approx(45.0 / 1.001)


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_an_antenne_needs_its_house_open_in_the_same_phase(name: str) -> None:
    # sector 0 is reached only by an antenne at S1 (cheap, 40), whose only house is S2 (100);
    # 40 in the first year cannot open the antenne (no house yet); 140 in the second opens both
    d = np.array([[50.0, 5.0, 50.0], [50.0, 50.0, 50.0], [50.0, 50.0, 50.0]])
    e = np.full((3, 3), 50.0)
    np.fill_diagonal(e, 0.0)
    e[1, 2] = e[2, 1] = 5.0
    instance = line(
        d=d,
        e=e,
        can_antenne=np.array([False, True, False]),
        can_house=np.array([False, False, True]),
        alpha=0.5,
        weight=np.array([30.0, 0.0, 0.0]),
    )
    schedule = solve_phases(instance, phases(40, 140), solver_spec(name)).phases
    assert schedule is not None
    assert schedule.opened().tolist() == [-1, 1, 1]
    assert schedule.antenne[1, 1]
    assert schedule.house[1, 2]
    assert not schedule.antenne[0].any()


@pytest.mark.parametrize("seed", range(6))
def test_one_phase_is_todays_model(seed: int) -> None:
    instance = random_instance(seed)
    budget = instance.budget if np.isfinite(instance.budget) else 1e4
    instance = dataclasses.replace(instance, budget=budget)
    try:
        plain = solve_coverage(instance, solver_spec("highs"))
    except InfeasibleError:
        with pytest.raises(InfeasibleError):
            solve_phases(instance, phases(budget), solver_spec("highs"))
        return
    phased = solve_phases(instance, phases(budget), solver_spec("highs"))
    assert phased.house.tolist() == plain.house.tolist()
    assert phased.antenne.tolist() == plain.antenne.tolist()
    assert phased.objective == plain.objective
    assert phased.result.objective == plain.result.objective
    assert phased.tie_break_exact == plain.tie_break_exact


def best_schedule(instance: CoverageInstance, budgets: PhaseBudgets) -> float | None:
    """The best weighted mean coverage over every opening schedule, by enumeration."""
    shares = budgets.shares
    plans = []
    for total in budgets.cumulative:
        enumerated = brute_force(dataclasses.replace(instance, budget=float(total)), MAX_COVERAGE)
        plans.append(enumerated)
    roles = plans[0]["roles"]  # the same enumeration order in every phase
    house, antenne, cost = roles == 1, roles == 2, plans[0]["cost"]
    # a plan q may follow p when every house (antenne) of p is one of q
    stays = (house[:, None, :] & ~house[None, :, :]) | (antenne[:, None, :] & ~antenne[None, :, :])
    follows = ~stays.any(axis=2)
    value = np.where(plans[0]["ok"], shares[0] * plans[0]["value"], -INF)
    for t in range(1, len(plans)):
        allowed = follows & plans[t]["ok"][None, :]
        if not budgets.carry_over:
            allowed &= (cost[None, :] - cost[:, None]) <= budgets.amounts[t] + 1e-9
        chained = np.where(allowed, value[:, None], -INF).max(axis=0)
        value = chained + shares[t] * plans[t]["value"]
    best = float(value.max())
    return best if np.isfinite(best) else None


def phase_case(seed: int) -> tuple[CoverageInstance, Any, np.random.Generator]:
    """A small random instance and its phases' budgets; most without the rules of every phase.

    A universal floor, a minimum number of houses, required houses or a house per group hold
    in every phase, so with the small first budgets of a rollout they mostly make it
    infeasible: they stay in one seed of four.
    """
    rng = np.random.default_rng(7000 + seed)
    instance = random_instance(seed, n_j=5 if seed % 3 else 4)
    if seed % 4:
        rules = dataclasses.replace(
            instance.rules,
            universal_floor=False,
            min_houses=None,
            required_house=np.zeros(instance.n_sites, dtype=bool),
            house_groups=(),
        )
        n_i = instance.n_sectors
        instance = dataclasses.replace(
            instance,
            rules=rules,
            radius_house=np.full(n_i, 10.0),  # fewer sectors per site: more to open later
            radius_frequent=np.full(n_i, 7.0),
        )
    n_phases = 3 if seed % 3 == 0 else 2
    amounts = rng.choice([0.0, 30.0, 60.0, 100.0, 150.0], size=n_phases)
    return instance, amounts, rng


@pytest.mark.parametrize("seed", range(18))
def test_brute_force_phases(seed: int) -> None:
    instance, amounts, rng = phase_case(seed)
    n_phases = len(amounts)
    budgets = phases(
        *amounts,
        carry_over=bool(seed % 2),
        weights=tuple(rng.choice([0.5, 1.0, 2.0], size=n_phases)),
    )
    best = best_schedule(instance, budgets)
    name = SOLVER_NAMES[seed % 2]
    if best is None:
        with pytest.raises(InfeasibleError):
            solve_phases(instance, budgets, solver_spec(name))
        return
    solution = solve_phases(instance, budgets, solver_spec(name))
    schedule = solution.phases
    assert schedule is not None
    assert solution.result.proven_optimal
    assert schedule.objective == pytest.approx(best, abs=1e-6)
    # opened stays open, and every phase within its budget
    assert not (schedule.house[:-1] & ~schedule.house[1:]).any()
    assert not (schedule.antenne[:-1] & ~schedule.antenne[1:]).any()
    if budgets.carry_over:
        assert (np.cumsum(schedule.spend) <= budgets.cumulative + 1e-6).all()
    else:
        assert (schedule.spend <= np.asarray(budgets.amounts) + 1e-6).all()


def test_brute_force_phase_seeds_are_not_trivial() -> None:
    """Enough seeds have a schedule whose phases differ (something opens after the first)."""
    differing = 0
    for seed in range(18):
        instance, amounts, _ = phase_case(seed)
        budgets = phases(*amounts, carry_over=bool(seed % 2))
        if best_schedule(instance, budgets) is None:
            continue
        schedule = solve_phases(instance, budgets, solver_spec("highs")).phases
        assert schedule is not None
        differing += int((schedule.opened() > 0).any())
    assert differing >= 5


# --------------------------------------------------------------------------- whole runs

DEMO = ROOT / "scenarios" / "demo.yaml"
THREE = [{"year": 2027 + t, "amount_eur": 500_000} for t in range(3)]


def test_demo_in_one_phase_is_the_plain_demo() -> None:
    plain, _ = run_capturing(load_scenario(DEMO))
    one = load_scenario(DEMO, overrides={"budget.phases": [{"year": 2027, "amount_eur": 1.5e6}]})
    phased, _ = run_capturing(one)
    for key in ("objective", "bound", "cost", "houses", "antennes", "coverage", "tie_break"):
        assert phased.summary[key] == plain.summary[key], key
    assert phased.sites["role"].tolist() == plain.sites["role"].tolist()
    assert phased.summary["phases"]["by_year"]["2027"]["coverage"] == plain.summary["coverage"]


@pytest.fixture(scope="module")
def demo_phases() -> Any:
    return run_capturing(load_scenario(DEMO, overrides={"budget.phases": THREE}))


def test_demo_phases_in_the_summary_and_sites(demo_phases: Any) -> None:
    plan, _ = demo_phases
    block = plan.summary["phases"]
    assert block["years"] == [2027, 2028, 2029]
    assert "phases" in plan.summary["checked"]
    shares = [block["by_year"][y]["coverage"]["house"] for y in ("2027", "2028", "2029")]
    assert shares == sorted(shares)  # opened stays open
    assert block["by_year"]["2029"]["coverage"] == plan.summary["coverage"]
    opened = plan.sites.loc[plan.sites["phase_year"].notna()]
    assert set(opened["phase_year"].astype(int)) <= {2027, 2028, 2029}
    assert (opened["role"] != "closed").all()
    spend = sum(block["by_year"][y]["spend"] for y in block["by_year"])
    assert spend == pytest.approx(plan.summary["cost"])


def test_plan_check_rejects_a_phase_moved_or_a_phase_figure_changed(demo_phases: Any) -> None:
    plan, case = demo_phases
    first = plan.sites["phase_year"].dropna().index[0]
    moved = plan.sites.copy()
    moved.loc[first, "phase_year"] = 2029 if moved.loc[first, "phase_year"] != 2029 else 2027
    with pytest.raises(PlanCheckError, match="phase"):
        check_plan(dataclasses.replace(plan, sites=moved), case.inputs, case.demand, case.travel)
    summary = {**plan.summary, "phases": {**plan.summary["phases"]}}
    by_year = {**summary["phases"]["by_year"]}
    by_year["2027"] = {**by_year["2027"], "spend": by_year["2027"]["spend"] + 1000.0}
    summary["phases"]["by_year"] = by_year
    with pytest.raises(PlanCheckError, match=r"phases\.2027\.spend"):
        check_plan(
            dataclasses.replace(plan, summary=summary), case.inputs, case.demand, case.travel
        )


def test_scenario_gent_phases_parses() -> None:
    scenario = load_scenario(Path(ROOT / "scenarios" / "gent_phases.yaml"))
    assert [p.year for p in scenario.budget.phases] == [2027, 2028, 2029]
    assert scenario.budget.amount_eur == 3_000_000


def test_outputs_of_a_phased_run(demo_phases: Any, tmp_path: Path) -> None:
    from planner.report.outputs import write_outputs  # noqa: PLC0415 - writes maps and note

    plan, _ = demo_phases
    written = write_outputs(plan, tmp_path / "out")
    rows = written["phases.csv"].read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("year,budget,available,spend,spend_cumulative,houses")
    assert [row.split(",")[0] for row in rows[1:]] == ["2027", "2028", "2029"]
    page = written["map.html"].read_text(encoding="utf-8")
    assert all(f"Jaar {year}:" in page for year in (2027, 2028, 2029))
    note = written["note.html"].read_text(encoding="utf-8")
    assert "Jaar per jaar" in note
    assert "Volgorde van opening: 2027:" in note
    import pyogrio  # noqa: PLC0415

    sites = pyogrio.read_dataframe(written["plan.gpkg"], layer="sites")
    assert sites["phase_year"].dropna().astype(int).isin([2027, 2028, 2029]).all()


def test_note_in_english_says_year_by_year(demo_phases: Any) -> None:
    from planner.report.note import note_content, note_html  # noqa: PLC0415

    plan, _ = demo_phases
    page = note_html(note_content(plan, language="en"), map_image=None)
    assert "Year by year" in page
    assert "Order of opening: 2027:" in page


def test_demo_carry_over_without_keeping_existing_sites_passes_the_check() -> None:
    phases_ = [{"year": 2027, "amount_eur": 0}] + [
        {"year": 2028 + t, "amount_eur": 500_000} for t in range(2)
    ]
    overrides = {
        "budget.phases": phases_,
        "budget.amount_eur": 1e6,
        "budget.carry_over": True,
        "objective.keep_existing": False,
    }
    plan, _ = run_capturing(load_scenario(DEMO, overrides=overrides))
    by_year = plan.summary["phases"]["by_year"]
    assert "phases" in plan.summary["checked"]
    assert by_year["2027"]["spend"] == 0.0
    assert by_year["2029"]["spend"] > 500_000  # money left in 2028 carried over
    assert by_year["2029"]["spend_cumulative"] <= 1e6


def test_phases_with_alternatives_are_refused_in_one_line() -> None:
    from planner.errors import ScenarioError  # noqa: PLC0415

    with pytest.raises(ScenarioError) as caught:
        load_scenario(
            ROOT / "scenarios" / "demo.yaml",
            {
                "budget.phases": [
                    {"year": 2027, "amount_eur": 5e5},
                    {"year": 2028, "amount_eur": 5e5},
                ],
                "budget.amount_eur": 1e6,
                "objective.alternatives": 3,
            },
        )
    assert len(caught.value.problems) == 1
    assert "budget.phases and objective.alternatives cannot be combined" in caught.value.problems[0]
