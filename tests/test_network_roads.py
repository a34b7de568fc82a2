"""Tests of road classes, direction values and noding checks in planner.travel.network."""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree
from shapely import LineString

from planner.errors import DataError, NetworkError
from planner.scenario import DataSpec, TravelSpec, scenario_from_dict
from planner.travel.network import (
    LineOptions,
    Network,
    OnewayValues,
    RoadClasses,
    line_options,
    network_from_lines,
    noding_report,
    read_network,
)

CRS = "EPSG:31370"


def node_at(network: Network, x: float, y: float) -> int:
    distance, index = cKDTree(network.node_xy).query([x, y])
    assert distance < 1e-6, f"no node at ({x}, {y})"
    return int(index)


def shortest(network: Network, a: tuple[float, float], b: tuple[float, float]) -> float:
    times = dijkstra(network.matrix(), directed=True, indices=node_at(network, *a))
    return float(times[node_at(network, *b)])


def roads() -> gpd.GeoDataFrame:
    """A motorway A-B (class 0), a local detour A-C-B (class 7), a path B-D (class 10)."""
    return gpd.GeoDataFrame(
        {
            "functional_roadclass": ["0", "7", "7", "10"],
            "rijrichting": ["D", "D", "FT", "N"],
        },
        geometry=[
            LineString([(0, 0), (1000, 0)]),
            LineString([(0, 0), (500, 500)]),
            LineString([(500, 500), (1000, 0)]),
            LineString([(1000, 0), (1000, 300)]),
        ],
        crs=CRS,
    )


CLASSES = {"0": 100.0, "7": 30.0}


def test_class_speeds_set_car_times() -> None:
    options = LineOptions(road_classes=RoadClasses("functional_roadclass", CLASSES, ("10",)))
    network = network_from_lines(
        roads(), mode="car", speed_kmh=30, oneway_column="rijrichting", options=options
    )
    assert shortest(network, (0, 0), (1000, 0)) == pytest.approx(1000 / (100 * 1000 / 60))
    assert network.n_nodes == 3  # the path to D is not for cars


def test_motorway_excluded_for_walking() -> None:
    options = LineOptions(road_classes=RoadClasses("functional_roadclass", {}, ("0",)))
    network = network_from_lines(roads(), mode="walk", speed_kmh=4.5, options=options)
    detour = 2 * np.hypot(500, 500)
    assert shortest(network, (0, 0), (1000, 0)) == pytest.approx(detour / 75.0)
    assert shortest(network, (1000, 0), (1000, 300)) == pytest.approx(300 / 75.0)  # path: yes


def test_class_values_are_compared_as_text() -> None:
    lines = roads()
    lines["functional_roadclass"] = [0.0, 7.0, 7.0, np.nan]  # read as floats from some files
    options = LineOptions(road_classes=RoadClasses("functional_roadclass", {"7": 10.0}, ("0",)))
    network = network_from_lines(lines, mode="bike", speed_kmh=15, options=options)
    detour = 2 * np.hypot(500, 500)
    assert shortest(network, (0, 0), (1000, 0)) == pytest.approx(detour / (10 * 1000 / 60))
    # unknown class (NaN) keeps the mode's speed
    assert shortest(network, (1000, 0), (1000, 300)) == pytest.approx(300 / 250.0)


def test_custom_direction_values() -> None:
    a, b, c = (0.0, 0.0), (100.0, 0.0), (100.0, 100.0)
    lines = gpd.GeoDataFrame(
        {"richting": ["heen", "terug", " HEEN ", "dicht"]},
        geometry=[
            LineString([a, b]),  # along the drawing: a -> b
            LineString([c, b]),  # against the drawing: b -> c
            LineString([c, a]),  # along: c -> a
            LineString([a, (0, -100)]),  # closed to cars
        ],
        crs=CRS,
    )
    values = OnewayValues(forward=("heen",), backward=("terug",), closed=("dicht",))
    network = network_from_lines(
        lines,
        mode="car",
        speed_kmh=30,
        oneway_column="richting",
        options=LineOptions(oneway_values=values),
    )
    assert network.n_nodes == 3
    assert shortest(network, a, b) == pytest.approx(100 / 500)
    assert shortest(network, b, a) == pytest.approx((100 + np.hypot(100, 100)) / 500)


def test_missing_class_column_names_the_available_ones() -> None:
    options = LineOptions(road_classes=RoadClasses("frc", {}, ()))
    with pytest.raises(DataError, match=r"no road-class column 'frc'.*functional_roadclass"):
        network_from_lines(roads(), mode="walk", speed_kmh=4.5, options=options)


def test_missing_direction_column_for_cars_says_how_to_fix() -> None:
    lines = roads().drop(columns="rijrichting")
    with pytest.raises(DataError, match=r"no one-way column 'rijrichting'.*or to null"):
        network_from_lines(lines, mode="car", speed_kmh=30, oneway_column="rijrichting")
    network = network_from_lines(lines, mode="car", speed_kmh=30, oneway_column=None)
    assert network.n_edges == 8  # without the column every street is two-way


