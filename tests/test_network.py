"""Tests of planner.travel.network: noding, directions, components, reprojection, OSM XML."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from pyproj import Transformer
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree
from shapely import LineString, MultiLineString, Point

from planner.errors import DataError, InputFileError, NetworkError
from planner.scenario import DataSpec, TravelSpec
from planner.travel.network import (
    LineOptions,
    Network,
    join_ends_to_middles,
    network_from_lines,
    network_from_osm_xml,
    read_network,
)

CRS = "EPSG:31370"
WALK = 4.5
CAR = 30.0


def layer(geoms: list[object], oneway: list[object] | None = None) -> gpd.GeoDataFrame:
    data = {} if oneway is None else {"oneway": oneway}
    return gpd.GeoDataFrame(data, geometry=geoms, crs=CRS)


def node_at(network: Network, x: float, y: float) -> int:
    distance, index = cKDTree(network.node_xy).query([x, y])
    assert distance < 1e-6, f"no node at ({x}, {y})"
    return int(index)


def shortest(network: Network, a: tuple[float, float], b: tuple[float, float]) -> float:
    times = dijkstra(network.matrix(), directed=True, indices=node_at(network, *a))
    return float(times[node_at(network, *b)])


def minutes(length_m: float, speed_kmh: float) -> float:
    return length_m / (speed_kmh * 1000 / 60)


# --- noding ----------------------------------------------------------------------------------


def test_ends_within_tolerance_join() -> None:
    lines = layer([LineString([(0, 0), (100, 0)]), LineString([(100.2, 0), (200, 0)])])
    network = network_from_lines(lines, mode="walk", speed_kmh=WALK)
    assert network.n_nodes == 3
    assert network.n_edges == 4
    assert network.dropped_nodes == 0
    np.testing.assert_allclose(sorted(network.node_xy[:, 0]), [0, 100.1, 200])
    assert shortest(network, (0, 0), (200, 0)) == pytest.approx(minutes(199.8, WALK))


def test_ends_beyond_tolerance_stay_apart() -> None:
    lines = layer([LineString([(0, 0), (100, 0)]), LineString([(105, 0), (200, 0)])])
    network = network_from_lines(lines, mode="walk", speed_kmh=WALK)
    # two components of two nodes each: one is kept, the other dropped
    assert network.n_nodes == 2
    assert network.n_edges == 2
    assert network.dropped_nodes == 2
    assert network.dropped_edges == 2


def test_chain_of_close_ends_is_one_node() -> None:
    lines = layer(
        [
            LineString([(0, 0), (100, 0)]),
            LineString([(100.4, 0), (100.4, 100)]),
            LineString([(100.8, 0), (200, 0)]),
        ]
    )
    network = network_from_lines(lines, mode="walk", speed_kmh=WALK)
    assert network.n_nodes == 4
    assert network.n_edges == 6


def test_t_junction_in_the_middle_is_joined(caplog: pytest.LogCaptureFixture) -> None:
    # The stem ends 0.3 m from the middle of the bar, which has no vertex there: the bar is
    # split at the stem's end, (100, 0.3), and the two meet.
    lines = layer([LineString([(0, 0), (200, 0)]), LineString([(100, 0.3), (100, 100)])])
    with caplog.at_level("INFO", logger="planner.travel.lines"):
        network = network_from_lines(lines, mode="walk", speed_kmh=WALK)
    assert network.n_nodes == 4
    assert network.n_edges == 6
    assert network.dropped_nodes == 0
    half_bar = math.hypot(100, 0.3)
    assert shortest(network, (0, 0), (100, 100)) == pytest.approx(minutes(half_bar + 99.7, WALK))
    assert shortest(network, (0, 0), (200, 0)) == pytest.approx(minutes(2 * half_bar, WALK))
    assert "joined 1 segment ends to the middle of another segment (within 0.5 m)" in caplog.text


def test_t_junction_on_a_shared_vertex_is_joined() -> None:
    # The bar has a vertex where the stem ends, but a segment of its own from end to end
    lines = layer([LineString([(0, 0), (100, 0), (200, 0)]), LineString([(100, 0), (100, 100)])])
    network = network_from_lines(lines, mode="walk", speed_kmh=WALK)
    assert network.n_nodes == 4
    assert sorted(network.edge_length_m) == [100.0] * 6


def test_t_junction_joining_can_be_switched_off() -> None:
    lines = layer([LineString([(0, 0), (200, 0)]), LineString([(100, 0.3), (100, 100)])])
    network = network_from_lines(
        lines, mode="walk", speed_kmh=WALK, options=LineOptions(join_ends=False)
    )
    assert network.n_nodes == 2
    assert network.dropped_nodes == 2


def test_end_farther_than_the_tolerance_is_not_joined() -> None:
    lines = layer([LineString([(0, 0), (200, 0)]), LineString([(100, 0.6), (100, 100)])])
    network = network_from_lines(lines, mode="walk", speed_kmh=WALK)
    assert network.n_nodes == 2
    assert network.dropped_nodes == 2


def test_crossing_without_a_shared_vertex_stays_apart() -> None:
    # a bridge over a street: no end near the other line, no vertex in common
    lines = layer([LineString([(0, 0), (200, 0)]), LineString([(100, -100), (100, 100)])])
    network = network_from_lines(lines, mode="walk", speed_kmh=WALK)
    assert network.n_nodes == 2
    assert network.dropped_nodes == 2


def test_joined_one_way_pieces_keep_their_direction() -> None:
    # Cars, 500 m/min. The bar (0,0)->(200,0) is one-way along its drawing; the stem ends
    # 0.3 m from its middle; the way back from (200,0) to (0,0) is two-way round (200,-100),
    # (0,-100): 400 m.
    lines = layer(
        [
            LineString([(0, 0), (200, 0)]),
            LineString([(100, 0.3), (100, 100)]),
            LineString([(200, 0), (200, -100), (0, -100), (0, 0)]),
        ],
        oneway=["FT", "D", "D"],
    )
    network = network_from_lines(lines, mode="car", speed_kmh=CAR, oneway_column="oneway")
    half_bar = math.hypot(100, 0.3)
    assert shortest(network, (0, 0), (100, 0.3)) == pytest.approx(minutes(half_bar, CAR))
    back = half_bar + 400  # on along the bar, then round
    assert shortest(network, (100, 0.3), (0, 0)) == pytest.approx(minutes(back, CAR))


def test_join_ends_to_middles_splits_once_per_end() -> None:
    parts = np.array(
        [
            LineString([(0, 0), (300, 0)]),
            LineString([(100, 0.2), (100, 50)]),
            LineString([(200, -0.1), (200, -50)]),
        ],
        dtype=object,
    )
    pieces, (names,), joined = join_ends_to_middles(parts, [np.array(["bar", "a", "b"])], 0.5)
    assert joined == 2
    assert names.tolist() == ["bar", "bar", "bar", "a", "b"]
    np.testing.assert_allclose(
        [p.coords[-1] for p in pieces[:3]], [(100, 0.2), (200, -0.1), (300, 0)]
    )


def test_multilinestring_parts_are_segments() -> None:
    lines = layer(
        [
            MultiLineString([[(0, 0), (50, 0)], [(50, 0), (50, 80)]]),
            LineString([(50, 80), (0, 80)]),
        ]
    )
    network = network_from_lines(lines, mode="walk", speed_kmh=WALK)
    assert network.n_nodes == 4
    assert network.n_edges == 6
    assert sorted(network.edge_length_m) == [50, 50, 50, 50, 80, 80]
    assert shortest(network, (0, 0), (0, 80)) == pytest.approx(minutes(180, WALK))


def test_length_follows_the_line_not_the_chord() -> None:
    lines = layer([LineString([(0, 0), (0, 30), (40, 30)])])
    network = network_from_lines(lines, mode="bike", speed_kmh=15)
    np.testing.assert_allclose(network.edge_length_m, [70, 70])
    np.testing.assert_allclose(network.edge_minutes, [minutes(70, 15)] * 2)


def test_matrix_takes_fastest_of_parallel_edges() -> None:
    lines = layer(
        [LineString([(0, 0), (100, 0)]), LineString([(0, 0), (50, 50), (100, 0)])],
    )
    network = network_from_lines(lines, mode="walk", speed_kmh=WALK)
    assert network.n_edges == 4
    matrix = network.matrix()
    assert matrix.nnz == 2
    a, b = node_at(network, 0, 0), node_at(network, 100, 0)
    assert matrix[a, b] == pytest.approx(minutes(100, WALK))
    assert matrix[b, a] == pytest.approx(minutes(100, WALK))


def test_loops_and_zero_length_lines_are_left_out() -> None:
    lines = layer(
        [
            LineString([(0, 0), (100, 0)]),
            LineString([(100, 0), (150, 50), (100, 50), (100, 0)]),  # loop back to its start
            LineString([(0, 0), (0, 0)]),  # zero length
        ]
    )
    network = network_from_lines(lines, mode="walk", speed_kmh=WALK)
    assert network.n_nodes == 2
    assert network.n_edges == 2


# --- directions ------------------------------------------------------------------------------


@pytest.fixture
def one_way_ring() -> gpd.GeoDataFrame:
    """A 100 m square driven counter-clockwise, a 'N' diagonal and a one-way spur.

    (0,100) ◀── (100,100)
       │            ▲
       ▼            │
     (0,0) ───▶ (100,0) ───▶ (200,0)   spur: one-way, a dead end for cars
    """
    return layer(
        [
            LineString([(0, 0), (100, 0)]),  # FT: along
            LineString([(100, 0), (100, 100)]),  # FT
            LineString([(0, 100), (100, 100)]),  # TF: drawn west->east, driven east->west
            LineString([(0, 100), (0, 0)]),  # ft (lower case still counts)
            LineString([(0, 0), (100, 100)]),  # N: closed to cars
            LineString([(100, 0), (200, 0)]),  # FT spur
        ],
        oneway=["FT", "FT", "TF", " ft ", "N", "FT"],
    )


def test_car_respects_one_way(one_way_ring: gpd.GeoDataFrame) -> None:
    network = network_from_lines(one_way_ring, mode="car", speed_kmh=CAR, oneway_column="oneway")
    assert network.n_nodes == 4
    assert network.n_edges == 4
    assert shortest(network, (0, 0), (100, 0)) == pytest.approx(minutes(100, CAR))
    assert shortest(network, (100, 0), (0, 0)) == pytest.approx(minutes(300, CAR))
    # the diagonal is closed to cars: (0,0) to (100,100) goes round
    assert shortest(network, (0, 0), (100, 100)) == pytest.approx(minutes(200, CAR))
    assert shortest(network, (100, 100), (0, 0)) == pytest.approx(minutes(200, CAR))


def test_car_keeps_strongly_connected_component(one_way_ring: gpd.GeoDataFrame) -> None:
    network = network_from_lines(one_way_ring, mode="car", speed_kmh=CAR, oneway_column="oneway")
    # the one-way spur's end (200,0) can be reached but not left
    assert network.dropped_nodes == 1
    assert network.dropped_edges == 1
    assert not np.any(np.isclose(network.node_xy[:, 0], 200))


def test_walk_ignores_one_way_and_closure(one_way_ring: gpd.GeoDataFrame) -> None:
    network = network_from_lines(one_way_ring, mode="walk", speed_kmh=WALK, oneway_column="oneway")
    assert network.n_nodes == 5
    assert network.n_edges == 12
    assert network.dropped_nodes == 0
    assert shortest(network, (100, 0), (0, 0)) == pytest.approx(minutes(100, WALK))
    assert shortest(network, (0, 0), (100, 100)) == pytest.approx(minutes(100 * math.sqrt(2), WALK))
    assert shortest(network, (200, 0), (0, 0)) == pytest.approx(minutes(200, WALK))


def test_unknown_and_missing_directions_are_two_way() -> None:
    lines = layer(
        [LineString([(0, 0), (100, 0)]), LineString([(100, 0), (100, 100)])],
        oneway=[None, "D"],
    )
    network = network_from_lines(lines, mode="car", speed_kmh=CAR, oneway_column="oneway")
    assert network.n_edges == 4


def test_only_closed_streets_leave_no_car_network() -> None:
    lines = layer([LineString([(0, 0), (100, 0)])], oneway=["N"])
    with pytest.raises(NetworkError, match="no street is usable for mode 'car'"):
        network_from_lines(lines, mode="car", speed_kmh=CAR, oneway_column="oneway")


# --- components ------------------------------------------------------------------------------


def test_largest_component_kept_and_drops_counted() -> None:
    main = [
        LineString([(0, 0), (100, 0)]),
        LineString([(100, 0), (200, 0)]),
        LineString([(200, 0), (200, 100)]),
    ]
    island = [LineString([(1000, 0), (1100, 0)]), LineString([(1100, 0), (1100, 50)])]
    network = network_from_lines(layer(main + island), mode="walk", speed_kmh=WALK)
    assert network.n_nodes == 4
    assert network.n_edges == 6
    assert network.dropped_nodes == 3
    assert network.dropped_edges == 4
    assert network.node_xy[:, 0].max() == 200


def test_logs_what_was_dropped(caplog: pytest.LogCaptureFixture) -> None:
    lines = layer([LineString([(0, 0), (0, 300)]), LineString([(1000, 0), (1000, 200)])])
    with caplog.at_level("INFO", logger="planner.travel.network"):
        network_from_lines(lines, mode="walk", speed_kmh=WALK, source="lines: x.gpkg")
    assert "dropped 2 nodes, 2 directed edges (0.2 km of street)" in caplog.text


def test_same_input_same_arrays() -> None:
    rng = np.random.default_rng(7)
    xs = np.round(rng.uniform(0, 1000, size=(60, 2)), -1)
    lines = layer([LineString([tuple(a), tuple(b)]) for a, b in itertools.pairwise(xs)])
    first = network_from_lines(lines, mode="walk", speed_kmh=WALK)
    second = network_from_lines(lines, mode="walk", speed_kmh=WALK)
    np.testing.assert_array_equal(first.node_xy, second.node_xy)
    np.testing.assert_array_equal(first.edge_from, second.edge_from)
    np.testing.assert_array_equal(first.edge_to, second.edge_to)


# --- CRS and errors --------------------------------------------------------------------------


def test_reprojects_from_wgs84() -> None:
    lines = layer([LineString([(104000, 194000), (104300, 194400)])])
    network = network_from_lines(lines.to_crs("EPSG:4326"), mode="walk", speed_kmh=WALK)
    assert network.crs == CRS
    np.testing.assert_allclose(
        network.node_xy[np.argsort(network.node_xy[:, 0])],
        [[104000, 194000], [104300, 194400]],
        atol=1e-3,
    )
    np.testing.assert_allclose(network.edge_length_m, [500, 500], atol=1e-3)


def test_missing_crs_is_an_error() -> None:
    lines = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (1, 0)])])
    with pytest.raises(DataError, match="has no CRS"):
        network_from_lines(lines, mode="walk", speed_kmh=WALK)


def test_geographic_target_crs_is_an_error() -> None:
    lines = layer([LineString([(0, 0), (100, 0)])])
    with pytest.raises(DataError, match="not projected"):
        network_from_lines(lines, mode="walk", speed_kmh=WALK, crs="EPSG:4326")


def test_missing_oneway_column_names_it_and_the_available_ones() -> None:
    lines = layer([LineString([(0, 0), (100, 0)])], oneway=["FT"]).rename(
        columns={"oneway": "rijrichting"}
    )
    with pytest.raises(DataError, match=r"'oneway'.*rijrichting"):
        network_from_lines(lines, mode="car", speed_kmh=CAR, oneway_column="oneway")


def test_empty_layer_is_an_error() -> None:
    with pytest.raises(NetworkError, match="empty"):
        network_from_lines(layer([]), mode="walk", speed_kmh=WALK)


def test_layer_without_lines_is_an_error() -> None:
    with pytest.raises(NetworkError, match="no LineString"):
        network_from_lines(layer([Point(0, 0), None]), mode="walk", speed_kmh=WALK)


def test_zero_length_lines_only_is_an_error() -> None:
    with pytest.raises(NetworkError, match="zero length"):
        network_from_lines(layer([LineString([(5, 5), (5, 5)])]), mode="walk", speed_kmh=WALK)


def test_points_mixed_with_lines_are_skipped(caplog: pytest.LogCaptureFixture) -> None:
    lines = layer([LineString([(0, 0), (100, 0)]), Point(3, 3)])
    with caplog.at_level("WARNING", logger="planner.travel.network"):
        network = network_from_lines(lines, mode="walk", speed_kmh=WALK)
    assert network.n_edges == 2
    assert "skipped 1 of 2 features" in caplog.text


def test_bad_mode_and_speed_are_errors() -> None:
    lines = layer([LineString([(0, 0), (100, 0)])])
    with pytest.raises(NetworkError, match="2 problems") as info:
        network_from_lines(lines, mode="boat", speed_kmh=0)
    assert "unknown travel mode 'boat'" in str(info.value)


# --- OSM XML ---------------------------------------------------------------------------------

# A ~100 m square near Gent's Korenmarkt: A(1)-B(2)-C(3)-D(4) residential two-way, a one-way
# diagonal A->C, a footway D->E(5), and a building (no highway tag).
OSM_NODES = {
    1: (51.0540, 3.7200),
    2: (51.0540, 3.7214),
    3: (51.0549, 3.7214),
    4: (51.0549, 3.7200),
    5: (51.0558, 3.7200),
    6: (51.0530, 3.7230),
    7: (51.0530, 3.7232),
    8: (51.0532, 3.7232),
}
OSM_WAYS = {
    10: ([1, 2, 3], {"highway": "residential"}),
    11: ([3, 4, 1], {"highway": "residential"}),
    12: ([1, 3], {"highway": "residential", "oneway": "yes"}),
    13: ([4, 5], {"highway": "footway"}),
    14: ([6, 7, 8, 6], {"building": "yes"}),
}


def write_osm(path: Path) -> Path:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    lines += [
        f'  <node id="{i}" version="1" lat="{lat}" lon="{lon}"/>'
        for i, (lat, lon) in OSM_NODES.items()
    ]
    for way_id, (refs, tags) in OSM_WAYS.items():
        lines.append(f'  <way id="{way_id}" version="1">')
        lines += [f'    <nd ref="{ref}"/>' for ref in refs]
        lines += [f'    <tag k="{k}" v="{v}"/>' for k, v in tags.items()]
        lines.append("  </way>")
    lines.append("</osm>")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def osm_xy(node_id: int) -> tuple[float, float]:
    lat, lon = OSM_NODES[node_id]
    x, y = Transformer.from_crs("EPSG:4326", CRS, always_xy=True).transform(lon, lat)
    return float(x), float(y)


def osm_shortest(network: Network, a: int, b: int) -> float:
    return shortest_near(network, osm_xy(a), osm_xy(b))


def shortest_near(network: Network, a: tuple[float, float], b: tuple[float, float]) -> float:
    tree = cKDTree(network.node_xy)
    (da, ia), (db, ib) = tree.query(a), tree.query(b)
    assert da < 0.01
    assert db < 0.01
    return float(dijkstra(network.matrix(), directed=True, indices=ia)[ib])


def geodesic_m(a: int, b: int) -> float:
    (lat1, lon1), (lat2, lon2) = OSM_NODES[a], OSM_NODES[b]
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    c = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_009 * math.asin(math.sqrt(c))


def test_osm_xml_car_respects_one_way(tmp_path: Path) -> None:
    path = write_osm(tmp_path / "tiny.osm")
    network = network_from_osm_xml(path, mode="car", speed_kmh=CAR)
    assert network.source == "osm_xml: tiny.osm"
    assert network.crs == CRS
    # simplified: only A and C remain (B and D are mid-way points); the footway is not driven
    assert network.n_nodes == 2
    assert network.n_edges == 5
    diagonal = geodesic_m(1, 3)
    around = geodesic_m(1, 2) + geodesic_m(2, 3)
    assert osm_shortest(network, 1, 3) == pytest.approx(minutes(diagonal, CAR), rel=1e-3)
    assert osm_shortest(network, 3, 1) == pytest.approx(minutes(around, CAR), rel=1e-3)


def test_osm_xml_street_lines_keep_the_shape_and_both_directions(tmp_path: Path) -> None:
    path = write_osm(tmp_path / "tiny.osm")
    network = network_from_osm_xml(path, mode="car", speed_kmh=CAR)
    lines = network.street_lines()
    # A-B-C and C-D-A are two-way (one line, two edges each); the diagonal A->C is one-way
    assert lines.geometry.shape == (3,)
    ways = sorted(
        (int(np.isfinite(a)) + int(np.isfinite(b)))
        for a, b in zip(lines.along_minutes, lines.against_minutes, strict=True)
    )
    assert ways == [1, 2, 2]
    # the simplified ways still pass through B and D (their vertices, not nodes of the graph)
    for mid in (2, 4):
        assert min(g.distance(Point(osm_xy(mid))) for g in lines.geometry) < 0.01


def test_osm_xml_walk_is_two_way_and_uses_footways(tmp_path: Path) -> None:
    path = write_osm(tmp_path / "tiny.osm")
    network = network_from_osm_xml(path, mode="walk", speed_kmh=WALK)
    diagonal = geodesic_m(1, 3)
    assert osm_shortest(network, 3, 1) == pytest.approx(minutes(diagonal, WALK), rel=1e-3)
    footway = geodesic_m(4, 5)
    assert osm_shortest(network, 5, 4) == pytest.approx(minutes(footway, WALK), rel=1e-3)
    # the building is not a street
    tree = cKDTree(network.node_xy)
    assert tree.query(osm_xy(6))[0] > 50


def test_osm_xml_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="does not exist"):
        network_from_osm_xml(tmp_path / "none.osm", mode="walk", speed_kmh=WALK)


def test_osm_xml_broken_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.osm"
    path.write_text('<osm version="0.6"><node id="1" lat="51" lon="3"', encoding="utf-8")
    with pytest.raises(DataError, match="not valid OSM XML"):
        network_from_osm_xml(path, mode="walk", speed_kmh=WALK)


def test_osm_xml_without_usable_ways(tmp_path: Path) -> None:
    path = tmp_path / "nothing.osm"
    path.write_text(
        '<osm version="0.6"><node id="1" version="1" lat="51" lon="3"/>'
        '<node id="2" version="1" lat="51.001" lon="3"/>'
        '<way id="3" version="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="footway"/></way>'
        "</osm>",
        encoding="utf-8",
    )
    with pytest.raises(NetworkError, match="no way in the file may be used by mode 'car'"):
        network_from_osm_xml(path, mode="car", speed_kmh=CAR)


# --- read_network ----------------------------------------------------------------------------


def data_spec(network: Path, **kwargs: object) -> DataSpec:
    return DataSpec(sectors=Path("s.gpkg"), sites=Path("t.gpkg"), network=network, **kwargs)


def test_read_network_lines(tmp_path: Path, one_way_ring: gpd.GeoDataFrame) -> None:
    path = tmp_path / "streets.gpkg"
    one_way_ring.to_file(path)
    network = read_network(data_spec(path), TravelSpec(mode="car"))
    assert network.source == "lines: streets.gpkg"
    assert network.n_edges == 4
    assert network.speed_kmh == CAR


def test_read_network_default_oneway_column_optional_for_walk(tmp_path: Path) -> None:
    path = tmp_path / "streets.geojson"
    layer([LineString([(0, 0), (100, 0)])]).to_file(path)
    network = read_network(data_spec(path), TravelSpec(mode="walk"))
    assert network.n_edges == 2
    with pytest.raises(DataError, match="one-way column 'oneway'"):
        read_network(data_spec(path), TravelSpec(mode="car"))
    with pytest.raises(DataError, match="one-way column 'richting'"):
        read_network(data_spec(path, oneway_column="richting"), TravelSpec(mode="walk"))


def test_read_network_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"network file streets\.gpkg does not exist"):
        read_network(data_spec(tmp_path / "streets.gpkg"), TravelSpec())


def test_read_network_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "streets.gpkg"
    path.write_bytes(b"this is not a geopackage")
    with pytest.raises(InputFileError, match="cannot be read as a line layer"):
        read_network(data_spec(path), TravelSpec())


def test_read_network_osm_xml(tmp_path: Path) -> None:
    path = write_osm(tmp_path / "city.osm")
    network = read_network(data_spec(path, network_format="osm_xml"), TravelSpec(mode="car"))
    assert network.source == "osm_xml: city.osm"
    assert network.n_edges == 5


def test_read_network_table_without_geometry(tmp_path: Path) -> None:
    path = tmp_path / "streets.csv"
    path.write_text("id,name\n1,Korenmarkt\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="has no geometry column"):
        read_network(data_spec(path), TravelSpec())


def test_equal_components_tie_goes_to_the_first_drawn() -> None:
    lines = layer([LineString([(500, 0), (600, 0)]), LineString([(0, 0), (100, 0)])])
    for mode in ("walk", "car"):
        network = network_from_lines(lines, mode=mode, speed_kmh=WALK)
        np.testing.assert_allclose(sorted(network.node_xy[:, 0]), [500, 600])


def test_one_way_streets_that_never_lead_back_are_an_error() -> None:
    lines = layer(
        [LineString([(0, 0), (100, 0)]), LineString([(100, 0), (200, 0)])], oneway=["FT", "FT"]
    )
    with pytest.raises(NetworkError, match="never lead back"):
        network_from_lines(lines, mode="car", speed_kmh=CAR, oneway_column="oneway")
