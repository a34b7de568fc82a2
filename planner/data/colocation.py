"""Which sites share their place with a vindplaats (school, childcare, consultatiebureau, loket).

The Lokaal Loket Kinderopvang is the fourth type (``lokaal_loket``).

Gent's plan names the services that already reach many families (the vindplaatsen) among what
decides where houses and antennes go, and the surveys of the houses add that sharing a place
with a consultatiebureau or the Lokaal Loket strengthens cooperation. :func:`mark_colocation`
writes, for every site, one column ``coloc_<type>`` (true when the site is co-located with that
type) and ``consultatiebureau_m`` (straight-line metres to the nearest consultatiebureau: a site
with one, or a service point; ``inf`` without any). A site is co-located with a type when

- its site column for the type is true (``colocation.columns``; by default ``is_<type>`` where
  the sites file has it, as ``planner data`` writes from the site types), or
- a point of that type in ``data.services`` lies within ``colocation.within_m`` metres.

``colocation_known`` lists the types for which the inputs say anything (a column or service
points of that type); the shares of the summary are reported for those only.
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
from typing import TYPE_CHECKING

import numpy as np
import shapely

from planner.data.checks import bool_column
from planner.data.layers import read_layer
from planner.errors import DataError, PlannerError
from planner.scenario import COLOCATION_TYPES

if TYPE_CHECKING:
    import geopandas as gpd
    from numpy.typing import NDArray

    from planner.data.inputs import Inputs
    from planner.scenario import Scenario

__all__ = [
    "COLOCATION_COLUMNS",
    "colocation_problems",
    "eligible_new_sites",
    "known_types",
    "mark_colocation",
]

logger = logging.getLogger(__name__)

COLOCATION_COLUMNS = tuple(f"coloc_{kind}" for kind in COLOCATION_TYPES)
"""The site columns :func:`mark_colocation` writes, one per type."""

_KNOWN = "colocation_known"


def colocation_problems(scenario: Scenario, inputs: Inputs) -> list[str]:
    """Return what is wrong with the co-location inputs (for ``planner validate``).

    Parameters
    ----------
    scenario
        The scenario (``colocation`` section, ``data.services``).
    inputs
        The checked sites.

    Returns
    -------
    list of str
        One line per problem: a named column missing or not true/false, a services file
        that cannot be read or lacks its type column.
    """
    problems: list[str] = []
    _flags(scenario, inputs, problems)
    return problems


def mark_colocation(scenario: Scenario, inputs: Inputs) -> Inputs:
    """Return the inputs with the co-location columns on the site table.

    Parameters
    ----------
    scenario
        The scenario (``colocation`` section, ``data.services``).
    inputs
        The checked sectors and sites.

    Returns
    -------
    Inputs
        The same inputs; ``sites`` gains ``coloc_<type>`` (bool), ``consultatiebureau_m``
        (float) and, in ``sites.attrs["colocation_known"]``, the types the inputs inform on.

    Raises
    ------
    DataError
        When a named column is missing or not true/false, or the services file cannot be used.
    """
    problems: list[str] = []
    flags, metres, known = _flags(scenario, inputs, problems)
    if problems:
        raise DataError(problems)
    sites = inputs.sites.copy()
    for kind, column in zip(COLOCATION_TYPES, COLOCATION_COLUMNS, strict=True):
        sites[column] = flags[kind]
    sites["consultatiebureau_m"] = metres
    sites.attrs[_KNOWN] = list(known)
    counts = ", ".join(f"{kind} {int(flags[kind].sum())}" for kind in known)
    logger.info(f"Co-location: sites with a vindplaats on site or near: {counts or 'no data'}")
    return dataclasses.replace(inputs, sites=sites)


def known_types(sites: gpd.GeoDataFrame) -> tuple[str, ...]:
    """Return the co-location types the inputs inform on (empty before :func:`mark_colocation`).

    Parameters
    ----------
    sites
        A site table marked by :func:`mark_colocation`.

    Returns
    -------
    tuple of str
        The types with a site column or service points.
    """
    return tuple(sites.attrs.get(_KNOWN, ()))


def _flags(
    scenario: Scenario, inputs: Inputs, problems: list[str]
) -> tuple[dict[str, NDArray[np.bool_]], NDArray[np.float64], tuple[str, ...]]:
    """Return the flag per type, metres to a consultatiebureau, and the informed types."""
    spec = scenario.colocation
    sites = inputs.sites
    n = len(sites)
    path = scenario.data.sites
    flags: dict[str, NDArray[np.bool_]] = {
        kind: np.zeros(n, dtype=bool) for kind in COLOCATION_TYPES
    }
    known: set[str] = set()
    names = [str(c) for c in sites.columns if c != sites.geometry.name]
    for kind in COLOCATION_TYPES:
        column = spec.columns.get(kind)
        if column is None:
            column = f"is_{kind}" if f"is_{kind}" in sites.columns else None
        elif column not in sites.columns:
            close = difflib.get_close_matches(column, names, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'? " if close else ""
            problems.append(
                f"colocation.columns.{kind}: the sites have no column '{column}'; {hint}"
                f"columns: {', '.join(names)}; fix colocation.columns"
            )
            continue
        if column is not None:
            flags[kind] = bool_column(sites, path, column, problems).to_numpy(dtype=bool)
            known.add(kind)
    site_points = _points(sites.geometry)
    cb_points = [site_points[flags["consultatiebureau"]]]
    if scenario.data.services is not None:
        services = _services(scenario, sites, problems)
        if services is not None:
            kinds, points = services
            for kind in COLOCATION_TYPES:
                mine = points[kinds == kind]
                if mine.size:
                    known.add(kind)
                    flags[kind] |= _nearest_m(site_points, mine) <= spec.within_m
            cb_points.append(points[kinds == "consultatiebureau"])
    metres = _nearest_m(site_points, np.concatenate(cb_points))
    order: tuple[str, ...] = tuple(kind for kind in COLOCATION_TYPES if kind in known)
    return flags, metres, order


def _services(
    scenario: Scenario, sites: gpd.GeoDataFrame, problems: list[str]
) -> tuple[NDArray[np.object_], NDArray[np.object_]] | None:
    """Read ``data.services``: the type of every point and its geometry in the sites' CRS."""
    path = scenario.data.services
    assert path is not None  # noqa: S101 - the caller checks
    try:
        layer = read_layer(path, "services")
    except PlannerError as error:
        problems.extend(error.problems)
        return None
    column = scenario.colocation.service_type_column
    if column not in layer.columns:
        available = ", ".join(str(c) for c in layer.columns if c != layer.geometry.name)
        problems.append(
            f"{path}: column '{column}' (colocation.service_type_column) is missing; "
            f"columns: {available}; name the column that holds school, childcare, "
            "consultatiebureau or lokaal_loket"
        )
        return None
    if layer.crs is None:
        problems.append(f"{path}: the services layer has no CRS; save it with one (EPSG:31370)")
        return None
    layer = layer[~(layer.geometry.isna() | layer.geometry.is_empty)].to_crs(sites.crs)
    kinds = layer[column].astype("string").str.strip().str.lower().fillna("").to_numpy(object)
    if not np.isin(kinds, COLOCATION_TYPES).any():
        found = ", ".join(sorted({str(k) for k in kinds})[:8])
        problems.append(
            f"{path}: column '{column}' holds none of school, childcare, consultatiebureau, "
            f"lokaal_loket (found: {found}); write those values"
        )
        return None
    return kinds, _points(layer.geometry)


