r"""Distance decay: an attendance probability that falls with travel time, and its levels.

A family :math:`t` minutes from its nearest open service of a tier with standard :math:`R`
uses it with probability :math:`f(t / R)`, a decreasing function of the *relative* time
:math:`s = t / R` (so that one function serves both tiers and the need tightening per row):

==================== =====================================================================
function             :math:`f(s)`
==================== =====================================================================
``step``             :math:`[s \le 1]`: the hard standard
``logistic``         :math:`1 / (1 + e^{k (s - 1)})` for :math:`s \le c`, 0 beyond the
                     cut-off :math:`c \ge 1` (:math:`f(1) = 1/2`; :math:`k \to \infty` gives
                     the step)
``linear``           1 for :math:`s \le a`, :math:`(b - s) / (b - a)` between, 0 for
                     :math:`s \ge b` (:math:`0 \le a \le 1 \le b`, :math:`a < b`)
==================== =====================================================================

As an objective it becomes a coverage model over replicated rows (exact for a step
function). The levels are a grid :math:`s_l = l / m`, :math:`l = 1 \dots L`,
:math:`L = \lceil c\,m \rceil` (the step: one level, :math:`s_1 = 1`), and the step function

.. math::

    g(s) = f(s_l) \quad \text{for } s_{l-1} < s \le s_l, \qquad g(s) = 0 \text{ beyond } s_L,

takes each step's value at its upper end, so :math:`g \le f \le g + \delta` with
:math:`\delta = \max_l \bigl(f(s_{l-1}) - f(s_l)\bigr)` (:math:`s_0 = 0`), the largest drop of
:math:`f` over one step. With :math:`g_{L+1} = 0`,

.. math::

    g(s) = \sum_l (g_l - g_{l+1}) \, [s \le s_l],

so a row :math:`q` becomes one coverage row per level with radii :math:`R_H(q)\,s_l` and
:math:`R_A(q)\,s_l` and weight :math:`w_q (g_l - g_{l+1})`; the coverage model then maximises
:math:`\sum_q w_q \bigl(\alpha\, g(t^H_q / R_H(q)) + (1 - \alpha)\, g(t^A_q / R_A(q))\bigr)`
exactly. Consecutive levels with the same sites within reach in both tiers are one row
(their weights summed); levels with no site within reach are left out.

Thresholds are always computed as ``radius[:, None] * levels[None, :]`` so that the model,
the plan's figures and the check compare travel times with the very same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from planner.scenario import DecaySpec

__all__ = ["DecayFunction", "DecayRows", "decay_rows"]

DecayKind = Literal["step", "logistic", "linear"]

NO_LEVEL: Final[int] = -1


@dataclass(frozen=True)
class DecayFunction:
    r"""An attendance probability over the relative travel time :math:`s = t / R`.

    Attributes
    ----------
    function : {"step", "logistic", "linear"}
        The shape.
    steepness : float
        :math:`k > 0` (logistic).
    cutoff : float
        :math:`c \ge 1`: :math:`f = 0` beyond (logistic; linear: :math:`b`; step: 1).
    start, end : float
        :math:`a, b` of the linear fall.
    levels_per_standard : int
        :math:`m`: grid steps per standard when the decay is an objective.
    """

    function: DecayKind = "logistic"
    steepness: float = 8.0
    cutoff: float = 2.0
    start: float = 0.5
    end: float = 1.5
    levels_per_standard: int = 20

    @classmethod
    def of(cls, spec: DecaySpec) -> DecayFunction:
        """Return the function a scenario's ``decay`` section states."""
        return cls(
            function=spec.function,
            steepness=spec.steepness,
            cutoff=spec.cutoff,
            start=spec.start,
            end=spec.end,
            levels_per_standard=spec.levels_per_standard,
        )

    def describe(self) -> str:
        """Return the function in words, e.g. ``logistic, k = 8, cut-off 2 R``."""
        if self.function == "step":
            return "step (the hard standard)"
        if self.function == "linear":
            return f"linear from 1 at {self.start:g} R to 0 at {self.end:g} R"
        return f"logistic, k = {self.steepness:g}, f(R) = 0.5, cut-off {self.cutoff:g} R"

    @property
    def last(self) -> float:
        """The relative time beyond which nobody comes."""
        if self.function == "step":
            return 1.0
        if self.function == "linear":
            return self.end
        return self.cutoff

    def __call__(self, s: NDArray[np.float64]) -> NDArray[np.float64]:
        """Return :math:`f(s)` (``inf`` and NaN: 0)."""
        s = np.asarray(s, dtype=np.float64)
        inside = np.isfinite(s) & (s <= self.last)
        if self.function == "step":
            return inside.astype(np.float64)
        if self.function == "linear":
            fall = (self.end - s) / (self.end - self.start)
            return np.where(inside, np.clip(np.nan_to_num(fall), 0.0, 1.0), 0.0)
        with np.errstate(over="ignore", invalid="ignore"):
            value = 1.0 / (1.0 + np.exp(self.steepness * (np.nan_to_num(s, posinf=0.0) - 1.0)))
        return np.where(inside, value, 0.0)

    def attendance(
        self, minutes: NDArray[np.float64], radius: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """Return :math:`f(t / R)` per row (the continuous function at the real times)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = np.asarray(minutes, dtype=np.float64) / np.asarray(radius, np.float64)
        return self(relative)

    def levels(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Return the grid :math:`s_l` and the step values :math:`g_l = f(s_l)`."""
        if self.function == "step":
            return np.ones(1), np.ones(1)
        m = self.levels_per_standard
        n = int(np.ceil(self.last * m - 1e-9))
        grid = np.arange(1, n + 1, dtype=np.float64) / m
        return grid, self(grid)

    def bound(self) -> float:
        r"""Return :math:`\delta`, the most :math:`f` exceeds the step function :math:`g`."""
        grid, values = self.levels()
        if self.function == "step":
            return 0.0
        before = self(np.concatenate([[0.0], grid[:-1]]))
        return float(np.max(before - values))

    def step_values(
        self, minutes: NDArray[np.float64], radius: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """Return :math:`g(t / R)` per row: the step function the decay objective maximises."""
        grid, values = self.levels()
        level = level_of(np.asarray(minutes, dtype=np.float64)[:, np.newaxis], radius, grid)[:, 0]
        padded = np.concatenate([values, [0.0]])
        return padded[np.where(level == NO_LEVEL, grid.size, level)]


def thresholds(radius: NDArray[np.float64], grid: NDArray[np.float64]) -> NDArray[np.float64]:
    r"""Return the radii :math:`R(q)\,s_l`, shape (n_rows, n_levels)."""
    return np.asarray(radius, dtype=np.float64)[:, np.newaxis] * grid[np.newaxis, :]


def level_of(
    d: NDArray[np.float64], radius: NDArray[np.float64], grid: NDArray[np.float64]
) -> NDArray[np.int64]:
    r"""Return the first level :math:`l` with :math:`d \le R\,s_l` per entry (-1: none).

    ``d`` has shape (n_rows, n); the answer agrees with comparing ``d`` to
    :func:`thresholds` entry by entry (a search on :math:`d / R`, corrected by one level
    where rounding puts it on the wrong side).
    """
    radius = np.asarray(radius, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = d / radius[:, np.newaxis]
    level = np.searchsorted(grid, np.nan_to_num(relative, nan=np.inf), side="left")
    n = grid.size
    r = radius[:, np.newaxis]
    here = np.minimum(level, n - 1)
    below = np.maximum(level - 1, 0)
    up = (level < n) & (d > r * grid[here])
    down = (level > 0) & (d <= r * grid[below])
    level = level + up.astype(np.int64) - down.astype(np.int64)
    level = np.where(np.isfinite(d) & (level < n), level, NO_LEVEL)
    return level.astype(np.int64)


@dataclass(frozen=True, eq=False)
class DecayRows:
    r"""The replicated coverage rows of a decay objective.

    Attributes
    ----------
    row : ndarray of int, shape (n_rep,)
        The demand row each replicated row comes from.
    level : ndarray of int, shape (n_rep,)
        Its level :math:`l`.
    radius_house, radius_frequent : ndarray, shape (n_rep,)
        :math:`R_H(q)\,s_l` and :math:`R_A(q)\,s_l`.
    weight : ndarray, shape (n_rep,)
        :math:`w_q (g_l - g_{l'})`, :math:`l'` the row's next kept level (:math:`g_{L+1}=0`).
    """

    row: NDArray[np.int64]
    level: NDArray[np.int64]
    radius_house: NDArray[np.float64]
    radius_frequent: NDArray[np.float64]
    weight: NDArray[np.float64]


def decay_rows(
    decay: DecayFunction,
    d: NDArray[np.float64],
    weight: NDArray[np.float64],
    radius_house: NDArray[np.float64],
    radius_frequent: NDArray[np.float64],
) -> DecayRows:
    """Replicate demand rows over the levels where their sites within reach change.

    Parameters
    ----------
    decay
        The function and its grid.
    d
        Minutes row to site, shape (n_rows, n_sites).
    weight
        :math:`w_q`.
    radius_house, radius_frequent
        :math:`R_H(q)`, :math:`R_A(q)`.

    Returns
    -------
    DecayRows
        One row per (demand row, level) at which a site enters the house or frequent reach.
    """
    grid, values = decay.levels()
    n_rows, n_levels = d.shape[0], grid.size
    change = np.zeros((n_rows, n_levels + 1), dtype=bool)
    rows = np.broadcast_to(np.arange(n_rows)[:, np.newaxis], d.shape)
    for radius in (radius_house, radius_frequent):
        level = level_of(d, radius, grid)
        change[rows, np.where(level == NO_LEVEL, n_levels, level)] = True
    change = change[:, :n_levels]
    row, level = np.nonzero(change)  # row-major: levels ascending within a row
    following = np.empty_like(level)
    following[:-1] = level[1:]
    last = np.ones(row.size, dtype=bool)
    last[:-1] = row[1:] != row[:-1]
    following[last] = n_levels
    padded = np.concatenate([values, [0.0]])
    coef = padded[level] - padded[following]
    weight_rep = np.asarray(weight, dtype=np.float64)[row] * coef
    keep = coef > 0
    row, level, weight_rep = row[keep], level[keep], weight_rep[keep]
    return DecayRows(
        row=row.astype(np.int64),
        level=level.astype(np.int64),
        radius_house=np.asarray(radius_house, dtype=np.float64)[row] * grid[level],
        radius_frequent=np.asarray(radius_frequent, dtype=np.float64)[row] * grid[level],
        weight=weight_rep,
    )
