"""Breaking points, capacity curves and the staffing search against Erlang C."""

from __future__ import annotations

import pytest
from helpers import mmc_data, two_channel_data

from carebench.analytic.erlang import agents_needed, erlang_c_figures
from carebench.engine.streams import replication_seeds
from carebench.gate.thresholds import parse_threshold
from carebench.load.loader import scenario_from_data
from carebench.loadtest.breaking import breaking_point, capacity_curve, knee, replication_evaluator, with_multiplier
from carebench.loadtest.staffing import apply, erlang_start, knobs, search
from carebench.runs.executors import SerialExecutor
from carebench.runs.simulate import simulate

serial = replication_evaluator(SerialExecutor())


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
    assert again["sla.phone"] == result.estimates["sla.phone"] and again["sla.phone"].low >= 0.8


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


# -- the commands ---------------------------------------------------------------------------
def _cli(*args):
    from click.testing import CliRunner

    from carebench.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args])


def test_loadtest_command_writes_the_curve_and_breaking_point(tmp_path):
    result = _cli("loadtest", "mmc", "--metric", "sla.phone", "--target", "0.5", "--set", "horizon=2d",
                  "-n", 3, "--workers", 1, "--grid", "0.5..1.5:0.5", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert "breaking point: x" in result.output
    (out,) = list(tmp_path.iterdir())
    assert {"capacity.csv", "breaking_point.json", "capacity.png", "scenario.yaml"} <= {p.name for p in out.iterdir()}
    import json

    bp = json.loads((out / "breaking_point.json").read_text())
    assert bp["status"] == "found" and bp["holds_at"] <= bp["multiplier"] <= bp["fails_at"]


def test_loadtest_command_rejects_bad_input(tmp_path):
    assert _cli("loadtest", "mmc", "--target", "0.9").exit_code == 2  # no metric
    bad = _cli("loadtest", "mmc", "--metric", "sla.phone", "--target", "0.9", "--grid", "fast")
    assert bad.exit_code == 2 and "--grid" in bad.output


def test_staff_command_finds_a_roster_and_writes_it_runnable(tmp_path):
    result = _cli("staff", "mmc", "--set", "horizon=2d", "--target", "sla.phone>=0.8", "-n", 4, "--workers", 1,
                  "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert "PASS  sla.phone >= 0.8" in result.output
    (out,) = list(tmp_path.iterdir())
    again = _cli("run", out / "roster.yaml", "-q", "--no-plots", "--out", tmp_path / "again")
    assert again.exit_code == 0, again.output


def test_staff_command_exits_1_when_no_roster_can_meet_the_targets(tmp_path):
    result = _cli("staff", "mmc", "--set", "horizon=2d", "--set", "pools.agents.shifts=[{hours: 'daily 09:00-17:00'}]",
                  "--target", "sla.phone>=0.95", "-n", 2, "--workers", 1, "--out", tmp_path)
    assert result.exit_code == 1, result.output
    assert "not found" in result.output
