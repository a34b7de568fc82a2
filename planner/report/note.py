"""The council note of a plan: ``note.html`` and ``note.pdf``, Dutch by default, English on request.

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

The comparison with a baseline ("+6 procentpunten tegenover het basisscenario gent_today") is
written only when a baseline summary is given (``baseline=``, e.g. by ``planner compare``) or
the summary holds one under ``"baseline"``; otherwise the paragraph has no such clause.

The PDF is made with reportlab (Platypus): it flows paragraphs and tables over pages, embeds
the PNG map, writes real text that PDF readers can search and copy, and its ``invariant`` mode
gives byte-identical files for the same content (fixed dates and document id), which
matplotlib's ``PdfPages`` cannot do for flowing text and tables.
"""

from __future__ import annotations

import html
import logging
import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from planner.report.assets import (
    Language,
    counted,
    format_euro,
    format_euro_short,
    format_minutes,
    format_number,
    format_share,
    source_names,
    standard_phrase,
    strictest_minutes,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from pathlib import Path

    from planner.results.plan import Plan

__all__ = [
    "NoteContent",
    "note_content",
    "note_html",
    "remark",
    "summary_paragraph",
    "write_note",
]

logger = logging.getLogger(__name__)

_TEXT: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Huizen van het Kind: scenario {name}",
        "question": "De vraag",
        "no_question": "(het scenario heeft geen beschrijving)",
        "summary": "Samenvatting",
        "reach": (
            "Scenario {name} bereikt {neediest} van {group} {standard} van een Huis van het Kind"
        ),
        "group": "het vijfde van de gezinnen in de meest kwetsbare sectoren",
        "versus": ", {delta} procentpunten tegenover het basisscenario {baseline}",
        "versus_unnamed": ", {delta} procentpunten tegenover het basisscenario",
        "cost": ", voor {cost}.",
        "no_cost": ", zonder nieuwe kosten.",
        "overall": (
            " Over alle gezinnen is dat {house}; {frequent} heeft frequent aanbod (een huis of "
            "antenne) {standard}."
        ),
        "counts": " Het plan telt {houses} ({houses_new} nieuw) en {antennes} ({antennes_new} "
        "nieuw).",
        "house_word": "huis|huizen",
        "antenne_word": "antenne|antennes",
        "unproven": " Het plan is niet bewezen optimaal (afstand tot de grens {gap}).",
        "minutes": "minuten",
        "map": "Kaart",
        "figures": "Kerncijfers",
        "figure": "Cijfer",
        "value": "Waarde",
        "sites": "Locaties",
        "site_header": "Naam|Id|Rol|Bestaand of nieuw|Gekoppeld aan huis|Kosten",
        "no_sites": "Het plan opent geen locaties.",
        "method": "Methode",
        "remarks": "Opmerkingen",
        "sources": "Gegevensbronnen",
        "status": "Status van de berekening",
        "houses": "Huizen van het Kind",
        "antennes": "Antennes",
        "of_which_new": "{total} ({new} nieuw)",
        "cost_row": "Kosten (budget)",
        "cost_value": "{cost} ({budget})",
        "target": "Gezinnen in de doelgroep",
        "house_cov": "Gezinnen met een huis {standard}",
        "house_cov_needy": "... in het vijfde van de gezinnen in de meest kwetsbare sectoren",
        "freq_cov": "Gezinnen met een huis of antenne {standard}",
        "freq_cov_needy": "... in het vijfde van de gezinnen in de meest kwetsbare sectoren",
        "tt_house": "Reistijd naar een huis (mediaan / 90e percentiel)",
        "tt_freq": "Reistijd frequent aanbod (mediaan / 90e percentiel)",
        "today": "Basisscenario {name}: gezinnen met een huis {standard} (meest kwetsbaar)",
        "solver_row": "Status van de berekening",
        "optimal": "bewezen optimaal",
        "not_optimal": "niet bewezen optimaal (afstand tot de grens {gap})",
        "gap_unknown": "onbekend",
        "status_optimal": "De rekenmodule ({solver}) vond een bewezen optimaal plan.",
        "status_stopped": (
            "De rekenmodule ({solver}) stopte voor ze kon bewijzen dat het plan optimaal is "
            "(bijvoorbeeld na de tijdslimiet); het plan ligt hoogstens {gap} onder het beste "
            "mogelijke{bound}."
        ),
        "status_unknown": (
            "De rekenmodule ({solver}) stopte voor ze kon bewijzen dat het plan optimaal is; hoe "
            "ver het plan van het beste mogelijke ligt, is niet bekend."
        ),
        "bound": " (beste mogelijke waarde {bound}, dit plan {objective})",
        "house": "huis",
        "antenne": "antenne",
        "existing": "bestaand",
        "new": "nieuw",
        "free": "geen kosten",
        "method_text": (
            "Een exact optimalisatiemodel ({model}) kiest de huizen en antennes uit de "
            "kandidaat-locaties. Reistijden zijn berekend over het stratennet ({mode_name}). "
            "Normen: een huis binnen {house_min} minuten, een huis of antenne (frequent aanbod) "
            "binnen {frequent_min} minuten, een antenne hoogstens {link_min} minuten van haar "
            "huis.{tightening} De kwetsbaarheidsindex van een sector (0 tot 1) combineert "
            "{indicators}. Proportioneel universalisme: een gezin in de meest kwetsbare sector "
            "telt {weight} keer (gewicht voor nood λ = {lambda_})."
        ),
        "tightening": (
            " Voor kwetsbaardere sectoren zijn de normen strenger, tot {share} korter in de "
            "meest kwetsbare (een huis binnen {house_tight} minuten, frequent aanbod binnen "
            "{frequent_tight} minuten)."
        ),
        "indicator": "{column} ({direction}, gewicht {weight})",
        "higher_is_needier": "hoger = kwetsbaarder",
        "lower_is_needier": "lager = kwetsbaarder",
        "and": " en ",
        "files": "Invoerbestanden (SHA-256): {files}.",
        "made": "Gemaakt met planner.",
    },
    "en": {
        "title": "Huizen van het Kind: scenario {name}",
        "question": "The question",
        "no_question": "(the scenario has no description)",
        "summary": "Summary",
        "reach": "Scenario {name} reaches {neediest} of {group} {standard} of a Huis van het Kind",
        "group": "the fifth of the families in the neediest sectors",
        "versus": ", {delta} percentage points compared with the baseline scenario {baseline}",
        "versus_unnamed": ", {delta} percentage points compared with the baseline scenario",
        "cost": ", for {cost}.",
        "no_cost": ", at no new cost.",
        "overall": (
            " Over all families that is {house}; {frequent} have a house or antenne {standard} "
            "for the frequent services."
        ),
        "counts": " The plan has {houses} ({houses_new} new) and {antennes} ({antennes_new} new).",
        "house_word": "house|houses",
        "antenne_word": "antenne|antennes",
        "unproven": " The plan is not proven optimal (gap to the bound {gap}).",
        "minutes": "minutes",
        "map": "Map",
        "figures": "Key figures",
        "figure": "Figure",
        "value": "Value",
        "sites": "Sites",
        "site_header": "Name|Id|Role|Existing or new|Linked to house|Cost",
        "no_sites": "The plan opens no sites.",
        "method": "Method",
        "remarks": "Remarks",
        "sources": "Data sources",
        "status": "Status of the computation",
        "houses": "Huizen van het Kind",
        "antennes": "Antennes",
        "of_which_new": "{total} ({new} new)",
        "cost_row": "Cost (budget)",
        "cost_value": "{cost} ({budget})",
        "target": "Families in the target group",
        "house_cov": "Families with a house {standard}",
        "house_cov_needy": "... in the fifth of the families in the neediest sectors",
        "freq_cov": "Families with a house or antenne {standard}",
        "freq_cov_needy": "... in the fifth of the families in the neediest sectors",
        "tt_house": "Travel time to a house (median / 90th percentile)",
        "tt_freq": "Travel time to frequent services (median / 90th percentile)",
        "today": "Baseline scenario {name}: families with a house {standard} (neediest)",
        "solver_row": "Status of the computation",
        "optimal": "proven optimal",
        "not_optimal": "not proven optimal (gap to the bound {gap})",
        "gap_unknown": "unknown",
        "status_optimal": "The solver ({solver}) found a proven optimal plan.",
        "status_stopped": (
            "The solver ({solver}) stopped before it could prove the plan optimal (e.g. at its "
            "time limit); the plan is at most {gap} below the best possible{bound}."
        ),
        "status_unknown": (
            "The solver ({solver}) stopped before it could prove the plan optimal; how far the "
            "plan is from the best possible is not known."
        ),
        "bound": " (best possible value {bound}, this plan {objective})",
        "house": "house",
        "antenne": "antenne",
        "existing": "existing",
        "new": "new",
        "free": "no cost",
        "method_text": (
            "An exact optimisation model ({model}) chooses the houses and antennes among the "
            "candidate sites. Travel times are computed over the street network ({mode_name}). "
            "Standards: a house within {house_min} minutes, a house or antenne (frequent "
            "services) within {frequent_min} minutes, an antenne at most {link_min} minutes from "
            "its house.{tightening} A sector's need index (0 to 1) combines {indicators}. "
            "Proportionate universalism: a family in the neediest sector counts {weight} times "
            "(weight of need λ = {lambda_})."
        ),
        "tightening": (
            " The standards are stricter for needier sectors, up to {share} shorter in the "
            "neediest (a house within {house_tight} minutes, frequent services within "
            "{frequent_tight} minutes)."
        ),
        "indicator": "{column} ({direction}, weight {weight})",
        "higher_is_needier": "higher = needier",
        "lower_is_needier": "lower = needier",
        "and": " and ",
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
_MODEL_NAMES = {
    "nl": {
        "max_coverage": "maximale dekking binnen het budget",
        "set_cover": "goedkoopste plan dat alle gezinnen binnen de normen bereikt",
        "set_cover_single": "goedkoopste plan dat alle gezinnen binnen de norm voor een huis "
        "bereikt",
        "p_median": "kortste gewogen reistijd met een vast aantal huizen",
        "capacitated_p_median": "kortste gewogen reistijd met een vast aantal huizen en "
        "een beperkte capaciteit per huis",
        "p_center": "kortste langste reistijd met een vast aantal huizen",
        "mclp": "maximale dekking met een vast aantal huizen",
    },
    "en": {
        "max_coverage": "maximum coverage within the budget",
        "set_cover": "cheapest plan that reaches every family within the standards",
        "set_cover_single": "cheapest plan that reaches every family within the house standard",
        "p_median": "shortest weighted travel time with a fixed number of houses",
        "capacitated_p_median": "shortest weighted travel time with a fixed number of houses "
        "and a capacity per house",
        "p_center": "shortest longest travel time with a fixed number of houses",
        "mclp": "maximum coverage with a fixed number of houses",
    },
}


def _model_name(model: object, language: Language) -> str:
    key = str(model).strip().lower().replace("-", "_").replace(" ", "_")
    return _MODEL_NAMES[language].get(key, str(model))


def _words(language: Language, key: str) -> tuple[str, str]:
    singular, plural = _TEXT[language][key].split("|")
    return singular, plural


# Notes of the summary (``summary["notes"]``, written in English by planner.results.plan,
# planner.data.inputs and planner.workflows.pipeline): a pattern each, with its Dutch wording; a
# note that matches none is shown as it is. Numbers are taken from the note itself, so they stay the
# summary's numbers.
_FLAGS = re.IGNORECASE | re.DOTALL
_EUR = r"EUR (\d{1,3}(?:,\d{3})*(?:\.\d+)?)"


def _nl(value: str) -> str:
    """``1,250,000.5`` (as the notes write it) → ``1.250.000,5``."""
    return value.replace(",", " ").replace(".", ",").replace(" ", ".")


def _first_int(note: str) -> str | None:
    found = re.search(r"\b(\d[\d,]*)\b", note)
    return None if found is None else found.group(1)


def _nl_count(value: str | None, singular: str, plural: str) -> str:
    if value is None:
        return plural
    return f"{_nl(value)} {singular if value == '1' else plural}"


def _nl_budget_small(note: str) -> str | None:
    found = re.search(
        rf"budget \(?{_EUR}\)? is below the cheapest new site \({_EUR}\)", note, _FLAGS
    )
    if found is None:
        return None
    euro = " Staat het budget wel in euro?" if re.search(r"in euro\?", note, _FLAGS) else ""
    return (
        f"Het budget (€ {_nl(found.group(1))}) is kleiner dan de goedkoopste nieuwe locatie "
        f"(€ {_nl(found.group(2))}): het plan behoudt alleen de bestaande locaties.{euro}"
    )


def _nl_budget_loose(note: str) -> str | None:
    found = re.search(
        rf"budget \({_EUR}\) does not bind: all (\d+) candidate sites? together cost at most "
        rf"{_EUR}",
        note,
        _FLAGS,
    )
    if found is None:
        return None
    return (
        f"Het budget (€ {_nl(found.group(1))}) beperkt niets: alle "
        f"{_nl_count(found.group(2), 'kandidaat-locatie', 'kandidaat-locaties')} samen kosten "
        f"hoogstens € {_nl(found.group(3))}."
    )


def _nl_low_costs(note: str) -> str | None:
    found = re.search(
        rf"^(\d+) sites? ha(?:s|ve) a house cost under {_EUR} \(lowest {_EUR}: ([^)]*)\)",
        note,
        _FLAGS,
    )
    if found is None:
        return None
    one = found.group(1) == "1"
    return (
        f"{_nl_count(found.group(1), 'locatie heeft', 'locaties hebben')} een kost voor een "
        f"huis onder € {_nl(found.group(2))} (laagste € {_nl(found.group(3))}: "
        f"{found.group(4)}): {'staat die kost' if one else 'staan die kosten'} wel in euro en "
        "niet in duizenden euro? cost_house wordt in euro gelezen."
    )


def _nl_stand_ins(note: str) -> str | None:
    found = re.search(r"^existing (house|antenne)s are stand-ins: (.*?) \((.*?)\)", note, _FLAGS)
    if found is None:
        return None
    role = "huizen" if found.group(1).lower() == "house" else "antennes"
    source = found.group(3).replace("from ", "uit ", 1)
    return (
        f"De bestaande {role} zijn voorlopig vervangen door locaties van het type "
        f"{found.group(2)} ({source}); vervang ze door de echte lijst."
    )


def _nl_default_costs(note: str) -> str | None:
    if not re.search(r"^site costs are default placeholders", note, _FLAGS):
        return None
    return (
        "De kosten van de locaties zijn standaardwaarden per type locatie (planner data), geen "
        "offertes: geef de cijfers van de stad op met planner data --site-types."
    )


def _nl_nothing_to_keep(note: str) -> str | None:
    if not re.search(r"^no existing sites in the sites file", note, _FLAGS):
        return None
    return (
        "Het locatiebestand bevat geen bestaande locaties: er is niets te behouden "
        "(objective.keep_existing), dus het plan begint van nul. Markeer de huizen van vandaag "
        "met de kolom 'existing'."
    )


def _nl_income(note: str) -> str | None:
    found = re.search(r"^(\d+) sectors? ha(?:s|ve) an imputed median income", note, _FLAGS)
    if found is None:
        return None
    one = found.group(1) == "1"
    derived = re.search(r"income, and so ([^(]+?) \(", note, _FLAGS)
    via = f", en daarmee ook {derived.group(1).strip()}" if derived else ""
    how = {
        "from neighbouring sectors": "vanuit naburige sectoren",
        "with the city median": "met de mediaan van de stad",
        "left empty, then the median of the run": "met de mediaan van de berekening",
    }
    ways = [
        f"{dutch} ({count.group(1)})"
        for english, dutch in how.items()
        if (count := re.search(re.escape(english) + r" \((\d+)\)", note)) is not None
    ]
    filled = f"; aangevuld {', '.join(ways)}" if ways else ""
    return (
        f"Voor {_nl_count(found.group(1), 'sector', 'sectoren')} is het mediaaninkomen "
        f"geschat{via}: Statbel gaf {'het' if one else 'ze'} niet vrij{filled}."
    )


def _nl_budget_not_binding(note: str) -> str | None:
    if not re.search(
        r"ignores the budget|budget is not a constraint|budget does not apply", note, _FLAGS
    ):
        return None
    universal = re.search(rf"every family within the standards costs {_EUR}", note, _FLAGS)
    if universal is not None:
        fits = "meer dan" if re.search(r"\bover the budget", note, _FLAGS) else "binnen"
        budget = re.search(rf"budget of {_EUR}", note, _FLAGS)
        budget_text = f" het budget van € {_nl(budget.group(1))}" if budget else " het budget"
        return (
            f"Alle gezinnen binnen de normen bereiken kost € {_nl(universal.group(1))}, {fits}"
            f"{budget_text}; dit model zoekt het goedkoopste plan, het budget geldt er niet."
        )
    p = re.search(r"\bp = (\d+)", note)
    cost = re.search(rf"costs {_EUR}", note, _FLAGS)
    text = "Het budget geldt niet voor dit model"
    if p is not None:
        houses = _nl_count(p.group(1), "huis", "huizen")
        text = f"Dit model plaatst alleen huizen ({houses}); het budget geldt niet"
    if cost is None:
        return text + "."
    if float(cost.group(1).replace(",", "")) == 0:
        return text + " (dit plan heeft geen nieuwe kosten)."
    return text + f" (dit plan kost € {_nl(cost.group(1))})."


def _nl_unreachable_sectors(note: str) -> str | None:
    found = re.search(
        r"^(\d[\d,]*) sectors? \(([\d,.]+) famil(?:y|ies)\) cannot be reached", note, _FLAGS
    )
    if found is None:
        return None
    one = found.group(1) == "1"
    return (
        f"{_nl_count(found.group(1), 'sector', 'sectoren')} "
        f"({_nl_count(found.group(2), 'gezin', 'gezinnen')}) {'kan' if one else 'kunnen'} door "
        f"geen enkele toegelaten locatie binnen de normen bereikt worden en "
        f"{'is' if one else 'zijn'} buiten beschouwing gelaten."
    )


def _nl_imputed(note: str) -> str | None:
    if not re.search(r"imput", note, _FLAGS):
        return None
    what = "het inkomen" if re.search(r"income", note, _FLAGS) else "een waarde van een indicator"
    number = _first_int(note)
    if number is None:
        return f"Waar {what} ontbrak, is die aangevuld met een schatting (de mediaan)."
    one = number == "1"
    return (
        f"Voor {_nl_count(number, 'sector', 'sectoren')} ontbrak {what}; "
        f"{'die is' if one else 'die zijn'} aangevuld met een schatting (de mediaan)."
    )


def _nl_unreachable_pairs(note: str) -> str | None:
    found = re.search(r"^(\d[\d,]*) sector-site pairs? ha(?:s|ve) no route", note, _FLAGS)
    if found is None:
        return None
    one = found.group(1) == "1"
    return (
        f"{_nl_count(found.group(1), 'paar', 'paren')} van sector en locatie "
        f"{'heeft' if one else 'hebben'} geen route over het stratennet."
    )


def _nl_estimated_target(note: str) -> str | None:
    if not re.search(r"target.*estimat|estimat.*target", note, _FLAGS):
        return None
    found = re.search(
        r"estimated as (.+?) \(no age table\)(?: in (\d+) of (\d+) sectors)?", note, _FLAGS
    )
    if found is None:
        return "Het aantal gezinnen in de doelgroep is geschat, niet geteld."
    what = found.group(1).strip()
    if what.lower() == "a share of the inhabitants":
        what = "een deel van de inwoners"
    else:
        what = re.sub(r"^([\d.]+) % of ", lambda m: f"{_nl(m.group(1))} % van ", what)
        what = re.sub(r"\b(?:the )?(?:population|inhabitants)$", "de inwoners", what)
    where = f" in {found.group(2)} van de {found.group(3)} sectoren" if found.group(2) else ""
    return (
        f"De doelgroep is geschat als {what} (er is geen tabel met leeftijden){where}: vervang "
        "de schatting door een leeftijdstabel zodra die er is (planner data)."
    )


_REMARKS_NL: tuple[Callable[[str], str | None], ...] = (
    _nl_budget_small,
    _nl_budget_loose,
    _nl_budget_not_binding,
    _nl_low_costs,
    _nl_stand_ins,
    _nl_default_costs,
    _nl_nothing_to_keep,
    _nl_income,
    _nl_unreachable_sectors,
    _nl_unreachable_pairs,
    _nl_estimated_target,
    _nl_imputed,
)


def remark(note: str, language: Language) -> str:
    """Return a note of the summary in the note's language (Dutch when its pattern is known).

    Parameters
    ----------
    note
        One of ``summary["notes"]`` (English).
    language
        ``nl`` or ``en``.

    Returns
    -------
    str
        The note as a sentence: translated to Dutch when ``language`` is ``nl`` and the note is
        one planner writes; else as it is, with a capital and a full stop.
    """
    text = str(note).strip()
    if language == "nl":
        for translate in _REMARKS_NL:
            dutch = translate(text)
            if dutch is not None:
                return dutch
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


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
    remarks : list of str
        The summary's notes (``summary["notes"]``) in the note's language.
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
    remarks: list[str] = field(default_factory=list)


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
    text = _TEXT[language]
    standards = summary.get("standards_min", {})
    coverage = summary.get("coverage", {})
    neediest = _neediest_house(summary)
    mode = _MODES[language].get(str(summary.get("mode")), str(summary.get("mode", "")))
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
        houses=counted(summary.get("houses", "-"), *_words(language, "house_word")),
        houses_new=summary.get("houses_new", "-"),
        antennes=counted(summary.get("antennes", "-"), *_words(language, "antenne_word")),
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
    text = _TEXT[language]
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
    text = _TEXT[language]
    coverage = summary.get("coverage", {})
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
            format_share(coverage.get("house"), 1, language),
        ),
        (
            text["house_cov_needy"],
            format_share(coverage.get("house_neediest_quintile"), 1, language),
        ),
        (
            text["freq_cov"].format(standard=frequent_std),
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
                text["today"]
                .format(
                    name=before.get("scenario") or "",
                    standard=standard_phrase(
                        before.get("standards_min", standards), "house", language
                    ),
                )
                .replace("  ", " "),
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


def _indicators(plan: Plan, language: Language) -> str:
    text = _TEXT[language]
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
    text = _TEXT[language]
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
    return text["method_text"].format(
        model=_model_name(summary.get("model", "-"), language),
        mode_name=_MODE_NAMES[language].get(str(summary.get("mode")), str(summary.get("mode"))),
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
    lines.append(_TEXT[language]["files"].format(files="; ".join(files)))
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
        remarks=_remarks(summary, language),
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
        f"<h2>{text['sites']}</h2>\n{sites}\n"
        f"<h2>{text['method']}</h2>\n<p>{esc(content.method)}</p>\n{remarks}"
        f"<h2>{text['status']}</h2>\n<p>{esc(content.status)}</p>\n"
        f"<h2>{text['sources']}</h2>\n<ul>{sources}</ul>\n"
        f'<p class="footer">{text["made"]}</p>\n</body>\n</html>\n'
    )


# --- PDF --------------------------------------------------------------------------------------


_SITE_SHARES = (0.27, 0.1, 0.11, 0.11, 0.26, 0.15)
_CELL_PADDING = 14.0  # points: the table's left and right padding and a little air


def _site_widths(content: NoteContent, width: float, font: str, size: float) -> list[float]:
    """Return the column widths of the sites table: the id column as wide as its longest id.

    Ids are never broken inside (``gent-bib-0012`` stays on one line); the other columns share
    what is left in their usual proportions. Ids too long for a third of the page get a third.
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth  # noqa: PLC0415 - reportlab is heavy

    longest = max((stringWidth(row[1], font, size) for row in content.sites), default=0.0)
    header = stringWidth(_TEXT[content.language]["site_header"].split("|")[1], font, size)
    id_width = min(
        max(longest, header, width * _SITE_SHARES[1] - _CELL_PADDING) + _CELL_PADDING, width / 3
    )
    rest = width - id_width
    others = [share for i, share in enumerate(_SITE_SHARES) if i != 1]
    widths = [rest * share / sum(others) for share in others]
    widths.insert(1, id_width)
    return widths


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
