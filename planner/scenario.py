"""Scenario files: YAML validated into frozen, typed objects.

A scenario says which data to read, how need is measured, how families travel, which
standards apply, what the budget is and how the optimiser must run. Unknown keys are an
error that names the key and its path (``budget.amount_eur_typo``), never a silent default.

Relative paths in the ``data`` section are resolved against the folder of the scenario
file, so a scenario can be run from any working directory. ``outputs.dir`` is resolved
against the working directory (like any output folder of a command-line tool), unless
``planner run --out`` overrides it.

Precedence, lowest to highest: the defaults written here, the scenario file, then
overrides given on the command line or to :func:`load_scenario` (``{"budget.amount_eur": 5e5}``).
"""

from __future__ import annotations

import difflib
import hashlib
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from planner.errors import InputFileError, ScenarioError

__all__ = [
    "BudgetSpec",
    "DataSpec",
    "GroupRuleSpec",
    "IndicatorSpec",
    "NeedSpec",
    "ObjectiveSpec",
    "OnewayValuesSpec",
    "OutputSpec",
    "RulesSpec",
    "Scenario",
    "SolverSpec",
    "StandardsSpec",
    "TravelSpec",
    "load_scenario",
    "scenario_from_dict",
]

Mode = Literal["walk", "bike", "car"]
_DEFAULT_SPEEDS: dict[Mode, float] = {"walk": 4.5, "bike": 15.0, "car": 30.0}
NonNegFloat = Annotated[float, Field(ge=0)]
PosFloat = Annotated[float, Field(gt=0)]


