"""The web map's region parts: municipal boundaries and the approximations' legend.

:func:`add_municipality_layer` draws the municipal boundaries of a region (the sectors
dissolved by the municipality of their Statbel code, the first five characters) with a tooltip
of the municipality's figures from ``summary["municipalities"]``. :func:`region_legend_html`
is a small box beside the legend that says what the map approximates: straight-line travel
("hemelsbreed x 1,3", with a multiplication sign) and Voronoi sectors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import folium
import shapely
from folium import GeoJsonTooltip

from planner.report.webmap_layers import to_wgs84
from planner.report.webmap_text import escape_text, number, share

if TYPE_CHECKING:
    from planner.results.plan import Plan

__all__ = ["MUNICIPALITY_COLOUR", "add_municipality_layer", "region_legend_html"]

MUNICIPALITY_COLOUR = "#222222"
"""Colour of the municipal boundaries."""

_BOX_CSS = (
    "position: fixed; bottom: 60px; left: 10px; z-index: 1000; background: white; "
    "padding: 6px 10px; border: 1px solid #999; border-radius: 4px; font: 12px sans-serif; "
    "max-width: 320px;"
)


def _tooltip(code: str, row: dict[str, Any]) -> str:
    name = f"{row['name']} ({code})" if row.get("name") else code
    return (
        f"{escape_text(name)}: {number(float(row['families']))} gezinnen; huis binnen de norm "
        f"{share(row.get('coverage_house'))}, frequent {share(row.get('coverage_frequent'))}; "
        f"{row['houses']} huizen, {row['antennes']} antennes; over de grens bediend: "
        f"{number(float(row['served_across_border']))} gezinnen"
    )


def add_municipality_layer(fmap: folium.Map, plan: Plan) -> int:
    """Add the municipal boundaries of a region; return how many (0: one municipality).

    Parameters
    ----------
    fmap
        The map.
    plan
        The plan (its sectors, and ``summary["municipalities"]``).

    Returns
    -------
    int
        The number of municipalities drawn.
    """
    table = plan.summary.get("municipalities") or {}
    if len(table) < 2:
        return 0
    sectors = plan.sectors[["sector_id", plan.sectors.geometry.name]]
    sectors = sectors.assign(municipality=sectors["sector_id"].astype(str).str[:5])
    dissolved = to_wgs84(sectors.dissolve(by="municipality", as_index=False, sort=True), "sectors")
    features = [
        {
            "type": "Feature",
            "id": f"m{k}",
            "properties": {"municipality": _tooltip(code, table.get(code, {}))},
            "geometry": shapely.geometry.mapping(geometry),
        }
        for k, (code, geometry) in enumerate(
            zip(dissolved["municipality"], dissolved.geometry, strict=True)
        )
        if code in table
    ]
    group = folium.FeatureGroup(name=f"Gemeenten ({len(features)})")
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        style_function=lambda _: {"color": MUNICIPALITY_COLOUR, "weight": 4, "fillOpacity": 0.0},
        tooltip=GeoJsonTooltip(fields=["municipality"], labels=False),
    ).add_to(group)
    group.add_to(fmap)
    return len(features)


def region_legend_html(plan: Plan, municipalities: int) -> str:
    """Return the box that states the map's approximations and boundaries (empty: none).

    Parameters
    ----------
    plan
        The plan (its ``summary``: ``travel_model`` and notes).
    municipalities
        How many municipal boundaries the map draws.

    Returns
    -------
    str
        An HTML ``div``.
    """
    summary = plan.summary
    rows = []
    model = summary.get("travel_model")
    if isinstance(model, dict) and model.get("model") == "straight_line":
        rows.append(
            f"Reistijden: <b>{escape_text(model.get('label_nl', ''))}</b> (benadering: "
            "afstand in vogelvlucht maal de factor, geen stratennet)"
        )
    if any("Voronoi cells" in str(note) for note in summary.get("notes", [])):
        rows.append(
            "Sectorgrenzen <b>benaderd</b>: Voronoi-cellen rond de Statbel-sectorcentroïden"
        )
    if municipalities:
        rows.append(
            f'<span style="display:inline-block;width:18px;border-top:4px solid '
            f'{MUNICIPALITY_COLOUR};vertical-align:middle"></span> Gemeentegrens '
            f"({municipalities} gemeenten)"
        )
    if not rows:
        return ""
    body = "".join(f"<div>{row}</div>" for row in rows)
    return f'<div class="planner-region" style="{_BOX_CSS}">{body}</div>'
