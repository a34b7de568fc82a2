r"""``planner flanders``: plan every Flemish municipality from the shared data, each on its own.

For every municipality of the boundary file (``flanders/gemeente2024.shp``: the 300
municipalities of 2024, which the sector centroids and Statbel's tables also use), one task
prepares its sectors and sites as ``planner data NIS`` does (Voronoi sectors where there are no
sector polygons, straight-line travel where there is no network) into a temporary folder, and
plans it with a template scenario at each asked budget. The tasks run on an executor
(:mod:`planner.workflows.executor`): local processes, or a Dask cluster whose workers can read
the data folder. A municipality that fails says why in its row; the others go on.

Flanders counts 285 municipalities since the mergers of 1 January 2025, while the shared
boundaries are those of 2024: the plan is made per 2024 municipality, and the outputs say which
2024 codes were merged since (they are missing from ``municipality_indicators.json``, whose
kansarmoede-index then gives way to the median income as need indicator).

Outputs (:func:`write_flanders`), written atomically:

* ``flanders.csv``: one row per municipality and budget;
* ``flanders.json``: the same rows, the codes, what was approximated, and the notes;
* ``map.html``: the municipalities coloured by the share of families within the house
  standard, per budget, with each one's figures as tooltip;
* ``municipalities/<nis>/<budget>/``: each plan's ``summary.json``, ``summary.csv`` and
  ``plan.gpkg`` (the template's outputs; its map and note only when it asks for them).
"""

from __future__ import annotations

import logging
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from planner.data.files import find_sources
from planner.data.prepare import prepare_from_folder
from planner.data.region import is_flemish, known_municipalities, region_codes
from planner.errors import InputFileError, PlannerError, ScenarioError
from planner.report.assets import format_number
from planner.report.comparison import FIGURE_COLUMNS, summary_figures, write_table_csv
from planner.report.outputs import atomic_folder, write_json, write_outputs
from planner.scenario.load import scenario_from_dict
from planner.workflows.executor import LocalExecutor
from planner.workflows.pipeline import run
from planner.workflows.sweep import PLAN_FIGURES

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from planner.workflows.executor import Executor

__all__ = [
    "COLUMNS",
    "Flanders",
    "FlandersJob",
    "plan_municipality",
    "run_flanders",
    "write_flanders",
]

logger = logging.getLogger(__name__)

TEMPLATE = Path(__file__).resolve().parents[2] / "scenarios" / "flanders.yaml"
"""The default template: walking, straight line x 1.3, grid demand points, EUR 2 million."""


COLUMNS = (
    "nis",
    "name",
    "budget",
    "sector_geometry",
    "need_indicators",
    "sectors",
    "families",
    *PLAN_FIGURES,
    "error",
    "warnings",
)
"""The columns of ``flanders.csv``."""


@dataclass(frozen=True)
class FlandersJob:
    """What every municipality's task shares (sent to each worker once).

    Attributes
    ----------
    source : Path
        The data folder (``../shared/data``), absolute; the workers must be able to read it.
    template : dict
        The template scenario as parsed YAML; its ``data`` paths are replaced per municipality.
    template_path : Path
        Where the template came from (relative paths in it are resolved against its folder).
    budgets : tuple of float
        The budgets (EUR per municipality) to plan with; empty: the template's.
    """

    source: Path
    template: dict[str, Any]
    template_path: Path
    budgets: tuple[float, ...] = ()


@dataclass(frozen=True)
class Flanders:
    """Every municipality's plans.

    Attributes
    ----------
    rows : tuple of dict
        One per municipality and budget (``nis``, ``name``, ``budget``, the figures, ``error``).
    files : dict
        Per-municipality output files: relative path → bytes.
    codes : dict
        ``planned`` (the 2024 codes), ``merged_since_2024`` and ``new_in_2025``.
    notes : tuple of str
        What the figures rest on (approximations, code vintages).
    boundaries : Path
        The municipal boundary layer (for the map).
    travel : str
        How the template computes travel times, in Dutch (for the map).
    """

    rows: tuple[dict[str, Any], ...]
    files: dict[str, bytes]
    codes: dict[str, list[str]]
    notes: tuple[str, ...]
    boundaries: Path
    travel: str


