"""Sweep numeric scenario options: run every variant, find the plans that are not dominated.

``planner sweep SCENARIO --vary budget=5e5:2e6:4 [--vary need.equity_lambda=0:2:3]`` runs the
scenario once per combination of the varied values (the last option varies fastest), in
parallel on the machine's cores, and writes:

* ``sweep.csv``: one row per variant with the varied values, status, proven optimality and gap,
  cost, counts and coverage (overall and of the neediest fifth), and ``dominated``;
* ``robust_sites.csv``: every site opened in some variant, per role, with the share of the
  variants that open it (existing sites kept open score 1);
* ``sweep.png``: cost against coverage, overall and for the neediest fifth, with the plans that
  are not dominated marked;
* ``variants/<variant>/summary.json``: each variant's full summary.

A plan is **dominated** when another plan of the sweep costs no more and reaches at least as
large a share of the families on every coverage figure (house and frequent standard, all
families and the neediest fifth), and does better on at least one of these five. Variants that
stopped with an error are listed with the error and left out of the comparison.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel

from planner.errors import PlannerError, ScenarioError
from planner.report.comparison import FIGURE_COLUMNS, summary_figures, write_table_csv
from planner.report.outputs import atomic_folder, write_json
from planner.report.sweep_plot import plot_sweep
from planner.scenario import Scenario, load_scenario
from planner.workflows.executor import LocalExecutor
from planner.workflows.pipeline import prepare, run

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from numpy.typing import NDArray

    from planner.report.assets import Language
    from planner.results.plan import Plan
    from planner.workflows.executor import Executor
    from planner.workflows.pipeline import Prepared

__all__ = [
    "ALIASES",
    "PLAN_FIGURES",
    "Sweep",
    "VarySpec",
    "mark_dominated",
    "open_sites",
    "parse_vary",
    "robust_sites",
    "run_sweep",
    "write_sweep",
]

logger = logging.getLogger(__name__)

ALIASES = {"budget": "budget.amount_eur", "lambda": "need.equity_lambda"}
"""Short names accepted by ``--vary`` for the dotted scenario keys."""

_FORM = "expected KEY=LOW:HIGH:STEPS, e.g. budget=5e5:2e6:4 or need.equity_lambda=0:2:3"
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_VARY = re.compile(rf"^\s*([A-Za-z_][\w.]*)\s*=\s*({_NUMBER})\s*:\s*({_NUMBER})\s*:\s*(\d+)\s*$")

PLAN_FIGURES = (
    "status",
    "proven_optimal",
    "gap",
    "cost",
    "houses",
    "antennes",
    "coverage_house",
    "coverage_frequent",
    "coverage_house_neediest",
    "coverage_frequent_neediest",
)
"""The figures of a plan in a row of a table of many runs (sweep, flanders)."""

_SUMMARY_COLUMNS: dict[str, tuple[str, ...]] = {
    column: FIGURE_COLUMNS[column] for column in PLAN_FIGURES
}
_BENEFITS = (
    "coverage_house",
    "coverage_frequent",
    "coverage_house_neediest",
    "coverage_frequent_neediest",
)


@dataclass(frozen=True)
class VarySpec:
    """One varied option: its dotted scenario key and the values it takes.

    Attributes
    ----------
    key : str
        Dotted scenario key (``budget.amount_eur``).
    values : tuple of float or int
        The values, from LOW to HIGH in STEPS equal steps.
    """

    key: str
    values: tuple[float | int, ...]


def _numeric_kind(annotation: object) -> type | None:
    """Return int or float when a pydantic field annotation is a number (optionally None)."""
    found: set[type] = set()
    stack = [annotation]
    while stack:
        item = stack.pop()
        if isinstance(item, type):
            found.add(item)
        origin = typing.get_origin(item)
        if origin is typing.Annotated:
            stack.append(typing.get_args(item)[0])
        elif origin in {typing.Union, types.UnionType}:
            stack.extend(typing.get_args(item))
    if bool in found:
        return None
    if float in found:
        return float
    return int if int in found else None


def _field_kind(key: str) -> type | None:
    model: type[BaseModel] = Scenario
    parts = key.split(".")
    for position, part in enumerate(parts):
        field = model.model_fields.get(part)
        if field is None:
            return None
        annotation = field.annotation
        if position == len(parts) - 1:
            return _numeric_kind(annotation)
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return None
        model = annotation
    return None


def parse_vary(text: str) -> VarySpec:
    """Read one ``--vary KEY=LOW:HIGH:STEPS`` option.

    Parameters
    ----------
    text
        The option's text. KEY is a dotted scenario key of a numeric option
        (``budget.amount_eur``, ``need.equity_lambda``, ``standards.house_min``,
        ``objective.p``, ...) or an alias of :data:`ALIASES`; STEPS is a whole number of values
        from LOW to HIGH, both included.

    Returns
    -------
    VarySpec
        The key and its values (whole numbers for whole-number options).

    Raises
    ------
    ScenarioError
        When the text has another form, the key is not a numeric option, or a whole-number
        option would get a fraction.
    """
    match = _VARY.match(text)
    if match is None:
        raise ScenarioError(f"--vary {text!r}: {_FORM}")
    name, low_text, high_text, steps_text = match.groups()
    key = ALIASES.get(name, name)
    kind = _field_kind(key)
    if kind is None:
        raise ScenarioError(
            f"--vary {text!r}: '{name}' is not a numeric scenario option; use a dotted key such "
            "as budget.amount_eur, need.equity_lambda or standards.house_min (alias: budget)"
        )
    steps = int(steps_text)
    low, high = float(low_text), float(high_text)
    if steps < 1 or (steps == 1 and low != high):
        raise ScenarioError(
            f"--vary {text!r}: STEPS must be at least 2 (or 1 with LOW = HIGH); {_FORM}"
        )
    values = np.linspace(low, high, steps)
    if kind is int:
        if not np.allclose(values, np.round(values)):
            raise ScenarioError(
                f"--vary {text!r}: {key} takes whole numbers; choose LOW, HIGH and STEPS so "
                "that every step is whole"
            )
        return VarySpec(key, tuple(round(float(v)) for v in values))
    return VarySpec(key, tuple(float(v) for v in values))


def mark_dominated(cost: NDArray[np.float64], benefits: NDArray[np.float64]) -> NDArray[np.bool_]:
    r"""Flag the plans that another plan dominates.

    Plan :math:`i` is dominated when some plan :math:`j` has :math:`c_j \le c_i` and
    :math:`b_{jk} \ge b_{ik}` for every benefit :math:`k`, with at least one strict inequality.
    Identical plans do not dominate each other.

    Parameters
    ----------
    cost
        ``(n,)`` cost per plan (lower is better).
    benefits
        ``(n, k)`` benefits per plan (higher is better), e.g. coverage shares.

    Returns
    -------
    numpy.ndarray
        ``(n,)`` True for dominated plans.
    """
    cost = np.asarray(cost, dtype=float)
    benefits = np.asarray(benefits, dtype=float).reshape(len(cost), -1)
    # criteria all "higher is better"
    scores = np.column_stack([-cost, benefits])
    at_least = (scores[:, np.newaxis, :] >= scores[np.newaxis, :, :]).all(axis=2)  # j over i
    better = (scores[:, np.newaxis, :] > scores[np.newaxis, :, :]).any(axis=2)
    return np.asarray((at_least & better).any(axis=0), dtype=bool)


def run_variant(prepared: Prepared | None, scenario: Scenario) -> dict[str, Any]:
    """Run one variant (on a worker) and return its summary and open sites.

    Parameters
    ----------
    prepared
        Inputs read once for every variant (:func:`~planner.workflows.pipeline.prepare`), or
        ``None`` to read them from the scenario's files.
    scenario
        The variant's scenario.

    Returns
    -------
    dict
        ``summary`` and ``sites`` (``site_id``, ``name``, ``role``, ``existing`` of every open
        site), or ``error`` (one line) when the variant has no plan.
    """
    try:
        plan = run(scenario, prepared=prepared)
    except PlannerError as error:
        return {"error": str(error).replace("\n", " ")}
    return {"summary": plan.summary, "sites": open_sites(plan)}


def open_sites(plan: Plan) -> list[tuple[str, str, str, bool]]:
    """List a plan's open sites as :func:`robust_sites` counts them.

    Parameters
    ----------
    plan
        A plan.

    Returns
    -------
    list of tuple
        ``(site_id, name, role, existing)`` of every house and antenne.
    """
    opened = plan.sites[plan.sites["role"] != "closed"]
    return [
        (str(row.site_id), str(row.name), str(row.role), bool(row.existing))
        for row in opened.itertuples(index=False)
    ]


@dataclass(frozen=True)
class Sweep:
    """The variants of a sweep and what they gave.

    Attributes
    ----------
    scenario : str
        Name of the swept scenario.
    vary : tuple of VarySpec
        The varied options.
    rows : tuple of dict
        One row per variant (see the module docstring), in variant order.
    summaries : tuple of dict or None
        Each variant's summary (``None`` when it stopped with an error).
    robust : tuple of dict
        Per site and role opened in some variant: ``site_id``, ``name``, ``role``,
        ``existing``, ``variants`` and ``share`` of the successful variants.
    """

    scenario: str
    vary: tuple[VarySpec, ...]
    rows: tuple[dict[str, Any], ...]
    summaries: tuple[dict[str, Any] | None, ...]
    robust: tuple[dict[str, Any], ...]


def robust_sites(results: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Count in how many successful variants each site is opened, per role.

    Parameters
    ----------
    results
        What :func:`run_variant` returned per variant.

    Returns
    -------
    list of dict
        ``site_id``, ``name``, ``role``, ``existing``, ``variants``, ``share``; houses first,
        then by share (highest first) and site id.
    """
    done = [result for result in results if "error" not in result]
    counts: dict[tuple[str, str], int] = {}
    names: dict[str, tuple[str, bool]] = {}
    for result in done:
        for site_id, name, role, existing in result["sites"]:
            counts[site_id, role] = counts.get((site_id, role), 0) + 1
            names[site_id] = (name, existing)
    rows: list[dict[str, Any]] = [
        {
            "site_id": site_id,
            "name": names[site_id][0],
            "role": role,
            "existing": names[site_id][1],
            "variants": count,
            "share": round(count / len(done), 6),
        }
        for (site_id, role), count in counts.items()
    ]
    rows.sort(key=lambda row: (row["role"] != "house", -row["share"], row["site_id"]))
    return rows


