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
a scheduler address is given. The address is checked first, in a few
seconds at most: its form, that something listens there, and that what
listens speaks first as a Dask scheduler does (an HTTP server waits for a
request, so it is told apart at once instead of hanging).

Local workers never outlive this process: each watches its parent and
exits when the parent is gone (even after SIGKILL), removing the parent's
multiprocessing temporary directory; an interrupted run terminates its
workers instead of waiting for their tasks; workers ignore SIGINT, which
the parent handles.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import multiprocessing.util
import os
import re
import shutil
import signal
import socket
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from carebench.runs.tasks import run_task, worker_version
from carebench.util.errors import UserError
from carebench.util.forkserver import PRELOAD, default_workers, start_method
from carebench.util.version import __version__

__all__ = [
    "Executor",
    "SerialExecutor",
    "ProcessExecutor",
    "DaskExecutor",
    "ExecutionError",
    "make_executor",
    "default_workers",
    "worker_pool",
    "terminate_pool",
    "check_scheduler_address",
    "check_workers",
    "scheduler_endpoint",
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


def _start_time(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (Linux), to tell a process from a later one with its number."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] in ("Z", "X") else fields[19]


def _alive(pid: int, started: str | None) -> bool:
    if started is not None:
        return _start_time(pid) == started
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _watch_parent(pid: int, started: str | None, parent_tmp: str | None, interval: float) -> None:
    while _alive(pid, started):
        time.sleep(interval)
    own = multiprocessing.current_process()._config.get("tempdir")  # noqa: SLF001 - where this worker's files are
    for folder in (parent_tmp, own):
        if folder and os.path.basename(folder).startswith("pymp-"):
            shutil.rmtree(folder, ignore_errors=True)
    server = os.getppid()
    if server not in (1, pid) and "forkserver" in _command_line(server):
        # The fork server that started this worker belongs to the dead parent too.
        with contextlib.suppress(OSError):
            os.kill(server, signal.SIGTERM)
    os._exit(1)


def _command_line(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _init_worker(pid: int, parent_tmp: str | None, interval: float) -> None:
    """Worker start-up: leave SIGINT to the parent; exit as soon as the parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(pid, _start_time(pid), parent_tmp, interval),
                     name="carebench-parent-watch", daemon=True).start()


def worker_pool(workers: int, method: str | None = None, *, preload: tuple[str, ...] = PRELOAD,
                watch_interval: float = 0.5) -> ProcessPoolExecutor:
    """A process pool whose workers never outlive this process (see the module notes).

    Workers start with ``forkserver`` where the platform has it (else
    ``spawn``): a forked copy of a process that already runs threads (a Dask
    client, a progress bar) can deadlock, and the fork server starts each
    worker from a small clean process that has imported carebench once
    (the command line starts that server early, see :mod:`carebench.util.forkserver`).
    """
    method = method or start_method()
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload(list(preload))
    parent_tmp = multiprocessing.util.get_temp_dir()
    return ProcessPoolExecutor(max_workers=int(workers), mp_context=context, initializer=_init_worker,
                               initargs=(os.getpid(), parent_tmp, watch_interval))


def terminate_pool(pool: ProcessPoolExecutor) -> None:
    """Stop ``pool`` now: cancel what has not started and terminate the workers' running tasks."""
    procs = list((getattr(pool, "_processes", None) or {}).values())  # no public way before Python 3.14
    pool.shutdown(wait=False, cancel_futures=True)
    for process in procs:
        if process.is_alive():
            process.terminate()
    for process in procs:
        process.join(timeout=2)


class ProcessExecutor(Executor):
    """Runs tasks in ``workers`` local processes.

    Workers start with the ``forkserver`` method where the platform has it
    (else ``spawn``): a forked copy of a process that already runs threads (a
    Dask client, a progress bar) can deadlock, and the fork server starts each
    worker from a small clean process that has imported carebench once.
    """

    def __init__(self, workers: int, method: str | None = None):
        self.workers = int(workers)
        self.description = f"{self.workers} local processes"
        self._pool = worker_pool(self.workers, method)

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

    def __exit__(self, kind, *exc: object) -> None:
        if kind is None:
            self.close()
        else:  # interrupted or failed: do not wait for running tasks
            terminate_pool(self._pool)


class DaskExecutor(Executor):
    """Runs tasks on a Dask distributed cluster reached at ``address`` (``tcp://host:port``).

    On connecting, every worker is asked for its carebench version (which
    also imports carebench there once, before the first task): a worker
    without carebench, or with another version, is a one-line ``UserError``
    naming it. Dask reruns the task of a worker that is lost on another
    worker; results come back to this process as they finish. Tasks still
    running when the block is left are cancelled before the client
    disconnects, so nothing reports back to a closed client.
    """

    def __init__(self, address: str, timeout: float = 10.0):
        check_scheduler_address(address)
        try:
            import distributed
        except ImportError:
            raise UserError(
                f"--scheduler {address}: needs Dask distributed (pip install 'carebench[dask]')"
            ) from None
        self._distributed = distributed
        self._futures: list[Any] = []
        try:
            self._client = distributed.Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise UserError(f"--scheduler {address}: cannot reach a Dask scheduler ({reason})") from None
        try:
            check_workers(self._client, address)
        except BaseException:
            self.close()
            raise
        self.description = f"Dask scheduler {address}"

    def run(self, tasks: Sequence[Any], function: Callable[[Any], Any] | None = None) -> Iterator[Any]:
        """Yield results as the cluster finishes them."""
        futures: list[Any] = [self._client.submit(function or run_task, t, pure=False) for t in tasks]
        self._futures = futures
        try:
            for future, result in self._distributed.as_completed(futures, loop=self._client.loop, with_results=True):
                if future.cancelled() or isinstance(result, BaseException):  # cancelled: handed over, not raised
                    raise ExecutionError(f"the Dask cluster cancelled a task; was the scheduler stopped? ({_reason(result)})")
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
            self._cancel()

    def _cancel(self) -> None:
        """Cancel the tasks of the last run that have not finished (nothing once the client is closed)."""
        futures, self._futures = [f for f in self._futures if not f.done()], []
        if futures and self._client.status == "running":
            with contextlib.suppress(Exception):  # the scheduler may already be gone
                self._client.cancel(futures)

    def close(self) -> None:
        """Cancel unfinished tasks and disconnect from the scheduler (the cluster keeps running)."""
        self._cancel()
        # a client whose scheduler went away logs its reconnection's traceback as it closes; the command has
        # already said so in one line
        log = logging.getLogger("distributed.client")
        level = log.level
        log.setLevel(logging.CRITICAL)
        try:
            with contextlib.suppress(Exception):
                self._client.close()
        finally:
            log.setLevel(level)


def check_workers(client: Any, address: str) -> None:
    """Refuse (one-line ``UserError``) a cluster with a worker that lacks carebench or runs another version.

    Workers that join later are not asked; a task they cannot run fails
    with the same message through :class:`DaskExecutor`.
    """
    label = f"--scheduler {address}"
    try:
        answers = client.run(worker_version, on_error="return")
    except Exception as exc:  # a worker could not even read the question
        raise UserError(f"{label}: a Dask worker cannot run carebench {__version__} "
                        f"({_reason(exc)}); install carebench {__version__} on every worker") from None
    for worker, answer in sorted(answers.items()):
        if isinstance(answer, BaseException):
            raise UserError(f"{label}: Dask worker {worker} cannot run carebench {__version__} "
                            f"({_reason(answer)}); install carebench {__version__} on every worker")
        if answer != __version__:
            raise UserError(f"{label}: Dask worker {worker} has carebench {answer}, this is {__version__}; "
                            "install the same version on every worker (results depend on it)")


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if "No module named 'carebench" in text:
        return "carebench is not installed there"
    return f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__


_ADDRESS = re.compile(r"^(?:(tcp|tls)://)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})/?$")
_OTHER_SCHEMES = ("ws://", "wss://", "ucx://", "inproc://")


def scheduler_endpoint(address: str) -> tuple[str, int] | None:
    """``(host, port)`` of a ``tcp://HOST:PORT`` (or ``HOST:PORT``) address; None for TLS and other schemes.

    A malformed address is a one-line ``UserError``.
    """
    if address.startswith(_OTHER_SCHEMES):
        return None
    match = _ADDRESS.match(address.strip())
    if not match or not 0 < int(match.group(3)) < 65536:
        raise UserError(f"--scheduler {address[:200]}: expected a Dask scheduler address such as tcp://HOST:8786")
    if match.group(1) == "tls":
        return None
    return match.group(2).strip("[]"), int(match.group(3))


def check_scheduler_address(address: str, timeout: float = 3.0) -> None:
    """Refuse (one-line ``UserError``) an address that is malformed, closed, or not a Dask scheduler.

    A Dask scheduler writes its handshake as soon as a connection opens, so
    a listener that stays silent for ``timeout`` seconds (a web server
    waiting for a request) is not one. Takes ``timeout`` seconds at most.
    """
    label = f"--scheduler {address}"
    where = scheduler_endpoint(address)
    if where is None:
        return
    host, port = where
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            first = sock.recv(8)
    except socket.timeout:
        raise UserError(f"{label}: something listens there but sent no Dask handshake within {timeout:g} s; "
                        "is it a Dask scheduler?") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UserError(f"{label}: cannot reach a Dask scheduler ({reason})") from None
    frames = int.from_bytes(first, "little") if len(first) == 8 else 0
    if not 0 < frames < 1024:
        raise UserError(f"{label}: something listens there but does not speak Dask's protocol; "
                        "is it a Dask scheduler?")


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
