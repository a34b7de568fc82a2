"""Inputs and results shared by the p-facility models (p-median, p-center, capacitated).

The models see a distance matrix, weights, ``p`` and the fixed-open and forbidden sites;
:func:`check_facility_inputs` validates them (every problem listed) and checks the rules
that can be seen to fail before solving. :class:`FacilitySolution` is what every p-facility
solver returns.
"""

from __future__ import annotations

import numbers
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, TypeGuard

import numpy as np
from numpy.typing import NDArray

from planner.errors import DataError, InfeasibleError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from planner.scenario import SolverSpec
    from planner.solve import SolveResult

__all__ = [
    "FacilityInputs",
    "FacilitySolution",
    "check_facility_inputs",
    "facility_solution",
    "is_count",
    "nearest_open",
    "remaining_spec",
    "shown_indices",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]

SHOWN: Final[int] = 5


@dataclass(frozen=True, eq=False)
class FacilitySolution:
    """A plan of open sites and the assignment of every demand point to one of them.

    Attributes
    ----------
    open : ndarray of bool, shape (n_sites,)
        Open sites (read-only).
    assign : ndarray of int, shape (n_demand,)
        Index of the site serving each demand point: its nearest open site (ties: lowest site
        index), read-only.
    objective : float
        The model's objective, recomputed from ``open`` and the distances.
    result : SolveResult
        Status, proof, bound, gap and runtime of the whole method.
    method : str
        What ran, in words.
    stats : mapping of str to float
        Method figures (heuristic objective, LP bound, rounds, model size, times ...).
    """

    open: BoolArray
    assign: IntArray
    objective: float
    result: SolveResult
    method: str
    stats: Mapping[str, float] = field(default_factory=dict)

    @property
    def open_sites(self) -> IntArray:
        """Indices of the open sites, ascending."""
        return np.flatnonzero(self.open).astype(np.int64)


@dataclass(frozen=True, eq=False)
class FacilityInputs:
    """Validated inputs shared by the p-median and p-center models.

    Attributes
    ----------
    d : ndarray, shape (n_demand, n_sites)
        Distances (read-only), ``inf`` when unreachable.
    weight : ndarray, shape (n_demand,)
        Demand weights (ones when the model has none).
    p : int
        Number of sites to open.
    fixed : ndarray of bool, shape (n_sites,)
        Sites that must be open.
    allowed : ndarray of bool, shape (n_sites,)
        Sites that may be open (not forbidden).
    """

    d: FloatArray
    weight: FloatArray
    p: int
    fixed: BoolArray
    allowed: BoolArray

    @property
    def n_demand(self) -> int:
        """Number of demand points."""
        return int(self.d.shape[0])

    @property
    def n_sites(self) -> int:
        """Number of candidate sites."""
        return int(self.d.shape[1])


def shown_indices(indices: NDArray[np.integer]) -> str:
    """Return the first few indices as ``#i`` for a message, with how many more there are."""
    text = ", ".join(f"#{int(i)}" for i in indices[:SHOWN])
    return text + (f" and {indices.size - SHOWN} more" if indices.size > SHOWN else "")


def _site_mask(
    name: str, value: object, n_sites: int, problems: list[str], model: str
) -> BoolArray:
    """Return a boolean mask from None, a mask or site indices; note a problem otherwise."""
    mask = np.zeros(n_sites, dtype=bool)
    array = np.asarray([] if value is None else value)
    problem = None
    if array.dtype == np.bool_:
        if array.shape == (n_sites,):
            return array.copy()
        problem = f"expected a boolean mask of shape ({n_sites},), got shape {array.shape}"
    elif array.size == 0:
        return mask
    elif array.ndim != 1 or array.dtype.kind not in "iu":
        problem = (
            "expected site indices (integers) or a boolean mask, "
            f"got dtype {array.dtype} and shape {array.shape}"
        )
    elif ((array < 0) | (array >= n_sites)).any():
        bad = array[(array < 0) | (array >= n_sites)]
        shown = ", ".join(str(int(v)) for v in bad[:SHOWN])
        problem = f"site indices must be in 0..{n_sites - 1}, got {shown}"
    else:
        mask[array] = True
    if problem is not None:
        problems.append(f"{model} {name}: {problem}")
    return mask


def check_facility_inputs(
    d: object,
    p: object,
    *,
    weight: object = None,
    fixed_open: object = None,
    forbidden: object = None,
    model: str = "p-median",
) -> FacilityInputs:
    """Validate the inputs of a p-facility model and check that its rules can be met.

    Parameters
    ----------
    d
        Distances, shape (n_demand, n_sites): numbers >= 0, ``inf`` when unreachable.
    p
        Number of sites to open (an integer >= 1).
    weight
        Demand weights, shape (n_demand,), finite and >= 0; None for ones.
    fixed_open
        Sites that must be open: a boolean mask or site indices; None for none.
    forbidden
        Sites that must stay closed: a boolean mask or site indices; None for none.
    model
        Model name used in messages.

    Returns
    -------
    FacilityInputs
        Read-only copies.

    Raises
    ------
    DataError
        When shapes, types or values are wrong (all problems listed).
    InfeasibleError
        When a rule cannot be met: a site both fixed open and forbidden, more fixed sites
        than ``p``, fewer allowed sites than ``p``, or a demand point with no reachable
        allowed site.
    """
    matrix = np.asarray(d)
    if matrix.ndim != 2 or matrix.dtype.kind not in "biuf" or 0 in matrix.shape:
        raise DataError(
            f"{model} d: expected a non-empty 2-D array of numbers (demand points x sites), "
            f"got dtype {matrix.dtype} and shape {matrix.shape}"
        )
    n_demand, n_sites = (int(size) for size in matrix.shape)
    problems: list[str] = []
    distances = np.array(matrix, dtype=np.float64)
    rows = np.flatnonzero(np.isnan(distances).any(axis=1) | (distances < 0).any(axis=1))
    if rows.size:
        problems.append(
            f"{model} d: demand points {shown_indices(rows)} have NaN or negative distances "
            f"(use inf for no route)"
        )
    w = _weights(weight, n_demand, problems, model)
    count = _count(p, problems, model)
    fixed = _site_mask("fixed_open", fixed_open, n_sites, problems, model)
    blocked = _site_mask("forbidden", forbidden, n_sites, problems, model)
    if problems:
        raise DataError(problems)
    _check_rules(distances, count, fixed, blocked, model)
    for array in (distances, w, fixed, blocked):
        array.setflags(write=False)
    allowed = ~blocked
    allowed.setflags(write=False)
    return FacilityInputs(d=distances, weight=w, p=count, fixed=fixed, allowed=allowed)


