"""Run a scenario through every stage: inputs → demand → network → travel → model → plan.

Each stage is a function of the stage modules; this module only chains them, times them and
tells an optional progress callback which stage starts, so the CLI can show progress while
library code only logs. Every plan is then checked independently
(:func:`planner.results.check.check_plan`) before anyone sees it.

For tests of interrupted runs only: ``PLANNER_TEST_PAUSE_AT=<stage>`` makes the run sleep
``PLANNER_TEST_PAUSE_S`` seconds (default 60) when that stage starts, so a test can kill it
there.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from planner.data.colocation import colocation_problems, mark_colocation
from planner.data.inputs import check_inputs, read_inputs
from planner.data.raster import raster_points
from planner.demand import build_demand, grid_points, street_points
from planner.demand.modes import equivalent_scale, mode_shares, split_by_mode
from planner.errors import CHANGES_FIGURE, DataError, PlannerError, ScenarioError
from planner.optimise import check_rules, solve_scenario
from planner.report.outputs import pause_if_asked
from planner.results.check import check_plan
from planner.results.colocation import colocation_summary
from planner.results.metrics import count, families
from planner.results.phases import with_phases
from planner.results.plan import Plan, make_plan
from planner.results.regions import region_summary
from planner.scenario import Scenario, load_scenario
from planner.travel.borders import group_labels, keep_within_groups
from planner.travel.cache import cached_travel_times
from planner.travel.matrices import travel_times
from planner.travel.modes import fastest_by_mode, stack_by_mode
from planner.travel.network import read_network
from planner.travel.straight import circuity_of, straight_line_times, uses_straight_line
from planner.workflows.inputs import (
    Prepared,
    inputs_of,
    network_key,
    network_of,
    raster_gap,
    with_rules,
)

if TYPE_CHECKING:
    from pathlib import Path

    from numpy.typing import NDArray

    from planner.data.inputs import Inputs
    from planner.demand import Demand
    from planner.model import CoverageSolution
    from planner.travel.matrices import TravelTimes
    from planner.travel.network import Network

__all__ = [
    "STAGES",
    "Prepared",
    "Stages",
    "checked_plan",
    "pause_if_asked",
    "prepare",
    "run",
    "run_stages",
    "validate",
]

logger = logging.getLogger(__name__)

_SHOWN = 5

STAGES = ("inputs", "network", "demand", "travel", "optimise", "plan", "check")


def prepare(scenarios: Sequence[Scenario], *, skip_errors: bool = False) -> Prepared:
    """Read the inputs, networks and demand points of several scenarios, each once.

    Parameters
    ----------
    scenarios
        The scenarios that will run (e.g. every variant of a sweep).
    skip_errors
        Leave out what a scenario cannot read instead of raising: its run then meets the
        same error itself and says why in its own row.

    Returns
    -------
    Prepared
        For :func:`run`'s ``prepared``: runs of these scenarios then read no input file.

    Raises
    ------
    PlannerError
        As :func:`run` would for a bad input.
    """
    prepared = Prepared()
    for scenario in scenarios:
        try:
            inputs = inputs_of(scenario, prepared)
            network = network_of(scenario, scenario.travel, prepared)
            for mode in scenario.travel.modes:
                network_of(scenario, scenario.travel.model_copy(update={"mode": mode}), prepared)
            demand = build_demand(inputs.sectors, scenario.need, scenario.standards)
            _demand_at_points(scenario, inputs, demand, network, prepared)
        except PlannerError:
            if not skip_errors:
                raise
            logger.info("Scenario %s: its inputs are read by its own run", scenario.label())
    return prepared


ProgressCallback = Callable[[str], None]


@contextmanager
def _stage(
    name: str, timings: dict[str, float], progress: ProgressCallback | None
) -> Iterator[None]:
    if progress is not None:
        progress(name)
    logger.info("Stage %s", name)
    pause_if_asked(name)
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = time.perf_counter() - start


def _rows(mask: NDArray[np.bool_] | np.bool_, demand: Demand) -> str:
    """Name the rows of ``mask``: "3 sectors (about 12 families)" or "5 demand points in 2 ..."."""
    mask = np.asarray(mask, dtype=bool)
    n = int(mask.sum())
    where = count(n, "sector")
    if demand.by_point:
        sectors = int(np.unique(demand.sector[mask]).shape[0])
        where = f"{count(n, 'demand point')} in {count(sectors, 'sector')}"
    return f"{where} ({families(float(demand.target[mask].sum()))})"


def _modes(scenario: Scenario) -> str:
    return " / ".join(scenario.travel.modes) or scenario.travel.mode


def _check_reach(scenario: Scenario, demand: Demand, travel: TravelTimes) -> None:
    d = travel.sector_site
    within = (d <= demand.radius_house[:, np.newaxis]) | (
        d <= demand.radius_frequent[:, np.newaxis]
    )
    if not within.any():
        finite = d[np.isfinite(d)]
        nearest = (
            f"the shortest sector-site time is {finite.min():.1f} min"
            if finite.size
            else "no sector has a route to any site"
        )
        raise DataError(
            f"no candidate site is within the standards of any sector (house "
            f"{scenario.standards.house_min:g} min, frequent {scenario.standards.frequent_min:g} "
            f"min by {_modes(scenario)}; {nearest}): "
            "check the network and sites (their coordinates and CRS), or relax "
            "standards.house_min / frequent_min"
        )
    no_route = ~np.isfinite(d).any(axis=1)
    if no_route.any():
        logger.warning(
            f"{_rows(no_route, demand)} {'has' if no_route.sum() == 1 else 'have'} no route to "
            "any site over the "
            f"{_modes(scenario)} network (too far from it, or on a piece not connected to the "
            "sites): check the network's extent and gaps",
            extra=CHANGES_FIGURE,
        )
    unreached = ~within.any(axis=1) & ~no_route
    if unreached.any():
        logger.warning(
            f"{_rows(unreached, demand)} {'has' if unreached.sum() == 1 else 'have'} no "
            "candidate site within the standards "
            "and cannot be covered by any plan",
            extra=CHANGES_FIGURE,
        )


def _warn_swapped_standards(scenario: Scenario) -> None:
    """Warn when a house must be nearer than frequent services (R_H below R_A): swapped."""
    pairs = {"standards": (scenario.standards.house_min, scenario.standards.frequent_min)}
    if scenario.travel.modes:
        for mode, pair in scenario.travel.mode_standards(scenario.standards).items():
            pairs[f"travel.modes.{mode}"] = pair
    for where, (house, frequent) in pairs.items():
        if house < frequent:
            logger.warning(
                f"{where}: house_min ({house:g} min) is below frequent_min ({frequent:g} min): "
                "a house must then be nearer than the frequent services (house or antenne), "
                "which a house also offers; were the two swapped? (R_H is usually the larger)",
                extra=CHANGES_FIGURE,
            )


def run(
    scenario: Scenario | str | Path,
    *,
    progress: ProgressCallback | None = None,
    prepared: Prepared | None = None,
) -> Plan:
    """Plan houses and antennes for a scenario.

    Parameters
    ----------
    scenario
        A validated :class:`~planner.scenario.Scenario` or the path of a scenario YAML file.
    progress
        Called with the name of each stage (see :data:`STAGES`) as it starts.
    prepared
        Inputs, networks and demand points read before (:func:`prepare`); the run reads from
        files only what is not there.

    Returns
    -------
    Plan
        The frozen, checked plan (``plan.summary["check"] == "passed"``), with per-stage
        timings in ``plan.timings`` (written to ``manifest.json``, never to ``summary.json``).
        Write it with :func:`planner.report.outputs.write_outputs`.

    Raises
    ------
    PlanCheckError
        When the independent check disagrees with the model (a bug; nothing is written).
    PlannerError
        Any of its subclasses, with a message that says what is wrong and how to fix it.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if scenario.objective.alternatives > 1:
        logger.info(
            "objective.alternatives is read by planner.workflows.alternatives.run_alternatives "
            "(and planner run); this run makes the best plan only"
        )
    timings: dict[str, float] = {}
    stages = run_stages(scenario, timings, progress, prepared)
    with _stage("optimise", timings, progress):
        solution = solve_scenario(scenario, *stages.tables())
    return checked_plan(scenario, stages, solution, timings, progress)


