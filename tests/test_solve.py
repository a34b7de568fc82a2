"""The solve layer: honest statuses, bounds and gaps for CBC and HiGHS."""

from __future__ import annotations

import json
import logging
from typing import Any

import numpy as np
import pulp
import pytest
from scipy import sparse

from planner.errors import DataError, SolverUnavailableError
from planner.scenario import SolverSpec
from planner.solve import (
    SOLVERS,
    MilpArrays,
    available_solvers,
    method_result,
    relative_gap,
    solve_lp,
    solve_milp,
    solve_problem,
)
from planner.solve import result as solve_module
from planner.solve.cbc import _classify_cbc, _read_cbc_columns
from planner.solve.highs import _classify_highs
from tests.conftest import SOLVER_NAMES
from tests.conftest import solver_spec as spec


def knapsack() -> pulp.LpProblem:
    # max 3x + 2y + 4z + 10  s.t.  2x + y + 3z <= 4, binary.
    # x+y: weight 3, value 5; y+z: weight 4, value 6; x+z: weight 5 (too heavy).
    # Optimum y = z = 1: 6 + 10 = 16.
    problem = pulp.LpProblem("knapsack", pulp.LpMaximize)
    x, y, z = (problem.add_variable(n, cat=pulp.LpBinary) for n in "xyz")
    problem += pulp.LpAffineExpression([(x, 3.0), (y, 2.0), (z, 4.0)], constant=10.0)
    problem += pulp.LpConstraint(
        pulp.LpAffineExpression([(x, 2.0), (y, 1.0), (z, 3.0)]), pulp.LpConstraintLE, "w", 4.0
    )
    return problem


def multi_knapsack(n: int = 100, m: int = 5, seed: int = 0) -> pulp.LpProblem:
    """A random 5-constraint multi-dimensional knapsack: incumbents come at once, proofs not.

    Neither CBC nor HiGHS proves it optimal within 20 s on a laptop (checked when written).
    """
    rng = np.random.default_rng(seed)
    weights = rng.integers(1, 1000, (m, n))
    capacity = weights.sum(axis=1) // 2
    value = weights.sum(axis=0) // m + rng.integers(0, 50, n)
    problem = pulp.LpProblem("mkp", pulp.LpMaximize)
    x = [problem.add_variable(f"x_{j}", cat=pulp.LpBinary) for j in range(n)]
    problem += pulp.LpAffineExpression([(x[j], float(value[j])) for j in range(n)])
    for i in range(m):
        problem += pulp.LpConstraint(
            pulp.LpAffineExpression([(x[j], float(weights[i, j])) for j in range(n)]),
            pulp.LpConstraintLE,
            f"capacity_{i}",
            float(capacity[i]),
        )
    return problem


# --------------------------------------------------------------------------- real solves


