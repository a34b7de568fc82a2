"""The council note of a plan: ``note.html`` and ``note.pdf``, Dutch by default, English on request.

A note has the title, the question the scenario answers (its description), one paragraph
written from the figures, the static map (``map.png``), a table of key figures, the sites with
their role, the method and the data sources, and the solver's status: proven optimal, or not
proven optimal with the gap. Every number comes from the plan's summary dict (the content of
``summary.json``), never recomputed here, so the note and the summary cannot disagree; the list
of sites comes from the plan's sites table.

The comparison with today ("+6 procentpunten tegenover vandaag") is written only when a
baseline summary is given (``baseline=``, e.g. by ``planner compare``) or the summary holds one
under ``"baseline"``; otherwise the paragraph has no such clause.

The PDF is made with reportlab (Platypus): it flows paragraphs and tables over pages, embeds
the PNG map, writes real text that PDF readers can search and copy, and its ``invariant`` mode
gives byte-identical files for the same content (fixed dates and document id), which
matplotlib's ``PdfPages`` cannot do for flowing text and tables.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from planner.assets import (
    Language,
    format_euro,
    format_euro_short,
    format_minutes,
    format_number,
    format_share,
    source_names,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from planner.plan import Plan

__all__ = ["NoteContent", "note_content", "note_html", "summary_paragraph", "write_note"]

logger = logging.getLogger(__name__)

_TEXT: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Huizen van het Kind: scenario {name}",
        "question": "De vraag",
        "no_question": "(het scenario heeft geen beschrijving)",
        "summary": "Samenvatting",
        "reach": (
            "Scenario {name} bereikt {neediest} van de gezinnen in de meest kwetsbare sectoren "
            "binnen {minutes} minuten {mode} van een Huis van het Kind"
        ),
        "versus": ", {delta} procentpunten tegenover vandaag",
        "cost": ", voor {cost}.",
        "overall": (
            " Over alle gezinnen is dat {house}; {frequent} heeft een huis of antenne binnen "
            "{frequent_minutes} minuten voor het frequente aanbod."
        ),
        "counts": " Het plan telt {houses} huizen ({houses_new} nieuw) en {antennes} antennes "
        "({antennes_new} nieuw).",
        "map": "Kaart",
        "figures": "Kerncijfers",
        "figure": "Cijfer",
        "value": "Waarde",
        "sites": "Locaties",
        "site_header": "Naam|Id|Rol|Bestaand of nieuw|Gekoppeld aan huis|Kost",
        "no_sites": "Het plan opent geen locaties.",
        "method": "Methode",
        "sources": "Gegevensbronnen",
        "status": "Status van de berekening",
        "houses": "Huizen van het Kind",
        "antennes": "Antennes",
        "of_which_new": "{total} ({new} nieuw)",
        "cost_row": "Kost (budget)",
        "cost_value": "{cost} ({budget})",
        "target": "Gezinnen in de doelgroep",
        "house_cov": "Gezinnen met een huis binnen {minutes} min",
        "house_cov_needy": "... in het meest kwetsbare vijfde van de sectoren",
        "freq_cov": "Gezinnen met een huis of antenne binnen {minutes} min",
        "freq_cov_needy": "... in het meest kwetsbare vijfde van de sectoren",
        "tt_house": "Reistijd naar een huis (mediaan / 90e percentiel)",
        "tt_freq": "Reistijd frequent aanbod (mediaan / 90e percentiel)",
        "today": "Vandaag: gezinnen met een huis binnen {minutes} min (meest kwetsbaar)",
        "solver_row": "Rekenstatus",
        "optimal": "bewezen optimaal",
        "not_optimal": "niet bewezen optimaal (gap {gap})",
        "gap_unknown": "onbekend",
        "status_text": "De oplosser {solver} meldt '{status}': het plan is {label}{bound}.",
        "bound": "; de beste grens is {bound} tegenover {objective} voor dit plan",
        "house": "huis",
        "antenne": "antenne",
        "existing": "bestaand",
        "new": "nieuw",
        "free": "geen kost (bestaand)",
        "method_text": (
            "Een exact optimalisatiemodel ({model}) kiest de huizen en antennes uit de "
            "kandidaat-locaties. Reistijden zijn berekend over het stratennet ({mode_name}). "
            "Normen: een huis binnen {house_min} minuten, een huis of antenne binnen "
            "{frequent_min} minuten, een antenne hoogstens {link_min} minuten van haar huis. "
            "Proportioneel universalisme: een gezin in de meest kwetsbare sector telt "
            "{weight} keer (lambda = {lambda_})."
        ),
        "files": "Invoerbestanden (SHA-256): {files}.",
        "made": "Gemaakt met planner.",
    },
    "en": {
        "title": "Huizen van het Kind: scenario {name}",
        "question": "The question",
        "no_question": "(the scenario has no description)",
        "summary": "Summary",
        "reach": (
            "Scenario {name} reaches {neediest} of the families in the neediest sectors within "
            "{minutes} minutes {mode} of a Huis van het Kind"
        ),
        "versus": ", {delta} percentage points compared with today",
        "cost": ", for {cost}.",
        "overall": (
            " Over all families that is {house}; {frequent} have a house or antenne within "
            "{frequent_minutes} minutes for the frequent services."
        ),
        "counts": " The plan has {houses} houses ({houses_new} new) and {antennes} antennes "
        "({antennes_new} new).",
        "map": "Map",
        "figures": "Key figures",
        "figure": "Figure",
        "value": "Value",
        "sites": "Sites",
        "site_header": "Name|Id|Role|Existing or new|Linked to house|Cost",
        "no_sites": "The plan opens no sites.",
        "method": "Method",
        "sources": "Data sources",
        "status": "Status of the computation",
        "houses": "Huizen van het Kind",
        "antennes": "Antennes",
        "of_which_new": "{total} ({new} new)",
        "cost_row": "Cost (budget)",
        "cost_value": "{cost} ({budget})",
        "target": "Families in the target group",
        "house_cov": "Families with a house within {minutes} min",
        "house_cov_needy": "... in the neediest fifth of the sectors",
        "freq_cov": "Families with a house or antenne within {minutes} min",
        "freq_cov_needy": "... in the neediest fifth of the sectors",
        "tt_house": "Travel time to a house (median / 90th percentile)",
        "tt_freq": "Travel time to frequent services (median / 90th percentile)",
        "today": "Today: families with a house within {minutes} min (neediest)",
        "solver_row": "Solver status",
        "optimal": "proven optimal",
        "not_optimal": "not proven optimal (gap {gap})",
        "gap_unknown": "unknown",
        "status_text": "The solver {solver} reports '{status}': the plan is {label}{bound}.",
        "bound": "; the best bound is {bound} against {objective} for this plan",
        "house": "house",
        "antenne": "antenne",
        "existing": "existing",
        "new": "new",
        "free": "no cost (existing)",
        "method_text": (
            "An exact optimisation model ({model}) chooses the houses and antennes among the "
            "candidate sites. Travel times are computed over the street network ({mode_name}). "
            "Standards: a house within {house_min} minutes, a house or antenne within "
            "{frequent_min} minutes, an antenne at most {link_min} minutes from its house. "
            "Proportionate universalism: a family in the neediest sector counts {weight} "
            "times (lambda = {lambda_})."
        ),
        "files": "Input files (SHA-256): {files}.",
        "made": "Made with planner.",
    },
}
_MODES = {
    "nl": {"walk": "wandelen", "bike": "fietsen", "car": "met de auto"},
    "en": {"walk": "walking", "bike": "cycling", "car": "by car"},
}
_MODE_NAMES = {
    "nl": {"walk": "te voet", "bike": "met de fiets", "car": "met de auto"},
    "en": {"walk": "on foot", "bike": "by bike", "car": "by car"},
}


@dataclass(frozen=True)
class NoteContent:
    """What a note says, already formatted, before it is laid out as HTML or PDF.

    Attributes
    ----------
    language : str
        ``nl`` or ``en``.
    title : str
        The note's title.
    question : str
        The scenario's description.
    summary : str
        The paragraph written from the figures.
    figures : list of (str, str)
        Key figures: label and formatted value.
    sites : list of tuple of str
        One row per open site: name, id, role, existing or new, linked house, cost.
    method : str
        How the plan was made.
    sources : list of str
        Data sources and input files.
    status : str
        The solver's status in words.
    """

    language: Language
    title: str
    question: str
    summary: str
    figures: list[tuple[str, str]]
    sites: list[tuple[str, ...]]
    method: str
    sources: list[str]
    status: str


def _baseline(
    summary: Mapping[str, Any], baseline: Mapping[str, Any] | None
) -> Mapping[str, Any] | None:
    if baseline is not None:
        return baseline
    inner = summary.get("baseline")
    return inner if isinstance(inner, dict) else None


def _neediest_house(summary: Mapping[str, Any]) -> float | None:
    value = summary.get("coverage", {}).get("house_neediest_quintile")
    return None if value is None else float(value)


def _points(delta: float, language: Language) -> str:
    sign = "+" if delta >= 0 else "-"
    return f"{sign}{format_number(abs(delta), 0, language)}"


def summary_paragraph(
    summary: Mapping[str, Any],
    language: Language = "nl",
    baseline: Mapping[str, Any] | None = None,
) -> str:
    """Write the note's summary paragraph from a plan's summary figures.

    Parameters
    ----------
    summary
        The plan's summary (the content of ``summary.json``).
    language
        ``nl`` or ``en``.
    baseline
        The summary of today's situation; the comparison clause is written only with one.

    Returns
    -------
    str
        E.g. "Scenario B bereikt 92 % van de gezinnen in de meest kwetsbare sectoren binnen 15
        minuten wandelen van een Huis van het Kind, +6 procentpunten tegenover vandaag, voor
        € 1,2 miljoen. ..."
    """
    text = _TEXT[language]
    standards = summary.get("standards_min", {})
    coverage = summary.get("coverage", {})
    neediest = _neediest_house(summary)
    sentence = text["reach"].format(
        name=summary.get("scenario", ""),
        neediest=format_share(neediest, 0, language),
        minutes=format_number(float(standards.get("house", 0)), 0, language),
        mode=_MODES[language].get(str(summary.get("mode")), str(summary.get("mode", ""))),
    )
    before = _baseline(summary, baseline)
    before_value = _neediest_house(before) if before is not None else None
    if neediest is not None and before_value is not None:
        delta = round(100 * neediest) - round(100 * before_value)
        sentence += text["versus"].format(delta=_points(delta, language))
    cost = summary.get("cost")
    sentence += (
        text["cost"].format(cost=format_euro_short(float(cost), language))
        if cost is not None
        else "."
    )
    sentence += text["overall"].format(
        house=format_share(coverage.get("house"), 0, language),
        frequent=format_share(coverage.get("frequent"), 0, language),
        frequent_minutes=format_number(float(standards.get("frequent", 0)), 0, language),
    )
    sentence += text["counts"].format(
        houses=summary.get("houses", "-"),
        houses_new=summary.get("houses_new", "-"),
        antennes=summary.get("antennes", "-"),
        antennes_new=summary.get("antennes_new", "-"),
    )
    return sentence


def _status(summary: Mapping[str, Any], language: Language) -> tuple[str, str]:
    """Return the short status label and the sentence about the solve."""
    text = _TEXT[language]
    if summary.get("proven_optimal"):
        label = text["optimal"]
    else:
        gap = summary.get("gap")
        shown = text["gap_unknown"] if gap is None else format_share(float(gap), 2, language)
        label = text["not_optimal"].format(gap=shown)
    bound, objective = summary.get("bound"), summary.get("objective")
    bound_text = (
        text["bound"].format(
            bound=format_number(float(bound), 2, language),
            objective=format_number(float(objective), 2, language),
        )
        if bound is not None and objective is not None and not summary.get("proven_optimal")
        else ""
    )
    sentence = text["status_text"].format(
        solver=summary.get("solver", "-"),
        status=summary.get("status", "-"),
        label=label,
        bound=bound_text,
    )
    return label, sentence


def _travel(stats: Mapping[str, Any] | None, language: Language) -> str:
    stats = stats or {}
    median = format_minutes(stats.get("p50"), language)
    return f"{median} / {format_minutes(stats.get('p90'), language)}"


def _key_figures(
    summary: Mapping[str, Any], language: Language, baseline: Mapping[str, Any] | None
) -> list[tuple[str, str]]:
    text = _TEXT[language]
    coverage = summary.get("coverage", {})
    standards = summary.get("standards_min", {})
    house_min = format_number(float(standards.get("house", 0)), 0, language)
    frequent_min = format_number(float(standards.get("frequent", 0)), 0, language)
    travel = summary.get("travel_time_min", {})
    cost, budget = summary.get("cost"), summary.get("budget")
    rows = [
        (
            text["houses"],
            text["of_which_new"].format(total=summary.get("houses"), new=summary.get("houses_new")),
        ),
        (
            text["antennes"],
            text["of_which_new"].format(
                total=summary.get("antennes"), new=summary.get("antennes_new")
            ),
        ),
        (
            text["cost_row"],
            text["cost_value"].format(
                cost="-" if cost is None else format_euro(float(cost), language),
                budget="-" if budget is None else format_euro(float(budget), language),
            ),
        ),
        (
            text["target"],
            format_number(float(summary.get("target_population", float("nan"))), 0, language),
        ),
        (
            text["house_cov"].format(minutes=house_min),
            format_share(coverage.get("house"), 1, language),
        ),
        (
            text["house_cov_needy"],
            format_share(coverage.get("house_neediest_quintile"), 1, language),
        ),
        (
            text["freq_cov"].format(minutes=frequent_min),
            format_share(coverage.get("frequent"), 1, language),
        ),
        (
            text["freq_cov_needy"],
            format_share(coverage.get("frequent_neediest_quintile"), 1, language),
        ),
        (text["tt_house"], _travel(travel.get("house"), language)),
        (text["tt_freq"], _travel(travel.get("frequent"), language)),
    ]
    before = _baseline(summary, baseline)
    if before is not None and _neediest_house(before) is not None:
        rows.append(
            (
                text["today"].format(minutes=house_min),
                format_share(_neediest_house(before), 1, language),
            )
        )
    rows.append((text["solver_row"], _status(summary, language)[0]))
    return rows


def _site_rows(plan: Plan, language: Language) -> list[tuple[str, ...]]:
    text = _TEXT[language]
    sites = plan.sites
    names = dict(zip(sites["site_id"].astype(str), sites["name"].astype(str), strict=True))
    rows: list[tuple[str, ...]] = []
    for role in ("house", "antenne"):
        for site in sites[sites["role"] == role].itertuples(index=False):
            existing = bool(site.existing)
            linked = getattr(site, "linked_house", None)
            linked_text = names.get(str(linked), str(linked)) if isinstance(linked, str) else "-"
            rows.append(
                (
                    str(site.name),
                    str(site.site_id),
                    text[role],
                    text["existing" if existing else "new"],
                    linked_text if role == "antenne" else "-",
                    text["free"] if existing else format_euro(float(site.cost), language),
                )
            )
    return rows


def _method(plan: Plan, language: Language) -> str:
    summary = plan.summary
    standards = summary.get("standards_min", {})
    lambda_ = float(summary.get("equity_lambda", 0.0))
    return _TEXT[language]["method_text"].format(
        model=summary.get("model", "-"),
        mode_name=_MODE_NAMES[language].get(str(summary.get("mode")), str(summary.get("mode"))),
        house_min=format_number(float(standards.get("house", 0)), 0, language),
        frequent_min=format_number(float(standards.get("frequent", 0)), 0, language),
        link_min=format_number(float(standards.get("link", 0)), 0, language),
        weight=format_number(1 + lambda_, 1, language),
        lambda_=format_number(lambda_, 1, language),
    )


def _sources(plan: Plan, manifest: Mapping[str, Any] | None, language: Language) -> list[str]:
    scenario = plan.scenario
    lines = []
    if scenario.outputs.sources:
        lines.append(", ".join(source_names(scenario.outputs.sources, {})))
    inputs = (manifest or {}).get("inputs")
    if isinstance(inputs, dict) and inputs:
        files = [
            f"{role}: {str(item.get('path', '')).rsplit('/', 1)[-1]}"
            + (f" ({str(item['sha256'])[:12]})" if item.get("sha256") else "")
            for role, item in inputs.items()
        ]
    else:
        files = [f"{role}: {path.name}" for role, path in scenario.input_paths().items()]
    lines.append(_TEXT[language]["files"].format(files="; ".join(files)))
    return lines


def note_content(
    plan: Plan,
    *,
    language: Language | None = None,
    manifest: Mapping[str, Any] | None = None,
    baseline: Mapping[str, Any] | None = None,
) -> NoteContent:
    """Gather and format what the note says, from the plan's summary and sites.

    Parameters
    ----------
    plan
        The plan.
    language
        ``nl`` or ``en``; None takes ``outputs.language`` of the plan's scenario.
    manifest
        The run's manifest; its ``inputs`` (file names and SHA-256) are listed as sources.
    baseline
        The summary of today's situation, for the comparison.

    Returns
    -------
    NoteContent
        The formatted content.
    """
    language = language or plan.scenario.outputs.language
    text = _TEXT[language]
    summary = plan.summary
    description = str(summary.get("description") or plan.scenario.description or "").strip()
    return NoteContent(
        language=language,
        title=text["title"].format(name=summary.get("scenario", plan.scenario.name)),
        question=description or text["no_question"],
        summary=summary_paragraph(summary, language, baseline),
        figures=_key_figures(summary, language, baseline),
        sites=_site_rows(plan, language),
        method=_method(plan, language),
        sources=_sources(plan, manifest, language),
        status=_status(summary, language)[1],
    )


# --- HTML -------------------------------------------------------------------------------------

_HTML_STYLE = """
body {font: 11pt/1.45 sans-serif; max-width: 48em; margin: 2em auto; color: #222;}
h1 {font-size: 18pt; margin-bottom: 0.3em;} h2 {font-size: 13pt; margin-top: 1.4em;}
table {border-collapse: collapse; width: 100%;} img {width: 100%; border: 1px solid #ddd;}
th, td {text-align: left; padding: 3px 8px; border-bottom: 1px solid #ddd; vertical-align: top;}
th {background: #f2f2f2;} .footer {color: #777; font-size: 9pt; margin-top: 2em;}
"""


def _html_table(header: list[str], rows: Sequence[tuple[str, ...]]) -> str:
    head = "".join(f"<th>{html.escape(cell)}</th>" for cell in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def note_html(content: NoteContent, map_image: str | None = "map.png") -> str:
    """Lay out a note as a standalone HTML page.

    Parameters
    ----------
    content
        What the note says.
    map_image
        Address of the static map relative to the page, or None for no map.

    Returns
    -------
    str
        The page (UTF-8 text).
    """
    text = _TEXT[content.language]
    esc = html.escape
    figure = (
        f'<h2>{text["map"]}</h2><img src="{esc(map_image)}" alt="{text["map"]}">'
        if map_image
        else ""
    )
    sites = (
        _html_table(text["site_header"].split("|"), content.sites)
        if content.sites
        else f"<p>{text['no_sites']}</p>"
    )
    sources = "".join(f"<li>{esc(line)}</li>" for line in content.sources)
    return (
        f'<!DOCTYPE html>\n<html lang="{content.language}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(content.title)}</title>\n<style>{_HTML_STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{esc(content.title)}</h1>\n"
        f"<h2>{text['question']}</h2>\n<p>{esc(content.question)}</p>\n"
        f"<h2>{text['summary']}</h2>\n<p>{esc(content.summary)}</p>\n{figure}\n"
        f"<h2>{text['figures']}</h2>\n"
        f"{_html_table([text['figure'], text['value']], content.figures)}\n"
        f"<h2>{text['sites']}</h2>\n{sites}\n"
        f"<h2>{text['method']}</h2>\n<p>{esc(content.method)}</p>\n"
        f"<h2>{text['sources']}</h2>\n<ul>{sources}</ul>\n"
        f"<h2>{text['status']}</h2>\n<p>{esc(content.status)}</p>\n"
        f'<p class="footer">{text["made"]}</p>\n</body>\n</html>\n'
    )


# --- PDF --------------------------------------------------------------------------------------


def _pdf(content: NoteContent, path: Path, map_png: Path | None) -> None:
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

    text = _TEXT[content.language]
    styles = getSampleStyleSheet()
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
        Paragraph(text["sites"], styles["Heading2"]),
    ]
    if content.sites:
        header = [para(cell, small) for cell in text["site_header"].split("|")]
        rows = [[para(cell, small) for cell in row] for row in content.sites]
        shares = (0.27, 0.1, 0.1, 0.13, 0.22, 0.18)
        story.append(
            Table(
                [header, *rows],
                colWidths=[width * share for share in shares],
                style=grid,
                repeatRows=1,
            )
        )
    else:
        story.append(para(text["no_sites"]))
    story += [
        Paragraph(text["method"], styles["Heading2"]),
        para(content.method),
        Paragraph(text["sources"], styles["Heading2"]),
        *(para(line) for line in content.sources),
        KeepTogether(
            [
                Paragraph(text["status"], styles["Heading2"]),
                para(content.status),
                Spacer(1, 6 * mm),
                para(text["made"], small),
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
    document.build(story)


def write_note(
    plan: Plan,
    folder: Path,
    *,
    manifest: Mapping[str, Any] | None = None,
    baseline: Mapping[str, Any] | None = None,
    map_png: Path | None = None,
) -> dict[str, Path]:
    """Write ``note.html`` and ``note.pdf`` of a plan into a folder.

    Parameters
    ----------
    plan
        The plan; its summary gives every figure.
    folder
        Where to write (the run's output folder).
    manifest
        The run's manifest, for the input files and their hashes.
    baseline
        The summary of today's situation, for the comparison clause and row.
    map_png
        The static map to show (``map.png`` of the same folder); None for a note without map.

    Returns
    -------
    dict
        Paths by file name.
    """
    content = note_content(plan, manifest=manifest, baseline=baseline)
    paths = {"note.html": folder / "note.html", "note.pdf": folder / "note.pdf"}
    image = None
    if map_png is not None:
        image = map_png.name if map_png.parent == folder else map_png.as_uri()
    paths["note.html"].write_text(note_html(content, image), encoding="utf-8")
    _pdf(content, paths["note.pdf"], map_png)
    logger.info(
        f"Wrote note.html and note.pdf ({content.language}): {len(content.figures)} figures, "
        f"{len(content.sites)} sites"
    )
    return paths
