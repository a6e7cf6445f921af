"""``carebench calibrate``: search free parameters until a scenario's first replies look like a trace's."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import numpy as np

from carebench.calibrate import calibrate as run_calibration
from carebench.calibrate import parse_free
from carebench.cli.common import allow_import_option, override_option, resolve_scenario
from carebench.cli.execution import open_executor, scheduler_option, workers_option
from carebench.cli.jsonout import emit, json_option
from carebench.cli.trace import load_trace, trace_options
from carebench.load.yamlio import dump_yaml
from carebench.output.calibration import calibrated_header, calibration_data, calibration_lines, plot_latency_ecdf
from carebench.output.html.build import build_report, report_document
from carebench.output.html.fit import CALIBRATION_FORMAT
from carebench.trace.records import CountTrace
from carebench.trace.timeparse import parse_wall, wall_seconds
from carebench.util.atomic import atomic_write_text
from carebench.util.errors import UserError
from carebench.util.version import __version__

__all__ = ["calibrate"]


def _split(tr, holdout_from, holdout, reply_sampled):
    """Training and held-out latencies (and their answer limits when the trace is reply-sampled).

    Held out by date, or the last ``holdout`` share of contacts in time.
    """
    lat = tr.latency
    lim = tr.answer_limits() if reply_sampled else None
    if holdout_from is not None:
        cut = parse_wall(holdout_from, "--holdout-from")
    elif holdout:
        cut = float(np.quantile(tr.arrival, 1 - holdout)) if len(tr) else 0.0
    else:
        return lat, None, lim, None
    a, b = tr.arrival < cut, tr.arrival >= cut
    return lat[a], lat[b], None if lim is None else lim[a], None if lim is None else lim[b]


@click.command()
@click.argument("scenario", metavar="SCENARIO")
@click.option("--to", "to", required=True, type=click.Path(path_type=Path), help="The trace to calibrate to.")
@trace_options()
@click.option("--free", "free", multiple=True, metavar="PATH=LOW..HIGH",
              help="A parameter to search, e.g. pools.team.agents=1..30 (repeatable).")
@click.option("--channel", default=None, help="Scenario channel whose first replies are compared (default: the only one).")
@click.option("--holdout-from", default=None, metavar="DATE", help="Calibrate on contacts before DATE, report after.")
@click.option("--holdout", type=click.FloatRange(0, 0.9), default=0.0, help="Or hold out this last share of contacts.")
@click.option("--until", default=None, metavar="DATE", help="Ignore contacts from this date on.")
@click.option("--budget", type=click.IntRange(min=1), default=40, show_default=True, help="Candidates to simulate.")
@click.option("--replications", type=click.IntRange(min=1), default=None,
              help="Replications per candidate (default: enough for 3,000 simulated replies).")
@click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True)
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("calibrated.yaml"),
              show_default=True, help="Calibrated scenario (report and ECDF plot beside it).")
@click.option("--no-plots", is_flag=True)
@click.option("--quiet", "-q", is_flag=True, help="No progress.")
@workers_option()
@scheduler_option()
@override_option()
@allow_import_option()
@json_option()
def calibrate(scenario, to, fmt, columns, where, tz, naive_tz, origin, brand, skip_bad, reply_sampled, free, channel,
              holdout_from, holdout,
              until, budget, replications, seed, out, no_plots, quiet, workers, scheduler, overrides,
              allow_policy_import, as_json):
    """Calibrate SCENARIO's --free parameters so its first-reply latencies match the trace --to."""
    sc = resolve_scenario(scenario, overrides, allow_import=allow_policy_import)
    tr = load_trace(to, fmt, columns, where, tz, naive_tz, origin, brand, skip_bad, reply_sampled)
    if isinstance(tr, CountTrace) or "latency" not in tr.present:
        raise UserError(f"--to {to}: the trace has no first replies to calibrate to (map --column first_reply=...)")
    if until is not None:
        tr = tr.between(None, wall_seconds(until))
    chan = channel or (next(iter(sc.channels)) if len(sc.channels) == 1 else None)
    if chan is None:
        raise UserError(f"--channel: scenario {sc.name!r} has several channels; name the one to compare")
    train, held, lim, held_lim = _split(tr, holdout_from, holdout, reply_sampled)
    params = [parse_free(f) for f in free]
    bars: list = []  # opened at the first finished candidate, so an early error prints alone

    def progress(done, total, best):
        if quiet or as_json:
            return
        if not bars:
            bars.append(click.progressbar(length=total, label="calibrating", file=sys.stderr))
            bars[0].__enter__()
        bars[0].label = f"calibrating (best loss {best:.4f})"
        bars[0].update(1)

    with open_executor(workers, scheduler) as executor:
        try:
            cal = run_calibration(sc.as_data(), train, params, executor, channel=chan, holdout=held,
                                  replications=replications, seed=seed, budget=budget, progress=progress,
                                  allow_import=allow_policy_import, limits=lim, holdout_limits=held_lim)
        finally:
            if bars:
                bars[0].__exit__(None, None, None)
    atomic_write_text(out, calibrated_header(cal, str(to)) + dump_yaml(cal.scenario))
    report = out.with_name(out.stem + "-report.json")
    atomic_write_text(report, json.dumps({"format": CALIBRATION_FORMAT, **calibration_data(cal), "target": str(to),
                                          "scenario_file": out.name, "seed": seed, "plots": not no_plots,
                                          "carebench_version": __version__}, indent=2, default=str))
    if not no_plots:
        plot_latency_ecdf(out.with_name(out.stem + "-ecdf.png"), train[np.isfinite(train)], cal.sim_before,
                          cal.sim_after, None if held is None else held[np.isfinite(held)])
    page = build_report(report)
    if as_json:
        doc, _charts = report_document(report)
        emit({"kind": "calibrate", "headline": doc["headline"], "warnings": doc["warnings"], "scenario": str(out),
              "report": str(report), "html": str(page), "lines": calibration_lines(cal),
              "calibration": calibration_data(cal)})
        return
    click.echo("\n".join(calibration_lines(cal)))
    click.echo(f"\nscenario: {out}\nreport: {report} (and {page.name}, the page to send)")
