"""The interactive web map of a plan (``map.html``), drawn with folium on Leaflet.

With :mod:`planner.report.webmap_layers`, the only module that imports folium. The map
shows, each in its own layer that the layer control switches on and off:

* the sectors coloured by need in five classes that each hold about a fifth of the families
  (:mod:`planner.report.need_classes`); the darkest is exactly the neediest fifth that the
  title and the note speak of, and the legend gives each class's sectors, share of the
  families and range of the need index;
* the catchments: every sector filled with the colour of the house it is served from, and
  (hidden at first) of the house or antenne that offers its frequent services;
* the wijk boundaries, dissolved from the sectors, when the plan's sectors have a ``wijk``
  column (no layer otherwise);
* the sectors without a house within the house standard :math:`R_H` (red, dashed) and those
  without a house or antenne within the frequent-service standard :math:`R_A` (magenta,
  dotted);
* the houses (square markers with an ``H``) and antennes (round dots), existing ones in black
  and new ones in orange, and the candidate sites left closed (grey, hidden at first);
* a line from every antenne to the house it is linked to.

Popups give the figures of a sector (families, need, travel times, coverage, serving sites) or
a site (type, role, co-location with a school, childcare or consultatiebureau, linked house,
cost); a title bar gives the key figures of the plan and a legend explains the symbols.
Labels are in Dutch, the planners' working language.

Markers are drawn with Leaflet's own features (``L.divIcon``, ``L.circleMarker``) and popups
are bound without jQuery, so the page needs Leaflet and nothing else: by default Leaflet is
loaded from its CDN; with ``outputs.offline`` its JavaScript and CSS are written into the page
(read from the installed ``xstatic-leaflet`` package, see :mod:`planner.report.assets`) and the page
loads nothing from the web. Base tiles are optional (``outputs.tiles``).

Every text that comes from the data (names, ids, types) is HTML-escaped, and the characters
that would break out of folium's JavaScript template strings (backtick, ``$``, backslash) are
written as character references, so a sector called ``<script>`` shows as text.

folium names every element with a random id; :func:`map_html` renumbers them in order of
appearance, so the same plan always gives a byte-identical ``map.html``. The layers are drawn
in :mod:`planner.report.webmap_layers`, the labels and escaping are in
:mod:`planner.report.webmap_text`; this module adds the title, legend, assets and tiles.
"""

from __future__ import annotations

import logging
import math
import re
from typing import TYPE_CHECKING, Any

import folium
from branca.element import Figure

from planner.report.assets import (
    CLOSED_COLOUR,
    EXISTING_COLOUR,
    LINK_COLOUR,
    NEW_COLOUR,
    UNCOVERED_FREQUENT_COLOUR,
    UNCOVERED_HOUSE_COLOUR,
    WIJK_COLOUR,
    counted,
    headline_share,
    leaflet_css,
    leaflet_js,
)
from planner.report.need_classes import need_classes
from planner.report.note_standards import common_phrase
from planner.report.webmap_layers import (
    WIJK_COLUMNS,
    add_links,
    add_point_layer,
    add_sector_layers,
    add_site_layers,
    add_wijk_layer,
    catchment_colours,
    sector_features,
    to_wgs84,
)
from planner.report.webmap_phases import add_phase_layers
from planner.report.webmap_region import add_municipality_layer, region_legend_html
from planner.report.webmap_text import escape_text, euro, share, standard_label

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from planner.report.need_classes import NeedClasses
    from planner.results.plan import Plan
    from planner.scenario import Scenario

__all__ = [
    "LEAFLET_CDN",
    "WIJK_COLUMNS",
    "build_map",
    "map_html",
    "offline_map",
    "page_html",
    "write_map",
]

logger = logging.getLogger(__name__)

LEAFLET_CDN = (
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css",
)
"""Where an online map loads Leaflet from (the version ``xstatic-leaflet`` bundles offline)."""

