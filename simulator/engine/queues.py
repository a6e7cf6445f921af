"""A channel's waiting contacts: a heap ordered by the policy's key, with lazy removal.

Contacts that leave without being taken (patience ran out, a peer answered)
stay in the heap marked as no longer waiting and are skipped when they reach
the top; the heap is never scanned on the hot path. :meth:`ChannelQueue.settle`
scans it when an exact count is needed (a staffing review, the end of the run).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable

from carebench.engine.contact import WAITING, Contact

__all__ = ["ChannelQueue"]


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
