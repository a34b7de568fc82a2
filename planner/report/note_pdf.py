"""The council note as an A4 PDF, ``note.pdf``, laid out with reportlab (Platypus).

Page 1 holds the question, the summary and the static map; then the key figures, the sites,
the method, the remarks, the status and the sources. reportlab flows paragraphs and tables
over pages, embeds the PNG map and writes real text that PDF readers can search and copy; its
``invariant`` mode gives byte-identical files for the same content. reportlab is imported only
when a note is written.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from planner.report.note_alternatives import ALTERNATIVES_TEXT
from planner.report.note_phases import PHASE_TEXT
from planner.report.note_region import municipality_heading
from planner.report.note_text import TEXT
from planner.report.note_today import TODAY_TEXT

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from planner.report.note_text import NoteContent

__all__ = ["write_note_pdf"]

_SITE_SHARES = (0.27, 0.1, 0.11, 0.11, 0.26, 0.15)
_TODAY_SHARES = (0.38, 0.17, 0.17, 0.28)
_WIJK_SHARES = (0.25, 0.11, 0.16, 0.16, 0.16, 0.16)
_CELL_PADDING = 14.0  # points: the table's left and right padding and a little air


_ALTERNATIVE_SHARES = (0.1, 0.16, 0.2, 0.16, 0.24, 0.14)
"""Column widths of the alternatives table, as shares of the text width."""


def _site_widths(content: NoteContent, width: float, font: str, size: float) -> list[float]:
    """Return the column widths of the sites table: the id column as wide as its longest id.

    Ids are never broken inside (``gent-bib-0012`` stays on one line); the other columns share
    what is left in their usual proportions. Ids too long for a third of the page get a third.
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth  # noqa: PLC0415 - reportlab is heavy

    longest = max((stringWidth(row[1], font, size) for row in content.sites), default=0.0)
    header = stringWidth(TEXT[content.language]["site_header"].split("|")[1], font, size)
    id_width = min(
        max(longest, header, width * _SITE_SHARES[1] - _CELL_PADDING) + _CELL_PADDING, width / 3
    )
    rest = width - id_width
    others = [share for i, share in enumerate(_SITE_SHARES) if i != 1]
    widths = [rest * share / sum(others) for share in others]
    widths.insert(1, id_width)
    return widths


def _grid_table(
    header: str,
    rows: list[tuple[str, ...]],
    shares: tuple[float, ...],
    width: float,
    style: Any,  # noqa: ANN401 - a reportlab paragraph style
    grid: Any,  # noqa: ANN401 - a reportlab table style
) -> Any:  # noqa: ANN401 - a reportlab table
    """Return a table with a header row (``a|b|c``), its rows and column widths as shares."""
    from reportlab.platypus import Paragraph, Table  # noqa: PLC0415 - reportlab is heavy

    def cell(value: str) -> Paragraph:
        return Paragraph(html.escape(value, quote=False), style)

    return Table(
        [[cell(value) for value in header.split("|")]]
        + [[cell(value) for value in row] for row in rows],
        colWidths=[width * share for share in shares],
        style=grid,
        repeatRows=1,
    )


def _page_footer(line: str) -> Callable[[Any, Any], None]:
    """Return reportlab's page callback that writes the footer line and the page number."""
    from reportlab.lib import colors  # noqa: PLC0415 - reportlab is heavy
    from reportlab.lib.pagesizes import A4  # noqa: PLC0415
    from reportlab.lib.units import mm  # noqa: PLC0415

    def draw(canvas: Any, doc: Any) -> None:  # noqa: ANN401 - reportlab's canvas and document
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(colors.grey)
        canvas.drawString(20 * mm, 10 * mm, line)
        canvas.drawRightString(A4[0] - 20 * mm, 10 * mm, str(doc.page))
        canvas.restoreState()

    return draw


def _extra_tables(
    content: NoteContent,
    styles: Any,  # noqa: ANN401 - a reportlab style sheet
    small: Any,  # noqa: ANN401 - a reportlab paragraph style
    grid: Any,  # noqa: ANN401 - a reportlab table style
    width: float,
) -> list[Any]:
    """Return the tables per wijk, per municipality and of the alternatives, under headings."""
    from reportlab.platypus import Paragraph  # noqa: PLC0415 - reportlab is heavy

    story: list[Any] = []
    if content.wijken:
        story += [
            Paragraph(TODAY_TEXT[content.language]["wijken"], styles["Heading2"]),
            _grid_table(content.wijk_header, content.wijken, _WIJK_SHARES, width, small, grid),
        ]
    if content.municipalities:
        heading, header = municipality_heading(content.language)
        shares = (0.22, *([0.78 / (len(header.split("|")) - 1)] * (len(header.split("|")) - 1)))
        story += [
            Paragraph(heading, styles["Heading2"]),
            _grid_table(header, content.municipalities, shares, width, small, grid),
        ]
    if content.alternatives:
        story += [
            Paragraph(ALTERNATIVES_TEXT[content.language]["title"], styles["Heading2"]),
            Paragraph(html.escape(content.alternatives_intro, quote=False), styles["BodyText"]),
            _grid_table(
                content.alternatives_header,
                content.alternatives,
                _ALTERNATIVE_SHARES,
                width,
                small,
                grid,
            ),
        ]
    return story


