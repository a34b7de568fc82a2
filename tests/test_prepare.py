"""Tests of planner.data.prepare and `planner data`: official files in, scenario layers out."""

from __future__ import annotations

import hashlib
import io
import json
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import parse_qs

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine
from shapely import Point, box
from typer.testing import CliRunner

import planner
from planner.cli import app
from planner.data import prepare
from planner.data.inputs import read_inputs
from planner.data.notes import input_notes
from planner.errors import DataError, InputFileError
from tests.conftest import tiny_layers

if TYPE_CHECKING:
    from collections.abc import Iterator

CRS = "EPSG:31370"
GENT = ["44021A00-", "44021A01-", "44021B10-", "44021B11-"]


def official_folder(folder: Path) -> Path:
    """A tiny download folder: 4 sectors of Gent (2 x 2 km) and 2 of Aalst, tables, raster."""
    folder.mkdir(parents=True, exist_ok=True)
    codes = [*GENT, "41002A00-", "41002A01-"]
    gpd.GeoDataFrame(
        {
            "CD_SECTOR": codes,
            "TX_SECTOR_DESCR_NL": ["KUIP", "OUDE VEST", "RABOT", "HAVEN", "CENTRUM", "OOST"],
            "CD_MUNTY_REFNIS": [code[:5] for code in codes],
        },
        geometry=[
            box(0, 1000, 1000, 2000),
            box(1000, 1000, 2000, 2000),
            box(0, 0, 1000, 1000),
            box(1000, 0, 2000, 1000),
            box(9000, 0, 9500, 500),
            box(9500, 0, 10000, 500),
        ],
        crs=CRS,
    ).to_file(folder / "sh_statbel_statistical_sectors_31370_20240101.gpkg")
    (folder / "census2021_population_by_sector.csv").write_text(
        "cd_sector,x65,rest,prop_65plussers\n"
        "44021A00-,100,900,10\n44021A01-,50,1950,2.5\n44021B10-,20,480,4\n"
        "44021ZZZZ,1,3,25\n41002A00-,10,90,10\n41002A01-,5,95,5\n",
        encoding="utf-8",
    )  # 44021B11- (the port) has no inhabitants: not listed
    (folder / "income2021_by_sector.csv").write_text(
        "cd_sector;tx_sector_descr_nl;ms_avg_tot_net_taxable_inc;ms_median_net_taxable_inc\n"
        "44021A00-;KUIP;30000;24000\n44021A01-;OUDE VEST;40000;32000\n44021B10-;RABOT;;\n"
        "41002A00-;CENTRUM;35000;30000\n",
        encoding="utf-8",
    )
    (folder / "sector2024_to_wijk2024.csv").write_text(
        "statsec2024,ggw72024\n44021A00-,440211\n44021A01-,440211\n44021B10-,440212\n"
        "44021B11-,440212\n41002A00-,410021\n",
        encoding="utf-8",
    )
    (folder / "municipality_indicators.json").write_text(
        json.dumps(
            [
                {"id": "44021", "naam": "Gent", "kansarmoede": 18.47},
                {"id": "41002", "naam": "Aalst", "kansarmoede": 9.1},
            ]
        ),
        encoding="utf-8",
    )
    grid = np.zeros((20, 100))
    grid[2, 2] = 500.0  # (250, 1750) in KUIP
    grid[4, 15] = 800.0  # (1550, 1550) in OUDE VEST
    grid[15, 5] = 300.0  # (550, 450) in RABOT
    with rasterio.open(
        folder / "ghsl_pop_test.tif",
        "w",
        driver="GTiff",
        height=20,
        width=100,
        count=1,
        dtype="float64",
        crs=CRS,
        transform=Affine(100, 0, 0, 0, -100, 2000),
    ) as dataset:
        dataset.write(grid, 1)
    gpd.GeoDataFrame(
        {
            "osm_id": ["1", "2", "3", "4", "5", "6"],
            "name": ["Basisschool", "Bib Rabot", "Halte", "Kinderdagverblijf", None, "Bib Aalst"],
            "type": [
                "school",
                "library",
                "bus_stop",
                "kindergarten",
                "community_centre",
                "library",
            ],
        },
        geometry=[
            Point(500, 1500),
            Point(600, 600),
            Point(700, 700),
            Point(1500, 1500),
            Point(1600, 400),
            Point(9200, 200),
        ],
        crs=CRS,
    ).to_crs("EPSG:4326").to_file(folder / "osm_points_2015.gpkg")
    return folder


