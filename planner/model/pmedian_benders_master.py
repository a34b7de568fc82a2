r"""The master problem of the Benders p-median: its data, its first rows and its cuts.

See :mod:`planner.model.pmedian_benders` for the method. The cut of client :math:`i` at
radius :math:`r` is :math:`\theta_i + \sum_j (r - d_{ij})^+ y_j \ge r`; its critical radius at
a point :math:`\bar y` is where the running sum of :math:`\bar y` over the client's sites
sorted by distance first reaches 1. Everything is computed for all clients at once (numpy).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import numpy as np
from scipy import sparse

from planner.model.base import (
    BoolArray,
    FacilityInputs,
    FloatArray,
    IntArray,
    nearest_open,
)
from planner.solve import MilpArrays

if TYPE_CHECKING:
    from planner.scenario import SolverSpec

__all__ = [
    "BendersMaster",
    "add_cuts",
    "add_level_cuts",
    "critical_radius",
    "cut_values",
    "cuts_at",
    "first_rows",
    "master_start",
    "violated_clients",
]

logger = logging.getLogger(__name__)

_ROUND_TOL: Final[float] = 1e-6
_CUT_TOL: Final[float] = 1e-6  # relative violation a cut must have to be added
_COVER_TOL: Final[float] = 1e-6
BEYOND_LEVELS: Final[int] = 1  # levels past the best plan's distance in the level cuts
LEVEL_NNZ: Final[int] = 4_000_000  # largest set of level cuts added before the MILP


@dataclass
class BendersMaster:
    """The master problem, its data and the state of the search."""

    inputs: FacilityInputs
    sites: IntArray  # site index of each column (allowed sites)
    clients: IntArray  # demand index of each theta (weight > 0)
    d: FloatArray  # (n_clients, n_cols)
    order: IntArray  # (n_clients, n_cols) columns by distance
    sorted_d: FloatArray  # d along order
    weight: FloatArray  # (n_clients,)
    fixed_cols: BoolArray
    closed_cols: BoolArray  # columns fixed closed by reduced costs
    opened_cols: BoolArray  # columns fixed open by reduced costs
    integral: bool
    deadline: float | None
    highs: Any = None
    lp_outcome: tuple[FloatArray, FloatArray, float] | None = None  # y, reduced costs, value
    best_cols: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    best_cost: float = math.inf
    lower: float = -math.inf
    lp_bound: float = -math.inf
    rounds_lp: int = 0
    rounds_milp: int = 0
    cuts: int = 0
    fixed_closed: int = 0
    fixed_open: int = 0
    stopped: str = ""
    versions: set[str] = field(default_factory=set)

    @property
    def n_cols(self) -> int:
        """Number of columns (allowed sites)."""
        return int(self.sites.size)

    def rounded(self, bound: float) -> float:
        """Round a lower bound up when every plan's cost is an integer."""
        if self.integral and math.isfinite(bound):
            return float(math.ceil(bound - _ROUND_TOL * max(1.0, abs(bound))))
        return bound

    def raise_lower(self, bound: float | None) -> None:
        """Raise the proven lower bound (rounded) to ``bound`` when it is higher."""
        if bound is not None and math.isfinite(bound):
            self.lower = max(self.lower, self.rounded(bound))

    def closed(self, spec: SolverSpec) -> bool:
        """Whether the bound meets the best plan (within the allowed relative gap)."""
        if not math.isfinite(self.best_cost):
            return False
        scale = max(1.0, abs(self.best_cost))
        return self.best_cost - self.lower <= max(1e-6 * scale, spec.mip_gap * scale)

    def cost_of(self, cols: BoolArray) -> float:
        """Cost of a plan given by its columns (``inf`` when a point cannot reach it)."""
        _, dist = nearest_open(self.inputs.d[:, self.sites], cols)
        if not np.isfinite(dist).all():
            return math.inf
        return float((self.inputs.weight * dist).sum())

    def offer(self, cols: BoolArray) -> None:
        """Keep a plan of exactly p columns (fixed ones included) when it beats the best."""
        if int(cols.sum()) != self.inputs.p or not cols[self.fixed_cols].all():
            return
        cost = self.cost_of(cols)
        if cost < self.best_cost - 1e-9 * max(1.0, abs(cost)):
            self.best_cols, self.best_cost = cols.copy(), cost


