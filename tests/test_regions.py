"""Any municipality and regions: straight-line travel, Voronoi sectors, region codes, borders.

Synthetic folders and the demo town first (no shared data needed); the real checks of issue 14
(Aalst and Sint-Niklaas from ``../shared/data`` alone, Gent + Merelbeke as one region) skip
with a reason when ``../shared/data`` is absent.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pytest
from shapely import Point, box
from typer.testing import CliRunner

from planner.cli import app
from planner.data import prepare
from planner.data.region import region_codes, region_folder_name
from planner.errors import (
    DataError,
    InfeasibleError,
    NetworkError,
    PlanCheckError,
    ScenarioError,
)
from planner.model import solve_coverage
from planner.model.coverage import MAX_COVERAGE
from planner.results.check import check_plan
from planner.scenario import load_scenario
from planner.travel.borders import keep_within_groups
from planner.travel.matrices import TravelTimes
from planner.travel.straight import straight_line_label, straight_line_times
from planner.workflows.pipeline import run, validate
from tests.conftest import ROOT, SOLVER_NAMES, run_capturing, solver_spec
from tests.test_catalogue import brute_force, random_instance
from tests.test_prepare import CRS, official_folder

if TYPE_CHECKING:
    from pathlib import Path

DEMO = ROOT / "scenarios" / "demo.yaml"
SHARED = ROOT.parent / "shared" / "data"
needs_shared = pytest.mark.skipif(
    not (SHARED / "belgium" / "sector_centroids_2024.gpkg").exists()
    or not (SHARED / "flanders" / "gemeente2024.shp").exists(),
    reason="../shared/data (Statbel centroids, Flemish municipalities) is not present",
)
runner = CliRunner()


# --------------------------------------------------------------------------- straight line


def test_straight_line_times_by_hand() -> None:
    # 3-4-5: 5 km straight, x 1.3 = 6.5 km at 4.5 km/h = 86.667 min; 1.5 km x 1.3 at 15 km/h
    times = straight_line_times(
        np.array([[0.0, 0.0], [3000.0, 4000.0]]),
        np.array([[3000.0, 4000.0], [1500.0, 0.0]]),
        speed_kmh=4.5,
        circuity=1.3,
    )
    assert times.sector_site[0, 0] == pytest.approx(6500 / 75)
    assert times.sector_site[1, 0] == 0.0
    assert times.sector_site[0, 1] == pytest.approx(1950 / 75)
    assert (
        times.site_site[0, 1]
        == times.site_site[1, 0]
        == pytest.approx(1.3 * math.hypot(1500, 4000) / 75)
    )
    assert np.diag(times.site_site).tolist() == [0.0, 0.0]
    assert times.unreachable_pairs == 0
    assert not times.sector_snap_m.any()
    with pytest.raises(DataError, match=r"circuity 0\.9 is below 1"):
        straight_line_times(np.zeros((1, 2)), np.zeros((1, 2)), speed_kmh=4.5, circuity=0.9)


def test_labels_in_both_languages() -> None:
    assert straight_line_label(1.3) == "hemelsbreed \N{MULTIPLICATION SIGN} 1,3"
    assert straight_line_label(1.25, "en") == "straight line \N{MULTIPLICATION SIGN} 1.25"


def _straight(tmp_path: Path, **extra: object) -> tuple[object, Path]:
    overrides: dict[str, object] = {"travel.model": "straight_line", "demand.points": "grid"}
    overrides.update(extra)
    plan = run(load_scenario(DEMO, overrides))
    from planner.report.outputs import write_outputs  # noqa: PLC0415

    write_outputs(plan, tmp_path / "out")
    return plan, tmp_path / "out"


def test_straight_line_plan_says_so_everywhere(tmp_path: Path) -> None:
    plan, out = _straight(tmp_path, **{"travel.circuity": {"walk": 1.4}})
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["travel_model"]["label_nl"] == "hemelsbreed \N{MULTIPLICATION SIGN} 1,4"
    assert summary["travel_model"]["circuity"] == {"walk": 1.4}
    assert any(
        "straight line \N{MULTIPLICATION SIGN} 1.4 at 4.5 km/h" in n for n in summary["notes"]
    )
    note = (out / "note.html").read_text(encoding="utf-8")
    assert "Reistijden zijn een benadering (hemelsbreed \N{MULTIPLICATION SIGN} 1,4)" in note
    assert "berekend over het stratennet" not in note
    assert "hemelsbreed \N{MULTIPLICATION SIGN} 1,4 aan 4,5 km/u te voet" in note  # remark
    page = (out / "map.html").read_text(encoding="utf-8")
    assert "hemelsbreed \N{MULTIPLICATION SIGN} 1,4" in page
    # the times are the straight-line model's: the nearest house of a covered point
    assert plan.network is None  # type: ignore[attr-defined]
    assert "network" not in plan.scenario.input_paths()  # type: ignore[attr-defined]


def test_straight_line_is_used_without_a_network_and_needs_grid_points(tmp_path: Path) -> None:
    raw = load_scenario(DEMO).model_dump(mode="json", exclude={"source", "source_sha256"})
    raw["data"]["network"] = None
    path = tmp_path / "s.yaml"
    import yaml  # noqa: PLC0415

    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    problems = validate(path)
    assert len(problems) == 1
    assert "demand.points: network spreads families over street nodes" in problems[0]
    assert "data.network is not given" in problems[0]
    with pytest.raises(ScenarioError, match=r"use demand\.points: grid"):
        run(path)
    result = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert not (tmp_path / "o").exists()
    plan = run(load_scenario(path, {"demand.points": "sector"}))
    assert plan.summary["travel_model"]["model"] == "straight_line"
    assert plan.summary["check"] == "passed"


def test_network_scenarios_are_unchanged() -> None:
    plan = run(DEMO)
    assert "travel_model" not in plan.summary
    assert "municipalities" not in plan.summary
    assert not any("approximation" in note for note in plan.summary["notes"])


# --------------------------------------------------------------------------- region codes

KNOWN = {
    "41002": "Aalst",
    "41011": "Denderleeuw",
    "44021": "Gent",
    "44043": "Merelbeke",
    "23002": "Asse",
    "24062": "Leuven",
    "21004": "Brussel",
}


def test_region_codes_forms(tmp_path: Path) -> None:
    assert region_codes("41002", KNOWN) == ("41002",)
    assert region_codes("44043, 44021", KNOWN) == ("44021", "44043")
    assert region_codes("41", KNOWN) == ("41002", "41011")
    assert region_codes("2", KNOWN) == ("23002", "24062")  # Vlaams-Brabant, not Brussels
    listed = tmp_path / "codes.txt"
    listed.write_text("44021\n44043 41002\n", encoding="utf-8")
    assert region_codes(str(listed), KNOWN) == ("41002", "44021", "44043")
    assert region_folder_name("44021,44043", ("44021", "44043")) == "44021-44043"
    assert region_folder_name(str(listed), ("41002",)) == "codes"
    assert region_folder_name("Gent", ("44021",)) == "gent"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("21004", "not a Flemish municipality (Brussels)"),
        ("57081", "not a Flemish municipality (Wallonia)"),
        ("41999", "41999 does not exist in gemeente2024.shp"),
        ("99", "prefix 99 matches no Flemish municipality"),
        ("4100x", "neither a five-digit NIS code"),
    ],
)
def test_region_codes_bad(text: str, message: str) -> None:
    with pytest.raises(DataError, match=re.escape(message)):
        region_codes(text, KNOWN, source="gemeente2024.shp")


def test_incomplete_list_does_not_reject_codes() -> None:
    assert region_codes("44043", {"44021": "Gent"}, complete=False) == ("44043",)


# --------------------------------------------------------------------------- planner data


def _with_centroids(folder: Path) -> Path:
    """The official folder of test_prepare without Aalst's polygons, with centroids and borders."""
    official_folder(folder)
    statbel = folder / "sh_statbel_statistical_sectors_31370_20240101.gpkg"
    sectors = gpd.read_file(statbel)
    sectors[sectors["CD_MUNTY_REFNIS"] == "44021"].to_file(statbel)
    gpd.GeoDataFrame(
        {"cd_sector": ["41002A00-", "41002A01-", "41002ZZZZ"], "t_sec_nl": ["CENTRUM", "OOST", ""]},
        geometry=[Point(9100, 200), Point(9800, 300), Point(9500, 100)],
        crs=CRS,
    ).to_crs(3812).to_file(folder / "sector_centroids_2024.gpkg")
    gpd.GeoDataFrame(
        {"gemeente": ["44021", "41002", "21004"], "naam": ["Gent", "Aalst", "Brussel"]},
        geometry=[box(0, 0, 2000, 2000), box(9000, 0, 10000, 600), box(5000, 5000, 6000, 6000)],
        crs=CRS,
    ).to_file(folder / "gemeente2024.shp")
    return folder


