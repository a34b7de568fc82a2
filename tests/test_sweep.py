"""planner sweep: --vary parsing, dominance by hand, a budget sweep of the demo city."""

from __future__ import annotations

import csv
import json
from typing import TYPE_CHECKING

import numpy as np
import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.errors import ScenarioError
from planner.workflows.sweep import VarySpec, mark_dominated, parse_vary, run_sweep
from tests.conftest import ROOT

if TYPE_CHECKING:
    from pathlib import Path

DEMO = ROOT / "scenarios" / "demo.yaml"


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- --vary ------------------------------------------------------------------------------------


def test_parse_vary_forms() -> None:
    assert parse_vary("budget=5e5:1.5e6:3") == VarySpec("budget.amount_eur", (5e5, 1e6, 1.5e6))
    assert parse_vary("need.equity_lambda=0:2:3").values == (0.0, 1.0, 2.0)
    assert parse_vary("lambda=1:1:1") == VarySpec("need.equity_lambda", (1.0,))
    assert parse_vary(" standards.house_min = 10 : 20 : 2 ").values == (10.0, 20.0)
    p = parse_vary("objective.p=2:6:3")
    assert p.values == (2, 4, 6)
    assert all(isinstance(v, int) for v in p.values)
    assert parse_vary("rules.min_houses=0:2:3").values == (0, 1, 2)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("budget=1:2", "expected KEY=LOW:HIGH:STEPS"),
        ("budget", "expected KEY=LOW:HIGH:STEPS"),
        ("budget=a:b:3", "expected KEY=LOW:HIGH:STEPS"),
        ("budget=1:2:2.5", "expected KEY=LOW:HIGH:STEPS"),
        ("budget=1:2:1", "STEPS must be at least 2"),
        ("budget=1:2:0", "STEPS must be at least 2"),
        ("budgets=1:2:3", "'budgets' is not a numeric scenario option"),
        ("solver.name=1:2:3", "'solver.name' is not a numeric scenario option"),
        ("objective.keep_existing=0:1:2", "not a numeric scenario option"),
        ("standards=1:2:3", "not a numeric scenario option"),
        ("objective.p=1:2:3", "objective.p takes whole numbers"),
    ],
)
def test_parse_vary_rejects(text: str, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_vary(text)
    assert message in str(caught.value)
    assert repr(text) in str(caught.value)
    assert "\n" not in str(caught.value)


# --- dominance ---------------------------------------------------------------------------------


def test_mark_dominated_by_hand() -> None:
    #               cost  overall neediest
    table = np.array(
        [
            [1.0, 0.50, 0.40],  # A: cheapest
            [2.0, 0.60, 0.50],  # B: best coverage
            [2.0, 0.55, 0.45],  # C: as dear as B, reaches fewer: dominated by B
            [1.0, 0.50, 0.40],  # D: identical to A: neither dominates the other
            [3.0, 0.60, 0.50],  # E: dearer than B for the same: dominated
            [2.5, 0.58, 0.60],  # F: best for the neediest: not dominated
            [1.5, 0.45, 0.40],  # G: dearer than A and worse overall: dominated
        ]
    )
    flags = mark_dominated(table[:, 0], table[:, 1:])
    assert flags.tolist() == [False, False, True, False, True, False, True]
    assert mark_dominated(np.array([5.0]), np.array([[0.1]])).tolist() == [False]


# --- a sweep of the demo city ------------------------------------------------------------------


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sweep") / "budget"
    result = CliRunner().invoke(
        app,
        ["sweep", str(DEMO), "--vary", "budget=5e5:1.5e6:3", "--out", str(out), "--jobs", "2"],
    )
    assert result.exit_code == 0, result.output
    assert "3 variants, 3 with a plan" in result.output
    return out


def test_sweep_table_matches_each_variant(swept: Path) -> None:
    rows = read_rows(swept / "sweep.csv")
    assert [row["variant"] for row in rows] == ["v01", "v02", "v03"]
    assert [float(row["budget.amount_eur"]) for row in rows] == [5e5, 1e6, 1.5e6]
    for row in rows:
        summary = json.loads((swept / "variants" / row["variant"] / "summary.json").read_text())
        assert summary["budget"] == float(row["budget.amount_eur"])
        assert float(row["cost"]) == summary["cost"]
        assert float(row["coverage_house"]) == summary["coverage"]["house"]
        assert (
            float(row["coverage_frequent_neediest"])
            == (summary["coverage"]["frequent_neediest_quintile"])
        )
        assert row["status"] == summary["status"]
        assert row["proven_optimal"] == ("true" if summary["proven_optimal"] else "false")
        assert float(row["cost"]) <= float(row["budget.amount_eur"])
    # more money never reaches fewer families: coverage grows with the budget
    coverage = [float(row["coverage_house"]) for row in rows]
    assert coverage == sorted(coverage)


def test_sweep_dominance_and_robust_sites(swept: Path) -> None:
    rows = read_rows(swept / "sweep.csv")
    columns = [
        "coverage_house",
        "coverage_frequent",
        "coverage_house_neediest",
        "coverage_frequent_neediest",
    ]
    cost = np.array([float(row["cost"]) for row in rows])
    benefits = np.array([[float(row[c]) for c in columns] for row in rows])
    expected = mark_dominated(cost, benefits)
    assert [row["dominated"] == "true" for row in rows] == expected.tolist()
    assert not all(row["dominated"] == "true" for row in rows)
    robust = read_rows(swept / "robust_sites.csv")
    assert robust
    assert all(0 < float(row["share"]) <= 1 for row in robust)
    assert all(float(row["share"]) == 1 for row in robust if row["existing"] == "true")
    assert {row["role"] for row in robust} <= {"house", "antenne"}
    png = (swept / "sweep.png").read_bytes()
    assert png.startswith(b"\x89PNG")


def test_sweep_is_the_same_in_one_process(swept: Path) -> None:
    sweep = run_sweep(DEMO, [parse_vary("budget=5e5:1.5e6:3")], jobs=1)
    rows = read_rows(swept / "sweep.csv")
    assert [row["cost"] for row in rows] == [str(row["cost"]) for row in sweep.rows]


def test_sweep_bad_vary_is_one_line(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    result = CliRunner().invoke(
        app, ["sweep", str(DEMO), "--vary", "budget=1e5..2e5", "--out", str(out)]
    )
    assert result.exit_code == 2
    assert "--vary 'budget=1e5..2e5': expected KEY=LOW:HIGH:STEPS" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists()


def test_sweep_invalid_variant_stops_before_running(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    result = CliRunner().invoke(
        app,
        ["sweep", str(DEMO), "--vary", "standards.need_tightening=0:1.5:2", "--out", str(out)],
    )
    assert result.exit_code == 2
    assert "need_tightening" in result.output
    assert "variant standards.need_tightening=1.5" in result.output
    assert not out.exists()


def test_sweep_rejects_a_key_varied_twice() -> None:
    with pytest.raises(ScenarioError, match="varied more than once"):
        run_sweep(DEMO, [parse_vary("budget=1:2:2"), parse_vary("budget.amount_eur=1:2:2")])


def test_sweep_plot_is_dutch_by_default_english_on_request(tmp_path: Path) -> None:
    from planner.report.sweep_plot import _PLOT_TEXT  # noqa: PLC0415 - private table
    from planner.workflows.sweep import write_sweep  # noqa: PLC0415

    assert set(_PLOT_TEXT["nl"]) == set(_PLOT_TEXT["en"])
    sweep = run_sweep(DEMO, [parse_vary("budget=5e5:1e6:2")], jobs=1)
    dutch = write_sweep(sweep, tmp_path / "nl")["sweep.png"].read_bytes()
    english = write_sweep(sweep, tmp_path / "en", lang="en")["sweep.png"].read_bytes()
    assert dutch != english
    assert dutch == write_sweep(sweep, tmp_path / "nl2")["sweep.png"].read_bytes()
    result = CliRunner().invoke(
        app,
        [
            "sweep",
            str(DEMO),
            "--vary",
            "budget=5e5:1e6:2",
            "--out",
            str(tmp_path / "x"),
            "--lang",
            "fr",
        ],
    )
    assert result.exit_code == 2
    assert "--lang 'fr'" in result.output
