"""Engine timers put straight on SimPy's event queue, without a ``Timeout`` object each.

SimPy stays the scheduler: ``Environment.step`` pops ``(time, priority, id,
event)`` from ``env._queue``, takes ``event.callbacks``, calls each with the
event and then reads ``event._ok``. Any object with those two attributes is
an event to it. A ``Timeout`` costs an object with five attributes, a list
and two calls per event; on the hot path (an arrival, an end of service, a
behaviour deadline per contact) that was about a fifth of a run. Here the
entry is pushed the way ``Environment.schedule`` pushes it (same time
arithmetic ``now + delay``, same priority, the next id from the same counter),
so events fire in exactly the order timeouts would have fired.

Objects scheduled this way: a :class:`Timer` (one allocation, a shared
callbacks list), or a :class:`~carebench.engine.contact.Contact` itself for
its end of service (a contact is served by one agent at a time).
"""

from __future__ import annotations

from heapq import heappush

from simpy.events import NORMAL

__all__ = ["Timer", "Scheduler", "NORMAL"]


class Timer:
    """A minimal event carrying ``_value`` to its callbacks."""

    __slots__ = ("callbacks", "_value")
    _ok = True  # never fails: SimPy reads it after the callbacks

    def __init__(self, callbacks: list, value=None):
        self.callbacks = callbacks
        self._value = value


class Scheduler:
    """Pushes timers onto one environment's queue in SimPy's own order."""

    __slots__ = ("env", "queue", "eid")

    def __init__(self, env):
        self.env = env
        self.queue = env._queue
        self.eid = env._eid

    def after(self, delay: float, callbacks: list, value=None) -> None:
        """Call every function of ``callbacks`` with a timer holding ``value`` after ``delay`` (>= 0) seconds."""
        heappush(self.queue, (self.env._now + delay, NORMAL, next(self.eid), Timer(callbacks, value)))

    def push(self, delay: float, event) -> None:
        """Schedule an event-like object (``callbacks`` already set, ``_ok`` true) after ``delay`` seconds."""
        heappush(self.queue, (self.env._now + delay, NORMAL, next(self.eid), event))
