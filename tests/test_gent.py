"""Integration tests on the real Gent data in ../shared/data (skipped when it is absent).

The sector and site layers are prepared once per session (``gent_prepared`` in conftest.py)
from the official files (as ``planner data gent --from ../shared/data --existing-type
library=house`` does) into a temporary folder; the scenarios in scenarios/gent_*.yaml are
then run with their data paths pointed there.
"""

from __future__ import annotations

import typing
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from rasterio.windows import Window

import planner
from planner.data import sources
from planner.data.raster import raster_points
from planner.errors import DataError, NetworkError
from planner.scenario import ObjectiveSpec
from planner.travel.matrices import travel_times
from planner.travel.network import LineOptions, network_from_lines, read_network
from tests.conftest import ROOT, SHARED_DATA, gent_data

if TYPE_CHECKING:
    from pathlib import Path

    from planner.data.prepare import PrepareResult

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not (SHARED_DATA / "gent").is_dir(),
        reason=f"the real Gent data is not in {SHARED_DATA} (../shared/data beside the repo)",
    ),
]

GENT = "44021"
SCENARIOS = sorted((ROOT / "scenarios").glob("gent_*.yaml"))


def gent_scenario(path: Path, prepared: PrepareResult) -> planner.Scenario:
    return planner.load_scenario(
        path,
        gent_data(prepared),
    )


# --- what was loaded --------------------------------------------------------------------------


def test_sector_count_and_population(gent_prepared: PrepareResult) -> None:
    sectors = gpd.read_file(gent_prepared.folder / "sectors.gpkg")
    assert len(sectors) == 201
    assert sectors["population"].sum() == 263_423
    assert sectors["sector_id"].str.startswith(GENT).all()
    assert sectors["population_missing"].sum() == 8  # sectors without inhabitants in 2021
    assert gent_prepared.report["population_unknown_sector"] == 280  # 44021ZZZZ
    assert sectors["target_estimated"].all()
    assert sectors["median_income_suppressed"].sum() == 24
    assert sectors["median_income"].notna().all()
    assert sectors["wijk"].notna().all()
    assert sectors["wijk_name"].nunique() == 25  # from wijken_2024.gpkg, "(Gent)" dropped
    assert "Brugse Poort - Rooigem" in set(sectors["wijk_name"])
    inside = shapely.contains_xy(
        np.asarray(sectors.geometry.array), sectors["point_x"], sectors["point_y"]
    )
    assert inside.all()


def test_sites_and_colocation(gent_prepared: PrepareResult) -> None:
    sites = gpd.read_file(gent_prepared.folder / "sites.gpkg")
    counts = sites["type"].value_counts()
    assert counts["school"] == 29
    assert counts["library"] == 9
    assert counts["generated"] == 193  # one per inhabited sector
    assert (sites.loc[sites["type"] == "library", "existing"] == "house").all()
    assert sites["is_school"].sum() >= counts["school"]
    assert set(sites["colocation"]) >= {"", "school"}
    assert sites["sector_id"].notna().all()


def test_generated_sites_stand_on_the_road_register(
    gent_prepared: PrepareResult, register: gpd.GeoDataFrame
) -> None:
    placed = gent_prepared.report["generated_sites"]
    assert placed["placement"] == "street"
    assert (placed["count"], placed["in_sector"], placed["at_sector_point"]) == (193, 193, 0)
    assert 0 < placed["moved_m"]["median"] <= placed["moved_m"]["max"] < 1000
    sites = gent_prepared.sites
    generated = sites[sites["type"] == "generated"]
    (_, line), distance = register.sindex.nearest(generated.geometry, return_distance=True)
    assert distance.max() < 1e-6, "a generated site is off the road register"
    assert (generated["sector_id"] == generated["site_id"].str[4:]).all()  # in its own sector
    streets = register[register["functional_roadclass"].astype(str) != "0"]
    touching = streets.sindex.query(generated.geometry, predicate="dwithin", distance=1e-6)[0]
    assert set(touching) == set(range(len(generated))), "a site stands on a motorway only"
    assert len(line) >= len(generated)


def test_groendreef_reaches_its_site_over_the_street(gent_prepared: PrepareResult) -> None:
    """Groendreef's generated site is a walking-network node near its point, not the point.

    Before, the site stood on the sector point: 0.59 min apart over the nearest node. Now the
    site stands on a junction (no leg of its own) and the sector point joins the nearest
    street, so the trip is the point's leg to that street plus the walk along it: at least
    the straight line between them at walking speed. A sector's families all sitting at one
    point is a matter of the demand points (``demand.points: network`` spreads them).
    """
    scenario = gent_scenario(ROOT / "scenarios" / "gent_baseline.yaml", gent_prepared)
    network = read_network(scenario.data, scenario.travel)
    sectors = gent_prepared.sectors.set_index("sector_id")
    code = sectors.index[sectors["name"].str.upper() == "GROENDREEF"].item()
    site = gent_prepared.sites.set_index("site_id").geometry[f"gen-{code}"]
    point = sectors.loc[code, ["point_x", "point_y"]].to_numpy(dtype=float)
    assert np.hypot(site.x - point[0], site.y - point[1]) > 1.0
    times = travel_times(
        network, point.reshape(1, 2), np.array([[site.x, site.y]]), max_snap_distance_m=500
    )
    assert times.site_snap_m[0] < 1e-6  # on a node: reached over the street, no straight leg
    per_minute = network.speed_kmh * 1000 / 60
    leg = times.sector_snap_m[0] / per_minute
    straight = np.hypot(site.x - point[0], site.y - point[1]) / per_minute
    assert times.sector_site[0, 0] >= max(leg, straight) - 1e-9


