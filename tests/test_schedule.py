"""Shift templates, day-specific shifts, and the schedule (integer program + simulation) against brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from carebench.cli import cli
from carebench.engine.roster import shift_roster
from carebench.engine.streams import replication_seeds
from carebench.gate.thresholds import evaluate, parse_threshold
from carebench.load.loader import scenario_from_data
from carebench.loadtest.requirements import channel_requirements, owners
from carebench.loadtest.schedule import schedule, simulate_rosters
from carebench.loadtest.shiftplan import Cut, build_plan, roster_cost, roster_data, solve
from carebench.runs.executors import SerialExecutor
from carebench.util.errors import UserError
from carebench.util.units import DAY, HOUR

# The commands' default --out is results/: run each test from a temporary directory.
pytestmark = pytest.mark.usefixtures("in_tmp_dir")


def small_data(max_agents: int = 3) -> dict:
    """2 pools (one multi-skilled), 3 templates with one shift each, 8 hours."""
    return {
        "name": "small_schedule", "horizon": "8h", "seed": 3,
        "channels": {
            "phone": {"public": False, "sla": "60s", "first_response": "pickup",
                      "handle_time": {"dist": "exponential", "mean": "6m"},
                      "arrivals": {"per_hour": 12, "hourly_profile": [1] * 4 + [2] * 4 + [1] * 16}},
            "chat": {"public": False, "sla": "2m", "first_response": "pickup",
                     "handle_time": {"dist": "exponential", "mean": "8m"}, "arrivals": {"per_hour": 8}},
        },
        "pools": {
            "phones": {"agents": 4, "channels": ["phone"], "cost_per_hour": 20,
                       "shifts": [{"hours": "daily 00:00-08:00"}],
                       "templates": [{"name": "early", "start": "00:00", "lengths": ["4h"], "max_agents": max_agents},
                                     {"name": "late", "start": "04:00", "lengths": ["4h"], "max_agents": max_agents}]},
            "flex": {"agents": 3, "channels": ["chat", "phone"], "prefer": ["chat"], "cost_per_hour": 25,
                     "shifts": [{"hours": "daily 00:00-08:00"}],
                     "templates": [{"name": "day", "start": "00:00", "lengths": ["8h"], "max_agents": max_agents}]},
        },
    }


TARGETS = [parse_threshold("sla.phone >= 0.7"), parse_threshold("sla.chat >= 0.7")]


def test_template_instances_cover_the_grid_weekdays_and_days():
    data = small_data()
    data["horizon"] = "7d"
    data["pools"]["phones"]["templates"] = [
        {"name": "wk", "start": "06:00", "latest_start": "08:00", "every": "1h", "lengths": ["4h", "8h"],
         "weekdays": "mon-fri"},
        {"name": "black_friday", "start": "10:00", "lengths": ["6h"], "days": [5]},
    ]
    sc = scenario_from_data(data)
    wk, bf = sc.pools["phones"].templates
    assert len(wk.instances("phones", sc.horizon)) == 3 * 2 * 5
    assert [(i.day, i.start) for i in bf.instances("phones", sc.horizon)] == [(5, 10 * HOUR)]


@pytest.mark.parametrize("template, place", [
    ({"name": "x", "start": "08:00", "lengths": ["4h"], "breaks": [{"after": "4h", "duration": "30m"}]}, "breaks.0"),
    ({"name": "x", "start": "08:00", "latest_start": "06:00", "lengths": ["4h"]}, "latest_start"),
    ({"name": "x", "start": "08:00", "lengths": ["4h"], "weekdays": "someday"}, "weekdays"),
])
def test_bad_templates_name_the_place(template, place):
    data = small_data()
    data["pools"]["phones"]["templates"] = [template]
    with pytest.raises(UserError, match=place):
        scenario_from_data(data)


def test_a_shift_for_one_day_only_is_on_duty_that_day_only():
    data = small_data()
    data["horizon"] = "3d"
    data["pools"]["phones"]["shifts"] = [
        {"hours": "daily 09:00-17:00", "agents": 2},
        {"hours": "daily 22:00-06:00", "agents": 3, "days": [2], "breaks": [{"start": "02:00", "duration": "1h", "agents": 1}]},
    ]
    sc = scenario_from_data(data)
    steps = shift_roster(sc, 3 * DAY)["phones"]
    on = dict(steps)
    # day 2 22:00 until day 3 06:00 with one on break from 02:00 to 03:00; nothing on days 1 and 3 nights
    assert on[DAY + 22 * HOUR] == 3 and on[2 * DAY + 2 * HOUR] == 2 and on[2 * DAY + 3 * HOUR] == 3
    assert on[2 * DAY + 6 * HOUR] == 0
    assert all(t >= DAY + 22 * HOUR for t, n in steps if n == 3)
    assert roster_cost(sc) == pytest.approx(20 * (2 * 8 * 3 + 3 * 8) + 25 * 3 * 8 * 3)


def test_requirements_give_each_channel_to_its_most_dedicated_pool():
    sc = scenario_from_data(small_data())
    assert owners(sc, ["phones", "flex"]) == {"phone": "phones", "chat": "flex"}
    need = channel_requirements(sc, HOUR, {})
    assert need["phone"][4] > need["phone"][0] > 0  # the rate doubles from 04:00


def test_the_integer_program_meets_requirements_and_cuts_at_least_cost():
    sc = scenario_from_data(small_data())
    plan = build_plan(sc, HOUR)
    required = {"phones": np.array([2.0] * 4 + [1.0] * 4), "flex": np.zeros(8)}
    sol = solve(plan, required, [])
    assert list(sol.x) == [2, 1, 0] and sol.cost == pytest.approx(3 * 4 * 20)
    # a cut on both pools together at 05:00 is met by the cheaper of the two covering shifts
    sol = solve(plan, required, [Cut(("phones", "flex"), 5, 3)])
    assert list(sol.x) == [2, 3, 0]
    assert solve(plan, required, [Cut(("phones",), 5, 4)]) is None  # beyond max_agents


def test_schedule_finds_the_brute_force_optimum():
    data = small_data()
    sc = scenario_from_data(data)
    seeds = replication_seeds(3, 3)
    result = schedule(data, TARGETS, SerialExecutor(), seeds)
    assert result.met
    plan = build_plan(sc, HOUR)
    rosters = [np.array(x, float) for x in itertools.product(range(4), repeat=len(plan.instances))]
    sims = simulate_rosters([roster_data(data, plan, x) for x in rosters], seeds, SerialExecutor(), HOUR)
    feasible = [plan.cost @ x for x, s in zip(rosters, sims)
                if all(evaluate(t, s.estimates[t.kpi]).passed for t in TARGETS)]
    assert feasible, "the brute-force case must have a feasible roster"
    assert result.best.cost == pytest.approx(min(feasible))
    assert result.best.cost < max(feasible)  # not trivially the most expensive roster


def test_staff_schedule_writes_a_roster_that_check_passes(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(small_data()), encoding="utf-8")
    runner = CliRunner()
    args = ["staff", str(path), "--schedule", "--replications", "3", "--workers", "1", "--out", str(tmp_path / "r"),
            "--target", "sla.phone>=0.7", "--target", "sla.chat>=0.7"]
    res = runner.invoke(cli, args)
    assert res.exit_code == 0, res.output
    assert "iteration 1: cost" in res.output and "greedy search" in res.output and "today" in res.output
    roster = next((tmp_path / "r").glob("schedule-*/roster.yaml"))
    assert next((tmp_path / "r").glob("schedule-*/coverage.png")).stat().st_size > 0
    check = runner.invoke(cli, ["check", str(roster), "--workers", "1", "--out", str(tmp_path / "c")])
    assert check.exit_code == 0, check.output


def test_staff_schedule_exits_1_naming_the_target_and_where(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(small_data(max_agents=1)), encoding="utf-8")
    res = CliRunner().invoke(cli, ["staff", str(path), "--schedule", "--replications", "3", "--workers", "1",
                                   "--out", str(tmp_path / "r"), "--target", "sla.phone>=0.9", "--no-plots"])
    assert res.exit_code == 1
    assert "sla.phone" in res.output and "day 1 (mon)" in res.output


def test_the_default_scenarios_schedule_passes_check(tmp_path):
    # The shipped default on half a day: the roster written gates itself with the same targets and seeds.
    runner = CliRunner()
    targets = ["sla.twitter>=0.55", "abandon.phone<0.25", "sla.email>=0.85"]
    args = ["staff", "default", "--schedule", "--set", "horizon=12h", "--set", "warmup=0s", "-n", "2",
            "--workers", "1", "--no-plots", "--out", str(tmp_path / "r")]
    res = runner.invoke(cli, args + [a for t in targets for a in ("--target", t)])
    assert res.exit_code == 0, res.output
    assert "schedule (--schedule)" in res.output and "greedy search" in res.output
    roster_path = next((tmp_path / "r").glob("schedule-default-*/roster.yaml"))
    roster = yaml.safe_load(roster_path.read_text(encoding="utf-8"))
    assert roster["thresholds"] == targets and roster["replications"] == 2
    check = runner.invoke(cli, ["check", str(roster_path), "--workers", "1", "--out", str(tmp_path / "c")])
    assert check.exit_code == 0, check.output
    assert "PASS: 3 thresholds passed" in check.output


def test_schedule_from_python_is_the_commands_schedule():
    import carebench as cb

    result = cb.schedule(scenario_from_data(small_data()), ["sla.phone >= 0.7", "sla.chat >= 0.7"], 3)
    direct = schedule(small_data(), TARGETS, SerialExecutor(), replication_seeds(3, 3))
    assert result.met and result.best.cost == pytest.approx(direct.best.cost)
    assert result.roster["pools"]["phones"]["shifts"] == direct.roster["pools"]["phones"]["shifts"]
