r"""``planner data``: official files of a municipality → ``data/statsec/<municipality>/``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from planner.cli.base import _one_line_errors, out
from planner.errors import ScenarioError


def _pairs(values: list[str] | None, what: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ScenarioError(f"{what} {item!r}: expected KEY=VALUE, e.g. library=house")
        pairs[key.strip()] = value.strip()
    return pairs


def _ages(text: str) -> tuple[int, int]:
    lo, sep, hi = text.partition("-")
    if not sep or not lo.strip().isdigit() or not hi.strip().isdigit() or int(lo) > int(hi):
        raise ScenarioError(f"--target-ages {text!r}: expected FIRST-LAST in years, e.g. 0-2")
    return int(lo), int(hi)


def data_command(  # noqa: PLR0913, PLR0917 - typer: one parameter per option
    municipality: Annotated[str, typer.Argument(help="Municipality name (gent) or NIS code.")],
    source: Annotated[
        Path, typer.Option("--from", help="Folder of downloaded official files.")
    ] = Path("data/downloads"),
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Output folder (default data/statsec/<name>).")
    ] = None,
    nis: Annotated[str | None, typer.Option(help="NIS code when the name is unknown.")] = None,
    files: Annotated[
        list[str] | None,
        typer.Option(
            "--file",
            help="A file for a role instead of the one found, e.g. --file points=my_sites.gpkg "
            "(roles: sectors, population, income, ages, wijk_map, municipal_indicators, raster, "
            "points, existing, network, centroids, municipalities).",
        ),
    ] = None,
    indicators: Annotated[
        list[str] | None,
        typer.Option("--indicator", help="Extra need indicator FILE:COLUMN:DIRECTION[:WEIGHT]."),
    ] = None,
    target_share: Annotated[
        float, typer.Option(help="Target group per inhabitant (under 65) without an age table.")
    ] = 0.04,
    target_ages: Annotated[str, typer.Option(help="Target ages with an age table.")] = "0-2",
    income_imputation: Annotated[
        str, typer.Option(help="Suppressed incomes: neighbours, median or none.")
    ] = "neighbours",
    site_types: Annotated[
        Path | None, typer.Option(help="CSV of site types with eligibility and costs.")
    ] = None,
    existing_types: Annotated[
        list[str] | None,
        typer.Option("--existing-type", help="Mark candidates of a type existing: TYPE=ROLE."),
    ] = None,
    generated: Annotated[
        bool, typer.Option(help="Add a generated candidate per inhabited sector.")
    ] = True,
    on_street: Annotated[
        bool,
        typer.Option(
            "--generated-on-street/--generated-at-point",
            help="Generated candidates on the street (with a network file) or at sector points.",
        ),
    ] = True,
    street_radius: Annotated[
        float, typer.Option(help="Metres around a street vertex in which street is measured.")
    ] = 100.0,
    street_min_length: Annotated[
        float,
        typer.Option(help="Metres of street a vertex needs within --street-radius (no dead ends)."),
    ] = 150.0,
    street_max_outside: Annotated[
        float, typer.Option(help="Metres from the sector point when no vertex inside qualifies.")
    ] = 250.0,
    street_points: Annotated[
        str, typer.Option(help="ends (junctions: network nodes) or vertices (bends too).")
    ] = "ends",
    street_exclude: Annotated[
        list[str] | None,
        typer.Option(
            help="Lines that are no street for a site: COLUMN=VALUE[,VALUE] (default "
            "functional_roadclass=0, motorways); 'none' excludes nothing."
        ),
    ] = None,
    download: Annotated[
        bool, typer.Option(help="Download the official files into --from first.")
    ] = False,
    osm: Annotated[
        bool, typer.Option(help="Download OSM places and streets (Overpass) first.")
    ] = False,
    urls: Annotated[
        list[str] | None, typer.Option("--url", help="Download address ROLE=URL.")
    ] = None,
) -> None:
    """Prepare data/statsec/<municipality>/ (sectors and sites) from official files."""
    from planner.data import prepare  # noqa: PLC0415 - keep `--help` fast
    from planner.data.streets import StreetRule  # noqa: PLC0415 - keep `--help` fast

    with _one_line_errors():
        options = prepare.PrepareOptions(
            target_share=target_share,
            target_ages=_ages(target_ages),
            income_imputation=income_imputation,  # type: ignore[arg-type]
            generated_sites=generated,
            site_types=(
                prepare.read_site_types(site_types)
                if site_types is not None
                else dict(prepare.DEFAULT_SITE_TYPES)
            ),
            existing_types=_pairs(existing_types, "--existing-type"),
            generated_on_street=on_street,
            street_rule=StreetRule(
                street_radius_m=street_radius,
                street_min_length_m=street_min_length,
                street_max_outside_m=street_max_outside,
                street_points=street_points,  # type: ignore[arg-type]
            ),
            street_exclude=prepare.parse_street_exclude(street_exclude),
        )
        result = prepare.prepare_from_folder(
            municipality,
            source,
            out_dir,
            nis=nis,
            files={role: Path(path) for role, path in _pairs(files, "--file").items()},
            indicators=indicators or [],
            options=options,
            downloads=prepare.Downloads(official=download, osm=osm, urls=_pairs(urls, "--url")),
        )
    report = result.report
    out.print(
        f"{result.folder}: {report['sectors']['count']} sectors, "
        f"{report['sectors']['population']:,.0f} inhabitants, target group "
        f"{report['sectors']['target']:,.0f}; {report['sites']['total']} sites "
        f"({', '.join(f'{n} {t}' for t, n in report['sites']['by_type'].items())})",
        highlight=False,
    )
    for join in report["joins"]:
        if join["only_in_sectors"] or join["only_in_table"]:
            out.print(
                f"  {join['what']}: {len(join['only_in_sectors'])} sectors without a row, "
                f"{len(join['only_in_table'])} codes without a sector",
                highlight=False,
            )
    placed = report.get("generated_sites", {})
    if placed.get("placement") == "street":
        out.print(
            f"  generated sites on the street: {placed['moved_to_street']} of {placed['count']} "
            f"(median {placed['moved_m']['median']} m, max {placed['moved_m']['max']} m from "
            f"the sector point; {placed['outside_sector']} outside their sector, "
            f"{placed['at_sector_point']} left at the point)",
            highlight=False,
        )
    for note in report["notes"]:
        out.print(f"  note: {note}", highlight=False)
    out.print(f"  need indicators for a scenario: {report['need_indicators']}", highlight=False)
