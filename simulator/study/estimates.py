"""Estimates a researcher can publish from a study's probes.

Per brand: the share of probes answered within 1 h, 6 h, 24 h and within
the observation window, each with a Wilson interval; reply-time quantiles
among the answered; a Kaplan-Meier median that treats the unanswered as
censored at the window. Pooled over brands: the same shares with a
cluster-robust interval (probes are clustered within brands), the design
effect and the intra-brand correlation. By follower stratum: the share
within 24 h and reply times, with a test of each stratum against the
smallest accounts. Across repeats: how much the pooled headline varies
against what the design-effect formula predicts. Pure functions of the
probe records; :mod:`carebench.output.study_report` turns them into tables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from carebench.study.inference import (
    clustered_proportion,
    kaplan_meier,
    km_quantile,
    logrank_test,
    two_proportion_test_clustered,
    wilson_interval,
)
from carebench.study.power import standard_error_for_design
from carebench.study.runner import ProbeRecord, StudyRun
from carebench.util.units import DAY, HOUR

__all__ = [
    "LIMITS",
    "Share",
    "PooledShare",
    "ReplyTimes",
    "BrandEstimate",
    "StratumEstimate",
    "StratumTest",
    "RepeatSpread",
    "StudyEstimates",
    "durations",
    "reply_hits",
    "common_design_effect",
    "estimate_study",
]

LIMITS = {"within_1h": HOUR, "within_6h": 6 * HOUR, "within_24h": DAY}
"""The fixed reply-time limits reported besides ``answered`` (within the window)."""


@dataclass(frozen=True)
class Share:
    """``successes`` of ``n`` probes with the Wilson 95 % interval ``[low, high]``."""

    successes: int
    n: int
    share: float
    low: float
    high: float


@dataclass(frozen=True)
class PooledShare:
    """A share pooled over brands: cluster-robust interval, design effect, ICC, and the naive Wilson one.

    When every probe or none was answered the cluster-robust variance is 0
    and says nothing; ``low``/``high`` are then the Wilson interval's.
    """

    successes: int
    n: int
    share: float
    low: float
    high: float
    standard_error: float
    design_effect: float
    icc: float
    clusters: int
    naive_low: float
    naive_high: float


@dataclass(frozen=True)
class ReplyTimes:
    """Reply times in seconds: quantiles and mean among the answered, and the Kaplan-Meier median.

    The Kaplan-Meier median counts the unanswered as censored at the window:
    it is the time by which half of *all* probes were answered (NaN when
    fewer than half were).
    """

    answered: int
    median: float
    p90: float
    mean: float
    km_median: float


@dataclass(frozen=True)
class BrandEstimate:
    """One brand over every repeat: shares, reply times, and its own traffic's figures."""

    brand: str
    probes: int
    shares: dict[str, Share]
    reply: ReplyTimes
    unseen: int
    bot_replies: int
    deflected: int
    kpis: dict[str, float] = field(default_factory=dict)
    efficiency: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class StratumEstimate:
    """The probes sent from accounts with ``followers`` followers, pooled over brands."""

    followers: float
    probes: int
    within_24h: PooledShare
    reply: ReplyTimes


@dataclass(frozen=True)
class StratumTest:
    """``followers`` against the ``reference`` stratum (the fewest followers).

    ``difference`` (and its interval) is the share within 24 h of this
    stratum minus the reference's, tested with the clustered two-proportion
    z-test using ``design_effect``; ``logrank_p`` compares the whole
    reply-time curves (it ignores the clustering, so it errs on the
    significant side).
    """

    followers: float
    reference: float
    difference: float
    low: float
    high: float
    z: float
    p_value: float
    design_effect: float
    logrank_chi2: float
    logrank_p: float


@dataclass(frozen=True)
class RepeatSpread:
    """How the pooled share within 24 h varied across the study's repeats (same brands, new seeds).

    ``formula_se`` is the standard error the design-effect formula gives for
    this design with the pooled share and ICC, which also counts which
    brands happened to be chosen; ``mean_robust_se`` the average
    cluster-robust standard error reported inside each repeat.
    """

    values: tuple[float, ...]
    mean: float
    sd: float
    low: float
    high: float
    formula_se: float
    mean_robust_se: float


