"""``carebench loadtest`` (breaking point and capacity curve) and ``carebench staff`` (cheapest roster)."""

from __future__ import annotations

import re
from pathlib import Path

import click
import numpy as np

from carebench.cli.common import (
    allow_import_option,
    check_size,
    max_contacts_option,
    duration_value,
    override_option,
    progress_bar,
    resolve_scenario,
    result_directory,
    scenario_argument,
    seed_option,
    shape_option,
)
from carebench.cli.schedule import run_schedule
from carebench.cli.execution import (
    open_executor,
    replications_option,
    resumable,
    scheduler_option,
    stack,
    workers_option,
)
from carebench.cli.jsonout import announce, json_option, save_summary
from carebench.engine.streams import replication_seeds
from carebench.gate.thresholds import Threshold, parse_threshold
from carebench.kpis import catalogue
from carebench.load.yamlio import dump_yaml
from carebench.loadtest.breaking import breaking_point, capacity_curve, knee, replication_evaluator
from carebench.loadtest.staffing import apply, default_targets, search
from carebench.output.compare_report import fmt_estimate
from carebench.output.loadtest import (
    breaking_point_data,
    curve_kpis,
    plot_curve,
    staffing_data,
    write_curve,
    write_json,
)
from carebench.output.report import table
from carebench.util.atomic import staged_directory
from carebench.util.errors import UserError
from carebench.util.paths import check_output_directory

__all__ = ["loadtest", "staff"]

DEFAULT_REPLICATIONS = 5
_RANGE = re.compile(r"^\s*([\d.]+)\s*\.\.\s*([\d.]+)\s*(?::\s*([\d.]+))?\s*$")


def _target(metric: str | None, target: str) -> Threshold:
    """``--target`` as a whole expression, or a value for ``--metric`` (direction from the KPI)."""
    if any(op in target for op in "<>="):
        return parse_threshold(target)
    if not metric:
        raise UserError(f"--target {target!r}: give --metric KPI, or a whole expression such as 'sla.twitter>=0.9'")
    if catalogue.find(metric) is None:
        raise catalogue.unknown(metric, "--metric")
    op = ">=" if catalogue.direction(metric) >= 0 else "<="
    return parse_threshold(f"{metric} {op} {target}")


def _grid(text: str | None, around: float) -> list[float]:
    """``--grid 0.5..3:0.25`` or ``0.5,1,2``; by default round steps to well beyond the breaking point."""
    if text is None:
        top = max(2.0, 1.4 * around) if np.isfinite(around) else 3.0
        step = 0.25 if top <= 4 else 0.5 if top <= 8 else 1.0
        return [float(x) for x in np.arange(step, top + step / 2, step)]
    match = _RANGE.match(text)
    try:
        if match:
            lo, hi, step = float(match[1]), float(match[2]), float(match[3] or 0.25)
            values = list(np.arange(lo, hi + step / 2, step)) if step > 0 and hi >= lo else []
        else:
            values = [float(v) for v in text.split(",")]
    except ValueError:
        values = []
    if not values or min(values) <= 0:
        raise UserError(f"--grid {text!r}: expected load multipliers above 0 such as '0.5..3:0.25' or '0.5,1,2'")
    return [round(float(v), 6) for v in values]


_search_options = stack(
    seed_option(),
    click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("results"),
                 show_default=True, help="Directory under which the result directory is made."),
    click.option("--quiet", "-q", is_flag=True, help="Print only the result directory."),
    workers_option(), scheduler_option(), override_option(), shape_option(), max_contacts_option(),
    allow_import_option(), json_option(),
)
"""The options ``loadtest`` and ``staff`` share: seed, output, execution and scenario changes."""


@click.command()
@scenario_argument()
@click.option("--metric", default=None, metavar="KPI", help="The KPI that must hold, e.g. sla.twitter.")
@click.option("--target", required=True, metavar="VALUE",
              help="Its target, e.g. 0.9 (or a whole expression such as 'frt.p90.email<24h').")
@replications_option(str(DEFAULT_REPLICATIONS))
@click.option("--low", type=click.FloatRange(min=0, min_open=True), default=0.5, show_default=True,
              help="Smallest load multiplier to start the bracket from.")
@click.option("--high", type=click.FloatRange(min=0, min_open=True), default=4.0, show_default=True,
              help="Largest load multiplier to start the bracket from (doubled while the target holds).")
@click.option("--tolerance", type=click.FloatRange(min=0.001), default=0.05, show_default=True,
              help="Stop when the bracket is narrower than this (in multiplier units).")
