"""The note's "vandaag → plan" part: today beside the plan, what changes, and per wijk.

Three pieces of a council note, all from the plan's summary (``today``, ``families_reached``,
``by_wijk``: :mod:`planner.results.today`) and its sites table:

- :func:`today_rows`: every headline figure for today (the existing sites alone), the plan and
  the difference, in families as well as in percent. Shares are shown to the precision the
  plan's range supports, and the difference is that of the shown figures, so the three
  columns always add up as printed ("43 %", "70 %", "+27 procentpunten"). Families are whole.
- :func:`change_lines`: the sites the plan adds, closes, moves or turns into a house.
- :func:`wijk_rows`: per wijk the families and how many are reached today and in the plan.

:func:`with_today` puts them, and the footer (:func:`footer_line`: date, planner's version,
scenario file), into a :class:`~planner.report.note_text.NoteContent`.
"""

from __future__ import annotations

import dataclasses
import html
import math
import os
import time
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from planner.report.assets import format_euro, format_number, format_share, standard_phrase
from planner.report.note_text import TEXT
from planner.results.precision import supported_decimals

if TYPE_CHECKING:
    import pandas as pd

    from planner.report.assets import Language
    from planner.report.note_text import NoteContent
    from planner.results.plan import Plan

__all__ = [
    "TODAY_TEXT",
    "change_lines",
    "footer_line",
    "today_html",
    "today_rows",
    "wijk_rows",
    "with_today",
]

TODAY_TEXT: dict[str, dict[str, str]] = {
    "nl": {
        "heading": "Van vandaag naar het plan",
        "header": "Cijfer|Vandaag|Plan|Verschil",
        "intro": (
            "Vandaag: alleen de bestaande locaties, elk in haar huidige rol, gemeten met "
            "dezelfde normen en reistijden als het plan."
        ),
        "summary": (
            " Vandaag, met alleen de bestaande locaties, heeft {needy} van het meest kwetsbare "
            "vijfde en {all} van alle gezinnen een huis {standard} (zie 'Van vandaag naar het "
            "plan')."
        ),
        "houses": "Huizen van het Kind",
        "antennes": "Antennes",
        "cost": "Eenmalige investering",
        "house": "Gezinnen met een huis {standard}",
        "frequent": "Gezinnen met een huis of antenne {standard}",
        "needy": "... in het meest kwetsbare vijfde (van {families} gezinnen)",
        "all": "{label} (van {families} gezinnen)",
        "families_share": "{families} ({share})",
        "difference": "{families} {word} ({points} procentpunten)",
        "family": "gezin|gezinnen",
        "capacities": (
            " Het plan telt bij een huis alleen de gezinnen binnen de capaciteit van dat huis; "
            "vandaag telt elk gezin binnen de norm (zonder capaciteit)."
        ),
        "changes": "Wat verandert",
        "no_changes": "Het plan verandert niets aan de locaties van vandaag.",
        "new_house": "Nieuw huis: {name}",
        "new_antenne": "Nieuwe antenne: {name}, gekoppeld aan huis {house}",
        "closed": "Sluit: {name} (vandaag {role})",
        "upgraded": "Wordt een huis: {name} (vandaag antenne)",
        "downgraded": "Wordt een antenne: {name} (vandaag huis), gekoppeld aan huis {house}",
        "moved": "Verhuist: {name} (vandaag {role}) naar {to}, {metres} m verder",
        "house_role": "huis",
        "antenne_role": "antenne",
        "wijken": "Per wijk",
        "wijk_header": (
            "Wijk|Gezinnen|Huis {house}: vandaag|Huis: plan|Huis of antenne {frequent}: "
            "vandaag|Huis of antenne: plan"
        ),
        "total": "Totaal",
        "no_wijk": "(geen wijk)",
        "footer": "Gemaakt op {date} met planner {version}; scenariobestand {file}.",
        "no_file": "(geen bestand)",
        "months": (
            "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|"
            "december"
        ),
    },
    "en": {
        "heading": "From today to the plan",
        "header": "Figure|Today|Plan|Difference",
        "intro": (
            "Today: the existing sites alone, each in its present role, measured with the same "
            "standards and travel times as the plan."
        ),
        "summary": (
            " Today, with the existing sites alone, {needy} of the neediest fifth and {all} of "
            "all families have a house {standard} (see 'From today to the plan')."
        ),
        "houses": "Huizen van het Kind",
        "antennes": "Antennes",
        "cost": "One-off investment",
        "house": "Families with a house {standard}",
        "frequent": "Families with a house or antenne {standard}",
        "needy": "... in the neediest fifth (of {families} families)",
        "all": "{label} (of {families} families)",
        "families_share": "{families} ({share})",
        "difference": "{families} {word} ({points} percentage points)",
        "family": "family|families",
        "capacities": (
            " The plan counts at a house only the families within that house's capacity; today "
            "counts every family within the standard (no capacity)."
        ),
        "changes": "What changes",
        "no_changes": "The plan changes nothing in today's sites.",
        "new_house": "New house: {name}",
        "new_antenne": "New antenne: {name}, linked to house {house}",
        "closed": "Closes: {name} (today a {role})",
        "upgraded": "Becomes a house: {name} (today an antenne)",
        "downgraded": "Becomes an antenne: {name} (today a house), linked to house {house}",
        "moved": "Moves: {name} (today a {role}) to {to}, {metres} m away",
        "house_role": "house",
        "antenne_role": "antenne",
        "wijken": "Per wijk",
        "wijk_header": (
            "Wijk|Families|House {house}: today|House: plan|House or antenne {frequent}: "
            "today|House or antenne: plan"
        ),
        "total": "Total",
        "no_wijk": "(no wijk)",
        "footer": "Made on {date} with planner {version}; scenario file {file}.",
        "no_file": "(no file)",
        "months": (
            "January|February|March|April|May|June|July|August|September|October|November|December"
        ),
    },
}

