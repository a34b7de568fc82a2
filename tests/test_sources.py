"""Tests of planner.data.sources: Statbel sector files and tables, joins, target group, need."""

from __future__ import annotations

import json
import logging
import os
import warnings
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import box

from planner.data import sources
from planner.errors import DataError, InputFileError

if TYPE_CHECKING:
    from pathlib import Path

CRS = "EPSG:31370"


def statbel_layer() -> gpd.GeoDataFrame:
    """Four sectors of Gent (44021) and two of Aalst (41002), Statbel's upper-case columns."""
    codes = ["44021A00-", "44021A01-", "44021B10-", "44021B11-", "41002A00-", "41002A01-"]
    return gpd.GeoDataFrame(
        {
            "CD_SECTOR": codes,
            "TX_SECTOR_DESCR_NL": ["KUIP", "OUDE VEST", "RABOT", "BLOEMEKEN", "CENTRUM", "OOST"],
            "CD_MUNTY_REFNIS": [c[:5] for c in codes],
        },
        geometry=[box(x * 100, 0, (x + 1) * 100, 100) for x in range(4)]
        + [box(5000, 0, 5100, 100), box(5100, 0, 5200, 100)],
        crs=CRS,
    )


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- codes and columns ------------------------------------------------------------------------


def test_normalise_codes_strips_uppercases_and_drops_spreadsheet_decimals() -> None:
    codes = sources.normalise_codes(pd.Series([" 44021a00- ", "44021.0", "", None]))
    assert codes.tolist()[:2] == ["44021A00-", "44021"]
    assert codes.isna().tolist()[2:] == [True, True]


def test_find_column_is_case_insensitive_and_names_what_is_there() -> None:
    assert sources.find_column(["CD_SECTOR", "x"], ("cd_sector",), role="code", where="f") == (
        "CD_SECTOR"
    )
    with pytest.raises(DataError, match=r"f: no sector code column .*available columns: a, b"):
        sources.find_column(["a", "b"], ("cd_sector",), role="sector code", where="f")


# --- sector geometry --------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".shp", ".geojson", ".gpkg"])
def test_read_statbel_geometry_in_any_format(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"sh_statbel_statistical_sectors_31370_20240101{suffix}"
    with warnings.catch_warnings():  # shapefiles cut column names to 10 characters
        warnings.simplefilter("ignore")
        statbel_layer().to_file(path)
    sectors = sources.read_sector_geometry(path, municipality="44021")
    assert sectors["sector_id"].tolist() == ["44021A00-", "44021A01-", "44021B10-", "44021B11-"]
    assert sectors["name"].tolist()[0] == "KUIP"
    assert set(sectors["municipality"]) == {"44021"}


def test_read_gent_layer_columns(tmp_path: Path) -> None:
    layer = statbel_layer().rename(
        columns={"CD_SECTOR": "cd_sector_2024", "TX_SECTOR_DESCR_NL": "t_sec_nl"}
    )
    layer = layer.drop(columns="CD_MUNTY_REFNIS")
    layer["wijknr"] = [1, 1, 2, 2, 9, 9]
    layer.to_file(tmp_path / "sectors_2024.gpkg")
    sectors = sources.read_sector_geometry(tmp_path / "sectors_2024.gpkg")
    assert len(sectors) == 6
    assert sectors.loc[0, "municipality"] == "41002"  # from the code; sorted by code
    assert "wijknr" in sectors.columns


def test_geometry_problems_are_collected(tmp_path: Path) -> None:
    layer = statbel_layer()
    layer.loc[1, "CD_SECTOR"] = "44021A00-"
    layer.to_file(tmp_path / "s.gpkg")
    with pytest.raises(DataError, match="duplicated: 44021A00-"):
        sources.read_sector_geometry(tmp_path / "s.gpkg")


def test_selecting_a_municipality_not_in_the_layer_names_what_is_there(tmp_path: Path) -> None:
    statbel_layer().to_file(tmp_path / "s.gpkg")
    with pytest.raises(DataError, match=r"no sector of municipality 11001.*44021 \(4\)"):
        sources.read_sector_geometry(tmp_path / "s.gpkg", municipality="11001")
    with pytest.raises(DataError, match="five digits"):
        sources.read_sector_geometry(tmp_path / "s.gpkg", municipality="Gent")


# --- tables -----------------------------------------------------------------------------------


@pytest.mark.parametrize("separator", [",", ";", "|", "\t"])
def test_read_table_any_separator_keeps_codes_as_text(tmp_path: Path, separator: str) -> None:
    lines = ["cd_sector", "ms_median_net_taxable_inc"], ["44021A00-", "25770"], ["0001", "15"]
    path = write(tmp_path / "t.txt", "\n".join(separator.join(row) for row in lines) + "\n")
    table = sources.read_table(path)
    assert table["cd_sector"].tolist() == ["44021A00-", "0001"]


def test_read_table_spreadsheet_without_openpyxl(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"PK\x03\x04 not really")
    try:
        import openpyxl  # noqa: F401, PLC0415
    except ImportError:
        with pytest.raises(InputFileError, match="openpyxl"):
            sources.read_table(path)
    else:
        with pytest.raises(InputFileError, match="cannot be read as a spreadsheet"):
            sources.read_table(path)


def test_read_table_statbel_spreadsheet_keeps_codes_as_text(tmp_path: Path) -> None:
    path = tmp_path / "TF_SOC_POP_STRUCT_SECTORS_2021.xlsx"
    pd.DataFrame({"CD_SECTOR": ["44021A00-", "44021A01-"], "MS_POPULATION": [1200, 85]}).to_excel(
        path, index=False
    )
    table = sources.read_table(path)
    assert table["CD_SECTOR"].tolist() == ["44021A00-", "44021A01-"]
    assert table["MS_POPULATION"].tolist() == ["1200", "85"]


def test_read_table_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="does not exist"):
        sources.read_table(tmp_path / "absent.csv")


