"""The greedy start: it ends, and never opens a site priced out of the plan."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from planner.model.coverage.start import Blocks, _greedy_allowed, _greedy_phase, _GreedyState


def _state(cost: list[float], budget: float) -> _GreedyState:
    n = len(cost)
    return _GreedyState(
        cost=np.array(cost, dtype=float),
        chosen=np.zeros(n, dtype=bool),
        site_of=np.arange(n),
        budget=budget,
    )


def test_a_priced_out_site_is_never_allowed_even_without_a_budget() -> None:
    blocks = Blocks(n_h=3, n_a=0)
    state = _state([1.0, np.inf, 2.0], budget=np.inf)
    assert _greedy_allowed(blocks, state).tolist() == [True, False, True]


def test_the_cost_phase_ends_when_only_a_priced_out_site_could_meet_a_row() -> None:
    # row 0 is met by site 0 only, row 1 only by site 1, which costs infinity (a refill that
    # must do without it): the phase opens site 0, then stops instead of looping for ever
    rows = sparse.csr_matrix(np.array([[1.0, 0.0], [0.0, 1.0]]))
    blocks = Blocks(n_h=2, n_a=0)
    state = _state([1.0, np.inf], budget=np.inf)
    _greedy_phase(blocks, state, [(rows, np.ones(2))], per_euro=False)
    assert state.chosen.tolist() == [True, False]
    assert state.spent == 1.0


def test_the_gain_phase_ends_under_an_unlimited_budget() -> None:
    rows = sparse.csr_matrix(np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]))
    blocks = Blocks(n_h=3, n_a=0)
    state = _state([1.0, np.inf, 3.0], budget=np.inf)
    _greedy_phase(blocks, state, [(rows, np.array([1.0, 5.0, 2.0]))], per_euro=True)
    assert state.chosen.tolist() == [True, False, True]
    assert np.isfinite(state.spent)
