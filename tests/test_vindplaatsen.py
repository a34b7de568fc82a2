"""Vindplaatsen in the choice (issue 12, item 2): co-location flags, rules, value, summary.

The tiny city of ``tests/conftest.py`` with co-location columns: S1 "School West" is a school,
S4 "Kerk Zuid" (antenne only) hosts childcare; a consultatiebureau service point stands 40 m
from S3 "Buurthuis Oost".
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pytest
from shapely import Point
from typer.testing import CliRunner

from planner import optimise
from planner.cli import app
from planner.data.colocation import mark_colocation
from planner.data.inputs import read_inputs
from planner.scenario import load_scenario

if TYPE_CHECKING:
    from pathlib import Path

    from tests.conftest import TinyCity

runner = CliRunner()


def _colocated(city: TinyCity) -> TinyCity:
    sites = gpd.read_file(city.sites)
    sites["is_school"] = [True, False, False, False]
    sites["is_childcare"] = [False, False, False, True]
    sites.to_file(city.sites, driver="GPKG")
    services = gpd.GeoDataFrame(
        {"type": ["consultatiebureau", "bakker"]},
        geometry=[Point(2540, 1500), Point(0, 0)],
        crs=sites.crs,
    )
    services.to_file(city.folder / "services.gpkg", driver="GPKG")
    raw = city.raw_scenario()
    raw["data"]["services"] = "services.gpkg"
    city.write_scenario(raw)
    return city


def _run(city: TinyCity, out: Path, *sets: str) -> tuple[int, str]:
    args = ["run", str(city.scenario), "--out", str(out)]
    for value in sets:
        args += ["--set", value]
    result = runner.invoke(app, args)
    return result.exit_code, result.output


def _plan(out: Path) -> tuple[dict[str, str], dict[str, object]]:
    sites = gpd.read_file(out / "plan.gpkg", layer="sites")
    summary = json.loads((out / "summary.json").read_text())
    return dict(zip(sites["site_id"], sites["role"], strict=True)), summary


def test_flags_from_columns_and_service_points(tiny_city: TinyCity) -> None:
    city = _colocated(tiny_city)
    scenario = load_scenario(city.scenario)
    sites = mark_colocation(scenario, read_inputs(scenario)).sites.set_index("site_id")
    assert sites["coloc_school"].tolist() == [True, False, False, False]
    assert sites["coloc_childcare"].tolist() == [False, False, False, True]
    assert sites["coloc_consultatiebureau"].tolist() == [False, False, True, False]  # 40 m
    assert sites.loc["S3", "consultatiebureau_m"] == pytest.approx(40.0)
    assert sites.attrs["colocation_known"] == ["school", "childcare", "consultatiebureau"]
    narrow = load_scenario(city.scenario, {"colocation.within_m": 30})
    sites = mark_colocation(narrow, read_inputs(narrow)).sites
    assert not sites["coloc_consultatiebureau"].any()


def test_antennes_only_at_vindplaatsen(tiny_city: TinyCity, tmp_path: Path) -> None:
    city = _colocated(tiny_city)
    out = tmp_path / "free"
    code, output = _run(city, out, "budget.amount_eur=300000")
    assert code == 0, output
    roles, _ = _plan(out)
    assert {site for site, role in roles.items() if role == "antenne"} == {"S1", "S3"}
    out = tmp_path / "at"
    code, output = _run(city, out, "budget.amount_eur=300000", "rules.antennes_at=[childcare]")
    assert code == 0, output
    roles, summary = _plan(out)
    antennes = {site for site, role in roles.items() if role == "antenne"}
    assert antennes <= {"S4"}
    assert summary["check"] == "passed"
    block = summary["colocation"]
    assert block["antennes_at"] == ["childcare"]
    if antennes:
        assert block["antennes"]["childcare"]["share"] == 1.0


def test_house_with_a_consultatiebureau(tiny_city: TinyCity, tmp_path: Path) -> None:
    city = _colocated(tiny_city)
    out = tmp_path / "cb"
    code, output = _run(
        city, out, "budget.amount_eur=1000000", "rules.house_consultatiebureau_m=100"
    )
    assert code == 0, output
    roles, summary = _plan(out)
    new_houses = {site for site, role in roles.items() if role == "house"} - {"S2"}
    assert new_houses <= {"S3"}
    assert summary["check"] == "passed"
    houses = summary["colocation"]["houses"]
    assert houses["consultatiebureau"]["count"] == len(new_houses)
    assert summary["colocation"]["survey_houses_without_consultatiebureau"] == 0.194
    assert summary["colocation"]["houses_without_consultatiebureau"] == pytest.approx(
        1 - len(new_houses) / houses["total"]
    )


def test_house_consultatiebureau_infeasible_names_the_rule(
    tiny_city: TinyCity, tmp_path: Path
) -> None:
    city = _colocated(tiny_city)
    out = tmp_path / "none"
    code, output = _run(
        city, out, "rules.house_consultatiebureau_m=10", "rules.required_houses=[S1]"
    )
    assert code == 2, output
    assert "rules.required_houses: sites S1 may not host a house" in output
    assert not out.exists()


def test_value_of_a_childcare_antenne(tiny_city: TinyCity, tmp_path: Path) -> None:
    city = _colocated(tiny_city)
    out = tmp_path / "plain"
    code, output = _run(city, out, "budget.amount_eur=60000")
    assert code == 0, output
    plain, _ = _plan(out)
    assert plain["S4"] == "closed"
    out = tmp_path / "valued"
    code, output = _run(
        city, out, "budget.amount_eur=60000", "colocation.value_families={childcare: 1000}"
    )
    assert code == 0, output
    roles, summary = _plan(out)
    assert roles["S4"] == "antenne"  # the childcare site is worth 1000 families
    assert summary["check"] == "passed"
    assert summary["colocation"]["value"] > 0
    assert summary["colocation"]["antennes"]["childcare"]["count"] == 1


def test_value_only_for_max_coverage(tiny_city: TinyCity, tmp_path: Path) -> None:
    city = _colocated(tiny_city)
    out = tmp_path / "pm"
    code, output = _run(
        city,
        out,
        "objective.kind=p_median",
        "objective.p=2",
        "colocation.value_families={school: 10}",
    )
    assert code == 2, output
    assert "max_coverage only, not p_median" in output


def test_check_catches_a_model_that_ignores_the_rules(
    tiny_city: TinyCity, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The independent check recomputes the co-location rules from the inputs."""
    city = _colocated(tiny_city)
    monkeypatch.setattr(
        optimise,
        "eligible_new_sites",
        lambda _scenario, sites, _e: (np.ones(len(sites), bool), np.ones(len(sites), bool)),
    )
    out = tmp_path / "broken"
    code, output = _run(city, out, "budget.amount_eur=300000", "rules.antennes_at=[childcare]")
    assert code == 3, output
    assert "rules.antennes_at (childcare): new antennes elsewhere: S1, S3" in output
    code, output = _run(
        city, out, "budget.amount_eur=1000000", "rules.house_consultatiebureau_m=100"
    )
    assert code == 3, output
    assert "new houses without a consultatiebureau on site or near: S1" in output
    assert not out.exists()


