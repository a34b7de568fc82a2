"""Open vector files: one clear :class:`~planner.errors.InputFileError` for every failure.

The lowest layer of :mod:`planner.data`: the scenario loaders (:mod:`planner.data.inputs`), the
readers of official files (:mod:`planner.data.boundaries`, :mod:`planner.data.tables`) and the
network loader use it to say briefly why a file cannot be read (missing, empty, an image, cut
off, another format). :func:`fixed_gpkg_date` makes the GeoPackages planner writes the same
bytes on every run.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

import geopandas as gpd
import pyogrio

from planner.errors import InputFileError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

__all__ = ["GPKG_DATE", "fixed_gpkg_date", "read_layer", "unreadable_reason"]

GPKG_DATE = "2000-01-01T00:00:00.000Z"
"""The ``last_change`` GDAL writes into a GeoPackage (``OGR_CURRENT_DATE``) while planner writes
one: fixed, so that the same layers give the same bytes."""


@contextmanager
def fixed_gpkg_date() -> Iterator[None]:
    """Write GeoPackages with the fixed :data:`GPKG_DATE` inside this block, then restore GDAL's."""
    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_DATE})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})


def read_layer(path: Path, role: str) -> gpd.GeoDataFrame:
    """Read a vector file, turning every failure into one clear :class:`InputFileError`.

    Parameters
    ----------
    path
        The file (GeoPackage, GeoJSON, shapefile, ...).
    role
        What the file is for ("sectors", "sites"), used in messages.

    Returns
    -------
    geopandas.GeoDataFrame
        The first layer of the file.

    Raises
    ------
    InputFileError
        When the file is missing, cannot be opened as a vector layer (the message says why:
        empty, another file type such as an image, damaged) or has no geometry (a table).
    """
    if not path.exists():
        raise InputFileError(
            f"{role} file {path} does not exist: "
            + (
                _not_prepared(path)
                or f"check data.{role} in the scenario (relative paths are resolved against "
                "the scenario file's folder)"
            )
        )
    if path.is_dir():
        raise InputFileError(f"{role} file {path} is a folder: point data.{role} at a file")
    kind = _LAYER_KINDS.get(role, "vector")
    try:
        layer = gpd.read_file(path, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError) as error:
        raise InputFileError(
            f"{role} file {path} cannot be opened as a vector layer "
            f"({unreadable_reason(path, error)}): save it as GeoPackage, GeoJSON or shapefile"
        ) from None
    if not isinstance(layer, gpd.GeoDataFrame):
        raise InputFileError(
            f"{role} file {path} has no geometry: it is a table, not a {kind} layer; join it "
            f"to the {kind}s (QGIS: 'Join attributes by field value') and save as GeoPackage"
        )
    return layer


_PREPARE = {
    "demo": "planner demo",
    "gent": "planner data gent --from ../shared/data --existing-type library=house",
}


def _not_prepared(path: Path) -> str | None:
    """Say how to prepare ``data/statsec/<municipality>/`` when a file there is missing."""
    if path.parent.parent.name != "statsec" or (
        path.parent.is_dir() and any(path.parent.iterdir())
    ):
        return None
    municipality = path.parent.name
    command = _PREPARE.get(
        municipality, f"planner data {municipality} --from FOLDER_WITH_THE_OFFICIAL_FILES"
    )
    return (
        f"the data of {municipality} is not prepared yet: run `{command}` once "
        f"(it writes {path.parent})"
    )


_LAYER_KINDS = {"sectors": "polygon", "sites": "point", "network": "line"}
_SIGNATURES = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive or spreadsheet (unzip it, or export the layer)"),
    (b"GIF8", "a GIF image"),
)


def unreadable_reason(path: Path, error: BaseException, expected: str = "a vector layer") -> str:
    """Say briefly why a file could not be opened: empty, another file type, or damaged.

    Parameters
    ----------
    path
        The file.
    error
        What the reader raised.
    expected
        What the file should have been, for the message.

    Returns
    -------
    str
        A short reason for a message, e.g. ``"the file is empty: 0 bytes"``.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as os_error:
        return f"it cannot be read: {os_error.strerror}"
    if not head:
        return "the file is empty: 0 bytes"
    for signature, what in _SIGNATURES:
        if head.startswith(signature):
            return f"it is {what}, not {expected}"
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    if any(word in text.lower() for word in ("malformed", "truncat", "unterminated", "premature")):
        detail = text.rsplit(";", 1)[-1].strip()
        return f"the file is damaged or cut off: {detail[:120]}"
    if "not recognized as being in a supported file format" in text:
        return "not a format GDAL recognises"
    return text[:200]
