"""Distance decay: the functions by hand, the hard-standard limit, the objective by enumeration."""

from __future__ import annotations

import itertools
import json
from typing import TYPE_CHECKING

import numpy as np
import pytest
from pydantic import ValidationError

from planner.model import CoverageInstance, DecayFunction, decay_rows, solve_coverage
from planner.optimise import solve_attendance
from planner.report.note_text import attendance_sentence
from planner.scenario import DecaySpec
from planner.workflows import pipeline
from tests.conftest import SOLVER_NAMES, solver_spec
from tests.test_model import brute_force, random_instance

if TYPE_CHECKING:
    from tests.conftest import TinyCity

INF = np.inf


# --------------------------------------------------------------------------- the functions


def test_logistic_by_hand() -> None:
    f = DecayFunction("logistic", steepness=8, cutoff=2)
    s = np.array([0.0, 1.0, 1.5, 2.0, 2.0001, INF])
    expected = [1 / (1 + np.exp(-8)), 0.5, 1 / (1 + np.exp(4)), 1 / (1 + np.exp(8)), 0, 0]
    np.testing.assert_allclose(f(s), expected)


def test_linear_by_hand() -> None:
    f = DecayFunction("linear", start=0.5, end=1.5)
    np.testing.assert_allclose(
        f(np.array([0.2, 0.5, 1.0, 1.25, 1.5, 3.0])), [1, 1, 0.5, 0.25, 0, 0]
    )


def test_step_is_the_hard_standard() -> None:
    f = DecayFunction("step")
    np.testing.assert_array_equal(f(np.array([0.0, 1.0, 1.0000001, INF])), [1, 1, 0, 0])
    grid, values = f.levels()
    assert grid.tolist() == [1.0]
    assert values.tolist() == [1.0]
    assert f.bound() == 0.0


def test_grid_and_bound_by_hand() -> None:
    # linear from 1 at 0.5 R to 0 at 1.5 R, m = 4: levels 0.25 ... 1.5, values at upper ends
    f = DecayFunction("linear", start=0.5, end=1.5, levels_per_standard=4)
    grid, values = f.levels()
    np.testing.assert_allclose(grid, [0.25, 0.5, 0.75, 1.0, 1.25, 1.5])
    np.testing.assert_allclose(values, [1, 1, 0.75, 0.5, 0.25, 0])
    assert f.bound() == pytest.approx(0.25)  # the fall over one step of 0.25 R
    # the step function at minutes, R = 20: 10 min -> 1, 10.1 -> 0.75 (next level 15 min)
    np.testing.assert_allclose(
        f.step_values(np.array([10.0, 10.1, 15.0, 29.9, 30.0, 31.0, INF]), np.full(7, 20.0)),
        [1, 0.75, 0.75, 0, 0, 0, 0],
    )


def test_steep_logistic_tends_to_the_step() -> None:
    s = np.array([0.0, 0.5, 0.9, 1.1, 1.5, 3.0])
    np.testing.assert_allclose(
        DecayFunction(steepness=500)(s), DecayFunction("step")(s), atol=1e-20
    )


# --------------------------------------------------------------------------- bad parameters


@pytest.mark.parametrize(
    ("fields", "needle"),
    [
        ({"steepness": 0}, "decay.steepness must be > 0, got 0"),
        ({"steepness": -2}, "decay.steepness must be > 0, got -2"),
        ({"function": "linear", "start": 1.0, "end": 1.0}, "must be below decay.end"),
        ({"function": "linear", "start": 0.9, "end": 0.8}, "decay.end must be >= 1"),
        ({"cutoff": 0.9}, "decay.cutoff must be >= 1"),
        ({"start": 1.2}, "decay.start must be in 0..1"),
        ({"levels_per_standard": 0}, "levels_per_standard"),
    ],
)
def test_bad_parameters_one_line_each(fields: dict[str, object], needle: str) -> None:
    with pytest.raises(ValidationError, match=needle) as raised:
        DecaySpec.model_validate(fields)
    assert len(raised.value.errors()) == 1


# --------------------------------------------------------------------------- replicated rows


