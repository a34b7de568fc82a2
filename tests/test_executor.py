"""One executor interface: local processes or a Dask cluster, with the same results byte for byte.

The cluster is a ``LocalCluster`` of two worker processes on 127.0.0.1 (no other interface,
no dashboard).
"""

from __future__ import annotations

import json
import logging
import operator
import sys
from typing import TYPE_CHECKING

import cloudpickle
import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.errors import ClusterError
from planner.scenario import load_scenario
from planner.workflows.compare import run_comparison, write_comparison
from planner.workflows.executor import DaskExecutor, LocalExecutor, make_executor
from planner.workflows.pipeline import prepare, run
from planner.workflows.sweep import parse_vary, run_sweep, write_sweep
from tests.conftest import ROOT

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.conftest import TinyCity

DEMO = ROOT / "scenarios" / "demo.yaml"
DEMO_PMEDIAN = ROOT / "scenarios" / "demo_pmedian.yaml"

# the helper functions below travel to the workers by value (tests is not installed there)
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def fails_once(marker: Path, item: int) -> int:
    """Fail the first time it runs (as a lost worker would), then give the item back."""
    if not marker.exists():
        marker.write_text("failed once", encoding="utf-8")
        message = "the worker lost its connection"
        raise OSError(message)
    return item


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.CRITICAL,
    ) as local:
        yield local.scheduler_address


def _without_clock(manifest: bytes) -> dict[str, object]:
    """A manifest without what the clock sets: when it ran and how long each stage took."""
    record = json.loads(manifest)
    for key in ("created_utc", "runtime_s"):
        record.pop(key)
    for key in ("runtime_s", "options"):
        record["solver"].pop(key)
    return record


