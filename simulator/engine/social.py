"""Customer behaviour around the queue: first replies, conversations, bumps, deflection,
peer answers, virality, channel switching, and the outcome measures.

The engine calls these hooks at fixed points in a contact's life. Behaviours
that are off cost one attribute check; with every behaviour off the engine
runs the plain queue of the foundation, draw for draw.
"""

from __future__ import annotations

import math
from operator import attrgetter

import numpy as np

from carebench.engine.attributes import ChannelDraws
from carebench.engine.boundary import ReplyCheck
from carebench.engine.churn import bumps_before
from carebench.engine.contact import AWAY, DONE, SERVING, WAITING, Contact
from carebench.engine.deadlines import Deadlines
from carebench.engine.exposure import exposure_spells
from carebench.engine.interface import ANSWER, PolicyError
from carebench.engine.recorder import ROW_FLUSH, TO_LINK
from carebench.engine.sampling import Buffered, UniformSource
from carebench.model.behaviour import Deflection
from carebench.model.kinds import Action, Kind, Outcome
from carebench.util.units import HOUR

__all__ = ["Social"]

_INF = math.inf
# Plain ints on the hot path: enum lookups and enum values in the row columns cost more.
_RESOLVED, _ABANDONED, _GAVE_UP, _PEER, _MENTIONED, _DROPPED, _EXPIRED = (
    int(o) for o in (Outcome.RESOLVED, Outcome.ABANDONED, Outcome.GAVE_UP, Outcome.PEER, Outcome.MENTION,
                     Outcome.DROPPED, Outcome.EXPIRED))
_ENDED = frozenset((_RESOLVED, _ABANDONED, _GAVE_UP, _PEER, _DROPPED, _EXPIRED))
_COMPLAINT = int(Kind.COMPLAINT)
_ANSWER, _ACKNOWLEDGE, _DEFLECT = Action.ANSWER, Action.ACKNOWLEDGE, Action.DEFLECT


def _replied(c: Contact) -> bool:
    return c.replied_at is not None


