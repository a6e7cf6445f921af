"""Tests for the study statistics and planning formulas: textbook values, invariants, simulation."""

from __future__ import annotations

import math
from decimal import Decimal, getcontext

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from carebench.study import inference as study_stats
from carebench.study import power as study_power
from carebench.study.inference import (
    clustered_proportion,
    kaplan_meier,
    km_quantile,
    km_survival_at,
    logrank_test,
    two_proportion_test,
    two_proportion_test_clustered,
    wilson_interval,
)
from carebench.study.power import (
    brands_for_difference,
    design_effect,
    half_width_for_design,
    power_for_difference,
    probes_for_precision,
    standard_error_for_design,
)
from carebench.util.errors import UserError

Z95 = float(stats.norm.ppf(0.975))

# Freireich et al. (1963), Blood 21:699: weeks in remission; 0 = still in remission (censored).
MP_TIMES = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
MP_OBSERVED = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
PLACEBO_TIMES = [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23]
PLACEBO_OBSERVED = [1] * 21


def wilson_by_quadratic(s: int, n: int, z: float) -> tuple[float, float]:
    """Wilson's limits as the roots of (n + z²)p² - (2s + z²)p + s²/n = 0, in 40-digit decimals."""
    getcontext().prec = 40
    zz, s_, n_ = Decimal(z) ** 2, Decimal(s), Decimal(n)
    a, b, c = n_ + zz, -(2 * s_ + zz), s_ * s_ / n_
    root = (b * b - 4 * a * c).sqrt()
    return float((-b - root) / (2 * a)), float((-b + root) / (2 * a))


# --- Wilson interval -------------------------------------------------------------


