"""The catalogue of bad inputs, each run through ``planner run`` and ``planner validate``.

Every case starts from the tiny city of ``tests/conftest.py`` and breaks one file or one
scenario key. A case that is an input error must end with exit code 2, exactly one ``error:``
line naming the file, column or key, what was expected and how to fix it, no traceback, and an
earlier output folder left untouched. A few cases are *accepted with a warning* (exit code 0):
the warning or note is checked instead.

``docs/bad_inputs.md`` is generated from this list (``python -m tests.test_bad_inputs``) and
every test checks that its case's row and message are in it, so the document cannot drift.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from affine import Affine
from pyproj import Transformer
from shapely import LineString, MultiPoint, MultiPolygon, Point, Polygon, box
from typer.testing import CliRunner

from planner.cli import app
from tests.conftest import ROOT, TinyCity, scenario_dict, tiny_layers
from tests.test_prepare import official_folder

if TYPE_CHECKING:
    from collections.abc import Callable

DOC = ROOT / "docs" / "bad_inputs.md"
CRS_METRES = "EPSG:31370"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
runner = CliRunner()

# --- mutations ----------------------------------------------------------------------------------


def _layer(path: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(path)


def _scenario(city: TinyCity, **changes: object) -> Path:
    """Write the city's scenario with dotted keys changed (value None deletes the key)."""
    raw = city.raw_scenario()
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        node = raw
        for part in parents:
            node = node.setdefault(part, {})
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    return city.write_scenario(raw)


def _edit_sectors(
    edit: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame],
) -> Callable[[TinyCity], Path]:
    def mutate(city: TinyCity) -> Path:
        edit(_layer(city.sectors)).to_file(city.sectors, driver="GPKG")
        return city.scenario

    return mutate


def _edit_sites(edit: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame]) -> Callable[[TinyCity], Path]:
    def mutate(city: TinyCity) -> Path:
        edit(_layer(city.sites)).to_file(city.sites, driver="GPKG")
        return city.scenario

    return mutate


def _edit_streets(
    edit: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame],
) -> Callable[[TinyCity], Path]:
    def mutate(city: TinyCity) -> Path:
        edit(_layer(city.streets)).to_file(city.streets, driver="GPKG")
        return city.scenario

    return mutate


def _keys(**changes: object) -> Callable[[TinyCity], Path]:
    def mutate(city: TinyCity) -> Path:
        return _scenario(city, **changes)

    return mutate


def _mode_share_columns(city: TinyCity) -> Path:
    """Walking and cycling shares per sector, A2's summing to 1.2."""
    sectors = _layer(city.sectors)
    sectors["walk_share"] = [0.5, 0.7, 0.5, 0.5, 0.5, 0.5]
    sectors["bike_share"] = 0.5
    sectors.to_file(city.sectors, driver="GPKG")
    modes = {"walk": {}, "bike": {}}
    columns = {"walk": "walk_share", "bike": "bike_share"}
    return _scenario(city, travel={"modes": modes, "mode_share_columns": columns})


def _set(frame: gpd.GeoDataFrame, column: str, row: int, value: object) -> gpd.GeoDataFrame:
    frame[column] = frame[column].astype(object)
    frame.loc[row, column] = value
    return frame


def _geometry(frame: gpd.GeoDataFrame, row: int, geometry: object) -> gpd.GeoDataFrame:
    geometries = list(frame.geometry)
    geometries[row] = geometry
    return frame.set_geometry(gpd.GeoSeries(geometries, crs=frame.crs))


def _write_bytes(attr: str, data: bytes | Callable[[bytes], bytes]) -> Callable[[TinyCity], Path]:
    def mutate(city: TinyCity) -> Path:
        path: Path = getattr(city, attr)
        path.write_bytes(data(path.read_bytes()) if callable(data) else data)
        return city.scenario

    return mutate


def _unlink(attr: str) -> Callable[[TinyCity], Path]:
    def mutate(city: TinyCity) -> Path:
        getattr(city, attr).unlink()
        return city.scenario

    return mutate


def _sectors_folder(city: TinyCity) -> Path:
    city.sectors.unlink()
    city.sectors.mkdir()
    return city.scenario


def _sectors_as_csv(city: TinyCity) -> Path:
    frame = pd.DataFrame(_layer(city.sectors).drop(columns="geometry"))
    frame.to_csv(city.folder / "sectors.csv", index=False)
    return _scenario(city, data__sectors="sectors.csv")


def _sectors_geojson(text: Callable[[str], str]) -> Callable[[TinyCity], Path]:
    def mutate(city: TinyCity) -> Path:
        path = city.folder / "sectors.geojson"
        _layer(city.sectors).to_file(path, driver="GeoJSON")
        path.write_text(text(path.read_text()))
        return _scenario(city, data__sectors="sectors.geojson")

    return mutate


def _scenario_text(text: str | bytes) -> Callable[[TinyCity], Path]:
    def mutate(city: TinyCity) -> Path:
        if isinstance(text, bytes):
            city.scenario.write_bytes(text)
        else:
            city.scenario.write_text(text)
        return city.scenario

    return mutate


def _scenario_missing(city: TinyCity) -> Path:
    return city.folder / "scenarios" / "tiny.yaml"


def _truncated_yaml(city: TinyCity) -> Path:
    text = city.scenario.read_text()
    city.scenario.write_text(text[: text.index("indicators:")] + "indicators: [{column: med")
    return city.scenario


def _rename_sectors_column(old: str, new: str) -> Callable[[TinyCity], Path]:
    return _edit_sectors(lambda frame: frame.rename(columns={old: new}))


def _rename_sites_column(old: str, new: str) -> Callable[[TinyCity], Path]:
    return _edit_sites(lambda frame: frame.rename(columns={old: new}))


def _costs_divided(frame: gpd.GeoDataFrame, by: float) -> gpd.GeoDataFrame:
    frame["cost_house"] = frame["cost_house"] / by
    frame["cost_antenne"] = frame["cost_antenne"] / by
    return frame


def _no_crs(attr: str) -> Callable[[TinyCity], Path]:
    def mutate(city: TinyCity) -> Path:
        path: Path = getattr(city, attr)
        frame = _layer(path)
        frame = frame.set_crs(None, allow_override=True)
        with warnings.catch_warnings():  # pyogrio warns that the file will have no CRS
            warnings.simplefilter("ignore", UserWarning)
            frame.to_file(path, driver="GPKG")
        return city.scenario

    return mutate


def _all_geographic(city: TinyCity) -> Path:
    _layer(city.sectors).to_crs("EPSG:4326").to_file(city.sectors, driver="GPKG")
    _layer(city.sites).to_crs("EPSG:4326").to_file(city.sites, driver="GPKG")
    return city.scenario


def _multipoint(point: Point) -> MultiPoint:
    return MultiPoint([point])


def _sector_at_pole(city: TinyCity) -> Path:
    sectors = _layer(city.sectors).to_crs("EPSG:4326")
    _geometry(sectors, 0, box(3.0, 90.0, 3.01, 90.01)).to_file(city.sectors, driver="GPKG")
    _layer(city.sites).to_crs("EPSG:4326").to_file(city.sites, driver="GPKG")
    return city.scenario


def _sites_in_degrees(city: TinyCity) -> Path:
    """Sites with Gent's longitudes and latitudes, in a layer that says EPSG:31370 (metres)."""
    sites = _layer(city.sites)
    lon = 3.70 + sites.geometry.x.to_numpy() / 1e5
    lat = 51.03 + sites.geometry.y.to_numpy() / 1e5
    degrees = gpd.GeoSeries(gpd.points_from_xy(lon, lat), index=sites.index, crs=CRS_METRES)
    sites.set_geometry(degrees).to_file(city.sites, driver="GPKG")
    return city.scenario


