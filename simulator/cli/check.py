"""``carebench check`` (gate a build on thresholds and a baseline) and ``carebench baseline``.

``check`` exits 0 when every threshold passes and nothing regressed, 1 on a
breached threshold or a regression, 2 on a user's mistake (a bad threshold,
a baseline from another scenario) and 3 when a worker was lost.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from carebench.cli.common import (
    allow_import_option,
    check_size,
    max_contacts_option,
    override_option,
    resolve_scenario,
    scenario_argument,
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
from carebench.cli.common import result_directory
from carebench.cli.jsonout import announce, json_option, save_summary
from carebench.gate.baseline import check_baseline_matches, default_baseline_path, read_baseline, write_baseline
from carebench.gate.check import DEFAULT_TOLERANCE, collect_thresholds, junit_cases, run_check
from carebench.gate.junit import write_junit
from carebench.gate.thresholds import Rule
from carebench.kpis import catalogue
from carebench.load.yamlio import dump_yaml
from carebench.output.check_report import check_data, check_lines
from carebench.output.html.build import build_report, report_json, report_path
from carebench.runs.replicate import METHOD, run_replications
from carebench.runs.tasks import Variant
from carebench.util.atomic import staged_directory, atomic_write_text
from carebench.util.errors import UserError
from carebench.util.jsonio import to_json
from carebench.util.paths import check_output_directory, check_output_file
from carebench.util.version import __version__

__all__ = ["check", "baseline"]

DEFAULT_REPLICATIONS = 10


def _replicate(sc, count, seeds, workers, scheduler, quiet, allow_import):
    with resumable(None), open_executor(workers, scheduler) as executor, \
            task_progress(f"replicating {sc.name}", count, not quiet) as progress:
        (rep,) = run_replications([Variant(sc.name, sc)], count, executor, seeds=seeds,
                                  progress=progress, allow_import=allow_import)
    return rep


def _refresh_command(scenario: str | None, overrides: tuple[str, ...], path: Path) -> str:
    words = ["carebench", "baseline", scenario or "default"]
    for o in overrides:
        words += ["--set", o]
    words += ["--out", str(path)]
    return shlex.join(words)


def _refresh_hint(scenario: str | None, overrides: tuple[str, ...], path: Path) -> str:
    """What to run when the baseline does not match: refresh it, or, for a ``--set`` variant, make its own.

    A variant must never be written over the scenario's committed baseline,
    so with ``--set`` the hint names a new file beside it.
    """
    if not overrides:
        return f"refresh it with '{_refresh_command(scenario, overrides, path)}'"
    own = path.with_name(f"{path.stem}-variant{path.suffix or '.json'}")
    return (f"for this --set variant make a baseline of its own with "
            f"'{_refresh_command(scenario, overrides, own)}' and check against --baseline {own}")


@click.command()
@scenario_argument(required=True)
@click.option("--threshold", "-t", "thresholds", multiple=True, metavar="EXPR",
              help="A gate such as 'sla.twitter >= 0.9' or 'frt.p90.email < 24h' (repeatable; "
                   "added to the scenario's thresholds:).")
@click.option("--rule", type=click.Choice([r.value for r in Rule]), default=Rule.INTERVAL.value,
              show_default=True, help="interval: the whole 95% CI must pass; mean: the mean must.")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="FILE", help="Also flag KPIs that got worse than this baseline (same seeds, paired).")
@click.option("--tolerance", type=click.FloatRange(min=0), default=DEFAULT_TOLERANCE, show_default=True,
              help="Relative worsening allowed against the baseline (0.05 = 5% of its mean).")
@replications_option(f"the baseline's; else the scenario's replications:, else {DEFAULT_REPLICATIONS}")
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
              help="Write JUnit XML: one test case per threshold and per KPI compared with the baseline.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the verdict line.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("results"),
              show_default=True, help="Directory under which the check's result directory (report.html) is made.")
@workers_option()
@scheduler_option()
@override_option()
@max_contacts_option()
@allow_import_option()
@json_option()
def check(scenario, thresholds, rule, baseline_path, tolerance, replications, junit, quiet, out, workers,
          scheduler, overrides, max_contacts, allow_policy_import, as_json):
    """Gate a build: run SCENARIO's replications and judge its thresholds and baseline.

    Exit code 0 when every threshold passes and no KPI regressed, 1 when a
    threshold is breached or a KPI regressed, 2 on a usage error. Writes
    results/check-<scenario>-<timestamp>/ with check.json, summary.txt and
    report.html; --json prints pass/fail, the exit reason and every verdict.
    """
    sc = resolve_scenario(scenario, overrides, allow_import=allow_policy_import)
    gates = collect_thresholds(sc.thresholds, thresholds, catalogue.names(list(sc.channels), list(sc.pools)))
    base = read_baseline(baseline_path) if baseline_path is not None else None
    if not gates and base is None:
        raise UserError(f"check {scenario}: nothing to check; add 'thresholds:' to the scenario, "
                        "--threshold EXPR or --baseline FILE")
    seeds = None
    if base is not None:
        check_baseline_matches(base, sc, _refresh_hint(scenario, overrides, baseline_path))
        if replications is not None and replications != base.replications:
            raise UserError(f"--replications {replications}: the baseline {baseline_path} has "
                            f"{base.replications}; a paired check runs the baseline's seeds")
        seeds = base.seeds
    count = base.replications if base is not None else replication_count(replications, sc, DEFAULT_REPLICATIONS)
    check_size([sc], max_contacts)
    if junit is not None:
        check_output_file(junit, "--junit")
    check_output_directory(out)
    rep = _replicate(sc, count, seeds, workers, scheduler, quiet or as_json, allow_policy_import)
    report = run_check(rep, gates, rule, base, tolerance)
    if junit is not None:
        write_junit(junit, f"carebench check {sc.name}", junit_cases(report))
    seeds_from = "the baseline's seeds" if base is not None else f"seeds spawned from {sc.seed}"
    lines = [f"check {sc.name}: {rep.n} replications ({seeds_from}); {METHOD}"]
    if base is not None and base.version != __version__:
        lines.append(f"note: the baseline was made by carebench {base.version}, this is {__version__}")
    lines += ["", *check_lines(report)]
    final = result_directory(out, f"check-{sc.name}")
    with staged_directory(final) as stage:
        tmp = stage.tmp
        atomic_write_text(tmp / "check.json", to_json(check_data(report, fingerprint=sc.fingerprint(), seeds=rep.seeds,
                                                                 version=__version__, method=METHOD)))
        (tmp / "scenario.yaml").write_text(dump_yaml(sc.as_data()), encoding="utf-8")
        save_summary(tmp, lines)
    final = stage.path  # a unique name if another run took the same second
    if as_json:
        announce(final, lines, True, True)
    elif quiet:
        click.echo(lines[-1])
    else:
        click.echo("\n".join(lines))
        if junit is not None:
            click.echo(f"junit: {junit}")
        click.echo(f"report: {final / 'report.html'}")
    return 0 if report.passed else 1


@click.command()
@scenario_argument(required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
              help="Baseline file to write (default: results/baselines/<scenario name>.json).")
@replications_option(f"the scenario's replications:, else {DEFAULT_REPLICATIONS}")
@click.option("--quiet", "-q", is_flag=True, help="Print only the file written.")
@workers_option()
@scheduler_option()
@override_option()
@max_contacts_option()
@allow_import_option()
@json_option()
def baseline(scenario, out, replications, quiet, workers, scheduler, overrides, max_contacts, allow_policy_import, as_json):
    """Write or refresh the baseline of SCENARIO that 'carebench check --baseline' compares against.

    Records the scenario's fingerprint, the carebench version, the seeds and
    every KPI of every replication; its report goes beside it (NAME.html).
    """
    sc = resolve_scenario(scenario, overrides, allow_import=allow_policy_import)
    if overrides and out is None:
        raise UserError("baseline: with --set the scenario is a variant; name its baseline file with --out FILE")
    path = out or default_baseline_path(sc.name)
    previous = _previous_fingerprint(path)
    count = replication_count(replications, sc, DEFAULT_REPLICATIONS)
    check_size([sc], max_contacts)
    check_output_file(path, "--out" if out is not None else "baseline file")
    rep = _replicate(sc, count, None, workers, scheduler, quiet or as_json, allow_policy_import)
    write_baseline(path, rep, __version__, command=_refresh_command(scenario, overrides, path))
    build_report(path)
    if as_json:
        click.echo(report_json(path), nl=False)
        return
    if not quiet:
        click.echo(f"baseline of {sc.name} (fingerprint {sc.fingerprint()}): {rep.n} replications, "
                   f"{len(rep.kpis[0])} KPIs, carebench {__version__}")
        if previous and previous != sc.fingerprint():
            click.echo(f"replaced a baseline of fingerprint {previous}")
    click.echo(f"wrote {path}")
    if not quiet:
        click.echo(f"report: {report_path(path)}")


def _previous_fingerprint(path: Path) -> str | None:
    if not path.exists():
        return None
    try:
        return read_baseline(path).fingerprint
    except UserError:
        return None