def test_available_solvers() -> None:
    names = available_solvers()
    assert set(names) <= set(SOLVERS)
    assert "cbc" in names  # bundled with pulp


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_optimal_is_proven(name: str) -> None:
    problem = knapsack()
    result = solve_problem(problem, spec(name))
    assert result.status == "optimal"
    assert result.proven_optimal
    assert result.objective == pytest.approx(16.0)
    assert result.bound == pytest.approx(16.0)  # objective constant included in the bound
    assert result.gap == 0.0
    assert result.sense == "max"
    assert result.solver == name
    assert result.has_plan
    assert result.runtime_s > 0
    assert [v.varValue for v in problem.variables()] == [0, 1, 1]
    json.dumps(result.options)  # fit for the manifest


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_minimisation(name: str) -> None:
    # min x + y  s.t.  x + y >= 1.5, integer: optimum 2.
    problem = pulp.LpProblem("min", pulp.LpMinimize)
    x = problem.add_variable("x", 0, 5, cat=pulp.LpInteger)
    y = problem.add_variable("y", 0, 5, cat=pulp.LpInteger)
    problem += x + y
    problem += pulp.LpConstraint(x + y, pulp.LpConstraintGE, "c", 1.5)
    result = solve_problem(problem, spec(name))
    assert result.sense == "min"
    assert result.proven_optimal
    assert result.objective == pytest.approx(2.0)


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_time_limit_is_not_proven(name: str) -> None:
    result = solve_problem(multi_knapsack(), spec(name, time_limit_s=0.5))
    assert result.status == "feasible"
    assert not result.proven_optimal
    assert result.objective is not None
    assert result.bound is not None
    assert result.bound >= result.objective
    assert result.gap is not None
    assert 0.0 < result.gap <= 1.0
    assert result.gap == pytest.approx((result.bound - result.objective) / result.objective)
    assert result.time_limit_s == 0.5
    assert result.runtime_s < 10
    assert "time" in result.detail.lower()


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_gap_tolerance_is_optimal_but_not_proven(name: str) -> None:
    # With mip_gap = 0.5 both solvers stop at once, inside the tolerance: status optimal (within
    # tolerance), proven only if the remaining gap happens to be ~0.
    result = solve_problem(multi_knapsack(), spec(name, mip_gap=0.5, time_limit_s=20))
    assert result.status == "optimal"
    assert result.mip_gap == 0.5
    assert result.gap is not None
    assert 0.0 <= result.gap <= 0.5
    assert result.proven_optimal == (result.gap == 0.0)
    assert not result.proven_optimal  # this instance is far from closed at the root


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_infeasible(name: str) -> None:
    problem = pulp.LpProblem("infeasible", pulp.LpMaximize)
    x = problem.add_variable("x", cat=pulp.LpBinary)
    y = problem.add_variable("y", cat=pulp.LpBinary)
    problem += x + y
    problem += pulp.LpConstraint(x + y, pulp.LpConstraintGE, "too_much", 3.0)
    result = solve_problem(problem, spec(name))
    assert result.status == "infeasible"
    assert not result.proven_optimal
    assert result.objective is None
    assert result.gap is None
    assert not result.has_plan


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_lp_and_empty_problems(name: str) -> None:
    lp = pulp.LpProblem("lp", pulp.LpMaximize)
    x = lp.add_variable("x", 0, 1.5)
    lp += x + 1.0
    lp += pulp.LpConstraint(x, pulp.LpConstraintLE, "c", 1.0)
    result = solve_problem(lp, spec(name))
    assert result.proven_optimal
    assert result.objective == pytest.approx(2.0)
    empty = pulp.LpProblem("empty", pulp.LpMaximize)
    empty += pulp.LpAffineExpression(constant=3.0)
    result = solve_problem(empty, spec(name))
    assert result.status == "optimal"
    assert result.objective == pytest.approx(3.0)


def test_highs_prints_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    solve_problem(knapsack(), spec("highs"))
    out, err = capfd.readouterr()
    assert out == ""
    assert err == ""


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_msg_relays_solver_log(name: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="planner.solve"):
        solve_problem(knapsack(), spec(name, msg=False))
    assert not any(" log:\n" in r.getMessage() for r in caplog.records)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="planner.solve"):
        solve_problem(knapsack(), spec(name, msg=True))
    logs = [r.getMessage() for r in caplog.records if r.getMessage().startswith(f"{name} log:")]
    assert len(logs) == 1
    assert ("Result - Optimal" if name == "cbc" else "Optimal") in logs[0]


def test_time_limited_result_logs_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="planner.solve"):
        solve_problem(multi_knapsack(), spec("cbc", time_limit_s=0.3))
    assert any("NOT proven optimal" in r.getMessage() for r in caplog.records)


# --------------------------------------------------------------------------- availability


