"""The discrete-event core: contacts arrive, queue, are served by agents and end.

SimPy is the event scheduler. Following the measurements in the design notes,
a contact is handled with callbacks on timeouts, never a process of its own:
one event when it arrives, one when an agent finishes with it. Agents pull
the next contact from policy-ordered heaps when they finish; a patience that
runs out is settled lazily when the contact reaches the head of its queue.
Processes are kept for the few things that are naturally sequential (support
hours, rosters, staffing reviews, progress).

The engine is pure: it reads a scenario and a seed and fills a
:class:`~carebench.engine.recorder.Recorder`; no printing, files or wall clock.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappush

import simpy

from carebench.engine.attributes import ChannelDraws
from carebench.engine.boundary import KeyCheck
from carebench.engine.contact import AWAY, DONE, SERVING, WAITING, Contact
from carebench.engine.operations import Operations
from carebench.engine.plain import PlainSource, plain_channels
from carebench.engine.pools import Agent, PoolState
from carebench.engine.queues import ChannelQueue, TieredQueue
from carebench.engine.recorder import Recorder
from carebench.engine.social import Social
from carebench.engine.sources import Injections, Source, channel_rate
from carebench.engine.streams import Streams
from carebench.engine.timers import NORMAL, Scheduler
from carebench.model.kinds import Kind, Outcome

__all__ = ["Engine", "policy_name"]

_INF = float("inf")
_MENTION = int(Kind.MENTION)
_MENTIONED = int(Outcome.MENTION)
_RESOLVED = int(Outcome.RESOLVED)  # plain ints on the hot path: enum lookups and columns cost more


def policy_name(policy) -> str:
    """The name a policy is known by in scenario files and messages."""
    return getattr(policy, "name", "") or type(policy).__name__


class Engine:
    """One run of one scenario with one seed."""

    def __init__(self, scenario, seed: int, priority, staffing, *,
                 progress: Callable[[float], None] | None = None,
                 sink: Callable | None = None, probes=None, batches: int = 0):
        self.scenario = scenario
        self.env = simpy.Environment()
        self.timers = Scheduler(self.env)
        self._queue, self._eid = self.env._queue, self.env._eid  # the end of service: see timers.py
        self._finish_callbacks = [self._finish]
        self.streams = Streams(seed)
        self.priority = priority
        self.policy_name = policy_name(priority)
        self.names = list(scenario.channels)
        chans = [scenario.channels[n] for n in self.names]
        self.public = [c.public for c in chans]
        self.sla = [c.sla for c in chans]
        self.expected_handle = [c.handle_time.mean_value for c in chans]
        self.at_pickup = [c.first_response == "pickup" for c in chans]
        self.open = [True] * len(chans)
        self.stay = [c.after_give_up == "stay" for c in chans]
        self.expire = [c.expire_after if c.expire_after is not None else _INF for c in chans]
        self.rules = [priority.backlog(n, c.public) if priority.uses("backlog") else None
                      for n, c in zip(self.names, chans)]
        self.drop = [r.drop_after if r is not None else _INF for r in self.rules]
        # Channels where an arriving contact's leaving times need adjusting (most have none).
        self.adjusts = [s or e < _INF or d < _INF for s, e, d in zip(self.stay, self.expire, self.drop)]
        self.queues = [TieredQueue(r) if r is not None and (r.tiered or r.sweeps) else ChannelQueue()
                       for r in self.rules]
        self.pools = self._build_pools()
        self.channel_pools = [
            sorted((p for p in self.pools if ch in p.channels), key=lambda p: (len(p.channels), p.index))
            for ch in range(len(chans))
        ]
        self.recorder = Recorder(self.names, self.sla, [p.name for p in self.pools], scenario.warmup,
                                 scenario.horizon, scenario.end_time, scenario.report.bin,
                                 scenario.behaviour.churn, sink, self.public, batches)
        self.next_id = 0
        self.active: dict[int, Contact] = {}
        self.rates = [channel_rate(scenario, name) for name in self.names]
        self.draws = [ChannelDraws(n, c, scenario, self.streams) for n, c in zip(self.names, chans)]
        self.social = Social(self)
        # Bound methods and flags the hot path reads on every contact.
        self.key = priority.key
        self.key_check = KeyCheck(self.policy_name)
        self.key_fast = None
        self.record = self.social.record
        self.spells = self.recorder.spells
        self.acts_on_arrival = self.social.acts_on_arrival
        self.shapes_replies = self.social.shapes_replies
        self.probes = probes
        self.plain = plain_channels(self)
        self.sources = [Source(self, ch) if plain is None else PlainSource(self, ch, plain)
                        for ch, plain in enumerate(self.plain)]
        for pool in self.pools:
            pool.tiered = any(isinstance(self.queues[ch], TieredQueue) for ch in pool.channels)
        # Per pool, its channels' bound head methods for the tiered pull (no getattr per channel).
        self.head_methods = [
            tuple([(ch, p.preference[ch], getattr(self.queues[ch], which)) for ch in p.channels]
                  for which in ("urgent_head", "idle_head"))
            for p in self.pools]
        self.ops = Operations(self, staffing, progress)

    def _build_pools(self) -> list[PoolState]:
        pools = []
        for i, (name, pool) in enumerate(self.scenario.pools.items()):
            chans = [self.names.index(c) for c in pool.channels]
            conc = [self.scenario.channels[c].concurrency for c in pool.channels]
            pref = [pool.prefer.index(c) if c in pool.prefer else len(pool.prefer) for c in pool.channels]
            pools.append(PoolState(i, name, pool.agents, chans, conc, pref, self.scenario.warmup,
                                   self.scenario.horizon))
        return pools

    # -- running ----------------------------------------------------------------
    def run(self) -> Recorder:
        """Simulate until the end of the scenario and return the filled recorder."""
        for source in self.sources:
            source.start()
        Injections(self).start()
        self._schedule_sweeps()
        if self.probes is not None:
            self.probes.start(self)
        self.ops.start()
        self.env.run(until=self.scenario.end_time)
        self._finalize()
        self.recorder.flush()
        return self.recorder

    def new_contact(self, ch: int, arrival: float, handle: float, followers: float, abandon_at: float) -> Contact:
        """Create a contact with the next id (ids follow creation order and break ties)."""
        c = Contact(self.next_id, ch, self.names[ch], self.public[ch], arrival, self.sla[ch],
                    handle, followers, abandon_at, self.expected_handle[ch])
        self.next_id += 1
        return c

    # -- the life of a contact ---------------------------------------------------
    def arrive(self, c: Contact, peer_at: float = _INF, offspring: tuple[float, ...] = ()) -> None:
        """A new contact reaches its channel (``peer_at`` and ``offspring``: see :class:`Social`)."""
        if c.kind == _MENTION:  # a mention or praise: counted, needs no reply
            c.state = DONE
            self.social.record(c, _MENTIONED, c.arrival)
            return
        self.active[c.id] = c
        if self.adjusts[c.ch]:
            self._leaving_times(c)
        if self.acts_on_arrival:
            self.social.on_arrival(c, peer_at, offspring)
        self.offer(c)

    def _leaving_times(self, c: Contact) -> None:
        """Apply the channel's give-up mode, expiry and drop-after rule to a new contact's leaving time."""
        ch = c.ch
        if self.stay[ch]:
            # The customer stops waiting; the post stays queued until answered, dropped or expired.
            c.give_up_at, c.abandon_at = c.abandon_at, _INF
            c.special = True
        if self.expire[ch] < _INF:
            c.expire_at = c.arrival + self.expire[ch]
            c.abandon_at = min(c.abandon_at, c.expire_at)
        if self.drop[ch] < _INF:
            c.drop_at = c.arrival + self.drop[ch]
            c.abandon_at = min(c.abandon_at, c.drop_at)

    def offer(self, c: Contact) -> None:
        """Give ``c`` to a free skilled agent, or queue it."""
        ch = c.ch
        c.queued_at = self.env._now
        c.state = WAITING
        c.key = key = self.key(c)
        # The policy boundary on the hot path: a key of the class seen first that is not NaN
        # passes with two comparisons; anything else gets the full check (or fails it).
        if key.__class__ is not self.key_fast or key != key:
            self._check_key(key, c)
        if self.open[ch]:
            for pool in self.channel_pools[ch]:
                agent = pool.find(pool.need[ch])
                if agent is not None:
                    self._start(agent, pool, c)
                    return
        self.queues[ch].push(c)

    def _check_key(self, key, c: Contact) -> None:
        self.key_check.check(key, c, self.env._now)
        self.key_fast = self.key_check.fast

    def _start(self, agent: Agent, pool: PoolState, c: Contact) -> None:
        # SimPy's public ``now`` is a property over ``_now``; the hot path reads
        # the attribute itself (measured: about 6 % of the run time).
        now = self.env._now
        pool.take(agent, pool.need[c.ch])
        c.state = SERVING
        if c.queued_at < now:
            self.spells.extend((c.ch, c.queued_at, now))
        work = c.work
        if not c.responded:
            if self.shapes_replies:
                work = self.social.first_work(c)
            if self.at_pickup[c.ch]:
                c.replied_at = now
                c.responded = True
                if not c.bot:
                    c.first_response = now
        elif c.replied_at is None and self.at_pickup[c.ch]:  # an agent after a bot's acknowledgement
            c.replied_at = now
        c.started = now
        c.agent = agent
        # The contact is its own end-of-service event (timers.py): no Timeout object.
        c.callbacks = self._finish_callbacks
        heappush(self._queue, (now + work, NORMAL, next(self._eid), c))

    def _finish(self, c: Contact) -> None:
        agent = c.agent
        now = self.env._now
        pool = agent.pool
        need = pool.need[c.ch]
        pool.account(c.started, now, pool.share[c.ch])
        if not c.responded:
            c.replied_at = now
            c.responded = True
            if not c.bot:
                c.first_response = now
        elif c.replied_at is None:  # the first agent reply after a bot's acknowledgement
            c.replied_at = now
        c.exchanges += 1
        if c.plan is None and c.exchanges >= c.needed:  # _finish_rest, inlined on the hot path
            self.record(c, _RESOLVED, now)
        else:
            self.social.after_exchange(c, now)
        if pool.release(agent, need, now):
            self.pull(agent)

    def _finish_rest(self, c: Contact, now: float) -> None:
        """After an exchange: record a resolved contact or let the conversation go on."""
        if c.plan is None and c.exchanges >= c.needed:
            self.record(c, _RESOLVED, now)
        else:
            self.social.after_exchange(c, now)

    def pull(self, agent: Agent) -> None:
        """Let an agent with free capacity take the best waiting contacts it is skilled for."""
        pool, queues, is_open, now = agent.pool, self.queues, self.open, self.env._now
        leave = self.social.leave
        if len(pool.channels) == 1:  # the common case: no choice between channels
            ch = pool.channels[0]
            q = queues[ch]
            while agent.free >= pool.need[ch] and not agent.leaving and is_open[ch]:
                if q.head(now, leave) is None:
                    return
                self._start(agent, pool, q.pop())
            return
        for ch in pool.channels:
            if queues[ch].count:
                break
        else:  # nothing waits on any of its channels (``count`` is exact; heads would only drop stale entries)
            return
        if pool.tiered:
            self._pull_tiered(agent, pool, now, leave)
            return
        while agent.free and not agent.leaving:
            best, best_rank = None, None
            for ch in pool.channels:
                if not is_open[ch] or pool.need[ch] > agent.free:
                    continue
                head = queues[ch].head(now, leave)
                if head is None:
                    continue
                rank = (pool.preference[ch], head.key, head.id)
                if best is None or rank < best_rank:
                    best, best_rank = head, rank
            if best is None:
                return
            queues[best.ch].pop()
            self._start(agent, pool, best)

    def _pull_tiered(self, agent: Agent, pool: PoolState, now: float, leave) -> None:
        """:meth:`pull` for a pool with a backlog: fresh work on every channel before any idle backlog."""
        urgent, idle = self.head_methods[pool.index]
        while agent.free and not agent.leaving:
            best = self._best(pool, agent, urgent, now, leave)
            if best is None:
                best = self._best(pool, agent, idle, now, leave)
            if best is None:
                return
            self.queues[best.ch].pop()
            self._start(agent, pool, best)

    def _best(self, pool: PoolState, agent: Agent, heads, now: float, leave) -> Contact | None:
        """The head an agent of ``pool`` takes next among ``heads``: ``(channel, preference, head method)``."""
        best, best_rank = None, None
        is_open, need, free = self.open, pool.need, agent.free
        for ch, preference, head_of in heads:
            if not is_open[ch] or need[ch] > free:
                continue
            head = head_of(now, leave)
            if head is None:
                continue
            rank = (preference, head.key, head.id)
            if best is None or rank < best_rank:
                best, best_rank = head, rank
        return best

    def dispatch(self, pool: PoolState) -> None:
        """Offer waiting work to every agent of ``pool`` with free capacity."""
        for agent in pool.idle_agents():
            self.pull(agent)

    def _schedule_sweeps(self) -> None:
        """At the start of every backlog sweep, offer the backlog to agents already idle."""
        end = self.scenario.end_time
        starts = sorted({start for r in self.rules if r is not None for start, _ in r.sweeps})
        if starts:
            self.env.process(self._sweeps(starts, end))

    def _sweeps(self, starts: list[float], end: float):
        day = 0.0
        while day < end:
            for start in starts:
                t = day + start
                if t >= self.env.now and t < end:
                    yield self.env.timeout(t - self.env.now)
                    for pool in self.pools:
                        if pool.tiered:
                            self.dispatch(pool)
            day += 86400.0

    # -- end of run --------------------------------------------------------------
    def _finalize(self) -> None:
        end = self.scenario.end_time
        leave = self.social.leave
        for q in self.queues:
            q.settle(end, leave)
        for c in list(self.active.values()):
            if c.state == WAITING:
                self.recorder.spells.extend((c.ch, c.queued_at, end))
            elif c.state == SERVING:
                pool = c.agent.pool
                pool.account(c.started, end, pool.share[c.ch])
            elif c.state != AWAY:
                continue
            self.social.record(c, int(Outcome.OPEN if c.responded else Outcome.WAITING), end)
