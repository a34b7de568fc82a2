"""The p-center model: hand-checked plans, brute force on random instances, benchmarks."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import shortest_path

from planner.errors import DataError, InfeasibleError
from planner.model import pcenter as pcenter_module
from planner.model.pcenter import pcenter_heuristic, solve_pcenter
from planner.model.pmedian import FacilitySolution, nearest_open
from planner.scenario import SolverSpec
from tests.conftest import ORLIB, SOLVER_NAMES, needs_orlib
from tests.conftest import solver_spec as spec

ROOT = Path(__file__).resolve().parent.parent


def brute_force(d: np.ndarray, p: int, fixed: np.ndarray, forbidden: np.ndarray) -> float | None:
    """Smallest radius over every plan of exactly p sites; None when none reaches all."""
    free = [j for j in range(d.shape[1]) if not fixed[j] and not forbidden[j]]
    best = None
    for extra in itertools.combinations(free, p - int(fixed.sum())):
        columns = np.flatnonzero(fixed).tolist() + list(extra)
        radius = float(d[:, columns].min(axis=1).max())
        if np.isfinite(radius):
            best = radius if best is None else min(best, radius)
    return best


def random_instance(seed: int) -> tuple[np.ndarray, int, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(100 + seed)
    n_demand, n_sites = int(rng.integers(5, 14)), int(rng.integers(4, 10))
    d = rng.integers(0, 40, (n_demand, n_sites)).astype(float)
    if seed % 3 == 0:
        d += rng.random((n_demand, n_sites))
    d[rng.random(d.shape) < 0.1] = np.inf
    p = int(rng.integers(1, min(4, n_sites) + 1))
    fixed = np.zeros(n_sites, dtype=bool)
    forbidden = np.zeros(n_sites, dtype=bool)
    if seed % 2 == 0:
        fixed[rng.integers(0, n_sites)] = True
    if seed % 4 == 1:
        forbidden[rng.choice(n_sites, size=2, replace=False)] = True
        forbidden &= ~fixed
    return d, p, fixed, forbidden


def graph_distances(n: int, extra: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    child = np.arange(1, n)
    parent = rng.integers(0, child)
    a, b = rng.integers(0, n, extra), rng.integers(0, n, extra)
    src, dst = np.concatenate((child, a)), np.concatenate((parent, b))
    cost = rng.integers(1, 100, src.size).astype(float)
    return shortest_path(csr_matrix((cost, (src, dst)), shape=(n, n)), directed=False)


def check_plan(solution: FacilitySolution, d: np.ndarray, p: int) -> None:
    assert int(solution.open.sum()) == p
    assign, dist = nearest_open(d, solution.open)
    np.testing.assert_array_equal(solution.assign, assign)
    assert solution.objective == pytest.approx(float(dist.max()))


# --------------------------------------------------------------------------- tiny instances


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_line_by_hand(name: str) -> None:
    # Points at 0, 1, 2, 10, 11, 12; sites at the same places. p = 2: sites 1 and 11,
    # radius 1. p = 1: the site at 2 or 10 reaches the far end within 10.
    where = np.array([0.0, 1.0, 2.0, 10.0, 11.0, 12.0])
    d = np.abs(where[:, None] - where[None, :])
    two = solve_pcenter(d, 2, solver=spec(name))
    assert two.objective == pytest.approx(1.0)
    np.testing.assert_array_equal(two.open_sites, [1, 4])
    assert two.result.proven_optimal
    assert two.result.bound == pytest.approx(1.0)
    assert two.result.gap == 0.0
    check_plan(two, d, 2)
    one = solve_pcenter(d, 1, solver=spec(name))
    assert one.objective == pytest.approx(10.0)
    assert one.result.proven_optimal
    # Forbid 1 and fix 5: the other site goes to 0 or 2 (radius 2 from 12 to 10 is 2).
    fixed = solve_pcenter(d, 2, fixed_open=[5], forbidden=[1], solver=spec(name))
    assert fixed.objective == pytest.approx(2.0)
    assert fixed.open[5]
    assert not fixed.open[1]


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_more_sites_than_needed_are_still_p(name: str) -> None:
    # Two points, four sites, p = 3: radius 0, and exactly three sites open.
    d = np.array([[0.0, 5.0, 9.0, 9.0], [5.0, 0.0, 9.0, 9.0]])
    solution = solve_pcenter(d, 3, solver=spec(name))
    assert solution.objective == 0.0
    assert int(solution.open.sum()) == 3
    assert solution.result.proven_optimal


def test_heuristic_plan() -> None:
    where = np.array([0.0, 1.0, 2.0, 10.0, 11.0, 12.0])
    d = np.abs(where[:, None] - where[None, :])
    plan = pcenter_heuristic(d, 2, fixed=np.zeros(6, dtype=bool), allowed=np.ones(6, dtype=bool))
    assert int(plan.sum()) == 2
    assert float(d[:, plan].min(axis=1).max()) == pytest.approx(1.0)


# --------------------------------------------------------------------------- brute force


@pytest.mark.parametrize("seed", range(20))
def test_brute_force(seed: int) -> None:
    d, p, fixed, forbidden = random_instance(seed)
    name = SOLVER_NAMES[seed % 2]
    expected = brute_force(d, p, fixed, forbidden)
    if expected is None:
        with pytest.raises(InfeasibleError, match=r"p-center"):
            solve_pcenter(d, p, fixed_open=fixed, forbidden=forbidden, solver=spec(name))
        return
    solution = solve_pcenter(d, p, fixed_open=fixed, forbidden=forbidden, solver=spec(name))
    assert solution.objective == pytest.approx(expected)
    assert solution.result.proven_optimal
    assert solution.result.bound == pytest.approx(expected)
    assert solution.open[fixed].all()
    assert not solution.open[forbidden].any()
    check_plan(solution, d, p)


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_graph_instance(name: str) -> None:
    d = graph_distances(150, 300, 3)
    solution = solve_pcenter(d, 6, solver=spec(name))
    assert solution.result.proven_optimal
    assert solution.stats["heuristic_objective"] >= solution.objective
    check_plan(solution, d, 6)
    # A necessary condition of optimality: greedy set cover cannot serve every point within
    # the next smaller radius with p sites either.
    smaller = d[d < solution.objective].max()
    cover = d <= smaller
    assert not _greedy_certificate(cover, 6)


def _greedy_certificate(cover: np.ndarray, p: int) -> bool:
    """Whether greedy set cover covers every point with p sites (a quick sanity check)."""
    missing = np.ones(cover.shape[0], dtype=bool)
    for _ in range(p):
        gain = cover[missing].sum(axis=0)
        missing &= ~cover[:, int(np.argmax(gain))]
    return not missing.any()


# --------------------------------------------------------------------------- honesty


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_time_limited_search_is_not_proven(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    d = graph_distances(150, 300, 3)
    real = pcenter_module.solve_milp
    calls: list[bool] = []

    def stopped(model: Any, solver: SolverSpec, **kwargs: Any) -> Any:
        # The first covering problem of the MILP search runs out of time.
        if model.is_mip:
            calls.append(True)
            solver = solver.model_copy(update={"time_limit_s": 1e-6})
        return real(model, solver, **kwargs)

    monkeypatch.setattr(pcenter_module, "solve_milp", stopped)
    solution = solve_pcenter(d, 6, solver=spec(name))
    result = solution.result
    assert calls
    assert not result.proven_optimal
    assert result.status == "feasible"
    assert result.bound is not None
    assert result.bound < solution.objective
    assert result.gap is not None
    assert 0.0 < result.gap <= 1.0
    check_plan(solution, d, 6)


def test_tiny_time_limit_keeps_the_heuristic_plan() -> None:
    d = graph_distances(150, 300, 3)
    solution = solve_pcenter(d, 6, solver=spec("highs", time_limit_s=1e-6))
    assert not solution.result.proven_optimal
    assert solution.result.gap is not None
    assert 0.0 < solution.result.gap <= 1.0
    assert solution.objective == solution.stats["heuristic_objective"]
    check_plan(solution, d, 6)


# --------------------------------------------------------------------------- errors


def test_infeasible_rules_are_named() -> None:
    d = np.arange(12, dtype=float).reshape(3, 4)
    cbc = SolverSpec(name="cbc")
    with pytest.raises(InfeasibleError, match=r"p-center: sites #0 are both fixed open"):
        solve_pcenter(d, 2, fixed_open=[0], forbidden=[0], solver=cbc)
    with pytest.raises(InfeasibleError, match=r"p-center: 2 sites are fixed open but p = 1"):
        solve_pcenter(d, 1, fixed_open=[0, 1], solver=cbc)
    with pytest.raises(InfeasibleError, match=r"p = 4 sites must open but only 3"):
        solve_pcenter(d, 4, forbidden=[2], solver=cbc)
    with pytest.raises(DataError, match=r"p-center p: expected an integer >= 1"):
        solve_pcenter(d, 0, solver=cbc)


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_no_p_sites_reach_everyone(name: str) -> None:
    d = np.array([[1.0, np.inf], [np.inf, 1.0]])
    with pytest.raises(InfeasibleError, match=r"p-center: no 1 sites reach every demand point"):
        solve_pcenter(d, 1, solver=spec(name))


# --------------------------------------------------------------------------- OR-Library


@needs_orlib
@pytest.mark.parametrize(
    ("name", "instance", "optimum"),
    [("cbc", "pmed1", 127.0), ("highs", "pmed1", 127.0), ("highs", "pmed6", 84.0)],
)
def test_orlib_to_the_published_optimum(name: str, instance: str, optimum: float) -> None:
    from planner.data.instances import read_orlib_pmed  # noqa: PLC0415 (only with the data)

    data = read_orlib_pmed(ORLIB / f"{instance}.txt")
    solution = solve_pcenter(data.d, data.p, solver=spec(name))
    assert solution.objective == optimum
    assert solution.result.proven_optimal
    assert solution.result.bound == optimum
    check_plan(solution, data.d, data.p)
