"""QGIS styles inside ``plan.gpkg``: the layers open styled, in the web map's colours.

QGIS reads a GeoPackage's ``layer_styles`` table (its own schema: ``f_table_catalog``,
``f_table_schema``, ``f_table_name``, ``f_geometry_column``, ``styleName``, ``styleQML``,
``styleSLD``, ``useAsDefault``, ``description``, ``owner``, ``ui``, ``update_time``) and
applies the default style of a layer when the layer is added. :func:`write_layer_styles` writes
one QML style per layer, in the colours of ``map.html`` (:mod:`planner.report.assets`):

- ``sectors``: the need classes (``need_class``, fifths of the families, 5 = the neediest
  fifth, the default) and, as a second style, coverage by a house (``covered_house``);
- ``sites``: by role, existing in black and new in orange, houses as squares and antennes as
  dots, closed candidates grey and switched off;
- ``links``: the antenne → house lines;
- ``points`` (the demand points, when the plan has them): within the house standard or not.

The table is registered in ``gpkg_contents`` as an attributes table with the fixed
:data:`~planner.data.layers.GPKG_DATE`, and every ``update_time`` is that date, so the same plan
gives the same bytes. Only the standard library is used (``sqlite3``, ``xml``).
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING
from xml.sax.saxutils import quoteattr

from planner.data.layers import GPKG_DATE
from planner.report.assets import (
    CLOSED_COLOUR,
    EXISTING_COLOUR,
    LINK_COLOUR,
    NEED_COLOURS,
    NEW_COLOUR,
    NO_NEED_COLOUR,
    POINT_IN_COLOUR,
    POINT_OUT_COLOUR,
    UNCOVERED_HOUSE_COLOUR,
)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from planner.report.assets import Language
    from planner.report.need_classes import NeedClasses

__all__ = ["STYLE_TABLE", "layer_style_rows", "write_layer_styles"]

STYLE_TABLE = """
CREATE TABLE IF NOT EXISTS layer_styles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    f_table_catalog TEXT(256),
    f_table_schema TEXT(256),
    f_table_name TEXT(256),
    f_geometry_column TEXT(256),
    styleName TEXT(30),
    styleQML TEXT,
    styleSLD TEXT,
    useAsDefault BOOLEAN,
    description TEXT,
    owner TEXT(30),
    ui TEXT(30),
    update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
)
"""
"""QGIS's ``layer_styles`` table, as QGIS itself creates it in a GeoPackage."""

_WORDS = {
    "nl": {
        "need": "Kwetsbaarheid",
        "coverage": "Bereik huis",
        "roles": "Rol",
        "links": "Koppelingen",
        "covered": "huis binnen de norm",
        "uncovered": "geen huis binnen de norm",
        "house_existing": "huis (bestaand)",
        "house_new": "huis (nieuw)",
        "antenne_existing": "antenne (bestaand)",
        "antenne_new": "antenne (nieuw)",
        "closed": "niet gekozen",
        "link": "antenne → huis",
        "points": "Vraagpunten",
        "made": "planner",
    },
    "en": {
        "need": "Need",
        "coverage": "House reach",
        "roles": "Role",
        "links": "Links",
        "covered": "house within the standard",
        "uncovered": "no house within the standard",
        "house_existing": "house (existing)",
        "house_new": "house (new)",
        "antenne_existing": "antenne (existing)",
        "antenne_new": "antenne (new)",
        "closed": "not chosen",
        "link": "antenne → house",
        "points": "Demand points",
        "made": "planner",
    },
}


def _rgba(colour: str) -> str:
    """``#f69730`` → ``246,151,48,255`` (QGIS's colour notation)."""
    value = colour.lstrip("#")
    return ",".join(str(int(value[k : k + 2], 16)) for k in (0, 2, 4)) + ",255"


