r"""The hierarchical house + antenne coverage model and its relatives, built from arrays.

This is the math core of planner (DESIGN.md, "The planning model"): it sees travel-time
matrices, weights, costs and flags indexed by sector ``i`` and site ``j, k``, never geometry.
The MILP is assembled as sparse arrays (:class:`planner.solve.MilpArrays`) and solved by
:func:`planner.solve.solve_milp`; no Python object is made per variable.

Decisions
    :math:`h_j \in \{0,1\}` open a house at site :math:`j`; :math:`a_j \in \{0,1\}` open an
    antenne.
Rules
    .. math::

        h_j + a_j &\le 1, \qquad
        a_j \le \sum_{k:\, e_{jk} \le L} h_k \quad
        \text{(an antenne needs an open house within } L\text{)}, \\
        u_i &\le \sum_{j:\, d_{ij} \le R_H(i)} h_j, \qquad
        v_i \le \sum_{j:\, d_{ij} \le R_A(i)} (h_j + a_j), \qquad u_i, v_i \in [0, 1], \\
        &\sum_{j \text{ new house}} c^H_j h_j + \sum_{j \text{ new antenne}} c^A_j a_j \le B.

    The link rule is the projection of the classic link variables
    (:math:`\sum_k \ell_{jk} = a_j`, :math:`\ell_{jk} \le h_k`): same integer plans, same LP
    bound, no :math:`\ell` columns. After solving, each antenne is linked to its *nearest*
    open house within :math:`L` (ties: lowest site index), which makes the link deterministic
    and independent of the solver.

Objective (``max_coverage``)
    .. math::

        \max \; \sum_i w_i \bigl(\alpha u_i + (1 - \alpha) v_i\bigr)
        \;-\; \varepsilon \, \frac{\text{cost}}{C}, \qquad
        C = \max\bigl(1, \min(B, C_{\max})\bigr), \qquad
        \varepsilon = 10^{-3} \, \delta_{\min},

    where :math:`C_{\max}` is the most any plan can spend on its free choices (every candidate
    open in its dearest role) and :math:`\delta_{\min}` the smallest positive coefficient of a
    coverage variable. As the cost term never exceeds :math:`\varepsilon`, among plans of equal
    coverage the cheaper one wins, and a cheaper plan can beat a better-covering one only if
    its coverage is lower by less than :math:`\varepsilon`. Tie-breaks finer than the solver's
    absolute tolerance (1e-6) may be missed.

Relatives (same arrays, same rules; see :mod:`planner.model.setcover` and
:mod:`planner.model.mclp`)
    ``set_cover``: :math:`\min \sum c^H_j h_j + c^A_j a_j` with every sector with families
    within :math:`R_H(i)` of a house and within :math:`R_A(i)` of a house or antenne
    (:math:`u_i = v_i = 1`), no budget. ``set_cover_single``: houses only, every sector
    within :math:`R_H(i)`. ``mclp``: houses only, :math:`\max \sum_i w_i u_i` with at most
    :math:`p` houses, no budget.

Capacities (optional, ``capacity``)
    A house serves at most :math:`C_j` families. House coverage is then an *assignment*:
    :math:`x_{ij} \in [0, 1]` is the share of sector :math:`i`'s :math:`T_i` families served by
    house :math:`j` (only pairs with :math:`d_{ij} \le R_H(i)`),

    .. math::

        \sum_j x_{ij} \le 1, \qquad \sum_i T_i x_{ij} \le C_j h_j, \qquad x_{ij} \le h_j,

    and :math:`\sum_j x_{ij}` replaces :math:`u_i` (a sector may be split between houses).
    Frequent services (:math:`v`, houses and antennes within :math:`R_A`) are not
    capacity-limited. In the covering forms (and under the universal floor)
    :math:`\sum_j x_{ij} = 1`: every family assigned.

Policy rules
    Required sites, counts per role, the universal floor, a house per group and the spacing
    between houses (:class:`planner.model.rules.PlanRules`) become constraints.

Existing sites cost nothing in their own role (an existing antenne that becomes a house pays
:math:`c^H_j`). With ``keep_existing`` they stay open in that role; required sites stay open
and pay their cost. Fixed sites are constants, not variables. Forbidden and ineligible sites,
sites whose own cost exceeds what the budget leaves, antennes with no possible house within
:math:`L`, houses closer than the spacing to a fixed house, sectors with no site within
either standard and zero-weight terms get no variables at all.

Reductions (exact)
    Sectors whose coverage rows are identical (the same variable sites within the standard)
    share one coverage variable with their summed weight, separately for :math:`u` and
    :math:`v`; identical covering rows are kept once. In dense cities this removes most rows.

Link cuts (exact: valid for every plan, so the same plans and optimum)
    A sector reached by a frequent service has an open house in its row or an open antenne
    in its row, and that antenne has an open house within :math:`L`. For a frequent row
    :math:`r` with houses :math:`H_r`, antennes :math:`A_r` and any :math:`T \subseteq A_r`
    of antennes without a fixed house within :math:`L`,

    .. math::

        v_r \le \sum_{k \in H_r \cup L(T)} h_k + \sum_{j \in A_r \setminus T} a_j,
        \qquad L(T) = \{k : e_{jk} \le L \text{ for some } j \in T\}.

    :math:`T = \emptyset` is the coverage row; :math:`T` = all such antennes is added when
    the model is built; the most violated one per row is separated in a few rounds of LP
    relaxation before the MILP is solved. Without them, the LP relaxation lets fractional
    antennes share one fractional house (a "carpet" of houses), and its bound stays far
    above the best plan when few houses are fixed.

Warm start
    A greedy plan (best coverage gain per euro, or cheapest cost per newly met requirement)
    is handed to the solver when it meets every row of the model.

After solving, the plan is read from :math:`h, a` only: coverage is recomputed from :math:`d`
and the open sites (the auxiliary :math:`u, v` are not trusted), and the plan is checked
against every rule.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from planner.errors import DataError, InfeasibleError, SolverError
from planner.model._arrays import MilpBuilder, feasible_start, unique_rows
from planner.model.rules import PlanRules
from planner.solve import MilpArrays, SolveResult, method_result, solve_lp, solve_milp

if TYPE_CHECKING:
    from collections.abc import Sequence

    from planner.scenario import SolverSpec

__all__ = [
    "EPS_FRACTION",
    "MAX_COVERAGE",
    "CoverageInstance",
    "CoverageProblem",
    "CoverageSolution",
    "Form",
    "build_coverage_problem",
    "link_antennes",
    "plan_cost",
    "plan_coverage",
    "plan_problems",
    "solve_coverage",
    "solve_form",
]

logger = logging.getLogger(__name__)

EPS_FRACTION: Final[float] = 1e-3
"""Cost tie-break weight as a fraction of the smallest coverage coefficient."""

_SHOWN_IDS: Final[int] = 5
_BUDGET_SLACK: Final[float] = 1e-9
_HALF: Final[float] = 0.5
_LOAD_SLACK: Final[float] = 1e-6
_FREE_COST: Final[float] = 1e-6
_DIAGNOSE_SECONDS: Final[float] = 20.0

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.intp]
_A = TypeVar("_A", bound=NDArray[Any])
_Labeller = Callable[[int], str]


# --------------------------------------------------------------------------- forms


@dataclass(frozen=True)
class Form:
    """Which member of the coverage family to build.

    Attributes
    ----------
    name : str
        The objective kind (``max_coverage``, ``set_cover``, ``set_cover_single``, ``mclp``).
    antennes : bool
        Houses and antennes (hierarchical) or houses only.
    objective : str
        ``"coverage"`` (maximise weighted coverage) or ``"cost"`` (minimise cost).
    budget : bool
        Whether the budget is a constraint.
    cover_house, cover_frequent : bool
        Every sector with families must be within :math:`R_H` of a house / :math:`R_A` of a
        house or antenne.
    p : int or None
        At most this many houses (kept and required ones included).
    skip_unreachable : bool
        Sectors that no allowed site can reach within the standard are left out of the
        covering rows (set cover, universal floor) instead of making the problem infeasible.
    """

    name: str
    antennes: bool = True
    objective: Literal["coverage", "cost"] = "coverage"
    budget: bool = True
    cover_house: bool = False
    cover_frequent: bool = False
    p: int | None = None
    skip_unreachable: bool = False


MAX_COVERAGE: Final[Form] = Form("max_coverage")
"""The default form: houses and antennes, maximise weighted coverage within the budget."""


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
    families : ndarray, shape (n_i,), or None
        :math:`T_i`, families per sector: what capacities count and what messages report
        (None: the weights).
    capacity : ndarray, shape (n_j,), or None
        :math:`C_j`, the most families a house at ``j`` may serve (``inf``: no limit;
        None: no capacities at all).
    rules : PlanRules
        Policy rules (required sites, counts, floor, groups, spacing).
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
    families: FloatArray | None = None
    capacity: FloatArray | None = None
    rules: PlanRules = field(default_factory=PlanRules)

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
        for name, shape in (("families", (n_i,)), ("capacity", (n_j,))):
            if getattr(self, name) is not None:
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
        if not isinstance(self.rules, PlanRules):
            problems.append(
                f"CoverageInstance.rules: expected PlanRules, got {type(self.rules).__name__}"
            )
        else:
            object.__setattr__(self, "rules", self.rules.checked(n_j, problems))
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
        if self.families is not None:
            fam = self.families
            _bad(problems, "families", ~np.isfinite(fam) | (fam < 0), sector, "is not >= 0")
        if self.capacity is not None:
            cap = self.capacity
            _bad(problems, "capacity", np.isnan(cap) | (cap < 0), site, "is NaN or negative")
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

    def family_counts(self) -> FloatArray:
        """Return :math:`T_i` (the weights when no family counts were given)."""
        return self.weight if self.families is None else self.families

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

    def too_close(self) -> BoolArray:
        r"""Return the (n_j, n_j) mask of site pairs closer than the house spacing rule.

        :math:`\min(e_{jk}, e_{kj}) < s`, ``j != k``; all False without the rule.
        """
        spacing = self.rules.house_spacing_min
        if not spacing:
            return np.zeros((self.n_sites, self.n_sites), dtype=bool)
        both = np.minimum(self.e, self.e.T)
        close = both < spacing
        np.fill_diagonal(close, val=False)
        return close

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

    house_fixed: BoolArray  # kept existing and required houses: constant 1
    antenne_fixed: BoolArray  # kept existing and required antennes: constant 1
    antenne_carried: BoolArray  # houses-only forms: kept existing antennes, outside the model
    house_var: BoolArray  # a binary h_j exists
    antenne_var: BoolArray  # a binary a_j exists
    link_ok: BoolArray  # (n_j, n_j) e_jk <= L, finite, j != k
    fixed_cost: float  # euro the required new sites cost
    remaining: float  # budget left for the free choices (inf when the budget is no rule)
    lost_house: BoolArray  # sectors a house-covering rule must reach but no possible house can
    lost_frequent: BoolArray  # same for the frequent-covering rule (houses and antennes)


def _site_roles(instance: CoverageInstance, form: Form) -> _Roles:
    """Work out the variables to create, and check the rules that cannot all hold."""
    n = instance.n_sites
    rules = instance.rules
    keep = instance.keep_existing
    required_house = rules.house_required(n)
    required_antenne = rules.antenne_required(n)
    if not form.antennes and (required_antenne.any() or rules.min_antennes or rules.max_antennes):
        raise DataError(
            f"{form.name} places houses only: rules.required_antennes, rules.min_antennes and "
            "rules.max_antennes need objective.kind max_coverage or set_cover"
        )
    house_fixed = (instance.existing_house & keep) | required_house
    if form.antennes:
        antenne_fixed = (instance.existing_antenne & keep) | required_antenne
        carried = np.zeros(n, dtype=bool)
    else:
        antenne_fixed = np.zeros(n, dtype=bool)
        carried = instance.existing_antenne & keep & ~house_fixed
    fixed_cost = plan_cost(instance, required_house, required_antenne)
    remaining = instance.budget - fixed_cost if form.budget else np.inf
    fixed = house_fixed | antenne_fixed | carried
    house_cost = instance.new_house_cost()
    antenne_cost = instance.new_antenne_cost()
    blocked = _rows_any(instance.too_close() & house_fixed[np.newaxis, :])
    house_var = np.isfinite(house_cost) & (house_cost <= remaining) & ~fixed & ~blocked
    link_ok = instance.link_ok()
    antenne_var = np.zeros(n, dtype=bool)
    if form.antennes:
        linkable = _rows_any(link_ok & (house_fixed | house_var))
        antenne_var = np.isfinite(antenne_cost) & (antenne_cost <= remaining) & ~fixed & linkable
    lost_house, lost_frequent = _lost_sectors(
        instance, form, house_fixed | house_var, antenne_fixed | antenne_var
    )
    roles = _Roles(
        house_fixed=house_fixed,
        antenne_fixed=antenne_fixed,
        antenne_carried=carried,
        house_var=house_var,
        antenne_var=antenne_var,
        link_ok=link_ok,
        fixed_cost=fixed_cost,
        remaining=float(remaining),
        lost_house=lost_house,
        lost_frequent=lost_frequent,
    )
    problems = _fixed_site_problems(instance, form, roles)
    problems += _rule_problems(instance, form, roles)
    if problems:
        raise InfeasibleError(problems)
    return roles


def _fixed_site_problems(instance: CoverageInstance, form: Form, roles: _Roles) -> list[str]:
    """Kept and required sites that cannot stay open, each with the rule that stops it."""
    problems: list[str] = []
    label = instance.site_label
    keep = instance.keep_existing
    if keep:
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
    n = instance.n_sites
    required = {
        "house": instance.rules.house_required(n),
        "antenne": instance.rules.antenne_required(n),
    }
    allowed = {
        "house": np.isfinite(instance.new_house_cost()),
        "antenne": np.isfinite(instance.new_antenne_cost()),
    }
    other = {"house": instance.existing_antenne, "antenne": instance.existing_house}
    for role, mask in required.items():
        bad = mask & ~allowed[role]
        if bad.any():
            problems.append(
                f"rules.required_{role}s: sites {_shown(bad, label)} may not host a {role} "
                f"(forbidden, or can_{role} is false): remove them from the rule or allow the role"
            )
        clash = mask & other[role] & keep
        if clash.any():
            problems.append(
                f"rules.required_{role}s: sites {_shown(clash, label)} exist in the other role "
                "and keep_existing keeps them so: remove them from the rule or set "
                "objective.keep_existing: false"
            )
    if form.budget and roles.fixed_cost > instance.budget * (1 + _BUDGET_SLACK):
        problems.append(
            f"the required sites (rules.required_houses / required_antennes) cost EUR "
            f"{roles.fixed_cost:,.0f}, more than the budget of EUR {instance.budget:,.0f}: raise "
            "budget.amount_eur or require fewer sites"
        )
    problems += _stranded_antennes(instance, roles)
    close = instance.too_close() & roles.house_fixed[np.newaxis, :] & roles.house_fixed[:, None]
    if close.any():
        pairs = np.argwhere(np.triu(close))[:_SHOWN_IDS]
        shown = ", ".join(f"{label(int(j))}-{label(int(k))}" for j, k in pairs)
        problems.append(
            f"rules.house_spacing_min: the kept or required houses {shown} are closer than "
            f"{instance.rules.house_spacing_min:g} min to each other: lower the spacing, or "
            "drop one of them from the required sites (or set objective.keep_existing: false)"
        )
    return problems


def _stranded_antennes(instance: CoverageInstance, roles: _Roles) -> list[str]:
    """Return a problem per fixed antenne with no possible (or affordable) house within L."""
    linkable = _rows_any(roles.link_ok & (roles.house_fixed | roles.house_var))
    stranded = roles.antenne_fixed & ~instance.forbidden & ~linkable
    problems: list[str] = []
    if not stranded.any():
        return problems
    label = instance.site_label
    keep = instance.keep_existing
    any_house = (instance.can_house | instance.existing_house) & ~instance.forbidden
    any_house &= ~roles.antenne_fixed & ~(instance.existing_house & keep)
    cheapest = np.where(roles.link_ok & any_house, instance.cost_house, np.inf).min(axis=1)
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
        kind = "existing" if instance.existing_antenne[j] else "required"
        reason = "keep_existing" if kind == "existing" else "rules.required_antennes"
        problems.append(
            f"{kind} antenne {label(int(j))} must stay open ({reason}) and be linked to a house "
            f"within link_max, but {why}; or set objective.keep_existing: false"
        )
    return problems


def _rule_problems(instance: CoverageInstance, form: Form, roles: _Roles) -> list[str]:
    """Return the counts, groups, floors and covering rules that no plan can meet."""
    problems: list[str] = []
    rules = instance.rules
    n_fixed_h = int(roles.house_fixed.sum())
    n_fixed_a = int(roles.antenne_fixed.sum())
    max_h = _min_defined(rules.max_houses, form.p)
    what = "objective.p" if form.p is not None and max_h == form.p else "rules.max_houses"
    if max_h is not None and n_fixed_h > max_h:
        problems.append(
            f"{what} allows {max_h} houses, but {n_fixed_h} are kept open or required "
            "(existing houses with keep_existing, rules.required_houses): raise it or set "
            "objective.keep_existing: false"
        )
    possible_h = n_fixed_h + int(roles.house_var.sum())
    if rules.min_houses is not None and rules.min_houses > possible_h:
        problems.append(
            f"rules.min_houses asks for {rules.min_houses} houses, but only {possible_h} sites "
            "may host one (eligible, not forbidden, affordable, not too close to a kept house): "
            "lower it or add candidate sites"
        )
    if form.antennes:
        if rules.max_antennes is not None and n_fixed_a > rules.max_antennes:
            problems.append(
                f"rules.max_antennes allows {rules.max_antennes} antennes, but {n_fixed_a} are "
                "kept open or required: raise it or set objective.keep_existing: false"
            )
        possible_a = n_fixed_a + int(roles.antenne_var.sum())
        if rules.min_antennes is not None and rules.min_antennes > possible_a:
            problems.append(
                f"rules.min_antennes asks for {rules.min_antennes} antennes, but only "
                f"{possible_a} sites may host one (with a possible house within link_max): "
                "lower it or add candidate sites"
            )
    houses = roles.house_fixed | roles.house_var
    for rule in rules.house_groups:
        unserved = ~(rule.member & houses[np.newaxis, :]).any(axis=1)
        if unserved.any():
            names = [rule.groups[g] for g in np.flatnonzero(unserved)]
            shown = ", ".join(names[:_SHOWN_IDS])
            more = f" and {len(names) - _SHOWN_IDS} more" if len(names) > _SHOWN_IDS else ""
            problems.append(
                f"{rule.name}: no site that may host a house serves {len(names)} group(s) "
                f"({shown}{more}): add candidate sites there, or drop the rule"
            )
    problems += _unreachable_problems(instance, form, roles)
    return problems


def _lost_sectors(
    instance: CoverageInstance, form: Form, houses: BoolArray, antennes: BoolArray
) -> tuple[BoolArray, BoolArray]:
    """Return the sectors with families a covering rule must reach but no possible site can.

    Possible sites are the fixed ones and those that get a variable (allowed, affordable,
    not too close to a fixed house, antennes with a possible house within ``L``).
    """
    needs = instance.family_counts() > 0
    lost_house = np.zeros(instance.n_sectors, dtype=bool)
    lost_frequent = np.zeros(instance.n_sectors, dtype=bool)
    if form.cover_house or instance.rules.universal_floor:
        reach = instance.reach(instance.radius_house)
        lost_house = needs & ~_rows_any(reach & houses[np.newaxis, :])
    if form.cover_frequent:
        reach = instance.reach(instance.radius_frequent)
        lost_frequent = needs & ~_rows_any(reach & (houses | antennes)[np.newaxis, :])
    return lost_house, lost_frequent


def _unreachable_problems(instance: CoverageInstance, form: Form, roles: _Roles) -> list[str]:
    """Return the sectors with families a covering rule must reach but cannot."""
    problems: list[str] = []
    families = instance.family_counts()
    label = instance.sector_label
    if form.skip_unreachable:
        lost = roles.lost_house | roles.lost_frequent
        if lost.any():
            logger.warning(
                f"{form.name}: {int(lost.sum())} sectors ({families[lost].sum():,.0f} families) "
                f"cannot be reached by any allowed site within the standards and are left out "
                f"of the covering rules: {_shown(lost, label)}"
            )
        return problems
    lost = roles.lost_house
    if lost.any():
        rule = form.name if form.cover_house else "rules.universal_floor"
        problems.append(
            f"{rule}: {int(lost.sum())} sectors ({families[lost].sum():,.0f} families) have "
            f"no site that may host a house within their house standard R_H: "
            f"{_shown(lost, label)}; raise standards.house_min, add candidate sites near "
            "them, or lift forbidden sites"
        )
    lost = roles.lost_frequent
    if lost.any():
        problems.append(
            f"{form.name}: {int(lost.sum())} sectors ({families[lost].sum():,.0f} families) "
            f"have no site that may host a house or antenne within their frequent standard "
            f"R_A: {_shown(lost, label)}; raise standards.frequent_min or add candidate sites"
        )
    return problems


def _min_defined(*values: int | None) -> int | None:
    defined = [value for value in values if value is not None]
    return min(defined) if defined else None


# --------------------------------------------------------------------------- build


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
    link_rows: _LinkRows | None = None


@dataclass
class _Blocks:
    """Row blocks over the (h, a) columns kept for the greedy start."""

    n_h: int
    n_a: int
    gain: list[tuple[sparse.csr_matrix, FloatArray]] = field(default_factory=list)
    require: list[tuple[sparse.csr_matrix, FloatArray]] = field(default_factory=list)
    coverage: list[tuple[sparse.csr_matrix, IntArray]] = field(default_factory=list)
    link: sparse.csr_matrix | None = None  # variable antennes x variable houses
    link_needed: BoolArray | None = None  # variable antenne needs a variable house
    stranded: sparse.csr_matrix | None = None  # fixed antennes x variable houses
    close: sparse.csr_matrix | None = None  # variable houses x variable houses
    room_h: float = np.inf  # most variable houses the count rules allow
    room_a: float = np.inf  # most variable antennes the count rules allow


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
    roles = _site_roles(instance, form)
    b = MilpBuilder()
    hs = np.flatnonzero(roles.house_var)
    as_ = np.flatnonzero(roles.antenne_var)
    hcol = b.add_columns(hs.size, integer=True)
    acol = b.add_columns(as_.size, integer=True)
    blocks = _Blocks(n_h=hs.size, n_a=as_.size)
    _add_one_role(b, hs, as_, hcol, acol)
    _add_links(b, roles, hs, as_, hcol, acol, blocks)
    coverage = _add_coverage(
        b, instance, form, roles, hs=hs, as_=as_, hcol=hcol, acol=acol, blocks=blocks
    )
    pairs = _add_assignment(b, instance, form, roles, hs, hcol)
    n_cover = _add_cover_rows(
        b, instance, form, roles, hs=hs, as_=as_, hcol=hcol, acol=acol, blocks=blocks
    )
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
        start = _greedy_start(model, form, roles, cost_h, cost_a, hcol, acol, blocks)
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
        house_fixed=_frozen(roles.house_fixed.copy()),
        antenne_fixed=_frozen(roles.antenne_fixed.copy()),
        antenne_carried=_frozen(roles.antenne_carried.copy()),
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
        left_out=_frozen(roles.lost_house | roles.lost_frequent),
        link_rows=coverage.link_rows,
    )


def _rows_any(mask: BoolArray) -> BoolArray:
    """Return, per row of a 2-D mask, whether any entry is true."""
    return np.asarray(np.any(mask, axis=1), dtype=np.bool_)


def _csr(mask: BoolArray) -> sparse.csr_matrix:
    return sparse.csr_matrix(mask, dtype=np.float64)


def _identity_minus(left: sparse.csr_matrix) -> sparse.csr_matrix:
    """Return ``[I | -left]``: rows ``y_r - sum_k left_rk x_k``."""
    n = int(left.shape[0])
    return sparse.hstack([sparse.identity(n, format="csr"), -left], format="csr")


def _add_one_role(
    b: MilpBuilder, hs: IntArray, as_: IntArray, hcol: IntArray, acol: IntArray
) -> None:
    r"""Add :math:`h_j + a_j \le 1` where a site has both columns."""
    common, in_h, in_a = np.intersect1d(hs, as_, assume_unique=True, return_indices=True)
    if common.size:
        n = common.size
        rows = np.concatenate([np.arange(n), np.arange(n)])
        cols = np.concatenate([hcol[in_h], acol[in_a]])
        b.add_triplets(rows, cols, np.ones(2 * n), n, upper=1.0)


def _add_links(
    b: MilpBuilder,
    roles: _Roles,
    hs: IntArray,
    as_: IntArray,
    hcol: IntArray,
    acol: IntArray,
    blocks: _Blocks,
) -> None:
    r"""Add :math:`a_j \le \sum_{k: e_{jk} \le L} h_k` (and :math:`\ge 1` for fixed antennes).

    Antennes with a fixed house within :math:`L` need no row: that house is open.
    """
    near_fixed = _rows_any(roles.link_ok & roles.house_fixed[np.newaxis, :])
    need_var = ~near_fixed[as_]
    link = _csr(roles.link_ok[np.ix_(as_[need_var], hs)])
    if need_var.any():
        b.add_rows(_identity_minus(link), np.concatenate([acol[need_var], hcol]), upper=0.0)
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
    link_rows: _LinkRows | None = None  # frequent rows for link cuts


def _merged_cover(
    b: MilpBuilder, matrix: sparse.csr_matrix, coef: FloatArray, site_cols: IntArray
) -> tuple[int, int, IntArray, sparse.csr_matrix, FloatArray]:
    """Add one coverage column per distinct row, weighted by the summed coefficients."""
    nonempty = np.diff(matrix.indptr) > 0
    matrix, coef = matrix[nonempty], coef[nonempty]
    first, inverse = unique_rows(matrix)
    merged_coef = np.bincount(inverse, weights=coef, minlength=first.size).astype(np.float64)
    rows = matrix[first]
    cols = b.add_columns(first.size, cost=merged_coef)
    if first.size:
        b.add_rows(_identity_minus(rows), np.concatenate([cols, site_cols]), upper=0.0)
    return first.size, int(coef.size - first.size), cols, rows, merged_coef


def _add_coverage(  # noqa: PLR0913 (the pieces of one block)
    b: MilpBuilder,
    instance: CoverageInstance,
    form: Form,
    roles: _Roles,
    *,
    hs: IntArray,
    as_: IntArray,
    hcol: IntArray,
    acol: IntArray,
    blocks: _Blocks,
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
        coef = alpha * weight
        reach = instance.reach(instance.radius_house)
        fixed = _rows_any(reach & roles.house_fixed[np.newaxis, :])
        constant += float(coef[fixed & (coef > 0)].sum())
        free = (coef > 0) & ~fixed
        matrix = _csr(reach[np.ix_(free, hs)])
        n_u, saved, cols, rows, merged_coef = _merged_cover(b, matrix, coef[free], hcol)
        merged += saved
        columns.append(cols)
        blocks.gain.append((_pad(rows, blocks.n_a), merged_coef))
        blocks.coverage.append((_pad(rows, blocks.n_a), cols))
    if form.antennes and alpha < 1.0:
        coef = (1.0 - alpha) * weight
        reach = instance.reach(instance.radius_frequent)
        fixed_open = roles.house_fixed | roles.antenne_fixed
        fixed = _rows_any(reach & fixed_open[np.newaxis, :])
        constant += float(coef[fixed & (coef > 0)].sum())
        free = (coef > 0) & ~fixed
        matrix = sparse.hstack(
            [_csr(reach[np.ix_(free, hs)]), _csr(reach[np.ix_(free, as_)])], format="csr"
        )
        site_cols = np.concatenate([hcol, acol])
        n_v, saved, cols, rows, merged_coef = _merged_cover(b, matrix, coef[free], site_cols)
        merged += saved
        if blocks.link is not None and blocks.link_needed is not None and cols.size:
            link_rows = _LinkRows(rows, cols, blocks.link, blocks.link_needed)
            _add_house_behind_cuts(b, link_rows, hcol, acol)
        columns.append(cols)
        blocks.gain.append((rows, merged_coef))
        blocks.coverage.append((rows, cols))
    return _Coverage(constant, n_u, n_v, merged, np.concatenate(columns), link_rows)


@dataclass(frozen=True, eq=False)
class _LinkRows:
    r"""The frequent-coverage rows of a model with antennes, kept for link cuts.

    ``rows`` are the merged :math:`v` rows over the variable (house | antenne) columns,
    ``v_columns`` their :math:`v` columns, ``link`` the (variable antennes x variable houses)
    mask :math:`e_{jk} \le L` and ``needs_house`` which antennes have no fixed house within
    :math:`L`.
    """

    rows: sparse.csr_matrix
    v_columns: IntArray
    link: sparse.csr_matrix
    needs_house: BoolArray


def _add_house_behind_cuts(
    b: MilpBuilder,
    link_rows: _LinkRows,
    hcol: IntArray,
    acol: IntArray,
) -> None:
    r"""Add :math:`v_r \le \sum_{k \in K_r} h_k + \sum_{j \in F_r} a_j` per frequent row.

    A sector reached by a frequent service has an open house in its row, or an open antenne
    in its row, and that antenne has an open house within :math:`L` (or a fixed one).
    :math:`K_r` holds the row's houses and every house within :math:`L` of one of its
    antennes that need a variable house; :math:`F_r` are the row's antennes with a fixed
    house within :math:`L`. Valid for every plan, and much tighter in the LP relaxation
    than the coverage and link rows alone, which let fractional antennes share one
    fractional house.
    """
    rows = link_rows.rows
    n_h = int(link_rows.link.shape[1])
    house_part = rows[:, :n_h]
    antenne_part = rows[:, n_h:]
    needs = link_rows.needs_house.astype(np.float64)
    linked = antenne_part @ sparse.diags(needs) @ link_rows.link
    behind = (house_part + linked).tocsr()
    behind.data[:] = 1.0
    free = (antenne_part @ sparse.diags(1.0 - needs)).tocsr()
    free.eliminate_zeros()
    has_antenne = np.diff((antenne_part @ sparse.diags(needs)).tocsr().indptr) > 0
    if not has_antenne.any():
        return
    matrix = sparse.hstack([behind, free], format="csr")[has_antenne]
    b.add_rows(
        _identity_minus(matrix),
        np.concatenate([link_rows.v_columns[has_antenne], hcol, acol]),
        upper=0.0,
    )


def _pad(matrix: sparse.csr_matrix, n_a: int) -> sparse.csr_matrix:
    """Extend a matrix over the house columns with zero antenne columns."""
    return sparse.hstack([matrix, sparse.csr_matrix((int(matrix.shape[0]), n_a))], format="csr")


def _add_assignment(
    b: MilpBuilder,
    instance: CoverageInstance,
    form: Form,
    roles: _Roles,
    hs: IntArray,
    hcol: IntArray,
) -> tuple[IntArray, IntArray, IntArray]:
    r"""Add the capacitated assignment :math:`x_{ij}` (only with capacities).

    Rows: :math:`\sum_j x_{ij} \le 1` (``= 1`` when every family must be served),
    :math:`\sum_i T_i x_{ij} \le C_j h_j` and :math:`x_{ij} \le h_j`.
    """
    empty = np.zeros(0, dtype=np.intp)
    if instance.capacity is None:
        return empty, empty, empty
    must_serve = form.cover_house or instance.rules.universal_floor
    alpha = instance.alpha if form.antennes else 1.0
    coverage = form.objective == "coverage" and alpha > 0
    if not (coverage or must_serve):
        return empty, empty, empty
    families = instance.family_counts()
    coef = alpha * instance.weight if form.objective == "coverage" else np.zeros_like(families)
    open_sites = np.flatnonzero(roles.house_fixed | roles.house_var)
    sectors = np.flatnonzero(families > 0)
    reach = instance.reach(instance.radius_house)[np.ix_(sectors, open_sites)]
    local_i, local_j = np.nonzero(reach)
    pair_sectors = sectors[local_i].astype(np.intp)
    pair_sites = open_sites[local_j].astype(np.intp)
    xcol = b.add_columns(pair_sectors.size, cost=coef[pair_sectors])
    # one row per sector with pairs: sum_j x_ij <= 1 (or = 1)
    served, row_of = np.unique(local_i, return_inverse=True)
    lower = 1.0 if must_serve else -np.inf
    b.add_triplets(row_of, xcol, np.ones(xcol.size), served.size, lower=lower, upper=1.0)
    # capacity rows: sum_i T_i x_ij - C_j h_j <= 0 (variable) or <= C_j (fixed)
    capacity = np.asarray(instance.capacity)
    col_of_h = np.full(instance.n_sites, -1, dtype=np.intp)
    col_of_h[hs] = hcol
    limited = np.flatnonzero(np.isfinite(capacity[open_sites]))
    if limited.size:
        row_of_site = np.full(open_sites.size, -1, dtype=np.intp)
        row_of_site[limited] = np.arange(limited.size)
        keep = row_of_site[local_j] >= 0
        rows = [row_of_site[local_j][keep]]
        cols = [xcol[keep]]
        vals = [families[pair_sectors][keep]]
        sites = open_sites[limited]
        variable = col_of_h[sites] >= 0
        rows.append(np.flatnonzero(variable))
        cols.append(col_of_h[sites[variable]])
        vals.append(-capacity[sites[variable]])
        upper = np.where(variable, 0.0, capacity[sites])
        b.add_triplets(
            np.concatenate(rows),
            np.concatenate(cols),
            np.concatenate(vals),
            limited.size,
            upper=upper,
        )
    # x_ij <= h_j for variable houses (a tighter LP than the capacity row alone)
    variable_pair = col_of_h[pair_sites] >= 0
    n = int(variable_pair.sum())
    if n:
        b.add_triplets(
            np.concatenate([np.arange(n), np.arange(n)]),
            np.concatenate([xcol[variable_pair], col_of_h[pair_sites[variable_pair]]]),
            np.concatenate([np.ones(n), -np.ones(n)]),
            n,
            upper=0.0,
        )
    return pair_sectors, pair_sites, xcol


def _add_cover_rows(  # noqa: PLR0913 (the pieces of one block)
    b: MilpBuilder,
    instance: CoverageInstance,
    form: Form,
    roles: _Roles,
    *,
    hs: IntArray,
    as_: IntArray,
    hcol: IntArray,
    acol: IntArray,
    blocks: _Blocks,
) -> int:
    r"""Add covering rows :math:`\sum_{j \in N(i)} y_j \ge 1` (set cover, universal floor).

    Sectors reached by a fixed site need no row; duplicate rows are added once. With
    capacities the house requirement is the assignment's :math:`\sum_j x_{ij} = 1` instead.
    """
    needs = instance.family_counts() > 0
    n_rows = 0
    house_rule = form.cover_house or instance.rules.universal_floor
    if house_rule and instance.capacity is None:
        reach = instance.reach(instance.radius_house)
        fixed = _rows_any(reach & roles.house_fixed[np.newaxis, :])
        n_rows += _add_unique_cover(b, _csr(reach[np.ix_(needs & ~fixed, hs)]), hcol, blocks)
    if form.cover_frequent:
        reach = instance.reach(instance.radius_frequent)
        fixed_open = roles.house_fixed | roles.antenne_fixed
        fixed = _rows_any(reach & fixed_open[np.newaxis, :])
        free = needs & ~fixed
        matrix = sparse.hstack(
            [_csr(reach[np.ix_(free, hs)]), _csr(reach[np.ix_(free, as_)])], format="csr"
        )
        n_rows += _add_unique_cover(b, matrix, np.concatenate([hcol, acol]), blocks)
    return n_rows


def _add_unique_cover(
    b: MilpBuilder, matrix: sparse.csr_matrix, cols: IntArray, blocks: _Blocks
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
    roles: _Roles,
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
    roles: _Roles,
    hcol: IntArray,
    acol: IntArray,
    blocks: _Blocks,
) -> None:
    r"""Add :math:`\text{min} - n_{\text{fixed}} \le \sum h_j \le \text{max} - n_{\text{fixed}}`."""
    rules = instance.rules
    rooms = []
    for cols, fixed, low, high in (
        (hcol, roles.house_fixed, rules.min_houses, _min_defined(rules.max_houses, form.p)),
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
    roles: _Roles,
    hs: IntArray,
    hcol: IntArray,
    blocks: _Blocks,
) -> int:
    r"""Add :math:`\sum_{j \in S_g} h_j \ge 1` for groups no fixed house serves."""
    n_rows = 0
    for rule in instance.rules.house_groups:
        served = _rows_any(rule.member & roles.house_fixed[np.newaxis, :])
        matrix = _csr(rule.member[np.ix_(~served, hs)])
        if matrix.shape[0]:
            b.add_rows(matrix, hcol, lower=1.0)
            blocks.require.append((_pad(matrix, blocks.n_a), np.ones(int(matrix.shape[0]))))
            n_rows += int(matrix.shape[0])
    return n_rows


def _add_spacing(
    b: MilpBuilder, instance: CoverageInstance, hs: IntArray, hcol: IntArray, blocks: _Blocks
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
    roles: _Roles,
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


def _most_spent(roles: _Roles, cost_h: FloatArray, cost_a: FloatArray) -> float:
    n = roles.house_var.size
    dearest = np.zeros(n)
    dearest[roles.house_var] = cost_h
    dearest[roles.antenne_var] = np.maximum(dearest[roles.antenne_var], cost_a)
    return float(dearest.sum())


# --------------------------------------------------------------------------- greedy start


def _greedy_start(
    model: MilpArrays,
    form: Form,
    roles: _Roles,
    cost_h: FloatArray,
    cost_a: FloatArray,
    hcol: IntArray,
    acol: IntArray,
    blocks: _Blocks,
) -> FloatArray | None:
    """Return a greedy plan as a full column vector, or None when it breaks a row.

    First the covering rows (universal floor, groups, set cover) are met at the lowest cost
    per newly met row; then, in coverage forms, sites are added by coverage gain per euro.
    Houses closer than the spacing to an open house, antennes without an open house within
    ``L``, sites over the remaining budget and roles at their maximum count are skipped.
    """
    n_h, n_a = blocks.n_h, blocks.n_a
    if n_h + n_a == 0:
        return None
    state = _GreedyState(
        cost=np.concatenate([cost_h, cost_a]),
        chosen=np.zeros(n_h + n_a, dtype=bool),
        site_of=np.concatenate(
            [np.flatnonzero(roles.house_var), np.flatnonzero(roles.antenne_var)]
        ),
        budget=roles.remaining if form.budget else np.inf,
    )
    _open_for_stranded(blocks, cost_h, state.chosen)
    state.spent = float(state.cost[state.chosen].sum())
    if blocks.require:
        _greedy_phase(blocks, state, blocks.require, per_euro=False)
    if form.objective == "coverage" and blocks.gain:
        _greedy_phase(blocks, state, blocks.gain, per_euro=True)
    return _start_vector(model, blocks, state.chosen, hcol, acol)


@dataclass
class _GreedyState:
    cost: FloatArray
    chosen: BoolArray
    site_of: IntArray
    budget: float
    spent: float = 0.0


def _greedy_phase(
    blocks: _Blocks,
    state: _GreedyState,
    rows: list[tuple[sparse.csr_matrix, FloatArray]],
    *,
    per_euro: bool,
) -> None:
    """Add sites one by one: best gain per euro, or lowest cost per unit of gain."""
    chosen = state.chosen
    gains = [(matrix.T.tocsr(), matrix.tocsc(), coef) for matrix, coef in rows]
    done = [np.asarray(matrix @ chosen.astype(float) > 0) for matrix, _ in rows]
    while True:
        gain = np.zeros(chosen.size)
        for (transposed, _, coef), met in zip(gains, done, strict=True):
            gain += transposed @ np.where(met, 0.0, coef)
        allowed = _greedy_allowed(blocks, state) & (gain > 1e-12)
        if not allowed.any():
            return
        if per_euro:
            pick = int(np.argmax(np.where(allowed, gain / np.maximum(state.cost, 1e-9), -np.inf)))
        else:
            pick = int(np.argmin(np.where(allowed, state.cost / np.maximum(gain, 1e-12), np.inf)))
        chosen[pick] = True
        state.spent += float(state.cost[pick])
        for (_, by_column, _), met in zip(gains, done, strict=True):
            met[by_column.indices[by_column.indptr[pick] : by_column.indptr[pick + 1]]] = True


def _open_for_stranded(blocks: _Blocks, cost_h: FloatArray, chosen: BoolArray) -> None:
    """Open the cheapest possible house for every fixed antenne that needs one."""
    if blocks.stranded is None:
        return
    for row in range(int(blocks.stranded.shape[0])):
        houses = blocks.stranded.indices[
            blocks.stranded.indptr[row] : blocks.stranded.indptr[row + 1]
        ]
        if houses.size and not chosen[houses].any():
            chosen[houses[np.argmin(cost_h[houses])]] = True


def _greedy_allowed(blocks: _Blocks, state: _GreedyState) -> BoolArray:
    n_h = blocks.n_h
    chosen = state.chosen
    allowed = ~chosen & (state.cost <= state.budget - state.spent + 1e-9)
    allowed &= ~np.isin(state.site_of, state.site_of[chosen])
    chosen_h = chosen[:n_h]
    if chosen_h.sum() >= blocks.room_h:
        allowed[:n_h] = False
    if chosen[n_h:].sum() >= blocks.room_a:
        allowed[n_h:] = False
    if blocks.close is not None and chosen_h.any():
        allowed[:n_h] &= ~np.asarray(blocks.close @ chosen_h.astype(float) > 0)
    if blocks.link is not None and blocks.n_a:
        has_house = np.asarray(blocks.link @ chosen_h.astype(float) > 0)
        needs = blocks.link_needed
        if needs is not None:
            allowed[n_h:] &= has_house | ~needs
    return allowed


def _start_vector(
    model: MilpArrays, blocks: _Blocks, chosen: BoolArray, hcol: IntArray, acol: IntArray
) -> FloatArray | None:
    x = np.zeros(model.n_cols)
    n_h = blocks.n_h
    x[hcol] = chosen[:n_h]
    x[acol] = chosen[n_h:]
    for matrix, cols in blocks.coverage:
        x[cols] = np.minimum(1.0, matrix @ chosen.astype(float))
    return x if feasible_start(model, x) else None


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
    instance: CoverageInstance,
    house: BoolArray,
    antenne: BoolArray,
    alpha: float | None = None,
) -> tuple[BoolArray, BoolArray, float]:
    r"""Recompute which sectors a plan covers, from the travel times.

    Parameters
    ----------
    instance
        The instance.
    house, antenne
        Open sites per role, shape (n_j,).
    alpha
        Weight of house coverage (default: the instance's).

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
    a = instance.alpha if alpha is None else alpha
    value = instance.weight @ (a * covered_house + (1.0 - a) * covered_frequent)
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


def plan_problems(
    instance: CoverageInstance,
    house: BoolArray,
    antenne: BoolArray,
    form: Form = MAX_COVERAGE,
    left_out: BoolArray | None = None,
) -> list[str]:
    """Check a plan against every rule of the model and of the instance's policy rules.

    Parameters
    ----------
    instance
        The instance.
    house, antenne
        Open sites per role, shape (n_j,).
    form
        The model the plan was made for (its budget, ``p`` and covering rules; in a
        houses-only form kept existing antennes need no link).
    left_out
        Sectors the covering rules do not apply to (``CoverageProblem.left_out``).

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
    if form.antennes:
        unlinked = antenne & (link_antennes(instance, house, antenne) < 0)
        if unlinked.any():
            problems.append(
                f"antennes {_shown(unlinked, label)} have no open house within "
                f"{instance.link_max:g} min"
            )
    elif (antenne & ~(instance.existing_antenne & instance.keep_existing)).any():
        problems.append(f"{form.name} places houses only, but the plan opens new antennes")
    cost = plan_cost(instance, house, antenne)
    if form.budget and cost > instance.budget + _BUDGET_SLACK * max(instance.budget, 1.0):
        problems.append(
            f"the plan costs EUR {cost:,.2f}, over the budget of EUR {instance.budget:,.2f}"
        )
    return problems + _plan_rule_problems(instance, house, antenne, form, left_out)


def _plan_rule_problems(
    instance: CoverageInstance,
    house: BoolArray,
    antenne: BoolArray,
    form: Form,
    left_out: BoolArray | None,
) -> list[str]:
    rules = instance.rules
    label = instance.site_label
    n = instance.n_sites
    problems: list[str] = []
    for role, required, is_open in (
        ("house", rules.house_required(n), house),
        ("antenne", rules.antenne_required(n), antenne),
    ):
        missing = required & ~is_open
        if missing.any():
            problems.append(f"required {role}s {_shown(missing, label)} are not open")
    n_h, n_a = int(house.sum()), int(antenne.sum())
    max_h = _min_defined(rules.max_houses, form.p)
    for what, count, low, high in (
        ("houses", n_h, rules.min_houses, max_h),
        ("antennes", n_a if form.antennes else 0, rules.min_antennes, rules.max_antennes),
    ):
        if (low is not None and count < low) or (high is not None and count > high):
            problems.append(f"the plan has {count} {what}, outside [{low}, {high}]")
    close = instance.too_close() & house[np.newaxis, :] & house[:, np.newaxis]
    if close.any():
        problems.append(
            f"houses {_shown(_rows_any(close), label)} are closer than "
            f"{instance.rules.house_spacing_min:g} min to another house"
        )
    for rule in rules.house_groups:
        unserved = ~_rows_any(rule.member & house[np.newaxis, :])
        if unserved.any():
            names = ", ".join(np.array(rule.groups)[unserved][:_SHOWN_IDS])
            problems.append(f"{rule.name}: groups {names} have no house")
    return problems + _plan_cover_problems(instance, house, antenne, form, left_out)


def _plan_cover_problems(
    instance: CoverageInstance,
    house: BoolArray,
    antenne: BoolArray,
    form: Form,
    left_out: BoolArray | None,
) -> list[str]:
    problems: list[str] = []
    needs = instance.family_counts() > 0
    if left_out is not None:
        needs &= ~left_out
    covered_house, covered_frequent, _ = plan_coverage(instance, house, antenne)
    missed = needs & ~covered_house
    if (form.cover_house or instance.rules.universal_floor) and missed.any():
        problems.append(f"sectors {_shown(missed, instance.sector_label)} have no house within R_H")
    missed = needs & ~covered_frequent
    if form.cover_frequent and missed.any():
        problems.append(
            f"sectors {_shown(missed, instance.sector_label)} have no house or antenne within R_A"
        )
    return problems


# --------------------------------------------------------------------------- solve


@dataclass(frozen=True, eq=False)
class CoverageSolution:
    r"""A plan of houses and antennes, with its coverage recomputed from the travel times.

    The same object describes the plan of every model of the catalogue (for the
    houses-only models ``antenne`` holds only kept existing antennes).

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
        recomputed from the plan with the instance's :math:`\alpha`, whatever the model (so
        that plans of different models compare); with capacities the house term counts the
        served share. ``figures["covered_weight"]`` holds :math:`\sum_i w_i [\text{house}_i]`
        (the MCLP objective).
    result : SolveResult
        What the solver proved (status, objective with the tie-break term, bound, gap).
    covered_house, covered_frequent : ndarray of bool, shape (n_i,)
        Sectors within the house / frequent-service standard of the plan.
    model : str
        The objective kind that made the plan.
    assign : ndarray of int64, shape (n_i,), or None
        The house each sector is assigned to (-1: none), for models that assign (p-median,
        capacities); None when sectors simply use their nearest house.
    served : ndarray, shape (n_i,), or None
        Share of each sector's families served by a house within :math:`R_H` (capacities);
        None when coverage is all or nothing.
    figures : dict
        Model-specific figures for the summary (e.g. ``p``, the weighted mean or the largest
        travel time of the assignment).
    load : ndarray, shape (n_j,), or None
        Families each house serves within :math:`R_H` (capacities); None otherwise.
    """

    house: BoolArray
    antenne: BoolArray
    link: NDArray[np.int64]
    cost: float
    coverage_objective: float
    result: SolveResult
    covered_house: BoolArray
    covered_frequent: BoolArray
    model: str = "max_coverage"
    assign: NDArray[np.int64] | None = None
    served: FloatArray | None = None
    figures: Mapping[str, float | int | None] = field(default_factory=dict)
    load: FloatArray | None = None


def solve_coverage(
    instance: CoverageInstance, solver: SolverSpec, *, skip_unreachable: bool = False
) -> CoverageSolution:
    """Build and solve the house + antenne coverage model, and read the plan back honestly.

    A budget too small for any new site is not an error: the plan keeps the existing sites.

    Parameters
    ----------
    instance
        The validated arrays and parameters (with capacities and rules when given).
    solver
        Which solver, time limit, gap tolerance, threads and log verbosity.
    skip_unreachable
        Under the universal floor, leave out sectors no allowed site can reach (instead of
        raising :class:`InfeasibleError`).

    Returns
    -------
    CoverageSolution
        The plan; ``solution.result`` says whether it is proven optimal.

    Raises
    ------
    InfeasibleError
        When the rules cannot all hold; the message names the rule.
    SolverUnavailableError
        When the solver is not installed.
    SolverError
        When the solver stops without a plan, fails, or returns a plan that breaks a rule.
    """
    form = dataclasses.replace(MAX_COVERAGE, skip_unreachable=skip_unreachable)
    return solve_form(instance, form, solver)


def solve_form(instance: CoverageInstance, form: Form, solver: SolverSpec) -> CoverageSolution:
    """Build and solve one member of the coverage family (see :class:`Form`).

    Parameters
    ----------
    instance
        The validated arrays and parameters.
    form
        Which model.
    solver
        Which solver, time limit, gap tolerance, threads and log verbosity.

    Returns
    -------
    CoverageSolution
        The plan, checked against every rule, with what the solver proved.

    Raises
    ------
    InfeasibleError
        When the rules cannot all hold; the message names the rule.
    SolverUnavailableError
        When the solver is not installed.
    SolverError
        When the solver stops without a plan, fails, or returns a plan that breaks a rule.
    """
    problem = build_coverage_problem(instance, form)
    result, x = _run_with_link_cuts(problem, solver)
    if result.status == "infeasible":
        if stopped_by_time_limit(result):
            raise SolverError(_no_plan_message(result, form.name))
        raise InfeasibleError(_infeasible_message(instance, problem, solver))
    if not result.has_plan or x is None:
        raise SolverError(_no_plan_message(result, form.name))
    return _read_plan(instance, problem, result, x)


def _run_with_link_cuts(
    problem: CoverageProblem, solver: SolverSpec
) -> tuple[SolveResult, FloatArray | None]:
    r"""Solve a problem, first tightening its LP relaxation with separated link cuts.

    With antennes that need a house, rounds of "LP relaxation, then the most violated link
    cut per frequent row" (:func:`_link_cuts`) run while the LP bound drops by more than
    :data:`_CUT_MIN_GAIN` (relative), at most :data:`_CUT_ROUNDS` rounds and
    :data:`_CUT_TIME_SHARE` of the time limit; the cuts are valid for every plan, so the
    MILP keeps the same plans and optimum. The time they take counts towards the time
    limit and the reported runtime.
    """
    model = problem.model
    data = problem.link_rows
    if data is None or not model.is_mip or model.sense != "max":
        return run_model(model, solver, start=problem.start)
    started = time.perf_counter()
    limit = solver.time_limit_s
    lp_spec = solver.model_copy(update={"msg": False})
    last: float | None = None
    rounds = added = 0
    for _ in range(_CUT_ROUNDS):
        if limit is not None:
            left = _CUT_TIME_SHARE * limit - (time.perf_counter() - started)
            if left <= 0:
                break
            lp_spec = lp_spec.model_copy(update={"time_limit_s": left})
        lp_result, lp = solve_lp(model, lp_spec)
        value = lp_result.objective
        if lp is None or value is None:
            break
        if last is not None and last - value <= _CUT_MIN_GAIN * max(1.0, abs(last)):
            break
        last = value
        cuts = _link_cuts(data, lp.x, problem.house_columns, problem.antenne_columns)
        if cuts is None:
            break
        model = _with_rows(model, cuts)
        rounds += 1
        added += int(cuts.shape[0])
    spent = time.perf_counter() - started
    mip_spec = solver
    if limit is not None:
        mip_spec = solver.model_copy(update={"time_limit_s": max(limit - spent, 1e-3 * limit)})
    result, x = run_model(model, mip_spec, start=problem.start)
    logger.info(f"Link cuts: {added:,} in {rounds} rounds ({spent:.1f} s)")
    result = dataclasses.replace(
        result,
        runtime_s=result.runtime_s + spent,
        time_limit_s=limit,
        options={**result.options, "time_limit_s": limit, "link_cuts": added},
    )
    return result, x


_CUT_ROUNDS: Final[int] = 8
_CUT_MIN_GAIN: Final[float] = 1e-4
_CUT_TIME_SHARE: Final[float] = 0.2
_CUT_VIOLATION: Final[float] = 1e-4
_CUT_ENUMERATED: Final[int] = 10


def _link_cuts(
    data: _LinkRows, x: FloatArray, hcol: IntArray, acol: IntArray
) -> sparse.csr_matrix | None:
    r"""Return the most violated link cut of every frequent row at LP point ``x``, or None.

    For a frequent row :math:`r` with houses :math:`H_r` and antennes :math:`A_r`, and any
    :math:`T \subseteq A_r` of antennes that need a variable house,

    .. math::

        v_r \le \sum_{k \in S} h_k + \sum_{j \in A_r \setminus T} a_j, \qquad
        S = H_r \cup \bigcup_{j \in T} \{k : e_{jk} \le L\}

    holds for every plan: a covered sector has an open house in :math:`H_r`, or an open
    antenne in :math:`A_r \setminus T`, or one in :math:`T` whose house lies in :math:`S`.
    :math:`T = \emptyset` is the coverage row itself. :math:`T` is chosen exactly among the
    (at most :data:`_CUT_ENUMERATED` largest) fractional antennes of the row.
    Rows are over the model's columns; each cut reads ``v_r - ... <= 0``.
    """
    n_h = hcol.size
    h = x[hcol]
    a = x[acol]
    v = x[data.v_columns]
    rows, link = data.rows, data.link
    triplets_r: list[IntArray] = []
    triplets_c: list[IntArray] = []
    triplets_v: list[FloatArray] = []
    n_cuts = 0
    for r in range(int(rows.shape[0])):
        sites = rows.indices[rows.indptr[r] : rows.indptr[r + 1]]
        houses = sites[sites < n_h]
        antennes = sites[sites >= n_h] - n_h
        movable = antennes[data.needs_house[antennes] & (a[antennes] > _CUT_VIOLATION)]
        if movable.size == 0 or v[r] <= float(h[houses].sum()) + _CUT_VIOLATION:
            continue
        movable = movable[np.argsort(-a[movable], kind="stable")][:_CUT_ENUMERATED]
        near = [link.indices[link.indptr[j] : link.indptr[j + 1]] for j in movable]
        local = np.unique(np.concatenate([houses, *near]))
        incidence = np.zeros((movable.size, local.size))
        for t, ks in enumerate(near):
            incidence[t, np.searchsorted(local, ks)] = 1.0
        base = np.isin(local, houses)
        masks = (np.arange(1 << movable.size)[:, np.newaxis] >> np.arange(movable.size)) & 1
        in_s = base[np.newaxis, :] | (masks @ incidence > 0)
        value = in_s @ h[local] + (1 - masks) @ a[movable]
        value += float(a[antennes].sum() - a[movable].sum())
        best = int(np.argmin(value))
        if v[r] <= value[best] + _CUT_VIOLATION:
            continue
        chosen = movable[masks[best] == 1]
        outside = np.setdiff1d(antennes, chosen)
        cols = np.concatenate([[data.v_columns[r]], hcol[local[in_s[best]]], acol[outside]])
        triplets_r.append(np.full(cols.size, n_cuts, dtype=np.intp))
        triplets_c.append(cols.astype(np.intp))
        triplets_v.append(np.concatenate([[1.0], -np.ones(cols.size - 1)]))
        n_cuts += 1
    if n_cuts == 0:
        return None
    return sparse.csr_matrix(
        (np.concatenate(triplets_v), (np.concatenate(triplets_r), np.concatenate(triplets_c))),
        shape=(n_cuts, x.size),
    )


def _with_rows(model: MilpArrays, rows: sparse.csr_matrix) -> MilpArrays:
    """Return the model with the rows ``rows @ x <= 0`` added."""
    n = int(rows.shape[0])
    return dataclasses.replace(
        model,
        A=sparse.vstack([model.A, rows], format="csc"),
        row_lower=np.concatenate([model.row_lower, np.full(n, -np.inf)]),
        row_upper=np.concatenate([model.row_upper, np.zeros(n)]),
    )


def run_model(
    model: MilpArrays, solver: SolverSpec, *, start: FloatArray | None = None
) -> tuple[SolveResult, FloatArray | None]:
    """Solve a model with :func:`planner.solve.solve_milp`, guarding two solver quirks.

    A model without columns needs no solver: its value is its offset, proven. HiGHS 1.16 may
    return the MIP start itself, labelled optimal, when presolve turns the start into a better
    plan (the reported primal bound then differs from the returned plan); such a run is
    repeated without the start.

    Parameters
    ----------
    model
        The arrays.
    solver
        Solver options.
    start
        A MIP start meeting every row, or None.

    Returns
    -------
    SolveResult
        What the solver proved.
    ndarray or None
        Column values when a plan exists.
    """
    if model.n_cols == 0:
        started = time.perf_counter()
        result = method_result(
            solver,
            objective=model.offset,
            bound=model.offset,
            runtime_s=time.perf_counter() - started,
            detail="no decision left: every site is fixed or out of reach",
            sense=model.sense,
        )
        return result, np.zeros(0)
    result, x = solve_milp(model, solver, start=start)
    suspicious = (
        start is not None
        and solver.name == "highs"
        and result.status == "optimal"
        and not result.proven_optimal
        and (result.gap or 0.0) > solver.mip_gap
    )
    if suspicious:
        logger.info("HiGHS returned its MIP start as optimal with a gap: solving again without it")
        result, x = solve_milp(model, solver)
    return result, x


def stopped_by_time_limit(result: SolveResult) -> bool:
    """Whether an "infeasible" verdict came when the time limit was (nearly) used up.

    CBC stopped by its time limit during preprocessing prints "Pre-processing says infeasible
    or unbounded": that proves nothing, so it is treated as a run stopped without a plan.

    Parameters
    ----------
    result
        The solver's result.

    Returns
    -------
    bool
        True when the run used at least 90 % of its time limit.
    """
    limit = result.time_limit_s
    return limit is not None and result.runtime_s >= 0.9 * limit


def _read_plan(
    instance: CoverageInstance, problem: CoverageProblem, result: SolveResult, x: FloatArray
) -> CoverageSolution:
    form = problem.form
    house = problem.house_fixed.copy()
    house[problem.house_sites] |= x[problem.house_columns] > _HALF
    antenne = problem.antenne_fixed | problem.antenne_carried
    antenne[problem.antenne_sites] |= x[problem.antenne_columns] > _HALF
    problems = plan_problems(instance, house, antenne, form, problem.left_out)
    served, assign, load, load_problems = _read_assignment(instance, problem, house, x)
    problems += load_problems
    if problems:
        raise SolverError(
            [f"{result.solver} returned a plan that breaks a rule: {p}" for p in problems]
        )
    covered_house, covered_frequent, value = plan_coverage(instance, house, antenne)
    house_share = covered_house.astype(np.float64) if served is None else served
    value += instance.alpha * float(instance.weight @ (house_share - covered_house))
    figures = _figures(instance, problem, house, served)
    figures["covered_weight"] = round(float(instance.weight @ house_share), 6)
    solution = CoverageSolution(
        house=_frozen(house),
        antenne=_frozen(antenne),
        link=_frozen(link_antennes(instance, house, antenne)),
        cost=plan_cost(instance, house, antenne),
        coverage_objective=value,
        result=result,
        covered_house=_frozen(covered_house),
        covered_frequent=_frozen(covered_frequent),
        model=form.name,
        assign=assign,
        served=served,
        figures=figures,
        load=load,
    )
    logger.info(
        f"Plan ({form.name}): {int(house.sum())} houses "
        f"({int((house & ~instance.existing_house).sum())} new), {int(antenne.sum())} antennes "
        f"({int((antenne & ~instance.existing_antenne).sum())} new), cost EUR "
        f"{solution.cost:,.0f}, coverage objective {value:,.3f} "
        f"({result.status}{'' if result.proven_optimal else ', not proven optimal'})"
    )
    return solution


def _read_assignment(
    instance: CoverageInstance, problem: CoverageProblem, house: BoolArray, x: FloatArray
) -> tuple[FloatArray | None, NDArray[np.int64] | None, FloatArray | None, list[str]]:
    """Return the served share and main house per sector, each house's load, and problems."""
    if instance.capacity is None:
        return None, None, None, []
    if problem.pair_columns.size == 0:
        if instance.reach(instance.radius_house)[:, house].any():
            return None, None, None, []  # no assignment in this model (house weight alpha = 0)
        n_i = instance.n_sectors  # no family within R_H of an open house: nobody is served
        none = np.full(n_i, -1, dtype=np.int64)
        return _frozen(np.zeros(n_i)), _frozen(none), _frozen(np.zeros(house.size)), []
    share = np.clip(x[problem.pair_columns], 0.0, 1.0)
    share[~house[problem.pair_sites]] = 0.0
    n_i = instance.n_sectors
    counts = np.bincount(problem.pair_sectors, weights=share, minlength=n_i)
    served: FloatArray = np.minimum(counts, 1.0).astype(np.float64)
    served[served < _LOAD_SLACK] = 0.0
    families = instance.family_counts()
    weights = share * families[problem.pair_sectors]
    load = np.bincount(problem.pair_sites, weights=weights, minlength=house.size).astype(float)
    capacity = np.asarray(instance.capacity)
    over = load > capacity * (1 + _LOAD_SLACK) + _LOAD_SLACK
    problems = []
    if over.any():
        problems.append(
            f"houses {_shown(over, instance.site_label)} serve more families than their capacity"
        )
    order = np.lexsort((problem.pair_sites, -share, problem.pair_sectors))
    assign = np.full(n_i, -1, dtype=np.int64)
    first = np.unique(problem.pair_sectors[order], return_index=True)[1]
    best = order[first]
    positive = share[best] > _LOAD_SLACK
    assign[problem.pair_sectors[best][positive]] = problem.pair_sites[best][positive]
    return _frozen(served), _frozen(assign), _frozen(load), problems


