"""The layers of the web map: sectors, catchments, wijken, uncovered sectors, sites, links.

Each layer is a folium feature group that the layer control switches on and off: the sectors
coloured by need class, the catchments of every house (and, hidden at first, of the house or
antenne for frequent services), the wijk boundaries dissolved from the sectors, the sectors
outside the standards, the houses, antennes and candidates left closed, and the
antenne-house links. Sector popups give the sector's figures; site popups are bound with
plain Leaflet (:class:`Popup`), since folium's own popup needs jQuery.
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any

import folium
import geopandas as gpd
import jinja2
import numpy as np
import shapely
from branca.element import MacroElement
from folium.features import GeoJsonPopup, GeoJsonTooltip

from planner.errors import DataError
from planner.report.assets import (
    CLOSED_COLOUR,
    EXISTING_COLOUR,
    LINK_COLOUR,
    MODE_NAMES,
    NEW_COLOUR,
    NO_NEED_COLOUR,
    POINT_IN_COLOUR,
    POINT_OUT_COLOUR,
    UNCOVERED_FREQUENT_COLOUR,
    UNCOVERED_HOUSE_COLOUR,
    WIJK_COLOUR,
    catchment_colour,
    counted,
    format_share,
)
from planner.report.webmap_text import (
    COLOCATION_LABELS,
    ROLE_LABELS,
    SECTOR_FIELDS,
    TYPE_LABELS,
    covered_text,
    escape_text,
    euro,
    is_missing,
    js_string,
    minutes,
    number,
    popup_table,
    site_label,
    standard_label,
    yes_no,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from numpy.typing import NDArray

    from planner.report.need_classes import NeedClasses
    from planner.scenario import Scenario

__all__ = [
    "WIJK_COLUMNS",
    "Popup",
    "add_links",
    "add_point_layer",
    "add_sector_layers",
    "add_site_layers",
    "add_wijk_layer",
    "catchment_colours",
    "sector_features",
    "to_wgs84",
]

logger = logging.getLogger(__name__)

WIJK_COLUMNS = ("wijk", "district")
"""Sector columns read as the wijk (the first one present); no wijk layer without one."""

_COORDINATE_DECIMALS = 6  # degrees: about 0.1 m


class Popup(MacroElement):
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
        self.content_js = js_string(content)
        self.max_width = max_width


def to_wgs84(gdf: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
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


def wijk_column(sectors: gpd.GeoDataFrame) -> str | None:
    """Return the sector column holding the wijk, or None when there is none with values."""
    for column in WIJK_COLUMNS:
        if column in sectors.columns and sectors[column].notna().any():
            return column
    return None


def catchment_colours(sites: gpd.GeoDataFrame) -> dict[str, str]:
    """Give every open site a catchment colour, in site order."""
    open_ids = sites.loc[sites["role"] != "closed", "site_id"].astype(str)
    return {site_id: catchment_colour(k) for k, site_id in enumerate(open_ids)}


def sector_features(
    sectors: gpd.GeoDataFrame,
    site_names: Mapping[str, str],
    classes: NeedClasses,
    catchments: Mapping[str, str],
) -> list[dict[str, Any]]:
    """GeoJSON features of the sectors with escaped, formatted popup values."""
    wijk = wijk_column(sectors)
    features = []
    for k, row in enumerate(sectors.itertuples(index=False)):
        need = float(row.need)
        wijk_value = getattr(row, wijk) if wijk else None
        properties = {
            "sector": f"{escape_text(row.name)} ({escape_text(row.sector_id)})",
            "wijk": "-" if is_missing(wijk_value) else escape_text(wijk_value),
            "families": number(float(row.target)),
            "need": "-" if not math.isfinite(need) else number(need, 2),
            "tt_house": minutes(float(row.tt_house_min)),
            "covered_house": _covered(row, "house"),
            "site_house": site_label(row.site_house, site_names),
            "tt_frequent": minutes(float(row.tt_frequent_min)),
            "covered_frequent": _covered(row, "frequent"),
            "site_frequent": site_label(row.site_frequent, site_names),
            "fill": classes.colour(k),
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


def _covered(row: Any, tier: str) -> str:  # noqa: ANN401 - a pandas row
    """Popup text for a sector's coverage: yes, no, or the share of its families."""
    share = getattr(row, f"covered_{tier}_share", None)
    if share is None or is_missing(share):
        return yes_no(getattr(row, f"covered_{tier}"))
    return covered_text(float(share))


