"""Public channels as they behave: give-up that leaves the post answerable, backlog regimes, bump shares."""

from __future__ import annotations

import math

import numpy as np
import pytest
from click.testing import CliRunner
from policy_helpers import public_data, run_log, with_policy

from carebench.cli import cli
from carebench.engine.contact import WAITING
from carebench.model.kinds import Outcome
from carebench.engine.interface import BacklogRule
from carebench.engine.queues import TieredQueue
from carebench.load.loader import load_scenario, scenario_from_data, shipped_scenario_path
from carebench.runs.simulate import simulate
from carebench.util.errors import ScenarioError
from carebench.util.units import DAY, HOUR

BANDS = ("lt1h", "1h_6h", "6h_24h", "gt24h")
REGIMES = {
    "fifo": {},
    "newest_first": {"max_age": "6h"},
    "triage_window": {"window": "30m", "when_idle": False, "sweep_at": ["08:00"]},
    "drop_after": {"after": "3h"},
    "fresh_first": {"window": "30m"},
}


def one_post(after_give_up: str = "stay", opens: str = "06:00", **channel) -> dict:
    """One injected complaint at 00:00 with 10 minutes' patience; the team comes on at ``opens``."""
    twitter = {"public": True, "sla": "1h", "handle_time": {"dist": "deterministic", "value": "5m"},
               "patience": {"dist": "deterministic", "value": "10m"}, "after_give_up": after_give_up,
               "arrivals": {"per_hour": 0}, **channel}
    return {"name": "one", "horizon": "1d", "seed": 3, "channels": {"twitter": twitter},
            "customers": {"followers": {"dist": "deterministic", "value": 1000}},
            "pools": {"social": {"agents": 1, "channels": ["twitter"], "shifts": [{"hours": f"daily {opens}-23:00"}]}},
            "inject": [{"channel": "twitter", "at": "0s", "followers": 1000}]}


# --- give-up on a public channel ---------------------------------------------------------------


def test_a_post_given_up_is_answered_later_and_counted_so():
    result, cols = run_log(scenario_from_data(one_post()))
    k = result.kpis
    assert cols["outcome"].tolist() == [Outcome.RESOLVED]
    assert cols["gave_up_at"][0] == 600.0
    assert cols["replied_at"][0] == 6 * HOUR + 300  # answered when the team came on, five minutes' work
    assert k["gave_up.twitter"] == 1 and k["give_up.answered_after.twitter"] == 1 and k["abandoned.twitter"] == 0
    # Exposed the whole wait (1,000 followers over 6h05m), of which all but 10 minutes after the give-up.
    assert k["exposure.twitter"] == pytest.approx(1000 * (6 + 5 / 60))
    assert k["give_up.exposure_after.twitter"] == pytest.approx(1000 * (6 + 5 / 60 - 10 / 60))
    assert cols["churn"][0] == pytest.approx(0.33)  # a customer who gave up was ignored, late answer or not


def test_leave_mode_is_the_old_behaviour():
    result, cols = run_log(scenario_from_data(one_post("leave")))
    assert cols["outcome"].tolist() == [Outcome.GAVE_UP] and math.isnan(cols["replied_at"][0])
    assert result.kpis["abandoned.twitter"] == 1 and result.kpis["give_up.answered_after.twitter"] == 0
    assert result.kpis["exposure.twitter"] == pytest.approx(1000 * 10 / 60)


def test_a_post_still_open_at_the_end_and_one_that_expires():
    never = one_post(opens="23:30")  # nobody on duty before the run ends at 24:00 (shift ends 23:00)
    never["pools"]["social"]["shifts"] = [{"hours": "daily 23:00-23:30", "agents": 0}]
    result, cols = run_log(scenario_from_data(never))
    assert cols["outcome"].tolist() == [Outcome.WAITING]
    assert result.kpis["give_up.still_open.twitter"] == 1 and result.kpis["still_open.public"] == 1
    result, cols = run_log(scenario_from_data(one_post(expire_after="2h")))
    assert cols["outcome"].tolist() == [Outcome.EXPIRED] and cols["end"][0] == 2 * HOUR
    assert result.kpis["expired.twitter"] == 1 and result.kpis["give_up.answered_after.twitter"] == 0


