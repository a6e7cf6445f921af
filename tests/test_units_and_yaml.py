"""Durations, clock times, rates and the YAML 1.2 scalar rules."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carebench.load.yamlio import load_yaml_text
from carebench.util.errors import UserError
from carebench.util.units import format_duration, parse_clock, parse_duration, parse_rate


@pytest.mark.parametrize("text, seconds", [
    ("30s", 30), ("90m", 5400), ("1h30m", 5400), ("14d", 14 * 86400), ("1w", 604800),
    ("0.5h", 1800), ("2d 4h", 2 * 86400 + 4 * 3600), (0, 0), ("1H", 3600),
])
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["soon", "", "1x", "h", 60, 1.5, True, None, "-1h", [1]])
def test_parse_duration_rejects_with_the_expected_form(bad):
    with pytest.raises(ValueError, match="expected a duration"):
        parse_duration(bad)


@given(st.integers(min_value=1, max_value=10**7))
def test_format_then_parse_whole_seconds_round_trips(seconds):
    text = format_duration(seconds)
    # format_duration keeps the two largest units, so compare at that precision.
    assert abs(parse_duration(text) - seconds) < max(60, seconds * 0.04) or seconds < 60


@pytest.mark.parametrize("text, seconds", [("00:00", 0), ("09:30", 34200), ("24:00", 86400), ("7:05", 25500)])
def test_parse_clock(text, seconds):
    assert parse_clock(text) == seconds


@pytest.mark.parametrize("bad", ["25:00", "24:30", "9am", 900, "12:60"])
def test_parse_clock_rejects(bad):
    with pytest.raises(ValueError, match="clock time"):
        parse_clock(bad)


@pytest.mark.parametrize("text, per_second", [("3600/h", 1.0), ("86400/d", 1.0), ("30/30m", 1 / 60), ("0.5/s", 0.5)])
def test_parse_rate(text, per_second):
    assert math.isclose(parse_rate(text), per_second)


def test_yaml_clock_times_stay_strings_and_numbers_follow_yaml_1_2():
    data = load_yaml_text("a: 12:00\nb: no\nc: 1e3\nd: 1_000\ne: true\nf: ~\n")
    assert data == {"a": "12:00", "b": "no", "c": 1000.0, "d": 1000, "e": True, "f": None}


def test_yaml_cannot_build_python_objects():
    with pytest.raises(UserError, match="not valid YAML"):
        load_yaml_text("x: !!python/object/apply:os.system ['echo hi']\n", "evil.yaml")


def test_yaml_syntax_error_names_line_and_column():
    with pytest.raises(UserError, match=r"bad.yaml:2:\d+"):
        load_yaml_text("a: [1, 2\nb: 3\n", "bad.yaml")
