"""Shared fixtures: a tiny city written in code, and a scenario file pointing at it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pytest
import yaml
from shapely import LineString, Point, box

from planner.scenario import SolverSpec
from planner.solve import available_solvers

if TYPE_CHECKING:
    from collections.abc import Iterator

    from planner.data.inputs import Inputs
    from planner.data.prepare import PrepareResult
    from planner.demand import Demand
    from planner.results.plan import Plan
    from planner.scenario import Scenario
    from planner.travel.matrices import TravelTimes

CRS = "EPSG:31370"
ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
ORLIB = ROOT.parent / "shared" / "benchmarks" / "orlib_pmed"
needs_orlib = pytest.mark.skipif(
    not ORLIB.is_dir(), reason=f"OR-Library instances not found at {ORLIB}"
)
SOLVER_NAMES = ["cbc", "highs"]


def solver_spec(name: str, **kwargs: Any) -> SolverSpec:
    """Solver options for a test; skips the test when that solver is not installed."""
    if name not in available_solvers():
        pytest.skip(f"solver {name} not installed")
    return SolverSpec(name=name, **kwargs)


@dataclass
class Case:
    """What a plan was made from: the scenario, inputs, demand rows and travel times."""

    scenario: Scenario
    inputs: Inputs
    demand: Demand
    travel: TravelTimes


def run_capturing(scenario: Scenario | Path) -> tuple[Plan, Case]:
    """Run a scenario and return its checked plan with what the plan check was given."""
    from planner.workflows import pipeline  # noqa: PLC0415 - only the tests that need it

    captured: dict[str, Any] = {}
    original = pipeline.check_plan

    def spy(plan: Plan, inputs: Inputs, demand: Demand, travel: TravelTimes) -> dict[str, Any]:
        captured.update(inputs=inputs, demand=demand, travel=travel)
        return original(plan, inputs, demand, travel)

    patch = pytest.MonkeyPatch()
    patch.setattr(pipeline, "check_plan", spy)
    try:
        plan = pipeline.run(scenario)
    finally:
        patch.undo()
    return plan, Case(plan.scenario, captured["inputs"], captured["demand"], captured["travel"])


@dataclass
class TinyCity:
    folder: Path
    sectors: Path
    sites: Path
    streets: Path
    scenario: Path

    def raw_scenario(self) -> dict[str, Any]:
        return yaml.safe_load(self.scenario.read_text())

    def write_scenario(self, raw: dict[str, Any], name: str = "scenario.yaml") -> Path:
        path = self.folder / name
        path.write_text(yaml.safe_dump(raw, sort_keys=False))
        return path


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep every test's network and matrix cache out of the user's ``~/.cache/planner``."""
    patch = pytest.MonkeyPatch()
    patch.setenv("PLANNER_CACHE_DIR", str(tmp_path_factory.mktemp("planner-cache")))
    yield
    patch.undo()


def tiny_layers() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """A 3 x 2 grid of 1 km sectors, a street grid every 500 m, four candidate sites."""
    sectors = gpd.GeoDataFrame(
        {
            "sector_id": ["A1", "A2", "A3", "B1", "B2", "B3"],
            "name": ["Noord-West", "Noord", "Noord-Oost", "Zuid-West", "Zuid", "Zuid-Oost"],
            "population": [1000, 2000, 1500, 800, 1200, 900],
            "target": [100, 250, 150, 60, 130, 90],
            "median_income": [21000, 24000, 30000, 35000, 27000, 33000],
            "deprived_births_share": [0.40, 0.30, 0.10, 0.05, 0.20, 0.08],
        },
        geometry=[
            box(x * 1000, y * 1000, (x + 1) * 1000, (y + 1) * 1000)
            for y in (1, 0)
            for x in (0, 1, 2)
        ],
        crs=CRS,
    )
    lines = [
        LineString([(k * 500.0, j * 500.0), (k * 500.0, (j + 1) * 500.0)])
        for k in range(7)
        for j in range(4)
    ] + [
        LineString([(k * 500.0, j * 500.0), ((k + 1) * 500.0, j * 500.0)])
        for j in range(5)
        for k in range(6)
    ]
    streets = gpd.GeoDataFrame(
        {
            "street_id": range(len(lines)),
            "name": [f"straat {i}" for i in range(len(lines))],
            "oneway": ["D"] * len(lines),
        },
        geometry=lines,
        crs=CRS,
    )
    sites = gpd.GeoDataFrame(
        {
            "site_id": ["S1", "S2", "S3", "S4"],
            "name": ["School West", "Bib Centrum", "Buurthuis Oost", "Kerk Zuid"],
            "type": ["school", "library", "community_centre", "community_centre"],
            "can_house": [True, True, True, False],
            "can_antenne": [True, True, True, True],
            "cost_house": [400000.0, 500000.0, 450000.0, 0.0],
            "cost_antenne": [80000.0, 90000.0, 70000.0, 60000.0],
            "existing": ["", "house", "", ""],
            "forbidden": [False, False, False, False],
        },
        geometry=[Point(500, 1500), Point(1500, 1000), Point(2500, 1500), Point(1500, 500)],
        crs=CRS,
    )
    return sectors, sites, streets


def scenario_dict(name: str = "tiny") -> dict[str, Any]:
    return {
        "name": name,
        "data": {
            "sectors": "sectors.gpkg",
            "sites": "sites.gpkg",
            "network": "streets.gpkg",
        },
        "need": {
            "indicators": [
                {"column": "median_income", "direction": "lower_is_needier"},
                {"column": "deprived_births_share", "direction": "higher_is_needier"},
            ],
            "equity_lambda": 1.0,
        },
        # one point per sector: the tests of sector-level figures; demand points have their own
        "demand": {"points": "sector"},
        "standards": {"house_min": 15, "frequent_min": 8, "link_min": 20},
        "budget": {"amount_eur": 600000},
        "solver": {"name": "cbc", "time_limit_s": 30},
    }


@pytest.fixture
def tiny_city(tmp_path: Path) -> TinyCity:
    sectors, sites, streets = tiny_layers()
    folder = tmp_path / "city"
    folder.mkdir()
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


@pytest.fixture(scope="session")
def gent_prepared(tmp_path_factory: pytest.TempPathFactory) -> PrepareResult:
    """Gent's sectors and sites prepared once per session from ../shared/data.

    As ``planner data gent --from ../shared/data --existing-type library=house`` does, into a
    temporary folder. Only for modules that skip when the shared data is absent.
    """
    from planner.data import prepare  # noqa: PLC0415 - only the Gent integration tests need it

    return prepare.prepare_from_folder(
        "gent",
        SHARED_DATA,
        tmp_path_factory.mktemp("statsec") / "gent",
        options=prepare.PrepareOptions(existing_types={"library": "house"}),
    )


def gent_data(prepared: PrepareResult) -> dict[str, str]:
    """Scenario overrides pointing ``data.sectors`` / ``data.sites`` at the prepared Gent."""
    return {
        "data.sectors": str(prepared.folder / "sectors.gpkg"),
        "data.sites": str(prepared.folder / "sites.gpkg"),
    }
