"""Tests of planner.travel.cache: hits, invalidation, corrupt files, switched off."""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING

import numpy as np
import pytest

from planner.scenario import DataSpec, TravelSpec
from planner.travel import cache
from planner.travel.matrices import TravelTimes, travel_times
from planner.travel.network import Network, read_network
from tests.conftest import tiny_layers

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("PLANNER_CACHE_DIR", str(folder))
    monkeypatch.delenv("PLANNER_NO_CACHE", raising=False)
    return folder


@pytest.fixture
def streets(tmp_path: Path) -> Path:
    _, _, lines = tiny_layers()
    path = tmp_path / "streets.gpkg"
    lines.to_file(path)
    return path


class Counter:
    def __init__(self) -> None:
        self.calls = 0

    def network(self, data: DataSpec, travel: TravelSpec) -> Network:
        self.calls += 1
        return read_network(data, travel)

    def travel(self, *args: object, **kwargs: object) -> TravelTimes:
        self.calls += 1
        return travel_times(*args, **kwargs)  # type: ignore[arg-type]


def spec(streets: Path) -> DataSpec:
    return DataSpec(sectors=streets, sites=streets, network=streets)


def assert_same(a: object, b: object) -> None:
    for field in dataclasses.fields(a):  # type: ignore[arg-type]
        left, right = getattr(a, field.name), getattr(b, field.name)
        if isinstance(left, np.ndarray):
            np.testing.assert_array_equal(left, right)
            assert left.dtype == right.dtype
        else:
            assert left == right
            assert type(left) is type(right)


def test_network_is_built_once_and_equal(cache_folder: Path, streets: Path) -> None:
    counter = Counter()
    first = cache.cached_network(spec(streets), TravelSpec(), counter.network)
    second = cache.cached_network(spec(streets), TravelSpec(), counter.network)
    assert counter.calls == 1
    assert_same(first, second)
    assert len(list((cache_folder / "network").glob("*.npz"))) == 1


