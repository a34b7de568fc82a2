import numpy as np
import pytest

from planner.demand import demand_weights, need_index, neediest_quintile


def test_need_index_rescales_with_direction() -> None:
    values = np.array([[20000.0, 0.4], [30000.0, 0.1], [40000.0, 0.25]])
    need, imputed = need_index(values, np.array([False, True]), np.array([1.0, 1.0]))
    # income: lower is needier -> 1, 0.5, 0 ; deprived: higher is needier -> 1, 0, 0.5
    np.testing.assert_allclose(need, [1.0, 0.25, 0.25])
    assert not imputed.any()


def test_need_index_weights() -> None:
    values = np.array([[0.0, 1.0], [1.0, 0.0]])
    need, _ = need_index(values, np.array([True, True]), np.array([3.0, 1.0]))
    np.testing.assert_allclose(need, [0.25, 0.75])


def test_constant_indicator_gives_no_contrast() -> None:
    values = np.array([[5.0], [5.0], [5.0]])
    need, _ = need_index(values, np.array([False]), np.array([1.0]))
    np.testing.assert_allclose(need, [0.0, 0.0, 0.0])


def test_missing_value_is_imputed_with_median() -> None:
    values = np.array([[10.0], [np.nan], [20.0], [30.0]])
    need, imputed = need_index(values, np.array([True]), np.array([1.0]))
    assert imputed.tolist() == [False, True, False, False]
    assert need[1] == pytest.approx(0.5)


def test_all_missing_raises() -> None:
    with pytest.raises(ValueError, match="no value"):
        need_index(np.array([[np.nan], [np.nan]]), np.array([True]), np.array([1.0]))


def test_weights_formula() -> None:
    w = demand_weights(np.array([100.0, 100.0]), np.array([0.0, 1.0]), 1.0)
    np.testing.assert_allclose(w, [100.0, 200.0])
    np.testing.assert_allclose(demand_weights(np.array([10.0]), np.array([0.7]), 0.0), [10.0])


def test_neediest_quintile_counts_families() -> None:
    need = np.array([0.9, 0.8, 0.1, 0.2, 0.5])
    target = np.array([100.0, 100.0, 400.0, 300.0, 100.0])
    flags = neediest_quintile(need, target)
    # total 1000; neediest sector holds 10 %, the next brings 20 % (midpoint 15 % <= 20 %)
    assert flags.tolist() == [True, True, False, False, False]