def test_check_recomputes_the_colocation_value(
    tiny_city: TinyCity, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    city = _colocated(tiny_city)
    original = optimise.site_values

    def doubled(*args: object) -> object:
        value = original(*args)  # type: ignore[arg-type]
        return None if value is None else 2 * value

    monkeypatch.setattr(optimise, "site_values", doubled)
    out = tmp_path / "doubled"
    code, output = _run(
        city, out, "budget.amount_eur=60000", "colocation.value_families={childcare: 1000}"
    )
    assert code == 3, output
    assert "objective (max_coverage)" in output


def test_note_and_csv_report_the_colocation(tiny_city: TinyCity, tmp_path: Path) -> None:
    city = _colocated(tiny_city)
    out = tmp_path / "note"
    code, output = _run(
        city, out, "budget.amount_eur=1000000", "rules.house_consultatiebureau_m=100"
    )
    assert code == 0, output
    note = (out / "note.html").read_text(encoding="utf-8")
    assert "Vindplaatsen: van de 2 huizen: 0 (0 %) bij een school" in note
    assert "1 (50 %) bij een consultatiebureau" in note
    assert "50 % van de huizen heeft geen consultatiebureau op de locatie" in note
    assert "(bevraging van de Huizen van het Kind: 19,4 %)" in note
    assert "Nieuwe huizen alleen met een consultatiebureau op de locatie of binnen 100 m" in note
    csv = (out / "summary.csv").read_text(encoding="utf-8")
    assert "colocation.houses.consultatiebureau.share,0.5" in csv
    assert "colocation.survey_houses_without_consultatiebureau,0.194" in csv


@pytest.mark.parametrize("seed", range(8))
def test_eligible_new_sites_against_a_loop(seed: int) -> None:
    """The co-location rules' eligibility, against a plain loop over sites on random data."""
    import pandas as pd  # noqa: PLC0415

    from planner.data.colocation import eligible_new_sites  # noqa: PLC0415
    from planner.scenario import scenario_from_dict  # noqa: PLC0415
    from tests.conftest import scenario_dict  # noqa: PLC0415

    rng = np.random.default_rng(seed)
    n = 7
    sites = pd.DataFrame(
        {
            "coloc_school": rng.random(n) < 0.3,
            "coloc_childcare": rng.random(n) < 0.3,
            "coloc_consultatiebureau": rng.random(n) < 0.25,
            "coloc_lokaal_loket": np.zeros(n, dtype=bool),
            "consultatiebureau_m": rng.uniform(0, 600, n),
        }
    )
    e = rng.uniform(0, 20, (n, n))
    e[rng.random((n, n)) < 0.1] = np.inf
    raw = scenario_dict()
    raw["rules"] = {
        "antennes_at": ["school", "childcare"],
        "house_consultatiebureau_min": 6.0,
        "house_consultatiebureau_m": 250.0,
    }
    scenario = scenario_from_dict(raw)
    house_ok, antenne_ok = eligible_new_sites(scenario, sites, e)  # type: ignore[arg-type]
    for j in range(n):
        row = sites.iloc[j]
        assert antenne_ok[j] == bool(row["coloc_school"] or row["coloc_childcare"])
        near = any(sites["coloc_consultatiebureau"].iloc[k] and e[j, k] <= 6.0 for k in range(n))
        expected = bool(row["coloc_consultatiebureau"]) or near or row["consultatiebureau_m"] <= 250
        assert house_ok[j] == expected


def test_a_type_no_site_has_is_said_to_be_unknown_not_absent(
    tiny_city: TinyCity, tmp_path: Path
) -> None:
    # a consultatiebureau column that is false everywhere: the data hold none (Gent's open
    # data), so "100 % of the houses without one" would mislead against the survey's 19.4 %
    sites = gpd.read_file(tiny_city.sites)
    sites["is_school"] = [True, False, False, False]
    sites["is_consultatiebureau"] = [False, False, False, False]
    sites.to_file(tiny_city.sites, driver="GPKG")
    out = tmp_path / "note"
    code, output = _run(tiny_city, out, "budget.amount_eur=1000000")
    assert code == 0, output
    note = (out / "note.html").read_text(encoding="utf-8")
    assert "heeft geen consultatiebureau op de locatie" not in note
    assert "Geen enkele locatie in de gegevens ligt bij een consultatiebureau" in note
    assert "bij een school" in note
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["colocation"]["sites_flagged"] == {"school": 1, "consultatiebureau": 0}
