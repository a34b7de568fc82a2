"""Honest precision: the same plan under speeds ±10 % and standards ±1 min, and the rounding rule.

The tiny instance is worked out by hand. Four demand rows, 10, 20, 30 and 40 families, house
standard 10 min, frequent standard 5 min; rows A and B are the neediest fifth (here: 30 of
100 families, a stand-in mask):

========  =======  =======  ==========================================================
row       t house  t freq.  what moves it
========  =======  =======  ==========================================================
A (10)    9.5      4.6      within both today; 10 % slower (9.5/0.9 = 10.56, 4.6/0.9 = 5.11)
                            or 1 min stricter (9, 4) drops it; slower *and* 1 min looser
                            (11, 6) keeps it
B (20)    10.5     5.3      beyond both today; 10 % faster (9.55, 4.82) or 1 min looser (11,
                            6) brings it in; for frequent also slower and looser (5.89 <= 6)
C (30)    5        2        within in every variant
D (40)    inf      inf      no route: never
========  =======  =======  ==========================================================

House share per variant (speed factor, shift): (0.9, -1) 30 %, (0.9, 0) 30 %, (0.9, +1) 40 %,
(1, -1) 30 %, (1, 0) 40 %, (1, +1) 60 %, (1.1, -1) 40 %, (1.1, 0) 60 %, (1.1, +1) 60 %: the range
is 30 % to 60 %. Frequent: 30 %, 30 %, 60 %, 30 %, 40 %, 60 %, 30 %, 60 %, 60 %: also 30 % to
60 %. In the neediest fifth (A and B, 30 families) both run from 0 % to 100 %.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.errors import PlanCheckError
from planner.report.assets import headline_share
from planner.report.note import note_content, precision_sentence
from planner.results.check import check_plan
from planner.results.precision import (
    ASSUMPTIONS,
    coverage_precision,
    evaluate_variants,
    supported_decimals,
)
from planner.scenario import scenario_from_dict
from tests.conftest import Case, run_capturing, scenario_dict, tiny_layers

if TYPE_CHECKING:
    from pathlib import Path

    from planner.results.plan import Plan

TT_HOUSE = np.array([9.5, 10.5, 5.0, np.inf])
TT_FREQUENT = np.array([4.6, 5.3, 2.0, np.inf])
RADIUS_HOUSE = np.full(4, 10.0)
RADIUS_FREQUENT = np.full(4, 5.0)
FAMILIES = np.array([10.0, 20.0, 30.0, 40.0])
NEEDIEST = np.array([True, True, False, False])


def tiny_precision(served: np.ndarray | None = None) -> dict[str, Any]:
    return coverage_precision(
        tt_house=TT_HOUSE,
        tt_frequent=TT_FREQUENT,
        radius_house=RADIUS_HOUSE,
        radius_frequent=RADIUS_FREQUENT,
        families=FAMILIES,
        neediest=NEEDIEST,
        served=served,
    )


def test_each_variant_of_the_hand_worked_instance() -> None:
    house, frequent = evaluate_variants(TT_HOUSE, TT_FREQUENT, RADIUS_HOUSE, RADIUS_FREQUENT)
    assert house.shape == frequent.shape == (9, 4)
    shares_house = house @ FAMILIES / FAMILIES.sum()
    shares_frequent = frequent.astype(float) @ FAMILIES / FAMILIES.sum()
    np.testing.assert_allclose(shares_house, [0.3, 0.3, 0.4, 0.3, 0.4, 0.6, 0.4, 0.6, 0.6])
    np.testing.assert_allclose(shares_frequent, [0.3, 0.3, 0.6, 0.3, 0.4, 0.6, 0.3, 0.6, 0.6])
    assert house[4].tolist() == [1.0, 0.0, 1.0, 0.0]  # the plan as it is: speed x1, shift 0


def test_range_of_the_hand_worked_instance() -> None:
    block = tiny_precision()
    assert block["house"] == {"low": 0.3, "high": 0.6}
    assert block["frequent"] == {"low": 0.3, "high": 0.6}
    assert block["house_neediest_quintile"] == {"low": 0.0, "high": 1.0}
    assert block["frequent_neediest_quintile"] == {"low": 0.0, "high": 1.0}
    assert (
        block["assumptions"] == ASSUMPTIONS == "speeds ±10 %, standards ±1 min, alone and together"
    )
    assert block["variants"] == 9
    assert block["assignment_fixed"] is False


def test_with_capacities_the_assignment_is_held_fixed() -> None:
    # A is half served (its house is full), B is assigned to no house: a looser standard or
    # faster travel brings nobody in, a stricter one or slower travel drops A's served half
    block = tiny_precision(served=np.array([0.5, 0.0, 1.0, 0.0]))
    assert block["house"] == {"low": 0.3, "high": 0.35}
    assert block["house_neediest_quintile"] == {"low": 0.0, "high": round(5 / 30, 6)}
    assert block["frequent"] == {"low": 0.3, "high": 0.6}  # no capacity on frequent services
    assert block["assignment_fixed"] is True


def test_standards_never_go_below_zero() -> None:
    house, frequent = evaluate_variants(
        np.array([0.0]), np.array([0.0]), np.array([0.5]), np.array([0.5])
    )
    assert house.all()  # 0 minutes is within a standard of 0.5 - 1 -> 0 minutes
    assert frequent.all()


def test_empty_group_has_no_range() -> None:
    block = coverage_precision(
        tt_house=TT_HOUSE,
        tt_frequent=TT_FREQUENT,
        radius_house=RADIUS_HOUSE,
        radius_frequent=RADIUS_FREQUENT,
        families=FAMILIES,
        neediest=np.zeros(4, dtype=bool),
    )
    assert block["house_neediest_quintile"] == {"low": None, "high": None}
    assert supported_decimals(block, "house_neediest_quintile") == 1


@pytest.mark.parametrize(
    ("low", "high", "decimals"),
    [
        (0.640, 0.651, 0),  # 1.1 points: whole percent
        (0.640, 0.6505, 0),  # 1.05 points
        (0.640, 0.650, 1),  # exactly one point is not wider than one point
        (0.640, 0.649, 1),  # 0.9 points: 0.1 %
        (0.640, 0.640, 1),
    ],
)
def test_rounding_rule_on_both_sides_of_one_point(low: float, high: float, decimals: int) -> None:
    precision = {"house": {"low": low, "high": high}}
    assert supported_decimals(precision, "house") == decimals
    summary = {"coverage": {"house": 0.6449}, "precision": precision}
    assert headline_share(summary, "house") == ("64 %" if decimals == 0 else "64,5 %")
    assert headline_share(summary, "house", "en") == ("64%" if decimals == 0 else "64.5%")


def test_no_range_known_keeps_one_decimal() -> None:
    assert supported_decimals(None, "house") == 1
    assert headline_share({"coverage": {"house": 0.6823}}, "house") == "68,2 %"


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> tuple[Plan, Case]:
    """The tiny city's checked plan, with the inputs, demand and travel times it was made from."""
    folder = tmp_path_factory.mktemp("precision-city")
    for name, layer in zip(("sectors", "sites", "streets"), tiny_layers(), strict=True):
        layer.to_file(folder / f"{name}.gpkg")
    return run_capturing(scenario_from_dict(scenario_dict(), base_dir=folder))


