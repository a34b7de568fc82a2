r"""An independent check of every plan: recompute what it claims, fail loudly on disagreement.

The models (:mod:`planner.model`) check their own answer against their own arrays; this module
does not trust that. After every solve it rereads the plan's tables (sites, sectors, links)
and its summary, and recomputes each figure from the raw inputs (site flags and costs, the
scenario's budget, standards and rules), the demand (families, weights, standards per sector)
and the travel-time matrices, never from the model's variables:

- **sites**: roles are house / antenne / closed; forbidden sites are closed; a house (antenne)
  only where the site may host one or already is one; existing sites kept in their role under
  ``keep_existing``; houses-only models (``set_cover_single``, ``mclp``, ``p_median``,
  ``p_center``) open no new antenne;
- **budget**: each site's cost (:math:`c^H_j` for a new house, :math:`c^A_j` for a new
  antenne, nothing for an existing site in its own role), their sum equal to the summary's
  cost, and within the budget :math:`B` for ``max_coverage``;
- **links**: every antenne linked to an open house :math:`k` with :math:`e_{jk} \le L`, the
  nearest one, with the minutes of :math:`e_{jk}`, and the links layer saying the same;
- **sectors**: the time to the sector's house (the nearest open house, or the assigned one for
  models that assign) and to the nearest house or antenne, the covered flags
  :math:`t_i \le R(i)`, the families each house serves;
- **figures**: counts of houses and antennes (new ones too), families, coverage shares of all
  families and of the neediest fifth, the coverage objective
  :math:`\sum_i w_i (\alpha u_i + (1-\alpha) v_i)`, and the solver's objective per kind
  (coverage minus the tie-break term, the cost, :math:`\sum_i w_i d_i`, :math:`\max_i d_i`);
- **capacities**: no house serves more than :math:`C_j` families, closed sites serve none,
  the families served add up;
- **rules**: required sites open, counts within their bounds (and :math:`p`), the universal
  floor and the covering rules of the set-cover kinds, one house per group, the spacing.

A disagreement raises :class:`planner.errors.PlanCheckError` naming what disagreed and by how
much; the CLI reports it as an internal error (exit code 3).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from planner.errors import PlanCheckError

if TYPE_CHECKING:
    from planner.data.inputs import Inputs
    from planner.demand import Demand
    from planner.results.plan import Plan
    from planner.scenario import GroupRuleSpec, Scenario
    from planner.travel.matrices import TravelTimes

__all__ = ["HOUSES_ONLY", "check_plan"]

logger = logging.getLogger(__name__)

HOUSES_ONLY: Final[frozenset[str]] = frozenset({"set_cover_single", "mclp", "p_median", "p_center"})
"""Objective kinds that place houses only (kept existing antennes are carried along)."""

_MINUTES_TOL: Final[float] = 1e-3  # tables round minutes to 3 decimals
_SHARE_TOL: Final[float] = 2e-6  # shares are rounded to 6 decimals
_EURO_TOL: Final[float] = 0.011  # the summary rounds euro to cents
_REL_TOL: Final[float] = 1e-6
_TIE_BREAK: Final[float] = 1e-3  # the coverage models' cost term is below 1e-3 of a coefficient
_FREE_TIE: Final[float] = (
    1e-6  # the cover models price a free site at 1e-6 of the cheapest paid one
)
_SHOWN: Final[int] = 5

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class _Truth:
    """What the raw inputs, the demand and the travel matrices say, in site and sector order."""

    site_ids: tuple[str, ...]
    sector_ids: tuple[str, ...]
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


@dataclass(frozen=True)
class _Claim:
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
class _Check:
    scenario: Scenario
    truth: _Truth
    claim: _Claim
    summary: dict[str, Any]
    objective: float | None
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.scenario.objective.kind

    def site_list(self, mask: BoolArray) -> str:
        ids = [self.truth.site_ids[j] for j in np.flatnonzero(mask)]
        more = f" and {len(ids) - _SHOWN} more" if len(ids) > _SHOWN else ""
        return ", ".join(ids[:_SHOWN]) + more

    def sector_list(self, mask: BoolArray) -> str:
        ids = [self.truth.sector_ids[i] for i in np.flatnonzero(mask)]
        more = f" and {len(ids) - _SHOWN} more" if len(ids) > _SHOWN else ""
        return ", ".join(ids[:_SHOWN]) + more

    def required(self, key: str) -> BoolArray:
        """Return the sites listed in ``rules.<key>`` (required_houses / required_antennes)."""
        listed = list(getattr(self.scenario.rules, key))
        return np.isin(np.array(self.truth.site_ids, dtype=object), listed)

    def require(self, mask: BoolArray, what: str, *, sites: bool = True) -> None:
        """Add a problem naming the sites (sectors) where ``mask`` is True."""
        if mask.any():
            listed = self.site_list(mask) if sites else self.sector_list(mask)
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
        if diff > tol + _REL_TOL * abs(recomputed):
            self.problems.append(
                f"{name}: the plan says {claimed:g}, recomputed {recomputed:g} "
                f"(off by {diff:.6g}, tolerance {tol:g})"
            )


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


def _truth(scenario: Scenario, inputs: Inputs, demand: Demand, travel: TravelTimes) -> _Truth:
    sites = inputs.sites
    existing = sites["existing_role"].astype(str).to_numpy()
    column = scenario.objective.capacity_column
    capacity = None
    if column is not None:
        raw = sites[column]
        values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        capacity = np.where(np.isnan(values), np.inf, values)
    return _Truth(
        site_ids=tuple(str(v) for v in sites["site_id"]),
        sector_ids=tuple(str(v) for v in inputs.sectors["sector_id"]),
        existing_house=existing == "house",
        existing_antenne=existing == "antenne",
        forbidden=_flag(sites["forbidden"]),
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
    )


def _aligned(table: pd.DataFrame, key: str, ids: tuple[str, ...], what: str) -> pd.DataFrame:
    """Return ``table`` in the order of ``ids`` (matched on ``key``), or raise."""
    keys = table[key].astype(str)
    if sorted(keys) != sorted(ids) or keys.duplicated().any():
        missing = sorted(set(ids) - set(keys))[:_SHOWN]
        extra = sorted(set(keys) - set(ids))[:_SHOWN]
        raise PlanCheckError(
            f"plan check failed: the plan's {what} table does not hold the input's {what} "
            f"({len(table)} rows vs {len(ids)}; missing {missing}, unexpected {extra})"
        )
    return table.set_index(keys).loc[list(ids)].reset_index(drop=True)


def _claim(plan: Plan, truth: _Truth) -> _Claim:
    order = {site: j for j, site in enumerate(truth.site_ids)}
    sites = _aligned(
        pd.DataFrame(plan.sites.drop(columns="geometry")), "site_id", truth.site_ids, "sites"
    )
    sectors = _aligned(
        pd.DataFrame(plan.sectors.drop(columns="geometry")),
        "sector_id",
        truth.sector_ids,
        "sectors",
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
    return _Claim(
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


# --------------------------------------------------------------------------- checks


def _check_sites(c: _Check) -> None:
    t, p = c.truth, c.claim
    c.require(t.forbidden & (p.house | p.antenne), "forbidden sites are open")
    c.require(p.house & ~(t.can_house | t.existing_house), "houses on sites that may not host one")
    c.require(
        p.antenne & ~(t.can_antenne | t.existing_antenne), "antennes on sites that may not host one"
    )
    if c.scenario.objective.keep_existing:
        c.require(t.existing_house & ~p.house, "existing houses not kept (keep_existing)")
        c.require(t.existing_antenne & ~p.antenne, "existing antennes not kept (keep_existing)")
    if c.kind in HOUSES_ONLY:
        c.require(p.antenne & ~t.existing_antenne, f"{c.kind} places houses only, new antennes")
    c.checked.append("sites")


def _site_costs(c: _Check) -> FloatArray:
    t, p = c.truth, c.claim
    return np.where(
        p.house & ~t.existing_house,
        t.cost_house,
        np.where(p.antenne & ~t.existing_antenne, t.cost_antenne, 0.0),
    )


def _check_budget(c: _Check) -> None:
    cost = _site_costs(c)
    diff = np.nan_to_num(c.claim.cost, nan=np.inf) - cost
    off = np.abs(diff) > _EURO_TOL
    c.require(off, f"site costs differ from the input costs (by up to EUR {_largest(diff[off])})")
    total = float(cost.sum())
    c.same("cost (EUR)", c.summary.get("cost"), total, _EURO_TOL)
    budget = c.scenario.budget.amount_eur
    if c.kind == "max_coverage" and total > budget * (1 + 1e-9) + _EURO_TOL:
        c.problems.append(
            f"the plan costs EUR {total:,.2f}, over the budget of EUR {budget:,.2f} "
            f"(by EUR {total - budget:,.2f})"
        )
    c.checked.append("budget")


def _check_links(c: _Check, plan: Plan) -> None:
    t, p = c.truth, c.claim
    limit = c.scenario.standards.link_min
    link = p.link
    c.require(link == -2, "antennes linked to an unknown site id")
    c.require(~p.antenne & (link != -1), "sites that are no antenne have a linked house")
    linked = p.antenne & (link >= 0)
    if c.kind not in HOUSES_ONLY:  # houses-only models carry kept antennes without a link
        c.require(p.antenne & (link < 0), "antennes without a linked house")
    rows = np.flatnonzero(linked)
    houses = link[rows]
    to_closed = np.zeros_like(linked)
    to_closed[rows] = ~p.house[houses]
    c.require(to_closed, "antennes linked to a site that is not an open house")
    minutes = np.full(link.size, np.nan)
    minutes[rows] = t.e[rows, houses]
    too_far = np.zeros_like(linked)
    too_far[rows] = ~(minutes[rows] <= limit)
    c.require(too_far, f"antennes linked to a house beyond the link standard L = {limit:g} min")
    off = np.zeros_like(linked)
    off[rows] = np.abs(p.link_min[rows] - minutes[rows]) > _MINUTES_TOL
    c.require(off, "link minutes differ from the site-to-site travel time")
    nearest = np.where(p.house[np.newaxis, :], t.e[rows], np.inf)
    best = nearest.min(axis=1) if rows.size else np.zeros(0)
    farther = np.zeros_like(linked)
    farther[rows] = minutes[rows] > best + _MINUTES_TOL
    c.require(farther, "antennes not linked to their nearest open house")
    links = plan.links
    pairs = {(str(a), str(h)) for a, h in zip(links["antenne_id"], links["house_id"], strict=True)}
    expected = {(t.site_ids[j], t.site_ids[k]) for j, k in zip(rows, houses, strict=True)}
    if pairs != expected or len(links) != len(expected):
        c.problems.append(
            f"the links layer ({len(links)} lines) differs from the sites' linked houses "
            f"({len(expected)}): {sorted(pairs ^ expected)[:_SHOWN]}"
        )
    c.checked.append("links")


def _nearest(d: FloatArray, is_open: BoolArray) -> FloatArray:
    if not is_open.any():
        return np.full(d.shape[0], np.inf)
    return np.asarray(np.where(is_open[np.newaxis, :], d, np.inf).min(axis=1), dtype=float)


def _assigns(c: _Check) -> bool:
    """Whether sectors may be assigned to a house other than the nearest open one."""
    return c.truth.capacity is not None or c.kind in {"p_median", "p_center"}


def _check_sector_times(c: _Check) -> FloatArray:
    """Check times and covered flags; return each sector's time to its house."""
    t, p = c.truth, c.claim
    n_i = t.d.shape[0]
    c.require(p.site_house == -2, "sectors name an unknown house", sites=False)
    has = p.site_house >= 0
    c.require(
        has & ~p.house[np.maximum(p.site_house, 0)], "sectors use a closed house", sites=False
    )
    tt_house = np.where(has, t.d[np.arange(n_i), np.maximum(p.site_house, 0)], np.inf)
    nearest_house = _nearest(t.d, p.house)
    if not _assigns(c):
        c.require(
            tt_house > nearest_house + _MINUTES_TOL,
            "sectors not at their nearest house",
            sites=False,
        )
    c.require(
        ~has & np.isfinite(nearest_house),
        "sectors without a house though one is reachable",
        sites=False,
    )
    tt_frequent = _nearest(t.d, p.house | p.antenne)
    for name, claimed, recomputed in (
        ("house", p.tt_house, tt_house),
        ("frequent", p.tt_frequent, tt_frequent),
    ):
        wrong = _differ(claimed, recomputed)
        by = _largest(claimed[wrong] - recomputed[wrong])
        c.require(wrong, f"travel time to the {name} differs (by up to {by} min)", sites=False)
    c.require(
        p.covered_house != (tt_house <= t.radius_house),
        "covered_house flags are wrong",
        sites=False,
    )
    c.require(
        p.covered_frequent != (tt_frequent <= t.radius_frequent),
        "covered_frequent flags are wrong",
        sites=False,
    )
    freq_has = p.site_frequent >= 0
    freq_ok = np.where(
        freq_has,
        (p.house | p.antenne)[np.maximum(p.site_frequent, 0)]
        & (t.d[np.arange(n_i), np.maximum(p.site_frequent, 0)] <= tt_frequent + _MINUTES_TOL),
        ~np.isfinite(tt_frequent),
    )
    c.require(~freq_ok, "sectors' nearest house or antenne is wrong", sites=False)
    c.checked.append("sector travel times and covered flags")
    return tt_house


