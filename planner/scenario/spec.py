r"""The typed scenario: one frozen pydantic model per section, unknown keys rejected.

Every field is documented in ``scenarios/demo.yaml``; :class:`Scenario` holds the sections.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from planner.scenario.base import (
    _DEFAULT_SPEEDS,
    Mode,
    NonNegFloat,
    PosFloat,
    _as_text_keys,
    _Spec,
)
from planner.scenario.costs import BudgetSpec, budget_problem
from planner.scenario.phases import phase_kind_problem
from planner.scenario.policy import (
    ColocationSpec,
    RulesSpec,
    TargetSpec,
    targets_problem,
)
from planner.scenario.run_spec import OutputSpec, SolverSpec

__all__ = [
    "BudgetSpec",
    "Mode",
    "NonNegFloat",
    "OutputSpec",
    "PosFloat",
    "Scenario",
    "SolverSpec",
]


class OnewayValuesSpec(_Spec):
    """Values of the network's direction column (case-insensitive); anything else is two-way."""

    forward: tuple[str, ...] = Field(
        ("FT",), description="One-way along the direction in which the line is drawn."
    )
    backward: tuple[str, ...] = Field(("TF",), description="One-way against it.")
    closed: tuple[str, ...] = Field(
        ("N",), description="Closed to motor traffic (walking and cycling still use it)."
    )


class DataSpec(_Spec):
    """Where the inputs are and which columns hold what."""

    sectors: Path = Field(description="Polygon layer of statistical sectors (GPKG, GeoJSON, SHP).")
    sector_id: str = Field("sector_id", description="Column with the unique sector code.")
    sector_name: str | None = Field("name", description="Column with a readable sector name.")
    population: str = Field("population", description="Column with inhabitants per sector.")
    target: str = Field(
        "target",
        description="Column with the target group (families with young children) per sector.",
    )
    sites: Path = Field(description="Point layer of candidate and existing sites.")
    site_id: str = Field("site_id", description="Column with the unique site id.")
    network: Path | None = Field(
        None, description="Street network (line layer or OSM XML); null: straight-line travel."
    )
    services: Path | None = Field(
        None,
        description="Point layer of vindplaatsen (schools, childcare, consultatiebureaus, "
        "Lokaal Loket) with a type column: sites near one count as co-located.",
    )
    network_format: Literal["lines", "osm_xml", "osm_pbf"] = Field(
        "lines", description="'lines': a road register; 'osm_xml': .osm; 'osm_pbf': .osm.pbf."
    )
    oneway_column: str | None = Field(
        "oneway",
        description=(
            "Column of the line layer with the driving direction: 'FT' one-way along the drawn "
            "direction, 'TF' against it, anything else two-way. Only cars respect it."
        ),
    )
    crs: str = Field(
        "EPSG:31370",
        description="Projected CRS (metres) in which distances are measured; inputs are checked "
        "against it and reprojected when they carry another CRS.",
    )
    oneway_values: OnewayValuesSpec = Field(
        default_factory=OnewayValuesSpec,
        description="Values of oneway_column meaning one-way along, against, or closed to cars.",
    )
    road_class_column: str | None = Field(
        None,
        description="Column of the line layer with the road class (Gent: functional_roadclass, "
        "0 motorway .. 10 path); travel.class_speeds_kmh and travel.excluded_classes use it.",
    )
    network_split_crossings: bool = Field(
        False,
        description="Split the network's lines wherever they cross before joining end points: "
        "for line layers that are not noded at intersections.",
    )
    point_x: str | None = Field(
        None,
        description="Sector column with the x of a representative point (in the sectors' CRS), "
        "e.g. population-weighted from `planner data`; null: a point on the sector's surface.",
    )
    point_y: str | None = Field(None, description="Sector column with the matching y.")
    population_raster: Path | None = Field(
        None,
        description="Population raster (GeoTIFF, any CRS) from which population-weighted sector "
        "points are computed at run time, when point_x/point_y are not given.",
    )

    @model_validator(mode="after")
    def _points_in_pairs(self) -> DataSpec:
        if (self.point_x is None) != (self.point_y is None):
            raise ValueError("data.point_x and data.point_y go together: set both or neither")
        return self


class IndicatorSpec(_Spec):
    """One need indicator: a sector column, its direction and weight."""

    column: str
    direction: Literal["higher_is_needier", "lower_is_needier"]
    weight: PosFloat = 1.0