def _options(options: dict[str, str]) -> str:
    """Write a symbol layer's options both ways QGIS 3 reads them (``prop`` and ``Option``)."""
    props = "".join(f"<prop k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in options.items())
    named = "".join(
        f'<Option name={quoteattr(k)} type="QString" value={quoteattr(v)}/>'
        for k, v in options.items()
    )
    return f'<Option type="Map">{named}</Option>{props}'


def _fill(name: str, colour: str, outline: str = "#ffffff") -> str:
    layer = _options(
        {
            "color": _rgba(colour),
            "style": "solid",
            "outline_color": _rgba(outline),
            "outline_style": "solid",
            "outline_width": "0.2",
            "outline_width_unit": "MM",
        }
    )
    return (
        f'<symbol type="fill" name={quoteattr(name)} alpha="0.8" clip_to_extent="1" '
        f'force_rhr="0"><layer class="SimpleFill" enabled="1" locked="0" pass="0">{layer}'
        "</layer></symbol>"
    )


def _marker(name: str, colour: str, shape: str, size: float) -> str:
    layer = _options(
        {
            "name": shape,
            "color": _rgba(colour),
            "outline_color": _rgba("#ffffff"),
            "outline_style": "solid",
            "outline_width": "0.3",
            "outline_width_unit": "MM",
            "size": f"{size:g}",
            "size_unit": "MM",
        }
    )
    return (
        f'<symbol type="marker" name={quoteattr(name)} alpha="1" clip_to_extent="1" '
        f'force_rhr="0"><layer class="SimpleMarker" enabled="1" locked="0" pass="0">{layer}'
        "</layer></symbol>"
    )


def _line(name: str, colour: str) -> str:
    layer = _options(
        {
            "line_color": _rgba(colour),
            "line_style": "dash",
            "line_width": "0.5",
            "line_width_unit": "MM",
            "capstyle": "round",
        }
    )
    return (
        f'<symbol type="line" name={quoteattr(name)} alpha="1" clip_to_extent="1" '
        f'force_rhr="0"><layer class="SimpleLine" enabled="1" locked="0" pass="0">{layer}'
        "</layer></symbol>"
    )


def _qml(renderer: str, geometry: int) -> str:
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        '<qgis version="3.28.0" styleCategories="Symbology">'
        f"{renderer}<layerGeometryType>{geometry}</layerGeometryType></qgis>\n"
    )


def _categorized(
    attribute: str, categories: Sequence[tuple[str, str, str]], symbols: Sequence[str]
) -> str:
    """Return a categorized renderer: ``(value, symbol name, label)`` per category."""
    rows = "".join(
        f"<category value={quoteattr(value)} symbol={quoteattr(symbol)} label={quoteattr(label)} "
        'render="true"/>'
        for value, symbol, label in categories
    )
    return (
        f'<renderer-v2 type="categorizedSymbol" attr={quoteattr(attribute)} symbollevels="0" '
        f'enableorderby="0" forceraster="0"><categories>{rows}</categories>'
        f"<symbols>{''.join(symbols)}</symbols></renderer-v2>"
    )


def _need_style(classes: NeedClasses, language: Language) -> str:
    labels = dict(classes.legend(language))
    categories: list[tuple[str, str, str]] = []
    symbols: list[str] = []
    for klass in range(len(NEED_COLOURS) - 1, -1, -1):  # the neediest fifth first
        colour = NEED_COLOURS[klass]
        if colour in labels:
            categories.append((str(klass + 1), str(len(symbols)), labels[colour]))
            symbols.append(_fill(str(len(symbols)), colour))
    if NO_NEED_COLOUR in labels:
        categories.append(("0", str(len(symbols)), labels[NO_NEED_COLOUR]))
        symbols.append(_fill(str(len(symbols)), NO_NEED_COLOUR))
    return _qml(_categorized("need_class", categories, symbols), 2)


def _rules(name: str, rules: Sequence[tuple[str, str, str, bool]], symbols: Sequence[str]) -> str:
    """Return a rule-based renderer: ``(filter, label, symbol name, shown)`` per rule."""
    items = "".join(
        f'<rule key="{{planner-{name}-{k}}}" filter={quoteattr(expression)} '
        f"symbol={quoteattr(symbol)} label={quoteattr(label)}"
        + ("" if shown else ' checkstate="0"')
        + "/>"
        for k, (expression, label, symbol, shown) in enumerate(rules)
    )
    return (
        '<renderer-v2 type="RuleRenderer" symbollevels="0" enableorderby="0" forceraster="0">'
        f'<rules key="{{planner-{name}}}">{items}</rules>'
        f"<symbols>{''.join(symbols)}</symbols></renderer-v2>"
    )


def _coverage_style(language: Language) -> str:
    words = _WORDS[language]
    rules = [
        ('"covered_house"', words["covered"], "0", True),
        ('NOT "covered_house"', words["uncovered"], "1", True),
    ]
    symbols = [_fill("0", POINT_IN_COLOUR), _fill("1", UNCOVERED_HOUSE_COLOUR)]
    return _qml(_rules("coverage", rules, symbols), 2)


