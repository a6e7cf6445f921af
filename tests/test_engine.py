"""Engine invariants: nothing lost, no negative waits, concurrency and skills, determinism, CRN."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import merge, mmc, mmc_data, two_channel, two_channel_data
from hypothesis import given, settings
from strategies import maybe_broken_scenario_data, scenario_data

from carebench.load.loader import scenario_from_data
from carebench.runs.simulate import simulate
from carebench.util.errors import ScenarioError


def log_of(scenario, seed=None):
    """Run and collect the per-contact log as one dict of arrays."""
    batches = []
    result = simulate(scenario, seed, contact_sink=batches.append)
    cols = {k: np.concatenate([b[k] for b in batches]) for k in batches[0]} if batches else {}
    return result, cols


def same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        (math.isnan(a[k]) and math.isnan(b[k])) or a[k] == b[k] for k in a
    )


def assert_nothing_lost(result):
    k = result.kpis
    for ch in (*result.channels, "all"):
        parts = k[f"answered.{ch}"] + k[f"abandoned.{ch}"] + k[f"waiting.{ch}"] + k[f"peer.{ch}"] + k[f"mentions.{ch}"]
        assert parts == k[f"arrived.{ch}"], ch


def max_overlap(starts, ends) -> int:
    events = sorted([(s, 1) for s in starts] + [(e, -1) for e in ends])
    level = top = 0
    for _, d in events:
        level += d
        top = max(top, level)
    return top


@given(scenario_data())
@settings(max_examples=15)
def test_generated_scenarios_lose_nothing_and_never_wait_negative(data):
    sc = scenario_from_data(data)
    result, cols = log_of(sc)
    assert_nothing_lost(result)
    if cols:
        waits = cols["first_response"] - cols["arrival"]
        assert np.all(waits[~np.isnan(waits)] >= 0)


@given(maybe_broken_scenario_data())
@settings(max_examples=25)
def test_generated_scenarios_run_or_fail_with_clear_lines(data):
    try:
        sc = scenario_from_data(data, "gen.yaml")
    except ScenarioError as exc:
        assert exc.problems
        for line in exc.problems:
            assert line.startswith("gen.yaml: ") and "\n" not in line and "Traceback" not in line
        return
    assert_nothing_lost(simulate(sc))


def test_two_channel_scenario_loses_nothing():
    assert_nothing_lost(simulate(two_channel()))


def test_same_seed_same_kpis_other_seed_other_kpis():
    sc = two_channel()
    a, b, c = simulate(sc, 11), simulate(sc, 11), simulate(sc, 12)
    assert same(a.kpis, b.kpis)
    assert not same(a.kpis, c.kpis)


def test_agents_never_exceed_their_concurrency():
    # Chat-like channel, concurrency 3, two agents: at most 6 contacts in service at once.
    data = merge(mmc_data(rate_per_hour=200, agents=2, horizon="1d", warmup="0s"),
                 {"channels": {"phone": {"concurrency": 3}}})
    _, cols = log_of(scenario_from_data(data))
    served = ~np.isnan(cols["first_response"]) & ~np.isnan(cols["end"])
    assert max_overlap(cols["first_response"][served], cols["end"][served]) == 6


def test_skills_are_a_hard_constraint():
    data = two_channel_data()
    data["pools"] = {"social": {"agents": 5, "channels": ["twitter"]}}
    result = simulate(scenario_from_data(data))
    assert result.kpis["answered.phone"] == 0
    assert result.kpis["answered.twitter"] > 0
    # Phone callers all run out of patience; none is served by the social pool.
    assert result.kpis["abandoned.phone"] + result.kpis["waiting.phone"] == result.kpis["arrived.phone"]


def test_blended_pool_serves_both_channels_within_its_size():
    data = merge(mmc_data(rate_per_hour=60, agents=2, horizon="1d", warmup="0s"), {})
    data["channels"]["chat"] = merge(data["channels"]["phone"], {})
    data["pools"] = {"blended": {"agents": 2, "channels": ["phone", "chat"]}}
    _, cols = log_of(scenario_from_data(data))
    served = ~np.isnan(cols["first_response"]) & ~np.isnan(cols["end"])
    assert max_overlap(cols["first_response"][served], cols["end"][served]) <= 2
    assert set(np.unique(cols["channel"][served]).tolist()) == {0, 1}


def test_a_policy_change_leaves_the_arrival_stream_unchanged():
    fifo = two_channel()
    ordered = two_channel(policies={"priority": "channel_priority",
                                    "params": {"channel_priority": {"order": ["phone", "twitter"]}}})
    _, a = log_of(fifo)
    _, b = log_of(ordered)
    key = lambda c: sorted(zip(c["channel"].tolist(), c["arrival"].tolist(), c["followers"].tolist()))  # noqa: E731
    assert key(a) == key(b)
    assert not np.array_equal(np.sort(a["first_response"]), np.sort(b["first_response"]))


def test_support_hours_keep_the_queue_waiting():
    sc = two_channel()
    _, cols = log_of(sc)
    tw = (cols["channel"] == 0) & ~np.isnan(cols["first_response"])
    # Twitter is answered only while open (08:00-22:00): replies go out inside the window
    # (a reply started before 22:00 may finish a little after it).
    hours = (cols["first_response"][tw] % 86400) / 3600
    assert np.all((hours >= 8) & (hours < 23))


def test_shift_ends_let_agents_finish_the_contact_in_hand():
    data = merge(mmc_data(rate_per_hour=20, agents=1, horizon="1d", warmup="0s"),
                 {"pools": {"agents": {"shifts": [{"hours": "daily 08:00-10:00"}]}}})
    data["channels"]["phone"]["handle_time"] = {"dist": "deterministic", "value": "50m"}
    _, cols = log_of(scenario_from_data(data))
    served = ~np.isnan(cols["first_response"])
    starts = cols["first_response"][served] / 3600
    # Started only on duty; the last one may end after 10:00 (finished in hand).
    assert np.all((starts >= 8) & (starts < 10))
    assert np.nanmax(cols["end"][served]) / 3600 > 10


def test_warmup_contacts_are_excluded():
    result = simulate(mmc(warmup="1d", horizon="2d", rate_per_hour=50))
    assert 1000 < result.kpis["arrived.phone"] < 1400  # about 50/h × 24h, not 48h


@pytest.mark.parametrize("agents", [0, 1])
def test_understaffed_contacts_are_censored_not_dropped(agents):
    result = simulate(mmc(agents=agents, rate_per_hour=60, horizon="6h", warmup="0s"))
    k = result.kpis
    assert k["waiting.phone"] > 0
    assert_nothing_lost(result)
    if agents == 0:
        assert k["sla.phone"] == 0.0
