"""``--json`` and the files every result directory gets: ``summary.txt`` and ``report.html``.

With ``--json`` a command prints one JSON document on stdout (the summary its
report shows, built from the files it wrote) and nothing else; progress bars
and errors stay on stderr.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from carebench.util.atomic import atomic_write_text
from carebench.util.jsonio import to_json

__all__ = ["json_option", "save_summary", "announce", "emit"]


def json_option():
    """``--json``: print one JSON document on stdout instead of the text summary."""
    return click.option("--json", "as_json", is_flag=True,
                        help="Print one JSON document on stdout (the report's summary) instead of text.")


def save_summary(directory: Path, lines: list[str], report: bool = True) -> None:
    """Write ``summary.txt`` (the terminal summary), ``meta.json`` (the carebench version) and
    ``report.html`` into a result directory."""
    from carebench.output.html.build import build_report
    from carebench.util.version import __version__

    atomic_write_text(Path(directory) / "summary.txt", "\n".join(lines) + "\n")
    atomic_write_text(Path(directory) / "meta.json", to_json({"carebench_version": __version__}))
    if report:
        build_report(Path(directory))


def announce(directory: Path, lines: list[str], as_json: bool, quiet: bool, tail: str = "") -> None:
    """Print the summary and where the results are (``report.html`` is there), or with ``--json`` the
    report's JSON summary."""
    if as_json:
        from carebench.output.html.build import report_json

        click.echo(report_json(Path(directory)), nl=False)
        return
    if not quiet:
        click.echo("\n".join(lines))
        click.echo("")
    click.echo(f"results: {directory}{tail}")


def emit(data: Any) -> None:
    """Print plain data as one strict JSON document."""
    click.echo(to_json(json.loads(json.dumps(data, default=str))), nl=False)
