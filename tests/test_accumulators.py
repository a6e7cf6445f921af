"""Histograms and time binning: the streaming accumulators behind the KPIs."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from carebench.engine.binning import add_intervals, add_points, step_area
from carebench.engine.histogram import LogHistogram


@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=300),
       st.sampled_from([0.1, 0.5, 0.9, 0.99]))
def test_histogram_quantiles_within_two_percent(values, q):
    h = LogHistogram()
    h.add(np.array(values))
    exact = float(np.quantile(values, q, method="inverted_cdf"))
    got = h.quantile(q)
    assert got == pytest.approx(exact, rel=0.021, abs=1e-3)
    assert h.mean == pytest.approx(np.mean(values))


def test_histogram_merge_equals_adding_everything():
    rng = np.random.default_rng(1)
    a, b = rng.exponential(60, 500), rng.exponential(600, 500)
    h1, h2, h3 = LogHistogram(), LogHistogram(), LogHistogram()
    h1.add(a)
    h2.add(b)
    h1.merge(h2)
    h3.add(np.concatenate([a, b]))
    assert np.array_equal(h1.counts, h3.counts) and h1.n == h3.n and h1.total == pytest.approx(h3.total)


@given(st.lists(st.tuples(st.floats(0, 100), st.floats(0, 100)), max_size=50), st.floats(0.5, 7))
def test_intervals_spread_their_exact_length(pairs, width):
    area = np.zeros(int(np.ceil(100 / width)) + 1)
    starts = np.array([min(p) for p in pairs], dtype=float)
    ends = np.array([max(p) for p in pairs], dtype=float)
    add_intervals(area, width, starts, ends)
    assert area.sum() == pytest.approx((ends - starts).sum(), abs=1e-6)
    assert np.all(area <= width * len(pairs) + 1e-9)


def test_interval_over_several_bins():
    area = np.zeros(5)
    add_intervals(area, 10.0, np.array([5.0]), np.array([32.0]), 2.0)
    assert area.tolist() == [10.0, 20.0, 20.0, 4.0, 0.0]


def test_points_and_steps():
    counts = np.zeros(3)
    add_points(counts, 10.0, np.array([1.0, 11.0, 12.0, 99.0, np.nan]))
    assert counts.tolist() == [1.0, 2.0, 0.0]
    assert step_area([(0.0, 2), (15.0, 4)], 30.0, 3, 10.0).tolist() == [20.0, 30.0, 40.0]
