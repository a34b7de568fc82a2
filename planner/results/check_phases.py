r"""The plan check of a phased rollout, per phase, from the inputs and the travel matrices.

From the sites table (``role``, ``phase_year``) it rebuilds what is open in each phase (an
existing site in every phase, a new one from its year on) and recomputes, from the raw costs
and travel times: each phase's spend and its budget (its own, or with ``carry_over`` what is
left of the budgets so far), that every antenne has an open house within :math:`L` in each
phase, the counts, the four headline coverage shares and the coverage objective per phase,
and the solver's objective, the weighted mean :math:`\sum_t \hat\omega_t \text{cov}_t`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from planner.results.check_base import EURO_TOL, REL_TOL, SHARE_TOL, TIE_BREAK
from planner.results.phases import phase_coverage

if TYPE_CHECKING:
    from planner.results.check_base import BoolArray, Check, FloatArray
    from planner.results.plan import Plan

__all__ = ["check_phases"]


def check_phases(c: Check, plan: Plan) -> None:
    """Recompute every phase's spend, links, counts and coverage; add what disagrees.

    Parameters
    ----------
    c
        The check under way (the scenario, the inputs' truth, the plan's claim, the summary).
    plan
        The plan (its sites table gives ``phase_year``).
    """
    phases = c.scenario.budget.phases
    if not phases:
        return
    block = c.summary.get("phases")
    if not isinstance(block, dict) or "phase_year" not in plan.sites.columns:
        c.problems.append("phases: the plan has no phases block or no phase_year per site")
        return
    t = c.truth
    year = plan.sites["phase_year"].to_numpy(dtype=np.float64, na_value=np.nan)
    new = np.isfinite(year)
    known = {p.year for p in phases}
    stray = new & ~np.isin(year, list(known))
    c.require(stray, "phases: sites open in a year that is no phase")
    opened_house = c.claim.house & ~t.existing_house
    opened_antenne = c.claim.antenne & ~t.existing_antenne
    c.require((opened_house | opened_antenne) & ~new, "phases: new sites without a phase_year")
    cost = np.where(opened_house, t.cost_house, 0.0) + np.where(opened_antenne, t.cost_antenne, 0.0)
    weights = np.array([p.weight for p in phases], dtype=np.float64)
    values = []
    spent = 0.0
    budget_so_far = 0.0
    for phase in phases:  # a handful of phases
        open_now = ~new | (year <= phase.year)
        house, antenne = c.claim.house & open_now, c.claim.antenne & open_now
        spend = float(cost[new & (year == phase.year)].sum())
        spent += spend
        budget_so_far += phase.amount_eur
        limit = (
            budget_so_far - (spent - spend) if c.scenario.budget.carry_over else phase.amount_eur
        )
        if spend > limit * (1 + 1e-9) + EURO_TOL:
            c.problems.append(
                f"phase {phase.year} spends EUR {spend:,.2f}, over the EUR {limit:,.2f} it has"
            )
        _check_links(c, phase.year, house, antenne)
        values.append(_check_figures(c, block, phase.year, house, antenne, spend))
    objective = float(weights @ np.asarray(values)) / float(weights.sum())
    scale = float(t.weight.sum())
    c.same("phases.objective", block.get("objective"), objective, SHARE_TOL * scale)
    if len(phases) > 1 and c.objective is not None:
        slack = TIE_BREAK * scale + REL_TOL * max(1.0, abs(objective))
        if not objective - slack <= c.objective <= objective + SHARE_TOL * scale:
            c.problems.append(
                f"objective (phases): the solver says {c.objective:g}, recomputed weighted "
                f"coverage {objective:g} (off by {objective - c.objective:.6g})"
            )
    c.checked.append("phases")


def _check_links(c: Check, year: int, house: BoolArray, antenne: BoolArray) -> None:
    """Every antenne open in the phase has a house open in it within ``L``."""
    link = c.scenario.standards.link_min
    e = c.truth.e
    near = np.isfinite(e) & (e <= link + 1e-9)
    linked = (near & house[np.newaxis, :]).any(axis=1)
    c.require(antenne & ~linked, f"phase {year}: antennes without an open house within L")


def _check_figures(
    c: Check,
    block: dict[str, object],
    year: int,
    house: BoolArray,
    antenne: BoolArray,
    spend: float,
) -> float:
    """Compare one phase's counts, spend and coverage with the summary; return its value."""
    t = c.truth
    covered_house, covered_frequent = phase_coverage(
        t.d, t.radius_house, t.radius_frequent, house, antenne
    )
    alpha = c.scenario.objective.alpha
    value = float(t.weight @ (alpha * covered_house + (1 - alpha) * covered_frequent))
    by_year = block.get("by_year")
    claimed = by_year.get(str(year)) if isinstance(by_year, dict) else None
    if not isinstance(claimed, dict):
        c.problems.append(f"phase {year}: missing from summary.phases")
        return value
    name = f"phases.{year}"
    c.same(f"{name}.houses", claimed.get("houses"), float(house.sum()), 0.0)
    c.same(f"{name}.antennes", claimed.get("antennes"), float(antenne.sum()), 0.0)
    c.same(f"{name}.spend", claimed.get("spend"), spend, EURO_TOL)
    shares = claimed.get("coverage")
    shares = shares if isinstance(shares, dict) else {}
    for key, covered, mask in (
        ("house", covered_house, None),
        ("frequent", covered_frequent, None),
        ("house_neediest_quintile", covered_house, t.neediest),
        ("frequent_neediest_quintile", covered_frequent, t.neediest),
    ):
        c.same(
            f"{name}.coverage.{key}", shares.get(key), _share(t.target, covered, mask), SHARE_TOL
        )
    c.same(
        f"{name}.coverage_objective",
        claimed.get("coverage_objective"),
        value,
        SHARE_TOL * float(t.weight.sum()),
    )
    return value


def _share(target: FloatArray, covered: BoolArray, mask: BoolArray | None) -> float | None:
    keep = np.ones(target.shape, dtype=bool) if mask is None else mask
    total = float(target[keep].sum())
    return float(target[keep & covered].sum()) / total if total > 0 else None
