r"""Population-weighted representative points of sectors from a population raster.

A sector's families do not live at its centroid: a sector that is half park or port has them
in one corner. Given a population grid (GHSL's 1 km grid in ESRI:54009, or any finer grid in
any CRS), the representative point of sector :math:`i` is the population-weighted mean of the
cells in it:

.. math::

    \mathbf{p}_i = \frac{\sum_c w_{ic} \, \mathbf{x}_{ic}}{\sum_c w_{ic}}

* **cell centres** (sectors holding at least ``min_cells`` cell centres): the cells whose centre
  lies inside the sector, :math:`w_{ic}` the cell's population and :math:`\mathbf{x}_{ic}` its
  centre;
* **clipped cells** (smaller sectors, "all touched"): every cell the sector touches, clipped to
  the sector, with :math:`w_{ic} = \mathrm{pop}_c \cdot |c \cap S_i| / |c|` (population assumed
  evenly spread within a cell) and :math:`\mathbf{x}_{ic}` the centroid of :math:`c \cap S_i`.

The sector polygons are reprojected into the raster's CRS (the raster is never resampled), and
the points back into the sectors' CRS. A weighted mean can fall outside a concave sector; it is
then moved to the populated cell centre inside the sector nearest to it, or else to the nearest
point of the sector's interior. Where the raster has no population in a sector the point falls
back to ``representative_point`` (inside by construction), and sectors that lie (partly)
outside the raster or on nodata cells are named.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import rasterio
import rasterio.errors
import rasterio.features
import rasterio.windows
import shapely
import shapely.ops
from affine import Affine
from pyproj import CRS, Transformer

from planner.errors import CHANGES_FIGURE, DataError, InputFileError

if TYPE_CHECKING:
    import geopandas as gpd
    from numpy.typing import NDArray

__all__ = ["METHODS", "RasterPoints", "raster_points", "raster_values"]

logger = logging.getLogger(__name__)

METHODS = ("cell_centres", "clipped_cells", "no_population", "not_covered")
"""How a sector's point was found: weighted cell centres, weighted clipped cells, or the
``representative_point`` fallback because the raster has no population there or does not
cover the sector."""

_INSIDE_MARGIN_M = 1.0


@dataclass(frozen=True)
class RasterPoints:
    """Representative points of sectors from a population raster.

    Attributes
    ----------
    xy
        ``(n, 2)`` points in the sectors' CRS, in the order of the sectors.
    method
        Per sector, one of :data:`METHODS`.
    raster_population
        Population the raster puts in each sector (clipped cells pro rata by area).
    moved_inside
        Ids of sectors whose weighted mean fell outside the sector and was moved inside.
    fell_back
        Ids of sectors where the raster has no population (``representative_point`` used).
    not_covered
        Ids of sectors entirely outside the raster or on nodata cells only.
    partly_covered
        Ids of sectors that extend beyond the raster or over nodata cells.
    """

    xy: NDArray[np.float64]
    method: tuple[str, ...]
    raster_population: NDArray[np.float64]
    moved_inside: tuple[str, ...]
    fell_back: tuple[str, ...]
    not_covered: tuple[str, ...]
    partly_covered: tuple[str, ...]

    def summary(self) -> dict[str, object]:
        """Return counts and ids for a report."""
        return {
            "methods": {m: self.method.count(m) for m in METHODS if m in self.method},
            "raster_population": float(self.raster_population.sum()),
            "moved_inside": list(self.moved_inside),
            "fell_back": list(self.fell_back),
            "not_covered": list(self.not_covered),
            "partly_covered": list(self.partly_covered),
        }


@dataclass(frozen=True)
class _Grid:
    """A window of the raster: populations (0 where nodata), validity and the transform."""

    values: NDArray[np.float64]
    valid: NDArray[np.bool_]
    transform: Affine

    def centres(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        rows, cols = np.indices(self.values.shape, dtype=float)
        return _apply(self.transform, cols + 0.5, rows + 0.5)


def _apply(
    transform: Affine,
    cols: NDArray[np.floating] | NDArray[np.integer],
    rows: NDArray[np.floating] | NDArray[np.integer],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Map fractional (col, row) arrays to x, y with an affine transform (rotation allowed)."""
    a, b, c, d, e, f = transform.a, transform.b, transform.c, transform.d, transform.e, transform.f
    x = a * np.asarray(cols, dtype=float) + b * np.asarray(rows, dtype=float) + c
    y = d * np.asarray(cols, dtype=float) + e * np.asarray(rows, dtype=float) + f
    return x, y


