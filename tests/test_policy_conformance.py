"""One conformance suite for every registered policy (a new policy is checked without a new test).

Priority policies: keys deterministic and computed on a frozen view without
touching it; keys comparable across channels; every returned value accepted by
the engine's boundary checks (:mod:`carebench.engine.boundary`); equal contacts served in
arrival order; first replies and triage well-formed; a run on a multi-pool
scenario loses nothing and never serves a contact an agent is not skilled
for. Staffing policies: rosters sorted and within ``[0, pool size]``;
call-outs valid and deterministic; runs stay within headcount.
"""

from __future__ import annotations

import dataclasses
import math
import random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from policy_helpers import MINIMAL_PARAMS, FrozenContact, multi_pool_data, run_log, with_policy

from carebench.engine.boundary import KeyCheck, ReplyCheck
from carebench.engine.contact import WAITING
from carebench.engine.interface import (
    URGENCY_NAMES,
    Callout,
    BacklogRule,
    ChannelStateView,
    ContactView,
    FirstReply,
    PoolStateView,
    StaffingContext,
    SystemView,
)
from carebench.engine.queues import ChannelQueue
from carebench.engine.sources import channel_rate
from carebench.policies.registry import PRIORITY_POLICIES, STAFFING_POLICIES, build_priority, build_staffing

CHANNELS = {"twitter": (True, 3600.0), "facebook": (True, 7200.0), "email": (False, 86400.0),
            "phone": (False, 20.0)}

views = st.builds(
    lambda cid, ch, arrival, wait, followers, kind, urgency, responded, bot, exchanges, cplx: FrozenContact(
        id=cid, channel=ch, public=CHANNELS[ch][0], arrival=arrival, queued_at=arrival + wait,
        sla=CHANNELS[ch][1], followers=followers, kind=kind, urgency=urgency, responded=responded,
        replied_at=arrival + wait / 2 if responded else None, bot=bot and not responded,
        exchanges=exchanges if responded else 0, complex=cplx),
    st.integers(0, 10**6), st.sampled_from(sorted(CHANNELS)), st.floats(0, 7 * 86400), st.floats(0, 86400),
    st.sampled_from([0.0, 1.0, 75.0, 150.0, 7500.0, 10_000.0, 131_210.0, 2e6]), st.integers(0, 1),
    st.integers(0, len(URGENCY_NAMES) - 1), st.booleans(), st.booleans(), st.integers(1, 4), st.booleans(),
)


def priority(name: str):
    """The policy as the registry builds it for the multi-pool scenario, with minimal parameters."""
    return build_priority(with_policy(multi_pool_data(), name, **{name: MINIMAL_PARAMS.get(name, {})}))


def staffing(name: str):
    return build_staffing(with_policy(multi_pool_data(), staffing=name, **{name: MINIMAL_PARAMS.get(name, {})}))


def test_the_frozen_view_has_every_field_a_policy_may_read():
    assert set(ContactView.__annotations__) == {f.name for f in dataclasses.fields(FrozenContact)}


@pytest.mark.parametrize("name", sorted(PRIORITY_POLICIES))
@given(view=views)
def test_priority_hooks_are_deterministic_and_leave_the_view_alone(name, view):
    first, second = priority(name), priority(name)
    before = dataclasses.replace(view)
    assert first.key(view) == second.key(view) == first.key(view)
    reply = first.first_reply(view)
    assert isinstance(reply, FirstReply) and reply == second.first_reply(view)
    assert reply.action in ("answer", "acknowledge", "deflect") and reply.work >= 0
    if reply.action == "deflect":
        assert reply.to == "link" or reply.to in CHANNELS
    assert first.triage_seconds(view) == second.triage_seconds(view) >= 0
    assert first.auto_acknowledge(view) == second.auto_acknowledge(view)
    assert view == before
    # What the engine checks as each value enters it (a PolicyError would fail the test).
    boundary = ReplyCheck(name, sorted(CHANNELS))
    assert boundary.first_reply(reply, view, 0.0) is reply
    boundary.seconds(first.triage_seconds(view), view, 0.0)
    boundary.flag(first.auto_acknowledge(view), view, 0.0)


