"""Statistics for mystery-shopper studies: reply shares, reply times, comparisons.

A study sends probe contacts to brands and records, per probe, whether and
when a reply came. Probes are clustered within brands (one brand's staffing
touches all its probes), and a reply after the observation window is
right-censored at the window's end. The functions here are pure: numbers in,
frozen results out. Times are in whatever unit the durations are given in;
carebench passes seconds. Shares are fractions in ``[0, 1]``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from carebench.util.errors import UserError

__all__ = [
    "Interval",
    "wilson_interval",
    "ClusteredProportion",
    "clustered_proportion",
    "KaplanMeier",
    "kaplan_meier",
    "km_survival_at",
    "km_quantile",
    "ProportionDifference",
    "two_proportion_test",
    "two_proportion_test_clustered",
    "LogrankResult",
    "logrank_test",
]

# Survival products such as (2/3)·(3/4) land a rounding error away from 0.5;
# a quantile must not skip that event time because of it.
_QUANTILE_TOLERANCE = 1e-12


class Interval(NamedTuple):
    """A point estimate with the two ends of its confidence interval."""

    estimate: float
    low: float
    high: float


def _check_confidence(place: str, confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise UserError(
            f"{place}(confidence): expected a level strictly between 0 and 1, got {confidence!r}"
        )
    return float(stats.norm.ppf(0.5 + confidence / 2.0))


def _check_counts(place: str, successes: float, n: float) -> None:
    if not (math.isfinite(successes) and math.isfinite(n)) or n < 0 or not 0 <= successes <= n:
        raise UserError(f"{place}: expected 0 <= successes <= n, got {successes!r} of {n!r}")


def wilson_interval(successes: float, n: float, confidence: float = 0.95) -> Interval:
    """Return the share ``successes / n`` with its Wilson score interval.

    The interval (Wilson 1927; Newcombe 1998, Stat Med 17:857, method 3) is
    ``(p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)`` with ``z`` the
    normal quantile for ``confidence``. Counts may be non-integer effective
    counts (for example divided by a design effect). With ``n = 0`` nothing is
    known: the result is ``(nan, 0.0, 1.0)``.
    """
    z = _check_confidence("wilson_interval", confidence)
    _check_counts("wilson_interval", successes, n)
    if n == 0:
        return Interval(math.nan, 0.0, 1.0)
    p = successes / n
    z2n = z * z / n
    centre = (p + z2n / 2.0) / (1.0 + z2n)
    half = z / (1.0 + z2n) * math.sqrt(p * (1.0 - p) / n + z2n / (4.0 * n))
    # The closed form lands a rounding error off 0 or 1 at the extremes.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return Interval(p, low, high)


@dataclass(frozen=True)
class ClusteredProportion:
    """A share pooled over clusters (brands), with a cluster-robust interval.

    ``estimate`` is total successes over total trials; ``standard_error`` its
    cluster-robust standard error; ``low``/``high`` the interval ends;
    ``design_effect`` the robust variance over the simple binomial variance;
    ``icc`` the ANOVA intra-cluster correlation, clipped at 0; ``clusters``
    the number of clusters with at least one trial; ``n`` the trials.
    """

    estimate: float
    standard_error: float
    low: float
    high: float
    design_effect: float
    icc: float
    clusters: int
    n: int
    confidence: float


def _cluster_arrays(
    successes: ArrayLike, n: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    y = np.asarray(successes, dtype=float)
    m = np.asarray(n, dtype=float)
    if y.ndim != 1 or y.shape != m.shape:
        raise UserError(
            "clustered_proportion: expected two 1-D arrays of equal length, "
            f"got shapes {y.shape} and {m.shape}"
        )
    if not (np.all(np.isfinite(m) & np.isfinite(y)) and np.all((y >= 0) & (y <= m))):
        raise UserError("clustered_proportion: expected 0 <= successes <= n in every cluster")
    keep = m > 0
    return y[keep], m[keep]


def _anova_icc(y: NDArray[np.float64], m: NDArray[np.float64]) -> float:
    """Return the one-way ANOVA intra-cluster correlation of binary outcomes, unclipped.

    Ridout, Demétrio & Firth (1999), Biometrics 55:137, estimator "ANOVA":
    ``(MSB - MSW) / (MSB + (m0 - 1)·MSW)`` with ``m0`` the adjusted mean
    cluster size; the one-way ANOVA ICC of the 0/1 outcomes.
    """
    k, total = y.size, m.sum()
    if k < 2 or total <= k:
        return math.nan
    p, p_i = y.sum() / total, y / m
    msb = np.sum(m * (p_i - p) ** 2) / (k - 1)
    msw = np.sum(m * p_i * (1.0 - p_i)) / (total - k)
    m0 = (total - np.sum(m * m) / total) / (k - 1)
    denominator = msb + (m0 - 1.0) * msw
    return float((msb - msw) / denominator) if denominator > 0 else math.nan


def clustered_proportion(
    successes_per_cluster: ArrayLike, n_per_cluster: ArrayLike, confidence: float = 0.95
) -> ClusteredProportion:
    """Pool a share over clusters and give it a cluster-robust confidence interval.

    The estimate is the ratio ``p = Σy_i / Σm_i``. Its variance is the ratio
    estimator's (Cochran 1977, Sampling Techniques, ch. 6; the CR1 "sandwich"
    of survey software): ``k/(k-1) · Σ(y_i - p·m_i)² / (Σm_i)²`` over the
    ``k`` clusters. The interval is ``p ± t(k-1)·se`` clipped to ``[0, 1]``.
    Clusters with no trials are dropped. With fewer than two clusters the
    standard error, design effect and ICC are nan and the interval is
    ``[0, 1]``; with ``p`` equal to 0 or 1 the design effect is nan (0/0).
    """
    _check_confidence("clustered_proportion", confidence)
    y, m = _cluster_arrays(successes_per_cluster, n_per_cluster)
    k, total = y.size, float(m.sum())
    p = float(y.sum() / total) if total > 0 else math.nan
    raw_icc = _anova_icc(y, m)
    icc = raw_icc if math.isnan(raw_icc) else max(0.0, raw_icc)
    if k < 2:
        return ClusteredProportion(p, math.nan, 0.0, 1.0, math.nan, icc, k, int(total), confidence)
    variance = k / (k - 1) * float(np.sum((y - p * m) ** 2)) / total**2
    se = math.sqrt(variance)
    t = float(stats.t.ppf(0.5 + confidence / 2.0, k - 1))
    binomial = p * (1.0 - p) / total
    deff = variance / binomial if binomial > 0 else math.nan
    low, high = max(0.0, p - t * se), min(1.0, p + t * se)
    return ClusteredProportion(p, se, low, high, deff, icc, k, int(total), confidence)


@dataclass(frozen=True, eq=False)
class KaplanMeier:
    """A Kaplan-Meier survival curve: the share of probes still unanswered over time.

    One entry per distinct event time, ascending: ``time`` (the duration's
    unit, seconds in carebench), ``at_risk`` (durations >= time), ``events``
    (replies at time), ``survival`` (S just after time), ``standard_error``
    (Greenwood), ``low``/``high`` (log(-log) pointwise interval). Where S
    reaches 0 the last three are nan. ``last_time`` is the largest duration
    observed, event or censored; beyond it S is unknown unless it reached 0.
    Arrays are read-only.
    """

    time: NDArray[np.float64]
    at_risk: NDArray[np.int64]
    events: NDArray[np.int64]
    survival: NDArray[np.float64]
    standard_error: NDArray[np.float64]
    low: NDArray[np.float64]
    high: NDArray[np.float64]
    last_time: float
    confidence: float


def _survival_data(
    place: str, durations: ArrayLike, observed: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    t = np.asarray(durations, dtype=float)
    e = np.asarray(observed)
    if t.ndim != 1 or t.shape != e.shape or t.size == 0:
        raise UserError(
            f"{place}: expected non-empty 1-D durations and observed of equal length, "
            f"got shapes {t.shape} and {e.shape}"
        )
    if not (np.all(np.isfinite(t)) and np.all(t >= 0)):
        raise UserError(f"{place}: expected finite durations >= 0")
    if not np.all((e == 0) | (e == 1)):
        raise UserError(f"{place}: expected observed to be booleans (True = reply seen)")
    return t, e.astype(bool)


def _risk_table(
    t: NDArray[np.float64], e: NDArray[np.bool_], times: NDArray[np.float64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Return (at risk, events) at each of ``times``; censorings at a time count as at risk."""
    ordered = np.sort(t)
    at_risk = t.size - np.searchsorted(ordered, times, side="left")
    event_times = np.sort(t[e])
    after = np.searchsorted(event_times, times, side="right")
    events = after - np.searchsorted(event_times, times, side="left")
    return at_risk.astype(np.int64), events.astype(np.int64)