def _open(path: Path) -> rasterio.io.DatasetReader:
    if not path.is_file():
        raise InputFileError(
            f"population raster {path} does not exist: check data.population_raster "
            "(relative paths are resolved against the scenario file's folder)"
        )
    try:
        return rasterio.open(path)
    except rasterio.errors.RasterioIOError as error:
        raise InputFileError(
            f"population raster {path} cannot be opened ({error}): save it as GeoTIFF"
        ) from None


def _read_window(
    dataset: rasterio.io.DatasetReader, bounds: tuple[float, float, float, float]
) -> _Grid | None:
    """Read the part of band 1 covering ``bounds`` (plus one cell), or None when disjoint."""
    left, bottom, right, top = dataset.bounds
    if bounds[0] >= right or bounds[2] <= left or bounds[1] >= top or bounds[3] <= bottom:
        return None
    xmin, ymin, xmax, ymax = bounds
    cols, rows = _apply(
        ~dataset.transform, np.array([xmin, xmax, xmin, xmax]), np.array([ymin, ymin, ymax, ymax])
    )
    col0 = max(int(np.floor(cols.min())) - 1, 0)
    row0 = max(int(np.floor(rows.min())) - 1, 0)
    col1 = min(int(np.ceil(cols.max())) + 1, dataset.width)
    row1 = min(int(np.ceil(rows.max())) + 1, dataset.height)
    window = rasterio.windows.Window(col0, row0, col1 - col0, row1 - row0)
    band = dataset.read(1, window=window, masked=True)
    data = np.ma.filled(band.astype(float), np.nan)
    valid = np.isfinite(data) & ~np.ma.getmaskarray(band)
    if np.any(valid & (data < 0)):
        logger.warning("population raster has negative cells; they count as 0")
    values = np.where(valid, np.clip(data, 0.0, None), 0.0)
    full = dataset.transform
    shifted = Affine(  # the window's own transform: its first cell at (col0, row0)
        full.a,
        full.b,
        full.c + full.a * col0 + full.b * row0,
        full.d,
        full.e,
        full.f + full.d * col0 + full.e * row0,
    )
    return _Grid(values=values, valid=valid, transform=shifted)


