"""``carebench run``: simulate a scenario and write a result directory."""

from __future__ import annotations

from pathlib import Path

import click

from simulator.atomic import atomic_directory
from simulator.cli.common import (
    allow_import_option,
    duration_value,
    override_option,
    progress_bar,
    resolve_scenario,
    result_directory,
    scenario_argument,
    seed_option,
    shape_option,
)
from simulator.errors import UserError
from simulator.plots import plot_run
from simulator.report import run_summary
from simulator.simulate import simulate
from simulator.writers import ContactLog, write_kpis, write_timeseries

__all__ = ["COMMANDS", "run"]


@click.command()
@scenario_argument()
@seed_option()
@click.option("--horizon", default=None, metavar="DURATION", help="Simulated length, e.g. 3d (replaces the scenario's).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("results"),
              show_default=True, help="Directory under which the result directory is made.")
@click.option("--contacts", type=click.Choice(["csv", "parquet"]), default=None,
              help="Also write a per-contact log in this format.")
@click.option("--no-plots", is_flag=True, help="Skip the PNG plots.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the result directory.")
@override_option()
@shape_option()
@allow_import_option()
def run(scenario, seed, horizon, out, contacts, no_plots, quiet, overrides, shapes, allow_policy_import):
    """Simulate SCENARIO (a YAML file or a shipped scenario; default: the packaged default).

    Prints a summary and writes results/<scenario>-<timestamp>/ with kpis.json,
    timeseries.csv, PNG plots and, with --contacts, a per-contact log.
    """
    extra = list(overrides)
    if horizon is not None:
        duration_value("--horizon", horizon)
        extra.append(f"horizon={horizon}")
    sc = resolve_scenario(scenario, tuple(extra), allow_import=allow_policy_import, shapes=shapes)
    if contacts == "parquet":
        _require_pyarrow()
    final = result_directory(out, sc.name)
    with atomic_directory(final) as tmp:
        log = ContactLog(tmp, contacts, tuple(sc.channels), sc.seed if seed is None else seed) if contacts else None
        with progress_bar(f"simulating {sc.name}", not quiet) as progress:
            result = simulate(sc, seed, progress=progress, contact_sink=log,
                              allow_policy_import=allow_policy_import)
        if log is not None:
            log.close()
        sla = {name: ch.sla for name, ch in sc.channels.items()}
        write_kpis(tmp, result, {"sla_targets": sla, "scenario_file": scenario or "default (packaged)"})
        write_timeseries(tmp, result)
        (tmp / "scenario.yaml").write_text(_scenario_yaml(sc), encoding="utf-8")
        if not no_plots:
            plot_run(tmp, result, sla)
    if not quiet:
        click.echo("\n".join(run_summary(result, sla)))
        click.echo("")
    click.echo(f"results: {final}")


def _scenario_yaml(sc) -> str:
    from simulator.yamlio import dump_yaml

    return dump_yaml(sc.model_dump(mode="json", by_alias=True))


def _require_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise UserError("--contacts parquet: needs pyarrow (pip install 'carebench[parquet]'); use --contacts csv") from None


COMMANDS = [run]