def _summary(precision: dict[str, Any]) -> dict[str, Any]:
    return {
        "coverage": {
            "house": 0.6823,
            "frequent": 0.8432,
            "house_neediest_quintile": 0.6513,
            "frequent_neediest_quintile": 0.7801,
        },
        "precision": precision,
    }


WIDE = {
    "house": {"low": 0.6412, "high": 0.7093},
    "frequent": {"low": 0.8391, "high": 0.8460},  # 0.69 points: stays at 0.1 %
    "house_neediest_quintile": {"low": 0.6, "high": 0.7},
    "frequent_neediest_quintile": {"low": 0.7801, "high": 0.7801},
    "assumptions": ASSUMPTIONS,
    "variants": 9,
    "assignment_fixed": False,
}


def test_precision_sentence_in_dutch() -> None:
    assert precision_sentence(_summary(WIDE)) == (
        "Hetzelfde plan, doorgerekend met verplaatsingen die 10 % sneller of trager gaan en "
        "normen die 1 minuut ruimer of strenger zijn (ook beide samen), bereikt met een huis "
        "tussen 64 % en 71 % van de gezinnen en met een huis of antenne tussen 83,9 % en 84,6 %. "
        "Van het vijfde van de gezinnen in de meest kwetsbare sectoren bereikt het met een huis "
        "tussen 60 % en 70 % en met een huis of antenne 78,0 %. Een cijfer waarvan het bereik "
        "breder is dan 1 procentpunt staat daarom afgerond op een heel procent."
    )