def _variant_overrides(vary: Sequence[VarySpec]) -> list[dict[str, object]]:
    keys = [spec.key for spec in vary]
    return [
        dict(zip(keys, combination, strict=True))
        for combination in itertools.product(*(spec.values for spec in vary))
    ]


def _rows(
    vary: Sequence[VarySpec],
    overrides: Sequence[dict[str, object]],
    results: Sequence[dict[str, Any]],
) -> list[dict[str, Any]]:
    width = max(2, len(str(len(results))))
    rows: list[dict[str, Any]] = []
    for number, (values, result) in enumerate(zip(overrides, results, strict=True), start=1):
        row: dict[str, Any] = {"variant": f"v{number:0{width}d}"}
        row.update({spec.key: values[spec.key] for spec in vary})
        summary = result.get("summary")
        row.update(
            dict.fromkeys(_SUMMARY_COLUMNS)
            if summary is None
            else summary_figures(summary, _SUMMARY_COLUMNS)
        )
        if summary is None:
            row["status"] = "error"
        row["dominated"] = None
        row["error"] = result.get("error")
        rows.append(row)
    ok = [row for row in rows if row["error"] is None]
    if ok:
        cost = np.array([row["cost"] for row in ok], dtype=float)
        benefits = np.array(
            [[row[c] if row[c] is not None else 0.0 for c in _BENEFITS] for row in ok], dtype=float
        )
        for row, flag in zip(ok, mark_dominated(cost, benefits), strict=True):
            row["dominated"] = bool(flag)
    return rows