def write_note_pdf(content: NoteContent, path: Path, map_png: Path | None) -> None:
    """Lay out a note as an A4 PDF: page 1 the question, summary and map; then the tables."""
    from reportlab.lib import colors  # noqa: PLC0415 - reportlab only when a note is written
    from reportlab.lib.pagesizes import A4  # noqa: PLC0415
    from reportlab.lib.styles import getSampleStyleSheet  # noqa: PLC0415
    from reportlab.lib.units import mm  # noqa: PLC0415
    from reportlab.platypus import (  # noqa: PLC0415
        Image,
        KeepTogether,
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    text = TEXT[content.language]
    styles = getSampleStyleSheet()
    styles["Heading2"].keepWithNext = 1  # never a heading alone at the foot of a page
    body, small = styles["BodyText"], styles["BodyText"].clone("small", fontSize=8, leading=10)

    def para(value: str, style: Any = body) -> Paragraph:  # noqa: ANN401 - a reportlab style
        return Paragraph(html.escape(value, quote=False), style)

    width = A4[0] - 40 * mm
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    story: list[Any] = [
        Paragraph(html.escape(content.title, quote=False), styles["Title"]),
        Paragraph(text["question"], styles["Heading2"]),
        para(content.question),
        Paragraph(text["summary"], styles["Heading2"]),
        para(content.summary),
    ]
    if map_png is not None:
        story += [Spacer(1, 4 * mm), Image(str(map_png), width=width, height=width * 210 / 297)]
    story.append(PageBreak())
    story += [
        Paragraph(text["figures"], styles["Heading2"]),
        Table(
            [[para(text["figure"]), para(text["value"])]]
            + [[para(label), para(value)] for label, value in content.figures],
            colWidths=[width * 0.62, width * 0.38],
            style=grid,
        ),
    ]
    for sentence in (content.precision, content.modes, content.attendance):
        if sentence:
            story += [Spacer(1, 2 * mm), para(sentence)]
    today = TODAY_TEXT[content.language]
    if content.today:
        story += [
            Paragraph(today["heading"], styles["Heading2"]),
            para(content.today_note),
            Spacer(1, 2 * mm),
            _grid_table(today["header"], content.today, _TODAY_SHARES, width, small, grid),
        ]
    if content.changes:
        story.append(Paragraph(today["changes"], styles["Heading2"]))
        story += [para(f"\u2022 {line}") for line in content.changes]
    if content.phases:  # a phased rollout: the table per year and the order of opening
        phase_text = PHASE_TEXT[content.language]
        header = [para(cell, small) for cell in phase_text["header"].split("|")]
        rows = [[para(cell, small) for cell in row] for row in content.phases]
        story += [
            Paragraph(phase_text["title"], styles["Heading2"]),
            Table([header, *rows], style=grid, repeatRows=1),
            Spacer(1, 2 * mm),
            para(content.phase_order),
        ]
    story += [
        Paragraph(text["sites"], styles["Heading2"]),
    ]
    if content.sites:
        header = [para(cell, small) for cell in text["site_header"].split("|")]
        rows = [[para(cell, small) for cell in row] for row in content.sites]
        story.append(
            Table(
                [header, *rows],
                colWidths=_site_widths(content, width, small.fontName, small.fontSize),
                style=grid,
                repeatRows=1,
            )
        )
    else:
        story.append(para(text["no_sites"]))
    story += _extra_tables(content, styles, small, grid, width)
    story += [Paragraph(text["method"], styles["Heading2"]), para(content.method)]
    if content.remarks:
        story.append(Paragraph(text["remarks"], styles["Heading2"]))
        story += [para(f"\u2022 {line}") for line in content.remarks]
    story += [
        KeepTogether([Paragraph(text["status"], styles["Heading2"]), para(content.status)]),
        KeepTogether(
            [
                Paragraph(text["sources"], styles["Heading2"]),
                *(para(line, small) for line in content.sources),
                Spacer(1, 4 * mm),
                para(content.footer or text["made"], small),
            ]
        ),
    ]
    document = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=content.title,
        author="planner",
        creator="planner",
        lang=content.language,
        invariant=1,
    )

    footer = _page_footer(content.footer or text["made"])
    document.build(story, onFirstPage=footer, onLaterPages=footer)