def test_voronoi_sectors_when_no_polygons(tmp_path: Path) -> None:
    folder = _with_centroids(tmp_path / "downloads")
    result = prepare.prepare_from_folder("41002", folder, tmp_path / "aalst")
    sectors = result.sectors
    assert list(sectors["sector_id"]) == ["41002A00-", "41002A01-"]  # ZZZZ is no sector
    assert set(sectors["geometry_method"]) == {"voronoi"}
    assert sectors.geometry.area.sum() == pytest.approx(1000 * 600, rel=1e-6)
    report = json.loads((tmp_path / "aalst" / "prepare_report.json").read_text("utf-8"))
    assert report["sector_geometry"]["method"] == "voronoi"
    assert any("APPROXIMATED as Voronoi" in note for note in report["notes"])
    assert "sectors" not in report["files"]  # Gent's polygons gave nothing to Aalst
    assert "centroids" in report["files"]


def test_region_mixes_real_and_voronoi_sectors(tmp_path: Path) -> None:
    folder = _with_centroids(tmp_path / "downloads")
    result = prepare.prepare_from_folder("44021,41002", folder, tmp_path / "region")
    sectors = result.sectors.set_index("sector_id")
    assert sectors.loc["44021A00-", "geometry_method"] == "polygons"
    assert sectors.loc["41002A00-", "geometry_method"] == "voronoi"
    assert set(sectors["municipality"]) == {"44021", "41002"}
    assert sectors.loc["41002A00-", "municipality_name"] == "Aalst"
    assert "municipality" in result.sites.columns
    assert result.report["municipalities"] == ["41002", "44021"]
    # each municipality its own kansarmoede-index
    assert result.report["kansarmoede"]["municipal_index"] == {"41002": 9.1, "44021": 18.47}


