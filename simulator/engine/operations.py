"""The operation around the queues: support hours, the roster, staffing reviews, progress.

These are few, naturally sequential events, so they are scheduled up front
(support hours, roster steps) or run as small SimPy processes (reviews,
progress). A staffing policy's answers are checked here: a wrong pool name
or a negative count fails with a message naming the policy, value and time.
"""

from __future__ import annotations

from collections.abc import Callable

from carebench.engine.interface import Callout, ChannelStateView, PoolStateView, StaffingContext, SystemView

__all__ = ["Operations", "PolicyFault"]


class PolicyFault(RuntimeError):
    """A policy returned something the engine cannot use."""


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
        if self.staffing.review_every:
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
    def _checked_roster(self, roster) -> dict[str, list[tuple[float, int]]]:
        name = type(self.staffing).__name__
        pools = {p.name for p in self.engine.pools}
        if not isinstance(roster, dict) or set(roster) - pools:
            raise PolicyFault(f"staffing policy {name}: roster names unknown pools {sorted(set(roster) - pools)}")
        out = {}
        for pool in pools:
            steps = list(roster.get(pool, []))
            for t, n in steps:
                if not (isinstance(n, int) and n >= 0) or t < 0:
                    raise PolicyFault(f"staffing policy {name}: pool {pool!r} at t={t}: expected agents >= 0, got {n!r}")
            if any(b[0] < a[0] for a, b in zip(steps, steps[1:])):
                raise PolicyFault(f"staffing policy {name}: pool {pool!r}: roster times must be sorted")
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
            for callout in self.staffing.review(self.view()):
                self._schedule_callout(callout)

    def _schedule_callout(self, callout: Callout) -> None:
        pools = {p.name: p for p in self.engine.pools}
        now = self.env.now
        if callout.pool not in pools or callout.agents < 0 or callout.start < now or callout.end < callout.start:
            raise PolicyFault(
                f"staffing policy {type(self.staffing).__name__}: invalid call-out {callout} at t={now:.0f}"
            )
        pool = pools[callout.pool]
        self._at(callout.start, lambda _e: self._add_extra(pool, callout.agents))
        self._at(callout.end, lambda _e: self._add_extra(pool, -callout.agents))

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
