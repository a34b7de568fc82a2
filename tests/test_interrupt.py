"""Nothing lost: interrupted runs leave the earlier output intact and no half-written folder.

A first run writes the tiny city's outputs; a second run of the same scenario is stopped in
the optimise stage or while its outputs are written (``PLANNER_TEST_PAUSE_AT`` makes it wait
there) by SIGKILL or SIGINT, or fails with an exception; the first output must be unchanged
byte for byte, and a re-run must work and leave no temporary folder behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.report import outputs
from planner.workflows import pipeline

if TYPE_CHECKING:
    from pathlib import Path

    from tests.conftest import TinyCity

MARKER = "PLANNER_TEST_PAUSE_AT: pausing"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def start_run(scenario: Path, out: Path, pause_at: str) -> tuple[subprocess.Popen[str], list[str]]:
    env = {**os.environ, "PLANNER_TEST_PAUSE_AT": pause_at, "PLANNER_TEST_PAUSE_S": "120"}
    command = [sys.executable, "-c", "from planner.cli import app; app()", "run", str(scenario)]
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [*command, "--out", str(out)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    paused = threading.Event()

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            if MARKER in line:
                paused.set()

    threading.Thread(target=read, daemon=True).start()
    if not paused.wait(timeout=180):
        process.kill()
        pytest.fail(f"the run never paused at {pause_at}: {''.join(lines)}")
    return process, lines


def run_cli(scenario: Path, out: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["run", str(scenario), "--out", str(out)])
    return result.exit_code, result.output


@pytest.fixture
def first_output(tiny_city: TinyCity, tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    out = tmp_path / "outputs" / "tiny"
    code, output = run_cli(tiny_city.scenario, out)
    assert code == 0, output
    return out, snapshot(out)


@pytest.mark.parametrize(
    ("stage", "how"),
    [
        ("optimise", signal.SIGKILL),
        ("outputs", signal.SIGKILL),
        ("optimise", signal.SIGINT),
        ("outputs", signal.SIGINT),
    ],
)
def test_killed_run_leaves_earlier_output_intact(
    tiny_city: TinyCity,
    first_output: tuple[Path, dict[str, bytes]],
    stage: str,
    how: signal.Signals,
) -> None:
    out, before = first_output
    process, lines = start_run(tiny_city.scenario, out, stage)
    if stage == "outputs":  # paused with its files written to a temporary sibling folder
        assert any(".tmp-" in name for name in leftovers(out))
    process.send_signal(how)
    process.wait(timeout=60)
    if how == signal.SIGINT:
        assert process.returncode == 130, "".join(lines)
        assert leftovers(out) == []  # cleaned on the way out
    else:
        assert process.returncode == -signal.SIGKILL
    assert snapshot(out) == before
    code, output = run_cli(tiny_city.scenario, out)  # re-running works and cleans up
    assert code == 0, output
    assert leftovers(out) == []
    after = snapshot(out)
    assert {name: after[name] for name in before if name != "manifest.json"} == {
        name: data for name, data in before.items() if name != "manifest.json"
    }


def test_exception_in_the_solver(
    tiny_city: TinyCity,
    first_output: tuple[Path, dict[str, bytes]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out, before = first_output

    def crash(*args: object) -> None:
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(pipeline, "solve_scenario", crash)
    code, output = run_cli(tiny_city.scenario, out)
    assert code == 3, output
    assert "solver crashed" in output
    assert snapshot(out) == before
    assert leftovers(out) == []


def test_exception_while_writing(
    tiny_city: TinyCity,
    first_output: tuple[Path, dict[str, bytes]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out, before = first_output

    def crash(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(outputs, "_write_csv", crash)
    code, output = run_cli(tiny_city.scenario, out)
    assert code != 0, output
    assert snapshot(out) == before
    assert leftovers(out) == []


def test_leftovers_of_a_killed_run_are_cleaned_or_restored(tmp_path: Path) -> None:
    out = tmp_path / "tiny"
    dead = 2**22 + 12345  # above the default pid_max: no such process
    half = tmp_path / f".tiny.tmp-{dead}-abc"
    half.mkdir()
    (half / "plan.gpkg").write_bytes(b"half")
    moved = tmp_path / f".tiny.old-{dead}-abc"  # killed between the two renames of a swap
    moved.mkdir()
    (moved / "summary.json").write_text("{}")
    alive = tmp_path / f".tiny.tmp-{os.getppid()}-xyz"  # a run still going: left alone
    alive.mkdir()
    outputs._clean_leftovers(out)
    assert (out / "summary.json").read_text() == "{}"
    assert not half.exists()
    assert not moved.exists()
    assert alive.exists()


def test_output_folder_follows_the_umask_not_mkdtemp(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        with outputs.atomic_folder(tmp_path / "result") as staging:
            (staging / "a.txt").write_text("x")
    finally:
        os.umask(previous)
    assert (tmp_path / "result" / "a.txt").read_text() == "x"
    assert (tmp_path / "result").stat().st_mode & 0o777 == 0o755