@pytest.mark.parametrize("name", sorted(PRIORITY_POLICIES))
def test_backlog_rules_are_well_formed_and_fixed(name):
    policy, again = priority(name), priority(name)
    for channel, (public, _) in CHANNELS.items():
        rule = policy.backlog(channel, public)
        assert rule == again.backlog(channel, public)
        if rule is None:
            continue
        assert isinstance(rule, BacklogRule) and rule.move_after > 0 and rule.drop_after > 0
        assert all(0 <= start < 86400 and 0 < length <= 86400 for start, length in rule.sweeps)
    if any(policy.backlog(ch, pub) is not None for ch, (pub, _) in CHANNELS.items()):
        assert policy.uses("backlog"), "the engine asks for backlog rules only when the hook is used"


@pytest.mark.parametrize("name", sorted(PRIORITY_POLICIES))
@given(batch=st.lists(views, min_size=2, max_size=20))
def test_keys_of_any_contacts_can_be_compared(name, batch):
    # A blended agent compares heads of several channels' queues.
    policy = priority(name)
    keys = [policy.key(v) for v in batch]
    assert sorted(keys) is not None
    check = KeyCheck(name)
    for view, key in zip(batch, keys):
        check.check(key, view, 0.0)


class _Queued:
    """The attributes the queue reads, around a frozen view."""

    def __init__(self, view, key):
        self.view, self.key, self.id = view, key, view.id
        self.state, self.abandon_at, self.responded = WAITING, math.inf, view.responded


@pytest.mark.parametrize("name", sorted(PRIORITY_POLICIES))
@given(view=views, ids=st.lists(st.integers(0, 10**6), min_size=2, max_size=12, unique=True))
def test_equal_contacts_are_served_in_arrival_order(name, view, ids):
    policy = priority(name)
    twins = [dataclasses.replace(view, id=i) for i in ids]
    keys = {repr(policy.key(t)) for t in twins}
    assert len(keys) == 1, "a key must not depend on the id; the engine breaks ties by it"
    queue = ChannelQueue()
    shuffled = twins[:]
    random.Random(len(ids)).shuffle(shuffled)
    for t in shuffled:
        queue.push(_Queued(t, policy.key(t)))
    served = []
    while queue.head(0.0, lambda c: None) is not None:
        served.append(queue.pop().id)
    assert served == sorted(ids)


@pytest.mark.parametrize("name", sorted(PRIORITY_POLICIES))
def test_a_run_loses_nothing_and_respects_skills(name):
    sc = with_policy(multi_pool_data(), name, **{name: MINIMAL_PARAMS.get(name, {})})
    result, cols = run_log(sc)
    k = result.kpis
    for ch in (*result.channels, "all"):
        parts = (k[f"answered.{ch}"] + k[f"abandoned.{ch}"] + k[f"waiting.{ch}"] + k[f"peer.{ch}"]
                 + k[f"mentions.{ch}"] + k[f"dropped.{ch}"] + k[f"expired.{ch}"])
        assert parts == k[f"arrived.{ch}"], ch
    # Nobody is skilled for phone: no phone caller ever reaches an agent.
    assert k["answered.phone"] == 0 and k["arrived.phone"] > 0
    phone = cols["channel"] == result.channels.index("phone")
    assert np.all(np.isnan(cols["replied_at"][phone]))
    # Email is served only by the mail team, on duty 08:00-16:00, 10 minutes per reply.
    email = (cols["channel"] == result.channels.index("email")) & ~np.isnan(cols["replied_at"])
    assert email.any()
    clock = cols["replied_at"][email] % 86400
    assert np.all((clock >= 8 * 3600 + 600 - 1e-6) & (clock <= 16 * 3600 + 600 + 1e-6))
    assert result.kpis["agent_hours.reserve"] == 0  # the reserve has no shifts
    waits = cols["replied_at"] - cols["arrival"]
    assert np.all(waits[~np.isnan(waits)] >= 0)


