"""planner: place Huizen van het Kind and their antennes, weighted by proportioneel universalisme.

The package retells the pipeline in data-flow order (``docs/architecture.md``):
:mod:`planner.scenario` → :mod:`planner.data` → :mod:`planner.demand` → :mod:`planner.travel`
→ :mod:`planner.solve` / :mod:`planner.model` → :mod:`planner.optimise` →
:mod:`planner.results` → :mod:`planner.report` → :mod:`planner.workflows` → :mod:`planner.cli`.
:func:`run` chains them.

The names below are imported when first used, so ``import planner`` (and ``planner --help``)
stays fast: the geometry, map and solver libraries load only when a stage needs them.

Examples
--------
>>> import planner
>>> plan = planner.run("scenarios/demo.yaml")  # doctest: +SKIP
>>> plan.summary["coverage"]["house"]  # doctest: +SKIP
>>> planner.write_outputs(plan, "outputs/demo")  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from planner.errors import (
    DataError,
    InfeasibleError,
    InputFileError,
    NetworkError,
    PlannerError,
    ScenarioError,
    SolverError,
    SolverUnavailableError,
)

if TYPE_CHECKING:
    from planner.report.outputs import write_outputs
    from planner.results.plan import Plan
    from planner.scenario import Scenario, load_scenario
    from planner.workflows.pipeline import run, validate

__all__ = [
    "DataError",
    "InfeasibleError",
    "InputFileError",
    "NetworkError",
    "Plan",
    "PlannerError",
    "Scenario",
    "ScenarioError",
    "SolverError",
    "SolverUnavailableError",
    "load_scenario",
    "run",
    "validate",
    "write_outputs",
]

__version__ = "0.1.0"

# The public names that live in heavier modules, and where: loaded on first use (PEP 562).
_LAZY: dict[str, str] = {
    "Plan": "planner.results.plan",
    "Scenario": "planner.scenario",
    "load_scenario": "planner.scenario",
    "run": "planner.workflows.pipeline",
    "validate": "planner.workflows.pipeline",
    "write_outputs": "planner.report.outputs",
}


def __getattr__(name: str) -> Any:  # noqa: ANN401 - the type is the named object's
    """Import a public name from its stage module on first use."""
    module = _LAZY.get(name)
    if module is None:
        msg = f"module 'planner' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """List the public names, including those not imported yet."""
    return sorted(set(globals()) | set(__all__))
