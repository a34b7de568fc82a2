"""The command line end to end, on the tiny city and the demo, and every bad-input path."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import geopandas as gpd
import pytest
from typer.testing import CliRunner

from planner.cli import app
from tests.conftest import ROOT, TinyCity

if TYPE_CHECKING:
    from pathlib import Path

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_run_tiny_city_writes_everything(tiny_city: TinyCity, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = invoke("run", str(tiny_city.scenario), "--out", str(out))
    assert code == 0, output
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json",
        "map.html",
        "map.pdf",
        "map.png",
        "note.docx",
        "note.html",
        "note.pdf",
        "plan.gpkg",
        "summary.csv",
        "summary.json",
    ]
    summary = json.loads((out / "summary.json").read_text())
    for key in (
        "scenario",
        "status",
        "proven_optimal",
        "objective",
        "bound",
        "gap",
        "cost",
        "budget",
        "houses",
        "antennes",
        "target_population",
        "coverage",
        "travel_time_min",
        "check",
    ):
        assert key in summary
    assert summary["check"] == "passed"
    assert "runtime_s" not in summary  # timings live in the manifest
    assert summary["proven_optimal"] is True
    assert summary["target_population"] == 780
    assert summary["cost"] <= summary["budget"]
    assert set(summary["coverage"]) >= {
        "house",
        "frequent",
        "house_neediest_quintile",
        "frequent_neediest_quintile",
    }
    assert set(summary["travel_time_min"]["house"]) >= {"mean", "p50", "p90", "max"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["runtime_s"]) == {
        "inputs",
        "demand",
        "network",
        "travel",
        "optimise",
        "plan",
        "check",
    }
    assert manifest["scenario"]["sha256"]
    assert manifest["inputs"]["sectors"]["sha256"]
    assert manifest["packages"]["pulp"]
    assert manifest["solver"]["name"] == "cbc"
    sites = gpd.read_file(out / "plan.gpkg", layer="sites")
    assert set(sites["role"]) <= {"house", "antenne", "closed"}
    assert sites.loc[sites["site_id"] == "S2", "role"].item() == "house"  # existing kept
    sectors = gpd.read_file(out / "plan.gpkg", layer="sectors")
    assert {
        "need",
        "weight",
        "tt_house_min",
        "tt_frequent_min",
        "covered_house",
        "covered_frequent",
        "site_house",
        "site_frequent",
    } <= set(sectors.columns)
    links = gpd.read_file(out / "plan.gpkg", layer="links")
    assert len(links) == summary["antennes"]


def test_same_inputs_same_outputs(tiny_city: TinyCity, tmp_path: Path) -> None:
    for name in ("a", "b"):
        code, output = invoke("run", str(tiny_city.scenario), "--out", str(tmp_path / name))
        assert code == 0, output
    # timings and the time of the run live in the manifest: the summary is byte-identical
    for name in ("summary.json", "summary.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / "map.html").read_bytes() == (tmp_path / "b" / "map.html").read_bytes()


def test_demo_scenario_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    code, output = invoke("run", str(ROOT / "scenarios" / "demo.yaml"), "--out", str(out))
    assert code == 0, output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["proven_optimal"] is True
    assert summary["houses"] >= 2
    assert summary["antennes"] >= 1
    html = (out / "map.html").read_text()
    assert "leaflet" in html.lower()


def test_validate_ok_and_all_problems(tiny_city: TinyCity) -> None:
    code, output = invoke("validate", str(tiny_city.scenario))
    assert code == 0, output
    assert "OK" in output
    sectors = gpd.read_file(tiny_city.sectors)
    sectors.loc[1, "sector_id"] = "A1"
    sectors = sectors.drop(columns=["median_income"])
    sectors.to_file(tiny_city.sectors, driver="GPKG")
    tiny_city.streets.unlink()
    code, output = invoke("validate", str(tiny_city.scenario))
    assert code == 2
    assert "median_income" in output
    assert "streets.gpkg" in output


def _assert_clean_failure(code: int, output: str, out: Path, *needles: str) -> None:
    assert code == 2, output
    assert "Traceback" not in output
    for needle in needles:
        assert needle in output, output
    assert not out.exists()
    assert not any(p.name.startswith(".") for p in out.parent.iterdir() if p.is_dir())


def test_missing_file(tiny_city: TinyCity, tmp_path: Path) -> None:
    tiny_city.sectors.unlink()
    out = tmp_path / "out"
    code, output = invoke("run", str(tiny_city.scenario), "--out", str(out))
    _assert_clean_failure(code, output, out, "sectors.gpkg does not exist")


def test_unreadable_file(tiny_city: TinyCity, tmp_path: Path) -> None:
    tiny_city.sites.write_text("garbage")
    out = tmp_path / "out"
    code, output = invoke("run", str(tiny_city.scenario), "--out", str(out))
    _assert_clean_failure(code, output, out, "cannot be opened")


def test_missing_column(tiny_city: TinyCity, tmp_path: Path) -> None:
    gpd.read_file(tiny_city.sectors).drop(columns=["population"]).to_file(tiny_city.sectors)
    out = tmp_path / "out"
    code, output = invoke("run", str(tiny_city.scenario), "--out", str(out))
    _assert_clean_failure(code, output, out, "column 'population'", "is missing")


def test_typo_key(tiny_city: TinyCity, tmp_path: Path) -> None:
    raw = tiny_city.raw_scenario()
    raw["standards"]["house_minutes"] = 12
    path = tiny_city.write_scenario(raw, "typo.yaml")
    out = tmp_path / "out"
    code, output = invoke("run", str(path), "--out", str(out))
    _assert_clean_failure(code, output, out, "unknown key 'standards.house_minutes'")


def test_crs_mismatch(tiny_city: TinyCity, tmp_path: Path) -> None:
    gpd.read_file(tiny_city.sites).to_crs("EPSG:3812").to_file(tiny_city.sites)
    out = tmp_path / "out"
    code, output = invoke("run", str(tiny_city.scenario), "--out", str(out))
    _assert_clean_failure(code, output, out, "different CRS", "EPSG:3812")


def test_duplicate_ids(tiny_city: TinyCity, tmp_path: Path) -> None:
    sectors = gpd.read_file(tiny_city.sectors)
    sectors.loc[2, "sector_id"] = "A1"
    sectors.to_file(tiny_city.sectors)
    out = tmp_path / "out"
    code, output = invoke("run", str(tiny_city.scenario), "--out", str(out))
    _assert_clean_failure(code, output, out, "duplicated: A1")


@pytest.mark.parametrize(("value", "needle"), [(-10, "negative"), ("veel", "must hold numbers")])
def test_bad_population(tiny_city: TinyCity, tmp_path: Path, value: object, needle: str) -> None:
    sectors = gpd.read_file(tiny_city.sectors)
    sectors["population"] = sectors["population"].astype(object)
    sectors.loc[0, "population"] = value
    sectors.to_file(tiny_city.sectors)
    out = tmp_path / "out"
    code, output = invoke("run", str(tiny_city.scenario), "--out", str(out))
    _assert_clean_failure(code, output, out, needle)


def test_budget_too_small_is_a_valid_answer(tiny_city: TinyCity, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = invoke(
        "run", str(tiny_city.scenario), "--out", str(out), "--set", "budget.amount_eur=1000"
    )
    assert code == 0, output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["budget_too_small"] is True
    assert summary["houses_new"] == 0
    assert summary["antennes_new"] == 0
    assert summary["houses"] == 1  # the existing house stays
    assert "below the cheapest new site" in output


def test_no_site_within_any_standard(tiny_city: TinyCity, tmp_path: Path) -> None:
    sites = gpd.read_file(tiny_city.sites)
    sites.geometry = sites.geometry.translate(120.0, 40.0)
    sites.to_file(tiny_city.sites)
    out = tmp_path / "out"
    code, output = invoke(
        "run",
        str(tiny_city.scenario),
        "--out",
        str(out),
        "--set",
        "standards.house_min=0.01",
        "--set",
        "standards.frequent_min=0.01",
    )
    _assert_clean_failure(code, output, out, "no candidate site is within the standards")


def test_failed_run_keeps_earlier_good_output(tiny_city: TinyCity, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = invoke("run", str(tiny_city.scenario), "--out", str(out))
    assert code == 0, output
    before = (out / "summary.json").read_bytes()
    tiny_city.sites.write_text("garbage")
    code, output = invoke("run", str(tiny_city.scenario), "--out", str(out))
    assert code == 2
    assert (out / "summary.json").read_bytes() == before


def test_rerun_replaces_output_whole(tiny_city: TinyCity, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert invoke("run", str(tiny_city.scenario), "--out", str(out))[0] == 0
    (out / "stale.txt").write_text("from an older run")
    assert invoke("run", str(tiny_city.scenario), "--out", str(out))[0] == 0
    assert not (out / "stale.txt").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_bad_set_syntax(tiny_city: TinyCity) -> None:
    code, output = invoke("run", str(tiny_city.scenario), "--set", "budget")
    assert code == 2
    assert "expected KEY=VALUE" in output


def test_python_api_returns_plan(tiny_city: TinyCity) -> None:
    import planner  # noqa: PLC0415

    plan = planner.run(tiny_city.scenario)
    assert isinstance(plan, planner.Plan)
    assert plan.summary["houses"] == (plan.sites["role"] == "house").sum()
    assert len(plan.sectors) == 6


def test_quiet_hides_progress_keeps_result(tiny_city: TinyCity, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["--quiet", "run", str(tiny_city.scenario), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "[1/8]" not in result.output
    assert "done inputs" not in result.output
    assert "tiny: " in result.output  # the final result lines stay
    assert "wrote" in result.output
    loud = runner.invoke(app, ["run", str(tiny_city.scenario), "--out", str(tmp_path / "b")])
    assert "[1/8] inputs ..." in loud.output


def test_result_line_wording(tiny_city: TinyCity, tmp_path: Path) -> None:
    code, output = invoke("run", str(tiny_city.scenario), "--out", str(tmp_path / "a"))
    assert code == 0, output
    assert "cost EUR" in output
    assert "of 600,000" in output  # max_coverage: the budget applies
    code, output = invoke(
        "run",
        str(tiny_city.scenario),
        "--out",
        str(tmp_path / "b"),
        "--set",
        "objective.kind=p_median",
        "--set",
        "objective.p=1",
    )
    assert code == 0, output
    assert (
        "tiny (--set objective.kind=p_median, --set objective.p=1): 1 house (0 new), "
        "0 antennes (0 new)"
    ) in output
    assert "(budget does not apply to p_median)" in output
    assert "of 600,000" not in output


def test_budget_in_thousands_is_questioned(tiny_city: TinyCity, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = invoke(
        "run", str(tiny_city.scenario), "--out", str(out), "--set", "budget.amount_eur=1500"
    )
    assert code == 0, output
    assert "budget EUR 1,500 is below the cheapest new site (EUR 60,000): is it in euro?" in output


def test_obvious_input_mistakes_become_notes(
    tiny_city: TinyCity, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sites = gpd.read_file(tiny_city.sites)
    sites.loc[sites["site_id"] == "S1", "cost_house"] = 4500.0  # thousands of euro?
    sites["existing"] = ""  # no existing sites to keep
    sites.to_file(tiny_city.sites)
    out = tmp_path / "out"
    code, output = invoke(
        "run", str(tiny_city.scenario), "--out", str(out), "--set", "budget.amount_eur=5e6"
    )
    assert code == 0, output
    notes = json.loads((out / "summary.json").read_text())["notes"]
    assert any("house cost under EUR 10,000 (lowest EUR 4,500: S1)" in n for n in notes)
    assert any("not thousands" in n for n in notes)
    assert any(n.startswith("the budget (EUR 5,000,000) does not bind") for n in notes)
    assert any(n.startswith("no existing sites in the sites file") for n in notes)
    assert "house cost under EUR 10,000" in output  # the warning and the note


def test_bad_tiles_stop_before_the_run(tiny_city: TinyCity, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = invoke(
        "run", str(tiny_city.scenario), "--out", str(out), "--set", "outputs.tiles=Bogus.Provider"
    )
    assert code == 2, output
    assert "outputs.tiles" in output
    assert "not a tile provider name" in output
    assert "[1/8]" not in output  # stopped at load, before any stage
    assert not out.exists()
    raw = tiny_city.raw_scenario() | {"outputs": {"tiles": "Bogus.Provider"}}
    code, output = invoke("validate", str(tiny_city.write_scenario(raw, "bad.yaml")))
    assert code == 2
    assert "key 'outputs.tiles'" in output
    for good in ("CartoDB Positron", "OpenStreetMap", "https://tiles.example/{z}/{x}/{y}.png"):
        raw = tiny_city.raw_scenario() | {"outputs": {"tiles": good}}
        code, output = invoke("validate", str(tiny_city.write_scenario(raw, "ok.yaml")))
        assert code == 0, (good, output)


def test_set_errors_name_the_option(tiny_city: TinyCity, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = invoke(
        "run", str(tiny_city.scenario), "--out", str(out), "--set", "budget=3000000"
    )
    assert code == 2
    assert "--set budget: budget is a section; use --set budget.amount_eur=3000000" in output
    assert "scenario.yaml" not in output
    assert "valid dictionary" not in output
    code, output = invoke("run", str(tiny_city.scenario), "--set", "budget.amount=5e5")
    assert code == 2
    assert "--set budget.amount: unknown key 'budget.amount'" in output
    code, output = invoke("run", str(tiny_city.scenario), "--set", "name.x=1")
    assert code == 2
    assert "--set name.x: 'name' is a single value" in output
    raw = tiny_city.raw_scenario()
    raw["rules"] = {"min_houses": 3, "max_houses": 1}
    code, output = invoke("validate", str(tiny_city.write_scenario(raw, "rules.yaml")))
    assert code == 2
    assert "Value error" not in output
    assert "rules.min_houses (3) is larger than rules.max_houses (1)" in output


def test_validate_takes_set(tiny_city: TinyCity) -> None:
    code, output = invoke("validate", str(tiny_city.scenario), "--set", "budget.amount_eur=5e5")
    assert code == 0, output
    code, output = invoke("validate", str(tiny_city.scenario), "--set", "budget.amount=5e5")
    assert code == 2
    assert "--set budget.amount: unknown key 'budget.amount'" in output
    code, output = invoke("validate", str(tiny_city.scenario), "--set", "budget")
    assert code == 2
    assert "expected KEY=VALUE" in output
