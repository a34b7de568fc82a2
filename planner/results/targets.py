"""The targets of ``min_cost_targets`` in the summary, and their independent check.

:func:`targets_summary` gives, per target of ``objective.targets``, the share of its group's
families the plan reaches (counted at the demand rows from the plan's covered flags), the
cheapest plan without it and alone, and whether it binds (dropping it lowers the cost; see
:mod:`planner.model.targets`). :func:`check_targets` recomputes each reached share from the
travel matrices and the open sites, and that every target is met.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import numpy as np

from planner.demand.need import target_group

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from planner.demand import Demand
    from planner.model import CoverageSolution
    from planner.results.check_base import Check
    from planner.scenario import Scenario

__all__ = ["BINDS_MEANS", "check_targets", "target_notes", "targets_summary"]

BINDS_MEANS: Final[str] = (
    "a target binds when the cheapest plan without it (the other targets, the rules and the "
    "budget kept) costs less: dropping it saves money"
)

_SLACK: Final[float] = 1e-9
_SHARE_TOL: Final[float] = 1e-6


def _reached(
    families: NDArray[np.float64], member: NDArray[np.bool_], covered: NDArray[np.bool_]
) -> tuple[float | None, float, float]:
    total = float(families[member].sum())
    reached = float(families[member & covered].sum())
    return (reached / total if total > 0 else None), total, reached


def targets_summary(
    scenario: Scenario,
    solution: CoverageSolution,
    demand: Demand,
    covered_house: NDArray[np.bool_],
    covered_frequent: NDArray[np.bool_],
) -> dict[str, Any]:
    """Return the ``targets`` block of ``summary.json`` (empty for other kinds).

    Parameters
    ----------
    scenario
        The scenario (its targets).
    solution
        The plan, with what the model found per target (cost without it, alone, binds).
    demand
        The demand rows (families, groups).
    covered_house, covered_frequent
        Rows within each standard of the plan.

    Returns
    -------
    dict
        ``{"targets": {"binds_means": ..., "cost": ..., "binding": [...], "items": [...]}}``
        or ``{}``.
    """
    if scenario.objective.kind != "min_cost_targets":
        return {}
    items = []
    outcomes = solution.targets if len(solution.targets) == len(scenario.objective.targets) else ()
    for index, spec in enumerate(scenario.objective.targets):
        covered = covered_frequent if spec.standard == "frequent" else covered_house
        member = target_group(demand, spec.group)
        share, total, reached = _reached(demand.target, member, covered)
        outcome = outcomes[index] if outcomes else None
        items.append(
            {
                "key": f"objective.targets[{index}]",
                "standard": spec.standard,
                "group": spec.group,
                "share": spec.share,
                "reached": None if share is None else round(share, 6),
                "families": round(total, 3),
                "families_reached": round(reached, 3),
                "cost_without": None if outcome is None else round(outcome.cost_without, 2),
                "cost_alone": None if outcome is None else round(outcome.cost_alone, 2),
                "binds": None if outcome is None else outcome.binds,
                "proven": None if outcome is None else outcome.proven,
            }
        )
    return {
        "targets": {
            "binds_means": BINDS_MEANS,
            "cost": round(solution.cost, 2),
            "binding": [item["key"] for item in items if item["binds"]],
            "items": items,
        }
    }


def target_notes(block: dict[str, Any], budget: float) -> list[str]:
    """Return the notes on the targets: the cost, each target reached, which bind.

    Parameters
    ----------
    block
        What :func:`targets_summary` returned (empty: no notes).
    budget
        The scenario's budget (a cap on the cost).

    Returns
    -------
    list of str
        One note on the cost, one per target.
    """
    if not block:
        return []
    targets = block["targets"]
    cost = (
        f"the cheapest plan reaching objective.targets costs EUR {targets['cost']:,.0f}; the "
        f"budget (EUR {budget:,.0f}) only caps it; {BINDS_MEANS}"
    )
    notes = [cost]
    for item in targets["items"]:
        standard = (
            "a house or antenne within R_A"
            if item["standard"] == "frequent"
            else ("a house within R_H")
        )
        reached = "no families" if item["reached"] is None else f"{100 * item['reached']:.1f} %"
        binds = (
            f"binds: without it the cheapest plan costs EUR {item['cost_without']:,.0f}"
            if item["binds"]
            else f"does not bind (without it: EUR {item['cost_without']:,.0f})"
        )
        notes.append(
            f"{item['key']}: {100 * item['share']:g} % of {item['group'].replace('_', ' ')} with "
            f"{standard}; reached {reached}; {binds}; alone it costs EUR "
            f"{item['cost_alone']:,.0f}{'' if item['proven'] else ' (not proven optimal)'}"
        )
    return notes


def check_targets(c: Check, demand: Demand) -> None:
    """Recompute each target's reached share from the matrices and the open sites.

    Parameters
    ----------
    c
        The check (truth, claim, summary; problems are appended).
    demand
        The demand rows (the groups).
    """
    if c.kind != "min_cost_targets":
        return
    t, p = c.truth, c.claim
    reach_h = np.isfinite(t.d) & (t.d <= t.radius_house[:, np.newaxis])
    reach_a = np.isfinite(t.d) & (t.d <= t.radius_frequent[:, np.newaxis])
    house = np.asarray(reach_h[:, p.house].any(axis=1), dtype=bool)
    frequent = np.asarray(reach_a[:, p.house | p.antenne].any(axis=1), dtype=bool)
    items = c.summary.get("targets", {}).get("items", [])
    specs = c.scenario.objective.targets
    if len(items) != len(specs):
        c.problems.append(f"targets: the summary lists {len(items)}, the scenario {len(specs)}")
        return
    for spec, item in zip(specs, items, strict=True):
        covered = frequent if spec.standard == "frequent" else house
        share, _, _ = _reached(t.target, target_group(demand, spec.group), covered)
        c.same(f"{item['key']}.reached", item.get("reached"), share, _SHARE_TOL)
        if share is not None and share < spec.share * (1 - _SLACK) - _SLACK:
            c.problems.append(
                f"{item['key']} asks {spec.share:g} of {spec.group} within the {spec.standard} "
                f"standard, the plan reaches {share:.6f}"
            )
    c.checked.append("targets")