@dataclass(frozen=True)
class StudyEstimates:
    """Everything :func:`estimate_study` finds; plain data for the report, JSON and plots."""

    window: float
    answered_by: str
    repeats: int
    brands: list[BrandEstimate]
    pooled: dict[str, PooledShare]
    reply: ReplyTimes
    brands_answering_none: int
    strata: list[StratumEstimate]
    strata_tests: list[StratumTest]
    spread: RepeatSpread | None


def durations(records: list[ProbeRecord], window: float, answered_by: str) -> tuple[np.ndarray, np.ndarray]:
    """Each probe's time to the counted reply, censored at ``window``: ``(durations, observed)``."""
    reply = np.array([r.reply(answered_by) for r in records], dtype=float)
    observed = ~np.isnan(reply) & (reply <= window)
    return np.where(observed, reply, window), observed


def _share(successes: int, n: int) -> Share:
    p, low, high = wilson_interval(successes, n)
    return Share(int(successes), int(n), p, low, high)


def reply_hits(records: list[ProbeRecord], window: float, answered_by: str) -> dict[str, np.ndarray]:
    """Per probe, whether it was answered within each of :data:`LIMITS` and within the window (``answered``).

    A limit longer than the window cannot be observed: its array is all NaN.
    """
    d, observed = durations(records, window, answered_by)
    hits = {name: observed & (d <= limit) if limit <= window else np.full(d.size, np.nan)
            for name, limit in LIMITS.items()}
    hits["answered"] = observed
    return hits


def _reply_times(records: list[ProbeRecord], window: float, answered_by: str) -> ReplyTimes:
    if not records:
        return ReplyTimes(0, math.nan, math.nan, math.nan, math.nan)
    d, observed = durations(records, window, answered_by)
    times = d[observed]
    if not times.size:
        return ReplyTimes(0, math.nan, math.nan, math.nan, math.nan)
    return ReplyTimes(int(times.size), float(np.quantile(times, 0.5)), float(np.quantile(times, 0.9)),
                      float(times.mean()), km_quantile(kaplan_meier(d, observed), 0.5))


def _brand(name: str, records: list[ProbeRecord], runs, window: float, answered_by: str) -> BrandEstimate:
    hits = reply_hits(records, window, answered_by)
    shares = {k: _share(int(np.nansum(v)), len(records)) for k, v in hits.items() if not np.isnan(v).any()}
    kpis = {k: _mean([r.kpis[k] for r in runs]) for k in runs[0].kpis}
    eff = {k: float(sum(r.efficiency[k] for r in runs)) for k in runs[0].efficiency}
    return BrandEstimate(name, len(records), shares, _reply_times(records, window, answered_by),
                         sum(not r.seen for r in records), sum(r.bot for r in records),
                         sum(r.deflected for r in records), kpis, eff)


def _mean(values: list[float]) -> float:
    finite = [v for v in values if math.isfinite(v)]
    return sum(finite) / len(finite) if finite else math.nan


def _pooled(success_by_brand: list[int], n_by_brand: list[int]) -> PooledShare:
    c = clustered_proportion(success_by_brand, n_by_brand)
    s, n = int(sum(success_by_brand)), int(sum(n_by_brand))
    _, nlow, nhigh = wilson_interval(s, n)
    low, high = (c.low, c.high) if 0 < s < n else (nlow, nhigh)
    return PooledShare(s, n, c.estimate, low, high, c.standard_error, c.design_effect, c.icc, c.clusters,
                       nlow, nhigh)


def _pool(records: list[ProbeRecord], brands: list[str], window: float, answered_by: str,
          measure: str) -> PooledShare:
    hits = reply_hits(records, window, answered_by)[measure]
    names = np.array([r.brand for r in records])
    return _pooled([int(hits[names == b].sum()) for b in brands], [int((names == b).sum()) for b in brands])