def _budget_label(budget: float) -> str:
    return f"eur_{round(budget):d}"


def _row(nis: str, name: str, budget: float | None) -> dict[str, Any]:
    return {"nis": nis, "name": name, "budget": budget}


def _figures(summary: dict[str, Any]) -> dict[str, Any]:
    figures = summary_figures(summary, {key: FIGURE_COLUMNS[key] for key in PLAN_FIGURES})
    return {
        **figures,
        "sectors": summary.get("sectors"),
        "families": summary.get("target_population"),
    }


class _Collect(logging.Handler):
    """Keep the warnings of one municipality's task for its row."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(" ".join(record.getMessage().split()))


@contextmanager
def _warnings_kept() -> Iterator[list[str]]:
    """Keep planner's warnings off the terminal while a task runs; yield them (once each)."""
    handler = _Collect()
    library = logging.getLogger("planner")
    propagate, level = library.propagate, library.level
    library.addHandler(handler)
    library.propagate = False  # the same rows whatever the caller's (or the worker's) logging
    library.setLevel(logging.WARNING)
    try:
        yield handler.messages
    finally:
        library.removeHandler(handler)
        library.propagate = propagate
        library.setLevel(level)


def _need(
    template: dict[str, Any], columns: Sequence[str], report: dict[str, Any]
) -> dict[str, Any]:
    """Return the template's need section, or what was prepared when its columns are missing.

    A municipality merged since 2024 has no kansarmoede-index: its prepared layer carries the
    median income instead (``prepare_report.json`` → ``need_indicators``).
    """
    need = dict(template.get("need") or {})
    wanted = [str(item.get("column")) for item in need.get("indicators") or []]
    if wanted and all(column in columns for column in wanted):
        return need
    return {**need, "indicators": list(report.get("need_indicators") or [])}


def plan_municipality(job: FlandersJob, municipality: tuple[str, str]) -> dict[str, Any]:
    """Prepare one municipality and plan it at every budget (a task, on a worker).

    Parameters
    ----------
    job
        What every task shares.
    municipality
        Its NIS code and name.

    Returns
    -------
    dict
        ``rows`` (one per budget; ``error`` says why a row has no plan) and ``files`` (its
        output files: relative path → bytes).
    """
    nis, name = municipality
    with _warnings_kept() as warnings:
        result = _plan_one(job, nis, name)
    kept = sorted(set(warnings))
    for row in result["rows"]:
        row["warnings"] = "; ".join(kept) or None
    return result


def _plan_one(job: FlandersJob, nis: str, name: str) -> dict[str, Any]:
    budgets = job.budgets or (float(job.template["budget"]["amount_eur"]),)
    files: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix=f"planner-{nis}-") as scratch:
        folder = Path(scratch)
        try:
            prepared = prepare_from_folder(nis, job.source, folder / "data", nis=nis)
        except PlannerError as error:
            message = "data: " + " ".join(str(error).split())
            return {
                "rows": [{**_row(nis, name, b), "error": message} for b in budgets],
                "files": {},
            }
        geometry = prepared.report.get("sector_geometry", {}).get("method", "polygons")
        need = _need(job.template, prepared.sectors.columns, prepared.report)
        rows = []
        for budget in budgets:
            row = {
                **_row(nis, name, budget),
                "sector_geometry": geometry,
                "need_indicators": ",".join(str(i["column"]) for i in need["indicators"]),
            }
            raw = {**job.template, "name": f"flanders_{nis}", "need": need}
            raw["data"] = {
                **raw.get("data", {}),
                "sectors": str(folder / "data" / "sectors.gpkg"),
                "sites": str(folder / "data" / "sites.gpkg"),
            }
            raw["budget"] = {**raw.get("budget", {}), "amount_eur": budget}
            raw["description"] = f"{name} ({nis}): {raw.get('description', '')}".strip()
            try:
                scenario = scenario_from_dict(
                    raw, base_dir=job.template_path.parent, where=str(job.template_path)
                )
                plan = run(scenario)
            except PlannerError as error:
                rows.append({**row, "error": " ".join(str(error).split())})
                continue
            rows.append({**row, **_figures(plan.summary), "error": None})
            written = write_outputs(plan, folder / "out")
            prefix = f"municipalities/{nis}/{_budget_label(budget)}"
            for file_name, path in sorted(written.items()):
                if file_name != "manifest.json":  # its clock readings belong to the run's own
                    files[f"{prefix}/{file_name}"] = path.read_bytes()
    return {"rows": rows, "files": files}


