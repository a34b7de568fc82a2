r"""An incremental HiGHS model: rows added between solves, the LP re-solved from its basis.

A cutting-plane method (Benders decomposition, row generation) solves one LP many times,
each time with a few more rows. :class:`IncrementalHighs` keeps one ``highspy.Highs`` object
alive across those solves: :meth:`IncrementalHighs.add_rows` appends rows (CSR arrays) and
the next :meth:`IncrementalHighs.solve` starts from the previous basis (dual simplex), and
the same object solves the MILP (its integer columns) when asked. Every solve returns a
:class:`~planner.solve.SolveResult` labelled with the same rules as
:func:`~planner.solve.solve_milp`. The model is a minimisation without offset; only HiGHS
offers this (CBC has no incremental interface).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import numpy as np
import pulp

from planner.errors import DataError
from planner.solve.highs import (
    _HIGHS_HEURISTICS,
    _classify_highs,
    _configure_highs,
    _new_highs,
)
from planner.solve.result import (
    _HAS_PLAN,
    FloatArray,
    SolveResult,
    _build_result,
    _check_solver,
    _highs_version,
    _Outcome,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from numpy.typing import NDArray
    from scipy import sparse

    from planner.scenario import SolverSpec
    from planner.solve.arrays import MilpArrays

    Indices = NDArray[np.integer[Any]]  # row or column indices

__all__ = ["IncrementalHighs", "IncrementalSolution"]

logger = logging.getLogger(__name__)


class IncrementalSolution:
    """Values of one solve of an :class:`IncrementalHighs` model.

    Attributes
    ----------
    x : ndarray, shape (n_cols,)
        Column values.
    reduced_cost : ndarray or None, shape (n_cols,)
        Reduced costs (an optimal LP only).
    row_dual : ndarray or None, shape (n_rows,)
        Row duals (an optimal LP only).
    """

    __slots__ = ("reduced_cost", "row_dual", "x")

    def __init__(
        self, x: FloatArray, reduced_cost: FloatArray | None, row_dual: FloatArray | None
    ) -> None:
        self.x = x
        self.reduced_cost = reduced_cost
        self.row_dual = row_dual


class IncrementalHighs:
    """A HiGHS minimisation kept alive across solves, with rows added in between.

    Parameters
    ----------
    model
        The columns (cost, bounds, integer flags) and the first rows, as
        :class:`~planner.solve.MilpArrays` with ``sense == "min"`` and no offset.
    spec
        The solver options (``name`` must be ``"highs"``; threads are set once here).

    Raises
    ------
    SolverUnavailableError
        When HiGHS is not installed.
    DataError
        When the model is a maximisation, has an offset, or HiGHS rejects it.
    """

    def __init__(self, model: MilpArrays, spec: SolverSpec) -> None:
        _check_solver("highs")
        if model.sense != "min" or model.offset != 0.0:
            msg = "IncrementalHighs: expected a minimisation without offset"
            raise DataError(msg)
        from planner.solve.highs import _pass_arrays  # noqa: PLC0415 (imports highspy)

        self._highs: Any = _new_highs()
        if not _pass_arrays(self._highs, model):
            msg = "IncrementalHighs: HiGHS rejected the model"
            raise DataError(msg)
        self._integer = model.integer.copy()
        self._cost = model.c.copy()
        self._configured = model
        self._spec = spec
        highs: Any = self._highs
        self._heuristic_defaults = {
            name: highs.getOptionValue(name)[1]
            for name in ("mip_heuristic_effort", *_HIGHS_HEURISTICS)
        }
        self.n_cols = model.n_cols
        self.n_rows = model.n_rows

    def add_rows(self, matrix: sparse.csr_matrix, lower: FloatArray, upper: FloatArray) -> None:
        """Append rows ``lower <= matrix @ x <= upper``.

        Parameters
        ----------
        matrix
            The new rows, shape (k, n_cols), CSR.
        lower, upper
            Their bounds, shape (k,) (``-inf`` / ``inf`` for none).
        """
        count = int(matrix.shape[0])
        if count == 0:
            return
        self._highs.addRows(
            count,
            np.ascontiguousarray(lower, dtype=np.float64),
            np.ascontiguousarray(upper, dtype=np.float64),
            int(matrix.nnz),
            matrix.indptr[:-1].astype(np.int32),
            matrix.indices.astype(np.int32),
            np.ascontiguousarray(matrix.data, dtype=np.float64),
        )
        self.n_rows += count

    def set_cost(self, cost: FloatArray) -> None:
        """Replace the objective (a minimisation of ``cost @ x``, no offset).

        Parameters
        ----------
        cost
            The new cost of every column, shape (n_cols,).
        """
        self._cost = np.array(cost, dtype=np.float64)
        self._highs.changeColsCost(
            self.n_cols, np.arange(self.n_cols, dtype=np.int32), np.ascontiguousarray(self._cost)
        )

    def set_row_bounds(self, rows: Indices, lower: FloatArray, upper: FloatArray) -> None:
        """Change the bounds of some rows (relaxing a row with ``-inf`` / ``inf``, for instance).

        Parameters
        ----------
        rows
            Row indices.
        lower, upper
            Their new bounds.
        """
        index = np.asarray(rows, dtype=np.int32)
        if index.size:
            self._highs.changeRowsBounds(
                int(index.size),
                index,
                np.ascontiguousarray(lower, dtype=np.float64),
                np.ascontiguousarray(upper, dtype=np.float64),
            )

    def set_bounds(self, columns: Indices, lower: FloatArray, upper: FloatArray) -> None:
        """Change the bounds of some columns (fixing them, for instance).

        Parameters
        ----------
        columns
            Column indices.
        lower, upper
            Their new bounds.
        """
        index = np.asarray(columns, dtype=np.int32)
        if index.size:
            self._highs.changeColsBounds(
                int(index.size),
                index,
                np.ascontiguousarray(lower, dtype=np.float64),
                np.ascontiguousarray(upper, dtype=np.float64),
            )

    def _restore_heuristics(self, *, heuristics: bool) -> None:
        """Turn the primal heuristics back on after a solve without them (a tie-break)."""
        if heuristics:
            for name, value in self._heuristic_defaults.items():
                self._highs.setOptionValue(name, value)

    def solve(
        self,
        spec: SolverSpec,
        *,
        integer: bool,
        start: FloatArray | None = None,
        heuristics: bool = True,
        abs_gap: float | None = None,
        on_solution: Callable[[FloatArray], None] | None = None,
    ) -> tuple[SolveResult, IncrementalSolution | None]:
        """Solve the LP relaxation (``integer=False``) or the MILP, within ``spec``'s time limit.

        Parameters
        ----------
        spec
            Time limit and relative gap tolerance of this solve.
        integer
            Solve with the integer columns (else their LP relaxation, warm-started).
        start
            A full assignment used as a MIP start (MILP only).
        heuristics
            Let HiGHS run its primal heuristics (MILP only).
        abs_gap
            Absolute gap at which the MILP may stop (HiGHS ``mip_abs_gap``): just below 1
            when every plan's objective is an integer. None keeps HiGHS's default.
        on_solution
            Called with the column values of every improving MILP solution HiGHS finds
            (a cutting-plane method separates at them).

        Returns
        -------
        SolveResult
            As for :func:`~planner.solve.solve_milp`.
        IncrementalSolution or None
            The values when a plan exists.
        """
        highs = self._highs
        flags = self._integer if integer else np.zeros(self.n_cols, dtype=bool)
        highs.changeColsIntegrality(
            self.n_cols, np.arange(self.n_cols, dtype=np.int32), flags.astype(np.uint8)
        )
        is_mip = bool(flags.any())
        self._restore_heuristics(heuristics=heuristics)
        _configure_highs(highs, self._configured, spec, None, heuristics=heuristics)
        if spec.time_limit_s is None:
            highs.setOptionValue("time_limit", float("inf"))
        highs.setOptionValue("mip_abs_gap", 1e-6 if abs_gap is None else float(abs_gap))
        if start is not None and is_mip:
            highs.setSolution(
                self.n_cols,
                np.arange(self.n_cols, dtype=np.int32),
                np.ascontiguousarray(start, dtype=np.float64),
            )
        begin = time.perf_counter()
        options: dict[str, object] = {
            "interface": "highspy incremental",
            "mip_start": start is not None,
        }

        def improving(event: Any) -> None:  # noqa: ANN401 (a highspy callback event)
            if on_solution is not None:
                on_solution(np.array(event.data_out.mip_solution, dtype=np.float64))

        if on_solution is not None and is_mip:
            highs.cbMipImprovingSolution.subscribe(improving)
        try:
            highs.run()
        except RuntimeError as error:
            outcome = _Outcome("error", None, False, str(error), _highs_version(), options)
            result = _build_result(spec, "min", outcome, None, 0.0, time.perf_counter() - begin)
            return result, None
        finally:
            if on_solution is not None and is_mip:
                highs.cbMipImprovingSolution.unsubscribe(improving)
        read = _classify_highs(highs, is_mip=is_mip, sense=pulp.LpMinimize)
        outcome = _Outcome(
            read.status, read.bound_raw, read.solver_proved, read.detail, _highs_version(), options
        )
        values: IncrementalSolution | None = None
        objective = None
        if outcome.status in _HAS_PLAN:
            solution = highs.getSolution()
            x = np.array(solution.col_value, dtype=np.float64)
            reduced = row_dual = None
            if not is_mip and solution.dual_valid:
                reduced = np.array(solution.col_dual, dtype=np.float64)
                row_dual = np.array(solution.row_dual, dtype=np.float64)
            values = IncrementalSolution(x, reduced, row_dual)
            objective = float(self._cost @ x)
        result = _build_result(spec, "min", outcome, objective, 0.0, time.perf_counter() - begin)
        logger.debug(
            f"incremental HiGHS {'MILP' if is_mip else 'LP'} ({self.n_rows:,} rows): "
            f"{result.status} in {result.runtime_s:.2f} s"
        )
        return result, values
