"""``carebench shop``: run a mystery-shopper study, or plan one.

``carebench shop STUDY`` is short for ``carebench shop run STUDY``;
``carebench shop plan ...`` answers sample-size questions. A first argument
that names a subcommand (``run``, ``plan``) is always the subcommand: run a
study file called ``plan`` as ``carebench shop run plan`` or ``carebench
shop ./plan``.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import click
import numpy as np

from carebench.cli.common import allow_import_option, check_size, max_contacts_option, result_directory
from carebench.cli.execution import open_executor, resumable, scheduler_option
from carebench.cli.jsonout import announce, json_option, save_summary
from carebench.load.limits import MAX_SIMULATED_DRAWS
from carebench.output.study import write_study
from carebench.output.study_report import plan_lines, study_summary
from carebench.study.estimates import estimate_study
from carebench.study.plan import plan_difference, plan_precision, simulate_beta_binomial, study_spread
from carebench.study.resolve import load_study, study_path
from carebench.study.runner import run_study
from carebench.util.atomic import atomic_write_text
from carebench.util.jsonio import to_json
from carebench.util.atomic import staged_directory
from carebench.util.errors import UserError
from carebench.util.paths import check_output_directory

__all__ = ["shop"]


class ShopGroup(click.Group):
    """A group whose first argument, unless it names a subcommand or asks for help, is a study to run."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Route ``shop STUDY ...`` to ``shop run STUDY ...``."""
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["run", *args]
        return super().parse_args(ctx, args)


@click.group(cls=ShopGroup, invoke_without_command=True)
@click.pass_context
def shop(ctx):
    """Mystery-shopper studies: `carebench shop STUDY` runs one (short for `shop run STUDY`); `shop plan` sizes one."""
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


def _run(loaded, workers: int, scheduler: str | None, allow_import: bool, show: bool):
    """Run a loaded study on the executor of ``--workers``/``--scheduler``, with a progress bar on a terminal."""
    total = len(loaded.study.brands) * loaded.study.repeats
    with open_executor(workers if total > 1 else 1, scheduler) as executor, resumable(None):
        if not show or not sys.stderr.isatty():
            return run_study(loaded, executor=executor, allow_import=allow_import)
        with click.progressbar(length=total, label="brand runs", file=sys.stderr) as bar:
            return run_study(loaded, executor=executor, allow_import=allow_import,
                             progress=lambda _done, _total: bar.update(1))


@shop.command("run")
@click.argument("study", metavar="STUDY")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Study seed (default: the study's).")
@click.option("--repeats", type=click.IntRange(min=1), default=None,
              help="Repeat the whole study on this many seeds (default: the study's 'repeats').")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Brand runs in parallel processes (results are identical for any number).")
@scheduler_option()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("results"),
              show_default=True, help="Directory under which the study directory is made.")
@click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE",
              help="Override a study field by dotted path, e.g. probes.per_brand=10 (repeatable).")
@click.option("--brand-set", "brand_overrides", multiple=True, metavar="[BRAND:]PATH=VALUE",
              help="Override a scenario field of every brand, or of BRAND only (repeatable).")
@click.option("--no-plots", is_flag=True, help="Skip km.png and strata.png.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the result directory.")
@max_contacts_option()
@allow_import_option()
@json_option()
def run(study, seed, repeats, workers, scheduler, out, overrides, brand_overrides, no_plots, quiet, max_contacts,
        allow_policy_import, as_json):
    """Run STUDY (a study file or a shipped study: stella_24h, uk_isps) and write its result directory.

    Prints per-brand and pooled shares answered within 1 h, 24 h and the
    window with 95% intervals, the strata comparison, the headline beside
    the published figures and a league table; writes probes.csv, brands.csv,
    summary.json, summary.txt, km.png and strata.png.
    """
    extra = list(overrides) + ([f"seed={seed}"] if seed is not None else [])
    extra += [f"repeats={repeats}"] if repeats is not None else []
    loaded = load_study(study_path(study), extra, list(brand_overrides), allow_import=allow_policy_import)
    check_size(loaded.brands.values(), max_contacts)
    check_output_directory(out)
    result = _run(loaded, workers, scheduler, allow_policy_import, not (quiet or as_json))
    est = estimate_study(result)
    lines = study_summary(result, est)
    final = result_directory(out, loaded.study.name)
    with staged_directory(final) as stage:
        write_study(stage.tmp, result, est, lines, plots=not no_plots,
                    extra={"study_file": study, "set": list(extra), "brand_set": list(brand_overrides)})
        save_summary(stage.tmp, lines)  # summary.txt again (the same lines), meta.json and report.html
    announce(stage.path, lines, as_json, quiet)


def _share(option: str, value: float | None) -> None:
    if value is not None and not 0 < value < 1:
        raise UserError(f"{option}: expected a share strictly between 0 and 1 (0.42 for 42%), got {value:g}")


@shop.command("plan")
@click.option("--share", type=float, default=None, help="Expected share answered within 24 h, e.g. 0.42.")
@click.option("--icc", type=click.FloatRange(0, 1), default=None, help="Intra-brand correlation, e.g. 0.1.")
@click.option("--half-width", type=float, default=None, help="Wanted half-width of the pooled share, e.g. 0.05.")
@click.option("--difference", type=float, default=None,
              help="Difference between two follower strata to detect, e.g. 0.15 (second stratum = share + D).")
