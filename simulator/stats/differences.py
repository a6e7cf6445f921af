"""Differences between variants: paired by seed, recentred on pooled values, or Welch's.

Variants compared on common random numbers (replication i of every variant
uses the same seed) are compared through their paired differences, which
cancel most of the noise the variants share; a baseline kept only as a
summary is compared by Welch's unequal-variance test. A difference is NaN
where either side is undefined, as in :mod:`carebench.stats.intervals`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import stdtr  # the Student t CDF, without scipy.stats' import cost

from carebench.stats.intervals import Estimate, check_confidence, mean_ci, t_quantile
from carebench.util.errors import UserError

__all__ = ["Difference", "paired_difference", "recentred", "welch_difference"]


@dataclass(frozen=True)
class Difference:
    """The mean of ``b - a`` with its confidence interval and a two-sided t-test.

    ``significant`` is true when the interval excludes 0; ``p_value`` is the
    two-sided p-value of the t-test of ``mean == 0`` (NaN when ``n < 2``, 1.0
    for a difference that is exactly zero in every pair, 0.0 for one that is
    the same non-zero constant in every pair).
    """

    mean: float
    half_width: float
    low: float
    high: float
    n: int
    p_value: float
    significant: bool
    confidence: float = 0.95


def _two_sided_p(mean: float, se: float, df: float) -> float:
    if not (df >= 1) or math.isnan(mean):
        return math.nan
    if se == 0.0:
        return 1.0 if mean == 0.0 else 0.0
    return float(2.0 * stdtr(df, -abs(mean / se)))


def _difference(est: Estimate, p_value: float) -> Difference:
    significant = bool(est.low > 0.0 or est.high < 0.0)
    return Difference(
        est.mean, est.half_width, est.low, est.high, est.n, p_value, significant, est.confidence
    )


def paired_difference(
    a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray, confidence: float = 0.95
) -> Difference:
    """Return ``b - a`` paired by replication (common random numbers) with a paired t-test.

    ``a[i]`` and ``b[i]`` must come from the same seed. A pair where either side
    is NaN is dropped. Identical inputs give an exact zero difference,
    ``half_width == 0`` and ``significant == False``. Raises ``UserError`` when
    the two sides hold different numbers of replications.
    """
    x = np.asarray(a, dtype=float).ravel()
    y = np.asarray(b, dtype=float).ravel()
    if x.shape != y.shape:
        raise UserError(
            f"paired difference: {x.size} replications against {y.size}; "
            "pairing needs the same seeds on both sides"
        )
    keep = ~(np.isnan(x) | np.isnan(y))
    est = mean_ci(y[keep] - x[keep], confidence)
    se = est.std / math.sqrt(est.n) if est.n >= 2 else math.nan
    return _difference(est, _two_sided_p(est.mean, se, est.n - 1))


def recentred(diff: Difference, centre: float) -> Difference:
    """``diff`` with its interval moved to ``centre`` and its test redone about it (same width and ``n``).

    For a difference estimated on pooled data (:mod:`carebench.stats.sectioning`)
    whose spread comes from the paired per-replication differences.
    """
    if not (math.isfinite(centre) and math.isfinite(diff.half_width) and diff.n >= 2):
        return diff
    se = diff.half_width / t_quantile(diff.confidence, diff.n - 1) if diff.half_width > 0 else 0.0
    est = Estimate(centre, diff.half_width, centre - diff.half_width, centre + diff.half_width, diff.n, se,
                   diff.confidence)
    return _difference(est, _two_sided_p(centre, se, diff.n - 1))


def welch_difference(a: Estimate, b: Estimate, confidence: float = 0.95) -> Difference:
    """Return ``b - a`` for two independent summaries with Welch's unequal-variance t-test.

    For baselines stored only as summaries (mean, std, n) where pairing by
    seed is impossible. Degrees of freedom follow Welch-Satterthwaite. With
    fewer than two values on either side the interval is ``(-inf, inf)``.
    """
    confidence = check_confidence(confidence)
    mean = b.mean - a.mean
    if a.n < 2 or b.n < 2 or math.isnan(mean):
        est = Estimate(mean, math.inf, -math.inf, math.inf, min(a.n, b.n), math.nan, confidence)
        return _difference(est, math.nan)
    va, vb = a.std**2 / a.n, b.std**2 / b.n
    se = math.sqrt(va + vb)
    if se == 0.0:
        half, df = 0.0, float(a.n + b.n - 2)
    else:
        df = (va + vb) ** 2 / (va**2 / (a.n - 1) + vb**2 / (b.n - 1))
        half = t_quantile(confidence, df) * se
    est = Estimate(mean, half, mean - half, mean + half, min(a.n, b.n), se, confidence)
    return _difference(est, _two_sided_p(mean, se, df))
