"""Generated candidates on the street (planner.data.streets and its use by `planner data`)."""

from __future__ import annotations

import itertools
import json
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely import LineString, box
from typer.testing import CliRunner

from planner.cli import app
from planner.data import prepare
from planner.data.streets import (
    ON_STREET,
    OUTSIDE_SECTOR,
    SECTOR_POINT,
    StreetRule,
    place_on_streets,
    street_length_around,
)
from planner.errors import DataError
from tests.test_prepare import official_folder

if TYPE_CHECKING:
    from pathlib import Path

CRS = "EPSG:31370"


def _lines(*coordinates: list[tuple[float, float]]) -> np.ndarray:
    return np.array([LineString(c) for c in coordinates], dtype=object)


def _street(y: float, xs: list[float]) -> list[list[tuple[float, float]]]:
    """A straight street along ``y`` cut into segments that end at ``xs``."""
    return [[(a, y), (b, y)] for a, b in itertools.pairwise(xs)]


# --- the core ----------------------------------------------------------------------------------


def test_street_length_around_clips_lines_to_the_disc() -> None:
    lines = _lines([(0, 0), (1000, 0)], [(500, 0), (500, 30)], [(0, 500), (1000, 500)])
    length = street_length_around(np.array([[500.0, 0.0], [0.0, 0.0], [500.0, 200.0]]), lines, 100)
    # Middle of a street with a 30 m stub; its end; 200 m away from both streets.
    np.testing.assert_allclose(length, [230.0, 100.0, 0.0])


def test_site_goes_to_the_nearest_junction_inside_its_sector() -> None:
    areas = np.array([box(0, 0, 1000, 1000)], dtype=object)
    lines = _lines(*_street(400, [0, 200, 400, 600, 1000]))
    placed = place_on_streets(np.array([[450.0, 500.0]]), np.array([0]), areas, lines)
    assert placed.placement.tolist() == [ON_STREET]
    np.testing.assert_allclose(placed.xy, [[400.0, 400.0]])  # a segment end, not the point
    np.testing.assert_allclose(placed.moved_m, [np.hypot(50, 100)])
    assert shapely.intersects(shapely.points(placed.xy), shapely.union_all(lines)).all()


def test_bends_hold_a_site_only_when_asked() -> None:
    areas = np.array([box(0, 0, 1000, 1000)], dtype=object)
    # A path bending 50 m below the point, a street 200 m below it with a junction.
    lines = _lines([(100, 400), (500, 450), (900, 400)], *_street(300, [100, 500, 900]))
    point = np.array([[500.0, 500.0]])
    ends = place_on_streets(point, np.array([0]), areas, lines)
    bends = place_on_streets(
        point, np.array([0]), areas, lines, StreetRule(street_points="vertices")
    )
    np.testing.assert_allclose(ends.xy, [[500.0, 300.0]])
    np.testing.assert_allclose(bends.xy, [[500.0, 450.0]])


def test_the_end_of_a_dead_end_path_is_not_a_site() -> None:
    areas = np.array([box(0, 0, 1000, 1000)], dtype=object)
    # A street along y = 100 and a 580 m footpath from it up to 20 m below the sector's point.
    lines = _lines(*_street(100, [0, 200, 500, 800, 1000]), [(500, 100), (500, 680)])
    point, home = np.array([[500.0, 700.0]]), np.array([0])
    placed = place_on_streets(point, home, areas, lines)
    np.testing.assert_allclose(placed.xy, [[500.0, 100.0]])  # the junction, 600 m away
    # With only 50 m of street asked for, the end of the path (100 m of path around it) would do.
    loose = place_on_streets(point, home, areas, lines, StreetRule(street_min_length_m=50))
    np.testing.assert_allclose(loose.xy, [[500.0, 680.0]])