class Social:
    """Behaviour hooks for one engine."""

    def __init__(self, engine):
        self.engine = engine
        self.env = engine.env
        scenario = engine.scenario
        beh = scenario.behaviour
        self.conv, self.switching, self.virality = beh.conversation, beh.switching, beh.virality
        self.deflection = beh.deflection or Deflection()
        self.exposure_params, self.churn_params = beh.exposure, beh.churn
        get = engine.streams.get
        self.uniform_exposure = UniformSource(get("exposure"))
        self.uniform_switch = UniformSource(get("switching"))
        self.uniform_deflect = UniformSource(get("deflection"))
        self.reply_delay = Buffered(self.conv.customer_reply, get("customer-replies")) if self.conv else None
        self.switch_delay = Buffered(self.switching.delay, get("switching-delays")) if self.switching else None
        self.link_return = Buffered(self.deflection.link_return_delay, get("link-returns"))
        policy = engine.priority
        self.policy = policy
        self.checks = ReplyCheck(engine.policy_name, engine.names)
        self.custom_reply = policy.uses("first_reply")
        self.bot = policy.uses("auto_acknowledge")
        self.triage = policy.uses("triage_seconds")
        self.eager_abandon = self.switching is not None
        self.shapes_replies = self.custom_reply or self.triage
        # A customer whose public post stays queued after they give up may still switch channel then.
        self.switch_on_give_up = self.eager_abandon and any(engine.stay)
        self.acts_on_arrival = self.bot or self.eager_abandon or beh.peer_answers is not None or beh.virality is not None
        self.dynamic = [
            ChannelDraws(n, scenario.channels[n], scenario, engine.streams, stream_prefix="dynamic-")
            for n in engine.names
        ]
        self.viral_total = 0
        self.rows, self.extras = engine.recorder.rows, engine.recorder.extras
        self.exposures = engine.recorder.exposures
        self.active, self.public = engine.active, engine.public
        # Each deadline's callback does nothing once the contact had its first human reply
        # (``responded`` and ``replied_at`` are set once and never undone): see Deadlines.moot.
        answered, replied = attrgetter("responded"), _replied
        self.peer_deadlines = Deadlines(self.env, self.active, self._peer_answer, moot=answered)
        self.viral_deadlines = Deadlines(self.env, self.active, self._offspring, moot=replied)
        self.abandon_deadlines = Deadlines(self.env, self.active, self._abandon_due, moot=answered)
        self.give_up_deadlines = Deadlines(self.env, self.active, self._give_up_due, moot=replied)
        self.end_time = scenario.end_time
        self.after, self.resume_callbacks = engine.timers.after, [self._resume]
        self.switch_targets = self._switch_targets()

    def _switch_targets(self):
        if self.switching is None:
            return None
        names = self.engine.names
        return [(names.index(n), w) for n, w in self.switching.to.items() if w > 0]

    # -- arrival -------------------------------------------------------------------
    def on_arrival(self, c: Contact, peer_at: float = _INF, offspring: tuple[float, ...] = ()) -> None:
        """Schedule what may happen to ``c`` while it waits (bot, peers, virality, abandonment)."""
        if self.bot and self._bot(c):
            # The bot stops the SLA clock only: the contact still waits for its first
            # human reply, stays exposed, may bump and give up (README, "Policies").
            c.first_response = c.arrival
            c.bot = c.special = True
        if peer_at < _INF:
            self.peer_deadlines.add(peer_at, c)
        for t in offspring:
            self.viral_deadlines.add(t, c)
        if self.eager_abandon and c.abandon_at < _INF:
            self.abandon_deadlines.add(c.abandon_at, c)
        if self.switch_on_give_up and c.give_up_at < _INF:
            self.give_up_deadlines.add(c.give_up_at, c)

    def _bot(self, c: Contact) -> bool:
        now = self.env._now
        try:
            ack = self.policy.auto_acknowledge(c)
        except PolicyError as exc:
            raise self.checks.wrap("auto_acknowledge", exc, c, now) from None
        return ack if ack.__class__ is bool else self.checks.flag(ack, c, now)

    # -- replies -------------------------------------------------------------------
    def first_work(self, c: Contact) -> float:
        """Agent seconds of the first reply to ``c`` (its plan is kept on the contact).

        What the policy returns is checked here, where it enters the engine.
        """
        plan = ANSWER
        if self.custom_reply:
            try:
                plan = self.policy.first_reply(c)
            except PolicyError as exc:
                raise self.checks.wrap("first_reply", exc, c, self.env._now) from None
            plan = self.checks.first_reply(plan, c, self.env._now)
        c.plan = plan
        work = c.work if plan.action is _ANSWER else plan.work
        if self.triage:
            extra = self.policy.triage_seconds(c)
            if extra.__class__ is not float or not 0.0 <= extra < _INF:
                extra = self.checks.seconds(extra, c, self.env._now)
            work += extra
        return work

    def after_exchange(self, c: Contact, now: float) -> None:
        """An agent finished an exchange with ``c``: resolve it, or continue the conversation."""
        plan, c.plan = c.plan, None
        if c.give_up_at <= (now if c.replied_at is None else c.replied_at):
            # First answered after the customer gave up: nobody is left to converse with.
            if plan is not None and plan.action is _DEFLECT:
                c.deflections += 1
                c.special = True
            self.record(c, _RESOLVED, now)
        elif c.probe >= 0:  # a mystery shopper times the first reply and goes no further
            if plan is not None and plan.action is _DEFLECT:
                c.deflections += 1
            self.record(c, _RESOLVED, now)
        elif plan is not None and plan.action is _ACKNOWLEDGE:
            c.needed += 1
            c.work = c.handle
            self.engine.offer(c)
        elif plan is not None and plan.action is _DEFLECT:
            self._deflect(c, plan.to, now)
        elif c.exchanges >= c.needed:
            self.record(c, _RESOLVED, now)
        else:
            c.work = c.handle * self.conv.followup_handle_factor
            self._later(c, self.reply_delay.next())

    def _later(self, c: Contact, delay: float) -> None:
        """The customer answers after ``delay``; the contact then queues again."""
        c.state = AWAY
        self.after(delay, self.resume_callbacks, c)

    def _resume(self, event) -> None:
        self.engine.offer(event._value)

    def _deflect(self, c: Contact, to: str, now: float) -> None:
        c.deflections += 1
        c.special = True
        # "DM us" moves the conversation without progressing it: every exchange
        # the contact needs still happens after the move.
        c.needed += 1
        if to == "link":
            if self.uniform_deflect.random() < self.deflection.link_failure_share:
                c.work = c.handle
                self._later(c, self.link_return.next())
            else:
                self.record(c, _RESOLVED, now)
            return
        ch = self.engine.names.index(to)
        c.ch, c.channel, c.public = ch, to, self.engine.public[ch]
        c.work = c.handle
        delay = self.reply_delay.next() if self.conv else 0.0
        self._later(c, delay)

    # -- leaving without a reply ------------------------------------------------------
    def leave(self, c: Contact) -> None:
        """``c`` left the queue unanswered at ``c.abandon_at``: the customer gave up, or it was dropped or expired."""
        c.state = DONE
        t = c.abandon_at
        self.engine.recorder.spells.extend((c.ch, c.queued_at, t))
        if t == c.drop_at:
            self.record(c, _DROPPED, t)
        elif t == c.expire_at:
            self.record(c, _EXPIRED, t)
        else:
            switched = self._maybe_switch(c, t)
            self.record(c, _GAVE_UP if c.public else _ABANDONED, t, switched)

    def _give_up_due(self, c: Contact) -> None:
        # The post stays queued; only the customer's switch to another channel happens now.
        if c.replied_at is None and c.state in (WAITING, SERVING) and self._maybe_switch(c, c.give_up_at):
            c.switched = True

    def _abandon_due(self, c: Contact) -> None:
        if c.state == WAITING and not c.responded:
            self.engine.queues[c.ch].discard(c)
            self.leave(c)

    def _maybe_switch(self, c: Contact, t: float) -> bool:
        if self.switch_targets is None or self.uniform_switch.random() >= self.switching.share:
            return False
        targets = [(ch, w) for ch, w in self.switch_targets if ch != c.ch]
        if not targets:
            return False
        total = sum(w for _, w in targets)
        pick, acc = self.uniform_switch.random() * total, 0.0
        for ch, w in targets:
            acc += w
            if pick < acc:
                break
        at = t + self.switch_delay.next()
        if at >= self.engine.scenario.end_time:
            return False
        retry = self._spawn(ch, at, c.followers)
        retry.retry_of = c.id
        retry.kind = _COMPLAINT
        retry.special = True
        retry.bump_times = tuple(b for b in c.bump_times if b < t)
        retry.deflections = c.deflections
        self.env.timeout(at - self.env.now, retry).callbacks.append(self._arrive_later)
        return True

    def _arrive_later(self, event) -> None:
        c = event._value
        self.engine.arrive(c)

    def _peer_answer(self, c: Contact) -> None:
        if c.state == WAITING and not c.responded and c.abandon_at > self.env.now:
            self.engine.queues[c.ch].discard(c)
            c.state = DONE
            self.engine.recorder.spells.extend((c.ch, c.queued_at, self.env.now))
            self.record(c, _PEER, self.env.now)

    def _offspring(self, parent: Contact) -> None:
        vir, now = self.virality, self.env.now
        if parent.generation >= vir.max_generations or self.viral_total >= vir.max_total:
            return
        if parent.replied_at is not None or parent.state not in (WAITING, SERVING) or parent.abandon_at <= now:
            return
        self.viral_total += 1
        child = self._spawn(parent.origin, now, None)
        child.generation = parent.generation + 1
        child.kind = _COMPLAINT
        child.special = True
        self.engine.arrive(child)

    def _spawn(self, ch: int, at: float, followers: float | None) -> Contact:
        """A contact created by behaviour (a retry or a viral complaint), drawn from its own streams."""
        b = self.dynamic[ch].block(np.array([at]), waiting_only=True)  # arrive() gets no peer or offspring
        c = self.engine.new_contact(ch, at, b.handle[0], b.followers[0] if followers is None else followers,
                                    b.abandon_at[0])
        c.urgency, c.needed, c.bump_times = b.urgency[0], b.needed[0], b.bumps[0]
        c.special = True
        c.complex = c.needed > 1
        return c

    # -- the record ----------------------------------------------------------------
    def record(self, c: Contact, outcome: int, end: float, switched: bool = False) -> None:
        """Write ``c``'s row (churn is computed per batch by the recorder) and forget it."""
        c.state = DONE
        self.active.pop(c.id, None)
        replied = c.replied_at
        waited_until = end if replied is None or end <= replied else replied
        gave_up = c.give_up_at < waited_until  # only on channels where the post stays queued
        if gave_up:
            waited_until = c.give_up_at
        switched = switched or c.switched
        # A probe is the researcher's message: it draws nothing from the exposure stream, so the
        # background contacts' draws are the same with or without a study (common random numbers).
        after = 0.0
        if self.public[c.origin] and c.probe < 0:
            exposure, after = self._exposure(c, outcome, end, c.give_up_at if gave_up else _INF)
        else:
            exposure = 0.0
        bumps = 0
        if c.bump_times:
            bumps = bumps_before(c.bump_times, waited_until)
        first = c.first_response
        rows = self.rows
        rows.extend((c.id, c.origin, c.arrival, math.nan if first is None else first, outcome,
                     end if outcome in _ENDED else math.nan, c.followers, c.exchanges, exposure))
        if c.special or bumps or switched:
            moved = -1 if not c.deflections else c.ch if c.ch != c.origin else TO_LINK
            self.extras.extend((c.id, c.kind, c.urgency, bumps, c.deflections, moved, int(c.bot), c.probe,
                                c.generation, c.retry_of, int(switched),
                                math.nan if c.replied_at is None else c.replied_at,
                                c.give_up_at if gave_up else math.nan, after))
            if c.probe >= 0:
                self.engine.recorder.probe(c, outcome, end if outcome in _ENDED else math.nan)
        if len(rows) >= ROW_FLUSH:
            self.engine.recorder.flush()

    def _exposure(self, c: Contact, outcome: int, end: float, gave_up: float) -> tuple[float, float]:
        """Follower-hours of ``c``'s exposure, in total and after its customer gave up at ``gave_up``."""
        if outcome == _MENTIONED:
            return 0.0, 0.0
        human = c.replied_at if c.replied_at is not None else _INF
        until = end if self.exposure_params.until == "resolution" else min(human, end)
        if outcome == _DROPPED:  # the brand will not answer, but the post is still public
            until = min(c.expire_at, self.end_time)
        bumps = c.bump_times if gave_up == _INF else tuple(b for b in c.bump_times if b < gave_up)
        spells = exposure_spells(c, until, self.exposure_params, self.uniform_exposure, bumps)
        add, origin = self.exposures.extend, c.origin  # (channel, start, end, weight) rows of the recorder
        total = after = 0.0
        for start, stop, weight in spells:
            add((origin, start, stop, weight))
            total += weight * (stop - start)
            if stop > gave_up:
                after += weight * (stop - max(start, gave_up))
        return total / HOUR, after / HOUR
