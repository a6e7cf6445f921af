"""``carebench report DIR``: (re)build ``report.html`` from the files of an existing result directory."""

from __future__ import annotations

from pathlib import Path

import click

from carebench.cli.jsonout import json_option
from carebench.output.html.build import build_report, report_json

__all__ = ["report"]


@click.command()
@click.argument("directory", metavar="DIR", type=click.Path(path_type=Path))
@json_option()
def report(directory, as_json):
    """Rebuild DIR/report.html from the files of a result directory (or NAME.html of a baseline file).

    DIR is what run, compare, check, sweep, shop, shop plan, loadtest, staff
    or staff --schedule wrote; a baseline file NAME.json, or the JSON report
    of fit or calibrate, gets NAME.html beside it. The page is one
    self-contained file (no network); the same files give the same bytes.
    --json prints the report's summary instead.
    """
    path = build_report(directory)
    if as_json:
        click.echo(report_json(directory), nl=False)
    else:
        click.echo(f"report: {path}")
