"""Sectioning: an interval's centre from every contact pooled, its width from the spread between sections.

A run's 90th-percentile wait is the quantile of a finite, correlated sample
of waits, and such a quantile is biased: averaged over thousands of
replications, run p90s read 1.7-2.5 % above Erlang C on the coverage
harness's M/M/2, M/M/5 and M/M/20 queues (docs/statistics.md). The bias does not
shrink with more replications, so the more replications, the more surely an
interval centred on that average misses the truth. A run's mean wait is a
ratio (total wait over answered contacts), and the plain average of
per-run ratios counts a quiet run's contacts as much as a busy run's.

Sectioning (Asmussen & Glynn, *Stochastic Simulation*, 2007, section
III.5a; Nakayama, *Confidence intervals for quantiles using sectioning when
applying variance-reduction techniques*, ACM TOMACS 24, 2014) takes the
estimate from all the data at once, here every replication's contacts in
one histogram, whose quantile is biased only as much as one run ``n`` times
as long, and keeps only the width from the spread of the sections'
(replications' or batches') own values. On those queues the pooled p90 is
within 0.3 % of the truth. The family's interval is moved onto the pooled value: scaled
for a log-scale (times) interval, shifted otherwise.

Which KPIs are pooled: the first-response-time mean and quantiles of each
channel and of all channels (``frt.{mean,p50,p90,p99}.<channel|all>``),
whose histograms every replication returns. Every other KPI, shares
included, keeps the average of its per-run values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

from carebench.engine.histogram import LogHistogram
from carebench.stats.bounds import natural_bounds, within_run
from carebench.stats.intervals import LOGNORMAL_METHOD, Estimate, summarise

__all__ = ["POOLED", "pooled_frt", "sectioned", "pooled_interval", "both_pooled", "summarise_pooled"]

POOLED = "sectioning (pooled contacts), "
"""Prefix of the method of an interval centred on the pooled value (:func:`summarise_pooled`)."""


def pooled_frt(histograms: Sequence[Mapping[str, Mapping]]) -> dict[str, float]:
    """First-response-time KPIs of every run's contacts together, by KPI name.

    ``histograms[i]`` maps channel names to run ``i``'s first-response-time
    histogram (:meth:`LogHistogram.to_dict` form). Gives
    ``frt.{mean,p50,p90,p99}.<channel>`` and ``.all`` (every channel), and
    nothing at all when any run lacks its histograms (results kept by an
    older version), so a KPI is pooled over all its runs or none.
    """
    if not histograms or not all(histograms):
        return {}
    merged: dict[str, LogHistogram] = {}
    every = LogHistogram()
    for run in histograms:
        for channel, data in run.items():
            merged.setdefault(channel, LogHistogram()).add_dict(data)
            every.add_dict(data)
    out: dict[str, float] = {}
    for channel, hist in [*merged.items(), ("all", every)]:
        if hist.n:
            out.update({f"frt.{stat}.{channel}": value for stat, value in hist.statistics().items()})
    return out


def sectioned(name: str, est: Estimate, centre: float) -> Estimate:
    """``est`` moved to ``centre``: scaled for a log-scale interval, shifted otherwise, cut to bounds.

    An estimate without a finite interval, or a ``centre`` that is NaN, is
    returned as it is; the centre always lies inside the result.
    """
    if not (math.isfinite(centre) and math.isfinite(est.low) and math.isfinite(est.high) and est.n >= 2):
        return est
    if est.method.endswith(LOGNORMAL_METHOD) and est.mean > 0 and centre > 0:
        low, high = est.low * centre / est.mean, est.high * centre / est.mean
    else:
        low, high = est.low + centre - est.mean, est.high + centre - est.mean
    lo_bound, hi_bound = natural_bounds(name)
    low, high = max(min(low, centre), lo_bound), min(max(high, centre), hi_bound)
    return replace(est, mean=centre, low=low, high=high, half_width=(high - low) / 2.0)


def both_pooled(a: Estimate, b: Estimate) -> bool:
    """Whether both estimates are centred on pooled contacts, so that their difference may be too."""
    return a.method.startswith(POOLED) and b.method.startswith(POOLED)


def pooled_interval(name: str, est: Estimate, pooled: Mapping[str, float]) -> Estimate:
    """``est`` centred on ``pooled[name]`` with its method saying so; as it is for a KPI not pooled."""
    if name not in pooled:
        return est
    moved = sectioned(name, est, pooled[name])
    return moved if moved is est else replace(moved, method=POOLED + est.method)


def summarise_pooled(kpis: Sequence[Mapping[str, float]], histograms: Sequence[Mapping[str, Mapping]],
                     confidence: float = 0.95, own: Mapping[str, Estimate] | None = None,
                     longest: float = math.inf) -> dict[str, Estimate]:
    """Every KPI's interval over the replications, the pooled ones centred on every contact together.

    As :func:`carebench.stats.intervals.summarise`, then each KPI that
    :func:`pooled_frt` gives is moved onto its pooled value (:func:`sectioned`).
    ``own`` holds estimates made another way (a two-stage procedure's) that
    stand in for the family's before the move. ``longest`` is the longest
    time the runs can measure (:attr:`carebench.model.scenario.Scenario.longest_time`):
    no time's upper limit passes it (:func:`carebench.stats.bounds.within_run`).
    With no histograms, no ``own`` and no ``longest`` it is exactly ``summarise``.
    """
    pooled = pooled_frt(histograms) if len(histograms) == len(kpis) else {}
    own = own or {}
    return within_run({name: pooled_interval(name, own.get(name, est), pooled)
                       for name, est in summarise(kpis, confidence).items()}, longest)