@click.option("--grid", default=None, metavar="RANGE", help="Multipliers of the capacity curve: '0.5..3:0.25' or '0.5,1,2'.")
@click.option("--no-plots", is_flag=True, help="Skip the capacity plot.")
@_search_options
def loadtest(scenario, metric, target, replications, low, high, tolerance, grid, seed, out, no_plots, quiet,
             workers, scheduler, overrides, shapes, max_contacts, allow_policy_import, as_json):
    """Find the largest load at which a target holds, and draw the capacity curve.

    Every arrival rate is multiplied by a load multiplier; each point runs the
    same replication seeds. Bisection narrows the breaking point to --tolerance.
    """
    threshold = _target(metric, target)
    sc = resolve_scenario(scenario, overrides, allow_import=allow_policy_import, shapes=shapes)
    if low >= high:
        raise UserError(f"--low {low} --high {high}: expected low below high")
    chosen = _grid(grid, np.nan) if grid is not None else None  # a bad --grid fails before any run
    if len(chosen or ()) > 1000:
        raise UserError(f"--grid {grid!r}: {len(chosen):,} load multipliers; expected at most 1,000")
    # Checked at the bracket's top (or the largest --grid load); bisection may go higher if the target holds.
    check_size([sc], max_contacts, multiplier=max(chosen or [high]))
    check_output_directory(out)
    seeds = replication_seeds(sc.seed if seed is None else seed, replications or DEFAULT_REPLICATIONS)
    data = sc.as_data()
    with resumable(None), open_executor(workers, scheduler) as executor, \
            progress_bar(f"load-testing {sc.name}", not (quiet or as_json)) as bar:
        evaluate = replication_evaluator(executor, allow_import=allow_policy_import)
        bp = breaking_point(data, threshold, evaluate, seeds, low=low, high=high, tolerance=tolerance,
                            progress=(lambda f: bar(0.6 * f)) if bar else None)
        points = capacity_curve(data, chosen or _grid(None, bp.multiplier), evaluate, seeds)
        if bar:
            bar(1.0)
    kpis = curve_kpis(list(sc.channels))
    bend = knee(points, threshold.kpi)
    final = result_directory(out, f"loadtest-{sc.name}")
    with staged_directory(final) as stage:
        tmp = stage.tmp
        write_curve(tmp / "capacity.csv", points, kpis)
        write_json(tmp / "breaking_point.json", {**breaking_point_data(bp), "knee": bend,
                                                "replications": len(seeds), "seeds": seeds})
        (tmp / "scenario.yaml").write_text(dump_yaml(data), encoding="utf-8")
        if not no_plots:
            plot_curve(tmp / "capacity.png", points, list(sc.channels), bend, bp, sc.name)
        lines = _loadtest_lines(sc, threshold, bp, bend, points, kpis, len(seeds))
        save_summary(tmp, lines)
    announce(stage.path, lines, as_json, quiet)


def _loadtest_lines(sc, threshold, bp, bend, points, kpis, n) -> list[str]:
    out = [f"loadtest {sc.name}: {threshold}, {n} replications per load on common random numbers"]
    if bp.status == "found":
        out.append(f"breaking point: x{bp.multiplier:.2f} ± {bp.uncertainty:.2f} of today's traffic "
                   f"(holds at x{bp.holds:.2f}, fails at x{bp.fails:.2f})")
    elif bp.status == "holds throughout":
        out.append(f"breaking point: none up to x{bp.holds:.2f} (the target holds at every load tried)")
    else:
        out.append(f"breaking point: below x{bp.fails:.3f} (the target fails even at the smallest load tried)")
    out.append(f"knee of the {threshold.kpi} curve: x{bend:.2f}" if np.isfinite(bend) else "knee: -")
    shown = [k for k in kpis if k.startswith("sla.")] + [threshold.kpi] * (not threshold.kpi.startswith("sla."))
    shown += ["exposure.total", "churn.expected"]
    rows = [[f"x{p.multiplier:g}", *[fmt_estimate(k, p.estimates[k]) if k in p.estimates else "-" for k in shown]]
            for p in points]
    return [*out, "", *table(["load", *shown], rows)]


@click.command()
@scenario_argument()
@click.option("--target", "targets", multiple=True, metavar="EXPR",
              help="A target every roster must meet, e.g. 'sla.twitter>=0.9' (repeatable; "
                   "default: each channel's sla >= its sla_goal).")
