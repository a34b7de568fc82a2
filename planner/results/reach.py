"""Why some sector-site pairs have no route, in words a reader can check.

The travel matrices mark a pair without a route ``inf``. Almost always that is because one end
lies farther from every street than ``travel.max_snap_distance_m``: a demand point in a park
or a field, or a candidate site with wrong coordinates. :func:`reach_notes` says so per end
(how many demand points, in how many sectors, with how many families; how many sites, which),
and counts the pairs left apart (ends on pieces of the street network that do not connect).
The notes are English, like every summary note; the council note words them in its language
(:mod:`planner.report.note_remarks`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from planner.results.metrics import count, families

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from planner.demand import Demand
    from planner.travel.matrices import TravelTimes

__all__ = ["reach_notes"]

_SHOWN = 3


def reach_notes(
    travel: TravelTimes, demand: Demand, site_ids: NDArray[np.object_], max_snap_m: float
) -> list[str]:
    """Say which demand points and sites are too far from a street, and what else has no route.

    Parameters
    ----------
    travel
        The travel times (``sector_snap_m``, ``site_snap_m``, ``unreachable_pairs``).
    demand
        The demand rows (their sector and families).
    site_ids
        ``(n_sites,)`` the sites' ids, to name the far ones.
    max_snap_m
        ``travel.max_snap_distance_m``: farther from every street is unreachable.

    Returns
    -------
    list of str
        E.g. "1 demand point in 1 sector (0.04 families) is more than 500 m from a street and
        counts as unreachable", "1 candidate site (gen-44021X) is more than 500 m from a street
        and cannot be chosen", "12 other demand point-site pairs have no route over the street
        network"; empty when every pair has a route.
    """
    if not travel.unreachable_pairs:
        return []
    far_rows = np.asarray(travel.sector_snap_m, dtype=float) > max_snap_m
    far_sites = np.asarray(travel.site_snap_m, dtype=float) > max_snap_m
    notes = []
    metres = f"{max_snap_m:,.0f} m"
    if far_rows.any():
        n = int(far_rows.sum())
        sectors = int(np.unique(demand.sector[far_rows]).shape[0])
        where = (
            f"{count(n, 'demand point')} in {count(sectors, 'sector')}"
            if demand.by_point
            else count(n, "sector")
        )
        lost = float(demand.target[far_rows].sum())
        who = "less than 1 family" if 0 < lost < 1 else families(lost)
        notes.append(
            f"{where} ({who}) "
            f"{'is' if n == 1 else 'are'} more than {metres} from a street and "
            f"{'counts' if n == 1 else 'count'} as unreachable"
        )
    if far_sites.any():
        n = int(far_sites.sum())
        shown = ", ".join(str(site) for site in site_ids[far_sites][:_SHOWN])
        more = f" and {n - _SHOWN} more" if n > _SHOWN else ""
        notes.append(
            f"{count(n, 'candidate site')} ({shown}{more}) {'is' if n == 1 else 'are'} more "
            f"than {metres} from a street and cannot be chosen"
        )
    rows, sites = far_rows.shape[0], far_sites.shape[0]
    explained = int(far_rows.sum()) * sites + int(far_sites.sum()) * rows
    explained -= int(far_rows.sum()) * int(far_sites.sum())
    other = travel.unreachable_pairs - explained
    if other > 0:
        unit = "demand point" if demand.by_point else "sector"
        notes.append(
            f"{count(other, f'other {unit}-site pair')} {'has' if other == 1 else 'have'} no "
            "route over the street network (pieces of it that do not connect)"
        )
    return notes