def _load_variants(
    scenario: Path, base: dict[str, object], variants: list[dict[str, object]]
) -> list[Scenario]:
    """Load every variant's scenario before anything runs; report all problems at once."""
    problems: list[str] = []
    loaded: list[Scenario] = []
    for values in variants:
        try:
            loaded.append(load_scenario(scenario, {**base, **values}))
        except ScenarioError as error:
            shown = ", ".join(f"{key}={value}" for key, value in values.items())
            problems.extend(f"variant {shown}: {problem}" for problem in error.problems)
    if problems:
        raise ScenarioError(problems)
    return loaded


def run_sweep(
    scenario: str | Path,
    vary: Sequence[VarySpec],
    *,
    overrides: dict[str, object] | None = None,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    executor: Executor | None = None,
) -> Sweep:
    """Run a scenario once per combination of the varied values, in parallel.

    Parameters
    ----------
    scenario
        The scenario file.
    vary
        The varied options (the last varies fastest).
    overrides
        Dotted keys applied to every variant first (``--set``); the varied keys win.
    jobs
        Worker processes (default: ``os.cpu_count()``); 1 runs in this process. Ignored when
        an ``executor`` is given.
    progress
        Called with (variants done, variants in all) as variants finish.
    executor
        Where the variants run (:mod:`planner.workflows.executor`; default: local processes).
        The inputs are read once here and sent to every worker once.

    Returns
    -------
    Sweep
        Rows in variant order, whatever order the workers finish in.

    Raises
    ------
    ScenarioError
        When no option is varied, an option is varied twice, or a variant's scenario is invalid.
    """
    path = Path(scenario)
    if not vary:
        raise ScenarioError(f"--vary is missing: {_FORM}")
    keys = [spec.key for spec in vary]
    twice = sorted({key for key in keys if keys.count(key) > 1})
    if twice:
        raise ScenarioError(f"--vary: {', '.join(twice)} is varied more than once; vary it once")
    base = dict(overrides or {})
    name = load_scenario(path, base).name
    variants = _variant_overrides(vary)
    scenarios = _load_variants(path, base, variants)
    local = LocalExecutor(min(jobs or os.cpu_count() or 1, len(variants)))
    where = executor or local
    logger.info("Sweep of %s: %d variants on %s", name, len(variants), where.description)
    prepared = prepare(scenarios, skip_errors=True)
    outcomes = where.map(run_variant, prepared, scenarios, progress)
    results: list[dict[str, Any]] = [
        outcome.value if outcome.value is not None else {"error": outcome.error}
        for outcome in outcomes
    ]
    failed = sum("error" in result for result in results)
    if failed:
        logger.warning("%d of %d variants stopped without a plan", failed, len(results))
    return Sweep(
        scenario=name,
        vary=tuple(vary),
        rows=tuple(_rows(vary, variants, results)),
        summaries=tuple(result.get("summary") for result in results),
        robust=tuple(robust_sites(results)),
    )


