"""The council note as an editable Word file, ``note.docx``, written with python-docx.

The same content as ``note.pdf`` (:class:`~planner.report.note_text.NoteContent`, gathered
once by :func:`planner.report.note.note_content`), in the same order: the title, the question,
the summary and the static map; then the key figures, "van vandaag naar het plan", what
changes, the sites, per wijk, the method, the remarks, the status and the sources, with the
footer (date, planner's version, scenario file) on every page. Headings use Word's own
heading styles and tables the "Table Grid" style, so a council can restyle and edit the note.

Same content, same bytes: the core properties carry a fixed date (``SOURCE_DATE_EPOCH`` when
set, else 1 January 2000) and the ZIP entries a fixed time stamp: :func:`_save` runs
python-docx's own package writer into :class:`_FixedZip` instead of its ZIP file (images stored,
not compressed again: a third of the time). python-docx is imported only here, when a note is
written.
"""

from __future__ import annotations

import os
import zipfile
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from planner.report.note_alternatives import ALTERNATIVES_TEXT
from planner.report.note_phases import PHASE_TEXT
from planner.report.note_region import municipality_heading
from planner.report.note_text import TEXT
from planner.report.note_today import TODAY_TEXT

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from planner.report.note_text import NoteContent

__all__ = ["write_note_docx"]

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
"""The time stamp of every entry of the file (the earliest a ZIP can hold)."""


def _fixed_date() -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC).replace(tzinfo=None)
    return datetime(2000, 1, 1)  # noqa: DTZ001 - core properties are written without a zone


_PROPERTY_CHARS = 255
"""The longest text a core property may hold (python-docx refuses more)."""


def _short(text: str) -> str:
    """Cut a text to what a core property holds, with an ellipsis when cut."""
    if len(text) <= _PROPERTY_CHARS:
        return text
    return text[: _PROPERTY_CHARS - 1].rstrip() + "\u2026"


def _table(document: Any, header: str, rows: Sequence[tuple[str, ...]]) -> None:  # noqa: ANN401
    """Add a table with a bold header row (cells of ``header`` joined with ``|``)."""
    cells = header.split("|")
    table = document.add_table(rows=len(rows) + 1, cols=len(cells))
    table.style = "Table Grid"
    for k, (row, values) in enumerate(zip(table.rows, [tuple(cells), *rows], strict=True)):
        for cell, value in zip(row.cells, values, strict=True):
            run = cell.paragraphs[0].add_run(value)
            run.bold = k == 0 or None


def _bullets(document: Any, lines: list[str]) -> None:  # noqa: ANN401 - a docx Document
    for line in lines:
        document.add_paragraph(line, style="List Bullet")


def _page(document: Any, content: NoteContent) -> None:  # noqa: ANN401 - a docx Document
    """Make every page A4 with 20 mm margins and the footer line."""
    from docx.shared import Mm, Pt  # noqa: PLC0415 - python-docx is heavy

    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin = section.bottom_margin = Mm(18)
    footer = section.footer.paragraphs[0]
    footer.text = content.footer or TEXT[content.language]["made"]
    for run in footer.runs:
        run.font.size = Pt(7)


def _extra_tables(document: Any, content: NoteContent) -> None:  # noqa: ANN401 - a Document
    """Add the tables per year, per wijk, per municipality and of the alternatives."""
    if content.phases:  # a phased rollout: the table per year and the order of opening
        document.add_heading(PHASE_TEXT[content.language]["title"], level=2)
        _table(document, PHASE_TEXT[content.language]["header"], content.phases)
        document.add_paragraph(content.phase_order)
    if content.wijken:
        document.add_heading(TODAY_TEXT[content.language]["wijken"], level=2)
        _table(document, content.wijk_header, content.wijken)
    if content.municipalities:
        heading, header = municipality_heading(content.language)
        document.add_heading(heading, level=2)
        _table(document, header, content.municipalities)
    if content.alternatives:
        document.add_heading(ALTERNATIVES_TEXT[content.language]["title"], level=2)
        document.add_paragraph(content.alternatives_intro)
        _table(document, content.alternatives_header, content.alternatives)


