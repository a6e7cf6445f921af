"""The fast path of a plain channel: one single-skill pool, first come first served, no behaviour.

Most of a run's contacts in an M/M/c-like scenario need none of the engine's
generality: no policy hook but the default key (the time the contact joined
the queue), agents who hold one contact at a time, no pool to choose, no
deadline, no conversation, a private channel without exposure. For such a
channel :class:`PlainChannel` takes over the arrival, the start and the end
of service and the next pull with the pool's bookkeeping inlined, about a
third of the Python calls of the general path. Every value it writes is
the one the general path writes, in the same order, so results are the same
draw for draw (tests/test_same_seed.py); contacts that differ (injected
ones, those with extra attributes) still go through the general record.
"""

from __future__ import annotations

from heapq import heappush

from carebench.engine.contact import DONE, SERVING
from carebench.engine.interface import PriorityPolicy
from carebench.engine.recorder import FLUSH
from carebench.engine.queues import FifoQueue
from carebench.engine.timers import NORMAL
from carebench.model.kinds import Outcome

__all__ = ["PlainChannel", "plain_channels"]

_RESOLVED = int(Outcome.RESOLVED)


def plain_channels(engine) -> list:
    """A :class:`PlainChannel` for each channel that qualifies, None for the others."""
    social, policy = engine.social, engine.priority
    if (type(policy).key is not PriorityPolicy.key or social.shapes_replies or social.bot
            or social.switching is not None or engine.probes is not None):
        return [None] * len(engine.names)
    conv = social.conv
    out = []
    for ch, name in enumerate(engine.names):
        pools = engine.channel_pools[ch]
        ok = (len(pools) == 1 and pools[0].channels == (ch,) and pools[0].units == 1
              and engine.rules[ch] is None and not engine.adjusts[ch] and not engine.public[ch]
              and (conv is None or (conv.channels is not None and name not in conv.channels)))
        if ok:
            engine.queues[ch] = FifoQueue()  # keys are join times in join order: the heap's order
        out.append(PlainChannel(engine, ch, pools[0]) if ok else None)
    return out


class PlainChannel:
    """Arrival, service and pull for one plain channel (see the module's docstring)."""

    def __init__(self, engine, ch: int, pool):
        self.engine, self.ch, self.pool = engine, ch, pool
        self.env = engine.env
        self.queue = engine.queues[ch]
        self.bucket = pool.buckets[1]  # agents with their one unit free
        self.at_pickup = engine.at_pickup[ch]
        self.is_open = engine.open
        self.spells, self.active = engine.spells, engine.active
        self.record, self.leave = engine.social.record, engine.social.leave
        self.recorder = engine.recorder
        self.rows = engine.recorder.rows
        self.heap, self.eid = engine._queue, engine._eid
        self.finish_callbacks = [self.finish]

    def arrive(self, c) -> None:
        """``Engine.arrive`` and ``offer`` for a new contact that needs a reply."""
        self.active[c.id] = c
        c.key = c.queued_at  # the default key; a contact starts out WAITING
        if self.is_open[self.ch] and self.bucket:
            self.start(next(reversed(self.bucket)), c, self.env._now)
        else:
            self.queue.push(c)

    def start(self, agent, c, now: float) -> None:
        """``PoolState.take`` and ``Engine._start`` for an agent with one free unit."""
        del self.bucket[agent]
        self.pool.busy += 1
        agent.free, agent.in_hand = 0, 1
        c.state = SERVING
        if c.queued_at < now:
            self.spells.append((self.ch, c.queued_at, now))
        if not c.responded and self.at_pickup:
            c.replied_at = c.first_response = now  # no bot on a plain channel
            c.responded = True
        c.started = now
        c.agent = agent
        c.callbacks = self.finish_callbacks  # the contact is its own event (timers.py)
        heappush(self.heap, (now + c.work, NORMAL, next(self.eid), c))

    def finish(self, c) -> None:
        """``Engine._finish``: the agent is done; record the contact and pull the next one."""
        agent, now, pool = c.agent, self.env._now, self.pool
        pool.account(c.started, now, 1.0)
        if not c.responded:
            c.replied_at = c.first_response = now
            c.responded = True
        c.exchanges += 1
        if c.special or c.plan is not None or c.exchanges < c.needed:
            self.engine._finish_rest(c, now)
        else:  # Social.record for a plain contact: no exposure, bumps, switch or extra row
            c.state = DONE
            self.active.pop(c.id, None)
            rows = self.rows
            rows.append((c.id, c.origin, c.arrival, c.first_response, _RESOLVED, now, c.followers,
                         c.exchanges, 0.0))
            if len(rows) >= FLUSH:
                self.recorder.flush()
        if pool.release(agent, 1, now) and self.is_open[self.ch]:
            q = self.queue
            nxt = q.head(now, self.leave)
            if nxt is not None:
                q.pop()
                self.start(agent, nxt, now)
