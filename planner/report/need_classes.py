"""The need classes of every map: fifths of the families, the darkest the neediest fifth.

The choropleth of ``map.html``, ``map.png`` / ``map.pdf`` and the note's map cuts the sectors,
ranked by need, into five classes that each hold about a fifth of the *families*
(the need quintiles of :func:`planner.results.equity.need_quintiles`, the summary's ``equity``
figures), not a fifth of the sectors. The darkest class is
exactly the group that the summary, the note and the map's title call "the fifth of the
families in the neediest sectors" (the plan's ``neediest_quintile`` column), and each class's
legend row names its sectors, its share of the families and its range of the need index.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from planner.report.assets import NEED_COLOURS, NO_NEED_COLOUR, format_number, format_share
from planner.results.equity import need_quintiles

if TYPE_CHECKING:
    import pandas as pd
    from numpy.typing import NDArray

    from planner.report.assets import Language

__all__ = ["NeedClasses", "need_classes"]

_NEEDIEST = len(NEED_COLOURS) - 1

_RANKS = {
    "nl": (
        "minst kwetsbare vijfde",
        "vierde vijfde",
        "derde vijfde",
        "tweede vijfde",
        "meest kwetsbare vijfde",
    ),
    "en": ("least needy fifth", "fourth fifth", "third fifth", "second fifth", "neediest fifth"),
}
_WORDS = {
    "nl": {
        "title": "Kwetsbaarheid: vijfden van de gezinnen, naar de index van hun sector "
        "(donkerst = het meest kwetsbare vijfde)",
        "row": "{rank}: {sectors}, {share} van de gezinnen, index {low} - {high}",
        "sector": "sector|sectoren",
        "missing": "geen index",
    },
    "en": {
        "title": "Need: fifths of the families, by their sector's index "
        "(darkest = the neediest fifth)",
        "row": "{rank}: {sectors}, {share} of the families, index {low} - {high}",
        "sector": "sector|sectors",
        "missing": "no index",
    },
}


@dataclass(frozen=True)
class NeedClasses:
    """The class of every sector and what the legend says of each class.

    Attributes
    ----------
    classes : numpy.ndarray
        Class per sector, in the table's order: 0 (least need) to 4 (the neediest fifth of the
        families), -1 for a sector without a need value.
    sectors, families : tuple
        Per class 0 to 4: the number of sectors and their share of the families.
    low, high : tuple of float
        Per class: the lowest and highest need index of its sectors (NaN for an empty class).
    """

    classes: NDArray[np.int_]
    sectors: tuple[int, ...]
    families: tuple[float, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]

    def colour(self, position: int) -> str:
        """Return the fill of the sector at ``position`` of the table."""
        klass = int(self.classes[position])
        return NEED_COLOURS[klass] if klass >= 0 else NO_NEED_COLOUR

    def fills(self) -> list[str]:
        """Return the fill of every sector, in the table's order."""
        return [self.colour(k) for k in range(len(self.classes))]

    def title(self, language: Language = "nl") -> str:
        """Return the heading of the legend."""
        return _WORDS[language]["title"]

    def legend(self, language: Language = "nl") -> list[tuple[str, str]]:
        """Return ``(colour, label)`` per class that has sectors, the neediest fifth first.

        Parameters
        ----------
        language
            ``nl`` or ``en``.

        Returns
        -------
        list of tuple
            The colour and the label (``meest kwetsbare vijfde: 21 sectoren, 20 % van de
            gezinnen, index 0,62 - 1,00``).
        """
        words = _WORDS[language]
        one, many = words["sector"].split("|")
        rows = []
        for klass in range(_NEEDIEST, -1, -1):
            count = self.sectors[klass]
            if count == 0:
                continue
            label = words["row"].format(
                rank=_RANKS[language][klass],
                sectors=f"{format_number(count, 0, language)} {one if count == 1 else many}",
                share=format_share(self.families[klass], 0, language),
                low=format_number(self.low[klass], 2, language),
                high=format_number(self.high[klass], 2, language),
            )
            rows.append((NEED_COLOURS[klass], label))
        if (self.classes < 0).any():
            rows.append((NO_NEED_COLOUR, words["missing"]))
        return rows


def need_classes(sectors: pd.DataFrame) -> NeedClasses:
    """Class every sector by need into fifths of the families.

    Parameters
    ----------
    sectors
        A plan's sector table: ``need``, ``target`` and, when the plan has it, the
        ``neediest_quintile`` flag that the summary and the note count (the darkest class is
        then exactly those sectors).

    Returns
    -------
    NeedClasses
        The class of every sector and the legend's figures.
    """
    need = sectors["need"].to_numpy(dtype=float)
    target = np.nan_to_num(sectors["target"].to_numpy(dtype=float))
    known = np.isfinite(need)
    classes = np.full(len(need), -1, dtype=np.int_)
    classes[known] = len(NEED_COLOURS) - need_quintiles(need[known], target[known])
    if "neediest_quintile" in sectors.columns:  # the group the text calls the neediest fifth
        flags = sectors["neediest_quintile"].to_numpy(dtype=bool) & known
        classes[known & (classes == _NEEDIEST) & ~flags] = _NEEDIEST - 1
        classes[flags] = _NEEDIEST
    total = float(target[known].sum())
    counts, shares, lows, highs = [], [], [], []
    for klass in range(len(NEED_COLOURS)):
        members = classes == klass
        counts.append(int(members.sum()))
        shares.append(float(target[members].sum()) / total if total > 0 else math.nan)
        lows.append(float(need[members].min()) if members.any() else math.nan)
        highs.append(float(need[members].max()) if members.any() else math.nan)
    return NeedClasses(
        classes=classes,
        sectors=tuple(counts),
        families=tuple(shares),
        low=tuple(lows),
        high=tuple(highs),
    )
