"""Equity figures: need quintiles, inequality indices checked by hand and by brute force."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.demand import neediest_quintile
from planner.results.equity import (
    concentration_index,
    equity_summary,
    gini,
    inequality_indices,
    need_quintiles,
    palma_ratio,
    theil_t,
)


def brute_gini(x: np.ndarray, w: np.ndarray) -> float:
    x = x / x.max()  # the Gini index does not depend on the scale; keeps tiny values finite
    diff = np.abs(x[:, None] - x[None, :])
    total = w.sum()
    mean = (w @ x) / total
    return float((w[:, None] * w[None, :] * diff).sum() / (2 * total**2 * mean))


def brute_palma(x: np.ndarray, w: np.ndarray) -> float:
    """Expand every sector to its families (integer weights) and cut the sorted list."""
    families = np.sort(np.repeat(x, w.astype(int)))
    n = len(families)
    total = families.sum()
    return float(families[int(0.9 * n) :].sum() / total / (families[: int(0.4 * n)].sum() / total))


def test_gini_by_hand() -> None:
    ones = np.ones(3)
    assert gini(np.array([1.0, 1.0, 1.0]), ones) == 0.0
    assert gini(np.array([0.0, 0.0, 1.0]), ones) == pytest.approx(2 / 3)
    assert brute_gini(np.array([0.0, 0.0, 1.0]), ones) == pytest.approx(2 / 3)
    # a sector of two families equals two sectors of one family
    assert gini(np.array([0.0, 1.0]), np.array([2.0, 1.0])) == pytest.approx(2 / 3)


def test_theil_by_hand() -> None:
    ones = np.ones(3)
    assert theil_t(np.array([5.0, 5.0, 5.0]), ones) == 0.0
    # all time on one of three families: T = ln 3
    assert theil_t(np.array([0.0, 0.0, 1.0]), ones) == pytest.approx(math.log(3))
    x = np.array([1.0, 2.0, 3.0])
    mean = 2.0
    expected = np.mean(x / mean * np.log(x / mean))
    assert theil_t(x, ones) == pytest.approx(expected)


def test_palma_by_hand_and_brute_force() -> None:
    ten = np.ones(10)
    assert palma_ratio(np.full(10, 7.0), ten) == pytest.approx(0.25)
    x = np.arange(1.0, 11.0)  # ten families: bottom 40 % bear 1+2+3+4, top 10 % bears 10
    assert palma_ratio(x, ten) == pytest.approx(10 / 10)
    rng = np.random.default_rng(5)
    for _ in range(20):
        x = rng.uniform(1, 40, 7)
        w = rng.integers(1, 6, 7).astype(float) * 10  # multiples of 10: cuts fall on families
        assert palma_ratio(x, w) == pytest.approx(brute_palma(x, w))


def test_concentration_index_sign_and_value() -> None:
    need = np.array([0.1, 0.5, 0.9])
    w = np.ones(3)
    # the neediest travel longest: positive
    assert concentration_index(np.array([1.0, 2.0, 3.0]), need, w) > 0
    assert concentration_index(np.array([3.0, 2.0, 1.0]), need, w) < 0
    assert concentration_index(np.array([2.0, 2.0, 2.0]), need, w) == 0.0
    # by hand: ranks 1/6, 1/2, 5/6; mean 2; cov = ((-1)(-1/3) + 0 + (1)(1/3))/3 = 2/9; C = 2·(2/9)/2
    assert concentration_index(np.array([1.0, 2.0, 3.0]), need, w) == pytest.approx(2 / 9)
    # tied need: no rank order among them, so no concentration
    assert concentration_index(np.array([1.0, 3.0]), np.array([0.5, 0.5]), np.ones(2)) == 0.0


def test_unreachable_and_zero_totals() -> None:
    x = np.array([0.0, 0.0, 1.0, np.inf])
    w = np.ones(4)
    figures = inequality_indices(x, np.array([0.1, 0.2, 0.3, 0.4]), w)
    assert figures["gini"] == pytest.approx(2 / 3, abs=1e-6)
    assert figures["unreachable_share"] == 0.25
    assert figures["families_reachable"] == 3
    zero = inequality_indices(np.zeros(3), np.array([0.1, 0.2, 0.3]), np.ones(3))
    assert zero["gini"] == zero["theil"] == zero["concentration_need"] == 0.0
    assert zero["palma"] is None
    nobody = inequality_indices(np.full(2, np.inf), np.array([0.1, 0.2]), np.ones(2))
    assert nobody["gini"] is nobody["theil"] is nobody["palma"] is None
    assert nobody["unreachable_share"] == 1.0
    empty = inequality_indices(np.array([1.0]), np.array([0.5]), np.zeros(1))
    assert empty["gini"] is None
    assert empty["unreachable_share"] is None


def test_indices_invariant_to_permutation() -> None:
    rng = np.random.default_rng(11)
    x = rng.uniform(0, 30, 12)
    need = np.round(rng.uniform(0, 1, 12), 1)  # ties on purpose
    w = rng.integers(0, 50, 12).astype(float)
    order = rng.permutation(12)
    before = inequality_indices(x, need, w)
    after = inequality_indices(x[order], need[order], w[order])
    assert before == pytest.approx(after, abs=1e-6)
    assert before["gini"] > 0


def test_quintiles_by_hand() -> None:
    need = np.array([0.9, 0.7, 0.5, 0.3, 0.1])
    q = need_quintiles(need, np.ones(5))
    assert q.tolist() == [1, 2, 3, 4, 5]
    # one sector with most families: it alone is the neediest quintile
    q = need_quintiles(np.array([0.2, 0.9, 0.1]), np.array([10.0, 80.0, 10.0]))
    assert q.tolist() == [5, 1, 5]


def test_equity_summary_counts_beyond_the_standard() -> None:
    figures = equity_summary(
        need=np.array([0.9, 0.7, 0.5, 0.3, 0.1]),
        target=np.array([10.0, 20.0, 30.0, 40.0, 50.0]),
        tt_house=np.array([5.0, 25.0, np.inf, 10.0, 10.0]),
        tt_frequent=np.array([5.0, 5.0, 5.0, 5.0, 50.0]),
        radius_house=np.full(5, 20.0),
        radius_frequent=np.full(5, 10.0),
    )
    quintiles = figures["by_quintile"]
    assert set(quintiles) == {"q1", "q2", "q3", "q4", "q5"}
    assert sum(q["families"] for q in quintiles.values()) == 150
    total_beyond = sum(q["beyond_house"] for q in quintiles.values())
    assert total_beyond == 20 + 30  # 25 min > 20, and the unreachable sector
    assert sum(q["beyond_frequent"] for q in quintiles.values()) == 50
    assert figures["inequality"]["house"]["unreachable_share"] == pytest.approx(0.2)


weights = st.lists(st.integers(0, 100), min_size=1, max_size=25)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), w=weights)
def test_indices_stay_in_their_ranges(data: st.DataObject, w: list[int]) -> None:
    n = len(w)
    x = np.array(data.draw(st.lists(st.floats(0, 120), min_size=n, max_size=n)))
    need = np.array(data.draw(st.lists(st.floats(0, 1), min_size=n, max_size=n)))
    ww = np.array(w, dtype=float)
    if data.draw(st.booleans()):
        x[0] = np.inf
    figures = inequality_indices(x, need, ww)
    reach = np.isfinite(x) & (ww > 0)
    if not reach.any():
        assert figures["gini"] is None
        return
    assert 0.0 <= figures["gini"] <= 1.0
    assert figures["gini"] == pytest.approx(
        brute_gini(x[reach], ww[reach]) if (x[reach] @ ww[reach]) > 0 else 0.0, abs=1e-5
    )
    assert 0.0 <= figures["theil"] <= math.log(ww[reach].sum() / ww[reach].min()) + 1e-6
    assert figures["palma"] is None or figures["palma"] >= 0.25
    assert -1.0 <= figures["concentration_need"] <= 1.0
    assert 0.0 <= figures["unreachable_share"] <= 1.0


@settings(max_examples=150, deadline=None)
@given(data=st.data(), w=weights)
def test_quintile_one_is_the_neediest_fifth(data: st.DataObject, w: list[int]) -> None:
    n = len(w)
    need = np.array(data.draw(st.lists(st.floats(0, 1), min_size=n, max_size=n)))
    target = np.array(w, dtype=float)
    q = need_quintiles(need, target)
    assert ((q == 1) == neediest_quintile(need, target)).all() or target.sum() == 0
    assert set(q.tolist()) <= {1, 2, 3, 4, 5}
    # quintiles are ordered by need: every sector of q is at least as needy as any of q + 1
    for k in range(1, 5):
        if (q == k).any() and (q == k + 1).any():
            assert need[q == k].min() >= need[q == k + 1].max()
