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
  cost, and within the budget :math:`B` for ``max_coverage`` (and ``min_cost_targets``,
  where it caps the cost);
- **links**: every antenne linked to an open house :math:`k` with :math:`e_{jk} \le L`, the
  nearest one, with the minutes of :math:`e_{jk}`, and the links layer saying the same;
- **sectors**: the time to the sector's house (the nearest open house, or the assigned one for
  models that assign) and to the nearest house or antenne, the covered flags
  :math:`t_i \le R(i)`, the families each house serves;
- **figures**: counts of houses and antennes (new ones too), families, coverage shares of all
  families and of the neediest fifth, the coverage objective
  :math:`\sum_i w_i (\alpha u_i + (1-\alpha) v_i)`, and the solver's objective per kind
  (coverage minus the tie-break term, the cost, :math:`\sum_i w_i d_i`, :math:`\max_i d_i`);
- **ranges**: each headline share's ``low`` and ``high`` under speeds ±10 % and standards
  ±1 min, recomputed one variant at a time from the matrices and the plan's houses;
- **capacities**: no house serves more than :math:`C_j` families, closed sites serve none,
  the families served add up;
- **rules**: required sites open, counts within their bounds (and :math:`p`), the universal
  floor and the covering rules of the set-cover kinds, one house per group, the spacing;
- **targets** (``min_cost_targets``): each target's share of its group's families within its
  standard, recomputed from the matrices and the open sites, and reached
  (:mod:`planner.results.targets`);
- **modes**: with several modes, the families per sector and mode and the coverage per mode
  (:mod:`planner.results.check_modes`).

A disagreement raises :class:`planner.errors.PlanCheckError` naming what disagreed and by how
much; the CLI reports it as an internal error (exit code 3). Both sides are read in
:mod:`planner.results.check_base`; the rules are checked in :mod:`planner.results.check_rules`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import numpy as np

from planner.errors import PlanCheckError
from planner.results.attendance import check_attendance
from planner.results.check_base import (
    EURO_TOL,
    FREE_TIE,
    HOUSES_ONLY,
    MINUTES_TOL,
    REL_TOL,
    SHARE_TOL,
    SHOWN,
    TIE_BREAK,
    BoolArray,
    Check,
    FloatArray,
    IntArray,
    read_claim,
    read_truth,
)
from planner.results.check_modes import check_modes
from planner.results.check_phases import check_phases
from planner.results.check_rules import check_rules, colocation_flag
from planner.results.existing import check_costs
from planner.results.precision import HEADLINE, SPEED_FACTORS, STANDARD_SHIFTS_MIN
from planner.results.targets import check_targets

if TYPE_CHECKING:
    from planner.data.inputs import Inputs
    from planner.demand import Demand
    from planner.results.plan import Plan
    from planner.travel.matrices import TravelTimes

__all__ = ["HOUSES_ONLY", "check_plan"]

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------- checks


def _check_sites(c: Check) -> None:
    t, p = c.truth, c.claim
    c.require(t.forbidden & (p.house | p.antenne), "forbidden sites are open")
    c.require(p.house & ~(t.can_house | t.existing_house), "houses on sites that may not host one")
    c.require(
        p.antenne & ~(t.can_antenne | t.existing_antenne), "antennes on sites that may not host one"
    )
    if c.scenario.objective.keep_existing:
        kept = ~c.required("may_close")
        c.require(t.existing_house & kept & ~p.house, "existing houses not kept (keep_existing)")
        c.require(
            t.existing_antenne & kept & ~p.antenne, "existing antennes not kept (keep_existing)"
        )
    if c.kind in HOUSES_ONLY:
        c.require(p.antenne & ~t.existing_antenne, f"{c.kind} places houses only, new antennes")
    c.checked.append("sites")


def _site_costs(c: Check) -> FloatArray:
    t, p = c.truth, c.claim
    return np.where(
        p.house & ~t.existing_house,
        t.cost_house,
        np.where(p.antenne & ~t.existing_antenne, t.cost_antenne, 0.0),
    )


