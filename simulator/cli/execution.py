"""Options and helpers shared by the commands that run many tasks (run, compare, check, sweep).

Exit code 3 means tasks could not finish because a worker was lost; the
finished ones are kept, and ``--resume DIR`` picks up where it stopped.
"""

from __future__ import annotations

import errno
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from carebench.model.scenario import Scenario
from carebench.load.yamlio import read_regular_file
from carebench.runs.executors import ExecutionError, Executor, make_executor, scheduler_endpoint
from carebench.runs.tasks import TaskResult, Variant
from carebench.util.atomic import LOCK_NAME, atomic_write_text, hold_lock
from carebench.util.errors import UserError
from carebench.util.jsonio import to_json

__all__ = [
    "workers_option",
    "scheduler_option",
    "replications_option",
    "kpi_option",
    "resume_option",
    "replication_count",
    "open_executor",
    "task_progress",
    "TaskCounter",
    "resumable",
    "prepare_directory",
    "output_directory",
    "split_kpis",
    "stack",
    "output_options",
    "EXIT_LOST_WORKER",
]

EXIT_LOST_WORKER = 3
"""Exit code when tasks could not finish because a worker was lost."""


def workers_option():
    """``--workers N``: local worker processes (default: the number of cores; 1 runs in-process)."""
    return click.option("--workers", type=click.IntRange(min=1), default=None, metavar="N",
                        help="Local worker processes (default: the number of cores; 1 = in this process).")


def scheduler_option():
    """``--scheduler tcp://HOST:PORT``: run on a Dask cluster instead of local processes."""
    return click.option("--scheduler", default=None, metavar="ADDRESS", callback=_scheduler_form,
                        help="Dask scheduler address (tcp://HOST:PORT); needs carebench[dask].")


def _scheduler_form(ctx, param, value: str | None) -> str | None:
    """Refuse a malformed address while parsing, before anything is loaded or made."""
    if value is not None:
        scheduler_endpoint(value)
    return value


def replications_option(default_text: str):
    """``--replications N``: independent replications per variant."""
    return click.option("--replications", "-n", type=click.IntRange(min=1, max=10_000), default=None,
                        metavar="N", help=f"Replications per variant (default: {default_text}).")


def kpi_option(default_text: str):
    """``--kpi NAME`` (repeatable, or comma-separated): the KPIs to report."""
    return click.option("--kpi", "kpis", multiple=True, metavar="NAME",
                        help=f"KPI to report (repeatable or comma-separated; default: {default_text}).")


def resume_option():
    """``--resume DIR``: reuse the finished tasks of an earlier, interrupted output directory."""
    return click.option("--resume", type=click.Path(file_okay=False, path_type=Path), default=None,
                        metavar="DIR", help="Continue in this earlier output directory; finished tasks are not rerun.")


def stack(*decorators):
    """One decorator applying several click decorators in the order listed (top first)."""
    def apply(function):
        for decorate in reversed(decorators):
            function = decorate(function)
        return function
    return apply


def output_options(what: str):
    """``--out``, ``--resume``, ``--no-plots`` and ``--quiet`` of a command writing a ``what`` directory."""
    return stack(
        click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("results"),
                     show_default=True, help=f"Directory under which the {what} directory is made."),
        resume_option(),
        click.option("--no-plots", is_flag=True, help="Skip the PNG plots."),
        click.option("--quiet", "-q", is_flag=True, help=f"Print only the {what} directory."),
    )


def split_kpis(kpis: tuple[str, ...]) -> list[str]:
    """``--kpi`` values, comma-separated ones split, blanks dropped."""
    return [k.strip() for text in kpis for k in text.split(",") if k.strip()]


def replication_count(option: int | None, scenario: Scenario, default: int) -> int:
    """``--replications`` if given, else the scenario's ``replications:`` if it has one, else ``default``."""
    if option is not None:
        return option
    return scenario.replications if "replications" in scenario.model_fields_set else default


@contextmanager
def open_executor(workers: int | None, scheduler: str | None) -> Iterator[Executor]:
    """The executor for ``--workers`` / ``--scheduler``, closed on leaving."""
    with make_executor(workers, scheduler) as executor:
        yield executor


class TaskCounter:
    """The progress callback of a command: counts finished and resumed tasks, moves the bar.

    ``check`` is called with the first result, so that a mistake only the
    results reveal (a misspelt ``--kpi``) stops the command after one task,
    not after all of them.
    """

    def __init__(self, bar=None, check: Callable[[TaskResult], None] | None = None):
        self.bar = bar
        self.check = check
        self.finished = 0
        self.resumed = 0

    def __call__(self, result: TaskResult, resumed: bool) -> None:
        """Count one finished task (``resumed``: taken from an earlier run's ``tasks/``)."""
        if self.finished == 0 and self.check is not None:
            self.check(result)
        self.finished += 1
        self.resumed += int(resumed)
        if self.bar is not None:
            self.bar.update(1)