MOVE_M = 1000.0
"""A closed existing site with a new site of the same role this near (metres) has moved."""


def _whole(value: object) -> int:
    """Families as a whole number (the figures are estimates; never "0,04 gezin")."""
    number = float(value) if isinstance(value, int | float) else 0.0
    return round(number) if math.isfinite(number) else 0


def _signed(value: float, decimals: int, language: Language) -> str:
    if not math.isfinite(value):  # a group without families has no share
        return "-"
    text = format_number(abs(value), decimals, language)
    if text.strip("0,.") == "":
        return "0" if decimals == 0 else text
    return ("+" if value > 0 else "-") + text


def _points(plan: float | None, today: float | None, decimals: int) -> float:
    """Return the difference of the shares as shown (rounded alike), in percentage points."""
    if plan is None or today is None:
        return float("nan")
    return round(100 * plan, decimals) - round(100 * today, decimals)


def _coverage_rows(summary: Mapping[str, Any], language: Language) -> list[tuple[str, ...]]:
    text = TODAY_TEXT[language]
    today = summary.get("today") or {}
    reached = summary.get("families_reached") or {}
    standards = summary.get("standards_min", {})
    rows: list[tuple[str, ...]] = []
    singular, plural = text["family"].split("|")
    for tier in ("house", "frequent"):
        label = text[tier].format(standard=standard_phrase(standards, tier, language))
        for name, group in ((tier, "all"), (f"{tier}_neediest_quintile", "needy")):
            decimals = supported_decimals(summary.get("precision"), name)
            before = today.get("coverage", {}).get(name)
            after = summary.get("coverage", {}).get(name)
            families_before = _whole(today.get("families", {}).get(name))
            families_after = _whole(reached.get(name))
            total = _whole(reached.get("target" if group == "all" else "neediest_quintile"))
            delta = families_after - families_before
            rows.append(
                (
                    text[group].format(label=label, families=format_number(total, 0, language)),
                    text["families_share"].format(
                        families=format_number(families_before, 0, language),
                        share=format_share(before, decimals, language),
                    ),
                    text["families_share"].format(
                        families=format_number(families_after, 0, language),
                        share=format_share(after, decimals, language),
                    ),
                    text["difference"].format(
                        families=_signed(delta, 0, language),
                        word=singular if abs(delta) == 1 else plural,
                        points=_signed(_points(after, before, decimals), decimals, language),
                    ),
                )
            )
    return rows


def today_rows(summary: Mapping[str, Any], language: Language = "nl") -> list[tuple[str, ...]]:
    """Return the "vandaag → plan" table: label, today, plan and difference per figure.

    Parameters
    ----------
    summary
        The plan's summary with its ``today`` and ``families_reached`` blocks.
    language
        ``nl`` or ``en``.

    Returns
    -------
    list of tuple of str
        Houses, antennes, the one-off investment and the four coverage figures (families and
        share, difference in families and percentage points); empty without a ``today``
        block.
    """
    today = summary.get("today")
    if not isinstance(today, Mapping):
        return []
    text = TODAY_TEXT[language]
    rows: list[tuple[str, ...]] = []
    for key in ("houses", "antennes"):
        before, after = int(today.get(key) or 0), int(summary.get(key) or 0)
        rows.append((text[key], str(before), str(after), _signed(after - before, 0, language)))
    cost = float(summary.get("cost") or 0.0)
    rows.append(
        (
            text["cost"],
            format_euro(0.0, language),
            format_euro(cost, language),
            ("+" if cost > 0 else "") + format_euro(cost, language),
        )
    )
    return rows + _coverage_rows(summary, language)


