"""The plan check's policy rules: required sites, counts, covering floors, groups, spacing.

Part of the independent plan check (:mod:`planner.results.check`): the required sites are
open in their role, the counts of houses and antennes are within their bounds (and :math:`p`),
the universal floor and the covering rules of the set-cover kinds hold for every sector that
an allowed site could reach, every group of ``rules.house_per_group`` has a house, and no two
houses are closer than ``rules.house_spacing_min``, and under ``rules.serve_within`` no row
uses (or could use) a site of another group.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from planner.results.check_base import EURO_TOL, HOUSES_ONLY, SHARE_TOL, SHOWN, BoolArray, Check
from planner.scenario import GroupRuleSpec
from planner.travel.borders import group_labels

if TYPE_CHECKING:
    from planner.data.inputs import Inputs

__all__ = ["check_rules", "colocation_flag"]


def _check_counts(c: Check) -> None:
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


def _allowed(c: Check) -> tuple[BoolArray, BoolArray]:
    """Sites that may open per role (for max_coverage: affordable after the required sites)."""
    t = c.truth
    house = (t.can_house | t.existing_house) & ~t.forbidden
    antenne = (t.can_antenne | t.existing_antenne) & ~t.forbidden
    investment = c.scenario.budget.basis == "investment"
    if c.kind in {"max_coverage", "max_attendance", "min_cost_targets"} and investment:
        need_h = c.required("required_houses") & ~t.existing_house
        need_a = c.required("required_antennes") & ~t.existing_antenne
        left = c.scenario.budget.amount_eur - t.cost_house[need_h].sum()
        left -= t.cost_antenne[need_a].sum()
        house &= t.existing_house | (t.cost_house <= left + EURO_TOL)
        antenne &= t.existing_antenne | (t.cost_antenne <= left + EURO_TOL)
    if c.kind in HOUSES_ONLY:
        antenne = t.existing_antenne & ~t.forbidden
    fixed = c.required("required_houses")
    if c.scenario.objective.keep_existing:  # an existing site stays in its own role
        may_close = c.required("may_close")
        house &= ~(t.existing_antenne & ~may_close)
        antenne &= ~(t.existing_house & ~may_close)
        fixed |= t.existing_house & ~may_close
    spacing = c.scenario.rules.house_spacing_min
    if spacing:  # no house closer than the spacing to a house that is open anyway
        close = np.minimum(t.e, t.e.T) < spacing
        np.fill_diagonal(close, val=False)
        house &= ~(close & fixed[np.newaxis, :]).any(axis=1)
    ok_link = np.isfinite(t.e) & (t.e <= c.scenario.standards.link_min)
    np.fill_diagonal(ok_link, val=False)
    return house, antenne & (ok_link & house[np.newaxis, :]).any(axis=1)


def _check_cover(c: Check) -> None:
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
                rows & (p.served < 1 - SHARE_TOL),
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
    spec: GroupRuleSpec, inputs: Inputs, c: Check
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
        code = np.asarray(pd.Categorical(labels.astype(object), categories=groups).codes)
        row_code = code[t.sector]  # -1: a row whose sector has no group
        grouped = np.flatnonzero(row_code >= 0)
        one_hot = np.zeros((len(groups), grouped.shape[0]))
        one_hot[row_code[grouped], np.arange(grouped.shape[0])] = 1.0
        member = (one_hot @ reach[grouped].astype(float)) > 0
        return groups, member
    sites = inputs.sites
    if spec.column in sites.columns and spec.column not in {"site_id", "name", "type"}:
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


def check_rules(c: Check, inputs: Inputs) -> None:
    """Check the scenario's policy rules on the plan, adding every problem to ``c``.

    Parameters
    ----------
    c
        The check under way.
    inputs
        The sectors and sites as read (group columns and geometry).
    """
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
            names = ", ".join(np.array(groups, dtype=object)[unserved][:SHOWN])
            c.problems.append(
                f"rules.house_per_group[{index}] ({spec.column}): groups {names} have no house"
            )
    for index, house_in in enumerate(rules.house_in):
        found = _group_members(GroupRuleSpec(column=house_in.column), inputs, c)
        if found is None:
            continue
        groups, member = found
        served = {g for g, row in zip(groups, member, strict=True) if (row & p.house).any()}
        missing = [value for value in tuple(house_in.values) if value not in served]
        if missing:
            c.problems.append(
                f"rules.house_in[{index}] ({house_in.column}): no house in {', '.join(missing)}"
            )
    if rules.serve_within:
        _check_within(c, inputs, rules.serve_within)
    _check_colocation(c, inputs)
    c.checked.append("policy rules")


def colocation_flag(inputs: Inputs, kind: str) -> BoolArray:
    """Return the sites co-located with ``kind`` (all False when the sites are not marked)."""
    column = f"coloc_{kind}"
    sites = inputs.sites
    if column not in sites.columns:
        return np.zeros(len(sites), dtype=bool)
    return np.asarray(sites[column].to_numpy(dtype=bool))


def _check_colocation(c: Check, inputs: Inputs) -> None:
    """``rules.antennes_at`` and ``rules.house_consultatiebureau_min`` / ``_m`` on new sites."""
    rules = c.scenario.rules
    t, p = c.truth, c.claim
    if rules.antennes_at:
        at = np.zeros(len(t.site_ids), dtype=bool)
        for kind in rules.antennes_at:
            at |= colocation_flag(inputs, kind)
        c.require(
            p.antenne & ~t.existing_antenne & ~at,
            f"rules.antennes_at ({', '.join(rules.antennes_at)}): new antennes elsewhere",
        )
    minutes, metres = rules.house_consultatiebureau_min, rules.house_consultatiebureau_m
    if minutes is None and metres is None:
        return
    on_site = colocation_flag(inputs, "consultatiebureau")
    ok = on_site.copy()
    if minutes is not None:
        ok |= (t.e[:, on_site] <= minutes).any(axis=1)
    if metres is not None:
        xy = np.column_stack([inputs.sites.geometry.x, inputs.sites.geometry.y])
        gap = np.hypot(*(xy[:, np.newaxis, :] - xy[np.newaxis, on_site, :]).transpose(2, 0, 1))
        ok |= (gap <= metres).any(axis=1)
        ok |= inputs.sites["consultatiebureau_m"].to_numpy(dtype=float) <= metres  # points
    c.require(
        p.house & ~t.existing_house & ~ok,
        "rules.house_consultatiebureau: new houses without a consultatiebureau on site or near",
    )


def _check_within(c: Check, inputs: Inputs, column: str) -> None:
    """``rules.serve_within``: no row uses, or may use, a site of another group."""
    sector_group, site_group = group_labels(inputs, column)
    t, p = c.truth, c.claim
    row_group = sector_group[t.sector]
    across = row_group[:, np.newaxis] != site_group[np.newaxis, :]
    c.require(
        (across & np.isfinite(t.d)).any(axis=1),
        f"rules.serve_within ({column}): rows have a travel time to a site of another group",
        sites=False,
    )
    for what, chosen in (("house", p.site_house), ("frequent", p.site_frequent)):
        used = chosen >= 0
        other = np.zeros(used.shape, dtype=bool)
        other[used] = site_group[chosen[used]] != row_group[used]
        c.require(
            other,
            f"rules.serve_within ({column}): rows use a {what} site of another group",
            sites=False,
        )