@pytest.mark.parametrize(
    ("s", "n", "low", "high"),
    [
        # Newcombe (1998), Stat Med 17:857, Table I, method 3 (score, no continuity correction).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombe_table(s: int, n: int, low: float, high: float) -> None:
    result = wilson_interval(s, n)
    assert result.estimate == s / n
    assert result.low == pytest.approx(low, abs=5e-5)
    assert result.high == pytest.approx(high, abs=5e-5)


@pytest.mark.parametrize(("s", "n"), [(1, 2), (3, 7), (81, 263), (999, 1000), (12, 45)])
@pytest.mark.parametrize("confidence", [0.8, 0.95, 0.99])
def test_wilson_equals_roots_of_the_score_quadratic(s: int, n: int, confidence: float) -> None:
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    _, low, high = wilson_interval(s, n, confidence)
    expected_low, expected_high = wilson_by_quadratic(s, n, z)
    assert low == pytest.approx(expected_low, rel=1e-12)
    assert high == pytest.approx(expected_high, rel=1e-12)


def test_wilson_zero_successes_upper_is_z2_over_n_plus_z2() -> None:
    # With s = 0 the upper limit is z²/(n + z²) (algebra on Wilson 1927): 0/10 → 0.2775.
    _, low, high = wilson_interval(0, 10)
    assert (low, round(high, 4)) == (0.0, 0.2775)
    assert high == pytest.approx(Z95**2 / (10 + Z95**2), rel=1e-14)


def test_wilson_without_trials_knows_nothing() -> None:
    estimate, low, high = wilson_interval(0, 0)
    assert math.isnan(estimate) and (low, high) == (0.0, 1.0)


@pytest.mark.parametrize(
    ("s", "n", "confidence"), [(5, 4, 0.95), (-1, 4, 0.95), (1, 4, 1.0), (1, -2, 0.95)]
)
def test_wilson_refuses_impossible_counts(s: int, n: int, confidence: float) -> None:
    with pytest.raises(UserError, match="wilson_interval"):
        wilson_interval(s, n, confidence)


@given(st.integers(1, 10_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_bounds_lie_in_unit_interval_around_estimate(counts: tuple[int, int]) -> None:
    s, n = counts
    estimate, low, high = wilson_interval(s, n)
    assert 0.0 <= low <= estimate <= high <= 1.0
    _, wide_low, wide_high = wilson_interval(s, n, 0.99)
    assert wide_low <= low and high <= wide_high


# --- clustered proportion --------------------------------------------------------


def test_identical_clusters_have_no_between_brand_variance() -> None:
    result = clustered_proportion([9, 9, 9, 9], [20, 20, 20, 20])
    assert result.estimate == 0.45
    assert result.standard_error == 0.0 and result.design_effect == 0.0
    # The raw ANOVA estimate is -1/(m - 1); it is clipped at 0.
    assert result.icc == 0.0
    assert (result.clusters, result.n) == (4, 80)


def test_separated_clusters_have_design_effect_of_the_cluster_size() -> None:
    # All-yes and all-no brands: robust variance f(1-f)/(k-1) over binomial f(1-f)/(k·m).
    k, m = 10, 8
    result = clustered_proportion([m] * 4 + [0] * 6, [m] * k)
    assert result.design_effect == pytest.approx(m * k / (k - 1), rel=1e-12)
    assert result.icc == pytest.approx(1.0, rel=1e-12)


def test_one_probe_per_brand_is_the_binomial_variance() -> None:
    outcomes = [1, 0, 0, 1, 1, 0, 1, 0, 0, 0, 1, 0]
    k, p = len(outcomes), 5 / 12
    result = clustered_proportion(outcomes, [1] * k)
    assert result.design_effect == pytest.approx(k / (k - 1), rel=1e-12)
    assert result.standard_error**2 == pytest.approx(p * (1 - p) / (k - 1), rel=1e-12)
    assert math.isnan(result.icc)  # no within-brand pairs: not estimable


def test_icc_by_hand_for_three_brands() -> None:
    # y = (4, 2, 0) of 4: MSB = 1, MSW = 1/9, m0 = 4, so (1 - 1/9) / (1 + 3/9) = 2/3.
    assert clustered_proportion([4, 2, 0], [4, 4, 4]).icc == pytest.approx(2 / 3, rel=1e-12)


def one_way_anova_icc(groups: list[np.ndarray]) -> float:
    """ICC(1) from the raw 0/1 outcomes by one-way ANOVA (Donner 1986, Int Stat Rev 54:67)."""
    values = np.concatenate(groups)
    sizes = np.array([g.size for g in groups], dtype=float)
    k, total, grand = len(groups), values.size, values.mean()
    msb = sum(g.size * (g.mean() - grand) ** 2 for g in groups) / (k - 1)
    msw = sum(((g - g.mean()) ** 2).sum() for g in groups) / (total - k)
    n0 = (total - (sizes**2).sum() / total) / (k - 1)
    return (msb - msw) / (msb + (n0 - 1) * msw)


def test_icc_matches_one_way_anova_on_the_raw_outcomes_with_unequal_sizes() -> None:
    rng = np.random.default_rng(20120801)
    sizes = rng.integers(3, 30, size=12)
    shares = rng.beta(2, 3, size=12)
    groups = [(rng.random(m) < p).astype(float) for m, p in zip(sizes, shares, strict=True)]
    expected = one_way_anova_icc(groups)
    assert expected > 0
    result = clustered_proportion([g.sum() for g in groups], sizes)
    assert result.icc == pytest.approx(expected, rel=1e-10)


def test_equal_sizes_standard_error_is_that_of_the_mean_of_brand_shares() -> None:
    successes = np.array([3, 10, 7, 0, 12, 5, 9])
    m = 15
    result = clustered_proportion(successes, [m] * successes.size)
    shares = successes / m
    se = math.sqrt(shares.var(ddof=1) / shares.size)
    t = stats.t.ppf(0.975, shares.size - 1)
    assert result.standard_error == pytest.approx(se, rel=1e-12)
    assert (result.low, result.high) == pytest.approx(
        (shares.mean() - t * se, shares.mean() + t * se)
    )


def test_empty_clusters_are_ignored_and_a_single_cluster_gives_no_interval() -> None:
    with_empty = clustered_proportion([3, 0, 5, 0], [10, 0, 12, 0])
    assert with_empty == clustered_proportion([3, 5], [10, 12])
    single = clustered_proportion([3], [10])
    assert single.estimate == 0.3 and math.isnan(single.standard_error)
    assert (single.low, single.high, single.clusters) == (0.0, 1.0, 1)


@pytest.mark.parametrize(
    ("successes", "n"), [([3, 11], [10, 10]), ([1, 2], [5]), ([-1, 2], [5, 5])]
)
def test_clustered_proportion_refuses_impossible_counts(successes: list[int], n: list[int]) -> None:
    with pytest.raises(UserError, match="clustered_proportion"):
        clustered_proportion(successes, n)


# --- Kaplan-Meier ----------------------------------------------------------------


def test_kaplan_meier_reproduces_the_6mp_table() -> None:
    # Klein & Moeschberger (2003), Survival Analysis, 2nd ed., Table 4.1A; also
    # Kleinbaum & Klein (2012), Survival Analysis, 3rd ed., ch. 2 (S to 3 decimals).
    km = kaplan_meier(MP_TIMES, MP_OBSERVED)
    assert list(km.time) == [6, 7, 10, 13, 16, 22, 23]
    assert list(km.at_risk) == [21, 17, 15, 12, 11, 7, 6]
    assert list(km.events) == [3, 1, 1, 1, 1, 1, 1]
    survival = [0.857, 0.807, 0.753, 0.690, 0.627, 0.538, 0.448]
    greenwood = [0.076, 0.087, 0.096, 0.107, 0.114, 0.128, 0.135]
    assert np.round(km.survival, 3).tolist() == survival
    assert np.round(km.standard_error, 3).tolist() == greenwood
    # Klein & Moeschberger Table 4.3, log-transformed (log(-log)) 95 % interval at 6 weeks.
    assert (round(km.low[0], 3), round(km.high[0], 3)) == (0.620, 0.952)
    assert km.last_time == 35


def test_kaplan_meier_medians_of_the_leukaemia_trial() -> None:
    # Kleinbaum & Klein (2012), ch. 2: median remission 23 weeks on 6-MP, 8 on placebo.
    assert km_quantile(kaplan_meier(MP_TIMES, MP_OBSERVED), 0.5) == 23
    assert km_quantile(kaplan_meier(PLACEBO_TIMES, PLACEBO_OBSERVED), 0.5) == 8
    assert math.isnan(km_quantile(kaplan_meier(MP_TIMES, MP_OBSERVED), 0.6))


def test_km_quantile_takes_the_first_time_the_curve_reaches_the_level() -> None:
    # Collett (2015), ch. 2: the smallest t with S(t) <= 1 - q. For 1, 2, 3, 4 all observed,
    # S(2) = 0.5 exactly, so the median is 2 (R's survfit would report the midpoint 2.5).
    assert km_quantile(kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1]), 0.5) == 2
    # Five replies: S(3) = 2/5 computes as 0.4000000000000001; it still counts as reaching 0.4.
    five = kaplan_meier([1, 2, 3, 4, 5], [1] * 5)
    assert five.survival[2] > 1 - 0.6
    assert km_quantile(five, 0.6) == 3


def test_km_survival_at_is_a_right_continuous_step_known_only_up_to_the_last_time() -> None:
    km = kaplan_meier(MP_TIMES, MP_OBSERVED)
    assert km_survival_at(km, 5.9) == 1.0
    assert km_survival_at(km, 6.0) == km.survival[0]
    assert km_survival_at(km, 12.0) == km.survival[2]
    assert km_survival_at(km, 35.0) == km.survival[-1]
    assert math.isnan(km_survival_at(km, 35.5))
    placebo = kaplan_meier(PLACEBO_TIMES, PLACEBO_OBSERVED)
    assert km_survival_at(placebo, 23.0) == 0.0 and km_survival_at(placebo, 100.0) == 0.0
    assert math.isnan(placebo.standard_error[-1]) and math.isnan(placebo.low[-1])


def test_events_come_before_censorings_at_the_same_time() -> None:
    # A probe censored at t was still unanswered at t, so it counts in the risk set.
    km = kaplan_meier([1.0, 1.0], [True, False])
    assert list(km.at_risk) == [2] and list(km.survival) == [0.5]


def test_all_censored_leaves_survival_at_one() -> None:
    km = kaplan_meier([3600.0, 7200.0, 86400.0], [False, False, False])
    assert km.time.size == 0
    assert km_survival_at(km, 0.0) == km_survival_at(km, 86400.0) == 1.0
    assert math.isnan(km_quantile(km, 0.5))


def test_kaplan_meier_result_is_read_only() -> None:
    km = kaplan_meier(MP_TIMES, MP_OBSERVED)
    with pytest.raises(ValueError):
        km.survival[0] = 1.0


@pytest.mark.parametrize(
    ("durations", "observed"),
    [([], []), ([1.0, -2.0], [1, 1]), ([1.0, 2.0], [1, 2]), ([1.0], [1, 0])],
)
def test_kaplan_meier_refuses_bad_data(durations: list[float], observed: list[int]) -> None:
    with pytest.raises(UserError, match="kaplan_meier"):
        kaplan_meier(durations, observed)


survival_samples = st.integers(1, 40).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 12), min_size=n, max_size=n),  # small integers: many ties
        st.lists(st.booleans(), min_size=n, max_size=n),
    )
)


