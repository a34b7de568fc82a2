r"""The demo town's sites: existing houses and antennes and candidate sites on its streets.

Candidates are drawn in sectors in proportion to their families, spaced apart and moved to
the front of the nearest street for cars; their type gives their name, eligibility and costs
(dearer in the centre). One vacant building near the poorest district is forbidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import shapely

from planner.data.demo_sectors import POOR_SPOTS
from planner.data.demo_town import CENTRE, CRS, bumps, snap
from planner.errors import DataError

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["demo_sites"]

# fmt: off
_SCHOOL_NAMES = (
    "De Linde", "De Regenboog", "Het Klavertje", "De Vlinder", "Sint-Jozef", "De Kleine Wereld",
    "Het Zonnetje", "De Boomhut", "Sint-Maarten", "De Wilg", "De Notelaar", "Het Anker",
)
_CHILDCARE_NAMES = (
    "'t Kabouterhuis", "De Pinguïn", "Het Nestje", "Kikker en Pad",
    "'t Molentje", "Hummeltjes", "De Knuffelbeer", "De Zandbak",
)
# fmt: on


@dataclass(frozen=True)
class _SiteType:
    """How candidates of one type are drawn: label, share, eligibility, costs in kEUR."""

    label: str
    share: float
    p_house: float
    p_antenne: float
    house_keur: tuple[int, int]
    antenne_keur: tuple[int, int]


_SITE_TYPES = {
    "school": _SiteType("Basisschool", 0.30, 0.35, 0.95, (380, 560), (45, 90)),
    "community_centre": _SiteType("Buurtcentrum", 0.18, 0.75, 1.00, (300, 480), (40, 80)),
    "childcare": _SiteType("Kinderdagverblijf", 0.16, 0.25, 0.95, (420, 620), (60, 110)),
    "library": _SiteType("Bibliotheek", 0.10, 0.70, 1.00, (350, 520), (50, 95)),
    "consultatiebureau": _SiteType("Consultatiebureau", 0.12, 0.40, 1.00, (330, 500), (40, 75)),
    "vacant_building": _SiteType("Leegstaand pand", 0.14, 0.90, 0.60, (250, 420), (90, 150)),
}
_N_CANDIDATES = 30  # besides the existing sites
_MIN_SITE_SPACING_M = 350.0
# Existing sites: name, type, role, approximate location.
_EXISTING_SITES = (
    ("Huis van het Kind De Kouter", "community_centre", "house", (103_050.0, 193_230.0)),
    ("Consultatiebureau Sint-Jan", "consultatiebureau", "antenne", (103_480.0, 193_560.0)),
    ("Kinderdagverblijf De Speelboot", "childcare", "antenne", (102_380.0, 193_300.0)),
)


# --- sites ------------------------------------------------------------------------------------


def _street_fronts(
    points: NDArray[np.float64], streets: gpd.GeoDataFrame
) -> tuple[NDArray[np.float64], NDArray[np.object_]]:
    """Move points to 12 m from the nearest street for cars, on their own side of it.

    Returns the new coordinates and the name of that street for each point.
    """
    drivable = streets[streets["road_class"] != "path"]
    lines = drivable.geometry.to_numpy()
    geoms = shapely.points(points)
    pairs = shapely.STRtree(lines).query_nearest(geoms, all_matches=False)
    nearest = np.empty(points.shape[0], dtype=np.int64)
    nearest[pairs[0]] = pairs[1]
    on_street = shapely.get_coordinates(
        shapely.line_interpolate_point(
            lines[nearest], shapely.line_locate_point(lines[nearest], geoms)
        )
    )
    away = points - on_street
    length = np.hypot(away[:, 0], away[:, 1])
    unit = np.divide(away, length[:, None], out=np.zeros_like(away), where=length[:, None] > 0)
    return snap(on_street + 12.0 * unit), drivable["name"].to_numpy()[nearest]


def _candidate_points(
    rng: np.random.Generator, sectors: gpd.GeoDataFrame, taken: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Candidate locations: sectors drawn in proportion to their families, spaced apart."""
    centres = shapely.get_coordinates(shapely.point_on_surface(sectors.geometry.to_numpy()))
    families = sectors["target"].to_numpy(dtype=np.float64)
    chosen_xy: list[NDArray[np.float64]] = []
    chosen_sector: list[int] = []
    placed = taken.copy()
    attempts = 0
    while len(chosen_xy) < _N_CANDIDATES and attempts < 20_000:
        attempts += 1
        k = int(rng.choice(families.size, p=families / families.sum()))
        xy = centres[k] + rng.normal(0.0, 180.0, 2)
        spacing = np.hypot(placed[:, 0] - xy[0], placed[:, 1] - xy[1]).min()
        if spacing >= _MIN_SITE_SPACING_M and shapely.contains_xy(sectors.geometry.iloc[k], *xy):
            chosen_xy.append(xy)
            chosen_sector.append(k)
            placed = np.vstack([placed, xy])
    if len(chosen_xy) < _N_CANDIDATES:  # pragma: no cover - the constants leave ample room
        raise DataError("demo city: no room for all candidate sites; lower _MIN_SITE_SPACING_M")
    return np.array(chosen_xy), np.array(chosen_sector, dtype=np.int64)


def _unique_name(name: str, fallback: str, used: set[str]) -> str:
    """``name``, or ``fallback`` when taken, or ``fallback`` numbered."""
    for candidate in (name, fallback, *(f"{fallback} {k}" for k in range(2, 100))):
        if candidate not in used:
            used.add(candidate)
            return candidate
    raise DataError(f"demo city: cannot find a free name like {name!r}")  # pragma: no cover


