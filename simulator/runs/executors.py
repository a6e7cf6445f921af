"""Where tasks run: in this process, in local worker processes, or on a Dask cluster.

Every executor takes the same tasks and yields their results as they finish;
the results do not depend on the executor, since each task carries its own
seed and scenario (see :mod:`carebench.runs.tasks`). A task is run by
``function`` (by default :func:`~carebench.runs.tasks.run_task`, one
replication); a mystery-shopper study passes its brand runs the same way.
Tasks and results must pickle, and ``function`` must be importable by name.
Executors are context managers: leaving the block stops local workers or
disconnects from Dask.

Dask is optional (``pip install 'carebench[dask]'``) and imported only when
a scheduler address is given.
"""

from __future__ import annotations

import multiprocessing
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from carebench.runs.tasks import run_task
from carebench.util.errors import UserError

__all__ = [
    "Executor",
    "SerialExecutor",
    "ProcessExecutor",
    "DaskExecutor",
    "ExecutionError",
    "make_executor",
    "default_workers",
]


class ExecutionError(RuntimeError):
    """Tasks could not finish because a worker was lost (not a user's mistake).

    Results already finished are kept when a task store is used, so the same
    command resumes where it stopped.
    """


class Executor(ABC):
    """The interface: ``run(tasks)`` yields each task's result as it finishes."""

    description = "executor"

    @abstractmethod
    def run(self, tasks: Sequence[Any], function: Callable[[Any], Any] | None = None) -> Iterator[Any]:
        """Yield ``function(task)`` (default :func:`run_task`) for every task in ``tasks``, as they finish."""

    def close(self) -> None:
        """Release workers or connections (nothing to do by default)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SerialExecutor(Executor):
    """Runs tasks one after another in this process (``--workers 1``)."""

    description = "in this process"

    def run(self, tasks: Sequence[Any], function: Callable[[Any], Any] | None = None) -> Iterator[Any]:
        """Yield results in task order."""
        function = function or run_task
        for task in tasks:
            yield function(task)


def default_workers() -> int:
    """The number of cores this process may use (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class ProcessExecutor(Executor):
    """Runs tasks in ``workers`` local processes.

    Workers start with the ``forkserver`` method where the platform has it
    (else ``spawn``): a forked copy of a process that already runs threads (a
    Dask client, a progress bar) can deadlock, and the fork server starts each
    worker from a small clean process that has imported carebench once.
    """

    def __init__(self, workers: int, start_method: str | None = None):
        self.workers = int(workers)
        methods = multiprocessing.get_all_start_methods()
        method = start_method or ("forkserver" if "forkserver" in methods else "spawn")
        context = multiprocessing.get_context(method)
        if method == "forkserver":
            context.set_forkserver_preload(["carebench.runs.tasks"])
        self.description = f"{self.workers} local processes"
        self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)

    def run(self, tasks: Sequence[Any], function: Callable[[Any], Any] | None = None) -> Iterator[Any]:
        """Yield results as workers finish them; a lost worker raises ``ExecutionError``."""
        pending: set[Future] = {self._pool.submit(function or run_task, t) for t in tasks}
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        except BrokenProcessPool:
            raise ExecutionError("a local worker process died before its task finished") from None
        finally:
            for future in pending:
                future.cancel()

    def close(self) -> None:
        """Stop the workers, cancelling tasks not yet started."""
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor(Executor):
    """Runs tasks on a Dask distributed cluster reached at ``address`` (``tcp://host:port``).

    Dask reruns the task of a worker that is lost on another worker; results
    come back to this process as they finish.
    """

    def __init__(self, address: str, timeout: float = 10.0):
        try:
            import distributed
        except ImportError:
            raise UserError(
                f"--scheduler {address}: needs Dask distributed (pip install 'carebench[dask]')"
            ) from None
        self._distributed = distributed
        try:
            self._client = distributed.Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise UserError(f"--scheduler {address}: cannot reach a Dask scheduler ({reason})") from None
        self.description = f"Dask scheduler {address}"

    def run(self, tasks: Sequence[Any], function: Callable[[Any], Any] | None = None) -> Iterator[Any]:
        """Yield results as the cluster finishes them."""
        futures: list[Any] = [self._client.submit(function or run_task, t, pure=False) for t in tasks]
        try:
            for _future, result in self._distributed.as_completed(futures, loop=self._client.loop, with_results=True):
                yield result
        except self._distributed.client.FutureCancelledError as exc:
            raise ExecutionError(f"the Dask cluster cancelled a task ({exc})") from None
        except ModuleNotFoundError as exc:
            if (exc.name or "").split(".")[0] != "carebench":
                raise
            raise ExecutionError("the Dask workers cannot import carebench; install it on every worker") from None
        except Exception as exc:
            if type(exc).__name__ == "KilledWorker":
                raise ExecutionError(f"Dask workers kept dying on a task ({exc})") from None
            raise
        finally:
            self._client.cancel([f for f in futures if not f.done()])

    def close(self) -> None:
        """Disconnect from the scheduler (the cluster keeps running)."""
        self._client.close()


def make_executor(workers: int | None = None, scheduler: str | None = None) -> Executor:
    """The executor for ``--workers`` / ``--scheduler``: Dask, local processes, or serial.

    ``workers`` defaults to the number of cores; 1 runs in this process.
    """
    if scheduler:
        return DaskExecutor(scheduler)
    count = default_workers() if workers is None else int(workers)
    if count < 1:
        raise UserError(f"--workers {workers}: expected 1 or more")
    return SerialExecutor() if count == 1 else ProcessExecutor(count)
