r"""CBC: reading its log and solution file, and running an array model from an MPS file.

CBC's ``Result -``, ``Objective value:`` and ``Lower bound:`` / ``Upper bound:`` lines are read
together with PuLP's solution status (which tells whether an integer plan exists).
"""

from __future__ import annotations

import logging
import re
import subprocess
from typing import TYPE_CHECKING, Any

import numpy as np
import pulp

if TYPE_CHECKING:
    from pathlib import Path

    from planner.scenario import SolverSpec
    from planner.solve.arrays import MilpArrays, _Values
from planner.solve.highs import _new_highs, _pass_arrays
from planner.solve.result import _HAS_PLAN, FloatArray, Status, _cbc_path, _Outcome, _parse_float

logger = logging.getLogger(__name__)

# --------------------------------------------------------------------------- CBC


_CBC_RESULT = re.compile(r"^Result - (.+?)\s*$", re.MULTILINE)
_CBC_OBJECTIVE = re.compile(r"^Objective value:\s+(\S+)", re.MULTILINE)
_CBC_BOUND = re.compile(r"^(?:Lower|Upper) bound:\s+(\S+)", re.MULTILINE)
_CBC_NO_PLAN = re.compile(r"^No feasible solution found", re.MULTILINE)
_CBC_VERSION = re.compile(r"^Version:\s*(\S+)", re.MULTILINE)


def _classify_cbc(
    text: str, pulp_status: int, sol_status: int, options: dict[str, object]
) -> _Outcome:
    """Read CBC's log; PuLP's status only says whether an integer plan was written."""
    version_match = _CBC_VERSION.search(text)
    version = version_match.group(1) if version_match else None
    results = _CBC_RESULT.findall(text)
    result = results[-1] if results else ""
    bound = _parse_float(_CBC_BOUND.search(text))
    plan_written = sol_status in {pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible}
    status: Status
    proved = False
    if result.startswith("Optimal solution found"):
        status = "optimal" if plan_written else "error"
        proved = "tolerance" not in result
    elif result.startswith(("Stopped on", "Finished due to")):
        has_plan = _CBC_OBJECTIVE.search(text) is not None and _CBC_NO_PLAN.search(text) is None
        if has_plan != plan_written:
            logger.warning(
                "cbc log and solution file disagree on whether a plan exists: reporting no plan"
            )
        status = "feasible" if has_plan and plan_written else "no_solution"
    elif "infeasible" in result.lower():
        status = "infeasible"
    elif "unbounded" in result.lower():
        status = "unbounded"
    elif result:
        status = "error"
    else:
        # No branch and bound ran (an LP, or presolve decided): PuLP's status is reliable.
        result = pulp.LpStatus.get(pulp_status, str(pulp_status))
        status, proved = _status_from_pulp(pulp_status, sol_status)
    return _Outcome(
        status, bound, solver_proved=proved, detail=result, version=version, options=options
    )


def _status_from_pulp(pulp_status: int, sol_status: int) -> tuple[Status, bool]:
    if pulp_status == pulp.LpStatusOptimal and sol_status == pulp.LpSolutionOptimal:
        return "optimal", True
    if pulp_status == pulp.LpStatusInfeasible:
        return "infeasible", False
    if pulp_status == pulp.LpStatusUnbounded:
        return "unbounded", False
    return "error", False


_CBC_COLUMN = re.compile(r"^\s*(?:\*\*\s*)?\d+\s+c(\d+)\s+(\S+)\s+(\S+)", re.MULTILINE)


def _run_cbc_arrays(
    model: MilpArrays,
    spec: SolverSpec,
    folder: Path,
    log_path: Path,
    start: FloatArray | None,
    *,
    heuristics: bool,
    presolve: bool = True,
) -> tuple[_Outcome, _Values | None]:
    path = _cbc_path()
    options: dict[str, object] = {
        "interface": "mps file",
        "executable": path,
        "timeLimit": spec.time_limit_s,
        "gapRel": spec.mip_gap,
        "threads": spec.threads,
        "timeMode": "elapsed",
        "mip_start": start is not None,
        "heuristics": heuristics,
    }
    mps, solution, mip_start = folder / "model.mps", folder / "model.sol", folder / "start.mst"
    writer: Any = _new_highs()
    if not _pass_arrays(writer, model):  # default names c0.., r0..: no spaces, no clashes
        return _Outcome("error", None, False, "could not write the model", options=options), None
    writer.writeModel(str(mps))
    command = [str(path), str(mps)]
    if start is not None and model.is_mip:
        _write_cbc_start(mip_start, start)
        command += ["-mips", str(mip_start)]
    if spec.time_limit_s is not None:
        command += ["-sec", f"{spec.time_limit_s:g}"]
    command += ["-ratio", f"{spec.mip_gap:g}", "-threads", str(spec.threads)]
    if not heuristics:
        command += ["-heuristicsOnOff", "off"]
    if not presolve:
        # CBC's pre-processing (CglPreProcess) can declare a feasible model infeasible
        command += ["-preprocess", "off", "-presolve", "off"]
        options["preprocess"] = "off"
    command += ["-timeMode", "elapsed", "-solve" if model.is_mip else "-initialSolve"]
    command += ["-printingOptions", "all", "-solution", str(solution)]
    with log_path.open("w", encoding="utf-8") as log:
        # The executable is PuLP's bundled CBC (or cbc on PATH); every argument is built here.
        process = subprocess.run(  # noqa: S603
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, check=False
        )
    text = log_path.read_text(encoding="utf-8", errors="replace")
    if process.returncode != 0 or not solution.is_file():
        detail = f"cbc exited with code {process.returncode} and no solution file"
        return _Outcome("error", None, False, detail, options=options), None
    pulp_status, sol_status = pulp.COIN_CMD(path=path).get_status(str(solution))
    outcome = _classify_cbc(text, int(pulp_status), int(sol_status), options)
    bound = outcome.bound_raw
    if bound is not None and model.sense == "max":
        bound = -bound
    values: _Values | None = None
    if outcome.status in _HAS_PLAN:
        x, reduced = _read_cbc_columns(solution.read_text(encoding="utf-8"), model.n_cols)
        values = (x, None if model.is_mip else reduced)
    return _Outcome(
        outcome.status, bound, outcome.solver_proved, outcome.detail, outcome.version, options
    ), values


def _write_cbc_start(path: Path, start: FloatArray) -> None:
    """Write a MIP start in CBC's solution-file format (index, name, value, reduced cost)."""
    index = np.arange(start.shape[0])
    lines = np.char.add(
        np.char.add(np.char.add(index.astype(str), " c"), index.astype(str)),
        np.char.add(" ", np.char.mod("%.17g", start)),
    )
    path.write_text(
        "Stopped on time - objective value 0\n" + " 0\n".join(lines.tolist()) + " 0\n",
        encoding="utf-8",
    )


def _read_cbc_columns(text: str, n_cols: int) -> tuple[FloatArray, FloatArray]:
    """Read column values and reduced costs from a CBC solution file (columns named c..)."""
    x, reduced = np.zeros(n_cols), np.zeros(n_cols)
    found = _CBC_COLUMN.findall(text)
    if found:
        table = np.array(found, dtype=np.float64).reshape(-1, 3)
        index = table[:, 0].astype(np.int64)
        x[index], reduced[index] = table[:, 1], table[:, 2]
    return x, reduced