@pytest.fixture
def downloads(tmp_path: Path) -> Path:
    return official_folder(tmp_path / "downloads")


def test_prepare_writes_sectors_sites_and_report(downloads: Path, tmp_path: Path) -> None:
    result = prepare.prepare_from_folder(
        "Gent",
        downloads,
        tmp_path / "gent",
        options=prepare.PrepareOptions(existing_types={"library": "house"}),
    )
    sectors = gpd.read_file(tmp_path / "gent" / "sectors.gpkg")
    assert sectors["sector_id"].tolist() == GENT
    assert sectors["population"].tolist() == [1000, 2000, 500, 0]
    assert sectors["population_missing"].tolist() == [False, False, False, True]
    np.testing.assert_allclose(sectors["target"], [36, 78, 19.2, 0])  # 0.04 x under 65
    assert sectors["target_estimated"].all()
    assert sectors["median_income_suppressed"].tolist() == [False, False, True, True]
    assert sectors["median_income"].notna().all()
    assert sectors["wijk"].tolist() == ["440211", "440211", "440212", "440212"]
    assert sectors.loc[0, "kansarmoede_est"] > sectors.loc[1, "kansarmoede_est"]
    assert (sectors.loc[0, "point_x"], sectors.loc[0, "point_y"]) == (250, 1750)
    assert sectors["point_method"].tolist()[3] == "no_population"
    inside = shapely.contains_xy(
        np.asarray(sectors.geometry.array), sectors["point_x"], sectors["point_y"]
    )
    assert inside.all()

    sites = gpd.read_file(tmp_path / "gent" / "sites.gpkg")
    by_type = sites["type"].value_counts().to_dict()
    assert by_type == {"generated": 3, "school": 1, "library": 1, "kindergarten": 1,
                       "community_centre": 1}  # fmt: skip
    assert set(sites.loc[sites["type"] == "library", "existing"]) == {"house"}
    kita = sites.loc[sites["type"] == "kindergarten"].iloc[0]
    assert bool(kita["is_school"])
    assert bool(kita["is_childcare"])
    assert kita["colocation"] == "school + childcare"
    assert kita["sector_id"] == "44021A01-"
    unnamed = sites.loc[sites["type"] == "community_centre", "name"].item()
    assert unnamed.startswith("community_centre")

    report = json.loads((tmp_path / "gent" / "prepare_report.json").read_text())
    population_join = next(j for j in report["joins"] if j["what"].startswith("population"))
    assert population_join["only_in_sectors"] == ["44021B11-"]
    assert report["population_unknown_sector"] == 4
    assert report["target"]["estimated"] is True
    assert "ESTIMATED" in report["notes"][0]
    assert report["income"]["suppressed"] == ["44021B10-", "44021B11-"]
    assert report["need_indicators"][0]["column"] == "kansarmoede_est"
    assert report["points_outside_municipality"] == 1
    assert report["files"]["sectors"]["sha256"]
    assert result.report["sites"]["total"] == len(sites)


def test_prepare_writes_the_same_bytes_twice(downloads: Path, tmp_path: Path) -> None:
    options = prepare.PrepareOptions(existing_types={"library": "house"})
    digests = []
    for run in ("a", "b"):
        prepare.prepare_from_folder("Gent", downloads, tmp_path / run, options=options)
        digests.append(
            [
                hashlib.sha256((tmp_path / run / name).read_bytes()).hexdigest()
                for name in ("sectors.gpkg", "sites.gpkg", "prepare_report.json")
            ]
        )
    assert digests[0] == digests[1]