_SITE_RULES = (  # filter, label key, colour, shape, size (mm): the web map's markers
    (
        "\"role\" = 'house' AND \"existing_role\" = 'house'",
        "house_existing",
        EXISTING_COLOUR,
        "square",
        4.2,
    ),
    ("\"role\" = 'house' AND \"existing_role\" <> 'house'", "house_new", NEW_COLOUR, "square", 4.2),
    (
        "\"role\" = 'antenne' AND \"existing_role\" = 'antenne'",
        "antenne_existing",
        EXISTING_COLOUR,
        "circle",
        3.0,
    ),
    (
        "\"role\" = 'antenne' AND \"existing_role\" <> 'antenne'",
        "antenne_new",
        NEW_COLOUR,
        "circle",
        3.0,
    ),
    ("\"role\" = 'closed'", "closed", CLOSED_COLOUR, "circle", 1.6),
)


def _sites_style(language: Language) -> str:
    words = _WORDS[language]
    rules = [
        (expression, words[key], str(k), key != "closed")
        for k, (expression, key, _, _, _) in enumerate(_SITE_RULES)
    ]
    symbols = [
        _marker(str(k), colour, shape, size)
        for k, (_, _, colour, shape, size) in enumerate(_SITE_RULES)
    ]
    return _qml(_rules("sites", rules, symbols), 0)


def _links_style() -> str:
    renderer = (
        '<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" forceraster="0">'
        f"<symbols>{_line('0', LINK_COLOUR)}</symbols></renderer-v2>"
    )
    return _qml(renderer, 1)


def _points_style(language: Language) -> str:
    words = _WORDS[language]
    rules = [
        ('"covered_house"', words["covered"], "0", True),
        ('NOT "covered_house"', words["uncovered"], "1", True),
    ]
    symbols = [
        _marker("0", POINT_IN_COLOUR, "circle", 1.2),
        _marker("1", POINT_OUT_COLOUR, "circle", 1.2),
    ]
    return _qml(_rules("points", rules, symbols), 0)


def layer_style_rows(
    classes: NeedClasses, language: Language = "nl"
) -> list[tuple[str, str, str, bool, str]]:
    """Return the styles to store: layer, style name, QML, default or not, description.

    Parameters
    ----------
    classes
        The plan's need classes (:func:`planner.report.need_classes.need_classes`), for the
        sectors' legend.
    language
        ``nl`` or ``en``: the style names and legend labels.

    Returns
    -------
    list of tuple
        One row per style; the first style of each layer is its default. A layer the
        GeoPackage does not hold (``points`` of a plan without demand points) is skipped.
    """
    words = _WORDS[language]
    return [
        ("sectors", words["need"], _need_style(classes, language), True, words["need"]),
        ("sectors", words["coverage"], _coverage_style(language), False, words["coverage"]),
        ("sites", words["roles"], _sites_style(language), True, words["roles"]),
        ("links", words["links"], _links_style(), True, words["links"]),
        ("points", words["points"], _points_style(language), True, words["points"]),
    ]


def write_layer_styles(path: Path, classes: NeedClasses, language: Language = "nl") -> None:
    """Store QGIS styles for the plan's layers in the GeoPackage's ``layer_styles`` table.

    Parameters
    ----------
    path
        The GeoPackage (``plan.gpkg``), with its ``sectors``, ``sites`` and ``links`` layers.
    classes
        The plan's need classes, for the sectors' style and legend.
    language
        ``nl`` or ``en``.
    """
    with sqlite3.connect(path) as connection:
        geometry = dict(
            connection.execute("SELECT table_name, column_name FROM gpkg_geometry_columns")
        )
        connection.execute(STYLE_TABLE)
        connection.execute(
            "INSERT OR REPLACE INTO gpkg_contents (table_name, data_type, identifier, "
            "description, last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', "
            "'', ?)",
            (GPKG_DATE,),
        )
        connection.executemany(
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
            "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
            "owner, ui, update_time) VALUES ('', '', ?, ?, ?, ?, '', ?, ?, 'planner', '', ?)",
            [
                (layer, geometry.get(layer, "geom"), name, qml, default, text, GPKG_DATE)
                for layer, name, qml, default, text in layer_style_rows(classes, language)
                if layer in geometry
            ],
        )
    connection.close()