_INLINE_MARK = "<!-- planner:leaflet-inline -->"
_WEB_TILES = (
    ("OpenStreetMap", "OpenStreetMap"),
    ("Esri.WorldGrayCanvas", "Grijze achtergrond (Esri)"),
)
_ID_PATTERN = re.compile(r"(?<=_)[0-9a-f]{32}(?![0-9a-f])")
_CSS = """
<style>
html, body {margin: 0; padding: 0; width: 100%; height: 100%;}
.leaflet-container {background: #f4f4f2;}
.planner-title {position: fixed; top: 10px; left: 56px; right: 530px; min-width: 240px;
  z-index: 1000;
  background: rgba(255, 255, 255, 0.92); padding: 6px 12px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0, 0, 0, 0.3); font: 14px/1.4 sans-serif;}
.planner-title .planner-name {font-size: 16px; font-weight: bold;}
.planner-legend {position: fixed; bottom: 30px; right: 10px; z-index: 1000;
  background: rgba(255, 255, 255, 0.92); padding: 8px 10px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0, 0, 0, 0.3); font: 12px/1.5 sans-serif; max-width: 290px;}
.planner-legend h4 {margin: 6px 0 2px; font-size: 12px;}
.planner-legend .row {display: flex; align-items: center; gap: 6px;}
.planner-legend .swatch {display: inline-block; width: 18px; height: 12px; flex: none;
  box-sizing: border-box;}
.planner-legend .dot {display: inline-block; width: 12px; height: 12px; flex: none;
  border-radius: 50%; border: 2px solid white; box-shadow: 0 0 0 1px #777;}
.planner-house {width: 18px; height: 18px; border: 2px solid white; border-radius: 3px;
  box-shadow: 0 0 0 1px #333, 0 1px 3px rgba(0, 0, 0, 0.5); color: white;
  font: bold 12px/18px sans-serif; text-align: center;}
.planner-legend .planner-house {display: inline-block; flex: none; width: 14px; height: 14px;
  font-size: 10px; line-height: 14px;}
.planner-popup th {text-align: left; padding-right: 8px; font-weight: normal; color: #555;}
</style>
"""


# --- title and legend -------------------------------------------------------------------------


def _status_label(summary: Mapping[str, Any]) -> str:
    if summary.get("proven_optimal"):
        return "bewezen optimaal"
    gap = summary.get("gap")
    shown = "onbekend" if gap is None or not math.isfinite(float(gap)) else share(float(gap))
    return f"niet bewezen optimaal (afstand tot de grens {shown})"


def _title_html(plan: Plan) -> str:
    """Write the title bar: scenario name and the plan's key figures."""
    role = plan.sites["role"].to_numpy(dtype=str)
    new = ~plan.sites["existing"].to_numpy(dtype=bool)
    houses, antennes = role == "house", role == "antenne"
    summary = plan.summary
    coverage = summary.get("coverage", {})
    cost, budget = summary.get("cost"), summary.get("budget")
    money = (
        f" &middot; kosten {euro(float(cost))} van {euro(float(budget))}"
        if cost is not None and budget is not None
        else ""
    )
    common = common_phrase(summary, "nl")
    common = f"{escape_text(common)} &middot; " if common else ""
    neediest = coverage.get("house_neediest_quintile")
    neediest_text = (  # each share to the precision its range supports (summary["precision"])
        " (vijfde van de gezinnen in de meest kwetsbare sectoren: "
        f"{headline_share(summary, 'house_neediest_quintile')})"
        if neediest is not None
        else ""
    )
    return (
        '<div class="planner-title">'
        f'<span class="planner-name">{escape_text(plan.scenario.label())}</span> &middot; '
        f"{counted(int(houses.sum()), 'huis', 'huizen')} ({(houses & new).sum()} nieuw) &middot; "
        f"{counted(int(antennes.sum()), 'antenne', 'antennes')} ({(antennes & new).sum()} nieuw)"
        " &middot; "
        f"gezinnen met een huis binnen de norm: {headline_share(summary, 'house')}"
        f"{neediest_text} &middot; {common}"
        f"met frequent aanbod binnen de norm: {headline_share(summary, 'frequent')}"
        f"{money} &middot; {_status_label(summary)}</div>"
    )


def _legend_row(kind: str, style: str, label: str, inner: str = "") -> str:
    return f'<div class="row"><span class="{kind}" style="{style}">{inner}</span>{label}</div>'