def test_walk_reaches_nearly_everyone(gent_prepared: PrepareResult) -> None:
    scenario = gent_scenario(ROOT / "scenarios" / "gent_baseline.yaml", gent_prepared)
    network = read_network(scenario.data, scenario.travel)
    sectors, sites = gent_prepared.sectors, gent_prepared.sites
    times = travel_times(
        network,
        sectors[["point_x", "point_y"]].to_numpy(dtype=float),
        np.column_stack([sites.geometry.x, sites.geometry.y]),
        max_snap_distance_m=scenario.travel.max_snap_distance_m,
    )
    reached = np.isfinite(times.sector_site).any(axis=1)
    population = sectors["population"].to_numpy(dtype=float)
    share = population[reached].sum() / population.sum()
    assert share >= 0.99, f"only {share:.2%} of the population reaches a candidate on foot"


# --- every scenario runs ----------------------------------------------------------------------


def _objective_kinds() -> tuple[str, ...]:
    return typing.get_args(ObjectiveSpec.model_fields["kind"].annotation)


_AT_MOST_30_S = {"solver.time_limit_s": 30}


@pytest.mark.parametrize("path", SCENARIOS, ids=[path.stem for path in SCENARIOS])
def test_gent_scenario_runs(path: Path, gent_prepared: PrepareResult, tmp_path: Path) -> None:
    import yaml  # noqa: PLC0415

    kind = yaml.safe_load(path.read_text())["objective"]["kind"]
    if kind not in _objective_kinds():
        pytest.skip(f"objective kind {kind!r} is not implemented yet ({_objective_kinds()})")
    # at most 30 s a solve here (gent_phases and gent_relocate ask minutes): a plan stopped by
    # the limit must still come with its gap, and its outputs must still be written
    scenario = planner.load_scenario(path, {**gent_data(gent_prepared), **_AT_MOST_30_S})
    plan = planner.run(scenario)
    summary = plan.summary
    assert summary["proven_optimal"] or summary["gap"] is not None, summary["status"]
    planner.write_outputs(plan, tmp_path / path.stem)
    assert (tmp_path / path.stem / "summary.json").is_file()
    for role in ("house", "frequent"):  # an unreachable family never blanks the figures
        stats = summary["travel_time_min"][role]
        assert stats["mean"] is not None
        assert stats["max"] is not None
        assert stats["unreachable_share"] is not None
    notes = summary["notes"]  # what planner data estimated reaches every plan
    assert any(note.startswith("target group estimated as 4 % of") for note in notes), notes
    assert any("existing houses are stand-ins: library" in note for note in notes), notes
    assert any(note.startswith("site costs are default placeholders") for note in notes)
    suppressed = gent_prepared.report["income"]["suppressed"]
    assert any(f"{len(suppressed)} sectors have an imputed median income" in n for n in notes)
    assert set(suppressed) <= set(summary["imputed_sectors"])
    if path.stem == "gent_today":
        assert summary["houses_new"] == 0
        assert summary["antennes_new"] == 0
        assert summary["houses"] == 9


def test_vindplaatsen_and_a_house_in_named_wijken(gent_prepared: PrepareResult) -> None:
    path = ROOT / "scenarios" / "gent_vindplaatsen.yaml"
    plan = planner.run(gent_scenario(path, gent_prepared))
    block = plan.summary["colocation"]
    assert block["known_types"] == ["school", "childcare", "consultatiebureau"]
    antennes = block["antennes"]
    assert antennes["total"] > 0
    assert antennes["school"]["count"] == antennes["total"]  # every new antenne at a school
    assert block["houses_without_consultatiebureau"] == 1.0  # none in the open data
    wijken = ["Drongen", "Zwijnaarde", "Oostakker"]
    named = planner.load_scenario(
        path,
        {**gent_data(gent_prepared), "rules.house_in": [{"column": "wijk_name", "values": wijken}]},
    )
    plan = planner.run(named)
    sectors = gpd.read_file(gent_prepared.folder / "sectors.gpkg")
    houses = plan.sites[plan.sites["role"] == "house"]
    located = gpd.sjoin(houses, sectors[["wijk_name", "geometry"]], predicate="intersects")
    assert set(wijken) <= set(located["wijk_name"])


