"""Static channel priority: some channels always go before others."""

from __future__ import annotations

from pydantic import Field
from pydantic.dataclasses import dataclass

from carebench.engine.interface import ContactView, PriorityPolicy
from carebench.policies.params import PARAMS

__all__ = ["ChannelPriority"]


@dataclass(config=PARAMS)
class ChannelPriority(PriorityPolicy):
    """Serve channels in a fixed order; first in, first out within a channel.

    ``order`` lists channels from most to least urgent; channels not listed
    come after all listed ones. ``[twitter, facebook, ...]`` is "social cuts
    the line"; putting phone and email first is its opposite.
    When to use: a team that treats public complaints as more urgent than
    private ones (or the reverse) by rule.
    Cost: the channels at the end wait through every busy spell of the others
    and can starve under sustained load.
    """

    name = "channel_priority"
    summary = "channels in a fixed order (e.g. social cuts the line); FIFO within a channel"
    order: tuple[str, ...] = Field(min_length=1)

    def key(self, contact: ContactView) -> tuple[int, float]:
        """(rank of the contact's channel, time it joined the queue)."""
        try:
            rank = self.order.index(contact.channel)
        except ValueError:
            rank = len(self.order)
        return rank, contact.queued_at

    def channels_used(self) -> tuple[str, ...]:
        """The channels named in ``order``."""
        return self.order