def write_sweep(sweep: Sweep, out_dir: Path, *, lang: Language = "nl") -> dict[str, Path]:
    """Write a sweep's tables, plot and per-variant summaries into ``out_dir``, atomically.

    Parameters
    ----------
    sweep
        The sweep.
    out_dir
        Final folder; replaced as a whole when complete.
    lang
        Language of the labels of ``sweep.png``: ``nl`` (default) or ``en``.

    Returns
    -------
    dict
        Paths of ``sweep.csv``, ``robust_sites.csv``, ``sweep.json``, ``sweep.png`` (when a
        variant has a plan) and the ``variants`` folder.
    """
    out_dir = Path(out_dir)
    names = ["sweep.csv", "robust_sites.csv", "sweep.json", "variants"]
    with atomic_folder(out_dir) as staging:
        write_table_csv(staging / "sweep.csv", sweep.rows)
        write_table_csv(
            staging / "robust_sites.csv",
            sweep.robust,
            columns=["site_id", "name", "role", "existing", "variants", "share"],
        )
        write_json(
            staging / "sweep.json",
            {
                "scenario": sweep.scenario,
                "vary": {spec.key: list(spec.values) for spec in sweep.vary},
                "variants": list(sweep.rows),
                "robust_sites": list(sweep.robust),
            },
        )
        for row, summary in zip(sweep.rows, sweep.summaries, strict=True):
            folder = staging / "variants" / row["variant"]
            folder.mkdir(parents=True)
            if summary is not None:
                write_json(folder / "summary.json", summary)
        if any(row["error"] is None for row in sweep.rows):
            plot_sweep(sweep.rows, sweep.scenario, staging / "sweep.png", lang)
            names.append("sweep.png")
    logger.info("Wrote the sweep of %d variants to %s", len(sweep.rows), out_dir)
    return {name: out_dir / name for name in names}
