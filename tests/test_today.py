"""Today beside the plan: the existing sites alone, evaluated like the plan, and per wijk."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

import planner
from planner.report.note import note_content
from planner.report.note_today import change_lines, today_rows, wijk_rows
from planner.results.today import FIGURES
from tests.test_staticmap import tiny_plan

if TYPE_CHECKING:
    from planner.results.plan import Plan


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> tuple[Plan, Plan]:
    """The tiny city's plan, and the same scenario with no money: today's sites only."""
    folder = tmp_path_factory.mktemp("today") / "city"
    plan = tiny_plan(folder)
    scenario = planner.load_scenario(folder / "scenario.yaml", {"budget.amount_eur": 0})
    return plan, planner.run(scenario)


def test_today_is_the_plan_of_the_existing_sites_alone(plans: tuple[Plan, Plan]) -> None:
    plan, nothing_new = plans
    today = plan.summary["today"]
    assert nothing_new.summary["houses_new"] == nothing_new.summary["antennes_new"] == 0
    assert today["houses"] == nothing_new.summary["houses"]
    assert today["antennes"] == nothing_new.summary["antennes"]
    assert today["cost"] == 0.0
    for name in FIGURES:
        assert today["coverage"][name] == nothing_new.summary["coverage"][name], name
        assert today["families"][name] == pytest.approx(
            nothing_new.summary["families_reached"][name]
        )
    # the plan's own families reached agree with its shares
    reached = plan.summary["families_reached"]
    assert reached["house"] == pytest.approx(
        plan.summary["coverage"]["house"] * reached["target"], abs=0.01
    )


def test_by_wijk_adds_up_to_the_city(plans: tuple[Plan, Plan]) -> None:
    plan, _ = plans
    wijken = list(plan.summary["by_wijk"].values())
    assert list(plan.summary["by_wijk"]) == ["Noord", "Oost", "Zuid"]
    assert [wijk["name"] for wijk in wijken] == ["Noord", "Oost", "Zuid"]
    assert sum(wijk["sectors"] for wijk in wijken) == len(plan.sectors)
    reached = plan.summary["families_reached"]
    today = plan.summary["today"]["families"]
    assert sum(w["families"] for w in wijken) == pytest.approx(reached["target"], abs=0.05)
    for tier in ("house", "frequent"):
        assert sum(w[f"{tier}_plan"] for w in wijken) == pytest.approx(reached[tier], abs=0.05)
        assert sum(w[f"{tier}_today"] for w in wijken) == pytest.approx(today[tier], abs=0.05)
    rows = wijk_rows(plan.summary)
    assert rows[-1][0] == "Totaal"
    assert len(rows) == len(wijken) + 1


def test_today_table_differences_add_up_as_printed(plans: tuple[Plan, Plan]) -> None:
    plan, _ = plans
    rows = today_rows(plan.summary)
    labels = [row[0] for row in rows]
    assert labels[:3] == ["Huizen van het Kind", "Antennes", "Eenmalige investering"]
    houses = rows[0]
    assert int(houses[2]) - int(houses[1]) == int(houses[3])
    for _, before, after, difference in rows[3:]:
        families = [int(re.sub(r"\D", "", part.split(" (")[0])) for part in (before, after)]
        shares = [number(part.split(" (")[1]) for part in (before, after)]
        delta = re.match(r"([+-]?\d+) gezin(?:nen)? \(([+-]?[\d,]+) procentpunten\)", difference)
        assert delta is not None, difference
        assert int(delta.group(1)) == families[1] - families[0]
        assert number(delta.group(2)) == pytest.approx(shares[1] - shares[0])
        assert "," not in before.split(" (")[0]  # whole families


def number(text: str) -> float:
    """``79,5 %)`` → 79.5 (Dutch decimals)."""
    found = re.search(r"[+-]?\d+(?:,\d+)?", text)
    assert found is not None, text
    return float(found.group(0).replace(",", "."))


def test_changes_name_every_new_site(plans: tuple[Plan, Plan]) -> None:
    plan, nothing_new = plans
    lines = change_lines(plan.sites)
    new = plan.sites[(plan.sites["role"] != "closed") & (plan.sites["existing_role"] == "")]
    assert len(lines) == len(new)
    for site in new.itertuples():
        assert any(str(site.site_id) in line for line in lines)
    assert change_lines(nothing_new.sites) == [
        "Het plan verandert niets aan de locaties van vandaag."
    ]
    content = note_content(plan)
    assert content.changes == lines
    assert content.footer.startswith("Gemaakt op ")
    assert "scenario.yaml" in content.footer
    today = plan.summary["today"]["coverage"]["house"]
    assert "Vandaag, met alleen de bestaande locaties, heeft " in content.summary
    assert f"en {headline(today, plan)} van alle gezinnen een huis binnen" in content.summary


def headline(share: float, plan: Plan) -> str:
    from planner.report.assets import format_share  # noqa: PLC0415
    from planner.results.precision import supported_decimals  # noqa: PLC0415

    return format_share(share, supported_decimals(plan.summary.get("precision"), "house"))
