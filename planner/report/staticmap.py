"""Print-quality maps of a plan: ``map.png`` (A4 landscape, 300 dpi) and ``map.pdf`` (A4).

Drawn with matplotlib on its Agg and PDF backends (no pyplot, no display, no web tiles), with
the same need classes and colours as the interactive map (:mod:`planner.report.need_classes`):

* the sectors coloured by need in fifths of the families (:mod:`planner.report.need_classes`;
  the darkest is the neediest fifth the text speaks of), the uncovered sectors hatched (no
  house within :math:`R_H`) or outlined (no house or antenne within :math:`R_A`);
* the wijk boundaries when the plan's sectors have a ``wijk`` column;
* houses (squares) and antennes (dots), existing in black and new in orange, and a dashed
  line from every antenne to its house;
* a title with the key figures, a legend, a scale bar (matplotlib-scalebar), a north arrow
  and a line naming the data sources (``outputs.sources`` or the input files).

The same plan gives the same bytes: the PDF carries no creation date and the PNG no time.
Labels follow ``outputs.language`` (Dutch by default, English on request).
"""

from __future__ import annotations

import logging
import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib_scalebar.scalebar import ScaleBar

from planner.report.assets import (
    EXISTING_COLOUR,
    LINK_COLOUR,
    NEW_COLOUR,
    UNCOVERED_FREQUENT_COLOUR,
    UNCOVERED_HOUSE_COLOUR,
    WIJK_COLOUR,
    Language,
    counted,
    format_euro,
    headline_share,
    source_names,
    sources_line,
    standard_phrase,
)
from planner.report.need_classes import NeedClasses, need_classes
from planner.report.note_standards import common_phrase

if TYPE_CHECKING:
    from pathlib import Path

    import geopandas as gpd
    from matplotlib.axes import Axes

    from planner.results.plan import Plan

__all__ = ["A4_LANDSCAPE_IN", "DPI", "draw_static_map", "write_static_maps"]

logger = logging.getLogger(__name__)

A4_LANDSCAPE_IN = (297 / 25.4, 210 / 25.4)
"""Width and height of an A4 page lying down, in inches."""
DPI = 300
"""Resolution of ``map.png``."""

_LEGEND_WIDTH = 44  # characters per line of a legend label
_FALLBACK_CRS = "EPSG:3035"  # a metric CRS for plans stored in degrees
_WIJK_COLUMNS = ("wijk", "district")
_LABELS: dict[str, dict[str, str]] = {
    "nl": {
        "need": "Vijfden van de gezinnen, naar de\nkwetsbaarheidsindex van hun sector",
        "sites": "Locaties en bereik",
        "no_need": "geen gegevens",
        "house_existing": "Huis van het Kind (bestaand)",
        "house_new": "Huis van het Kind (nieuw)",
        "antenne_existing": "Antenne (bestaand)",
        "antenne_new": "Antenne (nieuw)",
        "link": "Antenne gekoppeld aan huis",
        "wijk": "Wijkgrens",
        "no_house": "Geen huis {standard}",
        "no_frequent": "Geen huis of antenne {standard}",
        "no_house_most": "De meeste gezinnen zonder huis {standard}",
        "no_frequent_most": "De meeste gezinnen zonder huis of antenne {standard}",
        "figures": (
            "{houses} ({houses_new} nieuw), {antennes} ({antennes_new} nieuw) · "
            "gezinnen met een huis {standard}: {house} "
            "(vijfde van de gezinnen in de meest kwetsbare sectoren: {house_neediest}) · "
            "kosten {cost}"
        ),
        "made": "Kaart: planner, scenario {name}",
    },
    "en": {
        "need": "Fifths of the families, by their\nsector's need index",
        "sites": "Sites and reach",
        "no_need": "no data",
        "house_existing": "Huis van het Kind (existing)",
        "house_new": "Huis van het Kind (new)",
        "antenne_existing": "Antenne (existing)",
        "antenne_new": "Antenne (new)",
        "link": "Antenne linked to its house",
        "wijk": "Wijk boundary",
        "no_house": "No house {standard}",
        "no_frequent": "No house or antenne {standard}",
        "no_house_most": "Most families without a house {standard}",
        "no_frequent_most": "Most families without a house or antenne {standard}",
        "figures": (
            "{houses} ({houses_new} new), {antennes} ({antennes_new} new) · "
            "families with a house {standard}: {house} "
            "(fifth of the families in the neediest sectors: {house_neediest}) · cost {cost}"
        ),
        "made": "Map: planner, scenario {name}",
    },
}