def _largest(diff: FloatArray) -> str:
    """Return the largest absolute difference as text, for messages."""
    finite = np.abs(diff[~np.isnan(diff)])
    return f"{float(finite.max()):.6g}" if finite.size else "n/a"


def _differ(claimed: FloatArray, recomputed: FloatArray) -> BoolArray:
    both_inf = ~np.isfinite(recomputed) & (np.isnan(claimed) | np.isinf(claimed))
    with np.errstate(invalid="ignore"):  # inf - inf
        close = np.abs(claimed - recomputed) <= _MINUTES_TOL
    return ~(both_inf | close)


def _house_share(c: _Check) -> FloatArray:
    """Share of each sector's families with a house: served share with capacities, else 0/1."""
    if c.claim.served is not None:
        return np.nan_to_num(c.claim.served)
    return c.claim.covered_house.astype(float)


def _house_term(c: _Check) -> FloatArray:
    """House term of the coverage objective: served share, else *any* open house within R_H.

    With an assignment (p-median with capacities) a sector may use a house beyond R_H while
    another open house is within it: its ``covered_house`` flag follows the assignment, the
    coverage objective counts the house within reach.
    """
    if c.claim.served is not None:
        return np.nan_to_num(c.claim.served)
    t = c.truth
    within = (t.d <= t.radius_house[:, np.newaxis]) & c.claim.house[np.newaxis, :]
    return np.asarray(within.any(axis=1), dtype=float)


