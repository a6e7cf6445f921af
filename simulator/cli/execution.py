"""Options and helpers shared by the commands that run many tasks (run, compare, check, sweep).

Exit code 3 means tasks could not finish because a worker was lost; the
finished ones are kept, and ``--resume DIR`` picks up where it stopped.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from carebench.model.scenario import Scenario
from carebench.runs.executors import ExecutionError, Executor, make_executor
from carebench.runs.tasks import TaskResult, Variant
from carebench.util.atomic import atomic_write_text
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
    return click.option("--scheduler", default=None, metavar="ADDRESS",
                        help="Dask scheduler address (tcp://HOST:PORT); needs carebench[dask].")


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
    except KeyboardInterrupt:
        if directory:
            click.echo(f"interrupted{hint}", err=True)
        raise


def _plan(variants: list[Variant], kind: str) -> dict:
    return {"kind": kind, "variants": [{"name": v.name, "fingerprint": v.scenario.fingerprint()}
                                       for v in variants]}


def prepare_directory(final: Path, resume: Path | None, variants: list[Variant], kind: str) -> Path:
    """The output directory of a compare or sweep: a new one, or ``--resume DIR`` if it holds the same plan.

    ``plan.json`` records the variants and their fingerprints; a directory
    holding another plan is refused, so a resume never mixes two studies.
    """
    plan = _plan(variants, kind)
    if resume is None:
        final.mkdir(parents=True, exist_ok=False)
        atomic_write_text(final / "plan.json", to_json(plan))
        return final
    try:
        earlier = json.loads((resume / "plan.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"--resume {resume}: not an output directory of 'carebench {kind}' (no plan.json)") from None
    except (OSError, ValueError) as exc:
        raise UserError(f"--resume {resume}: cannot read plan.json ({exc})") from None
    if earlier != plan:
        raise UserError(f"--resume {resume}: it holds another {earlier.get('kind', '?')} "
                        f"(other variants or scenarios); start a new one without --resume")
    return resume
