r"""The radius formulation of the p-median: distance levels and the model arrays.

For demand point :math:`i` let :math:`D_i^0 < D_i^1 < \dots` be its distinct distances to the
sites in play and :math:`z_i^a \ge 0` stand for "not served within :math:`D_i^a`" (Elloumi
2010; García, Labbé & Marín 2011). A model keeps rows for a subset of the levels; see
:mod:`planner.model.pmedian` for the formulation and the method that chooses the levels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np
from scipy import sparse

from planner.solve import MilpArrays

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from planner.model.base import BoolArray, FloatArray, IntArray

__all__ = [
    "Levels",
    "Radius",
    "build_radius",
    "dense_rows",
    "distance_levels",
    "inexact_points",
    "levels_needed",
    "radius_start",
    "served_level",
    "tail_rows",
]

COVER_TOL: Final[float] = 1e-6
_TAIL_LEVELS: Final[int] = 4


@dataclass(frozen=True, eq=False)
class Levels:
    """Per demand point: usable sites sorted by distance, and the distinct-distance levels."""

    order: NDArray[np.int32]  # (n, m) column by rank
    dist: FloatArray  # (n, m) sorted distances
    level: NDArray[np.int32]  # (n, m) level of each rank; huge where the distance is inf
    starts: BoolArray  # (n, m) rank opens a new finite level
    value: FloatArray  # (n, L) distance of each level (inf past the last)
    n_levels: IntArray  # (n,) levels worth modelling (capped at the nearest fixed site)

    def level_of(self, distance: FloatArray) -> IntArray:
        """Level index of each point's distance (the number of distinct distances below it)."""
        below = self.starts & (self.dist < distance[:, np.newaxis])
        return np.asarray(below.sum(axis=1), dtype=np.int64)


def distance_levels(d_cols: FloatArray, fixed_cols: BoolArray) -> Levels:
    """Return every point's sites sorted by distance and its distinct-distance levels."""
    order = np.argsort(d_cols, axis=1, kind="stable").astype(np.int32)
    dist = np.take_along_axis(d_cols, order, axis=1)
    finite = np.isfinite(dist)
    starts = finite.copy()
    starts[:, 1:] &= dist[:, 1:] != dist[:, :-1]
    level = np.cumsum(starts, axis=1, dtype=np.int32) - 1
    level[~finite] = np.iinfo(np.int32).max
    n_levels = starts.sum(axis=1).astype(np.int64)
    if fixed_cols.any():
        nearest_fixed = d_cols[:, fixed_cols].min(axis=1)
        below = (starts & (dist < nearest_fixed[:, np.newaxis])).sum(axis=1)
        n_levels = np.where(np.isfinite(nearest_fixed), np.minimum(n_levels, below + 1), n_levels)
    width = int(n_levels.max()) + 1
    value = np.full((d_cols.shape[0], width), np.inf)
    i_s, b_s = np.nonzero(starts & (level < n_levels[:, np.newaxis]))
    value[i_s, level[i_s, b_s]] = dist[i_s, b_s]
    return Levels(order, dist, level, starts, value, n_levels)


def dense_rows(levels: Levels, count: IntArray) -> BoolArray:
    """Rows for the first ``count[i]`` levels of each point (never the last level)."""
    width = levels.value.shape[1]
    upto = np.minimum(count, levels.n_levels - 1)
    return np.arange(width)[np.newaxis, :] < upto[:, np.newaxis]


def tail_rows(levels: Levels, rows: BoolArray) -> BoolArray:
    """Add rows 1, 2, 4, ... levels past each point's last row (up to :data:`_TAIL_LEVELS`).

    A point the MILP leaves unserved past its last row is charged the next distance only;
    a few rows further out charge such plans closer to their true cost, so the MILP rarely
    needs a second round, while the rows stay short (each row holds the sites between it
    and the previous row).
    """
    width = rows.shape[1]
    columns = np.arange(width)
    last = np.where(rows.any(axis=1), width - 1 - np.argmax(rows[:, ::-1], axis=1), -1)
    gap = columns[np.newaxis, :] - last[:, np.newaxis]
    power = (gap > 0) & ((gap & (gap - 1)) == 0) & (gap <= _TAIL_LEVELS)
    allowed = columns[np.newaxis, :] < (levels.n_levels - 1)[:, np.newaxis]
    return np.asarray(rows | (power & allowed & (last >= 0)[:, np.newaxis]), dtype=bool)


@dataclass(frozen=True, eq=False)
class Radius:
    """The radius model as arrays, with the index maps to read it back."""

    arrays: MilpArrays
    n_y: int
    z_point: IntArray  # demand point of each z column
    z_level: IntArray  # level a of each z column ("not served within D^a")


