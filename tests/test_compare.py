"""planner compare on the demo city: side-by-side table, changes against a baseline, files."""

from __future__ import annotations

import csv
import dataclasses
import json
import logging
from typing import TYPE_CHECKING, Any

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from planner.cli import app
from planner.report.assets import format_number
from planner.scenario import load_scenario
from planner.workflows.compare import (
    FIGURE_COLUMNS,
    compare_plans,
    comparison_map_page,
    comparison_markdown,
    group_coverage,
    site_changes,
    summary_row,
    write_comparison,
)
from planner.workflows.pipeline import run
from tests.conftest import ROOT

if TYPE_CHECKING:
    from pathlib import Path

    from planner.results.plan import Plan

DEMO = ROOT / "scenarios" / "demo.yaml"


def demo_variant(folder: Path, name: str, budget: float) -> Path:
    """A copy of the demo scenario with another name and budget, data paths made absolute."""
    raw = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    for key in ("sectors", "sites", "network"):
        raw["data"][key] = str((DEMO.parent / raw["data"][key]).resolve())
    raw["name"] = name
    raw["budget"]["amount_eur"] = budget
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("scenarios")
    return {
        "today": demo_variant(folder, "today", 0.0),
        "small": demo_variant(folder, "small", 8e5),
        "large": demo_variant(folder, "large", 1.5e6),
    }