def _codes(source: Path, only: str | None) -> tuple[dict[str, str], dict[str, list[str]], Path]:
    """Return the 2024 municipalities, the codes the 2025 mergers changed, the boundary file."""
    found = find_sources(source)
    if found.municipalities is None:
        raise InputFileError(
            f"{source}: no municipal boundary file (flanders/gemeente2024.shp) found: planner "
            "flanders plans the municipalities it lists; give the folder of the shared data "
            "with --from"
        )
    known = known_municipalities(found.municipalities, None)
    flemish = {code: known[code] for code in sorted(known) if is_flemish(code)}
    if only:
        chosen = region_codes(only, flemish, source=found.municipalities.name)
        flemish = {code: flemish[code] for code in chosen}
    later = known_municipalities(None, found.municipal_indicators)
    codes = {
        "planned": sorted(flemish),
        "merged_since_2024": sorted(code for code in flemish if later and code not in later),
        "new_in_2025": sorted(code for code in later if code not in known and is_flemish(code)),
    }
    return flemish, codes, found.municipalities


def _template(path: Path | None) -> tuple[dict[str, Any], Path]:
    path = Path(path or TEMPLATE)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputFileError(
            f"--scenario {path}: the template scenario does not exist; leave it out for the "
            "default (scenarios/flanders.yaml)"
        ) from None
    if not isinstance(raw, dict) or "budget" not in raw:
        raise ScenarioError(f"--scenario {path}: not a scenario (no budget); see scenarios/")
    return raw, path.resolve()


