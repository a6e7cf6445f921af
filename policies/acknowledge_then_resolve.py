"""Acknowledge, then resolve: a quick personal first reply, resolution later."""

from __future__ import annotations

from typing import Any

from pydantic import Field
from pydantic.dataclasses import dataclass

from carebench.engine.interface import ANSWER, Action, ContactView, FirstReply
from carebench.model.distributions import Duration
from carebench.policies.compose import ActionPolicy
from carebench.policies.params import PARAMS

__all__ = ["AcknowledgeThenResolve"]


@dataclass(config=PARAMS)
class AcknowledgeThenResolve(ActionPolicy):
    """Every new contact first gets a short personal acknowledgement; resolution waits its turn.

    The SLA article's "answer quickly and personally, or acknowledge and
    escalate". On ``channels`` (default: every public channel) an agent's
    first reply is an acknowledgement taking ``ack_time`` ("Sorry to hear
    that, Sam — we're looking into it"): it stops the SLA clock and the
    exposure, then the contact rejoins the queue for its resolution, which
    takes the full handle time and every exchange it needed anyway. The queue
    has two tiers: contacts still waiting for a first reply (on any channel)
    come before resolution and follow-up work, each tier ordered by ``order``
    (``fifo`` by default, or any ordering policy, see "Composing").
    When to use: a social team judged on first-response time, or an incident
    where many people need to hear "we know" quickly.
    Cost: ``ack_time`` of extra agent work per acknowledged contact, and
    resolution waits behind every new acknowledgement: time to resolution
    (``ttr.*``) gets longer, most of all during a surge.
    """

    name = "acknowledge_then_resolve"
    summary = "a quick personal acknowledgement first (stops SLA clock and exposure); resolution queued after"
    ack_time: Duration = Field(default="1m", gt=0)  # type: ignore[assignment]
    channels: tuple[str, ...] = ()
    order: str = "fifo"

    def layer_key(self, contact: ContactView, base: Any) -> tuple[int, Any]:
        """``(0, base)`` for a contact awaiting its first reply, ``(1, base)`` for resolution work."""
        return (1 if contact.responded else 0), base

    def first_reply(self, contact: ContactView) -> FirstReply:
        """An acknowledgement on the chosen channels, a normal answer elsewhere."""
        chosen = contact.channel in self.channels if self.channels else contact.public
        if chosen:
            return FirstReply(Action.ACKNOWLEDGE, work=self.ack_time)
        return ANSWER

    def channels_used(self) -> tuple[str, ...]:
        """The channels acknowledged."""
        return self.channels
