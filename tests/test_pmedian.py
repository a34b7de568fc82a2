"""The p-median model: hand-checked plans, brute force on random instances, benchmarks."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import shortest_path

from planner.errors import DataError, InfeasibleError
from planner.model import pmedian as pmedian_module
from planner.model.pmedian import (
    FacilitySolution,
    check_facility_inputs,
    nearest_open,
    pmedian_heuristic,
    solve_pmedian,
)
from planner.scenario import SolverSpec
from tests.conftest import ORLIB, SOLVER_NAMES, needs_orlib
from tests.conftest import solver_spec as spec

ROOT = Path(__file__).resolve().parent.parent


def brute_force(
    d: np.ndarray, weight: np.ndarray, p: int, fixed: np.ndarray, forbidden: np.ndarray
) -> float | None:
    """Best objective over every plan of exactly p sites; None when no plan reaches all."""
    free = [j for j in range(d.shape[1]) if not fixed[j] and not forbidden[j]]
    best = None
    for extra in itertools.combinations(free, p - int(fixed.sum())):
        columns = np.flatnonzero(fixed).tolist() + list(extra)
        nearest = d[:, columns].min(axis=1)
        if not np.isfinite(nearest).all():
            continue
        value = float((weight * nearest).sum())
        best = value if best is None else min(best, value)
    return best


def random_instance(seed: int) -> tuple[np.ndarray, np.ndarray, int, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n_demand, n_sites = int(rng.integers(5, 13)), int(rng.integers(4, 10))
    d = rng.integers(0, 30, (n_demand, n_sites)).astype(float)
    if seed % 3 == 0:
        d += rng.random((n_demand, n_sites))  # non-integer costs
    d[rng.random(d.shape) < 0.15] = np.inf
    weight = rng.integers(0, 5, n_demand).astype(float)
    p = int(rng.integers(1, min(4, n_sites) + 1))
    fixed = np.zeros(n_sites, dtype=bool)
    forbidden = np.zeros(n_sites, dtype=bool)
    if seed % 2 == 0:
        fixed[rng.integers(0, n_sites)] = True
    if seed % 4 == 1:
        forbidden[rng.choice(n_sites, size=2, replace=False)] = True
        forbidden &= ~fixed
    return d, weight, p, fixed, forbidden


def graph_distances(n: int, extra: int, seed: int) -> np.ndarray:
    """Shortest paths on a random connected graph: a random tree plus random edges."""
    rng = np.random.default_rng(seed)
    child = np.arange(1, n)
    parent = rng.integers(0, child)
    a, b = rng.integers(0, n, extra), rng.integers(0, n, extra)
    src, dst = np.concatenate((child, a)), np.concatenate((parent, b))
    cost = rng.integers(1, 100, src.size).astype(float)
    return shortest_path(csr_matrix((cost, (src, dst)), shape=(n, n)), directed=False)


def check_plan(solution: FacilitySolution, d: np.ndarray, weight: np.ndarray, p: int) -> None:
    assert int(solution.open.sum()) == p
    assert solution.open[solution.assign].all()
    assign, dist = nearest_open(d, solution.open)
    np.testing.assert_array_equal(solution.assign, assign)
    assert solution.objective == pytest.approx(float((weight * dist).sum()))
    assert not solution.open.flags.writeable
    assert not solution.assign.flags.writeable


# --------------------------------------------------------------------------- tiny instances


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_line_by_hand(name: str) -> None:
    # Points at 0, 1, 2, 10, 11 on a line; sites at the same places. p = 2: open 1 and 10
    # (or 11): cost 1 + 0 + 1 + 0 + 1 = 3 with weights 1.
    where = np.array([0.0, 1.0, 2.0, 10.0, 11.0])
    d = np.abs(where[:, None] - where[None, :])
    solution = solve_pmedian(d, np.ones(5), 2, solver=spec(name))
    assert solution.objective == pytest.approx(3.0)
    assert solution.open[1]
    assert solution.open[3]  # ties: the lowest index of the pair 10/11
    assert solution.result.proven_optimal
    assert solution.result.status == "optimal"
    assert solution.result.bound == pytest.approx(3.0)
    assert solution.result.gap == 0.0
    check_plan(solution, d, np.ones(5), 2)
    # A heavy point at 11 pulls the second site there.
    weight = np.array([1.0, 1.0, 1.0, 1.0, 5.0])
    heavy = solve_pmedian(d, weight, 2, solver=spec(name))
    assert heavy.open[4]
    assert heavy.objective == pytest.approx(3.0)


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_fixed_and_forbidden_by_hand(name: str) -> None:
    where = np.array([0.0, 1.0, 2.0, 10.0, 11.0])
    d = np.abs(where[:, None] - where[None, :])
    # Site 1 forbidden, site 0 fixed: open 0 and 10: 0 + 1 + 2 + 0 + 1 = 4.
    solution = solve_pmedian(
        d,
        np.ones(5),
        2,
        fixed_open=[0],
        forbidden=np.array([0, 1, 0, 0, 0], dtype=bool),
        solver=spec(name),
    )
    assert solution.objective == pytest.approx(4.0)
    assert solution.open[0]
    assert not solution.open[1]
    assert solution.result.proven_optimal


def test_heuristic_finds_the_obvious_plan() -> None:
    where = np.array([0.0, 1.0, 2.0, 10.0, 11.0, 12.0])
    cost = np.abs(where[:, None] - where[None, :])
    plan = pmedian_heuristic(cost, 2, fixed=np.zeros(6, dtype=bool), allowed=np.ones(6, dtype=bool))
    np.testing.assert_array_equal(np.flatnonzero(plan), [1, 4])
    # Deterministic, and respects fixed / allowed sites.
    fixed = np.zeros(6, dtype=bool)
    fixed[5] = True
    allowed = np.array([True, False, True, True, True, True])
    plan = pmedian_heuristic(cost, 2, fixed=fixed, allowed=allowed)
    assert plan[5]
    assert not plan[1]
    assert int(plan.sum()) == 2


# --------------------------------------------------------------------------- brute force


@pytest.mark.parametrize("seed", range(20))
def test_brute_force(seed: int) -> None:
    d, weight, p, fixed, forbidden = random_instance(seed)
    name = SOLVER_NAMES[seed % 2]
    expected = brute_force(d, weight, p, fixed, forbidden)
    if expected is None:
        with pytest.raises(InfeasibleError, match=r"p-median"):
            solve_pmedian(d, weight, p, fixed_open=fixed, forbidden=forbidden, solver=spec(name))
        return
    solution = solve_pmedian(d, weight, p, fixed_open=fixed, forbidden=forbidden, solver=spec(name))
    assert solution.objective == pytest.approx(expected, abs=1e-6)
    assert solution.result.proven_optimal
    assert solution.result.bound == pytest.approx(expected, abs=1e-6)
    assert solution.open[fixed].all()
    assert not solution.open[forbidden].any()
    check_plan(solution, d, weight, p)


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_graph_instance_needs_the_milp(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # This graph has an LP gap: the MILP must close it.
    d = graph_distances(120, 240, 5)
    calls: list[int] = []
    real = pmedian_module.solve_milp

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pmedian_module, "solve_milp", counted)
    solution = solve_pmedian(d, np.ones(120), 5, solver=spec(name), method="radius")
    assert calls
    assert solution.stats["lp_bound"] < solution.objective
    assert solution.result.proven_optimal
    assert solution.objective == pytest.approx(4814.0)
    check_plan(solution, d, np.ones(120), 5)


# --------------------------------------------------------------------------- honesty


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_time_limited_milp_is_not_proven(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    d = graph_distances(120, 240, 5)
    real = pmedian_module.solve_milp

    def hurried(model: Any, solver: SolverSpec, **kwargs: Any) -> Any:
        return real(model, solver.model_copy(update={"time_limit_s": 0.01}), **kwargs)

    monkeypatch.setattr(pmedian_module, "solve_milp", hurried)
    solution = solve_pmedian(d, np.ones(120), 5, solver=spec(name), method="radius")
    result = solution.result
    assert result.status == "feasible"
    assert not result.proven_optimal
    assert result.bound is not None
    assert result.bound < solution.objective
    assert result.gap is not None
    assert 0.0 < result.gap <= 1.0
    assert "stopped" in result.detail
    check_plan(solution, d, np.ones(120), 5)


def test_tiny_time_limit_keeps_the_heuristic_plan() -> None:
    d = graph_distances(150, 300, 1)
    solution = solve_pmedian(d, np.ones(150), 6, solver=spec("highs", time_limit_s=1e-6))
    result = solution.result
    assert not result.proven_optimal
    assert result.status == "feasible"
    assert result.gap is not None
    assert 0.0 < result.gap <= 1.0
    # The bound is still a true lower bound: every point pays its nearest distance.
    assert result.bound == pytest.approx(float(d.min(axis=1).sum()))
    check_plan(solution, d, np.ones(150), 6)


# --------------------------------------------------------------------------- errors


def test_infeasible_rules_are_named() -> None:
    d = np.arange(12, dtype=float).reshape(3, 4)
    cbc = SolverSpec(name="cbc")
    with pytest.raises(InfeasibleError, match=r"sites #1 are both fixed open and forbidden"):
        solve_pmedian(d, np.ones(3), 2, fixed_open=[1], forbidden=[1], solver=cbc)
    with pytest.raises(InfeasibleError, match=r"3 sites are fixed open but p = 2"):
        solve_pmedian(d, np.ones(3), 2, fixed_open=[0, 1, 2], solver=cbc)
    with pytest.raises(InfeasibleError, match=r"p = 3 sites must open but only 2 are not"):
        solve_pmedian(d, np.ones(3), 3, forbidden=[0, 3], solver=cbc)
    stranded = d.copy()
    stranded[2, :] = np.inf
    with pytest.raises(InfeasibleError, match=r"demand points #2 cannot reach any allowed site"):
        solve_pmedian(stranded, np.ones(3), 1, solver=cbc)


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_no_p_sites_reach_everyone(name: str) -> None:
    # Point 0 reaches only site 0, point 1 only site 1: one site cannot serve both.
    d = np.array([[1.0, np.inf], [np.inf, 1.0]])
    with pytest.raises(InfeasibleError, match=r"no 1 sites reach every demand point"):
        solve_pmedian(d, np.ones(2), 1, solver=spec(name))


def test_bad_inputs_are_all_listed() -> None:
    cbc = SolverSpec(name="cbc")
    with pytest.raises(DataError, match=r"expected a non-empty 2-D array"):
        solve_pmedian(np.ones(3), np.ones(3), 1, solver=cbc)
    d = np.ones((3, 4))
    d[1, 2] = np.nan
    d[2, 0] = -1.0
    with pytest.raises(DataError) as info:
        solve_pmedian(
            d,
            np.array([1.0, -2.0]),
            0,
            fixed_open=[7],
            forbidden=np.ones(3, dtype=bool),
            solver=cbc,
        )
    message = str(info.value)
    assert "demand points #1, #2 have NaN or negative distances" in message
    assert "weight: expected 3 numbers" in message
    assert "p: expected an integer >= 1" in message
    assert "fixed_open: site indices must be in 0..3, got 7" in message
    assert "forbidden: expected a boolean mask of shape (4,)" in message
    with pytest.raises(DataError, match=r"p: expected an integer >= 1"):
        check_facility_inputs(np.ones((2, 2)), True)
    with pytest.raises(DataError, match=r"weight: demand points #0 are not finite"):
        check_facility_inputs(np.ones((2, 2)), 1, weight=np.array([np.inf, 1.0]))


def test_inputs_accept_masks_and_indices() -> None:
    inputs = check_facility_inputs(
        np.ones((2, 3)), 2, fixed_open=np.array([0]), forbidden=[False, False, True]
    )
    np.testing.assert_array_equal(inputs.fixed, [True, False, False])
    np.testing.assert_array_equal(inputs.allowed, [True, True, False])
    np.testing.assert_array_equal(inputs.weight, [1.0, 1.0])
    assert not inputs.d.flags.writeable


# --------------------------------------------------------------------------- OR-Library


@needs_orlib
@pytest.mark.parametrize(
    ("name", "instance", "optimum"),
    [("cbc", "pmed1", 5819.0), ("highs", "pmed1", 5819.0), ("highs", "pmed2", 4093.0)],
)
def test_orlib_to_the_published_optimum(name: str, instance: str, optimum: float) -> None:
    from planner.data.instances import read_orlib_pmed  # noqa: PLC0415 (only with the data)

    data = read_orlib_pmed(ORLIB / f"{instance}.txt")
    solution = solve_pmedian(data.d, data.weight, data.p, solver=spec(name))
    assert solution.objective == optimum
    assert solution.result.proven_optimal
    assert solution.result.bound == pytest.approx(optimum)
    check_plan(solution, data.d, data.weight, data.p)