def _share(target: FloatArray, value: FloatArray, mask: BoolArray | None = None) -> float | None:
    if mask is not None:
        target, value = target[mask], value[mask]
    total = float(target.sum())
    return float(target @ value) / total if total > 0 else None


def _check_figures(c: _Check) -> None:
    t, p, s = c.truth, c.claim, c.summary
    new_h = p.house & ~t.existing_house
    new_a = p.antenne & ~t.existing_antenne
    for name, count in (
        ("houses", int(p.house.sum())),
        ("houses_new", int(new_h.sum())),
        ("antennes", int(p.antenne.sum())),
        ("antennes_new", int(new_a.sum())),
        ("sectors", len(t.sector_ids)),
    ):
        if s.get(name) != count:
            c.problems.append(f"{name}: the plan says {s.get(name)}, recomputed {count}")
    c.same("target_population", s.get("target_population"), float(t.target.sum()), 0.01)
    house = _house_share(c)
    frequent = p.covered_frequent.astype(float)
    coverage = s.get("coverage", {})
    for name, share, mask in (
        ("house", house, None),
        ("frequent", frequent, None),
        ("house_neediest_quintile", house, t.neediest),
        ("frequent_neediest_quintile", frequent, t.neediest),
    ):
        c.same(f"coverage.{name}", coverage.get(name), _share(t.target, share, mask), _SHARE_TOL)
    alpha = c.scenario.objective.alpha
    value = float(t.weight @ (alpha * _house_term(c) + (1 - alpha) * frequent))
    tol = _SHARE_TOL * max(1.0, float(t.weight.sum()))  # served shares rounded to 6 decimals
    c.same("coverage_objective", s.get("coverage_objective"), value, tol)
    c.checked.append("counts and coverage shares")


