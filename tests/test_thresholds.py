"""Tests for carebench.gate.thresholds and carebench.gate.regression: the grammar, judging intervals, regressions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as hs

import carebench.kpis.grammar as th
from carebench.kpis import catalogue
from carebench.gate.regression import regression_paired, regression_unpaired
from carebench.gate.thresholds import (
    Rule,
    Threshold,
    evaluate,
    evaluate_all,
    parse_threshold,
)
from carebench.stats.intervals import Estimate, mean_ci
from carebench.util.errors import UserError


def test_public_api_is_listed_and_documented() -> None:
    for name in th.__all__:
        assert getattr(th, name).__doc__, name


# --- grammar -----------------------------------------------------------------

GOOD = [
    ("sla.twitter >= 0.90", "sla.twitter", ">=", 0.9),
    ("sla.twitter>=0.9", "sla.twitter", ">=", 0.9),
    ("  sla.twitter   >=   90%  ", "sla.twitter", ">=", 0.9),
    ("\tsla.all\t>\t0.5\n", "sla.all", ">", 0.5),
    ("sla.twitter >= 90 %", "sla.twitter", ">=", 0.9),
    ("sla.live-chat > .8", "sla.live-chat", ">", 0.8),
    ("within_1h.twitter >= 40%", "within_1h.twitter", ">=", 0.4),
    ("abandon.phone <= 5%", "abandon.phone", "<=", 0.05),
    ("abandon.phone <= 0.5%", "abandon.phone", "<=", 0.005),
    ("churn.rate.twitter < 1%", "churn.rate.twitter", "<", 0.01),
    ("exposure.top1_share < 50%", "exposure.top1_share", "<", 0.5),
    ("frt.p90.email < 24h", "frt.p90.email", "<", 86_400.0),
    ("frt.p90.email<90m", "frt.p90.email", "<", 5_400.0),
    ("frt.p50.chat <= 20s", "frt.p50.chat", "<=", 20.0),
    ("frt.p90.email < 1h30m", "frt.p90.email", "<", 5_400.0),
    ("frt.p90.email < 1.5h", "frt.p90.email", "<", 5_400.0),
    ("frt.p90.email < 24 H", "frt.p90.email", "<", 86_400.0),
    ("ttr.p90.email < 2d", "ttr.p90.email", "<", 172_800.0),
    ("frt.mean.all <= 0", "frt.mean.all", "<=", 0.0),
    ("exposure.total < 2.0e6", "exposure.total", "<", 2.0e6),
    ("exposure.total < 2E+06", "exposure.total", "<", 2.0e6),
    ("exposure.total < 2_000_000", "exposure.total", "<", 2.0e6),
    ("churn.expected <= 120", "churn.expected", "<=", 120.0),
    ("agent_hours.total < 1_200.5", "agent_hours.total", "<", 1200.5),
    ("revenue_at_risk < 1e-3", "revenue_at_risk", "<", 0.001),
    ("frt_band.p90.lt100 < 24h", "frt_band.p90.lt100", "<", 86_400.0),
    ("utilisation.social <= 95%", "utilisation.social", "<=", 0.95),
    ("gave_up.twitter < 30", "gave_up.twitter", "<", 30.0),
    ("opened_per_day.email > 12.5", "opened_per_day.email", ">", 12.5),
    ("deflections.to.link <= 100", "deflections.to.link", "<=", 100.0),
]


@pytest.mark.parametrize(("text", "kpi", "op", "value"), GOOD)
def test_parse_good_expressions(text: str, kpi: str, op: str, value: float) -> None:
    t = parse_threshold(text)
    assert (t.kpi, t.op) == (kpi, op)
    assert t.value == pytest.approx(value, rel=1e-15)
    assert t.text == text.strip()


BAD = [
    ("sla.twitter >> 0.9",
     "expected <, <=, > or >= between a KPI name and a value (did you mean '>'?)"),
    ("sla.twitter => 0.9", "(did you mean '>='?)"),
    ("sla.twitter ≥ 0.9", "(did you mean '>='?)"),
    ("sla.twitter == 0.9", "'==' cannot gate a KPI estimated from replications"),
    ("sla.twitter = 0.9", "'=' cannot gate a KPI"),
    ("sla.twitter != 0.9", "expected <, <=, > or >= between a KPI name and a value"),
    ("sla.twitter 0.9", "expected <, <=, > or >= between a KPI name and a value"),
    ("", "expected <, <=, > or >="),
    (">= 0.9", "expected a KPI name such as 'sla.twitter' before '>='"),
    ("sla twitter >= 0.9", "expected a dotted KPI name such as 'sla.twitter', got 'sla twitter'"),
    ("sla..twitter >= 0.9", "got 'sla..twitter'"),
    ("0.8 < sla.twitter", "got '0.8'"),
    ("sla.twitter >=", "after '>=', got nothing"),
    ("sla.twitter >= x",
     "expected a number (0.9, 2.0e6, 1_000), a percentage (5%) or a duration (24h, 90m) "
     "after '>=', got 'x'"),
    ("sla.twitter >= 0.9 < 1", "got '0.9 < 1'"),
    ("exposure.total < 1__000", "got '1__000'"),
    ("exposure.total < _1000", "got '_1000'"),
    ("exposure.total < 1000_", "got '1000_'"),
    ("exposure.total < inf", "got 'inf'"),
    ("exposure.total < nan", "got 'nan'"),
    ("exposure.total < 1e999", "expected a finite value, got '1e999'"),
    ("frt.p90.email < 24", "'frt.p90.email' is a time; give a duration with a unit such as '24h'"),
    ("frt.p90.email < 5%", "'frt.p90.email' is a time"),
    ("frt.p90.email < -5m", "got '-5m'"),
    ("agent_hours.total < 100h",
     "'agent_hours.total' is a count or amount in agent-hours, not a time in seconds"),
    ("frt_band.p90.lt100 < 24", "'frt_band.p90.lt100' is a time; give a duration"),
    ("resolved_per_day.email > 5%", "is a count or amount in contacts per day, not a share"),
    ("exposure.total < -1", "'exposure.total' is in follower-hours and cannot be negative"),
    ("frtt.p90.email < 24h",
     "'frtt.p90.email' is not a KPI carebench reports; did you mean 'frt.p90.email'"),
    ("sla_twitter >= 90%", "did you mean 'sla.twitter'"),
    ("frt.p95.email < 1h", "is not a KPI carebench reports; did you mean 'frt.p99.email'"),
    ("custom.metric > 5%", "'custom.metric' is not a KPI carebench reports"),
    ("sla.twitter >= 1h", "'sla.twitter' is a share between 0 and 1, not a time in seconds"),
    ("sla.twitter >= 90", "'sla.twitter' is a share between 0 and 1; write e.g. 0.9 or 90%"),
    ("sla.twitter >= 120%", "is a share between 0 and 1"),
    ("abandon.phone <= -0.1", "is a share between 0 and 1"),
    ("cost.total < 5%", "'cost.total' is a count or amount in money, not a share; write a plain number"),
    ("churn.expected <= 12%", "not a share"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "fragment"), BAD)
def test_parse_bad_expressions(text: str, fragment: str) -> None:
    with pytest.raises(UserError) as info:
        parse_threshold(text)
    message = str(info.value)
    assert message.startswith(f"threshold {text.strip()!r}: ")
    assert fragment in message
    assert "\n" not in message


def test_parse_refuses_non_text() -> None:
    with pytest.raises(UserError, match=r"expected text such as 'sla\.twitter >= 0\.9'"):
        parse_threshold(0.9)  # type: ignore[arg-type]


def test_thresholds_compare_by_meaning_not_spelling() -> None:
    assert parse_threshold("abandon.phone <= 5%") == parse_threshold("abandon.phone<=0.05")
    assert parse_threshold("frt.p90.email < 24h") == parse_threshold("frt.p90.email < 1d")
    assert str(parse_threshold("frt.p90.email < 90m")) == "frt.p90.email < 1h30m"


@pytest.mark.parametrize(
    ("kpi", "op", "value"),
    [("sla.x", "==", 0.5), ("sla x", "<", 0.5), ("sla.x", "<", 1.5), ("frt.p90.x", "<", -1.0),
     ("cost.total", "<", math.inf), ("cost.total", "<", math.nan), ("cost.total", "<", -1.0),
     ("custom.metric", "<", 1.0)],
)  # fmt: skip
def test_threshold_constructor_refuses_bad_fields(kpi: str, op: str, value: float) -> None:
    with pytest.raises(ValueError):
        Threshold(kpi, op, value)


_CHANNEL = hs.sampled_from(["twitter", "facebook", "phone", "chat", "email", "all", "live-chat"])
_SECONDS_KPI = hs.builds(
    "{}.{}".format, hs.sampled_from(["frt.p50", "frt.p90", "ttr.p90"]), _CHANNEL
)
_SHARE_KPI = hs.builds("{}.{}".format, hs.sampled_from(["sla", "abandon", "within_1h"]), _CHANNEL)
_AMOUNT_KPI = hs.sampled_from(["exposure.total", "churn.expected", "cost.total", "agent_hours.x"])
_ANY_KPI = hs.sampled_from(catalogue.names(["twitter", "live-chat"], ["social"]))
_FINITE = {"allow_nan": False, "allow_infinity": False}
_THRESHOLDS = hs.one_of(
    hs.builds(Threshold, _SECONDS_KPI, hs.sampled_from(["<", "<="]), hs.floats(0, 1e9, **_FINITE)),
    hs.builds(Threshold, _SHARE_KPI, hs.sampled_from([">", ">="]), hs.floats(0, 1)),
    hs.builds(Threshold, _AMOUNT_KPI, hs.sampled_from(["<", "<="]), hs.floats(0, 1e12, **_FINITE)),
    hs.builds(Threshold, _ANY_KPI, hs.sampled_from(sorted(th._OPS)), hs.floats(0, 1)),
)


@given(_THRESHOLDS)
def test_str_round_trips(t: Threshold) -> None:
    again = parse_threshold(str(t))
    assert again == t
    assert again.value == t.value  # exactly, not approximately
    assert parse_threshold(t.text) == t


# --- evaluate ----------------------------------------------------------------


def _est(low: float, high: float, n: int = 10, mean: float | None = None) -> Estimate:
    mid = (low + high) / 2 if mean is None else mean
    return Estimate(mid, (high - low) / 2, low, high, n, 0.1, 0.95)


ABOVE, BELOW, STRADDLE = _est(0.92, 0.96), _est(0.80, 0.86), _est(0.88, 0.92, mean=0.91)


@pytest.mark.parametrize(
    ("op", "estimate", "interval_pass", "mean_pass", "where"),
    [
        (">=", ABOVE, True, True, "interval above"), (">", ABOVE, True, True, "interval above"),
        ("<=", ABOVE, False, False, "interval above"), ("<", ABOVE, False, False, "interval above"),
        (">=", BELOW, False, False, "interval below"), (">", BELOW, False, False, "interval below"),
        ("<=", BELOW, True, True, "interval below"), ("<", BELOW, True, True, "interval below"),
        (">=", STRADDLE, False, True, "interval straddles"),
        (">", STRADDLE, False, True, "interval straddles"),
        ("<=", STRADDLE, False, False, "interval straddles"),
        ("<", STRADDLE, False, False, "interval straddles"),
    ],
)  # fmt: skip
def test_evaluate_each_operator(
    op: str, estimate: Estimate, interval_pass: bool, mean_pass: bool, where: str
) -> None:
    t = Threshold("sla.twitter", op, 0.9)
    by_interval = evaluate(t, estimate)
    by_mean = evaluate(t, estimate, Rule.MEAN)
    assert by_interval.passed is interval_pass and by_interval.rule is Rule.INTERVAL
    assert by_mean.passed is mean_pass and by_mean.rule is Rule.MEAN
    assert where in by_interval.detail
    assert (by_interval.margin > 0) is interval_pass and (by_mean.margin > 0) is mean_pass


def test_evaluate_margins_are_distances_in_kpi_units() -> None:
    assert evaluate(Threshold("sla.x", ">=", 0.9), ABOVE).margin == pytest.approx(0.02)
    assert evaluate(Threshold("sla.x", "<", 0.9), BELOW).margin == pytest.approx(0.04)
    assert evaluate(Threshold("sla.x", ">=", 0.9), BELOW).margin == pytest.approx(-0.10)
    assert evaluate(Threshold("sla.x", "<", 0.9), STRADDLE, "mean").margin == pytest.approx(-0.01)


def test_evaluate_ties_follow_the_operator() -> None:
    touching = _est(0.9, 0.95)
    assert evaluate(Threshold("sla.x", ">=", 0.9), touching).passed
    assert not evaluate(Threshold("sla.x", ">", 0.9), touching).passed


def test_interval_rule_fails_a_single_replication_and_says_why() -> None:
    t = parse_threshold("sla.twitter >= 0.9")
    one = mean_ci([0.95])
    verdict = evaluate(t, one)
    assert not verdict.passed and verdict.margin == -math.inf
    assert "rule 'mean'" in verdict.detail
    assert evaluate(t, one, "mean").passed


def test_evaluate_fails_a_kpi_with_no_data_under_both_rules() -> None:
    t = parse_threshold("frt.p90.email < 24h")
    for rule in Rule:
        verdict = evaluate(t, mean_ci([math.nan, math.nan]), rule)
        assert not verdict.passed and "undefined in every replication" in verdict.detail


def test_evaluate_shows_times_as_durations() -> None:
    verdict = evaluate(parse_threshold("frt.p90.email < 24h"), mean_ci([72_000.0, 72_000.0]))
    assert verdict.passed
    assert verdict.detail == "mean 20h, 95% CI [20h, 20h], n=2: interval below 1d"


def test_evaluate_refuses_an_unknown_rule() -> None:
    with pytest.raises(UserError, match="rule 'median': expected 'interval' or 'mean'"):
        evaluate(parse_threshold("sla.x >= 0.9"), ABOVE, "median")


def test_evaluate_all_keeps_order_and_names_missing_kpis() -> None:
    estimates = {"sla.twitter": ABOVE, "sla.phone": BELOW, "frt.p90.email": mean_ci([10.0, 20.0])}
    gates = [parse_threshold("sla.phone >= 90%"), parse_threshold("sla.twitter >= 90%")]
    assert [v.passed for v in evaluate_all(gates, estimates)] == [False, True]
    with pytest.raises(UserError) as info:
        evaluate_all([parse_threshold("sla.twiter >= 0.9")], estimates)
    assert str(info.value) == (
        "threshold 'sla.twiter >= 0.9': no KPI 'sla.twiter' in the results; "
        "did you mean 'sla.twitter'?"
    )
    with pytest.raises(UserError, match="no similar name among the 3 KPIs"):
        evaluate_all([parse_threshold("sla.zzzzzz >= 0.9")], estimates)


# --- regression --------------------------------------------------------------

RNG_SEED = 4242


def _baseline(mean: float, sd: float, n: int = 20) -> np.ndarray:
    return np.random.default_rng(RNG_SEED).normal(mean, sd, size=n)


def _noise(sd: float, n: int = 20) -> np.ndarray:
    return np.random.default_rng(RNG_SEED + 1).normal(0.0, sd, size=n)


def test_regression_worse_beyond_tolerance_and_significant_is_flagged() -> None:
    base = _baseline(0.9, 0.03)
    r = regression_paired("sla.twitter", base, base - 0.05 + _noise(0.005), tolerance=0.02)
    assert r.regressed and r.paired and r.direction == 1
    assert r.allowed == pytest.approx(0.02 * abs(base.mean()))
    assert r.difference.high < 0
    assert "REGRESSION" in r.detail


def test_regression_worse_within_tolerance_is_not_flagged() -> None:
    base = _baseline(0.9, 0.03)
    r = regression_paired("sla.twitter", base, base - 0.01 + _noise(0.001), tolerance=0.02)
    assert r.difference.significant and r.difference.mean < 0
    assert not r.regressed
    assert "within the" in r.detail


def test_regression_better_is_not_flagged() -> None:
    base = _baseline(0.8, 0.03)
    r = regression_paired("sla.twitter", base, base + 0.1, tolerance=0.0)
    assert r.difference.significant and not r.regressed
    assert r.detail.endswith("not worse")


def test_regression_noise_only_is_not_flagged() -> None:
    base = _baseline(0.9, 0.03)
    r = regression_paired("sla.twitter", base, base + _noise(0.03), tolerance=0.02)
    assert not r.regressed


def test_regression_worse_but_not_significant_is_not_flagged() -> None:
    base = np.full(8, 0.9)
    swings = np.array([-0.3, 0.2, -0.3, 0.2, -0.3, 0.2, -0.3, 0.2])  # mean -0.05, wide CI
    r = regression_paired("sla.twitter", base, base + swings, tolerance=0.02)
    assert r.difference.mean == pytest.approx(-0.05)
    assert not r.difference.significant and not r.regressed
    assert "not significantly" in r.detail


def test_regression_direction_for_lower_is_better() -> None:
    base = _baseline(3600.0, 600.0)
    slower = regression_paired("frt.p90.email", base, base * 1.2, tolerance=0.05)
    faster = regression_paired("frt.p90.email", base, base * 0.8, tolerance=0.05)
    assert slower.direction == -1 and slower.regressed
    assert not faster.regressed


def test_regression_ignores_neutral_kpis() -> None:
    base = _baseline(1000.0, 10.0)
    r = regression_paired("arrived.twitter", base, base * 3, tolerance=0.0)
    assert r.direction == 0 and not r.regressed and "neutral" in r.detail


def test_regression_from_a_zero_baseline_flags_any_significant_worsening() -> None:
    base = np.zeros(10)
    r = regression_paired("abandon.phone", base, base + 0.01 + _noise(0.001, 10), tolerance=0.5)
    assert r.allowed == 0.0 and r.regressed


def test_regression_unpaired_uses_welch_and_is_less_sensitive() -> None:
    base = _baseline(0.9, 0.05)
    shifted = base - 0.03 + _noise(0.002)  # the seeds' shared noise cancels only in pairs
    paired = regression_paired("sla.twitter", base, shifted, tolerance=0.01)
    unpaired = regression_unpaired("sla.twitter", mean_ci(base), mean_ci(shifted), tolerance=0.01)
    assert paired.regressed and not unpaired.regressed and not unpaired.paired
    assert "Welch" in unpaired.detail
    clear = regression_unpaired("sla.twitter", mean_ci(base), mean_ci(base - 0.2), tolerance=0.01)
    assert clear.regressed


@pytest.mark.parametrize("tolerance", [-0.01, math.nan, math.inf, "5%"])
def test_regression_refuses_bad_tolerance(tolerance: object) -> None:
    base = _baseline(0.9, 0.03)
    with pytest.raises(UserError, match=r"^tolerance .*: expected a relative change of 0 or more"):
        regression_paired("sla.twitter", base, base, tolerance)  # type: ignore[arg-type]
