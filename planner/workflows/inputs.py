"""What a run reads from files, read once for many runs, and the checks made on reading it.

:class:`Prepared` holds the inputs (sector and site layers with raster points), the street
networks per travel mode and the demand points that several runs share (the variants of a
sweep, the scenarios of a comparison); :func:`planner.workflows.pipeline.prepare` fills it and
:func:`planner.workflows.pipeline.run` takes from it what is there. Also the reading checks of
the inputs stage: raster points (:func:`with_raster_points`) and the policy rules
(:func:`with_rules`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from planner.data.inputs import read_inputs
from planner.data.policy import check_rules, rule_sites
from planner.data.raster import RasterPoints, raster_points
from planner.errors import DataError
from planner.results.metrics import count
from planner.travel.cache import cached_network
from planner.travel.network import read_network
from planner.travel.straight import uses_straight_line

if TYPE_CHECKING:
    from pathlib import Path

    from planner.data.inputs import Inputs
    from planner.scenario import Scenario
    from planner.scenario.spec import TravelSpec
    from planner.travel.network import Network

__all__ = [
    "Prepared",
    "data_key",
    "inputs_of",
    "network_key",
    "network_of",
    "raster_gap",
    "with_raster_points",
    "with_rules",
]

_SHOWN = 5


@dataclass(frozen=True)
class Prepared:
    """What several runs read from files, read once (see :func:`prepare`).

    A run given a ``Prepared`` takes its inputs, networks and demand points from here when
    they are present (keyed by the scenario sections they depend on) and reads files only for
    what is missing. Workers of a Dask cluster get one copy each, so they never need the
    files themselves.

    Attributes
    ----------
    inputs : dict
        :class:`~planner.data.inputs.Inputs` (with raster points) per ``data`` section.
    networks : dict
        :class:`~planner.travel.network.Network` per ``data`` section and travel mode.
    points : dict
        Demand points per ``data`` and ``demand`` section and network.
    """

    inputs: dict[str, Inputs] = field(default_factory=dict)
    networks: dict[str, Network] = field(default_factory=dict)
    points: dict[str, Any] = field(default_factory=dict)


def data_key(scenario: Scenario) -> str:
    """Return the key of a scenario's ``data`` section in :class:`Prepared`."""
    return scenario.data.model_dump_json()


def network_key(scenario: Scenario, travel: TravelSpec) -> str:
    """Return the key of a scenario's network for one travel mode in :class:`Prepared`."""
    return f"{data_key(scenario)}|{travel.model_dump_json()}"


def inputs_of(scenario: Scenario, prepared: Prepared | None) -> Inputs:
    """Return the scenario's inputs (with raster points): from ``prepared``, or read and kept."""
    key = data_key(scenario)
    if prepared is not None and key in prepared.inputs:
        return prepared.inputs[key]
    inputs = with_raster_points(scenario, read_inputs(scenario))
    if prepared is not None:
        prepared.inputs[key] = inputs
    return inputs


def network_of(scenario: Scenario, travel: TravelSpec, prepared: Prepared | None) -> Network | None:
    """Return the network of one travel mode (None: straight line), from ``prepared`` or read."""
    if uses_straight_line(scenario):
        return None
    key = network_key(scenario, travel)
    if prepared is not None and key in prepared.networks:
        return prepared.networks[key]
    network = cached_network(scenario.data, travel, read_network)
    if prepared is not None:
        prepared.networks[key] = network
    return network


def raster_gap(points: RasterPoints, raster: Path) -> str | None:
    """Say which sectors the population raster leaves (partly) uncovered, or None."""
    if not points.not_covered and not points.partly_covered:
        return None
    parts = []
    if points.not_covered:
        shown = ", ".join(points.not_covered[:_SHOWN])
        parts.append(f"does not cover {count(len(points.not_covered), 'sector')} ({shown})")
    if points.partly_covered:
        shown = ", ".join(points.partly_covered[:_SHOWN])
        parts.append(f"covers {count(len(points.partly_covered), 'sector')} only partly ({shown})")
    return (
        f"population raster {raster.name} {' and '.join(parts)}: the families there would be "
        "placed by guesswork; give a raster that covers the whole area (data.population_raster), "
        "or remove the key"
    )


def with_raster_points(scenario: Scenario, inputs: Inputs) -> Inputs:
    """Add population-weighted sector points from data.population_raster, when it is set.

    Points given in the sector file (data.point_x / point_y) take precedence.
    """
    raster = scenario.data.population_raster
    if raster is None:
        return inputs
    points = raster_points(inputs.sectors, raster)
    gap = raster_gap(points, raster)
    if gap is not None:
        raise DataError(gap)
    if scenario.data.point_x is not None:  # the raster still weighs the demand points
        return inputs
    sectors = inputs.sectors.copy()
    sectors["point_x"] = points.xy[:, 0]
    sectors["point_y"] = points.xy[:, 1]
    return replace(inputs, sectors=sectors)


def with_rules(scenario: Scenario, inputs: Inputs) -> Inputs:
    """Check the rules against the inputs before any network work; mark forbidden sites.

    The sites that ``rules.forbidden_sites`` names (by id or name) are marked ``forbidden``
    in the site table, so that every later stage (the model, the plan's tables, the notes)
    sees them closed.
    """
    problems = check_rules(scenario, inputs)
    if problems:
        raise DataError(problems)
    _, forbidden = rule_sites(scenario, inputs, problems)
    if not forbidden.any():
        return inputs
    sites = inputs.sites.copy()
    sites["forbidden"] = sites["forbidden"].to_numpy(dtype=bool) | forbidden
    return replace(inputs, sites=sites)
