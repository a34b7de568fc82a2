"""Tests of planner.travel.matrices: snapping and travel-time matrices, checked by hand."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra
from shapely import LineString

from planner.errors import DataError
from planner.travel.matrices import Snap, snap_points, travel_times
from planner.travel.network import Network, network_from_lines

# 6 km/h is 100 m per minute: every time below is metres / 100
SPEED = 6.0


def make_network(
    node_xy: list[tuple[float, float]],
    edges: list[tuple[int, int, float]],
    *,
    two_way: bool = True,
) -> Network:
    pairs = edges + [(b, a, length) for a, b, length in edges] if two_way else edges
    frm, to, length = (np.array(column) for column in zip(*pairs, strict=True))
    return Network(
        mode="walk" if two_way else "car",
        crs="EPSG:31370",
        speed_kmh=SPEED,
        node_xy=np.array(node_xy, dtype=float),
        edge_from=frm.astype(np.int64),
        edge_to=to.astype(np.int64),
        edge_length_m=length.astype(float),
        edge_minutes=length.astype(float) / 100.0,
        dropped_nodes=0,
        dropped_edges=0,
        source="test",
    )


@pytest.fixture
def grid() -> Network:
    """3 x 3 grid of two-way streets, 100 m apart; node k is at (100 * (k % 3), 100 * (k // 3))."""
    xy = [(100.0 * (k % 3), 100.0 * (k // 3)) for k in range(9)]
    edges = [(k, k + 1, 100.0) for k in range(9) if k % 3 < 2]
    edges += [(k, k + 3, 100.0) for k in range(6)]
    return make_network(xy, edges)


@pytest.fixture
def ring() -> Network:
    """One-way square 0 -> 1 -> 2 -> 3 -> 0, sides of 100 m."""
    xy = [(0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0)]
    return make_network(
        xy, [(0, 1, 100.0), (1, 2, 100.0), (2, 3, 100.0), (3, 0, 100.0)], two_way=False
    )


def test_snap_points(grid: Network) -> None:
    lines = grid.street_lines()
    snap = snap_points(grid, np.array([[10.0, 0.0], [190.0, 130.0], [100.0, 100.0]]))
    # (10, 0) lies on the street 0-1, a tenth of the way; (190, 130) is 10 m beside street
    # 5-8, 30 m up it; (100, 100) is node 4, the end of street 1-4 (the lowest of its four)
    np.testing.assert_array_equal(lines.start[snap.line], [0, 5, 1])
    np.testing.assert_array_equal(lines.end[snap.line], [1, 8, 4])
    np.testing.assert_allclose(snap.fraction, [0.1, 0.3, 1.0])
    np.testing.assert_allclose(snap.distance_m, [0.0, 10.0, 0.0])


def test_grid_times_by_hand(grid: Network) -> None:
    # sector 0 on street 0-1, 10 m from node 0; sector 1 on street 4-7, 20 m up from node 4;
    # site 0 30 m beyond node 8 (snaps to node 8), site 1 40 m below node 0 (snaps to node 0)
    sectors = np.array([[10.0, 0.0], [100.0, 120.0]])
    sites = np.array([[200.0, 230.0], [0.0, -40.0]])
    times = travel_times(grid, sectors, sites)
    expected = np.array(
        [
            # 90 m to node 1, 300 m to node 8, 30 m walk | 10 m back along 0-1, 40 m walk
            [0.9 + 3.0 + 0.3, 0.1 + 0.4],
            # 80 m to node 7, 100 m to node 8, 30 m walk | 20 m to node 4, 200 m to 0, 40 m
            [0.8 + 1.0 + 0.3, 0.2 + 2.0 + 0.4],
        ]
    )
    np.testing.assert_allclose(times.sector_site, expected)
    np.testing.assert_allclose(times.site_site, [[0.0, 0.3 + 4.0 + 0.4], [0.4 + 4.0 + 0.3, 0.0]])
    np.testing.assert_allclose(times.sector_snap_m, [0.0, 0.0])
    np.testing.assert_allclose(times.site_snap_m, [30.0, 40.0])
    assert times.unreachable_pairs == 0


def test_points_near_a_junction_meet_through_it(grid: Network) -> None:
    # 5 m up street 4-7 and 5 m along street 3-4 from node 4: 5 m + 5 m of street
    times = travel_times(grid, np.array([[100.0, 105.0]]), np.array([[95.0, 100.0]]))
    assert times.sector_site[0, 0] == pytest.approx(0.05 + 0.05)
    np.testing.assert_allclose(times.sector_snap_m, [0.0])


def test_point_beside_a_long_street_snaps_onto_it() -> None:
    # A 2.4 km street without junctions (0,0)-(2400,0), a side street up to (2400,400) and a
    # street back west to (1200,400). The point (1200,100) is 300 m from node (1200,400) but
    # 100 m beside the long street: it walks 100 m to it and 1200 m along it to the site at
    # (0,0), 13 min at 100 m/min (snapping to the node would walk 300 + 1200 + 400 + 2400 m).
    streets = [
        LineString([(0, 0), (2400, 0)]),
        LineString([(2400, 0), (2400, 400)]),
        LineString([(2400, 400), (1200, 400)]),
    ]
    network = network_from_lines(
        gpd.GeoDataFrame(geometry=streets, crs="EPSG:31370"), mode="walk", speed_kmh=SPEED
    )
    times = travel_times(network, np.array([[1200.0, 100.0]]), np.array([[0.0, 0.0]]))
    assert times.sector_site[0, 0] == pytest.approx(1.0 + 12.0)
    np.testing.assert_allclose(times.sector_snap_m, [100.0])
    np.testing.assert_allclose(times.site_snap_m, [0.0])


def test_snap_follows_the_shape_of_the_street() -> None:
    # One segment drawn (0,0)-(0,300)-(300,300): 600 m with a bend, two nodes. The point
    # (10,150) is 10 m beside its first leg, 150 m along; the site at its end (300,300) is
    # 450 m of street away: 10 m + 450 m = 4.6 min at 100 m/min.
    streets = [LineString([(0, 0), (0, 300), (300, 300)])]
    network = network_from_lines(
        gpd.GeoDataFrame(geometry=streets, crs="EPSG:31370"), mode="walk", speed_kmh=SPEED
    )
    assert network.n_nodes == 2
    times = travel_times(network, np.array([[10.0, 150.0]]), np.array([[300.0, 300.0]]))
    assert times.sector_site[0, 0] == pytest.approx(0.1 + 4.5)
    np.testing.assert_allclose(times.sector_snap_m, [10.0])


def test_one_way_street_split_by_a_snap_keeps_its_direction() -> None:
    # Cars (30 km/h: 500 m/min). (0,0)->(1000,0) is one-way along its drawing; the way back is
    # two-way round (1000,0)-(1000,500)-(0,500)-(0,0). Site 0 at (300,10) and site 1 at
    # (700,-10) are 10 m beside the one-way street, 300 m and 700 m along it.
    streets = [
        LineString([(0, 0), (1000, 0)]),
        LineString([(1000, 0), (1000, 500)]),
        LineString([(1000, 500), (0, 500)]),
        LineString([(0, 500), (0, 0)]),
    ]
    layer = gpd.GeoDataFrame({"oneway": ["FT", "D", "D", "D"]}, geometry=streets, crs="EPSG:31370")
    network = network_from_lines(layer, mode="car", speed_kmh=30.0, oneway_column="oneway")
    sites = np.array([[300.0, 10.0], [700.0, -10.0]])
    times = travel_times(network, sites[:1], sites)
    leg = 10 / 500
    # forward: 400 m straight along the one-way street
    forward = leg + 400 / 500 + leg
    # back: on to (1000,0) (300 m), round the loop (500 + 1000 + 500 m), then 300 m along
    back = leg + (300 + 2000 + 300) / 500 + leg
    np.testing.assert_allclose(times.site_site, [[0.0, forward], [back, 0.0]])
    np.testing.assert_allclose(times.sector_site, [[2 * leg, forward]])


def test_sites_sharing_a_node(grid: Network) -> None:
    sites = np.array([[200.0, 200.0], [200.0, 210.0], [0.0, 0.0]])
    times = travel_times(grid, np.array([[0.0, 0.0]]), sites)
    np.testing.assert_allclose(times.sector_site, [[4.0, 4.1, 0.0]])
    np.testing.assert_allclose(times.site_site[0], [0.0, 0.1, 4.0])
    np.testing.assert_allclose(times.site_site[1], [0.1, 0.0, 4.1])


def test_direction_is_from_sector_to_site(ring: Network) -> None:
    at = np.array(ring.node_xy)
    times = travel_times(ring, at[[0, 1]], at[[1, 0]])
    # from node 0 to node 1 is one side; from node 1 back to node 0 goes round three sides
    np.testing.assert_allclose(times.sector_site, [[1.0, 0.0], [0.0, 3.0]])
    # site 0 is node 1, site 1 is node 0: 1 -> 0 takes three sides, 0 -> 1 one side
    np.testing.assert_allclose(times.site_site, [[0.0, 3.0], [1.0, 0.0]])


def test_point_too_far_is_unreachable(grid: Network, caplog: pytest.LogCaptureFixture) -> None:
    sectors = np.array([[0.0, 0.0], [900.0, 0.0], [100.0, 100.0]])
    sites = np.array([[200.0, 200.0], [0.0, 900.0]])
    with caplog.at_level("WARNING", logger="planner.travel.matrices"):
        times = travel_times(grid, sectors, sites, max_snap_distance_m=500.0)
    assert np.isinf(times.sector_site[1]).all()
    assert np.isinf(times.sector_site[:, 1]).all()
    assert times.sector_site[0, 0] == pytest.approx(4.0)
    assert times.sector_site[2, 0] == pytest.approx(2.0)
    assert times.unreachable_pairs == 4
    assert times.site_site[1, 1] == 0.0
    assert np.isinf(times.site_site[0, 1])
    assert np.isinf(times.site_site[1, 0])
    assert "4 of 6 demand point-site pairs unreachable" in caplog.text
    assert "1 of 3 demand points are more than 500 m" in caplog.text
    assert "1 of 2 sites are more than 500 m" in caplog.text


def test_snap_limit_is_inclusive(grid: Network) -> None:
    times = travel_times(
        grid, np.array([[-50.0, 0.0]]), np.array([[0.0, 0.0]]), max_snap_distance_m=50
    )
    assert times.sector_site[0, 0] == pytest.approx(0.5)


def test_disconnected_pieces_are_inf_not_a_sentinel() -> None:
    xy = [(0.0, 0.0), (100.0, 0.0), (1000.0, 0.0), (1100.0, 0.0)]
    network = make_network(xy, [(0, 1, 100.0), (2, 3, 100.0)])
    times = travel_times(network, np.array([[0.0, 0.0], [1100.0, 0.0]]), np.array([[100.0, 0.0]]))
    assert times.sector_site[0, 0] == pytest.approx(1.0)
    assert times.sector_site[1, 0] == np.inf
    assert times.unreachable_pairs == 1
    assert times.sector_site.dtype == np.float64


def test_no_sites_or_no_sectors(grid: Network) -> None:
    times = travel_times(grid, np.array([[0.0, 0.0]]), np.empty((0, 2)))
    assert times.sector_site.shape == (1, 0)
    assert times.site_site.shape == (0, 0)
    times = travel_times(grid, np.empty((0, 2)), np.array([[0.0, 0.0]]))
    assert times.sector_site.shape == (0, 1)
    assert times.site_site.shape == (1, 1)


def test_bad_coordinates_are_errors(grid: Network) -> None:
    with pytest.raises(DataError, match=r"\(n, 2\)"):
        travel_times(grid, np.zeros((2, 3)), np.zeros((1, 2)))
    with pytest.raises(DataError, match="not finite"):
        travel_times(grid, np.array([[0.0, np.nan]]), np.zeros((1, 2)))


def test_matches_forward_dijkstra_on_random_one_way_grid() -> None:
    rng = np.random.default_rng(3)
    size = 8
    xy = [(100.0 * (k % size), 100.0 * (k // size)) for k in range(size * size)]
    lines, oneway = [], []
    for k in range(size * size):
        for step, ok in ((1, k % size < size - 1), (size, k < size * (size - 1))):
            if ok:
                lines.append(LineString([xy[k], xy[k + step]]))
                oneway.append(rng.choice(["FT", "TF", "D", "D"]))
    layer = gpd.GeoDataFrame({"oneway": oneway}, geometry=lines, crs="EPSG:31370")
    network = network_from_lines(layer, mode="car", speed_kmh=30.0, oneway_column="oneway")
    sectors = rng.uniform(0, 700, size=(25, 2))
    sites = rng.uniform(0, 700, size=(6, 2))
    times = travel_times(network, sectors, sites, max_snap_distance_m=1000)

    # independent check: insert every snapped point into the graph as a node of its own,
    # splitting its street (a chain a -> p1 -> p2 -> b per direction the street may be used),
    # and run plain Dijkstra from the sector nodes
    per_min = 30.0 * 1000 / 60
    points = np.concatenate([sectors, sites])
    snap = snap_points(network, points)
    graph = split_at_points(network, snap)
    n = network.n_nodes
    origins = n + np.arange(points.shape[0])
    leg = snap.distance_m / per_min
    between = dijkstra(graph, directed=True, indices=origins)[:, origins]
    between = leg[:, None] + between + leg[None, :]
    np.testing.assert_allclose(times.sector_site, between[:25, 25:])
    expected_sites = between[25:, 25:]
    np.fill_diagonal(expected_sites, 0.0)
    np.testing.assert_allclose(times.site_site, expected_sites)
    # one-way streets make some trips longer one way than the other
    assert not np.allclose(times.site_site, times.site_site.T)


def split_at_points(network: Network, snap: Snap) -> sp.csr_matrix:
    """The network's matrix with each snapped point a node ``n + k`` splitting its street."""
    lines = network.street_lines()
    n, m = network.n_nodes, snap.line.shape[0]
    rows, cols, data = [], [], []
    split = set(snap.line.tolist())
    matrix = network.matrix().tocoo()
    pair = {(int(lines.start[k]), int(lines.end[k])) for k in split}  # no parallel streets here
    for a, b, t in zip(matrix.row, matrix.col, matrix.data, strict=True):
        if (a, b) in pair or (b, a) in pair:  # split below, stop by stop
            continue
        rows.append(a)
        cols.append(b)
        data.append(t)
    for k in split:
        on = sorted(np.flatnonzero(snap.line == k), key=lambda i: snap.fraction[i])
        stops = [int(lines.start[k]), *(n + i for i in on), int(lines.end[k])]
        share = [0.0, *(float(snap.fraction[i]) for i in on), 1.0]
        for (u, fu), (v, fv) in itertools.pairwise(zip(stops, share, strict=True)):
            if np.isfinite(lines.along_minutes[k]):
                rows.append(u)
                cols.append(v)
                data.append((fv - fu) * lines.along_minutes[k])
            if np.isfinite(lines.against_minutes[k]):
                rows.append(v)
                cols.append(u)
                data.append((fv - fu) * lines.against_minutes[k])
    return sp.csr_matrix((data, (rows, cols)), shape=(n + m, n + m))
