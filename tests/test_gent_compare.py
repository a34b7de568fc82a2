"""Compare and sweep on the real Gent data in ../shared/data (skipped when it is absent).

The sectors and sites are prepared from the official files as in tests/test_gent.py; the
comparison puts gent_baseline (EUR 3 million) against gent_today (today's houses, budget 0).
"""

from __future__ import annotations

import csv
import json
from typing import TYPE_CHECKING

import pytest

import planner
from planner.workflows.compare import run_comparison, write_comparison
from planner.workflows.sweep import parse_vary, run_sweep
from tests.conftest import ROOT, SHARED_DATA, gent_data

if TYPE_CHECKING:
    from pathlib import Path

    from planner.data.prepare import PrepareResult

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not (SHARED_DATA / "gent").is_dir(),
        reason=f"the real Gent data is not in {SHARED_DATA} (../shared/data beside the repo)",
    ),
]


def gent_scenario(name: str, prepared: PrepareResult) -> planner.Scenario:
    return planner.load_scenario(
        ROOT / "scenarios" / f"{name}.yaml",
        gent_data(prepared),
    )


def test_compare_baseline_with_today(gent_prepared: PrepareResult, tmp_path: Path) -> None:
    comparison = run_comparison(
        [gent_scenario("gent_baseline", gent_prepared)], gent_scenario("gent_today", gent_prepared)
    )
    out = tmp_path / "gent_compare"
    write_comparison(comparison, out)
    with (out / "comparison.csv").open(encoding="utf-8", newline="") as handle:
        rows = {row["folder"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {"gent_today", "gent_baseline"}
    today = json.loads((out / "gent_today" / "summary.json").read_text())
    plan = json.loads((out / "gent_baseline" / "summary.json").read_text())
    row = rows["gent_baseline"]
    assert float(row["coverage_house"]) == plan["coverage"]["house"]
    # today's 9 houses are all kept; every new house is an addition
    assert int(row["houses_kept"]) == today["houses"] == 9
    assert int(row["houses_removed"]) == 0
    assert int(row["houses_added"]) == plan["houses_new"]
    # more money reaches more of the neediest fifth, and the change is in percentage points
    gain = 100 * (
        plan["coverage"]["house_neediest_quintile"] - today["coverage"]["house_neediest_quintile"]
    )
    assert float(row["house_neediest_pp"]) == pytest.approx(gain, abs=0.01)
    assert gain >= 0
    for summary in (today, plan):
        equity = summary["equity"]
        assert set(equity["by_quintile"]) == {"q1", "q2", "q3", "q4", "q5"}
        assert 0 <= equity["inequality"]["house"]["gini"] < 1
    text = (out / "comparison.md").read_text(encoding="utf-8")
    assert "Tegenover de basis: gent_today" in text


def test_budget_sweep_on_gent(gent_prepared: PrepareResult) -> None:
    sweep = run_sweep(
        ROOT / "scenarios" / "gent_baseline.yaml",
        [parse_vary("budget=1.2e6:3e6:2")],
        overrides=gent_data(gent_prepared),
        jobs=2,
    )
    low, high = sweep.rows
    assert low["error"] is None
    assert high["error"] is None
    assert low["cost"] <= 1.2e6
    assert high["coverage_house"] >= low["coverage_house"]
    assert not high["dominated"]
    houses = {row["site_id"]: row["share"] for row in sweep.robust if row["role"] == "house"}
    assert sum(share == 1.0 for share in houses.values()) >= 9  # today's houses stay
