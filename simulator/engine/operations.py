"""The operation around the queues: support hours, the roster, staffing reviews, progress.

These are few, naturally sequential events, so they are scheduled up front
(support hours, roster steps) or run as small SimPy processes (reviews,
progress). A staffing policy's answers are checked here, where they enter the
engine: a wrong pool name, a negative count or a time that is negative, not
finite or in the past fails with one :class:`PolicyError` naming the policy,
the value and the simulated time.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from carebench.engine.boundary import at
from carebench.engine.interface import (
    Callout,
    ChannelStateView,
    PolicyError,
    PoolStateView,
    StaffingContext,
    SystemView,
)

__all__ = ["Operations"]


class Operations:
    """Support hours, roster and reviews of one engine run."""

    def __init__(self, engine, staffing, progress: Callable[[float], None] | None):
        self.engine = engine
        self.env = engine.env
        self.staffing = staffing
        self.progress = progress
        self.level = [0] * len(engine.pools)
        self.extra = [0] * len(engine.pools)
        self.roster: dict[str, list[tuple[float, int]]] = {}

    def start(self) -> None:
        """Schedule support-hour changes, roster steps, reviews and progress ticks."""
        self._support_hours()
        self.staffing.reset()
        context = StaffingContext(self.engine.scenario, self._rate, self.engine.scenario.end_time)
        self.roster = self._checked_roster(self.staffing.roster(context))
        for pool in self.engine.pools:
            for t, n in self.roster[pool.name]:
                self._at(t, lambda _e, p=pool, n=n: self._set_level(p, n))
        every = self.staffing.review_every
        if every is not None:
            if not (isinstance(every, (int, float)) and 0 < every < math.inf):
                raise PolicyError(f"staffing policy {self._name()} at {at(self.env.now)}: review_every is "
                                  f"{every!r}; expected None or finite seconds > 0")
            self.env.process(self._reviews())
        if self.progress is not None:
            self.env.process(self._ticks())

    def _rate(self, channel: str, t: float) -> float:
        return self.engine.rates[self.engine.names.index(channel)].rate(t)

    def _at(self, t: float, callback) -> None:
        self.env.timeout(max(0.0, t - self.env.now)).callbacks.append(callback)

    # -- support hours -------------------------------------------------------------
    def _support_hours(self) -> None:
        end = self.engine.scenario.end_time
        for ch, name in enumerate(self.engine.names):
            hours = self.engine.scenario.channels[name].support_hours
            if hours.always:
                continue
            self.engine.open[ch] = False
            for a, b in hours.expand(0.0, end):
                self._at(a, lambda _e, ch=ch: self._set_open(ch, True))
                if b < end:
                    self._at(b, lambda _e, ch=ch: self._set_open(ch, False))

    def _set_open(self, ch: int, is_open: bool) -> None:
        self.engine.open[ch] = is_open
        if is_open:
            for pool in self.engine.channel_pools[ch]:
                self.engine.dispatch(pool)

    # -- staffing ------------------------------------------------------------------
    def _name(self) -> str:
        return getattr(self.staffing, "name", "") or type(self.staffing).__name__

    def _checked_roster(self, roster) -> dict[str, list[tuple[float, int]]]:
        name = f"staffing policy {self._name()} at {at(self.env.now)}: roster()"
        pools = {p.name for p in self.engine.pools}
        if not isinstance(roster, dict):
            raise PolicyError(f"{name} returned {roster!r}; expected a mapping of pool name to [(time, agents), ...]")
        if set(roster) - pools:
            raise PolicyError(f"{name} names unknown pools {sorted(set(roster) - pools)}, expected {sorted(pools)}")
        out = {}
        for pool in pools:
            steps = list(roster.get(pool, []))
            for step in steps:
                if not (isinstance(step, (tuple, list)) and len(step) == 2):
                    raise PolicyError(f"{name}: pool {pool!r}: expected (time, agents) pairs, got {step!r}")
                t, n = step
                if not (isinstance(t, (int, float)) and 0 <= t < math.inf):
                    raise PolicyError(f"{name}: pool {pool!r}: expected a finite time >= 0, got {t!r}")
                if not (isinstance(n, int) and not isinstance(n, bool) and n >= 0):
                    raise PolicyError(f"{name}: pool {pool!r} at t={t}: expected agents >= 0, got {n!r}")
            if any(b[0] < a[0] for a, b in zip(steps, steps[1:])):
                raise PolicyError(f"{name}: pool {pool!r}: expected times in increasing order")
            out[pool] = steps
        return out

    def _set_level(self, pool, n: int) -> None:
        self.level[pool.index] = n
        self._apply(pool)

    def _apply(self, pool) -> None:
        arrived = pool.set_target(self.level[pool.index] + self.extra[pool.index], self.env.now)
        for agent in arrived:
            self.engine.pull(agent)

    def _reviews(self):
        every = self.staffing.review_every
        while True:
            yield self.env.timeout(every)
            callouts = self.staffing.review(self.view())
            if not isinstance(callouts, (list, tuple)):
                raise PolicyError(f"staffing policy {self._name()} at {at(self.env.now)}: review() returned "
                                  f"{callouts!r}; expected a list of Callout")
            for callout in callouts:
                self._schedule_callout(callout)

    def _schedule_callout(self, callout: Callout) -> None:
        pools = {p.name: p for p in self.engine.pools}
        now = self.env.now
        problem = self._callout_problem(callout, pools, now)
        if problem:
            raise PolicyError(f"staffing policy {self._name()} at {at(now)}: review() returned {callout!r}; "
                              f"expected {problem}")
        pool = pools[callout.pool]
        self._at(callout.start, lambda _e: self._add_extra(pool, callout.agents))
        self._at(callout.end, lambda _e: self._add_extra(pool, -callout.agents))

    @staticmethod
    def _callout_problem(callout, pools, now: float) -> str:
        if not isinstance(callout, Callout):
            return "a list of Callout"
        if callout.pool not in pools:
            return f"a pool in {sorted(pools)}"
        if not (isinstance(callout.agents, int) and callout.agents >= 0):
            return "agents >= 0 (an integer)"
        times = (callout.start, callout.end)
        if not all(isinstance(t, (int, float)) and math.isfinite(t) for t in times):
            return "finite start and end times"
        if callout.start < now or callout.end < callout.start:
            return f"now ({now:.0f}s) <= start <= end"
        return ""

    def _add_extra(self, pool, agents: int) -> None:
        self.extra[pool.index] += agents
        self._apply(pool)

    def view(self) -> SystemView:
        """A read-only snapshot of queues and pools now."""
        now, eng = self.env.now, self.engine
        channels = {}
        for ch, name in enumerate(eng.names):
            waiting = eng.queues[ch].settle(now, eng.social.leave)
            oldest = max((now - c.queued_at for c in waiting), default=0.0)
            followers = sum(c.followers for c in waiting if c.public)
            channels[name] = ChannelStateView(len(waiting), oldest, followers, eng.open[ch])
        pools = {
            p.name: PoolStateView(len(p.agents), p.on, p.busy)
            for p in eng.pools
        }
        return SystemView(now, channels, pools)

    def _ticks(self):
        end = self.engine.scenario.end_time
        step = end / 100
        while True:
            yield self.env.timeout(step)
            self.progress(min(self.env.now / end, 1.0))