def _shares(sectors: gpd.GeoDataFrame, tier: str) -> NDArray[np.float64]:
    """Share of each sector's families within the standard (0 or 1 without demand points)."""
    column = f"covered_{tier}_share"
    if column not in sectors.columns:
        column = f"covered_{tier}"
    return np.asarray(sectors[column].to_numpy(dtype=float), dtype=np.float64)


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
                fields=[field for field, _ in SECTOR_FIELDS],
                aliases=[label for _, label in SECTOR_FIELDS],
                labels=True,
            ),
        ).add_to(group)
    return group


def _catchment_style(colour_key: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Style sectors with the catchment colour stored under ``colour_key``."""

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        colour = feature["properties"][colour_key]
        return {"fillColor": colour, "fillOpacity": 0.45, "color": colour, "weight": 1.5}

    return style


def add_sector_layers(
    fmap: folium.Map, sectors: gpd.GeoDataFrame, scenario: Scenario, features: list[dict[str, Any]]
) -> None:
    """Add the need classes, both catchments and the sectors outside each standard.

    Parameters
    ----------
    fmap
        The map.
    sectors
        The plan's sectors (``covered_house``, ``covered_frequent``).
    scenario
        The plan's scenario (standards and travel mode, for the layer names).
    features
        The sectors' GeoJSON features, from :func:`sector_features`.
    """
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
        _catchment_style("house_colour"),
        show=False,
    ).add_to(fmap)
    _sector_layer(
        "Verzorgingsgebied frequent aanbod (huis of antenne)",
        features,
        _catchment_style("frequent_colour"),
        show=False,
    ).add_to(fmap)
    house, frequent = _shares(sectors, "house"), _shares(sectors, "frequent")
    standards = scenario.standards
    for tier, share, standard, style in (
        ("house", house, standards.house_min, _uncovered_house_style),
        ("frequent", frequent, standards.frequent_min, _uncovered_frequent_style),
    ):
        short = share < 1.0 - 1e-9
        partly = int((short & (share > 1e-9)).sum())
        what = "Geen huis" if tier == "house" else "Geen huis of antenne"
        counted_text = counted(int(short.sum()), "sector", "sectoren")
        if partly:
            counted_text += f", waarvan {partly} deels"
        chosen = []
        for feature, value, out in zip(features, share, short, strict=True):
            if out:
                chosen.append(
                    {**feature, "properties": {**feature["properties"], "out": 1 - value}}
                )
        label = standard_label(standard, scenario, tier, short=True)
        _sector_layer(
            f"{what} binnen {label} ({counted_text})",
            chosen,
            style,
        ).add_to(fmap)


def _uncovered_house_style(feature: dict[str, Any]) -> dict[str, Any]:
    """Dashed red outline, filled more where more of the sector's families are outside."""
    return {
        "color": UNCOVERED_HOUSE_COLOUR,
        "weight": 3,
        "dashArray": "8 5",
        "fillColor": UNCOVERED_HOUSE_COLOUR,
        "fillOpacity": round(0.15 * float(feature["properties"]["out"]), 3),
    }


def _uncovered_frequent_style(_: dict[str, Any]) -> dict[str, Any]:
    """Dotted outline of the sectors (partly) beyond the frequent standard."""
    return {"color": UNCOVERED_FREQUENT_COLOUR, "weight": 3, "dashArray": "2 6", "fillOpacity": 0.0}


def add_point_layer(
    fmap: folium.Map,
    points: gpd.GeoDataFrame | None,
    modes: Mapping[str, Mapping[str, Any]] | None = None,
) -> None:
    """Add the demand points (hidden at start): green within the house standard, red beyond.

    With several travel modes a point has a row per mode (its families who travel that way):
    each mode gets its own layer, named with the mode's share of the families and the share
    of them within that mode's house standard, so the layers never draw over each other.

    Parameters
    ----------
    fmap
        The map.
    points
        The plan's demand points in WGS 84, or None (no layer).
    modes
        ``summary["modes"]["modes"]`` and ``["coverage_by_mode"]`` merged per mode (share,
        ``house_min``, ``house``), or None with one mode.
    """
    if points is None or len(points) == 0:
        return
    if not modes or "mode" not in points.columns or len(modes) < 2:
        _point_group(points, f"Vraagpunten ({len(points):,} punten)").add_to(fmap)
        return
    mode_of = points["mode"].astype(str).to_numpy()
    for mode, figures in modes.items():
        rows = points.loc[mode_of == mode]
        label = MODE_NAMES["nl"].get(mode, escape_text(mode))
        name = (
            f"Vraagpunten {label} ({format_share(float(figures['share']), 0)} van de gezinnen):"
            f" {format_share(float(figures['house']), 0)} binnen "
            f"{number(float(figures['house_min']))} min van een huis"
        )
        _point_group(rows, name).add_to(fmap)


def _point_group(points: gpd.GeoDataFrame, name: str) -> folium.FeatureGroup:
    xy = shapely.get_coordinates(points.geometry.to_numpy())
    covered = points["covered_house"].to_numpy(dtype=bool)
    families = points["target"].to_numpy(dtype=float)
    features = [
        {
            "type": "Feature",
            "id": str(k),
            "properties": {
                "ok": bool(ok),
                "families": number(float(f), 1),
                "sector": escape_text(str(s)),
            },
            "geometry": {"type": "Point", "coordinates": [round(x, 6), round(y, 6)]},
        }
        for k, (x, y, ok, f, s) in enumerate(
            zip(xy[:, 0], xy[:, 1], covered, families, points["sector_id"], strict=True)
        )
    ]
    group = folium.FeatureGroup(name=name, show=False)
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        marker=folium.CircleMarker(radius=2, weight=0, fill=True, fill_opacity=0.8),
        style_function=lambda feature: {
            "fillColor": POINT_IN_COLOUR if feature["properties"]["ok"] else POINT_OUT_COLOUR
        },
        tooltip=GeoJsonTooltip(
            fields=["sector", "families"], aliases=["Sector", "Gezinnen"], labels=True
        ),
    ).add_to(group)
    return group


