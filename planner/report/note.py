"""The council note of a plan: ``note.html``, ``note.pdf``, ``note.docx``; Dutch by default.

A note has the title, the question the scenario answers (its description), one paragraph
written from the figures, the static map (``map.png``), a table of key figures, the sites with
their role, the method (model, standards, need indicators and the weight of need λ), the
remarks (the summary's ``notes``, in Dutch when the note is), the status of the computation
(proven optimal, or not with the gap to the bound) and the data sources. Every number comes
from the plan's summary dict (the content of ``summary.json``), never recomputed here, so the
note and the summary cannot disagree; the list of sites comes from the plan's sites table.
With ``standards.need_tightening`` > 0 coverage is measured against standards that are stricter
for needier sectors, and every label says so ("binnen de norm (20 min; tot 14 min voor de
meest kwetsbare sectoren)").

Each coverage share is shown to the precision its range supports (``summary["precision"]``,
:mod:`planner.results.precision`): whole percent when the same plan under speeds ±10 % and
standards ±1 min moves it by more than one percentage point, else 0.1 %; one sentence under
the key figures states the ranges (:func:`precision_sentence`).

The comparison with a baseline ("+6 procentpunten tegenover het basisscenario gent_today") is
written only when a baseline summary is given (``baseline=``, e.g. by ``planner compare``) or
the summary holds one under ``"baseline"``; otherwise the paragraph has no such clause.

This module gathers the content and writes the HTML; the wording in both languages is in
:mod:`planner.report.note_text`, the Dutch remarks in :mod:`planner.report.note_remarks`, and
the PDF (reportlab, byte-identical for the same content) in :mod:`planner.report.note_pdf`.
"""

from __future__ import annotations

import html
import logging
import math
from typing import TYPE_CHECKING, Any

from planner.report.assets import (
    MODE_NAMES,
    Language,
    counted,
    format_euro,
    format_euro_short,
    format_minutes,
    format_number,
    format_share,
    headline_share,
    source_names,
    standard_phrase,
    strictest_minutes,
)
from planner.report.note_alternatives import alternatives_html, alternatives_of
from planner.report.note_colocation import colocation_sentence
from planner.report.note_docx import write_note_docx
from planner.report.note_pdf import write_note_pdf
from planner.report.note_phases import opening_order, phase_html, phase_table
from planner.report.note_precision import precision_sentence
from planner.report.note_region import municipality_html, municipality_rows, travel_method
from planner.report.note_remarks import remark
from planner.report.note_standards import common_sentence
from planner.report.note_text import (
    MODES,
    TEXT,
    NoteContent,
    attendance_sentence,
    model_name,
    modes_sentence,
    note_heading,
    words,
)
from planner.report.note_today import today_html, wijken_html, with_today

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from planner.results.plan import Plan

__all__ = [
    "NoteContent",
    "note_content",
    "note_html",
    "precision_sentence",
    "remark",
    "summary_paragraph",
    "write_note",
]

logger = logging.getLogger(__name__)


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


