"""The ``planner`` command: a thin layer over the library.

Errors print one line (or one line per problem) on stderr and exit with code 2; an unexpected
failure prints one line and exits with code 3; ``--debug`` shows the traceback instead.
Option precedence, lowest to highest: defaults, the scenario file, ``--set KEY=VALUE``, then the
dedicated options (``--solver``, ``--time-limit``).

Modules: :mod:`~planner.cli.base` (the app, consoles, errors and shared options),
:mod:`~planner.cli.run` (run, validate, demo), :mod:`~planner.cli.data` (data) and
:mod:`~planner.cli.batch` (compare, sweep). Each command imports its library stage when it
runs, so ``planner --help`` loads no geometry, map or solver library.
"""

from __future__ import annotations

from planner.cli import batch, data, run
from planner.cli.base import app

__all__ = ["app"]

# in the order `planner --help` lists them
app.command("run")(run.run_command)
app.command("validate")(run.validate_command)
app.command("demo")(run.demo_command)
app.command("data")(data.data_command)
app.command("compare")(batch.compare_command)
app.command("sweep")(batch.sweep_command)
app.command("flanders")(batch.flanders_command)
