"""Plain-text tables of a study's estimates (the CLI prints them; ``summary.txt`` keeps them).

The headline table puts the simulated figures beside the published ones the
study file quotes (its ``reference:`` blocks), in the shape of the original
study's headline: share answered within 24 hours, share never answered.
"""

from __future__ import annotations

import math

from carebench.output.report import fmt_number, fmt_share, fmt_time, table
from carebench.study.estimates import BrandEstimate, StudyEstimates
from carebench.study.plan import DifferencePlan, PrecisionPlan, SimulatedSpread, StudySpread
from carebench.study.power import design_effect, half_width_for_design
from carebench.study.runner import StudyRun
from carebench.study.spec import Reference

__all__ = ["headline_rows", "league_rows", "study_summary", "plan_lines"]


def _fixed(x: float) -> str:
    return f"{x:.2f}" if math.isfinite(x) else "-"


def _ci(low: float, high: float) -> str:
    return f"{fmt_share(low)}-{fmt_share(high)}"


def _share_ci(s) -> str:
    return f"{fmt_share(s.share)} ({_ci(s.low, s.high)})" if s is not None else "-"


def _reply_rows(est: StudyEstimates) -> list[list[str]]:
    rows = []
    for b in est.brands:
        sh = b.shares
        rows.append([b.brand, fmt_number(b.probes), _share_ci(sh.get("within_1h")), _share_ci(sh.get("within_24h")),
                     _share_ci(sh["answered"]), fmt_time(b.reply.median), fmt_time(b.reply.p90)])
    p = est.pooled
    rows.append(["pooled", fmt_number(p["answered"].n), _share_ci(p.get("within_1h")), _share_ci(p.get("within_24h")),
                 _share_ci(p["answered"]), fmt_time(est.reply.median), fmt_time(est.reply.p90)])
    return rows


def _design_lines(est: StudyEstimates) -> list[str]:
    out = ["", "pooled over brands (probes clustered within brands; 95% intervals):"]
    rows = []
    for name, p in est.pooled.items():
        rows.append([name, fmt_share(p.share), _ci(p.low, p.high), _ci(p.naive_low, p.naive_high),
                     _fixed(p.design_effect), _fixed(p.icc), fmt_number(p.n / p.design_effect)
                     if p.design_effect and math.isfinite(p.design_effect) else "-"])
    out += table(["measure", "share", "cluster-robust", "naive Wilson", "design effect", "ICC",
                  "effective probes"], rows)
    return out


def _strata_lines(est: StudyEstimates) -> list[str]:
    if len(est.strata) < 2:
        return []
    rows = [[fmt_number(s.followers), fmt_number(s.probes), _share_ci(s.within_24h), fmt_time(s.reply.median),
             fmt_time(s.reply.km_median)] for s in est.strata]
    out = ["", "by follower stratum:"]
    out += table(["followers", "probes", "<=24h (cluster-robust)", "median reply", "KM median"], rows)
    for t in est.strata_tests:
        out.append(
            f"{fmt_number(t.followers)} vs {fmt_number(t.reference)} followers: <=24h difference "
            f"{100 * t.difference:+.1f} points ({100 * t.low:+.1f} to {100 * t.high:+.1f}), p = {t.p_value:.3g} "
            f"(design effect {t.design_effect:.2f}); log-rank p = {t.logrank_p:.3g} (ignores clustering)"
        )
    return out


def _published(value, kind: str) -> str:
    if value is None:
        return ""
    return fmt_time(value) if kind == "time" else fmt_number(value) if kind == "count" else fmt_share(value)


def _measure_rows(who: str, ref: Reference | None, figures: dict) -> list[list[str]]:
    rows = []
    for key, label, kind, always in (
        ("within_24h", "answered within 24 h", "share", True),
        ("never", "never answered (within the window)", "share", True),
        ("answered", "answered within the window ('at all')", "share", True),
        ("within_1h", "answered within 1 h", "share", False),
        ("waited_6h_plus", "waited 6 h or more", "share", False),
        ("mean_reply", "mean time to reply (answered)", "time", False),
        ("brands_answering_none", "brands answering no probe", "count", False),
    ):
        published = None if ref is None else getattr(ref, key, None)
        if key == "never" and ref is not None and ref.answered is not None:
            published = 1.0 - ref.answered
        if key not in figures or not (always or published is not None):
            continue
        value, ci = figures[key]
        shown = fmt_time(value) if kind == "time" else fmt_number(value) if kind == "count" else fmt_share(value)
        rows.append([who, label, _published(published, kind), shown + (f" ({ci})" if ci else "")])
    return rows


