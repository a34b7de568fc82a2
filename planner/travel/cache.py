"""An on-disk cache for street networks and travel-time matrices.

Building a city's network and its travel-time matrices is the slow, repeated part of running
scenario after scenario on the same data. Both are pure functions of their inputs, so their
arrays are stored under ``$PLANNER_CACHE_DIR`` (default ``~/.cache/planner``) in ``.npz``
files named by a key:

* network (nodes, edges and the street lines they run along): SHA-256 of the network file's
  bytes, the scenario keys that shape the network (format,
  one-way column and values, road-class column, splitting, CRS, mode, speeds, class speeds and
  exclusions of the mode) and the source code of the modules that build it
  (:mod:`planner.travel.network`, ``graph``, ``lines``, ``noding``, ``osm``);
* travel: SHA-256 of the network arrays, the sector and site coordinates, the snap distance and
  the source code of :mod:`planner.travel.matrices`.

The warnings logged while an entry is built (a disconnected network whose smaller pieces are
dropped, points far from the network, pairs without a route) are stored with it and logged again
on every cache hit, so a warm cache says exactly what a cold one says.

Any change to an input, a relevant key or the code gives another key, so a stale entry is never
used. Every file stores a SHA-256 of its own arrays; a file that cannot be read or whose digest
does not match is logged, deleted and rebuilt, never trusted. Files are written to a temporary
name and renamed, so an interrupted run leaves no half file. Set ``PLANNER_CACHE_DIR`` to an
empty string (or ``PLANNER_NO_CACHE=1``) to switch the cache off; a cache folder that cannot be
written only costs the time to rebuild.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from planner.errors import CHANGES_FIGURE
from planner.travel.matrices import TravelTimes
from planner.travel.network import Network

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    from numpy.typing import NDArray

    from planner.scenario import DataSpec, TravelSpec

__all__ = [
    "CACHE_FORMAT",
    "cache_dir",
    "cached_network",
    "cached_travel_times",
    "file_digest",
    "load_arrays",
    "save_arrays",
    "stored_warnings",
]

logger = logging.getLogger(__name__)

CACHE_FORMAT = 3
"""Bumped when the layout of the cached files changes."""

_DIGEST_KEY = "__sha256__"
_WARNINGS_KEY = "__warnings__"
_FIGURE_MARK = "+"  # before the logger name of a stored warning that changes a figure
_WARNINGS_SEP = "\x1f"  # between a logger's name and its message
_Result = TypeVar("_Result", Network, TravelTimes)
_CHUNK = 1 << 20
# The modules that build a network (their code is part of the key, their warnings are stored).
_NETWORK_MODULES = (
    "planner.travel.network",
    "planner.travel.graph",
    "planner.travel.lines",
    "planner.travel.noding",
    "planner.travel.osm",
    "planner.travel.osm_pbf",
)


def cache_dir() -> Path | None:
    """Return the cache folder, or None when the cache is switched off.

    Returns
    -------
    pathlib.Path or None
        ``$PLANNER_CACHE_DIR`` when set (an empty value switches the cache off), else
        ``~/.cache/planner``; None also when ``PLANNER_NO_CACHE`` is set to a true value.
    """
    if os.environ.get("PLANNER_NO_CACHE", "").strip().lower() in {"1", "true", "yes"}:
        return None
    configured = os.environ.get("PLANNER_CACHE_DIR")
    if configured is not None:
        return Path(configured).expanduser() if configured.strip() else None
    return Path.home() / ".cache" / "planner"


def file_digest(path: Path) -> str:
    """Return the SHA-256 of a file's bytes (of every file in it, by name, for a folder).

    Parameters
    ----------
    path
        A file or a folder (a Shapefile folder, a FileGDB).

    Returns
    -------
    str
        Hex digest.
    """
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        digest.update(file.name.encode())
        with file.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    return digest.hexdigest()


def _arrays_digest(arrays: Mapping[str, NDArray[np.generic]]) -> str:
    digest = hashlib.sha256()
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        digest.update(name.encode())
        digest.update(str(array.dtype).encode())
        digest.update(str(array.shape).encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def _key(parts: Mapping[str, object]) -> str:
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _source_digest(*modules: str) -> str:
    """Digest of the source files of the modules that build a cached object."""
    files = (importlib.import_module(module).__file__ for module in modules)
    return ";".join(file_digest(Path(file)) for file in files if file)


def load_arrays(kind: str, key: str) -> dict[str, NDArray[np.generic]] | None:
    """Load a cached set of arrays, or None when absent, unreadable or corrupt.

    Parameters
    ----------
    kind
        Sub-folder, e.g. ``"network"``.
    key
        Hex key of the entry.

    Returns
    -------
    dict or None
        The arrays by name; a corrupt file is deleted and None returned.
    """
    folder = cache_dir()
    if folder is None:
        return None
    path = folder / kind / f"{key}.npz"
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as content:
            arrays = {name: content[name] for name in content.files}
        stored = str(arrays.pop(_DIGEST_KEY))
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
        logger.warning(f"cache file {path} is unreadable ({type(error).__name__}); rebuilding")
        path.unlink(missing_ok=True)
        return None
    if stored != _arrays_digest(arrays):
        logger.warning(f"cache file {path} does not match its checksum; rebuilding")
        path.unlink(missing_ok=True)
        return None
    logger.info(f"Using cached {kind} {key[:12]}")
    return arrays


def save_arrays(kind: str, key: str, arrays: Mapping[str, NDArray[np.generic]]) -> Path | None:
    """Store a set of arrays atomically (temporary file, then rename).

    Parameters
    ----------
    kind
        Sub-folder, e.g. ``"travel"``.
    key
        Hex key of the entry.
    arrays
        Arrays by name (no object arrays).

    Returns
    -------
    pathlib.Path or None
        The file written, or None when the cache is off or the folder cannot be written.
    """
    folder = cache_dir()
    if folder is None:
        return None
    target = folder / kind / f"{key}.npz"
    content = dict(arrays) | {_DIGEST_KEY: np.array(_arrays_digest(arrays))}
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".tmp", delete=False) as tmp:
            np.savez(tmp, **content)
        Path(tmp.name).replace(target)
    except OSError as error:
        logger.warning(f"cannot write the cache in {folder} ({error}); continuing without it")
        return None
    return target


class _Capture(logging.Handler):
    """Collect the records a build logs, to replay them and store its warnings."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _capturing(*names: str) -> Iterator[_Capture]:
    """Capture what the named loggers log (warnings even under ``--quiet``), then replay it.

    While the build runs the loggers keep their records to themselves; afterwards every record
    goes out through the logger again, so the usual levels and handlers decide what is shown.
    """
    capture = _Capture()
    loggers = [logging.getLogger(name) for name in names]
    saved = [(log.level, log.propagate) for log in loggers]
    effective = [log.getEffectiveLevel() for log in loggers]
    for log, level in zip(loggers, effective, strict=True):
        log.addHandler(capture)
        log.setLevel(min(level, logging.WARNING))
        log.propagate = False
    try:
        yield capture
    finally:
        for log, (level, propagate) in zip(loggers, saved, strict=True):
            log.removeHandler(capture)
            log.setLevel(level)
            log.propagate = propagate
        for record in capture.records:
            log = logging.getLogger(record.name)
            if record.levelno >= log.getEffectiveLevel():
                log.handle(record)