def _check_capacity(c: _Check, tt_house: FloatArray) -> None:
    t, p = c.truth, c.claim
    load = np.nan_to_num(p.families_house)
    c.require(~p.house & (load > _SHARE_TOL), "closed sites serve families")
    if p.served is not None:
        served = np.nan_to_num(p.served)
        c.require(
            (served < -_SHARE_TOL) | (served > 1 + _SHARE_TOL),
            "served shares outside [0, 1]",
            sites=False,
        )
        reach = (t.d <= t.radius_house[:, np.newaxis]) & p.house[np.newaxis, :]
        c.require(
            (served > _SHARE_TOL) & ~reach.any(axis=1),
            "sectors served with no house within R_H",
            sites=False,
        )
        total = max(1.0, float(t.target.sum()))
        c.same("families served", float(load.sum()), float(t.target @ served), 1e-5 * total)
    else:
        has = p.site_house >= 0
        expected = np.bincount(p.site_house[has], weights=t.target[has], minlength=len(t.site_ids))
        c.require(
            np.abs(load - expected) > 1e-6 * max(1.0, float(t.target.sum())),
            "families per house differ from the sectors using it",
        )
    # with capacities the coverage kinds assign families within R_H (served shares); without
    # an assignment (house weight alpha = 0) capacities bind nothing
    assigned = p.served is not None or c.kind == "p_median"
    if t.capacity is not None and assigned:
        over = load > t.capacity * (1 + _REL_TOL) + _SHARE_TOL
        by = _largest(load[over] - t.capacity[over])
        c.require(over, f"houses serve more families than their capacity (by up to {by})")
        c.checked.append("capacities")
    del tt_house


