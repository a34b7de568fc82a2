r"""Need indicators for ``planner data``: user indicator tables, the kansarmoede-index, imputation.

Lower median income means more need. Statbel suppresses the income of sectors with too few tax
returns; such a sector gets ``income_suppressed = True`` and a value imputed by the policy
named in ``income_imputation`` (never a silent zero):

* ``neighbours`` (default): the population-weighted mean of the observed medians of the sectors
  that touch it, :math:`\hat y_i = \sum_{j \in N(i)} P_j y_j / \sum_{j \in N(i)} P_j`; when no
  neighbour has a value (or they have no inhabitants), the median of the observed sectors;
* ``median``: the median of the observed sectors;
* ``none``: left missing; :func:`planner.demand.need_index` then imputes the median at run time
  and lists the sectors in the summary.

With a kansarmoede-index the income is turned into an estimated share of births in deprived
families per sector, consistent with the municipal figure:

.. math::

    k_i = K_m \cdot \frac{r_i}{\sum_j P_j r_j / \sum_j P_j}, \qquad r_i = \frac{\tilde y}{y_i}

with :math:`\tilde y` the median over the sectors of the median incomes :math:`y_i` and
:math:`P_j` the population. The population-weighted mean of :math:`k_i` equals :math:`K_m`;
a sector with half the typical income gets twice the typical share. Within one municipality it
ranks sectors like income does; across municipalities it carries the municipal level.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
import shapely

from planner.data.tables import checked_codes, find_column, parse_numbers, table_with_codes
from planner.errors import DataError, InputFileError

if TYPE_CHECKING:
    from collections.abc import Sequence

    import geopandas as gpd
    from numpy.typing import NDArray

__all__ = [
    "ImputationPolicy",
    "IndicatorColumn",
    "impute_suppressed",
    "kansarmoede_estimate",
    "read_indicator_table",
    "read_municipal_indicator",
]

logger = logging.getLogger(__name__)

ImputationPolicy = Literal["neighbours", "median", "none"]


@dataclass(frozen=True)
class IndicatorColumn:
    """An extra need indicator from a user table.

    Attributes
    ----------
    column
        Column name in the table (kept as the sector column name).
    direction
        ``"higher_is_needier"`` or ``"lower_is_needier"``.
    weight
        Relative weight in the need index, > 0.
    """

    column: str
    direction: Literal["higher_is_needier", "lower_is_needier"]
    weight: float = 1.0

    def as_dict(self) -> dict[str, object]:
        """Return the indicator as a scenario ``need.indicators`` entry."""
        return {"column": self.column, "direction": self.direction, "weight": self.weight}


def read_indicator_table(
    path: Path, indicators: Sequence[IndicatorColumn], *, code_column: str | None = None
) -> pd.DataFrame:
    """Read extra need-indicator columns from a user table.

    Parameters
    ----------
    path
        CSV/TXT/XLSX table with one row per sector.
    indicators
        The columns to take, with their direction and weight.
    code_column
        Sector code column when it is not one of the known ones.

    Returns
    -------
    pandas.DataFrame
        ``sector_id`` and one numeric column per indicator (NaN where empty).

    Raises
    ------
    DataError
        Missing or non-numeric columns, duplicated codes.
    """
    table, code = table_with_codes(path, code_column)
    where = str(path)
    problems: list[str] = []
    out = pd.DataFrame({"sector_id": checked_codes(table, code, where)})
    for indicator in indicators:
        try:
            column = str(
                find_column(
                    table.columns,
                    (),
                    role=f"indicator '{indicator.column}'",
                    where=where,
                    explicit=indicator.column,
                )
            )
        except DataError as error:
            problems.extend(error.problems)
            continue
        out[indicator.column] = parse_numbers(table, column, where, problems)
    if problems:
        raise DataError(problems)
    return out


# --- need indicators --------------------------------------------------------------------------


def read_municipal_indicator(path: Path, nis: str, key: str = "kansarmoede") -> float:
    """Read one municipal indicator (e.g. the kansarmoede-index) from a JSON file.

    The file is a list of objects with an ``id`` (NIS code) and the indicator keys, or an
    object keyed by NIS code.

    Parameters
    ----------
    path
        The JSON file (``municipality_indicators.json``).
    nis
        Municipality NIS code.
    key
        The indicator.

    Returns
    -------
    float
        The value.

    Raises
    ------
    InputFileError
        The file is missing or not JSON.
    DataError
        The municipality or key is absent, or the value is not a number.
    """
    path = Path(path)
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputFileError(f"indicator file {path} does not exist: check the path") from None
    except (OSError, json.JSONDecodeError) as error:
        raise InputFileError(f"indicator file {path} is not readable JSON: {error}") from None
    if isinstance(content, dict):
        entry = content.get(str(nis))
    elif isinstance(content, list):
        entry = next((e for e in content if isinstance(e, dict) and str(e.get("id")) == nis), None)
    else:
        entry = None
    if not isinstance(entry, dict):
        raise DataError(f"{path}: no municipality with id {nis}; check the NIS code")
    value = entry.get(key)
    if not isinstance(value, int | float) or not np.isfinite(value):
        raise DataError(f"{path}: municipality {nis} has no numeric '{key}' (got {value!r})")
    return float(value)


def kansarmoede_estimate(
    median_income: NDArray[np.float64], population: NDArray[np.float64], municipal_index: float
) -> NDArray[np.float64]:
    r"""Spread the municipal kansarmoede-index over sectors by relative income.

    :math:`k_i = K_m \, r_i / (\sum_j P_j r_j / \sum_j P_j)` with :math:`r_i = \tilde y / y_i`
    (see the module docstring). Sectors without income get NaN.

    Parameters
    ----------
    median_income
        :math:`y_i`, median income per sector (NaN where missing; must be > 0).
    population
        :math:`P_i`, inhabitants per sector.
    municipal_index
        :math:`K_m`, the municipality's kansarmoede-index (percent of births).

    Returns
    -------
    numpy.ndarray
        :math:`k_i` per sector, in the unit of :math:`K_m`.
    """
    income = np.asarray(median_income, dtype=float)
    pop = np.asarray(population, dtype=float)
    valid = np.isfinite(income) & (income > 0)
    if not valid.any():
        return np.full(income.shape, np.nan)
    ratio = np.full(income.shape, np.nan)
    ratio[valid] = np.median(income[valid]) / income[valid]
    weights = np.where(valid, pop, 0.0)
    mean_ratio = (
        float(np.sum(weights * np.nan_to_num(ratio)) / weights.sum())
        if weights.sum() > 0
        else float(np.mean(ratio[valid]))
    )
    return np.asarray(municipal_index * ratio / mean_ratio, dtype=float)


def _neighbours(geometry: gpd.GeoSeries) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Pairs of sectors whose polygons touch (within 1 m, for slivers between them)."""
    geoms = np.asarray(geometry.array, dtype=object)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(shapely.buffer(geoms, 1.0), predicate="intersects")
    keep = left != right
    return left[keep].astype(np.int64), right[keep].astype(np.int64)


