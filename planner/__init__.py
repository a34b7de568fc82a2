"""planner: place Huizen van het Kind and their antennes, weighted by proportioneel universalisme.

The package retells the pipeline in data-flow order: :mod:`planner.scenario` →
:mod:`planner.inputs` → :mod:`planner.demand` → :mod:`planner.network` → :mod:`planner.travel`
→ :mod:`planner.model` / :mod:`planner.solve` → :mod:`planner.plan` → :mod:`planner.outputs`
(and :mod:`planner.maps`). :func:`run` chains them.

Examples
--------
>>> import planner
>>> plan = planner.run("scenarios/demo.yaml")  # doctest: +SKIP
>>> plan.summary["coverage"]["house"]  # doctest: +SKIP
>>> planner.write_outputs(plan, "outputs/demo")  # doctest: +SKIP
"""

from __future__ import annotations

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
from planner.outputs import write_outputs
from planner.pipeline import run, validate
from planner.plan import Plan
from planner.scenario import Scenario, load_scenario

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
