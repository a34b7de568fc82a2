"""The two sides of the plan check: what the inputs say and what the plan claims.

:func:`read_truth` reads the raw inputs, the demand and the travel-time matrices into
:class:`Truth`; :func:`read_claim` reads the plan's tables (sites, sectors, links) into
:class:`Claim`, in the same site and sector order. :class:`Check` holds both, the plan's
summary and the problems found so far; :mod:`planner.results.check` and
:mod:`planner.results.check_rules` fill it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from planner.errors import PlanCheckError
from planner.optimise import row_ids

if TYPE_CHECKING:
    from collections.abc import Sequence

    from planner.data.inputs import Inputs
    from planner.demand import Demand
    from planner.results.plan import Plan
    from planner.scenario import Scenario
    from planner.travel.matrices import TravelTimes

__all__ = [
    "EURO_TOL",
    "FREE_TIE",
    "HOUSES_ONLY",
    "MINUTES_TOL",
    "REL_TOL",
    "SHARE_TOL",
    "SHOWN",
    "TIE_BREAK",
    "BoolArray",
    "Check",
    "Claim",
    "FloatArray",
    "IntArray",
    "Truth",
    "read_claim",
    "read_truth",
]

HOUSES_ONLY: Final[frozenset[str]] = frozenset({"set_cover_single", "mclp", "p_median", "p_center"})
"""Objective kinds that place houses only (kept existing antennes are carried along)."""

MINUTES_TOL: Final[float] = 1e-3  # tables round minutes to 3 decimals
SHARE_TOL: Final[float] = 2e-6  # shares are rounded to 6 decimals
EURO_TOL: Final[float] = 0.011  # the summary rounds euro to cents
REL_TOL: Final[float] = 1e-6
TIE_BREAK: Final[float] = 1e-3  # the coverage models' cost term is below 1e-3 of a coefficient
FREE_TIE: Final[float] = 1e-6  # the cover models price a free site at 1e-6 of the cheapest paid one
SHOWN: Final[int] = 5

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Truth:
    """What the raw inputs, the demand and the travel matrices say, in site and sector order."""

    site_ids: tuple[str, ...]
    names: tuple[str, ...]  # every site's name (its id when the file has none)
    sector_ids: tuple[str, ...]  # one per demand row: sector ids, or "<sector> point <k>"
    sector: IntArray  # the sector of each demand row
    n_sectors: int
    by_point: bool  # demand points (else one row per sector: the sector table holds the rows)
    existing_house: BoolArray
    existing_antenne: BoolArray
    forbidden: BoolArray
    can_house: BoolArray
    can_antenne: BoolArray
    cost_house: FloatArray
    cost_antenne: FloatArray
    capacity: FloatArray | None
    d: FloatArray
    e: FloatArray
    target: FloatArray
    weight: FloatArray
    neediest: BoolArray
    radius_house: FloatArray
    radius_frequent: FloatArray
    mode: IntArray | None = None  # the mode of each row, when rows are split by mode
    modes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Claim:
    """What the plan's tables say, in the same order."""

    house: BoolArray
    antenne: BoolArray
    cost: FloatArray
    link: IntArray
    link_min: FloatArray
    families_house: FloatArray
    site_house: IntArray
    site_frequent: IntArray
    tt_house: FloatArray
    tt_frequent: FloatArray
    covered_house: BoolArray
    covered_frequent: BoolArray
    served: FloatArray | None


