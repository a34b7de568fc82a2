r"""The command's common parts: the typer app, output consoles, exit codes, logging, errors.

Errors print one line (or one line per problem) on stderr and exit with code 2; an unexpected
failure prints one line and exits with code 3; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Literal

import typer
import yaml
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape

from planner.errors import PlanCheckError, PlannerError, ScenarioError

if TYPE_CHECKING:
    from collections.abc import Iterator

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Plan Huizen van het Kind and their antennes from statistical-sector data.",
)
# What users typed comes back in messages as they typed it: no markup ("[red]"), no emoji
# (":car:" in walk:car:bike), no highlighting; the few styled words escape what they hold.
err = Console(stderr=True, soft_wrap=True, markup=False, emoji=False, highlight=False)
out = Console(soft_wrap=True, markup=False, emoji=False, highlight=False)

EXIT_INPUT = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130


class _State:
    debug = False
    quiet = False


class _OncePerRun(logging.Filter):
    """Show each warning once per command, and under ``--quiet`` only those that change a figure.

    A warning found again by a later stage (or by each travel mode) is the same fact: it is
    shown the first time only. ``--quiet`` hides the other warnings, not the ones marked
    :data:`planner.errors.CHANGES_FIGURE` (families counted as unreachable, points moved).
    """

    def __init__(self, *, quiet: bool) -> None:
        super().__init__()
        self.quiet = quiet
        self.seen: set[tuple[int, str]] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        if (
            self.quiet
            and record.levelno < logging.ERROR
            and not getattr(record, "changes_figure", False)
        ):
            return False
        key = (record.levelno, record.getMessage())
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


def _configure_logging(verbose: bool, quiet: bool) -> None:
    level = logging.INFO if verbose else logging.WARNING
    handler = RichHandler(console=err, show_time=False, show_path=False, markup=False)
    handler.addFilter(_OncePerRun(quiet=quiet))
    logging.basicConfig(level=level, handlers=[handler], format="%(message)s", force=True)
    for noisy in ("pyogrio", "fiona", "rasterio", "urllib3", "matplotlib"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every stage.")] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet",
            "-q",
            help="Only errors, the warnings that change a figure (families counted as "
            "unreachable, ...) and the final result lines: no progress lines, no other "
            "warnings (the plan's notes still list what the council must know).",
        ),
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Plan Huizen van het Kind and their antennes."""
    _State.debug = debug
    _State.quiet = quiet and not (verbose or debug)
    _configure_logging(verbose or debug, _State.quiet)


def _fail(error: BaseException) -> typer.Exit:
    if _State.debug:
        raise error
    if isinstance(error, PlanCheckError):  # the model disagrees with the check: our bug
        err.print(
            f"[bold red]internal error:[/] {escape(str(error))} (the plan was not written; "
            "rerun with --debug and report it)",
            markup=True,
            highlight=False,
            soft_wrap=True,
        )
        return typer.Exit(EXIT_INTERNAL)
    if isinstance(error, PlannerError):
        err.print(f"[bold red]error:[/] {escape(str(error))}", markup=True, soft_wrap=True)
        return typer.Exit(EXIT_INPUT)
    err.print(
        f"[bold red]internal error:[/] {type(error).__name__}: {escape(str(error))} "
        "(rerun with --debug for the traceback and report it)",
        markup=True,
        highlight=False,
        soft_wrap=True,
    )
    return typer.Exit(EXIT_INTERNAL)


@contextmanager
def _one_line_errors(*, interrupted_message: bool = False) -> Iterator[None]:
    """Turn any failure of a command into one line on stderr and its exit code.

    With ``interrupted_message``, Ctrl-C says that earlier outputs are intact (the command
    writes outputs atomically) and exits with 130; without it, the interrupt goes on as it is.
    """
    try:
        yield
    except KeyboardInterrupt:
        if not interrupted_message:
            raise
        err.print("interrupted: earlier outputs are left as they were", highlight=False)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Exception as error:  # noqa: BLE001 - the CLI's last line: one line, never a traceback
        raise _fail(error) from None


# Options shared by run, compare and sweep (they apply to every run of the command).
SolverOption = Annotated[str | None, typer.Option(help="cbc or highs.")]
TimeLimitOption = Annotated[
    float | None, typer.Option("--time-limit", help="Solver time limit in seconds.")
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        envvar="PLANNER_SCHEDULER",
        help="Run on the Dask cluster of this scheduler (e.g. tcp://10.0.0.5:8786) instead of "
        "local processes; or set PLANNER_SCHEDULER.",
        show_envvar=False,
    ),
]
JobsOption = Annotated[
    int | None, typer.Option("--jobs", "-j", min=1, help="Parallel runs (default: all cores).")
]


def _progress(text: str) -> None:
    """Print a progress line on stderr, unless ``--quiet``."""
    if not _State.quiet:
        err.print(text, highlight=False)


def _parse_sets(values: list[str] | None) -> dict[str, object]:
    overrides: dict[str, object] = {}
    for item in values or []:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ScenarioError(
                f"--set {item!r}: expected KEY=VALUE with a dotted key, e.g. budget.amount_eur=5e5"
            )
        overrides[key.strip()] = yaml.safe_load(raw) if raw.strip() else raw
    return overrides


def _count(n: int, word: str) -> str:
    """Return ``"1 house"`` or ``"2 houses"``."""
    return f"{n:,} {word if n == 1 else word + 's'}"


def _number(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "n/a"
    if float(value).is_integer() or abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def _pct(share: float | None, decimals: int = 1) -> str:
    return "n/a" if share is None else f"{100 * share:.{decimals}f} %"


def _run_overrides(
    sets: list[str] | None, solver: str | None, time_limit: float | None
) -> dict[str, object]:
    overrides = _parse_sets(sets)
    if solver is not None:
        overrides["solver.name"] = solver
    if time_limit is not None:
        overrides["solver.time_limit_s"] = time_limit
    return overrides


def _language(lang: str) -> Literal["nl", "en"]:
    if lang == "nl":
        return "nl"
    if lang == "en":
        return "en"
    raise ScenarioError(f"--lang {lang!r}: expected nl (Dutch, the default) or en (English)")