def first_rows(master: BendersMaster, d_all: FloatArray) -> MilpArrays:
    r"""Columns :math:`y, \theta`; rows :math:`\sum_j y_j = p` and "some reachable site open"."""
    n_cols, n_clients = master.n_cols, master.clients.size
    reach_rows = np.flatnonzero(~np.isfinite(d_all).all(axis=1))
    finite = np.isfinite(d_all[reach_rows])
    rows, cols = np.nonzero(finite)
    matrix = sparse.vstack(
        [
            sparse.csr_matrix(np.ones((1, n_cols))),
            sparse.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(reach_rows.size, n_cols)),
        ]
    )
    matrix = sparse.hstack([matrix, sparse.csr_matrix((matrix.shape[0], n_clients))]).tocsc()
    p = float(master.inputs.p)
    lower_y = master.fixed_cols.astype(np.float64)
    theta_low = master.sorted_d[:, 0]
    return MilpArrays(
        c=np.concatenate([np.zeros(n_cols), master.weight]),
        A=matrix,
        row_lower=np.concatenate([[p], np.ones(reach_rows.size)]),
        row_upper=np.concatenate([[p], np.full(reach_rows.size, np.inf)]),
        lower=np.concatenate([lower_y, theta_low]),
        upper=np.concatenate([np.ones(n_cols), np.full(n_clients, np.inf)]),
        integer=np.concatenate([np.ones(n_cols, dtype=bool), np.zeros(n_clients, dtype=bool)]),
    )


def critical_radius(master: BendersMaster, y: FloatArray) -> FloatArray:
    """Each client's critical distance at ``y``: where its running sum of ``y`` reaches 1."""
    running = np.cumsum(y[master.order], axis=1)
    reached = running >= 1.0 - _COVER_TOL
    level = np.argmax(reached, axis=1)
    rows = np.arange(master.clients.size)
    radius = master.sorted_d[rows, level]
    # A row that never reaches 1 (only within tolerance) or lands on "no route": its largest
    # finite distance, a valid (if weaker) cut.
    largest = np.where(np.isfinite(master.sorted_d), master.sorted_d, -np.inf).max(axis=1)
    bad = ~reached.any(axis=1) | ~np.isfinite(radius)
    return np.asarray(np.where(bad, largest, radius), dtype=np.float64)


def cut_values(master: BendersMaster, radius: FloatArray, y: FloatArray) -> FloatArray:
    r""":math:`r_i - \sum_j (r_i - d_{ij})^+ y_j` for every client."""
    with np.errstate(invalid="ignore"):
        gain = np.maximum(radius[:, np.newaxis] - master.d, 0.0)
    return radius - gain @ y


def cuts_at(master: BendersMaster, y: FloatArray) -> tuple[IntArray, FloatArray]:
    """Return every client's cut at ``y``: the clients and their critical radii."""
    return np.arange(master.clients.size, dtype=np.int64), critical_radius(master, y)


def violated_clients(
    master: BendersMaster, radius: FloatArray, y: FloatArray, theta: FloatArray
) -> IntArray:
    """Clients whose cut at ``radius`` cuts off ``(y, theta)``."""
    value = cut_values(master, radius, y)
    return np.flatnonzero(value - theta > _CUT_TOL * np.maximum(1.0, np.abs(radius)))


