r"""The ``min_cost_targets`` kind: the cheapest plan reaching stated shares, and which binds.

The rows are the coverage family's (:mod:`planner.model.coverage.targets`); this module solves
them, re-solves each target away to say which binds, and explains a plan that cannot exist.

**Which target binds.** Target :math:`t` *binds* when the cheapest plan without it (every
other target, rule and the budget kept) costs less than the plan, by more than EUR 0.50:
dropping it saves money. ``cost_without`` is that cheapest plan, ``cost_alone`` the cheapest
plan reaching target :math:`t` alone. A target reached exactly may still not bind (another
target forces the same sites). The budget is a cap: it never changes the cheapest plan, it can
only make it impossible.

**Out of reach.** When no plan meets the targets, each target's most reachable share is found
by maximising its group's families within its standard with no budget (every rule kept): a
target above it is named with that share; otherwise the budget (with the cheapest plan without
the cap) or the targets together under the rules are to blame.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING

import numpy as np

from planner.errors import InfeasibleError
from planner.model.coverage import solve_form
from planner.model.coverage.instance import CoverageInstance, CoverageTarget, Form
from planner.model.coverage.targets import (
    EURO_SAVING,
    SHARE_SLACK,
    TARGETS,
    TargetOutcome,
    target_shares,
)

if TYPE_CHECKING:
    from planner.model.coverage import CoverageSolution
    from planner.scenario import SolverSpec

__all__ = ["solve_targets"]

logger = logging.getLogger(__name__)


def solve_targets(
    instance: CoverageInstance, targets: tuple[CoverageTarget, ...], solver: SolverSpec
) -> CoverageSolution:
    """Find the cheapest plan reaching every target; say which target binds.

    Parameters
    ----------
    instance
        The arrays (the budget caps the cost when finite).
    targets
        The targets (at least one).
    solver
        Solver options.

    Returns
    -------
    CoverageSolution
        The plan (``model`` ``min_cost_targets``, ``objective`` its cost) with
        ``targets`` filled: the share reached and whether each target binds.

    Raises
    ------
    InfeasibleError
        When no plan reaches the targets: a target above the most any plan reaches (named
        with that share), a budget below the cheapest plan reaching them (named with its
        cost), or targets and rules that cannot hold together.
    """
    form = dataclasses.replace(TARGETS, targets=targets)
    try:
        solution = solve_form(instance, form, solver)
    except InfeasibleError as error:
        raise InfeasibleError(_why_not(instance, targets, solver, error)) from error
    costs: list[tuple[float, bool]] = []
    for k in range(len(targets)):
        others = targets[:k] + targets[k + 1 :]
        costs.append(_cheapest(instance, others, solver))
    outcomes = []
    shares = target_shares(instance, targets, solution.covered_house, solution.covered_frequent)
    for k, target in enumerate(targets):
        without, proven_without = costs[k]
        if len(targets) == 1:
            alone, proven_alone = solution.cost, solution.result.proven_optimal
        elif len(targets) == 2:
            alone, proven_alone = costs[1 - k]
        else:
            alone, proven_alone = _cheapest(instance, (target,), solver)
        reached, total = shares[k]
        outcomes.append(
            TargetOutcome(
                name=target.name,
                frequent=target.frequent,
                share=target.share,
                reached=reached,
                families=total,
                cost_without=without,
                cost_alone=alone,
                binds=without < solution.cost - EURO_SAVING,
                proven=proven_without and proven_alone and solution.result.proven_optimal,
            )
        )
        logger.info(
            f"Target {target.name}: reached {reached if reached is None else f'{reached:.4f}'}, "
            f"cheapest without it EUR {without:,.0f}, alone EUR {alone:,.0f}"
            f"{', binds' if outcomes[-1].binds else ''}"
        )
    return dataclasses.replace(solution, targets=tuple(outcomes))


def _cheapest(
    instance: CoverageInstance, targets: tuple[CoverageTarget, ...], solver: SolverSpec
) -> tuple[float, bool]:
    """Return the cost of the cheapest plan reaching ``targets`` and whether it is proven."""
    solution = solve_form(instance, dataclasses.replace(TARGETS, targets=targets), solver)
    return solution.cost, solution.result.proven_optimal


def _most_reached(
    instance: CoverageInstance, target: CoverageTarget, solver: SolverSpec
) -> tuple[float, bool]:
    """Return the most of a target's group any plan reaches (no budget, the rules kept)."""
    families = instance.family_counts()
    weight = np.where(target.member, families, 0.0)
    total = float(weight.sum())
    if total <= 0:
        return 1.0, True
    unlimited = dataclasses.replace(
        instance, weight=weight, alpha=0.0 if target.frequent else 1.0, budget=np.inf
    )
    form = Form("max_coverage", antennes=True, budget=False)
    solution = solve_form(unlimited, form, solver)
    covered = solution.covered_frequent if target.frequent else solution.covered_house
    reached = float(weight[covered].sum()) / total
    if solution.result.proven_optimal or solution.result.bound is None:
        return reached, solution.result.proven_optimal
    return min(1.0, float(solution.result.bound) / total), False


def _why_not(
    instance: CoverageInstance,
    targets: tuple[CoverageTarget, ...],
    solver: SolverSpec,
    error: InfeasibleError,
) -> list[str]:
    """Say why no plan meets the targets: which is out of reach, or the budget, or the rules."""
    problems = []
    for target in targets:
        try:
            most, proven = _most_reached(instance, target, solver)
        except InfeasibleError:  # the rules alone fail: the original message says which
            return list(error.problems)
        if target.share > most * (1.0 + SHARE_SLACK) + SHARE_SLACK:
            standard = "frequent standard (R_A)" if target.frequent else "house standard (R_H)"
            problems.append(
                f"{target.name} is out of reach: no plan reaches more than {100 * most:.1f} % "
                f"of that group within the {standard}"
                f"{'' if proven else ' (an upper bound: the solver did not prove it)'}, even "
                f"with every allowed site open and no budget: lower the share to at most "
                f"{np.floor(1000 * most) / 1000:g}"
            )
    if problems:
        return problems
    if np.isfinite(instance.budget):
        try:
            cost, proven = _cheapest(dataclasses.replace(instance, budget=np.inf), targets, solver)
        except InfeasibleError:
            cost, proven = np.inf, True
        if np.isfinite(cost):
            line = (
                f"budget.amount_eur (EUR {instance.budget:,.0f}) is below the cheapest plan that "
                f"reaches objective.targets: EUR {cost:,.0f}"
                f"{'' if proven else ' (not proven the cheapest)'}; raise the budget to at "
                "least that, or lower the targets"
            )
            return [line]
    together = (
        "objective.targets: each target alone can be reached, but not all of them together "
        "under the rules: lower a share or relax a rule"
    )
    return [*error.problems, together]
