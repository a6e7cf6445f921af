"""Writing results atomically: a file or a whole directory appears complete or not at all.

Files are written to a temporary file in the target's own directory and
renamed over it, so the rename never crosses a file system; a target that
exists but is not a regular file (a symbolic link, a FIFO, a device node, a
directory) is never replaced. Directories are built under a hidden
``.<name>.<random>.partial`` name beside the final one and renamed when
complete. Each partial directory holds a locked ``.lock`` file while its
writer lives, so partial directories left by a killed run (SIGKILL, a power
cut) are recognised by the next run in the same place and removed; a name
already taken by another run that finished first gets a ``-2``, ``-3`` ...
suffix instead of failing. A single file's temporary is locked the same
way while it is written, so one left by a killed writer is removed by the
next write of that file.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from carebench.util.errors import UserError

__all__ = [
    "atomic_write",
    "atomic_write_text",
    "atomic_directory",
    "staged_directory",
    "Staged",
    "refuse_special",
    "probe_writable",
    "clean_stale_partials",
    "clean_stale_temporaries",
    "hold_lock",
    "LOCK_NAME",
]

LOCK_NAME = ".lock"
"""The lock file of a partial or resumable directory."""

_STALE_TEMPORARY = 60.0
"""Seconds a single file's unlocked temporary must be old before it counts as stale (a new writer locks at once)."""

_STALE_WITHOUT_LOCK = 3600.0
"""Seconds after which a partial directory with no lock file at all (an older carebench's) counts as stale."""


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def refuse_special(path: str | os.PathLike, what: str = "") -> None:
    """Raise a one-line ``UserError`` if ``path`` exists and is not a regular file (symlinks included)."""
    try:
        mode = os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return  # a new path (or one under a file, which the folder check reports)
    except OSError as exc:
        raise UserError(f"{what or path}: cannot use {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(mode):
        label = f"{what} {path}" if what else str(path)
        raise UserError(f"{label}: expected a regular file or a new path, got {_kind(mode)}; "
                        "carebench never replaces one")


def probe_writable(directory: str | os.PathLike) -> None:
    """Prove a new entry can be made in ``directory`` by making and removing one (``OSError`` if not)."""
    os.rmdir(tempfile.mkdtemp(prefix=".carebench-probe.", dir=directory))


def atomic_write(path: str | os.PathLike, write: Callable[[Path], None]) -> Path:
    """Have ``write`` fill a temporary file beside ``path``, then rename it to ``path``.

    Readers see the old file or the complete new one, never a part; on any
    error the temporary file is removed and ``path`` is untouched. A
    ``path`` that is not a regular file is refused (``UserError``).
    """
    path = Path(path)
    refuse_special(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{path.name[:200]}."
    clean_stale_temporaries(path.parent, prefix)
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
    try:
        # Locked while this process lives: the next writer can tell a killed writer's leftover from a live one.
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; results are ordinary files
        refuse_special(path)  # it may have become special while we wrote
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    finally:
        os.close(fd)
    return path


def clean_stale_temporaries(parent: str | os.PathLike, prefix: str) -> list[Path]:
    """Remove ``<prefix>*.tmp`` files in ``parent`` left by dead writers (unlocked and not new); return them."""
    removed = []
    try:
        entries = [e for e in os.scandir(parent) if e.name.startswith(prefix) and e.name.endswith(".tmp")]
    except OSError:
        return removed
    for entry in entries:
        if entry.is_file(follow_symlinks=False) and _unlocked_and_old(entry.path):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def _unlocked_and_old(path: str) -> bool:
    try:
        if time.time() - os.lstat(path).st_mtime < _STALE_TEMPORARY:
            return False
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False  # its writer is alive (a slow write)
    finally:
        os.close(fd)
    return True


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_write`), synced to disk."""

    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())

    return atomic_write(path, write)


def hold_lock(path: str | os.PathLike) -> int | None:
    """Take an exclusive ``flock`` on ``path`` (created if need be) without waiting.

    Returns the open descriptor (the lock lives until it is closed, or the
    process dies), or None when another process holds it.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    except BaseException:
        os.close(fd)
        raise
    return fd


def _is_stale(partial: Path) -> bool:
    lock = partial / LOCK_NAME
    try:
        fd = os.open(lock, os.O_RDWR)
    except FileNotFoundError:
        try:
            return time.time() - partial.stat().st_mtime > _STALE_WITHOUT_LOCK
        except OSError:
            return False
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False  # its writer is alive
    finally:
        os.close(fd)
    return True


def clean_stale_partials(parent: str | os.PathLike) -> list[Path]:
    """Remove the ``.*.partial`` directories in ``parent`` whose writer is gone; return them."""
    removed = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return removed
    for entry in entries:
        if entry.name.startswith(".") and entry.name.endswith(".partial") and entry.is_dir(follow_symlinks=False):
            path = Path(entry.path)
            if _is_stale(path):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


@dataclass
class Staged:
    """A directory being built: ``tmp`` while the block runs; ``path`` the name it got (after the block)."""

    tmp: Path
    path: Path


def _taken(exc: OSError) -> bool:
    return exc.errno in (errno.EEXIST, errno.ENOTEMPTY)


@contextlib.contextmanager
def staged_directory(final: str | os.PathLike, *, unique: bool = True) -> Iterator[Staged]:
    """Build a directory under a partial name beside ``final``; rename it to ``final`` on success.

    With ``unique``, a ``final`` that another run took in the meantime
    becomes ``final-2`` (``-3`` ...); ``Staged.path`` says which. On any
    error or interruption the partial directory is removed, so ``final``
    either holds a complete result or does not exist. Partial directories
    of dead runs beside it are removed first.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_partials(final.parent)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name[:200]}.", suffix=".partial", dir=final.parent))
    lock = None
    try:
        lock = hold_lock(tmp / LOCK_NAME)
        stage = Staged(tmp, final)
        yield stage
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes it private; results are ordinary files
        os.unlink(tmp / LOCK_NAME)
        stage.path = _rename_unique(tmp, final, unique)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if lock is not None:
            os.close(lock)


def _rename_unique(tmp: Path, final: Path, unique: bool) -> Path:
    candidate, n = final, 1
    while True:
        if unique and os.path.lexists(candidate):
            n += 1
            candidate = final.with_name(f"{final.name}-{n}")
            continue
        try:
            os.rename(tmp, candidate)
            return candidate
        except OSError as exc:
            if not (unique and _taken(exc)):
                raise
            n += 1
            candidate = final.with_name(f"{final.name}-{n}")


@contextlib.contextmanager
def atomic_directory(final: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary directory beside ``final``; rename it to ``final`` on success.

    As :func:`staged_directory` without a new name on collision: an existing
    ``final`` makes the rename fail.
    """
    with staged_directory(final, unique=False) as stage:
        yield stage.tmp


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
