"""Composing a first-reply policy with an ordering policy.

A scenario names one priority policy, yet a care team's practice often has
two parts: *how* a first reply goes (acknowledge now and resolve later, move
complex cases to email, let a bot answer at once) and *in which order* the
queue is worked (first in first out, deadlines, urgency, influencers). The
policies about the first reply are :class:`ActionPolicy` subclasses with a
parameter ``order`` naming any ordering policy; its own parameters come from
``policies.params.<order>`` as usual::

    policies:
      priority: deflect_complex
      params:
        deflect_complex: {to: email, order: urgency_triage}
        urgency_triage: {triage_time: 30s}

The registry builds both and joins them in a :class:`Layered` policy: the
ordering policy gives the sort key and the triage time, the action policy the
first reply and the bot (and may add a tier on top of the key, as
acknowledge-then-resolve does). One level only: an ordering policy cannot
itself be an action policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from carebench.engine.interface import BacklogRule, ContactView, FirstReply, PriorityPolicy

__all__ = ["ActionPolicy", "Layered"]


class ActionPolicy(PriorityPolicy):
    """A policy about how first replies go, ordered by another policy (``order``, default ``fifo``).

    Subclasses are parameter dataclasses with a field ``order: str``. On its
    own (``order: fifo``) the key is :meth:`layer_key` over first in, first out.
    """

    composable: ClassVar[bool] = True

    def key(self, contact: ContactView) -> Any:
        """The action's tier (if any) over first in, first out."""
        return self.layer_key(contact, contact.queued_at)

    def layer_key(self, contact: ContactView, base: Any) -> Any:
        """The sort key given the ordering policy's key ``base`` (default: ``base`` unchanged)."""
        return base


@dataclass(frozen=True)
class Layered(PriorityPolicy):
    """An :class:`ActionPolicy` (first replies, bot) over an ordering policy (key, triage)."""

    action: ActionPolicy
    order: PriorityPolicy

    @property
    def name(self) -> str:  # type: ignore[override]
        """The action policy's registered name."""
        return self.action.name

    def key(self, contact: ContactView) -> Any:
        """The ordering policy's key, with the action's tier on top."""
        return self.action.layer_key(contact, self.order.key(contact))

    def first_reply(self, contact: ContactView) -> FirstReply:
        """The action policy's first reply."""
        return self.action.first_reply(contact)

    def triage_seconds(self, contact: ContactView) -> float:
        """The ordering policy's triage time."""
        return self.order.triage_seconds(contact)

    def auto_acknowledge(self, contact: ContactView) -> bool:
        """The action policy's bot."""
        return self.action.auto_acknowledge(contact)

    def backlog(self, channel: str, public: bool) -> BacklogRule | None:
        """The ordering policy's backlog regime."""
        return self.order.backlog(channel, public)

    def channels_used(self) -> tuple[str, ...]:
        """Channels either part refers to."""
        return tuple(dict.fromkeys(self.action.channels_used() + self.order.channels_used()))

    def uses(self, hook: str) -> bool:
        """Triage comes from the ordering policy; first replies and the bot from the action."""
        part = self.order if hook in ("triage_seconds", "backlog") else self.action
        return part.uses(hook)
