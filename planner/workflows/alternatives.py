"""Near-optimal alternatives: the K best distinct plans of a scenario, checked and side by side.

``objective.alternatives: K`` (or ``planner run S --alternatives K``) asks for the K best plans
that differ from each other in at least ``objective.alternatives_differ`` houses (or sites,
with ``alternatives_differ_in: sites``). :func:`run_alternatives` runs the stages before the
optimiser once, finds the plans by successive solves with no-good cuts on one incremental
HiGHS model (:func:`planner.model.solve_alternatives`), makes and independently checks every
plan, and puts them side by side. :func:`write_alternatives` writes, inside the one atomic
output folder of the best plan (its usual outputs, its ``summary.json`` with an
``alternatives`` block and its council note with the table "even goed of bijna even goed"):

* ``alternatives.csv``: one row per plan (:mod:`planner.results.alternatives`);
* ``robust_sites.csv``: every site opened by some alternative, per role, with the share of
  the alternatives opening it (as a sweep writes it, :func:`planner.workflows.sweep.robust_sites`);
* ``alternatives/``: the comparison as ``planner compare`` writes it (``comparison.csv``,
  ``comparison.json``, ``comparison.md``, ``map.html`` with every plan's map side by side and
  one folder per plan, ``alt1`` ... ``altK``, with its ``plan.gpkg``, ``summary.json`` and
  ``map.html``).

Fewer distinct plans than K is no error: the outputs hold those there are and say so.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from planner.model.alternatives import alternatives_form, solve_alternatives
from planner.optimise import model_instance
from planner.report.comparison import write_table_csv
from planner.report.comparison_pages import write_comparison
from planner.report.outputs import write_outputs
from planner.results.alternatives import (
    ALTERNATIVE_COLUMNS,
    alternative_rows,
    alternatives_section,
    label_of,
)
from planner.scenario import Scenario, load_scenario
from planner.workflows.compare import compare_plans
from planner.workflows.pipeline import checked_plan, run_stages
from planner.workflows.sweep import open_sites, robust_sites

if TYPE_CHECKING:
    from pathlib import Path

    from planner.model.coverage.alternatives import AlternativePlans
    from planner.report.comparison import Comparison
    from planner.results.plan import Plan
    from planner.workflows.pipeline import ProgressCallback

__all__ = ["Alternatives", "run_alternatives", "write_alternatives"]

logger = logging.getLogger(__name__)

_ROBUST_COLUMNS = ["site_id", "name", "role", "existing", "variants", "share"]


@dataclass(frozen=True)
class Alternatives:
    """The K best distinct plans of a scenario, checked, and what sets them apart.

    Attributes
    ----------
    plans : tuple of Plan
        The plans, best first; ``plans[0].summary["alternatives"]`` describes them all.
    found : AlternativePlans
        What the search found and proved.
    rows : tuple of dict
        The rows of ``alternatives.csv`` (site ids joined with ``;``).
    robust : tuple of dict
        Per site and role opened by some plan: ``site_id``, ``name``, ``role``, ``existing``,
        ``variants`` (plans opening it) and ``share`` of the plans.
    comparison : Comparison
        The plans side by side, labelled ``alt1`` ... ``altK``.
    """

    plans: tuple[Plan, ...]
    found: AlternativePlans
    rows: tuple[dict[str, Any], ...]
    robust: tuple[dict[str, Any], ...]
    comparison: Comparison

    @property
    def best(self) -> Plan:
        """The best plan (with the ``alternatives`` block in its summary)."""
        return self.plans[0]


def _named(scenario: Scenario, label: str, rank: int) -> Scenario:
    """Name the scenario of an alternative after its rank (the best keeps the name)."""
    return (
        scenario if rank == 1 else scenario.model_copy(update={"name": f"{scenario.name}-{label}"})
    )


def run_alternatives(
    scenario: Scenario | str | Path,
    *,
    progress: ProgressCallback | None = None,
) -> Alternatives:
    """Find, make and check the K best distinct plans of a scenario.

    Parameters
    ----------
    scenario
        A scenario (or its file) of a kind with alternatives (max_coverage, mclp, set_cover,
        set_cover_single); ``objective.alternatives`` is K.
    progress
        Called with the name of each stage as it starts.

    Returns
    -------
    Alternatives
        The plans, best first; fewer than K when fewer distinct plans exist.

    Raises
    ------
    PlannerError
        As :func:`planner.workflows.pipeline.run`; every plan is checked independently.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    objective = scenario.objective
    form = alternatives_form(
        objective.kind, objective.p, skip_unreachable=objective.unreachable == "skip"
    )
    timings: dict[str, float] = {}
    stages = run_stages(scenario, timings, progress)
    if progress is not None:
        progress("optimise")
    started = time.perf_counter()
    found = solve_alternatives(
        model_instance(scenario, *stages.tables()),
        form,
        scenario.solver,
        objective.alternatives,
        differ=objective.alternatives_differ,
        differ_in=objective.alternatives_differ_in,
    )
    timings["optimise"] = time.perf_counter() - started
    total = len(found.solutions)
    plans = [
        checked_plan(_named(scenario, label_of(rank, total), rank), stages, solution, timings,
                     progress)
        for rank, solution in enumerate(found.solutions, start=1)
    ]  # fmt: skip
    _log_found(found)
    section = alternatives_section(plans, found)
    plans[0] = dataclasses.replace(plans[0], summary={**plans[0].summary, "alternatives": section})
    labels = [label_of(rank, total) for rank in range(1, total + 1)]
    return Alternatives(
        plans=tuple(plans),
        found=found,
        rows=tuple(alternative_rows(plans, found, ids_joined=True)),
        robust=tuple(robust_sites([{"sites": open_sites(plan)} for plan in plans])),
        comparison=_once(compare_plans(plans, labels=labels)),
    )