def _figures(shares: dict, mean_reply: float) -> dict:
    """Headline figures from a dict of shares (pooled or one brand's) and the mean reply time."""
    def share(key):
        return shares[key].share, _ci(shares[key].low, shares[key].high)

    def complement(key):
        return 1 - shares[key].share, _ci(1 - shares[key].high, 1 - shares[key].low)

    out = {"answered": share("answered"), "never": complement("answered"), "mean_reply": (mean_reply, "")}
    out.update({key: share(key) for key in ("within_1h", "within_24h") if key in shares})
    if "within_6h" in shares:
        out["waited_6h_plus"] = complement("within_6h")
    return out


def headline_rows(run: StudyRun, est: StudyEstimates) -> list[list[str]]:
    """Rows ``[who, measure, published, simulated (95% interval)]``: pooled, then brands with a reference."""
    study = run.study
    pooled = {**_figures(est.pooled, est.reply.mean), "brands_answering_none": (est.brands_answering_none, "")}
    rows = _measure_rows("all brands", study.reference, pooled)
    for b in est.brands:
        ref = study.brands[b.brand].reference
        if ref is not None:
            rows += [r for r in _measure_rows(b.brand, ref, _figures(b.shares, b.reply.mean)) if r[2]]
    return rows


def _per_resolution(b: BrandEstimate, key: str) -> float:
    resolved = b.efficiency.get("resolved", 0.0)
    return b.efficiency[key] / resolved if resolved else math.nan


def league_rows(est: StudyEstimates) -> list[list[str]]:
    """Brands ranked by speed (probes answered within 1 h), with efficiency, exposure and churn risk."""
    def speed(b: BrandEstimate) -> float:
        s = b.shares.get("within_1h")
        return -1.0 if s is None else s.share

    rows = []
    for rank, b in enumerate(sorted(est.brands, key=speed, reverse=True), start=1):
        k = b.kpis
        exposure = k.get("exposure", math.nan) / k["needs_reply"] if k.get("needs_reply") else math.nan
        rows.append([str(rank), b.brand, fmt_share(speed(b)) if speed(b) >= 0 else "-",
                     fmt_share(b.shares["answered"].share), fmt_number(_per_resolution(b, "exchanges")),
                     fmt_number(_per_resolution(b, "deflections")), fmt_number(exposure),
                     fmt_share(k.get("churn.rate", math.nan)), fmt_share(k.get("within_1h", math.nan))])
    return rows


def _spread_lines(est: StudyEstimates) -> list[str]:
    s = est.spread
    if s is None:
        return []
    return [
        "",
        f"across {len(s.values)} repeats (same brands, new seeds): pooled <=24h mean {fmt_share(s.mean)}, "
        f"sd {100 * s.sd:.1f} points, middle 95% {fmt_share(s.low)}-{fmt_share(s.high)}",
        f"standard error inside one study: cluster-robust {100 * s.mean_robust_se:.1f} points; design-effect "
        f"formula {100 * s.formula_se:.1f} points (both include which brands were chosen, the repeats do not)",
    ]


def study_summary(run: StudyRun, est: StudyEstimates) -> list[str]:
    """Every table ``carebench shop`` prints, as lines."""
    study = run.study
    n_brands = len(run.brands)
    out = [
        f"{study.name}: {n_brands} brands x {study.probes.per_brand} probes ({study.probes.kind}, "
        f"{study.probes.channel}, {'@-mention' if study.probes.mention else 'no @-mention'}) x "
        f"{est.repeats} repeat{'s' if est.repeats != 1 else ''}; window {fmt_time(study.window)}; "
        f"answered = {'any reply (a bot acknowledgement counts)' if study.answered_by == 'any' else 'an agent reply'}; "
        f"seed {study.seed}",
        "",
    ]
    out += table(["brand", "probes", "<=1h (95% CI)", "<=24h (95% CI)", "in window (95% CI)", "median reply",
                  "p90 reply"], _reply_rows(est))
    out += _design_lines(est)
    out += _strata_lines(est)
    rows = headline_rows(run, est)
    out += ["", "headline beside the published figures:"]
    out += table(["who", "measure", "published", "simulated (95% CI)"], rows)
    out += _spread_lines(est)
    out += ["", "league table (speed: probes answered within 1 h; the brand's own traffic on the probes' channel):"]
    out += table(["#", "brand", "probes <=1h", "probes answered", "exchanges/resolution",
                  "deflections/resolution", "exposure/contact", "churn risk", "traffic <=1h"], league_rows(est))
    if study.reference is not None or any(b.reference for b in study.brands.values()):
        sources = [study.reference.source] if study.reference else []
        sources += [f"{n}: {b.reference.source}" for n, b in study.brands.items() if b.reference]
        out += ["", "published figures: " + "; ".join(sources)]
    return out