def test_missing_solver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(solve_module, "available_solvers", lambda: ["cbc"])
    with pytest.raises(SolverUnavailableError, match=r"pip install highspy, or set solver.name"):
        solve_problem(knapsack(), SolverSpec(name="highs"))
    monkeypatch.setattr(solve_module, "available_solvers", list)
    with pytest.raises(SolverUnavailableError, match=r"solver 'cbc' is not installed"):
        solve_problem(knapsack(), SolverSpec(name="cbc"))


def test_unknown_solver() -> None:
    bogus = SolverSpec.model_construct(name="gurobi", time_limit_s=1.0, mip_gap=0.0, threads=1)
    with pytest.raises(SolverUnavailableError, match=r"unknown solver 'gurobi'.*highs, cbc"):
        solve_problem(knapsack(), bogus)


# --------------------------------------------------------------------------- gap


def test_relative_gap() -> None:
    assert relative_gap(100.0, 110.0, "max") == pytest.approx(0.1)
    assert relative_gap(100.0, 90.0, "min") == pytest.approx(0.1)
    assert relative_gap(100.0, 99.9995, "max") == 0.0  # a bound printed rounded
    assert relative_gap(None, 1.0, "max") is None
    assert relative_gap(1.0, None, "max") is None
    assert relative_gap(1.0, float("inf"), "max") is None
    assert relative_gap(0.0, 1e-10, "max") == pytest.approx(0.1)


# --------------------------------------------------------------------------- CBC log parsing

CBC_HEAD = "Welcome to the CBC MILP Solver \nVersion: 2.10.3 \nBuild Date: Dec 15 2019 \n\n"
CBC_TIME_WITH_PLAN = (
    CBC_HEAD + "Cbc0020I Exiting on maximum time\n\nResult - Stopped on time limit\n\n"
    "Objective value:                137664.00000000\nUpper bound:                    "
    "137796.100\nGap:                            -0.00\nEnumerated nodes:               0\n"
)
CBC_TIME_NO_PLAN = (
    CBC_HEAD + "Result - Stopped on time limit\n\nNo feasible solution found\n"
    "Upper bound:                    137796.100\nEnumerated nodes:               0\n"
)
CBC_OPTIMAL = (
    CBC_HEAD + "Result - Optimal solution found\n\nObjective value:                "
    "35319.00000000\nEnumerated nodes:               2\n"
)
CBC_WITHIN_GAP = (
    CBC_HEAD + "Result - Optimal solution found (within gap tolerance)\n\n"
    "Objective value:                137664.00000000\nUpper bound:                    "
    "137796.100\n"
)
CBC_PRESOLVE_INFEASIBLE = CBC_HEAD + "Problem is infeasible - 0.00 seconds\n"
OPTIONS: dict[str, object] = {}


def test_cbc_time_limit_with_plan_is_feasible() -> None:
    # PuLP reports LpStatusOptimal (1) here; the log says otherwise.
    outcome = _classify_cbc(CBC_TIME_WITH_PLAN, 1, pulp.LpSolutionIntegerFeasible, OPTIONS)
    assert outcome.status == "feasible"
    assert not outcome.solver_proved
    assert outcome.bound_raw == pytest.approx(137796.1)
    assert outcome.detail == "Stopped on time limit"
    assert outcome.version == "2.10.3"


def test_cbc_time_limit_without_plan() -> None:
    outcome = _classify_cbc(CBC_TIME_NO_PLAN, 0, pulp.LpSolutionNoSolutionFound, OPTIONS)
    assert outcome.status == "no_solution"
    assert outcome.bound_raw == pytest.approx(137796.1)


def test_cbc_log_and_solution_file_disagree(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="planner.solve"):
        outcome = _classify_cbc(CBC_TIME_WITH_PLAN, 0, pulp.LpSolutionNoSolutionFound, OPTIONS)
    assert outcome.status == "no_solution"
    assert "disagree" in caplog.text


