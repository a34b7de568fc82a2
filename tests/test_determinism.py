"""Same answer every time: byte-identical outputs across runs, row orders and hash seeds."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely import Point
from typer.testing import CliRunner

from planner.cli import app
from planner.report.outputs import GPKG_DATE

if TYPE_CHECKING:
    from pathlib import Path

    from tests.conftest import TinyCity

LAYERS = ("sectors", "sites", "links")
COMPARED = ("summary.json", "summary.csv", "plan.gpkg", "map.html")


def run_in_process(scenario: Path, out: Path) -> None:
    result = CliRunner().invoke(app, ["run", str(scenario), "--out", str(out)])
    assert result.exit_code == 0, result.output


def run_subprocess(scenario: Path, out: Path, hash_seed: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    code = "from planner.cli import app; app()"
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", code, "run", str(scenario), "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def layer_csv(path: Path, layer: str) -> bytes:
    frame = pyogrio.read_dataframe(path, layer=layer)
    buffer = io.StringIO()
    pd.DataFrame(frame.drop(columns="geometry").assign(wkt=frame.geometry.to_wkt())).to_csv(
        buffer, index=False
    )
    return buffer.getvalue().encode()


def assert_same_outputs(a: Path, b: Path) -> None:
    for name in COMPARED:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    for layer in LAYERS:
        left = pyogrio.read_dataframe(a / "plan.gpkg", layer=layer)
        right = pyogrio.read_dataframe(b / "plan.gpkg", layer=layer)
        pd.testing.assert_frame_equal(pd.DataFrame(left), pd.DataFrame(right))
        assert layer_csv(a / "plan.gpkg", layer) == layer_csv(b / "plan.gpkg", layer)


def test_two_runs_are_byte_identical(tiny_city: TinyCity, tmp_path: Path) -> None:
    run_in_process(tiny_city.scenario, tmp_path / "a")
    run_in_process(tiny_city.scenario, tmp_path / "b")
    assert_same_outputs(tmp_path / "a", tmp_path / "b")
    for name in ("note.pdf", "note.docx"):  # the council note, in both layouts
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    summary = json.loads((tmp_path / "a" / "summary.json").read_text())
    assert "runtime_s" not in summary
    assert summary["check"] == "passed"
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert "created_utc" in manifest
    assert "optimise" in manifest["runtime_s"]


def test_geopackage_timestamps_are_fixed(tiny_city: TinyCity, tmp_path: Path) -> None:
    run_in_process(tiny_city.scenario, tmp_path / "a")
    with sqlite3.connect(tmp_path / "a" / "plan.gpkg") as db:
        stamps = {row[0] for row in db.execute("select last_change from gpkg_contents")}
    assert stamps == {GPKG_DATE}
    assert pyogrio.get_gdal_config_option("OGR_CURRENT_DATE") is None  # restored afterwards


def shuffled_city(city: TinyCity, folder: Path, seed: int) -> Path:
    """Copy the tiny city with its sector and site rows shuffled and a tied twin site."""
    folder.mkdir()
    sectors = gpd.read_file(city.sectors).sample(frac=1.0, random_state=seed)
    sites = gpd.read_file(city.sites)
    twin = sites[sites["site_id"] == "S3"].assign(site_id="S5", name="Buurthuis Oost bis")
    sites = pd.concat([sites, twin]).sample(frac=1.0, random_state=seed)
    sectors.to_file(folder / "sectors.gpkg")
    sites.to_file(folder / "sites.gpkg")
    (folder / "streets.gpkg").write_bytes(city.streets.read_bytes())
    raw = city.raw_scenario()
    scenario = folder / "scenario.yaml"
    scenario.write_text(json.dumps(raw))
    return scenario


@pytest.mark.parametrize("kind", ["max_coverage", "p_median"])
def test_row_order_and_hash_seed_do_not_matter(
    tiny_city: TinyCity, tmp_path: Path, kind: str
) -> None:
    raw = tiny_city.raw_scenario()
    if kind == "p_median":
        raw["objective"] = {"kind": "p_median", "p": 2}
    tiny_city.write_scenario(raw)
    first = shuffled_city(tiny_city, tmp_path / "one", seed=1)
    second = shuffled_city(tiny_city, tmp_path / "two", seed=2)
    assert gpd.read_file(tmp_path / "one" / "sites.gpkg")["site_id"].tolist() != (
        gpd.read_file(tmp_path / "two" / "sites.gpkg")["site_id"].tolist()
    )
    run_subprocess(first, tmp_path / "out1", hash_seed="1")
    run_subprocess(second, tmp_path / "out2", hash_seed="2")
    assert_same_outputs(tmp_path / "out1", tmp_path / "out2")
    sites = pyogrio.read_dataframe(tmp_path / "out1" / "plan.gpkg", layer="sites")
    assert sites["site_id"].tolist() == sorted(sites["site_id"])
    # the tie between S3 and its twin S5 goes the same way whatever the file order
    assert Point(2500, 1500).equals(sites.loc[sites["site_id"] == "S5", "geometry"].item())