def test_decay_rows_by_hand() -> None:
    # one row, R_H = 10, R_A = 5, linear 0.5..1.5, m = 2: levels s = 0.5, 1, 1.5 with
    # g = 1, 0.5, 0; house radii 5, 10, 15, frequent radii 2.5, 5, 7.5. Sites at 4 and 12 min:
    # level 0 has the 4 in the house reach; level 1 adds it to the frequent reach; level 2
    # adds the 12 to the house reach but weighs g_2 - 0 = 0. Weights 10 (1 - 0.5), 10 (0.5 - 0).
    f = DecayFunction("linear", start=0.5, end=1.5, levels_per_standard=2)
    rows = decay_rows(
        f, np.array([[4.0, 12.0]]), np.array([10.0]), np.array([10.0]), np.array([5.0])
    )
    assert rows.row.tolist() == [0, 0]
    assert rows.level.tolist() == [0, 1]  # level 2 (g = 0 onwards) weighs nothing
    np.testing.assert_allclose(rows.radius_house, [5.0, 10.0])
    np.testing.assert_allclose(rows.radius_frequent, [2.5, 5.0])
    np.testing.assert_allclose(rows.weight, [5.0, 5.0])


def two_sites(budget: float = 1.0) -> CoverageInstance:
    """Two sites, one house to place, houses only (alpha = 1), R_H = 10 min.

    ``S0`` is 2 minutes from 100 families (A) and out of reach of B; ``S1`` is 9 minutes from
    both A (100) and B (30). The hard standard takes S1 (130 families within 10 minutes
    against 100); with decay S0 brings 100 f(0.2) = 99.8 expected families against
    130 f(0.9) = 89.7 (logistic, k = 8: f(0.2) = 0.9983, f(0.9) = 0.6900).
    """
    return CoverageInstance(
        weight=np.array([100.0, 30.0]),
        d=np.array([[2.0, 9.0], [25.0, 9.0]]),
        e=np.zeros((2, 2)),
        cost_house=np.ones(2),
        cost_antenne=np.ones(2),
        can_house=np.ones(2, dtype=bool),
        can_antenne=np.zeros(2, dtype=bool),
        existing_house=np.zeros(2, dtype=bool),
        existing_antenne=np.zeros(2, dtype=bool),
        forbidden=np.zeros(2, dtype=bool),
        budget=budget,
        radius_house=np.full(2, 10.0),
        radius_frequent=np.full(2, 5.0),
        link_max=15.0,
        alpha=1.0,
    )


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_decay_prefers_the_site_close_to_many(name: str) -> None:
    instance = two_sites()
    hard = solve_coverage(instance, solver_spec(name))
    assert hard.house.tolist() == [False, True]
    assert hard.objective == pytest.approx(130.0)
    decay = DecayFunction("logistic", steepness=8, levels_per_standard=20)
    plan = solve_attendance(instance, decay, solver_spec(name))
    assert plan.house.tolist() == [True, False]
    # 2 min = 0.2 R lies on the grid: g = f(0.2) exactly
    assert plan.objective == pytest.approx(100 / (1 + np.exp(8 * (0.2 - 1))), rel=1e-9)
    assert plan.covered_house.tolist() == [True, False]  # the hard figures at the rows
    assert plan.coverage_objective == pytest.approx(100.0)
    assert plan.model == "max_attendance"
    assert plan.figures["decay_bound"] == pytest.approx(decay.bound(), abs=1e-6)


@pytest.mark.parametrize("name", SOLVER_NAMES)
@pytest.mark.parametrize("seed", range(6))
def test_step_gives_exactly_the_hard_standard_plan(seed: int, name: str) -> None:
    instance = random_instance(seed)
    try:
        hard = solve_coverage(instance, solver_spec(name))
    except Exception as error:  # noqa: BLE001 - the same error must come from the decay model
        with pytest.raises(type(error)):
            solve_attendance(instance, DecayFunction("step"), solver_spec(name))
        return
    step = solve_attendance(instance, DecayFunction("step"), solver_spec(name))
    assert step.objective == pytest.approx(hard.objective, abs=1e-6)
    assert step.coverage_objective == pytest.approx(hard.coverage_objective, abs=1e-6)
    assert step.cost == pytest.approx(hard.cost)  # the same tie-break among equal plans
    np.testing.assert_array_equal(step.covered_house, hard.covered_house)
    np.testing.assert_array_equal(step.covered_frequent, hard.covered_frequent)