def test_a_network_that_does_not_cover_is_not_recorded(tmp_path: Path) -> None:
    folder = _with_centroids(tmp_path / "downloads")
    gpd.GeoDataFrame({"oneway": ["D"]}, geometry=[box(0, 0, 2000, 2000).boundary], crs=CRS).to_file(
        folder / "wegsegmenten_test.gpkg"
    )
    result = prepare.prepare_from_folder("41002", folder, tmp_path / "aalst")
    assert "network" not in result.report["files"]
    assert result.report["network"]["path"] is None
    assert "does not cover the area" in result.report["network"]["note"]
    gent = prepare.prepare_from_folder("44021", folder, tmp_path / "gent")
    assert "network" in gent.report["files"]  # it covers Gent
    out = tmp_path / "given"
    with pytest.raises(DataError, match="does not cover the area of 41002"):
        prepare.prepare_from_folder(
            "41002", folder, out, files={"network": folder / "wegsegmenten_test.gpkg"}
        )
    assert not out.exists()


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("21004", "21004 is not a Flemish municipality"),
        ("41999", "41999 does not exist in gemeente2024.shp"),
    ],
)
def test_cli_bad_codes_exit_2_and_write_nothing(tmp_path: Path, code: str, message: str) -> None:
    folder = _with_centroids(tmp_path / "downloads")
    out = tmp_path / "out"
    result = runner.invoke(app, ["data", code, "--from", str(folder), "--out", str(out)])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(lines) == 1
    assert message in lines[0]
    assert "Traceback" not in result.output
    assert not out.exists()


def test_cli_network_not_covering_exits_2(tmp_path: Path) -> None:
    folder = _with_centroids(tmp_path / "downloads")
    streets = tmp_path / "streets.gpkg"
    gpd.GeoDataFrame(geometry=[box(0, 0, 100, 100).boundary], crs=CRS).to_file(streets)
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["data", "41002", "--from", str(folder), "--out", str(out), "--file", f"network={streets}"],
    )
    assert result.exit_code == 2
    assert "does not cover the area of 41002" in result.output
    assert not out.exists()


# --------------------------------------------------------------------------- borders


