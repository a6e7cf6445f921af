"""Agents and pools: who is on duty, how much capacity each agent has free.

An agent's capacity is ``units`` (the least common multiple of the pool's
channel concurrencies); a contact on a channel with concurrency ``k`` takes
``units / k`` of it, so an agent may hold three chats or one call, never
more. On-duty agents with free capacity sit in buckets by free units; the
best-fitting agent is found without scanning the pool.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["Agent", "PoolState"]


class Agent:
    """One agent: free capacity units and duty state."""

    __slots__ = ("index", "pool", "free", "on_duty", "leaving", "in_hand")

    def __init__(self, index: int, pool: PoolState):
        self.index = index
        self.pool = pool
        self.free = pool.units
        self.on_duty = False
        self.leaving = False
        self.in_hand = 0


class PoolState:
    """The live state of one pool during a run.

    ``tiered`` is set by the engine when one of the pool's channels has a
    backlog, so its agents try fresh work on every channel before a backlog.
    """

    tiered = False

    def __init__(self, index: int, name: str, headcount: int, channels: Sequence[int],
                 concurrency: Sequence[int], preference: Sequence[int], warmup: float = 0.0,
                 horizon: float = float("inf")):
        self.index = index
        self.name = name
        self.channels = tuple(channels)
        self.units = math.lcm(*concurrency) if concurrency else 1
        self.need = {ch: self.units // k for ch, k in zip(channels, concurrency)}
        self.share = {ch: 1.0 / k for ch, k in zip(channels, concurrency)}
        self.preference = dict(zip(channels, preference))
        self.agents = [Agent(i, self) for i in range(headcount)]
        self.buckets: list[dict[Agent, None]] = [{} for _ in range(self.units + 1)]
        self.off_duty: list[Agent] = list(reversed(self.agents))
        self.present = 0
        self.busy = 0
        self.target = 0
        self.on = 0  # on duty and not leaving
        self.leavers: dict[Agent, None] = {}
        self.presence: list[tuple[float, int]] = [(0.0, 0)]
        self.warmup, self.horizon = warmup, horizon
        self.busy_area = 0.0
        self.drain_area = 0.0

    def account(self, start: float, end: float, share: float) -> None:
        """Add a service's agent-seconds (``share`` of an agent): measured window and drain apart.

        ``busy_area`` holds what fell in ``[warmup, horizon)``, the measured
        window utilisation is taken over; ``drain_area`` what fell after the
        horizon, while the last contacts are finished and nothing new arrives.
        """
        if start < self.warmup:
            start = self.warmup
        cut = self.horizon
        if end > cut:
            self.drain_area += (end - max(start, cut)) * share
            end = cut
        if end > start:
            self.busy_area += (end - start) * share

    def find(self, need: int) -> Agent | None:
        """An on-duty agent with at least ``need`` free units, the fullest that fits."""
        buckets = self.buckets
        for units in range(need, self.units + 1):
            bucket = buckets[units]
            if bucket:
                return next(reversed(bucket))
        return None

    def take(self, agent: Agent, need: int) -> None:
        """Give ``agent`` a contact needing ``need`` units."""
        if agent.free:
            del self.buckets[agent.free][agent]
        if agent.in_hand == 0:
            self.busy += 1
        agent.free -= need
        agent.in_hand += 1
        if agent.free and not agent.leaving:
            self.buckets[agent.free][agent] = None

    def release(self, agent: Agent, need: int, now: float) -> bool:
        """Return ``need`` units from a finished contact; False if the agent went off duty."""
        if agent.free and not agent.leaving:
            del self.buckets[agent.free][agent]
        agent.free += need
        agent.in_hand -= 1
        if agent.in_hand == 0:
            self.busy -= 1
        if agent.leaving:
            if agent.in_hand == 0:
                agent.leaving = False
                agent.on_duty = False
                del self.leavers[agent]
                self.off_duty.append(agent)
                self._presence(now, -1)
            return False
        self.buckets[agent.free][agent] = None
        return True

    def set_target(self, target: int, now: float) -> list[Agent]:
        """Move agents on or off duty towards ``target``; return the agents who came on.

        Idle agents leave at once; busy agents finish what they hold, then leave.
        """
        self.target = target = max(0, min(target, len(self.agents)))
        arrived: list[Agent] = []
        while self.on < target:
            arrived.append(self._recall_leaver() or self._call_in(now))
            self.on += 1
        while self.on > target:
            self._send_off(now)
            self.on -= 1
        return arrived

    def _recall_leaver(self) -> Agent | None:
        if not self.leavers:
            return None
        agent, _ = self.leavers.popitem()
        agent.leaving = False
        if agent.free:
            self.buckets[agent.free][agent] = None
        return agent

    def _call_in(self, now: float) -> Agent:
        agent = self.off_duty.pop()
        agent.on_duty = True
        agent.free = self.units
        self.buckets[self.units][agent] = None
        self._presence(now, +1)
        return agent

    def _send_off(self, now: float) -> None:
        """Take one agent off duty, preferring the idle, then the least loaded."""
        for units in range(self.units, 0, -1):
            bucket = self.buckets[units]
            if bucket:
                agent = next(reversed(bucket))
                del bucket[agent]
                if agent.in_hand == 0:
                    agent.on_duty = False
                    self.off_duty.append(agent)
                    self._presence(now, -1)
                else:
                    agent.leaving = True
                    self.leavers[agent] = None
                return
        for agent in self.agents:  # everyone is full: a busy one leaves after what it holds
            if agent.on_duty and not agent.leaving:
                agent.leaving = True
                self.leavers[agent] = None
                return

    def _presence(self, now: float, delta: int) -> None:
        self.present += delta
        if self.presence[-1][0] == now:
            self.presence[-1] = (now, self.present)
        else:
            self.presence.append((now, self.present))

    def idle_agents(self) -> list[Agent]:
        """On-duty agents with any free capacity, fullest first."""
        out: list[Agent] = []
        for units in range(1, self.units + 1):
            out.extend(reversed(list(self.buckets[units])))
        return out
