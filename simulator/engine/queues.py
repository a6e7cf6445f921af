"""A channel's waiting contacts: a heap ordered by the policy's key, with lazy removal.

Contacts that leave without being taken (patience ran out, a peer answered)
stay in the heap marked as no longer waiting and are skipped when they reach
the top; the heap is never scanned on the hot path. :meth:`ChannelQueue.settle`
scans it when an exact count is needed (a staffing review, the end of the run).
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable

from carebench.engine.contact import WAITING, Contact

__all__ = ["ChannelQueue", "FifoQueue", "TieredQueue"]

_INF = float("inf")
_DAY = 86400.0


class ChannelQueue:
    """Waiting contacts of one channel."""

    __slots__ = ("heap", "count")

    def __init__(self) -> None:
        self.heap: list[tuple] = []
        self.count = 0

    def push(self, contact: Contact) -> None:
        """Add a waiting contact under its current key."""
        heapq.heappush(self.heap, (contact.key, contact.id, contact))
        self.count += 1

    def head(self, now: float, leave: Callable[[Contact], None]) -> Contact | None:
        """The first contact still waiting, settling any that left on the way via ``leave``.

        ``leave`` must move the contact out of the ``WAITING`` state.
        """
        heap = self.heap
        while heap:
            contact = heap[0][2]
            if contact.state != WAITING:
                heapq.heappop(heap)
            elif contact.abandon_at <= now and not contact.responded:
                heapq.heappop(heap)
                self.count -= 1
                leave(contact)
            else:
                return contact
        return None

    def urgent_head(self, now: float, leave: Callable[[Contact], None]) -> Contact | None:
        """Same as :meth:`head` (a plain queue has no backlog)."""
        return self.head(now, leave)

    def idle_head(self, now: float, leave: Callable[[Contact], None]) -> Contact | None:
        """None: a plain queue has no backlog for idle agents."""
        return None

    def pop(self) -> Contact:
        """Remove the head returned by :meth:`head`."""
        self.count -= 1
        return heapq.heappop(self.heap)[2]

    def discard(self, contact: Contact) -> None:
        """Account for a waiting contact that left by other means; it stays in the heap, skipped."""
        self.count -= 1

    def settle(self, now: float, leave: Callable[[Contact], None]) -> list[Contact]:
        """Settle every contact whose patience ran out by ``now``; return those still waiting.

        A scan of the heap, for staffing reviews and the end of the run only.
        """
        waiting = []
        for entry in self.heap:
            contact = entry[2]
            if contact.state != WAITING:
                continue
            if contact.abandon_at <= now and not contact.responded:
                self.count -= 1
                leave(contact)
            else:
                waiting.append(contact)
        return waiting


class FifoQueue(ChannelQueue):
    """A plain channel's queue (:mod:`carebench.engine.plain`): a deque in join order.

    There every key is the time the contact joined and contacts join in time
    and id order, so the heap's ``(key, id)`` order is the order of joining.
    """

    __slots__ = ()

    def __init__(self) -> None:
        self.heap = deque()  # type: ignore[assignment]  # same name: settle() reads it
        self.count = 0

    def push(self, contact: Contact) -> None:
        """Add a waiting contact at the back."""
        self.heap.append((None, contact.id, contact))
        self.count += 1

    def head(self, now: float, leave: Callable[[Contact], None]) -> Contact | None:
        """The first contact still waiting, settling any that left on the way via ``leave``."""
        q = self.heap
        while q:
            contact = q[0][2]
            if contact.state != WAITING:
                q.popleft()
            elif contact.abandon_at <= now and not contact.responded:
                q.popleft()
                self.count -= 1
                leave(contact)
            else:
                return contact
        return None

    def pop(self) -> Contact:
        """Remove the head returned by :meth:`head`."""
        self.count -= 1
        return self.heap.popleft()[2]


class TieredQueue(ChannelQueue):
    """A channel's queue under a backlog regime: a fresh heap and a backlog worked oldest first.

    Unanswered posts older than ``rule.move_after`` leave the fresh heap for
    the backlog. Moves are found without scanning: unanswered posts join in
    arrival order, so a deque of them in that order gives the next one due
    to move; its entry in the fresh heap is left behind and skipped.
    ``head`` serves the backlog first during a sweep, then fresh work, then
    (``rule.when_idle``) the backlog; ``urgent_head`` never the idle backlog,
    so a blended agent can try every channel's fresh work first. Entries
    carry a push number (``Contact.qseq``) so an entry left behind is never
    mistaken for the contact's current place.
    """

    __slots__ = ("backlog", "young", "rule", "move_after", "sweeps", "when_idle", "taken", "pushes")

    def __init__(self, rule) -> None:
        super().__init__()
        self.backlog: list[tuple] = []
        self.young: deque = deque()
        self.rule = rule
        self.move_after = rule.move_after
        self.sweeps = rule.sweeps
        self.when_idle = rule.when_idle
        self.taken: list[tuple] | None = None
        self.pushes = 0

    def push(self, contact: Contact) -> None:
        """Add a waiting contact to the fresh heap (unanswered ones are also watched for moving)."""
        self.pushes += 1
        seq = contact.qseq = self.pushes
        contact.tier = 0
        heapq.heappush(self.heap, (contact.key, contact.id, seq, contact))
        if self.move_after < _INF and not contact.responded:
            self.young.append((seq, contact))
        self.count += 1

    def sweeping(self, now: float) -> bool:
        """Whether ``now`` falls in one of the rule's daily sweep windows."""
        for start, duration in self.sweeps:
            if (now - start) % _DAY < duration:
                return True
        return False

    def _age(self, now: float) -> None:
        young, limit = self.young, self.move_after
        while young and young[0][1].queued_at + limit <= now:
            seq, contact = young.popleft()
            if contact.state == WAITING and contact.qseq == seq and contact.tier == 0:
                contact.tier = 1
                heapq.heappush(self.backlog, (contact.arrival, contact.id, seq, contact))

    def _first(self, heap: list, tier: int, now: float, leave) -> Contact | None:
        while heap:
            _, _, seq, contact = heap[0]
            if contact.state != WAITING or contact.qseq != seq or contact.tier != tier:
                heapq.heappop(heap)
            elif contact.abandon_at <= now and not contact.responded:
                heapq.heappop(heap)
                self.count -= 1
                leave(contact)
            else:
                self.taken = heap
                return contact
        return None

    def urgent_head(self, now: float, leave: Callable[[Contact], None]) -> Contact | None:
        """The first contact to serve before any idle backlog: the backlog in a sweep, else fresh work."""
        young = self.young
        if young and young[0][1].queued_at + self.move_after <= now:  # _age's own first test, saving a call
            self._age(now)
        if self.sweeps and self.sweeping(now):
            first = self._first(self.backlog, 1, now, leave)
            if first is not None:
                return first
        return self._first(self.heap, 0, now, leave)

    def head(self, now: float, leave: Callable[[Contact], None]) -> Contact | None:
        """The first contact to serve: :meth:`urgent_head`, else the backlog when the rule allows."""
        first = self.urgent_head(now, leave)
        if first is None and self.when_idle:
            first = self._first(self.backlog, 1, now, leave)
        return first

    def idle_head(self, now: float, leave: Callable[[Contact], None]) -> Contact | None:
        """The backlog's first contact when the rule serves it to idle agents, else None."""
        return self._first(self.backlog, 1, now, leave) if self.when_idle else None

    def pop(self) -> Contact:
        """Remove the head returned by the last ``head``, ``urgent_head`` or ``idle_head``."""
        self.count -= 1
        return heapq.heappop(self.taken)[3]

    def settle(self, now: float, leave: Callable[[Contact], None]) -> list[Contact]:
        """Settle every contact due to leave by ``now``; return those still waiting (both tiers)."""
        self._age(now)
        waiting = []
        for heap, tier in ((self.heap, 0), (self.backlog, 1)):
            for entry in heap:
                contact = entry[3]
                if contact.state != WAITING or contact.qseq != entry[2] or contact.tier != tier:
                    continue
                if contact.abandon_at <= now and not contact.responded:
                    self.count -= 1
                    leave(contact)
                else:
                    waiting.append(contact)
        return waiting

    @property
    def in_backlog(self) -> int:
        """Posts in the backlog now (entries left behind excluded)."""
        return sum(1 for e in self.backlog if e[3].state == WAITING and e[3].qseq == e[2] and e[3].tier == 1)