def test_prepared_layers_run_as_a_scenario(downloads: Path, tmp_path: Path) -> None:
    prepare.prepare_from_folder(
        "44021",
        downloads,
        tmp_path / "gent",
        options=prepare.PrepareOptions(existing_types={"library": "house"}),
    )
    _, _, streets = tiny_layers()
    streets.to_file(tmp_path / "streets.gpkg")
    raw = {
        "name": "prepared",
        "data": {
            "sectors": str(tmp_path / "gent" / "sectors.gpkg"),
            "sites": str(tmp_path / "gent" / "sites.gpkg"),
            "network": str(tmp_path / "streets.gpkg"),
            "point_x": "point_x",
            "point_y": "point_y",
        },
        "need": {"indicators": [{"column": "kansarmoede_est", "direction": "higher_is_needier"}]},
        "budget": {"amount_eur": 1_000_000},
        "solver": {"time_limit_s": 30},
    }
    scenario = planner.scenario.scenario_from_dict(raw)
    inputs = read_inputs(scenario)
    assert {"is_school", "colocation", "wijk"} <= set(inputs.sites.columns)
    plan = planner.run(scenario)
    assert plan.summary["proven_optimal"]
    # what planner data estimated reaches the plan's notes (and the council note)
    report = json.loads((tmp_path / "gent" / "prepare_report.json").read_text())
    assert report["existing_types"] == {"library": "house"}
    assert report["site_costs"] == "default"
    notes = plan.summary["notes"]
    assert all(isinstance(note, str) for note in notes)
    assert any(n.startswith("target group estimated as 4 % of inhabitants under 65") for n in notes)
    assert any(n.startswith("2 sectors have an imputed median income") for n in notes)
    assert any("existing houses are stand-ins: library" in n for n in notes)
    assert any(n.startswith("site costs are default placeholders") for n in notes)
    # prepare imputed the suppressed incomes itself: the run counts them by the flag column
    assert plan.summary["imputed_sectors"] == report["income"]["suppressed"]

    # without the report, the flag columns and the sites' source still tell
    (tmp_path / "gent" / "prepare_report.json").unlink()
    inputs = read_inputs(scenario)
    again = input_notes(scenario, inputs)
    assert any(n.startswith("target group estimated") for n in again)
    assert any("imputed median income" in n for n in again)
    assert any("existing houses are stand-ins: library" in n for n in again)
    assert any(n.startswith("site costs are default placeholders") for n in again)


def test_age_table_gives_a_counted_target(downloads: Path, tmp_path: Path) -> None:
    (downloads / "population_age_by_sector.csv").write_text(
        "CD_SECTOR;CD_AGE;MS_POPULATION\n44021A00-;0-2;30\n44021A01-;0-2;60\n44021B10-;0-4;50\n",
        encoding="utf-8",
    )
    found = prepare.find_sources(downloads)
    assert found.ages == downloads / "population_age_by_sector.csv"
    assert found.population == downloads / "census2021_population_by_sector.csv"
    result = prepare.prepare_municipality(found, tmp_path / "out", nis="44021")
    assert result.sectors["target"].tolist() == [30, 60, 30, 0]
    assert not result.sectors["target_estimated"].any()
    assert result.report["target"]["estimated"] is False