@dataclass(frozen=True)
class Stages:
    """What the stages before the optimiser made: inputs, network, demand and travel times.

    Attributes
    ----------
    inputs : Inputs
        Sectors and sites.
    network : Network or None
        The street network (None for straight-line travel).
    demand : Demand
        The demand rows.
    travel : TravelTimes
        Their travel times.
    """

    inputs: Inputs
    network: Network | None
    demand: Demand
    travel: TravelTimes

    def tables(self) -> tuple[Inputs, Demand, TravelTimes]:
        """Return the inputs, demand and travel times (what the optimiser reads)."""
        return self.inputs, self.demand, self.travel


def run_stages(
    scenario: Scenario,
    timings: dict[str, float],
    progress: ProgressCallback | None = None,
    prepared: Prepared | None = None,
) -> Stages:
    """Run the stages before the optimiser: inputs, network, demand, travel.

    Parameters
    ----------
    scenario
        The validated scenario.
    timings
        Seconds per stage, filled in.
    progress
        Called with the name of each stage as it starts.
    prepared
        Inputs, networks and demand points read before (:func:`prepare`), or None.

    Returns
    -------
    Stages
        The tables the optimiser and the plan read.
    """
    problems = _travel_model_problems(scenario)
    if problems:
        raise ScenarioError(problems)
    _warn_swapped_standards(scenario)
    with _stage("inputs", timings, progress):
        inputs = mark_colocation(scenario, with_rules(scenario, inputs_of(scenario, prepared)))
    with _stage("network", timings, progress):
        network = network_of(scenario, scenario.travel, prepared)
    with _stage("demand", timings, progress):
        demand = _demand_at_points(
            scenario,
            inputs,
            build_demand(inputs.sectors, scenario.need, scenario.standards),
            network,
            prepared,
        )
    with _stage("travel", timings, progress):
        demand, travel = _travel(scenario, inputs, demand, network, prepared)
        if scenario.rules.serve_within:  # families use only the sites of their own group
            sector_group, site_group = group_labels(inputs, scenario.rules.serve_within)
            travel = keep_within_groups(travel, sector_group[demand.sector], site_group)
        if scenario.objective.kind not in {"p_median", "p_center"}:  # no standard needed
            _check_reach(scenario, demand, travel)
    return Stages(inputs, network, demand, travel)


