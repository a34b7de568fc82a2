"""Outputs that cannot mislead: overrides named everywhere, a baseline kept as it is."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from typer.testing import CliRunner

from planner.cli import app
from planner.scenario import load_scenario, question_overrides
from tests.conftest import scenario_dict

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

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
    assert len(spec.folder_name()) <= len("tiny--") + 60
    assert spec.folder_name().startswith("tiny--budget.amount_eur-1.0-description-yyy")
    assert load_scenario(tiny_city.scenario, {"solver.name": "highs"}).folder_name() == "tiny"