def test_changed_file_or_key_gives_a_new_entry(cache_folder: Path, streets: Path) -> None:
    counter = Counter()
    cache.cached_network(spec(streets), TravelSpec(), counter.network)
    cache.cached_network(spec(streets), TravelSpec(mode="bike"), counter.network)
    cache.cached_network(
        spec(streets), TravelSpec(speeds_kmh={"walk": 5.0, "bike": 15, "car": 30}), counter.network
    )
    assert counter.calls == 3
    _, _, lines = tiny_layers()
    lines.iloc[:-1].to_file(streets)  # the file changes
    changed = cache.cached_network(spec(streets), TravelSpec(), counter.network)
    assert counter.calls == 4
    assert changed.n_edges == read_network(spec(streets), TravelSpec()).n_edges


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "tamper", "no digest"])
def test_corrupt_file_is_rebuilt_not_trusted(
    cache_folder: Path, streets: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    counter = Counter()
    good = cache.cached_network(spec(streets), TravelSpec(), counter.network)
    (entry,) = (cache_folder / "network").glob("*.npz")
    if damage == "truncate":
        entry.write_bytes(entry.read_bytes()[:200])
    elif damage == "garbage":
        entry.write_bytes(np.random.default_rng(0).bytes(5000))
    elif damage == "empty":
        entry.write_bytes(b"")
    elif damage == "no digest":
        with np.load(entry) as content:
            arrays = {name: content[name] for name in content.files if name != "__sha256__"}
        np.savez(entry, **arrays)
    else:
        with np.load(entry) as content:
            arrays = {name: content[name] for name in content.files}
        arrays["edge_minutes"] = arrays["edge_minutes"] * 2  # digest no longer matches
        np.savez(entry, **arrays)
    with caplog.at_level(logging.WARNING, logger="planner.travel.cache"):
        rebuilt = cache.cached_network(spec(streets), TravelSpec(), counter.network)
    assert counter.calls == 2
    assert_same(good, rebuilt)
    assert "rebuilding" in caplog.text


def test_cache_switched_off(tmp_path: Path, streets: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    counter = Counter()
    monkeypatch.setenv("PLANNER_CACHE_DIR", "")
    cache.cached_network(spec(streets), TravelSpec(), counter.network)
    monkeypatch.setenv("PLANNER_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("PLANNER_NO_CACHE", "1")
    cache.cached_network(spec(streets), TravelSpec(), counter.network)
    assert counter.calls == 2
    assert not (tmp_path / "c").exists()


def test_unwritable_cache_only_costs_time(
    tmp_path: Path, streets: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("PLANNER_CACHE_DIR", str(blocker))
    counter = Counter()
    with caplog.at_level(logging.WARNING, logger="planner.travel.cache"):
        network = cache.cached_network(spec(streets), TravelSpec(), counter.network)
    assert network.n_edges > 0
    assert "cannot write the cache" in caplog.text


def test_travel_times_cached_per_points(cache_folder: Path, streets: Path) -> None:
    network = read_network(spec(streets), TravelSpec())
    sector_xy = np.array([[500.0, 1500.0], [2500.0, 500.0]])
    site_xy = np.array([[1500.0, 1000.0]])
    counter = Counter()
    first = cache.cached_travel_times(
        network, sector_xy, site_xy, max_snap_distance_m=500, compute=counter.travel
    )
    again = cache.cached_travel_times(
        network, sector_xy, site_xy, max_snap_distance_m=500, compute=counter.travel
    )
    assert counter.calls == 1
    assert_same(first, again)
    cache.cached_travel_times(
        network, sector_xy + 1.0, site_xy, max_snap_distance_m=500, compute=counter.travel
    )
    cache.cached_travel_times(
        network, sector_xy, site_xy, max_snap_distance_m=100, compute=counter.travel
    )
    assert counter.calls == 3


def test_file_digest_of_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "layer"
    folder.mkdir()
    (folder / "a.shp").write_bytes(b"1")
    (folder / "a.dbf").write_bytes(b"2")
    before = cache.file_digest(folder)
    (folder / "a.dbf").write_bytes(b"3")
    assert cache.file_digest(folder) != before


@pytest.mark.parametrize("damage", ["truncate", "garbage"])
def test_corrupt_travel_times_are_rebuilt(
    cache_folder: Path, streets: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    network = read_network(spec(streets), TravelSpec())
    sector_xy = np.array([[500.0, 1500.0], [2500.0, 500.0]])
    site_xy = np.array([[1500.0, 1000.0]])
    counter = Counter()
    good = cache.cached_travel_times(
        network, sector_xy, site_xy, max_snap_distance_m=500, compute=counter.travel
    )
    (entry,) = (cache_folder / "travel").glob("*.npz")
    data = entry.read_bytes()
    entry.write_bytes(data[: len(data) // 2] if damage == "truncate" else b"\x00garbage" * 100)
    with caplog.at_level(logging.WARNING, logger="planner.travel.cache"):
        again = cache.cached_travel_times(
            network, sector_xy, site_xy, max_snap_distance_m=500, compute=counter.travel
        )
    assert counter.calls == 2
    assert_same(good, again)
    assert "rebuilding" in caplog.text
    (entry,) = (cache_folder / "travel").glob("*.npz")  # the rebuilt entry is trusted again
    assert cache.load_arrays("travel", entry.stem) is not None


def test_interrupted_write_leaves_no_half_file(
    cache_folder: Path, streets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def killed(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", killed)
    with pytest.raises(KeyboardInterrupt):
        cache.save_arrays("network", "k" * 64, {"a": np.arange(3)})
    assert list((cache_folder / "network").glob("*.npz")) == []


def test_key_follows_what_it_was_built_from(streets: Path) -> None:
    before = cache.network_key(spec(streets), TravelSpec())
    assert cache.network_key(spec(streets), TravelSpec()) == before  # stable
    streets.write_bytes(streets.read_bytes() + b"\0")  # the file changes
    assert cache.network_key(spec(streets), TravelSpec()) != before
    assert cache.network_key(spec(streets), TravelSpec(mode="car")) != before
    _, _, lines = tiny_layers()
    lines.to_file(streets)
    network = read_network(spec(streets), TravelSpec())
    xy = np.array([[500.0, 1500.0]])
    key = cache.travel_key(network, xy, xy, 500)
    assert cache.travel_key(network, xy, xy, 500) == key
    assert cache.travel_key(network, xy + 0.001, xy, 500) != key


def _warning_network(data: DataSpec, travel: TravelSpec) -> Network:
    logging.getLogger("planner.travel.network").warning("network: 12.0 km in 3 pieces dropped")
    return read_network(data, travel)


def _warning_travel(*args: object, **kwargs: object) -> TravelTimes:
    logging.getLogger("planner.travel.matrices").warning("2 sector points lie more than 500 m away")
    return travel_times(*args, **kwargs)  # type: ignore[arg-type]


def test_warnings_are_repeated_on_a_cache_hit(
    cache_folder: Path, streets: Path, caplog: pytest.LogCaptureFixture
) -> None:
    said: list[list[str]] = []
    for _ in range(2):  # cold, then warm: the same warnings
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            network = cache.cached_network(spec(streets), TravelSpec(), _warning_network)
            cache.cached_travel_times(
                network,
                np.array([[0.0, 0.0]]),
                np.array([[100.0, 0.0]]),
                max_snap_distance_m=500.0,
                compute=_warning_travel,
            )
        said.append([r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING])
    assert said[0] == said[1]
    assert "network: 12.0 km in 3 pieces dropped" in said[1]
    assert "2 sector points lie more than 500 m away" in said[1]
    assert len(list((cache_folder / "network").glob("*.npz"))) == 1


def test_captured_warnings_respect_quiet(
    cache_folder: Path, streets: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # under --quiet (level ERROR) nothing is shown, but the entry still stores the warning
    caplog.set_level(logging.ERROR, logger="planner")
    cache.cached_network(spec(streets), TravelSpec(), _warning_network)
    assert not [r for r in caplog.records if r.name.startswith("planner.travel.network")]
    (entry,) = (cache_folder / "network").glob("*.npz")
    arrays = cache.load_arrays("network", entry.stem)
    assert arrays is not None
    assert cache.stored_warnings(arrays) == [
        ("planner.travel.network", "network: 12.0 km in 3 pieces dropped")
    ]


def test_a_warm_run_warns_like_a_cold_one(
    cache_folder: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The network falls apart and two sectors lie off it: both runs say so, the same way."""
    import planner  # noqa: PLC0415
    from tests.conftest import scenario_dict  # noqa: PLC0415

    sectors, sites, streets = tiny_layers()
    bounds = streets.geometry.bounds
    crossing = (bounds["minx"] == 1500) & (bounds["maxx"] == 2000)  # cut the grid in two
    sectors.to_file(tmp_path / "sectors.gpkg")
    sites.to_file(tmp_path / "sites.gpkg")
    streets.loc[~crossing].to_file(tmp_path / "streets.gpkg")
    scenario = planner.scenario.scenario_from_dict(scenario_dict(), base_dir=tmp_path)
    said: list[list[str]] = []
    for _ in range(2):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="planner"):
            planner.run(scenario)
        said.append([r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING])
    assert len(list((cache_folder / "network").glob("*.npz"))) == 1  # the second run hit
    assert said[0] == said[1]
    assert any("is not connected" in message for message in said[1]), said[1]