def _name(site: Any) -> str:  # noqa: ANN401 - a row of the sites table
    return f"{site.name} ({site.site_id})"


def _moves(sites: pd.DataFrame) -> dict[str, tuple[str, float]]:
    """Pair each closed existing site with the nearest new site of its role within MOVE_M."""
    closed = sites[(sites["existing_role"] != "") & (sites["role"] == "closed")]
    new = sites[(sites["existing_role"] == "") & (sites["role"] != "closed")]
    moves: dict[str, tuple[str, float]] = {}
    taken: set[str] = set()
    for site in closed.itertuples(index=False):
        same = new[(new["role"] == site.existing_role) & ~new["site_id"].isin(taken)]
        if same.empty:
            continue
        metres = same.geometry.distance(site.geometry).to_numpy(dtype=float)
        best = int(np.argmin(metres))
        if metres[best] <= MOVE_M:
            target = same.iloc[best]
            moves[str(site.site_id)] = (str(target["site_id"]), float(metres[best]))
            taken.add(str(target["site_id"]))
    return moves


def change_lines(sites: pd.DataFrame, language: Language = "nl") -> list[str]:
    """List what the plan changes in today's sites: added, closed, moved, another role.

    Parameters
    ----------
    sites
        The plan's sites table (``role``, ``existing_role``, ``linked_house``, points).
    language
        ``nl`` or ``en``.

    Returns
    -------
    list of str
        One line per change, new houses first; one line saying nothing changes when so. A
        closed existing site with a new site of the same role within :data:`MOVE_M` metres
        has moved there.
    """
    text = TODAY_TEXT[language]
    names = {str(site.site_id): _name(site) for site in sites.itertuples(index=False)}
    moves = _moves(sites)
    moved_to = {target for target, _ in moves.values()}
    lines: list[str] = []
    for site in sites.itertuples(index=False):
        sid, role, before = str(site.site_id), str(site.role), str(site.existing_role)
        house = names.get(str(site.linked_house), "-")
        if sid in moves:
            target, metres = moves[sid]
            lines.append(
                text["moved"].format(
                    name=_name(site),
                    role=text[f"{before}_role"],
                    to=names[target],
                    metres=format_number(round(metres, -1), 0, language),
                )
            )
        elif before and role == "closed":
            lines.append(text["closed"].format(name=_name(site), role=text[f"{before}_role"]))
        elif before == "antenne" and role == "house":
            lines.append(text["upgraded"].format(name=_name(site)))
        elif before == "house" and role == "antenne":
            lines.append(text["downgraded"].format(name=_name(site), house=house))
        elif not before and role != "closed" and sid not in moved_to:
            key = "new_house" if role == "house" else "new_antenne"
            lines.append(text[key].format(name=_name(site), house=house))
    order = {"new_house": 0, "new_antenne": 1}
    lines.sort(key=lambda line: order.get(_kind(line, text), 2))
    return lines or [text["no_changes"]]


def _kind(line: str, text: Mapping[str, str]) -> str:
    for key in ("new_house", "new_antenne"):
        if line.startswith(text[key].split("{", 1)[0]):
            return key
    return ""


def wijk_rows(summary: Mapping[str, Any], language: Language = "nl") -> list[tuple[str, ...]]:
    """Return per wijk: its name, families and families reached today and in the plan.

    Parameters
    ----------
    summary
        The plan's summary with its ``by_wijk`` block.
    language
        ``nl`` or ``en``.

    Returns
    -------
    list of tuple of str
        One row per wijk (by name) and a last row for the whole: families, then "reached
        (share)" for the house today and in the plan, and for a house or antenne today and in
        the plan; empty without wijken.
    """
    text = TODAY_TEXT[language]
    rows: list[tuple[str, ...]] = []
    wijken = [{"wijk": code, **wijk} for code, wijk in (summary.get("by_wijk") or {}).items()]
    if wijken:  # the city as a last row: the same sums as the "vandaag → plan" table
        keys = ("families", "house_today", "house_plan", "frequent_today", "frequent_plan")
        city = {key: sum(float(wijk.get(key) or 0.0) for wijk in wijken) for key in keys}
        wijken.append({"name": text["total"], **city})
    for wijk in wijken:
        total = _whole(wijk.get("families"))

        def reached(key: str, total: int = total, wijk: Mapping[str, Any] = wijk) -> str:
            families = _whole(wijk.get(key))
            share = families / total if total else None
            return f"{format_number(families, 0, language)} ({format_share(share, 0, language)})"

        rows.append(
            (
                str(wijk.get("name") or wijk.get("wijk") or text["no_wijk"]),
                format_number(total, 0, language),
                reached("house_today"),
                reached("house_plan"),
                reached("frequent_today"),
                reached("frequent_plan"),
            )
        )
    return rows


