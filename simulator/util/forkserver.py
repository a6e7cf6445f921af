"""How many local workers, the fork server they start from, and starting it early.

Local worker processes (:mod:`carebench.runs.executors`) start from a fork
server where the platform has one: a small clean process that imports
:data:`PRELOAD` once and forks a worker per request. Its imports take as
long as a command's own, so a command that will run local workers starts it
before importing its own machinery (:func:`prestart`): both import at once,
on two cores, and the workers' start-up leaves the critical path.

Only the standard library is imported here, so the command line can call
:func:`prestart` before anything heavy is loaded.
"""

from __future__ import annotations

import multiprocessing
import os

__all__ = ["PRELOAD", "default_workers", "start_method", "prestart"]

PRELOAD = ("carebench.runs.tasks",)
"""What the fork server imports before it forks workers: everything a task needs."""


def default_workers() -> int:
    """The number of cores this process may use (at least 1): local workers when ``--workers`` is not given."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def start_method() -> str:
    """``forkserver`` where the platform has it, else ``spawn`` (never a plain fork of a threaded process)."""
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def prestart(preload: tuple[str, ...] = PRELOAD) -> bool:
    """Start the fork server now, importing ``preload`` in the background; False where there is none.

    The server exits with this process; a pool made later reuses it.
    """
    if start_method() != "forkserver":
        return False
    from multiprocessing import forkserver

    multiprocessing.get_context("forkserver").set_forkserver_preload(list(preload))
    forkserver.ensure_running()
    return True
