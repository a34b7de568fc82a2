"""The greedy warm start of the coverage family.

The builder keeps the row blocks it adds (:class:`Blocks`); the greedy plan meets the covering
rows at the least cost per newly met row, then adds sites by coverage gain per euro, and is
handed to the solver when it meets every row of the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from planner.model._arrays import feasible_start

if TYPE_CHECKING:
    from scipy import sparse

    from planner.model.coverage.instance import BoolArray, FloatArray, Form, IntArray
    from planner.model.coverage.roles import Roles
    from planner.solve import MilpArrays

__all__ = ["Blocks", "greedy_start"]


@dataclass
class Blocks:
    """Row blocks over the (h, a) columns kept for the greedy start."""

    n_h: int
    n_a: int
    gain: list[tuple[sparse.csr_matrix, FloatArray]] = field(default_factory=list)
    require: list[tuple[sparse.csr_matrix, FloatArray]] = field(default_factory=list)
    coverage: list[tuple[sparse.csr_matrix, IntArray]] = field(default_factory=list)
    link: sparse.csr_matrix | None = None  # variable antennes x variable houses
    link_needed: BoolArray | None = None  # variable antenne needs a variable house
    stranded: sparse.csr_matrix | None = None  # fixed antennes x variable houses
    close: sparse.csr_matrix | None = None  # variable houses x variable houses
    room_h: float = np.inf  # most variable houses the count rules allow
    room_a: float = np.inf  # most variable antennes the count rules allow


def greedy_start(
    model: MilpArrays,
    form: Form,
    roles: Roles,
    cost_h: FloatArray,
    cost_a: FloatArray,
    hcol: IntArray,
    acol: IntArray,
    blocks: Blocks,
) -> FloatArray | None:
    """Return a greedy plan as a full column vector, or None when it breaks a row.

    First the covering rows (universal floor, groups, set cover) are met at the lowest cost
    per newly met row; then, in coverage forms, sites are added by coverage gain per euro.
    Houses closer than the spacing to an open house, antennes without an open house within
    ``L``, sites over the remaining budget and roles at their maximum count are skipped.
    """
    n_h, n_a = blocks.n_h, blocks.n_a
    if n_h + n_a == 0:
        return None
    state = _GreedyState(
        cost=np.concatenate([cost_h, cost_a]),
        chosen=np.zeros(n_h + n_a, dtype=bool),
        site_of=np.concatenate(
            [np.flatnonzero(roles.house_var), np.flatnonzero(roles.antenne_var)]
        ),
        budget=roles.remaining if form.budget else np.inf,
    )
    _open_for_stranded(blocks, cost_h, state.chosen)
    stranded = state.chosen.copy()
    _fill(blocks, state, form)
    if form.objective == "coverage" and blocks.gain:
        _drop_and_refill(blocks, state, form, keep=stranded)
    return _start_vector(model, blocks, state.chosen, hcol, acol)


def _fill(blocks: Blocks, state: _GreedyState, form: Form) -> None:
    """Meet the covering rows, then (coverage forms) add sites by gain per euro."""
    state.spent = float(state.cost[state.chosen].sum())
    if blocks.require:
        _greedy_phase(blocks, state, blocks.require, per_euro=False)
    if form.objective == "coverage" and blocks.gain:
        _greedy_phase(blocks, state, blocks.gain, per_euro=True)


def _drop_and_refill(blocks: Blocks, state: _GreedyState, form: Form, *, keep: BoolArray) -> None:
    """Improve the greedy plan: drop one site (and antennes left without a house), refill.

    The refill may not take the dropped site back, so each try is a swap of that site for
    what the greedy rule picks in its place.
    Each chosen site is tried once per pass, in order; a refilled plan replaces the plan
    when it reaches more (cheaper at equal coverage). Passes repeat while one improves,
    at most :data:`_PASSES` times and :data:`_MAX_TRIALS` tries in all, and only for plans of
    at most :data:`_MAX_SITES` sites (bounds on work, not on time, so the start is the same
    on every machine). The loop runs over chosen sites,
    never over rows.
    """
    if int((state.chosen & ~keep).sum()) > _MAX_SITES:
        return  # a large plan: each refill would cost as much as the solver's own search
    best = (_gain_value(blocks, state.chosen), -state.spent)
    trials = 0
    for _ in range(_PASSES):
        improved = False
        for pick in np.flatnonzero(state.chosen & ~keep):
            if trials >= _MAX_TRIALS:
                return
            trials += 1
            cost = state.cost.copy()
            cost[pick] = np.inf  # the refill must do without it
            trial = _GreedyState(cost, state.chosen.copy(), state.site_of, state.budget)
            trial.chosen[pick] = False
            _drop_stranded(blocks, trial.chosen)
            _fill(blocks, trial, form)
            value = (_gain_value(blocks, trial.chosen), -trial.spent)
            if value[0] > best[0] + 1e-9 or (value[0] >= best[0] - 1e-9 and value[1] > best[1]):
                state.chosen[:] = trial.chosen
                state.spent = float(state.cost[trial.chosen].sum())
                best = value
                improved = True
        if not improved:
            return


_PASSES = 3
"""Most passes of drop-and-refill over the chosen sites."""

_MAX_TRIALS = 40
"""Most drop-and-refill tries in all."""

_MAX_SITES = 30
"""Plans with more chosen sites skip drop-and-refill (the solver's heuristics do better)."""


def _gain_value(blocks: Blocks, chosen: BoolArray) -> float:
    """Return the coverage value of a plan: the summed coefficients of the rows it meets."""
    x = chosen.astype(np.float64)
    return float(sum(coef[np.asarray(matrix @ x > 0)].sum() for matrix, coef in blocks.gain))


def _drop_stranded(blocks: Blocks, chosen: BoolArray) -> None:
    """Close chosen antennes that need a house and have no chosen house within ``L`` left."""
    if blocks.link is None or blocks.link_needed is None or not blocks.n_a:
        return
    has_house = np.asarray(blocks.link @ chosen[: blocks.n_h].astype(float) > 0)
    chosen[blocks.n_h :] &= has_house | ~blocks.link_needed


@dataclass
class _GreedyState:
    cost: FloatArray
    chosen: BoolArray
    site_of: IntArray
    budget: float
    spent: float = 0.0


def _greedy_phase(
    blocks: Blocks,
    state: _GreedyState,
    rows: list[tuple[sparse.csr_matrix, FloatArray]],
    *,
    per_euro: bool,
) -> None:
    """Add sites one by one: best gain per euro, or lowest cost per unit of gain."""
    chosen = state.chosen
    gains = [(matrix.T.tocsr(), matrix.tocsc(), coef) for matrix, coef in rows]
    done = [np.asarray(matrix @ chosen.astype(float) > 0) for matrix, _ in rows]
    while True:
        gain = np.zeros(chosen.size)
        for (transposed, _, coef), met in zip(gains, done, strict=True):
            gain += transposed @ np.where(met, 0.0, coef)
        allowed = _greedy_allowed(blocks, state) & (gain > 1e-12)
        if not allowed.any():
            return
        if per_euro:
            pick = int(np.argmax(np.where(allowed, gain / np.maximum(state.cost, 1e-9), -np.inf)))
        else:
            pick = int(np.argmin(np.where(allowed, state.cost / np.maximum(gain, 1e-12), np.inf)))
        if not allowed[pick]:
            return  # no allowed site scores (guards the loop: each step must add a new site)
        chosen[pick] = True
        state.spent += float(state.cost[pick])
        for (_, by_column, _), met in zip(gains, done, strict=True):
            met[by_column.indices[by_column.indptr[pick] : by_column.indptr[pick + 1]]] = True


def _open_for_stranded(blocks: Blocks, cost_h: FloatArray, chosen: BoolArray) -> None:
    """Open the cheapest possible house for every fixed antenne that needs one."""
    if blocks.stranded is None:
        return
    for row in range(int(blocks.stranded.shape[0])):
        houses = blocks.stranded.indices[
            blocks.stranded.indptr[row] : blocks.stranded.indptr[row + 1]
        ]
        if houses.size and not chosen[houses].any():
            chosen[houses[np.argmin(cost_h[houses])]] = True


def _greedy_allowed(blocks: Blocks, state: _GreedyState) -> BoolArray:
    n_h = blocks.n_h
    chosen = state.chosen
    # a site priced out (infinite cost) is never allowed, even under an unlimited budget
    allowed = ~chosen & np.isfinite(state.cost) & (state.cost <= state.budget - state.spent + 1e-9)
    allowed &= ~np.isin(state.site_of, state.site_of[chosen])
    chosen_h = chosen[:n_h]
    if chosen_h.sum() >= blocks.room_h:
        allowed[:n_h] = False
    if chosen[n_h:].sum() >= blocks.room_a:
        allowed[n_h:] = False
    if blocks.close is not None and chosen_h.any():
        allowed[:n_h] &= ~np.asarray(blocks.close @ chosen_h.astype(float) > 0)
    if blocks.link is not None and blocks.n_a:
        has_house = np.asarray(blocks.link @ chosen_h.astype(float) > 0)
        needs = blocks.link_needed
        if needs is not None:
            allowed[n_h:] &= has_house | ~needs
    return allowed


def _start_vector(
    model: MilpArrays, blocks: Blocks, chosen: BoolArray, hcol: IntArray, acol: IntArray
) -> FloatArray | None:
    x = np.zeros(model.n_cols)
    n_h = blocks.n_h
    x[hcol] = chosen[:n_h]
    x[acol] = chosen[n_h:]
    for matrix, cols in blocks.coverage:
        x[cols] = np.minimum(1.0, matrix @ chosen.astype(float))
    return x if feasible_start(model, x) else None
