"""The built-in demo town: deterministic files, sane figures, a routable street layer."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import connected_components

from planner.data import demo
from planner.data.demo import DEMO_FILES, DemoCity, build_demo_city, write_demo_city

COMMITTED = Path(__file__).resolve().parent.parent / "data" / "statsec" / "demo"


@pytest.fixture(scope="module")
def city() -> DemoCity:
    return build_demo_city()


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_demo_city(tmp_path_factory.mktemp("demo"))


def test_files_are_byte_identical_across_runs(written: dict[str, Path], tmp_path: Path) -> None:
    again = write_demo_city(tmp_path / "again")
    assert set(written) == set(again) == {"sectors", "streets", "sites"}
    for role, path in written.items():
        assert path.name == DEMO_FILES[role]
        assert path.read_bytes() == again[role].read_bytes(), role


def test_committed_files_match_the_generator(written: dict[str, Path]) -> None:
    for role, path in written.items():
        committed = COMMITTED / DEMO_FILES[role]
        assert committed.exists(), f"{committed} is missing: run python -m planner.data.demo"
        assert committed.read_bytes() == path.read_bytes(), (
            f"{committed} differs from the generator: run python -m planner.data.demo and commit"
        )


def test_files_are_small_and_keep_their_crs_and_types(written: dict[str, Path]) -> None:
    assert sum(path.stat().st_size for path in written.values()) < 300 * 1024
    sites = gpd.read_file(written["sites"])
    sectors = gpd.read_file(written["sectors"])
    assert sites.crs.to_epsg() == sectors.crs.to_epsg() == 31370
    assert sites["can_house"].dtype == bool
    assert sites["forbidden"].dtype == bool
    assert np.issubdtype(sectors["population"].dtype, np.integer)
    # coordinates written with 2 decimals
    assert not re.search(r"\d+\.\d{3,}", written["streets"].read_text().split('"features"')[1])


def test_another_seed_gives_another_town(written: dict[str, Path], tmp_path: Path) -> None:
    other = write_demo_city(tmp_path, seed=7)
    assert other["sectors"].read_bytes() != written["sectors"].read_bytes()
    assert other["streets"].read_bytes() != written["streets"].read_bytes()


def test_sectors_tile_the_town_with_valid_figures(city: DemoCity) -> None:
    sectors = city.sectors
    assert 36 <= len(sectors) <= 48
    assert sectors["sector_id"].is_unique
    assert sectors["sector_id"].str.fullmatch(r"DEMO\d{2}[A-Z]").all()
    assert sectors["sector_id"].is_monotonic_increasing
    assert sectors["name"].is_unique
    assert 5 <= sectors["wijk"].nunique() <= 7
    assert sectors.is_valid.all()
    assert (sectors.geom_type == "Polygon").all()
    town = demo._town_boundary()
    assert sectors.union_all().symmetric_difference(town).area < 1.0  # m2: no gaps
    assert abs(sectors.area.sum() - town.area) < 1.0  # no overlaps
    xmin, ymin, xmax, ymax = sectors.total_bounds
    assert 99_900 < xmin < xmax < 106_100
    assert 189_900 < ymin < ymax < 196_100
    assert sectors["population"].between(300, 3_000).all()
    share = sectors["target"] / sectors["population"]
    assert share.between(0.075, 0.145).all()
    assert sectors["median_income"].between(18_000, 38_000).all()
    assert sectors["deprived_births_share"].between(0.0, 1.0).all()
    assert sectors["deprived_births_share"].max() > 0.3
    assert sectors["deprived_births_share"].min() < 0.06


def test_need_has_spatial_contrast(city: DemoCity) -> None:
    sectors = city.sectors
    correlation = np.corrcoef(sectors["median_income"], sectors["deprived_births_share"])[0, 1]
    assert correlation < -0.7
    xy = shapely.get_coordinates(sectors.representative_point().to_numpy())
    south = xy[:, 1] < demo._river_y(xy[:, 0])
    near_centre = np.hypot(xy[:, 0] - 103_000, xy[:, 1] - 193_000) < 1_500
    poor_bank = sectors["deprived_births_share"][south & near_centre].mean()
    rest = sectors["deprived_births_share"][~(south & near_centre)].mean()
    assert poor_bank > 2 * rest


def _parts(streets: gpd.GeoDataFrame) -> np.ndarray:
    return shapely.get_parts(streets.geometry.to_numpy())


def test_streets_meet_only_at_their_end_points(city: DemoCity) -> None:
    parts = _parts(city.streets)
    left, right = shapely.STRtree(parts).query(parts, predicate="intersects")
    pair = left < right
    left, right = left[pair], right[pair]
    meeting = shapely.intersection(parts[left], parts[right])

    def is_end(point: np.ndarray, lines: np.ndarray) -> np.ndarray:
        return shapely.equals(point, shapely.get_point(lines, 0)) | shapely.equals(
            point, shapely.get_point(lines, -1)
        )

    noded = is_end(meeting, parts[left]) & is_end(meeting, parts[right])
    assert noded.all(), f"{int((~noded).sum())} crossings are not segment end points"


def test_street_layer_schema(city: DemoCity) -> None:
    streets = city.streets
    assert list(streets.columns) == ["street_id", "name", "road_class", "oneway", "geometry"]
    assert streets["street_id"].tolist() == list(range(1, len(streets) + 1))
    assert set(streets["road_class"]) == {"primary", "secondary", "local", "path"}
    assert set(streets["oneway"]) == {"D", "FT", "TF", "N"}
    assert (streets.loc[streets["road_class"] == "path", "oneway"] == "N").all()
    assert set(streets.geom_type) == {"LineString", "MultiLineString"}
    one_way = streets[streets["oneway"].isin(["FT", "TF"])]
    assert len(one_way) >= 10
    assert one_way.distance(shapely.Point(103_000, 193_000)).max() < 1_000  # in the centre


def test_streets_are_connected_but_for_one_stray_segment(city: DemoCity) -> None:
    parts = _parts(city.streets)
    ends = np.vstack(
        [
            shapely.get_coordinates(shapely.get_point(parts, 0)),
            shapely.get_coordinates(shapely.get_point(parts, -1)),
        ]
    )
    _, node = np.unique(ends, axis=0, return_inverse=True)
    a, b = node[: parts.size], node[parts.size :]
    n = int(node.max()) + 1
    _, label = connected_components(
        sp.coo_matrix((np.ones(a.size), (a, b)), shape=(n, n)), directed=False
    )
    segments_per_component = np.sort(np.bincount(label[a]))
    assert segments_per_component.size == 2
    assert segments_per_component[0] == 1
    main = label[a] == np.argmax(np.bincount(label[a]))
    assert shapely.distance(parts[~main][0], shapely.union_all(parts[main])) > 150


def test_river_has_four_crossings(city: DemoCity) -> None:
    crossings = city.streets[city.streets.intersects(demo._river())]
    assert len(crossings) == 4
    assert crossings["name"].str.contains("brug").all()
    assert (crossings["road_class"] == "path").sum() == 1  # a footbridge


def test_sites(city: DemoCity) -> None:
    sites = city.sites
    assert 25 <= len(sites) <= 40
    assert sites["site_id"].is_unique
    assert sites["name"].is_unique
    assert sites["site_id"].str.fullmatch(r"S\d{2}").all()
    assert set(sites["type"]) <= {
        "school",
        "library",
        "community_centre",
        "childcare",
        "consultatiebureau",
        "vacant_building",
    }
    assert sites["can_antenne"].sum() > sites["can_house"].sum() > 3
    assert (sites["can_house"] | sites["can_antenne"]).all()
    for column, low, high in (("cost_house", 250_000, 700_000), ("cost_antenne", 40_000, 150_000)):
        assert sites[column].between(low, high).all()
        assert (sites[column] % 5_000 == 0).all()
    existing = sites["existing"]
    assert set(existing) == {"", "house", "antenne"}
    assert (existing == "house").sum() == 1
    assert 1 <= (existing == "antenne").sum() <= 2
    house = sites.geometry[existing == "house"].iloc[0]
    assert house.distance(shapely.Point(103_000, 193_000)) < 500  # in the old centre
    assert 1 <= sites["forbidden"].sum() <= 2
    assert not (sites["forbidden"] & (existing != "")).any()
    assert sites.within(city.sectors.union_all()).all()
    streets = city.streets[city.streets["road_class"] != "path"].union_all()
    assert (sites.distance(streets) < 20).all()


def test_demo_scenario_reads_the_committed_files() -> None:
    from planner.data.inputs import read_inputs  # noqa: PLC0415 - only this test needs the loader
    from planner.scenario import load_scenario  # noqa: PLC0415

    scenario_path = COMMITTED.parent.parent.parent / "scenarios" / "demo.yaml"
    inputs = read_inputs(load_scenario(scenario_path))
    assert len(inputs.sectors) == len(build_demo_city().sectors)
    assert (inputs.sites["existing_role"] == "house").sum() == 1


def test_main_writes_the_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert demo.main([str(tmp_path / "out"), "--seed", "2013"]) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    assert len(printed) == 1
    assert "out" in printed[0]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(DEMO_FILES.values())
