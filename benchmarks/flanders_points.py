"""Flanders with demand points: a 500 m grid in every sector, one travel mode and two.

The instance of ``benchmarks/flanders.py`` (every Flemish sector, 2,000 seeded candidate sites,
one existing house per municipality, EUR 80 M, straight-line distance x 1.3), with the
families of each sector spread over demand points instead of sitting at its centroid:

- sectors: ``../shared/data`` has sector centroids outside Gent, not polygons, so the sectors
  are approximated as the Voronoi cells of the Flemish centroids clipped to Flanders
  (:func:`planner.data.voronoi.voronoi_sectors`, boundary ``flanders/gemeente2024.shp``);
- demand points: :func:`planner.demand.grid_points` with 500 m cells clipped to each cell, the
  sector's families spread by area (no street network: these are street-free points);
- modes: *one mode* is cycling at 15 km/h (R_H 20 min, R_A 10 min, as ``flanders.py``); *two
  modes* is half of the families walking (4.5 km/h) and half cycling, each held to 20 / 10 min
  of its own mode (a row per point and mode, weighted by the share, as ``travel.modes``
  does); antenne-house links stay 15 min by bike.

Every variant runs in its own process (so that its peak memory is its own), in the same run
as the reference, one point per sector, and prints: demand rows, the model's size after it
merges rows that reach the same sites, status, gap, time and peak memory (max RSS).

Usage::

    .venv/bin/python benchmarks/flanders_points.py [--cell-m 500] [--solver highs]
        [--time-limit 600] [--mip-gap 0.005] [--variants sector grid-1 grid-2]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import flanders  # noqa: E402  - the shared instance (sectors, sites, existing houses)

from planner.data.voronoi import voronoi_sectors  # noqa: E402
from planner.demand import grid_points  # noqa: E402
from planner.model import CoverageInstance, build_coverage_problem, solve_coverage  # noqa: E402
from planner.scenario import SolverSpec  # noqa: E402

BOUNDARY = ROOT.parent / "shared" / "data" / "flanders" / "gemeente2024.shp"
SPEEDS_M_PER_MIN = {"walk": 4_500 / 60, "bike": 15_000 / 60}
VARIANTS = {
    "sector": ("sector", {"bike": 1.0}),
    "grid-1": ("grid", {"bike": 1.0}),
    "grid-2": ("grid", {"walk": 0.5, "bike": 0.5}),
}


def minutes_within(
    a: np.ndarray, b: np.ndarray, limit_min: float, speed: float, out: np.ndarray | None = None
) -> np.ndarray:
    """Straight-line x 1.3 minutes at ``speed`` m/min, ``inf`` beyond ``limit_min``.

    Written into ``out`` (a block of a larger matrix) when given, so that no second dense
    copy of the matrix is ever made.
    """
    from scipy.spatial import cKDTree  # noqa: PLC0415

    radius_m = limit_min * speed / flanders.CIRCUITY
    pairs = cKDTree(a).sparse_distance_matrix(cKDTree(b), radius_m, output_type="ndarray")
    if out is None:
        out = np.empty((a.shape[0], b.shape[0]))
    out.fill(np.inf)
    out[pairs["i"], pairs["j"]] = pairs["v"] * flanders.CIRCUITY / speed
    return out


def demand_points(sectors: gpd.GeoDataFrame, cell_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Return each grid point's sector index and share, and the points' coordinates."""
    centroids = gpd.GeoDataFrame(
        sectors[["cd_sector"]],
        geometry=gpd.points_from_xy(sectors["x"], sectors["y"]),
        crs=sectors.crs,
    )
    cells = voronoi_sectors(centroids, gpd.read_file(BOUNDARY), "cd_sector")
    points = grid_points(
        np.asarray(cells.geometry.array),
        sectors[["x", "y"]].to_numpy(),
        sectors["cd_sector"].astype(str).tolist(),
        cell_m,
    )
    return np.column_stack([points.sector, points.share]), points.xy