def add_wijk_layer(fmap: folium.Map, sectors: gpd.GeoDataFrame) -> int:
    """Add the wijk boundaries dissolved from the sectors; return how many wijken (0: none)."""
    column = wijk_column(sectors)
    if column is None:
        logger.debug("No wijk column in the plan's sectors: the map has no wijk layer")
        return 0
    wijken = sectors[[column, sectors.geometry.name]].dropna(subset=[column])
    wijken = wijken.assign(**{column: wijken[column].astype(str)})
    dissolved = to_wgs84(wijken.dissolve(by=column, as_index=False, sort=True), "sectors")
    features = [
        {
            "type": "Feature",
            "id": str(k),
            "properties": {"wijk": escape_text(name)},
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
    for column, label in COLOCATION_LABELS:
        value = getattr(site, column, None)
        if is_missing(value) or (isinstance(value, str) and not value.strip()):
            continue
        shown = yes_no(value) if isinstance(value, bool | np.bool_) else escape_text(value)
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
        cost = euro(float(site.cost))
    rows = [
        ("Naam", escape_text(site.name)),
        ("Id", escape_text(site.site_id)),
        ("Type", escape_text(TYPE_LABELS.get(str(site.type), site.type))),
        ("Rol", ROLE_LABELS.get(role, escape_text(role))),
        ("Bestaand", yes_no(existing)),
        *_colocation_rows(site),
    ]
    if role == "antenne":
        rows.append(("Gekoppeld aan huis", site_label(site.linked_house, names)))
    rows.append(("Kosten in dit plan", cost))
    return popup_table(rows)


def _site_tooltip(site: Any) -> str:  # noqa: ANN401 - a table row
    state = "bestaand" if bool(site.existing) else "nieuw"
    role = ROLE_LABELS.get(str(site.role), escape_text(site.role))
    if str(site.role) == "closed":
        return f"{escape_text(site.name)}: {role}"
    return f"{escape_text(site.name)}: {role} ({state})"


def _house_icon(colour: str) -> folium.DivIcon:
    return folium.DivIcon(
        html=f'<div class="planner-house" style="background:{colour}">H</div>',
        icon_size=(22, 22),
        icon_anchor=(11, 11),
        class_name="planner-house-icon",
    )


def add_site_layers(fmap: folium.Map, sites: gpd.GeoDataFrame, names: Mapping[str, str]) -> None:
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
        marker.add_child(Popup(_site_popup(site, names)))  # type: ignore[no-untyped-call]
    for group in (closed, antennes, houses):
        group.add_to(fmap)


def add_links(fmap: folium.Map, links: gpd.GeoDataFrame, names: Mapping[str, str]) -> None:
    """Add a dashed line from every antenne to its house, with the minutes between them."""
    group = folium.FeatureGroup(name=f"Koppeling antenne - huis ({len(links)})")
    for link in links.itertuples(index=False):
        lon_lat = shapely.get_coordinates(link.geometry)
        text = (
            f"{site_label(link.antenne_id, names)} is gekoppeld aan "
            f"{site_label(link.house_id, names)} ({minutes(float(link.minutes))})"
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
