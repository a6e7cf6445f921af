"""Planning a study: the formulas against simulated studies, and the study file's own spread."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from carebench.study.estimates import estimate_study
from carebench.study.plan import (
    plan_difference,
    plan_precision,
    probes_per_brand_for,
    simulate_beta_binomial,
    study_spread,
)
from carebench.study.power import design_effect, half_width_for_design, power_for_difference
from carebench.study.runner import BrandRun, ProbeRecord, StudyRun
from carebench.study.spec import Study
from carebench.util.errors import UserError
from carebench.util.units import DAY, HOUR


def test_simulated_spread_and_power_agree_with_the_formulas() -> None:
    # The reference study's design: 25 brands x 45 probes, 42 % within 24 h, ICC 0.1.
    sim = simulate_beta_binomial(0.42, 0.1, brands=25, probes_per_brand=45, studies=3000,
                                 rng=np.random.default_rng(2012), difference=0.15)
    # The sd of 3000 studies is known to about 1.3 % (sd/sqrt(2n)); 6 % is over four of those.
    assert sim.sd == pytest.approx(sim.formula_se, rel=0.06)
    assert sim.mean == pytest.approx(0.42, abs=3 * sim.formula_se / math.sqrt(3000))
    # Coverage of the cluster-robust t interval: 95 % give or take four binomial sds (0.4 points each).
    assert 0.93 <= sim.coverage <= 0.97
    # Simulated power has a binomial sd of about 0.7 points at 3000 studies; the formula errs low.
    assert abs(sim.power - sim.formula_power) < 0.05


def test_no_correlation_is_the_binomial_spread() -> None:
    sim = simulate_beta_binomial(0.3, 0.0, brands=10, probes_per_brand=20, studies=3000,
                                 rng=np.random.default_rng(1))
    assert sim.formula_se == pytest.approx(math.sqrt(0.3 * 0.7 / 200))
    assert sim.sd == pytest.approx(sim.formula_se, rel=0.06)


def test_probes_per_brand_needed_is_the_smallest_that_reaches_the_target() -> None:
    needed, floor = probes_per_brand_for(0.42, 0.08, icc=0.05, brands=25)
    width = lambda m: half_width_for_design(0.42, brands=25, probes_per_brand=m, icc=0.05)  # noqa: E731
    assert width(needed) <= 0.08 < width(needed - 1)
    # The floor: t(k-1)·sqrt(p(1-p)·icc/k), what infinitely many probes per brand would give.
    t = stats.t.ppf(0.975, 24)
    assert floor == pytest.approx(t * math.sqrt(0.42 * 0.58 * 0.05 / 25), rel=1e-3)
    assert probes_per_brand_for(0.42, 0.05, icc=0.1, brands=25)[0] is None


def test_precision_and_difference_plans() -> None:
    p = plan_precision(0.42, 0.05, icc=0.1, probes_per_brand=45, brands=25)
    assert p.design_effect == design_effect(45, 0.1) == pytest.approx(5.4)
    assert p.probes_needed == p.brands_needed * 45 and p.probes_per_brand_needed is None
    assert p.half_width_at_brands == pytest.approx(half_width_for_design(0.42, brands=25, probes_per_brand=45, icc=0.1))
    d = plan_difference(0.4, 0.55, icc=0.1, probes_per_brand=45, brands=25)
    assert d.brands_needed == 25  # the worked example in carebench.study.power
    assert d.power_at_brands == pytest.approx(power_for_difference(0.4, 0.55, brands=25, probes_per_brand=45, icc=0.1))


def _run(shares: list[float], repeats: int, per: int, rng) -> StudyRun:
    """A study whose brands answer within an hour with fixed chances (else never)."""
    study = Study.model_validate({"name": "s", "probes": {"per_brand": per}, "window": "7d",
                                  "brands": {f"b{i}": {"brand": {}} for i in range(len(shares))}})
    runs = []
    for r in range(repeats):
        for i, p in enumerate(shares):
            hit = rng.random(per) < p
            probes = tuple(ProbeRecord(r, f"b{i}", j, 0, 75.0, 0.0, True, HOUR if h else math.nan,
                                       HOUR if h else math.nan, False, False) for j, h in enumerate(hit))
            runs.append(BrandRun(r, f"b{i}", 0, probes, {"arrived": 1.0}, {"resolved": 1.0}))
    return StudyRun(study, "s", tuple(runs), 0.0, DAY)


def test_study_spread_separates_probe_noise_from_brand_choice() -> None:
    rng = np.random.default_rng(5)
    shares = [0.0, 0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0, 1.0, 0.4]
    run = _run(shares, repeats=30, per=40, rng=rng)
    spread = study_spread(run, 4000, np.random.default_rng(6))
    # Same brands, new seeds: only binomial noise, sd = sqrt(sum p(1-p)·m) / (k·m).
    noise = math.sqrt(sum(p * (1 - p) * 40 for p in shares)) / 400
    assert spread.fixed_sd == pytest.approx(noise, rel=0.35)
    # Brands drawn again: the spread of the mean of 10 brand shares drawn with replacement.
    brand_sd = np.std(shares) / math.sqrt(10)
    assert spread.resampled_sd == pytest.approx(math.sqrt(brand_sd**2 + noise**2), rel=0.1)
    assert spread.resampled_sd > 3 * spread.fixed_sd
    # The design-effect formula, with the ICC estimated from all runs, sees the same spread.
    assert spread.formula_se == pytest.approx(spread.resampled_sd, rel=0.15)
    est = estimate_study(run)
    assert est.spread is not None and est.spread.values == spread.fixed


def test_study_spread_needs_repeats_and_a_day_long_window() -> None:
    run = _run([0.5, 0.2], repeats=1, per=10, rng=np.random.default_rng(1))
    with pytest.raises(UserError, match="at least 2 repeats"):
        study_spread(run, 100, np.random.default_rng(1))