def _read_only(*arrays: NDArray) -> None:
    for array in arrays:
        array.setflags(write=False)


def kaplan_meier(
    durations: ArrayLike, observed: ArrayLike, confidence: float = 0.95
) -> KaplanMeier:
    """Estimate the share still unanswered after each reply time (Kaplan & Meier 1958).

    ``durations`` are times to reply or to censoring (e.g. the end of the
    observation window); ``observed`` is True where a reply was seen. At
    tied times events come before censorings, so a probe censored at ``t``
    is still at risk at ``t``. ``S(t) = Π(1 - d_j/n_j)``; Greenwood's
    variance ``S²·Σ d_j/(n_j(n_j - d_j))``; the interval is
    ``S^exp(±z·σ)`` with ``σ = sqrt(Σ d_j/(n_j(n_j - d_j))) / |log S|``
    (Kalbfleisch & Prentice 2002, ch. 1; R's ``conf.type = "log-log"``).
    """
    z = _check_confidence("kaplan_meier", confidence)
    t, e = _survival_data("kaplan_meier", durations, observed)
    times = np.unique(t[e])
    at_risk, events = _risk_table(t, e, times)
    survival: NDArray[np.float64] = np.cumprod(1.0 - events / at_risk, dtype=np.float64)
    alive = survival > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        greenwood = np.cumsum(events / (at_risk * (at_risk - events)))
        se = np.where(alive, survival * np.sqrt(greenwood), np.nan)
        sigma = np.sqrt(greenwood) / np.abs(np.log(survival))
        low = np.where(alive, survival ** np.exp(z * sigma), np.nan)
        high = np.where(alive, survival ** np.exp(-z * sigma), np.nan)
    _read_only(times, at_risk, events, survival, se, low, high)
    return KaplanMeier(times, at_risk, events, survival, se, low, high, float(t.max()), confidence)