def test_cbc_optimal_and_within_gap() -> None:
    optimal = _classify_cbc(CBC_OPTIMAL, 1, pulp.LpSolutionOptimal, OPTIONS)
    assert optimal.status == "optimal"
    assert optimal.solver_proved
    assert optimal.bound_raw is None
    within = _classify_cbc(CBC_WITHIN_GAP, 1, pulp.LpSolutionOptimal, OPTIONS)
    assert within.status == "optimal"
    assert not within.solver_proved
    assert within.bound_raw == pytest.approx(137796.1)


def test_cbc_without_result_line_uses_pulp_status() -> None:
    outcome = _classify_cbc(CBC_PRESOLVE_INFEASIBLE, -1, pulp.LpSolutionInfeasible, OPTIONS)
    assert outcome.status == "infeasible"
    outcome = _classify_cbc("", -3, 0, OPTIONS)
    assert outcome.status == "error"


# --------------------------------------------------------------------------- HiGHS status


class FakeInfo:
    def __init__(self, dual_bound: float, solution_status: int) -> None:
        self.mip_dual_bound = dual_bound
        self.primal_solution_status = solution_status


class FakeHighs:
    def __init__(self, status: Any, dual_bound: float, solution_status: int) -> None:
        self.status = status
        self.info = FakeInfo(dual_bound, solution_status)

    def getModelStatus(self) -> Any:
        return self.status

    def getInfo(self) -> FakeInfo:
        return self.info

    def modelStatusToString(self, status: Any) -> str:
        return str(status)


@pytest.mark.parametrize(
    ("status_name", "solution_status", "expected"),
    [
        ("kOptimal", 2, "optimal"),
        ("kTimeLimit", 2, "feasible"),
        ("kTimeLimit", 0, "no_solution"),
        ("kSolutionLimit", 2, "feasible"),
        ("kInterrupt", 2, "feasible"),
        ("kInfeasible", 0, "infeasible"),
        ("kUnboundedOrInfeasible", 0, "infeasible"),
        ("kUnbounded", 0, "unbounded"),
        ("kSolveError", 0, "error"),
        ("kOptimal", 0, "error"),
    ],
)
def test_highs_status_mapping(status_name: str, solution_status: int, expected: str) -> None:
    highspy = pytest.importorskip("highspy")
    status = getattr(highspy.HighsModelStatus, status_name)
    fake = FakeHighs(status, -120.0, solution_status)
    outcome = _classify_highs(fake, is_mip=True, sense=pulp.LpMaximize)
    assert outcome.status == expected
    assert outcome.bound_raw == pytest.approx(120.0)  # HiGHS minimised -f
    assert not outcome.solver_proved  # a MIP is proven only by the bound, never by status
    minimise = _classify_highs(fake, is_mip=True, sense=pulp.LpMinimize)
    assert minimise.bound_raw == pytest.approx(-120.0)
    no_bound = _classify_highs(
        FakeHighs(status, float("-inf"), solution_status), is_mip=True, sense=pulp.LpMaximize
    )
    assert no_bound.bound_raw is None


# --------------------------------------------------------------------------- array models


def knapsack_arrays(*, integer: bool = True, offset: float = 10.0) -> MilpArrays:
    # The knapsack above, plus a free column w in [0, 5] with no row and no cost.
    return MilpArrays(
        c=np.array([3.0, 2.0, 4.0, 0.0]),
        A=sparse.csr_matrix(np.array([[2.0, 1.0, 3.0, 0.0]])),
        row_lower=np.array([-np.inf]),
        row_upper=np.array([4.0]),
        lower=np.zeros(4),
        upper=np.array([1.0, 1.0, 1.0, 5.0]),
        integer=np.array([integer, integer, integer, False]),
        sense="max",
        offset=offset,
    )


