"""The engine against queueing theory: M/M/c against Erlang C, M/M/c+M against Erlang A.

One run is one sample, so each check replicates and asks the analytic value
to fall inside the replications' 99 % confidence interval (seeds are fixed,
so the test is deterministic; 99 % rather than 95 % so that the chosen seeds
are not a one-in-twenty coincidence away from failing).
"""

from __future__ import annotations

import pytest
from helpers import mmc

from carebench.analytic.erlang import erlang_a_figures, erlang_c_figures
from carebench.engine.streams import replication_seeds
from carebench.runs.simulate import simulate
from carebench.stats.intervals import mean_ci

RATE, HANDLE, AGENTS, TARGET = 100 / 3600, 300.0, 10, 20.0


def replicate(scenario, kpis, n=24):
    runs = [simulate(scenario, seed).kpis for seed in replication_seeds(scenario.seed, n)]
    return {k: mean_ci([r[k] for r in runs], confidence=0.99) for k in kpis}


def test_mmc_mean_wait_and_service_level_match_erlang_c():
    theory = erlang_c_figures(RATE, HANDLE, AGENTS, TARGET)
    est = replicate(mmc(horizon="3d"), ["frt.mean.phone", "sla.phone"])
    assert est["frt.mean.phone"].low <= theory.mean_wait <= est["frt.mean.phone"].high
    assert est["sla.phone"].low <= theory.service_level <= est["sla.phone"].high
    # And the interval is tight enough to mean something (±15 % of the mean wait).
    assert est["frt.mean.phone"].half_width < 0.15 * theory.mean_wait


def test_mmc_with_exponential_patience_matches_erlang_a():
    theory = erlang_a_figures(RATE, HANDLE, AGENTS, TARGET, patience=180.0)
    est = replicate(mmc(patience="3m", horizon="3d"), ["abandon.phone", "sla.phone"])
    assert est["abandon.phone"].low <= theory.p_abandon <= est["abandon.phone"].high
    assert est["sla.phone"].low <= theory.service_level <= est["sla.phone"].high


def test_unlimited_staff_means_no_wait():
    k = simulate(mmc(agents=200)).kpis
    assert k["frt.mean.phone"] == 0.0 and k["sla.phone"] == 1.0


@pytest.mark.slow
def test_heavier_load_still_matches_erlang_c():
    # 55 agents at 91 % load, as in the benchmark: a harder, longer check.
    rate, agents = 55 * 0.91 / 300, 55
    theory = erlang_c_figures(rate, HANDLE, agents, TARGET)
    sc = mmc(rate_per_hour=rate * 3600, agents=agents, horizon="4d", warmup="12h")
    est = replicate(sc, ["frt.mean.phone"], n=12)
    assert est["frt.mean.phone"].low <= theory.mean_wait <= est["frt.mean.phone"].high
