"""Pieces shared by the commands: scenario arguments, overrides, result directories, progress."""

from __future__ import annotations

import datetime as _dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from carebench.load.limits import check_contacts, file_slug
from carebench.load.loader import load_scenario, named_path, shipped_scenarios
from carebench.model.scenario import Scenario
from carebench.util.errors import UserError
from carebench.util.units import parse_duration

__all__ = [
    "scenario_argument",
    "override_option",
    "resolve_scenario",
    "seed_option",
    "result_directory",
    "progress_bar",
    "allow_import_option",
    "duration_value",
    "shape_option",
    "max_contacts_option",
    "check_size",
    "warn",
]


def scenario_argument(required: bool = False):
    """The ``SCENARIO`` argument: a YAML path or the name of a shipped scenario."""
    return click.argument("scenario", required=required, metavar="SCENARIO" if required else "[SCENARIO]")


def override_option():
    """``--set PATH=VALUE`` (repeatable), e.g. ``--set pools.social.agents=6``."""
    return click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE",
                        help="Override a scenario field by dotted path (repeatable).")


def seed_option():
    """``--seed N``: replace the scenario's seed."""
    return click.option("--seed", type=click.IntRange(min=0), default=None, help="Seed (default: the scenario's).")


def allow_import_option():
    """``--allow-policy-import``: permit ``module:Class`` policy names (runs that code)."""
    return click.option("--allow-policy-import", is_flag=True,
                        help="Allow policies named by import path (module:Class); this runs their code.")


def resolve_path(scenario: str | None) -> Path | None:
    """A scenario argument as a file path: an existing file, else a shipped scenario's name."""
    return None if scenario is None else named_path(scenario, shipped_scenarios(), "scenario")


def resolve_scenario(scenario: str | None, overrides: tuple[str, ...] = (), *,
                     allow_import: bool = False, shapes: tuple[str, ...] = ()) -> Scenario:
    """Load the scenario named on the command line with its ``--set`` overrides and ``--shape`` shapes.

    Settings that are valid but idle in this run (an incident after the
    horizon) are printed as one ``warning:`` line each on stderr.
    """
    sc = load_scenario(resolve_path(scenario), list(overrides), allow_import=allow_import, shapes=list(shapes))
    warn(sc, scenario or "default")
    return sc


def warn(sc: Scenario, source: str) -> None:
    """Print the scenario's warnings, one line each, on stderr."""
    for line in sc.warnings():
        click.echo(f"warning: {source}: {line}", err=True)


def max_contacts_option():
    """``--max-contacts N``: the most contacts one run may expect (default 20 million)."""
    return click.option("--max-contacts", type=click.IntRange(min=1), default=None, metavar="N",
                        help="Refuse runs expected to bring more contacts than this (default: 20,000,000).")


def check_size(scenarios, max_contacts: int | None, multiplier: float = 1.0) -> None:
    """Refuse, before any work, a scenario whose run would bring more than ``max_contacts`` contacts."""
    for sc in scenarios:
        check_contacts(sc, max_contacts, multiplier=multiplier)


def shape_option():
    """``--shape YAML`` (repeatable): a load shape added to the scenario's ``load:`` list."""
    return click.option("--shape", "shapes", multiple=True, metavar="YAML",
                        help="Add a load shape, e.g. '{shape: spike, start: 2d, duration: 2h, factor: 8}'.")


def duration_value(option: str, text: str | None) -> float | None:
    """Parse a duration given to ``option`` or fail with one clear line."""
    if text is None:
        return None
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise UserError(f"{option}: {exc}") from None


def result_directory(root: Path, name: str) -> Path:
    """``root/<name>-<YYYYmmdd-HHMMSS>``: the name a result directory is made under.

    The name is slugged and bounded (:func:`carebench.load.limits.file_slug`).
    Uniqueness is settled when the directory is made, not here: a run that
    finishes in the same second as another (or finds the name taken) gets a
    ``-2``, ``-3`` ... suffix (:func:`carebench.util.atomic.staged_directory`,
    :func:`carebench.cli.execution.output_directory`), so concurrent runs never collide.
    """
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return root / f"{file_slug(name)}-{stamp}"


@contextmanager
def progress_bar(label: str, enabled: bool) -> Iterator[Callable[[float], None] | None]:
    """A callback taking the fraction done, drawing a bar on stderr when it is a terminal."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=1000, label=label, file=sys.stderr) as bar:
        done = [0]

        def update(fraction: float) -> None:
            step = int(fraction * 1000) - done[0]
            if step > 0:
                bar.update(step)
                done[0] += step

        yield update
