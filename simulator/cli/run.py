"""``carebench run``: simulate a scenario (once, or replicated) and write a result directory."""

from __future__ import annotations

from pathlib import Path

import click

from carebench.cli.jsonout import announce, json_option, save_summary
from carebench.cli.common import (
    allow_import_option,
    check_size,
    duration_value,
    max_contacts_option,
    override_option,
    progress_bar,
    resolve_scenario,
    result_directory,
    scenario_argument,
    seed_option,
    shape_option,
)
from carebench.cli.execution import (
    open_executor,
    replication_count,
    replications_option,
    resumable,
    scheduler_option,
    task_progress,
    workers_option,
)
from carebench.engine.streams import replication_seeds
from carebench.load.yamlio import dump_yaml
from carebench.output.compare_report import replication_summary
from carebench.output.plots import plot_run
from carebench.output.batches import batch_lines, write_batch_summary
from carebench.output.replications import write_replications
from carebench.output.report import measured_window, run_summary
from carebench.output.writers import ContactLog, write_kpis, write_timeseries
from carebench.runs.compare import check_kpis
from carebench.runs.replicate import (
    METHOD,
    MIN_FIRST_STAGE,
    parse_precision,
    run_replications,
    run_until_precise,
)
from carebench.runs.simulate import simulate
from carebench.runs.store import MemoryStore
from carebench.runs.tasks import TaskResult, Variant, plain_kpis
from carebench.stats.batches import batch_summary
from carebench.stats.bounds import within_run
from carebench.stats.intervals import precision_met
from carebench.util.atomic import staged_directory
from carebench.util.errors import UserError
from carebench.util.paths import check_output_directory

__all__ = ["run"]


@click.command()
@scenario_argument()
@seed_option()
@click.option("--horizon", default=None, metavar="DURATION",
              help="Measured length after the scenario's warm-up, e.g. 3d (the run lasts warm-up + DURATION).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("results"),
              show_default=True, help="Directory under which the result directory is made.")
@click.option("--contacts", type=click.Choice(["csv", "parquet"]), default=None,
              help="Also write a per-contact log in this format.")
@click.option("--no-plots", is_flag=True, help="Skip the PNG plots.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the result directory.")
@replications_option("the scenario's replications:, else 1")
@click.option("--precision", "precision", multiple=True, metavar="KPI=TARGET",
              help="Add replications until KPI's half-width is within TARGET of its mean "
                   "(relative: 0.02 or 2%); repeatable.")
@click.option("--max-replications", type=click.IntRange(min=2), default=100, show_default=True,
              help="Cap on replications under --precision.")
@click.option("--batches", type=click.IntRange(min=2), default=None, metavar="K",
              help="One long run, its measured window cut into K batches: intervals by batch means "
                   "(warns when batches are too short).")
@workers_option()
@scheduler_option()
@override_option()
@shape_option()
@max_contacts_option()
@allow_import_option()
@json_option()
def run(scenario, seed, horizon, out, contacts, no_plots, quiet, replications, precision, max_replications,
        batches, workers, scheduler, overrides, shapes, max_contacts, allow_policy_import, as_json):
    """Simulate SCENARIO (a YAML file or a shipped scenario; default: the packaged default).

    Prints a summary and writes results/<scenario>-<timestamp>/ with report.html
    (one self-contained page), summary.txt, kpis.json, timeseries.csv, PNG plots
    and, with --contacts, a per-contact log; --json prints the summary as JSON. With
    --replications N (or --precision) it runs N independent replications and
    reports every KPI as a mean with a 95% confidence interval, adding
    replications.csv and summary.json; plots and time series are those of
    replication 1. --precision runs a two-stage procedure: at least 10
    replications, then as many more as that first stage says are needed.
    With --batches K a single run reports batch-means intervals instead.
    """
    measured = duration_value("--horizon", horizon)
    sc = resolve_scenario(scenario, tuple(overrides), allow_import=allow_policy_import, shapes=shapes)
    if measured is not None:
        # A steady-state scenario keeps its warm-up: --horizon is what is measured after it.
        sc = resolve_scenario(scenario, (*overrides, f"horizon={sc.warmup + measured:.3f}s"),
                              allow_import=allow_policy_import, shapes=shapes)
    targets = dict(parse_precision(p) for p in precision)
    count = replication_count(replications, sc, 1)
    if contacts == "parquet":
        _require_pyarrow()
    check_size([sc], max_contacts)
    check_output_directory(out)
    if batches is not None:
        if count > 1 or targets:
            raise UserError("--batches: one long run; leave out --replications and --precision")
        _single(sc, scenario, seed, out, contacts, no_plots, quiet or as_json, allow_policy_import, batches, as_json)
        return
    if count == 1 and not targets:
        _single(sc, scenario, seed, out, contacts, no_plots, quiet or as_json, allow_policy_import, as_json=as_json)
        return
    count = max(count, MIN_FIRST_STAGE) if targets else count
    if targets and count > max_replications:
        raise UserError(f"--max-replications {max_replications}: --precision runs at least "
                        f"{count} replications (its first stage); allow at least that many")
    base = sc.seed if seed is None else seed
    final = result_directory(out, sc.name)
    with open_executor(workers, scheduler) as executor, staged_directory(final) as stage, resumable(None):
        tmp = stage.tmp
        first = _first_replication(tmp, sc, scenario, replication_seeds(base, 1)[0], contacts, no_plots,
                                   allow_policy_import)
        check_kpis(list(targets), first.kpis, place="--precision")
        rep, met = _replicate(sc, count, base, targets, max_replications, first, executor, quiet or as_json,
                              allow_policy_import)
        write_replications(tmp, rep, base_seed=base, precision=targets, precision_met=met)
        lines = _replicated_lines(rep, base, targets, met, sc)
        save_summary(tmp, lines)
    announce(stage.path, lines, as_json, quiet)