def run_flanders(
    source: Path,
    *,
    template: Path | None = None,
    budgets: Sequence[float] = (),
    only: str | None = None,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Flanders:
    """Prepare and plan every Flemish municipality (or those ``only`` names).

    Parameters
    ----------
    source
        The data folder (``../shared/data``).
    template
        The scenario every municipality is planned with (default ``scenarios/flanders.yaml``);
        its ``data`` paths are replaced by each municipality's prepared layers.
    budgets
        Budgets in EUR per municipality (each municipality is planned once per budget);
        default: the template's.
    only
        Codes, a province or arrondissement prefix or a file of codes, as ``planner data``
        takes them; default: all of Flanders.
    executor
        Where the municipalities run; default: local processes on every core.
    progress
        Called with (municipalities done, municipalities in all).

    Returns
    -------
    Flanders
        The rows, the per-municipality files, the codes and the notes.

    Raises
    ------
    PlannerError
        When the data folder has no boundary file, a code is wrong or the template is invalid
        (a municipality that fails does not raise: its row says why).
    """
    if any(budget < 0 for budget in budgets):
        raise ScenarioError("--budget: a budget cannot be negative; give EUR, e.g. 2000000")
    raw, template_path = _template(template)
    scenario_from_dict(raw, base_dir=template_path.parent, where=str(template_path))
    municipalities, codes, boundaries = _codes(Path(source).resolve(), only)
    job = FlandersJob(
        source=Path(source).resolve(),
        template=raw,
        template_path=template_path,
        budgets=tuple(float(b) for b in budgets),
    )
    where = executor or LocalExecutor()
    logger.info("Flanders: %d municipalities on %s", len(municipalities), where.description)
    outcomes = where.map(plan_municipality, job, sorted(municipalities.items()), progress)
    rows: list[dict[str, Any]] = []
    files: dict[str, bytes] = {}
    for (nis, name), outcome in zip(sorted(municipalities.items()), outcomes, strict=True):
        if outcome.value is None:
            rows += [
                {**_row(nis, name, b), "error": f"the task failed: {outcome.error}"}
                for b in job.budgets or (None,)
            ]
            continue
        rows += outcome.value["rows"]
        files |= outcome.value["files"]
    return Flanders(
        rows=tuple(rows),
        files=files,
        codes=codes,
        notes=tuple(_notes(rows, codes)),
        boundaries=boundaries,
        travel=_travel_text(raw),
    )


_MODES_NL = {"walk": "te voet", "bike": "met de fiets", "car": "met de auto"}


def _travel_text(raw: dict[str, Any]) -> str:
    """Say in Dutch how the template's travel times are computed."""
    travel = raw.get("travel") or {}
    mode = str(travel.get("mode", "walk"))
    circuity = travel.get("circuity", 1.3)
    if isinstance(circuity, dict):
        circuity = circuity.get(mode, 1.3)
    factor = format_number(float(circuity), 1)
    if travel.get("model") == "network":
        return f"{_MODES_NL.get(mode, mode)}, over het stratennet"
    return f"{_MODES_NL.get(mode, mode)}, hemelsbreed \u00d7 {factor} (geen stratennet)"


def _notes(rows: Sequence[dict[str, Any]], codes: dict[str, list[str]]) -> list[str]:
    notes = [
        (
            f"{len(codes['planned'])} municipalities of 2024 (the boundaries of the shared "
            "data); Flanders has 285 since the mergers of 1 January 2025"
        )
    ]
    if codes["merged_since_2024"]:
        notes.append(
            f"{len(codes['merged_since_2024'])} of them were merged since "
            f"({', '.join(codes['merged_since_2024'][:8])}"
            f"{', ...' if len(codes['merged_since_2024']) > 8 else ''}): planned as in 2024, "
            "with the median income as need indicator"
        )
    voronoi = sorted({row["nis"] for row in rows if row.get("sector_geometry") == "voronoi"})
    if voronoi:
        notes.append(
            f"{len(voronoi)} municipalities have approximated sectors (Voronoi cells of Statbel's "
            "sector centroids): give Statbel's sector polygons for real sector boundaries"
        )
    failed = sorted({row["nis"] for row in rows if row.get("error")})
    if failed:
        notes.append(f"{len(failed)} municipalities have no plan: see the error in their rows")
    return notes


def write_flanders(result: Flanders, out_dir: Path) -> dict[str, Path]:
    """Write the table, the notes, the map and every municipality's outputs, atomically.

    Parameters
    ----------
    result
        What :func:`run_flanders` returned.
    out_dir
        Output folder; replaced as a whole when complete.

    Returns
    -------
    dict
        Paths of the written files by name.
    """
    from planner.report.webmap_flanders import flanders_map_html  # noqa: PLC0415 - folium

    out_dir = Path(out_dir)
    with atomic_folder(out_dir) as staging:
        write_table_csv(staging / "flanders.csv", list(result.rows), COLUMNS)
        write_json(
            staging / "flanders.json",
            {"rows": list(result.rows), "codes": result.codes, "notes": list(result.notes)},
        )
        page = flanders_map_html(result.rows, result.boundaries, result.travel)
        (staging / "map.html").write_text(page, encoding="utf-8")
        for relative, content in sorted(result.files.items()):
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
    names = ("flanders.csv", "flanders.json", "map.html")
    return {name: out_dir / name for name in names}