class NeedSpec(_Spec):
    """How the need index and the proportionate-universalism weight are made."""

    indicators: tuple[IndicatorSpec, ...] = Field(min_length=1)
    equity_lambda: NonNegFloat = Field(
        1.0, description="lambda in w = T (1 + lambda * need); 0 is plain universalism."
    )


class DemandSpec(_Spec):
    """Where in each sector the families are: the demand points (see planner.demand.points)."""

    points: Literal["network", "grid", "sector"] = Field(
        "network",
        description="network: street nodes inside each sector, weighted by street length; grid: "
        "cells of grid_cell_m clipped to the sector; sector: one point per sector.",
    )
    grid_cell_m: PosFloat = Field(250.0, description="Cell size of points: grid, in metres.")


class ModeSpec(_Spec):
    """One mode of ``travel.modes``: its share of the families and its standards."""

    share: Annotated[float, Field(ge=0, le=1)] | None = Field(
        None,
        description="Share of every sector's families using this mode (one split for the whole "
        "scenario); null with travel.mode_share_columns (a share per sector) or combine: any.",
    )
    house_min: PosFloat | None = Field(
        None, description="R_H of this mode in minutes; null: standards.house_min."
    )
    frequent_min: PosFloat | None = Field(
        None, description="R_A of this mode in minutes; null: standards.frequent_min."
    )


SHARE_TOL = 1e-6
"""How far mode shares may sum from 1."""


class TravelSpec(_Spec):
    """How families travel to the sites."""

    mode: Mode = "walk"
    modes: dict[Mode, ModeSpec] = Field(
        default_factory=dict,
        description="Several modes in one plan: mode -> {share, house_min, frequent_min}; "
        "empty: every family travels by travel.mode (which is also the mode of the "
        "antenne-house links and the house spacing).",
    )
    mode_share_columns: dict[Mode, str] = Field(
        default_factory=dict,
        description="Sector column holding each mode's share of the sector's families (they "
        "sum to 1 per sector), instead of one split in travel.modes.",
    )
    combine: Literal["share", "any"] = Field(
        "share",
        description="share: a family is reached for the share of it whose mode reaches a site "
        "within that mode's standard (expected families reached); any: reached when any of "
        "the modes does.",
    )
    speeds_kmh: dict[Mode, PosFloat] = Field(default_factory=lambda: dict(_DEFAULT_SPEEDS))
    model: Literal["network", "straight_line"] = Field(
        "network",
        description="network: over data.network; straight_line: distance x circuity "
        "at the mode's speed, an approximation (used anyway when data.network is null).",
    )
    circuity: Annotated[float, Field(ge=1)] | dict[Mode, Annotated[float, Field(ge=1)]] = Field(
        1.3, description="Street metres per straight-line metre: one factor, or one per mode."
    )
    max_snap_distance_m: PosFloat = Field(
        500.0, description="Points farther than this from the network are reported as unreached."
    )
    class_speeds_kmh: dict[Mode, dict[str, PosFloat]] = Field(
        default_factory=dict,
        description="Speed per road class (data.road_class_column) and mode, e.g. "
        "{car: {'0': 100, '6': 30}}; classes not listed use speeds_kmh.",
    )
    excluded_classes: dict[Mode, tuple[str, ...]] = Field(
        default_factory=dict,
        description="Road classes a mode may not use, e.g. {walk: ['0'], bike: ['0']} (motorways).",
    )

    @field_validator("class_speeds_kmh", "excluded_classes", mode="before")
    @classmethod
    def _classes_as_text(cls, value: object) -> object:
        if isinstance(value, dict):
            return {key: _as_text_keys(inner) for key, inner in value.items()}
        return value

    @property
    def speed_kmh(self) -> float:
        """Speed of the scenario's mode in km/h."""
        return self.speeds_kmh[self.mode]

    @model_validator(mode="after")
    def _mode_has_speed(self) -> TravelSpec:
        if self.mode not in self.speeds_kmh:
            raise ValueError(f"travel.speeds_kmh has no speed for mode {self.mode!r}: add one")
        problems = [
            f"travel.speeds_kmh has no speed for mode {mode!r} of travel.modes: add one"
            for mode in self.modes
            if mode not in self.speeds_kmh
        ]
        problems.extend(self._share_problems())
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _share_problems(self) -> list[str]:
        """Return what is wrong with the mode shares (none under combine: any)."""
        given = {mode: spec.share for mode, spec in self.modes.items() if spec.share is not None}
        missing = sorted(set(self.modes) - set(given))
        problem = None
        if not self.modes:
            if self.mode_share_columns:
                problem = "travel.mode_share_columns needs travel.modes (the modes and standards)"
        elif self.combine == "any":
            pass
        elif self.mode_share_columns and given:
            problem = (
                "travel.modes gives shares and travel.mode_share_columns too: keep one of them"
            )
        elif self.mode_share_columns and set(self.mode_share_columns) != set(self.modes):
            problem = (
                f"travel.mode_share_columns names modes {sorted(self.mode_share_columns)} but "
                f"travel.modes has {sorted(self.modes)}: name a column for each mode"
            )
        elif not self.mode_share_columns and missing:
            problem = (
                f"travel.modes {', '.join(missing)} {'has' if len(missing) == 1 else 'have'} "
                "no share: give every mode a share, or use travel.mode_share_columns"
            )
        elif not self.mode_share_columns and abs(sum(given.values()) - 1.0) > SHARE_TOL:
            shares = " + ".join(f"{mode} {share:g}" for mode, share in given.items())
            problem = (
                f"travel.modes shares sum to {sum(given.values()):g} ({shares}), not 1: fix "
                "the shares"
            )
        return [] if problem is None else [problem]

    @property
    def several_modes(self) -> bool:
        """Whether the plan combines several modes (``travel.modes`` is set)."""
        return bool(self.modes)

    def mode_standards(self, standards: StandardsSpec) -> dict[Mode, tuple[float, float]]:
        """Return ``(house_min, frequent_min)`` per mode of ``travel.modes``."""
        return {
            mode: (
                standards.house_min if spec.house_min is None else spec.house_min,
                standards.frequent_min if spec.frequent_min is None else spec.frequent_min,
            )
            for mode, spec in self.modes.items()
        }


