"""The comparison's pages: ``comparison.md``, the page of maps, and writing it all.

:func:`write_comparison` writes ``comparison.csv``, ``comparison.json``, ``comparison.md``
(Dutch by default, English on request), one folder per scenario with its normal outputs and
``map.html``, a page showing every scenario's map side by side. The table names each plan's
travel mode and standards; when the plans (or the baseline) differ in either,
:func:`yardstick_warning` says so and ``comparison.md`` opens with it. Every scenario's note,
maps and ``comparison.md`` use the comparison's language.
"""

from __future__ import annotations

import dataclasses
import html
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner.report.assets import MODE_NAMES, format_share
from planner.report.comparison import ROLES, write_table_csv
from planner.report.outputs import atomic_folder, write_json, write_outputs

if TYPE_CHECKING:
    from collections.abc import Mapping

    from planner.report.assets import Language
    from planner.report.comparison import Comparison
    from planner.results.plan import Plan

__all__ = ["comparison_map_page", "comparison_markdown", "write_comparison", "yardstick_warning"]

logger = logging.getLogger(__name__)

_TEXT: dict[str, dict[Language, str]] = {
    "title": {"nl": "Vergelijking van scenario's", "en": "Comparison of scenarios"},
    "figure": {"nl": "Kerncijfer", "en": "Figure"},
    "cost": {"nl": "Kosten", "en": "Cost"},
    "mode": {"nl": "Vervoerswijze", "en": "Travel mode"},
    "standards": {
        "nl": "Normen: huis / frequent aanbod",
        "en": "Standards: house / frequent services",
    },
    "houses": {"nl": "Huizen (nieuw)", "en": "Houses (new)"},
    "antennes": {"nl": "Antennes (nieuw)", "en": "Antennes (new)"},
    "coverage_house": {
        "nl": "Gezinnen binnen de norm huis",
        "en": "Families within the house standard",
    },
    "coverage_frequent": {
        "nl": "Gezinnen binnen de norm frequent aanbod",
        "en": "Families within the frequent-services standard",
    },
    "coverage_house_neediest": {
        "nl": "Het vijfde van de gezinnen in de meest kwetsbare sectoren, binnen de norm huis",
        "en": "The fifth of the families in the neediest sectors, within the house standard",
    },
    "coverage_frequent_neediest": {
        "nl": "Het vijfde van de gezinnen in de meest kwetsbare sectoren, binnen de norm "
        "frequent aanbod",
        "en": "The fifth of the families in the neediest sectors, within the frequent-services "
        "standard",
    },
    "travel_house": {
        "nl": "Reistijd naar een huis, mediaan / 90e percentiel",
        "en": "Travel time to a house, median / 90th percentile",
    },
    "gini_house": {"nl": "Gini-index reistijd naar een huis", "en": "Gini index, house travel"},
    "concentration_need_house": {
        "nl": "Concentratie-index reistijd naar kwetsbaarheid (< 0: kwetsbaren dichter)",
        "en": "Concentration index of travel by need (< 0: the needy closer)",
    },
    "solution": {"nl": "Status van de berekening", "en": "Status of the computation"},
    "optimal": {"nl": "bewezen optimaal", "en": "proven optimal"},
    "not_optimal": {"nl": "niet bewezen optimaal", "en": "not proven optimal"},
    "gap": {"nl": "afstand tot de grens", "en": "gap to the bound"},
    "tightened": {
        "nl": "tot {house} / {frequent} min voor de meest kwetsbare sectoren",
        "en": "down to {house} / {frequent} min for the neediest sectors",
    },
    "yardsticks": {
        "nl": "Let op: de vergeleken scenario's (en het basisscenario) gebruiken niet dezelfde "
        "{differ}; de cijfers zijn gemeten met verschillende maatstaven.",
        "en": "Warning: the compared scenarios (and the baseline) do not use the same {differ}; "
        "the figures are measured against different yardsticks.",
    },
    "differ_mode": {"nl": "vervoerswijze", "en": "travel mode"},
    "differ_standards": {"nl": "normen", "en": "standards"},
    "gini_note": {
        "nl": "De Gini-index meet hoe ongelijk de reistijden over de gezinnen verdeeld zijn, "
        "niet hoeveel gezinnen binnen de norm wonen: hij kan stijgen terwijl de dekking "
        "verbetert.",
        "en": "The Gini index measures how unequally travel times are spread over the families, "
        "not how many families live within the standard: it can rise while coverage improves.",
    },
    "against": {"nl": "Tegenover de basis", "en": "Against the baseline"},
    "scenario": {"nl": "Scenario", "en": "Scenario"},
    "sites_house": {
        "nl": "Huizen erbij / weg / behouden",
        "en": "Houses added / removed / kept",
    },
    "sites_antenne": {
        "nl": "Antennes erbij / weg / behouden",
        "en": "Antennes added / removed / kept",
    },
    "pp_neediest": {
        "nl": "Vijfde van de gezinnen in de meest kwetsbare sectoren, norm huis / norm frequent "
        "aanbod (procentpunten)",
        "en": "Fifth of the families in the neediest sectors, house / frequent-services "
        "standard (percentage points)",
    },
    "pp_rest": {
        "nl": "Overige gezinnen, norm huis / norm frequent aanbod (procentpunten)",
        "en": "Other families, house / frequent-services standard (percentage points)",
    },
    "house_std": {"nl": "norm huis", "en": "house standard"},
    "frequent_std": {"nl": "norm frequent aanbod", "en": "frequent-services standard"},
    "baseline": {"nl": "basis", "en": "baseline"},
    "common": {
        "nl": "{label} legt strengere normen op voor de meest kwetsbare sectoren; de tabel "
        "meet het, zoals de andere, met de gewone normen. Met zijn eigen normen: huis "
        "{house} van alle gezinnen, {house_needy} van het meest kwetsbare vijfde; huis of "
        "antenne {frequent}, {frequent_needy}.",
        "en": "{label} sets stricter standards for the neediest sectors; the table measures "
        "it, like the others, at the common standards. At its own standards: house {house} "
        "of all families, {house_needy} of the neediest fifth; house or antenne {frequent}, "
        "{frequent_needy}.",
    },
    "changed": {
        "nl": "{label} is aangepast tegenover zijn scenariobestand: {overrides}.",
        "en": "{label} is changed from its scenario file: {overrides}.",
    },
    "map_title": {"nl": "Kaarten naast elkaar", "en": "Maps side by side"},
    "no_map": {
        "nl": "geen kaart (outputs.map staat uit)",
        "en": "no map (outputs.map is off)",
    },
}


