"""planner flanders: every municipality on its own, from ../shared/data alone.

Two small municipalities stand in for all of Flanders (the whole run is a benchmark,
``benchmarks/flanders.py``): Aartselaar (11001, unchanged since 2024) and Merelbeke (44043,
merged with Melle in 2025, so it has no kansarmoede-index in the 2025 indicators file).
"""

from __future__ import annotations

import csv
import json
import logging
import re
from typing import TYPE_CHECKING, Any

import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.errors import DataError, ScenarioError
from planner.workflows import flanders
from planner.workflows.flanders import COLUMNS, run_flanders, write_flanders
from tests.conftest import ROOT

if TYPE_CHECKING:
    from pathlib import Path

SHARED = ROOT.parent / "shared" / "data"
pytestmark = pytest.mark.skipif(
    not (SHARED / "belgium" / "sector_centroids_2024.gpkg").exists()
    or not (SHARED / "flanders" / "gemeente2024.shp").exists(),
    reason="../shared/data (Statbel centroids, Flemish municipalities) is not present",
)
TWO = "11001,44043"


@pytest.fixture(scope="module")
def planned() -> flanders.Flanders:
    return run_flanders(SHARED, budgets=(1e6, 2e6), only=TWO, executor=None)


def test_every_municipality_and_budget_has_a_row(planned: flanders.Flanders) -> None:
    assert [(row["nis"], row["budget"]) for row in planned.rows] == [
        ("11001", 1e6),
        ("11001", 2e6),
        ("44043", 1e6),
        ("44043", 2e6),
    ]
    for row in planned.rows:
        assert row["error"] is None
        assert row["status"] == "optimal"
        assert row["cost"] <= row["budget"]
        assert 0 < row["coverage_house"] <= 1
        assert row["sector_geometry"] == "voronoi"
    # more money never reaches fewer families (the smaller plan stays affordable)
    for nis in ("11001", "44043"):
        low, high = (row for row in planned.rows if row["nis"] == nis)
        assert high["coverage_house"] >= low["coverage_house"] - 1e-9


def test_merged_municipality_is_said_and_planned_on_income(planned: flanders.Flanders) -> None:
    assert planned.codes["planned"] == ["11001", "44043"]
    assert planned.codes["merged_since_2024"] == ["44043"]
    merelbeke = next(row for row in planned.rows if row["nis"] == "44043")
    assert merelbeke["need_indicators"] == "median_income"
    assert any("merged since (44043)" in note for note in planned.notes)
    assert any("Voronoi" in note for note in planned.notes)
    assert "kansarmoede-index" in (merelbeke["warnings"] or "")


def test_written_outputs(planned: flanders.Flanders, tmp_path: Path) -> None:
    written = write_flanders(planned, tmp_path / "flanders")
    with written["flanders.csv"].open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == 4
    record = json.loads(written["flanders.json"].read_text(encoding="utf-8"))
    assert record["codes"]["merged_since_2024"] == ["44043"]
    summary = tmp_path / "flanders" / "municipalities" / "44043" / "eur_2000000" / "summary.json"
    assert json.loads(summary.read_text(encoding="utf-8"))["budget"] == 2e6
    page = written["map.html"].read_text(encoding="utf-8")
    assert "Budget per gemeente: \\u20ac 1.000.000" in page  # the layer list, in JavaScript
    assert "Merelbeke (44043)" in page
    assert "hemelsbreed \u00d7 1,3" in page
    # Leaflet inline: no script or style sheet loaded from the web
    assert re.search(r'<(script|link)[^>]*(src|href)="https?://', page) is None
    # the same rows give the same bytes
    again = write_flanders(planned, tmp_path / "again")
    for name, path in written.items():
        assert path.read_bytes() == again[name].read_bytes(), name


def test_a_municipality_that_fails_says_why_and_the_rest_go_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = flanders.prepare_from_folder

    def broken(municipality: str, *args: Any, **kwargs: Any) -> Any:
        if municipality == "11001":
            message = "sectors.gpkg: no sector of 11001"
            raise DataError(message)
        return real(municipality, *args, **kwargs)

    monkeypatch.setattr(flanders, "prepare_from_folder", broken)
    result = run_flanders(SHARED, only=TWO)
    failed, fine = result.rows
    assert failed["error"] == "data: sectors.gpkg: no sector of 11001"
    assert fine["error"] is None
    assert fine["houses"] >= 1
    assert any("1 municipalities have no plan" in note for note in result.notes)


def test_cli_plans_and_reports(tmp_path: Path) -> None:
    out = tmp_path / "fl"
    result = CliRunner().invoke(
        app,
        ["flanders", "--from", str(SHARED), "--only", "11001", "--out", str(out), "-j", "1"],
    )
    assert result.exit_code == 0, result.output
    assert "1 municipalities: 1 planned" in result.output
    assert (out / "map.html").exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--only", "21004"], "NIS code 21004 is not a Flemish municipality (Brussels)"),
        (["--only", "99999"], "NIS code 99999 is not a Flemish municipality"),
        (["--only", "11001", "--budget", "-5"], "--budget: a budget cannot be negative"),
        (["--only", "11001", "--scenario", "nope.yaml"], "--scenario nope.yaml: the template"),
    ],
)
def test_bad_input_is_one_line_exit_2(arguments: list[str], message: str, tmp_path: Path) -> None:
    out = tmp_path / "fl"
    result = CliRunner().invoke(
        app, ["flanders", "--from", str(SHARED), *arguments, "--out", str(out)]
    )
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert not out.exists()


def test_template_errors_stop_before_any_municipality(tmp_path: Path) -> None:
    template = tmp_path / "t.yaml"
    template.write_text(
        (ROOT / "scenarios" / "flanders.yaml")
        .read_text(encoding="utf-8")
        .replace("house_min: 20", "house_min: -1"),
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError, match="house_min"):
        run_flanders(SHARED, template=template, only="11001")


def test_rows_do_not_depend_on_the_callers_logging() -> None:
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        quiet = run_flanders(SHARED, only="44043")
    finally:
        root.setLevel(level)
    assert "kansarmoede-index" in (quiet.rows[0]["warnings"] or "")


def test_a_municipality_of_the_2019_mergers_says_why_it_has_no_plan() -> None:
    # Puurs-Sint-Amands (12041, 2019): the centroids and tables still carry 12030 and 12034
    (row,) = run_flanders(SHARED, only="12041").rows
    assert row["error"].startswith("data: municipality 12041 has no sector centroid")
    assert "carry the codes of 12030, 12034, municipalities merged into it" in row["error"]