def _legend_html(
    scenario: Scenario, classes: NeedClasses, wijken: int, *, points: bool = False
) -> str:
    """Write the legend: need classes, site symbols, links, wijken and uncovered sectors.

    With demand points a sector is outlined when some of its families are beyond a standard,
    and filled the more of them are.
    """
    house_standard = standard_label(scenario.standards.house_min, scenario, "house")
    frequent_standard = standard_label(scenario.standards.frequent_min, scenario, "frequent")
    states = ((EXISTING_COLOUR, "bestaand"), (NEW_COLOUR, "nieuw"))
    wijk_row = (
        [_legend_row("swatch", f"border-top:3px solid {WIJK_COLOUR};height:3px", "Wijkgrens")]
        if wijken
        else []
    )
    rows = [
        '<div class="planner-legend">',
        f"<h4>{escape_text(classes.title('nl'))}</h4>",
        *(
            _legend_row("swatch", f"background:{colour};border:1px solid #555", escape_text(label))
            for colour, label in classes.legend("nl")
        ),
        "<h4>Locaties</h4>",
        *(
            _legend_row(
                "planner-house", f"background:{colour}", f"Huis van het Kind ({state})", "H"
            )
            for colour, state in states
        ),
        *(
            _legend_row("dot", f"background:{colour}", f"Antenne ({state})")
            for colour, state in states
        ),
        _legend_row(
            "dot", f"background:{CLOSED_COLOUR};width:8px;height:8px", "Niet geopende kandidaat"
        ),
        _legend_row(
            "swatch",
            f"border-top:2px dashed {LINK_COLOUR};height:2px",
            "Antenne gekoppeld aan huis",
        ),
        *wijk_row,
        "<h4>Niet (of deels) bereikt</h4>" if points else "<h4>Niet bereikt</h4>",
        _legend_row(
            "swatch",
            f"border:3px dashed {UNCOVERED_HOUSE_COLOUR};background:rgba(227,26,28,0.15)",
            f"geen huis binnen {house_standard}",
        ),
        _legend_row(
            "swatch",
            f"border:3px dotted {UNCOVERED_FREQUENT_COLOUR}",
            f"geen huis of antenne binnen {frequent_standard}",
        ),
        *(
            [
                (
                    '<div class="row">voller gekleurd: meer gezinnen van de sector buiten de '
                    "norm; laag Vraagpunten: waar de gezinnen geteld zijn</div>"
                )
            ]
            if points
            else []
        ),
        "</div>",
    ]
    return "".join(rows)


# --- assets and tiles -------------------------------------------------------------------------


def _tile_layers(tiles: str | None, offline: bool) -> list[tuple[str, str]]:
    """Return the base tile layers (folium name or URL, label) the map gets."""
    if tiles is None or tiles.strip().lower() in {"", "none"}:
        return []
    if tiles == "auto":
        return [] if offline else list(_WEB_TILES)
    return [(tiles, "Achtergrond")]


def _add_tiles(fmap: folium.Map, tiles: list[tuple[str, str]]) -> None:
    for source, label in tiles:
        attr = f"Achtergrond: {escape_text(source)}" if "{" in source else None
        folium.TileLayer(source, name=label, attr=attr).add_to(fmap)


def _set_assets(fmap: folium.Map, root: Figure, offline: bool) -> None:
    """Load only Leaflet: from its CDN, or (offline) inline, replacing folium's defaults.

    folium loads jQuery, Bootstrap, Font Awesome and Leaflet.awesome-markers for every map;
    this map uses none of them.
    """
    if offline:
        fmap.default_js = []
        fmap.default_css = []
        root.header.add_child(folium.Element(_INLINE_MARK), name="planner_leaflet")
    else:
        fmap.default_js = [("leaflet", LEAFLET_CDN[0])]
        fmap.default_css = [("leaflet_css", LEAFLET_CDN[1])]


# --- public API -------------------------------------------------------------------------------


def build_map(
    plan: Plan, *, offline: bool | None = None, tiles: str | None = "scenario"
) -> folium.Map:
    """Draw a plan as an interactive folium map.

    Parameters
    ----------
    plan
        The plan: its sectors (with need, travel times, coverage and, when present, wijk),
        sites (with role), antenne-house links, summary and scenario.
    offline
        Write Leaflet into the page instead of loading it from the web; None takes
        ``outputs.offline`` of the plan's scenario. Use :func:`map_html` to get the page: the
        inline assets are put in while rendering.
    tiles
        Base tiles (see ``outputs.tiles``): ``"auto"``, None for none, a provider name or URL;
        ``"scenario"`` (the default) takes ``outputs.tiles`` of the plan's scenario.

    Returns
    -------
    folium.Map
        The map, fitted to the sectors. Render it once (folium adds elements while rendering);
        use :func:`map_html` for deterministic HTML.

    Raises
    ------
    DataError
        When a layer of the plan has no CRS.
    """
    outputs = plan.scenario.outputs
    offline = outputs.offline if offline is None else offline
    tiles = outputs.tiles if tiles == "scenario" else tiles
    sectors = to_wgs84(plan.sectors, "sectors")
    sites = to_wgs84(plan.sites, "sites")
    links = to_wgs84(plan.links, "links")
    site_names = dict(zip(sites["site_id"].astype(str), sites["name"].astype(str), strict=True))
    west, south, east, north = (float(v) for v in sectors.total_bounds)
    fmap = folium.Map(
        location=((south + north) / 2, (west + east) / 2),
        zoom_start=13,
        tiles=None,
        control_scale=True,
    )
    root = fmap.get_root()
    if not isinstance(root, Figure):  # pragma: no cover - folium always roots a map in a Figure
        raise TypeError(f"folium map is rooted in a {type(root).__name__}, not a Figure")
    root.title = f"{escape_text(plan.scenario.label())} - Huizen van het Kind"
    _set_assets(fmap, root, offline)
    _add_tiles(fmap, _tile_layers(tiles, offline))
    classes = need_classes(sectors)
    features = sector_features(sectors, site_names, classes, catchment_colours(sites))
    add_sector_layers(fmap, sectors, plan.scenario, features)
    wijken = add_wijk_layer(fmap, plan.sectors)
    points = getattr(plan, "points", None)  # plans made before demand points have none
    modes = _mode_figures(plan.summary)  # several modes: a point layer per mode, even by sector
    by_sector = plan.summary.get("demand_points", {}).get("method") == "sector"
    if points is not None and (modes is not None or not by_sector):
        add_point_layer(fmap, to_wgs84(points, "demand points"), modes)
    municipalities = add_municipality_layer(fmap, plan)
    add_links(fmap, links, site_names)
    add_site_layers(fmap, sites, site_names)
    add_phase_layers(fmap, sites, plan.summary)
    folium.LayerControl(collapsed=False).add_to(fmap)
    root.html.add_child(folium.Element(region_legend_html(plan, municipalities)))
    root.header.add_child(folium.Element(_CSS))
    root.html.add_child(folium.Element(_title_html(plan)))
    by_point = plan.summary.get("demand_points", {}).get("method", "sector") != "sector"
    root.html.add_child(
        folium.Element(_legend_html(plan.scenario, classes, wijken, points=by_point))
    )
    fmap.fit_bounds([[south, west], [north, east]])
    return fmap


