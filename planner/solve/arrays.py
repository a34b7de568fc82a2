r"""Models given by arrays (:class:`MilpArrays`: costs, a sparse matrix and bounds), checked."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import sparse

from planner.errors import DataError
from planner.solve.result import BoolArray, FloatArray

# --------------------------------------------------------------------------- array models


@dataclass(frozen=True, eq=False)
class MilpArrays:
    r"""A mixed-integer (or linear) program given by arrays, ready for a solver.

    .. math::

        \min \text{ or } \max \; c^\top x + c_0 \quad \text{s.t.} \quad
        r^L \le A x \le r^U, \qquad l \le x \le u, \qquad
        x_j \in \mathbb{Z} \;\; (j: \text{integer}_j).

    Arrays are converted to float64 (``A`` to CSC with duplicates summed) and made read-only
    on construction; shapes and values are checked (:class:`~planner.errors.DataError`).

    Attributes
    ----------
    c : ndarray, shape (n,)
        Objective coefficients (finite).
    A : scipy.sparse matrix, shape (m, n)
        Constraint matrix (finite entries).
    row_lower, row_upper : ndarray, shape (m,)
        Row bounds :math:`r^L \le r^U`; ``-inf`` / ``inf`` for none.
    lower, upper : ndarray, shape (n,)
        Column bounds :math:`l \le u`; ``-inf`` / ``inf`` for none.
    integer : ndarray of bool, shape (n,)
        Integer columns; all False makes an LP.
    sense : str
        ``"min"`` or ``"max"``.
    offset : float
        Constant :math:`c_0` added to the objective (and to the bound).
    names : tuple of str or None
        Column names, passed to HiGHS for its log (CBC always sees generated names).
    """

    c: FloatArray
    A: sparse.csc_matrix
    row_lower: FloatArray
    row_upper: FloatArray
    lower: FloatArray
    upper: FloatArray
    integer: BoolArray
    sense: Literal["min", "max"] = "min"
    offset: float = 0.0
    names: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        problems: list[str] = []
        c, matrix, arrays, integer = _milp_arrays(self, problems)
        if problems:
            raise DataError(problems)
        _check_values(c, matrix, arrays, float(self.offset), problems)
        if problems:
            raise DataError(problems)
        for name, value in (("c", c), ("integer", integer), *arrays.items()):
            frozen = np.array(value)
            frozen.setflags(write=False)
            object.__setattr__(self, name, frozen)
        object.__setattr__(self, "A", matrix)
        object.__setattr__(self, "offset", float(self.offset))
        if self.names is not None:
            object.__setattr__(self, "names", tuple(str(name) for name in self.names))

    @property
    def n_cols(self) -> int:
        """Number of columns (variables)."""
        return int(self.c.shape[0])

    @property
    def n_rows(self) -> int:
        """Number of rows (constraints)."""
        return int(self.A.shape[0])

    @property
    def is_mip(self) -> bool:
        """Whether any column is integer."""
        return bool(self.integer.any())

    def objective(self, x: FloatArray) -> float:
        r"""Return :math:`c^\top x + c_0`."""
        return float(self.c @ x) + self.offset


@dataclass(frozen=True, eq=False)
class LpSolution:
    """Optimal values and reduced costs of an LP relaxation.

    Attributes
    ----------
    x : ndarray, shape (n,)
        Column values.
    reduced_cost : ndarray, shape (n,)
        Rate of change of the objective per unit of each column, in the model's own sense
        (see :func:`solve_lp`).
    """

    x: FloatArray
    reduced_cost: FloatArray


_Values = tuple[FloatArray, FloatArray | None]


def _milp_arrays(
    model: MilpArrays, problems: list[str]
) -> tuple[FloatArray, sparse.csc_matrix, dict[str, FloatArray], BoolArray]:
    """Convert the fields of a :class:`MilpArrays` and collect shape problems."""
    c = np.asarray(model.c, dtype=np.float64)
    if c.ndim != 1:
        raise DataError(f"MilpArrays.c: expected a 1-D array, got shape {c.shape}")
    n = c.shape[0]
    if not sparse.issparse(model.A) and np.asarray(model.A).ndim != 2:
        raise DataError(f"MilpArrays.A: expected a 2-D matrix, got {type(model.A).__name__}")
    matrix = sparse.csc_matrix(model.A, dtype=np.float64)
    matrix.sum_duplicates()
    m = matrix.shape[0]
    if matrix.shape[1] != n:
        problems.append(f"MilpArrays.A: expected {n} columns (len(c)), got {matrix.shape[1]}")
    arrays = {
        name: _float_vector(name, getattr(model, name), size, problems)
        for name, size in (("row_lower", m), ("row_upper", m), ("lower", n), ("upper", n))
    }
    integer = np.asarray(model.integer)
    if integer.dtype != np.bool_ or integer.shape != (n,):
        problems.append(
            f"MilpArrays.integer: expected a boolean array of shape ({n},), "
            f"got dtype {integer.dtype} and shape {integer.shape}"
        )
    if model.sense not in {"min", "max"}:
        problems.append(f"MilpArrays.sense: expected 'min' or 'max', got {model.sense!r}")
    if model.names is not None and len(model.names) != n:
        problems.append(f"MilpArrays.names: expected {n} names, got {len(model.names)}")
    return c, matrix, arrays, integer


def _float_vector(name: str, value: object, size: int, problems: list[str]) -> FloatArray:
    array = np.asarray(value)
    if array.dtype.kind not in "biuf" or array.shape != (size,):
        problems.append(
            f"MilpArrays.{name}: expected {size} numbers, got dtype {array.dtype} "
            f"and shape {array.shape}"
        )
        return np.zeros(size)
    return np.asarray(array, dtype=np.float64)


def _check_values(
    c: FloatArray,
    matrix: sparse.csc_matrix,
    arrays: dict[str, FloatArray],
    offset: float,
    problems: list[str],
) -> None:
    if not np.isfinite(c).all():
        problems.append(f"MilpArrays.c: {int((~np.isfinite(c)).sum())} entries are not finite")
    if not np.isfinite(matrix.data).all():
        problems.append(
            f"MilpArrays.A: {int((~np.isfinite(matrix.data)).sum())} entries are not finite"
        )
    if not math.isfinite(offset):
        problems.append(f"MilpArrays.offset: expected a finite number, got {offset!r}")
    for low, high in (("row_lower", "row_upper"), ("lower", "upper")):
        lo, hi = arrays[low], arrays[high]
        bad = np.isnan(lo) | np.isnan(hi) | (lo > hi)
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            problems.append(
                f"MilpArrays.{low}/{high}: {int(bad.sum())} entries are NaN or have "
                f"{low} > {high} (first at index {first}: {lo[first]} > {hi[first]})"
            )