def _strata(records, brands, window, answered_by) -> tuple[list[StratumEstimate], list[StratumTest]]:
    if LIMITS["within_24h"] > window:
        return [], []
    levels = sorted({r.followers for r in records})
    groups = {f: [r for r in records if r.followers == f] for f in levels}
    strata = [StratumEstimate(f, len(g), _pool(g, brands, window, answered_by, "within_24h"),
                              _reply_times(g, window, answered_by)) for f, g in groups.items()]
    pooled = _pool(records, brands, window, answered_by, "within_24h").design_effect
    tests = []
    base = strata[0]
    for s in strata[1:]:
        a, b = s.within_24h, base.within_24h
        deff = common_design_effect(a.design_effect, b.design_effect, pooled)
        diff = two_proportion_test_clustered(a.successes, a.n, b.successes, b.n, deff)
        da, oa = durations(groups[s.followers], window, answered_by)
        db, ob = durations(groups[base.followers], window, answered_by)
        lr = logrank_test(da, oa, db, ob)
        tests.append(StratumTest(s.followers, base.followers, diff.difference, diff.low, diff.high, diff.z,
                                 diff.p_value, deff, lr.statistic, lr.p_value))
    return strata, tests


def common_design_effect(a: float, b: float, fallback: float) -> float:
    """The design effect for comparing two strata: the mean of theirs, else ``fallback``, else 1; at least 1.

    Each stratum's own design effect matches the planning formula (its
    cluster size is the stratum's probes per brand); a stratum answered
    all-or-nothing has none (0/0), and the pooled one stands in. Below 1
    is clipped so that clustering never makes the test bolder.
    """
    finite = [x for x in (a, b) if math.isfinite(x)]
    value = sum(finite) / len(finite) if finite else fallback
    return max(1.0, value if math.isfinite(value) else 1.0)


def _spread(run: StudyRun, pooled: PooledShare, window: float, answered_by: str) -> RepeatSpread | None:
    repeats = sorted({r.repeat for r in run.runs})
    if len(repeats) < 2 or LIMITS["within_24h"] > window or not 0 < pooled.share < 1:
        return None
    brands, per = run.brands, run.study.probes.per_brand
    values, ses = [], []
    for k in repeats:
        recs = [p for r in run.runs if r.repeat == k for p in r.probes]
        est = _pool(recs, brands, window, answered_by, "within_24h")
        values.append(est.share)
        ses.append(est.standard_error)
    v = np.array(values)
    icc = pooled.icc if math.isfinite(pooled.icc) else 0.0
    formula = standard_error_for_design(pooled.share, brands=len(brands), probes_per_brand=per, icc=min(icc, 1.0))
    return RepeatSpread(tuple(values), float(v.mean()), float(v.std(ddof=1)), float(np.quantile(v, 0.025)),
                        float(np.quantile(v, 0.975)), formula, float(np.nanmean(ses)))


def estimate_study(run: StudyRun) -> StudyEstimates:
    """Every estimate of a study run (all repeats pooled, brands as clusters)."""
    study = run.study
    window, by = study.window, study.answered_by
    records = run.records()
    brands = run.brands
    per_brand = []
    for name in brands:
        runs = [r for r in run.runs if r.brand == name]
        per_brand.append(_brand(name, [p for r in runs for p in r.probes], runs, window, by))
    measures = [m for m, limit in LIMITS.items() if limit <= window] + ["answered"]
    pooled = {m: _pool(records, brands, window, by, m) for m in measures}
    strata, tests = _strata(records, brands, window, by)
    none = sum(b.shares["answered"].successes == 0 for b in per_brand)
    return StudyEstimates(window, by, len({r.repeat for r in run.runs}),
                          per_brand, pooled, _reply_times(records, window, by), none, strata, tests,
                          _spread(run, pooled["within_24h"], window, by) if "within_24h" in pooled else None)