def _check_budget(c: Check) -> None:
    cost = _site_costs(c)
    diff = np.nan_to_num(c.claim.cost, nan=np.inf) - cost
    off = np.abs(diff) > EURO_TOL
    c.require(off, f"site costs differ from the input costs (by up to EUR {_largest(diff[off])})")
    total = float(cost.sum())
    c.same("cost (EUR)", c.summary.get("cost"), total, EURO_TOL)
    budget = c.scenario.budget.amount_eur
    if (
        c.kind in {"max_coverage", "max_attendance", "min_cost_targets"}
        and c.scenario.budget.basis == "investment"  # else checked by check_costs
        and total > budget * (1 + 1e-9) + EURO_TOL
    ):
        c.problems.append(
            f"the plan costs EUR {total:,.2f}, over the budget of EUR {budget:,.2f} "
            f"(by EUR {total - budget:,.2f})"
        )
    c.checked.append("budget")


def _check_links(c: Check, plan: Plan) -> None:
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
    off[rows] = np.abs(p.link_min[rows] - minutes[rows]) > MINUTES_TOL
    c.require(off, "link minutes differ from the site-to-site travel time")
    nearest = np.where(p.house[np.newaxis, :], t.e[rows], np.inf)
    best = nearest.min(axis=1) if rows.size else np.zeros(0)
    farther = np.zeros_like(linked)
    farther[rows] = minutes[rows] > best + MINUTES_TOL
    c.require(farther, "antennes not linked to their nearest open house")
    links = plan.links
    pairs = {(str(a), str(h)) for a, h in zip(links["antenne_id"], links["house_id"], strict=True)}
    expected = {(t.site_ids[j], t.site_ids[k]) for j, k in zip(rows, houses, strict=True)}
    if pairs != expected or len(links) != len(expected):
        c.problems.append(
            f"the links layer ({len(links)} lines) differs from the sites' linked houses "
            f"({len(expected)}): {sorted(pairs ^ expected)[:SHOWN]}"
        )
    c.checked.append("links")


def _nearest(d: FloatArray, is_open: BoolArray) -> FloatArray:
    if not is_open.any():
        return np.full(d.shape[0], np.inf)
    return np.asarray(np.where(is_open[np.newaxis, :], d, np.inf).min(axis=1), dtype=float)


def _assigns(c: Check) -> bool:
    """Whether sectors may be assigned to a house other than the nearest open one."""
    return c.truth.capacity is not None or c.kind in {"p_median", "p_center"}


def _check_sector_times(c: Check) -> FloatArray:
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
            tt_house > nearest_house + MINUTES_TOL,
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
        & (t.d[np.arange(n_i), np.maximum(p.site_frequent, 0)] <= tt_frequent + MINUTES_TOL),
        ~np.isfinite(tt_frequent),
    )
    c.require(~freq_ok, "sectors' nearest house or antenne is wrong", sites=False)
    c.checked.append("sector travel times and covered flags")
    return tt_house


def _family_median(values: FloatArray, weight: FloatArray, sector: IntArray, n: int) -> FloatArray:
    """Family-weighted median per sector, written out again for the check (inf allowed)."""
    order = np.lexsort((values, sector))
    s, v, w = sector[order], values[order], weight[order]
    total = np.bincount(s, weights=w, minlength=n)
    before = np.concatenate([[0.0], np.cumsum(w)])[np.searchsorted(s, s, side="left")]
    reached = np.cumsum(w) - before >= 0.5 * total[s] - 1e-9 * np.maximum(total[s], 1.0)
    out = np.full(n, np.nan)
    _, first = np.unique(s, return_index=True)  # a sector without families: its first row
    out[s[first]] = v[first]
    hit = np.flatnonzero(reached)
    _, at = np.unique(s[hit], return_index=True)  # else the first row reaching half its families
    out[s[hit[at]]] = v[hit[at]]
    return out


