from pathlib import Path

import geopandas as gpd
import pytest

from planner.data.inputs import check_inputs, read_inputs
from planner.errors import DataError, InputFileError
from planner.scenario import load_scenario
from tests.conftest import TinyCity


def test_reads_and_standardises(tiny_city: TinyCity) -> None:
    inputs = read_inputs(load_scenario(tiny_city.scenario))
    assert list(inputs.sectors["sector_id"]) == ["A1", "A2", "A3", "B1", "B2", "B3"]
    assert inputs.sites["existing_role"].tolist() == ["", "house", "", ""]
    assert inputs.sites["can_house"].dtype == bool
    assert str(inputs.sectors.crs) == "EPSG:31370"


def test_file_order_does_not_matter(tiny_city: TinyCity) -> None:
    sites = gpd.read_file(tiny_city.sites).iloc[::-1]
    sites.to_file(tiny_city.sites, driver="GPKG")
    inputs = read_inputs(load_scenario(tiny_city.scenario))
    assert inputs.sites["site_id"].tolist() == ["S1", "S2", "S3", "S4"]


def test_missing_file(tiny_city: TinyCity) -> None:
    tiny_city.sites.unlink()
    with pytest.raises(InputFileError, match=r"sites file .*sites\.gpkg does not exist"):
        read_inputs(load_scenario(tiny_city.scenario))


def test_unreadable_file(tiny_city: TinyCity) -> None:
    tiny_city.sectors.write_bytes(b"this is not a geopackage")
    with pytest.raises(InputFileError, match="cannot be opened as a vector layer"):
        read_inputs(load_scenario(tiny_city.scenario))


def test_all_problems_at_once(tiny_city: TinyCity) -> None:
    sectors = gpd.read_file(tiny_city.sectors)
    sectors.loc[1, "sector_id"] = "A1"
    sectors["population"] = sectors["population"].astype(object)
    sectors.loc[2, "population"] = "veel"
    sectors.loc[3, "population"] = -5
    sectors.to_file(tiny_city.sectors, driver="GPKG")
    sites = gpd.read_file(tiny_city.sites).drop(columns=["cost_house"])
    sites.to_file(tiny_city.sites, driver="GPKG")
    problems = check_inputs(load_scenario(tiny_city.scenario))
    text = "\n".join(problems)
    assert "must be unique; duplicated: A1" in text
    assert "'population' must hold numbers" in text
    assert "'population' has 1 negative values" in text
    assert "column 'cost_house' (a required column) is missing" in text
    with pytest.raises(DataError):
        read_inputs(load_scenario(tiny_city.scenario))


def test_missing_column_lists_available(tiny_city: TinyCity) -> None:
    sectors = gpd.read_file(tiny_city.sectors).rename(columns={"target": "kinderen"})
    sectors.to_file(tiny_city.sectors, driver="GPKG")
    with pytest.raises(DataError, match=r"column 'target' \(data.target\) is missing.*kinderen"):
        read_inputs(load_scenario(tiny_city.scenario))


def test_different_crs_rejected(tiny_city: TinyCity) -> None:
    sites = gpd.read_file(tiny_city.sites).to_crs("EPSG:4326")
    sites.to_file(tiny_city.sites, driver="GPKG")
    with pytest.raises(DataError, match="different CRS"):
        read_inputs(load_scenario(tiny_city.scenario))


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_missing_crs_rejected(tiny_city: TinyCity, tmp_path: Path) -> None:
    sectors = gpd.read_file(tiny_city.sectors)
    sectors = sectors.set_crs(None, allow_override=True)
    sectors.to_file(tiny_city.sectors, driver="GPKG")
    with pytest.raises(DataError, match="sectors layer has no CRS"):
        read_inputs(load_scenario(tiny_city.scenario))


def test_target_above_population(tiny_city: TinyCity) -> None:
    sectors = gpd.read_file(tiny_city.sectors)
    sectors.loc[0, "target"] = 5000
    sectors.to_file(tiny_city.sectors, driver="GPKG")
    with pytest.raises(DataError, match="exceeds population"):
        read_inputs(load_scenario(tiny_city.scenario))


def test_bad_booleans_and_existing(tiny_city: TinyCity) -> None:
    sites = gpd.read_file(tiny_city.sites)
    sites["can_house"] = ["ja", "misschien", "nee", "nee"]
    sites.loc[0, "existing"] = "kasteel"
    sites.to_file(tiny_city.sites, driver="GPKG")
    problems = "\n".join(check_inputs(load_scenario(tiny_city.scenario)))
    assert "'can_house' must be true/false" in problems
    assert "'misschien'" in problems
    assert "'existing' must be 'house', 'antenne' or empty" in problems
