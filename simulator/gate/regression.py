"""Regression checks: did a KPI get significantly worse than its baseline by more than a tolerance?

A baseline keeps each replication's KPI values and the seeds they came from,
so a check reruns the same seeds and judges the paired differences (common
random numbers): most of the noise the two runs share cancels. A baseline
stored only as a summary can still be compared with Welch's test, less
sensitively.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from carebench.gate.thresholds import show_value
from carebench.stats.differences import Difference, paired_difference, recentred, welch_difference
from carebench.stats.intervals import Estimate, kpi_direction, mean_ci
from carebench.util.errors import UserError

__all__ = ["Regression", "regression_paired", "regression_unpaired"]


def _signed(kpi: str, value: float) -> str:
    return ("+" if value > 0 else "") + show_value(kpi, value)


@dataclass(frozen=True)
class Regression:
    """Whether KPI ``kpi`` got significantly worse than its baseline by more than the tolerance.

    ``difference`` is current minus baseline; ``allowed`` is the tolerated
    worsening in the KPI's unit (``tolerance * |baseline_mean|``); ``paired``
    says whether replications were paired by seed or compared by Welch's test.
    """

    kpi: str
    direction: int
    baseline_mean: float
    current_mean: float
    difference: Difference
    allowed: float
    paired: bool
    regressed: bool
    detail: str


def _check_tolerance(tolerance: float) -> float:
    if not (isinstance(tolerance, (int, float)) and math.isfinite(tolerance) and tolerance >= 0):
        raise UserError(
            f"tolerance {tolerance!r}: expected a relative change of 0 or more, "
            "such as 0.05 (5 % of the baseline mean)"
        )
    return float(tolerance)


def _judge(
    kpi: str, base: float, current: float, diff: Difference, tolerance: float, paired: bool
) -> Regression:
    allowed = _check_tolerance(tolerance) * abs(base)
    direction = kpi_direction(kpi)
    worse = -direction * diff.mean
    significant = diff.high < 0 if direction > 0 else diff.low > 0
    regressed = bool(direction != 0 and significant and worse > allowed)
    if direction == 0:
        reason = "neutral KPI, not checked"
    elif regressed:
        reason = f"REGRESSION: worse by more than the {show_value(kpi, allowed)} allowed"
    elif not worse > 0:
        reason = "not worse"
    elif not significant:
        reason = "worse but not significantly"
    else:
        reason = f"worse but within the {show_value(kpi, allowed)} allowed"
    how = "paired" if paired else "Welch"
    detail = (
        f"{show_value(kpi, base)} -> {show_value(kpi, current)}, change {_signed(kpi, diff.mean)} "
        f"({diff.confidence:.0%} CI [{show_value(kpi, diff.low)}, {show_value(kpi, diff.high)}], "
        f"{how} p={diff.p_value:.3g}, n={diff.n}): {reason}"
    )
    return Regression(kpi, direction, base, current, diff, allowed, paired, regressed, detail)


def regression_paired(
    kpi: str,
    baseline: Sequence[float],
    current: Sequence[float],
    tolerance: float,
    confidence: float = 0.95,
    pooled: tuple[float, float] | None = None,
) -> Regression:
    """Check ``kpi`` for a regression from per-replication values paired by seed.

    ``baseline[i]`` and ``current[i]`` must come from the same seed. A
    regression needs all three: the mean paired difference points the worse
    way (by ``kpi_direction``), exceeds ``tolerance * |baseline mean|``, and
    its confidence interval excludes 0 on the worse side. ``tolerance`` is
    *relative* (``0.05`` allows 5 % worse), so one number serves KPIs in
    seconds, shares and counts alike; with a baseline mean of 0 any
    significant worsening is a regression. Neutral KPIs never regress.

    ``pooled`` gives the two sides' values over every replication's contacts
    pooled (:mod:`carebench.stats.sectioning`), for the first-response times:
    they stand for the means, and the paired interval is moved onto their
    difference (:func:`carebench.stats.differences.recentred`), as ``compare`` does.
    """
    diff = paired_difference(baseline, current, confidence)
    if pooled is not None:
        base, cur = pooled
        diff = recentred(diff, cur - base)
    else:
        base, cur = mean_ci(baseline, confidence).mean, mean_ci(current, confidence).mean
    return _judge(kpi, base, cur, diff, tolerance, paired=True)


def regression_unpaired(
    kpi: str,
    baseline: Estimate,
    current: Estimate,
    tolerance: float,
    confidence: float = 0.95,
) -> Regression:
    """Check ``kpi`` for a regression against a baseline stored only as a summary.

    Same rule as ``regression_paired`` but the interval comes from Welch's
    unequal-variance t-test on the two summaries. It is much less sensitive
    than pairing, so baselines should keep per-replication values when they can.
    """
    diff = welch_difference(baseline, current, confidence)
    return _judge(kpi, baseline.mean, current.mean, diff, tolerance, paired=False)
