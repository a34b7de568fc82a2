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

from planner.assets import format_euro_short, format_number, format_share
from planner.cli import app
from planner.note import note_content, note_html, summary_paragraph, write_note
from planner.outputs import write_outputs
from tests.test_staticmap import tiny_plan

if TYPE_CHECKING:
    from pathlib import Path

    from planner.plan import Plan


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
        format_share(coverage["house"]),
        format_share(coverage["house_neediest_quintile"]),
        format_share(coverage["frequent"]),
        format_share(coverage["frequent_neediest_quintile"]),
        format_number(summary["target_population"]),
        f"{format_number(summary['travel_time_min']['house']['p50'], 1)} min",
        format_share(coverage["house_neediest_quintile"], 0),
    ]
    for figure in expected:
        assert figure in text, figure
    assert "Kerncijfers" in text
    assert "bewezen optimaal" in text
    assert "Statbel, Stad Gent, OpenStreetMap-bijdragers" in text
    assert "sectors.gpkg" in text
    assert "tegenover vandaag" not in text  # no baseline given


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
    text = summary_paragraph(summary, "nl", before)
    assert text.startswith(
        "Scenario B bereikt 92 % van de gezinnen in de meest kwetsbare sectoren binnen 15 "
        "minuten wandelen van een Huis van het Kind, +6 procentpunten tegenover vandaag, "
        "voor € 1,2 miljoen."
    )
    assert "5 huizen (2 nieuw)" in text
    plain = summary_paragraph(summary, "nl")
    assert "tegenover vandaag" not in plain
    assert "wandelen van een Huis van het Kind, voor € 1,2 miljoen." in plain
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
        "Scenario B reaches 92% of the families in the neediest sectors within 15 minutes "
        "cycling of a Huis van het Kind, for €850,000."
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
    assert "niet bewezen optimaal (gap 1,23 %)" in content.status
    assert ("Rekenstatus", "niet bewezen optimaal (gap 1,23 %)") in content.figures
    write_note(dataclasses.replace(plan, summary=summary), tmp_path)
    text = re.sub(r"\s+", " ", " ".join(pdf_text(tmp_path / "note.pdf")))
    assert "niet bewezen optimaal (gap 1,23 %)" in text
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
