"""Demand points: a sector's families spread over points, so a sector can be partly covered.

Hand-checkable throughout: a strip sector 2 km long along one street of four 500 m segments,
an existing house at its west end, walking at 4.5 km/h (75 m a minute).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import yaml
from affine import Affine
from shapely import LineString, Point, box

import planner
from planner.demand import grid_points, street_points
from planner.errors import PlanCheckError
from planner.results.check import check_plan
from planner.workflows.pipeline import validate
from tests.conftest import CRS, run_capturing

if TYPE_CHECKING:
    from pathlib import Path


def strip_city(folder: Path, points: str = "network", **extra: Any) -> Path:
    """Write the strip city and its scenario; return the scenario file."""
    sectors = gpd.GeoDataFrame(
        {
            "sector_id": ["S1", "S2"],
            "name": ["Strip", "Elders"],
            "population": [2000, 500],
            "target": [80.0, 20.0],
            "income": [20000.0, 30000.0],
        },
        geometry=[box(-10, -100, 2010, 100), box(-10, 200, 490, 400)],
        crs=CRS,
    )
    lines = [LineString([(x, 0), (x + 500, 0)]) for x in (0, 500, 1000, 1500)]
    lines += [LineString([(0, 0), (0, 300)]), LineString([(0, 300), (250, 300)])]
    streets = gpd.GeoDataFrame({"street_id": range(len(lines))}, geometry=lines, crs=CRS)
    sites = gpd.GeoDataFrame(
        {
            "site_id": ["H1", "C1"],
            "name": ["Huis West", "Kandidaat Oost"],
            "type": ["library", "school"],
            "can_house": [True, True],
            "can_antenne": [True, True],
            "cost_house": [400000.0, 400000.0],
            "cost_antenne": [80000.0, 80000.0],
            "existing": ["house", ""],
            "forbidden": [False, False],
        },
        geometry=[Point(0, 0), Point(2000, 0)],
        crs=CRS,
    )
    folder.mkdir(parents=True, exist_ok=True)
    sectors.to_file(folder / "sectors.gpkg", driver="GPKG")
    sites.to_file(folder / "sites.gpkg", driver="GPKG")
    streets.to_file(folder / "streets.gpkg", driver="GPKG")
    raw: dict[str, Any] = {
        "name": "strip",
        "data": {"sectors": "sectors.gpkg", "sites": "sites.gpkg", "network": "streets.gpkg"},
        "need": {"indicators": [{"column": "income", "direction": "lower_is_needier"}]},
        "demand": {"points": points, **extra},
        "standards": {"house_min": 15, "frequent_min": 8, "link_min": 20},
        "budget": {"amount_eur": 0},
        "solver": {"name": "highs", "time_limit_s": 30},
    }
    path = folder / "strip.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


def test_street_points_weigh_nodes_by_the_street_around_them() -> None:
    # nodes 0..4 along a 2 km street (500 m apart); node 5 ends a 50 km/h-plus road
    node_xy = np.array([[0, 0], [500, 0], [1000, 0], [1500, 0], [2000, 0], [2000, 400.0]])
    u = np.array([0, 1, 1, 2, 2, 3, 3, 4, 4, 5])
    v = np.array([1, 0, 2, 1, 3, 2, 4, 3, 5, 4])
    length = np.array([500.0] * 8 + [400.0, 400.0])
    minutes = np.where(length == 500.0, 500 / 75, 400 / (90 * 1000 / 60))  # 4.5 and 90 km/h
    polygons = np.array([box(-10, -10, 2010, 500)], dtype=object)
    points = street_points(
        polygons, np.array([[1000.0, 0.0]]), ["S1"], node_xy, (u, v, length, minutes)
    )
    assert points.method == "network"
    assert points.count == 5  # node 5 lies only on the fast road: no weight, no point
    # half of each street ending at a node: 250 at the ends, 500 inside, out of 2000 m
    assert points.share.tolist() == pytest.approx([0.125, 0.25, 0.25, 0.25, 0.125])
    assert points.sector.tolist() == [0] * 5


def test_a_sector_without_a_node_keeps_its_point() -> None:
    node_xy = np.array([[0.0, 0.0], [500.0, 0.0]])
    edges = (np.array([0, 1]), np.array([1, 0]), np.array([500.0, 500.0]), np.array([6.7, 6.7]))
    polygons = np.array([box(-10, -10, 510, 10), box(0, 100, 50, 150)], dtype=object)
    points = street_points(
        polygons, np.array([[250.0, 0.0], [25.0, 125.0]]), ["A", "B"], node_xy, edges
    )
    assert points.fallback == ("B",)
    assert points.xy[points.sector == 1].tolist() == [[25.0, 125.0]]
    assert points.share[points.sector == 1].tolist() == [1.0]
    assert points.share[points.sector == 0].sum() == pytest.approx(1.0)


def test_grid_points_share_a_sector_by_area() -> None:
    polygons = np.array([box(0, 0, 1000, 500), box(1000, 0, 1100, 100)], dtype=object)
    points = grid_points(polygons, np.array([[500.0, 250], [1050, 50]]), ["A", "B"], 250.0)
    a = points.sector == 0
    assert int(a.sum()) == 8
    assert points.share[a].tolist() == pytest.approx([1 / 8] * 8)
    assert points.share[~a].tolist() == pytest.approx([1.0])  # one clipped cell part
    with pytest.raises(planner.DataError, match="grid_cell_m must be a positive"):
        grid_points(polygons, np.zeros((2, 2)), ["A", "B"], 0.0)


def test_a_raster_weighs_the_points(tmp_path: Path) -> None:
    raster = tmp_path / "pop.tif"
    with rasterio.open(
        raster,
        "w",
        driver="GTiff",
        width=2,
        height=1,
        count=1,
        dtype="float32",
        crs=CRS,
        transform=Affine(500.0, 0.0, 0.0, 0.0, -500.0, 500.0),
    ) as dataset:
        dataset.write(np.array([[30.0, 10.0]], dtype="float32"), 1)
    polygons = np.array([box(0, 0, 1000, 500)], dtype=object)
    points = grid_points(polygons, np.array([[500.0, 250]]), ["A"], 500.0, raster=raster, crs=CRS)
    assert points.share.tolist() == pytest.approx([0.75, 0.25])


def test_a_sector_straddling_the_standard_is_partly_covered(tmp_path: Path) -> None:
    plan = planner.run(strip_city(tmp_path / "city"))
    sectors = plan.sectors.set_index("sector_id")
    # S1's nodes at 0, 500, 1000, 1500, 2000 m from the house (0, 6.7, 13.3, 20, 26.7 min)
    # weigh 250 + 150 (half of the 300 m side street), 500, 500, 500 and 250 m of street
    weight = np.array([400.0, 500, 500, 500, 250])
    share = weight / weight.sum()  # of 2150 m
    assert sectors.loc["S1", "covered_house_share"] == pytest.approx(share[:3].sum(), abs=1e-6)
    assert bool(sectors.loc["S1", "covered_house"])  # most of its families (65 %)
    # frequent standard 8 min: the nodes at 0 and 500 m
    assert sectors.loc["S1", "covered_frequent_share"] == pytest.approx(share[:2].sum(), abs=1e-6)
    # half of the strip's families (1075 m of 2150) live within 13.3 min
    assert sectors.loc["S1", "tt_house_min"] == pytest.approx(1000 / 75, abs=1e-3)
    # S2's two nodes up the side street are 4 and 7.3 min away: all of its 20 families covered
    assert sectors.loc["S2", "covered_house_share"] == 1.0
    expected = (80 * share[:3].sum() + 20) / 100
    assert plan.summary["coverage"]["house"] == pytest.approx(expected, abs=1e-6)
    assert plan.summary["demand_points"]["method"] == "network"
    assert plan.points is not None
    assert plan.points["target"].sum() == pytest.approx(100.0)
    assert plan.summary["check"] == "passed"


def test_one_point_per_sector_is_all_or_nothing(tmp_path: Path) -> None:
    plan = planner.run(strip_city(tmp_path / "city", points="sector"))
    sectors = plan.sectors.set_index("sector_id")
    # the strip's one point is at its middle, 1000 m (13.3 min) from the house: all covered
    assert sectors.loc["S1", "covered_house_share"] == 1.0
    assert plan.summary["demand_points"] == {
        "method": "sector",
        "points": 2,
        "rows": 2,
        "one_point_sectors": 2,
    }


def test_grid_points_run_end_to_end(tmp_path: Path) -> None:
    plan = planner.run(strip_city(tmp_path / "city", points="grid", grid_cell_m=500))
    assert plan.summary["demand_points"]["method"] == "grid"
    assert plan.summary["check"] == "passed"
    share = plan.sectors.set_index("sector_id").loc["S1", "covered_house_share"]
    assert 0.0 < share < 1.0


def test_the_check_recomputes_the_sector_shares(tmp_path: Path) -> None:
    plan, case = run_capturing(strip_city(tmp_path / "city"))
    inputs, demand, travel = case.inputs, case.demand, case.travel
    check_plan(plan, inputs, demand, travel)  # the plan as made passes
    sectors = plan.sectors.copy()
    sectors.loc[0, "covered_house_share"] = 1.0
    with pytest.raises(PlanCheckError, match="covered_house_share is wrong: S1"):
        check_plan(dataclasses.replace(plan, sectors=sectors), inputs, demand, travel)
    points = plan.points.copy()
    points.loc[points["tt_house_min"] > 25, "covered_house"] = True
    with pytest.raises(PlanCheckError, match="covered_house flags are wrong"):
        check_plan(dataclasses.replace(plan, points=points), inputs, demand, travel)


def test_a_zero_grid_cell_is_one_clear_problem(tmp_path: Path) -> None:
    problems = validate(strip_city(tmp_path / "city", points="grid", grid_cell_m=0))
    assert len(problems) == 1
    assert "demand.grid_cell_m" in problems[0]


def test_every_output_is_written_with_demand_points(tmp_path: Path) -> None:
    import pyogrio  # noqa: PLC0415

    plan = planner.run(strip_city(tmp_path / "city"))
    written = planner.write_outputs(plan, tmp_path / "out")
    layers = [name for name, _ in pyogrio.list_layers(written["plan.gpkg"])]
    assert layers == ["sectors", "sites", "links", "points", "layer_styles"]  # QGIS styles
    points = gpd.read_file(written["plan.gpkg"], layer="points")
    assert len(points) == len(plan.points)
    assert points.groupby("sector_id")["share"].sum().round(6).tolist() == [1.0, 1.0]
    page = written["map.html"].read_text(encoding="utf-8")
    assert "Vraagpunten (7 punten)" in page
    assert "waarvan 1 deels" in page  # the strip: partly beyond the house standard
    note = written["note.html"].read_text(encoding="utf-8")
    assert "zodat een sector ook voor een deel binnen een norm kan liggen" in note
