"""``carebench trace inspect``: what a contact trace holds; the trace options the other commands share."""

from __future__ import annotations

from pathlib import Path

import click

from carebench.cli.execution import stack
from carebench.cli.jsonout import emit, json_option
from carebench.trace import parse_columns, parse_where, read_trace, summarise, summary_lines
from carebench.trace.readers import FORMATS
from carebench.trace.records import Trace

__all__ = ["trace", "trace_options", "load_trace"]


def trace_options():
    """--format, --column, --where, --tz, --naive-tz, --brand and --skip-bad."""
    return stack(
        click.option("--format", "fmt", type=click.Choice(FORMATS), default="auto", show_default=True,
                     help="Trace format: twcs, a generic csv (with --column), or counts per interval."),
        click.option("--column", "columns", multiple=True, metavar="ROLE=COLUMN",
                     help="Map a role (arrival, channel, brand, customer, first_reply, resolution, handle, "
                          "followers, id; counts: start, count) to a column; join columns with +."),
        click.option("--where", "where", multiple=True, metavar="COLUMN=VALUE",
                     help="Keep only rows with this value (repeatable)."),
        click.option("--tz", default="UTC", show_default=True, help="Time zone of the profiles (IANA name)."),
        click.option("--naive-tz", default=None, help="Time zone of times written without an offset (default: --tz)."),
        click.option("--origin", default=None, metavar="DATE",
                     help="Read plain-number times as seconds after DATE (e.g. a carebench contact log: "
                          "2024-01-01, a Monday), not Unix epoch seconds."),
        click.option("--brand", default=None, help="Only this brand's contacts."),
        click.option("--skip-bad", is_flag=True, help="Skip unreadable rows (and say how many) instead of stopping."),
        click.option("--reply-sampled", is_flag=True,
                     help="The trace is a handle's timeline (sampled by reply time): keep only contacts that "
                          "arrived after its first reply, since earlier ones are in it only if answered late."),
    )


def load_trace(path, fmt, columns, where, tz, naive_tz, origin, brand, skip_bad, reply_sampled=False):
    """Read a trace from the shared options."""
    tr = read_trace(path, fmt, columns=parse_columns(columns), where=parse_where(where), tz=tz, brand=brand,
                    skip_bad=skip_bad, naive_tz=naive_tz, origin=origin)
    return tr.reply_window() if reply_sampled and isinstance(tr, Trace) else tr


@click.group()
def trace() -> None:
    """Contact traces: inspect what one holds."""


@trace.command()
@click.argument("path", metavar="TRACE", type=click.Path(path_type=Path))
@trace_options()
@json_option()
def inspect(path, fmt, columns, where, tz, naive_tz, origin, brand, skip_bad, reply_sampled, as_json):
    """Report what TRACE holds: contacts per channel and brand, span, hour x weekday counts, first replies, bumps.

    With --json the summary is printed as one JSON document instead (redirect it to keep a file).
    """
    tr = load_trace(path, fmt, columns, where, tz, naive_tz, origin, brand, skip_bad, reply_sampled)
    summary = summarise(tr)
    if as_json:
        emit(summary)
        return
    click.echo("\n".join(summary_lines(summary)))
