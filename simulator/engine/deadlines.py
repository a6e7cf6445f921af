"""Conditional timers: "at time t, if this contact is still waiting, do X", without an event each.

Customer behaviour is full of such deadlines (patience running out, a peer
answering, a viral follow-up), and most never matter: the contact was
answered long before. Scheduling a SimPy event per deadline would keep
hundreds of thousands of events pending in a busy week. Instead deadlines go
into coarse time buckets (arrays of times and ids); when a bucket
opens, only the contacts still active get an exact event at their deadline.
The callback still runs at exactly the deadline's time.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable

from carebench.engine.timers import Scheduler

__all__ = ["Deadlines"]


class Deadlines:
    """Deadlines for one kind of behaviour, checked against a live-contact lookup."""

    def __init__(self, env, active: dict, fire: Callable[[object], None], width: float = 600.0,
                 moot: Callable[[object], bool] | None = None):
        self.env = env
        # ``moot(contact)`` true: the deadline can no longer do anything (say, the contact had its
        # reply, which is never undone), so no exact event is made when its bucket opens. Leaving
        # out an event that would do nothing keeps every other event's order (ids only break ties).
        self.moot = moot
        self.after = Scheduler(env).after  # a Timer, not a Timeout, per deadline (timers.py)
        self.due_callbacks, self.open_callbacks = [self._due], [self._open]
        self.active = active
        self.fire = fire
        self.width = width
        # Per bucket, its deadlines' times and contact ids in two flat arrays (16 bytes a deadline,
        # against about 110 for a tuple of a float and an int): a busy week holds ~10^5 of them.
        self.buckets: dict[int, tuple[array, array]] = {}

    def add(self, t: float, contact) -> None:
        """At time ``t``, call ``fire(contact)`` if the contact is still active then.

        A deadline in a later bucket keeps only the contact's id until the bucket
        opens, so a contact that finishes meanwhile is not held in memory.
        """
        k = int(t // self.width)
        now = self.env._now
        if k * self.width <= now:  # the bucket is already open: an exact event right away
            self.after(t - now if t > now else 0.0, self.due_callbacks, contact)
            return
        bucket = self.buckets.get(k)
        if bucket is None:
            bucket = self.buckets[k] = (array("d"), array("q"))
            self.after(k * self.width - now, self.open_callbacks, k)
        bucket[0].append(t)
        bucket[1].append(contact.id)

    def _open(self, event) -> None:
        now, active, after, due, moot = self.env._now, self.active, self.after, self.due_callbacks, self.moot
        times, ids = self.buckets.pop(event._value, ((), ()))
        for t, cid in zip(times, ids):
            contact = active.get(cid)
            if contact is not None and (moot is None or not moot(contact)):
                after(t - now if t > now else 0.0, due, contact)

    def _due(self, event) -> None:
        contact = event._value
        if contact.id in self.active:
            self.fire(contact)