def multi_knapsack_arrays(n: int = 100, m: int = 5, seed: int = 0) -> MilpArrays:
    """The multi-knapsack of :func:`multi_knapsack`, as arrays."""
    rng = np.random.default_rng(seed)
    weights = rng.integers(1, 1000, (m, n))
    capacity = weights.sum(axis=1) // 2
    value = weights.sum(axis=0) // m + rng.integers(0, 50, n)
    return MilpArrays(
        c=value.astype(float),
        A=sparse.csr_matrix(weights.astype(float)),
        row_lower=np.full(m, -np.inf),
        row_upper=capacity.astype(float),
        lower=np.zeros(n),
        upper=np.ones(n),
        integer=np.ones(n, dtype=bool),
        sense="max",
    )


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_milp_arrays_match_pulp(name: str) -> None:
    pulp_result = solve_problem(knapsack(), spec(name))
    result, x = solve_milp(knapsack_arrays(), spec(name))
    assert result.proven_optimal
    assert result.status == "optimal"
    assert result.objective == pytest.approx(16.0)
    assert result.objective == pytest.approx(pulp_result.objective)
    assert result.bound == pytest.approx(16.0)
    assert result.gap == 0.0
    assert result.sense == "max"
    assert x is not None
    np.testing.assert_allclose(x[:3], [0.0, 1.0, 1.0], atol=1e-6)
    json.dumps(result.options)


def three_binaries() -> MilpArrays:
    """Min x + 2y + 3z s.t. x + y >= 1, y + z >= 1, binary: y = 1 alone (cost 2) is optimal."""
    return MilpArrays(
        c=np.array([1.0, 2.0, 3.0]),
        A=sparse.csr_matrix(np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]])),
        row_lower=np.ones(2),
        row_upper=np.full(2, np.inf),
        lower=np.zeros(3),
        upper=np.ones(3),
        integer=np.ones(3, dtype=bool),
    )


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_milp_arrays_minimise_with_start(name: str) -> None:
    # min x + 2y + 3z  s.t.  x + y >= 1, y + z >= 1, binary: y = 1 alone costs 2.
    model = three_binaries()
    result, x = solve_milp(model, spec(name), start=np.array([1.0, 0.0, 1.0]))
    assert result.proven_optimal
    assert result.objective == pytest.approx(2.0)
    assert result.options["mip_start"] is True
    assert x is not None
    np.testing.assert_allclose(x, [0.0, 1.0, 0.0], atol=1e-6)


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_lp_arrays(name: str) -> None:
    result, x = solve_milp(knapsack_arrays(integer=False), spec(name))
    # LP: x = y = 1, z = 1/3: 3 + 2 + 4/3 + 10.
    assert result.proven_optimal
    assert result.objective == pytest.approx(16.0 + 1.0 / 3.0, abs=1e-6)
    assert result.bound == result.objective
    assert x is not None
    np.testing.assert_allclose(x[:3], [1.0, 1.0, 1.0 / 3.0], atol=1e-6)


@pytest.mark.parametrize("name", SOLVER_NAMES)
@pytest.mark.parametrize("integer", [True, False])
def test_milp_arrays_infeasible(name: str, integer: bool) -> None:
    model = MilpArrays(
        c=np.ones(2),
        A=sparse.csr_matrix(np.ones((1, 2))),
        row_lower=np.array([5.0]),
        row_upper=np.array([np.inf]),
        lower=np.zeros(2),
        upper=np.ones(2),
        integer=np.full(2, integer),
    )
    result, x = solve_milp(model, spec(name))
    assert result.status == "infeasible"
    assert not result.has_plan
    assert result.objective is None
    assert x is None
    # the verdict was checked by a second run before it was reported
    how = "pre-processing" if name == "cbc" else "presolve"
    assert result.remark == f"infeasible, confirmed by {name} without {how}"


