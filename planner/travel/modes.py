r"""Travel times of several modes combined into the matrices of the demand rows.

See :mod:`planner.demand.modes` for the two rules. ``combine: share`` stacks each mode's
row-to-site matrix onto the rows split by mode (row :math:`(q, m)` gets :math:`d^m_{q\cdot}`);
``combine: any`` keeps the rows and takes :math:`d'_{qj} = \min_m d^m_{qj} R_H / R^m_H`.
Site-to-site times (antenne-house links, house spacing) stay those of ``travel.mode``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from planner.travel.matrices import TravelTimes

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import NDArray

__all__ = ["fastest_by_mode", "stack_by_mode"]


def stack_by_mode(
    per_mode: Sequence[TravelTimes],
    point: NDArray[np.int64],
    mode: NDArray[np.int64],
    site_site: TravelTimes,
) -> TravelTimes:
    """Give each row ``(q, m)`` the times of point ``q`` by mode ``m``.

    Parameters
    ----------
    per_mode
        The travel times of every mode, for the rows before the split (same order as
        ``travel.modes``).
    point, mode
        ``(n_rows,)`` the point and the mode of each row (:func:`split_by_mode`).
    site_site
        The travel times whose site-to-site matrix and site snaps are kept (``travel.mode``).

    Returns
    -------
    TravelTimes
        Row-to-site minutes per row, the kept site-to-site minutes.
    """
    d = np.stack([times.sector_site for times in per_mode])  # (modes, points, sites)
    snap = np.stack([times.sector_snap_m for times in per_mode])
    rows = np.ascontiguousarray(d[mode, point], dtype=np.float64)
    return TravelTimes(
        sector_site=rows,
        site_site=site_site.site_site,
        sector_snap_m=snap[mode, point],
        site_snap_m=site_site.site_snap_m,
        unreachable_pairs=int(np.isinf(rows).sum()),
    )


def fastest_by_mode(
    per_mode: Sequence[TravelTimes], scale: NDArray[np.float64], site_site: TravelTimes
) -> TravelTimes:
    r"""Combine the modes into :math:`d'_{qj} = \min_m d^m_{qj}\, \text{scale}_m`.

    Parameters
    ----------
    per_mode
        The travel times of every mode for the same rows.
    scale
        ``(n_modes,)`` :math:`R_H / R^m_H` (:func:`planner.demand.modes.equivalent_scale`).
    site_site
        The travel times whose site-to-site matrix and site snaps are kept (``travel.mode``).

    Returns
    -------
    TravelTimes
        Standard-equivalent minutes per row and site, the mode giving each
        (``fastest_mode``), the nearest snap of the modes.
    """
    d = np.stack([times.sector_site for times in per_mode]) * scale[:, None, None]
    fastest = np.argmin(d, axis=0).astype(np.int8)
    rows = np.ascontiguousarray(np.take_along_axis(d, fastest[None], axis=0)[0])
    return TravelTimes(
        sector_site=rows,
        site_site=site_site.site_site,
        sector_snap_m=np.stack([times.sector_snap_m for times in per_mode]).min(axis=0),
        site_snap_m=site_site.site_snap_m,
        unreachable_pairs=int(np.isinf(rows).sum()),
        fastest_mode=fastest,
    )