def _check_sector_table(c: Check, plan: Plan, tt_house: FloatArray) -> None:
    """Check the sector table against the demand rows recomputed from the inputs."""
    t, p = c.truth, c.claim
    if plan.points is None:
        return
    if not t.by_point:  # one row per sector: the points layer repeats the sector table
        _check_points_repeat_sectors(c, plan)
        return
    sectors = plan.sectors
    if len(sectors) != t.n_sectors:
        c.problems.append(f"sectors layer: {len(sectors)} rows, expected {t.n_sectors}")
        return
    ids = tuple(str(v) for v in sectors["sector_id"])
    families = np.bincount(t.sector, weights=t.target, minlength=t.n_sectors)
    weight = np.where(families[t.sector] > 0, t.target, 1.0)  # no families: points count alike
    families = np.bincount(t.sector, weights=weight, minlength=t.n_sectors)
    tt_frequent = _nearest(t.d, p.house | p.antenne)
    for tier, minutes, radius in (
        ("house", tt_house, t.radius_house),
        ("frequent", tt_frequent, t.radius_frequent),
    ):
        within = np.bincount(t.sector, weights=weight * (minutes <= radius), minlength=t.n_sectors)
        share = np.divide(within, families, out=np.zeros_like(families), where=families > 0)
        claimed = sectors[f"covered_{tier}_share"].to_numpy(dtype=float)
        wrong = np.abs(claimed - share) > SHARE_TOL
        if wrong.any():
            c.problems.append(f"sector covered_{tier}_share is wrong: {_named(ids, wrong)}")
        flags = sectors[f"covered_{tier}"].fillna(value=False).to_numpy(dtype=bool)
        if (flags != (share >= 0.5)).any():
            c.problems.append(
                f"covered_{tier} flags are wrong in the sector table: "
                f"{_named(ids, flags != (share >= 0.5))}"
            )
        median = _family_median(minutes, t.target, t.sector, t.n_sectors)
        claimed_min = sectors[f"tt_{tier}_min"].to_numpy(dtype=float)
        off = _differ(claimed_min, median)
        if off.any():
            by = _largest(claimed_min[off] - median[off])
            c.problems.append(
                f"sector table: travel time to the {tier} differs (by up to {by} min): "
                f"{_named(ids, off)}"
            )
    c.checked.append("sector table (shares, flags and median times of its demand points)")


_REPEATED = ("tt_house_min", "tt_frequent_min", "covered_house", "covered_frequent", "site_house")


def _check_points_repeat_sectors(c: Check, plan: Plan) -> None:
    """With one point per sector, the points layer must say what the sector table says."""
    assert plan.points is not None  # noqa: S101 - checked by the caller
    points = plan.points.set_index(plan.points["sector_id"].astype(str))
    sectors = plan.sectors.set_index(plan.sectors["sector_id"].astype(str))
    if sorted(points.index) != sorted(sectors.index):
        c.problems.append("points layer: its points are not the sectors' points")
        return
    points = points.loc[sectors.index]
    for column in _REPEATED:
        a, b = points[column].to_numpy(dtype=object), sectors[column].to_numpy(dtype=object)
        if [str(v) for v in a] != [str(v) for v in b]:
            c.problems.append(f"points layer: {column} differs from the sector table")
    c.checked.append("points layer (one point per sector) repeats the sector table")


def _named(ids: tuple[str, ...], mask: BoolArray) -> str:
    shown = [ids[k] for k in np.flatnonzero(mask)]
    more = f" and {len(shown) - SHOWN} more" if len(shown) > SHOWN else ""
    return ", ".join(shown[:SHOWN]) + more


def _largest(diff: FloatArray) -> str:
    """Return the largest absolute difference as text, for messages."""
    finite = np.abs(diff[~np.isnan(diff)])
    return f"{float(finite.max()):.6g}" if finite.size else "n/a"


def _differ(claimed: FloatArray, recomputed: FloatArray) -> BoolArray:
    both_inf = ~np.isfinite(recomputed) & (np.isnan(claimed) | np.isinf(claimed))
    with np.errstate(invalid="ignore"):  # inf - inf
        close = np.abs(claimed - recomputed) <= MINUTES_TOL
    return ~(both_inf | close)


