"""Policy stated by name: sites named by id or name, sector groups named by a column's value.

A planner writes ``rules.required_houses: [Bib Centrum]`` or ``rules.house_in: [{column: wijk,
values: [Muide]}]`` instead of looking up ids in the files. This module resolves those names
against the checked sites and sectors, and finds which sector group every site lies in (the
sector polygon it stands in, or a site column of the same name). Each unresolved name is one
problem line that says what was given, where (the scenario key) and what exists.

Resolution of a site reference: an exact ``site_id`` first, then an exact name of the site
layer's ``name`` column, then the same name ignoring case and surrounding spaces. A name that
matches two or more sites is an error naming their ids; a name that matches nothing is an
error with the closest names (:mod:`difflib`).
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from planner.scenario.costs import RUNNING_COLUMNS

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import NDArray

    from planner.data.inputs import Inputs
    from planner.scenario import HouseInSpec, Scenario

__all__ = [
    "check_rules",
    "group_labels_of",
    "house_in_member",
    "resolve_sites",
    "rule_sites",
    "site_capacity",
    "site_groups",
]

_SHOWN = 5
_VALUES_SHOWN = 40
_OWN_SITE_COLUMNS = frozenset({"site_id", "name", "type"})  # a site's own, never its group


def resolve_sites(
    key: str, listed: Sequence[str], sites: pd.DataFrame, problems: list[str]
) -> NDArray[np.bool_]:
    """Return the mask of the sites a rule names by id or name.

    Parameters
    ----------
    key
        The scenario key, for messages (``rules.required_houses``).
    listed
        Site ids or names as written in the scenario.
    sites
        The checked site table (``site_id`` and ``name`` columns).
    problems
        Problems found (appended to): one line per name that matches nothing or several sites.

    Returns
    -------
    ndarray of bool, shape (n_sites,)
        The named sites (the resolved ones only, when there are problems).
    """
    ids = sites["site_id"].astype(str).to_numpy(dtype=object)
    names = (
        sites["name"].astype("string").fillna("").to_numpy(dtype=object)
        if "name" in sites.columns
        else ids.astype(object)
    )
    folded = np.array([str(name).strip().casefold() for name in names], dtype=object)
    mask = np.zeros(len(ids), dtype=bool)
    for entry in listed:
        hit = ids == entry
        if not hit.any():
            hit = names == entry
        if not hit.any():
            hit = folded == entry.strip().casefold()
        count = int(hit.sum())
        if count == 1:
            mask |= hit
        elif count > 1:
            problems.append(
                f"{key}: the name '{entry}' matches {count} sites "
                f"({', '.join(ids[hit][:_SHOWN])}): write the site_id of the one you mean"
            )
        else:
            problems.append(_unknown_site(key, entry, ids, names))
    return mask


def _unknown_site(key: str, entry: str, ids: NDArray[np.str_], names: NDArray[np.object_]) -> str:
    """Return the message for a site reference that matches no id and no name."""
    labels = sorted({str(name) for name in names if str(name)} | set(ids.tolist()))
    close = difflib.get_close_matches(entry, labels, n=3, cutoff=0.5)
    if not close:  # a part of a name ("Bib" for "Bib Centrum")
        close = [label for label in labels if entry.casefold() in label.casefold()][:3]
    hint = f"; nearest: {', '.join(repr(c) for c in close)}" if close else ""
    return (
        f"{key}: '{entry}' is no site id or name in the sites file{hint}; write a value of "
        "its site_id or name column"
    )


def group_labels_of(values: pd.Series) -> NDArray[np.object_]:
    """Return group labels as text; missing or empty cells are None.

    Parameters
    ----------
    values
        A sector or site column.

    Returns
    -------
    ndarray of object
        The stripped text of every cell, None where it is empty.
    """
    text = values.astype("string").str.strip()
    missing = (text.isna() | (text == "")).to_numpy(dtype=bool)
    labels = text.fillna("").to_numpy(dtype=object)
    labels[missing] = None
    return labels


def site_groups(column: str, inputs: Inputs, sector_group: NDArray[np.object_]) -> list[str | None]:
    """Return the group of every site: its own column when present, else its sector's.

    A site on a border takes the first of its sectors in sector order; a site outside every
    sector has no group. The site's own ``site_id``, ``name`` and ``type`` columns never
    stand for a group (``column: name`` groups by the sector names).

    Parameters
    ----------
    column
        The group column (of the sectors, and maybe of the sites).
    inputs
        The checked sectors and sites.
    sector_group
        The group label of every sector (:func:`group_labels_of`).

    Returns
    -------
    list of str or None
        One label per site.
    """
    sites = inputs.sites
    if column in sites.columns and column not in _OWN_SITE_COLUMNS:
        return [None if label is None else str(label) for label in group_labels_of(sites[column])]
    sectors = gpd.GeoDataFrame(
        {"sector_index": np.arange(len(inputs.sectors))},
        geometry=inputs.sectors.geometry.to_numpy(),
        crs=inputs.sectors.crs,
    )
    points = gpd.GeoDataFrame(
        {"site_index": np.arange(len(sites))}, geometry=sites.geometry.to_numpy(), crs=sites.crs
    )
    joined = gpd.sjoin(points, sectors, how="left", predicate="intersects")
    joined = joined.sort_values(["site_index", "sector_index"], kind="stable")
    first = joined.drop_duplicates("site_index")["sector_index"].to_numpy()
    out: list[str | None] = []
    for value in first:
        label = None if pd.isna(value) else sector_group[int(value)]
        out.append(None if label is None else str(label))
    return out


def house_in_member(
    index: int, spec: HouseInSpec, inputs: Inputs, problems: list[str]
) -> tuple[str, tuple[str, ...], NDArray[np.bool_]] | None:
    """Return the groups of ``rules.house_in[index]`` and which sites lie in each.

    Parameters
    ----------
    index
        Position of the rule in ``rules.house_in``.
    spec
        The rule.
    inputs
        The checked sectors and sites.
    problems
        Problems found (appended to): an unknown column, or values no sector has.

    Returns
    -------
    tuple or None
        The rule's name for messages, its values (once each, in the order given) and the
        boolean matrix ``member[g, j]`` (site ``j`` lies in value ``g``); None on a problem.
    """
    name = f"rules.house_in[{index}] ({spec.column})"
    sectors = inputs.sectors
    columns = [str(c) for c in sectors.columns if c != sectors.geometry.name]
    if spec.column not in columns:
        close = difflib.get_close_matches(spec.column, columns, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'? " if close else ""
        problems.append(
            f"{name}: the sectors have no column '{spec.column}'; {hint}columns: "
            f"{', '.join(columns)}; fix rules.house_in[{index}].column"
        )
        return None
    sector_group = group_labels_of(sectors[spec.column])
    known = sorted({str(label) for label in sector_group if label is not None})
    values = tuple(dict.fromkeys(spec.values))
    unknown = [value for value in values if value not in known]
    if unknown:
        shown = ", ".join(known[:_VALUES_SHOWN])
        more = f" and {len(known) - _VALUES_SHOWN} more" if len(known) > _VALUES_SHOWN else ""
        close = [
            match
            for value in unknown
            for match in difflib.get_close_matches(value, known, n=1, cutoff=0.6)
        ]
        hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
        problems.append(
            f"{name}: no sector has {spec.column} {', '.join(repr(v) for v in unknown)}{hint}; "
            f"the values are: {shown}{more}; fix rules.house_in[{index}].values"
        )
        return None
    labels = np.array(site_groups(spec.column, inputs, sector_group), dtype=object)
    member = labels[np.newaxis, :] == np.array(values, dtype=object)[:, np.newaxis]
    return name, values, np.asarray(member, dtype=bool)


def site_capacity(
    scenario: Scenario, sites: gpd.GeoDataFrame, problems: list[str]
) -> NDArray[np.float64] | None:
    """Read ``objective.capacity_column`` (families per house; empty = no limit).

    Parameters
    ----------
    scenario
        The scenario.
    sites
        The checked site layer (extra columns carried along).
    problems
        Problems found (appended to).

    Returns
    -------
    ndarray or None
        :math:`C_j` per site (``inf`` where empty), or None without capacities.
    """
    column = scenario.objective.capacity_column
    if column is None:
        return None
    if column not in sites.columns:
        available = ", ".join(str(c) for c in sites.columns if c != "geometry")
        problems.append(
            f"sites: column '{column}' (objective.capacity_column) is missing; available: "
            f"{available}; add it or set objective.capacity_column: null"
        )
        return None
    raw = sites[column]
    values = pd.to_numeric(raw, errors="coerce")
    empty = raw.isna() | (raw.astype("string").str.strip() == "")
    bad = (values.isna() & ~empty) | (values < 0)
    if bad.any():
        shown = ", ".join(str(v) for v in sites.loc[bad, "site_id"][:_SHOWN])
        problems.append(
            f"sites: column '{column}' (objective.capacity_column) must hold numbers >= 0 "
            f"(families per house) or be empty; {int(bad.sum())} rows do not ({shown})"
        )
        return None
    return np.where(empty.to_numpy(), np.inf, values.to_numpy(dtype=float))


def check_rules(scenario: Scenario, inputs: Inputs) -> list[str]:
    """Return the problems a run would meet in the rules and the capacity column.

    Checks what needs no travel times: required site ids exist, group columns exist in the
    sectors, and the capacity column is present and valid.

    Parameters
    ----------
    scenario
        The scenario.
    inputs
        The checked sectors and sites.

    Returns
    -------
    list of str
        One line per problem; empty when the rules can be built.
    """
    problems: list[str] = []
    site_capacity(scenario, inputs.sites, problems)
    kind = scenario.objective.kind
    if kind != "max_coverage" and any(scenario.colocation.value_families.values()):
        problems.append(
            f"colocation.value_families counts in the coverage objective of objective.kind "
            f"max_coverage only, not {kind}: set the values to 0 or use max_coverage"
        )
    rule_sites(scenario, inputs, problems)
    for index, house_in in enumerate(scenario.rules.house_in):
        house_in_member(index, house_in, inputs, problems)
    columns = inputs.sectors.columns
    for index, group in enumerate(scenario.rules.house_per_group):
        if group.column not in columns:
            names = [str(column) for column in columns if column != inputs.sectors.geometry.name]
            same_case = [name for name in names if name.lower() == group.column.lower()]
            close = same_case or difflib.get_close_matches(group.column, names, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'? " if close else ""
            problems.append(
                f"rules.house_per_group[{index}] ({group.column}): the sectors have no column "
                f"'{group.column}'; {hint}columns: {', '.join(names)}; add it to the sector "
                "file or fix rules.house_per_group"
            )
    return problems


def rule_sites(
    scenario: Scenario, inputs: Inputs, problems: list[str]
) -> tuple[dict[str, NDArray[np.bool_]], NDArray[np.bool_]]:
    """Resolve the sites the rules name by id or name: required per role, and forbidden.

    Parameters
    ----------
    scenario
        The scenario (``rules.required_houses``, ``required_antennes``, ``forbidden_sites``).
    inputs
        The checked sites.
    problems
        Problems found (appended to): unknown or ambiguous names, a site both required and
        forbidden, an existing site forbidden while ``objective.keep_existing`` keeps it.

    Returns
    -------
    dict of str to ndarray of bool
        The required sites per key (``required_houses``, ``required_antennes``).
    ndarray of bool
        The forbidden sites.
    """
    spec, sites = scenario.rules, inputs.sites
    required = {
        key: resolve_sites(f"rules.{key}", getattr(spec, key), sites, problems)
        for key in ("required_houses", "required_antennes")
    }
    forbidden = resolve_sites("rules.forbidden_sites", spec.forbidden_sites, sites, problems)
    ids = sites["site_id"].astype(str).to_numpy()
    for key, mask in required.items():
        both = mask & forbidden
        if both.any():
            problems.append(
                f"rules.{key} and rules.forbidden_sites both name {', '.join(ids[both])}: "
                "remove the site from one of them"
            )
    existing = forbidden & (sites["existing_role"].to_numpy() != "")
    if existing.any() and scenario.objective.keep_existing:
        problems.append(
            f"rules.forbidden_sites names existing sites {', '.join(ids[existing])}, but "
            "objective.keep_existing keeps every existing site open: set "
            "objective.keep_existing: false to let them close (closing an existing site "
            "saves nothing in the model), or remove them from rules.forbidden_sites"
        )
    return required, forbidden


def site_running(
    scenario: Scenario, sites: gpd.GeoDataFrame, problems: list[str]
) -> tuple[NDArray[np.float64] | None, NDArray[np.float64] | None]:
    """Read the yearly running cost per site and role (``running_cost_house`` / ``_antenne``).

    Parameters
    ----------
    scenario
        The scenario (``budget.basis``: yearly and total need at least one of the columns).
    sites
        The checked site layer (extra columns carried along).
    problems
        Problems found (appended to): text or negative values, no column under a basis that
        counts running costs.

    Returns
    -------
    tuple of ndarray or None
        Euro a year per site for a house and for an antenne (empty cells and missing columns:
        ``budget.running_house_eur`` / ``running_antenne_eur``); None when neither gives one.
    """
    budget = scenario.budget
    out: list[NDArray[np.float64] | None] = []
    for column, default in zip(
        RUNNING_COLUMNS, (budget.running_house_eur, budget.running_antenne_eur), strict=True
    ):
        if column not in sites.columns:
            out.append(np.full(len(sites), default) if default > 0 else None)
            continue
        raw = sites[column]
        values = pd.to_numeric(raw, errors="coerce")
        empty = raw.isna() | (raw.astype("string").str.strip() == "")
        bad = (values.isna() & ~empty) | (values < 0)
        if bad.any():
            shown = ", ".join(str(v) for v in sites.loc[bad, "site_id"][:_SHOWN])
            problems.append(
                f"sites: column '{column}' must hold euro a year >= 0 or be empty (0); "
                f"{int(bad.sum())} rows do not ({shown}): fix those cells"
            )
            out.append(None)
            continue
        out.append(np.where(empty.to_numpy(), default, values.to_numpy(dtype=float)))
    if budget.basis != "investment" and out[0] is None and out[1] is None:
        problems.append(
            f"budget.basis {budget.basis} counts the sites' yearly running costs, but the sites "
            f"file has neither {RUNNING_COLUMNS[0]} nor {RUNNING_COLUMNS[1]} and the budget no "
            "running_house_eur / running_antenne_eur: give them (euro a year) or use basis: "
            "investment"
        )
    return out[0], out[1]


def may_close_sites(scenario: Scenario, inputs: Inputs, problems: list[str]) -> NDArray[np.bool_]:
    """Resolve ``rules.may_close``: existing sites that may close (by id or name).

    Parameters
    ----------
    scenario
        The scenario.
    inputs
        The checked sites.
    problems
        Problems found (appended to): unknown or ambiguous names, sites that are not existing.

    Returns
    -------
    ndarray of bool
        The sites that may close.
    """
    sites = inputs.sites
    mask = resolve_sites("rules.may_close", scenario.rules.may_close, sites, problems)
    new = mask & (sites["existing_role"].to_numpy() == "")
    if new.any():
        ids = sites["site_id"].astype(str).to_numpy()
        problems.append(
            f"rules.may_close names sites that are not open today: {', '.join(ids[new])}: only "
            "existing sites (column existing) can close; remove them"
        )
    return np.asarray(mask & ~new, dtype=bool)