def _gap_text(summary: Mapping[str, Any], language: Language) -> str | None:
    gap = summary.get("gap")
    if not isinstance(gap, int | float) or not math.isfinite(float(gap)):
        return None
    return format_share(float(gap), 1 if float(gap) >= 0.001 else 2, language)


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
        The summary of the baseline scenario; the comparison clause is written only with one,
        and names that scenario.

    Returns
    -------
    str
        E.g. "Scenario B bereikt 92 % van het vijfde van de gezinnen in de meest kwetsbare
        sectoren binnen 15 minuten wandelen van een Huis van het Kind, +6 procentpunten
        tegenover het basisscenario today, voor € 1,2 miljoen. ..." With need tightening the
        standard reads "binnen de norm (20 minuten wandelen; tot 14 minuten voor de meest
        kwetsbare sectoren)"; a plan not proven optimal says so, with the gap.
    """
    text = TEXT[language]
    standards = summary.get("standards_min", {})
    coverage = summary.get("coverage", {})
    neediest = _neediest_house(summary)
    mode = MODES[language].get(str(summary.get("mode")), str(summary.get("mode", "")))
    sentence = text["reach"].format(
        name=summary.get("scenario", ""),
        neediest=format_share(neediest, 0, language),
        group=text["group"],
        standard=standard_phrase(standards, "house", language, text["minutes"], mode),
    )
    before = _baseline(summary, baseline)
    before_value = _neediest_house(before) if before is not None else None
    if neediest is not None and before_value is not None and before is not None:
        delta = round(100 * neediest) - round(100 * before_value)
        name = before.get("scenario")
        sentence += (
            text["versus"].format(delta=_points(delta, language), baseline=name)
            if name
            else text["versus_unnamed"].format(delta=_points(delta, language))
        )
    cost = summary.get("cost")
    if cost is None:
        sentence += "."
    elif float(cost) == 0:
        sentence += text["no_cost"]
    else:
        sentence += text["cost"].format(cost=format_euro_short(float(cost), language))
    sentence += text["overall"].format(
        house=format_share(coverage.get("house"), 0, language),
        frequent=format_share(coverage.get("frequent"), 0, language),
        standard=standard_phrase(standards, "frequent", language, text["minutes"]),
    )
    sentence += text["counts"].format(
        houses=counted(summary.get("houses", "-"), *words(language, "house_word")),
        houses_new=summary.get("houses_new", "-"),
        antennes=counted(summary.get("antennes", "-"), *words(language, "antenne_word")),
        antennes_new=summary.get("antennes_new", "-"),
    )
    if "proven_optimal" in summary and not summary.get("proven_optimal"):
        sentence += text["unproven"].format(gap=_gap_text(summary, language) or text["gap_unknown"])
    return sentence


def _solver_name(summary: Mapping[str, Any]) -> str:
    solver = str(summary.get("solver") or "-")
    return {"cbc": "CBC", "highs": "HiGHS"}.get(solver.lower(), solver)


def _status(summary: Mapping[str, Any], language: Language) -> tuple[str, str]:
    """Return the short status label and the sentence about the solve."""
    text = TEXT[language]
    solver = _solver_name(summary)
    if summary.get("proven_optimal"):
        return text["optimal"], text["status_optimal"].format(solver=solver)
    gap = _gap_text(summary, language)
    label = text["not_optimal"].format(gap=gap or text["gap_unknown"])
    if gap is None:
        return label, text["status_unknown"].format(solver=solver)
    bound, objective = summary.get("bound"), summary.get("objective")
    bound_text = (
        text["bound"].format(
            bound=format_number(float(bound), 2, language),
            objective=format_number(float(objective), 2, language),
        )
        if bound is not None and objective is not None
        else ""
    )
    return label, text["status_stopped"].format(solver=solver, gap=gap, bound=bound_text)


def _travel(stats: Mapping[str, Any] | None, language: Language) -> str:
    stats = stats or {}
    median = format_minutes(stats.get("p50"), language)
    return f"{median} / {format_minutes(stats.get('p90'), language)}"


def _key_figures(
    summary: Mapping[str, Any], language: Language, baseline: Mapping[str, Any] | None
) -> list[tuple[str, str]]:
    text = TEXT[language]
    standards = summary.get("standards_min", {})
    house_std = standard_phrase(standards, "house", language)
    frequent_std = standard_phrase(standards, "frequent", language)
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
            text["house_cov"].format(standard=house_std),
            headline_share(summary, "house", language),
        ),
        (
            text["house_cov_needy"],
            headline_share(summary, "house_neediest_quintile", language),
        ),
        (
            text["freq_cov"].format(standard=frequent_std),
            headline_share(summary, "frequent", language),
        ),
        (
            text["freq_cov_needy"],
            headline_share(summary, "frequent_neediest_quintile", language),
        ),
        (text["tt_house"], _travel(travel.get("house"), language)),
        (text["tt_freq"], _travel(travel.get("frequent"), language)),
    ]
    before = _baseline(summary, baseline)
    if before is not None and _neediest_house(before) is not None:
        rows.append(
            (
                text["today"]
                .format(
                    name=before.get("scenario") or "",
                    standard=standard_phrase(
                        before.get("standards_min", standards), "house", language
                    ),
                )
                .replace("  ", " "),
                headline_share(before, "house_neediest_quintile", language),
            )
        )
    rows.append((text["solver_row"], _status(summary, language)[0]))
    return rows


def _site_rows(plan: Plan, language: Language) -> list[tuple[str, ...]]:
    text = TEXT[language]
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


def _indicators(plan: Plan, language: Language) -> str:
    text = TEXT[language]
    parts = [
        text["indicator"].format(
            column=indicator.column,
            direction=text.get(str(indicator.direction), str(indicator.direction)),
            weight=format_number(float(indicator.weight), 1, language).removesuffix(
                ",0" if language == "nl" else ".0"
            ),
        )
        for indicator in plan.scenario.need.indicators
    ]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + text["and"] + parts[-1]


def _minutes_value(value: float | None, language: Language) -> str:
    value = float(value or 0.0)
    return format_number(value, 0 if math.isclose(value, round(value)) else 1, language)


def _method(plan: Plan, language: Language) -> str:
    text = TEXT[language]
    summary = plan.summary
    standards = summary.get("standards_min", {})
    lambda_ = float(summary.get("equity_lambda", 0.0))
    mu = float(standards.get("need_tightening") or 0.0)
    tightening = ""
    if mu > 0:
        tightening = text["tightening"].format(
            share=format_share(mu, 0, language),
            house_tight=_minutes_value(strictest_minutes(standards, "house")[1], language),
            frequent_tight=_minutes_value(strictest_minutes(standards, "frequent")[1], language),
        )
    points = summary.get("demand_points") or {"method": "sector", "points": 0}
    return text["method_text"].format(
        points=text[f"points_{points['method']}"].format(
            count=format_number(float(points["points"]), 0, language),
            cell=format_number(float(plan.scenario.demand.grid_cell_m), 0, language),
        ),
        model=model_name(summary.get("model", "-"), language),
        mode_name=MODE_NAMES[language].get(str(summary.get("mode")), str(summary.get("mode"))),
        house_min=format_number(float(standards.get("house", 0)), 0, language),
        frequent_min=format_number(float(standards.get("frequent", 0)), 0, language),
        link_min=format_number(float(standards.get("link", 0)), 0, language),
        tightening=tightening,
        indicators=_indicators(plan, language),
        weight=format_number(1 + lambda_, 1, language),
        lambda_=format_number(lambda_, 1, language),
    )


def _sources(plan: Plan, manifest: Mapping[str, Any] | None, language: Language) -> list[str]:
    scenario = plan.scenario
    lines = []
    if scenario.outputs.sources:
        lines.append("; ".join(source_names(scenario.outputs.sources, {})))
    inputs = (manifest or {}).get("inputs")
    if isinstance(inputs, dict) and inputs:
        files = [
            f"{role}: {str(item.get('path', '')).rsplit('/', 1)[-1]}"
            + (f" ({str(item['sha256'])[:12]})" if item.get("sha256") else "")
            for role, item in inputs.items()
        ]
    else:
        files = [f"{role}: {path.name}" for role, path in scenario.input_paths().items()]
    lines.append(TEXT[language]["files"].format(files="; ".join(files)))
    return lines


def _remarks(summary: Mapping[str, Any], language: Language) -> list[str]:
    """Return the summary's ``notes`` (and ``caveats``, when it has them) as sentences."""
    notes: list[object] = []
    for key in ("notes", "caveats"):
        value = summary.get(key) or []
        notes += [value] if isinstance(value, str) else list(value)
    lines = [remark(str(note), language) for note in notes if str(note).strip()]
    return list(dict.fromkeys(lines))


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
        The summary of the baseline scenario, for the comparison.

    Returns
    -------
    NoteContent
        The formatted content.
    """
    language = language or plan.scenario.outputs.language
    summary = plan.summary
    title, question = note_heading(summary, plan.scenario, language)
    paragraph = summary_paragraph(summary, language, baseline)
    paragraph = f"{paragraph} {colocation_sentence(summary, language)}".strip()
    content = NoteContent(
        language=language,
        title=title,
        question=question,
        summary=f"{paragraph} {common_sentence(summary, language)}".strip(),
        figures=_key_figures(summary, language, baseline),
        sites=_site_rows(plan, language),
        method=travel_method(_method(plan, language), summary, language),
        sources=_sources(plan, manifest, language),
        status=_status(summary, language)[1],
        remarks=_remarks(summary, language),
        precision=precision_sentence(summary, language),
        attendance=attendance_sentence(summary, language),
        modes=modes_sentence(summary, language),
        municipalities=municipality_rows(summary, language),
        **alternatives_of(summary, language),
        phases=phase_table(summary, language),
        phase_order=opening_order(summary, plan.sites, language),
    )
    return with_today(content, plan)  # vandaag → plan, what changes, per wijk, the footer


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
    text = TEXT[content.language]
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
    precision = "".join(
        f"<p>{esc(text)}</p>\n"
        for text in (content.precision, content.modes, content.attendance)
        if text
    )
    remarks = (
        f"<h2>{text['remarks']}</h2>\n<ul>"
        + "".join(f"<li>{esc(line)}</li>" for line in content.remarks)
        + "</ul>\n"
        if content.remarks
        else ""
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{content.language}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(content.title)}</title>\n<style>{_HTML_STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{esc(content.title)}</h1>\n"
        f"<h2>{text['question']}</h2>\n<p>{esc(content.question)}</p>\n"
        f"<h2>{text['summary']}</h2>\n<p>{esc(content.summary)}</p>\n{figure}\n"
        f"<h2>{text['figures']}</h2>\n"
        f"{_html_table([text['figure'], text['value']], content.figures)}\n"
        f"{precision}{today_html(content)}"
        f"{phase_html(content.phases, content.phase_order, content.language)}"
        f"<h2>{text['sites']}</h2>\n{sites}\n{wijken_html(content)}"
        f"{municipality_html(content.municipalities, content.language)}"
        f"{alternatives_html(content)}"
        f"<h2>{text['method']}</h2>\n<p>{esc(content.method)}</p>\n{remarks}"
        f"<h2>{text['status']}</h2>\n<p>{esc(content.status)}</p>\n"
        f"<h2>{text['sources']}</h2>\n<ul>{sources}</ul>\n"
        f'<p class="footer">{esc(content.footer or text["made"])}</p>\n</body>\n</html>\n'
    )


def write_note(
    plan: Plan,
    folder: Path,
    *,
    manifest: Mapping[str, Any] | None = None,
    baseline: Mapping[str, Any] | None = None,
    map_png: Path | None = None,
) -> dict[str, Path]:
    """Write ``note.html``, ``note.pdf`` and ``note.docx`` of a plan into a folder.

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
    paths = {name: folder / name for name in ("note.html", "note.pdf", "note.docx")}
    image = None
    if map_png is not None:
        image = map_png.name if map_png.parent == folder else map_png.as_uri()
    paths["note.html"].write_text(note_html(content, image), encoding="utf-8")
    write_note_pdf(content, paths["note.pdf"], map_png)
    write_note_docx(content, paths["note.docx"], map_png)
    logger.info(
        f"Wrote note.html, note.pdf and note.docx ({content.language}): "
        f"{len(content.figures)} figures, {len(content.sites)} sites"
    )
    return paths
