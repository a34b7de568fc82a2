"""Scenario files: YAML validated into frozen, typed objects.

A scenario says which data to read, how need is measured, how families travel, which
standards apply, what the budget is and how the optimiser must run. Unknown keys are an
error that names the key and its path (``budget.amount_eur_typo``), never a silent default.

Relative paths in the ``data`` section are resolved against the folder of the scenario
file, so a scenario can be run from any working directory. ``outputs.dir`` is resolved
against the working directory (like any output folder of a command-line tool), unless
``planner run --out`` overrides it.

Precedence, lowest to highest: the defaults written here, the scenario file, then
overrides given on the command line or to :func:`load_scenario` (``{"budget.amount_eur": 5e5}``).

:mod:`planner.scenario.spec` holds the typed sections, :mod:`planner.scenario.load` reads a
file, applies overrides and turns validation errors into plain messages.
"""

from __future__ import annotations

from planner.scenario.costs import BudgetSpec
from planner.scenario.load import (
    folder_name,
    load_scenario,
    question_overrides,
    scenario_from_dict,
)
from planner.scenario.phases import PhaseSpec
from planner.scenario.policy import (
    COLOCATION_TYPES,
    TARGET_GROUPS,
    ColocationSpec,
    GroupRuleSpec,
    HouseInSpec,
    RulesSpec,
    TargetSpec,
)
from planner.scenario.spec import (
    DataSpec,
    DecaySpec,
    DemandSpec,
    IndicatorSpec,
    ModeSpec,
    NeedSpec,
    ObjectiveSpec,
    OnewayValuesSpec,
    OutputSpec,
    Scenario,
    SolverSpec,
    StandardsSpec,
    TravelSpec,
)

__all__ = [
    "COLOCATION_TYPES",
    "TARGET_GROUPS",
    "BudgetSpec",
    "ColocationSpec",
    "DataSpec",
    "DecaySpec",
    "DemandSpec",
    "GroupRuleSpec",
    "HouseInSpec",
    "IndicatorSpec",
    "ModeSpec",
    "NeedSpec",
    "ObjectiveSpec",
    "OnewayValuesSpec",
    "OutputSpec",
    "PhaseSpec",
    "RulesSpec",
    "Scenario",
    "SolverSpec",
    "StandardsSpec",
    "TargetSpec",
    "TravelSpec",
    "folder_name",
    "load_scenario",
    "question_overrides",
    "scenario_from_dict",
]