def _figures(
    instance: CoverageInstance,
    problem: CoverageProblem,
    house: BoolArray,
    served: FloatArray | None,
) -> dict[str, float | int | None]:
    form = problem.form
    figures: dict[str, float | int | None] = {
        "merged_sector_terms": problem.merged_sectors,
        "columns": problem.model.n_cols,
        "rows": problem.model.n_rows,
    }
    if form.p is not None:
        figures["p"] = form.p
    if form.skip_unreachable:
        lost = problem.left_out
        figures["unreachable_sectors"] = int(lost.sum())
        figures["unreachable_families"] = round(float(instance.family_counts()[lost].sum()), 3)
    if served is not None:
        families = instance.family_counts()
        total = float(families.sum())
        figures["families_served_share"] = (
            round(float(families @ served) / total, 6) if total > 0 else None
        )
        capacity = np.asarray(instance.capacity)
        open_cap = capacity[house]
        finite = np.isfinite(open_cap)
        figures["capacity_open"] = float(open_cap[finite].sum()) if finite.any() else None
    return figures


def _frozen(array: _A) -> _A:
    array.setflags(write=False)
    return array


# --------------------------------------------------------------------------- messages


def _infeasible_message(
    instance: CoverageInstance, problem: CoverageProblem, solver: SolverSpec
) -> list[str]:
    stranded = problem.antenne_fixed & ~_rows_any(instance.link_ok() & problem.house_fixed)
    messages = []
    if stranded.any() and problem.form.budget:
        messages.append(
            f"the existing antennes {_shown(stranded, instance.site_label)} must stay open "
            f"(keep_existing) and each needs a house within {instance.link_max:g} min, but the "
            f"budget of EUR {instance.budget:,.0f} cannot open houses for all of them: raise "
            "budget.amount_eur or standards.link_min, or set objective.keep_existing: false"
        )
    culprits = _diagnose(instance, problem.form, solver)
    active = [name for name, _ in _relaxations(instance, problem.form)]
    if culprits:
        messages.append(
            f"{problem.form.name}: the rules cannot all hold together; dropping any one of "
            f"{'; '.join(culprits)} would allow a plan: relax it"
        )
    elif not messages:
        listed = "; ".join(active) if active else "the kept existing sites and links"
        messages.append(
            f"{problem.form.name}: the solver proved that no plan meets all of: {listed}; "
            "relax some of them"
        )
    return messages


