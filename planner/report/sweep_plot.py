"""The sweep's plot ``sweep.png``: cost against coverage, the plans not dominated filled.

Drawn with matplotlib (no pyplot), imported only when a sweep plots; the same rows give the
same bytes (no software or date in the PNG). Labels in Dutch by default, English on request.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from planner.report.assets import Language

__all__ = ["plot_sweep"]

_PLOT_TEXT: dict[str, dict[str, str]] = {
    "nl": {
        "all": "alle gezinnen",
        "neediest": "vijfde van de gezinnen in de meest kwetsbare sectoren",
        "house": "binnen de norm huis",
        "frequent": "binnen de norm frequent aanbod",
        "free": "niet gedomineerd",
        "cost": "kosten (miljoen euro)",
        "reached": "gezinnen bereikt (%)",
        "hollow": "open: gedomineerd",
    },
    "en": {
        "all": "all families",
        "neediest": "neediest fifth",
        "house": "within R_H (house)",
        "frequent": "within R_A (frequent)",
        "free": "not dominated",
        "cost": "cost (EUR million)",
        "reached": "families reached (%)",
        "hollow": "hollow: dominated",
    },
}


def plot_sweep(
    rows: Sequence[Mapping[str, Any]], scenario: str, path: Path, lang: Language = "nl"
) -> None:
    """Draw cost against coverage (all families, neediest fifth); non-dominated plans filled.

    Parameters
    ----------
    rows
        The sweep's rows (``cost``, ``dominated``, ``error`` and the four coverage shares);
        rows with an error are left out.
    scenario
        Name of the swept scenario, in the panels' titles.
    path
        The PNG file.
    lang
        ``nl`` or ``en``.
    """
    from matplotlib.figure import Figure  # noqa: PLC0415 - matplotlib only when a sweep plots

    rows = [row for row in rows if row["error"] is None]
    figure = Figure(figsize=(11, 4.6), layout="constrained")
    axes = figure.subplots(1, 2, sharey=True)
    cost = np.array([row["cost"] for row in rows], dtype=float) / 1e6
    free = np.array([not row["dominated"] for row in rows], dtype=bool)
    text = _PLOT_TEXT[lang]
    panels = (
        (text["all"], ("coverage_house", "coverage_frequent")),
        (text["neediest"], ("coverage_house_neediest", "coverage_frequent_neediest")),
    )
    styles = {"house": ("o", "#2c7fb8"), "frequent": ("s", "#e6550d")}
    for ax, (title, columns) in zip(axes, panels, strict=True):
        for column, (standard, (marker, colour)) in zip(columns, styles.items(), strict=True):
            share = np.array(
                [math.nan if row[column] is None else 100 * row[column] for row in rows]
            )
            order = np.argsort(cost, kind="stable")
            ax.plot(cost[order], share[order], color=colour, lw=0.8, alpha=0.5)
            label = text[standard]
            ax.scatter(
                cost[~free], share[~free], marker=marker, facecolors="none", edgecolors=colour
            )
            ax.scatter(
                cost[free],
                share[free],
                marker=marker,
                color=colour,
                edgecolors="black",
                label=f"{label}, {text['free']}",
            )
        ax.set_title(f"{scenario}: {title}")
        ax.set_xlabel(text["cost"])
        ax.grid(visible=True, alpha=0.3)
    axes[0].set_ylabel(text["reached"])
    axes[0].legend(loc="lower right", fontsize=8, title=text["hollow"], title_fontsize=8)
    figure.savefig(path, dpi=150, metadata={"Software": None})
