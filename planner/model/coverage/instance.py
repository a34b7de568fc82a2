"""The coverage family's instance: its arrays and parameters, the model forms, their checks.

:class:`CoverageInstance` validates every array on construction and reports all problems at
once; :class:`Form` says which member of the family (max coverage, set cover, MCLP) to build.
The small helpers the other modules share (labels in messages, frozen arrays) live here too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar

import numpy as np
from numpy.typing import NDArray

from planner.errors import DataError
from planner.model.rules import PlanRules

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["MAX_COVERAGE", "CoverageInstance", "CoverageTarget", "Form"]

SHOWN_IDS: Final[int] = 5
BUDGET_SLACK: Final[float] = 1e-9

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.intp]
_A = TypeVar("_A", bound=NDArray[Any])
_Labeller = Callable[[int], str]


@dataclass(frozen=True, eq=False)
class CoverageTarget:
    r"""A target: at least ``share`` of a group's families within a standard.

    .. math:: \sum_{i \in G} T_i\,u_i \ge s \sum_{i \in G} T_i

    with :math:`u_i` the house coverage (:math:`R_H`) or, for ``frequent``, the house or
    antenne coverage (:math:`R_A`) of row :math:`i`.

    Attributes
    ----------
    name : str
        How messages name it, e.g. ``"objective.targets[0] (house, neediest_fifth, 95 %)"``.
    frequent : bool
        The frequent standard (house or antenne within :math:`R_A`) instead of the house one.
    member : ndarray of bool, shape (n_i,)
        The rows of the group.
    share : float
        :math:`s \in [0, 1]`.
    """

    name: str
    frequent: bool
    member: BoolArray
    share: float

    def __post_init__(self) -> None:
        member = np.asarray(self.member)
        if member.dtype != np.bool_ or member.ndim != 1:
            raise DataError(
                f"CoverageTarget {self.name}: member must be a 1-D boolean array, got dtype "
                f"{member.dtype} and shape {member.shape}"
            )
        if not 0.0 <= float(self.share) <= 1.0:
            raise DataError(f"CoverageTarget {self.name}: share must be in [0, 1]")
        frozen_member = np.array(member, dtype=np.bool_)
        frozen_member.setflags(write=False)
        object.__setattr__(self, "member", frozen_member)
        object.__setattr__(self, "share", float(self.share))


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
    targets : tuple of CoverageTarget
        Shares of groups of families the plan must reach (``min_cost_targets``).
    """

    name: str
    antennes: bool = True
    objective: Literal["coverage", "cost"] = "coverage"
    budget: bool = True
    cover_house: bool = False
    cover_frequent: bool = False
    p: int | None = None
    skip_unreachable: bool = False
    targets: tuple[CoverageTarget, ...] = ()


MAX_COVERAGE: Final[Form] = Form("max_coverage")
"""The default form: houses and antennes, maximise weighted coverage within the budget."""


@dataclass(frozen=True, eq=False)
class CoverageInstance:
    r"""Arrays and parameters of one coverage problem (sectors ``i``, sites ``j``).

    Arrays are copied and made read-only on construction; a float64 array that is already
    read-only is used as it is (no second copy of a large travel matrix).

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
            rows = rows_any(np.isnan(matrix))
            _bad(problems, name, rows, label, "has NaN travel times (use inf for no route)")
            rows = rows_any(matrix < 0)
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
    if array.dtype == np.float64 and not array.flags.writeable:
        return array  # nobody can change it through this reference: no copy needed
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


def ids_of(mask: BoolArray, label: _Labeller) -> str:
    index = np.flatnonzero(mask)
    shown = ", ".join(label(int(i)) for i in index[:SHOWN_IDS])
    more = f" and {index.size - SHOWN_IDS} more" if index.size > SHOWN_IDS else ""
    return f"{shown}{more}"


def _bad(problems: list[str], name: str, mask: BoolArray, label: _Labeller, what: str) -> None:
    if mask.any():
        rows = "entry" if mask.sum() == 1 else "entries"
        problems.append(
            f"CoverageInstance.{name}: {int(mask.sum())} {rows} {what} (at {ids_of(mask, label)})"
        )


def rows_any(mask: BoolArray) -> BoolArray:
    """Return, per row of a 2-D mask, whether any entry is true."""
    return np.asarray(np.any(mask, axis=1), dtype=np.bool_)


def min_defined(*values: int | None) -> int | None:
    defined = [value for value in values if value is not None]
    return min(defined) if defined else None


def frozen(array: _A) -> _A:
    array.setflags(write=False)
    return array