def test_more_money_never_reaches_fewer(gent_prepared: PrepareResult) -> None:
    coverage, summaries = {}, {}
    for name in ("gent_today", "gent_low_budget", "gent_baseline"):
        plan = planner.run(gent_scenario(ROOT / "scenarios" / f"{name}.yaml", gent_prepared))
        coverage[name] = plan.summary["coverage"]["house"]
        summaries[name] = plan.summary
    assert coverage["gent_today"] <= coverage["gent_low_budget"] <= coverage["gent_baseline"]
    # every plan's "today" (its existing sites alone) is what the gent_today scenario reaches
    for name in ("gent_low_budget", "gent_baseline"):
        today = summaries[name]["today"]
        assert today["houses"] == summaries["gent_today"]["houses"]
        assert today["coverage"] == summaries["gent_today"]["coverage"], name


# --- bad input on real data -------------------------------------------------------------------


def test_table_of_another_municipality(gent_prepared: PrepareResult) -> None:
    income = sources.read_income_table(SHARED_DATA / "belgium" / "income2021_by_sector.csv")
    aalst = income[income["sector_id"].str.startswith("41002")]
    with pytest.raises(DataError, match=r"no sector of municipality 44021; .*41002"):
        sources.join_on_sector(gent_prepared.sectors, aalst, what="income", municipality=GENT)
    with pytest.raises(DataError, match=r"none of its .* sector codes matches the 201 sectors"):
        sources.join_on_sector(gent_prepared.sectors, aalst, what="income")


def test_code_that_matches_nothing_is_reported(gent_prepared: PrepareResult) -> None:
    population = sources.read_population_table(
        SHARED_DATA / "belgium" / "census2021_population_by_sector.csv"
    )
    extra = pd.DataFrame({"sector_id": ["44021Q99-"], "population": [12.0]})
    table = pd.concat([population, extra], ignore_index=True)
    _, report = sources.join_on_sector(
        gent_prepared.sectors[["sector_id"]], table, what="population", municipality=GENT
    )
    assert report.only_in_table == ("44021Q99-",)
    assert len(report.only_in_sectors) == 8
    assert report.matched == 193


def test_raster_in_another_crs_and_not_covering(
    gent_prepared: PrepareResult, tmp_path: Path
) -> None:
    ghsl = SHARED_DATA / "belgium" / "ghsl_pop_2020_1km_mollweide.tif"
    sectors = gent_prepared.sectors
    full = raster_points(sectors, ghsl)  # ESRI:54009 raster, EPSG:31370 sectors
    assert not full.not_covered
    assert full.raster_population.sum() > 200_000
    with rasterio.open(ghsl) as dataset:
        window = Window(0, 0, dataset.width, 48)  # down to the middle of Gent only
        profile = dataset.profile | {
            "height": 48,
            "transform": dataset.transform,  # the window starts at the first cell
        }
        data = dataset.read(1, window=window)
    cut = tmp_path / "north.tif"
    with rasterio.open(cut, "w", **profile) as out:
        out.write(data, 1)
    part = raster_points(sectors, cut)
    assert len(part.not_covered) > 20
    assert part.partly_covered
    assert set(part.not_covered) | set(part.partly_covered) <= set(sectors["sector_id"])
    inside = shapely.contains_xy(np.asarray(sectors.geometry.array), *part.xy.T)
    assert inside.all()


@pytest.fixture(scope="module")
def register() -> gpd.GeoDataFrame:
    return gpd.read_file(SHARED_DATA / "gent" / "wegsegmenten.geojson").to_crs("EPSG:31370")


def test_line_layer_that_is_not_noded(register: gpd.GeoDataFrame) -> None:
    named = register[register["straatnaam"].notna()]
    streets = named.dissolve("straatnaam").reset_index()  # one line per street: no nodes
    streets["geometry"] = shapely.line_merge(np.asarray(streets.geometry.array))
    with pytest.raises(NetworkError, match=r"does not look noded.*network_split_crossings"):
        network_from_lines(
            streets, mode="walk", speed_kmh=4.5, options=LineOptions(join_ends=False)
        )
    # most streets end on the middle of another (T-junctions): joining them nodes the layer,
    # all but the crossings, which splitting at every crossing adds
    joined = network_from_lines(streets, mode="walk", speed_kmh=4.5)
    assert joined.n_nodes > 5_000
    noded = network_from_lines(
        streets, mode="walk", speed_kmh=4.5, options=LineOptions(split_crossings=True)
    )
    assert noded.n_nodes > joined.n_nodes


def test_line_layer_without_direction_column(register: gpd.GeoDataFrame) -> None:
    lines = register.drop(columns="rijrichting")
    with pytest.raises(DataError, match=r"no one-way column 'rijrichting'.*or to null"):
        network_from_lines(lines, mode="car", speed_kmh=30, oneway_column="rijrichting")
    two_way = network_from_lines(lines, mode="car", speed_kmh=30, oneway_column=None)
    one_way = network_from_lines(register, mode="car", speed_kmh=30, oneway_column="rijrichting")
    assert two_way.n_edges > one_way.n_edges