@dataclass
class Check:
    """One plan check under way: both sides, the summary, and what was found and checked.

    Attributes
    ----------
    scenario : Scenario
        The plan's scenario.
    truth : Truth
        What the inputs say.
    claim : Claim
        What the plan's tables say.
    summary : dict
        The plan's summary.
    objective : float or None
        The solver's objective value.
    problems : list of str
        Every disagreement found so far.
    checked : list of str
        What has been verified so far.
    """

    scenario: Scenario
    truth: Truth
    claim: Claim
    summary: dict[str, Any]
    objective: float | None
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """The scenario's objective kind."""
        return self.scenario.objective.kind

    def required(self, key: str) -> BoolArray:
        """Return the sites listed in ``rules.<key>`` (required_houses / required_antennes)."""
        return named_sites(getattr(self.scenario.rules, key), self.truth.site_ids, self.truth.names)

    def require(self, mask: BoolArray, what: str, *, sites: bool = True) -> None:
        """Add a problem naming the sites (sectors) where ``mask`` is True."""
        if mask.any():
            listed = _listed(self.truth.site_ids if sites else self.truth.sector_ids, mask)
            self.problems.append(f"{what}: {listed}")

    def same(self, name: str, claimed: object, recomputed: float | None, tol: float) -> None:
        """Compare one figure of the summary with its recomputed value."""
        if recomputed is None or not np.isfinite(recomputed):
            if claimed is not None and not _nan(claimed):
                self.problems.append(f"{name}: the plan says {claimed}, recomputed: none")
            return
        if not isinstance(claimed, int | float) or isinstance(claimed, bool):
            self.problems.append(f"{name}: the plan says {claimed!r}, recomputed {recomputed:g}")
            return
        diff = abs(float(claimed) - recomputed)
        if diff > tol + REL_TOL * abs(recomputed):
            self.problems.append(
                f"{name}: the plan says {claimed:g}, recomputed {recomputed:g} "
                f"(off by {diff:.6g}, tolerance {tol:g})"
            )


def _listed(ids: tuple[str, ...], mask: BoolArray) -> str:
    """Name the first few ids where ``mask`` is True, and how many more there are."""
    shown = [ids[k] for k in np.flatnonzero(mask)]
    more = f" and {len(shown) - SHOWN} more" if len(shown) > SHOWN else ""
    return ", ".join(shown[:SHOWN]) + more


def _nan(value: object) -> bool:
    return isinstance(value, float) and np.isnan(value)


# --------------------------------------------------------------------------- reading


def _index(ids: pd.Series, order: dict[str, int]) -> IntArray:
    """Map site ids (None / NaN / empty = -1) to positions; unknown ids give -2."""
    out = np.full(len(ids), -1, dtype=np.int64)
    for k, value in enumerate(ids.to_numpy(dtype=object)):
        if value is None or pd.isna(value) or value == "":
            continue
        out[k] = order.get(str(value), -2)
    return out


def _flag(series: pd.Series) -> BoolArray:
    return series.fillna(value=False).to_numpy(dtype=bool)


def named_sites(listed: Sequence[str], ids: Sequence[str], names: Sequence[str]) -> BoolArray:
    """Return the sites a rule lists, by id or else by name (ignoring case and spaces).

    Parameters
    ----------
    listed
        Site ids or names as the scenario writes them.
    ids, names
        Every site's id and name, in site order.

    Returns
    -------
    ndarray of bool
        The listed sites (a name that matches nothing selects nothing).
    """
    id_array = np.array(ids, dtype=object)
    folded = np.array([str(name).strip().casefold() for name in names], dtype=object)
    out = np.zeros(len(id_array), dtype=bool)
    for entry in listed:
        hit = id_array == entry
        out |= hit if hit.any() else folded == entry.strip().casefold()
    return out


