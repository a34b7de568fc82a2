"""The interactive web map of a plan (``map.html``), drawn with folium on Leaflet.

This is the only module of the package that imports folium. The map shows, each in its own
layer that the layer control switches on and off:

* the sectors coloured by need index in five fixed classes (0-0.2, ..., 0.8-1), so that maps
  of different scenarios share one scale;
* the sectors without a house within the house standard :math:`R_H` (red, dashed) and those
  without a house or antenne within the frequent-service standard :math:`R_A` (magenta,
  dotted);
* the houses (large pin with a house symbol) and antennes (round dots), existing ones in black
  and new ones in orange, and the candidate sites left closed (grey, hidden at first);
* a line from every antenne to the house it is linked to.

Popups give the figures of a sector (families, need, travel times, coverage, nearest sites) or
a site (type, role, linked house, cost); a title bar gives the key figures of the plan and a
legend explains the symbols. Labels are in Dutch, the planners' working language.

Every text that comes from the data (names, ids, types) is HTML-escaped, and the characters
that would break out of folium's JavaScript template strings (backtick, ``$``, backslash) are
written as character references, so a sector called ``<script>`` shows as text.

folium names every element with a random id; :func:`map_html` renumbers them in order of
appearance, so the same plan always gives a byte-identical ``map.html``.
"""

from __future__ import annotations

import html
import logging
import math
import re
from typing import TYPE_CHECKING, Any

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import Figure
from folium.features import GeoJsonPopup, GeoJsonTooltip

from planner.errors import DataError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

    from planner.plan import Plan
    from planner.scenario import Scenario

__all__ = ["NEED_CLASSES", "NEED_COLOURS", "build_map", "map_html", "write_map"]

logger = logging.getLogger(__name__)

NEED_CLASSES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
"""Class edges of the need choropleth."""
NEED_COLOURS = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
"""Colour of each need class, light (little need) to dark (most need): ColorBrewer YlGnBu."""

_NO_NEED_COLOUR = "#bdbdbd"
_EXISTING = ("black", "#303030")  # folium marker colour name and its hex on the map
_NEW = ("orange", "#f69730")
_CLOSED = "#9e9e9e"
_LINK = "#303030"
_UNCOVERED_HOUSE = "#e31a1c"
_UNCOVERED_FREQUENT = "#c51b7d"
_COORDINATE_DECIMALS = 6  # degrees: about 0.1 m

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
_SECTOR_FIELDS = (
    ("sector", "Sector"),
    ("families", "Gezinnen (doelgroep)"),
    ("need", "Noodindex (0-1)"),
    ("tt_house", "Reistijd naar huis"),
    ("covered_house", "Huis binnen norm"),
    ("site_house", "Dichtstbijzijnde huis"),
    ("tt_frequent", "Reistijd frequent aanbod"),
    ("covered_frequent", "Frequent aanbod binnen norm"),
    ("site_frequent", "Dichtstbijzijnde huis of antenne"),
)
_ID_PATTERN = re.compile(r"(?<=_)[0-9a-f]{32}(?![0-9a-f])")
_CSS = """
<style>
.planner-title {position: fixed; top: 10px; left: 56px; right: 420px; min-width: 240px;
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
.planner-legend .pin {display: inline-block; width: 16px; height: 16px; flex: none;
  border-radius: 50% 50% 50% 0; color: white; font-size: 9px; text-align: center;
  line-height: 16px;}
.planner-legend .dot {display: inline-block; width: 12px; height: 12px; flex: none;
  border-radius: 50%; border: 2px solid white; box-shadow: 0 0 0 1px #777;}
.planner-popup th {text-align: left; padding-right: 8px; font-weight: normal; color: #555;}
</style>
"""


# --- text -------------------------------------------------------------------------------------


def _text(value: object) -> str:
    r"""Escape data for HTML that folium places inside JavaScript template strings.

    ``html.escape`` handles ``< > & " '``; backtick, ``$`` and ``\`` become character
    references so the text can neither end nor interpolate a template string.
    """
    escaped = html.escape(str(value), quote=True)
    return escaped.replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")


