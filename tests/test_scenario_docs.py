"""scenarios/demo.yaml documents every option: each scenario key appears in it."""

from __future__ import annotations

import typing
from pathlib import Path

import yaml
from pydantic import BaseModel

from planner.scenario import Scenario

DEMO = Path(__file__).resolve().parent.parent / "scenarios" / "demo.yaml"
INTERNAL = {"source", "source_sha256", "overrides"}  # set by the loader, not written by users


def missing_keys(model: type[BaseModel], data: dict[str, typing.Any], path: str) -> list[str]:
    """Keys of ``model`` (recursively through nested sections) absent from ``data``."""
    missing = []
    for name, field in model.model_fields.items():
        if name in INTERNAL:
            continue
        if name not in data:
            missing.append(path + name)
            continue
        if typing.get_origin(field.annotation) is dict:  # a mapping of sections: each value
            inner = typing.get_args(field.annotation)[1]
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                for key, value in data[name].items():
                    missing += missing_keys(inner, value, f"{path}{name}.{key}.")
            continue
        for candidate in (field.annotation, *typing.get_args(field.annotation)):
            if (
                isinstance(candidate, type)
                and issubclass(candidate, BaseModel)
                and isinstance(data[name], dict)
            ):
                missing += missing_keys(candidate, data[name], f"{path}{name}.")
    return missing


def test_demo_scenario_lists_every_option() -> None:
    raw = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    assert missing_keys(Scenario, raw, "") == []