def _warnings_array(capture: _Capture) -> NDArray[np.str_]:
    texts = [  # a warning that changes a figure keeps its mark (shown under --quiet too)
        f"{_FIGURE_MARK if getattr(record, 'changes_figure', False) else ''}{record.name}"
        f"{_WARNINGS_SEP}{record.getMessage()}"
        for record in capture.records
        if record.levelno >= logging.WARNING
    ]
    return np.array(texts, dtype=str) if texts else np.array([], dtype="<U1")


def stored_warnings(arrays: Mapping[str, NDArray[np.generic]]) -> list[tuple[str, str]]:
    """Return the (logger name, message) warnings stored with a cache entry.

    Parameters
    ----------
    arrays
        The entry as :func:`load_arrays` returns it.

    Returns
    -------
    list of tuple
        In the order they were logged when the entry was built.
    """
    return [(name, message) for name, message, _ in _stored(arrays)]


def _stored(arrays: Mapping[str, NDArray[np.generic]]) -> list[tuple[str, str, bool]]:
    stored = arrays.get(_WARNINGS_KEY)
    if stored is None:
        return []
    found = []
    for text in np.atleast_1d(stored).tolist():
        name, _, message = str(text).partition(_WARNINGS_SEP)
        figure = name.startswith(_FIGURE_MARK)
        found.append((name.removeprefix(_FIGURE_MARK), message, figure))
    return found


def _replay(arrays: Mapping[str, NDArray[np.generic]]) -> None:
    for name, message, figure in _stored(arrays):
        logging.getLogger(name).warning(message, extra=CHANGES_FIGURE if figure else None)


def _cached(
    kind: str,
    key: str,
    result_type: type[_Result],
    loggers: tuple[str, ...],
    build: Callable[[], _Result],
) -> _Result:
    """Return the cached result of ``build`` under ``key``, or build, store and return it.

    A hit logs again the warnings stored with the entry; an entry that cannot be turned back
    into ``result_type`` is logged and rebuilt. While building, the warnings of ``loggers``
    are captured and stored with the arrays.
    """
    arrays = load_arrays(kind, key)
    if arrays is not None:
        try:
            result = _from_arrays(result_type, arrays)
        except (KeyError, ValueError, TypeError) as error:
            noun, verb = ("network", "is") if kind == "network" else ("travel times", "are")
            logger.warning(f"cached {noun} {key[:12]} {verb} incomplete ({error}); rebuilding")
        else:
            _replay(arrays)
            return result
    with _capturing(*loggers) as capture:
        result = build()
    save_arrays(kind, key, _dataclass_arrays(result) | {_WARNINGS_KEY: _warnings_array(capture)})
    return result