def cbc_trap() -> MilpArrays:
    """A max_coverage model with a capacitated existing house (5 columns, 6 rows).

    Every column at 0 is a plan (keep the existing sites), yet CBC 2.10's pre-processing says
    "infeasible" (checked when written, with PuLP's bundled CBC). The optimum is 366.812.
    """
    a = np.zeros((6, 5))
    a[0, :2] = [-1.0, 1.0]
    a[1, 2] = a[2, 3] = a[3, 4] = 1.0
    a[4, 2:] = [74.07, 75.82, 145.71]
    a[5, 0] = 23000.0
    return MilpArrays(
        c=np.array(
            [
                -0.032692397502498222,
                32.692397502498224,
                87.388369012915163,
                95.53662302605558,
                145.38392264678674,
            ]
        ),
        A=sparse.csr_matrix(a),
        row_lower=np.full(6, -np.inf),
        row_upper=np.array([0.0, 1.0, 1.0, 1.0, 588.7, 209574.38348029074]),
        lower=np.zeros(5),
        upper=np.ones(5),
        integer=np.array([True, False, False, False, False]),
        sense="max",
        offset=5.843427526135298,
    )


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_false_infeasible_verdict_is_overturned(name: str) -> None:
    result, x = solve_milp(cbc_trap(), spec(name))
    assert result.status == "optimal"
    assert result.proven_optimal
    assert result.objective == pytest.approx(366.81204731688854, rel=1e-9)
    assert x is not None
    if name == "cbc":
        assert (
            result.remark
            == "cbc declared the model infeasible; cbc without pre-processing found a plan"
        )
        assert result.options["preprocess"] == "off"
    else:
        assert result.remark == ""


def test_unconfirmed_infeasible_verdict_is_no_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    # A second run that stops without an answer leaves "infeasible" unproven: no_solution.
    from planner.solve import highs as highs_module  # noqa: PLC0415

    real = highs_module._run_highs_arrays

    def stopped(*args: Any, presolve: bool = True, **kwargs: Any) -> Any:
        outcome, values = real(*args, presolve=presolve, **kwargs)
        if presolve:
            return outcome, values
        return solve_module._Outcome("no_solution", None, False, "Time limit reached"), None

    monkeypatch.setattr(highs_module, "_run_highs_arrays", stopped)
    model = MilpArrays(
        c=np.ones(2),
        A=sparse.csr_matrix(np.ones((1, 2))),
        row_lower=np.array([5.0]),
        row_upper=np.array([np.inf]),
        lower=np.zeros(2),
        upper=np.ones(2),
        integer=np.ones(2, dtype=bool),
    )
    result, x = solve_milp(model, spec("highs"))
    assert result.status == "no_solution"
    assert x is None
    assert "could not confirm it (Time limit reached)" in result.remark


