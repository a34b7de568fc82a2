"""The base of every scenario section, and the number types and modes the sections share."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Mode", "NonNegFloat", "PosFloat"]

Mode = Literal["walk", "bike", "car"]
_DEFAULT_SPEEDS: dict[Mode, float] = {"walk": 4.5, "bike": 15.0, "car": 30.0}
NonNegFloat = Annotated[float, Field(ge=0)]
PosFloat = Annotated[float, Field(gt=0)]


class _Spec(BaseModel):
    """Base of every scenario section: frozen, unknown keys forbidden."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _as_text_keys(value: object) -> object:
    """Read YAML road classes (``0: 100`` or ``[0, 9]``) as text, like the layer's values."""
    if isinstance(value, dict):
        return {
            key: _as_text_keys(inner) if isinstance(inner, dict | list) else inner
            for key, inner in ((str(k), v) for k, v in value.items())
        }
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return value