def checked_plan(
    scenario: Scenario,
    stages: Stages,
    solution: CoverageSolution,
    timings: dict[str, float],
    progress: ProgressCallback | None = None,
) -> Plan:
    """Make the plan of a solution and check it independently (the plan and check stages).

    Parameters
    ----------
    scenario
        The scenario.
    stages
        What :func:`run_stages` made.
    solution
        The model's plan.
    timings
        Seconds per stage (the plan and check stages add up over several calls).
    progress
        Called with the name of each stage as it starts.

    Returns
    -------
    Plan
        The checked plan, with the timings.

    Raises
    ------
    PlanCheckError
        When the independent check disagrees with the model.
    """
    inputs, demand, travel = stages.tables()
    before = dict(timings)
    with _stage("plan", timings, progress):
        plan = make_plan(scenario, inputs, demand, travel, solution, stages.network)
        plan = with_phases(plan, solution, demand, travel)
        extra = region_summary(plan, inputs) | colocation_summary(plan, inputs)
        plan = replace(plan, summary={**plan.summary, **extra})
    with _stage("check", timings, progress):
        report = check_plan(plan, inputs, demand, travel)
        plan = replace(plan, summary={**plan.summary, **report})
    for name in ("plan", "check"):
        timings[name] += before.get(name, 0.0)
    return plan.with_timings(timings)


def _travel_model_problems(scenario: Scenario) -> list[str]:
    """Say what cannot work without a street network (straight-line travel)."""
    if not uses_straight_line(scenario) or scenario.demand.points != "network":
        return []
    why = (
        "travel.model is straight_line"
        if scenario.data.network is not None
        else "data.network is not given (straight-line travel)"
    )
    return [
        (
            f"demand.points: network spreads families over street nodes, but {why}: use "
            "demand.points: grid (or sector), or give a street network in data.network"
        )
    ]


def _times(
    scenario: Scenario,
    network: Network | None,
    xy: NDArray[np.float64],
    inputs: Inputs,
    mode: str | None = None,
) -> TravelTimes:
    if network is None:  # straight line x circuity at the mode's speed
        mode = mode or scenario.travel.mode
        return straight_line_times(
            xy,
            _site_xy(inputs),
            speed_kmh=scenario.travel.speeds_kmh[mode],  # type: ignore[index]
            circuity=circuity_of(scenario.travel, mode),
        )
    return cached_travel_times(
        network,
        xy,
        _site_xy(inputs),
        max_snap_distance_m=scenario.travel.max_snap_distance_m,
        compute=travel_times,
    )


def _travel(
    scenario: Scenario,
    inputs: Inputs,
    demand: Demand,
    network: Network | None,
    prepared: Prepared | None = None,
) -> tuple[Demand, TravelTimes]:
    """Travel times of the rows; with ``travel.modes`` the rows per mode or the fastest mode.

    See :mod:`planner.demand.modes` for the rules; the network of ``travel.mode`` gives the
    site-to-site times.
    """
    spec = scenario.travel
    main = _times(scenario, network, demand.xy, inputs)
    if not spec.modes:
        return demand, main
    per_mode = []
    for mode in spec.modes:  # a few modes: one network and one matrix each
        if mode == spec.mode:
            per_mode.append(main)
            continue
        travel = spec.model_copy(update={"mode": mode})
        other = None if network is None else network_of(scenario, travel, prepared)
        per_mode.append(_times(scenario, other, demand.xy, inputs, mode))
    if spec.combine == "any":
        scale = equivalent_scale(spec, scenario.standards)
        return demand, fastest_by_mode(per_mode, scale, main)
    split = split_by_mode(demand, mode_shares(spec, inputs.sectors), spec, scenario.standards)
    assert split.point is not None  # noqa: S101 - split_by_mode sets it
    assert split.mode is not None  # noqa: S101
    return split, stack_by_mode(per_mode, split.point, split.mode, main)