def _metric(gdf: gpd.GeoDataFrame, crs: Any) -> gpd.GeoDataFrame:  # noqa: ANN401 - a pyproj CRS
    return gdf if gdf.crs is None or gdf.crs == crs else gdf.to_crs(crs)


def _map_crs(sectors: gpd.GeoDataFrame) -> Any:  # noqa: ANN401 - a pyproj CRS
    """Return a CRS in metres to draw in: the plan's own, or ETRS89-LAEA for degrees."""
    crs = sectors.crs
    if crs is not None and crs.is_projected and crs.axis_info[0].unit_name in {"metre", "meter"}:
        return crs
    return _FALLBACK_CRS


def _wijken(sectors: gpd.GeoDataFrame) -> gpd.GeoDataFrame | None:
    for column in _WIJK_COLUMNS:
        if column in sectors.columns and sectors[column].notna().any():
            named = sectors[[column, sectors.geometry.name]].dropna(subset=[column])
            named = named.assign(**{column: named[column].astype(str)})
            return named.dissolve(by=column, as_index=False, sort=True)
    return None


def _draw_sectors(
    ax: Axes, sectors: gpd.GeoDataFrame, classes: NeedClasses, language: Language
) -> list[tuple[Any, str]]:
    """Draw the choropleth and the uncovered sectors; return legend handles."""
    sectors.plot(ax=ax, color=classes.fills(), edgecolor="#8a8a8a", linewidth=0.3)
    no_house = sectors[~sectors["covered_house"].to_numpy(dtype=bool)]
    if len(no_house):
        no_house.plot(
            ax=ax, facecolor="none", edgecolor=UNCOVERED_HOUSE_COLOUR, hatch="////", linewidth=0.9
        )
    no_frequent = sectors[~sectors["covered_frequent"].to_numpy(dtype=bool)]
    if len(no_frequent):
        no_frequent.plot(
            ax=ax,
            facecolor="none",
            edgecolor=UNCOVERED_FREQUENT_COLOUR,
            linestyle=":",
            linewidth=1.2,
        )
    return [
        (
            Patch(facecolor=colour, edgecolor="#555555", linewidth=0.5),
            textwrap.fill(label, width=_LEGEND_WIDTH),
        )
        for colour, label in classes.legend(language)
    ]


def _draw_sites(ax: Axes, sites: gpd.GeoDataFrame, links: gpd.GeoDataFrame) -> None:
    """Draw links, antennes and houses (houses on top)."""
    for line in links.geometry:
        xy = np.asarray(line.coords)
        ax.plot(xy[:, 0], xy[:, 1], color=LINK_COLOUR, linewidth=1.0, linestyle="--", zorder=4)
    role = sites["role"].to_numpy(dtype=str)
    existing = sites["existing"].to_numpy(dtype=bool)
    x, y = sites.geometry.x.to_numpy(), sites.geometry.y.to_numpy()
    for kind, marker, size in (("antenne", "o", 55), ("house", "s", 120)):
        for is_existing, colour in ((True, EXISTING_COLOUR), (False, NEW_COLOUR)):
            chosen = (role == kind) & (existing == is_existing)
            if chosen.any():
                ax.scatter(
                    x[chosen],
                    y[chosen],
                    s=size,
                    marker=marker,
                    c=colour,
                    edgecolors="white",
                    linewidths=1.2,
                    zorder=6 if kind == "house" else 5,
                )


