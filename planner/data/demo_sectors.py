r"""The demo town's statistical sectors: population, target group, income and deprivation.

Sectors are Voronoi cells of a jittered grid of seeds, split along the river, grouped into
wijken by river bank. Their figures come from a deprivation surface and a population density
surface (the formulas are in :mod:`planner.data.demo`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import shapely
from shapely import Polygon
from shapely.ops import split

from planner.data.demo_town import (
    CRS,
    GRID,
    bumps,
    jittered_grid,
    keep_off_river,
    river,
    river_bank,
)
from planner.errors import DataError

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["POOR_SPOTS", "demo_sectors"]

# Sectors: 8 x 8 seeds, compressed towards the centre.
_SECTOR_LINES = 8
_SECTOR_WARP = 0.7
_SECTOR_JITTER = 0.18
_SEED_CLEARANCE_M = 120.0

# Deprivation surface: (x, y, sigma in metres, height).
POOR_SPOTS = (
    (103_200.0, 192_050.0, 800.0, 0.85),  # Sluiswijk, south bank facing the centre
    (104_900.0, 194_500.0, 650.0, 0.55),  # Spoorwijk, old railway yard
    (103_000.0, 193_150.0, 500.0, 0.25),  # old centre
)
# Population density in inhabitants per km2: (x, y, sigma in metres, height); base added.
_DENSITY_BASE = 900.0
_DENSE_SPOTS = (
    (103_000.0, 193_150.0, 1_200.0, 4_500.0),
    (103_200.0, 192_050.0, 700.0, 3_500.0),
    (104_900.0, 194_500.0, 600.0, 1_500.0),
)

# Wijken: anchor point, and bank of the river (1 north, -1 south).
_WIJKEN = (
    ("Oude Stad", (103_000.0, 193_250.0), 1),
    ("Lindenpark", (100_900.0, 193_900.0), 1),
    ("Hoogveld", (102_600.0, 195_200.0), 1),
    ("Spoorwijk", (105_000.0, 194_300.0), 1),
    ("Sluiswijk", (103_200.0, 192_200.0), -1),
    ("Zuidkouter", (101_300.0, 191_000.0), -1),
    ("Meersen", (104_900.0, 191_000.0), -1),
)

# fmt: off
_SECTOR_NAMES = (
    "Kerkwijk-Noord", "Kerkwijk-Zuid", "Molenveld", "Lindenhof", "Begijnhof", "Vismarkt",
    "Paardenmarkt", "Sint-Jansplein", "Sluishoek", "Kaaiwijk", "Dokken", "Brouwershoek",
    "Weverswijk", "Stationsbuurt", "Spoorkant", "Hoogkouter", "Veldhoek", "Akkerhoek",
    "Kouterdreef", "Bosveld", "Heidebloem", "Zonnebloem", "Eikenhof", "Beukenhaag",
    "Kasteelpark", "Abdijveld", "Broekmolen", "Rietveld", "Wilgenhoek", "Populierenwijk",
    "Vlasgaard", "Ter Linden", "Ter Heide", "Nieuwe Haven", "Oude Haven", "Zwanenhof",
    "Gildenwijk", "Smedenpoort", "Kapelleveld", "Klokhof", "Veldkant", "Tuinwijk", "Zandberg",
    "Groenkouter", "Boterhoek", "Lammerhof", "Klaverveld", "Nachtegaal", "Ganzenhoek",
    "Molenhoek-Oost", "Blekerij", "Vossenhol",
)
# fmt: on


# --- sectors ----------------------------------------------------------------------------------


def _banks(town: Polygon) -> dict[int, Polygon]:
    """Cut the town in two along the river: {1: north bank, -1: south bank}."""
    parts = list(shapely.get_parts(split(town, river())))
    if len(parts) != 2:
        raise DataError(f"demo city: the river should cut the town in 2 parts, got {len(parts)}")
    xy = shapely.get_coordinates(shapely.point_on_surface(parts))
    sides = river_bank(xy[:, 0], xy[:, 1])
    return {int(side): part for side, part in zip(sides, parts, strict=True)}


def _voronoi_cells(seeds: NDArray[np.float64], region: Polygon) -> NDArray[np.object_]:
    """Voronoi cells of ``seeds`` clipped to ``region``, in the order of the seeds."""
    cells: NDArray[np.object_] = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=region, ordered=True)
    )
    cells = shapely.set_precision(shapely.intersection(cells, region), GRID)
    pieces = shapely.get_type_id(cells) != shapely.GeometryType.POLYGON
    if pieces.any():
        raise DataError(
            f"demo city: {int(pieces.sum())} sectors fall apart in pieces along the river; "
            "use another seed"
        )
    return cells


def _sector_cells(
    rng: np.random.Generator, town: Polygon
) -> tuple[NDArray[np.object_], NDArray[np.int64]]:
    """Sector polygons tiling the town, split along the river, and the bank of each."""
    x2, y2, _, _ = jittered_grid(rng, _SECTOR_LINES, _SECTOR_WARP, _SECTOR_JITTER)
    y2 = keep_off_river(x2, y2, _SEED_CLEARANCE_M)
    x, y = x2.ravel(), y2.ravel()
    inside = shapely.contains_xy(town.buffer(-150.0), x, y)
    x, y = x[inside], y[inside]
    side = river_bank(x, y)
    cells, banks = [], []
    for bank, region in sorted(_banks(town).items()):
        on_bank = side == bank
        cells.append(_voronoi_cells(np.column_stack([x[on_bank], y[on_bank]]), region))
        banks.append(np.full(int(on_bank.sum()), bank, dtype=np.int64))
    return np.concatenate(cells), np.concatenate(banks)


def _assign_wijken(xy: NDArray[np.float64], bank: NDArray[np.int64]) -> NDArray[np.int64]:
    """Index of the nearest wijk anchor on the same river bank, per sector."""
    anchors = np.array([anchor for _, anchor, _ in _WIJKEN])
    anchor_bank = np.array([side for *_, side in _WIJKEN])
    distance = np.hypot(xy[:, 0, None] - anchors[None, :, 0], xy[:, 1, None] - anchors[None, :, 1])
    distance[bank[:, None] != anchor_bank[None, :]] = np.inf
    nearest: NDArray[np.int64] = np.argmin(distance, axis=1)
    return nearest


def _sector_ids(wijk: NDArray[np.int64], xy: NDArray[np.float64]) -> NDArray[np.object_]:
    """``DEMO`` + wijk number + letter, letters running north-west to south-east in a wijk."""
    order = np.lexsort((xy[:, 0], -xy[:, 1], wijk))
    ids = np.empty(wijk.size, dtype=object)
    rank = 0
    for position, k in enumerate(order):
        rank = 0 if position == 0 or wijk[order[position - 1]] != wijk[k] else rank + 1
        ids[k] = f"DEMO{wijk[k] + 1:02d}{chr(ord('A') + rank)}"
    return ids


def demo_sectors(rng: np.random.Generator, town: Polygon) -> gpd.GeoDataFrame:
    """Statistical sectors with population, target group, income and deprivation."""
    cells, bank = _sector_cells(rng, town)
    n = cells.size
    if n > len(_SECTOR_NAMES):
        raise DataError(f"demo city: {n} sectors but only {len(_SECTOR_NAMES)} names; add names")
    xy = shapely.get_coordinates(shapely.point_on_surface(cells))
    z = np.clip(bumps(xy[:, 0], xy[:, 1], POOR_SPOTS) + rng.normal(0.0, 0.06, n), 0.0, 1.0)
    density = _DENSITY_BASE + bumps(xy[:, 0], xy[:, 1], _DENSE_SPOTS)
    area_km2 = shapely.area(cells) / 1e6
    population = np.clip(density * area_km2 * rng.normal(1.0, 0.1, n), 300, 3_000)
    target_share = np.clip(0.085 + 0.05 * z + rng.normal(0.0, 0.008, n), 0.08, 0.14)
    income = np.clip(37_000 - 17_500 * z + rng.normal(0.0, 1_200.0, n), 18_000, 38_000)
    deprived = np.clip(0.03 + 0.40 * z + rng.normal(0.0, 0.025, n), 0.02, 0.45)
    wijk = _assign_wijken(xy, bank)
    sectors = gpd.GeoDataFrame(
        {
            "sector_id": _sector_ids(wijk, xy),
            "name": rng.permutation(np.array(_SECTOR_NAMES, dtype=object))[:n],
            "wijk": np.array([name for name, *_ in _WIJKEN], dtype=object)[wijk],
            "population": np.round(population).astype(np.int64),
            "target": np.round(np.round(population) * target_share).astype(np.int64),
            "median_income": (np.round(income / 100.0) * 100).astype(np.int64),
            "deprived_births_share": np.round(deprived, 3),
        },
        geometry=cells,
        crs=CRS,
    )
    return sectors.sort_values("sector_id", ignore_index=True)
