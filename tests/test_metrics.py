import numpy as np
import pytest

from planner.results.metrics import (
    coverage_share,
    nearest_open,
    travel_time_stats,
    weighted_quantile,
)


def test_nearest_open_ties_and_unreachable() -> None:
    d = np.array([[5.0, 5.0, 1.0], [np.inf, np.inf, np.inf], [3.0, 2.0, np.inf]])
    minutes, index = nearest_open(d, np.array([True, True, False]))
    assert minutes.tolist() == [5.0, np.inf, 2.0]
    assert index.tolist() == [0, -1, 1]
    minutes, index = nearest_open(d, np.zeros(3, dtype=bool))
    assert np.isinf(minutes).all()
    assert (index == -1).all()


def test_weighted_quantile_counts_people() -> None:
    values = np.array([1.0, 10.0])
    weights = np.array([90.0, 10.0])
    assert weighted_quantile(values, weights, 0.5) == 1.0
    assert weighted_quantile(values, weights, 0.9) == 1.0
    assert weighted_quantile(values, weights, 0.95) == 10.0


def test_travel_time_stats_with_unreachable() -> None:
    stats = travel_time_stats(np.array([2.0, 4.0, np.inf]), np.array([50.0, 40.0, 10.0]))
    # the figures describe the families that can reach a site; the rest is unreachable_share
    assert stats["mean"] == pytest.approx((2.0 * 50 + 4.0 * 40) / 90, abs=1e-3)
    assert stats["p50"] == 2.0
    assert stats["p90"] == 4.0
    assert stats["max"] == 4.0
    assert stats["unreachable_share"] == pytest.approx(0.1)
    nobody = travel_time_stats(np.array([np.inf, np.inf]), np.array([1.0, 3.0]))
    assert nobody["mean"] is None
    assert nobody["max"] is None
    assert nobody["unreachable_share"] == 1.0
    stats = travel_time_stats(np.array([2.0, 4.0]), np.array([1.0, 3.0]))
    assert stats["mean"] == pytest.approx(3.5)


def test_coverage_share_is_people_not_points() -> None:
    covered = np.array([True, False, False, False])
    target = np.array([70.0, 10.0, 10.0, 10.0])
    assert coverage_share(covered, target) == pytest.approx(0.7)
    assert coverage_share(covered, target, np.array([False, True, True, False])) == 0.0
    assert coverage_share(covered, np.zeros(4)) is None
