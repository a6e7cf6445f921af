"""Steady state and censoring: utilisation over the measured window, Kaplan-Meier FRT,
batch means, ``warmup: auto`` (MSER-5) and the warnings ``carebench run`` prints."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from helpers import mmc, mmc_data

from carebench.cli import cli
from carebench.engine.histogram import LogHistogram
from carebench.engine.survival import KaplanMeier
from carebench.load.loader import scenario_from_data
from carebench.runs.simulate import simulate
from carebench.stats.warmup import edge_effects


def _hist(values) -> LogHistogram:
    h = LogHistogram()
    h.add(np.asarray(values, dtype=float))
    return h


def test_kaplan_meier_without_censoring_is_the_answered_distribution():
    answered = _hist(np.random.default_rng(1).exponential(100.0, size=5000))
    km = KaplanMeier(answered, LogHistogram(), 0)
    for q in (0.1, 0.5, 0.9):
        assert km.quantile(q) == pytest.approx(answered.quantile(q), rel=1e-9)
    assert km.share_within(100.0) == pytest.approx(answered.cdf(100.0), rel=1e-9)


def test_kaplan_meier_counts_censored_contacts_as_at_risk_and_leavers_as_never_answered():
    # 100 answered at 10 s; 100 still waiting at the end, aged 50 s; 50 left without a reply.
    km = KaplanMeier(_hist([10.0] * 100), _hist([50.0] * 100), 50)
    assert km.share_within(20.0) == pytest.approx(100 / 250)
    assert km.quantile(0.3) == pytest.approx(10.0, rel=0.03)
    assert np.isnan(km.quantile(0.5))  # never reached: the rest is censored or never answered
    assert np.isnan(KaplanMeier(LogHistogram(), LogHistogram(), 0).quantile(0.5))


def test_censored_contacts_are_counted_and_lengthen_the_kaplan_meier_times():
    # Overloaded with no drain: many still wait at the end.
    k = simulate(mmc(rate_per_hour=150, agents=10, horizon="12h", warmup="0s")).kpis
    assert k["censored.phone"] == k["waiting.phone"] > 50
    assert k["frt_km.p50.phone"] > k["frt.p50.phone"]
    assert k["sla_km.phone"] <= k["sla.phone"] + 1e-9


def test_utilisation_is_over_the_measured_window_and_the_drain_is_apart():
    # The case: a pool at rho = 0.95 with a 2-day drain reported 0.43.
    data = mmc_data(rate_per_hour=114, agents=10, horizon="2d", warmup="4h")
    r = simulate(scenario_from_data({**data, "drain": "2d"}), 3)
    assert r.kpis["utilisation.agents"] == pytest.approx(0.95, abs=0.03)
    assert r.kpis["drain_busy_hours.agents"] > 0
    assert r.kpis["censored.phone"] == 0  # the drain answered everyone
    plain = simulate(scenario_from_data(data), 3)
    assert "drain_busy_hours.agents" in plain.kpis and plain.kpis["drain_busy_hours.agents"] == 0


def test_batches_split_the_measured_window_by_arrival():
    r = simulate(mmc(horizon="2d", warmup="4h"), 5, batches=4)
    assert len(r.batches) == 4
    assert sum(b["arrived.phone"] for b in r.batches) == r.kpis["arrived.phone"]
    assert all(0.0 <= b["sla.phone"] <= 1.0 for b in r.batches)
    assert simulate(mmc(horizon="2d", warmup="4h"), 5).batches == []


def test_auto_warmup_is_chosen_by_mser5_and_reproducible():
    sc = mmc(rate_per_hour=114, agents=10, horizon="2d", warmup="auto")
    assert sc.warmup == 0.0 and sc.warmup_auto
    a, b = simulate(sc, 2), simulate(sc, 2)
    assert a.warmup_rule == "MSER-5" and 0.0 <= a.warmup <= sc.horizon / 2
    assert json.dumps(a.kpis) == json.dumps(b.kpis) and a.warmup == b.warmup
    assert a.fingerprint == sc.fingerprint()


def test_end_effects_are_named_in_one_warning():
    r = simulate(mmc(rate_per_hour=150, agents=10, horizon="12h", warmup="0s"))
    (warning,) = [w for w in edge_effects(r) if "still waiting" in w]
    assert "phone" in warning
    assert not [w for w in edge_effects(simulate(mmc(horizon="2d", warmup="4h"))) if "still waiting" in w]


def test_run_prints_censoring_and_a_warning_for_week_one_from_empty(tmp_path):
    runner = CliRunner()
    out = runner.invoke(cli, ["run", "--set", "warmup=0s", "--set", "horizon=7d", "--set", "drain=0s",
                              "--set", "incidents.0.day=3", "--set", "incidents.1.day=3",
                              "--no-plots", "--out", str(tmp_path)])
    assert out.exit_code == 0, out.output
    assert "censored:" in out.output and "(Kaplan-Meier)" in out.output
    warnings = [line for line in out.output.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "still waiting at the end: " in warnings[0] and "email" in warnings[0]


def test_run_with_batches_writes_batch_means(tmp_path):
    runner = CliRunner()
    out = runner.invoke(cli, ["run", "mmc", "--horizon", "3d", "--batches", "6", "--no-plots", "--out", str(tmp_path)])
    assert out.exit_code == 0, out.output
    assert "batch means: 6 batches of 12h" in out.output
    (summary,) = tmp_path.glob("*/summary.json")
    data = json.loads(summary.read_text())
    assert data["batches"] == 6 and data["method"].startswith("batch means")
    est = data["kpis"]["sla.phone"]
    assert est["n"] == 6 and est["method"].startswith("batch means (K=6)") and "lag1_autocorrelation" in est
    bad = runner.invoke(cli, ["run", "mmc", "--batches", "6", "-n", "3"])
    assert bad.exit_code == 2 and "--batches" in bad.output


def test_horizon_is_measured_after_the_warmup(tmp_path):
    runner = CliRunner()
    out = runner.invoke(cli, ["run", "mmc", "--horizon", "2d", "--no-plots", "-q", "--out", str(tmp_path)])
    assert out.exit_code == 0, out.output
    (kpis,) = tmp_path.glob("*/kpis.json")
    data = json.loads(kpis.read_text())
    assert data["horizon"] - data["warmup"] == 2 * 86400
