"""Optimisation models, built from arrays only (no geometry), one model family per module.

- :mod:`planner.model.coverage`: the hierarchical house + antenne coverage model (default).
"""

from __future__ import annotations

from planner.model.coverage import (
    EPS_FRACTION,
    CoverageInstance,
    CoverageProblem,
    CoverageSolution,
    build_coverage_problem,
    link_antennes,
    plan_cost,
    plan_coverage,
    plan_problems,
    solve_coverage,
)

__all__ = [
    "EPS_FRACTION",
    "CoverageInstance",
    "CoverageProblem",
    "CoverageSolution",
    "build_coverage_problem",
    "link_antennes",
    "plan_cost",
    "plan_coverage",
    "plan_problems",
    "solve_coverage",
]
