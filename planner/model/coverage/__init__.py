r"""The hierarchical house + antenne coverage model and its relatives, built from arrays.

This is the math core of planner (DESIGN.md, "The planning model"): it sees travel-time
matrices, weights, costs and flags indexed by sector ``i`` and site ``j, k``, never geometry.
The MILP is assembled as sparse arrays (:class:`planner.solve.MilpArrays`) and solved by
:func:`planner.solve.solve_milp`; no Python object is made per variable.

Decisions
    :math:`h_j \in \{0,1\}` open a house at site :math:`j`; :math:`a_j \in \{0,1\}` open an
    antenne.
Rules
    .. math::

        h_j + a_j &\le 1, \qquad
        a_j \le \sum_{k:\, e_{jk} \le L} h_k \quad
        \text{(an antenne needs an open house within } L\text{)}, \\
        u_i &\le \sum_{j:\, d_{ij} \le R_H(i)} h_j, \qquad
        v_i \le \sum_{j:\, d_{ij} \le R_A(i)} (h_j + a_j), \qquad u_i, v_i \in [0, 1], \\
        &\sum_{j \text{ new house}} c^H_j h_j + \sum_{j \text{ new antenne}} c^A_j a_j \le B.

    The link rule is the projection of the classic link variables
    (:math:`\sum_k \ell_{jk} = a_j`, :math:`\ell_{jk} \le h_k`): same integer plans, same LP
    bound, no :math:`\ell` columns. After solving, each antenne is linked to its *nearest*
    open house within :math:`L` (ties: lowest site index), which makes the link deterministic
    and independent of the solver.

Objective (``max_coverage``)
    .. math::

        \max \; \sum_i w_i \bigl(\alpha u_i + (1 - \alpha) v_i\bigr)
        \;-\; \varepsilon \, \frac{\text{cost}}{C}, \qquad
        C = \max\bigl(1, \min(B, C_{\max})\bigr), \qquad
        \varepsilon = 10^{-3} \, \delta_{\min},

    where :math:`C_{\max}` is the most any plan can spend on its free choices (every candidate
    open in its dearest role) and :math:`\delta_{\min}` the smallest positive coefficient of a
    coverage variable. As the cost term never exceeds :math:`\varepsilon`, among plans of equal
    coverage the cheaper one wins, and a cheaper plan can beat a better-covering one only if
    its coverage is lower by less than :math:`\varepsilon`. Tie-breaks finer than the solver's
    absolute tolerance (1e-6) may be missed.

Relatives (same arrays, same rules; see :mod:`planner.model.setcover` and
:mod:`planner.model.mclp`)
    ``set_cover``: :math:`\min \sum c^H_j h_j + c^A_j a_j` with every sector with families
    within :math:`R_H(i)` of a house and within :math:`R_A(i)` of a house or antenne
    (:math:`u_i = v_i = 1`), no budget. ``set_cover_single``: houses only, every sector
    within :math:`R_H(i)`. ``mclp``: houses only, :math:`\max \sum_i w_i u_i` with at most
    :math:`p` houses, no budget.

Capacities (optional, ``capacity``)
    A house serves at most :math:`C_j` families. House coverage is then an *assignment*:
    :math:`x_{ij} \in [0, 1]` is the share of sector :math:`i`'s :math:`T_i` families served by
    house :math:`j` (only pairs with :math:`d_{ij} \le R_H(i)`),

    .. math::

        \sum_j x_{ij} \le 1, \qquad \sum_i T_i x_{ij} \le C_j h_j, \qquad x_{ij} \le h_j,

    and :math:`\sum_j x_{ij}` replaces :math:`u_i` (a sector may be split between houses).
    Frequent services (:math:`v`, houses and antennes within :math:`R_A`) are not
    capacity-limited. In the covering forms (and under the universal floor)
    :math:`\sum_j x_{ij} = 1`: every family assigned.

Policy rules
    Required sites, counts per role, the universal floor, a house per group and the spacing
    between houses (:class:`planner.model.rules.PlanRules`) become constraints.

Existing sites cost nothing in their own role (an existing antenne that becomes a house pays
:math:`c^H_j`). With ``keep_existing`` they stay open in that role; required sites stay open
and pay their cost. Fixed sites are constants, not variables. Forbidden and ineligible sites,
sites whose own cost exceeds what the budget leaves, antennes with no possible house within
:math:`L`, houses closer than the spacing to a fixed house, sectors with no site within
either standard and zero-weight terms get no variables at all.

Reductions (exact)
    Sectors whose coverage rows are identical (the same variable sites within the standard)
    share one coverage variable with their summed weight, separately for :math:`u` and
    :math:`v`; identical covering rows are kept once. In dense cities this removes most rows.

Link cuts (exact: valid for every plan, so the same plans and optimum)
    A sector reached by a frequent service has an open house in its row or an open antenne
    in its row, and that antenne has an open house within :math:`L`. For a frequent row
    :math:`r` with houses :math:`H_r`, antennes :math:`A_r` and any :math:`T \subseteq A_r`
    of antennes without a fixed house within :math:`L`,

    .. math::

        v_r \le \sum_{k \in H_r \cup L(T)} h_k + \sum_{j \in A_r \setminus T} a_j,
        \qquad L(T) = \{k : e_{jk} \le L \text{ for some } j \in T\}.

    :math:`T = \emptyset` is the coverage row; :math:`T` = all such antennes is added when
    the model is built; the most violated one per row is separated in a few rounds of LP
    relaxation before the MILP is solved. Without them, the LP relaxation lets fractional
    antennes share one fractional house (a "carpet" of houses), and its bound stays far
    above the best plan when few houses are fixed.

Warm start
    A greedy plan (best coverage gain per euro, or cheapest cost per newly met requirement)
    is handed to the solver when it meets every row of the model.

After solving, the plan is read from :math:`h, a` only: coverage is recomputed from :math:`d`
and the open sites (the auxiliary :math:`u, v` are not trusted), and the plan is checked
against every rule.

Modules, in the order a solve runs through them:

- :mod:`~planner.model.coverage.instance`: :class:`CoverageInstance` and :class:`Form`, checked;
- :mod:`~planner.model.coverage.roles`: the variables per site, rules that fail before solving;
- :mod:`~planner.model.coverage.build`: :func:`build_coverage_problem` and its row blocks;
- :mod:`~planner.model.coverage.capacity`: the capacitated assignment and its read-back;
- :mod:`~planner.model.coverage.cuts`: the link cuts and their LP separation rounds;
- :mod:`~planner.model.coverage.start`: the greedy warm start;
- :mod:`~planner.model.coverage.run`: running a model, no-plan messages;
- :mod:`~planner.model.coverage.evaluate`: cost, coverage, links and broken rules of a plan;
- :mod:`~planner.model.coverage.diagnose`: which rules make a model infeasible;
- :mod:`~planner.model.coverage.targets`: the target rows of ``min_cost_targets`` (shares of
  groups of families within a standard) and the shares a plan reaches;
- :mod:`~planner.model.coverage.tiebreak`: the second, lexicographic solve that makes the cost
  tie-break exact (the cheapest plan reaching the same families);
- :mod:`~planner.model.coverage.solve`: :func:`solve_form`, :func:`solve_coverage` and the
  plan read back as a :class:`CoverageSolution`;
- :mod:`~planner.model.coverage.phases`: a phased rollout, the model once per phase with the
  rows that tie the phases together (:func:`solve_phases`).
"""

