"""Write a plan to disk: plan.gpkg, map.html, summary.json/csv, manifest.json, maps and note.

``outputs.static_maps`` adds map.png and map.pdf, ``outputs.note`` note.html, note.pdf and
note.docx.

Everything is written into a temporary sibling folder first and moved into place only when
complete, so an interrupted run never leaves a half-written folder and never damages an
earlier good result of the same scenario; what a killed run left behind (its temporary folder,
or the earlier result moved aside for the instant of the swap) is cleaned up or restored by the
next run. The manifest alone holds the time of the run and the runtimes per stage; all other
files are the same, byte for byte, for the same inputs (GDAL's GeoPackage timestamps are fixed
to :data:`GPKG_DATE`).
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import math
import os
import platform
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from planner.data.layers import GPKG_DATE, fixed_gpkg_date
from planner.errors import InputFileError
from planner.report.gpkg_styles import write_layer_styles
from planner.report.need_classes import need_classes
from planner.results.phases import PHASE_COLUMNS, phase_rows

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    import geopandas as gpd

    from planner.results.plan import Plan

__all__ = [
    "GPKG_DATE",
    "atomic_folder",
    "file_sha256",
    "manifest",
    "pause_if_asked",
    "write_json",
    "write_outputs",
]

logger = logging.getLogger(__name__)


_PACKAGES = (
    "planner",
    "numpy",
    "pandas",
    "scipy",
    "geopandas",
    "shapely",
    "pyogrio",
    "pyproj",
    "networkx",
    "osmnx",
    "pulp",
    "highspy",
    "folium",
    "XStatic-Leaflet",
    "matplotlib",
    "matplotlib-scalebar",
    "reportlab",
    "python-docx",
    "pydantic",
)


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of a file's bytes (streamed).

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    str
        Hex digest.
    """
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _versions() -> dict[str, str]:
    versions = {}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def manifest(plan: Plan) -> dict[str, Any]:
    """Describe what a run used: scenario and input hashes, versions, solver, status, times.

    Parameters
    ----------
    plan
        The plan of the run.

    Returns
    -------
    dict
        The manifest content.
    """
    scenario = plan.scenario
    inputs = {}
    for role, path in scenario.input_paths().items():
        inputs[role] = {
            "path": str(path),
            "sha256": file_sha256(path) if path.is_file() else None,
        }
    result = plan.solve
    return {
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "scenario": {
            "name": scenario.name,
            "file": str(scenario.source) if scenario.source else None,
            "sha256": scenario.source_sha256,
            "overrides": list(scenario.overrides),
            "resolved": scenario.model_dump(mode="json"),
        },
        "inputs": inputs,
        "solver": {
            "name": result.solver,
            "options": result.options,
            "status": result.status,
            "proven_optimal": result.proven_optimal,
            "objective": result.objective,
            "bound": result.bound,
            "gap": result.gap,
            "runtime_s": round(result.runtime_s, 3),
            "remark": result.remark or None,
        },
        "runtime_s": plan.timings,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": _versions(),
    }


def _json_ready(value: Any) -> Any:  # noqa: ANN401 - walks arbitrary JSON-like data
    if isinstance(value, dict):
        return {str(key): _json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _flatten(prefix: str, value: Any, rows: list[tuple[str, Any]]) -> None:  # noqa: ANN401
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), item, rows)
    elif isinstance(value, list):
        rows.append((prefix, "; ".join(str(item) for item in value)))
    else:
        rows.append((prefix, value))


def _write_csv(path: Path, summary: dict[str, Any]) -> None:
    rows: list[tuple[str, Any]] = []
    _flatten("", _json_ready(summary), rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["key", "value"])
        writer.writerows((key, "" if value is None else value) for key, value in rows)


def _write_phases_csv(path: Path, summary: dict[str, Any]) -> bool:
    """Write ``phases.csv`` (one row per phase of a phased rollout); False without phases."""
    rows = phase_rows(summary)
    if not rows:
        return False
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(PHASE_COLUMNS))
        writer.writeheader()
        writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
    return True