def test_serve_within_keeps_families_to_their_group(tmp_path: Path) -> None:
    overrides = {"rules.serve_within": "wijk", "demand.points": "sector"}
    plan, case = run_capturing(load_scenario(DEMO, overrides))
    assert plan.summary["check"] == "passed"
    wijk = case.inputs.sectors.set_index("sector_id")["wijk"].astype(str)
    sites = (
        gpd.sjoin(
            case.inputs.sites[["site_id", "geometry"]],
            case.inputs.sectors[["wijk", "geometry"]],
            predicate="intersects",
        )
        .drop_duplicates("site_id")
        .set_index("site_id")["wijk"]
        .astype(str)
    )
    served = plan.sectors[plan.sectors["site_house"].notna()]
    assert len(served) > 0
    assert (
        served["sector_id"].map(wijk).to_numpy() == served["site_house"].map(sites).to_numpy()
    ).all()
    free = run(load_scenario(DEMO, {"demand.points": "sector"}))
    assert free.summary["coverage_objective"] >= plan.summary["coverage_objective"] - 1e-9
    # the independent check notices a plan evaluated on times across the borders
    unmasked = run_capturing(load_scenario(DEMO, {"demand.points": "sector"}))[1].travel
    with pytest.raises(PlanCheckError, match="serve_within"):
        check_plan(plan, case.inputs, case.demand, unmasked)


def test_serve_within_needs_the_column() -> None:
    problems = validate(DEMO, {"rules.serve_within": "gemeente"})
    assert any("rules.serve_within (gemeente): the sectors have no column" in p for p in problems)


@pytest.mark.parametrize("seed", range(10))
def test_brute_force_within_groups(seed: int) -> None:
    """The masked model against enumeration with coverage only by sites of the same group."""
    instance = random_instance(seed)
    # the universal floor depends on d: the enumeration below leaves it out
    instance = dataclasses.replace(
        instance, rules=dataclasses.replace(instance.rules, universal_floor=False)
    )
    n_i, n_j = instance.d.shape
    rng = np.random.default_rng(seed)
    row_group = rng.choice(np.array(["a", "b"]), n_i)
    site_group = np.array(["a", "b"])[np.arange(n_j) % 2]
    times = TravelTimes(instance.d, instance.e, np.zeros(n_i), np.zeros(n_j), 0)
    masked = dataclasses.replace(
        instance, d=keep_within_groups(times, row_group, site_group).sector_site
    )
    enumerated = brute_force(instance, MAX_COVERAGE)  # feasibility does not depend on d
    ok = enumerated["ok"]
    if not ok.any():
        with pytest.raises(InfeasibleError):
            solve_coverage(masked, solver_spec(SOLVER_NAMES[seed % 2]))
        return
    roles = enumerated["roles"]
    H, A = roles == 1, roles == 2
    same = row_group[:, None] == site_group[None, :]
    reach_h = np.isfinite(instance.d) & (instance.d <= instance.radius_house[:, None]) & same
    reach_a = np.isfinite(instance.d) & (instance.d <= instance.radius_frequent[:, None]) & same
    cover_h = (H.astype(int) @ reach_h.T.astype(int)) > 0
    cover_a = ((H | A).astype(int) @ reach_a.T.astype(int)) > 0
    alpha = instance.alpha
    value = cover_h @ (alpha * instance.weight) + cover_a @ ((1 - alpha) * instance.weight)
    solution = solve_coverage(masked, solver_spec(SOLVER_NAMES[seed % 2]))
    assert solution.result.proven_optimal
    assert solution.coverage_objective == pytest.approx(value[ok].max(), abs=1e-6)


# --------------------------------------------------------------------------- the real checks


@needs_shared
@pytest.mark.parametrize(("nis", "sectors"), [("41002", 132), ("46021", 75)])
def test_any_municipality_end_to_end_from_shared_data(
    tmp_path: Path, nis: str, sectors: int
) -> None:
    result = prepare.prepare_from_folder(nis, SHARED, tmp_path / nis)
    assert len(result.sectors) == sectors
    assert set(result.sectors["geometry_method"]) == {"voronoi"}
    assert "network" not in result.report["files"]
    raw = (ROOT / "scenarios" / "aalst.yaml").read_text(encoding="utf-8")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(raw.replace("../data/statsec/aalst", str(tmp_path / nis)), "utf-8")
    plan = run(scenario)
    assert plan.summary["check"] == "passed"
    assert plan.summary["houses"] >= 1
    notes = " ".join(plan.summary["notes"])
    assert "Voronoi cells" in notes
    assert "straight line \N{MULTIPLICATION SIGN} 1.3" in notes
    from planner.report.outputs import write_outputs  # noqa: PLC0415

    write_outputs(plan, tmp_path / "out")
    note = (tmp_path / "out" / "note.html").read_text(encoding="utf-8")
    assert "sectoren zijn benaderd: elke sector is het gebied" in note  # Voronoi cells, in words
    assert "Reistijden zijn een benadering (hemelsbreed \N{MULTIPLICATION SIGN} 1,3)" in note
    page = (tmp_path / "out" / "map.html").read_text(encoding="utf-8")
    assert "Sectorgrenzen <b>benaderd</b>" in page