def _check_objective(c: _Check, tt_house: FloatArray) -> None:
    objective = c.objective
    if objective is None:
        return
    t = c.truth
    kind = c.kind
    families = t.target > 0
    routed = families & np.isfinite(tt_house)
    if kind in {"max_coverage", "mclp"}:
        alpha = 1.0 if kind == "mclp" else c.scenario.objective.alpha
        house = _house_term(c)
        value = float(t.weight @ (alpha * house + (1 - alpha) * c.claim.covered_frequent))
        # served shares are rounded to 6 decimals in the tables
        rounding = _SHARE_TOL * float(t.weight.sum()) + _REL_TOL * max(1.0, abs(value))
        slack = _TIE_BREAK * float(t.weight.sum()) + rounding
        if not value - slack <= objective <= value + rounding:
            c.problems.append(
                f"objective ({kind}): the solver says {objective:g}, recomputed coverage "
                f"{value:g} (off by {value - objective:.6g}; the cost tie-break is at most "
                f"{slack:.6g})"
            )
    elif kind in {"set_cover", "set_cover_single"}:
        cost = float(_site_costs(c).sum())
        prices = np.concatenate([t.cost_house, t.cost_antenne])
        prices = prices[np.isfinite(prices)]
        # free sites carry a tie-break of 1e-6 of a site's price each
        slack = _FREE_TIE * float(prices.max(initial=1.0)) * len(t.site_ids) + _EURO_TOL
        if not cost - _EURO_TOL <= objective <= cost + slack:
            c.problems.append(
                f"objective ({kind}): the solver says {objective:g}, recomputed cost {cost:g} "
                f"(off by {objective - cost:.6g}; free sites' tie-break at most {slack:.6g})"
            )
    elif kind == "p_median":
        value = float(t.weight[routed] @ tt_house[routed])
        c.same("objective (p_median, weighted travel time)", objective, value, _MINUTES_TOL)
    else:
        value = float(tt_house[routed].max()) if routed.any() else 0.0
        c.same("objective (p_center, longest travel time)", objective, value, _MINUTES_TOL)
    c.checked.append("objective")


# --------------------------------------------------------------------------- rules


