"""How a scenario runs and what it writes: the solver and the outputs sections."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator

from planner.scenario.base import PosFloat, _Spec

__all__ = ["OutputSpec", "SolverSpec"]


class SolverSpec(_Spec):
    """Which MILP solver runs (HiGHS by default; CBC, bundled with PuLP, with ``name: cbc``)."""

    name: Literal["highs", "cbc"] = "highs"
    time_limit_s: PosFloat | None = 60.0
    mip_gap: Annotated[float, Field(ge=0, lt=1)] = 0.0
    threads: Annotated[int, Field(ge=1)] = 1
    msg: bool = False
    pmedian_method: Literal["auto", "radius", "benders"] = Field(
        "auto",
        description="p-median method: radius (radius formulation with level generation), "
        "benders (Benders decomposition, HiGHS only) or auto (benders with HiGHS, "
        "radius with CBC).",
    )


class OutputSpec(_Spec):
    """Where results are written, and which maps and notes are made."""

    dir: Path = Path("outputs")
    map: bool = True
    offline: bool = Field(
        False,
        description="map.html carries Leaflet's JS and CSS inline and loads nothing from the web.",
    )
    tiles: str | None = Field(
        "auto",
        description="Base tiles of map.html: 'auto' (web tiles online, none offline), null or "
        "'none' (no tiles), or a tile provider name (e.g. 'CartoDB Positron') or URL template.",
    )
    static_maps: bool = Field(True, description="Write map.png (A4, 300 dpi) and map.pdf.")

    @field_validator("tiles")
    @classmethod
    def _known_tiles(cls, value: str | None) -> str | None:
        if value is None or value.strip().lower() in {"", "none", "auto", "openstreetmap"}:
            return value
        if all(part in value for part in ("{z}", "{x}", "{y}")):
            return value  # a URL template; the map names it as its attribution
        import xyzservices.providers  # type: ignore[import-untyped]  # noqa: PLC0415

        try:
            xyzservices.providers.query_name(value)
        except ValueError:
            raise ValueError(
                "not a tile provider name (e.g. 'CartoDB Positron', 'OpenStreetMap'; see "
                "xyzservices.providers) nor a URL template with {z}, {x} and {y}; use one of "
                "those, 'auto' or 'none'"
            ) from None
        return value

    note: bool = Field(
        True, description="Write the council note note.html, note.pdf and note.docx."
    )
    language: Literal["nl", "en"] = Field("nl", description="Language of the note and maps.")
    sources: tuple[str, ...] = Field(
        (),
        description="Data sources named on static maps and in the note, e.g. "
        "[Statbel, Stad Gent, OpenStreetMap-bijdragers]; empty = the input file names.",
    )