def _cell_polygons(
    grid: _Grid, rows: NDArray[np.int64], cols: NDArray[np.int64]
) -> NDArray[np.object_]:
    """Polygons of the given cells (works for rotated grids too)."""
    corners = [(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]
    ring = np.stack(
        [np.column_stack(_apply(grid.transform, cols + dc, rows + dr)) for dc, dr in corners],
        axis=1,
    )
    return np.asarray(shapely.polygons(ring), dtype=object)


def _clipped(grid: _Grid, polygon: shapely.Geometry) -> tuple[float, float, float, bool]:
    """Weight the populated cells clipped to ``polygon``.

    Returns the weighted (x, y), the population inside, and whether the polygon touches nodata
    cells or lies beyond the window.
    """
    inverse = ~grid.transform
    xmin, ymin, xmax, ymax = polygon.bounds
    cs, rs = _apply(inverse, np.array([xmin, xmax, xmin, xmax]), np.array([ymin, ymin, ymax, ymax]))
    n_rows, n_cols = grid.values.shape
    r0, r1 = max(int(np.floor(rs.min())), 0), min(int(np.ceil(rs.max())), n_rows)
    c0, c1 = max(int(np.floor(cs.min())), 0), min(int(np.ceil(cs.max())), n_cols)
    if r0 >= r1 or c0 >= c1:
        return np.nan, np.nan, 0.0, True
    rows, cols = np.indices((r1 - r0, c1 - c0), dtype=np.int64)
    rows, cols = rows.ravel() + r0, cols.ravel() + c0
    cells = _cell_polygons(grid, rows, cols)
    overlap = shapely.intersection(cells, polygon)
    share = shapely.area(overlap) / shapely.area(cells)
    touched = share > 0
    partly = bool(np.any(touched & ~grid.valid[rows, cols]))
    weight = grid.values[rows, cols] * share
    total = float(weight.sum())
    if total <= 0:
        return np.nan, np.nan, 0.0, partly
    centroids = shapely.get_coordinates(shapely.centroid(overlap[weight > 0]))
    w = weight[weight > 0]
    return float(w @ centroids[:, 0] / total), float(w @ centroids[:, 1] / total), total, partly


def _nearest_inside(
    polygon: shapely.Geometry, x: float, y: float, candidates: NDArray[np.float64]
) -> tuple[float, float]:
    """Return the candidate inside ``polygon`` nearest to (x, y), else the nearest inner point."""
    if candidates.shape[0]:
        inside = shapely.contains_xy(polygon, candidates[:, 0], candidates[:, 1])
        if inside.any():
            points = candidates[inside]
            best = np.lexsort(
                (points[:, 1], points[:, 0], np.hypot(points[:, 0] - x, points[:, 1] - y))
            )[0]
            return float(points[best, 0]), float(points[best, 1])
    shrunk = shapely.buffer(polygon, -_INSIDE_MARGIN_M)
    target = polygon if shrunk.is_empty else shrunk
    nearest = shapely.ops.nearest_points(target, shapely.Point(x, y))[0]
    if shapely.contains_xy(polygon, nearest.x, nearest.y):
        return float(nearest.x), float(nearest.y)
    point = polygon.representative_point()
    return float(point.x), float(point.y)


def raster_points(
    sectors: gpd.GeoDataFrame,
    path: Path,
    *,
    id_column: str = "sector_id",
    min_cells: int = 4,
) -> RasterPoints:
    """Compute population-weighted representative points of sectors from a raster.

    Parameters
    ----------
    sectors
        Sector polygons with a CRS.
    path
        Population raster (GeoTIFF or any format rasterio reads), band 1 = persons per cell.
    id_column
        Column with the sector ids used in the lists of the result.
    min_cells
        Sectors holding fewer cell centres than this use the clipped-cells method.

    Returns
    -------
    RasterPoints
        Points in the sectors' CRS, inside their sector, with what fell back and why.

    Raises
    ------
    InputFileError
        The raster is missing or unreadable.
    DataError
        The raster or the sectors have no CRS.
    """
    path = Path(path)
    if sectors.crs is None:
        raise DataError("the sectors have no CRS: set it before computing raster points")
    ids = [str(value) for value in sectors[id_column]]
    polygons = np.asarray(sectors.geometry.array, dtype=object)
    n = len(ids)
    with _open(path) as dataset:
        if dataset.crs is None:
            raise DataError(
                f"population raster {path} has no CRS: set it (GHSL: ESRI:54009) with "
                "gdal_edit.py -a_srs or rasterio"
            )
        raster_crs = CRS.from_user_input(dataset.crs.to_wkt())
        in_raster = sectors.to_crs(raster_crs)
        grid = _read_window(dataset, tuple(in_raster.total_bounds))
        raster_bounds = shapely.box(*dataset.bounds)
    to_sectors = Transformer.from_crs(raster_crs, sectors.crs, always_xy=True)
    xy = np.full((n, 2), np.nan)
    population = np.zeros(n)
    method = np.array(["not_covered"] * n, dtype=object)
    partly = ~shapely.within(np.asarray(in_raster.geometry.array, dtype=object), raster_bounds)
    cell_xy = np.empty((0, 2))
    cell_label = np.empty(0, dtype=np.int64)
    if grid is not None:
        xy, population, method, partly, cell_xy, cell_label = _weighted(
            grid, in_raster, min_cells, partly
        )
        finite = np.isfinite(xy[:, 0])
        xy[finite] = np.column_stack(to_sectors.transform(xy[finite, 0], xy[finite, 1]))
        if cell_xy.shape[0]:
            cell_xy = np.column_stack(to_sectors.transform(cell_xy[:, 0], cell_xy[:, 1]))
    fallback = ~np.isfinite(xy[:, 0])
    surface = shapely.get_coordinates(shapely.point_on_surface(polygons[fallback]))
    xy[fallback] = surface
    moved = []
    outside = ~fallback & ~shapely.contains_xy(polygons, xy[:, 0], xy[:, 1])
    for index in np.flatnonzero(outside):
        xy[index] = _nearest_inside(
            polygons[index], xy[index, 0], xy[index, 1], cell_xy[cell_label == index]
        )
        moved.append(ids[index])
    result = RasterPoints(
        xy=xy,
        method=tuple(str(m) for m in method),
        raster_population=population,
        moved_inside=tuple(moved),
        fell_back=tuple(ids[i] for i in np.flatnonzero(method == "no_population")),
        not_covered=tuple(ids[i] for i in np.flatnonzero(method == "not_covered")),
        partly_covered=tuple(ids[i] for i in np.flatnonzero(partly & (method != "not_covered"))),
    )
    _log(result, path)
    return result


def _weighted(
    grid: _Grid, in_raster: gpd.GeoDataFrame, min_cells: int, partly: NDArray[np.bool_]
) -> tuple[
    NDArray[np.float64],
    NDArray[np.float64],
    NDArray[np.object_],
    NDArray[np.bool_],
    NDArray[np.float64],
    NDArray[np.int64],
]:
    """Both weighting methods in the raster CRS; NaN points where no population was found."""
    n = len(in_raster)
    geoms = np.asarray(in_raster.geometry.array, dtype=object)
    labels = (
        rasterio.features.rasterize(
            ((geom, index + 1) for index, geom in enumerate(geoms) if not geom.is_empty),
            out_shape=grid.values.shape,
            transform=grid.transform,
            fill=0,
            all_touched=False,
            dtype="int32",
        ).astype(np.int64)
        - 1
    )
    xs, ys = grid.centres()
    inside = labels >= 0
    label, pop = labels[inside], grid.values[inside]
    count = np.bincount(label, minlength=n)
    valid_count = np.bincount(label, weights=grid.valid[inside].astype(float), minlength=n)
    weight = np.bincount(label, weights=pop, minlength=n)
    wx = np.bincount(label, weights=pop * xs[inside], minlength=n)
    wy = np.bincount(label, weights=pop * ys[inside], minlength=n)
    xy = np.full((n, 2), np.nan)
    method = np.array(["no_population"] * n, dtype=object)
    by_centres = (count >= min_cells) & (weight > 0)
    xy[by_centres] = np.column_stack([wx, wy])[by_centres] / weight[by_centres, np.newaxis]
    method[by_centres] = "cell_centres"
    partly = partly | (valid_count < count)
    population = np.where(by_centres, weight, 0.0)
    covered = np.zeros(n, dtype=bool)
    covered[by_centres] = True
    for index in np.flatnonzero(~by_centres):
        x, y, total, touches_nodata = _clipped(grid, geoms[index])
        partly[index] |= touches_nodata
        population[index] = total
        if total > 0:
            xy[index] = (x, y)
            method[index] = "clipped_cells"
    # a sector with no valid cell at all (outside the window or all nodata) is not covered
    touched_valid = np.zeros(n, dtype=bool)
    touched_valid[np.unique(label[grid.valid[inside]])] = True
    for index in np.flatnonzero(~by_centres & (method == "no_population") & ~touched_valid):
        if not _touches_valid(grid, geoms[index]):
            method[index] = "not_covered"
    populated = inside & (grid.values > 0)
    cell_xy = np.column_stack([xs[populated], ys[populated]])
    return xy, population, method, partly, cell_xy, labels[populated]


def _touches_valid(grid: _Grid, polygon: shapely.Geometry) -> bool:
    mask = rasterio.features.geometry_mask(
        [polygon],
        out_shape=grid.values.shape,
        transform=grid.transform,
        all_touched=True,
        invert=True,
    )
    return bool(np.any(mask & grid.valid))


def _log(result: RasterPoints, path: Path) -> None:
    counts = ", ".join(
        f"{result.method.count(name)} {name}" for name in METHODS if name in result.method
    )
    logger.info(f"Raster points from {path.name}: {counts}")
    if result.moved_inside:
        logger.info(
            f"{len(result.moved_inside)} weighted points fell outside their (concave) sector and "
            f"were moved inside: {', '.join(result.moved_inside[:10])}"
        )
    if result.fell_back:
        logger.warning(
            f"{len(result.fell_back)} sectors have no population in the raster; their point is "
            f"a point on the surface: {', '.join(result.fell_back[:10])}",
            extra=CHANGES_FIGURE,
        )
    if result.not_covered:
        logger.warning(
            f"the raster {path.name} does not cover {len(result.not_covered)} sectors (point on "
            f"the surface used): {', '.join(result.not_covered[:10])}",
            extra=CHANGES_FIGURE,
        )
    if result.partly_covered:
        logger.warning(
            f"the raster {path.name} covers {len(result.partly_covered)} sectors only partly: "
            f"{', '.join(result.partly_covered[:10])}"
        )


def raster_values(path: Path, xy: NDArray[np.float64], crs: object) -> NDArray[np.float64]:
    """Return the raster's population (band 1) at each point; 0 outside it or on nodata.

    Parameters
    ----------
    path
        Population raster (GeoTIFF or any format rasterio reads).
    xy
        ``(n, 2)`` point coordinates in ``crs``.
    crs
        CRS of the points (anything pyproj reads).

    Returns
    -------
    numpy.ndarray
        ``(n,)`` persons in the cell under each point (negative cells count as 0).

    Raises
    ------
    InputFileError
        The raster is missing or unreadable.
    DataError
        The raster has no CRS.
    """
    path = Path(path)
    xy = np.asarray(xy, dtype=float)
    values = np.zeros(xy.shape[0])
    if xy.shape[0] == 0:
        return values
    with _open(path) as dataset:
        if dataset.crs is None:
            raise DataError(
                f"population raster {path} has no CRS: set it (GHSL: ESRI:54009) with "
                "gdal_edit.py -a_srs or rasterio"
            )
        to_raster = Transformer.from_crs(
            CRS.from_user_input(crs), CRS.from_user_input(dataset.crs.to_wkt()), always_xy=True
        )
        x, y = to_raster.transform(xy[:, 0], xy[:, 1])
        grid = _read_window(
            dataset, (float(np.min(x)), float(np.min(y)), float(np.max(x)), float(np.max(y)))
        )
    if grid is None:
        return values
    cols, rows = _apply(~grid.transform, x, y)
    col, row = np.floor(cols).astype(np.int64), np.floor(rows).astype(np.int64)
    inside = (row >= 0) & (row < grid.values.shape[0]) & (col >= 0) & (col < grid.values.shape[1])
    values[inside] = grid.values[row[inside], col[inside]]
    return values
