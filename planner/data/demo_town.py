r"""The demo town's geometry: its outline, the river and the street network.

Shared by the layers of :mod:`planner.data.demo`: the outline (a superellipse with a wavy
edge), the river that cuts it in two, the warped grids that streets and sectors are drawn on,
Gaussian bumps for the figures, and the streets themselves: a perturbed grid cut by the river
and crossed by four bridges, main roads, one-way streets in the centre, footpaths, a park and
one isolated farm track. Every coordinate is a multiple of :data:`GRID` (0.01 m).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import connected_components
from shapely import LineString, MultiLineString, Point, Polygon

from planner.errors import DataError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import NDArray

__all__ = [
    "CENTRE",
    "CRS",
    "GRID",
    "PRECISION",
    "bumps",
    "demo_streets",
    "jittered_grid",
    "keep_off_river",
    "river",
    "river_bank",
    "river_y",
    "snap",
    "town_boundary",
]

CRS = "EPSG:31370"

CENTRE = (103_000.0, 193_000.0)
_HALF_SIZE = 3_000.0
GRID = 0.01  # metres: every coordinate is a multiple of this
PRECISION = 2  # decimals written to GeoJSON, matching GRID

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

# fmt: off
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


# --- geography shared by the layers -----------------------------------------------------------


def snap(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Round coordinates to the 0.01 m grid, so that equal points are bit-identical."""
    return np.round(values, PRECISION)


def town_boundary() -> Polygon:
    r"""Draw the town as a superellipse :math:`|x/a|^4 + |y/a|^4 = 1` with a slightly wavy edge."""
    theta = np.linspace(0.0, 2.0 * np.pi, 97)[:-1]
    c, s = np.cos(theta), np.sin(theta)
    radius = _HALF_SIZE / (c**4 + s**4) ** 0.25
    radius *= 1.0 + 0.035 * np.sin(3.0 * theta + 0.5) + 0.025 * np.sin(5.0 * theta + 1.3)
    radius = np.minimum(radius, _HALF_SIZE * np.sqrt(2.0))
    x = np.clip(CENTRE[0] + radius * c, CENTRE[0] - _HALF_SIZE, CENTRE[0] + _HALF_SIZE)
    y = np.clip(CENTRE[1] + radius * s, CENTRE[1] - _HALF_SIZE, CENTRE[1] + _HALF_SIZE)
    return Polygon(snap(np.column_stack([x, y])))


def river_y(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """North coordinate of the river's centre line at each ``x``: two superposed meanders."""
    t = (x - (CENTRE[0] - 4_000.0)) * 2.0 * np.pi
    return 192_650.0 + 230.0 * np.sin(t / 3_900.0) + 80.0 * np.sin(t / 1_700.0 + 1.0)


def river() -> LineString:
    """Return the river's centre line, reaching beyond the town on both sides."""
    x = np.arange(CENTRE[0] - 3_600.0, CENTRE[0] + 3_601.0, 50.0)
    return LineString(snap(np.column_stack([x, river_y(x)])))


def river_bank(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.int64]:
    """1 for points north of the river, -1 for points south of it."""
    return np.where(y >= river_y(x), 1, -1).astype(np.int64)


def _warped_lines(count: int, centre: float, warp: float) -> NDArray[np.float64]:
    r"""Grid-line positions :math:`c + h (a u + (1 - a) u^3)`, :math:`u \in [-1, 1]`.

    With ``warp`` :math:`a < 1` the lines are closer together near the centre.
    """
    u = np.linspace(-1.0, 1.0, count)
    return centre + _HALF_SIZE * (warp * u + (1.0 - warp) * u**3)


def bumps(
    x: NDArray[np.float64], y: NDArray[np.float64], spots: Sequence[tuple[float, ...]]
) -> NDArray[np.float64]:
    r"""Sum of Gaussian bumps :math:`\sum_k h_k \exp(-d_k^2 / 2\sigma_k^2)`."""
    total = np.zeros_like(x)
    for sx, sy, sigma, height in spots:
        total += height * np.exp(-((x - sx) ** 2 + (y - sy) ** 2) / (2.0 * sigma**2))
    return total


def jittered_grid(
    rng: np.random.Generator, count: int, warp: float, jitter: float
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Warped grid nodes (x, y as 2-D arrays, column by row) moved by up to ``jitter`` blocks."""
    xs = _warped_lines(count, CENTRE[0], warp)
    ys = _warped_lines(count, CENTRE[1], warp)
    block_x = np.gradient(xs)[:, None] * np.ones((1, count))
    block_y = np.ones((count, 1)) * np.gradient(ys)[None, :]
    x = xs[:, None] + rng.uniform(-jitter, jitter, (count, count)) * block_x
    y = ys[None, :] + rng.uniform(-jitter, jitter, (count, count)) * block_y
    return x, y, xs, ys


def keep_off_river(
    x: NDArray[np.float64], y: NDArray[np.float64], clearance: float
) -> NDArray[np.float64]:
    """Move points closer than ``clearance`` (north-south) to the river away from it."""
    offset = y - river_y(x)
    side = np.where(offset >= 0.0, 1.0, -1.0)
    return np.where(np.abs(offset) < clearance, river_y(x) + side * clearance, y)


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
    x2, y2, xs, ys = jittered_grid(rng, n, _STREET_WARP, _STREET_JITTER)
    y2 = keep_off_river(x2, y2, _RIVER_CLEARANCE_M)
    x, y = snap(x2.ravel()), snap(y2.ravel())
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
    usable = ~shapely.intersects(geometry, river())
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
    mid = snap(np.array([(x0 + x1) / 2 - (y1 - y0) * shift, (y0 + y1) / 2 + (x1 - x0) * shift]))
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
    near_centre = np.hypot(mid[:, 0] - CENTRE[0], mid[:, 1] - CENTRE[1]) < _ONEWAY_RADIUS_M
    one_way = (classes == "local") & near_centre & (draw < _ONEWAY_SHARE)
    oneway[one_way] = np.where(draw[one_way] < _ONEWAY_SHARE / 2, "FT", "TF")
    return oneway


def demo_streets(rng: np.random.Generator, town: Polygon) -> gpd.GeoDataFrame:
    """Build the streets: a perturbed grid cut by the river, bridges, paths and a stray track.

    Every segment runs from intersection to intersection (grid streets west to east or south
    to north), so segments only meet at their end points.
    """
    grid = _street_grid(rng, town)
    geometry = _segments(grid.x, grid.y, grid.a, grid.b)
    mid = shapely.get_coordinates(shapely.centroid(geometry))
    names, classes = _name_grid_streets(rng, grid, river_bank(mid[:, 0], mid[:, 1]))

    crossing = shapely.intersects(geometry, river())
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
    outer = (classes == "local") & (np.hypot(*(mid[keep] - CENTRE).T) > 2_000.0)
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