def run_variant(name: str, cell_m: float, solver: str, limit: float, gap: float) -> dict:
    method, modes = VARIANTS[name]
    started = time.perf_counter()
    sectors = flanders.load_sectors()
    sites = flanders.choose_sites(sectors)
    existing = flanders.existing_houses(sectors, sites)
    site_xy = sites[["x", "y"]].to_numpy()
    if method == "sector":
        sector_of = np.arange(len(sectors))
        share = np.ones(len(sectors))
        xy = sectors[["x", "y"]].to_numpy()
    else:
        table, xy = demand_points(sectors, cell_m)
        sector_of, share = table[:, 0].astype(np.int64), table[:, 1]
    points_s = time.perf_counter() - started
    weight = sectors["weight"].to_numpy()[sector_of] * share
    target = sectors["target"].to_numpy()[sector_of] * share
    rows_w, rows_t = [], []
    n_points = xy.shape[0]
    d = np.empty((n_points * len(modes), len(sites)))  # one dense matrix, filled per mode
    for k, (mode, mode_share) in enumerate(modes.items()):
        rows_w.append(weight * mode_share)
        rows_t.append(target * mode_share)
        block = d[k * n_points : (k + 1) * n_points]
        minutes_within(xy, site_xy, flanders.R_HOUSE, SPEEDS_M_PER_MIN[mode], out=block)
    d.setflags(write=False)  # the instance keeps it without a copy
    e = minutes_within(site_xy, site_xy, flanders.LINK, SPEEDS_M_PER_MIN["bike"])
    n_rows = d.shape[0]
    n_sites = len(sites)
    instance = CoverageInstance(
        weight=np.concatenate(rows_w),
        d=d,
        e=e,
        cost_house=sites["cost_house"].to_numpy(),
        cost_antenne=sites["cost_antenne"].to_numpy(),
        can_house=np.ones(n_sites, dtype=bool),
        can_antenne=np.ones(n_sites, dtype=bool),
        existing_house=existing,
        existing_antenne=np.zeros(n_sites, dtype=bool),
        forbidden=np.zeros(n_sites, dtype=bool),
        budget=flanders.BUDGET,
        radius_house=np.full(n_rows, flanders.R_HOUSE),
        radius_frequent=np.full(n_rows, flanders.R_FREQUENT),
        link_max=flanders.LINK,
        alpha=0.5,
        families=np.concatenate(rows_t),
    )
    del d
    matrices_s = time.perf_counter() - started - points_s
    problem = build_coverage_problem(instance)
    spec = SolverSpec(name=solver, time_limit_s=limit, mip_gap=gap, threads=1)
    begin = time.perf_counter()
    solution = solve_coverage(instance, spec)
    solve_s = time.perf_counter() - begin
    families = instance.families
    assert families is not None
    result = solution.result
    return {
        "variant": name,
        "points": int(xy.shape[0]),
        "rows": int(n_rows),
        "merged": int(problem.merged_sectors),
        "columns": int(problem.model.n_cols),
        "model_rows": int(problem.model.n_rows),
        "nonzeros": int(problem.model.A.nnz),
        "status": result.status,
        "proven": bool(result.proven_optimal),
        "gap": result.gap,
        "house": float(families @ solution.covered_house / families.sum()),
        "frequent": float(families @ solution.covered_frequent / families.sum()),
        "points_s": points_s,
        "matrices_s": matrices_s,
        "solve_s": solve_s,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cell-m", type=float, default=500.0)
    parser.add_argument("--solver", default="highs", choices=["highs", "cbc"])
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--mip-gap", type=float, default=0.005)
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not flanders.DATA.is_dir() or not BOUNDARY.is_file():
        print(f"the shared data is not in {flanders.DATA.parent}: nothing to run")
        return 1
    if args.child:
        row = run_variant(args.child, args.cell_m, args.solver, args.time_limit, args.mip_gap)
        print(json.dumps(row))
        return 0
    print(
        f"Flanders, {args.cell_m:.0f} m grid demand points ({args.solver}, mip_gap "
        f"{args.mip_gap:.1%}, limit {args.time_limit:.0f} s; load {os.getloadavg()[0]:.2f})"
    )
    header = (
        f"{'variant':<8} {'points':>8} {'rows':>8} {'merged':>8} {'columns':>8} "
        f"{'status':>10} {'gap':>8} {'house':>6} {'freq':>6} {'points s':>8} "
        f"{'matrix s':>8} {'solve s':>8} {'peak MB':>8}"
    )
    print(header)
    for name in args.variants:
        command = [sys.executable, __file__, "--child", name, "--cell-m", str(args.cell_m)]
        command += ["--solver", args.solver, "--time-limit", str(args.time_limit)]
        command += ["--mip-gap", str(args.mip_gap)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            print(f"{name:<8} failed: {done.stderr.strip().splitlines()[-1:]}")
            continue
        row = json.loads(done.stdout.strip().splitlines()[-1])
        gap = "n/a" if row["gap"] is None else f"{row['gap']:.3%}"
        print(
            f"{row['variant']:<8} {row['points']:>8,} {row['rows']:>8,} {row['merged']:>8,} "
            f"{row['columns']:>8,} {row['status']:>10} {gap:>8} {row['house']:>6.1%} "
            f"{row['frequent']:>6.1%} {row['points_s']:>8.1f} {row['matrices_s']:>8.1f} "
            f"{row['solve_s']:>8.1f} {row['peak_mb']:>8,.0f}"
        )
    print("rows: demand points x modes; merged: rows folded into one because they reach the")
    print("same sites; reference: 'sector' (one point per sector, as benchmarks/flanders.py)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
