"""Arrival sources: one per channel, feeding the engine contacts in time order.

A source walks the channel's arrival blocks (or a replayed trace's times) (see :mod:`carebench.engine.arrivals`),
draws each block's attributes at once (:mod:`carebench.engine.attributes`) and
schedules one timeout per arrival with a callback, not a process.
"""

from __future__ import annotations

from heapq import heappush

import numpy as np

from carebench.engine.arrivals import ChannelRate, arrival_blocks
from carebench.engine.attributes import ChannelDraws
from carebench.engine.contact import Contact
from carebench.engine.timers import NORMAL, Timer
from carebench.model.shapes import channel_load

__all__ = ["Source", "Injections", "channel_rate", "replayed_blocks"]


def channel_rate(scenario, name: str) -> ChannelRate:
    """The full arrival-rate description of channel ``name`` (profiles, incidents, load shapes)."""
    chan = scenario.channels[name]
    incidents = tuple(
        (inc.start_time, inc.end_time, inc.multiplier)
        for inc in scenario.incidents
        if name in scenario.incident_channels(inc)
    )
    arr = chan.arrivals
    return ChannelRate(arr.per_hour, arr.hourly_profile, arr.weekly_profile, incidents,
                       channel_load(scenario.load, name))


REPLAY_BLOCK = 4096
"""Contacts per block of a replayed trace (any fixed size keeps replays comparable)."""


def replayed_blocks(times, horizon: float):
    """Yield a replayed trace's arrival times before ``horizon`` in fixed-size sorted blocks."""
    arr = np.asarray(times, dtype=float)
    arr = arr[arr < horizon]
    for i in range(0, arr.size, REPLAY_BLOCK):
        yield arr[i : i + REPLAY_BLOCK]


class Source:
    """Schedules the arrivals of one channel."""

    def __init__(self, engine, ch: int):
        self.engine = engine
        self.ch = ch
        self.env = engine.env
        replayed = engine.scenario.channels[engine.names[ch]].arrivals.times
        if replayed is None:
            rng = engine.streams.get("arrivals", engine.names[ch])
            self.blocks = arrival_blocks(engine.rates[ch], 0.0, engine.scenario.horizon, rng)
        else:
            self.blocks = replayed_blocks(replayed, engine.scenario.horizon)
        self.draws = engine.draws[ch]
        self.name, self.public, self.sla = engine.names[ch], engine.public[ch], engine.sla[ch]
        self.expected = engine.expected_handle[ch]
        self.block = None
        self.i = 0
        self.n = 0
        # One reusable event for the next arrival (carebench.engine.timers): SimPy sets its
        # callbacks to None when it fires, so they are set again each time it is pushed.
        self.timer = Timer(None)
        self.callbacks = [self._fire]
        self.push = engine.timers.push
        self.heap, self.eid = engine._queue, engine._eid

    def start(self) -> None:
        """Schedule the first arrival."""
        if self._next_block():
            self._schedule()

    def _next_block(self) -> bool:
        times = next(self.blocks, None)
        if times is None:
            return False
        b = self.draws.block(times)
        # One tuple per contact: a single index and unpack on the hot path.
        self.block = list(zip(b.times, b.handle, b.followers, b.abandon_at, b.kind, b.urgency,
                              b.needed, b.bumps, b.peer_at, b.offspring))
        self.i, self.n = 0, len(self.block)
        return True

    def _schedule(self) -> None:
        delay = self.block[self.i][0] - self.env._now
        self.timer.callbacks = self.callbacks
        self.push(delay if delay > 0 else 0.0, self.timer)

    def _fire(self, _event) -> None:
        i, engine = self.i, self.engine
        _, handle, followers, abandon_at, kind, urgency, needed, bumps, peer_at, offspring = self.block[i]
        # The clock's own time, not the drawn one: they can differ in the last bit.
        c = Contact(engine.next_id, self.ch, self.name, self.public, self.env._now, self.sla, handle, followers,
                    abandon_at, self.expected)
        engine.next_id += 1
        # Only set what differs from the Contact class defaults (hot path).
        if kind or urgency or bumps:
            c.kind, c.urgency, c.bump_times, c.special = kind, urgency, bumps, True
        if needed > 1:
            c.needed = needed
            c.complex = True
        engine.arrive(c, peer_at, offspring)
        self.i = i = i + 1
        if i < self.n or self._next_block():
            # _schedule inlined (hot path): the same reused timer, pushed as SimPy would push it.
            now = self.env._now
            delay = self.block[self.i][0] - now
            self.timer.callbacks = self.callbacks
            heappush(self.heap, (now + (delay if delay > 0 else 0.0), NORMAL, next(self.eid), self.timer))


class Injections:
    """Schedules the scenario's ``inject:`` contacts, drawn from streams of their own."""

    def __init__(self, engine):
        self.engine = engine

    def start(self) -> None:
        """Schedule every injected contact."""
        engine = self.engine
        for inj in engine.scenario.inject:
            engine.env.timeout(inj.at, inj).callbacks.append(self._fire)

    def _fire(self, event) -> None:
        inj, engine = event._value, self.engine
        ch = engine.names.index(inj.channel)
        draws = ChannelDraws(inj.channel, engine.scenario.channels[inj.channel], engine.scenario,
                             engine.streams, stream_prefix=f"inject-{engine.next_id}-")
        b = draws.block(np.array([engine.env._now]), followers=inj.followers, kind=int(inj.kind),
                        urgency=int(inj.urgency))
        c = engine.new_contact(ch, engine.env._now, b.handle[0], b.followers[0], b.abandon_at[0])
        c.kind, c.urgency, c.bump_times, c.special = b.kind[0], b.urgency[0], b.bumps[0], True
        c.needed = b.needed[0]
        c.complex = c.needed > 1
        engine.arrive(c, b.peer_at[0], b.offspring[0])