def test_stay_is_refused_on_a_private_channel_and_switchable_by_set(tmp_path):
    data = one_post()
    data["channels"]["twitter"]["public"] = False
    with pytest.raises(ScenarioError, match="after_give_up: expected 'leave' on a private channel"):
        scenario_from_data(data)
    out = CliRunner().invoke(cli, ["run", "default", "--horizon", "1d", "--no-plots", "-q", "--out", str(tmp_path),
                                   "--set", "channels.phone.after_give_up=stay"])
    assert out.exit_code == 2 and "after_give_up" in out.output and "Traceback" not in out.output
    out = CliRunner().invoke(cli, ["run", "default", "--horizon", "1d", "--no-plots", "-q", "--out", str(tmp_path),
                                   "--set", "channels.twitter.after_give_up=leave"])
    assert out.exit_code == 0, out.output


def test_the_theory_scenarios_keep_the_old_behaviour():
    mmc = load_scenario(shipped_scenario_path("mmc"))
    assert all(c.after_give_up == "leave" and c.expire_after is None for c in mmc.channels.values())
    assert mmc.policies.priority == "fifo"


# --- backlog regimes ---------------------------------------------------------------------------


class _Post:
    """What the tiered queue reads of a contact."""

    def __init__(self, cid: int, at: float, key: float | None = None):
        self.id, self.arrival, self.queued_at = cid, at, at
        self.key = at if key is None else key
        self.state, self.abandon_at, self.responded, self.tier, self.qseq = WAITING, math.inf, False, 0, 0


def test_a_triage_window_moves_old_posts_to_a_backlog_served_when_idle_or_in_a_sweep():
    queue = TieredQueue(BacklogRule(move_after=HOUR, when_idle=False, sweeps=((8 * HOUR, HOUR),)))
    old, fresh = _Post(0, 0.0), _Post(1, 1.5 * HOUR)
    for post in (old, fresh):
        queue.push(post)
    leave = lambda c: None  # noqa: E731
    assert queue.head(1.5 * HOUR, leave) is fresh and old.tier == 1  # the old post moved
    queue.pop()
    fresh.state = 1
    assert queue.head(2 * HOUR, leave) is None  # only the backlog is left, and it is not served when idle
    assert queue.in_backlog == 1 and queue.count == 1
    assert queue.head(8 * HOUR + 60, leave) is old  # the sweep serves it
    idle = TieredQueue(BacklogRule(move_after=HOUR))
    idle.push(old_again := _Post(2, 0.0))
    assert idle.urgent_head(2 * HOUR, leave) is None and idle.head(2 * HOUR, leave) is old_again


def test_a_triage_window_in_a_run_answers_overnight_posts_in_the_sweep():
    data = public_data("2d", agents=3, rate=6)
    data["channels"]["twitter"]["support_hours"] = "daily 07:00-23:00"
    sc = with_policy(data, "triage_window", triage_window={"window": "1h", "when_idle": False,
                                                            "sweep_at": ["12:00"], "sweep_for": "2h"})
    result, cols = run_log(sc)
    clock_in = cols["arrival"] % DAY
    overnight = (cols["arrival"] < DAY) & ((clock_in < 6 * HOUR) | (clock_in >= 23 * HOUR))
    overnight &= cols["outcome"] != Outcome.MENTION
    replied = cols["replied_at"][overnight]
    assert overnight.sum() > 10 and not np.isnan(replied).any()
    # Older than the window when the team comes on at 07:00: answered in the 12:00-14:00 sweep.
    assert np.all((replied % DAY >= 12 * HOUR) & (replied % DAY <= 14 * HOUR + 1800))
    fifo, fcols = run_log(with_policy(data, "fifo"))
    assert np.nanmax(fcols["replied_at"][overnight] % DAY) < 12 * HOUR  # first in, first out clears them first


def test_drop_after_counts_posts_older_than_the_limit_as_dropped():
    data = public_data("1d", agents=3, rate=6)
    data["channels"]["twitter"]["support_hours"] = "daily 08:00-23:00"
    result, cols = run_log(with_policy(data, "drop_after", drop_after={"after": "3h"}))
    needs = cols["outcome"] != Outcome.MENTION
    dropped = cols["outcome"] == Outcome.DROPPED
    # Everything that arrived before 05:00 was 3 hours old before anyone could answer it.
    assert np.array_equal(dropped[needs], (cols["arrival"] < 5 * HOUR)[needs] & ~(cols["arrival"] >= 5 * HOUR)[needs])
    assert np.allclose(cols["end"][dropped], cols["arrival"][dropped] + 3 * HOUR)
    k = result.kpis
    assert k["dropped.twitter"] == dropped.sum() > 5 and k["abandoned.twitter"] == 0
    assert k["answered.twitter"] + k["dropped.twitter"] + k["waiting.twitter"] + k["peer.twitter"] \
        + k["mentions.twitter"] == k["arrived.twitter"]
    assert np.all(cols["churn"][dropped] >= 0.33)