@pytest.mark.filterwarnings("ignore:The confidence interval is undefined:RuntimeWarning")
@settings(max_examples=60, deadline=None)
@given(survival_samples)
def test_kaplan_meier_is_monotone_and_agrees_with_scipy(
    sample: tuple[list[int], list[bool]],
) -> None:
    durations, observed = np.array(sample[0], dtype=float), np.array(sample[1])
    km = kaplan_meier(durations, observed)
    assert np.all(np.diff(km.survival) <= 0)
    assert np.all((km.survival >= 0) & (km.survival <= 1))
    alive = km.survival > 0
    assert np.all(km.low[alive] <= km.survival[alive]) and np.all(
        km.survival[alive] <= km.high[alive]
    )
    if not observed.any():
        assert km.time.size == 0
        return
    # Independent implementation: scipy.stats.ecdf, log-log ("exponential Greenwood") interval.
    reference = stats.ecdf(
        stats.CensoredData(uncensored=durations[observed], right=durations[~observed])
    )
    assert km.survival == pytest.approx(reference.sf.evaluate(km.time), abs=1e-12)
    interval = reference.sf.confidence_interval(0.95, method="log-log")
    assert km.low[alive] == pytest.approx(interval.low.evaluate(km.time[alive]), abs=1e-9)
    assert km.high[alive] == pytest.approx(interval.high.evaluate(km.time[alive]), abs=1e-9)


