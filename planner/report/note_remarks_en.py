"""The summary's notes as an English council note's remarks: no command lines, no jargon.

The notes of a summary (``summary["notes"]``) are written for the analyst who runs planner:
they name options and columns and say which command fixes what. An English council note
gives the notes planner writes in words for a council instead (:func:`english_remark`),
with whole families and euro written as in the note; a note of another pattern is shown as
it is. The Dutch wording is in :mod:`planner.report.note_remarks`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["english_remark"]

_FLAGS = re.IGNORECASE | re.DOTALL

_SITE_TYPES = {
    "community_centre": "community centre",
    "social_facility": "social facility",
    "townhall": "town hall",
    "arts_centre": "arts centre",
    "generated": "new site",
}


def _families(value: str) -> str:
    """Families as a whole number (``4.5`` → "5 families", ``0.04`` → "less than 1 family")."""
    number = float(value.replace(",", ""))
    if 0 < number < 1:
        return "less than 1 family"
    whole = int(number + 0.5)
    return f"{whole:,} {'family' if whole == 1 else 'families'}"


def _plural(count: str, singular: str, plural: str) -> str:
    return f"{count} {singular if count == '1' else plural}"


def _target(found: re.Match[str]) -> str:
    detail = re.search(r"estimated as (.+?) \(no age table\)", found.string, _FLAGS)
    what = detail.group(1).strip() if detail else "a share of the inhabitants"
    what = re.sub(r"^([\d.]+ %) of ", r"\1 of the ", what).replace("the the ", "the ")
    return (
        f"The number of families in the target group is estimated as {what} (there are no "
        "figures by age): the numbers of families in this note are estimates."
    )


def _income(found: re.Match[str]) -> str:
    note = found.string
    ways = [
        f"{count.group(1)} {words}"
        for english, words in (
            ("from neighbouring sectors", "from the neighbouring sectors"),
            ("with the city median", "with the city's median"),
            ("left empty, then the median of the run", "with the median of all sectors"),
        )
        if (count := re.search(re.escape(english) + r" \((\d+)\)", note)) is not None
    ]
    derived = ", and so is their need index" if "and so" in note else ""
    how = f": {', '.join(ways)}" if ways else ""
    return (
        f"For {_plural(found.group(1), 'sector', 'sectors')} Statbel does not publish the "
        f"median income (too few inhabitants). It is estimated{derived}{how}."
    )


def _stand_ins(found: re.Match[str]) -> str:
    role = "houses" if found.group(1).lower() == "house" else "antennes"
    kinds = [kind.strip() for kind in found.group(2).split(",")]
    named = " and ".join(f"'{_SITE_TYPES.get(kind, kind)}'" for kind in kinds)
    return (
        f"The list of today's {role} is missing from the data. For now the sites of type "
        f"{named} stand in for them; every figure for today, and what the plan adds to it, "
        "depends on that choice."
    )


def _far_points(found: re.Match[str]) -> str:
    sectors, metres = found.group(2), found.group(4)
    families = found.group(3)
    number = re.search(r"[\d.,]+", families) if "less than" not in families else None
    who = _families(number.group(0)) if number else "less than 1 family"
    if found.group(1):  # demand points: part of each sector
        return (
            f"In {_plural(sectors, 'sector', 'sectors')} part of the sector ({who}) lies more "
            f"than {metres} m from a street; those families count as unreachable."
        )
    in_all = "" if sectors == "1" else " in all"
    lie = "lies" if sectors == "1" else "lie"
    return (
        f"{_plural(sectors, 'sector', 'sectors')} with {who}{in_all} {lie} more than {metres} "
        "m from a street; those families count as unreachable."
    )


def _other_pairs(found: re.Match[str]) -> str:
    what = "sector" if found.group(2) == "sector" else "place in a sector"
    pairs = _plural(found.group(1), "pair", "pairs")
    counts = "it counts" if found.group(1) == "1" else "they count"
    return (
        f"For {pairs} of a {what} and a candidate site there is no route over the street "
        f"network (parts of it do not connect); {counts} as unreachable."
    )


def _left_out(found: re.Match[str]) -> str:
    unit = "sector" if found.group(2).startswith("sector") else "demand point"
    one = found.group(1) == "1"
    return (
        f"{_plural(found.group(1), unit, unit + 's')} ({_families(found.group(3))}) "
        f"{'is' if one else 'are'} within the standards of no allowed site and "
        f"{'is' if one else 'are'} left out."
    )


_RULES: tuple[tuple[str, Callable[[re.Match[str]], str]], ...] = (
    (r"^target group .*estimat|estimat.*target", _target),
    (r"^(\d+) sectors? ha(?:s|ve) an imputed median income", _income),
    (r"^existing (house|antenne)s are stand-ins: (.*?) \((.*?)\)", _stand_ins),
    (
        r"^site costs are default placeholders",
        lambda _: (
            "The costs of the sites are provisional standard amounts per kind of site (one-off "
            "investment), not quotes or estimates of the city."
        ),
    ),
    (
        r"^no existing sites in the sites file",
        lambda _: (
            "The data hold no existing houses or antennes: the plan starts from zero, as if "
            "there were no house or antenne today."
        ),
    ),
    (
        (
            r"^(?:(\d[\d,]*) demand points? in )?(\d[\d,]*) sectors? \((.*?)\) "
            r"(?:is|are) more than ([\d,]+) m from a street"
        ),
        _far_points,
    ),
    (r"^(\d[\d,]*) (?:other )?(sector|demand point)-site pairs? ha(?:s|ve) no route", _other_pairs),
    (
        r"^(\d[\d,]*) (sectors?|demand points?) \(([\d,.]+) famil(?:y|ies)\) cannot be reached",
        _left_out,
    ),
    (
        r"^(\d+) of (\d+) sector polygons are approximations: Voronoi cells",
        lambda found: (
            f"The boundaries of {found.group(1)} of the {found.group(2)} sectors are "
            "approximated: each sector is the area nearer to its centre than to another "
            "sector's, within the municipal boundary (there was no file with the real sector "
            "boundaries)."
        ),
    ),
    (
        r"^travel times are an approximation: (.*?), no street network",
        lambda found: (
            f"Travel times are an approximation: {found.group(1)}, without a street network; "
            "around rivers, railways and motorways the real route can be longer."
        ),
    ),
    (
        r"\(lowest EUR [\d,]+: ([^)]*)\): are the costs in euro, not thousands\?",
        lambda found: re.sub(
            r"cost_house is read in euro\.?$",
            "the computation reads every cost in euro.",
            found.string.replace("EUR ", "€"),
        ),
    ),
)
_RULES += (
    (
        (
            r"^(\w+) places houses only, with p = (\d+); the budget is not a constraint "
            r"\(this plan costs EUR ([\d,]+)\)"
        ),
        lambda found: (
            f"This model places houses only ({_plural(found.group(2), 'house', 'houses')}); the "
            f"budget does not apply (this plan costs €{found.group(3)})."
        ),
    ),
    (
        (
            r"^reaching every family within the standards costs EUR ([\d,]+), (within|over) the "
            r"budget of EUR ([\d,]+)"
        ),
        lambda found: (
            f"Reaching every family within the standards costs €{found.group(1)}, "
            f"{found.group(2)} the budget of €{found.group(3)}; this model looks for the "
            "cheapest plan, the budget does not apply to it."
        ),
    ),
)
_COMPILED = tuple((re.compile(pattern, _FLAGS), wording) for pattern, wording in _RULES)


def english_remark(note: str) -> str | None:
    """Return a note of the summary in words for an English council note.

    Parameters
    ----------
    note
        One of ``summary["notes"]``.

    Returns
    -------
    str or None
        The note in council words (whole families, euro as "€"); None when the note is not one
        of the patterns planner writes (it is then shown as it is).
    """
    text = note.strip()
    for pattern, wording in _COMPILED:
        found = pattern.search(text)
        if found is not None:
            return wording(found)
    return None