def _number(value: float, decimals: int = 0) -> str:
    """Format a number the Dutch way: ``1.234.567,8``."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def _euro(value: float) -> str:
    return f"€ {_number(value)}"


def _share(value: float | None) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{_number(100 * value, 1)} %"


def _minutes(value: float) -> str:
    return "niet bereikbaar" if not math.isfinite(value) else f"{_number(value, 1)} min"


def _yes_no(value: object) -> str:
    return "ja" if bool(value) else "nee"


def _site_label(site_id: object, names: Mapping[str, str]) -> str:
    """``name (id)`` of a site, or a dash when there is none."""
    if site_id is None or (isinstance(site_id, float) and math.isnan(site_id)):
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


def _need_colour(need: float) -> str:
    if not math.isfinite(need):
        return _NO_NEED_COLOUR
    index = int(np.digitize(need, NEED_CLASSES[1:-1]))
    return NEED_COLOURS[index]


def _sector_features(
    sectors: gpd.GeoDataFrame, site_names: Mapping[str, str]
) -> list[dict[str, Any]]:
    """GeoJSON features of the sectors with escaped, formatted popup values."""
    features = []
    for k, row in enumerate(sectors.itertuples(index=False)):
        need = float(row.need)
        properties = {
            "sector": f"{_text(row.name)} ({_text(row.sector_id)})",
            "families": _number(float(row.target)),
            "need": "-" if not math.isfinite(need) else _number(need, 2),
            "tt_house": _minutes(float(row.tt_house_min)),
            "covered_house": _yes_no(row.covered_house),
            "site_house": _site_label(row.site_house, site_names),
            "tt_frequent": _minutes(float(row.tt_frequent_min)),
            "covered_frequent": _yes_no(row.covered_frequent),
            "site_frequent": _site_label(row.site_frequent, site_names),
            "fill": _need_colour(need),
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
) -> folium.FeatureGroup:
    """Make a layer of sector polygons with name tooltips and popups with their figures."""
    group = folium.FeatureGroup(name=name)
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
    stricter = " (strenger bij meer nood)" if scenario.standards.need_tightening > 0 else ""
    return f"{_number(minutes)} min {mode}{stricter}"


def _add_sector_layers(
    fmap: folium.Map, sectors: gpd.GeoDataFrame, scenario: Scenario, site_names: Mapping[str, str]
) -> None:
    features = _sector_features(sectors, site_names)
    _sector_layer(
        "Noodindex per sector",
        features,
        lambda feature: {
            "fillColor": feature["properties"]["fill"],
            "fillOpacity": 0.65,
            "color": "#555555",
            "weight": 1,
        },
    ).add_to(fmap)
    house = sectors["covered_house"].to_numpy(dtype=bool)
    frequent = sectors["covered_frequent"].to_numpy(dtype=bool)
    standards = scenario.standards
    _sector_layer(
        f"Geen huis binnen {_standard_label(standards.house_min, scenario)} "
        f"({int((~house).sum())} sectoren)",
        [feature for feature, covered in zip(features, house, strict=True) if not covered],
        lambda _: {
            "color": _UNCOVERED_HOUSE,
            "weight": 3,
            "dashArray": "8 5",
            "fillColor": _UNCOVERED_HOUSE,
            "fillOpacity": 0.15,
        },
    ).add_to(fmap)
    _sector_layer(
        f"Geen huis of antenne binnen {_standard_label(standards.frequent_min, scenario)} "
        f"({int((~frequent).sum())} sectoren)",
        [feature for feature, covered in zip(features, frequent, strict=True) if not covered],
        lambda _: {
            "color": _UNCOVERED_FREQUENT,
            "weight": 3,
            "dashArray": "2 6",
            "fillOpacity": 0.0,
        },
    ).add_to(fmap)


def _site_popup(site: Any, names: Mapping[str, str]) -> str:  # noqa: ANN401 - a table row
    role = str(site.role)
    existing = bool(site.existing)
    if role == "closed":
        cost = "-"
    elif existing:
        cost = "bestaand, geen kost"
    else:
        cost = _euro(float(site.cost))
    rows = [
        ("Naam", _text(site.name)),
        ("Id", _text(site.site_id)),
        ("Type", _text(_TYPE_LABELS.get(str(site.type), site.type))),
        ("Rol", _ROLE_LABELS.get(role, _text(role))),
        ("Bestaand", _yes_no(existing)),
    ]
    if role == "antenne":
        rows.append(("Gekoppeld aan huis", _site_label(site.linked_house, names)))
    rows.append(("Kost in dit plan", cost))
    return _table(rows)


def _site_tooltip(site: Any) -> str:  # noqa: ANN401 - a table row
    state = "bestaand" if bool(site.existing) else "nieuw"
    role = _ROLE_LABELS.get(str(site.role), _text(site.role))
    if str(site.role) == "closed":
        return f"{_text(site.name)}: {role}"
    return f"{_text(site.name)}: {role} ({state})"


def _add_site_layers(fmap: folium.Map, sites: gpd.GeoDataFrame, names: Mapping[str, str]) -> None:
    """Add the houses, the antennes and the candidates left closed, each as a layer."""
    houses = folium.FeatureGroup(name="Huizen van het Kind")
    antennes = folium.FeatureGroup(name="Antennes")
    closed = folium.FeatureGroup(name="Niet geopende kandidaten", show=False)
    for site in sites.itertuples(index=False):
        location = (float(site.geometry.y), float(site.geometry.x))
        popup = folium.Popup(_site_popup(site, names), max_width=340)
        tooltip = folium.Tooltip(_site_tooltip(site))
        colour_name, colour = _EXISTING if bool(site.existing) else _NEW
        if site.role == "house":
            folium.Marker(
                location,
                icon=folium.Icon(color=colour_name, icon="house", prefix="fa"),
                popup=popup,
                tooltip=tooltip,
            ).add_to(houses)
        elif site.role == "antenne":
            folium.CircleMarker(
                location,
                radius=8,
                color="#ffffff",
                weight=2,
                fill=True,
                fill_color=colour,
                fill_opacity=1.0,
                popup=popup,
                tooltip=tooltip,
            ).add_to(antennes)
        else:
            folium.CircleMarker(
                location,
                radius=4,
                color=_CLOSED,
                weight=1,
                fill=True,
                fill_color=_CLOSED,
                fill_opacity=0.8,
                popup=popup,
                tooltip=tooltip,
            ).add_to(closed)
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
            color=_LINK,
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
    return f"niet bewezen optimaal (gap {shown})"


def _title_html(plan: Plan) -> str:
    """Write the title bar: scenario name and the plan's key figures."""
    role = plan.sites["role"].to_numpy(dtype=str)
    new = ~plan.sites["existing"].to_numpy(dtype=bool)
    houses, antennes = role == "house", role == "antenne"
    summary = plan.summary
    coverage = summary.get("coverage", {})
    cost, budget = summary.get("cost"), summary.get("budget")
    money = (
        f" &middot; kost {_euro(float(cost))} van {_euro(float(budget))}"
        if cost is not None and budget is not None
        else ""
    )
    return (
        '<div class="planner-title">'
        f'<span class="planner-name">{_text(plan.scenario.name)}</span> &middot; '
        f"{houses.sum()} huizen ({(houses & new).sum()} nieuw) &middot; "
        f"{antennes.sum()} antennes ({(antennes & new).sum()} nieuw) &middot; "
        f"gezinnen met een huis binnen de norm: {_share(coverage.get('house'))} &middot; "
        f"met frequent aanbod binnen de norm: {_share(coverage.get('frequent'))}"
        f"{money} &middot; {_status_label(summary)}</div>"
    )


