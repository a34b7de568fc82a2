"""Readers of published benchmark instances: OR-Library p-median files and optima tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from planner.data.instances import read_orlib_optima, read_orlib_pmed
from planner.errors import DataError, InputFileError
from tests.conftest import ORLIB, needs_orlib

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str, name: str = "pmedX.txt") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_distances_are_shortest_paths(tmp_path: Path) -> None:
    # 1 -2- 2 -3- 3, and a long direct edge 1-3 of 10: d(1,3) = 5 via 2. Vertex 4 alone.
    path = write(tmp_path, " 4 3 2 \n 1 2 2 \n 2 3 3 \n 1 3 10 \n")
    instance = read_orlib_pmed(path)
    assert instance.name == "pmedX"
    assert instance.n == 4
    assert instance.p == 2
    assert instance.n_edges == 3
    assert instance.n_repeated == 0
    expected = np.array(
        [
            [0, 2, 5, np.inf],
            [2, 0, 3, np.inf],
            [5, 3, 0, np.inf],
            [np.inf, np.inf, np.inf, 0],
        ]
    )
    np.testing.assert_array_equal(instance.d, expected)
    np.testing.assert_array_equal(instance.weight, np.ones(4))
    assert not instance.d.flags.writeable


@pytest.mark.parametrize(
    ("edges", "expected"),
    [
        ("1 2 5\n2 1 3\n", 3.0),  # the later, cheaper copy
        ("1 2 3\n1 2 5\n", 5.0),  # the later copy wins even when dearer
        ("2 1 3\n1 2 9\n2 1 4\n", 4.0),
    ],
)
def test_repeated_edge_keeps_its_last_cost(tmp_path: Path, edges: str, expected: float) -> None:
    count = len(edges.strip().splitlines())
    instance = read_orlib_pmed(write(tmp_path, f"2 {count} 1\n{edges}"))
    assert instance.d[0, 1] == expected
    assert instance.d[1, 0] == expected
    assert instance.n_repeated == count - 1


def test_loop_and_zero_cost_edge(tmp_path: Path) -> None:
    instance = read_orlib_pmed(write(tmp_path, "3 3 1\n1 1 7\n1 2 0\n2 3 4\n"))
    np.testing.assert_array_equal(np.diag(instance.d), np.zeros(3))
    assert instance.d[0, 1] == 0.0
    assert instance.d[0, 2] == 4.0


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"file not found"):
        read_orlib_pmed(tmp_path / "nope.txt")
    with pytest.raises(InputFileError, match=r"file not found"):
        read_orlib_optima(tmp_path / "nope.txt")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"the file is empty"),
        ("3 2\n1 2 1\n2 3 1\n", r"line 1: expected three positive integers 'n m p'"),
        ("3 2 0\n1 2 1\n2 3 1\n", r"line 1: expected three positive integers"),
        ("2 1 3\n1 2 1\n", r"p = 3 exceeds the number of vertices n = 2"),
    ],
)
def test_bad_header(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(DataError, match=message):
        read_orlib_pmed(write(tmp_path, text))


def test_bad_edges_are_all_listed(tmp_path: Path) -> None:
    text = "3 5 1\n1 2 1\n1 x 2\n4 1 1\n2 3 -1\n\n2 3\n"
    with pytest.raises(DataError) as info:
        read_orlib_pmed(write(tmp_path, text))
    message = str(info.value)
    assert "line 3: expected 'i j cost', got '1 x 2'" in message
    assert "line 7: expected 'i j cost', got '2 3'" in message
    assert "vertices must be integers in 1..3 (lines 4)" in message
    assert "costs must be finite and >= 0 (lines 5)" in message


def test_wrong_edge_count(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"expected m = 3 edge lines .* got 2"):
        read_orlib_pmed(write(tmp_path, "3 3 1\n1 2 1\n2 3 1\n"))


def test_optima_with_and_without_header(tmp_path: Path) -> None:
    with_header = write(tmp_path, "Data file   Optimal solution value\npmed1 5819\npmed2 4093\n")
    assert read_orlib_optima(with_header) == {"pmed1": 5819.0, "pmed2": 4093.0}
    plain = write(tmp_path, "pmed1 127\n\npmed2 98.5\n", "plain.txt")
    assert read_orlib_optima(plain) == {"pmed1": 127.0, "pmed2": 98.5}


def test_bad_optima(tmp_path: Path) -> None:
    path = write(tmp_path, "pmed1 127\npmed2\npmed1 12\npmed3 nan\n", "bad.txt")
    with pytest.raises(DataError) as info:
        read_orlib_optima(path)
    message = str(info.value)
    assert "line 2: expected 'name value', got 'pmed2'" in message
    assert "line 3: instance 'pmed1' is listed twice" in message
    assert "line 4: expected 'name value'" in message
    with pytest.raises(DataError, match=r"no 'name value' lines found"):
        read_orlib_optima(write(tmp_path, "just a header line\n", "empty.txt"))


@needs_orlib
def test_orlib_files() -> None:
    instance = read_orlib_pmed(ORLIB / "pmed1.txt")
    assert (instance.n, instance.p, instance.n_edges) == (100, 5, 200)
    assert np.isfinite(instance.d).all()
    np.testing.assert_array_equal(instance.d, instance.d.T)
    medians = read_orlib_optima(ORLIB / "pmedian_opt.txt")
    centers = read_orlib_optima(ORLIB / "pcenter_opt.txt")
    assert len(medians) == len(centers) == 40
    assert medians["pmed1"] == 5819.0
    assert medians["pmed40"] == 5128.0
    assert centers["pmed1"] == 127.0
    assert centers["pmed40"] == 13.0