@pytest.fixture(scope="module")
def compared(files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("compare") / "cmp"
    result = CliRunner().invoke(
        app,
        [
            "compare",
            str(files["small"]),
            str(files["large"]),
            "--baseline",
            str(files["today"]),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "today (baseline)" in result.output
    return out


@pytest.fixture(scope="module")
def plans(files: dict[str, Path]) -> dict[str, Plan]:
    return {name: run(load_scenario(path)) for name, path in files.items()}


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def as_csv(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def test_writes_every_file(compared: Path) -> None:
    for name in ("comparison.csv", "comparison.json", "comparison.md", "map.html"):
        assert (compared / name).is_file(), name
    for label in ("today", "small", "large"):
        assert (compared / label / "summary.json").is_file()
        assert (compared / label / "plan.gpkg").is_file()
    assert not [p for p in compared.parent.iterdir() if p.name.startswith(".cmp")]


def test_csv_figures_match_each_runs_summary(compared: Path) -> None:
    rows = read_rows(compared / "comparison.csv")
    assert [row["folder"] for row in rows] == ["today", "small", "large"]
    assert [row["role"] for row in rows] == ["baseline", "scenario", "scenario"]
    for row in rows:
        summary = json.loads((compared / row["folder"] / "summary.json").read_text())
        expected = summary_row(summary)
        for column in FIGURE_COLUMNS:
            assert row[column] == as_csv(expected[column]), (row["folder"], column)
    # the equity figures are in every summary and in the table
    assert rows[1]["gini_house"] != ""
    assert rows[1]["coverage_house_q1"] == rows[1]["coverage_house_neediest"]


def test_changes_against_the_baseline(compared: Path) -> None:
    rows = {row["folder"]: row for row in read_rows(compared / "comparison.csv")}
    base = json.loads((compared / "today" / "summary.json").read_text())
    assert rows["today"]["houses_added"] == ""
    for label in ("small", "large"):
        row = rows[label]
        summary = json.loads((compared / label / "summary.json").read_text())
        for role in ("house", "antenne"):
            added, removed, kept = (int(row[f"{role}s_{w}"]) for w in ("added", "removed", "kept"))
            assert added + kept == summary[f"{role}s"]
            assert removed + kept == base[f"{role}s"]
        assert int(row["houses_added"]) == summary["houses_new"]
        change = float(row["house_neediest_pp"])
        expected = 100 * (
            summary["coverage"]["house_neediest_quintile"]
            - base["coverage"]["house_neediest_quintile"]
        )
        assert change == pytest.approx(expected, abs=0.01)
    detail = json.loads((compared / "comparison.json").read_text())
    assert detail["baseline"] == "today"
    assert set(detail["changes"]) == {"small", "large"}
    assert len(detail["changes"]["large"]["sites"]["house"]["added"]) == int(
        rows["large"]["houses_added"]
    )


def test_markdown_dutch_by_default_and_english(compared: Path, plans: dict[str, Plan]) -> None:
    text = (compared / "comparison.md").read_text(encoding="utf-8")
    assert "Het vijfde van de gezinnen in de meest kwetsbare sectoren" in text
    assert "Tegenover de basis: today" in text
    assert "| today (basis) | small | large |" in text
    assert "| Vervoerswijze | te voet | te voet | te voet |" in text
    assert "| Normen: huis / frequent aanbod |" in text
    assert "90e percentiel" in text
    assert "Status van de berekening" in text
    assert "De Gini-index meet hoe ongelijk de reistijden" in text
    for technical in ("R_H", "R_A", "p90", "gap", "Let op"):  # same yardstick everywhere
        assert technical not in text, technical
    comparison = compare_plans([plans["small"], plans["large"]], plans["today"])
    english = comparison_markdown(comparison, "en")
    assert "The fifth of the families in the neediest sectors" in english
    assert "Against the baseline: today" in english
    assert "| Travel mode | on foot | on foot | on foot |" in english
    assert "it can rise while coverage improves" in english


def tightened(plan: Plan, mu: float, mode: str | None = None) -> Plan:
    """The plan with another need tightening (and mode) in its summary."""
    summary = {
        **plan.summary,
        "standards_min": {**plan.summary["standards_min"], "need_tightening": mu},
        "mode": mode or plan.summary["mode"],
    }
    return dataclasses.replace(plan, summary=summary)


def test_different_yardsticks_are_flagged(
    plans: dict[str, Plan], caplog: pytest.LogCaptureFixture
) -> None:
    strict = tightened(plans["large"], 0.3)
    with caplog.at_level(logging.WARNING, logger="planner.workflows.compare"):
        comparison = compare_plans([plans["small"], strict], plans["today"])
    assert "different yardsticks" in caplog.text
    text = comparison_markdown(comparison, "nl")
    assert "gebruiken niet dezelfde normen; de cijfers zijn gemeten met" in text
    assert "verschillende maatstaven" in text
    house = format_number(plans["large"].summary["standards_min"]["house"] * 0.7)
    assert f"tot {house} / " in text
    assert "min voor de meest kwetsbare sectoren" in text
    bike = compare_plans([tightened(plans["small"], 0.0, "bike")], plans["today"])
    english = comparison_markdown(bike, "en")
    assert "do not use the same travel mode;" in english
    assert "different yardsticks" in english
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="planner.workflows.compare"):
        same = compare_plans([plans["small"]], plans["today"])
    assert "yardsticks" not in caplog.text
    assert "Let op" not in comparison_markdown(same, "nl")


def test_compare_in_english_writes_english_notes(plans: dict[str, Plan], tmp_path: Path) -> None:
    comparison = compare_plans([plans["small"]], plans["today"])
    write_comparison(comparison, tmp_path / "cmp", lang="en")
    note = (tmp_path / "cmp" / "small" / "note.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in note
    assert "Key figures" in note
    assert "percentage points compared with the baseline scenario today" in note
    assert "Kerncijfers" not in note
    assert "Comparison of scenarios" in (tmp_path / "cmp" / "comparison.md").read_text()
    dutch = compare_plans([plans["small"]], plans["today"])
    write_comparison(dutch, tmp_path / "nl", lang="nl")
    assert "Kerncijfers" in (tmp_path / "nl" / "small" / "note.html").read_text(encoding="utf-8")


def test_map_page_frames_every_run(compared: Path) -> None:
    page = (compared / "map.html").read_text(encoding="utf-8")
    for label in ("today", "small", "large"):
        assert f'src="{label}/map.html"' in page
        assert (compared / label / "map.html").is_file()


def test_map_page_escapes_and_handles_missing_maps(plans: dict[str, Plan]) -> None:
    comparison = compare_plans([plans["small"]])
    rows = [{**comparison.rows[0], "folder": "<script>x</script>"}]
    fake = type(comparison)(
        plans=comparison.plans,
        baseline=None,
        labels=("<script>x</script>",),
        rows=tuple(rows),
        changes={},
    )
    page = comparison_map_page(fake, {}, "en")
    assert "<script>x" not in page
    assert "&lt;script&gt;" in page
    assert "no map" in page


def test_site_changes_and_group_coverage_by_hand() -> None:
    before = pd.DataFrame({"site_id": ["A", "B", "C"], "role": ["house", "antenne", "closed"]})
    after = pd.DataFrame({"site_id": ["A", "B", "C"], "role": ["house", "house", "antenne"]})
    changes = site_changes(before, after)
    assert changes["house"] == {"added": ["B"], "removed": [], "kept": ["A"]}
    assert changes["antenne"] == {"added": ["C"], "removed": ["B"], "kept": []}
    sectors = pd.DataFrame(
        {
            "target": [10.0, 30.0, 60.0],
            "neediest_quintile": [True, False, False],
            "covered_house": [True, True, False],
            "covered_frequent": [False, False, True],
        }
    )
    assert group_coverage(sectors) == {
        "house_neediest": 1.0,
        "house_rest": 0.333333,
        "frequent_neediest": 0.0,
        "frequent_rest": 0.666667,
    }


def test_same_name_twice_gets_two_folders(plans: dict[str, Plan]) -> None:
    comparison = compare_plans([plans["small"], plans["small"]])
    assert comparison.labels == ("small", "small-2")
    assert comparison.changes == {}


def test_bad_input_is_one_line_and_writes_nothing(files: dict[str, Path], tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "cmp"
    result = runner.invoke(app, ["compare", str(files["small"]), "--out", str(out), "--lang", "fr"])
    assert result.exit_code == 2
    assert "--lang 'fr'" in result.output
    result = runner.invoke(
        app, ["compare", str(files["small"]), str(tmp_path / "missing.yaml"), "--out", str(out)]
    )
    assert result.exit_code == 2
    assert "missing.yaml does not exist" in result.output
    assert not out.exists()


def test_each_note_states_the_change_against_the_baseline(compared: Path) -> None:
    base = json.loads((compared / "today" / "summary.json").read_text())
    assert "tegenover het basisscenario" not in (compared / "today" / "note.html").read_text()
    for label in ("small", "large"):
        summary = json.loads((compared / label / "summary.json").read_text())
        # the difference of the two percentages as the note prints them (whole numbers)
        delta = round(100 * summary["coverage"]["house_neediest_quintile"]) - round(
            100 * base["coverage"]["house_neediest_quintile"]
        )
        note = (compared / label / "note.html").read_text()
        assert "procentpunten tegenover het basisscenario today" in note
        assert "tegenover vandaag" not in note
        assert f"{delta:+d} procentpunten" in note