def test_without_street_in_the_sector_nearby_then_the_point() -> None:
    areas = np.array(
        [box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000), box(2000, 0, 3000, 1000)], dtype=object
    )
    lines = _lines(*_street(500, [100, 500, 900, 990]))  # its two ends are dead ends
    points = np.array([[400.0, 600.0], [1100.0, 500.0], [2800.0, 500.0]])
    placed = place_on_streets(points, np.array([0, 1, 2]), areas, lines)
    assert placed.placement.tolist() == [ON_STREET, OUTSIDE_SECTOR, SECTOR_POINT]
    np.testing.assert_allclose(placed.xy, [[500, 500], [900, 500], [2800, 500]])
    summary = placed.summary(["A", "B", "C"])
    assert summary == {
        "count": 3,
        "moved_to_street": 2,
        "in_sector": 1,
        "outside_sector": 1,
        "at_sector_point": 1,
        "moved_m": {"median": round((np.hypot(100, 100) + 200) / 2, 1), "max": 200.0},
        "sectors_outside": ["B"],
        "sectors_at_point": ["C"],
    }
    near = place_on_streets(
        points, np.array([0, 1, 2]), areas, lines, StreetRule(street_max_outside_m=150)
    )
    assert near.placement.tolist() == [ON_STREET, SECTOR_POINT, SECTOR_POINT]


def test_no_street_at_all_and_a_bad_rule() -> None:
    areas = np.array([box(0, 0, 1000, 1000)], dtype=object)
    placed = place_on_streets(
        np.array([[5.0, 5.0]]), np.array([0]), areas, np.array([], dtype=object)
    )
    assert placed.placement.tolist() == [SECTOR_POINT]
    assert placed.summary(["A"])["moved_m"] == {"median": None, "max": None}
    with pytest.raises(
        DataError, match=r"(?s)street-radius-m must be a positive.*street points 'bends'"
    ):
        prepare.PrepareOptions(street_rule=StreetRule(0, 150, 250, "bends"))  # type: ignore[arg-type]


# --- in `planner data` -------------------------------------------------------------------------


def _with_streets(folder: Path) -> Path:
    """The tiny download folder of test_prepare with a road register of three streets.

    KUIP (point 250, 1750) has a street along y = 1700; OUDE VEST (point 1550, 1550) a motorway
    passing 10 m from its point and a local street along y = 1200; RABOT (point 550, 450) no
    street within 250 m.
    """
    official_folder(folder)
    parts = [
        *_street(1700, [0, 100, 300, 500, 1000]),
        *_street(1200, [1100, 1500, 1900]),
        [(1560, 1100), (1560, 1500)],
        [(1560, 1500), (1560, 1600)],
        [(1560, 1600), (1560, 1900)],
    ]
    classes = ["6"] * 6 + ["0"] * 3
    gpd.GeoDataFrame(
        {"wegsegid": range(len(parts)), "functional_roadclass": classes},
        geometry=[LineString(p) for p in parts],
        crs=CRS,
    ).to_file(folder / "wegsegmenten_test.geojson")
    return folder


