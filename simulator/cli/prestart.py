"""Start local workers' fork server while a many-run command is still importing.

A command that runs tasks on local worker processes pays for the workers'
imports once, in the fork server they start from (:mod:`carebench.util.forkserver`).
Started before the command's own module is imported, the server imports on
the second core while this process imports on the first, instead of after
it. Whether a command will run local workers is read from its arguments
the way its options default; a guess that turns out wrong costs an idle
server that exits with this process, never a different result.

Only the standard library is imported here: ``carebench --help`` and
``--version`` stay light, and neither starts anything.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["POOLED", "wants_local_workers", "prestart_for"]

POOLED = frozenset({"baseline", "calibrate", "check", "compare", "loadtest", "staff", "sweep"})
"""Commands whose tasks go to local workers unless ``--workers 1`` or ``--scheduler`` says otherwise."""


def _value(args: Sequence[str], *names: str) -> str | None:
    """The last value given to one of ``names`` (``--name V``, ``--name=V``, ``-nV``), or None."""
    found = None
    for i, arg in enumerate(args):
        for name in names:
            if arg == name and i + 1 < len(args):
                found = args[i + 1]
            elif arg.startswith(name + "=") and name.startswith("--"):
                found = arg[len(name) + 1:]
            elif not name.startswith("--") and arg.startswith(name) and len(arg) > len(name):
                found = arg[len(name):]
    return found


def wants_local_workers(command: str, args: Sequence[str]) -> bool:
    """Whether ``carebench COMMAND ARGS`` will start local worker processes, as far as its arguments say."""
    if "--" in args:
        args = args[:list(args).index("--")]
    if any(a in ("-h", "--help") for a in args) or any(a == "--scheduler" or a.startswith("--scheduler=")
                                                       for a in args):
        return False
    workers = _value(args, "--workers")
    if command == "run":
        replications = _value(args, "--replications", "-n")
        if _value(args, "--precision") is None and replications in (None, "1"):
            return False
    elif command == "shop":
        return workers is not None and workers.isdigit() and int(workers) > 1  # one process unless asked
    elif command not in POOLED:
        return False
    if workers is None:
        from carebench.util.forkserver import default_workers

        return default_workers() > 1
    return workers.isdigit() and int(workers) > 1


def prestart_for(command: str, args: Sequence[str]) -> bool:
    """Start the fork server now if ``carebench COMMAND ARGS`` will want local workers; whether it did."""
    if not wants_local_workers(command, args):
        return False
    from carebench.util.forkserver import prestart

    try:
        return prestart()
    except OSError:  # no fork server here after all: the pool starts its workers the usual way
        return False
