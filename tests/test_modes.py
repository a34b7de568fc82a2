"""Several modes in one plan: shares per mode, standards per mode, the ``share`` and ``any`` rules.

The hand-checked city: one street of 900 m from (0, 0) to (900, 0), an existing house at its
east end, sector A with its point at the west end and sector B with its point 10 m west of it.
Walking at 4.5 km/h (75 m/min) the house is 12 min from A (12.13 from B), cycling at 13.5 km/h
(225 m/min) 4 min (4.04); both standards are 10 min for the house and 5 for frequent services.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pytest
import yaml
from shapely import LineString, Point, box

from planner.demand.modes import mode_shares, split_by_mode
from planner.demand.need import Demand
from planner.errors import PlanCheckError, PlannerError, ScenarioError
from planner.model import CoverageInstance, solve_coverage
from planner.results.metrics import coverage_by_mode
from planner.scenario import load_scenario
from planner.workflows.pipeline import run
from tests.conftest import TinyCity, solver_spec

if TYPE_CHECKING:
    from pathlib import Path

CRS = "EPSG:31370"


def _city(folder: Path, **travel: Any) -> Path:
    sectors = gpd.GeoDataFrame(
        {
            "sector_id": ["A", "B"],
            "name": ["A", "B"],
            "population": [1000, 1000],
            "target": [100.0, 100.0],
            "income": [20000, 20000],
            "walk_share": [0.5, 1.0],
            "bike_share": [0.5, 0.0],
            "px": [0.0, -10.0],
            "py": [0.0, 0.0],
        },
        geometry=[box(-5, -100, 900, 100), box(-200, -100, -5, 100)],
        crs=CRS,
    )
    sites = gpd.GeoDataFrame(
        {
            "site_id": ["H"],
            "name": ["Huis"],
            "type": ["library"],
            "can_house": [True],
            "can_antenne": [True],
            "cost_house": [0.0],
            "cost_antenne": [0.0],
            "existing": ["house"],
            "forbidden": [False],
        },
        geometry=[Point(900, 0)],
        crs=CRS,
    )
    streets = gpd.GeoDataFrame(
        {"street_id": [0], "oneway": ["D"]},
        geometry=[LineString([(0, 0), (900, 0)])],
        crs=CRS,
    )
    sectors.to_file(folder / "sectors.gpkg", driver="GPKG")
    sites.to_file(folder / "sites.gpkg", driver="GPKG")
    streets.to_file(folder / "streets.gpkg", driver="GPKG")
    raw = {
        "name": "modes",
        "data": {
            "sectors": "sectors.gpkg",
            "sites": "sites.gpkg",
            "network": "streets.gpkg",
            "point_x": "px",
            "point_y": "py",
        },
        "need": {"indicators": [{"column": "income", "direction": "lower_is_needier"}]},
        "demand": {"points": "sector"},
        "travel": {"speeds_kmh": {"walk": 4.5, "bike": 13.5, "car": 30.0}, **travel},
        "standards": {"house_min": 10, "frequent_min": 5, "link_min": 20},
        "budget": {"amount_eur": 0},
        "solver": {"name": "cbc", "time_limit_s": 30},
        "outputs": {"map": False, "note": False, "static_maps": False},
    }
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


def test_one_split_reaches_the_cycling_half(tmp_path: Path) -> None:
    modes = {"walk": {"share": 0.5}, "bike": {"share": 0.5}}
    plan = run(_city(tmp_path, modes=modes))
    summary = plan.summary
    assert summary["check"] == "passed"
    assert "mode shares and coverage per mode" in summary["checked"]
    by_mode = summary["modes"]["coverage_by_mode"]
    assert by_mode["walk"] == {"families": 100.0, "house": 0.0, "frequent": 0.0}
    assert by_mode["bike"] == {"families": 100.0, "house": 1.0, "frequent": 1.0}
    assert summary["coverage"]["house"] == pytest.approx(0.5)  # expected families reached
    assert plan.points is not None
    assert list(plan.points["mode"]) == ["walk", "bike", "walk", "bike"]
    assert list(plan.points["point_id"]) == ["A walk", "A bike", "B walk", "B bike"]
    assert plan.points["tt_house_min"].iloc[:2].tolist() == pytest.approx([12.0, 4.0])
    assert plan.sectors["covered_house_share"].tolist() == pytest.approx([0.5, 0.5])


def test_share_table_per_sector(tmp_path: Path) -> None:
    modes = {"walk": {}, "bike": {}}
    columns = {"walk": "walk_share", "bike": "bike_share"}
    plan = run(_city(tmp_path, modes=modes, mode_share_columns=columns))
    assert plan.summary["check"] == "passed"
    # A: half of 100 families cycle (reached); B: all 100 walk 12.13 min (not reached)
    assert plan.summary["coverage"]["house"] == pytest.approx(50 / 200)
    by_mode = plan.summary["modes"]["coverage_by_mode"]
    assert by_mode["walk"]["families"] == 150.0
    assert by_mode["bike"] == {"families": 50.0, "house": 1.0, "frequent": 1.0}
    assert plan.sectors["covered_house_share"].tolist() == pytest.approx([0.5, 0.0])
    assert plan.points is not None
    assert list(plan.points["point_id"]) == ["A walk", "A bike", "B walk"]  # share 0 dropped


def test_per_mode_standards(tmp_path: Path) -> None:
    # walking within 13 min reaches the house (12 min); cycling within 3 min does not (4 min)
    modes = {"walk": {"share": 0.3, "house_min": 13}, "bike": {"share": 0.7, "house_min": 3}}
    plan = run(_city(tmp_path, modes=modes))
    assert plan.summary["coverage"]["house"] == pytest.approx(0.3)


def test_check_recomputes_coverage_per_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def wrong(*args: Any, **kwargs: Any) -> dict[str, dict[str, float | None]]:
        right = coverage_by_mode(*args, **kwargs)
        return {**right, "walk": {**right["walk"], "house": 1.0}}

    monkeypatch.setattr("planner.results.plan_modes.coverage_by_mode", wrong)
    modes = {"walk": {"share": 0.5}, "bike": {"share": 0.5}}
    with pytest.raises(PlanCheckError, match=r"coverage_by_mode\.walk\.house"):
        run(_city(tmp_path, modes=modes))


def test_demand_points_by_mode(tiny_city: TinyCity) -> None:
    raw = tiny_city.raw_scenario()
    raw["demand"] = {"points": "network"}
    raw["travel"] = {"modes": {"walk": {"share": 0.6}, "bike": {"share": 0.4, "house_min": 20}}}
    raw["outputs"] = {"map": False, "note": False, "static_maps": False}
    plan = run(tiny_city.write_scenario(raw))
    assert plan.summary["check"] == "passed"
    assert plan.points is not None
    points = plan.points
    assert points["point_id"].is_unique
    assert points["point_id"].iloc[0].endswith(" point 1 walk")
    assert points["point_id"].iloc[1].endswith(" point 1 bike")
    by_mode = plan.summary["modes"]["coverage_by_mode"]
    total = by_mode["walk"]["families"] + by_mode["bike"]["families"]
    assert by_mode["walk"]["families"] == pytest.approx(0.6 * total, abs=0.02)
    expected = sum(m["families"] * m["house"] for m in by_mode.values()) / total
    assert plan.summary["coverage"]["house"] == pytest.approx(expected, abs=1e-5)


def test_any_mode_reaches_fully(tmp_path: Path) -> None:
    modes = {"walk": {}, "bike": {}}
    plan = run(_city(tmp_path, modes=modes, combine="any"))
    assert plan.summary["check"] == "passed"
    assert plan.summary["coverage"]["house"] == 1.0
    assert plan.summary["coverage"]["frequent"] == 1.0
    assert plan.summary["modes"]["combine"] == "any"
    assert "the mode reaching each row (combine: any)" in plan.summary["checked"]
    assert "coverage_by_mode" not in plan.summary["modes"]


def test_any_reports_the_reaching_mode_and_its_minutes(tmp_path: Path) -> None:
    # bike standards 5 / 2.5 keep the ratio 1/2: a bike minute counts 10 / 5 = 2 minutes
    modes = {"walk": {}, "bike": {"house_min": 5, "frequent_min": 2.5}}
    plan = run(_city(tmp_path, modes=modes, combine="any"))
    assert plan.summary["check"] == "passed"
    points = plan.points
    assert points is not None
    a = points.iloc[0]
    assert a["mode_house"] == "bike"
    assert a["tt_house_min"] == pytest.approx(8.0)  # standard-equivalent: 4 bike min x 2
    assert a["tt_house_mode_min"] == pytest.approx(4.0)
    assert bool(a["covered_house"])  # bike 4 <= 5
    assert not bool(a["covered_frequent"])  # bike 4 > 2.5, walk 12 > 5
    assert plan.summary["coverage"]["house"] == 1.0
    assert plan.summary["coverage"]["frequent"] == 0.0


def test_any_needs_the_standards_ratio(tmp_path: Path) -> None:
    modes = {"walk": {}, "bike": {"house_min": 20, "frequent_min": 15}}
    with pytest.raises(ScenarioError, match="frequent_min / house_min"):
        load_scenario(_city(tmp_path, modes=modes, combine="any"))


@pytest.mark.parametrize(
    ("travel", "message"),
    [
        ({"modes": {"walk": {"share": 0.5}, "bike": {"share": 0.4}}}, "sum to 0.9"),
        ({"modes": {"walk": {"share": 0.5}, "bike": {}}}, "bike has no share"),
        (
            {
                "speeds_kmh": {"walk": 4.5},
                "modes": {"walk": {"share": 0.5}, "bike": {"share": 0.5}},
            },
            "no speed for mode 'bike'",
        ),
        ({"mode_share_columns": {"walk": "walk_share"}}, "needs travel.modes"),
    ],
)
def test_bad_modes_are_one_line(tmp_path: Path, travel: dict[str, Any], message: str) -> None:
    path = _city(tmp_path)
    raw = yaml.safe_load(path.read_text())
    raw["travel"] = {**raw["travel"], **travel}
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    assert len(error.value.problems) == 1
    assert message in error.value.problems[0]


def test_share_columns_not_summing_to_one_name_the_sectors(tmp_path: Path) -> None:
    modes = {"walk": {}, "bike": {}}
    columns = {"walk": "walk_share", "bike": "walk_share"}  # A 0.5 + 0.5, B 1 + 1
    scenario = load_scenario(_city(tmp_path, modes=modes, mode_share_columns=columns))
    sectors = gpd.read_file(tmp_path / "sectors.gpkg")
    with pytest.raises(PlannerError) as error:
        mode_shares(scenario.travel, sectors)
    expected = (
        "travel.mode_share_columns: the shares (walk_share, walk_share) do not sum to 1 in 1 "
        "sector (B (2)): fix those columns of the sector file"
    )
    assert list(error.value.problems) == [expected]


def test_split_keeps_families_and_tightening(tmp_path: Path) -> None:
    modes = {"walk": {"share": 0.25}, "bike": {"share": 0.75, "house_min": 8}}
    scenario = load_scenario(
        _city(tmp_path, modes=modes),
        {"standards.need_tightening": 0.5},
    )
    demand = Demand(
        target=np.array([40.0]),
        need=np.array([1.0]),
        weight=np.array([80.0]),
        neediest=np.array([True]),
        radius_house=np.array([5.0]),  # 10 (1 - 0.5)
        radius_frequent=np.array([2.5]),
        xy=np.zeros((1, 2)),
        imputed=(),
        sector=np.array([0]),
        share=np.array([1.0]),
        n_sectors=1,
    )
    split = split_by_mode(demand, np.array([[0.25, 0.75]]), scenario.travel, scenario.standards)
    assert split.target.tolist() == [10.0, 30.0]
    assert split.weight.tolist() == [20.0, 60.0]
    assert split.radius_house.tolist() == [5.0, 4.0]  # bike 8 (1 - 0.5)
    assert split.radius_frequent.tolist() == [2.5, 2.5]


def test_two_modes_brute_force() -> None:
    """On random 2-mode instances the plan is optimal for expected families, by enumeration."""
    rng = np.random.default_rng(11)
    for _ in range(5):
        n_points, n_sites = 6, 5
        d = rng.uniform(0, 30, size=(2, n_points, n_sites))  # walk, bike
        radius = np.array([12.0, 18.0])  # house standard per mode
        share = rng.dirichlet([1.0, 1.0], size=n_points)
        target = rng.integers(10, 50, size=n_points).astype(float)
        point, mode = np.nonzero(share > 0)
        rows_t = target[point] * share[point, mode]
        cost = rng.uniform(1, 3, size=n_sites)
        instance = CoverageInstance(
            weight=rows_t,
            d=d[mode, point],
            e=np.zeros((n_sites, n_sites)),
            cost_house=cost,
            cost_antenne=np.full(n_sites, np.inf),
            can_house=np.ones(n_sites, dtype=bool),
            can_antenne=np.zeros(n_sites, dtype=bool),
            existing_house=np.zeros(n_sites, dtype=bool),
            existing_antenne=np.zeros(n_sites, dtype=bool),
            forbidden=np.zeros(n_sites, dtype=bool),
            budget=4.0,
            radius_house=radius[mode],
            radius_frequent=radius[mode],
            link_max=10.0,
            alpha=1.0,
            families=rows_t,
        )
        solution = solve_coverage(instance, solver_spec("cbc"))
        best = 0.0
        for size in range(n_sites + 1):
            for chosen in itertools.combinations(range(n_sites), size):
                if cost[list(chosen)].sum() > 4.0:
                    continue
                within = d[:, :, list(chosen)].min(axis=2, initial=np.inf) <= radius[:, None]
                best = max(best, float((target[:, None] * share * within.T).sum()))
        found = d[:, :, solution.house].min(axis=2, initial=np.inf) <= radius[:, None]
        assert float((target[:, None] * share * found.T).sum()) == pytest.approx(best)


def test_cli_prints_coverage_by_mode(tmp_path: Path) -> None:
    from typer.testing import CliRunner  # noqa: PLC0415

    from planner.cli import app  # noqa: PLC0415

    modes = {"walk": {"share": 0.5}, "bike": {"share": 0.5}}
    result = CliRunner().invoke(
        app, ["run", str(_city(tmp_path, modes=modes)), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    assert (
        "by mode (house / frequent): walk 0 % / 0 % of 100 families; bike 100 % / 100 % of "
        "100 families" in " ".join(result.output.split())
    )
    points = gpd.read_file(tmp_path / "out" / "plan.gpkg", layer="points")
    assert list(points["mode"]) == ["walk", "bike", "walk", "bike"]


def test_the_note_states_coverage_per_mode() -> None:
    from planner.report.note_text import modes_sentence  # noqa: PLC0415

    summary = {
        "modes": {
            "combine": "share",
            "coverage_by_mode": {
                "walk": {"families": 4394.2, "house": 0.6965, "frequent": 0.4303},
                "bike": {"families": 3076.0, "house": 0.9376, "frequent": 0.8425},
            },
        }
    }
    assert modes_sentence(summary, "nl").endswith(
        "te voet 70 % / 43 % van 4.394 gezinnen; met de fiets 94 % / 84 % van 3.076 gezinnen."
    )
    assert "on foot 70% / 43% of 4,394 families" in modes_sentence(summary, "en")
    assert modes_sentence({"modes": {"combine": "any"}}) == ""
    assert modes_sentence({}) == ""


def test_the_map_has_a_point_layer_per_mode(tmp_path: Path) -> None:
    from planner.report.webmap import map_html  # noqa: PLC0415

    modes = {"walk": {"share": 0.5}, "bike": {"share": 0.5, "house_min": 8}}
    plan = run(_city(tmp_path, modes=modes))
    html = map_html(plan, offline=True, tiles=None)
    # walking: 12 min to the house, beyond 10 (0 %); cycling: 4 min, within 8 (100 %)
    assert "Vraagpunten te voet (50 % van de gezinnen): 0 % binnen 10 min van een huis" in html
    bike = "Vraagpunten met de fiets (50 % van de gezinnen): 100 % binnen 8 min van een huis"
    assert bike in html
    assert "Vraagpunten (" not in html  # no layer drawing both modes' rows over each other
    # each family is held to its own mode's standard, and the legend says which
    assert "binnen de norm van hun vervoerswijze (te voet 10, met de fiets 8 min)" in html
