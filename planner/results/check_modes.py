r"""The plan check of several modes: shares combined as stated, coverage per mode recomputed.

With rows split by mode (``travel.combine: share``, :mod:`planner.demand.modes`):

- the families of sector :math:`i` using mode :math:`m` (summed over its rows of that mode)
  are :math:`T_i s_{im}`, with :math:`s_{im}` read again from the scenario and the sectors;
- the points layer names each row's mode;
- ``coverage_by_mode``: for each mode the families using it and the shares of them with an
  open house within the mode's :math:`R^m_H(q)` (with capacities: served there) and a house or
  antenne within :math:`R^m_A(q)`, recomputed from the mode's rows of the travel matrix; the
  overall share :math:`\sum_m F_m c_m / \sum_m F_m` equals ``coverage``.

Under ``travel.combine: any`` the matrix is already the fastest mode's (standard-equivalent
minutes), checked like any other; here each row's reaching mode and its own minutes must give
those minutes back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from planner.demand.modes import equivalent_scale, mode_shares
from planner.results.check_base import SHARE_TOL

if TYPE_CHECKING:
    from planner.data.inputs import Inputs
    from planner.results.check_base import Check, FloatArray
    from planner.results.plan import Plan

__all__ = ["check_modes"]

_FAMILIES_TOL = 0.01


def _within(d: FloatArray, is_open: np.ndarray, radius: FloatArray) -> FloatArray:
    inside = (d <= radius[:, np.newaxis]) & is_open[np.newaxis, :]
    return np.asarray(inside.any(axis=1), dtype=float)


def _check_fastest(c: Check, plan: Plan) -> None:
    """Under ``any``: each row's own-mode minutes times the mode's scale are its minutes."""
    points = plan.points
    if points is None or "mode_house" not in points.columns:
        c.problems.append("the points layer has no mode_house column (combine: any)")
        return
    factors = equivalent_scale(c.scenario.travel, c.scenario.standards)
    scale = dict(zip(c.scenario.travel.modes, factors, strict=True))
    for tier in ("house", "frequent"):
        named = points[f"mode_{tier}"]
        factor = named.map(scale).to_numpy(dtype=float)  # NaN where no site is open
        own = points[f"tt_{tier}_mode_min"].to_numpy(dtype=float)
        tt = points[f"tt_{tier}_min"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            bad = np.isfinite(tt) & ~(np.abs(own * factor - tt) <= 0.01)
        if bad.any():
            c.problems.append(
                f"{int(bad.sum())} rows' tt_{tier}_mode_min by their mode_{tier} do not give "
                f"tt_{tier}_min"
            )
    c.checked.append("the mode reaching each row (combine: any)")


def check_modes(c: Check, plan: Plan, inputs: Inputs) -> None:
    """Check the split by mode and the coverage per mode of a plan (nothing for one mode).

    Parameters
    ----------
    c
        The check under way (its truth holds the rows' modes).
    plan
        The plan (its points layer and summary).
    inputs
        The sectors (their mode share columns).
    """
    t, p = c.truth, c.claim
    spec = c.scenario.travel
    if spec.modes and spec.combine == "any":
        _check_fastest(c, plan)
    if t.mode is None or not spec.modes:
        return
    n_modes = len(t.modes)
    shares = mode_shares(spec, inputs.sectors)
    key = t.sector * n_modes + t.mode
    families = np.bincount(key, weights=t.target, minlength=t.n_sectors * n_modes)
    sector_target = inputs.sectors["target"].to_numpy(dtype=float)
    expected = (sector_target[:, np.newaxis] * shares).ravel()
    off = np.abs(families - expected) > _FAMILIES_TOL
    if off.any():
        c.problems.append(
            f"families per sector and mode are not T_i s_im in {int(off.sum())} (sector, mode) "
            f"pairs (largest off by {float(np.abs(families - expected).max()):.6g})"
        )
    if plan.points is None or "mode" not in plan.points.columns:
        c.problems.append("the points layer has no mode column")
    else:
        named = plan.points["mode"].astype(str).to_numpy()
        if (named != np.asarray(t.modes, dtype=object)[t.mode]).any():
            c.problems.append("the points layer's mode column does not match the rows' modes")
    if p.served is not None or c.kind == "p_median":  # assigned: the checked flags count
        house = np.nan_to_num(p.served) if p.served is not None else p.covered_house * 1.0
    else:
        house = _within(t.d, p.house, t.radius_house)
    frequent = _within(t.d, p.house | p.antenne, t.radius_frequent)
    claimed = c.summary.get("modes", {}).get("coverage_by_mode", {})
    total = float(t.target.sum())
    overall = 0.0
    for k, name in enumerate(t.modes):  # a few modes
        mask = t.mode == k
        f = float(t.target[mask].sum())
        mine = claimed.get(name, {})
        c.same(f"coverage_by_mode.{name}.families", mine.get("families"), f, _FAMILIES_TOL)
        for tier, value in (("house", house), ("frequent", frequent)):
            share = float(t.target[mask] @ value[mask]) / f if f > 0 else None
            c.same(f"coverage_by_mode.{name}.{tier}", mine.get(tier), share, SHARE_TOL)
        overall += float(t.target[mask] @ house[mask])
    if total > 0:
        c.same(
            "coverage.house (sum over modes)",
            c.summary["coverage"]["house"],
            overall / total,
            SHARE_TOL,
        )
    c.checked.append("mode shares and coverage per mode")
