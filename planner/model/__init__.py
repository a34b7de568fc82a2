"""Optimisation models, built from arrays only (no geometry): the one front door of every kind.

Every model kind's instance, solve entry and result type is importable from here:

- ``max_coverage``: :func:`solve_coverage`;
- ``set_cover``, ``set_cover_single``: :func:`solve_set_cover`;
- ``mclp``: :func:`solve_mclp`;
- ``p_median``: :func:`solve_pmedian_plan`; on arrays :func:`solve_pmedian` and
  :func:`solve_capacitated_pmedian`;
- ``p_center``: :func:`solve_pcenter_plan`; on arrays :func:`solve_pcenter`;
- ``min_cost_targets``: :func:`solve_targets` (targets as :class:`CoverageTarget`).

The plan-level solvers take a :class:`CoverageInstance` (with :class:`PlanRules`) and return
a :class:`CoverageSolution`: its ``objective`` is the model's own objective for its kind, and
``tie_break`` the value of the solver's cost tie-break term, reported apart.

Modules, one model family each:

- :mod:`planner.model.coverage`: the hierarchical house + antenne coverage model (default),
  with capacities, policy rules, exact sector merging, link cuts and a greedy warm start; the
  shared builder of the coverage family (a subpackage: instance, roles, build, capacity,
  cuts, start, run, evaluate, diagnose, solve).
- :mod:`planner.model.setcover`: the cheapest plan reaching every family (hierarchical and
  one-level set covering).
- :mod:`planner.model.mclp`: maximal covering with ``p`` houses.
- :mod:`planner.model.targets`: the cheapest plan reaching stated shares, and which binds.
- :mod:`planner.model.base`: inputs, checks and result shared by the p-facility models.
- :mod:`planner.model.heuristics`: the p-median, p-center and capacitated heuristic starts.
- :mod:`planner.model.radius`: the radius formulation of the p-median.
- :mod:`planner.model.pmedian`: the p-median problem (radius formulation, level generation).
- :mod:`planner.model.pcenter`: the p-center problem.
- :mod:`planner.model.capacitated`: the capacitated p-median (and p-median under rules).
- :mod:`planner.model.facility`: p-median and p-center plans on the coverage arrays.
- :mod:`planner.model.rules`: policy rules as arrays over sites.
"""

from __future__ import annotations

from planner.model.alternatives import (
    ALTERNATIVE_KINDS,
    AlternativePlans,
    alternatives_form,
    solve_alternatives,
)
from planner.model.attendance import solve_attendance
from planner.model.base import FacilityInputs, FacilitySolution, check_facility_inputs, nearest_open
from planner.model.capacitated import SiteConstraints, solve_capacitated_pmedian
from planner.model.colocation import site_value, solve_with_site_values, with_site_values
from planner.model.coverage import (
    EPS_FRACTION,
    MAX_COVERAGE,
    CoverageInstance,
    CoverageProblem,
    CoverageSolution,
    CoverageTarget,
    Form,
    PhaseBudgets,
    PhaseSchedule,
    TargetOutcome,
    build_coverage_problem,
    group_budget,
    link_antennes,
    plan_cost,
    plan_coverage,
    plan_problems,
    solve_coverage,
    solve_form,
    solve_phases,
    what_it_takes,
)
from planner.model.coverage.existing import with_running_costs
from planner.model.decay import DecayFunction, DecayRows, decay_rows
from planner.model.facility import solve_pcenter_plan, solve_pmedian_plan
from planner.model.heuristics import capacitated_heuristic, pcenter_heuristic, pmedian_heuristic
from planner.model.mclp import mclp_form, solve_mclp
from planner.model.pcenter import solve_pcenter
from planner.model.pmedian import solve_pmedian
from planner.model.rules import GroupRule, PlanRules
from planner.model.setcover import SET_COVER, SET_COVER_SINGLE, solve_set_cover
from planner.model.targets import solve_targets

__all__ = [
    "ALTERNATIVE_KINDS",
    "EPS_FRACTION",
    "MAX_COVERAGE",
    "SET_COVER",
    "SET_COVER_SINGLE",
    "AlternativePlans",
    "CoverageInstance",
    "CoverageProblem",
    "CoverageSolution",
    "CoverageTarget",
    "DecayFunction",
    "DecayRows",
    "FacilityInputs",
    "FacilitySolution",
    "Form",
    "GroupRule",
    "PhaseBudgets",
    "PhaseSchedule",
    "PlanRules",
    "SiteConstraints",
    "TargetOutcome",
    "alternatives_form",
    "build_coverage_problem",
    "capacitated_heuristic",
    "check_facility_inputs",
    "decay_rows",
    "group_budget",
    "link_antennes",
    "mclp_form",
    "nearest_open",
    "pcenter_heuristic",
    "plan_cost",
    "plan_coverage",
    "plan_problems",
    "pmedian_heuristic",
    "site_value",
    "solve_alternatives",
    "solve_attendance",
    "solve_capacitated_pmedian",
    "solve_coverage",
    "solve_form",
    "solve_mclp",
    "solve_pcenter",
    "solve_pcenter_plan",
    "solve_phases",
    "solve_pmedian",
    "solve_pmedian_plan",
    "solve_set_cover",
    "solve_targets",
    "solve_with_site_values",
    "what_it_takes",
    "with_running_costs",
    "with_site_values",
]
