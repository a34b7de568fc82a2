"""Approximate sector polygons: Voronoi cells of sector centroids, clipped to a boundary.

Where Statbel's sector polygons are not at hand, a sector is approximated by the part of its
municipality that is nearer to its centroid than to any other sector's centroid. The cells
tile the boundary: they do not overlap and their union is the boundary. The result is an
approximation (a real sector follows streets, rivers and railways), and
:func:`voronoi_sectors` says so nowhere itself: the caller flags it (``planner data`` writes
``geometry_method = "voronoi"`` per sector and a note in its report).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planner.errors import DataError

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

__all__ = ["voronoi_sectors"]

logger = logging.getLogger(__name__)


def _boundary_geometry(
    boundary: gpd.GeoDataFrame | gpd.GeoSeries | BaseGeometry, crs: object
) -> BaseGeometry:
    """Return the boundary as one geometry in ``crs`` (a frame is dissolved)."""
    if isinstance(boundary, gpd.GeoDataFrame | gpd.GeoSeries):
        if boundary.crs is not None and crs is not None and boundary.crs != crs:
            boundary = boundary.to_crs(crs)
        return shapely.union_all(shapely.make_valid(np.asarray(boundary.geometry.array)))
    return shapely.make_valid(boundary)


def _check(centroids: gpd.GeoDataFrame, id_column: str, boundary: BaseGeometry) -> None:
    problems = []
    if id_column not in centroids.columns:
        problems.append(
            f"sector centroids have no column {id_column!r} (columns: "
            f"{', '.join(map(str, centroids.columns))}): name the id column"
        )
    elif centroids[id_column].isna().any() or centroids[id_column].duplicated().any():
        problems.append(
            f"sector centroids: column {id_column!r} has empty or repeated ids; every "
            "centroid needs its own id"
        )
    if centroids.crs is None:
        problems.append("sector centroids have no CRS: set one with set_crs()")
    elif centroids.crs.is_geographic:
        problems.append(
            f"sector centroids are in a geographic CRS ({centroids.crs.to_string()}): "
            "reproject to a projected CRS (e.g. to_crs(31370)) first"
        )
    geometry = centroids.geometry
    if not (geometry.geom_type == "Point").all():
        problems.append("sector centroids must all be points (one per sector)")
    elif pd.DataFrame(shapely.get_coordinates(geometry.array)).duplicated().any():
        problems.append("sector centroids: two sectors share one centroid point")
    if boundary.is_empty or boundary.area <= 0:
        problems.append("the boundary to clip the Voronoi cells to has no area")
    if problems:
        raise DataError(problems)


def _polygonal(geometries: np.ndarray) -> np.ndarray:
    """Drop the line and point pieces an intersection can leave along a shared edge."""
    mixed = shapely.get_type_id(geometries) == shapely.GeometryType.GEOMETRYCOLLECTION
    if not mixed.any():
        return geometries
    parts, index = shapely.get_parts(geometries[mixed], return_index=True)
    keep = shapely.get_dimensions(parts) == 2
    rebuilt = np.array([shapely.Polygon()] * int(mixed.sum()), dtype=object)
    if keep.any():
        # one multipolygon per mixed geometry, built from its polygonal parts only
        polygons, which = shapely.get_parts(parts[keep], return_index=True)
        groups = shapely.multipolygons(
            polygons, indices=index[keep][which], out_size=int(mixed.sum())
        )
        rebuilt = np.where(shapely.is_empty(groups), rebuilt, groups)
    out = geometries.copy()
    out[mixed] = rebuilt
    return out


def voronoi_sectors(
    centroids: gpd.GeoDataFrame,
    boundary: gpd.GeoDataFrame | gpd.GeoSeries | BaseGeometry,
    id_column: str,
) -> gpd.GeoDataFrame:
    """Return one Voronoi cell per centroid, clipped to ``boundary``.

    Parameters
    ----------
    centroids
        One point per sector in a projected CRS, with a unique id in ``id_column``; its other
        columns are kept.
    boundary
        The area the cells tile (e.g. a municipality): a geometry in the centroids' CRS, or a
        GeoDataFrame / GeoSeries (reprojected when its CRS differs, dissolved into one).
    id_column
        The column of sector ids.

    Returns
    -------
    geopandas.GeoDataFrame
        The centroids' rows in their order, the geometry replaced by each centroid's cell
        within the boundary, in the centroids' CRS. A centroid outside the boundary keeps
        the part of its cell inside it (empty when there is none).

    Raises
    ------
    DataError
        When ids are missing or repeated, two centroids coincide, the CRS is missing or
        geographic, or the boundary has no area.
    """
    area = _boundary_geometry(boundary, centroids.crs)
    _check(centroids, id_column, area)
    points = np.asarray(centroids.geometry.array)
    if len(points) == 0:
        return centroids.copy()
    if len(points) == 1:
        cells = np.array([area], dtype=object)
    else:
        # The diagram's extent must reach past the boundary, or cells are cut short there.
        xmin, ymin, xmax, ymax = shapely.union_all(np.append(points, area)).bounds
        pad = max(xmax - xmin, ymax - ymin)
        extent = shapely.box(xmin - pad, ymin - pad, xmax + pad, ymax + pad)
        diagram = shapely.voronoi_polygons(
            shapely.multipoints(points), extend_to=extent, ordered=True
        )
        cells = np.asarray(shapely.get_parts(diagram))
    clipped = _polygonal(shapely.intersection(cells, area))
    result = centroids.copy()
    result = result.set_geometry(gpd.GeoSeries(clipped, index=centroids.index, crs=centroids.crs))
    empty = int(shapely.is_empty(clipped).sum())
    if empty:
        logger.warning(f"{empty} sector centroids lie outside the boundary: their cells are empty")
    logger.info(f"Made {len(result):,} Voronoi sector cells clipped to the boundary")
    return result
