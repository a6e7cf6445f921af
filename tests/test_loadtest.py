"""Breaking points, capacity curves and the staffing search against Erlang C."""

from __future__ import annotations

import pytest

from simulator.erlang import agents_needed, erlang_c_figures
from simulator.loader import scenario_from_data
from simulator.loadtest import breaking_point, capacity_curve, knee, with_multiplier
from simulator.simulate import simulate
from simulator.staffing_search import apply, erlang_start, knobs, search
from simulator.streams import replication_seeds
from simulator.thresholds import parse_threshold
from tests.helpers import mmc_data, two_channel_data


def serial(variants, seeds):
    return [[simulate(scenario_from_data(v), s).kpis for s in seeds] for v in variants]


def erlang_crossing(rate, handle, agents, target, goal):
    lo, hi = 0.01, agents / (rate * handle)  # above hi the queue is unstable
    for _ in range(60):
        mid = (lo + hi) / 2
        if erlang_c_figures(mid * rate, handle, agents, target).service_level >= goal:
            lo = mid
        else:
            hi = mid
    return lo


def test_multiplier_scales_every_channel():
    data = two_channel_data()
    base = simulate(scenario_from_data(data)).kpis["arrived.all"]
    doubled = simulate(scenario_from_data(with_multiplier(data, 2.0))).kpis["arrived.all"]
    assert doubled == pytest.approx(2 * base, rel=0.08)


def test_breaking_point_of_mmc_matches_erlang_c():
    data = mmc_data(rate_per_hour=60, agents=10, horizon="3d", warmup="6h")
    seeds = replication_seeds(3, 10)
    bp = breaking_point(data, parse_threshold("sla.phone >= 0.8"), serial, seeds, tolerance=0.02)
    truth = erlang_crossing(60 / 3600, 300, 10, 20, 0.8)
    assert bp.status == "found"
    assert bp.holds <= bp.multiplier <= bp.fails and bp.fails - bp.holds <= 0.02
    assert abs(bp.multiplier - truth) <= max(bp.uncertainty, 0.02) + 0.02


def test_capacity_curve_falls_and_has_a_knee():
    data = mmc_data(rate_per_hour=60, agents=10, horizon="1d", warmup="2h")
    points = capacity_curve(data, [0.5, 1.0, 1.25, 1.5, 1.65, 1.8], serial, replication_seeds(1, 4))
    sla = [p.mean("sla.phone") for p in points]
    assert sla == sorted(sla, reverse=True)
    assert 1.0 <= knee(points, "sla.phone") <= 1.8


def test_breaking_point_reports_when_the_target_always_holds():
    data = mmc_data(rate_per_hour=10, agents=10, horizon="1d", warmup="0s")
    bp = breaking_point(data, parse_threshold("sla.phone >= 0.1"), serial, replication_seeds(1, 2), high=2.0,
                        ceiling=4.0)
    assert bp.status == "holds throughout"


def test_staffing_search_on_mmc_returns_the_erlang_answer():
    data = mmc_data(rate_per_hour=100, agents=3, horizon="2d", warmup="6h")
    target = parse_threshold("sla.phone >= 0.8")
    result = search(data, [target], serial, replication_seeds(2, 8))
    assert result.met
    assert abs(result.values["agents"] - agents_needed(100 / 3600, 300, 20, 0.8)) <= 1


def test_staffing_search_starts_far_off_and_still_lands_on_a_passing_roster():
    data = mmc_data(rate_per_hour=100, agents=3, horizon="2d", warmup="6h")
    targets = [parse_threshold("sla.phone >= 0.8")]
    seeds = replication_seeds(4, 6)
    result = search(data, targets, serial, seeds, start={"agents": 25})
    assert result.met and result.values["agents"] < 25
    # Its own replications meet the target: re-evaluate the returned roster.
    again = serial([apply(data, result.values, knobs(data))], seeds)[0]
    assert min(r["sla.phone"] for r in again) > 0.6 and result.estimates["sla.phone"].low >= 0.8


def test_staffing_search_handles_a_multi_skill_pool():
    data = two_channel_data()
    data["horizon"] = "1d"
    data["channels"]["twitter"]["support_hours"] = "24/7"
    targets = [parse_threshold("sla.twitter >= 0.8"), parse_threshold("abandon.phone <= 0.1")]
    ks = knobs(data)
    assert {k.label for k in ks} == {"social", "blended"}
    start = erlang_start(data, targets, ks)
    result = search(data, targets, serial, replication_seeds(5, 5), start=start)
    assert result.met
    for v in result.verdicts:
        assert v.passed


def test_staffing_search_stops_when_no_agent_can_help():
    data = two_channel_data()
    data["horizon"] = "1d"  # Twitter is closed 22:00-08:00: a 99 % one-hour SLA is out of reach
    result = search(data, [parse_threshold("sla.twitter >= 0.99")], serial, replication_seeds(5, 3))
    assert not result.met
    assert result.history[-1][0].startswith("stopped")