_MISSING = "\u2013"  # en dash for a figure that does not exist
_MINUS = "\u2212"


def _t(key: str, lang: Language) -> str:
    return _TEXT[key][lang]


def _num(value: float, lang: Language, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"
    if lang == "nl":  # 1,234.5 → 1.234,5
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text


def _pct(share: object, lang: Language) -> str:
    if not isinstance(share, int | float):
        return _MISSING
    return format_share(float(share), 1, lang)


def _pp(value: object, lang: Language) -> str:
    if not isinstance(value, int | float):
        return _MISSING
    sign = "+" if value > 0 else ""
    return f"{sign}{_num(float(value), lang, 1)}"


def _minutes(value: object, lang: Language) -> str:
    return _MISSING if not isinstance(value, int | float) else f"{_num(float(value), lang, 1)} min"


def _index(value: object, lang: Language) -> str:
    return _MISSING if not isinstance(value, int | float) else _num(float(value), lang, 3)


def _solution(row: Mapping[str, Any], lang: Language) -> str:
    if row["proven_optimal"]:
        return _t("optimal", lang)
    gap = row.get("gap")
    if not isinstance(gap, int | float):
        return _t("not_optimal", lang)
    return f"{_t('not_optimal', lang)} ({_t('gap', lang)} {_pct(gap, lang)})"


def _whole(value: float, lang: Language) -> str:
    return _num(value, lang, 0 if abs(value - round(value)) < 1e-9 else 1)


def _mode(row: Mapping[str, Any], lang: Language) -> str:
    mode = row.get("mode")
    return MODE_NAMES[lang].get(str(mode), str(mode or _MISSING))


def _standards(row: Mapping[str, Any], lang: Language) -> str:
    house, frequent = row.get("standard_house"), row.get("standard_frequent")
    if not isinstance(house, int | float) or not isinstance(frequent, int | float):
        return _MISSING
    text = f"{_whole(float(house), lang)} / {_whole(float(frequent), lang)} min"
    mu = row.get("need_tightening")
    if isinstance(mu, int | float) and mu > 0:
        tight = _t("tightened", lang).format(
            house=_whole(float(house) * (1 - mu), lang),
            frequent=_whole(float(frequent) * (1 - mu), lang),
        )
        text += f" ({tight})"
    return text


def _yardstick(row: Mapping[str, Any]) -> tuple[object, ...]:
    return (row.get("standard_house"), row.get("standard_frequent"), row.get("need_tightening"))


def yardstick_warning(comparison: Comparison, lang: Language = "nl") -> str | None:
    """Return the warning that the compared plans use different modes or standards, or None.

    Parameters
    ----------
    comparison
        The comparison.
    lang
        ``nl`` or ``en``.

    Returns
    -------
    str or None
        One sentence naming what differs (travel mode, standards), or None when every plan
        (the baseline included) is measured the same way.
    """
    differ = []
    if len({row.get("mode") for row in comparison.rows}) > 1:
        differ.append(_t("differ_mode", lang))
    if len({_yardstick(row) for row in comparison.rows}) > 1:
        differ.append(_t("differ_standards", lang))
    if not differ:
        return None
    joined = (" en " if lang == "nl" else " and ").join(differ)
    return _t("yardsticks", lang).format(differ=joined)


def _figure_lines(row: Mapping[str, Any], lang: Language) -> dict[str, str]:
    return {
        "mode": _mode(row, lang),
        "standards": _standards(row, lang),
        "cost": f"€ {_num(float(row['cost'] or 0.0), lang)}",
        "houses": f"{row['houses']} ({row['houses_new']})",
        "antennes": f"{row['antennes']} ({row['antennes_new']})",
        "coverage_house": _pct(row["coverage_house"], lang),
        "coverage_frequent": _pct(row["coverage_frequent"], lang),
        "coverage_house_neediest": _pct(row["coverage_house_neediest"], lang),
        "coverage_frequent_neediest": _pct(row["coverage_frequent_neediest"], lang),
        "travel_house": (
            f"{_minutes(row['travel_house_p50'], lang)} / {_minutes(row['travel_house_p90'], lang)}"
        ),
        "gini_house": _index(row["gini_house"], lang),
        "concentration_need_house": _index(row["concentration_need_house"], lang),
        "solution": _solution(row, lang),
    }


def _md_cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def comparison_markdown(comparison: Comparison, lang: Language = "nl") -> str:
    """Return a short table of key figures per scenario for a council note, and the changes.

    Parameters
    ----------
    comparison
        The comparison.
    lang
        ``nl`` (default) or ``en``.

    Returns
    -------
    str
        Markdown text.
    """
    headers = []
    for row in comparison.rows:
        mark = f" ({_t('baseline', lang)})" if row["role"] == "baseline" else ""
        headers.append(_md_cell(f"{row['folder']}{mark}"))
    lines = [f"# {_t('title', lang)}", ""]
    lines.append(f"| {_t('figure', lang)} | " + " | ".join(headers) + " |")
    lines.append("|---|" + "---|" * len(headers))
    figures = [_figure_lines(row, lang) for row in comparison.rows]
    for key in figures[0] if figures else []:
        cells = " | ".join(_md_cell(f[key]) for f in figures)
        mark = "*" if key == "gini_house" else ""
        lines.append(f"| {_t(key, lang)}{mark} | {cells} |")
    if figures:
        lines += ["", f"\\* {_t('gini_note', lang)}"]
    changed = [
        _t("changed", lang).format(
            label=_md_cell(row["folder"]),
            overrides=_md_cell(row["overrides"]),
        )
        for row in comparison.rows
        if row.get("overrides")
    ]
    changed += [
        _t("common", lang).format(
            label=_md_cell(row["folder"]),
            house=_pct(row["own_coverage_house"], lang),
            house_needy=_pct(row["own_coverage_house_neediest"], lang),
            frequent=_pct(row["own_coverage_frequent"], lang),
            frequent_needy=_pct(row["own_coverage_frequent_neediest"], lang),
        )
        for row in comparison.rows
        if row.get("yardstick") == "common"
    ]
    warning = yardstick_warning(comparison, lang)
    notes = [f"> **{_md_cell(warning)}**"] if warning is not None else []
    notes += [f"> {line}" for line in changed]
    if notes:
        lines[2:2] = [*"\n>\n".join(notes).split("\n"), ""]
    if comparison.baseline is not None and comparison.changes:
        base = comparison.labels[0]
        lines += ["", f"## {_t('against', lang)}: {_md_cell(base)}", ""]
        lines.append(
            f"| {_t('scenario', lang)} | {_t('sites_house', lang)} | "
            f"{_t('sites_antenne', lang)} | {_t('pp_neediest', lang)} | {_t('pp_rest', lang)} |"
        )
        lines.append("|---|---|---|---|---|")
        for row in comparison.rows[1:]:
            sites = [
                f"+{row[f'{r}s_added']} / {_MINUS}{row[f'{r}s_removed']} / {row[f'{r}s_kept']}"
                for r in ROLES
            ]
            needy = (
                f"{_pp(row['house_neediest_pp'], lang)} / {_pp(row['frequent_neediest_pp'], lang)}"
            )
            rest = f"{_pp(row['house_rest_pp'], lang)} / {_pp(row['frequent_rest_pp'], lang)}"
            lines.append(
                f"| {_md_cell(row['folder'])} | {sites[0]} | {sites[1]} | {needy} | {rest} |"
            )
    return "\n".join(lines) + "\n"


_PAGE_CSS = (
    "body{margin:0;font-family:sans-serif}"
    "h1{font-size:18px;margin:8px 12px}"
    ".grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:8px;"
    "padding:0 8px 8px}"
    ".panel{border:1px solid #bbb;display:flex;flex-direction:column}"
    ".panel h2{font-size:15px;margin:6px 8px 0}"
    ".panel p{font-size:12px;margin:2px 8px 6px}"
    ".panel iframe{border:0;width:100%;height:75vh}"
)


def comparison_map_page(
    comparison: Comparison, maps: Mapping[str, bool], lang: Language = "nl"
) -> str:
    """Return an HTML page with every scenario's map side by side (one frame per scenario).

    Each frame shows ``<folder>/map.html``, the map the run wrote with
    :func:`planner.report.webmap.write_map`, so the comparison uses the same legend and classes.

    Parameters
    ----------
    comparison
        The comparison.
    maps
        Per label, whether that scenario's folder has a ``map.html``.
    lang
        ``nl`` or ``en``.

    Returns
    -------
    str
        The HTML page; every text from the data is escaped.
    """
    panels = []
    for row in comparison.rows:
        label = str(row["folder"])
        mark = f" ({_t('baseline', lang)})" if row["role"] == "baseline" else ""
        figures = _figure_lines(row, lang)
        summary = (
            f"{_t('cost', lang)} {figures['cost']} · {_t('houses', lang)} {figures['houses']} · "
            f"{_t('antennes', lang)} {figures['antennes']} · "
            f"{_t('house_std', lang)} {figures['coverage_house']} · "
            f"{_t('frequent_std', lang)} {figures['coverage_frequent']}"
        )
        frame = (
            f'<iframe src="{html.escape(label, quote=True)}/map.html" '
            f'title="{html.escape(label, quote=True)}"></iframe>'
            if maps.get(label)
            else f"<p>{html.escape(_t('no_map', lang))}</p>"
        )
        panels.append(
            f'<div class="panel"><h2>{html.escape(label + mark)}</h2>'
            f"<p>{html.escape(summary)}</p>{frame}</div>"
        )
    title = html.escape(_t("map_title", lang))
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{_PAGE_CSS}</style></head>\n"
        f'<body><h1>{title}</h1><div class="grid">\n'
        + "\n".join(panels)
        + "\n</div></body></html>\n"
    )


