"""Typed policy rules stated by name: a house in a named group of sectors (``rules.house_in``).

Kept apart from :mod:`planner.scenario.spec` so that each scenario module stays short; the
sections are re-exported by :mod:`planner.scenario`.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from planner.scenario.base import _Spec

__all__ = ["HouseInSpec"]

_Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class HouseInSpec(_Spec):
    """At least one house located in a sector with each of the named values of a sector column.

    ``{column: wijk, values: [Brugse Poort, Muide]}``: a house in Brugse Poort and a house in
    Muide (one house in a sector that has both values would serve both).
    """

    column: str = Field(description="Sector column holding the value (e.g. wijk).")
    values: tuple[_Name, ...] = Field(
        description="Values of that column, each of which gets a house located in one of its "
        "sectors (a site column of the same name, when present, overrides the map)."
    )

    @model_validator(mode="after")
    def _some_values(self) -> HouseInSpec:
        if not self.values:
            raise ValueError(
                f"rules.house_in for column '{self.column}' lists no values: name at least one "
                f"{self.column} that gets a house, or drop the rule"
            )
        return self
