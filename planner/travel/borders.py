r"""Keep families to the sites of their own group: ``rules.serve_within`` (e.g. municipality).

A region's plan may put a house that serves families across a municipal border (the default).
With ``rules.serve_within: municipality`` a family is served only by the houses and antennes
of its own municipality: the travel time of every row-site pair of different groups becomes
unreachable,

.. math::

    d'_{qj} = \begin{cases} d_{qj} & g(q) = g(j) \\ \infty & \text{otherwise,} \end{cases}

before the model, the plan and its check see the matrix, so that every model kind and every
figure honours the rule exactly (a covering row only lists sites of its own group). The
group of a row is its sector's value of the column; a site's is its own column or else the
sector it stands in. Rows or sites without a group form a group of their own (empty).
Antenne-house links and the house spacing keep their site-to-site times.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np

from planner.errors import DataError

if TYPE_CHECKING:
    import pandas as pd
    from numpy.typing import NDArray

    from planner.data.inputs import Inputs
    from planner.travel.matrices import TravelTimes

__all__ = ["group_labels", "keep_within_groups"]

logger = logging.getLogger(__name__)


def _labels(values: pd.Series) -> NDArray[np.str_]:
    text = values.astype("string").str.strip().fillna("")
    return np.asarray(text.to_numpy(dtype=str))


def group_labels(inputs: Inputs, column: str) -> tuple[NDArray[np.str_], NDArray[np.str_]]:
    """Return the group of every sector and of every site (``""`` where there is none).

    Parameters
    ----------
    inputs
        The sectors (with ``column``) and sites as read.
    column
        The group column, e.g. ``municipality``.

    Returns
    -------
    sector_group, site_group : numpy.ndarray
        ``(n_sectors,)`` and ``(n_sites,)`` labels.

    Raises
    ------
    DataError
        When the sectors have no such column.
    """
    sectors, sites = inputs.sectors, inputs.sites
    if column not in sectors.columns:
        raise DataError(
            f"rules.serve_within ({column}): the sectors have no column {column!r}; prepare a "
            "region with planner data (it writes municipality) or name another column"
        )
    sector_group = _labels(sectors[column])
    if column in sites.columns:
        return sector_group, _labels(sites[column])
    polygons = gpd.GeoDataFrame(
        {"sector_index": np.arange(len(sectors))},
        geometry=sectors.geometry.to_numpy(),
        crs=sectors.crs,
    )
    points = gpd.GeoDataFrame(
        {"site_index": np.arange(len(sites))}, geometry=sites.geometry.to_numpy(), crs=sites.crs
    )
    joined = gpd.sjoin(points, polygons, how="left", predicate="intersects")
    first = joined.sort_values(["site_index", "sector_index"], kind="stable").drop_duplicates(
        "site_index"
    )
    index = first.sort_values("site_index")["sector_index"].to_numpy(dtype=float)
    inside = np.isfinite(index)
    site_group = np.full(len(sites), "", dtype=sector_group.dtype if len(sector_group) else "<U1")
    site_group = site_group.astype(object)
    site_group[inside] = sector_group[index[inside].astype(np.int64)]
    return sector_group, np.asarray(site_group, dtype=str)


def keep_within_groups(
    times: TravelTimes, row_group: NDArray[np.str_], site_group: NDArray[np.str_]
) -> TravelTimes:
    """Make every row-site pair of different groups unreachable (module docstring).

    Parameters
    ----------
    times
        The travel times of the demand rows.
    row_group
        ``(n_rows,)`` the group of each row.
    site_group
        ``(n_sites,)`` the group of each site.

    Returns
    -------
    TravelTimes
        A copy with ``inf`` across groups; ``unreachable_pairs`` still counts the pairs
        without a route only (a pair across a border is excluded by the rule, not unroutable).
    """
    across = np.asarray(row_group)[:, np.newaxis] != np.asarray(site_group)[np.newaxis, :]
    d = np.where(across, np.inf, times.sector_site)
    logger.info(
        f"Families served within their own group only: {int(across.sum()):,} row-site pairs "
        "across a border made unreachable"
    )
    return replace(times, sector_site=np.ascontiguousarray(d))
