r"""Policy rules as data: arrays over sites that every model turns into constraints.

The rules a council sets on top of the standards (DESIGN.md, "Policy rules as data"). They see
site indices only; the scenario adapter (:mod:`planner.optimise`) fills them from the scenario
file and the maps.

Rules, with :math:`h_j` open a house and :math:`a_j` open an antenne:

required sites
    :math:`h_j = 1` for :math:`j \in \text{required\_house}`, :math:`a_j = 1` for
    :math:`j \in \text{required\_antenne}` (new sites the council has decided on; unlike
    existing sites they pay their cost).
counts
    :math:`H_{\min} \le \sum_j h_j \le H_{\max}`, :math:`A_{\min} \le \sum_j a_j \le A_{\max}`
    (kept existing and required sites included).
universal floor
    :math:`\sum_{j:\, d_{ij} \le R_H(i)} h_j \ge 1` for every sector with families: nobody is
    left without a house within the house standard.
a house per group
    :math:`\sum_{j \in S_g} h_j \ge 1` for every group :math:`g` (a wijk, a municipality),
    where :math:`S_g` are the sites that *serve* the group (see :class:`GroupRule`).
spacing
    :math:`h_j + h_k \le 1` when :math:`\min(e_{jk}, e_{kj}) < s`: two houses at least
    :math:`s` minutes apart.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from planner.errors import DataError
from planner.model.base import is_count

__all__ = ["GroupRule", "PlanRules"]

BoolArray = NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class GroupRule:
    r"""At least one house in every group of a partition (wijken, municipalities).

    Attributes
    ----------
    name : str
        How the rule is named in messages, e.g. ``"rules.house_per_group[0] (wijk)"``.
    groups : tuple of str
        The group labels, one per row of ``member``.
    member : ndarray of bool, shape (n_groups, n_j)
        ``member[g, j]``: a house at site ``j`` serves group ``g`` (the set :math:`S_g`).
    """

    name: str
    groups: tuple[str, ...]
    member: BoolArray

    def __post_init__(self) -> None:
        member = np.asarray(self.member)
        if member.dtype != np.bool_ or member.ndim != 2 or member.shape[0] != len(self.groups):
            raise DataError(
                f"GroupRule {self.name}: member must be a boolean array of shape "
                f"({len(self.groups)}, n_sites), got dtype {member.dtype} and shape {member.shape}"
            )
        frozen = np.array(member, dtype=np.bool_)
        frozen.setflags(write=False)
        object.__setattr__(self, "member", frozen)
        object.__setattr__(self, "groups", tuple(str(g) for g in self.groups))


@dataclass(frozen=True, eq=False)
class PlanRules:
    """Policy rules of one problem, over its sites.

    Attributes
    ----------
    required_house, required_antenne : ndarray of bool, shape (n_j,), or None
        Sites that must open in that role (None: none).
    min_houses, max_houses, min_antennes, max_antennes : int or None
        Bounds on the number of open sites per role (None: no bound); numpy integers are
        accepted and stored as ``int``.
    universal_floor : bool
        Every sector with families has a house within :math:`R_H(i)`.
    house_spacing_min : float or None
        Minimum minutes between two houses (None: no rule).
    house_groups : tuple of GroupRule
        At least one house per group, for each rule.
    """

    required_house: BoolArray | None = None
    required_antenne: BoolArray | None = None
    min_houses: int | None = None
    max_houses: int | None = None
    min_antennes: int | None = None
    max_antennes: int | None = None
    universal_floor: bool = False
    house_spacing_min: float | None = None
    house_groups: tuple[GroupRule, ...] = field(default=())

    def __post_init__(self) -> None:
        problems: list[str] = []
        for low, high in (("min_houses", "max_houses"), ("min_antennes", "max_antennes")):
            for name in (low, high):
                value = getattr(self, name)
                if value is None:
                    continue
                if not is_count(value) or value < 0:
                    problems.append(f"PlanRules.{name}: expected a count >= 0, got {value!r}")
                else:  # numpy integers are counts too; stored as int
                    object.__setattr__(self, name, int(value))
            lo, hi = getattr(self, low), getattr(self, high)
            if is_count(lo) and is_count(hi) and lo > hi:
                problems.append(
                    f"rules.{low} ({lo}) is larger than rules.{high} ({hi}): no plan can meet both"
                )
        spacing = self.house_spacing_min
        if spacing is not None and not (np.isfinite(spacing) and spacing >= 0):
            problems.append(f"PlanRules.house_spacing_min: expected minutes >= 0, got {spacing!r}")
        if problems:
            raise DataError(problems)

    @property
    def active(self) -> bool:
        """Whether any rule restricts the plan."""
        return bool(
            self.any_required()
            or self.counts_set()
            or self.universal_floor
            or self.house_spacing_min
            or self.house_groups
        )

    def any_required(self) -> bool:
        """Whether any site is required open."""
        return any(
            mask is not None and bool(np.any(mask))
            for mask in (self.required_house, self.required_antenne)
        )

    def counts_set(self) -> bool:
        """Whether any count bound is set."""
        return any(
            value is not None
            for value in (self.min_houses, self.max_houses, self.min_antennes, self.max_antennes)
        )

    def checked(self, n_sites: int, problems: list[str]) -> PlanRules:
        """Return the rules with site arrays of the right shape, adding problems otherwise.

        Parameters
        ----------
        n_sites
            Number of sites of the instance.
        problems
            Collected problem messages (appended to).

        Returns
        -------
        PlanRules
            The same rules with read-only boolean site arrays (zeros where None).
        """
        arrays: dict[str, Any] = {}
        for name in ("required_house", "required_antenne"):
            value = getattr(self, name)
            mask = np.zeros(n_sites, dtype=bool) if value is None else np.asarray(value)
            if mask.dtype != np.bool_ or mask.shape != (n_sites,):
                problems.append(
                    f"PlanRules.{name}: expected a boolean array of shape ({n_sites},), got "
                    f"dtype {mask.dtype} and shape {mask.shape}"
                )
                mask = np.zeros(n_sites, dtype=bool)
            frozen = np.array(mask, dtype=np.bool_)
            frozen.setflags(write=False)
            arrays[name] = frozen
        problems.extend(
            f"GroupRule {rule.name}: member has {rule.member.shape[1]} columns, expected "
            f"{n_sites} (one per site)"
            for rule in self.house_groups
            if rule.member.shape[1] != n_sites
        )
        both = arrays["required_house"] & arrays["required_antenne"]
        if both.any():
            problems.append(
                f"{int(both.sum())} sites are required both as house and as antenne: a site has "
                "one role; remove them from rules.required_houses or rules.required_antennes"
            )
        return dataclasses.replace(
            self,
            required_house=arrays["required_house"],
            required_antenne=arrays["required_antenne"],
        )

    def house_required(self, n_sites: int) -> BoolArray:
        """Return the required-house mask (zeros when None)."""
        if self.required_house is None:
            return np.zeros(n_sites, dtype=bool)
        return np.asarray(self.required_house, dtype=bool)

    def antenne_required(self, n_sites: int) -> BoolArray:
        """Return the required-antenne mask (zeros when None)."""
        if self.required_antenne is None:
            return np.zeros(n_sites, dtype=bool)
        return np.asarray(self.required_antenne, dtype=bool)
