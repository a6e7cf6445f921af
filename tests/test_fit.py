"""Fitting scenarios to traces: profiles recovered inside their intervals, bursts, distributions, pooling."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import build, mmc_data
from trace_helpers import ORIGIN, simulated_log, write_trace

from carebench.calibrate import fit_distribution, fit_profile, fit_trace
from carebench.load.loader import scenario_from_data
from carebench.trace import read_trace
from carebench.trace.timeparse import wall_seconds

HOURLY = [0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 1.2, 1.6, 1.8, 1.7, 1.5,
          1.4, 1.5, 1.6, 1.6, 1.5, 1.4, 1.3, 1.2, 1.1, 0.9, 0.6, 0.3]
WEEKLY = [1.2, 1.1, 1.1, 1.0, 1.0, 0.7, 0.9]


def _known(per_hour=15.0, horizon="21d", incidents=()):
    data = mmc_data(rate_per_hour=per_hour, agents=30, horizon=horizon, warmup="0s")
    data["channels"]["phone"]["arrivals"] = {"per_hour": per_hour, "hourly_profile": HOURLY, "weekly_profile": WEEKLY}
    data["incidents"] = list(incidents)
    return build(data)


@pytest.fixture(scope="module")
def known_trace(tmp_path_factory):
    sc = _known()
    cols, _ = simulated_log(sc)
    path = write_trace(tmp_path_factory.mktemp("fit") / "log.csv", cols, tuple(sc.channels))
    return read_trace(path, columns={"arrival": "arrival", "first_reply": "first_reply", "channel": "channel"},
                      origin=ORIGIN)


def test_fit_recovers_rate_and_profiles_inside_their_intervals(known_trace):
    hours, counts = known_trace.hourly(start=wall_seconds(ORIGIN), end=wall_seconds(ORIGIN) + 21 * 86400)
    p = fit_profile(hours, counts)
    true_mean = 15.0 * np.mean(HOURLY) * np.mean(WEEKLY)
    assert p.per_hour_interval[0] <= true_mean <= p.per_hour_interval[1]
    a_true = np.array(HOURLY) / np.mean(HOURLY)
    b_true = np.array(WEEKLY) / np.mean(WEEKLY)
    inside_a = (p.hourly_interval[:, 0] <= a_true) & (a_true <= p.hourly_interval[:, 1])
    inside_b = (p.weekly_interval[:, 0] <= b_true) & (b_true <= p.weekly_interval[:, 1])
    # 95 % intervals: a few of 24 may miss by chance; a wrong estimator misses most.
    assert inside_a.sum() >= 21 and inside_b.sum() >= 6
    assert not p.bursts and p.tests["dispersion_p"] > 0.001


def test_a_burst_the_profile_does_not_explain_becomes_an_incident(tmp_path):
    sc = _known(per_hour=30.0, horizon="14d", incidents=[{"channels": ["phone"], "day": 9, "start": "10:00", "duration": "3h",
                                          "multiplier": 5}])
    cols, _ = simulated_log(sc)
    tr = read_trace(write_trace(tmp_path / "b.csv", cols, ("phone",)), columns={"arrival": "arrival"}, origin=ORIGIN)
    fitted = fit_trace(tr, channel="phone", horizon_days=14)
    (burst,) = fitted.bursts["phone"]
    assert burst.start == wall_seconds("2024-01-09 10:00") and burst.hours == 3
    assert 3.5 < burst.multiplier < 7
    (inc,) = fitted.scenario["incidents"]
    assert (inc["day"], inc["start"], inc["duration"]) == (9, "10:00", "3h")
    sc2 = scenario_from_data(fitted.scenario)  # runnable as written
    assert sc2.channels["phone"].first_response == "pickup"


def test_thin_hours_are_pooled_and_said_so():
    starts = wall_seconds("2024-01-01") + np.arange(24 * 14) * 3600.0
    hour = np.arange(starts.size) % 24
    counts = np.where((hour >= 1) & (hour <= 4), 0.0, 20.0)
    p = fit_profile(starts, counts)
    assert [1, 2, 3, 4] in p.hour_groups
    assert any("hours 01-04 pooled" in line for line in p.pooled())
    assert np.all(p.hourly[1:5] == 0)


def test_distribution_choice_by_likelihood_with_empirical_fallback():
    rng = np.random.default_rng(1)
    logn = rng.lognormal(np.log(300), 0.8, 3000)
    d = fit_distribution(logn)
    assert d.chosen == "lognormal"
    assert d.spec["mean"] == pytest.approx(300 * np.exp(0.32), rel=0.05)
    bimodal = np.concatenate([rng.normal(60, 5, 2000), rng.normal(3600, 100, 2000)])
    assert fit_distribution(np.abs(bimodal)).chosen == "empirical"


def test_check_from_compares_held_out_hours(known_trace):
    fitted = fit_trace(known_trace, channel="phone", check_from=wall_seconds("2024-01-15"))
    check = fitted.holdout["phone"]
    assert check["predicted"] == pytest.approx(check["observed"], rel=0.06)
    assert check["shape_mape_by_hour"] < 0.3