def test_census_population_table_with_65plus_split(tmp_path: Path) -> None:
    path = write(
        tmp_path / "census.csv",
        "cd_sector,x65,rest,prop_65plussers\n"
        "44021A00-,97,523,15.6\n44021A01-,10,,100\n44021A02-,NA,7,0\n",
    )
    table = sources.read_population_table(path)
    assert table["population"].tolist() == [620, 10, 7]
    assert table["population_65plus"].tolist() == [97, 10, 0]
    assert table["population_under65"].tolist() == [523, 0, 7]


def test_a_table_is_parsed_once_while_its_file_is_unchanged(tmp_path: Path) -> None:
    path = write(tmp_path / "p.csv", "CD_SECTOR;TOTAL\n44021A00-;10\n44021A01-;7\n")
    first = sources.read_population_table(path)
    first.loc[0, "population"] = -1  # a caller's change never reaches the next caller
    assert sources.read_population_table(path)["population"].tolist() == [10, 7]
    os.utime(path, ns=(1, 1))  # another modification time: read again
    write(path, "CD_SECTOR;TOTAL\n44021A00-;11\n44021A01-;7\n")
    assert sources.read_population_table(path)["population"].tolist() == [11, 7]


def test_population_table_with_a_total_and_decimal_commas(tmp_path: Path) -> None:
    path = write(tmp_path / "p.csv", "CD_SECTOR;TOTAL\n44021A00-;1 234\n44021A01-;7,0\n")
    assert sources.read_population_table(path)["population"].tolist() == [1234, 7]


def test_population_table_with_text_in_numbers(tmp_path: Path) -> None:
    path = write(tmp_path / "p.csv", "cd_sector,total\n44021A00-,many\n44021A01-,12\n")
    with pytest.raises(DataError, match=r"column 'total' must hold numbers; 1 cells .*'many'"):
        sources.read_population_table(path)


def test_population_table_with_duplicated_codes(tmp_path: Path) -> None:
    path = write(tmp_path / "p.csv", "cd_sector,total\n44021A00-,1\n44021a00-,2\n")
    with pytest.raises(DataError, match="aggregate the table to one row per sector"):
        sources.read_population_table(path)


