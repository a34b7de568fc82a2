r"""A made-up demo town, generated deterministically, for trying planner without real data.

The town (about 6 x 6 km in Belgian Lambert 72, EPSG:31370, around x = 103 000, y = 193 000)
is invented: its names, streets and figures describe no real place. It has

* an old centre on the north bank of a river that only **four bridges** cross (three road
  bridges and a footbridge), so that walking times depend on where a family lives;
* a dense, poor district on the south bank facing the centre and a second poorer pocket
  around the old railway yard in the north-east, and richer, thinner suburbs elsewhere;
* a perturbed street grid (blocks of about 180 m in the centre and 360 m at the edge) with a
  few main roads, one-way streets in the centre, footpaths, a park, and one isolated farm
  track outside the town (which the network loader must drop as not connected);
* candidate sites (schools, libraries, community centres, childcare, consultatiebureaus,
  vacant buildings) with an existing Huis van het Kind in the centre and two existing
  antennes.

Need is made with spatial contrast. With a deprivation surface :math:`z(p) \in [0, 1]` (two
Gaussian bumps on the poor districts, a smaller one on the centre, plus noise) the sector
figures are

.. math::

    \text{income} = 37\,000 - 17\,500\, z + \varepsilon_1, \qquad
    \text{deprived share} = 0.03 + 0.40\, z + \varepsilon_2, \qquad
    \frac{\text{target}}{\text{population}} = 0.085 + 0.05\, z + \varepsilon_3,

clipped to 18 000-38 000 euro, 0.02-0.45 and 8-14 %, so income and deprivation are
negatively correlated with noise. Population is a density surface (high in the centre and the
south-bank district) times the sector's area, clipped to 300-3 000.

Every file is byte-identical for the same ``seed`` (and the same GEOS/GDAL versions):
randomness comes from one seeded :class:`numpy.random.Generator` per layer, coordinates are
rounded to 0.01 m, rows are sorted and the GeoJSON is written with a fixed coordinate
precision. Run ``python -m planner.data.demo [FOLDER]`` to (re)write the files.

The layers are drawn in :mod:`planner.data.demo_town` (outline, river, streets),
:mod:`planner.data.demo_sectors` and :mod:`planner.data.demo_sites`; this module puts them
together and writes them.
"""

from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from planner.data.demo_sectors import demo_sectors
from planner.data.demo_sites import demo_sites
from planner.data.demo_town import PRECISION, demo_streets, town_boundary

# tests/test_demo.py checks the outline and the river through this module
from planner.data.demo_town import river as _river  # noqa: F401
from planner.data.demo_town import river_y as _river_y  # noqa: F401
from planner.data.demo_town import town_boundary as _town_boundary  # noqa: F401

if TYPE_CHECKING:
    from collections.abc import Sequence

    import geopandas as gpd

__all__ = ["DEMO_FILES", "DEMO_SEED", "DemoCity", "build_demo_city", "main", "write_demo_city"]

logger = logging.getLogger(__name__)

DEMO_SEED = 2013
DEMO_FILES = {"sectors": "sectors.geojson", "streets": "streets.geojson", "sites": "sites.geojson"}
"""File name of each layer of the demo city, by role."""


@dataclass(frozen=True)
class DemoCity:
    """The three layers of the demo town, in EPSG:31370.

    Attributes
    ----------
    sectors : geopandas.GeoDataFrame
        ``sector_id``, ``name``, ``wijk``, ``population``, ``target``, ``median_income``,
        ``deprived_births_share``, polygons tiling the town; sorted by ``sector_id``.
    streets : geopandas.GeoDataFrame
        ``street_id``, ``name``, ``road_class``, ``oneway``, lines noded at their end points;
        sorted by ``street_id``.
    sites : geopandas.GeoDataFrame
        ``site_id``, ``name``, ``type``, ``can_house``, ``can_antenne``, ``cost_house``,
        ``cost_antenne``, ``existing``, ``forbidden``, points; sorted by ``site_id``.
    """

    sectors: gpd.GeoDataFrame
    streets: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame


# --- public API -------------------------------------------------------------------------------


def build_demo_city(*, seed: int = DEMO_SEED) -> DemoCity:
    """Generate the demo town in memory.

    Each layer draws from its own generator (``numpy.random.default_rng([seed, layer])``), so
    a change to one layer's recipe leaves the others as they were.

    Parameters
    ----------
    seed
        Seed of the random generators; the same seed gives the same town.

    Returns
    -------
    DemoCity
        Sectors, streets and sites in EPSG:31370.
    """
    town = town_boundary()
    streets = demo_streets(np.random.default_rng([seed, 1]), town)
    sectors = demo_sectors(np.random.default_rng([seed, 2]), town)
    sites = demo_sites(np.random.default_rng([seed, 3]), sectors, streets)
    return DemoCity(sectors=sectors, streets=streets, sites=sites)


def write_demo_city(folder: Path, *, seed: int = DEMO_SEED) -> dict[str, Path]:
    """Generate the demo town and write its three GeoJSON files.

    Coordinates are written with 2 decimals (0.01 m); the files are byte-identical for the
    same seed. Each file is written next to its final name first and then moved into place,
    so an interrupted run never leaves a half-written layer.

    Parameters
    ----------
    folder
        Folder to write ``sectors.geojson``, ``streets.geojson`` and ``sites.geojson`` into;
        created when missing, existing files are replaced.
    seed
        Seed of the random generators.

    Returns
    -------
    dict of str to Path
        The written files by role: ``"sectors"``, ``"streets"``, ``"sites"``.
    """
    city = build_demo_city(seed=seed)
    folder.mkdir(parents=True, exist_ok=True)
    layers = {"sectors": city.sectors, "streets": city.streets, "sites": city.sites}
    paths = {}
    for role, gdf in layers.items():
        path = folder / DEMO_FILES[role]
        partial = path.with_name(f".{path.name}.partial")
        partial.unlink(missing_ok=True)
        gdf.to_file(
            partial,
            driver="GeoJSON",
            engine="pyogrio",
            layer=path.stem,
            COORDINATE_PRECISION=PRECISION,
            WRITE_BBOX="NO",
        )
        partial.replace(path)
        paths[role] = path
    logger.info(
        f"Wrote the demo city (seed {seed}) to {folder}: {len(city.sectors)} sectors, "
        f"{len(city.streets):,} street segments, {len(city.sites)} sites"
    )
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """Write the demo city: ``python -m planner.data.demo [FOLDER] [--seed N]``.

    Parameters
    ----------
    argv
        Command-line arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit status, 0.
    """
    parser = argparse.ArgumentParser(
        prog="python -m planner.data.demo", description="Write the made-up demo town as GeoJSON."
    )
    parser.add_argument(
        "folder",
        nargs="?",
        type=Path,
        default=Path("data/statsec/demo"),
        help="output folder (default: data/statsec/demo)",
    )
    parser.add_argument("--seed", type=int, default=DEMO_SEED, help="random seed (default: 2013)")
    args = parser.parse_args(argv)
    paths = write_demo_city(args.folder, seed=args.seed)
    size_kb = sum(path.stat().st_size for path in paths.values()) / 1024
    print(f"Wrote {', '.join(p.name for p in paths.values())} ({size_kb:.0f} KB) to {args.folder}")  # noqa: T201 - script entry point
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