def test_extra_indicator_and_existing_sites(downloads: Path, tmp_path: Path) -> None:
    (downloads / "kansen.csv").write_text(
        "cd_sector;werkloosheid\n44021A00-;12,5\n44021A01-;4\n44021X99-;1\n", encoding="utf-8"
    )
    gpd.GeoDataFrame(
        {"name": ["Huis van het Kind Centrum"], "type": ["consultatiebureau"],
         "existing": ["house"]},
        geometry=[Point(1200, 1200)],
        crs=CRS,
    ).to_file(tmp_path / "existing.gpkg")  # fmt: skip
    result = prepare.prepare_from_folder(
        "gent",
        downloads,
        tmp_path / "out",
        files={"existing": tmp_path / "existing.gpkg"},
        indicators=[f"{downloads / 'kansen.csv'}:werkloosheid:higher_is_needier:0.5"],
    )
    assert result.sectors["werkloosheid"].tolist()[:2] == [12.5, 4]
    join = result.report["joins"][-1]
    assert join["only_in_table"] == ["44021X99-"]
    assert result.report["need_indicators"][-1] == {
        "column": "werkloosheid",
        "direction": "higher_is_needier",
        "weight": 0.5,
    }
    existing = result.sites.loc[result.sites["existing"] == "house"]
    assert existing["site_id"].tolist() == ["existing-1"]
    assert bool(existing["is_consultatiebureau"].item())


def test_existing_sites_file_needs_roles(downloads: Path, tmp_path: Path) -> None:
    gpd.GeoDataFrame({"name": ["x"]}, geometry=[Point(1, 1)], crs=CRS).to_file(tmp_path / "e.gpkg")
    with pytest.raises(DataError, match="column 'existing' is missing"):
        prepare.prepare_from_folder(
            "gent", downloads, tmp_path / "o", files={"existing": tmp_path / "e.gpkg"}
        )


def test_wrong_municipality_and_missing_files(downloads: Path, tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"no sector of municipality 11001; .*44021 \(4\)"):
        prepare.prepare_from_folder("11001", downloads, tmp_path / "o")
    with pytest.raises(DataError, match="'Atlantis' is not in"):
        prepare.prepare_from_folder("Atlantis", downloads, tmp_path / "o")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputFileError, match="no sector polygons found"):
        prepare.prepare_from_folder("44021", empty, tmp_path / "o")
    with pytest.raises(InputFileError, match="does not exist"):
        prepare.find_sources(tmp_path / "absent")


def test_options_are_checked() -> None:
    with pytest.raises(DataError, match="4 problems") as info:
        prepare.PrepareOptions(
            target_share=2,
            income_imputation="mean",
            existing_types={"castle": "keep"},  # type: ignore[arg-type]
        )
    assert "role must be 'house' or 'antenne'" in str(info.value)


def test_parse_indicator() -> None:
    path, indicator = prepare.parse_indicator("C:/data/k.csv:werk:lower_is_needier:2")
    assert path == Path("C:/data/k.csv")
    assert (indicator.column, indicator.direction, indicator.weight) == (
        "werk",
        "lower_is_needier",
        2.0,
    )
    assert prepare.parse_indicator("k.csv:werk:higher_is_needier")[1].weight == 1.0
    for bad in ("k.csv:werk", "k.csv:werk:up", "k.csv:werk:higher_is_needier:0"):
        with pytest.raises(DataError, match="indicator"):
            prepare.parse_indicator(bad)