@pytest.mark.parametrize("name", sorted(PRIORITY_POLICIES))
def test_same_seed_same_run(name):
    sc = with_policy(multi_pool_data(horizon="12h"), name, **{name: MINIMAL_PARAMS.get(name, {})})
    a, b = run_log(sc, 3)[0].kpis, run_log(sc, 3)[0].kpis
    assert all(a[key] == b[key] or (math.isnan(a[key]) and math.isnan(b[key])) for key in a)


def _context(sc):
    rates = {n: channel_rate(sc, n) for n in sc.channels}
    return StaffingContext(sc, lambda ch, t: rates[ch].rate(t), sc.end_time)


def _breaks_data() -> dict:
    data = multi_pool_data(horizon="3d")
    data["pools"]["social"]["shifts"] = [
        {"hours": "daily 00:00-12:00", "agents": 3, "breaks": [{"start": "03:00", "duration": "1h", "agents": 2}]},
        {"hours": "daily 12:00-24:00", "agents": 2, "breaks": [{"start": "18:00", "duration": "30m", "agents": 2}]},
    ]
    return data


@pytest.mark.parametrize("name", sorted(STAFFING_POLICIES))
def test_rosters_are_sorted_and_within_the_pools(name):
    sc = with_policy(_breaks_data(), staffing=name, **{name: MINIMAL_PARAMS.get(name, {})})
    policy = build_staffing(sc)
    policy.reset()
    roster = policy.roster(_context(sc))
    assert set(roster) <= set(sc.pools)
    for pool, steps in roster.items():
        times = [t for t, _ in steps]
        assert times == sorted(times) and all(0 <= t < sc.end_time for t in times)
        assert all(isinstance(n, int) and 0 <= n <= sc.pools[pool].agents for _, n in steps), (pool, steps)
    policy.reset()
    assert policy.roster(_context(sc)) == roster


def _views(now: float, load: int) -> SystemView:
    channels = {ch: ChannelStateView(waiting=load, oldest_wait=load * 600.0, waiting_followers=load * 1e4,
                                     open=True) for ch in CHANNELS}
    pools = {"social": PoolStateView(3, 3, 3), "mail": PoolStateView(2, 2, 1), "reserve": PoolStateView(2, 0, 0)}
    return SystemView(now, channels, pools)


@pytest.mark.parametrize("name", sorted(STAFFING_POLICIES))
def test_callouts_are_valid_and_deterministic(name):
    sc = with_policy(multi_pool_data(), staffing=name, **{name: MINIMAL_PARAMS.get(name, {})})
    answers = []
    for _ in range(2):
        policy = build_staffing(sc)
        policy.reset()
        policy.roster(_context(sc))
        out = []
        for step, load in enumerate([0, 2, 50, 400, 400, 0, 400, 3, 400, 400]):
            now = step * 3600.0
            for callout in policy.review(_views(now, load)):
                assert isinstance(callout, Callout) and callout.pool in sc.pools
                assert 0 <= callout.agents <= sc.pools[callout.pool].agents
                assert now <= callout.start <= callout.end
                out.append(callout)
        answers.append(out)
    assert answers[0] == answers[1]


@pytest.mark.parametrize("name", sorted(STAFFING_POLICIES))
def test_a_staffing_run_stays_within_headcount(name):
    sc = with_policy(_breaks_data(), staffing=name, **{name: MINIMAL_PARAMS.get(name, {})})
    result, _ = run_log(sc)
    for pool, spec in sc.pools.items():
        on = result.timeseries["on_duty"][pool]
        assert min(on) >= 0 and max(on) <= spec.agents + 1e-9
        assert result.kpis[f"agent_hours.{pool}"] >= 0


@pytest.mark.parametrize("name", sorted(PRIORITY_POLICIES) + sorted(STAFFING_POLICIES))
def test_every_policy_is_documented_and_only_stores_parameters(name):
    cls = PRIORITY_POLICIES.get(name) or STAFFING_POLICIES[name]
    assert cls.name == name and cls.summary
    doc = cls.__doc__ or ""
    assert "When to use" in doc and "Cost" in doc, f"{name}: say when a team uses it and what it costs"
    params = MINIMAL_PARAMS.get(name, {})
    a, b = cls(**params), cls(**params)
    assert a == b and repr(a) == repr(b)
    assert {f.name for f in dataclasses.fields(a)} >= set(params)
