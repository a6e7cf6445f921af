"""A quick run of the coverage harness (benchmarks/coverage_harness.py) against Erlang C."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

HARNESS = Path(__file__).resolve().parent.parent / "benchmarks" / "coverage_harness.py"


def _harness():
    spec = importlib.util.spec_from_file_location("coverage_harness", HARNESS)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_quick_harness_holds_95_percent_on_mm5():
    # 1,000 replications of M/M/5 at 80 % load (12 h, 3 h warm-up): 200 checks of
    # n = 5 per KPI family; the observed coverage's binomial interval must hold 95 %
    # and no interval may leave its KPI's natural bounds.
    cv = _harness()
    case = cv.erlang_c_case(5, 0.8, "12h", "3h")
    pool = cv.make_pool(case, 1000, 20261202)
    rows = [t.row() for t in cv.fixed_n(case, pool, 5)]
    assert {r["kpi"] for r in rows} == set(case.truth)
    for r in rows:
        assert r["checks"] == 200 and r["outside"] == 0, r
        assert r["low"] <= 0.95 <= r["high"], r