def _points(geometry: gpd.GeoSeries) -> NDArray[np.object_]:
    """Return a point per feature (itself, or a point on its surface)."""
    values = np.asarray(geometry.to_numpy(), dtype=object)
    if values.size == 0:
        return values
    point = shapely.get_type_id(values) == 0
    out = values.copy()
    out[~point] = shapely.point_on_surface(values[~point])
    return out


def _nearest_m(sites: NDArray[np.object_], points: NDArray[np.object_]) -> NDArray[np.float64]:
    """Return the straight-line metres from every site to the nearest point (``inf``: none)."""
    out = np.full(sites.shape[0], np.inf)
    if points.size == 0 or sites.size == 0:
        return out
    tree = shapely.STRtree(points)
    (index, _), distance = tree.query_nearest(sites, return_distance=True, all_matches=False)
    out[index] = distance
    return out


def eligible_new_sites(
    scenario: Scenario, sites: gpd.GeoDataFrame, e: NDArray[np.float64]
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    r"""Return where the co-location rules let a new house and a new antenne open.

    ``rules.antennes_at``: a new antenne only at a site co-located with one of the types.
    ``rules.house_consultatiebureau_min`` / ``_m``: a new house only where a consultatiebureau
    is on site, or a site with one within that many minutes (:math:`e_{jk}`), or one (site or
    service point) within that many metres. Existing sites in their own role are today's
    situation and are not restricted.

    Parameters
    ----------
    scenario
        The scenario (its rules).
    sites
        The site table marked by :func:`mark_colocation`.
    e
        ``(n_j, n_j)`` site-to-site minutes.

    Returns
    -------
    house_ok, antenne_ok : ndarray of bool
        Per site, whether a new house / antenne may open there (all True without the rules).
    """
    rules = scenario.rules
    n = len(sites)
    antenne_ok = np.ones(n, dtype=bool)
    if rules.antennes_at:
        antenne_ok = np.zeros(n, dtype=bool)
        for kind in rules.antennes_at:
            antenne_ok |= _flag_of(sites, kind)
    minutes, metres = rules.house_consultatiebureau_min, rules.house_consultatiebureau_m
    house_ok = np.ones(n, dtype=bool)
    if minutes is not None or metres is not None:
        on_site = _flag_of(sites, "consultatiebureau")
        house_ok = on_site.copy()
        if minutes is not None and on_site.any():
            near = np.isfinite(e[:, on_site]) & (e[:, on_site] <= minutes)
            house_ok |= near.any(axis=1)
        if metres is not None:
            house_ok |= sites["consultatiebureau_m"].to_numpy(dtype=float) <= metres
    return house_ok, antenne_ok


def _flag_of(sites: gpd.GeoDataFrame, kind: str) -> NDArray[np.bool_]:
    column = f"coloc_{kind}"
    if column not in sites.columns:
        return np.zeros(len(sites), dtype=bool)
    return np.asarray(sites[column].to_numpy(dtype=bool))