def files_of(folder: Path) -> dict[str, object]:
    """Every file's bytes (a manifest's content apart from the clock's readings)."""
    return {
        str(path.relative_to(folder)): (
            _without_clock(path.read_bytes()) if path.name == "manifest.json" else path.read_bytes()
        )
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


# --- the interface ------------------------------------------------------------------------------


@pytest.mark.parametrize("jobs", [1, 2])
def test_local_executor_keeps_order_and_turns_failures_into_rows(jobs: int) -> None:
    done: list[tuple[int, int]] = []
    outcomes = LocalExecutor(jobs).map(
        operator.truediv, 6, [1, 0, 3], lambda d, t: done.append((d, t))
    )
    assert [o.value for o in outcomes] == [6.0, None, 2.0]
    assert outcomes[1].error == "ZeroDivisionError: division by zero"
    assert done[-1] == (3, 3)


def test_without_a_scheduler_the_runs_stay_local(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLANNER_SCHEDULER", raising=False)
    assert isinstance(make_executor(None, 2), LocalExecutor)


def test_dask_executor_orders_retries_and_reports(cluster: str, tmp_path: Path) -> None:
    with DaskExecutor(cluster) as executor:
        assert "2 workers" in executor.description
        outcomes = executor.map(operator.truediv, 6, [1, 0, 3])
        assert [o.value for o in outcomes] == [6.0, None, 2.0]
        assert outcomes[1].error == "ZeroDivisionError: division by zero"
        # a task whose worker failed runs again; without retries its row says why
        marker = tmp_path / "marker"
        assert [o.value for o in executor.map(fails_once, marker, [7])] == [7]
    with DaskExecutor(cluster, retries=0) as executor:
        failed = executor.map(fails_once, tmp_path / "other", [7])
    assert failed[0].value is None
    assert failed[0].error == "OSError: the worker lost its connection"


def test_workers_without_planner_are_named(cluster: str) -> None:
    with DaskExecutor(cluster) as executor, pytest.raises(ClusterError) as caught:
        executor._check_workers(5, module="planner_not_installed")
    message = str(caught.value)
    assert "2 of 2 workers do not have planner_not_installed" in message
    assert "No module named 'planner_not_installed'" in message
    assert "install the same planner_not_installed" in message


def test_unreachable_scheduler_is_one_line() -> None:
    with pytest.raises(ClusterError) as caught:
        DaskExecutor("127.0.0.1:1", timeout=2)
    message = str(caught.value)
    assert message.startswith("--scheduler 127.0.0.1:1: cannot reach a Dask scheduler there")
    assert "leave out --scheduler" in message
    with pytest.raises(ClusterError, match="invalid address"):
        DaskExecutor("no-port::", timeout=2)


# --- prepared inputs ---------------------------------------------------------------------------


def test_a_prepared_run_reads_no_file(tiny_city: TinyCity, tmp_path: Path) -> None:
    scenario = load_scenario(tiny_city.scenario)
    before = run(scenario).summary
    prepared = prepare([scenario])
    for path in tiny_city.folder.iterdir():  # the workers of a cluster may not see the files
        if path.suffix != ".yaml":
            path.rename(tmp_path / path.name)
    assert run(scenario, prepared=prepared).summary == before


# --- sweep and compare on the cluster -----------------------------------------------------------


def test_sweep_on_the_cluster_is_byte_for_byte_the_local_sweep(
    cluster: str, tmp_path: Path
) -> None:
    vary = [parse_vary("budget=5e5:1.5e6:3"), parse_vary("rules.min_houses=0:40:2")]
    local = run_sweep(DEMO, vary, jobs=1)
    with DaskExecutor(cluster) as executor:
        remote = run_sweep(DEMO, vary, executor=executor)
    assert remote.rows == local.rows
    # 40 houses cannot be had: those variants say why in their row, the rest have plans
    errors = [row["error"] for row in remote.rows if row["error"] is not None]
    assert len(errors) == 3
    assert all("min_houses" in error for error in errors)
    assert files_of(write_sweep(remote, tmp_path / "remote")["sweep.csv"].parent) == files_of(
        write_sweep(local, tmp_path / "local")["sweep.csv"].parent
    )


def test_compare_on_the_cluster_is_byte_for_byte_the_local_compare(
    cluster: str, tmp_path: Path
) -> None:
    scenarios = [DEMO, DEMO_PMEDIAN]
    local = run_comparison(scenarios, DEMO, overrides={"budget.amount_eur": 8e5})
    with DaskExecutor(cluster) as executor:
        remote = run_comparison(
            scenarios, DEMO, overrides={"budget.amount_eur": 8e5}, executor=executor
        )
    write_comparison(local, tmp_path / "local")
    write_comparison(remote, tmp_path / "remote")
    assert files_of(tmp_path / "remote") == files_of(tmp_path / "local")


def test_cli_sweep_and_compare_take_a_scheduler(cluster: str, tmp_path: Path) -> None:
    sweep = CliRunner().invoke(
        app,
        [
            "sweep",
            str(DEMO),
            "--vary",
            "budget=5e5:1e6:2",
            "--out",
            str(tmp_path / "sweep"),
            "--scheduler",
            cluster,
        ],
    )
    assert sweep.exit_code == 0, sweep.output
    assert "2 variants, 2 with a plan" in sweep.output
    compare = CliRunner().invoke(
        app,
        ["compare", str(DEMO), "--out", str(tmp_path / "compare")],
        env={"PLANNER_SCHEDULER": cluster},
    )
    assert compare.exit_code == 0, compare.output
    assert (tmp_path / "compare" / "comparison.csv").exists()


@pytest.mark.parametrize("command", ["sweep", "compare"])
def test_cli_unreachable_scheduler_is_one_line_exit_2(command: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    extra = ["--vary", "budget=5e5:1e6:2"] if command == "sweep" else []
    result = CliRunner().invoke(
        app,
        [command, str(DEMO), *extra, "--out", str(out), "--scheduler", "127.0.0.1:1"],
        env={"PLANNER_SCHEDULER_TIMEOUT": "2"},
    )
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "cannot reach a Dask scheduler there" in lines[0]
    assert not out.exists()


SHARED = ROOT.parent / "shared" / "data"


@pytest.mark.skipif(
    not (SHARED / "flanders" / "gemeente2024.shp").exists(),
    reason="../shared/data (Statbel centroids, Flemish municipalities) is not present",
)
def test_flanders_on_the_cluster_is_the_local_run(cluster: str) -> None:
    from planner.workflows.flanders import run_flanders  # noqa: PLC0415

    local = run_flanders(SHARED, only="11001,44043", executor=LocalExecutor(1))
    with DaskExecutor(cluster) as executor:
        remote = run_flanders(SHARED, only="11001,44043", executor=executor)
    assert remote.rows == local.rows
    assert remote.files == local.files
    assert remote.notes == local.notes