def _site_names(
    rng: np.random.Generator,
    types: NDArray[np.object_],
    sector_names: NDArray[np.object_],
    street_names: NDArray[np.object_],
    used: set[str],
) -> list[str]:
    """Names such as "Basisschool De Linde", "Buurtcentrum Molenveld", "Leegstaand pand ..."."""
    pools = {
        "school": list(rng.permutation(np.array(_SCHOOL_NAMES, dtype=object))),
        "childcare": list(rng.permutation(np.array(_CHILDCARE_NAMES, dtype=object))),
    }
    names = []
    for kind, sector, street in zip(types, sector_names, street_names, strict=True):
        pool = pools.get(kind)
        place = street if kind == "vacant_building" else (pool.pop(0) if pool else sector)
        label = _SITE_TYPES[kind].label
        names.append(_unique_name(f"{label} {place}", f"{label} {street}", used))
    return names


def _site_costs(
    rng: np.random.Generator, types: NDArray[np.object_], xy: NDArray[np.float64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """House and antenne costs by type, 15 % dearer in the centre, in multiples of 5 000 euro."""
    house_keur = np.array([_SITE_TYPES[kind].house_keur for kind in types], dtype=np.float64)
    antenne_keur = np.array([_SITE_TYPES[kind].antenne_keur for kind in types], dtype=np.float64)
    premium = 1.0 + 0.15 * bumps(xy[:, 0], xy[:, 1], [(*CENTRE, 1_500.0, 1.0)])
    house = rng.uniform(house_keur[:, 0], house_keur[:, 1]) * 1_000.0 * premium
    antenne = rng.uniform(antenne_keur[:, 0], antenne_keur[:, 1]) * 1_000.0 * premium
    return (
        (np.round(np.clip(house, 250_000, 700_000) / 5_000.0) * 5_000).astype(np.int64),
        (np.round(np.clip(antenne, 40_000, 150_000) / 5_000.0) * 5_000).astype(np.int64),
    )


def _eligibility(
    rng: np.random.Generator, types: NDArray[np.object_], wijk: NDArray[np.object_]
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Which candidates can become a house or an antenne; every wijk gets a possible house."""
    draw_h, draw_a = rng.random(types.size), rng.random(types.size)
    can_house = draw_h < np.array([_SITE_TYPES[kind].p_house for kind in types])
    can_antenne = draw_a < np.array([_SITE_TYPES[kind].p_antenne for kind in types])
    for name in np.unique(wijk):
        in_wijk = np.flatnonzero(wijk == name)
        if not can_house[in_wijk].any():
            can_house[in_wijk[np.argmin(draw_h[in_wijk])]] = True
    can_antenne |= ~can_house
    return can_house, can_antenne


def _forbidden(
    types: NDArray[np.object_], can_house: NDArray[np.bool_], xy: NDArray[np.float64]
) -> NDArray[np.bool_]:
    """Forbid one site: the vacant building (else any possible house) nearest the poorest spot.

    It plays the building a planner would like to use but may not (unsafe, sold, listed).
    """
    poor_x, poor_y = POOR_SPOTS[0][:2]
    distance = np.hypot(xy[:, 0] - poor_x, xy[:, 1] - poor_y)
    vacant = can_house & (types == "vacant_building")
    eligible = vacant if vacant.any() else can_house
    forbidden = np.zeros(types.size, dtype=bool)
    forbidden[np.argmin(np.where(eligible, distance, np.inf))] = True
    return forbidden


def demo_sites(
    rng: np.random.Generator, sectors: gpd.GeoDataFrame, streets: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Existing sites and candidate sites on the streets of the town."""
    wanted = np.array([xy for *_, xy in _EXISTING_SITES])
    existing_xy, _ = _street_fronts(wanted, streets)
    candidate_xy, sector_index = _candidate_points(rng, sectors, existing_xy)
    candidate_xy, street_names = _street_fronts(candidate_xy, streets)
    n = candidate_xy.shape[0]
    shares = np.array([kind.share for kind in _SITE_TYPES.values()])
    types = np.array(list(_SITE_TYPES), dtype=object)[
        rng.choice(len(_SITE_TYPES), n, p=shares / shares.sum())
    ]
    used = {name for name, *_ in _EXISTING_SITES}
    names = _site_names(rng, types, sectors["name"].to_numpy()[sector_index], street_names, used)
    can_house, can_antenne = _eligibility(rng, types, sectors["wijk"].to_numpy()[sector_index])
    forbidden = _forbidden(types, can_house, candidate_xy)

    existing_types = np.array([kind for _, kind, _, _ in _EXISTING_SITES], dtype=object)
    existing_role = np.array([role for *_, role, _ in _EXISTING_SITES], dtype=object)
    all_types = np.concatenate([existing_types, types])
    all_xy = np.vstack([existing_xy, candidate_xy])
    cost_house, cost_antenne = _site_costs(rng, all_types, all_xy)
    sites = gpd.GeoDataFrame(
        {
            "name": [name for name, *_ in _EXISTING_SITES] + names,
            "type": all_types,
            "can_house": np.concatenate([existing_role == "house", can_house]),
            "can_antenne": np.concatenate([np.ones(existing_role.size, dtype=bool), can_antenne]),
            "cost_house": cost_house,
            "cost_antenne": cost_antenne,
            "existing": np.concatenate([existing_role, np.full(n, "", dtype=object)]),
            "forbidden": np.concatenate([np.zeros(existing_role.size, dtype=bool), forbidden]),
        },
        geometry=shapely.points(all_xy),
        crs=CRS,
    )
    order = np.lexsort((all_xy[:, 0], -all_xy[:, 1]))
    sites = sites.iloc[order].reset_index(drop=True)
    sites.insert(0, "site_id", [f"S{k + 1:02d}" for k in range(len(sites))])
    return sites
