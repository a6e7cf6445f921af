"""Reading traces: formats, time zones, bad rows; and replaying a trace's arrivals through a scenario."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import mmc
from trace_helpers import ORIGIN, simulated_log, write_trace

from carebench.model.scenario import Arrivals
from carebench.runs.simulate import simulate
from carebench.trace import read_trace, replay_scenario, summarise
from carebench.trace.records import monday_before
from carebench.trace.timeparse import wall_seconds
from carebench.util.errors import UserError

COLS = {"arrival": "arrival", "first_reply": "first_reply", "channel": "channel"}


def test_csv_mapping_time_zones_and_latency(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("when,replied,src,who\n"
                    "2024-03-04 09:00:00,2024-03-04 09:30:00,twitter,a\n"
                    "2024-03-04T10:00:00+00:00,,email,b\n"
                    "2024-03-04 08:00:00,2024-03-04 08:05:00,twitter,a\n")
    tr = read_trace(path, columns={"arrival": "when", "first_reply": "replied", "channel": "src", "customer": "who"},
                    tz="Europe/London", naive_tz="UTC")
    assert len(tr) == 3
    assert tr.channel.tolist() == ["twitter", "twitter", "email"]  # sorted by arrival
    assert tr.latency[:2].tolist() == [300.0, 1800.0] and np.isnan(tr.latency[2])
    # March 4 is winter time in London: wall clock equals UTC; a summer date would be an hour on.
    assert tr.arrival[0] == wall_seconds("2024-03-04 08:00")
    summer = tmp_path / "s.csv"
    summer.write_text("when\n2024-07-01 08:00:00\n")
    assert read_trace(summer, tz="Europe/London", naive_tz="UTC", columns={"arrival": "when"}).arrival[0] == \
        wall_seconds("2024-07-01 09:00")


def test_bad_row_names_file_line_and_column_and_skip_bad_counts(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("arrival,handle\n2024-01-01 00:00,5m\nyesterday,5m\n2024-01-01 01:00,-3\n2024-01-01 02:00,60\n")
    with pytest.raises(UserError) as err:
        read_trace(path, columns={"arrival": "arrival", "handle": "handle"})
    assert str(err.value) == f"{path}:3: column 'arrival': expected a time such as 2020-05-01 14:02:37, got 'yesterday'"
    tr = read_trace(path, columns={"arrival": "arrival", "handle": "handle"}, skip_bad=True)
    assert len(tr) == 2 and tr.skipped == 2
    assert tr.handle.tolist() == [300.0, 60.0]
    with pytest.raises(UserError, match="no column 'nope'"):
        read_trace(path, columns={"arrival": "nope"})


def test_twcs_threads_brands_and_bumps(tmp_path):
    path = tmp_path / "twcs.csv"
    path.write_text(
        "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
        "1,c1,True,Mon Oct 02 10:00:00 +0000 2017,@AcmeHelp my router is down,\"3,2\",\n"
        "2,c1,True,Mon Oct 02 10:20:00 +0000 2017,@AcmeHelp hello??,,1.0\n"
        "3,AcmeHelp,False,Mon Oct 02 10:45:00 +0000 2017,@c1 sorry!,4,1.0\n"
        "4,c1,True,Mon Oct 02 10:50:00 +0000 2017,@AcmeHelp thanks,,3.0\n"
        "5,c2,True,Tue Oct 03 22:00:00 +0000 2017,@AcmeHelp @Other nothing works,,\n"
        "6,Other,False,Tue Oct 03 23:00:00 +0000 2017,unrelated,,\n")
    tr = read_trace(path)
    assert len(tr) == 2 and tr.threads == 2
    assert tr.brand.tolist() == ["AcmeHelp", "AcmeHelp"]
    assert tr.latency[0] == 45 * 60 and np.isnan(tr.latency[1])
    assert tr.bumps.tolist() == [1, 0]
    assert summarise(tr)["threads"] == {"thread_messages": 2, "contacts_with_bumps": 1, "bumps": 1}
    with pytest.raises(UserError, match="--brand 'Nobody'"):
        read_trace(path, brand="Nobody")


def test_counts_per_interval(tmp_path):
    path = tmp_path / "calls.csv"
    rows = ["date,weekday,interval,start,calls"]
    for i in range(20):
        rows.append(f"2024-01-01,Monday,{i + 1},{i * 6 // 60:02d}:{i * 6 % 60:02d},{i % 3}")
    path.write_text("\n".join(rows) + "\n")
    tr = read_trace(path)
    assert tr.interval == 360.0 and len(tr) == sum(i % 3 for i in range(20))
    hours, counts = tr.hourly()
    assert counts.tolist() == [sum(i % 3 for i in range(10)), sum(i % 3 for i in range(10, 20))]
    times = tr.to_times(seed=3)
    assert times.size == len(tr) and np.all(np.diff(times) >= 0)


def test_monday_before():
    assert monday_before(wall_seconds("2024-01-03 15:00")) == wall_seconds("2024-01-01")
    assert monday_before(wall_seconds("2024-01-01")) == wall_seconds("2024-01-01")


def test_replaying_a_scenarios_own_log_reproduces_its_arrivals_exactly(tmp_path):
    sc = mmc(rate_per_hour=60, agents=2, horizon="1d", warmup="0s")
    cols, result = simulated_log(sc)
    path = write_trace(tmp_path / "log.csv", cols, tuple(sc.channels))
    tr = read_trace(path, columns=COLS, origin=ORIGIN)
    replayed, info = replay_scenario(sc.model_copy(update={"seed": 99}), tr, horizon=sc.horizon)
    assert info.start == wall_seconds(ORIGIN) and info.contacts == {"phone": result.kpis["arrived.phone"]}
    again, rerun = simulated_log(replayed)
    assert rerun.kpis["arrived.phone"] == result.kpis["arrived.phone"]
    # Wall-clock seconds near 1.7e9 keep times to about a microsecond.
    np.testing.assert_allclose(np.sort(again["arrival"]), np.sort(cols["arrival"]), rtol=0, atol=1e-5)
    # A different team on the same trace: same arrivals, the same handle times (common random numbers).
    bigger = replayed.model_copy(update={"pools": {"agents": replayed.pools["agents"].model_copy(update={"agents": 5})}})
    b_cols, b_res = simulated_log(bigger)
    assert b_res.kpis["arrived.phone"] == rerun.kpis["arrived.phone"]
    assert b_res.kpis["frt.mean.phone"] < rerun.kpis["frt.mean.phone"]


def test_replayed_times_must_be_sorted_and_scenarios_without_them_hash_as_before():
    with pytest.raises(ValueError, match="increasing order"):
        Arrivals(per_hour=1, times=(5.0, 1.0))
    sc = mmc()
    assert "times" not in sc.as_data()["channels"]["phone"]["arrivals"]
    assert simulate(sc).kpis["arrived.phone"] > 0


def test_replay_needs_a_channel_when_names_do_not_match(tmp_path):
    from helpers import build, mmc_data

    data = mmc_data()
    data["channels"]["chat"] = data["channels"]["phone"]
    data["pools"]["agents"]["channels"] = ["phone", "chat"]
    sc = build(data)
    path = tmp_path / "t.csv"
    path.write_text("arrival,channel\n2024-01-01 10:00,twitter\n")
    tr = read_trace(path, columns={"arrival": "arrival", "channel": "channel"})
    with pytest.raises(UserError, match="--channel"):
        replay_scenario(sc, tr)
    replayed, info = replay_scenario(sc, tr, channel="chat")
    assert replayed.channels["chat"].arrivals.times == (36000.0,) and info.contacts == {"chat": 1}