def _sites_table_without_coordinates(city: TinyCity) -> Path:
    """The sites as a CSV table without coordinate columns."""
    _layer(city.sites).drop(columns="geometry").to_csv(city.folder / "sites.csv", index=False)
    return _scenario(city, data__sites="sites.csv")


def _raster(crs: str, *, west_only: bool = False) -> Callable[[TinyCity], Path]:
    """Write population.tif: 100 m cells over the city and 500 m around (or its west), in crs."""

    def mutate(city: TinyCity) -> Path:
        x0, y0 = Transformer.from_crs(CRS_METRES, crs, always_xy=True).transform(-500.0, 2500.0)
        width = 15 if west_only else 40
        grid = np.full((30, width), 10.0)
        with rasterio.open(
            city.folder / "population.tif", "w", driver="GTiff", height=30, width=width,
            count=1, dtype="float64", crs=crs, transform=Affine(100, 0, x0, 0, -100, y0),
        ) as dataset:  # fmt: skip
            dataset.write(grid, 1)
        return _scenario(city, data__population_raster="population.tif")

    return mutate


def _crossing_streets(city: TinyCity) -> Path:
    """Long streets that cross without sharing a node: the layer is not noded."""
    lines = [LineString([(0, y), (3000, y)]) for y in (250, 750, 1250, 1750)]
    lines += [LineString([(x, 0), (x, 2000)]) for x in (250, 750, 1250, 1750, 2250, 2750)]
    gpd.GeoDataFrame({"oneway": ["D"] * len(lines)}, geometry=lines, crs=CRS_METRES).to_file(
        city.streets, driver="GPKG"
    )
    return city.scenario


BOWTIE = Polygon([(0, 1000), (1000, 2000), (0, 2000), (1000, 1000)])
TWO_PARTS = MultiPolygon([box(0, 1000, 400, 2000), box(600, 1000, 1000, 2000)])


