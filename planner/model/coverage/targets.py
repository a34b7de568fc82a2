r"""Targets instead of a budget: the cheapest plan that reaches stated shares of the families.

``min_cost_targets`` is the coverage family's cost form with one row per target
(:class:`~planner.model.coverage.instance.CoverageTarget`):

.. math::

    \min \sum_{j \text{ new}} c^H_j h_j + c^A_j a_j \quad \text{s.t.} \quad
    \sum_{i \in G_t} T_i\, u^{s_t}_i \ge \sigma_t \sum_{i \in G_t} T_i \quad (t),

    u^H_i \le \sum_{j:\, d_{ij} \le R_H(i)} h_j, \qquad
    u^A_i \le \sum_{j:\, d_{ij} \le R_A(i)} (h_j + a_j), \qquad u \in [0, 1],

with every rule of the family (one role per site, antenne links, counts, groups, spacing,
required and forbidden sites) and the budget as a cap on the cost when it is finite. Rows of
the same standard whose coverage rows are identical share one :math:`u` column (exact: the
best :math:`u` of identical rows is the same), with per target the summed families of its
group; rows a fixed site already reaches count as a constant.

The solve (which target binds, a target out of reach) is :mod:`planner.model.targets`.

**Which target binds.** Target :math:`t` *binds* when the cheapest plan without it (every
other target, rule and the budget kept) costs less than the plan: dropping it saves money.
Each target is re-solved away once (``cost_without``); ``cost_alone`` is the cheapest plan
reaching that target alone. A target whose share is reached exactly may still not bind (another
target forces the same sites), and one that binds is always met with little slack.

**Out of reach.** When no plan meets the targets, each target's most reachable share is found
by maximising the group's families within its standard with no budget (every rule kept):
a target above it is named with that share; otherwise the budget (the cheapest plan without
the cap is reported) or the targets together under the rules are to blame.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Protocol

import numpy as np
from scipy import sparse

from planner.errors import InfeasibleError
from planner.model._arrays import MilpBuilder, identity_minus, unique_rows
from planner.model.coverage.instance import CoverageInstance, CoverageTarget, Form

if TYPE_CHECKING:
    from planner.model.coverage.instance import BoolArray, FloatArray, IntArray

__all__ = ["EURO_SAVING", "TARGETS", "TargetOutcome", "add_target_rows", "target_shares"]

TARGETS: Final[Form] = Form("min_cost_targets", antennes=True, objective="cost", budget=True)
"""The cheapest houses + antennes reaching the targets (budget as a cap)."""

EURO_SAVING: Final[float] = 0.5
"""A target binds when dropping it saves more than this many euro."""

SHARE_SLACK: Final[float] = 1e-9
"""Relative slack on a target's families (the solver's feasibility tolerance)."""


class _Standard(Protocol):
    @property
    def fixed(self) -> BoolArray: ...

    @property
    def columns(self) -> IntArray: ...

    def rows(self, sectors: BoolArray) -> sparse.csr_matrix: ...


@dataclass(frozen=True)
class TargetOutcome:
    """A target of the plan: what it asked, what the plan reaches and whether it binds.

    Attributes
    ----------
    name : str
        The target as messages name it.
    frequent : bool
        The frequent standard (else the house standard).
    share : float
        The share asked.
    reached : float or None
        The share of the group's families the plan reaches (None: the group has none).
    families : float
        Families of the group.
    cost_without : float
        The cheapest plan without this target (the other targets, rules and budget kept).
    cost_alone : float
        The cheapest plan reaching this target alone (rules and budget kept).
    binds : bool
        Dropping it lowers the cost by more than :data:`EURO_SAVING`.
    proven : bool
        Every solve behind ``cost_without`` and ``cost_alone`` was proven optimal.
    """

    name: str
    frequent: bool
    share: float
    reached: float | None
    families: float
    cost_without: float
    cost_alone: float
    binds: bool
    proven: bool


def add_target_rows(
    b: MilpBuilder,
    families: FloatArray,
    targets: tuple[CoverageTarget, ...],
    near: _Standard,
) -> int:
    r"""Add the coverage columns and the target rows of one standard.

    Parameters
    ----------
    b
        The model being built.
    families
        :math:`T_i` per row.
    targets
        The targets of this standard.
    near
        The standard: its rows over the variable site columns and the rows a fixed site
        already reaches.

    Returns
    -------
    int
        The number of target rows added.

    Raises
    ------
    InfeasibleError
        When a target asks more families than every variable and fixed site together reach
        (an empty row would otherwise be left to the solver, and CBC drops empty rows).
    """
    if not targets:
        return 0
    member = np.vstack([t.member for t in targets]) & (families > 0)[np.newaxis, :]
    share = np.array([t.share for t in targets])
    asked = share * (member @ families) * (1.0 - SHARE_SLACK)
    constant = member[:, near.fixed] @ families[near.fixed]
    free = member.any(axis=0) & ~near.fixed
    matrix = near.rows(free)
    nonempty = np.diff(matrix.indptr) > 0
    matrix = matrix[nonempty]
    rows_fam = (member[:, free] * families[free][np.newaxis, :])[:, nonempty]
    first, inverse = unique_rows(matrix)
    n_u = int(first.size)
    coef = np.zeros((len(targets), n_u))
    for t in range(len(targets)):
        coef[t] = np.bincount(inverse, weights=rows_fam[t], minlength=n_u)
    cols = b.add_columns(n_u)
    if n_u:
        b.add_rows(identity_minus(matrix[first]), np.concatenate([cols, near.columns]), upper=0.0)
    need = asked - constant
    short = need > coef.sum(axis=1) * (1.0 + SHARE_SLACK)
    if short.any():  # even every site the budget and rules leave open misses it
        raise InfeasibleError(
            [
                f"{targets[t].name} cannot be reached with the sites the budget and the rules "
                "leave open"
                for t in np.flatnonzero(short)
            ]
        )
    binding = need > 0
    if binding.any():
        b.add_rows(sparse.csr_matrix(coef[binding]), cols, lower=need[binding])
    return int(binding.sum())


def target_shares(
    instance: CoverageInstance,
    targets: tuple[CoverageTarget, ...],
    covered_house: BoolArray,
    covered_frequent: BoolArray,
) -> list[tuple[float | None, float]]:
    """Return, per target, the share of its group's families a plan reaches, and the families.

    Parameters
    ----------
    instance
        The arrays (families per row).
    targets
        The targets.
    covered_house, covered_frequent
        Rows within each standard of the plan.

    Returns
    -------
    list of (float or None, float)
        The reached share (None for a group without families) and the group's families.
    """
    families = instance.family_counts()
    out: list[tuple[float | None, float]] = []
    for target in targets:
        covered = covered_frequent if target.frequent else covered_house
        total = float(families[target.member].sum())
        reached = float(families[target.member & covered].sum()) / total if total > 0 else None
        out.append((reached, total))
    return out
