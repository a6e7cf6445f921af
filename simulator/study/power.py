"""Planning a mystery-shopper study: how many brands, how many probes each.

A study sends ``probes_per_brand`` probes to each of ``brands`` brands. Probes
at one brand share its staffing, so their outcomes correlate with the
intra-cluster correlation ``icc``, and the variance of a pooled share grows by
the design effect ``1 + (m - 1)·icc`` (Kish 1965, Survey Sampling, ch. 5).
The formulas match the analyses in :mod:`carebench.study.inference`: a pooled
share with a cluster-robust ``t(k-1)`` interval, and a pooled z-test of two
shares divided by a design effect. Shares are fractions strictly between 0
and 1; ``icc`` lies in ``[0, 1]``.
"""

from __future__ import annotations

import math
import numbers
from typing import NamedTuple

from scipy import stats

from carebench.util.errors import UserError

__all__ = [
    "StudySize",
    "design_effect",
    "standard_error_for_design",
    "half_width_for_design",
    "probes_for_precision",
    "power_for_difference",
    "brands_for_difference",
]


class StudySize(NamedTuple):
    """A study design: ``brands`` brands × ``probes_per_brand`` probes = ``probes`` in all."""

    brands: int
    probes_per_brand: int
    probes: int


def _fail(place: str, expected: str, got: object) -> UserError:
    return UserError(f"{place}: expected {expected}, got {got!r}")


def _check_share(place: str, value: float) -> None:
    if not 0.0 < value < 1.0:
        raise _fail(place, "a share strictly between 0 and 1", value)


def _check_icc(place: str, icc: float) -> None:
    if not 0.0 <= icc <= 1.0:
        raise _fail(place, "an intra-cluster correlation between 0 and 1", icc)


