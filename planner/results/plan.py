"""The plan: a frozen result joining the solver's choice back to sectors and sites.

Coverage and travel times are recomputed here from the travel matrices and the chosen sites,
not read from the model's auxiliary variables, so the tables always describe the plan itself.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
from shapely import LineString

from planner.data.notes import imputed_flags, input_notes
from planner.optimise import row_ids
from planner.results.attendance import attendance_summary
from planner.results.equity import equity_summary
from planner.results.existing import plan_extras
from planner.results.metrics import (
    count,
    coverage_share,
    families,
    nearest_open,
    served_share,
    travel_time_stats,
)
from planner.results.plan_modes import fastest_columns, modes_block
from planner.results.reach import reach_notes
from planner.results.sectors import (
    by_sector_mean,
    by_sector_median,
    by_sector_top,
    points_table,
)
from planner.results.today import today_figures
from planner.results.yardstick import standard_figures

if TYPE_CHECKING:
    from collections.abc import Mapping

    from planner.data.inputs import Inputs
    from planner.demand import Demand
    from planner.model import CoverageSolution
    from planner.scenario import Scenario
    from planner.solve import SolveResult
    from planner.travel.matrices import TravelTimes
    from planner.travel.network import Network

__all__ = ["Plan", "make_plan"]

logger = logging.getLogger(__name__)

_SECTOR_CONTEXT = ("wijk", "wijk_name", "municipality")
"""Sector columns carried into the plan when the sector file has them (maps draw wijken)."""


@dataclass(frozen=True)
class Plan:
    """Where the houses and antennes go, who is reached, and how sure the solver is.

    Attributes
    ----------
    scenario : Scenario
        The scenario that produced the plan.
    sectors : geopandas.GeoDataFrame
        Per sector: ``sector_id``, ``name``, ``population``, ``target``, ``need``, ``weight``,
        ``neediest_quintile``, ``tt_house_min``, ``tt_frequent_min`` (``inf`` = unreachable),
        ``covered_house``, ``covered_frequent``, ``site_house`` (the sector's house: the one
        the model assigned it to for p-median and capacities, else the nearest open house),
        ``site_frequent``, ``served_house_share`` (with capacities: share of the families
        served within R_H), ``wijk`` / ``wijk_name`` / ``municipality`` when the sector file
        has them, then the sector file's other columns (need indicators, flags), polygons.
    points : geopandas.GeoDataFrame or None
        Per demand row (a demand point, or the sector's point with ``demand.points: sector``):
        ``point_id``, ``sector_id``, ``share`` (of the sector's families), ``target``, ``need``,
        ``weight``, ``neediest_quintile``, the times, coverage flags and sites as for sectors,
        ``snap_m``, points. The sector table aggregates it (:mod:`planner.results.sectors`):
        its ``covered_house_share`` / ``covered_frequent_share`` are the shares of its families
        within the standard and ``covered_house`` / ``covered_frequent`` say that at least half
        are.
    sites : geopandas.GeoDataFrame
        Every candidate: ``site_id``, ``name``, ``type``, ``role`` (house / antenne / closed),
        ``existing``, ``existing_role``, ``can_house``, ``can_antenne``, ``forbidden``,
        ``cost`` (euro spent on it in this plan), ``linked_house``, ``families_house``,
        ``families_frequent``, the site file's other columns (co-location flags such as
        ``is_school``, ``is_childcare``, ``is_consultatiebureau``), points.
    links : geopandas.GeoDataFrame
        One line per antenne: ``antenne_id``, ``house_id``, ``minutes``.
    solve : SolveResult
        Status, objective, bound, gap and runtime as the solver reported them.
    summary : dict
        The figures written to ``summary.json``.
    timings : dict
        Seconds per stage.
    network : Network or None
        The street graph used, for maps and later analysis.
    """

    scenario: Scenario
    sectors: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    links: gpd.GeoDataFrame
    solve: SolveResult
    summary: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)
    network: Network | None = None
    points: gpd.GeoDataFrame | None = None

    def with_timings(self, timings: dict[str, float]) -> Plan:
        """Return a copy with stage timings recorded in the plan (not in its summary).

        Timings differ from run to run; they go to ``manifest.json`` so that
        ``summary.json`` stays byte-identical across runs.

        Parameters
        ----------
        timings
            Seconds per stage.

        Returns
        -------
        Plan
            The same plan with ``timings`` set.
        """
        rounded = {stage: round(seconds, 3) for stage, seconds in timings.items()}
        return dataclasses.replace(self, timings=rounded)


def _site_ids(index: np.ndarray, ids: np.ndarray) -> list[str | None]:
    return [str(ids[k]) if k >= 0 else None for k in index]


def _sites_table(
    inputs: Inputs,
    solution: CoverageSolution,
    travel: TravelTimes,
    demand: Demand,
    house_idx: np.ndarray,
    frequent_idx: np.ndarray,
) -> gpd.GeoDataFrame:
    sites = inputs.sites
    ids = sites["site_id"].to_numpy()
    role = np.where(solution.house, "house", np.where(solution.antenne, "antenne", "closed"))
    existing_role = sites["existing_role"].to_numpy()
    existing = existing_role != ""
    # an existing site kept in its own role is free; opened in another role it pays that role
    cost = np.where(
        solution.house & (existing_role != "house"),
        sites["cost_house"].to_numpy(),
        np.where(
            solution.antenne & (existing_role != "antenne"), sites["cost_antenne"].to_numpy(), 0.0
        ),
    )
    n_sites = len(sites)
    families_house = np.bincount(
        house_idx[house_idx >= 0], weights=demand.target[house_idx >= 0], minlength=n_sites
    )
    if solution.load is not None:  # capacities: families served within R_H, shares included
        families_house = np.asarray(solution.load, dtype=float)
    families_frequent = np.bincount(
        frequent_idx[frequent_idx >= 0],
        weights=demand.target[frequent_idx >= 0],
        minlength=n_sites,
    )
    link_minutes = np.array(
        [travel.site_site[j, k] if k >= 0 else np.nan for j, k in enumerate(solution.link)]
    )
    table = gpd.GeoDataFrame(
        {
            "site_id": ids,
            "name": sites["name"].to_numpy(),
            "type": sites["type"].to_numpy(),
            "role": role,
            "existing": existing,
            "existing_role": sites["existing_role"].to_numpy(),
            "can_house": sites["can_house"].to_numpy(),
            "can_antenne": sites["can_antenne"].to_numpy(),
            "forbidden": sites["forbidden"].to_numpy(),
            "cost_house": sites["cost_house"].to_numpy(),
            "cost_antenne": sites["cost_antenne"].to_numpy(),
            "cost": cost,
            "linked_house": _site_ids(solution.link, ids),
            "link_min": link_minutes,
            "families_house": families_house,
            "families_frequent": families_frequent,
            "snap_m": travel.site_snap_m,
        },
        geometry=sites.geometry.to_numpy(),
        crs=sites.crs,
    )
    # the file's other columns (co-location flags is_school, ..., wijk, source) ride along
    for column in sites.columns:
        if column != sites.geometry.name and column not in table.columns:
            table[column] = sites[column].to_numpy()
    return table


def _links_table(
    sites: gpd.GeoDataFrame, solution: CoverageSolution, travel: TravelTimes
) -> gpd.GeoDataFrame:
    antennes = np.flatnonzero(solution.link >= 0)
    houses = solution.link[antennes]
    geometry = [
        LineString([sites.geometry.iloc[j], sites.geometry.iloc[k]])
        for j, k in zip(antennes, houses, strict=True)
    ]
    return gpd.GeoDataFrame(
        {
            "antenne_id": sites["site_id"].to_numpy()[antennes],
            "house_id": sites["site_id"].to_numpy()[houses],
            "minutes": travel.site_site[antennes, houses],
        },
        geometry=geometry,
        crs=sites.crs,
    )


def _summary(
    scenario: Scenario,
    solution: CoverageSolution,
    demand: Demand,
    points: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    travel: TravelTimes,
    inputs: Inputs,
    data_notes: list[str],
) -> dict[str, Any]:
    result = solution.result
    covered_house = points["covered_house"].to_numpy(dtype=bool)
    covered_frequent = points["covered_frequent"].to_numpy(dtype=bool)
    new = ~sites["existing"].to_numpy(dtype=bool)
    notes: list[str] = list(data_notes)
    cheapest = np.concatenate(
        [
            sites.loc[sites["can_house"] & new & ~sites["forbidden"], "cost_house"].to_numpy(),
            sites.loc[sites["can_antenne"] & new & ~sites["forbidden"], "cost_antenne"].to_numpy(),
        ]
    )
    kind = scenario.objective.kind
    budget_too_small = bool(
        kind in {"max_coverage", "max_attendance"}
        and scenario.budget.basis == "investment"
        and cheapest.size
        and scenario.budget.amount_eur < cheapest.min()
    )
    unit = "demand point" if demand.by_point else "sector"
    notes += _model_notes(scenario, float(sites["cost"].sum()), solution.figures, unit)
    if budget_too_small:
        question = " is it in euro? The" if scenario.budget.amount_eur > 0 else " the"
        text = (
            f"budget EUR {scenario.budget.amount_eur:,.0f} is below the cheapest new site "
            f"(EUR {cheapest.min():,.0f}):{question} plan keeps only the existing sites"
        )
        logger.warning(text)
        notes.append(text)
    imputed_ids = _imputed_sectors(scenario, inputs.sectors, demand)
    if demand.imputed:
        missing = len(demand.imputed)
        notes.append(
            f"{count(missing, 'sector')} {'misses' if missing == 1 else 'miss'} a need indicator "
            "value, imputed with the median"
        )
    max_snap = scenario.travel.max_snap_distance_m  # why pairs have no route, per end
    notes += reach_notes(travel, demand, sites["site_id"].to_numpy(dtype=object), max_snap)
    notes += [f"solver check: {result.remark}"] if result.remark else []
    extras, extra_notes = plan_extras(
        scenario, solution, demand, (covered_house, covered_frequent), sites
    )
    notes += extra_notes
    neediest = demand.neediest
    return {
        "scenario": scenario.name,
        "description": scenario.description,
        "overrides": list(scenario.overrides),
        "status": result.status,
        "proven_optimal": result.proven_optimal,
        "objective": _round(result.objective),
        "bound": _round(result.bound),
        "gap": _round(result.gap, 6),
        "solver": result.solver,
        "solver_remark": result.remark or None,
        "tie_break": {True: "exact", False: "not proven", None: None}[solution.tie_break_exact],
        "model": solution.model,
        "model_figures": dict(solution.figures),
        "coverage_objective": round(solution.coverage_objective, 6),
        "cost": round(float(sites["cost"].sum()), 2),
        "budget": scenario.budget.amount_eur,
        "budget_too_small": budget_too_small,
        "houses": int((sites["role"] == "house").sum()),
        # new in its role: an existing antenne turned into a house is a new house (and pays)
        "houses_new": int(((sites["role"] == "house") & (sites["existing_role"] != "house")).sum()),
        "antennes": int((sites["role"] == "antenne").sum()),
        "antennes_new": int(
            ((sites["role"] == "antenne") & (sites["existing_role"] != "antenne")).sum()
        ),
        "sectors": len(inputs.sectors),
        "demand_points": _demand_points(demand),
        "population": round(float(inputs.sectors["population"].sum()), 2),
        "target_population": round(float(demand.target.sum()), 2),
        "equity_lambda": scenario.need.equity_lambda,
        "standards_min": {
            "house": scenario.standards.house_min,
            "frequent": scenario.standards.frequent_min,
            "link": scenario.standards.link_min,
            "need_tightening": scenario.standards.need_tightening,
        },
        "mode": scenario.travel.mode,
        **modes_block(scenario, demand, covered_house, covered_frequent, solution),
        "coverage": {
            "house": _served_share(solution, covered_house, demand.target),
            "frequent": coverage_share(covered_frequent, demand.target),
            "house_neediest_quintile": _served_share(
                solution, covered_house, demand.target, neediest
            ),
            "frequent_neediest_quintile": coverage_share(covered_frequent, demand.target, neediest),
        },
        "travel_time_min": {
            "house": travel_time_stats(points["tt_house_min"].to_numpy(), demand.target),
            "frequent": travel_time_stats(points["tt_frequent_min"].to_numpy(), demand.target),
        },
        "equity": equity_summary(
            need=demand.need,
            target=demand.target,
            tt_house=points["tt_house_min"].to_numpy(dtype=float),
            tt_frequent=points["tt_frequent_min"].to_numpy(dtype=float),
            radius_house=demand.radius_house,
            radius_frequent=demand.radius_frequent,
            served_house=None if solution.served is None else np.asarray(solution.served, float),
            sector=demand.sector if demand.by_point else None,
        ),
        **extras,
        "imputed_sectors": imputed_ids,
        "notes": notes,
    }


def _demand_points(demand: Demand) -> dict[str, Any]:
    """How the families were placed: method, points, rows, sectors that kept one point.

    With several modes a demand point has a row per mode, so points and rows differ.
    """
    rows = int(demand.sector.shape[0])
    point = np.arange(rows) if demand.point is None else demand.point
    first = np.unique(point, return_index=True)[1]  # one row per demand point
    per_sector = np.bincount(demand.sector[first], minlength=demand.n_sectors)
    return {
        "method": demand.method,
        "points": int(first.shape[0]),
        "rows": rows,
        "one_point_sectors": int((per_sector == 1).sum()),
    }


def _imputed_sectors(scenario: Scenario, sectors: gpd.GeoDataFrame, demand: Demand) -> list[str]:
    """Return the sectors with an imputed need indicator: missing here, or flagged by prepare.

    ``planner data`` imputes suppressed incomes itself and flags them in
    ``median_income_suppressed``; the run then sees no missing value, so the flag counts.
    """
    flagged = imputed_flags(scenario, sectors)
    ids = set(demand.imputed) | set(sectors.loc[flagged, "sector_id"].astype(str))
    return sorted(ids)


def _served_share(
    solution: CoverageSolution,
    covered_house: np.ndarray,
    target: np.ndarray,
    mask: np.ndarray | None = None,
) -> float | None:
    """Return the share of families with a house within R_H (with capacities: served there)."""
    if solution.served is None:
        return coverage_share(covered_house, target, mask)
    return served_share(np.asarray(solution.served, dtype=float), target, mask)


def _model_notes(
    scenario: Scenario, cost: float, figures: Mapping[str, float | int | None], unit: str
) -> list[str]:
    """Return notes on what the model's answer means for the budget."""
    kind = scenario.objective.kind
    budget = scenario.budget.amount_eur
    notes: list[str] = []
    lost = figures.get("unreachable_sectors")
    if lost:
        lost_families = float(figures.get("unreachable_families") or 0.0)
        notes.append(
            f"{count(int(lost), unit)} ({families(lost_families)}) cannot be reached "
            "by any allowed site within the standards and were left out (objective.unreachable: "
            "skip)"
        )
    if kind in {"set_cover", "set_cover_single"}:
        fits = "within" if cost <= budget else "over"
        notes.append(
            f"reaching every family within the standards costs EUR {cost:,.0f}, {fits} the "
            f"budget of EUR {budget:,.0f} (set cover ignores the budget)"
        )
    if kind in {"p_median", "p_center", "mclp"}:
        notes.append(
            f"{kind} places houses only, with p = {scenario.objective.p}; the budget is not a "
            f"constraint (this plan costs EUR {cost:,.0f})"
        )
    return notes


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _sectors_table(
    inputs: Inputs,
    demand: Demand,
    points: gpd.GeoDataFrame,
    times: tuple[np.ndarray, np.ndarray],
    index: tuple[np.ndarray, np.ndarray],
    solution: CoverageSolution,
) -> gpd.GeoDataFrame:
    """Aggregate the plan per sector from its demand rows (:mod:`planner.results.sectors`)."""
    context = [column for column in _SECTOR_CONTEXT if column in inputs.sectors.columns]
    sectors = inputs.sectors[["sector_id", "name", *context, "population", "target"]].copy()
    first = np.unique(demand.sector, return_index=True)[1]  # a sector's need is every row's
    sectors["need"] = np.round(demand.need[first], 6)
    sectors["weight"] = np.round(demand.per_sector(demand.weight), 6)
    sectors["neediest_quintile"] = demand.neediest[first]
    n_sites = len(inputs.sites)
    ids = inputs.sites["site_id"].to_numpy()
    for tier, minutes, site in zip(("house", "frequent"), times, index, strict=True):
        share = by_sector_mean(points[f"covered_{tier}"].to_numpy(dtype=float), demand)
        sectors[f"tt_{tier}_min"] = np.round(by_sector_median(minutes, demand), 3)
        sectors[f"covered_{tier}"] = share >= 0.5
        sectors[f"covered_{tier}_share"] = np.round(share, 6)
        sectors[f"site_{tier}"] = _site_ids(by_sector_top(site, demand, n_sites), ids)
    if solution.served is not None:
        served = by_sector_mean(np.asarray(solution.served, dtype=float), demand)
        sectors["served_house_share"] = np.round(served, 6)
    sectors["snap_m"] = np.round(by_sector_mean(points["snap_m"].to_numpy(float), demand), 2)
    sectors["points"] = np.bincount(demand.sector, minlength=demand.n_sectors)
    given = inputs.sectors.drop(columns=inputs.sectors.geometry.name)  # indicators and flags
    sectors = sectors.join(given[given.columns.difference(sectors.columns, sort=False)])
    return gpd.GeoDataFrame(sectors, geometry=inputs.sectors.geometry, crs=inputs.sectors.crs)


def make_plan(
    scenario: Scenario,
    inputs: Inputs,
    demand: Demand,
    travel: TravelTimes,
    solution: CoverageSolution,
    network: Network | None = None,
) -> Plan:
    """Join the solver's choice back onto sectors and sites and compute the summary.

    Parameters
    ----------
    scenario
        The scenario.
    inputs
        Sectors and sites as read.
    demand
        Families, need, weights and standards per demand row (a demand point, or the sector).
    travel
        Travel-time matrices.
    solution
        Houses, antennes and links chosen by the optimiser.
    network
        The street graph, kept on the plan for later use.

    Returns
    -------
    Plan
        The frozen plan.
    """
    d = travel.sector_site
    tt_house, house_idx = nearest_open(d, solution.house)
    if solution.assign is not None:  # the model assigned sectors (p-median, capacities)
        assigned = np.asarray(solution.assign) >= 0
        house_idx = np.where(assigned, solution.assign, house_idx)
        rows = np.flatnonzero(assigned)
        tt_house = tt_house.copy()
        tt_house[rows] = d[rows, house_idx[rows]]
    tt_frequent, frequent_idx = nearest_open(d, solution.house | solution.antenne)
    ids = inputs.sites["site_id"].to_numpy()
    covered_house = tt_house <= demand.radius_house
    covered_frequent = tt_frequent <= demand.radius_frequent
    columns: dict[str, np.ndarray | list[str | None]] = {
        "tt_house_min": np.round(tt_house, 3),
        "tt_frequent_min": np.round(tt_frequent, 3),
        "covered_house": covered_house,
        "covered_frequent": covered_frequent,
        "site_house": _site_ids(house_idx, ids),
        "site_frequent": _site_ids(frequent_idx, ids),
    }
    if solution.served is not None:  # capacities: share of families served within R_H
        columns["served_house_share"] = np.round(solution.served, 6)
    columns |= fastest_columns(scenario, travel, (house_idx, frequent_idx))
    columns["snap_m"] = np.round(travel.sector_snap_m, 2)
    sector_ids = inputs.sectors["sector_id"].astype(str).to_numpy(dtype=object)
    points = points_table(demand, row_ids(inputs, demand), sector_ids, columns, inputs.sectors.crs)
    sectors = _sectors_table(
        inputs, demand, points, (tt_house, tt_frequent), (house_idx, frequent_idx), solution
    )
    sites = _sites_table(inputs, solution, travel, demand, house_idx, frequent_idx)
    links = _links_table(sites, solution, travel)
    summary = _summary(
        scenario, solution, demand, points, sites, travel, inputs, input_notes(scenario, inputs)
    )
    # distance decay: the families expected to use each tier (summary["attendance"])
    summary["attendance"] = attendance_summary(
        scenario,
        tt_house,
        tt_frequent,
        (demand.radius_house, demand.radius_frequent),
        demand.target,
        demand.neediest,
    )
    # the same plan under speeds ±10 % and standards ±1 min, and at the common standard
    served = None if solution.served is None else np.asarray(solution.served, dtype=float)
    summary |= standard_figures(scenario.standards, tt_house, tt_frequent, demand, served)
    # today: the existing sites alone, evaluated like the plan; both per wijk
    roles = inputs.sites["existing_role"].to_numpy(dtype=object)
    summary |= today_figures(roles, d, demand, (covered_house, covered_frequent), sectors, served)
    logger.info(
        "Plan: %d houses, %d antennes, cost EUR %s; %.1f%% of families within the house "
        "standard, %.1f%% within the frequent standard",
        summary["houses"],
        summary["antennes"],
        f"{summary['cost']:,.0f}",
        100 * (summary["coverage"]["house"] or 0.0),
        100 * (summary["coverage"]["frequent"] or 0.0),
    )
    return Plan(
        scenario=scenario,
        sectors=sectors,
        points=points,
        sites=sites,
        links=links,
        solve=solution.result,
        summary=summary,
        network=network,
    )