def crossing_lines(n: int = 6) -> gpd.GeoDataFrame:
    """A grid of long lines that cross without being split: not noded."""
    lines = [LineString([(0, k * 100.0), (1000, k * 100.0)]) for k in range(n)]
    lines += [LineString([(k * 150.0 + 50, -50), (k * 150.0 + 50, 600)]) for k in range(n)]
    return gpd.GeoDataFrame({"rijrichting": ["FT"] * n + ["D"] * n}, geometry=lines, crs=CRS)


def test_layer_that_is_not_noded_is_reported() -> None:
    with pytest.raises(NetworkError, match=r"does not look noded: 100 % of the 24 segment ends"):
        network_from_lines(crossing_lines(), mode="walk", speed_kmh=4.5)


def test_split_crossings_nodes_the_layer() -> None:
    network = network_from_lines(
        crossing_lines(),
        mode="walk",
        speed_kmh=4.5,
        options=LineOptions(split_crossings=True),
    )
    assert network.dropped_nodes == 0
    # from the start of the first horizontal line to the end of the last vertical one
    assert np.isfinite(shortest(network, (50, 0), (800, 500)))


def test_split_pieces_keep_their_direction() -> None:
    lines = gpd.GeoDataFrame(
        {"rijrichting": ["TF", "D"]},
        geometry=[
            LineString([(1000, 0), (0, 0)]),  # drawn right to left, one-way against: left->right
            LineString([(500, -500), (500, 500)]),
        ],
        crs=CRS,
    )
    lines = gpd.GeoDataFrame(
        pd_concat([lines, gpd.GeoDataFrame(
            {"rijrichting": ["D", "D"]},
            geometry=[LineString([(0, 0), (0, 500), (500, 500)]),
                      LineString([(1000, 0), (1000, 500), (500, 500)])],
            crs=CRS,
        )]),
        crs=CRS,
    )  # fmt: skip
    network = network_from_lines(
        lines,
        mode="car",
        speed_kmh=30,
        oneway_column="rijrichting",
        options=LineOptions(split_crossings=True),
    )
    # along the one-way street from (0,0) to (500,0): 500 m; back only by the loop
    assert shortest(network, (0, 0), (500, 0)) == pytest.approx(500 / 500)
    assert shortest(network, (500, 0), (0, 0)) > 1.5


def pd_concat(frames: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    import pandas as pd  # noqa: PLC0415

    return pd.concat(frames, ignore_index=True)


def test_poorly_noded_layer_warns(caplog: pytest.LogCaptureFixture) -> None:
    good = [LineString([(k * 100.0, 0), ((k + 1) * 100.0, 0)]) for k in range(10)]
    stray = [LineString([(k * 100.0, 500), (k * 100.0 + 50, 520)]) for k in range(3)]
    lines = gpd.GeoDataFrame(geometry=good + stray, crs=CRS)
    with caplog.at_level(logging.WARNING, logger="planner.travel.network"):
        network_from_lines(lines, mode="walk", speed_kmh=4.5)
    assert "may be poorly noded" in caplog.text


def test_noding_report_figures() -> None:
    report = noding_report(np.array([0, 1, 3]), np.array([1, 2, 4]), np.array([100.0, 100.0, 50.0]))
    assert report.nodes == 5
    assert report.components == 2
    assert report.dangling_share == pytest.approx(4 / 5)
    assert report.largest_share == pytest.approx(200 / 250)


# --- scenario keys ----------------------------------------------------------------------------


def test_scenario_keys_reach_the_network(tmp_path: Path) -> None:
    path = tmp_path / "roads.gpkg"
    roads().to_file(path)
    raw = {
        "name": "x",
        "data": {
            "sectors": "s.gpkg",
            "sites": "t.gpkg",
            "network": str(path),
            "oneway_column": "rijrichting",
            "road_class_column": "functional_roadclass",
        },
        "need": {"indicators": [{"column": "a", "direction": "higher_is_needier"}]},
        "travel": {
            "mode": "car",
            "class_speeds_kmh": {"car": {0: 100, 7: 30}},  # YAML reads these keys as numbers
            "excluded_classes": {"walk": [0], "car": [10]},
        },
        "budget": {"amount_eur": 0},
    }
    scenario = scenario_from_dict(raw, base_dir=tmp_path)
    options = line_options(scenario.data, scenario.travel)
    assert options.road_classes is not None
    assert dict(options.road_classes.speeds_kmh) == {"0": 100.0, "7": 30.0}
    assert tuple(options.road_classes.excluded) == ("10",)
    car = read_network(scenario.data, scenario.travel)
    assert shortest(car, (0, 0), (1000, 0)) == pytest.approx(0.6, rel=1e-3)


def test_class_settings_without_a_class_column_warn(caplog: pytest.LogCaptureFixture) -> None:
    data = DataSpec(sectors=Path("s"), sites=Path("t"), network=Path("n"))
    travel = TravelSpec(excluded_classes={"walk": ("0",)})
    with caplog.at_level(logging.WARNING, logger="planner.travel.network"):
        assert line_options(data, travel).road_classes is None
    assert "data.road_class_column is not" in caplog.text