def test_long_age_table_and_target_pro_rata(tmp_path: Path) -> None:
    path = write(
        tmp_path / "ages.csv",
        "CD_SECTOR;CD_AGE;MS_POPULATION\n"
        "44021A00-;0;10\n44021A00-;1;12\n44021A00-;2;14\n44021A00-;3-5;30\n44021A00-;85+;4\n"
        "44021A01-;0;1\n44021A01-;3-5;3\n",
    )
    ages = sources.read_age_table(path)
    assert set(ages.columns) >= {"age_0_0", "age_1_1", "age_2_2", "age_3_5", "age_85_plus"}
    target = sources.target_from_ages(ages, 0, 3)
    # ages 0-2 in full, one of the three years of the 3-5 band
    np.testing.assert_allclose(target.to_numpy(), [10 + 12 + 14 + 30 / 3, 1 + 3 / 3])


def test_wide_age_table(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.csv", "cd_sector,age_0_2,age_3_11,age_12_plus\n44021A00-,30,90,500\n"
    )
    ages = sources.read_age_table(path)
    assert sources.target_from_ages(ages, 0, 2).tolist() == [30]


def test_age_table_without_young_ages(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "cd_sector,x65,rest\n44021A00-,30,90\n")
    ages = sources.read_age_table(path)
    with pytest.raises(DataError, match="no band overlapping ages 0-2"):
        sources.target_from_ages(ages, 0, 2)


def test_age_table_with_unreadable_ages(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "cd_sector,age,count\n44021A00-,baby,3\n")
    with pytest.raises(DataError, match="baby"):
        sources.read_age_table(path)


def test_estimate_target_uses_under65_and_is_capped() -> None:
    population = pd.Series([1000.0, 10.0])
    under65 = pd.Series([800.0, 10.0])
    np.testing.assert_allclose(sources.estimate_target(population, under65, 0.05), [40, 0.5])
    np.testing.assert_allclose(sources.estimate_target(population, None, 0.05), [50, 0.5])
    with pytest.raises(DataError, match="target share"):
        sources.estimate_target(population, None, 0)


def test_income_table_keeps_suppressed_as_missing(tmp_path: Path) -> None:
    path = write(
        tmp_path / "inc.csv",
        "cd_sector,tx_sector_descr_nl,ms_avg_tot_net_taxable_inc,ms_median_net_taxable_inc\n"
        "44021A00-,KUIP,35548,25770\n44021A01-,X,,\n",
    )
    income = sources.read_income_table(path)
    assert income["median_income"].tolist()[0] == 25770
    assert np.isnan(income["median_income"].tolist()[1])
    assert "mean_income" in income.columns


# --- joins ------------------------------------------------------------------------------------


def test_join_reports_codes_on_either_side(caplog: pytest.LogCaptureFixture) -> None:
    sectors = pd.DataFrame({"sector_id": ["44021A00-", "44021A01-", "44021A02-"]})
    table = pd.DataFrame(
        {
            "sector_id": ["44021A00-", "44021A01-", "44021Q99-", "44021ZZZZ", "41002A00-"],
            "value": [1.0, 2.0, 3.0, 4.0, 5.0],
        }
    )
    with caplog.at_level(logging.WARNING, logger="planner.data.sources"):
        joined, report = sources.join_on_sector(sectors, table, what="t", municipality="44021")
    assert report.matched == 2
    assert report.only_in_sectors == ("44021A02-",)
    assert report.only_in_table == ("44021Q99-",)  # the ZZZZ row is not a sector
    assert joined["value"].isna().tolist() == [False, False, True]
    assert "1 sectors have no row (44021A02-)" in caplog.text
    assert report.as_dict()["only_in_table"] == ["44021Q99-"]


def test_join_with_a_table_of_another_municipality() -> None:
    sectors = pd.DataFrame({"sector_id": ["44021A00-"]})
    table = pd.DataFrame({"sector_id": ["41002A00-", "41002A01-"], "value": [1.0, 2.0]})
    with pytest.raises(DataError, match=r"no sector of municipality 44021; .*41002 \(2\)"):
        sources.join_on_sector(sectors, table, what="income", municipality="44021")


def test_join_where_no_code_matches() -> None:
    sectors = pd.DataFrame({"sector_id": ["44021A00-"]})
    table = pd.DataFrame({"sector_id": ["44021X99-"], "value": [1.0]})
    with pytest.raises(DataError, match="none of its 1 sector codes matches the 1 sectors"):
        sources.join_on_sector(sectors, table, what="income")