def _single(sc, scenario, seed, out, contacts, no_plots, quiet, allow_policy_import, batches=None,
            as_json=False) -> None:
    final = result_directory(out, sc.name)
    with staged_directory(final) as stage:
        tmp = stage.tmp
        result = _write_run(tmp, sc, scenario, seed, contacts, no_plots, quiet, allow_policy_import,
                            batches=batches)
        lines = run_summary(result, {n: c.sla for n, c in sc.channels.items()})
        if batches:
            summary, rho = batch_summary(result.batches, whole=result.kpis)
            summary = within_run(summary, sc.longest_time)
            write_batch_summary(tmp, result, summary, rho)
            lines += ["", *batch_lines(result, summary, rho)]
        save_summary(tmp, lines)
    announce(stage.path, lines, as_json, quiet)


def _write_run(tmp, sc, scenario, seed, contacts, no_plots, quiet, allow_policy_import, extra=None,
               batches=None):
    """Simulate once and write kpis.json, timeseries.csv, scenario.yaml, plots and the contact log."""
    log = ContactLog(tmp, contacts, tuple(sc.channels), sc.seed if seed is None else seed) if contacts else None
    with progress_bar(f"simulating {sc.name}", not quiet) as progress:
        result = simulate(sc, seed, progress=progress, contact_sink=log, allow_policy_import=allow_policy_import,
                          batches=batches or 0)
    if log is not None:
        log.close()
    sla = {name: ch.sla for name, ch in sc.channels.items()}
    write_kpis(tmp, result, {"sla_targets": sla, "scenario_file": scenario or "default (packaged)", **(extra or {})})
    write_timeseries(tmp, result)
    (tmp / "scenario.yaml").write_text(dump_yaml(sc.as_data()), encoding="utf-8")
    if not no_plots:
        plot_run(tmp, result, sla, sc)
    return result


def _first_replication(tmp, sc, scenario, seed, contacts, no_plots, allow_policy_import) -> TaskResult:
    result = _write_run(tmp, sc, scenario, seed, contacts, no_plots, True, allow_policy_import,
                        {"replication": 1})
    return TaskResult(sc.name, 0, 0, seed, sc.fingerprint(), plain_kpis(result.kpis), dict(result.frt_histograms))


def _replicate(sc, count, base, targets, cap, first, executor, quiet, allow_import):
    variant = Variant(sc.name, sc)
    store = MemoryStore([first])
    with task_progress(f"replicating {sc.name}", cap if targets else count, not quiet) as progress:
        if targets:
            return run_until_precise(variant, targets, executor, start=count, cap=cap, base_seed=base,
                                     store=store, progress=progress, allow_import=allow_import)
        (rep,) = run_replications([variant], count, executor, base_seed=base, store=store,
                                  progress=progress, allow_import=allow_import)
        return rep, True


def _replicated_lines(rep, base, targets, met, sc) -> list[str]:
    summary = rep.summary()
    window = measured_window(sc.horizon, sc.warmup, sc.end_time, auto=sc.warmup_auto)
    out = [f"{sc.name}: {rep.n} replications (seeds spawned from {base}), each {window}; 95% confidence intervals",
           f"method: {METHOD}", ""]
    out += replication_summary(summary, list(sc.channels), list(sc.pools))
    if targets:
        out.append("")
        for kpi, target in targets.items():
            e = summary[kpi]
            ratio = e.half_width / abs(e.mean) if e.mean else float("inf")
            state = "met" if precision_met(e, target) else "NOT met"
            out.append(f"precision {kpi}: half-width {ratio:.2%} of the mean, target {target:.2%}: {state}")
        out.append(f"two-stage procedure: {min(max(MIN_FIRST_STAGE, 1), rep.n)} replications first, "
                   f"{rep.n} in all")
        if not met:
            out.append(f"warning: target not met after the second stage ({rep.n} replications; the cap is "
                       "--max-replications); rerun with more --replications for a larger first stage")
    return out


def _require_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise UserError("--contacts parquet: needs pyarrow (pip install 'carebench[parquet]'); use --contacts csv") from None