def read_truth(scenario: Scenario, inputs: Inputs, demand: Demand, travel: TravelTimes) -> Truth:
    """Read what the inputs, the demand and the travel matrices say.

    Parameters
    ----------
    scenario
        The plan's scenario (its capacity column).
    inputs
        The sectors and sites as read.
    demand
        Families, weights, the neediest fifth and the standards per demand row (a sector, or a
        demand point).
    travel
        The travel-time matrices the plan was made from.

    Returns
    -------
    Truth
        Site flags, costs and capacities, the matrices and the demand, in input order.
    """
    sites = inputs.sites
    existing = sites["existing_role"].astype(str).to_numpy()
    column = scenario.objective.capacity_column
    capacity = None
    if column is not None:
        raw = sites[column]
        values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        capacity = np.where(np.isnan(values), np.inf, values)
    ids = tuple(str(v) for v in sites["site_id"])
    names = (
        tuple(str(v) for v in sites["name"].astype("string").fillna(""))
        if "name" in sites.columns
        else ids
    )
    return Truth(
        site_ids=ids,
        names=names,
        sector_ids=row_ids(inputs, demand),
        sector=np.asarray(demand.sector, dtype=np.int64),
        n_sectors=len(inputs.sectors),
        by_point=demand.by_point,
        existing_house=existing == "house",
        existing_antenne=existing == "antenne",
        forbidden=_flag(sites["forbidden"])
        | named_sites(scenario.rules.forbidden_sites, ids, names),
        can_house=_flag(sites["can_house"]),
        can_antenne=_flag(sites["can_antenne"]),
        cost_house=sites["cost_house"].to_numpy(dtype=float),
        cost_antenne=sites["cost_antenne"].to_numpy(dtype=float),
        capacity=capacity,
        d=np.asarray(travel.sector_site, dtype=float),
        e=np.asarray(travel.site_site, dtype=float),
        target=np.asarray(demand.target, dtype=float),
        weight=np.asarray(demand.weight, dtype=float),
        neediest=np.asarray(demand.neediest, dtype=bool),
        radius_house=np.asarray(demand.radius_house, dtype=float),
        radius_frequent=np.asarray(demand.radius_frequent, dtype=float),
        mode=None if demand.mode is None else np.asarray(demand.mode, dtype=np.int64),
        modes=demand.modes,
    )


def _aligned(table: pd.DataFrame, key: str, ids: tuple[str, ...], what: str) -> pd.DataFrame:
    """Return ``table`` in the order of ``ids`` (matched on ``key``), or raise."""
    keys = table[key].astype(str)
    if sorted(keys) != sorted(ids) or keys.duplicated().any():
        missing = sorted(set(ids) - set(keys))[:SHOWN]
        extra = sorted(set(keys) - set(ids))[:SHOWN]
        raise PlanCheckError(
            f"plan check failed: the plan's {what} table does not hold the input's {what} "
            f"({len(table)} rows vs {len(ids)}; missing {missing}, unexpected {extra})"
        )
    return table.set_index(keys).loc[list(ids)].reset_index(drop=True)


def read_claim(plan: Plan, truth: Truth) -> Claim:
    """Read what the plan's tables say, in the order of ``truth``.

    Parameters
    ----------
    plan
        The plan (sites, sectors and links tables).
    truth
        What the inputs say (gives the site and sector order).

    Returns
    -------
    Claim
        Roles, costs, links, times, coverage flags and families served, per site and sector.

    Raises
    ------
    PlanCheckError
        When a table does not hold exactly the input's sites or sectors, or a role is unknown.
    """
    order = {site: j for j, site in enumerate(truth.site_ids)}
    sites = _aligned(
        pd.DataFrame(plan.sites.drop(columns="geometry")), "site_id", truth.site_ids, "sites"
    )
    by_point = truth.by_point and plan.points is not None
    rows = plan.points if by_point and plan.points is not None else plan.sectors
    sectors = _aligned(
        pd.DataFrame(rows.drop(columns="geometry")),
        "point_id" if by_point else "sector_id",
        truth.sector_ids,
        "demand points" if by_point else "sectors",
    )
    role = sites["role"].astype(str).to_numpy()
    bad = ~np.isin(role, ["house", "antenne", "closed"])
    if bad.any():
        raise PlanCheckError(
            f"plan check failed: sites have roles {sorted(set(role[bad]))}, expected house, "
            "antenne or closed"
        )
    served = None
    if "served_house_share" in sectors.columns:
        served = sectors["served_house_share"].to_numpy(dtype=float)
    return Claim(
        house=role == "house",
        antenne=role == "antenne",
        cost=sites["cost"].to_numpy(dtype=float),
        link=_index(sites["linked_house"], order),
        link_min=sites["link_min"].to_numpy(dtype=float),
        families_house=sites["families_house"].to_numpy(dtype=float),
        site_house=_index(sectors["site_house"], order),
        site_frequent=_index(sectors["site_frequent"], order),
        tt_house=sectors["tt_house_min"].to_numpy(dtype=float),
        tt_frequent=sectors["tt_frequent_min"].to_numpy(dtype=float),
        covered_house=_flag(sectors["covered_house"]),
        covered_frequent=_flag(sectors["covered_frequent"]),
        served=served,
    )
