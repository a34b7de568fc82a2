r"""A made-up demo town, generated deterministically, for trying planner without real data.

The town (about 6 x 6 km in Belgian Lambert 72, EPSG:31370, around x = 103 000, y = 193 000)
is invented: its names, streets and figures describe no real place. It has

* an old centre on the north bank of a river that only **four bridges** cross (three road
  bridges and a footbridge), so that walking times depend on where a family lives;
* a dense, poor district on the south bank facing the centre and a second poorer pocket
  around the old railway yard in the north-east, and richer, thinner suburbs elsewhere;
* a perturbed street grid (blocks of about 180 m in the centre and 360 m at the edge) with a
  few main roads, one-way streets in the centre, footpaths, a park, and one isolated farm
  track outside the town (which the network loader must drop as not connected);
* candidate sites (schools, libraries, community centres, childcare, consultatiebureaus,
  vacant buildings) with an existing Huis van het Kind in the centre and two existing
  antennes.

Need is made with spatial contrast. With a deprivation surface :math:`z(p) \in [0, 1]` (two
Gaussian bumps on the poor districts, a smaller one on the centre, plus noise) the sector
figures are

.. math::

    \text{income} = 37\,000 - 17\,500\, z + \varepsilon_1, \qquad
    \text{deprived share} = 0.03 + 0.40\, z + \varepsilon_2, \qquad
    \frac{\text{target}}{\text{population}} = 0.085 + 0.05\, z + \varepsilon_3,

clipped to 18 000-38 000 euro, 0.02-0.45 and 8-14 %, so income and deprivation are
negatively correlated with noise. Population is a density surface (high in the centre and the
south-bank district) times the sector's area, clipped to 300-3 000.

Every file is byte-identical for the same ``seed`` (and the same GEOS/GDAL versions):
randomness comes from one seeded :class:`numpy.random.Generator` per layer, coordinates are
rounded to 0.01 m, rows are sorted and the GeoJSON is written with a fixed coordinate
precision. Run ``python -m planner.data.demo [FOLDER]`` to (re)write the files.
"""

from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import connected_components
from shapely import LineString, MultiLineString, Point, Polygon
from shapely.ops import split

from planner.errors import DataError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import NDArray

__all__ = ["DEMO_FILES", "DEMO_SEED", "DemoCity", "build_demo_city", "main", "write_demo_city"]

logger = logging.getLogger(__name__)

CRS = "EPSG:31370"
DEMO_SEED = 2013
DEMO_FILES = {"sectors": "sectors.geojson", "streets": "streets.geojson", "sites": "sites.geojson"}
"""File name of each layer of the demo city, by role."""

_CENTRE = (103_000.0, 193_000.0)
_HALF_SIZE = 3_000.0
_GRID = 0.01  # metres: every coordinate is a multiple of this
_PRECISION = 2  # decimals written to GeoJSON, matching _GRID

# Streets: 26 x 26 grid lines, compressed towards the centre.
_STREET_LINES = 26
_STREET_WARP = 0.75
_STREET_JITTER = 0.15  # share of the local block size
_RIVER_CLEARANCE_M = 40.0
_DROP_LOCAL_SHARE = 0.08
_ONEWAY_RADIUS_M = 900.0
_ONEWAY_SHARE = 0.35
_PARK = ((101_900.0, 193_750.0), 280.0)  # centre and radius of the Stadspark
_TRAGE_WEGEN = 22  # diagonal footpaths through blocks

# Sectors: 8 x 8 seeds, compressed towards the centre.
_SECTOR_LINES = 8
_SECTOR_WARP = 0.7
_SECTOR_JITTER = 0.18
_SEED_CLEARANCE_M = 120.0

