"""The package layout holds: stages in data-flow order, small modules, one owner per heavy library.

``docs/architecture.md`` describes the rules checked here. Imports are read from the source
(``ast``), so a rule is checked for every import a module can make, at the top or inside a
function; imports under ``if TYPE_CHECKING:`` count for the direction of imports (they name
types of a stage) but not for cycles (they never run).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "planner"
MAX_LINES = 600

# The stages, in data-flow order: a module may import its own stage or stages to its left.
LAYERS = (
    "errors",
    "scenario",
    "data",
    "demand",
    "travel",
    "solve",
    "model",
    "optimise",
    "results",
    "report",
    "workflows",
    "cli",
)

# Heavy third-party libraries and the modules allowed to import them (prefixes).
OWNERS = {
    "folium": ("planner.report.webmap",),
    "branca": ("planner.report.webmap",),
    "matplotlib": ("planner.report.",),
    "matplotlib_scalebar": ("planner.report.staticmap",),
    "reportlab": ("planner.report.note",),
    "docx": ("planner.report.note_docx",),
    "osmnx": ("planner.travel.osm",),
    "networkx": ("planner.travel.osm",),
    "pulp": ("planner.solve.",),
    "highspy": ("planner.solve.",),
    "rasterio": ("planner.data.raster",),
    "distributed": ("planner.workflows.executor",),
    "dask": ("planner.workflows.executor",),
    "typer": ("planner.cli",),
    "rich": ("planner.cli",),
}
GEOMETRY = ("geopandas", "shapely", "pyproj", "pyogrio", "osmnx", "networkx")

# What `planner --help` and `planner validate` must not load (issue: fast start).
NOT_AT_START = (
    "geopandas",
    "folium",
    "matplotlib",
    "reportlab",
    "docx",
    "osmnx",
    "pulp",
    "highspy",
    "distributed",
)
NOT_IN_VALIDATE = (
    "folium",
    "matplotlib",
    "reportlab",
    "docx",
    "osmnx",
    "pulp",
    "highspy",
    "distributed",
)


@dataclass(frozen=True)
class Import:
    """One import statement of a module: what it names, where, and whether it ever runs."""

    target: str
    line: int
    type_only: bool


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _type_checking(node: ast.If) -> bool:
    return "TYPE_CHECKING" in ast.unparse(node.test)


def imports_of(path: Path, known: set[str]) -> list[Import]:
    """Every import of a module, resolved to a module name (``from a import b`` → ``a.b``)."""
    tree = ast.parse(path.read_text())
    type_only_lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _type_checking(node):
            for inner in node.body:
                type_only_lines.update(range(inner.lineno, (inner.end_lineno or inner.lineno) + 1))
    found = []
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                targets.append(sub if sub in known else node.module)
        found += [Import(t, node.lineno, node.lineno in type_only_lines) for t in targets]
    return found


def layer_of(name: str) -> int | None:
    parts = name.split(".")
    if len(parts) < 2 or parts[0] != "planner":
        return None
    return LAYERS.index(parts[1]) if parts[1] in LAYERS else None


def test_every_module_belongs_to_a_stage() -> None:
    strays = [n for n in modules() if n != "planner" and layer_of(n) is None]
    assert not strays, f"modules outside the stages {LAYERS}: {strays}"


def test_no_module_over_600_lines() -> None:
    long = {
        name: n
        for name, path in modules().items()
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_imports_go_down_the_pipeline() -> None:
    known = set(modules())
    wrong = []
    for name, path in modules().items():
        own = layer_of(name)
        if own is None:  # planner/__init__: the public API, loaded lazily from every stage
            continue
        for imp in imports_of(path, known):
            other = layer_of(imp.target)
            if other is not None and other > own:
                wrong.append(f"{name}:{imp.line} imports {imp.target}")
    assert not wrong, "imports against the pipeline:\n" + "\n".join(wrong)


def test_no_import_cycle() -> None:
    known = set(modules())
    graph = {
        name: {
            imp.target
            for imp in imports_of(path, known)
            if imp.target in known and not imp.type_only and imp.target != name
        }
        for name, path in modules().items()
    }
    # A package's __init__ re-exports its modules; a module that imports a sibling through the
    # package front door is not a cycle in what runs, so edges to a parent package are dropped.
    for name, targets in graph.items():
        graph[name] = {t for t in targets if not name.startswith(t + ".")}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            pytest.fail("import cycle: " + " -> ".join(cycle))


def test_heavy_libraries_have_one_owner() -> None:
    known = set(modules())
    wrong = []
    for name, path in modules().items():
        for imp in imports_of(path, known):
            top = imp.target.split(".")[0]
            owners = OWNERS.get(top)
            if owners and not any(name == o.rstrip(".") or name.startswith(o) for o in owners):
                wrong.append(f"{name}:{imp.line} imports {top} (owned by {', '.join(owners)})")
            if name.startswith(("planner.model", "planner.solve")) and top in GEOMETRY:
                wrong.append(f"{name}:{imp.line} imports the geometry library {top}")
    assert not wrong, "\n".join(wrong)


def _loaded_after(code: str) -> list[str]:
    """Run ``code`` in a fresh interpreter and return the top-level modules it loaded."""
    report = "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    script = f"import sys, json\n{code}\n{report}"
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_help_loads_no_heavy_library() -> None:
    loaded = _loaded_after(
        "from planner.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        "import planner\n"
    )
    assert not [m for m in NOT_AT_START if m in loaded]


def test_validate_loads_no_map_note_or_solver_library() -> None:
    loaded = _loaded_after(
        "from planner.cli import app\n"
        "try:\n    app(['--quiet', 'validate', 'scenarios/demo.yaml'])\nexcept SystemExit:\n"
        "    pass\n"
    )
    assert "geopandas" in loaded  # it did read the inputs
    assert not [m for m in NOT_IN_VALIDATE if m in loaded]


def test_model_front_door_loads_no_solver() -> None:
    loaded = _loaded_after("import planner.model, planner.solve")
    assert not [m for m in ("pulp", "highspy", "geopandas", "shapely") if m in loaded]
