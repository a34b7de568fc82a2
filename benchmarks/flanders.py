"""Flanders scale: the hierarchical house + antenne coverage model on every Flemish sector.

Reads the shared Belgian data (never copied into the project):

- ``../shared/data/belgium/sector_centroids_2024.gpkg``: one point per statistical sector
  (EPSG:3812); Flemish sectors are those whose NIS code starts with 1, 3, 4, 7, 23 or 24;
- ``census2021_population_by_sector.csv``: population = ``x65 + rest`` (empty ``rest`` = 0);
- ``income2021_by_sector.csv``: median net taxable income, the need proxy.

Instance (stated assumptions, all deterministic):

- demand: every Flemish sector; target group ``T_i = 0.06 * rest`` (families with young
  children as 6 % of the under-65 population: no age table is available); need ``n_i`` = the
  median income rescaled to [0, 1], lower is needier (suppressed values: the median);
  ``w_i = T_i (1 + n_i)``;
- candidate sites: 2,000 sector centroids drawn with seed 2024 among sectors with people;
  a house costs EUR 400k-700k, an antenne EUR 60k-120k (seeded); budget EUR 80 M for new sites;
- existing houses: the decree asks every municipality for a Huis van het Kind, so the
  *expansion* instance keeps one existing house per municipality (the candidate site nearest
  its population-weighted centre; kept open at no cost); the *greenfield* instance has none;
- travel time = straight-line distance x 1.3 (circuity) at 15 km/h (cycling);
  R_H = 20 min, R_A = 10 min, L = 15 min; pairs beyond the standards are never built
  (``scipy.spatial.cKDTree.sparse_distance_matrix``), the rest of the matrix is ``inf``.

Runs (HiGHS):

1. all of Flanders in one model, ``mip_gap`` 0.5 %, time limit 600 s, for the expansion and the
   greenfield instance: objective, bound, gap, time and peak memory (``resource.getrusage``
   max RSS of this process);
2. every municipality on its own (its sectors, the sites in it, its existing house, the budget
   shared by target population), proven optimal (``mip_gap`` 0), time limit 60 s each: count,
   total and slowest time, how many are proven.

Usage::

    .venv/bin/python benchmarks/flanders.py [--solver highs] [--skip-expansion]
        [--skip-greenfield] [--skip-flanders] [--skip-municipalities]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planner.model import CoverageInstance, build_coverage_problem, solve_coverage  # noqa: E402
from planner.scenario import SolverSpec  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "belgium"
FLEMISH = ("1", "3", "4", "7", "23", "24")
SEED = 2024
N_SITES = 2000
CIRCUITY = 1.3
SPEED_M_PER_MIN = 15_000 / 60
R_HOUSE, R_FREQUENT, LINK = 20.0, 10.0, 15.0
BUDGET = 80e6
TARGET_SHARE = 0.06


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def load_sectors() -> pd.DataFrame:
    points = gpd.read_file(DATA / "sector_centroids_2024.gpkg")
    code = points["cd_sector"].astype(str)
    flemish = np.zeros(len(points), dtype=bool)
    for prefix in FLEMISH:
        flemish |= code.str.startswith(prefix).to_numpy()
    points = points[flemish].copy()
    census = pd.read_csv(DATA / "census2021_population_by_sector.csv", dtype={"cd_sector": str})
    income = pd.read_csv(DATA / "income2021_by_sector.csv", dtype={"cd_sector": str})
    table = points.merge(census[["cd_sector", "x65", "rest"]], on="cd_sector", how="left")
    table = table.merge(
        income[["cd_sector", "ms_median_net_taxable_inc"]], on="cd_sector", how="left"
    )
    table["rest"] = table["rest"].fillna(0.0)
    table["x65"] = table["x65"].fillna(0.0)
    table["population"] = table["x65"] + table["rest"]
    table["target"] = TARGET_SHARE * table["rest"]
    median = table["ms_median_net_taxable_inc"]
    median = median.fillna(median.median())
    need = (median.max() - median) / (median.max() - median.min())
    table["weight"] = table["target"] * (1.0 + need)
    table["nis"] = table["cd_sector"].str[:5]
    table["x"] = table.geometry.x
    table["y"] = table.geometry.y
    return table.sort_values("cd_sector", kind="stable").reset_index(drop=True)


def choose_sites(sectors: pd.DataFrame) -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    peopled = np.flatnonzero(sectors["population"].to_numpy() > 0)
    chosen = np.sort(rng.choice(peopled, size=N_SITES, replace=False))
    sites = sectors.iloc[chosen][["cd_sector", "nis", "x", "y"]].reset_index(drop=True)
    sites["cost_house"] = rng.integers(400, 701, N_SITES) * 1000.0
    sites["cost_antenne"] = rng.integers(60, 121, N_SITES) * 1000.0
    return sites


def existing_houses(sectors: pd.DataFrame, sites: pd.DataFrame) -> np.ndarray:
    """One existing house per municipality: its site nearest the population-weighted centre."""
    existing = np.zeros(len(sites), dtype=bool)
    site_nis = sites["nis"].to_numpy()
    site_xy = sites[["x", "y"]].to_numpy()
    for nis, group in sectors.groupby("nis", sort=True):
        own = np.flatnonzero(site_nis == nis)
        if own.size == 0:
            continue
        weight = group["population"].to_numpy()
        total = max(float(weight.sum()), 1.0)
        centre = np.array([group["x"].to_numpy() @ weight, group["y"].to_numpy() @ weight]) / total
        distance = np.hypot(*(site_xy[own] - centre).T)
        existing[own[int(np.argmin(distance))]] = True
    return existing


def minutes_within(a: np.ndarray, b: np.ndarray, limit_min: float) -> np.ndarray:
    """Dense minutes matrix with ``inf`` beyond ``limit_min``, built from sparse pairs."""
    radius_m = limit_min * SPEED_M_PER_MIN / CIRCUITY
    # structured array (i, j, v): keeps zero distances (a site on its own sector's centroid)
    pairs = cKDTree(a).sparse_distance_matrix(cKDTree(b), radius_m, output_type="ndarray")
    out = np.full((a.shape[0], b.shape[0]), np.inf)
    out[pairs["i"], pairs["j"]] = pairs["v"] * CIRCUITY / SPEED_M_PER_MIN
    return out


def instance_for(
    sectors: pd.DataFrame,
    sites: pd.DataFrame,
    budget: float,
    d: np.ndarray,
    e: np.ndarray,
    existing: np.ndarray | None = None,
) -> CoverageInstance:
    n_i, n_j = len(sectors), len(sites)
    return CoverageInstance(
        weight=sectors["weight"].to_numpy(),
        d=d,
        e=e,
        cost_house=sites["cost_house"].to_numpy(),
        cost_antenne=sites["cost_antenne"].to_numpy(),
        can_house=np.ones(n_j, dtype=bool),
        can_antenne=np.ones(n_j, dtype=bool),
        existing_house=np.zeros(n_j, dtype=bool) if existing is None else existing,
        existing_antenne=np.zeros(n_j, dtype=bool),
        forbidden=np.zeros(n_j, dtype=bool),
        budget=budget,
        radius_house=np.full(n_i, R_HOUSE),
        radius_frequent=np.full(n_i, R_FREQUENT),
        link_max=LINK,
        alpha=0.5,
        families=sectors["target"].to_numpy(),
    )


def run_flanders(
    sectors: pd.DataFrame, sites: pd.DataFrame, solver: str, existing: np.ndarray | None
) -> None:
    start = time.perf_counter()
    sector_xy = sectors[["x", "y"]].to_numpy()
    site_xy = sites[["x", "y"]].to_numpy()
    d = minutes_within(sector_xy, site_xy, R_HOUSE)
    e = minutes_within(site_xy, site_xy, LINK)
    matrices_s = time.perf_counter() - start
    instance = instance_for(sectors, sites, BUDGET, d, e, existing)
    started = time.perf_counter()
    problem = build_coverage_problem(instance)
    build_s = time.perf_counter() - started
    spec = SolverSpec(name=solver, time_limit_s=600, mip_gap=0.005, threads=1)
    started = time.perf_counter()
    solution = solve_coverage(instance, spec)
    total_s = time.perf_counter() - started
    result = solution.result
    target = sectors["target"].to_numpy()
    rows = [
        ("sectors (Flemish)", f"{len(sectors):,}"),
        ("families (target group, estimated)", f"{target.sum():,.0f}"),
        ("candidate sites", f"{len(sites):,}"),
        ("existing houses (kept, free)", f"{0 if existing is None else int(existing.sum()):,}"),
        ("sector-site pairs within R_H", f"{int(np.isfinite(d).sum()):,}"),
        ("sector terms merged (identical rows)", f"{problem.merged_sectors:,}"),
        (
            "model columns / rows / nonzeros",
            f"{problem.model.n_cols:,} / {problem.model.n_rows:,} / {problem.model.A.nnz:,}",
        ),
        ("greedy start used", str(problem.start is not None)),
        ("link cuts separated (LP rounds)", f"{result.options.get('link_cuts', 0):,}"),
        ("houses / antennes", f"{int(solution.house.sum())} / {int(solution.antenne.sum())}"),
        ("cost (EUR)", f"{solution.cost:,.0f} of {BUDGET:,.0f}"),
        (
            "families within R_H / R_A",
            (
                f"{target @ solution.covered_house / target.sum():.1%} / "
                f"{target @ solution.covered_frequent / target.sum():.1%}"
            ),
        ),
        ("status / proven", f"{result.status} / {result.proven_optimal}"),
        ("objective", f"{result.objective:,.2f}"),
        ("bound", f"{result.bound:,.2f}" if result.bound is not None else "n/a"),
        ("gap", f"{result.gap:.4%}" if result.gap is not None else "n/a"),
        (
            "time: matrices / build / build+solve (s)",
            f"{matrices_s:.1f} / {build_s:.1f} / {total_s:.1f}",
        ),
        ("peak memory (max RSS, MB)", f"{peak_rss_mb():,.0f}"),
    ]
    kind = "greenfield" if existing is None else "expansion"
    print(f"\nAll of Flanders, one model, {kind} ({solver}, mip_gap 0.5 %, limit 600 s)")
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    ok = result.gap is not None and result.gap <= 0.005 and total_s < 600 and peak_rss_mb() < 4096
    print(f"  goal (gap <= 0.5 % in < 10 min, < 4 GB): {'met' if ok else 'NOT met'}")


def run_municipalities(
    sectors: pd.DataFrame, sites: pd.DataFrame, solver: str, existing: np.ndarray
) -> None:
    spec = SolverSpec(name=solver, time_limit_s=60, mip_gap=0.0, threads=1)
    total_target = float(sectors["target"].sum())
    rows = []
    started = time.perf_counter()
    for nis, group in sectors.groupby("nis", sort=True):
        mask = (sites["nis"] == nis).to_numpy()
        own = sites[mask].reset_index(drop=True)
        if own.empty:
            rows.append((nis, len(group), 0, 0.0, "no sites", False, 0.0))
            continue
        budget = BUDGET * float(group["target"].sum()) / total_target
        sector_xy = group[["x", "y"]].to_numpy()
        site_xy = own[["x", "y"]].to_numpy()
        begin = time.perf_counter()
        instance = instance_for(
            group.reset_index(drop=True),
            own,
            budget,
            minutes_within(sector_xy, site_xy, R_HOUSE),
            minutes_within(site_xy, site_xy, LINK),
            existing[mask],
        )
        solution = solve_coverage(instance, spec)
        seconds = time.perf_counter() - begin
        target = group["target"].to_numpy()
        share = float(target @ solution.covered_house / target.sum()) if target.sum() else 0.0
        rows.append(
            (
                nis,
                len(group),
                len(own),
                seconds,
                solution.result.status,
                solution.result.proven_optimal,
                share,
            )
        )
    total = time.perf_counter() - started
    table = pd.DataFrame(
        rows, columns=["nis", "sectors", "sites", "seconds", "status", "proven", "house_share"]
    )
    print(
        f"\nEvery Flemish municipality on its own, expansion ({solver}, proven optimal asked, "
        "limit 60 s each)"
    )
    print(f"  municipalities             {len(table)}")
    print(f"  without a candidate site   {int((table['sites'] == 0).sum())}")
    print(
        f"  proven optimal             {int(table['proven'].sum())} "
        "(all municipalities with a candidate site)"
        if int(table["proven"].sum()) == int((table["sites"] > 0).sum())
        else f"  proven optimal             {int(table['proven'].sum())}"
    )
    print(f"  total time (s)             {total:.1f}")
    print(
        f"  slowest (s)                {table['seconds'].max():.2f} "
        f"({table.loc[table['seconds'].idxmax(), 'nis']})"
    )
    print(f"  median time (s)            {table['seconds'].median():.3f}")
    print(f"  sectors per model          {table['sectors'].min()}-{table['sectors'].max()}")
    print(f"  peak memory (max RSS, MB)  {peak_rss_mb():,.0f}")
    slowest = table.sort_values("seconds", ascending=False).head(5)
    print("  five slowest:")
    for row in slowest.itertuples():
        print(
            f"    {row.nis}: {row.sectors} sectors, {row.sites} sites, {row.seconds:.2f} s, "
            f"{row.status}, house coverage {row.house_share:.1%}"
        )
    print(f"  goal (all in < 10 min): {'met' if total < 600 else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--solver", default="highs", choices=["highs", "cbc"])
    parser.add_argument("--skip-flanders", action="store_true")
    parser.add_argument("--skip-expansion", action="store_true")
    parser.add_argument("--skip-greenfield", action="store_true")
    parser.add_argument("--skip-municipalities", action="store_true")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"the Belgian data is not in {DATA}: nothing to run")
        return
    started = time.perf_counter()
    sectors = load_sectors()
    sites = choose_sites(sectors)
    print(
        f"Loaded {len(sectors):,} Flemish sectors in {sectors['nis'].nunique()} municipalities "
        f"and chose {len(sites):,} candidate sites in {time.perf_counter() - started:.1f} s"
    )
    existing = existing_houses(sectors, sites)
    if not args.skip_flanders:
        if not args.skip_expansion:
            run_flanders(sectors, sites, args.solver, existing)
        if not args.skip_greenfield:
            run_flanders(sectors, sites, args.solver, None)
    if not args.skip_municipalities:
        run_municipalities(sectors, sites, args.solver, existing)


if __name__ == "__main__":
    main()
