"""The council note: figures from summary.json, Dutch and English, PDF pages, reproducible."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import TYPE_CHECKING

import geopandas as gpd
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from planner.cli import app
from planner.report.assets import format_euro_short, format_number, format_share, headline_share
from planner.report.note import note_content, note_html, remark, summary_paragraph, write_note
from planner.report.outputs import write_outputs
from tests.test_staticmap import tiny_plan

if TYPE_CHECKING:
    from pathlib import Path

    from planner.results.plan import Plan


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Plan, Path]:
    """A tiny plan written with every output (static maps and note included)."""
    folder = tmp_path_factory.mktemp("note")
    plan = tiny_plan(folder / "city")
    write_outputs(plan, folder / "out")
    return plan, folder / "out"


def pdf_text(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def test_every_output_is_written(written: tuple[Plan, Path]) -> None:
    _, out = written
    for name in ("map.html", "map.png", "map.pdf", "note.html", "note.pdf", "plan.gpkg"):
        assert (out / name).is_file(), name


def test_pdf_note_has_the_figures_of_summary_json(written: tuple[Plan, Path]) -> None:
    _, out = written
    summary = json.loads((out / "summary.json").read_text())
    pages = pdf_text(out / "note.pdf")
    assert len(pages) >= 2
    first = pages[0]
    assert "Huizen van het Kind: scenario tiny" in first
    assert "Waar komen de huizen <en> antennes?" in first
    assert "Samenvatting" in first
    text = re.sub(r"\s+", " ", " ".join(pages))
    coverage = summary["coverage"]
    expected = [
        f"{summary['houses']} ({summary['houses_new']} nieuw)",
        f"{summary['antennes']} ({summary['antennes_new']} nieuw)",
        f"€ {format_number(summary['cost'])} (€ {format_number(summary['budget'])})",
        # each coverage share to the precision its range supports (whole percent when the
        # range under speeds ±10 % and standards ±1 min is wider than a point)
        headline_share(summary, "house"),
        headline_share(summary, "house_neediest_quintile"),
        headline_share(summary, "frequent"),
        headline_share(summary, "frequent_neediest_quintile"),
        "Hetzelfde plan, doorgerekend met verplaatsingen die 10 % sneller",
        format_number(summary["target_population"]),
        f"{format_number(summary['travel_time_min']['house']['p50'], 1)} min",
        format_share(coverage["house_neediest_quintile"], 0),
    ]
    for figure in expected:
        assert figure in text, figure
    assert "Kerncijfers" in text
    assert "bewezen optimaal" in text
    assert "Statbel; Stad Gent; OpenStreetMap-bijdragers" in text
    assert "sectors.gpkg" in text
    assert "tegenover het basisscenario" not in text  # no baseline given
    assert "binnen 15 minuten wandelen" in text  # no need tightening: the plain standard
    assert "binnen de norm" not in text


def test_pdf_lists_the_sites_with_their_role(written: tuple[Plan, Path]) -> None:
    plan, out = written
    text = re.sub(r"\s+", " ", " ".join(pdf_text(out / "note.pdf")))
    for site in plan.sites[plan.sites["role"] != "closed"].itertuples():
        assert str(site.name) in text
    assert "Locaties" in text
    assert "Methode" in text


def test_note_and_map_are_reproducible(written: tuple[Plan, Path], tmp_path: Path) -> None:
    plan, out = written
    write_outputs(plan, tmp_path / "again")
    for name in ("note.pdf", "note.html", "map.html", "map.png", "map.pdf"):
        assert (out / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name


def test_note_html_is_escaped_and_shows_the_map(written: tuple[Plan, Path]) -> None:
    _, out = written
    page = (out / "note.html").read_text()
    assert "Waar komen de huizen &lt;en&gt; antennes?" in page
    assert "<en>" not in page
    assert '<img src="map.png"' in page


def test_plan_gpkg_carries_colocation_and_wijk(written: tuple[Plan, Path]) -> None:
    _, out = written
    sites = gpd.read_file(out / "plan.gpkg", layer="sites")
    assert {"is_school", "is_consultatiebureau"} <= set(sites.columns)
    assert sites.set_index("site_id").loc["S1", "is_school"]
    sectors = gpd.read_file(out / "plan.gpkg", layer="sectors")
    assert "wijk" in sectors.columns


def test_summary_paragraph_in_dutch_with_and_without_baseline() -> None:
    summary = {
        "scenario": "B",
        "cost": 1_200_000.0,
        "mode": "walk",
        "standards_min": {"house": 15, "frequent": 10},
        "coverage": {"house": 0.81, "frequent": 0.7, "house_neediest_quintile": 0.92},
        "houses": 5,
        "houses_new": 2,
        "antennes": 3,
        "antennes_new": 1,
    }
    before = {"coverage": {"house_neediest_quintile": 0.86}}
    text = summary_paragraph(summary, "nl", {**before, "scenario": "gent_today"})
    assert text.startswith(
        "Scenario B bereikt 92 % van het vijfde van de gezinnen in de meest kwetsbare sectoren "
        "binnen 15 minuten wandelen van een Huis van het Kind, +6 procentpunten tegenover het "
        "basisscenario gent_today, voor een eenmalige investering van € 1,2 miljoen."
    )
    assert "5 huizen (2 nieuw)" in text
    assert "niet bewezen optimaal" not in text  # no solver status given
    unnamed = summary_paragraph(summary, "nl", before)
    assert "+6 procentpunten tegenover het basisscenario, voor" in unnamed
    plain = summary_paragraph(summary, "nl")
    assert "tegenover" not in plain
    assert (
        "wandelen van een Huis van het Kind, voor een eenmalige investering van € 1,2 miljoen."
        in plain
    )
    inner = summary_paragraph({**summary, "baseline": before}, "nl")
    assert "+6 procentpunten" in inner
    worse = summary_paragraph(summary, "nl", {"coverage": {"house_neediest_quintile": 0.95}})
    assert "-3 procentpunten" in worse


def test_summary_paragraph_in_english() -> None:
    summary = {
        "scenario": "B",
        "cost": 850_000.0,
        "mode": "bike",
        "standards_min": {"house": 15, "frequent": 10},
        "coverage": {"house": 0.81, "frequent": 0.7, "house_neediest_quintile": 0.925},
    }
    text = summary_paragraph(summary, "en")
    assert text.startswith(
        "Scenario B reaches 92% of the fifth of the families in the neediest sectors within 15 "
        "minutes cycling of a Huis van het Kind, for a one-off investment of €850,000."
    )


def test_euro_in_words() -> None:
    assert format_euro_short(1_200_000) == "€ 1,2 miljoen"
    assert format_euro_short(1_250_000) == "€ 1,25 miljoen"
    assert format_euro_short(850_000) == "€ 850.000"
    assert format_euro_short(2_000_000, "en") == "€2.0 million"


def test_not_proven_optimal_shows_the_gap(written: tuple[Plan, Path], tmp_path: Path) -> None:
    plan, _ = written
    summary = {**plan.summary, "proven_optimal": False, "status": "time limit", "gap": 0.0123}
    content = note_content(dataclasses.replace(plan, summary=summary))
    assert "het plan ligt hoogstens 1,2 % onder het beste mogelijke" in content.status
    assert "De rekenmodule (CBC) stopte" in content.status
    label = "niet bewezen optimaal (afstand tot de grens 1,2 %)"
    assert ("Status van de berekening", label) in content.figures
    assert "Het plan is niet bewezen optimaal (afstand tot de grens 1,2 %)." in content.summary
    write_note(dataclasses.replace(plan, summary=summary), tmp_path)
    text = re.sub(r"\s+", " ", " ".join(pdf_text(tmp_path / "note.pdf")))
    assert label in text
    for technical in ("gap", "oplosser", "'optimal'", "time limit"):
        assert technical not in text, technical
    assert "<img" not in (tmp_path / "note.html").read_text()  # no map given


def test_english_note(written: tuple[Plan, Path]) -> None:
    plan, _ = written
    content = note_content(plan, language="en")
    page = note_html(content)
    assert '<html lang="en">' in page
    assert "Key figures" in page
    assert "proven optimal" in page
    assert "Kerncijfers" not in page


def test_cli_run_offline_in_english(tmp_path: Path) -> None:
    tiny_plan(tmp_path / "city")  # writes the city and its scenario
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        [
            "run",
            str(tmp_path / "city" / "scenario.yaml"),
            "--out",
            str(out),
            "--offline",
            "--lang",
            "en",
        ],
    )
    assert result.exit_code == 0, result.output
    page = (out / "map.html").read_text()
    assert "cdn.jsdelivr" not in page
    assert "L.tileLayer(" not in page
    text = " ".join(pdf_text(out / "note.pdf"))
    assert "Key figures" in text
    bad = CliRunner().invoke(
        app, ["run", str(tmp_path / "city" / "scenario.yaml"), "--out", str(out), "--lang", "fr"]
    )
    assert bad.exit_code == 2


def test_tightened_standards_are_never_labelled_as_the_plain_standard(
    written: tuple[Plan, Path],
) -> None:
    plan, _ = written
    standards = {"house": 20, "frequent": 10, "link": 20, "need_tightening": 0.3}
    tight = dataclasses.replace(plan, summary={**plan.summary, "standards_min": standards})
    content = note_content(tight)
    # the summary and the figures never say "binnen 20 min" without the stricter standard
    shown = " ".join([content.summary, *(label for label, _ in content.figures)])
    assert "binnen 20 min" not in shown
    assert "binnen 10 min" not in shown
    assert (
        "binnen de norm (20 minuten wandelen; tot 14 minuten voor de meest kwetsbare sectoren)"
        in content.summary
    )
    labels = [label for label, _ in content.figures]
    assert (
        "Gezinnen met een huis binnen de norm (20 min; tot 14 min voor de meest kwetsbare "
        "sectoren)" in labels
    )
    assert (
        "Gezinnen met een huis of antenne binnen de norm (10 min; tot 7 min voor de meest "
        "kwetsbare sectoren)" in labels
    )
    assert "tot 30 % korter" in content.method
    english = note_content(tight, language="en")
    assert "within 20 minutes" not in english.summary
    assert "within the standard (20 minutes walking; down to 14 minutes" in english.summary


def test_method_names_the_model_indicators_and_lambda(written: tuple[Plan, Path]) -> None:
    plan, _ = written
    method = note_content(plan).method
    assert "maximale dekking binnen het budget" in method
    assert "median_income (lager = kwetsbaarder, gewicht 1)" in method
    assert "deprived_births_share (hoger = kwetsbaarder, gewicht 1)" in method
    assert "gewicht voor nood λ = 1,0" in method
    assert "lambda" not in method
    assert "max_coverage" not in method
    english = note_content(plan, language="en").method
    assert "median_income (lower = needier, weight 1)" in english
    assert "weight of need λ = 1.0" in english


def test_summary_notes_appear_as_remarks(written: tuple[Plan, Path], tmp_path: Path) -> None:
    plan, _ = written
    notes = [
        (
            "budget EUR 100,000 is below the cheapest new site (EUR 400,000): is it in euro? The "
            "plan keeps only the existing sites"
        ),
        (
            "1 sector (4.5 families) cannot be reached by any allowed site within the standards "
            "and were left out (objective.unreachable: skip)"
        ),
        "3 sectors miss a need indicator value, imputed with the median",
        "12 sector-site pairs have no route (inf)",
        (
            "reaching every family within the standards costs EUR 1,250,000, over the budget of "
            "EUR 600,000 (set cover ignores the budget)"
        ),
        (
            "p_median places houses only, with p = 1; the budget is not a constraint (this plan "
            "costs EUR 0)"
        ),
        "a brand-new remark",
    ]
    noted = dataclasses.replace(plan, summary={**plan.summary, "notes": notes})
    content = note_content(noted)
    assert content.remarks == [
        (
            "Het budget (€ 100.000) is kleiner dan de goedkoopste nieuwe locatie (€ 400.000): het "
            "plan behoudt alleen de bestaande locaties. Staat het budget wel in euro?"
        ),
        (
            "1 sector (5 gezinnen) kan door geen enkele toegelaten locatie binnen de normen "
            "bereikt worden en is buiten beschouwing gelaten."
        ),
        (
            "Voor 3 sectoren ontbrak een waarde van een indicator; die zijn aangevuld met een "
            "schatting (de mediaan)."
        ),
        (
            "Voor 12 combinaties van een sector en een kandidaat-locatie is er geen weg over het "
            "stratennet (stukken ervan sluiten niet op elkaar aan); die tellen als onbereikbaar."
        ),
        (
            "Alle gezinnen binnen de normen bereiken kost € 1.250.000, meer dan het budget van "
            "€ 600.000; dit model zoekt het goedkoopste plan, het budget geldt er niet."
        ),
        (
            "Dit model plaatst alleen huizen (1 huis); het budget geldt niet (dit plan heeft geen "
            "nieuwe kosten)."
        ),
        "A brand-new remark.",
    ]
    assert remark("the target group is estimated from births", "nl").startswith(
        "Het aantal gezinnen in de doelgroep is geschat"
    )
    estimated = remark(
        "target group estimated as 6.5 % of population (no age table) in 3 of 200 sectors: "
        "replace it with an age table when available (planner data)",
        "nl",
    )
    assert estimated.startswith(
        "Het aantal gezinnen in de doelgroep is geschat als 6,5 % van de inwoners"
    )
    assert "planner data" not in estimated
    assert "in 3 van de 200 sectoren" in estimated
    income = remark(
        "12 sectors have an imputed median income, and so kansarmoede_est (Statbel suppressed "
        "them; imputed from neighbouring sectors (10), with the city median (2))",
        "nl",
    )
    assert income == (
        "Voor 12 sectoren maakt Statbel het mediaaninkomen niet bekend (te weinig inwoners om ze "
        "te tonen). Het is geschat, en daarmee ook hun kwetsbaarheidsindex: voor 10 uit de "
        "naburige sectoren, voor 2 met de mediaan van de stad."
    )
    loose = remark(
        "the budget (EUR 3,000,000) does not bind: all 12 candidate sites together cost at "
        "most EUR 2,500,000",
        "nl",
    )
    assert loose == (
        "Het budget (€ 3.000.000) beperkt niets: alle 12 kandidaat-locaties samen kosten "
        "hoogstens € 2.500.000."
    )
    assert remark("12 sector-site pairs have no route (inf)", "en") == (
        "For 12 pairs of a sector and a candidate site there is no route over the street "
        "network (parts of it do not connect); they count as unreachable."
    )
    # the solve layer's checks of a verdict, as the summary notes them
    overturned = (
        "solver check: cbc declared the model infeasible; cbc without pre-processing found a plan"
    )
    assert remark(overturned, "nl") == (
        "CBC noemde het model eerst onoplosbaar; een tweede berekening zonder voorbewerking "
        "vond dit plan: dat oordeel was fout."
    )
    assert remark(overturned, "en") == f"Solver check: {overturned.removeprefix('solver check: ')}."
    dropped = (
        "solver check: highs stopped 'optimal' from the MIP start without closing the gap; "
        "solved again without the start"
    )
    assert remark(dropped, "nl").startswith("De solver meldde het startplan als optimaal")
    write_note(noted, tmp_path)
    page = (tmp_path / "note.html").read_text()
    assert "<h2>Opmerkingen</h2>" in page
    text = re.sub(r"\s+", " ", " ".join(pdf_text(tmp_path / "note.pdf")))
    assert "Opmerkingen" in text
    assert "Voor 12 combinaties van een sector en een kandidaat-locatie" in text
    english = note_html(note_content(noted, language="en"))
    assert "<h2>Remarks</h2>" in english
    assert "For 12 pairs of a sector and a candidate site" in english
    assert "objective.unreachable" not in english
    assert "<h2>Opmerkingen</h2>" not in note_html(
        note_content(dataclasses.replace(plan, summary={**plan.summary, "notes": []}))
    )


def test_singular_and_no_cost_in_dutch() -> None:
    summary = {
        "scenario": "B",
        "cost": 0.0,
        "mode": "walk",
        "standards_min": {"house": 15, "frequent": 10},
        "coverage": {"house": 0.9996, "frequent": 0.0004, "house_neediest_quintile": 1.0},
        "houses": 1,
        "houses_new": 0,
        "antennes": 1,
        "antennes_new": 1,
    }
    text = summary_paragraph(summary, "nl")
    assert "1 huis (0 nieuw) en 1 antenne (1 nieuw)" in text
    assert "zonder nieuwe kosten" in text
    assert "€ 0" not in text
    assert "bereikt 100 % van" in text  # all of them: 100 %
    assert "Over alle gezinnen is dat bijna 100 %" in text
    assert "minder dan 1 % heeft" in text
    english = summary_paragraph(summary, "en")
    assert "1 house (0 new) and 1 antenne (1 new)" in english
    assert "at no new cost" in english


def test_shares_are_never_rounded_to_all_or_nothing() -> None:
    assert format_share(0.9996) == "99,9 %"
    assert format_share(0.9996, 0) == "bijna 100 %"
    assert format_share(0.9996, 1, "en") == "99.9%"
    assert format_share(1.0) == "100,0 %"
    assert format_share(0.0) == "0,0 %"
    assert format_share(0.0001) == "minder dan 0,1 %"
    assert format_share(0.0001, 0, "en") == "less than 1%"
    assert format_share(0.923) == "92,3 %"


def test_site_ids_are_not_broken_in_the_pdf(written: tuple[Plan, Path], tmp_path: Path) -> None:
    plan, _ = written
    sites = plan.sites.copy()
    sites["site_id"] = [f"gent-bibliotheek-filiaal-{i:04d}" for i in range(len(sites))]
    write_note(dataclasses.replace(plan, sites=sites), tmp_path)
    text = " ".join(pdf_text(tmp_path / "note.pdf"))
    opened = sites[sites["role"] != "closed"]
    for site_id in opened["site_id"]:
        assert site_id in text, site_id


def test_remarks_are_council_words_without_cli_or_fractional_families() -> None:
    far = remark(
        "3 sectors (1.2 families) are more than 500 m from a street and count as unreachable",
        "nl",
    )
    assert far == (
        "3 sectoren met samen 1 gezin liggen verder dan 500 m van een straat; die gezinnen "
        "tellen als onbereikbaar."
    )
    part = remark(
        "1 demand point in 1 sector (less than 1 family) is more than 500 m from a street and "
        "counts as unreachable",
        "nl",
    )
    assert "minder dan 1 gezin" in part
    assert part.startswith("In 1 sector ligt een deel van de sector")
    site = remark(
        "1 candidate site (gen-44021X) is more than 500 m from a street and cannot be chosen",
        "nl",
    )
    assert site == (
        "1 kandidaat-locatie (gen-44021X) ligt verder dan 500 m van een straat en kan niet "
        "gekozen worden."
    )
    notes = [
        (
            "target group estimated as 4 % of inhabitants under 65 (no age table): replace it with "
            "an age table when available (planner data)"
        ),
        (
            "existing houses are stand-ins: library (from planner data --existing-type "
            "library=house); replace them with the real list"
        ),
        (
            "site costs are default placeholders per site type (planner data), not quotes: give "
            "the city's figures with planner data --site-types"
        ),
        (
            "no existing sites in the sites file: objective.keep_existing has nothing to keep, so "
            "the plan starts from zero (mark today's houses with the column 'existing')"
        ),
        (
            "4 of 200 sector polygons are approximations: Voronoi cells of Statbel's sector "
            "centroids clipped to the municipal boundary (no sector polygon file); give Statbel's "
            "sh_statbel_statistical_sectors file to planner data (--file sectors=...)"
        ),
    ]
    for note in notes:
        english = remark(note, "en")
        for jargon in ("planner data", "--", "objective.", "data.network", "'existing'"):
            assert jargon not in english, (jargon, english)
        dutch = remark(note, "nl")
        for jargon in (
            "planner",
            "--",
            "objective.",
            "data.",
            "inhabitants",
            "library",
            "'existing'",
        ):
            assert jargon not in dutch, (jargon, dutch)
    assert "'bibliotheek'" in remark(notes[1], "nl")
    assert "jonger dan 65" in remark(notes[0], "nl")