def test_precision_sentence_in_english_with_capacities() -> None:
    assert precision_sentence(_summary({**WIDE, "assignment_fixed": True}), "en") == (
        "The same plan, recomputed with travel 10% faster or slower and standards 1 minute "
        "looser or stricter (also both at once), reaches between 64% and 71% of the families "
        "with a house and between 83.9% and 84.6% with a house or antenne. Of the fifth of the "
        "families in the neediest sectors it reaches between 60% and 70% with a house and 78.0% "
        "with a house or antenne. Families stay assigned to the same house (capacity per "
        "house). A figure whose range is wider than 1 percentage point is therefore rounded to "
        "whole percent."
    )


def test_narrow_ranges_say_nothing_about_rounding() -> None:
    narrow = {name: {"low": 0.5, "high": 0.505} for name in WIDE if isinstance(WIDE[name], dict)}
    sentence = precision_sentence(_summary(narrow))
    assert "tussen 50,0 % en 50,5 %" in sentence
    assert "afgerond" not in sentence
    assert precision_sentence({"coverage": {}}) == ""  # an old summary: no sentence


def test_note_rounds_each_figure_to_its_range(solved: tuple[Plan, Case]) -> None:
    plan, _ = solved
    summary = {**plan.summary, **_summary(WIDE)}
    content = note_content(dataclasses.replace(plan, summary=summary))
    values = [value for _, value in content.figures]
    assert values[4:8] == ["68 %", "65 %", "84,3 %", "78,0 %"]
    assert content.precision == precision_sentence(summary)
    assert not re.search(r"\d,\d %", content.summary)  # the paragraph is in whole percent


def test_cli_prints_supported_precision_and_the_range_once(tiny_city: Any, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(tiny_city.scenario), "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    precision = summary["precision"]
    coverage = summary["coverage"]
    shown = {
        name: f"{100 * coverage[name]:.{supported_decimals(precision, name)}f} %"
        for name in ("house", "frequent", "house_neediest_quintile", "frequent_neediest_quintile")
    }
    assert (
        f"families within the house standard {shown['house']}, within the frequent standard "
        f"{shown['frequent']}; neediest fifth {shown['house_neediest_quintile']} / "
        f"{shown['frequent_neediest_quintile']}"
    ) in result.output
    assert result.output.count("range with speeds ±10 %, standards ±1 min") == 1
    for name in ("house", "frequent"):
        assert precision[name]["low"] <= coverage[name] <= precision[name]["high"]


def test_cli_range_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from planner.cli import run as cli  # noqa: PLC0415

    printed: list[str] = []
    monkeypatch.setattr(cli.out, "print", lambda text, **_: printed.append(text))
    cli._print_coverage(_summary({**WIDE, "assignment_fixed": True}))
    assert printed == [
        (
            "  families within the house standard 68 %, within the frequent standard 84.3 %; "
            "neediest fifth 65 % / 78.0 %"
        ),
        (
            "  range with speeds ±10 %, standards ±1 min, alone and together, assignment held "
            "fixed: house 64-71 %, frequent 83.9-84.6 %; neediest fifth 60-70 % / 78.0 %"
        ),
    ]


@pytest.mark.parametrize(
    ("name", "end", "value"),
    [("house", "low", 0.0), ("frequent_neediest_quintile", "high", 0.999)],
)
def test_check_recomputes_the_range(
    solved: tuple[Plan, Case], name: str, end: str, value: float
) -> None:
    plan, case = solved
    assert "ranges of the coverage shares" in plan.summary["checked"]
    precision = plan.summary["precision"]
    wrong = {**precision, name: {**precision[name], end: value}}
    corrupted = dataclasses.replace(plan, summary={**plan.summary, "precision": wrong})
    with pytest.raises(PlanCheckError, match=rf"precision\.{name}\.{end}: the plan says"):
        check_plan(corrupted, case.inputs, case.demand, case.travel)
    missing = {key: value for key, value in plan.summary.items() if key != "precision"}
    with pytest.raises(PlanCheckError, match="no range of the coverage figures"):
        check_plan(
            dataclasses.replace(plan, summary=missing), case.inputs, case.demand, case.travel
        )
