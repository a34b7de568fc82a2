"""The wording of the council note, in Dutch and English, and what a note says.

:data:`TEXT` holds every sentence, label and heading of the note per language, with
placeholders filled by :mod:`planner.report.note`; :data:`MODES` names
the travel modes in a sentence (``wandelen``), :func:`model_name` the models.
:class:`NoteContent` is a note's content, already formatted, before it is laid out as HTML
(:mod:`planner.report.note`) or PDF (:mod:`planner.report.note_pdf`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from planner.report.assets import MODE_NAMES, format_number, format_share

if TYPE_CHECKING:
    from planner.report.assets import Language
    from planner.scenario import Scenario

__all__ = [
    "MODES",
    "TEXT",
    "NoteContent",
    "attendance_sentence",
    "model_name",
    "modes_sentence",
    "note_heading",
    "words",
]

TEXT: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Huizen van het Kind: scenario {name}",
        "question": "De vraag",
        "no_question": "(het scenario heeft geen beschrijving)",
        "title_overrides": " (aangepast: {overrides})",
        "overridden_question": (
            "Deze run wijkt af van het scenariobestand: {overrides}. Alle cijfers in deze nota "
            "gelden voor de aangepaste run. De vraag van het bestand was: {question}"
        ),
        "summary": "Samenvatting",
        "reach": (
            "Scenario {name} bereikt {neediest} van {group} {standard} van een Huis van het Kind"
        ),
        "group": "het vijfde van de gezinnen in de meest kwetsbare sectoren",
        "versus": ", {delta} procentpunten tegenover het basisscenario {baseline}",
        "versus_unnamed": ", {delta} procentpunten tegenover het basisscenario",
        "cost": ", voor een eenmalige investering van {cost}.",
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
        "site_header": "Naam|Id|Rol|Bestaand of nieuw|Gekoppeld aan huis|Eenmalige kosten",
        "no_sites": "Het plan opent geen locaties.",
        "method": "Methode",
        "remarks": "Opmerkingen",
        "sources": "Gegevensbronnen",
        "status": "Status van de berekening",
        "houses": "Huizen van het Kind",
        "antennes": "Antennes",
        "of_which_new": "{total} ({new} nieuw)",
        "cost_row": "Eenmalige investering (budget)",
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
            "kandidaat-locaties. Reistijden zijn berekend over het stratennet "
            "({mode_name}).{points} "
            "Normen: een huis binnen {house_min} minuten, een huis of antenne (frequent aanbod) "
            "binnen {frequent_min} minuten, een antenne hoogstens {link_min} minuten van haar "
            "huis.{tightening} De kwetsbaarheidsindex van een sector (0 tot 1) combineert "
            "{indicators}. Proportioneel universalisme: een gezin in de meest kwetsbare sector "
            "telt {weight} keer (gewicht voor nood λ = {lambda_}). Alle bedragen zijn eenmalige "
            "investeringen; jaarlijkse werkingskosten zitten niet in deze berekening."
        ),
        "points_network": (
            " De gezinnen van elke sector zijn verdeeld over de straten in de sector ({count} "
            "vraagpunten in de stad, elk met een deel van de gezinnen naar de lengte van de straat "
            "eromheen), zodat een sector ook voor een deel binnen een norm kan liggen."
        ),
        "points_grid": (
            " De gezinnen van elke sector zijn verdeeld over vakken van {cell} m in de sector "
            "({count} vraagpunten in de stad, naar oppervlakte), zodat een sector ook voor een "
            "deel binnen een norm kan liggen."
        ),
        "points_sector": " Alle gezinnen van een sector tellen op één punt in die sector.",
        "tightening": (
            " Voor kwetsbaardere sectoren zijn de normen strenger, tot {share} korter in de "
            "meest kwetsbare (een huis binnen {house_tight} minuten, frequent aanbod binnen "
            "{frequent_tight} minuten)."
        ),
        "indicator": "{column} ({direction}, gewicht {weight})",
        "higher_is_needier": "hoger = kwetsbaarder",
        "lower_is_needier": "lager = kwetsbaarder",
        "and": " en ",
        "precision": (
            "Hetzelfde plan, doorgerekend met verplaatsingen die 10 % sneller of trager gaan en "
            "normen die 1 minuut ruimer of strenger zijn (ook beide samen), bereikt met een huis "
            "{house} van de gezinnen en met een huis of antenne {frequent}. Van het vijfde van "
            "de gezinnen in de meest kwetsbare sectoren bereikt het met een huis {house_needy} "
            "en met een huis of antenne {frequent_needy}."
        ),
        "precision_between": "tussen {low} en {high}",
        "precision_at": "{value}",
        "precision_fixed": (
            " De gezinnen blijven daarbij toegewezen aan hetzelfde huis (capaciteit per huis)."
        ),
        "precision_rounded": (
            " Een cijfer waarvan het bereik breder is dan 1 procentpunt staat daarom afgerond op "
            "een heel procent."
        ),
        "files": "Invoerbestanden (SHA-256): {files}.",
        "made": "Gemaakt met planner.",
    },
    "en": {
        "title": "Huizen van het Kind: scenario {name}",
        "question": "The question",
        "no_question": "(the scenario has no description)",
        "title_overrides": " (changed: {overrides})",
        "overridden_question": (
            "This run differs from the scenario file: {overrides}. Every figure in this note is "
            "that of the changed run. The file's question was: {question}"
        ),
        "summary": "Summary",
        "reach": "Scenario {name} reaches {neediest} of {group} {standard} of a Huis van het Kind",
        "group": "the fifth of the families in the neediest sectors",
        "versus": ", {delta} percentage points compared with the baseline scenario {baseline}",
        "versus_unnamed": ", {delta} percentage points compared with the baseline scenario",
        "cost": ", for a one-off investment of {cost}.",
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
        "site_header": "Name|Id|Role|Existing or new|Linked to house|One-off cost",
        "no_sites": "The plan opens no sites.",
        "method": "Method",
        "remarks": "Remarks",
        "sources": "Data sources",
        "status": "Status of the computation",
        "houses": "Huizen van het Kind",
        "antennes": "Antennes",
        "of_which_new": "{total} ({new} new)",
        "cost_row": "One-off investment (budget)",
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
            "candidate sites. Travel times are computed over the street network "
            "({mode_name}).{points} "
            "Standards: a house within {house_min} minutes, a house or antenne (frequent "
            "services) within {frequent_min} minutes, an antenne at most {link_min} minutes from "
            "its house.{tightening} A sector's need index (0 to 1) combines {indicators}. "
            "Proportionate universalism: a family in the neediest sector counts {weight} times "
            "(weight of need λ = {lambda_}). Every amount is a one-off investment; yearly "
            "running costs are not part of this computation."
        ),
        "points_network": (
            " Each sector's families are spread over the streets in the sector ({count} demand "
            "points in the city, each with a share of the families by the length of street around "
            "it), so part of a sector can be within a standard."
        ),
        "points_grid": (
            " Each sector's families are spread over cells of {cell} m in the sector ({count} "
            "demand points in the city, by area), so part of a sector can be within a standard."
        ),
        "points_sector": " All of a sector's families count at one point in the sector.",
        "tightening": (
            " The standards are stricter for needier sectors, up to {share} shorter in the "
            "neediest (a house within {house_tight} minutes, frequent services within "
            "{frequent_tight} minutes)."
        ),
        "indicator": "{column} ({direction}, weight {weight})",
        "higher_is_needier": "higher = needier",
        "lower_is_needier": "lower = needier",
        "and": " and ",
        "precision": (
            "The same plan, recomputed with travel 10% faster or slower and standards 1 minute "
            "looser or stricter (also both at once), reaches {house} of the families with a "
            "house and {frequent} with a house or antenne. Of the fifth of the families in the "
            "neediest sectors it reaches {house_needy} with a house and {frequent_needy} with a "
            "house or antenne."
        ),
        "precision_between": "between {low} and {high}",
        "precision_at": "{value}",
        "precision_fixed": " Families stay assigned to the same house (capacity per house).",
        "precision_rounded": (
            " A figure whose range is wider than 1 percentage point is therefore rounded to "
            "whole percent."
        ),
        "files": "Input files (SHA-256): {files}.",
        "made": "Made with planner.",
    },
}
MODES = {
    "nl": {"walk": "wandelen", "bike": "fietsen", "car": "met de auto"},
    "en": {"walk": "walking", "bike": "cycling", "car": "by car"},
}
_MODEL_NAMES = {
    "nl": {
        "max_coverage": "maximale dekking binnen het budget",
        "max_attendance": "meeste verwachte gebruikers binnen het budget (afstandsverval)",
        "set_cover": "goedkoopste plan dat alle gezinnen binnen de normen bereikt",
        "set_cover_single": "goedkoopste plan dat alle gezinnen binnen de norm voor een huis "
        "bereikt",
        "p_median": "kortste gewogen reistijd met een vast aantal huizen",
        "capacitated_p_median": "kortste gewogen reistijd met een vast aantal huizen en "
        "een beperkte capaciteit per huis",
        "p_center": "kortste langste reistijd met een vast aantal huizen",
        "mclp": "maximale dekking met een vast aantal huizen",
        "min_cost_targets": "goedkoopste plan dat de gestelde doelen haalt",
    },
    "en": {
        "max_coverage": "maximum coverage within the budget",
        "max_attendance": "most expected users within the budget (distance decay)",
        "set_cover": "cheapest plan that reaches every family within the standards",
        "set_cover_single": "cheapest plan that reaches every family within the house standard",
        "p_median": "shortest weighted travel time with a fixed number of houses",
        "capacitated_p_median": "shortest weighted travel time with a fixed number of houses "
        "and a capacity per house",
        "p_center": "shortest longest travel time with a fixed number of houses",
        "mclp": "maximum coverage with a fixed number of houses",
        "min_cost_targets": "cheapest plan that reaches the stated targets",
    },
}


def model_name(model: object, language: Language) -> str:
    """Name a model in words (``max_coverage`` → "maximale dekking binnen het budget").

    Parameters
    ----------
    model
        The model's name as in the summary (case, dashes and spaces do not matter).
    language
        ``nl`` or ``en``.

    Returns
    -------
    str
        The words, or the name as it is for a model without them.
    """
    key = str(model).strip().lower().replace("-", "_").replace(" ", "_")
    return _MODEL_NAMES[language].get(key, str(model))


def words(language: Language, key: str) -> tuple[str, str]:
    """Return the singular and plural of a word of :data:`TEXT` (written ``huis|huizen``).

    Parameters
    ----------
    language
        ``nl`` or ``en``.
    key
        The word's key (``house_word``, ``antenne_word``).

    Returns
    -------
    tuple of str
        Singular and plural.
    """
    singular, plural = TEXT[language][key].split("|")
    return singular, plural


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
    precision : str
        The sentence under the key figures that states the range of the coverage figures
        under other assumptions (empty when the summary has none).
    attendance : str
        The sentence beside it with the families expected to come under distance decay
        (:func:`attendance_sentence`; empty when the summary has none).
    modes : str
        Coverage per travel mode (:func:`modes_sentence`; empty with one mode).
    municipalities : list of tuple of str
        A region's table per municipality (:func:`planner.report.note_region.municipality_rows`).
    alternatives : list of tuple of str
        The near-optimal alternatives, "even goed of bijna even goed"
        (:func:`planner.report.note_alternatives.alternatives_rows`).
    alternatives_intro : str
        The sentence above that table.
    alternatives_header : str
        Its column names, joined with ``|``.
    today : list of tuple of str
        The "vandaag → plan" table: label, today, plan, difference
        (:func:`planner.report.note_today.today_rows`).
    today_note : str
        What "today" is, under that table.
    changes : list of str
        What the plan changes in today's sites.
    wijken : list of tuple of str
        Per wijk: name, families, reached today and in the plan (house; house or antenne).
    wijk_header : str
        The header of that table, its cells joined with ``|``.
    footer : str
        Date, planner's version and the scenario file.
    phases : list of tuple of str
        A phased rollout's table per year (:func:`planner.report.note_phases.phase_table`).
    phase_order : str
        What opens in which year (:func:`planner.report.note_phases.opening_order`).
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
    precision: str = ""
    attendance: str = ""
    modes: str = ""
    municipalities: list[tuple[str, ...]] = field(default_factory=list)
    alternatives: list[tuple[str, ...]] = field(default_factory=list)
    alternatives_intro: str = ""
    alternatives_header: str = ""
    today: list[tuple[str, ...]] = field(default_factory=list)
    today_note: str = ""
    changes: list[str] = field(default_factory=list)
    wijken: list[tuple[str, ...]] = field(default_factory=list)
    wijk_header: str = ""
    footer: str = ""
    phases: list[tuple[str, ...]] = field(default_factory=list)
    phase_order: str = ""


_ATTENDANCE = {
    "nl": {
        "sentence": (
            "Als de kans dat een gezin komt afneemt met de reistijd ({function}), gebruiken naar "
            "verwachting {house} van de gezinnen een huis en {frequent} een huis of antenne; van "
            "het meest kwetsbare vijfde {house_needy} en {frequent_needy}."
        ),
        "logistic": (
            "logistisch: de helft komt bij de norm, niemand boven {cutoff} keer de norm, "
            "steilheid {steepness}"
        ),
        "linear": "lineair: iedereen tot {start} keer de norm, niemand vanaf {end} keer de norm",
        "step": "hier als harde norm: iedereen binnen de norm, niemand daarbuiten",
    },
    "en": {
        "sentence": (
            "If the chance that a family comes falls with travel time ({function}), {house} of "
            "the families are expected to use a house and {frequent} a house or antenne; of the "
            "neediest fifth {house_needy} and {frequent_needy}."
        ),
        "logistic": (
            "logistic: half come at the standard, none beyond {cutoff} times the standard, "
            "steepness {steepness}"
        ),
        "linear": "linear: everyone up to {start} times the standard, no one from {end} times it",
        "step": "here as a hard standard: everyone within it, no one beyond",
    },
}


def attendance_sentence(summary: Mapping[str, Any], language: Language = "nl") -> str:
    """State in one sentence how many families are expected to come under distance decay.

    Parameters
    ----------
    summary
        The plan's summary; its ``attendance`` block gives the shares and the function.
    language
        ``nl`` or ``en``.

    Returns
    -------
    str
        The sentence; empty without an ``attendance`` block.
    """
    block = summary.get("attendance")
    if not isinstance(block, Mapping):
        return ""
    text = _ATTENDANCE[language]
    parameters = dict(block.get("parameters") or {})
    number = {key: _number(value, language) for key, value in parameters.items()}
    function = text[str(parameters.get("function", "logistic"))].format(**number)
    share = {key: format_share(block.get(key), 0, language) for key in _ATTENDANCE_SHARES}
    return text["sentence"].format(
        function=function,
        house=share["house"],
        frequent=share["frequent"],
        house_needy=share["house_neediest_quintile"],
        frequent_needy=share["frequent_neediest_quintile"],
    )


_MODES_TEXT = {
    "nl": (
        "Per vervoerswijze, met de verdeling en de normen per wijze die het scenario aanneemt "
        "(huis / huis of antenne binnen de norm van die wijze): {parts}."
    ),
    "en": (
        "Per travel mode, with the split and the standards per mode the scenario assumes "
        "(house / house or antenne within that mode's standard): {parts}."
    ),
}
_MODES_PART = {
    "nl": "{mode} {house} / {frequent} van {families} gezinnen",
    "en": "{mode} {house} / {frequent} of {families} families",
}


def modes_sentence(summary: Mapping[str, Any], language: Language = "nl") -> str:
    """State the coverage per travel mode in one sentence (plans with several modes).

    Parameters
    ----------
    summary
        The plan's summary; its ``modes.coverage_by_mode`` block gives the figures.
    language
        ``nl`` or ``en``.

    Returns
    -------
    str
        The sentence; empty with one mode or under the ``any`` rule.
    """
    block = (summary.get("modes") or {}).get("coverage_by_mode")
    if not isinstance(block, Mapping) or not block:
        return ""
    parts = [
        _MODES_PART[language].format(
            mode=MODE_NAMES[language].get(str(mode), str(mode)),
            house=format_share(figures.get("house"), 0, language),
            frequent=format_share(figures.get("frequent"), 0, language),
            families=format_number(float(figures.get("families") or 0.0), 0, language),
        )
        for mode, figures in block.items()
    ]
    return _MODES_TEXT[language].format(parts="; ".join(parts))


def _number(value: object, language: Language) -> str:
    text = f"{value:g}" if isinstance(value, int | float) else str(value)
    return text.replace(".", ",") if language == "nl" else text


_ATTENDANCE_SHARES = ("house", "frequent", "house_neediest_quintile", "frequent_neediest_quintile")


def note_heading(
    summary: Mapping[str, Any], scenario: Scenario, language: Language = "nl"
) -> tuple[str, str]:
    """Return the note's title and question; a run with overrides says that it differs.

    Parameters
    ----------
    summary
        The plan's summary (``scenario``, ``description``, ``overrides``).
    scenario
        The plan's scenario, for summaries written before those keys.
    language
        ``nl`` or ``en``.

    Returns
    -------
    tuple of str
        The title and the question.
    """
    text = TEXT[language]
    description = str(summary.get("description") or scenario.description or "").strip()
    question = description or text["no_question"]
    title = text["title"].format(name=summary.get("scenario", scenario.name))
    overrides = summary.get("overrides", list(scenario.overrides))
    if overrides:  # a run with --set answers another question than the file's
        changes = ", ".join(f"--set {item}" for item in overrides)
        title += text["title_overrides"].format(overrides=changes)
        question = text["overridden_question"].format(overrides=changes, question=question)
    return title, question
