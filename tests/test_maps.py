"""The folium map of a plan: layers, markers, escaping, legend and byte-identical output."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import folium
import geopandas as gpd
import pandas as pd
import pytest
from shapely import LineString, Point, box

from planner.demand.need import neediest_quintile
from planner.errors import DataError
from planner.report.assets import NEED_COLOURS, NO_NEED_COLOUR
from planner.report.need_classes import need_classes
from planner.report.webmap import build_map, map_html, write_map
from planner.scenario import Scenario, scenario_from_dict

if TYPE_CHECKING:
    from pathlib import Path

CRS = "EPSG:31370"
EVIL = "<script>alert(1)</script>"
TEMPLATE_BREAKER = "Ta`${alert(2)}`\\u"


@dataclass(frozen=True)
class FakePlan:
    """The attributes of planner.results.plan.Plan that the map reads."""

    scenario: Scenario
    sectors: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    links: gpd.GeoDataFrame
    summary: dict[str, Any]


def make_scenario(**standards: float) -> Scenario:
    return scenario_from_dict(
        {
            "name": "demo-test",
            "data": {"sectors": "s.gpkg", "sites": "x.gpkg", "network": "n.gpkg"},
            "need": {"indicators": [{"column": "inc", "direction": "lower_is_needier"}]},
            "standards": {"house_min": 20, "frequent_min": 10, **standards},
            "budget": {"amount_eur": 1_500_000},
        }
    )


@pytest.fixture
def plan() -> FakePlan:
    x0, y0 = 103_000.0, 193_000.0
    sectors = gpd.GeoDataFrame(
        {
            "sector_id": ["A", "B", "C", "D"],
            "name": ["Kerkwijk", EVIL, "Molen & Co", TEMPLATE_BREAKER],
            "population": [1000, 2000, 1500, 800],
            "target": [100, 250, 150, 60],
            "need": [0.05, 0.35, 0.65, 1.0],
            "weight": [105.0, 337.5, 247.5, 120.0],
            "tt_house_min": [5.0, 12.0, 25.0, math.inf],
            "tt_frequent_min": [3.0, 9.0, 14.0, math.inf],
            "covered_house": [True, True, False, False],
            "covered_frequent": [True, True, False, False],
            "site_house": ["H1", "H2", "H2", None],
            "site_frequent": ["A1", "H2", "A2", None],
        },
        geometry=[
            box(x0 + dx, y0 + dy, x0 + dx + 1000, y0 + dy + 1000)
            for dy in (1000, 0)
            for dx in (0, 1000)
        ],
        crs=CRS,
    )
    points = {
        "H1": Point(x0 + 500, y0 + 1500),
        "H2": Point(x0 + 1500, y0 + 500),
        "A1": Point(x0 + 200, y0 + 1200),
        "A2": Point(x0 + 1800, y0 + 200),
        "C1": Point(x0 + 900, y0 + 900),
    }
    sites = gpd.GeoDataFrame(
        {
            "site_id": list(points),
            "name": ["Huis De Kouter", f"Buurtcentrum <b>Oost</b> {EVIL}", "School", "Bib", "Kerk"],
            "type": ["community_centre", "community_centre", "school", "library", "other"],
            "role": ["house", "house", "antenne", "antenne", "closed"],
            "existing": [True, False, True, False, False],
            "linked_house": [None, None, "H1", "H2", None],
            "cost": [0.0, 455_000.0, 0.0, 65_000.0, 0.0],
        },
        geometry=list(points.values()),
        crs=CRS,
    )
    links = gpd.GeoDataFrame(
        {"antenne_id": ["A1", "A2"], "house_id": ["H1", "H2"], "minutes": [6.0, 8.5]},
        geometry=[
            LineString([points["A1"], points["H1"]]),
            LineString([points["A2"], points["H2"]]),
        ],
        crs=CRS,
    )
    summary = {
        "status": "Optimal",
        "proven_optimal": True,
        "gap": 0.0,
        "cost": 520_000.0,
        "budget": 1_500_000.0,
        "houses": 2,
        "antennes": 2,
        "coverage": {"house": 350 / 560, "frequent": 350 / 560},
    }
    return FakePlan(make_scenario(), sectors, sites, links, summary)


def layers(fmap: folium.Map) -> dict[str, folium.FeatureGroup]:
    return {
        child.layer_name: child
        for child in fmap._children.values()
        if isinstance(child, folium.FeatureGroup)
    }


def geojson_features(group: folium.FeatureGroup) -> list[dict[str, Any]]:
    return [
        feature
        for child in group._children.values()
        if isinstance(child, folium.GeoJson)
        for feature in child.data["features"]
    ]


def test_layers_hold_the_right_features(plan: FakePlan) -> None:
    groups = layers(build_map(plan))
    assert list(groups) == [
        "Kwetsbaarheidsindex per sector",
        "Verzorgingsgebied per huis",
        "Verzorgingsgebied frequent aanbod (huis of antenne)",
        "Geen huis binnen 20 min te voet (2 sectoren)",
        "Geen huis of antenne binnen 10 min te voet (2 sectoren)",
        "Koppeling antenne - huis (2)",
        "Niet geopende kandidaten",
        "Antennes",
        "Huizen van het Kind",
    ]
    assert len(geojson_features(groups["Kwetsbaarheidsindex per sector"])) == 4
    uncovered = geojson_features(groups["Geen huis binnen 20 min te voet (2 sectoren)"])
    assert uncovered[0]["properties"]["sector"].startswith("Molen &amp; Co")
    assert len(uncovered) == 2
    houses = list(groups["Huizen van het Kind"]._children.values())
    assert len(houses) == 2
    assert all(isinstance(marker, folium.Marker) for marker in houses)
    assert all(isinstance(marker.icon, folium.DivIcon) for marker in houses)
    antennes = list(groups["Antennes"]._children.values())
    assert len(antennes) == 2
    assert all(isinstance(marker, folium.CircleMarker) for marker in antennes)
    assert len(groups["Koppeling antenne - huis (2)"]._children) == 2
    assert groups["Niet geopende kandidaten"].show is False


def test_html_has_markers_links_legend_and_title(plan: FakePlan) -> None:
    page = map_html(plan)
    assert page.count("L.marker(") == 2  # the houses
    assert page.count("L.circleMarker(") == 3  # two antennes and one closed candidate
    assert page.count("L.polyline(") == 2  # the links
    assert page.count("L.divIcon(") == 2
    assert page.count('class=\\"planner-house\\"') == 2
    assert len(re.findall(r"\.bindPopup\(\s*\"", page)) == 5  # every site, without jQuery
    assert "$(`" not in page  # folium's jQuery popups are not used
    assert "L.control.layers(" in page
    assert 'class="planner-legend"' in page
    for colour in (NEED_COLOURS[0], *NEED_COLOURS[2:]):  # the fake plan's classes
        assert colour in page
    assert "Huis van het Kind (bestaand)" in page
    assert "Antenne (nieuw)" in page
    title = re.search(r'<div class="planner-title">(.*?)</div>', page)
    assert title is not None
    assert "demo-test" in title.group(1)
    assert "2 huizen (1 nieuw)" in title.group(1)
    assert "2 antennes (1 nieuw)" in title.group(1)
    assert "62,5 %" in title.group(1)
    assert "€ 520.000 van € 1.500.000" in title.group(1)
    assert "bewezen optimaal" in title.group(1)
    assert "niet bewezen" not in title.group(1)
    assert "fitBounds(" in page


def test_popups_show_figures_in_dutch(plan: FakePlan) -> None:
    page = map_html(plan)
    assert "niet bereikbaar" in page  # sector D has no route
    assert "12,0 min" in page
    assert "€ 455.000" in page  # cost of the new house
    assert "bestaand, geen kost" in page
    assert "Gekoppeld aan huis" in page


def test_not_proven_optimal_shows_the_gap(plan: FakePlan) -> None:
    summary = {**plan.summary, "status": "Not Solved", "proven_optimal": False, "gap": 0.0123}
    page = map_html(replace(plan, summary=summary))
    assert "niet bewezen optimaal (afstand tot de grens 1,2 %)" in page
    summary["gap"] = None
    assert "niet bewezen optimaal (afstand tot de grens onbekend)" in map_html(
        replace(plan, summary=summary)
    )


def test_title_rounds_each_share_to_its_range(plan: FakePlan) -> None:
    precision = {
        "house": {"low": 0.58, "high": 0.66},  # 8 points: whole percent
        "frequent": {"low": 0.622, "high": 0.628},  # 0.6 points: 0.1 %
    }
    page = map_html(replace(plan, summary={**plan.summary, "precision": precision}))
    title = re.search(r'<div class="planner-title">(.*?)</div>', page)
    assert title is not None
    assert "gezinnen met een huis binnen de norm: 62 %" in title.group(1)  # 62.5, to even
    assert "met frequent aanbod binnen de norm: 62,5 %" in title.group(1)


def test_standards_follow_the_scenario(plan: FakePlan) -> None:
    scenario = make_scenario(house_min=15, frequent_min=8, need_tightening=0.3)
    groups = layers(build_map(replace(plan, scenario=scenario)))
    assert (
        "Geen huis binnen 15 min te voet (tot 10,5 min voor de meest kwetsbare sectoren) "
        "(2 sectoren)" in groups
    )


def test_text_from_the_data_is_escaped(plan: FakePlan) -> None:
    page = map_html(plan)
    assert EVIL not in page
    assert "<b>Oost</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # site popup and tooltip
    assert "\\u0026lt;script\\u0026gt;" in page  # sector name inside the GeoJSON data
    assert "${alert(2)}" not in page
    assert "`${" not in page
    assert "&#96;&#36;{alert(2)}&#96;&#92;u" in page.replace("\\u0026", "&")


def test_output_is_byte_identical(plan: FakePlan, tmp_path: Path) -> None:
    write_map(plan, tmp_path / "a.html")
    write_map(plan, tmp_path / "b.html")
    first = (tmp_path / "a.html").read_bytes()
    assert first == (tmp_path / "b.html").read_bytes()
    assert first.decode("utf-8") == map_html(plan)
    assert re.search(r"_[0-9a-f]{32}", first.decode("utf-8")) is None
    assert "map_000001" in first.decode("utf-8")


def test_need_classes_are_fifths_of_the_families_not_of_the_sectors() -> None:
    # ten sectors; the two neediest hold half of the families: quintiles of the sectors would
    # make them together the darkest class, fifths of the families split them
    sectors = pd.DataFrame(
        {
            "need": [1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1],
            "target": [300, 300, 75, 75, 75, 75, 75, 75, 75, 75],
        }
    )
    classes = need_classes(sectors)
    neediest = neediest_quintile(sectors["need"].to_numpy(), sectors["target"].to_numpy())
    assert list(classes.classes) == [4, 3, 2, 2, 1, 1, 1, 0, 0, 0]
    assert list(classes.classes == 4) == list(neediest)  # darkest = the text's neediest fifth
    assert classes.sectors == (3, 3, 2, 1, 1)
    assert classes.families == pytest.approx((0.1875, 0.1875, 0.125, 0.25, 0.25))
    colour, label = classes.legend("nl")[0]
    assert colour == NEED_COLOURS[-1]
    assert label == "meest kwetsbare vijfde: 1 sector, 25 % van de gezinnen, index 1,00 - 1,00"
    assert classes.legend("en")[-1][1] == (
        "least needy fifth: 3 sectors, 19% of the families, index 0.10 - 0.30"
    )


def test_need_classes_follow_the_plans_neediest_flag_and_skip_missing_values() -> None:
    sectors = pd.DataFrame(
        {
            "need": [0.9, 0.8, math.nan, 0.1],
            "target": [10, 10, 10, 10],
            "neediest_quintile": [True, False, False, False],
        }
    )
    classes = need_classes(sectors)
    assert list(classes.classes) == [4, 2, -1, 0]
    assert classes.fills()[2] == NO_NEED_COLOUR
    assert classes.legend("en")[-1] == (NO_NEED_COLOUR, "no index")
    assert classes.legend("en")[0][1].startswith("neediest fifth: 1 sector, 33% of the families")


def test_sectors_are_coloured_by_need_class(plan: FakePlan) -> None:
    groups = layers(build_map(plan))
    fills = [
        f["properties"]["fill"] for f in geojson_features(groups["Kwetsbaarheidsindex per sector"])
    ]
    # families 100, 250, 150, 60 from the least to the most need: fifths of the 560 families
    assert fills == [NEED_COLOURS[0], NEED_COLOURS[2], NEED_COLOURS[3], NEED_COLOURS[4]]
    page = map_html(plan)
    assert "Kwetsbaarheid: vijfden van de gezinnen" in page
    assert "meest kwetsbare vijfde: 1 sector, 11 % van de gezinnen, index 1,00 - 1,00" in page


def test_plan_without_crs_is_rejected(plan: FakePlan) -> None:
    sectors = plan.sectors.set_crs(None, allow_override=True)
    with pytest.raises(DataError, match=r"plan\.sectors has no CRS"):
        build_map(replace(plan, sectors=sectors))


def test_plan_without_uncovered_sectors_or_links(plan: FakePlan) -> None:
    sectors = plan.sectors.assign(covered_house=True, covered_frequent=True)
    sites = plan.sites.assign(role=["house", "house", "closed", "closed", "closed"])
    page = map_html(replace(plan, sectors=sectors, sites=sites, links=plan.links.iloc[:0]))
    assert "Geen huis binnen 20 min te voet (0 sectoren)" in page
    assert page.count("L.polyline(") == 0


def with_outputs(plan: FakePlan, **outputs: Any) -> FakePlan:
    spec = plan.scenario.outputs.model_copy(update=outputs)
    return replace(plan, scenario=plan.scenario.model_copy(update={"outputs": spec}))


def test_catchments_colour_sectors_by_their_site(plan: FakePlan) -> None:
    groups = layers(build_map(plan))
    houses = [
        f["properties"]["house_colour"]
        for f in geojson_features(groups["Verzorgingsgebied per huis"])
    ]
    assert houses[1] == houses[2] != houses[0]  # B and C are served by H2, A by H1
    assert houses[3] == "#bdbdbd"  # D has no house
    frequent = [
        f["properties"]["frequent_colour"]
        for f in geojson_features(groups["Verzorgingsgebied frequent aanbod (huis of antenne)"])
    ]
    assert len(set(frequent[:3])) == 3  # A1, H2 and A2
    assert groups["Verzorgingsgebied per huis"].show is False


def test_wijk_boundaries_are_dissolved_and_escaped(plan: FakePlan) -> None:
    sectors = plan.sectors.assign(wijk=["Noord", "Noord", EVIL, None])
    fmap = build_map(replace(plan, sectors=sectors))
    groups = layers(fmap)
    features = geojson_features(groups["Wijken (2)"])
    assert sorted(f["properties"]["wijk"] for f in features) == [
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "Noord",
    ]
    noord = next(f for f in features if f["properties"]["wijk"] == "Noord")
    assert noord["geometry"]["type"] == "Polygon"  # two squares side by side, one wijk
    page = map_html(replace(plan, sectors=sectors))
    assert "Wijkgrens" in page
    assert EVIL not in page


def test_no_wijk_layer_without_a_wijk_column(plan: FakePlan) -> None:
    assert not any(name.startswith("Wijken") for name in layers(build_map(plan)))
    assert "Wijkgrens" not in map_html(plan)
    empty = plan.sectors.assign(wijk=None)
    assert not any(
        name.startswith("Wijken") for name in layers(build_map(replace(plan, sectors=empty)))
    )


def test_site_popups_show_colocation(plan: FakePlan) -> None:
    sites = plan.sites.assign(
        is_school=[False, False, True, False, False],
        is_consultatiebureau=[True, False, False, False, False],
        site_type=["buurthuis", "", "school", "bib", EVIL],
    )
    page = map_html(replace(plan, sites=sites))
    assert page.count("Op een school") == 5
    assert "Bij een consultatiebureau" in page
    assert "Soort locatie" in page
    assert EVIL not in page
    assert "Bij kinderopvang" not in page  # no such column


def test_offline_map_loads_nothing_from_the_web(plan: FakePlan) -> None:
    page = map_html(with_outputs(plan, offline=True))
    assert re.search(r"<(script|link|img)\b[^>]*(src|href)\s*=\s*[\"']?https?://", page) is None
    assert re.search(r"url\(\s*[\"']?https?://", page) is None
    assert "@import" not in page
    assert "L.tileLayer(" not in page  # no base tiles by default offline
    assert "cdn.jsdelivr" not in page
    assert "jquery" not in page.lower()
    assert "L.control.layers(" in page
    assert page.count("<script>") >= 2  # Leaflet itself is in the page, before the map
    assert page.index('"1.9.3"') < page.index("L.map(")
    assert "url(data:image/png;base64," in page  # Leaflet's images are inlined
    assert page == map_html(with_outputs(plan, offline=True))  # deterministic


def test_online_map_loads_only_leaflet(plan: FakePlan) -> None:
    page = map_html(plan)
    sources = re.findall(r"<script[^>]+src=\"([^\"]+)\"", page)
    styles = re.findall(r"<link[^>]+href=\"([^\"]+)\"", page)
    assert sources == ["https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"]
    assert styles == ["https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"]
    assert page.count("L.tileLayer(") == 2  # OpenStreetMap and a grey background


def test_tiles_follow_the_scenario(plan: FakePlan) -> None:
    assert "L.tileLayer(" not in map_html(with_outputs(plan, tiles=None))
    assert "L.tileLayer(" not in map_html(with_outputs(plan, tiles="none"))
    offline_osm = map_html(with_outputs(plan, offline=True, tiles="OpenStreetMap.Mapnik"))
    assert offline_osm.count("L.tileLayer(") == 1
    custom = map_html(with_outputs(plan, tiles="https://tiles.example/{z}/{x}/{y}.png"))
    assert custom.count("L.tileLayer(") == 1