@click.option("--probes-per-brand", type=click.IntRange(min=1, max=1_000_000), default=None,
              help="Probes per brand [45].")
@click.option("--brands", type=click.IntRange(min=2, max=100_000), default=None, help="A number of brands to evaluate.")
@click.option("--power", type=float, default=0.8, show_default=True, help="Wanted power for --difference.")
@click.option("--alpha", type=float, default=0.05, show_default=True, help="Significance level of the test.")
@click.option("--allocation", type=float, default=0.5, show_default=True,
              help="Share of each brand's probes in the first stratum.")
@click.option("--confidence", type=float, default=0.95, show_default=True, help="Confidence of the interval.")
@click.option("--simulate", type=click.IntRange(min=2, max=100_000), default=None, metavar="N",
              help="Also simulate N studies of the design and compare their spread with the formula.")
@click.option("--study", default=None, metavar="STUDY",
              help="Take share, ICC and design from a study file, and resample its brands for --simulate.")
@click.option("--repeats", type=click.IntRange(min=2), default=10, show_default=True,
              help="With --study: seeds the study is run on.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="With --study: brand runs in parallel processes.")
@scheduler_option()
@click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True, help="Seed of the simulations.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("results"),
              show_default=True, help="Directory under which the plan's result directory (report.html) is made.")
@allow_import_option()
@json_option()
def plan(share, icc, half_width, difference, probes_per_brand, brands, power, alpha, allocation, confidence,
         simulate, study, repeats, workers, scheduler, seed, out, allow_policy_import, as_json):
    """How many brands and probes per brand a study needs, checked against simulated studies.

    Examples: `carebench shop plan --share 0.42 --half-width 0.05 --icc 0.1 --probes-per-brand 45`;
    `carebench shop plan --share 0.4 --difference 0.15 --icc 0.1 --brands 25 --simulate 2000`;
    `carebench shop plan --study stella_24h --simulate 2000`.
    """
    _share("--share", share)
    spread = None
    if study is not None:
        loaded = load_study(study_path(study), [f"repeats={repeats}"], allow_import=allow_policy_import)
        result = _run(loaded, workers, scheduler, allow_policy_import, not as_json)
        spread = study_spread(result, simulate or 2000, np.random.default_rng(seed))
        share = spread.share if share is None else share
        icc = spread.icc if icc is None else icc
        probes_per_brand = probes_per_brand or spread.probes_per_brand
        brands = brands or spread.brands
    if share is None or icc is None:
        raise UserError("carebench shop plan: expected --share and --icc (or --study to take them from a study)")
    if not 0 < share < 1:
        raise UserError(f"--study: its pooled share within 24 h is {share:.0%}; the formulas need a share inside (0, 1)")
    m = probes_per_brand or 45
    precision = differ = simulated = None
    if half_width is not None:
        precision = plan_precision(share, half_width, icc=icc, probes_per_brand=m, brands=brands,
                                   confidence=confidence)
    if difference is not None:
        _share("--difference (second stratum's share)", share + difference)
        differ = plan_difference(share, share + difference, icc=icc, probes_per_brand=m, power=power, alpha=alpha,
                                 allocation=allocation, brands=brands)
    if simulate is not None:
        k = brands or (precision.brands_needed if precision else None) or (differ.brands_needed if differ else 25)
        if simulate * k > MAX_SIMULATED_DRAWS:
            raise UserError(f"--simulate {simulate}: {simulate:,} studies × {k:,} brands = {simulate * k:,} brand "
                            f"shares to draw; expected at most {MAX_SIMULATED_DRAWS:,}: simulate fewer studies")
        simulated = simulate_beta_binomial(share, icc, brands=k, probes_per_brand=m, studies=simulate,
                                           rng=np.random.default_rng(seed), difference=difference, alpha=alpha,
                                           allocation=allocation, confidence=confidence)
    if precision is None and differ is None and simulated is None and spread is None and brands is None:
        raise UserError("carebench shop plan: expected --half-width, --difference, --brands or --simulate")
    lines = plan_lines(share, icc, m, brands, confidence, precision, differ, simulated, spread)
    inputs = {"share": share, "icc": icc, "half_width": half_width, "difference": difference, "probes_per_brand": m,
              "brands": brands, "power": power, "alpha": alpha, "allocation": allocation, "confidence": confidence,
              "simulate": simulate, "study": study, "seed": seed}
    final = result_directory(out, "shop-plan")
    with staged_directory(final) as stage:
        tmp = stage.tmp
        answer = {"precision": precision, "difference": differ, "simulated": simulated, "study_spread": spread}
        atomic_write_text(tmp / "study_plan.json", to_json({
            "inputs": inputs, "lines": lines,
            **{k: None if v is None else dataclasses.asdict(v) for k, v in answer.items()}}))
        save_summary(tmp, lines)
    final = stage.path  # a unique name if another run took the same second
    if as_json:
        announce(final, lines, True, True)
        return
    click.echo("\n".join(lines))
    click.echo(f"report: {final / 'report.html'}")
