"""The fast path of a plain channel: one single-skill pool, first come first served, no behaviour.

Most of a run's contacts in an M/M/c-like scenario need none of the engine's
generality: no policy hook but the default key (the time the contact joined
the queue), agents who hold one contact at a time, no pool to choose, no
deadline, no conversation, a private channel without exposure. For such a
channel :class:`PlainSource` and :class:`PlainChannel` take over the
arrival, the start and the end of service and the next pull with the pool's
bookkeeping inlined, about a third of the Python calls of the general path.
Every value it writes is the one the general path writes, in the same
order, so results are the same draw for draw (tests/test_same_seed.py);
contacts that differ (injected ones, those with extra attributes) still go
through the general record.
"""

from __future__ import annotations

from heapq import heappush

from carebench.engine.contact import DONE, SERVING, Contact
from carebench.engine.interface import PriorityPolicy
from carebench.engine.queues import FifoQueue
from carebench.engine.recorder import ROW_FLUSH
from carebench.engine.sources import Source
from carebench.engine.timers import NORMAL
from carebench.model.kinds import Kind, Outcome

__all__ = ["PlainChannel", "PlainSource", "plain_channels"]

_RESOLVED = int(Outcome.RESOLVED)
_MENTION = int(Kind.MENTION)


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
    """Start, service and pull for one plain channel (see the module's docstring).

    Its :class:`PlainSource` hands a new contact to a free agent or to the queue itself.
    """

    def __init__(self, engine, ch: int, pool):
        self.engine, self.ch, self.pool = engine, ch, pool
        self.env = engine.env
        self.queue = engine.queues[ch]
        self.bucket = pool.buckets[1]  # agents with their one unit free, the last to free up last
        self.at_pickup = engine.at_pickup[ch]
        self.is_open = engine.open
        self.spells, self.active = engine.spells, engine.active
        self.leave = engine.social.leave
        self.recorder = engine.recorder
        self.rows = engine.recorder.rows
        self.heap, self.eid = engine._queue, engine._eid
        self.finish_callbacks = [self.finish]

    def start(self, agent, c, now: float) -> None:
        """``PoolState.take`` and ``Engine._start`` for an agent with one free unit, out of its bucket."""
        self.pool.busy += 1
        agent.free, agent.in_hand = 0, 1
        c.state = SERVING
        if c.queued_at < now:
            self.spells.extend((self.ch, c.queued_at, now))
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
        # PoolState.account with a share of 1 (``x * 1.0 == x``): the measured window and the drain apart.
        start, end = c.started, now
        if start < pool.warmup:
            start = pool.warmup
        if end > pool.horizon:
            pool.drain_area += end - (start if start > pool.horizon else pool.horizon)
            end = pool.horizon
        if end > start:
            pool.busy_area += end - start
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
            rows.extend((c.id, c.origin, c.arrival, c.first_response, _RESOLVED, now, c.followers,
                         c.exchanges, 0.0))
            if len(rows) >= ROW_FLUSH:
                self.recorder.flush()
        if agent.leaving:  # PoolState.release takes it off duty
            pool.release(agent, 1, now)
            return
        # PoolState.release then Engine.pull: an agent put back in its bucket and taken straight
        # out again leaves the bucket's order as it was, so it goes back only if nothing waits.
        agent.in_hand = 0
        pool.busy -= 1
        queue = self.queue
        nxt = queue.head(now, self.leave) if queue.heap and self.is_open[self.ch] else None
        if nxt is None:
            agent.free = 1
            self.bucket[agent] = None
        else:
            queue.pop()
            self.start(agent, nxt, now)


class PlainSource(Source):
    """A plain channel's arrivals, handed straight to its :class:`PlainChannel`."""

    def __init__(self, engine, ch: int, plain: PlainChannel):
        super().__init__(engine, ch)
        self.plain = plain

    def _next_block(self) -> bool:
        times = next(self.blocks, None)
        if times is None:
            return False
        b = self.draws.block(times)
        # A private channel without conversations: no bumps, one exchange, no peers, no offspring.
        self.block = list(zip(b.times, b.handle, b.followers, b.abandon_at, b.kind, b.urgency))
        self.i, self.n = 0, len(self.block)
        return True

    def _fire(self, _event) -> None:
        i, engine, now = self.i, self.engine, self.env._now
        _, handle, followers, abandon_at, kind, urgency = self.block[i]
        c = Contact(engine.next_id, self.ch, self.name, self.public, now, self.sla, handle, followers,
                    abandon_at, self.expected)
        engine.next_id += 1
        if kind or urgency:
            c.kind, c.urgency, c.special = kind, urgency, True
        if kind == _MENTION:
            engine.arrive(c)
        else:  # ``Engine.arrive`` and ``offer`` for a contact that needs a reply, inlined
            plain = self.plain
            plain.active[c.id] = c
            c.key = now  # the default key (the join time); a contact starts out WAITING
            if plain.bucket and plain.is_open[self.ch]:
                # popitem takes the agent PoolState.find would (the last in the bucket) and removes it.
                plain.start(plain.bucket.popitem()[0], c, now)
            else:
                plain.queue.push(c)
        self.i = i = i + 1
        if i < self.n or self._next_block():
            # Source._schedule inlined: the same reused timer, pushed as SimPy would push it.
            delay = self.block[self.i][0] - now
            self.timer.callbacks = self.callbacks
            heappush(self.heap, (now + (delay if delay > 0 else 0.0), NORMAL, next(self.eid), self.timer))
