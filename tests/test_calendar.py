"""Weekly windows: the grammar, templates, overnight windows and expansion."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carebench.model.calendar import TEMPLATES, parse_days, parse_windows
from carebench.util.units import DAY, HOUR, WEEK


def test_days_grammar():
    assert parse_days("mon-fri") == (0, 1, 2, 3, 4)
    assert parse_days("sat,sun") == (5, 6)
    assert parse_days("fri-mon") == (4, 5, 6, 0)
    assert parse_days("daily") == tuple(range(7))


@pytest.mark.parametrize("name, hours", [("24/7", 168), ("weekdays_9_17", 40), ("until_22", 98), ("closed", 0)])
def test_templates_open_hours(name, hours):
    assert parse_windows(name).weekly_seconds() == hours * HOUR


def test_overnight_window_runs_into_next_day_and_wraps_the_week():
    w = parse_windows("sun 22:00-06:00")
    assert w.is_open(6 * DAY + 23 * HOUR)  # Sunday 23:00
    assert w.is_open(WEEK + 3 * HOUR)  # Monday 03:00 of week 2
    assert not w.is_open(WEEK + 7 * HOUR)


def test_expand_clips_and_merges():
    w = parse_windows("daily 00:00-24:00")
    assert w.always
    assert w.expand(0, 3 * DAY) == [(0, 3 * DAY)]
    office = parse_windows("mon-fri 09:00-17:00").expand(0, WEEK)
    assert len(office) == 5 and office[0] == (9 * HOUR, 17 * HOUR)


@pytest.mark.parametrize("bad", ["9-5", "mon-fry 09:00-17:00", "mon 09:00-09:00", "mon 09:00"])
def test_bad_windows_say_what_was_expected(bad):
    with pytest.raises(ValueError, match="expected"):
        parse_windows(bad)


@given(st.sampled_from(sorted(TEMPLATES)), st.floats(min_value=0, max_value=4 * WEEK))
def test_is_open_agrees_with_expand(name, t):
    w = parse_windows(name)
    inside = any(a <= t < b for a, b in w.expand(0, 5 * WEEK))
    assert w.is_open(t) == inside