# --- need -------------------------------------------------------------------------------------


def grid_sectors(income: list[float], population: list[float]) -> gpd.GeoDataFrame:
    """Sectors in a row, each touching the next."""
    return gpd.GeoDataFrame(
        {"sector_id": [f"S{i}" for i in range(len(income))], "m": income, "population": population},
        geometry=[box(i * 100, 0, (i + 1) * 100, 100) for i in range(len(income))],
        crs=CRS,
    )


def test_impute_from_neighbours_population_weighted() -> None:
    sectors = grid_sectors([20000, np.nan, 30000, 40000], [100, 5, 300, 10])
    values, suppressed, method = sources.impute_suppressed(sectors, "m")
    assert suppressed.tolist() == [False, True, False, False]
    assert method.tolist() == ["observed", "neighbours", "observed", "observed"]
    assert values[1] == pytest.approx((100 * 20000 + 300 * 30000) / 400)


def test_impute_falls_back_to_the_median_without_neighbour_values() -> None:
    sectors = grid_sectors([20000, np.nan, np.nan, 40000, 50000], [1, 1, 1, 1, 1])
    sectors.loc[3, "geometry"] = box(1000, 0, 1100, 100)  # the far ones touch nobody
    sectors.loc[4, "geometry"] = box(1200, 0, 1300, 100)
    sectors.loc[2, "geometry"] = box(700, 0, 800, 100)
    values, _, method = sources.impute_suppressed(sectors, "m")
    assert method.tolist()[1:3] == ["neighbours", "median"]
    assert values[2] == 40000


@pytest.mark.parametrize(("policy", "expected"), [("median", 30000.0), ("none", None)])
def test_impute_policies(policy: sources.ImputationPolicy, expected: float | None) -> None:
    sectors = grid_sectors([20000, np.nan, 30000, 40000], [1, 1, 1, 1])
    values, suppressed, method = sources.impute_suppressed(sectors, "m", policy=policy)
    assert suppressed.sum() == 1
    if expected is None:
        assert np.isnan(values[1])
        assert method[1] == "missing"
    else:
        assert values[1] == expected


def test_impute_without_any_value() -> None:
    with pytest.raises(DataError, match="no value in any sector"):
        sources.impute_suppressed(grid_sectors([np.nan, np.nan], [1, 1]), "m")


def test_kansarmoede_estimate_keeps_the_municipal_mean() -> None:
    income = np.array([20000.0, 30000.0, 40000.0, np.nan])
    population = np.array([100.0, 200.0, 300.0, 50.0])
    k = sources.kansarmoede_estimate(income, population, 18.47)
    valid = np.isfinite(k)
    assert np.average(k[valid], weights=population[valid]) == pytest.approx(18.47)
    assert k[0] > k[1] > k[2]
    assert k[0] / k[2] == pytest.approx(2.0)
    assert np.isnan(k[3])


def test_read_municipal_indicator(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text(json.dumps([{"id": "44021", "naam": "Gent", "kansarmoede": 18.47}]))
    assert sources.read_municipal_indicator(path, "44021") == 18.47
    with pytest.raises(DataError, match="no municipality with id 11001"):
        sources.read_municipal_indicator(path, "11001")
    with pytest.raises(DataError, match="no numeric 'oki'"):
        sources.read_municipal_indicator(path, "44021", "oki")
    path.write_text("{not json")
    with pytest.raises(InputFileError, match="not readable JSON"):
        sources.read_municipal_indicator(path, "44021")


def test_read_indicator_table(tmp_path: Path) -> None:
    path = write(tmp_path / "i.csv", "cd_sector;werkloosheid;x\n44021A00-;12,5;1\n44021A01-;;2\n")
    indicator = sources.IndicatorColumn("werkloosheid", "higher_is_needier", 0.5)
    table = sources.read_indicator_table(path, [indicator])
    assert table["werkloosheid"].tolist()[0] == 12.5
    assert np.isnan(table["werkloosheid"].tolist()[1])
    missing = sources.IndicatorColumn("armoede", "higher_is_needier")
    with pytest.raises(DataError, match="no indicator 'armoede' column"):
        sources.read_indicator_table(path, [missing])