@contextmanager
def task_progress(label: str, total: int, enabled: bool,
                  check: Callable[[TaskResult], None] | None = None) -> Iterator[TaskCounter]:
    """A task counter, drawing a bar over tasks on stderr when it is a terminal."""
    if not enabled or not sys.stderr.isatty() or total <= 1:
        yield TaskCounter(None, check)
        return
    with click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True) as bar:
        yield TaskCounter(bar, check)


@contextmanager
def resumable(directory: Path | None) -> Iterator[None]:
    """Turn a lost worker into one line and exit code 3; say how to resume after an interruption."""
    hint = f"; finished tasks are kept: rerun with --resume {directory}" if directory else ""
    try:
        yield
    except ExecutionError as exc:
        click.echo(f"error: {exc}{hint}", err=True)
        sys.exit(EXIT_LOST_WORKER)
    except KeyboardInterrupt as exc:
        if directory:
            raise type(exc)(f"finished tasks are kept: rerun with --resume {directory}") from None
        raise


def _plan(variants: list[Variant], kind: str) -> dict:
    return {"kind": kind, "variants": [{"name": v.name, "fingerprint": v.scenario.fingerprint()}
                                       for v in variants]}


def _make_unique(final: Path) -> Path:
    """Make ``final`` (or ``final-2``, ``final-3`` ... if another run took it) and return it."""
    final.parent.mkdir(parents=True, exist_ok=True)
    candidate, n = final, 1
    while True:
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            n += 1
            candidate = final.with_name(f"{final.name}-{n}")


def _lock(directory: Path) -> int:
    try:
        fd = hold_lock(directory / LOCK_NAME)
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EROFS, errno.EPERM):
            raise UserError(f"--resume {directory}: cannot write in it ({exc.strerror})") from None
        raise
    if fd is None:
        raise UserError(f"--resume {directory}: in use by another carebench command; "
                        "wait for it to finish (its finished tasks will then be reused)")
    return fd


def prepare_directory(final: Path, resume: Path | None, variants: list[Variant], kind: str) -> Path:
    """The output directory of a compare or sweep: a new one, or ``--resume DIR`` if it holds the same plan.

    ``plan.json`` records the variants and their fingerprints; a directory
    holding another plan is refused, so a resume never mixes two studies.
    A new directory whose name another run took gets a ``-2`` suffix.
    (No lock is taken: use :func:`output_directory` for that.)
    """
    plan = _plan(variants, kind)
    if resume is None:
        directory = _make_unique(final)
        atomic_write_text(directory / "plan.json", to_json(plan))
        return directory
    try:
        earlier = json.loads(read_regular_file(resume / "plan.json", 100_000_000, "plan.json").decode("utf-8"))
    except UserError:
        if os.path.lexists(resume / "plan.json"):
            raise
        raise UserError(f"--resume {resume}: not an output directory of 'carebench {kind}' (no plan.json)") from None
    except FileNotFoundError:
        raise UserError(f"--resume {resume}: not an output directory of 'carebench {kind}' (no plan.json)") from None
    except (OSError, ValueError) as exc:
        raise UserError(f"--resume {resume}: cannot read plan.json ({exc})") from None
    if earlier != plan:
        raise UserError(f"--resume {resume}: it holds another {earlier.get('kind', '?')} "
                        f"(other variants or scenarios); start a new one without --resume")
    return resume


@contextmanager
def output_directory(final: Path, resume: Path | None, variants: list[Variant], kind: str) -> Iterator[Path]:
    """:func:`prepare_directory`, holding the directory's lock while the block runs.

    A second command resuming the same directory while the first still
    works in it is refused with one line, so no task is done twice; the
    lock dies with its process, so a killed run's directory can be resumed.
    """
    if resume is not None:
        # Only a folder that holds a plan is locked, so a mistaken --resume leaves nothing in a foreign one.
        fd = _lock(resume) if (resume / "plan.json").is_file() else None
        try:
            yield prepare_directory(final, resume, variants, kind)
        finally:
            if fd is not None:
                os.close(fd)
        return
    directory = prepare_directory(final, resume, variants, kind)
    fd = _lock(directory)
    try:
        yield directory
    finally:
        os.close(fd)
