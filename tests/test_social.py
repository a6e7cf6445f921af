"""Customer behaviour: each behaviour changes what it should and nothing else.

Arrivals of the scenario's own channels come from streams no behaviour
touches, so every comparison here runs on the same arrivals (same seed).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import merge
from hypothesis import given
from hypothesis import strategies as st

from carebench.engine.attributes import ChannelDraws
from carebench.engine.contact import Contact
from carebench.engine.exposure import exposure_spells
from carebench.engine.sampling import UniformSource
from carebench.engine.streams import Streams, replication_seeds
from carebench.load.loader import load_scenario, scenario_from_data
from carebench.model.behaviour import Exposure
from carebench.runs.simulate import simulate
from carebench.stats.differences import paired_difference

QUEUE_KPIS = ("arrived", "answered", "abandoned", "waiting", "sla", "frt.mean", "frt.p90")


def social_data(agents: int = 3, behaviour: dict | None = None) -> dict:
    """Twitter (public, questions and complaints), a private DM channel and a phone line."""
    return {
        "name": "social", "horizon": "2d", "seed": 5,
        "channels": {
            "twitter": {"public": True, "sla": "1h", "handle_time": {"dist": "exponential", "mean": "6m"},
                        "contacts": {"complaint": 0.6, "question": 0.3, "mention": 0.1},
                        "arrivals": {"per_hour": 20}},
            "dm": {"public": False, "sla": "4h", "handle_time": {"dist": "exponential", "mean": "6m"},
                   "arrivals": {"per_hour": 0}},
            "phone": {"public": False, "sla": "20s", "first_response": "pickup",
                      "handle_time": {"dist": "exponential", "mean": "5m"},
                      "patience": {"dist": "exponential", "mean": "2m"}, "arrivals": {"per_hour": 15}},
        },
        "pools": {"social": {"agents": agents, "channels": ["twitter", "dm"]},
                  "phone": {"agents": 1, "channels": ["phone"]}},
        "behaviour": behaviour or {},
        "report": {"bin": "1h"},
    }


def run(data, allow_import: bool = False):
    return simulate(scenario_from_data(data, allow_import=allow_import), allow_policy_import=allow_import).kpis


def queue_kpis(k, channels=("twitter", "dm", "phone")):
    return {f"{m}.{c}": k[f"{m}.{c}"] for m in QUEUE_KPIS for c in channels}


def equal(a: dict, b: dict) -> bool:
    return all((math.isnan(a[x]) and math.isnan(b[x])) or a[x] == b[x] for x in a)


# -- exposure ---------------------------------------------------------------------------
def contact(followers: float, public: bool = True) -> Contact:
    return Contact(0, 0, "twitter", public, 0.0, 3600.0, 300.0, followers, math.inf)


@given(st.floats(0, 1e6), st.floats(0, 48 * 3600), st.floats(0, 48 * 3600), st.integers(0, 1000))
def test_exposure_is_non_decreasing_in_the_wait(followers, w1, w2, seed):
    short, long_ = sorted((w1, w2))
    params = Exposure(share_rate_per_hour=0.5)
    total = lambda w: sum(a * (e - s) for s, e, a in exposure_spells(  # noqa: E731
        contact(followers), w, params, UniformSource(np.random.default_rng(seed)), ()))
    assert total(short) <= total(long_) + 1e-6


def test_exposure_counts_followers_times_hours_without_shares():
    spells = exposure_spells(contact(7500), 2 * 3600, Exposure(share_rate_per_hour=0), UniformSource(
        np.random.default_rng(0)), ())
    assert sum(a * (e - s) for s, e, a in spells) / 3600 == pytest.approx(15000)


def test_private_channels_carry_no_exposure_and_nothing_else_changes():
    k = run(social_data(agents=1))
    assert k["exposure.dm"] == 0 and k["exposure.phone"] == 0 and k["exposure.twitter"] > 0
    amplified = run(merge(social_data(agents=1), {"behaviour": {"exposure": {"share_rate_per_hour": 1.0}}}))
    assert amplified["exposure.twitter"] > k["exposure.twitter"]
    assert equal(queue_kpis(amplified), queue_kpis(k))


# -- switching off recovers the plain queue ---------------------------------------------------
def test_every_behaviour_disabled_is_the_plain_queue_draw_for_draw():
    plain = load_scenario(None, ["behaviour={}"])
    data = load_scenario().model_dump(mode="json")
    for name in ("conversation", "bumps", "switching", "virality", "peer_answers"):
        data["behaviour"][name] = {**(data["behaviour"][name] or {}), "enabled": False}
    disabled = scenario_from_data(data)
    assert disabled.behaviour.plain
    a, b = simulate(plain).kpis, simulate(disabled).kpis
    assert equal(a, b)


def test_the_default_scenario_reports_all_three_outcomes_with_behaviour_on():
    k = simulate(load_scenario()).kpis
    assert 0 < k["sla.twitter"] < 1
    assert k["exposure.total"] > 0 and k["churn.expected"] > 0 and k["revenue_at_risk"] > 0
    assert k["bumps.total"] > 0 and k["peer_answers.total"] > 0 and k["retries.total"] > 0


# -- each behaviour changes what it should ------------------------------------------------------
def test_conversations_lengthen_resolution_not_first_response_when_staff_is_ample():
    base = run(social_data(agents=40))
    conv = run(social_data(agents=40, behaviour={"conversation": {}}))
    assert conv["frt.mean.twitter"] == pytest.approx(base["frt.mean.twitter"])
    assert conv["ttr.mean.twitter"] > 3 * base["ttr.mean.twitter"]
    assert conv["arrived.twitter"] == base["arrived.twitter"]


def test_bumps_happen_only_while_waiting_and_lead_to_giving_up():
    closed = merge(social_data(agents=0), {"horizon": "4d"})
    k = run(merge(closed, {"behaviour": {"bumps": {"give_up_after": "1d"}}}))
    plain = run(closed)
    assert k["bumps.total"] > 0 and k["gave_up.twitter"] > 0 and plain["gave_up.twitter"] == 0
    assert k["exposure.twitter"] < plain["exposure.twitter"]  # they stop waiting in public
    assert k["arrived.twitter"] == plain["arrived.twitter"]
    ample = run(social_data(agents=40, behaviour={"bumps": {}}))
    assert ample["bumps.total"] < 0.05 * ample["arrived.twitter"]


def test_bump_calibration_matches_answered_twitter_threads():
    # 16 % of customers bump; time to the first bump lognormal, median 25 min, sigma 1.5.
    sc = scenario_from_data(social_data(behaviour={"bumps": {"max_bumps": 1}}))
    draws = ChannelDraws("twitter", sc.channels["twitter"], sc, Streams(1))
    times = np.zeros(200_000)
    first = np.array([b[0] if b else np.inf for b in draws.block(times).bumps])
    assert np.mean(first < 10 * 60) == pytest.approx(0.043, abs=0.004)  # answered within the hour
    assert np.mean(first < 48 * 3600) == pytest.approx(0.16, abs=0.005)  # answered after a day


def test_peer_answers_take_only_public_questions():
    k = run(social_data(agents=0, behaviour={"peer_answers": {"share": 1.0, "delay": {"dist": "deterministic",
                                                                                         "value": "30m"}}}))
    plain = run(social_data(agents=0))
    assert k["peer.twitter"] > 0 and k["peer.phone"] == 0 and k["peer.dm"] == 0
    # Every question is peer-answered; complaints keep waiting.
    assert k["peer.twitter"] == pytest.approx(0.3 / 0.9 * plain["needs_reply.twitter"], rel=0.15)
    assert k["arrived.twitter"] == plain["arrived.twitter"]


def test_switching_sends_abandoners_to_another_channel():
    sw = run(social_data(behaviour={"switching": {"share": 1.0, "to": {"twitter": 1.0}}}))
    plain = run(social_data())
    assert sw["arrived.phone"] == plain["arrived.phone"]
    assert sw["abandoned.phone"] == plain["abandoned.phone"]
    assert sw["retries.total"] > 0
    assert sw["arrived.twitter"] - plain["arrived.twitter"] == sw["retries.total"]


def test_virality_grows_an_unanswered_incident():
    viral = {"virality": {"branching_ratio": 0.8, "delay": "1h"}}
    slow = run(social_data(agents=1, behaviour=viral))
    fast = run(social_data(agents=30, behaviour=viral))
    assert slow["viral.total"] > 5 * max(fast["viral.total"], 1)
    assert run(social_data(agents=1))["viral.total"] == 0


def test_deflection_stops_exposure_and_moves_the_work():
    # A separate DM team, so the Twitter team's capacity for first replies is the same in both runs.
    teams = {"pools": {"social": {"channels": ["twitter"]}, "dm_team": {"agents": 3, "channels": ["dm"]}}}
    data = merge(social_data(agents=2), {**teams, "policies": {"priority": "policies_for_tests:DeflectEverything"}})
    k = run(data, allow_import=True)
    plain = run(merge(social_data(agents=2), teams))
    assert k["deflections.total"] == k["answered.twitter"] > 0
    assert k["deflections.to.dm"] == k["deflections.total"] and k["deflections.to.link"] == 0
    assert k["exposure.twitter"] < plain["exposure.twitter"]  # a one-minute reply stops the clock
    # Each deflection costs the customer effort: at least baseline + per_deflection (0.02 + 0.03).
    assert k["churn.expected.twitter"] >= 0.05 * k["deflections.total"]
    assert k["resolved.twitter"] > 0  # resolved after the move, on the DM channel


def test_nothing_is_lost_when_contacts_move_between_channels():
    data = merge(social_data(agents=2, behaviour={"switching": {"share": 1.0, "to": {"twitter": 1.0}},
                                                   "conversation": {}, "bumps": {}, "virality": {}}),
                 {"policies": {"priority": "policies_for_tests:DeflectEverything"}})
    batches = []
    sc = scenario_from_data(data, allow_import=True)
    result = simulate(sc, contact_sink=batches.append, allow_policy_import=True)
    ids = np.concatenate([b["id"] for b in batches])
    assert np.array_equal(np.sort(ids), np.arange(ids.size))  # every contact recorded exactly once
    k = result.kpis
    for ch in ("twitter", "dm", "phone", "all"):
        assert k[f"answered.{ch}"] + k[f"abandoned.{ch}"] + k[f"waiting.{ch}"] + k[f"peer.{ch}"] \
            + k[f"mentions.{ch}"] == k[f"arrived.{ch}"]


@pytest.mark.slow
def test_more_agents_never_increase_exposure_or_churn_on_average():
    behaviour = {"conversation": {}, "bumps": {}, "virality": {}, "peer_answers": {}}
    seeds = replication_seeds(5, 8)
    for fewer, more in ((1, 2), (2, 4)):
        a = [simulate(scenario_from_data(social_data(fewer, behaviour)), s).kpis for s in seeds]
        b = [simulate(scenario_from_data(social_data(more, behaviour)), s).kpis for s in seeds]
        for kpi in ("exposure.total", "churn.expected"):
            diff = paired_difference([x[kpi] for x in a], [x[kpi] for x in b])
            assert diff.mean <= 0 and diff.low < 0, (fewer, more, kpi, diff)