def _house_share(c: Check) -> FloatArray:
    """Share of each sector's families with a house: served share with capacities, else 0/1."""
    if c.claim.served is not None:
        return np.nan_to_num(c.claim.served)
    return c.claim.covered_house.astype(float)


def _house_term(c: Check) -> FloatArray:
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


def _check_figures(c: Check) -> None:
    t, p, s = c.truth, c.claim, c.summary
    new_h = p.house & ~t.existing_house
    new_a = p.antenne & ~t.existing_antenne
    for name, count in (
        ("houses", int(p.house.sum())),
        ("houses_new", int(new_h.sum())),
        ("antennes", int(p.antenne.sum())),
        ("antennes_new", int(new_a.sum())),
        ("sectors", t.n_sectors),
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
        c.same(f"coverage.{name}", coverage.get(name), _share(t.target, share, mask), SHARE_TOL)
    alpha = c.scenario.objective.alpha
    value = float(t.weight @ (alpha * _house_term(c) + (1 - alpha) * frequent))
    tol = SHARE_TOL * max(1.0, float(t.weight.sum()))  # served shares rounded to 6 decimals
    c.same("coverage_objective", s.get("coverage_objective"), value, tol)
    c.checked.append("counts and coverage shares")


def _check_precision(c: Check, tt_house: FloatArray) -> None:
    """Recompute the range of each headline figure: the same plan, speeds and standards moved.

    Each variant scales every travel time by 1/s and shifts every sector's standards by
    delta minutes (never below 0), one variant at a time, from the matrices and the plan's
    houses (with capacities: a served share counts while its house stays within reach).
    """
    t, p = c.truth, c.claim
    block = c.summary.get("precision")
    if not isinstance(block, dict):
        c.problems.append("precision: the summary has no range of the coverage figures")
        return
    tt_frequent = _nearest(t.d, p.house | p.antenne)
    served = None if p.served is None else np.nan_to_num(p.served)
    values: dict[str, list[float]] = {name: [] for name in HEADLINE}
    for speed in SPEED_FACTORS:
        for shift in STANDARD_SHIFTS_MIN:
            house = (tt_house / speed <= np.maximum(t.radius_house + shift, 0.0)).astype(float)
            if served is not None:
                house = house * served
            frequent = (tt_frequent / speed <= np.maximum(t.radius_frequent + shift, 0.0)).astype(
                float
            )
            for name, share, mask in (
                ("house", house, None),
                ("frequent", frequent, None),
                ("house_neediest_quintile", house, t.neediest),
                ("frequent_neediest_quintile", frequent, t.neediest),
            ):
                value = _share(t.target, share, mask)
                if value is not None:
                    values[name].append(value)
    for name, found in values.items():
        claimed = block.get(name) or {}
        for end, value in (("low", min(found, default=None)), ("high", max(found, default=None))):
            c.same(f"precision.{name}.{end}", claimed.get(end), value, SHARE_TOL)
    c.checked.append("ranges of the coverage shares")


def _check_capacity(c: Check, tt_house: FloatArray) -> None:
    t, p = c.truth, c.claim
    load = np.nan_to_num(p.families_house)
    c.require(~p.house & (load > SHARE_TOL), "closed sites serve families")
    if p.served is not None:
        served = np.nan_to_num(p.served)
        c.require(
            (served < -SHARE_TOL) | (served > 1 + SHARE_TOL),
            "served shares outside [0, 1]",
            sites=False,
        )
        reach = (t.d <= t.radius_house[:, np.newaxis]) & p.house[np.newaxis, :]
        c.require(
            (served > SHARE_TOL) & ~reach.any(axis=1),
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
        over = load > t.capacity * (1 + REL_TOL) + SHARE_TOL
        by = _largest(load[over] - t.capacity[over])
        c.require(over, f"houses serve more families than their capacity (by up to {by})")
        c.checked.append("capacities")
    del tt_house


def _colocation_value(c: Check, inputs: Inputs) -> float:
    """Return the objective's co-location term, recomputed from the flags and stated values."""
    t, p = c.truth, c.claim
    families = float(t.target.sum())
    mean_weight = float(t.weight.sum()) / families if families > 0 else 1.0
    per_site = np.zeros(len(t.site_ids))
    for kind, worth in c.scenario.colocation.value_families.items():
        per_site += worth * colocation_flag(inputs, kind)
    alpha = c.scenario.objective.alpha
    return mean_weight * float(per_site @ (alpha * p.house + (1 - alpha) * (p.house | p.antenne)))


def _check_objective(c: Check, tt_house: FloatArray, inputs: Inputs) -> None:
    objective = c.objective
    if objective is None or c.kind == "max_attendance":  # checked with the attendance
        return
    if len(c.scenario.budget.phases) > 1:  # the weighted mean over the phases: check_phases
        return
    t = c.truth
    kind = c.kind
    families = t.target > 0
    routed = families & np.isfinite(tt_house)
    if kind in {"max_coverage", "mclp"}:
        alpha = 1.0 if kind == "mclp" else c.scenario.objective.alpha
        house = _house_term(c)
        value = float(t.weight @ (alpha * house + (1 - alpha) * c.claim.covered_frequent))
        value += _colocation_value(c, inputs) if kind == "max_coverage" else 0.0
        # served shares are rounded to 6 decimals in the tables
        rounding = SHARE_TOL * float(t.weight.sum()) + REL_TOL * max(1.0, abs(value))
        slack = TIE_BREAK * float(t.weight.sum()) + rounding
        if not value - slack <= objective <= value + rounding:
            c.problems.append(
                f"objective ({kind}): the solver says {objective:g}, recomputed coverage "
                f"{value:g} (off by {value - objective:.6g}; the cost tie-break is at most "
                f"{slack:.6g})"
            )
    elif kind in {"set_cover", "set_cover_single", "min_cost_targets"}:
        cost = float(_site_costs(c).sum())
        prices = np.concatenate([t.cost_house, t.cost_antenne])
        prices = prices[np.isfinite(prices)]
        # free sites carry a tie-break of 1e-6 of a site's price each
        slack = FREE_TIE * float(prices.max(initial=1.0)) * len(t.site_ids) + EURO_TOL
        if not cost - EURO_TOL <= objective <= cost + slack:
            c.problems.append(
                f"objective ({kind}): the solver says {objective:g}, recomputed cost {cost:g} "
                f"(off by {objective - cost:.6g}; free sites' tie-break at most {slack:.6g})"
            )
    elif kind == "p_median":
        value = float(t.weight[routed] @ tt_house[routed])
        c.same("objective (p_median, weighted travel time)", objective, value, MINUTES_TOL)
    else:
        value = float(tt_house[routed].max()) if routed.any() else 0.0
        c.same("objective (p_center, longest travel time)", objective, value, MINUTES_TOL)
    c.checked.append("objective")


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
    truth = read_truth(scenario, inputs, demand, travel)
    claim = read_claim(plan, truth)
    c = Check(scenario, truth, claim, plan.summary, plan.solve.objective)
    _check_sites(c)
    _check_budget(c)
    _check_links(c, plan)
    tt_house = _check_sector_times(c)
    _check_sector_table(c, plan, tt_house)
    _check_figures(c)
    _check_precision(c, tt_house)
    _check_capacity(c, tt_house)
    _check_objective(c, tt_house, inputs)
    check_attendance(c, tt_house)
    check_rules(c, inputs)
    check_targets(c, demand)
    check_costs(c, inputs)
    check_modes(c, plan, inputs)
    check_phases(c, plan)
    if c.problems:
        raise PlanCheckError(
            [f"plan check failed ({scenario.objective.kind}): {p}" for p in c.problems]
        )
    logger.info(f"Plan check passed: {', '.join(c.checked)}")
    return {"check": "passed", "checked": list(c.checked)}
