"""Tests for carebench.stats.intervals: t-intervals, paired and Welch differences, stopping, batch means."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st_
from scipy import stats as sps
from scipy.signal import lfilter

import carebench.stats.differences as sd
import carebench.stats.intervals as st
from carebench.stats.batches import batch_summary, correlated_kpis, lag1_autocorrelation
from carebench.stats.bounds import CUT_AT_RUN, natural_bounds, within_run
from carebench.stats.differences import paired_difference, welch_difference
from carebench.stats.intervals import (
    BOUNDED_T_METHOD,
    LOGNORMAL_METHOD,
    Estimate,
    batch_means,
    kpi_direction,
    kpi_interval,
    mean_ci,
    needs_more,
    precision_met,
    replications_needed,
    summarise,
)
from carebench.stats.warmup import mser5
from carebench.util.errors import UserError


def test_public_api_is_listed_and_documented() -> None:
    for module in (st, sd):
        for name in module.__all__:
            assert getattr(module, name).__doc__, name


# --- mean_ci -----------------------------------------------------------------


def test_mean_ci_hand_worked_example() -> None:
    # 1..5: mean 3, s^2 = 10/4 = 2.5; t(0.975, 4) = 2.776 (NIST/SEMATECH
    # e-Handbook of Statistical Methods, table 1.3.6.7.2); 2.776445 * sqrt(2.5/5) = 1.963243.
    est = mean_ci([1.0, 2.0, 3.0, 4.0, 5.0])
    assert est.n == 5
    assert est.mean == 3.0
    assert est.std == pytest.approx(math.sqrt(2.5))
    assert est.half_width == pytest.approx(1.963243, abs=1e-6)
    assert (est.low, est.high) == pytest.approx((3.0 - 1.963243, 3.0 + 1.963243), abs=1e-6)


@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.95, 0.99])
def test_mean_ci_matches_scipy(confidence: float) -> None:
    x = np.random.default_rng(7).gamma(2.0, 3.0, size=17)
    low, high = sps.t.interval(confidence, len(x) - 1, loc=x.mean(), scale=sps.sem(x))
    est = mean_ci(x, confidence)
    assert (est.low, est.high) == pytest.approx((low, high), rel=1e-12)
    assert est.half_width == pytest.approx((high - low) / 2, rel=1e-12)
    assert est.confidence == confidence


def test_mean_ci_covers_true_mean_about_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(20240601)
    samples = rng.normal(loc=4.0, scale=2.5, size=(2000, 8))
    covered = sum(e.low <= 4.0 <= e.high for e in map(mean_ci, samples))
    assert 0.93 <= covered / 2000 <= 0.97


def test_mean_ci_drops_nan_and_counts_the_rest() -> None:
    assert mean_ci([1.0, math.nan, 3.0]) == mean_ci([1.0, 3.0])
    assert mean_ci([1.0, math.nan, 3.0]).n == 2


def test_mean_ci_single_value_has_infinite_half_width() -> None:
    est = mean_ci([7.5])
    assert (est.mean, est.n) == (7.5, 1)
    assert est.half_width == math.inf and est.low == -math.inf and est.high == math.inf
    assert math.isnan(est.std)


def test_mean_ci_no_values_is_all_nan() -> None:
    est = mean_ci([math.nan, math.nan])
    assert est.n == 0
    assert all(math.isnan(v) for v in (est.mean, est.half_width, est.low, est.high, est.std))


def test_mean_ci_constant_values_are_exact() -> None:
    est = mean_ci([0.1] * 7)
    assert (est.mean, est.half_width, est.low, est.high, est.std) == (0.1, 0.0, 0.1, 0.1, 0.0)


@pytest.mark.parametrize("confidence", [0.0, 1.0, 1.5, -0.1, math.nan, "0.95", True])
def test_mean_ci_refuses_bad_confidence(confidence: object) -> None:
    with pytest.raises(UserError, match=r"^confidence .*: expected a number between 0 and 1"):
        mean_ci([1.0, 2.0], confidence)  # type: ignore[arg-type]


# --- differences -------------------------------------------------------------


def test_paired_difference_of_identical_inputs_is_exactly_zero() -> None:
    a = np.random.default_rng(3).normal(100.0, 30.0, size=12)
    d = paired_difference(a, a.copy())
    assert (d.mean, d.half_width, d.low, d.high) == (0.0, 0.0, 0.0, 0.0)
    assert d.significant is False
    assert d.p_value == 1.0
    assert d.n == 12


def test_paired_difference_detects_a_clear_shift_and_matches_scipy() -> None:
    rng = np.random.default_rng(11)
    a = rng.normal(50.0, 10.0, size=15)
    b = a + 2.0 + rng.normal(0.0, 0.5, size=15)  # shared noise cancels in the pairs
    d = paired_difference(a, b)
    ref = sps.ttest_rel(b, a)
    assert d.significant is True
    assert d.low > 0
    assert d.mean == pytest.approx(np.mean(b - a))
    assert d.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert d.half_width == pytest.approx(mean_ci(b - a).half_width)


def test_pairing_beats_welch_on_common_random_numbers() -> None:
    rng = np.random.default_rng(5)
    a = rng.normal(50.0, 10.0, size=20)
    b = a + 1.0 + rng.normal(0.0, 0.3, size=20)
    paired = paired_difference(a, b)
    unpaired = welch_difference(mean_ci(a), mean_ci(b))
    assert paired.mean == pytest.approx(unpaired.mean)
    assert paired.significant and not unpaired.significant
    assert paired.half_width < unpaired.half_width / 10


def test_paired_difference_drops_incomplete_pairs() -> None:
    d = paired_difference([1.0, math.nan, 3.0, 4.0], [2.0, 5.0, math.nan, 6.0])
    assert d.n == 2
    assert d.mean == pytest.approx(1.5)


def test_paired_difference_needs_equal_lengths() -> None:
    with pytest.raises(UserError, match="3 replications against 2"):
        paired_difference([1.0, 2.0, 3.0], [1.0, 2.0])


def test_paired_difference_single_pair_is_not_significant() -> None:
    d = paired_difference([1.0], [100.0])
    assert d.mean == 99.0 and d.half_width == math.inf
    assert not d.significant and math.isnan(d.p_value)


def test_welch_difference_matches_scipy() -> None:
    rng = np.random.default_rng(9)
    a, b = rng.normal(10.0, 1.0, size=8), rng.normal(11.0, 3.0, size=13)
    d = welch_difference(mean_ci(a), mean_ci(b), confidence=0.9)
    ref = sps.ttest_ind(b, a, equal_var=False)
    assert d.mean == pytest.approx(b.mean() - a.mean())
    assert d.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    ci = ref.confidence_interval(0.9)
    assert (d.low, d.high) == pytest.approx((ci.low, ci.high), rel=1e-9)


def test_welch_difference_of_constant_samples() -> None:
    same = welch_difference(mean_ci([2.0, 2.0]), mean_ci([2.0, 2.0, 2.0]))
    shifted = welch_difference(mean_ci([2.0, 2.0]), mean_ci([3.0, 3.0]))
    assert (same.mean, same.half_width, same.significant, same.p_value) == (0.0, 0.0, False, 1.0)
    assert (shifted.mean, shifted.significant, shifted.p_value) == (1.0, True, 0.0)


# --- summarise ---------------------------------------------------------------


def test_summarise_covers_the_union_of_kpi_names() -> None:
    reps = [{"sla.all": 0.9, "frt.p90.email": 100.0}, {"sla.all": 0.8}, {"sla.all": 0.7, "x": 1.0}]
    out = summarise(reps, confidence=0.9)
    assert list(out) == ["sla.all", "frt.p90.email", "x"]
    assert out["sla.all"] == kpi_interval("sla.all", [0.9, 0.8, 0.7], 0.9)
    assert (out["sla.all"].low, out["sla.all"].high) == (mean_ci([0.9, 0.8, 0.7], 0.9).low,
                                                         mean_ci([0.9, 0.8, 0.7], 0.9).high)
    assert out["frt.p90.email"].n == 1
    assert out["x"].n == 1


# --- sequential stopping -----------------------------------------------------


def _est(mean: float, std: float, n: int, confidence: float = 0.95) -> Estimate:
    half = sps.t.ppf(0.5 + confidence / 2, n - 1) * std / math.sqrt(n)
    return Estimate(mean, half, mean - half, mean + half, n, std, confidence)


def test_precision_is_relative_to_the_mean() -> None:
    est = _est(100.0, 10.0, 10)  # half-width about 7.15
    assert precision_met(est, 0.08) and not precision_met(est, 0.07)
    assert not precision_met(mean_ci([5.0]), 10.0)  # one value says nothing about spread
    assert precision_met(mean_ci([0.0, 0.0, 0.0]), 0.01)  # zero mean, zero spread
    assert not precision_met(mean_ci([-1.0, 1.0]), 0.5)  # zero mean, some spread


def test_needs_more_until_every_chosen_kpi_is_precise() -> None:
    estimates = {"a": _est(100.0, 10.0, 10), "b": _est(1.0, 1.0, 10), "c": _est(1.0, 100.0, 3)}
    # half-widths: a 7.15 (of 100), b 0.715 (of 1), c 248 (of 1)
    assert needs_more(estimates, {"a": 0.08, "b": 0.7})
    assert not needs_more(estimates, {"a": 0.08, "b": 0.75})
    assert needs_more(estimates, {"c": 200.0}) and not needs_more(estimates, {"c": 250.0})
    assert not needs_more(estimates, {})


def test_needs_more_names_an_unknown_kpi_with_suggestions() -> None:
    with pytest.raises(UserError, match=r"precision for 'sla.twiter'.*did you mean 'sla.twitter'"):
        needs_more({"sla.twitter": _est(0.9, 0.1, 5)}, {"sla.twiter": 0.05})


@pytest.mark.parametrize("target", [0.0, -0.1, math.inf, math.nan, "5%"])
def test_needs_more_refuses_bad_targets(target: object) -> None:
    with pytest.raises(UserError, match=r"^precision for 'a': expected a relative half-width"):
        needs_more({"a": _est(1.0, 1.0, 5)}, {"a": target})  # type: ignore[dict-item]


def test_replications_needed_is_steins_two_stage_size() -> None:
    est = _est(100.0, 20.0, 10)
    total = replications_needed({"k": est}, {"k": 0.05}, done=10, cap=10_000)
    # Stein: ceil((t(0.975, 9) * s / (0.05 * 100)) ** 2) = ceil((2.262 * 20 / 5) ** 2) = 82.
    assert total == math.ceil((sps.t.ppf(0.975, 9) * 20.0 / 5.0) ** 2) == 82


def test_replications_needed_respects_done_and_cap() -> None:
    estimates = {"k": _est(100.0, 20.0, 10), "met": _est(100.0, 1.0, 10)}
    assert replications_needed(estimates, {"met": 0.05}, done=10, cap=100) == 10
    assert replications_needed(estimates, {"k": 0.05}, done=10, cap=30) == 30
    assert replications_needed(estimates, {"k": 0.05}, done=30, cap=30) == 30
    one = {"k": mean_ci([4.0])}  # nothing to extrapolate from: the cap
    assert replications_needed(one, {"k": 0.05}, done=1, cap=100) == 100
    zero = {"k": mean_ci([-1.0, 1.0, -1.0, 1.0])}  # zero mean: the cap
    assert replications_needed(zero, {"k": 0.05}, done=4, cap=100) == 100


# --- intervals per KPI family ------------------------------------------------


def test_an_interval_never_leaves_natural_bounds() -> None:
    # The example: frt.p50.phone of 0, 0, 0 and 14.2 s printed 3.55 s ± 11.3 s.
    est = kpi_interval("frt.p50.phone", [0.0, 0.0, 0.0, 14.2])
    assert est.low == 0.0 and est.high == pytest.approx(3.55 + mean_ci([0.0, 0.0, 0.0, 14.2]).half_width)
    assert est.method == BOUNDED_T_METHOD and not est.symmetric
    share = kpi_interval("sla.twitter", [1.0, 0.99, 0.9])
    assert share.high == 1.0 and share.low > 0.0
    assert kpi_interval("made_up.kpi", [-3.0, 1.0]).low < -3.0  # outside the scheme: unbounded



def test_a_times_upper_limit_stops_at_the_longest_time_a_run_can_measure() -> None:
    # Three p90s from 1 s to 30 s: the log-normal upper limit runs to years.
    x = [0.9, 2.0, 30.0]
    wide = {"frt.p90.chat": kpi_interval("frt.p90.chat", x), "sla.chat": kpi_interval("sla.chat", [0.5, 0.6, 0.9]),
            "arrived.chat": kpi_interval("arrived.chat", [10.0, 2.0, 3000.0])}
    assert wide["frt.p90.chat"].high > 365 * 86400.0
    cut = within_run(wide, 2 * 86400.0)
    assert cut["frt.p90.chat"].high == 2 * 86400.0 and cut["frt.p90.chat"].low == wide["frt.p90.chat"].low
    assert cut["frt.p90.chat"].method == wide["frt.p90.chat"].method + CUT_AT_RUN
    assert cut["frt.p90.chat"].half_width == pytest.approx((cut["frt.p90.chat"].high - cut["frt.p90.chat"].low) / 2)
    assert cut["sla.chat"] == wide["sla.chat"] and cut["arrived.chat"] == wide["arrived.chat"]  # not times
    above = 2 * wide["frt.p90.chat"].high
    assert within_run(wide, above) == wide and within_run(wide, math.inf) == wide  # nothing to cut
    single = {"frt.p90.chat": kpi_interval("frt.p90.chat", [30.0])}  # one replication: no interval at all
    assert within_run(single, 10.0) == single


def _mover(x: np.ndarray, v: float) -> tuple[float, float]:
    """MOVER limits about the arithmetic mean with log variance ``v``, spelt out."""
    n = x.size
    t = sps.t.ppf(0.975, n - 1)
    lo_v, hi_v = (n - 1) * v / sps.chi2.ppf(0.975, n - 1), (n - 1) * v / sps.chi2.ppf(0.025, n - 1)
    low = -math.sqrt(t * t * v / n + (v / 2 - lo_v / 2) ** 2)
    high = math.sqrt(t * t * v / n + (hi_v / 2 - v / 2) ** 2)
    return x.mean() * math.exp(low), x.mean() * math.exp(high)


def test_times_get_the_lognormal_mover_interval() -> None:
    x = np.array([40.0, 100.0, 110.0, 95.0, 105.0])  # a short tail on the low side
    est = kpi_interval("frt.mean.phone", x)
    v = np.log(x).var(ddof=1)
    assert v > math.log1p(x.var(ddof=1) / x.mean() ** 2)  # the log variance is the larger here
    assert (est.low, est.high) == pytest.approx(_mover(x, v))
    assert est.method == LOGNORMAL_METHOD and est.mean == pytest.approx(x.mean())
    assert est.half_width == pytest.approx((est.high - est.low) / 2)
    assert est.high - est.mean > est.mean - est.low  # the long side is the high one


def test_a_tail_heavier_than_lognormal_widens_the_interval_to_its_own_spread() -> None:
    # One long value among many close ones: the logs barely spread, the values do.
    x = np.array([100.0, 101.0, 99.0, 100.0, 102.0, 98.0, 100.0, 101.0, 99.0, 400.0])
    v_log, v_moments = np.log(x).var(ddof=1), math.log1p(x.var(ddof=1) / x.mean() ** 2)
    assert v_moments > v_log
    est = kpi_interval("frt.mean.phone", x)
    assert (est.low, est.high) == pytest.approx(_mover(x, v_moments))
    assert est.high - est.low > np.subtract(*_mover(x, v_log)[::-1])


@pytest.mark.parametrize("n", [5, 10, 30])
def test_mover_covers_a_skewed_mean_where_student_t_falls_short(n) -> None:
    # Lognormal with sigma 0.7 (skewness 2.9, beyond the 1.5-2.2 of per-run mean waits): t under-covers
    # its mean, MOVER holds 95 %, on the safe side at small n (Zou, Huo & Taleban report the same;
    # 4,000 checks put a method covering 95 % within 94.3-95.7 %, one covering 96.5 % within 95.9-97.1 %).
    sigma, checks = 0.7, 4000
    true_mean = math.exp(sigma**2 / 2)
    samples = np.random.default_rng(11).lognormal(0.0, sigma, size=(checks, n))
    mover = np.mean([_covers(kpi_interval("frt.mean.x", s), true_mean) for s in samples])
    t = np.mean([_covers(mean_ci(s), true_mean) for s in samples])
    assert t < 0.935 and 0.94 <= mover <= 0.97, (t, mover)


def _covers(est: Estimate, value: float) -> bool:
    return est.low <= value <= est.high


# --- batch means -------------------------------------------------------------


def test_lag1_autocorrelation_flags_short_batches() -> None:
    rng = np.random.default_rng(3)
    ar = lfilter([1.0], [1.0, -0.9], rng.normal(size=2000))
    batches = [{"frt.mean.x": float(v)} for v in ar.reshape(40, 50).mean(axis=1)]
    _, rho = batch_summary(batches)
    assert rho["frt.mean.x"] == pytest.approx(lag1_autocorrelation(ar.reshape(40, 50).mean(axis=1)))
    assert correlated_kpis(rho, 40, ["frt.mean.x"]) == []  # batches of 50 >> correlation time 10
    short = [{"frt.mean.x": float(v)} for v in ar[:40]]
    assert correlated_kpis(batch_summary(short)[1], 40, ["frt.mean.x"]) == ["frt.mean.x"]
    assert math.isnan(lag1_autocorrelation([1.0, 1.0, 1.0]))


def test_batch_means_centre_on_the_whole_window() -> None:
    batches = [{"frt.mean.x": v, "sla.x": 0.5 + v / 1000} for v in (90.0, 110.0, 100.0, 130.0, 95.0)]
    plain, _ = batch_summary(batches)
    moved, _ = batch_summary(batches, whole={"frt.mean.x": 120.0, "sla.x": 0.999})
    time, share = moved["frt.mean.x"], moved["sla.x"]
    assert time.mean == 120.0 and plain["frt.mean.x"].mean == pytest.approx(105.0)
    # a log-scale interval is scaled onto the centre, so its relative width is kept
    assert time.low / 120.0 == pytest.approx(plain["frt.mean.x"].low / 105.0)
    assert time.high / 120.0 == pytest.approx(plain["frt.mean.x"].high / 105.0)
    assert time.method.startswith("batch means (K=5), ") and time.n == 5
    # a share is shifted, then cut at 100 %, and still holds its centre
    assert share.mean == 0.999 and share.high == 1.0 and share.low < 0.999
    assert share.low == pytest.approx(plain["sla.x"].low + 0.999 - plain["sla.x"].mean)
    # a KPI the whole window leaves undefined keeps the batches' own estimate
    assert batch_summary(batches, whole={})[0]["frt.mean.x"] == plain["frt.mean.x"]


# --- warm-up -----------------------------------------------------------------


def test_mser5_finds_the_end_of_a_start_up_transient() -> None:
    rng = np.random.default_rng(5)
    t = np.arange(1000)
    series = 10.0 * np.exp(-t / 40.0) + rng.normal(0.0, 1.0, size=t.size)
    cut = mser5(series)
    assert cut.settled and 60 <= cut.observations <= 300 and cut.observations % 5 == 0
    flat = mser5(rng.normal(0.0, 1.0, size=1000))
    assert flat.observations <= 100
    assert mser5([1.0, 2.0]).observations == 0


# --- batch means -------------------------------------------------------------


def test_batch_means_is_a_t_interval_over_batch_means() -> None:
    x = np.random.default_rng(2).exponential(3.0, size=1000)
    est = batch_means(x, batches=10)
    assert est == mean_ci(x.reshape(10, 100).mean(axis=1))
    assert est.n == 10


def test_batch_means_drops_the_remainder_from_the_start() -> None:
    x = np.concatenate([[1e9, 1e9, 1e9], np.arange(40.0)])  # 43 values, 20 batches of 2
    est = batch_means(x, batches=20)
    assert est.mean == pytest.approx(19.5)


def test_batch_means_covers_the_mean_of_a_correlated_series() -> None:
    # AR(1) with phi = 0.5 has mean 0; with batches of 500 the batch means are
    # nearly independent, so most intervals over 200 series should cover 0.
    rng = np.random.default_rng(17)
    series = lfilter([1.0], [1.0, -0.5], rng.normal(size=(200, 10_000)), axis=1)
    covered = sum(e.low <= 0.0 <= e.high for e in (batch_means(x, batches=20) for x in series))
    assert covered >= 180


@pytest.mark.parametrize(
    ("n", "batches", "fragment"), [(15, 20, "15 observations"), (50, 1, "at least 2")]
)
def test_batch_means_refuses_too_little_data(n: int, batches: int, fragment: str) -> None:
    with pytest.raises(UserError, match=fragment):
        batch_means(np.ones(n), batches=batches)


# --- KPI direction -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "direction"),
    [
        ("sla.twitter", 1), ("sla.all", 1), ("within_1h.chat", 1), ("within_24h.email", 1),
        ("answered.phone", 1),
        ("frt.p90.email", -1), ("frt.mean.all", -1), ("ttr.p90.chat", -1), ("abandon.phone", -1),
        ("abandoned.phone", -1), ("waiting.email", -1), ("exposure.total", -1),
        ("exposure.top1_share", -1), ("churn.expected", -1), ("churn.rate.twitter", -1),
        ("revenue_at_risk", -1), ("cost.total", -1), ("agent_hours.social", -1),
        ("arrived.twitter", 0), ("utilisation.social", 0), ("bumps.total", 0),
        ("deflections.total", 0), ("peer_answers.total", 0), ("made_up.kpi", 0),
        ("frt_band.p90.lt100", -1), ("gave_up.twitter", -1), ("frt_band.n.lt100", 0),
        ("opened_per_day.email", 0), ("resolved.email", 0),
        ("slant.x", 0),
    ],
)  # fmt: skip
def test_kpi_direction(name: str, direction: int) -> None:
    assert kpi_direction(name) == direction


@given(
    name=st_.sampled_from(["sla.x", "frt.mean.x", "frt.p50.x", "arrived.x", "utilisation.p", "frt_km.p90.x"]),
    values=st_.lists(st_.floats(min_value=0.0, max_value=1.0), min_size=2, max_size=12),
    scale=st_.sampled_from([1.0, 1e3]),
)
def test_no_interval_leaves_its_natural_bounds(name: str, values: list[float], scale: float) -> None:
    x = np.array(values) * (1.0 if name.startswith(("sla", "utilisation")) else scale)
    est = kpi_interval(name, x)
    low, high = natural_bounds(name)
    assert low <= est.low <= est.mean <= est.high <= high