def test_prepare_puts_generated_sites_on_the_street(tmp_path: Path) -> None:
    downloads = _with_streets(tmp_path / "downloads")
    result = prepare.prepare_from_folder("Gent", downloads, tmp_path / "gent")
    sites = gpd.read_file(tmp_path / "gent" / "sites.gpkg").set_index("site_id")
    where = {k: (p.x, p.y) for k, p in sites.loc[sites["type"] == "generated"].geometry.items()}
    assert where == {
        "gen-44021A00-": (300.0, 1700.0),  # the nearest junction in KUIP
        "gen-44021A01-": (1500.0, 1200.0),  # not on the motorway beside its point
        "gen-44021B10-": (550.0, 450.0),  # no street: the sector's point
    }
    assert sites.loc["gen-44021A01-", "sector_id"] == "44021A01-"

    report = json.loads((tmp_path / "gent" / "prepare_report.json").read_text())
    placed = report["generated_sites"]
    assert placed["placement"] == "street"
    assert placed["network"].endswith("wegsegmenten_test.geojson")
    assert placed["rule"] == {
        "street_radius_m": 100.0,
        "street_min_length_m": 150.0,
        "street_max_outside_m": 250.0,
        "street_points": "ends",
    }
    assert placed["excluded_lines"] == {"functional_roadclass": {"values": ["0"], "lines": 3}}
    assert (placed["count"], placed["moved_to_street"], placed["in_sector"]) == (3, 2, 2)
    assert (placed["outside_sector"], placed["at_sector_point"]) == (0, 1)
    moved = [np.hypot(50, 50), np.hypot(50, 350)]
    assert placed["moved_m"] == {
        "median": round(float(np.median(moved)), 1),
        "max": round(max(moved), 1),
    }
    assert placed["sectors_at_point"] == ["44021B10-"]
    note = next(n for n in report["notes"] if "generated sites stay" in n)
    assert note.endswith("44021B10-")
    assert result.report["generated_sites"] == placed


def test_everything_else_is_as_without_a_network(tmp_path: Path) -> None:
    with_net = prepare.prepare_from_folder(
        "Gent", _with_streets(tmp_path / "a"), tmp_path / "out-a"
    )
    without = prepare.prepare_from_folder(
        "Gent", official_folder(tmp_path / "b"), tmp_path / "out-b"
    )
    assert "generated_sites" not in without.report
    assert with_net.sectors.equals(without.sectors)
    assert with_net.sites.drop(columns="geometry").equals(without.sites.drop(columns="geometry"))
    generated = (without.sites["type"] == "generated").to_numpy()
    points = without.sectors.set_index("sector_id").loc[without.sites["sector_id"][generated]]
    np.testing.assert_array_equal(
        shapely.get_coordinates(without.sites.geometry[generated]),
        points[["point_x", "point_y"]].to_numpy(),
    )
    assert with_net.sites.geometry[~generated].equals(without.sites.geometry[~generated])


def test_cli_options_for_street_sites(tmp_path: Path) -> None:
    downloads = _with_streets(tmp_path / "downloads")
    runner = CliRunner()
    at_point = runner.invoke(
        app, ["data", "gent", "--from", str(downloads), "--out", str(tmp_path / "p"),
              "--generated-at-point"],
    )  # fmt: skip
    assert at_point.exit_code == 0, at_point.output
    report = json.loads((tmp_path / "p" / "prepare_report.json").read_text())
    assert report["generated_sites"]["placement"] == "sector point"
    loose = runner.invoke(
        app, ["data", "gent", "--from", str(downloads), "--out", str(tmp_path / "s"),
              "--street-max-outside", "1300", "--street-exclude", "none"],
    )  # fmt: skip
    assert loose.exit_code == 0, loose.output
    assert "generated sites on the street: 3 of 3" in loose.output
    report = json.loads((tmp_path / "s" / "prepare_report.json").read_text())
    assert report["generated_sites"]["excluded_lines"] == {}
    assert report["generated_sites"]["sectors_outside"] == ["44021B10-"]
    assert any("stand on a street outside their own sector" in n for n in report["notes"])
    bad = runner.invoke(app, ["data", "gent", "--from", str(downloads), "--street-radius", "-1"])
    assert bad.exit_code != 0
    assert "street-radius-m must be a positive number of metres" in bad.output


def test_parse_street_exclude() -> None:
    assert prepare.parse_street_exclude(None) == {"functional_roadclass": ("0",)}
    assert prepare.parse_street_exclude(["None"]) == {}
    assert prepare.parse_street_exclude(["wegcat=AS, HW", "frc=0"]) == {
        "wegcat": ("AS", "HW"),
        "frc": ("0",),
    }
    with pytest.raises(DataError, match=r"expected COLUMN=VALUE\[,VALUE\]"):
        prepare.parse_street_exclude(["functional_roadclass"])
