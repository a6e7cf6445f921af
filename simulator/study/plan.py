"""Planning a study: brands and probes needed, and the formulas checked against simulated studies.

The formulas are those of :mod:`carebench.study.power` (Kish's design
effect ``1 + (m-1)·icc``). Two cross-checks simulate many studies of the
design and report how the headline figure really spreads:

* :func:`simulate_beta_binomial` — each study draws its brands' true shares
  from a beta distribution with the expected share and ICC (the model the
  formula assumes), then each brand's probes as binomial counts;
* :func:`study_spread` — a study file's own brands: a study run over many
  seeds, then studies assembled by drawing brands (and a repeat of each)
  with replacement, so the spread also counts which brands happen to be
  chosen, as the formula does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from carebench.study.estimates import common_design_effect, reply_hits
from carebench.study.inference import clustered_proportion, two_proportion_test_clustered
from carebench.study.power import (
    brands_for_difference,
    design_effect,
    half_width_for_design,
    power_for_difference,
    probes_for_precision,
    standard_error_for_design,
)
from carebench.study.runner import StudyRun
from carebench.util.errors import UserError

__all__ = [
    "PrecisionPlan",
    "DifferencePlan",
    "SimulatedSpread",
    "StudySpread",
    "plan_precision",
    "probes_per_brand_for",
    "plan_difference",
    "simulate_beta_binomial",
    "study_spread",
]

_MAX_PROBES_PER_BRAND = 100_000


@dataclass(frozen=True)
class PrecisionPlan:
    """Brands needed for a pooled share within ±``half_width``, and what a given design reaches.

    ``brands_needed`` at ``probes_per_brand`` probes each; with ``brands``
    given, ``half_width_at_brands`` is that design's expected half-width,
    ``probes_per_brand_needed`` the fewest probes per brand that reach the
    target with that many brands (None when none do) and ``floor`` the
    half-width no number of probes per brand gets below (``t·sqrt(p(1-p)·icc/k)``).
    """

    share: float
    half_width: float
    icc: float
    probes_per_brand: int
    confidence: float
    design_effect: float
    brands_needed: int
    probes_needed: int
    brands: int | None
    half_width_at_brands: float | None
    probes_per_brand_needed: int | None
    floor: float | None


@dataclass(frozen=True)
class DifferencePlan:
    """Brands needed to detect ``share_b - share_a`` between two strata, and the power of a given design."""

    share_a: float
    share_b: float
    icc: float
    probes_per_brand: int
    power: float
    alpha: float
    allocation: float
    brands_needed: int
    brands: int | None
    power_at_brands: float | None


@dataclass(frozen=True)
class SimulatedSpread:
    """Many simulated studies of one design against the formulas.

    ``sd`` is the standard deviation of the pooled share over ``studies``
    studies, ``formula_se`` what the design-effect formula predicts;
    ``coverage`` the share of studies whose cluster-robust interval held the
    true share. With a difference, ``power`` is the share of studies whose
    strata test was significant and ``formula_power`` the formula's value.
    """

    studies: int
    brands: int
    probes_per_brand: int
    share: float
    icc: float
    mean: float
    sd: float
    low: float
    high: float
    formula_se: float
    coverage: float
    difference: float | None = None
    power: float | None = None
    formula_power: float | None = None


@dataclass(frozen=True)
class StudySpread:
    """The headline (pooled share within 24 h) of a study file over seeds and over resampled brands.

    ``fixed`` are the values of the study's repeats (the same brands, new
    seeds: only the probes' own noise); ``resampled`` those of ``studies``
    studies whose brands were drawn with replacement (and a repeat of each);
    ``share`` and ``icc`` are estimated from every run together and give
    ``formula_se``.
    """

    brands: int
    probes_per_brand: int
    repeats: int
    share: float
    icc: float
    fixed_sd: float
    fixed_low: float
    fixed_high: float
    resampled_mean: float
    resampled_sd: float
    resampled_low: float
    resampled_high: float
    formula_se: float
    fixed: tuple[float, ...]


def plan_precision(share: float, half_width: float, *, icc: float, probes_per_brand: int,
                   brands: int | None = None, confidence: float = 0.95) -> PrecisionPlan:
    """How many brands (at ``probes_per_brand`` each) give a pooled share within ±``half_width``."""
    size = probes_for_precision(share, half_width, icc=icc, probes_per_brand=probes_per_brand, confidence=confidence)
    at = needed = floor = None
    if brands is not None:
        at = half_width_for_design(share, brands=brands, probes_per_brand=probes_per_brand, icc=icc,
                                   confidence=confidence)
        needed, floor = probes_per_brand_for(share, half_width, icc=icc, brands=brands, confidence=confidence)
    return PrecisionPlan(share, half_width, icc, probes_per_brand, confidence, design_effect(probes_per_brand, icc),
                         size.brands, size.probes, brands, at, needed, floor)


def probes_per_brand_for(share: float, half_width: float, *, icc: float, brands: int,
                         confidence: float = 0.95) -> tuple[int | None, float]:
    """The fewest probes per brand giving ±``half_width`` with ``brands`` brands (None if none), and the floor.

    The half-width falls with the probes per brand towards the floor
    ``t(k-1)·sqrt(p(1-p)·icc/k)``: with correlated brands more probes at
    the same brands stop helping, and only more brands do.
    """
    def width(m: int) -> float:
        return half_width_for_design(share, brands=brands, probes_per_brand=m, icc=icc, confidence=confidence)

    floor = width(_MAX_PROBES_PER_BRAND) if icc > 0 else 0.0
    if width(_MAX_PROBES_PER_BRAND) > half_width:
        return None, floor
    lo, hi = 1, _MAX_PROBES_PER_BRAND
    while lo < hi:  # the half-width decreases with m: bisect for the first m that is narrow enough
        mid = (lo + hi) // 2
        if width(mid) <= half_width:
            hi = mid
        else:
            lo = mid + 1
    return lo, floor


def plan_difference(share_a: float, share_b: float, *, icc: float, probes_per_brand: int, power: float = 0.8,
                    alpha: float = 0.05, allocation: float = 0.5, brands: int | None = None) -> DifferencePlan:
    """How many brands detect a difference between two follower strata with ``power``."""
    size = brands_for_difference(share_a, share_b, icc=icc, probes_per_brand=probes_per_brand, power=power,
                                 alpha=alpha, allocation=allocation)
    at = None
    if brands is not None:
        at = power_for_difference(share_a, share_b, brands=brands, probes_per_brand=probes_per_brand, icc=icc,
                                  alpha=alpha, allocation=allocation)
    return DifferencePlan(share_a, share_b, icc, probes_per_brand, power, alpha, allocation, size.brands, brands, at)


def _brand_shares(rng: np.random.Generator, share: float, icc: float, size: tuple[int, ...]) -> np.ndarray:
    """True shares of brands: beta with mean ``share`` and intra-brand correlation ``icc``."""
    if icc <= 0:
        return np.full(size, share)
    if icc >= 1:
        return (rng.random(size) < share).astype(float)
    scale = (1.0 - icc) / icc
    return rng.beta(share * scale, (1.0 - share) * scale, size)


def simulate_beta_binomial(share: float, icc: float, *, brands: int, probes_per_brand: int, studies: int,
                           rng: np.random.Generator, difference: float | None = None, alpha: float = 0.05,
                           allocation: float = 0.5, confidence: float = 0.95) -> SimulatedSpread:
    """Simulate ``studies`` studies of ``brands`` × ``probes_per_brand`` and compare with the formulas.

    With ``difference``, the probes are also split between two strata
    (``allocation`` in the first, at ``share``; the rest at ``share +
    difference``), each brand's two stratum shares drawn independently as
    the power formula assumes, and each study tests them as
    :func:`carebench.study.estimates.estimate_study` does.
    """
    if studies < 2:
        raise UserError(f"--simulate: expected at least 2 studies, got {studies}")
    true = _brand_shares(rng, share, icc, (studies, brands))
    hits = rng.binomial(probes_per_brand, true)
    pooled = hits.sum(axis=1) / (brands * probes_per_brand)
    covered = 0
    for row in hits:
        c = clustered_proportion(row, np.full(brands, probes_per_brand), confidence)
        covered += c.low <= share <= c.high
    formula = standard_error_for_design(share, brands=brands, probes_per_brand=probes_per_brand, icc=icc)
    power = formula_power = None
    if difference is not None:
        power, formula_power = _simulated_power(rng, share, share + difference, icc, brands, probes_per_brand,
                                                studies, alpha, allocation)
    return SimulatedSpread(studies, brands, probes_per_brand, share, icc, float(pooled.mean()),
                           float(pooled.std(ddof=1)), float(np.quantile(pooled, 0.025)),
                           float(np.quantile(pooled, 0.975)), formula, covered / studies, difference, power,
                           formula_power)


def _simulated_power(rng, share_a, share_b, icc, brands, m, studies, alpha, allocation) -> tuple[float, float]:
    if not 0 < share_b < 1:
        raise UserError(f"--difference: expected the second stratum's share inside (0, 1), got {share_b:g}")
    m_a = int(round(allocation * m))
    m_b = m - m_a
    hits_a = rng.binomial(m_a, _brand_shares(rng, share_a, icc, (studies, brands)))
    hits_b = rng.binomial(m_b, _brand_shares(rng, share_b, icc, (studies, brands)))
    significant = 0
    for a, b in zip(hits_a, hits_b):
        ca = clustered_proportion(a, np.full(brands, m_a))
        cb = clustered_proportion(b, np.full(brands, m_b))
        both = clustered_proportion(a + b, np.full(brands, m))
        deff = common_design_effect(ca.design_effect, cb.design_effect, both.design_effect)
        test = two_proportion_test_clustered(b.sum(), m_b * brands, a.sum(), m_a * brands, deff)
        significant += test.p_value < alpha
    formula = power_for_difference(share_a, share_b, brands=brands, probes_per_brand=m, icc=icc, alpha=alpha,
                                   allocation=m_a / m)
    return significant / studies, formula


def _per_run(run: StudyRun) -> tuple[np.ndarray, np.ndarray, list[str], list[int]]:
    """Successes (within 24 h) and probes of each (repeat, brand) run, as [repeat, brand] arrays."""
    brands = run.brands
    repeats = sorted({r.repeat for r in run.runs})
    hits = np.zeros((len(repeats), len(brands)))
    n = np.zeros_like(hits)
    for r in run.runs:
        h = reply_hits(list(r.probes), run.study.window, run.study.answered_by)["within_24h"]
        hits[repeats.index(r.repeat), brands.index(r.brand)] = np.nansum(h)
        n[repeats.index(r.repeat), brands.index(r.brand)] = len(r.probes)
    return hits, n, brands, repeats


def study_spread(run: StudyRun, studies: int, rng: np.random.Generator) -> StudySpread:
    """The study's headline over its repeats and over ``studies`` brand-resampled studies."""
    if run.study.window < 86400.0:
        raise UserError("--study: the window is shorter than 24 h, so the share within 24 h is not observed")
    hits, n, brands, repeats = _per_run(run)
    if len(repeats) < 2:
        raise UserError(f"--repeats: expected at least 2 repeats of the study, got {len(repeats)}")
    fixed = hits.sum(axis=1) / n.sum(axis=1)
    k = len(brands)
    pick_brand = rng.integers(0, k, (studies, k))
    pick_repeat = rng.integers(0, len(repeats), (studies, k))
    resampled = hits[pick_repeat, pick_brand].sum(axis=1) / n[pick_repeat, pick_brand].sum(axis=1)
    pooled = clustered_proportion(hits.sum(axis=0), n.sum(axis=0))
    per = run.study.probes.per_brand
    icc = pooled.icc if math.isfinite(pooled.icc) else 0.0
    formula = (standard_error_for_design(pooled.estimate, brands=k, probes_per_brand=per, icc=min(1.0, icc))
               if 0 < pooled.estimate < 1 else 0.0)
    return StudySpread(k, per, len(repeats), pooled.estimate, icc, float(fixed.std(ddof=1)),
                       float(np.quantile(fixed, 0.025)), float(np.quantile(fixed, 0.975)), float(resampled.mean()),
                       float(resampled.std(ddof=1)), float(np.quantile(resampled, 0.025)),
                       float(np.quantile(resampled, 0.975)), formula, tuple(fixed.tolist()))
