"""Fuzzing the scenario and study loaders and the --set, --grid and threshold parsers (bounded in CI).

The targets and strategies live in ``tests/fuzz_targets.py``; ``HYPOTHESIS_PROFILE=ci``
keeps each to a few dozen deterministic examples, and ``benchmarks/fuzz_long.py``
runs the same targets for thousands.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fuzz_targets import (
    SHIPPED,
    check_grid,
    check_override,
    check_scenario_text,
    check_study_text,
    check_threshold,
    grid_texts,
    mutated,
    override_texts,
    threshold_texts,
    yaml_texts,
)
from carebench.load.yamlio import dump_yaml


@given(yaml_texts())
def test_any_scenario_text_loads_or_fails_with_one_line_per_problem(text):
    check_scenario_text(text)


@given(data=mutated(names=("stella_24h",)))
def test_any_study_loads_or_fails_with_one_line_per_problem(data, tmp_path_factory):
    check_study_text(dump_yaml(data), tmp_path_factory.mktemp("study"))


@given(override_texts)
def test_any_set_text_applies_or_fails_with_one_line(text):
    check_override(text)


@given(grid_texts)
def test_any_grid_text_parses_or_fails_with_one_line(text):
    check_grid(text)


@given(threshold_texts)
def test_any_threshold_text_parses_or_fails_with_one_line(text):
    check_threshold(text)


@given(st.sampled_from(sorted(SHIPPED)))
def test_the_shipped_files_pass_their_own_targets(name):
    if name != "stella_24h":
        check_scenario_text(dump_yaml(SHIPPED[name]))
