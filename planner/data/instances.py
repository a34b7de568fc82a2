r"""Readers for published facility-location benchmark instances with known optima.

The benchmarks check that the optimiser is right and time it; their files live outside the
project (``../shared/benchmarks``) and are read from there, never copied.

OR-Library p-median (Beasley 1990), ``pmedN.txt``
    First line ``n m p`` (vertices, edges, facilities to open), then ``m`` lines ``i j c``
    (1-based vertices, edge cost). Every vertex is a demand point of weight 1 and a candidate
    site. Distances: start from :math:`c_{ij} = \infty`, :math:`c_{ii} = 0`; read the edges
    *in order*, setting :math:`c_{ij} = c_{ji} = c` (a repeated edge keeps its **last** cost),
    then take all-pairs shortest paths (Dijkstra from every vertex, in compiled code).
OR-Library optima, ``pmedian_opt.txt`` / ``pcenter_opt.txt``
    One ``name value`` pair per line; an optional first header line (``Data file  Optimal
    solution value``) is skipped.
TSPLIB coordinates, ``rl1304.tsp`` ...
    ``KEY : value`` header lines (``DIMENSION``, ``EDGE_WEIGHT_TYPE : EUC_2D``), then
    ``NODE_COORD_SECTION`` with one ``index x y`` line per point, then ``EOF``. Every point is
    a client of weight 1 and a candidate site; the distance is the Euclidean distance rounded
    **down** (García, Labbé & Marín 2011; Duran-Mateluna, Ales & Elloumi 2023).
TSPLIB p-median optima, ``pmedian_opt.txt``
    ``instance p optimum`` per line, ``best-known`` after a value not proven; ``#`` comments.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse.csgraph import shortest_path

from planner.errors import DataError, InputFileError

__all__ = [
    "CPMPInstance",
    "PMedInstance",
    "read_cpmp",
    "read_orlib_optima",
    "read_orlib_pmed",
    "read_tsplib",
    "read_tsplib_optima",
]

logger = logging.getLogger(__name__)

FloatArray = NDArray[np.float64]

_HEADER_FIELDS: Final[int] = 3
_EDGE_FIELDS: Final[int] = 3
_OPTIMUM_FIELDS: Final[int] = 2
_SHOWN: Final[int] = 5
_TSP_OPT_FIELDS: Final[int] = 3


@dataclass(frozen=True, eq=False)
class PMedInstance:
    """One OR-Library p-median instance: a shortest-path distance matrix and ``p``.

    Attributes
    ----------
    name : str
        Instance name (the file stem, e.g. ``"pmed1"``).
    p : int
        Number of facilities to open.
    d : ndarray, shape (n, n)
        Shortest-path distance between vertices (read-only); ``inf`` when unreachable.
    n_edges : int
        Edge lines read (``m``).
    n_repeated : int
        Edge lines that repeat an earlier vertex pair (their cost replaced the earlier one).
    """

    name: str
    p: int
    d: FloatArray
    n_edges: int
    n_repeated: int

    @property
    def n(self) -> int:
        """Number of vertices (demand points and candidate sites)."""
        return int(self.d.shape[0])

    @property
    def weight(self) -> FloatArray:
        """Demand weights: 1 per vertex."""
        return np.ones(self.n)


def _read_text(path: Path) -> str:
    if not path.is_file():
        raise InputFileError(f"{path}: file not found (expected an OR-Library instance file)")
    try:
        return path.read_text(encoding="utf-8", errors="strict")
    except (OSError, UnicodeDecodeError) as error:
        raise InputFileError(f"{path}: cannot be read as text ({error})") from error


def _numbers(line: str) -> list[float] | None:
    try:
        return [float(token) for token in line.split()]
    except ValueError:
        return None


def read_orlib_pmed(path: str | Path) -> PMedInstance:
    """Read an OR-Library ``pmedN.txt`` file and compute its distance matrix.

    Parameters
    ----------
    path
        The instance file.

    Returns
    -------
    PMedInstance
        The all-pairs shortest-path distances (a repeated edge keeps its last cost) and ``p``.

    Raises
    ------
    InputFileError
        When the file is missing or unreadable.
    DataError
        When the header or an edge line is malformed (every bad line is listed, with its
        number), a vertex is out of range, a cost is negative or not finite, or the file does
        not hold ``m`` edge lines.
    """
    path = Path(path)
    numbered = [
        (number, line)
        for number, line in enumerate(_read_text(path).splitlines(), start=1)
        if line.strip()
    ]
    if not numbered:
        raise DataError(f"{path}: the file is empty (expected a first line 'n m p')")
    header_line, header = numbered[0]
    n, m, p = _read_header(path, header_line, header)
    edges = _read_edges(path, numbered[1:], n, m)
    if p > n:
        raise DataError(f"{path}: line 1: p = {p} exceeds the number of vertices n = {n}")
    d, repeated = _distances(edges, n)
    unreachable = int(np.isinf(d).sum())
    logger.info(
        f"Read {path.name}: {n:,} vertices, {m:,} edges ({repeated:,} repeated), p = {p}, "
        f"{unreachable:,} unreachable pairs"
    )
    d.setflags(write=False)
    return PMedInstance(name=path.stem, p=p, d=d, n_edges=m, n_repeated=repeated)


def _read_header(path: Path, number: int, line: str) -> tuple[int, int, int]:
    values = _numbers(line)
    if (
        values is None
        or len(values) != _HEADER_FIELDS
        or any(not value.is_integer() or value < 1 for value in values)
    ):
        raise DataError(
            f"{path}: line {number}: expected three positive integers 'n m p', got {line.strip()!r}"
        )
    n, m, p = (int(value) for value in values)
    return n, m, p


def _read_edges(path: Path, lines: list[tuple[int, str]], n: int, m: int) -> NDArray[np.float64]:
    problems: list[str] = []
    edges = _parse_edges_fast([line for _, line in lines])
    numbers = np.array([number for number, _ in lines], dtype=np.int64)
    if edges is None:  # find the bad lines, one by one
        rows: list[list[float]] = []
        good: list[int] = []
        for number, line in lines:
            values = _numbers(line)
            if values is None or len(values) != _EDGE_FIELDS:
                problems.append(f"{path}: line {number}: expected 'i j cost', got {line.strip()!r}")
            else:
                rows.append(values)
                good.append(number)
        edges = np.array(rows, dtype=np.float64).reshape(-1, _EDGE_FIELDS)
        numbers = np.array(good, dtype=np.int64)
    if len(lines) != m:
        problems.insert(
            0, f"{path}: expected m = {m} edge lines after the header (line 1), got {len(lines)}"
        )
    ends = edges[:, :2]
    bad_end = ~np.all((ends == np.round(ends)) & (ends >= 1) & (ends <= n), axis=1)
    bad_cost = ~np.isfinite(edges[:, 2]) | (edges[:, 2] < 0)
    for mask, what in (
        (bad_end, f"vertices must be integers in 1..{n}"),
        (bad_cost, "costs must be finite and >= 0"),
    ):
        if mask.any():
            shown = ", ".join(str(int(number)) for number in numbers[mask][:_SHOWN])
            more = f" and {int(mask.sum()) - _SHOWN} more" if mask.sum() > _SHOWN else ""
            problems.append(f"{path}: {what} (lines {shown}{more})")
    if problems:
        raise DataError(problems)
    return edges


def _parse_edges_fast(lines: list[str]) -> NDArray[np.float64] | None:
    """Parse every edge line at once; None when some line is not three numbers."""
    tokens = [line.split() for line in lines]
    if any(len(fields) != _EDGE_FIELDS for fields in tokens):
        return None
    try:
        return np.array(tokens, dtype=np.float64).reshape(-1, _EDGE_FIELDS)
    except ValueError:
        return None


def _distances(edges: NDArray[np.float64], n: int) -> tuple[FloatArray, int]:
    """All-pairs shortest paths; a vertex pair given twice keeps its last cost."""
    i = edges[:, 0].astype(np.int64) - 1
    j = edges[:, 1].astype(np.int64) - 1
    low, high = np.minimum(i, j), np.maximum(i, j)
    key = low * n + high
    # np.unique on the reversed keys returns each pair's first index there: its last line.
    _, first_reversed = np.unique(key[::-1], return_index=True)
    last = key.size - 1 - first_reversed
    repeated = int(key.size - last.size)
    keep = last[low[last] != high[last]]  # a loop i-i never shortens c_ii = 0
    graph = sparse.csr_matrix(
        (edges[keep, 2], (low[keep], high[keep])), shape=(n, n), dtype=np.float64
    )
    d = shortest_path(graph, method="D", directed=False)
    return np.asarray(d, dtype=np.float64), repeated


def read_orlib_optima(path: str | Path) -> dict[str, float]:
    """Read an OR-Library table of optimal values (``pmedian_opt.txt``, ``pcenter_opt.txt``).

    Parameters
    ----------
    path
        The table: one ``name value`` pair per line, with an optional header line first.

    Returns
    -------
    dict of str to float
        Optimal objective per instance name, in file order.

    Raises
    ------
    InputFileError
        When the file is missing or unreadable.
    DataError
        When a line (other than a header on the first line) is not ``name value``, a value is
        not finite, a name repeats, or no value is found.
    """
    path = Path(path)
    optima: dict[str, float] = {}
    problems: list[str] = []
    for number, line in enumerate(_read_text(path).splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        value = _numbers(fields[-1]) if len(fields) == _OPTIMUM_FIELDS else None
        if value is None or not np.isfinite(value[0]):
            if number == 1 and not optima:
                continue  # a header such as "Data file   Optimal solution value"
            problems.append(f"{path}: line {number}: expected 'name value', got {line.strip()!r}")
        elif fields[0] in optima:
            problems.append(f"{path}: line {number}: instance {fields[0]!r} is listed twice")
        else:
            optima[fields[0]] = value[0]
    if not optima and not problems:
        problems.append(f"{path}: no 'name value' lines found")
    if problems:
        raise DataError(problems)
    return optima


# --------------------------------------------------------------------------- capacitated p-median


@dataclass(frozen=True, eq=False)
class CPMPInstance:
    r"""One capacitated p-median instance (Osman & Christofides; Lorena & Senne's SJC).

    Attributes
    ----------
    name : str
        Instance name (the file stem, e.g. ``"cpmp01"``, ``"SJC1"``).
    p : int
        Number of medians to open.
    xy : ndarray, shape (n, 2)
        Point coordinates.
    capacity : ndarray, shape (n,)
        :math:`Q_j`, what a median at point ``j`` can serve.
    demand : ndarray, shape (n,)
        :math:`q_i`, what point ``i`` uses of its median's capacity.
    d : ndarray, shape (n, n)
        Euclidean distances, truncated to integers (floor) for ``cpmp*`` files and unrounded
        for the SJC files, as the published optima use them (read-only).
    """

    name: str
    p: int
    xy: FloatArray
    capacity: FloatArray
    demand: FloatArray
    d: FloatArray

    @property
    def n(self) -> int:
        """Number of points (demand points and candidate medians)."""
        return int(self.d.shape[0])


def read_cpmp(path: str | Path, *, floor: bool | None = None) -> CPMPInstance:
    r"""Read a capacitated p-median file: a line ``n p``, then ``x y capacity demand`` per point.

    Parameters
    ----------
    path
        A ``cpmpNN.txt`` or ``SJC*.dat`` file.
    floor
        Truncate distances to integers; None: yes for files named ``cpmp*`` (Osman &
        Christofides' convention: cpmp01 is 713 with floored distances, 728.3 without), no
        otherwise (the SJC optima use unrounded distances).

    Returns
    -------
    CPMPInstance
        Points, capacities, demands and the distance matrix.

    Raises
    ------
    InputFileError
        When the file is missing or unreadable.
    DataError
        When the header or a point line is malformed (the bad lines are listed), the file
        does not hold ``n`` point lines, or a capacity or demand is negative.
    """
    path = Path(path)
    lines = [line for line in _read_text(path).splitlines() if line.strip()]
    header = _numbers(lines[0]) if lines else None
    if header is None or len(header) != 2 or not all(v.is_integer() and v >= 1 for v in header):
        raise DataError(f"{path}: line 1: expected two positive integers 'n p'")
    n, p = (int(value) for value in header)
    problems = []
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        values = _numbers(line)
        if values is None or len(values) != 4:  # x y capacity demand
            problems.append(f"{path}: line {number}: expected 'x y capacity demand'")
        else:
            rows.append(values)
    if len(lines) - 1 != n:
        problems.insert(
            0, f"{path}: expected n = {n} point lines after the header, got {len(lines) - 1}"
        )
    table = np.array(rows, dtype=np.float64).reshape(-1, 4)
    if np.any(table[:, 2:] < 0):
        problems.append(f"{path}: capacities and demands must be >= 0")
    if p > n:
        problems.append(f"{path}: line 1: p = {p} exceeds n = {n}")
    if problems:
        raise DataError(problems)
    xy = table[:, :2]
    d = np.sqrt(((xy[:, np.newaxis, :] - xy[np.newaxis, :, :]) ** 2).sum(axis=2))
    if floor if floor is not None else path.stem.lower().startswith("cpmp"):
        d = np.floor(d + 1e-9)
    for array in (xy, d):
        array.setflags(write=False)
    capacity, demand = table[:, 2].copy(), table[:, 3].copy()
    capacity.setflags(write=False)
    demand.setflags(write=False)
    logger.info(f"Read {path.name}: {n:,} points, p = {p}")
    return CPMPInstance(name=path.stem, p=p, xy=xy, capacity=capacity, demand=demand, d=d)


# --------------------------------------------------------------------------- TSPLIB p-median


@dataclass(frozen=True, eq=False)
class TspInstance:
    r"""Points of a TSPLIB file and their distances, rounded down (every point a client and site).

    Attributes
    ----------
    name : str
        Instance name (the file stem, e.g. ``"rl1304"``).
    xy : ndarray, shape (n, 2)
        Coordinates.
    d : ndarray, shape (n, n)
        :math:`\lfloor \lVert x_i - x_j \rVert \rfloor` (read-only).
    """

    name: str
    xy: FloatArray
    d: FloatArray

    @property
    def n(self) -> int:
        """Number of points."""
        return int(self.d.shape[0])

    @property
    def weight(self) -> FloatArray:
        """Demand weights: 1 per point."""
        return np.ones(self.n)


def read_tsplib(path: str | Path) -> TspInstance:
    """Read a TSPLIB ``EUC_2D`` file into points and floored Euclidean distances.

    Parameters
    ----------
    path
        The ``.tsp`` file.

    Returns
    -------
    TspInstance
        The points and their distance matrix.

    Raises
    ------
    InputFileError
        When the file is missing or unreadable.
    DataError
        When the header has no ``DIMENSION`` or another ``EDGE_WEIGHT_TYPE`` than ``EUC_2D``,
        a coordinate line is not ``index x y``, or the number of points differs from
        ``DIMENSION`` (all problems listed).
    """
    path = Path(path)
    problems: list[str] = []
    header, coords = _tsplib_lines(path, problems)
    kind = header.get("EDGE_WEIGHT_TYPE", "EUC_2D")
    if kind != "EUC_2D":
        problems.append(f"{path}: EDGE_WEIGHT_TYPE {kind}: only EUC_2D is read")
    size = header.get("DIMENSION", "")
    if not size.isdigit():
        problems.append(f"{path}: no DIMENSION line (expected 'DIMENSION : n')")
    elif int(size) != len(coords):
        problems.append(f"{path}: DIMENSION is {size} but {len(coords)} coordinate lines follow")
    if problems:
        raise DataError(problems)
    xy = np.array(coords, dtype=np.float64).reshape(-1, 2)
    diff = xy[:, np.newaxis, :] - xy[np.newaxis, :, :]
    d = np.floor(np.sqrt((diff**2).sum(axis=2)))
    for array in (xy, d):
        array.setflags(write=False)
    logger.info(f"Read {path.name}: {len(coords):,} points")
    return TspInstance(name=path.stem, xy=xy, d=d)


def _tsplib_lines(path: Path, problems: list[str]) -> tuple[dict[str, str], list[list[float]]]:
    """Split a TSPLIB file into its ``KEY : value`` header and its coordinate lines."""
    header: dict[str, str] = {}
    coords: list[list[float]] = []
    in_coords = False
    for number, line in enumerate(_read_text(path).splitlines(), start=1):
        text = line.strip()
        if not text or text == "EOF":
            continue
        if text.startswith("NODE_COORD_SECTION"):
            in_coords = True
        elif in_coords:
            values = _numbers(text)
            if values is None or len(values) != _EDGE_FIELDS:
                problems.append(f"{path}: line {number}: expected 'index x y', got {text!r}")
            else:
                coords.append(values[1:])
        elif ":" in text:
            key, _, value = text.partition(":")
            header[key.strip().upper()] = value.strip()
        else:
            problems.append(f"{path}: line {number}: expected 'KEY : value', got {text!r}")
    return header, coords


def read_tsplib_optima(path: str | Path) -> dict[tuple[str, int], tuple[float, bool]]:
    """Read a table of p-median optima for TSPLIB instances (``instance p optimum``).

    Parameters
    ----------
    path
        The table: ``instance p value`` per line, ``best-known`` after a value that is not
        proven optimal, ``#`` starting a comment.

    Returns
    -------
    dict of (str, int) to (float, bool)
        Per instance and ``p``: the value and whether it is a proven optimum.

    Raises
    ------
    InputFileError
        When the file is missing or unreadable.
    DataError
        When a line is not ``instance p value [best-known]`` or repeats a pair.
    """
    path = Path(path)
    optima: dict[tuple[str, int], tuple[float, bool]] = {}
    problems: list[str] = []
    for number, line in enumerate(_read_text(path).splitlines(), start=1):
        fields = line.partition("#")[0].split()
        if not fields:
            continue
        known = len(fields) == _TSP_OPT_FIELDS + 1 and fields[-1] == "best-known"
        value = _numbers(" ".join(fields[1:3])) if len(fields) >= _TSP_OPT_FIELDS else None
        if (
            value is None
            or len(fields) not in {_TSP_OPT_FIELDS, _TSP_OPT_FIELDS + 1}
            or (len(fields) > _TSP_OPT_FIELDS and not known)
            or not float(value[0]).is_integer()
        ):
            problems.append(
                f"{path}: line {number}: expected 'instance p value [best-known]', "
                f"got {line.strip()!r}"
            )
            continue
        key = (fields[0], int(value[0]))
        if key in optima:
            problems.append(f"{path}: line {number}: {key[0]} p = {key[1]} is listed twice")
        optima[key] = (value[1], not known)
    if not optima and not problems:
        problems.append(f"{path}: no 'instance p value' lines found")
    if problems:
        raise DataError(problems)
    return optima
