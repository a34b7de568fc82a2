"""Voronoi sector cells: one per centroid, same ids and CRS, tiling the boundary."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from planner.data.voronoi import voronoi_sectors
from planner.errors import DataError

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def _centroids(n: int = 40, seed: int = 3, crs: str = "EPSG:31370") -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 1000, size=(n, 2))
    return gpd.GeoDataFrame(
        {"cd_sector": [f"S{i:03d}" for i in range(n)], "pop": np.arange(n)},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=crs,
    )


def test_cells_tile_the_boundary_and_hold_their_own_centroid() -> None:
    centroids = _centroids()
    boundary = shapely.Polygon([(0, 0), (1000, 0), (1000, 1000), (500, 1200), (0, 1000)])
    cells = voronoi_sectors(centroids, boundary, "cd_sector")
    assert list(cells["cd_sector"]) == list(centroids["cd_sector"])
    assert list(cells["pop"]) == list(centroids["pop"])
    assert cells.crs == centroids.crs
    assert cells.geometry.contains(centroids.geometry).all()
    assert (cells.geom_type.isin(["Polygon", "MultiPolygon"])).all()
    assert cells.geometry.area.sum() == pytest.approx(boundary.area, rel=1e-9)
    assert shapely.union_all(cells.geometry.array).symmetric_difference(boundary).area < 1e-6
    # no overlaps: pairwise intersections have no area
    left, right = cells.sindex.query(cells.geometry, predicate="intersects")
    pairs = left < right
    overlap = shapely.intersection(
        cells.geometry.array[left[pairs]], cells.geometry.array[right[pairs]]
    )
    assert shapely.area(overlap).max() < 1e-6


def test_each_cell_is_nearest_to_its_own_centroid() -> None:
    centroids = _centroids(25, seed=9)
    boundary = shapely.box(0, 0, 1000, 1000)
    cells = voronoi_sectors(centroids, boundary, "cd_sector")
    probe = shapely.point_on_surface(cells.geometry.array)
    xy = shapely.get_coordinates(probe)
    pts = shapely.get_coordinates(centroids.geometry.array)
    nearest = np.argmin(((xy[:, None, :] - pts[None, :, :]) ** 2).sum(axis=2), axis=1)
    assert (nearest == np.arange(len(centroids))).all()


def test_boundary_frame_in_another_crs_is_reprojected_and_dissolved() -> None:
    centroids = _centroids(10)
    halves = gpd.GeoDataFrame(
        geometry=[shapely.box(-10, -10, 500, 1010), shapely.box(500, -10, 1010, 1010)],
        crs="EPSG:31370",
    ).to_crs(4326)
    cells = voronoi_sectors(centroids, halves, "cd_sector")
    assert cells.crs == centroids.crs
    assert cells.geometry.area.sum() == pytest.approx(1020 * 1020, rel=1e-6)


def test_one_centroid_gets_the_whole_boundary_and_outside_one_is_empty() -> None:
    boundary = shapely.box(0, 0, 100, 100)
    one = _centroids(1)
    one.geometry = gpd.points_from_xy([50], [50], crs=one.crs)
    assert voronoi_sectors(one, boundary, "cd_sector").geometry.iloc[0].equals(boundary)
    two = _centroids(2)
    two.geometry = gpd.points_from_xy([50, 5000], [50, 5000], crs=two.crs)
    cells = voronoi_sectors(two, boundary, "cd_sector")
    assert cells.geometry.iloc[0].area == pytest.approx(boundary.area)
    assert cells.geometry.iloc[1].is_empty


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("duplicate_id", "repeated ids"),
        ("same_point", "share one centroid"),
        ("geographic", "geographic CRS"),
        ("no_column", "no column 'cd_sector'"),
    ],
)
def test_bad_centroids_are_one_clear_error(change: str, message: str) -> None:
    centroids = _centroids(5)
    if change == "duplicate_id":
        centroids.loc[1, "cd_sector"] = "S000"
    elif change == "same_point":
        centroids.loc[1, "geometry"] = centroids.geometry.iloc[0]
    elif change == "geographic":
        centroids = centroids.set_crs(4326, allow_override=True)
    else:
        centroids = centroids.rename(columns={"cd_sector": "code"})
    with pytest.raises(DataError, match=message):
        voronoi_sectors(centroids, shapely.box(0, 0, 1000, 1000), "cd_sector")


def test_empty_boundary_is_an_error() -> None:
    with pytest.raises(DataError, match="no area"):
        voronoi_sectors(_centroids(5), shapely.Polygon(), "cd_sector")


@pytest.mark.skipif(
    not (SHARED / "belgium" / "sector_centroids_2024.gpkg").exists(),
    reason="../shared/data (Statbel sector centroids, Flemish municipalities) is not present",
)
def test_aalst_cells_from_the_shared_centroids() -> None:
    centroids = gpd.read_file(SHARED / "belgium" / "sector_centroids_2024.gpkg")
    centroids = centroids[centroids["cd_sector"].str.startswith("41002")]
    municipalities = gpd.read_file(SHARED / "flanders" / "gemeente2024.shp")
    aalst = municipalities[municipalities["gemeente"].astype(str) == "41002"]
    cells = voronoi_sectors(centroids, aalst, "cd_sector")
    assert len(cells) == len(centroids) > 50
    assert cells.crs == centroids.crs
    assert cells.geometry.area.sum() == pytest.approx(aalst.to_crs(cells.crs).area.sum(), rel=1e-6)