def build_radius(
    levels: Levels,
    weight: FloatArray,
    rows: BoolArray,
    count: int,
    fixed_cols: BoolArray,
    reach_rows: BoolArray,
    *,
    integer: bool,
) -> Radius:
    r"""Build the radius model with a row for every level ``a`` where ``rows[i, a]``.

    Row :math:`(i, a)` with previous row :math:`(i, a')` of the same point reads
    :math:`z_i^{a'} - z_i^{a} \le \sum_{j:\ a' < \ell_{ij} \le a} y_j` (:math:`z_i^{-1} = 1`),
    and :math:`z_i^a` costs :math:`w_i (D_i^{a+1} - D_i^{a'+1})` (:math:`D_i^{0}` for the
    first row): a point not served within :math:`D_i^a` pays at least :math:`D_i^{a+1}`.
    """
    n, m = levels.order.shape
    width = rows.shape[1]
    z_point, z_level = (index.astype(np.int64) for index in np.nonzero(rows))
    n_z = z_point.size
    first = np.ones(n_z, dtype=bool)
    first[1:] = z_point[1:] != z_point[:-1]
    previous = np.where(first, -1, np.concatenate(([-1], z_level[:-1])))
    step = levels.value[z_point, z_level + 1] - levels.value[z_point, previous + 1]
    step = step * weight[z_point]
    has_next = np.zeros(n_z, dtype=bool)
    has_next[:-1] = ~first[1:]
    # Row of each level: the first row at or after it (width when none).
    marked = np.where(rows, np.arange(width)[np.newaxis, :], width)
    target = np.minimum.accumulate(marked[:, ::-1], axis=1)[:, ::-1]
    row_id = np.full((n, width + 1), -1, dtype=np.int64)
    row_id[z_point, z_level] = np.arange(n_z)
    top = np.where(rows.any(axis=1), width - 1 - np.argmax(rows[:, ::-1], axis=1), -1)
    i_y, b_y = np.nonzero(levels.level <= top[:, np.newaxis])
    row_y = row_id[i_y, target[i_y, levels.level[i_y, b_y]]]
    col_y = levels.order[i_y, b_y].astype(np.int64)
    reach = np.flatnonzero(reach_rows)
    i_r, b_r = np.nonzero(np.isfinite(levels.dist[reach]))
    z_col = m + np.arange(n_z)
    matrix = sparse.csc_matrix(
        (
            np.concatenate(
                (
                    -np.ones(row_y.size),
                    -np.ones(n_z),
                    np.ones(int(has_next.sum())),
                    np.ones(i_r.size),
                    np.ones(m),
                )
            ),
            (
                np.concatenate(
                    (
                        row_y,
                        np.arange(n_z),
                        np.flatnonzero(has_next) + 1,
                        n_z + i_r,
                        np.full(m, n_z + reach.size),
                    )
                ),
                np.concatenate(
                    (
                        col_y,
                        z_col,
                        z_col[has_next],
                        levels.order[reach[i_r], b_r].astype(np.int64),
                        np.arange(m),
                    )
                ),
            ),
        ),
        shape=(n_z + reach.size + 1, m + n_z),
    )
    row_upper = np.where(first, -1.0, 0.0)
    row_upper = np.concatenate((row_upper, np.full(reach.size, np.inf), [float(count)]))
    row_lower = np.concatenate((np.full(n_z, -np.inf), np.ones(reach.size), [float(count)]))
    arrays = MilpArrays(
        c=np.concatenate((np.zeros(m), step)),
        A=matrix,
        row_lower=row_lower,
        row_upper=row_upper,
        lower=np.concatenate((fixed_cols.astype(np.float64), np.zeros(n_z))),
        upper=np.concatenate((np.ones(m), np.full(n_z, np.inf))),
        integer=np.concatenate((np.full(m, integer), np.zeros(n_z, dtype=bool))),
        offset=float((weight * levels.dist[:, 0]).sum()),
    )
    return Radius(arrays, m, z_point, z_level)


def served_level(levels: Levels, cols: BoolArray) -> IntArray:
    """Level of each point's nearest open column (``n_levels`` when none is reachable)."""
    is_open = cols[levels.order]
    first = np.argmax(is_open, axis=1)
    dist = np.where(is_open.any(axis=1), levels.dist[np.arange(first.size), first], np.inf)
    return np.minimum(levels.level_of(dist), levels.n_levels)


def radius_start(radius: Radius, levels: Levels, cols: BoolArray) -> FloatArray:
    """Full start: y of the plan and :math:`z_i^a = 1` while point i is not served."""
    served = served_level(levels, cols)
    z = (served[radius.z_point] > radius.z_level).astype(np.float64)
    return np.concatenate((cols.astype(np.float64), z))


def inexact_points(
    levels: Levels, rows: BoolArray, served: IntArray, weight: FloatArray
) -> BoolArray:
    """Points whose charge in the model is below their distance under a plan."""
    below = np.maximum(served - 1, 0)
    exact = (served == 0) | rows[np.arange(served.size), below]
    return np.asarray(~exact & (weight > 0) & (served < levels.n_levels), dtype=bool)


def levels_needed(levels: Levels, y: FloatArray) -> IntArray:
    """Level at which each point's cumulative coverage reaches 1 under ``y``."""
    cumulative = np.cumsum(y[levels.order], axis=1)
    full = cumulative >= 1.0 - COVER_TOL
    rank = np.argmax(full, axis=1)
    level = levels.level[np.arange(rank.size), rank].astype(np.int64)
    return np.where(full.any(axis=1), np.minimum(level, levels.n_levels - 1), levels.n_levels - 1)
