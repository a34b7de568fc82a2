"""Optimisation models, built from arrays only (no geometry), one model family per module.

- :mod:`planner.model.coverage`: the hierarchical house + antenne coverage model (default),
  with capacities, policy rules, exact sector merging and a greedy warm start; the shared
  builder of the coverage family.
- :mod:`planner.model.setcover`: the cheapest plan reaching every family (hierarchical and
  one-level set covering).
- :mod:`planner.model.mclp`: maximal covering with ``p`` houses.
- :mod:`planner.model.pmedian`: the p-median problem (radius formulation).
- :mod:`planner.model.pcenter`: the p-center problem.
- :mod:`planner.model.capacitated`: the capacitated p-median (and p-median under rules).
- :mod:`planner.model.facility`: p-median and p-center plans on the coverage arrays.
- :mod:`planner.model.rules`: policy rules as arrays over sites.
"""

from __future__ import annotations

from planner.model.coverage import (
    EPS_FRACTION,
    MAX_COVERAGE,
    CoverageInstance,
    CoverageProblem,
    CoverageSolution,
    Form,
    build_coverage_problem,
    link_antennes,
    plan_cost,
    plan_coverage,
    plan_problems,
    solve_coverage,
    solve_form,
)
from planner.model.rules import GroupRule, PlanRules

__all__ = [
    "EPS_FRACTION",
    "MAX_COVERAGE",
    "CoverageInstance",
    "CoverageProblem",
    "CoverageSolution",
    "Form",
    "GroupRule",
    "PlanRules",
    "build_coverage_problem",
    "link_antennes",
    "plan_cost",
    "plan_coverage",
    "plan_problems",
    "solve_coverage",
    "solve_form",
]
