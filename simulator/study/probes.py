"""Mystery-shopper probes: planning when each is sent, and sending them into a brand's run.

A probe is an ordinary contact in the brand's simulated traffic — it queues
behind the background contacts, under the same policies and support hours —
marked with its index (``Contact.probe``) so that the recorder keeps it out
of the brand's KPIs. A probe is the researcher's own message: it never bumps,
never gives up, starts no viral cascade, gets no peer answer and needs one
reply. Its handle time comes from the channel's distribution drawn from the
``probe-`` streams, so the background traffic draws exactly the same numbers
with or without probes (common random numbers).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from carebench.engine.attributes import ChannelDraws
from carebench.model.kinds import Kind
from carebench.study.spec import Listening, ProbeProtocol, Schedule
from carebench.util.units import DAY

__all__ = ["ProbePlan", "sending_period", "plan_probes", "ProbeInjector"]

_INF = math.inf


@dataclass(frozen=True)
class ProbePlan:
    """The probes one brand is sent in one run, in the order they are sent.

    ``sent`` are send times (seconds from the run start, ascending);
    ``stratum`` the index of each probe's follower stratum and ``followers``
    its follower count; ``enters`` when the brand sees it (the send time for
    an @-mention, later when found by listening, infinity if never seen).
    """

    sent: tuple[float, ...]
    stratum: tuple[int, ...]
    followers: tuple[float, ...]
    enters: tuple[float, ...]


def _days_with_hours(schedule: Schedule, per_brand: int, warmup: float) -> list[int]:
    """The days (0 = the first Monday) a daily schedule sends on: those with send hours, from the warm-up on."""
    need = math.ceil(per_brand / schedule.probes_per_day)
    day, days = math.ceil(warmup / DAY), []
    while len(days) < need:
        if schedule.hours.expand(day * DAY, (day + 1) * DAY):
            days.append(day)
        day += 1
    return days


def sending_period(schedule: Schedule, per_brand: int, warmup: float) -> tuple[float, float]:
    """``(start, end)`` in seconds of the period probes are sent in (deterministic)."""
    if schedule.kind == "uniform":
        return warmup, warmup + schedule.length
    days = _days_with_hours(schedule, per_brand, warmup)
    return days[0] * DAY, (days[-1] + 1) * DAY


def _uniform_within(intervals: list[tuple[float, float]], u: np.ndarray) -> np.ndarray:
    """Map uniform numbers in [0, 1) to times spread uniformly over a union of intervals."""
    lengths = np.array([b - a for a, b in intervals])
    ends = np.cumsum(lengths)
    at = u * ends[-1]
    k = np.minimum(np.searchsorted(ends, at, side="right"), len(intervals) - 1)
    starts = np.array([a for a, _ in intervals])
    return starts[k] + at - (ends[k] - lengths[k])


def _send_times(schedule: Schedule, per_brand: int, warmup: float, rng: np.random.Generator) -> np.ndarray:
    if schedule.kind == "uniform":
        start, end = sending_period(schedule, per_brand, warmup)
        return np.sort(_uniform_within(schedule.hours.expand(start, end), rng.random(per_brand)))
    times, left = [], per_brand
    for day in _days_with_hours(schedule, per_brand, warmup):
        k = min(schedule.probes_per_day, left)
        intervals = schedule.hours.expand(day * DAY, (day + 1) * DAY)
        times.append(np.sort(_uniform_within(intervals, rng.random(k))))
        left -= k
    return np.concatenate(times)


def plan_probes(protocol: ProbeProtocol, listening: Listening, warmup: float,
                rng: np.random.Generator) -> ProbePlan:
    """Draw one brand's probes: send times, follower strata (balanced, random order), when each is seen."""
    n = protocol.per_brand
    sent = _send_times(protocol.schedule, n, warmup, rng)
    strata = len(protocol.followers)
    stratum = rng.permutation(np.arange(n) % strata)
    followers = np.asarray(protocol.followers, dtype=float)[stratum]
    if protocol.mention:
        enters = sent.copy()
    else:
        found = rng.random(n) < listening.share
        delay = listening.delay.sample(rng, n)
        enters = np.where(found, sent + delay, _INF)
    return ProbePlan(tuple(sent.tolist()), tuple(stratum.tolist()), tuple(followers.tolist()),
                     tuple(enters.tolist()))


class ProbeInjector:
    """Sends a :class:`ProbePlan` into an engine; the engine calls :meth:`start` when its run begins.

    Constructing it only stores the plan, the channel's name and the probe
    kind (:class:`~carebench.model.kinds.Kind`, or its word ``'complaint'`` or ``'question'``).
    """

    def __init__(self, plan: ProbePlan, channel: str, kind: Kind | str):
        self.plan = plan
        self.channel = channel
        self.kind = int(kind if isinstance(kind, Kind) else Kind[kind.upper()])

    def start(self, engine) -> None:
        """Schedule each probe the brand will see to join the channel's queue when it is seen."""
        plan, end = self.plan, engine.scenario.end_time
        ch = engine.names.index(self.channel)
        draws = ChannelDraws(self.channel, engine.scenario.channels[self.channel], engine.scenario,
                             engine.streams, stream_prefix="probe-")
        handle = draws.block(np.asarray(plan.sent, dtype=float)).handle
        for i, at in enumerate(plan.enters):
            if at < end:
                event = engine.env.timeout(max(0.0, at - engine.env.now), (engine, ch, i, handle[i]))
                event.callbacks.append(self._send)

    def _send(self, event) -> None:
        engine, ch, i, handle = event._value
        c = engine.new_contact(ch, self.plan.sent[i], handle, self.plan.followers[i], _INF)
        c.kind = self.kind
        c.probe = i
        c.special = True
        engine.arrive(c)
