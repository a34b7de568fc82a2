"""``min_cost_targets``: the cheapest plan reaching stated shares, which target binds.

A hand-checkable city, brute force over every plan of small random instances (numpy
enumeration, written apart from the model), and the targets no plan can reach.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from planner.errors import InfeasibleError, PlanCheckError
from planner.model import CoverageInstance, CoverageTarget, plan_problems, solve_targets
from planner.model.coverage.targets import TARGETS
from planner.report.note_remarks import remark
from planner.results.check import check_plan
from tests.conftest import SOLVER_NAMES, run_capturing, solver_spec
from tests.test_catalogue import brute_force, random_instance

if TYPE_CHECKING:
    from planner.results.plan import Plan
    from tests.conftest import Case, TinyCity

INF = np.inf

# Sectors A, B, C with 10, 20 and 70 families. Houses only matter: S0 reaches A (EUR 1),
# S1 reaches B (EUR 2), S2 reaches C (EUR 5), S3 reaches A and B (EUR 2.5).
HAND_D = np.array(
    [
        [5.0, 50.0, 50.0, 5.0],
        [50.0, 5.0, 50.0, 5.0],
        [50.0, 50.0, 5.0, 50.0],
    ]
)


def hand(**overrides: Any) -> CoverageInstance:
    values: dict[str, Any] = {
        "weight": np.array([10.0, 20.0, 70.0]),
        "d": HAND_D,
        "e": np.where(np.eye(4, dtype=bool), 0.0, 50.0),
        "cost_house": np.array([1.0, 2.0, 5.0, 2.5]),
        "cost_antenne": np.full(4, 0.5),
        "can_house": np.ones(4, dtype=bool),
        "can_antenne": np.zeros(4, dtype=bool),
        "existing_house": np.zeros(4, dtype=bool),
        "existing_antenne": np.zeros(4, dtype=bool),
        "forbidden": np.zeros(4, dtype=bool),
        "budget": INF,
        "radius_house": np.full(3, 10.0),
        "radius_frequent": np.full(3, 10.0),
        "link_max": 10.0,
        "families": np.array([10.0, 20.0, 70.0]),
        "sector_ids": ("A", "B", "C"),
        "site_ids": ("S0", "S1", "S2", "S3"),
    }
    values.update(overrides)
    return CoverageInstance(**values)


def target(name: str, member: list[bool], share: float, *, frequent: bool = False) -> Any:
    return CoverageTarget(name, frequent, np.array(member), share)


EVERYONE = [True, True, True]
ONLY_A = [True, False, False]


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_hand_cheapest_plan_and_the_binding_target(name: str) -> None:
    # 25 % of everyone: S3 (A + B, 30 families) for EUR 2.5 beats S0 + S1 (3) and S2 (5);
    # all of A: S0 for EUR 1. Together: S3 for 2.5. Without "everyone" A alone costs 1, so
    # "everyone" binds; without "all of A" the plan still costs 2.5: it does not bind.
    targets = (target("all 25 %", EVERYONE, 0.25), target("A 100 %", ONLY_A, 1.0))
    solution = solve_targets(hand(), targets, solver_spec(name))
    assert solution.model == "min_cost_targets"
    assert solution.house.tolist() == [False, False, False, True]
    assert solution.cost == pytest.approx(2.5)
    assert solution.objective == pytest.approx(2.5)
    assert solution.result.proven_optimal
    everyone, only_a = solution.targets
    assert everyone.reached == pytest.approx(0.3)
    assert only_a.reached == pytest.approx(1.0)
    assert everyone.binds
    assert not only_a.binds
    assert everyone.cost_without == pytest.approx(1.0)
    assert only_a.cost_without == pytest.approx(2.5)
    assert everyone.cost_alone == pytest.approx(2.5)
    assert only_a.cost_alone == pytest.approx(1.0)
    assert everyone.proven
    assert only_a.proven


def test_hand_share_just_above_a_site_needs_the_next_one() -> None:
    # 31 % of everyone: S0, S1 and S3 together reach only A and B (30 %), so C's site S2
    # (EUR 5) is needed, and alone it reaches 70 %.
    solution = solve_targets(hand(), (target("all 31 %", EVERYONE, 0.31),), solver_spec("highs"))
    assert solution.house.tolist() == [False, False, True, False]
    assert solution.cost == pytest.approx(5.0)
    (only,) = solution.targets
    assert only.binds
    assert only.cost_without == pytest.approx(0.0)


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_hand_target_above_any_plan_names_the_most_that_can_be_reached(name: str) -> None:
    forbidden = np.array([False, False, True, False])  # C's only site forbidden: 30 % at most
    with pytest.raises(InfeasibleError, match=r"no plan reaches more than 30\.0 %"):
        solve_targets(
            hand(forbidden=forbidden), (target("all 50 %", EVERYONE, 0.5),), solver_spec(name)
        )


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_hand_budget_below_the_cheapest_plan_names_its_cost(name: str) -> None:
    # 80 % of everyone: C (70) and A (10) at least, S2 + S0 for EUR 6
    with pytest.raises(InfeasibleError, match=r"below the cheapest plan .*EUR 6;"):
        solve_targets(hand(budget=2.0), (target("all 80 %", EVERYONE, 0.8),), solver_spec(name))


def test_hand_frequent_target_uses_antennes() -> None:
    # frequent standard: a house or antenne within R_A; an antenne needs a house within L.
    e = np.where(np.eye(4, dtype=bool), 0.0, 5.0)
    instance = hand(can_antenne=np.ones(4, dtype=bool), e=e)
    targets = (target("frequent all 100 %", EVERYONE, 1.0, frequent=True),)
    solution = solve_targets(instance, targets, solver_spec("highs"))
    # cheapest: one house (S0, EUR 1) and antennes at S2 and S3 (0.5 each), or similar: 2.0
    assert solution.cost == pytest.approx(2.0)
    assert solution.covered_frequent.all()
    assert not plan_problems(instance, solution.house, solution.antenne, solution_form(targets))


def solution_form(targets: tuple[CoverageTarget, ...]) -> Any:
    return dataclasses.replace(TARGETS, targets=targets)


# --------------------------------------------------------------------------- brute force


def random_targets(instance: CoverageInstance, seed: int) -> tuple[CoverageTarget, ...]:
    rng = np.random.default_rng(5000 + seed)
    n_i = instance.n_sectors
    group = rng.random(n_i) < 0.5
    group[int(rng.integers(n_i))] = True
    return (
        CoverageTarget(
            "all", bool(rng.random() < 0.5), np.ones(n_i, dtype=bool), float(rng.choice([0.5, 0.8]))
        ),
        CoverageTarget("group", bool(rng.random() < 0.5), group, float(rng.choice([0.6, 0.9]))),
    )


def met(
    instance: CoverageInstance, targets: tuple[CoverageTarget, ...], H: np.ndarray, A: np.ndarray
) -> np.ndarray:
    """Plans meeting every target, counted in families (independent of the model)."""
    fam = instance.family_counts()
    reach_h = np.isfinite(instance.d) & (instance.d <= instance.radius_house[:, None])
    reach_a = np.isfinite(instance.d) & (instance.d <= instance.radius_frequent[:, None])
    cover_h = (H.astype(int) @ reach_h.T.astype(int)) > 0
    cover_a = ((H | A).astype(int) @ reach_a.T.astype(int)) > 0
    ok = np.ones(H.shape[0], dtype=bool)
    for t in targets:
        cover = cover_a if t.frequent else cover_h
        total = fam[t.member].sum()
        ok &= cover[:, t.member] @ fam[t.member] >= t.share * total - 1e-9
    return ok


@pytest.mark.parametrize("seed", range(24))
def test_brute_force_targets(seed: int) -> None:
    name = SOLVER_NAMES[seed % 2]
    instance = random_instance(seed)
    targets = random_targets(instance, seed)
    enumerated = brute_force(instance, TARGETS)
    H, A = enumerated["roles"] == 1, enumerated["roles"] == 2
    ok = enumerated["ok"] & met(instance, targets, H, A)
    if not ok.any():
        with pytest.raises(InfeasibleError):
            solve_targets(instance, targets, solver_spec(name))
        return
    solution = solve_targets(instance, targets, solver_spec(name))
    assert solution.result.proven_optimal
    assert solution.cost == pytest.approx(enumerated["cost"][ok].min())
    assert not plan_problems(instance, solution.house, solution.antenne, solution_form(targets))
    for k, outcome in enumerate(solution.targets):
        others = targets[:k] + targets[k + 1 :]
        without = enumerated["ok"] & met(instance, others, H, A)
        assert outcome.cost_without == pytest.approx(enumerated["cost"][without].min())
        assert outcome.binds == (enumerated["cost"][without].min() < solution.cost - 0.5)
        alone = enumerated["ok"] & met(instance, (targets[k],), H, A)
        assert outcome.cost_alone == pytest.approx(enumerated["cost"][alone].min())


def test_brute_force_target_seeds_are_not_trivial() -> None:
    feasible = binding = 0
    for seed in range(24):
        instance = random_instance(seed)
        targets = random_targets(instance, seed)
        enumerated = brute_force(instance, TARGETS)
        H, A = enumerated["roles"] == 1, enumerated["roles"] == 2
        ok = enumerated["ok"] & met(instance, targets, H, A)
        feasible += bool(ok.any())
        binding += (
            bool(ok.any())
            and enumerated["cost"][ok].min() > enumerated["cost"][enumerated["ok"]].min()
        )
    assert feasible >= 12, feasible
    assert binding >= 6, binding


# --------------------------------------------------------------------------- the pipeline


def targets_plan(tiny_city: TinyCity) -> tuple[Plan, Case]:
    raw = tiny_city.raw_scenario()
    raw["standards"] = {"house_min": 25, "frequent_min": 20, "link_min": 20}
    raw["objective"] = {
        "kind": "min_cost_targets",
        "targets": [
            {"standard": "house", "group": "neediest_fifth", "share": 0.9},
            {"standard": "frequent", "group": "all", "share": 0.6},
        ],
    }
    return run_capturing(tiny_city.write_scenario(raw))


def test_pipeline_reports_and_checks_the_targets(tiny_city: TinyCity) -> None:
    plan, case = targets_plan(tiny_city)
    summary = plan.summary
    assert summary["check"] == "passed"
    assert "targets" in summary["checked"]
    block = summary["targets"]
    assert block["cost"] == summary["cost"]
    assert [item["key"] for item in block["items"]] == [
        "objective.targets[0]",
        "objective.targets[1]",
    ]
    for item in block["items"]:
        assert item["reached"] >= item["share"]
        assert item["binds"] == (item["cost_without"] < summary["cost"] - 0.5)
    assert block["binding"] == [item["key"] for item in block["items"] if item["binds"]]
    assert any("objective.targets[0]: 90 % of neediest fifth" in n for n in summary["notes"])
    dutch = [remark(n, "nl") for n in summary["notes"] if "objective.targets" in n]
    assert dutch[0].startswith("Het goedkoopste plan dat de doelen haalt kost €")
    assert dutch[1].startswith("Doel 1: 90 % van het meest kwetsbare vijfde met een huis")
    assert dutch[2].startswith("Doel 2: 60 % van alle gezinnen met een huis of antenne")
    # the independent check: a reached share that is off, and a plan that misses a target
    corrupted = copy.deepcopy(summary)
    corrupted["targets"]["items"][1]["reached"] += 0.01
    with pytest.raises(PlanCheckError, match=r"objective.targets\[1\].reached"):
        check_plan(
            dataclasses.replace(plan, summary=corrupted), case.inputs, case.demand, case.travel
        )
    sites = plan.sites.copy()
    sites.loc[sites["role"] != "closed", ["role", "cost"]] = ["closed", 0.0]
    closed = dataclasses.replace(plan, sites=sites)
    with pytest.raises(PlanCheckError, match=r"objective.targets\[\d\] asks"):
        check_plan(closed, case.inputs, case.demand, case.travel)
