"""SLA deadline: the contact whose first-response target falls due first goes first."""

from __future__ import annotations

from typing import Literal

from pydantic.dataclasses import dataclass

from carebench.engine.interface import ContactView, PriorityPolicy
from carebench.policies.params import PARAMS

__all__ = ["SlaDeadline"]


@dataclass(config=PARAMS)
class SlaDeadline(PriorityPolicy):
    """Earliest due date first, due = arrival + the channel's first-response target.

    ``mode: deadline`` orders by the due time itself (earliest-due-date rule):
    a tweet with a 1 h target that arrived 50 minutes ago goes before an email
    with a 24 h target that arrived 5 hours ago. ``mode: slack`` orders by the
    least slack, due time minus the channel's mean handle time (the
    minimum-slack rule): on a reply channel the reply goes out at the end of
    handling, so a long contact must start earlier to make the same target.
    Follow-ups after a first reply are due one target after they rejoin the
    queue (a "next reply" target).
    When to use: a blended team that is judged on each channel's SLA and wants
    to spend its capacity where a target is about to be missed.
    Cost: once a contact has missed its target it stays at the front, so in a
    long overload the team works on already-lost contacts (everyone is late
    rather than some on time); channels with generous targets (email) wait
    until they too are nearly due.
    """

    name = "sla_deadline"
    summary = "earliest first-response deadline first (or least slack: deadline minus expected handle time)"
    mode: Literal["deadline", "slack"] = "deadline"

    def key(self, contact: ContactView) -> float:
        """The due time of the contact's next reply (minus the expected handle time in slack mode)."""
        due = (contact.queued_at if contact.responded else contact.arrival) + contact.sla
        return due - contact.expected_handle if self.mode == "slack" else due
