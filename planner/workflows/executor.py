r"""Run independent tasks on local processes or on a Dask cluster, with the same results.

``sweep``, ``compare`` and the per-municipality runs hand their independent runs to an
:class:`Executor`: a function, one object that every task shares (the prepared inputs of
:func:`planner.workflows.pipeline.prepare`) and the tasks' own arguments. The executor returns
one :class:`Outcome` per task, in task order, whatever order they finish in, so the results
do not depend on where they ran.

- :class:`LocalExecutor` (the default): this process (``jobs=1``) or a pool of local
  processes, each of which gets the shared object once, when it starts.
- :class:`DaskExecutor`: a ``dask.distributed`` cluster named by its scheduler's address
  (``--scheduler tcp://host:8786`` or the ``PLANNER_SCHEDULER`` environment variable). The
  shared object is scattered to every worker once; a task whose worker fails is retried on
  another (``retries``); a task that still fails becomes an outcome with the reason, and the
  other tasks go on.

A task's function must be importable by the workers (a module-level function of planner) and
should turn the errors it expects (a variant without a plan) into its own result; anything
else it raises becomes the outcome's ``error``: one line.
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
import socket
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, Self, TypeVar

from planner.errors import ClusterError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from types import TracebackType

    from distributed import Client

__all__ = [
    "SCHEDULER_ENV",
    "DaskExecutor",
    "Executor",
    "LocalExecutor",
    "Outcome",
    "make_executor",
]

logger = logging.getLogger(__name__)

SCHEDULER_ENV = "PLANNER_SCHEDULER"
"""Environment variable with a Dask scheduler's address, used when no ``--scheduler`` is given."""

TIMEOUT_ENV = "PLANNER_SCHEDULER_TIMEOUT"
"""Seconds to wait for the scheduler and its first worker (default 10)."""

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Outcome(Generic[R]):
    """What one task gave.

    Attributes
    ----------
    value
        The task function's result, or ``None`` when it failed.
    error
        ``None``, or one line: why the task has no result.
    """

    value: R | None
    error: str | None = None


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or "no message"
    return f"{type(error).__name__}: {text}"


class Executor(Protocol):
    """Runs ``function(shared, item)`` for every item and returns the outcomes in item order."""

    @property
    def description(self) -> str:
        """Where the tasks run, for logs and the manifest (e.g. ``2 local processes``)."""
        ...

    def map(
        self,
        function: Callable[[S, T], R],
        shared: S,
        items: Sequence[T],
        progress: Callable[[int, int], None] | None = None,
    ) -> list[Outcome[R]]:
        """Run every task.

        Parameters
        ----------
        function
            A module-level function of planner: ``function(shared, item)``.
        shared
            One object that every task gets (sent to every worker once).
        items
            One argument per task.
        progress
            Called with (tasks done, tasks in all) as tasks finish.

        Returns
        -------
        list of Outcome
            One per item, in item order.
        """
        ...

    def close(self) -> None:
        """Release the processes or the cluster connection."""
        ...


_SHARED: Any = None


def _install_shared(shared: object) -> None:
    """Keep the shared object in a pool process (its initializer)."""
    global _SHARED  # noqa: PLW0603 - one object per worker process, set once at its start
    _SHARED = shared


def _call_local(function: Callable[[Any, T], R], item: T) -> R:
    return function(_SHARED, item)