def _mode_figures(summary: Mapping[str, Any]) -> dict[str, dict[str, Any]] | None:
    """Merge each mode's share and house standard with its coverage (None: one mode)."""
    block = summary.get("modes") or {}
    modes, coverage = block.get("modes") or {}, block.get("coverage_by_mode") or {}
    if len(modes) < 2:
        return None
    return {name: {**spec, **coverage.get(name, {})} for name, spec in modes.items()}


def map_html(plan: Plan, *, offline: bool | None = None, tiles: str | None = "scenario") -> str:
    """Render a plan's map as a standalone HTML page, the same bytes for the same plan.

    folium gives every element a random 32-hex-digit id; they are renumbered in order of
    first appearance (``map_000001``, ...), which is the same for the same plan. An offline
    page gets Leaflet's CSS and JavaScript written into its head.

    Parameters
    ----------
    plan
        The plan to draw.
    offline
        As in :func:`build_map`.
    tiles
        As in :func:`build_map`.

    Returns
    -------
    str
        The HTML page.
    """
    return page_html(build_map(plan, offline=offline, tiles=tiles))


def page_html(fmap: folium.Map) -> str:
    """Render a folium map as a standalone page, the same bytes for the same map.

    folium's random element ids are renumbered in order of first appearance; Leaflet is
    written into the head when the map was built offline.

    Parameters
    ----------
    fmap
        A map built here (its assets set by ``_set_assets``).

    Returns
    -------
    str
        The HTML page.
    """
    rendered = fmap.get_root().render()
    numbers: dict[str, str] = {}

    def renumber(match: re.Match[str]) -> str:
        return numbers.setdefault(match.group(0), f"{len(numbers) + 1:06d}")

    page = _ID_PATTERN.sub(renumber, rendered)
    if _INLINE_MARK in page:
        inline = f"<style>\n{leaflet_css()}\n</style>\n<script>\n{leaflet_js()}\n</script>"
        page = page.replace(_INLINE_MARK, inline, 1)
    return page


def offline_map(location: tuple[float, float], zoom: int = 8) -> folium.Map:
    """Make a folium map without tiles that carries Leaflet inline (see :func:`page_html`).

    Parameters
    ----------
    location
        Its centre (latitude, longitude).
    zoom
        Its first zoom level.

    Returns
    -------
    folium.Map
        The map; render it with :func:`page_html`.
    """
    fmap = folium.Map(location=location, zoom_start=zoom, tiles=None, control_scale=True)
    root = fmap.get_root()
    if not isinstance(root, Figure):  # pragma: no cover - folium always roots a map in a Figure
        raise TypeError(f"folium map is rooted in a {type(root).__name__}, not a Figure")
    _set_assets(fmap, root, offline=True)
    return fmap


def write_map(plan: Plan, path: Path) -> None:
    """Write a plan's interactive map to an HTML file (offline and tiles as the scenario says).

    Parameters
    ----------
    plan
        The plan to draw.
    path
        The HTML file to write (UTF-8); replaced when it exists.
    """
    page = map_html(plan)
    path.write_text(page, encoding="utf-8")
    logger.info(
        f"Wrote map {path.name} ({len(page) / 1024:,.0f} KB"
        f"{', offline' if plan.scenario.outputs.offline else ''}): {len(plan.sectors)} sectors, "
        f"{len(plan.sites)} sites, {len(plan.links)} links"
    )
