"""Arrival sources: one per channel, feeding the engine contacts in time order.

A source walks the channel's arrival blocks (see :mod:`simulator.arrivals`),
draws each block's attributes at once (:mod:`simulator.attributes`) and
schedules one timeout per arrival with a callback, not a process.
"""

from __future__ import annotations

from simulator.arrivals import ChannelRate, arrival_blocks
from simulator.contact import Contact

__all__ = ["Source", "channel_rate"]


def channel_rate(scenario, name: str, shape=None) -> ChannelRate:
    """The full arrival-rate description of channel ``name``."""
    chan = scenario.channels[name]
    incidents = tuple(
        (inc.start_time, inc.end_time, inc.multiplier)
        for inc in scenario.incidents
        if name in scenario.incident_channels(inc)
    )
    arr = chan.arrivals
    return ChannelRate(arr.per_hour, arr.hourly_profile, arr.weekly_profile, incidents,
                       shape.for_channel(name) if shape is not None else None)


class Source:
    """Schedules the arrivals of one channel."""

    def __init__(self, engine, ch: int):
        self.engine = engine
        self.ch = ch
        self.env = engine.env
        rng = engine.streams.get("arrivals", engine.names[ch])
        self.blocks = arrival_blocks(engine.rates[ch], 0.0, engine.scenario.horizon, rng)
        self.draws = engine.draws[ch]
        self.name, self.public, self.sla = engine.names[ch], engine.public[ch], engine.sla[ch]
        self.expected = engine.expected_handle[ch]
        self.block = None
        self.i = 0
        self.n = 0

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
        self.env.timeout(delay if delay > 0 else 0.0).callbacks.append(self._fire)

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
        self.i = i + 1
        if self.i < self.n or self._next_block():
            self._schedule()