def start_returned_as_optimum(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Make HiGHS return its MIP start as "optimal" with a far bound (as HiGHS 1.16 may)."""
    from planner.solve import highs as highs_module  # noqa: PLC0415

    real = highs_module._run_highs_arrays
    calls: list[bool] = []

    def quirky(model: MilpArrays, spec_: SolverSpec, log: Any, start: Any, **kwargs: Any) -> Any:
        calls.append(start is not None)
        if start is None:
            return real(model, spec_, log, start, **kwargs)
        bound = -1e9 if model.sense == "min" else 1e9
        outcome = solve_module._Outcome("optimal", bound, False, "Optimal", None, {})
        return outcome, (np.asarray(start, dtype=float), None)

    monkeypatch.setattr(highs_module, "_run_highs_arrays", quirky)
    return calls


def test_start_returned_as_unproven_optimum_is_solved_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = start_returned_as_optimum(monkeypatch)
    result, x = solve_milp(three_binaries(), spec("highs"), start=np.array([1.0, 0.0, 1.0]))
    assert calls == [True, False]
    assert result.proven_optimal
    assert result.objective == pytest.approx(2.0)
    assert x is not None
    np.testing.assert_allclose(x, [0.0, 1.0, 0.0], atol=1e-6)
    assert "solved again without the start" in result.remark


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_milp_arrays_without_rows(name: str) -> None:
    model = MilpArrays(
        c=np.array([1.0, 1.0]),
        A=sparse.csr_matrix((0, 2)),
        row_lower=np.zeros(0),
        row_upper=np.zeros(0),
        lower=np.array([1.0, 0.0]),
        upper=np.array([3.0, 3.0]),
        integer=np.array([True, False]),
    )
    result, x = solve_milp(model, spec(name))
    assert result.proven_optimal
    assert result.objective == pytest.approx(1.0)
    assert x is not None


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_milp_arrays_time_limit_is_not_proven(name: str) -> None:
    result, x = solve_milp(multi_knapsack_arrays(), spec(name, time_limit_s=0.3))
    assert result.status == "feasible"
    assert not result.proven_optimal
    assert result.objective is not None
    assert result.bound is not None
    assert result.bound >= result.objective
    assert result.gap is not None
    assert 0.0 < result.gap <= 1.0
    assert x is not None
    assert result.objective == pytest.approx(float(multi_knapsack_arrays().c @ x))


def test_milp_arrays_validation() -> None:
    good = knapsack_arrays()
    with pytest.raises(DataError, match=r"MilpArrays.A: expected 4 columns"):
        MilpArrays(
            c=good.c,
            A=sparse.csr_matrix(np.ones((1, 3))),
            row_lower=good.row_lower,
            row_upper=good.row_upper,
            lower=good.lower,
            upper=good.upper,
            integer=good.integer,
        )
    with pytest.raises(DataError, match=r"2 problems found") as info:
        MilpArrays(
            c=np.array([1.0, np.nan, 0.0, 0.0]),
            A=good.A,
            row_lower=good.row_lower,
            row_upper=good.row_upper,
            lower=np.array([0.0, 2.0, 0.0, 0.0]),
            upper=good.upper,
            integer=good.integer,
        )
    assert "MilpArrays.c: 1 entries are not finite" in str(info.value)
    assert "lower > upper" in str(info.value)
    with pytest.raises(DataError, match=r"MilpArrays.integer: expected a boolean array"):
        MilpArrays(
            c=good.c,
            A=good.A,
            row_lower=good.row_lower,
            row_upper=good.row_upper,
            lower=good.lower,
            upper=good.upper,
            integer=np.ones(4),
        )
    assert not good.c.flags.writeable
    with pytest.raises(DataError, match=r"start: expected 4 values"):
        solve_milp(good, SolverSpec(name="cbc"), start=np.zeros(3))


def test_milp_arrays_missing_solver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(solve_module, "available_solvers", lambda: ["cbc"])
    with pytest.raises(SolverUnavailableError, match=r"pip install highspy"):
        solve_milp(knapsack_arrays(), SolverSpec(name="highs"))


def test_highs_arrays_print_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    solve_milp(knapsack_arrays(), spec("highs"))
    out, err = capfd.readouterr()
    assert out == ""
    assert err == ""


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_milp_arrays_relay_log(name: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="planner.solve"):
        solve_milp(knapsack_arrays(), spec(name, msg=True))
    logs = [r.getMessage() for r in caplog.records if r.getMessage().startswith(f"{name} log:")]
    assert len(logs) == 1


def test_cbc_solution_columns_are_read_by_index() -> None:
    text = (
        "Optimal - objective value -6.00000000\n"
        "      0 r0                     4                       0\n"
        "      0 c0                     0                      -3\n"
        "**    2 c2                   1.5                      -4\n"
        "      1 c1                     1                      -2\n"
    )
    x, reduced = _read_cbc_columns(text, 4)
    np.testing.assert_allclose(x, [0.0, 1.0, 1.5, 0.0])
    np.testing.assert_allclose(reduced, [-3.0, -2.0, -4.0, 0.0])


# --------------------------------------------------------------------------- method results


def test_method_result_labels() -> None:
    cbc = SolverSpec(name="cbc")
    proven = method_result(cbc, objective=100.0, bound=100.0 - 1e-9, runtime_s=1.0, detail="x")
    assert proven.status == "optimal"
    assert proven.proven_optimal
    assert proven.gap == 0.0
    assert proven.sense == "min"
    open_gap = method_result(cbc, objective=100.0, bound=90.0, runtime_s=1.0, detail="limit")
    assert open_gap.status == "feasible"
    assert not open_gap.proven_optimal
    assert open_gap.gap == pytest.approx(0.1)
    within = method_result(
        SolverSpec(name="cbc", mip_gap=0.2), objective=100.0, bound=90.0, runtime_s=1.0, detail=""
    )
    assert within.status == "optimal"
    assert not within.proven_optimal
    no_bound = method_result(cbc, objective=100.0, bound=None, runtime_s=1.0, detail="")
    assert no_bound.status == "feasible"
    assert no_bound.gap is None
    nothing = method_result(cbc, objective=None, bound=90.0, runtime_s=1.0, detail="")
    assert nothing.status == "no_solution"
    assert not nothing.has_plan
    maximise = method_result(cbc, objective=10.0, bound=11.0, runtime_s=1.0, detail="", sense="max")
    assert maximise.gap == pytest.approx(0.1)
    assert maximise.status == "feasible"


def test_highs_thread_count_can_change_between_runs() -> None:
    # HiGHS keeps one thread pool per process: a run with another thread count used to fail
    # with status "Not Set" unless the pool was restarted.
    for threads in (1, 2, 1):
        result, _ = solve_milp(knapsack_arrays(), spec("highs", threads=threads))
        assert result.proven_optimal
        assert solve_problem(knapsack(), spec("highs", threads=threads)).proven_optimal


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_lp_reduced_costs(name: str) -> None:
    # min 2x + 3y  s.t.  x + y >= 1: x = 1 (basic), y = 0 with reduced cost 3 - 2 = 1.
    model = MilpArrays(
        c=np.array([2.0, 3.0]),
        A=sparse.csr_matrix(np.ones((1, 2))),
        row_lower=np.ones(1),
        row_upper=np.full(1, np.inf),
        lower=np.zeros(2),
        upper=np.ones(2),
        integer=np.ones(2, dtype=bool),  # ignored: the LP relaxation is solved
    )
    result, lp = solve_lp(model, spec(name))
    assert result.proven_optimal
    assert result.objective == pytest.approx(2.0)
    assert lp is not None
    np.testing.assert_allclose(lp.x, [1.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(lp.reduced_cost, [0.0, 1.0], atol=1e-9)
    # The same problem as a maximisation of -2x - 3y: the objective falls by 1 per unit y.
    negated = MilpArrays(
        c=-model.c,
        A=model.A,
        row_lower=model.row_lower,
        row_upper=model.row_upper,
        lower=model.lower,
        upper=model.upper,
        integer=model.integer,
        sense="max",
    )
    result, lp = solve_lp(negated, spec(name))
    assert result.objective == pytest.approx(-2.0)
    assert lp is not None
    np.testing.assert_allclose(lp.reduced_cost, [0.0, -1.0], atol=1e-9)


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_lp_infeasible_has_no_solution(name: str) -> None:
    model = MilpArrays(
        c=np.ones(2),
        A=sparse.csr_matrix(np.ones((1, 2))),
        row_lower=np.array([3.0]),
        row_upper=np.array([np.inf]),
        lower=np.zeros(2),
        upper=np.ones(2),
        integer=np.zeros(2, dtype=bool),
    )
    result, lp = solve_lp(model, spec(name))
    assert result.status == "infeasible"
    assert lp is None


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_milp_without_heuristics_still_proves(name: str) -> None:
    # min x + 2y + 3z  s.t.  x + y >= 1, y + z >= 1; the start (x = z = 1) costs 4, y alone 2.
    model = three_binaries()
    result, x = solve_milp(model, spec(name), start=np.array([1.0, 0.0, 1.0]), heuristics=False)
    assert result.proven_optimal
    assert result.objective == pytest.approx(2.0)
    assert result.options["heuristics"] is False
    assert x is not None
