r"""Generated candidates on the street: move each one from its sector's point to a street vertex.

A generated candidate (a new or rented space) placed exactly on its sector's population point is
reached by its own sector in no time: the sector and the site snap to the same network node. A
real address stands on a street, so :func:`place_on_streets` moves the site to the nearest vertex
of the street network (by default a junction, where the segments of a road register meet:
a node of the travel network) that has **enough street around it** and lies **inside the
sector**:

.. math::

    \text{street}(v) = \sum_{\ell} \operatorname{length}(\ell \cap B(v, r)) \ge L

with :math:`B(v, r)` the disc of radius ``street_radius_m`` :math:`r` (default 100 m) around the
vertex and :math:`L` the ``street_min_length_m`` (default 150 m). A vertex in the middle of a
straight street has :math:`2r` = 200 m of street within 100 m and qualifies; the end of a
dead-end footpath far from other streets has about :math:`r` = 100 m and does not, so a site is
not put at the end of a path into a park.

When no vertex inside the sector qualifies, the site goes to the nearest qualifying vertex of the
municipality within ``street_max_outside_m`` (default 250 m) of the sector's point (it then lies
in a neighbouring sector); when there is none either, it stays at the sector's point. Both
fallbacks are counted and named by :meth:`StreetPlacement.summary`.

The core takes arrays of shapely geometries and coordinates only; :mod:`planner.data.sites`
reads the line layer and writes the result into the site layer and the prepare report.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import shapely
from scipy.spatial import cKDTree

from planner.errors import DataError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import NDArray

__all__ = [
    "ON_STREET",
    "OUTSIDE_SECTOR",
    "SECTOR_POINT",
    "StreetPlacement",
    "StreetRule",
    "place_on_streets",
    "street_length_around",
    "street_vertices",
]

logger = logging.getLogger(__name__)

StreetPoints = Literal["ends", "vertices"]

ON_STREET = "street"
OUTSIDE_SECTOR = "street_outside_sector"
SECTOR_POINT = "sector_point"


@dataclass(frozen=True)
class StreetRule:
    """Where a generated candidate may stand on the street network.

    Attributes
    ----------
    street_radius_m
        Radius of the disc around a vertex in which street is measured.
    street_min_length_m
        Street length a vertex needs within ``street_radius_m`` ("enough street around it").
    street_max_outside_m
        How far from the sector's point a vertex outside the sector may be, when none inside
        qualifies.
    street_points
        Which vertices may hold a site: ``ends`` (default), the ends of the line segments, that
        is the junctions where a road register's segments meet and the ends of dead ends (the
        travel network's nodes, so a site is reached with no straight-line leg); ``vertices``,
        every vertex of a line, bends included (a site there reaches the network at the nearest
        segment end, in a straight line).
    """

    street_radius_m: float = 100.0
    street_min_length_m: float = 150.0
    street_max_outside_m: float = 250.0
    street_points: StreetPoints = "ends"

    def problems(self) -> list[str]:
        """Return what is wrong with the rule, one message per problem (empty when fine)."""
        problems = [
            f"{name.replace('_', '-')} must be a positive number of metres, got {value:g}"
            for name, value in vars(self).items()
            if name.endswith("_m") and not value > 0
        ]
        if self.street_points not in ("ends", "vertices"):
            problems.append(
                f"street points {self.street_points!r}: use ends (where segments meet or end) "
                "or vertices (every vertex of a line)"
            )
        return problems

    def as_dict(self) -> dict[str, float | str]:
        """Return the rule for the prepare report."""
        return dict(vars(self))


@dataclass(frozen=True)
class StreetPlacement:
    """Where the generated candidates stand, per sector point given to :func:`place_on_streets`.

    Attributes
    ----------
    xy
        ``(n, 2)`` coordinates of the sites.
    placement
        :data:`ON_STREET`, :data:`OUTSIDE_SECTOR` or :data:`SECTOR_POINT` per site.
    moved_m
        Straight-line distance from the sector's point to the site (0 at the point).
    """

    xy: NDArray[np.float64]
    placement: NDArray[np.str_]
    moved_m: NDArray[np.float64]

    def summary(self, codes: Sequence[str]) -> dict[str, Any]:
        """Return the counts, distances and fallback sectors for the prepare report.

        Parameters
        ----------
        codes
            The sector code of each site, in the order of :attr:`xy`.

        Returns
        -------
        dict
            ``moved_to_street`` (in or outside the sector), ``in_sector``, ``outside_sector``,
            ``at_sector_point``, ``moved_m`` (median and max over the moved sites, None when
            none moved) and the sector codes of both fallbacks.
        """
        moved = self.placement != SECTOR_POINT
        code = np.asarray(codes, dtype=object)
        distances = self.moved_m[moved]
        return {
            "count": len(self.placement),
            "moved_to_street": int(moved.sum()),
            "in_sector": int((self.placement == ON_STREET).sum()),
            "outside_sector": int((self.placement == OUTSIDE_SECTOR).sum()),
            "at_sector_point": int((~moved).sum()),
            "moved_m": {
                "median": round(float(np.median(distances)), 1) if distances.size else None,
                "max": round(float(distances.max()), 1) if distances.size else None,
            },
            "sectors_outside": [str(c) for c in code[self.placement == OUTSIDE_SECTOR]],
            "sectors_at_point": [str(c) for c in code[~moved]],
        }


def street_vertices(
    lines: NDArray[np.object_], which: StreetPoints = "ends"
) -> NDArray[np.float64]:
    """Return the distinct vertices of line geometries as ``(m, 2)``.

    ``which`` is ``ends`` (the first and last vertex of every line part: junctions and the ends
    of dead ends) or ``vertices`` (every vertex, bends included).
    """
    if which == "ends":
        parts = shapely.get_parts(lines)
        coordinates = shapely.get_coordinates(
            np.concatenate([shapely.get_point(parts, 0), shapely.get_point(parts, -1)])
        )
    else:
        coordinates = shapely.get_coordinates(lines)
    if coordinates.shape[0] == 0:
        return np.empty((0, 2), dtype=np.float64)
    return np.unique(coordinates, axis=0)


def street_length_around(
    xy: NDArray[np.float64], lines: NDArray[np.object_], radius_m: float
) -> NDArray[np.float64]:
    r"""Return the length of street within ``radius_m`` of each point, in metres.

    Each straight piece :math:`p + t\,d`, :math:`t \in [0, 1]`, of a line is clipped to the
    disc analytically: it lies inside for :math:`t` between the roots of
    :math:`|p + t\,d - v|^2 = r^2`, so its length inside is
    :math:`|d| \max(0, \min(1, t_2) - \max(0, t_1))`.

    Parameters
    ----------
    xy
        ``(m, 2)`` points in a projected CRS in metres.
    lines
        Line geometries in the same CRS.
    radius_m
        Radius of the disc around each point.

    Returns
    -------
    numpy.ndarray
        :math:`\sum_\ell \operatorname{length}(\ell \cap B(v, r))` per point.
    """
    coordinates, part = shapely.get_coordinates(shapely.get_parts(lines), return_index=True)
    same = part[1:] == part[:-1]
    start, end = coordinates[:-1][same], coordinates[1:][same]
    pieces = shapely.linestrings(np.stack([start, end], axis=1))
    point, piece = shapely.STRtree(pieces).query(
        shapely.points(xy), predicate="dwithin", distance=radius_m
    )
    p = start[piece] - xy[point]
    d = end[piece] - start[piece]
    a = np.einsum("ij,ij->i", d, d)
    b = np.einsum("ij,ij->i", p, d)
    c = np.einsum("ij,ij->i", p, p) - radius_m**2
    root = np.sqrt(np.maximum(b * b - a * c, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = np.clip((-b - root) / a, 0.0, 1.0)
        t2 = np.clip((-b + root) / a, 0.0, 1.0)
    inside = np.where(a > 0, np.sqrt(a) * np.maximum(t2 - t1, 0.0), 0.0)
    return np.bincount(point, weights=inside, minlength=xy.shape[0]).astype(np.float64)


def place_on_streets(
    points: NDArray[np.float64],
    home: NDArray[np.int64],
    areas: NDArray[np.object_],
    lines: NDArray[np.object_],
    rule: StreetRule | None = None,
) -> StreetPlacement:
    """Move each sector point to the nearest street vertex with enough street around it.

    Parameters
    ----------
    points
        ``(n, 2)`` sector points, one per generated candidate, projected (metres).
    home
        Index into ``areas`` of each point's own sector.
    areas
        Polygons of all the municipality's sectors (vertices outside all of them are not used).
    lines
        Street line geometries in the same CRS.
    rule
        Radius, minimum street length and the distance allowed outside the sector.

    Returns
    -------
    StreetPlacement
        The site coordinates, how each was placed and how far it moved.

    Raises
    ------
    DataError
        When the rule has a non-positive distance or ``points`` and ``home`` differ in length.
    """
    rule = rule or StreetRule()
    if rule.problems():
        raise DataError(rule.problems())
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    home = np.asarray(home, dtype=np.int64)
    if home.shape[0] != points.shape[0]:
        raise DataError(
            f"one home sector per point expected: {points.shape[0]} points, {home.shape[0]} homes"
        )
    xy = points.copy()
    placement = np.full(points.shape[0], SECTOR_POINT, dtype=f"<U{len(OUTSIDE_SECTOR)}")
    vertices = street_vertices(lines, rule.street_points)
    # Each vertex with the sector it lies strictly inside (on a border or outside all: unused).
    vertex, sector = shapely.STRtree(areas).query(shapely.points(vertices), predicate="within")
    vertex, sector = _first_per(vertex, sector)
    usable = _StreetLength(vertices[vertex], lines, rule)
    point, candidate = _same_sector_pairs(home, sector)
    _place_nearest(points, point, candidate, usable, xy, placement, ON_STREET)
    left = np.flatnonzero(placement == SECTOR_POINT)
    if left.size and usable.xy.shape[0]:
        near = cKDTree(usable.xy).query_ball_point(points[left], r=rule.street_max_outside_m)
        counts = np.fromiter((len(found) for found in near), dtype=np.int64, count=left.size)
        point = np.repeat(left, counts)
        candidate = np.fromiter(
            (j for found in near for j in found), dtype=np.int64, count=int(counts.sum())
        )
        _place_nearest(points, point, candidate, usable, xy, placement, OUTSIDE_SECTOR)
    moved = np.hypot(*(xy - points).T)
    logger.info(
        f"Generated sites on the street: {int((placement == ON_STREET).sum()):,} in their sector, "
        f"{int((placement == OUTSIDE_SECTOR).sum()):,} outside it, "
        f"{int((placement == SECTOR_POINT).sum()):,} left at the sector point "
        f"({usable.evaluated:,} of {usable.xy.shape[0]:,} street vertices measured for "
        f">= {rule.street_min_length_m:g} m of street within {rule.street_radius_m:g} m)"
    )
    return StreetPlacement(xy=xy, placement=placement, moved_m=moved)


def _first_per(
    vertex: NDArray[np.int64], sector: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Keep one sector per vertex (overlapping polygons: the first), vertices in order."""
    order = np.lexsort((sector, vertex))
    vertex, sector = vertex[order], sector[order]
    keep = np.r_[True, vertex[1:] != vertex[:-1]] if vertex.size else np.zeros(0, dtype=bool)
    return vertex[keep], sector[keep]