# --- networks ---------------------------------------------------------------------------------


def network_key(data: DataSpec, travel: TravelSpec) -> str:
    """Return the cache key of a scenario's network (see the module docstring).

    Parameters
    ----------
    data, travel
        The scenario's data and travel sections.

    Returns
    -------
    str
        Hex key.
    """
    mode = travel.mode
    return _key(
        {
            "format": CACHE_FORMAT,
            "file": file_digest(Path(data.network or "")),
            "network_format": data.network_format,
            "oneway_column": data.oneway_column,
            "oneway_values": data.oneway_values.model_dump(),
            "road_class_column": data.road_class_column,
            "split": data.network_split_crossings,
            "crs": data.crs,
            "mode": mode,
            "speed": travel.speed_kmh,
            "class_speeds": travel.class_speeds_kmh.get(mode, {}),
            "excluded": travel.excluded_classes.get(mode, ()),
            "code": _source_digest(*_NETWORK_MODULES),
        }
    )


def _dataclass_arrays(obj: Network | TravelTimes) -> dict[str, NDArray[np.generic]]:
    """Every field of a frozen result as an array (scalars and text 0-d; None left out)."""
    return {
        field.name: np.asarray(getattr(obj, field.name))
        for field in fields(obj)
        if getattr(obj, field.name) is not None
    }


def _from_arrays(cls: type[_Result], arrays: Mapping[str, NDArray[np.generic]]) -> _Result:
    """Rebuild a frozen result from its arrays, restoring Python scalars and text."""
    values: dict[str, Any] = {}
    for field in fields(cls):
        if field.name not in arrays and field.default is None:
            continue  # an optional field that was None
        array = arrays[field.name]
        if array.ndim == 0:
            values[field.name] = array.item()
        else:
            values[field.name] = np.array(array)
    return cls(**values)


def cached_network(
    data: DataSpec, travel: TravelSpec, build: Callable[[DataSpec, TravelSpec], Network]
) -> Network:
    """Return the scenario's network from the cache, or build and store it.

    Parameters
    ----------
    data, travel
        The scenario's data and travel sections.
    build
        Builds the network on a miss (normally :func:`planner.travel.network.read_network`); its
        errors pass through.

    Returns
    -------
    Network
        The network, equal to what ``build`` returns.
    """
    if cache_dir() is None or data.network is None or not Path(data.network).exists():
        return build(data, travel)
    return _cached(
        "network", network_key(data, travel), Network, _NETWORK_MODULES, lambda: build(data, travel)
    )


# --- travel times -----------------------------------------------------------------------------


def travel_key(
    network: Network,
    sector_xy: NDArray[np.float64],
    site_xy: NDArray[np.float64],
    max_snap_distance_m: float,
) -> str:
    """Return the cache key of a pair of travel-time matrices.

    Parameters
    ----------
    network
        The network.
    sector_xy, site_xy
        Sector points and sites.
    max_snap_distance_m
        Snap distance.

    Returns
    -------
    str
        Hex key.
    """
    return _key(
        {
            "format": CACHE_FORMAT,
            "network": _arrays_digest(_dataclass_arrays(network)),
            "points": _arrays_digest(
                {"sectors": np.asarray(sector_xy, float), "sites": np.asarray(site_xy, float)}
            ),
            "snap": repr(float(max_snap_distance_m)),
            "code": _source_digest("planner.travel.matrices"),
        }
    )


def cached_travel_times(
    network: Network,
    sector_xy: NDArray[np.float64],
    site_xy: NDArray[np.float64],
    *,
    max_snap_distance_m: float,
    compute: Callable[..., TravelTimes],
) -> TravelTimes:
    """Return travel-time matrices from the cache, or compute and store them.

    Parameters
    ----------
    network
        The network.
    sector_xy, site_xy
        ``(n, 2)`` sector points and sites in the network's CRS.
    max_snap_distance_m
        Snap distance passed to ``compute``.
    compute
        Computes the matrices on a miss (normally :func:`planner.travel.matrices.travel_times`).

    Returns
    -------
    TravelTimes
        The matrices, equal to what ``compute`` returns.
    """
    if cache_dir() is None:
        return compute(network, sector_xy, site_xy, max_snap_distance_m=max_snap_distance_m)
    return _cached(
        "travel",
        travel_key(network, sector_xy, site_xy, max_snap_distance_m),
        TravelTimes,
        ("planner.travel.matrices",),
        lambda: compute(network, sector_xy, site_xy, max_snap_distance_m=max_snap_distance_m),
    )