def _run_date(language: Language) -> str:
    """Return the day of the run (UTC), or of ``SOURCE_DATE_EPOCH`` when that is set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    moment = time.gmtime(int(epoch) if epoch.isdigit() else None)
    month = TODAY_TEXT[language]["months"].split("|")[moment.tm_mon - 1]
    return f"{moment.tm_mday} {month} {moment.tm_year}"


def _scenario_file(source: Path | None, language: Language) -> str:
    if source is None:
        return TODAY_TEXT[language]["no_file"]
    path = Path(source)
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def footer_line(plan: Plan, language: Language = "nl") -> str:
    """Return the note's footer: the date, planner's version and the scenario file.

    Parameters
    ----------
    plan
        The plan (its scenario's ``source``).
    language
        ``nl`` or ``en``.

    Returns
    -------
    str
        E.g. "Gemaakt op 4 december 2026 met planner 0.1.0; scenariobestand
        scenarios/gent_baseline.yaml."
    """
    try:
        version = metadata.version("planner")
    except metadata.PackageNotFoundError:
        version = "?"
    return TODAY_TEXT[language]["footer"].format(
        date=_run_date(language),
        version=version,
        file=_scenario_file(plan.scenario.source, language),
    )


def _today_sentence(summary: Mapping[str, Any], language: Language) -> str:
    """Say in the summary paragraph what today's sites reach (house, neediest fifth first)."""
    coverage = (summary.get("today") or {}).get("coverage")
    if not isinstance(coverage, Mapping):
        return ""
    precision = summary.get("precision")
    return TODAY_TEXT[language]["summary"].format(
        needy=format_share(
            coverage.get("house_neediest_quintile"),
            supported_decimals(precision, "house_neediest_quintile"),
            language,
        ),
        all=format_share(coverage.get("house"), supported_decimals(precision, "house"), language),
        standard=standard_phrase(
            summary.get("standards_min", {}), "house", language, TEXT[language]["minutes"]
        ),
    )


def with_today(content: NoteContent, plan: Plan) -> NoteContent:
    """Add the "vandaag → plan" table, the changes, the wijken and the footer to a note.

    Parameters
    ----------
    content
        The note's content so far.
    plan
        The plan (summary and sites).

    Returns
    -------
    NoteContent
        The same content with ``today``, ``today_note``, ``changes``, ``wijken``,
        ``wijk_header`` and ``footer`` filled in, and the summary paragraph ending on what
        today's sites reach.
    """
    language = content.language
    summary = plan.summary
    today = summary.get("today") or {}
    note = TODAY_TEXT[language]["intro"] if today else ""
    if today.get("capacities_ignored"):
        note += TODAY_TEXT[language]["capacities"]
    return dataclasses.replace(
        content,
        summary=content.summary + _today_sentence(summary, language),
        today=today_rows(summary, language),
        today_note=note,
        changes=change_lines(plan.sites, language),
        wijken=wijk_rows(summary, language),
        wijk_header=TODAY_TEXT[language]["wijk_header"].format(
            house=standard_phrase(summary.get("standards_min", {}), "house", language),
            frequent=standard_phrase(summary.get("standards_min", {}), "frequent", language),
        ),
        footer=footer_line(plan, language),
    )


def _table(header: str, rows: list[tuple[str, ...]]) -> str:
    head = "".join(f"<th>{html.escape(cell)}</th>" for cell in header.split("|"))
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>\n"


def today_html(content: NoteContent) -> str:
    """Lay out the "vandaag → plan" table, the changes and the wijken as HTML.

    Parameters
    ----------
    content
        The note's content.

    Returns
    -------
    str
        The HTML fragment (empty when the content has none of them).
    """
    text = TODAY_TEXT[content.language]
    out = ""
    if content.today:
        out += f"<h2>{text['heading']}</h2>\n<p>{html.escape(content.today_note)}</p>\n"
        out += _table(text["header"], content.today)
    if content.changes:
        items = "".join(f"<li>{html.escape(line)}</li>" for line in content.changes)
        out += f"<h2>{text['changes']}</h2>\n<ul>{items}</ul>\n"
    return out


def wijken_html(content: NoteContent) -> str:
    """Lay out the table per wijk as HTML (empty without wijken).

    Parameters
    ----------
    content
        The note's content.

    Returns
    -------
    str
        The HTML fragment.
    """
    if not content.wijken:
        return ""
    text = TODAY_TEXT[content.language]
    return f"<h2>{text['wijken']}</h2>\n" + _table(content.wijk_header, content.wijken)