class StandardsSpec(_Spec):
    """Travel-time standards in minutes."""

    house_min: PosFloat = Field(20.0, description="R_H: a house within this many minutes.")
    frequent_min: PosFloat = Field(
        10.0, description="R_A: a house or antenne (frequent services) within this many minutes."
    )
    link_min: PosFloat = Field(
        15.0, description="L: an antenne is linked to a house at most this many minutes away."
    )
    need_tightening: Annotated[float, Field(ge=0, lt=1)] = Field(
        0.0, description="mu in R(i) = R (1 - mu * need_i): stricter standards for the neediest."
    )


ObjectiveKind = Literal[
    "max_coverage",
    "max_attendance",
    "set_cover",
    "set_cover_single",
    "p_median",
    "p_center",
    "mclp",
    "min_cost_targets",
]
_NEEDS_P = ("p_median", "p_center", "mclp")
_NO_ALTERNATIVES = ("p_median", "p_center", "max_attendance")


class ObjectiveSpec(_Spec):
    """What the optimiser maximises or minimises (the model of the catalogue)."""

    kind: ObjectiveKind = Field(
        "max_coverage",
        description="max_coverage: houses + antennes reaching the most weighted families within "
        "the budget; max_attendance: the same plans, maximising the families expected to use "
        "a house and a frequent service under the decay section's function; set_cover: the "
        "cheapest houses + antennes reaching every family within "
        "R_H and R_A; set_cover_single: the cheapest houses reaching every family within R_H; "
        "p_median: p houses, least weighted travel time; p_center: p houses, least worst "
        "travel time; mclp: at most p houses reaching the most weighted families within R_H; "
        "min_cost_targets: the cheapest plan reaching objective.targets (budget: a cap).",
    )
    alpha: Annotated[float, Field(ge=0, le=1)] = Field(
        0.5, description="Share of the objective for house coverage; 1 - alpha for frequent."
    )
    keep_existing: bool = Field(True, description="Existing sites stay open in their role.")
    p: Annotated[int, Field(ge=1)] | None = Field(
        None,
        description="Number of houses for p_median and p_center (exactly) and mclp (at most); "
        "kept existing and required houses count towards it.",
    )
    capacity_column: str | None = Field(
        None,
        description="Site column with the most families a house may serve (C_j; empty cell = "
        "no limit). Sectors are then assigned to houses within capacity (max_coverage, "
        "set_cover, set_cover_single, mclp: shares of a sector may go to several houses; "
        "p_median: a sector goes to one house). null: no capacities.",
    )

    targets: tuple[TargetSpec, ...] = Field(
        (), description="min_cost_targets: shares of groups of families to reach."
    )

    unreachable: Literal["error", "skip"] = Field(
        "error",
        description="Sectors with families that no allowed site can reach within a standard, "
        "under set_cover / set_cover_single or rules.universal_floor: 'error' stops with their "
        "names (universal coverage is impossible); 'skip' leaves them out and plans for "
        "everyone who can be reached (they are counted in the summary).",
    )
    alternatives: Annotated[int, Field(ge=1)] = Field(
        1, description="The K best plans that differ (no-good cuts); 1: the best plan only."
    )
    alternatives_differ: Annotated[int, Field(ge=1)] = Field(
        1, description="Each alternative differs from every better one in at least N sites."
    )
    alternatives_differ_in: Literal["houses", "sites"] = Field(
        "houses", description="houses: count houses only; sites: houses and antennes."
    )

    @model_validator(mode="after")
    def _p_for_kind(self) -> ObjectiveSpec:
        if self.alternatives > 1 and self.kind in _NO_ALTERNATIVES:
            raise ValueError(
                f"objective.kind {self.kind} does not support alternatives (objective."
                f"alternatives: {self.alternatives}): use max_coverage, mclp, set_cover or "
                "set_cover_single, or set objective.alternatives: 1"
            )
        if self.kind in _NEEDS_P and self.p is None:
            raise ValueError(f"objective.kind {self.kind} needs objective.p (number of houses)")
        if self.kind not in _NEEDS_P and self.p is not None:
            raise ValueError(
                f"objective.p is only used by p_median, p_center and mclp, not {self.kind}: "
                "remove it"
            )
        problem = targets_problem(self.kind, self.targets, self.capacity_column)
        if problem is not None:
            raise ValueError(problem)
        if self.kind == "p_center" and self.capacity_column is not None:
            raise ValueError("p_center does not take capacities: remove objective.capacity_column")
        if self.kind == "max_attendance" and self.capacity_column is not None:
            raise ValueError(
                "max_attendance does not take capacities (an assignment within capacity is "
                "not a sum of coverage levels): remove objective.capacity_column or use "
                "max_coverage"
            )
        return self


