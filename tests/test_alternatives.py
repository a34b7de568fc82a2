"""Near-optimal alternatives: the K best distinct plans, by no-good cuts on one HiGHS model.

A hand-checkable instance whose second and third best plans are known; brute force over every
plan of small random instances (as in ``tests/test_catalogue.py``): the K best objective values
of the search equal the K best of the enumeration, per house set or per whole plan; every
alternative passes the independent plan check; the outputs (``alternatives.csv``,
``robust_sites.csv``, the comparison, the note's table) and the command line.
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.errors import DataError
from planner.model import CoverageInstance, plan_problems
from planner.model.alternatives import alternatives_form, solve_alternatives
from planner.model.coverage import MAX_COVERAGE
from planner.model.coverage import build as build_module
from planner.report.note_alternatives import alternatives_intro, alternatives_rows
from planner.scenario import load_scenario
from planner.workflows.alternatives import run_alternatives, write_alternatives
from tests.conftest import solver_spec
from tests.test_catalogue import FORMS, brute_force, random_instance

if TYPE_CHECKING:
    from pathlib import Path

    from tests.conftest import TinyCity

INF = np.inf
runner = CliRunner()

# Three sites, houses only (no antenne can open): S0 reaches sectors A and B, S1 reaches B and
# C, S2 reaches C (5 minutes; the others 30). Weights A 40, B 30, C 20; a house costs 100,
# S2 90; the budget pays two houses. Every family within R_H = 10 is also within R_A = 6 of
# its house, so a plan's value is the weight it reaches. The seven plans, best first (among
# equal coverage the cheaper):
#   {S0, S2} 90 @ 190, {S0, S1} 90 @ 200, {S0} 70 @ 100, {S1} 50 @ 100, {S1, S2} 50 @ 190,
#   {S2} 20 @ 90, {} 0 @ 0.
HAND_D = np.array([[5.0, 30.0, 30.0], [5.0, 5.0, 30.0], [30.0, 5.0, 5.0]])
HAND_ORDER = [({0, 2}, 90.0, 190.0), ({0, 1}, 90.0, 200.0), ({0}, 70.0, 100.0)]


def hand(**overrides: Any) -> CoverageInstance:
    values: dict[str, Any] = {
        "weight": np.array([40.0, 30.0, 20.0]),
        "d": HAND_D,
        "e": np.array([[0.0, 8.0, 9.0], [8.0, 0.0, 7.0], [9.0, 7.0, 0.0]]),
        "cost_house": np.array([100.0, 100.0, 90.0]),
        "cost_antenne": np.array([30.0, 30.0, 30.0]),
        "can_house": np.ones(3, dtype=bool),
        "can_antenne": np.zeros(3, dtype=bool),
        "existing_house": np.zeros(3, dtype=bool),
        "existing_antenne": np.zeros(3, dtype=bool),
        "forbidden": np.zeros(3, dtype=bool),
        "budget": 200.0,
        "radius_house": np.full(3, 10.0),
        "radius_frequent": np.full(3, 6.0),
        "link_max": 10.0,
        "sector_ids": ("A", "B", "C"),
        "site_ids": ("S0", "S1", "S2"),
    }
    values.update(overrides)
    return CoverageInstance(**values)


def houses(solution: Any) -> set[int]:
    return {int(j) for j in np.flatnonzero(solution.house)}


def test_hand_second_and_third_best() -> None:
    found = solve_alternatives(hand(), MAX_COVERAGE, solver_spec("highs"), 3)
    got = [(houses(s), s.coverage_objective, s.cost) for s in found.solutions]
    assert got == [(h, pytest.approx(v), pytest.approx(c)) for h, v, c in HAND_ORDER]
    assert found.proven_next_best == (True, True, True)
    assert not found.exhausted
    assert found.stopped is None
    # the second plan reaches as many families as the best, for more money: its tie-break
    # (cheapest of its coverage) is exact, and it is proven the next best
    assert all(s.tie_break_exact for s in found.solutions)


def test_hand_more_than_there_are_returns_all_and_says_so() -> None:
    found = solve_alternatives(hand(), MAX_COVERAGE, solver_spec("highs"), 20)
    assert len(found.solutions) == 7
    assert found.exhausted
    values = [round(s.coverage_objective, 6) for s in found.solutions]
    assert values == [90.0, 90.0, 70.0, 50.0, 50.0, 20.0, 0.0]
    assert [s.cost for s in found.solutions] == [190.0, 200.0, 100.0, 100.0, 190.0, 90.0, 0.0]


def test_hand_differ_in_two_houses() -> None:
    # After {S0, S2}: {S0, S1} differs in S1 and S2; then only plans two houses away from
    # both: {S1, S2} (50) and the empty plan; nothing else.
    found = solve_alternatives(hand(), MAX_COVERAGE, solver_spec("highs"), 10, differ=2)
    assert [houses(s) for s in found.solutions] == [{0, 2}, {0, 1}, {1, 2}, set()]
    assert found.exhausted


def test_kept_houses_cannot_differ() -> None:
    # Every house is existing and kept: there is one plan only.
    instance = hand(existing_house=np.ones(3, dtype=bool))
    found = solve_alternatives(instance, MAX_COVERAGE, solver_spec("highs"), 3)
    assert len(found.solutions) == 1
    assert found.exhausted


def test_bad_arguments() -> None:
    with pytest.raises(DataError, match="at least 1"):
        solve_alternatives(hand(), MAX_COVERAGE, solver_spec("highs"), 0)
    with pytest.raises(DataError, match=r"needs solver\.name: highs"):
        solve_alternatives(hand(), MAX_COVERAGE, solver_spec("cbc"), 2)
    with pytest.raises(DataError, match="p_median does not support alternatives"):
        alternatives_form("p_median", 2)


# --- brute force ---------------------------------------------------------------------------


def _expected(instance: CoverageInstance, form: Any, differ_in: str) -> list[tuple[float, float]]:
    """The best (value, cost) per distinct plan, best first, from the enumeration."""
    enumerated = brute_force(instance, form)
    ok = enumerated["ok"]
    roles = enumerated["roles"]
    best: dict[tuple[int, ...], tuple[float, float]] = {}
    for index in np.flatnonzero(ok):
        house = roles[index] == 1
        if not form.antennes:  # antennes outside a houses-only model: the houses decide
            key = tuple(house.astype(int))
        else:
            key = tuple(roles[index]) if differ_in == "sites" else tuple(house.astype(int))
        value = float(enumerated["value"][index])
        cost = float(enumerated["cost"][index])
        score = (-cost, -value) if form.objective == "cost" else (value, -cost)
        if key not in best or score > best[key]:
            best[key] = score
    return sorted(best.values(), reverse=True)


def _score(solution: Any, form: Any) -> tuple[float, float]:
    if form.objective == "cost":
        return (-solution.cost, -round(solution.coverage_objective, 6))
    value = solution.coverage_objective if form.antennes else solution.figures["covered_weight"]
    return (round(float(value), 6), -solution.cost)


@pytest.mark.parametrize("differ_in", ["houses", "sites"])
@pytest.mark.parametrize("form_name", list(FORMS))
@pytest.mark.parametrize("seed", range(8))
def test_brute_force_k_best(form_name: str, seed: int, differ_in: str) -> None:
    form = FORMS[form_name]
    instance = random_instance(seed)
    if not form.antennes:
        rules = dataclasses.replace(instance.rules, max_antennes=None)
        instance = dataclasses.replace(instance, rules=rules)
    expected = _expected(instance, form, differ_in)
    if not expected:
        return  # infeasible: the catalogue's tests cover it
    k = 6
    found = solve_alternatives(instance, form, solver_spec("highs"), k, differ_in=differ_in)
    got = [_score(s, form) for s in found.solutions]
    if form.objective == "cost":  # only the costs rank a covering plan
        assert [g[0] for g in got] == pytest.approx([e[0] for e in expected[:k]])
    else:
        assert [g[0] for g in got] == pytest.approx([round(e[0], 6) for e in expected[:k]])
        assert [g[1] for g in got] == pytest.approx([e[1] for e in expected[:k]])
    assert found.exhausted == (len(expected) < k)
    assert all(found.proven_next_best)
    for solution in found.solutions:
        assert not plan_problems(instance, solution.house, solution.antenne, form)


def test_brute_force_seeds_have_alternatives() -> None:
    counts = [len(_expected(random_instance(seed), MAX_COVERAGE, "houses")) for seed in range(8)]
    assert sum(count >= 6 for count in counts) >= 3, counts


# --- the workflow, the outputs and the command --------------------------------------------


def _tiny_alternatives(city: TinyCity, count: int = 3, **objective: Any) -> Path:
    raw = city.raw_scenario()
    raw["objective"] = {"alternatives": count, **objective}
    raw["solver"] = {"name": "highs", "time_limit_s": 30}
    return city.write_scenario(raw, "alternatives.yaml")


def test_every_alternative_is_checked_and_written(tiny_city: TinyCity, tmp_path: Path) -> None:
    found = run_alternatives(load_scenario(_tiny_alternatives(tiny_city)))
    assert len(found.plans) == 3
    assert all(plan.summary["check"] == "passed" for plan in found.plans)
    block = found.best.summary["alternatives"]
    assert block["found"] == 3
    assert block["requested"] == 3
    assert [row["rank"] for row in block["plans"]] == [1, 2, 3]
    objectives = [row["objective"] for row in block["plans"]]
    assert objectives == sorted(objectives, reverse=True)
    for row in block["plans"][1:]:  # each differs from the best in at least one house
        assert row["houses_added"] or row["houses_removed"]
    out = tmp_path / "out"
    paths = write_alternatives(found, out)
    assert {"alternatives.csv", "robust_sites.csv", "alternatives", "note.html"} <= set(paths)
    csv_lines = (out / "alternatives.csv").read_text().splitlines()
    assert csv_lines[0].startswith("alternative,rank,objective,objective_vs_best")
    assert [line.split(",")[0] for line in csv_lines[1:]] == ["alt1", "alt2", "alt3"]
    robust = (out / "robust_sites.csv").read_text().splitlines()
    assert robust[0] == "site_id,name,role,existing,variants,share"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["alternatives"]["found"] == 3
    comparison = out / "alternatives"
    for name in ("comparison.csv", "comparison.json", "comparison.md", "map.html"):
        assert (comparison / name).is_file()
    assert "| alt1 | alt2 | alt3 |" in (comparison / "comparison.md").read_text()
    page = (comparison / "map.html").read_text()
    assert all(f'src="alt{k}/map.html"' in page for k in (1, 2, 3))
    note = (out / "note.html").read_text()
    assert "Even goed of bijna even goed" in note
    assert "bewezen het volgende beste" in note
    # same inputs, same bytes
    again = write_alternatives(run_alternatives(load_scenario(_tiny_alternatives(tiny_city))),
                               tmp_path / "again")  # fmt: skip
    for name in ("alternatives.csv", "robust_sites.csv", "summary.json"):
        assert (out / name).read_bytes() == again[name].read_bytes()


def test_cli_alternatives(tiny_city: TinyCity, tmp_path: Path) -> None:
    scenario = _tiny_alternatives(tiny_city, 1)
    out = str(tmp_path / "o")
    result = runner.invoke(
        app, ["run", str(scenario), "--alternatives", "2", "--lang", "en", "--out", out]
    )
    assert result.exit_code == 0, result.output
    assert "2 alternatives" in result.output
    assert "alt2: objective" in result.output
    assert "As good or nearly as good" in (tmp_path / "o" / "note.html").read_text()
    bad = runner.invoke(app, ["run", str(scenario), "--alternatives", "0"])
    assert bad.exit_code == 2
    lines = [line for line in bad.output.splitlines() if line.startswith("error:")]
    assert len(lines) == 1
    assert "--alternatives 0: expected the number of plans" in lines[0]


def test_cli_fewer_plans_than_asked(tiny_city: TinyCity, tmp_path: Path) -> None:
    scenario = _tiny_alternatives(tiny_city, 5, alternatives_differ=1000)
    result = runner.invoke(app, ["run", str(scenario), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert "only 1 distinct plan exists, 5 asked for" in result.output
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["alternatives"]["exhausted"] is True
    assert "Er bestaat maar 1 zulk plan" in (tmp_path / "o" / "note.html").read_text()


def test_note_labels_an_unproven_alternative() -> None:
    row = {
        "rank": 2,
        "objective": 90.0,
        "objective_vs_best_pct": -1.5,
        "families_house": 10.0,
        "families_house_vs_best": -2.0,
        "families_frequent": 8.0,
        "families_frequent_vs_best": 0.0,
        "cost": 1000.0,
        "cost_vs_best": 0.0,
        "houses_added": ["S1"],
        "houses_removed": ["S0"],
        "antennes_added": [],
        "antennes_removed": [],
        "proven_next_best": False,
        "gap": 0.0123,
    }
    best = {**row, "rank": 1, "proven_next_best": True, "houses_added": [], "houses_removed": []}
    summary = {
        "alternatives": {
            "found": 2, "requested": 4, "exhausted": False, "stopped": "solve 3 stopped",
            "differ": 1, "differ_in": "houses", "plans": [best, row],
            "site_names": {"S0": "Kerk", "S1": "School"},
        }
    }  # fmt: skip
    rows = alternatives_rows(summary, "nl")
    assert rows[1][-1] == "niet bewezen optimaal (afstand tot de grens 1,23 %)"
    assert rows[1][4] == "+ huis School; \u2212 huis Kerk"
    moved = {**row, "houses_added": [], "houses_removed": [], "antennes_added": ["S3", "S4"]}
    summary["alternatives"]["plans"] = [best, moved]
    assert alternatives_rows(summary, "en")[1][4] == "the same houses; antennes +2 / \u22120"
    assert rows[1][1] == "90 (\u22121,50 %)"
    assert "stopte na 2 van de 4" in alternatives_intro(summary, "nl")
    assert alternatives_rows({}, "nl") == []


def test_a_solve_stopped_by_its_time_limit_is_labelled(monkeypatch: pytest.MonkeyPatch) -> None:
    # The second solve stops at its time limit with a plan (simulated): that plan and every
    # later one are not proven the next best, and the gap is kept.
    from planner.model.coverage import alternatives as module  # noqa: PLC0415

    solve = module._Search._solve
    calls: list[int] = []

    def stopped(self: Any, spec: Any, **kwargs: Any) -> Any:
        result, x = solve(self, spec, **kwargs)
        calls.append(1)
        if len(calls) == 2:
            result = dataclasses.replace(result, status="feasible", proven_optimal=False, gap=0.02)
        return result, x

    monkeypatch.setattr(module._Search, "_solve", stopped)
    found = solve_alternatives(hand(), MAX_COVERAGE, solver_spec("highs"), 3)
    assert found.proven_next_best == (True, False, False)
    second = found.solutions[1]
    assert second.result.status == "feasible"
    assert second.tie_break_exact is False  # the tie-break runs only after a proof


@pytest.mark.parametrize("form_name", ["max_coverage", "mclp"])
@pytest.mark.parametrize("seed", range(8))
def test_brute_force_k_best_with_the_cost_term_below_tolerance(
    form_name: str, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With the cost term far below every solver tolerance (as with many sectors) only the
    # tie-breaks order plans of equal coverage: the first and last among all plans, the others
    # among their own houses and then by cost. The list is still the lexicographic K best.
    monkeypatch.setattr(build_module, "EPS_FRACTION", 1e-12)
    form = FORMS[form_name]
    instance = random_instance(seed)
    if not form.antennes:
        rules = dataclasses.replace(instance.rules, max_antennes=None)
        instance = dataclasses.replace(instance, rules=rules)
    expected = _expected(instance, form, "houses")
    if not expected:
        return
    k = 5
    found = solve_alternatives(instance, form, solver_spec("highs"), k)
    got = [_score(s, form) for s in found.solutions]
    assert [g[0] for g in got] == pytest.approx([round(e[0], 6) for e in expected[:k]])
    assert [g[1] for g in got] == pytest.approx([e[1] for e in expected[:k]])


def test_hand_ties_ordered_by_cost_below_tolerance(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_module, "EPS_FRACTION", 1e-12)
    found = solve_alternatives(hand(), MAX_COVERAGE, solver_spec("highs"), 4)
    assert [s.cost for s in found.solutions] == [190.0, 200.0, 100.0, 100.0]
    assert [houses(s) for s in found.solutions][:3] == [{0, 2}, {0, 1}, {0}]
