"""Tests of planner.data.raster: population-weighted sector points from a population grid."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine
from pyproj import Transformer
from shapely import Polygon, box

import planner
from planner.data.inputs import read_inputs
from planner.data.raster import raster_points
from planner.errors import DataError, InputFileError
from planner.workflows.inputs import with_raster_points as _with_raster_points

if TYPE_CHECKING:
    from pathlib import Path

    from tests.conftest import TinyCity

CRS = "EPSG:31370"


def write_raster(
    path: Path,
    data: np.ndarray,
    *,
    west: float,
    north: float,
    cell: float,
    crs: str | None = CRS,
    nodata: float | None = None,
) -> Path:
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=data.shape[0],
        width=data.shape[1],
        count=1,
        dtype="float64",
        crs=crs,
        transform=Affine(cell, 0, west, 0, -cell, north),
        nodata=nodata,
    ) as dataset:
        dataset.write(data.astype("float64"), 1)
    return path


def sectors(*geoms: Polygon, crs: str = CRS) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"sector_id": [f"S{i}" for i in range(len(geoms))]}, geometry=list(geoms), crs=crs
    )


def test_weighted_mean_of_cell_centres(tmp_path: Path) -> None:
    grid = np.zeros((10, 10))
    grid[0, 9] = 30.0  # centre (950, 950)
    grid[1, 8] = 10.0  # centre (850, 850)
    raster = write_raster(tmp_path / "pop.tif", grid, west=0, north=1000, cell=100)
    result = raster_points(sectors(box(0, 0, 1000, 1000)), raster)
    assert result.method == ("cell_centres",)
    np.testing.assert_allclose(result.xy[0], [925.0, 925.0])
    assert result.raster_population[0] == pytest.approx(40.0)
    assert result.summary()["methods"] == {"cell_centres": 1}


def test_small_sector_uses_clipped_cells(tmp_path: Path) -> None:
    raster = write_raster(tmp_path / "pop.tif", np.full((4, 4), 100.0), west=0, north=400, cell=100)
    small = box(20, 20, 170, 120)  # no cell centre or one: fewer than min_cells
    result = raster_points(sectors(small), raster)
    assert result.method == ("clipped_cells",)
    np.testing.assert_allclose(result.xy[0], [95.0, 70.0], atol=1e-6)  # uniform: the centroid
    assert result.raster_population[0] == pytest.approx(100.0 * small.area / 100**2)


def test_no_population_falls_back_to_a_point_on_the_surface(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    grid = np.zeros((4, 4))
    grid[3, 3] = 5.0
    raster = write_raster(tmp_path / "pop.tif", grid, west=0, north=400, cell=100)
    empty = box(0, 200, 200, 400)
    with caplog.at_level(logging.WARNING, logger="planner.data.raster"):
        result = raster_points(sectors(empty, box(300, 0, 400, 100)), raster)
    assert result.method == ("no_population", "clipped_cells")
    assert result.fell_back == ("S0",)
    assert empty.contains(shapely.Point(result.xy[0]))
    assert "1 sectors have no population in the raster" in caplog.text


def test_raster_not_covering_says_which_sectors(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    raster = write_raster(tmp_path / "pop.tif", np.ones((4, 4)), west=0, north=400, cell=100)
    inside, far, across = box(0, 0, 300, 300), box(5000, 5000, 5100, 5100), box(350, 0, 600, 100)
    with caplog.at_level(logging.WARNING, logger="planner.data.raster"):
        result = raster_points(sectors(inside, far, across), raster)
    assert result.not_covered == ("S1",)
    assert result.partly_covered == ("S2",)
    assert result.method[1] == "not_covered"
    assert far.contains(shapely.Point(result.xy[1]))
    assert "does not cover 1 sectors (point on the surface used): S1" in caplog.text
    assert "covers 1 sectors only partly: S2" in caplog.text


def test_raster_entirely_elsewhere(tmp_path: Path) -> None:
    raster = write_raster(tmp_path / "pop.tif", np.ones((4, 4)), west=0, north=400, cell=100)
    result = raster_points(sectors(box(9000, 9000, 9500, 9500)), raster)
    assert result.not_covered == ("S0",)


def test_nodata_cells_are_not_population(tmp_path: Path) -> None:
    grid = np.full((4, 4), -9999.0)
    grid[:, 2:] = 10.0
    raster = write_raster(tmp_path / "pop.tif", grid, west=0, north=400, cell=100, nodata=-9999)
    result = raster_points(sectors(box(0, 0, 200, 400), box(0, 0, 400, 400)), raster)
    assert result.method[0] == "not_covered"
    assert result.method[1] == "cell_centres"
    assert result.xy[1, 0] == pytest.approx(300.0)
    assert result.partly_covered == ("S1",)


def test_raster_in_another_crs_is_reprojected(tmp_path: Path) -> None:
    hot = (104_500.0, 194_300.0)  # Gent, Lambert 72
    to_mercator = Transformer.from_crs(CRS, "EPSG:3857", always_xy=True)
    hx, hy = to_mercator.transform(*hot)
    cell = 40.0
    west, north = hx - 20 * cell - cell / 2, hy + 20 * cell + cell / 2
    grid = np.zeros((41, 41))
    grid[20, 20] = 50.0  # the cell centred on the hot point
    raster = write_raster(
        tmp_path / "pop.tif", grid, west=west, north=north, cell=cell, crs="EPSG:3857"
    )
    sector = box(hot[0] - 400, hot[1] - 400, hot[0] + 400, hot[1] + 400)
    result = raster_points(sectors(sector), raster)
    np.testing.assert_allclose(result.xy[0], hot, atol=1.0)
    assert result.raster_population[0] == pytest.approx(50.0)


def test_sectors_in_degrees_get_points_in_degrees(tmp_path: Path) -> None:
    grid = np.zeros((10, 10))
    grid[5, 5] = 1.0
    raster = write_raster(tmp_path / "pop.tif", grid, west=104_000, north=195_000, cell=100)
    layer = sectors(box(104_000, 194_000, 105_000, 195_000)).to_crs("EPSG:4326")
    result = raster_points(layer, raster)
    back = Transformer.from_crs("EPSG:4326", CRS, always_xy=True).transform(*result.xy[0])
    np.testing.assert_allclose(back, [104_550, 194_450], atol=0.5)


def test_weighted_mean_outside_a_concave_sector_is_moved_inside(tmp_path: Path) -> None:
    # a U: two arms joined at the bottom; people only at the tops of the arms
    u_shape = Polygon([(0, 0), (1000, 0), (1000, 1000), (700, 1000), (700, 300), (300, 300),
                       (300, 1000), (0, 1000)])  # fmt: skip
    grid = np.zeros((10, 10))
    grid[0, 1] = 20.0  # centre (150, 950), left arm
    grid[0, 8] = 20.0  # centre (850, 950), right arm
    raster = write_raster(tmp_path / "pop.tif", grid, west=0, north=1000, cell=100)
    result = raster_points(sectors(u_shape), raster)
    assert result.moved_inside == ("S0",)
    point = shapely.Point(result.xy[0])
    assert u_shape.contains(point)
    # the populated cell centre nearest to the mean (500, 950); ties go to the lower x
    np.testing.assert_allclose(result.xy[0], [150.0, 950.0])


def test_every_point_lies_inside_its_sector(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    raster = write_raster(
        tmp_path / "pop.tif", rng.uniform(0, 50, (30, 30)), west=0, north=3000, cell=100
    )
    polygons = [box(x, y, x + w, y + h) for x, y, w, h in rng.uniform(0, 1400, (25, 4))]
    layer = sectors(*polygons)
    result = raster_points(layer, raster)
    assert shapely.contains_xy(np.asarray(layer.geometry.array), *result.xy.T).all()


def test_raster_without_crs(tmp_path: Path) -> None:
    raster = write_raster(
        tmp_path / "p.tif", np.ones((2, 2)), west=0, north=200, cell=100, crs=None
    )
    with pytest.raises(DataError, match="has no CRS"):
        raster_points(sectors(box(0, 0, 100, 100)), raster)


def test_missing_or_unreadable_raster(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="does not exist"):
        raster_points(sectors(box(0, 0, 100, 100)), tmp_path / "absent.tif")
    (tmp_path / "bad.tif").write_bytes(b"not a tiff")
    with pytest.raises(InputFileError, match="cannot be opened"):
        raster_points(sectors(box(0, 0, 100, 100)), tmp_path / "bad.tif")


def test_pipeline_uses_a_population_raster(tiny_city: TinyCity, tmp_path: Path) -> None:
    grid = np.zeros((20, 30))
    grid[15, 5] = 100.0  # centre (550, 450): in sector B1 (0-1000, 0-1000)
    raster = write_raster(tmp_path / "pop.tif", grid, west=0, north=2000, cell=100)
    raw = tiny_city.raw_scenario()
    raw["data"]["population_raster"] = str(raster)
    scenario = planner.load_scenario(tiny_city.write_scenario(raw, "raster.yaml"))
    inputs = _with_raster_points(scenario, read_inputs(scenario))
    row = inputs.sectors.set_index("sector_id").loc["B1"]
    assert (row["point_x"], row["point_y"]) == (550.0, 450.0)
    plan = planner.run(scenario)
    assert plan.summary["proven_optimal"]


def test_validate_names_a_missing_raster(tiny_city: TinyCity) -> None:
    raw = tiny_city.raw_scenario()
    raw["data"]["population_raster"] = "absent.tif"
    problems = planner.validate(tiny_city.write_scenario(raw, "raster.yaml"))
    assert any("population raster" in p and "absent.tif" in p for p in problems)