def _gpkg_ready(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = gdf.copy()
    for column in out.columns:
        if column == out.geometry.name:
            continue
        series = out[column]
        if pd.api.types.is_float_dtype(series):
            out[column] = series.replace([np.inf, -np.inf], np.nan)
        elif series.dtype == object:
            out[column] = series.astype("string")
    return out


def _write_gpkg(path: Path, plan: Plan) -> None:
    """Write the layers and their QGIS styles; GDAL's timestamps are fixed.

    ``sectors`` (with ``need_class``, the maps' need classes: 1 the least needy fifth of the
    families to 5 the neediest fifth, 0 without a need index), ``sites`` and ``links``, and
    ``points`` (the demand points, one row per point
    with its sector, share of the sector's families, times and coverage) when the plan has them.
    """
    classes = need_classes(plan.sectors)
    # the maps' need classes: 1 = the least needy fifth of the families ... 5 = the neediest
    sectors = plan.sectors.assign(need_class=classes.classes + 1)
    layers = [("sectors", sectors), ("sites", plan.sites), ("links", plan.links)]
    if plan.points is not None:
        layers.append(("points", plan.points))
    with fixed_gpkg_date():
        for layer, gdf in layers:
            _gpkg_ready(gdf).to_file(path, layer=layer, driver="GPKG", engine="pyogrio")
    write_layer_styles(path, classes, plan.scenario.outputs.language)


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # our own leftovers are from an earlier, finished call
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _clean_leftovers(out_dir: Path) -> None:
    """Remove what an interrupted run left next to ``out_dir``; restore a moved-away result.

    Temporary folders are named ``.<name>.tmp-<pid>-*`` (being written) and
    ``.<name>.old-<pid>-*`` (the earlier result, moved aside for the instant of the swap);
    those of a process that still runs are left alone.
    """
    for kind in ("old", "tmp"):  # restore first, then clean
        for path in sorted(out_dir.parent.glob(f".{out_dir.name}.{kind}-*")):
            pid_text = path.name.removeprefix(f".{out_dir.name}.{kind}-").split("-")[0]
            if pid_text.isdigit() and _pid_alive(int(pid_text)):
                continue
            if kind == "old" and not out_dir.exists():
                path.rename(out_dir)
                logger.warning(f"restored {out_dir} from {path.name}, left by an interrupted run")
                continue
            shutil.rmtree(path, ignore_errors=True)
            logger.warning(f"removed {path.name}, left by an interrupted run")


def _staging_folder(out_dir: Path) -> Path:
    """Clean leftovers of interrupted runs and make a temporary sibling of ``out_dir``."""
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        _clean_leftovers(out_dir)
        staging = Path(
            tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-{os.getpid()}-", dir=out_dir.parent)
        )
        # mkdtemp makes the folder private (0700); the result is a normal folder that
        # colleagues may read, so give it the permissions the user's umask asks for.
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)
    except OSError as error:
        raise InputFileError(
            f"output folder {out_dir.parent} cannot be written ({error.strerror}): "
            "choose another folder with --out"
        ) from None
    return staging


def _move_into_place(staging: Path, out_dir: Path) -> None:
    backup: Path | None = None
    if out_dir.exists():
        suffix = staging.name.removeprefix(f".{out_dir.name}.tmp-")
        backup = out_dir.with_name(f".{out_dir.name}.old-{suffix}")
        out_dir.rename(backup)
    try:
        staging.rename(out_dir)
    except OSError:
        if backup is not None:
            backup.rename(out_dir)
        raise
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)