_Relaxation = tuple[str, Callable[[], tuple[CoverageInstance, Form]]]


def _relaxations(instance: CoverageInstance, form: Form) -> list[_Relaxation]:
    """Return the active rules, each with a way to build the problem without it."""
    out: list[_Relaxation] = []
    if form.budget and np.isfinite(instance.budget):
        out.append(
            (
                f"the budget (EUR {instance.budget:,.0f})",
                lambda: (dataclasses.replace(instance, budget=np.inf), form),
            )
        )
    if form.p is not None:
        out.append(
            (f"objective.p = {form.p}", lambda: (instance, dataclasses.replace(form, p=None)))
        )
    out += _rule_relaxations(instance, form)
    if instance.capacity is not None:
        out.append(
            (
                "the site capacities (objective.capacity_column)",
                lambda: (dataclasses.replace(instance, capacity=None), form),
            )
        )
    return out


def _rule_relaxations(instance: CoverageInstance, form: Form) -> list[_Relaxation]:
    rules = instance.rules

    def without(**changes: object) -> Callable[[], tuple[CoverageInstance, Form]]:
        return lambda: (
            dataclasses.replace(instance, rules=dataclasses.replace(rules, **changes)),  # type: ignore[arg-type]
            form,
        )

    out: list[_Relaxation] = []
    for name in ("min_houses", "max_houses", "min_antennes", "max_antennes"):
        value = getattr(rules, name)
        if value is not None:
            out.append((f"rules.{name} = {value}", without(**{name: None})))
    if rules.universal_floor:
        out.append(("rules.universal_floor", without(universal_floor=False)))
    if rules.house_spacing_min:
        out.append(
            (
                f"rules.house_spacing_min = {rules.house_spacing_min:g}",
                without(house_spacing_min=None),
            )
        )
    for index, rule in enumerate(rules.house_groups):
        rest = rules.house_groups[:index] + rules.house_groups[index + 1 :]
        out.append((rule.name, without(house_groups=rest)))
    if rules.any_required():
        out.append(
            (
                "the required sites (rules.required_houses / required_antennes)",
                without(required_house=None, required_antenne=None),
            )
        )
    return out


