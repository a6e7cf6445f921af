"""No interval of any shipped scenario leaves its KPI's natural bounds.

Every shipped scenario (the mystery-shopper studies aside) runs three short
replications; every KPI's interval, by the method its family gets, and the
two-stage interval ``--precision`` gives it, must stay within the bounds
of :func:`carebench.stats.bounds.natural_bounds` (no share below 0 % or
above 100 %, no time or count below 0), and no time's interval may pass
the longest time the run can measure.
"""

from __future__ import annotations

import math

import pytest

from carebench.load.loader import load_scenario, shipped_scenario_path, shipped_scenarios
from carebench.runs.executors import SerialExecutor
from carebench.runs.replicate import run_replications
from carebench.runs.tasks import Variant
from carebench.stats.bounds import is_time, natural_bounds
from carebench.stats.two_stage import two_stage_interval

STUDIES = {"stella_24h", "uk_isps"}  # mystery-shopper studies, not scenarios
SHORT = ["horizon=1d", "warmup=0s", "drain=2h"]


@pytest.mark.parametrize("name", [n for n in shipped_scenarios() if n not in STUDIES])
def test_no_interval_of_a_shipped_scenario_leaves_its_bounds(name):
    sc = load_scenario(shipped_scenario_path(name), SHORT)
    (reps,) = run_replications([Variant(name, sc)], 3, SerialExecutor())
    checked = 0
    for kpi, est in reps.summary().items():
        low, high = natural_bounds(kpi)
        staged = two_stage_interval(kpi, reps.values(kpi), 2)
        for e in (est, staged):
            if e.n >= 2 and not math.isnan(e.low):
                assert low <= e.low <= e.high <= high, (kpi, e)
                checked += 1
        if is_time(kpi) and est.n >= 2:
            assert est.high <= sc.longest_time, (kpi, est)
    assert checked > 20