def brute_force_attendance(inst: CoverageInstance, decay: DecayFunction) -> np.ndarray:
    """The step-function attendance of every plan, written apart from the model."""
    roles, ok, _, _ = brute_force(inst)
    grid, values = decay.levels()
    value = np.zeros(len(roles))
    for tier, radius, share in (
        ("house", inst.radius_house, inst.alpha),
        ("frequent", inst.radius_frequent, 1 - inst.alpha),
    ):
        open_ = (roles == 1) if tier == "house" else (roles >= 1)
        d = np.where(open_[:, np.newaxis, :], inst.d[np.newaxis, :, :], INF)
        t = d.min(axis=2)  # plans x rows
        within = t[:, :, np.newaxis] <= radius[np.newaxis, :, np.newaxis] * grid
        first = np.where(within.any(axis=2), within.argmax(axis=2), grid.size)
        value += share * (np.concatenate([values, [0.0]])[first] @ inst.weight)
    return np.where(ok, value, -INF)


@pytest.mark.parametrize("name", SOLVER_NAMES)
@pytest.mark.parametrize(
    ("seed", "decay"),
    list(
        itertools.product(
            range(8),
            [
                DecayFunction("logistic", steepness=6, cutoff=1.6, levels_per_standard=5),
                DecayFunction("linear", start=0.3, end=1.4, levels_per_standard=4),
            ],
        )
    ),
)
def test_brute_force_decay(seed: int, decay: DecayFunction, name: str) -> None:
    instance = random_instance(seed)
    value = brute_force_attendance(instance, decay)
    if not np.isfinite(value).any():
        return
    plan = solve_attendance(instance, decay, solver_spec(name))
    assert plan.result.proven_optimal
    assert plan.objective == pytest.approx(value.max(), abs=1e-6)


# --------------------------------------------------------------------------- the pipeline


def run_tiny(city: TinyCity, **sections: object) -> dict[str, object]:
    raw = city.raw_scenario()
    raw.update(sections)
    plan = pipeline.run(city.write_scenario(raw))
    assert plan.summary["check"] == "passed"
    assert "attendance" in plan.summary["checked"]
    return plan.summary


def test_step_attendance_equals_coverage_and_plan(tiny_city: TinyCity) -> None:
    hard = run_tiny(tiny_city, decay={"function": "step"})
    step = run_tiny(tiny_city, decay={"function": "step"}, objective={"kind": "max_attendance"})
    for summary in (hard, step):
        attendance, coverage = summary["attendance"], summary["coverage"]
        for key in ("house", "frequent", "house_neediest_quintile", "frequent_neediest_quintile"):
            assert attendance[key] == pytest.approx(coverage[key], abs=1e-6)
    assert step["coverage"] == hard["coverage"]
    assert step["cost"] == hard["cost"]
    assert step["objective"] == pytest.approx(hard["objective"], abs=1e-6)


def test_attendance_is_reported_for_every_plan(tiny_city: TinyCity) -> None:
    summary = run_tiny(tiny_city)
    attendance = summary["attendance"]
    assert attendance["function"] == "logistic, k = 8, f(R) = 0.5, cut-off 2 R"
    # a family within the standard comes with probability > 1/2: attendance within coverage
    assert 0 < attendance["house"] <= 1
    assert attendance["house"] <= summary["coverage"]["house"] + 0.5
    json.dumps(summary)
    sentence = attendance_sentence(summary, "en")
    assert sentence.startswith("If the chance that a family comes falls with travel time")
    assert attendance_sentence(summary, "nl").startswith("Als de kans dat een gezin komt")


def test_decay_objective_through_the_pipeline(tiny_city: TinyCity) -> None:
    hard = run_tiny(tiny_city)
    decay = run_tiny(tiny_city, objective={"kind": "max_attendance"})
    assert decay["model"] == "max_attendance"
    figures = decay["model_figures"]
    assert figures["decay_rows"] > 0
    assert figures["decay_bound"] == pytest.approx(0.098688, abs=1e-6)
    # the solver's objective is the step attendance, less the cost tie-break
    assert decay["objective"] == pytest.approx(figures["attendance_step"], rel=1e-3)
    assert hard["model"] == "max_coverage"