def test_newest_first_with_an_age_cap_drops_and_answers_the_newest_first():
    data = public_data("1d", agents=1, rate=20)
    result, cols = run_log(with_policy(data, "newest_first", newest_first={"max_age": "2h"}))
    assert result.kpis["dropped.twitter"] > 0
    fifo, _ = run_log(with_policy(data, "fifo"))
    assert result.kpis["frt.p50.twitter"] < fifo.kpis["frt.p50.twitter"]


@pytest.mark.parametrize("name", sorted(set(REGIMES) - {"fifo"}))
def test_regimes_change_who_is_answered_when_never_the_arrivals(name):
    data = public_data("2d", agents=2, rate=25)
    data["channels"]["twitter"]["after_give_up"] = "stay"
    data["behaviour"] = {"bumps": {}, "conversation": {}, "virality": {"branching_ratio": 0.2}}

    def own_traffic(sc):
        _, cols = run_log(sc)
        first = (cols["generation"] == 0) & (cols["retry_of"] < 0)
        order = np.argsort(cols["arrival"][first])
        return {k: cols[k][first][order] for k in ("arrival", "followers", "kind", "urgency")}, cols

    base, base_cols = own_traffic(with_policy(data, "fifo"))
    other, cols = own_traffic(with_policy(data, name, **{name: REGIMES[name]}))
    for key in base:
        assert np.array_equal(base[key], other[key]), key
    assert not np.array_equal(base_cols["replied_at"], cols["replied_at"], equal_nan=True)


# --- bumps by wait band, in full runs -----------------------------------------------------------


def _slow_team() -> dict:
    """A team answering newest first within 30 minutes and sweeping the rest once a day: many long waits."""
    data = public_data("6d", agents=2, rate=14)
    data["channels"]["twitter"].update(after_give_up="stay", support_hours="daily 08:00-20:00")
    data["behaviour"] = {"bumps": {}}
    return data


def test_bump_share_rises_with_the_wait_in_full_runs():
    sc = with_policy(_slow_team(), "fresh_first", fresh_first={"window": "30m", "sweep_for": "2h"})
    answered, bumped = np.zeros(4), np.zeros(4)
    for seed in (1, 2, 3):  # pooled over three runs: a few hundred answers after a day
        k = simulate(sc, seed).kpis
        n = np.array([k[f"answered_in.{band}.twitter"] for band in BANDS])
        answered += n
        bumped += n * np.nan_to_num([k[f"bumped.{band}.twitter"] for band in BANDS])
    assert answered[0] > 2000 and answered[3] > 800
    share = bumped / answered
    assert 0.015 <= share[0] <= 0.06  # about 4 % of posts answered within the hour had bumped
    assert 0.12 <= share[3] <= 0.21  # about 16 % of those answered after a day
    # When a give-up takes the post away, late answers are of customers who never bumped.
    leave = _slow_team()
    leave["channels"]["twitter"]["after_give_up"] = "leave"
    k = simulate(with_policy(leave, "fresh_first", fresh_first={"window": "30m", "sweep_for": "2h"}), 1).kpis
    assert k["bumped.gt24h.twitter"] < 0.05


# --- the shipped scenarios ----------------------------------------------------------------------


def test_the_default_twitter_first_response_has_a_tail_past_a_day():
    k = simulate(load_scenario()).kpis
    assert 0.02 < k["answered_in.gt24h.twitter"] / k["answered.twitter"] < 0.10  # real handles: 5-6 %
    assert k["frt.p99.twitter"] > DAY
    assert k["give_up.answered_after.twitter"] > 0


@pytest.mark.slow
def test_uk_isps_reproduces_the_published_bt_and_sky_figures(tmp_path):
    import json

    out = CliRunner().invoke(cli, ["shop", "uk_isps", "--no-plots", "-q", "--out", str(tmp_path)])
    assert out.exit_code == 0, out.output
    (folder,) = list(tmp_path.iterdir())
    per_brand = {b["brand"]: b["shares"] for b in json.loads((folder / "summary.json").read_text())["per_brand"]}
    answered, within_6h = per_brand["bt"]["answered"], per_brand["sky"]["within_6h"]
    assert 1 - answered["high"] <= 0.37 <= 1 - answered["low"]  # BT never answered (BDRC: 37 %)
    assert 1 - within_6h["high"] <= 0.37 <= 1 - within_6h["low"]  # Sky waited 6 h or more (WaveMetrix: 37 %)
