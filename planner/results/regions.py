r"""A plan of several municipalities: the figures per municipality, and the approximations used.

:func:`region_summary` adds to a plan's summary:

``municipalities``
    (only when the sectors belong to more than one municipality) one entry per municipality,
    keyed by its NIS code: ``municipality`` (the code), ``name`` when known, ``sectors``,
    ``families``, ``reached_house`` / ``reached_frequent`` (families within the standards, as
    the sector table counts them: :math:`\sum_i T_i \cdot \text{covered share}_i`), their shares,
    ``houses``, ``antennes``, ``cost`` of the sites standing in the municipality, and
    ``served_across_border``: the families whose house (the one most of a sector's families
    use) stands in another municipality.
``travel_model``
    (only for straight-line travel) the model, its circuity per mode and its labels
    ("hemelsbreed x 1,3", "straight line x 1.3", with a multiplication sign).

The municipality of a sector is its ``municipality`` column (``planner data`` writes it); a
site's is its own ``municipality`` column or else the sector it stands in.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from planner.scenario.travel_model import circuity_of, straight_line_label, uses_straight_line

if TYPE_CHECKING:
    from planner.data.inputs import Inputs
    from planner.results.plan import Plan

__all__ = ["MUNICIPALITY_COLUMN", "municipality_table", "region_summary", "site_municipalities"]

logger = logging.getLogger(__name__)

MUNICIPALITY_COLUMN = "municipality"
"""The sector (and site) column naming each one's municipality."""


def site_municipalities(sites: gpd.GeoDataFrame, sectors: gpd.GeoDataFrame) -> pd.Series:
    """Return each site's municipality: its own column, else the sector it stands in.

    Parameters
    ----------
    sites
        Sites (any order), same CRS as the sectors.
    sectors
        Sectors with a ``municipality`` column.

    Returns
    -------
    pandas.Series
        Municipality code per site (index of ``sites``); missing for a site outside every
        sector.
    """
    if MUNICIPALITY_COLUMN in sites.columns:
        own: pd.Series = sites[MUNICIPALITY_COLUMN].astype("string")
        return own
    joined = gpd.sjoin(
        sites[[sites.geometry.name]],
        sectors[[MUNICIPALITY_COLUMN, sectors.geometry.name]],
        how="left",
        predicate="within",
    )
    joined = joined[~joined.index.duplicated(keep="first")]
    found: pd.Series = joined[MUNICIPALITY_COLUMN].astype("string").reindex(sites.index)
    return found


def municipality_table(plan: Plan, inputs: Inputs) -> list[dict[str, Any]]:
    """Return the per-municipality rows of a plan (module docstring); empty for one municipality.

    Parameters
    ----------
    plan
        The plan (its sector and site tables).
    inputs
        The sectors and sites as read (their ``municipality`` columns).

    Returns
    -------
    list of dict
        One row per municipality, sorted by code.
    """
    sectors = inputs.sectors
    if MUNICIPALITY_COLUMN not in sectors.columns:
        return []
    of_sector = sectors.set_index("sector_id")[MUNICIPALITY_COLUMN].astype("string")
    if of_sector.nunique() < 2:
        return []
    table = pd.DataFrame(
        {
            "municipality": of_sector.reindex(plan.sectors["sector_id"]).to_numpy(),
            "families": plan.sectors["target"].to_numpy(dtype=float),
        }
    )
    table["reached_house"] = table["families"] * plan.sectors["covered_house_share"].to_numpy()
    table["reached_frequent"] = (
        table["families"] * plan.sectors["covered_frequent_share"].to_numpy()
    )
    site_munty = site_municipalities(inputs.sites, sectors)
    by_id = pd.Series(site_munty.to_numpy(), index=inputs.sites["site_id"].astype(str))
    house_munty = by_id.reindex(plan.sectors["site_house"].astype("string")).to_numpy()
    across = pd.notna(house_munty) & (house_munty != table["municipality"].to_numpy())
    table["served_across_border"] = np.where(across, table["reached_house"], 0.0)
    table["sectors"] = 1
    rows = table.groupby("municipality", sort=True).sum(numeric_only=True)
    sites = plan.sites.assign(
        municipality=by_id.reindex(plan.sites["site_id"].astype(str)).to_numpy()
    )
    roles = sites.groupby("municipality")["role"]
    rows["houses"] = roles.apply(lambda r: int((r == "house").sum())).reindex(rows.index)
    rows["antennes"] = roles.apply(lambda r: int((r == "antenne").sum())).reindex(rows.index)
    rows["cost"] = sites.groupby("municipality")["cost"].sum().reindex(rows.index)
    rows = rows.fillna(0.0)
    names = _names(sectors)
    out = []
    for code, row in rows.iterrows():  # one row per municipality: a handful
        families = float(row["families"])
        out.append(
            {
                "municipality": str(code),
                **({"name": names[str(code)]} if str(code) in names else {}),
                "sectors": int(row["sectors"]),
                "families": round(families, 2),
                "reached_house": round(float(row["reached_house"]), 2),
                "reached_frequent": round(float(row["reached_frequent"]), 2),
                "coverage_house": round(float(row["reached_house"]) / families, 6)
                if families
                else None,
                "coverage_frequent": round(float(row["reached_frequent"]) / families, 6)
                if families
                else None,
                "served_across_border": round(float(row["served_across_border"]), 2),
                "houses": int(row["houses"]),
                "antennes": int(row["antennes"]),
                "cost": round(float(row["cost"]), 2),
            }
        )
    return out


def _names(sectors: gpd.GeoDataFrame) -> dict[str, str]:
    column = "municipality_name"
    if column not in sectors.columns:
        return {}
    pairs = sectors[[MUNICIPALITY_COLUMN, column]].dropna().drop_duplicates(MUNICIPALITY_COLUMN)
    return dict(zip(pairs[MUNICIPALITY_COLUMN].astype(str), pairs[column].astype(str), strict=True))


def region_summary(plan: Plan, inputs: Inputs) -> dict[str, Any]:
    """Return the summary keys of a region and of straight-line travel (module docstring).

    Parameters
    ----------
    plan
        The plan.
    inputs
        The sectors and sites as read.

    Returns
    -------
    dict
        ``municipalities`` and ``travel_model`` where they apply; empty otherwise.
    """
    extra: dict[str, Any] = {}
    rows = municipality_table(plan, inputs)
    if rows:
        # keyed by code, so that summary.csv has a line per figure (municipalities.44021.cost)
        extra["municipalities"] = {row["municipality"]: row for row in rows}
        across = sum(row["served_across_border"] for row in rows)
        logger.info(
            f"{len(rows)} municipalities; {across:,.0f} families reach their house across a "
            "municipal border"
        )
    scenario = plan.scenario
    if uses_straight_line(scenario):
        modes = list(scenario.travel.modes) or [scenario.travel.mode]
        circuity = {mode: circuity_of(scenario.travel, mode) for mode in modes}
        main = circuity_of(scenario.travel)
        extra["travel_model"] = {
            "model": "straight_line",
            "approximation": True,
            "circuity": circuity,
            "label_nl": straight_line_label(main, "nl"),
            "label_en": straight_line_label(main, "en"),
        }
    return extra