def _diagnose(instance: CoverageInstance, form: Form, solver: SolverSpec) -> list[str]:
    """Return the rules whose removal alone makes the problem feasible."""
    quick = solver.model_copy(
        update={
            "time_limit_s": min(solver.time_limit_s or _DIAGNOSE_SECONDS, _DIAGNOSE_SECONDS),
            "mip_gap": max(solver.mip_gap, 0.5),
        }
    )
    culprits = []
    for name, relax in _relaxations(instance, form):
        try:
            relaxed, relaxed_form = relax()
            problem = build_coverage_problem(relaxed, relaxed_form)
            result, _ = run_model(problem.model, quick, start=problem.start)
        except InfeasibleError:
            continue
        if result.has_plan:
            culprits.append(name)
    return culprits


def _no_plan_message(result: SolveResult, model: str) -> str:
    other = "highs" if result.solver == "cbc" else "cbc"
    if result.status in {"no_solution", "infeasible"}:
        return (
            f"{result.solver} stopped after {result.runtime_s:.1f} s ({result.detail}) before "
            f"finding any plan: raise solver.time_limit_s or try solver.name: {other}"
        )
    if result.status == "unbounded":
        return (
            f"{result.solver} reports the {model} model unbounded, which cannot happen for "
            "valid input: please report this as a bug"
        )
    return (
        f"{result.solver} failed ({result.detail or result.status}): try solver.name: {other}, "
        "or set solver.msg: true and run with --verbose to see the solver log"
    )
