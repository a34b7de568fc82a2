"""The interactive web map of a plan (``map.html``), drawn with folium on Leaflet.

This is the only module of the package that imports folium. The map shows, each in its own
layer that the layer control switches on and off:

* the sectors coloured by need index in five quantile classes (about as many sectors in
  each; the legend gives the class edges);
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
appearance, so the same plan always gives a byte-identical ``map.html``.
"""

from __future__ import annotations

import html
import json
import logging
import math
import re
from typing import TYPE_CHECKING, Any

import folium
import geopandas as gpd
import jinja2
import numpy as np
import pandas as pd
import shapely
from branca.element import Figure, MacroElement
from folium.features import GeoJsonPopup, GeoJsonTooltip

from planner.errors import DataError
from planner.report.assets import (
    CLOSED_COLOUR,
    EXISTING_COLOUR,
    LINK_COLOUR,
    NEW_COLOUR,
    NO_NEED_COLOUR,
    UNCOVERED_FREQUENT_COLOUR,
    UNCOVERED_HOUSE_COLOUR,
    WIJK_COLOUR,
    catchment_colour,
    class_colours,
    counted,
    format_number,
    format_share,
    leaflet_css,
    leaflet_js,
    need_class,
    need_classes,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

    from planner.results.plan import Plan
    from planner.scenario import Scenario

__all__ = ["LEAFLET_CDN", "WIJK_COLUMNS", "build_map", "map_html", "write_map"]

logger = logging.getLogger(__name__)

LEAFLET_CDN = (
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css",
)
"""Where an online map loads Leaflet from (the version ``xstatic-leaflet`` bundles offline)."""
WIJK_COLUMNS = ("wijk", "district")
"""Sector columns read as the wijk (the first one present); no wijk layer without one."""

_COORDINATE_DECIMALS = 6  # degrees: about 0.1 m
_INLINE_MARK = "<!-- planner:leaflet-inline -->"
_WEB_TILES = (
    ("OpenStreetMap", "OpenStreetMap"),
    ("Esri.WorldGrayCanvas", "Grijze achtergrond (Esri)"),
)

_MODE_LABELS = {"walk": "te voet", "bike": "met de fiets", "car": "met de auto"}
_ROLE_LABELS = {"house": "Huis van het Kind", "antenne": "antenne", "closed": "niet geopend"}
_TYPE_LABELS = {
    "school": "school",
    "library": "bibliotheek",
    "community_centre": "buurtcentrum",
    "childcare": "kinderopvang",
    "consultatiebureau": "consultatiebureau",
    "vacant_building": "leegstaand gebouw",
}
_COLOCATION_LABELS = (
    ("site_type", "Soort locatie"),
    ("is_school", "Op een school"),
    ("is_childcare", "Bij kinderopvang"),
    ("is_consultatiebureau", "Bij een consultatiebureau"),
    ("colocation", "Gedeeld met"),
)
_SECTOR_FIELDS = (
    ("sector", "Sector"),
    ("wijk", "Wijk"),
    ("families", "Gezinnen (doelgroep)"),
    ("need", "Kwetsbaarheidsindex (0-1)"),
    ("tt_house", "Reistijd naar huis"),
    ("covered_house", "Huis binnen norm"),
    ("site_house", "Huis (verzorgingsgebied)"),
    ("tt_frequent", "Reistijd frequent aanbod"),
    ("covered_frequent", "Frequent aanbod binnen norm"),
    ("site_frequent", "Huis of antenne voor frequent aanbod"),
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


class _Popup(MacroElement):
    """A Leaflet popup bound to its parent with plain Leaflet (folium's Popup needs jQuery).

    The content is written as a JSON string literal, so no text can end it.
    """

    _template = jinja2.Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.bindPopup(
                {{ this.content_js }}, {"maxWidth": {{ this.max_width|int }}}
            );
        {% endmacro %}
        """
    )

    def __init__(self, content: str, max_width: int = 340) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca leaves it unannotated
        self._name = "Popup"
        self.content_js = _js_string(content)
        self.max_width = max_width


# --- text -------------------------------------------------------------------------------------


def _js_string(text: str) -> str:
    """Write text as a JavaScript string literal that is also safe inside a ``<script>``."""
    literal = json.dumps(text, ensure_ascii=False)
    for char in "<>&'":
        literal = literal.replace(char, f"\\u{ord(char):04x}")
    return literal


def _text(value: object) -> str:
    r"""Escape data for HTML that folium places inside JavaScript template strings.

    ``html.escape`` handles ``< > & " '``; backtick, ``$`` and ``\`` become character
    references so the text can neither end nor interpolate a template string.
    """
    escaped = html.escape(str(value), quote=True)
    return escaped.replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")


def _number(value: float, decimals: int = 0) -> str:
    """Format a number the Dutch way: ``1.234.567,8``."""
    return format_number(value, decimals)


def _euro(value: float) -> str:
    return f"€ {_number(value)}"


def _share(value: float | None) -> str:
    return format_share(value, 1)


def _minutes(value: float) -> str:
    return "niet bereikbaar" if not math.isfinite(value) else f"{_number(value, 1)} min"


def _yes_no(value: object) -> str:
    return "ja" if bool(value) else "nee"


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _site_label(site_id: object, names: Mapping[str, str]) -> str:
    """``name (id)`` of a site, or a dash when there is none."""
    if _missing(site_id):
        return "-"
    key = str(site_id)
    return f"{_text(names.get(key, key))} ({_text(key)})"


def _table(rows: list[tuple[str, str]]) -> str:
    """Lay out already escaped label-value pairs as an HTML table."""
    body = "".join(f"<tr><th>{label}</th><td>{value}</td></tr>" for label, value in rows)
    return f'<table class="planner-popup">{body}</table>'


# --- geometry ---------------------------------------------------------------------------------


def _to_wgs84(gdf: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
    """Reproject to longitude/latitude and round coordinates to about 0.1 m."""
    if gdf.crs is None:
        raise DataError(
            f"plan.{what} has no CRS: the map needs one to place it; set it with set_crs()"
        )
    out = gdf.to_crs("EPSG:4326")
    rounded = shapely.transform(
        out.geometry.to_numpy(), lambda xy: np.round(xy, _COORDINATE_DECIMALS)
    )
    out[out.geometry.name] = gpd.GeoSeries(rounded, index=out.index, crs=out.crs)
    return out


def _wijk_column(sectors: gpd.GeoDataFrame) -> str | None:
    """Return the sector column holding the wijk, or None when there is none with values."""
    for column in WIJK_COLUMNS:
        if column in sectors.columns and sectors[column].notna().any():
            return column
    return None


def _catchment_colours(sites: gpd.GeoDataFrame) -> dict[str, str]:
    """Give every open site a catchment colour, in site order."""
    open_ids = sites.loc[sites["role"] != "closed", "site_id"].astype(str)
    return {site_id: catchment_colour(k) for k, site_id in enumerate(open_ids)}


def _sector_features(
    sectors: gpd.GeoDataFrame,
    site_names: Mapping[str, str],
    edges: tuple[float, ...],
    catchments: Mapping[str, str],
) -> list[dict[str, Any]]:
    """GeoJSON features of the sectors with escaped, formatted popup values."""
    colours = class_colours(len(edges) - 1)
    wijk = _wijk_column(sectors)
    features = []
    for k, row in enumerate(sectors.itertuples(index=False)):
        need = float(row.need)
        klass = need_class(need, edges)
        wijk_value = getattr(row, wijk) if wijk else None
        properties = {
            "sector": f"{_text(row.name)} ({_text(row.sector_id)})",
            "wijk": "-" if _missing(wijk_value) else _text(wijk_value),
            "families": _number(float(row.target)),
            "need": "-" if not math.isfinite(need) else _number(need, 2),
            "tt_house": _minutes(float(row.tt_house_min)),
            "covered_house": _yes_no(row.covered_house),
            "site_house": _site_label(row.site_house, site_names),
            "tt_frequent": _minutes(float(row.tt_frequent_min)),
            "covered_frequent": _yes_no(row.covered_frequent),
            "site_frequent": _site_label(row.site_frequent, site_names),
            "fill": colours[klass] if klass >= 0 else NO_NEED_COLOUR,
            "house_colour": catchments.get(str(row.site_house), NO_NEED_COLOUR),
            "frequent_colour": catchments.get(str(row.site_frequent), NO_NEED_COLOUR),
        }
        features.append(
            {
                "type": "Feature",
                "id": str(k),
                "properties": properties,
                "geometry": shapely.geometry.mapping(row.geometry),
            }
        )
    return features


# --- layers -----------------------------------------------------------------------------------


def _sector_layer(
    name: str,
    features: list[dict[str, Any]],
    style: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    show: bool = True,
) -> folium.FeatureGroup:
    """Make a layer of sector polygons with name tooltips and popups with their figures."""
    group = folium.FeatureGroup(name=name, show=show)
    if features:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features},
            style_function=style,
            highlight_function=lambda _: {"weight": 4},
            tooltip=GeoJsonTooltip(fields=["sector"], labels=False),
            popup=GeoJsonPopup(
                fields=[field for field, _ in _SECTOR_FIELDS],
                aliases=[label for _, label in _SECTOR_FIELDS],
                labels=True,
            ),
        ).add_to(group)
    return group


def _standard_label(minutes: float, scenario: Scenario) -> str:
    mode = _MODE_LABELS.get(scenario.travel.mode, _text(scenario.travel.mode))
    mu = scenario.standards.need_tightening
    strict = round(minutes * (1 - mu), 6)
    stricter = (
        f" (tot {_number(strict, 0 if strict == round(strict) else 1)} min voor de meest "
        "kwetsbare sectoren)"
        if mu > 0
        else ""
    )
    return f"{_number(minutes)} min {mode}{stricter}"


def _add_sector_layers(
    fmap: folium.Map, sectors: gpd.GeoDataFrame, scenario: Scenario, features: list[dict[str, Any]]
) -> None:
    _sector_layer(
        "Kwetsbaarheidsindex per sector",
        features,
        lambda feature: {
            "fillColor": feature["properties"]["fill"],
            "fillOpacity": 0.65,
            "color": "#555555",
            "weight": 1,
        },
    ).add_to(fmap)
    _sector_layer(
        "Verzorgingsgebied per huis",
        features,
        lambda feature: {
            "fillColor": feature["properties"]["house_colour"],
            "fillOpacity": 0.45,
            "color": feature["properties"]["house_colour"],
            "weight": 1.5,
        },
        show=False,
    ).add_to(fmap)
    _sector_layer(
        "Verzorgingsgebied frequent aanbod (huis of antenne)",
        features,
        lambda feature: {
            "fillColor": feature["properties"]["frequent_colour"],
            "fillOpacity": 0.45,
            "color": feature["properties"]["frequent_colour"],
            "weight": 1.5,
        },
        show=False,
    ).add_to(fmap)
    house = sectors["covered_house"].to_numpy(dtype=bool)
    frequent = sectors["covered_frequent"].to_numpy(dtype=bool)
    standards = scenario.standards
    _sector_layer(
        f"Geen huis binnen {_standard_label(standards.house_min, scenario)} "
        f"({counted(int((~house).sum()), 'sector', 'sectoren')})",
        [feature for feature, covered in zip(features, house, strict=True) if not covered],
        lambda _: {
            "color": UNCOVERED_HOUSE_COLOUR,
            "weight": 3,
            "dashArray": "8 5",
            "fillColor": UNCOVERED_HOUSE_COLOUR,
            "fillOpacity": 0.15,
        },
    ).add_to(fmap)
    _sector_layer(
        f"Geen huis of antenne binnen {_standard_label(standards.frequent_min, scenario)} "
        f"({counted(int((~frequent).sum()), 'sector', 'sectoren')})",
        [feature for feature, covered in zip(features, frequent, strict=True) if not covered],
        lambda _: {
            "color": UNCOVERED_FREQUENT_COLOUR,
            "weight": 3,
            "dashArray": "2 6",
            "fillOpacity": 0.0,
        },
    ).add_to(fmap)


def _add_wijk_layer(fmap: folium.Map, sectors: gpd.GeoDataFrame) -> int:
    """Add the wijk boundaries dissolved from the sectors; return how many wijken (0: none)."""
    column = _wijk_column(sectors)
    if column is None:
        logger.debug("No wijk column in the plan's sectors: the map has no wijk layer")
        return 0
    wijken = sectors[[column, sectors.geometry.name]].dropna(subset=[column])
    wijken = wijken.assign(**{column: wijken[column].astype(str)})
    dissolved = _to_wgs84(wijken.dissolve(by=column, as_index=False, sort=True), "sectors")
    features = [
        {
            "type": "Feature",
            "id": str(k),
            "properties": {"wijk": _text(name)},
            "geometry": shapely.geometry.mapping(geometry),
        }
        for k, (name, geometry) in enumerate(
            zip(dissolved[column], dissolved.geometry, strict=True)
        )
    ]
    group = folium.FeatureGroup(name=f"Wijken ({len(features)})")
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        style_function=lambda _: {
            "color": WIJK_COLOUR,
            "weight": 3,
            "fillOpacity": 0.0,
            "interactive": False,
        },
        tooltip=GeoJsonTooltip(fields=["wijk"], labels=False),
    ).add_to(group)
    group.add_to(fmap)
    return len(features)


def _colocation_rows(site: Any) -> list[tuple[str, str]]:  # noqa: ANN401 - a table row
    """Popup rows for the site's co-location columns, those it has a value for."""
    rows = []
    for column, label in _COLOCATION_LABELS:
        value = getattr(site, column, None)
        if _missing(value) or (isinstance(value, str) and not value.strip()):
            continue
        shown = _yes_no(value) if isinstance(value, bool | np.bool_) else _text(value)
        rows.append((label, shown))
    return rows


def _site_popup(site: Any, names: Mapping[str, str]) -> str:  # noqa: ANN401 - a table row
    role = str(site.role)
    existing = bool(site.existing)
    if role == "closed":
        cost = "-"
    elif existing:
        cost = "bestaand, geen kosten"
    else:
        cost = _euro(float(site.cost))
    rows = [
        ("Naam", _text(site.name)),
        ("Id", _text(site.site_id)),
        ("Type", _text(_TYPE_LABELS.get(str(site.type), site.type))),
        ("Rol", _ROLE_LABELS.get(role, _text(role))),
        ("Bestaand", _yes_no(existing)),
        *_colocation_rows(site),
    ]
    if role == "antenne":
        rows.append(("Gekoppeld aan huis", _site_label(site.linked_house, names)))
    rows.append(("Kosten in dit plan", cost))
    return _table(rows)


def _site_tooltip(site: Any) -> str:  # noqa: ANN401 - a table row
    state = "bestaand" if bool(site.existing) else "nieuw"
    role = _ROLE_LABELS.get(str(site.role), _text(site.role))
    if str(site.role) == "closed":
        return f"{_text(site.name)}: {role}"
    return f"{_text(site.name)}: {role} ({state})"


def _house_icon(colour: str) -> folium.DivIcon:
    return folium.DivIcon(
        html=f'<div class="planner-house" style="background:{colour}">H</div>',
        icon_size=(22, 22),
        icon_anchor=(11, 11),
        class_name="planner-house-icon",
    )


def _add_site_layers(fmap: folium.Map, sites: gpd.GeoDataFrame, names: Mapping[str, str]) -> None:
    """Add the houses, the antennes and the candidates left closed, each as a layer."""
    houses = folium.FeatureGroup(name="Huizen van het Kind")
    antennes = folium.FeatureGroup(name="Antennes")
    closed = folium.FeatureGroup(name="Niet geopende kandidaten", show=False)
    for site in sites.itertuples(index=False):
        location = (float(site.geometry.y), float(site.geometry.x))
        tooltip = folium.Tooltip(_site_tooltip(site))
        colour = EXISTING_COLOUR if bool(site.existing) else NEW_COLOUR
        if site.role == "house":
            marker = folium.Marker(location, icon=_house_icon(colour), tooltip=tooltip)
            marker.add_to(houses)
        elif site.role == "antenne":
            marker = folium.CircleMarker(
                location,
                radius=8,
                color="#ffffff",
                weight=2,
                fill=True,
                fill_color=colour,
                fill_opacity=1.0,
                tooltip=tooltip,
            )
            marker.add_to(antennes)
        else:
            marker = folium.CircleMarker(
                location,
                radius=4,
                color=CLOSED_COLOUR,
                weight=1,
                fill=True,
                fill_color=CLOSED_COLOUR,
                fill_opacity=0.8,
                tooltip=tooltip,
            )
            marker.add_to(closed)
        marker.add_child(_Popup(_site_popup(site, names)))  # type: ignore[no-untyped-call]
    for group in (closed, antennes, houses):
        group.add_to(fmap)


def _add_links(fmap: folium.Map, links: gpd.GeoDataFrame, names: Mapping[str, str]) -> None:
    group = folium.FeatureGroup(name=f"Koppeling antenne - huis ({len(links)})")
    for link in links.itertuples(index=False):
        lon_lat = shapely.get_coordinates(link.geometry)
        text = (
            f"{_site_label(link.antenne_id, names)} is gekoppeld aan "
            f"{_site_label(link.house_id, names)} ({_minutes(float(link.minutes))})"
        )
        folium.PolyLine(  # type: ignore[no-untyped-call]  # folium leaves it unannotated
            [(float(lat), float(lon)) for lon, lat in lon_lat],
            color=LINK_COLOUR,
            weight=2,
            opacity=0.9,
            dash_array="6 6",
            tooltip=folium.Tooltip(text),
        ).add_to(group)
    group.add_to(fmap)


# --- title and legend -------------------------------------------------------------------------


def _status_label(summary: Mapping[str, Any]) -> str:
    if summary.get("proven_optimal"):
        return "bewezen optimaal"
    gap = summary.get("gap")
    shown = "onbekend" if gap is None or not math.isfinite(float(gap)) else _share(float(gap))
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
        f" &middot; kosten {_euro(float(cost))} van {_euro(float(budget))}"
        if cost is not None and budget is not None
        else ""
    )
    neediest = coverage.get("house_neediest_quintile")
    neediest_text = (
        f" (vijfde van de gezinnen in de meest kwetsbare sectoren: {_share(neediest)})"
        if neediest is not None
        else ""
    )
    return (
        '<div class="planner-title">'
        f'<span class="planner-name">{_text(plan.scenario.name)}</span> &middot; '
        f"{counted(int(houses.sum()), 'huis', 'huizen')} ({(houses & new).sum()} nieuw) &middot; "
        f"{counted(int(antennes.sum()), 'antenne', 'antennes')} ({(antennes & new).sum()} nieuw)"
        " &middot; "
        f"gezinnen met een huis binnen de norm: {_share(coverage.get('house'))}"
        f"{neediest_text} &middot; "
        f"met frequent aanbod binnen de norm: {_share(coverage.get('frequent'))}"
        f"{money} &middot; {_status_label(summary)}</div>"
    )


def _legend_row(kind: str, style: str, label: str, inner: str = "") -> str:
    return f'<div class="row"><span class="{kind}" style="{style}">{inner}</span>{label}</div>'


def _legend_html(scenario: Scenario, edges: tuple[float, ...], wijken: int) -> str:
    """Write the legend: need classes, site symbols, links, wijken and uncovered sectors."""
    house_standard = _standard_label(scenario.standards.house_min, scenario)
    frequent_standard = _standard_label(scenario.standards.frequent_min, scenario)
    classes = zip(edges[:-1], edges[1:], class_colours(len(edges) - 1), strict=True)
    states = ((EXISTING_COLOUR, "bestaand"), (NEW_COLOUR, "nieuw"))
    wijk_row = (
        [_legend_row("swatch", f"border-top:3px solid {WIJK_COLOUR};height:3px", "Wijkgrens")]
        if wijken
        else []
    )
    rows = [
        '<div class="planner-legend">',
        "<h4>Kwetsbaarheidsindex per sector (1 = meest kwetsbaar; kwintielen)</h4>",
        *(
            _legend_row(
                "swatch",
                f"background:{colour};border:1px solid #555",
                f"{_number(low, 2)} - {_number(high, 2)}",
            )
            for low, high, colour in classes
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
        "<h4>Niet bereikt</h4>",
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
        attr = f"Achtergrond: {_text(source)}" if "{" in source else None
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
    sectors = _to_wgs84(plan.sectors, "sectors")
    sites = _to_wgs84(plan.sites, "sites")
    links = _to_wgs84(plan.links, "links")
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
    root.title = f"{_text(plan.scenario.name)} - Huizen van het Kind"
    _set_assets(fmap, root, offline)
    _add_tiles(fmap, _tile_layers(tiles, offline))
    edges = need_classes(sectors["need"].to_numpy(dtype=float))
    features = _sector_features(sectors, site_names, edges, _catchment_colours(sites))
    _add_sector_layers(fmap, sectors, plan.scenario, features)
    wijken = _add_wijk_layer(fmap, plan.sectors)
    _add_links(fmap, links, site_names)
    _add_site_layers(fmap, sites, site_names)
    folium.LayerControl(collapsed=False).add_to(fmap)
    root.header.add_child(folium.Element(_CSS))
    root.html.add_child(folium.Element(_title_html(plan)))
    root.html.add_child(folium.Element(_legend_html(plan.scenario, edges, wijken)))
    fmap.fit_bounds([[south, west], [north, east]])
    return fmap


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
    rendered = build_map(plan, offline=offline, tiles=tiles).get_root().render()
    numbers: dict[str, str] = {}

    def renumber(match: re.Match[str]) -> str:
        return numbers.setdefault(match.group(0), f"{len(numbers) + 1:06d}")

    page = _ID_PATTERN.sub(renumber, rendered)
    if _INLINE_MARK in page:
        inline = f"<style>\n{leaflet_css()}\n</style>\n<script>\n{leaflet_js()}\n</script>"
        page = page.replace(_INLINE_MARK, inline, 1)
    return page


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