# Deprivation surface: (x, y, sigma in metres, height).
_POOR_SPOTS = (
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
_STREET_PREFIXES = (
    "Kerk", "Molen", "Linden", "Beuken", "Veld", "School", "Kapel", "Bloemen", "Hoog", "Dorp",
    "Kouter", "Akker", "Wilgen", "Eiken", "Populieren", "Berken", "Kastanje", "Rozen", "Tulpen",
    "Leeuwen", "Zwanen", "Vossen", "Haven", "Markt", "Abdij", "Klooster", "Smeden", "Wevers",
    "Brouwers", "Vissers", "Bakkers", "Hoven", "Meers", "Broek", "Heide", "Kasteel", "Pastorij",
    "Gasthuis", "Sluis", "Toren", "Zand", "Klaver", "Kers", "Appel", "Hazel", "Spinnerij",
    "Blekerij", "Lijnwaad", "Gilde", "Beiaard", "Nachtegalen", "Merel", "Leeuwerik", "Koekoek",
    "Wielewaal", "Ooievaar", "Reiger", "Distel", "Brem", "Hulst",
)
_STREET_SUFFIXES = ("straat", "straat", "straat", "laan", "dreef", "weg", "wegel")
_SCHOOL_NAMES = (
    "De Linde", "De Regenboog", "Het Klavertje", "De Vlinder", "Sint-Jozef", "De Kleine Wereld",
    "Het Zonnetje", "De Boomhut", "Sint-Maarten", "De Wilg", "De Notelaar", "Het Anker",
)
_CHILDCARE_NAMES = (
    "'t Kabouterhuis", "De Pinguïn", "Het Nestje", "Kikker en Pad",
    "'t Molentje", "Hummeltjes", "De Knuffelbeer", "De Zandbak",
)
# fmt: on
# Main roads: (axis, coordinate of the grid line, river bank or 0 for both) -> (name, class).
_MAIN_ROADS = {
    ("row", 193_150.0, 0): ("Grote Steenweg", "primary"),
    ("col", 103_000.0, 1): ("Noorderlaan", "primary"),
    ("col", 103_000.0, -1): ("Zuiderlaan", "primary"),
    ("row", 194_900.0, 0): ("Hoogveldlaan", "secondary"),
    ("row", 191_300.0, 0): ("Zuidring", "secondary"),
    ("col", 100_900.0, 0): ("Westlaan", "secondary"),
    ("col", 105_550.0, 0): ("Oostlaan", "secondary"),
}
# Bridges: x of the street they carry across the river, name, road class.
_BRIDGES = (
    (100_900.0, "Lindenbrug", "secondary"),
    (103_000.0, "Sint-Jansbrug", "primary"),
    (104_250.0, "Wevers' loopbrug", "path"),
    (105_550.0, "Meersenbrug", "secondary"),
)
_ISOLATED_TRACK = ((105_780.0, 190_230.0), (105_905.0, 190_120.0), "Kapelleweg")


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


@dataclass(frozen=True)
class DemoCity:
    """The three layers of the demo town, in EPSG:31370.

    Attributes
    ----------
    sectors : geopandas.GeoDataFrame
        ``sector_id``, ``name``, ``wijk``, ``population``, ``target``, ``median_income``,
        ``deprived_births_share``, polygons tiling the town; sorted by ``sector_id``.
    streets : geopandas.GeoDataFrame
        ``street_id``, ``name``, ``road_class``, ``oneway``, lines noded at their end points;
        sorted by ``street_id``.
    sites : geopandas.GeoDataFrame
        ``site_id``, ``name``, ``type``, ``can_house``, ``can_antenne``, ``cost_house``,
        ``cost_antenne``, ``existing``, ``forbidden``, points; sorted by ``site_id``.
    """

    sectors: gpd.GeoDataFrame
    streets: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame


# --- geography shared by the layers -----------------------------------------------------------


def _snap(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Round coordinates to the 0.01 m grid, so that equal points are bit-identical."""
    return np.round(values, _PRECISION)


def _town_boundary() -> Polygon:
    r"""Draw the town as a superellipse :math:`|x/a|^4 + |y/a|^4 = 1` with a slightly wavy edge."""
    theta = np.linspace(0.0, 2.0 * np.pi, 97)[:-1]
    c, s = np.cos(theta), np.sin(theta)
    radius = _HALF_SIZE / (c**4 + s**4) ** 0.25
    radius *= 1.0 + 0.035 * np.sin(3.0 * theta + 0.5) + 0.025 * np.sin(5.0 * theta + 1.3)
    radius = np.minimum(radius, _HALF_SIZE * np.sqrt(2.0))
    x = np.clip(_CENTRE[0] + radius * c, _CENTRE[0] - _HALF_SIZE, _CENTRE[0] + _HALF_SIZE)
    y = np.clip(_CENTRE[1] + radius * s, _CENTRE[1] - _HALF_SIZE, _CENTRE[1] + _HALF_SIZE)
    return Polygon(_snap(np.column_stack([x, y])))


def _river_y(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """North coordinate of the river's centre line at each ``x``: two superposed meanders."""
    t = (x - (_CENTRE[0] - 4_000.0)) * 2.0 * np.pi
    return 192_650.0 + 230.0 * np.sin(t / 3_900.0) + 80.0 * np.sin(t / 1_700.0 + 1.0)


def _river() -> LineString:
    """Return the river's centre line, reaching beyond the town on both sides."""
    x = np.arange(_CENTRE[0] - 3_600.0, _CENTRE[0] + 3_601.0, 50.0)
    return LineString(_snap(np.column_stack([x, _river_y(x)])))


def _bank(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.int64]:
    """1 for points north of the river, -1 for points south of it."""
    return np.where(y >= _river_y(x), 1, -1).astype(np.int64)


def _warped_lines(count: int, centre: float, warp: float) -> NDArray[np.float64]:
    r"""Grid-line positions :math:`c + h (a u + (1 - a) u^3)`, :math:`u \in [-1, 1]`.

    With ``warp`` :math:`a < 1` the lines are closer together near the centre.
    """
    u = np.linspace(-1.0, 1.0, count)
    return centre + _HALF_SIZE * (warp * u + (1.0 - warp) * u**3)


def _bumps(
    x: NDArray[np.float64], y: NDArray[np.float64], spots: Sequence[tuple[float, ...]]
) -> NDArray[np.float64]:
    r"""Sum of Gaussian bumps :math:`\sum_k h_k \exp(-d_k^2 / 2\sigma_k^2)`."""
    total = np.zeros_like(x)
    for sx, sy, sigma, height in spots:
        total += height * np.exp(-((x - sx) ** 2 + (y - sy) ** 2) / (2.0 * sigma**2))
    return total


def _jittered_grid(
    rng: np.random.Generator, count: int, warp: float, jitter: float
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Warped grid nodes (x, y as 2-D arrays, column by row) moved by up to ``jitter`` blocks."""
    xs = _warped_lines(count, _CENTRE[0], warp)
    ys = _warped_lines(count, _CENTRE[1], warp)
    block_x = np.gradient(xs)[:, None] * np.ones((1, count))
    block_y = np.ones((count, 1)) * np.gradient(ys)[None, :]
    x = xs[:, None] + rng.uniform(-jitter, jitter, (count, count)) * block_x
    y = ys[None, :] + rng.uniform(-jitter, jitter, (count, count)) * block_y
    return x, y, xs, ys


def _keep_off_river(
    x: NDArray[np.float64], y: NDArray[np.float64], clearance: float
) -> NDArray[np.float64]:
    """Move points closer than ``clearance`` (north-south) to the river away from it."""
    offset = y - _river_y(x)
    side = np.where(offset >= 0.0, 1.0, -1.0)
    return np.where(np.abs(offset) < clearance, _river_y(x) + side * clearance, y)


# --- streets ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Grid:
    """Street-grid nodes and the edges between neighbouring nodes inside the town."""

    x: NDArray[np.float64]  # node x; node i * n + j is on column i and row j
    y: NDArray[np.float64]
    inside: NDArray[np.bool_]
    a: NDArray[np.int64]  # west or south end of each edge
    b: NDArray[np.int64]  # east or north end
    axis: NDArray[np.str_]  # "row" (east-west edge) or "col" (north-south edge)
    line: NDArray[np.int64]  # index of the grid line the edge lies on
    xs: NDArray[np.float64]  # unperturbed positions of the column lines
    ys: NDArray[np.float64]  # and of the row lines


def _street_grid(rng: np.random.Generator, town: Polygon) -> _Grid:
    n = _STREET_LINES
    x2, y2, xs, ys = _jittered_grid(rng, n, _STREET_WARP, _STREET_JITTER)
    y2 = _keep_off_river(x2, y2, _RIVER_CLEARANCE_M)
    x, y = _snap(x2.ravel()), _snap(y2.ravel())
    inside = shapely.contains_xy(town, x, y)
    ids = np.arange(n * n).reshape(n, n)
    a = np.concatenate([ids[:-1, :].ravel(), ids[:, :-1].ravel()])
    b = np.concatenate([ids[1:, :].ravel(), ids[:, 1:].ravel()])
    axis = np.repeat(np.array(["row", "col"]), [n * (n - 1), n * (n - 1)])
    line = np.concatenate([np.tile(np.arange(n), n - 1), np.repeat(np.arange(n), n - 1)])
    keep = inside[a] & inside[b]
    return _Grid(
        x=x,
        y=y,
        inside=inside,
        a=a[keep],
        b=b[keep],
        axis=axis[keep],
        line=line[keep],
        xs=xs,
        ys=ys,
    )


def _segments(
    x: NDArray[np.float64], y: NDArray[np.float64], a: NDArray[np.int64], b: NDArray[np.int64]
) -> NDArray[np.object_]:
    """Straight LineStrings from node ``a`` to node ``b``."""
    start = np.column_stack([x[a], y[a]])
    end = np.column_stack([x[b], y[b]])
    lines: NDArray[np.object_] = shapely.linestrings(np.stack([start, end], axis=1))
    return lines


def _street_names(rng: np.random.Generator, count: int) -> NDArray[np.object_]:
    """``count`` distinct Dutch-sounding street names, "straat" the most common ending."""
    suffixes = list(dict.fromkeys(_STREET_SUFFIXES))
    combos = np.array([p + s for p in _STREET_PREFIXES for s in suffixes], dtype=object)
    weights = np.tile([_STREET_SUFFIXES.count(s) for s in suffixes], len(_STREET_PREFIXES))
    chosen = rng.choice(combos.size, count, replace=False, p=weights / weights.sum())
    return combos[chosen]


def _name_grid_streets(
    rng: np.random.Generator, grid: _Grid, bank: NDArray[np.int64]
) -> tuple[NDArray[np.object_], NDArray[np.object_]]:
    """Name and road class of every grid edge: one name per grid line and river bank."""
    key = np.char.add(np.char.add(grid.axis, grid.line.astype(str)), bank.astype(str))
    unique, index = np.unique(key, return_inverse=True)
    names = _street_names(rng, unique.size)[index]
    classes = np.full(names.size, "local", dtype=object)
    for (axis, coordinate, side), (name, road_class) in _MAIN_ROADS.items():
        lines = grid.ys if axis == "row" else grid.xs
        on_road = (grid.axis == axis) & (grid.line == int(np.argmin(np.abs(lines - coordinate))))
        if side:
            on_road &= bank == side
        names[on_road] = name
        classes[on_road] = road_class
    return names, classes


def _choose_bridges(
    grid: _Grid, geometry: NDArray[np.object_], crossing: NDArray[np.bool_]
) -> NDArray[np.int64]:
    """Index of the river-crossing north-south edge nearest to each planned bridge."""
    mid_x = shapely.get_coordinates(shapely.centroid(geometry))[:, 0]
    candidates = np.flatnonzero(crossing & (grid.axis == "col"))
    chosen = [int(candidates[np.argmin(np.abs(mid_x[candidates] - bx))]) for bx, *_ in _BRIDGES]
    if len(set(chosen)) != len(chosen):
        raise DataError("demo city: two planned bridges fall on the same street; space them out")
    return np.array(chosen, dtype=np.int64)


def _largest_component(
    a: NDArray[np.int64], b: NDArray[np.int64], n_nodes: int
) -> NDArray[np.bool_]:
    """Mask of the edges in the largest connected component of the undirected graph."""
    graph = sp.coo_matrix((np.ones(a.size), (a, b)), shape=(n_nodes, n_nodes))
    label: NDArray[np.int64] = connected_components(graph, directed=False)[1]
    sizes = np.bincount(label[np.concatenate([a, b])], minlength=int(label.max()) + 1)
    in_largest: NDArray[np.bool_] = label[a] == int(np.argmax(sizes))
    return in_largest


def _diagonal_paths(
    rng: np.random.Generator, grid: _Grid, connected: NDArray[np.bool_], park: Polygon
) -> tuple[NDArray[np.object_], NDArray[np.object_]]:
    """Footpaths across blocks: every block of the park and some others ("trage wegen").

    A path runs from the south-west to the north-east corner of a block whose corners are
    all on the connected street grid and which the river does not cross; inside a block it
    meets no other street.
    """
    n = _STREET_LINES
    ids = np.arange(n * n).reshape(n, n)
    corners = [ids[:-1, :-1], ids[1:, :-1], ids[:-1, 1:], ids[1:, 1:]]
    complete = np.logical_and.reduce([connected[c.ravel()] for c in corners])
    geometry = _segments(
        grid.x, grid.y, ids[:-1, :-1].ravel()[complete], ids[1:, 1:].ravel()[complete]
    )
    usable = ~shapely.intersects(geometry, _river())
    in_park = usable & shapely.within(geometry, park.buffer(60.0))
    trage = np.sort(rng.choice(np.flatnonzero(usable & ~in_park), _TRAGE_WEGEN, replace=False))
    names = np.array(
        ["Stadspark"] * int(in_park.sum()) + [f"Voetweg {k + 1}" for k in range(trage.size)],
        dtype=object,
    )
    return np.concatenate([geometry[in_park], geometry[trage]]), names


def _kinked(line: LineString, rng: np.random.Generator) -> MultiLineString:
    """Redraw a street as two parts that meet at a slightly moved midpoint."""
    (x0, y0), (x1, y1) = shapely.get_coordinates(line)
    length = float(np.hypot(x1 - x0, y1 - y0))
    shift = rng.uniform(4.0, 9.0) / length
    mid = _snap(np.array([(x0 + x1) / 2 - (y1 - y0) * shift, (y0 + y1) / 2 + (x1 - x0) * shift]))
    return MultiLineString([[(x0, y0), tuple(mid)], [tuple(mid), (x1, y1)]])


def _one_way(
    rng: np.random.Generator, classes: NDArray[np.object_], mid: NDArray[np.float64]
) -> NDArray[np.object_]:
    """Road-register direction codes: some local streets of the centre are one-way.

    ``"D"`` two-way, ``"FT"`` one-way along the drawn direction, ``"TF"`` against it, ``"N"``
    closed to motor traffic (footpaths).
    """
    oneway = np.where(classes == "path", "N", "D").astype(object)
    draw = rng.random(classes.size)
    near_centre = np.hypot(mid[:, 0] - _CENTRE[0], mid[:, 1] - _CENTRE[1]) < _ONEWAY_RADIUS_M
    one_way = (classes == "local") & near_centre & (draw < _ONEWAY_SHARE)
    oneway[one_way] = np.where(draw[one_way] < _ONEWAY_SHARE / 2, "FT", "TF")
    return oneway


def _demo_streets(rng: np.random.Generator, town: Polygon) -> gpd.GeoDataFrame:
    """Build the streets: a perturbed grid cut by the river, bridges, paths and a stray track.

    Every segment runs from intersection to intersection (grid streets west to east or south
    to north), so segments only meet at their end points.
    """
    grid = _street_grid(rng, town)
    geometry = _segments(grid.x, grid.y, grid.a, grid.b)
    mid = shapely.get_coordinates(shapely.centroid(geometry))
    names, classes = _name_grid_streets(rng, grid, _bank(mid[:, 0], mid[:, 1]))

    crossing = shapely.intersects(geometry, _river())
    bridges = _choose_bridges(grid, geometry, crossing)
    names[bridges] = [name for _, name, _ in _BRIDGES]
    classes[bridges] = [road_class for *_, road_class in _BRIDGES]
    keep = ~crossing
    keep[bridges] = True
    keep &= ~((classes == "local") & (rng.random(names.size) < _DROP_LOCAL_SHARE))
    kept = np.flatnonzero(keep)
    keep[kept[~_largest_component(grid.a[kept], grid.b[kept], grid.x.size)]] = False
    connected = np.zeros(grid.x.size, dtype=bool)
    connected[grid.a[keep]] = connected[grid.b[keep]] = True

    (park_x, park_y), park_radius = _PARK
    in_park = (classes == "local") & (
        np.hypot(mid[:, 0] - park_x, mid[:, 1] - park_y) < park_radius
    )
    names[in_park] = "Stadspark"
    classes[in_park] = "path"
    oneway = _one_way(rng, classes, mid)

    geometry, names, classes, oneway = geometry[keep], names[keep], classes[keep], oneway[keep]
    outer = (classes == "local") & (np.hypot(*(mid[keep] - _CENTRE).T) > 2_000.0)
    for k in rng.choice(np.flatnonzero(outer), 2, replace=False):
        geometry[k] = _kinked(geometry[k], rng)

    paths, path_names = _diagonal_paths(
        rng, grid, connected, Point(park_x, park_y).buffer(park_radius)
    )
    (x0, y0), (x1, y1), track_name = _ISOLATED_TRACK
    streets = gpd.GeoDataFrame(
        {
            "name": np.concatenate([names, path_names, [track_name]]),
            "road_class": np.concatenate([classes, ["path"] * paths.size, ["local"]]),
            "oneway": np.concatenate([oneway, ["N"] * paths.size, ["D"]]),
        },
        geometry=np.concatenate([geometry, paths, [LineString([(x0, y0), (x1, y1)])]]),
        crs=CRS,
    )
    bounds = shapely.bounds(streets.geometry.to_numpy())
    order = np.lexsort((bounds[:, 1], bounds[:, 0], streets["name"].to_numpy(dtype=str)))
    streets = streets.iloc[order].reset_index(drop=True)
    streets.insert(0, "street_id", np.arange(1, len(streets) + 1, dtype=np.int64))
    return streets


# --- sectors ----------------------------------------------------------------------------------


def _banks(town: Polygon) -> dict[int, Polygon]:
    """Cut the town in two along the river: {1: north bank, -1: south bank}."""
    parts = list(shapely.get_parts(split(town, _river())))
    if len(parts) != 2:
        raise DataError(f"demo city: the river should cut the town in 2 parts, got {len(parts)}")
    xy = shapely.get_coordinates(shapely.point_on_surface(parts))
    sides = _bank(xy[:, 0], xy[:, 1])
    return {int(side): part for side, part in zip(sides, parts, strict=True)}


def _voronoi_cells(seeds: NDArray[np.float64], region: Polygon) -> NDArray[np.object_]:
    """Voronoi cells of ``seeds`` clipped to ``region``, in the order of the seeds."""
    cells: NDArray[np.object_] = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=region, ordered=True)
    )
    cells = shapely.set_precision(shapely.intersection(cells, region), _GRID)
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
    x2, y2, _, _ = _jittered_grid(rng, _SECTOR_LINES, _SECTOR_WARP, _SECTOR_JITTER)
    y2 = _keep_off_river(x2, y2, _SEED_CLEARANCE_M)
    x, y = x2.ravel(), y2.ravel()
    inside = shapely.contains_xy(town.buffer(-150.0), x, y)
    x, y = x[inside], y[inside]
    side = _bank(x, y)
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


def _demo_sectors(rng: np.random.Generator, town: Polygon) -> gpd.GeoDataFrame:
    """Statistical sectors with population, target group, income and deprivation."""
    cells, bank = _sector_cells(rng, town)
    n = cells.size
    if n > len(_SECTOR_NAMES):
        raise DataError(f"demo city: {n} sectors but only {len(_SECTOR_NAMES)} names; add names")
    xy = shapely.get_coordinates(shapely.point_on_surface(cells))
    z = np.clip(_bumps(xy[:, 0], xy[:, 1], _POOR_SPOTS) + rng.normal(0.0, 0.06, n), 0.0, 1.0)
    density = _DENSITY_BASE + _bumps(xy[:, 0], xy[:, 1], _DENSE_SPOTS)
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
    return _snap(on_street + 12.0 * unit), drivable["name"].to_numpy()[nearest]


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
    premium = 1.0 + 0.15 * _bumps(xy[:, 0], xy[:, 1], [(*_CENTRE, 1_500.0, 1.0)])
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
    poor_x, poor_y = _POOR_SPOTS[0][:2]
    distance = np.hypot(xy[:, 0] - poor_x, xy[:, 1] - poor_y)
    vacant = can_house & (types == "vacant_building")
    eligible = vacant if vacant.any() else can_house
    forbidden = np.zeros(types.size, dtype=bool)
    forbidden[np.argmin(np.where(eligible, distance, np.inf))] = True
    return forbidden


def _demo_sites(
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


# --- public API -------------------------------------------------------------------------------


def build_demo_city(*, seed: int = DEMO_SEED) -> DemoCity:
    """Generate the demo town in memory.

    Each layer draws from its own generator (``numpy.random.default_rng([seed, layer])``), so
    a change to one layer's recipe leaves the others as they were.

    Parameters
    ----------
    seed
        Seed of the random generators; the same seed gives the same town.

    Returns
    -------
    DemoCity
        Sectors, streets and sites in EPSG:31370.
    """
    town = _town_boundary()
    streets = _demo_streets(np.random.default_rng([seed, 1]), town)
    sectors = _demo_sectors(np.random.default_rng([seed, 2]), town)
    sites = _demo_sites(np.random.default_rng([seed, 3]), sectors, streets)
    return DemoCity(sectors=sectors, streets=streets, sites=sites)


def write_demo_city(folder: Path, *, seed: int = DEMO_SEED) -> dict[str, Path]:
    """Generate the demo town and write its three GeoJSON files.

    Coordinates are written with 2 decimals (0.01 m); the files are byte-identical for the
    same seed. Each file is written next to its final name first and then moved into place,
    so an interrupted run never leaves a half-written layer.

    Parameters
    ----------
    folder
        Folder to write ``sectors.geojson``, ``streets.geojson`` and ``sites.geojson`` into;
        created when missing, existing files are replaced.
    seed
        Seed of the random generators.

    Returns
    -------
    dict of str to Path
        The written files by role: ``"sectors"``, ``"streets"``, ``"sites"``.
    """
    city = build_demo_city(seed=seed)
    folder.mkdir(parents=True, exist_ok=True)
    layers = {"sectors": city.sectors, "streets": city.streets, "sites": city.sites}
    paths = {}
    for role, gdf in layers.items():
        path = folder / DEMO_FILES[role]
        partial = path.with_name(f".{path.name}.partial")
        partial.unlink(missing_ok=True)
        gdf.to_file(
            partial,
            driver="GeoJSON",
            engine="pyogrio",
            layer=path.stem,
            COORDINATE_PRECISION=_PRECISION,
            WRITE_BBOX="NO",
        )
        partial.replace(path)
        paths[role] = path
    logger.info(
        f"Wrote the demo city (seed {seed}) to {folder}: {len(city.sectors)} sectors, "
        f"{len(city.streets):,} street segments, {len(city.sites)} sites"
    )
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """Write the demo city: ``python -m planner.data.demo [FOLDER] [--seed N]``.

    Parameters
    ----------
    argv
        Command-line arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit status, 0.
    """
    parser = argparse.ArgumentParser(
        prog="python -m planner.data.demo", description="Write the made-up demo town as GeoJSON."
    )
    parser.add_argument(
        "folder",
        nargs="?",
        type=Path,
        default=Path("data/statsec/demo"),
        help="output folder (default: data/statsec/demo)",
    )
    parser.add_argument("--seed", type=int, default=DEMO_SEED, help="random seed (default: 2013)")
    args = parser.parse_args(argv)
    paths = write_demo_city(args.folder, seed=args.seed)
    size_kb = sum(path.stat().st_size for path in paths.values()) / 1024
    print(f"Wrote {', '.join(p.name for p in paths.values())} ({size_kb:.0f} KB) to {args.folder}")  # noqa: T201 - script entry point
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
