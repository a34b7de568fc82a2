"""Policy by name (issue 12, item 5): sites by id or name, forbidden sites, a house in a wijk.

The tiny city of ``tests/conftest.py``: sites S1 "School West" (A1, EUR 400k), S2 "Bib Centrum"
(existing house, on the A2/B2 border), S3 "Buurthuis Oost" (A3, EUR 450k), S4 "Kerk Zuid"
(antenne only). Its sector names (column ``name``) serve as the wijk column.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.errors import InfeasibleError
from planner.model import CoverageInstance, GroupRule, PlanRules, solve_coverage
from planner.model.coverage import group_budget, what_it_takes
from tests.conftest import solver_spec

if TYPE_CHECKING:
    from pathlib import Path

    from tests.conftest import TinyCity

runner = CliRunner()


def _run(city: TinyCity, out: Path, *sets: str) -> tuple[int, str]:
    args = ["run", str(city.scenario), "--out", str(out)]
    for value in sets:
        args += ["--set", value]
    result = runner.invoke(app, args)
    return result.exit_code, result.output


def _roles(out: Path) -> dict[str, str]:
    sites = gpd.read_file(out / "plan.gpkg", layer="sites")
    return dict(zip(sites["site_id"], sites["role"], strict=True))


def test_required_house_by_name(tiny_city: TinyCity, tmp_path: Path) -> None:
    out = tmp_path / "named"
    code, output = _run(tiny_city, out, "rules.required_houses=[buurthuis oost]")
    assert code == 0, output
    assert _roles(out)["S3"] == "house"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["check"] == "passed"


def test_forbidden_site_by_name_stays_closed(tiny_city: TinyCity, tmp_path: Path) -> None:
    out = tmp_path / "free"
    code, output = _run(tiny_city, out, "objective.alpha=1")
    assert code == 0, output
    opened = {site for site, role in _roles(out).items() if role == "house"}
    assert opened - {"S2"}  # the budget buys a new house somewhere
    banned = sorted(opened - {"S2"})
    out = tmp_path / "forbidden"
    code, output = _run(
        tiny_city, out, "objective.alpha=1", f"rules.forbidden_sites=[{','.join(banned)}]"
    )
    assert code == 0, output
    roles = _roles(out)
    assert all(roles[site] == "closed" for site in banned)
    sites = gpd.read_file(out / "plan.gpkg", layer="sites").set_index("site_id")
    assert bool(sites.loc[banned[0], "forbidden"]) is True


def test_forbidden_existing_site_needs_closing_allowed(tiny_city: TinyCity, tmp_path: Path) -> None:
    out = tmp_path / "kept"
    code, output = _run(tiny_city, out, "rules.forbidden_sites=[Bib Centrum]")
    assert code == 2, output
    assert "rules.forbidden_sites names existing sites S2" in output
    assert "objective.keep_existing: false" in output
    assert not out.exists()
    code, output = _run(
        tiny_city, out, "rules.forbidden_sites=[Bib Centrum]", "objective.keep_existing=false"
    )
    assert code == 0, output
    assert _roles(out)["S2"] == "closed"


def test_ambiguous_and_unknown_names(tiny_city: TinyCity, tmp_path: Path) -> None:
    sites = gpd.read_file(tiny_city.sites)
    sites.loc[sites["site_id"] == "S4", "name"] = "School West"
    sites.to_file(tiny_city.sites, driver="GPKG")
    out = tmp_path / "bad"
    code, output = _run(tiny_city, out, "rules.required_houses=[School West]")
    assert code == 2, output
    assert "the name 'School West' matches 2 sites (S1, S4)" in output
    code, output = _run(tiny_city, out, "rules.forbidden_sites=[Bib Centrm]")
    assert code == 2, output
    assert "'Bib Centrm' is no site id or name" in output
    assert "nearest: 'Bib Centrum'" in output
    assert not out.exists()


def test_house_in_a_named_wijk(tiny_city: TinyCity, tmp_path: Path) -> None:
    out = tmp_path / "wijk"
    code, output = _run(
        tiny_city,
        out,
        "budget.amount_eur=1000000",
        "rules.house_in=[{column: name, values: [Noord-West, Noord-Oost]}]",
    )
    assert code == 0, output
    roles = _roles(out)
    assert roles["S1"] == "house"  # the only site in Noord-West
    assert roles["S3"] == "house"  # the only site in Noord-Oost
    summary = json.loads((out / "summary.json").read_text())
    assert summary["check"] == "passed"


def test_house_in_unknown_value_lists_the_values(tiny_city: TinyCity, tmp_path: Path) -> None:
    out = tmp_path / "wijk"
    code, output = _run(tiny_city, out, "rules.house_in=[{column: name, values: [Noord-Oostt]}]")
    assert code == 2, output
    assert "no sector has name 'Noord-Oostt' (did you mean 'Noord-Oost'?)" in output
    assert "the values are: Noord, Noord-Oost, Noord-West, Zuid, Zuid-Oost, Zuid-West" in output
    code, output = _run(tiny_city, out, "rules.house_in=[{column: wijk, values: [Muide]}]")
    assert code == 2, output
    assert "rules.house_in[0] (wijk): the sectors have no column 'wijk'" in output


@pytest.mark.parametrize(
    ("language", "expect"),
    [
        ("nl", "pas met een budget van minstens EUR 850.000 krijgt elke groep"),
        ("en", "only a budget of at least EUR 850,000 gives every group"),
    ],
)
def test_infeasible_house_in_says_the_least_budget(
    tiny_city: TinyCity, tmp_path: Path, language: str, expect: str
) -> None:
    # S1 (400k) and S3 (450k) are the only sites in Noord-West and Noord-Oost: 850k needed.
    out = tmp_path / "short"
    code, output = _run(
        tiny_city,
        out,
        "budget.amount_eur=600000",
        f"outputs.language={language}",
        "rules.house_in=[{column: name, values: [Noord-West, Noord-Oost]}]",
    )
    assert code == 2, output
    assert expect in output
    assert "S1, S3" in output
    assert not out.exists()


def test_required_sites_over_budget_say_their_cost(tiny_city: TinyCity, tmp_path: Path) -> None:
    out = tmp_path / "short"
    code, output = _run(
        tiny_city, out, "budget.amount_eur=500000", "rules.required_houses=[School West, S3]"
    )
    assert code == 2, output
    assert "de verplichte locaties (rules.required_houses / required_antennes) kosten" in output
    assert "samen EUR 850.000, het budget is EUR 500.000" in output


def _instance(budget: float, rules: PlanRules) -> CoverageInstance:
    """Four sites on a line, two groups: {0, 1} and {2, 3}; site 1 is an existing house."""
    d = np.array([[0.0, 5, 10, 15], [15, 10, 5, 0]])
    return CoverageInstance(
        weight=np.array([1.0, 1.0]),
        d=d,
        e=np.abs(np.subtract.outer(np.arange(4.0), np.arange(4.0))) * 5,
        cost_house=np.array([100.0, 0, 300, 200]),
        cost_antenne=np.array([10.0, 10, 10, 10]),
        can_house=np.ones(4, dtype=bool),
        can_antenne=np.ones(4, dtype=bool),
        existing_house=np.array([False, True, False, False]),
        existing_antenne=np.zeros(4, dtype=bool),
        forbidden=np.array([False, False, False, True]),
        budget=budget,
        radius_house=np.array([6.0, 6.0]),
        radius_frequent=np.array([6.0, 6.0]),
        link_max=20.0,
        alpha=0.5,
        keep_existing=True,
        rules=rules,
    )


def test_group_budget_by_hand() -> None:
    # group "west" is served by the existing house 1 (free); "oost" by 2 (300) or 3 (forbidden).
    member = np.array([[True, True, False, False], [False, False, True, True]])
    rules = PlanRules(
        house_groups=(
            GroupRule(name="rules.house_in[0] (wijk)", groups=("west", "oost"), member=member),
        )
    )
    found = group_budget(_instance(250.0, rules), solver_spec("highs"))
    assert found is not None
    least, house = found
    assert least == pytest.approx(300.0)
    assert house.tolist() == [False, True, True, False]
    with pytest.raises(InfeasibleError):
        solve_coverage(_instance(250.0, rules), solver_spec("highs"))
    lines = what_it_takes(_instance(250.0, rules), solver_spec("highs"), "en")
    assert lines == [
        (
            "what it would take: only a budget of at least EUR 300 gives every group of "
            "rules.house_in[0] (wijk) a house (the cheapest plan that meets the rule opens #2); "
            "the budget is EUR 250: raise budget.amount_eur or drop groups from the rule"
        )
    ]
    assert what_it_takes(_instance(300.0, rules), solver_spec("highs"), "en") == []
    plan = solve_coverage(_instance(300.0, rules), solver_spec("highs"))
    assert plan.house.tolist() == [False, True, True, False]