def _demand_at_points(
    scenario: Scenario,
    inputs: Inputs,
    demand: Demand,
    network: Network | None,
    prepared: Prepared | None = None,
) -> Demand:
    """Spread each sector's families over its demand points (``demand.points``)."""
    spec = scenario.demand
    if spec.points == "sector":
        return demand
    key = f"{network_key(scenario, scenario.travel)}|{spec.model_dump_json()}"
    if prepared is not None and key in prepared.points:
        points = prepared.points[key]
        return demand.at_points(points.sector, points.share, points.xy, points.method)
    polygons = np.asarray(inputs.sectors.geometry.array, dtype=object)
    ids = [str(value) for value in inputs.sectors["sector_id"]]
    raster = scenario.data.population_raster
    crs = inputs.sectors.crs
    if spec.points == "network":
        assert network is not None  # noqa: S101 - _travel_model_problems ruled it out
        edges = (network.edge_from, network.edge_to, network.edge_length_m, network.edge_minutes)
        points = street_points(
            polygons, demand.xy, ids, network.node_xy, edges, raster=raster, crs=crs
        )
    else:
        points = grid_points(polygons, demand.xy, ids, spec.grid_cell_m, raster=raster, crs=crs)
    kept = f"; {len(points.fallback)} keep one point" if points.fallback else ""
    logger.info(f"{points.count:,} demand points ({points.method}) in {len(ids):,} sectors{kept}")
    if prepared is not None:
        prepared.points[key] = points
    return demand.at_points(points.sector, points.share, points.xy, points.method)


def _site_xy(inputs: Inputs) -> np.ndarray:
    geometry = inputs.sites.geometry
    return np.column_stack([geometry.x.to_numpy(), geometry.y.to_numpy()])


def validate(path: str | Path, overrides: dict[str, object] | None = None) -> list[str]:
    """Check everything a run of a scenario file would need, and return all problems.

    Checks the scenario keys, that every file exists and opens, that columns are present with
    the right types, that CRS are set and consistent, ids unique and numbers in range, and that
    the street network can be built.

    Parameters
    ----------
    path
        The scenario YAML file.
    overrides
        Dotted keys and values applied on top of the file, as ``planner run --set`` does.

    Returns
    -------
    list of str
        One line per problem; empty when a run can start.
    """
    try:
        scenario = load_scenario(path, overrides)
    except (ScenarioError, PlannerError) as error:
        return list(error.problems)
    _warn_swapped_standards(scenario)
    problems = _travel_model_problems(scenario) + check_inputs(scenario)
    if not problems:  # the rules and mode shares need readable inputs
        inputs = read_inputs(scenario)
        problems.extend(check_rules(scenario, inputs))
        problems.extend(colocation_problems(scenario, inputs))
        problems.extend(_group_problems(scenario, inputs))
        if scenario.travel.modes and scenario.travel.combine == "share":
            mode_shares(scenario.travel, inputs.sectors, problems)
    raster = scenario.data.population_raster
    if raster is not None and not raster.is_file():
        problems.append(
            f"population raster {raster} does not exist: check data.population_raster "
            "(relative paths are resolved against the scenario file's folder)"
        )
    elif raster is not None and not problems:
        try:
            gap = raster_gap(raster_points(read_inputs(scenario).sectors, raster), raster)
        except PlannerError as error:
            problems.extend(error.problems)
        else:
            problems.extend([] if gap is None else [gap])
    return problems + _network_problems(scenario)


def _network_problems(scenario: Scenario) -> list[str]:
    """Say why the network cannot be built (none needed for straight-line travel)."""
    if uses_straight_line(scenario):
        return []
    try:
        read_network(scenario.data, scenario.travel)
    except PlannerError as error:
        return list(error.problems)
    return []


def _group_problems(scenario: Scenario, inputs: Inputs) -> list[str]:
    """Say why ``rules.serve_within`` cannot find its groups."""
    if not scenario.rules.serve_within:
        return []
    try:
        group_labels(inputs, scenario.rules.serve_within)
    except PlannerError as error:
        return list(error.problems)
    return []