class _Closing:
    """Context manager support for the executors."""

    def close(self) -> None:
        """Release what the executor holds (nothing by default)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


class LocalExecutor(_Closing):
    """Tasks on this machine: in this process (``jobs=1``) or on a pool of processes.

    Parameters
    ----------
    jobs
        Processes (default: the machine's cores); never more than there are tasks.
    """

    def __init__(self, jobs: int | None = None) -> None:
        self.jobs = max(1, jobs or os.cpu_count() or 1)

    @property
    def description(self) -> str:
        """Where the tasks run."""
        return "this process" if self.jobs == 1 else f"up to {self.jobs} local processes"

    def map(
        self,
        function: Callable[[S, T], R],
        shared: S,
        items: Sequence[T],
        progress: Callable[[int, int], None] | None = None,
    ) -> list[Outcome[R]]:
        """Run every task here or on local processes (see :meth:`Executor.map`)."""
        jobs = min(self.jobs, len(items))
        outcomes: list[Outcome[R] | None] = [None] * len(items)
        if jobs <= 1:
            for index, item in enumerate(items):
                try:
                    outcomes[index] = Outcome(function(shared, item))
                except Exception as error:  # noqa: BLE001 - one task's failure is its row
                    outcomes[index] = Outcome(None, _one_line(error))
                if progress is not None:
                    progress(index + 1, len(items))
            return [outcome for outcome in outcomes if outcome is not None]
        with ProcessPoolExecutor(
            max_workers=jobs, initializer=_install_shared, initargs=(shared,)
        ) as pool:
            futures = {
                pool.submit(_call_local, function, item): index for index, item in enumerate(items)
            }
            try:
                for done, future in enumerate(as_completed(futures), start=1):
                    index = futures[future]
                    try:
                        outcomes[index] = Outcome(future.result())
                    except Exception as error:  # noqa: BLE001 - a worker's failure is its row
                        outcomes[index] = Outcome(None, _one_line(error))
                    if progress is not None:
                        progress(done, len(items))
            finally:
                pool.shutdown(cancel_futures=True)
        return [outcome for outcome in outcomes if outcome is not None]


def _module_version(name: str) -> str:
    """On a worker: the installed version of ``name``, or what stops it from importing."""
    try:
        importlib.import_module(name)
        return importlib.metadata.version(name)
    except Exception as error:  # noqa: BLE001 - reported to the client as text
        return f"missing ({_one_line(error)})"


def _connect(address: str, timeout: float, how: str) -> Client:
    """Open a client on the scheduler, or say in one line why there is none."""
    from distributed import Client  # noqa: PLC0415 - only when a cluster is asked for
    from distributed.comm.addressing import get_address_host_port  # noqa: PLC0415

    try:
        host, port = get_address_host_port(address)
        socket.create_connection((host, port), timeout=timeout).close()
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        raise ClusterError(
            f"--scheduler {address}: cannot reach a Dask scheduler there ({reason}): {how}"
        ) from None


def _call_dask(function: Callable[[S, T], R], shared: S, item: T) -> R:
    return function(shared, item)


class DaskExecutor(_Closing):
    """Tasks on a ``dask.distributed`` cluster.

    Parameters
    ----------
    address
        The scheduler's address, e.g. ``tcp://10.0.0.5:8786`` or ``127.0.0.1:8786``.
    timeout
        Seconds to wait for the scheduler and for its first worker (default: the
        ``PLANNER_SCHEDULER_TIMEOUT`` environment variable, else 10).
    retries
        How often a task whose worker failed is tried again.

    Raises
    ------
    ClusterError
        When the scheduler cannot be reached, has no worker, or its workers lack planner (or
        run another version of it).
    """

    def __init__(self, address: str, *, timeout: float | None = None, retries: int = 1) -> None:
        if timeout is None:
            timeout = float(os.environ.get(TIMEOUT_ENV, "10"))
        self.address = address
        self.retries = retries
        how = (
            "start one with `dask scheduler` (and `dask worker ADDRESS` on each machine), check "
            "the address, or leave out --scheduler (and PLANNER_SCHEDULER) to run on this machine"
        )
        self.client = _connect(address, timeout, how)
        try:
            self._check_workers(timeout)
        except BaseException:
            self.client.close()
            raise

    def _check_workers(self, timeout: float, module: str = "planner") -> None:
        try:
            self.client.wait_for_workers(1, timeout=timeout)
        except TimeoutError:
            raise ClusterError(
                f"--scheduler {self.address}: the scheduler has no worker after {timeout:g} s: "
                f"start one on each machine with `dask worker {self.address}`"
            ) from None
        versions: dict[str, str] = self.client.run(_module_version, module)
        wanted = _module_version(module)
        wrong = {
            worker: version
            for worker, version in sorted(versions.items())
            if version != wanted or version.startswith("missing")
        }
        if wrong:
            worker, found = next(iter(wrong.items()))
            raise ClusterError(
                f"--scheduler {self.address}: {len(wrong)} of {len(versions)} workers do not have "
                f"{module} {wanted} (worker {worker}: {found}): install the same {module} "
                "(pip install -e . in this checkout, with constraints.txt) on every worker"
            )

    @property
    def description(self) -> str:
        """Where the tasks run."""
        workers = len(self.client.scheduler_info().get("workers", {}))
        return f"Dask cluster at {self.address} ({workers} workers)"

    def map(
        self,
        function: Callable[[S, T], R],
        shared: S,
        items: Sequence[T],
        progress: Callable[[int, int], None] | None = None,
    ) -> list[Outcome[R]]:
        """Run every task on the cluster (see :meth:`Executor.map`)."""
        from distributed import as_completed as dask_completed  # noqa: PLC0415

        if not items:
            return []
        shared_future = self.client.scatter(shared, broadcast=True, hash=False)
        futures = [
            self.client.submit(
                _call_dask, function, shared_future, item, retries=self.retries, pure=False
            )
            for item in items
        ]
        index_of = {future.key: index for index, future in enumerate(futures)}
        outcomes: list[Outcome[R] | None] = [None] * len(items)
        try:
            for done, future in enumerate(dask_completed(futures, loop=self.client.loop), start=1):
                index = index_of[future.key]
                error = future.exception() if future.status == "error" else None
                outcomes[index] = (
                    Outcome(None, _one_line(error))
                    if error is not None
                    else Outcome(future.result())
                )
                if progress is not None:
                    progress(done, len(items))
        finally:
            self.client.cancel([*futures, shared_future])
        return [outcome for outcome in outcomes if outcome is not None]

    def close(self) -> None:
        """Close the connection to the scheduler (the cluster keeps running)."""
        self.client.close()


def make_executor(
    scheduler: str | None = None, jobs: int | None = None
) -> LocalExecutor | DaskExecutor:
    """Return the executor the user asked for.

    Parameters
    ----------
    scheduler
        A Dask scheduler's address; ``None`` takes ``PLANNER_SCHEDULER`` from the environment,
        and without it the tasks run on local processes.
    jobs
        Local processes (ignored on a cluster).

    Returns
    -------
    LocalExecutor or DaskExecutor
        Use it as a context manager, or call ``close()``.

    Raises
    ------
    ClusterError
        See :class:`DaskExecutor`.
    """
    address = scheduler or os.environ.get(SCHEDULER_ENV) or None
    if address is None:
        return LocalExecutor(jobs)
    executor = DaskExecutor(address)
    logger.info("Running on the %s", executor.description)
    return executor