class DecaySpec(_Spec):
    """Distance decay: the share of families using a service falls with the travel time.

    Stated relative to each row's standard R (house or frequent, need tightening included):
    s = t / R. Reported for every plan; maximised by ``objective.kind: max_attendance``.
    """

    function: Literal["logistic", "linear", "step"] = Field(
        "logistic",
        description="logistic: f = 1 / (1 + exp(k (s - 1))) up to the cut-off, 0 beyond; "
        "linear: 1 up to s = start, 0 from s = end, straight between; step: the hard "
        "standard, f = 1 within R, 0 beyond.",
    )
    steepness: float = Field(8.0, description="k of the logistic (> 0); f(R) = 1/2.")
    cutoff: float = Field(2.0, description="Logistic: f = 0 beyond cutoff * R (>= 1).")
    start: float = Field(0.5, description="Linear: f = 1 up to start * R (0 <= start <= 1).")
    end: float = Field(1.5, description="Linear: f = 0 from end * R (end >= 1, end > start).")
    levels_per_standard: Annotated[int, Field(ge=1, le=200)] = Field(
        20,
        description="max_attendance: grid steps per standard (step R / m); the model "
        "maximises the step function with each step's value at its upper end, at most the "
        "reported bound below f.",
    )

    @model_validator(mode="after")
    def _parameters(self) -> DecaySpec:
        if not self.steepness > 0:
            raise ValueError(f"decay.steepness must be > 0, got {self.steepness:g}")
        if not self.cutoff >= 1:
            raise ValueError(
                f"decay.cutoff must be >= 1 (the cut-off lies at or beyond the standard), "
                f"got {self.cutoff:g}"
            )
        if not 0 <= self.start <= 1:
            raise ValueError(
                f"decay.start must be in 0..1 (times the standard), got {self.start:g}"
            )
        if not self.end >= 1:
            raise ValueError(
                f"decay.end must be >= 1 (the fall ends at or beyond the standard), got "
                f"{self.end:g}"
            )
        if not self.start < self.end:
            raise ValueError(
                f"decay.start ({self.start:g}) must be below decay.end ({self.end:g}); for a "
                "hard standard use decay.function: step"
            )
        return self


