"""Output locations checked before any work starts, so a run never fails only at its end.

``check_output_directory`` and ``check_output_file`` walk up to the nearest
existing ancestor and prove it can take a new entry by making and removing
one (``os.access`` says yes to root and on ``/proc``, where creating still
fails). They leave nothing behind.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from carebench.util.atomic import probe_writable, refuse_special
from carebench.util.errors import UserError

__all__ = ["check_output_directory", "check_output_file"]


def _nearest_existing(path: Path) -> Path:
    current = path
    while not os.path.lexists(current):
        if current.parent == current:
            break
        current = current.parent
    return current


def _probe(directory: Path, label: str) -> None:
    try:
        probe_writable(directory)
    except OSError as exc:
        raise UserError(f"{label}: cannot write in {directory} ({exc.strerror or exc})") from None


def check_output_directory(path: str | os.PathLike, option: str = "--out") -> Path:
    """Refuse (one line) a directory that cannot be made or written in; create nothing."""
    path = Path(path)
    label = f"{option} {path}"
    base = _nearest_existing(path)
    try:
        mode = os.stat(base).st_mode
    except OSError as exc:
        raise UserError(f"{label}: cannot use {base} ({exc.strerror or exc})") from None
    if not stat.S_ISDIR(mode):
        what = "a regular file" if stat.S_ISREG(mode) else "not a directory"
        where = "is" if base == path else f"is under {base}, which is"
        raise UserError(f"{label}: expected a directory, but it {where} {what}")
    _probe(base, label)
    return path


def check_output_file(path: str | os.PathLike, option: str) -> Path:
    """Refuse (one line) a file that is special (link, FIFO, device) or whose folder cannot be written."""
    path = Path(path)
    label = f"{option} {path}"
    refuse_special(path, option)
    if path.name in ("", ".", ".."):
        raise UserError(f"{label}: expected a file name")
    check_output_directory(path.parent, option)
    return path
