r"""Near-optimal alternatives side by side: how far each is from the best, and how it differs.

:func:`alternative_rows` gives one row per plan of a search for alternatives
(:func:`planner.model.coverage.alternatives.solve_alternatives`), best first: its objective
(the kind's own, recomputed from the plan) and its distance from the best, in the objective's
units and in percent; the families within each standard and their difference from the best;
cost; counts; the sites it opens that the best plan does not (and the best plan's sites it
leaves closed), per role; what the solver proved. :func:`alternatives_section` is the
``alternatives`` block of ``summary.json``.

With :math:`z_1` the best plan's objective and :math:`z_k` plan :math:`k`'s, the distance is
:math:`z_k - z_1` (at most 0 for a maximised objective, at least 0 for a cost) and
:math:`100\,(z_k - z_1) / |z_1|` percent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    from planner.model import CoverageSolution
    from planner.model.coverage.alternatives import AlternativePlans
    from planner.results.plan import Plan

__all__ = ["ALTERNATIVE_COLUMNS", "alternative_rows", "alternatives_section", "label_of"]

ALTERNATIVE_COLUMNS = (
    "alternative",
    "rank",
    "objective",
    "objective_vs_best",
    "objective_vs_best_pct",
    "families_house",
    "families_house_vs_best",
    "families_frequent",
    "families_frequent_vs_best",
    "coverage_house",
    "coverage_frequent",
    "coverage_house_neediest",
    "coverage_frequent_neediest",
    "cost",
    "cost_vs_best",
    "houses",
    "antennes",
    "houses_added",
    "houses_removed",
    "antennes_added",
    "antennes_removed",
    "status",
    "proven_optimal",
    "proven_next_best",
    "gap",
)
"""Columns of ``alternatives.csv``, in order (site ids joined with ``;``)."""

_ROLES = ("house", "antenne")


def label_of(rank: int, total: int) -> str:
    """Return the label of the plan of a rank: ``alt1`` ... (``alt01`` with ten or more).

    Parameters
    ----------
    rank
        1 for the best plan.
    total
        How many plans there are.

    Returns
    -------
    str
        The label, also the plan's folder name.
    """
    return f"alt{rank:0{len(str(total))}d}"


def _open(plan: Plan, role: str) -> set[str]:
    sites = plan.sites
    return set(sites.loc[sites["role"] == role, "site_id"].astype(str))


def _families(plan: Plan, role: str) -> float | None:
    share = plan.summary["coverage"][role]
    total = plan.summary["target_population"]
    return None if share is None else round(float(share) * float(total), 3)


def _minus(value: float | None, best: float | None, digits: int = 6) -> float | None:
    return None if value is None or best is None else round(value - best, digits)


def alternative_rows(
    plans: Sequence[Plan], found: AlternativePlans, *, ids_joined: bool = False
) -> list[dict[str, Any]]:
    """Describe every alternative against the best plan (the first).

    Parameters
    ----------
    plans
        The checked plans, best first (one per ``found.solutions``).
    found
        The search that made them.
    ids_joined
        Join the site ids with ``;`` (for a CSV) instead of giving lists.

    Returns
    -------
    list of dict
        One row per plan with the keys of :data:`ALTERNATIVE_COLUMNS`.
    """
    best_plan, best = plans[0], found.solutions[0]
    rows: list[dict[str, Any]] = []
    for rank, (plan, solution) in enumerate(zip(plans, found.solutions, strict=True), start=1):
        summary = plan.summary
        row: dict[str, Any] = {
            "alternative": label_of(rank, len(plans)),
            "rank": rank,
            **_objective(solution, best),
        }
        for role in ("house", "frequent"):
            families = _families(plan, role)
            row[f"families_{role}"] = families
            row[f"families_{role}_vs_best"] = _minus(families, _families(best_plan, role), 3)
        coverage = summary["coverage"]
        row["coverage_house"] = coverage["house"]
        row["coverage_frequent"] = coverage["frequent"]
        row["coverage_house_neediest"] = coverage["house_neediest_quintile"]
        row["coverage_frequent_neediest"] = coverage["frequent_neediest_quintile"]
        row["cost"] = summary["cost"]
        row["cost_vs_best"] = _minus(summary["cost"], best_plan.summary["cost"], 2)
        row["houses"] = summary["houses"]
        row["antennes"] = summary["antennes"]
        for role in _ROLES:
            mine, theirs = _open(plan, role), _open(best_plan, role)
            for what, ids in (("added", mine - theirs), ("removed", theirs - mine)):
                listed = sorted(ids)
                row[f"{role}s_{what}"] = ";".join(listed) if ids_joined else listed
        row["status"] = summary["status"]
        row["proven_optimal"] = summary["proven_optimal"]
        row["proven_next_best"] = found.proven_next_best[rank - 1]
        row["gap"] = summary["gap"]
        rows.append(row)
    return rows


def _objective(solution: CoverageSolution, best: CoverageSolution) -> dict[str, Any]:
    value, top = float(solution.objective), float(best.objective)
    return {
        "objective": round(value, 6),
        "objective_vs_best": round(value - top, 6),
        "objective_vs_best_pct": round(100.0 * (value - top) / abs(top), 4) if top else None,
    }


def alternatives_section(plans: Sequence[Plan], found: AlternativePlans) -> dict[str, Any]:
    """Return the ``alternatives`` block of ``summary.json``.

    Parameters
    ----------
    plans
        The checked plans, best first.
    found
        The search that made them.

    Returns
    -------
    dict
        ``requested``, ``found``, ``exhausted`` (fewer distinct plans exist, proven),
        ``stopped`` (why the search ended early without that proof, or None), ``differ`` and
        ``differ_in`` (each plan differs from every better one in at least ``differ`` houses,
        or sites), ``objective_sense``, ``all_proven``, ``plans`` (the rows of
        :func:`alternative_rows`) and ``site_names`` (the name of every site in their lists).
    """
    rows = alternative_rows(plans, found)
    named = {
        site
        for row in rows
        for role in _ROLES
        for what in ("added", "removed")
        for site in row[f"{role}s_{what}"]
    }
    names: dict[str, str] = {}
    for plan in plans:
        sites = plan.sites
        for site_id, name in zip(sites["site_id"].astype(str), sites["name"], strict=True):
            if site_id in named:
                names[site_id] = str(name)
    return {
        "requested": found.requested,
        "found": len(plans),
        "exhausted": found.exhausted,
        "stopped": found.stopped,
        "differ": found.differ,
        "differ_in": found.differ_in,
        "objective_sense": "min" if found.solutions[0].result.sense == "min" else "max",
        "all_proven": all(found.proven_next_best),
        "plans": rows,
        "site_names": dict(sorted(names.items())),
    }
