"""Outputs that cannot mislead: overrides named everywhere, a baseline kept as it is."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.data.checks import coordinates_problem, point_table
from planner.report.outputs import write_outputs
from planner.report.staticmap import draw_static_map
from planner.scenario import folder_name, load_scenario, question_overrides
from planner.workflows.compare import compare_plans, comparison_markdown, yardstick_warning
from planner.workflows.pipeline import run
from tests.conftest import scenario_dict

if TYPE_CHECKING:
    from planner.results.plan import Plan
    from tests.conftest import TinyCity


def test_only_question_keys_count_as_overrides() -> None:
    given = {"budget.amount_eur": "2e6", "solver.name": "highs", "outputs.language": "en"}
    assert question_overrides(given) == ("budget.amount_eur=2e6",)
    assert question_overrides({"rules.house_per_group": None}) == ("rules.house_per_group=None",)


def test_compare_set_never_changes_the_baseline(tiny_city: TinyCity, tmp_path: Path) -> None:
    today = scenario_dict("today")
    today["budget"] = {"amount_eur": 0}
    baseline = tiny_city.write_scenario(today, "today.yaml")
    out = tmp_path / "cmp"
    result = CliRunner().invoke(
        app,
        [
            "compare",
            str(tiny_city.scenario),
            "--baseline",
            str(baseline),
            "--set",
            "budget.amount_eur=2e6",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    base = json.loads((out / "today" / "summary.json").read_text())
    assert base["budget"] == 0
    assert base["houses_new"] == 0
    assert base["antennes_new"] == 0
    assert base["overrides"] == []
    changed = json.loads((out / "tiny" / "summary.json").read_text())
    assert changed["budget"] == 2e6
    assert changed["overrides"] == ["budget.amount_eur=2e6"]
    markdown = (out / "comparison.md").read_text()
    assert "tiny is aangepast tegenover zijn scenariobestand: --set budget.amount_eur=2e6" in (
        markdown
    )
    assert "today is aangepast" not in markdown


def test_compare_baseline_set_changes_it_and_says_so(tiny_city: TinyCity, tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    result = CliRunner().invoke(
        app,
        [
            "compare",
            str(tiny_city.scenario),
            "--baseline",
            str(tiny_city.scenario),
            "--baseline-set",
            "budget.amount_eur=0",
            "--out",
            str(out),
            "--lang",
            "en",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "(baseline) (--set budget.amount_eur=0)" in result.output
    base = json.loads((out / "tiny" / "summary.json").read_text())
    assert base["budget"] == 0
    assert base["overrides"] == ["budget.amount_eur=0"]
    assert "tiny is changed from its scenario file: --set budget.amount_eur=0" in (
        (out / "comparison.md").read_text()
    )


def test_run_with_set_gets_its_own_folder_and_names_it(
    tiny_city: TinyCity, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    plain = runner.invoke(app, ["run", str(tiny_city.scenario)])
    assert plain.exit_code == 0, plain.output
    before = (tmp_path / "outputs" / "tiny" / "summary.json").read_bytes()
    changed = runner.invoke(
        app, ["run", str(tiny_city.scenario), "--set", "budget.amount_eur=3e5", "--solver", "highs"]
    )
    assert changed.exit_code == 0, changed.output
    assert (tmp_path / "outputs" / "tiny" / "summary.json").read_bytes() == before
    folder = tmp_path / "outputs" / "tiny--budget.amount_eur-3e5"
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["overrides"] == ["budget.amount_eur=3e5"]
    assert summary["budget"] == 3e5
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["scenario"]["overrides"] == ["budget.amount_eur=3e5"]
    assert "overrides,budget.amount_eur=3e5" in (folder / "summary.csv").read_text()
    note = (folder / "note.html").read_text()
    assert "scenario tiny (aangepast: --set budget.amount_eur=3e5)" in note
    assert "Deze run wijkt af van het scenariobestand: --set budget.amount_eur=3e5" in note
    assert "tiny (--set budget.amount_eur=3e5)" in (folder / "map.html").read_text()
    assert "tiny (--set budget.amount_eur=3e5):" in changed.output


def test_long_overrides_get_a_short_folder(tiny_city: TinyCity) -> None:
    spec = load_scenario(tiny_city.scenario, {"budget.amount_eur": 1.0, "description": "y" * 90})
    assert len(folder_name(spec)) <= len("tiny--") + 60
    assert folder_name(spec).startswith("tiny--budget.amount_eur-1.0-description-yyy")
    assert folder_name(load_scenario(tiny_city.scenario, {"solver.name": "highs"})) == "tiny"


def equity_city(city: TinyCity) -> Path:
    raw = scenario_dict("tiny_equity")
    raw["standards"]["need_tightening"] = 0.5
    return city.write_scenario(raw, "equity.yaml")


def by_hand(plan: Plan, house_min: float, frequent_min: float) -> dict[str, float]:
    sectors = plan.sectors
    target = sectors["target"].to_numpy(dtype=float)
    needy = sectors["neediest_quintile"].to_numpy(dtype=bool)
    house = sectors["tt_house_min"].to_numpy(dtype=float) <= house_min
    frequent = sectors["tt_frequent_min"].to_numpy(dtype=float) <= frequent_min
    return {
        "house": target @ house / target.sum(),
        "frequent": target @ frequent / target.sum(),
        "house_neediest_quintile": target[needy] @ house[needy] / target[needy].sum(),
        "frequent_neediest_quintile": target[needy] @ frequent[needy] / target[needy].sum(),
    }


def test_stricter_standards_come_with_the_figures_at_the_common_standard(
    tiny_city: TinyCity, tmp_path: Path
) -> None:
    plan = run(load_scenario(equity_city(tiny_city)))
    block = plan.summary["common_standard"]
    assert block["standards_min"] == {"house": 15, "frequent": 8, "need_tightening": 0.0}
    expected = by_hand(plan, 15, 8)
    for name, share in expected.items():
        assert block["coverage"][name] == pytest.approx(share, abs=1e-6)
        assert block["coverage"][name] >= plan.summary["coverage"][name]
    # the tightening binds somewhere in the tiny city, else the test proves nothing
    assert any(block["coverage"][n] > plan.summary["coverage"][n] for n in expected)
    assert "common_standard" not in run(load_scenario(tiny_city.scenario)).summary
    write_outputs(plan, tmp_path / "out")
    note = (tmp_path / "out" / "note.html").read_text()
    assert "Met de gewone normen (een huis binnen 15 minuten, frequent aanbod binnen 8" in note
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["common_standard"]["coverage"] == block["coverage"]
    assert "met de gewone normen (15 min voor elke sector)" in (
        (tmp_path / "out" / "map.html").read_text()
    )
    texts = " ".join(
        t.get_text() for t in draw_static_map(plan, "en").findobj(lambda a: hasattr(a, "get_text"))
    )
    assert "at the common standards (15 min for every sector)" in " ".join(texts.split())


def test_compare_puts_every_scenario_on_the_common_standard(
    tiny_city: TinyCity, tmp_path: Path
) -> None:
    equity = equity_city(tiny_city)
    plain, strict = run(load_scenario(tiny_city.scenario)), run(load_scenario(equity))
    comparison = compare_plans([strict], plain)
    row = comparison.rows[1]
    common = strict.summary["common_standard"]["coverage"]
    assert row["yardstick"] == "common"
    assert row["coverage_house_neediest"] == common["house_neediest_quintile"]
    assert (
        row["own_coverage_house_neediest"] == strict.summary["coverage"]["house_neediest_quintile"]
    )
    assert row["need_tightening"] == 0.0
    base = plain.summary["coverage"]["house_neediest_quintile"]
    assert row["house_neediest_pp"] == pytest.approx(
        100 * (common["house_neediest_quintile"] - base), abs=0.01
    )
    assert yardstick_warning(comparison) is None  # one yardstick now
    markdown = comparison_markdown(comparison)
    assert "tiny_equity legt strengere normen op voor de meest kwetsbare sectoren" in markdown
    own = compare_plans([strict], plain, common_standard=False).rows[1]
    assert own["coverage_house_neediest"] == strict.summary["coverage"]["house_neediest_quintile"]
    assert own["need_tightening"] == 0.5


def test_coordinates_that_cannot_be_in_the_layers_crs() -> None:
    gent = gpd.GeoDataFrame(
        {"site_id": ["S1", "S2"]},
        geometry=gpd.points_from_xy([104_000.0, 106_500.0], [194_000.0, 193_000.0]),
        crs="EPSG:31370",
    )
    path = Path("sites.gpkg")
    assert coordinates_problem(gent, path, "sites", "site_id") is None
    as_3812 = gent.to_crs("EPSG:3812").set_crs("EPSG:31370", allow_override=True)
    found = coordinates_problem(as_3812, path, "sites", "site_id")
    assert found is not None
    assert "says its CRS is EPSG:31370" in found
    assert "look like EPSG:3812 (ETRS89 / Belgian Lambert 2008)" in found
    metres_as_degrees = gent.set_crs("EPSG:4326", allow_override=True)
    found = coordinates_problem(metres_as_degrees, path, "sites", "site_id")
    assert found is not None
    assert "look like EPSG:31370" in found
    mixed = pd.concat([gent, gent.to_crs("EPSG:4326").set_crs("EPSG:31370", allow_override=True)])
    mixed["site_id"] = ["S1", "S2", "S3", "S4"]
    found = coordinates_problem(mixed, path, "sites", "site_id")
    assert found is not None
    assert "2 of 4 sites (S3, S4;" in found
    # a synthetic layer near the CRS's origin is far from Belgium but fits no other CRS either
    tiny = gent.assign(geometry=gpd.points_from_xy([500.0, 2500.0], [500.0, 1500.0]))
    assert coordinates_problem(tiny, path, "sites", "site_id") is None


def test_identical_warnings_once_per_run(tiny_city: TinyCity, tmp_path: Path) -> None:
    # the ignored road-class speeds are found once per travel mode: the same sentence twice
    result = CliRunner().invoke(
        app,
        [
            "run",
            str(tiny_city.scenario),
            "--out",
            str(tmp_path / "out"),
            "--set",
            "travel.class_speeds_kmh={car: {'1': 50}}",
            "--set",
            "travel.modes={walk: {share: 0.5}, car: {share: 0.5}}",
        ],
    )
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert flat.count("travel.class_speeds_kmh / excluded_classes are set") == 1, result.output


def test_quiet_keeps_the_warnings_that_change_a_figure(tiny_city: TinyCity, tmp_path: Path) -> None:
    args = [
        "run",
        str(tiny_city.scenario),
        "--out",
        str(tmp_path / "out"),
        "--set",
        "standards.house_min=4",  # three sectors have no site this near: it changes a figure
        "--set",
        "standards.frequent_min=3",
        "--set",
        "budget.amount_eur=1e12",  # a warning about cost units, which changes no figure
    ]
    loud = " ".join(CliRunner().invoke(app, args).output.split())
    assert "3 sectors (400 families) have no candidate site within the standards" in loud
    assert "more than 1000 times the most expensive site" in loud
    result = CliRunner().invoke(app, ["--quiet", *args])
    assert result.exit_code == 0, result.output
    quiet = " ".join(result.output.split())
    assert "3 sectors (400 families) have no candidate site within the standards" in quiet
    assert "more than 1000 times the most expensive site" not in quiet
    assert "[1/8]" not in quiet  # no progress lines


def test_a_site_table_with_coordinates_is_read(tiny_city: TinyCity) -> None:
    layer = gpd.read_file(tiny_city.sites)
    table = layer.drop(columns="geometry").assign(x=layer.geometry.x, y=layer.geometry.y)
    table.to_csv(tiny_city.folder / "sites.csv", sep=";", index=False)
    table.to_excel(tiny_city.folder / "sites.xlsx", index=False)
    degrees = layer.to_crs("EPSG:4326")
    layer.drop(columns="geometry").assign(lon=degrees.geometry.x, lat=degrees.geometry.y).to_csv(
        tiny_city.folder / "sites_lonlat.csv", index=False
    )
    expected = run(load_scenario(tiny_city.scenario)).summary
    for name in ("sites.csv", "sites.xlsx"):
        summary = run(load_scenario(tiny_city.scenario, {"data.sites": name})).summary
        assert summary["coverage"] == expected["coverage"], name
        assert summary["houses"] == expected["houses"], name
        assert summary["cost"] == expected["cost"], name
    sites = point_table(tiny_city.folder / "sites_lonlat.csv", "sites", "EPSG:31370")
    assert sites.crs == "EPSG:31370"
    assert np.abs(sites.geometry.x.to_numpy() - layer.geometry.x.to_numpy()).max() < 0.01
    assert np.abs(sites.geometry.y.to_numpy() - layer.geometry.y.to_numpy()).max() < 0.01


def test_user_input_is_echoed_literally(tiny_city: TinyCity) -> None:
    runner = CliRunner()
    for command in ("run", "validate"):
        result = runner.invoke(
            app, [command, str(tiny_city.scenario), "--set", "rules.a[red]b:car:=1"]
        )
        assert result.exit_code == 2, result.output
        assert "'rules.a[red]b:car:'" in result.output  # no markup eaten, no emoji
        assert "\N{AUTOMOBILE}" not in result.output


def test_compare_offline_writes_offline_maps(tiny_city: TinyCity, tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    result = CliRunner().invoke(
        app,
        [
            "compare",
            str(tiny_city.scenario),
            "--baseline",
            str(tiny_city.scenario),
            "--offline",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    for label in ("tiny", "tiny-2"):
        page = (out / label / "map.html").read_text()
        assert re.search(r"<(script|link)\b[^>]*(src|href)\s*=\s*[\"']?https?://", page) is None
        assert "L.tileLayer(" not in page


def test_validate_takes_the_solver_and_checks_it_is_installed(
    tiny_city: TinyCity, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["validate", str(tiny_city.scenario), "--solver", "cbc"])
    assert result.exit_code == 0, result.output
    assert "OK, ready to run" in result.output
    monkeypatch.setattr("planner.solve.available_solvers", lambda: ["cbc"])
    result = runner.invoke(app, ["validate", str(tiny_city.scenario), "--solver", "highs"])
    assert result.exit_code == 2, result.output
    assert "--solver highs: the solver is not installed here (installed: cbc)" in result.output
    result = runner.invoke(app, ["validate", str(tiny_city.scenario), "--solver", "gurobi"])
    assert result.exit_code == 2, result.output
    assert "solver.name" in result.output