def _weights(weight: object, n_demand: int, problems: list[str], model: str) -> FloatArray:
    if weight is None:
        return np.ones(n_demand)
    array = np.asarray(weight)
    if array.dtype.kind not in "biuf" or array.shape != (n_demand,):
        problems.append(
            f"{model} weight: expected {n_demand} numbers (one per demand point), "
            f"got dtype {array.dtype} and shape {array.shape}"
        )
        return np.ones(n_demand)
    w = np.array(array, dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(w) | (w < 0))
    if bad.size:
        problems.append(f"{model} weight: demand points {shown_indices(bad)} are not finite or < 0")
    return w


def _count(p: object, problems: list[str], model: str) -> int:
    if not is_count(p) or int(p) < 1:
        problems.append(f"{model} p: expected an integer >= 1 (sites to open), got {p!r}")
        return 1
    return int(p)


def _check_rules(d: FloatArray, p: int, fixed: BoolArray, blocked: BoolArray, model: str) -> None:
    problems: list[str] = []
    both = np.flatnonzero(fixed & blocked)
    if both.size:
        problems.append(
            f"{model}: sites {shown_indices(both)} are both fixed open and forbidden: "
            "drop them from one of the two"
        )
    if int(fixed.sum()) > p:
        problems.append(
            f"{model}: {int(fixed.sum())} sites are fixed open but p = {p}: "
            "raise p or fix fewer sites"
        )
    allowed = int((~blocked).sum())
    if allowed < p:
        problems.append(
            f"{model}: p = {p} sites must open but only {allowed} are not forbidden: "
            "lower p or forbid fewer sites"
        )
    stranded = np.flatnonzero(~np.isfinite(d[:, ~blocked]).any(axis=1))
    if stranded.size:
        problems.append(
            f"{model}: demand points {shown_indices(stranded)} cannot reach any allowed site "
            "(all distances inf): add a route or a site, or drop those points"
        )
    if problems:
        raise InfeasibleError(problems)


def nearest_open(d: FloatArray, open_sites: BoolArray) -> tuple[IntArray, FloatArray]:
    """Return each demand point's nearest open site and its distance.

    Parameters
    ----------
    d
        Distances, shape (n_demand, n_sites).
    open_sites
        Open sites, shape (n_sites,), at least one.

    Returns
    -------
    ndarray of int
        Site index per demand point (ties: lowest site index).
    ndarray of float
        The distance to it (``inf`` when no open site is reachable).
    """
    columns = np.flatnonzero(open_sites)
    sub = d[:, columns]
    best = np.argmin(sub, axis=1)
    return columns[best].astype(np.int64), sub[np.arange(d.shape[0]), best]


def is_count(value: object) -> TypeGuard[int | np.integer[Any]]:
    """Whether a value is a whole number (Python or numpy integer), not a bool.

    Parameters
    ----------
    value
        Anything.

    Returns
    -------
    bool
        True for ``3``, ``np.int64(3)``; False for ``True``, ``3.0``, ``"3"``.
    """
    return isinstance(value, numbers.Integral | np.integer) and not isinstance(value, bool)


def facility_solution(
    open_sites: BoolArray,
    assign: IntArray,
    objective: float,
    result: SolveResult,
    method: str,
    stats: Mapping[str, float] | None = None,
) -> FacilitySolution:
    """Return a :class:`FacilitySolution` with its arrays made read-only.

    Parameters
    ----------
    open_sites
        Open sites, shape (n_sites,).
    assign
        Site serving each demand point, shape (n_demand,).
    objective
        The model's objective, recomputed from the plan.
    result
        What the method proved.
    method
        What ran, in words.
    stats
        Method figures.

    Returns
    -------
    FacilitySolution
        The frozen result.
    """
    for array in (open_sites, assign):
        array.setflags(write=False)
    return FacilitySolution(
        open=open_sites,
        assign=assign,
        objective=objective,
        result=result,
        method=method,
        stats={} if stats is None else stats,
    )


def remaining_spec(spec: SolverSpec, deadline: float | None) -> SolverSpec | None:
    """Return the solver options with the time left before ``deadline``; None when none is left.

    Parameters
    ----------
    spec
        The solver options of the whole method.
    deadline
        :func:`time.perf_counter` value at which the method must stop (None: no limit).

    Returns
    -------
    SolverSpec or None
        ``spec`` with ``time_limit_s`` set to the time left (unchanged without a deadline).
    """
    if deadline is None:
        return spec
    remaining = deadline - time.perf_counter()
    if remaining <= 0:
        return None
    return spec.model_copy(update={"time_limit_s": remaining})