def km_survival_at(km: KaplanMeier, t: float) -> float:
    """Return S(t), the estimated share of probes not yet answered at time ``t``.

    The curve is a right-continuous step function: 1 before the first reply.
    Beyond ``km.last_time`` no probe was followed, so the result is nan
    unless the curve had already reached 0.
    """
    index = int(np.searchsorted(km.time, t, side="right"))
    value = 1.0 if index == 0 else float(km.survival[index - 1])
    if t > km.last_time and value > 0:
        return math.nan
    return value


def km_quantile(km: KaplanMeier, q: float) -> float:
    """Return the time by which a share ``q`` of probes was answered (``q = 0.5``: median).

    That is the first event time with ``S(t) <= 1 - q`` (Collett 2015,
    Modelling Survival Data in Medical Research, ch. 2; R's survfit takes the
    midpoint when S equals 1 - q exactly over a step, this does not). nan
    when the curve never falls that far.
    """
    if not 0.0 < q < 1.0:
        raise UserError(f"km_quantile(q): expected a share strictly between 0 and 1, got {q!r}")
    reached = np.flatnonzero(km.survival <= 1.0 - q + _QUANTILE_TOLERANCE)
    return float(km.time[reached[0]]) if reached.size else math.nan


@dataclass(frozen=True)
class ProportionDifference:
    """The difference of two shares, ``p1 - p2``, with its interval and test.

    ``low``/``high`` are Newcombe's hybrid score interval for the difference;
    ``z`` the pooled two-sample z statistic; ``p_value`` its two-sided p-value.
    """

    difference: float
    low: float
    high: float
    z: float
    p_value: float