class _Spec(BaseModel):
    """Base of every scenario section: frozen, unknown keys forbidden."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _as_text_keys(value: object) -> object:
    """Read YAML road classes (``0: 100`` or ``[0, 9]``) as text, like the layer's values."""
    if isinstance(value, dict):
        return {
            key: _as_text_keys(inner) if isinstance(inner, dict | list) else inner
            for key, inner in ((str(k), v) for k, v in value.items())
        }
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return value


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
    network: Path = Field(description="Street network: a line layer, or an OSM XML file.")
    network_format: Literal["lines", "osm_xml"] = Field(
        "lines", description="'lines' for a road register line layer, 'osm_xml' for .osm files."
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


class TravelSpec(_Spec):
    """How families travel to the sites."""

    mode: Mode = "walk"
    speeds_kmh: dict[Mode, PosFloat] = Field(default_factory=lambda: dict(_DEFAULT_SPEEDS))
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
        return self


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


class BudgetSpec(_Spec):
    """Money available for new sites (existing sites cost nothing to keep)."""

    amount_eur: NonNegFloat


ObjectiveKind = Literal[
    "max_coverage", "set_cover", "set_cover_single", "p_median", "p_center", "mclp"
]
_NEEDS_P = ("p_median", "p_center", "mclp")


class ObjectiveSpec(_Spec):
    """What the optimiser maximises or minimises (the model of the catalogue)."""

    kind: ObjectiveKind = Field(
        "max_coverage",
        description="max_coverage: houses + antennes reaching the most weighted families within "
        "the budget; set_cover: the cheapest houses + antennes reaching every family within "
        "R_H and R_A; set_cover_single: the cheapest houses reaching every family within R_H; "
        "p_median: p houses, least weighted travel time; p_center: p houses, least worst "
        "travel time; mclp: at most p houses reaching the most weighted families within R_H.",
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

    unreachable: Literal["error", "skip"] = Field(
        "error",
        description="Sectors with families that no allowed site can reach within a standard, "
        "under set_cover / set_cover_single or rules.universal_floor: 'error' stops with their "
        "names (universal coverage is impossible); 'skip' leaves them out and plans for "
        "everyone who can be reached (they are counted in the summary).",
    )

    @model_validator(mode="after")
    def _p_for_kind(self) -> ObjectiveSpec:
        if self.kind in _NEEDS_P and self.p is None:
            raise ValueError(f"objective.kind {self.kind} needs objective.p (number of houses)")
        if self.kind not in _NEEDS_P and self.p is not None:
            raise ValueError(
                f"objective.p is only used by p_median, p_center and mclp, not {self.kind}: "
                "remove it"
            )
        if self.kind == "p_center" and self.capacity_column is not None:
            raise ValueError("p_center does not take capacities: remove objective.capacity_column")
        return self


class GroupRuleSpec(_Spec):
    """At least one house per group of sectors (a wijk, a municipality)."""

    column: str = Field(
        description="Sector column naming each sector's group (e.g. wijk, municipality NIS code)."
    )
    serves: Literal["located", "reach"] = Field(
        "located",
        description="'located': a house serves a group when it lies in one of the group's "
        "sectors (a site column of the same name, when present, overrides the map); 'reach': "
        "when it is within the house standard R_H of at least one of the group's sectors with "
        "families.",
    )


class RulesSpec(_Spec):
    """Policy rules every plan must meet (constraints, for every objective kind)."""

    required_houses: tuple[str, ...] = Field(
        (), description="Site ids that must open as houses (new ones pay their cost)."
    )
    required_antennes: tuple[str, ...] = Field(
        (), description="Site ids that must open as antennes (max_coverage and set_cover)."
    )
    min_houses: Annotated[int, Field(ge=0)] | None = Field(
        None, description="At least this many houses (existing and required included)."
    )
    max_houses: Annotated[int, Field(ge=0)] | None = Field(
        None, description="At most this many houses (existing and required included)."
    )
    min_antennes: Annotated[int, Field(ge=0)] | None = Field(
        None, description="At least this many antennes (max_coverage and set_cover)."
    )
    max_antennes: Annotated[int, Field(ge=0)] | None = Field(
        None, description="At most this many antennes (max_coverage and set_cover)."
    )
    universal_floor: bool = Field(
        False, description="Every sector with families has a house within R_H."
    )
    house_spacing_min: PosFloat | None = Field(
        None, description="Two houses are at least this many minutes apart (site-to-site time)."
    )
    house_per_group: tuple[GroupRuleSpec, ...] = Field(
        (), description="At least one house per group, for each listed sector column."
    )

    @model_validator(mode="after")
    def _ranges(self) -> RulesSpec:
        for low, high in (("min_houses", "max_houses"), ("min_antennes", "max_antennes")):
            lo, hi = getattr(self, low), getattr(self, high)
            if lo is not None and hi is not None and lo > hi:
                raise ValueError(f"rules.{low} ({lo}) is larger than rules.{high} ({hi})")
        both = set(self.required_houses) & set(self.required_antennes)
        if both:
            raise ValueError(
                f"sites {', '.join(sorted(both))} are required both as house and as antenne"
            )
        return self


class SolverSpec(_Spec):
    """Which MILP solver runs and how long it may run."""

    name: Literal["cbc", "highs"] = "cbc"
    time_limit_s: PosFloat | None = 60.0
    mip_gap: Annotated[float, Field(ge=0, lt=1)] = 0.0
    threads: Annotated[int, Field(ge=1)] = 1
    msg: bool = False


class OutputSpec(_Spec):
    """Where results are written, and which maps and notes are made."""

    dir: Path = Path("outputs")
    map: bool = True
    offline: bool = Field(
        False,
        description="map.html carries Leaflet's JS and CSS inline and loads nothing from the web.",
    )
    tiles: str | None = Field(
        "auto",
        description="Base tiles of map.html: 'auto' (web tiles online, none offline), null or "
        "'none' (no tiles), or a tile provider name (e.g. 'CartoDB Positron') or URL template.",
    )
    static_maps: bool = Field(True, description="Write map.png (A4, 300 dpi) and map.pdf.")

    @field_validator("tiles")
    @classmethod
    def _known_tiles(cls, value: str | None) -> str | None:
        if value is None or value.strip().lower() in {"", "none", "auto", "openstreetmap"}:
            return value
        if all(part in value for part in ("{z}", "{x}", "{y}")):
            return value  # a URL template; the map names it as its attribution
        import xyzservices.providers  # type: ignore[import-untyped]  # noqa: PLC0415

        try:
            xyzservices.providers.query_name(value)
        except ValueError:
            raise ValueError(
                "not a tile provider name (e.g. 'CartoDB Positron', 'OpenStreetMap'; see "
                "xyzservices.providers) nor a URL template with {z}, {x} and {y}; use one of "
                "those, 'auto' or 'none'"
            ) from None
        return value

    note: bool = Field(True, description="Write the council note note.html and note.pdf.")
    language: Literal["nl", "en"] = Field("nl", description="Language of the note and maps.")
    sources: tuple[str, ...] = Field(
        (),
        description="Data sources named on static maps and in the note, e.g. "
        "[Statbel, Stad Gent, OpenStreetMap-bijdragers]; empty = the input file names.",
    )


class Scenario(_Spec):
    """A complete, validated planning scenario.

    Attributes
    ----------
    source : Path or None
        The YAML file the scenario came from (None when built in code).
    source_sha256 : str or None
        SHA-256 of that file's bytes, for the manifest.
    """

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=80)
    description: str = ""
    data: DataSpec
    need: NeedSpec
    travel: TravelSpec = TravelSpec()
    standards: StandardsSpec = StandardsSpec()
    budget: BudgetSpec
    objective: ObjectiveSpec = ObjectiveSpec()
    rules: RulesSpec = RulesSpec()
    solver: SolverSpec = SolverSpec()
    outputs: OutputSpec = OutputSpec()
    source: Path | None = Field(None, exclude=True)
    source_sha256: str | None = Field(None, exclude=True)

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    def input_paths(self) -> dict[str, Path]:
        """Return every input file of the scenario by role."""
        paths = {
            "sectors": self.data.sectors,
            "sites": self.data.sites,
            "network": self.data.network,
        }
        if self.data.population_raster is not None:
            paths["population_raster"] = self.data.population_raster
        return paths


def _format_location(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


_FRACTIONS = ("objective.alpha", "solver.mip_gap", "standards.need_tightening")


def _model_in(annotation: object) -> type[BaseModel] | None:
    """Return the scenario section class inside a field's type (``X | None``, tuples)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _known_keys(loc: tuple[int | str, ...]) -> list[str]:
    """Return the keys allowed next to the last part of ``loc`` (for spelling suggestions)."""
    model: type[BaseModel] | None = Scenario
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = None if model is None else model.model_fields.get(part)
        if field is None:
            return []
        model = _model_in(field.annotation)
    if model is None:
        return []
    return [name for name in model.model_fields if name not in {"source", "source_sha256"}]


def _unknown_key(loc: tuple[int | str, ...], where: str) -> str:
    close = difflib.get_close_matches(str(loc[-1]), _known_keys(loc), n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return (
        f"{where}: unknown key '{_format_location(loc)}': {hint}remove it or check its "
        "spelling (see scenarios/demo.yaml for every option)"
    )


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."


def _origin(loc: tuple[int | str, ...], where: str, overrides: tuple[str, ...]) -> str:
    """Name the ``--set`` option that gave a key, else the scenario file."""
    key = _format_location(loc)
    for dotted in overrides:
        if key == dotted or key.startswith(f"{dotted}.") or dotted.startswith(f"{key}."):
            return f"--set {dotted}"
    return where


_JARGON = ("Value error, ", "Assertion failed, ")


def _plain(message: str) -> str:
    """Strip pydantic's prefixes ("Value error, ") and class names from a message."""
    for prefix in _JARGON:
        message = message.removeprefix(prefix)
    return message.replace("Input should be", "should be")


def _section_problem(
    loc: tuple[int | str, ...], got: object, origin: str, from_set: bool
) -> str | None:
    """Explain a single value given where a section (a mapping of keys) is expected."""
    keys = _known_keys((*loc, ""))
    if not keys or isinstance(got, dict):
        return None
    key = _format_location(loc)
    model = Scenario
    for part in loc:
        found = None if isinstance(part, int) else model.model_fields.get(part)
        inner = None if found is None else _model_in(found.annotation)
        if inner is None:
            return None
        model = inner  # type: ignore[assignment]
    required = [name for name, field in model.model_fields.items() if field.is_required()]
    first = (required or keys)[0]
    if from_set:
        return f"{origin}: {key} is a section; use --set {key}.{first}={got}"
    return (
        f"{origin}: key '{key}' is a section (keys: {', '.join(keys)}), not a single value "
        f"(got {_shown(got)}); write it as '{key}: {{{first}: ...}}'"
    )


def _pydantic_problems(
    error: ValidationError, where: str, overrides: tuple[str, ...] = ()
) -> list[str]:
    problems = []
    for item in error.errors():
        key = _format_location(item["loc"])
        origin = _origin(item["loc"], where, overrides)
        if item["type"] == "extra_forbidden":
            problems.append(_unknown_key(item["loc"], origin))
        elif item["type"] == "missing":
            problems.append(f"{origin}: required key '{key}' is missing: add it")
        else:
            got = item.get("input")
            if item["type"] in {"model_type", "dict_type", "model_attributes_type"}:
                section = _section_problem(item["loc"], got, origin, origin != where)
                if section is not None:
                    problems.append(section)
                    continue
            shown = f" (got {_shown(got)})" if not isinstance(got, dict | list) else ""
            hint = ""
            if key in _FRACTIONS and isinstance(got, int | float) and got > 1:
                hint = f": give a fraction, not a percentage ({got / 100:g} for {got:g} %)"
            problems.append(f"{origin}: key '{key}': {_plain(item['msg'])}{shown}{hint}")
    return problems


def _set_dotted(raw: dict[str, Any], dotted: str, value: object) -> None:
    parts = dotted.split(".")
    node = raw
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ScenarioError(
                f"--set {dotted}: '{part}' is a single value in the scenario, not a section: "
                f"set it with --set {'.'.join(parts[: parts.index(part) + 1])}=VALUE"
            )
        node = child
    node[parts[-1]] = value


_PATH_KEYS = ("sectors", "sites", "network", "population_raster")


def _resolve_data_paths(raw: dict[str, Any], base: Path, where: str) -> None:
    data = raw.get("data")
    if not isinstance(data, dict):
        return
    bad = [
        f"{where}: key 'data.{key}': a path cannot contain a NUL character (got {data[key]!r})"
        for key in _PATH_KEYS
        if isinstance(data.get(key), str) and "\x00" in data[key]
    ]
    if bad:
        raise ScenarioError(bad)
    for key in _PATH_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value and not Path(value).is_absolute():
            try:
                data[key] = str((base / value).resolve())
            except (OSError, RuntimeError) as error:  # too long, a symlink loop
                raise ScenarioError(
                    f"{where}: key 'data.{key}': {value!r} is not a usable path ({error})"
                ) from None


def scenario_from_dict(
    raw: dict[str, Any],
    *,
    base_dir: Path | None = None,
    where: str = "scenario",
    overrides: dict[str, object] | None = None,
    source: Path | None = None,
    source_sha256: str | None = None,
) -> Scenario:
    """Validate a scenario given as a mapping.

    Parameters
    ----------
    raw
        The parsed YAML mapping.
    base_dir
        Folder against which relative data paths are resolved (default: working directory).
    where
        Name used in error messages (normally the file name).
    overrides
        Dotted keys and values applied on top, e.g. ``{"budget.amount_eur": 5e5}``.
    source, source_sha256
        The file the mapping came from and its hash, kept for the manifest.

    Returns
    -------
    Scenario
        The validated, frozen scenario.

    Raises
    ------
    ScenarioError
        Listing every invalid, missing or unknown key with its path.
    """
    if not isinstance(raw, dict):
        raise ScenarioError(
            f"{where}: expected a mapping of keys (name, data, need, ...) at the top level, "
            f"got {type(raw).__name__}"
        )
    raw = _deep_copy(raw)
    for dotted, value in (overrides or {}).items():
        _set_dotted(raw, dotted, value)
    _resolve_data_paths(raw, base_dir or Path.cwd(), where)
    if "source" in raw or "source_sha256" in raw:
        raise ScenarioError(f"{where}: unknown key 'source': remove it")
    try:
        return Scenario.model_validate({**raw, "source": source, "source_sha256": source_sha256})
    except ValidationError as error:
        raise ScenarioError(_pydantic_problems(error, where, tuple(overrides or ()))) from None


def _deep_copy(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        key: _deep_copy(value) if isinstance(value, dict) else value for key, value in raw.items()
    }


def load_scenario(path: str | Path, overrides: dict[str, object] | None = None) -> Scenario:
    """Read and validate a scenario YAML file.

    Parameters
    ----------
    path
        The scenario file.
    overrides
        Dotted keys and values applied on top of the file, e.g. ``{"solver.name": "highs"}``.

    Returns
    -------
    Scenario
        The validated, frozen scenario; relative data paths are resolved against the file's folder.

    Raises
    ------
    InputFileError
        When the file does not exist or cannot be read.
    ScenarioError
        When the YAML is malformed or any key is unknown, missing or invalid.
    """
    path = Path(path)
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(
            f"scenario file {path} does not exist: check the path (try scenarios/demo.yaml)"
        ) from None
    except OSError as error:
        raise InputFileError(f"scenario file {path} cannot be read: {error.strerror}") from None
    try:
        raw = yaml.safe_load(content.decode("utf-8"))
    except UnicodeDecodeError:
        raise ScenarioError(
            f"{path}: not a UTF-8 text file; save the scenario as UTF-8 YAML"
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "invalid YAML"
        raise ScenarioError(f"{path}: malformed YAML{at}: {problem}; fix the syntax") from None
    if raw is None:
        raise ScenarioError(f"{path}: the file is empty; start from scenarios/demo.yaml")
    return scenario_from_dict(
        raw,
        base_dir=path.resolve().parent,
        where=str(path),
        overrides=overrides,
        source=path.resolve(),
        source_sha256=hashlib.sha256(content).hexdigest(),
    )
