"""The map of ``planner flanders``: every municipality coloured by its plan's reach.

One layer per budget (the first shown): each municipality of the boundary file is coloured by
the share of its families within the house standard in its plan, in five classes of 20
percentage points; a municipality without a plan is grey and its tooltip says why. The
tooltip gives the municipality's figures. The page carries Leaflet inline and loads nothing
from the web; its bytes are the same for the same rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import folium
import shapely
from folium import GeoJsonTooltip

from planner.data.region import municipal_boundaries
from planner.report.assets import NEED_COLOURS, NO_NEED_COLOUR, format_number, format_share
from planner.report.webmap import offline_map, page_html
from planner.report.webmap_layers import to_wgs84
from planner.report.webmap_text import escape_text

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

__all__ = ["flanders_map_html"]

_SIMPLIFY_M = 50.0
"""Boundaries are simplified to this tolerance (metres) before drawing: the page stays small."""

_CSS = (
    "<style>.planner-flanders-box {position: fixed; z-index: 1000; background: white; "
    "padding: 6px 10px; border: 1px solid #999; border-radius: 4px; font: 12px sans-serif;}"
    "</style>"
)


def _colour(share: float | None) -> str:
    if share is None:
        return NO_NEED_COLOUR
    return NEED_COLOURS[min(int(share * 5), 4)]


def _tooltip(row: dict[str, Any]) -> str:
    name = f"{row['name']} ({row['nis']})"
    if row.get("error"):
        return f"{escape_text(name)}: geen plan: {escape_text(row['error'])[:300]}"
    approx = " (sectoren benaderd)" if row.get("sector_geometry") == "voronoi" else ""
    return escape_text(
        f"{name}{approx}: {format_number(float(row.get('families') or 0))} gezinnen; "
        f"{row.get('houses')} huizen, {row.get('antennes')} antennes, "
        f"€ {format_number(float(row.get('cost') or 0))}; huis binnen de norm "
        f"{format_share(row.get('coverage_house'), 0)}, frequent aanbod "
        f"{format_share(row.get('coverage_frequent'), 0)}; de meest kwetsbare vijfde "
        f"{format_share(row.get('coverage_house_neediest'), 0)} / "
        f"{format_share(row.get('coverage_frequent_neediest'), 0)}"
    )


def _legend(failed: int, travel: str) -> str:
    rows = "".join(
        f'<div><span style="background:{colour};display:inline-block;width:14px;height:10px;'
        f'margin-right:6px"></span>{20 * k}&ndash;{20 * (k + 1)} %</div>'
        for k, colour in enumerate(NEED_COLOURS)
    )
    grey = (
        f'<div><span style="background:{NO_NEED_COLOUR};display:inline-block;width:14px;'
        f'height:10px;margin-right:6px"></span>geen plan ({failed})</div>'
        if failed
        else ""
    )
    return (
        '<div class="planner-flanders-box" style="bottom: 30px; right: 10px;">'
        "<b>Gezinnen binnen de norm voor een huis</b>"
        f"{rows}{grey}<div>Reistijd: {escape_text(travel)}; gemeenten van 2024</div></div>"
    )


def flanders_map_html(rows: Sequence[dict[str, Any]], boundaries: Path, travel: str) -> str:
    """Draw every municipality's plan on one page.

    Parameters
    ----------
    rows
        The rows of :func:`planner.workflows.flanders.run_flanders` (``nis``, ``name``,
        ``budget``, the figures, ``error``).
    boundaries
        The municipal boundary layer the municipalities come from.
    travel
        How travel times were computed, in Dutch (``te voet, hemelsbreed x 1,3``).

    Returns
    -------
    str
        The HTML page.
    """
    layer = municipal_boundaries(boundaries)
    planned = {str(row["nis"]) for row in rows}
    layer = layer[layer["municipality"].astype(str).isin(planned)].sort_values("municipality")
    layer = layer.set_geometry(layer.geometry.simplify(_SIMPLIFY_M))
    shapes = to_wgs84(layer, "municipal boundaries")
    west, south, east, north = (float(v) for v in shapes.total_bounds)
    fmap = offline_map(((south + north) / 2, (west + east) / 2))
    geometry = dict(zip(shapes["municipality"].astype(str), shapes.geometry, strict=True))
    budgets = sorted({row["budget"] for row in rows}, key=lambda b: (b is None, b or 0.0))
    for number, budget in enumerate(budgets):
        chosen = [row for row in rows if row["budget"] == budget and str(row["nis"]) in geometry]
        features = [
            {
                "type": "Feature",
                "id": f"b{number}m{k}",
                "properties": {
                    "colour": _colour(None if row.get("error") else row.get("coverage_house")),
                    "tip": _tooltip(row),
                },
                "geometry": shapely.geometry.mapping(geometry[str(row["nis"])]),
            }
            for k, row in enumerate(chosen)
        ]
        label = "budget uit het scenario" if budget is None else f"€ {format_number(budget)}"
        group = folium.FeatureGroup(
            name=f"Budget per gemeente: {label}", overlay=False, show=number == 0
        )
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features},
            style_function=lambda feature: {
                "color": "#444444",
                "weight": 1,
                "fillColor": feature["properties"]["colour"],
                "fillOpacity": 0.75,
            },
            tooltip=GeoJsonTooltip(fields=["tip"], labels=False),
        ).add_to(group)
        group.add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    failed = len({row["nis"] for row in rows if row.get("error")})
    root = fmap.get_root()
    root.header.add_child(folium.Element(_CSS))  # type: ignore[attr-defined]
    root.html.add_child(folium.Element(_legend(failed, travel)))  # type: ignore[attr-defined]
    root.html.add_child(  # type: ignore[attr-defined]
        folium.Element(
            '<div class="planner-flanders-box" style="top: 10px; left: 50px;">'
            f"<b>Huizen van het Kind: {len(planned)} Vlaamse gemeenten, elk op zich gepland</b>"
            "</div>"
        )
    )
    root.title = "Huizen van het Kind - Vlaanderen"  # type: ignore[attr-defined]
    fmap.fit_bounds([[south, west], [north, east]])
    return page_html(fmap)