def add_cuts(master: BendersMaster, which: IntArray, radius: FloatArray) -> None:
    r"""Add :math:`\theta_i + \sum_j (r_i - d_{ij})^+ y_j \ge r_i` for clients ``which``."""
    if which.size == 0:
        return
    r = radius[which]
    sub = master.d[which]
    with np.errstate(invalid="ignore"):
        gain = r[:, np.newaxis] - sub
    rows, cols = np.nonzero(gain > 0)
    n_cols = master.n_cols
    all_rows = np.concatenate([rows, np.arange(which.size)])
    all_cols = np.concatenate([cols, n_cols + which])
    values = np.concatenate([gain[rows, cols], np.ones(which.size)])
    matrix = sparse.csr_matrix(
        (values, (all_rows, all_cols)), shape=(which.size, n_cols + master.clients.size)
    )
    matrix.sort_indices()
    master.highs.add_rows(matrix, r, np.full(which.size, np.inf))
    master.cuts += int(which.size)


def add_level_cuts(master: BendersMaster) -> None:
    r"""Add every client's cuts over the sites left, up to the level past its best-plan distance.

    After reduced-cost fixing few sites are left; for each client and each distinct distance
    :math:`r` to them above the nearest, up to the first one beyond the distance the best plan
    serves it at, the cut :math:`\theta_i + \sum_{j \text{ left}} (r - d_{ij})^+ y_j \ge r`.
    With them the master is as strong as the radius formulation on every plan that serves each
    client no farther than the best plan (plus one level), in every node of the MILP search,
    not only at the LP solution. Skipped when they would exceed :data:`LEVEL_NNZ` nonzeros.
    """
    left = np.flatnonzero(~master.closed_cols)
    sub = master.d[:, left]
    order = np.argsort(sub, axis=1, kind="stable")
    values = np.take_along_axis(sub, order, axis=1)
    served = np.where(master.best_cols[np.newaxis, :], master.d, np.inf).min(axis=1)
    first = np.ones(values.shape, dtype=bool)
    first[:, 1:] = values[:, 1:] != values[:, :-1]
    first[:, 0] = False  # r = D^1: the bound theta >= D^1
    first &= np.isfinite(values)
    # Levels up to the served one, then BEYOND_LEVELS more distinct levels past it.
    past = np.cumsum(first & (values > served[:, np.newaxis]), axis=1)
    client, position = np.nonzero(first & (past <= BEYOND_LEVELS))
    nnz = int(position.sum())
    if client.size == 0 or nnz > LEVEL_NNZ:
        logger.info(
            f"p-median (Benders): level cuts skipped ({client.size:,} cuts, {nnz:,} nonzeros)"
        )
        return
    radius = values[client, position]
    # Entries of cut c: the sites left at positions 0 .. position[c] - 1 of its client.
    cut = np.repeat(np.arange(client.size), position)
    offset = np.arange(nnz) - np.repeat(np.cumsum(position) - position, position)
    owner = client[cut]
    n_cols = master.n_cols
    rows = np.concatenate([cut, np.arange(client.size)])
    cols = np.concatenate([left[order[owner, offset]], n_cols + client])
    data = np.concatenate([radius[cut] - values[owner, offset], np.ones(client.size)])
    keep = data > 0
    matrix = sparse.csr_matrix(
        (data[keep], (rows[keep], cols[keep])),
        shape=(client.size, n_cols + master.clients.size),
    )
    matrix.sort_indices()
    master.highs.add_rows(matrix, radius, np.full(client.size, np.inf))
    master.cuts += int(client.size)
    logger.info(
        f"p-median (Benders): {client.size:,} level cuts over {left.size:,} sites left "
        f"({nnz:,} nonzeros)"
    )


def master_start(master: BendersMaster) -> FloatArray:
    """Return the best plan as a master solution: its columns and each client's distance."""
    cols = master.best_cols
    dist = np.where(cols[np.newaxis, :], master.d, np.inf).min(axis=1)
    return np.concatenate([cols.astype(np.float64), dist])