class _StreetLength:
    """Street length around vertices, measured when first asked (most are never candidates)."""

    def __init__(
        self, xy: NDArray[np.float64], lines: NDArray[np.object_], rule: StreetRule
    ) -> None:
        self.xy = xy
        self._lines = lines
        self._rule = rule
        self._length = np.full(xy.shape[0], np.nan)

    @property
    def evaluated(self) -> int:
        return int(np.isfinite(self._length).sum())

    def enough(self, vertex: NDArray[np.int64]) -> NDArray[np.bool_]:
        """Whether each vertex has ``street_min_length_m`` of street within the radius."""
        missing = np.unique(vertex[np.isnan(self._length[vertex])])
        if missing.size:
            self._length[missing] = street_length_around(
                self.xy[missing], self._lines, self._rule.street_radius_m
            )
        return np.asarray(self._length[vertex] >= self._rule.street_min_length_m)


def _same_sector_pairs(
    home: NDArray[np.int64], vertex_sector: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Return every (point, vertex) pair whose vertex lies in the point's home sector."""
    order = np.argsort(vertex_sector, kind="stable")
    sorted_sector = vertex_sector[order]
    first = np.searchsorted(sorted_sector, home, side="left")
    counts = np.searchsorted(sorted_sector, home, side="right") - first
    point = np.repeat(np.arange(home.shape[0]), counts)
    offsets = np.arange(point.size) - np.repeat(np.cumsum(counts) - counts, counts)
    return point, order[np.repeat(first, counts) + offsets]


def _place_nearest(
    points: NDArray[np.float64],
    point: NDArray[np.int64],
    candidate: NDArray[np.int64],
    usable: _StreetLength,
    xy: NDArray[np.float64],
    placement: NDArray[np.str_],
    how: str,
) -> None:
    """Put each point on its nearest candidate vertex with enough street around it.

    Candidates are measured nearest first, a few per point at a time (8, 32, 128, ...), so a
    sector with thousands of vertices measures only those nearer than the first that qualifies.
    """
    distance = np.hypot(*(usable.xy[candidate] - points[point]).T)
    order = np.lexsort((candidate, distance, point))
    point, candidate = point[order], candidate[order]
    start = np.r_[0, np.flatnonzero(point[1:] != point[:-1]) + 1] if point.size else point
    rank = np.arange(point.size) - np.repeat(start, np.diff(np.r_[start, point.size]))
    done = np.zeros(points.shape[0], dtype=bool)
    low, high = 0, 8
    while point.size and low <= rank.max():
        batch = np.flatnonzero((rank >= low) & (rank < high) & ~done[point])
        good = batch[usable.enough(candidate[batch])]
        # The first qualifying candidate of a point in this batch is its nearest one.
        first = good[np.r_[True, point[good][1:] != point[good][:-1]]] if good.size else good
        xy[point[first]] = usable.xy[candidate[first]]
        placement[point[first]] = how
        done[point[first]] = True
        low, high = high, high * 4
