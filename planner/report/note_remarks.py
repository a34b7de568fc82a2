"""The summary's notes as the council note's remarks, in Dutch when the note is.

The notes of a summary (``summary["notes"]``) are written in English by
:mod:`planner.results.plan`, :mod:`planner.data.inputs` and :mod:`planner.workflows.pipeline`.
:func:`remark` gives each one as a sentence: translated to Dutch when its pattern is one
planner writes, else as it is.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from planner.report.note_remarks_en import english_remark

if TYPE_CHECKING:
    from planner.report.assets import Language

__all__ = ["remark"]


# Notes of the summary (``summary["notes"]``, written in English by planner.results.plan,
# planner.data.inputs and planner.workflows.pipeline): a pattern each, with its Dutch wording; a
# note that matches none is shown as it is. Numbers are taken from the note itself, so they stay the
# summary's numbers.
_FLAGS = re.IGNORECASE | re.DOTALL
_EUR = r"EUR (\d{1,3}(?:,\d{3})*(?:\.\d+)?)"


_Translation = Callable[[str], str | None]
"""A translation of a note: its Dutch wording, or None when the note is another."""


def _when(pattern: str) -> Callable[[Callable[[re.Match[str]], str]], _Translation]:
    """Turn a wording of a match into a translation of the notes that match ``pattern``.

    The translation returns None for a note that does not match (searched anywhere, case and
    line ends ignored); the wording reads the note itself from ``found.string``.
    """
    compiled = re.compile(pattern, _FLAGS)

    def decorate(wording: Callable[[re.Match[str]], str]) -> _Translation:
        @functools.wraps(wording)
        def translate(note: str) -> str | None:
            found = compiled.search(note)
            return None if found is None else wording(found)

        return translate

    return decorate


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


def _nl_families(value: str | None) -> str:
    """Families as a whole number (``4.5`` → "5 gezinnen", ``0.04`` → "minder dan 1 gezin")."""
    if value is None:
        return "gezinnen"
    number = float(value.replace(",", ""))
    if 0 < number < 1:
        return "minder dan 1 gezin"
    whole = int(number + 0.5)  # half up: 4.5 families are 5
    text = f"{whole:,}".replace(",", ".")
    return f"{text} {'gezin' if whole == 1 else 'gezinnen'}"


_SITE_TYPES_NL = {
    "school": "school",
    "kindergarten": "kleuterschool",
    "childcare": "kinderopvang",
    "consultatiebureau": "consultatiebureau",
    "library": "bibliotheek",
    "community_centre": "buurtcentrum",
    "social_facility": "sociale voorziening",
    "townhall": "stadhuis of gemeentehuis",
    "arts_centre": "cultuurcentrum",
    "college": "hogeschool",
    "generated": "nieuwe locatie",
}


@_when(rf"budget \(?{_EUR}\)? is below the cheapest new site \({_EUR}\)")
def _nl_budget_small(found: re.Match[str]) -> str:
    in_euro = re.search(r"in euro\?", found.string, _FLAGS)
    euro = " Staat het budget wel in euro?" if in_euro else ""
    return (
        f"Het budget (€ {_nl(found.group(1))}) is kleiner dan de goedkoopste nieuwe locatie "
        f"(€ {_nl(found.group(2))}): het plan behoudt alleen de bestaande locaties.{euro}"
    )


@_when(rf"budget \({_EUR}\) does not bind: all (\d+) candidate sites? together cost at most {_EUR}")
def _nl_budget_loose(found: re.Match[str]) -> str:
    return (
        f"Het budget (€ {_nl(found.group(1))}) beperkt niets: alle "
        f"{_nl_count(found.group(2), 'kandidaat-locatie', 'kandidaat-locaties')} samen kosten "
        f"hoogstens € {_nl(found.group(3))}."
    )


@_when(rf"^(\d+) sites? ha(?:s|ve) a house cost under {_EUR} \(lowest {_EUR}: ([^)]*)\)")
def _nl_low_costs(found: re.Match[str]) -> str:
    one = found.group(1) == "1"
    return (
        f"{_nl_count(found.group(1), 'locatie heeft', 'locaties hebben')} een kost voor een "
        f"huis onder € {_nl(found.group(2))} (laagste € {_nl(found.group(3))}: "
        f"{found.group(4)}): {'staat die kost' if one else 'staan die kosten'} wel in euro en "
        "niet in duizenden euro? De berekening leest alle kosten in euro."
    )


@_when(r"^existing (house|antenne)s are stand-ins: (.*?) \((.*?)\)")
def _nl_stand_ins(found: re.Match[str]) -> str:
    role = "huizen" if found.group(1).lower() == "house" else "antennes"
    kinds = [kind.strip() for kind in found.group(2).split(",")]
    named = " en ".join(f"'{_SITE_TYPES_NL.get(kind, kind)}'" for kind in kinds)
    return (
        f"De lijst van de {role} van vandaag ontbreekt in de gegevens. Voorlopig staan de "
        f"locaties van het type {named} in hun plaats; alle cijfers voor vandaag, en wat het "
        "plan daaraan toevoegt, hangen van die keuze af."
    )


@_when(r"^site costs are default placeholders")
def _nl_default_costs(_: re.Match[str]) -> str:
    return (
        "De kosten van de locaties zijn voorlopige standaardbedragen per soort locatie "
        "(eenmalige investering), geen offertes of ramingen van de stad."
    )


@_when(r"^no existing sites in the sites file")
def _nl_nothing_to_keep(_: re.Match[str]) -> str:
    return (
        "De gegevens bevatten geen bestaande huizen of antennes: het plan begint van nul, "
        "alsof er vandaag geen enkel huis of antenne is."
    )


@_when(r"^(\d+) sectors? ha(?:s|ve) an imputed median income")
def _nl_income(found: re.Match[str]) -> str:
    note = found.string
    one = found.group(1) == "1"
    derived = re.search(r"income, and so ([^(]+?) \(", note, _FLAGS)
    via = ", en daarmee ook hun kwetsbaarheidsindex" if derived else ""
    how = {
        "from neighbouring sectors": "uit de naburige sectoren",
        "with the city median": "met de mediaan van de stad",
        "left empty, then the median of the run": "met de mediaan van alle sectoren",
    }
    ways = [
        f"voor {count.group(1)} {dutch}"
        for english, dutch in how.items()
        if (count := re.search(re.escape(english) + r" \((\d+)\)", note)) is not None
    ]
    filled = f": {', '.join(ways)}" if ways else ""
    sectors = _nl_count(found.group(1), "sector", "sectoren")
    return (
        f"Voor {sectors} maakt Statbel het mediaaninkomen niet bekend (te weinig inwoners om "
        f"{'het' if one else 'ze'} te tonen). Het is geschat{via}{filled}."
    )


@_when(r"ignores the budget|budget is not a constraint|budget does not apply")
def _nl_budget_not_binding(found: re.Match[str]) -> str:
    note = found.string
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


@_when(r"^(\d[\d,]*) (sectors?|demand points?) \(([\d,.]+) famil(?:y|ies)\) cannot be reached")
def _nl_unreachable_sectors(found: re.Match[str]) -> str:
    one = found.group(1) == "1"
    unit = (
        ("sector", "sectoren")
        if found.group(2).startswith("sector")
        else ("vraagpunt", "vraagpunten")
    )
    return (
        f"{_nl_count(found.group(1), *unit)} "
        f"({_nl_families(found.group(3))}) {'kan' if one else 'kunnen'} door "
        f"geen enkele toegelaten locatie binnen de normen bereikt worden en "
        f"{'is' if one else 'zijn'} buiten beschouwing gelaten."
    )


@_when(r"imput")
def _nl_imputed(found: re.Match[str]) -> str:
    note = found.string
    what = "het inkomen" if re.search(r"income", note, _FLAGS) else "een waarde van een indicator"
    number = _first_int(note)
    if number is None:
        return f"Waar {what} ontbrak, is die aangevuld met een schatting (de mediaan)."
    one = number == "1"
    return (
        f"Voor {_nl_count(number, 'sector', 'sectoren')} ontbrak {what}; "
        f"{'die is' if one else 'die zijn'} aangevuld met een schatting (de mediaan)."
    )


@_when(r"^(\d[\d,]*) (?:other )?(sector|demand point)-site pairs? ha(?:s|ve) no route")
def _nl_unreachable_pairs(found: re.Match[str]) -> str:
    one = found.group(1) == "1"
    what = "sector" if found.group(2) == "sector" else "plek in een sector"
    return (
        f"Voor {_nl_count(found.group(1), 'combinatie', 'combinaties')} van een {what} en een "
        "kandidaat-locatie is er geen weg over het stratennet (stukken ervan sluiten niet op "
        f"elkaar aan); {'die telt' if one else 'die tellen'} als onbereikbaar."
    )


@_when(
    r"^(?:(\d[\d,]*) demand points? in )?(\d[\d,]*) sectors? \((.*?)\) (?:is|are) more than "
    r"([\d,]+) m from a street"
)
def _nl_far_points(found: re.Match[str]) -> str:
    sectors = found.group(2)
    families = found.group(3)
    number = re.search(r"[\d.,]+", families) if "less than" not in families else None
    who = _nl_families(number.group(0)) if number else "minder dan 1 gezin"
    metres = _nl(found.group(4))
    if found.group(1):  # demand points: part of each sector
        lies = "ligt" if sectors == "1" else "liggen"
        return (
            f"In {_nl_count(sectors, 'sector', 'sectoren')} {lies} een deel van de sector "
            f"({who}) verder dan {metres} m van een straat; die gezinnen tellen als onbereikbaar."
        )
    together = "met samen" if sectors != "1" else "met"
    lies = "ligt" if sectors == "1" else "liggen"
    return (
        f"{_nl_count(sectors, 'sector', 'sectoren')} {together} {who} {lies} verder dan "
        f"{metres} m van een straat; die gezinnen tellen als onbereikbaar."
    )


@_when(r"^(\d[\d,]*) candidate sites? \((.*?)\) (?:is|are) more than ([\d,]+) m from a street")
def _nl_far_sites(found: re.Match[str]) -> str:
    one = found.group(1) == "1"
    return (
        f"{_nl_count(found.group(1), 'kandidaat-locatie', 'kandidaat-locaties')} "
        f"({found.group(2).replace(' and ', ' en ').replace(' more', ' andere')}) "
        f"{'ligt' if one else 'liggen'} verder dan {_nl(found.group(3))} m van een straat en "
        f"{'kan' if one else 'kunnen'} niet gekozen worden."
    )


@_when(r"target.*estimat|estimat.*target")
def _nl_estimated_target(found: re.Match[str]) -> str:
    detail = re.search(
        r"estimated as (.+?) \(no age table\)(?: in (\d+) of (\d+) sectors)?",
        found.string,
        _FLAGS,
    )
    if detail is None:
        return "Het aantal gezinnen in de doelgroep is geschat, niet geteld."
    what = detail.group(1).strip()
    if what.lower() == "a share of the inhabitants":
        what = "een deel van de inwoners"
    else:
        what = re.sub(r"^([\d.]+) % of ", lambda m: f"{_nl(m.group(1))} % van ", what)
        what = re.sub(r"\b(?:the )?(?:population|inhabitants)$", "de inwoners", what)
        what = re.sub(r"\binhabitants under (\d+)$", r"de inwoners jonger dan \1", what)
    where = f" in {detail.group(2)} van de {detail.group(3)} sectoren" if detail.group(2) else ""
    return (
        f"Het aantal gezinnen in de doelgroep is geschat als {what} (er zijn geen cijfers per "
        f"leeftijd){where}: de aantallen gezinnen in deze nota zijn schattingen."
    )


@_when(r"^solver check: (\w+) declared the model infeasible; .* found a plan")
def _nl_false_infeasible(found: re.Match[str]) -> str:
    solver = {"cbc": "CBC", "highs": "HiGHS"}.get(found.group(1).lower(), found.group(1))
    return (
        f"{solver} noemde het model eerst onoplosbaar; een tweede berekening zonder "
        "voorbewerking vond dit plan: dat oordeel was fout."
    )


@_when(r"^solver check: .* from the MIP start without closing the gap")
def _nl_start_dropped(_: re.Match[str]) -> str:
    return (
        "De solver meldde het startplan als optimaal zonder dat te bewijzen; het plan is "
        "opnieuw berekend zonder startplan."
    )


_MODES_NL = {"walking": "te voet", "cycling": "met de fiets", "driving": "met de auto"}


@_when(r"^travel times are an approximation: (.*?), no street network")
def _nl_straight_line(found: re.Match[str]) -> str:
    how = re.sub(
        r"straight line (\S) ([\d.]+) at ([\d.]+) km/h (\w+)",
        lambda m: (
            f"hemelsbreed {m.group(1)} {_nl(m.group(2))} aan {_nl(m.group(3))} km/u "
            f"{_MODES_NL.get(m.group(4), m.group(4))}"
        ),
        found.group(1),
    )
    return (
        f"De reistijden zijn een benadering: {how}, zonder stratennet; rond rivieren, "
        "spoorlijnen en autosnelwegen kan de echte weg langer zijn."
    )


@_when(r"^(\d+) of (\d+) sector polygons are approximations: Voronoi cells")
def _nl_voronoi(found: re.Match[str]) -> str:
    return (
        f"De grenzen van {found.group(1)} van de {found.group(2)} sectoren zijn benaderd: elke "
        "sector is het gebied dat dichter bij zijn middelpunt ligt dan bij dat van een andere "
        "sector, binnen de gemeentegrens (er was geen bestand met de echte sectorgrenzen)."
    )


@_when(rf"^the cheapest plan reaching objective\.targets costs {_EUR}; the budget \({_EUR}\)")
def _nl_targets_cost(found: re.Match[str]) -> str:
    return (
        f"Het goedkoopste plan dat de doelen haalt kost € {_nl(found.group(1))}; het budget "
        f"(€ {_nl(found.group(2))}) is alleen een bovengrens. Een doel is bindend als het "
        "goedkoopste plan zonder dat doel (met de andere doelen, de regels en het budget) "
        "minder kost."
    )


_GROUPS_NL = {"all": "alle gezinnen", "neediest fifth": "het meest kwetsbare vijfde"}


@_when(
    r"^objective\.targets\[(\d+)\]: ([\d.]+) % of (.+?) with (a house within R_H|a house or "
    r"antenne within R_A); reached ([^;]+); (binds|does not bind)"
    rf".*?{_EUR}.*alone it costs {_EUR}"
)
def _nl_target(found: re.Match[str]) -> str:
    group = found.group(3)
    group = _GROUPS_NL.get(group, group.replace("quintile", "kwintiel"))
    standard = "een huis" if found.group(4).endswith("R_H") else "een huis of antenne"
    norm = "R_H" if found.group(4).endswith("R_H") else "R_A"
    reached = found.group(5).replace(".", ",").replace("no families", "geen gezinnen")
    binds = (
        f"bindend: zonder dit doel kost het goedkoopste plan € {_nl(found.group(7))}"
        if found.group(6) == "binds"
        else f"niet bindend (zonder dit doel: € {_nl(found.group(7))})"
    )
    unproven = " (niet bewezen optimaal)" if "not proven" in found.string else ""
    return (
        f"Doel {int(found.group(1)) + 1}: {_nl(found.group(2))} % van {group} met {standard} "
        f"binnen de norm ({norm}); gehaald: {reached}; {binds}; dit doel alleen kost "
        f"€ {_nl(found.group(8))}{unproven}."
    )


_BASIS_NL = {
    "the one-off euros": "de eenmalige euro's",
    "the yearly euros": "de jaarlijkse euro's",
}


@_when(
    rf"^one-off {_EUR}, yearly {_EUR} \(running costs of the open sites\); the budget "
    rf"\({_EUR}\) counts (.+): {_EUR}$"
)
def _nl_costs(found: re.Match[str]) -> str:
    basis = found.group(4)
    years = re.match(r"the one-off euros plus ([\d.]+) years of the yearly ones", basis)
    if years is not None:
        basis = f"de eenmalige euro's plus {_nl(years.group(1))} jaar de jaarlijkse"
    return (
        f"Eenmalig € {_nl(found.group(1))}, jaarlijks € {_nl(found.group(2))} (werkingskosten "
        f"van de open locaties); het budget (€ {_nl(found.group(3))}) telt "
        f"{_BASIS_NL.get(basis, basis)}: € {_nl(found.group(5))}."
    )


@_when(rf"^closes (\d+) existing sites?: (.+); saves {_EUR} a year$")
def _nl_closes(found: re.Match[str]) -> str:
    count = _nl_count(found.group(1), "bestaande locatie sluit", "bestaande locaties sluiten")
    return f"{count}: {found.group(2)}; dat bespaart € {_nl(found.group(3))} per jaar."


@_when(r"^existing (antennes upgraded to a house|houses kept as an antenne): (.+)$")
def _nl_role_change(found: re.Match[str]) -> str:
    what = (
        "Bestaande antennes die een huis worden"
        if found.group(1).startswith("antennes")
        else "Bestaande huizen die als antenne verdergaan"
    )
    return f"{what}: {found.group(2)}."


_REMARKS_NL: tuple[_Translation, ...] = (
    _nl_costs,
    _nl_closes,
    _nl_role_change,
    _nl_targets_cost,
    _nl_target,
    _nl_false_infeasible,
    _nl_start_dropped,
    _nl_straight_line,
    _nl_voronoi,
    _nl_budget_small,
    _nl_budget_loose,
    _nl_budget_not_binding,
    _nl_low_costs,
    _nl_stand_ins,
    _nl_default_costs,
    _nl_nothing_to_keep,
    _nl_income,
    _nl_far_points,
    _nl_far_sites,
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
        The note as a sentence for a council: in Dutch (``nl``) or in council words in English
        (:func:`planner.report.note_remarks_en.english_remark`) when the note is one planner
        writes; else as it is, with a capital and a full stop.
    """
    text = str(note).strip()
    if language == "nl":
        for translate in _REMARKS_NL:
            dutch = translate(text)
            if dutch is not None:
                return dutch
    elif (english := english_remark(text)) is not None:
        return english
    if not text:
        return text
    if language == "en":
        text = text.replace("EUR ", "€")
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