def _check_counts(c: _Check) -> None:
    rules = c.scenario.rules
    p = c.claim
    n_h, n_a = int(p.house.sum()), int(p.antenne.sum())
    bounds = [("houses", n_h, rules.min_houses, rules.max_houses)]
    if c.kind not in HOUSES_ONLY:
        bounds.append(("antennes", n_a, rules.min_antennes, rules.max_antennes))
    target_p = c.scenario.objective.p
    if c.kind == "mclp":
        bounds.append(("houses (at most p)", n_h, None, target_p))
    elif c.kind in {"p_median", "p_center"}:
        bounds.append(("houses (exactly p)", n_h, target_p, target_p))
    for what, count, low, high in bounds:
        if (low is not None and count < low) or (high is not None and count > high):
            c.problems.append(f"the plan has {count} {what}, outside [{low}, {high}]")


def _allowed(c: _Check) -> tuple[BoolArray, BoolArray]:
    """Sites that may open per role (for max_coverage: affordable after the required sites)."""
    t = c.truth
    house = (t.can_house | t.existing_house) & ~t.forbidden
    antenne = (t.can_antenne | t.existing_antenne) & ~t.forbidden
    if c.kind == "max_coverage":
        need_h = c.required("required_houses") & ~t.existing_house
        need_a = c.required("required_antennes") & ~t.existing_antenne
        left = c.scenario.budget.amount_eur - t.cost_house[need_h].sum()
        left -= t.cost_antenne[need_a].sum()
        house &= t.existing_house | (t.cost_house <= left + _EURO_TOL)
        antenne &= t.existing_antenne | (t.cost_antenne <= left + _EURO_TOL)
    if c.kind in HOUSES_ONLY:
        antenne = t.existing_antenne & ~t.forbidden
    fixed = c.required("required_houses")
    if c.scenario.objective.keep_existing:  # an existing site stays in its own role
        house &= ~t.existing_antenne
        antenne &= ~t.existing_house
        fixed |= t.existing_house
    spacing = c.scenario.rules.house_spacing_min
    if spacing:  # no house closer than the spacing to a house that is open anyway
        close = np.minimum(t.e, t.e.T) < spacing
        np.fill_diagonal(close, val=False)
        house &= ~(close & fixed[np.newaxis, :]).any(axis=1)
    ok_link = np.isfinite(t.e) & (t.e <= c.scenario.standards.link_min)
    np.fill_diagonal(ok_link, val=False)
    return house, antenne & (ok_link & house[np.newaxis, :]).any(axis=1)


def _check_cover(c: _Check) -> None:
    """Check the universal floor and the covering rules of the set-cover kinds."""
    t, p = c.truth, c.claim
    must_house = c.scenario.rules.universal_floor or c.kind in {"set_cover", "set_cover_single"}
    must_frequent = c.kind == "set_cover"
    skip = c.scenario.objective.unreachable == "skip"
    allowed_house, allowed_antenne = _allowed(c)
    needs = t.target > 0
    if must_house:
        reach = (t.d <= t.radius_house[:, np.newaxis]) & allowed_house[np.newaxis, :]
        rows = needs & (reach.any(axis=1) if skip else True)
        within = (t.d <= t.radius_house[:, np.newaxis]) & p.house[np.newaxis, :]
        c.require(
            rows & ~within.any(axis=1),
            "sectors with families have no house within R_H",
            sites=False,
        )
        if p.served is not None:  # coverage kinds with capacities: every family assigned
            c.require(
                rows & (p.served < 1 - _SHARE_TOL),
                "sectors with families not all served within R_H (capacities)",
                sites=False,
            )
    if must_frequent:
        both = allowed_house | allowed_antenne
        reach = (t.d <= t.radius_frequent[:, np.newaxis]) & both[np.newaxis, :]
        rows = needs & (reach.any(axis=1) if skip else True)
        within = (t.d <= t.radius_frequent[:, np.newaxis]) & (p.house | p.antenne)[np.newaxis, :]
        c.require(
            rows & ~within.any(axis=1),
            "sectors with families have no house or antenne within R_A",
            sites=False,
        )