def _west_streets(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Keep only the streets west of x = 1000 m: the eastern sectors lie far from the network."""
    return frame.loc[frame.geometry.bounds["maxx"] <= 1000].reset_index(drop=True)


def _split_streets(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Cut the street grid between x = 1500 and 2000 m: the eastern piece is not connected."""
    bounds = frame.geometry.bounds
    crossing = (bounds["minx"] == 1500) & (bounds["maxx"] == 2000)
    return frame.loc[~crossing].reset_index(drop=True)


def _network_polygons(city: TinyCity) -> Path:
    city.streets.unlink()
    _layer(city.sectors).to_file(city.streets, driver="GPKG")
    return city.scenario


def _strict_standards(city: TinyCity) -> Path:
    _edit_sites(lambda frame: frame.set_geometry(frame.geometry.translate(120.0, 40.0)))(city)
    return _scenario(city, standards={"house_min": 0.01, "frequent_min": 0.01, "link_min": 20})


def _forbid_east(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    frame.loc[frame["site_id"] == "S3", "forbidden"] = True
    return frame


def _name_twice(city: TinyCity) -> Path:
    """Two sites named 'School West', and a rule naming it."""

    def rename(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        frame.loc[frame["site_id"] == "S4", "name"] = "School West"
        return frame

    _edit_sites(rename)(city)
    return _scenario(city, rules={"required_houses": ["School West"]})


def _services(column: str = "type", value: str = "consultatiebureau") -> Callable[[TinyCity], Path]:
    """A services point layer beside the sites (one point near S3), named in data.services."""

    def mutate(city: TinyCity) -> Path:
        layer = gpd.GeoDataFrame({column: [value]}, geometry=[Point(2540, 1500)], crs=CRS_METRES)
        layer.to_file(city.folder / "services.gpkg", driver="GPKG")
        return _scenario(city, data__services="services.gpkg")

    return mutate


def _school_column(city: TinyCity) -> Path:
    """An is_school column with a value that is not true/false."""

    def edit(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        frame["is_school"] = ["ja", "nee", "misschien", ""]
        return frame

    _edit_sites(edit)(city)
    return city.scenario


def _floor_unreachable(city: TinyCity) -> Path:
    _edit_sites(_forbid_east)(city)
    return _scenario(city, rules={"universal_floor": True})


POPULATION = "census2021_population_by_sector.csv"
INCOME = "income2021_by_sector.csv"


def _official(edit: Callable[[Path], None]) -> Callable[[TinyCity], Path]:
    """Build the official download folder of tests/test_prepare.py and break one file."""

    def mutate(city: TinyCity) -> Path:
        folder = official_folder(city.folder / "downloads")
        edit(folder)
        return folder

    return mutate


def _append(name: str, text: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        path = folder / name
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")

    return edit


def _replace(name: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        path = folder / name
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")

    return edit


def _put(name: str, data: bytes) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        (folder / name).write_bytes(data)

    return edit


# --- patches (simulated missing solvers) ----------------------------------------------------------


def _no_cbc(patch: pytest.MonkeyPatch) -> None:
    patch.setattr("planner.solve.result._cbc_path", lambda: None)


def _no_highspy(patch: pytest.MonkeyPatch) -> None:
    import pulp  # noqa: PLC0415 - only for the patch

    patch.setitem(sys.modules, "highspy", None)
    patch.setattr(pulp.HiGHS, "available", lambda _self: False)


PATCHES: dict[str, Callable[[pytest.MonkeyPatch], None]] = {
    "no_cbc": _no_cbc,
    "no_highspy": _no_highspy,
}


# --- the catalogue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One bad input.

    ``expect`` are substrings of the error line (exit code 2) or of the warnings and notes
    (exit code 0); ``validate`` is the exit code of ``planner validate`` (None: not run,
    because validate does not reach the stage that finds the problem). ``command`` is
    ``"run"`` (``mutate`` returns the scenario) or ``"data"`` (``planner data gent`` on the
    folder of official files ``mutate`` returns).
    """

    id: str
    input: str
    mutate: Callable[[TinyCity], Path]
    expect: tuple[str, ...]
    code: int = 2
    validate: int | None = 2
    sets: tuple[str, ...] = ()
    patch: str | None = None
    command: str = "run"


CASES: tuple[Case, ...] = (
    # files: missing, unreadable, empty, truncated, wrong type
    Case(
        "sectors-missing",
        "the sectors file does not exist",
        _unlink("sectors"),
        ("sectors.gpkg does not exist", "data.sectors"),
    ),
    Case(
        "municipality-not-prepared",
        "a Gent scenario run before planner data gent",
        _keys(data__sectors="data/statsec/gent/sectors.gpkg"),
        ("sectors.gpkg does not exist", "not prepared yet", "planner data gent --from"),
    ),
    Case(
        "sectors-folder",
        "data.sectors points at a folder",
        _sectors_folder,
        ("sectors.gpkg is a folder", "data.sectors"),
    ),
    Case(
        "sectors-empty-file",
        "the sectors file is empty (0 bytes)",
        _write_bytes("sectors", b""),
        ("sectors.gpkg", "cannot be opened", "GeoPackage"),
    ),
    Case(
        "sectors-truncated-gpkg",
        "the sectors GeoPackage is cut off after 2 KB",
        _write_bytes("sectors", lambda data: data[:2048]),
        ("sectors.gpkg", "cannot be opened"),
    ),
    Case(
        "sites-png-as-gpkg",
        "a PNG image renamed sites.gpkg",
        _write_bytes("sites", PNG),
        ("sites.gpkg", "cannot be opened"),
    ),
    Case(
        "sectors-csv",
        "a CSV table (no geometry) given as data.sectors",
        _sectors_as_csv,
        ("sectors.csv", "no geometry", "polygon layer"),
    ),
    Case(
        "sectors-geojson-truncated",
        "a GeoJSON file cut off halfway",
        _sectors_geojson(lambda text: text[: len(text) // 2]),
        ("sectors.geojson", "cannot be opened"),
    ),
    Case(
        "sectors-geojson-no-features",
        "a GeoJSON FeatureCollection without features",
        _sectors_geojson(lambda _: '{"type": "FeatureCollection", "features": []}'),
        ("sectors.geojson", "has no rows"),
    ),
    Case(
        "sites-no-rows",
        "the sites layer has columns but no rows",
        _edit_sites(lambda frame: frame.iloc[:0]),
        ("sites.gpkg", "no rows", "add candidate sites"),
    ),
    Case(
        "network-missing",
        "the network file does not exist",
        _unlink("streets"),
        ("streets.gpkg does not exist", "data.network"),
    ),
    Case(
        "network-truncated",
        "the network GeoPackage is cut off after 2 KB",
        _write_bytes("streets", lambda data: data[:2048]),
        ("streets.gpkg", "cannot be read as a line layer"),
    ),
    Case(
        "network-polygons",
        "a polygon layer given as the network",
        _network_polygons,
        ("streets.gpkg", "no LineString", "polygons", "line layer", "layer of areas"),
    ),
    Case(
        "network-no-features",
        "the network layer has no features",
        _edit_streets(lambda frame: frame.iloc[:0]),
        ("streets.gpkg", "is empty"),
    ),
    # the scenario file
    Case(
        "scenario-missing",
        "the scenario file does not exist",
        _scenario_missing,
        ("tiny.yaml does not exist", "check the path"),
    ),
    Case(
        "scenario-empty",
        "the scenario file is empty",
        _scenario_text(""),
        ("scenario.yaml", "the file is empty", "scenarios/demo.yaml"),
    ),
    Case(
        "scenario-truncated",
        "the scenario file is cut off inside a list",
        _truncated_yaml,
        ("scenario.yaml", "malformed YAML at line", "fix the syntax"),
    ),
    Case(
        "scenario-not-utf8",
        "the scenario is saved as Latin-1",
        _scenario_text("name: caf\u00e9\n".encode("latin-1")),
        ("scenario.yaml", "not a UTF-8 text file"),
    ),
    Case(
        "scenario-not-mapping",
        "the scenario is a YAML list",
        _scenario_text("- name\n- data\n"),
        ("scenario.yaml", "expected a mapping of keys", "got list"),
    ),
    # missing and misspelled columns
    Case(
        "sectors-column-misspelled",
        "sector column 'population' spelled 'populaton'",
        _rename_sectors_column("population", "populaton"),
        ("sectors.gpkg", "column 'population' (data.population) is missing", "'populaton'"),
    ),
    Case(
        "sectors-indicator-missing",
        "a need indicator column is not in the sectors",
        _edit_sectors(lambda frame: frame.drop(columns=["median_income"])),
        ("column 'median_income' (need.indicators[0].column) is missing", "available columns"),
    ),
    Case(
        "sites-column-missing",
        "the sites have no cost_house column",
        _edit_sites(lambda frame: frame.drop(columns=["cost_house"])),
        ("sites.gpkg", "column 'cost_house'", "is missing"),
    ),
    Case(
        "sites-column-misspelled",
        "site column 'can_antenne' spelled 'can_antene'",
        _rename_sites_column("can_antenne", "can_antene"),
        ("sites.gpkg", "column 'can_antenne'", "did you mean 'can_antene'"),
    ),
    # scenario keys
    Case(
        "key-misspelled",
        "scenario key standards.house_mins (typo of house_min)",
        _keys(standards__house_mins=12),
        ("unknown key 'standards.house_mins'", "did you mean 'house_min'"),
    ),
    Case(
        "section-misspelled",
        "scenario section 'budgett' instead of 'budget'",
        _keys(budget=None, budgett={"amount_eur": 600000}),
        ("unknown key 'budgett'", "did you mean 'budget'", "required key 'budget' is missing"),
    ),
    Case(
        "key-missing",
        "the scenario has no need section",
        _keys(need=None),
        ("required key 'need' is missing", "add it"),
    ),
    Case(
        "key-text-number",
        "budget.amount_eur is text",
        _keys(budget__amount_eur="veel geld"),
        ("key 'budget.amount_eur'", "should be a number (got 'veel geld')"),
    ),
    Case(
        "key-thousands-separators",
        "budget.amount_eur written 3.000.000 (Dutch thousands separators)",
        _keys(budget__amount_eur="3.000.000"),
        ("key 'budget.amount_eur'", "write 3000000, without thousands separators"),
    ),
    Case(
        "phases-out-of-order",
        "budget.phases with 2028 listed before 2027",
        _keys(
            budget={
                "phases": [{"year": 2028, "amount_eur": 3e5}, {"year": 2027, "amount_eur": 3e5}]
            }
        ),
        ("budget.phases", "the years must rise", "2027 comes after 2028"),
    ),
    Case(
        "phases-year-twice",
        "budget.phases gives the year 2027 twice",
        _keys(
            budget={
                "phases": [{"year": 2027, "amount_eur": 3e5}, {"year": 2027, "amount_eur": 3e5}]
            }
        ),
        ("budget.phases", "year 2027 appears more than once"),
    ),
    Case(
        "phases-negative-budget",
        "a phase of budget.phases with a negative budget",
        _keys(
            budget={
                "phases": [{"year": 2027, "amount_eur": 3e5}, {"year": 2028, "amount_eur": -1e5}]
            }
        ),
        ("key 'budget.phases.1.amount_eur'", "greater than or equal to 0"),
    ),
    Case(
        "phases-sum-differs",
        "budget.amount_eur beside budget.phases that sum to another amount",
        _keys(budget={"amount_eur": 6e5, "phases": [{"year": 2027, "amount_eur": 1e5}]}),
        ("budget.amount_eur (EUR 600,000) differs from the sum of budget.phases",),
    ),
    Case(
        "key-not-a-list",
        "rules.required_houses is one site id, not a list",
        _keys(rules={"required_houses": "S1"}),
        ("key 'rules.required_houses'", "should be a list", "(got 'S1')"),
    ),
    Case(
        "name-with-space",
        "the scenario's name has a space",
        _keys(name="tiny city"),
        ("key 'name'", "no spaces", "names the output folder"),
    ),
    Case(
        "key-negative",
        "standards.house_min is negative",
        _keys(standards__house_min=-5),
        ("key 'standards.house_min'", "greater than 0", "-5"),
    ),
    Case(
        "key-wrong-choice",
        "travel.mode 'fiets' (not one of walk, bike, car)",
        _keys(travel={"mode": "fiets"}),
        ("key 'travel.mode'", "'walk', 'bike' or 'car'", "'fiets'"),
    ),
    Case(
        "modes-share-sum",
        "travel.modes shares that do not sum to one (walk 0.5 + bike 0.4)",
        _keys(travel={"modes": {"walk": {"share": 0.5}, "bike": {"share": 0.4}}}),
        ("travel.modes shares sum to 0.9", "walk 0.5 + bike 0.4", "not 1"),
    ),
    Case(
        "modes-no-speed",
        "a mode of travel.modes without a speed in travel.speeds_kmh",
        _keys(
            travel={
                "speeds_kmh": {"walk": 4.5},
                "modes": {"walk": {"share": 0.5}, "bike": {"share": 0.5}},
            }
        ),
        ("no speed for mode 'bike'", "travel.speeds_kmh"),
    ),
    Case(
        "modes-share-columns-sum",
        "mode share columns of the sectors that do not sum to one in a sector",
        _mode_share_columns,
        ("travel.mode_share_columns", "(walk_share, bike_share) do not sum to 1", "A2 (1.2)"),
    ),
    Case(
        "modes-any-ratio",
        "travel.combine any with a mode whose frequent / house standards differ in ratio",
        _keys(
            travel={
                "modes": {"walk": {}, "bike": {"house_min": 20, "frequent_min": 15}},
                "combine": "any",
            }
        ),
        ("travel.combine any", "frequent_min / house_min", "bike 15/20"),
    ),
    Case(
        "key-percentage-gap",
        "solver.mip_gap: 5 (a percentage where a fraction is expected)",
        _keys(solver__mip_gap=5),
        ("key 'solver.mip_gap'", "a fraction", "0.05 for 5 %"),
    ),
    Case(
        "key-percentage-alpha",
        "objective.alpha: 50 (a percentage where a fraction is expected)",
        _keys(objective={"alpha": 50}),
        ("key 'objective.alpha'", "a fraction", "0.5 for 50 %"),
    ),
    Case(
        "decay-steepness",
        "decay.steepness: 0 (the logistic needs k > 0)",
        _keys(decay={"steepness": 0}),
        ("decay.steepness must be > 0", "got 0"),
    ),
    Case(
        "decay-start-after-end",
        "decay.start not below decay.end (a linear fall of zero length)",
        _keys(decay={"function": "linear", "start": 1.0, "end": 1.0}),
        ("decay.start (1) must be below decay.end (1)", "decay.function: step"),
    ),
    Case(
        "decay-cutoff-below-standard",
        "decay.cutoff: 0.8 (the cut-off before the standard)",
        _keys(decay={"cutoff": 0.8}),
        ("decay.cutoff must be >= 1", "got 0.8"),
    ),
    Case(
        "decay-capacities",
        "objective.kind max_attendance with objective.capacity_column",
        _keys(objective={"kind": "max_attendance", "capacity_column": "capacity"}),
        ("max_attendance does not take capacities", "remove objective.capacity_column"),
    ),
    Case(
        "alternatives-zero",
        "objective.alternatives: 0 (fewer than one plan)",
        _keys(objective={"alternatives": 0}),
        ("objective.alternatives", "greater than or equal to 1"),
    ),
    Case(
        "alternatives-kind",
        "objective.alternatives: 3 with objective.kind p_median",
        _keys(objective={"kind": "p_median", "p": 2, "alternatives": 3}),
        ("p_median does not support alternatives", "objective.alternatives: 1"),
    ),
    Case(
        "alternatives-cbc",
        "objective.alternatives: 3 with solver.name cbc",
        _keys(objective={"alternatives": 3}),
        ("needs solver.name: highs",),
    ),
    Case(
        "alternatives-more-than-exist",
        "objective.alternatives: 5, each differing in 1000 houses: only one plan exists",
        _keys(objective={"alternatives": 5, "alternatives_differ": 1000}, solver={"name": "highs"}),
        ("only 1 distinct plan exists", "5 were asked for"),
        code=0,
        validate=0,
    ),
    Case(
        "set-unknown-key",
        "--set budget.amount=5e5 (key misspelled on the command line)",
        _keys(),
        ("unknown key 'budget.amount'", "did you mean 'amount_eur'"),
        sets=("budget.amount=5e5",),
    ),
    Case(
        "set-section",
        "--set budget=3000000 (a section given a number on the command line)",
        _keys(),
        ("--set budget: budget is a section", "use --set budget.amount_eur=3000000"),
        sets=("budget=3000000",),
    ),
    Case(
        "key-tiles-unknown",
        "outputs.tiles: Bogus.Provider (no such tile provider)",
        _keys(outputs={"tiles": "Bogus.Provider"}),
        ("key 'outputs.tiles'", "not a tile provider name"),
    ),
    # types and units in the data
    Case(
        "population-text",
        "text in the population column",
        _edit_sectors(lambda frame: _set(frame, "population", 0, "veel")),
        ("sectors.gpkg", "column 'population' must hold numbers", "A1='veel'"),
    ),
    Case(
        "population-negative",
        "a negative population",
        _edit_sectors(lambda frame: _set(frame, "population", 0, -10)),
        ("sectors.gpkg", "column 'population' has 1 negative values", "A1"),
    ),
    Case(
        "population-empty",
        "an empty population cell",
        _edit_sectors(lambda frame: _set(frame, "population", 0, None)),
        ("sectors.gpkg", "column 'population' must hold numbers", "A1"),
    ),
    Case(
        "target-above-population",
        "more families in the target group than inhabitants",
        _edit_sectors(lambda frame: _set(frame, "target", 0, 5000)),
        ("sectors.gpkg", "exceeds population", "A1"),
    ),
    Case(
        "share-above-100",
        "a share indicator (deprived_births_share) above 100",
        _edit_sectors(lambda frame: _set(frame, "deprived_births_share", 0, 250.0)),
        ("sectors.gpkg", "'deprived_births_share'", "above 100", "A1"),
    ),
    Case(
        "costs-below-100",
        "site costs in tens of thousands of euro (all below EUR 100)",
        _edit_sites(lambda frame: _costs_divided(frame, 10_000)),
        ("sites.gpkg", "below EUR 100", "in euro"),
    ),
    Case(
        "costs-in-thousands",
        "site costs in thousands of euro (400 for EUR 400,000), budget in euro",
        _edit_sites(lambda frame: _costs_divided(frame, 1000)),
        ("more than 1000 times the most expensive site", "thousands of euro"),
        code=0,
        validate=0,
    ),
    Case(
        "cost-text",
        "text in cost_house",
        _edit_sites(lambda frame: _set(frame, "cost_house", 0, "duur")),
        ("sites.gpkg", "column 'cost_house' must hold numbers", "S1='duur'"),
    ),
    Case(
        "boolean-unreadable",
        "can_house is 'misschien'",
        _edit_sites(lambda frame: _set(frame, "can_house", 0, "misschien")),
        ("sites.gpkg", "column 'can_house' must be true/false", "'misschien'"),
    ),
    Case(
        "existing-unknown-role",
        "existing is 'huis' (not house/antenne/empty)",
        _edit_sites(lambda frame: _set(frame, "existing", 0, "huis")),
        ("sites.gpkg", "column 'existing' must be 'house', 'antenne' or empty", "'huis'"),
    ),
    Case(
        "house-standard-below-frequent",
        "standards.house_min (5 min) below frequent_min (8 min): swapped?",
        _keys(standards__house_min=5),
        ("house_min (5 min) is below frequent_min (8 min)", "swapped"),
        code=0,
        validate=0,
    ),
    Case(
        "budget-below-cheapest",
        "a budget (EUR 1,000) below the cheapest new site",
        _keys(budget__amount_eur=1000),
        ("below the cheapest new site",),
        code=0,
        validate=0,
    ),
    Case(
        "budget-zero",
        "a budget of 0",
        _keys(budget__amount_eur=0),
        ("below the cheapest new site",),
        code=0,
        validate=0,
    ),
    # ids and codes
    Case(
        "sector-id-duplicated",
        "two sectors share the id A1",
        _edit_sectors(lambda frame: _set(frame, "sector_id", 2, "A1")),
        ("sectors.gpkg", "must be unique; duplicated: A1"),
    ),
    Case(
        "site-id-duplicated",
        "two sites share the id S1",
        _edit_sites(lambda frame: _set(frame, "site_id", 1, "S1")),
        ("sites.gpkg", "must be unique; duplicated: S1"),
    ),
    Case(
        "sector-id-empty",
        "a sector without an id",
        _edit_sectors(lambda frame: _set(frame, "sector_id", 0, "")),
        ("sectors.gpkg", "is empty in 1 rows (features 1, counting from 1)"),
    ),
    Case(
        "required-site-unknown",
        "rules.required_houses names a site that does not exist",
        _keys(rules={"required_houses": ["S9"]}),
        ("rules.required_houses: 'S9' is no site id or name",),
    ),
    # CRS
    Case(
        "sectors-no-crs",
        "the sectors layer has no CRS",
        _no_crs("sectors"),
        ("sectors.gpkg", "has no CRS", "EPSG:31370"),
    ),
    Case(
        "sites-other-crs",
        "sites in EPSG:3812, sectors in EPSG:31370",
        _edit_sites(lambda frame: frame.to_crs("EPSG:3812")),
        ("different CRS", "EPSG:3812", "reproject"),
    ),
    Case(
        "sites-geographic",
        "sites in degrees (EPSG:4326), sectors in metres",
        _edit_sites(lambda frame: frame.to_crs("EPSG:4326")),
        ("different CRS", "EPSG:4326", "reproject"),
    ),
    Case(
        "scenario-crs-geographic",
        "data.crs is EPSG:4326 (degrees, not metres)",
        _keys(data__crs="EPSG:4326"),
        ("data.crs", "not projected", "EPSG:31370"),
    ),
    Case(
        "scenario-crs-unknown",
        "data.crs is not a CRS",
        _keys(data__crs="EPSG:999999"),
        ("data.crs", "not a known CRS"),
    ),
    Case(
        "sector-outside-crs",
        "a sector (EPSG:4326) with latitudes above 90 degrees",
        _sector_at_pole,
        ("sectors.gpkg", "EPSG:4326", "1 of 6 sectors (A1", "cannot be in it"),
    ),
    Case(
        "sites-table-no-coordinates",
        "the sites are a CSV table without x / y (or lon / lat) columns",
        _sites_table_without_coordinates,
        ("sites.csv", "no coordinate columns", "add columns x and y in EPSG:31370 (data.crs)"),
    ),
    Case(
        "sites-degrees-as-metres",
        "site coordinates in degrees in a layer that says EPSG:31370 (metres)",
        _sites_in_degrees,
        ("sites.gpkg", "says its CRS is EPSG:31370", "look like EPSG:4326", "set_crs"),
    ),
    Case(
        "network-no-crs",
        "the network layer has no CRS",
        _no_crs("streets"),
        ("streets.gpkg", "has no CRS"),
    ),
    Case(
        "all-geographic",
        "sectors and sites both in EPSG:4326: reprojected to data.crs",
        _all_geographic,
        (),
        code=0,
        validate=0,
    ),
    Case(
        "network-other-crs",
        "the network in EPSG:3812: reprojected to data.crs",
        _edit_streets(lambda frame: frame.to_crs("EPSG:3812")),
        (),
        code=0,
        validate=0,
    ),
    # geometries
    Case(
        "sector-self-intersecting",
        "a self-intersecting (bow-tie) sector polygon",
        _edit_sectors(lambda frame: _geometry(frame, 0, BOWTIE)),
        ("repaired 1 invalid sector polygons", "A1"),
        code=0,
        validate=0,
    ),
    Case(
        "sector-multipart",
        "a sector drawn as a MultiPolygon of two parts",
        _edit_sectors(lambda frame: _geometry(frame, 0, TWO_PARTS)),
        (),
        code=0,
        validate=0,
    ),
    Case(
        "sector-empty-geometry",
        "a sector with an empty geometry",
        _edit_sectors(lambda frame: _geometry(frame, 0, Polygon())),
        ("sectors.gpkg", "1 rows have no geometry (A1)"),
    ),
    Case(
        "sectors-points",
        "sector points instead of polygons",
        _edit_sectors(lambda frame: frame.set_geometry(frame.geometry.centroid)),
        ("sectors.gpkg", "expected Polygon or MultiPolygon geometries, got Point", "A1"),
    ),
    Case(
        "site-multipoint",
        "a site drawn as a MultiPoint",
        _edit_sites(lambda frame: _geometry(frame, 0, MultiPoint([(500, 1500), (600, 1500)]))),
        ("sites.gpkg", "expected Point geometries, got MultiPoint in 1 rows (S1)"),
    ),
    Case(
        "sites-saved-as-multipoint",
        "a sites layer saved as MultiPoint, one point each: read as points",
        _edit_sites(lambda frame: frame.set_geometry(frame.geometry.apply(_multipoint))),
        (),
        code=0,
        validate=0,
    ),
    Case(
        "site-outside-area",
        "a site 40 km outside the sectors",
        _edit_sites(lambda frame: _geometry(frame, 2, Point(40000, 40000))),
        ("1 sites lie more than 1 km outside the sectors (S3)",),
        code=0,
        validate=0,
    ),
    # network reach
    Case(
        "network-partial",
        "the network covers only the western third of the city",
        _edit_streets(_west_streets),
        ("2 of 6 demand points are more than 500 m", "2 sectors (240 families) have no route"),
        code=0,
        validate=0,
    ),
    Case(
        "network-disconnected",
        "the network falls apart in two pieces",
        _edit_streets(_split_streets),
        ("is not connected: kept its largest connected piece", "(240 families) have no route"),
        code=0,
        validate=0,
    ),
    Case(
        "no-site-within-standards",
        "standards so strict (0.01 min) that no site reaches any sector",
        _strict_standards,
        ("no candidate site is within the standards", "relax standards.house_min"),
        validate=None,
    ),
    # contradictory rules
    Case(
        "floor-unreachable",
        "rules.universal_floor with the only eastern site forbidden",
        _floor_unreachable,
        ("universal_floor", "A3"),
        validate=None,
    ),
    Case(
        "min-houses-impossible",
        "rules.min_houses above the number of sites that can be a house",
        _keys(rules={"min_houses": 10}),
        ("rules.min_houses",),
        validate=None,
    ),
    Case(
        "min-houses-above-p",
        "mclp with rules.min_houses above objective.p",
        _keys(objective={"kind": "mclp", "p": 1}, rules={"min_houses": 2}),
        ("rules.min_houses = 2 does not admit objective.p = 1",),
    ),
    # targets instead of a budget (issue 12)
    Case(
        "targets-missing",
        "objective.kind min_cost_targets without objective.targets",
        _keys(objective={"kind": "min_cost_targets"}),
        ("min_cost_targets needs objective.targets",),
    ),
    Case(
        "targets-other-kind",
        "objective.targets with objective.kind max_coverage",
        _keys(objective={"targets": [{"standard": "house", "share": 0.7}]}),
        ("objective.targets is only used by min_cost_targets, not max_coverage",),
    ),
    Case(
        "target-share-percent",
        "a target's share given as a percentage (70 for 0.7)",
        _keys(
            objective={
                "kind": "min_cost_targets",
                "targets": [{"standard": "house", "share": 70}],
            }
        ),
        ("key 'objective.targets.0.share'", "0.7 for 70 %"),
    ),
    Case(
        "target-group-unknown",
        "a target's group that does not exist (poorest)",
        _keys(
            objective={
                "kind": "min_cost_targets",
                "targets": [{"standard": "house", "group": "poorest", "share": 0.9}],
            }
        ),
        ("key 'objective.targets.0.group'", "neediest_fifth"),
    ),
    Case(
        "target-repeated",
        "the same standard and group given two shares",
        _keys(
            objective={
                "kind": "min_cost_targets",
                "targets": [
                    {"standard": "house", "share": 0.9},
                    {"standard": "house", "group": "all", "share": 0.7},
                ],
            }
        ),
        ("objective.targets[1] repeats house / all",),
    ),
    Case(
        "target-out-of-reach",
        "a target above what any plan can reach (every family within the frequent standard)",
        _keys(
            objective={
                "kind": "min_cost_targets",
                "targets": [{"standard": "frequent", "share": 1.0}],
            },
            standards={"frequent_min": 1},
        ),
        ("is out of reach: no plan reaches more than", "lower the share to at most"),
        validate=None,
    ),
    Case(
        "target-budget-too-small",
        "targets whose cheapest plan costs more than the budget",
        _keys(
            objective={
                "kind": "min_cost_targets",
                "targets": [{"standard": "house", "share": 1.0}],
            },
            budget={"amount_eur": 1000},
        ),
        ("is below the cheapest plan that reaches objective.targets: EUR",),
        validate=None,
    ),
    # existing sites as decisions (issue 12)
    Case(
        "budget-total-without-years",
        "budget.basis total without budget.years",
        _keys(budget={"amount_eur": 600000, "basis": "total"}),
        ("budget.basis total needs budget.years",),
    ),
    Case(
        "budget-years-without-total",
        "budget.years with budget.basis investment",
        _keys(budget={"amount_eur": 600000, "years": 10}),
        ("budget.years is only used by budget.basis total, not investment",),
    ),
    Case(
        "budget-yearly-other-kind",
        "budget.basis yearly with objective.kind set_cover",
        _keys(
            budget={"amount_eur": 600000, "basis": "yearly", "running_house_eur": 1000},
            objective={"kind": "set_cover"},
        ),
        ("budget.basis yearly binds max_coverage and max_attendance only, not set_cover",),
    ),
    Case(
        "budget-yearly-without-running-costs",
        "budget.basis yearly with no running cost in the sites file or the budget",
        _keys(budget={"amount_eur": 600000, "basis": "yearly"}),
        ("budget.basis yearly counts the sites' yearly running costs", "running_house_eur"),
        validate=None,
    ),
    Case(
        "running-cost-negative",
        "a negative yearly running cost in the sites file",
        _edit_sites(lambda s: s.assign(running_cost_house=[1000.0, -5.0, 1000.0, 1000.0])),
        ("column 'running_cost_house' must hold euro a year >= 0", "(S2)"),
        validate=None,
    ),
    Case(
        "may-close-new-site",
        "rules.may_close names a site that is not open today",
        _keys(rules={"may_close": ["School West"]}),
        ("rules.may_close names sites that are not open today: S1",),
        validate=None,
    ),
    # policy by name (issue 12)
    Case(
        "site-name-unknown",
        "rules.required_houses names a site by a name that no site has (a typo)",
        _keys(rules={"required_houses": ["Bib Centrm"]}),
        ("rules.required_houses: 'Bib Centrm' is no site id or name", "nearest: 'Bib Centrum'"),
    ),
    Case(
        "site-name-ambiguous",
        "rules.required_houses names a site by a name two sites share",
        _name_twice,
        ("the name 'School West' matches 2 sites (S1, S4)", "write the site_id"),
    ),
    Case(
        "forbidden-existing-kept",
        "rules.forbidden_sites names an existing house while keep_existing keeps it",
        _keys(rules={"forbidden_sites": ["Bib Centrum"]}),
        ("rules.forbidden_sites names existing sites S2", "objective.keep_existing: false"),
    ),
    Case(
        "required-and-forbidden",
        "one site both in rules.required_houses and rules.forbidden_sites",
        _keys(rules={"required_houses": ["S1"], "forbidden_sites": ["School West"]}),
        ("rules.required_houses and rules.forbidden_sites both name S1",),
    ),
    Case(
        "house-in-value-unknown",
        "rules.house_in names a wijk no sector has",
        _keys(rules={"house_in": [{"column": "name", "values": ["Noord-Oostt"]}]}),
        ("no sector has name 'Noord-Oostt' (did you mean 'Noord-Oost'?)", "the values are:"),
    ),
    Case(
        "house-in-column-missing",
        "rules.house_in names a column the sectors lack",
        _keys(rules={"house_in": [{"column": "wijk", "values": ["Muide"]}]}),
        ("rules.house_in[0] (wijk): the sectors have no column 'wijk'",),
    ),
    Case(
        "house-in-no-values",
        "rules.house_in with an empty list of values",
        _keys(rules={"house_in": [{"column": "name", "values": []}]}),
        ("rules.house_in",),
    ),
    Case(
        "house-in-over-budget",
        "rules.house_in asks a house in two wijken the budget cannot both pay for",
        _keys(
            budget={"amount_eur": 600000},
            rules={"house_in": [{"column": "name", "values": ["Noord-West", "Noord-Oost"]}]},
        ),
        ("pas met een budget van minstens EUR 850.000 krijgt elke groep", "S1, S3"),
        validate=None,
    ),
    # vindplaatsen (issue 12)
    Case(
        "colocation-column-missing",
        "colocation.columns names a site column that does not exist",
        _keys(colocation={"columns": {"school": "is_schol"}}),
        ("colocation.columns.school: the sites have no column 'is_schol'", "columns: site_id"),
    ),
    Case(
        "colocation-column-not-boolean",
        "the sites' is_school column holds 'misschien'",
        _school_column,
        ("column 'is_school' must be true/false", "'misschien'"),
    ),
    Case(
        "services-missing",
        "data.services names a file that does not exist",
        _keys(data__services="services.gpkg"),
        ("services.gpkg does not exist", "data.services"),
    ),
    Case(
        "services-type-column-missing",
        "the services layer has no type column",
        _services(column="soort"),
        ("column 'type' (colocation.service_type_column) is missing", "columns: soort"),
    ),
    Case(
        "services-no-known-type",
        "the services layer's types are none of school, childcare, consultatiebureau, loket",
        _services(value="bakker"),
        ("holds none of school, childcare, consultatiebureau, lokaal_loket", "bakker"),
    ),
    Case(
        "colocation-value-not-max-coverage",
        "colocation.value_families with objective.kind p_median",
        _keys(objective={"kind": "p_median", "p": 2}, colocation={"value_families": {"school": 5}}),
        ("colocation.value_families counts in the coverage objective", "not p_median"),
    ),
    Case(
        "antennes-at-impossible",
        "rules.antennes_at consultatiebureau (no site has one) with rules.min_antennes 1",
        _keys(rules={"antennes_at": ["consultatiebureau"], "min_antennes": 1}),
        ("rules.min_antennes asks for 1", "rules.antennes_at (consultatiebureau) leave"),
        validate=None,
    ),
    Case(
        "group-column-missing",
        "rules.house_per_group names a column the sectors lack",
        _keys(rules={"house_per_group": [{"column": "wijk"}]}),
        ("wijk",),
    ),
    # solvers
    Case(
        "solver-cbc-missing",
        "the CBC binary is missing",
        _keys(),
        ("solver 'cbc' is not installed", "solver.name: highs"),
        patch="no_cbc",
        validate=None,
    ),
    Case(
        "solver-highs-missing",
        "highspy cannot be imported and solver.name is highs",
        _keys(solver__name="highs"),
        ("solver 'highs' is not installed", "pip install highspy", "solver.name: cbc"),
        patch="no_highspy",
        validate=None,
    ),
    Case(
        "solver-unknown",
        "solver.name is gurobi",
        _keys(solver__name="gurobi"),
        ("key 'solver.name'", "'highs' or 'cbc'", "'gurobi'"),
    ),
    Case(
        "raster-missing",
        "data.population_raster names a file that does not exist",
        _keys(data__population_raster="population.tif"),
        ("population.tif does not exist", "data.population_raster"),
    ),
    # the population raster and the line layer (issue 3)
    Case(
        "raster-other-crs",
        "the population raster in EPSG:3812 (sectors in EPSG:31370): reprojected",
        _raster("EPSG:3812"),
        (),
        code=0,
        validate=0,
    ),
    Case(
        "raster-not-covering",
        "the population raster covers only the western third of the city",
        _raster(CRS_METRES, west_only=True),
        ("does not cover 4 sectors (A2, A3, B2, B3)", "covers the whole area"),
    ),
    Case(
        "network-not-noded",
        "streets that cross without sharing an end point",
        _crossing_streets,
        ("does not look noded", "data.network_split_crossings: true"),
    ),
    Case(
        "network-no-oneway-column",
        "travel.mode car on a network without the oneway column",
        _edit_streets(lambda frame: frame.drop(columns=["oneway"])),
        ("streets.gpkg has no one-way column 'oneway'", "data.oneway_column"),
        sets=("travel.mode=car",),
        validate=None,
    ),
    # official tables read by `planner data` (Statbel CSV)
    Case(
        "table-duplicate-codes",
        "planner data: a sector code twice in the population table",
        _official(_append(POPULATION, "44021A00-,1,2,3\n")),
        (POPULATION, "sector codes must be unique", "44021A00-", "one row per sector"),
        validate=None,
        command="data",
    ),
    Case(
        "table-unmatched-codes",
        "planner data: a sector without an income row and an income code without a sector",
        _official(_append(INCOME, "44021X99-;NIEUW;1;2\n")),
        ("1 sectors have no row (44021B11-)", "1 table codes match no sector (44021X99-)"),
        code=0,
        validate=None,
        command="data",
    ),
    Case(
        "table-other-municipality",
        "planner data: an income table with codes of another municipality only",
        _official(_put(INCOME, b"cd_sector;ms_median_net_taxable_inc\n41002A00-;30000\n")),
        ("has no sector of municipality 44021", "41002"),
        validate=None,
        command="data",
    ),
    Case(
        "table-text-in-numbers",
        "planner data: text in a population count",
        _official(_replace(POPULATION, "100,900", "honderd,900")),
        (POPULATION, "column 'x65' must hold numbers", "'honderd'"),
        validate=None,
        command="data",
    ),
    Case(
        "table-negative-count",
        "planner data: a negative population count",
        _official(_replace(POPULATION, "100,900", "-100,900")),
        (POPULATION, "column 'x65' counts people but has 1 negative values (lines 2)"),
        validate=None,
        command="data",
    ),
    Case(
        "table-empty",
        "planner data: an empty population file",
        _official(_put(POPULATION, b"")),
        (POPULATION, "the file is empty"),
        validate=None,
        command="data",
    ),
    Case(
        "table-png",
        "planner data: a PNG image renamed .csv",
        _official(_put(POPULATION, PNG)),
        (POPULATION, "it is a PNG image, not a table"),
        validate=None,
        command="data",
    ),
    Case(
        "table-header-only",
        "planner data: an income table cut off after its header",
        _official(_put(INCOME, b"cd_sector;ms_median_net_taxable_inc\n")),
        (INCOME, "has no rows"),
        validate=None,
        command="data",
    ),
    Case(
        "table-code-column-misspelled",
        "planner data: the sector code column is called 'sector'",
        _official(_replace(INCOME, "cd_sector", "sector")),
        (INCOME, "no sector code column", "did you mean 'sector'"),
        validate=None,
        command="data",
    ),
)


# --- running a case -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What one command did: exit code, full output, warnings logged, the message shown."""

    code: int
    output: str
    warnings: tuple[str, ...]
    message: str


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _normalise(text: str, city: TinyCity, out: Path) -> str:
    for path, name in ((out, "<out>"), (city.folder, "<city>")):
        text = text.replace(str(path.resolve()), name).replace(str(path), name)
    return text


def _message(code: int, output: str, said: list[str], expect: tuple[str, ...]) -> str:
    """The error (lines), or for an accepted input the warnings and notes a case expects."""
    lines = output.splitlines()
    errors = [i for i, line in enumerate(lines) if line.startswith("error:")]
    if errors:
        first = errors[0]
        rest = [line.strip() for line in lines[first + 1 :] if line.startswith("  - ")]
        return " ".join([lines[first].removeprefix("error:").strip(), *rest])
    if code != 0:
        problems = [line.strip() for line in lines if line.startswith("  - ")]
        return " ".join(problems)
    relevant = [item for item in dict.fromkeys(said) if any(n in item for n in expect)]
    return " / ".join(relevant) or "accepted"


def run_case(case: Case, city: TinyCity, out: Path, command: str = "run") -> Outcome:
    """Apply the case to a fresh tiny city and run one ``planner`` command on it."""
    target = case.mutate(city)
    if case.command == "data":
        args = ["data", "gent", "--from", str(target), "--out", str(out)]
    else:
        args = [command, str(target)]
    if command == "run" and case.command == "run":
        args += ["--out", str(out)]
    if case.command == "run":  # validate takes --set like run
        for item in case.sets:
            args += ["--set", item]
    collect = _Collect()
    logger = logging.getLogger("planner")
    logger.addHandler(collect)
    patch = pytest.MonkeyPatch()
    try:
        if case.patch is not None:
            PATCHES[case.patch](patch)
        result = runner.invoke(app, args)
    finally:
        patch.undo()
        logger.removeHandler(collect)
    output = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        output += f"\nTraceback: {type(result.exception).__name__}: {result.exception}"
    warnings = tuple(_normalise(m, city, out) for m in collect.messages)
    notes = [line.strip().removeprefix("note:").strip() for line in output.splitlines()]
    notes = [n for n, line in zip(notes, output.splitlines(), strict=True) if "note:" in line]
    message = _message(result.exit_code, output, [*warnings, *notes], case.expect)
    return Outcome(result.exit_code, output, warnings, _normalise(message, city, out))


def _city(folder: Path) -> TinyCity:
    sectors, sites, streets = tiny_layers()
    folder.mkdir(parents=True)
    sectors.to_file(folder / "sectors.gpkg", driver="GPKG")
    sites.to_file(folder / "sites.gpkg", driver="GPKG")
    streets.to_file(folder / "streets.gpkg", driver="GPKG")
    city = TinyCity(
        folder=folder,
        sectors=folder / "sectors.gpkg",
        sites=folder / "sites.gpkg",
        streets=folder / "streets.gpkg",
        scenario=folder / "scenario.yaml",
    )
    city.write_scenario(scenario_dict())
    return city


def _earlier_output(out: Path) -> bytes:
    out.mkdir(parents=True)
    earlier = b'{"from": "an earlier good run"}'
    (out / "summary.json").write_bytes(earlier)
    return earlier


def _doc_rows() -> dict[str, str]:
    rows: dict[str, str] = {}
    if DOC.is_file():
        for line in DOC.read_text(encoding="utf-8").splitlines():
            match = re.match(r"^\| `([\w-]+)` \|", line)
            if match:
                rows[match[1]] = line
    return rows


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# --- tests --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def doc_rows() -> dict[str, str]:
    return _doc_rows()


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_run(case: Case, tmp_path: Path, doc_rows: dict[str, str]) -> None:
    city = _city(tmp_path / "city")
    out = tmp_path / "outputs" / "tiny"
    earlier = _earlier_output(out)
    outcome = run_case(case, city, out)
    assert "Traceback" not in outcome.output, outcome.output
    assert outcome.code == case.code, outcome.output
    if case.code == 0 and case.command == "data":
        assert (out / "sectors.gpkg").is_file()
    elif case.code == 0:
        assert json.loads((out / "summary.json").read_text())["scenario"] == "tiny"
        shown = " ".join(outcome.warnings) + " " + outcome.output
        for needle in case.expect:
            assert needle in shown, (needle, outcome.warnings, outcome.output)
    else:
        error_lines = [line for line in outcome.output.splitlines() if line.startswith("error:")]
        assert len(error_lines) == 1, outcome.output
        for needle in case.expect:
            assert needle in outcome.message, (needle, outcome.message)
        assert (out / "summary.json").read_bytes() == earlier, "an earlier output was touched"
        assert sorted(p.name for p in out.iterdir()) == ["summary.json"]
        assert [p.name for p in out.parent.iterdir()] == ["tiny"], "a half-written folder"
    row = doc_rows.get(case.id)
    assert row is not None, f"{case.id} is not in {DOC}: run python -m tests.test_bad_inputs"
    assert _cell(outcome.message) in row, f"{DOC} is stale: run python -m tests.test_bad_inputs"


@pytest.mark.parametrize(
    "case",
    [case for case in CASES if case.validate is not None],
    ids=[case.id for case in CASES if case.validate is not None],
)
def test_validate(case: Case, tmp_path: Path) -> None:
    city = _city(tmp_path / "city")
    outcome = run_case(case, city, tmp_path / "unused", command="validate")
    assert "Traceback" not in outcome.output, outcome.output
    assert outcome.code == case.validate, outcome.output
    if case.validate:
        for needle in case.expect:
            assert needle in outcome.message, (needle, outcome.output)
    else:
        assert "OK, ready to run" in outcome.output


def test_every_case_is_documented(doc_rows: dict[str, str]) -> None:
    assert set(doc_rows) == {case.id for case in CASES}


# --- the document -------------------------------------------------------------------------------

_HEADER = """# When the input is wrong

Every row below is a test case of `tests/test_bad_inputs.py`: the tiny test city with one file
or one scenario key broken, run through `planner run` and `planner validate` (the `table-*`
cases: the official files of `tests/test_prepare.py` through `planner data gent`). Exit code
`2` is an input error: one `error:` line (or one line per problem after "N problems found")
saying what is wrong, where (file, column, row or scenario key) and how to fix it; nothing is
written and an earlier output of the same scenario is left as it was. Exit code `0` means the
input is accepted: the run goes on and says what it did in a warning or a note (the outcome
column then lists them). Exit code `3` would be a bug (an unexpected error); no case ends there.
`--debug` shows the traceback of any error.

## Decisions

- **Unknown scenario keys and missing columns** name the closest existing key or column
  (`did you mean ...?`, `difflib`), the available columns, and the scenario key to set.
- **Shares and percentages**: a scenario fraction (`objective.alpha`, `solver.mip_gap`,
  `standards.need_tightening`) above 1 is an error that gives the fraction for the percentage;
  a sector column named like a share or percentage (`share`, `pct`, `percent`, `aandeel`, `%`)
  may not exceed 100.
- **Costs**: every positive site cost below EUR 100 is an error (the costs are in thousands);
  a budget more than 1000 times the most expensive site is a warning (it may mean "unlimited").
  A new site whose house costs less than EUR 10,000 is a warning and a note ("costs in euro,
  not thousands?"). **A budget too small for any new site** is a valid answer (exit 0): the
  plan keeps the existing sites and a warning and a note say the budget is below the cheapest
  new site and ask whether it is in euro.
- **`--set` mistakes** name the `--set` option, not the scenario file; a section given a single
  value (`--set budget=3000000`) says which key to set instead.
- **CRS**: sectors and sites must share a CRS (a mismatch is an error: reproject one of them);
  layers in degrees are reprojected to `data.crs`, which itself must be in metres; features
  whose coordinates become infinite there (latitudes beyond 90 degrees) are an error. The
  network is reprojected to `data.crs` from any CRS. A layer without CRS is an error.
- **Geometries**: invalid polygons (self-intersecting) are repaired with `make_valid`, keeping
  their polygonal parts, and named in a warning; a sector with no area left is an error.
  **Multi-part sectors** (MultiPolygon) are fine. **Empty** geometries are an error naming the
  rows. A sites layer saved as MultiPoint with one point per site is read as points; a site
  with several points is an error naming it.
- **Sites outside the study area** (more than 1 km outside every sector) are a warning naming
  them; they stay candidates, because a house just across the border can serve the city.
- **A network that misses sectors** (too far from it, or a piece not connected to the rest)
  is a warning: how much of the network was dropped, and how many sectors and families have no
  route to any site; the plan covers everyone else. A network with no street at all, or no
  line geometry, is an error.
- **Contradictory rules** stop the run with the rule named, and for a universal floor the
  sectors no site can reach, with their families.
- **Alternatives** (`objective.alternatives`, `--alternatives`): fewer than one plan, a kind
  without alternatives (p_median, p_center, max_attendance) or CBC is an error; asking for
  more plans than exist is no error: the run returns those there are and says so.
- **A solver that is not installed** is one line naming it, how to install it and how to
  switch `solver.name`.
- **Statbel tables** (`planner data`): duplicated codes, text or negative numbers in counts,
  empty, unreadable or header-only files and a missing code column are errors; codes that
  match on one side only are a warning listing them on each side, and `planner data` prints
  the counts; a table holding only another municipality's codes is an error naming the codes
  it does hold.
- **`planner validate`** checks the scenario, the files, the simple rules and the network; it
  does not compute travel times or run the solver (cases with validate `-`).

Property-based tests (`tests/test_fuzz.py`, hypothesis, derandomized) feed the scenario loader
random YAML text, random mappings, random values for every key and random data paths, the
table loaders random bytes and random tables (CSV/TXT, any separator, NaN, inf, empty cells,
unicode, huge numbers; `.xlsx` bytes too), and the sector and site loaders random GeoJSON
layers, carrying what loads on into the demand stage: 200 examples each, 1,600 in all. Every
input either loads or raises planner's own error.

Regenerate this file with `python -m tests.test_bad_inputs` after changing a message; the
tests fail when a message here differs from what the command prints.

| case | input | outcome (message; paths shortened to `<city>`) | exit code | validate |
|---|---|---|---|---|
"""


def write_doc(folder: Path) -> str:
    """Run every case and return the Markdown table of their outcomes."""
    lines = [_HEADER.rstrip("\n")]
    for index, case in enumerate(CASES):
        city = _city(folder / f"{index}" / "city")
        outcome = run_case(case, city, folder / f"{index}" / "outputs" / "tiny")
        validate = "-" if case.validate is None else str(case.validate)
        lines.append(
            f"| `{case.id}` | {_cell(case.input)} | {_cell(outcome.message)} | {outcome.code} "
            f"| {validate} |"
        )
    return "\n".join(lines) + "\n"


def _main() -> None:
    logging.getLogger("planner").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as folder:
        DOC.parent.mkdir(exist_ok=True)
        DOC.write_text(write_doc(Path(folder)), encoding="utf-8")


if __name__ == "__main__":
    _main()
