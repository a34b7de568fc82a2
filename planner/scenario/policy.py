"""Typed policy: the ``rules`` section (by name and by place) and the ``colocation`` section.

``rules.house_in`` asks a house in a named group of sectors; ``colocation`` says which sites
share their place with a vindplaats (schools, childcare, consultatiebureaus, the Lokaal Loket
Kinderopvang) and what that is worth.

Kept apart from :mod:`planner.scenario.spec` so that each scenario module stays short; the
sections are re-exported by :mod:`planner.scenario`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from planner.scenario.base import NonNegFloat, PosFloat, _Spec

__all__ = [
    "COLOCATION_TYPES",
    "TARGET_GROUPS",
    "ColocationSpec",
    "ColocationType",
    "GroupRuleSpec",
    "HouseInSpec",
    "RulesSpec",
    "TargetGroup",
    "TargetSpec",
    "targets_problem",
]

ColocationType = Literal["school", "childcare", "consultatiebureau", "lokaal_loket"]
COLOCATION_TYPES: tuple[ColocationType, ...] = (
    "school",
    "childcare",
    "consultatiebureau",
    "lokaal_loket",
)
"""The services a site can share its place with (the vindplaatsen of Gent's plan)."""

_Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class GroupRuleSpec(_Spec):
    """At least one house per group of sectors (a wijk, a municipality)."""

    column: str = Field(
        description="Sector column naming each sector's group (e.g. wijk, municipality NIS code)."
    )
    serves: Literal["located", "reach"] = Field(
        "located",
        description="'located': a house serves a group when it lies in one of the group's "
        "sectors (a site column of the same name, when present, overrides the map); 'reach': "
        "when it is within the house standard R_H of at least one of the group's sectors with "
        "families.",
    )


class HouseInSpec(_Spec):
    """At least one house located in a sector with each of the named values of a sector column.

    ``{column: wijk, values: [Brugse Poort, Muide]}``: a house in Brugse Poort and a house in
    Muide (one house in a sector that has both values would serve both).
    """

    column: str = Field(description="Sector column holding the value (e.g. wijk).")
    values: tuple[_Name, ...] = Field(
        description="Values of that column, each of which gets a house located in one of its "
        "sectors (a site column of the same name, when present, overrides the map)."
    )

    @model_validator(mode="after")
    def _some_values(self) -> HouseInSpec:
        if not self.values:
            raise ValueError(
                f"rules.house_in for column '{self.column}' lists no values: name at least one "
                f"{self.column} that gets a house, or drop the rule"
            )
        return self


class ColocationSpec(_Spec):
    """Which sites share their place with a vindplaats, and what that is worth.

    A site is co-located with a type when its site column for that type is true (``columns``,
    by default ``is_<type>`` where the sites file has it, as ``planner data`` writes), or when
    a point of that type in ``data.services`` lies within ``within_m`` metres (straight line).
    """

    columns: dict[ColocationType, str] = Field(
        default_factory=dict,
        description="Site column (true/false) per type; default: is_<type> where present.",
    )
    service_type_column: str = Field(
        "type",
        description="Column of data.services naming each point's type (school, childcare, "
        "consultatiebureau, lokaal_loket; other values are ignored).",
    )
    within_m: NonNegFloat = Field(
        100.0,
        description="A site within this many metres of a service point counts as co-located.",
    )
    value_families: dict[ColocationType, NonNegFloat] = Field(
        default_factory=dict,
        description="Per type: a house co-located with it is worth as much as reaching this "
        "many more families (of average need) with the whole offer; an antenne, which offers "
        "only the frequent services, earns the frequent share (1 - alpha) of it. "
        "objective.kind max_coverage only.",
    )


class RulesSpec(_Spec):
    """Policy rules every plan must meet (constraints, for every objective kind)."""

    required_houses: tuple[str, ...] = Field(
        (), description="Site ids or names that must open as houses (new ones pay their cost)."
    )
    required_antennes: tuple[str, ...] = Field(
        (), description="Site ids or names that must open as antennes (max_coverage, set_cover)."
    )
    forbidden_sites: tuple[str, ...] = Field(
        (), description="Site ids or names that may never open (existing ones: they close)."
    )
    may_close: tuple[str, ...] = Field(
        (), description="Existing sites (ids or names) that may close, saving their running cost."
    )
    min_houses: Annotated[int, Field(ge=0)] | None = Field(
        None, description="At least this many houses (existing and required included)."
    )
    max_houses: Annotated[int, Field(ge=0)] | None = Field(
        None, description="At most this many houses (existing and required included)."
    )
    min_antennes: Annotated[int, Field(ge=0)] | None = Field(
        None, description="At least this many antennes (max_coverage and set_cover)."
    )
    max_antennes: Annotated[int, Field(ge=0)] | None = Field(
        None, description="At most this many antennes (max_coverage and set_cover)."
    )
    universal_floor: bool = Field(
        False, description="Every sector with families has a house within R_H."
    )
    house_spacing_min: PosFloat | None = Field(
        None, description="Two houses are at least this many minutes apart (site-to-site time)."
    )
    house_per_group: tuple[GroupRuleSpec, ...] = Field(
        (), description="At least one house per group, for each listed sector column."
    )
    house_in: tuple[HouseInSpec, ...] = Field(
        (), description="A house located in each named value of a sector column (wijk names)."
    )
    antennes_at: tuple[ColocationType, ...] = Field(
        (), description="New antennes only at sites co-located with one of these types."
    )
    house_consultatiebureau_min: PosFloat | None = Field(
        None,
        description="New houses only where a consultatiebureau is on site or a site with one "
        "is within this many minutes (site-to-site time).",
    )
    house_consultatiebureau_m: NonNegFloat | None = Field(
        None,
        description="New houses only where a consultatiebureau (site or service point) is on "
        "site or within this many metres (straight line).",
    )
    serve_within: str | None = Field(
        None,
        description="Sector and site column (municipality): families use only the sites "
        "of their own group; null: sites serve across borders.",
    )

    @model_validator(mode="after")
    def _ranges(self) -> RulesSpec:
        for low, high in (("min_houses", "max_houses"), ("min_antennes", "max_antennes")):
            lo, hi = getattr(self, low), getattr(self, high)
            if lo is not None and hi is not None and lo > hi:
                raise ValueError(f"rules.{low} ({lo}) is larger than rules.{high} ({hi})")
        both = set(self.required_houses) & set(self.required_antennes)
        if both:
            raise ValueError(
                f"sites {', '.join(sorted(both))} are required both as house and as antenne"
            )
        return self


TargetGroup = Literal[
    "all",
    "neediest_fifth",
    "quintile_1",
    "quintile_2",
    "quintile_3",
    "quintile_4",
    "quintile_5",
]
TARGET_GROUPS: tuple[TargetGroup, ...] = (
    "all",
    "neediest_fifth",
    "quintile_1",
    "quintile_2",
    "quintile_3",
    "quintile_4",
    "quintile_5",
)
"""The groups of families a target may name: everyone, the neediest fifth, a need quintile."""


class TargetSpec(_Spec):
    """One target of ``objective.kind: min_cost_targets``: a share of a group within a standard.

    ``{standard: house, group: neediest_fifth, share: 0.95}``: 95 % of the families of the
    neediest fifth within the house standard R_H. ``quintile_1`` is the neediest fifth too,
    ``quintile_5`` the least needy (sectors ranked by need index, as in the equity block).
    """

    standard: Literal["house", "frequent"] = Field(
        description="house: a house within R_H; frequent: a house or antenne within R_A."
    )
    group: TargetGroup = Field(
        "all",
        description="all families, the neediest_fifth, or quintile_1 (neediest) .. quintile_5.",
    )
    share: Annotated[float, Field(ge=0, le=1)] = Field(
        description="Share of the group's families (0..1) the plan must reach."
    )


def targets_problem(
    kind: str, targets: tuple[TargetSpec, ...], capacity_column: str | None
) -> str | None:
    """Return what is wrong with ``objective.targets`` for ``objective.kind``, or None.

    Parameters
    ----------
    kind
        ``objective.kind``.
    targets
        ``objective.targets``.
    capacity_column
        ``objective.capacity_column``.

    Returns
    -------
    str or None
        One line, or None when the targets fit the kind.
    """
    if kind != "min_cost_targets":
        if targets:
            return (
                f"objective.targets is only used by min_cost_targets, not {kind}: remove it "
                "or set objective.kind: min_cost_targets"
            )
        return None
    if not targets:
        return (
            "objective.kind min_cost_targets needs objective.targets, e.g. [{standard: house, "
            "group: all, share: 0.7}]"
        )
    if capacity_column is not None:
        return "min_cost_targets does not take capacities: remove objective.capacity_column"
    seen: set[tuple[str, str]] = set()
    for index, target in enumerate(targets):
        key = (target.standard, target.group)
        if key in seen:
            return (
                f"objective.targets[{index}] repeats {target.standard} / {target.group}: give "
                "each standard and group one share"
            )
        seen.add(key)
    return None
