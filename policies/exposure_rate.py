"""Exposure rate: the contact whose delay costs the most exposure per minute goes first."""

from __future__ import annotations

from pydantic import Field
from pydantic.dataclasses import dataclass

from carebench.engine.interface import ContactView, PriorityPolicy
from carebench.model.distributions import NonNegative
from carebench.policies.params import PARAMS

__all__ = ["ExposureRate"]


@dataclass(config=PARAMS)
class ExposureRate(PriorityPolicy):
    """Largest audience per minute of delay first (the c-mu rule with exposure as the cost).

    While a public contact waits for its first human reply, its author's
    followers see it, amplified by retweets and shares. Its exposure rate is
    ``followers × amplification[channel]`` for a public contact not yet
    answered by a person, and 0 otherwise (private channels, follow-ups after
    the first reply — exposure stops there). ``amplification`` gives a
    weight per channel (default 1 for every public channel), e.g.
    ``{twitter: 1.5, facebook: 1}`` when tweets travel further. Contacts go in
    decreasing order of rate, first in, first out among equal rates, so all
    private and answered work comes after the public first replies.
    When to use: a brand that measures reputational exposure and wants to
    minimise it, e.g. during an outage that trends.
    Cost: strict priority — a complainer with 50 followers waits behind every
    larger account, and private channels or follow-ups sharing the team wait
    behind all public first replies; under sustained overload they starve
    (see ``frt_band.*``; use ``follower_weighted`` for a bounded head start).
    """

    name = "exposure_rate"
    summary = "largest exposure per minute of delay first: followers x amplification on public channels"
    amplification: dict[str, NonNegative] = Field(default_factory=dict)

    def rate(self, contact: ContactView) -> float:
        """Followers reached per unit of delay while ``contact`` waits (0 if it exposes nobody)."""
        if not contact.public or contact.responded:
            return 0.0
        return contact.followers * self.amplification.get(contact.channel, 1.0)

    def key(self, contact: ContactView) -> tuple[float, float]:
        """``(-rate, queued_at)``: highest rate first, first in first out among equals."""
        return -self.rate(contact), contact.queued_at

    def channels_used(self) -> tuple[str, ...]:
        """The channels given an amplification."""
        return tuple(self.amplification)