def impute_suppressed(
    sectors: gpd.GeoDataFrame,
    column: str,
    *,
    policy: ImputationPolicy = "neighbours",
    population: str = "population",
) -> tuple[pd.Series, pd.Series, pd.Series]:
    r"""Fill suppressed (missing) values of an indicator by a stated policy.

    See the module docstring: ``neighbours`` is the population-weighted mean of the touching
    sectors' observed values (falling back to the median of the observed sectors), ``median``
    the median, ``none`` leaves them missing.

    Parameters
    ----------
    sectors
        Sectors in a projected CRS (metres) with ``column`` and ``population``.
    column
        The indicator, NaN where suppressed.
    policy
        ``"neighbours"``, ``"median"`` or ``"none"``.
    population
        Column with inhabitants.

    Returns
    -------
    values : pandas.Series
        The indicator with imputed values.
    suppressed : pandas.Series
        True where the value was missing.
    method : pandas.Series
        ``"observed"``, ``"neighbours"``, ``"median"`` or ``"missing"`` per sector.

    Raises
    ------
    DataError
        When no sector has a value.
    """
    values = sectors[column].to_numpy(dtype=float).copy()
    suppressed = ~np.isfinite(values)
    method = np.where(suppressed, "missing", "observed").astype(object)
    if suppressed.all():
        raise DataError(f"column '{column}' has no value in any sector: nothing to impute from")
    if suppressed.any() and policy != "none":
        median = float(np.median(values[~suppressed]))
        if policy == "neighbours":
            left, right = _neighbours(sectors.geometry)
            pop = sectors[population].to_numpy(dtype=float)
            usable = ~suppressed[right] & suppressed[left]
            weight = np.nan_to_num(pop[right[usable]])
            n = values.shape[0]
            num = np.bincount(left[usable], weights=weight * values[right[usable]], minlength=n)
            den = np.bincount(left[usable], weights=weight, minlength=n)
            by_neighbours = suppressed & (den > 0)
            values[by_neighbours] = num[by_neighbours] / den[by_neighbours]
            method[by_neighbours] = "neighbours"
        rest = suppressed & (method == "missing")
        values[rest] = median
        method[rest] = "median"
        counts = pd.Series(method[suppressed]).value_counts().to_dict()
        logger.info(f"'{column}': {int(suppressed.sum())} suppressed values imputed ({counts})")
    index = sectors.index
    return (
        pd.Series(values, index=index, name=column),
        pd.Series(suppressed, index=index, name=f"{column}_suppressed"),
        pd.Series(method, index=index, name=f"{column}_imputation", dtype="string"),
    )
