"""SIGINT and SIGTERM stop a command the same way: cleanly, with one line and a documented exit code.

``kill PID`` (SIGTERM, what CI runners, ``timeout`` and container stops
send) is turned into a :class:`Terminated` exception, a kind of
``KeyboardInterrupt``, so every ``with`` block unwinds as after Ctrl-C:
partial result directories are removed, local workers are stopped, finished
tasks of a resumable command stay on disk. The command then exits with
130 after SIGINT and 143 after SIGTERM (128 + the signal's number, as
shells report them).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

__all__ = ["Terminated", "sigterm_as_interrupt", "exit_code", "message", "EXIT_SIGINT", "EXIT_SIGTERM"]

EXIT_SIGINT = 130
"""Exit code after Ctrl-C (SIGINT)."""

EXIT_SIGTERM = 143
"""Exit code after SIGTERM."""


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived; unwinds like Ctrl-C."""


def _raise_terminated(signum, frame) -> None:
    raise Terminated()


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """While the block runs (in the main thread), SIGTERM raises :class:`Terminated`."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _cause(exc: BaseException) -> BaseException:
    while not isinstance(exc, KeyboardInterrupt) and exc.__cause__ is not None:
        exc = exc.__cause__
    return exc


def exit_code(exc: BaseException) -> int:
    """143 for SIGTERM, else 130."""
    return EXIT_SIGTERM if isinstance(_cause(exc), Terminated) else EXIT_SIGINT


def message(exc: BaseException) -> str:
    """The one line to print: what stopped the command and what was kept."""
    cause = _cause(exc)
    what = "terminated (SIGTERM)" if isinstance(cause, Terminated) else "interrupted"
    detail = cause.args[0] if isinstance(cause, KeyboardInterrupt) and cause.args else (
        "unfinished results were removed; results already written are intact")
    return f"{what}: {detail}"