def _body(document: Any, content: NoteContent) -> None:  # noqa: ANN401 - a docx Document
    """Add the pages after the map: the tables, the method, remarks, status and sources."""
    text, today = TEXT[content.language], TODAY_TEXT[content.language]
    document.add_heading(text["figures"], level=2)
    _table(document, f"{text['figure']}|{text['value']}", content.figures)
    for sentence in (content.precision, content.modes, content.attendance):
        if sentence:
            document.add_paragraph(sentence)
    if content.today:
        document.add_heading(today["heading"], level=2)
        document.add_paragraph(content.today_note)
        _table(document, today["header"], content.today)
    if content.changes:
        document.add_heading(today["changes"], level=2)
        _bullets(document, content.changes)
    document.add_heading(text["sites"], level=2)
    if content.sites:
        _table(document, text["site_header"], content.sites)
    else:
        document.add_paragraph(text["no_sites"])
    _extra_tables(document, content)
    document.add_heading(text["method"], level=2)
    document.add_paragraph(content.method)
    if content.remarks:
        document.add_heading(text["remarks"], level=2)
        _bullets(document, content.remarks)
    document.add_heading(text["status"], level=2)
    document.add_paragraph(content.status)
    document.add_heading(text["sources"], level=2)
    for line in content.sources:
        document.add_paragraph(line)


class _FixedZip:
    """python-docx's physical package writer, with fixed time stamps and stored images.

    It writes each part as python-docx does (``write(pack_uri, blob)``, then ``close()``),
    into a ZIP whose entries all carry :data:`_ZIP_TIME`; the images of ``word/media/`` are
    stored as they are (a PNG is compressed already), everything else deflated.
    """

    def __init__(self, path: Path) -> None:
        self._zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED)

    def write(self, pack_uri: Any, blob: bytes) -> None:  # noqa: ANN401 - a docx PackURI
        name = str(pack_uri.membername)
        entry = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
        media = name.startswith("word/media/")
        entry.compress_type = zipfile.ZIP_STORED if media else zipfile.ZIP_DEFLATED
        entry.external_attr = 0o644 << 16
        self._zip.writestr(entry, blob)

    def close(self) -> None:
        self._zip.close()


def _save(document: Any, path: Path) -> None:  # noqa: ANN401 - a docx Document
    """Save as ``Document.save`` does (python-docx 1.x's package writer) into a fixed ZIP."""
    from docx.opc.pkgwriter import PackageWriter  # noqa: PLC0415 - python-docx is heavy

    package = document.part.package
    for part in package.parts:
        part.before_marshal()
    packager: Any = PackageWriter  # its steps are untyped; our writer stands in for the ZIP
    writer = _FixedZip(path)
    try:
        packager._write_content_types_stream(writer, package.parts)  # noqa: SLF001
        packager._write_pkg_rels(writer, package.rels)  # noqa: SLF001
        packager._write_parts(writer, package.parts)  # noqa: SLF001
    finally:
        writer.close()


def write_note_docx(content: NoteContent, path: Path, map_png: Path | None) -> None:
    """Write a note as an editable Word file, the same content as the PDF.

    Parameters
    ----------
    content
        What the note says (:func:`planner.report.note.note_content`).
    path
        The file to write (``note.docx``).
    map_png
        The static map to show on the first page; None for a note without map.
    """
    import docx  # noqa: PLC0415 - python-docx only when a note is written
    from docx.enum.text import WD_BREAK  # noqa: PLC0415
    from docx.shared import Mm  # noqa: PLC0415

    text = TEXT[content.language]
    document = docx.Document()
    _page(document, content)
    document.add_heading(content.title, level=0)
    document.add_heading(text["question"], level=2)
    document.add_paragraph(content.question)
    document.add_heading(text["summary"], level=2)
    document.add_paragraph(content.summary)
    if map_png is not None:
        document.add_picture(str(map_png), width=Mm(170))
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _body(document, content)
    properties = document.core_properties
    properties.title = _short(content.title)
    properties.author = properties.last_modified_by = "planner"
    properties.language = content.language
    properties.created = properties.modified = _fixed_date()
    properties.revision = 1
    properties.comments = _short(content.question)  # not "generated by python-docx"
    _save(document, path)
