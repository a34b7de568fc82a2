"""Tests of planner.travel.matrices: snapping and travel-time matrices, checked by hand."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra
from shapely import LineString

from planner.errors import DataError
from planner.travel.matrices import snap_points, travel_times
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
    snap = snap_points(grid, np.array([[10.0, 0.0], [190.0, 130.0], [100.0, 100.0]]))
    np.testing.assert_array_equal(snap.node, [0, 5, 4])
    np.testing.assert_allclose(snap.distance_m, [10.0, np.hypot(10, 30), 0.0])


def test_grid_times_by_hand(grid: Network) -> None:
    sectors = np.array([[10.0, 0.0], [100.0, 120.0]])  # nodes 0 (10 m) and 4 (20 m)
    sites = np.array([[200.0, 230.0], [0.0, -40.0]])  # nodes 8 (30 m) and 0 (40 m)
    times = travel_times(grid, sectors, sites)
    expected = np.array(
        [
            [0.1 + 4.0 + 0.3, 0.1 + 0.0 + 0.4],
            [0.2 + 2.0 + 0.3, 0.2 + 2.0 + 0.4],
        ]
    )
    np.testing.assert_allclose(times.sector_site, expected)
    np.testing.assert_allclose(times.site_site, [[0.0, 0.3 + 4.0 + 0.4], [0.4 + 4.0 + 0.3, 0.0]])
    np.testing.assert_allclose(times.sector_snap_m, [10.0, 20.0])
    np.testing.assert_allclose(times.site_snap_m, [30.0, 40.0])
    assert times.unreachable_pairs == 0


def test_same_node_is_access_plus_egress(grid: Network) -> None:
    times = travel_times(grid, np.array([[100.0, 105.0]]), np.array([[95.0, 100.0]]))
    assert times.sector_site[0, 0] == pytest.approx(0.05 + 0.05)


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
    assert "4 of 6 sector-site pairs unreachable" in caplog.text
    assert "1 of 3 sector points are more than 500 m" in caplog.text
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

    per_min = 30.0 * 1000 / 60
    sector_snap, site_snap = snap_points(network, sectors), snap_points(network, sites)
    forward = dijkstra(network.matrix(), directed=True, indices=sector_snap.node)
    expected = (
        sector_snap.distance_m[:, None] / per_min
        + forward[:, site_snap.node]
        + site_snap.distance_m[None, :] / per_min
    )
    np.testing.assert_allclose(times.sector_site, expected)
    from_sites = dijkstra(network.matrix(), directed=True, indices=site_snap.node)
    expected_sites = (
        site_snap.distance_m[:, None] / per_min
        + from_sites[:, site_snap.node]
        + site_snap.distance_m[None, :] / per_min
    )
    np.fill_diagonal(expected_sites, 0.0)
    np.testing.assert_allclose(times.site_site, expected_sites)
    # one-way streets make some trips longer one way than the other
    assert not np.allclose(times.site_site, times.site_site.T)
