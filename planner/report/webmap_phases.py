"""The web map of a phased rollout: one layer per phase (year) with the sites open by then.

Kept apart from :mod:`planner.report.webmap` so that the map changes by one call:
:func:`add_phase_layers` adds, for every year of ``summary["phases"]``, a layer (hidden at
first) with the houses and antennes open in that year: existing sites and those opened in an
earlier year in one colour, the ones that open that year in the colour of new sites. The
layer's name gives the counts and the shares reached in that year.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import folium
import numpy as np

from planner.report.assets import EXISTING_COLOUR, NEW_COLOUR
from planner.report.webmap_layers import _house_icon
from planner.report.webmap_text import ROLE_LABELS, escape_text

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["add_phase_layers"]


def _share(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f} %"


def add_phase_layers(fmap: folium.Map, sites: gpd.GeoDataFrame, summary: dict[str, Any]) -> int:
    """Add one layer per phase with the sites open in it; return the number of layers.

    Parameters
    ----------
    fmap
        The map.
    sites
        The plan's sites in WGS 84 (``role``, ``existing``, ``phase_year``, ``name``).
    summary
        The plan's summary (``phases``: per year the counts and coverage).

    Returns
    -------
    int
        Layers added (0 without phases).
    """
    block = summary.get("phases") or {}
    by_year = block.get("by_year") or {}
    if not by_year or "phase_year" not in sites.columns:
        return 0
    year = sites["phase_year"].to_numpy(dtype=np.float64, na_value=np.nan)
    open_ = (sites["role"] != "closed").to_numpy()
    for label, phase in by_year.items():
        now = int(label)
        share = phase["coverage"]
        name = (
            f"Jaar {now}: {phase['houses']} huizen, {phase['antennes']} antennes "
            f"({phase['houses_opened']} + {phase['antennes_opened']} nieuw); "
            f"{_share(share.get('house'))} / {_share(share.get('frequent'))} van de gezinnen "
            "binnen de norm (huis / frequent)"
        )
        group = folium.FeatureGroup(name=escape_text(name), show=False)
        shown = open_ & (~np.isfinite(year) | (year <= now))
        for k in np.flatnonzero(shown):  # the sites open in one year: a few dozen markers
            site = sites.iloc[int(k)]
            location = (float(site.geometry.y), float(site.geometry.x))
            opened_now = bool(year[k] == now)
            since = "bestaand" if not np.isfinite(year[k]) else f"open sinds {int(year[k])}"
            role = ROLE_LABELS.get(str(site["role"]), escape_text(site["role"]))
            tooltip = folium.Tooltip(f"{escape_text(site['name'])}: {role} ({since})")
            colour = NEW_COLOUR if opened_now else EXISTING_COLOUR
            if site["role"] == "house":
                folium.Marker(location, icon=_house_icon(colour), tooltip=tooltip).add_to(group)
            else:
                folium.CircleMarker(
                    location,
                    radius=8,
                    color="#ffffff",
                    weight=2,
                    fill=True,
                    fill_color=colour,
                    fill_opacity=1.0,
                    tooltip=tooltip,
                ).add_to(group)
        group.add_to(fmap)
    return len(by_year)