def _legend_row(kind: str, style: str, label: str, inner: str = "") -> str:
    return f'<div class="row"><span class="{kind}" style="{style}">{inner}</span>{label}</div>'


def _legend_html(scenario: Scenario) -> str:
    """Write the legend: need classes, site symbols, links and uncovered sectors."""
    house_standard = _standard_label(scenario.standards.house_min, scenario)
    frequent_standard = _standard_label(scenario.standards.frequent_min, scenario)
    classes = zip(NEED_CLASSES[:-1], NEED_CLASSES[1:], NEED_COLOURS, strict=True)
    states = ((_EXISTING[1], "bestaand"), (_NEW[1], "nieuw"))
    pin = '<i class="fa fa-house"></i>'
    rows = [
        '<div class="planner-legend"><h4>Noodindex per sector (1 = meeste nood)</h4>',
        *(
            _legend_row(
                "swatch",
                f"background:{colour};border:1px solid #555",
                f"{_number(low, 1)} - {_number(high, 1)}",
            )
            for low, high, colour in classes
        ),
        "<h4>Locaties</h4>",
        *(
            _legend_row("pin", f"background:{colour}", f"Huis van het Kind ({state})", pin)
            for colour, state in states
        ),
        *(
            _legend_row("dot", f"background:{colour}", f"Antenne ({state})")
            for colour, state in states
        ),
        _legend_row("dot", f"background:{_CLOSED};width:8px;height:8px", "Niet geopende kandidaat"),
        _legend_row(
            "swatch", f"border-top:2px dashed {_LINK};height:2px", "Antenne gekoppeld aan huis"
        ),
        "<h4>Niet bereikt</h4>",
        _legend_row(
            "swatch",
            f"border:3px dashed {_UNCOVERED_HOUSE};background:rgba(227,26,28,0.15)",
            f"geen huis binnen {house_standard}",
        ),
        _legend_row(
            "swatch",
            f"border:3px dotted {_UNCOVERED_FREQUENT}",
            f"geen huis of antenne binnen {frequent_standard}",
        ),
        "</div>",
    ]
    return "".join(rows)