def _check_count(place: str, value: int, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise _fail(place, f"a whole number >= {minimum}", value)


def _check_confidence(place: str, confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise _fail(f"{place}(confidence)", "a level strictly between 0 and 1", confidence)


def design_effect(cluster_size: float, icc: float) -> float:
    """Return the variance inflation ``1 + (m - 1)·icc`` of clusters of ``m`` trials.

    Kish (1965), Survey Sampling, ch. 5; Donner & Klar (2000), Design and
    Analysis of Cluster Randomization Trials. ``cluster_size`` may be
    an average or expected size (>= 1).
    """
    if not cluster_size >= 1.0:
        raise _fail("design_effect(cluster_size)", "a number >= 1", cluster_size)
    _check_icc("design_effect(icc)", icc)
    return 1.0 + (cluster_size - 1.0) * icc


def standard_error_for_design(
    expected_share: float, *, brands: int, probes_per_brand: int, icc: float
) -> float:
    """Return the standard error of the pooled share a design is expected to give.

    ``sqrt(p(1-p)·deff / (k·m))`` with ``deff = 1 + (m-1)·icc``: exact for
    equal cluster sizes under a beta-binomial model (Donner & Klar 2000).
    """
    place = "standard_error_for_design"
    _check_share(f"{place}(expected_share)", expected_share)
    _check_count(f"{place}(brands)", brands, 1)
    _check_count(f"{place}(probes_per_brand)", probes_per_brand, 1)
    deff = design_effect(probes_per_brand, icc)
    p = expected_share
    return math.sqrt(p * (1.0 - p) * deff / (brands * probes_per_brand))


def half_width_for_design(
    expected_share: float,
    *,
    brands: int,
    probes_per_brand: int,
    icc: float,
    confidence: float = 0.95,
) -> float:
    """Return the expected half-width of the pooled share's confidence interval (a share).

    ``t(k-1) · standard_error_for_design(...)``, the interval
    :func:`carebench.study.inference.clustered_proportion` reports for ``k``
    brands. Needs at least 2 brands. Example: 25 brands × 45 probes,
    share 0.42, icc 0.1: about ±0.071.
    """
    _check_count("half_width_for_design(brands)", brands, 2)
    _check_confidence("half_width_for_design", confidence)
    se = standard_error_for_design(
        expected_share, brands=brands, probes_per_brand=probes_per_brand, icc=icc
    )
    return float(stats.t.ppf(0.5 + confidence / 2.0, brands - 1)) * se


def probes_for_precision(
    expected_share: float,
    half_width: float,
    *,
    icc: float,
    probes_per_brand: int,
    confidence: float = 0.95,
) -> StudySize:
    """Return the fewest brands whose pooled share has an interval within ±``half_width``.

    Solves :func:`half_width_for_design` ``<= half_width`` for the number of
    brands ``k`` (at least 2), starting from the normal approximation
    ``k = z²·p(1-p)·deff / (m·h²)`` and stepping up while the ``t(k-1)``
    quantile still makes the interval too wide.
    """
    place = "probes_for_precision"
    _check_share(f"{place}(expected_share)", expected_share)
    if not 0.0 < half_width < 1.0:
        raise _fail(f"{place}(half_width)", "a share strictly between 0 and 1", half_width)
    _check_count(f"{place}(probes_per_brand)", probes_per_brand, 1)
    _check_confidence(place, confidence)
    deff = design_effect(probes_per_brand, icc)
    z = float(stats.norm.ppf(0.5 + confidence / 2.0))
    p = expected_share
    # t(k-1) > z, so the normal answer is a lower bound and the search only climbs.
    brands = max(2, math.ceil(z * z * p * (1.0 - p) * deff / (probes_per_brand * half_width**2)))
    while (
        half_width_for_design(
            p, brands=brands, probes_per_brand=probes_per_brand, icc=icc, confidence=confidence
        )
        > half_width
    ):
        brands += 1
    return StudySize(brands, probes_per_brand, brands * probes_per_brand)


def _difference_variances(
    place: str, share_a: float, share_b: float, probes_per_brand: int, icc: float, allocation: float
) -> tuple[float, float]:
    """Return the per-brand variance of ``p_a - p_b`` under the null and under the alternative."""
    m_a, m_b = allocation * probes_per_brand, (1.0 - allocation) * probes_per_brand
    if not (m_a >= 1.0 and m_b >= 1.0):
        raise _fail(
            f"{place}(allocation)",
            f"a split leaving each stratum at least 1 of the {probes_per_brand} probes per brand",
            allocation,
        )
    f_a, f_b = design_effect(m_a, icc) / m_a, design_effect(m_b, icc) / m_b
    pooled = allocation * share_a + (1.0 - allocation) * share_b
    null = pooled * (1.0 - pooled) * (f_a + f_b)
    alternative = share_a * (1.0 - share_a) * f_a + share_b * (1.0 - share_b) * f_b
    return null, alternative


def _check_difference(
    place: str, share_a: float, share_b: float, probes_per_brand: int, icc: float, alpha: float
) -> None:
    _check_share(f"{place}(share_a)", share_a)
    _check_share(f"{place}(share_b)", share_b)
    if share_a == share_b:
        raise _fail(f"{place}(share_b)", "a share different from share_a", share_b)
    _check_count(f"{place}(probes_per_brand)", probes_per_brand, 2)
    _check_icc(f"{place}(icc)", icc)
    if not 0.0 < alpha < 1.0:
        raise _fail(f"{place}(alpha)", "a significance level strictly between 0 and 1", alpha)


def power_for_difference(
    share_a: float,
    share_b: float,
    *,
    brands: int,
    probes_per_brand: int,
    icc: float,
    alpha: float = 0.05,
    allocation: float = 0.5,
) -> float:
    """Return the power of the two-sided pooled z-test to tell ``share_a`` from ``share_b``.

    Design: every brand gets ``probes_per_brand`` probes, a share
    ``allocation`` of them in stratum a (e.g. customers with many followers)
    and the rest in stratum b, so each stratum's share is a clustered
    estimate with cluster size ``m_a = allocation·m`` (resp. ``m_b``) and
    design effect ``1 + (m_a - 1)·icc``. The two stratum estimates are
    treated as independent; a brand effect shared by both strata makes
    them positively correlated and the true variance of the difference
    smaller, so the power given here errs low (conservative).

    ``power = Φ((sqrt(k)·|Δ| - z(1-α/2)·sqrt(v0)) / sqrt(v1))`` with
    per-brand variances ``v0`` (pooled share, the null) and ``v1`` (the
    alternative): Fleiss, Levin & Paik (2003), Statistical Methods for Rates
    and Proportions, ch. 4, with each variance term multiplied by its
    design effect (Donner & Klar 2000).
    The negligible opposite tail is ignored.
    """
    place = "power_for_difference"
    _check_difference(place, share_a, share_b, probes_per_brand, icc, alpha)
    _check_count(f"{place}(brands)", brands, 2)
    null, alternative = _difference_variances(
        place, share_a, share_b, probes_per_brand, icc, allocation
    )
    z_alpha = float(stats.norm.ppf(1.0 - alpha / 2.0))
    distance = math.sqrt(brands) * abs(share_a - share_b) - z_alpha * math.sqrt(null)
    return float(stats.norm.cdf(distance / math.sqrt(alternative)))


def brands_for_difference(
    share_a: float,
    share_b: float,
    *,
    icc: float,
    probes_per_brand: int,
    power: float = 0.8,
    alpha: float = 0.05,
    allocation: float = 0.5,
) -> StudySize:
    """Return the fewest brands for which :func:`power_for_difference` reaches ``power``.

    Same design and assumptions as :func:`power_for_difference`: probes split
    between two strata within each brand, the design effect applied to each
    stratum's cluster size, the strata treated as independent
    (conservative). Closed form ``k = ((z(1-α/2)·sqrt(v0) + z(power)·sqrt(v1)) / Δ)²``
    rounded up, at least 2. Example: 0.40 against 0.55, icc 0.1, 45 probes
    per brand split evenly: 25 brands.
    """
    place = "brands_for_difference"
    _check_difference(place, share_a, share_b, probes_per_brand, icc, alpha)
    if not 0.0 < power < 1.0:
        raise _fail(f"{place}(power)", "a probability strictly between 0 and 1", power)
    null, alternative = _difference_variances(
        place, share_a, share_b, probes_per_brand, icc, allocation
    )
    z_alpha = float(stats.norm.ppf(1.0 - alpha / 2.0))
    z_power = float(stats.norm.ppf(power))
    root = (z_alpha * math.sqrt(null) + z_power * math.sqrt(alternative)) / abs(share_a - share_b)
    brands = max(2, math.ceil(root * root))
    return StudySize(brands, probes_per_brand, brands * probes_per_brand)