def _group_members(
    spec: GroupRuleSpec, inputs: Inputs, c: _Check
) -> tuple[list[str], BoolArray] | None:
    sectors = inputs.sectors
    if spec.column not in sectors.columns:
        return None
    labels = sectors[spec.column].astype("string").str.strip()
    labels = labels.where(labels != "")
    groups = sorted({str(v) for v in labels.dropna()})
    position = {g: k for k, g in enumerate(groups)}
    t = c.truth
    member = np.zeros((len(groups), len(t.site_ids)), dtype=bool)
    if spec.serves == "reach":
        reach = (t.d <= t.radius_house[:, np.newaxis]) & (t.target > 0)[:, np.newaxis]
        for i, label in enumerate(labels):
            if not pd.isna(label):
                member[position[str(label)]] |= reach[i]
        return groups, member
    sites = inputs.sites
    if spec.column in sites.columns:
        site_labels = sites[spec.column].astype("string").str.strip().tolist()
    else:
        polygons = gpd.GeoDataFrame(
            {"label": labels.tolist()}, geometry=sectors.geometry.to_numpy(), crs=sectors.crs
        )
        points = gpd.GeoDataFrame(
            {"j": np.arange(len(sites))}, geometry=sites.geometry.to_numpy(), crs=sites.crs
        )
        joined = gpd.sjoin(points, polygons, how="left", predicate="intersects")
        joined = joined.sort_values(["j", "index_right"], kind="stable").drop_duplicates("j")
        site_labels = joined.sort_values("j")["label"].tolist()
    for j, label in enumerate(site_labels):
        if label is not None and not pd.isna(label) and str(label) in position:
            member[position[str(label)], j] = True
    return groups, member


def _check_rules(c: _Check, inputs: Inputs) -> None:
    rules = c.scenario.rules
    p, t = c.claim, c.truth
    for key, role, is_open in (
        ("required_houses", "house", p.house),
        ("required_antennes", "antenne", p.antenne),
    ):
        required = c.required(key)
        c.require(required & ~is_open, f"rules.{key}: sites not open as {role}")
    _check_counts(c)
    _check_cover(c)
    if rules.house_spacing_min:
        both = np.minimum(t.e, t.e.T) < rules.house_spacing_min
        np.fill_diagonal(both, val=False)
        close = both & p.house[np.newaxis, :] & p.house[:, np.newaxis]
        c.require(
            np.asarray(close.any(axis=1), dtype=bool),
            f"houses closer than {rules.house_spacing_min:g} min (rules.house_spacing_min)",
        )
    for index, spec in enumerate(rules.house_per_group):
        found = _group_members(spec, inputs, c)
        if found is None:
            continue
        groups, member = found
        unserved = ~(member & p.house[np.newaxis, :]).any(axis=1)
        if unserved.any():
            names = ", ".join(np.array(groups, dtype=object)[unserved][:_SHOWN])
            c.problems.append(
                f"rules.house_per_group[{index}] ({spec.column}): groups {names} have no house"
            )
    c.checked.append("policy rules")


# --------------------------------------------------------------------------- entry point


def check_plan(plan: Plan, inputs: Inputs, demand: Demand, travel: TravelTimes) -> dict[str, Any]:
    """Recompute what a plan claims from the inputs and travel times; raise on disagreement.

    Parameters
    ----------
    plan
        The plan (its tables and summary are what is checked).
    inputs
        The sectors and sites as read (costs, flags, capacity and group columns).
    demand
        Families, weights, the neediest fifth and the standards per sector.
    travel
        The travel-time matrices the plan was made from.

    Returns
    -------
    dict
        ``{"check": "passed", "checked": [...]}``: what was verified, for ``summary.json``.

    Raises
    ------
    PlanCheckError
        Listing every figure on which the plan and the recomputation disagree, by how much.
    """
    scenario = plan.scenario
    truth = _truth(scenario, inputs, demand, travel)
    claim = _claim(plan, truth)
    c = _Check(scenario, truth, claim, plan.summary, plan.solve.objective)
    _check_sites(c)
    _check_budget(c)
    _check_links(c, plan)
    tt_house = _check_sector_times(c)
    _check_figures(c)
    _check_capacity(c, tt_house)
    _check_objective(c, tt_house)
    _check_rules(c, inputs)
    if c.problems:
        raise PlanCheckError(
            [f"plan check failed ({scenario.objective.kind}): {p}" for p in c.problems]
        )
    logger.info(f"Plan check passed: {', '.join(c.checked)}")
    return {"check": "passed", "checked": list(c.checked)}
