"""Static maps of a plan: A4 at 300 dpi, PDF of one A4 page, reproducible, wijk optional."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from PIL import Image
from pypdf import PdfReader

import planner
from planner.report.staticmap import DPI, draw_static_map, write_static_maps
from tests.conftest import scenario_dict, tiny_layers

if TYPE_CHECKING:
    from pathlib import Path

    from planner.results.plan import Plan

A4_POINTS = (841.89, 595.28)  # landscape, 1/72 inch


def tiny_plan(folder: Path, *, wijk: bool = True, **outputs: Any) -> Plan:
    """Run the tiny city of conftest with a wijk column, co-location flags and outputs set."""
    sectors, sites, streets = tiny_layers()
    if wijk:
        sectors["wijk"] = ["Noord", "Noord", "Oost", "Zuid", "Zuid", "Oost"]
    sites["is_school"] = [True, False, False, False]
    sites["is_consultatiebureau"] = [False, True, False, False]
    folder.mkdir(parents=True, exist_ok=True)
    sectors.to_file(folder / "sectors.gpkg")
    sites.to_file(folder / "sites.gpkg")
    streets.to_file(folder / "streets.gpkg")
    raw = scenario_dict()
    raw["description"] = "Waar komen de huizen <en> antennes?"
    raw["outputs"] = {"sources": ["Statbel", "Stad Gent", "OpenStreetMap-bijdragers"], **outputs}
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return planner.run(path)


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return tiny_plan(tmp_path_factory.mktemp("static") / "city")


def test_png_is_a4_at_300_dpi(plan: Plan, tmp_path: Path) -> None:
    paths = write_static_maps(plan, tmp_path)
    assert set(paths) == {"map.png", "map.pdf"}
    with Image.open(paths["map.png"]) as image:
        width, height = image.size
        dpi = image.info["dpi"]
    assert abs(width - 3508) <= 1
    assert abs(height - 2480) <= 1
    assert abs(width / height - 297 / 210) < 1e-3
    assert round(dpi[0]) == DPI


def test_pdf_is_one_a4_page_with_the_map_texts(plan: Plan, tmp_path: Path) -> None:
    paths = write_static_maps(plan, tmp_path)
    reader = PdfReader(paths["map.pdf"])
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - A4_POINTS[0]) < 1
    assert abs(float(box.height) - A4_POINTS[1]) < 1
    text = reader.pages[0].extract_text()
    assert "Bronnen: Statbel; Stad Gent; OpenStreetMap-bijdragers" in text
    assert "Wijkgrens" in text
    assert "Vijfden van de gezinnen, naar de\nkwetsbaarheidsindex van hun sector" in text
    assert "meest kwetsbare vijfde: 1 sector" in text
    assert "km" in text or " m" in text  # the scale bar
    assert "N" in text  # the north arrow


def test_static_maps_are_reproducible(plan: Plan, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write_static_maps(plan, tmp_path / "a")
    second = write_static_maps(plan, tmp_path / "b")
    for name in ("map.png", "map.pdf"):
        assert first[name].read_bytes() == second[name].read_bytes()


def test_english_labels_and_no_wijk(tmp_path: Path) -> None:
    plan = tiny_plan(tmp_path / "city", wijk=False, language="en", sources=[])
    figure = draw_static_map(plan)
    texts = " ".join(
        t.get_text() for t in figure.findobj(lambda artist: hasattr(artist, "get_text"))
    )
    assert "Fifths of the families, by their\nsector's need index" in texts
    assert "Wijk boundary" not in texts
    assert "Sources: sectors.gpkg; sites.gpkg; streets.gpkg" in texts
    assert "Kwetsbaarheidsindex" not in texts


def test_plan_in_degrees_is_drawn_in_metres(plan: Plan) -> None:
    degrees = dataclasses.replace(
        plan,
        sectors=plan.sectors.to_crs("EPSG:4326"),
        sites=plan.sites.to_crs("EPSG:4326"),
        links=plan.links.to_crs("EPSG:4326"),
    )
    figure = draw_static_map(degrees, "nl")
    x0, x1 = figure.axes[0].get_xlim()
    assert x1 - x0 > 1000  # metres, not degrees


def map_texts(figure: Any) -> str:
    return " ".join(
        t.get_text() for t in figure.findobj(lambda artist: hasattr(artist, "get_text"))
    )


def test_tightened_standards_are_labelled_as_such(plan: Plan) -> None:
    standards = {**plan.summary["standards_min"], "house": 20, "frequent": 10}
    tight = dataclasses.replace(
        plan, summary={**plan.summary, "standards_min": {**standards, "need_tightening": 0.3}}
    )
    texts = " ".join(map_texts(draw_static_map(tight, "nl")).split())
    assert "Geen huis binnen de norm (20 min; tot 14 min voor de meest kwetsbare sectoren)" in texts
    assert "met een huis binnen de norm (20 min; tot 14 min" in texts
    assert "binnen 20 min" not in texts
    english = " ".join(map_texts(draw_static_map(tight, "en")).split())
    assert "No house within the standard (20 min; down to 14 min for the neediest sectors)" in (
        english
    )
    plain = dataclasses.replace(
        plan, summary={**plan.summary, "standards_min": {**standards, "need_tightening": 0.0}}
    )
    texts = " ".join(map_texts(draw_static_map(plain, "nl")).split())
    assert "Geen huis binnen 20 min" in texts
    assert "binnen de norm" not in texts


def test_one_house_is_singular(plan: Plan) -> None:
    one = dataclasses.replace(plan, summary={**plan.summary, "houses": 1, "antennes": 1})
    texts = map_texts(draw_static_map(one, "nl"))
    assert "1 huis (" in texts
    assert "1 antenne (" in texts
    assert "1 huizen" not in texts


def test_legend_lists_only_the_kinds_of_site_in_the_plan(plan: Plan) -> None:
    sites = plan.sites
    texts = map_texts(draw_static_map(plan, "nl"))
    for kind, existing, label in (
        ("house", True, "Huis van het Kind (bestaand)"),
        ("antenne", True, "Antenne (bestaand)"),
        ("antenne", False, "Antenne (nieuw)"),
    ):
        present = bool(((sites["role"] == kind) & (sites["existing"] == existing)).any())
        assert (label in texts) == present, label
    no_antennes = sites.assign(role=sites["role"].replace("antenne", "closed"))
    texts = map_texts(draw_static_map(dataclasses.replace(plan, sites=no_antennes), "nl"))
    assert "Antenne (nieuw)" not in texts
    assert "Antenne gekoppeld aan huis" not in texts
