r"""Build a coverage-family MILP from an instance: the columns and the row blocks.

:func:`build_coverage_problem` adds, in order: one role per site, the antenne links, the
coverage variables (merged per identical row) with their house-behind cuts, the capacitated
assignment, the covering rows, the budget, the counts, the groups, the spacing and the
objective (coverage with a cost tie-break, or cost); then the greedy start.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np
from scipy import sparse

from planner.model._arrays import MilpBuilder, identity_minus, unique_rows
from planner.model.coverage.capacity import add_assignment
from planner.model.coverage.cuts import LinkRows, add_house_behind_cuts
from planner.model.coverage.instance import (
    MAX_COVERAGE,
    BoolArray,
    CoverageInstance,
    FloatArray,
    Form,
    IntArray,
    frozen,
    min_defined,
    rows_any,
)
from planner.model.coverage.roles import Roles, site_roles
from planner.model.coverage.start import Blocks, greedy_start
from planner.model.coverage.targets import add_target_rows

if TYPE_CHECKING:
    from planner.solve import MilpArrays

__all__ = ["EPS_FRACTION", "CoverageProblem", "build_coverage_problem"]

logger = logging.getLogger(__name__)

EPS_FRACTION: Final[float] = 1e-3
"""Cost tie-break weight as a fraction of the smallest coverage coefficient."""

_FREE_COST: Final[float] = 1e-6


@dataclass(frozen=True, eq=False)
class CoverageProblem:
    r"""A built coverage-family MILP and the handles to read a plan from it.

    Attributes
    ----------
    model : MilpArrays
        The arrays handed to the solver.
    form : Form
        Which member of the family it is.
    house_sites, antenne_sites : ndarray of intp
        Site index of every :math:`h` / :math:`a` column.
    house_columns, antenne_columns : ndarray of intp
        Their column indices in ``model``.
    house_fixed, antenne_fixed : ndarray of bool, shape (n_j,)
        Sites fixed open (kept existing, required); they are constants, not variables.
    antenne_carried : ndarray of bool, shape (n_j,)
        Kept existing antennes of a houses-only form: open, outside the model.
    pair_sectors, pair_sites, pair_columns : ndarray of intp
        The assignment columns :math:`x_{ij}` (capacitated forms; empty otherwise).
    n_house_rows, n_frequent_rows, n_cover_rows : int
        Coverage variables :math:`u` and :math:`v` after merging identical sectors, and
        covering rows (set cover, universal floor) after removing duplicates.
    merged_sectors : int
        Sector terms saved by merging identical coverage rows.
    coverage_constant : float
        Coverage already reached by fixed sites (the objective's offset in coverage forms).
    eps : float
        :math:`\varepsilon`, the largest value the cost tie-break term can take.
    cost_scale : float
        :math:`C`, the euro amount the cost is divided by in the tie-break term.
    start : ndarray or None
        A greedy plan meeting every row, or None.
    left_out : ndarray of bool, shape (n_i,)
        Sectors left out of the covering rules because no possible site reaches them
        (``Form.skip_unreachable``); all False otherwise.
    """

    model: MilpArrays
    form: Form
    house_sites: IntArray
    antenne_sites: IntArray
    house_columns: IntArray
    antenne_columns: IntArray
    house_fixed: BoolArray
    antenne_fixed: BoolArray
    antenne_carried: BoolArray
    pair_sectors: IntArray
    pair_sites: IntArray
    pair_columns: IntArray
    n_house_rows: int
    n_frequent_rows: int
    n_cover_rows: int
    merged_sectors: int
    coverage_constant: float
    eps: float
    cost_scale: float
    start: FloatArray | None
    left_out: BoolArray
    link_rows: LinkRows | None = None


def build_coverage_problem(
    instance: CoverageInstance, form: Form = MAX_COVERAGE
) -> CoverageProblem:
    r"""Build a coverage-family MILP (default: houses + antennes, maximise coverage).

    Parameters
    ----------
    instance
        The validated arrays and parameters.
    form
        Which member of the family (see :class:`Form`).

    Returns
    -------
    CoverageProblem
        The arrays and the columns by site.

    Raises
    ------
    InfeasibleError
        When a rule can be seen to fail before solving: a kept existing site that is
        forbidden, a fixed antenne with no possible house within ``link_max``, counts or
        groups no site can meet, sectors a covering rule must reach but cannot.
    """
    roles = site_roles(instance, form)
    b = MilpBuilder()
    hs = np.flatnonzero(roles.house_var)
    as_ = np.flatnonzero(roles.antenne_var)
    hcol = b.add_columns(hs.size, integer=True)
    acol = b.add_columns(as_.size, integer=True)
    sites = _Sites(hs, as_, hcol, acol)
    blocks = Blocks(n_h=hs.size, n_a=as_.size)
    _add_one_role(b, sites)
    _add_links(b, roles, sites, blocks)
    coverage = _add_coverage(b, instance, form, roles, sites, blocks)
    pairs = add_assignment(b, instance, form, roles, hs, hcol)
    n_cover = _add_cover_rows(b, instance, form, roles, sites, blocks)
    n_cover += _add_targets(b, instance, form, roles, sites)
    cost_h = instance.new_house_cost()[hs]
    cost_a = instance.new_antenne_cost()[as_]
    _add_budget(b, form, roles, cost_h, cost_a, hcol, acol)
    _add_counts(b, instance, form, roles, hcol, acol, blocks)
    n_cover += _add_groups(b, instance, roles, hs, hcol, blocks)
    _add_spacing(b, instance, hs, hcol, blocks)
    eps, scale = _set_objective_costs(b, form, roles, cost_h, cost_a, hcol, acol)
    if form.objective == "coverage":
        model = b.build("max", offset=coverage.constant)
    else:
        model = b.build("min", offset=roles.fixed_cost)
    start = None
    if pairs[0].size == 0:
        start = greedy_start(model, form, roles, cost_h, cost_a, hcol, acol, blocks)
    logger.info(
        f"Built {form.name} model: {instance.n_sectors:,} sectors "
        f"({coverage.n_u:,} + {coverage.n_v:,} coverage variables after merging "
        f"{coverage.merged:,} identical sector terms, {n_cover:,} covering rows, "
        f"{pairs[0].size:,} assignments), {instance.n_sites:,} sites ({hs.size:,} possible "
        f"houses, {as_.size:,} possible antennes, "
        f"{int(roles.house_fixed.sum() + roles.antenne_fixed.sum()):,} fixed open); "
        f"{model.n_cols:,} columns, {model.n_rows:,} rows, {model.A.nnz:,} nonzeros"
        f"{'; greedy start' if start is not None else ''}"
    )
    return CoverageProblem(
        model=model,
        form=form,
        house_sites=hs,
        antenne_sites=as_,
        house_columns=hcol,
        antenne_columns=acol,
        house_fixed=frozen(roles.house_fixed.copy()),
        antenne_fixed=frozen(roles.antenne_fixed.copy()),
        antenne_carried=frozen(roles.antenne_carried.copy()),
        pair_sectors=pairs[0],
        pair_sites=pairs[1],
        pair_columns=pairs[2],
        n_house_rows=coverage.n_u,
        n_frequent_rows=coverage.n_v,
        n_cover_rows=n_cover,
        merged_sectors=coverage.merged,
        coverage_constant=coverage.constant,
        eps=eps,
        cost_scale=scale,
        start=start,
        left_out=frozen(roles.lost_house | roles.lost_frequent),
        link_rows=coverage.link_rows,
    )


def _csr(mask: BoolArray) -> sparse.csr_matrix:
    return sparse.csr_matrix(mask, dtype=np.float64)


@dataclass(frozen=True, eq=False)
class _Sites:
    """The variable site columns: the site of every :math:`h` and :math:`a` column, and it."""

    hs: IntArray  # site of each house column
    as_: IntArray  # site of each antenne column
    hcol: IntArray  # house columns
    acol: IntArray  # antenne columns


def _add_one_role(b: MilpBuilder, sites: _Sites) -> None:
    r"""Add :math:`h_j + a_j \le 1` where a site has both columns."""
    hs, as_, hcol, acol = sites.hs, sites.as_, sites.hcol, sites.acol
    common, in_h, in_a = np.intersect1d(hs, as_, assume_unique=True, return_indices=True)
    if common.size:
        n = common.size
        rows = np.concatenate([np.arange(n), np.arange(n)])
        cols = np.concatenate([hcol[in_h], acol[in_a]])
        b.add_triplets(rows, cols, np.ones(2 * n), n, upper=1.0)


def _add_links(b: MilpBuilder, roles: Roles, sites: _Sites, blocks: Blocks) -> None:
    r"""Add :math:`a_j \le \sum_{k: e_{jk} \le L} h_k` (and :math:`\ge 1` for fixed antennes).

    Antennes with a fixed house within :math:`L` need no row: that house is open.
    """
    hs, as_, hcol, acol = sites.hs, sites.as_, sites.hcol, sites.acol
    near_fixed = rows_any(roles.link_ok & roles.house_fixed[np.newaxis, :])
    need_var = ~near_fixed[as_]
    link = _csr(roles.link_ok[np.ix_(as_[need_var], hs)])
    if need_var.any():
        b.add_rows(identity_minus(link), np.concatenate([acol[need_var], hcol]), upper=0.0)
    blocks.link = _csr(roles.link_ok[np.ix_(as_, hs)])
    blocks.link_needed = need_var
    stranded = np.flatnonzero(roles.antenne_fixed & ~near_fixed)
    if stranded.size:
        matrix = _csr(roles.link_ok[np.ix_(stranded, hs)])
        b.add_rows(matrix, hcol, lower=1.0)
        blocks.stranded = matrix


@dataclass(frozen=True)
class _Coverage:
    constant: float
    n_u: int
    n_v: int
    merged: int
    columns: IntArray  # coverage columns (u, v)
    link_rows: LinkRows | None = None  # frequent rows for link cuts


@dataclass(frozen=True, eq=False)
class _Term:
    """One coverage term (:math:`u` or :math:`v`) as added to the model."""

    constant: float  # coefficients of the sectors a fixed site already reaches
    saved: int  # sector terms saved by merging identical rows
    columns: IntArray  # one coverage column per distinct row
    rows: sparse.csr_matrix  # the distinct rows over the variable site columns
    coef: FloatArray  # their summed coefficients


def _add_term(b: MilpBuilder, near: _Standard, coef: FloatArray) -> _Term:
    """Add one coverage column per distinct row of the sectors left, with its covering row.

    Sectors a fixed site already reaches add their coefficient to the constant; the others
    with a positive coefficient share one column per distinct row, weighted by the summed
    coefficients.
    """
    constant = float(coef[near.fixed & (coef > 0)].sum())
    free = (coef > 0) & ~near.fixed
    matrix, coef = near.rows(free), coef[free]
    nonempty = np.diff(matrix.indptr) > 0
    matrix, coef = matrix[nonempty], coef[nonempty]
    first, inverse = unique_rows(matrix)
    merged_coef = np.bincount(inverse, weights=coef, minlength=first.size).astype(np.float64)
    rows = matrix[first]
    cols = b.add_columns(first.size, cost=merged_coef)
    if first.size:
        b.add_rows(identity_minus(rows), np.concatenate([cols, near.columns]), upper=0.0)
    return _Term(constant, int(coef.size - first.size), cols, rows, merged_coef)


def _add_coverage(
    b: MilpBuilder,
    instance: CoverageInstance,
    form: Form,
    roles: Roles,
    sites: _Sites,
    blocks: Blocks,
) -> _Coverage:
    r"""Add :math:`u` and :math:`v` with their covering rows (coverage forms only).

    Sectors already reached by a fixed site add a constant instead of a variable; sectors
    with identical rows share one variable with their summed coefficient.
    """
    empty = np.zeros(0, dtype=np.intp)
    if form.objective != "coverage":
        return _Coverage(0.0, 0, 0, 0, empty)
    alpha = instance.alpha if form.antennes else 1.0
    weight = instance.weight
    constant = 0.0
    n_u = n_v = merged = 0
    columns = [empty]
    link_rows = None
    if instance.capacity is None:
        u = _add_term(b, _Standard.of(instance, roles, sites, frequent=False), alpha * weight)
        constant, n_u, merged = constant + u.constant, u.columns.size, merged + u.saved
        columns.append(u.columns)
        blocks.gain.append((_pad(u.rows, blocks.n_a), u.coef))
        blocks.coverage.append((_pad(u.rows, blocks.n_a), u.columns))
    if form.antennes and alpha < 1.0:
        near = _Standard.of(instance, roles, sites, frequent=True)
        v = _add_term(b, near, (1.0 - alpha) * weight)
        constant, n_v, merged = constant + v.constant, v.columns.size, merged + v.saved
        if blocks.link is not None and blocks.link_needed is not None and v.columns.size:
            link_rows = LinkRows(v.rows, v.columns, blocks.link, blocks.link_needed)
            add_house_behind_cuts(b, link_rows, sites.hcol, sites.acol)
        columns.append(v.columns)
        blocks.gain.append((v.rows, v.coef))
        blocks.coverage.append((v.rows, v.columns))
    return _Coverage(constant, n_u, n_v, merged, np.concatenate(columns), link_rows)


@dataclass(frozen=True, eq=False)
class _Standard:
    """Sectors within a standard of the variable sites, and those a fixed site already reaches.

    The house standard :math:`R_H` over the house columns, or (with antennes) the frequent
    standard :math:`R_A` over the house then the antenne columns.
    """

    reach: BoolArray  # (n_i, n_j) d_ij <= R(i)
    fixed: BoolArray  # (n_i,) a fixed open site (in a role that counts) is within R(i)
    sites: tuple[IntArray, ...]  # site index of the variable columns, block by block
    columns: IntArray  # their model columns

    @classmethod
    def of(
        cls, instance: CoverageInstance, roles: Roles, sites: _Sites, *, frequent: bool
    ) -> _Standard:
        """Return the house standard, or the frequent one (houses and antennes)."""
        if not frequent:
            reach = instance.reach(instance.radius_house)
            fixed = rows_any(reach & roles.house_fixed[np.newaxis, :])
            return cls(reach, fixed, (sites.hs,), sites.hcol)
        reach = instance.reach(instance.radius_frequent)
        fixed_open = roles.house_fixed | roles.antenne_fixed
        fixed = rows_any(reach & fixed_open[np.newaxis, :])
        return cls(reach, fixed, (sites.hs, sites.as_), np.concatenate([sites.hcol, sites.acol]))

    def rows(self, sectors: BoolArray) -> sparse.csr_matrix:
        """Return the 0/1 rows of the chosen sectors over the variable columns."""
        blocks = [_csr(self.reach[np.ix_(sectors, sites)]) for sites in self.sites]
        return blocks[0] if len(blocks) == 1 else sparse.hstack(blocks, format="csr")


def _pad(matrix: sparse.csr_matrix, n_a: int) -> sparse.csr_matrix:
    """Extend a matrix over the house columns with zero antenne columns."""
    return sparse.hstack([matrix, sparse.csr_matrix((int(matrix.shape[0]), n_a))], format="csr")


def _add_cover_rows(
    b: MilpBuilder,
    instance: CoverageInstance,
    form: Form,
    roles: Roles,
    sites: _Sites,
    blocks: Blocks,
) -> int:
    r"""Add covering rows :math:`\sum_{j \in N(i)} y_j \ge 1` (set cover, universal floor).

    Sectors reached by a fixed site need no row; duplicate rows are added once. With
    capacities the house requirement is the assignment's :math:`\sum_j x_{ij} = 1` instead.
    """
    needs = instance.family_counts() > 0
    n_rows = 0
    house_rule = form.cover_house or instance.rules.universal_floor
    if house_rule and instance.capacity is None:
        near = _Standard.of(instance, roles, sites, frequent=False)
        n_rows += _add_unique_cover(b, near.rows(needs & ~near.fixed), near.columns, blocks)
    if form.cover_frequent:
        near = _Standard.of(instance, roles, sites, frequent=True)
        n_rows += _add_unique_cover(b, near.rows(needs & ~near.fixed), near.columns, blocks)
    return n_rows


def _add_targets(
    b: MilpBuilder, instance: CoverageInstance, form: Form, roles: Roles, sites: _Sites
) -> int:
    r"""Add the target rows :math:`\sum_{i \in G} T_i u_i \ge s \sum_{i \in G} T_i`."""
    n_rows = 0
    for frequent in (False, True):
        targets = tuple(t for t in form.targets if t.frequent == frequent)
        if targets:
            near = _Standard.of(instance, roles, sites, frequent=frequent)
            n_rows += add_target_rows(b, instance.family_counts(), targets, near)
    return n_rows


def _add_unique_cover(
    b: MilpBuilder, matrix: sparse.csr_matrix, cols: IntArray, blocks: Blocks
) -> int:
    matrix = matrix[np.diff(matrix.indptr) > 0]  # sectors left out (skip_unreachable)
    first, _ = unique_rows(matrix)
    rows = matrix[first]
    if first.size:
        b.add_rows(rows, cols, lower=1.0)
        padded = rows if rows.shape[1] == blocks.n_h + blocks.n_a else _pad(rows, blocks.n_a)
        blocks.require.append((padded, np.ones(first.size)))
    return int(first.size)


def _add_budget(
    b: MilpBuilder,
    form: Form,
    roles: Roles,
    cost_h: FloatArray,
    cost_a: FloatArray,
    hcol: IntArray,
    acol: IntArray,
) -> None:
    if not form.budget or not np.isfinite(roles.remaining):
        return
    cols = np.concatenate([hcol, acol])
    cost = np.concatenate([cost_h, cost_a])
    paid = cost > 0
    if paid.any():
        b.add_triplets(
            np.zeros(int(paid.sum()), dtype=np.intp),
            cols[paid],
            cost[paid],
            1,
            upper=roles.remaining,
        )


def _add_counts(
    b: MilpBuilder,
    instance: CoverageInstance,
    form: Form,
    roles: Roles,
    hcol: IntArray,
    acol: IntArray,
    blocks: Blocks,
) -> None:
    r"""Add :math:`\text{min} - n_{\text{fixed}} \le \sum h_j \le \text{max} - n_{\text{fixed}}`."""
    rules = instance.rules
    rooms = []
    for cols, fixed, low, high in (
        (hcol, roles.house_fixed, rules.min_houses, min_defined(rules.max_houses, form.p)),
        (acol, roles.antenne_fixed, rules.min_antennes, rules.max_antennes),
    ):
        n_fixed = int(fixed.sum())
        lower = -np.inf if low is None else float(low - n_fixed)
        upper = np.inf if high is None else float(high - n_fixed)
        rooms.append(upper)
        if cols.size and (lower > 0 or upper < cols.size):
            b.add_triplets(
                np.zeros(cols.size, dtype=np.intp),
                cols,
                np.ones(cols.size),
                1,
                lower=lower,
                upper=upper,
            )
    blocks.room_h, blocks.room_a = rooms


def _add_groups(
    b: MilpBuilder,
    instance: CoverageInstance,
    roles: Roles,
    hs: IntArray,
    hcol: IntArray,
    blocks: Blocks,
) -> int:
    r"""Add :math:`\sum_{j \in S_g} h_j \ge 1` for groups no fixed house serves."""
    n_rows = 0
    for rule in instance.rules.house_groups:
        served = rows_any(rule.member & roles.house_fixed[np.newaxis, :])
        matrix = _csr(rule.member[np.ix_(~served, hs)])
        if matrix.shape[0]:
            b.add_rows(matrix, hcol, lower=1.0)
            blocks.require.append((_pad(matrix, blocks.n_a), np.ones(int(matrix.shape[0]))))
            n_rows += int(matrix.shape[0])
    return n_rows


def _add_spacing(
    b: MilpBuilder, instance: CoverageInstance, hs: IntArray, hcol: IntArray, blocks: Blocks
) -> None:
    r"""Add :math:`h_j + h_k \le 1` for variable houses closer than the spacing."""
    if not instance.rules.house_spacing_min:
        return
    close = instance.too_close()[np.ix_(hs, hs)]
    blocks.close = _csr(close)
    j, k = np.nonzero(np.triu(close))
    if j.size:
        n = j.size
        rows = np.concatenate([np.arange(n), np.arange(n)])
        b.add_triplets(rows, np.concatenate([hcol[j], hcol[k]]), np.ones(2 * n), n, upper=1.0)


def _set_objective_costs(
    b: MilpBuilder,
    form: Form,
    roles: Roles,
    cost_h: FloatArray,
    cost_a: FloatArray,
    hcol: IntArray,
    acol: IntArray,
) -> tuple[float, float]:
    """Set the site columns' objective: tie-break cost (coverage) or cost (cover forms)."""
    cols = np.concatenate([hcol, acol])
    cost = np.concatenate([cost_h, cost_a])
    if form.objective == "coverage":
        # site columns still cost 0 here: the positive coefficients are the coverage ones
        flat = np.concatenate(b.c) if b.c else np.zeros(0)
        positive = flat[flat > 0]
        eps = EPS_FRACTION * (float(positive.min()) if positive.size else 1.0)
        cost_max = _most_spent(roles, cost_h, cost_a)
        scale = max(1.0, min(roles.remaining, cost_max))
        b.set_cost(cols, -eps * cost / scale)
        return eps, scale
    paid = cost[cost > 0]
    free = _FREE_COST * (float(paid.min()) if paid.size else 1.0)
    b.set_cost(cols, np.where(cost > 0, cost, free))
    return free, 1.0


def _most_spent(roles: Roles, cost_h: FloatArray, cost_a: FloatArray) -> float:
    n = roles.house_var.size
    dearest = np.zeros(n)
    dearest[roles.house_var] = cost_h
    dearest[roles.antenne_var] = np.maximum(dearest[roles.antenne_var], cost_a)
    return float(dearest.sum())
