r"""Several travel modes in one plan: mode shares per sector and one demand row per mode.

With modes :math:`m`, shares :math:`s_{im}` of sector :math:`i`'s families
(:math:`\sum_m s_{im} = 1`; one split for the scenario, ``travel.modes.<m>.share``, or a
sector column per mode, ``travel.mode_share_columns``) and standards :math:`R^m_H, R^m_A`, a
family is reached for the share of it whose mode reaches an open site within that mode's
standard (``travel.combine: share``):

.. math::

    \text{reached}_q = \sum_m s_{i(q)m}\, [\min_{j \text{ open}} d^m_{qj} \le R^m(q)].

That is exact with more demand rows: row :math:`q` becomes one row :math:`(q, m)` per mode
with :math:`s_{i(q)m} > 0`, families :math:`T_q s_{i(q)m}`, weight :math:`w_q s_{i(q)m}`, the
mode's standards times the row's need tightening :math:`(1 - \mu n_q)`, and the mode's travel
times (:func:`planner.travel.modes.stack_by_mode`). The model's objective
:math:`\sum w u` is then the expected weighted families reached; the model never knows.

With ``travel.combine: any`` a row is reached when any mode reaches an open site within that
mode's standard. When every mode keeps the standards' ratio :math:`R^m_A / R^m_H = R_A / R_H`
(the scenario checks it) this is exact with one matrix in *standard-equivalent minutes*,

.. math::

    d'_{qj} = \min_m d^m_{qj} \, \frac{R_H}{R^m_H},

against the standards :math:`R_H, R_A` (:func:`planner.travel.modes.fastest_by_mode`):
:math:`d'_{qj} \le R_H \iff \exists m: d^m_{qj} \le R^m_H`, and the same for :math:`R_A`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from planner.errors import DataError
from planner.scenario.spec import SHARE_TOL

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from planner.demand.need import Demand
    from planner.scenario import StandardsSpec, TravelSpec

__all__ = ["equivalent_scale", "mode_shares", "split_by_mode"]

_SHOWN = 5


def mode_shares(
    travel: TravelSpec, sectors: pd.DataFrame, problems: list[str] | None = None
) -> NDArray[np.float64]:
    """Return the ``(n_sectors, n_modes)`` share of each sector's families per mode.

    Parameters
    ----------
    travel
        The scenario's travel section (``modes`` and ``mode_share_columns``).
    sectors
        The sector table (its share columns, ``sector_id``).
    problems
        Where problems go; None: raise them.

    Returns
    -------
    numpy.ndarray
        Shares in the order of ``travel.modes``; rows sum to 1.

    Raises
    ------
    DataError
        A share column is missing, not a number in [0, 1], or a sector's shares do not sum
        to 1 (one line each, naming the sectors), when ``problems`` is None.
    """
    found: list[str] = []
    modes = list(travel.modes)
    n = len(sectors)
    if not travel.mode_share_columns:
        split = [travel.modes[mode].share for mode in modes]
        shares = np.tile(np.array([s or 0.0 for s in split], dtype=float), (n, 1))
    else:
        shares = np.zeros((n, len(modes)))
        for k, mode in enumerate(modes):
            column = travel.mode_share_columns[mode]
            if column not in sectors.columns:
                found.append(
                    f"travel.mode_share_columns.{mode}: the sectors have no column '{column}': "
                    "add it to the sector file or fix the key"
                )
                continue
            values = pd.to_numeric(sectors[column], errors="coerce").to_numpy(dtype=float)
            bad = ~((values >= 0) & (values <= 1))
            if bad.any():
                found.append(
                    f"travel.mode_share_columns.{mode}: column '{column}' is not a share in "
                    f"[0, 1] in {_sectors(sectors, bad)}: fill in numbers from 0 to 1"
                )
            shares[:, k] = np.where(bad, np.nan, values)
        if not found:
            total = shares.sum(axis=1)
            off = np.abs(total - 1.0) > SHARE_TOL
            if off.any():
                found.append(
                    f"travel.mode_share_columns: the shares "
                    f"({', '.join(travel.mode_share_columns.values())}) do not sum to 1 in "
                    f"{_sectors(sectors, off, total)}: fix those columns of the sector file"
                )
    if problems is not None:
        problems.extend(found)
    elif found:
        raise DataError(found)
    return shares


def _sectors(
    sectors: pd.DataFrame, mask: NDArray[np.bool_], total: NDArray[np.float64] | None = None
) -> str:
    ids = sectors["sector_id"].astype(str).to_numpy()[mask]
    if total is not None:
        sums = total[mask]
        shown = [f"{i} ({t:g})" for i, t in zip(ids[:_SHOWN], sums[:_SHOWN], strict=False)]
    else:
        shown = list(ids[:_SHOWN])
    more = f" and {ids.shape[0] - _SHOWN} more" if ids.shape[0] > _SHOWN else ""
    word = "sector" if ids.shape[0] == 1 else "sectors"
    return f"{ids.shape[0]} {word} ({', '.join(shown)}{more})"


def split_by_mode(
    demand: Demand,
    shares: NDArray[np.float64],
    travel: TravelSpec,
    standards: StandardsSpec,
) -> Demand:
    r"""Split every demand row into one row per mode with a share (``combine: share``).

    Row :math:`q` of sector :math:`i` becomes rows :math:`(q, m)` for :math:`s_{im} > 0`,
    in the order of ``q`` then ``m`` (still sorted by sector), with :math:`T_q s_{im}`,
    :math:`w_q s_{im}`, share :math:`s_q s_{im}` of the sector's families and standards
    :math:`R^m (1 - \mu n_q)`.

    Parameters
    ----------
    demand
        The rows for one mode (sectors or demand points).
    shares
        ``(n_sectors, n_modes)`` from :func:`mode_shares`.
    travel
        The travel section (the modes and their standards).
    standards
        The standards section (the defaults and the tightening already in ``demand``).

    Returns
    -------
    Demand
        The rows per mode, ``mode``, ``modes`` and ``point`` (the row split) set.
    """
    per_mode = travel.mode_standards(standards)
    house = np.array([per_mode[m][0] for m in travel.modes], dtype=float)
    frequent = np.array([per_mode[m][1] for m in travel.modes], dtype=float)
    row_share = shares[demand.sector]
    point, mode = np.nonzero(row_share > 0)
    point, mode = point.astype(np.int64), mode.astype(np.int64)
    s = row_share[point, mode]
    factor = demand.radius_house[point] / standards.house_min  # 1 - mu n_q
    return replace(
        demand,
        target=demand.target[point] * s,
        need=demand.need[point],
        weight=demand.weight[point] * s,
        neediest=demand.neediest[point],
        radius_house=house[mode] * factor,
        radius_frequent=frequent[mode] * factor,
        xy=demand.xy[point],
        sector=demand.sector[point],
        share=demand.share[point] * s,
        mode=mode,
        modes=tuple(travel.modes),
        point=point,
    )


def equivalent_scale(travel: TravelSpec, standards: StandardsSpec) -> NDArray[np.float64]:
    r"""Return :math:`R_H / R^m_H` per mode: minutes of mode :math:`m` in standard minutes."""
    per_mode = travel.mode_standards(standards)
    return np.array([standards.house_min / per_mode[m][0] for m in travel.modes], dtype=float)