# --- comparisons -----------------------------------------------------------------


def test_logrank_on_the_leukaemia_trial() -> None:
    # Kleinbaum & Klein (2012), ch. 2: 6-MP O = 9, E = 19.25; log-rank 16.79, p < 0.0001.
    result = logrank_test(MP_TIMES, MP_OBSERVED, PLACEBO_TIMES, PLACEBO_OBSERVED)
    assert result.statistic == pytest.approx(16.79, abs=0.005)
    assert result.p_value == pytest.approx(4.17e-5, rel=0.01)
    assert (result.observed_a, round(result.expected_a, 2)) == (9.0, 19.25)
    swapped = logrank_test(PLACEBO_TIMES, PLACEBO_OBSERVED, MP_TIMES, MP_OBSERVED)
    assert swapped.statistic == pytest.approx(result.statistic, rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(survival_samples, survival_samples)
def test_logrank_agrees_with_scipy(
    a: tuple[list[int], list[bool]], b: tuple[list[int], list[bool]]
) -> None:
    ta, ea = np.array(a[0], dtype=float), np.array(a[1])
    tb, eb = np.array(b[0], dtype=float), np.array(b[1])
    result = logrank_test(ta, ea, tb, eb)
    if not (ea.any() or eb.any()):
        assert math.isnan(result.statistic)
        return
    if math.isnan(result.statistic):  # every event met a risk set of one: no information
        return
    # Independent implementation: scipy.stats.logrank returns the signed square root.
    reference = stats.logrank(
        stats.CensoredData(uncensored=ta[ea], right=ta[~ea]),
        stats.CensoredData(uncensored=tb[eb], right=tb[~eb]),
    )
    assert result.statistic == pytest.approx(reference.statistic**2, rel=1e-9, abs=1e-12)
    assert result.p_value == pytest.approx(reference.pvalue, rel=1e-9)


@pytest.mark.parametrize(
    ("counts", "low", "high"),
    [
        # Newcombe (1998), Stat Med 17:873, Table II, method 10 (score, no continuity correction).
        ((56, 70, 48, 80), 0.0524, 0.3339),
        ((9, 10, 3, 10), 0.1705, 0.8090),
        ((6, 7, 2, 7), 0.0582, 0.8062),
        ((5, 56, 0, 29), -0.0381, 0.1926),
        ((0, 10, 0, 20), -0.1611, 0.2775),
        ((0, 10, 0, 10), -0.2775, 0.2775),
        ((10, 10, 0, 20), 0.6791, 1.0000),
        ((10, 10, 0, 10), 0.6075, 1.0000),
    ],
)
def test_difference_interval_matches_newcombe_table(
    counts: tuple[int, int, int, int], low: float, high: float
) -> None:
    result = two_proportion_test(*counts)
    assert result.difference == counts[0] / counts[1] - counts[2] / counts[3]
    assert (result.low, result.high) == pytest.approx((low, high), abs=5e-5)


@pytest.mark.parametrize(
    "counts", [(56, 70, 48, 80), (9, 10, 3, 10), (5, 56, 1, 29), (400, 1000, 440, 1000)]
)
def test_pooled_z_test_is_pearsons_chi_square(counts: tuple[int, int, int, int]) -> None:
    s1, n1, s2, n2 = counts
    table = [[s1, n1 - s1], [s2, n2 - s2]]
    chi2, p_value, _, _ = stats.chi2_contingency(table, correction=False)
    result = two_proportion_test(*counts)
    assert result.z**2 == pytest.approx(chi2, rel=1e-12)
    assert result.p_value == pytest.approx(p_value, rel=1e-9)


def test_clustered_test_shrinks_z_by_the_root_of_the_design_effect() -> None:
    plain = two_proportion_test(180, 450, 230, 450)
    assert two_proportion_test_clustered(180, 450, 230, 450, 1.0) == plain
    clustered = two_proportion_test_clustered(180, 450, 230, 450, 4.0)
    assert clustered.z == pytest.approx(plain.z / 2, rel=1e-12)
    assert clustered.difference == pytest.approx(plain.difference, rel=1e-12)
    assert clustered.low < plain.low and clustered.high > plain.high
    assert clustered.p_value > plain.p_value


@pytest.mark.parametrize(
    "call",
    [
        lambda: two_proportion_test(1, 0, 1, 2),
        lambda: two_proportion_test_clustered(1, 2, 1, 2, 0.0),
    ],
)
def test_comparisons_refuse_impossible_inputs(call) -> None:
    with pytest.raises(UserError, match="two_proportion_test"):
        call()


# --- planning --------------------------------------------------------------------


def test_design_effect_values() -> None:
    # Kish (1965), ch. 5: 1 + (m - 1)·icc.
    assert design_effect(45, 0.0) == 1.0
    assert design_effect(1, 0.7) == 1.0
    assert design_effect(45, 1.0) == 45.0
    assert design_effect(45, 0.05) == pytest.approx(3.2)


@settings(max_examples=60, deadline=None)
@given(
    share=st.floats(0.05, 0.95),
    half_width=st.floats(0.01, 0.2),
    icc=st.floats(0.0, 0.5),
    probes_per_brand=st.integers(1, 60),
)
def test_precision_and_half_width_invert_each_other(
    share: float, half_width: float, icc: float, probes_per_brand: int
) -> None:
    design = {"probes_per_brand": probes_per_brand, "icc": icc}
    size = probes_for_precision(share, half_width, **design)
    assert size.probes == size.brands * probes_per_brand
    assert half_width_for_design(share, brands=size.brands, **design) <= half_width
    if size.brands > 2:
        assert half_width_for_design(share, brands=size.brands - 1, **design) > half_width


@settings(max_examples=60, deadline=None)
@given(
    shares=st.tuples(st.floats(0.05, 0.95), st.floats(0.05, 0.95)).filter(
        lambda s: abs(s[0] - s[1]) > 0.02
    ),
    icc=st.floats(0.0, 0.5),
    probes_per_brand=st.integers(2, 60),
    power=st.floats(0.5, 0.95),
)
def test_brands_and_power_for_difference_invert_each_other(
    shares: tuple[float, float], icc: float, probes_per_brand: int, power: float
) -> None:
    design = {"probes_per_brand": probes_per_brand, "icc": icc}
    size = brands_for_difference(*shares, power=power, **design)
    assert power_for_difference(*shares, brands=size.brands, **design) >= power - 1e-12
    if size.brands > 2:
        assert power_for_difference(*shares, brands=size.brands - 1, **design) < power


@pytest.mark.parametrize(("icc", "probes_per_brand"), [(0.0, 2), (0.05, 40), (0.3, 12)])
def test_difference_plan_matches_the_analysis_test_at_half_power(
    icc: float, probes_per_brand: int
) -> None:
    # At power 0.5 the plan needs exactly the brands at which the expected counts make the
    # analysis' pooled z-test just significant: the plan's null variance must be the test's.
    share_a, share_b, half = 0.42, 0.55, probes_per_brand // 2
    design = {"probes_per_brand": probes_per_brand, "icc": icc}
    brands = brands_for_difference(share_a, share_b, power=0.5, **design).brands
    deff = design_effect(half, icc)

    def expected_z(k: int) -> float:
        n = k * half
        return -two_proportion_test_clustered(share_a * n, n, share_b * n, n, deff).z

    assert expected_z(brands) >= Z95 > expected_z(brands - 1)


def beta_binomial_studies(
    rng: np.random.Generator, share: float, icc: float, brands: int, probes: int, studies: int
) -> np.ndarray:
    """Successes per brand, shape (studies, brands): brand shares ~ Beta with ICC 1/(a + b + 1)."""
    concentration = (1 - icc) / icc
    brand_shares = rng.beta(
        share * concentration, (1 - share) * concentration, size=(studies, brands)
    )
    return rng.binomial(probes, brand_shares)


def test_design_standard_error_predicts_simulated_spread_and_coverage() -> None:
    # The reference study's scale: 25 brands × 45 probes, about 42 % answered within 24 h.
    share, icc, brands, probes = 0.42, 0.1, 25, 45
    rng = np.random.default_rng(2012)
    successes = beta_binomial_studies(rng, share, icc, brands, probes, studies=4000)
    pooled = successes.sum(axis=1) / (brands * probes)
    predicted = standard_error_for_design(share, brands=brands, probes_per_brand=probes, icc=icc)
    # Beta-binomial variance is exactly p(1-p)(1 + (m-1)ρ)/m per brand; 5 % is ~4 Monte-Carlo SEs.
    assert pooled.std(ddof=1) == pytest.approx(predicted, rel=0.05)
    results = [clustered_proportion(row, [probes] * brands) for row in successes[:1000]]
    covered = np.mean([r.low <= share <= r.high for r in results])
    assert 0.91 <= covered <= 0.98
    assert np.mean([r.design_effect for r in results]) == pytest.approx(
        design_effect(probes, icc), rel=0.15
    )


def test_power_formula_predicts_simulated_rejection_rate() -> None:
    # Each brand: 22 probes per stratum, strata drawn independently (the formula's assumption).
    share_a, share_b, icc, per_stratum = 0.40, 0.52, 0.05, 22
    design = {"probes_per_brand": 2 * per_stratum, "icc": icc}
    brands = brands_for_difference(share_a, share_b, power=0.7, **design).brands
    predicted = power_for_difference(share_a, share_b, brands=brands, **design)
    rng = np.random.default_rng(44)
    a = beta_binomial_studies(rng, share_a, icc, brands, per_stratum, 2000).sum(axis=1)
    b = beta_binomial_studies(rng, share_b, icc, brands, per_stratum, 2000).sum(axis=1)
    n, deff = brands * per_stratum, design_effect(per_stratum, icc)
    rejected = [
        two_proportion_test_clustered(x, n, y, n, deff).p_value < 0.05
        for x, y in zip(a, b, strict=True)
    ]
    # Binomial SE of the simulated rate is about 0.01.
    assert np.mean(rejected) == pytest.approx(predicted, abs=0.04)


@pytest.mark.parametrize(
    ("call", "place"),
    [
        (lambda: probes_for_precision(1.2, 0.05, icc=0.1, probes_per_brand=45), "expected_share"),
        (lambda: probes_for_precision(0.4, 0.0, icc=0.1, probes_per_brand=45), "half_width"),
        (lambda: probes_for_precision(0.4, 0.05, icc=1.5, probes_per_brand=45), "icc"),
        (lambda: probes_for_precision(0.4, 0.05, icc=0.1, probes_per_brand=0), "probes_per_brand"),
        (lambda: half_width_for_design(0.4, brands=1, probes_per_brand=45, icc=0.1), "brands"),
        (lambda: brands_for_difference(0.4, 0.4, icc=0.1, probes_per_brand=45), "share_b"),
        (lambda: brands_for_difference(0.4, 0.5, icc=0.1, probes_per_brand=45, power=1.0), "power"),
        (
            lambda: brands_for_difference(0.4, 0.5, icc=0.1, probes_per_brand=4, allocation=0.9),
            "allocation",
        ),
        (
            lambda: power_for_difference(
                0.4, 0.5, brands=10, probes_per_brand=45, icc=0.1, alpha=0.0
            ),
            "alpha",
        ),
        (lambda: design_effect(0.5, 0.1), "cluster_size"),
    ],
)
def test_planning_refuses_impossible_inputs_in_one_line(call, place: str) -> None:
    with pytest.raises(UserError, match=place) as caught:
        call()
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("module", [study_stats, study_power])
def test_public_api_is_listed_and_documented(module) -> None:
    for name in module.__all__:
        assert getattr(module, name).__doc__, name
    defined_here = {
        n for n, v in vars(module).items() if getattr(v, "__module__", None) == module.__name__
    }
    assert {n for n in defined_here if not n.startswith("_")} == set(module.__all__)
