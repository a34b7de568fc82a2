"""plan.gpkg opens styled in QGIS: QML styles in the GeoPackage's layer_styles table."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

import pyogrio
import pytest

from planner.report.assets import EXISTING_COLOUR, NEED_COLOURS, NEW_COLOUR
from planner.report.gpkg_styles import _rgba
from planner.report.outputs import GPKG_DATE, write_outputs
from tests.test_staticmap import tiny_plan

if TYPE_CHECKING:
    from pathlib import Path

    from planner.results.plan import Plan

QGIS_COLUMNS = [
    "id",
    "f_table_catalog",
    "f_table_schema",
    "f_table_name",
    "f_geometry_column",
    "styleName",
    "styleQML",
    "styleSLD",
    "useAsDefault",
    "description",
    "owner",
    "ui",
    "update_time",
]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Plan, Path]:
    folder = tmp_path_factory.mktemp("gpkg")
    plan = tiny_plan(folder / "city")
    write_outputs(plan, folder / "out")
    return plan, folder / "out" / "plan.gpkg"


def qml_root(qml: str) -> ET.Element:
    """Parse a QML style (our own output) after its DOCTYPE line."""
    return ET.fromstring(qml.split("\n", 1)[1])  # noqa: S314 - planner's own QML


def styles(path: Path) -> list[sqlite3.Row]:
    with sqlite3.connect(path) as connection:
        connection.row_factory = sqlite3.Row
        rows = connection.execute("SELECT * FROM layer_styles ORDER BY id").fetchall()
    connection.close()
    return rows


def test_layer_styles_table_has_qgis_schema(written: tuple[Plan, Path]) -> None:
    _, path = written
    with sqlite3.connect(path) as connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(layer_styles)")]
        contents = connection.execute(
            "SELECT data_type, last_change FROM gpkg_contents WHERE table_name = 'layer_styles'"
        ).fetchone()
    connection.close()
    assert columns == QGIS_COLUMNS
    assert contents == ("attributes", GPKG_DATE)


def test_every_layer_has_one_default_style_that_parses(written: tuple[Plan, Path]) -> None:
    _, path = written
    rows = styles(path)
    defaults = {row["f_table_name"] for row in rows if row["useAsDefault"]}
    assert defaults == set(pyogrio.list_layers(path)[:, 0]) - {"layer_styles"}
    assert {"sectors", "sites", "links"} <= defaults
    assert sorted(row["f_table_name"] for row in rows if row["useAsDefault"]) == sorted(defaults)
    for row in rows:
        assert row["update_time"] == GPKG_DATE
        assert row["f_geometry_column"] == "geom"  # GDAL's geometry column in a GeoPackage
        root = qml_root(row["styleQML"])
        assert root.tag == "qgis"
        assert root.find("renderer-v2") is not None


def test_sectors_style_uses_the_need_classes_of_the_maps(written: tuple[Plan, Path]) -> None:
    _, path = written
    qml = next(r["styleQML"] for r in styles(path) if r["f_table_name"] == "sectors")
    renderer = qml_root(qml).find("renderer-v2")
    assert renderer is not None
    assert renderer.get("type") == "categorizedSymbol"
    assert renderer.get("attr") == "need_class"
    categories = renderer.findall("categories/category")
    assert categories[0].get("value") == "5"  # the neediest fifth first
    assert "meest kwetsbare vijfde" in str(categories[0].get("label"))
    colours = {
        option.get("value") for option in renderer.iter("Option") if option.get("name") == "color"
    }
    assert _rgba(NEED_COLOURS[-1]) in colours
    layer = pyogrio.read_dataframe(path, layer="sectors")
    flags = layer["neediest_quintile"].astype(bool)
    assert (layer.loc[flags, "need_class"] == 5).all()
    assert set(layer["need_class"]) <= {0, 1, 2, 3, 4, 5}
    coverage = [r for r in styles(path) if r["styleName"] == "Bereik huis"]
    assert len(coverage) == 1
    assert not coverage[0]["useAsDefault"]


def test_sites_style_by_role_in_the_web_map_colours(written: tuple[Plan, Path]) -> None:
    _, path = written
    qml = next(r["styleQML"] for r in styles(path) if r["f_table_name"] == "sites")
    renderer = qml_root(qml).find("renderer-v2")
    assert renderer is not None
    assert renderer.get("type") == "RuleRenderer"
    filters = [rule.get("filter") for rule in renderer.iter("rule")]
    assert "\"role\" = 'house' AND \"existing_role\" = 'house'" in filters
    assert "\"role\" = 'closed'" in filters
    values = {option.get("value") for option in renderer.iter("Option")}
    assert {_rgba(EXISTING_COLOUR), _rgba(NEW_COLOUR), "square", "circle"} <= values


def test_sectors_layer_keeps_the_input_indicators(written: tuple[Plan, Path]) -> None:
    plan, path = written
    layer = pyogrio.read_dataframe(path, layer="sectors")
    for indicator in plan.scenario.need.indicators:
        assert indicator.column in layer.columns
