r"""Reading a scenario: YAML → :class:`~planner.scenario.spec.Scenario`, overrides, plain messages.

Option precedence, lowest to highest: defaults, the scenario file, ``--set KEY=VALUE``
overrides (dotted keys, values read as YAML). Every problem is reported at once, each naming
the key's path, with a "did you mean" for misspelt keys.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

import yaml
from pydantic import BaseModel, ValidationError

from planner.errors import InputFileError, ScenarioError
from planner.scenario.spec import Scenario

if TYPE_CHECKING:
    from collections.abc import Mapping

_INTERNAL = frozenset({"source", "source_sha256", "overrides"})

_HOW_NOT_WHAT = ("solver.", "outputs.")
"""Override keys that change how a plan is solved or written, not the question it answers."""


def question_overrides(overrides: dict[str, object] | None) -> tuple[str, ...]:
    """Return the overrides that change a scenario's question, as ``KEY=VALUE`` text.

    Keys under ``solver`` and ``outputs`` (the solver, its time limit, the language, the
    map's tiles) change how a plan is found or written, not what it answers, and are left
    out. The values are shown as they were given (``2e6`` stays ``2e6``).

    Parameters
    ----------
    overrides
        Dotted keys and values, e.g. ``{"budget.amount_eur": "2e6"}``.

    Returns
    -------
    tuple of str
        ``("budget.amount_eur=2e6",)``, in the order given.
    """
    return tuple(
        f"{key}={_given(value)}"
        for key, value in (overrides or {}).items()
        if not f"{key}.".startswith(_HOW_NOT_WHAT)
    )


_SLUG_MAX = 60


def folder_name(scenario: Scenario) -> str:
    """Return the name of a run's own output folder.

    A run with overrides never writes over the file's own results: its folder adds the
    overrides (``gent_baseline--budget.amount_eur-2e6``), shortened with a hash when long.

    Parameters
    ----------
    scenario
        The scenario, with the overrides it was loaded with.

    Returns
    -------
    str
        The scenario's name, or the name and its overrides.
    """
    if not scenario.overrides:
        return scenario.name
    slug = re.sub(r"[^A-Za-z0-9_.]+", "-", "--".join(scenario.overrides)).strip("-")
    if len(slug) > _SLUG_MAX:
        digest = hashlib.sha256("\n".join(scenario.overrides).encode()).hexdigest()[:10]
        slug = f"{slug[: _SLUG_MAX - 11].rstrip('-.')}-{digest}"
    return f"{scenario.name}--{slug}"


def _given(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict | list):
        return yaml.safe_dump(value, default_flow_style=True, sort_keys=False).strip()
    return str(value)


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
    return [name for name in model.model_fields if name not in _INTERNAL]


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

_OWN_WORDS = {
    "string_type": "should be text",
    "tuple_type": "should be a list (in YAML [a, b], or one '- item' per line)",
    "list_type": "should be a list (in YAML [a, b], or one '- item' per line)",
    "set_type": "should be a list (in YAML [a, b], or one '- item' per line)",
    "dict_type": "should be a mapping of keys (in YAML {key: value})",
    "float_parsing": "should be a number",
    "float_type": "should be a number",
    "int_parsing": "should be a whole number",
    "int_type": "should be a whole number",
    "int_from_float": "should be a whole number",
    "bool_parsing": "should be true or false",
    "bool_type": "should be true or false",
}
"""planner's words for pydantic's error types ("should be a valid tuple" and the like)."""

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}([.,' ]\d{3})+$")


def _plain(message: str) -> str:
    """Strip pydantic's prefixes ("Value error, ") and class names from a message."""
    for prefix in _JARGON:
        message = message.removeprefix(prefix)
    return message.replace("Input should be", "should be")


def _own_words(item: Mapping[str, Any], key: str) -> str:
    """Say what a value should be in planner's words, not pydantic's."""
    kind, context = item["type"], item.get("ctx") or {}
    if kind == "string_pattern_mismatch":
        if key == "name":
            return (
                "a name may hold only letters, digits, '_', '.' and '-' (no spaces), starting "
                "with a letter or digit: it names the output folder"
            )
        return f"does not have the expected form ({context.get('pattern')})"
    if kind == "string_too_long":
        return f"is too long: at most {context.get('max_length')} characters"
    return _OWN_WORDS.get(kind) or _plain(item["msg"])


def _number_hint(item: Mapping[str, Any]) -> str:
    """Hint for a number written with thousands separators (3.000.000, 3,000,000)."""
    got = item.get("input")
    if (
        item["type"] in {"float_parsing", "int_parsing"}
        and isinstance(got, str)
        and _THOUSANDS.match(got.strip())
    ):
        digits = re.sub(r"[.,' ]", "", got.strip())
        return f": write {digits}, without thousands separators"
    return ""


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
            fraction = key in _FRACTIONS or re.fullmatch(r"objective\.targets\.\d+\.share", key)
            if fraction and isinstance(got, int | float) and got > 1:
                hint = f": give a fraction, not a percentage ({got / 100:g} for {got:g} %)"
            hint = hint or _number_hint(item)
            problems.append(f"{origin}: key '{key}': {_own_words(item, key)}{shown}{hint}")
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


_PATH_KEYS = ("sectors", "sites", "network", "population_raster", "services")


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
    if _INTERNAL & raw.keys():
        raise ScenarioError(f"{where}: unknown key '{min(_INTERNAL & raw.keys())}': remove it")
    try:
        return Scenario.model_validate(
            {
                **raw,
                "source": source,
                "source_sha256": source_sha256,
                "overrides": question_overrides(overrides),
            }
        )
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
