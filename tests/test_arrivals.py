"""Non-homogeneous Poisson arrivals: counts honour profiles and incidents exactly."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from carebench.engine.arrivals import ChannelRate, arrival_blocks, expected_arrivals
from carebench.util.units import DAY, HOUR


def all_times(rate, end, seed=1):
    return np.concatenate(list(arrival_blocks(rate, 0.0, end, np.random.default_rng(seed))) or [np.array([])])


def test_counts_follow_the_hourly_profile():
    hourly = tuple([0.0] * 8 + [3.0] * 4 + [1.0] * 12)
    rate = ChannelRate(100.0, hourly, (1.0,) * 7)
    times = all_times(rate, 20 * DAY)
    hours = (times % DAY // HOUR).astype(int)
    assert not np.any(hours < 8)
    peak = np.sum((hours >= 8) & (hours < 12)) / (4 * 20)  # per hour; expected 300
    rest = np.sum(hours >= 12) / (12 * 20)  # expected 100
    assert 280 < peak < 320 and 90 < rest < 110


def test_a_ten_minute_incident_is_not_skipped():
    rate = ChannelRate(6.0, (1.0,) * 24, (1.0,) * 7, incidents=((3600.0 * 5 + 60, 3600.0 * 5 + 660, 200.0),))
    counts = [np.sum((t >= 18060) & (t < 18660)) for t in (all_times(rate, DAY, s) for s in range(20))]
    # 6/h × 200 for 10 minutes = 200 expected in the window.
    assert 170 < np.mean(counts) < 230


def test_times_are_sorted_and_inside_the_window():
    rate = ChannelRate(50.0, (1.0,) * 24, (1.0,) * 7)
    times = all_times(rate, 3 * DAY)
    assert np.all(np.diff(times) >= 0) and times.min() >= 0 and times.max() < 3 * DAY


@given(st.floats(min_value=0.5, max_value=50), st.integers(min_value=1, max_value=6))
def test_expected_arrivals_is_the_integral(per_hour, days):
    hourly = tuple(float(1 + (h % 3)) for h in range(24))
    rate = ChannelRate(per_hour, hourly, (1.0, 2.0, 1.0, 1.0, 1.0, 0.5, 0.5))
    exact = sum(per_hour * hourly[h] * (1.0, 2.0, 1.0, 1.0, 1.0, 0.5, 0.5)[d % 7] for d in range(days) for h in range(24))
    assert expected_arrivals(rate, 0, days * DAY) == pytest.approx(exact)


def test_mean_count_matches_expectation_over_seeds():
    rate = ChannelRate(30.0, tuple(float(h % 5) for h in range(24)), (1.0,) * 7, incidents=((DAY / 2, DAY / 2 + 3 * HOUR, 3.0),))
    expected = expected_arrivals(rate, 0, DAY)
    counts = np.array([all_times(rate, DAY, s).size for s in range(60)])
    # A Poisson count has variance equal to its mean: allow four standard errors.
    assert abs(counts.mean() - expected) < 4 * np.sqrt(expected / counts.size)
