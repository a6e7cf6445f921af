"""Each policy does what its docstring claims, on a small scenario and the same seed as FIFO."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import merge
from policy_helpers import public_data, run_log, with_policy

from carebench.engine.interface import StaffingContext
from carebench.engine.sources import channel_rate
from carebench.policies.registry import build_staffing


def waits(cols):
    """Time to the first human reply of every contact (NaN if none)."""
    return cols["replied_at"] - cols["arrival"]


@pytest.fixture(scope="module")
def fifo():
    return run_log(with_policy(public_data(), "fifo"))


def test_fifo_replies_in_arrival_order():
    data = merge(public_data(horizon="1d", agents=1, rate=8), {"channels": {"twitter": {"concurrency": 1}}})
    _, cols = run_log(with_policy(data, "fifo"))
    order = np.argsort(cols["arrival"])
    replied = cols["replied_at"][order]
    replied = replied[~np.isnan(replied)]
    assert replied.size > 50 and np.all(np.diff(replied) >= 0)


def _twitter_and_email(twitter_sla: str = "30m") -> dict:
    data = public_data(horizon="2d", agents=3, rate=20)
    data["channels"]["email"] = {"public": False, "sla": "24h", "handle_time": {"dist": "lognormal", "mean": "8m",
                                                                                 "cv": 0.8},
                                 "arrivals": {"per_hour": 12}}
    data["channels"]["twitter"]["sla"] = twitter_sla
    data["pools"] = {"blended": {"agents": 4, "channels": ["twitter", "email"]}}
    return data


def test_channel_priority_lets_social_cut_the_line():
    data = _twitter_and_email()
    base = run_log(with_policy(data, "fifo"))[0].kpis
    social = run_log(with_policy(data, "channel_priority", channel_priority={"order": ["twitter"]}))[0].kpis
    assert social["sla.twitter"] > base["sla.twitter"] + 0.05
    assert social["frt.mean.email"] > base["frt.mean.email"]


def test_sla_deadline_helps_the_channel_with_the_tight_target():
    data = _twitter_and_email()
    base = run_log(with_policy(data, "fifo"))[0].kpis
    deadline = run_log(with_policy(data, "sla_deadline"))[0].kpis
    assert deadline["sla.twitter"] > base["sla.twitter"] + 0.05
    assert deadline["sla.email"] >= 0.95  # a 24 h target is still met


def test_sla_slack_starts_long_contacts_earlier():
    # Same 1 h target on both channels; "long" takes 25 minutes a reply, "short" 2 minutes.
    data = public_data(horizon="2d", agents=3, rate=5)
    short = data["channels"].pop("twitter")
    data["channels"] = {
        "short": {**short, "arrivals": {"per_hour": 30}, "handle_time": {"dist": "deterministic", "value": "2m"}},
        "long": {**short, "arrivals": {"per_hour": 6}, "handle_time": {"dist": "deterministic", "value": "25m"}},
    }
    data["incidents"] = [{"channels": ["short", "long"], "day": 1, "start": "09:00", "duration": "3h",
                          "multiplier": 2}]
    data["pools"] = {"team": {"agents": 3, "channels": ["short", "long"]}}
    deadline = run_log(with_policy(data, "sla_deadline"))[0].kpis
    slack = run_log(with_policy(data, "sla_deadline", sla_deadline={"mode": "slack"}))[0].kpis
    assert slack["sla.long"] > deadline["sla.long"] and slack["sla.short"] < deadline["sla.short"]


def test_follower_weighted_answers_influencers_sooner_at_a_price():
    busy = public_data(agents=3, rate=40)
    _, base = run_log(with_policy(busy, "fifo"))
    _, fw = run_log(with_policy(busy, "follower_weighted"))
    influencer = base["followers"] >= 10_000
    assert influencer.sum() >= 20
    assert np.nanmedian(waits(fw)[influencer]) < np.nanmedian(waits(base)[influencer])
    # Everyone else pays a little: never less than under FIFO on the same traffic.
    assert np.nanmean(waits(fw)[~influencer]) >= np.nanmean(waits(base)[~influencer])


def test_follower_weighted_aging_bounds_how_far_anyone_is_overtaken():
    # A third of customers count as influencers and the team is overloaded for hours.
    data = public_data(horizon="1d", agents=2, rate=30)
    params = {"threshold": 400, "head_start": "1h"}
    _, aged = run_log(with_policy(data, "follower_weighted", follower_weighted=params))
    _, strict = run_log(with_policy(data, "follower_weighted", follower_weighted={**params, "aging": False}))
    ordinary = aged["followers"] < 400
    # With aging an ordinary customer is overtaken only by influencers arriving at most 1 h later.
    assert np.nanmax(waits(strict)[ordinary]) > np.nanmax(waits(aged)[ordinary]) + 1800


def test_exposure_rate_lowers_exposure(fifo):
    base, _ = fifo
    result, _ = run_log(with_policy(public_data(), "exposure_rate"))
    assert result.kpis["exposure.total"] < 0.5 * base.kpis["exposure.total"]


def test_urgency_triage_answers_crises_sooner_and_costs_agent_time(fifo):
    base, base_cols = fifo
    result, cols = run_log(with_policy(public_data(), "urgency_triage"))
    crisis = cols["urgency"] == 2
    assert crisis.sum() >= 20
    assert np.nanmean(waits(cols)[crisis]) < 0.5 * np.nanmean(waits(base_cols)[crisis])
    # 30 s of assessment per contact: the team is busier for the same traffic.
    assert result.kpis["utilisation.social"] > base.kpis["utilisation.social"]


def test_acknowledge_then_resolve_raises_sla_not_resolution_speed(fifo):
    base, _ = fifo
    ack = run_log(with_policy(public_data(), "acknowledge_then_resolve"))[0].kpis
    assert ack["sla.twitter"] > base.kpis["sla.twitter"] + 0.1
    assert ack["exposure.total"] < base.kpis["exposure.total"]
    assert ack["ttr.mean.twitter"] > base.kpis["ttr.mean.twitter"]


def _deflection_data(per_deflection: float = 0.03) -> dict:
    data = public_data(horizon="2d", agents=3, rate=30)
    data["channels"]["twitter"]["handle_time"] = {"dist": "deterministic", "value": "6m"}
    data["channels"]["email"] = {"public": False, "sla": "24h", "handle_time": {"dist": "deterministic", "value": "8m"},
                                 "arrivals": {"per_hour": 2}}
    data["pools"]["mail"] = {"agents": 2, "channels": ["email"], "shifts": [{"hours": "daily 08:00-18:00"}]}
    data["behaviour"] = {"conversation": {"channels": ["twitter"]}, "churn": {"per_deflection": per_deflection}}
    return data


def test_deflect_complex_lowers_exposure_and_adds_deflection_risk():
    base = run_log(with_policy(_deflection_data(), "fifo"))[0].kpis
    result, cols = run_log(with_policy(_deflection_data(), "deflect_complex", deflect_complex={"to": "email"}))
    free, _ = run_log(with_policy(_deflection_data(0.0), "deflect_complex", deflect_complex={"to": "email"}))
    k = result.kpis
    assert k["deflections.total"] > 50 and k["exposure.total"] < base["exposure.total"]
    # The deflection cost is in the churn KPI: 0.03 per deflected contact (no contact reaches the cap).
    assert k["churn.expected"] - free.kpis["churn.expected"] == pytest.approx(0.03 * k["deflections.total"])
    # Deflected contacts continue with the mail team only, inside its hours (08:00-18:00, 6 minutes of work).
    moved = (cols["deflections"] > 0) & (cols["exchanges"] > 1) & (cols["outcome"] == 0)
    clock = cols["end"][moved] % 86400
    assert moved.sum() > 20 and np.all((clock >= 8 * 3600) & (clock <= 18 * 3600 + 360))


def test_deflect_complex_composes_with_urgency_triage():
    data = _deflection_data()
    plain = run_log(with_policy(data, "deflect_complex", deflect_complex={"to": "email"}))[1]
    triaged, = [run_log(with_policy(data, "deflect_complex", urgency_triage={"triage_time": "20s"},
                                    deflect_complex={"to": "email", "order": "urgency_triage"}))]
    result, cols = triaged
    crisis = cols["urgency"] == 2
    assert np.nanmean(waits(cols)[crisis]) < np.nanmean(waits(plain)[crisis])
    assert result.kpis["deflections.total"] > 50


def test_auto_ack_bot_gives_full_sla_and_more_churn_nothing_else(fifo):
    base, _ = fifo
    bot = run_log(with_policy(public_data(), "auto_ack_bot"))[0].kpis
    assert bot["sla.twitter"] == 1.0 and base.kpis["sla.twitter"] < 0.9
    assert bot["bot_replies.total"] == base.kpis["needs_reply.twitter"]
    # The customer's real wait is unchanged: same exposure, same answers, more churn.
    for kpi in ("exposure.total", "answered.twitter", "abandoned.twitter", "ttr.mean.twitter"):
        assert bot[kpi] == base.kpis[kpi], kpi
    assert bot["churn.expected"] - base.kpis["churn.expected"] == pytest.approx(
        0.02 * bot["bot_replies.total"], rel=0.02)


_PROFILE = [0.2, 0.15, 0.1, 0.1, 0.1, 0.2, 0.5, 1.0, 1.6, 2.0, 2.0, 1.9,
            1.8, 1.9, 2.0, 1.9, 1.7, 1.5, 1.3, 1.2, 1.0, 0.7, 0.5, 0.3]


def _chat_data(agents: int) -> dict:
    return {"name": "profile", "horizon": "2d", "seed": 4,
            "channels": {"chat": {"public": False, "sla": "1m", "sla_goal": 0.8, "first_response": "pickup",
                                  "handle_time": {"dist": "exponential", "mean": "5m"},
                                  "arrivals": {"per_hour": 60, "hourly_profile": _PROFILE}}},
            "pools": {"team": {"agents": agents, "channels": ["chat"]}}, "report": {"bin": "30m"}}


def _intervals_meeting(cols, target: float = 60.0, goal: float = 0.8) -> float:
    slot = (cols["arrival"] // 1800).astype(int)
    met = np.nan_to_num(waits(cols), nan=np.inf) <= target
    return float(np.mean([met[slot == s].mean() >= goal for s in np.unique(slot)]))


def test_interval_staffing_meets_the_target_where_a_flat_roster_of_the_same_cost_does_not():
    planned, cols = run_log(with_policy(_chat_data(30), staffing="interval_staffing",
                                        interval_staffing={"shrinkage": 0.1}))
    flat_agents = int(np.ceil(planned.kpis["agent_hours.total"] / 48))
    flat, flat_cols = run_log(with_policy(_chat_data(flat_agents)))
    assert flat.kpis["agent_hours.total"] >= planned.kpis["agent_hours.total"]
    assert _intervals_meeting(cols) >= 0.9
    assert _intervals_meeting(flat_cols) < 0.7


def test_interval_staffing_follows_erlang_c_and_shrinkage():
    # 60 contacts/h at 2.0 (10 Erlangs): Erlang C needs 13 agents for 80 % in 1 minute
    # (carebench erlang --rate 120/h --handle 5m --target 1m); 13 / (1 - 0.3) -> 19.
    sc = with_policy(_chat_data(30), staffing="interval_staffing")
    rates = {n: channel_rate(sc, n) for n in sc.channels}
    roster = build_staffing(sc).roster(StaffingContext(sc, lambda c, t: rates[c].rate(t), sc.end_time))["team"]
    at_ten = [n for t, n in roster if t <= 10 * 3600][-1]
    assert at_ten == 19


def _surge_data() -> dict:
    data = public_data(horizon="2d", agents=3, rate=30)
    data["pools"]["marketing"] = {"agents": 3, "channels": ["twitter"], "shifts": []}
    return data


def test_surge_adds_agent_hours_only_during_the_incident_and_shortens_the_worst_wait():
    base, base_cols = run_log(with_policy(_surge_data()))
    params = {"reserve": "marketing", "trigger": "oldest_wait", "threshold": "40m", "agents": 3,
              "call_in_delay": "15m", "duration": "2h"}
    surged, cols = run_log(with_policy(_surge_data(), staffing="surge", surge=params))
    assert base.kpis["agent_hours.marketing"] == 0 and surged.kpis["agent_hours.marketing"] > 0
    on = np.array(surged.timeseries["on_duty"]["marketing"])
    hours = np.array(surged.timeseries["time"]["start"]) / 3600
    assert np.all(on[(hours < 9) | (hours >= 18)] == 0)  # the incident is 09:00-12:00 on day 1
    assert np.nanmax(waits(cols)) < np.nanmax(waits(base_cols)) - 1800


def test_breaks_take_agents_off_duty_during_the_break():
    data = public_data(horizon="1d", agents=4, rate=4)
    data["incidents"] = []
    data["report"] = {"bin": "15m"}
    data["pools"]["social"]["shifts"] = [{"hours": "daily 08:00-20:00", "breaks": [
        {"start": "12:00", "duration": "30m", "agents": 2}, {"start": "12:30", "duration": "30m", "agents": 1}]}]
    result, _ = run_log(with_policy(data))
    on = dict(zip((int(t) // 900 for t in result.timeseries["time"]["start"]), result.timeseries["on_duty"]["social"]))
    assert on[11 * 4] == pytest.approx(4) and on[11 * 4 + 3] == pytest.approx(4)
    assert on[12 * 4] <= 2.5 and on[12 * 4 + 1] == pytest.approx(2)
    assert on[12 * 4 + 2] <= 3.5 and on[12 * 4 + 3] == pytest.approx(3)
    assert on[13 * 4 + 1] == pytest.approx(4)
    assert result.kpis["agent_hours.social"] == pytest.approx(12 * 4 - 1 - 0.5, abs=0.3)


def test_a_blended_pool_takes_its_preferred_channel_first_when_idle():
    data = _twitter_and_email(twitter_sla="1h")
    social_first = merge(data, {"pools": {"blended": {"prefer": ["twitter"]}}})
    email_first = merge(data, {"pools": {"blended": {"prefer": ["email"]}}})
    a = run_log(with_policy(social_first, "fifo"))[0].kpis
    b = run_log(with_policy(email_first, "fifo"))[0].kpis
    assert a["frt.mean.twitter"] < b["frt.mean.twitter"] and a["frt.mean.email"] > b["frt.mean.email"]


def test_interval_staffing_with_erlang_a_counts_on_callers_who_hang_up():
    data = merge(_chat_data(30), {"channels": {"chat": {"patience": {"dist": "exponential", "mean": "2m"}}}})
    rosters = {}
    for model in ("erlang_c", "erlang_a"):
        sc = with_policy(data, staffing="interval_staffing", interval_staffing={"model": model})
        rates = {n: channel_rate(sc, n) for n in sc.channels}
        steps = build_staffing(sc).roster(StaffingContext(sc, lambda c, t: rates[c].rate(t), sc.end_time))["team"]
        rosters[model] = {int(t // 1800): n for t, n in steps}
    c = _filled(rosters["erlang_c"])
    a = _filled(rosters["erlang_a"])
    assert all(x <= y for x, y in zip(a, c)) and sum(a) < sum(c)


def _filled(steps: dict[int, int], slots: int = 96) -> list[int]:
    out, level = [], 0
    for s in range(slots):
        level = steps.get(s, level)
        out.append(level)
    return out