@contextmanager
def atomic_folder(out_dir: Path) -> Iterator[Path]:
    """Give a temporary sibling folder to write into, moved to ``out_dir`` only when complete.

    Used by ``compare`` and ``sweep``, which write several files (and whole run folders);
    :func:`write_outputs` uses it for one run. On any error the temporary folder is
    removed and an earlier ``out_dir`` is left as it was.

    Parameters
    ----------
    out_dir
        Final folder; replaced as a whole when the block completes.

    Yields
    ------
    pathlib.Path
        The temporary folder to write into.

    Raises
    ------
    InputFileError
        When the parent of ``out_dir`` cannot be created or written.
    """
    out_dir = Path(out_dir)
    staging = _staging_folder(out_dir)
    try:
        yield staging
        _move_into_place(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_json(path: Path, content: dict[str, Any]) -> None:
    """Write a mapping as indented UTF-8 JSON, with ``inf``/``nan`` as ``null``.

    Parameters
    ----------
    path
        The file to write.
    content
        JSON-like data (numpy scalars allowed).
    """
    text = json.dumps(_json_ready(content), indent=2, ensure_ascii=False, sort_keys=False)
    path.write_text(text + "\n", encoding="utf-8")


def _write_print_outputs(
    plan: Plan,
    staging: Path,
    run_manifest: dict[str, Any],
    baseline: Mapping[str, Any] | None = None,
) -> list[str]:
    """Write the static maps (map.png, map.pdf) and the council note (note.html, note.pdf)."""
    spec = plan.scenario.outputs
    names: list[str] = []
    if spec.static_maps:
        from planner.report.staticmap import write_static_maps  # noqa: PLC0415 - matplotlib is heavy

        names += list(write_static_maps(plan, staging))
    if spec.note:
        from planner.report.note import write_note  # noqa: PLC0415 - reportlab is heavy

        map_png = staging / "map.png" if spec.static_maps else None
        names += list(
            write_note(plan, staging, manifest=run_manifest, baseline=baseline, map_png=map_png)
        )
    return names


def write_outputs(
    plan: Plan,
    out_dir: Path,
    *,
    baseline: Mapping[str, Any] | None = None,
    extra: Callable[[Path], list[str]] | None = None,
) -> dict[str, Path]:
    """Write every output of a plan into ``out_dir``, atomically.

    Parameters
    ----------
    plan
        The plan to write.
    out_dir
        Final folder (e.g. ``outputs/demo``); replaced as a whole when the new run is complete.
    baseline
        The summary of the plan to compare with (e.g. today's sites, from ``planner compare
        --baseline``); the council note then states the change in percentage points.
    extra
        Writes more outputs into the staging folder (the alternatives' tables and pages)
        and returns their names; they are moved into place with the rest.

    Returns
    -------
    dict
        Paths of the written files by name.

    Raises
    ------
    InputFileError
        When the parent of ``out_dir`` cannot be created or written.
    """
    out_dir = Path(out_dir)
    names = ["plan.gpkg", "summary.json", "summary.csv", "manifest.json"]
    with atomic_folder(out_dir) as staging:
        _write_gpkg(staging / "plan.gpkg", plan)
        write_json(staging / "summary.json", plan.summary)
        _write_csv(staging / "summary.csv", plan.summary)
        if _write_phases_csv(staging / "phases.csv", plan.summary):
            names.append("phases.csv")
        if plan.scenario.outputs.map:
            from planner.report.webmap import write_map  # noqa: PLC0415 - folium is heavy; only when asked

            write_map(plan, staging / "map.html")
            names.append("map.html")
        run_manifest = manifest(plan)
        names += _write_print_outputs(plan, staging, run_manifest, baseline)
        if extra is not None:
            names += extra(staging)
        write_json(staging / "manifest.json", run_manifest)
        pause_if_asked("outputs")  # tests of interrupted runs
    logger.info("Wrote %s to %s", ", ".join(names), out_dir)
    return {name: out_dir / name for name in names}


def pause_if_asked(stage: str) -> None:
    """Sleep at ``stage`` when ``PLANNER_TEST_PAUSE_AT`` names it (tests of interrupted runs).

    Parameters
    ----------
    stage
        The stage about to start (a name of ``pipeline.STAGES``, or ``"outputs"``).
    """
    if os.environ.get("PLANNER_TEST_PAUSE_AT") != stage:
        return
    seconds = float(os.environ.get("PLANNER_TEST_PAUSE_S", "60"))
    logger.warning(f"PLANNER_TEST_PAUSE_AT: pausing {seconds:g} s at stage {stage}")
    time.sleep(seconds)
