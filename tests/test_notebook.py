"""Run notebooks/gent_walkthrough.ipynb so that it cannot rot (needs ../shared/data).

nbclient is not a dependency of the project, so the test reads the notebook's JSON and runs its
code cells in order in one namespace, from the notebooks/ folder, as a kernel would.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from tests.conftest import ROOT, SHARED_DATA

if TYPE_CHECKING:
    from pathlib import Path

NOTEBOOK = ROOT / "notebooks" / "gent_walkthrough.ipynb"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not (SHARED_DATA / "gent").is_dir(),
        reason=f"the notebook needs the real Gent data in {SHARED_DATA}",
    ),
]


def code_cells(path: Path) -> list[str]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    assert notebook["nbformat"] == 4
    return ["".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code"]


def test_notebook_only_calls_the_library() -> None:
    for source in code_cells(NOTEBOOK):
        assert "def " not in source
        assert "class " not in source


def test_gent_walkthrough_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(NOTEBOOK.parent)
    monkeypatch.setenv("PLANNER_SHARED_DATA", str(SHARED_DATA))
    monkeypatch.setenv("PLANNER_GENT_DATA", str(tmp_path / "gent"))
    monkeypatch.setenv("PLANNER_NOTEBOOK_OUT", str(tmp_path / "out"))
    monkeypatch.setenv("PLANNER_CACHE_DIR", str(tmp_path / "cache"))
    namespace: dict[str, object] = {"__name__": "__notebook__"}
    for index, source in enumerate(code_cells(NOTEBOOK)):
        try:
            exec(compile(source, f"{NOTEBOOK.name}[cell {index}]", "exec"), namespace)  # noqa: S102
        except Exception as error:  # noqa: BLE001 - name the failing cell
            pytest.fail(f"cell {index} of {NOTEBOOK.name} failed: {type(error).__name__}: {error}")
    printed = capsys.readouterr().out
    assert "ESTIMATED" in printed
    assert "proven optimal: True" in printed
    assert (tmp_path / "out" / "map.html").is_file()
    assert (tmp_path / "gent" / "sectors.gpkg").is_file()