def test_read_site_types(tmp_path: Path) -> None:
    path = tmp_path / "types.csv"
    path.write_text(
        "type;can_house;can_antenne;cost_house;cost_antenne;colocation\n"
        "school;ja;ja;500000;70000;school\nbuurthuis;nee;ja;0;40000;\n"
        "kribbe;true;true;x;1;childcare\nkerk;true;true;1;1;altar\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError, match="2 problems") as info:
        prepare.read_site_types(path)
    assert "line 4" in str(info.value)
    assert "'altar'" in str(info.value)
    path.write_text(
        "type,can_house,can_antenne,cost_house,cost_antenne\nschool,1,1,5,6\n", encoding="utf-8"
    )
    assert prepare.read_site_types(path)["school"] == prepare.SiteType(True, True, 5.0, 6.0)


# --- the command ------------------------------------------------------------------------------


def test_cli_data(downloads: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["data", "gent", "--from", str(downloads), "--out", str(tmp_path / "gent"),
         "--existing-type", "library=house", "--target-share", "0.05"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "4 sectors, 3,500 inhabitants" in result.output
    assert "note: target group ESTIMATED as 0.05" in result.output
    assert (tmp_path / "gent" / "sites.gpkg").is_file()
    bad = runner.invoke(app, ["data", "gent", "--from", str(downloads), "--target-ages", "3"])
    assert bad.exit_code == 2
    assert "--target-ages '3'" in bad.output
    wrong = runner.invoke(
        app, ["data", "11001", "--from", str(downloads), "--out", str(tmp_path / "x")]
    )
    assert wrong.exit_code == 2
    assert "no sector of municipality 11001" in wrong.output


# --- downloads against a local server ---------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    files: ClassVar[dict[str, bytes]] = {}
    posts: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        body = self.files.get(self.path)
        if body is None:
            self.send_error(404, "Not Found")
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        query = parse_qs(self.rfile.read(length).decode())["data"][0]
        self.posts.append(query)
        if "out:json" in query:
            body = json.dumps(
                {
                    "elements": [
                        {"type": "node", "id": 7, "lat": 51.05, "lon": 3.72,
                         "tags": {"amenity": "library", "name": "Bib"}},
                        {"type": "way", "id": 9, "center": {"lat": 51.06, "lon": 3.73},
                         "tags": {"amenity": "school"}},
                        {"type": "relation", "id": 3, "tags": {"amenity": "school"}},
                    ]
                }
            ).encode()  # fmt: skip
        else:
            body = b'<?xml version="1.0"?><osm version="0.6"></osm>'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        del args


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def test_download_sources_unpacks_zips(server: str, tmp_path: Path) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("TF_PSNL_INC_TAX_SECTOR.txt", "cd_sector|ms_median_net_taxable_inc\n")
    _Handler.files = {
        "/income/TF_PSNL_INC_TAX_SECTOR.zip": archive.getvalue(),
        "/api/wegsegmenten/exports/geojson": b'{"type": "FeatureCollection", "features": []}',
    }
    got = prepare.download_sources(
        tmp_path / "dl",
        {
            "income": f"{server}/income/TF_PSNL_INC_TAX_SECTOR.zip",
            "network": f"{server}/api/wegsegmenten/exports/geojson",
        },
    )
    assert (got["income"] / "TF_PSNL_INC_TAX_SECTOR.txt").is_file()
    assert got["network"] == tmp_path / "dl" / "network.geojson"
    found = prepare.find_sources(tmp_path / "dl")
    assert found.income == got["income"] / "TF_PSNL_INC_TAX_SECTOR.txt"


def test_download_errors_name_the_address(server: str, tmp_path: Path) -> None:
    _Handler.files = {}
    with pytest.raises(InputFileError, match=r"HTTP 404.*pass the current one"):
        prepare.download_sources(tmp_path, {"income": f"{server}/moved.zip"})
    with pytest.raises(InputFileError, match=r"download of http://127\.0\.0\.1:9/x failed"):
        prepare.download_sources(tmp_path, {"x": "http://127.0.0.1:9/x"}, timeout=5)
    with pytest.raises(DataError, match="must start with http"):
        prepare.download_sources(tmp_path, {"x": "file:///etc/passwd"})
    assert not list(tmp_path.glob("*.part"))


def test_download_osm_through_overpass(server: str, tmp_path: Path) -> None:
    _Handler.posts = []
    got = prepare.download_osm(tmp_path / "osm", "44021", url=server)
    points = gpd.read_file(got["points"])
    assert points["osm_id"].tolist() == ["n7", "w9"]  # the relation without centre is skipped
    assert points["type"].tolist() == ["library", "school"]
    assert got["network"].read_text().startswith("<?xml")
    assert 'area["ref:INS"="44021"]' in _Handler.posts[0]
    assert 'way["highway"]' in _Handler.posts[1]