def two_proportion_test(
    s1: float, n1: float, s2: float, n2: float, confidence: float = 0.95
) -> ProportionDifference:
    """Compare two independent shares ``s1/n1`` and ``s2/n2``.

    The interval is Newcombe's method 10 (Stat Med 1998, 17:873), built from
    the two Wilson intervals: ``d - sqrt((p1-l1)² + (u2-p2)²)`` to
    ``d + sqrt((u1-p1)² + (p2-l2)²)``. The test is the pooled z-test,
    ``z = d / sqrt(p̄(1-p̄)(1/n1 + 1/n2))`` (equal to Pearson's chi-square
    without continuity correction); when both groups are all-0 or all-1,
    ``z = 0`` and ``p = 1``. Counts may be non-integer effective counts.
    """
    for label, s, n in (("group 1", s1, n1), ("group 2", s2, n2)):
        _check_counts(f"two_proportion_test({label})", s, n)
        if n == 0:
            raise UserError(f"two_proportion_test({label}): expected at least one trial, got n=0")
    p1, l1, u1 = wilson_interval(s1, n1, confidence)
    p2, l2, u2 = wilson_interval(s2, n2, confidence)
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    pooled = (s1 + s2) / (n1 + n2)
    se0 = math.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
    z = d / se0 if se0 > 0 else 0.0
    return ProportionDifference(d, low, high, z, float(2.0 * stats.norm.sf(abs(z))))


def two_proportion_test_clustered(
    s1: float, n1: float, s2: float, n2: float, design_effect: float, confidence: float = 0.95
) -> ProportionDifference:
    """Compare two shares whose trials are clustered, by shrinking them to effective counts.

    Both groups' successes and trials are divided by ``design_effect``
    before :func:`two_proportion_test` (Rao & Scott 1992, Biometrics 48:577,
    with one design effect common to both groups): the z statistic shrinks
    by ``sqrt(design_effect)`` and the interval widens by about as much.
    Take the design effect from :func:`clustered_proportion` on the pooled
    data or from a planning value (``1 + (m-1)·icc``).
    """
    if not (math.isfinite(design_effect) and design_effect > 0):
        raise UserError(
            "two_proportion_test_clustered(design_effect): expected a number > 0, "
            f"got {design_effect!r}"
        )
    f = design_effect
    return two_proportion_test(s1 / f, n1 / f, s2 / f, n2 / f, confidence)


@dataclass(frozen=True)
class LogrankResult:
    """The log-rank comparison of two reply-time curves.

    ``statistic`` is chi-square with 1 degree of freedom, ``p_value`` its
    upper tail; ``observed_a``/``expected_a`` the replies in group a and
    the number expected if both groups replied alike (fewer observed than
    expected: group a replies more slowly).
    """

    statistic: float
    p_value: float
    observed_a: float
    expected_a: float


def logrank_test(
    durations_a: ArrayLike, observed_a: ArrayLike, durations_b: ArrayLike, observed_b: ArrayLike
) -> LogrankResult:
    """Test whether two groups' reply times have the same distribution (Mantel 1966).

    At each distinct event time ``j`` over both groups, with ``n_j`` at risk
    (``n_aj`` in a) and ``d_j`` events: ``E_a = Σ d_j·n_aj/n_j`` and the
    hypergeometric variance ``V = Σ n_aj·n_bj·d_j·(n_j - d_j) / (n_j²·(n_j - 1))``;
    ``chi2 = (O_a - E_a)² / V`` (Collett 2015, ch. 2; R's ``survdiff``).
    Ties: events before censorings. No event at all gives nan.
    """
    ta, ea = _survival_data("logrank_test(group a)", durations_a, observed_a)
    tb, eb = _survival_data("logrank_test(group b)", durations_b, observed_b)
    times = np.unique(np.concatenate([ta[ea], tb[eb]]))
    risk_a, events_a = _risk_table(ta, ea, times)
    risk_b, events_b = _risk_table(tb, eb, times)
    n, d = (risk_a + risk_b).astype(float), (events_a + events_b).astype(float)
    expected = float(np.sum(d * risk_a / n))
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(n > 1, risk_a * risk_b * d * (n - d) / (n * n * (n - 1.0)), 0.0)
    variance = float(np.sum(terms))
    observed = float(events_a.sum())
    if variance <= 0:
        return LogrankResult(math.nan, math.nan, observed, expected)
    chi2 = (observed - expected) ** 2 / variance
    return LogrankResult(chi2, float(stats.chi2.sf(chi2, 1)), observed, expected)
