from pathlib import Path

import pytest

from planner.errors import InputFileError, ScenarioError
from planner.scenario import load_scenario, scenario_from_dict
from tests.conftest import ROOT, scenario_dict


def test_demo_scenario_loads_and_resolves_paths() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "demo.yaml")
    assert scenario.name == "demo"
    assert scenario.data.sectors.is_absolute()
    assert scenario.data.sectors == (ROOT / "data/statsec/demo/sectors.geojson").resolve()
    assert scenario.source_sha256 is not None
    assert len(scenario.source_sha256) == 64


def test_unknown_key_names_key_and_path(tmp_path: Path) -> None:
    raw = scenario_dict()
    raw["budget"]["budget_eur"] = 1e6
    with pytest.raises(ScenarioError, match=r"unknown key 'budget\.budget_eur'"):
        scenario_from_dict(raw, base_dir=tmp_path)


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    raw = scenario_dict()
    raw["travel"] = {"mode": "plane"}
    raw["standards"]["house_min"] = -3
    del raw["budget"]
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(raw, base_dir=tmp_path)
    message = str(info.value)
    assert "travel.mode" in message
    assert "standards.house_min" in message
    assert "required key 'budget' is missing" in message
    assert len(info.value.problems) == 3


def test_overrides_take_precedence(tmp_path: Path) -> None:
    scenario = scenario_from_dict(
        scenario_dict(), base_dir=tmp_path, overrides={"budget.amount_eur": 123.0}
    )
    assert scenario.budget.amount_eur == 123.0
    assert scenario.data.sites == (tmp_path / "sites.gpkg").resolve()


def test_override_of_unknown_key_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"unknown key 'budget\.amount'"):
        scenario_from_dict(scenario_dict(), base_dir=tmp_path, overrides={"budget.amount": 1})


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="does not exist"):
        load_scenario(tmp_path / "nope.yaml")


def test_malformed_yaml_says_where(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nbudget: [1, 2\n")
    with pytest.raises(ScenarioError, match="malformed YAML at line"):
        load_scenario(path)


def test_empty_and_non_mapping(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("")
    with pytest.raises(ScenarioError, match="empty"):
        load_scenario(path)
    path.write_text("- a\n- b\n")
    with pytest.raises(ScenarioError, match="expected a mapping"):
        load_scenario(path)


def test_bad_name_rejected(tmp_path: Path) -> None:
    raw = scenario_dict(name="../escape")
    with pytest.raises(ScenarioError, match="key 'name'"):
        scenario_from_dict(raw, base_dir=tmp_path)


def test_scenario_is_frozen(tmp_path: Path) -> None:
    scenario = scenario_from_dict(scenario_dict(), base_dir=tmp_path)
    with pytest.raises(ValueError, match="frozen"):
        scenario.name = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kind", "rules", "needle"),
    [
        ("mclp", {"min_houses": 2}, r"rules.min_houses = 2 does not admit objective.p = 1 \(mclp"),
        ("p_median", {"min_houses": 2}, r"rules.min_houses = 2 does not admit objective.p = 1"),
        ("p_center", {"max_houses": 0}, r"rules.max_houses = 0 does not admit objective.p = 1"),
    ],
)
def test_counts_are_checked_against_p(
    tmp_path: Path, kind: str, rules: dict[str, int], needle: str
) -> None:
    raw = scenario_dict()
    raw["objective"] = {"kind": kind, "p": 1}
    raw["rules"] = rules
    with pytest.raises(ScenarioError, match=needle):
        scenario_from_dict(raw, base_dir=tmp_path)
    # mclp places at most p houses: a lower max_houses is a rule it can meet.
    raw["objective"] = {"kind": "mclp", "p": 3}
    raw["rules"] = {"max_houses": 2}
    assert scenario_from_dict(raw, base_dir=tmp_path).rules.max_houses == 2