class Scenario(_Spec):
    """A complete, validated planning scenario.

    Attributes
    ----------
    source : Path or None
        The YAML file the scenario came from (None when built in code).
    source_sha256 : str or None
        SHA-256 of that file's bytes, for the manifest.
    overrides : tuple of str
        The ``--set KEY=VALUE`` overrides that change the file's question (every key outside
        ``solver`` and ``outputs``), as given; every output names them.
    """

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=80)
    description: str = ""
    data: DataSpec
    need: NeedSpec
    demand: DemandSpec = DemandSpec()
    travel: TravelSpec = TravelSpec()
    standards: StandardsSpec = StandardsSpec()
    budget: BudgetSpec
    objective: ObjectiveSpec = ObjectiveSpec()
    decay: DecaySpec = DecaySpec()
    rules: RulesSpec = RulesSpec()
    colocation: ColocationSpec = ColocationSpec()
    solver: SolverSpec = SolverSpec()
    outputs: OutputSpec = OutputSpec()
    source: Path | None = Field(None, exclude=True)
    source_sha256: str | None = Field(None, exclude=True)
    overrides: tuple[str, ...] = Field((), exclude=True)

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @model_validator(mode="after")
    def _counts_admit_p(self) -> Scenario:
        """``rules.min_houses`` / ``max_houses`` must admit ``objective.p`` (mclp: at most p)."""
        p, rules, kind = self.objective.p, self.rules, self.objective.kind
        low, high = rules.min_houses, rules.max_houses
        if p is not None and low is not None and low > p:
            key, count = "min", low
        elif p is not None and high is not None and high < p and kind != "mclp":
            key, count = "max", high
        else:
            return self
        raise ValueError(
            f"rules.{key}_houses = {count} does not admit objective.p = {p} ({kind} places "
            f"{'at most' if kind == 'mclp' else 'exactly'} p houses): change one of them"
        )

    @model_validator(mode="after")
    def _budget_fits_kind(self) -> Scenario:
        problem = budget_problem(self.budget, self.objective.kind)
        if problem is not None:
            raise ValueError(problem)
        return self

    @model_validator(mode="after")
    def _any_keeps_ratio(self) -> Scenario:
        """``combine: any`` is exact with one matrix when every mode keeps R_A / R_H."""
        if not self.travel.modes or self.travel.combine != "any":
            return self
        ratio = self.standards.frequent_min / self.standards.house_min
        off = [
            f"{mode} {frequent:g}/{house:g}"
            for mode, (house, frequent) in self.travel.mode_standards(self.standards).items()
            if abs(frequent / house - ratio) > 1e-9
        ]
        if off:
            raise ValueError(
                "travel.combine any needs every mode's frequent_min / house_min equal to the "
                f"standards' ({self.standards.frequent_min:g}/{self.standards.house_min:g}); "
                f"{', '.join(off)} differ: scale both standards of those modes alike"
            )
        return self

    @model_validator(mode="after")
    def _alternatives_on_highs(self) -> Scenario:
        if self.objective.alternatives > 1 and self.solver.name != "highs":
            raise ValueError(
                f"objective.alternatives ({self.objective.alternatives}) needs solver.name: "
                f"highs (one model kept across the solves), got {self.solver.name}"
            )
        return self

    @model_validator(mode="after")
    def _phases_of_max_coverage(self) -> Scenario:
        """Phases are a rollout of the ``max_coverage`` model (no capacities, no values)."""
        problem = phase_kind_problem(self.budget, self.objective, self.colocation)
        if problem:
            raise ValueError(problem)
        if len(self.budget.phases) > 1 and self.objective.alternatives > 1:
            raise ValueError(
                "budget.phases and objective.alternatives cannot be combined yet: ask for the "
                "alternatives of one budget, or for the phases without alternatives"
            )
        return self

    def label(self) -> str:
        """Return the name and its overrides: ``gent_baseline (--set budget.amount_eur=2e6)``."""
        if not self.overrides:
            return self.name
        return f"{self.name} ({', '.join(f'--set {item}' for item in self.overrides)})"

    def input_paths(self) -> dict[str, Path]:
        """Return every input file of the scenario by role."""
        paths = {"sectors": self.data.sectors, "sites": self.data.sites}
        if self.data.network is not None and self.travel.model == "network":
            paths["network"] = self.data.network
        if self.data.population_raster is not None:
            paths["population_raster"] = self.data.population_raster
        if self.data.services is not None:
            paths["services"] = self.data.services
        return paths
