"""The interval a two-stage procedure reports: the spread from the first stage, the mean from all.

Under ``--precision`` the number of replications ``N`` is fixed from a first
stage of ``n0`` (:func:`carebench.stats.intervals.replications_needed`). An
interval that then takes its spread from all ``N`` values under-covers
(measured: 91.9 % for nominal 95 % on M/M/5 at 80 % load), because a first
stage that happens to look tight stops early and also makes the final spread
small. Stein's two-stage interval (Stein 1945) takes the spread and the t
quantile from the first stage only, so they are independent of the mean over
all ``N``: ``mean_N ± t(n0 - 1) · s_0 / sqrt(N)``. Under normality this holds
its level exactly, whatever ``N`` the first stage chose.

For times the same is done on the log scale inside the log-normal MOVER
interval (:mod:`carebench.stats.skewed`): the centre, the arithmetic mean,
uses every value; the log mean's limits ``± t(n0 - 1) · sqrt(v_0 / N)`` and
the scale of the log variance's chi-square limits (on ``N - 1`` degrees of
freedom) use only the first stage's (guarded) log variance ``v_0``. Stein's exactness then applies to the log-scale
mean term under log-normality; the interval for the arithmetic mean is an
approximation, so the coverage of ``--precision`` on times is approximate and
is what ``benchmarks/coverage_harness.py`` measures (taking the spread from
all ``N`` instead made it under-cover: a first stage that looks tight stops
early, and a large ``v_0`` that asked for many replications is then diluted
by the second stage).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from carebench.stats.bounds import natural_bounds
from carebench.stats.intervals import LOGNORMAL_METHOD, Estimate, kpi_interval
from carebench.stats.skewed import log_variance, mover_limits

__all__ = ["two_stage_interval", "TWO_STAGE"]

TWO_STAGE = "two-stage (Stein), "
"""Prefix of the method of an interval made by :func:`two_stage_interval`."""


def _t(confidence: float, df: int) -> float:
    from scipy.special import stdtrit

    return float(stdtrit(df, 0.5 + confidence / 2.0))


def two_stage_interval(name: str, values: Iterable[float] | np.ndarray, first: int,
                       confidence: float = 0.95) -> Estimate:
    """KPI ``name``'s interval over ``values`` (in replication order) after a first stage of ``first``.

    The family's method as in :func:`carebench.stats.intervals.kpi_interval`,
    with the spread and the t quantile of its mean term taken from the first
    ``first`` values; cut to the KPI's natural bounds. With ``first`` below 2,
    or a first stage without spread, it is the plain family interval.
    """
    x = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=float)
    plain = kpi_interval(name, x, confidence)
    head = x[:first][~np.isnan(x[:first])]
    x = x[~np.isnan(x)]
    if head.size < 2 or plain.n < 2 or not (float(head.std(ddof=1)) > 0):
        return plain
    n, t = x.size, _t(confidence, head.size - 1)
    if plain.method == LOGNORMAL_METHOD:
        v0 = log_variance(head)
        low, high = mover_limits(plain.mean, math.sqrt(v0 / n), t, v0, n - 1, confidence)
    else:
        half = t * float(head.std(ddof=1)) / math.sqrt(n)
        low, high = plain.mean - half, plain.mean + half
    lo_bound, hi_bound = natural_bounds(name)
    low, high = max(min(low, plain.mean), lo_bound), min(max(high, plain.mean), hi_bound)
    return Estimate(plain.mean, (high - low) / 2.0, low, high, plain.n, plain.std, plain.confidence,
                    TWO_STAGE + plain.method)
