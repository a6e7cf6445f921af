"""``carebench fit``: a runnable, commented scenario fitted to a trace, with a fit report."""

from __future__ import annotations

import json
from pathlib import Path

import click

from carebench.calibrate import fit_trace
from carebench.cli.jsonout import emit, json_option
from carebench.cli.trace import load_trace, trace_options
from carebench.load.yamlio import dump_yaml
from carebench.output.calibration import fit_data, fit_lines, plot_fit_ecdf
from carebench.output.html.build import build_report, report_document
from carebench.output.html.fit import FIT_FORMAT
from carebench.trace import summarise
from carebench.trace.timeparse import parse_wall
from carebench.util.atomic import atomic_write_text
from carebench.util.errors import UserError
from carebench.util.version import __version__

__all__ = ["fit"]


@click.command()
@click.argument("path", metavar="TRACE", type=click.Path(path_type=Path))
@trace_options()
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("fitted.yaml"),
              show_default=True, help="Scenario file to write (the report goes beside it).")
@click.option("--name", default="fitted", show_default=True, help="Scenario name.")
@click.option("--channel", default=None, help="Channel name for a trace without a channel column.")
@click.option("--handle", default="6m", show_default=True, help="Handle time to assume when the trace has none.")
@click.option("--horizon-days", type=click.IntRange(min=1), default=7, show_default=True,
              help="Horizon of the fitted scenario.")
@click.option("--min-count", type=click.FloatRange(min=1), default=5, show_default=True,
              help="Contacts an hour of day or weekday needs for a factor of its own (else pooled).")
@click.option("--since", default=None, metavar="DATE", help="Fit only contacts from this date (trace's --tz).")
@click.option("--check-from", default=None, metavar="DATE",
              help="Fit before DATE and check arrivals per hour from DATE on.")
@click.option("--until", default=None, metavar="DATE", help="Ignore contacts from this date on.")
@click.option("--no-plots", is_flag=True, help="Skip the ECDF plots.")
@json_option()
def fit(path, fmt, columns, where, tz, naive_tz, origin, brand, skip_bad, reply_sampled, out, name, channel, handle,
        horizon_days, min_count,
        since, check_from, until, no_plots, as_json):
    """Fit a scenario to TRACE: arrival rate and profiles (with intervals), bursts as incidents, distributions.

    Writes the scenario to --out and fit-report.json (and ECDF plots) beside it.
    """
    tr = load_trace(path, fmt, columns, where, tz, naive_tz, origin, brand, skip_bad, reply_sampled)
    whole = summarise(tr)
    tr = tr.between(parse_wall(since, "--since"), parse_wall(until, "--until"))
    if len(tr) == 0:
        raise UserError(f"{path}: no contacts between --since and --until; the trace's contacts run from "
                        f"{whole['first']} to {whole['last']}")
    fitted = fit_trace(tr, name=name, channel=channel, handle=handle, horizon_days=horizon_days,
                       min_count=min_count, check_from=parse_wall(check_from, "--check-from"))
    lines = fit_lines(fitted)
    header = "".join(f"# {line}\n" if line else "#\n" for line in lines if not line.startswith(("0", "1", "2")))
    atomic_write_text(out, header + dump_yaml(fitted.scenario))
    report = out.with_name(out.stem + "-fit-report.json")
    # The format, the scenario beside it and the version let 'carebench report' rebuild the page from this file.
    atomic_write_text(report, json.dumps({"format": FIT_FORMAT, **fit_data(fitted), "scenario_file": out.name,
                                          "skipped": tr.skipped, "plots": not no_plots,
                                          "carebench_version": __version__}, indent=2))
    if not no_plots:
        for key, d in fitted.distributions.items():
            values = {"followers": getattr(tr, "followers", None)}.get(key)
            if key.endswith(".first_reply"):
                values = tr.latency
            elif key.endswith(".handle_time"):
                values = tr.handle
            if values is not None:
                plot_fit_ecdf(out.with_name(f"{out.stem}-{key.replace('.', '-')}-ecdf.png"), key, values, d)
    page = build_report(report)
    if as_json:
        doc, _charts = report_document(report)
        emit({"kind": "fit", "headline": doc["headline"], "warnings": doc["warnings"], "scenario": str(out),
              "report": str(report), "html": str(page), "skipped": tr.skipped, "lines": lines,
              "fit": fit_data(fitted)})
        return
    if tr.skipped:
        click.echo(f"skipped {tr.skipped:,} bad rows (--skip-bad)")
    click.echo("\n".join(lines))
    click.echo(f"\nscenario: {out}\nreport: {report} (and {page.name}, the page to send)")
