"""Property-based fuzzing of the loaders: any input loads, or raises planner's own error.

The scenario loader gets random YAML text, random mappings and random values for every key of
a valid scenario; the table loaders of ``planner.data.sources`` get random bytes and random tables
(any separator, known and unknown columns, NaN, inf, empty cells, unicode, huge numbers); the
sector and site loaders of ``planner.data.inputs`` get random GeoJSON layers. The property is the
same everywhere: the call returns, or raises a :class:`planner.errors.PlannerError`; never
another exception (a pydantic ``ValidationError``, a pandas parser error, a ``KeyError``).

Every test is derandomized (same examples on every run) and counts its examples; the last
test prints the total.
"""

from __future__ import annotations

import csv
import io
import json
import math
import tempfile
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from planner.data.inputs import Inputs, check_inputs, read_inputs
from planner.data.sources import (
    IndicatorColumn,
    read_age_table,
    read_income_table,
    read_indicator_table,
    read_population_table,
    read_table,
)
from planner.demand import build_demand
from planner.errors import PlannerError
from planner.scenario import Scenario, load_scenario, scenario_from_dict
from tests.conftest import scenario_dict

if TYPE_CHECKING:
    from collections.abc import Callable


pytestmark = pytest.mark.filterwarnings(
    "ignore:Could not parse column:UserWarning",  # geopandas: mixed-type GeoJSON columns
    "ignore:invalid value encountered:RuntimeWarning",  # shapely on degenerate polygons
)
EXAMPLES: Counter[str] = Counter()
FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _loads_or_planner_error(call: Callable[[], object]) -> object | None:
    """Run a loader: return its result, or None when it raised planner's own error."""
    try:
        result = call()
    except PlannerError:
        EXAMPLES["(calls ending in planner's own error)"] += 1
        return None
    EXAMPLES["(calls that loaded)"] += 1
    return result


# --- values -------------------------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["", "walk", "cbc", "highs", "EPSG:31370", "EPSG:4326", "1e400", "x\x00y"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def _model_in(annotation: object) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _dotted_keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every key of the scenario, sections and their keys, as dotted paths."""
    keys = []
    for name, field in model.model_fields.items():
        if name in {"source", "source_sha256"}:
            continue
        keys.append(f"{prefix}{name}")
        inner = _model_in(field.annotation)
        if inner is not None and "tuple" not in str(field.annotation):
            keys += _dotted_keys(inner, f"{prefix}{name}.")
    return keys


SCENARIO_KEYS = _dotted_keys(Scenario)


# --- the scenario loader ------------------------------------------------------------------------


@FUZZ
@given(text=st.text(max_size=300))
def test_scenario_text(text: str) -> None:
    EXAMPLES["scenario: random YAML text"] += 1
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scenario.yaml"
        path.write_text(text, encoding="utf-8")
        result = _loads_or_planner_error(lambda: load_scenario(path))
    assert result is None or isinstance(result, Scenario)


@FUZZ
@given(raw=st.dictionaries(st.sampled_from([*SCENARIO_KEYS, "x", ""]), values, max_size=6))
def test_scenario_random_mapping(raw: dict[str, Any]) -> None:
    EXAMPLES["scenario: random mappings"] += 1
    result = _loads_or_planner_error(lambda: scenario_from_dict(raw))
    assert result is None or isinstance(result, Scenario)


@FUZZ
@given(
    changes=st.dictionaries(st.sampled_from(SCENARIO_KEYS), values, min_size=1, max_size=3),
)
def test_scenario_random_values_for_every_key(changes: dict[str, object]) -> None:
    EXAMPLES["scenario: random values for valid keys"] += 1
    result = _loads_or_planner_error(
        lambda: scenario_from_dict(scenario_dict(), base_dir=Path.cwd(), overrides=changes)
    )
    if isinstance(result, Scenario):  # what loads is a valid, frozen scenario
        assert Scenario.model_validate(result.model_dump()) == result.model_copy(
            update={"source": None, "source_sha256": None, "overrides": ()}
        )
    else:
        assert result is None


PATH_KEYS = ["data.sectors", "data.sites", "data.network", "data.population_raster"]


@FUZZ
@given(
    key=st.sampled_from(PATH_KEYS),
    path=st.one_of(st.text(max_size=40), st.sampled_from(["a\x00b", "/abs\x00", "x" * 5000])),
)
def test_scenario_paths(key: str, path: str) -> None:
    EXAMPLES["scenario: random data paths"] += 1
    result = _loads_or_planner_error(
        lambda: scenario_from_dict(scenario_dict(), overrides={key: path})
    )
    assert result is None or isinstance(result, Scenario)


# --- tables (planner.data.sources) ---------------------------------------------------------

