"""Shared fixtures and hypothesis profiles.

``HYPOTHESIS_PROFILE=ci`` (set by .ci/run) keeps property tests few and
deterministic; the default ``dev`` profile explores a little more.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=25, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "dev", max_examples=50, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


_RESULTS = Path(__file__).resolve().parents[1] / "results"


@pytest.fixture
def in_tmp_dir(tmp_path, monkeypatch):
    """Run the test from an empty temporary directory: a command's default ``--out results`` lands there."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="session", autouse=True)
def results_untouched():
    """Fail the session if a test left a result directory in the repository's ``results/``."""
    before = set(os.listdir(_RESULTS)) if _RESULTS.is_dir() else set()
    yield
    after = set(os.listdir(_RESULTS)) if _RESULTS.is_dir() else set()
    left = sorted(after - before)
    assert not left, f"tests wrote into the repository's results/ (pass a tmp --out): {', '.join(left)}"