def _in_language(plan: Plan, lang: Language) -> Plan:
    """Return the plan with its scenario's ``outputs.language`` set to the comparison's."""
    scenario = plan.scenario
    if scenario.outputs.language == lang:
        return plan
    outputs = scenario.outputs.model_copy(update={"language": lang})
    return dataclasses.replace(plan, scenario=scenario.model_copy(update={"outputs": outputs}))


def write_comparison(
    comparison: Comparison, out_dir: Path, *, lang: Language = "nl"
) -> dict[str, Path]:
    """Write a comparison into ``out_dir``, atomically.

    Parameters
    ----------
    comparison
        The comparison.
    out_dir
        Final folder; replaced as a whole when complete.
    lang
        Language of ``comparison.md``, ``map.html`` and of every scenario's note and maps
        (it replaces each scenario's ``outputs.language``): ``nl`` (default) or ``en``.

    Returns
    -------
    dict
        Paths by name: ``comparison.csv``, ``comparison.json``, ``comparison.md``,
        ``map.html`` and one folder per scenario (by its label).
    """
    out_dir = Path(out_dir)
    has_map: dict[str, bool] = {}
    with atomic_folder(out_dir) as staging:
        for label, plan in zip(comparison.labels, comparison.all_plans(), strict=True):
            against = None
            if comparison.baseline is not None and plan is not comparison.baseline:
                against = comparison.baseline.summary
            written = write_outputs(_in_language(plan, lang), staging / label, baseline=against)
            has_map[label] = "map.html" in written
        write_table_csv(staging / "comparison.csv", comparison.rows)
        write_json(
            staging / "comparison.json",
            {
                "baseline": comparison.labels[0] if comparison.baseline is not None else None,
                "scenarios": list(comparison.rows),
                "changes": comparison.changes,
            },
        )
        (staging / "comparison.md").write_text(
            comparison_markdown(comparison, lang), encoding="utf-8"
        )
        (staging / "map.html").write_text(
            comparison_map_page(comparison, has_map, lang), encoding="utf-8"
        )
    logger.info("Wrote the comparison of %d plans to %s", len(comparison.rows), out_dir)
    names = ["comparison.csv", "comparison.json", "comparison.md", "map.html"]
    return {name: out_dir / name for name in [*names, *comparison.labels]}
