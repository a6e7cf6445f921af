"""A quick run of the coverage harness (benchmarks/coverage_harness.py) against Erlang C."""

from __future__ import annotations

import importlib.util
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

HARNESS = Path(__file__).resolve().parent.parent / "benchmarks" / "coverage_harness.py"


def _harness():
    spec = importlib.util.spec_from_file_location("coverage_harness", HARNESS)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def _tables():
    _harness()  # puts benchmarks/ on the path, where the tables module lives beside it
    return importlib.import_module("coverage_tables")


@pytest.mark.slow
def test_quick_harness_holds_95_percent_on_mm2():
    # 10,000 replications of M/M/2 at 60 % load (2 days after a 4-hour warm-up, five
    # relaxation times): 2,000 checks of n = 5 per KPI family. The observed coverage
    # must lie in the harness's target band, 93.5-96.5 % (a method covering exactly
    # 95 % leaves it about 0.2 % of the time at 2,000 checks), its two-sided binomial
    # test of 95 % must pass at 0.1 % family-wise (Bonferroni over the four KPIs: a
    # per-KPI 5 % test would fail a perfect method one time in five), and no interval
    # may leave its KPI's natural bounds.
    cv = _harness()
    case = cv.erlang_c_case(2, 0.6, "2d", "4h")
    # Two forked workers, results in seed order (as the harness runs): the same pool in half the time.
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as workers:
        pool = cv.make_pool(case, 10_000, 20261202, workers.map)
    rows = [t.row() for t in cv.fixed_n(case, pool, 5)]
    assert {r["kpi"] for r in rows} == set(case.truth)
    for r in rows:
        assert r["checks"] == 2000 and r["outside"] == 0, r
        assert 0.935 <= r["coverage"] <= 0.965 and r["p"] > 0.001 / len(rows), r


def test_a_perfect_method_misses_the_target_by_chance_less_often_with_more_checks():
    cv = _tables()
    # The band alone is missed less and less often; the binomial interval still misses 95 % in about 5 %.
    assert cv.chance_miss(133) > 0.3 > cv.chance_miss(300) > 0.1 > cv.chance_miss(1000) > 0.03
    assert bool(cv.meets(950, 1000)) and not bool(cv.meets(930, 1000))
    rows = [{"p": p} for p in (0.001, 0.04, 0.5)]
    cv.holm(rows)  # 0.001 <= 0.05 / 3 is rejected; 0.04 > 0.05 / 2 is not, and so neither is 0.5
    assert [r["holm"] for r in rows] == [False, True, True]


def test_families_add_up_checks_across_cases_and_read_back_from_a_written_table(tmp_path):
    cv = _tables()
    rows = [
        {"case": "a", "kpi": "frt.mean.phone", "method": "n=5", "interval": "x", "checks": 1000, "coverage": 0.94,
         "low": 0.0, "high": 1.0, "mean_n": "", "outside": 0, "ok": True, "chance_miss": 0.05, "p": 0.5},
        {"case": "b", "kpi": "frt.p90.phone", "method": "n=5", "interval": "x", "checks": 1000, "coverage": 0.96,
         "low": 0.0, "high": 1.0, "mean_n": "", "outside": 0, "ok": True, "chance_miss": 0.05, "p": 0.5},
        {"case": "a", "kpi": "sla.phone", "method": "batch means K=10, 10d runs", "interval": "x", "checks": 400,
         "coverage": 0.9, "low": 0.0, "high": 1.0, "mean_n": "", "outside": 0, "ok": False, "chance_miss": 0.1,
         "p": 0.001},
        {"case": "b", "kpi": "sla.phone", "method": "batch means K=10, 20d runs", "interval": "x", "checks": 600,
         "coverage": 0.95, "low": 0.0, "high": 1.0, "mean_n": "", "outside": 0, "ok": True, "chance_miss": 0.1,
         "p": 0.9},
    ]
    families = {(r["family"], r["method"]): r for r in cv.family_rows(rows)}
    assert families[("times", "n=5")]["checks"] == 2000 and families[("times", "n=5")]["coverage"] == 0.95
    assert families[("times", "n=5")]["ok"]
    shares = families[("shares", "batch means K=10")]  # both run lengths count together
    assert shares["hits"] == 360 + 570 and shares["checks"] == 1000 and not shares["ok"]
    table = tmp_path / "table.md"
    cv.holm(rows)
    table.write_text(cv.markdown(rows))
    assert [(r["kpi"], r["checks"], r["coverage"]) for r in cv.read_table(str(table))] == [
        (r["kpi"], r["checks"], r["coverage"]) for r in rows]
