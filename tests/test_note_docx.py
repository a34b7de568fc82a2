"""note.docx: the council note as an editable Word file, the same content as note.pdf."""

from __future__ import annotations

import dataclasses
import json
import zipfile
from typing import TYPE_CHECKING

import docx
import pytest

from planner.report.assets import format_number, headline_share
from planner.report.note import write_note
from planner.report.outputs import write_outputs
from tests.test_staticmap import tiny_plan

if TYPE_CHECKING:
    from pathlib import Path

    from planner.results.plan import Plan


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Plan, Path]:
    folder = tmp_path_factory.mktemp("docx")
    plan = tiny_plan(folder / "city")
    write_outputs(plan, folder / "out")
    return plan, folder / "out"


def tables(path: Path) -> list[list[list[str]]]:
    return [
        [[cell.text for cell in row.cells] for row in table.rows]
        for table in docx.Document(str(path)).tables
    ]


def test_docx_has_the_headings_of_the_note(written: tuple[Plan, Path]) -> None:
    _, out = written
    document = docx.Document(str(out / "note.docx"))
    headings = [
        p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))
    ]
    assert headings[0] == "Huizen van het Kind: scenario tiny"
    for heading in (
        "De vraag",
        "Samenvatting",
        "Kerncijfers",
        "Van vandaag naar het plan",
        "Wat verandert",
        "Locaties",
        "Methode",
        "Status van de berekening",
        "Gegevensbronnen",
    ):
        assert heading in headings, heading
    assert document.sections[0].footer.paragraphs[0].text.startswith("Gemaakt op ")
    assert document.inline_shapes, "the map is in the note"


def test_docx_figures_match_summary_json(written: tuple[Plan, Path]) -> None:
    _, out = written
    summary = json.loads((out / "summary.json").read_text())
    found = tables(out / "note.docx")
    figures = {row[0]: row[1] for row in found[0][1:]}
    values = [row[1] for row in found[0][1:]]  # two rows share the "... neediest" label
    assert figures["Huizen van het Kind"] == f"{summary['houses']} ({summary['houses_new']} nieuw)"
    assert figures["Gezinnen in de doelgroep"] == format_number(summary["target_population"])
    for name in ("house", "house_neediest_quintile", "frequent", "frequent_neediest_quintile"):
        assert headline_share(summary, name) in values, name
    today = found[1]
    assert today[0] == ["Cijfer", "Vandaag", "Plan", "Verschil"]
    rows = {row[0]: row[1:] for row in today[1:]}
    assert rows["Huizen van het Kind"][:2] == [
        str(summary["today"]["houses"]),
        str(summary["houses"]),
    ]
    assert rows["Eenmalige investering"][1] == f"€ {format_number(summary['cost'])}"
    reached = round(summary["families_reached"]["house"])
    house_row = next(
        row for label, row in rows.items() if label.startswith("Gezinnen met een huis ")
    )
    assert house_row[1] == f"{format_number(reached)} ({headline_share(summary, 'house')})"
    before = round(summary["today"]["families"]["house"])
    assert house_row[2].startswith(f"+{format_number(reached - before)} gezin")


def test_docx_lists_the_open_sites(written: tuple[Plan, Path]) -> None:
    plan, out = written
    sites = next(table for table in tables(out / "note.docx") if table[0][0] == "Naam")
    names = {row[0] for row in sites[1:]}
    assert names == set(plan.sites.loc[plan.sites["role"] != "closed", "name"].astype(str))


def test_docx_is_byte_identical_across_runs(written: tuple[Plan, Path], tmp_path: Path) -> None:
    plan, out = written
    write_outputs(plan, tmp_path / "again")
    assert (out / "note.docx").read_bytes() == (tmp_path / "again" / "note.docx").read_bytes()
    with zipfile.ZipFile(out / "note.docx") as archive:
        assert {item.date_time for item in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00" in core


def test_long_title_and_question_fit_the_core_properties(
    written: tuple[Plan, Path], tmp_path: Path
) -> None:
    plan, _ = written
    long = dataclasses.replace(plan, summary={**plan.summary, "description": "Waar? " * 80})
    write_note(long, tmp_path)
    properties = docx.Document(str(tmp_path / "note.docx")).core_properties
    assert len(properties.comments) == 255
    assert properties.comments.endswith("\u2026")
    paragraphs = [p.text for p in docx.Document(str(tmp_path / "note.docx")).paragraphs]
    assert ("Waar? " * 80).strip() in paragraphs  # the note itself keeps the whole question


def test_docx_lists_the_alternatives_as_the_pdf_does(tmp_path: Path) -> None:
    from typer.testing import CliRunner  # noqa: PLC0415

    from planner.cli import app  # noqa: PLC0415
    from tests.conftest import ROOT  # noqa: PLC0415

    out = tmp_path / "alt"
    result = CliRunner().invoke(
        app,
        ["run", str(ROOT / "scenarios" / "demo.yaml"), "--alternatives", "2", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    document = docx.Document(str(out / "note.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Even goed of bijna even goed" in headings
    found = tables(out / "note.docx")
    assert any(len(table) == 3 for table in found)  # the header and the two plans


def test_docx_has_the_table_per_year_of_a_phased_rollout(tmp_path: Path) -> None:
    from typer.testing import CliRunner  # noqa: PLC0415

    from planner.cli import app  # noqa: PLC0415
    from tests.conftest import ROOT  # noqa: PLC0415

    out = tmp_path / "phased"
    phases = "[{year: 2027, amount_eur: 5e5}, {year: 2028, amount_eur: 5e5}]"
    result = CliRunner().invoke(
        app,
        [
            "run",
            str(ROOT / "scenarios" / "demo.yaml"),
            "--set",
            f"budget.phases={phases}",
            "--set",
            "budget.amount_eur=1e6",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    document = docx.Document(str(out / "note.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Jaar per jaar" in headings
    assert any(table[1][0] == "2027" for table in tables(out / "note.docx") if len(table) > 1)