def _site_handles(text: dict[str, str], sites: gpd.GeoDataFrame) -> list[tuple[Any, str]]:
    """Legend entries for the kinds of site the plan has (no "existing antenne" when none)."""

    def point(marker: str, colour: str, size: float) -> Line2D:
        return Line2D(
            [],
            [],
            linestyle="none",
            marker=marker,
            markersize=size,
            markerfacecolor=colour,
            markeredgecolor="white",
        )

    role = sites["role"].to_numpy(dtype=str)
    existing = sites["existing"].to_numpy(dtype=bool)
    entries = [
        ("house", True, point("s", EXISTING_COLOUR, 10), text["house_existing"]),
        ("house", False, point("s", NEW_COLOUR, 10), text["house_new"]),
        ("antenne", True, point("o", EXISTING_COLOUR, 8), text["antenne_existing"]),
        ("antenne", False, point("o", NEW_COLOUR, 8), text["antenne_new"]),
    ]
    handles: list[tuple[Any, str]] = [
        (handle, label)
        for kind, is_existing, handle, label in entries
        if bool(np.any((role == kind) & (existing == is_existing)))
    ]
    if bool(np.any(role == "antenne")):
        handles.append(
            (Line2D([], [], color=LINK_COLOUR, linestyle="--", linewidth=1.0), text["link"])
        )
    return handles


def _north_arrow(ax: Axes) -> None:
    ax.annotate(
        "N",
        xy=(0.04, 0.95),
        xytext=(0.04, 0.85),
        xycoords="axes fraction",
        textcoords="axes fraction",
        ha="center",
        va="center",
        fontsize=12,
        fontweight="bold",
        arrowprops={"facecolor": "black", "width": 4, "headwidth": 12, "headlength": 10},
    )


_WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "nl": {"house": ("huis", "huizen"), "antenne": ("antenne", "antennes")},
    "en": {"house": ("house", "houses"), "antenne": ("antenne", "antennes")},
}


def _wrap(label: str) -> str:
    """Wrap a long legend label (a standard with its tightening) over lines of the legend."""
    return textwrap.fill(label, width=42)


def _figures_line(plan: Plan, text: dict[str, str], language: Language) -> str:
    summary = plan.summary
    cost = summary.get("cost")
    line = text["figures"].format(
        houses=counted(summary.get("houses", "-"), *_WORDS[language]["house"]),
        houses_new=summary.get("houses_new", "-"),
        antennes=counted(summary.get("antennes", "-"), *_WORDS[language]["antenne"]),
        antennes_new=summary.get("antennes_new", "-"),
        standard=standard_phrase(summary.get("standards_min", {}), "house", language),
        house=headline_share(summary, "house", language),
        house_neediest=headline_share(summary, "house_neediest_quintile", language),
        cost="-" if cost is None else format_euro(float(cost), language),
    )
    common = common_phrase(summary, language)
    return f"{line} · {common}" if common else line


