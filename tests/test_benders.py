"""The Benders p-median: hand-checked plans, brute force, the radius method, honesty, errors."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest

from planner.data.instances import read_tsplib, read_tsplib_optima
from planner.errors import DataError, InfeasibleError
from planner.model.base import check_facility_inputs
from planner.model.pmedian import solve_pmedian
from planner.model.pmedian_benders import (
    METHOD_BENDERS,
    _setup,
    pmedian_method,
)
from planner.model.pmedian_benders_master import critical_radius, cut_values
from planner.scenario import SolverSpec
from tests.conftest import ORLIB, needs_orlib
from tests.conftest import solver_spec as spec
from tests.test_pmedian import brute_force, check_plan, graph_distances, random_instance

if TYPE_CHECKING:
    from pathlib import Path

TSPLIB = ORLIB.parent / "tsplib_pmed"


def benders(d: np.ndarray, weight: np.ndarray, p: int, **kwargs: object) -> object:
    return solve_pmedian(d, weight, p, solver=spec("highs"), method="benders", **kwargs)


# --------------------------------------------------------------------------- tiny instances


def test_line_by_hand() -> None:
    # Points at 0, 1, 2, 10, 11; sites at the same places. p = 2: open 1 and 10 (or 11):
    # 1 + 0 + 1 + 0 + 1 = 3.
    where = np.array([0.0, 1.0, 2.0, 10.0, 11.0])
    d = np.abs(where[:, None] - where[None, :])
    solution = solve_pmedian(d, np.ones(5), 2, solver=spec("highs"), method="benders")
    assert solution.objective == 3.0
    assert solution.open[1]
    assert solution.open[3] or solution.open[4]
    assert solution.result.proven_optimal
    assert solution.result.bound == pytest.approx(3.0)
    assert solution.result.options["method"] == "benders"
    assert solution.method == METHOD_BENDERS
    check_plan(solution, d, np.ones(5), 2)
    # A heavy point at 11 pulls the second site there; fixed and forbidden sites are kept.
    heavy = solve_pmedian(
        d, np.array([1.0, 1.0, 1.0, 1.0, 5.0]), 2, solver=spec("highs"), method="benders"
    )
    assert heavy.open[4]
    fixed = solve_pmedian(
        d, np.ones(5), 2, fixed_open=[0], forbidden=[1], solver=spec("highs"), method="benders"
    )
    assert fixed.objective == 4.0  # 0 + 1 + 2 + 0 + 1 with sites 0 and 10
    assert fixed.open[0]
    assert not fixed.open[1]


def test_cut_is_tight_at_its_point_and_valid_at_every_plan() -> None:
    # One client at distances 4, 1, 7, 1 from four sites: sorted 1, 1, 4, 7.
    d = np.array([[4.0, 1.0, 7.0, 1.0]])
    state = _setup(check_facility_inputs(d, 1), spec("highs"), 0.0)
    # y = 0.3 on each of the two sites at 1 (running sum 0.6 < 1), 0.4 at 4: 1 is reached at 4.
    y = np.array([0.4, 0.3, 0.0, 0.3])
    radius = critical_radius(state, y)
    assert radius.tolist() == [4.0]
    # The subproblem's value: 1 + (4 - 1) * (1 - 0.6) = 2.2, and the cut gives the same.
    assert cut_values(state, radius, y).tolist() == pytest.approx([2.2])
    # Valid at every plan: never above the distance the plan serves the client at.
    for site in range(4):
        plan = np.zeros(4)
        plan[site] = 1.0
        for r in (1.0, 4.0, 7.0):
            assert cut_values(state, np.array([r]), plan)[0] <= d[0, site] + 1e-12


# --------------------------------------------------------------------------- brute force


@pytest.mark.parametrize("seed", range(16))
def test_brute_force_and_the_radius_method(seed: int) -> None:
    d, weight, p, fixed, forbidden = random_instance(seed)
    expected = brute_force(d, weight, p, fixed, forbidden)
    if expected is None:
        with pytest.raises(InfeasibleError, match=r"p-median"):
            benders(d, weight, p, fixed_open=fixed, forbidden=forbidden)
        return
    solution = benders(d, weight, p, fixed_open=fixed, forbidden=forbidden)
    assert solution.objective == pytest.approx(expected, abs=1e-6)
    assert solution.result.proven_optimal
    assert solution.result.bound == pytest.approx(expected, abs=1e-6)
    assert solution.open[fixed].all()
    assert not solution.open[forbidden].any()
    check_plan(solution, d, weight, p)
    radius = solve_pmedian(
        d, weight, p, fixed_open=fixed, forbidden=forbidden, solver=spec("highs"), method="radius"
    )
    assert radius.objective == pytest.approx(solution.objective, abs=1e-6)
    assert radius.result.options["method"] != "benders"


@pytest.mark.parametrize(("seed", "p"), [(5, 5), (3, 12), (7, 30)])
def test_graph_instances_equal_the_radius_method(seed: int, p: int) -> None:
    d = graph_distances(120, 240, seed)
    solution = benders(d, np.ones(120), p)
    radius = solve_pmedian(d, np.ones(120), p, solver=spec("highs"), method="radius")
    assert solution.result.proven_optimal
    assert radius.result.proven_optimal
    assert solution.objective == radius.objective
    check_plan(solution, d, np.ones(120), p)


def test_same_inputs_same_plan() -> None:
    d = graph_distances(100, 200, 2)
    first, second = benders(d, np.ones(100), 8), benders(d, np.ones(100), 8)
    np.testing.assert_array_equal(first.open, second.open)
    assert first.objective == second.objective


# --------------------------------------------------------------------------- honesty


def test_time_limit_reports_a_gap() -> None:
    d = graph_distances(150, 300, 1)
    solver = spec("highs", time_limit_s=1e-6)
    solution = solve_pmedian(d, np.ones(150), 6, solver=solver, method="benders")
    result = solution.result
    assert not result.proven_optimal
    assert result.status == "feasible"
    assert result.gap is not None
    assert 0.0 < result.gap <= 1.0
    # The bound is still a true lower bound: every point pays its nearest distance.
    assert result.bound == pytest.approx(float(d.min(axis=1).sum()))
    assert "time limit" in result.detail
    check_plan(solution, d, np.ones(150), 6)


# --------------------------------------------------------------------------- method and errors


def test_auto_rule() -> None:
    highs, cbc = SolverSpec(name="highs"), SolverSpec(name="cbc")
    assert pmedian_method(highs, "auto") == "benders"
    assert pmedian_method(cbc, "auto") == "radius"
    assert pmedian_method(highs, "radius") == "radius"
    assert pmedian_method(cbc, "benders") == "benders"  # then solve_pmedian_benders says why not
    with pytest.raises(DataError, match=r"expected 'auto', 'radius' or 'benders', got 'bender'"):
        pmedian_method(highs, "bender")  # type: ignore[arg-type]
    # The scenario's solver section carries the choice; solve_pmedian reads it.
    d = graph_distances(40, 80, 4)
    chosen = solve_pmedian(d, np.ones(40), 4, solver=spec("highs", pmedian_method="radius"))
    assert chosen.result.options["method"] != "benders"
    assert solve_pmedian(d, np.ones(40), 4, solver=spec("highs")).result.options["method"] == (
        "benders"
    )


def test_benders_needs_highs() -> None:
    d = graph_distances(30, 60, 4)
    with pytest.raises(DataError, match=r"method 'benders' needs solver.name: highs"):
        solve_pmedian(d, np.ones(30), 3, solver=SolverSpec(name="cbc"), method="benders")


def test_infeasible_p_raises_the_named_error() -> None:
    d = np.arange(12, dtype=float).reshape(3, 4)
    message = r"p = 5 sites must open but only 4 are not forbidden"
    for method in ("benders", "radius"):
        with pytest.raises(InfeasibleError, match=message):
            solve_pmedian(d, np.ones(3), 5, solver=spec("highs"), method=method)  # type: ignore[arg-type]
    # Point 0 reaches only site 0, point 1 only site 1: one site cannot serve both.
    apart = np.array([[1.0, np.inf], [np.inf, 1.0]])
    with pytest.raises(InfeasibleError, match=r"no 1 sites reach every demand point"):
        benders(apart, np.ones(2), 1)


# --------------------------------------------------------------------------- benchmarks


@needs_orlib
@pytest.mark.parametrize(("instance", "optimum"), [("pmed1", 5819.0), ("pmed4", 3034.0)])
def test_orlib_proven_at_the_published_optimum(instance: str, optimum: float) -> None:
    from planner.data.instances import read_orlib_pmed  # noqa: PLC0415 (only with the data)

    data = read_orlib_pmed(ORLIB / f"{instance}.txt")
    solution = benders(data.d, data.weight, data.p)
    assert solution.objective == optimum
    assert solution.result.proven_optimal
    assert solution.result.bound == optimum
    check_plan(solution, data.d, data.weight, data.p)


@pytest.mark.skipif(not TSPLIB.is_dir(), reason=f"TSPLIB instances not found at {TSPLIB}")
def test_tsplib_reader_and_a_large_p() -> None:
    optima = read_tsplib_optima(TSPLIB / "pmedian_opt.txt")
    assert len(optima) == 36
    assert optima[("fl1400", 500)] == (3764.0, False)
    data = read_tsplib(TSPLIB / "rl1304.tsp")
    assert data.n == 1304
    assert data.d[0, 1] == 440.0  # (15440, 8888) to (15440, 9328)
    solution = benders(data.d, data.weight, 500)
    assert solution.objective == optima[("rl1304", 500)][0]
    assert solution.result.proven_optimal


def test_tsplib_files_are_checked(tmp_path: Path) -> None:
    good = tmp_path / "tiny.tsp"
    good.write_text(
        "NAME : tiny\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n"
        "1 0 0\n2 3 4\n3 1 1\nEOF\n"
    )
    data = read_tsplib(good)
    assert data.d.tolist() == [[0.0, 5.0, 1.0], [5.0, 0.0, 3.0], [1.0, 3.0, 0.0]]  # floor(1.41)
    bad = tmp_path / "bad.tsp"
    bad.write_text("DIMENSION : 3\nEDGE_WEIGHT_TYPE : GEO\nNODE_COORD_SECTION\n1 0 0\n2 x 4\n")
    with pytest.raises(DataError) as error:
        read_tsplib(bad)
    text = str(error.value)
    assert "only EUC_2D is read" in text
    assert "line 5: expected 'index x y'" in text
    assert "DIMENSION is 3 but 1 coordinate lines follow" in text
    table = tmp_path / "opt.txt"
    table.write_text("# instance p optimum\ntiny 2 9\ntiny 1 12 best-known\ntiny 2 9\n")
    with pytest.raises(DataError, match=r"line 4: tiny p = 2 is listed twice"):
        read_tsplib_optima(table)
