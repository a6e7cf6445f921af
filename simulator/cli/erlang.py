"""``carebench erlang``: the analytic answer beside the simulation (Erlang C, or Erlang A)."""

from __future__ import annotations

import click

from carebench.analytic.erlang import agents_needed, erlang_a_figures, erlang_c_figures
from carebench.cli.common import duration_value
from carebench.cli.jsonout import emit, json_option
from carebench.output.report import fmt_share, fmt_time, table
from carebench.util.errors import UserError
from carebench.util.units import parse_rate

__all__ = ["erlang"]


@click.command()
@click.option("--rate", required=True, metavar="RATE", help="Arrival rate, e.g. 100/h, 2400/d.")
@click.option("--handle", "handle", required=True, metavar="DURATION", help="Mean handle time, e.g. 5m.")
@click.option("--target", default="20s", show_default=True, metavar="DURATION", help="Service-level target time.")
@click.option("--agents", type=click.IntRange(min=0, max=100_000), default=None,
              help="Agents (default: find the number needed; at most 100,000).")
@click.option("--goal", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.8, show_default=True,
              help="Service-level goal when finding agents.")
@click.option("--patience", default=None, metavar="DURATION",
              help="Mean patience: use Erlang A (callers hang up) instead of Erlang C.")
@json_option()
def erlang(rate, handle, target, agents, goal, patience, as_json):
    """Erlang C (or A with --patience) figures: service level, waits, abandonment, agents needed."""
    try:
        lam = parse_rate(rate)
    except ValueError as exc:
        raise UserError(f"--rate: {exc}") from None
    aht = duration_value("--handle", handle)
    t = duration_value("--target", target)
    theta = duration_value("--patience", patience)
    for flag, value in (("--handle", aht), ("--patience", theta)):
        if value is not None and value <= 0:
            raise UserError(f"{flag}: expected a duration above 0 such as '5m', got {value:g}s")
    needed = agents_needed(lam, aht, t, goal, patience=theta)
    centre = needed if agents is None else agents
    counts = sorted({max(centre + d, 0) for d in (-2, -1, 0, 1, 2)} | ({agents} if agents is not None else set()))
    model = "Erlang A" if theta else "Erlang C"
    if as_json:
        rows = []
        for n in counts:
            f = erlang_a_figures(lam, aht, n, t, theta) if theta else erlang_c_figures(lam, aht, n, t)
            rows.append({"agents": n, "occupancy": f.occupancy, "p_wait": f.p_wait, "mean_wait_s": f.mean_wait,
                         "service_level": f.service_level, "p_abandon": f.p_abandon if theta else None})
        emit({"model": model, "rate_per_hour": lam * 3600, "handle_s": aht, "target_s": t, "patience_s": theta,
              "goal": goal, "offered_load_erlangs": lam * aht, "agents_needed": needed, "rows": rows})
        return
    click.echo(f"{model}: {lam * 3600:,.1f} contacts/h, handle {fmt_time(aht)}, offered load "
               f"{lam * aht:,.2f} Erlangs, target {fmt_time(t)}"
               + (f", mean patience {fmt_time(theta)}" if theta else ""))
    rows = []
    for n in counts:
        f = erlang_a_figures(lam, aht, n, t, theta) if theta else erlang_c_figures(lam, aht, n, t)
        mark = " <- needed" if n == needed else ""
        rows.append([str(n), fmt_share(f.occupancy), fmt_share(f.p_wait), fmt_time(f.mean_wait),
                     fmt_share(f.service_level), fmt_share(f.p_abandon) if theta else "-", mark])
    click.echo("\n".join(table(["agents", "occupancy", "P(wait)", "mean wait", "service level", "P(abandon)", ""], rows)))
    click.echo(f"agents needed for {fmt_share(goal)} within {fmt_time(t)}: {needed}")
