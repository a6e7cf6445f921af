"""``carebench replay``: a trace's arrivals through a scenario's team and policies."""

from __future__ import annotations

from pathlib import Path

import click

from carebench.cli.common import allow_import_option, override_option, resolve_scenario, seed_option
from carebench.cli.jsonout import emit, json_option
from carebench.cli.trace import load_trace, trace_options
from carebench.load.yamlio import dump_yaml
from carebench.output.report import run_summary
from carebench.runs.simulate import simulate
from carebench.trace import replay_scenario
from carebench.trace.timeparse import parse_wall
from carebench.util.atomic import atomic_write_text
from carebench.util.units import parse_duration

__all__ = ["replay"]


@click.command()
@click.argument("path", metavar="TRACE", type=click.Path(path_type=Path))
@click.argument("scenario", metavar="SCENARIO")
@trace_options()
@click.option("--channel", default=None, help="Scenario channel to replay every contact into.")
@click.option("--start", default=None, metavar="DATE", help="Wall-clock instant of simulated time 0 "
              "(default: the Monday before the first contact).")
@click.option("--horizon", default=None, metavar="DURATION", help="How long to replay (default: the trace's span).")
@click.option("--write", "write", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the replayed scenario (for compare, check and sweep) instead of only running it.")
@seed_option()
@override_option()
@allow_import_option()
@json_option()
def replay(path, scenario, fmt, columns, where, tz, naive_tz, origin, brand, skip_bad, reply_sampled, channel, start,
           horizon, write,
           seed, overrides, allow_policy_import, as_json):
    """Run SCENARIO with the arrivals of TRACE in place of its arrival process (team, policies unchanged)."""
    sc = resolve_scenario(scenario, overrides, allow_import=allow_policy_import)
    tr = load_trace(path, fmt, columns, where, tz, naive_tz, origin, brand, skip_bad, reply_sampled)
    span = parse_duration(horizon) if horizon is not None else None
    replayed, info = replay_scenario(sc, tr, channel=channel, start=parse_wall(start, "--start"), horizon=span,
                                     seed=sc.seed if seed is None else seed)
    if not as_json:
        click.echo("\n".join(info.lines()))
    if write is not None:
        atomic_write_text(write, f"# {scenario} with the arrivals of {path} replayed\n" + dump_yaml(replayed.as_data()))
        if as_json:
            emit({"replay": info.lines(), "written": str(write)})
        else:
            click.echo(f"replayed scenario: {write}")
        return
    result = simulate(replayed, seed, allow_policy_import=allow_policy_import)
    if as_json:
        emit({"replay": info.lines(), "scenario": result.scenario, "fingerprint": result.fingerprint,
              "seed": result.seed, "kpis": result.kpis})
        return
    click.echo("\n".join(run_summary(result, {n: c.sla for n, c in replayed.channels.items()})))
