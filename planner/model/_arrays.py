"""Private helpers to assemble sparse MILPs from arrays (no Python object per variable).

Models collect their columns and their rows as blocks of COO triplets and hand the result to
:class:`planner.solve.MilpArrays`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Final, Literal

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from planner.solve import MilpArrays

__all__ = [
    "MilpBuilder",
    "feasible_start",
    "identity_minus",
    "reach_matrix",
    "unique_rows",
]

logger = logging.getLogger(__name__)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
BoolArray = NDArray[np.bool_]

_HASH_SEED: Final[int] = 20240101
_START_TOLERANCE: Final[float] = 1e-6


@dataclass
class MilpBuilder:
    """Collects column blocks and row blocks, then builds a :class:`MilpArrays`."""

    c: list[FloatArray] = field(default_factory=list)
    lower: list[FloatArray] = field(default_factory=list)
    upper: list[FloatArray] = field(default_factory=list)
    integer: list[BoolArray] = field(default_factory=list)
    rows: list[IntArray] = field(default_factory=list)
    cols: list[IntArray] = field(default_factory=list)
    vals: list[FloatArray] = field(default_factory=list)
    row_lower: list[FloatArray] = field(default_factory=list)
    row_upper: list[FloatArray] = field(default_factory=list)
    n_cols: int = 0
    n_rows: int = 0

    def add_columns(
        self,
        n: int,
        *,
        cost: FloatArray | float = 0.0,
        lower: float = 0.0,
        upper: float = 1.0,
        integer: bool = False,
    ) -> IntArray:
        """Add ``n`` columns and return their indices."""
        self.c.append(np.broadcast_to(np.asarray(cost, dtype=np.float64), (n,)).copy())
        self.lower.append(np.full(n, lower))
        self.upper.append(np.full(n, upper))
        self.integer.append(np.full(n, integer, dtype=bool))
        start = self.n_cols
        self.n_cols += n
        return np.arange(start, start + n, dtype=np.intp)

    def add_rows(
        self,
        matrix: sparse.spmatrix | sparse.sparray,
        columns: IntArray,
        *,
        lower: FloatArray | float = -np.inf,
        upper: FloatArray | float = np.inf,
    ) -> IntArray:
        """Add one row per row of ``matrix``; its column ``k`` is model column ``columns[k]``.

        Returns the indices of the new rows.
        """
        coo = sparse.coo_matrix(matrix)
        m = int(coo.shape[0])
        self.rows.append(coo.row.astype(np.intp) + self.n_rows)
        self.cols.append(np.asarray(columns, dtype=np.intp)[coo.col])
        self.vals.append(coo.data.astype(np.float64))
        self.row_lower.append(np.broadcast_to(np.asarray(lower, dtype=np.float64), (m,)).copy())
        self.row_upper.append(np.broadcast_to(np.asarray(upper, dtype=np.float64), (m,)).copy())
        start = self.n_rows
        self.n_rows += m
        return np.arange(start, start + m, dtype=np.intp)

    def add_triplets(
        self,
        rows: IntArray,
        cols: IntArray,
        vals: FloatArray,
        n_rows: int,
        *,
        lower: FloatArray | float = -np.inf,
        upper: FloatArray | float = np.inf,
    ) -> IntArray:
        """Add ``n_rows`` rows given as (local row, model column, value) triplets."""
        matrix = sparse.coo_matrix(
            (np.asarray(vals, dtype=np.float64), (np.asarray(rows), np.asarray(cols))),
            shape=(n_rows, max(self.n_cols, 1)),
        )
        return self.add_rows(
            matrix, np.arange(max(self.n_cols, 1), dtype=np.intp), lower=lower, upper=upper
        )

    def set_cost(self, columns: IntArray, cost: FloatArray) -> None:
        """Overwrite the objective coefficients of some columns."""
        flat = np.concatenate(self.c) if self.c else np.zeros(0)
        flat[columns] = cost
        self.c = [flat]

    def build(self, sense: Literal["min", "max"], offset: float = 0.0) -> MilpArrays:
        """Return the assembled model."""
        n, m = self.n_cols, self.n_rows
        matrix = sparse.csc_matrix(
            (
                np.concatenate(self.vals) if self.vals else np.zeros(0),
                (
                    np.concatenate(self.rows) if self.rows else np.zeros(0, dtype=np.intp),
                    np.concatenate(self.cols) if self.cols else np.zeros(0, dtype=np.intp),
                ),
            ),
            shape=(m, n),
        )
        return MilpArrays(
            c=_joined(self.c),
            A=matrix,
            row_lower=_joined(self.row_lower),
            row_upper=_joined(self.row_upper),
            lower=_joined(self.lower),
            upper=_joined(self.upper),
            integer=np.concatenate(self.integer) if self.integer else np.zeros(0, dtype=bool),
            sense=sense,
            offset=offset,
        )


def _joined(parts: list[FloatArray]) -> FloatArray:
    return np.concatenate(parts) if parts else np.zeros(0)


def identity_minus(left: sparse.csr_matrix) -> sparse.csr_matrix:
    """Return ``[I | -left]``: rows ``y_r - sum_k left_rk x_k``."""
    n = int(left.shape[0])
    return sparse.hstack([sparse.identity(n, format="csr"), -left], format="csr")


def reach_matrix(d: FloatArray, radius: FloatArray, columns: BoolArray) -> sparse.csr_matrix:
    r"""Return the sparse 0/1 matrix :math:`[d_{ij} \le R(i)]` over the chosen site columns.

    Infinite times never meet a standard, even an infinite one.
    """
    sub = d[:, columns]
    mask = np.isfinite(sub) & (sub <= radius[:, np.newaxis])
    return sparse.csr_matrix(mask, dtype=np.float64)


def unique_rows(matrix: sparse.csr_matrix) -> tuple[IntArray, IntArray]:
    """Group identical rows of a sparse 0/1 matrix.

    Rows are hashed with two random weight vectors (row sums in a fixed order, so equal rows
    hash equal bit for bit) and the grouping is then verified exactly; if two different rows
    ever shared a hash, no rows are merged.

    Returns
    -------
    first : ndarray of intp
        Index of the first row of each group, in order of first appearance.
    inverse : ndarray of intp
        Group of every row.
    """
    n = int(matrix.shape[0])
    if n == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    csr = sparse.csr_matrix(matrix)
    csr.sort_indices()
    rng = np.random.default_rng(_HASH_SEED)
    keys = rng.random((int(csr.shape[1]), 2))
    hashes = np.column_stack([csr @ keys, np.diff(csr.indptr)])
    _, first_sorted, inverse_sorted = np.unique(
        hashes, axis=0, return_index=True, return_inverse=True
    )
    inverse_sorted = inverse_sorted.reshape(-1)
    # renumber groups by first appearance so the result does not depend on hash order
    order = np.argsort(first_sorted, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    first = first_sorted[order].astype(np.intp)
    inverse = rank[inverse_sorted].astype(np.intp)
    representative = csr[first[inverse]]
    if (representative != csr).nnz:
        logger.warning("Row hashing met a collision: sectors are not merged")
        return np.arange(n, dtype=np.intp), np.arange(n, dtype=np.intp)
    return first, inverse


def feasible_start(model: MilpArrays, x: FloatArray) -> bool:
    """Return whether ``x`` meets every bound and row of ``model`` (with a small tolerance)."""
    tol = _START_TOLERANCE
    if x.shape != (model.n_cols,):
        return False
    if np.any(x < model.lower - tol) or np.any(x > model.upper + tol):
        return False
    integral = model.integer
    if np.any(np.abs(x[integral] - np.round(x[integral])) > tol):
        return False
    activity = model.A @ x
    return bool(
        np.all(activity >= model.row_lower - tol * np.maximum(1.0, np.abs(model.row_lower)))
        and np.all(activity <= model.row_upper + tol * np.maximum(1.0, np.abs(model.row_upper)))
    )