def _points(x: float) -> str:
    return f"{100 * x:.1f} points"


def _precision_lines(p: PrecisionPlan) -> list[str]:
    out = [f"pooled share within +/-{_points(p.half_width)} ({p.confidence:.0%} interval) at {p.probes_per_brand} "
           f"probes per brand: {p.brands_needed} brands ({p.probes_needed:,} probes)"]
    if p.brands is not None:
        if p.probes_per_brand_needed is not None:
            out.append(f"  with {p.brands} brands: {p.probes_per_brand_needed:,} probes per brand "
                       f"({p.probes_per_brand_needed * p.brands:,} probes)")
        else:
            out.append(f"  with {p.brands} brands no number of probes per brand is enough: the half-width "
                       f"cannot fall below +/-{_points(p.floor)} (brands differ; only more brands help)")
    return out


def _difference_lines(d: DifferencePlan) -> list[str]:
    out = [f"difference {fmt_share(d.share_a)} vs {fmt_share(d.share_b)} between two strata "
           f"({d.allocation:.0%} / {1 - d.allocation:.0%} of each brand's {d.probes_per_brand} probes), "
           f"power {d.power:.0%} at alpha {d.alpha:g}: {d.brands_needed} brands "
           f"({d.brands_needed * d.probes_per_brand:,} probes)"]
    if d.brands is not None:
        out.append(f"  with {d.brands} brands the power is {d.power_at_brands:.0%}")
    return out


def _simulated_lines(s: SimulatedSpread) -> list[str]:
    out = [f"simulated: {s.studies:,} studies of {s.brands} brands x {s.probes_per_brand} probes, brand shares "
           f"beta-distributed (mean {fmt_share(s.share)}, ICC {s.icc:.3g}):",
           f"  pooled share: mean {fmt_share(s.mean)}, sd {_points(s.sd)} (formula {_points(s.formula_se)}), "
           f"middle 95% {fmt_share(s.low)}-{fmt_share(s.high)}; the cluster-robust interval held the true share "
           f"in {s.coverage:.1%} of studies"]
    if s.power is not None:
        out.append(f"  strata difference {_points(s.difference)}: significant in {s.power:.1%} of studies "
                   f"(formula power {s.formula_power:.1%})")
    return out


def _study_lines(s: StudySpread) -> list[str]:
    return [
        f"study file: {s.brands} brands x {s.probes_per_brand} probes run on {s.repeats} seeds: pooled share within "
        f"24 h {fmt_share(s.share)}, ICC {s.icc:.3f} (design effect "
        f"{design_effect(s.probes_per_brand, min(1.0, s.icc)):.1f})",
        f"  same brands, new seeds: sd {_points(s.fixed_sd)}, middle 95% "
        f"{fmt_share(s.fixed_low)}-{fmt_share(s.fixed_high)} (the probes' own noise only)",
        f"  brands drawn again with replacement: sd {_points(s.resampled_sd)}, middle 95% "
        f"{fmt_share(s.resampled_low)}-{fmt_share(s.resampled_high)}; design-effect formula {_points(s.formula_se)}",
    ]


def plan_lines(share: float, icc: float, probes_per_brand: int, brands: int | None, confidence: float,
               precision: PrecisionPlan | None, difference: DifferencePlan | None,
               simulated: SimulatedSpread | None, spread: StudySpread | None) -> list[str]:
    """What ``carebench shop plan`` prints."""
    deff = design_effect(probes_per_brand, icc)
    out = [f"expected share {fmt_share(share)}, ICC {icc:.3g}, {probes_per_brand} probes per brand: design effect "
           f"{deff:.2f} (each brand's {probes_per_brand} probes count as {probes_per_brand / deff:.1f} independent ones)"]
    if spread is not None:
        out += _study_lines(spread)
    if brands is not None:
        hw = half_width_for_design(share, brands=brands, probes_per_brand=probes_per_brand, icc=icc,
                                   confidence=confidence)
        out.append(f"design {brands} brands x {probes_per_brand} probes: pooled share +/-{_points(hw)} "
                   f"({confidence:.0%} interval)")
    if precision is not None:
        out += _precision_lines(precision)
    if difference is not None:
        out += _difference_lines(difference)
    if simulated is not None:
        out += _simulated_lines(simulated)
    return out
