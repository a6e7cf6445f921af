"""``carebench sweep``: a grid of scenario overrides × replications, on local cores or Dask."""

from __future__ import annotations

import click

from carebench.cli.common import (
    allow_import_option,
    override_option,
    resolve_path,
    result_directory,
    scenario_argument,
    check_size,
    max_contacts_option,
    seed_option,
    warn,
)
from carebench.cli.execution import (
    kpi_option,
    open_executor,
    output_options,
    output_directory,
    replication_count,
    replications_option,
    resumable,
    scheduler_option,
    split_kpis,
    task_progress,
    workers_option,
)
from carebench.cli.jsonout import announce, json_option, save_summary
from carebench.load.loader import DEFAULT_SCENARIO, apply_overrides, parse_override, shipped_scenario_path
from carebench.load.yamlio import load_yaml_file
from carebench.output.compare_report import fmt_estimate
from carebench.output.replications import write_sweep
from carebench.output.report import table
from carebench.runs.compare import check_kpis, kpi_names
from carebench.runs.replicate import METHOD, run_replications
from carebench.runs.store import TaskStore
from carebench.runs.sweep import grid_variants, parse_grid
from carebench.util.paths import check_output_directory

__all__ = ["sweep", "sweep_kpis"]

DEFAULT_REPLICATIONS = 10


def sweep_kpis(channels) -> list[str]:
    """The KPIs a sweep reports and plots unless told: SLA per channel, exposure, churn, cost."""
    return [f"sla.{c}" for c in channels] + ["exposure.total", "churn.expected", "cost.total"]


@click.command()
@scenario_argument(required=True)
@click.option("--grid", "grids", multiple=True, required=True, metavar="PATH=VALUES",
              help="A swept field: PATH=A,B,C (YAML values) or PATH=FROM..TO[:STEP] (integers); repeatable.")
@override_option()
@replications_option(f"the scenario's replications:, else {DEFAULT_REPLICATIONS}")
@seed_option()
@kpi_option("SLA per channel, exposure, churn, cost")
@output_options("sweep")
@workers_option()
@scheduler_option()
@max_contacts_option()
@allow_import_option()
@json_option()
def sweep(scenario, grids, overrides, replications, seed, kpis, out, resume, no_plots, quiet, workers,
          scheduler, max_contacts, allow_policy_import, as_json):
    """Run SCENARIO at every point of a grid of overrides, each replicated on the same seeds.

    Writes tidy.csv (one row per grid point and replication), summary.csv
    (mean and 95% CI per grid point and KPI), Parquet copies when pyarrow is
    installed, and a plot per KPI against the first swept field.
    """
    path = resolve_path(scenario) or shipped_scenario_path(DEFAULT_SCENARIO)
    data = load_yaml_file(path)
    data = apply_overrides(data if isinstance(data, dict) else {}, [parse_override(o) for o in overrides])
    axes = [parse_grid(g) for g in grids]
    variants = grid_variants(data, axes, str(path), allow_import=allow_policy_import)
    first = variants[0].scenario
    warn(first, str(path))
    check_size([v.scenario for v in variants], max_contacts)
    count = replication_count(replications, first, DEFAULT_REPLICATIONS)
    chosen = check_kpis(split_kpis(kpis), kpi_names(first, allow_import=allow_policy_import)) or sweep_kpis(first.channels)
    if resume is None:
        check_output_directory(out)
    base = first.seed if seed is None else seed
    total = count * len(variants)
    with open_executor(workers, scheduler) as executor, \
            output_directory(resume or result_directory(out, f"sweep-{first.name}"), resume, variants,
                             "sweep") as directory:
        with resumable(directory), task_progress(f"sweeping {first.name}", total, not (quiet or as_json),
                                                 lambda r: check_kpis(chosen, r.kpis)) as progress:
            reps = run_replications(variants, count, executor, base_seed=base, store=TaskStore(directory),
                                    progress=progress, allow_import=allow_policy_import)
    paths = [a.path for a in axes]
    write_sweep(directory, reps, paths, chosen, plots=not no_plots)
    lines = [f"sweep {first.name}: {len(variants)} grid points × {count} replications = {total} tasks "
             f"on {executor.description} (seeds spawned from {base}); {METHOD}"]
    if progress.resumed:
        lines.append(f"resumed: {progress.resumed} of {total} tasks were already finished")
    rows = []
    for rep in reps:
        summary = rep.summary()
        rows.append([*(str(v) for _, v in rep.variant.settings), *(fmt_estimate(k, summary[k]) if k in summary else "-" for k in chosen)])
    lines += ["", *table([*paths, *chosen], rows)]
    save_summary(directory, lines)
    announce(directory, lines, as_json, quiet)