from __future__ import annotations

from planner.model.coverage.build import EPS_FRACTION, CoverageProblem, build_coverage_problem
from planner.model.coverage.cuts import _link_cuts  # noqa: F401 (tests separate cuts by hand)
from planner.model.coverage.diagnose import group_budget, what_it_takes
from planner.model.coverage.evaluate import (
    link_antennes,
    plan_cost,
    plan_coverage,
    plan_problems,
)
from planner.model.coverage.instance import MAX_COVERAGE, CoverageInstance, CoverageTarget, Form
from planner.model.coverage.phases import PhaseBudgets, PhaseSchedule, solve_phases
from planner.model.coverage.run import run_model, stopped_by_time_limit
from planner.model.coverage.solve import CoverageSolution, solve_coverage, solve_form
from planner.model.coverage.targets import TargetOutcome, target_shares

__all__ = [
    "EPS_FRACTION",
    "MAX_COVERAGE",
    "CoverageInstance",
    "CoverageProblem",
    "CoverageSolution",
    "CoverageTarget",
    "Form",
    "PhaseBudgets",
    "PhaseSchedule",
    "TargetOutcome",
    "build_coverage_problem",
    "group_budget",
    "link_antennes",
    "plan_cost",
    "plan_coverage",
    "plan_problems",
    "run_model",
    "solve_coverage",
    "solve_form",
    "solve_phases",
    "stopped_by_time_limit",
    "target_shares",
    "what_it_takes",
]