@needs_shared
def test_gent_and_merelbeke_as_one_region(tmp_path: Path) -> None:
    result = prepare.prepare_from_folder(
        "44021,44043",
        SHARED,
        tmp_path / "gm",
        options=prepare.PrepareOptions(existing_types={"library": "house"}),
    )
    methods = result.sectors.groupby("municipality")["geometry_method"].agg(set).to_dict()
    assert methods == {"44021": {"polygons"}, "44043": {"voronoi"}}
    raw = (ROOT / "scenarios" / "gent_merelbeke.yaml").read_text(encoding="utf-8")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        raw.replace("../data/statsec/gent-merelbeke", str(tmp_path / "gm")), "utf-8"
    )
    across = run(scenario)
    table = across.summary["municipalities"]
    assert set(table) == {"44021", "44043"}
    assert table["44043"]["name"] == "Merelbeke"
    assert all(row["houses"] >= 1 for row in table.values())  # house_per_group
    assert sum(row["served_across_border"] for row in table.values()) > 0
    within = run(load_scenario(scenario, {"rules.serve_within": "municipality"}))
    assert all(
        row["served_across_border"] == 0 for row in within.summary["municipalities"].values()
    )
    assert within.summary["coverage_objective"] <= across.summary["coverage_objective"] + 1e-9


# --------------------------------------------------------------------------- OSM extracts

_OSM = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="planner tests">
  <node id="1" lat="51.0000" lon="3.7000"/>
  <node id="2" lat="51.0000" lon="3.7100"/>
  <node id="3" lat="51.0000" lon="3.7200"/>
  <node id="4" lat="51.0050" lon="3.7100"/>
  <node id="5" lat="50.9950" lon="3.7100"/>
  <node id="6" lat="51.0050" lon="3.7200"/>
  <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="residential"/><tag k="oneway" v="yes"/></way>
  <way id="11"><nd ref="4"/><nd ref="2"/><nd ref="5"/><tag k="highway" v="footway"/></way>
  <way id="12"><nd ref="3"/><nd ref="6"/><nd ref="4"/><nd ref="1"/>
    <tag k="highway" v="residential"/></way>
  <way id="13"><nd ref="5"/><nd ref="3"/><tag k="highway" v="cycleway"/></way>
</osm>
"""


def test_osm_extract_read_with_gdal_matches_osmnx(tmp_path: Path) -> None:
    from planner.travel.matrices import travel_times  # noqa: PLC0415
    from planner.travel.network import network_from_osm_pbf, network_from_osm_xml  # noqa: PLC0415

    path = tmp_path / "tiny.osm"  # GDAL reads .osm.pbf the same way (no writer in the tests)
    path.write_text(_OSM, encoding="utf-8")
    walk = network_from_osm_pbf(path, mode="walk", speed_kmh=4.5)
    reference = network_from_osm_xml(path, mode="walk", speed_kmh=4.5)
    lon = [3.70, 3.71, 3.72, 3.71, 3.71, 3.72]
    lat = [51.0, 51.0, 51.0, 51.005, 50.995, 51.005]
    nodes = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=4326).to_crs(CRS)
    xy = np.column_stack([nodes.x, nodes.y])  # the OSM nodes 1 to 6
    ours = travel_times(walk, xy, xy).sector_site
    theirs = travel_times(reference, xy, xy).sector_site
    assert np.isfinite(ours).all()
    np.testing.assert_allclose(ours, theirs, rtol=0.01)  # projected vs great-circle lengths
    car = network_from_osm_pbf(path, mode="car", speed_kmh=30.0)
    along = travel_times(car, xy[0:1], xy[2:3]).sector_site[0, 0]
    against = travel_times(car, xy[2:3], xy[0:1]).sector_site[0, 0]
    assert along == pytest.approx(1.4 * 60 / 30, rel=0.02)  # 1.4 km along the one-way street
    assert against > 1.5 * along  # back round the loop
    bike = network_from_osm_pbf(path, mode="bike", speed_kmh=15.0)
    km = travel_times(bike, xy, xy).sector_site * 15.0 / 60.0
    walk_km = ours * 4.5 / 60.0
    assert km[3, 4] > 1.5 * walk_km[3, 4]  # the footway 4-2-5 is not for bikes
    assert km[4, 2] < 0.8 * walk_km[4, 2]  # the cycleway 5-3 is not for walkers
    with pytest.raises(NetworkError):
        network_from_osm_pbf(path, mode="car", speed_kmh=30.0, excluded_classes=("residential",))