def _once(comparison: Comparison) -> Comparison:
    """Name the overrides of the one scenario once (on the best plan's row), not per plan."""
    rows = [comparison.rows[0], *({**row, "overrides": ""} for row in comparison.rows[1:])]
    return dataclasses.replace(comparison, rows=tuple(rows))


def _log_found(found: AlternativePlans) -> None:
    count, asked = len(found.solutions), found.requested
    what = "houses" if found.differ_in == "houses" else "sites"
    if found.exhausted:
        plans = "plan exists" if count == 1 else "plans exist"
        logger.warning(
            f"Alternatives: only {count} distinct {plans} (differing in at least "
            f"{found.differ} {what}); {asked} were asked for"
        )
    elif found.stopped is not None:
        logger.warning(f"Alternatives: {count} of {asked} plans; {found.stopped}")
    unproven = [k + 1 for k, proven in enumerate(found.proven_next_best) if not proven]
    if unproven:
        logger.warning(
            f"Alternatives {', '.join(map(str, unproven))} are not proven the next best "
            "(a solve stopped at its time limit): each is labelled with its gap"
        )
    runtimes = ", ".join(f"{seconds:.2f}" for seconds in found.runtimes_s)
    logger.info(f"Alternatives: {count} plans, solves of {runtimes} s")


def _for_comparison(plan: Plan) -> Plan:
    """Return the copy written into ``alternatives/<label>``: no static maps, no note."""
    outputs = plan.scenario.outputs.model_copy(update={"static_maps": False, "note": False})
    return dataclasses.replace(plan, scenario=plan.scenario.model_copy(update={"outputs": outputs}))


def write_alternatives(alternatives: Alternatives, out_dir: Path) -> dict[str, Path]:
    """Write the best plan's outputs and the alternatives' into ``out_dir``, atomically.

    Parameters
    ----------
    alternatives
        What :func:`run_alternatives` returned.
    out_dir
        Final folder; replaced as a whole when complete.

    Returns
    -------
    dict
        Paths by name: the best plan's outputs, ``alternatives.csv``, ``robust_sites.csv``
        and the ``alternatives`` folder.
    """
    best = alternatives.best
    lang = best.scenario.outputs.language
    comparison = dataclasses.replace(
        alternatives.comparison,
        plans=tuple(_for_comparison(plan) for plan in alternatives.comparison.plans),
    )

    def extra(staging: Path) -> list[str]:
        write_table_csv(
            staging / "alternatives.csv", alternatives.rows, columns=list(ALTERNATIVE_COLUMNS)
        )
        write_table_csv(staging / "robust_sites.csv", alternatives.robust, columns=_ROBUST_COLUMNS)
        write_comparison(comparison, staging / "alternatives", lang=lang)
        return ["alternatives.csv", "robust_sites.csv", "alternatives"]

    return write_outputs(best, out_dir, extra=extra)