CELL_VALUES = ["", "NA", "nan", "NaN", "inf", "-inf", "1e400", "-5", "3,5", "1 234", "0", "x",
               "..", "44021A00-", "44021A01-", "44021ZZZZ", "44021", "0-2", "85+", "3", "ja",
               "\u00e9\u00e8"]  # fmt: skip
COLUMN_NAMES = ["cd_sector", "CD_SECTOR", "statsec", "population", "TOTAL", "ms_population",
                "x65", "rest", "0-2", "age_0_2", "CD_AGE", "MS_POPULATION",
                "ms_median_net_taxable_inc", "median_income", "ms_avg_tot_net_taxable_inc",
                "share", "ind", ""]  # fmt: skip
CELLS = st.one_of(
    st.sampled_from(CELL_VALUES),
    st.text(max_size=12),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
COLUMNS = st.one_of(
    st.sampled_from(COLUMN_NAMES),
    st.text(max_size=10),
)


GOOD_CELLS = st.one_of(
    st.sampled_from(["44021A00-", "44021A01-", "44021B10-", "44021ZZZZ", "", "NA", "-"]),
    st.integers(min_value=0, max_value=5000).map(str),
    st.floats(min_value=0, max_value=1e5).map(lambda v: f"{v:.1f}".replace(".", ",")),
)


@st.composite
def tables(draw: st.DrawFn) -> tuple[str, str]:
    """A delimited text table (separator, text): mostly well-formed, some cells broken."""
    separator = draw(st.sampled_from([",", ";", "|", "\t"]))
    header = [draw(st.sampled_from(["cd_sector", "CD_SECTOR", "statsec"]))]
    header += draw(st.lists(COLUMNS, min_size=1, max_size=4))
    ragged = draw(st.integers(min_value=0, max_value=5)) == 0
    rows = []
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        width = draw(st.integers(0, 7)) if ragged else len(header)
        rows.append(
            [draw(CELLS if draw(st.integers(0, 7)) == 0 else GOOD_CELLS) for _ in range(width)]
        )
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator)
    writer.writerow(header)
    writer.writerows(rows)
    return separator, buffer.getvalue()


def _table_loaders(path: Path) -> list[Callable[[], object]]:
    indicator = [
        IndicatorColumn("share", "higher_is_needier"),
        IndicatorColumn("ind", "lower_is_needier"),
    ]
    return [
        lambda: read_table(path),
        lambda: read_population_table(path),
        lambda: read_age_table(path),
        lambda: read_income_table(path),
        lambda: read_indicator_table(path, indicator),
    ]


@FUZZ
@given(table=tables(), suffix=st.sampled_from([".csv", ".txt"]))
def test_tables_random_content(table: tuple[str, str], suffix: str) -> None:
    EXAMPLES["tables: random CSV/TXT tables"] += 1
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"table{suffix}"
        path.write_text(table[1], encoding="utf-8")
        for load in _table_loaders(path):
            result = _loads_or_planner_error(load)
            assert result is None or isinstance(result, pd.DataFrame)


@FUZZ
@given(
    data=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)),
    suffix=st.sampled_from([".csv", ".txt", ".xlsx", ".tsv"]),
)
def test_tables_random_bytes(data: bytes, suffix: str) -> None:
    EXAMPLES["tables: random bytes (CSV/TXT/XLSX)"] += 1
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"table{suffix}"
        path.write_bytes(data)
        for load in _table_loaders(path):
            result = _loads_or_planner_error(load)
            assert result is None or isinstance(result, pd.DataFrame)


# --- sector and site layers (planner.data.inputs) -------------------------------------------

PROPERTY = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "ja", "nee", "house", "antenne", "huis", "NaN", "inf", "1e400", "\u00e9"]),
    st.text(max_size=8),
)
COORD = st.one_of(
    st.floats(min_value=2.5, max_value=6.4),
    st.floats(min_value=-1e6, max_value=1e6),
)
SITE_COLUMNS = ["site_id", "can_house", "can_antenne", "cost_house", "cost_antenne", "existing",
                "forbidden", "name", "type", "x"]  # fmt: skip
SECTOR_COLUMNS = ["sector_id", "name", "population", "target", "median_income",
                  "deprived_births_share", "x"]  # fmt: skip


