"""``carebench compare``: scenario variants side by side on common random numbers."""

from __future__ import annotations

from pathlib import Path

import click

from carebench.cli.common import (
    allow_import_option,
    check_size,
    max_contacts_option,
    resolve_path,
    result_directory,
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
from carebench.load.loader import (
    DEFAULT_SCENARIO,
    apply_overrides,
    parse_override,
    scenario_from_data,
    shipped_scenario_path,
)
from carebench.load.yamlio import load_yaml_file
from carebench.output.compare_report import comparison_table, comparison_words, labels
from carebench.output.replications import write_comparison
from carebench.runs.compare import check_kpis, kpi_names, default_kpis
from carebench.runs.compare import compare as compare_variants
from carebench.runs.replicate import METHOD, run_replications
from carebench.runs.store import TaskStore
from carebench.runs.tasks import Variant
from carebench.util.errors import UserError
from carebench.util.paths import check_output_directory

__all__ = ["compare", "build_variants"]

DEFAULT_REPLICATIONS = 10


def _data(path: Path | None, common: list[tuple]) -> tuple[dict, str]:
    file = shipped_scenario_path(DEFAULT_SCENARIO) if path is None else path
    data = load_yaml_file(file)
    return apply_overrides(data if isinstance(data, dict) else {}, common), str(file)


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return out


def build_variants(scenarios: tuple[str, ...], sets: tuple[str, ...], common: tuple[str, ...],
                   allow_import: bool = False) -> list[Variant]:
    """The variants of a comparison: several scenario files, or one scenario and several ``--set``.

    A ``--set`` may hold several overrides separated by ``;`` (one variant);
    ``--common`` overrides apply to every variant.
    """
    shared = [parse_override(c) for c in common]
    if len(scenarios) >= 2 and sets:
        raise UserError("compare: with several scenario files each file is a variant; "
                        "use --common PATH=VALUE to change a field in all of them")
    if len(scenarios) >= 2:
        names = _unique([Path(s).stem for s in scenarios])
        out = []
        for name, text in zip(names, scenarios):
            data, source = _data(resolve_path(text), shared)
            out.append(Variant(name, scenario_from_data(data, source, allow_import=allow_import)))
        return out
    if len(sets) < 2:
        raise UserError("compare: expected two or more variants: several scenario files, "
                        "or one scenario with two or more --set PATH=VALUE")
    data, source = _data(resolve_path(scenarios[0]) if scenarios else None, shared)
    out = []
    for name, text in zip(_unique([" ".join(s.split()) for s in sets]), sets):
        settings = tuple(parse_override(part) for part in text.split(";") if part.strip())
        scenario = scenario_from_data(apply_overrides(data, list(settings)), f"{source} [--set {text}]",
                                      allow_import=allow_import)
        out.append(Variant(name, scenario, settings))
    return out


@click.command()
@click.argument("scenarios", nargs=-1, metavar="SCENARIO...")
@click.option("--set", "sets", multiple=True, metavar="PATH=VALUE",
              help="One variant of the single SCENARIO (repeat for each; ';' joins overrides of one variant).")
@click.option("--common", multiple=True, metavar="PATH=VALUE",
              help="Override a field in every variant (repeatable), e.g. --common horizon=2d.")
@replications_option(f"the first scenario's replications:, else {DEFAULT_REPLICATIONS}")
@seed_option()
@kpi_option("SLA and FRT p90 per channel, exposure, churn, agent-hours, cost")
@output_options("comparison")
@workers_option()
@scheduler_option()
@max_contacts_option()
@allow_import_option()
@json_option()
def compare(scenarios, sets, common, replications, seed, kpis, out, resume, no_plots, quiet, workers,
            scheduler, max_contacts, allow_policy_import, as_json):
    """Compare scenario variants on the same seeds: A.yaml B.yaml ..., or SCENARIO --set ... --set ...

    Reports each KPI's mean and 95% confidence interval per variant and the
    paired difference of each variant from the first, and writes a comparison
    directory with comparison.csv, replications.csv and plots.
    """
    variants = build_variants(scenarios, sets, common, allow_policy_import)
    first = variants[0].scenario
    warn(first, scenarios[0] if scenarios else "default")
    check_size([v.scenario for v in variants], max_contacts)
    count = replication_count(replications, first, DEFAULT_REPLICATIONS)
    chosen = check_kpis(split_kpis(kpis), kpi_names(first, allow_import=allow_policy_import)) or default_kpis(first.channels)
    if resume is None:
        check_output_directory(out)
    name = f"compare-{first.name}"
    base = first.seed if seed is None else seed
    with open_executor(workers, scheduler) as executor, \
            output_directory(resume or result_directory(out, name), resume, variants, "compare") as directory:
        with resumable(directory), task_progress("comparing", count * len(variants), not (quiet or as_json),
                                                 lambda r: check_kpis(chosen, r.kpis)) as progress:
            reps = run_replications(variants, count, executor, base_seed=base, store=TaskStore(directory),
                                    progress=progress, allow_import=allow_policy_import)
    rows = compare_variants(reps, chosen)
    sla = {n: c.sla for n, c in first.channels.items()}
    write_comparison(directory, reps, rows, sla, plots=not no_plots)
    lines = _lines(reps, rows, count, base)
    save_summary(directory, lines)
    announce(directory, lines, as_json, quiet)


def _lines(reps, rows, count, base) -> list[str]:
    names = [r.name for r in reps]
    out = [f"compare: {len(reps)} variants, {count} replications each on common random numbers "
           f"(seeds spawned from {base}); 95% confidence intervals",
           f"method: {METHOD}; differences are paired by seed", ""]
    out += [f"  {tag}  {name}" + ("  (reference)" if tag == "A" else "") for tag, name in zip(labels(len(names)), names)]
    return [*out, "", *comparison_table(rows, names), "", *comparison_words(rows, names)]