def draw_static_map(plan: Plan, language: Language | None = None) -> Figure:
    """Draw a plan on an A4 landscape page.

    Parameters
    ----------
    plan
        The plan: sectors (need, coverage, wijk when present), sites (role), links, summary.
    language
        ``nl`` or ``en``; None takes ``outputs.language`` of the plan's scenario.

    Returns
    -------
    matplotlib.figure.Figure
        The figure (not attached to pyplot), 297 x 210 mm.
    """
    scenario = plan.scenario
    language = language or scenario.outputs.language
    text = _LABELS[language]
    crs = _map_crs(plan.sectors)
    sectors = _metric(plan.sectors, crs)
    sites = _metric(plan.sites, crs)
    links = _metric(plan.links, crs)
    figure = Figure(figsize=A4_LANDSCAPE_IN, dpi=DPI)
    ax = figure.add_axes((0.03, 0.07, 0.66, 0.78))
    classes = need_classes(sectors)
    need_handles = _draw_sectors(ax, sectors, classes, language)
    wijken = _wijken(sectors)
    extra: list[tuple[Any, str]] = []
    if wijken is not None:
        wijken.boundary.plot(ax=ax, color=WIJK_COLOUR, linewidth=1.6, zorder=3)
        extra.append((Line2D([], [], color=WIJK_COLOUR, linewidth=1.6), text["wijk"]))
    _draw_sites(ax, sites, links)
    standards = plan.summary.get("standards_min", {})
    # with demand points a sector is hatched when most of its families are beyond the standard
    points = plan.summary.get("demand_points", {}).get("method", "sector") != "sector"
    most = "_most" if points else ""
    extra += [
        (
            Patch(facecolor="none", edgecolor=UNCOVERED_HOUSE_COLOUR, hatch="////"),
            _wrap(
                text[f"no_house{most}"].format(
                    standard=standard_phrase(standards, "house", language)
                )
            ),
        ),
        (
            Patch(facecolor="none", edgecolor=UNCOVERED_FREQUENT_COLOUR, linestyle=":"),
            _wrap(
                text[f"no_frequent{most}"].format(
                    standard=standard_phrase(standards, "frequent", language)
                )
            ),
        ),
    ]
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.add_artist(ScaleBar(1.0, units="m", location="lower left", box_alpha=0.8))
    _north_arrow(ax)
    legend_ax = figure.add_axes((0.71, 0.07, 0.27, 0.78))
    legend_ax.set_axis_off()
    blank = Patch(visible=False)
    handles = [
        *need_handles,
        (blank, ""),
        (blank, text["sites"]),
        *_site_handles(text, sites),
        *extra,
    ]
    legend_ax.legend(
        [h for h, _ in handles],
        [label for _, label in handles],
        title=text["need"],
        loc="upper left",
        frameon=False,
        fontsize=9,
        title_fontsize=9.5,
        alignment="left",
    )
    figure.text(0.03, 0.95, scenario.label(), fontsize=18, fontweight="bold", va="top")
    figure.text(
        0.03,
        0.905,
        textwrap.fill(_figures_line(plan, text, language), width=120),
        fontsize=10,
        va="top",
    )
    names = source_names(scenario.outputs.sources, scenario.input_paths())
    # Wrapped so that a long list of sources never runs into the line on the right.
    figure.text(
        0.03,
        0.015,
        textwrap.fill(sources_line(names, language), width=125),
        fontsize=8,
        color="#444444",
        va="bottom",
    )
    figure.text(
        0.98,
        0.015,
        text["made"].format(name=scenario.name),
        fontsize=8,
        color="#444444",
        ha="right",
        va="bottom",
    )
    return figure


def write_static_maps(plan: Plan, folder: Path) -> dict[str, Path]:
    """Write ``map.png`` (A4 landscape, 300 dpi) and ``map.pdf`` (A4) of a plan.

    Parameters
    ----------
    plan
        The plan to draw.
    folder
        Where to write; existing files are replaced.

    Returns
    -------
    dict
        Paths by file name.
    """
    figure = draw_static_map(plan)
    paths = {"map.png": folder / "map.png", "map.pdf": folder / "map.pdf"}
    figure.savefig(paths["map.png"], dpi=DPI, metadata={"Software": None})
    figure.savefig(
        paths["map.pdf"],
        metadata={"CreationDate": None, "ModDate": None, "Creator": "planner"},
    )
    width, height = (round(DPI * side) for side in A4_LANDSCAPE_IN)
    logger.info(
        f"Wrote map.png ({width} x {height} px, {DPI} dpi) and map.pdf (A4) for "
        f"{len(plan.sectors)} sectors"
    )
    return paths