def _geometry(kind: str, x: float, y: float, size: float) -> dict[str, Any] | None:
    if not (math.isfinite(x) and math.isfinite(y)):
        return None
    if kind == "point":
        return {"type": "Point", "coordinates": [x, y]}
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    if kind == "bowtie":
        ring = [[x, y], [x + size, y + size], [x + size, y], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


GOOD = {
    "site_id": st.sampled_from(["S1", "S2", "S3", "S1 ", " s2"]),
    "can_house": st.sampled_from([True, False, "ja", "nee", 1, 0, "yes"]),
    "can_antenne": st.sampled_from([True, False, "true", "1", "n"]),
    "cost_house": st.floats(min_value=0, max_value=2e6),
    "cost_antenne": st.floats(min_value=0, max_value=3e5),
    "existing": st.sampled_from(["", "house", "antenne", None, "HOUSE"]),
    "forbidden": st.sampled_from([False, True, "0", None]),
    "name": st.text(max_size=6),
    "type": st.sampled_from(["school", "library", ""]),
    "x": PROPERTY,
    "sector_id": st.sampled_from(["A1", "A2", "B1", "B2", "A1 "]),
    "population": st.integers(min_value=0, max_value=5000),
    "target": st.integers(min_value=0, max_value=100),
    "median_income": st.one_of(st.none(), st.floats(min_value=1e4, max_value=6e4)),
    "deprived_births_share": st.one_of(st.none(), st.floats(min_value=0, max_value=1)),
}


@st.composite
def layers(draw: st.DrawFn, columns: list[str], kind: str) -> str:
    """A GeoJSON FeatureCollection (WGS84): mostly valid rows, some cells and shapes broken."""
    drop = draw(st.sampled_from([*([None] * 3 * len(columns)), *columns]))
    keep = [column for column in columns if column != drop]
    features: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        broken_shape = draw(st.integers(min_value=0, max_value=14)) == 0
        shape = kind
        if broken_shape and kind == "polygon":
            shape = draw(st.sampled_from(["bowtie", "point"]))
        x, y = draw(st.floats(min_value=3.6, max_value=3.8)), draw(st.floats(51.0, 51.1))
        if broken_shape and draw(st.booleans()):
            x, y = draw(COORD), draw(COORD)
        size = draw(st.sampled_from([0.01, 0.005, 0.0])) if broken_shape else 0.01
        properties = {
            column: draw(PROPERTY if draw(st.integers(0, 24)) == 0 else GOOD[column])
            for column in keep
        }
        for column in {"site_id", "sector_id"} & set(keep):
            if draw(st.integers(0, 9)):  # mostly unique ids, sometimes a clash or junk
                properties[column] = f"{column[:2]}{len(features)}"
        features.append(
            {"type": "Feature", "properties": properties, "geometry": _geometry(shape, x, y, size)}
        )
    return json.dumps({"type": "FeatureCollection", "features": features})


def _good_layer(kind: str) -> str:
    base = {
        "point": {"site_id": "S1", "can_house": True, "can_antenne": True,
                  "cost_house": 400000, "cost_antenne": 80000},
        "polygon": {"sector_id": "A1", "name": "A", "population": 100, "target": 10,
                    "median_income": 20000, "deprived_births_share": 0.2},
    }[kind]  # fmt: skip
    feature = {"type": "Feature", "properties": base, "geometry": _geometry(kind, 3.7, 51.05, 0.01)}
    return json.dumps({"type": "FeatureCollection", "features": [feature]})


def _check_layers(sectors: str, sites: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        raw = scenario_dict()
        raw["data"] = {"sectors": "sectors.geojson", "sites": "sites.geojson", "network": "n.gpkg"}
        (Path(folder) / "sectors.geojson").write_text(sectors, encoding="utf-8")
        (Path(folder) / "sites.geojson").write_text(sites, encoding="utf-8")
        scenario = scenario_from_dict(raw, base_dir=Path(folder))
        problems = check_inputs(scenario)
        assert all(isinstance(problem, str) for problem in problems)
        inputs = _loads_or_planner_error(lambda: read_inputs(scenario))
        assert (inputs is None) == bool(problems)
        if isinstance(inputs, Inputs):  # what loads goes on into the demand stage
            EXAMPLES["(layers that went on into the demand stage)"] += 1
            demand = build_demand(inputs.sectors, scenario.need, scenario.standards)
            assert np.isfinite(demand.weight).all()
            assert np.isfinite(demand.xy).all()


@FUZZ
@given(sites=layers(SITE_COLUMNS, "point"))
def test_site_layers(sites: str) -> None:
    EXAMPLES["inputs: random site layers"] += 1
    _check_layers(_good_layer("polygon"), sites)


@FUZZ
@given(sectors=layers(SECTOR_COLUMNS, "polygon"))
def test_sector_layers(sectors: str) -> None:
    EXAMPLES["inputs: random sector layers"] += 1
    _check_layers(sectors, _good_layer("point"))


def test_zz_examples_counted(capsys: pytest.CaptureFixture[str]) -> None:
    """Print how many examples the fuzz tests above ran (all of them when run in order)."""
    with capsys.disabled():
        lines = [f"  {name}: {count}" for name, count in sorted(EXAMPLES.items())]
        total = sum(count for name, count in EXAMPLES.items() if not name.startswith("("))
        print(f"\nhypothesis examples: {total}", *lines, sep="\n")  # noqa: T201
    assert all(count > 0 for count in EXAMPLES.values())
