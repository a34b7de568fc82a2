"""Every objective kind and the policy rules from scenario files, through the command line."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import geopandas as gpd
import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.errors import ScenarioError
from planner.scenario import load_scenario
from tests.conftest import ROOT, TinyCity

if TYPE_CHECKING:
    from pathlib import Path

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def run_summary(scenario: Path, out: Path, *sets: str) -> dict[str, object]:
    args = ["run", str(scenario), "--out", str(out)]
    for value in sets:
        args += ["--set", value]
    code, output = invoke(*args)
    assert code == 0, output
    return json.loads((out / "summary.json").read_text())


def test_demo_set_cover(tmp_path: Path) -> None:
    out = tmp_path / "set_cover"
    code, output = invoke("run", str(ROOT / "scenarios" / "demo_set_cover.yaml"), "--out", str(out))
    assert code == 0, output
    assert "model set_cover" in output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["model"] == "set_cover"
    assert summary["proven_optimal"] is True
    assert summary["coverage"]["house"] == 1.0
    assert summary["coverage"]["frequent"] == 1.0
    assert summary["objective"] == pytest.approx(summary["cost"], rel=1e-6)
    assert any("reaching every family" in note for note in summary["notes"])
    # a house in every wijk: join the houses to the sector polygons
    sectors = gpd.read_file(out / "plan.gpkg", layer="sectors")
    sites = gpd.read_file(out / "plan.gpkg", layer="sites")
    houses = sites[sites["role"] == "house"]
    wijk = gpd.read_file(ROOT / "data" / "statsec" / "demo" / "sectors.geojson")[
        ["sector_id", "wijk"]
    ]
    sectors = sectors.drop(columns="wijk", errors="ignore")  # plan.gpkg carries it too
    joined = gpd.sjoin(houses, sectors.merge(wijk, on="sector_id"), predicate="within")
    assert set(joined["wijk"]) == set(wijk["wijk"])


def test_demo_pmedian(tmp_path: Path) -> None:
    out = tmp_path / "pmedian"
    code, output = invoke("run", str(ROOT / "scenarios" / "demo_pmedian.yaml"), "--out", str(out))
    assert code == 0, output
    assert "need-weighted mean travel time" in output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["model"] == "p_median"
    assert summary["houses"] == 7
    assert summary["proven_optimal"] is True
    figures = summary["model_figures"]
    assert figures["p"] == 7
    assert figures["max_travel_min"] >= figures["weighted_mean_travel_min"] > 0
    assert summary["bound"] == pytest.approx(summary["objective"])


@pytest.mark.parametrize(
    ("sets", "model"),
    [
        (("objective.kind=p_center", "objective.p=2"), "p_center"),
        (("objective.kind=mclp", "objective.p=2"), "mclp"),
        (("objective.kind=set_cover_single", "objective.unreachable=skip"), "set_cover_single"),
        (("objective.kind=p_median", "objective.p=2", "rules.house_spacing_min=5"), "p_median"),
    ],
)
def test_every_kind_runs_on_the_tiny_city(
    tiny_city: TinyCity, tmp_path: Path, sets: tuple[str, ...], model: str
) -> None:
    summary = run_summary(tiny_city.scenario, tmp_path / model, *sets)
    assert summary["model"] == model
    assert summary["status"] == "optimal"
    assert summary["proven_optimal"] is True
    assert summary["gap"] == 0.0
    assert summary["bound"] is not None
    # only the coverage kinds have a cost tie-break; mclp's is made exact by a second solve
    assert summary["tie_break"] == ("exact" if model == "mclp" else None)
    assert summary["solver_remark"] is None


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_default_and_chosen_solver_on_the_tiny_city(
    tiny_city: TinyCity, tmp_path: Path, solver: str
) -> None:
    # HiGHS is the default (the tiny city's scenario asks for CBC: drop the key); CBC is
    # still chosen by name. Both give the same plan, with an exact tie-break.
    raw = tiny_city.raw_scenario()
    raw["solver"].pop("name")
    if solver == "cbc":
        raw["solver"]["name"] = "cbc"
    summary = run_summary(tiny_city.write_scenario(raw), tmp_path / solver)
    manifest = json.loads((tmp_path / solver / "manifest.json").read_text())
    assert summary["solver"] == manifest["solver"]["name"] == solver
    assert summary["proven_optimal"] is True
    assert summary["tie_break"] == "exact"
    assert manifest["solver"]["options"]["tie_break"] == "exact"
    assert manifest["solver"]["remark"] is None


def test_capacities_and_groups_from_files(tiny_city: TinyCity, tmp_path: Path) -> None:
    sites = gpd.read_file(tiny_city.sites)
    sites["capacity"] = [120, 150, None, None]  # S1, S2 (existing house) limited; S3 unlimited
    sites.to_file(tiny_city.sites, driver="GPKG")
    sectors = gpd.read_file(tiny_city.sectors)
    sectors["wijk"] = ["west", "midden", "oost", "west", "midden", "oost"]
    sectors.to_file(tiny_city.sectors, driver="GPKG")
    out = tmp_path / "capacity"
    summary = run_summary(
        tiny_city.scenario,
        out,
        "objective.capacity_column=capacity",
        "objective.alpha=1",
        "budget.amount_eur=2000000",
        "rules.house_per_group=[{column: wijk, serves: located}]",
    )
    assert summary["proven_optimal"] is True
    served = summary["model_figures"]["families_served_share"]
    assert summary["coverage"]["house"] == pytest.approx(served)
    layer = gpd.read_file(out / "plan.gpkg", layer="sectors")
    assert "served_house_share" in layer.columns
    assert ((layer["served_house_share"] >= 0) & (layer["served_house_share"] <= 1)).all()
    plan_sites = gpd.read_file(out / "plan.gpkg", layer="sites").set_index("site_id")
    houses = plan_sites[plan_sites["role"] == "house"].index.tolist()
    # S1 lies in the west, S2 on the midden border, S3 in the east: all three groups served.
    assert {"S1", "S3"} <= set(houses)
    # every house serves at most its capacity
    for site, capacity in (("S1", 120), ("S2", 150)):
        assert plan_sites.loc[site, "families_house"] <= capacity + 1e-6


def test_infeasible_rule_exits_2_naming_the_rule(tiny_city: TinyCity, tmp_path: Path) -> None:
    out = tmp_path / "none"
    code, output = invoke(
        "run", str(tiny_city.scenario), "--out", str(out), "--set", "rules.max_houses=0"
    )
    assert code == 2, output
    assert "rules.max_houses allows 0 houses" in output
    assert not out.exists()
    code, output = invoke(
        "run", str(tiny_city.scenario), "--out", str(out), "--set", "rules.required_houses=[S9]"
    )
    assert code == 2, output
    assert "rules.required_houses: 'S9' is no site id or name" in output
    code, output = invoke(
        "run",
        str(tiny_city.scenario),
        "--out",
        str(out),
        "--set",
        "rules.house_per_group=[{column: nowhere}]",
    )
    assert code == 2, output
    assert "the sectors have no column 'nowhere'" in output


def test_scenario_checks_objective_keys(tiny_city: TinyCity) -> None:
    with pytest.raises(ScenarioError, match=r"needs objective\.p"):
        load_scenario(tiny_city.scenario, {"objective.kind": "p_median"})
    with pytest.raises(ScenarioError, match=r"objective\.p is only used by"):
        load_scenario(tiny_city.scenario, {"objective.p": 3})
    with pytest.raises(ScenarioError, match="p_center does not take capacities"):
        load_scenario(
            tiny_city.scenario,
            {"objective.kind": "p_center", "objective.p": 2, "objective.capacity_column": "c"},
        )
    with pytest.raises(ScenarioError, match=r"larger than rules\.max_houses"):
        load_scenario(tiny_city.scenario, {"rules.min_houses": 3, "rules.max_houses": 2})
    with pytest.raises(ScenarioError, match=r"unknown key 'rules\.floor'"):
        load_scenario(tiny_city.scenario, {"rules.floor": True})


def test_validate_reports_rule_problems(tiny_city: TinyCity) -> None:
    raw = tiny_city.raw_scenario()
    raw["rules"] = {
        "required_houses": ["S9"],
        "house_per_group": [{"column": "wijk"}],
    }
    raw["objective"] = {"capacity_column": "capacity"}
    path = tiny_city.write_scenario(raw, "rules.yaml")
    code, output = invoke("validate", str(path))
    assert code == 2, output
    assert "rules.required_houses: 'S9' is no site id or name" in output
    assert "the sectors have no column 'wijk'" in output
    assert "column 'capacity' (objective.capacity_column) is missing" in output


def test_group_column_in_the_wrong_case_is_suggested(tiny_city: TinyCity) -> None:
    sectors = gpd.read_file(tiny_city.sectors)
    sectors["wijk"] = ["north", "north", "north", "south", "south", "south"]
    sectors.to_file(tiny_city.sectors)
    raw = tiny_city.raw_scenario()
    raw["rules"] = {"house_per_group": [{"column": "Wijk"}]}
    code, output = invoke("validate", str(tiny_city.write_scenario(raw, "case.yaml")))
    assert code == 2, output
    assert "did you mean 'wijk'?" in output