@replications_option(str(DEFAULT_REPLICATIONS))
@click.option("--max-steps", type=click.IntRange(min=1), default=60, show_default=True,
              help="Most agents the search adds before it gives up.")
@click.option("--schedule", "scheduled", is_flag=True,
              help="Choose shift start times, lengths and headcounts per day from the pools' templates "
                   "(integer program corrected by simulation) and compare with today's roster and the search.")
@click.option("--interval", default="1h", show_default=True, metavar="DURATION",
              help="With --schedule: the interval of the requirements and cuts.")
@click.option("--max-iterations", type=click.IntRange(min=1), default=12, show_default=True,
              help="With --schedule: most integer programs solved and simulated.")
@click.option("--no-plots", is_flag=True, help="With --schedule: skip the coverage chart.")
@_search_options
def staff(scenario, targets, replications, max_steps, scheduled, interval, max_iterations, no_plots, seed, out, quiet,
          workers, scheduler, overrides, shapes, max_contacts, allow_policy_import, as_json):
    """Find the cheapest agent counts per pool (and shift) that meet every target.

    Starts from Erlang C/A per channel, then searches by simulation on common
    random numbers; a target holds when its whole 95% interval does. With
    --schedule, shifts are chosen from templates instead (see docs/scheduling.md).
    Exit code 1 when no roster meeting every target was found.
    """
    sc = resolve_scenario(scenario, overrides, allow_import=allow_policy_import, shapes=shapes)
    goals = [parse_threshold(t) for t in targets] or default_targets(sc)
    seeds = replication_seeds(sc.seed if seed is None else seed, replications or DEFAULT_REPLICATIONS)
    check_size([sc], max_contacts)
    check_output_directory(out)
    data = sc.as_data()
    if scheduled:
        width = duration_value("--interval", interval)
        return run_schedule(sc, data, goals, seeds, width, base_seed=sc.seed if seed is None else seed,
                            max_iterations=max_iterations, max_steps=max_steps,
                            out=out, quiet=quiet or as_json, plots=not no_plots, workers=workers, scheduler=scheduler,
                            allow_import=allow_policy_import, as_json=as_json)
    with resumable(None), open_executor(workers, scheduler) as executor:
        steps = []
        evaluate = replication_evaluator(executor, allow_import=allow_policy_import)
        result = search(data, goals, evaluate, seeds, max_steps=max_steps, progress=steps.append)
    final = result_directory(out, f"staff-{sc.name}")
    shown = sorted({t.kpi for t in goals} | {"cost.total", "agent_hours.total"})
    with staged_directory(final) as stage:
        tmp = stage.tmp
        write_json(tmp / "staffing.json", {**staffing_data(result, shown), "replications": len(seeds), "seeds": seeds})
        roster = apply(data, result.values, result.knobs)
        (tmp / "roster.yaml").write_text(dump_yaml(roster), encoding="utf-8")
        lines = _staff_lines(sc, result, shown, len(seeds))
        save_summary(tmp, lines)
    announce(stage.path, lines, as_json, quiet,
             f"  (roster.yaml is the scenario with this roster: carebench run {stage.path}/roster.yaml)")
    if not result.met:
        raise SystemExit(1)


def _staff_lines(sc, result, shown, n) -> list[str]:
    out = [f"staff {sc.name}: {len(result.knobs)} agent counts, {n} replications per roster, "
           f"{result.evaluations} rosters simulated"]
    rows = [[k.label, ", ".join(k.channels), str(result.start[k.label]), str(result.values[k.label]),
             f"{result.values[k.label] - result.start[k.label]:+d}", f"{k.agent_hours * result.values[k.label]:,.0f}"]
            for k in result.knobs]
    out += ["", *table(["pool / shift", "channels", "Erlang", "found", "vs Erlang", "agent-hours"], rows), ""]
    out += [f"  {'PASS' if v.passed else 'FAIL'}  {v.threshold}: {v.detail}" for v in result.verdicts]
    out += ["", *(f"  {k}: {fmt_estimate(k, result.estimates[k])}" for k in shown), ""]
    priced = any(p.cost_per_hour for p in sc.pools.values())
    cost = f"cost {result.cost:,.0f}" if priced else f"{result.cost:,.0f} agent-hours (no cost_per_hour set)"
    out.append(("found: " if result.met else "not found: ") + f"{cost} over the run"
               + ("" if result.met else f" ({result.history[-1][0] if result.history else 'no step'})"))
    return out
