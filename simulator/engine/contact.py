"""One contact as the engine carries it: attributes and state.

How it ended is a :class:`carebench.model.kinds.Outcome`.

A :class:`Contact` is also what priority policies read through
:class:`carebench.engine.interface.ContactView`; policies must treat it as read-only.
"""

from __future__ import annotations

__all__ = ["Contact", "WAITING", "SERVING", "AWAY", "DONE"]

# Where a contact is now.
WAITING, SERVING, AWAY, DONE = 0, 1, 2, 3


class Contact:
    """A customer's complaint or question on one channel, possibly a conversation.

    Attributes that most contacts never change are class-level defaults, so
    creating a contact sets only what differs (this is on the hot path); they
    land in the instance's ``__dict__`` only for the few contacts that change
    them. What every contact sets, at its arrival or when an agent takes it,
    lives in slots: a dict of twenty-odd keys for each of the tens of
    thousands of contacts open at once was most of a large run's memory.

    ``first_response`` is when the SLA clock stopped (an automatic bot
    acknowledgement stops it at arrival); ``replied_at`` and ``responded``
    are about the first *human* reply, which ends exposure and abandonment.
    ``expected_handle`` is the mean handle time of the channel the contact
    arrived on: what a team can estimate, not the contact's own draw.

    On a public channel whose customers' give-up leaves the post queued
    (``after_give_up: stay``), ``give_up_at`` is when the customer stops
    waiting (no bumps after it, churn as if ignored) while ``abandon_at`` is
    only when the post leaves the queue unanswered: the earliest of its
    ``drop_at`` (a policy's drop-after rule) and ``expire_at`` (the channel's
    ``expire_after``). ``tier`` and ``qseq`` belong to the backlog queues.
    """

    __slots__ = ("id", "ch", "origin", "channel", "public", "arrival", "queued_at", "sla", "handle", "work",
                 "followers", "abandon_at", "expected_handle", "state", "responded", "first_response",
                 "replied_at", "started", "agent", "key", "callbacks", "tier", "qseq", "exchanges",
                 "__dict__")

    kind = 0  # a Kind code (Kind.COMPLAINT)
    urgency = 0  # an Urgency code (Urgency.NORMAL)
    needed = 1
    complex = False
    bump_times: tuple[float, ...] = ()
    deflections = 0
    bot = False
    retry_of = -1
    generation = 0
    probe = -1
    plan = None
    give_up_at = float("inf")
    drop_at = float("inf")
    expire_at = float("inf")
    switched = False
    special = False  # set when any attribute recorded only for some contacts differs from its default
    _ok = True  # a contact is its own end-of-service event on SimPy's queue (carebench.engine.timers)

    def __init__(self, cid: int, ch: int, channel: str, public: bool, arrival: float, sla: float,
                 handle: float, followers: float, abandon_at: float, expected_handle: float = 0.0):
        self.id = cid
        self.ch = self.origin = ch
        self.channel = channel
        self.public = public
        self.arrival = self.queued_at = arrival
        self.sla = sla
        self.handle = self.work = handle
        self.followers = followers
        self.abandon_at = abandon_at
        self.expected_handle = expected_handle
        self.state = WAITING
        self.responded = False
        self.first_response = self.replied_at = self.agent = self.key = self.callbacks = None
        self.started = 0.0
        self.tier = self.qseq = self.exchanges = 0

    def __repr__(self) -> str:
        return f"Contact(id={self.id}, channel={self.channel!r}, arrival={self.arrival:.1f}, state={self.state})"
