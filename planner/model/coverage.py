r"""The hierarchical house + antenne coverage model, built from arrays.

This is the math core of planner (DESIGN.md, "The planning model"): it sees travel-time
matrices, weights, costs and flags indexed by sector ``i`` and site ``j, k``, never geometry.

Decisions
    :math:`h_j \in \{0,1\}` open a house at site :math:`j`; :math:`a_j \in \{0,1\}` open an
    antenne; :math:`\ell_{jk} \in \{0,1\}` antenne :math:`j` is linked to house :math:`k`.
Rules
    .. math::

        h_j + a_j &\le 1, \qquad
        \sum_k \ell_{jk} = a_j, \qquad \ell_{jk} \le h_k
        \quad (\ell_{jk} \text{ exists only where } e_{jk} \le L), \\
        u_i &\le \sum_{j:\, d_{ij} \le R_H(i)} h_j, \qquad
        v_i \le \sum_{j:\, d_{ij} \le R_A(i)} (h_j + a_j), \qquad u_i, v_i \in [0, 1], \\
        &\sum_{j \text{ new house}} c^H_j h_j + \sum_{j \text{ new antenne}} c^A_j a_j \le B.

Objective
    .. math::

        \max \; \sum_i w_i \bigl(\alpha u_i + (1 - \alpha) v_i\bigr)
        \;-\; \varepsilon \, \frac{\text{cost}}{C}, \qquad
        C = \max\bigl(1, \min(B, C_{\max})\bigr), \qquad
        \varepsilon = 10^{-3} \, \delta_{\min},

    where :math:`C_{\max}` is the most any plan can spend (every candidate open in its dearest
    role) and :math:`\delta_{\min}` the smallest positive coefficient :math:`\alpha w_i` or
    :math:`(1-\alpha) w_i` of a coverage variable. As :math:`\text{cost} \le \min(B, C_{\max})`,
    the cost term never exceeds :math:`\varepsilon`: among plans of equal coverage the cheaper
    one wins, and a cheaper plan can beat a better-covering one only if its coverage is lower
    by less than :math:`\varepsilon` (a thousandth of the smallest sector term), never by a whole
    sector term. Tie-breaks finer than the solver's absolute tolerance (1e-6) may be missed.

Existing sites cost nothing in their own role (an existing antenne that becomes a house pays
:math:`c^H_j`). With ``keep_existing`` they stay open in that role: they enter the model as
constants, not variables. Forbidden and ineligible sites, sites whose own cost exceeds the
budget, antennes with no possible house within :math:`L`, sectors with no site within either
standard and zero-weight terms get no variables at all. Unreachable pairs are ``inf``; an
``inf`` travel time never meets a standard, even an infinite one.

After solving, the plan is read from :math:`h, a` only: coverage is recomputed from :math:`d`
and the open sites (the auxiliary :math:`u, v` are not trusted), the plan is checked against
every rule, and each antenne is linked to its *nearest* open house within :math:`L` (ties:
lowest site index). The model only needs *some* open house within reach; choosing the nearest
afterwards makes the link deterministic and independent of the solver.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, TypeVar

import numpy as np
import pulp
from numpy.typing import NDArray

from planner.errors import DataError, InfeasibleError, SolverError
from planner.solve import SolveResult, solve_problem

if TYPE_CHECKING:
    from collections.abc import Sequence

    from planner.scenario import SolverSpec

__all__ = [
    "EPS_FRACTION",
    "CoverageInstance",
    "CoverageProblem",
    "CoverageSolution",
    "build_coverage_problem",
    "link_antennes",
    "plan_cost",
    "plan_coverage",
    "plan_problems",
    "solve_coverage",
]

logger = logging.getLogger(__name__)

EPS_FRACTION: Final[float] = 1e-3
"""Cost tie-break weight as a fraction of the smallest coverage coefficient."""

_SHOWN_IDS: Final[int] = 5
_BUDGET_SLACK: Final[float] = 1e-9
_HALF: Final[float] = 0.5

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
_A = TypeVar("_A", bound=NDArray[Any])
_Labeller = Callable[[int], str]


# --------------------------------------------------------------------------- instance


@dataclass(frozen=True, eq=False)
class CoverageInstance:
    r"""Arrays and parameters of one coverage problem (sectors ``i``, sites ``j``).

    Arrays are copied and made read-only on construction.

    Attributes
    ----------
    weight : ndarray, shape (n_i,)
        :math:`w_i = T_i (1 + \lambda n_i) \ge 0`.
    d : ndarray, shape (n_i, n_j)
        Minutes from sector to site; ``inf`` when unreachable.
    e : ndarray, shape (n_j, n_j)
        Minutes from site ``j`` (antenne) to site ``k`` (house); ``inf`` when unreachable.
    cost_house, cost_antenne : ndarray, shape (n_j,)
        Euro to open a new house / antenne there. Only read where the role can be bought
        (eligible, not existing in that role, not forbidden); NaN elsewhere is fine.
    can_house, can_antenne : ndarray of bool, shape (n_j,)
        Eligibility per role. An existing house (antenne) is always eligible as one.
    existing_house, existing_antenne : ndarray of bool, shape (n_j,)
        Sites open today; they cost nothing in their role.
    forbidden : ndarray of bool, shape (n_j,)
        Sites fixed closed.
    budget : float
        :math:`B`, euro for new sites (``inf`` for no limit).
    radius_house, radius_frequent : ndarray, shape (n_i,)
        :math:`R_H(i)` and :math:`R_A(i)` in minutes (need-dependent tightening already applied).
    link_max : float
        :math:`L`, the longest antenne-house link in minutes.
    alpha : float
        Weight of house coverage; :math:`1 - \alpha` goes to frequent-service coverage.
    keep_existing : bool
        Existing sites stay open in their role.
    site_ids, sector_ids : tuple of str or None
        Ids used in messages (indices when None).
    """

    weight: FloatArray
    d: FloatArray
    e: FloatArray
    cost_house: FloatArray
    cost_antenne: FloatArray
    can_house: BoolArray
    can_antenne: BoolArray
    existing_house: BoolArray
    existing_antenne: BoolArray
    forbidden: BoolArray
    budget: float
    radius_house: FloatArray
    radius_frequent: FloatArray
    link_max: float
    alpha: float = 0.5
    keep_existing: bool = True
    site_ids: tuple[str, ...] | None = None
    sector_ids: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        problems: list[str] = []
        n_i, n_j = _matrix_shape(self.weight, self.d)
        for name, shape in (
            ("weight", (n_i,)),
            ("d", (n_i, n_j)),
            ("e", (n_j, n_j)),
            ("cost_house", (n_j,)),
            ("cost_antenne", (n_j,)),
            ("radius_house", (n_i,)),
            ("radius_frequent", (n_i,)),
        ):
            self._store(name, _as_float_array(name, getattr(self, name), shape, problems))
        for name in (
            "can_house",
            "can_antenne",
            "existing_house",
            "existing_antenne",
            "forbidden",
        ):
            self._store(name, _as_bool_array(name, getattr(self, name), (n_j,), problems))
        for name, n in (("site_ids", n_j), ("sector_ids", n_i)):
            ids = getattr(self, name)
            if ids is not None:
                object.__setattr__(self, name, tuple(str(value) for value in ids))
            _check_ids(name, getattr(self, name), n, problems)
        if problems:  # shapes or types wrong: value checks would only add noise
            raise DataError(problems)
        self._check_values(problems)
        if problems:
            raise DataError(problems)
        object.__setattr__(self, "budget", float(self.budget))
        object.__setattr__(self, "link_max", float(self.link_max))
        object.__setattr__(self, "alpha", float(self.alpha))

    def _store(self, name: str, value: NDArray[np.generic]) -> None:
        object.__setattr__(self, name, value)

    def _check_values(self, problems: list[str]) -> None:
        sector, site = self.sector_label, self.site_label
        _bad(problems, "weight", ~np.isfinite(self.weight), sector, "is not finite")
        _bad(problems, "weight", self.weight < 0, sector, "is negative (weights must be >= 0)")
        for name, label in (("d", sector), ("e", site)):
            matrix = getattr(self, name)
            rows = _rows_any(np.isnan(matrix))
            _bad(problems, name, rows, label, "has NaN travel times (use inf for no route)")
            rows = _rows_any(matrix < 0)
            _bad(problems, name, rows, label, "has negative travel times")
        buy_house = self.can_house & ~self.existing_house & ~self.forbidden
        buy_antenne = self.can_antenne & ~self.existing_antenne & ~self.forbidden
        for name, buy in (("cost_house", buy_house), ("cost_antenne", buy_antenne)):
            cost = getattr(self, name)
            _bad(problems, name, buy & ~np.isfinite(cost), site, "is missing or not finite")
            _bad(problems, name, buy & (cost < 0), site, "is negative")
        _bad(
            problems,
            "existing_house",
            self.existing_house & self.existing_antenne,
            site,
            "is also an existing antenne: a site has one existing role",
        )
        for name in ("radius_house", "radius_frequent"):
            radius = getattr(self, name)
            _bad(problems, name, np.isnan(radius) | (radius < 0), sector, "is NaN or negative")
        for name, value, low, high in (
            ("budget", self.budget, 0.0, np.inf),
            ("link_max", self.link_max, 0.0, np.inf),
            ("alpha", self.alpha, 0.0, 1.0),
        ):
            number = _as_number(value)
            if number is None or np.isnan(number) or not low <= number <= high:
                problems.append(
                    f"CoverageInstance.{name}: expected a number in [{low:g}, {high:g}], "
                    f"got {value!r}"
                )

    @property
    def n_sectors(self) -> int:
        """Number of sectors :math:`n_i`."""
        return int(self.d.shape[0])

    @property
    def n_sites(self) -> int:
        """Number of sites :math:`n_j`."""
        return int(self.d.shape[1])

    def site_label(self, index: int) -> str:
        """Return the id of site ``index`` for messages."""
        return self.site_ids[index] if self.site_ids is not None else f"#{index}"

    def sector_label(self, index: int) -> str:
        """Return the id of sector ``index`` for messages."""
        return self.sector_ids[index] if self.sector_ids is not None else f"#{index}"

    def new_house_cost(self) -> FloatArray:
        """Return what a house costs per site: 0 where one exists, ``inf`` where not allowed."""
        allowed = (self.can_house | self.existing_house) & ~self.forbidden
        cost = np.where(self.existing_house, 0.0, self.cost_house)
        return np.where(allowed, cost, np.inf)

    def new_antenne_cost(self) -> FloatArray:
        """Return what an antenne costs per site: 0 where one exists, ``inf`` where not allowed."""
        allowed = (self.can_antenne | self.existing_antenne) & ~self.forbidden
        cost = np.where(self.existing_antenne, 0.0, self.cost_antenne)
        return np.where(allowed, cost, np.inf)

    def link_ok(self) -> BoolArray:
        r"""Return the (n_j, n_j) mask of allowed links: :math:`e_{jk} \le L`, finite, j != k."""
        ok = np.isfinite(self.e) & (self.e <= self.link_max)
        np.fill_diagonal(ok, val=False)
        return ok

    def reach(self, radius: FloatArray) -> BoolArray:
        r"""Return the (n_i, n_j) mask :math:`d_{ij} \le R(i)` (finite times only)."""
        return np.isfinite(self.d) & (self.d <= radius[:, np.newaxis])


def _as_number(value: object) -> float | None:
    if isinstance(value, bool | str | bytes):
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _matrix_shape(weight: object, d: object) -> tuple[int, int]:
    w = np.asarray(weight)
    m = np.asarray(d)
    if w.ndim != 1:
        raise DataError(
            f"CoverageInstance.weight: expected a 1-D array (one weight per sector), "
            f"got shape {w.shape}"
        )
    if m.ndim != 2 or m.shape[0] != w.shape[0]:
        raise DataError(
            f"CoverageInstance.d: expected shape ({w.shape[0]}, n_sites) (sectors x sites), "
            f"got shape {m.shape}"
        )
    return int(m.shape[0]), int(m.shape[1])


def _as_float_array(
    name: str, value: object, shape: tuple[int, ...], problems: list[str]
) -> FloatArray:
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        problems.append(f"CoverageInstance.{name}: expected numbers, got dtype {array.dtype}")
        return np.zeros(shape)
    if array.shape != shape:
        problems.append(f"CoverageInstance.{name}: expected shape {shape}, got {array.shape}")
        return np.zeros(shape)
    out = np.array(array, dtype=np.float64)
    out.setflags(write=False)
    return out


def _as_bool_array(
    name: str, value: object, shape: tuple[int, ...], problems: list[str]
) -> BoolArray:
    array = np.asarray(value)
    if array.dtype != np.bool_:
        problems.append(
            f"CoverageInstance.{name}: expected a boolean array, got dtype {array.dtype}"
        )
        return np.zeros(shape, dtype=bool)
    if array.shape != shape:
        problems.append(f"CoverageInstance.{name}: expected shape {shape}, got {array.shape}")
        return np.zeros(shape, dtype=bool)
    out = np.array(array, dtype=np.bool_)
    out.setflags(write=False)
    return out


def _check_ids(name: str, ids: Sequence[str] | None, n: int, problems: list[str]) -> None:
    if ids is None:
        return
    if len(ids) != n:
        problems.append(f"CoverageInstance.{name}: expected {n} ids, got {len(ids)}")
    elif len(set(ids)) != n:
        problems.append(f"CoverageInstance.{name}: ids are not unique")


def _shown(mask: BoolArray, label: _Labeller) -> str:
    index = np.flatnonzero(mask)
    shown = ", ".join(label(int(i)) for i in index[:_SHOWN_IDS])
    more = f" and {index.size - _SHOWN_IDS} more" if index.size > _SHOWN_IDS else ""
    return f"{shown}{more}"


def _bad(problems: list[str], name: str, mask: BoolArray, label: _Labeller, what: str) -> None:
    if mask.any():
        rows = "entry" if mask.sum() == 1 else "entries"
        problems.append(
            f"CoverageInstance.{name}: {int(mask.sum())} {rows} {what} (at {_shown(mask, label)})"
        )


# --------------------------------------------------------------------------- roles


@dataclass(frozen=True, eq=False)
class _Roles:
    """Which site may take which role, and which are fixed open."""

    house_fixed: BoolArray  # kept existing houses: constant 1
    antenne_fixed: BoolArray  # kept existing antennes: constant 1
    house_var: BoolArray  # a binary h_j exists
    antenne_var: BoolArray  # a binary a_j exists
    link_ok: BoolArray  # (n_j, n_j) e_jk <= L, finite, j != k
    needs_link: BoolArray  # antennes (fixed or variable) with no fixed house within L


def _site_roles(instance: CoverageInstance) -> _Roles:
    """Work out the variables to create, and check the rules that cannot all hold."""
    keep = instance.keep_existing
    house_fixed = instance.existing_house & keep
    antenne_fixed = instance.existing_antenne & keep
    fixed = house_fixed | antenne_fixed
    house_cost = instance.new_house_cost()
    antenne_cost = instance.new_antenne_cost()
    house_var = np.isfinite(house_cost) & (house_cost <= instance.budget) & ~fixed
    link_ok = instance.link_ok()
    near_fixed_house = _rows_any(link_ok & house_fixed)
    near_var_house = _rows_any(link_ok & house_var)
    antenne_var = (
        np.isfinite(antenne_cost)
        & (antenne_cost <= instance.budget)
        & ~fixed
        & (near_fixed_house | near_var_house)
    )
    _check_rules(instance, antenne_fixed, near_fixed_house | near_var_house, link_ok)
    needs_link = (antenne_fixed | antenne_var) & ~near_fixed_house
    return _Roles(house_fixed, antenne_fixed, house_var, antenne_var, link_ok, needs_link)


def _check_rules(
    instance: CoverageInstance,
    antenne_fixed: BoolArray,
    linkable: BoolArray,
    link_ok: BoolArray,
) -> None:
    """Raise InfeasibleError for kept sites that cannot stay open, naming each rule."""
    if not instance.keep_existing:
        return
    problems: list[str] = []
    label = instance.site_label
    for role, existing in (
        ("house", instance.existing_house),
        ("antenne", instance.existing_antenne),
    ):
        clash = existing & instance.forbidden
        if clash.any():
            problems.append(
                f"existing {role} site(s) {_shown(clash, label)} are also forbidden, but "
                "keep_existing keeps existing sites open: remove them from the forbidden "
                "sites or set objective.keep_existing: false"
            )
    stranded = antenne_fixed & ~instance.forbidden & ~linkable
    if stranded.any():
        any_house = (instance.can_house | instance.existing_house) & ~instance.forbidden
        any_house &= ~antenne_fixed & ~(instance.existing_house & instance.keep_existing)
        cheapest = np.where(link_ok & any_house, instance.cost_house, np.inf).min(axis=1)
        for j in np.flatnonzero(stranded):
            if np.isfinite(cheapest[j]):
                why = (
                    f"the cheapest house site within {instance.link_max:g} min costs EUR "
                    f"{cheapest[j]:,.0f}, more than the budget of EUR {instance.budget:,.0f}: "
                    "raise budget.amount_eur"
                )
            else:
                why = (
                    f"no site within {instance.link_max:g} min may host a house (eligible, "
                    "not forbidden, not itself an existing antenne): raise standards.link_min "
                    "or make a nearby site house-eligible"
                )
            problems.append(
                f"existing antenne {label(int(j))} must stay open (keep_existing) and be "
                f"linked to a house within link_max, but {why}; or set "
                "objective.keep_existing: false"
            )
    if problems:
        raise InfeasibleError(problems)


# --------------------------------------------------------------------------- build


@dataclass(frozen=True, eq=False)
class CoverageProblem:
    r"""A built coverage MILP and the handles to read a plan from it.

    Attributes
    ----------
    problem : pulp.LpProblem
        The maximisation problem.
    house_var, antenne_var : dict of int to pulp.LpVariable
        :math:`h_j` and :math:`a_j` by site index (only where the role is possible).
    link_var : dict of (int, int) to pulp.LpVariable
        :math:`\ell_{jk}` by (antenne, house) site index.
    house_fixed, antenne_fixed : ndarray of bool
        Sites fixed open (kept existing); they are constants, not variables.
    coverage : pulp.LpAffineExpression
        The coverage part :math:`\sum_i w_i (\alpha u_i + (1-\alpha) v_i)` of the objective,
        with the coverage of sectors already reached by fixed sites as its constant.
    eps : float
        :math:`\varepsilon`, the largest value the cost tie-break term can take.
    cost_scale : float
        :math:`C`, the euro amount the cost is divided by in the tie-break term.
    """

    problem: pulp.LpProblem
    house_var: dict[int, pulp.LpVariable]
    antenne_var: dict[int, pulp.LpVariable]
    link_var: dict[tuple[int, int], pulp.LpVariable]
    house_fixed: BoolArray
    antenne_fixed: BoolArray
    coverage: pulp.LpAffineExpression
    eps: float
    cost_scale: float


def build_coverage_problem(instance: CoverageInstance) -> CoverageProblem:
    r"""Build the house + antenne coverage MILP of an instance.

    Parameters
    ----------
    instance
        The validated arrays and parameters.

    Returns
    -------
    CoverageProblem
        The PuLP problem (maximise :math:`\sum_i w_i(\alpha u_i + (1-\alpha) v_i)
        - \varepsilon\,\text{cost}/C`) and the variables by site.

    Raises
    ------
    InfeasibleError
        When a kept existing site is forbidden, or a kept existing antenne has no possible
        house within ``link_max`` (or none the budget can pay for).
    """
    roles = _site_roles(instance)
    problem = pulp.LpProblem("coverage", pulp.LpMaximize)
    house_idx = np.flatnonzero(roles.house_var)
    antenne_idx = np.flatnonzero(roles.antenne_var)
    h = {int(j): problem.add_variable(f"h_{j}", cat=pulp.LpBinary) for j in house_idx}
    a = {int(j): problem.add_variable(f"a_{j}", cat=pulp.LpBinary) for j in antenne_idx}
    for j in np.flatnonzero(roles.house_var & roles.antenne_var).tolist():
        problem += pulp.LpConstraint(
            pulp.LpAffineExpression([(h[j], 1.0), (a[j], 1.0)]),
            sense=pulp.LpConstraintLE,
            rhs=1.0,
            name=f"one_role_{j}",
        )
    links = _add_links(problem, roles, h, a)
    coverage, coefficients = _add_coverage(problem, instance, roles, h, a)
    cost_terms, cost_max = _cost_terms(instance, h, a)
    if np.isfinite(instance.budget) and cost_terms:
        problem += pulp.LpConstraint(
            pulp.LpAffineExpression(cost_terms),
            sense=pulp.LpConstraintLE,
            rhs=instance.budget,
            name="budget",
        )
    positive = coefficients[coefficients > 0]
    eps = EPS_FRACTION * (float(positive.min()) if positive.size else 1.0)
    cost_scale = max(1.0, min(instance.budget, cost_max))
    objective = pulp.LpAffineExpression(
        list(coverage.items()) + [(var, -eps * c / cost_scale) for var, c in cost_terms],
        constant=coverage.constant,
    )
    problem.setObjective(objective)
    logger.info(
        f"Built coverage model: {instance.n_sectors:,} sectors "
        f"({coefficients.size:,} coverage variables), {instance.n_sites:,} sites "
        f"({len(h):,} possible houses, {len(a):,} possible antennes, "
        f"{int(roles.house_fixed.sum() + roles.antenne_fixed.sum()):,} kept open), "
        f"{len(links):,} possible links; {problem.numVariables():,} variables, "
        f"{problem.numConstraints():,} constraints"
    )
    return CoverageProblem(
        problem=problem,
        house_var=h,
        antenne_var=a,
        link_var=links,
        house_fixed=roles.house_fixed,
        antenne_fixed=roles.antenne_fixed,
        coverage=coverage,
        eps=eps,
        cost_scale=cost_scale,
    )


def _rows_any(mask: BoolArray) -> BoolArray:
    """Return, per row of a 2-D mask, whether any entry is true."""
    return np.asarray(np.any(mask, axis=1), dtype=np.bool_)


def _rows_to_columns(mask: BoolArray) -> list[NDArray[np.intp]]:
    """Split the nonzeros of a 2-D mask into one array of column indices per row."""
    if mask.shape[0] == 0:
        return []
    rows, cols = np.nonzero(mask)
    counts = np.bincount(rows, minlength=mask.shape[0])
    return np.split(cols, np.cumsum(counts)[:-1])


def _add_links(
    problem: pulp.LpProblem,
    roles: _Roles,
    h: dict[int, pulp.LpVariable],
    a: dict[int, pulp.LpVariable],
) -> dict[tuple[int, int], pulp.LpVariable]:
    r"""Add :math:`\sum_k \ell_{jk} = a_j` and :math:`\ell_{jk} \le h_k` where needed.

    Antennes with a kept house within :math:`L` need no link variables: that house is open.
    """
    antennes = np.flatnonzero(roles.needs_link)
    houses = np.flatnonzero(roles.house_var)
    candidates = _rows_to_columns(roles.link_ok[np.ix_(antennes, houses)])
    links: dict[tuple[int, int], pulp.LpVariable] = {}
    for j, cols in zip(antennes.tolist(), candidates, strict=True):
        terms = []
        for k in houses[cols].tolist():
            link = problem.add_variable(f"l_{j}_{k}", cat=pulp.LpBinary)
            links[j, k] = link
            terms.append((link, 1.0))
            problem += pulp.LpConstraint(
                pulp.LpAffineExpression([(link, 1.0), (h[k], -1.0)]),
                sense=pulp.LpConstraintLE,
                rhs=0.0,
                name=f"link_open_{j}_{k}",
            )
        if roles.antenne_fixed[j]:  # kept antenne: exactly one link, a_j is the constant 1
            problem += pulp.LpConstraint(
                pulp.LpAffineExpression(terms), pulp.LpConstraintEQ, f"link_{j}", 1.0
            )
        else:
            problem += pulp.LpConstraint(
                pulp.LpAffineExpression([*terms, (a[j], -1.0)]),
                pulp.LpConstraintEQ,
                f"link_{j}",
                0.0,
            )
    return links


def _add_coverage(
    problem: pulp.LpProblem,
    instance: CoverageInstance,
    roles: _Roles,
    h: dict[int, pulp.LpVariable],
    a: dict[int, pulp.LpVariable],
) -> tuple[pulp.LpAffineExpression, FloatArray]:
    r"""Add :math:`u_i` and :math:`v_i` with their covering constraints.

    Returns the coverage expression and the coefficients of its variables.
    """
    alpha = instance.alpha
    house = (roles.house_var, h)
    antenne = (roles.antenne_var, a)
    terms: list[tuple[pulp.LpVariable, float]] = []
    constant = 0.0
    for prefix, coef, radius, fixed_open, groups in (
        ("u", alpha * instance.weight, instance.radius_house, roles.house_fixed, [house]),
        (
            "v",
            (1.0 - alpha) * instance.weight,
            instance.radius_frequent,
            roles.house_fixed | roles.antenne_fixed,
            [house, antenne],
        ),
    ):
        reach = instance.reach(radius)
        covered_fixed = _rows_any(reach & fixed_open) & (coef > 0)
        constant += float(coef[covered_fixed].sum())
        terms += _add_cover(problem, prefix, coef, reach, ~covered_fixed, groups)
    coverage = pulp.LpAffineExpression(terms, constant=constant)
    return coverage, np.array([coef for _, coef in terms], dtype=np.float64)


def _add_cover(
    problem: pulp.LpProblem,
    prefix: str,
    coef: FloatArray,
    reach: BoolArray,
    free: BoolArray,
    groups: list[tuple[BoolArray, dict[int, pulp.LpVariable]]],
) -> list[tuple[pulp.LpVariable, float]]:
    r"""Add :math:`x_i \le \sum_{j \in \text{reach}(i)} y_j` for sectors left to cover.

    Only sectors with a positive coefficient, not already covered by a fixed site
    (``free``), and with at least one site variable within reach get a variable.
    """
    reachable = np.zeros(reach.shape[0], dtype=bool)
    for mask, _ in groups:
        reachable |= _rows_any(reach & mask)
    sectors = np.flatnonzero((coef > 0) & free & reachable)
    per_group = []
    for mask, variables in groups:
        sites = np.flatnonzero(mask)
        columns = _rows_to_columns(reach[np.ix_(sectors, sites)])
        per_group.append([[variables[k] for k in sites[c].tolist()] for c in columns])
    terms = []
    for position, i in enumerate(sectors.tolist()):
        var = problem.add_variable(f"{prefix}_{i}", lowBound=0.0, upBound=1.0)
        row = [(var, 1.0)]
        for group in per_group:
            row += [(site_var, -1.0) for site_var in group[position]]
        problem += pulp.LpConstraint(
            pulp.LpAffineExpression(row), pulp.LpConstraintLE, f"cover_{prefix}_{i}", 0.0
        )
        terms.append((var, float(coef[i])))
    return terms


def _cost_terms(
    instance: CoverageInstance,
    h: dict[int, pulp.LpVariable],
    a: dict[int, pulp.LpVariable],
) -> tuple[list[tuple[pulp.LpVariable, float]], float]:
    """Return the budget terms of new sites and the most any plan can spend."""
    house_cost = instance.new_house_cost()
    antenne_cost = instance.new_antenne_cost()
    terms = [(var, float(house_cost[j])) for j, var in h.items() if house_cost[j] > 0]
    terms += [(var, float(antenne_cost[j])) for j, var in a.items() if antenne_cost[j] > 0]
    dearest = np.zeros(instance.n_sites)
    for variables, cost in ((h, house_cost), (a, antenne_cost)):
        index = np.fromiter(variables, dtype=np.intp, count=len(variables))
        dearest[index] = np.maximum(dearest[index], cost[index])
    return terms, float(dearest.sum())


# --------------------------------------------------------------------------- plan checks


def plan_cost(instance: CoverageInstance, house: BoolArray, antenne: BoolArray) -> float:
    r"""Return the euro a plan spends on new sites.

    Parameters
    ----------
    instance
        The instance.
    house, antenne
        Open sites per role, shape (n_j,).

    Returns
    -------
    float
        :math:`\sum_{j \text{ new house}} c^H_j + \sum_{j \text{ new antenne}} c^A_j`;
        existing sites open in their own role cost nothing.
    """
    new_house = house & ~instance.existing_house
    new_antenne = antenne & ~instance.existing_antenne
    return float(instance.cost_house[new_house].sum() + instance.cost_antenne[new_antenne].sum())


def plan_coverage(
    instance: CoverageInstance, house: BoolArray, antenne: BoolArray
) -> tuple[BoolArray, BoolArray, float]:
    r"""Recompute which sectors a plan covers, from the travel times.

    Parameters
    ----------
    instance
        The instance.
    house, antenne
        Open sites per role, shape (n_j,).

    Returns
    -------
    covered_house : ndarray of bool, shape (n_i,)
        Some open house has :math:`d_{ij} \le R_H(i)`.
    covered_frequent : ndarray of bool, shape (n_i,)
        Some open house or antenne has :math:`d_{ij} \le R_A(i)`.
    objective : float
        :math:`\sum_i w_i (\alpha\,[\text{covered\_house}_i]
        + (1-\alpha)\,[\text{covered\_frequent}_i])`.
    """
    d = instance.d
    open_any = house | antenne
    near_house = np.isfinite(d[:, house]) & (d[:, house] <= instance.radius_house[:, None])
    near_any = np.isfinite(d[:, open_any]) & (d[:, open_any] <= instance.radius_frequent[:, None])
    covered_house = _rows_any(near_house)
    covered_frequent = _rows_any(near_any)
    alpha = instance.alpha
    value = instance.weight @ (alpha * covered_house + (1.0 - alpha) * covered_frequent)
    return covered_house, covered_frequent, float(value)


def link_antennes(
    instance: CoverageInstance, house: BoolArray, antenne: BoolArray
) -> NDArray[np.int64]:
    """Link every open antenne to its nearest open house within ``link_max``.

    Parameters
    ----------
    instance
        The instance.
    house, antenne
        Open sites per role, shape (n_j,).

    Returns
    -------
    ndarray of int64, shape (n_j,)
        Index of the linked house per antenne; -1 for non-antennes and for antennes with no
        open house within reach (ties: lowest house index).
    """
    link = np.full(instance.n_sites, -1, dtype=np.int64)
    antennes = np.flatnonzero(antenne)
    if antennes.size == 0:
        return link
    allowed = instance.link_ok()[antennes] & house[np.newaxis, :]
    minutes = np.where(allowed, instance.e[antennes], np.inf)
    nearest = np.argmin(minutes, axis=1)
    reachable = np.isfinite(minutes[np.arange(antennes.size), nearest])
    link[antennes[reachable]] = nearest[reachable]
    return link


def plan_problems(instance: CoverageInstance, house: BoolArray, antenne: BoolArray) -> list[str]:
    """Check a plan against every rule of the model.

    Parameters
    ----------
    instance
        The instance.
    house, antenne
        Open sites per role, shape (n_j,).

    Returns
    -------
    list of str
        One line per broken rule; empty when the plan is feasible.
    """
    label = instance.site_label
    problems: list[str] = []
    checks = (
        (house & antenne, "are both house and antenne"),
        (house & ~np.isfinite(instance.new_house_cost()), "are houses but may not be one"),
        (antenne & ~np.isfinite(instance.new_antenne_cost()), "are antennes but may not be one"),
    )
    for mask, what in checks:
        if mask.any():
            problems.append(f"sites {_shown(mask, label)} {what}")
    if instance.keep_existing:
        closed = (instance.existing_house & ~house) | (instance.existing_antenne & ~antenne)
        if closed.any():
            problems.append(f"existing sites {_shown(closed, label)} are not kept in their role")
    unlinked = antenne & (link_antennes(instance, house, antenne) < 0)
    if unlinked.any():
        problems.append(
            f"antennes {_shown(unlinked, label)} have no open house within "
            f"{instance.link_max:g} min"
        )
    cost = plan_cost(instance, house, antenne)
    if cost > instance.budget + _BUDGET_SLACK * max(instance.budget, 1.0):
        problems.append(
            f"the plan costs EUR {cost:,.2f}, over the budget of EUR {instance.budget:,.2f}"
        )
    return problems


# --------------------------------------------------------------------------- solve


@dataclass(frozen=True, eq=False)
class CoverageSolution:
    r"""A plan of houses and antennes, with its coverage recomputed from the travel times.

    Attributes
    ----------
    house, antenne : ndarray of bool, shape (n_j,)
        Open sites per role (kept existing sites included).
    link : ndarray of int64, shape (n_j,)
        Index of the house each antenne is linked to (its nearest open house within
        ``link_max``), -1 for non-antennes.
    cost : float
        Euro spent on new sites.
    coverage_objective : float
        :math:`\sum_i w_i (\alpha\,[\text{house}_i] + (1-\alpha)\,[\text{frequent}_i])`
        recomputed from the plan.
    result : SolveResult
        What the solver proved (status, objective with the tie-break term, bound, gap).
    covered_house, covered_frequent : ndarray of bool, shape (n_i,)
        Sectors within the house / frequent-service standard of the plan.
    """

    house: BoolArray
    antenne: BoolArray
    link: NDArray[np.int64]
    cost: float
    coverage_objective: float
    result: SolveResult
    covered_house: BoolArray
    covered_frequent: BoolArray


def solve_coverage(instance: CoverageInstance, solver: SolverSpec) -> CoverageSolution:
    """Build and solve the coverage model, and read the plan back honestly.

    A budget too small for any new site is not an error: the plan keeps the existing sites.

    Parameters
    ----------
    instance
        The validated arrays and parameters.
    solver
        Which solver, time limit, gap tolerance, threads and log verbosity.

    Returns
    -------
    CoverageSolution
        The plan; ``solution.result`` says whether it is proven optimal.

    Raises
    ------
    InfeasibleError
        When the rules cannot all hold (kept existing sites that cannot stay open).
    SolverUnavailableError
        When the solver is not installed.
    SolverError
        When the solver stops without a plan, fails, or returns a plan that breaks a rule.
    """
    model = build_coverage_problem(instance)
    result = solve_problem(model.problem, solver)
    if result.status == "infeasible":
        raise InfeasibleError(_infeasible_message(instance, model))
    if not result.has_plan:
        raise SolverError(_no_plan_message(result))
    house = model.house_fixed | _chosen(instance.n_sites, model.house_var)
    antenne = model.antenne_fixed | _chosen(instance.n_sites, model.antenne_var)
    problems = plan_problems(instance, house, antenne)
    if problems:
        raise SolverError(
            [f"{result.solver} returned a plan that breaks a rule: {p}" for p in problems]
        )
    covered_house, covered_frequent, value = plan_coverage(instance, house, antenne)
    solution = CoverageSolution(
        house=_frozen(house),
        antenne=_frozen(antenne),
        link=_frozen(link_antennes(instance, house, antenne)),
        cost=plan_cost(instance, house, antenne),
        coverage_objective=value,
        result=result,
        covered_house=_frozen(covered_house),
        covered_frequent=_frozen(covered_frequent),
    )
    logger.info(
        f"Plan: {int(house.sum())} houses ({int((house & ~instance.existing_house).sum())} new), "
        f"{int(antenne.sum())} antennes ({int((antenne & ~instance.existing_antenne).sum())} "
        f"new), cost EUR {solution.cost:,.0f}, coverage objective {value:,.3f} "
        f"({result.status}{'' if result.proven_optimal else ', not proven optimal'})"
    )
    return solution


def _chosen(n_sites: int, variables: dict[int, pulp.LpVariable]) -> BoolArray:
    chosen = np.zeros(n_sites, dtype=bool)
    for j, var in variables.items():
        value = var.varValue
        chosen[j] = value is not None and value > _HALF
    return chosen


def _frozen(array: _A) -> _A:
    array.setflags(write=False)
    return array


def _infeasible_message(instance: CoverageInstance, model: CoverageProblem) -> str:
    stranded = model.antenne_fixed & _needs_new_house(instance, model)
    if stranded.any():
        return (
            f"the existing antennes {_shown(stranded, instance.site_label)} must stay open "
            f"(keep_existing) and each needs a house within {instance.link_max:g} min, but the "
            f"budget of EUR {instance.budget:,.0f} cannot open houses for all of them: raise "
            "budget.amount_eur or standards.link_min, or set objective.keep_existing: false"
        )
    return (
        "the solver proved the planning rules infeasible (kept existing sites, links within "
        f"{instance.link_max:g} min, budget EUR {instance.budget:,.0f}): relax one of them"
    )


def _needs_new_house(instance: CoverageInstance, model: CoverageProblem) -> BoolArray:
    link_ok = instance.link_ok()
    return ~_rows_any(link_ok & model.house_fixed)


def _no_plan_message(result: SolveResult) -> str:
    other = "highs" if result.solver == "cbc" else "cbc"
    if result.status == "no_solution":
        return (
            f"{result.solver} stopped after {result.runtime_s:.1f} s ({result.detail}) before "
            f"finding any plan: raise solver.time_limit_s or try solver.name: {other}"
        )
    if result.status == "unbounded":
        return (
            f"{result.solver} reports the coverage model unbounded, which cannot happen for "
            "valid input: please report this as a bug"
        )
    return (
        f"{result.solver} failed ({result.detail or result.status}): try solver.name: {other}, "
        "or set solver.msg: true and run with --verbose to see the solver log"
    )
