"""Fetch the official files and OpenStreetMap places and streets for ``planner data``.

With internet, :func:`download_sources` fetches the official files (Statbel, Stad Gent open data;
zip archives are unpacked) and :func:`download_osm` the OpenStreetMap points and streets through
the Overpass API. The addresses in :data:`OFFICIAL_DOWNLOADS` are those published when this was
written; pass your own when they move. Every download is written atomically and every failure
is one :class:`~planner.errors.InputFileError` naming the address.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from planner.errors import DataError, InputFileError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = [
    "OFFICIAL_DOWNLOADS",
    "OSM_SITE_TYPES",
    "OVERPASS_URL",
    "Downloads",
    "download_osm",
    "download_sources",
]

logger = logging.getLogger(__name__)

OFFICIAL_DOWNLOADS: dict[str, str] = {
    "sectors": "https://statbel.fgov.be/sites/default/files/files/opendata/Statistische%20"
    "sectoren/sh_statbel_statistical_sectors_31370_20240101.gpkg.zip",
    "population": "https://statbel.fgov.be/sites/default/files/files/opendata/bevolking/"
    "sectoren/OPENDATA_SECTOREN_2024.zip",
    "income": "https://statbel.fgov.be/sites/default/files/files/opendata/Fiscale%20inkomens/"
    "TF_PSNL_INC_TAX_SECTOR.zip",
    "network_gent": "https://data.stad.gent/api/explore/v2.1/catalog/datasets/"
    "wegsegmenten-gent/exports/geojson",
}
"""Official download addresses by role (as published when written; override when they move)."""

OVERPASS_URL = "https://overpass-api.de/api/interpreter"

OSM_SITE_TYPES = (
    "school",
    "kindergarten",
    "childcare",
    "library",
    "community_centre",
    "social_facility",
    "townhall",
    "arts_centre",
    "college",
)
"""OpenStreetMap ``amenity`` values asked from Overpass as candidate places."""


@dataclass(frozen=True)
class Downloads:
    """What :func:`~planner.data.prepare.prepare_from_folder` may fetch before preparing.

    Attributes
    ----------
    official
        Fetch the official files (:data:`OFFICIAL_DOWNLOADS`, or ``urls``).
    osm
        Fetch OpenStreetMap places and streets through Overpass.
    urls
        Addresses per role replacing the official ones.
    overpass_url
        Overpass API endpoint.
    """

    official: bool = False
    osm: bool = False
    urls: Mapping[str, str] = field(default_factory=dict)
    overpass_url: str = OVERPASS_URL


def _fetch(url: str, target: Path, *, data: bytes | None = None, timeout: float = 60.0) -> Path:
    """Download ``url`` (POST ``data`` when given) to ``target`` atomically."""
    if urllib.parse.urlparse(url).scheme not in {"http", "https"}:
        raise DataError(f"download address {url!r} must start with http:// or https://")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url, data=data, headers={"User-Agent": "planner (Huizen van het Kind)"}
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with (
            urllib.request.urlopen(request, timeout=timeout) as response,  # noqa: S310
            tempfile.NamedTemporaryFile(dir=target.parent, delete=False, suffix=".part") as tmp,
        ):
            shutil.copyfileobj(response, tmp)
    except urllib.error.HTTPError as error:
        raise InputFileError(
            f"download of {url} failed: HTTP {error.code} {error.reason}; check the address "
            "(official addresses move: pass the current one)"
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise InputFileError(
            f"download of {url} failed ({reason}): check the internet connection or download "
            "the file by hand into the source folder"
        ) from None
    Path(tmp.name).replace(target)
    return target


def download_sources(
    folder: Path, urls: Mapping[str, str] | None = None, *, timeout: float = 60.0
) -> dict[str, Path]:
    """Download official files into a folder; zip archives are unpacked next to them.

    Parameters
    ----------
    folder
        Where the files go (the ``--from`` folder of a later
        :func:`~planner.data.files.find_sources`).
    urls
        Address per role; default :data:`OFFICIAL_DOWNLOADS`.
    timeout
        Seconds per request.

    Returns
    -------
    dict
        The downloaded (or unpacked) file per role.

    Raises
    ------
    InputFileError
        When a download fails; the message names the address.
    """
    folder = Path(folder)
    result: dict[str, Path] = {}
    for role, url in (urls if urls is not None else OFFICIAL_DOWNLOADS).items():
        name = Path(urllib.parse.unquote(urllib.parse.urlparse(url).path)).name or role
        if name in {"geojson", "gpkg", "csv"}:
            name = f"{role}.{name}"
        path = _fetch(url, folder / name, timeout=timeout)
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                members = [m for m in archive.namelist() if not m.endswith("/")]
                _check_members(members, path)
                archive.extractall(folder / path.stem)
            path = folder / path.stem
        logger.info(f"Downloaded {role} from {url} to {path}")
        result[role] = path
    return result


def _check_members(members: Sequence[str], path: Path) -> None:
    unsafe = [m for m in members if Path(m).is_absolute() or ".." in Path(m).parts]
    if unsafe:
        raise InputFileError(f"archive {path} has unsafe member paths ({unsafe[0]}); not unpacked")


def download_osm(
    folder: Path,
    nis: str,
    *,
    url: str = OVERPASS_URL,
    amenities: Sequence[str] = OSM_SITE_TYPES,
    streets: bool = True,
    timeout: float = 300.0,
) -> dict[str, Path]:
    """Download OpenStreetMap candidate places (and streets) of a municipality via Overpass.

    The municipality is the OSM boundary with ``ref:INS`` = its NIS code. Places are nodes,
    ways and relations with one of the ``amenity`` values (ways at their centre), written as
    ``osm_points.gpkg`` (``osm_id``, ``name``, ``type``); streets as ``streets.osm`` (OSM
    XML, for ``network_format: osm_xml``).

    Parameters
    ----------
    folder
        Output folder.
    nis
        Municipality NIS code.
    url
        Overpass API endpoint.
    amenities
        ``amenity`` values to fetch.
    streets
        Also fetch every ``highway`` way with its nodes.
    timeout
        Seconds per request.

    Returns
    -------
    dict
        ``{"points": path, "network": path}``.

    Raises
    ------
    InputFileError
        When a request fails.
    DataError
        When the answer is not Overpass JSON or has no places.
    """
    folder = Path(folder)
    area = f'area["ref:INS"="{nis}"]["boundary"="administrative"]->.a;'
    values = "|".join(amenities)
    query = (
        f'[out:json][timeout:{int(timeout)}];{area}nwr["amenity"~"^({values})$"](area.a);'
        "out center tags;"
    )
    raw = _fetch(
        url,
        folder / "osm_points.json",
        data=urllib.parse.urlencode({"data": query}).encode(),
        timeout=timeout,
    )
    points = _overpass_points(raw)
    points_path = folder / "osm_points.gpkg"
    points.to_file(points_path, driver="GPKG")
    raw.unlink()
    result = {"points": points_path}
    if streets:
        street_query = f'[timeout:{int(timeout)}];{area}way["highway"](area.a);(._;>;);out body;'
        result["network"] = _fetch(
            url,
            folder / "streets.osm",
            data=urllib.parse.urlencode({"data": street_query}).encode(),
            timeout=timeout,
        )
    logger.info(f"Downloaded {len(points):,} OSM places of municipality {nis}")
    return result


def _overpass_points(path: Path) -> gpd.GeoDataFrame:
    try:
        elements = json.loads(path.read_text(encoding="utf-8"))["elements"]
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise DataError(f"Overpass answer {path} is not Overpass JSON ({error})") from None
    rows = []
    for element in elements:
        centre = element.get("center", element)
        tags = element.get("tags", {})
        if "lat" in centre and "lon" in centre:
            rows.append(
                {
                    "osm_id": f"{element['type'][0]}{element['id']}",
                    "name": tags.get("name", ""),
                    "type": tags.get("amenity", ""),
                    "lon": float(centre["lon"]),
                    "lat": float(centre["lat"]),
                }
            )
    if not rows:
        raise DataError(f"Overpass answer {path} has no places: check the NIS code and tags")
    frame = pd.DataFrame(rows).sort_values("osm_id", kind="stable")
    return gpd.GeoDataFrame(
        frame[["osm_id", "name", "type"]],
        geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
        crs="EPSG:4326",
    )
