r"""Travel without a street network: straight-line distance times a circuity factor.

Where no network file exists (most municipalities in a folder of official files), the time
from a point to a site is the straight-line ("hemelsbreed") distance stretched by a stated
circuity factor :math:`c_m` of the mode and covered at the mode's speed :math:`v_m`:

.. math::

    d_{ij} = \frac{c_m \, \lVert x_i - x_j \rVert}{v_m}, \qquad
    e_{jk} = \frac{c_m \, \lVert x_j - x_k \rVert}{v_m}.

This is an approximation (rivers, railways and motorways without a crossing are ignored) and
every output says so, with the factor: "hemelsbreed x 1,3" ("straight line x 1.3", with
a multiplication sign),
:func:`straight_line_label`. Distances are computed in blocks with
:func:`scipy.spatial.distance.cdist`, no Python loop over points.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
from scipy.spatial.distance import cdist

from planner.errors import DataError
from planner.scenario.travel_model import (
    DEFAULT_CIRCUITY,
    circuity_of,
    straight_line_label,
    uses_straight_line,
)
from planner.travel.matrices import TravelTimes

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = [
    "DEFAULT_CIRCUITY",
    "circuity_of",
    "straight_line_label",
    "straight_line_times",
    "uses_straight_line",
]

logger = logging.getLogger(__name__)


def _minutes(
    a: NDArray[np.float64], b: NDArray[np.float64], metres_per_minute: float
) -> NDArray[np.float64]:
    if a.shape[0] == 0 or b.shape[0] == 0:
        return np.empty((a.shape[0], b.shape[0]), dtype=np.float64)
    return np.ascontiguousarray(cdist(a, b) / metres_per_minute, dtype=np.float64)


def _xy(xy: NDArray[np.float64], name: str) -> NDArray[np.float64]:
    array = np.asarray(xy, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != 2 or not np.isfinite(array).all():
        raise DataError(f"{name} coordinates must be an (n, 2) array of finite x, y in metres")
    return array


def straight_line_times(
    sector_xy: NDArray[np.float64],
    site_xy: NDArray[np.float64],
    *,
    speed_kmh: float,
    circuity: float = DEFAULT_CIRCUITY,
) -> TravelTimes:
    """Return the travel-time matrices of the straight-line model (module docstring).

    Parameters
    ----------
    sector_xy
        ``(n, 2)`` demand points (or sector points), in metres of a projected CRS.
    site_xy
        ``(m, 2)`` sites, same CRS.
    speed_kmh
        The mode's speed.
    circuity
        Street metres per straight-line metre (>= 1).

    Returns
    -------
    TravelTimes
        Point-to-site and site-to-site minutes; every pair is reachable and the snap
        distances are 0 (there is no street to snap to).

    Raises
    ------
    DataError
        When a speed is not positive, the circuity is below 1 or coordinates are not finite.
    """
    problems = []
    if not speed_kmh > 0:
        problems.append(f"straight-line travel needs a positive speed, got {speed_kmh} km/h")
    if not circuity >= 1:
        problems.append(
            f"circuity {circuity:g} is below 1: a street is never shorter than the straight "
            "line; use e.g. 1.3 (travel.circuity)"
        )
    if problems:
        raise DataError(problems)
    points = _xy(sector_xy, "demand point")
    sites = _xy(site_xy, "site")
    metres_per_minute = speed_kmh * 1000.0 / 60.0 / circuity
    sector_site = _minutes(points, sites, metres_per_minute)
    site_site = _minutes(sites, sites, metres_per_minute)
    np.fill_diagonal(site_site, 0.0)
    logger.info(
        f"Computed straight-line travel times (x {circuity:g} at {speed_kmh:g} km/h) for "
        f"{points.shape[0]:,} points and {sites.shape[0]:,} sites"
    )
    return TravelTimes(
        sector_site=sector_site,
        site_site=site_site,
        sector_snap_m=np.zeros(points.shape[0]),
        site_snap_m=np.zeros(sites.shape[0]),
        unreachable_pairs=0,
    )