# --- public API -------------------------------------------------------------------------------


def build_map(plan: Plan) -> folium.Map:
    """Draw a plan as an interactive folium map.

    Parameters
    ----------
    plan
        The plan: its sectors (with need, travel times and coverage), sites (with role),
        antenne-house links, summary and scenario.

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
    folium.TileLayer("OpenStreetMap", name="OpenStreetMap").add_to(fmap)
    folium.TileLayer("Esri.WorldGrayCanvas", name="Grijze achtergrond (Esri)").add_to(fmap)
    _add_sector_layers(fmap, sectors, plan.scenario, site_names)
    _add_links(fmap, links, site_names)
    _add_site_layers(fmap, sites, site_names)
    folium.LayerControl(collapsed=False).add_to(fmap)
    root = fmap.get_root()
    if not isinstance(root, Figure):  # pragma: no cover - folium always roots a map in a Figure
        raise TypeError(f"folium map is rooted in a {type(root).__name__}, not a Figure")
    root.header.add_child(folium.Element(_CSS))
    root.html.add_child(folium.Element(_title_html(plan)))
    root.html.add_child(folium.Element(_legend_html(plan.scenario)))
    fmap.fit_bounds([[south, west], [north, east]])
    return fmap


def map_html(plan: Plan) -> str:
    """Render a plan's map as a standalone HTML page, the same bytes for the same plan.

    folium gives every element a random 32-hex-digit id; they are renumbered in order of
    first appearance (``map_000001``, ...), which is the same for the same plan.

    Parameters
    ----------
    plan
        The plan to draw.

    Returns
    -------
    str
        The HTML page.
    """
    rendered = build_map(plan).get_root().render()
    numbers: dict[str, str] = {}

    def renumber(match: re.Match[str]) -> str:
        return numbers.setdefault(match.group(0), f"{len(numbers) + 1:06d}")

    return _ID_PATTERN.sub(renumber, rendered)


def write_map(plan: Plan, path: Path) -> None:
    """Write a plan's interactive map to an HTML file.

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
        f"Wrote map {path.name} ({len(page) / 1024:,.0f} KB): {len(plan.sectors)} sectors, "
        f"{len(plan.sites)} sites, {len(plan.links)} links"
    )
