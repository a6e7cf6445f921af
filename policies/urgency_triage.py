"""Urgency triage: assess each contact's urgency first; crisis, then high, then normal."""

from __future__ import annotations

from pydantic.dataclasses import dataclass

from carebench.engine.interface import ContactView, PriorityPolicy, Urgency
from carebench.model.distributions import Duration
from carebench.policies.params import PARAMS

__all__ = ["UrgencyTriage"]

_CRISIS = int(Urgency.CRISIS)  # a plain int: keys are compared often


@dataclass(config=PARAMS)
class UrgencyTriage(PriorityPolicy):
    """Crisis before high before normal, first in first out within a class, after a short triage.

    The SLA article's advice: assess urgency first, not every negative tweet
    is a crisis. Each contact on ``channels`` (default: every public channel)
    costs ``triage_time`` of agent time for the assessment, added to its first
    human reply (the agent who reads it triages it); the queue is then
    ordered by the assessed urgency class (``channels.<ch>.urgency`` in the
    scenario sets the mix). Contacts on other channels are not assessed and
    count as normal. Modelling note: the order acts as if the class were
    known when the contact joined the queue, and contacts that leave
    unanswered cost no triage time, so the assessment's cost is slightly
    understated under heavy overload.
    When to use: a team whose traffic mixes routine questions with the odd
    safety issue, outage report or legal threat.
    Cost: ``triage_time`` of agent time per contact (capacity lost on every
    contact), and normal contacts wait behind every urgent one.
    """

    name = "urgency_triage"
    summary = "crisis, then high, then normal urgency (FIFO within), after a triage time per contact"
    triage_time: Duration = "30s"  # type: ignore[assignment]
    channels: tuple[str, ...] = ()

    def triaged(self, contact: ContactView) -> bool:
        """Whether ``contact``'s channel is assessed."""
        return contact.channel in self.channels if self.channels else contact.public

    def key(self, contact: ContactView) -> tuple[int, float]:
        """``(2 - urgency, queued_at)`` on triaged channels, crisis (2) first; ``(2, queued_at)`` elsewhere."""
        return (_CRISIS - contact.urgency if self.triaged(contact) else _CRISIS), contact.queued_at

    def triage_seconds(self, contact: ContactView) -> float:
        """``triage_time`` for contacts on triaged channels, 0 elsewhere."""
        return self.triage_time if self.triaged(contact) else 0.0

    def channels_used(self) -> tuple[str, ...]:
        """The channels triaged."""
        return self.channels
