"""The plan's vindplaatsen: the share of its houses and antennes co-located, per type.

:func:`colocation_summary` adds the block ``colocation`` to a plan's summary (and so to
``summary.csv`` and the council note): for each type (school, childcare, consultatiebureau,
Lokaal Loket Kinderopvang) the number and share of the plan's open houses and antennes that
share their place with it (``null`` for a type the inputs say nothing about), the share of houses
**without** a consultatiebureau beside the survey's 19.4 % of today's Huizen van het Kind
(the yardstick), the co-location value the objective counted, and the co-location rules.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from planner.data.colocation import known_types
from planner.scenario import COLOCATION_TYPES

if TYPE_CHECKING:
    from planner.data.inputs import Inputs
    from planner.results.plan import Plan

__all__ = ["SURVEY_WITHOUT_CONSULTATIEBUREAU", "colocation_summary"]

logger = logging.getLogger(__name__)

SURVEY_WITHOUT_CONSULTATIEBUREAU: Final[float] = 0.194
"""Share of the Huizen van het Kind without a consultatiebureau in the survey of the houses."""


def colocation_summary(plan: Plan, inputs: Inputs) -> dict[str, Any]:
    """Return the summary's ``colocation`` block (module docstring).

    Parameters
    ----------
    plan
        The plan (its sites table: ``site_id`` and ``role``).
    inputs
        The sites marked by :func:`planner.data.colocation.mark_colocation`.

    Returns
    -------
    dict
        ``{"colocation": {...}}``: ``known_types``, ``sites_flagged`` (per type, how many
        sites of the inputs are co-located: 0 means the data hold none), ``houses`` and
        ``antennes`` (per type
        ``count`` and ``share``, None for an unknown type or no open site),
        ``houses_without_consultatiebureau`` (share, None when unknown), the yardstick
        ``survey_houses_without_consultatiebureau`` (0.194), ``value_families`` (per type, as
        stated), ``value`` (the objective's co-location term, None without values), and the
        rules ``antennes_at``, ``house_consultatiebureau_min`` and ``_m``.
    """
    sites = inputs.sites
    known = known_types(sites)
    role = (
        plan.sites[["site_id", "role"]]
        .set_index("site_id")["role"]
        .reindex(sites["site_id"].astype(str))
        .fillna("closed")
        .to_numpy(dtype=object)
    )
    block: dict[str, Any] = {"known_types": list(known)}
    block["sites_flagged"] = {  # among every site of the inputs: 0 says the data lack the type
        kind: int(sites[f"coloc_{kind}"].to_numpy(dtype=bool).sum())
        for kind in known
        if f"coloc_{kind}" in sites.columns
    }
    for what, mask in (("houses", role == "house"), ("antennes", role == "antenne")):
        total = int(mask.sum())
        per_type: dict[str, Any] = {}
        for kind in COLOCATION_TYPES:
            column = f"coloc_{kind}"
            if kind not in known or column not in sites.columns:
                per_type[kind] = {"count": None, "share": None}
                continue
            count = int((sites[column].to_numpy(dtype=bool) & mask).sum())
            share = round(count / total, 6) if total else None
            per_type[kind] = {"count": count, "share": share}
        block[what] = {"total": total, **per_type}
    with_cb = block["houses"]["consultatiebureau"]["share"]
    block["houses_without_consultatiebureau"] = None if with_cb is None else round(1 - with_cb, 6)
    block["survey_houses_without_consultatiebureau"] = SURVEY_WITHOUT_CONSULTATIEBUREAU
    scenario = plan.scenario
    block["value_families"] = {k: float(v) for k, v in scenario.colocation.value_families.items()}
    value = (plan.summary.get("model_figures") or {}).get("colocation_value")
    block["value"] = None if value is None else float(value)
    rules = scenario.rules
    block["antennes_at"] = list(rules.antennes_at)
    block["house_consultatiebureau_min"] = rules.house_consultatiebureau_min
    block["house_consultatiebureau_m"] = rules.house_consultatiebureau_m
    shares = ", ".join(
        f"{kind} {np.round(100 * (block['houses'][kind]['share'] or 0), 1)} %" for kind in known
    )
    logger.info(f"Co-located houses: {shares or 'no co-location data'}")
    return {"colocation": block}
